/* search_tool.c: drive a foldwise search (ask / tell) from another program,
 * for tests/bench/bayes_bench.py and for trying strategies by hand.
 *
 *   search_tool SPEC
 *
 * SPEC is a text file, one statement per line ('#' starts a comment):
 *   strategy bayes            grid | random | bayes | halving
 *   trials 30 | batch 8 | seed 7 | max_grid 1e5 | warn_grid 1e4
 *   factor 3 | resource n_samples | min_resource 100 | max_resource 1000
 *   maximize 1                1: greater scores are better (default), 0: losses
 *   param NAME real LO HI [log]     declare a parameter of the model
 *   param NAME int LO HI [log]      "synthetic" (defined by these lines;
 *   param NAME choice A B ...       default: LO, or the first choice)
 *   model NAME                start a space of a registered model or of
 *                             "synthetic"
 *   dim NAME fixed V | choice V1 V2 ... | uniform A B | loguniform A B |
 *            int A B | logint A B | linspace A B N | logspace A B N
 *
 * Protocol: the tool prints each batch on stdout, then reads the scores of
 * every candidate of the batch on stdin, in any order, and asks again:
 *   batch FIRST N FINISHED
 *   cand ID SPACE RUNG RESOURCE NAME=VALUE ...   (the space's dims, as listed)
 *   end
 * stdin, one per candidate:  ID SCORE   (SCORE "nan" for a failed fit)
 * When the search is finished: "done N_CANDIDATES". Exit 0; 2 on a bad spec
 * or protocol error (message on stderr as FILE:LINE:COL: ...). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_errno.h>

#include "foldwise/search.h"

#define MAX_PARAMS 32
#define MAX_SPACES 16
#define MAX_DIMS 32
#define MAX_WORDS 64

typedef struct tool {
    fw_search_spec spec;
    uint64_t seed;
    int maximize;
    fw_param_spec params[MAX_PARAMS];
    const char **choices[MAX_PARAMS];
    char *names[MAX_PARAMS];
    fw_model_type synthetic;
    fw_space spaces[MAX_SPACES];
    size_t n_spaces;
    const char *path;
} tool;

static int lookup(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static int split_words(char *line, char **w)
{
    int n = 0;
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    for (char *t = strtok(line, " \t\r\n"); t && n < MAX_WORDS; t = strtok(NULL, " \t\r\n"))
        w[n++] = t;
    return n;
}

static int parse_param(tool *t, char **w, int n, long line, fw_err *e)
{
    size_t k = t->synthetic.n_params;
    if (k == MAX_PARAMS || n < 4)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "param NAME KIND ...: bad line");
    fw_param_spec *p = &t->params[k];
    t->names[k] = fw_strdup(w[1]);
    p->name = t->names[k];
    if (strcmp(w[2], "choice") == 0) {
        t->choices[k] = calloc((size_t)n, sizeof *t->choices[k]);
        for (int i = 3; i < n; i++)
            t->choices[k][i - 3] = fw_strdup(w[i]);
        p->kind = FW_PARAM_CHOICE;
        p->choices = t->choices[k];
        p->def_choice = t->choices[k][0];
    } else if ((strcmp(w[2], "real") == 0 || strcmp(w[2], "int") == 0) && n >= 5) {
        p->kind = w[2][0] == 'r' ? FW_PARAM_REAL : FW_PARAM_INT;
        p->lo = atof(w[3]);
        p->hi = atof(w[4]);
        p->def = p->lo;
        p->flags = n > 5 && strcmp(w[5], "log") == 0 ? FW_PARAM_LOG : 0;
    } else {
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "param %s: kind real, int or choice",
                         w[1]);
    }
    t->synthetic.n_params++;
    return FW_OK;
}

static int parse_dim(tool *t, char **w, int n, long line, fw_err *e)
{
    if (t->n_spaces == 0)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "dim before any model line");
    fw_space *s = &t->spaces[t->n_spaces - 1];
    int kind = n >= 3 ? lookup(fw_dist_names, w[2]) : -1;
    if (s->n_dims == MAX_DIMS || kind < 0)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1,
                         "dim NAME KIND ARGS: unknown kind '%s'", n >= 3 ? w[2] : "");
    fw_dim *d = &s->dims[s->n_dims++];
    d->name = fw_strdup(w[1]);
    d->kind = (fw_dist_kind)kind;
    d->line = line;
    d->col = 1;
    if (kind == FW_DIST_FIXED || kind == FW_DIST_CHOICE) {
        d->texts = calloc((size_t)n, sizeof *d->texts);
        for (int i = 3; i < n; i++)
            d->texts[d->n_texts++] = fw_strdup(w[i]);
        return FW_OK;
    }
    int want = kind == FW_DIST_LINSPACE || kind == FW_DIST_LOGSPACE ? 6 : 5;
    if (n != want)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "dim %s %s: expected %d numbers",
                         w[1], w[2], want - 3);
    d->a = atof(w[3]);
    d->b = atof(w[4]);
    d->n = want == 6 ? atol(w[5]) : 0;
    return FW_OK;
}

static int parse_model(tool *t, char **w, int n, long line, fw_err *e)
{
    if (t->n_spaces == MAX_SPACES || n != 2)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "model NAME: bad line");
    fw_space *s = &t->spaces[t->n_spaces++];
    s->model_name = fw_strdup(w[1]);
    s->dims = calloc(MAX_DIMS, sizeof *s->dims);
    s->file = t->path;
    s->line = line;
    s->col = 1;
    if (strcmp(w[1], "synthetic") == 0)
        s->model = &t->synthetic;
    return FW_OK;
}

/* A "key value" setting of the search spec. */
static int parse_setting(tool *t, char **w, int n, long line, fw_err *e)
{
    fw_search_spec *sp = &t->spec;
    const char *k = w[0];
    if (n != 2)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "unknown statement '%s'", k);
    double v = atof(w[1]);
    if (strcmp(k, "strategy") == 0)
        sp->strategy = lookup(fw_search_names, w[1]);
    else if (strcmp(k, "resource") == 0)
        sp->resource = lookup(fw_resource_names, w[1]);
    else if (strcmp(k, "trials") == 0)
        sp->trials = (long)v;
    else if (strcmp(k, "batch") == 0)
        sp->batch = (long)v;
    else if (strcmp(k, "seed") == 0)
        t->seed = strtoull(w[1], NULL, 10);
    else if (strcmp(k, "maximize") == 0)
        t->maximize = v != 0;
    else if (strcmp(k, "max_grid") == 0)
        sp->max_grid = v;
    else if (strcmp(k, "warn_grid") == 0)
        sp->warn_grid = v;
    else if (strcmp(k, "factor") == 0)
        sp->factor = v;
    else if (strcmp(k, "min_resource") == 0)
        sp->min_resource = v;
    else if (strcmp(k, "max_resource") == 0)
        sp->max_resource = v;
    else
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "unknown statement '%s'", k);
    if (sp->strategy < 0 || sp->resource < 0)
        return fw_err_at(e, FW_EINVAL, t->path, line, 1, "unknown %s '%s'", k, w[1]);
    return FW_OK;
}

static int parse_spec(tool *t, fw_err *e)
{
    FILE *f = fopen(t->path, "r");
    if (!f)
        return fw_err_set(e, FW_EINVAL, "cannot open %s", t->path);
    char buf[4096], *w[MAX_WORDS];
    long line = 0;
    int rc = FW_OK;
    while (rc == FW_OK && fgets(buf, sizeof buf, f)) {
        line++;
        int n = split_words(buf, w);
        if (n == 0)
            continue;
        if (strcmp(w[0], "param") == 0)
            rc = parse_param(t, w, n, line, e);
        else if (strcmp(w[0], "model") == 0)
            rc = parse_model(t, w, n, line, e);
        else if (strcmp(w[0], "dim") == 0)
            rc = parse_dim(t, w, n, line, e);
        else
            rc = parse_setting(t, w, n, line, e);
    }
    fclose(f);
    return rc;
}

static void print_batch(const tool *t, const fw_search *s, size_t first, size_t n, int fin)
{
    printf("batch %zu %zu %d\n", first, n, fin);
    for (size_t id = first; id < first + n; id++) {
        const fw_cand *c = fw_search_cand(s, id);
        const fw_space *sp = &t->spaces[c->space];
        printf("cand %zu %zu %d %.17g", id, c->space, c->rung, c->resource);
        for (size_t j = 0; j < sp->n_dims; j++) {
            char v[64];
            fw_param_format(sp->model, sp->dims[j].param, &c->vals[sp->dims[j].param], v,
                            sizeof v);
            printf(" %s=%s", sp->dims[j].name, v);
        }
        printf("\n");
    }
    printf("end\n");
    fflush(stdout);
}

/* Read n "ID SCORE" lines and tell them. */
static int read_scores(fw_search *s, size_t n, fw_err *e)
{
    char buf[256];
    for (size_t i = 0; i < n; i++) {
        if (!fgets(buf, sizeof buf, stdin))
            return fw_err_set(e, FW_EINVAL, "stdin ended with %zu scores missing", n - i);
        char *end;
        unsigned long long id = strtoull(buf, &end, 10);
        double score = strtod(end, &end);
        if (end == buf)
            return fw_err_set(e, FW_EINVAL, "bad score line: %s", buf);
        int rc = fw_search_tell(s, (size_t)id, score, e);
        if (rc)
            return rc;
    }
    return FW_OK;
}

static int run(tool *t, fw_err *e)
{
    int rc = parse_spec(t, e);
    for (size_t k = 0; k < t->n_spaces && rc == FW_OK; k++)
        rc = fw_space_build(&t->spaces[k], e);
    fw_search *s = NULL;
    if (rc == FW_OK)
        rc = fw_search_alloc(&t->spec, t->spaces, t->n_spaces, t->maximize, t->seed, &s, e);
    for (int fin = 0; rc == FW_OK && !fin;) {
        size_t first, n;
        rc = fw_search_ask(s, &first, &n, &fin, e);
        if (rc == FW_OK && n == 0 && !fin)
            rc = fw_err_set(e, FW_EINVAL, "the search waits, but every score was given");
        if (rc == FW_OK && n > 0) {
            print_batch(t, s, first, n, fin);
            rc = read_scores(s, n, e);
        }
    }
    if (rc == FW_OK)
        printf("done %zu\n", fw_search_n_cands(s));
    fw_search_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    fw_blas_init();
    if (argc != 2) {
        fprintf(stderr, "usage: search_tool SPEC\n");
        return 2;
    }
    tool *t = calloc(1, sizeof *t);
    if (!t)
        return 2;
    fw_search_spec_defaults(&t->spec);
    t->maximize = 1;
    t->path = argv[1];
    t->synthetic = (fw_model_type){.name = "synthetic", .caps = FW_CAP_TEST_ONLY,
                                   .params = t->params};
    fw_err e = {0};
    int rc = run(t, &e);
    if (rc) {
        char msg[2048];
        fw_err_format(&e, msg, sizeof msg);
        fprintf(stderr, "search_tool: %s\n", msg);
    }
    for (size_t k = 0; k < t->n_spaces; k++)
        fw_space_free(&t->spaces[k]);
    for (size_t k = 0; k < t->synthetic.n_params; k++) {
        free(t->names[k]);
        for (size_t i = 0; t->choices[k] && t->choices[k][i]; i++)
            free((char *)t->choices[k][i]);
        free(t->choices[k]);
    }
    free(t);
    return rc ? 2 : 0;
}
