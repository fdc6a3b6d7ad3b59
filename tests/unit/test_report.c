/* test_report.c: the readable reports. The SVG kit (nice tick numbers, log
 * axes, tick labels, mark counting), XML escaping and number formatting,
 * and report.html / report.md rendered from hand-built results, including
 * degenerate ones (no trials, every score NaN, one class in the
 * predictions, NaN predictions, 10 classes, regression), checking that
 * every plot's data-points equals its marks and that the page stays
 * well-formed enough for the checks here (balanced svg, no raw '<' in
 * text). xmllint runs on real pages in tests/integration/report_html.sh. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/plan.h"
#include "foldwise/report.h"
#include "harness.h"
#include "report/report_int.h"

/* ---- kit ---------------------------------------------------------------------- */

static int is_multiple(double v, double step)
{
    double q = v / step;
    return fabs(q - round(q)) < 1e-6;
}

static void nice_ticks(void)
{
    double lo, hi, st, t[FW_SVG_MAX_TICKS];
    size_t n = fw_svg_nice(0, 1, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK_EQ_INT(n, 6);
    CHECK_NEAR(st, 0.2, 1e-12);
    CHECK(lo == 0 && fabs(hi - 1) < 1e-12 && t[0] == 0 && fabs(t[5] - 1) < 1e-12);
    n = fw_svg_nice(0.961, 0.999, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK_NEAR(st, 0.01, 1e-12);
    CHECK(fabs(lo - 0.96) < 1e-12 && fabs(hi - 1.0) < 1e-12 && n == 5);
    n = fw_svg_nice(-3.7, 12.2, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK(lo <= -3.7 && hi >= 12.2 && n >= 3 && n <= 12);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(is_multiple(t[i], st), "tick %g is not a multiple of %g", t[i], st);
    CHECK_NEAR(st, 5, 1e-12);
    /* 1-2-5 steps only, whatever the range. */
    for (double w = 1e-9; w < 1e9; w *= 3.7) {
        fw_svg_nice(10 * w, 17 * w, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
        double m = st / pow(10, floor(log10(st) + 1e-9));
        CHECK_MSG(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9,
                  "step %g over [%g, %g] is not 1, 2 or 5 x 10^k", st, 10 * w, 17 * w);
        CHECK(lo <= 10 * w && hi >= 17 * w);
    }
    /* Zero never prints as -0, and degenerate or missing ranges widen. */
    n = fw_svg_nice(-0.3, 0.3, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    for (size_t i = 0; i < n; i++)
        CHECK(!(t[i] == 0 && signbit(t[i])));
    fw_svg_nice(0.5, 0.5, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK(lo < 0.5 && hi > 0.5 && hi - lo < 0.1);
    fw_svg_nice(NAN, 3, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK(lo == 0 && hi == 1);
    fw_svg_nice(INFINITY, -INFINITY, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK(lo == 0 && hi == 1);
    fw_svg_nice(-1e308, 1e308, 6, &lo, &hi, &st, t, FW_SVG_MAX_TICKS);
    CHECK(isfinite(lo) && isfinite(hi));
}

static void tick_labels(void)
{
    fw_svg_axis a;
    char buf[64];
    fw_svg_axis_num(&a, "x", 0, 1, 0);
    fw_svg_tick_text(&a, a.ticks[2], buf, sizeof buf);
    CHECK(strcmp(buf, "0.4") == 0);
    fw_svg_axis_num(&a, "x", 0.961, 0.999, 0);
    fw_svg_tick_text(&a, a.ticks[1], buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "0.97") == 0, "got %s", buf);
    fw_svg_axis_num(&a, "x", 0, 400, 0);
    fw_svg_tick_text(&a, a.ticks[1], buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "100") == 0, "got %s", buf);
}

static void log_axes(void)
{
    fw_svg_axis a;
    char buf[64];
    fw_svg_axis_num(&a, "alpha", 1e-3, 1e3, 1);
    CHECK(a.log && a.lo == 1e-3 && a.hi == 1e3);
    CHECK_EQ_INT(a.n_ticks, 7);
    fw_svg_tick_text(&a, a.ticks[0], buf, sizeof buf);
    CHECK(strcmp(buf, "0.001") == 0);
    fw_svg_tick_text(&a, a.ticks[3], buf, sizeof buf);
    CHECK(strcmp(buf, "1") == 0);
    fw_svg_tick_text(&a, a.ticks[6], buf, sizeof buf);
    CHECK(strcmp(buf, "1000") == 0);
    /* Off-decade data widen to whole decades; wide spans label every few. */
    fw_svg_axis_num(&a, "v", 3e-12, 0.02, 1);
    CHECK(fabs(a.lo - 1e-12) < 1e-24 && fabs(a.hi - 0.1) < 1e-12);
    CHECK(a.n_ticks <= 9 && a.step == 2);
    fw_svg_tick_text(&a, a.ticks[0], buf, sizeof buf);
    CHECK_MSG(strcmp(buf, "1e-12") == 0, "got %s", buf);
    /* A log axis over non-positive values falls back to linear. */
    fw_svg_axis_num(&a, "v", 0, 10, 1);
    CHECK(!a.log);
    /* Positions: decades equally spaced. */
    fw_svg s;
    fw_svg_begin(&s, 400, 300, "t");
    fw_svg_axis_num(&s.x, "x", 1, 100, 1);
    fw_svg_axis_num(&s.y, "y", 0, 1, 0);
    fw_svg_frame(&s);
    CHECK_NEAR(fw_svg_px(&s, 10) - fw_svg_px(&s, 1), fw_svg_px(&s, 100) - fw_svg_px(&s, 10),
               1e-9);
    CHECK(fw_svg_py(&s, 1) < fw_svg_py(&s, 0)); /* up is up */
    /* Points off a log axis are not drawn and not counted. */
    CHECK(!fw_svg_point(&s, 0, 0.5, 0, FW_SVG_DOT, 3, NULL));
    CHECK(!fw_svg_point(&s, -1, 0.5, 0, FW_SVG_DOT, 3, NULL));
    CHECK(fw_svg_point(&s, 5, 0.5, 0, FW_SVG_DOT, 3, NULL));
    CHECK_EQ_INT(s.marks, 1);
    fw_sb_free(&s.body);
}

static void escaping(void)
{
    fw_sb b;
    fw_sb_init(&b);
    fw_rep_xml(&b, "a<b & \"c\">d");
    CHECK(strcmp(b.s, "a&lt;b &amp; &quot;c&quot;&gt;d") == 0);
    fw_sb_reset(&b);
    /* Control characters and broken UTF-8 become U+FFFD; good UTF-8 stays. */
    fw_rep_xml(&b, "x\x01y\xffz\xc3(\xc2\xb1\t\n");
    CHECK_MSG(strcmp(b.s, "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbd(\xc2\xb1\t\n") == 0,
              "got %s", b.s);
    fw_sb_reset(&b);
    fw_rep_xml(&b, "\xed\xa0\x80|\xef\xbf\xbe|\xe0\x80\xaf|\xf0\x9f\x98\x80");
    CHECK_MSG(strcmp(b.s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd"
                          "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xf0\x9f\x98\x80") == 0,
              "got %s", b.s);
    fw_sb_reset(&b);
    fw_rep_xml(&b, NULL);
    CHECK(b.len == 0);
    fw_rep_md_cell(&b, "a|b\nc");
    CHECK(strcmp(b.s, "a\\|b c") == 0);
    fw_sb_free(&b);
    char f[16];
    fw_rep_fence("a ``` b ````` c", f, sizeof f);
    CHECK(strcmp(f, "``````") == 0);
    fw_rep_fence("plain", f, sizeof f);
    CHECK(strcmp(f, "```") == 0);
}

static void formatting(void)
{
    char buf[96];
    fw_rep_fmt(0.99250271, buf, sizeof buf);
    CHECK(strcmp(buf, "0.9925") == 0);
    fw_rep_fmt(NAN, buf, sizeof buf);
    CHECK(strcmp(buf, "n/a") == 0);
    fw_rep_fmt(0, buf, sizeof buf);
    CHECK(strcmp(buf, "0.0000") == 0);
    fw_rep_fmt(1.5e-6, buf, sizeof buf);
    CHECK(strcmp(buf, "1.5e-06") == 0);
    fw_rep_fmt_pm(55.62069, 2.0588, buf, sizeof buf);
    CHECK(strcmp(buf, "55.6207 \xc2\xb1 2.0588") == 0);
    fw_rep_fmt_pm(NAN, 1, buf, sizeof buf);
    CHECK(strcmp(buf, "n/a") == 0);
    fw_rep_fmt_duration(3.912, buf, sizeof buf);
    CHECK(strcmp(buf, "3.91 s") == 0);
    fw_rep_fmt_duration(125, buf, sizeof buf);
    CHECK(strcmp(buf, "2 min 05 s") == 0);
    fw_rep_fmt_utc(0, buf, sizeof buf);
    CHECK(strcmp(buf, "n/a") == 0);
    fw_rep_fmt_utc(1700000000, buf, sizeof buf);
    CHECK(strcmp(buf, "2023-11-14T22:13:20Z") == 0);
    fw_sb b;
    fw_sb_init(&b);
    fw_rep_params_text("{\"C\": 1.0, \"penalty\": \"l2\", \"s\": 0.006519089083959388}", &b);
    CHECK_MSG(strcmp(b.s, "C=1, penalty=l2, s=0.006519") == 0, "got %s", b.s);
    fw_sb_reset(&b);
    fw_rep_params_text("{}", &b);
    CHECK(strcmp(b.s, "defaults") == 0);
    fw_sb_reset(&b);
    fw_rep_params_text(NULL, &b);
    CHECK(strcmp(b.s, "n/a") == 0);
    fw_sb_reset(&b);
    fw_rep_params_text("{\"a\\\"b\": true}", &b);
    CHECK(strcmp(b.s, "a\"b=true") == 0);
    fw_sb_free(&b);
}

/* Every <svg ...data-points="N"> ... </svg> in text has N class="mark"
 * elements; returns the plots seen, or -1 at the first mismatch. */
static long check_plots(const char *text, size_t *min_points)
{
    long plots = 0;
    *min_points = (size_t)-1;
    for (const char *p = strstr(text, "<svg "); p; p = strstr(p, "<svg ")) {
        const char *end = strstr(p, "</svg>"), *dp = strstr(p, "data-points=\"");
        if (!end || !dp || dp > end)
            return -1;
        size_t want = strtoul(dp + 13, NULL, 10), got = 0;
        for (const char *m = strstr(p, "class=\"mark\""); m && m < end;
             m = strstr(m + 1, "class=\"mark\""))
            got++;
        if (got != want)
            return -1;
        if (want < *min_points)
            *min_points = want;
        plots++;
        p = end;
    }
    return plots;
}

static void mark_counting(void)
{
    fw_svg s;
    fw_sb out;
    fw_sb_init(&out);
    fw_svg_begin(&s, 400, 300, "a <title> & more");
    const char *cats[] = {"a", "b"};
    fw_svg_axis_cat(&s.x, "cat", cats, 2);
    fw_svg_axis_num(&s.y, "y", 0, 1, 0);
    fw_svg_frame(&s);
    fw_svg_point(&s, 0, 0.5, 0, FW_SVG_DOT, 3, "tip <1>");
    fw_svg_point(&s, 1, NAN, 1, FW_SVG_RING, 3, NULL);
    fw_svg_point(&s, 1, 0.2, 2, FW_SVG_DIAMOND, 3, NULL);
    fw_svg_cell(&s, -0.5, 0, 0.5, 0.3, "#fff", "12", NULL, "cell");
    double x[] = {0, 1, NAN, 1}, y[] = {0, 1, 1, 0.5};
    fw_svg_line(&s, x, y, 4, 0, 2);
    const char *names[] = {"one", "two"};
    const int cols[] = {0, 9};
    fw_svg_legend(&s, names, cols, NULL, 2);
    fw_svg_end(&s, &out);
    size_t minp;
    CHECK_EQ_INT(check_plots(out.s, &minp), 1);
    CHECK_EQ_INT(minp, 3);
    CHECK(strstr(out.s, "tip &lt;1&gt;") && strstr(out.s, "a &lt;title&gt; &amp; more"));
    CHECK(strstr(out.s, "class=\"plot\""));
    /* Series 9 repeats colour 1 with a dash, so ten classes stay apart. */
    CHECK(strcmp(fw_svg_colour(9), fw_svg_colour(1)) == 0 && *fw_svg_dash(9) && !*fw_svg_dash(1));
    fw_sb_free(&out);
}

/* ---- hand-built results ------------------------------------------------------- */

static char *dup(const char *s)
{
    return fw_strdup(s);
}

static double *filled(size_t n, double v)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    for (size_t i = 0; d && i < n; i++)
        d[i] = v;
    return d;
}

typedef struct spec {
    int task;
    size_t n_trials, n_splits, n_classes, n_models, n_outer, n_pred_rows;
    int nan_scores;         /* every score NaN                       */
    int one_class;          /* every prediction's label is class 0   */
    int nan_preds;          /* predictions are NaN                   */
} spec;

static void fill_trial(fw_results *r, const spec *sp, size_t i)
{
    fw_trial *t = &r->trials[i];
    size_t nm = r->n_metrics;
    double v = sp->nan_scores ? NAN : 0.5 + 0.04 * (double)i;
    t->model = dup(i % 2 ? "knn" : "ridge");
    t->space = i % sp->n_models;
    t->param_text = calloc(2, sizeof *t->param_text);
    t->param_num = filled(2, NAN);
    t->param_text[0] = dup(i % 3 ? "1" : "10");
    t->param_num[0] = i % 3 ? 1 : 10;
    t->param_text[1] = dup(i % 2 ? "uniform" : "distance");
    t->params_json = dup("{\"alpha\": 1, \"weights\": \"uni<form>\"}");
    t->status = sp->nan_scores ? FW_RS_FAILED : i == 1 ? FW_RS_PARTIAL : FW_RS_OK;
    t->message = t->status ? dup("boom & <crash>") : NULL;
    t->test = filled(sp->n_splits * nm, v);
    t->train = filled(sp->n_splits * nm, v);
    t->mean_test = filled(nm, t->status == FW_RS_PARTIAL ? NAN : v);
    t->std_test = filled(nm, sp->nan_scores ? NAN : 0.01);
    t->mean_train = filled(nm, v + 0.02);
    t->std_train = filled(nm, 0);
    t->rank = calloc(nm, sizeof *t->rank);
}

static void fill_preds(fw_results *r, const spec *sp)
{
    size_t w = sp->task == FW_TASK_CLASSIFICATION ? sp->n_classes : 1;
    r->preds = calloc(sp->n_splits, sizeof *r->preds);
    r->n_preds = sp->n_splits;
    for (size_t b = 0; b < sp->n_splits; b++) {
        fw_pred_block *p = &r->preds[b];
        p->model = dup("ridge");
        p->config = r->best;
        p->split = b;
        p->n = sp->n_pred_rows, p->width = w, p->is_proba = 1;
        p->row = calloc(p->n ? p->n : 1, sizeof *p->row);
        p->y_true = filled(p->n, 0);
        p->value = filled(p->n * w, 0);
        for (size_t j = 0; j < p->n; j++) {
            size_t y = sp->one_class || !w ? 0 : (j * 7 + b) % (w > 1 ? w : 1);
            p->y_true[j] = sp->task == FW_TASK_CLASSIFICATION ? (double)y : (double)j * 1.5;
            for (size_t q = 0; q < w; q++)
                p->value[j * w + q] = sp->nan_preds ? NAN
                                      : w == 1 ? (double)j * 1.4 + 3
                                               : (q == (j * 3) % w ? 0.6 : 0.4 / (double)(w - 1));
        }
    }
}

static fw_results *build(const spec *sp)
{
    fw_results *r = calloc(1, sizeof *r);
    r->name = dup("hand <built> & \"named\"");
    r->config_text = dup("name: x\nbad: \x01\xff ```\n");
    r->config_path = dup("/tmp/x.yaml");
    r->cmdline = dup("foldwise run x.yaml");
    r->host = dup("h"), r->data_path = dup("d.csv"), r->state = dup("stopped");
    r->v_foldwise = dup("0"), r->v_mpi = dup("none"), r->v_gsl = dup("2.7");
    r->v_hdf5 = dup("1.10"), r->v_yaml = dup("0.2");
    r->task = sp->task;
    r->target = dup("y");
    r->n_samples = sp->n_pred_rows * sp->n_splits;
    r->n_classes = sp->task == FW_TASK_CLASSIFICATION ? sp->n_classes : 0;
    r->classes = calloc(r->n_classes ? r->n_classes : 1, sizeof *r->classes);
    for (size_t c = 0; c < r->n_classes; c++) {
        char nm[32];
        snprintf(nm, sizeof nm, "class<%zu>", c);
        r->classes[c] = dup(nm);
    }
    r->positive = 1;
    r->features = calloc(1, sizeof *r->features);
    r->n_metrics = 2;
    r->metrics = calloc(2, sizeof *r->metrics);
    r->metrics[0] = dup(sp->task == FW_TASK_CLASSIFICATION ? "accuracy" : "rmse");
    r->metrics[1] = dup("other");
    r->greater_is_better = calloc(2, sizeof(int));
    r->greater_is_better[0] = sp->task == FW_TASK_CLASSIFICATION;
    r->n_splits = sp->n_splits, r->k = sp->n_splits, r->repeats = 1;
    r->n_param_cols = 2;
    r->param_cols = calloc(2, sizeof *r->param_cols);
    r->param_cols[0] = dup("alpha"), r->param_cols[1] = dup("weights");
    r->trials = calloc(sp->n_trials ? sp->n_trials : 1, sizeof *r->trials);
    r->n_trials = sp->n_trials;
    for (size_t i = 0; i < sp->n_trials; i++)
        fill_trial(r, sp, i);
    r->best = sp->n_trials && !sp->nan_scores ? (long)sp->n_trials - 1 : -1;
    r->refit = dup("best");
    r->n_models = sp->n_models;
    r->best_of_model = calloc(sp->n_models ? sp->n_models : 1, sizeof *r->best_of_model);
    for (size_t s = 0; s < sp->n_models; s++)
        r->best_of_model[s] = sp->nan_scores || s >= sp->n_trials ? -1 : (long)s;
    if (r->best >= 0 && sp->n_models)
        r->best_of_model[r->trials[r->best].space] = r->best;
    r->outer = calloc(sp->n_outer ? sp->n_outer : 1, sizeof *r->outer);
    r->n_outer = sp->n_outer;
    for (size_t o = 0; o < sp->n_outer; o++) {
        r->outer[o].split = o;
        r->outer[o].status = o == 0 ? FW_RS_FAILED : FW_RS_OK;
        r->outer[o].test = filled(2, o == 0 || sp->nan_scores ? NAN : 0.7);
        r->outer[o].model = o ? dup("knn") : NULL;
        r->outer[o].params_json = o ? dup("{\"k\": 3}") : NULL;
        r->outer[o].message = o ? NULL : dup("every configuration failed");
    }
    if (sp->n_pred_rows && r->best >= 0)
        fill_preds(r, sp);
    return r;
}

/* Render both reports of sp; check statuses, marks and a few texts. */
static int render(const spec *sp, long *plots, size_t *minp, char **html, char **md)
{
    char dir[256], hp[300], mp[300];
    fw_err e;
    size_t n;
    snprintf(dir, sizeof dir, "%s", fwt_tmpdir());
    snprintf(hp, sizeof hp, "%s/report.html", dir);
    snprintf(mp, sizeof mp, "%s/report.md", dir);
    gsl_set_error_handler_off();
    fw_results *r = build(sp);
    int rc = fw_report_html(r, hp, &e);
    if (!rc)
        rc = fw_report_md(r, mp, &e);
    fw_results_free(r);
    if (rc || fw_read_file(hp, 1u << 26, html, &n, &e) || fw_read_file(mp, 1u << 26, md, &n, &e))
        return 1;
    *plots = check_plots(*html, minp);
    return 0;
}

/* Markup outside tags never holds a raw '<' that is not a tag: the
 * escaping reached every text. Checked on the hostile names we built. */
static int escaped(const char *html)
{
    return !strstr(html, "<built>") && !strstr(html, "<crash>") && !strstr(html, "class<0>") &&
           !strstr(html, "uni<form>") && !strstr(html, "\x01") && !strstr(html, "\xff");
}

#define RENDER(sp)                                                        \
    long plots;                                                           \
    size_t minp;                                                          \
    char *html = NULL, *md = NULL;                                        \
    CHECK_MSG(render(&(sp), &plots, &minp, &html, &md) == 0, "render failed"); \
    CHECK_MSG(plots >= 0, "a plot's data-points differs from its marks")
#define DONE() (free(html), free(md))

static void renders_binary(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_trials = 4, .n_splits = 3, .n_classes = 2,
               .n_models = 2, .n_outer = 3, .n_pred_rows = 20};
    RENDER(sp);
    CHECK(plots >= 6 && minp > 0);
    CHECK(escaped(html));
    CHECK(strstr(html, "id=\"headline-score\">0.6200 \xc2\xb1 0.0100<"));
    CHECK(strstr(md, "0.6200 \xc2\xb1 0.0100"));
    CHECK(strstr(md, "``````yaml") || strstr(md, "````yaml"));
    CHECK(strstr(html, "The run stopped before it finished"));
    DONE();
}

static void renders_zero_trials(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_splits = 3, .n_classes = 2};
    RENDER(sp);
    CHECK(strstr(html, "No configuration could be scored"));
    CHECK(strstr(md, "No configuration has a score"));
    DONE();
}

static void renders_all_nan(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_trials = 5, .n_splits = 3, .n_classes = 3,
               .n_models = 2, .n_outer = 3, .n_pred_rows = 10, .nan_scores = 1};
    RENDER(sp);
    CHECK(strstr(html, "No configuration could be scored") && escaped(html));
    CHECK(strstr(md, "| ridge | failed | ") || strstr(md, "| knn | failed | "));
    DONE();
}

static void renders_one_class(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_trials = 3, .n_splits = 2, .n_classes = 2,
               .n_models = 1, .n_pred_rows = 15, .one_class = 1};
    RENDER(sp);
    CHECK(strstr(html, "needs both classes"));
    DONE();
}

static void renders_nan_predictions(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_trials = 3, .n_splits = 2, .n_classes = 4,
               .n_models = 2, .n_pred_rows = 9, .nan_preds = 1};
    RENDER(sp);
    CHECK(strstr(md, "Confusion matrix of 0 pooled"));
    DONE();
}

static void renders_ten_classes(void)
{
    spec sp = {.task = FW_TASK_CLASSIFICATION, .n_trials = 6, .n_splits = 3, .n_classes = 10,
               .n_models = 2, .n_pred_rows = 50};
    RENDER(sp);
    CHECK(strstr(html, "data-points=\"100\"")); /* the 10 x 10 confusion matrix */
    DONE();
    /* Forty classes: cells too small for numbers, curves for the first 16. */
    spec many = sp;
    many.n_classes = 40;
    char *h2 = NULL, *m2 = NULL;
    CHECK(render(&many, &plots, &minp, &h2, &m2) == 0 && plots >= 0);
    CHECK(strstr(h2, "data-points=\"1600\"") && strstr(h2, "first 16 classes"));
    free(h2);
    free(m2);
}

static void renders_regression(void)
{
    spec sp = {.task = FW_TASK_REGRESSION, .n_trials = 5, .n_splits = 4, .n_models = 2,
               .n_outer = 4, .n_pred_rows = 100};
    RENDER(sp);
    CHECK(strstr(html, "data-points=\"400\"")); /* 400 pooled predictions */
    CHECK(strstr(md, "RMSE"));
    DONE();
    spec nan = sp;
    nan.nan_preds = 1;
    char *h2 = NULL, *m2 = NULL;
    CHECK(render(&nan, &plots, &minp, &h2, &m2) == 0 && plots >= 0);
    CHECK(strstr(m2, "Pooled over 0 predictions: RMSE n/a"));
    free(h2);
    free(m2);
    /* 12000 predictions: every 3rd drawn, 4000 points. */
    spec big = sp;
    big.n_pred_rows = 3000;
    CHECK(render(&big, &plots, &minp, &h2, &m2) == 0 && plots >= 0);
    CHECK(strstr(h2, "data-points=\"4000\"") && strstr(h2, "One prediction in 3 is drawn (4000 of 12000)"));
    free(h2);
    free(m2);
}

FW_TEST_MAIN(T(nice_ticks), T(tick_labels), T(log_axes), T(escaping), T(formatting),
             T(mark_counting), T(renders_binary), T(renders_zero_trials), T(renders_all_nan),
             T(renders_one_class), T(renders_nan_predictions), T(renders_ten_classes),
             T(renders_regression))
