/* test_model_gbdt.c: what is specific to hist_gbdt. The histogram
 * subtraction trick and the n_iter path give the trees and predictions of
 * computing without them; bins see the training rows only (an extreme test
 * row moves no threshold) and follow numpy's midpoint percentiles; the
 * direction of missing values is learned (and a feature without NaN in
 * training sends NaN to the larger child); early stopping stops by
 * scikit-learn's rule and 'auto' switches at 10,000 rows; the deadline;
 * the binning cache is hit and changes nothing; importances; a damaged saved
 * model is refused; class_weight = balanced equals sample weights times
 * n / (classes * count) over all the rows given to the fit (before the
 * early-stopping split), and is refused for regression. Parity with scikit-learn and XGBoost is
 * tests/parity/gbdt_parity.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "foldwise/data.h"
#include "foldwise/model.h"
#include "harness.h"
#include "models/hgb_int.h"

/* Data sets: the harness's loader (features as they are), and synth()
 * below with its own targets in s->y. */
typedef fwt_set set;

static int load(const char *file, const char *target, set *s, fw_err *e)
{
    return fwt_set_load(file, target, 0, s, e);
}

static void unload(set *s) { fwt_set_free(s); }

/* A synthetic binary problem: n rows, p features, label from the first two. */
static void synth(set *s, size_t n, size_t p, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    memset(s, 0, sizeof *s);
    s->X = malloc(n * p * sizeof *s->X);
    s->rows = malloc(n * sizeof *s->rows);
    double *y = s->y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n * p; i++)
        s->X[i] = gsl_ran_gaussian(r, 1.0);
    for (size_t i = 0; i < n; i++) {
        s->rows[i] = i;
        y[i] = s->X[i] + 0.5 * s->X[n + i] + gsl_ran_gaussian(r, 1.0) > 0;
    }
    gsl_rng_free(r);
    s->fit = (fw_fit_data){{s->X, n, p}, s->rows, n, y, NULL, FW_TASK_CLASSIFICATION, 2, NULL};
}

static void cfg_set(const fw_model_type *t, fw_pval *cfg, const char *const *set_)
{
    fw_param_defaults(t, cfg);
    for (size_t i = 0; set_ && set_[i]; i += 2) {
        long idx = fw_param_index(t, set_[i]);
        fw_err e;
        if (idx < 0 || fw_param_parse(t, (size_t)idx, set_[i + 1], &cfg[idx], &e))
            fprintf(stderr, "bad test setting %s=%s\n", set_[i], set_[i + 1]);
    }
}

/* Fit hist_gbdt with settings on fd; NULL with *e filled on failure. */
static fw_model *fit(const fw_fit_data *fd, const char *const *set_, void *cache, long *budget,
                     fw_fit_ctx *ctx_out, fw_err *e)
{
    const fw_model_type *t = fw_model_find("hist_gbdt");
    fw_pval cfg[16];
    cfg_set(t, cfg, set_);
    fw_deadline dl = {0, NULL, budget};
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, budget ? &dl : NULL, NULL);
    ctx.seed = 3;
    ctx.split_key = 11;
    ctx.cache = cache;
    fw_model *m = fw_model_alloc(t, cfg);
    int rc = fw_model_fit(m, fd, &ctx, e);
    if (ctx_out)
        *ctx_out = ctx;
    if (rc) {
        fw_model_free(m);
        return NULL;
    }
    return m;
}

static double *predict_all(const fw_model *m, const set *s)
{
    size_t n = s->fit.X.ld, w = s->fit.task == FW_TASK_CLASSIFICATION ? s->fit.n_classes : 1;
    double *out = malloc(n * w * sizeof *out);
    fw_err e;
    if (fw_model_predict(m, &s->fit.X, NULL, n, out, &e)) {
        free(out);
        return NULL;
    }
    return out;
}

static const fw_hgb_state *st(const fw_model *m) { return m->state; }

/* ---- subtraction trick -------------------------------------------------------- */

/* Trees of a and b: same splits, leaf values equal to rounding. */
static int same_trees(const fw_hgb_state *a, const fw_hgb_state *b, char *why, size_t n)
{
    if (a->forest.n_nodes != b->forest.n_nodes || a->n_iter != b->n_iter)
        return snprintf(why, n, "%zu vs %zu nodes", a->forest.n_nodes, b->forest.n_nodes), 0;
    for (size_t i = 0; i < a->forest.n_nodes; i++) {
        const fw_hgb_node *x = &a->forest.nodes[i], *y = &b->forest.nodes[i];
        if (x->feature != y->feature || x->bin != y->bin || x->left != y->left ||
            x->count != y->count || x->missing_left != y->missing_left)
            return snprintf(why, n, "node %zu differs", i), 0;
        if (fabs(x->value - y->value) > 1e-9 * (1 + fabs(x->value)))
            return snprintf(why, n, "node %zu value %.17g vs %.17g", i, x->value, y->value), 0;
    }
    return 1;
}

static void check_subtraction(const char *file, const char *target, const char *const *set_)
{
    set s;
    fw_err e = {0};
    char why[128] = "";
    CHECK_OK(load(file, target, &s, &e), &e);
    fw_model *a = fit(&s.fit, set_, NULL, NULL, NULL, &e);
    fw_hgb_set_no_subtraction(1);
    fw_model *b = fit(&s.fit, set_, NULL, NULL, NULL, &e);
    fw_hgb_set_no_subtraction(0);
    CHECK_MSG(a && b, "fit failed: %s", e.msg);
    int same = same_trees(st(a), st(b), why, sizeof why);
    double *pa = predict_all(a, &s), *pb = predict_all(b, &s), worst = 0;
    size_t w = s.fit.task == FW_TASK_CLASSIFICATION ? s.fit.n_classes : 1;
    for (size_t i = 0; pa && pb && i < s.d->n_rows * w; i++)
        worst = fmax(worst, fabs(pa[i] - pb[i]) / (1 + fabs(pa[i])));
    free(pa);
    free(pb);
    fw_model_free(a);
    fw_model_free(b);
    unload(&s);
    CHECK_MSG(same, "%s: trees differ without subtraction: %s", file, why);
    CHECK_MSG(worst <= 1e-9, "%s: predictions differ by %g", file, worst);
}

static void subtraction_changes_nothing(void)
{
    static const char *const deep[] = {"max_leaves", "none", "max_depth", "6",
                                       "min_samples_leaf", "3", NULL};
    check_subtraction("breast_cancer.csv", "diagnosis", NULL);
    check_subtraction("digits.csv", "digit", (const char *const[]){"n_iter", "20", NULL});
    check_subtraction("diabetes.csv", "progression", deep);
}

/* ---- the n_iter path --------------------------------------------------------- */

static void check_path(set *s, const char *es)
{
    const fw_model_type *t = fw_model_find("hist_gbdt");
    static const char *const iters[] = {"7", "60", "25", "60"};
    enum { NC = 4 };
    fw_pval cfg[NC][16];
    const fw_pval *cp[NC];
    double *out[NC], *cold[NC];
    fw_fit_ctx ctx[NC], cctx[NC];
    fw_err errs[NC], e = {0};
    size_t n = s->fit.n, w = s->fit.n_classes ? s->fit.n_classes : 1;
    for (int c = 0; c < NC; c++) {
        const char *const set_[] = {"n_iter", iters[c], "early_stopping", es,
                                    "n_iter_no_change", "3", NULL};
        cfg_set(t, cfg[c], set_);
        cp[c] = cfg[c];
        out[c] = malloc(n * w * sizeof(double));
        fw_fit_ctx_init(&ctx[c], NULL, NULL);
        ctx[c].seed = 3;
        ctx[c].split_key = 11;
        fw_model *m = fit(&s->fit, set_, NULL, NULL, &cctx[c], &e);
        CHECK_MSG(m, "cold fit failed: %s", e.msg);
        cold[c] = predict_all(m, s);
        fw_model_free(m);
    }
    memset(errs, 0, sizeof errs);
    CHECK_OK(t->fit_predict_path(&s->fit, cp, NC, &s->fit.X, s->rows, n, out, ctx, errs), &e);
    for (int c = 0; c < NC; c++) {
        CHECK_MSG(errs[c].code == 0, "config %d: %s", c, errs[c].msg);
        CHECK_MSG(memcmp(out[c], cold[c], n * w * sizeof(double)) == 0,
                  "early_stopping=%s: path config %d differs from its cold fit", es, c);
        CHECK_EQ_INT(ctx[c].n_iter, cctx[c].n_iter);
        CHECK_EQ_INT(ctx[c].converged, cctx[c].converged);
        free(out[c]);
        free(cold[c]);
    }
}

static void path_equals_cold_fits(void)
{
    set s;
    fw_err e = {0};
    CHECK_OK(load("wine.csv", "cultivar", &s, &e), &e);
    check_path(&s, "false");
    check_path(&s, "true");
    unload(&s);
    CHECK_OK(load("diabetes.csv", "progression", &s, &e), &e);
    check_path(&s, "false");
    unload(&s);
}

/* ---- binning ----------------------------------------------------------------- */

static void thresholds_as_numpy(void)
{
    double v[1000], thr[260];
    for (int i = 0; i < 1000; i++)
        v[i] = i;
    /* 5 distinct values, 255 bins: midpoints */
    CHECK_EQ_INT(fw_hgb_thresholds(v, 5, 255, thr), 4);
    CHECK(thr[0] == 0.5 && thr[3] == 3.5);
    /* numpy.percentile(arange(1000), [25, 50, 75], method="midpoint") */
    CHECK_EQ_INT(fw_hgb_thresholds(v, 1000, 4, thr), 3);
    CHECK(thr[0] == 249.5 && thr[1] == 499.5 && thr[2] == 749.5);
    /* duplicates count as one value; a huge value is clipped to 1e300 */
    double d[] = {1, 1, 1, 2, 2, 1e308};
    CHECK_EQ_INT(fw_hgb_thresholds(d, 6, 255, thr), 2);
    CHECK(thr[0] == 1.5 && thr[1] == 1e300);
}

static void bins_see_training_rows_only(void)
{
    set s;
    fw_err e = {0};
    char why[128] = "";
    CHECK_OK(load("breast_cancer.csv", "diagnosis", &s, &e), &e);
    size_t n = s.d->n_rows, ntr = 0;
    size_t *tr = malloc(n * sizeof *tr);
    for (size_t i = 0; i < n; i++)
        if (i % 4)
            tr[ntr++] = i;
    fw_fit_data fd = s.fit;
    fd.rows = tr;
    fd.n = ntr;
    fw_model *a = fit(&fd, NULL, NULL, NULL, NULL, &e);
    for (size_t j = 0; j < s.fit.X.n_cols; j++)
        s.X[j * n + 0] = 1e12;   /* row 0 is a test row */
    fw_model *b = fit(&fd, NULL, NULL, NULL, NULL, &e);
    fw_hgb_bins bins = {0};
    CHECK_OK(fw_hgb_bins_fit(&bins, &s.fit.X, tr, ntr, 255, NULL, &e), &e);
    double top = 0;
    for (size_t k = 0; k < bins.thr_off[bins.p]; k++)
        top = fmax(top, bins.thr[k]);
    fw_hgb_bins_clear(&bins);
    int same = a && b && same_trees(st(a), st(b), why, sizeof why);
    int bitwise = same && memcmp(st(a)->forest.nodes, st(b)->forest.nodes,
                                 st(a)->forest.n_nodes * sizeof(fw_hgb_node)) == 0;
    fw_model_free(a);
    fw_model_free(b);
    free(tr);
    unload(&s);
    CHECK_MSG(bitwise, "an extreme test row changed the model: %s", why);
    CHECK_MSG(top < 1e6, "a threshold reached %g", top);
}

/* Above 200,000 rows the thresholds come from a subsample of 200,000 rows
 * drawn with the given stream: near the full data's, the same for the same
 * stream. */
static void bins_subsample_large(void)
{
    enum { N = 210000 };
    double *X = malloc(N * sizeof *X);
    size_t *rows = malloc(N * sizeof *rows);
    for (size_t i = 0; i < N; i++) {
        X[i] = (double)((i * 7919) % N);
        rows[i] = i;
    }
    fw_matrix M = {X, N, 1};
    fw_hgb_bins a = {0}, b = {0};
    fw_err e = {0};
    gsl_rng *r1 = fw_rng_alloc(5, 9), *r2 = fw_rng_alloc(5, 9);
    int rc = fw_hgb_bins_fit(&a, &M, rows, N, 255, r1, &e) || fw_hgb_bins_fit(&b, &M, rows, N, 255,
                                                                            r2, &e);
    int same = !rc && a.thr_off[1] == 254 && b.thr_off[1] == 254 &&
               memcmp(a.thr, b.thr, 254 * sizeof *a.thr) == 0;
    double worst = 0;
    for (size_t k = 0; !rc && k < 254; k++)
        worst = fmax(worst, fabs(a.thr[k] - (double)(k + 1) * N / 255.0));
    fw_hgb_bins_clear(&a);
    fw_hgb_bins_clear(&b);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    free(X);
    free(rows);
    CHECK_MSG(same, "subsampled thresholds: rc %d, not reproducible", rc);
    CHECK_MSG(worst < 0.01 * N, "a threshold is %g rows off its percentile", worst);
}

/* ---- missing values ---------------------------------------------------------- */

static void missing_direction_learned(void)
{
    enum { N = 400 };
    double X[N], y[N], Q[3] = {NAN, 0.05, 0.9}, out[6];
    size_t rows[N];
    /* y = 1 when x is missing or small: missing values belong on the left. */
    for (int i = 0; i < N; i++) {
        rows[i] = (size_t)i;
        X[i] = i % 5 == 0 ? NAN : (double)(i % 97) / 97.0;
        y[i] = isnan(X[i]) || X[i] < 0.3;
    }
    fw_fit_data fd = {{X, N, 1}, rows, N, y, NULL, FW_TASK_CLASSIFICATION, 2, NULL};
    fw_err e = {0};
    fw_model *m = fit(&fd, (const char *const[]){"max_leaves", "3", NULL}, NULL, NULL, NULL, &e);
    CHECK_MSG(m, "fit failed: %s", e.msg);
    const fw_hgb_node *root = st(m)->forest.nodes;
    int ml = root->missing_left;
    double thr = root->threshold;
    fw_matrix QM = {Q, 3, 1};
    int rc = fw_model_predict(m, &QM, (const size_t[]){0, 1, 2}, 3, out, &e);
    fw_model_free(m);
    CHECK_OK(rc, &e);
    CHECK_MSG(ml && thr > 0.25 && thr < 0.35, "root: missing_left %d threshold %g", ml, thr);
    CHECK_MSG(out[1] > 0.9 && out[3] > 0.9 && out[4] > 0.9, "NaN row p1 %g", out[1]);
    /* Without NaN in training: NaN follows the larger child (x >= 0.3 here). */
    for (int i = 0; i < N; i++) {
        X[i] = (double)(i % 97) / 97.0;
        y[i] = X[i] < 0.3;
    }
    m = fit(&fd, (const char *const[]){"max_leaves", "2", NULL}, NULL, NULL, NULL, &e);
    CHECK_MSG(m, "fit failed: %s", e.msg);
    rc = fw_model_predict(m, &QM, (const size_t[]){0, 1, 2}, 3, out, &e);
    ml = st(m)->forest.nodes[0].missing_left;
    fw_model_free(m);
    CHECK_OK(rc, &e);
    CHECK_MSG(!ml && out[0] == out[4], "NaN went left (%d) or not with x = 0.9", ml);
}

/* ---- early stopping ---------------------------------------------------------- */

static void early_stopping_stops(void)
{
    set s;
    fw_err e = {0};
    fw_fit_ctx ctx;
    synth(&s, 2000, 5, 1);
    const char *const set_[] = {"early_stopping", "true", "n_iter", "500",
                                "n_iter_no_change", "5", "learning_rate", "0.5", NULL};
    fw_model *m = fit(&s.fit, set_, NULL, NULL, &ctx, &e);
    CHECK_MSG(m, "fit failed: %s", e.msg);
    const fw_hgb_state *h = st(m);
    size_t it = h->n_iter;
    int ok = it < 500 && ctx.n_iter == (int)it && ctx.converged == 1 && h->val_loss;
    /* scikit-learn's rule: none of the last 5 beat the one before them by tol */
    for (size_t i = it - 4; ok && i <= it; i++)
        ok = h->val_loss[i] >= h->val_loss[it - 5] - 1e-7;
    for (size_t i = 5; ok && i < it; i++) {   /* and it did not hold earlier */
        int all = 1;
        for (size_t k = i - 4; k <= i; k++)
            all = all && h->val_loss[k] >= h->val_loss[i - 5] - 1e-7;
        ok = !all;
    }
    fw_model_free(m);
    unload(&s);
    CHECK_MSG(ok, "stopped after %zu iterations (ctx %d, converged %d)", it, ctx.n_iter,
              ctx.converged);
}

static void early_stopping_auto_at_10000(void)
{
    set s;
    fw_err e = {0};
    synth(&s, 10001, 2, 2);
    const char *const set_[] = {"n_iter", "2", NULL};
    fw_model *a = fit(&s.fit, set_, NULL, NULL, NULL, &e);
    s.fit.n = 10000;
    fw_model *b = fit(&s.fit, set_, NULL, NULL, NULL, &e);
    int ea = a && st(a)->early_stopping, eb = b && st(b)->early_stopping;
    fw_model_free(a);
    fw_model_free(b);
    unload(&s);
    CHECK_MSG(ea && !eb, "auto gave %d at 10001 rows and %d at 10000", ea, eb);
}

/* ---- class_weight ------------------------------------------------------------- */

/* Balanced class weights = explicit weights n / (2 count_c) over the fit's
 * rows (not the rows left after the validation split), times the sample
 * weights: the same trees and validation losses; and not what none gives. */
static void class_weight_balanced(void)
{
    set s;
    fw_err e = {0};
    char why[128] = "";
    synth(&s, 1400, 4, 7);
    size_t n = 1200, cnt[2] = {0, 0};
    double *sw = malloc(s.fit.X.ld * sizeof *sw), *ew = malloc(s.fit.X.ld * sizeof *ew);
    for (size_t i = 0; i < s.fit.X.ld; i++) {
        s.y[i] = s.y[i] > 0 && s.X[i] > 0.4;   /* about 1 in 5 positive */
        sw[i] = 1.0 + (double)(i % 3);
    }
    s.fit.rows = s.rows + 100;
    s.fit.n = n;
    for (size_t i = 0; i < n; i++)
        cnt[(size_t)s.y[s.fit.rows[i]]]++;
    for (size_t i = 0; i < s.fit.X.ld; i++)
        ew[i] = sw[i] * ((double)n / (2.0 * (double)cnt[(size_t)s.y[i]]));
    const char *const bal[] = {"early_stopping", "true", "n_iter", "30", "class_weight",
                               "balanced", NULL};
    const char *const plain[] = {"early_stopping", "true", "n_iter", "30", NULL};
    s.fit.w = sw;
    fw_model *a = fit(&s.fit, bal, NULL, NULL, NULL, &e), *c = fit(&s.fit, plain, NULL, NULL,
                                                                   NULL, &e);
    s.fit.w = ew;
    fw_model *b = fit(&s.fit, plain, NULL, NULL, NULL, &e);
    CHECK_MSG(a && b && c, "fit failed: %s", e.msg);
    int same = same_trees(st(a), st(b), why, sizeof why);
    int same_val = st(a)->val_loss && st(b)->val_loss &&
                   st(a)->val_loss[st(a)->n_iter] == st(b)->val_loss[st(b)->n_iter];
    int differs = !same_trees(st(a), st(c), why + 64, 64);
    fw_model_free(a);
    fw_model_free(b);
    fw_model_free(c);
    free(sw);
    free(ew);
    unload(&s);
    CHECK_MSG(cnt[1] > 100 && cnt[1] < 400, "%zu positives of %zu: not imbalanced", cnt[1], n);
    CHECK_MSG(same, "balanced vs explicit weights: %s", why);
    CHECK_MSG(same_val, "validation losses differ");
    CHECK_MSG(differs, "balanced gave the trees of class_weight=none");
}

static void class_weight_regression_refused(void)
{
    set s;
    fw_err e = {0};
    CHECK_OK(load("diabetes.csv", "progression", &s, &e), &e);
    const char *const bal[] = {"class_weight", "balanced", NULL};
    fw_model *m = fit(&s.fit, bal, NULL, NULL, NULL, &e);
    int named = strstr(e.msg, "class_weight") != NULL;
    fw_model_free(m);
    unload(&s);
    CHECK_MSG(!m && named, "regression with class_weight: %s", m ? "accepted" : e.msg);
}

/* ---- deadline, cache, importances, damaged model ------------------------------ */

static void deadline_mid_fit(void)
{
    set s;
    fw_err e = {0};
    long budget = 6;   /* one poll in fw_model_fit, then one per iteration */
    synth(&s, 500, 3, 3);
    fw_model *m = fit(&s.fit, NULL, NULL, &budget, NULL, &e);
    fw_model_free(m);
    unload(&s);
    CHECK_MSG(!m && e.code == FW_ETIMEOUT && strstr(e.msg, "after 4 of 100"),
              "deadline: %s", e.msg);
}

/* The worker's cache slot: the second fit on the split borrows the first
 * one's bins (same entry), another max_bins replaces them; cached fits equal
 * uncached ones bit for bit. */
static void cache_is_shared(void)
{
    set s;
    fw_err e = {0};
    CHECK_OK(load("breast_cancer.csv", "diagnosis", &s, &e), &e);
    fw_model_cache slot = {0};
    const char *const a_[] = {"learning_rate", "0.2", NULL}, *const b_[] = {"max_leaves", "7",
                                                                              NULL};
    fw_model *a = fit(&s.fit, a_, &slot, NULL, NULL, &e);
    const void *first = slot.entry;
    fw_model *b = fit(&s.fit, b_, &slot, NULL, NULL, &e);
    int reused = first && slot.entry == first;
    fw_model *a0 = fit(&s.fit, a_, NULL, NULL, NULL, &e), *b0 = fit(&s.fit, b_, NULL, NULL, NULL,
                                                                    &e);
    fw_model *m7 = fit(&s.fit, (const char *const[]){"max_bins", "7", NULL}, &slot, NULL, NULL,
                       &e);
    int replaced = slot.entry && slot.entry != first && ((fw_hgb_bins *)slot.entry)->max_bins == 7;
    int ok = a && b && a0 && b0 && m7;
    int same = ok && memcmp(st(a)->forest.nodes, st(a0)->forest.nodes,
                            st(a)->forest.n_nodes * sizeof(fw_hgb_node)) == 0 &&
               memcmp(st(b)->forest.nodes, st(b0)->forest.nodes,
                      st(b)->forest.n_nodes * sizeof(fw_hgb_node)) == 0;
    fw_model_free(a);
    fw_model_free(b);
    fw_model_free(a0);
    fw_model_free(b0);
    fw_model_free(m7);
    fw_model_cache_clear(&slot);
    unload(&s);
    CHECK_MSG(ok, "fit failed: %s", e.msg);
    CHECK_MSG(same, "a cached fit differs from an uncached one");
    CHECK_MSG(reused && replaced, "cache entry reused %d, replaced %d", reused, replaced);
}

static void importances_and_damage(void)
{
    set s;
    fw_err e = {0};
    double imp[5], total = 0;
    synth(&s, 1000, 5, 4);
    fw_model *m = fit(&s.fit, NULL, NULL, NULL, NULL, &e);
    CHECK_MSG(m, "fit failed: %s", e.msg);
    CHECK_OK(m->type->importances(m->state, imp, 5, &e), &e);
    for (int j = 0; j < 5; j++)
        total += imp[j];
    fw_sb sb;
    fw_sb_init(&sb);
    CHECK_OK(m->type->save(m->state, &sb, &e), &e);
    fw_hgb_state loaded;
    sb.s[sb.len - 200] ^= 0x5a;   /* inside the losses: still loads */
    int rc1 = m->type->load(&loaded, sb.s, sb.len, &e);
    fw_hgb_free(&loaded);
    int rc2 = m->type->load(&loaded, sb.s, sb.len - 3, &e);   /* truncated */
    fw_sb_free(&sb);
    fw_model_free(m);
    unload(&s);
    CHECK_NEAR(total, 1.0, 1e-12);
    CHECK_MSG(imp[0] > imp[1] && imp[1] > imp[2] && imp[1] > imp[3] && imp[1] > imp[4],
              "importances %g %g %g %g %g", imp[0], imp[1], imp[2], imp[3], imp[4]);
    CHECK_EQ_INT(rc1, FW_OK);
    CHECK_MSG(rc2 == FW_EINVAL && strstr(e.msg, "damaged"), "truncated model: %d %s", rc2,
              e.msg);
}

static void median_matches_sort(void)
{
    double v[] = {5, 1, 4, 2, 3, 9}, w[] = {1, 1, 1, 1, 1, 10};
    CHECK(fw_hgb_median((double[]){5, 1, 4, 2, 3}, NULL, 5) == 3);
    CHECK(fw_hgb_median((double[]){5, 1, 4, 2, 3, 9}, NULL, 6) == 3.5);
    CHECK(fw_hgb_median((double[]){7, 7, 7, 7}, NULL, 4) == 7);
    CHECK(fw_hgb_median(v, w, 6) == 9);   /* weight 10 of 15 on 9 */
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {
        T(subtraction_changes_nothing), T(path_equals_cold_fits),
        T(thresholds_as_numpy),         T(bins_see_training_rows_only),
        T(bins_subsample_large),
        T(missing_direction_learned),   T(early_stopping_stops),
        T(early_stopping_auto_at_10000), T(deadline_mid_fit),
        T(cache_is_shared),             T(importances_and_damage),
        T(median_matches_sort),         T(class_weight_balanced),
        T(class_weight_regression_refused), {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
