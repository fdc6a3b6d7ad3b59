/* svg.c: a tiny SVG plotting kit for report.html: nice axes (linear, log10,
 * categorical), grid and ticks, points, cells, lines, segments, boxes and a
 * legend, written as inline SVG text.
 *
 * Every data point drawn is one element with class="mark", counted as it is
 * drawn, and the <svg> element says how many in data-points: the tests
 * check one against the other. Only the marks are counted; lines, boxes,
 * grids and labels are decoration. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_int.h"

/* Okabe and Ito's palette, ordered so that neighbours differ in lightness
 * as well as hue; yellow is left out (unreadable on white). */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                      "#56B4E9", "#CC79A7", "#000000", "#999999"};
enum { N_PALETTE = sizeof palette / sizeof palette[0] };
static const char *const dashes[] = {"", "6 3", "2 2", "8 3 2 3"};

const char *fw_svg_colour(int i)
{
    return palette[(i < 0 ? 0 : i) % N_PALETTE];
}

const char *fw_svg_dash(int i)
{
    return dashes[((i < 0 ? 0 : i) / N_PALETTE) % 4];
}

/* ---- axes ---------------------------------------------------------------------- */

/* Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near x. */
static double nicenum(double x, int round)
{
    double ex = floor(log10(x)), f = x / pow(10, ex), nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10, ex);
}

size_t fw_svg_nice(double lo, double hi, size_t target, double *nlo, double *nhi,
                   double *step, double *ticks, size_t cap)
{
    if (!isfinite(lo) || !isfinite(hi) || lo > hi || !isfinite(hi - lo))
        lo = 0, hi = 1;
    if (hi - lo <= 1e-12 * fmax(1, fabs(lo))) {
        double d = lo != 0 ? fabs(lo) * 0.01 : 0.5;
        lo -= d, hi += d;
    }
    if (target < 2)
        target = 2;
    double st = nicenum(nicenum(hi - lo, 0) / (double)(target - 1), 1), g0, g1;
    size_t n;
    for (;;) {
        g0 = floor(lo / st + 1e-9) * st;
        g1 = ceil(hi / st - 1e-9) * st;
        n = (size_t)llround((g1 - g0) / st) + 1;
        if (n <= cap || cap < 2)
            break;
        st = nicenum(st * 2, 1);
    }
    *nlo = g0, *nhi = g1, *step = st;
    for (size_t i = 0; i < n && i < cap; i++) {
        double t = g0 + (double)i * st;
        ticks[i] = fabs(t) < st * 1e-9 ? 0 : t;
    }
    return n < cap ? n : cap;
}

static void axis_log(fw_svg_axis *a, double lo, double hi)
{
    int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
    if (e1 <= e0)
        e1 = e0 + 1;
    int every = (e1 - e0 + 7) / 8;
    a->lo = pow(10, e0), a->hi = pow(10, e1), a->step = every;
    for (int k = e0; k <= e1 && a->n_ticks < FW_SVG_MAX_TICKS; k += every)
        a->ticks[a->n_ticks++] = pow(10, k);
    for (int k = e0; e1 - e0 <= 3 && k < e1; k++)
        for (int m = 2; m <= 9 && a->n_minor < 64; m++)
            a->minor[a->n_minor++] = m * pow(10, k);
}

void fw_svg_axis_num(fw_svg_axis *a, const char *label, double lo, double hi, int log)
{
    memset(a, 0, sizeof *a);
    a->label = label;
    if (log && isfinite(lo) && isfinite(hi) && lo > 0 && hi >= lo) {
        a->log = 1;
        axis_log(a, lo, hi);
        return;
    }
    a->n_ticks = fw_svg_nice(lo, hi, 6, &a->lo, &a->hi, &a->step, a->ticks, FW_SVG_MAX_TICKS);
}

void fw_svg_axis_cat(fw_svg_axis *a, const char *label, const char *const *cats, size_t n)
{
    memset(a, 0, sizeof *a);
    a->label = label;
    a->cats = n ? cats : NULL; /* no category: one empty slot */
    a->n_cats = n ? n : 1;
    a->lo = -0.5, a->hi = (double)a->n_cats - 0.5;
}

void fw_svg_tick_text(const fw_svg_axis *a, double v, char *buf, size_t n)
{
    if (a->log) {
        int k = (int)lround(log10(v));
        if (k >= 0 && k <= 4)
            snprintf(buf, n, "%.0f", pow(10, k));
        else if (k < 0 && k >= -3)
            snprintf(buf, n, "%.*f", -k, pow(10, k));
        else
            snprintf(buf, n, "1e%d", k);
        return;
    }
    int dec = a->step >= 1 || a->step <= 0 ? 0 : (int)ceil(-log10(a->step) - 1e-9);
    if (fabs(v) >= 1e6 || dec > 8)
        snprintf(buf, n, "%.3g", v);
    else
        snprintf(buf, n, "%.*f", dec, v);
}

void fw_svg_extend(double *lo, double *hi, const double *v, size_t n, size_t stride, int pos)
{
    for (size_t i = 0; v && i < n; i++) {
        double x = v[i * stride];
        if (!isfinite(x) || (pos && x <= 0))
            continue;
        if (x < *lo)
            *lo = x;
        if (x > *hi)
            *hi = x;
    }
}

/* ---- geometry ------------------------------------------------------------------ */

/* Characters of a UTF-8 string (for label widths and clipping). */
static size_t u8len(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t zmin(size_t a, size_t b)
{
    return a < b ? a : b;
}

static size_t zmax(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* s cut to max characters, with an ellipsis when cut. */
static void clip(const char *s, size_t max, char *buf, size_t n)
{
    size_t chars = 0, i = 0;
    if (!s)
        s = "";
    if (u8len(s) <= max) {
        snprintf(buf, n, "%s", s);
        return;
    }
    for (; s[i] && i + 4 < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > (max > 1 ? max - 1 : 1))
            break;
        buf[i] = s[i];
    }
    snprintf(buf + i, n - i, "\xe2\x80\xa6");
}

/* Where v lies on a continuous axis, 0 at lo and 1 at hi. */
static double axis_frac(const fw_svg_axis *a, double v)
{
    if (a->log)
        return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    return (v - a->lo) / (a->hi - a->lo);
}

double fw_svg_px(const fw_svg *s, double x)
{
    double w = s->right - s->left;
    if (s->x.n_cats)
        return s->left + (x + 0.5) * w / (double)s->x.n_cats;
    return s->left + s->pad + axis_frac(&s->x, x) * (w - 2 * s->pad);
}

double fw_svg_py(const fw_svg *s, double y)
{
    double h = s->bottom - s->top;
    if (s->y.n_cats)
        return s->top + (y + 0.5) * h / (double)s->y.n_cats;
    return s->bottom - s->pad - axis_frac(&s->y, y) * (h - 2 * s->pad);
}

void fw_svg_begin(fw_svg *s, int w, int h, const char *title)
{
    memset(s, 0, sizeof *s);
    fw_sb_init(&s->body);
    s->w = w, s->h = h, s->pad = 8;
    snprintf(s->title, sizeof s->title, "%s", title ? title : "");
}

static void text_at(fw_svg *s, double x, double y, const char *anchor, const char *attrs,
                    const char *txt)
{
    fw_sb_printf(&s->body, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor,
                 attrs);
    fw_rep_xml(&s->body, txt);
    fw_sb_append(&s->body, "</text>\n");
}

/* Characters a category label of axis a shows. */
static size_t cat_clip(const fw_svg_axis *a)
{
    return a->clip ? a->clip : 16;
}

/* Widest tick label of the y axis, in characters. */
static size_t y_label_chars(const fw_svg *s)
{
    size_t m = 1;
    char buf[64];
    for (size_t i = 0; i < s->y.n_cats && s->y.cats; i++)
        m = zmax(m, zmin(u8len(s->y.cats[i]), cat_clip(&s->y)));
    for (size_t i = 0; !s->y.n_cats && i < s->y.n_ticks; i++) {
        fw_svg_tick_text(&s->y, s->y.ticks[i], buf, sizeof buf);
        m = zmax(m, u8len(buf));
    }
    return m;
}

/* Categorical x labels are turned when they would not fit their slots. */
static int x_labels_turned(const fw_svg *s, double plot_w)
{
    size_t m = 0;
    for (size_t i = 0; i < s->x.n_cats && s->x.cats; i++)
        m = zmax(m, zmin(u8len(s->x.cats[i]), cat_clip(&s->x)));
    return s->x.n_cats && (double)m * 6.5 > plot_w / (double)s->x.n_cats - 4;
}

/* Label every k-th category so that labels stay 13 pixels apart. */
static size_t cat_every(size_t n_cats, double span)
{
    if (n_cats == 0 || span <= 0)
        return 1;
    double slot = span / (double)n_cats;
    return slot >= 13 ? 1 : (size_t)ceil(13 / slot);
}

/* The i-th label of an axis (category name or tick) into buf; returns
 * its data value. */
static double axis_label(const fw_svg_axis *a, size_t i, char *buf, size_t n)
{
    if (a->n_cats) {
        clip(a->cats ? a->cats[i] : "", cat_clip(a), buf, n);
        return (double)i;
    }
    fw_svg_tick_text(a, a->ticks[i], buf, n);
    return a->ticks[i];
}

/* A grid line across the plot area at pixel pos (vertical: an x position). */
static void grid_line(fw_svg *s, int vertical, double pos, const char *colour)
{
    fw_sb_printf(&s->body, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                 "stroke=\"%s\"/>\n", vertical ? pos : s->left, vertical ? pos : s->right,
                 vertical ? s->top : pos, vertical ? s->bottom : pos, colour);
}

static void frame_y(fw_svg *s)
{
    char buf[64];
    for (size_t i = 0; i < s->y.n_minor; i++)
        grid_line(s, 0, fw_svg_py(s, s->y.minor[i]), "#f0f0f0");
    size_t n = s->y.n_cats ? s->y.n_cats : s->y.n_ticks;
    size_t every = cat_every(s->y.n_cats, s->bottom - s->top);
    for (size_t i = 0; i < n; i += every) {
        double py = fw_svg_py(s, axis_label(&s->y, i, buf, sizeof buf));
        if (!s->y.n_cats)
            grid_line(s, 0, py, "#e4e4e4");
        text_at(s, s->left - 6, py + 4, "end", "font-size=\"11\" fill=\"#444\"", buf);
    }
    double cy = (s->top + s->bottom) / 2;
    fw_sb_printf(&s->body, "<text transform=\"translate(14,%.1f) rotate(-90)\" "
                 "text-anchor=\"middle\" font-size=\"12\" fill=\"#222\">", cy);
    fw_rep_xml(&s->body, s->y.label);
    fw_sb_append(&s->body, "</text>\n");
}

static void frame_x(fw_svg *s, int turned)
{
    char buf[64];
    for (size_t i = 0; i < s->x.n_minor; i++)
        grid_line(s, 1, fw_svg_px(s, s->x.minor[i]), "#f0f0f0");
    size_t n = s->x.n_cats ? s->x.n_cats : s->x.n_ticks;
    size_t every = turned ? cat_every(s->x.n_cats, s->right - s->left) : 1;
    for (size_t i = 0; i < n; i += every) {
        double px = fw_svg_px(s, axis_label(&s->x, i, buf, sizeof buf));
        if (!s->x.n_cats)
            grid_line(s, 1, px, "#e4e4e4");
        if (turned) {
            fw_sb_printf(&s->body, "<text transform=\"translate(%.1f,%.1f) rotate(-35)\" "
                         "text-anchor=\"end\" font-size=\"11\" fill=\"#444\">",
                         px + 3, s->bottom + 14);
            fw_rep_xml(&s->body, buf);
            fw_sb_append(&s->body, "</text>\n");
        } else {
            text_at(s, px, s->bottom + 16, "middle", "font-size=\"11\" fill=\"#444\"", buf);
        }
    }
    text_at(s, (s->left + s->right) / 2, s->h - 8, "middle", "font-size=\"12\" fill=\"#222\"",
            s->x.label);
}

void fw_svg_frame(fw_svg *s)
{
    s->top = 30;
    s->left = 22 + 6.5 * (double)y_label_chars(s) + 8;
    s->right = s->w - 16 - s->legend_w;
    int turned = x_labels_turned(s, s->right - s->left);
    s->bottom = s->h - (turned ? 84 : 42);
    text_at(s, s->left, 18, "start", "font-size=\"13\" font-weight=\"600\" fill=\"#111\"",
            s->title);
    frame_y(s);
    frame_x(s, turned);
    fw_sb_printf(&s->body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"none\" stroke=\"#aaa\"/>\n", s->left, s->top, s->right - s->left,
                 s->bottom - s->top);
}

/* ---- marks and decoration --------------------------------------------------------- */

static int on_axis(const fw_svg_axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0);
}

static void tip_close(fw_svg *s, const char *tip, const char *tag)
{
    if (tip && *tip) {
        fw_sb_append(&s->body, "><title>");
        fw_rep_xml(&s->body, tip);
        fw_sb_printf(&s->body, "</title></%s>\n", tag);
    } else {
        fw_sb_append(&s->body, "/>\n");
    }
}

int fw_svg_point(fw_svg *s, double x, double y, int colour, int shape, double r,
                 const char *tip)
{
    if (!on_axis(&s->x, x) || !on_axis(&s->y, y))
        return 0;
    double px = fw_svg_px(s, x), py = fw_svg_py(s, y);
    const char *c = fw_svg_colour(colour);
    if (shape == FW_SVG_DIAMOND) {
        fw_sb_printf(&s->body, "<path class=\"mark\" d=\"M%.1f %.1fl%.1f %.1fl%.1f %.1fl%.1f "
                     "%.1fz\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.6\"", px, py - r,
                     r, r, -r, r, -r, -r, c);
        tip_close(s, tip, "path");
    } else {
        fw_sb_printf(&s->body, "<circle class=\"mark\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" ",
                     px, py, r);
        if (shape == FW_SVG_RING)
            fw_sb_printf(&s->body, "fill=\"#fff\" stroke=\"%s\" stroke-width=\"1.4\"", c);
        else if (s->alpha > 0)
            fw_sb_printf(&s->body, "fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"%s\" "
                         "stroke-width=\"0.5\"", c, s->alpha, c);
        else
            fw_sb_printf(&s->body, "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.6\"", c);
        tip_close(s, tip, "circle");
    }
    s->marks++;
    return 1;
}

int fw_svg_cell(fw_svg *s, double x0, double y0, double x1, double y1, const char *fill,
                const char *label, const char *label_fill, const char *tip)
{
    if (!on_axis(&s->x, x0) || !on_axis(&s->x, x1) || !on_axis(&s->y, y0) ||
        !on_axis(&s->y, y1))
        return 0;
    double a = fw_svg_px(s, x0), b = fw_svg_px(s, x1);
    double c = fw_svg_py(s, y0), d = fw_svg_py(s, y1);
    fw_sb_printf(&s->body, "<rect class=\"mark\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%.1f\" fill=\"%s\" stroke=\"#fff\"", fmin(a, b), fmin(c, d),
                 fabs(b - a), fabs(d - c), fill);
    tip_close(s, tip, "rect");
    s->marks++;
    if (label && *label && fabs(d - c) >= 14 && fabs(b - a) >= 8 * (double)u8len(label)) {
        double fs = fmin(13, fmax(8, fabs(d - c) * 0.4));
        char attrs[96];
        snprintf(attrs, sizeof attrs, "font-size=\"%.0f\" fill=\"%s\"", fs,
                 label_fill ? label_fill : "#111");
        text_at(s, (a + b) / 2, (c + d) / 2 + fs * 0.35, "middle", attrs, label);
    }
    return 1;
}

void fw_svg_line(fw_svg *s, const double *x, const double *y, size_t n, int colour,
                 double width)
{
    int open = 0;
    double lx = 0, ly = 0;
    for (size_t i = 0; i <= n; i++) {
        int ok = i < n && on_axis(&s->x, x[i]) && on_axis(&s->y, y[i]);
        if (!ok && open) {
            fw_sb_append(&s->body, "\"/>\n");
            open = 0;
        }
        if (!ok)
            continue;
        double px = fw_svg_px(s, x[i]), py = fw_svg_py(s, y[i]);
        /* Vertices closer than a third of a pixel add bytes, not detail. */
        if (open && i + 1 < n && fabs(px - lx) < 0.3 && fabs(py - ly) < 0.3)
            continue;
        if (!open) {
            fw_sb_printf(&s->body, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" "
                         "stroke-dasharray=\"%s\" stroke-linejoin=\"round\" points=\"",
                         fw_svg_colour(colour), width, fw_svg_dash(colour));
            open = 1;
        }
        fw_sb_printf(&s->body, "%.1f,%.1f ", px, py);
        lx = px, ly = py;
    }
}

void fw_svg_seg(fw_svg *s, double x0, double y0, double x1, double y1, const char *stroke,
                double width, const char *dash)
{
    if (!on_axis(&s->x, x0) || !on_axis(&s->x, x1) || !on_axis(&s->y, y0) ||
        !on_axis(&s->y, y1))
        return;
    fw_sb_printf(&s->body, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                 "stroke=\"%s\" stroke-width=\"%.1f\" stroke-dasharray=\"%s\"/>\n",
                 fw_svg_px(s, x0), fw_svg_py(s, y0), fw_svg_px(s, x1), fw_svg_py(s, y1),
                 stroke, width, dash ? dash : "");
}

static int band_ok(const fw_svg *s, double x, double lo, double hi)
{
    return on_axis(&s->x, x) && on_axis(&s->y, lo) && on_axis(&s->y, hi);
}

/* The run [i, j) of finite points as one polygon: along hi, back along lo. */
static void band_run(fw_svg *s, const double *x, const double *lo, const double *hi, size_t i,
                     size_t j, const char *c, double opacity)
{
    fw_sb_printf(&s->body, "<polygon fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" "
                 "points=\"", c, opacity);
    for (size_t k = i; k < j; k++)
        fw_sb_printf(&s->body, "%.1f,%.1f ", fw_svg_px(s, x[k]), fw_svg_py(s, hi[k]));
    for (size_t k = j; k-- > i;)
        fw_sb_printf(&s->body, "%.1f,%.1f ", fw_svg_px(s, x[k]), fw_svg_py(s, lo[k]));
    fw_sb_append(&s->body, "\"/>\n");
}

void fw_svg_band(fw_svg *s, const double *x, const double *lo, const double *hi, size_t n,
                 int colour, double opacity)
{
    const char *c = fw_svg_colour(colour);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && band_ok(s, x[j], lo[j], hi[j]))
            j++;
        if (j - i >= 2)
            band_run(s, x, lo, hi, i, j, c, opacity);
        else if (j - i == 1)
            fw_svg_seg(s, x[i], lo[i], x[i], hi[i], c, 1.5, NULL);
        i = j + 1;
    }
}

void fw_svg_box(fw_svg *s, double x0, double y0, double x1, double y1, const char *stroke,
                const char *fill)
{
    if (!on_axis(&s->x, x0) || !on_axis(&s->x, x1) || !on_axis(&s->y, y0) ||
        !on_axis(&s->y, y1))
        return;
    double a = fw_svg_px(s, x0), b = fw_svg_px(s, x1);
    double c = fw_svg_py(s, y0), d = fw_svg_py(s, y1);
    fw_sb_printf(&s->body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"%s\" stroke=\"%s\"/>\n", fmin(a, b), fmin(c, d), fabs(b - a),
                 fabs(d - c), fill, stroke);
}

/* Where the legend goes: the right margin when one was kept, else a boxed
 * corner of the plot area (s->legend_at). */
static void legend_origin(fw_svg *s, const char *const *names, size_t n, double *x,
                          double *y)
{
    if (s->legend_w) {
        *x = s->right + 14, *y = s->top + 6;
        return;
    }
    size_t chars = 4;
    for (size_t i = 0; i < n; i++)
        chars = zmax(chars, zmin(u8len(names[i]), 30));
    double w = 40 + 6.4 * (double)chars, h = 18 * (double)n + 6;
    *x = s->legend_at == FW_SVG_BOTTOM_LEFT || s->legend_at == FW_SVG_TOP_LEFT
             ? s->left + 8 : s->right - 8 - w;
    *y = s->legend_at == FW_SVG_BOTTOM_LEFT || s->legend_at == FW_SVG_BOTTOM_RIGHT
             ? s->bottom - 8 - h : s->top + 8;
    fw_sb_printf(&s->body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n", *x, *y, w, h);
    *x += 6, *y += 4;
}

void fw_svg_legend(fw_svg *s, const char *const *names, const int *colours,
                   const int *shapes, size_t n)
{
    double x, y;
    char buf[96];
    if (!n)
        return;
    legend_origin(s, names, n, &x, &y);
    size_t max = s->legend_w > 70 ? (size_t)((s->legend_w - 44) / 6.5) : 30;
    for (size_t i = 0; i < n && y < s->h - 10; i++, y += 18) {
        const char *c = fw_svg_colour(colours[i]);
        fw_sb_printf(&s->body, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n",
                     x, y + 6, x + 22, y + 6, c, fw_svg_dash(colours[i]));
        int sh = shapes ? shapes[i] : FW_SVG_DOT;
        fw_sb_printf(&s->body, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" "
                     "stroke=\"%s\" stroke-width=\"1.4\"/>\n", x + 11, y + 6,
                     sh == FW_SVG_RING ? "#fff" : c, c);
        clip(names[i], max, buf, sizeof buf);
        text_at(s, x + 28, y + 10, "start", "font-size=\"11\" fill=\"#222\"", buf);
    }
}

void fw_svg_note(fw_svg *s, const char *text)
{
    text_at(s, (s->left + s->right) / 2, (s->top + s->bottom) / 2, "middle",
            "font-size=\"13\" fill=\"#777\"", text);
}

void fw_svg_end(fw_svg *s, fw_sb *out)
{
    fw_sb_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-points=\"%zu\" "
                 "aria-label=\"", s->w, s->h, s->w, s->h, s->marks);
    fw_rep_xml(out, s->title);
    fw_sb_append(out, "\">\n<title>");
    fw_rep_xml(out, s->title);
    fw_sb_append(out, "</title>\n");
    if (s->body.s)
        fw_sb_appendn(out, s->body.s, s->body.len);
    if (s->body.oom)
        out->oom = 1;
    fw_sb_append(out, "</svg>\n");
    fw_sb_free(&s->body);
}
