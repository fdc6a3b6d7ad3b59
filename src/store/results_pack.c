/* results_pack.c: fw_results as one byte string and back.
 *
 * Two uses: the forked child that reads results.h5 sends what it read to
 * the caller in this form, and the hash of this form is results.h5's
 * whole-content check. The form is canonical (one fw_results, one byte
 * string): numbers are copied bit for bit (NaN payloads included), a NULL
 * string is told apart from an empty one, arrays are written by their
 * counts. Native byte order: it never leaves the machine. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define PACK_MAGIC 0x31535246u /* "FRS1" */

/* Sections added after the first release of format 1 follow the model
 * bytes, each behind its tag and only when it holds something (in this
 * order), so results without them pack, and hash, exactly as before: files
 * written before they existed still verify. */
enum {
    SEC_CURVE = 0x3156434cu,      /* "LCV1": learning curve            */
    SEC_IMPORTANCE = 0x31504d49u, /* "IMP1": feature importances       */
    SEC_INNER = 0x31524e49u,      /* "INR1": nested inner-search rows  */
    SEC_OOB = 0x31424f4fu,        /* "OOB1": refitted model's OOB score */
};

int fw_results_has_curve(const fw_results *r)
{
    return r->n_curve > 0 || r->curve_trial != 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void put_strs(fw_sb *b, char *const *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fw_put_str(b, s ? s[i] : NULL);
}

static void put_f64s(fw_sb *b, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fw_put_f64(b, v ? v[i] : 0);
}

static void put_meta(fw_sb *b, const fw_results *r)
{
    const char *s[] = {r->name, r->config_text, r->config_path, r->cmdline, r->host,
                       r->data_path, r->state, r->v_foldwise, r->v_mpi, r->v_gsl, r->v_hdf5,
                       r->v_yaml, r->target, r->refit, r->model_name, r->model_params_json};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        fw_put_str(b, s[i]);
    uint64_t u[] = {r->seed, r->data_hash, r->tasks_total, r->tasks_done, r->tasks_failed,
                    r->tasks_resumed, r->n_samples, r->n_features, r->n_classes, r->n_metrics,
                    r->n_splits, r->k, r->repeats, r->n_param_cols, r->n_trials, r->n_models,
                    r->n_outer, r->n_preds, r->model_len};
    for (size_t i = 0; i < sizeof u / sizeof *u; i++)
        fw_put_u64(b, u[i]);
    fw_put_i64(b, r->ranks);
    fw_put_i64(b, r->task);
    fw_put_i64(b, r->positive);
    fw_put_i64(b, r->best);
    fw_put_f64(b, r->start_epoch);
    fw_put_f64(b, r->end_epoch);
    fw_put_f64(b, r->elapsed_s);
    fw_put_f64(b, r->search_s);
}

static void put_trial(fw_sb *b, const fw_results *r, const fw_trial *t)
{
    size_t nm = r->n_metrics, ns = r->n_splits * nm;
    fw_put_str(b, t->model);
    fw_put_u64(b, t->space);
    put_strs(b, t->param_text, r->n_param_cols);
    put_f64s(b, t->param_num, r->n_param_cols);
    fw_put_str(b, t->params_json);
    fw_put_i64(b, t->status);
    fw_put_i64(b, t->rung);
    fw_put_f64(b, t->resource);
    fw_put_i64(b, t->not_converged);
    fw_put_str(b, t->message);
    put_f64s(b, t->test, ns);
    put_f64s(b, t->train, ns);
    put_f64s(b, t->mean_test, nm);
    put_f64s(b, t->std_test, nm);
    put_f64s(b, t->mean_train, nm);
    put_f64s(b, t->std_train, nm);
    for (size_t m = 0; m < nm; m++)
        fw_put_i64(b, t->rank ? t->rank[m] : 0);
    fw_put_f64(b, t->mean_fit_time);
    fw_put_f64(b, t->std_fit_time);
    fw_put_f64(b, t->mean_score_time);
    fw_put_f64(b, t->std_score_time);
}

static void put_pred(fw_sb *b, const fw_pred_block *p)
{
    fw_put_str(b, p->model);
    fw_put_i64(b, p->config);
    fw_put_u64(b, p->repeat);
    fw_put_u64(b, p->split);
    fw_put_u64(b, p->n);
    fw_put_u64(b, p->width);
    fw_put_i64(b, p->is_proba);
    for (size_t i = 0; i < p->n; i++) {
        uint32_t v = p->row ? p->row[i] : 0;
        fw_sb_appendn(b, (const char *)&v, sizeof v);
    }
    put_f64s(b, p->y_true, p->n);
    put_f64s(b, p->value, p->n * p->width);
}

static void put_tag(fw_sb *b, uint32_t tag)
{
    fw_sb_appendn(b, (const char *)&tag, sizeof tag);
}

static void put_sections(fw_sb *b, const fw_results *r)
{
    size_t nm = r->n_metrics, ns = r->n_splits * nm;
    if (fw_results_has_curve(r)) {
        put_tag(b, SEC_CURVE);
        fw_put_u64(b, r->n_curve);
        fw_put_i64(b, r->curve_trial);
        for (size_t i = 0; i < r->n_curve; i++) {
            const fw_curve_row *c = &r->curve[i];
            fw_put_f64(b, c->frac);
            fw_put_u64(b, c->n_train);
            put_f64s(b, c->test, ns);
            put_f64s(b, c->train, ns);
        }
    }
    if (r->n_importances) {
        put_tag(b, SEC_IMPORTANCE);
        fw_put_u64(b, r->n_importances);
        put_strs(b, r->importance_names, r->n_importances);
        put_f64s(b, r->importances, r->n_importances);
    }
    if (r->n_inner) {
        put_tag(b, SEC_INNER);
        fw_put_u64(b, r->n_inner);
        for (size_t i = 0; i < r->n_inner; i++) {
            const fw_inner_row *x = &r->inner[i];
            fw_put_u64(b, x->outer);
            fw_put_str(b, x->model);
            fw_put_str(b, x->params_json);
            fw_put_i64(b, x->status);
            fw_put_u64(b, x->n_splits);
            put_f64s(b, x->mean_test, nm);
            put_f64s(b, x->std_test, nm);
            put_f64s(b, x->test, x->n_splits * nm);
        }
    }
    if (r->has_oob) {
        put_tag(b, SEC_OOB);
        fw_put_f64(b, r->model_oob);
    }
}

void fw_results_pack(const fw_results *r, fw_sb *b)
{
    uint32_t magic = PACK_MAGIC;
    fw_sb_appendn(b, (const char *)&magic, sizeof magic);
    put_meta(b, r);
    put_strs(b, r->classes, r->n_classes);
    put_strs(b, r->features, r->n_features);
    put_strs(b, r->metrics, r->n_metrics);
    for (size_t m = 0; m < r->n_metrics; m++)
        fw_put_i64(b, r->greater_is_better ? r->greater_is_better[m] : 0);
    put_strs(b, r->param_cols, r->n_param_cols);
    for (size_t i = 0; i < r->n_trials; i++)
        put_trial(b, r, &r->trials[i]);
    for (size_t i = 0; i < r->n_models; i++)
        fw_put_i64(b, r->best_of_model ? r->best_of_model[i] : -1);
    for (size_t i = 0; i < r->n_outer; i++) {
        const fw_outer_row *o = &r->outer[i];
        fw_put_u64(b, o->split);
        fw_put_i64(b, o->status);
        put_f64s(b, o->test, r->n_metrics);
        fw_put_str(b, o->model);
        fw_put_str(b, o->params_json);
        fw_put_str(b, o->message);
    }
    for (size_t i = 0; i < r->n_preds; i++)
        put_pred(b, &r->preds[i]);
    if (r->model_blob && r->model_len)
        fw_sb_appendn(b, (const char *)r->model_blob, r->model_len);
    put_sections(b, r);
}

/* ---- reading ------------------------------------------------------------------ */

static void *alloc_n(fw_reader *r, size_t n, size_t size)
{
    if (!fw_get_fits(r, n, size))
        return NULL;
    void *p = calloc(n ? n : 1, size);
    if (!p)
        r->bad = 1;
    return p;
}

static char **get_strs(fw_reader *r, size_t n)
{
    char **out = fw_get_fits(r, n, sizeof(uint64_t)) ? calloc(n ? n : 1, sizeof *out) : NULL;
    if (!out) {
        r->bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < n && !r->bad; i++)
        out[i] = fw_get_str(r);
    return out;
}

static double *get_f64s(fw_reader *r, size_t n)
{
    double *v = alloc_n(r, n, sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = fw_get_f64(r);
    return v;
}

static void get_meta(fw_reader *r, fw_results *x)
{
    char **s[] = {&x->name, &x->config_text, &x->config_path, &x->cmdline, &x->host,
                  &x->data_path, &x->state, &x->v_foldwise, &x->v_mpi, &x->v_gsl, &x->v_hdf5,
                  &x->v_yaml, &x->target, &x->refit, &x->model_name, &x->model_params_json};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        *s[i] = fw_get_str(r);
    uint64_t *u[] = {&x->seed, &x->data_hash};
    for (size_t i = 0; i < 2; i++)
        *u[i] = fw_get_u64(r);
    size_t *z[] = {&x->tasks_total, &x->tasks_done, &x->tasks_failed, &x->tasks_resumed,
                   &x->n_samples, &x->n_features, &x->n_classes, &x->n_metrics, &x->n_splits,
                   &x->k, &x->repeats, &x->n_param_cols, &x->n_trials, &x->n_models,
                   &x->n_outer, &x->n_preds, &x->model_len};
    for (size_t i = 0; i < sizeof z / sizeof *z; i++)
        *z[i] = (size_t)fw_get_u64(r);
    x->ranks = (int)fw_get_i64(r);
    x->task = (int)fw_get_i64(r);
    x->positive = (int)fw_get_i64(r);
    x->best = (long)fw_get_i64(r);
    x->start_epoch = fw_get_f64(r);
    x->end_epoch = fw_get_f64(r);
    x->elapsed_s = fw_get_f64(r);
    x->search_s = fw_get_f64(r);
}

static void get_trial(fw_reader *r, const fw_results *x, fw_trial *t)
{
    size_t nm = x->n_metrics, ns = x->n_splits * nm;
    if (x->n_splits && ns / x->n_splits != nm) {
        r->bad = 1;
        return;
    }
    t->model = fw_get_str(r);
    t->space = (size_t)fw_get_u64(r);
    t->param_text = get_strs(r, x->n_param_cols);
    t->param_num = get_f64s(r, x->n_param_cols);
    t->params_json = fw_get_str(r);
    t->status = (int)fw_get_i64(r);
    t->rung = (int)fw_get_i64(r);
    t->resource = fw_get_f64(r);
    t->not_converged = (int)fw_get_i64(r);
    t->message = fw_get_str(r);
    t->test = get_f64s(r, ns);
    t->train = get_f64s(r, ns);
    t->mean_test = get_f64s(r, nm);
    t->std_test = get_f64s(r, nm);
    t->mean_train = get_f64s(r, nm);
    t->std_train = get_f64s(r, nm);
    t->rank = alloc_n(r, nm, sizeof(int64_t));
    for (size_t m = 0; t->rank && m < nm; m++)
        t->rank[m] = (long)fw_get_i64(r);
    t->mean_fit_time = fw_get_f64(r);
    t->std_fit_time = fw_get_f64(r);
    t->mean_score_time = fw_get_f64(r);
    t->std_score_time = fw_get_f64(r);
}

static void get_pred(fw_reader *r, fw_pred_block *p)
{
    p->model = fw_get_str(r);
    p->config = (long)fw_get_i64(r);
    p->repeat = (size_t)fw_get_u64(r);
    p->split = (size_t)fw_get_u64(r);
    p->n = (size_t)fw_get_u64(r);
    p->width = (size_t)fw_get_u64(r);
    p->is_proba = (int)fw_get_i64(r);
    if (p->width && p->n * p->width / p->width != p->n) {
        r->bad = 1;
        return;
    }
    p->row = alloc_n(r, p->n, sizeof *p->row);
    for (size_t i = 0; p->row && i < p->n; i++)
        fw_get(r, &p->row[i], sizeof p->row[i]);
    p->y_true = get_f64s(r, p->n);
    p->value = get_f64s(r, p->n * p->width);
}

static void get_tables(fw_reader *r, fw_results *x)
{
    x->classes = get_strs(r, x->n_classes);
    x->features = get_strs(r, x->n_features);
    x->metrics = get_strs(r, x->n_metrics);
    x->greater_is_better = alloc_n(r, x->n_metrics, sizeof(int64_t));
    for (size_t m = 0; x->greater_is_better && m < x->n_metrics; m++)
        x->greater_is_better[m] = (int)fw_get_i64(r);
    x->param_cols = get_strs(r, x->n_param_cols);
    /* The packed trial, outer row and block take at least 64, 32 and 56
     * bytes: fw_get_fits() bounds the counts by what is left. */
    x->trials = fw_get_fits(r, x->n_trials, 64) ? calloc(x->n_trials + 1, sizeof *x->trials) : NULL;
    if (!x->trials) {
        r->bad = 1;
        return;
    }
    for (size_t i = 0; i < x->n_trials && !r->bad; i++)
        get_trial(r, x, &x->trials[i]);
    x->best_of_model = alloc_n(r, x->n_models, sizeof(int64_t));
    for (size_t i = 0; x->best_of_model && i < x->n_models; i++)
        x->best_of_model[i] = (long)fw_get_i64(r);
    x->outer = fw_get_fits(r, x->n_outer, 32) ? calloc(x->n_outer + 1, sizeof *x->outer) : NULL;
    if (!x->outer) {
        r->bad = 1;
        return;
    }
    for (size_t i = 0; i < x->n_outer && !r->bad; i++) {
        fw_outer_row *o = &x->outer[i];
        o->split = (size_t)fw_get_u64(r);
        o->status = (int)fw_get_i64(r);
        o->test = get_f64s(r, x->n_metrics);
        o->model = fw_get_str(r);
        o->params_json = fw_get_str(r);
        o->message = fw_get_str(r);
    }
    x->preds = fw_get_fits(r, x->n_preds, 56) ? calloc(x->n_preds + 1, sizeof *x->preds) : NULL;
    if (!x->preds) {
        r->bad = 1;
        return;
    }
    for (size_t i = 0; i < x->n_preds && !r->bad; i++)
        get_pred(r, &x->preds[i]);
}

/* n x m without overflow, or bad. */
static size_t times(fw_reader *r, size_t n, size_t m)
{
    if (n && n * m / n != m)
        r->bad = 1;
    return r->bad ? 0 : n * m;
}

static void get_curve(fw_reader *r, fw_results *x)
{
    size_t n = (size_t)fw_get_u64(r), ns = times(r, x->n_splits, x->n_metrics);
    x->curve_trial = (long)fw_get_i64(r);
    /* a packed point takes at least 16 bytes */
    x->curve = fw_get_fits(r, n, 16) ? calloc(n + 1, sizeof *x->curve) : NULL;
    if (!x->curve) {
        r->bad = 1;
        return;
    }
    x->n_curve = n;
    for (size_t i = 0; i < n && !r->bad; i++) {
        fw_curve_row *c = &x->curve[i];
        c->frac = fw_get_f64(r);
        c->n_train = (size_t)fw_get_u64(r);
        c->test = get_f64s(r, ns);
        c->train = get_f64s(r, ns);
    }
}

static void get_importances(fw_reader *r, fw_results *x)
{
    size_t n = (size_t)fw_get_u64(r);
    x->importance_names = get_strs(r, n);
    x->n_importances = x->importance_names ? n : 0;
    x->importances = get_f64s(r, n);
    if (!x->importances)
        r->bad = 1;
}

static void get_inner(fw_reader *r, fw_results *x)
{
    size_t n = (size_t)fw_get_u64(r), nm = x->n_metrics;
    /* a packed row takes at least 40 bytes */
    x->inner = fw_get_fits(r, n, 40) ? calloc(n + 1, sizeof *x->inner) : NULL;
    if (!x->inner) {
        r->bad = 1;
        return;
    }
    x->n_inner = n;
    for (size_t i = 0; i < n && !r->bad; i++) {
        fw_inner_row *y = &x->inner[i];
        y->outer = (size_t)fw_get_u64(r);
        y->model = fw_get_str(r);
        y->params_json = fw_get_str(r);
        y->status = (int)fw_get_i64(r);
        y->n_splits = (size_t)fw_get_u64(r);
        y->mean_test = get_f64s(r, nm);
        y->std_test = get_f64s(r, nm);
        y->test = get_f64s(r, times(r, y->n_splits, nm));
    }
}

/* The tagged sections after the model bytes: each at most once, in order. */
static void get_sections(fw_reader *r, fw_results *x)
{
    static const uint32_t order[] = {SEC_CURVE, SEC_IMPORTANCE, SEC_INNER, SEC_OOB};
    enum { N_SEC = sizeof order / sizeof order[0] };
    size_t next = 0;
    while (!r->bad && fw_reader_left(r) > 0) {
        uint32_t tag = 0;
        fw_get(r, &tag, sizeof tag);
        while (next < N_SEC && order[next] != tag)
            next++;
        if (next == N_SEC) {
            r->bad = 1;
            return;
        }
        if (tag == SEC_CURVE)
            get_curve(r, x);
        else if (tag == SEC_IMPORTANCE)
            get_importances(r, x);
        else if (tag == SEC_INNER)
            get_inner(r, x);
        else {
            x->has_oob = 1;
            x->model_oob = fw_get_f64(r);
        }
        next++;
    }
}

int fw_results_unpack(const void *buf, size_t n, fw_results **out, fw_err *e)
{
    fw_reader r;
    fw_reader_init(&r, buf, n);
    uint32_t magic;
    *out = NULL;
    fw_get(&r, &magic, sizeof magic);
    if (r.bad || magic != PACK_MAGIC)
        return fw_err_set(e, FW_EINVAL, "results: not a packed results structure");
    fw_results *x = calloc(1, sizeof *x);
    if (!x)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    get_meta(&r, x);
    if (!r.bad)
        get_tables(&r, x);
    /* free walks arrays by their counts: a section cut short left it NULL */
    if (!x->trials)
        x->n_trials = 0;
    if (!x->outer)
        x->n_outer = 0;
    if (!x->preds)
        x->n_preds = 0;
    if (!r.bad && x->model_len) {
        x->model_blob = alloc_n(&r, x->model_len, 1);
        if (x->model_blob)
            fw_get(&r, x->model_blob, x->model_len);
    }
    if (!r.bad)
        get_sections(&r, x);
    if (r.bad || r.p != r.end) {
        fw_results_free(x);
        return fw_err_set(e, FW_EINVAL, "results: packed results are truncated or damaged");
    }
    *out = x;
    return FW_OK;
}
