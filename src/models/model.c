/* model.c: a fitted model instance around a model type, the fit context,
 * and helpers several models share (balanced class weights, and sample
 * weights multiplied by them). */
#include "foldwise/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"

const fw_model_type *fw_model_find(const char *name)
{
    for (size_t i = 0; fw_models[i]; i++)
        if (strcmp(fw_models[i]->name, name) == 0)
            return fw_models[i];
    return NULL;
}

fw_model *fw_model_alloc(const fw_model_type *t, const fw_pval *cfg)
{
    fw_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->type = t;
    m->cfg = calloc(t->n_params ? t->n_params : 1, sizeof *m->cfg);
    m->state = calloc(1, t->state_size ? t->state_size : 1);
    if (!m->cfg || !m->state) {
        free(m->cfg);
        free(m->state);
        free(m);
        return NULL;
    }
    if (t->n_params)
        memcpy(m->cfg, cfg, t->n_params * sizeof *cfg);
    return m;
}

int fw_matrix_find_nan(const fw_matrix *X, const size_t *rows, size_t n, size_t *row,
                       size_t *col)
{
    for (size_t j = 0; j < X->n_cols; j++) {
        const double *c = X->data + j * X->ld;
        for (size_t i = 0; i < n; i++) {
            if (isnan(c[rows[i]])) {
                *row = rows[i];
                *col = j;
                return 1;
            }
        }
    }
    return 0;
}

static int refuse_nan(const fw_model_type *t, const fw_matrix *X, const size_t *rows, size_t n,
                      const char *const *names, fw_err *e)
{
    size_t r, c;
    if ((t->caps & FW_CAP_MISSING) || !fw_matrix_find_nan(X, rows, n, &r, &c))
        return FW_OK;
    if (names)
        return fw_err_set(e, FW_EINVAL, "%s cannot handle missing values (column '%s' is "
                          "missing in row %zu): set preprocess.impute", t->name, names[c], r);
    return fw_err_set(e, FW_EINVAL, "%s cannot handle missing values (feature %zu is missing "
                      "in row %zu): set preprocess.impute", t->name, c, r);
}

int fw_model_fit(fw_model *m, const fw_fit_data *d, fw_fit_ctx *ctx, fw_err *e)
{
    int rc;
    if (d->n == 0)
        return fw_err_set(e, FW_EINVAL, "%s: no training rows", m->type->name);
    if ((rc = refuse_nan(m->type, &d->X, d->rows, d->n, d->col_names, e)))
        return rc;
    if (ctx && fw_deadline_passed(ctx->deadline))
        return fw_err_set(e, FW_ETIMEOUT, "%s: the task's time limit passed before the fit",
                          m->type->name);
    m->n_cols = d->X.n_cols;
    m->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    m->task = d->task;
    return m->type->fit(m->state, d, m->cfg, ctx, e);
}

int fw_model_predict(const fw_model *m, const fw_matrix *X, const size_t *rows, size_t n,
                     double *out, fw_err *e)
{
    if (X->n_cols != m->n_cols)
        return fw_err_set(e, FW_EINVAL, "%s: fitted on %zu columns, asked to predict %zu",
                          m->type->name, m->n_cols, X->n_cols);
    int rc = refuse_nan(m->type, X, rows, n, NULL, e);
    if (rc)
        return rc;
    return m->type->predict(m->state, X, rows, n, out, e);
}

void fw_model_free(fw_model *m)
{
    if (!m)
        return;
    if (m->type->free_state)
        m->type->free_state(m->state);
    free(m->state);
    free(m->cfg);
    free(m);
}

void fw_fit_ctx_init(fw_fit_ctx *ctx, const fw_deadline *deadline, gsl_rng *rng)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->deadline = deadline;
    ctx->rng = rng;
    ctx->converged = -1;
    ctx->final_gap = NAN;
}

void fw_class_weights_balanced(const double *y, const size_t *rows, size_t n,
                               size_t n_classes, double *out)
{
    size_t present = 0;
    for (size_t c = 0; c < n_classes; c++)
        out[c] = 0;
    for (size_t i = 0; i < n; i++)
        out[(size_t)y[rows ? rows[i] : i]] += 1;
    for (size_t c = 0; c < n_classes; c++)
        present += out[c] > 0;
    for (size_t c = 0; c < n_classes; c++)
        out[c] = out[c] > 0 ? (double)n / ((double)present * out[c]) : 0.0;
}

int fw_fit_data_balance(const fw_fit_data *d, fw_fit_data *out, double **wbuf,
                        const char *model, fw_err *e)
{
    size_t len = 1;
    for (size_t i = 0; i < d->n; i++)
        len = d->rows[i] + 1 > len ? d->rows[i] + 1 : len;
    double *cw = malloc((d->n_classes + 1) * sizeof *cw);
    *wbuf = calloc(len, sizeof **wbuf);
    if (!cw || !*wbuf) {
        free(cw);
        free(*wbuf);
        *wbuf = NULL;
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory for class weights", model);
    }
    fw_class_weights_balanced(d->y, d->rows, d->n, d->n_classes, cw);
    for (size_t i = 0; i < d->n; i++) {
        size_t r = d->rows[i];
        (*wbuf)[r] = (d->w ? d->w[r] : 1.0) * cw[(size_t)d->y[r]];
    }
    free(cw);
    *out = *d;
    out->w = *wbuf;
    return FW_OK;
}

/* ---- member parts ------------------------------------------------------ */

void fw_part_encode(double *row, int q, const int64_t *s, size_t w)
{
    row[0] = (double)q;
    for (size_t c = 0; c < w; c++) {
        /* lo = s mod 2^32, hi = floor(s / 2^32): exact for every int64. */
        uint64_t lo = (uint64_t)s[c] & 0xffffffffu;
        int64_t hi = (s[c] - (int64_t)lo) / 4294967296LL;
        row[1 + 2 * c] = (double)hi;
        row[2 + 2 * c] = (double)lo;
    }
}

int fw_part_decode(const double *row, size_t w, int *q, int64_t *s)
{
    double qd = row[0];
    if (!(qd == floor(qd) && fabs(qd) <= 4096))
        return FW_EINVAL;
    *q = (int)qd;
    for (size_t c = 0; c < w; c++) {
        double hi = row[1 + 2 * c], lo = row[2 + 2 * c];
        if (!(hi == floor(hi) && hi >= -2147483648.0 && hi < 2147483648.0 && lo == floor(lo) &&
              lo >= 0 && lo < 4294967296.0))
            return FW_EINVAL;
        s[c] = (int64_t)hi * 4294967296LL + (int64_t)lo;
    }
    return FW_OK;
}

void fw_part_zero(double *part, size_t n, size_t w)
{
    memset(part, 0, n * FW_PART_WIDTH(w) * sizeof *part);
}

static int part_all_zero(const int64_t *s, size_t w)
{
    for (size_t c = 0; c < w; c++)
        if (s[c])
            return 0;
    return 1;
}

int fw_part_add(double *acc, const double *part, size_t n, size_t w, fw_err *e)
{
    int64_t stack_a[16], stack_b[16];
    int64_t *a = w <= 16 ? stack_a : malloc(2 * w * sizeof *a);
    if (!a)
        return fw_err_set(e, FW_ENOMEM, "out of memory adding member parts");
    int64_t *b = w <= 16 ? stack_b : a + w;
    int rc = FW_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        double *ra = acc + i * FW_PART_WIDTH(w);
        const double *rb = part + i * FW_PART_WIDTH(w);
        int qa, qb;
        if (fw_part_decode(ra, w, &qa, a) || fw_part_decode(rb, w, &qb, b)) {
            rc = fw_err_set(e, FW_EINVAL, "member part row %zu is malformed", i);
            break;
        }
        if (part_all_zero(b, w))
            continue;
        if (part_all_zero(a, w))
            qa = qb;
        if (qa != qb) {
            rc = fw_err_set(e, FW_EINVAL, "member parts of row %zu have different scales "
                            "(2^%d and 2^%d): were they fitted on the same rows?", i, qa, qb);
            break;
        }
        for (size_t c = 0; c < w; c++)
            if (__builtin_add_overflow(a[c], b[c], &a[c]))
                rc = fw_err_set(e, FW_EINVAL, "member parts of row %zu overflow", i);
        fw_part_encode(ra, qa, a, w);
    }
    if (a != stack_a)
        free(a);
    return rc;
}

/* ---- per-worker cache -------------------------------------------------- */

void fw_model_cache_clear(fw_model_cache *c)
{
    if (!c)
        return;
    if (c->entry && c->free_entry)
        c->free_entry(c->entry);
    memset(c, 0, sizeof *c);
}
