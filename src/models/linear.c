/* linear.c: ordinary least squares, as scikit-learn's LinearRegression.
 *
 * X and y are centred on their (weighted) means, rows scaled by sqrt(w),
 * and the minimum-norm least-squares solution is taken from one SVD, with
 * singular values at or below eps * max(n, p) * s_max treated as zero
 * (numpy lstsq's cutoff), so rank-deficient designs get the same solution
 * as scipy's lstsq. The intercept follows from the means. */
#include "foldwise/data.h"
#include "lsq_int.h"

static const fw_param_spec linear_params[] = {
    {.name = "fit_intercept", .kind = FW_PARAM_BOOL, .def = 1, .lo = 0, .hi = 1,
     .help = "fit an intercept (centre X and y); false: the model passes through 0"},
};

static int linear_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    (void)cfg;
    return lsq_check_regression("linear", info, e);
}

static int linear_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                      fw_err *e)
{
    fw_model_info info = {.task = d->task};
    int rc = linear_check(cfg, &info, e);
    (void)ctx;
    if (rc)
        return rc;
    return lsq_fit_svd(state, d, cfg[0].num != 0, 0.0, NULL, 1, "linear", e);
}

const fw_model_type fw_model_linear = {
    .name = "linear",
    .summary = "ordinary least squares (scikit-learn LinearRegression), minimum-norm",
    .caps = FW_CAP_REGRESS | FW_CAP_WEIGHTS,
    .params = linear_params,
    .n_params = sizeof linear_params / sizeof linear_params[0],
    .state_size = sizeof(lsq_state),
    .check = linear_check,
    .fit = linear_fit,
    .predict = lsq_state_predict,
    .save = lsq_state_save,
    .load = lsq_state_load,
    .describe = lsq_state_describe,
    .free_state = lsq_state_free,
};
