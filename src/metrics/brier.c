/* brier.c: the Brier score. Binary: scikit-learn's brier_score_loss on the
 * positive class's probability, mean of (p - [y == positive])^2. Multiclass:
 * Brier's original multi-class score, mean over rows of the sum over classes
 * of (p_k - [y == k])^2 (scikit-learn 1.2 has no multiclass form). Sample
 * weights make both a weighted mean over rows (np.average). */
#include <stdlib.h>

#include "metrics/metrics_int.h"

static int brier_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    int rc = fw_metric_input_check(
        "brier", in, FW_MCHK_CLASSES | FW_MCHK_SCORE | FW_MCHK_PROBA | FW_MCHK_NOPRED, e);
    if (rc)
        return rc;
    size_t n = in->n, K = in->n_classes;
    double *v = malloc(n * sizeof *v), *row = malloc(K * sizeof *row);
    if (!v || !row) {
        rc = fw_err_set(e, FW_ENOMEM, "brier: out of memory for %zu rows", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const double *p = in->score + i * K;
        size_t t = (size_t)in->y_true[i];
        if (K == 2) {
            double d = (t == (size_t)in->positive ? 1.0 : 0.0) - p[in->positive];
            v[i] = d * d;
            continue;
        }
        for (size_t k = 0; k < K; k++) {
            double d = p[k] - (k == t ? 1.0 : 0.0);
            row[k] = d * d;
        }
        v[i] = fw_metric_sum(row, K, 1);
    }
    rc = fw_metric_average_alloc(v, in->weight, n, out, e);
cleanup:
    free(v);
    free(row);
    return rc;
}

const fw_metric_type fw_metric_brier = {
    .name = "brier",
    .summary = "mean squared error of the predicted probabilities",
    .greater_is_better = 0,
    .flags = FW_METRIC_CLASSIFICATION | FW_METRIC_NEEDS_SCORE | FW_METRIC_NEEDS_PROBA,
    .score = brier_score,
};
