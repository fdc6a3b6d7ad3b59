/* cart_int.h: the CART tree builder shared by the tree, random_forest and
 * extra_trees models (internal to src/models, not API).
 *
 * Pieces:
 *   - fw_cart_codes: each feature of a split's training rows sorted once and
 *     replaced by the rank of its value among the distinct values ("codes").
 *     It is the ctx->cache entry (kind fw_cart_cache_kind, freed by
 *     fw_cart_cache_free), shared by every tree and configuration fitted on
 *     the same rows of the same matrix.
 *   - fw_cart_build: one tree, depth first, scikit-learn's best splitter
 *     (exact search over the node's sorted codes) or random splitter
 *     (extra trees), on per-row weights (bootstrap counts enter as weights).
 *   - fw_cart_tree: the fitted tree, prediction, importances, save/load and
 *     describe() JSON in scikit-learn's tree_ conventions.
 *   - parameter helpers shared by the model files.
 */
#ifndef FOLDWISE_CART_INT_H
#define FOLDWISE_CART_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "foldwise/core.h"
#include "foldwise/model.h"

/* Consecutive values closer than this are one value (scikit-learn's
 * FEATURE_THRESHOLD), so a node whose values span less is constant. */
#define FW_CART_FEATURE_THRESHOLD 1e-7
/* Leaf when impurity <= this, and the min_impurity_decrease slack. */
#define FW_CART_EPSILON 2.220446049250313e-16

/* ---- codes: the cache entry --------------------------------------------- */

typedef struct fw_cart_codes {
    size_t n, p;          /* training rows (local index i = position in d->rows), features */
    /* p x n column-major: code[j * n + i] = 2 * rank + close, where rank
     * indexes feature j's distinct values and close = 1 when the next
     * distinct value is within FW_CART_FEATURE_THRESHOLD (so the split
     * search reads values only then); NaN has code 2 * n_unique[j]. */
    uint32_t *code;
    uint32_t *n_unique;   /* distinct non-NaN values per feature */
    size_t *vals_off;     /* p + 1 offsets into vals */
    double *vals;         /* feature j's distinct values, ascending, at vals + vals_off[j] */
    uint8_t *has_nan;     /* per feature: some training row is NaN */
    /* p x n: feature j's rows in code order (NaN last), as code << 32 | row;
     * NULL when p * n > FW_CART_PRESORT_MAX (the builder then sorts per node). */
    uint64_t *sorted;
} fw_cart_codes;

/* Largest p * n for which the split keeps presorted lists (8 bytes each,
 * in the cache and once more in each builder's workspace). */
#define FW_CART_PRESORT_MAX ((size_t)1 << 24)

/* The tag stored in fw_model_cache.kind for a codes entry. */
extern const char fw_cart_cache_kind[];
/* Free a codes entry (the fw_model_cache free_entry). NULL is fine. */
void fw_cart_cache_free(void *entry);
/* The codes of d's training rows: from the cache slot when it holds them
 * for the same (split_key, rows, values), otherwise built, then stored in
 * the slot (cache may be NULL: then *owned receives them and the caller
 * frees it with fw_cart_cache_free). */
int fw_cart_codes_get(const fw_fit_data *d, uint64_t split_key, void *cache,
                      const fw_cart_codes **out, fw_cart_codes **owned, fw_err *e);

/* ---- parameters ---------------------------------------------------------- */

enum { FW_CART_GINI, FW_CART_ENTROPY, FW_CART_MSE, FW_CART_MAE };
enum { FW_CART_BEST, FW_CART_RANDOM };

typedef struct fw_cart_params {
    int criterion;                /* FW_CART_GINI ... */
    int splitter;                 /* FW_CART_BEST / FW_CART_RANDOM */
    size_t max_depth;             /* SIZE_MAX = none */
    size_t min_samples_split;     /* resolved counts */
    size_t min_samples_leaf;
    size_t max_features;          /* resolved count, 1..p */
    double min_impurity_decrease;
} fw_cart_params;

/* Schema entries shared by the three models (names as scikit-learn's). */
extern const char *const fw_cart_criteria[];     /* auto gini entropy log_loss squared_error absolute_error */
extern const char *const fw_cart_none[];         /* {"none"} */
extern const char *const fw_cart_max_features[]; /* none auto sqrt log2 */

#define FW_CART_SPEC_CRITERION                                                                 \
    {.name = "criterion", .kind = FW_PARAM_CHOICE, .def_choice = "auto",                       \
     .choices = fw_cart_criteria,                                                              \
     .help = "split quality: gini|entropy|log_loss (classes), squared_error|absolute_error "   \
             "(regression); auto = gini / squared_error"}
#define FW_CART_SPEC_MAX_DEPTH                                                                 \
    {.name = "max_depth", .kind = FW_PARAM_INT, .def_choice = "none", .lo = 1, .hi = 100000,   \
     .choices = fw_cart_none, .help = "maximum depth (none = grow until pure)"}
#define FW_CART_SPEC_MIN_SPLIT                                                                 \
    {.name = "min_samples_split", .kind = FW_PARAM_REAL, .def = 2, .lo = 0, .hi = 1e15,        \
     .flags = FW_PARAM_LO_OPEN,                                                                \
     .help = "rows needed to split a node: a count >= 2, or a fraction <= 1 of the rows"}
#define FW_CART_SPEC_MIN_LEAF                                                                  \
    {.name = "min_samples_leaf", .kind = FW_PARAM_REAL, .def = 1, .lo = 0, .hi = 1e15,         \
     .flags = FW_PARAM_LO_OPEN,                                                                \
     .help = "rows needed in each leaf: a count >= 1, or a fraction < 1 of the rows"}
#define FW_CART_SPEC_MAX_FEATURES(def)                                                         \
    {.name = "max_features", .kind = FW_PARAM_REAL, .def_choice = def, .lo = 0, .hi = 1e9,     \
     .flags = FW_PARAM_LO_OPEN, .choices = fw_cart_max_features,                               \
     .help = "features tried per split: none (all), sqrt, log2, a fraction <= 1 or a "        \
             "count > 1; auto = sqrt (classes) / all (regression)"}
#define FW_CART_SPEC_MIN_DECREASE                                                              \
    {.name = "min_impurity_decrease", .kind = FW_PARAM_REAL, .def = 0, .lo = 0, .hi = 1e300,   \
     .help = "split only when the weighted impurity decrease reaches this"}

/* Resolve the shared parameters of cfg (looked up by name in t's schema)
 * for data of `info` shape. Refuses impossible values with a message
 * naming the parameter. n_rows is the training row count fractions refer
 * to. */
int fw_cart_params_resolve(const fw_model_type *t, const fw_pval *cfg, int task,
                           size_t n_features, size_t n_rows, fw_cart_params *out, fw_err *e);
/* The same checks without data rows (for a model's check method). */
int fw_cart_params_check(const fw_model_type *t, const fw_pval *cfg, const fw_model_info *info,
                         fw_err *e);

/* ---- the fitted tree ------------------------------------------------------ */

/* Node for prediction: 16 bytes. A split sends x to the left child when
 * x <= threshold; NaN goes left when bit 31 of `child` is set. The right
 * child is left + 1. feature < 0 marks a leaf. */
typedef struct fw_cart_node {
    double threshold;
    int32_t feature;
    uint32_t child;
} fw_cart_node;

#define FW_CART_MISSING_LEFT 0x80000000u

typedef struct fw_cart_tree {
    size_t n_nodes, cap;
    size_t width;         /* classes, or 1 */
    fw_cart_node *node;
    double *value;        /* n_nodes x width: weighted class counts, or the node's prediction */
    double *impurity;
    double *wn;           /* weighted rows */
    uint32_t *n_samples;  /* rows (distinct, nonzero weight) */
    uint32_t depth;
} fw_cart_tree;

void fw_cart_tree_free(fw_cart_tree *t);

/* Leaf reached by one row given as a contiguous feature vector. */
static inline size_t fw_cart_leaf(const fw_cart_tree *t, const double *x)
{
    const fw_cart_node *nd = t->node;
    size_t i = 0;
    while (nd[i].feature >= 0) {
        double v = x[nd[i].feature];
        uint32_t c = nd[i].child;
        int left = isnan(v) ? (c & FW_CART_MISSING_LEFT) != 0 : v <= nd[i].threshold;
        i = (c & ~FW_CART_MISSING_LEFT) + (size_t)!left;
    }
    return i;
}

/* Rows first .. first+n-1 of the list `rows` (of X itself when rows is
 * NULL) as a row-major n x X->n_cols block. */
void fw_cart_gather_rows(const fw_matrix *X, const size_t *rows, size_t first, size_t n,
                         double *out);
/* Unnormalised impurity-based importances added into out (p values):
 * sum over splits of wn*imp - wn_l*imp_l - wn_r*imp_r, divided by the root's
 * wn, then normalised to sum 1 (left at 0 for a single-leaf tree).
 * Returns 1 when the tree has a split. */
int fw_cart_tree_importances(const fw_cart_tree *t, size_t p, double *out);
/* FW_EINVAL with a message unless a model fitted on p columns is asked
 * about n_cols. */
int fw_cart_check_cols(const char *model, size_t p, size_t n_cols, fw_err *e);
/* Append the tree to a save buffer / read it back from [*p, end). */
void fw_cart_tree_save(const fw_cart_tree *t, fw_sb *out);
int fw_cart_tree_load(fw_cart_tree *t, const char **p, const char *end, fw_err *e);
/* Append the tree as JSON: nodes in depth-first preorder (scikit-learn's
 * numbering), arrays named as scikit-learn's tree_ attributes. */
void fw_cart_tree_describe(const fw_cart_tree *t, fw_sb *out);
/* Append n numbers as a JSON array. */
void fw_cart_json_array(fw_sb *out, const double *v, size_t n);
/* Bounded byte reader for load functions. */
int fw_cart_read(const char **p, const char *end, void *dst, size_t n);

/* ---- building ----------------------------------------------------------- */

/* What one tree is fitted on (local row index i in [0, codes->n)). */
typedef struct fw_cart_data {
    const fw_cart_codes *codes;
    int task;
    size_t k;               /* classes (classification); 1 for regression */
    const uint32_t *ycls;   /* classification: class of row i */
    const double *y;        /* regression: target of row i */
    const uint32_t *yrank;  /* absolute_error: rank of y[i] among the rows (ties by i) */
} fw_cart_data;

typedef struct fw_cart_work fw_cart_work;

/* A reusable workspace for trees on data of this shape. NULL when out of memory. */
fw_cart_work *fw_cart_work_alloc(size_t n, size_t p, size_t k);
void fw_cart_work_free(fw_cart_work *w);

/* Fit one tree on the rows with w[i] > 0 (w has codes->n entries; a
 * bootstrap count is a weight). rng draws features and thresholds (may be
 * NULL for the best splitter with max_features = all). On failure *out is
 * left safe to free. */
int fw_cart_build(const fw_cart_data *d, const fw_cart_params *prm, const double *w,
                  gsl_rng *rng, fw_cart_work *wk, fw_cart_tree *out, fw_err *e);

/* Per-model set-up shared by tree and forests: codes, class codes, ranks,
 * base weights (sample weight x class weight) of d's training rows. */
typedef struct fw_cart_fitdata {
    fw_cart_data cd;
    fw_cart_codes *owned;   /* codes built for this fit only (no cache) */
    uint32_t *ycls;
    double *y;
    uint32_t *yrank;
    double *w;              /* base weight per local row */
} fw_cart_fitdata;

/* class_weight: 0 none, 1 balanced (over the training rows). */
int fw_cart_fitdata_init(fw_cart_fitdata *fd, const fw_fit_data *d, int criterion,
                         int class_weight, uint64_t split_key, void *cache, fw_err *e);
void fw_cart_fitdata_free(fw_cart_fitdata *fd);

#endif /* FOLDWISE_CART_INT_H */
