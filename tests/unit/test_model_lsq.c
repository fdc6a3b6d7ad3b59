/* test_model_lsq.c: the least-squares models (linear, ridge, lasso,
 * elastic_net) beyond the generic model test:
 *   - the ridge path equals one fit per alpha;
 *   - the lasso / elastic-net warm-started path equals cold starts within
 *     the solver tolerance, whatever the order of the alphas in the batch;
 *   - a huge alpha gives all-zero coefficients and intercept = mean(y);
 *   - rank-deficient least squares gives the minimum-norm solution;
 *   - integer sample weights equal repeated rows, for all four models;
 *   - max_iter reached is a warning with converged = 0, not an error;
 *   - with no feature columns every model predicts the weighted mean;
 *   - regression-only models refuse classification; bad weights refused;
 *   - ridge refuses class_weight on regression (check and fit).
 * Parity with scikit-learn itself is tests/parity/lsq_parity.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/model.h"
#include "harness.h"
#include "models/lsq_int.h" /* the fitted state, to read coef and intercept */

/* Diabetes (raw features), training rows i % 5 != 0, eval rows i % 5 == 0. */
typedef struct lsq_set {
    fw_dataset *d;
    fw_fit_data fit;
    size_t *train, *eval;
    size_t n_eval;
} lsq_set;

static int load_diabetes(lsq_set *s, fw_err *e)
{
    fw_data_opts o = {0};
    o.path = (char *)fwt_data("diabetes.csv");
    o.target = "progression";
    memset(s, 0, sizeof *s);
    int rc = fw_dataset_load(&o, &s->d, e);
    if (rc)
        return rc;
    size_t n = s->d->n_rows, nt = 0;
    s->train = malloc(n * sizeof *s->train);
    s->eval = malloc(n * sizeof *s->eval);
    for (size_t i = 0; i < n; i++) {
        if (i % 5)
            s->train[nt++] = i;
        else
            s->eval[s->n_eval++] = i;
    }
    s->fit = (fw_fit_data){.X = {s->d->X, n, s->d->n_features}, .rows = s->train, .n = nt,
                           .y = s->d->y, .task = FW_TASK_REGRESSION};
    return FW_OK;
}

static void free_set(lsq_set *s)
{
    fw_dataset_free(s->d);
    free(s->train);
    free(s->eval);
}

/* Configuration of model `name` from NAME=VALUE pairs over the defaults. */
static const fw_model_type *config(const char *name, fw_pval *cfg, const char *const *kv)
{
    const fw_model_type *t = fw_model_find(name);
    fw_err e;
    fw_param_defaults(t, cfg);
    for (size_t i = 0; kv && kv[i]; i += 2)
        if (fw_param_parse(t, (size_t)fw_param_index(t, kv[i]), kv[i + 1],
                           &cfg[fw_param_index(t, kv[i])], &e))
            return NULL;
    return t;
}

/* Fit one configuration; predictions on rows/n into out (may be NULL). */
static fw_model *fit_one(const fw_model_type *t, const fw_pval *cfg, const fw_fit_data *fd,
                         const size_t *rows, size_t n, double *out, fw_fit_ctx *ctx, fw_err *e)
{
    fw_model *m = fw_model_alloc(t, cfg);
    if (fw_model_fit(m, fd, ctx, e) ||
        (out && fw_model_predict(m, &fd->X, rows, n, out, e))) {
        fw_model_free(m);
        return NULL;
    }
    return m;
}

static double max_rel(const double *a, const double *b, size_t n)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        s = fmax(s, fabs(b[i]));
    }
    return s > 0 ? d / s : d;
}

/* Path predictions vs one fit each, for alphas in the given order. */
static void check_path(const char *name, const char *const *fixed, const double *alphas,
                       size_t na, double tol)
{
    lsq_set s;
    fw_err e = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    fw_pval cfg[8][16];
    const fw_pval *cp[8];
    double *path_out[8], *one = malloc(s.n_eval * sizeof *one);
    fw_fit_ctx ctx[8];
    fw_err errs[8];
    const fw_model_type *t = NULL;
    int ok = 1;
    for (size_t c = 0; c < na; c++) {
        t = config(name, cfg[c], fixed);
        cfg[c][0].num = alphas[c];
        cp[c] = cfg[c];
        path_out[c] = malloc(s.n_eval * sizeof **path_out);
        fw_fit_ctx_init(&ctx[c], NULL, NULL);
        memset(&errs[c], 0, sizeof errs[c]);
    }
    CHECK(t && t->fit_predict_path && !strcmp(t->path_param, "alpha"));
    CHECK_OK(t->fit_predict_path(&s.fit, cp, na, &s.fit.X, s.eval, s.n_eval, path_out, ctx,
                                 errs), &errs[0]);
    for (size_t c = 0; c < na && ok; c++) {
        fw_fit_ctx c1;
        fw_fit_ctx_init(&c1, NULL, NULL);
        fw_model *m = fit_one(t, cfg[c], &s.fit, s.eval, s.n_eval, one, &c1, &e);
        ok = m && errs[c].code == 0;
        double r = ok ? max_rel(path_out[c], one, s.n_eval) : INFINITY;
        if (r > tol) {
            fwt_fail(__FILE__, __LINE__, "%s alpha %g: path vs fit differ by %g (%s)", name,
                     alphas[c], r, e.msg);
            ok = 0;
        }
        fw_model_free(m);
    }
    for (size_t c = 0; c < na; c++)
        free(path_out[c]);
    free(one);
    free_set(&s);
}

static void ridge_path_equals_fits(void)
{
    static const double a[] = {10, 0, 1e-3, 1000, 1};
    check_path("ridge", NULL, a, 5, 1e-12);
}

static void lasso_path_equals_cold_starts(void)
{
    static const char *const kv[] = {"tol", "1e-10", "max_iter", "100000", NULL};
    static const double a[] = {0.1, 10, 0.01, 1, 0.5};
    check_path("lasso", kv, a, 5, 1e-6);
}

static void enet_path_equals_cold_starts(void)
{
    static const char *const kv[] = {"tol", "1e-10", "max_iter", "100000", "l1_ratio", "0.7",
                                     NULL};
    static const double a[] = {0.05, 3, 0.5};
    check_path("elastic_net", kv, a, 3, 1e-6);
}

static void lasso_huge_alpha_is_mean(void)
{
    lsq_set s;
    fw_err e = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    fw_pval cfg[16];
    const fw_model_type *t = config("lasso", cfg, NULL);
    cfg[0].num = 1e7;
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    double *out = malloc(s.n_eval * sizeof *out), mean = 0;
    fw_model *m = fit_one(t, cfg, &s.fit, s.eval, s.n_eval, out, &ctx, &e);
    for (size_t i = 0; i < s.fit.n; i++)
        mean += s.d->y[s.train[i]] / (double)s.fit.n;
    int zero = m != NULL;
    const lsq_state *st = m ? m->state : NULL;
    for (size_t j = 0; st && j < st->p; j++)
        zero = zero && st->coef[j] == 0.0;
    zero = zero && fabs(st->intercept[0] - mean) <= 1e-12 * fabs(mean);
    for (size_t i = 0; m && i < s.n_eval; i++)
        zero = zero && fabs(out[i] - mean) <= 1e-12 * fabs(mean);
    fw_model_free(m);
    free(out);
    free_set(&s);
    CHECK_MSG(m, "lasso fit failed: %s", e.msg);
    CHECK_MSG(zero, "huge alpha: coefficients not all zero or intercept not the mean %g",
              mean);
    CHECK_EQ_INT(ctx.n_iter, 1);
    CHECK_EQ_INT(ctx.converged, 1);
}

/* Columns a, b, a (exactly dependent), y = 2a - b + 5: the minimum-norm
 * least-squares solution splits a's coefficient evenly: (1, -1, 1), 5. */
static void rank_deficient_min_norm(void)
{
    enum { N = 40 };
    double X[3 * N], y[N];
    size_t rows[N];
    for (size_t i = 0; i < N; i++) {
        double a = (double)((i * 7) % 11) - 5, b = (double)((i * 3) % 13) * 0.5;
        X[i] = X[2 * N + i] = a;
        X[N + i] = b;
        y[i] = 2 * a - b + 5;
        rows[i] = i;
    }
    fw_fit_data fd = {.X = {X, N, 3}, .rows = rows, .n = N, .y = y,
                      .task = FW_TASK_REGRESSION};
    fw_pval cfg[4];
    const fw_model_type *t = config("linear", cfg, NULL);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    fw_err e = {0};
    fw_model *m = fit_one(t, cfg, &fd, NULL, 0, NULL, &ctx, &e);
    CHECK_MSG(m, "linear fit failed: %s", e.msg);
    fw_sb sb;
    fw_sb_init(&sb);
    int rc = t->describe(m->state, &sb, &e);
    double probe[3 * 2] = {1, 0, 0, 0, 0, 1}, out[2];
    size_t pr[2] = {0, 1};
    fw_matrix P = {probe, 2, 3};
    /* x = (1, 0, 0) and (0, 0, 1) read off coef[0] + 5 and coef[2] + 5. */
    int prc = fw_model_predict(m, &P, pr, 2, out, &e);
    fw_model_free(m);
    int has_rank = rc == 0 && sb.s && strstr(sb.s, "\"rank\": 2") != NULL;
    fw_sb_free(&sb);
    CHECK(prc == 0);
    CHECK_MSG(has_rank, "describe lacks rank 2");
    CHECK_NEAR(out[0], 6.0, 1e-9);
    CHECK_NEAR(out[1], 6.0, 1e-9);
}

/* Weights 0..3 on diabetes vs the rows repeated that many times. */
static void check_weights(const char *name, const char *const *kv, double tol)
{
    lsq_set s;
    fw_err e = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    size_t n = s.d->n_rows, nrep = 0;
    double *w = malloc(n * sizeof *w);
    size_t *rep = malloc(4 * n * sizeof *rep);
    for (size_t i = 0; i < n; i++)
        w[i] = (double)((i * 5 + 1) % 4);
    for (size_t i = 0; i < s.fit.n; i++)
        for (int r = 0; r < (int)w[s.train[i]]; r++)
            rep[nrep++] = s.train[i];
    fw_pval cfg[16];
    const fw_model_type *t = config(name, cfg, kv);
    double *a = malloc(s.n_eval * sizeof *a), *b = malloc(s.n_eval * sizeof *b);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    fw_fit_data weighted = s.fit, repeated = s.fit;
    weighted.w = w;
    repeated.rows = rep;
    repeated.n = nrep;
    fw_model *m1 = fit_one(t, cfg, &weighted, s.eval, s.n_eval, a, &ctx, &e);
    fw_model *m2 = m1 ? fit_one(t, cfg, &repeated, s.eval, s.n_eval, b, &ctx, &e) : NULL;
    double r = m1 && m2 ? max_rel(a, b, s.n_eval) : INFINITY;
    fw_model_free(m1);
    fw_model_free(m2);
    free(a);
    free(b);
    free(w);
    free(rep);
    free_set(&s);
    CHECK_MSG(r <= tol, "%s: weighted vs repeated rows differ by %g (%s)", name, r, e.msg);
}

static void weights_equal_repeated_rows(void)
{
    static const char *const cd[] = {"tol", "1e-12", "max_iter", "100000", "alpha", "0.3",
                                     NULL};
    static const char *const ridge[] = {"alpha", "3", NULL};
    check_weights("linear", NULL, 1e-10);
    check_weights("ridge", ridge, 1e-10);
    check_weights("lasso", cd, 1e-8);
    check_weights("elastic_net", cd, 1e-8);
}

static void max_iter_is_a_warning(void)
{
    lsq_set s;
    fw_err e = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    static const char *const kv[] = {"alpha", "0.01", "max_iter", "2", NULL};
    fw_pval cfg[16];
    const fw_model_type *t = config("elastic_net", cfg, kv);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    fw_model *m = fit_one(t, cfg, &s.fit, NULL, 0, NULL, &ctx, &e);
    fw_model_free(m);
    free_set(&s);
    CHECK_MSG(m, "fit failed: %s", e.msg);
    CHECK_EQ_INT(ctx.converged, 0);
    CHECK_EQ_INT(ctx.n_iter, 2);
    CHECK(isfinite(ctx.final_gap) && ctx.final_gap > 0);
    CHECK_MSG(strstr(ctx.warning, "did not converge"), "warning: '%s'", ctx.warning);
}

/* No feature columns: every model predicts the (weighted) mean. */
static void no_features_predict_mean(void)
{
    static const char *const names[] = {"linear", "ridge", "lasso", "elastic_net"};
    double y[3] = {1, 2, 6}, w[3] = {1, 1, 2}, out[3], X[1] = {0};
    size_t rows[3] = {0, 1, 2};
    fw_fit_data fd = {.X = {X, 3, 0}, .rows = rows, .n = 3, .y = y, .w = w,
                      .task = FW_TASK_REGRESSION};
    for (size_t k = 0; k < 4; k++) {
        fw_pval cfg[16];
        fw_err e = {0};
        fw_fit_ctx ctx;
        fw_fit_ctx_init(&ctx, NULL, NULL);
        fw_model *m = fit_one(config(names[k], cfg, NULL), cfg, &fd, rows, 3, out, &ctx, &e);
        fw_model_free(m);
        CHECK_MSG(m, "%s: %s", names[k], e.msg);
        CHECK_NEAR(out[2], 3.75, 1e-12);
    }
}

static void refusals(void)
{
    lsq_set s;
    fw_err e = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    fw_pval cfg[16];
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    const fw_model_type *t = config("lasso", cfg, NULL);
    fw_model_info info = {.task = FW_TASK_CLASSIFICATION, .n_classes = 2};
    int rc_check = t->check(cfg, &info, &e);
    int named = strstr(e.msg, "regression") != NULL;
    double *w = malloc(s.d->n_rows * sizeof *w);
    for (size_t i = 0; i < s.d->n_rows; i++)
        w[i] = i == 17 ? -1.0 : 1.0;
    s.fit.w = w;
    t = config("linear", cfg, NULL);
    fw_model *m = fit_one(t, cfg, &s.fit, NULL, 0, NULL, &ctx, &e);
    int neg = strstr(e.msg, "row 17") != NULL;
    fw_model_free(m);
    free(w);
    free_set(&s);
    CHECK_EQ_INT(rc_check, FW_EINVAL);
    CHECK_MSG(named, "message: %s", e.msg);
    CHECK_MSG(!m && neg, "negative weight accepted or not named: %s", e.msg);
}

static void ridge_class_weight_regression(void)
{
    lsq_set s;
    fw_err e = {0}, e2 = {0};
    CHECK_OK(load_diabetes(&s, &e), &e);
    fw_pval cfg[16];
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    const fw_model_type *t = config("ridge", cfg, (const char *const[]){"class_weight",
                                                                         "balanced", NULL});
    fw_model_info info = {.task = FW_TASK_REGRESSION};
    int rc_check = t ? t->check(cfg, &info, &e) : -1;
    fw_model *m = t ? fit_one(t, cfg, &s.fit, NULL, 0, NULL, &ctx, &e2) : NULL;
    fw_model_free(m);
    free_set(&s);
    CHECK_EQ_INT(rc_check, FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "class_weight") != NULL, "check message: %s", e.msg);
    CHECK_MSG(!m && strstr(e2.msg, "class_weight") != NULL, "fit: %s", m ? "accepted" : e2.msg);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {
        T(ridge_path_equals_fits),  T(lasso_path_equals_cold_starts),
        T(enet_path_equals_cold_starts), T(lasso_huge_alpha_is_mean),
        T(rank_deficient_min_norm), T(weights_equal_repeated_rows),
        T(max_iter_is_a_warning),   T(no_features_predict_mean), T(refusals),
        T(ridge_class_weight_regression), {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
