/* mcc.c: Matthews correlation coefficient, binary and multiclass (Gorodkin's
 * R_K), as scikit-learn's matthews_corrcoef, from the weighted confusion
 * matrix over the classes present in y_true or y_pred. */
#include <math.h>
#include <stdlib.h>

#include "metrics/metrics_int.h"

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* A zero denominator (one class in y_true or in y_pred) gives 0.0, as
 * scikit-learn, and FW_METRIC_WARN_UNDEFINED. */
static int mcc_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    int rc = fw_metric_input_check("mcc", in, FW_MCHK_CLASSES, e);
    if (rc)
        return rc;
    double *C = NULL, *ts = NULL;
    size_t L = 0;
    rc = fw_metric_confusion(in, &C, &L, e);
    if (rc)
        return rc;
    if (!(ts = malloc(2 * L * sizeof *ts))) {
        free(C);
        return fw_err_set(e, FW_ENOMEM, "mcc: out of memory for %zu classes", L);
    }
    double *ps = ts + L;
    for (size_t i = 0; i < L; i++) {
        ts[i] = fw_metric_sum(C + i * L, L, 1); /* C.sum(axis=1): pairwise per row */
        ps[i] = 0;
    }
    for (size_t i = 0; i < L; i++) /* C.sum(axis=0): rows added in turn */
        for (size_t j = 0; j < L; j++)
            ps[j] += C[i * L + j];
    double correct = fw_metric_sum(C, L, L + 1); /* np.trace */
    double n = fw_metric_sum(ps, L, 1);
    double cov_tp = correct * n - dot(ts, ps, L);
    double cov_pp = n * n - dot(ps, ps, L);
    double cov_tt = n * n - dot(ts, ts, L);
    if (cov_pp * cov_tt == 0) {
        *out = 0.0;
        *warn |= FW_METRIC_WARN_UNDEFINED;
    } else
        *out = cov_tp / sqrt(cov_tt * cov_pp);
    free(C);
    free(ts);
    return FW_OK;
}

const fw_metric_type fw_metric_mcc = {
    .name = "mcc",
    .summary = "Matthews correlation coefficient (multiclass: Gorodkin's R_K)",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION,
    .score = mcc_score,
};
