/* h5_read.c: results.h5 back into fw_results, in this process.
 *
 * Only the forked child of fw_results_read_h5 (h5_safe.c) runs this: HDF5
 * 1.10 may crash on a damaged file. Every object is checked before it is
 * used (type class, rank, shape against the counts read before it, size
 * against the file's own size), every dataset's values against its `xxh3`
 * attribute, the values the report writers index with (statuses, class
 * codes, trial ids) against their ranges, and finally the whole structure
 * against the root's `content_xxh3`. The first problem is the error,
 * FW_EINVAL, naming the object at fault. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store_int.h"

#define ANY ((hsize_t)-1)

typedef struct h5r {
    hid_t f, str;
    const char *path;
    fw_err *e;
    int rc;                 /* sticky: the first problem wins */
    hsize_t max_elems;      /* no dataset holds more values than the file bytes */
} h5r;

static void bad(h5r *r, const char *obj, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(h5r *r, const char *obj, const char *fmt, ...)
{
    if (r->rc)
        return;
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->rc = FW_EINVAL;
    fw_err_at(r->e, FW_EINVAL, r->path, 0, 0, "damaged results file: %s: %s", obj, msg);
}

static void oom(h5r *r, const char *obj)
{
    if (!r->rc) {
        r->rc = FW_ENOMEM;
        fw_err_at(r->e, FW_ENOMEM, r->path, 0, 0, "%s: out of memory", obj);
    }
}

static void *alloc(h5r *r, const char *obj, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        oom(r, obj);
    return p;
}

/* ---- attributes --------------------------------------------------------------- */

/* A scalar attribute of class cls read as mtype into out. A missing one is
 * an error when required, otherwise 0 is returned and out left alone. */
static int attr_read(h5r *r, hid_t loc, const char *obj, const char *name, H5T_class_t cls,
                     hid_t mtype, void *out, int required)
{
    if (r->rc)
        return 0;
    htri_t ex = H5Aexists(loc, name);
    if (ex <= 0) {
        if (required || ex < 0)
            bad(r, obj, "attribute '%s' is missing", name);
        return 0;
    }
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a), sp = a < 0 ? -1 : H5Aget_space(a);
    if (a < 0 || t < 0 || sp < 0 || H5Tget_class(t) != cls ||
        H5Sget_simple_extent_type(sp) != H5S_SCALAR ||
        (cls == H5T_STRING && H5Tis_variable_str(t) <= 0))
        bad(r, obj, "attribute '%s' has the wrong type or shape", name);
    else if (H5Aread(a, mtype, out) < 0)
        bad(r, obj, "attribute '%s' cannot be read", name);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return !r->rc;
}

static char *attr_str(h5r *r, hid_t loc, const char *obj, const char *name)
{
    char *s = NULL;
    if (!attr_read(r, loc, obj, name, H5T_STRING, r->str, &s, 0) || !s)
        return NULL;
    char *copy = fw_strdup(s);
    H5free_memory(s);
    if (!copy)
        oom(r, obj);
    return copy;
}

static uint64_t attr_u64(h5r *r, hid_t loc, const char *obj, const char *name)
{
    uint64_t v = 0;
    attr_read(r, loc, obj, name, H5T_INTEGER, H5T_NATIVE_UINT64, &v, 1);
    return v;
}

static int64_t attr_i64(h5r *r, hid_t loc, const char *obj, const char *name)
{
    int64_t v = 0;
    attr_read(r, loc, obj, name, H5T_INTEGER, H5T_NATIVE_INT64, &v, 1);
    return v;
}

static double attr_f64(h5r *r, hid_t loc, const char *obj, const char *name)
{
    double v = NAN;
    attr_read(r, loc, obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, &v, 1);
    return v;
}

/* ---- datasets --------------------------------------------------------------------- */

/* Open dataset `path`, check its type class and shape: want[i] is the
 * expected size of dimension i, or ANY (then got[i] receives it). */
static hid_t open_checked(h5r *r, const char *path, H5T_class_t cls, int rank,
                          const hsize_t *want, hsize_t *got)
{
    if (r->rc)
        return -1;
    hid_t d = H5Dopen2(r->f, path, H5P_DEFAULT);
    if (d < 0) {
        bad(r, path, "missing or unreadable");
        return -1;
    }
    hid_t t = H5Dget_type(d), sp = H5Dget_space(d);
    hsize_t dims[8], n = 1;
    int rk = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
    if (t < 0 || H5Tget_class(t) != cls ||
        (cls == H5T_STRING && H5Tis_variable_str(t) <= 0))
        bad(r, path, "not the expected type");
    else if (rk != rank || H5Sget_simple_extent_dims(sp, dims, NULL) != rank)
        bad(r, path, "expected %d dimension%s", rank, rank == 1 ? "" : "s");
    for (int i = 0; !r->rc && i < rank; i++) {
        if (want[i] != ANY && dims[i] != want[i])
            bad(r, path, "dimension %d is %llu, expected %llu", i,
                (unsigned long long)dims[i], (unsigned long long)want[i]);
        if (got)
            got[i] = dims[i];
        if (dims[i] && n > r->max_elems / dims[i])
            bad(r, path, "holds more values than the file has bytes");
        n *= dims[i] ? dims[i] : 1;
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (r->rc) {
        H5Dclose(d);
        return -1;
    }
    return d;
}

static void verify(h5r *r, hid_t d, const char *path, uint64_t h)
{
    uint64_t want = attr_u64(r, d, path, FW_H5_CHECK_ATTR);
    if (!r->rc && want != h)
        bad(r, path, "values do not match their checksum");
}

static size_t count(int rank, const hsize_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    return n;
}

/* A numeric dataset read as mtype (esize bytes a value); caller frees. */
static void *read_num(h5r *r, const char *path, H5T_class_t cls, hid_t mtype, size_t esize,
                      int rank, const hsize_t *want, hsize_t *got)
{
    hsize_t dims[8];
    hid_t d = open_checked(r, path, cls, rank, want, dims);
    if (d < 0)
        return NULL;
    size_t n = count(rank, dims);
    void *v = alloc(r, path, n, esize);
    if (v && n && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        bad(r, path, "values cannot be read");
    verify(r, d, path, fw_h5_hash_bytes(v, n * esize));
    H5Dclose(d);
    if (got)
        memcpy(got, dims, (size_t)rank * sizeof *dims);
    if (r->rc) {
        free(v);
        return NULL;
    }
    return v;
}

static double *read_f64(h5r *r, const char *path, int rank, const hsize_t *want)
{
    return read_num(r, path, H5T_FLOAT, H5T_NATIVE_DOUBLE, sizeof(double), rank, want, NULL);
}

static int64_t *read_i64(h5r *r, const char *path, int rank, const hsize_t *want)
{
    return read_num(r, path, H5T_INTEGER, H5T_NATIVE_INT64, sizeof(int64_t), rank, want, NULL);
}

/* Strings of a 1-D (rank 1) or scalar (rank 0) dataset; NULLs kept. */
static char **read_strs(h5r *r, const char *path, int rank, hsize_t want, size_t *n_out)
{
    hsize_t dims[1] = {1};
    hid_t d = open_checked(r, path, H5T_STRING, rank, &want, dims);
    if (d < 0)
        return NULL;
    size_t n = rank ? (size_t)dims[0] : 1;
    char **raw = alloc(r, path, n, sizeof *raw), **out = alloc(r, path, n, sizeof *out);
    if (raw && out && n && H5Dread(d, r->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
        bad(r, path, "strings cannot be read");
        memset(raw, 0, n * sizeof *raw);
    }
    for (size_t i = 0; raw && out && i < n; i++)
        if (raw[i] && !(out[i] = fw_strdup(raw[i])))
            oom(r, path);
    if (raw && n) {
        hid_t sp = H5Dget_space(d);
        H5Dvlen_reclaim(r->str, sp, H5P_DEFAULT, raw);
        H5Sclose(sp);
    }
    if (out)
        verify(r, d, path, fw_h5_hash_strs(out, n));
    H5Dclose(d);
    free(raw);
    if (r->rc && out) {
        for (size_t i = 0; i < n; i++)
            free(out[i]);
        free(out);
        out = NULL;
    }
    if (n_out)
        *n_out = out ? n : 0;
    return out;
}

static int exists(h5r *r, const char *path)
{
    return !r->rc && H5Lexists(r->f, path, H5P_DEFAULT) > 0;
}

/* A compound table into rec_size records (strings owned by HDF5 until
 * reclaim_table). */
static void *read_table(h5r *r, const char *path, const fw_h5_field *f, size_t rec_size,
                        size_t *n_out)
{
    hsize_t want = ANY, dims[1] = {0};
    hid_t d = open_checked(r, path, H5T_COMPOUND, 1, &want, dims);
    *n_out = 0;
    if (d < 0)
        return NULL;
    size_t n = (size_t)dims[0];
    hid_t mt = fw_h5_compound_type(f, rec_size, 0);
    void *recs = alloc(r, path, n, rec_size);
    if (mt < 0)
        bad(r, path, "record type cannot be built");
    else if (recs && n && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, recs) < 0) {
        bad(r, path, "records cannot be read (members missing or of the wrong type)");
        memset(recs, 0, n * rec_size);
    }
    if (recs)
        verify(r, d, path, fw_h5_hash_records(f, recs, rec_size, n));
    if (mt >= 0)
        H5Tclose(mt);
    H5Dclose(d);
    *n_out = n;
    return recs;
}

static void reclaim_table(h5r *r, const fw_h5_field *f, size_t rec_size, void *recs, size_t n)
{
    if (!recs || !n)
        return;
    hid_t mt = fw_h5_compound_type(f, rec_size, 0);
    hsize_t dim = n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    if (mt >= 0 && sp >= 0)
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, recs);
    if (sp >= 0)
        H5Sclose(sp);
    if (mt >= 0)
        H5Tclose(mt);
    (void)r;
}

static char *dup_rec_str(h5r *r, const char *s, const char *obj)
{
    char *c = fw_strdup(s);
    if (s && !c)
        oom(r, obj);
    return c;
}

/* ---- sections ------------------------------------------------------------------------ */

static void read_root(h5r *r, fw_results *x)
{
    const char *o = "/";
    char *fmt = attr_str(r, r->f, o, "format");
    int64_t ver = attr_i64(r, r->f, o, "format_version");
    if (!r->rc && (!fmt || strcmp(fmt, FW_H5_FORMAT) != 0))
        bad(r, o, "not a foldwise results file (attribute 'format')");
    else if (!r->rc && ver != FW_H5_VERSION)
        bad(r, o, "format_version %lld is not %d (written by another foldwise version)",
            (long long)ver, FW_H5_VERSION);
    free(fmt);
    char **sv[] = {&x->name, &x->state, &x->config_path, &x->cmdline, &x->host,
                   &x->data_path, &x->v_foldwise, &x->v_mpi, &x->v_gsl, &x->v_hdf5,
                   &x->v_yaml, &x->refit};
    const char *sn[] = {"name", "state", "config_path", "cmdline", "host", "data_path",
                        "version_foldwise", "version_mpi", "version_gsl", "version_hdf5",
                        "version_yaml", "refit"};
    for (size_t i = 0; i < sizeof sn / sizeof *sn; i++)
        *sv[i] = attr_str(r, r->f, o, sn[i]);
    x->seed = attr_u64(r, r->f, o, "seed");
    x->data_hash = attr_u64(r, r->f, o, "data_hash");
    size_t *zv[] = {&x->tasks_total, &x->tasks_done, &x->tasks_failed, &x->tasks_resumed,
                    &x->n_splits, &x->k, &x->repeats};
    const char *zn[] = {"tasks_total", "tasks_done", "tasks_failed", "tasks_resumed",
                        "n_splits", "k", "repeats"};
    for (size_t i = 0; i < sizeof zn / sizeof *zn; i++)
        *zv[i] = (size_t)attr_u64(r, r->f, o, zn[i]);
    x->ranks = (int)attr_i64(r, r->f, o, "ranks");
    x->start_epoch = attr_f64(r, r->f, o, "start_epoch");
    x->end_epoch = attr_f64(r, r->f, o, "end_epoch");
    x->elapsed_s = attr_f64(r, r->f, o, "elapsed_s");
    x->search_s = attr_f64(r, r->f, o, "search_s");
    if (exists(r, "/config")) {
        char **t = read_strs(r, "/config", 0, ANY, NULL);
        x->config_text = t ? t[0] : NULL;
        free(t);
    }
}

static void read_data(h5r *r, fw_results *x)
{
    if (r->rc)
        return;
    hid_t g = H5Gopen2(r->f, "/data", H5P_DEFAULT);
    if (g < 0) {
        bad(r, "/data", "missing");
        return;
    }
    x->task = (int)attr_i64(r, g, "/data", "task");
    x->target = attr_str(r, g, "/data", "target");
    x->n_samples = (size_t)attr_u64(r, g, "/data", "n_samples");
    x->positive = (int)attr_i64(r, g, "/data", "positive");
    H5Gclose(g);
    x->classes = read_strs(r, "/data/classes", 1, ANY, &x->n_classes);
    x->features = read_strs(r, "/data/features", 1, ANY, &x->n_features);
    x->metrics = read_strs(r, "/metrics/names", 1, ANY, &x->n_metrics);
    hsize_t nm = x->n_metrics;
    int64_t *gib = read_i64(r, "/metrics/greater_is_better", 1, &nm);
    x->greater_is_better = alloc(r, "/metrics", x->n_metrics, sizeof(int));
    for (size_t m = 0; gib && x->greater_is_better && m < x->n_metrics; m++)
        x->greater_is_better[m] = (int)gib[m];
    free(gib);
}

static void read_trial_table(h5r *r, fw_results *x)
{
    size_t n;
    fw_h5_trial_rec *t = read_table(r, "/trials/table", fw_h5_trial_fields, sizeof *t, &n);
    x->trials = alloc(r, "/trials/table", n, sizeof *x->trials);
    x->n_trials = x->trials ? n : 0;
    for (size_t i = 0; t && x->trials && !r->rc && i < n; i++) {
        fw_trial *y = &x->trials[i];
        y->model = dup_rec_str(r, t[i].model, "/trials/table");
        y->space = (size_t)t[i].space;
        y->status = t[i].status;
        y->rung = t[i].rung;
        y->not_converged = t[i].not_converged;
        y->resource = t[i].resource;
        y->message = dup_rec_str(r, t[i].message, "/trials/table");
        y->params_json = dup_rec_str(r, t[i].params_json, "/trials/table");
        y->mean_fit_time = t[i].mean_fit_time;
        y->std_fit_time = t[i].std_fit_time;
        y->mean_score_time = t[i].mean_score_time;
        y->std_score_time = t[i].std_score_time;
    }
    reclaim_table(r, fw_h5_trial_fields, sizeof *t, t, n);
    free(t);
}

/* Per-trial rows of an n_trials x ... dataset into the field at `field`. */
static void split_rows(h5r *r, fw_results *x, const char *path, size_t field, size_t per,
                       int rank, const hsize_t *want)
{
    double *v = read_f64(r, path, rank, want);
    for (size_t i = 0; v && i < x->n_trials && !r->rc; i++) {
        double *row = alloc(r, path, per, sizeof *row);
        if (row)
            memcpy(row, v + i * per, per * sizeof *row);
        *(double **)(void *)((char *)&x->trials[i] + field) = row;
    }
    free(v);
}

static void read_params(h5r *r, fw_results *x)
{
    x->param_cols = read_strs(r, "/trials/param_cols", 1, ANY, &x->n_param_cols);
    size_t nt = x->n_trials;
    for (size_t i = 0; i < nt && !r->rc; i++) {
        x->trials[i].param_text = alloc(r, "/trials/params", x->n_param_cols, sizeof(char *));
        x->trials[i].param_num = alloc(r, "/trials/params", x->n_param_cols, sizeof(double));
    }
    for (size_t c = 0; c < x->n_param_cols && !r->rc; c++) {
        char path[600];
        hsize_t want = nt;
        if (!x->param_cols[c] || strchr(x->param_cols[c], '/') ||
            strlen(x->param_cols[c]) > 500) {
            bad(r, "/trials/param_cols", "entry %zu is not a parameter name", c);
            break;
        }
        snprintf(path, sizeof path, "/trials/params/%s/text", x->param_cols[c]);
        char **text = read_strs(r, path, 1, want, NULL);
        snprintf(path, sizeof path, "/trials/params/%s/value", x->param_cols[c]);
        double *num = read_f64(r, path, 1, &want);
        for (size_t i = 0; text && num && i < nt; i++) {
            x->trials[i].param_text[c] = text[i];
            x->trials[i].param_num[c] = num[i];
        }
        if (!num)
            for (size_t i = 0; text && i < nt; i++)
                free(text[i]);
        free(text);
        free(num);
    }
}

static void read_trials(h5r *r, fw_results *x)
{
    read_trial_table(r, x);
    size_t nt = x->n_trials, ns = x->n_splits, nm = x->n_metrics;
    hsize_t d3[3] = {nt, ns, nm}, d2[2] = {nt, nm};
    if (!r->rc && ns && nm && nt > r->max_elems / ns / nm)
        bad(r, "/trials/test", "holds more values than the file has bytes");
    for (const fw_h5_trial_array *a = fw_h5_trial_arrays; a->path; a++)
        split_rows(r, x, a->path, a->field, a->per_split ? ns * nm : nm, a->per_split ? 3 : 2,
                   a->per_split ? d3 : d2);
    int64_t *rank = read_i64(r, "/trials/rank", 2, d2);
    for (size_t i = 0; rank && i < nt && !r->rc; i++) {
        x->trials[i].rank = alloc(r, "/trials/rank", nm, sizeof(long));
        for (size_t m = 0; x->trials[i].rank && m < nm; m++)
            x->trials[i].rank[m] = (long)rank[i * nm + m];
    }
    free(rank);
    read_params(r, x);
}

static void read_best(h5r *r, fw_results *x)
{
    int64_t *b = read_i64(r, "/best", 0, NULL);
    x->best = b ? (long)b[0] : -1;
    free(b);
    hsize_t nm = ANY, got = 0;
    int64_t *bm = read_num(r, "/best_of_model", H5T_INTEGER, H5T_NATIVE_INT64, sizeof *bm, 1,
                           &nm, &got);
    x->n_models = bm ? (size_t)got : 0;
    x->best_of_model = alloc(r, "/best_of_model", x->n_models, sizeof(long));
    for (size_t i = 0; bm && x->best_of_model && i < x->n_models; i++)
        x->best_of_model[i] = (long)bm[i];
    free(bm);
}

static void read_nested(h5r *r, fw_results *x)
{
    size_t n;
    fw_h5_outer_rec *t = read_table(r, "/nested/table", fw_h5_outer_fields, sizeof *t, &n);
    hsize_t d2[2] = {n, x->n_metrics};
    double *test = read_f64(r, "/nested/test", 2, d2);
    x->outer = alloc(r, "/nested/table", n, sizeof *x->outer);
    x->n_outer = x->outer ? n : 0;
    for (size_t i = 0; t && test && x->outer && !r->rc && i < n; i++) {
        fw_outer_row *o = &x->outer[i];
        o->split = (size_t)t[i].split;
        o->status = t[i].status;
        o->model = dup_rec_str(r, t[i].model, "/nested/table");
        o->params_json = dup_rec_str(r, t[i].params_json, "/nested/table");
        o->message = dup_rec_str(r, t[i].message, "/nested/table");
        if ((o->test = alloc(r, "/nested/test", x->n_metrics, sizeof *o->test)))
            memcpy(o->test, test + i * x->n_metrics, x->n_metrics * sizeof *o->test);
    }
    reclaim_table(r, fw_h5_outer_fields, sizeof *t, t, n);
    free(t);
    free(test);
}

static void read_pred(h5r *r, fw_pred_block *p, size_t i)
{
    char path[96];
    snprintf(path, sizeof path, "/predictions/%zu", i);
    hid_t g = r->rc ? -1 : H5Gopen2(r->f, path, H5P_DEFAULT);
    if (g < 0) {
        bad(r, path, "missing");
        return;
    }
    p->model = attr_str(r, g, path, "model");
    p->config = (long)attr_i64(r, g, path, "config");
    p->repeat = (size_t)attr_u64(r, g, path, "repeat");
    p->split = (size_t)attr_u64(r, g, path, "split");
    p->is_proba = (int)attr_i64(r, g, path, "is_proba");
    H5Gclose(g);
    hsize_t dims[2] = {ANY, ANY};
    snprintf(path, sizeof path, "/predictions/%zu/row", i);
    p->row = read_num(r, path, H5T_INTEGER, H5T_NATIVE_UINT32, sizeof *p->row, 1, dims, dims);
    p->n = (size_t)dims[0];
    snprintf(path, sizeof path, "/predictions/%zu/y_true", i);
    p->y_true = read_f64(r, path, 1, dims);
    snprintf(path, sizeof path, "/predictions/%zu/value", i);
    p->value = read_num(r, path, H5T_FLOAT, H5T_NATIVE_DOUBLE, sizeof(double), 2, dims, dims);
    p->width = (size_t)dims[1];
}

static void read_preds(h5r *r, fw_results *x)
{
    hid_t g = r->rc ? -1 : H5Gopen2(r->f, "/predictions", H5P_DEFAULT);
    if (g < 0) {
        bad(r, "/predictions", "missing");
        return;
    }
    uint64_t n = attr_u64(r, g, "/predictions", "n_blocks");
    H5Gclose(g);
    if (!r->rc && n > r->max_elems)
        bad(r, "/predictions", "n_blocks %llu is more than the file can hold",
            (unsigned long long)n);
    x->preds = r->rc ? NULL : alloc(r, "/predictions", (size_t)n, sizeof *x->preds);
    x->n_preds = x->preds ? (size_t)n : 0;
    for (size_t i = 0; i < x->n_preds && !r->rc; i++)
        read_pred(r, &x->preds[i], i);
}

static void read_model(h5r *r, fw_results *x)
{
    if (!exists(r, "/model"))
        return;
    hsize_t want = ANY, got = 0;
    hid_t d = open_checked(r, "/model", H5T_OPAQUE, 1, &want, &got);
    if (d < 0)
        return;
    hid_t t = H5Dget_type(d);
    x->model_len = (size_t)got;
    x->model_blob = got ? alloc(r, "/model", x->model_len, 1) : NULL;
    if (x->model_blob && (t < 0 || H5Tget_size(t) != 1 ||
                          H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, x->model_blob) < 0))
        bad(r, "/model", "bytes cannot be read");
    if (t >= 0)
        H5Tclose(t);
    verify(r, d, "/model", fw_h5_hash_bytes(x->model_blob, x->model_blob ? x->model_len : 0));
    x->model_name = attr_str(r, d, "/model", "model");
    x->model_params_json = attr_str(r, d, "/model", "params");
    x->has_oob = attr_read(r, d, "/model", "oob_score", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                           &x->model_oob, 0);
    H5Dclose(d);
}

/* ---- diagnosis and nested inner searches (absent: empty) ------------------------------ */

static void read_curve_rows(h5r *r, fw_results *x, size_t n, const double *frac,
                            const int64_t *rows, const double *test, const double *train)
{
    size_t per = x->n_splits * x->n_metrics;
    x->curve = alloc(r, "/learning_curve", n, sizeof *x->curve);
    x->n_curve = x->curve ? n : 0;
    for (size_t i = 0; i < x->n_curve && !r->rc; i++) {
        fw_curve_row *c = &x->curve[i];
        c->frac = frac[i];
        c->n_train = (size_t)rows[i];
        c->test = alloc(r, "/learning_curve/test", per, sizeof *c->test);
        c->train = alloc(r, "/learning_curve/train", per, sizeof *c->train);
        if (c->test && c->train && per) {
            memcpy(c->test, test + i * per, per * sizeof *c->test);
            memcpy(c->train, train + i * per, per * sizeof *c->train);
        }
    }
}

static void read_curve(h5r *r, fw_results *x)
{
    if (!exists(r, "/learning_curve"))
        return;
    hid_t g = H5Gopen2(r->f, "/learning_curve", H5P_DEFAULT);
    if (g < 0) {
        bad(r, "/learning_curve", "not a group");
        return;
    }
    x->curve_trial = (long)attr_i64(r, g, "/learning_curve", "trial");
    H5Gclose(g);
    hsize_t want = ANY, n = 0;
    double *frac = read_num(r, "/learning_curve/frac", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                            sizeof(double), 1, &want, &n);
    hsize_t d3[3] = {n, x->n_splits, x->n_metrics};
    if (!r->rc && x->n_splits && x->n_metrics && n > r->max_elems / x->n_splits / x->n_metrics)
        bad(r, "/learning_curve/test", "holds more values than the file has bytes");
    int64_t *rows = read_i64(r, "/learning_curve/n_train", 1, d3);
    double *test = read_f64(r, "/learning_curve/test", 3, d3);
    double *train = read_f64(r, "/learning_curve/train", 3, d3);
    for (size_t i = 0; rows && i < (size_t)n && !r->rc; i++)
        if (rows[i] < 0)
            bad(r, "/learning_curve/n_train", "entry %zu is negative", i);
    if (!r->rc)
        read_curve_rows(r, x, (size_t)n, frac, rows, test, train);
    free(frac), free(rows), free(test), free(train);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* After read_model: the importances name the model they belong to. */
static void read_importances(h5r *r, fw_results *x)
{
    if (!exists(r, "/importances"))
        return;
    hid_t g = H5Gopen2(r->f, "/importances", H5P_DEFAULT);
    if (g < 0) {
        bad(r, "/importances", "not a group");
        return;
    }
    char *model = attr_str(r, g, "/importances", "model");
    H5Gclose(g);
    if (!r->rc && !same_str(model, x->model_name))
        bad(r, "/importances", "attribute 'model' is not the refitted model (/model)");
    free(model);
    size_t n = 0;
    char **names = read_strs(r, "/importances/names", 1, ANY, &n);
    hsize_t dim = n;
    double *v = read_f64(r, "/importances/values", 1, &dim);
    if (!names || !v || r->rc) {
        for (size_t i = 0; names && i < n; i++)
            free(names[i]);
        free(names);
        free(v);
        return;
    }
    x->importance_names = names;
    x->importances = v;
    x->n_importances = n;
}

static void read_inner_row(h5r *r, fw_inner_row *y, const fw_h5_inner_rec *t, size_t smax,
                           size_t nm, const double *mean, const double *sd, const double *test)
{
    const char *obj = "/nested/inner/table";
    y->outer = (size_t)t->outer;
    y->model = dup_rec_str(r, t->model, obj);
    y->params_json = dup_rec_str(r, t->params_json, obj);
    y->status = t->status;
    y->n_splits = (size_t)t->n_splits;
    if (t->n_splits > smax) {
        bad(r, obj, "a row has %llu splits, /nested/inner/test holds %zu",
            (unsigned long long)t->n_splits, smax);
        y->n_splits = 0;
        return;
    }
    y->mean_test = alloc(r, obj, nm, sizeof *y->mean_test);
    y->std_test = alloc(r, obj, nm, sizeof *y->std_test);
    y->test = alloc(r, obj, y->n_splits * nm, sizeof *y->test);
    if (!y->mean_test || !y->std_test || !y->test)
        return;
    memcpy(y->mean_test, mean, nm * sizeof *mean);
    memcpy(y->std_test, sd, nm * sizeof *sd);
    if (y->n_splits)
        memcpy(y->test, test, y->n_splits * nm * sizeof *test);
}

static void read_inner(h5r *r, fw_results *x)
{
    if (!exists(r, "/nested/inner"))
        return;
    size_t n, nm = x->n_metrics;
    fw_h5_inner_rec *t = read_table(r, "/nested/inner/table", fw_h5_inner_fields, sizeof *t, &n);
    hsize_t d2[2] = {n, nm}, d3[3] = {n, ANY, nm}, got[3] = {0, 0, 0};
    double *mean = read_f64(r, "/nested/inner/mean_test", 2, d2);
    double *sd = read_f64(r, "/nested/inner/std_test", 2, d2);
    double *test = read_num(r, "/nested/inner/test", H5T_FLOAT, H5T_NATIVE_DOUBLE,
                            sizeof(double), 3, d3, got);
    size_t smax = (size_t)got[1];
    x->inner = r->rc ? NULL : alloc(r, "/nested/inner/table", n, sizeof *x->inner);
    x->n_inner = x->inner ? n : 0;
    for (size_t i = 0; i < x->n_inner && !r->rc; i++)
        read_inner_row(r, &x->inner[i], &t[i], smax, nm, mean + i * nm, sd + i * nm,
                       test + i * smax * nm);
    reclaim_table(r, fw_h5_inner_fields, sizeof *t, t, n);
    free(t), free(mean), free(sd), free(test);
}

/* ---- meaning ---------------------------------------------------------------------------- */

/* What the report writers print or index with must be there and in range. */
static void check_trials(h5r *r, const fw_results *x)
{
    for (size_t i = 0; i < x->n_trials && !r->rc; i++) {
        const fw_trial *t = &x->trials[i];
        if (!t->model || !t->params_json)
            bad(r, "/trials/table", "row %zu has no model or params_json", i);
        else if (t->status < 0 || t->status > 3)
            bad(r, "/trials/table", "row %zu: status %d is not a known status", i, t->status);
        for (size_t c = 0; c < x->n_param_cols && !r->rc; c++)
            if (!t->param_text[c])
                bad(r, "/trials/params", "%s: row %zu has no text", x->param_cols[c], i);
    }
    if (!r->rc && (x->best < -1 || x->best >= (long)x->n_trials))
        bad(r, "/best", "%ld is not a trial", x->best);
    for (size_t i = 0; i < x->n_models && !r->rc; i++)
        if (x->best_of_model[i] < -1 || x->best_of_model[i] >= (long)x->n_trials)
            bad(r, "/best_of_model", "entry %zu: %ld is not a trial", i, x->best_of_model[i]);
    for (size_t i = 0; i < x->n_outer && !r->rc; i++)
        if (x->outer[i].status > 3 || (x->outer[i].model && !x->outer[i].params_json))
            bad(r, "/nested/table", "row %zu is inconsistent", i);
}

static void check_preds(h5r *r, const fw_results *x)
{
    int cls = x->task == FW_H5_TASK_CLASSIFICATION;
    for (size_t i = 0; i < x->n_preds && !r->rc; i++) {
        const fw_pred_block *p = &x->preds[i];
        char obj[96];
        snprintf(obj, sizeof obj, "/predictions/%zu", i);
        if (!p->model)
            bad(r, obj, "attribute 'model' is missing");
        else if (p->n && (p->width == 0 || (cls && p->width > x->n_classes)))
            bad(r, obj, "value has %zu columns for %zu classes", p->width, x->n_classes);
        for (size_t j = 0; cls && j < p->n && !r->rc; j++) {
            double y = p->y_true[j];
            if (!(y >= 0 && y < (double)x->n_classes && y == floor(y)))
                bad(r, obj, "y_true of row %zu is not a class code", j);
        }
    }
}

static void check_sections(h5r *r, const fw_results *x)
{
    if (x->n_curve && (x->curve_trial < -1 || x->curve_trial >= (long)x->n_trials))
        bad(r, "/learning_curve", "attribute 'trial': %ld is not a trial", x->curve_trial);
    for (size_t i = 0; i < x->n_importances && !r->rc; i++)
        if (!x->importance_names[i])
            bad(r, "/importances/names", "entry %zu is empty", i);
    for (size_t i = 0; i < x->n_inner && !r->rc; i++) {
        const fw_inner_row *y = &x->inner[i];
        if (!y->model || !y->params_json || y->status < 0 || y->status > 3)
            bad(r, "/nested/inner/table", "row %zu is inconsistent", i);
    }
}

static void check_meaning(h5r *r, const fw_results *x)
{
    const char *need[] = {x->name, x->state, x->v_foldwise, x->v_mpi, x->v_gsl, x->v_hdf5,
                          x->v_yaml};
    for (size_t i = 0; i < sizeof need / sizeof *need && !r->rc; i++)
        if (!need[i])
            bad(r, "/", "a run attribute (name, state or versions) is missing");
    if (!r->rc && x->task != FW_H5_TASK_CLASSIFICATION && x->task != FW_H5_TASK_REGRESSION)
        bad(r, "/data", "task %d is neither classification nor regression", x->task);
    if (!r->rc && x->n_metrics == 0)
        bad(r, "/metrics/names", "no metric");
    char **lists[] = {x->classes, x->features, x->metrics, x->param_cols};
    size_t ns[] = {x->n_classes, x->n_features, x->n_metrics, x->n_param_cols};
    const char *names[] = {"/data/classes", "/data/features", "/metrics/names",
                           "/trials/param_cols"};
    for (size_t l = 0; l < 4 && !r->rc; l++)
        for (size_t i = 0; i < ns[l] && !r->rc; i++)
            if (!lists[l][i])
                bad(r, names[l], "entry %zu is empty", i);
    if (!r->rc)
        check_trials(r, x);
    if (!r->rc)
        check_preds(r, x);
    if (!r->rc)
        check_sections(r, x);
}

static void check_content(h5r *r, const fw_results *x)
{
    if (r->rc)
        return;
    uint64_t want = attr_u64(r, r->f, "/", "content_xxh3");
    fw_sb b;
    fw_sb_init(&b);
    fw_results_pack(x, &b);
    if (b.oom)
        oom(r, "/");
    else if (!r->rc && fw_h5_hash_bytes(b.s, b.len) != want)
        bad(r, "/", "the run attributes do not match the file's content checksum");
    fw_sb_free(&b);
}

int fw_h5_read_direct(const char *path, fw_results **out, fw_err *e)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "no results file there");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5r r = {-1, fw_h5_str_type(), path, e, FW_OK, (hsize_t)st.st_size + 1024};
    fw_results *x = calloc(1, sizeof *x);
    if (!x || r.str < 0) {
        if (r.str >= 0)
            H5Tclose(r.str);
        free(x);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    x->best = -1;
    if (H5Fis_hdf5(path) <= 0 ||
        (r.f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        bad(&r, "/", "not a readable HDF5 file (truncated or overwritten)");
    read_root(&r, x);
    read_data(&r, x);
    read_trials(&r, x);
    read_best(&r, x);
    read_nested(&r, x);
    read_preds(&r, x);
    read_model(&r, x);
    read_curve(&r, x);
    read_importances(&r, x);
    read_inner(&r, x);
    check_meaning(&r, x);
    check_content(&r, x);
    if (r.f >= 0)
        H5Fclose(r.f);
    H5Tclose(r.str);
    if (r.rc) {
        fw_results_free(x);
        return r.rc;
    }
    *out = x;
    return FW_OK;
}
