/* html_preds.c: report.html's plots of out-of-split predictions, pooled
 * over the outer test splits. Classification: ROC and precision-recall
 * curves (binary: one curve per model's best configuration; multiclass:
 * one-vs-rest per class of the best model), the best model's confusion
 * matrix as a heat map, and calibration when the scores are
 * probabilities. Regression: predicted against actual, and residuals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "foldwise/metrics.h"
#include "report_int.h"

enum { W2 = 560, H2 = 420, MAX_SERIES = 16, MAX_SCATTER = 4000 };

/* The usable rows of a pool: labels into y, column col's scores into sc
 * (either may be NULL). Returns the count. */
static size_t usable(const fw_rep_pool *p, size_t k, size_t col, double *y, double *sc)
{
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!fw_rep_pool_row_ok(p, i, k))
            continue;
        if (y)
            y[m] = p->y[i];
        if (sc)
            sc[m] = p->v[i * p->width + (col < p->width ? col : 0)];
        m++;
    }
    return m;
}

/* A curve's line through every point, and a mark at points at least 5
 * pixels from the previous mark (and at the last), so dense curves stay
 * light. Returns the marks drawn. */
static void draw_curve(fw_svg *s, const fw_curve *c, int colour, const char *who,
                       const char *xn, const char *yn, const char *tn)
{
    size_t start = s->marks;
    double lx = NAN, ly = NAN;
    char tip[200], a[32], b[32], t[32];
    fw_svg_line(s, c->x, c->y, c->n, colour, 2);
    for (size_t i = 0; i < c->n; i++) {
        if (!isfinite(c->x[i]) || !isfinite(c->y[i]))
            continue;
        double px = fw_svg_px(s, c->x[i]), py = fw_svg_py(s, c->y[i]);
        int last = i + 1 == c->n;
        if (s->marks > start && !last && hypot(px - lx, py - ly) < 5)
            continue;
        fw_rep_fmt(c->x[i], a, sizeof a);
        fw_rep_fmt(c->y[i], b, sizeof b);
        fw_rep_fmt(c->thr[i], t, sizeof t);
        snprintf(tip, sizeof tip, "%s: %s %s, %s %s, %s %s", who, xn, a, yn, b, tn, t);
        if (fw_svg_point(s, c->x[i], c->y[i], colour, FW_SVG_DOT, 2.2, tip))
            lx = px, ly = py;
    }
}

/* Area under a ROC curve (trapezoids) and average precision (steps). */
static double roc_area(const fw_curve *c)
{
    double a = 0;
    for (size_t i = 1; i < c->n; i++)
        a += (c->x[i] - c->x[i - 1]) * (c->y[i] + c->y[i - 1]) / 2;
    return a;
}

static double avg_precision(const fw_curve *c)
{
    double a = 0;
    for (size_t i = 0; i + 1 < c->n; i++)
        a += (c->x[i] - c->x[i + 1]) * c->y[i];
    return a;
}

/* One series of a curve plot: whose predictions, and which class is
 * positive. */
typedef struct series {
    char name[96];
    long config;
    size_t cls;
    int colour;
} series;

enum { K_ROC, K_PR, K_CAL };

/* The curve of one series into c; FW_OK or why not. */
static int series_curve(const fw_results *r, const series *se, int kind, fw_curve *c,
                        size_t *n_pos)
{
    fw_rep_pool p;
    size_t k = r->n_classes;
    int rc = fw_rep_pool_get(r, se->config, &p);
    double *y = malloc((p.n ? p.n : 1) * sizeof *y), *sc = malloc((p.n ? p.n : 1) * sizeof *sc);
    memset(c, 0, sizeof *c);
    if (!rc && (!y || !sc))
        rc = FW_ENOMEM;
    size_t m = rc || p.width != k ? 0 : usable(&p, k, se->cls, y, sc);
    *n_pos = 0;
    for (size_t i = 0; i < m; i++)
        *n_pos += y[i] == (double)se->cls;
    if (!rc && (m == 0 || *n_pos == 0 || *n_pos == m || (kind == K_CAL && !p.is_proba)))
        rc = FW_EINVAL;
    if (!rc && kind == K_ROC)
        rc = fw_roc_curve(y, sc, NULL, m, (int)se->cls, c, NULL);
    else if (!rc && kind == K_PR)
        rc = fw_pr_curve(y, sc, NULL, m, (int)se->cls, c, NULL);
    else if (!rc)
        rc = fw_calibration_curve(y, sc, m, (int)se->cls, 10, c, NULL);
    *n_pos = m ? *n_pos : 0;
    free(y);
    free(sc);
    fw_rep_pool_free(&p);
    return rc;
}

/* The series of a curve plot: one per model (binary) or per class. */
static size_t curve_series(const fw_results *r, series *se)
{
    size_t n = 0;
    if (r->n_classes == 2) {
        for (size_t s = 0; s < r->n_models && n < MAX_SERIES; s++) {
            long t = r->best_of_model[s];
            if (!fw_rep_scored(r, t))
                continue;
            snprintf(se[n].name, sizeof se[n].name, "%s", r->trials[t].model);
            se[n].config = t, se[n].cls = (size_t)(r->positive == 0 ? 0 : 1);
            se[n].colour = (int)s, n++;
        }
        return n;
    }
    for (size_t c = 0; c < r->n_classes && n < MAX_SERIES; c++, n++) {
        snprintf(se[n].name, sizeof se[n].name, "%s", r->classes[c]);
        se[n].config = r->best, se[n].cls = c, se[n].colour = (int)c;
    }
    return n;
}

static const char *const kind_title[] = {"ROC curve", "Precision-recall curve",
                                         "Calibration (reliability)"};

static void curve_plot(fw_sb *b, const fw_results *r, int kind)
{
    series se[MAX_SERIES];
    const char *names[MAX_SERIES];
    int cols[MAX_SERIES];
    size_t ns = curve_series(r, se), shown = 0, skipped = 0;
    char title[160], tip[64];
    snprintf(title, sizeof title, "%s%s", kind_title[kind],
             r->n_classes == 2 ? "" : r->n_classes > MAX_SERIES
                 ? " (first 16 classes vs the rest, best model)"
                 : " (one class vs the rest, best model)");
    fw_svg s;
    fw_svg_begin(&s, W2, H2, title);
    s.legend_at = kind == K_ROC ? FW_SVG_BOTTOM_RIGHT : kind == K_PR ? FW_SVG_BOTTOM_LEFT
                                                                      : FW_SVG_TOP_LEFT;
    fw_svg_axis_num(&s.x, kind == K_ROC ? "false positive rate" : kind == K_PR ? "recall"
                          : "mean predicted probability", 0, 1, 0);
    fw_svg_axis_num(&s.y, kind == K_ROC ? "true positive rate" : kind == K_PR ? "precision"
                          : "fraction of positives", 0, 1, 0);
    fw_svg_frame(&s);
    if (kind != K_PR)
        fw_svg_seg(&s, 0, 0, 1, 1, "#999", 1, "4 4");
    for (size_t i = 0; i < ns; i++) {
        fw_curve c;
        size_t n_pos;
        if (series_curve(r, &se[i], kind, &c, &n_pos)) {
            skipped++;
            continue;
        }
        if (kind == K_ROC)
            snprintf(tip, sizeof tip, " (AUC %.3f)", roc_area(&c));
        else if (kind == K_PR)
            snprintf(tip, sizeof tip, " (AP %.3f)", avg_precision(&c));
        else
            tip[0] = '\0';
        size_t len = strlen(se[i].name);
        snprintf(se[i].name + len, sizeof se[i].name - len, "%s", tip);
        draw_curve(&s, &c, se[i].colour, se[i].name, kind == K_ROC ? "fpr" : kind == K_PR
                   ? "recall" : "predicted", kind == K_ROC ? "tpr" : kind == K_PR ? "precision"
                   : "observed", kind == K_CAL ? "rows" : "threshold");
        names[shown] = se[i].name, cols[shown++] = se[i].colour;
        fw_curve_free(&c);
    }
    fw_svg_legend(&s, names, cols, NULL, shown);
    if (!shown)
        fw_svg_note(&s, kind == K_CAL ? "needs probabilities and both classes"
                                      : "needs both classes among the rows");
    const char *cap[] = {
        "Pooled out-of-split scores. The closer a curve hugs the top-left corner, the better "
        "the ranking; the dashed diagonal is chance. AUC is the area under the pooled curve "
        "(not the mean of per-split AUCs).",
        "Pooled out-of-split scores. Precision of the rows ranked above each threshold against "
        "the share of positives they catch; AP is the average precision. Useful when "
        "positives are rare.",
        "Rows binned by predicted probability (10 equal bins, empty ones left out): a "
        "well-calibrated model sits on the dashed diagonal; above it the model is "
        "under-confident, below it over-confident."};
    char caption[512];
    snprintf(caption, sizeof caption, "%s%s", cap[kind],
             skipped ? " Series without both classes or without probabilities are left "
                       "out." : "");
    fw_rep_html_figure(b, &s, caption);
}

/* White to dark blue (ColorBrewer Blues' ends): readable in grey too. */
static void blues(double f, char *buf, size_t n)
{
    f = isfinite(f) ? fmin(1, fmax(0, f)) : 0;
    snprintf(buf, n, "#%02x%02x%02x", (int)lround(247 + f * (8 - 247)),
             (int)lround(251 + f * (48 - 251)), (int)lround(255 + f * (107 - 255)));
}

static void confusion_plot(fw_sb *b, const fw_results *r, const fw_rep_pool *p)
{
    size_t k = r->n_classes, *cm = calloc(k ? k * k : 1, sizeof *cm);
    if (!cm) {
        b->oom = 1;
        return;
    }
    size_t total = fw_rep_confusion(p, k, cm), diag = 0;
    fw_svg s;
    fw_svg_begin(&s, W2, k > 4 ? 520 : H2, "Confusion matrix (best model)");
    fw_svg_axis_cat(&s.x, "predicted class", (const char *const *)r->classes, k);
    fw_svg_axis_cat(&s.y, "true class", (const char *const *)r->classes, k);
    fw_svg_frame(&s);
    for (size_t i = 0; i < k; i++) {
        size_t row = 0;
        for (size_t j = 0; j < k; j++)
            row += cm[i * k + j];
        diag += cm[i * k + i];
        for (size_t j = 0; j < k; j++) {
            double f = row ? (double)cm[i * k + j] / (double)row : 0;
            char fill[16], label[32], tip[256];
            blues(f, fill, sizeof fill);
            snprintf(label, sizeof label, "%zu", cm[i * k + j]);
            snprintf(tip, sizeof tip, "true %.80s, predicted %.80s: %zu (%.1f%% of true "
                     "%.80s)", r->classes[i], r->classes[j], cm[i * k + j], 100 * f,
                     r->classes[i]);
            fw_svg_cell(&s, (double)j - 0.5, (double)i - 0.5, (double)j + 0.5,
                        (double)i + 0.5, fill, label, f > 0.55 ? "#fff" : "#111", tip);
        }
    }
    char cap[400];
    snprintf(cap, sizeof cap, "Rows: true class; columns: predicted class (highest score). "
             "%zu pooled out-of-split predictions, %.1f%% on the diagonal. Colour is the share "
             "of the true class's rows, so the diagonal reads as per-class recall.", total,
             total ? 100.0 * (double)diag / (double)total : 0.0);
    fw_rep_html_figure(b, &s, cap);
    free(cm);
}

static void classification(fw_sb *b, const fw_results *r, const fw_rep_pool *p)
{
    if (p->width != r->n_classes || r->n_classes < 2) {
        fw_sb_append(b, "<p class=\"note\">The predictions do not have one score per class, "
                        "so no curves are drawn.</p>\n");
        return;
    }
    fw_sb_append(b, "<div class=\"figs\">\n");
    curve_plot(b, r, K_ROC);
    curve_plot(b, r, K_PR);
    confusion_plot(b, r, p);
    if (p->is_proba)
        curve_plot(b, r, K_CAL);
    fw_sb_append(b, "</div>\n");
    if (!p->is_proba)
        fw_sb_append(b, "<p class=\"note\">The best model gives decision values, not "
                        "probabilities, so there is no calibration plot.</p>\n");
}

/* ---- regression ---------------------------------------------------------------------- */

static void scatter(fw_sb *b, const double *y, const double *f, size_t m, int resid)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    double *res = malloc((m ? m : 1) * sizeof *res);
    char tip[160], a[32], c[32];
    if (!res) {
        b->oom = 1;
        return;
    }
    for (size_t i = 0; i < m; i++)
        res[i] = y[i] - f[i];
    const double *xs = resid ? f : y, *ys = resid ? res : f;
    fw_svg_extend(&xlo, &xhi, xs, m, 1, 0);
    fw_svg_extend(&ylo, &yhi, ys, m, 1, 0);
    if (!resid) { /* one range for both axes, so the diagonal is 45 degrees */
        xlo = ylo = fmin(xlo, ylo);
        xhi = yhi = fmax(xhi, yhi);
    }
    fw_svg s;
    fw_svg_begin(&s, W2, H2, resid ? "Residuals against prediction" : "Predicted against actual");
    s.alpha = 0.6;
    fw_svg_axis_num(&s.x, resid ? "predicted" : "actual", xlo, xhi, 0);
    fw_svg_axis_num(&s.y, resid ? "residual (actual \xe2\x88\x92 predicted)" : "predicted", ylo,
                    yhi, 0);
    fw_svg_frame(&s);
    if (resid)
        fw_svg_seg(&s, s.x.lo, 0, s.x.hi, 0, "#666", 1, "4 4");
    else
        fw_svg_seg(&s, s.x.lo, s.x.lo, s.x.hi, s.x.hi, "#666", 1, "4 4");
    /* Past MAX_SCATTER points the page grows without showing more: every
     * stride-th point is drawn (the axes still span them all). */
    size_t stride = (m + MAX_SCATTER - 1) / MAX_SCATTER;
    stride = stride ? stride : 1;
    for (size_t i = 0; i < m; i += stride) {
        fw_rep_fmt(y[i], a, sizeof a);
        fw_rep_fmt(f[i], c, sizeof c);
        snprintf(tip, sizeof tip, "actual %s, predicted %s", a, c);
        fw_svg_point(&s, xs[i], ys[i], 0, FW_SVG_DOT, m > 1000 ? 2 : 3, tip);
    }
    if (!m)
        fw_svg_note(&s, "no usable prediction");
    char cap[300];
    snprintf(cap, sizeof cap, "%s%s", resid ? "Residuals should scatter evenly around zero; a "
             "funnel or a curve means the errors depend on the prediction."
             : "One point per pooled out-of-split prediction; points on the dashed diagonal "
               "are exact.", stride > 1 ? " One prediction in " : "");
    if (stride > 1)
        snprintf(cap + strlen(cap), sizeof cap - strlen(cap), "%zu is drawn (%zu of %zu).",
                 stride, s.marks, m);
    fw_rep_html_figure(b, &s, cap);
    free(res);
}

static void regression(fw_sb *b, const fw_rep_pool *p)
{
    double *y = malloc((p->n ? p->n : 1) * sizeof *y), *f = malloc((p->n ? p->n : 1) * sizeof *f);
    if (!y || !f) {
        free(y), free(f);
        b->oom = 1;
        return;
    }
    size_t m = usable(p, 0, 0, y, f);
    double rmse, r2;
    fw_rep_pool_fit(p, &rmse, &r2);
    char a[32], c[32];
    fw_rep_fmt(rmse, a, sizeof a);
    fw_rep_fmt(r2, c, sizeof c);
    fw_sb_printf(b, "<p>Pooled over %zu predictions: RMSE %s, R\xc2\xb2 %s (pooled, so not "
                    "the mean of per-split scores).</p>\n<div class=\"figs\">\n", m, a, c);
    scatter(b, y, f, m, 0);
    scatter(b, y, f, m, 1);
    fw_sb_append(b, "</div>\n");
    free(y);
    free(f);
}

void fw_rep_html_preds(fw_sb *b, const fw_results *r)
{
    fw_sb_append(b, "<h2 id=\"predictions\">Out-of-split predictions</h2>\n");
    if (r->n_preds == 0) {
        fw_sb_append(b, "<p class=\"note\">No out-of-split predictions were kept "
                        "(output.predictions: none, or no model could be fitted), so there "
                        "are no ROC, precision-recall, confusion or residual plots.</p>\n");
        return;
    }
    fw_rep_pool p;
    if (!fw_rep_scored(r, r->best) || fw_rep_pool_get(r, r->best, &p) || p.n == 0) {
        fw_sb_append(b, "<p class=\"note\">The predictions of the best configuration were "
                        "not kept, so there is nothing to plot.</p>\n");
        return;
    }
    fw_sb_append(b, "<p class=\"note\">");
    fw_rep_xml(b, r->trials[r->best].model);
    fw_sb_printf(b, " (configuration %ld) predicted every row from a model fitted without "
                    "it, on each of %zu outer splits; the plots pool those %zu predictions "
                    "(with repeated CV, a row appears once per repeat).</p>\n",
                 r->best, p.blocks, p.n);
    if (r->task == FW_TASK_CLASSIFICATION)
        classification(b, r, &p);
    else
        regression(b, &p);
    fw_rep_pool_free(&p);
}
