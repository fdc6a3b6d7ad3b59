/* prep.h: per-fold preprocessing, fitted on the training rows of a split
 * only and applied to its test rows, so nothing leaks across the split.
 *
 * Numeric columns: impute, then scale. Categorical columns: impute with the
 * most frequent level, then encode (one-hot with levels seen in training;
 * a level unseen at test time maps to all zeros; or ordinal codes).
 * Resampling (oversample, undersample, SMOTE) applies to training rows only,
 * after the transform, and never to the rows a split is scored on.
 */
#ifndef FOLDWISE_PREP_H
#define FOLDWISE_PREP_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "foldwise/core.h"
#include "foldwise/data.h"

enum { FW_IMPUTE_NONE = 0, FW_IMPUTE_MEAN, FW_IMPUTE_MEDIAN, FW_IMPUTE_MOST_FREQUENT };
enum { FW_SCALE_NONE = 0, FW_SCALE_STANDARD, FW_SCALE_MINMAX, FW_SCALE_ROBUST };
enum { FW_ENCODE_ONEHOT = 0, FW_ENCODE_ORDINAL };
enum { FW_RESAMPLE_NONE = 0, FW_RESAMPLE_OVER, FW_RESAMPLE_UNDER, FW_RESAMPLE_SMOTE };

/* Config `preprocess:`. */
typedef struct fw_prep_spec {
    int impute;
    int scale;
    int encode;
    int resample;
    int smote_k;      /* neighbours for SMOTE, default 5 (imblearn's) */
} fw_prep_spec;

/* Names as written in the config, indexed by the enums above (NULL-terminated). */
extern const char *const fw_impute_names[];
extern const char *const fw_scale_names[];
extern const char *const fw_encode_names[];
extern const char *const fw_resample_names[];

/* True when the spec changes nothing: models then read the shared dataset
 * directly through the training index set. */
int fw_prep_is_identity(const fw_prep_spec *s, const fw_dataset *d);

typedef struct fw_prep fw_prep;

/* Fit on rows[0..n) of d. */
int fw_prep_fit(const fw_prep_spec *s, const fw_dataset *d, const size_t *rows, size_t n,
                fw_prep **out, fw_err *e);
/* Output columns and their names (one-hot columns are "col=level"). */
size_t fw_prep_n_out(const fw_prep *p);
const char *fw_prep_out_name(const fw_prep *p, size_t j);
/* Transform rows[0..n) of d into out, an n x n_out column-major matrix
 * (caller-owned, ld = n). Rows keep their order. `d` may be another dataset
 * than the one fitted on (new rows at `foldwise predict` time): columns are
 * matched by name and categorical codes by level name, so a level the fit
 * never saw maps to all zeros (one-hot) or NaN (ordinal, then imputed). */
int fw_prep_transform(const fw_prep *p, const fw_dataset *d, const size_t *rows, size_t n,
                      double *out, fw_err *e);
void fw_prep_free(fw_prep *p);

/* Resample a transformed training set (X n x p column-major, ld = n).
 * Returns a new set in *X_out (n_out x p, ld = n_out), *y_out and *w_out
 * (NULL when w is NULL); the caller frees them. Original rows come first,
 * in order, followed by added rows (oversample, SMOTE); undersample keeps a
 * subset in original order. rng is the task's stream. */
int fw_prep_resample(const fw_prep_spec *s, gsl_rng *rng, const double *X, size_t n, size_t p,
                     const double *y, const double *w, size_t n_classes, double **X_out,
                     double **y_out, double **w_out, size_t *n_out, fw_err *e);

/* Serialise a fitted preprocessor (stored with the refitted model). */
int fw_prep_save(const fw_prep *p, fw_sb *out, fw_err *e);
int fw_prep_load(const void *buf, size_t n, fw_prep **out, fw_err *e);

#endif /* FOLDWISE_PREP_H */
