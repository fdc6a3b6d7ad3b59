/* average_precision.c: average precision, the step integral of the
 * precision-recall curve (not interpolated), as average_precision_score.
 * Binary: the positive class's score column. Multiclass: one-vs-rest macro
 * average, which scikit-learn 1.2 does not offer for multiclass targets; it
 * equals its average_precision_score(label_binarize(y), score,
 * average="macro"). */
#include "metrics/metrics_int.h"

/* A class absent from y_true gets scikit-learn's value (recall set to 1: AP
 * 0; all rows positive: AP 1) and FW_METRIC_WARN_UNDEFINED. */
static int average_precision_score(const fw_metric_input *in, double *out, unsigned *warn,
                                   fw_err *e)
{
    int rc = fw_metric_input_check("average_precision", in,
                                   FW_MCHK_CLASSES | FW_MCHK_SCORE | FW_MCHK_NOPRED, e);
    if (rc)
        return rc;
    size_t K = in->n_classes, present = 0;
    rc = fw_metric_count_true_classes(in, &present, e);
    if (rc)
        return rc;
    if (present < K)
        *warn |= FW_METRIC_WARN_UNDEFINED;
    return fw_metric_rank_score(in, fw_metric_binary_ap, out, warn, e);
}

const fw_metric_type fw_metric_average_precision = {
    .name = "average_precision",
    .summary = "area under the precision-recall step curve (multiclass: one-vs-rest macro)",
    .greater_is_better = 1,
    .flags = FW_METRIC_CLASSIFICATION | FW_METRIC_NEEDS_SCORE,
    .score = average_precision_score,
};
