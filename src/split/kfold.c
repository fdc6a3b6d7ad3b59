/* kfold.c: plain k-fold (scikit-learn's KFold / RepeatedKFold).
 *
 * Positions (shuffled when asked) are cut into k consecutive chunks; the
 * first n % k chunks get one row more, as in scikit-learn. */
#include <stdlib.h>

#include "split/split_int.h"

static int kfold_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    return fw_split_check_kfold(spec, in, fw_split_kfold.flags, e);
}

static int kfold_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                        gsl_rng *r, int32_t *label, fw_err *e)
{
    size_t n = in->n;
    size_t *perm = malloc(n * sizeof *perm);
    if (!perm)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    for (size_t p = 0; p < n; p++)
        perm[p] = p;
    if (r)
        fw_shuffle(r, perm, n);
    size_t j = 0;
    for (size_t f = 0; f < k; f++) {
        size_t size = n / k + (f < n % k);
        for (size_t i = 0; i < size; i++)
            label[perm[j++]] = (int32_t)f;
    }
    free(perm);
    return FW_OK;
}

static int kfold_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                       fw_splits *out, fw_err *e)
{
    return fw_split_run_kfold(spec, in, seed, kfold_labels, out, e);
}

const fw_splitter_type fw_split_kfold = {
    .name = "kfold",
    .summary = "k consecutive folds of rows (shuffled when asked); repeats reshuffle",
    .flags = FW_SPLIT_PARTITION | FW_SPLIT_RANDOM,
    .check = kfold_check,
    .split = kfold_split,
};
