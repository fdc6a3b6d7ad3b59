/* metrics.h: scores from predictions.
 *
 * One registry of metrics, each declaring whether higher is better and what
 * it needs (labels, scores, probabilities; classification or regression).
 * A run may ask for several; the first is optimised. Values follow
 * scikit-learn 1.2's definitions to the last digit (within 1e-12 relative);
 * losses (rmse, mae, log_loss, brier, ...) are positive and lower is better,
 * where scikit-learn's scorers would negate them.
 *
 * Undefined cases (one class present, zero division) return a documented
 * value and set a warning bit instead of returning NaN silently.
 */
#ifndef FOLDWISE_METRICS_H
#define FOLDWISE_METRICS_H

#include <stddef.h>

#include "foldwise/core.h"

/* Predictions of one model on n rows. For classification, `score` is an
 * n x n_classes row-major matrix: probabilities when is_proba, otherwise
 * decision values (larger = more likely); y_pred holds the predicted class
 * codes (argmax of score, lowest index on ties). For regression, y_pred
 * holds the predicted values, score is NULL and n_classes is 0 (that is how
 * fw_metric_eval tells the task apart). Nothing is copied or kept. */
typedef struct fw_metric_input {
    size_t n;
    const double *y_true;   /* class codes 0..n_classes-1, or values */
    const double *y_pred;
    const double *score;
    int is_proba;
    size_t n_classes;
    int positive;           /* binary metrics: the positive class code */
    const double *weight;   /* sample weights, or NULL */
} fw_metric_input;

enum {
    FW_METRIC_CLASSIFICATION = 1u << 0,
    FW_METRIC_REGRESSION = 1u << 1,
    FW_METRIC_NEEDS_SCORE = 1u << 2,  /* ranking: decision values suffice */
    FW_METRIC_NEEDS_PROBA = 1u << 3,  /* calibrated probabilities */
    FW_METRIC_BINARY_ONLY = 1u << 4,
    FW_METRIC_MULTICLASS_PROBA = 1u << 5, /* multiclass form needs probabilities (roc_auc) */
};

/* Warning bits a metric may set. */
enum {
    FW_METRIC_WARN_UNDEFINED = 1u << 0,    /* e.g. one class only: value is the documented default */
    FW_METRIC_WARN_ZERO_DIVISION = 1u << 1 /* precision/recall/f1 with an empty denominator: 0 */
};

typedef struct fw_metric_type {
    const char *name;
    const char *summary;
    int greater_is_better;
    unsigned flags;
    /* Score the predictions into *out; set bits of *warn for undefined
     * cases. Returns FW_OK, or FW_EINVAL when the input cannot be scored. */
    int (*score)(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e);
    /* Parametrised family, or NULL: a name "<param_prefix><N>" with N a
     * positive decimal integer resolves to this type and is scored by
     * score_k with k = N (precision_at_10). */
    const char *param_prefix;
    int (*score_k)(const fw_metric_input *in, size_t k, double *out, unsigned *warn,
                   fw_err *e);
} fw_metric_type;

extern const fw_metric_type *const fw_metrics[];  /* NULL-terminated */
/* Find by name; also resolves parametrised names such as precision_at_10.
 * Returns a static type, or NULL for an unknown name. */
const fw_metric_type *fw_metric_find(const char *name);
/* Evaluate metric `name` (parametrised names allowed) into *out; *warn gets
 * the FW_METRIC_WARN_* bits (cleared first). The task is read from the input:
 * n_classes >= 2 is classification, 0 regression. Returns FW_OK, FW_EINVAL
 * (unknown name, wrong task, bad input, decision values given to a metric
 * that needs probabilities) or FW_ENOMEM; *out is NaN on failure. */
int fw_metric_eval(const char *name, const fw_metric_input *in, double *out, unsigned *warn,
                   fw_err *e);
/* Check one metric name against the task (FW_TASK_CLASSIFICATION = 1 or
 * FW_TASK_REGRESSION = 2 from data.h, the same values as FW_METRIC_
 * CLASSIFICATION / FW_METRIC_REGRESSION; 0 = not known yet, not checked).
 * Returns FW_OK or FW_EINVAL with a message naming the metric and, for an
 * unknown name, suggesting a close one. */
int fw_metric_check(const char *name, int task, fw_err *e);
/* Once the classes are known: refuses binary-only metrics (precision, recall,
 * f1, precision_at_k, ...) when n_classes > 2, pointing at the _macro /
 * _weighted forms. n_classes 0 (regression) passes. FW_OK or FW_EINVAL. */
int fw_metric_check_classes(const char *name, size_t n_classes, fw_err *e);
/* Once the model is known: refuses a metric that needs probabilities
 * (log_loss, brier; roc_auc on more than 2 classes) when the model gives
 * only decision values (has_proba == 0). FW_OK or FW_EINVAL. */
int fw_metric_check_proba(const char *name, size_t n_classes, int has_proba, fw_err *e);

/* ---- curves for reports (binary: positive class vs rest) ---- */

/* A curve of n points, arrays malloc'd by the fw_*_curve functions; free
 * with fw_curve_free (which leaves the struct zeroed; NULL is accepted). */
typedef struct fw_curve {
    size_t n;
    double *x, *y;     /* ROC: fpr, tpr; PR: recall, precision; calibration: mean predicted, fraction positive */
    double *thr;       /* thresholds (ROC/PR), or bin counts (calibration) */
} fw_curve;

/* The inputs: y_true holds class codes (a row is positive when its code equals
 * `positive`), score / proba the positive class's n values, w weights or NULL.
 * fw_roc_curve is roc_curve(drop_intermediate=True) of scikit-learn 1.2 (the
 * first threshold is thr[1] + 1; rates are NaN, with a warning, when a class
 * has no weighted row). fw_pr_curve is precision_recall_curve, recall
 * decreasing; its last point (recall 0, precision 1) gets threshold +inf
 * where scikit-learn returns one threshold fewer. Each returns FW_OK,
 * FW_EINVAL (no rows, non-finite values, every weight zero) or FW_ENOMEM;
 * *out is empty on failure. */
int fw_roc_curve(const double *y_true, const double *score, const double *w, size_t n,
                 int positive, fw_curve *out, fw_err *e);
int fw_pr_curve(const double *y_true, const double *score, const double *w, size_t n,
                int positive, fw_curve *out, fw_err *e);
/* scikit-learn's calibration_curve(strategy="uniform", n_bins=bins): only
 * non-empty bins are returned; thr holds each bin's row count. Probabilities
 * outside [0, 1] or bins < 1 give FW_EINVAL. */
int fw_calibration_curve(const double *y_true, const double *proba, size_t n, int positive,
                         int bins, fw_curve *out, fw_err *e);
void fw_curve_free(fw_curve *c);

#endif /* FOLDWISE_METRICS_H */
