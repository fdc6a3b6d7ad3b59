/* impute.c: imputation statistics, as scikit-learn's SimpleImputer computes
 * them on the training rows of a split: the mean of the present values,
 * their median (the mean of the two middle values for an even count, as
 * numpy's masked median), or the most frequent value (the smallest among
 * equally frequent ones, as scipy's mode). */
#include <math.h>
#include <stdlib.h>

#include "prep_int.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t fw_prep_compact(double *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    return m;
}

static double mean_of(const double *v, size_t m)
{
    double s = 0;
    for (size_t i = 0; i < m; i++)
        s += v[i];
    return s / (double)m;
}

void fw_prep_sort(double *v, size_t m)
{
    qsort(v, m, sizeof *v, cmp_double);
}

/* v sorted, m > 0. */
double fw_prep_median_sorted(const double *v, size_t m)
{
    return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2.0;
}

/* v sorted, m > 0: the first value of the longest run. */
static double mode_sorted(const double *v, size_t m)
{
    double best = v[0];
    size_t best_n = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && v[j] == v[i])
            j++;
        if (j - i > best_n) {
            best_n = j - i;
            best = v[i];
        }
        i = j;
    }
    return best;
}

int fw_prep_numeric_fill(int impute, double *v, size_t n, double *fill)
{
    *fill = NAN;
    if (impute == FW_IMPUTE_NONE)
        return 1;
    size_t m = fw_prep_compact(v, n);
    if (m == 0)
        return 0;
    if (impute == FW_IMPUTE_MEAN) {
        *fill = mean_of(v, m);
        return 1;
    }
    fw_prep_sort(v, m);
    *fill = impute == FW_IMPUTE_MEDIAN ? fw_prep_median_sorted(v, m) : mode_sorted(v, m);
    return 1;
}

long fw_prep_mode_code(const double *codes, size_t n, size_t n_levels, size_t *counts)
{
    for (size_t l = 0; l < n_levels; l++)
        counts[l] = 0;
    for (size_t i = 0; i < n; i++) {
        double c = codes[i];
        if (!isnan(c) && c >= 0 && c < (double)n_levels)
            counts[(size_t)c]++;
    }
    long best = -1;
    for (size_t l = 0; l < n_levels; l++)
        if (counts[l] > 0 && (best < 0 || counts[l] > counts[best]))
            best = (long)l;
    return best;
}
