/* collect.c: the finished task graph into fw_results (store.h), the one
 * structure every report file and results.h5 are written from, including
 * the learning curve, the nested runs' inner searches, and the refitted
 * model's feature importances (computed here from its stored bytes, so a
 * rebuild from the journal gives the same). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <yaml.h>

#include "foldwise/exec.h"
#include "foldwise/metrics.h"
#include "foldwise/report.h"

void fw_run_meta_init(fw_run_meta *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->mpi_version, sizeof m->mpi_version, "none");
    if (gethostname(m->host, sizeof m->host) != 0)
        snprintf(m->host, sizeof m->host, "unknown");
}

void fw_report_params_json(const fw_config *c, size_t space, const fw_pval *vals, fw_sb *out)
{
    const fw_space *sp = &c->spaces[space];
    fw_sb_append(out, "{");
    for (size_t d = 0, first = 1; d < sp->n_dims; d++) {
        long i = fw_param_index(sp->model, sp->dims[d].name);
        if (i < 0)
            continue;
        fw_sb_append(out, first ? "" : ", ");
        first = 0;
        fw_sb_json_str(out, sp->dims[d].name);
        fw_sb_append(out, ": ");
        const char *ch = fw_param_choice_name(sp->model, (size_t)i, &vals[i]);
        if (ch)
            fw_sb_json_str(out, ch);
        else if (sp->model->params[i].kind == FW_PARAM_BOOL)
            fw_sb_append(out, vals[i].num != 0 ? "true" : "false");
        else
            fw_sb_json_num(out, vals[i].num);
    }
    fw_sb_append(out, "}");
}

static char *params_json(const fw_config *c, size_t space, const fw_pval *vals)
{
    fw_sb b;
    fw_sb_init(&b);
    fw_report_params_json(c, space, vals, &b);
    return fw_sb_take(&b);
}

static double *dup_doubles(const double *v, size_t n)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, v, n * sizeof *d);
    return d;
}

static char **dup_strs(char *const *s, size_t n)
{
    char **d = calloc(n ? n : 1, sizeof *d);
    for (size_t i = 0; d && i < n; i++)
        d[i] = fw_strdup(s[i]);
    return d;
}

/* Parameter columns: the parameters the config names, in order of first
 * mention (scikit-learn shows the searched parameters). */
static int param_cols(const fw_config *c, fw_results *r)
{
    size_t cap = 0;
    for (size_t s = 0; s < c->n_spaces; s++)
        cap += c->spaces[s].n_dims;
    r->param_cols = calloc(cap ? cap : 1, sizeof *r->param_cols);
    if (!r->param_cols)
        return FW_ENOMEM;
    for (size_t s = 0; s < c->n_spaces; s++) {
        for (size_t d = 0; d < c->spaces[s].n_dims; d++) {
            const char *nm = c->spaces[s].dims[d].name;
            int seen = 0;
            for (size_t i = 0; i < r->n_param_cols && !seen; i++)
                seen = strcmp(r->param_cols[i], nm) == 0;
            if (!seen)
                r->param_cols[r->n_param_cols++] = fw_strdup(nm);
        }
    }
    return FW_OK;
}

static int trial_params(const fw_config *c, const fw_results *r, const fw_row *row,
                        fw_trial *t)
{
    const fw_space *sp = &c->spaces[row->space];
    t->param_text = calloc(r->n_param_cols ? r->n_param_cols : 1, sizeof *t->param_text);
    t->param_num = malloc((r->n_param_cols ? r->n_param_cols : 1) * sizeof *t->param_num);
    if (!t->param_text || !t->param_num)
        return FW_ENOMEM;
    for (size_t i = 0; i < r->n_param_cols; i++) {
        char buf[64] = "";
        t->param_num[i] = NAN;
        int named = 0;
        for (size_t d = 0; d < sp->n_dims; d++)
            named |= strcmp(sp->dims[d].name, r->param_cols[i]) == 0;
        long pi = named ? fw_param_index(sp->model, r->param_cols[i]) : -1;
        if (pi >= 0) {
            fw_param_format(sp->model, (size_t)pi, &row->vals[pi], buf, sizeof buf);
            if (!fw_param_choice_name(sp->model, (size_t)pi, &row->vals[pi]))
                t->param_num[i] = row->vals[pi].num;
        }
        if (!(t->param_text[i] = fw_strdup(buf)))
            return FW_ENOMEM;
    }
    t->params_json = params_json(c, row->space, row->vals);
    return t->params_json ? FW_OK : FW_ENOMEM;
}

static int collect_trials(fw_plan *p, const fw_config *c, fw_results *r)
{
    const fw_row *rows;
    size_t n = fw_plan_rows(p, &rows), nm = c->n_metrics;
    r->trials = calloc(n ? n : 1, sizeof *r->trials);
    if (!r->trials)
        return FW_ENOMEM;
    r->n_trials = n;
    r->n_splits = n ? rows[0].n_splits : fw_plan_outer_splits(p)->n_folds;
    for (size_t i = 0; i < n; i++) {
        const fw_row *row = &rows[i];
        fw_trial *t = &r->trials[i];
        t->model = fw_strdup(c->spaces[row->space].model->name);
        t->space = row->space;
        t->status = row->status;
        t->resource = row->resource;
        t->not_converged = row->not_converged;
        t->message = fw_strdup(row->message);
        t->test = dup_doubles(row->test, row->n_splits * nm);
        t->train = dup_doubles(row->train, row->n_splits * nm);
        t->mean_test = dup_doubles(row->mean_test, nm);
        t->std_test = dup_doubles(row->std_test, nm);
        t->mean_train = dup_doubles(row->mean_train, nm);
        t->std_train = dup_doubles(row->std_train, nm);
        t->rank = malloc(nm * sizeof *t->rank);
        if (!t->model || !t->test || !t->train || !t->mean_test || !t->std_test ||
            !t->mean_train || !t->std_train || !t->rank)
            return FW_ENOMEM;
        memcpy(t->rank, row->rank, nm * sizeof *t->rank);
        t->mean_fit_time = row->mean_fit_time;
        t->std_fit_time = row->std_fit_time;
        t->mean_score_time = row->mean_score_time;
        t->std_score_time = row->std_score_time;
        if (trial_params(c, r, row, t))
            return FW_ENOMEM;
    }
    return FW_OK;
}

static int collect_outer(fw_plan *p, const fw_config *c, fw_results *r)
{
    const fw_outer_result *o;
    size_t n = fw_plan_outer(p, &o);
    r->outer = calloc(n ? n : 1, sizeof *r->outer);
    if (!r->outer)
        return FW_ENOMEM;
    r->n_outer = n;
    for (size_t i = 0; i < n; i++) {
        fw_outer_row *x = &r->outer[i];
        x->split = o[i].split;
        x->status = o[i].status;
        if (!(x->test = dup_doubles(o[i].test, c->n_metrics)))
            return FW_ENOMEM;
        if (o[i].status != FW_RS_OK) /* a failed split's scores were never set */
            for (size_t m = 0; m < c->n_metrics; m++)
                x->test[m] = NAN;
        if (o[i].vals) {
            x->model = fw_strdup(c->spaces[o[i].space].model->name);
            x->params_json = params_json(c, o[i].space, o[i].vals);
        }
        x->message = fw_strdup(o[i].message);
    }
    return FW_OK;
}

static int collect_preds(fw_plan *p, const fw_config *c, fw_results *r)
{
    const fw_result *const *res;
    size_t n = fw_plan_predictions(p, &res), nb = 0, k = fw_plan_outer_splits(p)->k;
    for (size_t i = 0; i < n; i++)
        nb += res[i]->n_cand;
    r->preds = calloc(nb ? nb : 1, sizeof *r->preds);
    if (!r->preds)
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const fw_result *x = res[i];
        const fw_task *t = fw_plan_task(p, x->task);
        for (uint32_t ci = 0; ci < x->n_cand; ci++) {
            fw_pred_block *b = &r->preds[r->n_preds++];
            const fw_task_cand *kc = &t->cands[ci];
            b->model = fw_strdup(c->spaces[kc->space].model->name);
            b->config = kc->cand;
            b->repeat = k ? (size_t)t->outer / k : 0;
            b->split = k ? (size_t)t->outer % k : (size_t)t->outer;
            b->n = x->n_pred;
            b->width = x->width;
            b->is_proba = (c->spaces[kc->space].model->caps & FW_CAP_PROBA) != 0;
            b->row = malloc((b->n ? b->n : 1) * sizeof *b->row);
            b->y_true = malloc((b->n ? b->n : 1) * sizeof *b->y_true);
            b->value = dup_doubles(x->pred + (size_t)ci * x->n_pred * x->width,
                                   (size_t)x->n_pred * x->width);
            if (!b->model || !b->row || !b->y_true || !b->value)
                return FW_ENOMEM;
            memcpy(b->row, x->pred_rows, b->n * sizeof *b->row);
        }
    }
    return FW_OK;
}

static void fill_y_true(const fw_dataset *d, fw_results *r)
{
    for (size_t i = 0; i < r->n_preds; i++)
        for (size_t j = 0; j < r->preds[i].n; j++)
            r->preds[i].y_true[j] = d->y[r->preds[i].row[j]];
}

static int collect_refit(fw_plan *p, const fw_config *c, fw_results *r)
{
    const fw_result *x = fw_plan_refit(p);
    if (!x || !x->model_len)
        return FW_OK;
    const fw_task *t = fw_plan_task(p, x->task);
    r->model_blob = malloc(x->model_len);
    if (!r->model_blob)
        return FW_ENOMEM;
    memcpy(r->model_blob, x->model, x->model_len);
    r->model_len = x->model_len;
    r->model_name = fw_strdup(c->spaces[t->cands[0].space].model->name);
    r->model_params_json = params_json(c, t->cands[0].space, t->cands[0].vals);
    return FW_OK;
}

/* ---- diagnosis ------------------------------------------------------------------- */

static int collect_curve(fw_plan *p, const fw_config *c, fw_results *r)
{
    const fw_curve_point *pt;
    long cand;
    size_t n = fw_plan_curve(p, &pt, &cand), nm = c->n_metrics, per = r->n_splits * nm;
    if (!n)
        return FW_OK;
    r->curve = calloc(n, sizeof *r->curve);
    if (!r->curve)
        return FW_ENOMEM;
    r->n_curve = n;
    r->curve_trial = cand;
    for (size_t i = 0; i < n; i++) {
        fw_curve_row *x = &r->curve[i];
        /* the plan's points span the outer splits, as the trials do */
        size_t have = (pt[i].n_splits < r->n_splits ? pt[i].n_splits : r->n_splits) * nm;
        x->frac = pt[i].frac;
        x->n_train = pt[i].n_train;
        x->test = malloc((per ? per : 1) * sizeof *x->test);
        x->train = malloc((per ? per : 1) * sizeof *x->train);
        if (!x->test || !x->train)
            return FW_ENOMEM;
        for (size_t k = 0; k < per; k++) {
            x->test[k] = k < have ? pt[i].test[k] : NAN;
            x->train[k] = k < have ? pt[i].train[k] : NAN;
        }
    }
    return FW_OK;
}

/* Names of the columns the refitted model saw: the preprocessing's output
 * columns, or the dataset's features. NULL when they do not match. */
static char **model_col_names(const fw_prep *prep, const fw_dataset *d, size_t n)
{
    if (prep ? fw_prep_n_out(prep) != n : d->n_features != n)
        return NULL;
    char **names = calloc(n ? n : 1, sizeof *names);
    for (size_t j = 0; names && j < n; j++) {
        names[j] = fw_strdup(prep ? fw_prep_out_name(prep, j) : d->cols[j].name);
        if (!names[j]) {
            for (size_t k = 0; k < j; k++)
                free(names[k]);
            free(names);
            return NULL;
        }
    }
    return names;
}

/* The refitted model's own importances (trees: impurity, hist_gbdt: gain)
 * and out-of-bag score (bagged forests with oob_score). A model that cannot
 * give its importances is left without: a warning, not an error (the run's
 * results do not depend on them). */
static int collect_refit_facts(const fw_dataset *d, fw_results *r)
{
    fw_model *m = NULL;
    fw_prep *prep = NULL;
    fw_err e;
    fw_err_clear(&e);
    if (!r->model_blob || !r->model_len)
        return FW_OK;
    int rc = fw_model_blob_load(r->model_blob, r->model_len, &m, &prep, &e);
    if (rc == FW_ENOMEM)
        return rc;
    if (!rc && m->type->oob_score && !isnan(m->type->oob_score(m->state))) {
        r->has_oob = 1;
        r->model_oob = m->type->oob_score(m->state);
    }
    if (!rc && m->type->importances) {
        size_t n = m->n_cols;
        double *v = malloc((n ? n : 1) * sizeof *v);
        char **names = model_col_names(prep, d, n);
        if (!v)
            rc = fw_err_set(&e, FW_ENOMEM, "out of memory");
        else if (!names)
            rc = fw_err_set(&e, FW_EINVAL, "the model's %zu columns have no names", n);
        else
            rc = m->type->importances(m->state, v, n, &e);
        if (!rc) {
            r->importance_names = names, r->importances = v, r->n_importances = n;
            names = NULL, v = NULL;
        }
        for (size_t j = 0; names && j < n; j++)
            free(names[j]);
        free(names);
        free(v);
    }
    if (rc && rc != FW_ENOMEM)
        fw_warn("feature importances of the refitted %s left out: %s",
                r->model_name ? r->model_name : "model", e.msg);
    fw_model_free(m);
    fw_prep_free(prep);
    return rc == FW_ENOMEM ? rc : FW_OK;
}

/* Nested CV: the inner search of every outer split, row by row. */
static int collect_inner(fw_plan *p, const fw_config *c, fw_results *r)
{
    size_t total = 0, nm = c->n_metrics;
    const fw_row *rows;
    for (size_t o = 0; o < r->n_outer; o++)
        total += fw_plan_context_rows(p, 1 + o, &rows);
    if (!total)
        return FW_OK;
    r->inner = calloc(total, sizeof *r->inner);
    if (!r->inner)
        return FW_ENOMEM;
    for (size_t o = 0; o < r->n_outer; o++) {
        size_t n = fw_plan_context_rows(p, 1 + o, &rows);
        for (size_t i = 0; i < n && r->n_inner < total; i++) {
            fw_inner_row *x = &r->inner[r->n_inner++];
            x->outer = r->outer[o].split;
            x->model = fw_strdup(c->spaces[rows[i].space].model->name);
            x->params_json = params_json(c, rows[i].space, rows[i].vals);
            x->status = rows[i].status;
            x->n_splits = rows[i].n_splits;
            x->mean_test = dup_doubles(rows[i].mean_test, nm);
            x->std_test = dup_doubles(rows[i].std_test, nm);
            x->test = dup_doubles(rows[i].test, rows[i].n_splits * nm);
            if (!x->model || !x->params_json || !x->mean_test || !x->std_test || !x->test)
                return FW_ENOMEM;
        }
    }
    return FW_OK;
}

static void collect_meta(const fw_config *c, const fw_dataset *d, const fw_run_meta *m,
                         fw_results *r)
{
    unsigned maj, min, rel;
    char buf[64];
    r->name = fw_strdup(c->name ? c->name : "");
    r->config_text = fw_strdup(c->text);
    r->config_path = fw_strdup(c->path);
    r->cmdline = fw_strdup(m->cmdline ? m->cmdline : "");
    r->host = fw_strdup(m->host);
    r->data_path = fw_strdup(c->data.path);
    r->state = fw_strdup(m->stopped ? "stopped" : "finished");
    r->seed = c->seed;
    r->data_hash = d->hash;
    r->ranks = m->ranks;
    r->start_epoch = m->start_epoch;
    r->end_epoch = m->end_epoch;
    r->elapsed_s = m->elapsed_s;
    r->search_s = m->search_s;
    r->v_foldwise = fw_strdup(FW_VERSION);
    r->v_mpi = fw_strdup(m->mpi_version);
    r->v_gsl = fw_strdup(GSL_VERSION);
    H5get_libversion(&maj, &min, &rel);
    snprintf(buf, sizeof buf, "%u.%u.%u", maj, min, rel);
    r->v_hdf5 = fw_strdup(buf);
    r->v_yaml = fw_strdup(yaml_get_version_string());
    r->task = d->task;
    r->target = fw_strdup(d->target_name);
    r->n_samples = d->n_rows;
    r->n_features = d->n_features;
    r->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0;
    r->classes = dup_strs(d->classes, r->n_classes);
    r->positive = d->positive;
    r->features = calloc(d->n_features ? d->n_features : 1, sizeof *r->features);
    for (size_t j = 0; r->features && j < d->n_features; j++)
        r->features[j] = fw_strdup(d->cols[j].name);
    r->metrics = dup_strs(c->metrics, c->n_metrics);
    r->n_metrics = c->n_metrics;
    r->greater_is_better = malloc((c->n_metrics ? c->n_metrics : 1) * sizeof(int));
    for (size_t k = 0; r->greater_is_better && k < c->n_metrics; k++) {
        const fw_metric_type *mt = fw_metric_find(c->metrics[k]);
        r->greater_is_better[k] = mt ? mt->greater_is_better : 1;
    }
    r->refit = fw_strdup(fw_refit_names[c->refit]);
}

int fw_results_from_plan(fw_plan *p, const fw_config *c, const fw_dataset *d,
                         const fw_run_meta *m, fw_results **out, fw_err *e)
{
    fw_results *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    collect_meta(c, d, m, r);
    fw_plan_stats st;
    fw_plan_stats_get(p, &st);
    r->tasks_total = st.total;
    r->tasks_done = st.done;
    r->tasks_failed = st.failed;
    r->tasks_resumed = m->resumed;
    const fw_splits *outer = fw_plan_outer_splits(p);
    r->k = outer->k;
    r->repeats = outer->repeats;
    int rc = param_cols(c, r);
    if (!rc)
        rc = collect_trials(p, c, r);
    if (!rc)
        rc = collect_outer(p, c, r);
    if (!rc)
        rc = collect_preds(p, c, r);
    if (!rc)
        rc = collect_refit(p, c, r);
    if (!rc)
        rc = collect_curve(p, c, r);
    if (!rc)
        rc = collect_refit_facts(d, r);
    if (!rc)
        rc = collect_inner(p, c, r);
    if (!rc) {
        fill_y_true(d, r);
        r->best = fw_plan_best(p);
        r->n_models = c->n_spaces;
        r->best_of_model = malloc((c->n_spaces ? c->n_spaces : 1) * sizeof *r->best_of_model);
        if (!r->best_of_model)
            rc = FW_ENOMEM;
        for (size_t s = 0; !rc && s < c->n_spaces; s++)
            r->best_of_model[s] = fw_plan_best_of_space(p, s);
    }
    if (rc || !r->name || !r->metrics || !r->classes || !r->features) {
        fw_results_free(r);
        return fw_err_set(e, FW_ENOMEM, "out of memory collecting the results");
    }
    *out = r;
    return FW_OK;
}
