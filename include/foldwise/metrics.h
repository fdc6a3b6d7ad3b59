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
 * holds the predicted values and score is NULL. */
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
} fw_metric_type;

extern const fw_metric_type *const fw_metrics[];  /* NULL-terminated */
/* Find by name; also resolves parametrised names such as precision_at_10. */
const fw_metric_type *fw_metric_find(const char *name);
/* Evaluate metric `name` (parametrised names allowed). */
int fw_metric_eval(const char *name, const fw_metric_input *in, double *out, unsigned *warn,
                   fw_err *e);
/* Check a metric list against the task (and, when known, whether the models
 * give probabilities). Error names the metric and suggests a close name. */
int fw_metric_check(const char *name, int task, fw_err *e);

/* ---- curves for reports (binary: positive class vs rest) ---- */

typedef struct fw_curve {
    size_t n;
    double *x, *y;     /* ROC: fpr, tpr; PR: recall, precision; calibration: mean predicted, fraction positive */
    double *thr;       /* thresholds (ROC/PR), or bin counts (calibration) */
} fw_curve;

int fw_roc_curve(const double *y_true, const double *score, const double *w, size_t n,
                 int positive, fw_curve *out, fw_err *e);
int fw_pr_curve(const double *y_true, const double *score, const double *w, size_t n,
                int positive, fw_curve *out, fw_err *e);
/* scikit-learn's calibration_curve with `bins` uniform bins. */
int fw_calibration_curve(const double *y_true, const double *proba, size_t n, int positive,
                         int bins, fw_curve *out, fw_err *e);
void fw_curve_free(fw_curve *c);

#endif /* FOLDWISE_METRICS_H */
