/* test_model_linear.c: what logreg and linear_svm promise beyond the
 * generic model test:
 *   - a warm-started C path gives the same predictions as cold fits;
 *   - the L2 (and multinomial) gradient vanishes at the solution, also on
 *     unscaled features (where single-precision Hessian products must give
 *     way to exact ones), and the L1 solution satisfies its optimality
 *     conditions;
 *   - multinomial L1 / elastic net converge within the default max_iter at
 *     large C, match a long OWL-QN run, and warm paths equal cold fits;
 *   - class_weight balanced equals the same weights given as sample weights;
 *   - a tiny max_iter reports converged = 0 with a warning, not an error;
 *   - the SVM dual objective decreases epoch after epoch;
 *   - an expired deadline stops fits and paths with FW_ETIMEOUT.
 * Parity with scikit-learn and LIBLINEAR: tests/parity/linear_parity.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/model.h"
#include "harness.h"
#include "models/linear_int.h"


/* A configuration from "name=value" pairs over the defaults. */
static void make_cfg(const fw_model_type *t, fw_pval *cfg, const char *const *kv)
{
    fw_err e;
    fw_param_defaults(t, cfg);
    for (size_t i = 0; kv && kv[i]; i++) {
        char name[64];
        const char *eq = strchr(kv[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv[i]), kv[i]);
        long idx = fw_param_index(t, name);
        if (idx >= 0)
            fw_param_parse(t, (size_t)idx, eq + 1, &cfg[idx], &e);
    }
}

/* Fit cfg on s (optionally with other data) and return the model (caller frees). */
static fw_model *fit_cfg(const char *model, const fw_pval *cfg, const fw_fit_data *fd,
                         fw_fit_ctx *ctx, int *rc, fw_err *e)
{
    const fw_model_type *t = fw_model_find(model);
    fw_model *m = fw_model_alloc(t, cfg);
    *rc = fw_model_fit(m, fd, ctx, e);
    return m;
}

static double max_abs_diff(const double *a, const double *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

/* Path over shuffled C values vs one cold fit each, on every row. */
static void check_path(const char *file, const char *target, const char *const *kv, double tol)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load(file, target, 1, &s, &e), &e);
    const fw_model_type *t = fw_model_find("logreg");
    static const char *const cs[] = {"C=10", "C=0.01", "C=100", "C=1", "C=0.1"};
    enum { NC = 5 };
    fw_pval cfg[NC][16];
    const fw_pval *cp[NC];
    double *out[NC];
    fw_fit_ctx ctx[NC];
    fw_err errs[NC];
    size_t n = s.d->n_rows, k = s.d->n_classes;
    memset(errs, 0, sizeof errs);
    for (size_t c = 0; c < NC; c++) {
        const char *kvc[16] = {cs[c]};
        for (size_t i = 0; kv[i]; i++)
            kvc[i + 1] = kv[i];
        make_cfg(t, cfg[c], kvc);
        cp[c] = cfg[c];
        out[c] = malloc(n * k * sizeof **out);
        fw_fit_ctx_init(&ctx[c], NULL, NULL);
    }
    CHECK_OK(t->fit_predict_path(&s.fit, cp, NC, &s.fit.X, s.rows, n, out, ctx, errs), &errs[0]);
    double *cold = malloc(n * k * sizeof *cold), worst = 0;
    for (size_t c = 0; c < NC; c++) {
        int rc;
        fw_fit_ctx c1;
        fw_fit_ctx_init(&c1, NULL, NULL);
        CHECK_MSG(errs[c].code == 0, "path config %zu: %s", c, errs[c].msg);
        fw_model *m = fit_cfg("logreg", cfg[c], &s.fit, &c1, &rc, &e);
        CHECK_OK(rc, &e);
        CHECK_OK(fw_model_predict(m, &s.fit.X, s.rows, n, cold, &e), &e);
        worst = fmax(worst, max_abs_diff(cold, out[c], n * k));
        fw_model_free(m);
        free(out[c]);
    }
    free(cold);
    fwt_set_free(&s);
    CHECK_MSG(worst <= tol, "path differs from cold fits by %g (tol %g)", worst, tol);
}

static void path_equals_cold_binary(void)
{
    static const char *const kv[] = {"tol=1e-8", "max_iter=1000", NULL};
    check_path("breast_cancer.csv", "diagnosis", kv, 1e-7);
}

static void path_equals_cold_multinomial(void)
{
    static const char *const kv[] = {"tol=1e-8", "max_iter=1000", NULL};
    check_path("wine.csv", "cultivar", kv, 1e-7);
}

static void path_equals_cold_ovr_l1(void)
{
    static const char *const kv[] = {"tol=1e-8", "max_iter=5000", "penalty=l1",
                                     "multi_class=ovr", NULL};
    check_path("wine.csv", "cultivar", kv, 1e-4);
}

/* Gradient of sum_i loss_i + ||W||^2/(2C) from the fitted coefficients
 * (binary: one sigmoid row; multinomial: softmax rows), max |entry|. */
static double logistic_grad_max(const fw_lin_state *st, const fwt_set *s, double C)
{
    size_t n = s->d->n_rows, p = st->p, k = st->k, p1 = p + 1;
    double *g = calloc(k * p1, sizeof *g), z[16], mx = 0;
    for (size_t i = 0; i < n; i++) {
        double zmax = -INFINITY, se = 0;
        for (size_t c = 0; c < k; c++) {
            z[c] = st->coef[c * p1 + p];
            for (size_t j = 0; j < p; j++)
                z[c] += st->coef[c * p1 + j] * s->X[j * n + i];
            zmax = fmax(zmax, z[c]);
        }
        for (size_t c = 0; c < k; c++) {
            double r;
            if (k == 1) {
                r = 1.0 / (1.0 + exp(-z[0])) - (s->d->y[i] == (double)st->present[1]);
            } else {
                se = 0;
                for (size_t c2 = 0; c2 < k; c2++)
                    se += exp(z[c2] - zmax);
                r = exp(z[c] - zmax) / se - (s->d->y[i] == (double)st->present[c]);
            }
            for (size_t j = 0; j < p; j++)
                g[c * p1 + j] += r * s->X[j * n + i];
            g[c * p1 + p] += r;
        }
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < p1; j++) {
            double v = g[c * p1 + j] + (j < p ? st->coef[c * p1 + j] / C : 0.0);
            mx = fmax(mx, fabs(v));
        }
    free(g);
    return mx;
}

static void check_gradient(const char *file, const char *target, int standardise)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load(file, target, standardise, &s, &e), &e);
    static const char *const kv[] = {"C=3", "tol=1e-9", "max_iter=1000", NULL};
    fw_pval cfg[16];
    make_cfg(fw_model_find("logreg"), cfg, kv);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    int rc;
    fw_model *m = fit_cfg("logreg", cfg, &s.fit, &ctx, &rc, &e);
    CHECK_OK(rc, &e);
    double gm = logistic_grad_max(m->state, &s, 3.0);
    fw_model_free(m);
    fwt_set_free(&s);
    CHECK_MSG(ctx.converged == 1, "not converged: %s", ctx.warning);
    CHECK_MSG(gm <= 1e-7, "gradient at the solution is %g", gm);
    CHECK_MSG(ctx.final_gap <= 1e-9, "reported gradient %g above tol", ctx.final_gap);
}

static void l2_gradient_zero_binary(void) { check_gradient("breast_cancer.csv", "diagnosis", 1); }
static void l2_gradient_zero_multinomial(void) { check_gradient("wine.csv", "cultivar", 1); }
static void l2_gradient_zero_unscaled(void) { check_gradient("wine.csv", "cultivar", 0); }

/* L1: at the solution |g_j| <= 1/C on zeros and g_j = -sign(w_j)/C elsewhere. */
static void l1_optimality(void)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load("breast_cancer.csv", "diagnosis", 1, &s, &e), &e);
    static const char *const kv[] = {"C=0.1", "penalty=l1", "tol=1e-8", "max_iter=5000", NULL};
    fw_pval cfg[16];
    make_cfg(fw_model_find("logreg"), cfg, kv);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    int rc;
    fw_model *m = fit_cfg("logreg", cfg, &s.fit, &ctx, &rc, &e);
    CHECK_OK(rc, &e);
    const fw_lin_state *st = m->state;
    size_t n = s.d->n_rows, p = st->p, zeros = 0;
    double worst = 0;
    for (size_t j = 0; j <= p; j++) {
        double g = 0;
        for (size_t i = 0; i < n; i++) {
            double z = st->coef[p];
            for (size_t q = 0; q < p; q++)
                z += st->coef[q] * s.X[q * n + i];
            double r = 1.0 / (1.0 + exp(-z)) - (s.d->y[i] == (double)st->present[1]);
            g += r * (j < p ? s.X[j * n + i] : 1.0);
        }
        double w = st->coef[j];
        double v = j == p ? fabs(g) : w == 0 ? fmax(0, fabs(g) - 10.0) : fabs(g + 10.0 * (w > 0 ? 1 : -1));
        zeros += j < p && w == 0;
        worst = fmax(worst, v);
    }
    fw_model_free(m);
    fwt_set_free(&s);
    CHECK_MSG(zeros > 0, "an L1 fit at C=0.1 should zero some coefficients");
    CHECK_MSG(worst <= 1e-5, "L1 optimality violated by %g", worst);
}

/* ---- L1 / elastic net: the proximal Newton solver (cdn_logreg.c) ---------- */

/* Solve the binary L1/elastic-net problem on r (class 1 positive, unit
 * weights) directly with OWL-QN (owlqn = 1) or the proximal Newton solver,
 * from zero; w (r->p1) receives the solution. Returns the report's code. */
static int solve_direct(const fw_lin_rows *r, const double *sw, double l1, double l2, double tol,
                        int owlqn, double *w, fw_lin_report *rep)
{
    fw_err e = {0};
    fw_lin_problem pb;
    fw_logloss *l = fw_logloss_alloc(r, sw, 1, 1);
    if (!l)
        return FW_ENOMEM;
    fw_logloss_problem(l, &pb);
    pb.n_pen = r->p;
    pb.l1 = l1;
    pb.l2 = l2;
    fw_lin_opts o = {tol, 200000, NULL};
    memset(w, 0, r->p1 * sizeof *w);
    int rc = owlqn ? fw_owlqn_minimize(&pb, w, &o, rep, &e)
                   : fw_cdn_logreg_minimize(r, sw, 1, &pb, w, &o, rep, &e);
    fw_logloss_free(l);
    return rc;
}

/* max |a - b| / max(1, max |b|) over n entries. */
static double rel_diff(const double *a, const double *b, size_t n)
{
    double scale = 1;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    return max_abs_diff(a, b, n) / scale;
}

/* The scaled rows of file with unit weights into *sw (caller frees s, r,
 * *sw); CHECKs the loads. */
static void load_rows(const char *file, const char *target, fwt_set *s, fw_lin_rows *r,
                      double **sw)
{
    fw_err e = {0};
    *sw = NULL;
    CHECK_OK(fwt_set_load(file, target, 1, s, &e), &e);
    CHECK_OK(fw_lin_rows_build(&s->fit, 1.0, "test", r, &e), &e);
    *sw = malloc(r->n * sizeof **sw);
    for (size_t i = 0; i < r->n; i++)
        (*sw)[i] = 1;
}

/* Scaled breast cancer at large C, where OWL-QN needed thousands of
 * iterations (C = 52.4: 3344 to tol 1e-4): the default max_iter (100
 * Newton steps) reaches the default tol, and the coefficients match a
 * long OWL-QN run at tol 1e-9 within 1e-5 relative. */
static void l1_large_c_converges(void)
{
    fwt_set s;
    fw_err e = {0};
    fw_lin_rows r;
    double *sw;
    load_rows("breast_cancer.csv", "diagnosis", &s, &r, &sw);
    CHECK(sw);
    size_t p1 = r.p1;
    double *ref = malloc(p1 * sizeof *ref), worst = 0;
    static const char *const cs[] = {"C=23.6", "C=52.4"};
    static const double cv[] = {23.6, 52.4};
    for (size_t c = 0; c < 2; c++) {
        const char *kv[] = {cs[c], "penalty=l1", NULL};
        fw_pval cfg[16];
        fw_fit_ctx ctx;
        fw_lin_report rep;
        int rc;
        make_cfg(fw_model_find("logreg"), cfg, kv);
        fw_fit_ctx_init(&ctx, NULL, NULL);
        fw_model *m = fit_cfg("logreg", cfg, &s.fit, &ctx, &rc, &e);
        CHECK_OK(rc, &e);
        CHECK_MSG(ctx.converged == 1 && ctx.final_gap <= 1e-4,
                  "C=%g: converged %d after %d iterations, gap %g", cv[c], ctx.converged,
                  ctx.n_iter, ctx.final_gap);
        CHECK_OK(solve_direct(&r, sw, 1.0 / cv[c], 0, 1e-9, 1, ref, &rep), &e);
        worst = fmax(worst, rel_diff(((const fw_lin_state *)m->state)->coef, ref, p1));
        fw_model_free(m);
    }
    free(sw);
    free(ref);
    fw_lin_rows_free(&r);
    fwt_set_free(&s);
    CHECK_MSG(worst <= 1e-5, "L1 coefficients differ from OWL-QN (tol 1e-9) by %g", worst);
}

/* The L1 and elastic-net C paths of the warm-start tests. */
static const char *const l1_path_kv[] = {"tol=1e-8", "max_iter=1000", "penalty=l1", NULL};
static const char *const en_path_kv[] = {"tol=1e-8", "max_iter=1000", "penalty=elasticnet",
                                         "l1_ratio=0.3", NULL};

static void l1_path_equals_cold_binary(void)
{
    check_path("breast_cancer.csv", "diagnosis", l1_path_kv, 1e-7);
}

static void elasticnet_path_equals_cold_binary(void)
{
    check_path("breast_cancer.csv", "diagnosis", en_path_kv, 1e-7);
}

/* Above 200 coefficients the solver runs the model on the columns (no
 * formed Hessian): 300 random rows x 240 features, L1 and elastic net,
 * against OWL-QN, both at tol 1e-9. */
static void l1_wide_matches_owlqn(void)
{
    enum { N = 300, P = 240 };
    fw_lin_rows r = {0};
    gsl_rng *rng = fw_rng_alloc(7, 1);
    r.n = N;
    r.p = P;
    r.p1 = P + 1;
    r.n_present = 2;
    r.X = malloc(N * (P + 1) * sizeof *r.X);
    r.cls = malloc(N * sizeof *r.cls);
    r.present = malloc(2 * sizeof *r.present);
    double *sw = malloc(N * sizeof *sw), *a = malloc((P + 1) * sizeof *a);
    double *b = malloc((P + 1) * sizeof *b), worst = 0;
    r.present[0] = 0;
    r.present[1] = 1;
    for (size_t i = 0; i < N; i++) {
        double z = 0;
        for (size_t j = 0; j < P; j++) {
            r.X[i * (P + 1) + j] = gsl_rng_uniform(rng) - 0.5;
            z += j < 10 ? 3.0 * r.X[i * (P + 1) + j] : 0.0;
        }
        r.X[i * (P + 1) + P] = 1.0;
        r.cls[i] = gsl_rng_uniform(rng) < 1.0 / (1.0 + exp(-z));
        sw[i] = 0.5 + gsl_rng_uniform(rng);
    }
    static const double l1s[] = {0.5, 2.0}, l2s[] = {0.0, 1.0};
    for (size_t c = 0; c < 2; c++) {
        fw_lin_report ra, rb;
        CHECK(solve_direct(&r, sw, l1s[c], l2s[c], 1e-9, 0, a, &ra) == FW_OK);
        CHECK(solve_direct(&r, sw, l1s[c], l2s[c], 1e-9, 1, b, &rb) == FW_OK);
        CHECK_MSG(ra.converged == 1 && ra.gmax <= 1e-9, "not converged: gap %g after %d",
                  ra.gmax, ra.n_iter);
        worst = fmax(worst, rel_diff(a, b, P + 1));
    }
    free(sw);
    free(a);
    free(b);
    gsl_rng_free(rng);
    fw_lin_rows_free(&r);
    CHECK_MSG(worst <= 1e-6, "wide L1 solutions differ from OWL-QN by %g", worst);
}

/* ---- multinomial L1 / elastic net: proximal Newton (cdn_softmax.c) -------- */

/* Centre coefficient columns over the k classes (rows of p1 entries): the
 * representative logreg reports. */
static void center_rows(double *coef, size_t k, size_t p1)
{
    for (size_t j = 0; j < p1; j++) {
        double mean = 0;
        for (size_t c = 0; c < k; c++)
            mean += coef[c * p1 + j] / (double)k;
        for (size_t c = 0; c < k; c++)
            coef[c * p1 + j] -= mean;
    }
}

/* The multinomial problem of r (unit weights) solved directly from zero by
 * OWL-QN (owlqn = 1, tol 1e-9: it stalls near 3e-8 on the flat problems
 * below) or the proximal Newton solver (tol 1e-10); coef receives the
 * k x p1 class rows, centred; returns the objective (NAN on failure). */
static double softmax_direct(const fw_lin_rows *r, const double *sw, double l1, double l2,
                             int owlqn, double *coef)
{
    fw_err e = {0};
    fw_lin_problem pb;
    fw_lin_report rep;
    size_t k = r->n_present, p1 = r->p1;
    fw_logloss *l = fw_logloss_alloc(r, sw, k, 0);
    double *w = calloc(p1 * k, sizeof *w);
    if (!l || !w) {
        fw_logloss_free(l);
        free(w);
        return NAN;
    }
    fw_logloss_problem(l, &pb);
    pb.n_pen = r->p * k;
    pb.l1 = l1;
    pb.l2 = l2;
    fw_lin_opts o = {owlqn ? 1e-9 : 1e-10, 200000, NULL};
    int rc = owlqn ? fw_owlqn_minimize(&pb, w, &o, &rep, &e)
                   : fw_cdn_softmax_minimize(r, sw, &pb, w, &o, &rep, &e);
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < p1; j++)
            coef[c * p1 + j] = w[j * k + c];
    center_rows(coef, k, p1);
    fw_logloss_free(l);
    free(w);
    return rc == FW_OK && rep.converged ? rep.f : NAN;
}

/* Scaled wine, multinomial, at large C where OWL-QN needs hundreds to
 * thousands of iterations: logreg with the default max_iter (100 Newton
 * steps) reaches tol 1e-4 and 1e-8; solved directly to tol 1e-10, the
 * objective is no higher than a long OWL-QN run's and the centred
 * coefficients match it within 1e-4 relative (OWL-QN itself stalls at a
 * max |pseudo-gradient| ~3e-8 here, so its coefficients are good to ~1e-5
 * only). L1 at C = 10, 100, 1000 and elastic net at C = 100. */
static void softmax_l1_large_c_converges(void)
{
    fwt_set s;
    fw_err e = {0};
    fw_lin_rows r;
    double *sw;
    load_rows("wine.csv", "cultivar", &s, &r, &sw);
    CHECK(sw);
    size_t k = r.n_present, p1 = r.p1;
    double *a = malloc(k * p1 * sizeof *a), *b = malloc(k * p1 * sizeof *b);
    double worst = 0, excess = -INFINITY;
    static const char *const cs[] = {"C=10", "C=100", "C=1000", "C=100"};
    static const char *const pens[] = {"penalty=l1", "penalty=l1", "penalty=l1",
                                       "penalty=elasticnet"};
    static const double cv[] = {10, 100, 1000, 100}, ratio[] = {1, 1, 1, 0.5};
    for (size_t c = 0; c < 4; c++) {
        static const char *const tols[] = {"tol=1e-4", "tol=1e-8"};
        for (size_t t = 0; t < 2; t++) {
            const char *kv[] = {cs[c], pens[c], tols[t], "l1_ratio=0.5", NULL};
            fw_pval cfg[16];
            fw_fit_ctx ctx;
            int rc;
            make_cfg(fw_model_find("logreg"), cfg, kv);
            fw_fit_ctx_init(&ctx, NULL, NULL);
            fw_model *m = fit_cfg("logreg", cfg, &s.fit, &ctx, &rc, &e);
            CHECK_OK(rc, &e);
            CHECK_MSG(ctx.converged == 1 && ctx.final_gap <= (t ? 1e-8 : 1e-4),
                      "C=%g %s %s: converged %d after %d iterations, gap %g", cv[c], pens[c],
                      tols[t], ctx.converged, ctx.n_iter, ctx.final_gap);
            fw_model_free(m);
        }
        double l1 = ratio[c] / cv[c], l2 = (1 - ratio[c]) / cv[c];
        double fa = softmax_direct(&r, sw, l1, l2, 0, a), fb = softmax_direct(&r, sw, l1, l2, 1, b);
        CHECK_MSG(isfinite(fa) && isfinite(fb), "C=%g: a direct solve failed", cv[c]);
        excess = fmax(excess, (fa - fb) / fb);
        worst = fmax(worst, rel_diff(a, b, k * p1));
    }
    free(sw);
    free(a);
    free(b);
    fw_lin_rows_free(&r);
    fwt_set_free(&s);
    CHECK_MSG(excess <= 1e-12, "objective above OWL-QN's by %g (relative)", excess);
    CHECK_MSG(worst <= 1e-4, "multinomial coefficients differ from OWL-QN by %g", worst);
}

static void softmax_l1_path_equals_cold(void)
{
    check_path("wine.csv", "cultivar", l1_path_kv, 1e-7);
}

static void softmax_elasticnet_path_equals_cold(void)
{
    check_path("wine.csv", "cultivar", en_path_kv, 1e-7);
}

/* class_weight=balanced vs the same weights passed as sample weights. */
static void check_balanced(const char *model, const char *file, const char *target,
                           const char *extra)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load(file, target, 1, &s, &e), &e);
    size_t n = s.d->n_rows, k = s.d->n_classes;
    const char *kv1[] = {"class_weight=balanced", "tol=1e-10", "max_iter=10000", extra, NULL};
    const char *kv2[] = {"class_weight=none", "tol=1e-10", "max_iter=10000", extra, NULL};
    fw_pval c1[16], c2[16];
    make_cfg(fw_model_find(model), c1, kv1);
    make_cfg(fw_model_find(model), c2, kv2);
    double *cw = malloc(k * sizeof *cw), *w = malloc(n * sizeof *w);
    double *a = malloc(n * k * sizeof *a), *b = malloc(n * k * sizeof *b);
    fw_class_weights_balanced(s.d->y, NULL, n, k, cw);
    for (size_t i = 0; i < n; i++)
        w[i] = cw[(size_t)s.d->y[i]];
    fw_fit_data fw2 = s.fit;
    fw2.w = w;
    int rc1, rc2;
    gsl_rng *r1 = fw_rng_alloc(3, 1), *r2 = fw_rng_alloc(3, 1);
    fw_fit_ctx x1, x2;
    fw_fit_ctx_init(&x1, NULL, r1);
    fw_fit_ctx_init(&x2, NULL, r2);
    fw_model *m1 = fit_cfg(model, c1, &s.fit, &x1, &rc1, &e);
    fw_model *m2 = fit_cfg(model, c2, &fw2, &x2, &rc2, &e);
    int ok = !rc1 && !rc2 && !fw_model_predict(m1, &s.fit.X, s.rows, n, a, &e) &&
             !fw_model_predict(m2, &s.fit.X, s.rows, n, b, &e);
    double diff = ok ? max_abs_diff(a, b, n * k) : INFINITY;
    fw_model_free(m1);
    fw_model_free(m2);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    free(cw);
    free(w);
    free(a);
    free(b);
    fwt_set_free(&s);
    CHECK_MSG(ok, "%s: fit failed: %s", model, e.msg);
    CHECK_MSG(diff <= 1e-7, "%s: balanced vs explicit weights differ by %g", model, diff);
}

static void balanced_equals_weights(void)
{
    check_balanced("logreg", "breast_cancer.csv", "diagnosis", NULL);
    check_balanced("logreg", "wine.csv", "cultivar", NULL);
    check_balanced("linear_svm", "breast_cancer.csv", "diagnosis", "tol=1e-6");
}

static void tiny_max_iter_warns(void)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load("wine.csv", "cultivar", 1, &s, &e), &e);
    static const char *const models[][2] = {{"logreg", "tol=1e-12"},
                                            {"logreg", "penalty=l1"},
                                            {"linear_svm", "tol=1e-12"}};
    for (size_t t = 0; t < 3; t++) {
        const char *kv[] = {"max_iter=1", models[t][1], "C=100", NULL};
        fw_pval cfg[16];
        make_cfg(fw_model_find(models[t][0]), cfg, kv);
        gsl_rng *r = fw_rng_alloc(1, 1);
        fw_fit_ctx ctx;
        fw_fit_ctx_init(&ctx, NULL, r);
        int rc;
        fw_model *m = fit_cfg(models[t][0], cfg, &s.fit, &ctx, &rc, &e);
        fw_model_free(m);
        gsl_rng_free(r);
        CHECK_MSG(rc == FW_OK, "%s: max_iter=1 gave rc %d: %s", models[t][0], rc, e.msg);
        CHECK_MSG(ctx.converged == 0 && ctx.n_iter == 1, "%s: converged %d n_iter %d",
                  models[t][0], ctx.converged, ctx.n_iter);
        CHECK_MSG(strstr(ctx.warning, "max_iter"), "%s: warning '%s'", models[t][0],
                  ctx.warning);
    }
    fwt_set_free(&s);
}

/* The dual objective after each epoch never increases. */
static void svm_dual_decreases(void)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load("breast_cancer.csv", "diagnosis", 1, &s, &e), &e);
    fw_lin_rows r;
    CHECK_OK(fw_lin_rows_build(&s.fit, 1.0, "test", &r, &e), &e);
    double *y = malloc(r.n * sizeof *y), *ci = malloc(r.n * sizeof *ci), w[64], trace[200];
    for (size_t i = 0; i < r.n; i++) {
        y[i] = r.cls[i] == 1 ? 1.0 : -1.0;
        ci[i] = 10.0;
    }
    for (int sq = 0; sq < 2; sq++) {
        gsl_rng *rng = fw_rng_alloc(5, 5);
        fw_svm_dual_opts o = {sq, 1e-6, 200, NULL, rng, trace, 200};
        fw_lin_report rep;
        CHECK_OK(fw_svm_dual_solve(&r, y, ci, &o, w, &rep, &e), &e);
        gsl_rng_free(rng);
        CHECK_MSG(rep.n_iter >= 3, "only %d epochs", rep.n_iter);
        for (int it = 1; it < rep.n_iter; it++)
            CHECK_MSG(trace[it] <= trace[it - 1] + 1e-9 * fabs(trace[it - 1]),
                      "loss %d: dual objective rose at epoch %d: %.17g -> %.17g", sq, it,
                      trace[it - 1], trace[it]);
        CHECK_MSG(trace[rep.n_iter - 1] < trace[0], "no progress");
    }
    free(y);
    free(ci);
    fw_lin_rows_free(&r);
    fwt_set_free(&s);
}

/* An expired deadline stops single fits (both models, both solvers) and
 * paths with FW_ETIMEOUT and a message. */
static void deadline_stops(void)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load("wine.csv", "cultivar", 1, &s, &e), &e);
    static const char *const cases[][2] = {
        {"logreg", "penalty=l2"}, {"logreg", "penalty=l1"}, {"linear_svm", "loss=hinge"}};
    for (size_t t = 0; t < 3; t++) {
        const fw_model_type *mt = fw_model_find(cases[t][0]);
        const char *kv[] = {cases[t][1], "tol=1e-12", "max_iter=100000", NULL};
        fw_pval cfg[16];
        make_cfg(mt, cfg, kv);
        long budget = 3;
        fw_deadline dl = {0, NULL, &budget};
        gsl_rng *r = fw_rng_alloc(1, 1);
        fw_fit_ctx ctx;
        fw_fit_ctx_init(&ctx, &dl, r);
        void *st = calloc(1, mt->state_size);
        int rc = mt->fit(st, &s.fit, cfg, &ctx, &e);
        mt->free_state(st);
        free(st);
        gsl_rng_free(r);
        CHECK_MSG(rc == FW_ETIMEOUT && strstr(e.msg, "time limit"), "%s: rc %d: %s",
                  cases[t][0], rc, e.msg);
    }
    const fw_model_type *lt = fw_model_find("logreg");
    fw_pval cfg[2][16];
    const char *kv[] = {"tol=1e-12", "max_iter=100000", NULL};
    make_cfg(lt, cfg[0], kv);
    make_cfg(lt, cfg[1], kv);
    cfg[1][0].num = 10;
    const fw_pval *cp[2] = {cfg[0], cfg[1]};
    double *out[2] = {malloc(s.d->n_rows * 3 * sizeof(double)),
                      malloc(s.d->n_rows * 3 * sizeof(double))};
    long budget = 3;
    fw_deadline dl = {0, NULL, &budget};
    fw_fit_ctx ctx[2];
    fw_err errs[2] = {{0}, {0}};
    fw_fit_ctx_init(&ctx[0], &dl, NULL);
    fw_fit_ctx_init(&ctx[1], &dl, NULL);
    int rc = lt->fit_predict_path(&s.fit, cp, 2, &s.fit.X, s.rows, s.d->n_rows, out, ctx, errs);
    free(out[0]);
    free(out[1]);
    fwt_set_free(&s);
    CHECK_EQ_INT(rc, FW_OK);
    CHECK_EQ_INT(errs[0].code, FW_ETIMEOUT);
    CHECK_EQ_INT(errs[1].code, FW_ETIMEOUT);
}

/* describe() is JSON with the coefficient rows, intercepts and iterations. */
static void describe_json(void)
{
    fwt_set s;
    fw_err e = {0};
    CHECK_OK(fwt_set_load("wine.csv", "cultivar", 1, &s, &e), &e);
    fw_pval cfg[16];
    make_cfg(fw_model_find("logreg"), cfg, NULL);
    int rc;
    fw_model *m = fit_cfg("logreg", cfg, &s.fit, NULL, &rc, &e);
    CHECK_OK(rc, &e);
    fw_sb sb;
    fw_sb_init(&sb);
    CHECK_OK(m->type->describe(m->state, &sb, &e), &e);
    int ok = strncmp(sb.s, "{\"coef\": [[", 11) == 0 && strstr(sb.s, "\"intercept\": [") &&
             strstr(sb.s, "\"n_iter\": ");
    fw_sb_free(&sb);
    fw_model_free(m);
    fwt_set_free(&s);
    CHECK(ok);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {
        T(path_equals_cold_binary),      T(path_equals_cold_multinomial),
        T(path_equals_cold_ovr_l1),      T(l2_gradient_zero_binary),
        T(l2_gradient_zero_multinomial), T(l2_gradient_zero_unscaled),
        T(l1_optimality),                T(l1_large_c_converges),
        T(l1_path_equals_cold_binary),   T(elasticnet_path_equals_cold_binary),
        T(l1_wide_matches_owlqn),        T(softmax_l1_large_c_converges),
        T(softmax_l1_path_equals_cold),  T(softmax_elasticnet_path_equals_cold),
        T(balanced_equals_weights),      T(tiny_max_iter_warns),
        T(svm_dual_decreases),           T(deadline_stops),
        T(describe_json),                {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
