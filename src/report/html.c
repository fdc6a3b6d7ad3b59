/* html.c: report.html, one self-contained page (inline CSS and SVG, no
 * script, nothing fetched) written as well-formed XML (polyglot HTML5), so
 * `xmllint --noout` accepts it and any browser shows it.
 *
 * Order: headline, leaderboards (with failures), score distributions,
 * validation curves, learning curve and feature importances (when the run
 * has them), nested CV, the best model's out-of-split predictions,
 * reproducibility. The plots live in html_plots.c, html_diag.c and
 * html_preds.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/plan.h"
#include "foldwise/report.h"
#include "report_int.h"

static const char css[] =
    "body{margin:0;background:#f3f4f6;color:#1b1b1b;font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
    "main{max-width:1200px;margin:0 auto;padding:20px 36px 40px;background:#fff}\n"
    "h1{font-size:26px;margin:8px 0 2px}h1 small{font-size:14px;color:#666;font-weight:400}\n"
    "h2{font-size:20px;margin:34px 0 8px;padding-top:10px;border-top:1px solid #e2e2e2}\n"
    "h3{font-size:16px;margin:20px 0 6px}\n"
    "p{margin:6px 0}.muted{color:#666}.note{color:#555;font-size:14px}\n"
    ".lede{font-size:15px;color:#333}\n"
    ".headline{background:#eef5fb;border-left:5px solid #0072B2;padding:12px 18px;"
    "margin:14px 0}\n"
    ".headline .big{font-size:19px}.score{font-weight:700;font-size:21px;"
    "font-variant-numeric:tabular-nums}\n"
    ".nested{margin-top:8px;font-size:15px}.warn{margin-top:8px;color:#8a3b00}\n"
    "nav{font-size:14px;margin:10px 0}nav a{margin-right:14px;color:#0057a0;"
    "text-decoration:none}\n"
    "table{border-collapse:collapse;margin:8px 0 14px;font-size:13.5px}\n"
    "th,td{padding:4px 9px;border-bottom:1px solid #e4e4e4;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#f6f6f6;font-weight:600}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr.best td{background:#fff8e1}\n"
    "table.facts td:first-child{color:#555;white-space:nowrap}\n"
    ".st-ok{color:#1b7f3b}.st-bad{color:#b3261e;font-weight:600}.st-warn{color:#8a5a00}\n"
    ".figs{display:flex;flex-wrap:wrap;gap:18px 24px}\n"
    "figure{margin:6px 0;max-width:100%}figure svg{max-width:100%;height:auto;"
    "font-family:inherit}\n"
    "figcaption{font-size:13px;color:#555;max-width:560px;margin-top:2px}\n"
    "code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:13px}\n"
    "pre{background:#f6f8fa;border:1px solid #e4e4e4;padding:10px 12px;overflow:auto;"
    "white-space:pre-wrap;word-break:break-all}\n";

static void esc(fw_sb *b, const char *s)
{
    fw_rep_xml(b, s);
}

/* Text with escaping between two literal bits of markup. */
static void wrap(fw_sb *b, const char *open, const char *s, const char *close)
{
    fw_sb_append(b, open);
    fw_rep_xml(b, s);
    fw_sb_append(b, close);
}

static void num_cell(fw_sb *b, double v)
{
    char buf[48];
    fw_rep_fmt(v, buf, sizeof buf);
    wrap(b, "<td class=\"n\">", buf, "</td>");
}

static void pm_cell(fw_sb *b, double mean, double sd)
{
    char buf[96];
    fw_rep_fmt_pm(mean, sd, buf, sizeof buf);
    wrap(b, "<td class=\"n\">", buf, "</td>");
}

static void params_cell(fw_sb *b, const char *json)
{
    fw_sb p;
    fw_sb_init(&p);
    fw_rep_params_text(json, &p);
    wrap(b, "<td>", p.s ? p.s : "", "</td>");
    fw_sb_free(&p);
}

static const char *status_name(int st)
{
    return st >= 0 && st <= FW_RS_PARTIAL ? fw_rs_names[st] : "missing";
}

static void status_cell(fw_sb *b, int st)
{
    fw_sb_printf(b, "<td class=\"%s\">%s</td>", st == FW_RS_OK ? "st-ok" : "st-bad",
                 status_name(st));
}

/* ---- header ---------------------------------------------------------------------- */

static void head_data(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    fw_sb_append(b, "<p class=\"lede\">");
    fw_sb_printf(b, "%s", r->task == FW_TASK_CLASSIFICATION ? "Classification" : "Regression");
    wrap(b, " of <b>", r->target ? r->target : "?", "</b>");
    fw_sb cl;
    fw_sb_init(&cl);
    fw_rep_classes_text(r, &cl);
    esc(b, cl.s);
    fw_sb_free(&cl);
    wrap(b, " on <code>", r->data_path ? r->data_path : "?", "</code>");
    fw_sb_printf(b, ": %zu rows, %zu features. ", r->n_samples, r->n_features);
    wrap(b, "Optimised metric: <b>", h->metric, "</b>");
    fw_sb_printf(b, " (%s", h->better);
    if (r->n_metrics > 1) {
        fw_sb_append(b, "; also reported: ");
        for (size_t m = 1; m < r->n_metrics; m++) {
            fw_sb_append(b, m > 1 ? ", " : "");
            esc(b, r->metrics[m]);
        }
    }
    fw_sb_printf(b, "). Cross-validation: %zu split%s", r->n_splits, r->n_splits == 1 ? "" : "s");
    if (r->repeats > 1)
        fw_sb_printf(b, " (%zu folds x %zu repeats)", r->k, r->repeats);
    fw_sb_append(b, r->n_outer ? ", nested.</p>\n" : ".</p>\n");
}

static void head_best(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    fw_sb_append(b, "<div class=\"headline\">\n");
    if (!h->has_best) {
        fw_sb_append(b, "<div class=\"big\">No configuration could be scored: every fit "
                        "failed or the run stopped first (see <a href=\"#failures\">"
                        "Failures</a>).</div>\n");
    } else {
        wrap(b, "<div class=\"big\">Best: <b>", h->best_model, "</b> ");
        wrap(b, "with ", h->best_params, "</div>\n");
        wrap(b, "<div><span class=\"score\" id=\"headline-score\">", h->best_score, "</span> ");
        esc(b, h->metric);
        fw_sb_printf(b, ", mean \xc2\xb1 std over the %zu outer splits of the flat search "
                        "(configuration %ld, chosen by the refit rule \xe2\x80\x9c", r->n_splits,
                     r->best);
        esc(b, r->refit ? r->refit : "best");
        fw_sb_append(b, "\xe2\x80\x9d).</div>\n");
    }
    if (h->n_outer) {
        wrap(b, "<div class=\"nested\">Nested CV estimate: <b id=\"nested-score\">",
             h->nested_score, "</b> ");
        esc(b, h->metric);
        fw_sb_printf(b, " over %zu of %zu outer splits. ", h->nested_ok, h->n_outer);
        wrap(b, "", fw_rep_nested_why, "</div>\n");
    }
    else if (h->has_best)
        wrap(b, "<div class=\"nested\">", fw_rep_flat_why, "</div>\n");
    if (h->n_bad)
        fw_sb_printf(b, "<div class=\"warn\">%zu of %zu configurations failed on some or all "
                        "splits (see <a href=\"#failures\">Failures</a>).</div>\n", h->n_bad,
                     r->n_trials);
    if (h->stopped)
        wrap(b, "<div class=\"warn\">", fw_rep_stopped_why, "</div>\n");
    fw_sb_append(b, "</div>\n");
}

static void fact(fw_sb *b, const char *name, const char *value)
{
    wrap(b, "<tr><td>", name, "</td>");
    wrap(b, "<td>", value, "</td></tr>\n");
}

static void head_facts(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    char buf[256];
    fw_sb_append(b, "<table class=\"facts\">\n");
    snprintf(buf, sizeof buf, "%s", r->state ? r->state : "?");
    fact(b, "state", buf);
    snprintf(buf, sizeof buf, "%zu tasks: %zu done, %zu failed fits, %zu resumed from the "
             "journal", r->tasks_total, r->tasks_done, r->tasks_failed, r->tasks_resumed);
    fact(b, "tasks", buf);
    snprintf(buf, sizeof buf, "%zu configuration%s of %zu model entr%s", r->n_trials,
             r->n_trials == 1 ? "" : "s", r->n_models, r->n_models == 1 ? "y" : "ies");
    fact(b, "search", buf);
    snprintf(buf, sizeof buf, "%d", r->ranks);
    fact(b, "ranks", buf);
    snprintf(buf, sizeof buf, "%s (search %s: data loaded to last result)", h->elapsed,
             h->search);
    fact(b, "elapsed", buf);
    snprintf(buf, sizeof buf, "%s to %s", h->start, h->end);
    fact(b, "time (UTC)", buf);
    fw_sb m = {0};
    fw_rep_model_text(r, &m);
    fact(b, "refitted model", m.s ? m.s : "");
    b->oom |= m.oom;
    fw_sb_free(&m);
    fw_sb_append(b, "</table>\n");
}

static void page_head(fw_sb *b, const fw_results *r)
{
    const char *name = r->name && *r->name ? r->name : "foldwise run";
    fw_sb_append(b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                    "lang=\"en\" xml:lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\"/>\n");
    wrap(b, "<title>", name, " \xe2\x80\x94 foldwise report</title>\n");
    fw_sb_printf(b, "<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
    wrap(b, "<h1>", name, " <small>foldwise report</small></h1>\n");
}

static void nav(fw_sb *b, const fw_results *r)
{
    fw_sb_append(b, "<nav>");
    fw_sb_append(b, "<a href=\"#leaderboard\">Leaderboard</a><a href=\"#failures\">"
                    "Failures</a>"
                    "<a href=\"#distributions\">Score distributions</a>"
                    "<a href=\"#validation\">Validation curves</a>");
    if (r->n_curve && r->n_metrics)
        fw_sb_append(b, "<a href=\"#learning\">Learning curve</a>");
    if (r->n_importances)
        fw_sb_append(b, "<a href=\"#importances\">Feature importances</a>");
    if (r->n_outer)
        fw_sb_append(b, "<a href=\"#nested\">Nested CV</a>");
    fw_sb_append(b, "<a href=\"#predictions\">Predictions</a>"
                    "<a href=\"#reproducibility\">Reproducibility</a></nav>\n");
}

/* ---- failures -------------------------------------------------------------------- */

static void failures(fw_sb *b, const fw_results *r)
{
    size_t n, c[4];
    fw_rep_issue *g = fw_rep_issues(r, &n, c);
    fw_sb_append(b, "<h3 id=\"failures\">Failures and warnings</h3>\n");
    fw_sb_printf(b, "<p>%zu configuration%s: <span class=\"st-ok\">%zu ok</span>, %zu "
                    "partial (failed on some splits), %zu failed, %zu timed out.</p>\n",
                 r->n_trials, r->n_trials == 1 ? "" : "s", c[FW_RS_OK], c[FW_RS_PARTIAL],
                 c[FW_RS_FAILED], c[FW_RS_TIMEOUT]);
    if (n == 0) {
        fw_sb_append(b, "<p class=\"note\">No configuration failed or warned.</p>\n");
    } else {
        fw_sb_append(b, "<table>\n<tr><th>model</th><th>kind</th><th class=\"n\">"
                        "configurations</th><th>first message</th></tr>\n");
        for (size_t i = 0; i < n; i++) {
            wrap(b, "<tr><td>", g[i].model, "</td>");
            fw_sb_printf(b, "<td class=\"%s\">%s</td><td class=\"n\">%zu</td>",
                         strcmp(g[i].kind, "warning") ? "st-bad" : "st-warn", g[i].kind,
                         g[i].count);
            wrap(b, "<td>", g[i].message ? g[i].message : "(no message)", "</td></tr>\n");
        }
        fw_sb_append(b, "</table>\n<p class=\"note\">Every configuration's status and "
                        "message are in cv_results.csv (columns status, not_converged, "
                        "message).</p>\n");
    }
    free(g);
}

/* ---- leaderboard ----------------------------------------------------------------- */

static void metric_heads(fw_sb *b, const fw_results *r, int with_sd)
{
    for (size_t m = 0; m < r->n_metrics; m++) {
        fw_sb_append(b, "<th class=\"n\">");
        esc(b, r->metrics[m]);
        fw_sb_printf(b, " %s%s</th>", fw_rep_arrow(r, m),
                     m == 0 && with_sd ? " (mean \xc2\xb1 std)" : "");
    }
}

static void metric_cells(fw_sb *b, const fw_results *r, const fw_trial *t)
{
    for (size_t m = 0; m < r->n_metrics; m++) {
        if (m == 0)
            pm_cell(b, t->mean_test[0], t->std_test[0]);
        else
            num_cell(b, t->mean_test[m]);
    }
}

/* Configurations of model entry s: scored, and in total. */
static void entry_counts(const fw_results *r, size_t s, size_t *ok, size_t *all)
{
    *ok = *all = 0;
    for (size_t i = 0; i < r->n_trials; i++)
        if (r->trials[i].space == s)
            (*all)++, *ok += fw_rep_scored(r, (long)i);
}

static void board_models(fw_sb *b, const fw_results *r, const size_t *order, size_t n_ranked)
{
    char buf[96];
    fw_sb_append(b, "<h3>Best configuration of each model</h3>\n<table>\n<tr><th>#</th>"
                    "<th>model</th><th>parameters</th>");
    metric_heads(b, r, 1);
    fw_sb_append(b, "<th class=\"n\">scored / configurations</th><th class=\"n\">mean fit "
                    "time</th></tr>\n");
    size_t shown = 0;
    for (size_t i = 0; i < n_ranked; i++) {
        const fw_trial *t = &r->trials[order[i]];
        if (t->space >= r->n_models || r->best_of_model[t->space] != (long)order[i])
            continue;
        size_t ok, all;
        entry_counts(r, t->space, &ok, &all);
        fw_sb_printf(b, "<tr%s><td class=\"n\">%zu</td>",
                     (long)order[i] == r->best ? " class=\"best\"" : "", ++shown);
        wrap(b, "<td><b>", t->model, "</b></td>");
        params_cell(b, t->params_json);
        metric_cells(b, r, t);
        fw_rep_fmt_duration(t->mean_fit_time, buf, sizeof buf);
        fw_sb_printf(b, "<td class=\"n\">%zu / %zu</td><td class=\"n\">%s</td></tr>\n", ok,
                     all, buf);
    }
    for (size_t s = 0; s < r->n_models; s++) {
        if (fw_rep_scored(r, r->best_of_model[s]))
            continue;
        size_t ok, all;
        entry_counts(r, s, &ok, &all);
        const char *name = "?";
        for (size_t i = 0; i < r->n_trials; i++)
            if (r->trials[i].space == s)
                name = r->trials[i].model;
        wrap(b, "<tr><td class=\"n\">\xe2\x80\x93</td><td><b>", name, "</b></td>");
        fw_sb_printf(b, "<td class=\"st-bad\" colspan=\"%zu\">no configuration was scored "
                        "(see Failures)</td><td class=\"n\">%zu / %zu</td><td></td></tr>\n",
                     r->n_metrics + 1, ok, all);
    }
    fw_sb_append(b, "</table>\n");
}

static void board_top(fw_sb *b, const fw_results *r, const size_t *order, size_t n_ranked)
{
    size_t n = n_ranked < 10 ? n_ranked : 10;
    fw_sb_printf(b, "<h3>Top %zu configuration%s overall</h3>\n<table>\n<tr><th class=\"n\">"
                    "rank</th><th class=\"n\">config</th><th>model</th><th>parameters</th>",
                 n, n == 1 ? "" : "s");
    metric_heads(b, r, 1);
    fw_sb_append(b, "<th>status</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const fw_trial *t = &r->trials[order[i]];
        fw_sb_printf(b, "<tr%s><td class=\"n\">%zu</td><td class=\"n\">%zu</td>",
                     (long)order[i] == r->best ? " class=\"best\"" : "", i + 1, order[i]);
        wrap(b, "<td>", t->model, "</td>");
        params_cell(b, t->params_json);
        metric_cells(b, r, t);
        status_cell(b, t->status);
        fw_sb_append(b, "</tr>\n");
    }
    fw_sb_append(b, "</table>\n");
}

static void leaderboard(fw_sb *b, const fw_results *r)
{
    size_t *order = malloc((r->n_trials ? r->n_trials : 1) * sizeof *order);
    fw_sb_append(b, "<h2 id=\"leaderboard\">Leaderboard</h2>\n");
    if (!order) {
        b->oom = 1;
        return;
    }
    size_t n = fw_rep_ranked(r, order);
    fw_sb_append(b, "<p class=\"note\">Scores are means over the outer splits of the flat "
                    "search (the highlighted row is the configuration the refit rule chose); "
                    "\xe2\x86\x91 marks metrics where higher is better, \xe2\x86\x93 where "
                    "lower is better. Configurations that failed on some split have no mean "
                    "and are listed under Failures.</p>\n");
    if (n == 0)
        fw_sb_append(b, "<p class=\"st-bad\">No configuration has a score.</p>\n");
    board_models(b, r, order, n);
    if (n)
        board_top(b, r, order, n);
    free(order);
    failures(b, r);
}

/* ---- nested CV ------------------------------------------------------------------- */

/* Per outer split: how its inner search went (every row is in results.h5,
 * /nested/inner). */
static void inner_searches(fw_sb *b, const fw_results *r)
{
    if (!r->n_inner)
        return;
    fw_sb_append(b, "<h3>Inner searches</h3>\n<table>\n<tr><th class=\"n\">outer split</th>"
                    "<th class=\"n\">configurations</th><th class=\"n\">scored</th>"
                    "<th>best on the inner splits</th><th>parameters</th><th class=\"n\">");
    esc(b, r->metrics[0]);
    fw_sb_printf(b, " %s (inner mean \xc2\xb1 std)</th></tr>\n", fw_rep_arrow(r, 0));
    for (size_t i = 0; i < r->n_outer; i++) {
        fw_rep_inner s;
        fw_rep_inner_of(r, r->outer[i].split, &s);
        const fw_inner_row *x = s.best >= 0 ? &r->inner[s.best] : NULL;
        fw_sb_printf(b, "<tr><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">"
                        "%zu</td>", r->outer[i].split, s.n, s.scored);
        wrap(b, "<td>", x ? x->model : "\xe2\x80\x93", "</td>");
        params_cell(b, x ? x->params_json : NULL);
        pm_cell(b, x ? x->mean_test[0] : NAN, x ? x->std_test[0] : NAN);
        fw_sb_append(b, "</tr>\n");
    }
    fw_sb_append(b, "</table>\n<p class=\"note\">The best inner mean is optimistic for the "
                    "same reason as the flat search's best (chosen on the splits that score "
                    "it), and the refit rule may choose another configuration (one_se). Every "
                    "inner configuration's scores are in results.h5 (/nested/inner).</p>\n");
}

static void nested(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    if (!r->n_outer)
        return;
    fw_sb_append(b, "<h2 id=\"nested\">Nested cross-validation</h2>\n<p class=\"note\">For "
                    "each outer split, the search ran again on that split's training rows "
                    "only (inner splits), the refit rule chose a configuration, and the "
                    "chosen model was refitted on the outer training rows and scored on the "
                    "outer test rows. Different splits may choose different models: that "
                    "variation is part of what the estimate measures.</p>\n");
    fw_sb_append(b, "<table>\n<tr><th class=\"n\">outer split</th><th>status</th>"
                    "<th>chosen model</th><th>parameters</th>");
    metric_heads(b, r, 0);
    fw_sb_append(b, "<th>message</th></tr>\n");
    for (size_t i = 0; i < r->n_outer; i++) {
        const fw_outer_row *o = &r->outer[i];
        fw_sb_printf(b, "<tr><td class=\"n\">%zu</td>", o->split);
        status_cell(b, o->status);
        wrap(b, "<td>", o->model ? o->model : "\xe2\x80\x93", "</td>");
        params_cell(b, o->params_json);
        for (size_t m = 0; m < r->n_metrics; m++)
            num_cell(b, o->test[m]);
        wrap(b, "<td class=\"note\">", o->message ? o->message : "", "</td></tr>\n");
    }
    fw_sb_printf(b, "<tr><td colspan=\"4\"><b>mean \xc2\xb1 std</b> (%zu split%s)</td>",
                 h->nested_ok, h->nested_ok == 1 ? "" : "s");
    wrap(b, "<td class=\"n\"><b>", h->nested_score, "</b></td>");
    fw_sb_printf(b, "<td colspan=\"%zu\"></td></tr>\n</table>\n", r->n_metrics);
    inner_searches(b, r);
}

/* ---- reproducibility ---------------------------------------------------------------- */

static void repro(fw_sb *b, const fw_results *r, const fw_rep_head *h)
{
    char buf[256];
    fw_sb_append(b, "<h2 id=\"reproducibility\">Reproducibility</h2>\n<p class=\"note\">"
                    "The same command, config and data (same hash) give the same numbers, "
                    "on any number of ranks.</p>\n<table class=\"facts\">\n");
    wrap(b, "<tr><td>command</td><td><code>", r->cmdline ? r->cmdline : "", "</code></td></tr>\n");
    wrap(b, "<tr><td>config</td><td><code>", r->config_path ? r->config_path : "",
         "</code></td></tr>\n");
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->seed);
    fact(b, "seed", buf);
    snprintf(buf, sizeof buf, "%016llx (XXH3-64 of the loaded data)",
             (unsigned long long)r->data_hash);
    fact(b, "data hash", buf);
    fw_rep_versions(r, buf, sizeof buf);
    fact(b, "versions", buf);
    fact(b, "host", r->host ? r->host : "?");
    snprintf(buf, sizeof buf, "%d", r->ranks);
    fact(b, "ranks", buf);
    fact(b, "start (UTC)", h->start);
    fact(b, "end (UTC)", h->end);
    fw_sb_append(b, "</table>\n<h3>Config</h3>\n");
    wrap(b, "<pre>", r->config_text ? r->config_text : "", "</pre>\n");
}

void fw_rep_html_figure(fw_sb *b, fw_svg *s, const char *caption)
{
    fw_sb_append(b, "<figure>\n");
    fw_svg_end(s, b);
    if (caption)
        wrap(b, "<figcaption>", caption, "</figcaption>\n");
    fw_sb_append(b, "</figure>\n");
}

int fw_report_html(const fw_results *r, const char *path, fw_err *e)
{
    fw_sb b;
    fw_rep_head h;
    fw_sb_init(&b);
    fw_rep_head_get(r, &h);
    page_head(&b, r);
    head_data(&b, r, &h);
    head_best(&b, r, &h);
    head_facts(&b, r, &h);
    nav(&b, r);
    leaderboard(&b, r);
    fw_rep_html_scores(&b, r);
    fw_rep_html_curves(&b, r);
    fw_rep_html_learning(&b, r);
    fw_rep_html_importances(&b, r);
    nested(&b, r, &h);
    fw_rep_html_preds(&b, r);
    repro(&b, r, &h);
    fw_sb_append(&b, "</main>\n</body>\n</html>\n");
    int rc = b.oom ? fw_err_set(e, FW_ENOMEM, "out of memory writing %s", path)
                   : fw_write_file_atomic(path, b.s, b.len, e);
    fw_sb_free(&b);
    return rc;
}
