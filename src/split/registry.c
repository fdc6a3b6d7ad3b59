/* registry.c: the list of splitters (one line per splitter) and the
 * look-up-check-split entry point the plan layer calls. */
#include <string.h>

#include "split/split_int.h"

const fw_splitter_type *const fw_splitters[] = {
    &fw_split_kfold,
    &fw_split_stratified_kfold,
    &fw_split_group_kfold,
    &fw_split_stratified_group_kfold,
    &fw_split_time_series,
    &fw_split_shuffle_split,
    &fw_split_stratified_shuffle_split,
    &fw_split_leave_one_group_out,
    &fw_split_predefined,
    &fw_split_holdout,
    NULL,
};

const fw_splitter_type *fw_splitter_find(const char *name)
{
    for (size_t i = 0; name && fw_splitters[i]; i++)
        if (strcmp(fw_splitters[i]->name, name) == 0)
            return fw_splitters[i];
    return NULL;
}

/* "unknown splitter 'x'", with the closest name when one is close. */
static int unknown_kind(const fw_split_spec *spec, fw_err *e)
{
    const char *names[sizeof fw_splitters / sizeof fw_splitters[0]];
    size_t n = 0;
    for (; fw_splitters[n]; n++)
        names[n] = fw_splitters[n]->name;
    const char *near = fw_suggest(spec->kind, names, n);
    if (near)
        return fw_err_set(e, FW_EINVAL, "%s.kind: unknown splitter '%s' (did you mean '%s'?)",
                          fw_split_key(spec), spec->kind, near);
    fw_sb b;
    fw_sb_init(&b);
    for (size_t i = 0; i < n; i++)
        fw_sb_printf(&b, "%s%s", i ? ", " : "", names[i]);
    int rc = fw_err_set(e, FW_EINVAL, "%s.kind: unknown splitter '%s' (kinds: %s)",
                        fw_split_key(spec), spec->kind, b.oom ? "?" : b.s);
    fw_sb_free(&b);
    return rc;
}

int fw_split_make(fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                  fw_splits *out, fw_err *e)
{
    *out = (fw_splits){0};
    const fw_splitter_type *t = fw_splitter_find(spec->kind);
    if (!t)
        return unknown_kind(spec, e);
    int rc = t->check(spec, in, e);
    if (rc)
        return rc;
    return t->split(spec, in, seed, out, e);
}
