/* build.c: what turns labels or marks per position into folds of sorted
 * dataset rows, the class and group encodings the splitters share, and the
 * two drivers (k-fold repeats, shuffled train/test splits). */
#include <stdlib.h>
#include <string.h>

#include "split/split_int.h"

/* ---- encodings ------------------------------------------------------------ */

size_t fw_split_classes(const fw_split_input *in, int first_seen, int32_t *code, size_t *count)
{
    int32_t *map = malloc(in->n_classes * sizeof *map);
    if (!map)
        return 0;
    for (size_t c = 0; c < in->n_classes; c++)
        map[c] = -1;
    size_t nc = 0;
    for (size_t p = 0; p < in->n; p++) {
        size_t c = (size_t)in->y[fw_split_row(in, p)];
        if (map[c] < 0)
            map[c] = first_seen ? (int32_t)nc++ : 0;
    }
    if (!first_seen) /* number the present classes in code order */
        for (size_t c = 0; c < in->n_classes; c++)
            if (map[c] >= 0)
                map[c] = (int32_t)nc++;
    memset(count, 0, nc * sizeof *count);
    for (size_t p = 0; p < in->n; p++) {
        code[p] = map[(size_t)in->y[fw_split_row(in, p)]];
        count[code[p]]++;
    }
    free(map);
    return nc;
}

size_t fw_split_group_room(const fw_split_input *in)
{
    size_t room = in->n_groups;
    for (size_t p = 0; p < in->n; p++) {
        size_t g = (size_t)in->group[fw_split_row(in, p)];
        if (g + 1 > room)
            room = g + 1;
    }
    return room;
}

size_t fw_split_groups(const fw_split_input *in, int32_t *code, size_t *count)
{
    size_t room = fw_split_group_room(in);
    int32_t *map = malloc(room * sizeof *map);
    if (!map)
        return 0;
    for (size_t g = 0; g < room; g++)
        map[g] = -1;
    for (size_t p = 0; p < in->n; p++)
        map[in->group[fw_split_row(in, p)]] = 0;
    size_t ng = 0;
    for (size_t g = 0; g < room; g++)
        if (map[g] >= 0)
            map[g] = (int32_t)ng++;
    if (count)
        memset(count, 0, ng * sizeof *count);
    for (size_t p = 0; p < in->n; p++) {
        code[p] = map[in->group[fw_split_row(in, p)]];
        if (count)
            count[code[p]]++;
    }
    free(map);
    return ng;
}

size_t fw_split_count_groups(const fw_split_input *in)
{
    int32_t *code = malloc((in->n ? in->n : 1) * sizeof *code);
    size_t ng = code ? fw_split_groups(in, code, NULL) : 0;
    free(code);
    return ng;
}

void fw_split_warn_small_classes(const fw_split_spec *spec, const fw_split_input *in)
{
    int32_t *code = malloc(in->n * sizeof *code);
    size_t *count = malloc(in->n_classes * sizeof *count);
    size_t nc = code && count ? fw_split_classes(in, 0, code, count) : 0;
    size_t least = nc ? count[0] : 0;
    for (size_t c = 1; c < nc; c++)
        least = count[c] < least ? count[c] : least;
    if (nc && least < (size_t)spec->k)
        fw_warn("%s: %s: the least populated class has only %zu member(s), fewer than k=%d",
                fw_split_key(spec), spec->kind, least, spec->k);
    free(code);
    free(count);
}

/* ---- context and folds ---------------------------------------------------- */

typedef struct row_pos {
    size_t row, pos;
} row_pos;

static int row_pos_cmp(const void *a, const void *b)
{
    const row_pos *x = a, *y = b;
    return (x->row > y->row) - (x->row < y->row);
}

/* Positions by ascending dataset row; refuses a row listed twice. */
static int ctx_order(fw_split_ctx *c, fw_err *e)
{
    row_pos *rp = malloc(c->n * sizeof *rp);
    c->order = malloc(c->n * sizeof *c->order);
    if (!rp || !c->order) {
        free(rp);
        return fw_err_set(e, FW_ENOMEM, "out of memory ordering %zu rows", c->n);
    }
    for (size_t p = 0; p < c->n; p++)
        rp[p] = (row_pos){c->in->rows[p], p};
    qsort(rp, c->n, sizeof *rp, row_pos_cmp);
    int rc = FW_OK;
    for (size_t i = 0; i < c->n; i++) {
        if (i > 0 && rp[i].row == rp[i - 1].row) {
            rc = fw_err_set(e, FW_EINVAL, "%s: row %zu is listed twice in the rows to split",
                            fw_split_key(c->spec), rp[i].row);
            break;
        }
        c->order[i] = rp[i].pos;
    }
    free(rp);
    return rc;
}

int fw_split_ctx_init(fw_split_ctx *c, const fw_split_spec *spec, const fw_split_input *in,
                      const char *kind, fw_err *e)
{
    *c = (fw_split_ctx){.spec = spec, .in = in, .kind = kind, .n = in->n};
    c->mark = calloc(c->n ? c->n : 1, 1);
    if (!c->mark)
        return fw_err_set(e, FW_ENOMEM, "out of memory splitting %zu rows", c->n);
    int rc = in->rows ? ctx_order(c, e) : FW_OK;
    if (rc)
        fw_split_ctx_free(c);
    return rc;
}

void fw_split_ctx_free(fw_split_ctx *c)
{
    if (!c)
        return;
    free(c->order);
    free(c->mark);
    c->order = NULL;
    c->mark = NULL;
}

void fw_split_ctx_clear(fw_split_ctx *c)
{
    memset(c->mark, FW_SPLIT_NONE, c->n);
}

int fw_split_fold_fill(const fw_split_ctx *c, size_t index, fw_fold *f, fw_err *e)
{
    size_t n_train = 0, n_test = 0;
    for (size_t p = 0; p < c->n; p++) {
        n_train += c->mark[p] == FW_SPLIT_TRAIN;
        n_test += c->mark[p] == FW_SPLIT_TEST;
    }
    if (n_test == 0 || n_train == 0)
        return fw_err_set(e, FW_EINVAL, "%s: %s: fold %zu has no %s rows", fw_split_key(c->spec),
                          c->kind, index, n_test == 0 ? "test" : "training");
    f->train = malloc(n_train * sizeof *f->train);
    f->test = malloc(n_test * sizeof *f->test);
    if (!f->train || !f->test)
        return fw_err_set(e, FW_ENOMEM, "out of memory for fold %zu", index);
    f->n_train = f->n_test = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t p = c->order ? c->order[i] : i;
        size_t row = fw_split_row(c->in, p);
        if (c->mark[p] == FW_SPLIT_TRAIN)
            f->train[f->n_train++] = row;
        else if (c->mark[p] == FW_SPLIT_TEST)
            f->test[f->n_test++] = row;
    }
    return FW_OK;
}

int fw_split_out_alloc(fw_splits *out, size_t n_folds, size_t k, size_t repeats, fw_err *e)
{
    *out = (fw_splits){.n_folds = n_folds, .k = k, .repeats = repeats};
    out->folds = calloc(n_folds ? n_folds : 1, sizeof *out->folds);
    if (!out->folds) {
        *out = (fw_splits){0};
        return fw_err_set(e, FW_ENOMEM, "out of memory for %zu folds", n_folds);
    }
    return FW_OK;
}

void fw_splits_free(fw_splits *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->folds && i < s->n_folds; i++) {
        free(s->folds[i].train);
        free(s->folds[i].test);
    }
    free(s->folds);
    *s = (fw_splits){0};
}

/* ---- drivers -------------------------------------------------------------- */

/* The k folds of one repeat from its labels. */
static int folds_from_labels(fw_split_ctx *c, const int32_t *label, size_t k, fw_fold *folds,
                             size_t first, fw_err *e)
{
    for (size_t f = 0; f < k; f++) {
        for (size_t p = 0; p < c->n; p++)
            c->mark[p] = label[p] == (int32_t)f ? FW_SPLIT_TEST : FW_SPLIT_TRAIN;
        int rc = fw_split_fold_fill(c, first + f, &folds[f], e);
        if (rc)
            return rc;
    }
    return FW_OK;
}

/* The drivers' common start: context and zeroed folds. On failure *out is
 * empty and nothing needs freeing. */
static int run_begin(fw_split_ctx *c, const fw_split_spec *spec, const fw_split_input *in,
                     const char *kind, size_t n_folds, size_t k, size_t repeats,
                     fw_splits *out, fw_err *e)
{
    *out = (fw_splits){0};
    int rc = fw_split_ctx_init(c, spec, in, kind, e);
    if (!rc && (rc = fw_split_out_alloc(out, n_folds, k, repeats, e)))
        fw_split_ctx_free(c);
    return rc;
}

/* ... and end: free the context and stream, and the folds on failure. */
static int run_end(fw_split_ctx *c, gsl_rng *r, fw_splits *out, int rc)
{
    gsl_rng_free(r);
    fw_split_ctx_free(c);
    if (rc)
        fw_splits_free(out);
    return rc;
}

/* *r becomes the stream for (seed, key), allocated on first use. */
static int stream_for(gsl_rng **r, uint64_t seed, uint64_t key, fw_err *e)
{
    if (*r)
        fw_rng_reseed(*r, seed, key);
    else if (!(*r = fw_rng_alloc(seed, key)))
        return fw_err_set(e, FW_ENOMEM, "out of memory for a random stream");
    return FW_OK;
}

int fw_split_run_labels(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                        uint64_t seed, size_t k, size_t repeats, int shuffle,
                        fw_split_labeler fn, fw_splits *out, fw_err *e)
{
    fw_split_ctx c;
    gsl_rng *r = NULL;
    int rc = run_begin(&c, spec, in, kind, repeats * k, k, repeats, out, e);
    if (rc)
        return rc;
    int32_t *label = malloc(in->n * sizeof *label);
    if (!label)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory splitting %zu rows", in->n);
    for (size_t rep = 0; !rc && rep < repeats; rep++) {
        /* One stream per repeat, keyed on the repeat: repeat 0 of a
         * repeated run equals the unrepeated shuffled run. */
        if (shuffle)
            rc = stream_for(&r, seed, rep, e);
        if (!rc)
            rc = fn(spec, in, k, r, label, e);
        if (!rc)
            rc = folds_from_labels(&c, label, k, out->folds + rep * k, rep * k, e);
    }
    free(label);
    return run_end(&c, r, out, rc);
}

int fw_split_run_kfold(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                       fw_split_labeler fn, fw_splits *out, fw_err *e)
{
    return fw_split_run_labels(spec, in, spec->kind, seed, (size_t)spec->k,
                               (size_t)spec->repeats, spec->shuffle > 0, fn, out, e);
}

int fw_split_run_marks(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                       uint64_t seed, size_t n_splits, int random, fw_split_marker fn,
                       void *arg, fw_splits *out, fw_err *e)
{
    fw_split_ctx c;
    gsl_rng *r = NULL;
    int rc = run_begin(&c, spec, in, kind, n_splits, n_splits, 1, out, e);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < n_splits; i++) {
        if (random)
            rc = stream_for(&r, seed, i, e);
        fw_split_ctx_clear(&c);
        if (!rc)
            rc = fn(arg, &c, r, i, e);
        if (!rc)
            rc = fw_split_fold_fill(&c, i, &out->folds[i], e);
    }
    return run_end(&c, r, out, rc);
}
