/* html_plots.c: report.html's plots of the search itself: per-split score
 * distributions per model, and validation curves (mean score against each
 * searched parameter, per model). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

enum { W2 = 560, H2 = 380, MAX_CURVES = 24, MAX_CATS = 24 };

/* Deterministic jitter in [-w/2, w/2] for the i-th point of a strip. */
static double jitter(size_t i, double w)
{
    double f = fmod((double)i * 0.6180339887498949, 1.0);
    return (f - 0.5) * w;
}

static int better(const fw_results *r, double a, double b)
{
    int gib = r->greater_is_better && r->n_metrics ? r->greater_is_better[0] : 1;
    return isnan(b) || (gib ? a > b : a < b);
}

/* Label of each model entry: its model name, with the entry number when
 * two entries share a model. labels[s] points into buf (n x 64). */
static void entry_labels(const fw_results *r, char (*buf)[64])
{
    for (size_t s = 0; s < r->n_models; s++) {
        const char *name = NULL;
        for (size_t i = 0; i < r->n_trials && !name; i++)
            if (r->trials[i].space == s)
                name = r->trials[i].model;
        snprintf(buf[s], 64, "%s", name ? name : "?");
    }
    for (size_t s = 0; s < r->n_models; s++) {
        int dup = 0;
        for (size_t t = 0; t < r->n_models; t++)
            dup |= t != s && strcmp(buf[s], buf[t]) == 0;
        if (dup) {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%.40s (entry %zu)", buf[s], s);
            memcpy(buf[s], tmp, 64);
        }
    }
}

/* ---- distributions ------------------------------------------------------------------- */

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* numpy's default (linear) percentile of sorted v. */
static double quantile(const double *v, size_t n, double q)
{
    double at = q * (double)(n - 1);
    size_t i = (size_t)floor(at);
    return i + 1 < n ? v[i] + (at - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Box (quartiles, median) and whiskers (min, max) of the finite values. */
static void box_at(fw_svg *s, double x, const double *v, size_t n)
{
    double *w = malloc((n ? n : 1) * sizeof *w);
    size_t m = 0;
    for (size_t i = 0; w && i < n; i++)
        if (isfinite(v[i]))
            w[m++] = v[i];
    if (m >= 2) {
        qsort(w, m, sizeof *w, dcmp);
        double q1 = quantile(w, m, 0.25), q2 = quantile(w, m, 0.5), q3 = quantile(w, m, 0.75);
        fw_svg_seg(s, x, w[0], x, q1, "#888", 1, NULL);
        fw_svg_seg(s, x, q3, x, w[m - 1], "#888", 1, NULL);
        /* at most 60 pixels wide, however few the models */
        double hw = fmin(0.22, 30 / ((s->right - s->left) / (double)s->x.n_cats));
        fw_svg_box(s, x - hw, q1, x + hw, q3, "#888", "#f4f4f4");
        fw_svg_seg(s, x - hw, q2, x + hw, q2, "#333", 2, NULL);
    }
    free(w);
}

/* The split scores (first metric) of each model's best configuration, and
 * the nested outer scores when there are any. */
static void plot_splits(fw_sb *b, const fw_results *r, char (*labels)[64])
{
    size_t nm = r->n_metrics, nc = 0;
    const char *cats[66];
    long cols[66];
    for (size_t s = 0; s < r->n_models && nc < 64; s++)
        if (fw_rep_scored(r, r->best_of_model[s]))
            cats[nc] = labels[s], cols[nc++] = r->best_of_model[s];
    double nmean, nsd;
    int with_nested = fw_rep_nested(r, &nmean, &nsd) > 0;
    if (with_nested)
        cats[nc] = "nested CV", cols[nc++] = -1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t c = 0; c < nc; c++) {
        if (cols[c] >= 0)
            fw_svg_extend(&lo, &hi, r->trials[cols[c]].test, r->n_splits, nm, 0);
        for (size_t i = 0; cols[c] < 0 && i < r->n_outer; i++)
            fw_svg_extend(&lo, &hi, r->outer[i].test, 1, 1, 0);
    }
    fw_svg s;
    char ylab[96], tip[160];
    snprintf(ylab, sizeof ylab, "%s %s (per split)", nm ? r->metrics[0] : "", fw_rep_arrow(r, 0));
    fw_svg_begin(&s, W2, H2, "Split scores of each model's best configuration");
    fw_svg_axis_cat(&s.x, "model", cats, nc);
    fw_svg_axis_num(&s.y, ylab, lo, hi, 0);
    fw_svg_frame(&s);
    for (size_t c = 0; c < nc; c++) {
        double v[256];
        size_t n = 0;
        for (size_t i = 0; cols[c] >= 0 && i < r->n_splits && n < 256; i++)
            v[n++] = r->trials[cols[c]].test[i * nm];
        for (size_t i = 0; cols[c] < 0 && i < r->n_outer && n < 256; i++)
            v[n++] = r->outer[i].status == 0 ? r->outer[i].test[0] : NAN;
        box_at(&s, (double)c, v, n);
        for (size_t i = 0; i < n; i++) {
            char val[48];
            fw_rep_fmt(v[i], val, sizeof val);
            snprintf(tip, sizeof tip, "%s, %s %zu: %s", cats[c],
                     cols[c] < 0 ? "outer split" : "split", i, val);
            fw_svg_point(&s, (double)c + jitter(i, 0.3), v[i],
                         cols[c] < 0 ? 6 : (int)r->trials[cols[c]].space, FW_SVG_DOT, 4, tip);
        }
    }
    if (!nc)
        fw_svg_note(&s, "no scored configuration");
    fw_rep_html_figure(b, &s, with_nested
                       ? "One point per outer split (test score of the model's best "
                         "configuration); the box spans the quartiles, the thick line is the "
                         "median, whiskers reach the extremes. \xe2\x80\x9cnested "
                         "CV\xe2\x80\x9d shows the outer scores of the nested run."
                       : "One point per outer split (test score of the model's best "
                         "configuration); the box spans the quartiles, the thick line is the "
                         "median, whiskers reach the extremes.");
}

/* Every configuration's mean score, per model entry; the entry's best as
 * a diamond. */
static void plot_means(fw_sb *b, const fw_results *r, char (*labels)[64])
{
    size_t nc = r->n_models < 64 ? r->n_models : 64;
    const char *cats[64];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t c = 0; c < nc; c++)
        cats[c] = labels[c];
    for (size_t i = 0; i < r->n_trials; i++)
        if (fw_rep_scored(r, (long)i))
            fw_svg_extend(&lo, &hi, r->trials[i].mean_test, 1, 1, 0);
    fw_svg s;
    char ylab[96], tip[400];
    snprintf(ylab, sizeof ylab, "mean %s %s", r->n_metrics ? r->metrics[0] : "",
             fw_rep_arrow(r, 0));
    fw_svg_begin(&s, W2, H2, "Mean score of every configuration");
    fw_svg_axis_cat(&s.x, "model", cats, nc);
    fw_svg_axis_num(&s.y, ylab, lo, hi, 0);
    fw_svg_frame(&s);
    size_t *seen = calloc(nc ? nc : 1, sizeof *seen);
    for (size_t i = 0; seen && i < r->n_trials; i++) {
        const fw_trial *t = &r->trials[i];
        if (t->space >= nc || !fw_rep_scored(r, (long)i))
            continue;
        int is_best = r->best_of_model[t->space] == (long)i;
        fw_sb p;
        fw_sb_init(&p);
        fw_rep_params_text(t->params_json, &p);
        char val[48];
        fw_rep_fmt(t->mean_test[0], val, sizeof val);
        snprintf(tip, sizeof tip, "config %zu %s (%s): %s%s", i, t->model, p.s ? p.s : "",
                 val, is_best ? ", best of its model" : "");
        fw_sb_free(&p);
        double x = (double)t->space + (is_best ? 0 : jitter(seen[t->space]++, 0.5));
        fw_svg_point(&s, x, t->mean_test[0], (int)t->space, is_best ? FW_SVG_DIAMOND : FW_SVG_DOT,
                     is_best ? 7 : 3.5, tip);
    }
    free(seen);
    if (!s.marks)
        fw_svg_note(&s, "no scored configuration");
    fw_rep_html_figure(b, &s, "One point per configuration of the search (its mean test "
                              "score over the splits); the diamond is the model's best. A wide "
                              "spread means the parameters matter.");
}

void fw_rep_html_scores(fw_sb *b, const fw_results *r)
{
    char (*labels)[64] = calloc(r->n_models ? r->n_models : 1, sizeof *labels);
    fw_sb_append(b, "<h2 id=\"distributions\">Score distributions</h2>\n");
    if (!labels) {
        b->oom = 1;
        return;
    }
    entry_labels(r, labels);
    size_t scored = 0;
    for (size_t i = 0; i < r->n_trials; i++)
        scored += fw_rep_scored(r, (long)i);
    if (!scored) {
        fw_sb_append(b, "<p class=\"note\">No configuration has a score to show.</p>\n");
        free(labels);
        return;
    }
    fw_sb_append(b, "<div class=\"figs\">\n");
    plot_splits(b, r, labels);
    plot_means(b, r, labels);
    fw_sb_append(b, "</div>\n");
    free(labels);
}

/* ---- validation curves --------------------------------------------------------------- */

typedef struct vpoint {
    double x, test, sd, train;
    const char *text;
    size_t id;
} vpoint;

static int vcmp(const void *a, const void *b)
{
    const vpoint *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->id < q->id ? -1 : p->id > q->id;
}

static int is_number(const char *s)
{
    char *end;
    if (!s || !*s)
        return 0;
    strtod(s, &end);
    return *end == '\0';
}

/* The scored configurations of entry s that set column col; *numeric when
 * every value is a number. Returns the count (pts has n_trials room). */
static size_t vpoints(const fw_results *r, size_t s, size_t col, vpoint *pts, int *numeric)
{
    size_t n = 0;
    *numeric = 1;
    for (size_t i = 0; i < r->n_trials; i++) {
        const fw_trial *t = &r->trials[i];
        if (t->space != s || !fw_rep_scored(r, (long)i) || !t->param_text[col][0])
            continue;
        *numeric &= is_number(t->param_text[col]) && isfinite(t->param_num[col]);
        pts[n++] = (vpoint){t->param_num[col], t->mean_test[0], t->std_test[0],
                            t->mean_train[0], t->param_text[col], i};
    }
    return n;
}

/* Distinct values: numbers (sorted copy), or texts in first-seen order
 * into cats[0..cap). Counting texts stops past cap (too many to draw). */
static size_t distinct(const vpoint *p, size_t n, int numeric, const char **cats, size_t cap)
{
    size_t k = 0;
    if (numeric) {
        double *x = malloc((n ? n : 1) * sizeof *x);
        for (size_t i = 0; x && i < n; i++)
            x[i] = p[i].x;
        if (x)
            qsort(x, n, sizeof *x, dcmp);
        for (size_t i = 0; x && i < n; i++)
            k += i == 0 || x[i] != x[i - 1];
        free(x);
        return k;
    }
    for (size_t i = 0; i < n && k <= cap; i++) {
        size_t j = 0;
        while (j < k && strcmp(cats[j], p[i].text))
            j++;
        if (j == k && k++ < cap)
            cats[j] = p[i].text;
    }
    return k;
}

/* Searched parameters of entry s: columns with two values or more. */
static size_t searched(const fw_results *r, size_t s, vpoint *pts)
{
    size_t k = 0;
    int numeric;
    const char *cats[MAX_CATS];
    for (size_t c = 0; c < r->n_param_cols; c++) {
        size_t n = vpoints(r, s, c, pts, &numeric);
        k += distinct(pts, n, numeric, cats, MAX_CATS) >= 2;
    }
    return k;
}

/* The best configuration at each distinct x (pts sorted by x) as a line;
 * its training scores too when no other parameter varies (otherwise the
 * training line would jump between unrelated configurations). */
static void profile(fw_svg *s, const fw_results *r, const vpoint *p, size_t n, int train)
{
    double *x = malloc((n ? n : 1) * 3 * sizeof *x), *te = x + n, *tr = x + 2 * n;
    size_t k = 0;
    for (size_t i = 0; x && i < n; i++) {
        if (k && x[k - 1] == p[i].x) {
            if (better(r, p[i].test, te[k - 1]))
                te[k - 1] = p[i].test, tr[k - 1] = p[i].train;
            continue;
        }
        x[k] = p[i].x, te[k] = p[i].test, tr[k++] = p[i].train;
    }
    if (x && train)
        fw_svg_line(s, x, tr, k, 1, 1.5);
    if (x) {
        fw_svg_line(s, x, te, k, 0, 2);
    }
    free(x);
}

static void curve_numeric(fw_sb *b, const fw_results *r, const char *title, const char *pname,
                          vpoint *p, size_t n, int line, int alone)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v[3] = {p[i].test - p[i].sd, p[i].test + p[i].sd, p[i].train};
        fw_svg_extend(&xlo, &xhi, &p[i].x, 1, 1, 0);
        fw_svg_extend(&ylo, &yhi, v, 3, 1, 0);
    }
    int log = xlo > 0 && xhi / xlo >= 100; /* two decades or more */
    char xlab[128], ylab[96], tip[200], a[48], c[48];
    snprintf(xlab, sizeof xlab, "%s%s", pname, log ? " (log scale)" : "");
    snprintf(ylab, sizeof ylab, "mean %s %s", r->metrics[0], fw_rep_arrow(r, 0));
    qsort(p, n, sizeof *p, vcmp);
    fw_svg s;
    fw_svg_begin(&s, W2, H2, title);
    s.legend_w = 120;
    fw_svg_axis_num(&s.x, xlab, xlo, xhi, log);
    fw_svg_axis_num(&s.y, ylab, ylo, yhi, 0);
    fw_svg_frame(&s);
    for (size_t i = 0; i < n; i++)
        fw_svg_seg(&s, p[i].x, p[i].test - p[i].sd, p[i].x, p[i].test + p[i].sd, "#7fb2d6",
                   1.2, NULL);
    if (line)
        profile(&s, r, p, n, alone);
    for (size_t i = 0; i < n; i++) {
        fw_rep_fmt(p[i].train, a, sizeof a);
        snprintf(tip, sizeof tip, "config %zu, %s=%s: train %s", p[i].id, pname, p[i].text, a);
        fw_svg_point(&s, p[i].x, p[i].train, 1, FW_SVG_RING, 3.2, tip);
    }
    for (size_t i = 0; i < n; i++) {
        fw_rep_fmt_pm(p[i].test, p[i].sd, c, sizeof c);
        snprintf(tip, sizeof tip, "config %zu, %s=%s: test %s", p[i].id, pname, p[i].text, c);
        fw_svg_point(&s, p[i].x, p[i].test, 0, FW_SVG_DOT, 3.8, tip);
    }
    const char *names[] = {"test \xc2\xb1 std", "train"};
    const int cols[] = {0, 1}, shapes[] = {FW_SVG_DOT, FW_SVG_RING};
    fw_svg_legend(&s, names, cols, shapes, 2);
    snprintf(tip, sizeof tip, "%zu configurations.%s", n,
             line ? " The line joins the best configuration at each value." : " Other "
             "parameters vary between points, so no line is drawn.");
    fw_rep_html_figure(b, &s, tip);
}

static void curve_choice(fw_sb *b, const fw_results *r, const char *title, const char *pname,
                         const vpoint *p, size_t n)
{
    const char *cats[MAX_CATS];
    size_t nc = distinct(p, n, 0, cats, MAX_CATS), *seen = calloc(MAX_CATS, sizeof *seen);
    double ylo = INFINITY, yhi = -INFINITY, best[MAX_CATS];
    char ylab[96], tip[200], a[48];
    if (nc > MAX_CATS || !seen) {
        free(seen);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fw_svg_extend(&ylo, &yhi, &p[i].test, 1, 1, 0);
    snprintf(ylab, sizeof ylab, "mean %s %s", r->metrics[0], fw_rep_arrow(r, 0));
    fw_svg s;
    fw_svg_begin(&s, W2, H2, title);
    fw_svg_axis_cat(&s.x, pname, cats, nc);
    fw_svg_axis_num(&s.y, ylab, ylo, yhi, 0);
    fw_svg_frame(&s);
    for (size_t c = 0; c < nc; c++)
        best[c] = NAN;
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        while (c + 1 < nc && strcmp(cats[c], p[i].text))
            c++;
        if (better(r, p[i].test, best[c]))
            best[c] = p[i].test;
        fw_rep_fmt_pm(p[i].test, p[i].sd, a, sizeof a);
        snprintf(tip, sizeof tip, "config %zu, %s=%s: test %s", p[i].id, pname, p[i].text, a);
        fw_svg_point(&s, (double)c + jitter(seen[c]++, 0.5), p[i].test, (int)c, FW_SVG_DOT, 3.8,
                     tip);
    }
    for (size_t c = 0; c < nc; c++)
        fw_svg_seg(&s, (double)c - 0.35, best[c], (double)c + 0.35, best[c], "#222", 2, NULL);
    free(seen);
    snprintf(tip, sizeof tip, "%zu configurations, one point each; the black bar is the best "
             "score with that value.", n);
    fw_rep_html_figure(b, &s, tip);
}

/* The curves of model entry s; returns how many were drawn. */
static size_t curves_of(fw_sb *b, const fw_results *r, size_t s, const char *label,
                        vpoint *pts, size_t budget)
{
    size_t drawn = 0, nsearched = searched(r, s, pts);
    for (size_t c = 0; c < r->n_param_cols && drawn < budget; c++) {
        int numeric;
        const char *cats[MAX_CATS];
        size_t n = vpoints(r, s, c, pts, &numeric);
        size_t k = distinct(pts, n, numeric, cats, MAX_CATS);
        if (k < 2)
            continue;
        char title[160];
        snprintf(title, sizeof title, "%s: %s", label, r->param_cols[c]);
        if (numeric)
            curve_numeric(b, r, title, r->param_cols[c], pts, n, nsearched == 1 || k < n,
                          nsearched == 1);
        else if (k <= MAX_CATS)
            curve_choice(b, r, title, r->param_cols[c], pts, n);
        else
            continue;
        drawn++;
    }
    return drawn;
}

void fw_rep_html_curves(fw_sb *b, const fw_results *r)
{
    fw_sb_append(b, "<h2 id=\"validation\">Validation curves</h2>\n<p class=\"note\">How "
                    "each searched parameter moves the score, per model. Filled points: mean "
                    "test score of a configuration over the splits, with a bar of \xc2\xb1 one "
                    "standard deviation across splits; hollow points: mean training score. A "
                    "large gap between the two means over-fitting; both low means "
                    "under-fitting. Choice parameters show one strip per value.</p>\n");
    vpoint *pts = malloc((r->n_trials ? r->n_trials : 1) * sizeof *pts);
    char (*labels)[64] = calloc(r->n_models ? r->n_models : 1, sizeof *labels);
    size_t drawn = 0;
    if (!pts || !labels || !r->n_metrics) {
        free(pts);
        free(labels);
        fw_sb_append(b, "<p class=\"note\">No curves.</p>\n");
        return;
    }
    entry_labels(r, labels);
    fw_sb_append(b, "<div class=\"figs\">\n");
    for (size_t s = 0; s < r->n_models; s++)
        drawn += curves_of(b, r, s, labels[s], pts, MAX_CURVES - drawn);
    fw_sb_append(b, "</div>\n");
    if (drawn == 0)
        fw_sb_append(b, "<p class=\"note\">No parameter took two values or more among the "
                        "scored configurations, so there is nothing to draw.</p>\n");
    else if (drawn == MAX_CURVES)
        fw_sb_printf(b, "<p class=\"note\">Only the first %d curves are shown; "
                        "cv_results.csv has every configuration.</p>\n", MAX_CURVES);
    free(pts);
    free(labels);
}
