/* hgb_bin.c: binning for hist_gbdt, as scikit-learn's _BinMapper: per
 * feature, thresholds from the training rows of the split only (midpoints
 * between distinct values, or midpoint percentiles of a 200,000-row
 * subsample), values coded by how many thresholds lie strictly below them,
 * NaN in a bin of its own. Also the entry hist_gbdt keeps in the worker's
 * cache slot (fw_model_cache), so the fits of a grid on one split bin it
 * once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "hgb_int.h"

#define HGB_SUBSAMPLE 200000
#define HGB_ALMOST_INF 1e300

/* ---- sorting doubles (no NaN) ------------------------------------------- */

/* An unsigned key with the order of the doubles (negatives reversed). */
static uint64_t sort_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (1ull << 63);
}

static double from_key(uint64_t k)
{
    uint64_t u = (k >> 63) ? k & ~(1ull << 63) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* LSD radix sort of n doubles by bytes, skipping bytes every key shares;
 * tmp has room for 2 n keys. Several times faster than a comparison sort on
 * the columns binned here. -0.0 sorts before 0.0 (they compare equal). */
static void radix_sort(double *a, size_t n, uint64_t *tmp)
{
    uint64_t *k = tmp, *o = tmp + n;
    size_t cnt[256];
    for (size_t i = 0; i < n; i++)
        k[i] = sort_key(a[i]);
    for (int shift = 0; shift < 64; shift += 8) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(k[i] >> shift) & 255]++;
        if (n == 0 || cnt[(k[0] >> shift) & 255] == n)
            continue;
        size_t sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            o[cnt[(k[i] >> shift) & 255]++] = k[i];
        uint64_t *t = k;
        k = o;
        o = t;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = from_key(k[i]);
}

/* ---- thresholds ------------------------------------------------------------ */

/* numpy.percentile(sorted, pct, method="midpoint") for a sorted column. */
static double midpoint_percentile(const double *s, size_t n, double pct)
{
    double q = pct / 100.0;
    double vi = (double)(n - 1) * q;
    double virt = 0.5 * (floor(vi) + ceil(vi));
    if (virt >= (double)(n - 1))
        return s[n - 1];
    size_t prev = (size_t)floor(virt);
    double a = s[prev], b = s[prev + 1];
    if (fmod(virt, 1.0) == 0.0)
        return a;
    /* numpy's _lerp for t >= 0.5 */
    return b - (b - a) * 0.5;
}

size_t fw_hgb_thresholds(const double *s, size_t n, int max_bins, double *out)
{
    size_t n_distinct = n > 0;
    for (size_t i = 1; i < n; i++)
        n_distinct += s[i] != s[i - 1];
    size_t k = 0;
    if (n_distinct <= (size_t)max_bins) {
        for (size_t i = 1; i < n; i++)
            if (s[i] != s[i - 1])
                out[k++] = (s[i - 1] + s[i]) * 0.5;
    } else {
        double step = 100.0 / (double)max_bins;   /* numpy.linspace(0, 100, max_bins + 1) */
        for (int i = 1; i < max_bins; i++)
            out[k++] = midpoint_percentile(s, n, (double)i * step);
    }
    for (size_t i = 0; i < k; i++)
        if (out[i] > HGB_ALMOST_INF)
            out[i] = HGB_ALMOST_INF;
    return k;
}

/* ---- binning ------------------------------------------------------------------ */

void fw_hgb_bins_clear(fw_hgb_bins *b)
{
    if (!b)
        return;
    free(b->codes);
    free(b->thr);
    free(b->thr_off);
    free(b->n_nonmiss);
    free(b->has_missing);
    free(b->hist_off);
    memset(b, 0, sizeof *b);
}

/* Code of a non-missing value: how many thresholds are < x (the first
 * index with x <= thr), by a branch-free binary search. */
static uint8_t code_of(double x, const double *thr, size_t k)
{
    if (k == 0)
        return 0;
    const double *base = thr;
    size_t len = k;
    while (len > 1) {
        size_t half = len / 2;
        base = base[half] < x ? base + half : base;
        len -= half;
    }
    return (uint8_t)((size_t)(base - thr) + (base[0] < x));
}

/* Thresholds and codes of feature j; col holds its n values in row order,
 * buf has room for n values. */
static void bin_feature(fw_hgb_bins *b, size_t j, const double *col, const size_t *sub,
                        size_t n_sub, double *buf, uint64_t *keys)
{
    size_t n = b->n, m = 0;
    for (size_t i = 0; i < n_sub; i++) {
        double v = col[sub ? sub[i] : i];
        if (!isnan(v))
            buf[m++] = v;
    }
    radix_sort(buf, m, keys);
    double *thr = b->thr + b->thr_off[j];
    size_t k = fw_hgb_thresholds(buf, m, b->max_bins, thr);
    b->thr_off[j + 1] = b->thr_off[j] + k;
    b->n_nonmiss[j] = (uint16_t)(k + 1);
    b->hist_off[j + 1] = b->hist_off[j] + k + 2;
    uint8_t *codes = b->codes + j * n;
    for (size_t i = 0; i < n; i++) {
        double v = col[i];
        if (isnan(v)) {
            codes[i] = (uint8_t)(k + 1);
            b->has_missing[j] = 1;
        } else {
            codes[i] = code_of(v, thr, k);
        }
    }
}

int fw_hgb_bins_fit(fw_hgb_bins *b, const fw_matrix *X, const size_t *rows, size_t n,
                    int max_bins, gsl_rng *sub_rng, fw_err *e)
{
    size_t p = X->n_cols;
    fw_hgb_bins_clear(b);
    b->n = n;
    b->p = p;
    b->max_bins = max_bins;
    size_t n_sub = n > HGB_SUBSAMPLE ? HGB_SUBSAMPLE : n;
    size_t *sub = NULL, *all = NULL;
    double *col = malloc((n ? n : 1) * sizeof *col), *buf = malloc((n ? n : 1) * sizeof *buf);
    uint64_t *keys = malloc(2 * (n ? n : 1) * sizeof *keys);
    b->codes = malloc((n * p > 0 ? n * p : 1) * sizeof *b->codes);
    b->thr = malloc(((size_t)max_bins * p + 1) * sizeof *b->thr);
    b->thr_off = calloc(p + 1, sizeof *b->thr_off);
    b->hist_off = calloc(p + 1, sizeof *b->hist_off);
    b->n_nonmiss = calloc(p + 1, sizeof *b->n_nonmiss);
    b->has_missing = calloc(p + 1, sizeof *b->has_missing);
    int ok = col && buf && keys && b->codes && b->thr && b->thr_off && b->hist_off && b->n_nonmiss &&
             b->has_missing;
    if (ok && n_sub < n) {
        sub = malloc(n_sub * sizeof *sub);
        all = malloc(n * sizeof *all);
        ok = sub && all;
        if (ok) {
            for (size_t i = 0; i < n; i++)
                all[i] = i;
            gsl_ran_choose(sub_rng, sub, n_sub, all, n, sizeof *all);
        }
    }
    for (size_t j = 0; ok && j < p; j++) {
        const double *src = X->data + j * X->ld;
        for (size_t i = 0; i < n; i++)
            col[i] = src[rows[i]];
        bin_feature(b, j, col, sub, n_sub, buf, keys);
    }
    free(col);
    free(buf);
    free(keys);
    free(sub);
    free(all);
    if (!ok) {
        fw_hgb_bins_clear(b);
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory binning %zu x %zu values",
                          n, p);
    }
    return FW_OK;
}

/* ---- cache ---------------------------------------------------------------------- */

/* The address identifying hist_gbdt's entries in a cache slot. */
static const char hgb_cache_kind = 'h';

void fw_hgb_bins_free(void *bins)
{
    fw_hgb_bins_clear(bins);
    free(bins);
}

uint64_t fw_hgb_bins_key(uint64_t base, const fw_matrix *X, const size_t *rows, size_t n)
{
    double chunk[512];
    uint64_t sizes[2] = {n, X->n_cols};
    fw_hasher *h = fw_hasher_alloc(base);
    if (!h)
        return 0;   /* never matches a valid entry's key by design of the caller */
    fw_hasher_update(h, sizes, sizeof sizes);
    fw_hasher_update(h, rows, n * sizeof *rows);
    for (size_t j = 0; j < X->n_cols; j++) {
        const double *src = X->data + j * X->ld;
        for (size_t i = 0; i < n; i += 512) {
            size_t m = n - i < 512 ? n - i : 512;
            for (size_t t = 0; t < m; t++)
                chunk[t] = src[rows[i + t]];
            fw_hasher_update(h, chunk, m * sizeof *chunk);
        }
    }
    uint64_t k = fw_hasher_digest(h);
    fw_hasher_free(h);
    return k;
}

int fw_hgb_bins_get(void *ctx_cache, uint64_t key, const fw_matrix *X, const size_t *rows,
                    size_t n, int max_bins, gsl_rng *sub, const fw_hgb_bins **out,
                    int *owned, fw_err *e)
{
    fw_model_cache *slot = ctx_cache;
    *out = NULL;
    *owned = 0;
    if (slot && slot->kind == &hgb_cache_kind && slot->key == key && slot->entry) {
        *out = slot->entry;
        return FW_OK;
    }
    fw_hgb_bins *b = calloc(1, sizeof *b);
    if (!b)
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    int rc = fw_hgb_bins_fit(b, X, rows, n, max_bins, sub, e);
    if (rc) {
        free(b);
        return rc;
    }
    if (slot) {
        fw_model_cache_clear(slot);
        slot->kind = &hgb_cache_kind;
        slot->key = key;
        slot->entry = b;
        slot->free_entry = fw_hgb_bins_free;
    } else {
        *owned = 1;
    }
    *out = b;
    return FW_OK;
}
