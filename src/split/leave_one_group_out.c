/* leave_one_group_out.c: one fold per group present, in group code order;
 * the group is the test set, every other row trains (scikit-learn's
 * LeaveOneGroupOut). Needs at least two groups. */
#include <stdlib.h>

#include "split/split_int.h"

static int logo_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    int rc = fw_split_check_opts(spec, 0, e);
    if (!rc)
        rc = fw_split_check_roles(spec, in, fw_split_leave_one_group_out.flags, e);
    if (rc)
        return rc;
    size_t ng = fw_split_count_groups(in);
    if (ng == 0)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    if (ng < 2)
        return fw_err_set(e, FW_EINVAL, "%s.kind: leave_one_group_out needs at least 2 groups "
                          "in data.groups; the rows to split have 1", fw_split_key(spec));
    return FW_OK;
}

static int logo_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                       gsl_rng *r, int32_t *label, fw_err *e)
{
    (void)k;
    (void)r;
    if (fw_split_groups(in, label, NULL) == 0)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    return FW_OK;
}

static int logo_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                      fw_splits *out, fw_err *e)
{
    size_t ng = fw_split_count_groups(in);
    if (ng == 0) {
        *out = (fw_splits){0};
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    }
    return fw_split_run_labels(spec, in, "leave_one_group_out", seed, ng, 1, 0, logo_labels,
                               out, e);
}

const fw_splitter_type fw_split_leave_one_group_out = {
    .name = "leave_one_group_out",
    .summary = "one fold per group: test on the group, train on the others "
               "(scikit-learn's LeaveOneGroupOut)",
    .flags = FW_SPLIT_NEEDS_GROUPS | FW_SPLIT_PARTITION,
    .check = logo_check,
    .split = logo_split,
};
