/* cmd_predict.c: `foldwise predict DIR DATA -o FILE`: the model a run
 * refitted on all its rows, with the preprocessing fitted with it (both
 * from DIR/results.h5), applied to the rows of DATA.
 *
 * DATA is read with the run's own data options (format, missing tokens,
 * categorical and numeric lists, from the config stored in results.h5);
 * the target column may be absent. Feature columns are matched by name:
 * a training feature DATA lacks is an error naming it (LIBSVM files are
 * sparse: a missing fK column there is all zeros), a column DATA has and
 * training did not is ignored with a warning, and role columns (target,
 * groups, time, fold, weight, data.drop) are ignored silently. The output
 * CSV has `row` (0-based row of DATA), `y_pred` (class label or value)
 * and, for a model that predicts probabilities, `proba_<class>` per
 * class. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_int.h"
#include "foldwise/exec.h"
#include "foldwise/store.h"

typedef struct pred_args {
    const char *dir, *data, *out, *format;
} pred_args;

static int parse_args(int argc, char **argv, pred_args *a, fw_err *e)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && i + 1 < argc)
            a->out = argv[++i];
        else if (!strcmp(s, "--format") && i + 1 < argc)
            a->format = argv[++i];
        else if (s[0] == '-' && s[1])
            return fw_err_set(e, FW_EINVAL, "predict: unknown option '%s'", s);
        else if (!a->dir)
            a->dir = s;
        else if (!a->data)
            a->data = s;
        else
            return fw_err_set(e, FW_EINVAL, "predict: '%s' is one argument too many", s);
    }
    if (!a->dir || !a->data || !a->out)
        return fw_err_set(e, FW_EINVAL, "usage: foldwise predict DIR DATA -o FILE "
                                        "[--format csv|libsvm|hdf5|arff] (FILE - = stdout)");
    return FW_OK;
}

/* ---- the run's model ------------------------------------------------------------ */

typedef struct fitted {
    fw_results *r;
    fw_config c;            /* the run's config: its data options */
    int have_config;
    fw_model *m;
    fw_prep *prep;
} fitted;

static void fitted_free(fitted *f)
{
    fw_model_free(f->m);
    fw_prep_free(f->prep);
    if (f->have_config)
        fw_config_free(&f->c);
    fw_results_free(f->r);
}

static int no_model(const fitted *f, const char *dir, fw_err *e)
{
    const fw_results *r = f->r;
    if (r->refit && !strcmp(r->refit, "none"))
        return fw_err_at(e, FW_EINVAL, dir, 0, 0, "this run kept no fitted model (refit: "
                         "none): nothing to predict with. Run it again with refit: best "
                         "(--set refit=best)");
    return fw_err_at(e, FW_EINVAL, dir, 0, 0, "this run has no fitted model: its final refit "
                     "%s. See cv_results.csv and summary.json",
                     r->state && !strcmp(r->state, "stopped")
                         ? "never ran (the run was stopped; `foldwise run ... --resume` "
                           "finishes it)"
                         : "failed or found no usable configuration");
}

static int load_fitted(const char *dir, fitted *f, fw_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.h5", dir);
    memset(f, 0, sizeof *f);
    if (access(path, F_OK) != 0)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "missing: not a finished run (`foldwise "
                         "report %s` rebuilds it from the journal)", dir);
    int rc = fw_results_read_h5(path, &f->r, e);
    if (rc)
        return rc;
    if (!f->r->model_blob || !f->r->model_len)
        return no_model(f, dir, e);
    if ((rc = fw_model_blob_load(f->r->model_blob, f->r->model_len, &f->m, &f->prep, e))) {
        fw_err_prefix(e, "%s: ", path);
        return rc;
    }
    if (f->m->task == FW_TASK_CLASSIFICATION && f->m->n_classes != f->r->n_classes)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "the stored model knows %zu classes, the "
                         "run %zu", f->m->n_classes, f->r->n_classes);
    if (f->r->config_text) {
        if ((rc = fw_config_load_text(f->r->config_text, path, NULL, 0, &f->c, e))) {
            fw_config_free(&f->c);
            fw_err_prefix(e, "the run's stored config: ");
            return rc;
        }
        f->have_config = 1;
    }
    return FW_OK;
}

/* ---- the new rows ------------------------------------------------------------------ */

static int in_list(const char *s, char *const *l, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, l[i]))
            return 1;
    return 0;
}

/* A column of the file that plays a role in the run, never a feature. */
static int is_role(const fw_table *t, size_t j, const fw_data_opts *o)
{
    const char *nm = t->cols[j].name;
    const char *roles[] = {o->target, o->groups, o->time, o->fold, o->weight};
    if ((long)j == t->target_col || (long)j == t->group_col)
        return 1;
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (roles[i] && !strcmp(roles[i], nm))
            return 1;
    return in_list(nm, o->drop, o->n_drop);
}

static int is_libsvm(const fw_data_opts *o, const char *path)
{
    const char *dot = strrchr(path, '.');
    if (o->format && strcmp(o->format, "auto"))
        return !strcmp(o->format, "libsvm") || !strcmp(o->format, "svmlight");
    return dot && (!strcasecmp(dot, ".libsvm") || !strcasecmp(dot, ".svm") ||
                   !strcasecmp(dot, ".svmlight"));
}

/* (a column moved into the new dataset has no name left) */
static long table_col(const fw_table *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (t->cols[j].name && !strcmp(t->cols[j].name, name))
            return (long)j;
    return -1;
}

/* Training features DATA lacks: an error naming them (a few, then a count). */
static int check_missing(const fw_table *t, const fw_results *r, int sparse, const char *path,
                         fw_err *e)
{
    fw_sb b;
    size_t n = 0;
    fw_sb_init(&b);
    for (size_t k = 0; k < r->n_features; k++) {
        const char *nm = r->features[k];
        if (table_col(t, nm) >= 0 || (sparse && nm[0] == 'f'))
            continue;
        if (n++ < 8)
            fw_sb_printf(&b, "%s'%s'", n > 1 ? ", " : "", nm);
    }
    if (n > 8)
        fw_sb_printf(&b, " and %zu more", n - 8);
    int rc = n ? fw_err_at(e, FW_EINVAL, path, 0, 0, "%zu feature column%s of the training "
                           "data %s missing: %s", n, n == 1 ? "" : "s", n == 1 ? "is" : "are",
                           b.s ? b.s : "")
               : FW_OK;
    fw_sb_free(&b);
    return rc;
}

static void warn_extra(const fw_table *t, const fw_results *r, const fw_data_opts *o)
{
    fw_sb b;
    size_t n = 0;
    fw_sb_init(&b);
    for (size_t j = 0; j < t->n_cols; j++) {
        if (is_role(t, j, o) || in_list(t->cols[j].name, r->features, r->n_features))
            continue;
        if (n++ < 8)
            fw_sb_printf(&b, "%s'%s'", n > 1 ? ", " : "", t->cols[j].name);
    }
    if (n > 8)
        fw_sb_printf(&b, " and %zu more", n - 8);
    if (n)
        fw_warn("%zu column%s the model was not trained on, ignored: %s", n,
                n == 1 ? "" : "s", b.s ? b.s : "");
    fw_sb_free(&b);
}

/* The rows of DATA as a dataset whose features are the training features,
 * in training order (the columns move out of the table). */
static int build_rows(fw_table *t, const fw_results *r, fw_dataset **out, fw_err *e)
{
    fw_dataset *d = calloc(1, sizeof *d);
    size_t n = t->n_rows, p = r->n_features;
    *out = NULL;
    if (!d)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    d->n_rows = n;
    d->n_features = p;
    d->task = r->task;
    d->positive = -1;
    d->X = calloc(n && p ? n * p : 1, sizeof *d->X);
    d->y = calloc(n ? n : 1, sizeof *d->y);
    d->cols = calloc(p ? p : 1, sizeof *d->cols);
    d->source = fw_strdup(t->source);
    if (!d->X || !d->y || !d->cols) {
        fw_dataset_free(d);
        return fw_err_set(e, FW_ENOMEM, "out of memory: %zu x %zu values", n, p);
    }
    for (size_t k = 0; k < p; k++) {
        long j = table_col(t, r->features[k]);
        if (j >= 0) {
            memcpy(d->X + k * n, t->data[j], n * sizeof *d->X);
            d->cols[k] = t->cols[j];
            memset(&t->cols[j], 0, sizeof t->cols[j]);
        } else if (!(d->cols[k].name = fw_strdup(r->features[k]))) {
            /* (only a sparse file's absent column: it stays zero) */
            fw_dataset_free(d);
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        }
    }
    *out = d;
    return FW_OK;
}

static int read_rows(const fitted *f, const pred_args *a, fw_dataset **out, fw_err *e)
{
    fw_data_opts o;
    memset(&o, 0, sizeof o);
    if (f->have_config)
        o = f->c.data;                  /* borrowed: nothing here is freed */
    o.path = (char *)a->data;
    if (a->format)
        o.format = (char *)a->format;
    fw_table *t;
    int rc = fw_table_read(&o, a->data, &t, e);
    if (rc)
        return rc;
    int sparse = is_libsvm(&o, a->data);
    if (!(rc = check_missing(t, f->r, sparse, a->data, e))) {
        warn_extra(t, f->r, &o);
        rc = build_rows(t, f->r, out, e);
    }
    fw_table_free(t);
    return rc;
}

/* ---- predicting ------------------------------------------------------------------------ */

static void warn_codes(const fitted *f, const fw_dataset *d)
{
    for (size_t k = 0; !f->prep && k < d->n_features; k++)
        if (d->cols[k].categorical) {
            fw_warn("column '%s' is categorical and the run had no preprocessing fitted "
                    "with the model: its ordinal codes come from this file's own sorted "
                    "levels, which match training only when the same levels occur",
                    d->cols[k].name);
            return;
        }
}

static int run_model(const fitted *f, const fw_dataset *d, double **pred, size_t *width,
                     fw_err *e)
{
    size_t n = d->n_rows, w = f->m->task == FW_TASK_CLASSIFICATION ? f->m->n_classes : 1;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double *Xo = NULL, *out = malloc((n && w ? n * w : 1) * sizeof *out);
    fw_matrix X = {d->X, n, d->n_features};
    int rc = rows && out ? FW_OK : fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        rows[i] = i;
    if (!rc && f->prep) {
        size_t p = fw_prep_n_out(f->prep);
        if (!(Xo = malloc((n && p ? n * p : 1) * sizeof *Xo)))
            rc = fw_err_set(e, FW_ENOMEM, "out of memory");
        else
            rc = fw_prep_transform(f->prep, d, rows, n, Xo, e);
        X = (fw_matrix){Xo, n, p};
    }
    if (!rc && n)
        rc = fw_model_predict(f->m, &X, rows, n, out, e);
    free(rows);
    free(Xo);
    if (rc) {
        free(out);
        return rc;
    }
    *pred = out;
    *width = w;
    return FW_OK;
}

static void num(fw_sb *b, double v)
{
    char buf[40];
    if (v == v) {
        fw_fmt_double(buf, sizeof buf, v);
        fw_sb_append(b, buf);
    }
}

static int write_csv(const fitted *f, const double *pred, size_t n, size_t w, const char *out,
                     fw_err *e)
{
    const fw_results *r = f->r;
    int cls = f->m->task == FW_TASK_CLASSIFICATION;
    int proba = cls && (f->m->type->caps & FW_CAP_PROBA);
    double *code = malloc((n ? n : 1) * sizeof *code);
    fw_sb b;
    fw_sb_init(&b);
    if (!code)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    if (cls)
        fw_argmax_rows(pred, n, w, code);
    fw_sb_append(&b, "row,y_pred");
    for (size_t k = 0; proba && k < w; k++) {
        char name[300];
        fw_sb_append(&b, ",");
        snprintf(name, sizeof name, "proba_%s", r->classes[k]);
        fw_sb_csv_field(&b, name);
    }
    fw_sb_append(&b, "\n");
    for (size_t i = 0; i < n; i++) {
        fw_sb_printf(&b, "%zu,", i);
        if (cls)
            fw_sb_csv_field(&b, r->classes[(size_t)code[i]]);
        else
            num(&b, pred[i]);
        for (size_t k = 0; proba && k < w; k++) {
            fw_sb_append(&b, ",");
            num(&b, pred[i * w + k]);
        }
        fw_sb_append(&b, "\n");
    }
    free(code);
    int rc = FW_OK;
    if (b.oom)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory writing %s", out);
    else if (!strcmp(out, "-"))
        rc = fwrite(b.s, 1, b.len, stdout) == b.len ? FW_OK
                                                    : fw_err_set(e, FW_EIO, "cannot write stdout");
    else
        rc = fw_write_file_atomic(out, b.s, b.len, e);
    fw_sb_free(&b);
    return rc;
}

static int predict(const pred_args *a, fw_err *e)
{
    fitted f;
    fw_dataset *d = NULL;
    double *pred = NULL;
    size_t w = 0;
    int rc = load_fitted(a->dir, &f, e);
    if (!rc)
        rc = read_rows(&f, a, &d, e);
    if (!rc) {
        warn_codes(&f, d);
        rc = run_model(&f, d, &pred, &w, e);
    }
    if (!rc)
        rc = write_csv(&f, pred, d->n_rows, w, a->out, e);
    if (!rc && strcmp(a->out, "-"))
        fw_info("%zu rows predicted by %s %s -> %s", d->n_rows,
                f.r->model_name ? f.r->model_name : f.m->type->name,
                f.r->model_params_json ? f.r->model_params_json : "", a->out);
    free(pred);
    fw_dataset_free(d);
    fitted_free(&f);
    return rc;
}

int fw_cmd_predict(int argc, char **argv)
{
    pred_args a;
    fw_err e;
    fw_err_clear(&e);
    int rc = parse_args(argc, argv, &a, &e);
    if (!rc)
        rc = predict(&a, &e);
    return rc ? fw_cli_fail(&e) : 0;
}
