/* cd_enet.c: scikit-learn's Lasso and ElasticNet (two model types, one
 * implementation), minimising
 *   1/(2 sum w) sum_i w_i (y_i - x_i b - c)^2
 *     + alpha l1_ratio ||b||_1 + 0.5 alpha (1 - l1_ratio) ||b||^2
 * by coordinate descent (cd_solver.c). As scikit-learn 1.2: weights are
 * rescaled to sum to n, X and y centred on their weighted means, rows
 * scaled by sqrt(w), penalties multiplied by n for the solver, the
 * intercept taken from the means. Lasso is l1_ratio = 1.
 *
 * The path (FW_CAP_PATH over alpha) builds the centred matrix (and Gram)
 * once per split, then solves from the largest alpha down, each solve
 * warm-started from the previous solution, as scikit-learn's enet_path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lsq_int.h"

static const char *const selections[] = {"cyclic", "random", NULL};

#define ENET_COMMON_PARAMS                                                                   \
    {.name = "fit_intercept", .kind = FW_PARAM_BOOL, .def = 1, .lo = 0, .hi = 1,             \
     .help = "fit an unpenalised intercept (centre X and y)"},                               \
    {.name = "max_iter", .kind = FW_PARAM_INT, .def = 1000, .lo = 1, .hi = 2147483647.0,     \
     .help = "maximum coordinate-descent epochs"},                                           \
    {.name = "tol", .kind = FW_PARAM_REAL, .def = 1e-4, .lo = 0, .hi = INFINITY,             \
     .help = "stop when the duality gap is below tol * ||y||^2 / n"},                        \
    {.name = "selection", .kind = FW_PARAM_CHOICE, .def_choice = "cyclic",                   \
     .choices = selections, .help = "coordinate order: cyclic, or random (the task's stream)"}

static const fw_param_spec lasso_params[] = {
    {.name = "alpha", .kind = FW_PARAM_REAL, .def = 1.0, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG, .help = "L1 penalty"},
    ENET_COMMON_PARAMS,
};

static const fw_param_spec enet_params[] = {
    {.name = "alpha", .kind = FW_PARAM_REAL, .def = 1.0, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG, .help = "penalty strength"},
    {.name = "l1_ratio", .kind = FW_PARAM_REAL, .def = 0.5, .lo = 0, .hi = 1,
     .help = "share of L1 in the penalty (1 = lasso, 0 = ridge)"},
    ENET_COMMON_PARAMS,
};

typedef struct enet_cfg {
    double alpha, l1_ratio, tol;
    int fit_intercept, max_iter, random;
} enet_cfg;

/* Lasso's schema is elastic_net's without l1_ratio (index 1). */
static enet_cfg enet_read(const fw_pval *cfg, int has_l1)
{
    const fw_pval *r = cfg + has_l1;
    enet_cfg c = {.alpha = cfg[0].num, .l1_ratio = has_l1 ? cfg[1].num : 1.0,
                  .fit_intercept = r[1].num != 0, .max_iter = (int)r[2].num, .tol = r[3].num,
                  .random = r[4].choice == 1};
    return c;
}

/* One solve from the start point w; the random order draws from the
 * task's stream (or one keyed on the split when the caller gave none). */
static int enet_solve(cd_problem *pb, const lsq_data *a, const enet_cfg *c, double *w, fw_fit_ctx *ctx,
                      const char *model, fw_err *e)
{
    double n = (double)a->n;
    cd_opts o = {.l1 = c->alpha * c->l1_ratio * n, .l2 = c->alpha * (1.0 - c->l1_ratio) * n, .tol = c->tol,
                 .max_iter = c->max_iter, .deadline = ctx->deadline};
    gsl_rng *own = NULL;
    if (c->random) {
        o.rng = ctx->rng ? ctx->rng : (own = fw_rng_alloc(ctx->seed, ctx->split_key));
        if (!o.rng)
            return fw_err_set(e, FW_ENOMEM, "%s: out of memory", model);
    }
    int rc = cd_solve(pb, &o, w, ctx, model, e);
    gsl_rng_free(own);
    for (size_t j = 0; !rc && j < a->p; j++)
        if (!isfinite(w[j]))
            rc = fw_err_set(e, FW_EFAIL, "%s: coordinate descent gave non-finite coefficients: "
                            "scale the features (preprocess.scale)", model);
    return rc;
}

static int enet_fit_common(void *state, const fw_fit_data *d, const fw_pval *cfg,
                           fw_fit_ctx *ctx, int has_l1, const char *model, fw_err *e)
{
    fw_model_info info = {.task = d->task};
    enet_cfg c = enet_read(cfg, has_l1);
    lsq_state *s = state;
    lsq_data a = {0};
    cd_problem *pb = NULL;
    int rc = lsq_check_regression(model, &info, e);
    if (!rc && !(rc = lsq_state_init(s, d->X.n_cols, 1, d->task, e)) &&
        !(rc = lsq_data_build(d, c.fit_intercept, 1, NULL, 1, &a, model, e)) &&
        !(rc = cd_problem_alloc(&a, &pb, e)) &&
        !(rc = enet_solve(pb, &a, &c, s->coef, ctx, model, e))) {
        s->n_iter = ctx->n_iter;
        s->gap = ctx->final_gap;
        lsq_set_intercepts(&a, s);
    }
    cd_problem_free(pb);
    lsq_data_free(&a);
    return rc;
}

/* Configurations by decreasing alpha (insertion sort: batches are small). */
static void order_by_alpha(const fw_pval *const *cfgs, size_t n_cfg, size_t *ord)
{
    for (size_t i = 0; i < n_cfg; i++) {
        size_t j = i;
        for (; j > 0 && cfgs[ord[j - 1]][0].num < cfgs[i][0].num; j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
    }
}

static int enet_path_common(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                            const fw_matrix *X, const size_t *eval, size_t n_eval,
                            double *const *out, fw_fit_ctx *ctx, fw_err *errs, int has_l1,
                            const char *model)
{
    fw_model_info info = {.task = d->task};
    if (n_cfg == 0)
        return FW_OK;
    enet_cfg c0 = enet_read(cfgs[0], has_l1);
    lsq_state s = {0};
    lsq_data a = {0};
    cd_problem *pb = NULL;
    fw_err e = {0};
    size_t *ord = malloc((n_cfg + 1) * sizeof *ord);
    int rc = ord ? lsq_check_regression(model, &info, &e)
                 : fw_err_set(&e, FW_ENOMEM, "%s: out of memory", model);
    if (!rc && !(rc = lsq_state_init(&s, d->X.n_cols, 1, d->task, &e)) &&
        !(rc = lsq_data_build(d, c0.fit_intercept, 1, NULL, 1, &a, model, &e)))
        rc = cd_problem_alloc(&a, &pb, &e);
    if (!rc)
        order_by_alpha(cfgs, n_cfg, ord);
    for (size_t i = 0; !rc && i < n_cfg; i++) {
        size_t k = ord[i];
        enet_cfg c = enet_read(cfgs[k], has_l1);
        if (c.fit_intercept != c0.fit_intercept) {
            fw_err_set(&errs[k], FW_EINVAL, "%s: a path batch must share fit_intercept", model);
            continue;
        }
        /* s.coef carries the previous alpha's solution: the warm start. */
        if (enet_solve(pb, &a, &c, s.coef, &ctx[k], model, &errs[k]))
            continue;
        lsq_set_intercepts(&a, &s);
        lsq_state_predict(&s, X, eval, n_eval, out[k], &errs[k]);
    }
    if (rc)
        lsq_path_fail(errs, n_cfg, &e);
    free(ord);
    cd_problem_free(pb);
    lsq_data_free(&a);
    lsq_state_free(&s);
    return rc;
}

static int lasso_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    (void)cfg;
    return lsq_check_regression("lasso", info, e);
}

static int enet_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    (void)cfg;
    return lsq_check_regression("elastic_net", info, e);
}

static int lasso_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                     fw_err *e)
{
    return enet_fit_common(state, d, cfg, ctx, 0, "lasso", e);
}

static int enet_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                    fw_err *e)
{
    return enet_fit_common(state, d, cfg, ctx, 1, "elastic_net", e);
}

static int lasso_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                      const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                      fw_fit_ctx *ctx, fw_err *errs)
{
    return enet_path_common(d, cfgs, n_cfg, X, eval, n_eval, out, ctx, errs, 0, "lasso");
}

static int enet_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                     const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                     fw_fit_ctx *ctx, fw_err *errs)
{
    return enet_path_common(d, cfgs, n_cfg, X, eval, n_eval, out, ctx, errs, 1, "elastic_net");
}

#define ENET_TYPE_COMMON                                                                     \
    .caps = FW_CAP_REGRESS | FW_CAP_WEIGHTS | FW_CAP_PATH | FW_CAP_ITERATIVE | FW_CAP_RANDOM, \
    .state_size = sizeof(lsq_state), .predict = lsq_state_predict, .path_param = "alpha",    \
    .save = lsq_state_save, .load = lsq_state_load, .describe = lsq_state_describe,          \
    .complexity = lsq_complexity_alpha, .free_state = lsq_state_free

const fw_model_type fw_model_lasso = {
    .name = "lasso",
    .summary = "L1-penalised least squares (scikit-learn Lasso), coordinate descent",
    .params = lasso_params,
    .n_params = sizeof lasso_params / sizeof lasso_params[0],
    .check = lasso_check,
    .fit = lasso_fit,
    .fit_predict_path = lasso_path,
    ENET_TYPE_COMMON,
};

const fw_model_type fw_model_elastic_net = {
    .name = "elastic_net",
    .summary = "L1 + L2 penalised least squares (scikit-learn ElasticNet), coordinate descent",
    .params = enet_params,
    .n_params = sizeof enet_params / sizeof enet_params[0],
    .check = enet_check,
    .fit = enet_fit,
    .fit_predict_path = enet_path,
    ENET_TYPE_COMMON,
};
