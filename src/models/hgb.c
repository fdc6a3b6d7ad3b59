/* hgb.c: hist_gbdt, scikit-learn's HistGradientBoostingClassifier /
 * HistGradientBoostingRegressor: boosting of leaf-wise trees grown on
 * binned features (hgb_bin.c, hgb_tree.c), logistic / softmax / squared /
 * absolute-error losses (hgb_loss.c), early stopping on an internal
 * validation set, and fit_predict_path along n_iter (one fit scored at every
 * requested number of iterations). Predict, save/load and describe are in
 * hgb_io.c; docs/models.md says where it differs from scikit-learn.
 *
 * Streams: the validation rows and the binning subsample are drawn from a
 * stream keyed on (seed, split key), not ctx->rng, so every configuration
 * fitted on a split sees the same validation rows and the same bins (as
 * scikit-learn with a fixed random_state). That is what lets binned rows be
 * shared through ctx->cache and a path batch equal cold fits.
 *
 * class_weight = balanced (classification) multiplies the sample weights by
 * n / (classes * count) over all the rows given to the fit, before the
 * validation rows are held out, as scikit-learn's _finalize_sample_weight:
 * the validation loss is weighted by them too; the bins are not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "hgb_int.h"

enum { P_LR, P_N_ITER, P_LEAVES, P_DEPTH, P_MSL, P_L2, P_BINS, P_LOSS, P_ES, P_VF, P_NNC, P_TOL,
       P_CW };

static const char *const none_choice[] = {"none", NULL};
static const char *const auto_choice[] = {"auto", NULL};
static const char *const class_weights[] = {"none", "balanced", NULL};
static const char *const losses[] = {"auto", "log_loss", "squared_error", "absolute_error",
                                     NULL};
enum { L_AUTO, L_LOG, L_SQUARED, L_ABSOLUTE };

static const fw_param_spec hgb_params[] = {
    {.name = "learning_rate", .kind = FW_PARAM_REAL, .def = 0.1, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN, .help = "shrinkage of every leaf value"},
    {.name = "n_iter", .kind = FW_PARAM_INT, .def = 100, .lo = 1, .hi = 1e9,
     .help = "boosting iterations (scikit-learn's max_iter)"},
    {.name = "max_leaves", .kind = FW_PARAM_INT, .def = 31, .lo = 2, .hi = 1e9,
     .choices = none_choice, .help = "leaves per tree (max_leaf_nodes)"},
    {.name = "max_depth", .kind = FW_PARAM_INT, .def_choice = "none", .lo = 1, .hi = 1e9,
     .choices = none_choice, .help = "depth limit of every tree"},
    {.name = "min_samples_leaf", .kind = FW_PARAM_INT, .def = 20, .lo = 1, .hi = 1e9,
     .help = "rows at least in every leaf"},
    {.name = "l2_regularization", .kind = FW_PARAM_REAL, .def = 0, .lo = 0, .hi = INFINITY,
     .help = "L2 penalty on leaf values"},
    {.name = "max_bins", .kind = FW_PARAM_INT, .def = 255, .lo = 2, .hi = 255,
     .help = "bins per feature for values (plus one for missing values)"},
    {.name = "loss", .kind = FW_PARAM_CHOICE, .def_choice = "auto", .choices = losses,
     .help = "auto = log_loss (classification) / squared_error (regression)"},
    {.name = "early_stopping", .kind = FW_PARAM_BOOL, .def_choice = "auto",
     .choices = auto_choice, .help = "auto = on above 10,000 training rows"},
    {.name = "validation_fraction", .kind = FW_PARAM_REAL, .def = 0.1, .lo = 0, .hi = 1,
     .flags = FW_PARAM_LO_OPEN | FW_PARAM_HI_OPEN,
     .help = "share of the training rows held out for early stopping"},
    {.name = "n_iter_no_change", .kind = FW_PARAM_INT, .def = 10, .lo = 1, .hi = 1e9,
     .help = "iterations without improvement before early stopping"},
    {.name = "tol", .kind = FW_PARAM_REAL, .def = 1e-7, .lo = 0, .hi = INFINITY,
     .help = "improvement of the validation loss that counts"},
    {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",
     .choices = class_weights, .help = "none or balanced (n / (classes * count))"},
};

typedef struct hgb_opts {
    double lr, l2, vf, tol;
    size_t n_iter, max_leaves, max_depth, msl, n_no_change;
    int max_bins, loss, es;   /* es: -1 auto */
    int balanced;             /* class_weight = balanced */
} hgb_opts;

static void opts_read(const fw_pval *cfg, hgb_opts *o)
{
    o->lr = cfg[P_LR].num;
    o->n_iter = (size_t)cfg[P_N_ITER].num;
    o->max_leaves = cfg[P_LEAVES].choice >= 0 ? 0 : (size_t)cfg[P_LEAVES].num;
    o->max_depth = cfg[P_DEPTH].choice >= 0 ? 0 : (size_t)cfg[P_DEPTH].num;
    o->msl = (size_t)cfg[P_MSL].num;
    o->l2 = cfg[P_L2].num;
    o->max_bins = (int)cfg[P_BINS].num;
    o->loss = cfg[P_LOSS].choice;
    o->es = cfg[P_ES].choice >= 0 ? -1 : cfg[P_ES].num != 0;
    o->vf = cfg[P_VF].num;
    o->n_no_change = (size_t)cfg[P_NNC].num;
    o->tol = cfg[P_TOL].num;
    o->balanced = cfg[P_CW].choice == 1;
}

/* The loss kind for a task, or an error naming the parameter. */
static int loss_kind(int loss, int task, int *kind, fw_err *e)
{
    int cls = task == FW_TASK_CLASSIFICATION;
    if (loss == L_AUTO)
        loss = cls ? L_LOG : L_SQUARED;
    if (cls != (loss == L_LOG))
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: loss = %s is for %s", losses[loss],
                          cls ? "regression" : "classification");
    *kind = loss == L_LOG ? FW_HGB_LOG_LOSS : loss == L_SQUARED ? FW_HGB_SQUARED
                                                                : FW_HGB_ABSOLUTE;
    return FW_OK;
}

/* The options against the task; the loss kind into *kind. */
static int check_opts(const hgb_opts *o, int task, int *kind, fw_err *e)
{
    if (o->balanced && task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: class_weight is for classification");
    return loss_kind(o->loss, task, kind, e);
}

static int hgb_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    hgb_opts o;
    int kind;
    opts_read(cfg, &o);
    return check_opts(&o, info->task, &kind, e);
}

static double hgb_complexity(const fw_pval *cfg)
{
    hgb_opts o;
    opts_read(cfg, &o);
    double leaves = o.max_leaves ? (double)o.max_leaves : 1e9;
    if (o.max_depth && o.max_depth < 30 && ldexp(1.0, (int)o.max_depth) < leaves)
        leaves = ldexp(1.0, (int)o.max_depth);
    return leaves * (double)o.n_iter;
}

/* ---- the training rows and the validation rows ----------------------------------- */

typedef struct hgb_work {
    size_t n, nv, k, p;          /* training rows, validation rows */
    size_t *tr, *va;             /* their dataset rows, ascending */
    double *y, *w, *yv, *wv;
    double *raw, *rawv, *xv, *res, *resw;
    float *gh;                  /* float32 pairs as scikit-learn's: see docs/models.md */
    const fw_hgb_bins *bins;
    int bins_owned;
    fw_hgb_grower *gr;
    fw_hgb_loss L;
} hgb_work;

static void work_free(hgb_work *w)
{
    free(w->tr);
    free(w->va);
    free(w->y);
    free(w->w);
    free(w->yv);
    free(w->wv);
    free(w->raw);
    free(w->rawv);
    free(w->gh);
    free(w->xv);
    free(w->res);
    free(w->resw);
    if (w->bins_owned)
        fw_hgb_bins_free((void *)w->bins);
    fw_hgb_grower_free(w->gr);
    memset(w, 0, sizeof *w);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* scikit-learn's _approximate_mode: n_draws spread over classes in
 * proportion to counts, remainders to the largest fractional parts (ties in
 * a random order). */
static void approximate_mode(const size_t *counts, size_t nc, size_t n_draws, gsl_rng *r,
                             size_t *out, size_t *tmp)
{
    size_t total = 0, sum = 0;
    for (size_t c = 0; c < nc; c++)
        total += counts[c];
    double *rem = malloc(nc * sizeof *rem);
    for (size_t c = 0; c < nc; c++) {
        double cont = (double)counts[c] / (double)total * (double)n_draws;
        out[c] = (size_t)floor(cont);
        if (rem)
            rem[c] = cont - floor(cont);
        sum += out[c];
    }
    size_t need = n_draws > sum ? n_draws - sum : 0;
    while (need > 0 && rem) {
        double top = -1;
        for (size_t c = 0; c < nc; c++)
            top = rem[c] > top ? rem[c] : top;
        size_t m = 0;
        for (size_t c = 0; c < nc; c++)
            if (rem[c] == top)
                tmp[m++] = c;
        fw_shuffle(r, tmp, m);
        for (size_t i = 0; i < m && need > 0; i++, need--)
            out[tmp[i]]++;
        for (size_t i = 0; i < m; i++)
            rem[tmp[i]] = -2;
    }
    free(rem);
}

/* Positions of d->rows to hold out, as scikit-learn's train_test_split
 * (stratified for classification): marks val[i] = 1. */
static int pick_validation(const fw_fit_data *d, double vf, gsl_rng *r, unsigned char *val,
                           size_t *nv, fw_err *e)
{
    size_t n = d->n, n_test = (size_t)ceil(vf * (double)n);
    size_t n_train = (size_t)floor((1.0 - vf) * (double)n);
    if (n_train < 1 || n_test < 1 || n_train + n_test > n)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: %zu training rows are too few to hold out "
                          "validation_fraction = %g for early stopping", n, vf);
    size_t nc = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    size_t *perm = malloc(n * sizeof *perm), *cnt = calloc(4 * nc + 1, sizeof *cnt);
    if (!perm || !cnt) {
        free(perm);
        free(cnt);
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    }
    size_t *ni = cnt + nc, *ti = cnt + 2 * nc, *tmp = cnt + 3 * nc;
    memset(val, 0, n);
    if (nc == 1) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        fw_shuffle(r, perm, n);
        for (size_t i = 0; i < n_test; i++)
            val[perm[i]] = 1;
        *nv = n_test;
    } else {
        for (size_t i = 0; i < n; i++)
            cnt[(size_t)d->y[d->rows[i]]]++;
        approximate_mode(cnt, nc, n_train, r, ni, tmp);
        for (size_t c = 0; c < nc; c++)
            cnt[c] -= ni[c];   /* what is left for the test draw */
        approximate_mode(cnt, nc, n_test, r, ti, tmp);
        *nv = 0;
        for (size_t c = 0; c < nc; c++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if ((size_t)d->y[d->rows[i]] == c)
                    perm[m++] = i;
            fw_shuffle(r, perm, m);
            for (size_t i = ni[c]; i < ni[c] + ti[c] && i < m; i++, (*nv)++)
                val[perm[i]] = 1;
        }
    }
    free(perm);
    free(cnt);
    return FW_OK;
}

/* Training and validation rows, with their targets and weights. */
static int work_rows(hgb_work *w, const fw_fit_data *d, int es, double vf, gsl_rng *r,
                     fw_err *e)
{
    size_t n = d->n;
    unsigned char *val = calloc(n ? n : 1, 1);
    int rc = val ? FW_OK : fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    w->nv = 0;
    if (!rc && es)
        rc = pick_validation(d, vf, r, val, &w->nv, e);
    w->n = n - w->nv;
    w->tr = malloc((w->n ? w->n : 1) * sizeof *w->tr);
    w->va = malloc((w->nv ? w->nv : 1) * sizeof *w->va);
    w->y = malloc((w->n ? w->n : 1) * sizeof *w->y);
    w->yv = malloc((w->nv ? w->nv : 1) * sizeof *w->yv);
    if (d->w) {
        w->w = malloc((w->n ? w->n : 1) * sizeof *w->w);
        w->wv = malloc((w->nv ? w->nv : 1) * sizeof *w->wv);
    }
    if (!rc && (!w->tr || !w->va || !w->y || !w->yv || (d->w && (!w->w || !w->wv))))
        rc = fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    if (!rc) {
        size_t a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (val[i])
                w->va[b++] = d->rows[i];
            else
                w->tr[a++] = d->rows[i];
        }
        qsort(w->tr, w->n, sizeof *w->tr, cmp_size);
        qsort(w->va, w->nv, sizeof *w->va, cmp_size);
        for (size_t i = 0; i < w->n; i++) {
            w->y[i] = d->y[w->tr[i]];
            if (d->w)
                w->w[i] = d->w[w->tr[i]];
        }
        for (size_t i = 0; i < w->nv; i++) {
            w->yv[i] = d->y[w->va[i]];
            if (d->w)
                w->wv[i] = d->w[w->va[i]];
        }
    }
    free(val);
    return rc;
}

/* Buffers of the boosting loop, validation rows copied row-major. */
static int work_buffers(hgb_work *w, const fw_fit_data *d, fw_err *e)
{
    size_t n = w->n ? w->n : 1, k = w->k, nv = w->nv ? w->nv : 1;
    w->raw = malloc(n * k * sizeof *w->raw);
    w->gh = malloc(2 * n * k * sizeof *w->gh);
    w->rawv = malloc(nv * k * sizeof *w->rawv);
    w->xv = malloc(nv * (w->p ? w->p : 1) * sizeof *w->xv);
    w->res = malloc(n * sizeof *w->res);
    w->resw = malloc(n * sizeof *w->resw);
    if (!w->raw || !w->gh || !w->rawv || !w->xv || !w->res || !w->resw)
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    for (size_t i = 0; i < w->nv; i++)
        for (size_t j = 0; j < w->p; j++)
            w->xv[i * w->p + j] = fw_mat_at(&d->X, w->va[i], j);
    return FW_OK;
}

/* ---- boosting ------------------------------------------------------------------------ */

/* Absolute error: every leaf's value becomes the shrunk (weighted) median of
 * the residuals of its rows, as scikit-learn's _update_leaves_values. */
static void median_leaves(hgb_work *w, double lr)
{
    size_t nl = fw_hgb_grower_n_leaves(w->gr);
    for (size_t l = 0; l < nl; l++) {
        size_t m;
        const uint32_t *rows = fw_hgb_grower_leaf(w->gr, l, &m);
        for (size_t i = 0; i < m; i++) {
            w->res[i] = w->y[rows[i]] - w->raw[rows[i]];
            if (w->w)
                w->resw[i] = w->w[rows[i]];
        }
        fw_hgb_grower_set_leaf_value(w->gr, l, lr * fw_hgb_median(w->res, w->w ? w->resw : NULL,
                                                                   m));
    }
}

/* Add the last tree's leaf values to the raw values of column c. */
static void add_leaves(hgb_work *w, size_t c)
{
    size_t nl = fw_hgb_grower_n_leaves(w->gr);
    double *raw = w->raw + c * w->n;
    for (size_t l = 0; l < nl; l++) {
        size_t m;
        const uint32_t *rows = fw_hgb_grower_leaf(w->gr, l, &m);
        double v = fw_hgb_grower_leaf_value(w->gr, l);
        for (size_t i = 0; i < m; i++)
            raw[rows[i]] += v;
    }
}

/* scikit-learn's _should_stop on losses l[0..m): stop unless one of the last
 * n_no_change losses beats the one before them by more than tol. */
static int should_stop(const double *l, size_t m, size_t n_no_change, double tol)
{
    if (m < n_no_change + 1)
        return 0;
    double ref = -l[m - n_no_change - 1] + tol;
    for (size_t i = m - n_no_change; i < m; i++)
        if (-l[i] > ref)
            return 0;
    return 1;
}

/* One boosting iteration: k trees on the gradients at the current raw values. */
static int iterate(fw_hgb_state *s, hgb_work *w, const hgb_opts *o, size_t it, fw_err *e)
{
    int ch = fw_hgb_loss_const_hessian(&w->L);
    s->train_loss[it] = fw_hgb_loss_grad(&w->L, w->raw, w->gh);
    for (size_t c = 0; c < w->k; c++) {
        int rc = fw_hgb_grower_grow(w->gr, w->gh + 2 * c * w->n, ch, e);
        if (rc)
            return rc;
        if (s->loss == FW_HGB_ABSOLUTE)
            median_leaves(w, o->lr);
        if ((rc = fw_hgb_grower_emit(w->gr, &s->forest, e)))
            return rc;
        add_leaves(w, c);
        size_t t = s->forest.n_trees - 1;
        for (size_t i = 0; i < w->nv; i++)
            w->rawv[c * w->nv + i] += fw_hgb_tree_value(&s->forest, t, w->xv + i * w->p);
    }
    s->n_iter = it + 1;
    return FW_OK;
}

static int boost(fw_hgb_state *s, hgb_work *w, const hgb_opts *o, fw_fit_ctx *ctx, fw_err *e)
{
    size_t n = w->n, nv = w->nv, k = w->k;
    for (size_t c = 0; c < k; c++) {
        for (size_t i = 0; i < n; i++)
            w->raw[c * n + i] = s->base[c];
        for (size_t i = 0; i < nv; i++)
            w->rawv[c * nv + i] = s->base[c];
    }
    if (s->val_loss)
        s->val_loss[0] = fw_hgb_loss_value(s->loss, k, w->yv, w->wv, nv, w->rawv);
    int stopped = 0;
    for (size_t it = 0; it < o->n_iter && !stopped; it++) {
        if (fw_deadline_passed(ctx->deadline))
            return fw_err_set(e, FW_ETIMEOUT, "hist_gbdt: time limit reached after %zu of %zu "
                              "iterations", it, o->n_iter);
        int rc = iterate(s, w, o, it, e);
        if (rc)
            return rc;
        if (s->val_loss) {
            s->val_loss[it + 1] = fw_hgb_loss_value(s->loss, k, w->yv, w->wv, nv, w->rawv);
            stopped = should_stop(s->val_loss, it + 2, o->n_no_change, o->tol);
        }
    }
    s->train_loss[s->n_iter] = fw_hgb_loss_value(s->loss, k, w->y, w->w, n, w->raw);
    ctx->n_iter = (int)s->n_iter;
    s->stopped = stopped;
    ctx->converged = s->early_stopping ? stopped : -1;
    ctx->final_gap = NAN;
    return FW_OK;
}

/* Bins of the training rows: shared through ctx->cache when there is one. */
static int work_bins(hgb_work *w, const fw_fit_data *d, const hgb_opts *o, int es,
                     const fw_fit_ctx *ctx, gsl_rng *r, fw_err *e)
{
    uint64_t base = fw_hash_mix(fw_hash_mix(ctx->split_key, ctx->seed),
                                fw_hash_mix((uint64_t)o->max_bins, es ? fw_hash64(&o->vf,
                                            sizeof o->vf, 1) : 0));
    uint64_t key = ctx->cache ? fw_hgb_bins_key(base, &d->X, w->tr, w->n) : 0;
    return fw_hgb_bins_get(ctx->cache, key, &d->X, w->tr, w->n, o->max_bins, r, &w->bins,
                           &w->bins_owned, e);
}

/* Everything before the first iteration: rows, bins, baseline, buffers. */
static int prepare(fw_hgb_state *s, hgb_work *w, const fw_fit_data *d, const hgb_opts *o,
                   fw_fit_ctx *ctx, fw_err *e)
{
    int es = o->es < 0 ? d->n > 10000 : o->es, rc;
    uint64_t key = fw_hash_mix(ctx->split_key, fw_hash_str("hist_gbdt/rows", 0));
    gsl_rng *r = fw_rng_alloc(ctx->seed, key);
    if (!r)
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    w->p = d->X.n_cols;
    w->k = s->k;
    rc = work_rows(w, d, es, o->vf, r, e);
    if (!rc)
        rc = work_bins(w, d, o, es, ctx, r, e);
    gsl_rng_free(r);
    if (rc || (rc = work_buffers(w, d, e)))
        return rc;
    s->early_stopping = es;
    w->L = (fw_hgb_loss){s->loss, s->k, w->y, w->w, w->n};
    fw_hgb_tree_opts to = {o->max_leaves, o->max_depth, o->msl, o->l2, o->lr};
    if (!(w->gr = fw_hgb_grower_alloc(w->bins, &to)))
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    s->base = malloc(s->k * sizeof *s->base);
    s->train_loss = malloc((o->n_iter + 1) * sizeof *s->train_loss);
    if (es)
        s->val_loss = malloc((o->n_iter + 1) * sizeof *s->val_loss);
    if (!s->base || !s->train_loss || (es && !s->val_loss))
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    return fw_hgb_loss_baseline(&w->L, s->base, e);
}

static int hgb_train(fw_hgb_state *s, const fw_fit_data *d, const hgb_opts *o,
                     fw_fit_ctx *ctx, fw_err *e)
{
    memset(s, 0, sizeof *s);
    s->task = d->task;
    s->p = d->X.n_cols;
    int rc = check_opts(o, d->task, &s->loss, e);
    if (rc)
        return rc;
    if (d->task == FW_TASK_CLASSIFICATION && d->n_classes < 2)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: classification needs 2 classes or more");
    if (d->n >= UINT32_MAX)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: %zu training rows is too many", d->n);
    s->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    s->k = s->n_classes > 2 ? s->n_classes : 1;
    hgb_work w;
    memset(&w, 0, sizeof w);
    fw_fit_data dw = *d;
    double *wbuf = NULL;
    if (o->balanced)
        rc = fw_fit_data_balance(d, &dw, &wbuf, "hist_gbdt", e);
    if (!rc)
        rc = prepare(s, &w, &dw, o, ctx, e);
    if (!rc)
        rc = boost(s, &w, o, ctx, e);
    work_free(&w);
    free(wbuf);
    return rc;
}

static int hgb_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                   fw_err *e)
{
    hgb_opts o;
    opts_read(cfg, &o);
    return hgb_train(state, d, &o, ctx, e);
}

/* ---- the n_iter path ------------------------------------------------------------------ */

/* Whether configurations a and b differ in n_iter only. */
static int same_but_n_iter(const fw_pval *a, const fw_pval *b)
{
    for (size_t i = 0; i < sizeof hgb_params / sizeof hgb_params[0]; i++)
        if (i != P_N_ITER && (a[i].choice != b[i].choice ||
                              (a[i].choice < 0 && a[i].num != b[i].num)))
            return 0;
    return 1;
}

/* One fit to the largest n_iter; configuration c is scored on the first
 * min(n_iter_c, iterations run) iterations, which is what a fit with
 * n_iter_c alone builds: iterations never look ahead, and early stopping
 * (on the same validation rows) stops at the same iteration. */
static int hgb_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                    const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                    fw_fit_ctx *ctx, fw_err *errs)
{
    size_t top = 0;
    if (n_cfg == 0)
        return FW_OK;
    for (size_t c = 0; c < n_cfg; c++) {
        if (!same_but_n_iter(cfgs[0], cfgs[c]))
            return fw_err_set(&errs[0], FW_EINVAL, "hist_gbdt: a path batch may differ in "
                              "n_iter only");
        top = cfgs[c][P_N_ITER].num > cfgs[top][P_N_ITER].num ? c : top;
    }
    hgb_opts o;
    opts_read(cfgs[top], &o);
    fw_hgb_state s;
    size_t *cps = malloc((n_cfg ? n_cfg : 1) * sizeof *cps);
    int rc = cps ? hgb_train(&s, d, &o, &ctx[top], &errs[top])
                 : fw_err_set(&errs[top], FW_ENOMEM, "hist_gbdt: out of memory");
    for (size_t c = 0; !rc && c < n_cfg; c++) {
        size_t want = (size_t)cfgs[c][P_N_ITER].num;
        cps[c] = want < s.n_iter ? want : s.n_iter;
        ctx[c].n_iter = (int)cps[c];
        ctx[c].converged = s.early_stopping ? want > s.n_iter || (want == s.n_iter && s.stopped)
                                            : -1;
        ctx[c].final_gap = NAN;
    }
    if (!rc)
        rc = fw_hgb_predict_at(&s, X, eval, n_eval, cps, n_cfg, out, &errs[top]);
    if (rc) {
        for (size_t c = 0; c < n_cfg; c++)
            if (c != top)
                errs[c] = errs[top];
    }
    if (cps)
        fw_hgb_free(&s);
    free(cps);
    return rc == FW_ENOMEM ? rc : FW_OK;
}

const fw_model_type fw_model_hist_gbdt = {
    .name = "hist_gbdt",
    .summary = "histogram gradient boosting (scikit-learn's HistGradientBoosting*)",
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA |
            FW_CAP_MISSING | FW_CAP_WEIGHTS | FW_CAP_PATH | FW_CAP_RANDOM |
            FW_CAP_IMPORTANCE | FW_CAP_ITERATIVE,
    .params = hgb_params,
    .n_params = sizeof hgb_params / sizeof hgb_params[0],
    .state_size = sizeof(fw_hgb_state),
    .check = hgb_check,
    .fit = hgb_fit,
    .predict = fw_hgb_predict,
    .path_param = "n_iter",
    .fit_predict_path = hgb_path,
    .save = fw_hgb_save,
    .load = fw_hgb_load,
    .importances = fw_hgb_importances,
    .describe = fw_hgb_describe,
    .complexity = hgb_complexity,
    .free_state = fw_hgb_free,
};
