/* npsum.c: numpy's summation order. Results that must equal scikit-learn's
 * to the last bit (metrics, naive Bayes, kNN, the stratified group splitter)
 * add values in the order np.add.reduce does: pairwise summation
 * (numpy/core/src/umath/loops_utils.h.src, DOUBLE_pairwise_sum) over
 * iterator buffers of 8192 values, whose sums are added in turn. */
#include "foldwise/core.h"

double fw_np_pairwise(const double *a, size_t n, size_t stride)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i * stride];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (size_t j = 0; j < 8; j++)
            r[j] = a[j * stride];
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += a[(i + j) * stride];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i * stride];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return fw_np_pairwise(a, n2, stride) + fw_np_pairwise(a + n2 * stride, n - n2, stride);
}

double fw_np_sum(const double *a, size_t n, size_t stride)
{
    enum { NPY_BUFSIZE = 8192 };
    double res = 0.;
    for (size_t i = 0; i < n; i += NPY_BUFSIZE)
        res += fw_np_pairwise(a + i * stride, n - i < NPY_BUFSIZE ? n - i : NPY_BUFSIZE, stride);
    return res;
}
