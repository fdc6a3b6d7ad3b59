/* results.c: cv_results.csv, summary.json and predictions.csv from the
 * run's results.
 *
 * cv_results.csv follows scikit-learn's cv_results_: one row per candidate
 * of the flat search (row number = configuration id), split scores in
 * scikit-learn's numbering (repeat x k + fold), mean/std/rank per metric,
 * train means, times. Numbers are written in their shortest round-trip
 * form, so the same results give the same bytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/plan.h"
#include "foldwise/report.h"

static int write_sb(const char *path, fw_sb *b, fw_err *e)
{
    if (b->oom)
        return fw_err_set(e, FW_ENOMEM, "out of memory writing %s", path);
    return fw_write_file_atomic(path, b->s ? b->s : "", b->len, e);
}

static void num(fw_sb *b, double v)
{
    char buf[40];
    if (isnan(v))
        return; /* empty cell, as pandas writes NaN */
    fw_fmt_double(buf, sizeof buf, v);
    fw_sb_append(b, buf);
}

/* ---- cv_results.csv ------------------------------------------------------- */

static void csv_header(const fw_results *r, fw_sb *b)
{
    fw_sb_append(b, "model");
    for (size_t i = 0; i < r->n_param_cols; i++) {
        char col[256];
        snprintf(col, sizeof col, "param_%s", r->param_cols[i]);
        fw_sb_append(b, ",");
        fw_sb_csv_field(b, col);
    }
    for (size_t m = 0; m < r->n_metrics; m++) {
        const char *mt = r->metrics[m];
        for (size_t s = 0; s < r->n_splits; s++)
            fw_sb_printf(b, ",split%zu_test_%s", s, mt);
        fw_sb_printf(b, ",mean_test_%s,std_test_%s,rank_test_%s", mt, mt, mt);
    }
    for (size_t m = 0; m < r->n_metrics; m++)
        fw_sb_printf(b, ",mean_train_%s,std_train_%s", r->metrics[m], r->metrics[m]);
    fw_sb_append(b, ",mean_fit_time,std_fit_time,mean_score_time,std_score_time,status,"
                    "not_converged,message\n");
}

static void csv_row(const fw_results *r, const fw_trial *t, fw_sb *b)
{
    size_t nm = r->n_metrics;
    fw_sb_csv_field(b, t->model);
    for (size_t i = 0; i < r->n_param_cols; i++) {
        fw_sb_append(b, ",");
        fw_sb_csv_field(b, t->param_text[i]);
    }
    for (size_t m = 0; m < nm; m++) {
        for (size_t s = 0; s < r->n_splits; s++) {
            fw_sb_append(b, ",");
            num(b, t->test[s * nm + m]);
        }
        fw_sb_append(b, ",");
        num(b, t->mean_test[m]);
        fw_sb_append(b, ",");
        num(b, t->std_test[m]);
        fw_sb_printf(b, ",%ld", t->rank[m]);
    }
    for (size_t m = 0; m < nm; m++) {
        fw_sb_append(b, ",");
        num(b, t->mean_train[m]);
        fw_sb_append(b, ",");
        num(b, t->std_train[m]);
    }
    fw_sb_printf(b, ",%.6f,%.6f,%.6f,%.6f,%s,%d,", t->mean_fit_time, t->std_fit_time,
                 t->mean_score_time, t->std_score_time, fw_rs_names[t->status],
                 t->not_converged);
    fw_sb_csv_field(b, t->message ? t->message : "");
    fw_sb_append(b, "\n");
}

int fw_report_cv_results(const fw_results *r, const char *path, fw_err *e)
{
    fw_sb b;
    fw_sb_init(&b);
    csv_header(r, &b);
    for (size_t i = 0; i < r->n_trials; i++)
        csv_row(r, &r->trials[i], &b);
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

/* ---- summary.json ----------------------------------------------------------- */

static void json_trial(fw_sb *b, const fw_results *r, long id)
{
    const fw_trial *t = &r->trials[id];
    fw_sb_append(b, "{\"model\": ");
    fw_sb_json_str(b, t->model);
    fw_sb_printf(b, ", \"config\": %ld, \"params\": %s, \"mean\": ", id, t->params_json);
    fw_sb_json_num(b, t->mean_test[0]);
    fw_sb_append(b, ", \"std\": ");
    fw_sb_json_num(b, t->std_test[0]);
    fw_sb_append(b, ", \"splits\": [");
    for (size_t s = 0; s < r->n_splits; s++) {
        fw_sb_append(b, s ? ", " : "");
        fw_sb_json_num(b, t->test[s * r->n_metrics]);
    }
    fw_sb_append(b, "], \"scores\": {");
    for (size_t m = 0; m < r->n_metrics; m++) {
        fw_sb_append(b, m ? ", " : "");
        fw_sb_json_str(b, r->metrics[m]);
        fw_sb_append(b, ": ");
        fw_sb_json_num(b, t->mean_test[m]);
    }
    fw_sb_append(b, "}}");
}

static void json_nested(fw_sb *b, const fw_results *r)
{
    if (r->n_outer == 0)
        return;
    double sum = 0, sq = 0;
    size_t ok = 0, n = r->n_outer;
    for (size_t i = 0; i < n; i++)
        if (r->outer[i].status == FW_RS_OK)
            sum += r->outer[i].test[0], ok++;
    double mean = ok == n ? sum / (double)n : NAN;
    for (size_t i = 0; ok == n && i < n; i++)
        sq += (r->outer[i].test[0] - mean) * (r->outer[i].test[0] - mean);
    fw_sb_append(b, ",\n  \"nested\": {\"mean\": ");
    fw_sb_json_num(b, mean);
    fw_sb_append(b, ", \"std\": ");
    fw_sb_json_num(b, ok == n ? sqrt(sq / (double)n) : NAN);
    fw_sb_append(b, ", \"outer\": [");
    for (size_t i = 0; i < n; i++) {
        const fw_outer_row *o = &r->outer[i];
        fw_sb_printf(b, "%s\n    {\"split\": %zu, \"status\": \"%s\", \"score\": ", i ? "," : "",
                     o->split, o->status >= 0 ? fw_rs_names[o->status] : "missing");
        fw_sb_json_num(b, o->test[0]);
        if (o->model) {
            fw_sb_append(b, ", \"model\": ");
            fw_sb_json_str(b, o->model);
            fw_sb_printf(b, ", \"params\": %s", o->params_json);
        }
        if (o->message) {
            fw_sb_append(b, ", \"message\": ");
            fw_sb_json_str(b, o->message);
        }
        fw_sb_append(b, "}");
    }
    fw_sb_append(b, "]}");
}

static void json_list(fw_sb *b, char *const *s, size_t n)
{
    fw_sb_append(b, "[");
    for (size_t i = 0; i < n; i++) {
        fw_sb_append(b, i ? ", " : "");
        fw_sb_json_str(b, s[i]);
    }
    fw_sb_append(b, "]");
}

static void json_head(fw_sb *b, const fw_results *r)
{
    fw_sb_append(b, "{\n  \"name\": ");
    fw_sb_json_str(b, r->name);
    fw_sb_printf(b, ",\n  \"task\": \"%s\", \"metric\": ",
                 r->task == FW_TASK_CLASSIFICATION ? "classification" : "regression");
    fw_sb_json_str(b, r->metrics[0]);
    fw_sb_append(b, ", \"metrics\": ");
    json_list(b, r->metrics, r->n_metrics);
    fw_sb_printf(b, ",\n  \"n_samples\": %zu, \"n_features\": %zu, \"seed\": %llu, "
                    "\"data_hash\": \"%016llx\"",
                 r->n_samples, r->n_features, (unsigned long long)r->seed,
                 (unsigned long long)r->data_hash);
    if (r->task == FW_TASK_CLASSIFICATION) {
        fw_sb_append(b, ", \"classes\": ");
        json_list(b, r->classes, r->n_classes);
    }
}

int fw_report_summary(const fw_results *r, const char *path, fw_err *e)
{
    fw_sb b;
    fw_sb_init(&b);
    json_head(&b, r);
    fw_sb_append(&b, ",\n  \"best\": ");
    if (r->best >= 0 && (size_t)r->best < r->n_trials)
        json_trial(&b, r, r->best);
    else
        fw_sb_append(&b, "null");
    fw_sb_append(&b, ",\n  \"models\": [");
    for (size_t s = 0, first = 1; s < r->n_models; s++) {
        if (r->best_of_model[s] < 0)
            continue;
        fw_sb_append(&b, first ? "\n    " : ",\n    ");
        json_trial(&b, r, r->best_of_model[s]);
        first = 0;
    }
    fw_sb_append(&b, "]");
    json_nested(&b, r);
    fw_sb_printf(&b, ",\n  \"tasks\": {\"total\": %zu, \"done\": %zu, \"failed\": %zu, "
                     "\"resumed\": %zu}",
                 r->tasks_total, r->tasks_done, r->tasks_failed, r->tasks_resumed);
    fw_sb_printf(&b, ",\n  \"state\": \"%s\", \"ranks\": %d, \"elapsed_s\": ", r->state,
                 r->ranks);
    fw_sb_json_num(&b, r->elapsed_s);
    fw_sb_append(&b, ", \"search_s\": ");
    fw_sb_json_num(&b, r->search_s);
    fw_sb_append(&b, ",\n  \"versions\": {\"foldwise\": ");
    fw_sb_json_str(&b, r->v_foldwise);
    const char *names[] = {"mpi", "gsl", "hdf5", "yaml"};
    const char *vals[] = {r->v_mpi, r->v_gsl, r->v_hdf5, r->v_yaml};
    for (int i = 0; i < 4; i++) {
        fw_sb_printf(&b, ", \"%s\": ", names[i]);
        fw_sb_json_str(&b, vals[i]);
    }
    fw_sb_append(&b, "}\n}\n");
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

/* ---- predictions.csv ---------------------------------------------------------- */

static void pred_row(fw_sb *b, const fw_results *r, const fw_pred_block *p, size_t j)
{
    const double *v = p->value + j * p->width;
    fw_sb_csv_field(b, p->model);
    fw_sb_printf(b, ",%ld,%zu,%zu,%u,", p->config, p->repeat, p->split, p->row[j]);
    if (r->task != FW_TASK_CLASSIFICATION) {
        num(b, p->y_true[j]);
        fw_sb_append(b, ",");
        num(b, v[0]);
        fw_sb_append(b, "\n");
        return;
    }
    size_t best = 0;
    for (size_t q = 1; q < p->width; q++)
        if (v[q] > v[best])
            best = q;
    fw_sb_csv_field(b, r->classes[(size_t)p->y_true[j]]);
    fw_sb_append(b, ",");
    fw_sb_csv_field(b, r->classes[best]);
    for (size_t q = 0; q < p->width; q++) {
        fw_sb_append(b, ",");
        num(b, v[q]);
    }
    fw_sb_append(b, "\n");
}

int fw_report_predictions(const fw_results *r, const char *path, fw_err *e)
{
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_append(&b, "model,config,repeat,split,row,y_true,y_pred");
    for (size_t k = 0; r->task == FW_TASK_CLASSIFICATION && k < r->n_classes; k++) {
        char col[256];
        snprintf(col, sizeof col, "proba_%s", r->classes[k]);
        fw_sb_append(&b, ",");
        fw_sb_csv_field(&b, col);
    }
    fw_sb_append(&b, "\n");
    for (size_t i = 0; i < r->n_preds; i++)
        for (size_t j = 0; j < r->preds[i].n; j++)
            pred_row(&b, r, &r->preds[i], j);
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

int fw_report_write_all(const fw_results *r, const char *dir, fw_err *e)
{
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/cv_results.csv", dir);
    if ((rc = fw_report_cv_results(r, path, e)))
        return rc;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if ((rc = fw_report_summary(r, path, e)))
        return rc;
    if (r->n_preds) {
        snprintf(path, sizeof path, "%s/predictions.csv", dir);
        if ((rc = fw_report_predictions(r, path, e)))
            return rc;
    }
    snprintf(path, sizeof path, "%s/report.md", dir);
    if ((rc = fw_report_md(r, path, e)) && rc != FW_EUNSUP)
        return rc;
    snprintf(path, sizeof path, "%s/report.html", dir);
    if ((rc = fw_report_html(r, path, e)) && rc != FW_EUNSUP)
        return rc;
    return FW_OK;
}
