/* html_diag.c: report.html's diagnosis sections: the learning curve of the
 * chosen configuration (mean test and training score against the training
 * size, with a band of one standard deviation across splits) and the
 * refitted model's feature importances (horizontal bars, the top 20).
 * Each section is there only when the run has its data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

enum { W = 640, H = 400, TOP_IMPORTANCES = 20 };

static void para(fw_sb *b, const char *cls, const fw_sb *text)
{
    if (cls)
        fw_sb_printf(b, "<p class=\"%s\">", cls);
    else
        fw_sb_append(b, "<p>");
    fw_rep_xml(b, text->s);
    fw_sb_append(b, "</p>\n");
}

/* ---- learning curve ---------------------------------------------------------------- */

/* Test or training means of the points, and their ± std bounds. */
static void lc_series(const fw_rep_lc *p, size_t n, int train, double *x, double *y,
                      double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++) {
        double m = train ? p[i].train : p[i].test, sd = train ? p[i].train_sd : p[i].test_sd;
        x[i] = (double)p[i].n_train;
        y[i] = m, lo[i] = m - sd, hi[i] = m + sd;
    }
}

static void lc_marks(fw_svg *s, const fw_results *r, const fw_rep_lc *p, size_t n, int train)
{
    char tip[200], a[96];
    for (size_t i = 0; i < n; i++) {
        fw_rep_fmt_pm(train ? p[i].train : p[i].test, train ? p[i].train_sd : p[i].test_sd, a,
                      sizeof a);
        snprintf(tip, sizeof tip, "%zu training rows (fraction %g): %s %s %s over %zu of %zu "
                 "splits", p[i].n_train, p[i].frac, train ? "train" : "test", r->metrics[0],
                 a, p[i].n_ok, r->n_splits);
        fw_svg_point(s, (double)p[i].n_train, train ? p[i].train : p[i].test, train ? 1 : 0,
                     train ? FW_SVG_RING : FW_SVG_DOT, train ? 3.4 : 4, tip);
    }
}

static void lc_plot(fw_sb *b, const fw_results *r, const fw_rep_lc *p, size_t n)
{
    double *v = malloc((n ? n : 1) * 4 * sizeof *v);
    if (!v) {
        b->oom = 1;
        return;
    }
    double *x = v, *y = v + n, *lo = v + 2 * n, *hi = v + 3 * n;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int train = 0; train < 2; train++) {
        lc_series(p, n, train, x, y, lo, hi);
        fw_svg_extend(&xlo, &xhi, x, n, 1, 1);
        fw_svg_extend(&ylo, &yhi, lo, n, 1, 0);
        fw_svg_extend(&ylo, &yhi, hi, n, 1, 0);
        fw_svg_extend(&ylo, &yhi, y, n, 1, 0);
    }
    int log = xlo > 0 && xhi / xlo >= 100; /* two decades or more */
    char xlab[96], ylab[96];
    snprintf(xlab, sizeof xlab, "training rows (on every outer split)%s", log ? ", log scale" : "");
    snprintf(ylab, sizeof ylab, "mean %s %s", r->metrics[0], fw_rep_arrow(r, 0));
    fw_svg s;
    fw_svg_begin(&s, W, H, "Learning curve of the chosen configuration");
    s.legend_w = 130;
    fw_svg_axis_num(&s.x, xlab, xlo, xhi, log);
    fw_svg_axis_num(&s.y, ylab, ylo, yhi, 0);
    fw_svg_frame(&s);
    for (int train = 1; train >= 0; train--) {
        lc_series(p, n, train, x, y, lo, hi);
        fw_svg_band(&s, x, lo, hi, n, train, train ? 0.14 : 0.2);
        fw_svg_line(&s, x, y, n, train, train ? 1.5 : 2);
    }
    lc_marks(&s, r, p, n, 1);
    lc_marks(&s, r, p, n, 0);
    if (!s.marks)
        fw_svg_note(&s, "no point was scored");
    const char *names[] = {"test \xc2\xb1 std", "train \xc2\xb1 std"};
    const int cols[] = {0, 1}, shapes[] = {FW_SVG_DOT, FW_SVG_RING};
    fw_svg_legend(&s, names, cols, shapes, 2);
    fw_rep_html_figure(b, &s, "Filled points: mean test score over the outer splits at each "
                              "training size; hollow points: mean score on the training rows "
                              "used. Bands: \xc2\xb1 one standard deviation across splits. The "
                              "same test rows are scored at every size.");
    free(v);
}

static void lc_table(fw_sb *b, const fw_results *r, const fw_rep_lc *p, size_t n)
{
    char a[96];
    fw_sb_append(b, "<table>\n<tr><th class=\"n\">fraction</th><th class=\"n\">training rows"
                    "</th><th class=\"n\">test ");
    fw_rep_xml(b, r->metrics[0]);
    fw_sb_append(b, " (mean \xc2\xb1 std)</th><th class=\"n\">train ");
    fw_rep_xml(b, r->metrics[0]);
    fw_sb_append(b, " (mean \xc2\xb1 std)</th><th class=\"n\">splits scored</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        fw_sb_printf(b, "<tr><td class=\"n\">%g</td><td class=\"n\">%zu</td>", p[i].frac,
                     p[i].n_train);
        fw_rep_fmt_pm(p[i].test, p[i].test_sd, a, sizeof a);
        fw_sb_printf(b, "<td class=\"n\">%s</td>", a);
        fw_rep_fmt_pm(p[i].train, p[i].train_sd, a, sizeof a);
        fw_sb_printf(b, "<td class=\"n\">%s</td><td class=\"n\">%zu / %zu</td></tr>\n", a,
                     p[i].n_ok, r->n_splits);
    }
    fw_sb_append(b, "</table>\n");
}

void fw_rep_html_learning(fw_sb *b, const fw_results *r)
{
    if (!r->n_curve || !r->n_metrics)
        return;
    fw_rep_lc *p = malloc(r->n_curve * sizeof *p);
    fw_sb t;
    fw_sb_init(&t);
    fw_sb_append(b, "<h2 id=\"learning\">Learning curve</h2>\n");
    if (!p) {
        b->oom = 1;
        return;
    }
    size_t n = fw_rep_curve(r, p);
    fw_sb_append(&t, "The chosen configuration, ");
    fw_rep_curve_what(r, &t);
    fw_sb_append(&t, ", fitted again on growing fractions of each outer split's training rows "
                     "(smaller sets are subsets of larger ones) and scored on the split's test "
                     "rows and on the rows it was fitted on.");
    para(b, "note", &t);
    fw_sb_reset(&t);
    fw_rep_curve_guide(r, &t);
    para(b, "note", &t);
    fw_sb_reset(&t);
    fw_rep_curve_summary(r, p, n, &t);
    para(b, NULL, &t);
    fw_sb_append(b, "<div class=\"figs\">\n");
    lc_plot(b, r, p, n);
    fw_sb_append(b, "</div>\n");
    lc_table(b, r, p, n);
    fw_sb_free(&t);
    free(p);
}

/* ---- feature importances ---------------------------------------------------------------- */

static void imp_plot(fw_sb *b, const fw_results *r, const size_t *order, size_t k)
{
    const char **cats = calloc(k ? k : 1, sizeof *cats);
    if (!cats) {
        b->oom = 1;
        return;
    }
    double hi = 0;
    for (size_t i = 0; i < k; i++) {
        cats[i] = r->importance_names[order[i]];
        if (isfinite(r->importances[order[i]]))
            hi = fmax(hi, r->importances[order[i]]);
    }
    char xlab[96], tip[400], val[48];
    snprintf(xlab, sizeof xlab, "importance (share of the total %s)",
             strcmp(fw_rep_importance_kind(r), "gain") ? "impurity decrease" : "gain");
    fw_svg s;
    fw_svg_begin(&s, W, 100 + 22 * (int)k, "Feature importances of the refitted model");
    s.pad = 0; /* bars start at the frame */
    fw_svg_axis_cat(&s.y, "", cats, k);
    s.y.clip = 28;
    fw_svg_axis_num(&s.x, xlab, 0, hi, 0);
    fw_svg_frame(&s);
    for (size_t i = 0; i < k; i++) {
        double v = r->importances[order[i]];
        fw_rep_fmt(v, val, sizeof val);
        snprintf(tip, sizeof tip, "%s: %s (rank %zu)", cats[i], val, i + 1);
        snprintf(val, sizeof val, "%.3f", v);
        fw_svg_cell(&s, 0, (double)i - 0.36, v, (double)i + 0.36, fw_svg_colour(0), val, "#fff",
                    tip);
    }
    fw_rep_html_figure(b, &s, NULL);
    free(cats);
}

void fw_rep_html_importances(fw_sb *b, const fw_results *r)
{
    if (!r->n_importances)
        return;
    size_t *order = malloc(r->n_importances * sizeof *order), n = r->n_importances;
    fw_sb t;
    fw_sb_init(&t);
    fw_sb_append(b, "<h2 id=\"importances\">Feature importances</h2>\n");
    if (!order || fw_rep_importance_order(r, order)) {
        free(order);
        b->oom = 1;
        return;
    }
    fw_rep_importance_why(r, &t);
    para(b, "note", &t);
    size_t k = 0;
    while (k < n && k < TOP_IMPORTANCES && !isnan(r->importances[order[k]]))
        k++;
    if (fw_rep_importance_all_zero(r)) {
        fw_sb_append(b, "<p>Every importance is 0: no tree of the refitted model made a "
                        "split.</p>\n");
    } else {
        fw_sb_printf(b, "<p>The %zu most important of %zu column%s the model was fitted on "
                        "(after preprocessing); every value is in results.h5 (/importances).</p>\n",
                     k, n, n == 1 ? "" : "s");
        fw_sb_append(b, "<div class=\"figs\">\n");
        imp_plot(b, r, order, k);
        fw_sb_append(b, "</div>\n");
    }
    fw_sb_free(&t);
    free(order);
}
