/* cv.c: the splits of a run. Outer splits are made once from (seed, "outer");
 * the inner splits of outer split o from (seed, "inner", o) on its training
 * rows, on first use. Every rank computes the same splits, so tasks carry
 * split numbers and never rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/plan.h"

struct fw_cv {
    const fw_config *c;
    const fw_dataset *d;
    fw_splits outer;
    fw_splits *inner;       /* n_folds of outer, NULL until made */
    unsigned char *have_inner;
    double *y_class;        /* classification labels for stratified kinds */
};

static void split_input(const fw_cv *cv, fw_split_input *in, size_t n, const size_t *rows)
{
    const fw_dataset *d = cv->d;
    memset(in, 0, sizeof *in);
    in->n = n;
    in->rows = rows;
    if (d->task == FW_TASK_CLASSIFICATION) {
        in->y = d->y;
        in->n_classes = d->n_classes;
    }
    in->group = d->group;
    in->n_groups = d->n_groups;
    in->time = d->time;
    in->fold = d->fold;
}

int fw_cv_alloc(const fw_config *c, const fw_dataset *d, fw_cv **out, fw_err *e)
{
    fw_cv *cv = calloc(1, sizeof *cv);
    *out = NULL;
    if (!cv)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    cv->c = c;
    cv->d = d;
    fw_split_input in;
    split_input(cv, &in, d->n_rows, NULL);
    fw_split_spec spec = c->outer;
    snprintf(spec.key, sizeof spec.key, "cv.outer");
    int rc = fw_split_make(&spec, &in, fw_hash_mix(c->seed, fw_hash_str("outer", 0)),
                           &cv->outer, e);
    if (rc) {
        free(cv);
        return rc;
    }
    cv->inner = calloc(cv->outer.n_folds, sizeof *cv->inner);
    cv->have_inner = calloc(cv->outer.n_folds ? cv->outer.n_folds : 1, 1);
    if (!cv->inner || !cv->have_inner) {
        fw_cv_free(cv);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    *out = cv;
    return FW_OK;
}

const fw_splits *fw_cv_outer(const fw_cv *cv) { return &cv->outer; }

int fw_cv_inner(fw_cv *cv, size_t o, const fw_splits **out, fw_err *e)
{
    *out = NULL;
    if (o >= cv->outer.n_folds)
        return fw_err_set(e, FW_EINVAL, "outer split %zu does not exist", o);
    if (!cv->have_inner[o]) {
        const fw_fold *f = &cv->outer.folds[o];
        fw_split_input in;
        split_input(cv, &in, f->n_train, f->train);
        fw_split_spec spec = cv->c->inner;
        snprintf(spec.key, sizeof spec.key, "cv.inner");
        uint64_t seed = fw_hash_mix(fw_hash_mix(cv->c->seed, fw_hash_str("inner", 0)), o);
        int rc = fw_split_make(&spec, &in, seed, &cv->inner[o], e);
        if (rc) {
            fw_err_prefix(e, "(outer split %zu) ", o);
            return rc;
        }
        cv->have_inner[o] = 1;
    }
    *out = &cv->inner[o];
    return FW_OK;
}

void fw_cv_free(fw_cv *cv)
{
    if (!cv)
        return;
    for (size_t o = 0; cv->inner && o < cv->outer.n_folds; o++)
        if (cv->have_inner[o])
            fw_splits_free(&cv->inner[o]);
    fw_splits_free(&cv->outer);
    free(cv->inner);
    free(cv->have_inner);
    free(cv);
}
