/* stratified_group_kfold.c: k folds of whole groups that keep class shares
 * close to the whole's (scikit-learn 1.2's StratifiedGroupKFold).
 *
 * Greedy, as scikit-learn: groups in order of the standard deviation of
 * their class counts, largest first (a stable sort, so equal spreads keep
 * group code order, or the shuffled order when shuffling); each group goes
 * to the fold that minimises the mean over classes of the std over folds of
 * the fold's share of that class; within np.isclose of the best so far, the
 * fold with fewer rows wins, then the lower fold number.
 *
 * The unshuffled folds match scikit-learn's exactly, so the floating-point
 * sums are done in numpy's order (pairwise along contiguous axes, sequential
 * across folds): near-ties then compare the same way.
 *
 * Shuffled: scikit-learn 1.2 shuffles the rows of its group-by-class count
 * table but then maps the shuffled positions back to the unshuffled groups,
 * so its folds do not hold the counts it balanced. foldwise permutes the
 * groups themselves (one stream per repeat) before the stable sort. */
#include <math.h>
#include <stdlib.h>

#include "split/split_int.h"

/* numpy's pairwise sum (np.add.reduce along a contiguous axis). */
static double np_pairwise(const double *a, size_t n)
{
    return fw_np_pairwise(a, n, 1);
}

/* np.add.reduce across a non-contiguous axis: element after element. */
static double np_sequential(const double *a, size_t n)
{
    double s = a[0];
    for (size_t i = 1; i < n; i++)
        s += a[i];
    return s;
}

/* np.std (ddof 0) of a[0..n), summing with `sum`; d is scratch of n. */
static double np_std(const double *a, size_t n, double (*sum)(const double *, size_t), double *d)
{
    double m = sum(a, n) / (double)n;
    for (size_t i = 0; i < n; i++)
        d[i] = (a[i] - m) * (a[i] - m);
    return sqrt(sum(d, n) / (double)n);
}

/* np.isclose with its defaults (rtol 1e-5, atol 1e-8). */
static int np_isclose(double a, double b)
{
    if (!isfinite(a) || !isfinite(b))
        return a == b;
    return fabs(a - b) <= 1e-8 + 1e-5 * fabs(b);
}

typedef struct sgkf {
    size_t k, nc, ng;
    const double *ycnt;     /* rows per class */
    double *fold;           /* k x nc class counts per fold */
    double *col, *std, *d;  /* scratch: k, nc, max(k, nc) */
} sgkf;

/* Mean over classes of the std over folds of each fold's share of a class. */
static double sgkf_eval(sgkf *s)
{
    /* Across folds numpy sums one element at a time, except with one class,
     * where the (k, 1) array is contiguous along folds. */
    double (*across)(const double *, size_t) = s->nc == 1 ? np_pairwise : np_sequential;
    for (size_t c = 0; c < s->nc; c++) {
        for (size_t f = 0; f < s->k; f++)
            s->col[f] = s->fold[f * s->nc + c] / s->ycnt[c];
        s->std[c] = np_std(s->col, s->k, across, s->d);
    }
    return np_pairwise(s->std, s->nc) / (double)s->nc;
}

static size_t sgkf_best_fold(sgkf *s, const double *g)
{
    size_t best = 0;
    double min_eval = INFINITY, min_rows = INFINITY;
    for (size_t f = 0; f < s->k; f++) {
        double *row = s->fold + f * s->nc, rows = 0;
        for (size_t c = 0; c < s->nc; c++)
            row[c] += g[c];
        double ev = sgkf_eval(s);
        for (size_t c = 0; c < s->nc; c++) {
            row[c] -= g[c];
            rows += row[c];
        }
        if (ev < min_eval || (np_isclose(ev, min_eval) && rows < min_rows)) {
            min_eval = ev;
            min_rows = rows;
            best = f;
        }
    }
    return best;
}

typedef struct spread {
    double neg_std;
    size_t rank, id;
} spread;

static int spread_cmp(const void *a, const void *b)
{
    const spread *x = a, *y = b;
    if (x->neg_std != y->neg_std)
        return x->neg_std < y->neg_std ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Group order: by -std of the group's class counts, stable over `ids`. */
static void sgkf_order(const sgkf *s, const double *gy, size_t *ids, spread *sp)
{
    for (size_t i = 0; i < s->ng; i++) {
        const double *g = gy + ids[i] * s->nc;
        sp[i] = (spread){-np_std(g, s->nc, np_pairwise, s->d), i, ids[i]};
    }
    qsort(sp, s->ng, sizeof *sp, spread_cmp);
}

static int sgkf_assign(sgkf *s, const double *gy, gsl_rng *r, int32_t *gfold)
{
    size_t *ids = malloc(s->ng * sizeof *ids);
    spread *sp = malloc(s->ng * sizeof *sp);
    if (!ids || !sp) {
        free(ids);
        free(sp);
        return FW_ENOMEM;
    }
    for (size_t g = 0; g < s->ng; g++)
        ids[g] = g;
    if (r)
        fw_shuffle(r, ids, s->ng);
    sgkf_order(s, gy, ids, sp);
    for (size_t i = 0; i < s->ng; i++) {
        const double *g = gy + sp[i].id * s->nc;
        size_t f = sgkf_best_fold(s, g);
        for (size_t c = 0; c < s->nc; c++)
            s->fold[f * s->nc + c] += g[c];
        gfold[sp[i].id] = (int32_t)f;
    }
    free(ids);
    free(sp);
    return FW_OK;
}

static int sgkf_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                       gsl_rng *r, int32_t *label, fw_err *e)
{
    size_t n = in->n, room = fw_split_group_room(in), nc_max = in->n_classes;
    size_t wide = k > nc_max ? k : nc_max;
    int32_t *gcode = malloc(n * sizeof *gcode), *ccode = malloc(n * sizeof *ccode);
    int32_t *gfold = malloc(room * sizeof *gfold);
    size_t *ccount = malloc(nc_max * sizeof *ccount);
    double *ycnt = malloc(nc_max * sizeof *ycnt), *gy = calloc(room * nc_max, sizeof *gy);
    sgkf s = {.k = k,
              .fold = calloc(k * nc_max, sizeof(double)),
              .col = malloc(k * sizeof(double)),
              .std = malloc(nc_max * sizeof(double)),
              .d = malloc(wide * sizeof(double))};
    int rc = FW_ENOMEM;
    if (gcode && ccode && gfold && ccount && ycnt && gy && s.fold && s.col && s.std && s.d) {
        s.ng = fw_split_groups(in, gcode, NULL);
        s.nc = fw_split_classes(in, 0, ccode, ccount);
        for (size_t c = 0; c < s.nc; c++)
            ycnt[c] = (double)ccount[c];
        s.ycnt = ycnt;
        for (size_t p = 0; p < n; p++) /* group x class counts */
            gy[(size_t)gcode[p] * s.nc + (size_t)ccode[p]] += 1;
        rc = s.ng && s.nc ? sgkf_assign(&s, gy, r, gfold) : FW_ENOMEM;
    }
    for (size_t p = 0; rc == FW_OK && p < n; p++)
        label[p] = gfold[gcode[p]];
    free(gcode);
    free(ccode);
    free(gfold);
    free(ccount);
    free(ycnt);
    free(gy);
    free(s.fold);
    free(s.col);
    free(s.std);
    free(s.d);
    return rc ? fw_err_set(e, rc, "%s: out of memory", fw_split_key(spec)) : FW_OK;
}

static int sgkf_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    int rc = fw_split_check_kfold(spec, in, fw_split_stratified_group_kfold.flags, e);
    return rc ? rc : fw_split_check_class_k(spec, in, e);
}

static int sgkf_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                      fw_splits *out, fw_err *e)
{
    fw_split_warn_small_classes(spec, in);
    return fw_split_run_kfold(spec, in, seed, sgkf_labels, out, e);
}

const fw_splitter_type fw_split_stratified_group_kfold = {
    .name = "stratified_group_kfold",
    .summary = "k folds of whole groups keeping class shares close "
               "(scikit-learn 1.2's StratifiedGroupKFold)",
    .flags = FW_SPLIT_NEEDS_CLASSES | FW_SPLIT_NEEDS_GROUPS | FW_SPLIT_PARTITION |
             FW_SPLIT_RANDOM,
    .check = sgkf_check,
    .split = sgkf_split,
};
