/* test_model_trees.c: what the tree models promise beyond the generic test:
 *   - a forest fitted in member blocks, parts added in any order, gives
 *     bit-identical predictions to the whole forest (several blockings,
 *     classification and regression, random_forest and extra_trees);
 *   - the first 100 trees of a 500-tree forest are the 100-tree forest;
 *   - fit_predict_path over n_trees equals separate fits, bit for bit;
 *   - missing values: the NaN direction is learned (NaN rows belonging
 *     right, then left), and NaN in a feature never missing in training
 *     follows the larger child;
 *   - importances sum to one; the out-of-bag score is reported;
 *   - an expired deadline stops a forest mid-way with FW_ETIMEOUT;
 *   - the per-worker cache gives the same trees and is reused;
 *   - max_features: 1 means all features, 2 means two, 2.5 is refused;
 *   - an integer sample weight acts as that many copies of the row;
 *   - the builder's two search paths (presorted lists, and per-node radix
 *     sorts for data too large to presort) grow identical trees;
 *   - member parts: encode/decode round trip, scale and overflow errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/model.h"
#include "harness.h"
#include "models/cart_int.h"

typedef struct set {
    fw_dataset *d;
    size_t *rows;
    fw_fit_data fit;
} set;

static int load(const char *file, const char *target, set *s)
{
    fw_data_opts o = {0};
    fw_err e;
    o.path = (char *)fwt_data(file);
    o.target = (char *)target;
    memset(s, 0, sizeof *s);
    if (fw_dataset_load(&o, &s->d, &e))
        return -1;
    s->rows = malloc(s->d->n_rows * sizeof *s->rows);
    for (size_t i = 0; i < s->d->n_rows; i++)
        s->rows[i] = i;
    s->fit = (fw_fit_data){.X = {s->d->X, s->d->n_rows, s->d->n_features},
                           .rows = s->rows,
                           .n = s->d->n_rows,
                           .y = s->d->y,
                           .task = s->d->task,
                           .n_classes = s->d->task == FW_TASK_CLASSIFICATION ? s->d->n_classes : 0};
    return 0;
}

static void unload(set *s)
{
    fw_dataset_free(s->d);
    free(s->rows);
}

static size_t width(const set *s)
{
    return s->d->task == FW_TASK_CLASSIFICATION ? s->d->n_classes : 1;
}

/* A configuration: defaults plus "name=value" pairs (NULL-terminated). */
static fw_pval *config(const fw_model_type *t, const char *const *kv)
{
    fw_pval *cfg = calloc(t->n_params + 1, sizeof *cfg);
    fw_param_defaults(t, cfg);
    for (size_t i = 0; kv && kv[i]; i++) {
        char name[64];
        const char *eq = strchr(kv[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv[i]), kv[i]);
        fw_err e;
        long idx = fw_param_index(t, name);
        if (idx < 0 || fw_param_parse(t, (size_t)idx, eq + 1, &cfg[idx], &e)) {
            free(cfg);
            return NULL;
        }
    }
    return cfg;
}

/* Fit members [lo, hi) (hi = 0: the whole model) with seed 11 on s. */
static fw_model *fit(const fw_model_type *t, const fw_pval *cfg, const fw_fit_data *d,
                     size_t lo, size_t hi, void *cache, fw_err *e)
{
    gsl_rng *rng = fw_rng_alloc(11, 3);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, rng);
    ctx.seed = 11;
    ctx.split_key = 5;
    ctx.member_lo = lo;
    ctx.member_hi = hi;
    ctx.cache = cache;
    fw_model *m = fw_model_alloc(t, cfg);
    int rc = fw_model_fit(m, d, &ctx, e);
    gsl_rng_free(rng);
    if (rc) {
        fw_model_free(m);
        return NULL;
    }
    return m;
}

static double *predict(const fw_model *m, const set *s)
{
    fw_err e;
    double *out = malloc(s->d->n_rows * width(s) * sizeof *out);
    if (fw_model_predict(m, &s->fit.X, s->rows, s->d->n_rows, out, &e)) {
        free(out);
        return NULL;
    }
    return out;
}

/* Predictions of a forest fitted in the given blocks, parts added last
 * block first. */
static double *blocked(const fw_model_type *t, const fw_pval *cfg, const set *s,
                       const size_t *cuts, size_t n_cuts)
{
    size_t n = s->d->n_rows, w = width(s), pw = FW_PART_WIDTH(w);
    double *acc = malloc(n * pw * sizeof *acc), *part = malloc(n * pw * sizeof *part);
    double *out = malloc(n * w * sizeof *out);
    fw_err e;
    int ok = 1;
    fw_part_zero(acc, n, w);
    for (size_t b = n_cuts - 1; ok && b > 0; b--) {
        fw_model *m = fit(t, cfg, &s->fit, cuts[b - 1], cuts[b], NULL, &e);
        ok = m && t->predict_part(m->state, &s->fit.X, s->rows, n, part, &e) == 0 &&
             fw_part_add(acc, part, n, w, &e) == 0;
        fw_model_free(m);
    }
    fw_model_info info = {s->d->task, width(s), s->d->n_features, n};
    ok = ok && t->combine(&info, acc, n, cuts[n_cuts - 1], out, &e) == 0;
    free(acc);
    free(part);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

static void check_blocks(const char *model, const char *file, const char *target)
{
    const fw_model_type *t = fw_model_find(model);
    set s;
    CHECK(t && load(file, target, &s) == 0);
    static const char *const kv[] = {"n_trees=12", "max_depth=6", NULL};
    fw_pval *cfg = config(t, kv);
    fw_err e;
    fw_model *whole = fit(t, cfg, &s.fit, 0, 0, NULL, &e);
    CHECK_MSG(whole, "%s: %s", model, e.msg);
    double *ref = predict(whole, &s);
    static const size_t b1[] = {0, 12}, b2[] = {0, 5, 12}, b3[] = {0, 7, 9, 12},
                        b4[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const size_t *blockings[] = {b1, b2, b3, b4};
    const size_t lens[] = {2, 3, 4, 13};
    size_t bytes = s.d->n_rows * width(&s) * sizeof *ref;
    for (size_t k = 0; k < 4; k++) {
        double *got = blocked(t, cfg, &s, blockings[k], lens[k]);
        int same = got && ref && memcmp(got, ref, bytes) == 0;
        free(got);
        CHECK_MSG(same, "%s on %s: blocking %zu differs from the whole forest", model, file, k);
    }
    free(ref);
    fw_model_free(whole);
    free(cfg);
    unload(&s);
}

static void members_bit_identical(void)
{
    check_blocks("random_forest", "iris.csv", "species");
    check_blocks("random_forest", "diabetes.csv", "progression");
    check_blocks("extra_trees", "breast_cancer.csv", "diagnosis");
    check_blocks("extra_trees", "diabetes.csv", "progression");
}

static void first_100_of_500(void)
{
    const fw_model_type *t = fw_model_find("random_forest");
    set s;
    CHECK(load("iris.csv", "species", &s) == 0);
    static const char *const k100[] = {"n_trees=100", NULL}, *const k500[] = {"n_trees=500", NULL};
    fw_pval *c100 = config(t, k100), *c500 = config(t, k500);
    fw_err e;
    fw_model *a = fit(t, c100, &s.fit, 0, 0, NULL, &e), *b = fit(t, c500, &s.fit, 0, 100, NULL, &e);
    CHECK(a && b);
    double *pa = predict(a, &s), *pb = predict(b, &s);
    CHECK(pa && pb);
    CHECK_MSG(memcmp(pa, pb, s.d->n_rows * 3 * sizeof *pa) == 0,
              "trees 0..99 of a 500-tree forest differ from the 100-tree forest");
    free(pa);
    free(pb);
    fw_model_free(a);
    fw_model_free(b);
    free(c100);
    free(c500);
    unload(&s);
}

static void path_equals_fits(void)
{
    const fw_model_type *t = fw_model_find("extra_trees");
    set s;
    CHECK(load("breast_cancer.csv", "diagnosis", &s) == 0);
    static const char *const k[3][2] = {{"n_trees=25", NULL}, {"n_trees=3", NULL},
                                        {"n_trees=10", NULL}};
    fw_pval *cfgs[3];
    double *outs[3];
    fw_fit_ctx ctx[3];
    fw_err errs[3];
    size_t n = s.d->n_rows;
    gsl_rng *rng = fw_rng_alloc(11, 3);
    for (size_t c = 0; c < 3; c++) {
        cfgs[c] = config(t, k[c]);
        outs[c] = malloc(n * 2 * sizeof **outs);
        fw_fit_ctx_init(&ctx[c], NULL, rng);
        ctx[c].seed = 11;
        ctx[c].split_key = 5;
    }
    int rc = t->fit_predict_path(&s.fit, (const fw_pval *const *)cfgs, 3, &s.fit.X, s.rows, n,
                                 outs, ctx, errs);
    CHECK_MSG(rc == 0 && !errs[0].code && !errs[1].code && !errs[2].code, "path failed: %s",
              errs[0].msg);
    for (size_t c = 0; c < 3; c++) {
        fw_err e;
        fw_model *m = fit(t, cfgs[c], &s.fit, 0, 0, NULL, &e);
        double *p = predict(m, &s);
        int same = p && memcmp(p, outs[c], n * 2 * sizeof *p) == 0;
        CHECK_MSG(ctx[c].n_iter == (int)cfgs[c][0].num, "n_iter %d", ctx[c].n_iter);
        free(p);
        fw_model_free(m);
        CHECK_MSG(same, "path config %zu differs from its own fit", c);
    }
    /* configurations that differ in more than n_trees are refused */
    cfgs[1][fw_param_index(t, "max_depth")] = (fw_pval){3, -1};
    rc = t->fit_predict_path(&s.fit, (const fw_pval *const *)cfgs, 3, &s.fit.X, s.rows, n, outs,
                             ctx, errs);
    CHECK(rc == FW_EINVAL && strstr(errs[0].msg, "n_trees"));
    for (size_t c = 0; c < 3; c++) {
        free(cfgs[c]);
        free(outs[c]);
    }
    gsl_rng_free(rng);
    unload(&s);
}

/* A one-feature problem: y = 1 for x > 5, NaN rows have class nan_class. */
static void nan_case(int nan_class, int *missing_left, double *p_nan)
{
    enum { N = 120 };
    double X[N], y[N];
    size_t rows[N];
    for (size_t i = 0; i < N; i++) {
        rows[i] = i;
        X[i] = i < 100 ? (double)(i % 10) : NAN;
        y[i] = i < 100 ? (X[i] > 5) : nan_class;
    }
    fw_fit_data d = {.X = {X, N, 1}, .rows = rows, .n = N, .y = y,
                     .task = FW_TASK_CLASSIFICATION, .n_classes = 2};
    const fw_model_type *t = fw_model_find("tree");
    static const char *const kv[] = {"max_depth=1", NULL};
    fw_pval *cfg = config(t, kv);
    fw_err e;
    fw_model *m = fit(t, cfg, &d, 0, 0, NULL, &e);
    fw_sb sb;
    fw_sb_init(&sb);
    *missing_left = -1;
    if (m && t->describe(m->state, &sb, &e) == 0) {
        const char *at = strstr(sb.s, "\"missing_go_to_left\":[");
        if (at)
            *missing_left = at[22] - '0';
    }
    double x = NAN, out[2] = {0, 0};
    size_t r0 = 0;
    fw_matrix one = {&x, 1, 1};
    if (m)
        fw_model_predict(m, &one, &r0, 1, out, &e);
    *p_nan = out[1];
    fw_sb_free(&sb);
    fw_model_free(m);
    free(cfg);
}

static void missing_direction_learned(void)
{
    int ml;
    double p;
    nan_case(1, &ml, &p);
    CHECK_MSG(ml == 0 && p == 1.0, "NaN rows of class 1 should go right: left=%d p=%g", ml, p);
    nan_case(0, &ml, &p);
    CHECK_MSG(ml == 1 && p == 0.0, "NaN rows of class 0 should go left: left=%d p=%g", ml, p);
}

static void nan_unseen_goes_to_larger_child(void)
{
    enum { N = 50 };
    double X[N], y[N], out[2];
    size_t rows[N];
    for (size_t i = 0; i < N; i++) {
        rows[i] = i;
        X[i] = (double)i;
        y[i] = i >= 40;   /* left child (x <= 39.5) holds 40 rows */
    }
    fw_fit_data d = {.X = {X, N, 1}, .rows = rows, .n = N, .y = y,
                     .task = FW_TASK_CLASSIFICATION, .n_classes = 2};
    const fw_model_type *t = fw_model_find("tree");
    fw_pval *cfg = config(t, NULL);
    fw_err e;
    fw_model *m = fit(t, cfg, &d, 0, 0, NULL, &e);
    CHECK(m);
    double x = NAN;
    size_t r0 = 0;
    fw_matrix one = {&x, 1, 1};
    CHECK_OK(fw_model_predict(m, &one, &r0, 1, out, &e), &e);
    CHECK_MSG(out[0] == 1.0, "NaN should follow the larger (class 0) child: p0=%g", out[0]);
    fw_model_free(m);
    free(cfg);
}

static void importances_sum_to_one(void)
{
    set s;
    CHECK(load("breast_cancer.csv", "diagnosis", &s) == 0);
    static const char *const names[] = {"tree", "random_forest", "extra_trees"};
    static const char *const kv[] = {"max_depth=4", NULL}, *const kvf[] = {"n_trees=20", NULL};
    for (size_t k = 0; k < 3; k++) {
        const fw_model_type *t = fw_model_find(names[k]);
        fw_pval *cfg = config(t, k ? kvf : kv);
        fw_err e;
        fw_model *m = fit(t, cfg, &s.fit, 0, 0, NULL, &e);
        CHECK(m);
        double imp[64], sum = 0;
        CHECK_OK(t->importances(m->state, imp, s.d->n_features, &e), &e);
        for (size_t j = 0; j < s.d->n_features; j++) {
            CHECK(imp[j] >= 0);
            sum += imp[j];
        }
        CHECK_NEAR(sum, 1.0, 1e-12);
        fw_model_free(m);
        free(cfg);
    }
    unload(&s);
}

static void oob_score_reported(void)
{
    set s;
    CHECK(load("breast_cancer.csv", "diagnosis", &s) == 0);
    const fw_model_type *t = fw_model_find("random_forest");
    static const char *const kv[] = {"n_trees=40", "oob_score=true", NULL};
    fw_pval *cfg = config(t, kv);
    fw_err e;
    fw_model *m = fit(t, cfg, &s.fit, 0, 0, NULL, &e);
    CHECK(m);
    fw_sb sb;
    fw_sb_init(&sb);
    CHECK_OK(t->describe(m->state, &sb, &e), &e);
    const char *at = strstr(sb.s, "\"oob_score\":");
    double oob = at ? strtod(at + 12, NULL) : -1;
    CHECK_MSG(oob > 0.85 && oob <= 1.0, "oob_score %g in %s", oob, sb.s);
    fw_sb_free(&sb);
    fw_model_free(m);
    /* oob_score needs bootstrap */
    static const char *const bad[] = {"oob_score=true", "bootstrap=false", NULL};
    fw_pval *cb = config(t, bad);
    fw_model_info info = {FW_TASK_CLASSIFICATION, 2, s.d->n_features, s.d->n_rows};
    CHECK(t->check(cb, &info, &e) == FW_EINVAL && strstr(e.msg, "bootstrap"));
    free(cb);
    free(cfg);
    unload(&s);
}

static void deadline_stops_forest_midway(void)
{
    set s;
    CHECK(load("iris.csv", "species", &s) == 0);
    const fw_model_type *t = fw_model_find("random_forest");
    fw_pval *cfg = config(t, NULL);
    long budget = 5;
    fw_deadline dl = {0, NULL, &budget};
    gsl_rng *rng = fw_rng_alloc(1, 1);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, &dl, rng);
    void *state = calloc(1, t->state_size);
    fw_err e = {0};
    int rc = t->fit(state, &s.fit, cfg, &ctx, &e);
    t->free_state(state);
    free(state);
    gsl_rng_free(rng);
    free(cfg);
    unload(&s);
    CHECK_MSG(rc == FW_ETIMEOUT && ctx.n_iter == 4, "rc %d after %d trees: %s", rc, ctx.n_iter,
              e.msg);
    CHECK(strstr(e.msg, "4 of 100 trees"));
}

static void cache_shared_and_reused(void)
{
    set s;
    CHECK(load("diabetes.csv", "progression", &s) == 0);
    const fw_model_type *t = fw_model_find("random_forest");
    static const char *const kv[] = {"n_trees=10", NULL};
    fw_pval *cfg = config(t, kv);
    fw_model_cache cache = {0};
    fw_err e;
    fw_model *a = fit(t, cfg, &s.fit, 0, 0, NULL, &e), *b = fit(t, cfg, &s.fit, 0, 0, &cache, &e);
    CHECK(a && b && cache.entry);
    void *entry = cache.entry;
    fw_model *c = fit(t, cfg, &s.fit, 0, 0, &cache, &e);
    CHECK_MSG(c && cache.entry == entry, "the cache entry was rebuilt for the same rows");
    double *pa = predict(a, &s), *pb = predict(b, &s), *pc = predict(c, &s);
    size_t bytes = s.d->n_rows * sizeof *pa;
    CHECK(memcmp(pa, pb, bytes) == 0 && memcmp(pa, pc, bytes) == 0);
    fw_fit_data half = s.fit;
    half.n = s.fit.n / 2;
    fw_model *h = fit(t, cfg, &half, 0, 0, &cache, &e);
    CHECK_MSG(h && cache.entry && ((const fw_cart_codes *)cache.entry)->n == half.n,
              "other rows should replace the entry");
    free(pa);
    free(pb);
    free(pc);
    fw_model_free(a);
    fw_model_free(b);
    fw_model_free(c);
    fw_model_free(h);
    fw_model_cache_clear(&cache);
    CHECK(!cache.entry);
    free(cfg);
    unload(&s);
}

static void max_features_rules(void)
{
    set s;
    CHECK(load("breast_cancer.csv", "diagnosis", &s) == 0);
    const fw_model_type *t = fw_model_find("tree");
    /* shallow trees: fully grown ones are perfect on their training rows */
    static const char *const one[] = {"max_features=1", "max_depth=3", NULL};
    static const char *const all[] = {"max_features=none", "max_depth=3", NULL};
    static const char *const two[] = {"max_features=2", "max_depth=3", NULL};
    static const char *const bad[] = {"max_features=2.5", NULL};
    static const char *const big[] = {"max_features=31", NULL};
    fw_pval *c1 = config(t, one), *ca = config(t, all), *c2 = config(t, two);
    fw_pval *cb = config(t, bad), *cg = config(t, big);
    fw_err e;
    fw_model *m1 = fit(t, c1, &s.fit, 0, 0, NULL, &e), *ma = fit(t, ca, &s.fit, 0, 0, NULL, &e);
    fw_model *m2 = fit(t, c2, &s.fit, 0, 0, NULL, &e);
    CHECK(m1 && ma && m2);
    double *p1 = predict(m1, &s), *pa = predict(ma, &s), *p2 = predict(m2, &s);
    size_t bytes = s.d->n_rows * 2 * sizeof *p1;
    CHECK_MSG(memcmp(p1, pa, bytes) == 0, "max_features=1 should mean all features");
    CHECK_MSG(memcmp(p2, pa, bytes) != 0, "max_features=2 should mean two features");
    fw_model_info info = {FW_TASK_CLASSIFICATION, 2, s.d->n_features, s.d->n_rows};
    CHECK(t->check(cb, &info, &e) == FW_EINVAL && strstr(e.msg, "max_features"));
    CHECK(t->check(cg, &info, &e) == FW_EINVAL && strstr(e.msg, "max_features"));
    free(p1);
    free(pa);
    free(p2);
    fw_model_free(m1);
    fw_model_free(ma);
    fw_model_free(m2);
    free(c1);
    free(ca);
    free(c2);
    free(cb);
    free(cg);
    unload(&s);
}

/* Weight 2 on every third row == those rows duplicated (same tree, same
 * probabilities), for the best and the random splitter. */
static void weights_are_copies(void)
{
    set s;
    CHECK(load("iris.csv", "species", &s) == 0);
    size_t n = s.d->n_rows, p = s.d->n_features, m = n + n / 3 + 1, k = 0;
    double *w = malloc(n * sizeof *w), *X2 = malloc(m * p * sizeof *X2), *y2 = malloc(m * sizeof *y2);
    size_t *rows2 = malloc(m * sizeof *rows2);
    for (size_t i = 0; i < n; i++) {
        w[i] = i % 3 == 0 ? 2 : 1;
        for (size_t c = 0; c < (size_t)w[i]; c++, k++) {
            for (size_t j = 0; j < p; j++)
                X2[j * m + k] = s.d->X[j * n + i];
            y2[k] = s.d->y[i];
            rows2[k] = k;
        }
    }
    fw_fit_data wd = s.fit, dd = s.fit;
    wd.w = w;
    dd.X = (fw_matrix){X2, m, p};
    dd.rows = rows2;
    dd.n = k;
    dd.y = y2;
    static const char *const best[] = {NULL}, *const rnd[] = {"splitter=random", NULL};
    const fw_model_type *t = fw_model_find("tree");
    for (int v = 0; v < 2; v++) {
        fw_pval *cfg = config(t, v ? rnd : best);
        fw_err e;
        fw_model *a = fit(t, cfg, &wd, 0, 0, NULL, &e), *b = fit(t, cfg, &dd, 0, 0, NULL, &e);
        CHECK(a && b);
        double *pa = predict(a, &s), *pb = predict(b, &s);
        int same = pa && pb && memcmp(pa, pb, n * 3 * sizeof *pa) == 0;
        free(pa);
        free(pb);
        fw_model_free(a);
        fw_model_free(b);
        free(cfg);
        CHECK_MSG(same, "weight 2 differs from a duplicated row (splitter %s)", v ? "random" : "best");
    }
    free(w);
    free(X2);
    free(y2);
    free(rows2);
    unload(&s);
}

/* One tree through the builder directly; sorted = 0 hides the split's
 * presorted lists, forcing per-node sorting. */
static int build_one(const set *s, const char *model, const char *const *kv, int sorted,
                     fw_cart_tree *out)
{
    const fw_model_type *t = fw_model_find(model);
    fw_pval *cfg = config(t, kv);
    fw_cart_params prm;
    fw_cart_fitdata fd;
    fw_err e;
    int rc = fw_cart_params_resolve(t, cfg, s->d->task, s->d->n_features, s->d->n_rows, &prm, &e);
    rc = rc ? rc : fw_cart_fitdata_init(&fd, &s->fit, prm.criterion, 0, 1, NULL, &e);
    free(cfg);
    if (rc)
        return rc;
    uint64_t *keep = fd.owned->sorted;
    if (!sorted)
        fd.owned->sorted = NULL;
    fw_cart_work *wk = fw_cart_work_alloc(s->d->n_rows, s->d->n_features, fd.cd.k);
    gsl_rng *rng = fw_rng_alloc(3, 4);
    rc = fw_cart_build(&fd.cd, &prm, fd.w, rng, wk, out, &e);
    fd.owned->sorted = keep;
    gsl_rng_free(rng);
    fw_cart_work_free(wk);
    fw_cart_fitdata_free(&fd);
    return rc;
}

static int same_tree(const fw_cart_tree *a, const fw_cart_tree *b)
{
    return a->n_nodes == b->n_nodes &&
           !memcmp(a->node, b->node, a->n_nodes * sizeof *a->node) &&
           !memcmp(a->value, b->value, a->n_nodes * a->width * sizeof *a->value) &&
           !memcmp(a->impurity, b->impurity, a->n_nodes * sizeof *a->impurity) &&
           !memcmp(a->n_samples, b->n_samples, a->n_nodes * sizeof *a->n_samples);
}

static void presort_and_node_sort_agree(void)
{
    static const char *const cases[][4] = {
        {"breast_cancer.csv", "diagnosis", "tree", "max_features=sqrt"},
        {"digits.csv", "digit", "tree", "criterion=entropy"},
        {"diabetes.csv", "progression", "tree", "min_samples_leaf=3"},
        {"diabetes.csv", "progression", "tree", "criterion=absolute_error"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        set s;
        CHECK(load(cases[c][0], cases[c][1], &s) == 0);
        const char *kv[] = {cases[c][3], NULL};
        fw_cart_tree a, b;
        CHECK(build_one(&s, cases[c][2], kv, 1, &a) == 0 && build_one(&s, cases[c][2], kv, 0, &b) == 0);
        int same = same_tree(&a, &b);
        size_t na = a.n_nodes;
        fw_cart_tree_free(&a);
        fw_cart_tree_free(&b);
        unload(&s);
        CHECK_MSG(same && na > 3, "%s %s: presorted and per-node sorted trees differ", cases[c][0],
                  cases[c][3]);
    }
}

static void parts_round_trip(void)
{
    int64_t s[3] = {-5, (int64_t)1 << 62, -((int64_t)1 << 40) - 7}, back[3];
    double row[7], other[7];
    int q;
    fw_part_encode(row, -46, s, 3);
    CHECK(fw_part_decode(row, 3, &q, back) == 0 && q == -46);
    CHECK(memcmp(s, back, sizeof s) == 0);
    for (size_t i = 0; i < 7; i++)
        CHECK(row[i] == floor(row[i]));
    fw_err e;
    fw_part_encode(other, -40, s, 3);
    CHECK(fw_part_add(row, other, 1, 3, &e) == FW_EINVAL && strstr(e.msg, "scales"));
    fw_part_encode(other, -46, s, 3);
    CHECK(fw_part_add(row, other, 1, 3, &e) == FW_EINVAL && strstr(e.msg, "overflow"));
    row[2] = 0.5;
    CHECK(fw_part_decode(row, 3, &q, back) == FW_EINVAL);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {T(members_bit_identical),
                                     T(first_100_of_500),
                                     T(path_equals_fits),
                                     T(missing_direction_learned),
                                     T(nan_unseen_goes_to_larger_child),
                                     T(importances_sum_to_one),
                                     T(oob_score_reported),
                                     T(deadline_stops_forest_midway),
                                     T(cache_shared_and_reused),
                                     T(max_features_rules),
                                     T(weights_are_copies),
                                     T(presort_and_node_sort_agree),
                                     T(parts_round_trip),
                                     {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
