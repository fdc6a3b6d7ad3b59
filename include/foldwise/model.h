/* model.h: the model interface and its registry.
 *
 * A model is one file in src/models/ exporting one `const fw_model_type`
 * filled with designated initialisers, plus one line in
 * src/models/registry.c. The type carries the model's name, capabilities,
 * hyperparameter schema (names as scikit-learn's where the meaning is the
 * same; foldwise's n_trees, n_iter, max_leaves, k across models), and the
 * methods below. State is opaque: the caller allocates `state_size` zeroed
 * bytes, `fit` fills them, `free_state` releases what fit allocated inside.
 *
 * Data reach a model as a column-major matrix plus an index set of training
 * rows: with no preprocessing that is the shared dataset itself, with
 * preprocessing a per-task transformed copy. A fit writes nothing outside
 * its own state. Every iterative fit polls ctx->deadline once per iteration
 * (or per tree, per pass) and returns FW_ETIMEOUT when it has passed, so a
 * task timeout works for every model.
 */
#ifndef FOLDWISE_MODEL_H
#define FOLDWISE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "foldwise/core.h"

/* ---- hyperparameters -------------------------------------------------- */

typedef enum fw_param_kind {
    FW_PARAM_REAL,    /* a number in [lo, hi]                                  */
    FW_PARAM_INT,     /* an integer in [lo, hi]                                */
    FW_PARAM_CHOICE,  /* one of `choices`                                      */
    FW_PARAM_BOOL     /* true / false (num 1 / 0)                              */
} fw_param_kind;

enum {
    FW_PARAM_LOG = 1u << 0,      /* naturally searched on a log scale (C, alpha)  */
    FW_PARAM_LO_OPEN = 1u << 1,  /* lo itself is not allowed (C > 0)              */
    FW_PARAM_HI_OPEN = 1u << 2,
};

typedef struct fw_param_spec {
    const char *name;
    fw_param_kind kind;
    double def;                  /* default number (REAL/INT/BOOL)              */
    const char *def_choice;      /* default named value, or NULL (then `def`)    */
    double lo, hi;               /* numeric range, inclusive unless *_OPEN      */
    /* CHOICE: the allowed names. REAL/INT: extra named values also allowed
     * (e.g. max_depth "none", max_features "sqrt"). NULL-terminated. */
    const char *const *choices;
    unsigned flags;
    const char *help;
} fw_param_spec;

/* One parameter value: a named choice (choice >= 0, an index into the
 * spec's choices) or a number (choice = -1). A configuration is an array of
 * fw_pval in schema order, every parameter filled (defaults included). */
typedef struct fw_pval {
    double num;
    int choice;
} fw_pval;

/* ---- data seen by a model --------------------------------------------- */

/* Column-major matrix view: element (i, j) is data[j * ld + i]. */
typedef struct fw_matrix {
    const double *data;
    size_t ld;       /* rows of storage */
    size_t n_cols;
} fw_matrix;

static inline double fw_mat_at(const fw_matrix *m, size_t i, size_t j)
{
    return m->data[j * m->ld + i];
}

typedef struct fw_fit_data {
    fw_matrix X;
    const size_t *rows;      /* training rows (indices into X's rows) */
    size_t n;
    const double *y;         /* indexed like X's rows: class code or value */
    const double *w;         /* sample weights indexed like y, or NULL */
    int task;                /* FW_TASK_CLASSIFICATION / FW_TASK_REGRESSION (data.h) */
    size_t n_classes;        /* classification: classes of the whole dataset */
    const char *const *col_names;  /* n_cols names, or NULL */
} fw_fit_data;

/* What the executor gives a fit, and what the fit reports back. */
typedef struct fw_fit_ctx {
    const fw_deadline *deadline;
    gsl_rng *rng;            /* this task's stream, seeded from (seed, task key) */
    uint64_t seed;           /* the run seed */
    uint64_t split_key;      /* identity of the training rows (split, fraction):
                                models that key sub-streams (tree t of a forest)
                                mix this with their own parameters */
    /* Members: a model with FW_CAP_MEMBERS fits only members [member_lo,
     * member_hi) (trees of a forest) when member_hi > 0. */
    size_t member_lo, member_hi;
    /* Shared per-worker cache (binned/sorted features of a split), or NULL.
     * When set it points to an fw_model_cache (below), owned by the
     * executor; a model may store one entry keyed on split_key. */
    void *cache;
    /* Reported by the fit: */
    int n_iter;              /* iterations (or epochs, rounds) used */
    int converged;           /* 1 yes, 0 stopped at max_iter, -1 not iterative */
    double final_gap;        /* final gradient norm / duality gap, NaN if n/a */
    char warning[256];       /* e.g. "reached max_iter=100 before tol" */
} fw_fit_ctx;

/* ---- the model type --------------------------------------------------- */

enum {
    FW_CAP_CLASSIFY = 1u << 0,
    FW_CAP_REGRESS = 1u << 1,
    FW_CAP_MULTICLASS = 1u << 2,   /* more than two classes                    */
    FW_CAP_PROBA = 1u << 3,        /* predict gives probabilities              */
    FW_CAP_MISSING = 1u << 4,      /* NaN in features handled natively         */
    FW_CAP_WEIGHTS = 1u << 5,      /* sample weights honoured                  */
    FW_CAP_PATH = 1u << 6,         /* fit_predict_path shares work             */
    FW_CAP_MEMBERS = 1u << 7,      /* can be fitted in member blocks (forests) */
    FW_CAP_RANDOM = 1u << 8,       /* uses ctx->rng                            */
    FW_CAP_IMPORTANCE = 1u << 9,   /* importances() available                  */
    FW_CAP_TEST_ONLY = 1u << 10,   /* hidden from `foldwise models` (tests)    */
    FW_CAP_ITERATIVE = 1u << 11,   /* polls ctx->deadline; FW_ETIMEOUT when hit */
};

typedef struct fw_model_info {
    int task;
    size_t n_classes;
    size_t n_features;
    size_t n_train;
} fw_model_info;

typedef struct fw_model_type {
    const char *name;
    const char *summary;           /* one line for `foldwise models` */
    unsigned caps;
    const fw_param_spec *params;
    size_t n_params;
    size_t state_size;

    /* Cross-parameter checks before any work (ranges are checked generically
     * from the schema). NULL = nothing more to check. */
    int (*check)(const fw_pval *cfg, const fw_model_info *info, fw_err *e);

    /* Fit on d->rows. Returns FW_OK, or a code with a message in *e; a
     * failed fit leaves state safe to free. */
    int (*fit)(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
               fw_err *e);

    /* Predict rows of X into out: classification n x n_classes row-major
     * (probabilities with FW_CAP_PROBA, decision values otherwise);
     * regression n values. */
    int (*predict)(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                   double *out, fw_err *e);

    /* Optional (FW_CAP_PATH): fit every configuration of a batch that differ
     * only in `path_param`, sharing work (one SVD for every ridge alpha, a
     * warm-started C path, one forest scored at several sizes), and write
     * configuration c's predictions on rows `eval` into out[c]. ctx[c] and
     * errs[c] receive each configuration's report; the return value is
     * FW_OK unless the whole batch failed. Results must equal, within the
     * solver tolerance, fitting each configuration alone. */
    const char *path_param;
    int (*fit_predict_path)(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                            const fw_matrix *X, const size_t *eval, size_t n_eval,
                            double *const *out, fw_fit_ctx *ctx, fw_err *errs);

    /* Serialise a fitted state (for `foldwise predict`) and read it back. */
    int (*save)(const void *state, fw_sb *out, fw_err *e);
    int (*load)(void *state, const void *buf, size_t n, fw_err *e);

    /* Optional: per-feature importances (n_cols values summing to 1). */
    int (*importances)(const void *state, double *out, size_t n_cols, fw_err *e);
    /* Optional: the out-of-bag score of a fitted bagged model (scikit-learn's
     * oob_score_: accuracy or R^2), NaN when it was not computed. */
    double (*oob_score)(const void *state);

    /* Optional: the fitted model as a JSON object (coefficients and
     * intercepts, tree structure, iterations), for reports and parity
     * tests. Appends to out. */
    int (*describe)(const void *state, fw_sb *out, fw_err *e);

    /* Optional: a complexity score for refit `one_se` (lower = simpler),
     * e.g. 1/C for logreg, alpha negated for ridge, depth for trees. */
    double (*complexity)(const fw_pval *cfg);

    /* Release what fit or load allocated inside state (not state itself). */
    void (*free_state)(void *state);

    /* Members (FW_CAP_MEMBERS; see "member blocks" below). predict_part
     * writes the state's members' contribution for each row as an exact
     * fixed-point part (FW_PART_WIDTH(w) doubles per row, w = n_classes for
     * classification, 1 for regression). combine turns the sum of the parts
     * of members [0, n_members) (fw_part_add) into exactly what `predict` of
     * the whole model writes. */
    int (*predict_part)(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                        double *part, fw_err *e);
    int (*combine)(const fw_model_info *info, const double *part, size_t n, size_t n_members,
                   double *out, fw_err *e);
} fw_model_type;

extern const fw_model_type *const fw_models[];  /* NULL-terminated registry */
const fw_model_type *fw_model_find(const char *name);

/* ---- helpers over the schema ------------------------------------------ */

/* Index of a parameter by name, or -1. */
long fw_param_index(const fw_model_type *m, const char *name);
/* Fill cfg (m->n_params values) with the defaults. */
void fw_param_defaults(const fw_model_type *m, fw_pval *cfg);
/* Parse a value given as text (from YAML or --set) into *v, checking kind
 * and range. Errors name the model and parameter. */
int fw_param_parse(const fw_model_type *m, size_t idx, const char *text, fw_pval *v, fw_err *e);
/* Check a numeric value against the spec (kind and range). */
int fw_param_check_value(const fw_model_type *m, size_t idx, const fw_pval *v, fw_err *e);
/* Text form of a value ("0.1", "l2", "none") into buf. */
void fw_param_format(const fw_model_type *m, size_t idx, const fw_pval *v, char *buf, size_t n);
/* The name of a CHOICE value (or named numeric value), or NULL for a number. */
const char *fw_param_choice_name(const fw_model_type *m, size_t idx, const fw_pval *v);

/* ---- a fitted model instance ------------------------------------------ */

typedef struct fw_model {
    const fw_model_type *type;
    fw_pval *cfg;
    void *state;
    size_t n_cols;       /* columns it was fitted on */
    size_t n_classes;
    int task;
} fw_model;

/* Allocate an unfitted model with configuration cfg (copied). */
fw_model *fw_model_alloc(const fw_model_type *t, const fw_pval *cfg);
/* Fit through the type, after the checks every model shares: no training
 * rows, NaN in features for a model without FW_CAP_MISSING (the error names
 * the column and row and points to preprocess.impute), an expired deadline. */
int fw_model_fit(fw_model *m, const fw_fit_data *d, fw_fit_ctx *ctx, fw_err *e);
/* Predict through the type; NaN checks as for fit. */
int fw_model_predict(const fw_model *m, const fw_matrix *X, const size_t *rows, size_t n,
                     double *out, fw_err *e);
/* The first NaN among rows of X: 1 and its position, or 0. */
int fw_matrix_find_nan(const fw_matrix *X, const size_t *rows, size_t n, size_t *row,
                       size_t *col);
void fw_model_free(fw_model *m);

/* A zeroed fit context with a deadline and rng (converged = -1, final_gap = NaN). */
void fw_fit_ctx_init(fw_fit_ctx *ctx, const fw_deadline *deadline, gsl_rng *rng);

/* Class weights: "balanced" as scikit-learn computes them,
 * n_samples / (n_present * count_c) over the training rows, where n_present
 * counts the classes present in the rows (sample weights play no part, as in
 * scikit-learn). out has n_classes entries; absent classes get weight 0. */
void fw_class_weights_balanced(const double *y, const size_t *rows, size_t n,
                               size_t n_classes, double *out);

/* d with its sample weights multiplied by the balanced class weights of its
 * training rows (scikit-learn's sample_weight * compute_sample_weight(
 * "balanced", y)), for models that read weights through d->w. *out is a
 * copy of d whose w points to *wbuf (indexed like d->y, set on the training
 * rows only); the caller frees *wbuf. FW_ENOMEM with a message naming
 * `model` on failure (then *wbuf is NULL). */
int fw_fit_data_balance(const fw_fit_data *d, fw_fit_data *out, double **wbuf,
                        const char *model, fw_err *e);

/* ---- member blocks (FW_CAP_MEMBERS) ---------------------------------- *
 * A fit with ctx->member_hi > 0 fits members [member_lo, member_hi) only
 * (trees of a forest); member t is the same whichever block fits it (its
 * random stream is keyed on t, not on the block). To predict a model fitted
 * in blocks, the runner calls predict_part on each block's state for the
 * same rows, adds the parts with fw_part_add (in any grouping and order:
 * the sum is exact), and calls the type's combine with the total number of
 * members. The result is bit-identical to predict of the whole model.
 *
 * A part row is 1 + 2w doubles: the exponent q, then for each output the
 * high and low 32-bit halves (hi, lo with 0 <= lo < 2^32) of a signed 64-bit
 * integer s, the sum being s * 2^q. Every entry is an integer that a double
 * holds exactly, so parts survive the journal, HDF5 and "%.17g" text. */
#define FW_PART_WIDTH(w) (1 + 2 * (size_t)(w))

/* Write sums s[0..w) with exponent q into one part row. */
void fw_part_encode(double *row, int q, const int64_t *s, size_t w);
/* Read one part row back; FW_EINVAL if it is not a valid part row. */
int fw_part_decode(const double *row, size_t w, int *q, int64_t *s);
/* Zero n part rows of width w (a neutral start for fw_part_add). */
void fw_part_zero(double *part, size_t n, size_t w);
/* acc += part, row by row (n rows of width w). Exact and associative.
 * FW_EINVAL (with a message) when exponents differ between non-zero rows,
 * a row is malformed, or a sum overflows 64 bits. */
int fw_part_add(double *acc, const double *part, size_t n, size_t w, fw_err *e);

/* ---- the per-worker cache --------------------------------------------- *
 * Work a model can share between fits on the same training rows (the trees'
 * presorted features). The executor keeps one zeroed fw_model_cache per
 * worker, passes its address as ctx->cache, and calls fw_model_cache_clear
 * when the worker ends (or to bound memory). A model checks `kind` (the
 * address of a tag it owns) and `key` (a fingerprint of split_key, rows and
 * data); on a mismatch it clears the slot and stores its own entry. Entries
 * are read-only once stored. */
typedef struct fw_model_cache {
    const void *kind;
    uint64_t key;
    void *entry;
    void (*free_entry)(void *entry);
} fw_model_cache;

/* Release the slot's entry (if any) and zero the slot. c may be NULL. */
void fw_model_cache_clear(fw_model_cache *c);

#endif /* FOLDWISE_MODEL_H */
