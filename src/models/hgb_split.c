/* hgb_split.c: the best split of a node from its histograms, as
 * scikit-learn's Splitter.find_node_split for numerical features: per
 * feature, a left-to-right scan (missing values go right) and, when the
 * node has missing values of the feature, a right-to-left scan (they go
 * left); the gain is scikit-learn's loss reduction
 *   G v - G_L v_L - G_R v_R,   v = -G / (H + l2 + 1e-15),
 * candidates must leave min_samples_leaf rows and a hessian sum of 1e-3 on
 * both sides, and the first strictly best bin and feature win.
 *
 * The running sums are scikit-learn's (same order, same rounding), two
 * features at a time; the candidates they allow form an interval of bins
 * (counts and hessian sums only grow along a scan). Exact gains, whose two
 * divisions were most of the cost, are computed only for candidates that a
 * one-division score (SSE2, two at a time) cannot rule out, so the split
 * chosen is the one scikit-learn's scan chooses. */
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "hgb_int.h"

#define HGB_MIN_HESSIAN 1e-3

double fw_hgb_node_value(double g, double h, double l2) { return -g / (h + l2 + 1e-15); }

/* scikit-learn's gain of one candidate whose accumulated side has sums
 * (ag, ah) and is the left child when acc_left. */
static double exact_gain(double ag, double ah, int acc_left, const fw_hgb_split_in *in)
{
    double gl = acc_left ? ag : in->sum_g - ag, hl = acc_left ? ah : in->sum_h - ah;
    double gr = acc_left ? in->sum_g - ag : ag, hr = acc_left ? in->sum_h - ah : ah;
    double gain = in->sum_g * in->value;
    gain -= gl * fw_hgb_node_value(gl, hl, in->l2);
    gain -= gr * fw_hgb_node_value(gr, hr, in->l2);
    return gain;
}

#if defined(__SSE2__)
/* For two candidates with accumulated sums (ga, ha): the numerator
 * G_A^2 D_B + G_B^2 D_A and denominator D_A D_B of G_A^2 / D_A + G_B^2 / D_B
 * (A the accumulated side, B the other, D = H + l2). */
static inline __m128d score_parts(__m128d ga, __m128d ha, __m128d vG, __m128d vH, __m128d vl2,
                                  __m128d *den)
{
    __m128d gb = _mm_sub_pd(vG, ga);
    __m128d da = _mm_add_pd(ha, vl2), db = _mm_add_pd(_mm_sub_pd(vH, ha), vl2);
    *den = _mm_mul_pd(da, db);
    return _mm_add_pd(_mm_mul_pd(_mm_mul_pd(ga, ga), db), _mm_mul_pd(_mm_mul_pd(gb, gb), da));
}
#endif

/* out[i] = G_L^2 / D_L + G_R^2 / D_R (D = H + l2) for candidates i in
 * [0, m), with one division instead of two: within 1e-15 or so of the
 * exact gain minus the node's own term. Returns the largest, or +inf when
 * one of them is not finite (then nothing can be ruled out). */
static double approx_scores(const double *a_g, const double *a_h, size_t m,
                            const fw_hgb_split_in *in, double *out)
{
    double G = in->sum_g, H = in->sum_h, l2 = in->l2, top = -INFINITY;
    int bad = 0;
    size_t i = 0;
#if defined(__SSE2__)
    __m128d vG = _mm_set1_pd(G), vH = _mm_set1_pd(H), vl2 = _mm_set1_pd(l2);
    __m128d vtop = _mm_set1_pd(-INFINITY), vbad = _mm_setzero_pd();
    for (; i + 2 <= m; i += 2) {
        __m128d den, num = score_parts(_mm_loadu_pd(a_g + i), _mm_loadu_pd(a_h + i), vG, vH,
                                       vl2, &den);
        __m128d v = _mm_div_pd(num, den);
        vbad = _mm_or_pd(vbad, _mm_cmpunord_pd(v, v));
        vtop = _mm_max_pd(vtop, v);
        _mm_storeu_pd(out + i, v);
    }
    double t2[2], b2[2];
    _mm_storeu_pd(t2, vtop);
    _mm_storeu_pd(b2, vbad);
    top = t2[0] > t2[1] ? t2[0] : t2[1];
    bad = b2[0] != 0 || b2[1] != 0;
#endif
    for (; i < m; i++) {
        double ga = a_g[i], gb = G - ga, da = a_h[i] + l2, db = (H - a_h[i]) + l2;
        out[i] = (ga * ga * db + gb * gb * da) / (da * db);
        bad |= out[i] != out[i];
        top = out[i] > top ? out[i] : top;
    }
    return bad || isinf(top) ? INFINITY : top;
}

/* Whether some candidate i in [0, m) has G_L^2 / D_L + G_R^2 / D_R > T,
 * without a division (both D are positive). */
static int any_above(const double *a_g, const double *a_h, size_t m, const fw_hgb_split_in *in,
                     double T)
{
    double G = in->sum_g, H = in->sum_h, l2 = in->l2;
    size_t i = 0;
    int any = 0;
#if defined(__SSE2__)
    __m128d vG = _mm_set1_pd(G), vH = _mm_set1_pd(H), vl2 = _mm_set1_pd(l2);
    __m128d vT = _mm_set1_pd(T), hit = _mm_setzero_pd();
    for (; i + 2 <= m; i += 2) {
        __m128d den, num = score_parts(_mm_loadu_pd(a_g + i), _mm_loadu_pd(a_h + i), vG, vH,
                                       vl2, &den);
        hit = _mm_or_pd(hit, _mm_cmpgt_pd(num, _mm_mul_pd(vT, den)));
    }
    any = _mm_movemask_pd(hit) != 0;
#endif
    for (; i < m && !any; i++) {
        double ga = a_g[i], gb = G - ga, da = a_h[i] + l2, db = (H - a_h[i]) + l2;
        any = ga * ga * db + gb * gb * da > T * (da * db);
    }
    return any;
}

/* The candidate of [lo, hi] scikit-learn's scan keeps: the largest gain
 * above t, the first one met in scan order among equals (ascending bins
 * when dir > 0, descending otherwise); -1 when none beats t. The one-
 * division scores rule out candidates that are clearly below the best
 * (or a whole feature below t), so the exact gain, two divisions, is only
 * computed for the few that could win. */
static int best_candidate(const double *a_g, const double *a_h, int lo, int hi, int acc_left,
                          const fw_hgb_split_in *in, double t, int dir, double *sc,
                          double *gain)
{
    double loss = in->sum_g * in->value;
    size_t m = (size_t)(hi - lo + 1);
    /* most features have nothing near the best so far: ruled out without
     * a division */
    if (!any_above(a_g + lo, a_h + lo, m, in, t - loss - 1e-9 * (fabs(t) + fabs(loss)) - 1e-300))
        return -1;
    double top = approx_scores(a_g + lo, a_h + lo, m, in, sc + lo);
    double margin = 1e-9 * (fabs(top) + fabs(loss)) + 1e-300;
    double cut = isinf(top) ? -INFINITY : top - margin;
    int best = -1;
    for (int k = 0; k <= hi - lo; k++) {
        int b = dir > 0 ? lo + k : hi - k;
        if (!(sc[b] >= cut) && cut > -INFINITY)
            continue;
        double e = exact_gain(a_g[b], a_h[b], acc_left, in);
        if (e > t) {
            t = e;
            best = b;
        }
    }
    *gain = t;
    return best;
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
static void best_left(const fw_hgb_split_in *in, scan s, int end, double floor,
                      fw_hgb_split *best)
{
    int lo = 0, hi = end - 1;
    while (lo < end && !acc_ok(in, &s, lo))
        lo++;
    while (hi >= 0 && !other_ok(in, &s, hi))
        hi--;
    if (lo > hi)
        return;
    double gain;
    double t = best->gain > floor ? best->gain : floor;
    int b = best_candidate(s.g, s.h, lo, hi, 1, in, t, 1, s.gain, &gain);
    if (b >= 0)
        *best = (fw_hgb_split){gain, s.g[b], s.h[b], best->feature, (uint32_t)b,
                               (uint32_t)s.c[b], 0};
}

/* Right to left: candidate b puts value bins b+1.. on the right, missing
 * values on the left; scanned from b = nb - 2 down, as scikit-learn. */
static void best_right(const fw_hgb_split_in *in, const fw_hgb_hbin *hj, int nb, scan s,
                       int ch, double floor, fw_hgb_split *best)
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
    double gain;
    double t = best->gain > floor ? best->gain : floor;
    int b = best_candidate(s.g, s.h, lo, hi, 0, in, t, -1, s.gain, &gain);
    if (b >= 0)
        *best = (fw_hgb_split){gain, in->sum_g - s.g[b], in->sum_h - s.h[b], best->feature,
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
            /* Only gains above the best so far (and above 0) can change the
             * outcome: a feature whose scans find nothing above it loses to
             * the earlier feature either way. */
            double floor = best->gain > 0 ? best->gain : 0;
            best_left(in, sc[k], nb[k] - 1 + miss[k], floor, &c);
            if (miss[k])
                best_right(in, hj[k], nb[k], sc[k], in->const_hess, floor, &c);
            if (c.gain > best->gain)
                *best = c;
        }
    }
}
