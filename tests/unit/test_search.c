/* test_search.c: the search layer: building spaces (and every error, with
 * its line and column), grid order and size, the logspace example of
 * CONTRACT.md, random search determinism and de-duplication, bayes
 * determinism under shuffled tells and its advantage over random search
 * on synthetic objectives, successive halving's rungs and promotions, and
 * the refit rules.
 *
 * Two test-only model types are defined here (not registered): `bowl`,
 * with one parameter of each kind and a complexity() (its depth), and
 * `plain`, without complexity(). Spaces reach them by setting
 * fw_space.model before fw_space_build. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "foldwise/search.h"
#include "harness.h"

#define PI 3.14159265358979323846

/* ---- test models ------------------------------------------------------ */

static const char *const kinds[] = {"a", "b", "c", NULL};
static const char *const none_name[] = {"none", NULL};

enum { P_ALPHA, P_BETA, P_DEPTH, P_KIND, P_N_TREES, P_FLAG, P_GAMMA };

static const fw_param_spec bowl_params[] = {
    [P_ALPHA] = {.name = "alpha", .kind = FW_PARAM_REAL, .def = 1, .lo = 0, .hi = INFINITY,
                 .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN},
    [P_BETA] = {.name = "beta", .kind = FW_PARAM_REAL, .def = 0, .lo = -10, .hi = 10},
    [P_DEPTH] = {.name = "depth", .kind = FW_PARAM_INT, .def = 3, .lo = 1, .hi = 1000,
                 .choices = none_name},
    [P_KIND] = {.name = "kind", .kind = FW_PARAM_CHOICE, .def_choice = "a", .choices = kinds},
    [P_N_TREES] = {.name = "n_trees", .kind = FW_PARAM_INT, .def = 100, .lo = 1, .hi = 100000},
    [P_FLAG] = {.name = "flag", .kind = FW_PARAM_BOOL, .def = 0},
    [P_GAMMA] = {.name = "gamma", .kind = FW_PARAM_REAL, .def = 0, .lo = 0, .hi = 100},
};

static double bowl_complexity(const fw_pval *cfg)
{
    return cfg[P_DEPTH].num;
}

static const fw_model_type bowl = {
    .name = "bowl",
    .caps = FW_CAP_TEST_ONLY | FW_CAP_REGRESS,
    .params = bowl_params,
    .n_params = sizeof bowl_params / sizeof bowl_params[0],
    .complexity = bowl_complexity,
};

static const fw_param_spec plain_params[] = {
    {.name = "x", .kind = FW_PARAM_REAL, .def = 0, .lo = -100, .hi = 100},
};

static const fw_model_type plain = {
    .name = "plain",
    .caps = FW_CAP_TEST_ONLY | FW_CAP_REGRESS,
    .params = plain_params,
    .n_params = 1,
};

/* ---- building spaces -------------------------------------------------- */

#define MAX_DIMS 8

/* A space under construction: dims are added with add_list / add_dist. */
static void space_start(fw_space *s, const fw_model_type *m, const char *name)
{
    memset(s, 0, sizeof *s);
    s->model = m;
    s->model_name = fw_strdup(name ? name : m->name);
    s->dims = calloc(MAX_DIMS, sizeof *s->dims);
    s->file = "cfg.yaml";
    s->line = 10;
    s->col = 5;
}

/* A FIXED (one text) or CHOICE dim at line/col; texts end with NULL. */
static void add_list(fw_space *s, const char *name, int choice, long line, long col, ...)
{
    fw_dim *d = &s->dims[s->n_dims++];
    d->name = fw_strdup(name);
    d->kind = choice ? FW_DIST_CHOICE : FW_DIST_FIXED;
    d->texts = calloc(16, sizeof *d->texts);
    d->line = line;
    d->col = col;
    va_list ap;
    va_start(ap, col);
    for (const char *t; (t = va_arg(ap, const char *)) != NULL;)
        d->texts[d->n_texts++] = fw_strdup(t);
    va_end(ap);
}

static void add_dist(fw_space *s, const char *name, fw_dist_kind kind, double a, double b,
                     long n, long line, long col)
{
    fw_dim *d = &s->dims[s->n_dims++];
    d->name = fw_strdup(name);
    d->kind = kind;
    d->a = a;
    d->b = b;
    d->n = n;
    d->line = line;
    d->col = col;
}

/* As the CLI does: GSL errors returned, not aborted on; one BLAS thread. */
static void quiet_gsl(void)
{
    gsl_set_error_handler_off();
    fw_blas_init();
}

static void test_space_build(void)
{
    fw_space s;
    fw_err e = {0};
    space_start(&s, &bowl, NULL);
    add_list(&s, "kind", 1, 11, 7, "b", "c", NULL);
    add_dist(&s, "alpha", FW_DIST_LOGUNIFORM, 1e-3, 1e3, 0, 12, 7);
    add_list(&s, "depth", 1, 13, 7, "none", "4", "8", NULL);
    add_list(&s, "flag", 0, 14, 7, "true", NULL);
    add_dist(&s, "beta", FW_DIST_LINSPACE, -1, 1, 5, 15, 7);
    CHECK_OK(fw_space_build(&s, &e), &e);
    CHECK_EQ_INT(s.dims[0].param, P_KIND);
    CHECK_EQ_INT(s.dims[0].n_values, 2);
    CHECK_EQ_INT(s.dims[0].values[1].choice, 2);
    CHECK(s.dims[1].values == NULL);
    CHECK_EQ_INT(s.dims[2].values[0].choice, 0);
    CHECK_EQ_INT(s.dims[2].values[2].choice, -1);
    CHECK(s.dims[2].values[2].num == 8);
    CHECK(s.dims[3].values[0].num == 1);
    CHECK_EQ_INT(s.dims[4].n_values, 5);
    CHECK(s.dims[4].values[1].num == -0.5 && s.dims[4].values[4].num == 1);
    CHECK(fw_space_grid_size(&s) == 0);   /* alpha is open */
    fw_space_free(&s);
    /* A registered model by name. */
    space_start(&s, NULL, "dummy");
    add_list(&s, "strategy", 1, 3, 9, "prior", "most_frequent", NULL);
    CHECK_OK(fw_space_build(&s, &e), &e);
    CHECK(s.model == fw_model_find("dummy"));
    CHECK(fw_space_grid_size(&s) == 2);
    fw_space_free(&s);
    fw_space_free(NULL);
}

static void test_space_unknown_names(void)
{
    fw_space s;
    fw_err e = {0};
    space_start(&s, NULL, "dumy");
    CHECK(fw_space_build(&s, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "unknown model 'dumy'") && strstr(e.msg, "did you mean 'dummy'"),
              "%s", e.msg);
    CHECK(strcmp(e.file, "cfg.yaml") == 0 && e.line == 10 && e.col == 5);
    fw_space_free(&s);
    space_start(&s, NULL, "dummy");
    add_list(&s, "stratgy", 1, 21, 9, "prior", NULL);
    CHECK(fw_space_build(&s, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "no parameter 'stratgy'") && strstr(e.msg, "did you mean 'strategy'"),
              "%s", e.msg);
    CHECK(e.line == 21 && e.col == 9);
    fw_space_free(&s);
}

/* One bad dim per row: what the message must contain. */
typedef struct bad_case {
    const char *param;
    fw_dist_kind kind;
    double a, b;
    long n;
    const char *texts[3];
    const char *expect;
} bad_case;

static const bad_case bad_cases[] = {
    {"beta", FW_DIST_UNIFORM, 2, 2, 0, {0}, "needs a < b"},
    {"beta", FW_DIST_UNIFORM, -1, 11, 0, {0}, "upper bound"},
    {"alpha", FW_DIST_UNIFORM, 0, 1, 0, {0}, "lower bound"},  /* alpha > 0 */
    {"alpha", FW_DIST_LOGUNIFORM, -1, 1, 0, {0}, "needs a > 0"},
    {"beta", FW_DIST_UNIFORM, NAN, 1, 0, {0}, "finite bounds"},
    {"depth", FW_DIST_UNIFORM, 1, 5, 0, {0}, "integer parameter"},
    {"depth", FW_DIST_INT, 1.5, 5, 0, {0}, "integer bounds"},
    {"depth", FW_DIST_INT, 6, 5, 0, {0}, "a <= b"},
    {"depth", FW_DIST_LOGINT, 0, 5, 0, {0}, "needs a > 0"},
    {"depth", FW_DIST_INT, 1, 5000, 0, {0}, "out of range"},
    {"kind", FW_DIST_UNIFORM, 0, 1, 0, {0}, "choice parameter"},
    {"flag", FW_DIST_INT, 0, 1, 0, {0}, "true/false parameter"},
    {"beta", FW_DIST_LINSPACE, 0, 1, 0, {0}, "1 <= n"},
    {"alpha", FW_DIST_LOGSPACE, 0, 10, 3, {0}, "a > 0 and b > 0"},
    {"depth", FW_DIST_LINSPACE, 1, 10, 3, {0}, "value 2 of 3"},  /* 5.5 */
    {"beta", FW_DIST_LINSPACE, 1, 1, 3, {0}, "twice"},
    {"beta", FW_DIST_LOGSPACE, 1, 100, 3, {0}, "value 3 of 3"},  /* 100 > 10 */
    {"beta", FW_DIST_LOGSPACE, 0.1, 10, 3, {0}, ""},  /* fine: 0.1, 1, 10 */
    {"kind", FW_DIST_CHOICE, 0, 0, 0, {"a", "d", NULL}, "did you mean"},
    {"kind", FW_DIST_CHOICE, 0, 0, 0, {"a", "a", NULL}, "listed twice"},
    {"kind", FW_DIST_CHOICE, 0, 0, 0, {NULL}, "empty list"},
    {"beta", FW_DIST_FIXED, 0, 0, 0, {"11", NULL}, "out of range"},
    {"beta", FW_DIST_FIXED, 0, 0, 0, {"x1", NULL}, "not a number"},
    {"beta", FW_DIST_FIXED, 0, 0, 0, {"1", "2", NULL}, "exactly one value"},
    {"flag", FW_DIST_CHOICE, 0, 0, 0, {"yes", "maybe", NULL}, "true or false"},
};

static void test_space_errors(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        fw_space s;
        fw_err e = {0};
        space_start(&s, &bowl, NULL);
        add_list(&s, "gamma", 0, 30, 3, "1", NULL);
        if (c->kind == FW_DIST_FIXED || c->kind == FW_DIST_CHOICE)
            add_list(&s, c->param, c->kind == FW_DIST_CHOICE, 31 + (long)i, 5, c->texts[0],
                     c->texts[0] ? c->texts[1] : NULL, NULL);
        else
            add_dist(&s, c->param, c->kind, c->a, c->b, c->n, 31 + (long)i, 5);
        int rc = fw_space_build(&s, &e);
        fw_space_free(&s);
        if (!c->expect[0]) {
            CHECK_MSG(rc == FW_OK, "case %zu: %s", i, e.msg);
            continue;
        }
        CHECK_MSG(rc == FW_EINVAL, "case %zu (%s) accepted", i, c->expect);
        CHECK_MSG(strstr(e.msg, c->expect) && strstr(e.msg, "bowl") && strstr(e.msg, c->param),
                  "case %zu: '%s' lacks '%s'", i, e.msg, c->expect);
        CHECK_MSG(e.line == 31 + (long)i && e.col == 5 && strcmp(e.file, "cfg.yaml") == 0,
                  "case %zu: at %s:%ld:%ld", i, e.file, e.line, e.col);
    }
    /* A parameter given twice. */
    fw_space s;
    fw_err e = {0};
    space_start(&s, &bowl, NULL);
    add_list(&s, "beta", 0, 40, 3, "1", NULL);
    add_list(&s, "beta", 0, 41, 3, "2", NULL);
    CHECK(fw_space_build(&s, &e) == FW_EINVAL);
    fw_space_free(&s);
    CHECK_MSG(strstr(e.msg, "given twice") && strstr(e.msg, "line 40") && e.line == 41, "%s",
              e.msg);
}

/* CONTRACT.md: {logspace: [1.0e-3, 1.0e+3, 13]} is 0.001, 0.00316, ..., 1000. */
static void test_logspace_example(void)
{
    fw_space s;
    fw_err e = {0};
    space_start(&s, &bowl, NULL);
    add_dist(&s, "alpha", FW_DIST_LOGSPACE, 1e-3, 1e3, 13, 2, 3);
    CHECK_OK(fw_space_build(&s, &e), &e);
    const fw_dim *d = &s.dims[0];
    CHECK_EQ_INT(d->n_values, 13);
    static const double decades[] = {1e-3, 1e-2, 1e-1, 1, 10, 100, 1000};
    for (size_t i = 0; i < 13; i++) {
        double v = d->values[i].num, want = pow(10.0, -3.0 + 0.5 * (double)i);
        CHECK(d->values[i].choice == -1);
        if (i % 2 == 0)
            CHECK_MSG(v == decades[i / 2], "value %zu = %.17g", i, v);  /* exact */
        else
            CHECK_NEAR(v / want, 1.0, 1e-15);
        if (i > 0)
            CHECK(v > d->values[i - 1].num);
    }
    CHECK_NEAR(d->values[1].num, 0.0031622776601683794, 1e-18);
    CHECK(fw_space_grid_size(&s) == 13);
    fw_space_free(&s);
    /* Ends exact for bounds whose logs do not round-trip. */
    space_start(&s, &bowl, NULL);
    add_dist(&s, "alpha", FW_DIST_LOGSPACE, 0.3, 7.7, 4, 2, 3);
    add_dist(&s, "beta", FW_DIST_LINSPACE, 0.1, 0.7, 4, 3, 3);
    CHECK_OK(fw_space_build(&s, &e), &e);
    CHECK(s.dims[0].values[0].num == 0.3 && s.dims[0].values[3].num == 7.7);
    /* numpy.linspace(0.1, 0.7, 4): i * step + start, the last = stop. */
    double step = (0.7 - 0.1) / 3;
    for (int i = 0; i < 3; i++)
        CHECK(s.dims[1].values[i].num == (double)i * step + 0.1);
    CHECK(s.dims[1].values[3].num == 0.7);
    fw_space_free(&s);
}

/* ---- searches ----------------------------------------------------------- */

static fw_search_spec spec_of(int strategy, long trials)
{
    fw_search_spec spec;
    fw_search_spec_defaults(&spec);
    spec.strategy = strategy;
    spec.trials = trials;
    return spec;
}

/* Run fn with warnings captured from stderr into buf. */
static void capture_warnings(void (*fn)(void *), void *arg, char *buf, size_t n)
{
    char path[] = "/tmp/fwtest_warn.XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    int level = fw_log_get_level();
    fflush(stderr);
    dup2(fd, 2);
    fw_log_set_level(FW_LOG_WARN);
    fn(arg);
    fflush(stderr);
    fw_log_set_level(level);
    dup2(saved, 2);
    close(saved);
    ssize_t got = pread(fd, buf, n - 1, 0);
    buf[got > 0 ? got : 0] = '\0';
    close(fd);
    unlink(path);
}

static size_t count_lines(const char *buf, const char *needle)
{
    size_t k = 0;
    for (const char *p = buf; (p = strstr(p, needle)) != NULL; p++)
        k++;
    return k;
}

typedef struct grid_run {
    const fw_search_spec *spec;
    fw_space *sp;
    fw_search *s;
} grid_run;

static void run_grid(void *arg)
{
    grid_run *g = arg;
    fw_err e = {0};
    fw_search_alloc(g->spec, g->sp, 2, 1, 42, &g->s, &e);
}

static void test_grid_order(void)
{
    fw_space sp[2];
    fw_err e = {0};
    /* Listed as kind, beta, depth: expanded in name order beta, depth, kind
     * (scikit-learn's ParameterGrid), kind varying fastest. */
    space_start(&sp[0], &bowl, NULL);
    add_list(&sp[0], "kind", 1, 2, 3, "c", "a", NULL);
    add_dist(&sp[0], "beta", FW_DIST_LINSPACE, 0, 1, 3, 3, 3);
    add_list(&sp[0], "depth", 0, 4, 3, "7", NULL);
    space_start(&sp[1], &plain, NULL);
    add_list(&sp[1], "x", 1, 6, 3, "5", "-5", NULL);
    CHECK_OK(fw_space_build(&sp[0], &e), &e);
    CHECK_OK(fw_space_build(&sp[1], &e), &e);
    CHECK(fw_space_grid_size(&sp[0]) == 6 && fw_space_grid_size(&sp[1]) == 2);
    fw_search_spec spec = spec_of(FW_SEARCH_GRID, 0);
    fw_search *s;
    CHECK_OK(fw_search_alloc(&spec, sp, 2, 1, 42, &s, &e), &e);
    size_t first, n;
    int fin;
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(first == 0 && n == 8 && fin == 1);
    static const double beta[] = {0, 0, 0.5, 0.5, 1, 1};
    static const int kind[] = {2, 0, 2, 0, 2, 0};
    for (size_t i = 0; i < 6; i++) {
        const fw_cand *c = fw_search_cand(s, i);
        CHECK(c->space == 0 && c->rung == 0);
        CHECK(c->vals[P_BETA].num == beta[i] && c->vals[P_KIND].choice == kind[i]);
        CHECK(c->vals[P_DEPTH].num == 7 && c->vals[P_ALPHA].num == 1);  /* default */
    }
    CHECK(fw_search_cand(s, 6)->space == 1 && fw_search_cand(s, 6)->vals[0].num == 5);
    CHECK(fw_search_cand(s, 7)->vals[0].num == -5);
    CHECK(!fw_cand_equal(sp, fw_search_cand(s, 0), fw_search_cand(s, 1)));
    CHECK(fw_cand_equal(sp, fw_search_cand(s, 0), fw_search_cand(s, 0)));
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(n == 0 && fin == 1);
    CHECK(fw_search_tell(s, 9, 0.5, &e) == FW_EINVAL);
    /* Above warn_grid: one warning. */
    char warn[2048];
    grid_run g = {&spec, sp, NULL};
    spec.warn_grid = 7;
    capture_warnings(run_grid, &g, warn, sizeof warn);
    CHECK(g.s && fw_search_n_cands(g.s) == 8);
    CHECK_MSG(count_lines(warn, "8 configurations (search.warn_grid = 7)") == 1, "%s", warn);
    fw_search_free(g.s);
    CHECK_OK(fw_search_tell(s, 3, 0.5, &e), &e);
    CHECK(fw_search_tell(s, 3, 0.5, &e) == FW_EINVAL && strstr(e.msg, "twice"));
    fw_search_free(s);
    /* Too large; open distribution. */
    spec.max_grid = 7;
    CHECK(fw_search_check(&spec, sp, 2, &e) == FW_EINVAL && strstr(e.msg, "max_grid"));
    fw_space_free(&sp[1]);
    space_start(&sp[1], &bowl, NULL);
    add_dist(&sp[1], "alpha", FW_DIST_LOGUNIFORM, 1, 2, 0, 8, 11);
    CHECK_OK(fw_space_build(&sp[1], &e), &e);
    spec.max_grid = 1e5;
    CHECK(fw_search_alloc(&spec, sp, 2, 1, 42, &s, &e) == FW_EINVAL && s == NULL);
    CHECK_MSG(strstr(e.msg, "alpha") && strstr(e.msg, "open distribution") && e.line == 8 &&
                  e.col == 11,
              "%s", e.msg);
    fw_space_free(&sp[0]);
    fw_space_free(&sp[1]);
}

/* Candidates of one random search (caller frees the search). */
static fw_search *run_random(fw_space *sp, size_t n_spaces, long trials, uint64_t seed)
{
    fw_search_spec spec = spec_of(FW_SEARCH_RANDOM, trials);
    fw_search *s = NULL;
    fw_err e = {0};
    if (fw_search_alloc(&spec, sp, n_spaces, 1, seed, &s, &e))
        return NULL;
    size_t first, n;
    int fin;
    fw_search_ask(s, &first, &n, &fin, &e);
    return s;
}

static int same_cands(const fw_space *sp, const fw_search *a, size_t a0, const fw_search *b,
                      size_t b0, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fw_cand_equal(sp, fw_search_cand(a, a0 + i), fw_search_cand(b, b0 + i)))
            return 0;
    return 1;
}

static void test_random_determinism(void)
{
    fw_space sp[2];
    fw_err e = {0};
    space_start(&sp[0], &bowl, NULL);
    add_dist(&sp[0], "alpha", FW_DIST_LOGUNIFORM, 1e-3, 1e3, 0, 2, 3);
    add_dist(&sp[0], "depth", FW_DIST_INT, 1, 3, 0, 3, 3);
    add_list(&sp[0], "kind", 1, 4, 3, "a", "b", "c", NULL);
    space_start(&sp[1], &plain, NULL);
    add_dist(&sp[1], "x", FW_DIST_UNIFORM, -1, 1, 0, 6, 3);
    CHECK_OK(fw_space_build(&sp[0], &e), &e);
    CHECK_OK(fw_space_build(&sp[1], &e), &e);
    fw_search *a = run_random(sp, 2, 50, 7), *b = run_random(sp, 2, 50, 7);
    fw_search *c = run_random(sp, 2, 50, 8), *one = run_random(sp, 1, 50, 7);
    CHECK(a && b && c && one);
    CHECK_EQ_INT(fw_search_n_cands(a), 100);
    CHECK(same_cands(sp, a, 0, b, 0, 100));
    CHECK(!same_cands(sp, a, 0, c, 0, 50));
    /* Space 0's draws do not depend on the other spaces listed. */
    CHECK(same_cands(sp, a, 0, one, 0, 50));
    int hit_lo = 0, hit_hi = 0;
    for (size_t i = 0; i < 100; i++) {
        const fw_cand *k = fw_search_cand(a, i);
        if (k->space == 1) {
            CHECK(k->vals[0].num >= -1 && k->vals[0].num <= 1);
            continue;
        }
        CHECK(k->vals[P_ALPHA].num >= 1e-3 && k->vals[P_ALPHA].num <= 1e3);
        double dep = k->vals[P_DEPTH].num;
        CHECK(dep == 1 || dep == 2 || dep == 3);
        hit_lo |= dep == 1;
        hit_hi |= dep == 3;
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(sp, k, fw_search_cand(a, j)));
    }
    CHECK(hit_lo && hit_hi);   /* int bounds are inclusive */
    fw_search_free(a);
    fw_search_free(b);
    fw_search_free(c);
    fw_search_free(one);
    fw_space_free(&sp[0]);
    fw_space_free(&sp[1]);
}

typedef struct finite_run {
    fw_space *sp;
    long trials;
    fw_search *s;
} finite_run;

static void run_finite(void *arg)
{
    finite_run *r = arg;
    r->s = run_random(r->sp, 1, r->trials, 3);
}

static void test_random_dedup(void)
{
    fw_space sp;
    fw_err e = {0};
    char warn[4096];
    /* 2 x 3 = 6 points, 20 trials: all 6, in grid order, one warning. */
    space_start(&sp, &bowl, NULL);
    add_list(&sp, "kind", 1, 2, 3, "a", "b", "c", NULL);
    add_dist(&sp, "depth", FW_DIST_INT, 4, 5, 0, 3, 3);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    finite_run r = {&sp, 20, NULL};
    capture_warnings(run_finite, &r, warn, sizeof warn);
    CHECK(r.s && fw_search_n_cands(r.s) == 6);
    CHECK_MSG(count_lines(warn, "only 6 distinct") == 1, "warnings: %s", warn);
    CHECK(fw_search_cand(r.s, 0)->vals[P_DEPTH].num == 4);
    CHECK(fw_search_cand(r.s, 1)->vals[P_DEPTH].num == 4);
    CHECK(fw_search_cand(r.s, 1)->vals[P_KIND].choice == 1);
    fw_search_free(r.s);
    /* 6 points, 4 trials: 4 distinct (sampled without replacement). */
    r.trials = 4;
    capture_warnings(run_finite, &r, warn, sizeof warn);
    CHECK(r.s && fw_search_n_cands(r.s) == 4 && warn[0] == '\0');
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(&sp, fw_search_cand(r.s, i), fw_search_cand(r.s, j)));
    fw_search_free(r.s);
    fw_space_free(&sp);
    /* 100 integers, 60 trials: redraws give 60 distinct. */
    space_start(&sp, &bowl, NULL);
    add_dist(&sp, "depth", FW_DIST_INT, 1, 100, 0, 3, 3);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    fw_search *s = run_random(&sp, 1, 60, 11);
    CHECK(s && fw_search_n_cands(s) == 60);
    for (size_t i = 0; i < 60; i++)
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(&sp, fw_search_cand(s, i), fw_search_cand(s, j)));
    fw_search_free(s);
    fw_space_free(&sp);
}

/* loguniform samples in log space: about half of [1e-3, 1e3] falls below 1. */
static void test_random_log_scale(void)
{
    fw_space sp;
    fw_err e = {0};
    space_start(&sp, &bowl, NULL);
    add_dist(&sp, "alpha", FW_DIST_LOGUNIFORM, 1e-3, 1e3, 0, 2, 3);
    add_dist(&sp, "depth", FW_DIST_LOGINT, 1, 1000, 0, 3, 3);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    fw_search *s = run_random(&sp, 1, 2000, 5);
    CHECK(s);
    size_t below = 0, small_depth = 0;
    for (size_t i = 0; i < 2000; i++) {
        below += fw_search_cand(s, i)->vals[P_ALPHA].num < 1;
        small_depth += fw_search_cand(s, i)->vals[P_DEPTH].num <= 31;
    }
    /* Binomial(2000, 1/2): sd 22; a linear draw would give ~1 below 1. */
    CHECK_MSG(below > 900 && below < 1100, "below = %zu", below);
    CHECK_MSG(small_depth > 900 && small_depth < 1100, "small depth = %zu", small_depth);
    fw_search_free(s);
    fw_space_free(&sp);
}

/* ---- bayes ---------------------------------------------------------------- */

/* Branin on beta in [-5, 10] and gamma in [0, 15], minimum 0.397887. */
static double branin(const fw_pval *v)
{
    double x1 = v[P_BETA].num, x2 = v[P_GAMMA].num;
    double b = 5.1 / (4 * PI * PI), c = 5 / PI, t = 1 / (8 * PI);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * cos(x1) + 10;
}

/* A bowl in log alpha and beta, with a kind offset: minimum 0. */
static double log_bowl(const fw_pval *v)
{
    double la = log10(v[P_ALPHA].num) - 1.3, b = v[P_BETA].num - 2.2;
    return la * la + 0.25 * b * b + (v[P_KIND].choice == 1 ? 0 : 0.5);
}

static void branin_space(fw_space *sp)
{
    fw_err e = {0};
    space_start(sp, &bowl, NULL);
    add_dist(sp, "gamma", FW_DIST_UNIFORM, 0, 15, 0, 2, 3);
    add_dist(sp, "beta", FW_DIST_UNIFORM, -5, 10, 0, 3, 3);
    fw_space_build(sp, &e);
}

/* Run a search to the end on objective f (minimised); the best value after
 * all trials. Tells each batch in reverse id order when `reverse`. */
static double run_search(const fw_search_spec *spec, fw_space *sp, size_t n_spaces,
                         uint64_t seed, double (*f)(const fw_pval *), int reverse, fw_err *e)
{
    fw_search *s = NULL;
    if (fw_search_alloc(spec, sp, n_spaces, 0, seed, &s, e))
        return NAN;
    double best = INFINITY;
    for (int fin = 0; !fin;) {
        size_t first, n;
        if (fw_search_ask(s, &first, &n, &fin, e))
            break;
        for (size_t i = 0; i < n; i++) {
            size_t id = reverse ? first + n - 1 - i : first + i;
            double y = f(fw_search_cand(s, id)->vals);
            best = y < best ? y : best;
            fw_search_tell(s, id, y, e);
        }
    }
    fw_search_free(s);
    return best;
}

/* Branin, with a failure (NaN) at every id = 3 mod 7. */
static double order_score(const fw_search *s, size_t id)
{
    return id % 7 == 3 ? NAN : branin(fw_search_cand(s, id)->vals);
}

static void test_bayes_order_free(void)
{
    quiet_gsl();
    fw_space sp;
    fw_err e = {0};
    branin_space(&sp);
    fw_search_spec spec = spec_of(FW_SEARCH_BAYES, 16);
    spec.batch = 4;
    fw_search *a, *b;
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 0, 9, &a, &e), &e);
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 0, 9, &b, &e), &e);
    int batches = 0;
    for (int fa = 0, fb = 0; !fa;) {
        size_t f1, n1, f2, n2;
        CHECK_OK(fw_search_ask(a, &f1, &n1, &fa, &e), &e);
        CHECK_OK(fw_search_ask(b, &f2, &n2, &fb, &e), &e);
        CHECK(f1 == f2 && n1 == n2 && fa == fb);
        CHECK(same_cands(&sp, a, f1, b, f2, n1));
        /* Not everything told: nothing new. */
        size_t f3, n3;
        int f3n;
        CHECK(n1 > 1);
        CHECK_OK(fw_search_tell(a, f1 + 1, order_score(a, f1 + 1), &e), &e);
        CHECK_OK(fw_search_ask(a, &f3, &n3, &f3n, &e), &e);
        CHECK(n3 == 0 && f3n == fa);
        /* a: in order (f1 + 1 already told); b: reversed. */
        for (size_t i = 0; i < n1; i++) {
            size_t ia = f1 + i, ib = f2 + n2 - 1 - i;
            if (ia != f1 + 1)
                CHECK_OK(fw_search_tell(a, ia, order_score(a, ia), &e), &e);
            CHECK_OK(fw_search_tell(b, ib, order_score(b, ib), &e), &e);
        }
        batches++;
    }
    CHECK_EQ_INT(batches, 4);
    CHECK_EQ_INT(fw_search_n_cands(a), 16);
    for (size_t i = 0; i < 16; i++)
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(&sp, fw_search_cand(a, i), fw_search_cand(a, j)));
    fw_search_free(a);
    fw_search_free(b);
    fw_space_free(&sp);
}

/* The random phase of bayes is random search's own draws. */
static void test_bayes_starts_like_random(void)
{
    quiet_gsl();
    fw_space sp;
    fw_err e = {0};
    branin_space(&sp);
    fw_search_spec spec = spec_of(FW_SEARCH_BAYES, 12);
    spec.batch = 6;
    fw_search *b, *r = run_random(&sp, 1, 12, 4);
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 0, 4, &b, &e), &e);
    size_t first, n;
    int fin;
    CHECK_OK(fw_search_ask(b, &first, &n, &fin, &e), &e);
    CHECK(n == 6 && !fin);
    CHECK(same_cands(&sp, b, 0, r, 0, 6));
    fw_search_free(b);
    fw_search_free(r);
    fw_space_free(&sp);
}

/* Mean over 20 seeds of the best value found in `trials` trials. */
static double mean_best(int strategy, fw_space *sp, long trials, long batch,
                        double (*f)(const fw_pval *))
{
    fw_search_spec spec = spec_of(strategy, trials);
    spec.batch = batch;
    double sum = 0;
    fw_err e = {0};
    for (uint64_t seed = 1; seed <= 20; seed++)
        sum += run_search(&spec, sp, 1, seed, f, 0, &e);
    return sum / 20;
}

/* Mean over seeds 1..20 of the best value after 30 trials (batch 5),
 * measured at this commit: Branin (optimum 0.3979): bayes 0.4263, random
 * 2.4034; the log bowl with a 3-way category (optimum 0): bayes 0.0055,
 * random 0.8240. The checks leave a wide margin. */
static void test_bayes_beats_random(void)
{
    quiet_gsl();
    fw_space sp;
    fw_err e = {0};
    branin_space(&sp);
    double rb = mean_best(FW_SEARCH_RANDOM, &sp, 30, 5, branin);
    double bb = mean_best(FW_SEARCH_BAYES, &sp, 30, 5, branin);
    CHECK_MSG(bb < rb && bb - 0.397887 < 0.5 * (rb - 0.397887),
              "branin: bayes %g, random %g", bb, rb);
    fw_space_free(&sp);
    space_start(&sp, &bowl, NULL);
    add_dist(&sp, "alpha", FW_DIST_LOGUNIFORM, 1e-3, 1e3, 0, 2, 3);
    add_dist(&sp, "beta", FW_DIST_UNIFORM, -10, 10, 0, 3, 3);
    add_list(&sp, "kind", 1, 4, 3, "a", "b", "c", NULL);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    rb = mean_best(FW_SEARCH_RANDOM, &sp, 30, 5, log_bowl);
    bb = mean_best(FW_SEARCH_BAYES, &sp, 30, 5, log_bowl);
    CHECK_MSG(bb < 0.5 * rb, "log bowl: bayes %g, random %g", bb, rb);
    fw_space_free(&sp);
}

static void test_bayes_spaces(void)
{
    quiet_gsl();
    fw_space sp[2];
    fw_err e = {0};
    branin_space(&sp[0]);
    space_start(&sp[1], &bowl, NULL);   /* 6 points only */
    add_list(&sp[1], "kind", 1, 2, 3, "a", "b", "c", NULL);
    add_list(&sp[1], "flag", 1, 3, 3, "true", "false", NULL);
    CHECK_OK(fw_space_build(&sp[1], &e), &e);
    fw_search_spec spec = spec_of(FW_SEARCH_BAYES, 10);
    spec.batch = 5;
    fw_search *s;
    CHECK_OK(fw_search_alloc(&spec, sp, 2, 0, 1, &s, &e), &e);
    size_t first, n, per[2] = {0, 0};
    int fin = 0, batches = 0;
    while (!fin) {
        CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
        if (batches == 0) /* round-robin: 3 for space 0, 2 for space 1 */
            CHECK(n == 5 && fw_search_cand(s, 2)->space == 0 && fw_search_cand(s, 3)->space == 1);
        for (size_t i = first; i < first + n; i++) {
            per[fw_search_cand(s, i)->space]++;
            CHECK_OK(fw_search_tell(s, i, branin(fw_search_cand(s, i)->vals), &e), &e);
        }
        batches++;
    }
    CHECK_MSG(per[0] == 10 && per[1] == 6, "per space %zu %zu", per[0], per[1]);
    for (size_t i = 0; i < fw_search_n_cands(s); i++)
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(sp, fw_search_cand(s, i), fw_search_cand(s, j)));
    fw_search_free(s);
    spec.batch = 0;
    CHECK(fw_search_check(&spec, sp, 2, &e) == FW_EINVAL && strstr(e.msg, "search.batch"));
    fw_space_free(&sp[0]);
    fw_space_free(&sp[1]);
}

/* Every kind of coordinate (ordered log/linear lists, log and linear
 * integers, categories, fixed values): proposals stay in the space, never
 * repeat, and a space of one point gets one candidate. */
static double mixed_score(const fw_pval *v)
{
    return log_bowl(v) + 0.01 * fabs(log(v[P_DEPTH].num) - 2) + 0.1 * v[P_N_TREES].num +
           (v[P_GAMMA].num == 2 ? 0 : 0.05);
}

static void test_bayes_mixed_dims(void)
{
    quiet_gsl();
    fw_space sp[2];
    fw_err e = {0};
    space_start(&sp[0], &bowl, NULL);
    add_dist(&sp[0], "alpha", FW_DIST_LOGSPACE, 1e-2, 1e2, 9, 2, 3);
    add_dist(&sp[0], "depth", FW_DIST_LOGINT, 1, 200, 0, 3, 3);
    add_list(&sp[0], "kind", 1, 4, 3, "a", "b", "c", NULL);
    add_list(&sp[0], "beta", 0, 5, 3, "2", NULL);
    add_dist(&sp[0], "n_trees", FW_DIST_INT, 1, 5, 0, 6, 3);
    add_list(&sp[0], "gamma", 1, 7, 3, "1", "2", "5", NULL);
    space_start(&sp[1], &bowl, NULL);
    add_list(&sp[1], "kind", 0, 9, 3, "b", NULL);
    CHECK_OK(fw_space_build(&sp[0], &e), &e);
    CHECK_OK(fw_space_build(&sp[1], &e), &e);
    fw_search_spec spec = spec_of(FW_SEARCH_BAYES, 30);
    spec.batch = 4;
    fw_search *s;
    CHECK_OK(fw_search_alloc(&spec, sp, 2, 0, 2, &s, &e), &e);
    size_t first, n, per[2] = {0, 0};
    double best = INFINITY;
    for (int fin = 0; !fin;) {
        CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
        for (size_t i = first; i < first + n; i++) {
            const fw_cand *c = fw_search_cand(s, i);
            const fw_pval *v = c->vals;
            per[c->space]++;
            if (c->space == 0) {
                double d = v[P_DEPTH].num, t = v[P_N_TREES].num, g = v[P_GAMMA].num;
                CHECK(d >= 1 && d <= 200 && d == floor(d) && t >= 1 && t <= 5 && t == floor(t));
                CHECK(g == 1 || g == 2 || g == 5);
                CHECK(v[P_BETA].num == 2 && v[P_KIND].choice >= 0);
                int member = 0;
                for (size_t j = 0; j < 9; j++)
                    member |= v[P_ALPHA].num == sp[0].dims[0].values[j].num;
                CHECK(member);
                best = fmin(best, mixed_score(v));
            }
            CHECK_OK(fw_search_tell(s, i, mixed_score(v), &e), &e);
        }
    }
    CHECK_MSG(per[0] == 30 && per[1] == 1, "per space %zu %zu", per[0], per[1]);
    for (size_t i = 0; i < fw_search_n_cands(s); i++)
        for (size_t j = 0; j < i; j++)
            CHECK(!fw_cand_equal(sp, fw_search_cand(s, i), fw_search_cand(s, j)));
    /* Optimum 0.1105 (alpha 10^1.5, depth 7, kind b, n_trees 1, gamma 2);
     * this run (seed 2) finds 0.1508. */
    CHECK_MSG(best < 0.3, "best %g", best);
    fw_search_free(s);
    fw_space_free(&sp[0]);
    fw_space_free(&sp[1]);
}

/* ---- halving ------------------------------------------------------------ */

static void test_halving_rungs(void)
{
    fw_space sp;
    fw_err e = {0};
    space_start(&sp, &bowl, NULL);
    add_dist(&sp, "beta", FW_DIST_UNIFORM, -1, 1, 0, 2, 3);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    fw_search_spec spec = spec_of(FW_SEARCH_HALVING, 27);
    fw_search *s;
    CHECK(fw_search_alloc(&spec, &sp, 1, 1, 5, &s, &e) == FW_EINVAL &&
          strstr(e.msg, "max_resource"));
    /* 27 candidates, rows 100 .. 1000, factor 3: rungs of 27, 9, 3
     * candidates with 100, 300, 900 rows (log3(1000/100) allows 3). */
    spec.max_resource = 1000;
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 1, 5, &s, &e), &e);
    fw_search *r = run_random(&sp, 1, 27, 5);
    size_t first, n;
    int fin;
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(first == 0 && n == 27 && !fin);
    CHECK(same_cands(&sp, s, 0, r, 0, 27));   /* rung 0 = random search's draws */
    fw_search_free(r);
    CHECK(fw_search_cand(s, 0)->rung == 0 && fw_search_cand(s, 26)->resource == 100);
    /* 8 clear winners; the ninth place is a tie among the zeros (lowest id
     * wins: id 0); id 1 failed. */
    static const size_t win[] = {3, 5, 8, 13, 17, 21, 22, 26};
    double score[27] = {0};
    for (size_t i = 0; i < 8; i++)
        score[win[i]] = 1 + (double)i;
    score[1] = NAN;
    for (size_t i = 0; i < 26; i++)
        CHECK_OK(fw_search_tell(s, i, score[i], &e), &e);
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(n == 0 && !fin);   /* rung incomplete */
    CHECK_OK(fw_search_tell(s, 26, score[26], &e), &e);
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(first == 27 && n == 9 && !fin);
    static const size_t parents[] = {0, 3, 5, 8, 13, 17, 21, 22, 26};
    for (size_t i = 0; i < 9; i++) {
        const fw_cand *c = fw_search_cand(s, 27 + i);
        CHECK_MSG(fw_cand_equal(&sp, c, fw_search_cand(s, parents[i])), "promoted %zu", i);
        CHECK(c->rung == 1 && c->resource == 300);
    }
    /* Rung 1: ties everywhere: the three lowest ids go on. */
    for (size_t i = 0; i < 9; i++)
        CHECK_OK(fw_search_tell(s, 27 + i, 0.5, &e), &e);
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(first == 36 && n == 3 && fin);
    for (size_t i = 0; i < 3; i++) {
        const fw_cand *c = fw_search_cand(s, 36 + i);
        CHECK(fw_cand_equal(&sp, c, fw_search_cand(s, parents[i])));
        CHECK(c->rung == 2 && c->resource == 900);
    }
    for (size_t i = 0; i < 3; i++)
        CHECK_OK(fw_search_tell(s, 36 + i, 0.5, &e), &e);
    CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
    CHECK(n == 0 && fin);
    fw_search_free(s);
    /* 9 candidates reach the maximum: the last rung is "full" (0). */
    spec.trials = 9;
    spec.max_resource = 900;
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 1, 5, &s, &e), &e);
    for (int rung = 0; rung < 3; rung++) {
        CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
        CHECK(n == (size_t)(9 / (rung == 0 ? 1 : rung == 1 ? 3 : 9)));
        CHECK(fw_search_cand(s, first)->resource == (rung == 2 ? 0 : rung == 1 ? 300 : 100));
        for (size_t i = first; i < first + n; i++)
            CHECK_OK(fw_search_tell(s, i, (double)i, &e), &e);
    }
    CHECK(fin);
    fw_search_free(s);
    spec.max_resource = 50;
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "larger than"));
    spec.max_resource = 1000;
    spec.factor = 1;
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "factor"));
    fw_space_free(&sp);
}

static void test_halving_trees(void)
{
    fw_space sp;
    fw_err e = {0};
    space_start(&sp, &bowl, NULL);
    add_dist(&sp, "beta", FW_DIST_UNIFORM, -1, 1, 0, 2, 3);
    add_list(&sp, "n_trees", 0, 3, 3, "270", NULL);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    fw_search_spec spec = spec_of(FW_SEARCH_HALVING, 9);
    spec.resource = FW_RESOURCE_N_TREES;   /* min 10 by default */
    fw_search *s;
    CHECK_OK(fw_search_alloc(&spec, &sp, 1, 0, 5, &s, &e), &e);
    static const double trees[] = {10, 30, 90};
    size_t first, n;
    int fin = 0;
    for (int rung = 0; !fin; rung++) {
        CHECK(rung < 3);
        CHECK_OK(fw_search_ask(s, &first, &n, &fin, &e), &e);
        for (size_t i = first; i < first + n; i++) {
            const fw_cand *c = fw_search_cand(s, i);
            CHECK(c->vals[P_N_TREES].num == trees[rung] && c->resource == trees[rung]);
            CHECK_OK(fw_search_tell(s, i, c->vals[P_BETA].num, &e), &e);   /* a loss */
        }
    }
    /* The last rung holds the smallest beta of all. */
    double lowest = INFINITY;
    for (size_t i = 0; i < 9; i++)
        lowest = fmin(lowest, fw_search_cand(s, i)->vals[P_BETA].num);
    CHECK(n == 1 && fw_search_cand(s, first)->vals[P_BETA].num == lowest);
    fw_search_free(s);
    fw_space_free(&sp);
    /* n_trees searched: refused at its position; a model without it too. */
    space_start(&sp, &bowl, NULL);
    add_list(&sp, "n_trees", 1, 7, 9, "10", "20", NULL);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && e.line == 7 && e.col == 9 &&
          strstr(e.msg, "cannot be searched"));
    fw_space_free(&sp);
    space_start(&sp, &plain, NULL);
    CHECK_OK(fw_space_build(&sp, &e), &e);
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "n_trees") &&
          e.line == 10);
    spec.resource = FW_RESOURCE_ITERATIONS;
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "n_iter"));
    fw_space_free(&sp);
}

static void test_search_check(void)
{
    fw_space sp;
    fw_err e = {0};
    space_start(&sp, &plain, NULL);
    add_dist(&sp, "x", FW_DIST_UNIFORM, -1, 1, 0, 2, 3);
    fw_search_spec spec = spec_of(FW_SEARCH_RANDOM, 10);
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_OK);   /* model preset */
    CHECK(fw_search_check(&spec, &sp, 0, &e) == FW_EINVAL);
    spec.trials = 0;
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "search.trials"));
    spec.trials = 10;
    spec.strategy = 9;
    CHECK(fw_search_check(&spec, &sp, 1, &e) == FW_EINVAL && strstr(e.msg, "strategy"));
    CHECK(strcmp(fw_search_names[FW_SEARCH_HALVING], "halving") == 0 && !fw_search_names[4]);
    CHECK(strcmp(fw_resource_names[FW_RESOURCE_ITERATIONS], "iterations") == 0);
    CHECK(strcmp(fw_dist_names[FW_DIST_LOGSPACE], "logspace") == 0);
    CHECK(strcmp(fw_refit_names[FW_REFIT_ONE_SE], "one_se") == 0);
    fw_space_free(&sp);
}

/* ---- refit ------------------------------------------------------------- */

typedef struct refit_set {
    fw_space sp[2];
    fw_cand c[8];
    fw_pval vals[8][7];
    const fw_cand *ptr[8];
} refit_set;

/* Candidates of bowl (space 0) with depth d[i], or of plain (space 1). */
static void refit_setup(refit_set *r, const int *depth, const size_t *space, size_t n)
{
    space_start(&r->sp[0], &bowl, NULL);
    space_start(&r->sp[1], &plain, NULL);
    for (size_t i = 0; i < n; i++) {
        fw_param_defaults(space[i] ? &plain : &bowl, r->vals[i]);
        r->vals[i][P_DEPTH].num = depth[i];
        r->c[i] = (fw_cand){.space = space[i], .vals = r->vals[i]};
        r->ptr[i] = &r->c[i];
    }
}

static void test_refit_best(void)
{
    refit_set r;
    static const int depth[] = {1, 2, 3, 4, 5};
    static const size_t space[] = {0, 0, 0, 0, 0};
    refit_setup(&r, depth, space, 5);
    double means[] = {0.8, NAN, 0.9, 0.9, 0.7}, stds[] = {0, 0, 0, 0, 0};
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, means, stds, 5, 5, 1), 2);
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, means, stds, 5, 5, 0), 4);
    double losses[] = {0.3, 0.1, NAN, 0.1, 0.2};
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, losses, stds, 5, 5, 0), 1);
    double none[] = {NAN, NAN};
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, none, stds, 2, 5, 1), -1);
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_NONE, r.sp, r.ptr, means, stds, 5, 5, 1), -1);
    /* Halving: only the last rung competes. */
    r.c[0].rung = 1;
    r.c[4].rung = 1;
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, means, stds, 5, 5, 1), 0);
    fw_space_free(&r.sp[0]);
    fw_space_free(&r.sp[1]);
}

static void one_se_twice(void *arg)
{
    refit_set *r = arg;
    static const double means[] = {0.5, 0.6}, stds[] = {0.1, 0.1};
    r->c[0].space = r->c[1].space = 1;
    long a = fw_refit_choose(FW_REFIT_ONE_SE, r->sp, r->ptr, means, stds, 2, 4, 1);
    long b = fw_refit_choose(FW_REFIT_ONE_SE, r->sp, r->ptr, means, stds, 2, 4, 1);
    r->c[2].rung = (int)(a * 10 + b);   /* the answers, passed back */
}

static void test_refit_one_se(void)
{
    refit_set r;
    /* Scores (higher better) over 4 splits; the best is id 3 (0.90, std
     * 0.04: se 0.02, so the edge is 0.88). Within it: ids 1 (depth 4,
     * 0.885), 3 (depth 6), 5 (depth 4, 0.89), 6 (plain space: ignored). Id 2
     * (depth 1) is below the edge. Simplest: depth 4, tie between ids 1
     * and 5 goes to the better mean: 5. */
    static const int depth[] = {8, 4, 1, 6, 9, 4, 0};
    static const size_t space[] = {0, 0, 0, 0, 0, 0, 1};
    refit_setup(&r, depth, space, 7);
    double means[] = {0.86, 0.885, 0.87, 0.90, 0.89, 0.89, 0.895};
    double stds[] = {0.01, 0.01, 0.01, 0.04, 0.01, 0.01, 0.01};
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_BEST, r.sp, r.ptr, means, stds, 7, 4, 1), 3);
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_ONE_SE, r.sp, r.ptr, means, stds, 7, 4, 1), 5);
    /* Same mean too: the lower id. */
    means[1] = 0.89;
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_ONE_SE, r.sp, r.ptr, means, stds, 7, 4, 1), 1);
    /* As losses (lower better): best id 0 (0.86, se 0.005, edge 0.865):
     * nothing else within, so id 0 (depth 8) stays. */
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_ONE_SE, r.sp, r.ptr, means, stds, 7, 4, 0), 0);
    /* A wide std on the best (se 0.02, edge 0.88) brings in id 2 (0.87,
     * depth 1). */
    stds[0] = 0.04;
    CHECK_EQ_INT(fw_refit_choose(FW_REFIT_ONE_SE, r.sp, r.ptr, means, stds, 7, 4, 0), 2);
    /* No complexity(): best, with one warning however often asked. */
    char warn[2048];
    capture_warnings(one_se_twice, &r, warn, sizeof warn);
    CHECK_EQ_INT(r.c[2].rung, 11);
    CHECK_MSG(count_lines(warn, "no complexity") == 1 && count_lines(warn, "plain") == 1,
              "%s", warn);
    fw_space_free(&r.sp[0]);
    fw_space_free(&r.sp[1]);
}

FW_TEST_MAIN(T(test_space_build), T(test_space_unknown_names), T(test_space_errors),
             T(test_logspace_example), T(test_grid_order), T(test_random_determinism),
             T(test_random_dedup), T(test_random_log_scale), T(test_bayes_order_free),
             T(test_bayes_starts_like_random), T(test_bayes_beats_random),
             T(test_bayes_spaces), T(test_bayes_mixed_dims), T(test_halving_rungs), T(test_halving_trees),
             T(test_search_check), T(test_refit_best), T(test_refit_one_se))
