/* precision_at_k.c: precision among the k highest-scored rows for the
 * positive class (binary only). `precision_at_k` takes k = the number of
 * positive rows in y_true (R-precision, unweighted count); `precision_at_N`
 * takes k = N, capped at the number of rows. Rows are ranked by the positive
 * class's score, descending, ties broken by row order (a stable sort), so the
 * value is deterministic. With sample weights it is the weighted fraction of
 * positives among those k rows: sum(w * hit) / sum(w). scikit-learn 1.2 has
 * no such metric. */
#include <stdlib.h>

#include "metrics/metrics_int.h"

static int precision_top(const fw_metric_input *in, size_t k, double *out, unsigned *warn,
                         fw_err *e)
{
    size_t n = in->n, K = in->n_classes;
    if (k > n)
        k = n;
    if (k == 0) { /* R-precision with no positive row: 0 / 0 */
        *out = 0.0;
        *warn |= FW_METRIC_WARN_ZERO_DIVISION;
        return FW_OK;
    }
    size_t *idx = malloc(n * sizeof *idx);
    double *v = malloc(3 * k * sizeof *v);
    int rc = FW_OK;
    if (!idx || !v) {
        rc = fw_err_set(e, FW_ENOMEM, "precision_at_k: out of memory for %zu rows", n);
        goto cleanup;
    }
    rc = fw_metric_argsort(in->score + in->positive, K, n, 1, idx, e);
    if (rc)
        goto cleanup;
    double *hit = v, *w = v + k, *tmp = v + 2 * k;
    for (size_t j = 0; j < k; j++) {
        hit[j] = in->y_true[idx[j]] == (double)in->positive ? 1.0 : 0.0;
        w[j] = in->weight ? in->weight[idx[j]] : 1.0;
    }
    if (in->weight && fw_metric_sum(w, k, 1) == 0) {
        *out = 0.0;
        *warn |= FW_METRIC_WARN_ZERO_DIVISION;
    } else
        *out = fw_metric_average(hit, in->weight ? w : NULL, k, tmp);
cleanup:
    free(idx);
    free(v);
    return rc;
}

static int check(const fw_metric_input *in, fw_err *e)
{
    return fw_metric_input_check("precision_at_k", in,
                                 FW_MCHK_CLASSES | FW_MCHK_BINARY | FW_MCHK_SCORE |
                                     FW_MCHK_NOPRED,
                                 e);
}

static int r_precision(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    int rc = check(in, e);
    if (rc)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++)
        k += in->y_true[i] == (double)in->positive;
    return precision_top(in, k, out, warn, e);
}

static int precision_at_n(const fw_metric_input *in, size_t k, double *out, unsigned *warn,
                          fw_err *e)
{
    int rc = check(in, e);
    return rc ? rc : precision_top(in, k, out, warn, e);
}

const fw_metric_type fw_metric_precision_at_k = {
    .name = "precision_at_k",
    .summary = "precision among the top-k scored rows (k = positives; precision_at_N: k = N)",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION | FW_METRIC_NEEDS_SCORE | FW_METRIC_BINARY_ONLY,
    .score = r_precision,
    .param_prefix = "precision_at_",
    .score_k = precision_at_n,
};
