/* regression.c: rmse, mae, r2, mape and median_ae, as scikit-learn 1.2's
 * mean_squared_error(squared=False), mean_absolute_error, r2_score,
 * mean_absolute_percentage_error and median_absolute_error, sample weights
 * included (np.average order of operations). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "metrics/metrics_int.h"

enum { ERR_SQUARED, ERR_ABSOLUTE, ERR_PERCENT };

/* Per-row errors into v (n doubles). */
static void row_errors(const fw_metric_input *in, int kind, double *v)
{
    for (size_t i = 0; i < in->n; i++) {
        double d = in->y_true[i] - in->y_pred[i];
        if (kind == ERR_SQUARED)
            v[i] = d * d;
        else if (kind == ERR_ABSOLUTE)
            v[i] = fabs(d);
        else /* epsilon keeps a zero target finite (and huge) */
            v[i] = fabs(d) / fmax(fabs(in->y_true[i]), DBL_EPSILON);
    }
}

static int mean_error(const char *name, const fw_metric_input *in, int kind, double *out,
                      fw_err *e)
{
    int rc = fw_metric_input_check(name, in, 0, e);
    if (rc)
        return rc;
    double *v = malloc(in->n * sizeof *v);
    if (!v)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory for %zu rows", name, in->n);
    row_errors(in, kind, v);
    rc = fw_metric_average_alloc(v, in->weight, in->n, out, e);
    free(v);
    return rc;
}

static int rmse_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    int rc = mean_error("rmse", in, ERR_SQUARED, out, e);
    if (!rc)
        *out = sqrt(*out);
    return rc;
}

static int mae_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    return mean_error("mae", in, ERR_ABSOLUTE, out, e);
}

static int mape_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    return mean_error("mape", in, ERR_PERCENT, out, e);
}

/* r2_score with force_finite=True: fewer than 2 rows -> NaN (UNDEFINED);
 * perfect predictions -> 1.0; constant y_true with imperfect predictions ->
 * 0.0; both constant-y cases set FW_METRIC_WARN_UNDEFINED. */
static int r2_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    int rc = fw_metric_input_check("r2", in, 0, e);
    if (rc)
        return rc;
    size_t n = in->n;
    if (n < 2) {
        *out = NAN;
        *warn |= FW_METRIC_WARN_UNDEFINED;
        return FW_OK;
    }
    double *v = malloc(2 * n * sizeof *v);
    if (!v)
        return fw_err_set(e, FW_ENOMEM, "r2: out of memory for %zu rows", n);
    double *tmp = v + n;
    const double *w = in->weight;
    row_errors(in, ERR_SQUARED, v);
    for (size_t i = 0; i < n; i++)
        v[i] = (w ? w[i] : 1.0) * v[i];
    double num = fw_metric_sum(v, n, 1);
    double mean = fw_metric_average(in->y_true, w, n, tmp);
    for (size_t i = 0; i < n; i++) {
        double d = in->y_true[i] - mean;
        v[i] = (w ? w[i] : 1.0) * (d * d);
    }
    double den = fw_metric_sum(v, n, 1);
    free(v);
    if (den == 0)
        *warn |= FW_METRIC_WARN_UNDEFINED;
    *out = num == 0 ? 1.0 : den == 0 ? 0.0 : 1 - num / den;
    return FW_OK;
}

/* scikit-learn's _weighted_percentile(errors, w, 50): the smallest error
 * whose cumulative weight (ascending order) reaches half the total. */
static double weighted_median(const double *v, const double *w, const size_t *idx, size_t n)
{
    double total = 0;
    for (size_t j = 0; j < n; j++)
        total += w[idx[j]];
    double half = 50.0 / 100 * total, cdf = 0;
    if (half == 0)
        half = nextafter(half, half + 1);
    for (size_t j = 0; j < n; j++) {
        cdf += w[idx[j]];
        if (cdf >= half)
            return v[idx[j]];
    }
    return v[idx[n - 1]];
}

/* median_absolute_error: np.median without weights (mean of the two middle
 * errors for even n), the weighted lower median with them (scikit-learn 1.2
 * supports sample_weight here). */
static int median_ae_score(const fw_metric_input *in, double *out, unsigned *warn, fw_err *e)
{
    (void)warn;
    int rc = fw_metric_input_check("median_ae", in, 0, e);
    if (rc)
        return rc;
    size_t n = in->n;
    double *v = malloc(n * sizeof *v);
    size_t *idx = malloc(n * sizeof *idx);
    if (!v || !idx) {
        rc = fw_err_set(e, FW_ENOMEM, "median_ae: out of memory for %zu rows", n);
        goto cleanup;
    }
    row_errors(in, ERR_ABSOLUTE, v);
    rc = fw_metric_argsort(v, 1, n, 0, idx, e);
    if (rc)
        goto cleanup;
    if (in->weight)
        *out = weighted_median(v, in->weight, idx, n);
    else if (n % 2)
        *out = v[idx[n / 2]];
    else
        *out = (v[idx[n / 2 - 1]] + v[idx[n / 2]]) / 2.0;
cleanup:
    free(v);
    free(idx);
    return rc;
}

#define REG_METRIC(ident, str, gib, fn, summary_)                                         \
    const fw_metric_type fw_metric_##ident = {                                            \
        .name = str,                                                                      \
        .summary = summary_,                                                              \
        .greater_is_better = gib,                                                         \
        .flags = FW_METRIC_REGRESSION,                                                    \
        .score = fn,                                                                      \
    };

REG_METRIC(rmse, "rmse", 0, rmse_score, "root mean squared error")
REG_METRIC(mae, "mae", 0, mae_score, "mean absolute error")
REG_METRIC(r2, "r2", 1, r2_score, "coefficient of determination R^2")
REG_METRIC(mape, "mape", 0, mape_score, "mean absolute percentage error (a fraction, not %)")
REG_METRIC(median_ae, "median_ae", 0, median_ae_score, "median absolute error")
