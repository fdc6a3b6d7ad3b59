/* model.c: a fitted model instance around a model type, the fit context,
 * and helpers several models share (balanced class weights). */
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
