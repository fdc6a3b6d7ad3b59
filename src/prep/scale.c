/* scale.c: scaler parameters, as scikit-learn's scalers compute them on the
 * (imputed) training rows of a split, ignoring values still missing:
 *   standard  (x - mean) / std, population std; a (near-)constant column,
 *             by StandardScaler's own test on the variance, gets std 1;
 *   minmax    x * s + m with s = 1 / (max - min), m = -min * s, as
 *             MinMaxScaler writes it; a range below 10 eps gets range 1;
 *   robust    (x - median) / (q75 - q25), quantiles by numpy's linear
 *             interpolation; an IQR below 10 eps gets scale 1. */
#include <float.h>
#include <math.h>

#include "prep_int.h"

/* scikit-learn's _handle_zeros_in_scale: tiny scales become 1. */
static double nonzero_scale(double s)
{
    return s < 10 * DBL_EPSILON ? 1.0 : s;
}

/* Mean and variance by the corrected two-pass algorithm that
 * StandardScaler uses (_incremental_mean_and_var on a first batch). */
static void standard_fit(const double *v, size_t m, double *a, double *b)
{
    double s = 0, corr = 0, ss = 0, dn = (double)m;
    for (size_t i = 0; i < m; i++)
        s += v[i];
    double mean = s / dn;
    for (size_t i = 0; i < m; i++) {
        double d = v[i] - mean;
        corr += d;
        ss += d * d;
    }
    double var = (ss - corr * corr / dn) / dn;
    /* _is_constant_feature: the variance is within rounding of zero. */
    double bound = dn * DBL_EPSILON * var + (dn * mean * DBL_EPSILON) * (dn * mean * DBL_EPSILON);
    *a = mean;
    *b = var <= bound ? 1.0 : sqrt(var);
}

static void minmax_fit(const double *v, size_t m, double *a, double *b)
{
    double lo = v[0], hi = v[0];
    for (size_t i = 1; i < m; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    *a = 1.0 / nonzero_scale(hi - lo);
    *b = 0.0 - lo * *a;
}

/* numpy's percentile, method "linear", on sorted v[0..m). */
static double quantile_sorted(const double *v, size_t m, double q)
{
    double vi = (double)(m - 1) * (q / 100.0);
    if (vi >= (double)(m - 1))
        return v[m - 1];
    double lo = floor(vi), g = vi - lo;
    double x0 = v[(size_t)lo], x1 = v[(size_t)lo + 1], diff = x1 - x0;
    return g >= 0.5 ? x1 - diff * (1 - g) : x0 + diff * g;
}

static void robust_fit(double *v, size_t m, double *a, double *b)
{
    fw_prep_sort(v, m);
    *a = fw_prep_median_sorted(v, m);
    *b = nonzero_scale(quantile_sorted(v, m, 75.0) - quantile_sorted(v, m, 25.0));
}

void fw_prep_scale_fit(int scale, double *v, size_t n, double *a, double *b)
{
    size_t m = fw_prep_compact(v, n);
    *a = scale == FW_SCALE_MINMAX ? 1.0 : 0.0;
    *b = scale == FW_SCALE_MINMAX ? 0.0 : 1.0;
    if (m == 0 || scale == FW_SCALE_NONE)
        return;
    if (scale == FW_SCALE_STANDARD)
        standard_fit(v, m, a, b);
    else if (scale == FW_SCALE_MINMAX)
        minmax_fit(v, m, a, b);
    else
        robust_fit(v, m, a, b);
}
