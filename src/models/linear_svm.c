/* linear_svm.c: linear support vector classifier as LIBLINEAR's dual
 * solvers (-s 1 squared hinge, -s 3 hinge) and scikit-learn's LinearSVC
 * (see docs/models.md, "linear_svm"): min 0.5||w||^2 + sum_i C_i loss_i,
 * solved by dual coordinate descent (svm_dual.c).
 *
 * The intercept is LIBLINEAR's bias term: a constant feature 1 appended to
 * every row, so it IS regularised (as in LIBLINEAR -B 1 and LinearSVC's
 * intercept_scaling = 1). More than two classes: one-vs-rest, where as in
 * LIBLINEAR a class weight scales C for the positive rows only. Output:
 * decision values, no probabilities. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "linear_int.h"

enum { P_C, P_LOSS, P_TOL, P_MAX_ITER, P_CLASS_WEIGHT, P_FIT_INTERCEPT };

static const char *const losses[] = {"hinge", "squared_hinge", NULL};
static const char *const weightings[] = {"none", "balanced", NULL};

static const fw_param_spec svm_params[] = {
    {.name = "C", .kind = FW_PARAM_REAL, .def = 1.0, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN | FW_PARAM_HI_OPEN,
     .help = "inverse regularisation strength"},
    {.name = "loss", .kind = FW_PARAM_CHOICE, .def_choice = "squared_hinge", .choices = losses,
     .help = "hinge (LIBLINEAR -s 3) or squared_hinge (-s 1)"},
    {.name = "tol", .kind = FW_PARAM_REAL, .def = 0.1, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN | FW_PARAM_HI_OPEN,
     .help = "stop when the projected-gradient spread <= tol (LIBLINEAR's -e)"},
    {.name = "max_iter", .kind = FW_PARAM_INT, .def = 1000, .lo = 1, .hi = 1e9,
     .help = "epochs over the rows"},
    {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",
     .choices = weightings, .help = "none or balanced"},
    {.name = "fit_intercept", .kind = FW_PARAM_BOOL, .def = 1,
     .help = "append LIBLINEAR's bias feature (B = 1, regularised)"},
};

/* Labels and per-row C for sub-problem `pos` (index into the present classes). */
static void svm_subproblem(const fw_fit_data *d, const fw_lin_rows *r, const double *cw,
                           double C, int pos, int ovr, double *y, double *Ci)
{
    for (size_t i = 0; i < r->n; i++) {
        int is_pos = r->cls[i] == pos;
        y[i] = is_pos ? 1.0 : -1.0;
        double c = !ovr || is_pos ? cw[r->present[r->cls[i]]] : 1.0;
        Ci[i] = C * c * fw_lin_sample_weight(d, i);
    }
}

static int svm_solve_all(const fw_fit_data *d, const fw_pval *cfg, fw_lin_rows *r,
                         fw_lin_state *st, fw_fit_ctx *ctx, gsl_rng *rng, fw_err *e)
{
    size_t n = r->n, p1 = r->p1, k = st->k;
    double *y = malloc((2 * n + p1 + d->n_classes) * sizeof *y + 1);
    if (!y)
        return fw_err_set(e, FW_ENOMEM, "linear_svm: out of memory");
    double *Ci = y + n, *w = Ci + n, *cw = w + p1;
    for (size_t c = 0; c < d->n_classes; c++)
        cw[c] = 1.0;
    if (cfg[P_CLASS_WEIGHT].choice == 1)
        fw_class_weights_balanced(d->y, d->rows, d->n, d->n_classes, cw);
    fw_svm_dual_opts o = {cfg[P_LOSS].choice == 1, cfg[P_TOL].num, (int)cfg[P_MAX_ITER].num,
                          ctx->deadline, rng, NULL, 0};
    int rc = FW_OK;
    ctx->n_iter = 0;
    ctx->converged = 1;
    ctx->final_gap = 0;
    for (size_t s = 0; s < k && !rc; s++) {
        fw_lin_report rep;
        svm_subproblem(d, r, cw, cfg[P_C].num, k == 1 ? 1 : (int)s, k > 1, y, Ci);
        rc = fw_svm_dual_solve(r, y, Ci, &o, w, &rep, e);
        memcpy(st->coef + s * (r->p + 1), w, p1 * sizeof *w);
        ctx->n_iter = rep.n_iter > ctx->n_iter ? rep.n_iter : ctx->n_iter;
        ctx->converged &= rep.converged;
        ctx->final_gap = fmax(ctx->final_gap, rep.gmax);
    }
    free(y);
    if (rc) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "linear_svm: %s", e->msg);
        return fw_err_set(e, rc, "%s", msg);
    }
    if (!ctx->converged)
        snprintf(ctx->warning, sizeof ctx->warning, "linear_svm: reached max_iter=%d before "
                 "tol=%g: increase max_iter or scale the features", o.max_iter, o.eps);
    return FW_OK;
}

static int svm_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                   fw_err *e)
{
    fw_lin_state *st = state;
    fw_lin_rows r;
    fw_fit_ctx local;
    if (!ctx) {
        fw_fit_ctx_init(&local, NULL, NULL);
        ctx = &local;
    }
    if (d->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "linear_svm is a classifier: the target is not a class");
    int rc = fw_lin_rows_build(d, cfg[P_FIT_INTERCEPT].num != 0 ? 1.0 : 0.0, "linear_svm", &r, e);
    if (rc)
        return rc;
    size_t k = r.n_present == 2 ? 1 : r.n_present;
    gsl_rng *own = ctx->rng ? NULL : fw_rng_alloc(ctx->seed, ctx->split_key);
    rc = fw_lin_state_init(st, FW_LIN_DECISION, &r, k, d->n_classes, e);
    if (!rc && !ctx->rng && !own)
        rc = fw_err_set(e, FW_ENOMEM, "linear_svm: out of memory");
    if (!rc)
        rc = svm_solve_all(d, cfg, &r, st, ctx, ctx->rng ? ctx->rng : own, e);
    st->n_iter = ctx->n_iter;
    st->C = cfg[P_C].num;
    gsl_rng_free(own);
    fw_lin_rows_free(&r);
    return rc;
}

const fw_model_type fw_model_linear_svm = {
    .name = "linear_svm",
    .summary = "linear SVM (hinge / squared hinge), LIBLINEAR's dual coordinate descent",
    .caps = FW_CAP_CLASSIFY | FW_CAP_MULTICLASS | FW_CAP_WEIGHTS | FW_CAP_RANDOM |
            FW_CAP_ITERATIVE,
    .params = svm_params,
    .n_params = sizeof svm_params / sizeof svm_params[0],
    .state_size = sizeof(fw_lin_state),
    .fit = svm_fit,
    .predict = fw_lin_model_predict,
    .save = fw_lin_model_save,
    .load = fw_lin_model_load,
    .describe = fw_lin_model_describe,
    .complexity = fw_lin_model_complexity,
    .free_state = fw_lin_model_free,
};
