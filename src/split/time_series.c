/* time_series.c: expanding-window splits in time order (scikit-learn's
 * TimeSeriesSplit with n_splits = k, gap and max_train_size).
 *
 * Positions are sorted stably by data.time (by position when there is no
 * time column) and split by position: with T = test_size (default
 * n / (k + 1)), split s tests positions [n - (k - s) T, n - (k - s - 1) T)
 * and trains on the positions before the test start minus `gap`, the last
 * max_train of them when max_train is set. Rows that share a time value
 * can fall on both sides of a cut (the contract splits by position); a
 * warning says so. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "split/split_int.h"

static size_t ts_test_size(const fw_split_spec *spec, size_t n)
{
    return isnan(spec->test_size) ? n / ((size_t)spec->k + 1) : (size_t)spec->test_size;
}

static int ts_check(fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    const char *key = fw_split_key(spec);
    int rc = fw_split_check_opts(spec, FW_SPLIT_OPT_K | FW_SPLIT_OPT_TEST_SIZE |
                                           FW_SPLIT_OPT_TIME, e);
    if (!rc)
        rc = fw_split_check_roles(spec, in, fw_split_time_series.flags, e);
    if (!rc)
        rc = fw_split_check_k(spec, 2, SIZE_MAX, "", e);
    if (rc)
        return rc;
    if ((size_t)spec->k + 1 > in->n)
        return fw_err_set(e, FW_EINVAL,
                          "%s.k: %d splits need k + 1 = %d blocks of rows, more than the %zu "
                          "rows to split", key, spec->k, spec->k + 1, in->n);
    double ts = spec->test_size;
    if (!isnan(ts) && !(ts >= 1 && ts == floor(ts) && ts < (double)in->n))
        return fw_err_set(e, FW_EINVAL,
                          "%s.test_size: %g; time_series takes a whole number of test rows "
                          "per split", key, ts);
    size_t t = ts_test_size(spec, in->n), need = t * (size_t)spec->k + (size_t)spec->gap;
    if (need >= in->n)
        return fw_err_set(e, FW_EINVAL,
                          "%s.k: %d splits of %zu test rows with gap %d need more than the %zu "
                          "rows to split", key, spec->k, t, spec->gap, in->n);
    if (spec->shuffle < 0)
        spec->shuffle = 0;
    return FW_OK;
}

typedef struct time_pos {
    double t;
    size_t pos;
} time_pos;

static int time_pos_cmp(const void *a, const void *b)
{
    const time_pos *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Positions in time order (stable); seq[i] is the i-th position. */
static void ts_sequence(const fw_split_input *in, time_pos *tp, size_t *seq)
{
    for (size_t p = 0; p < in->n; p++)
        tp[p] = (time_pos){in->time ? in->time[fw_split_row(in, p)] : 0.0, p};
    qsort(tp, in->n, sizeof *tp, time_pos_cmp);
    for (size_t i = 0; i < in->n; i++)
        seq[i] = tp[i].pos;
}

typedef struct ts_arg {
    const fw_split_spec *spec;
    time_pos *tp;   /* positions with their times, in time order */
    size_t *seq;    /* seq[i]: the i-th position in time order */
    size_t ties;    /* splits whose cut falls inside a run of equal times */
} ts_arg;

static int ts_mark(void *arg, fw_split_ctx *c, gsl_rng *r, size_t s, fw_err *e)
{
    ts_arg *a = arg;
    (void)r;
    (void)e;
    size_t n = c->n, k = (size_t)a->spec->k, t = ts_test_size(a->spec, n);
    size_t test_start = n - k * t + s * t, train_end = test_start - (size_t)a->spec->gap;
    size_t max_train = (size_t)a->spec->max_train, train_start = 0;
    if (max_train && max_train < train_end)
        train_start = train_end - max_train;
    for (size_t i = train_start; i < train_end; i++)
        c->mark[a->seq[i]] = FW_SPLIT_TRAIN;
    for (size_t i = test_start; i < test_start + t; i++)
        c->mark[a->seq[i]] = FW_SPLIT_TEST;
    a->ties += c->in->time && a->tp[train_end - 1].t == a->tp[test_start].t;
    return FW_OK;
}

static int ts_split(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                    fw_splits *out, fw_err *e)
{
    ts_arg a = {.spec = spec,
                .tp = malloc(in->n * sizeof(time_pos)),
                .seq = malloc(in->n * sizeof(size_t))};
    int rc;
    if (!a.tp || !a.seq) {
        *out = (fw_splits){0};
        rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory", fw_split_key(spec));
    } else {
        ts_sequence(in, a.tp, a.seq);
        rc = fw_split_run_marks(spec, in, "time_series", seed, (size_t)spec->k, 0, ts_mark, &a,
                                out, e);
    }
    if (!rc && a.ties)
        fw_warn("%s: time_series: %zu of %d splits cut through rows with the same data.time; "
                "such rows fall on both sides (rows are split by position after a stable "
                "sort on time)", fw_split_key(spec), a.ties, spec->k);
    free(a.tp);
    free(a.seq);
    return rc;
}

const fw_splitter_type fw_split_time_series = {
    .name = "time_series",
    .summary = "expanding windows in data.time order: train on the past, test on the "
               "next block (scikit-learn's TimeSeriesSplit)",
    .flags = FW_SPLIT_NEEDS_TIME,
    .check = ts_check,
    .split = ts_split,
};
