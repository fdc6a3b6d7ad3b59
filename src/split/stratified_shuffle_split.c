/* stratified_shuffle_split.c: k random train/test splits that keep class
 * shares (scikit-learn's StratifiedShuffleSplit).
 *
 * Sizes as ShuffleSplit (test = ceil(test_size * n) or the count, train =
 * the rest; default test_size 0.1, k 5). Per split, with the split's own
 * stream: each class's training count is scikit-learn's _approximate_mode
 * of the class counts for n_train draws (floors of the proportional shares,
 * then one more row to the largest remainders; ties among equal remainders
 * drawn at random), its test count the same for the remaining rows; each
 * class's rows (in position order) are permuted and dealt: first its
 * training rows, then its test rows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "split/split_int.h"

typedef struct share {
    double rem;
    size_t c;
} share;

static int share_cmp(const void *a, const void *b)
{
    const share *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return (x->c > y->c) - (x->c < y->c);
}

/* _approximate_mode: `draws` rows shared over classes in proportion to
 * count[]; out[] sums to draws. sh and tie are scratch of nc. */
static void approx_mode(const size_t *count, size_t nc, size_t draws, gsl_rng *r, size_t *out,
                        share *sh, size_t *tie)
{
    size_t total = 0, got = 0;
    for (size_t c = 0; c < nc; c++)
        total += count[c];
    for (size_t c = 0; c < nc; c++) {
        double cont = (double)count[c] / (double)total * (double)draws;
        out[c] = (size_t)floor(cont);
        got += out[c];
        sh[c] = (share){cont - floor(cont), c};
    }
    qsort(sh, nc, sizeof *sh, share_cmp);
    for (size_t i = 0; got < draws && i < nc;) {
        size_t m = 0;
        while (i + m < nc && sh[i + m].rem == sh[i].rem) {
            tie[m] = sh[i + m].c;
            m++;
        }
        size_t add = m < draws - got ? m : draws - got;
        if (add < m)
            fw_shuffle(r, tie, m);
        for (size_t j = 0; j < add; j++)
            out[tie[j]]++;
        got += add;
        i += m;
    }
}

typedef struct sss {
    size_t nc, n_test;
    int32_t *code;     /* class per position */
    size_t *count;     /* rows per class */
    size_t *start;     /* class c's positions are byclass[start[c] .. start[c] + count[c]) */
    size_t *byclass;   /* positions grouped by class, in position order */
    size_t *work;      /* byclass, permuted for one split */
    size_t *n_tr, *n_te, *left, *tie;
    share *sh;
} sss;

static int sss_mark(void *arg, fw_split_ctx *c, gsl_rng *r, size_t i, fw_err *e)
{
    sss *s = arg;
    (void)i;
    (void)e;
    approx_mode(s->count, s->nc, c->n - s->n_test, r, s->n_tr, s->sh, s->tie);
    for (size_t k = 0; k < s->nc; k++)
        s->left[k] = s->count[k] - s->n_tr[k];
    approx_mode(s->left, s->nc, s->n_test, r, s->n_te, s->sh, s->tie);
    /* From position order each time: split i depends only on its stream. */
    memcpy(s->work, s->byclass, c->n * sizeof *s->work);
    for (size_t k = 0; k < s->nc; k++) {
        size_t *pos = s->work + s->start[k];
        fw_shuffle(r, pos, s->count[k]);
        for (size_t j = 0; j < s->n_tr[k] + s->n_te[k]; j++)
            c->mark[pos[j]] = j < s->n_tr[k] ? FW_SPLIT_TRAIN : FW_SPLIT_TEST;
    }
    return FW_OK;
}

static void sss_free(sss *s)
{
    free(s->code);
    free(s->count);
    free(s->start);
    free(s->byclass);
    free(s->work);
    free(s->n_tr);
    free(s->n_te);
    free(s->left);
    free(s->tie);
    free(s->sh);
}

static int sss_init(sss *s, const fw_split_input *in, size_t n_test)
{
    size_t m = in->n_classes;
    *s = (sss){.n_test = n_test,
               .code = malloc(in->n * sizeof *s->code),
               .count = malloc(m * sizeof(size_t)),
               .start = malloc(m * sizeof(size_t)),
               .byclass = malloc(in->n * sizeof(size_t)),
               .work = malloc(in->n * sizeof(size_t)),
               .n_tr = malloc(m * sizeof(size_t)),
               .n_te = malloc(m * sizeof(size_t)),
               .left = malloc(m * sizeof(size_t)),
               .tie = malloc(m * sizeof(size_t)),
               .sh = malloc(m * sizeof(share))};
    if (!s->code || !s->count || !s->start || !s->byclass || !s->work || !s->n_tr ||
        !s->n_te || !s->left || !s->tie || !s->sh)
        return FW_ENOMEM;
    s->nc = fw_split_classes(in, 0, s->code, s->count);
    if (s->nc == 0)
        return FW_ENOMEM;
    for (size_t c = 0, at = 0; c < s->nc; c++) {
        s->start[c] = at;
        at += s->count[c];
    }
    for (size_t p = 0; p < in->n; p++) /* start[] as cursors, then restored */
        s->byclass[s->start[s->code[p]]++] = p;
    for (size_t c = 0; c < s->nc; c++)
        s->start[c] -= s->count[c];
    return FW_OK;
}

static int sss_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    size_t n_test;
    int rc = fw_split_check_shuffle_split(spec, in, fw_split_stratified_shuffle_split.flags, 0.1,
                                          &n_test, e);
    if (rc)
        return rc;
    sss s;
    rc = sss_init(&s, in, n_test);
    size_t least = SIZE_MAX, nc = s.nc, n_train = in->n - n_test;
    for (size_t c = 0; !rc && c < nc; c++)
        least = s.count[c] < least ? s.count[c] : least;
    sss_free(&s);
    const char *key = fw_split_key(spec);
    if (rc)
        return fw_err_set(e, rc, "%s: out of memory", key);
    if (least < 2)
        return fw_err_set(e, FW_EINVAL, "%s.kind: stratified_shuffle_split: the least populated "
                          "class has only 1 member; every class needs at least 2", key);
    if (n_train < nc || n_test < nc)
        return fw_err_set(e, FW_EINVAL, "%s.test_size: %g leaves %zu %s rows for %zu classes; "
                          "each side needs one row per class", key, spec->test_size,
                          n_train < nc ? n_train : n_test, n_train < nc ? "training" : "test",
                          nc);
    return FW_OK;
}

static int sss_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                     fw_splits *out, fw_err *e)
{
    sss s;
    int rc = sss_init(&s, in, fw_split_test_rows(spec, in->n));
    if (rc) {
        sss_free(&s);
        *out = (fw_splits){0};
        return fw_err_set(e, rc, "%s: out of memory", fw_split_key(spec));
    }
    rc = fw_split_run_marks(spec, in, "stratified_shuffle_split", seed, (size_t)spec->k, 1,
                            sss_mark, &s, out, e);
    sss_free(&s);
    return rc;
}

const fw_splitter_type fw_split_stratified_shuffle_split = {
    .name = "stratified_shuffle_split",
    .summary = "k random train/test splits keeping class shares "
               "(scikit-learn's StratifiedShuffleSplit)",
    .flags = FW_SPLIT_NEEDS_CLASSES | FW_SPLIT_RANDOM,
    .check = sss_check,
    .split = sss_split,
};
