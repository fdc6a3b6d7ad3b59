/* roc_auc.c: area under the ROC curve. Binary: the positive class's score
 * column, as roc_auc_score. Multiclass: one-vs-rest macro average on
 * probabilities, as roc_auc_score(multi_class="ovr", average="macro").
 * Ties count as scikit-learn counts them (trapezoid over distinct scores). */
#include <math.h>

#include "metrics/metrics_int.h"

/* Every class must occur in y_true (scikit-learn raises otherwise, and its
 * cross-validation records NaN): NaN and FW_METRIC_WARN_UNDEFINED. */
static int roc_auc_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    unsigned what = FW_MCHK_CLASSES | FW_MCHK_SCORE | FW_MCHK_NOPRED;
    if (in && in->n_classes > 2)
        what |= FW_MCHK_PROBA;
    int rc = fw_metric_input_check("roc_auc", in, what, e);
    if (rc)
        return rc;
    size_t K = in->n_classes, present = 0;
    rc = fw_metric_count_true_classes(in, &present, e);
    if (rc)
        return rc;
    if (present < K) {
        *out = NAN;
        *warn |= FW_METRIC_WARN_UNDEFINED;
        return FW_OK;
    }
    return fw_metric_rank_score(in, fw_metric_binary_auc, out, warn, e);
}

const fw_metric_type fw_metric_roc_auc = {
    .name = "roc_auc",
    .summary = "area under the ROC curve (multiclass: one-vs-rest macro, on probabilities)",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION | FW_METRIC_NEEDS_SCORE | FW_METRIC_MULTICLASS_PROBA,
    .score = roc_auc_score,
};
