/* split.h: cross-validation splitters.
 *
 * A splitter turns (spec, rows, roles, seed) into a list of folds, each a
 * pair of index sets (training rows, test rows) holding dataset row indices,
 * never copies of rows. Folds are numbered as scikit-learn numbers them:
 * fold i = repeat * k + split. Each splitter is one file exporting one
 * `const fw_splitter_type` and one line in src/split/registry.c.
 *
 * Nested CV calls the same splitters on the training rows of an outer fold:
 * `in->rows` then lists those rows and the result indexes the dataset, not
 * the subset.
 */
#ifndef FOLDWISE_SPLIT_H
#define FOLDWISE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"

/* Config `cv.outer` / `cv.inner`. Unset numbers are 0 / NaN and get the
 * splitter's defaults in fw_split_check. */
typedef struct fw_split_spec {
    char kind[40];     /* kfold, stratified_kfold, group_kfold, ... */
    int k;             /* folds (or splits for shuffle_split / time_series); default 5 */
    int repeats;       /* default 1 */
    int shuffle;       /* -1 unset; kfold default 0, shuffle_split always shuffles */
    double test_size;  /* shuffle_split / holdout: fraction (0,1) or count >= 1; NaN = default */
    int gap;           /* time_series */
    long max_train;    /* time_series, 0 = unlimited */
    /* Config path of this spec, for messages ("cv.outer", "cv.inner");
     * "" = "cv.outer". Added by the split layer. */
    char key[32];
} fw_split_spec;

/* What a splitter may need from the data. Arrays are indexed by dataset row. */
typedef struct fw_split_input {
    size_t n;              /* number of rows to split */
    const size_t *rows;    /* the rows (NULL = 0..n-1) */
    const double *y;       /* class codes (stratified kinds), or NULL */
    size_t n_classes;      /* 0 = regression target (stratified kinds refuse it) */
    const int32_t *group;  /* group code per row, or NULL */
    size_t n_groups;
    const double *time;    /* ordering value per row, or NULL (then row order) */
    const int32_t *fold;   /* predefined fold per row, -1 = always train, or NULL */
} fw_split_input;

typedef struct fw_fold {
    size_t n_train, n_test;
    size_t *train;     /* ascending dataset row indices */
    size_t *test;      /* ascending dataset row indices */
} fw_fold;

typedef struct fw_splits {
    size_t n_folds;    /* = repeats * k for k-fold kinds */
    size_t k;          /* folds per repeat */
    size_t repeats;
    fw_fold *folds;
} fw_splits;

/* Capability flags a splitter declares. */
enum {
    FW_SPLIT_NEEDS_CLASSES = 1u << 0, /* stratified: classification only */
    FW_SPLIT_NEEDS_GROUPS = 1u << 1,  /* data.groups */
    FW_SPLIT_NEEDS_TIME = 1u << 2,    /* uses data.time if given */
    FW_SPLIT_NEEDS_FOLD = 1u << 3,    /* data.fold */
    FW_SPLIT_PARTITION = 1u << 4,     /* every row tested exactly once per repeat */
    FW_SPLIT_RANDOM = 1u << 5,        /* uses the seed */
};

typedef struct fw_splitter_type {
    const char *name;
    const char *summary;
    unsigned flags;
    /* Validate the spec against the input before any work (k too large,
     * missing roles, ...); fill defaults into *spec. */
    int (*check)(fw_split_spec *spec, const fw_split_input *in, fw_err *e);
    /* Make the folds. `seed` is the run seed mixed with the split's key; the
     * same seed gives the same folds. */
    int (*split)(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                 fw_splits *out, fw_err *e);
} fw_splitter_type;

/* NULL-terminated registry. */
extern const fw_splitter_type *const fw_splitters[];
/* The splitter called `name`, or NULL. */
const fw_splitter_type *fw_splitter_find(const char *name);

/* Look up, check and split in one call. Warnings (for example a class with
 * fewer members than k) go to the log. Fills *out (the caller frees it with
 * fw_splits_free); on failure returns a code, fills *e (an unknown kind gets
 * a "did you mean" suggestion) and leaves *out empty (nothing to free).
 * Checking a spec whose defaults were already filled gives the same spec, so
 * one spec can be reused for every outer fold of a nested run. */
int fw_split_make(fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                  fw_splits *out, fw_err *e);
/* Free the index sets and zero *s; NULL and an empty *s are fine. */
void fw_splits_free(fw_splits *s);

#endif /* FOLDWISE_SPLIT_H */
