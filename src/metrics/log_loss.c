/* log_loss.c: cross-entropy of the predicted probabilities, as scikit-learn
 * 1.2's log_loss(eps="auto"): probabilities clipped to [eps, 1 - eps] with
 * eps = float64 machine epsilon, each row renormalised to sum 1, natural
 * logarithm, averaged with the sample weights. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "metrics/metrics_int.h"

static double clip(double p)
{
    return fmin(fmax(p, DBL_EPSILON), 1 - DBL_EPSILON); /* np.clip */
}

/* Binary: scikit-learn's neg_log_loss scorer passes the second class's column
 * alone, and log_loss rebuilds the pair [1 - p, p] after clipping it. The
 * value does not depend on which class is `positive`. */
static double row_loss_binary(const double *p, size_t t)
{
    double c = clip(p[1]), pair[2] = {1 - c, c};
    double s = pair[0] + pair[1];
    return -log(pair[t] / s);
}

/* Multiclass: clip every column, divide by the row's (pairwise) sum. */
static double row_loss(const double *p, size_t K, size_t t, double *row)
{
    for (size_t k = 0; k < K; k++)
        row[k] = clip(p[k]);
    double s = fw_metric_sum(row, K, 1);
    return -log(row[t] / s);
}

/* Every class code is a label (scikit-learn's labels=range(n_classes)), so a
 * fold missing a class is still scored; scikit-learn without `labels` would
 * raise there. */
static int log_loss_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    int rc = fw_metric_input_check(
        "log_loss", in, FW_MCHK_CLASSES | FW_MCHK_SCORE | FW_MCHK_PROBA | FW_MCHK_NOPRED, e);
    if (rc)
        return rc;
    size_t n = in->n, K = in->n_classes;
    double *loss = malloc(n * sizeof *loss), *row = malloc(K * sizeof *row);
    if (!loss || !row) {
        rc = fw_err_set(e, FW_ENOMEM, "log_loss: out of memory for %zu rows", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const double *p = in->score + i * K;
        size_t t = (size_t)in->y_true[i];
        loss[i] = K == 2 ? row_loss_binary(p, t) : row_loss(p, K, t, row);
    }
    rc = fw_metric_average_alloc(loss, in->weight, n, out, e);
cleanup:
    free(loss);
    free(row);
    return rc;
}

const fw_metric_type fw_metric_log_loss = {
    .name = "log_loss",
    .summary = "mean negative log-likelihood of the true class (probabilities clipped)",
    .greater_is_better = 0,
    .flags = FW_METRIC_CLASSIFICATION | FW_METRIC_NEEDS_SCORE | FW_METRIC_NEEDS_PROBA,
    .score = log_loss_score,
};
