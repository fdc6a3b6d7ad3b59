/* hgb_hist.c: gradient/hessian histograms of a node's rows for hist_gbdt.
 * Each bin's sums are accumulated in row order, as scikit-learn does, so the
 * sums (and the trees) come out the same as its. Two features are summed
 * per pass over the rows: their updates are independent, and the row's
 * index and gradient pair are loaded once for both. */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hgb_int.h"

/* slot += (g, h) of pair gh, and one row. */
static inline void add_pair(fw_hgb_hbin *s, const float *gh)
{
#if defined(__SSE2__)
    __m128d v = _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)gh)));
    _mm_storeu_pd(&s->g, _mm_add_pd(_mm_loadu_pd(&s->g), v));
#else
    s->g += gh[0];
    s->h += gh[1];
#endif
    s->c += 1.0;
}

static inline void add_grad(fw_hgb_hbin *s, const float *gh)
{
    s->g += gh[0];
    s->c += 1.0;
}

/* Features f1 and f2 (f2 may equal f1's histogram and column when there is
 * a single one left: then only f1 is summed). root: row i is idx[i] = i. */
static inline void sum_two(fw_hgb_hbin *h1, const uint8_t *c1, fw_hgb_hbin *h2,
                           const uint8_t *c2, const uint32_t *idx, size_t m, const float *gh,
                           int root, int const_hess, int two)
{
    for (size_t i = 0; i < m; i++) {
        size_t r = root ? i : idx[i];
        const float *v = gh + 2 * i;
        if (const_hess) {
            add_grad(&h1[c1[r]], v);
            if (two)
                add_grad(&h2[c2[r]], v);
        } else {
            add_pair(&h1[c1[r]], v);
            if (two)
                add_pair(&h2[c2[r]], v);
        }
    }
}

void fw_hgb_hist_build(const fw_hgb_bins *b, const uint32_t *idx, size_t m, int root,
                       const float *gh, int const_hess, float *ogh, fw_hgb_hbin *hist)
{
    size_t n = b->n;
    if (!root) {
        for (size_t i = 0; i < m; i++)
            memcpy(ogh + 2 * i, gh + 2 * (size_t)idx[i], 2 * sizeof *ogh);
        gh = ogh;
    }
    for (size_t j = 0; j < b->p; j += 2) {
        int two = j + 1 < b->p;
        fw_hgb_hbin *h1 = hist + b->hist_off[j], *h2 = two ? hist + b->hist_off[j + 1] : h1;
        const uint8_t *c1 = b->codes + j * n, *c2 = two ? c1 + n : c1;
        /* zeroing per feature keeps the slots in cache for the sums */
        memset(h1, 0, (b->hist_off[j + 1 + two] - b->hist_off[j]) * sizeof *h1);
        if (root && const_hess)
            sum_two(h1, c1, h2, c2, idx, m, gh, 1, 1, two);
        else if (root)
            sum_two(h1, c1, h2, c2, idx, m, gh, 1, 0, two);
        else if (const_hess)
            sum_two(h1, c1, h2, c2, idx, m, gh, 0, 1, two);
        else
            sum_two(h1, c1, h2, c2, idx, m, gh, 0, 0, two);
    }
}

void fw_hgb_hist_subtract(fw_hgb_hbin *big, const fw_hgb_hbin *small, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        big[i].g -= small[i].g;
        big[i].h -= small[i].h;
        big[i].c -= small[i].c;
    }
}
