/* cart_data.c: what the tree builder reads, prepared once per fit: the
 * training rows' features as codes (each feature sorted once per split,
 * values replaced by their rank among the distinct values, kept in the
 * per-worker cache so every tree and configuration on the same rows shares
 * them), class codes, target ranks for absolute_error, and base weights.
 *
 * Why codes: a node's split search then sorts small integers (a radix pass
 * or two) instead of doubles, and a bootstrap tree reuses the split's sort
 * through weights instead of re-sorting its sample. */
#include <stdlib.h>
#include <string.h>

#include "cart_int.h"
#include "foldwise/data.h"

const char fw_cart_cache_kind[] = "cart-codes-v1";

void fw_cart_cache_free(void *entry)
{
    fw_cart_codes *c = entry;
    if (!c)
        return;
    free(c->code);
    free(c->n_unique);
    free(c->vals_off);
    free(c->vals);
    free(c->has_nan);
    free(c->sorted);
    free(c);
}

/* Order-preserving map of a double to uint64 (-0.0 as +0.0). */
static uint64_t order_key(double v)
{
    uint64_t u;
    if (v == 0.0)
        v = 0.0;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (1ull << 63);
}

/* LSD radix sort of (key, idx) pairs by the full 64-bit key, 8 bits a pass;
 * passes where every key has the same digit are skipped. k2/v2 are scratch. */
static void radix_pairs(uint64_t *k, uint32_t *v, uint64_t *k2, uint32_t *v2, size_t n)
{
    size_t cnt[256];
    uint64_t *src_k = k, *dst_k = k2;
    uint32_t *src_v = v, *dst_v = v2;
    for (unsigned shift = 0; shift < 64 && n > 1; shift += 8) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(src_k[i] >> shift) & 255]++;
        if (cnt[(src_k[0] >> shift) & 255] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < 256; b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = cnt[(src_k[i] >> shift) & 255]++;
            dst_k[at] = src_k[i];
            dst_v[at] = src_v[i];
        }
        uint64_t *tk = src_k;
        uint32_t *tv = src_v;
        src_k = dst_k, src_v = dst_v, dst_k = tk, dst_v = tv;
    }
    if (src_k != k) {
        memcpy(k, src_k, n * sizeof *k);
        memcpy(v, src_v, n * sizeof *v);
    }
}

/* Codes of one feature: sort the non-NaN values, number the distinct ones. */
static int codes_feature(fw_cart_codes *c, size_t j, const double *col, uint64_t *k,
                         uint32_t *v, uint64_t *k2, uint32_t *v2, double **vals, size_t *cap)
{
    size_t n = c->n, m = 0;
    uint32_t *code = c->code + j * n;
    for (size_t i = 0; i < n; i++) {
        if (isnan(col[i]))
            continue;
        k[m] = order_key(col[i]);
        v[m++] = (uint32_t)i;
    }
    radix_pairs(k, v, k2, v2, m);
    size_t base = c->vals_off[j], u = 0;
    if (base + m > *cap) {
        size_t nc = (*cap * 2 > base + m) ? *cap * 2 : base + m;
        double *nv = realloc(*vals, nc * sizeof *nv);
        if (!nv)
            return FW_ENOMEM;
        *vals = nv;
        *cap = nc;
    }
    double *vj = *vals + base;
    for (size_t i = 0; i < m; i++) {
        double x = col[v[i]];
        if (u == 0 || x != vj[u - 1])
            vj[u++] = x == 0.0 ? 0.0 : x;
        code[v[i]] = (uint32_t)(u - 1);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t r = code[i];
        if (isnan(col[i]))
            code[i] = (uint32_t)(2 * u);
        else
            code[i] = 2 * r + (r + 1 < u && vj[r + 1] <= vj[r] + FW_CART_FEATURE_THRESHOLD);
    }
    c->n_unique[j] = (uint32_t)u;
    c->has_nan[j] = m < n;
    if (c->sorted) {
        uint64_t *srt = c->sorted + j * n;
        for (size_t i = 0; i < m; i++)
            srt[i] = (uint64_t)code[v[i]] << 32 | v[i];
        for (size_t i = 0, q = m; q < n && i < n; i++)
            if (isnan(col[i]))
                srt[q++] = (uint64_t)(2 * u) << 32 | i;
    }
    c->vals_off[j + 1] = base + u;
    return FW_OK;
}

static int codes_build(const fw_fit_data *d, fw_cart_codes **out, fw_err *e)
{
    size_t n = d->n, p = d->X.n_cols, cap = n * (p ? p : 1);
    fw_cart_codes *c = calloc(1, sizeof *c);
    double *col = malloc((n ? n : 1) * sizeof *col);
    uint64_t *k = malloc(2 * (n ? n : 1) * sizeof *k);
    uint32_t *v = malloc(2 * (n ? n : 1) * sizeof *v);
    int rc = FW_OK;
    *out = NULL;
    if (c) {
        c->n = n;
        c->p = p;
        c->code = malloc((n * p > 0 ? n * p : 1) * sizeof *c->code);
        c->n_unique = calloc(p ? p : 1, sizeof *c->n_unique);
        c->vals_off = calloc(p + 1, sizeof *c->vals_off);
        c->has_nan = calloc(p ? p : 1, sizeof *c->has_nan);
        c->vals = malloc((cap ? cap : 1) * sizeof *c->vals);
        if (n * p <= FW_CART_PRESORT_MAX && !(c->sorted = malloc((n * p > 0 ? n * p : 1) *
                                                                 sizeof *c->sorted)))
            rc = FW_ENOMEM;
    }
    if (!c || !col || !k || !v || !c->code || !c->n_unique || !c->vals_off || !c->has_nan ||
        !c->vals)
        rc = FW_ENOMEM;
    for (size_t j = 0; j < p && !rc; j++) {
        for (size_t i = 0; i < n; i++)
            col[i] = fw_mat_at(&d->X, d->rows[i], j);
        rc = codes_feature(c, j, col, k, v, k + n, v + n, &c->vals, &cap);
    }
    free(col);
    free(k);
    free(v);
    if (rc) {
        fw_cart_cache_free(c);
        return fw_err_set(e, FW_ENOMEM, "out of memory sorting the training features");
    }
    *out = c;
    return FW_OK;
}

/* Fingerprint of what the codes depend on: split_key, rows and values. */
static int codes_fingerprint(const fw_fit_data *d, uint64_t split_key, uint64_t *key)
{
    size_t n = d->n, p = d->X.n_cols;
    double *col = malloc((n ? n : 1) * sizeof *col);
    fw_hasher *h = fw_hasher_alloc(split_key);
    if (!col || !h) {
        free(col);
        fw_hasher_free(h);
        return FW_ENOMEM;
    }
    uint64_t shape[2] = {n, p};
    fw_hasher_update(h, shape, sizeof shape);
    fw_hasher_update(h, d->rows, n * sizeof *d->rows);
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < n; i++)
            col[i] = fw_mat_at(&d->X, d->rows[i], j);
        fw_hasher_update(h, col, n * sizeof *col);
    }
    *key = fw_hasher_digest(h);
    fw_hasher_free(h);
    free(col);
    return FW_OK;
}

int fw_cart_codes_get(const fw_fit_data *d, uint64_t split_key, void *cache,
                      const fw_cart_codes **out, fw_cart_codes **owned, fw_err *e)
{
    fw_model_cache *slot = cache;
    uint64_t key = 0;
    *owned = NULL;
    if (slot) {
        if (codes_fingerprint(d, split_key, &key))
            return fw_err_set(e, FW_ENOMEM, "out of memory hashing the training features");
        if (slot->kind == fw_cart_cache_kind && slot->key == key && slot->entry) {
            *out = slot->entry;
            return FW_OK;
        }
    }
    fw_cart_codes *c;
    int rc = codes_build(d, &c, e);
    if (rc)
        return rc;
    if (slot) {
        fw_model_cache_clear(slot);
        slot->kind = fw_cart_cache_kind;
        slot->key = key;
        slot->entry = c;
        slot->free_entry = fw_cart_cache_free;
    } else {
        *owned = c;
    }
    *out = c;
    return FW_OK;
}

/* ---- per-fit arrays ------------------------------------------------------- */

/* Rank of each row's target, ties by row: the order absolute_error's
 * running medians walk in. */
static int target_ranks(const double *y, size_t n, uint32_t *rank)
{
    uint64_t *k = malloc(2 * (n ? n : 1) * sizeof *k);
    uint32_t *v = malloc(2 * (n ? n : 1) * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        k[i] = order_key(y[i]);
        v[i] = (uint32_t)i;
    }
    radix_pairs(k, v, k + n, v + n, n);
    for (size_t i = 0; i < n; i++)
        rank[v[i]] = (uint32_t)i;
    free(k);
    free(v);
    return FW_OK;
}

void fw_cart_fitdata_free(fw_cart_fitdata *fd)
{
    if (!fd)
        return;
    fw_cart_cache_free(fd->owned);
    free(fd->ycls);
    free(fd->y);
    free(fd->yrank);
    free(fd->w);
    memset(fd, 0, sizeof *fd);
}

static int fitdata_targets(fw_cart_fitdata *fd, const fw_fit_data *d, int criterion)
{
    size_t n = d->n;
    if (d->task == FW_TASK_CLASSIFICATION) {
        if (!(fd->ycls = malloc((n ? n : 1) * sizeof *fd->ycls)))
            return FW_ENOMEM;
        for (size_t i = 0; i < n; i++)
            fd->ycls[i] = (uint32_t)d->y[d->rows[i]];
        return FW_OK;
    }
    if (!(fd->y = malloc((n ? n : 1) * sizeof *fd->y)))
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        fd->y[i] = d->y[d->rows[i]];
    if (criterion != FW_CART_MAE)
        return FW_OK;
    if (!(fd->yrank = malloc((n ? n : 1) * sizeof *fd->yrank)))
        return FW_ENOMEM;
    return target_ranks(fd->y, n, fd->yrank);
}

int fw_cart_fitdata_init(fw_cart_fitdata *fd, const fw_fit_data *d, int criterion,
                         int class_weight, uint64_t split_key, void *cache, fw_err *e)
{
    size_t n = d->n;
    memset(fd, 0, sizeof *fd);
    if (d->task == FW_TASK_CLASSIFICATION && (d->n_classes < 1 || d->n_classes > 65535))
        return fw_err_set(e, FW_EINVAL, "trees: %zu classes is not supported", d->n_classes);
    if (n >= 0x7fffffffu)
        return fw_err_set(e, FW_EINVAL, "trees: %zu training rows is too many (limit 2^31)", n);
    int rc = fw_cart_codes_get(d, split_key, cache, &fd->cd.codes, &fd->owned, e);
    if (rc)
        return rc;
    if (fitdata_targets(fd, d, criterion) ||
        !(fd->w = malloc((n ? n : 1) * sizeof *fd->w))) {
        fw_cart_fitdata_free(fd);
        return fw_err_set(e, FW_ENOMEM, "trees: out of memory");
    }
    double *cwb = NULL;
    if (class_weight && d->task == FW_TASK_CLASSIFICATION) {
        if (!(cwb = malloc(d->n_classes * sizeof *cwb))) {
            fw_cart_fitdata_free(fd);
            return fw_err_set(e, FW_ENOMEM, "trees: out of memory");
        }
        fw_class_weights_balanced(d->y, d->rows, n, d->n_classes, cwb);
    }
    for (size_t i = 0; i < n; i++) {
        double wi = d->w ? d->w[d->rows[i]] : 1.0;
        fd->w[i] = cwb ? wi * cwb[fd->ycls[i]] : wi;
        if (!(fd->w[i] >= 0) || !isfinite(fd->w[i])) {
            free(cwb);
            fw_cart_fitdata_free(fd);
            return fw_err_set(e, FW_EINVAL, "trees: sample weight of row %zu is negative or "
                              "not finite", d->rows[i]);
        }
    }
    free(cwb);
    fd->cd.task = d->task;
    fd->cd.k = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    fd->cd.ycls = fd->ycls;
    fd->cd.y = fd->y;
    fd->cd.yrank = fd->yrank;
    return FW_OK;
}
