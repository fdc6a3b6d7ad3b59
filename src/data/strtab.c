/* strtab.c: string interning and level ordering for categorical columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_int.h"

void fw_strtab_init(fw_strtab *t) { memset(t, 0, sizeof *t); }

void fw_strtab_free(fw_strtab *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->slots);
    fw_strtab_init(t);
}

static int strtab_grow(fw_strtab *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)fw_hash_str(t->strs[i], 0) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    return 0;
}

uint32_t fw_strtab_intern(fw_strtab *t, const char *s, size_t n)
{
    if ((t->n + 1) * 2 > t->nslots && strtab_grow(t))
        return UINT32_MAX;
    size_t h = (size_t)fw_hash64(s, n, 0) & (t->nslots - 1);
    while (t->slots[h]) {
        const char *c = t->strs[t->slots[h] - 1];
        if (strncmp(c, s, n) == 0 && c[n] == '\0')
            return t->slots[h] - 1;
        h = (h + 1) & (t->nslots - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **strs = realloc(t->strs, cap * sizeof *strs);
        if (!strs)
            return UINT32_MAX;
        t->strs = strs;
        t->cap = cap;
    }
    char *c = malloc(n + 1);
    if (!c)
        return UINT32_MAX;
    memcpy(c, s, n);
    c[n] = '\0';
    t->strs[t->n] = c;
    t->slots[h] = (uint32_t)t->n + 1;
    return (uint32_t)t->n++;
}

typedef struct level_key {
    const char *s;
    double num;
    uint32_t id;
} level_key;

static int cmp_num(const void *a, const void *b)
{
    const level_key *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return strcmp(x->s, y->s);  /* "1" and "1.0": stable by text */
}

static int cmp_str(const void *a, const void *b)
{
    const level_key *x = a, *y = b;
    return strcmp(x->s, y->s);
}

int fw_levels_sort(fw_strtab *t, char ***levels, uint32_t **remap)
{
    size_t n = t->n;
    level_key *k = malloc((n ? n : 1) * sizeof *k);
    char **lv = malloc((n ? n : 1) * sizeof *lv);
    uint32_t *map = malloc((n ? n : 1) * sizeof *map);
    if (!k || !lv || !map) {
        free(k);
        free(lv);
        free(map);
        return FW_ENOMEM;
    }
    int all_num = n > 0;
    for (size_t i = 0; i < n; i++) {
        k[i].s = t->strs[i];
        k[i].id = (uint32_t)i;
        if (!fw_parse_double(t->strs[i], strlen(t->strs[i]), &k[i].num) || isnan(k[i].num))
            all_num = 0;
    }
    qsort(k, n, sizeof *k, all_num ? cmp_num : cmp_str);
    for (size_t i = 0; i < n; i++) {
        lv[i] = t->strs[k[i].id];
        map[k[i].id] = (uint32_t)i;
    }
    free(k);
    free(t->strs);
    free(t->slots);
    fw_strtab_init(t);
    *levels = lv;
    *remap = map;
    return FW_OK;
}
