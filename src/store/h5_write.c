/* h5_write.c: fw_results into results.h5 (schema in docs/results.md).
 *
 * The file is written to PATH.tmp, closed, synced, and renamed over PATH,
 * so a reader sees the old file or the new one, never half of one. Strings
 * are variable-length UTF-8, numbers plain little-endian integers and IEEE
 * doubles, so h5dump and h5py read it as is. Every dataset carries an
 * `xxh3` attribute (the hash of its values) and the root a `content_xxh3`
 * of the whole structure: the reader names a damaged dataset, and notices
 * damage anywhere else. Metadata use the HDF5 1.8 object formats, whose
 * headers are checksummed too. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

typedef struct h5w {
    hid_t f, str;
    const char *path;   /* the final path, for messages */
    fw_err *e;
    int rc;             /* sticky: the first failure wins */
} h5w;

static void fail(h5w *w, int code, const char *obj, const char *what)
{
    if (w->rc)
        return;
    int er = errno;
    w->rc = code;
    if (code == FW_EIO && er)
        fw_err_at(w->e, code, w->path, 0, 0, "%s: cannot %s: %s", obj, what, strerror(er));
    else
        fw_err_at(w->e, code, w->path, 0, 0, "%s: cannot %s", obj, what);
}

static hid_t space_of(int rank, const hsize_t *dims)
{
    return rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
}

/* ---- attributes ------------------------------------------------------------- */

static void attr(h5w *w, hid_t loc, const char *obj, const char *name, hid_t ftype,
                 hid_t mtype, const void *v)
{
    if (w->rc)
        return;
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, v) < 0)
        fail(w, FW_EIO, obj, "write an attribute");
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
}

/* A NULL string is no attribute: the reader gives NULL back. */
static void attr_str(h5w *w, hid_t loc, const char *obj, const char *name, const char *s)
{
    if (s)
        attr(w, loc, obj, name, w->str, w->str, &s);
}

static void attr_u64(h5w *w, hid_t loc, const char *obj, const char *name, uint64_t v)
{
    attr(w, loc, obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static void attr_i64(h5w *w, hid_t loc, const char *obj, const char *name, int64_t v)
{
    attr(w, loc, obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static void attr_f64(h5w *w, hid_t loc, const char *obj, const char *name, double v)
{
    attr(w, loc, obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

/* ---- groups and datasets --------------------------------------------------------- */

/* Create group `path`; returns it open (the caller closes it), or -1. */
static hid_t group_open(h5w *w, const char *path)
{
    if (w->rc)
        return -1;
    hid_t g = H5Gcreate2(w->f, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        fail(w, FW_EIO, path, "create the group");
    return g;
}

static void group(h5w *w, const char *path)
{
    hid_t g = group_open(w, path);
    if (g >= 0)
        H5Gclose(g);
}

/* Create dataset `path` and write buf (which may be NULL when it holds no
 * element); `check` becomes its xxh3 attribute. Returns the open dataset
 * for more attributes (the caller closes it), or -1. */
static hid_t dset(h5w *w, const char *path, hid_t ftype, hid_t mtype, int rank,
                  const hsize_t *dims, const void *buf, uint64_t check)
{
    static const double none[1];
    if (w->rc)
        return -1;
    hid_t sp = space_of(rank, dims);
    hid_t d = sp < 0 ? -1
                     : H5Dcreate2(w->f, path, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf ? buf : none) < 0)
        fail(w, FW_EIO, path, "write the dataset");
    if (sp >= 0)
        H5Sclose(sp);
    attr_u64(w, d, path, FW_H5_CHECK_ATTR, check);
    if (w->rc && d >= 0) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

static void done(hid_t d)
{
    if (d >= 0)
        H5Dclose(d);
}

static size_t elems(int rank, const hsize_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    return n;
}

static void dset_f64(h5w *w, const char *path, int rank, const hsize_t *dims, const double *v)
{
    uint64_t h = fw_h5_hash_bytes(v, elems(rank, dims) * sizeof *v);
    done(dset(w, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, v, h));
}

static void dset_i64(h5w *w, const char *path, int rank, const hsize_t *dims, const int64_t *v)
{
    uint64_t h = fw_h5_hash_bytes(v, elems(rank, dims) * sizeof *v);
    done(dset(w, path, H5T_STD_I64LE, H5T_NATIVE_INT64, rank, dims, v, h));
}

static void dset_strs(h5w *w, const char *path, size_t n, char *const *s)
{
    hsize_t dim = n;
    done(dset(w, path, w->str, w->str, 1, &dim, s, fw_h5_hash_strs(s, n)));
}

/* Attributes and datasets need one array; the structure holds one array
 * per trial. */
static int64_t *gather_i64(h5w *w, size_t n, const char *obj)
{
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        fail(w, FW_ENOMEM, obj, "allocate memory");
    return v;
}

/* ---- sections ------------------------------------------------------------------- */

static void write_root(h5w *w, const fw_results *r)
{
    const char *o = "/";
    attr_str(w, w->f, o, "format", FW_H5_FORMAT);
    attr_i64(w, w->f, o, "format_version", FW_H5_VERSION);
    const char *sn[] = {"name", "state", "config_path", "cmdline", "host", "data_path",
                        "version_foldwise", "version_mpi", "version_gsl", "version_hdf5",
                        "version_yaml", "refit"};
    const char *sv[] = {r->name, r->state, r->config_path, r->cmdline, r->host, r->data_path,
                        r->v_foldwise, r->v_mpi, r->v_gsl, r->v_hdf5, r->v_yaml, r->refit};
    for (size_t i = 0; i < sizeof sn / sizeof *sn; i++)
        attr_str(w, w->f, o, sn[i], sv[i]);
    const char *un[] = {"seed", "data_hash", "tasks_total", "tasks_done", "tasks_failed",
                        "tasks_resumed", "n_splits", "k", "repeats"};
    uint64_t uv[] = {r->seed, r->data_hash, r->tasks_total, r->tasks_done, r->tasks_failed,
                     r->tasks_resumed, r->n_splits, r->k, r->repeats};
    for (size_t i = 0; i < sizeof un / sizeof *un; i++)
        attr_u64(w, w->f, o, un[i], uv[i]);
    attr_i64(w, w->f, o, "ranks", r->ranks);
    const char *fn[] = {"start_epoch", "end_epoch", "elapsed_s", "search_s"};
    double fv[] = {r->start_epoch, r->end_epoch, r->elapsed_s, r->search_s};
    for (size_t i = 0; i < 4; i++)
        attr_f64(w, w->f, o, fn[i], fv[i]);
    if (r->config_text)
        done(dset(w, "/config", w->str, w->str, 0, NULL, &r->config_text,
                  fw_h5_hash_strs(&r->config_text, 1)));
}

static void write_data(h5w *w, const fw_results *r)
{
    group(w, "/metrics");
    hid_t g = group_open(w, "/data");
    if (g < 0)
        return;
    attr_i64(w, g, "/data", "task", r->task);
    attr_str(w, g, "/data", "task_name",
             r->task == FW_H5_TASK_CLASSIFICATION ? "classification"
             : r->task == FW_H5_TASK_REGRESSION  ? "regression" : "unknown");
    attr_str(w, g, "/data", "target", r->target);
    attr_u64(w, g, "/data", "n_samples", r->n_samples);
    attr_i64(w, g, "/data", "positive", r->positive);
    H5Gclose(g);
    dset_strs(w, "/data/classes", r->n_classes, r->classes);
    dset_strs(w, "/data/features", r->n_features, r->features);
    dset_strs(w, "/metrics/names", r->n_metrics, r->metrics);
    int64_t *gib = gather_i64(w, r->n_metrics, "/metrics/greater_is_better");
    for (size_t m = 0; gib && m < r->n_metrics; m++)
        gib[m] = r->greater_is_better[m];
    hsize_t dim = r->n_metrics;
    dset_i64(w, "/metrics/greater_is_better", 1, &dim, gib);
    free(gib);
}

static void write_table(h5w *w, const char *path, const fw_h5_field *f, size_t rec_size,
                        const void *recs, size_t n)
{
    if (w->rc)
        return;
    hid_t mt = fw_h5_compound_type(f, rec_size, 0), ft = fw_h5_compound_type(f, rec_size, 1);
    hsize_t dim = n;
    if (mt < 0 || ft < 0)
        fail(w, FW_EIO, path, "build the record type");
    else
        done(dset(w, path, ft, mt, 1, &dim, recs, fw_h5_hash_records(f, recs, rec_size, n)));
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
}

static void write_trial_table(h5w *w, const fw_results *r)
{
    fw_h5_trial_rec *t = calloc(r->n_trials ? r->n_trials : 1, sizeof *t);
    if (!t) {
        fail(w, FW_ENOMEM, "/trials/table", "allocate memory");
        return;
    }
    for (size_t i = 0; i < r->n_trials; i++) {
        const fw_trial *x = &r->trials[i];
        t[i] = (fw_h5_trial_rec){x->model, x->space, x->status, x->rung, x->not_converged,
                                 x->resource, x->message, x->params_json, x->mean_fit_time,
                                 x->std_fit_time, x->mean_score_time, x->std_score_time};
    }
    write_table(w, "/trials/table", fw_h5_trial_fields, sizeof *t, t, r->n_trials);
    free(t);
}

/* One per-trial array of `per` doubles (offset by field) as an
 * n_trials x dims[1..] dataset. */
static void write_trial_f64(h5w *w, const fw_results *r, const char *path, size_t field,
                            size_t per, int rank, hsize_t *dims)
{
    size_t n = r->n_trials * per;
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        fail(w, FW_ENOMEM, path, "allocate memory");
        return;
    }
    for (size_t i = 0; i < r->n_trials; i++) {
        const double *src = *(double *const *)(const void *)((const char *)&r->trials[i] + field);
        memcpy(v + i * per, src, per * sizeof *v);
    }
    dset_f64(w, path, rank, dims, v);
    free(v);
}

static int param_name_ok(const char *s)
{
    return s && s[0] && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/');
}

static void write_params(h5w *w, const fw_results *r)
{
    dset_strs(w, "/trials/param_cols", r->n_param_cols, r->param_cols);
    group(w, "/trials/params");
    size_t nt = r->n_trials;
    char **text = calloc(nt ? nt : 1, sizeof *text);
    double *num = malloc((nt ? nt : 1) * sizeof *num);
    if (!text || !num)
        fail(w, FW_ENOMEM, "/trials/params", "allocate memory");
    for (size_t c = 0; !w->rc && c < r->n_param_cols; c++) {
        char path[512];
        if (!param_name_ok(r->param_cols[c]) ||
            strlen(r->param_cols[c]) > sizeof path - 32) {
            fail(w, FW_EINVAL, "/trials/param_cols", "store a parameter name that is empty, "
                 "too long or holds '/'");
            break;
        }
        for (size_t i = 0; i < nt; i++) {
            text[i] = r->trials[i].param_text[c];
            num[i] = r->trials[i].param_num[c];
        }
        snprintf(path, sizeof path, "/trials/params/%s", r->param_cols[c]);
        group(w, path);
        snprintf(path, sizeof path, "/trials/params/%s/text", r->param_cols[c]);
        dset_strs(w, path, nt, text);
        snprintf(path, sizeof path, "/trials/params/%s/value", r->param_cols[c]);
        hsize_t dim = nt;
        dset_f64(w, path, 1, &dim, num);
    }
    free(text);
    free(num);
}

static void write_trials(h5w *w, const fw_results *r)
{
    size_t nt = r->n_trials, ns = r->n_splits, nm = r->n_metrics;
    if (ns && nm && (nt > SIZE_MAX / 8 / ns / nm)) {
        fail(w, FW_EINVAL, "/trials/test", "hold that many scores");
        return;
    }
    group(w, "/trials");
    write_trial_table(w, r);
    hsize_t d3[3] = {nt, ns, nm}, d2[2] = {nt, nm};
    for (const fw_h5_trial_array *a = fw_h5_trial_arrays; a->path; a++)
        write_trial_f64(w, r, a->path, a->field, a->per_split ? ns * nm : nm,
                        a->per_split ? 3 : 2, a->per_split ? d3 : d2);
    int64_t *rank = gather_i64(w, nt * nm, "/trials/rank");
    for (size_t i = 0; rank && i < nt; i++)
        for (size_t m = 0; m < nm; m++)
            rank[i * nm + m] = r->trials[i].rank[m];
    dset_i64(w, "/trials/rank", 2, d2, rank);
    free(rank);
    write_params(w, r);
}

static void write_best(h5w *w, const fw_results *r)
{
    int64_t best = r->best;
    dset_i64(w, "/best", 0, NULL, &best);
    int64_t *bm = gather_i64(w, r->n_models, "/best_of_model");
    for (size_t i = 0; bm && i < r->n_models; i++)
        bm[i] = r->best_of_model[i];
    hsize_t dim = r->n_models;
    dset_i64(w, "/best_of_model", 1, &dim, bm);
    free(bm);
}

static void write_nested(h5w *w, const fw_results *r)
{
    size_t n = r->n_outer, nm = r->n_metrics;
    group(w, "/nested");
    fw_h5_outer_rec *t = calloc(n ? n : 1, sizeof *t);
    double *test = malloc((n && nm ? n * nm : 1) * sizeof *test);
    if (!t || !test)
        fail(w, FW_ENOMEM, "/nested", "allocate memory");
    for (size_t i = 0; t && test && i < n; i++) {
        const fw_outer_row *o = &r->outer[i];
        t[i] = (fw_h5_outer_rec){o->split, o->status, o->model, o->params_json, o->message};
        memcpy(test + i * nm, o->test, nm * sizeof *test);
    }
    write_table(w, "/nested/table", fw_h5_outer_fields, sizeof *t, t, n);
    hsize_t d2[2] = {n, nm};
    dset_f64(w, "/nested/test", 2, d2, test);
    free(t);
    free(test);
}

static void write_pred(h5w *w, const fw_pred_block *p, size_t i)
{
    char path[96];
    snprintf(path, sizeof path, "/predictions/%zu", i);
    hid_t g = group_open(w, path);
    if (g < 0)
        return;
    attr_str(w, g, path, "model", p->model);
    attr_i64(w, g, path, "config", p->config);
    attr_u64(w, g, path, "repeat", p->repeat);
    attr_u64(w, g, path, "split", p->split);
    attr_i64(w, g, path, "is_proba", p->is_proba);
    H5Gclose(g);
    hsize_t dims[2] = {p->n, p->width};
    snprintf(path, sizeof path, "/predictions/%zu/row", i);
    done(dset(w, path, H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, dims, p->row,
              fw_h5_hash_bytes(p->row, p->n * sizeof *p->row)));
    snprintf(path, sizeof path, "/predictions/%zu/y_true", i);
    dset_f64(w, path, 1, dims, p->y_true);
    snprintf(path, sizeof path, "/predictions/%zu/value", i);
    dset_f64(w, path, 2, dims, p->value);
}

static void write_preds(h5w *w, const fw_results *r)
{
    hid_t g = group_open(w, "/predictions");
    if (g < 0)
        return;
    attr_u64(w, g, "/predictions", "n_blocks", r->n_preds);
    H5Gclose(g);
    for (size_t i = 0; !w->rc && i < r->n_preds; i++)
        write_pred(w, &r->preds[i], i);
}

static void write_model(h5w *w, const fw_results *r)
{
    if (!r->model_blob && !r->model_name && !r->model_params_json)
        return;
    size_t n = r->model_blob ? r->model_len : 0;
    /* No tag: HDF5 converts only between opaque types with equal tags, and
     * h5py reads bytes as an untagged opaque type (the attribute `format`
     * says what the bytes are instead). */
    hid_t t = H5Tcreate(H5T_OPAQUE, 1);
    if (t < 0) {
        fail(w, FW_EIO, "/model", "build the opaque type");
        return;
    }
    hsize_t dim = n;
    hid_t d = dset(w, "/model", t, t, 1, &dim, r->model_blob, fw_h5_hash_bytes(r->model_blob, n));
    H5Tclose(t);
    if (d < 0)
        return;
    attr_str(w, d, "/model", "format", "foldwise fitted model with its preprocessing");
    attr_str(w, d, "/model", "model", r->model_name);
    attr_str(w, d, "/model", "params", r->model_params_json);
    if (r->has_oob)
        attr_f64(w, d, "/model", "oob_score", r->model_oob);
    H5Dclose(d);
}

/* ---- diagnosis and nested inner searches (present only when they hold
 * something: files of runs without them are as before) ------------------- */

static void write_curve(h5w *w, const fw_results *r)
{
    size_t n = r->n_curve, per = r->n_splits * r->n_metrics;
    if (!fw_results_has_curve(r))
        return;
    hid_t g = group_open(w, "/learning_curve");
    if (g < 0)
        return;
    attr_i64(w, g, "/learning_curve", "trial", r->curve_trial);
    H5Gclose(g);
    double *frac = malloc((n ? n : 1) * sizeof *frac);
    int64_t *rows = gather_i64(w, n, "/learning_curve/n_train");
    double *test = malloc((n && per ? n * per : 1) * sizeof *test);
    double *train = malloc((n && per ? n * per : 1) * sizeof *train);
    if (!frac || !test || !train)
        fail(w, FW_ENOMEM, "/learning_curve", "allocate memory");
    for (size_t i = 0; !w->rc && i < n; i++) {
        frac[i] = r->curve[i].frac;
        rows[i] = (int64_t)r->curve[i].n_train;
        if (per) {
            memcpy(test + i * per, r->curve[i].test, per * sizeof *test);
            memcpy(train + i * per, r->curve[i].train, per * sizeof *train);
        }
    }
    hsize_t d3[3] = {n, r->n_splits, r->n_metrics};
    dset_f64(w, "/learning_curve/frac", 1, d3, frac);
    dset_i64(w, "/learning_curve/n_train", 1, d3, rows);
    dset_f64(w, "/learning_curve/test", 3, d3, test);
    dset_f64(w, "/learning_curve/train", 3, d3, train);
    free(frac), free(rows), free(test), free(train);
}

static void write_importances(h5w *w, const fw_results *r)
{
    if (!r->n_importances)
        return;
    hid_t g = group_open(w, "/importances");
    if (g < 0)
        return;
    attr_str(w, g, "/importances", "model", r->model_name);
    H5Gclose(g);
    hsize_t dim = r->n_importances;
    dset_strs(w, "/importances/names", r->n_importances, r->importance_names);
    dset_f64(w, "/importances/values", 1, &dim, r->importances);
}

/* Inner splits may differ between outer splits: /nested/inner/test is
 * padded with NaN to the most splits, the table's n_splits says how many
 * are real. */
static void write_inner(h5w *w, const fw_results *r)
{
    size_t n = r->n_inner, nm = r->n_metrics, smax = 0;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        smax = r->inner[i].n_splits > smax ? r->inner[i].n_splits : smax;
    if (smax && nm && n > SIZE_MAX / 8 / smax / nm) {
        fail(w, FW_EINVAL, "/nested/inner/test", "hold that many scores");
        return;
    }
    group(w, "/nested/inner");
    fw_h5_inner_rec *t = calloc(n, sizeof *t);
    double *mean = malloc(n * (nm ? nm : 1) * sizeof *mean);
    double *sd = malloc(n * (nm ? nm : 1) * sizeof *sd);
    double *test = malloc((smax && nm ? n * smax * nm : 1) * sizeof *test);
    if (!t || !mean || !sd || !test)
        fail(w, FW_ENOMEM, "/nested/inner", "allocate memory");
    for (size_t i = 0; !w->rc && i < n; i++) {
        const fw_inner_row *x = &r->inner[i];
        t[i] = (fw_h5_inner_rec){x->outer, x->model, x->params_json, x->status, x->n_splits};
        memcpy(mean + i * nm, x->mean_test, nm * sizeof *mean);
        memcpy(sd + i * nm, x->std_test, nm * sizeof *sd);
        for (size_t k = 0; k < smax * nm; k++)
            test[i * smax * nm + k] = k < x->n_splits * nm ? x->test[k] : NAN;
    }
    write_table(w, "/nested/inner/table", fw_h5_inner_fields, sizeof *t, t, n);
    hsize_t d2[2] = {n, nm}, d3[3] = {n, smax, nm};
    dset_f64(w, "/nested/inner/mean_test", 2, d2, mean);
    dset_f64(w, "/nested/inner/std_test", 2, d2, sd);
    dset_f64(w, "/nested/inner/test", 3, d3, test);
    free(t), free(mean), free(sd), free(test);
}

static void write_all(h5w *w, const fw_results *r)
{
    write_root(w, r);
    write_data(w, r);
    write_trials(w, r);
    write_best(w, r);
    write_nested(w, r);
    write_inner(w, r);
    write_preds(w, r);
    write_model(w, r);
    write_curve(w, r);
    write_importances(w, r);
    fw_sb b;
    fw_sb_init(&b);
    fw_results_pack(r, &b);
    if (b.oom)
        fail(w, FW_ENOMEM, "/", "allocate memory");
    attr_u64(w, w->f, "/", "content_xxh3", fw_h5_hash_bytes(b.s, b.len));
    fw_sb_free(&b);
}

/* The file's bytes on disk before the rename makes them visible. */
static int sync_file(const char *tmp)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    int fd = open(dir[0] ? dir : "/", O_RDONLY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse it on directories */
        close(fd);
    }
}

static int check_sections(const fw_results *r, const char *path, fw_err *e)
{
    if ((r->n_curve && !r->curve) || (r->n_importances && (!r->importance_names ||
                                                        !r->importances)) ||
        (r->n_inner && !r->inner))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "results with a count but no array");
    size_t per = r->n_splits * r->n_metrics;
    for (size_t i = 0; i < r->n_curve; i++)
        if (per && (!r->curve[i].test || !r->curve[i].train))
            return fw_err_at(e, FW_EINVAL, path, 0, 0, "learning-curve point %zu has no "
                             "scores", i);
    for (size_t i = 0; i < r->n_inner; i++)
        if (!r->inner[i].mean_test || !r->inner[i].std_test ||
            (r->inner[i].n_splits && !r->inner[i].test))
            return fw_err_at(e, FW_EINVAL, path, 0, 0, "inner row %zu has no scores", i);
    return FW_OK;
}

static int check_input(const fw_results *r, const char *path, fw_err *e)
{
    if (r->n_metrics == 0 || !r->metrics || !r->greater_is_better)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "results without a metric");
    if ((r->n_models && !r->best_of_model) || (r->n_classes && !r->classes) ||
        (r->n_features && !r->features) || (r->n_param_cols && !r->param_cols) ||
        (r->n_trials && !r->trials) || (r->n_outer && !r->outer) || (r->n_preds && !r->preds))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "results with a count but no array");
    for (size_t i = 0; i < r->n_trials; i++)
        if (!r->trials[i].test || !r->trials[i].train || !r->trials[i].mean_test ||
            !r->trials[i].std_test || !r->trials[i].mean_train || !r->trials[i].std_train ||
            !r->trials[i].rank || (r->n_param_cols && (!r->trials[i].param_text ||
                                                       !r->trials[i].param_num)))
            return fw_err_at(e, FW_EINVAL, path, 0, 0, "trial %zu has no scores", i);
    return check_sections(r, path, e);
}

int fw_results_write_h5(const fw_results *r, const char *path, fw_err *e)
{
    char tmp[4096];
    int rc = check_input(r, path, e);
    if (rc)
        return rc;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "path too long");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    h5w w = {-1, -1, path, e, FW_OK};
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0)
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18);
    errno = 0;
    w.f = fapl < 0 ? -1 : H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    w.str = fw_h5_str_type();
    if (fapl >= 0)
        H5Pclose(fapl);
    if (w.f < 0 || w.str < 0)
        fail(&w, FW_EIO, tmp, "create the file");
    else
        write_all(&w, r);
    if (w.str >= 0)
        H5Tclose(w.str);
    errno = 0;
    if (w.f >= 0 && H5Fclose(w.f) < 0)
        fail(&w, FW_EIO, tmp, "write the file");
    errno = 0;
    if (!w.rc && sync_file(tmp) != 0)
        fail(&w, FW_EIO, tmp, "sync the file");
    if (!w.rc && rename(tmp, path) != 0)
        fail(&w, FW_EIO, tmp, "rename it into place");
    if (w.rc) {
        unlink(tmp);
        return w.rc;
    }
    sync_dir(path);
    return FW_OK;
}
