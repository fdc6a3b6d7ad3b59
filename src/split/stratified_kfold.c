/* stratified_kfold.c: stratified k-fold, fold for fold as scikit-learn 1.2's
 * StratifiedKFold.
 *
 * Classes are numbered by first appearance among the positions. Sorting the
 * class numbers and dealing the sorted list round-robin over the k folds
 * gives each fold's count of every class; then the rows of each class, in
 * position order, fill fold 0's share, then fold 1's, and so on. Shuffling
 * permutes each class's list of fold numbers (one stream per repeat, classes
 * in order), so the per-fold class counts never depend on the seed. */
#include <stdlib.h>

#include "split/split_int.h"

static int skf_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    int rc = fw_split_check_kfold(spec, in, fw_split_stratified_kfold.flags, e);
    return rc ? rc : fw_split_check_class_k(spec, in, e);
}

/* Fold number per slot: class c owns slots [start[c], start[c] + count[c]),
 * holding fold 0 alloc(0, c) times, then fold 1, ... */
static void skf_deal(size_t k, size_t nc, const size_t *count, size_t *start,
                     size_t *alloc, size_t *slot)
{
    size_t s = 0;
    for (size_t c = 0; c < nc; c++) {
        start[c] = s;
        /* Round-robin over the sorted class numbers: slot p goes to fold p % k. */
        for (size_t p = s; p < s + count[c]; p++)
            alloc[(p % k) * nc + c]++;
        s += count[c];
    }
    for (size_t c = 0; c < nc; c++) {
        size_t q = start[c];
        for (size_t f = 0; f < k; f++)
            for (size_t i = 0; i < alloc[f * nc + c]; i++)
                slot[q++] = f;
    }
}

static int skf_labels(const fw_split_spec *spec, const fw_split_input *in, size_t k,
                      gsl_rng *r, int32_t *label, fw_err *e)
{
    size_t n = in->n, nc_max = in->n_classes;
    int32_t *code = malloc(n * sizeof *code);
    size_t *count = malloc(nc_max * sizeof *count), *start = malloc(nc_max * sizeof *start);
    size_t *alloc = calloc(k * nc_max, sizeof *alloc), *slot = malloc(n * sizeof *slot);
    int rc = FW_OK;
    if (!code || !count || !start || !alloc || !slot) {
        rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
        goto cleanup;
    }
    size_t nc = fw_split_classes(in, 1, code, count);
    if (nc == 0) {
        rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
        goto cleanup;
    }
    skf_deal(k, nc, count, start, alloc, slot);
    for (size_t c = 0; r && c < nc; c++)
        fw_shuffle(r, slot + start[c], count[c]);
    for (size_t p = 0; p < n; p++) /* start[] becomes each class's cursor */
        label[p] = (int32_t)slot[start[code[p]]++];
cleanup:
    free(code);
    free(count);
    free(start);
    free(alloc);
    free(slot);
    return rc;
}

static int skf_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                     fw_splits *out, fw_err *e)
{
    fw_split_warn_small_classes(spec, in);
    return fw_split_run_kfold(spec, in, seed, skf_labels, out, e);
}

const fw_splitter_type fw_split_stratified_kfold = {
    .name = "stratified_kfold",
    .summary = "k folds keeping each class's share (scikit-learn 1.2's StratifiedKFold)",
    .flags = FW_SPLIT_NEEDS_CLASSES | FW_SPLIT_PARTITION | FW_SPLIT_RANDOM,
    .check = skf_check,
    .split = skf_split,
};
