/* prep_int.h: the fitted preprocessor's layout, shared by the files of the
 * preprocessing layer (not public API). */
#ifndef FOLDWISE_PREP_INT_H
#define FOLDWISE_PREP_INT_H

#include <stddef.h>

#include "foldwise/prep.h"

/* One input column as fitted. Numeric columns: a missing cell becomes
 * `fill` (NaN = left missing, impute none), then the scaler maps x to
 * (x - a) / b (standard, robust, none: a = 0, b = 1) or to x * a + b
 * (minmax, written as scikit-learn's MinMaxScaler computes it).
 * Categorical columns: codes index `levels` (the fitted dataset's level
 * names); `fill` is the code put in for a missing cell; one-hot writes
 * n_onehot columns, slot[code] (or -1 for a level unseen in training). */
typedef struct fw_prep_col {
    char *name;
    int categorical;
    size_t hint;         /* column index in the dataset fitted on */
    size_t out;          /* first output column */
    double fill;
    double a, b;
    size_t n_levels;
    char **levels;
    long *slot;          /* one-hot only: n_levels entries */
    size_t n_onehot;
} fw_prep_col;

struct fw_prep {
    fw_prep_spec spec;
    size_t n_cols;
    fw_prep_col *cols;
    size_t n_out;
    char **out_names;
};

/* impute.c: helpers over one column's training values: move the present
 * (non-NaN) values to the front and return their count; sort ascending;
 * the median of sorted values (mean of the two middle ones, as numpy). */
size_t fw_prep_compact(double *v, size_t n);
void fw_prep_sort(double *v, size_t m);
double fw_prep_median_sorted(const double *v, size_t m);

/* impute.c: the fill value of a numeric column from its training values
 * v[0..n) (NaN = missing; v is reordered). Returns 0 when no value is
 * present (the caller decides), 1 otherwise. */
int fw_prep_numeric_fill(int impute, double *v, size_t n, double *fill);
/* The most frequent code among codes[0..n) (NaN skipped) of a column with
 * n_levels levels, the smallest on ties; counts[] (n_levels, caller-owned)
 * receives the counts. Returns -1 when every code is missing. */
long fw_prep_mode_code(const double *codes, size_t n, size_t n_levels, size_t *counts);

/* scale.c: scaler parameters (a, b) from the imputed training values
 * v[0..n) (NaN skipped; v is reordered). */
void fw_prep_scale_fit(int scale, double *v, size_t n, double *a, double *b);
/* Apply the scaler to x. */
static inline double fw_prep_scale_apply(int scale, double a, double b, double x)
{
    return scale == FW_SCALE_MINMAX ? x * a + b : (x - a) / b;
}

/* encode.c: fit the encoding of a categorical column from its imputed
 * training counts (fills slot, n_onehot). Returns FW_OK or FW_ENOMEM. */
int fw_prep_encode_fit(fw_prep_col *c, int encode, const size_t *counts, fw_err *e);
/* Map the codes of dataset column `src` to fitted codes: map[code] is the
 * fitted code or -1. The caller frees *map. */
int fw_prep_level_map(const fw_prep_col *c, const fw_column *src, long **map, fw_err *e);
/* Write the encoded column for n codes (already mapped and imputed; NaN =
 * missing) into out (ld = n). */
void fw_prep_encode_write(const fw_prep_col *c, int encode, const double *codes, size_t n,
                          double *out);

/* resample.c: the rows of each class, order[start[c] .. start[c + 1]) in
 * original order. */
typedef struct fw_class_rows {
    size_t n_classes;
    size_t *start;
    size_t *order;
} fw_class_rows;

static inline size_t fw_prep_class_count(const fw_class_rows *cr, size_t c)
{
    return cr->start[c + 1] - cr->start[c];
}
/* The largest class count (largest != 0), or the smallest nonzero one. */
size_t fw_prep_extreme_count(const fw_class_rows *cr, int largest);

/* A resampled training set: X column-major n x p, y, w (NULL unweighted). */
typedef struct fw_resampled {
    double *X, *y, *w;
    size_t n;
} fw_resampled;
int fw_prep_resampled_alloc(fw_resampled *r, size_t n, size_t p, int weighted, fw_err *e);

/* smote.c: SMOTE over X (n x p column-major) into r. */
int fw_prep_smote(const double *X, size_t n, size_t p, const double *y, const double *w,
                  const fw_class_rows *cr, int k, gsl_rng *rng, fw_resampled *r, fw_err *e);

/* Release what a column holds (not the column itself). */
void fw_prep_col_clear(fw_prep_col *c);
/* Output names from the fitted columns (fills p->n_out, p->out_names). */
int fw_prep_name_outputs(fw_prep *p, fw_err *e);

#endif /* FOLDWISE_PREP_INT_H */
