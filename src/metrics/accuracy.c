/* accuracy.c: accuracy and balanced accuracy from predicted class codes
 * (scikit-learn's accuracy_score and balanced_accuracy_score). */
#include <math.h>
#include <stdlib.h>

#include "metrics/metrics_int.h"

/* np.average(y_true == y_pred, weights=w). */
static int accuracy_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    int rc = fw_metric_input_check("accuracy", in, FW_MCHK_CLASSES, e);
    if (rc)
        return rc;
    double *hit = malloc(in->n * sizeof *hit);
    if (!hit)
        return fw_err_set(e, FW_ENOMEM, "accuracy: out of memory for %zu rows", in->n);
    for (size_t i = 0; i < in->n; i++)
        hit[i] = in->y_true[i] == in->y_pred[i] ? 1.0 : 0.0;
    rc = fw_metric_average_alloc(hit, in->weight, in->n, out, e);
    free(hit);
    return rc;
}

/* Mean recall over the classes with a nonzero (weighted) row in the
 * confusion matrix, which is scikit-learn's rule: a class seen only in
 * y_pred gives 0/0 and is dropped there (with a warning we do not repeat). */
static int balanced_accuracy_score(const fw_metric_input *in, double *out, unsigned *warn,
                                   fw_err *e)
{
    int rc = fw_metric_input_check("balanced_accuracy", in, FW_MCHK_CLASSES, e);
    if (rc)
        return rc;
    double *C = NULL, *rec = NULL;
    size_t L = 0, m = 0;
    rc = fw_metric_confusion(in, &C, &L, e);
    if (rc)
        return rc;
    rec = malloc(L * sizeof *rec);
    if (!rec) {
        rc = fw_err_set(e, FW_ENOMEM, "balanced_accuracy: out of memory for %zu classes", L);
        goto cleanup;
    }
    for (size_t t = 0; t < L; t++) {
        /* np.diag(C) / C.sum(axis=1); NaN rows are dropped. */
        double r = C[t * L + t] / fw_metric_sum(C + t * L, L, 1);
        if (!isnan(r))
            rec[m++] = r;
    }
    *out = m ? fw_metric_sum(rec, m, 1) / (double)m : NAN;
    if (!m)
        *warn |= FW_METRIC_WARN_UNDEFINED;
cleanup:
    free(C);
    free(rec);
    return rc;
}

const fw_metric_type fw_metric_accuracy = {
    .name = "accuracy",
    .summary = "fraction of rows whose predicted class is right",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION,
    .score = accuracy_score,
};

const fw_metric_type fw_metric_balanced_accuracy = {
    .name = "balanced_accuracy",
    .summary = "mean recall over the classes present in y_true",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION,
    .score = balanced_accuracy_score,
};
