/* synth.c: synthetic data for `foldwise make-data`.
 *
 * Classification follows the recipe of scikit-learn's make_classification
 * (without copying its code): each class owns clusters centred on distinct
 * vertices of a hypercube of side 2 in the informative subspace; a cluster
 * is standard Gaussian noise through a random linear map plus its centroid.
 * Redundant features are random linear combinations of the informative ones,
 * the rest is N(0,1) noise, and a fraction flip_y of labels is redrawn
 * uniformly. Regression is a linear model with coefficients 100*U(0,1) on
 * the informative features plus N(0, noise^2) noise (make_regression's
 * recipe). Columns are not shuffled: informative first, then redundant, then
 * noise (scikit-learn with shuffle=False). Rows are in random cluster order.
 *
 * Two random streams: fw_rng_alloc(seed, 1) draws the model (centroids,
 * maps, coefficients), fw_rng_alloc(seed, 2) the rows, so the same seed with
 * more rows keeps the same model.
 *
 * Output is CSV `x0..x{F-1},y` with 6 significant digits (synth_fmt): exact
 * enough for synthetic data, and several times faster than printf, so a
 * 200,000 x 100 file is written in a couple of seconds. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "data_int.h"

#define SYNTH_CLUSTERS_PER_CLASS 2
#define SYNTH_OUTBUF (1 << 20)

void fw_synth_opts_init(fw_synth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->kind = "classification";
    o->informative = FW_SYNTH_DEFAULT;
    o->redundant = FW_SYNTH_DEFAULT;
    o->classes = 2;
    o->flip_y = 0.01;
    o->noise = 1.0;
}

/* The generator's model: everything drawn before the first row. */
typedef struct synth_model {
    size_t F, inf, red, classes, clusters;
    double *centroid;  /* clusters x inf */
    double *map;       /* clusters x inf x inf: z -> z * A_k */
    double *mix;       /* inf x red: redundant = x_inf * B */
    double *coef;      /* regression: inf coefficients */
} synth_model;

static void model_free(synth_model *m)
{
    free(m->centroid);
    free(m->map);
    free(m->mix);
    free(m->coef);
}

/* Random bits of a vertex; retried until it differs from the earlier ones. */
static void draw_vertices(gsl_rng *r, synth_model *m)
{
    for (size_t k = 0; k < m->clusters; k++) {
        double *c = m->centroid + k * m->inf;
        for (int again = 1; again;) {
            for (size_t d = 0; d < m->inf; d++)
                c[d] = gsl_rng_uniform_int(r, 2) ? 1.0 : -1.0;
            again = 0;
            for (size_t q = 0; q < k && !again; q++)
                again = memcmp(c, m->centroid + q * m->inf, m->inf * sizeof *c) == 0;
        }
    }
}

static int model_draw(gsl_rng *r, const fw_synth_opts *o, synth_model *m)
{
    size_t inf = m->inf;
    if (strcmp(o->kind, "regression") == 0) {
        if (!(m->coef = malloc(inf * sizeof *m->coef)))
            return FW_ENOMEM;
        for (size_t d = 0; d < inf; d++)
            m->coef[d] = 100.0 * gsl_rng_uniform(r);
        return FW_OK;
    }
    m->centroid = malloc(m->clusters * inf * sizeof *m->centroid);
    m->map = malloc(m->clusters * inf * inf * sizeof *m->map);
    m->mix = malloc((inf * m->red + 1) * sizeof *m->mix);
    if (!m->centroid || !m->map || !m->mix)
        return FW_ENOMEM;
    draw_vertices(r, m);
    for (size_t i = 0; i < m->clusters * inf * inf; i++)
        m->map[i] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t i = 0; i < inf * m->red; i++)
        m->mix[i] = 2.0 * gsl_rng_uniform(r) - 1.0;
    return FW_OK;
}

/* Decimal text of v with 6 significant digits, no exponent for the usual
 * range; returns the length. Rounding goes through one multiplication by a
 * power of ten, so the last digit can differ from printf's in rare ties. */
static size_t synth_fmt(char *out, double v)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    char *p = out;
    if (v == 0)
        return (size_t)(*out = '0', 1);
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e14))
        return (size_t)snprintf(out, 32, "%.6g", v);
    if (v < 0)
        *p++ = '-';
    int e = 0;  /* a in [10^e, 10^(e+1)) */
    while (e < 14 && a >= p10[e + 1])
        e++;
    while (e > -5 && a < (e >= 0 ? p10[e] : 1.0 / p10[-e]))
        e--;
    double scaled = 5 - e >= 0 ? a * p10[5 - e] : a / p10[e - 5];
    long long m = llround(scaled);
    if (m >= 1000000) {
        m /= 10;
        e++;
    }
    char dig[6];
    for (int i = 5; i >= 0; i--, m /= 10)
        dig[i] = (char)('0' + m % 10);
    int last = 5;  /* last significant digit after the point, trimmed */
    while (last > 0 && dig[last] == '0' && last > e)
        last--;
    if (e < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int z = -1; z > e; z--)
            *p++ = '0';
        for (int i = 0; i <= last; i++)
            *p++ = dig[i];
        return (size_t)(p - out);
    }
    for (int i = 0; i <= e; i++)
        *p++ = i < 6 ? dig[i] : '0';
    if (last > e) {
        *p++ = '.';
        for (int i = e + 1; i <= last; i++)
            *p++ = dig[i];
    }
    return (size_t)(p - out);
}

typedef struct synth_out {
    FILE *f;
    char *buf;
    size_t n;
    int err;
} synth_out;

static void out_flush(synth_out *w)
{
    if (w->n && fwrite(w->buf, 1, w->n, w->f) != w->n)
        w->err = 1;
    w->n = 0;
}

static void out_num(synth_out *w, double v, char sep)
{
    if (w->n > SYNTH_OUTBUF - 64)
        out_flush(w);
    w->n += synth_fmt(w->buf + w->n, v);
    w->buf[w->n++] = sep;
}

static void out_text(synth_out *w, const char *s)
{
    size_t k = strlen(s);
    if (w->n + k > SYNTH_OUTBUF)
        out_flush(w);
    memcpy(w->buf + w->n, s, k);
    w->n += k;
}

/* One classification row into x (F values); returns the label. */
static double class_row(gsl_rng *r, const synth_model *m, size_t cluster, double flip,
                        double *z, double *x)
{
    size_t inf = m->inf;
    const double *A = m->map + cluster * inf * inf, *c = m->centroid + cluster * inf;
    for (size_t d = 0; d < inf; d++)
        z[d] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (size_t d = 0; d < inf; d++) {
        double s = c[d];
        for (size_t q = 0; q < inf; q++)
            s += z[q] * A[q * inf + d];
        x[d] = s;
    }
    for (size_t k = 0; k < m->red; k++) {
        double s = 0;
        for (size_t d = 0; d < inf; d++)
            s += x[d] * m->mix[d * m->red + k];
        x[inf + k] = s;
    }
    for (size_t j = inf + m->red; j < m->F; j++)
        x[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
    size_t label = cluster % m->classes;
    if (flip > 0 && gsl_rng_uniform(r) < flip)
        label = (size_t)gsl_rng_uniform_int(r, (unsigned long)m->classes);
    return (double)label;
}

static double regression_row(gsl_rng *r, const synth_model *m, double noise, double *x)
{
    double y = 0;
    for (size_t j = 0; j < m->F; j++) {
        x[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
        if (j < m->inf)
            y += m->coef[j] * x[j];
    }
    return y + (noise > 0 ? gsl_ran_gaussian_ziggurat(r, noise) : 0.0);
}

/* Balanced cluster of each row (the first clusters take the remainder), in
 * random order. */
static size_t *cluster_order(gsl_rng *r, size_t rows, size_t clusters)
{
    size_t *k = malloc((rows ? rows : 1) * sizeof *k);
    if (!k)
        return NULL;
    for (size_t i = 0; i < rows; i++)
        k[i] = i % clusters;
    fw_shuffle(r, k, rows);
    return k;
}

static int write_rows(synth_out *w, const fw_synth_opts *o, const synth_model *m,
                      gsl_rng *r, fw_err *e)
{
    int cls = strcmp(o->kind, "regression") != 0;
    double *x = malloc((m->F + m->inf) * sizeof *x);
    size_t *order = cls ? cluster_order(r, o->rows, m->clusters) : NULL;
    if (!x || (cls && !order)) {
        free(x);
        free(order);
        return fw_err_set(e, FW_ENOMEM, "make-data: out of memory");
    }
    char name[32];
    for (size_t j = 0; j < m->F; j++) {
        snprintf(name, sizeof name, "x%zu,", j);
        out_text(w, name);
    }
    out_text(w, "y\n");
    for (size_t i = 0; i < o->rows && !w->err; i++) {
        double y = cls ? class_row(r, m, order[i], o->flip_y, x + m->F, x)
                       : regression_row(r, m, o->noise, x);
        for (size_t j = 0; j < m->F; j++)
            out_num(w, x[j], ',');
        out_num(w, y, '\n');
    }
    free(x);
    free(order);
    return FW_OK;
}

/* Resolve defaults and check the options; fills the model's sizes. */
static int synth_check(const fw_synth_opts *o, synth_model *m, fw_err *e)
{
    if (!o->kind || (strcmp(o->kind, "classification") && strcmp(o->kind, "regression")))
        return fw_err_set(e, FW_EINVAL, "make-data: unknown kind '%s' (classification, "
                          "regression)", o->kind ? o->kind : "");
    if (o->rows < 1 || o->features < 1)
        return fw_err_set(e, FW_EINVAL, "make-data: --rows and --features must be at least 1");
    size_t F = o->features, q = F / 4 > 2 ? F / 4 : 2;
    m->F = F;
    m->inf = o->informative && o->informative != FW_SYNTH_DEFAULT ? o->informative
                                                                 : (q < F ? q : F);
    if (m->inf > F)
        return fw_err_set(e, FW_EINVAL, "make-data: informative (%zu) exceeds features (%zu)",
                          m->inf, F);
    m->red = o->redundant == FW_SYNTH_NONE ? 0
             : o->redundant && o->redundant != FW_SYNTH_DEFAULT
                 ? o->redundant
                 : (F - m->inf < m->inf / 2 ? F - m->inf : m->inf / 2);
    if (m->inf + m->red > F)
        return fw_err_set(e, FW_EINVAL, "make-data: informative + redundant (%zu) exceeds "
                          "features (%zu)", m->inf + m->red, F);
    m->classes = o->classes ? o->classes : 2;
    if (strcmp(o->kind, "regression") == 0)
        return FW_OK;
    if (m->classes < 2)
        return fw_err_set(e, FW_EINVAL, "make-data: classes must be at least 2");
    if (!(o->flip_y >= 0 && o->flip_y <= 1))
        return fw_err_set(e, FW_EINVAL, "make-data: flip_y must be in [0, 1]");
    /* 2 clusters per class when the hypercube has room, else 1. */
    double vertices = ldexp(1.0, m->inf > 60 ? 60 : (int)m->inf);
    m->clusters = m->classes * SYNTH_CLUSTERS_PER_CLASS;
    if ((double)m->clusters > vertices)
        m->clusters = m->classes;
    if ((double)m->clusters > vertices)
        return fw_err_set(e, FW_EINVAL, "make-data: %zu classes need at least %zu informative "
                          "features (2^informative >= classes)", m->classes,
                          (size_t)ceil(log2((double)m->classes)));
    return FW_OK;
}

int fw_synth_write(const fw_synth_opts *o, const char *path, fw_err *e)
{
    synth_model m = {0};
    synth_out w = {0};
    gsl_rng *rm = NULL, *rr = NULL;
    int created = 0;
    int rc = synth_check(o, &m, e);
    if (rc)
        return rc;
    rm = fw_rng_alloc(o->seed, 1);
    rr = fw_rng_alloc(o->seed, 2);
    w.buf = malloc(SYNTH_OUTBUF);
    if (!rm || !rr || !w.buf || model_draw(rm, o, &m)) {
        rc = fw_err_set(e, FW_ENOMEM, "make-data: out of memory");
        goto cleanup;
    }
    if (!(w.f = fopen(path, "wb"))) {
        rc = fw_err_at(e, FW_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto cleanup;
    }
    created = 1;
    if ((rc = write_rows(&w, o, &m, rr, e)))
        goto cleanup;
    out_flush(&w);
    if (fclose(w.f) != 0)
        w.err = 1;
    w.f = NULL;
    if (w.err)
        rc = fw_err_at(e, FW_EIO, path, 0, 0, "write failed (disk full?)");
cleanup:
    if (w.f)
        fclose(w.f);
    if (rc && created)
        remove(path);
    free(w.buf);
    model_free(&m);
    gsl_rng_free(rm);
    gsl_rng_free(rr);
    return rc;
}
