/* cmd_compare.c: `foldwise compare DIR1 DIR2`: what changed between two
 * runs, and did it help. Both runs are read from their results.h5.
 *
 * Changes: the config keys that differ (dotted paths, from the two stored
 * config texts with their --set overrides applied), the data hash, the
 * seed, the library versions. Scores: per model (by name) the best mean
 * of the first metric in each run and the difference, with a paired test
 * over the splits both runs scored, when they share them (same data hash,
 * seed and cv.outer: the same rows in every split). CV splits overlap, so
 * scores on them are not independent and a plain paired t-test is too
 * confident; the Nadeau-Bengio corrected resampled t-test widens the
 * variance by the test/train size ratio:
 *   t = mean(d) / sqrt((1/J + n_test/n_train) * var(d)),  J - 1 dof
 * (var with J - 1 in the denominator), two-sided p from GSL's t
 * distribution. The closing line compares the two runs' chosen (best)
 * configurations the same way. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "cli_int.h"
#include "foldwise/store.h"

#define ALPHA 0.05

typedef struct run {
    const char *dir;
    fw_results *r;
    ynode *cfg;             /* the effective config tree, or NULL */
} run;

static int load_run(const char *dir, run *x, fw_err *e)
{
    char path[4096];
    memset(x, 0, sizeof *x);
    x->dir = dir;
    snprintf(path, sizeof path, "%s/results.h5", dir);
    if (access(path, F_OK) != 0)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "missing (`foldwise report %s` rebuilds it "
                         "from the journal)", dir);
    int rc = fw_results_read_h5(path, &x->r, e);
    if (!rc && x->r->config_text &&
        fw_config_tree(x->r->config_text, strlen(x->r->config_text), path, NULL, 0, &x->cfg,
                       NULL))
        x->cfg = NULL;
    return rc;
}

/* ---- config differences ------------------------------------------------------- */

/* A node as one line of YAML flow text (clipped). */
static void render(const ynode *n, fw_sb *b)
{
    if (!n) {
        fw_sb_append(b, "(absent)");
        return;
    }
    if (b->len > 160)
        return;
    if (n->kind == Y_SCALAR) {
        fw_sb_append(b, n->s[0] ? n->s : "\"\"");
        return;
    }
    int map = n->kind == Y_MAP;
    fw_sb_append(b, map ? "{" : "[");
    for (size_t i = 0; i < n->n; i += map ? 2 : 1) {
        fw_sb_append(b, i ? ", " : "");
        render(n->items[i], b);
        if (map) {
            fw_sb_append(b, ": ");
            render(n->items[i + 1], b);
        }
    }
    fw_sb_append(b, map ? "}" : "]");
}

static void print_change(const char *path, const ynode *a, const ynode *b)
{
    fw_sb sa, sb;
    fw_sb_init(&sa);
    fw_sb_init(&sb);
    render(a, &sa);
    render(b, &sb);
    printf("  %s: %s -> %s\n", path[0] ? path : "(whole config)", sa.s ? sa.s : "",
           sb.s ? sb.s : "");
    fw_sb_free(&sa);
    fw_sb_free(&sb);
}

static const ynode *map_get(const ynode *m, const char *key)
{
    return m && m->kind == Y_MAP ? fw_yaml_get(m, key) : NULL;
}

static size_t diff_tree(const ynode *a, const ynode *b, const char *path, int print);

static size_t diff_child(const ynode *a, const ynode *b, const char *path, const char *key,
                         int print)
{
    char sub[1024];
    snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
    return diff_tree(a, b, sub, print);
}

static const char *key_of(const ynode *k)
{
    return k->kind == Y_SCALAR ? k->s : "?";
}

static size_t diff_maps(const ynode *a, const ynode *b, const char *path, int print)
{
    size_t n = 0;
    for (size_t i = 0; i + 1 < a->n; i += 2)
        n += diff_child(a->items[i + 1], map_get(b, key_of(a->items[i])), path,
                        key_of(a->items[i]), print);
    for (size_t i = 0; i + 1 < b->n; i += 2)
        if (!map_get(a, key_of(b->items[i])))
            n += diff_child(NULL, b->items[i + 1], path, key_of(b->items[i]), print);
    return n;
}

/* Differences under `path`, printed when asked; returns how many. Maps
 * compare by key, lists by index (models.0.params.C), scalars by text. */
static size_t diff_tree(const ynode *a, const ynode *b, const char *path, int print)
{
    if (!a && !b)
        return 0;
    int same_kind = a && b && a->kind == b->kind;
    if (same_kind && a->kind == Y_SCALAR && !strcmp(a->s, b->s))
        return 0;
    if (same_kind && a->kind == Y_MAP)
        return diff_maps(a, b, path, print);
    if (same_kind && a->kind == Y_SEQ) {
        size_t n = 0, m = a->n > b->n ? a->n : b->n;
        for (size_t i = 0; i < m; i++) {
            char key[32];
            snprintf(key, sizeof key, "%zu", i);
            n += diff_child(i < a->n ? a->items[i] : NULL, i < b->n ? b->items[i] : NULL, path,
                            key, print);
        }
        return n;
    }
    if (print)
        print_change(path, a, b);
    return 1;
}

static void print_config(const run *a, const run *b)
{
    if (!a->cfg || !b->cfg) {
        printf("config: %s\n", a->r->config_text && b->r->config_text &&
                                       !strcmp(a->r->config_text, b->r->config_text)
                                   ? "same text"
                                   : "cannot compare (a stored config is missing or unreadable)");
        return;
    }
    size_t n = diff_tree(a->cfg, b->cfg, "", 0);
    printf("config: %s", n ? "" : "same\n");
    if (n) {
        printf("%zu key%s differ%s\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
        diff_tree(a->cfg, b->cfg, "", 1);
    }
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void print_facts(const run *a, const run *b)
{
    const fw_results *x = a->r, *y = b->r;
    if (x->data_hash == y->data_hash)
        printf("data: same (hash %016llx, %zu rows)\n", (unsigned long long)x->data_hash,
               x->n_samples);
    else
        printf("data: changed (hash %016llx -> %016llx, rows %zu -> %zu)\n",
               (unsigned long long)x->data_hash, (unsigned long long)y->data_hash,
               x->n_samples, y->n_samples);
    if (x->seed == y->seed)
        printf("seed: same (%llu)\n", (unsigned long long)x->seed);
    else
        printf("seed: %llu -> %llu\n", (unsigned long long)x->seed, (unsigned long long)y->seed);
    const char *names[] = {"foldwise", "mpi", "gsl", "hdf5", "yaml"};
    const char *va[] = {x->v_foldwise, x->v_mpi, x->v_gsl, x->v_hdf5, x->v_yaml};
    const char *vb[] = {y->v_foldwise, y->v_mpi, y->v_gsl, y->v_hdf5, y->v_yaml};
    int any = 0;
    for (size_t i = 0; i < 5; i++) {
        if (same_str(va[i], vb[i]))
            continue;
        printf("%s %s %s -> %s", any ? "," : "versions:", names[i], va[i] ? va[i] : "?",
               vb[i] ? vb[i] : "?");
        any = 1;
    }
    printf(any ? "\n" : "versions: same\n");
}

/* ---- the splits --------------------------------------------------------------------- */

/* Why the two runs' splits are not the same rows, or NULL when they are. */
static const char *splits_differ(const run *a, const run *b)
{
    const fw_results *x = a->r, *y = b->r;
    if (x->data_hash != y->data_hash)
        return "the data differ";
    if (x->seed != y->seed)
        return "the seeds differ";
    if (!a->cfg || !b->cfg)
        return "a stored config is unreadable";
    const ynode *oa = map_get(map_get(a->cfg, "cv"), "outer");
    const ynode *ob = map_get(map_get(b->cfg, "cv"), "outer");
    if (diff_tree(oa, ob, "cv.outer", 0))
        return "cv.outer differs";
    if (x->n_splits != y->n_splits || x->k != y->k)
        return "the number of splits differs";
    return NULL;
}

/* n_test / n_train of one split, from cv.outer (the correction's ratio). */
static double size_ratio(const run *a, size_t n_pairs)
{
    const fw_results *r = a->r;
    const ynode *o = map_get(map_get(a->cfg, "cv"), "outer");
    const ynode *kn = map_get(o, "kind"), *ts = map_get(o, "test_size");
    const char *kind = kn && kn->kind == Y_SCALAR ? kn->s : "kfold";
    double k = (double)(r->k ? r->k : 5), n = (double)r->n_samples;
    if (strstr(kind, "shuffle_split") || !strcmp(kind, "holdout")) {
        double t = !strcmp(kind, "holdout") ? 0.25 : 0.1;
        if (ts && ts->kind == Y_SCALAR)
            t = strtod(ts->s, NULL);
        return t < 1 ? t / (1 - t) : t / (n - t > 1 ? n - t : 1);
    }
    if (!strcmp(kind, "time_series"))
        return 2 / (k + 1);            /* training sets grow: their mean size */
    if (strstr(kind, "kfold"))
        return 1 / (k > 1 ? k - 1 : 1);
    return 1 / (n_pairs > 1 ? (double)n_pairs - 1 : 1);  /* one test fold of many */
}

/* ---- scores ---------------------------------------------------------------------------- */

typedef struct test_res {
    size_t pairs;
    double mean_d, t, p;   /* d = second - first; p NaN when no test */
} test_res;

/* The corrected paired t-test on the first metric of trials ia and ib. */
static test_res paired(const run *a, const run *b, long ia, long ib, double ratio)
{
    const fw_results *x = a->r, *y = b->r;
    const fw_trial *ta = &x->trials[ia], *tb = &y->trials[ib];
    test_res t = {0, 0, NAN, NAN};
    double sum = 0, sq = 0;
    for (size_t s = 0; s < x->n_splits; s++) {
        double d = tb->test[s * y->n_metrics] - ta->test[s * x->n_metrics];
        if (isfinite(d))
            sum += d, t.pairs++;
    }
    if (t.pairs == 0)
        return t;
    t.mean_d = sum / (double)t.pairs;
    for (size_t s = 0; s < x->n_splits; s++) {
        double d = tb->test[s * y->n_metrics] - ta->test[s * x->n_metrics];
        if (isfinite(d))
            sq += (d - t.mean_d) * (d - t.mean_d);
    }
    if (t.pairs < 2)
        return t;
    double J = (double)t.pairs, var = sq / (J - 1);
    double se = sqrt((1 / J + ratio) * var);
    if (se > 0) {
        t.t = t.mean_d / se;
        t.p = 2 * gsl_cdf_tdist_Q(fabs(t.t), J - 1);
    } else {
        t.t = t.mean_d == 0 ? 0 : copysign(INFINITY, t.mean_d);
        t.p = t.mean_d == 0 ? 1 : 0;
    }
    return t;
}

static int better(const fw_results *r, double v, double than)
{
    return r->greater_is_better[0] ? v > than : v < than;
}

/* The trial of model `name` with the best finite mean, or -1. */
static long best_of(const fw_results *r, const char *name)
{
    long best = -1;
    for (size_t i = 0; i < r->n_trials; i++) {
        const fw_trial *t = &r->trials[i];
        if (strcmp(t->model, name) || !isfinite(t->mean_test[0]))
            continue;
        if (best < 0 || better(r, t->mean_test[0], r->trials[best].mean_test[0]))
            best = (long)i;
    }
    return best;
}

static void print_trial(const char *label, const fw_results *r, long i)
{
    if (i < 0) {
        printf("  %s: no scored configuration\n", label);
        return;
    }
    const fw_trial *t = &r->trials[i];
    printf("  %s: %.4f +/- %.4f  %s\n", label, t->mean_test[0], t->std_test[0], t->params_json);
}

static void print_test(const test_res *t, const char *why)
{
    if (why || isnan(t->p)) {
        printf("  difference: %+.4f (second - first)%s%s%s\n", t->mean_d,
               why ? "; no paired test: " : "", why ? why : "",
               !why && t->pairs < 2 ? "; fewer than 2 shared splits: no test" : "");
        return;
    }
    printf("  difference: %+.4f (second - first); corrected paired t = %.3f, p = %.3g "
           "(%zu splits)\n", t->mean_d, t->t, t->p, t->pairs);
}

/* Means only (splits differ): the difference of the two means. */
static test_res means_only(const fw_results *x, long ia, const fw_results *y, long ib)
{
    test_res t = {0, y->trials[ib].mean_test[0] - x->trials[ia].mean_test[0], NAN, NAN};
    return t;
}

static void compare_model(const run *a, const run *b, const char *name, const char *why,
                          double ratio)
{
    long ia = best_of(a->r, name), ib = best_of(b->r, name);
    printf("\nmodel %s\n", name);
    print_trial("first ", a->r, ia);
    print_trial("second", b->r, ib);
    if (ia < 0 || ib < 0)
        return;
    test_res t = why ? means_only(a->r, ia, b->r, ib) : paired(a, b, ia, ib, ratio);
    print_test(&t, why);
}

static int seen_before(const fw_results *r, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(r->trials[j].model, r->trials[i].model))
            return 1;
    return 0;
}

static int has_model(const fw_results *r, const char *name)
{
    for (size_t j = 0; j < r->n_trials; j++)
        if (!strcmp(r->trials[j].model, name))
            return 1;
    return 0;
}

/* Models of the first run in order, then those only the second has. */
static void compare_models(const run *a, const run *b, const char *why, double ratio)
{
    for (size_t i = 0; i < a->r->n_trials; i++)
        if (!seen_before(a->r, i))
            compare_model(a, b, a->r->trials[i].model, why, ratio);
    for (size_t i = 0; i < b->r->n_trials; i++)
        if (!seen_before(b->r, i) && !has_model(a->r, b->r->trials[i].model))
            compare_model(a, b, b->r->trials[i].model, why, ratio);
}

/* The closing line: the two runs' chosen configurations. */
static void verdict(const run *a, const run *b, const char *why, double ratio)
{
    const fw_results *x = a->r, *y = b->r;
    long ia = x->best, ib = y->best;
    printf("\n");
    if (ia < 0 || ib < 0 || !isfinite(x->trials[ia].mean_test[0]) ||
        !isfinite(y->trials[ib].mean_test[0])) {
        printf("verdict: cannot tell: the %s run has no chosen configuration\n",
               ia < 0 || !isfinite(x->trials[ia].mean_test[0]) ? "first" : "second");
        return;
    }
    test_res t = why ? means_only(x, ia, y, ib) : paired(a, b, ia, ib, ratio);
    double gain = x->greater_is_better[0] ? t.mean_d : -t.mean_d;
    printf("verdict (best %s: %s %.4f -> %s %.4f): ", x->metrics[0], x->trials[ia].model,
           x->trials[ia].mean_test[0], y->trials[ib].model, y->trials[ib].mean_test[0]);
    if (t.mean_d == 0 && (why || t.p == 1))
        printf("no change (the same scores%s)\n", why ? "" : ", p = 1");
    else if (why || isnan(t.p))
        printf("%s by %.4f, untested (%s)\n", gain > 0 ? "better" : "worse", fabs(t.mean_d),
               why ? why : "fewer than 2 shared splits");
    else if (t.p < ALPHA)
        printf("the change %s (%+.4f, p = %.3g < %.2f)\n", gain > 0 ? "helped" : "hurt",
               t.mean_d, t.p, ALPHA);
    else
        printf("no significant difference (%+.4f, p = %.3g >= %.2f)\n", t.mean_d, t.p, ALPHA);
}

static int compare(const char *d1, const char *d2, fw_err *e)
{
    run a, b;
    int rc = load_run(d1, &a, e);
    if (!rc)
        rc = load_run(d2, &b, e);
    else
        memset(&b, 0, sizeof b);
    if (!rc && strcmp(a.r->metrics[0], b.r->metrics[0]))
        rc = fw_err_set(e, FW_EINVAL, "the runs optimise different metrics (%s, %s): their "
                        "scores cannot be compared", a.r->metrics[0], b.r->metrics[0]);
    if (!rc) {
        printf("first:  %s (%s, %s)\nsecond: %s (%s, %s)\n", d1, a.r->name, a.r->state, d2,
               b.r->name, b.r->state);
        print_config(&a, &b);
        print_facts(&a, &b);
        const char *why = splits_differ(&a, &b);
        double ratio = size_ratio(&a, a.r->n_splits);
        if (why)
            printf("splits: differ (%s): means only, no paired test\n", why);
        else
            printf("splits: shared (%zu; test/train size ratio %.3g for the correction)\n",
                   a.r->n_splits, ratio);
        printf("scores: %s, %s is better\n", a.r->metrics[0],
               a.r->greater_is_better[0] ? "higher" : "lower");
        compare_models(&a, &b, why, ratio);
        verdict(&a, &b, why, ratio);
    }
    fw_yaml_free(a.cfg);
    fw_yaml_free(b.cfg);
    fw_results_free(a.r);
    fw_results_free(b.r);
    return rc;
}

int fw_cmd_compare(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "foldwise: usage: foldwise compare DIR1 DIR2\n");
        return 2;
    }
    fw_err e;
    fw_err_clear(&e);
    int rc = compare(argv[1], argv[2], &e);
    return rc ? fw_cli_fail(&e) : 0;
}
