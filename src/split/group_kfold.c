/* group_kfold.c: k folds of whole groups (scikit-learn's GroupKFold).
 *
 * Unshuffled (scikit-learn 1.2): groups by size, largest first, each to the
 * currently lightest fold (the lowest fold number among equally light ones).
 * Tie rule between groups of equal size: the larger group code goes first.
 * scikit-learn leaves that order to numpy's argsort; for up to 16 groups
 * numpy sorts by insertion (stable), and reversing a stable ascending sort
 * puts the larger code first, so foldwise agrees with it there.
 *
 * Shuffled (scikit-learn 1.2 has no shuffle; this is 1.6's GroupKFold
 * shuffle=True): the groups are permuted and cut into k runs of consecutive
 * groups, the first (groups % k) runs one group longer. Folds then balance
 * the number of groups, not of rows. */
#include <stdlib.h>

#include "split/split_int.h"

typedef struct group_size {
    size_t size, id;
} group_size;

/* Size descending, then group code descending. */
static int group_size_cmp(const void *a, const void *b)
{
    const group_size *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return (x->id < y->id) - (x->id > y->id);
}

static int gkf_greedy(size_t ng, size_t k, const size_t *gcount, int32_t *gfold)
{
    group_size *gs = malloc(ng * sizeof *gs);
    size_t *weight = calloc(k, sizeof *weight);
    if (!gs || !weight) {
        free(gs);
        free(weight);
        return FW_ENOMEM;
    }
    for (size_t g = 0; g < ng; g++)
        gs[g] = (group_size){gcount[g], g};
    qsort(gs, ng, sizeof *gs, group_size_cmp);
    for (size_t i = 0; i < ng; i++) {
        size_t light = 0;
        for (size_t f = 1; f < k; f++)
            if (weight[f] < weight[light])
                light = f;
        weight[light] += gs[i].size;
        gfold[gs[i].id] = (int32_t)light;
    }
    free(gs);
    free(weight);
    return FW_OK;
}

static int gkf_shuffled(size_t ng, size_t k, gsl_rng *r, int32_t *gfold)
{
    size_t *ids = malloc(ng * sizeof *ids);
    if (!ids)
        return FW_ENOMEM;
    for (size_t g = 0; g < ng; g++)
        ids[g] = g;
    fw_shuffle(r, ids, ng);
    size_t j = 0;
    for (size_t f = 0; f < k; f++)
        for (size_t i = 0; i < ng / k + (f < ng % k); i++)
            gfold[ids[j++]] = (int32_t)f;
    free(ids);
    return FW_OK;
}

static int gkf_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                      gsl_rng *r, int32_t *label, fw_err *e)
{
    size_t room = fw_split_group_room(in);
    int32_t *gcode = malloc(in->n * sizeof *gcode), *gfold = malloc(room * sizeof *gfold);
    size_t *gcount = malloc(room * sizeof *gcount);
    size_t ng = gcode && gfold && gcount ? fw_split_groups(in, gcode, gcount) : 0;
    int rc = ng == 0 ? FW_ENOMEM : r ? gkf_shuffled(ng, k, r, gfold)
                                     : gkf_greedy(ng, k, gcount, gfold);
    for (size_t p = 0; !rc && p < in->n; p++)
        label[p] = gfold[gcode[p]];
    free(gcode);
    free(gfold);
    free(gcount);
    return rc ? fw_err_set(e, rc, "%s: out of memory", fw_split_key(spec)) : FW_OK;
}

static int gkf_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    return fw_split_check_kfold(spec, in, fw_split_group_kfold.flags, e);
}

static int gkf_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                     fw_splits *out, fw_err *e)
{
    return fw_split_run_kfold(spec, in, seed, gkf_labels, out, e);
}

const fw_splitter_type fw_split_group_kfold = {
    .name = "group_kfold",
    .summary = "k folds of whole groups, balanced by rows (scikit-learn 1.2's GroupKFold)",
    .flags = FW_SPLIT_NEEDS_GROUPS | FW_SPLIT_PARTITION | FW_SPLIT_RANDOM,
    .check = gkf_check,
    .split = gkf_split,
};
