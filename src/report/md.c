/* md.c: report.md, the findings of report.html as Markdown text: headline,
 * leaderboards, best parameters, learning curve and feature importances
 * (when the run has them), nested CV with its inner searches, confusion
 * matrix or pooled regression fit, failures, reproducibility (config in a
 * code fence).
 * Numbers are formatted by the same functions as the HTML. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "foldwise/plan.h"
#include "foldwise/report.h"
#include "report_int.h"

/* Inline code; text with backticks gets a longer delimiter. */
static void code(fw_sb *b, const char *s)
{
    int tick = s && strchr(s, '`') != NULL;
    fw_sb_append(b, tick ? "`` " : "`");
    for (const char *p = s; p && *p; p++)
        fw_sb_appendn(b, *p == '\n' ? " " : p, 1);
    fw_sb_append(b, tick ? " ``" : "`");
}

static void cell_num(fw_sb *b, double v)
{
    char buf[48];
    fw_rep_fmt(v, buf, sizeof buf);
    fw_sb_printf(b, " %s |", buf);
}

static void cell_params(fw_sb *b, const char *json)
{
    fw_sb p;
    fw_sb_init(&p);
    fw_rep_params_text(json, &p);
    fw_sb_append(b, " ");
    fw_rep_md_cell(b, p.s ? p.s : "");
    fw_sb_append(b, " |");
    fw_sb_free(&p);
}

static void metric_heads(fw_sb *b, const fw_results *r, size_t *cols)
{
    for (size_t m = 0; m < r->n_metrics; m++) {
        fw_sb_append(b, " ");
        fw_rep_md_cell(b, r->metrics[m]);
        fw_sb_printf(b, " %s%s |", fw_rep_arrow(r, m), m == 0 ? " (mean \xc2\xb1 std)" : "");
    }
    *cols += r->n_metrics;
}

static void metric_cells(fw_sb *b, const fw_results *r, const fw_trial *t)
{
    char buf[96];
    fw_rep_fmt_pm(t->mean_test[0], t->std_test[0], buf, sizeof buf);
    fw_sb_printf(b, " %s |", buf);
    for (size_t m = 1; m < r->n_metrics; m++)
        cell_num(b, t->mean_test[m]);
}

/* The |---| line under a header of n columns, the first `left` ones left
 * aligned and the rest right aligned. */
static void rule(fw_sb *b, size_t n, size_t left)
{
    fw_sb_append(b, "|");
    for (size_t i = 0; i < n; i++)
        fw_sb_append(b, i < left ? "---|" : "---:|");
    fw_sb_append(b, "\n");
}

static void headline(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    fw_sb_append(b, "# ");
    fw_rep_md_cell(b, r->name && *r->name ? r->name : "foldwise run");
    fw_sb_printf(b, " \xe2\x80\x94 foldwise report\n\n%s of ",
                 r->task == FW_TASK_CLASSIFICATION ? "Classification" : "Regression");
    code(b, r->target ? r->target : "?");
    fw_sb cl;
    fw_sb_init(&cl);
    fw_rep_classes_text(r, &cl);
    fw_rep_md_cell(b, cl.s);
    fw_sb_free(&cl);
    fw_sb_append(b, " on ");
    code(b, r->data_path ? r->data_path : "?");
    fw_sb_printf(b, ": %zu rows, %zu features. Optimised metric: **%s** (%s). "
                    "Cross-validation: %zu splits%s.\n\n",
                 r->n_samples, r->n_features, h->metric, h->better, r->n_splits,
                 r->n_outer ? ", nested" : "");
    if (h->has_best) {
        fw_sb_printf(b, "**Best: %s** with %s: **%s** %s, mean \xc2\xb1 std over the %zu outer "
                        "splits of the flat search (configuration %ld, refit rule \"%s\").\n\n",
                     h->best_model, h->best_params, h->best_score, h->metric, r->n_splits,
                     r->best, r->refit ? r->refit : "best");
    } else {
        fw_sb_append(b, "**No configuration could be scored**: every fit failed or the run "
                        "stopped first (see Failures).\n\n");
    }
    if (h->n_outer)
        fw_sb_printf(b, "**Nested CV estimate: %s** %s over %zu of %zu outer splits. %s\n\n",
                     h->nested_score, h->metric, h->nested_ok, h->n_outer, fw_rep_nested_why);
    else if (h->has_best)
        fw_sb_printf(b, "%s\n\n", fw_rep_flat_why);
    if (h->n_bad)
        fw_sb_printf(b, "%zu of %zu configurations failed on some or all splits (see Failures)."
                        "\n\n", h->n_bad, r->n_trials);
    if (h->stopped)
        fw_sb_printf(b, "%s\n\n", fw_rep_stopped_why);
    fw_sb_printf(b, "Run: %s; %zu tasks (%zu done, %zu failed fits, %zu resumed); %d rank%s; "
                    "elapsed %s (search %s).\n",
                 r->state ? r->state : "?", r->tasks_total, r->tasks_done, r->tasks_failed,
                 r->tasks_resumed, r->ranks, r->ranks == 1 ? "" : "s", h->elapsed, h->search);
    fw_sb_append(b, "\nRefitted model: ");
    fw_rep_model_text(r, b);
    fw_sb_append(b, ".\n");
}

static void board(fw_sb *b, const fw_results *r)
{
    size_t *order = malloc((r->n_trials ? r->n_trials : 1) * sizeof *order), cols = 3;
    if (!order) {
        b->oom = 1;
        return;
    }
    size_t n = fw_rep_ranked(r, order);
    fw_sb_append(b, "\n## Leaderboard\n\n");
    if (n == 0) {
        fw_sb_append(b, "No configuration has a score.\n");
        free(order);
        return;
    }
    fw_sb_append(b, "Means over the outer splits of the flat search; "
                    "\xe2\x86\x91 higher is better, \xe2\x86\x93 lower is better.\n\n"
                    "### Best configuration of each model\n\n| # | model | parameters |");
    metric_heads(b, r, &cols);
    fw_sb_append(b, " config |\n");
    rule(b, cols + 1, 3);
    for (size_t i = 0, k = 0; i < n; i++) {
        const fw_trial *t = &r->trials[order[i]];
        if (t->space >= r->n_models || r->best_of_model[t->space] != (long)order[i])
            continue;
        fw_sb_printf(b, "| %zu | %s |", ++k, t->model);
        cell_params(b, t->params_json);
        metric_cells(b, r, t);
        fw_sb_printf(b, " %zu |\n", order[i]);
    }
    size_t top = n < 10 ? n : 10;
    cols = 4;
    fw_sb_printf(b, "\n### Top %zu configurations\n\n| rank | config | model | parameters |", top);
    metric_heads(b, r, &cols);
    fw_sb_append(b, "\n");
    rule(b, cols, 4);
    for (size_t i = 0; i < top; i++) {
        const fw_trial *t = &r->trials[order[i]];
        fw_sb_printf(b, "| %zu | %zu | %s |", i + 1, order[i], t->model);
        cell_params(b, t->params_json);
        metric_cells(b, r, t);
        fw_sb_append(b, "\n");
    }
    free(order);
}

static void best_params(fw_sb *b, const fw_results *r)
{
    size_t shown = 0;
    fw_sb_append(b, "\n## Best parameters per model (exact values)\n\n");
    for (size_t s = 0; s < r->n_models; s++) {
        long t = r->best_of_model[s];
        if (!fw_rep_scored(r, t))
            continue;
        fw_sb_printf(b, "- **%s** (configuration %ld): ", r->trials[t].model, t);
        code(b, r->trials[t].params_json);
        fw_sb_append(b, "\n");
        shown++;
    }
    if (!shown)
        fw_sb_append(b, "None: no model has a scored configuration.\n");
}

/* Inner searches of a nested run: one line per outer split. */
static void inner_searches(fw_sb *b, const fw_results *r)
{
    char buf[96];
    if (!r->n_inner)
        return;
    fw_sb_append(b, "\nInner searches (every configuration's scores are in results.h5, "
                    "/nested/inner):\n\n| outer split | configurations | scored | best on the "
                    "inner splits | parameters | ");
    fw_rep_md_cell(b, r->metrics[0]);
    fw_sb_printf(b, " %s (inner mean \xc2\xb1 std) |\n", fw_rep_arrow(r, 0));
    rule(b, 6, 0);
    for (size_t i = 0; i < r->n_outer; i++) {
        fw_rep_inner s;
        fw_rep_inner_of(r, r->outer[i].split, &s);
        const fw_inner_row *x = s.best >= 0 ? &r->inner[s.best] : NULL;
        fw_sb_printf(b, "| %zu | %zu | %zu | ", r->outer[i].split, s.n, s.scored);
        fw_rep_md_cell(b, x ? x->model : "\xe2\x80\x93");
        fw_sb_append(b, " |");
        cell_params(b, x ? x->params_json : NULL);
        fw_rep_fmt_pm(x ? x->mean_test[0] : NAN, x ? x->std_test[0] : NAN, buf, sizeof buf);
        fw_sb_printf(b, " %s |\n", buf);
    }
}

static void nested(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    size_t cols = 4;
    if (!r->n_outer)
        return;
    fw_sb_append(b, "\n## Nested cross-validation\n\n| outer split | status | chosen model | "
                    "parameters |");
    for (size_t m = 0; m < r->n_metrics; m++) {
        fw_sb_append(b, " ");
        fw_rep_md_cell(b, r->metrics[m]);
        fw_sb_printf(b, " %s |", fw_rep_arrow(r, m));
    }
    cols += r->n_metrics;
    fw_sb_append(b, " message |\n");
    rule(b, cols + 1, 0);
    for (size_t i = 0; i < r->n_outer; i++) {
        const fw_outer_row *o = &r->outer[i];
        fw_sb_printf(b, "| %zu | %s | %s |", o->split,
                     o->status >= 0 && o->status <= FW_RS_PARTIAL ? fw_rs_names[o->status]
                                                                  : "missing",
                     o->model ? o->model : "\xe2\x80\x93");
        cell_params(b, o->params_json);
        for (size_t m = 0; m < r->n_metrics; m++)
            cell_num(b, o->test[m]);
        fw_sb_append(b, " ");
        fw_rep_md_cell(b, o->message ? o->message : "");
        fw_sb_append(b, " |\n");
    }
    fw_sb_printf(b, "\nMean \xc2\xb1 std over %zu outer split%s: **%s**.\n", h->nested_ok,
                 h->nested_ok == 1 ? "" : "s", h->nested_score);
    inner_searches(b, r);
}

static void learning(fw_sb *b, const fw_results *r)
{
    char a[96], c[96];
    fw_rep_lc *p = r->n_curve && r->n_metrics ? malloc(r->n_curve * sizeof *p) : NULL;
    if (!p) {
        b->oom |= r->n_curve && r->n_metrics;
        return;
    }
    size_t n = fw_rep_curve(r, p);
    fw_sb t;
    fw_sb_init(&t);
    fw_sb_append(&t, "The chosen configuration, ");
    fw_rep_curve_what(r, &t);
    fw_sb_append(&t, ", fitted on growing fractions of each outer split's training rows and "
                     "scored on the split's test rows and on the rows it was fitted on. ");
    fw_rep_curve_summary(r, p, n, &t);
    fw_sb_append(b, "\n## Learning curve\n\n");
    fw_rep_md_cell(b, t.s);
    fw_sb_reset(&t);
    fw_rep_curve_guide(r, &t);
    fw_sb_append(b, "\n\n");
    fw_rep_md_cell(b, t.s);
    fw_sb_append(b, "\n\n| fraction | training rows | test ");
    fw_rep_md_cell(b, r->metrics[0]);
    fw_sb_append(b, " (mean \xc2\xb1 std) | train ");
    fw_rep_md_cell(b, r->metrics[0]);
    fw_sb_append(b, " (mean \xc2\xb1 std) | splits scored |\n");
    rule(b, 5, 0);
    for (size_t i = 0; i < n; i++) {
        fw_rep_fmt_pm(p[i].test, p[i].test_sd, a, sizeof a);
        fw_rep_fmt_pm(p[i].train, p[i].train_sd, c, sizeof c);
        fw_sb_printf(b, "| %g | %zu | %s | %s | %zu / %zu |\n", p[i].frac, p[i].n_train, a, c,
                     p[i].n_ok, r->n_splits);
    }
    fw_sb_free(&t);
    free(p);
}

static void importances(fw_sb *b, const fw_results *r)
{
    char a[48];
    size_t n = r->n_importances, *order = n ? malloc(n * sizeof *order) : NULL;
    if (!order || fw_rep_importance_order(r, order)) {
        b->oom |= n > 0;
        free(order);
        return;
    }
    fw_sb t;
    fw_sb_init(&t);
    fw_rep_importance_why(r, &t);
    fw_sb_append(b, "\n## Feature importances\n\n");
    fw_rep_md_cell(b, t.s);
    fw_sb_free(&t);
    if (fw_rep_importance_all_zero(r)) {
        fw_sb_append(b, "\n\nEvery importance is 0: no tree of the refitted model made a "
                        "split.\n");
        free(order);
        return;
    }
    size_t k = n < 20 ? n : 20;
    fw_sb_printf(b, "\n\nThe %zu most important of %zu column%s (every value is in "
                    "results.h5, /importances):\n\n| rank | column | importance |\n", k, n,
                 n == 1 ? "" : "s");
    rule(b, 3, 2);
    for (size_t i = 0; i < k; i++) {
        fw_rep_fmt(r->importances[order[i]], a, sizeof a);
        fw_sb_printf(b, "| %zu | ", i + 1);
        fw_rep_md_cell(b, r->importance_names[order[i]]);
        fw_sb_printf(b, " | %s |\n", a);
    }
    free(order);
}

static void confusion(fw_sb *b, const fw_results *r, const fw_rep_pool *p)
{
    size_t k = r->n_classes, *cm = calloc(k ? k * k : 1, sizeof *cm);
    if (!cm || p->width != k) {
        free(cm);
        return;
    }
    size_t total = fw_rep_confusion(p, k, cm);
    fw_sb_printf(b, "Confusion matrix of %zu pooled out-of-split predictions (rows: true "
                    "class, columns: predicted class):\n\n| true \\\\ predicted |", total);
    for (size_t j = 0; j < k; j++) {
        fw_sb_append(b, " ");
        fw_rep_md_cell(b, r->classes[j]);
        fw_sb_append(b, " |");
    }
    fw_sb_append(b, "\n");
    rule(b, k + 1, 1);
    for (size_t i = 0; i < k; i++) {
        fw_sb_append(b, "| ");
        fw_rep_md_cell(b, r->classes[i]);
        fw_sb_append(b, " |");
        for (size_t j = 0; j < k; j++)
            fw_sb_printf(b, " %zu |", cm[i * k + j]);
        fw_sb_append(b, "\n");
    }
    free(cm);
}

static void predictions(fw_sb *b, const fw_results *r)
{
    fw_rep_pool p;
    fw_sb_append(b, "\n## Out-of-split predictions of the best model\n\n");
    if (r->n_preds == 0) {
        fw_sb_append(b, "None were kept (output.predictions: none, or no model could be "
                        "fitted).\n");
        return;
    }
    if (!fw_rep_scored(r, r->best) || fw_rep_pool_get(r, r->best, &p) || p.n == 0) {
        fw_sb_append(b, "The best configuration's predictions were not kept.\n");
        return;
    }
    if (r->task == FW_TASK_CLASSIFICATION) {
        confusion(b, r, &p);
    } else {
        double rmse, r2;
        char a[32], c[32];
        size_t m = fw_rep_pool_fit(&p, &rmse, &r2);
        fw_rep_fmt(rmse, a, sizeof a);
        fw_rep_fmt(r2, c, sizeof c);
        fw_sb_printf(b, "Pooled over %zu predictions: RMSE %s, R\xc2\xb2 %s.\n", m, a, c);
    }
    fw_rep_pool_free(&p);
}

static void failures(fw_sb *b, const fw_results *r)
{
    size_t n, c[4];
    fw_rep_issue *g = fw_rep_issues(r, &n, c);
    fw_sb_printf(b, "\n## Failures and warnings\n\n%zu configuration%s: %zu ok, %zu partial "
                    "(failed on some splits), %zu failed, %zu timed out.\n",
                 r->n_trials, r->n_trials == 1 ? "" : "s", c[FW_RS_OK], c[FW_RS_PARTIAL],
                 c[FW_RS_FAILED], c[FW_RS_TIMEOUT]);
    if (n) {
        fw_sb_append(b, "\n| model | kind | configurations | first message |\n");
        rule(b, 4, 2);
        for (size_t i = 0; i < n; i++) {
            fw_sb_printf(b, "| %s | %s | %zu | ", g[i].model, g[i].kind, g[i].count);
            fw_rep_md_cell(b, g[i].message ? g[i].message : "(no message)");
            fw_sb_append(b, " |\n");
        }
    }
    free(g);
}

static void repro(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    char fence[64], ver[512];
    fw_sb_append(b, "\n## Reproducibility\n\n- command: ");
    code(b, r->cmdline ? r->cmdline : "");
    fw_sb_append(b, "\n- config: ");
    code(b, r->config_path ? r->config_path : "");
    fw_sb_printf(b, "\n- seed: %llu\n- data hash: %016llx\n", (unsigned long long)r->seed,
                 (unsigned long long)r->data_hash);
    fw_rep_versions(r, ver, sizeof ver);
    fw_sb_printf(b, "- versions: %s\n", ver);
    fw_sb_printf(b, "- host: %s, %d rank%s\n- start: %s, end: %s (UTC)\n\n",
                 r->host ? r->host : "?", r->ranks, r->ranks == 1 ? "" : "s", h->start, h->end);
    const char *cfg = r->config_text ? r->config_text : "";
    fw_rep_fence(cfg, fence, sizeof fence);
    fw_sb_printf(b, "%syaml\n%s%s%s\n", fence, cfg,
                 *cfg && cfg[strlen(cfg) - 1] != '\n' ? "\n" : "", fence);
}

int fw_report_md(const fw_results *r, const char *path, fw_err *e)
{
    fw_sb b;
    fw_rep_head h;
    fw_sb_init(&b);
    fw_rep_head_get(r, &h);
    headline(&b, r, &h);
    board(&b, r);
    best_params(&b, r);
    learning(&b, r);
    importances(&b, r);
    nested(&b, r, &h);
    predictions(&b, r);
    failures(&b, r);
    repro(&b, r, &h);
    int rc = b.oom ? fw_err_set(e, FW_ENOMEM, "out of memory writing %s", path)
                   : fw_write_file_atomic(path, b.s, b.len, e);
    fw_sb_free(&b);
    return rc;
}
