/* metrics_int.h: helpers shared by the metric files (not API).
 *
 * Summation, averaging and sorting here reproduce the order numpy and
 * scikit-learn use, so that foldwise's scores agree with theirs to the last
 * bit or within a few ulps: numpy's pairwise summation, np.average,
 * np.argsort(kind="mergesort") and scikit-learn's _binary_clf_curve.
 */
#ifndef FOLDWISE_METRICS_INT_H
#define FOLDWISE_METRICS_INT_H

#include <stddef.h>

#include "foldwise/metrics.h"

/* What a metric asks fw_metric_input_check to verify beyond the basics. */
enum {
    FW_MCHK_CLASSES = 1u << 0, /* y_true / y_pred are class codes 0..n_classes-1 */
    FW_MCHK_SCORE = 1u << 1,   /* score is present and finite */
    FW_MCHK_PROBA = 1u << 2,   /* score holds probabilities in [0, 1] */
    FW_MCHK_BINARY = 1u << 3,  /* n_classes == 2 */
    FW_MCHK_NOPRED = 1u << 4   /* y_pred is not used: do not check it */
};

/* Validate `in` for metric `name` (named in every message). Checks n > 0,
 * finite values, class codes, the positive class, scores and weights (finite,
 * not summing to zero, as np.average refuses). Returns FW_OK or FW_EINVAL. */
int fw_metric_input_check(const char *name, const fw_metric_input *in, unsigned what,
                          fw_err *e);

/* numpy's sum of n doubles `stride` apart (np.add.reduce on float64): chunks
 * of 8192 added in turn, each summed pairwise (8-way unrolled blocks of up to
 * 128, halves split at multiples of 8). */
double fw_metric_sum(const double *a, size_t n, size_t stride);
/* np.average(a, weights=w): sum(a) / n, or sum(a * w) / sum(w). `tmp` holds n
 * doubles of scratch when w is not NULL (may alias neither a nor w). */
double fw_metric_average(const double *a, const double *w, size_t n, double *tmp);
/* Same, allocating its own scratch; FW_ENOMEM on failure. */
int fw_metric_average_alloc(const double *a, const double *w, size_t n, double *out,
                            fw_err *e);

/* Stable merge sort of the indices 0..n-1 by key[i * stride], ascending, or
 * descending when `desc` (ties keep row order either way). Returns FW_OK or
 * FW_ENOMEM. */
int fw_metric_argsort(const double *key, size_t stride, size_t n, int desc, size_t *idx,
                      fw_err *e);

/* scikit-learn's _binary_clf_curve: rows with zero weight dropped, scores
 * sorted descending (np.argsort(kind="mergesort")[::-1], so ties are visited
 * in reverse row order), one point per distinct score: cumulative false and
 * true positives (weighted) and the score. Arrays are malloc'd, m entries. */
typedef struct fw_clf_points {
    size_t m;
    double *fps, *tps, *thr;
} fw_clf_points;

int fw_metric_clf_points(const double *y_true, const double *score, size_t stride,
                         const double *w, size_t n, int positive, fw_clf_points *p,
                         fw_err *e);
void fw_metric_clf_points_free(fw_clf_points *p);

/* Area under the ROC curve of the positive class: roc_curve with
 * drop_intermediate=True, then auc() (np.trapz). NaN when the kept rows hold
 * only one class. Returns FW_OK, FW_ENOMEM, or FW_EINVAL when the curve is
 * not monotone (negative weights). */
int fw_metric_binary_auc(const double *y_true, const double *score, size_t stride,
                         const double *w, size_t n, int positive, double *out, fw_err *e);
/* Non-interpolated average precision (step integral of the PR curve). */
int fw_metric_binary_ap(const double *y_true, const double *score, size_t stride,
                        const double *w, size_t n, int positive, double *out, fw_err *e);

/* The type of the two functions above. */
typedef int (*fw_metric_binary_fn)(const double *y_true, const double *score, size_t stride,
                                   const double *w, size_t n, int positive, double *out,
                                   fw_err *e);
/* A ranking metric from its binary form: fn on the positive class's column
 * (two classes), or the mean over the classes of fn(y_true == c, column c),
 * the one-vs-rest macro average (_average_binary_score, average="macro").
 * A NaN value sets FW_METRIC_WARN_UNDEFINED. */
int fw_metric_rank_score(const fw_metric_input *in, fw_metric_binary_fn fn, double *out,
                         unsigned *warn, fw_err *e);

/* scikit-learn's confusion_matrix(y_true, y_pred, sample_weight): L x L
 * over the L classes present in y_true or y_pred (unique_labels, sorted),
 * C[t * L + p], weights added in row order (coo_matrix.toarray's order).
 * *C is malloc'd (caller frees). FW_OK or FW_ENOMEM. */
int fw_metric_confusion(const fw_metric_input *in, double **C, size_t *L, fw_err *e);

/* How many distinct classes y_true holds (unweighted, as np.unique). */
int fw_metric_count_true_classes(const fw_metric_input *in, size_t *count, fw_err *e);

#endif /* FOLDWISE_METRICS_INT_H */
