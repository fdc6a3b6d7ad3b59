/* ridge.c: scikit-learn's Ridge, and RidgeClassifier for classification.
 *
 * Minimises ||sqrt(w) (y - Xb - c)||^2 + alpha ||b||^2 in closed form from
 * one SVD of the centred, weighted training matrix: b = V diag(s / (s^2 +
 * alpha)) U^T y. The path (FW_CAP_PATH over alpha) decomposes once per
 * split and scores every alpha of the batch from the same factors.
 *
 * Classification follows RidgeClassifier: each class becomes a {-1, 1}
 * target column (one column for two classes) fitted as above against the
 * same SVD; predict gives decision values (binary: -d, d). class_weight =
 * balanced multiplies the sample weights by n / (classes * count) over the
 * training rows, as RidgeClassifier; Ridge has no class_weight, so
 * regression refuses it. */
#include <math.h>
#include <stdlib.h>

#include "foldwise/data.h"
#include "lsq_int.h"

enum { P_ALPHA, P_FIT_INTERCEPT, P_CLASS_WEIGHT };

static const char *const class_weights[] = {"none", "balanced", NULL};

static const fw_param_spec ridge_params[] = {
    {.name = "alpha", .kind = FW_PARAM_REAL, .def = 1.0, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG, .help = "L2 penalty (0 = least squares)"},
    {.name = "fit_intercept", .kind = FW_PARAM_BOOL, .def = 1, .lo = 0, .hi = 1,
     .help = "fit an unpenalised intercept (centre X and y)"},
    {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",
     .choices = class_weights, .help = "none or balanced (n / (classes * count))"},
};

static int ridge_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    if (cfg && cfg[P_CLASS_WEIGHT].choice > 0 && info && info->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "ridge: class_weight is for classification");
    if (info && info->task == FW_TASK_CLASSIFICATION && info->n_classes < 2)
        return fw_err_set(e, FW_EINVAL, "ridge: classification needs at least two classes");
    return FW_OK;
}

/* Classification: the {-1, 1} target columns (n x k, column-major, in
 * training-row order) into *out (caller frees); regression: NULL, k = 1.
 * Checks cfg against the task first. */
static int ridge_targets(const fw_fit_data *d, const fw_pval *cfg, double **out, size_t *k,
                         fw_err *e)
{
    fw_model_info info = {.task = d->task, .n_classes = d->n_classes};
    int rc = ridge_check(cfg, &info, e);
    *out = NULL;
    *k = 1;
    if (rc || d->task != FW_TASK_CLASSIFICATION)
        return rc;
    size_t n = d->n;
    *k = d->n_classes == 2 ? 1 : d->n_classes;
    *out = malloc(n * *k * sizeof **out);
    if (!*out)
        return fw_err_set(e, FW_ENOMEM, "ridge: out of memory");
    for (size_t c = 0; c < *k; c++) {
        double cls = *k == 1 ? 1.0 : (double)c;
        for (size_t i = 0; i < n; i++)
            (*out)[c * n + i] = d->y[d->rows[i]] == cls ? 1.0 : -1.0;
    }
    return FW_OK;
}

/* The targets, and the fit data the solver sees: d itself, or with
 * class_weight = balanced a copy whose weights carry the class weights
 * (*wbuf, caller frees). */
static int ridge_prepare(const fw_fit_data *d, const fw_pval *cfg, double **targets,
                         size_t *k, fw_fit_data *dw, double **wbuf, fw_err *e)
{
    *dw = *d;
    *wbuf = NULL;
    int rc = ridge_targets(d, cfg, targets, k, e);
    if (!rc && cfg[P_CLASS_WEIGHT].choice == 1)
        rc = fw_fit_data_balance(d, dw, wbuf, "ridge", e);
    return rc;
}

static int ridge_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                     fw_err *e)
{
    double *targets, *wbuf;
    size_t k;
    fw_fit_data dw;
    (void)ctx;
    int rc = ridge_prepare(d, cfg, &targets, &k, &dw, &wbuf, e);
    if (!rc)
        rc = lsq_fit_svd(state, &dw, cfg[P_FIT_INTERCEPT].num != 0, cfg[P_ALPHA].num, targets,
                         k, "ridge", e);
    free(targets);
    free(wbuf);
    return rc;
}

/* Every alpha of the batch from one SVD of the split. */
static int ridge_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                      const fw_matrix *X, const size_t *eval, size_t n_eval, double *const *out,
                      fw_fit_ctx *ctx, fw_err *errs)
{
    lsq_data a = {0};
    lsq_svd f = {0};
    lsq_state s = {0};
    double *targets = NULL, *wbuf = NULL;
    size_t k;
    fw_fit_data dw;
    fw_err e = {0};
    if (n_cfg == 0)
        return FW_OK;
    int fi = cfgs[0][P_FIT_INTERCEPT].num != 0, cw = cfgs[0][P_CLASS_WEIGHT].choice;
    int rc = ridge_prepare(d, cfgs[0], &targets, &k, &dw, &wbuf, &e);
    if (!rc && !(rc = lsq_state_init(&s, d->X.n_cols, k, d->task, &e)) &&
        !(rc = lsq_data_build(&dw, fi, 0, targets, k, &a, "ridge", &e)))
        rc = lsq_svd_compute(&a, &f, "ridge", &e);
    for (size_t c = 0; !rc && c < n_cfg; c++) {
        if ((cfgs[c][P_FIT_INTERCEPT].num != 0) != fi || cfgs[c][P_CLASS_WEIGHT].choice != cw) {
            fw_err_set(&errs[c], FW_EINVAL, "ridge: a path batch must share fit_intercept and "
                       "class_weight");
            continue;
        }
        s.rank = lsq_svd_solve(&f, cfgs[c][P_ALPHA].num, s.coef);
        lsq_set_intercepts(&a, &s);
        lsq_state_predict(&s, X, eval, n_eval, out[c], &errs[c]);
        ctx[c].n_iter = 0;
        ctx[c].converged = -1;
    }
    if (rc)
        lsq_path_fail(errs, n_cfg, &e);
    free(targets);
    free(wbuf);
    lsq_svd_free(&f);
    lsq_data_free(&a);
    lsq_state_free(&s);
    return rc;
}

const fw_model_type fw_model_ridge = {
    .name = "ridge",
    .summary = "ridge regression / RidgeClassifier (scikit-learn), one SVD for all alphas",
    .caps = FW_CAP_REGRESS | FW_CAP_CLASSIFY | FW_CAP_MULTICLASS | FW_CAP_WEIGHTS |
            FW_CAP_PATH,
    .params = ridge_params,
    .n_params = sizeof ridge_params / sizeof ridge_params[0],
    .state_size = sizeof(lsq_state),
    .check = ridge_check,
    .fit = ridge_fit,
    .predict = lsq_state_predict,
    .path_param = "alpha",
    .fit_predict_path = ridge_path,
    .save = lsq_state_save,
    .load = lsq_state_load,
    .describe = lsq_state_describe,
    .complexity = lsq_complexity_alpha,
    .free_state = lsq_state_free,
};
