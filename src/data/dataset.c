/* dataset.c: from a table to the dataset tasks read: column roles, task
 * inference, class labels, the content hash; and freeing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_int.h"

/* Classification when at most this many distinct integer target values. */
#define FW_MAX_INT_CLASSES 20

static long table_find(const fw_table *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->cols[j].name, name) == 0)
            return (long)j;
    return -1;
}

static long row_line(const fw_table *t, size_t i)
{
    return t->line ? t->line[i] : (long)i + 2;
}

/* Column `name` for config key `key`, or an error with a suggestion. */
static int find_role(const fw_table *t, const char *key, const char *name, long *col, fw_err *e)
{
    *col = table_find(t, name);
    if (*col >= 0)
        return FW_OK;
    const char **names = malloc((t->n_cols ? t->n_cols : 1) * sizeof *names);
    const char *s = NULL;
    if (names) {
        for (size_t j = 0; j < t->n_cols; j++)
            names[j] = t->cols[j].name;
        s = fw_suggest(name, names, t->n_cols);
    }
    fw_err_at(e, FW_EINVAL, t->source, 0, 0, "%s: no column named '%s'%s%s%s", key, name,
              s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    free(names);
    return FW_EINVAL;
}

/* Every cell of a role column must be present. */
static int require_present(const fw_table *t, long j, const char *key, fw_err *e)
{
    const double *v = t->data[j];
    for (size_t i = 0; i < t->n_rows; i++)
        if (isnan(v[i]))
            return fw_err_at(e, FW_EINVAL, t->source, row_line(t, i), 0,
                             "%s column '%s' is missing in row %zu", key, t->cols[j].name, i);
    return FW_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Distinct sorted values of a numeric column. */
static int distinct_values(const double *v, size_t n, double **out, size_t *nd)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return FW_ENOMEM;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || s[i] != s[k - 1])
            s[k++] = s[i];
    *out = s;
    *nd = k;
    return FW_OK;
}

static size_t find_sorted(const double *s, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Codes 0..k-1 for a numeric column by its distinct values; names optional. */
static int code_numeric(const double *v, size_t n, double *codes, size_t *k, char ***names)
{
    double *s;
    if (distinct_values(v, n, &s, k))
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        codes[i] = (double)find_sorted(s, *k, v[i]);
    if (names) {
        *names = calloc(*k ? *k : 1, sizeof **names);
        if (!*names) {
            free(s);
            return FW_ENOMEM;
        }
        for (size_t c = 0; c < *k; c++) {
            char buf[40];
            fw_fmt_double(buf, sizeof buf, s[c]);
            if (!((*names)[c] = fw_strdup(buf))) {
                free(s);
                return FW_ENOMEM;
            }
        }
    }
    free(s);
    return FW_OK;
}

static int infer_task(const fw_table *t, long j, int requested, int *task, fw_err *e)
{
    const fw_column *c = &t->cols[j];
    if (c->categorical) {
        if (requested == FW_TASK_REGRESSION)
            return fw_err_at(e, FW_EINVAL, t->source, 0, 0,
                             "data.task is regression, but target '%s' holds strings", c->name);
        *task = FW_TASK_CLASSIFICATION;
        return FW_OK;
    }
    if (requested != FW_TASK_AUTO) {
        *task = requested;
        return FW_OK;
    }
    const double *v = t->data[j];
    int integral = 1;
    for (size_t i = 0; i < t->n_rows && integral; i++)
        integral = v[i] == floor(v[i]);
    *task = FW_TASK_REGRESSION;
    if (integral) {
        double *s;
        size_t k;
        if (distinct_values(v, t->n_rows, &s, &k))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        free(s);
        if (k <= FW_MAX_INT_CLASSES)
            *task = FW_TASK_CLASSIFICATION;
    }
    return FW_OK;
}

static int build_target(const fw_table *t, long j, const fw_data_opts *o, fw_dataset *d,
                        fw_err *e)
{
    int rc;
    if ((rc = require_present(t, j, "data.target", e)))
        return rc;
    if ((rc = infer_task(t, j, o ? o->task : FW_TASK_AUTO, &d->task, e)))
        return rc;
    d->target_name = fw_strdup(t->cols[j].name);
    d->y = malloc(t->n_rows * sizeof *d->y);
    if (!d->y || !d->target_name)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    const fw_column *c = &t->cols[j];
    if (d->task == FW_TASK_REGRESSION) {
        memcpy(d->y, t->data[j], t->n_rows * sizeof *d->y);
        return FW_OK;
    }
    if (c->categorical) {
        memcpy(d->y, t->data[j], t->n_rows * sizeof *d->y);
        d->n_classes = c->n_levels;
        d->classes = calloc(c->n_levels ? c->n_levels : 1, sizeof *d->classes);
        if (!d->classes)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t l = 0; l < c->n_levels; l++)
            if (!(d->classes[l] = fw_strdup(c->levels[l])))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
    } else if (code_numeric(t->data[j], t->n_rows, d->y, &d->n_classes, &d->classes)) {
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    if (d->n_classes < 2)
        return fw_err_at(e, FW_EINVAL, t->source, 0, 0,
                         "target '%s' has only one class ('%s'): nothing to classify", c->name,
                         d->n_classes ? d->classes[0] : "");
    d->positive = d->n_classes == 2 ? 1 : -1;
    if (o && o->positive) {
        d->positive = -1;
        for (size_t l = 0; l < d->n_classes; l++)
            if (strcmp(d->classes[l], o->positive) == 0)
                d->positive = (int)l;
        if (d->n_classes != 2)
            return fw_err_set(e, FW_EINVAL, "data.positive: only a binary target has a positive "
                              "class ('%s' has %zu classes)", c->name, d->n_classes);
        if (d->positive < 0)
            return fw_err_set(e, FW_EINVAL, "data.positive: '%s' is not one of the classes "
                              "('%s', '%s')", o->positive, d->classes[0], d->classes[1]);
    }
    return FW_OK;
}

static int build_roles(const fw_table *t, const fw_data_opts *o, long gcol, fw_dataset *d,
                       fw_err *e)
{
    size_t n = t->n_rows;
    long j;
    int rc;
    if (gcol >= 0) {
        if ((rc = require_present(t, gcol, "data.groups", e)))
            return rc;
        double *codes = malloc(n * sizeof *codes);
        d->group = malloc(n * sizeof *d->group);
        if (!codes || !d->group || code_numeric(t->data[gcol], n, codes, &d->n_groups, NULL)) {
            free(codes);
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            d->group[i] = (int32_t)codes[i];
        free(codes);
    }
    if (o && o->time) {
        if ((rc = find_role(t, "data.time", o->time, &j, e)) ||
            (rc = require_present(t, j, "data.time", e)))
            return rc;
        if (!(d->time = malloc(n * sizeof *d->time)))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        memcpy(d->time, t->data[j], n * sizeof *d->time);
    }
    if (o && o->fold) {
        if ((rc = find_role(t, "data.fold", o->fold, &j, e)) ||
            (rc = require_present(t, j, "data.fold", e)))
            return rc;
        if (!(d->fold = malloc(n * sizeof *d->fold)))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            double v = t->data[j][i];
            if (t->cols[j].categorical || v != floor(v) || v < -1 || v > 1e6)
                return fw_err_at(e, FW_EINVAL, t->source, row_line(t, i), 0,
                                 "data.fold column '%s': row %zu is not an integer >= -1",
                                 o->fold, i);
            d->fold[i] = (int32_t)v;
        }
    }
    if (o && o->weight) {
        if ((rc = find_role(t, "data.weight", o->weight, &j, e)) ||
            (rc = require_present(t, j, "data.weight", e)))
            return rc;
        if (!(d->weight = malloc(n * sizeof *d->weight)))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            double v = t->data[j][i];
            if (t->cols[j].categorical || !(v >= 0))
                return fw_err_at(e, FW_EINVAL, t->source, row_line(t, i), 0,
                                 "data.weight column '%s': row %zu is not a number >= 0",
                                 o->weight, i);
            d->weight[i] = v;
        }
    }
    return FW_OK;
}

/* Mark the columns that are not features: roles and data.drop. */
static int mark_non_features(const fw_table *t, const fw_data_opts *o, long target, long gcol,
                             unsigned char *skip, fw_err *e)
{
    long j;
    int rc;
    skip[target] = 1;
    if (gcol >= 0)
        skip[gcol] = 1;
    const char *roles[3] = {o ? o->time : NULL, o ? o->fold : NULL, o ? o->weight : NULL};
    const char *keys[3] = {"data.time", "data.fold", "data.weight"};
    for (int r = 0; r < 3; r++) {
        if (!roles[r])
            continue;
        if ((rc = find_role(t, keys[r], roles[r], &j, e)))
            return rc;
        skip[j] = 1;
    }
    for (size_t k = 0; o && k < o->n_drop; k++) {
        if ((rc = find_role(t, "data.drop", o->drop[k], &j, e)))
            return rc;
        skip[j] = 1;
    }
    return FW_OK;
}

static void dataset_hash(fw_dataset *d)
{
    fw_hasher *h = fw_hasher_alloc(0);
    if (!h)
        return;
    uint64_t hdr[4] = {d->n_rows, d->n_features, (uint64_t)d->task, d->n_classes};
    fw_hasher_update(h, hdr, sizeof hdr);
    fw_hasher_update(h, d->X, d->n_rows * d->n_features * sizeof *d->X);
    fw_hasher_update(h, d->y, d->n_rows * sizeof *d->y);
    for (size_t j = 0; j < d->n_features; j++) {
        fw_hasher_update(h, d->cols[j].name, strlen(d->cols[j].name) + 1);
        for (size_t l = 0; l < d->cols[j].n_levels; l++)
            fw_hasher_update(h, d->cols[j].levels[l], strlen(d->cols[j].levels[l]) + 1);
    }
    for (size_t c = 0; c < d->n_classes; c++)
        fw_hasher_update(h, d->classes[c], strlen(d->classes[c]) + 1);
    fw_hasher_update(h, &d->positive, sizeof d->positive);
    if (d->weight)
        fw_hasher_update(h, d->weight, d->n_rows * sizeof *d->weight);
    if (d->group)
        fw_hasher_update(h, d->group, d->n_rows * sizeof *d->group);
    if (d->time)
        fw_hasher_update(h, d->time, d->n_rows * sizeof *d->time);
    if (d->fold)
        fw_hasher_update(h, d->fold, d->n_rows * sizeof *d->fold);
    d->hash = fw_hasher_digest(h);
    fw_hasher_free(h);
}

static int move_features(fw_table *t, const unsigned char *skip, fw_dataset *d, fw_err *e)
{
    size_t n = t->n_rows, p = 0;
    for (size_t j = 0; j < t->n_cols; j++)
        p += !skip[j];
    if (p == 0)
        return fw_err_at(e, FW_EINVAL, t->source, 0, 0,
                         "no feature columns left after the target, roles and data.drop");
    d->n_features = p;
    d->X = malloc(n * p * sizeof *d->X);
    d->cols = calloc(p, sizeof *d->cols);
    if (!d->X || !d->cols)
        return fw_err_set(e, FW_ENOMEM, "out of memory: %zu x %zu doubles", n, p);
    for (size_t j = 0, k = 0; j < t->n_cols; j++) {
        if (skip[j])
            continue;
        memcpy(d->X + k * n, t->data[j], n * sizeof *d->X);
        d->cols[k] = t->cols[j];  /* moves name and levels */
        memset(&t->cols[j], 0, sizeof t->cols[j]);
        k++;
    }
    return FW_OK;
}

int fw_dataset_build(fw_table *t, const fw_data_opts *o, fw_dataset **out, fw_err *e)
{
    fw_dataset *d = calloc(1, sizeof *d);
    unsigned char *skip = t ? calloc(t->n_cols ? t->n_cols : 1, 1) : NULL;
    long target = -1, gcol = t ? t->group_col : -1;
    int rc = FW_OK;
    *out = NULL;
    if (!d || !skip) {
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
        goto cleanup;
    }
    d->n_rows = t->n_rows;
    d->positive = -1;
    if (t->target_fixed)
        target = t->target_col;
    else if (o && o->target)
        rc = find_role(t, "data.target", o->target, &target, e);
    else if ((target = t->target_col) < 0)
        rc = fw_err_at(e, FW_EINVAL, t->source, 0, 0, "data.target is not set: name the column "
                                                      "to predict");
    if (!rc && o && o->groups)
        rc = find_role(t, "data.groups", o->groups, &gcol, e);
    if (!rc)
        rc = mark_non_features(t, o, target, gcol, skip, e);
    if (!rc)
        rc = build_target(t, target, o, d, e);
    if (!rc)
        rc = build_roles(t, o, gcol, d, e);
    if (!rc)
        rc = move_features(t, skip, d, e);
    if (rc)
        goto cleanup;
    d->source = fw_strdup(t->source);
    dataset_hash(d);
    *out = d;
    d = NULL;
cleanup:
    free(skip);
    fw_dataset_free(d);
    fw_table_free(t);
    return rc;
}

int fw_dataset_load(const fw_data_opts *o, fw_dataset **out, fw_err *e)
{
    fw_table *t;
    *out = NULL;
    if (!o->path)
        return fw_err_set(e, FW_EINVAL, "data.path is not set");
    int rc = fw_table_read(o, o->path, &t, e);
    if (rc)
        return rc;
    return fw_dataset_build(t, o, out, e);
}

long fw_dataset_find_col(const fw_dataset *d, const char *name)
{
    for (size_t j = 0; j < d->n_features; j++)
        if (strcmp(d->cols[j].name, name) == 0)
            return (long)j;
    return -1;
}

void fw_dataset_free(fw_dataset *d)
{
    if (!d)
        return;
    if (d->block) {
        /* A view: names, levels and arrays live in the block; only the
         * pointer arrays were allocated. */
        for (size_t j = 0; d->cols && j < d->n_features; j++)
            free(d->cols[j].levels);
        free(d->cols);
        free(d->classes);
        if (d->owns_block)
            free(d->block);
        free(d);
        return;
    }
    for (size_t j = 0; d->cols && j < d->n_features; j++)
        fw_column_clear(&d->cols[j]);
    free(d->cols);
    for (size_t c = 0; d->classes && c < d->n_classes; c++)
        free(d->classes[c]);
    free(d->classes);
    free(d->X);
    free(d->y);
    free(d->weight);
    free(d->group);
    free(d->time);
    free(d->fold);
    free(d->target_name);
    free(d->source);
    free(d);
}
