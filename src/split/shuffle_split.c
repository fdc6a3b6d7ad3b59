/* shuffle_split.c: k independent random train/test splits (scikit-learn's
 * ShuffleSplit sizing: test = ceil(test_size * n) for a fraction, or the
 * count; train = the rest). Default test_size 0.1 as scikit-learn; default
 * k 5 (scikit-learn's n_splits default is 10). Split i permutes the rows with
 * its own stream fw_rng_alloc(seed, i). */
#include <stdlib.h>

#include "split/split_int.h"

typedef struct perm_arg {
    size_t *perm;
    size_t n_test;
    int shuffle;
} perm_arg;

static int perm_mark(void *arg, fw_split_ctx *c, gsl_rng *r, size_t i, fw_err *e)
{
    perm_arg *a = arg;
    (void)i;
    (void)e;
    for (size_t p = 0; p < c->n; p++)
        a->perm[p] = p;
    if (a->shuffle)
        fw_shuffle(r, a->perm, c->n);
    for (size_t j = 0; j < c->n; j++)
        c->mark[a->perm[j]] = j < c->n - a->n_test ? FW_SPLIT_TRAIN : FW_SPLIT_TEST;
    return FW_OK;
}

int fw_split_run_shuffled(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                          uint64_t seed, size_t n_splits, size_t n_test, int shuffle,
                          fw_splits *out, fw_err *e)
{
    perm_arg a = {.perm = malloc(in->n * sizeof(size_t)), .n_test = n_test, .shuffle = shuffle};
    if (!a.perm) {
        *out = (fw_splits){0};
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    }
    int rc = fw_split_run_marks(spec, in, kind, seed, n_splits, shuffle, perm_mark, &a, out, e);
    free(a.perm);
    return rc;
}

static int ss_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    size_t n_test;
    return fw_split_check_shuffle_split(spec, in, fw_split_shuffle_split.flags, 0.1, &n_test, e);
}

static int ss_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                    fw_splits *out, fw_err *e)
{
    return fw_split_run_shuffled(spec, in, "shuffle_split", seed, (size_t)spec->k,
                                 fw_split_test_rows(spec, in->n), 1, out, e);
}

const fw_splitter_type fw_split_shuffle_split = {
    .name = "shuffle_split",
    .summary = "k random train/test splits of test_size (scikit-learn's ShuffleSplit)",
    .flags = FW_SPLIT_RANDOM,
    .check = ss_check,
    .split = ss_split,
};
