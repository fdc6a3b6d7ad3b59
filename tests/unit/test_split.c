/* test_split.c: properties of every splitter on small synthetic inputs:
 * partitions, disjoint and covering train/test sets, ascending rows,
 * stratification within one row, groups kept whole, time order, seeds,
 * nested use on a subset of rows, the GroupKFold tie rule, and the errors
 * (each naming its config key). Exact agreement with scikit-learn is
 * tests/parity/split_parity.py's job. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/split.h"
#include "harness.h"

#define N 60

/* One synthetic dataset with every role: 3 imbalanced classes, 12 groups of
 * uneven sizes, shuffled distinct times, and a fold column with -1s. */
typedef struct data {
    double y[N], time[N];
    int32_t group[N], fold[N];
} data;

static void data_make(data *d)
{
    gsl_set_error_handler_off();
    gsl_rng *r = fw_rng_alloc(99, 1);
    size_t perm[N];
    for (size_t i = 0; i < N; i++)
        perm[i] = i;
    fw_shuffle(r, perm, N);
    for (size_t i = 0; i < N; i++) {
        d->y[i] = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;   /* 36 / 18 / 6 */
        d->group[i] = (int32_t)(i < 24 ? i % 4 : 4 + (i * 5) % 8);
        d->time[i] = 1000.0 + (double)perm[i];
        d->fold[i] = i % 7 == 0 ? -1 : (int32_t)(i % 4) * 3;  /* 0, 3, 6, 9 */
    }
    gsl_rng_free(r);
}

static fw_split_input data_input(const data *d)
{
    return (fw_split_input){.n = N, .y = d->y, .n_classes = 3, .group = d->group,
                            .n_groups = 12, .time = d->time, .fold = d->fold};
}

static fw_split_spec spec_of(const char *kind)
{
    fw_split_spec s = {.shuffle = -1, .test_size = NAN};
    snprintf(s.kind, sizeof s.kind, "%s", kind);
    return s;
}

static int ascending(const size_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (a[i] <= a[i - 1])
            return 0;
    return 1;
}

/* Train and test ascending, disjoint, inside `in`'s rows; with `cover`,
 * together exactly those rows. Returns a message or NULL. */
static const char *fold_basics(const fw_split_input *in, const fw_fold *f, int cover)
{
    static char member[4 * N];
    memset(member, 0, sizeof member);
    for (size_t p = 0; p < in->n; p++)
        member[in->rows ? in->rows[p] : p] = 1;
    if (!ascending(f->train, f->n_train) || !ascending(f->test, f->n_test))
        return "rows not ascending";
    for (size_t i = 0; i < f->n_train; i++) {
        if (member[f->train[i]] != 1)
            return "train row outside the input, or repeated";
        member[f->train[i]] = 2;
    }
    for (size_t i = 0; i < f->n_test; i++) {
        if (member[f->test[i]] != 1)
            return "test row outside the input, or also in train";
        member[f->test[i]] = 3;
    }
    if (cover && f->n_train + f->n_test != in->n)
        return "train and test do not cover the rows";
    return NULL;
}

/* Every row tested exactly once in each repeat. */
static const char *partition(const fw_split_input *in, const fw_splits *s)
{
    for (size_t r = 0; r < s->repeats; r++) {
        size_t seen[4 * N] = {0}, total = 0;
        for (size_t f = r * s->k; f < (r + 1) * s->k; f++) {
            for (size_t i = 0; i < s->folds[f].n_test; i++)
                seen[s->folds[f].test[i]]++;
            total += s->folds[f].n_test;
        }
        if (total != in->n)
            return "a repeat's test sets do not add up to the rows";
        for (size_t p = 0; p < in->n; p++)
            if (seen[in->rows ? in->rows[p] : p] != 1)
                return "a row is not tested exactly once in a repeat";
    }
    return NULL;
}

static int splits_equal(const fw_splits *a, const fw_splits *b)
{
    if (a->n_folds != b->n_folds)
        return 0;
    for (size_t f = 0; f < a->n_folds; f++) {
        const fw_fold *x = &a->folds[f], *y = &b->folds[f];
        if (x->n_train != y->n_train || x->n_test != y->n_test ||
            memcmp(x->train, y->train, x->n_train * sizeof *x->train) ||
            memcmp(x->test, y->test, x->n_test * sizeof *x->test))
            return 0;
    }
    return 1;
}

/* Per-kind options that make every kind runnable on `data`. */
static fw_split_spec spec_for(const fw_splitter_type *t)
{
    fw_split_spec s = spec_of(t->name);
    if (strcmp(t->name, "leave_one_group_out") && strcmp(t->name, "predefined") &&
        strcmp(t->name, "holdout"))
        s.k = 3;
    if (strstr(t->name, "kfold"))
        s.shuffle = 1;
    if (strstr(t->name, "shuffle_split"))
        s.test_size = 0.25; /* room for every class in the nested subset */
    return s;
}

/* ---- generic: every registered splitter ------------------------------- */

static void registry_complete(void)
{
    size_t n = 0;
    for (; fw_splitters[n]; n++) {
        const fw_splitter_type *t = fw_splitters[n];
        CHECK_MSG(t->name && t->summary && t->check && t->split, "%s incomplete", t->name);
        CHECK(fw_splitter_find(t->name) == t);
    }
    CHECK_EQ_INT(n, 10);
    CHECK(fw_splitter_find("kfolds") == NULL);
    CHECK(fw_splitter_find(NULL) == NULL);
}

/* Full input and a nested subset (every third row, reversed): basics,
 * partition for partition kinds, same seed same folds. */
static void every_kind_properties(void)
{
    data d;
    data_make(&d);
    size_t sub[N / 3];
    for (size_t i = 0; i < N / 3; i++)
        sub[i] = N - 1 - 3 * i;
    for (size_t i = 0; fw_splitters[i]; i++) {
        const fw_splitter_type *t = fw_splitters[i];
        for (int nested = 0; nested < 2; nested++) {
            fw_split_input in = data_input(&d);
            if (nested) {
                in.rows = sub;
                in.n = N / 3;
            }
            fw_split_spec s = spec_for(t);
            fw_splits a, b;
            fw_err e = {0};
            CHECK_MSG(fw_split_make(&s, &in, 5, &a, &e) == FW_OK, "%s: %s", t->name, e.msg);
            CHECK_OK(fw_split_make(&s, &in, 5, &b, &e), &e); /* the filled spec again */
            int same = splits_equal(&a, &b);
            const char *why = NULL;
            for (size_t f = 0; !why && f < a.n_folds; f++)
                why = fold_basics(&in, &a.folds[f], strcmp(t->name, "time_series") != 0);
            if (!why && (t->flags & FW_SPLIT_PARTITION))
                why = partition(&in, &a);
            fw_splits_free(&a);
            fw_splits_free(&b);
            CHECK_MSG(!why, "%s%s: %s", t->name, nested ? " (nested)" : "", why);
            CHECK_MSG(same, "%s: the same seed gave different folds", t->name);
        }
    }
}

static void random_kinds_follow_seed(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    for (size_t i = 0; fw_splitters[i]; i++) {
        const fw_splitter_type *t = fw_splitters[i];
        if (!(t->flags & FW_SPLIT_RANDOM))
            continue;
        fw_split_spec s = spec_for(t);
        fw_splits a, b;
        fw_err e = {0};
        CHECK_OK(fw_split_make(&s, &in, 1, &a, &e), &e);
        CHECK_OK(fw_split_make(&s, &in, 2, &b, &e), &e);
        int same = splits_equal(&a, &b);
        fw_splits_free(&a);
        fw_splits_free(&b);
        CHECK_MSG(!same, "%s: seeds 1 and 2 gave the same folds", t->name);
    }
}

/* ---- kind by kind ------------------------------------------------------ */

static void kfold_sizes_and_defaults(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    in.n = 10;
    fw_split_spec s = spec_of("kfold");
    s.k = 3;
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
    CHECK_EQ_INT(s.shuffle, 0);
    CHECK_EQ_INT(s.repeats, 1);
    CHECK_EQ_INT(out.n_folds, 3);
    size_t first_test[3] = {0, 4, 7};
    for (size_t f = 0; f < 3; f++) {
        CHECK_EQ_INT(out.folds[f].n_test, f == 0 ? 4 : 3);
        CHECK_EQ_INT(out.folds[f].test[0], first_test[f]);
    }
    fw_splits_free(&out);
    s = spec_of("kfold");
    in.n = N;
    CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
    CHECK_EQ_INT(s.k, 5);
    CHECK_EQ_INT(out.n_folds, 5);
    fw_splits_free(&out);
}

static void repeats_reshuffle(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    const char *kinds[] = {"kfold", "stratified_kfold", "group_kfold", "stratified_group_kfold"};
    for (size_t i = 0; i < 4; i++) {
        fw_split_spec s = spec_of(kinds[i]), once = spec_of(kinds[i]);
        s.k = once.k = 3;
        s.repeats = 3;
        once.shuffle = 1;
        fw_splits a, b;
        fw_err e = {0};
        CHECK_OK(fw_split_make(&s, &in, 7, &a, &e), &e);
        CHECK_OK(fw_split_make(&once, &in, 7, &b, &e), &e);
        CHECK_EQ_INT(s.shuffle, 1); /* repeats force shuffling */
        CHECK_EQ_INT(a.n_folds, 9);
        CHECK_EQ_INT(a.k, 3);
        CHECK_EQ_INT(a.repeats, 3);
        const char *why = partition(&in, &a);
        fw_splits first = {.n_folds = 3, .k = 3, .repeats = 1, .folds = a.folds};
        fw_splits second = {.n_folds = 3, .k = 3, .repeats = 1, .folds = a.folds + 3};
        int same01 = splits_equal(&first, &second), same_once = splits_equal(&first, &b);
        fw_splits_free(&a);
        fw_splits_free(&b);
        CHECK_MSG(!why, "%s: %s", kinds[i], why);
        CHECK_MSG(!same01, "%s: repeats 0 and 1 are the same", kinds[i]);
        CHECK_MSG(same_once, "%s: repeat 0 differs from the unrepeated shuffled run", kinds[i]);
    }
}

/* Each class's count in each test fold within one row of count / k. */
static void stratified_within_one_row(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    for (int shuffle = 0; shuffle < 2; shuffle++) {
        for (int k = 2; k <= 6; k++) {
            fw_split_spec s = spec_of("stratified_kfold");
            s.k = k;
            s.shuffle = shuffle;
            fw_splits out;
            fw_err e = {0};
            CHECK_OK(fw_split_make(&s, &in, 3, &out, &e), &e);
            double total[3] = {36, 18, 6};
            int ok = 1;
            for (size_t f = 0; f < out.n_folds; f++) {
                double cnt[3] = {0, 0, 0};
                for (size_t i = 0; i < out.folds[f].n_test; i++)
                    cnt[(int)d.y[out.folds[f].test[i]]]++;
                for (int c = 0; c < 3; c++)
                    ok &= fabs(cnt[c] - total[c] / k) < 1.0;
            }
            fw_splits_free(&out);
            CHECK_MSG(ok, "k=%d shuffle=%d: a class is off by a row or more", k, shuffle);
        }
    }
}

static void stratified_shuffle_split_shares(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    fw_split_spec s = spec_of("stratified_shuffle_split");
    s.k = 8;
    s.test_size = 0.25;
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 3, &out, &e), &e);
    int ok = 1;
    for (size_t f = 0; f < out.n_folds; f++) {
        double cnt[3] = {0, 0, 0}, total[3] = {36, 18, 6};
        ok &= out.folds[f].n_test == 15 && out.folds[f].n_train == 45;
        for (size_t i = 0; i < out.folds[f].n_test; i++)
            cnt[(int)d.y[out.folds[f].test[i]]]++;
        for (int c = 0; c < 3; c++)
            ok &= fabs(cnt[c] - total[c] * 15 / 60) < 1.0;
    }
    fw_splits_free(&out);
    CHECK_MSG(ok, "test shares off by a row or more, or sizes not 45/15");
}

static void shuffle_split_sizes(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    double sizes[] = {0.1, 0.25, 0.01, 7};
    size_t want[] = {6, 15, 1, 7}; /* ceil(test_size * 60), or the count */
    for (size_t i = 0; i < 4; i++) {
        fw_split_spec s = spec_of("shuffle_split");
        s.test_size = sizes[i];
        fw_splits out;
        fw_err e = {0};
        CHECK_OK(fw_split_make(&s, &in, 3, &out, &e), &e);
        CHECK_EQ_INT(out.n_folds, 5);
        CHECK_EQ_INT(out.folds[0].n_test, want[i]);
        CHECK_EQ_INT(out.folds[0].n_train, N - want[i]);
        fw_splits_free(&out);
    }
    fw_split_spec s = spec_of("shuffle_split"), h = spec_of("holdout");
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 3, &out, &e), &e);
    fw_splits_free(&out);
    CHECK_NEAR(s.test_size, 0.1, 0);
    CHECK_OK(fw_split_make(&h, &in, 3, &out, &e), &e);
    CHECK_NEAR(h.test_size, 0.25, 0);
    CHECK_EQ_INT(h.shuffle, 1);
    CHECK_EQ_INT(out.n_folds, 1);
    CHECK_EQ_INT(out.folds[0].n_test, 15);
    fw_splits_free(&out);
}

static int groups_whole(const fw_split_input *in, const fw_splits *s)
{
    for (size_t f = 0; f < s->n_folds; f++) {
        char side[64] = {0};
        for (size_t i = 0; i < s->folds[f].n_train; i++)
            side[in->group[s->folds[f].train[i]]] |= 1;
        for (size_t i = 0; i < s->folds[f].n_test; i++)
            side[in->group[s->folds[f].test[i]]] |= 2;
        for (int g = 0; g < 64; g++)
            if (side[g] == 3)
                return 0;
    }
    return 1;
}

static void groups_never_on_both_sides(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    const char *kinds[] = {"group_kfold", "stratified_group_kfold", "leave_one_group_out"};
    for (size_t i = 0; i < 3; i++) {
        for (int shuffle = 0; shuffle < 2; shuffle++) {
            if (shuffle && i == 2)
                continue;
            fw_split_spec s = spec_of(kinds[i]);
            if (i < 2) {
                s.k = 4;
                s.shuffle = shuffle;
            }
            fw_splits out;
            fw_err e = {0};
            CHECK_OK(fw_split_make(&s, &in, 4, &out, &e), &e);
            int whole = groups_whole(&in, &out);
            if (i == 2)
                CHECK_EQ_INT(out.n_folds, 12);
            fw_splits_free(&out);
            CHECK_MSG(whole, "%s shuffle=%d: a group on both sides", kinds[i], shuffle);
        }
    }
}

/* Equal-size groups: larger group code first, lightest fold (lowest number
 * on ties). 6 groups of 2 rows, k = 3: order 5,4,3,2,1,0 -> folds
 * 0,1,2,0,1,2, so fold 0 tests groups 5 and 2. */
static void group_kfold_tie_rule(void)
{
    int32_t group[12];
    for (int i = 0; i < 12; i++)
        group[i] = i % 6;
    fw_split_input in = {.n = 12, .group = group, .n_groups = 6};
    fw_split_spec s = spec_of("group_kfold");
    s.k = 3;
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
    int want[3][2] = {{2, 5}, {1, 4}, {0, 3}};
    for (int f = 0; f < 3; f++) {
        CHECK_EQ_INT(out.folds[f].n_test, 4);
        CHECK_EQ_INT(group[out.folds[f].test[0]], want[f][0]);
        CHECK_EQ_INT(group[out.folds[f].test[1]], want[f][1]);
    }
    fw_splits_free(&out);
}

static void time_order_respected(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    int gaps[] = {0, 3}, maxes[] = {0, 12};
    for (int v = 0; v < 2; v++) {
        fw_split_spec s = spec_of("time_series");
        s.k = 4;
        s.gap = gaps[v];
        s.max_train = maxes[v];
        fw_splits out;
        fw_err e = {0};
        CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
        int ok = 1;
        for (size_t f = 0; f < out.n_folds; f++) {
            const fw_fold *fo = &out.folds[f];
            double last_train = -INFINITY, first_test = INFINITY;
            for (size_t i = 0; i < fo->n_train; i++)
                last_train = fmax(last_train, d.time[fo->train[i]]);
            for (size_t i = 0; i < fo->n_test; i++)
                first_test = fmin(first_test, d.time[fo->test[i]]);
            /* distinct integer times: the gap is the count of times between */
            ok &= last_train + gaps[v] < first_test;
            ok &= fo->n_test == 12;  /* 60 / (4 + 1) */
            ok &= !maxes[v] || fo->n_train <= (size_t)maxes[v];
        }
        fw_splits_free(&out);
        CHECK_MSG(ok, "gap %d max %d: a train row is not before every test row", gaps[v],
                  maxes[v]);
    }
}

static void predefined_minus_one_trains(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    fw_split_spec s = spec_of("predefined");
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
    CHECK_EQ_INT(out.n_folds, 4);
    for (size_t f = 0; f < 4; f++)
        for (size_t i = 0; i < out.folds[f].n_test; i++)
            CHECK_EQ_INT(d.fold[out.folds[f].test[i]], (int)f * 3);
    fw_splits_free(&out);
}

/* ---- errors -------------------------------------------------------------- */

/* fw_split_make must fail with FW_EINVAL and a message containing `needle`. */
static int refuses(fw_split_spec s, const fw_split_input *in, const char *needle, char *got)
{
    fw_splits out;
    fw_err e = {0};
    int rc = fw_split_make(&s, in, 0, &out, &e);
    snprintf(got, 1024, "%s", e.msg);
    fw_splits_free(&out);
    return rc == FW_EINVAL && strstr(e.msg, needle) != NULL;
}

#define REFUSES(spec, in, needle)                                              \
    do {                                                                       \
        char got_[1024];                                                       \
        CHECK_MSG(refuses((spec), (in), (needle), got_), "want '%s', got '%s'", \
                  (needle), got_);                                             \
    } while (0)

static void errors_name_their_key(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d), bare = {.n = N}, reg = data_input(&d);
    reg.n_classes = 0;
    fw_split_spec s = spec_of("kfold");
    s.k = 1;
    REFUSES(s, &in, "cv.outer.k: 1 is too small");
    s.k = N + 1;
    REFUSES(s, &in, "cv.outer.k: 61 is more than the 60 rows");
    s = spec_of("group_kfold");
    s.k = 13;
    REFUSES(s, &in, "cv.outer.k: 13 is more than the 12 groups");
    REFUSES(spec_of("group_kfold"), &bare, "cv.outer.kind: group_kfold needs data.groups");
    s = spec_of("stratified_group_kfold");
    snprintf(s.key, sizeof s.key, "cv.inner");
    REFUSES(s, &bare, "cv.inner.kind: stratified_group_kfold needs a classification");
    REFUSES(spec_of("leave_one_group_out"), &bare, "needs data.groups");
    REFUSES(spec_of("predefined"), &bare, "cv.outer.kind: predefined needs data.fold");
    REFUSES(spec_of("stratified_kfold"), &reg, "needs a classification target");
    REFUSES(spec_of("stratified_shuffle_split"), &reg, "needs a classification target");
    s = spec_of("stratified_kfold");
    s.k = 37;
    REFUSES(s, &in, "largest class has 36 rows");
    double bad_sizes[] = {0, -0.5, 1.5, 60, 2.5};
    for (size_t i = 0; i < 5; i++) {
        s = spec_of("shuffle_split");
        s.test_size = bad_sizes[i];
        REFUSES(s, &in, "cv.outer.test_size");
    }
    s = spec_of("kfold");
    s.test_size = 0.2;
    REFUSES(s, &in, "cv.outer.test_size: kfold takes no test_size");
    s = spec_of("kfold");
    s.gap = 2;
    REFUSES(s, &in, "cv.outer.gap");
    s = spec_of("kfold");
    s.repeats = 2;
    s.shuffle = 0;
    REFUSES(s, &in, "cv.outer.shuffle: false contradicts repeats");
    s = spec_of("time_series");
    s.shuffle = 1;
    REFUSES(s, &in, "time_series never shuffles");
    s = spec_of("time_series");
    s.k = 5;
    s.test_size = 12;
    s.gap = 1;
    REFUSES(s, &in, "cv.outer.k: 5 splits of 12 test rows with gap 1");
    s = spec_of("leave_one_group_out");
    s.k = 3;
    REFUSES(s, &in, "cv.outer.k: leave_one_group_out takes no k");
    s = spec_of("shuffle_split");
    s.repeats = 2;
    REFUSES(s, &in, "cv.outer.repeats");
    REFUSES(spec_of("kfolds"), &in, "cv.outer.kind: unknown splitter 'kfolds' (did you mean "
                                    "'kfold'?)");
    REFUSES(spec_of("zzz"), &in, "kinds: kfold, stratified_kfold");
}

static void errors_in_the_data(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    d.y[7] = NAN;
    REFUSES(spec_of("stratified_kfold"), &in, "the target at row 7");
    data_make(&d);
    d.group[8] = -1;
    REFUSES(spec_of("group_kfold"), &in, "data.groups: missing group at row 8");
    data_make(&d);
    d.time[9] = NAN;
    REFUSES(spec_of("time_series"), &in, "data.time: missing time at row 9");
    data_make(&d);
    d.fold[3] = -2;
    REFUSES(spec_of("predefined"), &in, "data.fold: -2 at row 3");
    for (size_t i = 0; i < N; i++)
        d.fold[i] = -1;
    REFUSES(spec_of("predefined"), &in, "no fold to test");
    for (size_t i = 0; i < N; i++)
        d.fold[i] = 4;
    REFUSES(spec_of("predefined"), &in, "fold 0 has no training rows");
    data_make(&d);
    size_t rows[4] = {3, 9, 3, 1};
    in.rows = rows;
    in.n = 4;
    fw_split_spec s = spec_of("kfold");
    s.k = 2;
    REFUSES(s, &in, "row 3 is listed twice");
    in.n = 1;
    REFUSES(s, &in, "at least 2 are needed");
    /* stratified_shuffle_split needs two members per class */
    data_make(&d);
    in = data_input(&d);
    d.y[5] = 2;
    for (size_t i = 0; i < N; i++)
        if (i != 5 && d.y[i] == 2)
            d.y[i] = 1;
    REFUSES(spec_of("stratified_shuffle_split"), &in, "only 1 member");
}

/* Nested: a subset of rows in a scrambled order gives only those rows, and
 * unshuffled kfold follows the subset's order, not the rows' numbers. */
static void nested_rows_follow_given_order(void)
{
    data d;
    data_make(&d);
    fw_split_input in = data_input(&d);
    size_t rows[6] = {50, 4, 33, 8, 21, 2};
    in.rows = rows;
    in.n = 6;
    fw_split_spec s = spec_of("kfold");
    s.k = 3;
    fw_splits out;
    fw_err e = {0};
    CHECK_OK(fw_split_make(&s, &in, 0, &out, &e), &e);
    size_t want[3][2] = {{4, 50}, {8, 33}, {2, 21}};
    for (size_t f = 0; f < 3; f++) {
        CHECK_EQ_INT(out.folds[f].n_test, 2);
        CHECK_EQ_INT(out.folds[f].test[0], want[f][0]);
        CHECK_EQ_INT(out.folds[f].test[1], want[f][1]);
        CHECK_EQ_INT(out.folds[f].n_train, 4);
    }
    fw_splits_free(&out);
    fw_splits_free(NULL);
}

FW_TEST_MAIN(T(registry_complete), T(every_kind_properties), T(random_kinds_follow_seed),
             T(kfold_sizes_and_defaults), T(repeats_reshuffle), T(stratified_within_one_row),
             T(stratified_shuffle_split_shares), T(shuffle_split_sizes),
             T(groups_never_on_both_sides), T(group_kfold_tie_rule), T(time_order_respected),
             T(predefined_minus_one_trains), T(errors_name_their_key), T(errors_in_the_data),
             T(nested_rows_follow_given_order))
