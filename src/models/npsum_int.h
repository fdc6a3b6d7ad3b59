/* npsum_int.h: numpy's summation order, for models whose results must
 * match scikit-learn's to the last bit (gaussian_nb, knn).
 *
 * numpy adds a contiguous run of values (np.sum along the last axis of a
 * C-ordered array) in buffers of 8192 values, each by pairwise summation:
 * fewer than 8 values in sequence, up to 128 with eight interleaved partial
 * sums, more by halving. Summing the same values in another order can
 * change the last bits. (The split and metrics layers carry the same
 * helper; one in core would serve all three.) */
#ifndef FOLDWISE_NPSUM_INT_H
#define FOLDWISE_NPSUM_INT_H

#include <stddef.h>

static inline double fw_np_pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += a[i];
        return s;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (i = 0; i < 8; i++)
            r[i] = a[i];
        for (i = 8; i < n - n % 8; i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += a[i + j];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            s += a[i];
        return s;
    }
    size_t half = n / 2;
    half -= half % 8;
    return fw_np_pairwise(a, half) + fw_np_pairwise(a + half, n - half);
}

/* The reduction itself hands the loop buffers of 8192 values, added in turn. */
static inline double fw_np_sum(const double *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i += 8192)
        s += fw_np_pairwise(a + i, n - i < 8192 ? n - i : 8192);
    return s;
}

#endif /* FOLDWISE_NPSUM_INT_H */
