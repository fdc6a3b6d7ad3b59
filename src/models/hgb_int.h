/* hgb_int.h: internals of the hist_gbdt model, shared by hgb.c (the model
 * type and the boosting loop), hgb_bin.c (binning and the per-worker cache),
 * hgb_tree.c (leaf-wise growth of one tree on histograms), hgb_loss.c
 * (losses, gradients, baselines) and hgb_io.c (predict, save/load,
 * describe). Not public API. */
#ifndef FOLDWISE_HGB_INT_H
#define FOLDWISE_HGB_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "foldwise/model.h"

/* ---- binned features ----------------------------------------------------- */

/* The training rows of a split, binned as scikit-learn's _BinMapper does.
 * Feature j has thr_off[j + 1] - thr_off[j] thresholds and
 * n_nonmiss[j] = thresholds + 1 bins for values; a value's code is the
 * number of thresholds strictly below it. A missing value's code is
 * n_nonmiss[j] (the slot right after the value bins, not scikit-learn's
 * fixed max_bins), so a feature's histogram is n_nonmiss[j] + 1 slots long
 * and a code indexes it directly. */
typedef struct fw_hgb_bins {
    size_t n, p;            /* rows (0..n-1, in the caller's row order), features */
    int max_bins;
    uint8_t *codes;         /* p columns of n codes                               */
    double *thr;            /* all thresholds; feature j's start at thr_off[j]     */
    size_t *thr_off;        /* p + 1 offsets into thr                             */
    uint16_t *n_nonmiss;    /* bins for values per feature                       */
    uint8_t *has_missing;   /* a training row of the feature is NaN               */
    size_t *hist_off;       /* p + 1 offsets of each feature's histogram slots    */
} fw_hgb_bins;

/* Bin rows[0..n) of X with at most max_bins value bins per feature.
 * Thresholds come from those rows only (a subsample of 200,000 of them drawn
 * with `sub` when there are more). Fills b (cleared first); on failure b is
 * left empty and safe to clear. */
int fw_hgb_bins_fit(fw_hgb_bins *b, const fw_matrix *X, const size_t *rows, size_t n,
                    int max_bins, gsl_rng *sub, fw_err *e);
/* Release what fw_hgb_bins_fit allocated in b; b may be all zeros. */
void fw_hgb_bins_clear(fw_hgb_bins *b);
/* Thresholds of n sorted, non-missing values (duplicates allowed) into out
 * (room for max_bins - 1): midpoints between distinct values when there are
 * at most max_bins of them, numpy's percentile(method="midpoint") at
 * linspace(0, 100, max_bins + 1)[1:-1] otherwise; clipped to 1e300.
 * Returns how many were written. */
size_t fw_hgb_thresholds(const double *sorted, size_t n, int max_bins, double *out);

/* ---- the per-worker cache -------------------------------------------------- */

/* The binned rows for a fit. With a cache slot (ctx->cache, an
 * fw_model_cache the executor owns), an entry of this model with the same
 * key is borrowed (*owned = 0); otherwise the rows are binned and stored in
 * the slot (replacing what it held), or, without a slot, returned for the
 * caller to release with fw_hgb_bins_free (*owned = 1). */
int fw_hgb_bins_get(void *ctx_cache, uint64_t key, const fw_matrix *X, const size_t *rows,
                    size_t n, int max_bins, gsl_rng *sub, const fw_hgb_bins **out,
                    int *owned, fw_err *e);
/* Release bins made by fw_hgb_bins_get (the cache's free_entry); accepts NULL. */
void fw_hgb_bins_free(void *bins);
/* The cache key of a fit's rows: mixes `base` (split key, seed, settings)
 * with the row indices and their feature values, so a stale entry is never
 * used. */
uint64_t fw_hgb_bins_key(uint64_t base, const fw_matrix *X, const size_t *rows, size_t n);

/* ---- fitted trees -------------------------------------------------------- */

/* A node of a fitted tree. Children are indices within the tree (-1 for a
 * leaf). A row goes left when its value is <= threshold, or when it is
 * missing and missing_left is set. */
typedef struct fw_hgb_node {
    double threshold;
    double value;           /* leaf: shrunk value added to the raw prediction */
    double gain;            /* split: loss reduction (for importances)         */
    uint32_t count;         /* training rows at the node                       */
    int32_t left, right;
    uint32_t feature;
    uint16_t bin;           /* split bin: codes <= bin go left                 */
    uint16_t depth;         /* capped at 65535                                  */
    uint8_t missing_left;
} fw_hgb_node;

/* A growable array of nodes holding every tree of a model. */
typedef struct fw_hgb_forest {
    fw_hgb_node *nodes;
    size_t n_nodes, cap_nodes;
    size_t *tree_off;       /* n_trees + 1 offsets into nodes */
    size_t n_trees, cap_trees;
} fw_hgb_forest;

void fw_hgb_forest_clear(fw_hgb_forest *f);
/* Raw value tree t gives row x (x[j] is feature j). */
double fw_hgb_tree_value(const fw_hgb_forest *f, size_t t, const double *x);

/* ---- growing one tree ------------------------------------------------------ */

typedef struct fw_hgb_tree_opts {
    size_t max_leaves;      /* 0 = no limit */
    size_t max_depth;       /* 0 = no limit */
    size_t min_samples_leaf;
    double l2;
    double shrinkage;
} fw_hgb_tree_opts;

typedef struct fw_hgb_grower fw_hgb_grower;

/* A grower over binned rows (borrowed; must outlive it). Workspaces grow on
 * the first trees and are reused after. NULL when out of memory. */
fw_hgb_grower *fw_hgb_grower_alloc(const fw_hgb_bins *b, const fw_hgb_tree_opts *o);
void fw_hgb_grower_free(fw_hgb_grower *g);
/* Grow one tree on per-row (gradient, hessian) pairs gh[2 i], gh[2 i + 1];
 * const_hess: every hessian is 1 (scikit-learn's constant-hessian path:
 * hessian sums are row counts). They are float32 as scikit-learn's;
 * histograms sum them in float64. Leaf values are -G / (H + l2) times the
 * shrinkage. */
int fw_hgb_grower_grow(fw_hgb_grower *gr, const float *gh, int const_hess, fw_err *e);
/* The leaves of the last tree: leaf i's rows are rows[0..n) (indices into
 * the binned rows); its value can be read and replaced. */
size_t fw_hgb_grower_n_leaves(const fw_hgb_grower *gr);
const uint32_t *fw_hgb_grower_leaf(const fw_hgb_grower *gr, size_t i, size_t *n);
double fw_hgb_grower_leaf_value(const fw_hgb_grower *gr, size_t i);
void fw_hgb_grower_set_leaf_value(fw_hgb_grower *gr, size_t i, double v);
/* Append the last tree to f (thresholds from the bins). */
int fw_hgb_grower_emit(const fw_hgb_grower *gr, fw_hgb_forest *f, fw_err *e);

/* One histogram slot: sums of gradients and hessians over a bin's rows, and
 * their count (a double: exact below 2^53, so subtraction stays exact). A
 * node's histograms are hist_off[p] slots, feature j's at hist_off[j]. */
typedef struct fw_hgb_hbin {
    double g, h, c;
} fw_hgb_hbin;

/* Sum rows idx[0..m) into hist (zeroed first). root: the rows are 0..m-1 in
 * order (idx unused). gh: per-row (gradient, hessian) pairs (hessians
 * skipped when const_hess); ogh: room for m pairs. */
void fw_hgb_hist_build(const fw_hgb_bins *b, const uint32_t *idx, size_t m, int root,
                       const float *gh, int const_hess, float *ogh, fw_hgb_hbin *hist);
/* big -= small, slot by slot. */
void fw_hgb_hist_subtract(fw_hgb_hbin *big, const fw_hgb_hbin *small, size_t len);

/* What split finding needs of a node. */
typedef struct fw_hgb_split_in {
    double sum_g, sum_h;    /* the node's sums                                   */
    double value;           /* its value (0 at the root, as scikit-learn)        */
    double n;               /* its rows                                          */
    double msl, l2;         /* min_samples_leaf, l2_regularization               */
    int const_hess;         /* hessian sums are counts                           */
} fw_hgb_split_in;

typedef struct fw_hgb_split {
    double gain, gl, hl;    /* gain (-1: none), left child's sums                */
    uint32_t feature, bin, n_left;
    int missing_left;
} fw_hgb_split;

/* The best split of a node from its histograms; ws has room for 2048
 * doubles. best->gain <= 0 when no split passes the constraints. minus (or
 * NULL): first hist -= minus, feature by feature (the subtraction trick,
 * done while the slots are in cache). */
void fw_hgb_find_split(const fw_hgb_bins *b, fw_hgb_hbin *hist, const fw_hgb_hbin *minus,
                       const fw_hgb_split_in *in, double *ws, fw_hgb_split *best);
/* A leaf's value before shrinkage: -g / (h + l2 + 1e-15). */
double fw_hgb_node_value(double g, double h, double l2);

/* Test switch: nonzero computes both children's histograms from their rows
 * instead of subtracting the smaller child's from the parent's. */
void fw_hgb_set_no_subtraction(int on);

/* ---- losses ------------------------------------------------------------------ */

enum { FW_HGB_LOG_LOSS, FW_HGB_SQUARED, FW_HGB_ABSOLUTE };

typedef struct fw_hgb_loss {
    int kind;
    size_t k;               /* raw values per row: 1, or n_classes for softmax */
    const double *y;        /* per training row (class code or target)        */
    const double *w;        /* per training row, or NULL                      */
    size_t n;
} fw_hgb_loss;

/* scikit-learn's fit_intercept_only: log-odds of the clipped prior (binary),
 * symmetric log priors (softmax), mean or median. base has k values. */
int fw_hgb_loss_baseline(const fw_hgb_loss *L, double *base, fw_err *e);
/* Gradients and hessians of every row at raw (k columns of n), computed in
 * float64 and stored as float32 pairs (scikit-learn's G_H_DTYPE): class c's
 * row i at gh[2 (c n + i)] and the next float. Constant hessians (no
 * weights, squared or absolute error) are written as 1. Returns the mean
 * (weighted) loss at raw. */
double fw_hgb_loss_grad(const fw_hgb_loss *L, const double *raw, float *gh);
/* Mean (weighted) loss at raw for rows y/w of length n (k columns of n). */
double fw_hgb_loss_value(int kind, size_t k, const double *y, const double *w, size_t n,
                         const double *raw);
/* Whether every hessian is 1. */
int fw_hgb_loss_const_hessian(const fw_hgb_loss *L);
/* Weighted median of v[0..n) with weights w (NULL = unweighted: numpy's median
 * then; scikit-learn's _weighted_percentile(50) with weights). Reorders v and w. */
double fw_hgb_median(double *v, double *w, size_t n);
/* Class probabilities (or the value) from raw values: k > 1 softmax, k == 1
 * with n_classes 2 logistic into out[0..2), regression copies. */
void fw_hgb_raw_to_out(const double *raw, size_t k, size_t n_classes, int task, double *out);

/* ---- the fitted model ------------------------------------------------------ */

typedef struct fw_hgb_state {
    int task, loss;
    size_t n_classes;       /* classification: the dataset's classes (output width) */
    size_t k;               /* trees per iteration: 1, or n_classes for softmax    */
    size_t p;               /* features                                            */
    size_t n_iter;          /* iterations kept; tree it * k + c is class c's        */
    int early_stopping;     /* 1 when an internal validation set was used          */
    int stopped;            /* early stopping ended the fit after n_iter iterations */
    double *base;           /* k baseline raw values                               */
    fw_hgb_forest forest;
    double *train_loss;     /* n_iter + 1 values: at the baseline, after each iter */
    double *val_loss;       /* the same on the validation rows, or NULL            */
} fw_hgb_state;

/* Raw values, then probabilities or values (width n_classes, or 1 for
 * regression) of rows[0..n) of X after each iteration count in cps[0..m)
 * (each in 1..n_iter), into outs[j]. */
int fw_hgb_predict_at(const fw_hgb_state *s, const fw_matrix *X, const size_t *rows, size_t n,
                      const size_t *cps, size_t m, double *const *outs, fw_err *e);

/* Methods of the model type living in hgb_io.c. */
int fw_hgb_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                   double *out, fw_err *e);
int fw_hgb_save(const void *state, fw_sb *out, fw_err *e);
int fw_hgb_load(void *state, const void *buf, size_t n, fw_err *e);
int fw_hgb_importances(const void *state, double *out, size_t n_cols, fw_err *e);
int fw_hgb_describe(const void *state, fw_sb *out, fw_err *e);
void fw_hgb_free(void *state);

#endif /* FOLDWISE_HGB_INT_H */
