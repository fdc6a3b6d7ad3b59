/* fit_tool.c: fit one model on explicit splits and print its predictions,
 * for the parity scripts that compare foldwise's models with scikit-learn,
 * LIBLINEAR and XGBoost on the same rows.
 *
 *   fit_tool --data FILE --target COL [--fold COL] [--weight COL]
 *            [--task classification|regression]
 *            [--categorical C1,C2] [--drop C1,C2]
 *            --model NAME [--param NAME=VALUE]... [--path NAME=V1,V2,...]
 *            [--configs FILE] [--prep impute=mean,scale=standard,encode=onehot,resample=smote]
 *            [--seed S] [--describe] [--train] [--use-path] [--time] [--design]
 *
 * Splits: with --fold, one split per distinct value f >= 0 of that column
 * (train on fold != f, test on fold == f; -1 rows always train), in
 * ascending order; without it, one split training and testing on all rows.
 * Output, one line each:
 *   split F n_train N n_test M
 *   pred F C ROW Y_PRED [S_0 ... S_k-1]     (C = config index along --path)
 *   train F C ROW Y_PRED [S...]             (with --train: training rows)
 *   fit F C STATUS N_ITER CONVERGED GAP     (STATUS 0 = ok; message on stderr)
 *   describe F C JSON                        (with --describe)
 *   time F C FIT_SECONDS PREDICT_SECONDS     (with --time; wall clock)
 * --configs FILE: one configuration per line ("NAME=VALUE NAME=VALUE ...",
 * over the --param values; blank lines and # comments skipped), numbered C
 * from 0, instead of --path. All fits of the process share one per-worker
 * cache (fw_model_cache), as the executor's workers do, so configurations
 * of the same split reuse what a model cached (the trees' sorted features).
 *   time WALL CPU                            (with --time, at the end: seconds
 *                                             spent in fit, predict and
 *                                             fit_predict_path over all splits)
 * --use-path fits all --path values in one fit_predict_path call (models
 * with FW_CAP_PATH) instead of one fit each; it prints pred and fit lines.
 * --weight names a column of sample weights (the dataset's weight role).
 * --design fits no model (--model may be omitted) and prints each split's
 * design matrix, for the preprocessing parity tests:
 *   names F NAME...                          (output columns)
 *   fit F I ROW Y [W] V...                   (rows the model trains on; ROW is
 *                                             the dataset row, -1 for rows
 *                                             added by resampling)
 *   test F ROW V...                          (rows it is scored on)
 *   train F ROW Y V...                       (with resampling: the transformed
 *                                             training rows before it)
 * Exit 2 on bad usage or data. */
#define _POSIX_C_SOURCE 200809L   /* strtok_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/exec.h"
#include "foldwise/model.h"
#include "foldwise/prep.h"

#define MAX_PARAMS 64
#define MAX_PATH 256

typedef struct tool_args {
    fw_data_opts data;
    const char *model, *prep, *path_name, *path_values, *configs;
    const char *pnames[MAX_PARAMS], *pvalues[MAX_PARAMS];
    size_t n_params;
    uint64_t seed;
    int describe, train, use_path, time, design;
    fw_model_cache cache;
} tool_args;

/* Time spent inside the model calls (--time). */
static double spent_wall, spent_cpu;

static void clock_mark(double *w, double *c, int stop)
{
    double nw = fw_now(), nc = fw_cpu_now();
    if (stop) {
        spent_wall += nw - *w;
        spent_cpu += nc - *c;
    }
    *w = nw;
    *c = nc;
}

static char **split_list(const char *s, size_t *n)
{
    char *copy = fw_strdup(s);
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap, sizeof *out);
    *n = 0;
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
        out[(*n)++] = fw_strdup(tok);
    free(copy);
    return out;
}

static int parse_args(int argc, char **argv, tool_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(k, "--describe")) {
            a->describe = 1;
            continue;
        }
        if (!strcmp(k, "--train")) {
            a->train = 1;
            continue;
        }
        if (!strcmp(k, "--use-path")) {
            a->use_path = 1;
            continue;
        }
        if (!strcmp(k, "--design")) {
            a->design = 1;
            continue;
        }
        if (!strcmp(k, "--time")) {
            a->time = 1;
            continue;
        }
        if (!v)
            return fprintf(stderr, "fit_tool: %s needs a value\n", k), 2;
        i++;
        if (!strcmp(k, "--data"))
            a->data.path = (char *)v;
        else if (!strcmp(k, "--target"))
            a->data.target = (char *)v;
        else if (!strcmp(k, "--fold"))
            a->data.fold = (char *)v;
        else if (!strcmp(k, "--weight"))
            a->data.weight = (char *)v;
        else if (!strcmp(k, "--task"))
            a->data.task = !strcmp(v, "regression") ? FW_TASK_REGRESSION : FW_TASK_CLASSIFICATION;
        else if (!strcmp(k, "--categorical"))
            a->data.categorical = split_list(v, &a->data.n_categorical);
        else if (!strcmp(k, "--drop"))
            a->data.drop = split_list(v, &a->data.n_drop);
        else if (!strcmp(k, "--model"))
            a->model = v;
        else if (!strcmp(k, "--prep"))
            a->prep = v;
        else if (!strcmp(k, "--configs"))
            a->configs = v;
        else if (!strcmp(k, "--seed"))
            a->seed = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--param") || !strcmp(k, "--path")) {
            const char *eq = strchr(v, '=');
            if (!eq)
                return fprintf(stderr, "fit_tool: %s wants NAME=VALUE\n", k), 2;
            char *name = fw_strdup(v);
            name[eq - v] = '\0';
            if (!strcmp(k, "--path")) {
                a->path_name = name;
                a->path_values = eq + 1;
            } else if (a->n_params < MAX_PARAMS) {
                a->pnames[a->n_params] = name;
                a->pvalues[a->n_params++] = eq + 1;
            }
        } else
            return fprintf(stderr, "fit_tool: unknown option %s\n", k), 2;
    }
    if (!a->data.path || (!a->model && !a->design))
        return fprintf(stderr, "fit_tool: --data and --model are required\n"), 2;
    return 0;
}

static int lookup(const char *const *names, const char *v)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], v))
            return i;
    return -1;
}

static int parse_prep(const char *s, fw_prep_spec *p)
{
    memset(p, 0, sizeof *p);
    p->smote_k = 5;
    if (!s)
        return 0;
    size_t n;
    char **kv = split_list(s, &n);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(kv[i], '=');
        if (!eq) {
            rc = 2;
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        int *slot = !strcmp(kv[i], "impute") ? &p->impute
                    : !strcmp(kv[i], "scale") ? &p->scale
                    : !strcmp(kv[i], "encode") ? &p->encode
                    : !strcmp(kv[i], "resample") ? &p->resample
                                                 : NULL;
        const char *const *names = slot == &p->impute   ? fw_impute_names
                                   : slot == &p->scale  ? fw_scale_names
                                   : slot == &p->encode ? fw_encode_names
                                                        : fw_resample_names;
        if (!strcmp(kv[i], "smote_k")) {
            p->smote_k = atoi(v);
            continue;
        }
        if (!slot || (*slot = lookup(names, v)) < 0) {
            fprintf(stderr, "fit_tool: bad --prep item %s=%s\n", kv[i], v);
            rc = 2;
            break;
        }
    }
    return rc;
}

static void print_rows(const char *tag, size_t split, size_t c, const fw_dataset *d,
                       const size_t *orig, const double *out, size_t n)
{
    size_t k = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    for (size_t i = 0; i < n; i++) {
        const double *o = out + i * k;
        double yp = o[0];
        if (d->task == FW_TASK_CLASSIFICATION)
            fw_argmax_rows(o, 1, k, &yp);
        printf("%s %zu %zu %zu %.17g", tag, split, c, orig[i], yp);
        for (size_t j = 0; k > 1 && j < k; j++)
            printf(" %.17g", o[j]);
        printf("\n");
    }
}

/* Fit configuration `cfg` on the design and print what was asked. */
static int run_config(tool_args *a, const fw_model_type *t, const fw_pval *cfg,
                      const fw_dataset *d, const fw_design *g, size_t split, size_t c,
                      const size_t *train_orig, size_t n_train_orig, const size_t *test_orig)
{
    fw_err e = {0};
    gsl_rng *rng = fw_rng_alloc(a->seed, split);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, rng);
    ctx.seed = a->seed;
    ctx.split_key = split;
    ctx.cache = &a->cache;
    fw_model *m = fw_model_alloc(t, cfg);
    size_t k = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    size_t nmax = g->n_eval > g->fit.n ? g->n_eval : g->fit.n;
    double *out = malloc((nmax ? nmax : 1) * k * sizeof *out), tw, tc;
    clock_mark(&tw, &tc, 0);
    double t0 = fw_now();
    int rc = fw_model_fit(m, &g->fit, &ctx, &e);
    double t1 = fw_now();
    clock_mark(&tw, &tc, 1);
    printf("fit %zu %zu %d %d %d %.17g\n", split, c, rc, ctx.n_iter, ctx.converged,
           ctx.final_gap);
    if (rc) {
        fprintf(stderr, "fit_tool: split %zu config %zu: %s\n", split, c, e.msg);
    } else {
        rc = fw_model_predict(m, &g->fit.X, g->eval, g->n_eval, out, &e);
        clock_mark(&tw, &tc, 1);
        if (rc == 0)
            print_rows("pred", split, c, d, test_orig, out, g->n_eval);
        if (a->time)
            printf("time %zu %zu %.6f %.6f\n", split, c, t1 - t0, fw_now() - t1);
        /* Resampled training sets have rows without a dataset row: skip. */
        if (!rc && a->train && g->fit.n == n_train_orig &&
            (rc = fw_model_predict(m, &g->fit.X, g->fit.rows, g->fit.n, out, &e)) == 0)
            print_rows("train", split, c, d, train_orig, out, g->fit.n);
        if (rc)
            fprintf(stderr, "fit_tool: predict: %s\n", e.msg);
        if (!rc && a->describe && t->describe) {
            fw_sb sb;
            fw_sb_init(&sb);
            if (t->describe(m->state, &sb, &e) == 0)
                printf("describe %zu %zu %s\n", split, c, sb.s ? sb.s : "{}");
            fw_sb_free(&sb);
        }
    }
    free(out);
    fw_model_free(m);
    gsl_rng_free(rng);
    return rc;
}

/* All configurations in one fit_predict_path call. */
static int run_path(tool_args *a, const fw_model_type *t, const fw_pval *cfgs,
                    size_t n_cfg, const fw_dataset *d, const fw_design *g, size_t split,
                    const size_t *test_orig)
{
    size_t k = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    const fw_pval **cp = malloc(n_cfg * sizeof *cp);
    double **outs = malloc(n_cfg * sizeof *outs);
    fw_fit_ctx *ctx = malloc(n_cfg * sizeof *ctx);
    fw_err *errs = calloc(n_cfg, sizeof *errs);
    gsl_rng *rng = fw_rng_alloc(a->seed, split);
    for (size_t c = 0; c < n_cfg; c++) {
        cp[c] = cfgs + c * t->n_params;
        outs[c] = malloc((g->n_eval ? g->n_eval : 1) * k * sizeof **outs);
        fw_fit_ctx_init(&ctx[c], NULL, rng);
        ctx[c].seed = a->seed;
        ctx[c].split_key = split;
        ctx[c].cache = &a->cache;
    }
    double tw, tc;
    clock_mark(&tw, &tc, 0);
    int rc = t->fit_predict_path(&g->fit, cp, n_cfg, &g->fit.X, g->eval, g->n_eval, outs, ctx,
                                 errs);
    clock_mark(&tw, &tc, 1);
    for (size_t c = 0; c < n_cfg; c++) {
        printf("fit %zu %zu %d %d %d %.17g\n", split, c, rc ? rc : errs[c].code, ctx[c].n_iter,
               ctx[c].converged, ctx[c].final_gap);
        if (!rc && !errs[c].code)
            print_rows("pred", split, c, d, test_orig, outs[c], g->n_eval);
        else
            fprintf(stderr, "fit_tool: split %zu config %zu: %s\n", split, c, errs[c].msg);
        free(outs[c]);
    }
    gsl_rng_free(rng);
    free(cp);
    free(outs);
    free(ctx);
    free(errs);
    return rc;
}

static void print_values(const fw_matrix *X, size_t row)
{
    for (size_t j = 0; j < X->n_cols; j++)
        printf(" %.17g", fw_mat_at(X, row, j));
    printf("\n");
}

/* --design: the matrices of split f, as the executor builds them. */
static int print_design(const fw_dataset *d, const fw_prep_spec *prep, const fw_design *g,
                        size_t f, const size_t *tr, size_t ntr, const size_t *te)
{
    const fw_fit_data *fd = &g->fit;
    int resampled = prep->resample != FW_RESAMPLE_NONE;
    printf("names %zu", f);
    for (size_t j = 0; j < fd->X.n_cols; j++)
        printf(" %s", g->prep ? fw_prep_out_name(g->prep, j) : d->cols[j].name);
    printf("\n");
    for (size_t i = 0; i < fd->n; i++) {
        long row = !resampled ? (long)tr[i] : prep->resample != FW_RESAMPLE_UNDER && i < ntr
                                                  ? (long)tr[i] : -1;
        printf("fit %zu %zu %ld %.17g", f, i, row, fd->y[fd->rows[i]]);
        if (fd->w)
            printf(" %.17g", fd->w[fd->rows[i]]);
        print_values(&fd->X, fd->rows[i]);
    }
    for (size_t i = 0; i < g->n_eval; i++) {
        printf("test %zu %zu", f, te[i]);
        print_values(&fd->X, g->eval[i]);
    }
    if (!resampled || !g->prep)
        return 0;
    size_t p = fw_prep_n_out(g->prep);
    double *Xt = malloc((ntr ? ntr : 1) * (p ? p : 1) * sizeof *Xt);
    fw_err e = {0};
    if (!Xt || fw_prep_transform(g->prep, d, tr, ntr, Xt, &e))
        return free(Xt), fprintf(stderr, "fit_tool: %s\n", e.msg), 1;
    fw_matrix M = {Xt, ntr, p};
    for (size_t i = 0; i < ntr; i++) {
        printf("train %zu %zu %.17g", f, tr[i], d->y[tr[i]]);
        print_values(&M, i);
    }
    free(Xt);
    return 0;
}

/* Set one "NAME=VALUE" on cfg. */
static int set_param(const fw_model_type *t, fw_pval *cfg, const char *name, const char *val)
{
    fw_err e;
    long idx = fw_param_index(t, name);
    if (idx < 0)
        return fprintf(stderr, "fit_tool: %s has no parameter %s\n", t->name, name), 2;
    if (fw_param_parse(t, (size_t)idx, val, &cfg[idx], &e))
        return fprintf(stderr, "fit_tool: %s\n", e.msg), 2;
    return 0;
}

/* --configs FILE: the --param values, then each line's NAME=VALUE pairs. */
static int read_configs(const tool_args *a, const fw_model_type *t, fw_pval **cfgs, size_t *n)
{
    char *text, *save = NULL;
    size_t len;
    fw_err e;
    if (fw_read_file(a->configs, 1 << 24, &text, &len, &e))
        return fprintf(stderr, "fit_tool: %s\n", e.msg), 2;
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    *cfgs = calloc(cap * t->n_params + 1, sizeof **cfgs);
    *n = 0;
    int rc = 0;
    for (char *line = strtok_r(text, "\n", &save); line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        char *hash = strchr(line, '#'), *save2 = NULL;
        if (hash)
            *hash = '\0';
        fw_pval *cfg = *cfgs + *n * t->n_params;
        fw_param_defaults(t, cfg);
        for (size_t i = 0; i < a->n_params && !rc; i++)
            rc = set_param(t, cfg, a->pnames[i], a->pvalues[i]);
        int any = 0;
        for (char *kv = strtok_r(line, " \t\r", &save2); kv && !rc;
             kv = strtok_r(NULL, " \t\r", &save2)) {
            char *eq = strchr(kv, '=');
            if (!eq)
                rc = (fprintf(stderr, "fit_tool: %s: '%s' is not NAME=VALUE\n", a->configs, kv), 2);
            else {
                *eq = '\0';
                rc = set_param(t, cfg, kv, eq + 1);
                any = 1;
            }
        }
        *n += any;
    }
    free(text);
    return rc;
}

/* Configurations: the fixed --param values, one per --path value (or per
 * --configs line). */
static int build_configs(const tool_args *a, const fw_model_type *t, fw_pval **cfgs, size_t *n)
{
    size_t nv = 1;
    if (a->configs)
        return read_configs(a, t, cfgs, n);
    char **vals = a->path_name ? split_list(a->path_values, &nv) : NULL;
    *cfgs = calloc(nv * t->n_params + 1, sizeof **cfgs);
    *n = nv;
    for (size_t c = 0; c < nv; c++) {
        fw_pval *cfg = *cfgs + c * t->n_params;
        fw_param_defaults(t, cfg);
        for (size_t i = 0; i <= a->n_params; i++) {
            const char *name = i < a->n_params ? a->pnames[i] : a->path_name;
            const char *val = i < a->n_params ? a->pvalues[i] : (vals ? vals[c] : NULL);
            if (name && val && set_param(t, cfg, name, val))
                return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    tool_args a;
    fw_prep_spec prep;
    fw_err e = {0};
    fw_dataset *d;
    gsl_set_error_handler_off();
    fw_blas_init();
    if (parse_args(argc, argv, &a) || parse_prep(a.prep, &prep))
        return 2;
    const fw_model_type *t = a.model ? fw_model_find(a.model) : fw_model_find("dummy");
    if (!t)
        return fprintf(stderr, "fit_tool: unknown model %s\n", a.model), 2;
    if (fw_dataset_load(&a.data, &d, &e)) {
        fprintf(stderr, "fit_tool: %s:%ld:%ld: %s\n", e.file, e.line, e.col, e.msg);
        return 2;
    }
    fw_pval *cfgs;
    size_t n_cfg;
    if (build_configs(&a, t, &cfgs, &n_cfg))
        return 2;
    int32_t max_fold = d->fold ? -1 : 0;
    for (size_t i = 0; d->fold && i < d->n_rows; i++)
        max_fold = d->fold[i] > max_fold ? d->fold[i] : max_fold;
    size_t *tr = malloc(d->n_rows * sizeof *tr), *te = malloc(d->n_rows * sizeof *te);
    int status = 0;
    for (int32_t f = 0; f <= max_fold; f++) {
        size_t ntr = 0, nte = 0;
        for (size_t i = 0; i < d->n_rows; i++) {
            if (!d->fold || d->fold[i] != f)
                tr[ntr++] = i;
            if (!d->fold || d->fold[i] == f)
                te[nte++] = i;
        }
        if (nte == 0)
            continue;
        printf("split %d n_train %zu n_test %zu\n", f, ntr, nte);
        fw_design g;
        gsl_rng *rng = fw_rng_alloc(a.seed, 1000 + (uint64_t)f);
        if (fw_design_build(d, &prep, tr, ntr, te, nte, rng, &g, &e)) {
            fprintf(stderr, "fit_tool: %s\n", e.msg);
            return 2;
        }
        if (a.design)
            status |= print_design(d, &prep, &g, (size_t)f, tr, ntr, te);
        else if (a.use_path && t->fit_predict_path)
            status |= run_path(&a, t, cfgs, n_cfg, d, &g, (size_t)f, te);
        else
          for (size_t c = 0; c < n_cfg; c++)
            status |= run_config(&a, t, cfgs + c * t->n_params, d, &g, (size_t)f, c, tr, ntr,
                                 te);
        fw_design_free(&g);
        gsl_rng_free(rng);
    }
    if (a.time)
        printf("time %.6f %.6f\n", spent_wall, spent_cpu);
    free(tr);
    free(te);
    free(cfgs);
    fw_model_cache_clear(&a.cache);
    fw_dataset_free(d);
    return status ? 1 : 0;
}
