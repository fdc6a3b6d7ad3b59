/* hgb_split.c: the best split of a node from its histograms, as
 * scikit-learn's Splitter.find_node_split for numerical features: per
 * feature, a left-to-right scan (missing values go right) and, when the
 * node has missing values of the feature, a right-to-left scan (they go
 * left); the gain is scikit-learn's loss reduction
 *   G v - G_L v_L - G_R v_R,   v = -G / (H + l2 + 1e-15),
 * candidates must leave min_samples_leaf rows and a hessian sum of 1e-3 on
 * both sides, and the first strictly best bin and feature win.
 *
 * The running sums are scikit-learn's (same order, same rounding); the
 * candidates they allow form an interval of bins (counts and hessian sums
 * only grow along a scan), whose gains are computed two at a time with SSE2
 * (the two divisions per candidate are most of the cost), then scanned for
 * the first maximum in scikit-learn's order. */
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hgb_int.h"

#define HGB_MIN_HESSIAN 1e-3

double fw_hgb_node_value(double g, double h, double l2) { return -g / (h + l2 + 1e-15); }

/* Gains of candidates i in [0, m): the accumulated side has sums a_g[i],
 * a_h[i] and is the left child when acc_left, else the right one. */
static void gains(const double *a_g, const double *a_h, size_t m, int acc_left,
                  const fw_hgb_split_in *in, double *out)
{
    double G = in->sum_g, H = in->sum_h, loss = in->sum_g * in->value, l2 = in->l2;
    size_t i = 0;
#if defined(__SSE2__)
    __m128d vG = _mm_set1_pd(G), vH = _mm_set1_pd(H), vloss = _mm_set1_pd(loss);
    __m128d vl2 = _mm_set1_pd(l2), veps = _mm_set1_pd(1e-15), sign = _mm_set1_pd(-0.0);
    for (; i + 2 <= m; i += 2) {
        __m128d ag = _mm_loadu_pd(a_g + i), ah = _mm_loadu_pd(a_h + i);
        __m128d og = _mm_sub_pd(vG, ag), oh = _mm_sub_pd(vH, ah);
        __m128d gl = acc_left ? ag : og, hl = acc_left ? ah : oh;
        __m128d gr = acc_left ? og : ag, hr = acc_left ? oh : ah;
        __m128d vl = _mm_div_pd(_mm_xor_pd(gl, sign), _mm_add_pd(_mm_add_pd(hl, vl2), veps));
        __m128d vr = _mm_div_pd(_mm_xor_pd(gr, sign), _mm_add_pd(_mm_add_pd(hr, vl2), veps));
        __m128d gain = _mm_sub_pd(_mm_sub_pd(vloss, _mm_mul_pd(gl, vl)), _mm_mul_pd(gr, vr));
        _mm_storeu_pd(out + i, gain);
    }
#endif
    for (; i < m; i++) {
        double gl = acc_left ? a_g[i] : G - a_g[i], hl = acc_left ? a_h[i] : H - a_h[i];
        double gr = acc_left ? G - a_g[i] : a_g[i], hr = acc_left ? H - a_h[i] : a_h[i];
        double gain = loss;
        gain -= gl * fw_hgb_node_value(gl, hl, l2);
        gain -= gr * fw_hgb_node_value(gr, hr, l2);
        out[i] = gain;
    }
}

/* Index of the largest of v[lo..hi] that is > t: the first one (dir > 0)
 * or the last one (dir < 0) among equals, as a scan keeping strictly better
 * values finds; -1 when none is > t. No gain is NaN: every hessian sum
 * divided by is at least 1e-3. */
static int best_index(const double *v, int lo, int hi, double t, int dir)
{
    double m = v[lo];
    int b = lo + 1;
#if defined(__SSE2__)
    __m128d vm = _mm_set1_pd(m);
    for (; b + 2 <= hi + 1; b += 2)
        vm = _mm_max_pd(vm, _mm_loadu_pd(v + b));
    double two[2];
    _mm_storeu_pd(two, vm);
    m = two[0] > two[1] ? two[0] : two[1];
#endif
    for (; b <= hi; b++)
        m = v[b] > m ? v[b] : m;
    if (!(m > t))
        return -1;
    if (dir > 0) {
        for (b = lo; v[b] != m; b++)
            ;
    } else {
        for (b = hi; v[b] != m; b--)
            ;
    }
    return b;
}

/* Running sums of a scan: acc[0..3] hold gradient, hessian and count
 * arrays; index i is candidate bin i. */
typedef struct scan {
    double *g, *h, *c, *gain;
} scan;

static scan scan_at(double *ws) { return (scan){ws, ws + 256, ws + 512, ws + 768}; }

/* Left-to-right running sums over bins 0..end-1 of two features at once
 * (their additions are independent chains, so they overlap); f2 may be
 * absent (e2 = 0). */
static void sums_left2(const fw_hgb_hbin *f1, int e1, const fw_hgb_hbin *f2, int e2, int ch,
                       scan s1, scan s2)
{
    double g1 = 0, h1 = 0, c1 = 0, g2 = 0, h2 = 0, c2 = 0;
    int m = e1 < e2 ? e1 : e2, b = 0;
    for (; b < m; b++) {
        c1 += f1[b].c;
        h1 += ch ? f1[b].c : f1[b].h;
        g1 += f1[b].g;
        c2 += f2[b].c;
        h2 += ch ? f2[b].c : f2[b].h;
        g2 += f2[b].g;
        s1.g[b] = g1, s1.h[b] = h1, s1.c[b] = c1;
        s2.g[b] = g2, s2.h[b] = h2, s2.c[b] = c2;
    }
    for (int k = b; k < e1; k++) {
        c1 += f1[k].c;
        h1 += ch ? f1[k].c : f1[k].h;
        g1 += f1[k].g;
        s1.g[k] = g1, s1.h[k] = h1, s1.c[k] = c1;
    }
    for (int k = b; k < e2; k++) {
        c2 += f2[k].c;
        h2 += ch ? f2[k].c : f2[k].h;
        g2 += f2[k].g;
        s2.g[k] = g2, s2.h[k] = h2, s2.c[k] = c2;
    }
}

/* The accumulated side passes min_samples_leaf and the hessian minimum. */
static int acc_ok(const fw_hgb_split_in *in, const scan *s, int b)
{
    return s->c[b] >= in->msl && s->h[b] >= HGB_MIN_HESSIAN;
}

/* The other side passes them. */
static int other_ok(const fw_hgb_split_in *in, const scan *s, int b)
{
    return in->n - s->c[b] >= in->msl && in->sum_h - s->h[b] >= HGB_MIN_HESSIAN;
}

/* Left-to-right candidates 0..end-1 (missing values go right). scikit-learn
 * skips bins while the left side is too small and stops at the first whose
 * right side is too small: the bins it scores are an interval. */
static void best_left(const fw_hgb_split_in *in, scan s, int end, fw_hgb_split *best)
{
    int lo = 0, hi = end - 1;
    while (lo < end && !acc_ok(in, &s, lo))
        lo++;
    while (hi >= 0 && !other_ok(in, &s, hi))
        hi--;
    if (lo > hi)
        return;
    gains(s.g + lo, s.h + lo, (size_t)(hi - lo + 1), 1, in, s.gain + lo);
    int b = best_index(s.gain, lo, hi, best->gain > 0 ? best->gain : 0, 1);
    if (b >= 0)
        *best = (fw_hgb_split){s.gain[b], s.g[b], s.h[b], best->feature, (uint32_t)b,
                               (uint32_t)s.c[b], 0};
}

/* Right to left: candidate b puts value bins b+1.. on the right, missing
 * values on the left; scanned from b = nb - 2 down, as scikit-learn. */
static void best_right(const fw_hgb_split_in *in, const fw_hgb_hbin *hj, int nb, scan s,
                       int ch, fw_hgb_split *best)
{
    double g = 0, h = 0, c = 0;
    for (int b = nb - 2; b >= 0; b--) {
        c += hj[b + 1].c;
        h += ch ? hj[b + 1].c : hj[b + 1].h;
        g += hj[b + 1].g;
        s.g[b] = g, s.h[b] = h, s.c[b] = c;
    }
    int lo = 0, hi = nb - 2;
    while (hi >= 0 && !acc_ok(in, &s, hi))
        hi--;
    while (lo <= hi && !other_ok(in, &s, lo))
        lo++;
    if (lo > hi)
        return;
    gains(s.g + lo, s.h + lo, (size_t)(hi - lo + 1), 0, in, s.gain + lo);
    int b = best_index(s.gain, lo, hi, best->gain > 0 ? best->gain : 0, -1);
    if (b >= 0)
        *best = (fw_hgb_split){s.gain[b], in->sum_g - s.g[b], in->sum_h - s.h[b], best->feature,
                               (uint32_t)b, (uint32_t)(in->n - s.c[b]), 1};
}

void fw_hgb_find_split(const fw_hgb_bins *b, fw_hgb_hbin *hist, const fw_hgb_hbin *minus,
                       const fw_hgb_split_in *in, double *ws, fw_hgb_split *best)
{
    memset(best, 0, sizeof *best);
    best->gain = -1;
    for (size_t j = 0; j < b->p; j += 2) {
        size_t nf = j + 1 < b->p ? 2 : 1;
        const fw_hgb_hbin *hj[2];
        int nb[2], miss[2];
        scan sc[2] = {scan_at(ws), scan_at(ws + 1024)};
        if (minus) {
            size_t a = b->hist_off[j], z = b->hist_off[j + nf];
            fw_hgb_hist_subtract(hist + a, minus + a, z - a);
        }
        for (size_t k = 0; k < nf; k++) {
            hj[k] = hist + b->hist_off[j + k];
            nb[k] = b->n_nonmiss[j + k];
            miss[k] = hj[k][nb[k]].c > 0;
        }
        sums_left2(hj[0], nb[0] - 1 + miss[0], nf > 1 ? hj[1] : NULL,
                   nf > 1 ? nb[1] - 1 + miss[1] : 0, in->const_hess, sc[0], sc[1]);
        for (size_t k = 0; k < nf; k++) {
            fw_hgb_split c = {.gain = -1, .feature = (uint32_t)(j + k)};
            best_left(in, sc[k], nb[k] - 1 + miss[k], &c);
            if (miss[k])
                best_right(in, hj[k], nb[k], sc[k], in->const_hess, &c);
            if (c.gain > best->gain)
                *best = c;
        }
    }
}
