/* encode.c: categorical columns. One-hot gets one output column per level
 * seen in the (imputed) training rows, in level order, named "col=level";
 * a level unseen in training, or a cell still missing (impute none), is a
 * row of zeros. Ordinal keeps the level code. Codes are matched by level
 * name, so a fitted preprocessor reads another dataset whose level lists
 * differ (new rows at predict time). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep_int.h"

int fw_prep_encode_fit(fw_prep_col *c, int encode, const size_t *counts, fw_err *e)
{
    c->n_onehot = 0;
    if (encode != FW_ENCODE_ONEHOT)
        return FW_OK;
    c->slot = malloc((c->n_levels ? c->n_levels : 1) * sizeof *c->slot);
    if (!c->slot)
        return fw_err_set(e, FW_ENOMEM, "out of memory encoding column '%s'", c->name);
    for (size_t l = 0; l < c->n_levels; l++)
        c->slot[l] = counts[l] > 0 ? (long)c->n_onehot++ : -1;
    return FW_OK;
}

static int cmp_level(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Fitted level code of `name`, by binary search in `sorted` (pointers into
 * c->levels sorted by name), or -1. */
static long find_level(const fw_prep_col *c, char ***sorted, const char *name)
{
    size_t lo = 0, hi = c->n_levels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(name, *sorted[mid]);
        if (r == 0)
            return (long)(sorted[mid] - c->levels);
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static int same_levels(const fw_prep_col *c, const fw_column *src)
{
    if (src->n_levels != c->n_levels)
        return 0;
    for (size_t l = 0; l < c->n_levels; l++)
        if (strcmp(src->levels[l], c->levels[l]) != 0)
            return 0;
    return 1;
}

int fw_prep_level_map(const fw_prep_col *c, const fw_column *src, long **map, fw_err *e)
{
    size_t n = src->n_levels;
    *map = malloc((n ? n : 1) * sizeof **map);
    if (!*map)
        return fw_err_set(e, FW_ENOMEM, "out of memory matching levels of '%s'", c->name);
    if (same_levels(c, src)) {
        for (size_t l = 0; l < n; l++)
            (*map)[l] = (long)l;
        return FW_OK;
    }
    char ***s = malloc((c->n_levels ? c->n_levels : 1) * sizeof *s);
    if (!s) {
        free(*map);
        *map = NULL;
        return fw_err_set(e, FW_ENOMEM, "out of memory matching levels of '%s'", c->name);
    }
    for (size_t l = 0; l < c->n_levels; l++)
        s[l] = &c->levels[l];
    qsort(s, c->n_levels, sizeof *s, cmp_level);
    for (size_t l = 0; l < n; l++)
        (*map)[l] = find_level(c, s, src->levels[l]);
    free(s);
    return FW_OK;
}

void fw_prep_encode_write(const fw_prep_col *c, int encode, const double *codes, size_t n,
                          double *out)
{
    if (encode != FW_ENCODE_ONEHOT) {
        memcpy(out, codes, n * sizeof *out);
        return;
    }
    memset(out, 0, n * c->n_onehot * sizeof *out);
    for (size_t i = 0; i < n; i++) {
        double code = codes[i];
        if (isnan(code))
            continue;
        long s = c->slot[(size_t)code];
        if (s >= 0)
            out[(size_t)s * n + i] = 1.0;
    }
}
