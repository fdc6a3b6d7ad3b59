/* forest.c: random_forest and extra_trees, scikit-learn's
 * RandomForestClassifier/Regressor and ExtraTreesClassifier/Regressor,
 * on the CART builder (cart.c): best splits on bootstrap samples, or
 * random thresholds on the whole training set.
 *
 * Determinism and members. Tree t draws everything (its bootstrap sample,
 * features, thresholds) from its own stream, fw_rng_alloc(ctx->seed,
 * mix(ctx->split_key, hash of the model name and every parameter but
 * n_trees and oob_score, t)). So a 500-tree forest's first 100 trees are
 * the 100-tree forest, and trees fitted in member blocks [member_lo,
 * member_hi) are the trees of the whole forest.
 *
 * Predictions are averaged in fixed point so that the order of the sum
 * cannot matter: each tree's leaf prediction (class probabilities, or the
 * regression value) is rounded to a multiple of 2^q and added as a 64-bit
 * integer. q = -46 for probabilities; for regression q = e - 46 where
 * 2^e > max |y| over the training rows (every leaf value is within that
 * bound). The rounding error is below 2^-47 relative to max |y| per tree,
 * and up to 2^17 trees cannot overflow. Classification divides each class
 * sum by the row's total; regression converts the sum and divides by the
 * number of trees. predict_part / combine (model.h) expose the integer
 * sums, so blocks combined in any order give predict's bits exactly.
 *
 * fit_predict_path (path_param n_trees) grows the largest forest once and
 * scores its prefixes. The out-of-bag score (oob_score = true) is computed
 * for whole-forest fits, as scikit-learn: each training row averages the
 * probabilities (or values) of the trees that did not draw it; accuracy /
 * R^2 over the rows (a row no tree left out predicts class 0 / 0, with a
 * warning). It is reported in describe(). */
#include <stdlib.h>
#include <string.h>

#include "cart_int.h"
#include "foldwise/data.h"
#include "models_int.h"

#define FOREST_QBITS 46

static const char *const forest_class_weights[] = {"none", "balanced", "balanced_subsample",
                                                   NULL};

#define FOREST_PARAMS(boot)                                                                    \
    {.name = "n_trees", .kind = FW_PARAM_INT, .def = 100, .lo = 1, .hi = 100000,               \
     .help = "trees in the forest (scikit-learn's n_estimators)"},                             \
        FW_CART_SPEC_CRITERION, FW_CART_SPEC_MAX_DEPTH, FW_CART_SPEC_MIN_SPLIT,                \
        FW_CART_SPEC_MIN_LEAF, FW_CART_SPEC_MAX_FEATURES("auto"), FW_CART_SPEC_MIN_DECREASE,   \
        {.name = "bootstrap", .kind = FW_PARAM_BOOL, .def = boot, .lo = 0, .hi = 1,            \
         .help = "fit each tree on a bootstrap sample of the training rows"},                  \
        {.name = "max_samples", .kind = FW_PARAM_REAL, .def_choice = "none", .lo = 0,          \
         .hi = 1e15, .flags = FW_PARAM_LO_OPEN, .choices = fw_cart_none,                       \
         .help = "bootstrap sample size: none (all rows), a fraction <= 1 or a count > 1"},    \
        {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",                \
         .choices = forest_class_weights,                                                      \
         .help = "none, balanced (over the training rows) or balanced_subsample (per "         \
                 "bootstrap sample)"},                                                         \
        {.name = "oob_score", .kind = FW_PARAM_BOOL, .def = 0, .lo = 0, .hi = 1,               \
         .help = "compute the out-of-bag accuracy / R^2 (in describe())"},

static const fw_param_spec rf_params[] = {FOREST_PARAMS(1)};
static const fw_param_spec et_params[] = {FOREST_PARAMS(0)};

typedef struct forest_state {
    int task;
    size_t n_classes, p, width;
    int q;                   /* fixed-point exponent of the leaf values */
    size_t lo, n_fit;        /* holds trees lo .. lo + n_fit - 1 */
    fw_cart_tree *trees;
    int64_t **leafq;         /* per tree, per node: width fixed-point leaf values */
    double oob;              /* NaN unless computed */
} forest_state;

/* A forest fit's resolved settings. */
typedef struct forest_cfg {
    const fw_model_type *t;
    fw_cart_params prm;
    size_t n_trees, n_boot;
    int bootstrap, class_weight, oob;
    uint64_t phash;          /* parameters other than n_trees and oob_score */
} forest_cfg;

/* ---- configuration --------------------------------------------------------- */

static const fw_pval *fparam(const fw_model_type *t, const fw_pval *cfg, const char *name)
{
    return &cfg[fw_param_index(t, name)];
}

static uint64_t forest_param_hash(const fw_model_type *t, const fw_pval *cfg)
{
    uint64_t h = fw_hash_str(t->name, 0x74726565);
    for (size_t i = 0; i < t->n_params; i++) {
        if (!strcmp(t->params[i].name, "n_trees") || !strcmp(t->params[i].name, "oob_score"))
            continue;
        /* canonical: a named value by its index, a number by its value */
        double v[2] = {(double)cfg[i].choice, cfg[i].choice >= 0 ? 0.0 : cfg[i].num};
        h = fw_hash_mix(h, fw_hash64(v, sizeof v, i));
    }
    return h;
}

/* Bootstrap size: none = n, a fraction <= 1 = round(f * n) (at least 1), a count. */
static int forest_n_boot(const forest_cfg *f, const fw_pval *ms, size_t n, size_t *out,
                         fw_err *e)
{
    if (ms->choice >= 0) {
        *out = n;
    } else if (ms->num <= 1) {
        double r = nearbyint(ms->num * (double)n);
        *out = r < 1 ? 1 : (size_t)r;
    } else if (ms->num != floor(ms->num)) {
        return fw_err_set(e, FW_EINVAL, "%s: max_samples = %g: a count must be a whole number "
                          "(values <= 1 are fractions of the rows)", f->t->name, ms->num);
    } else if (n && ms->num > (double)n) {
        return fw_err_set(e, FW_EINVAL, "%s: max_samples = %g is more than the %zu training "
                          "rows", f->t->name, ms->num, n);
    } else {
        *out = (size_t)ms->num;
    }
    return FW_OK;
}

static int forest_resolve(const fw_model_type *t, const fw_pval *cfg, int task, size_t p,
                          size_t n, forest_cfg *f, fw_err *e)
{
    memset(f, 0, sizeof *f);
    f->t = t;
    int rc = fw_cart_params_resolve(t, cfg, task, p, n, &f->prm, e);
    if (rc)
        return rc;
    f->prm.splitter = t == &fw_model_extra_trees ? FW_CART_RANDOM : FW_CART_BEST;
    f->n_trees = (size_t)fparam(t, cfg, "n_trees")->num;
    f->bootstrap = fparam(t, cfg, "bootstrap")->num != 0;
    f->oob = fparam(t, cfg, "oob_score")->num != 0;
    f->class_weight = fparam(t, cfg, "class_weight")->choice;
    const fw_pval *ms = fparam(t, cfg, "max_samples");
    if (f->oob && !f->bootstrap)
        return fw_err_set(e, FW_EINVAL, "%s: oob_score needs bootstrap = true", t->name);
    if (ms->choice < 0 && !f->bootstrap)
        return fw_err_set(e, FW_EINVAL, "%s: max_samples needs bootstrap = true", t->name);
    if (f->class_weight > 0 && task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "%s: class_weight is for classification", t->name);
    f->phash = forest_param_hash(t, cfg);
    return forest_n_boot(f, ms, n, &f->n_boot, e);
}

static int forest_check_type(const fw_model_type *t, const fw_pval *cfg,
                             const fw_model_info *info, fw_err *e)
{
    forest_cfg f;
    return forest_resolve(t, cfg, info->task, info->n_features, info->n_train, &f, e);
}

/* ---- fixed-point leaf values ------------------------------------------------ */

static int forest_quantize(forest_state *s, size_t ti)
{
    const fw_cart_tree *t = &s->trees[ti];
    size_t w = s->width;
    int64_t *q = malloc(t->n_nodes * w * sizeof *q);
    if (!q)
        return FW_ENOMEM;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const double *v = t->value + i * w;
        if (s->task != FW_TASK_CLASSIFICATION) {
            q[i * w] = (int64_t)llrint(ldexp(v[0], -s->q));
            continue;
        }
        double sum = 0;
        for (size_t c = 0; c < w; c++)
            sum += v[c];
        for (size_t c = 0; c < w; c++)
            q[i * w + c] = (int64_t)llrint(ldexp(sum > 0 ? v[c] / sum : 0, -s->q));
    }
    s->leafq[ti] = q;
    return FW_OK;
}

/* Exponent q with every |leaf value| / 2^q < 2^FOREST_QBITS. */
static int forest_scale(const fw_fit_data *d)
{
    if (d->task == FW_TASK_CLASSIFICATION)
        return -FOREST_QBITS;
    double m = 0;
    for (size_t i = 0; i < d->n; i++)
        m = fmax(m, fabs(d->y[d->rows[i]]));
    int ex = 0;
    frexp(m, &ex);
    return ex - FOREST_QBITS;
}

/* Final prediction of one row from its fixed-point sum over n_members trees. */
static void forest_finish(int task, size_t w, int q, const int64_t *s, size_t n_members,
                          double *out)
{
    if (task != FW_TASK_CLASSIFICATION) {
        out[0] = ldexp((double)s[0], q) / (double)(n_members ? n_members : 1);
        return;
    }
    int64_t total = 0;
    for (size_t c = 0; c < w; c++)
        total += s[c];
    for (size_t c = 0; c < w; c++)
        out[c] = total > 0 ? (double)s[c] / (double)total : 1.0 / (double)w;
}

/* ---- growing trees ---------------------------------------------------------- */

/* Per-tree weights: base weights times bootstrap counts (and the
 * balanced_subsample class weights of the draw). */
static void forest_tree_weights(const forest_cfg *f, const fw_cart_fitdata *fd, size_t n,
                                gsl_rng *r, double *w, double *cnt, double *cw)
{
    if (!f->bootstrap) {
        memcpy(w, fd->w, n * sizeof *w);
        return;
    }
    memset(cnt, 0, n * sizeof *cnt);
    for (size_t j = 0; j < f->n_boot; j++)
        cnt[gsl_rng_uniform_int(r, (unsigned long)n)] += 1;
    for (size_t i = 0; i < n; i++)
        w[i] = fd->w[i] * cnt[i];
    if (f->class_weight != 2)
        return;
    size_t k = fd->cd.k, present = 0;
    memset(cw, 0, k * sizeof *cw);
    for (size_t i = 0; i < n; i++)
        cw[fd->ycls[i]] += cnt[i];
    for (size_t c = 0; c < k; c++)
        present += cw[c] > 0;
    for (size_t c = 0; c < k; c++)
        cw[c] = cw[c] > 0 ? (double)f->n_boot / ((double)present * cw[c]) : 0.0;
    for (size_t i = 0; i < n; i++)
        w[i] *= cw[fd->ycls[i]];
}

/* Out-of-bag accumulation: rows tree t did not draw. */
typedef struct oob_acc {
    double *X;               /* training rows, row-major */
    double *sum;             /* n x width */
    uint32_t *cnt;
} oob_acc;

static void oob_add(const forest_state *s, const fw_cart_tree *t, const double *drawn,
                    size_t n, oob_acc *o)
{
    size_t w = s->width, p = s->p;
    for (size_t i = 0; i < n; i++) {
        if (drawn[i] > 0)
            continue;
        const double *v = t->value + fw_cart_leaf(t, o->X + i * p) * w;
        double sum = 0;
        for (size_t c = 0; c < w; c++)
            sum += v[c];
        for (size_t c = 0; c < w; c++)
            o->sum[i * w + c] += s->task == FW_TASK_CLASSIFICATION ? v[c] / sum : v[c];
        o->cnt[i]++;
    }
}

/* scikit-learn's oob_score_: accuracy of the argmax, or R^2. */
static double oob_score(const forest_state *s, const fw_fit_data *d, oob_acc *o,
                        fw_fit_ctx *ctx)
{
    size_t n = d->n, w = s->width, missing = 0;
    double hit = 0, ss_res = 0, ss_tot = 0, mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += d->y[d->rows[i]] / (double)n;
    for (size_t i = 0; i < n; i++) {
        double y = d->y[d->rows[i]], c = o->cnt[i] ? o->cnt[i] : 1;
        missing += o->cnt[i] == 0;
        if (s->task == FW_TASK_CLASSIFICATION) {
            size_t best = 0;
            for (size_t k = 1; k < w; k++)
                if (o->sum[i * w + k] / c > o->sum[i * w + best] / c)
                    best = k;
            hit += (double)best == y;
        } else {
            double r = y - o->sum[i] / c;
            ss_res += r * r;
            ss_tot += (y - mean) * (y - mean);
        }
    }
    if (missing)
        snprintf(ctx->warning, sizeof ctx->warning, "%zu training rows have no out-of-bag "
                 "prediction: too few trees for a reliable oob_score", missing);
    if (s->task == FW_TASK_CLASSIFICATION)
        return hit / (double)n;
    return ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
}

static void oob_free(oob_acc *o)
{
    free(o->X);
    free(o->sum);
    free(o->cnt);
}

static int oob_init(oob_acc *o, const forest_state *s, const fw_fit_data *d)
{
    size_t n = d->n ? d->n : 1;
    o->X = malloc(n * (s->p ? s->p : 1) * sizeof *o->X);
    o->sum = calloc(n * s->width, sizeof *o->sum);
    o->cnt = calloc(n, sizeof *o->cnt);
    if (!o->X || !o->sum || !o->cnt)
        return FW_ENOMEM;
    fw_cart_gather_rows(&d->X, d->rows, 0, d->n, o->X);
    return FW_OK;
}

/* Scratch of a forest fit. */
typedef struct forest_run {
    fw_cart_fitdata fd;
    fw_cart_work *wk;
    gsl_rng *rng;
    double *w, *cnt, *cw;
    oob_acc oob;
} forest_run;

static void run_free(forest_run *r)
{
    fw_cart_fitdata_free(&r->fd);
    fw_cart_work_free(r->wk);
    gsl_rng_free(r->rng);
    free(r->w);
    free(r->cnt);
    free(r->cw);
    oob_free(&r->oob);
}

static int run_init(forest_run *r, const forest_state *s, const forest_cfg *f,
                    const fw_fit_data *d, fw_fit_ctx *ctx, fw_err *e)
{
    memset(r, 0, sizeof *r);
    int rc = fw_cart_fitdata_init(&r->fd, d, f->prm.criterion, f->class_weight == 1,
                                  ctx->split_key, ctx->cache, e);
    if (rc)
        return rc;
    size_t n = d->n ? d->n : 1;
    r->wk = fw_cart_work_alloc(d->n, s->p, r->fd.cd.k);
    r->rng = gsl_rng_alloc(gsl_rng_mt19937);
    r->w = malloc(n * sizeof *r->w);
    r->cnt = malloc(n * sizeof *r->cnt);
    r->cw = malloc(r->fd.cd.k * sizeof *r->cw);
    if (!r->wk || !r->rng || !r->w || !r->cnt || !r->cw || (f->oob && oob_init(&r->oob, s, d)))
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", f->t->name);
    return FW_OK;
}

/* Grow trees [lo, hi) into s (which has room for them). */
static int forest_grow(forest_state *s, const forest_cfg *f, const fw_fit_data *d,
                       fw_fit_ctx *ctx, size_t lo, size_t hi, fw_err *e)
{
    forest_run r;
    int rc = run_init(&r, s, f, d, ctx, e), whole = lo == 0 && hi == f->n_trees;
    uint64_t key = fw_hash_mix(ctx->split_key, f->phash);
    for (size_t t = lo; t < hi && !rc; t++) {
        if (fw_deadline_passed(ctx->deadline)) {
            rc = fw_err_set(e, FW_ETIMEOUT, "%s: the time limit passed after %zu of %zu trees",
                            f->t->name, t - lo, hi - lo);
            break;
        }
        fw_rng_reseed(r.rng, ctx->seed, fw_hash_mix(key, (uint64_t)t));
        forest_tree_weights(f, &r.fd, d->n, r.rng, r.w, r.cnt, r.cw);
        rc = fw_cart_build(&r.fd.cd, &f->prm, r.w, r.rng, r.wk, &s->trees[s->n_fit], e);
        if (!rc && forest_quantize(s, s->n_fit))
            rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory", f->t->name);
        if (rc) {
            fw_cart_tree_free(&s->trees[s->n_fit]);
            break;
        }
        if (f->oob)
            oob_add(s, &s->trees[s->n_fit], r.cnt, d->n, &r.oob);
        s->n_fit++;
        ctx->n_iter = (int)s->n_fit;
    }
    if (!rc && f->oob && whole)
        s->oob = oob_score(s, d, &r.oob, ctx);
    run_free(&r);
    return rc;
}

static int forest_fit_type(const fw_model_type *t, void *state, const fw_fit_data *d,
                           const fw_pval *cfg, fw_fit_ctx *ctx, fw_err *e)
{
    forest_state *s = state;
    forest_cfg f;
    s->task = d->task;
    s->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    s->width = s->n_classes;
    s->p = d->X.n_cols;
    s->oob = NAN;
    int rc = forest_resolve(t, cfg, d->task, s->p, d->n, &f, e);
    if (rc)
        return rc;
    size_t lo = 0, hi = f.n_trees;
    if (ctx->member_hi > 0) {
        if (ctx->member_lo >= ctx->member_hi || ctx->member_hi > f.n_trees)
            return fw_err_set(e, FW_EINVAL, "%s: member block [%zu, %zu) is not within the "
                              "%zu trees", t->name, ctx->member_lo, ctx->member_hi, f.n_trees);
        lo = ctx->member_lo;
        hi = ctx->member_hi;
    }
    s->lo = lo;
    s->q = forest_scale(d);
    s->trees = calloc(hi - lo, sizeof *s->trees);
    s->leafq = calloc(hi - lo, sizeof *s->leafq);
    if (!s->trees || !s->leafq)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", t->name);
    return forest_grow(s, &f, d, ctx, lo, hi, e);
}

/* ---- prediction --------------------------------------------------------------- */

#define FOREST_BLOCK 256

/* Fixed-point sums over trees [t0, t1) of s for one block of gathered rows. */
static void forest_accumulate(const forest_state *s, size_t t0, size_t t1, const double *xb,
                              size_t nb, int64_t *acc)
{
    size_t w = s->width, p = s->p;
    for (size_t t = t0; t < t1; t++) {
        const fw_cart_tree *tr = &s->trees[t];
        const int64_t *q = s->leafq[t];
        for (size_t i = 0; i < nb; i++) {
            const int64_t *v = q + fw_cart_leaf(tr, xb + i * p) * w;
            for (size_t c = 0; c < w; c++)
                acc[i * w + c] += v[c];
        }
    }
}

/* Predict (part != NULL: parts; else final values into out). */
static int forest_predict_any(const forest_state *s, const fw_matrix *X, const size_t *rows,
                              size_t n, double *out, double *part, fw_err *e)
{
    size_t w = s->width, p = X->n_cols;
    double *xb = malloc(FOREST_BLOCK * (p ? p : 1) * sizeof *xb);
    int64_t *acc = malloc(FOREST_BLOCK * w * sizeof *acc);
    if (!xb || !acc) {
        free(xb);
        free(acc);
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory predicting");
    }
    for (size_t b0 = 0; b0 < n; b0 += FOREST_BLOCK) {
        size_t nb = n - b0 < FOREST_BLOCK ? n - b0 : FOREST_BLOCK;
        fw_cart_gather_rows(X, rows, b0, nb, xb);
        memset(acc, 0, nb * w * sizeof *acc);
        forest_accumulate(s, 0, s->n_fit, xb, nb, acc);
        for (size_t i = 0; i < nb; i++) {
            if (part)
                fw_part_encode(part + (b0 + i) * FW_PART_WIDTH(w), s->q, acc + i * w, w);
            else
                forest_finish(s->task, w, s->q, acc + i * w, s->n_fit, out + (b0 + i) * w);
        }
    }
    free(xb);
    free(acc);
    return FW_OK;
}

static int forest_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                          double *out, fw_err *e)
{
    return forest_predict_any(state, X, rows, n, out, NULL, e);
}

static int forest_predict_part(const void *state, const fw_matrix *X, const size_t *rows,
                               size_t n, double *part, fw_err *e)
{
    return forest_predict_any(state, X, rows, n, NULL, part, e);
}

static int forest_combine(const fw_model_info *info, const double *part, size_t n,
                          size_t n_members, double *out, fw_err *e)
{
    size_t w = info->task == FW_TASK_CLASSIFICATION ? info->n_classes : 1;
    int64_t *s = malloc((w ? w : 1) * sizeof *s);
    if (!s)
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory combining members");
    int q, rc = FW_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (fw_part_decode(part + i * FW_PART_WIDTH(w), w, &q, s))
            rc = fw_err_set(e, FW_EINVAL, "forest: member part of row %zu is malformed", i);
        else
            forest_finish(info->task, w, q, s, n_members, out + i * w);
    }
    free(s);
    return rc;
}

/* ---- path over n_trees ---------------------------------------------------------- */

static int path_fail(size_t n_cfg, fw_err *errs, fw_fit_ctx *ctx, const fw_err *why)
{
    for (size_t c = 0; c < n_cfg; c++) {
        errs[c] = *why;
        ctx[c].n_iter = 0;
    }
    return why->code;
}

/* Score the prefixes: out[c] gets the first n_trees(c) trees' predictions. */
static int path_predict(const forest_state *s, const size_t *nt, size_t n_cfg,
                        const fw_matrix *X, const size_t *eval, size_t n_eval,
                        double *const *out, fw_err *e)
{
    size_t w = s->width, p = X->n_cols;
    size_t *ord = malloc((n_cfg ? n_cfg : 1) * sizeof *ord);
    double *xb = malloc(FOREST_BLOCK * (p ? p : 1) * sizeof *xb);
    int64_t *acc = malloc(FOREST_BLOCK * w * sizeof *acc);
    if (!ord || !xb || !acc) {
        free(ord);
        free(xb);
        free(acc);
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory");
    }
    for (size_t c = 0; c < n_cfg; c++) {   /* configurations by tree count */
        size_t j = c;
        for (; j > 0 && nt[ord[j - 1]] > nt[c]; j--)
            ord[j] = ord[j - 1];
        ord[j] = c;
    }
    for (size_t b0 = 0; b0 < n_eval; b0 += FOREST_BLOCK) {
        size_t nb = n_eval - b0 < FOREST_BLOCK ? n_eval - b0 : FOREST_BLOCK, done = 0;
        fw_cart_gather_rows(X, eval, b0, nb, xb);
        memset(acc, 0, nb * w * sizeof *acc);
        for (size_t k = 0; k < n_cfg; k++) {
            size_t c = ord[k];
            if (nt[c] > s->n_fit)
                break;
            forest_accumulate(s, done, nt[c], xb, nb, acc);
            done = nt[c];
            for (size_t i = 0; i < nb; i++)
                forest_finish(s->task, w, s->q, acc + i * w, nt[c], out[c] + (b0 + i) * w);
        }
    }
    free(ord);
    free(xb);
    free(acc);
    return FW_OK;
}

static void forest_free(void *state);

static int forest_path_type(const fw_model_type *t, const fw_fit_data *d,
                            const fw_pval *const *cfgs, size_t n_cfg, const fw_matrix *X,
                            const size_t *eval, size_t n_eval, double *const *out,
                            fw_fit_ctx *ctx, fw_err *errs)
{
    fw_err e = {0};
    long it = fw_param_index(t, "n_trees");
    size_t *nt = malloc((n_cfg ? n_cfg : 1) * sizeof *nt), big = 0;
    if (!nt) {
        fw_err_set(&e, FW_ENOMEM, "%s: out of memory", t->name);
        return path_fail(n_cfg, errs, ctx, &e);
    }
    for (size_t c = 0; c < n_cfg; c++) {
        nt[c] = (size_t)cfgs[c][it].num;
        big = nt[c] > nt[big] ? c : big;
        if (forest_param_hash(t, cfgs[c]) != forest_param_hash(t, cfgs[0]))
            fw_err_set(&e, FW_EINVAL, "%s: a path batch may differ only in n_trees", t->name);
    }
    forest_state s = {0};
    fw_fit_ctx fctx = ctx[0];
    fctx.member_lo = fctx.member_hi = 0;
    fctx.warning[0] = '\0';
    int rc = e.code ? e.code : forest_fit_type(t, &s, d, cfgs[big], &fctx, &e);
    if (rc && rc != FW_ETIMEOUT) {
        free(nt);
        forest_free(&s);
        return path_fail(n_cfg, errs, ctx, &e);
    }
    int prc = path_predict(&s, nt, n_cfg, X, eval, n_eval, out, &e);
    for (size_t c = 0; c < n_cfg; c++) {
        fw_err_clear(&errs[c]);
        ctx[c].n_iter = (int)(nt[c] < s.n_fit ? nt[c] : s.n_fit);
        if (prc)
            errs[c] = e;
        else if (nt[c] > s.n_fit)
            fw_err_set(&errs[c], FW_ETIMEOUT, "%s: the time limit passed after %zu of %zu "
                       "trees", t->name, s.n_fit, nt[c]);
    }
    free(nt);
    forest_free(&s);
    return prc;
}

/* ---- importances, describe, save/load ------------------------------------------ */

/* The out-of-bag score of a whole-forest fit with oob_score (else NaN). */
static double forest_oob_score(const void *state)
{
    return ((const forest_state *)state)->oob;
}

/* Mean of the trees' normalised importances (trees with a split), normalised. */
static int forest_importances(const void *state, double *out, size_t n_cols, fw_err *e)
{
    const forest_state *s = state;
    if (fw_cart_check_cols("forest", s->p, n_cols, e))
        return FW_EINVAL;
    double *one = malloc((n_cols ? n_cols : 1) * sizeof *one), sum = 0;
    if (!one)
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory");
    memset(out, 0, n_cols * sizeof *out);
    for (size_t t = 0; t < s->n_fit; t++)
        if (fw_cart_tree_importances(&s->trees[t], n_cols, one))
            for (size_t j = 0; j < n_cols; j++)
                out[j] += one[j];
    for (size_t j = 0; j < n_cols; j++)
        sum += out[j];
    for (size_t j = 0; sum > 0 && j < n_cols; j++)
        out[j] /= sum;
    free(one);
    return FW_OK;
}

static int forest_describe(const void *state, fw_sb *out, fw_err *e)
{
    const forest_state *s = state;
    double *imp = malloc((s->p ? s->p : 1) * sizeof *imp), nodes = 0;
    unsigned depth = 0;
    if (!imp || forest_importances(s, imp, s->p, e)) {
        free(imp);
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory");
    }
    for (size_t t = 0; t < s->n_fit; t++) {
        nodes += (double)s->trees[t].n_nodes;
        depth = s->trees[t].depth > depth ? s->trees[t].depth : depth;
    }
    fw_sb_printf(out, "{\"n_trees\":%zu,\"members\":[%zu,%zu],\"oob_score\":", s->n_fit, s->lo,
                 s->lo + s->n_fit);
    fw_sb_json_num(out, s->oob);
    fw_sb_append(out, ",\"mean_node_count\":");
    fw_sb_json_num(out, s->n_fit ? nodes / (double)s->n_fit : 0);
    fw_sb_printf(out, ",\"max_depth\":%u,\"importances\":", depth);
    fw_cart_json_array(out, imp, s->p);
    fw_sb_append(out, "}");
    free(imp);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "forest: out of memory") : FW_OK;
}

typedef struct forest_hdr {
    int64_t task, q;
    uint64_t n_classes, p, width, lo, n_fit;
    double oob;
} forest_hdr;

static int forest_save(const void *state, fw_sb *out, fw_err *e)
{
    const forest_state *s = state;
    forest_hdr h = {s->task, s->q, s->n_classes, s->p, s->width, s->lo, s->n_fit, s->oob};
    fw_sb_appendn(out, (const char *)&h, sizeof h);
    for (size_t t = 0; t < s->n_fit; t++)
        fw_cart_tree_save(&s->trees[t], out);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "forest: out of memory") : FW_OK;
}

static int forest_load(void *state, const void *buf, size_t n, fw_err *e)
{
    forest_state *s = state;
    const char *p = buf, *end = p + n;
    forest_hdr h;
    if (fw_cart_read(&p, end, &h, sizeof h) || h.width == 0 || h.width > 65535 ||
        h.n_fit > (uint64_t)(end - p) / 44)
        return fw_err_set(e, FW_EINVAL, "forest: saved model is truncated or damaged");
    s->task = (int)h.task;
    s->q = (int)h.q;
    s->n_classes = (size_t)h.n_classes;
    s->p = (size_t)h.p;
    s->width = (size_t)h.width;
    s->lo = (size_t)h.lo;
    s->oob = h.oob;
    s->trees = calloc(h.n_fit ? h.n_fit : 1, sizeof *s->trees);
    s->leafq = calloc(h.n_fit ? h.n_fit : 1, sizeof *s->leafq);
    if (!s->trees || !s->leafq)
        return fw_err_set(e, FW_ENOMEM, "forest: out of memory");
    for (size_t t = 0; t < h.n_fit; t++) {
        int rc = fw_cart_tree_load(&s->trees[t], &p, end, e);
        if (!rc && s->trees[t].width != s->width) {
            fw_cart_tree_free(&s->trees[t]);
            rc = fw_err_set(e, FW_EINVAL, "forest: saved tree has the wrong width");
        }
        if (!rc && forest_quantize(s, t)) {
            fw_cart_tree_free(&s->trees[t]);
            rc = fw_err_set(e, FW_ENOMEM, "forest: out of memory");
        }
        if (rc)
            return rc;
        s->n_fit++;
    }
    return p == end ? FW_OK : fw_err_set(e, FW_EINVAL, "forest: saved model has the wrong size");
}

static double forest_complexity(const fw_pval *cfg)
{
    long i = fw_param_index(&fw_model_random_forest, "max_depth");
    return cfg[i].choice >= 0 ? 1e9 : cfg[i].num;
}

static void forest_free(void *state)
{
    forest_state *s = state;
    for (size_t t = 0; s->trees && t < s->n_fit; t++) {
        fw_cart_tree_free(&s->trees[t]);
        free(s->leafq[t]);
    }
    free(s->trees);
    free(s->leafq);
    s->trees = NULL;
    s->leafq = NULL;
    s->n_fit = 0;
}

/* ---- the two types ------------------------------------------------------------ */

static int rf_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    return forest_check_type(&fw_model_random_forest, cfg, info, e);
}

static int et_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    return forest_check_type(&fw_model_extra_trees, cfg, info, e);
}

static int rf_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                  fw_err *e)
{
    return forest_fit_type(&fw_model_random_forest, state, d, cfg, ctx, e);
}

static int et_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                  fw_err *e)
{
    return forest_fit_type(&fw_model_extra_trees, state, d, cfg, ctx, e);
}

static int rf_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                   const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                   fw_fit_ctx *ctx, fw_err *errs)
{
    return forest_path_type(&fw_model_random_forest, d, cfgs, n_cfg, X, eval, n_eval, out, ctx,
                            errs);
}

static int et_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                   const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                   fw_fit_ctx *ctx, fw_err *errs)
{
    return forest_path_type(&fw_model_extra_trees, d, cfgs, n_cfg, X, eval, n_eval, out, ctx,
                            errs);
}

#define FOREST_TYPE(nm, sum, prm, chk, fitf, pathf)                                            \
    .name = nm, .summary = sum,                                                                \
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA |              \
            FW_CAP_MISSING | FW_CAP_WEIGHTS | FW_CAP_PATH | FW_CAP_MEMBERS | FW_CAP_RANDOM |   \
            FW_CAP_IMPORTANCE | FW_CAP_ITERATIVE,                                              \
    .params = prm, .n_params = sizeof prm / sizeof prm[0], .state_size = sizeof(forest_state), \
    .check = chk, .fit = fitf, .predict = forest_predict, .path_param = "n_trees",             \
    .fit_predict_path = pathf, .save = forest_save, .load = forest_load,                       \
    .importances = forest_importances, .oob_score = forest_oob_score,                          \
    .describe = forest_describe,                                                               \
    .complexity = forest_complexity, .free_state = forest_free,                                \
    .predict_part = forest_predict_part, .combine = forest_combine

const fw_model_type fw_model_random_forest = {
    FOREST_TYPE("random_forest",
                "random forest: best splits on bootstrap samples (scikit-learn's "
                "RandomForestClassifier/Regressor)",
                rf_params, rf_check, rf_fit, rf_path)};

const fw_model_type fw_model_extra_trees = {
    FOREST_TYPE("extra_trees",
                "extremely randomised trees: random thresholds (scikit-learn's "
                "ExtraTreesClassifier/Regressor)",
                et_params, et_check, et_fit, et_path)};
