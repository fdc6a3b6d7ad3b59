/* results.c: cv_results.csv, summary.json and predictions.csv.
 *
 * cv_results.csv follows scikit-learn's cv_results_: one row per candidate
 * of the flat search (row number = configuration id), split scores in
 * scikit-learn's numbering (repeat x k + fold), mean/std/rank per metric,
 * train means, times. Numbers are written in their shortest round-trip
 * form, so the same results give the same bytes. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <yaml.h>

#include "foldwise/report.h"

void fw_run_meta_init(fw_run_meta *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->mpi_version, sizeof m->mpi_version, "none");
    if (gethostname(m->host, sizeof m->host) != 0)
        snprintf(m->host, sizeof m->host, "unknown");
}

/* ---- parameters ------------------------------------------------------------ */

/* Names of the parameters the config mentions, in order of first mention. */
static size_t param_names(const fw_config *c, const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t s = 0; s < c->n_spaces; s++) {
        for (size_t d = 0; d < c->spaces[s].n_dims; d++) {
            const char *nm = c->spaces[s].dims[d].name;
            int seen = 0;
            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp(names[i], nm) == 0;
            if (!seen && n < cap)
                names[n++] = nm;
        }
    }
    return n;
}

static void value_text(const fw_config *c, size_t space, const fw_pval *vals, const char *name,
                       char *buf, size_t n)
{
    const fw_model_type *m = c->spaces[space].model;
    long i = fw_param_index(m, name);
    buf[0] = '\0';
    if (i < 0)
        return;
    int named = 0;
    for (size_t d = 0; d < c->spaces[space].n_dims; d++)
        named |= strcmp(c->spaces[space].dims[d].name, name) == 0;
    if (named)
        fw_param_format(m, (size_t)i, &vals[i], buf, n);
}

void fw_report_params_json(const fw_config *c, size_t space, const fw_pval *vals, fw_sb *out)
{
    const fw_space *sp = &c->spaces[space];
    fw_sb_append(out, "{");
    for (size_t d = 0; d < sp->n_dims; d++) {
        long i = fw_param_index(sp->model, sp->dims[d].name);
        if (i < 0)
            continue;
        fw_sb_append(out, d ? ", " : "");
        fw_sb_json_str(out, sp->dims[d].name);
        fw_sb_append(out, ": ");
        const char *ch = fw_param_choice_name(sp->model, (size_t)i, &vals[i]);
        const fw_param_spec *ps = &sp->model->params[i];
        if (ch)
            fw_sb_json_str(out, ch);
        else if (ps->kind == FW_PARAM_BOOL)
            fw_sb_append(out, vals[i].num != 0 ? "true" : "false");
        else
            fw_sb_json_num(out, vals[i].num);
    }
    fw_sb_append(out, "}");
}

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

static void csv_header(const fw_config *c, const char **names, size_t np, size_t ns, fw_sb *b)
{
    fw_sb_append(b, "model");
    for (size_t i = 0; i < np; i++) {
        fw_sb_append(b, ",");
        char col[256];
        snprintf(col, sizeof col, "param_%s", names[i]);
        fw_sb_csv_field(b, col);
    }
    for (size_t m = 0; m < c->n_metrics; m++) {
        for (size_t s = 0; s < ns; s++)
            fw_sb_printf(b, ",split%zu_test_%s", s, c->metrics[m]);
        fw_sb_printf(b, ",mean_test_%s,std_test_%s,rank_test_%s", c->metrics[m], c->metrics[m],
                     c->metrics[m]);
    }
    for (size_t m = 0; m < c->n_metrics; m++)
        fw_sb_printf(b, ",mean_train_%s,std_train_%s", c->metrics[m], c->metrics[m]);
    fw_sb_append(b, ",mean_fit_time,std_fit_time,mean_score_time,std_score_time,status,"
                    "not_converged,message\n");
}

static void csv_row(const fw_config *c, const fw_row *r, const char **names, size_t np,
                    fw_sb *b)
{
    fw_sb_csv_field(b, c->spaces[r->space].model->name);
    for (size_t i = 0; i < np; i++) {
        char v[64];
        value_text(c, r->space, r->vals, names[i], v, sizeof v);
        fw_sb_append(b, ",");
        fw_sb_csv_field(b, v);
    }
    size_t nm = c->n_metrics;
    for (size_t m = 0; m < nm; m++) {
        for (size_t s = 0; s < r->n_splits; s++) {
            fw_sb_append(b, ",");
            num(b, r->test[s * nm + m]);
        }
        fw_sb_append(b, ",");
        num(b, r->mean_test[m]);
        fw_sb_append(b, ",");
        num(b, r->std_test[m]);
        fw_sb_printf(b, ",%ld", r->rank[m]);
    }
    for (size_t m = 0; m < nm; m++) {
        fw_sb_append(b, ",");
        num(b, r->mean_train[m]);
        fw_sb_append(b, ",");
        num(b, r->std_train[m]);
    }
    const double t[4] = {r->mean_fit_time, r->std_fit_time, r->mean_score_time,
                         r->std_score_time};
    for (int i = 0; i < 4; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, ",%.6f", t[i]);
        fw_sb_append(b, buf);
    }
    fw_sb_printf(b, ",%s,%d,", fw_rs_names[r->status], r->not_converged);
    fw_sb_csv_field(b, r->message ? r->message : "");
    fw_sb_append(b, "\n");
}

int fw_report_cv_results(fw_plan *p, const fw_config *c, const char *path, fw_err *e)
{
    const fw_row *rows;
    size_t n = fw_plan_rows(p, &rows);
    const char *names[256];
    size_t np = param_names(c, names, 256);
    size_t ns = n ? rows[0].n_splits : 0;
    fw_sb b;
    fw_sb_init(&b);
    csv_header(c, names, np, ns, &b);
    for (size_t i = 0; i < n; i++)
        csv_row(c, &rows[i], names, np, &b);
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

/* ---- summary.json ----------------------------------------------------------- */

static void json_scores(fw_sb *b, const double *v, size_t n, size_t stride)
{
    fw_sb_append(b, "[");
    for (size_t i = 0; i < n; i++) {
        fw_sb_append(b, i ? ", " : "");
        fw_sb_json_num(b, v[i * stride]);
    }
    fw_sb_append(b, "]");
}

static void json_row(fw_sb *b, const fw_config *c, const fw_row *r, long id)
{
    fw_sb_append(b, "{\"model\": ");
    fw_sb_json_str(b, c->spaces[r->space].model->name);
    fw_sb_printf(b, ", \"config\": %ld, \"params\": ", id);
    fw_report_params_json(c, r->space, r->vals, b);
    fw_sb_append(b, ", \"mean\": ");
    fw_sb_json_num(b, r->mean_test[0]);
    fw_sb_append(b, ", \"std\": ");
    fw_sb_json_num(b, r->std_test[0]);
    fw_sb_append(b, ", \"splits\": ");
    json_scores(b, r->test, r->n_splits, c->n_metrics);
    fw_sb_append(b, ", \"scores\": {");
    for (size_t m = 0; m < c->n_metrics; m++) {
        fw_sb_append(b, m ? ", " : "");
        fw_sb_json_str(b, c->metrics[m]);
        fw_sb_append(b, ": ");
        fw_sb_json_num(b, r->mean_test[m]);
    }
    fw_sb_append(b, "}}");
}

static void json_nested(fw_sb *b, fw_plan *p, const fw_config *c)
{
    const fw_outer_result *o;
    size_t n = fw_plan_outer(p, &o);
    if (n == 0)
        return;
    double sum = 0, sq = 0;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        if (o[i].status == FW_RS_OK)
            sum += o[i].test[0], ok++;
    double mean = ok == n ? sum / (double)n : NAN;
    for (size_t i = 0; ok == n && i < n; i++)
        sq += (o[i].test[0] - mean) * (o[i].test[0] - mean);
    fw_sb_append(b, ",\n  \"nested\": {\"mean\": ");
    fw_sb_json_num(b, mean);
    fw_sb_append(b, ", \"std\": ");
    fw_sb_json_num(b, ok == n ? sqrt(sq / (double)n) : NAN);
    fw_sb_append(b, ", \"outer\": [");
    for (size_t i = 0; i < n; i++) {
        fw_sb_printf(b, "%s\n    {\"split\": %zu, \"status\": \"%s\", \"score\": ", i ? "," : "",
                     o[i].split, o[i].status >= 0 ? fw_rs_names[o[i].status] : "missing");
        fw_sb_json_num(b, o[i].test[0]);
        if (o[i].vals) {
            fw_sb_append(b, ", \"model\": ");
            fw_sb_json_str(b, c->spaces[o[i].space].model->name);
            fw_sb_append(b, ", \"params\": ");
            fw_report_params_json(c, o[i].space, o[i].vals, b);
        }
        if (o[i].message) {
            fw_sb_append(b, ", \"message\": ");
            fw_sb_json_str(b, o[i].message);
        }
        fw_sb_append(b, "}");
    }
    fw_sb_append(b, "]}");
}

static void json_versions(fw_sb *b, const fw_run_meta *m)
{
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    fw_sb_printf(b, ",\n  \"versions\": {\"foldwise\": \"%s\", \"mpi\": ", FW_VERSION);
    fw_sb_json_str(b, m->mpi_version);
    fw_sb_printf(b, ", \"gsl\": \"%s\", \"hdf5\": \"%u.%u.%u\", \"yaml\": \"%s\"}",
                 GSL_VERSION, maj, min, rel, yaml_get_version_string());
}

static void json_models(fw_sb *b, fw_plan *p, const fw_config *c, const fw_row *rows)
{
    fw_sb_append(b, ",\n  \"models\": [");
    int first = 1;
    for (size_t s = 0; s < c->n_spaces; s++) {
        long i = fw_plan_best_of_space(p, s);
        if (i < 0)
            continue;
        fw_sb_append(b, first ? "\n    " : ",\n    ");
        json_row(b, c, &rows[i], i);
        first = 0;
    }
    fw_sb_append(b, "]");
}

int fw_report_summary(fw_plan *p, const fw_config *c, const fw_dataset *d,
                      const fw_run_meta *m, const char *path, fw_err *e)
{
    const fw_row *rows;
    size_t n = fw_plan_rows(p, &rows);
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_append(&b, "{\n  \"name\": ");
    fw_sb_json_str(&b, c->name ? c->name : "");
    fw_sb_printf(&b, ",\n  \"task\": \"%s\", \"metric\": ",
                 d->task == FW_TASK_CLASSIFICATION ? "classification" : "regression");
    fw_sb_json_str(&b, c->metrics[0]);
    fw_sb_append(&b, ", \"metrics\": [");
    for (size_t k = 0; k < c->n_metrics; k++) {
        fw_sb_append(&b, k ? ", " : "");
        fw_sb_json_str(&b, c->metrics[k]);
    }
    fw_sb_printf(&b, "],\n  \"n_samples\": %zu, \"n_features\": %zu, \"seed\": %llu", d->n_rows,
                 d->n_features, (unsigned long long)c->seed);
    fw_sb_printf(&b, ", \"data_hash\": \"%016llx\"", (unsigned long long)d->hash);
    if (d->task == FW_TASK_CLASSIFICATION) {
        fw_sb_append(&b, ", \"classes\": [");
        for (size_t k = 0; k < d->n_classes; k++) {
            fw_sb_append(&b, k ? ", " : "");
            fw_sb_json_str(&b, d->classes[k]);
        }
        fw_sb_append(&b, "]");
    }
    long best = fw_plan_best(p);
    fw_sb_append(&b, ",\n  \"best\": ");
    if (best >= 0 && (size_t)best < n)
        json_row(&b, c, &rows[best], best);
    else
        fw_sb_append(&b, "null");
    json_models(&b, p, c, rows);
    json_nested(&b, p, c);
    fw_plan_stats st;
    fw_plan_stats_get(p, &st);
    fw_sb_printf(&b, ",\n  \"tasks\": {\"total\": %zu, \"done\": %zu, \"failed\": %zu, "
                     "\"resumed\": %zu}",
                 st.total, st.done, st.failed, m->resumed);
    fw_sb_printf(&b, ",\n  \"state\": \"%s\", \"ranks\": %d, \"elapsed_s\": ",
                 m->stopped ? "stopped" : "finished", m->ranks);
    fw_sb_json_num(&b, m->elapsed_s);
    fw_sb_append(&b, ", \"search_s\": ");
    fw_sb_json_num(&b, m->search_s);
    json_versions(&b, m);
    fw_sb_append(&b, "\n}\n");
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

/* ---- predictions.csv ---------------------------------------------------------- */

/* Predict tasks carry flat-search candidate ids: the `config` column is the
 * cv_results.csv row. */
int fw_report_predictions(fw_plan *p, const fw_config *c, const fw_dataset *d,
                          const char *path, fw_err *e)
{
    const fw_result *const *res;
    size_t n = fw_plan_predictions(p, &res);
    const fw_splits *outer = fw_plan_outer_splits(p);
    size_t kk = outer->k ? outer->k : 1;
    int cls = d->task == FW_TASK_CLASSIFICATION;
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_append(&b, "model,config,repeat,split,row,y_true,y_pred");
    for (size_t k = 0; cls && k < d->n_classes; k++) {
        char col[256];
        snprintf(col, sizeof col, "proba_%s", d->classes[k]);
        fw_sb_append(&b, ",");
        fw_sb_csv_field(&b, col);
    }
    fw_sb_append(&b, "\n");
    for (size_t i = 0; i < n; i++) {
        const fw_result *r = res[i];
        const fw_task *t = fw_plan_task(p, r->task);
        for (uint32_t ci = 0; ci < r->n_cand; ci++) {
            const fw_task_cand *k = &t->cands[ci];
            for (uint32_t j = 0; j < r->n_pred; j++) {
                const double *v = r->pred + ((size_t)ci * r->n_pred + j) * r->width;
                size_t row = r->pred_rows[j];
                fw_sb_csv_field(&b, c->spaces[k->space].model->name);
                fw_sb_printf(&b, ",%u,%zu,%zu,%zu,", k->cand, (size_t)t->outer / kk,
                             (size_t)t->outer % kk, row);
                if (cls) {
                    size_t best = 0;
                    for (size_t q = 1; q < r->width; q++)
                        if (v[q] > v[best])
                            best = q;
                    fw_sb_csv_field(&b, d->classes[(size_t)d->y[row]]);
                    fw_sb_append(&b, ",");
                    fw_sb_csv_field(&b, d->classes[best]);
                    for (size_t q = 0; q < r->width; q++) {
                        fw_sb_append(&b, ",");
                        num(&b, v[q]);
                    }
                } else {
                    num(&b, d->y[row]);
                    fw_sb_append(&b, ",");
                    num(&b, v[0]);
                }
                fw_sb_append(&b, "\n");
            }
        }
    }
    int rc = write_sb(path, &b, e);
    fw_sb_free(&b);
    return rc;
}

int fw_report_write_all(fw_plan *p, const fw_config *c, const fw_dataset *d,
                        const fw_run_meta *m, fw_err *e)
{
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/cv_results.csv", c->output.dir);
    if ((rc = fw_report_cv_results(p, c, path, e)))
        return rc;
    snprintf(path, sizeof path, "%s/summary.json", c->output.dir);
    if ((rc = fw_report_summary(p, c, d, m, path, e)))
        return rc;
    if (c->output.predictions != FW_PRED_NONE) {
        snprintf(path, sizeof path, "%s/predictions.csv", c->output.dir);
        if ((rc = fw_report_predictions(p, c, d, path, e)))
            return rc;
    }
    return FW_OK;
}
