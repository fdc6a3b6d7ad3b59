/* space.c: building a parameter space from what the config wrote (model and
 * parameter names, values, distributions, sequences), and walking it:
 * counting, enumerating in grid order and drawing random points.
 *
 * Every rule the schema can express is checked here once, with the
 * config's line and column, so that strategies only ever see valid
 * values. Sequences follow numpy: {linspace: [a, b, n]} is
 * numpy.linspace(a, b, n) and {logspace: [a, b, n]} is numpy.geomspace(a,
 * b, n) (bounds are values, not exponents; both ends exact). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_int.h"

const char *const fw_dist_names[] = {"fixed", "choice", "uniform", "loguniform",
                                     "int",   "logint", "linspace", "logspace", NULL};

/* Sequences longer than this are surely a typo (a grid refuses them through
 * max_grid anyway). */
#define FW_SEQ_MAX 1000000L
/* Integers beyond 2^53 are not all representable as doubles. */
#define FW_INT_MAX 9007199254740992.0

static const char *space_model_name(const fw_space *s)
{
    if (s->model)
        return s->model->name;
    return s->model_name ? s->model_name : "?";
}

/* An error at the dim's position, naming model and parameter. */
static int dim_fail(fw_err *e, const fw_space *s, const fw_dim *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int dim_fail(fw_err *e, const fw_space *s, const fw_dim *d, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fw_err_at(e, FW_EINVAL, s->file, d->line, d->col, "%s: %s: %s", space_model_name(s),
                     d->name, msg);
}

/* Re-anchor an error from the schema helpers (which already name model and
 * parameter) at the dim's position, with an optional lead-in. */
static int dim_rethrow(fw_err *e, const fw_space *s, const fw_dim *d, const fw_err *inner,
                       const char *lead)
{
    return fw_err_at(e, inner->code ? inner->code : FW_EINVAL, s->file, d->line, d->col, "%s%s",
                     lead ? lead : "", inner->msg);
}

/* A comma-separated list of names into buf. */
static void join_names(const char *const *names, size_t n, char *buf, size_t cap)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && off < cap; i++) {
        int k = snprintf(buf + off, cap - off, "%s%s", off ? ", " : "", names[i]);
        if (k < 0)
            break;
        off += (size_t)k;
    }
}

static int resolve_model(fw_space *s, fw_err *e)
{
    if (s->model)
        return FW_OK;
    if (!s->model_name)
        return fw_err_at(e, FW_EINVAL, s->file, s->line, s->col, "a model needs a name");
    s->model = fw_model_find(s->model_name);
    if (s->model)
        return FW_OK;
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; fw_models[i] && n < 256; i++)
        if (!(fw_models[i]->caps & FW_CAP_TEST_ONLY))
            names[n++] = fw_models[i]->name;
    char list[2048];
    join_names(names, n, list, sizeof list);
    const char *sug = fw_suggest(s->model_name, names, n);
    return fw_err_at(e, FW_EINVAL, s->file, s->line, s->col,
                     "unknown model '%s'%s%s%s; known models: %s", s->model_name,
                     sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "", list);
}

static int resolve_param(const fw_space *s, fw_dim *d, fw_err *e)
{
    const fw_model_type *m = s->model;
    long idx = d->name ? fw_param_index(m, d->name) : -1;
    if (idx >= 0) {
        d->param = (size_t)idx;
        return FW_OK;
    }
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; i < m->n_params && n < 256; i++)
        names[n++] = m->params[i].name;
    char list[2048];
    join_names(names, n, list, sizeof list);
    const char *sug = d->name ? fw_suggest(d->name, names, n) : NULL;
    return fw_err_at(e, FW_EINVAL, s->file, d->line, d->col,
                     "%s has no parameter '%s'%s%s%s; its parameters: %s", m->name,
                     d->name ? d->name : "", sug ? " (did you mean '" : "", sug ? sug : "",
                     sug ? "'?)" : "", n ? list : "(none)");
}

/* FIXED and CHOICE: parse every text with the schema; refuse repeats. */
static int build_texts(const fw_space *s, fw_dim *d, fw_err *e)
{
    if (d->kind == FW_DIST_FIXED && d->n_texts != 1)
        return dim_fail(e, s, d, "a fixed value needs exactly one value, got %zu", d->n_texts);
    if (d->n_texts == 0)
        return dim_fail(e, s, d, "an empty list of choices");
    d->values = calloc(d->n_texts, sizeof *d->values);
    if (!d->values)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n_texts; i++) {
        fw_err inner = {0};
        if (fw_param_parse(s->model, d->param, d->texts[i] ? d->texts[i] : "", &d->values[i],
                           &inner))
            return dim_rethrow(e, s, d, &inner, NULL);
        for (size_t j = 0; j < i; j++)
            if (fw_pval_same(&d->values[i], &d->values[j]))
                return dim_fail(e, s, d, "'%s' is listed twice", d->texts[i]);
        d->n_values++;
    }
    return FW_OK;
}

/* A bound of a distribution or sequence against the schema. */
static int check_bound(const fw_space *s, const fw_dim *d, double x, const char *which, fw_err *e)
{
    fw_pval v = {.num = x, .choice = -1};
    fw_err inner = {0};
    if (fw_param_check_value(s->model, d->param, &v, &inner) == FW_OK)
        return FW_OK;
    char lead[96];
    snprintf(lead, sizeof lead, "{%s: ...} %s: ", fw_dist_names[d->kind], which);
    return dim_rethrow(e, s, d, &inner, lead);
}

/* Distributions and sequences need a numeric parameter. */
static int check_numeric_param(const fw_space *s, const fw_dim *d, fw_err *e)
{
    const fw_param_spec *p = &s->model->params[d->param];
    if (p->kind == FW_PARAM_CHOICE || p->kind == FW_PARAM_BOOL)
        return dim_fail(e, s, d,
                        "{%s: ...} is not allowed: %s is a %s parameter; give a list of values",
                        fw_dist_names[d->kind], p->name,
                        p->kind == FW_PARAM_BOOL ? "true/false" : "choice");
    if (!isfinite(d->a) || !isfinite(d->b))
        return dim_fail(e, s, d, "{%s: [a, b]} needs finite bounds", fw_dist_names[d->kind]);
    return FW_OK;
}

static int build_real(const fw_space *s, fw_dim *d, fw_err *e)
{
    int rc = check_numeric_param(s, d, e);
    if (rc)
        return rc;
    const char *dn = fw_dist_names[d->kind];
    if (s->model->params[d->param].kind == FW_PARAM_INT)
        return dim_fail(e, s, d,
                        "{%s: ...} is not allowed: %s is an integer parameter; use {int: [a, b]} "
                        "or {logint: [a, b]}",
                        dn, d->name);
    if (!(d->a < d->b))
        return dim_fail(e, s, d, "{%s: [a, b]} needs a < b, got [%.17g, %.17g]", dn, d->a, d->b);
    if (d->kind == FW_DIST_LOGUNIFORM && !(d->a > 0))
        return dim_fail(e, s, d, "{loguniform: [a, b]} needs a > 0, got a = %.17g", d->a);
    if ((rc = check_bound(s, d, d->a, "lower bound", e)))
        return rc;
    return check_bound(s, d, d->b, "upper bound", e);
}

static int build_int(const fw_space *s, fw_dim *d, fw_err *e)
{
    int rc = check_numeric_param(s, d, e);
    if (rc)
        return rc;
    const char *dn = fw_dist_names[d->kind];
    if (d->a != floor(d->a) || d->b != floor(d->b))
        return dim_fail(e, s, d, "{%s: [a, b]} needs integer bounds, got [%.17g, %.17g]", dn,
                        d->a, d->b);
    if (fabs(d->a) > FW_INT_MAX || fabs(d->b) > FW_INT_MAX)
        return dim_fail(e, s, d, "{%s: [a, b]}: bounds beyond 2^53", dn);
    if (!(d->a <= d->b))
        return dim_fail(e, s, d, "{%s: [a, b]} needs a <= b, got [%.0f, %.0f]", dn, d->a, d->b);
    if (d->kind == FW_DIST_LOGINT && !(d->a > 0))
        return dim_fail(e, s, d, "{logint: [a, b]} needs a > 0, got a = %.0f", d->a);
    if ((rc = check_bound(s, d, d->a, "lower bound", e)))
        return rc;
    return check_bound(s, d, d->b, "upper bound", e);
}

/* numpy.linspace(a, b, n): value i is i * step + a, the last one exactly b. */
static void linspace(double a, double b, long n, double *out)
{
    double step = n > 1 ? (b - a) / (double)(n - 1) : 0.0;
    for (long i = 0; i < n; i++)
        out[i] = (double)i * step + a;
    if (n > 1)
        out[n - 1] = b;
}

/* numpy.geomspace(a, b, n) for a, b > 0: 10^linspace(log10 a, log10 b, n)
 * with both ends set to a and b exactly. Base 10 (not e) so that whole
 * decades come out exact: 0.01, not 0.009999999999999998. */
static void geomspace(double a, double b, long n, double *out)
{
    linspace(log10(a), log10(b), n, out);
    for (long i = 0; i < n; i++)
        out[i] = pow(10.0, out[i]);
    out[0] = a;
    if (n > 1)
        out[n - 1] = b;
}

static int build_seq(const fw_space *s, fw_dim *d, fw_err *e)
{
    int rc = check_numeric_param(s, d, e);
    if (rc)
        return rc;
    const char *dn = fw_dist_names[d->kind];
    if (d->n < 1 || d->n > FW_SEQ_MAX)
        return dim_fail(e, s, d, "{%s: [a, b, n]} needs 1 <= n <= %ld, got n = %ld", dn,
                        FW_SEQ_MAX, d->n);
    if (d->kind == FW_DIST_LOGSPACE && !(d->a > 0 && d->b > 0))
        return dim_fail(e, s, d,
                        "{logspace: [a, b, n]} needs a > 0 and b > 0 (bounds are values, not "
                        "exponents), got [%.17g, %.17g]",
                        d->a, d->b);
    double *x = malloc((size_t)d->n * sizeof *x);
    d->values = calloc((size_t)d->n, sizeof *d->values);
    if (!x || !d->values) {
        free(x);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    if (d->kind == FW_DIST_LINSPACE)
        linspace(d->a, d->b, d->n, x);
    else
        geomspace(d->a, d->b, d->n, x);
    for (long i = 0; i < d->n && rc == FW_OK; i++) {
        char which[64];
        snprintf(which, sizeof which, "value %ld of %ld", i + 1, d->n);
        rc = check_bound(s, d, x[i], which, e);
        d->values[i] = (fw_pval){.num = x[i], .choice = -1};
        for (long j = 0; j < i && rc == FW_OK; j++)
            if (fw_pval_same(&d->values[i], &d->values[j]))
                rc = dim_fail(e, s, d, "{%s: ...} gives the value %.17g twice", dn, x[i]);
    }
    free(x);
    d->n_values = rc ? 0 : (size_t)d->n;
    return rc;
}

static int build_dim(const fw_space *s, fw_dim *d, fw_err *e)
{
    free(d->values);
    d->values = NULL;
    d->n_values = 0;
    if ((unsigned)d->kind > FW_DIST_LOGSPACE)
        return dim_fail(e, s, d, "unknown distribution kind %d", (int)d->kind);
    int rc = resolve_param(s, d, e);
    if (rc)
        return rc;
    switch (d->kind) {
    case FW_DIST_FIXED:
    case FW_DIST_CHOICE:
        return build_texts(s, d, e);
    case FW_DIST_UNIFORM:
    case FW_DIST_LOGUNIFORM:
        return build_real(s, d, e);
    case FW_DIST_INT:
    case FW_DIST_LOGINT:
        return build_int(s, d, e);
    default:
        return build_seq(s, d, e);
    }
}

int fw_space_build(fw_space *s, fw_err *e)
{
    int rc = resolve_model(s, e);
    for (size_t i = 0; i < s->n_dims && rc == FW_OK; i++) {
        fw_dim *d = &s->dims[i];
        rc = build_dim(s, d, e);
        for (size_t j = 0; j < i && rc == FW_OK; j++)
            if (s->dims[j].param == d->param)
                rc = dim_fail(e, s, d, "given twice (first at line %ld, column %ld)",
                              s->dims[j].line, s->dims[j].col);
    }
    return rc;
}

void fw_space_free(fw_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->dims && i < s->n_dims; i++) {
        fw_dim *d = &s->dims[i];
        for (size_t j = 0; d->texts && j < d->n_texts; j++)
            free(d->texts[j]);
        free(d->texts);
        free(d->name);
        free(d->values);
    }
    free(s->dims);
    free(s->model_name);
    memset(s, 0, sizeof *s);
}

double fw_space_grid_size(const fw_space *s)
{
    double n = 1;
    for (size_t i = 0; i < s->n_dims; i++) {
        if (!s->dims[i].values)
            return 0;
        n *= (double)s->dims[i].n_values;
    }
    return n;
}

/* ---- walking a space --------------------------------------------------- */

void fw_space_dim_order(const fw_space *sp, size_t *order)
{
    /* Insertion sort: a handful of dims, and stable for equal names. */
    for (size_t i = 0; i < sp->n_dims; i++) {
        size_t j = i;
        while (j > 0 && strcmp(sp->dims[order[j - 1]].name, sp->dims[i].name) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

double fw_dim_count(const fw_dim *d)
{
    if (d->values)
        return (double)d->n_values;
    if (d->kind == FW_DIST_INT || d->kind == FW_DIST_LOGINT)
        return d->b - d->a + 1;
    return 0;
}

void fw_dim_value(const fw_dim *d, double i, fw_pval *out)
{
    if (d->values)
        *out = d->values[(size_t)i];
    else
        *out = (fw_pval){.num = d->a + i, .choice = -1};
}

double fw_space_finite_size(const fw_space *sp)
{
    double n = 1;
    for (size_t i = 0; i < sp->n_dims; i++) {
        double c = fw_dim_count(&sp->dims[i]);
        if (c == 0)
            return INFINITY;
        n *= c;
    }
    return n;
}

void fw_space_point(const fw_space *sp, const size_t *order, double index, fw_pval *vals)
{
    fw_param_defaults(sp->model, vals);
    for (size_t k = sp->n_dims; k-- > 0;) {
        const fw_dim *d = &sp->dims[order[k]];
        double c = fw_dim_count(d);
        double q = floor(index / c);
        fw_dim_value(d, index - q * c, &vals[d->param]);
        index = q;
    }
}

/* log(x) sampled uniformly in [log lo, log hi), back to a value in [lo, hi]
 * (exp(log hi) may round just above hi). */
static double draw_log(gsl_rng *r, double lo, double hi)
{
    double x = exp(log(lo) + (log(hi) - log(lo)) * gsl_rng_uniform(r));
    return x < lo ? lo : x > hi ? hi : x;
}

/* A uniform integer in [0, n): exact for n <= 2^32 - 1 (gsl_rng_uniform_int
 * on mt19937's 32 bits), else from 53 random bits made of two draws. */
static double draw_index(gsl_rng *r, double n)
{
    if (n <= 4294967295.0)
        return (double)gsl_rng_uniform_int(r, (unsigned long)n);
    double hi = (double)(gsl_rng_get(r) >> 5), lo = (double)(gsl_rng_get(r) >> 6);
    double u = (hi * 67108864.0 + lo) / 9007199254740992.0;
    double i = floor(u * n);
    return i < n ? i : n - 1;
}

void fw_dim_draw(const fw_dim *d, gsl_rng *r, fw_pval *out)
{
    double x;
    if (d->values) {
        *out = d->values[d->n_values > 1 ? gsl_rng_uniform_int(r, d->n_values) : 0];
        return;
    }
    switch (d->kind) {
    case FW_DIST_UNIFORM:
        x = d->a + (d->b - d->a) * gsl_rng_uniform(r);
        break;
    case FW_DIST_LOGUNIFORM:
        x = draw_log(r, d->a, d->b);
        break;
    case FW_DIST_INT:
        x = d->a + draw_index(r, d->b - d->a + 1);
        break;
    default: /* LOGINT: log-uniform over [a - 1/2, b + 1/2], rounded (as Optuna's
              * log=True integers), so the end values get their share. */
        x = round(draw_log(r, d->a - 0.5, d->b + 0.5));
        break;
    }
    if (d->kind == FW_DIST_INT || d->kind == FW_DIST_LOGINT)
        x = x < d->a ? d->a : x > d->b ? d->b : x;
    *out = (fw_pval){.num = x, .choice = -1};
}

void fw_space_draw(const fw_space *sp, const size_t *order, gsl_rng *r, fw_pval *vals)
{
    fw_param_defaults(sp->model, vals);
    for (size_t k = 0; k < sp->n_dims; k++) {
        const fw_dim *d = &sp->dims[order[k]];
        fw_dim_draw(d, r, &vals[d->param]);
    }
}
