/* test_results.c: results.h5. A hand-built fw_results (NaN scores, NULL
 * and empty strings, unicode, empty arrays, a model blob with zero bytes,
 * a learning curve, importances, nested inner rows with differing inner
 * split counts) written and read back equal, field by field; without those
 * sections no group is written and the packed form is as before; damaged files (truncated at
 * many lengths, bytes flipped anywhere, a dataset's values changed, not
 * HDF5 at all) refused with FW_EINVAL and a message, never a crash; the
 * write is atomic and an unwritable place is FW_EIO. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "foldwise/store.h"
#include "harness.h"
#include "store/store_int.h"

/* ---- building ----------------------------------------------------------------- */

static char **strs(size_t n, const char *const *s)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = s[i] ? fw_strdup(s[i]) : NULL;
    return v;
}

static double *nums(size_t n, double base)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = base + 0.1 * (double)i;
    return v;
}

static void meta(fw_results *r, const char *name)
{
    r->name = fw_strdup(name);
    r->state = fw_strdup("finished");
    r->v_foldwise = fw_strdup(FW_VERSION);
    r->v_mpi = fw_strdup("Open MPI 4.1.4");
    r->v_gsl = fw_strdup("2.7.1");
    r->v_hdf5 = fw_strdup("1.10.8");
    r->v_yaml = fw_strdup("0.2.5");
    r->seed = 18446744073709551557ull;
    r->data_hash = 0xa6696a1dc7c743b2ull;
    r->ranks = 3;
    r->start_epoch = 1.7e9;
    r->end_epoch = 1.7e9 + 2.5;
    r->elapsed_s = 2.5;
    r->search_s = 2.25;
    r->tasks_total = 40;
    r->tasks_done = 38;
    r->tasks_failed = 2;
    r->tasks_resumed = 7;
}

static void trial(fw_results *r, size_t i, const char *model)
{
    fw_trial *t = &r->trials[i];
    size_t nm = r->n_metrics, ns = r->n_splits;
    const char *text[2] = {i == 1 ? "" : "0.5", i == 2 ? "ℓ1-ratio ✓" : "l2"};
    t->model = fw_strdup(model);
    t->space = i % 2;
    t->param_text = strs(2, text);
    t->param_num = nums(2, (double)i);
    t->param_num[1] = NAN;
    t->params_json = fw_strdup(i == 2 ? "{\"penalty\": \"ℓ1-ratio ✓\"}" : "{}");
    t->status = (int)i;                         /* ok, failed, timeout */
    t->rung = (int)i;
    t->resource = 100.0 * (double)i;
    t->not_converged = (int)i;
    t->message = i == 0 ? NULL : fw_strdup(i == 1 ? "" : "ConvergenceWarning: 𝛼 too small");
    t->test = nums(ns * nm, 0.5 + (double)i);
    t->train = nums(ns * nm, 0.9);
    if (i == 1)
        for (size_t k = 0; k < ns * nm; k++)
            t->test[k] = NAN;
    t->test[0] = -0.0;
    t->mean_test = nums(nm, 0.7);
    t->std_test = nums(nm, 0.01);
    t->mean_train = nums(nm, 0.8);
    t->std_train = nums(nm, NAN);
    t->rank = malloc(nm * sizeof *t->rank);
    for (size_t m = 0; m < nm; m++)
        t->rank[m] = (long)(i + 1);
    t->mean_fit_time = 0.001 * (double)i;
    t->std_fit_time = 1e-300;
    t->mean_score_time = INFINITY;
    t->std_score_time = 0;
}

static void preds(fw_results *r)
{
    r->n_preds = 2;
    r->preds = calloc(2, sizeof *r->preds);
    for (size_t b = 0; b < 2; b++) {
        fw_pred_block *p = &r->preds[b];
        p->model = fw_strdup(b ? "gaussian_nb" : "knn");
        p->config = (long)b;
        p->repeat = b;
        p->split = 2 - b;
        p->n = b ? 0 : 4;                         /* an empty block too */
        p->width = 3;
        p->is_proba = 1;
        p->row = malloc((p->n ? p->n : 1) * sizeof *p->row);
        p->y_true = malloc((p->n ? p->n : 1) * sizeof *p->y_true);
        p->value = nums(p->n * p->width, 0.2);
        for (size_t j = 0; j < p->n; j++) {
            p->row[j] = (uint32_t)(4000000000u + j);
            p->y_true[j] = (double)(j % 3);
        }
    }
}

/* A learning curve (NaN where a fit failed), importances with unicode
 * names, and inner rows with 3, 0 and 2 inner splits. */
static void sections(fw_results *r)
{
    static const char *const names[] = {"x,0", "colour=rouge ✓", "a/b"};
    size_t per = r->n_splits * r->n_metrics;
    r->n_curve = 3;
    r->curve = calloc(3, sizeof *r->curve);
    r->curve_trial = 2;
    for (size_t i = 0; i < 3; i++) {
        r->curve[i].frac = i == 2 ? 1.0 : 0.1 * (double)(i + 1);
        r->curve[i].n_train = 10 * (i + 1);
        r->curve[i].test = nums(per, 0.6 + (double)i);
        r->curve[i].train = nums(per, 0.9);
    }
    r->curve[1].test[2] = NAN;
    r->curve[0].train[0] = -0.0;
    r->n_importances = 3;
    r->importance_names = strs(3, names);
    r->importances = nums(3, 0.2);
    r->importances[2] = 0;
    r->has_oob = 1;
    r->model_oob = 0.9375;
    static const size_t splits[] = {3, 0, 2};
    r->n_inner = 3;
    r->inner = calloc(3, sizeof *r->inner);
    for (size_t i = 0; i < 3; i++) {
        fw_inner_row *x = &r->inner[i];
        x->outer = i / 2;
        x->model = fw_strdup(i ? "gaussian_nb" : "knn");
        x->params_json = fw_strdup(i ? "{}" : "{\"k\": 3, \"w\": \"ü\"}");
        x->status = (int)i;
        x->n_splits = splits[i];
        x->mean_test = nums(r->n_metrics, 0.5);
        x->std_test = nums(r->n_metrics, NAN);
        x->test = x->n_splits ? nums(x->n_splits * r->n_metrics, 0.3) : NULL;
    }
}

/* A classification run with everything filled. */
static fw_results *full(void)
{
    fw_results *r = calloc(1, sizeof *r);
    static const char *const classes[] = {"bénin", "malin", "数字"};
    static const char *const feats[] = {"x,0", "\"quoted\"", "ünïcode", "a/b"};
    static const char *const metrics[] = {"roc_auc_ovr", "log_loss"};
    static const char *const cols[] = {"C", "penalty"};
    meta(r, "démo ✓");
    r->config_text = fw_strdup("name: démo ✓\nseed: 1\n# --set cv.outer.k=3\n");
    r->config_path = fw_strdup("configs/démo.yaml");
    r->cmdline = fw_strdup("foldwise run configs/démo.yaml");
    r->host = fw_strdup("node-1");
    r->data_path = fw_strdup("tests/data/iris.csv");
    r->task = 1;
    r->target = fw_strdup("species");
    r->n_samples = 150;
    r->n_classes = 3;
    r->classes = strs(3, classes);
    r->positive = -1;
    r->n_features = 4;
    r->features = strs(4, feats);
    r->n_metrics = 2;
    r->metrics = strs(2, metrics);
    r->greater_is_better = malloc(2 * sizeof(int));
    r->greater_is_better[0] = 1;
    r->greater_is_better[1] = 0;
    r->n_splits = 3;
    r->k = 3;
    r->repeats = 1;
    r->n_param_cols = 2;
    r->param_cols = strs(2, cols);
    r->n_trials = 3;
    r->trials = calloc(3, sizeof *r->trials);
    for (size_t i = 0; i < 3; i++)
        trial(r, i, i == 2 ? "gaussian_nb" : "knn");
    r->best = 2;
    r->refit = fw_strdup("one_se");
    r->n_models = 3;
    r->best_of_model = malloc(3 * sizeof(long));
    r->best_of_model[0] = 0, r->best_of_model[1] = 2, r->best_of_model[2] = -1;
    r->n_outer = 2;
    r->outer = calloc(2, sizeof *r->outer);
    for (size_t o = 0; o < 2; o++) {
        r->outer[o].split = o;
        r->outer[o].status = o ? -1 : 0;
        r->outer[o].test = nums(2, o ? NAN : 0.9);
        r->outer[o].model = o ? NULL : fw_strdup("knn");
        r->outer[o].params_json = o ? NULL : fw_strdup("{\"k\": 3}");
        r->outer[o].message = o ? fw_strdup("not run") : NULL;
    }
    preds(r);
    r->model_len = 7;
    r->model_blob = malloc(7);
    memcpy(r->model_blob, "FW\0MB\xff\0", 7);
    r->model_name = fw_strdup("gaussian_nb");
    r->model_params_json = fw_strdup("{}");
    sections(r);
    return r;
}

/* A regression run with nothing in it: no trials, parameters, predictions,
 * nested rows, models or refit; optional strings NULL. */
static fw_results *empty(void)
{
    fw_results *r = calloc(1, sizeof *r);
    static const char *const metrics[] = {"rmse"};
    meta(r, "");
    r->task = 2;
    r->n_metrics = 1;
    r->metrics = strs(1, metrics);
    r->greater_is_better = calloc(1, sizeof(int));
    r->best = -1;
    return r;
}

/* ---- comparing --------------------------------------------------------------- */

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_f64(const double *a, const double *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0; /* bits: NaN, -0.0 */
}

static int same_strs(char *const *a, char *const *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_str(a[i], b[i]))
            return 0;
    return 1;
}

static const char *diff_trial(const fw_results *a, const fw_trial *x, const fw_trial *y)
{
    size_t nm = a->n_metrics, ns = a->n_splits * nm;
    if (!same_str(x->model, y->model) || x->space != y->space)
        return "trial model/space";
    if (!same_strs(x->param_text, y->param_text, a->n_param_cols) ||
        !same_f64(x->param_num, y->param_num, a->n_param_cols) ||
        !same_str(x->params_json, y->params_json))
        return "trial params";
    if (x->status != y->status || x->rung != y->rung || x->not_converged != y->not_converged ||
        !same_f64(&x->resource, &y->resource, 1) || !same_str(x->message, y->message))
        return "trial status";
    if (!same_f64(x->test, y->test, ns) || !same_f64(x->train, y->train, ns) ||
        !same_f64(x->mean_test, y->mean_test, nm) || !same_f64(x->std_test, y->std_test, nm) ||
        !same_f64(x->mean_train, y->mean_train, nm) ||
        !same_f64(x->std_train, y->std_train, nm) ||
        memcmp(x->rank, y->rank, nm * sizeof *x->rank))
        return "trial scores";
    if (!same_f64(&x->mean_fit_time, &y->mean_fit_time, 1) ||
        !same_f64(&x->std_fit_time, &y->std_fit_time, 1) ||
        !same_f64(&x->mean_score_time, &y->mean_score_time, 1) ||
        !same_f64(&x->std_score_time, &y->std_score_time, 1))
        return "trial times";
    return NULL;
}

static const char *diff_meta(const fw_results *a, const fw_results *b)
{
    const char *sa[] = {a->name, a->config_text, a->config_path, a->cmdline, a->host,
                        a->data_path, a->state, a->v_foldwise, a->v_mpi, a->v_gsl, a->v_hdf5,
                        a->v_yaml, a->target, a->refit, a->model_name, a->model_params_json};
    const char *sb[] = {b->name, b->config_text, b->config_path, b->cmdline, b->host,
                        b->data_path, b->state, b->v_foldwise, b->v_mpi, b->v_gsl, b->v_hdf5,
                        b->v_yaml, b->target, b->refit, b->model_name, b->model_params_json};
    for (size_t i = 0; i < sizeof sa / sizeof *sa; i++)
        if (!same_str(sa[i], sb[i]))
            return "a run string";
    if (a->seed != b->seed || a->data_hash != b->data_hash || a->ranks != b->ranks ||
        !same_f64(&a->start_epoch, &b->start_epoch, 1) ||
        !same_f64(&a->end_epoch, &b->end_epoch, 1) || !same_f64(&a->elapsed_s, &b->elapsed_s, 1) ||
        !same_f64(&a->search_s, &b->search_s, 1))
        return "run numbers";
    if (a->tasks_total != b->tasks_total || a->tasks_done != b->tasks_done ||
        a->tasks_failed != b->tasks_failed || a->tasks_resumed != b->tasks_resumed)
        return "task counts";
    if (a->task != b->task || a->n_samples != b->n_samples || a->positive != b->positive ||
        a->n_classes != b->n_classes || a->n_features != b->n_features ||
        !same_strs(a->classes, b->classes, a->n_classes) ||
        !same_strs(a->features, b->features, a->n_features))
        return "data";
    if (a->n_metrics != b->n_metrics || !same_strs(a->metrics, b->metrics, a->n_metrics) ||
        memcmp(a->greater_is_better, b->greater_is_better, a->n_metrics * sizeof(int)))
        return "metrics";
    if (a->n_splits != b->n_splits || a->k != b->k || a->repeats != b->repeats)
        return "splits";
    return NULL;
}

static const char *diff_rest(const fw_results *a, const fw_results *b)
{
    if (a->best != b->best || a->n_models != b->n_models ||
        (a->n_models && memcmp(a->best_of_model, b->best_of_model, a->n_models * sizeof(long))))
        return "best";
    if (a->n_outer != b->n_outer)
        return "outer count";
    for (size_t i = 0; i < a->n_outer; i++) {
        const fw_outer_row *x = &a->outer[i], *y = &b->outer[i];
        if (x->split != y->split || x->status != y->status ||
            !same_f64(x->test, y->test, a->n_metrics) || !same_str(x->model, y->model) ||
            !same_str(x->params_json, y->params_json) || !same_str(x->message, y->message))
            return "outer row";
    }
    if (a->n_preds != b->n_preds)
        return "prediction count";
    for (size_t i = 0; i < a->n_preds; i++) {
        const fw_pred_block *x = &a->preds[i], *y = &b->preds[i];
        if (!same_str(x->model, y->model) || x->config != y->config || x->repeat != y->repeat ||
            x->split != y->split || x->n != y->n || x->width != y->width ||
            x->is_proba != y->is_proba || (x->n && memcmp(x->row, y->row, x->n * 4)) ||
            !same_f64(x->y_true, y->y_true, x->n) ||
            !same_f64(x->value, y->value, x->n * x->width))
            return "prediction block";
    }
    if (a->model_len != b->model_len ||
        (a->model_len && memcmp(a->model_blob, b->model_blob, a->model_len)))
        return "model blob";
    return NULL;
}

static const char *diff_sections(const fw_results *a, const fw_results *b)
{
    size_t nm = a->n_metrics, per = a->n_splits * nm;
    if (a->n_curve != b->n_curve || a->curve_trial != b->curve_trial)
        return "curve count or trial";
    for (size_t i = 0; i < a->n_curve; i++) {
        const fw_curve_row *x = &a->curve[i], *y = &b->curve[i];
        if (!same_f64(&x->frac, &y->frac, 1) || x->n_train != y->n_train ||
            !same_f64(x->test, y->test, per) || !same_f64(x->train, y->train, per))
            return "curve point";
    }
    if (a->n_importances != b->n_importances ||
        !same_strs(a->importance_names, b->importance_names, a->n_importances) ||
        !same_f64(a->importances, b->importances, a->n_importances))
        return "importances";
    if (a->n_inner != b->n_inner)
        return "inner count";
    for (size_t i = 0; i < a->n_inner; i++) {
        const fw_inner_row *x = &a->inner[i], *y = &b->inner[i];
        if (x->outer != y->outer || !same_str(x->model, y->model) ||
            !same_str(x->params_json, y->params_json) || x->status != y->status ||
            x->n_splits != y->n_splits || !same_f64(x->mean_test, y->mean_test, nm) ||
            !same_f64(x->std_test, y->std_test, nm) ||
            !same_f64(x->test, y->test, x->n_splits * nm))
            return "inner row";
    }
    if (a->has_oob != b->has_oob || !same_f64(&a->model_oob, &b->model_oob, a->has_oob))
        return "out-of-bag score";
    return NULL;
}

static const char *diff(const fw_results *a, const fw_results *b)
{
    const char *d = diff_meta(a, b);
    if (d)
        return d;
    if (a->n_param_cols != b->n_param_cols ||
        !same_strs(a->param_cols, b->param_cols, a->n_param_cols))
        return "param columns";
    if (a->n_trials != b->n_trials)
        return "trial count";
    for (size_t i = 0; i < a->n_trials; i++)
        if ((d = diff_trial(a, &a->trials[i], &b->trials[i])))
            return d;
    if ((d = diff_rest(a, b)))
        return d;
    return diff_sections(a, b);
}

/* ---- cases --------------------------------------------------------------------- */

/* name in this process's temporary directory (one for every case: the
 * harness makes a new directory on each fwt_tmpdir call). */
static const char *h5_path(const char *name)
{
    static char dir[256], path[512];
    if (!dir[0])
        snprintf(dir, sizeof dir, "%s", fwt_tmpdir());
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void roundtrip_full(void)
{
    gsl_set_error_handler_off();
    fw_err e;
    fw_results *r = full(), *back = NULL;
    const char *path = h5_path("full.h5");
    CHECK_OK(fw_results_write_h5(r, path, &e), &e);
    CHECK_OK(fw_results_read_h5(path, &back, &e), &e);
    const char *d = diff(r, back);
    CHECK_MSG(!d, "read back differs: %s", d);
    fw_sb a, b;
    fw_sb_init(&a);
    fw_sb_init(&b);
    fw_results_pack(r, &a);
    fw_results_pack(back, &b);
    CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
    /* the packed form reads back to the same bytes too */
    fw_results *un = NULL;
    CHECK_OK(fw_results_unpack(a.s, a.len, &un, &e), &e);
    const char *d2 = diff(r, un);
    fw_results_free(un);
    CHECK_MSG(!d2, "unpacked differs: %s", d2);
    CHECK(fw_results_unpack(a.s, a.len - 1, &un, &e) == FW_EINVAL && !un);
    fw_sb_free(&a);
    fw_sb_free(&b);
    CHECK(access(h5_path("full.h5.tmp"), F_OK) != 0);
    fw_results_free(r);
    fw_results_free(back);
}

static void roundtrip_empty(void)
{
    fw_err e;
    fw_results *r = empty(), *back = NULL;
    const char *path = h5_path("empty.h5");
    CHECK_OK(fw_results_write_h5(r, path, &e), &e);
    CHECK_OK(fw_results_read_h5(path, &back, &e), &e);
    const char *d = diff(r, back);
    CHECK_MSG(!d, "read back differs: %s", d);
    CHECK(!back->config_text && !back->model_blob && back->model_len == 0);
    CHECK(back->n_trials == 0 && back->n_preds == 0 && back->n_outer == 0);
    CHECK(back->n_curve == 0 && back->curve_trial == 0 && !back->curve);
    CHECK(back->n_importances == 0 && back->n_inner == 0 && !back->inner);
    fw_results_free(r);
    fw_results_free(back);
}

static int h5_has(const char *path, const char *obj)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int yes = f >= 0 && H5Lexists(f, obj, H5P_DEFAULT) > 0;
    if (f >= 0)
        H5Fclose(f);
    return yes;
}

/* Results without a curve, importances or inner rows hold no such group,
 * and pack as before those sections existed (no tag after the model), so
 * files written before them still verify. A trial index alone is kept. */
static void sections_absent(void)
{
    fw_err e;
    fw_results *r = full(), *back = NULL;
    const char *path = h5_path("nosec.h5");
    fw_sb a;
    fw_sb_init(&a);
    fw_results_pack(r, &a);
    size_t with = a.len;
    fw_sb_reset(&a);
    for (size_t i = 0; i < r->n_curve; i++)
        free(r->curve[i].test), free(r->curve[i].train);
    free(r->curve), r->curve = NULL, r->n_curve = 0, r->curve_trial = 0;
    for (size_t i = 0; i < r->n_importances; i++)
        free(r->importance_names[i]);
    free(r->importance_names), free(r->importances);
    r->importance_names = NULL, r->importances = NULL, r->n_importances = 0;
    for (size_t i = 0; i < r->n_inner; i++) {
        free(r->inner[i].model), free(r->inner[i].params_json);
        free(r->inner[i].mean_test), free(r->inner[i].std_test), free(r->inner[i].test);
    }
    free(r->inner), r->inner = NULL, r->n_inner = 0;
    r->has_oob = 0;
    fw_results_pack(r, &a);
    CHECK(a.len < with);
    CHECK(memcmp(a.s + a.len - r->model_len, r->model_blob, r->model_len) == 0);
    fw_sb_free(&a);
    CHECK_OK(fw_results_write_h5(r, path, &e), &e);
    CHECK(!h5_has(path, "/learning_curve") && !h5_has(path, "/importances") &&
          !h5_has(path, "/nested/inner") && h5_has(path, "/nested/table"));
    CHECK_OK(fw_results_read_h5(path, &back, &e), &e);
    const char *d = diff(r, back);
    CHECK_MSG(!d, "read back differs: %s", d);
    fw_results_free(back);
    back = NULL;
    r->curve_trial = 5; /* no point, but an index: written, read back */
    CHECK_OK(fw_results_write_h5(r, path, &e), &e);
    CHECK(h5_has(path, "/learning_curve/test"));
    CHECK_OK(fw_results_read_h5(path, &back, &e), &e);
    CHECK(back && back->curve_trial == 5 && back->n_curve == 0);
    fw_results_free(r);
    fw_results_free(back);
}

/* The packed sections are read in their order, once each; anything else
 * after the model bytes is damage. */
static void sections_order_enforced(void)
{
    fw_err e;
    fw_results *r = full(), *un = NULL;
    fw_sb a;
    fw_sb_init(&a);
    fw_results_pack(r, &a);
    CHECK_OK(fw_results_unpack(a.s, a.len, &un, &e), &e);
    fw_results_free(un);
    un = NULL;
    uint32_t junk = 0x31504d49u; /* an importance tag again, with nothing after it */
    fw_sb_appendn(&a, (const char *)&junk, sizeof junk);
    CHECK(fw_results_unpack(a.s, a.len, &un, &e) == FW_EINVAL && !un);
    fw_sb_free(&a);
    /* no curve: the importance tag must not be followed by a curve tag */
    fw_sb_init(&a);
    fw_results_pack(r, &a);
    size_t cut = a.len;
    for (size_t i = 0; i < a.len; i++)
        if (memcmp(a.s + i, "LCV1", 4) == 0)
            cut = i;
    CHECK(cut < a.len);
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_appendn(&b, a.s, cut);
    /* the sections after the curve, then a curve again: out of order */
    size_t imp = cut;
    while (imp < a.len && memcmp(a.s + imp, "IMP1", 4))
        imp++;
    fw_sb_appendn(&b, a.s + imp, a.len - imp);
    fw_sb_appendn(&b, a.s + cut, imp - cut);
    CHECK(fw_results_unpack(b.s, b.len, &un, &e) == FW_EINVAL && !un);
    fw_sb_free(&a);
    fw_sb_free(&b);
    fw_results_free(r);
}

/* Overwriting keeps the file whole: the new content replaces the old. */
static void overwrite_atomic(void)
{
    fw_err e;
    fw_results *a = full(), *b = empty(), *back = NULL;
    const char *path = h5_path("over.h5");
    CHECK_OK(fw_results_write_h5(a, path, &e), &e);
    CHECK_OK(fw_results_write_h5(b, path, &e), &e);
    CHECK_OK(fw_results_read_h5(path, &back, &e), &e);
    CHECK(!diff(b, back));
    fw_results_free(a);
    fw_results_free(b);
    fw_results_free(back);
}

static int write_bytes(const char *path, const char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(buf, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static char *slurp(const char *path, size_t *n)
{
    char *buf;
    fw_err e;
    return fw_read_file(path, 1 << 26, &buf, n, &e) ? NULL : buf;
}

/* Every error must be FW_EINVAL with the file and a reason. */
static int refused(const char *path, fw_err *e)
{
    fw_results *back = (fw_results *)1;
    fw_err_clear(e);
    int rc = fw_results_read_h5(path, &back, e);
    return rc == FW_EINVAL && back == NULL && e->msg[0] && strstr(e->file, "dmg");
}

/* full() written to whole.h5, and the file's bytes (NULL on failure). */
static char *whole_file(fw_results **r, size_t *n)
{
    fw_err e;
    *r = full();
    if (fw_results_write_h5(*r, h5_path("whole.h5"), &e))
        return NULL;
    return slurp(h5_path("whole.h5"), n);
}

static void truncated_refused(void)
{
    fw_err e;
    fw_results *r;
    size_t n;
    char *buf = whole_file(&r, &n);
    CHECK(buf && n > 1000);
    size_t cuts[] = {0, 1, 8, 100, 512, 2048, n / 4, n / 2, 3 * n / 4, n - 100, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        const char *dmg = h5_path("dmg.h5");
        CHECK(write_bytes(dmg, buf, cuts[i]) == 0);
        CHECK_MSG(refused(dmg, &e), "cut at %zu of %zu: %s", cuts[i], n, e.msg);
    }
    free(buf);
    fw_results_free(r);
}

/* Forking a process under AddressSanitizer costs a few tenths of a second,
 * and without the child's memory limit (ASan needs the address space) a
 * flipped size field can make HDF5 clear gigabytes: fewer flips there. */
#if defined(__SANITIZE_ADDRESS__)
#define FLIPS 16
#else
#define FLIPS 60
#endif

/* A byte flipped anywhere: refused, or (in bytes nothing reads) the same
 * results; never a crash of this process. */
static void flipped_refused_or_same(void)
{
    fw_err e;
    fw_h5_set_base_timeout(3); /* some flips send HDF5 into an endless loop */
    fw_results *r;
    size_t n;
    char *buf = whole_file(&r, &n);
    CHECK(buf);
    size_t refusals = 0, tries = 0;
    for (size_t off = 3; off < n; off += n / FLIPS + 1, tries++) {
        const char *dmg = h5_path("dmg.h5");
        buf[off] ^= 0x5a;
        CHECK(write_bytes(dmg, buf, n) == 0);
        buf[off] ^= 0x5a;
        fw_results *back = NULL;
        int rc = fw_results_read_h5(dmg, &back, &e);
        if (rc) {
            CHECK_MSG(rc == FW_EINVAL && e.msg[0], "offset %zu: rc %d %s", off, rc, e.msg);
            refusals++;
        } else {
            const char *d = diff(r, back);
            CHECK_MSG(!d, "offset %zu: read back different results (%s)", off, d);
        }
        fw_results_free(back);
    }
    CHECK_MSG(refusals * 2 > tries, "only %zu of %zu flips refused", refusals, tries);
    fw_h5_set_base_timeout(0);
    free(buf);
    fw_results_free(r);
}

/* The offset of a contiguous dataset's values in the file. */
static haddr_t data_offset(const char *path, const char *dset)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    haddr_t off = H5Dget_offset(d);
    H5Dclose(d);
    H5Fclose(f);
    return off;
}

static void changed_dataset_named(void)
{
    fw_err e;
    fw_results *r;
    size_t n;
    char *buf = whole_file(&r, &n);
    char src[512];
    snprintf(src, sizeof src, "%s", h5_path("whole.h5"));
    const char *names[] = {"/trials/test", "/trials/rank", "/predictions/0/value",
                           "/metrics/greater_is_better", "/model", "/learning_curve/test",
                           "/learning_curve/n_train", "/importances/values",
                           "/nested/inner/test", "/nested/inner/mean_test"};
    CHECK(buf);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        haddr_t off = data_offset(src, names[i]);
        CHECK_MSG(off != HADDR_UNDEF && off + 8 < n, "%s has no contiguous data", names[i]);
        buf[off + 1] ^= 0x01;
        const char *dmg = h5_path("dmg.h5");
        CHECK(write_bytes(dmg, buf, n) == 0);
        buf[off + 1] ^= 0x01;
        CHECK_MSG(refused(dmg, &e) && strstr(e.msg, names[i]), "%s: %s", names[i], e.msg);
    }
    free(buf);
    fw_results_free(r);
}

/* Replace attribute `name` of `obj` (HDF5 1.10 refuses to rewrite one in
 * place in these files: delete it and create it again). */
static int set_attr(const char *path, const char *obj, const char *name, hid_t type,
                    const void *v)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), sp = H5Screate(H5S_SCALAR);
    int ok = f >= 0 && H5Adelete_by_name(f, obj, name, H5P_DEFAULT) >= 0;
    hid_t a = ok ? H5Acreate_by_name(f, obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT,
                                     H5P_DEFAULT) : -1;
    ok = a >= 0 && H5Awrite(a, type, v) >= 0;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    if (f >= 0)
        H5Fclose(f);
    return ok;
}

/* Attribute values the reader checks against the rest of the file. */
static void attr_tamper_refused(void)
{
    fw_err e;
    fw_results *r = full();
    const char *dmg = h5_path("dmg-attr.h5");
    CHECK_OK(fw_results_write_h5(r, dmg, &e), &e);
    int64_t bad = 99;
    CHECK(set_attr(dmg, "/learning_curve", "trial", H5T_NATIVE_INT64, &bad));
    CHECK(refused(dmg, &e));
    CHECK_MSG(strstr(e.msg, "/learning_curve") && strstr(e.msg, "not a trial"), "%s", e.msg);
    CHECK_OK(fw_results_write_h5(r, dmg, &e), &e);
    hid_t st = fw_h5_str_type();
    const char *other = "knn";
    CHECK(set_attr(dmg, "/importances", "model", st, &other));
    H5Tclose(st);
    CHECK(refused(dmg, &e));
    CHECK_MSG(strstr(e.msg, "/importances") && strstr(e.msg, "model"), "%s", e.msg);
    fw_results_free(r);
}

static void not_results_refused(void)
{
    fw_err e;
    const char *txt = h5_path("dmg.txt");
    CHECK(write_bytes(txt, "name: x\n", 8) == 0);
    CHECK(refused(txt, &e));
    CHECK(refused(h5_path("dmg-missing.h5"), &e));
    /* an HDF5 file that is not ours */
    const char *other = h5_path("dmg-other.h5");
    hid_t f = H5Fcreate(other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    CHECK(refused(other, &e));
    CHECK_MSG(strstr(e.msg, "format") != NULL, "%s", e.msg);
}

static void unwritable_is_eio(void)
{
    fw_err e;
    fw_results *r = empty();
    char path[600];
    snprintf(path, sizeof path, "%s", h5_path("no/such/dir/results.h5"));
    CHECK_EQ_INT(fw_results_write_h5(r, path, &e), FW_EIO);
    CHECK(strstr(e.msg, "cannot"));
    fw_results_free(r);
}

FW_TEST_MAIN(T(roundtrip_full), T(roundtrip_empty), T(sections_absent),
             T(sections_order_enforced), T(overwrite_atomic), T(truncated_refused),
             T(flipped_refused_or_same), T(changed_dataset_named), T(attr_tamper_refused),
             T(not_results_refused), T(unwritable_is_eio))
