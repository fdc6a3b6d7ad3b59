/* cart.c: builds one CART tree, depth first, as scikit-learn's
 * DepthFirstTreeBuilder with its BestSplitter (exact search) or
 * RandomSplitter (extra trees), on codes (cart_data.c).
 *
 * Per node: the node is a leaf when depth >= max_depth, rows <
 * min_samples_split, rows < 2 * min_samples_leaf or impurity <= EPSILON.
 * Otherwise features are drawn without replacement until max_features have
 * been visited and at least one was not constant in the node (scikit-
 * learn's rule: constant features count as visited but the search goes on
 * until a non-constant one is found); features found constant are not
 * drawn again below. With max_features = all the features are visited in
 * index order and no random number is used. A candidate replaces the best
 * only when its proxy improvement is strictly larger, so ties go to the
 * feature visited first, then the lowest threshold, then missing values
 * going right, then the "non-missing | missing" split.
 *
 * Best splitter: each tree keeps every feature's rows in code order (the
 * split's presorted lists, filtered to the tree's rows and split stably at
 * each node, so nothing is sorted inside the tree); for data too large to
 * presort, the node's codes are radix-sorted per visited feature instead.
 * The sorted rows are scanned once per feature; a split
 * lies between consecutive distinct values further apart than
 * FW_CART_FEATURE_THRESHOLD, at their midpoint (a/2 + b/2, or a when that
 * rounds to b), and leaves at least min_samples_leaf rows on each side.
 * With NaN in the feature every position is tried with the NaN rows on the
 * right, then on the left, then all non-missing rows left and NaN right
 * (threshold +inf), as scikit-learn >= 1.3. Without NaN in the node the
 * split remembers to send NaN to the child with more rows (ties right).
 *
 * Random splitter: one threshold per visited feature, uniform in the
 * node's [min, max) (max maps to min), NaN rows sent to a random side,
 * then the "non-missing | missing" split.
 *
 * Criteria and their proxies follow scikit-learn's _criterion.pyx: gini and
 * entropy (log2) on weighted class counts, squared_error on weighted sums,
 * absolute_error on weighted medians (kept with Fenwick trees over the
 * node's target order, so a feature costs O(m log m), not O(m^2)). For
 * gini and squared_error a division-free screen skips candidates that
 * cannot beat the best so far; the decisions are those of the exact
 * formulas. */
#include <stdlib.h>
#include <string.h>

#include "cart_int.h"
#include "foldwise/data.h"

typedef struct stack_entry {
    uint32_t start, end, depth, node;
    size_t const_off, const_n;   /* known-constant features: arena[const_off ...] */
} stack_entry;

typedef struct fenwick {
    double *w, *s;               /* weights and weighted targets, 1-based */
    size_t m;
    unsigned top;                /* highest power of two <= m */
} fenwick;

struct fw_cart_work {
    size_t n, p, k;
    uint32_t *samples, *scratch, *miss, *cbuf;
    uint32_t *pk;                /* class | integer weight << 16 per row (packed keys) */
    uint64_t *lists, *ltmp;      /* presorted mode: p lists of n keys (code << 32 | row), scratch */
    uint8_t *side;               /* presorted mode: 1 when a row goes left */
    uint64_t *keys, *keys2;
    uint32_t *rcnt;              /* radix counters (2048) */
    double *acc;                 /* criterion scratch, 8k + 16 */
    uint32_t *pool;              /* feature draw pool */
    uint8_t *known;              /* known-constant flags of the current node */
    uint32_t *arena;
    size_t arena_len, arena_cap;
    stack_entry *stack;
    size_t stack_len, stack_cap;
    /* absolute_error: the node's rows in target order */
    uint32_t *nrank;             /* n: position of a row in the node's target order */
    double *ys, *ws;             /* targets and weights in that order */
    fenwick fl, fr;
};

/* A candidate split. */
typedef struct split_rec {
    double proxy;
    int32_t feature;             /* -1: none yet */
    uint32_t cut;                /* non-missing codes <= cut go left (see fw_cart_codes) */
    uint32_t next;               /* best splitter: first code right of the cut (0: use threshold) */
    int missing_left;
    double threshold;
    size_t nmiss;                /* NaN rows of the feature in the node */
} split_rec;

typedef struct bld {
    const fw_cart_data *d;
    const fw_cart_codes *codes;
    const fw_cart_params *prm;
    const double *w;
    gsl_rng *rng;
    fw_cart_work *wk;
    fw_cart_tree *t;
    size_t k;                    /* stats width: classes, or 1 */
    double w_total;
    /* the node being split */
    uint32_t start, end;
    size_t n;
    double wn, imp;
    double *tot;                 /* class sums, or {sum w*y} */
    int packed;                  /* keys carry class | integer weight << 16 instead of the row */
    int presorted;               /* best splitter on per-feature sorted lists (wk->lists) */
} bld;

/* ---- workspace ------------------------------------------------------------ */

void fw_cart_work_free(fw_cart_work *w)
{
    if (!w)
        return;
    free(w->samples);
    free(w->scratch);
    free(w->miss);
    free(w->cbuf);
    free(w->pk);
    free(w->lists);
    free(w->ltmp);
    free(w->side);
    free(w->keys);
    free(w->keys2);
    free(w->rcnt);
    free(w->acc);
    free(w->pool);
    free(w->known);
    free(w->arena);
    free(w->stack);
    free(w->nrank);
    free(w->ys);
    free(w->ws);
    free(w->fl.w);
    free(w->fl.s);
    free(w->fr.w);
    free(w->fr.s);
    free(w);
}

fw_cart_work *fw_cart_work_alloc(size_t n, size_t p, size_t k)
{
    fw_cart_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t n1 = n ? n : 1, p1 = p ? p : 1;
    w->n = n, w->p = p, w->k = k;
    w->samples = malloc(n1 * sizeof *w->samples);
    w->scratch = malloc(n1 * sizeof *w->scratch);
    w->miss = malloc(n1 * sizeof *w->miss);
    w->cbuf = malloc(n1 * sizeof *w->cbuf);
    w->pk = malloc(n1 * sizeof *w->pk);
    w->keys = malloc(n1 * sizeof *w->keys);
    w->keys2 = malloc(n1 * sizeof *w->keys2);
    w->rcnt = malloc(2048 * sizeof *w->rcnt);
    w->acc = malloc((8 * k + 16) * sizeof *w->acc);
    w->pool = malloc(2 * p1 * sizeof *w->pool);   /* draw pool, then found constants */
    w->known = calloc(p1, 1);
    w->nrank = malloc(n1 * sizeof *w->nrank);
    w->ys = malloc(n1 * sizeof *w->ys);
    w->ws = malloc(n1 * sizeof *w->ws);
    w->fl.w = malloc((n1 + 1) * sizeof(double));
    w->fl.s = malloc((n1 + 1) * sizeof(double));
    w->fr.w = malloc((n1 + 1) * sizeof(double));
    w->fr.s = malloc((n1 + 1) * sizeof(double));
    if (!w->samples || !w->scratch || !w->miss || !w->cbuf || !w->pk || !w->keys || !w->keys2 ||
        !w->rcnt || !w->acc || !w->pool || !w->known || !w->nrank || !w->ys ||
        !w->ws || !w->fl.w || !w->fl.s || !w->fr.w || !w->fr.s) {
        fw_cart_work_free(w);
        return NULL;
    }
    return w;
}

/* ---- tree storage --------------------------------------------------------- */

void fw_cart_tree_free(fw_cart_tree *t)
{
    if (!t)
        return;
    free(t->node);
    free(t->value);
    free(t->impurity);
    free(t->wn);
    free(t->n_samples);
    memset(t, 0, sizeof *t);
}

static int tree_reserve(fw_cart_tree *t, size_t more)
{
    if (t->n_nodes + more <= t->cap)
        return FW_OK;
    size_t cap = t->cap ? 2 * t->cap : 63;
    while (cap < t->n_nodes + more)
        cap *= 2;
    void *a = realloc(t->node, cap * sizeof *t->node);
    if (a)
        t->node = a;
    void *b = a ? realloc(t->value, cap * t->width * sizeof *t->value) : NULL;
    if (b)
        t->value = b;
    void *c = b ? realloc(t->impurity, cap * sizeof *t->impurity) : NULL;
    if (c)
        t->impurity = c;
    void *d = c ? realloc(t->wn, cap * sizeof *t->wn) : NULL;
    if (d)
        t->wn = d;
    void *f = d ? realloc(t->n_samples, cap * sizeof *t->n_samples) : NULL;
    if (!f)
        return FW_ENOMEM;
    t->n_samples = f;
    t->cap = cap;
    return FW_OK;
}

/* ---- sorting codes -------------------------------------------------------- */

/* Sort keys (code << 32 | row) by code; codes lie in [cmin, cmin + range). */
static void sort_keys(uint64_t *a, uint64_t *tmp, uint32_t *cnt, size_t n, uint32_t cmin,
                      uint64_t range)
{
    if (n <= 48) {
        for (size_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1] > v; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return;
    }
    unsigned bits = 0;
    while ((1ull << bits) < range)
        bits++;
    unsigned dig = n < 1024 ? 8 : 11;
    size_t nb = (size_t)1 << dig;
    uint64_t *src = a, *dst = tmp;
    for (unsigned sh = 0; sh < bits; sh += dig) {
        memset(cnt, 0, nb * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((uint32_t)(src[i] >> 32) - cmin) >> sh & (nb - 1)]++;
        uint32_t sum = 0;
        for (size_t b = 0; b < nb; b++) {
            uint32_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[cnt[((uint32_t)(src[i] >> 32) - cmin) >> sh & (nb - 1)]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* ---- impurities (scikit-learn's formulas, term by term) ------------------- */

static inline double gini(const double *c, size_t k, double w)
{
    double sq = 0;
    for (size_t i = 0; i < k; i++)
        sq += c[i] * c[i];
    return 1.0 - sq / (w * w);
}

static inline double entropy(const double *c, size_t k, double w)
{
    double h = 0;
    for (size_t i = 0; i < k; i++) {
        if (c[i] > 0.0) {
            double q = c[i] / w;
            h -= q * (log(q) / log(2.0));
        }
    }
    return h;
}

static inline double cls_impurity(const bld *b, const double *c, double w)
{
    return b->prm->criterion == FW_CART_GINI ? gini(c, b->k, w) : entropy(c, b->k, w);
}

/* Division-free screen: could the gini proxy, which is mathematically
 * sr/wr + sl/wl - wn, beat `best`? The margin (1e-9 relative) is far above
 * the rounding of either form, so a candidate screened out is certainly
 * worse, and the decisions stay those of the exact formula. */
static inline int gini_may_beat(double sl, double sr, double wl, double wr, double wn,
                                double best)
{
    double tol = 1e-9 * (wn + fabs(best));
    return sr * wl + sl * wr >= (best + wn - tol) * (wl * wr);
}

/* Proxy of a classification split: -wr * imp_r - wl * imp_l, with right
 * counts = node counts - left counts, each impurity summed over classes in
 * order as scikit-learn does (the two-class case spelled out: it is the
 * hot loop of binary problems). -INFINITY when the gini screen shows it
 * cannot beat `best`. */
static inline __attribute__((always_inline)) double
cls_proxy(const double *tot, double wn, size_t k, const double *left, double wl,
          const int is_gini, double best)
{
    double wr = wn - wl;
    if (is_gini && k == 2) {
        double r0 = tot[0] - left[0], r1 = tot[1] - left[1];
        double sl = left[0] * left[0] + left[1] * left[1], sr = r0 * r0 + r1 * r1;
        if (!gini_may_beat(sl, sr, wl, wr, wn, best))
            return -INFINITY;
        return -wr * (1.0 - sr / (wr * wr)) - wl * (1.0 - sl / (wl * wl));
    }
    double il = 0, ir = 0;
    for (size_t c = 0; c < k; c++) {
        double l = left[c], r = tot[c] - left[c];
        if (is_gini) {
            il += l * l;
            ir += r * r;
            continue;
        }
        if (l > 0.0)
            il -= (l / wl) * (log(l / wl) / log(2.0));
        if (r > 0.0)
            ir -= (r / wr) * (log(r / wr) / log(2.0));
    }
    if (is_gini && !gini_may_beat(il, ir, wl, wr, wn, best))
        return -INFINITY;
    if (is_gini)
        return -wr * (1.0 - ir / (wr * wr)) - wl * (1.0 - il / (wl * wl));
    return -wr * ir - wl * il;
}

/* sl^2/wl + sr^2/wr, or -INFINITY when a division-free screen (margin
 * 1e-9 relative, as gini_may_beat) shows it cannot beat `best`. */
static inline double mse_proxy(const bld *b, double sl, double wl, double best)
{
    double sr = b->tot[0] - sl, wr = b->wn - wl;
    if (sl * sl * wr + sr * sr * wl < (best - 1e-9 * fabs(best)) * (wl * wr))
        return -INFINITY;
    return sl * sl / wl + sr * sr / wr;
}

/* ---- node statistics ------------------------------------------------------- */

/* Sums over rows samples[lo, hi): class weights (k) or {sum wy, sum wy^2}. */
static double range_sums(const bld *b, uint32_t lo, uint32_t hi, double *sum)
{
    const uint32_t *S = b->wk->samples;
    double wn = 0;
    if (b->d->task == FW_TASK_CLASSIFICATION) {
        memset(sum, 0, b->k * sizeof *sum);
        for (uint32_t i = lo; i < hi; i++) {
            double ww = b->w[S[i]];
            sum[b->d->ycls[S[i]]] += ww;
            wn += ww;
        }
        return wn;
    }
    sum[0] = sum[1] = 0;
    for (uint32_t i = lo; i < hi; i++) {
        double ww = b->w[S[i]], y = b->d->y[S[i]];
        sum[0] += ww * y;
        sum[1] += ww * y * y;
        wn += ww;
    }
    return wn;
}

/* Puts samples[lo, hi) in target order into wk->ys/ws and wk->nrank. */
static void target_order(bld *b, uint32_t lo, uint32_t hi)
{
    fw_cart_work *wk = b->wk;
    size_t m = hi - lo;
    const uint32_t *S = wk->samples + lo;
    for (size_t i = 0; i < m; i++)
        wk->keys[i] = (uint64_t)b->d->yrank[S[i]] << 32 | S[i];
    sort_keys(wk->keys, wk->keys2, wk->rcnt, m, 0, (uint64_t)wk->n);
    for (size_t r = 0; r < m; r++) {
        uint32_t s = (uint32_t)wk->keys[r];
        wk->ys[r] = b->d->y[s];
        wk->ws[r] = b->w[s];
        wk->nrank[s] = (uint32_t)r;
    }
}

/* Weighted median of ys/ws[0, m) where in[r] (or all when in == NULL):
 * the smallest value whose cumulative weight reaches half the total, the
 * mean with the next value when it lands exactly on half (scikit-learn's
 * WeightedMedianCalculator). Returns sum w*|y - median| in *dev. */
static double median_dev(const fw_cart_work *wk, size_t m, const uint8_t *in, int side,
                         double *dev)
{
    double total = 0, acc = 0, med = 0;
    for (size_t r = 0; r < m; r++)
        if (!in || in[r] == side)
            total += wk->ws[r];
    size_t r = 0;
    for (; r < m; r++) {
        if (in && in[r] != side)
            continue;
        acc += wk->ws[r];
        if (acc >= total / 2.0)
            break;
    }
    med = r < m ? wk->ys[r] : 0;
    if (r < m && acc == total / 2.0) {
        size_t r2 = r + 1;
        while (r2 < m && ((in && in[r2] != side) || wk->ws[r2] == 0))
            r2++;
        if (r2 < m)
            med = (wk->ys[r2] + wk->ys[r]) / 2.0;
    }
    double d = 0;
    for (size_t q = 0; q < m; q++)
        if (!in || in[q] == side)
            d += fabs(wk->ys[q] - med) * wk->ws[q];
    *dev = d;
    return med;
}

/* Fill node id's value, impurity, wn and n from samples[lo, hi). */
static void node_set(bld *b, size_t id, uint32_t lo, uint32_t hi)
{
    fw_cart_tree *t = b->t;
    double *sum = b->wk->acc + 6 * b->k + 8;
    double wn = range_sums(b, lo, hi, sum), imp;
    double *val = t->value + id * t->width;
    if (b->d->task == FW_TASK_CLASSIFICATION) {
        memcpy(val, sum, b->k * sizeof *val);
        imp = cls_impurity(b, sum, wn);
    } else if (b->prm->criterion == FW_CART_MAE) {
        double dev;
        target_order(b, lo, hi);
        val[0] = median_dev(b->wk, hi - lo, NULL, 0, &dev);
        imp = dev / wn;
    } else {
        val[0] = sum[0] / wn;
        imp = sum[1] / wn - (sum[0] / wn) * (sum[0] / wn);
    }
    t->impurity[id] = imp;
    t->wn[id] = wn;
    t->n_samples[id] = hi - lo;
    t->node[id].feature = -1;
    t->node[id].threshold = -2;
    t->node[id].child = 0;
}

/* ---- recording candidates --------------------------------------------------- */

/* A best-splitter candidate between codes c and cn; the threshold is
 * computed once for the winner (split_threshold), not on every record. */
static inline void record(split_rec *r, double proxy, uint32_t f, uint32_t c, uint32_t cn,
                          int missing_left)
{
    r->proxy = proxy;
    r->feature = (int32_t)f;
    r->cut = c;
    r->next = cn;
    r->missing_left = missing_left;
}

/* The midpoint a/2 + b/2 of the values either side, or a when it rounds to
 * b (scikit-learn's rule). */
static void split_threshold(const fw_cart_codes *cd, split_rec *r)
{
    if (!r->next)
        return;
    const double *vals = cd->vals + cd->vals_off[r->feature];
    double a = vals[r->cut >> 1], nb = vals[r->next >> 1];
    double thr = a / 2.0 + nb / 2.0;
    r->threshold = thr == nb || isinf(thr) ? a : thr;
}

/* The "all non-missing left, NaN right" split. */
static void record_missing_only(split_rec *r, double proxy, uint32_t f, uint32_t n_unique)
{
    r->proxy = proxy;
    r->feature = (int32_t)f;
    r->cut = 2 * n_unique - 1;
    r->next = 0;
    r->missing_left = 0;
    r->threshold = INFINITY;
}

static int enough(const bld *b, size_t nl)
{
    size_t msl = b->prm->min_samples_leaf;
    return nl >= msl && b->n - nl >= msl;
}

/* ---- scans of the best splitter ---------------------------------------------- */

typedef struct feat_view {
    uint32_t f;
    const double *vals;
    uint32_t n_unique;
    const uint64_t *keys;        /* nm non-missing rows sorted by code: code << 32 | payload */
    int packed;                  /* payload = class | weight << 16 (else the row) */
    size_t nm, nmiss;            /* non-missing rows, missing rows (rows in wk->miss) */
} feat_view;

/* Is there a split between sorted positions i and i + 1? Values are read
 * only when the code says its next distinct value is close. */
static inline int boundary(const feat_view *fv, const uint64_t *keys, size_t i, uint32_t *c,
                           uint32_t *cn)
{
    *c = (uint32_t)(keys[i] >> 32);
    *cn = (uint32_t)(keys[i + 1] >> 32);
    return *c != *cn && (!(*c & 1) || fv->vals[*cn >> 1] > fv->vals[*c >> 1] +
                                                           FW_CART_FEATURE_THRESHOLD);
}

/* The classification scan, specialised at compile time on the criterion
 * and on whether keys carry the row (s) or its packed class | weight << 16. */
static inline __attribute__((always_inline)) void
scan_cls_body(bld *b, const feat_view *fv, split_rec *br, split_rec *bl, split_rec *bm,
              const int is_gini, const int packed)
{
    fw_cart_work *wk = b->wk;
    const size_t k = b->k, nm = fv->nm, nmiss = fv->nmiss, n = b->n;
    const size_t msl = b->prm->min_samples_leaf;
    const double *tot = b->tot, wn = b->wn;
    double *left = wk->acc, *left2 = left + k, *miss = left2 + k;
    double wl = 0, wmiss = 0, best_r = br->proxy;
    memset(left, 0, k * sizeof *left);
    memset(miss, 0, k * sizeof *miss);
    for (size_t i = 0; i < nmiss; i++) {
        uint32_t s = wk->miss[i];
        miss[b->d->ycls[s]] += b->w[s];
        wmiss += b->w[s];
    }
    const uint64_t *keys = fv->keys;
    const uint32_t *ycls = b->d->ycls;
    const double *w = b->w;
    for (size_t i = 0; i < nm; i++) {
        uint32_t s = (uint32_t)keys[i], c, cn;
        double ww = packed ? (double)(s >> 16) : w[s];
        left[packed ? s & 0xffff : ycls[s]] += ww;
        wl += ww;
        if (i + 1 == nm || !boundary(fv, keys, i, &c, &cn))
            continue;
        size_t nl = i + 1;
        if (nl >= msl && n - nl >= msl) {
            double px = cls_proxy(tot, wn, k, left, wl, is_gini, best_r);
            if (px > best_r) {
                best_r = px;
                record(br, px, fv->f, c, cn, 0);
            }
        }
        if (nmiss && nl + nmiss >= msl && n - nl - nmiss >= msl) {
            for (size_t q = 0; q < k; q++)
                left2[q] = left[q] + miss[q];
            double px = cls_proxy(tot, wn, k, left2, wl + wmiss, is_gini, bl->proxy);
            if (px > bl->proxy)
                record(bl, px, fv->f, c, cn, 1);
        }
    }
    if (nmiss && enough(b, nm)) {
        for (size_t q = 0; q < k; q++)
            left2[q] = tot[q] - miss[q];
        double px = cls_proxy(tot, wn, k, left2, wn - wmiss, is_gini, bm->proxy);
        if (px > bm->proxy)
            record_missing_only(bm, px, fv->f, fv->n_unique);
    }
}

static void scan_cls(bld *b, const feat_view *fv, split_rec *br, split_rec *bl, split_rec *bm)
{
    int g = b->prm->criterion == FW_CART_GINI;
    if (g && fv->packed)
        scan_cls_body(b, fv, br, bl, bm, 1, 1);
    else if (g)
        scan_cls_body(b, fv, br, bl, bm, 1, 0);
    else if (fv->packed)
        scan_cls_body(b, fv, br, bl, bm, 0, 1);
    else
        scan_cls_body(b, fv, br, bl, bm, 0, 0);
}

static void scan_mse(bld *b, const feat_view *fv, split_rec *br, split_rec *bl, split_rec *bm)
{
    fw_cart_work *wk = b->wk;
    const double *y = b->d->y, *w = b->w;
    double sl = 0, wl = 0, smiss = 0, wmiss = 0;
    for (size_t i = 0; i < fv->nmiss; i++) {
        uint32_t s = wk->miss[i];
        smiss += w[s] * y[s];
        wmiss += w[s];
    }
    const uint64_t *keys = fv->keys;
    for (size_t i = 0; i < fv->nm; i++) {
        uint32_t s = (uint32_t)keys[i], c, cn;
        sl += w[s] * y[s];
        wl += w[s];
        if (i + 1 == fv->nm || !boundary(fv, keys, i, &c, &cn))
            continue;
        size_t nl = i + 1;
        if (enough(b, nl)) {
            double px = mse_proxy(b, sl, wl, br->proxy);
            if (px > br->proxy)
                record(br, px, fv->f, c, cn, 0);
        }
        if (fv->nmiss && enough(b, nl + fv->nmiss)) {
            double px = mse_proxy(b, sl + smiss, wl + wmiss, bl->proxy);
            if (px > bl->proxy)
                record(bl, px, fv->f, c, cn, 1);
        }
    }
    if (fv->nmiss && enough(b, fv->nm)) {
        double px = mse_proxy(b, b->tot[0] - smiss, b->wn - wmiss, bm->proxy);
        if (px > bm->proxy)
            record_missing_only(bm, px, fv->f, fv->n_unique);
    }
}

/* ---- Fenwick trees for running weighted medians ------------------------- */

static void fen_clear(fenwick *f, size_t m)
{
    f->m = m;
    memset(f->w, 0, (m + 1) * sizeof *f->w);
    memset(f->s, 0, (m + 1) * sizeof *f->s);
    f->top = 1;
    while (f->top * 2 <= m)
        f->top *= 2;
}

static void fen_add(fenwick *f, size_t r, double w, double s)
{
    for (size_t i = r + 1; i <= f->m; i += i & (~i + 1)) {
        f->w[i] += w;
        f->s[i] += s;
    }
}

/* Sums of positions [0, r]. */
static void fen_prefix(const fenwick *f, size_t r, double *w, double *s)
{
    double a = 0, c = 0;
    for (size_t i = r + 1; i > 0; i -= i & (~i + 1)) {
        a += f->w[i];
        c += f->s[i];
    }
    *w = a;
    *s = c;
}

/* Smallest position whose prefix weight reaches target (strictly exceeds
 * it when strict); m when none does. */
static size_t fen_search(const fenwick *f, double target, int strict)
{
    size_t pos = 0;
    double rem = target;
    for (size_t step = f->top; step; step >>= 1) {
        if (pos + step > f->m)
            continue;
        double v = f->w[pos + step];
        if (strict ? v <= rem : v < rem) {
            pos += step;
            rem -= v;
        }
    }
    return pos;
}

/* sum w*|y - median| of the set held in f (total weight W, total w*y S). */
static double fen_dev(const fenwick *f, const double *ys, double W, double S)
{
    size_t r = fen_search(f, W / 2.0, 0);
    if (r >= f->m)
        return 0;
    double wb, sb, med = ys[r];
    fen_prefix(f, r, &wb, &sb);
    if (wb == W / 2.0) {
        size_t r2 = fen_search(f, W / 2.0, 1);
        if (r2 < f->m)
            med = (ys[r2] + ys[r]) / 2.0;
    }
    return med * wb - sb + (S - sb) - med * (W - wb);
}

static double mae_proxy(const bld *b, double wl, double sl)
{
    const fw_cart_work *wk = b->wk;
    double wr = b->wn - wl, sr = b->tot[0] - sl;
    double il = fen_dev(&wk->fl, wk->ys, wl, sl) / wl;
    double ir = fen_dev(&wk->fr, wk->ys, wr, sr) / wr;
    return -wr * ir - wl * il;
}

/* Move row s between the two Fenwick sets (to left when dir > 0). */
static void fen_move(fw_cart_work *wk, uint32_t s, double dir)
{
    size_t r = wk->nrank[s];
    double w = wk->ws[r] * dir, ws = wk->ws[r] * wk->ys[r] * dir;
    fen_add(&wk->fl, r, w, ws);
    fen_add(&wk->fr, r, -w, -ws);
}

/* One pass of the absolute_error scan, NaN rows on the left or right. */
static void mae_pass(bld *b, const feat_view *fv, int missing_left, split_rec *best,
                     split_rec *bm)
{
    fw_cart_work *wk = b->wk;
    size_t m = b->n;
    fen_clear(&wk->fl, m);
    fen_clear(&wk->fr, m);
    for (size_t r = 0; r < m; r++)
        fen_add(&wk->fr, r, wk->ws[r], wk->ws[r] * wk->ys[r]);
    double wl = 0, sl = 0;
    for (size_t i = 0; missing_left && i < fv->nmiss; i++) {
        uint32_t s = wk->miss[i];
        fen_move(wk, s, 1);
        wl += b->w[s];
        sl += b->w[s] * b->d->y[s];
    }
    size_t base = missing_left ? fv->nmiss : 0;
    for (size_t i = 0; i < fv->nm; i++) {
        uint32_t s = (uint32_t)fv->keys[i], c, cn;
        fen_move(wk, s, 1);
        wl += b->w[s];
        sl += b->w[s] * b->d->y[s];
        if (i + 1 == fv->nm || !boundary(fv, fv->keys, i, &c, &cn) || !enough(b, base + i + 1))
            continue;
        double px = mae_proxy(b, wl, sl);
        if (px > best->proxy)
            record(best, px, fv->f, c, cn, missing_left);
    }
    if (!missing_left && fv->nmiss && enough(b, fv->nm)) {
        double px = mae_proxy(b, wl, sl);
        if (px > bm->proxy)
            record_missing_only(bm, px, fv->f, fv->n_unique);
    }
}

static void scan_mae(bld *b, const feat_view *fv, split_rec *br, split_rec *bl, split_rec *bm)
{
    mae_pass(b, fv, 0, br, bm);
    if (fv->nmiss)
        mae_pass(b, fv, 1, bl, bm);
}

/* ---- evaluating one feature ------------------------------------------------- */

/* Do codes lo <= hi span more than FW_CART_FEATURE_THRESHOLD (the feature
 * is not constant in the node)? Values are read only when lo's next
 * distinct value is close. */
static inline int spans(const double *vals, uint32_t lo, uint32_t hi)
{
    return lo != hi && (!(lo & 1) || vals[hi >> 1] > vals[lo >> 1] + FW_CART_FEATURE_THRESHOLD);
}

/* Gather the node's codes of feature f: non-missing as keys (code << 32 |
 * row) when as_keys, else codes in node order in cbuf; missing rows into
 * miss. Returns 0 when the feature is constant (or all missing) here. */
static int gather(bld *b, uint32_t f, feat_view *fv, uint32_t *cmin, uint32_t *cmax, int as_keys)
{
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    const uint32_t *code = cd->code + (size_t)f * cd->n, *S = wk->samples + b->start;
    uint32_t nan = 2 * cd->n_unique[f], lo = UINT32_MAX, hi = 0;
    size_t m = b->n, nm = 0, nmiss = 0;
    fv->f = f;
    fv->vals = cd->vals + cd->vals_off[f];
    fv->n_unique = cd->n_unique[f];
    if (!cd->has_nan[f] && as_keys && b->packed) {
        for (size_t i = 0; i < m; i++) {
            uint32_t s = S[i], c = code[s];
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
            wk->keys[i] = (uint64_t)c << 32 | wk->pk[s];
        }
        nm = m;
    } else if (!cd->has_nan[f] && as_keys) {
        for (size_t i = 0; i < m; i++) {
            uint32_t s = S[i], c = code[s];
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
            wk->keys[i] = (uint64_t)c << 32 | s;
        }
        nm = m;
    } else {
        for (size_t i = 0; i < m; i++) {
            uint32_t s = S[i], c = code[s];
            if (as_keys) {
                if (c == nan) {
                    wk->miss[nmiss++] = s;
                    continue;
                }
                wk->keys[nm] = (uint64_t)c << 32 | (b->packed ? wk->pk[s] : s);
            } else {
                wk->cbuf[i] = c;
                if (c == nan) {
                    nmiss++;
                    continue;
                }
            }
            nm++;
            lo = c < lo ? c : lo;
            hi = c > hi ? c : hi;
        }
    }
    fv->nm = nm;
    fv->nmiss = nmiss;
    *cmin = lo;
    *cmax = hi;
    return nm > 0 && spans(fv->vals, lo, hi);
}

/* The node's rows of feature f from its presorted list (no gather, no
 * sort): NaN rows sit at the end. Returns 0 when constant here. */
static int view_sorted(bld *b, uint32_t f, feat_view *fv)
{
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    const uint64_t *keys = wk->lists + (size_t)f * cd->n + b->start;
    uint32_t nan = 2 * cd->n_unique[f];
    size_t nm = b->n;
    if (cd->has_nan[f]) {
        while (nm > 0 && (uint32_t)(keys[nm - 1] >> 32) == nan)
            nm--;
        for (size_t i = nm; i < b->n; i++)
            wk->miss[i - nm] = (uint32_t)keys[i];
    }
    fv->f = f;
    fv->vals = cd->vals + cd->vals_off[f];
    fv->n_unique = cd->n_unique[f];
    fv->keys = keys;
    fv->packed = 0;
    fv->nm = nm;
    fv->nmiss = b->n - nm;
    return nm > 0 && spans(fv->vals, (uint32_t)(keys[0] >> 32), (uint32_t)(keys[nm - 1] >> 32));
}

static void keep_better(split_rec *best, const split_rec *c)
{
    if (c->feature >= 0 && c->proxy > best->proxy)
        *best = *c;
}

static int eval_best(bld *b, uint32_t f, split_rec *best)
{
    feat_view fv;
    uint32_t cmin, cmax;
    fw_cart_work *wk = b->wk;
    if (b->presorted) {
        if (!view_sorted(b, f, &fv))
            return 0;
    } else {
        if (!gather(b, f, &fv, &cmin, &cmax, 1))
            return 0;
        sort_keys(wk->keys, wk->keys2, wk->rcnt, fv.nm, cmin, (uint64_t)(cmax - cmin) + 1);
        fv.keys = wk->keys;
        fv.packed = b->packed;
    }
    split_rec br = {-INFINITY, -1, 0, 0, 0, 0, fv.nmiss}, bl = br, bm = br;
    if (b->d->task == FW_TASK_CLASSIFICATION)
        scan_cls(b, &fv, &br, &bl, &bm);
    else if (b->prm->criterion == FW_CART_MAE)
        scan_mae(b, &fv, &br, &bl, &bm);
    else
        scan_mse(b, &fv, &br, &bl, &bm);
    keep_better(best, &br);
    keep_better(best, &bl);
    keep_better(best, &bm);
    return 1;
}

/* Cut (see split_rec) for "value <= thr" between codes lo and hi
 * (vals of lo <= thr). */
static uint32_t code_cut(const double *vals, uint32_t lo, uint32_t hi, double thr)
{
    lo >>= 1;
    hi >>= 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (vals[mid] <= thr)
            lo = mid;
        else
            hi = mid - 1;
    }
    return 2 * lo + 1;
}

/* Proxy of the split "side[r] == 1 goes left" for absolute_error. */
static double mae_side_proxy(bld *b, uint8_t *side)
{
    fw_cart_work *wk = b->wk;
    double dl, dr, wl = 0;
    for (size_t r = 0; r < b->n; r++)
        wl += side[r] ? wk->ws[r] : 0;
    double wr = b->wn - wl;
    median_dev(wk, b->n, side, 1, &dl);
    median_dev(wk, b->n, side, 0, &dr);
    return -wr * (dr / wr) - wl * (dl / wl);
}

/* Proxy of the split "non-missing codes <= cut, and NaN when mleft, go
 * left" on the rows whose codes are in cbuf; *nl receives the left count. */
static double side_proxy(bld *b, uint32_t cut, uint32_t nan, int mleft, size_t *nl)
{
    fw_cart_work *wk = b->wk;
    const uint32_t *S = wk->samples + b->start;
    size_t k = b->k, cnt = 0;
    double *left = wk->acc, wl = 0, sl = 0;
    uint8_t *side = (uint8_t *)wk->scratch;
    memset(left, 0, k * sizeof *left);
    for (size_t i = 0; i < b->n; i++) {
        uint32_t c = wk->cbuf[i], s = S[i];
        int go = c == nan ? mleft : c <= cut;
        if (b->prm->criterion == FW_CART_MAE)
            side[wk->nrank[s]] = (uint8_t)go;
        if (!go)
            continue;
        cnt++;
        wl += b->w[s];
        if (b->d->task == FW_TASK_CLASSIFICATION)
            left[b->d->ycls[s]] += b->w[s];
        else
            sl += b->w[s] * b->d->y[s];
    }
    *nl = cnt;
    if (!enough(b, cnt))
        return -INFINITY;
    if (b->d->task == FW_TASK_CLASSIFICATION)
        return cls_proxy(b->tot, b->wn, k, left, wl, b->prm->criterion == FW_CART_GINI,
                         -INFINITY);
    if (b->prm->criterion == FW_CART_MAE)
        return mae_side_proxy(b, side);
    return mse_proxy(b, sl, wl, -INFINITY);
}

static int eval_random(bld *b, uint32_t f, split_rec *best)
{
    feat_view fv;
    uint32_t cmin, cmax;
    if (!gather(b, f, &fv, &cmin, &cmax, 0))
        return 0;
    double lo = fv.vals[cmin >> 1], hi = fv.vals[cmax >> 1];
    double thr = (hi - lo) * gsl_rng_uniform(b->rng) + lo;
    int mleft = fv.nmiss ? (int)gsl_rng_uniform_int(b->rng, 2) : 0;
    if (thr == hi)
        thr = lo;
    uint32_t cut = code_cut(fv.vals, cmin, cmax, thr);
    size_t nl;
    double px = side_proxy(b, cut, 2 * fv.n_unique, mleft, &nl);
    if (px > best->proxy) {
        best->proxy = px;
        best->feature = (int32_t)f;
        best->cut = cut;
        best->next = 0;
        best->threshold = thr;
        best->missing_left = mleft;
        best->nmiss = fv.nmiss;
    }
    if (fv.nmiss) {
        px = side_proxy(b, 2 * fv.n_unique - 1, 2 * fv.n_unique, 0, &nl);
        if (px > best->proxy) {
            record_missing_only(best, px, f, fv.n_unique);
            best->nmiss = fv.nmiss;
        }
    }
    return 1;
}

/* ---- the feature draw ---------------------------------------------------------- */

static int eval_feature(bld *b, uint32_t f, split_rec *best)
{
    return b->prm->splitter == FW_CART_RANDOM ? eval_random(b, f, best) : eval_best(b, f, best);
}

/* Search the node's split; features found constant go to found[0..*nf). */
static void find_split(bld *b, const stack_entry *e, split_rec *best, uint32_t *found,
                       size_t *nf)
{
    fw_cart_work *wk = b->wk;
    size_t p = b->codes->p, n_known = e->const_n;
    const uint32_t *known = wk->arena + e->const_off;
    for (size_t i = 0; i < n_known; i++)
        wk->known[known[i]] = 1;
    *nf = 0;
    if (b->prm->max_features >= p && b->prm->splitter == FW_CART_BEST) {
        for (uint32_t f = 0; f < p; f++)
            if (!wk->known[f] && !eval_feature(b, f, best))
                found[(*nf)++] = f;
    } else {
        size_t remaining = p, open = p - n_known, visited = 0, consts = 0;
        for (size_t i = 0; i < p; i++)
            wk->pool[i] = (uint32_t)i;
        while (open > 0 && (visited < b->prm->max_features || visited <= consts)) {
            size_t j = gsl_rng_uniform_int(b->rng, (unsigned long)remaining);
            uint32_t f = wk->pool[j];
            wk->pool[j] = wk->pool[--remaining];
            visited++;
            if (wk->known[f]) {
                consts++;
                continue;
            }
            open--;
            if (!eval_feature(b, f, best)) {
                found[(*nf)++] = f;
                consts++;
            }
        }
    }
    for (size_t i = 0; i < n_known; i++)
        wk->known[known[i]] = 0;
}

/* ---- splitting a node ---------------------------------------------------------- */

/* Presorted mode: side[row] from the split feature's list (sequential),
 * then samples[] split stably by side. */
static uint32_t partition_sorted(bld *b, const split_rec *s)
{
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    const uint64_t *seg = wk->lists + (size_t)s->feature * cd->n + b->start;
    uint32_t nan = 2 * cd->n_unique[s->feature], *S = wk->samples;
    for (size_t i = 0; i < b->n; i++) {
        uint32_t c = (uint32_t)(seg[i] >> 32);
        wk->side[(uint32_t)seg[i]] = (uint8_t)(c == nan ? s->missing_left : c <= s->cut);
    }
    uint32_t l = b->start, nr = 0;
    for (uint32_t i = b->start; i < b->end; i++) {
        uint32_t r = S[i], go = wk->side[r];
        S[l] = r;
        wk->scratch[nr] = r;
        l += go;
        nr += !go;
    }
    memcpy(S + l, wk->scratch, nr * sizeof *S);
    return l;
}

/* Reorder samples[start, end) into left then right; returns the boundary. */
static uint32_t partition(bld *b, const split_rec *s)
{
    if (b->presorted)
        return partition_sorted(b, s);
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    const uint32_t *code = cd->code + (size_t)s->feature * cd->n;
    uint32_t nan = 2 * cd->n_unique[s->feature], *S = wk->samples;
    uint32_t l = b->start, nr = 0;
    for (uint32_t i = b->start; i < b->end; i++) {
        uint32_t c = code[S[i]];
        int go = c == nan ? s->missing_left : c <= s->cut;
        if (go)
            S[l++] = S[i];
        else
            wk->scratch[nr++] = S[i];
    }
    memcpy(S + l, wk->scratch, nr * sizeof *S);
    return l;
}

static int push(fw_cart_work *wk, stack_entry e)
{
    if (wk->stack_len == wk->stack_cap) {
        size_t cap = wk->stack_cap ? 2 * wk->stack_cap : 64;
        stack_entry *s = realloc(wk->stack, cap * sizeof *s);
        if (!s)
            return FW_ENOMEM;
        wk->stack = s;
        wk->stack_cap = cap;
    }
    wk->stack[wk->stack_len++] = e;
    return FW_OK;
}

/* The children's known constants: the node's plus the ones found here. */
static int arena_list(fw_cart_work *wk, const stack_entry *e, const uint32_t *found, size_t nf,
                      size_t *off)
{
    size_t need = wk->arena_len + e->const_n + nf;
    if (need > wk->arena_cap || !wk->arena) {
        size_t cap = wk->arena_cap ? 2 * wk->arena_cap : 256;
        while (cap < need)
            cap *= 2;
        uint32_t *a = realloc(wk->arena, cap * sizeof *a);
        if (!a)
            return FW_ENOMEM;
        wk->arena = a;
        wk->arena_cap = cap;
    }
    *off = wk->arena_len;
    memmove(wk->arena + *off, wk->arena + e->const_off, e->const_n * sizeof *wk->arena);
    memcpy(wk->arena + *off + e->const_n, found, nf * sizeof *found);
    wk->arena_len = need;
    return FW_OK;
}

static int leaf_rule(const fw_cart_params *p, size_t depth, size_t n, double imp)
{
    return depth >= p->max_depth || n < p->min_samples_split || n < 2 * p->min_samples_leaf ||
           imp <= FW_CART_EPSILON;
}

static int is_leaf(const bld *b, const stack_entry *e)
{
    return leaf_rule(b->prm, e->depth, b->n, b->imp);
}

/* Presorted mode: split every list the children may still search (not the
 * known-constant features) stably by side, as samples[] was split. */
static void partition_lists(bld *b, const stack_entry *e, uint32_t mid, const uint32_t *found,
                            size_t nf)
{
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    const uint32_t *known = wk->arena + e->const_off;
    (void)mid;   /* side[] was set by partition_sorted */
    for (size_t i = 0; i < e->const_n; i++)
        wk->known[known[i]] = 1;
    for (size_t i = 0; i < nf; i++)
        wk->known[found[i]] = 1;
    size_t m = e->end - e->start;
    for (size_t f = 0; f < cd->p; f++) {
        if (wk->known[f])
            continue;
        uint64_t *seg = wk->lists + f * cd->n + e->start, *tmp = wk->ltmp;
        size_t l = 0, r = 0;
        for (size_t i = 0; i < m; i++) {
            uint64_t v = seg[i];
            int go = wk->side[(uint32_t)v];
            seg[l] = v;
            tmp[r] = v;
            l += (size_t)go;
            r += (size_t)!go;
        }
        memcpy(seg + l, tmp, r * sizeof *tmp);
    }
    for (size_t i = 0; i < e->const_n; i++)
        wk->known[known[i]] = 0;
    for (size_t i = 0; i < nf; i++)
        wk->known[found[i]] = 0;
}

/* Split the popped node if it should be; pushes its children. */
static int split_node(bld *b, const stack_entry *e)
{
    fw_cart_work *wk = b->wk;
    fw_cart_tree *t = b->t;
    b->start = e->start;
    b->end = e->end;
    b->n = e->end - e->start;
    b->imp = t->impurity[e->node];
    b->wn = range_sums(b, e->start, e->end, b->tot);
    if (is_leaf(b, e))
        return FW_OK;
    if (b->prm->criterion == FW_CART_MAE)
        target_order(b, e->start, e->end);
    uint32_t *found = wk->pool + b->codes->p;   /* second half of pool, see alloc */
    size_t nf;
    split_rec best = {-INFINITY, -1, 0, 0, 0, 0, 0};
    find_split(b, e, &best, found, &nf);
    if (best.feature < 0)
        return FW_OK;
    split_threshold(b->codes, &best);
    uint32_t mid = partition(b, &best);
    if (mid == e->start || mid == e->end)
        return FW_OK;
    if (tree_reserve(t, 2))
        return FW_ENOMEM;
    size_t l = t->n_nodes, r = l + 1;
    t->n_nodes += 2;
    node_set(b, l, e->start, mid);
    node_set(b, r, mid, e->end);
    double wl = t->wn[l], wr = t->wn[r];
    double impr = (b->wn / b->w_total) *
                  (b->imp - wr / b->wn * t->impurity[r] - wl / b->wn * t->impurity[l]);
    if (impr + FW_CART_EPSILON < b->prm->min_impurity_decrease) {
        t->n_nodes -= 2;
        return FW_OK;
    }
    /* No NaN of this feature in the node: NaN follows the larger child
     * (by rows, ties right), as scikit-learn. */
    int missing_left = best.nmiss ? best.missing_left : (mid - e->start) > (e->end - mid);
    if (b->presorted &&
        (!leaf_rule(b->prm, e->depth + 1, mid - e->start, t->impurity[l]) ||
         !leaf_rule(b->prm, e->depth + 1, e->end - mid, t->impurity[r])))
        partition_lists(b, e, mid, found, nf);
    fw_cart_node *nd = &t->node[e->node];
    nd->feature = best.feature;
    nd->threshold = best.threshold;
    nd->child = (uint32_t)l | (missing_left ? FW_CART_MISSING_LEFT : 0);
    if (e->depth + 1 > t->depth)
        t->depth = e->depth + 1;
    size_t off;
    if (arena_list(wk, e, found, nf, &off))
        return FW_ENOMEM;
    stack_entry re = {mid, e->end, e->depth + 1, (uint32_t)r, off, e->const_n + nf};
    stack_entry le = {e->start, mid, e->depth + 1, (uint32_t)l, off, e->const_n + nf};
    return push(wk, re) || push(wk, le) ? FW_ENOMEM : FW_OK;
}

/* Presorted mode for the best splitter when the split has sorted lists:
 * this tree's lists are the split's, keeping rows of nonzero weight.
 * Returns 1 (presorted), 0 (per-node sorting) or -1 (out of memory). */
static int init_lists(bld *b)
{
    fw_cart_work *wk = b->wk;
    const fw_cart_codes *cd = b->codes;
    if (b->prm->splitter != FW_CART_BEST || !cd->sorted)
        return 0;
    size_t n = cd->n;
    if (!wk->lists) {
        wk->lists = malloc((n * cd->p > 0 ? n * cd->p : 1) * sizeof *wk->lists);
        wk->ltmp = malloc((n ? n : 1) * sizeof *wk->ltmp);
        wk->side = malloc(n ? n : 1);
        if (!wk->lists || !wk->ltmp || !wk->side)
            return -1;
    }
    for (size_t f = 0; f < cd->p; f++) {
        const uint64_t *src = cd->sorted + f * n;
        uint64_t *dst = wk->lists + f * n;
        size_t q = 0;
        for (size_t i = 0; i < n; i++) {
            dst[q] = src[i];
            q += b->w[(uint32_t)src[i]] != 0.0;
        }
    }
    return 1;
}

int fw_cart_build(const fw_cart_data *d, const fw_cart_params *prm, const double *w,
                  gsl_rng *rng, fw_cart_work *wk, fw_cart_tree *out, fw_err *e)
{
    bld b = {.d = d, .codes = d->codes, .prm = prm, .w = w, .rng = rng, .wk = wk, .t = out,
             .k = d->task == FW_TASK_CLASSIFICATION ? d->k : 1};
    memset(out, 0, sizeof *out);
    out->width = b.k;
    b.tot = wk->acc + 4 * b.k;
    uint32_t m = 0;
    b.packed = d->task == FW_TASK_CLASSIFICATION && b.k <= 65536;
    for (size_t i = 0; i < d->codes->n; i++) {
        b.w_total += w[i];
        if (w[i] != 0.0)
            wk->samples[m++] = (uint32_t)i;
        if (b.packed && !(w[i] == floor(w[i]) && w[i] <= 65535))
            b.packed = 0;
        else if (b.packed)
            wk->pk[i] = d->ycls[i] | (uint32_t)w[i] << 16;
    }
    if (m == 0)
        return fw_err_set(e, FW_EINVAL, "trees: every training row has weight 0");
    if ((prm->splitter == FW_CART_RANDOM || prm->max_features < d->codes->p) && !rng)
        return fw_err_set(e, FW_EINVAL, "trees: a random stream is needed");
    if (tree_reserve(out, 1) || (b.presorted = init_lists(&b)) < 0)
        return fw_err_set(e, FW_ENOMEM, "trees: out of memory");
    out->n_nodes = 1;
    node_set(&b, 0, 0, m);
    wk->stack_len = 0;
    wk->arena_len = 0;
    int rc = push(wk, (stack_entry){0, m, 0, 0, 0, 0});
    while (!rc && wk->stack_len) {
        stack_entry top = wk->stack[--wk->stack_len];
        /* Lists of finished subtrees are dead: reuse the arena above ours. */
        wk->arena_len = top.const_off + top.const_n;
        rc = split_node(&b, &top);
    }
    if (rc)
        return fw_err_set(e, FW_ENOMEM, "trees: out of memory growing a tree");
    return FW_OK;
}
