/* report_int.h: what the readable reports (report.html, report.md) share
 * inside the report layer: XML escaping, number formatting, the findings
 * both reports state (ranking, nested estimate, failures, pooled
 * predictions, confusion matrix), and a small SVG plotting kit.
 *
 * Nothing here is public API. Strings handed in are borrowed; everything a
 * function allocates is freed by its _free pair. */
#ifndef FOLDWISE_REPORT_INT_H
#define FOLDWISE_REPORT_INT_H

#include <stddef.h>

#include "foldwise/core.h"
#include "foldwise/store.h"

/* ---- text ----------------------------------------------------------------- */

/* s as XML character data or attribute value: & < > " escaped, control
 * characters XML 1.0 forbids and bytes that are not UTF-8 replaced by
 * U+FFFD, so any input gives a well-formed page. NULL appends nothing. */
void fw_rep_xml(fw_sb *b, const char *s);
/* s for a Markdown table cell: | escaped, newlines as spaces. */
void fw_rep_md_cell(fw_sb *b, const char *s);

/* A score for people: 4 decimals in [1e-3, 1e5), 4 significant digits
 * outside, "n/a" for NaN. Both reports use it, so their numbers match. */
void fw_rep_fmt(double v, char *buf, size_t n);
/* "mean ± std" with fw_rep_fmt; "n/a" when the mean is NaN. */
void fw_rep_fmt_pm(double mean, double sd, char *buf, size_t n);
/* "3.91 s", "2 min 05 s", "1 h 04 min". */
void fw_rep_fmt_duration(double s, char *buf, size_t n);
/* Seconds since the epoch as UTC ISO 8601 ("2024-05-01T12:00:00Z"), or
 * "n/a" when not known (0 or NaN). */
void fw_rep_fmt_utc(double epoch, char *buf, size_t n);
/* A candidate's params_json as "k=36, weights=distance" (numbers to 4
 * significant digits), "defaults" for {} and "n/a" for NULL. */
void fw_rep_params_text(const char *json, fw_sb *out);

/* ---- findings ------------------------------------------------------------- */

/* Trial indices in rank order of the first metric (finite means first,
 * best first, ties by configuration id) into idx (n_trials entries).
 * Returns the number ranked (trials with a finite mean). */
size_t fw_rep_ranked(const fw_results *r, size_t *idx);
/* 1 when trial t has a finite mean of the first metric. */
int fw_rep_scored(const fw_results *r, long t);

/* Nested CV over the outer splits that finished: mean and population std
 * of the first metric. Returns the number of such splits (0 = none or no
 * nested CV: mean and sd are NaN). */
size_t fw_rep_nested(const fw_results *r, double *mean, double *sd);

/* Failed, partial and warned configurations grouped by (model, kind). */
typedef struct fw_rep_issue {
    const char *model;      /* borrowed from the results */
    const char *kind;       /* "failed", "timeout", "partial", "warning" */
    size_t count;           /* configurations */
    const char *message;    /* the first one's message (may be NULL) */
} fw_rep_issue;
/* Array of issue groups in first-seen order (free with free()); *n their
 * count. counts[4] receives the configurations per status FW_RS_*. NULL
 * with *n = 0 when there are none or out of memory. */
fw_rep_issue *fw_rep_issues(const fw_results *r, size_t *n, size_t counts[4]);

/* The out-of-split predictions of one configuration, pooled over its
 * splits (and repeats) in block order. */
typedef struct fw_rep_pool {
    size_t n, width;
    double *y;              /* n: class code or value */
    double *v;              /* n x width */
    int is_proba;
    size_t blocks;          /* splits pooled */
} fw_rep_pool;
/* Pool config's blocks. FW_OK (n = 0 when it has none) or FW_ENOMEM. */
int fw_rep_pool_get(const fw_results *r, long config, fw_rep_pool *p);
void fw_rep_pool_free(fw_rep_pool *p);
/* Rows whose scores and label are usable (finite, label in range). */
int fw_rep_pool_row_ok(const fw_rep_pool *p, size_t i, size_t n_classes);
/* Predicted class of a pooled row: the argmax of its scores, lowest index
 * on ties (as predictions.csv). */
size_t fw_rep_argmax(const double *v, size_t width);
/* Confusion counts (true class row, predicted class column) of the pooled
 * predictions into cm (k x k, zeroed first). Returns the rows counted. */
size_t fw_rep_confusion(const fw_rep_pool *p, size_t k, size_t *cm);

/* Pooled regression fit of the usable rows: count, RMSE and R^2 (NaN
 * when undefined). */
size_t fw_rep_pool_fit(const fw_rep_pool *p, double *rmse, double *r2);

/* Why the nested estimate differs from the flat best (one sentence). */
extern const char fw_rep_nested_why[];
/* What the best score means without nested CV (one sentence). */
extern const char fw_rep_flat_why[];
/* What a stopped run's report covers (one sentence). */
extern const char fw_rep_stopped_why[];

/* The headline both reports open with, as plain text pieces. */
typedef struct fw_rep_head {
    const char *task;       /* "classification" / "regression"              */
    const char *metric;     /* the optimised metric ("" when none)           */
    const char *better;     /* "higher is better" / "lower is better"        */
    int has_best;
    const char *best_model;
    char best_params[512];  /* fw_rep_params_text of the best                */
    char best_score[96];    /* "0.9925 ± 0.0058": the headline score         */
    char best_mean[48];
    size_t n_outer, nested_ok;
    char nested_score[96];  /* "" without nested CV                          */
    char elapsed[48], search[48], start[32], end[32];
    size_t n_bad;           /* configurations not ok (failed, timeout, partial) */
    int stopped;            /* the run stopped before finishing              */
} fw_rep_head;
void fw_rep_head_get(const fw_results *r, fw_rep_head *h);
/* "foldwise 0.1.0, Open MPI 4.1.4, GSL 2.7.1, HDF5 1.10.8, libyaml 0.2.5". */
void fw_rep_versions(const fw_results *r, char *buf, size_t n);
/* " (3 classes: a, b, c)" (the first 12) for classification, plain text;
 * nothing for regression. */
void fw_rep_classes_text(const fw_results *r, fw_sb *out);
/* "↑" or "↓" for metric m. */
const char *fw_rep_arrow(const fw_results *r, size_t m);
/* A code fence for text: three backticks, or one more than the longest run
 * of backticks in it. */
void fw_rep_fence(const char *text, char *buf, size_t n);

/* ---- diagnosis (diagnose.c) ---------------------------------------------- */

/* One learning-curve point as both reports state it: the first metric's
 * mean and population std over the splits that were scored. */
typedef struct fw_rep_lc {
    size_t index;           /* point in fw_results.curve                    */
    double frac;
    size_t n_train;
    double test, test_sd, train, train_sd;  /* NaN when no split scored      */
    size_t n_ok;            /* splits with a finite test score              */
} fw_rep_lc;
/* The curve's points into pts (n_curve entries), by training size, then
 * fraction, then order. Returns their count (0 without a metric). */
size_t fw_rep_curve(const fw_results *r, fw_rep_lc *pts);
/* "random_forest with max_depth=6 (configuration 1, chosen by the refit
 * rule)", plain text. */
void fw_rep_curve_what(const fw_results *r, fw_sb *out);
/* How to read a learning curve (one paragraph, plain text; worded for the
 * first metric's direction). */
void fw_rep_curve_guide(const fw_results *r, fw_sb *out);
/* What the sorted points p[0..n) say at the largest size: scores, gap,
 * and the change from the size before (plain text). */
void fw_rep_curve_summary(const fw_results *r, const fw_rep_lc *p, size_t n, fw_sb *out);

/* Importance indices largest first (NaN last, ties by column order) into
 * idx (n_importances entries). FW_OK or FW_ENOMEM. */
int fw_rep_importance_order(const fw_results *r, size_t *idx);
/* 1 when no importance is positive (no tree made a split). */
int fw_rep_importance_all_zero(const fw_results *r);
/* "impurity" (trees, forests) or "gain" (hist_gbdt). */
const char *fw_rep_importance_kind(const fw_results *r);
/* What these importances are and are not (plain text). */
void fw_rep_importance_why(const fw_results *r, fw_sb *out);

/* The inner search of one outer split: configurations, how many have a
 * mean of the first metric, and the best of those (index into
 * fw_results.inner, -1 none). */
typedef struct fw_rep_inner {
    size_t n, scored;
    long best;
} fw_rep_inner;
void fw_rep_inner_of(const fw_results *r, size_t split, fw_rep_inner *s);

/* The model refitted on all rows, one phrase (plain text): model and
 * parameters, how to apply it, its out-of-bag score when it has one; or
 * why none was kept. */
void fw_rep_model_text(const fw_results *r, fw_sb *out);

typedef struct fw_svg fw_svg;
/* report.html sections drawn with the plotting kit (html_plots.c,
 * html_preds.c, html_diag.c); the diagnosis sections write nothing when
 * the run has no such data. */
void fw_rep_html_scores(fw_sb *b, const fw_results *r);
void fw_rep_html_curves(fw_sb *b, const fw_results *r);
void fw_rep_html_preds(fw_sb *b, const fw_results *r);
void fw_rep_html_learning(fw_sb *b, const fw_results *r);
void fw_rep_html_importances(fw_sb *b, const fw_results *r);
/* <figure> around a plot with a caption (plain text, escaped). */
void fw_rep_html_figure(fw_sb *b, fw_svg *s, const char *caption);

/* ---- SVG plotting kit ----------------------------------------------------- */

#define FW_SVG_MAX_TICKS 24

/* One axis. Continuous (linear or log10) or categorical (slots 0..n-1). */
typedef struct fw_svg_axis {
    const char *label;
    double lo, hi;          /* shown range, nice bounds                       */
    int log;                /* log10 scale: lo, hi > 0                        */
    const char *const *cats; /* categorical: n_cats names at slots 0..n-1     */
    size_t n_cats;
    double ticks[FW_SVG_MAX_TICKS];
    size_t n_ticks;
    double step;            /* linear tick step; log: decades between labels  */
    double minor[64];       /* log: 2..9 x 10^k between labels                */
    size_t n_minor;
    size_t clip;            /* categorical: label characters shown (0 = 16)   */
} fw_svg_axis;

/* Nice bounds and ticks for [lo, hi] with about `target` labels (Heckbert's
 * 1-2-5 steps). An empty or degenerate range is widened; non-finite input
 * gives [0, 1]. Returns the number of ticks written to ticks (<= cap). */
size_t fw_svg_nice(double lo, double hi, size_t target, double *nlo, double *nhi,
                   double *step, double *ticks, size_t cap);
/* A continuous axis over [lo, hi] (log10 when log and lo > 0). */
void fw_svg_axis_num(fw_svg_axis *a, const char *label, double lo, double hi, int log);
/* A categorical axis. */
void fw_svg_axis_cat(fw_svg_axis *a, const char *label, const char *const *cats, size_t n);
/* Tick label text for value v on axis a (decimals from the step; powers of
 * ten on log axes). */
void fw_svg_tick_text(const fw_svg_axis *a, double v, char *buf, size_t n);
/* Widen [*lo, *hi] by the finite values of v[i * stride] (positive ones
 * only when pos). Start from lo = +inf, hi = -inf. */
void fw_svg_extend(double *lo, double *hi, const double *v, size_t n, size_t stride, int pos);

/* A plot under construction: body text, pixel geometry, mark count. */
struct fw_svg {
    fw_sb body;
    int w, h;
    double left, top, right, bottom;  /* plot rectangle (pixels)             */
    double pad;             /* inset of continuous data inside the frame      */
    int legend_w;           /* right margin kept for a legend (0 = none)      */
    int legend_at;          /* without that margin: FW_SVG_TOP_RIGHT, ...     */
    fw_svg_axis x, y;
    size_t marks;
    char title[200];
    double alpha;           /* fill opacity of dots (0 = opaque)              */
};

/* The colour-blind-safe palette (Okabe and Ito), cycled; series 8 and up
 * also get a dash pattern (fw_svg_dash). */
const char *fw_svg_colour(int i);
const char *fw_svg_dash(int i);

void fw_svg_begin(fw_svg *s, int w, int h, const char *title);
/* Margins from the axes' labels, then grid, ticks, labels and frame. Call
 * after setting s->x and s->y, before any mark. */
void fw_svg_frame(fw_svg *s);
/* Data to pixel coordinates (categorical: slot index, fractions allowed). */
double fw_svg_px(const fw_svg *s, double x);
double fw_svg_py(const fw_svg *s, double y);

enum { FW_SVG_DOT = 0, FW_SVG_RING = 1, FW_SVG_DIAMOND = 2 };
/* A data point (a mark). tip is hover text. Skipped (returns 0) when x or y
 * is not finite or outside a log axis. */
int fw_svg_point(fw_svg *s, double x, double y, int colour, int shape, double r,
                 const char *tip);
/* A filled rectangle that is a data point (bar, heat-map cell), in data
 * coordinates, with an optional centred label. */
int fw_svg_cell(fw_svg *s, double x0, double y0, double x1, double y1, const char *fill,
                const char *label, const char *label_fill, const char *tip);
/* A line through (x[i], y[i]) in series colour; breaks at non-finite
 * points. Not a mark. */
void fw_svg_line(fw_svg *s, const double *x, const double *y, size_t n, int colour,
                 double width);
/* One segment in data coordinates (reference lines, error bars, whiskers). */
void fw_svg_seg(fw_svg *s, double x0, double y0, double x1, double y1, const char *stroke,
                double width, const char *dash);
/* A filled band between lo[i] and hi[i] over x[i] (a spread around a
 * curve), at the given fill opacity; breaks at non-finite points, and a
 * lone point gets a vertical bar. Not a mark. */
void fw_svg_band(fw_svg *s, const double *x, const double *lo, const double *hi, size_t n,
                 int colour, double opacity);
/* An outlined rectangle that is not a mark (box of a box plot). */
void fw_svg_box(fw_svg *s, double x0, double y0, double x1, double y1, const char *stroke,
                const char *fill);
enum { FW_SVG_TOP_RIGHT = 0, FW_SVG_BOTTOM_RIGHT, FW_SVG_BOTTOM_LEFT, FW_SVG_TOP_LEFT };
/* Legend of n series (colours, shapes or NULL for dots): in the right
 * margin when s->legend_w is set, else boxed in corner s->legend_at. */
void fw_svg_legend(fw_svg *s, const char *const *names, const int *colours,
                   const int *shapes, size_t n);
/* A note in the middle of the plot area ("no data"). */
void fw_svg_note(fw_svg *s, const char *text);
/* Close the plot and append it to out as one <svg class="plot"> with
 * data-points = the marks drawn; frees the body. */
void fw_svg_end(fw_svg *s, fw_sb *out);

#endif /* FOLDWISE_REPORT_INT_H */
