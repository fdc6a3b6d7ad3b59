/* predefined.c: folds given by data.fold (scikit-learn's PredefinedSplit).
 * One fold per distinct value >= 0 present, in ascending value order; rows
 * marked -1 are always in training. Refused: no fold at all (every row -1),
 * or a fold that would leave no training row (one fold and no -1 rows). */
#include <stdlib.h>

#include "split/split_int.h"

static int int32_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* label[p]: rank of the position's fold among the distinct values >= 0, or
 * -1; returns the number of distinct values, or -1 when out of memory. */
static long fold_ranks(const fw_split_input *in, int32_t *label)
{
    int32_t *v = malloc(in->n * sizeof *v);
    if (!v)
        return -1;
    size_t m = 0, nd = 0;
    for (size_t p = 0; p < in->n; p++)
        if (in->fold[fw_split_row(in, p)] >= 0)
            v[m++] = in->fold[fw_split_row(in, p)];
    qsort(v, m, sizeof *v, int32_cmp);
    for (size_t i = 0; i < m; i++)
        if (nd == 0 || v[i] != v[nd - 1])
            v[nd++] = v[i];
    for (size_t p = 0; label && p < in->n; p++) {
        int32_t f = in->fold[fw_split_row(in, p)];
        const int32_t *hit = f >= 0 ? bsearch(&f, v, nd, sizeof *v, int32_cmp) : NULL;
        label[p] = hit ? (int32_t)(hit - v) : -1;
    }
    free(v);
    return (long)nd;
}

static int predefined_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    int rc = fw_split_check_opts(spec, 0, e);
    if (!rc)
        rc = fw_split_check_roles(spec, in, fw_split_predefined.flags, e);
    if (rc)
        return rc;
    long nd = fold_ranks(in, NULL);
    if (nd < 0)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    if (nd == 0)
        return fw_err_set(e, FW_EINVAL, "data.fold: every row to split is -1 (always in "
                          "training); there is no fold to test");
    return FW_OK;
}

static int predefined_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                             gsl_rng *r, int32_t *label, fw_err *e)
{
    (void)k;
    (void)r;
    if (fold_ranks(in, label) < 0)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    return FW_OK;
}

static int predefined_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                            fw_splits *out, fw_err *e)
{
    long nd = fold_ranks(in, NULL);
    if (nd <= 0) {
        *out = (fw_splits){0};
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    }
    return fw_split_run_labels(spec, in, "predefined", seed, (size_t)nd, 1, 0,
                               predefined_labels, out, e);
}

const fw_splitter_type fw_split_predefined = {
    .name = "predefined",
    .summary = "folds from data.fold, -1 = always in training (scikit-learn's PredefinedSplit)",
    /* Not FW_SPLIT_PARTITION: rows marked -1 are never tested. */
    .flags = FW_SPLIT_NEEDS_FOLD,
    .check = predefined_check,
    .split = predefined_split,
};
