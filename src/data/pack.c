/* pack.c: a dataset as one flat block, and a view over such a block.
 *
 * The MPI scheduler loads the data once per node and shares it through an
 * MPI-3 shared-memory window: the block is what goes into the window, and
 * every rank on the node views it in place. Layout (all offsets 8-aligned):
 *   header (pack_hdr) | X | y | weight | group | time | fold |
 *   level count per feature (uint64) | strings
 * Strings are NUL-terminated, in order: source, target name, then per
 * feature column its name and levels, then the class labels. */
#include <stdlib.h>
#include <string.h>

#include "data_int.h"

#define PACK_MAGIC 0x5344574655ULL /* "UFWDS" */

typedef struct pack_hdr {
    uint64_t magic, size;
    uint64_t n_rows, n_features, n_classes, n_groups, hash;
    int64_t task, positive;
    uint64_t has_weight, has_group, has_time, has_fold;
    uint64_t strings_off;
} pack_hdr;

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Walk the layout: with dst NULL only sizes are computed. */
static size_t pack_walk(const fw_dataset *d, char *dst)
{
    size_t n = d->n_rows, off = align8(sizeof(pack_hdr));
#define PUT(ptr, bytes)                                          \
    do {                                                         \
        if ((ptr) && dst)                                        \
            memcpy(dst + off, (ptr), (bytes));                   \
        off = align8(off + ((ptr) ? (bytes) : 0));               \
    } while (0)
    PUT(d->X, n * d->n_features * sizeof(double));
    PUT(d->y, n * sizeof(double));
    PUT(d->weight, n * sizeof(double));
    PUT(d->group, n * sizeof(int32_t));
    PUT(d->time, n * sizeof(double));
    PUT(d->fold, n * sizeof(int32_t));
#undef PUT
    for (size_t j = 0; dst && j < d->n_features; j++) {
        uint64_t nl = d->cols[j].n_levels;
        memcpy(dst + off + j * sizeof nl, &nl, sizeof nl);
    }
    off = align8(off + d->n_features * sizeof(uint64_t));
    size_t strings = off;
#define STR(s)                                                   \
    do {                                                         \
        size_t len_ = strlen((s) ? (s) : "") + 1;                \
        if (dst)                                                 \
            memcpy(dst + off, (s) ? (s) : "", len_);             \
        off += len_;                                             \
    } while (0)
    STR(d->source);
    STR(d->target_name);
    for (size_t j = 0; j < d->n_features; j++) {
        STR(d->cols[j].name);
        for (size_t l = 0; l < d->cols[j].n_levels; l++)
            STR(d->cols[j].levels[l]);
    }
    for (size_t c = 0; c < d->n_classes; c++)
        STR(d->classes[c]);
#undef STR
    off = align8(off);
    if (dst) {
        pack_hdr h = {PACK_MAGIC, off, n, d->n_features, d->n_classes, d->n_groups, d->hash,
                      d->task, d->positive, d->weight != NULL, d->group != NULL,
                      d->time != NULL, d->fold != NULL, strings};
        memcpy(dst, &h, sizeof h);
    }
    return off;
}

size_t fw_dataset_packed_size(const fw_dataset *d) { return pack_walk(d, NULL); }

void fw_dataset_pack(const fw_dataset *d, void *dst) { pack_walk(d, dst); }

/* Next string in [*p, end); NULL when the block is malformed. */
static char *next_str(char **p, char *end)
{
    char *s = *p;
    char *z = memchr(s, '\0', (size_t)(end - s));
    if (!z)
        return NULL;
    *p = z + 1;
    return s;
}

static int view_strings(fw_dataset *d, char *p, char *end, const uint64_t *n_levels)
{
    d->source = next_str(&p, end);
    d->target_name = next_str(&p, end);
    if (!d->source || !d->target_name)
        return -1;
    for (size_t j = 0; j < d->n_features; j++) {
        fw_column *c = &d->cols[j];
        if (!(c->name = next_str(&p, end)))
            return -1;
        c->n_levels = (size_t)n_levels[j];
        c->categorical = n_levels[j] > 0;
        if (!c->n_levels)
            continue;
        if (!(c->levels = malloc(c->n_levels * sizeof *c->levels)))
            return -1;
        for (size_t l = 0; l < c->n_levels; l++)
            if (!(c->levels[l] = next_str(&p, end)))
                return -1;
    }
    for (size_t k = 0; k < d->n_classes; k++)
        if (!(d->classes[k] = next_str(&p, end)))
            return -1;
    return 0;
}

int fw_dataset_view(const void *block, size_t size, fw_dataset **out, fw_err *e)
{
    pack_hdr h;
    *out = NULL;
    if (size < sizeof h)
        return fw_err_set(e, FW_EINVAL, "shared dataset block is truncated");
    memcpy(&h, block, sizeof h);
    if (h.magic != PACK_MAGIC || h.size != size)
        return fw_err_set(e, FW_EINVAL, "shared dataset block is damaged");
    fw_dataset *d = calloc(1, sizeof *d);
    if (!d)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    char *base = (char *)block;
    size_t n = h.n_rows, off = align8(sizeof h);
    d->block = base;
    d->n_rows = n;
    d->n_features = h.n_features;
    d->n_classes = h.n_classes;
    d->n_groups = h.n_groups;
    d->hash = h.hash;
    d->task = (int)h.task;
    d->positive = (int)h.positive;
    d->X = (double *)(base + off);
    off = align8(off + n * d->n_features * sizeof(double));
    d->y = (double *)(base + off);
    off = align8(off + n * sizeof(double));
#define TAKE(field, flag, type)                                  \
    if (flag) {                                                  \
        d->field = (type *)(base + off);                         \
        off = align8(off + n * sizeof(type));                    \
    }
    TAKE(weight, h.has_weight, double)
    TAKE(group, h.has_group, int32_t)
    TAKE(time, h.has_time, double)
    TAKE(fold, h.has_fold, int32_t)
#undef TAKE
    const uint64_t *levels = (const uint64_t *)(base + off);
    off = align8(off + d->n_features * sizeof(uint64_t));
    d->cols = calloc(d->n_features ? d->n_features : 1, sizeof *d->cols);
    d->classes = calloc(d->n_classes ? d->n_classes : 1, sizeof *d->classes);
    if (!d->cols || !d->classes || off != h.strings_off || off > size)
        goto fail;
    if (view_strings(d, base + h.strings_off, base + size, levels) == 0) {
        *out = d;
        return FW_OK;
    }
fail:
    fw_dataset_free(d);
    return fw_err_set(e, FW_EINVAL, "shared dataset block is damaged");
}
