/* holdout.c: one train/test split, like train_test_split(test_size=0.25,
 * shuffle=True) without stratify: the rows are permuted with the stream
 * fw_rng_alloc(seed, 0), the first n - ceil(test_size * n) trained on.
 * shuffle: false keeps row order and tests the last rows, as
 * train_test_split(shuffle=False). */
#include "split/split_int.h"

static int holdout_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    size_t n_test;
    int rc = fw_split_check_opts(spec, FW_SPLIT_OPT_TEST_SIZE | FW_SPLIT_OPT_SHUFFLE, e);
    if (!rc)
        rc = fw_split_check_roles(spec, in, fw_split_holdout.flags, e);
    if (!rc)
        rc = fw_split_check_test_size(spec, in->n, 0.25, &n_test, e);
    if (!rc && spec->shuffle < 0)
        spec->shuffle = 1;
    return rc;
}

static int holdout_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                         fw_splits *out, fw_err *e)
{
    return fw_split_run_shuffled(spec, in, "holdout", seed, 1, fw_split_test_rows(spec, in->n),
                                 spec->shuffle > 0, out, e);
}

const fw_splitter_type fw_split_holdout = {
    .name = "holdout",
    .summary = "one shuffled train/test split of test_size (default 0.25), "
               "like train_test_split",
    .flags = FW_SPLIT_RANDOM,
    .check = holdout_check,
    .split = holdout_split,
};
