/* linear_data.c: what logreg and linear_svm share around their solvers: the
 * contiguous row-major copy of the training rows (so the losses run on
 * BLAS), the classes present in a fold, and the fitted coefficient state
 * with its prediction links, save/load and JSON description. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linear_int.h"

double fw_lin_sample_weight(const fw_fit_data *d, size_t i)
{
    return d->w ? d->w[d->rows[i]] : 1.0;
}

void fw_lin_rows_free(fw_lin_rows *r)
{
    if (!r)
        return;
    free(r->X);
    free(r->present);
    free(r->cls);
    free(r->cw);
    memset(r, 0, sizeof *r);
}

/* Classes present in the rows, ascending, and each row's index among them. */
static int find_classes(const fw_fit_data *d, fw_lin_rows *r)
{
    size_t kc = d->n_classes;
    int *map = malloc((kc ? kc : 1) * sizeof *map);
    if (!map)
        return FW_ENOMEM;
    for (size_t c = 0; c < kc; c++)
        map[c] = -1;
    for (size_t i = 0; i < d->n; i++)
        map[(size_t)d->y[d->rows[i]]] = 0;
    r->n_present = 0;
    for (size_t c = 0; c < kc; c++)
        if (map[c] == 0) {
            map[c] = (int)r->n_present;
            r->present[r->n_present++] = c;
        }
    for (size_t i = 0; i < d->n; i++)
        r->cls[i] = map[(size_t)d->y[d->rows[i]]];
    free(map);
    return FW_OK;
}

int fw_lin_rows_build(const fw_fit_data *d, double bias, const char *model, fw_lin_rows *r,
                      fw_err *e)
{
    memset(r, 0, sizeof *r);
    r->n = d->n;
    r->p = d->X.n_cols;
    r->p1 = r->p + (bias != 0.0);
    r->X = malloc(r->n * r->p1 * sizeof *r->X + 1);
    r->present = malloc((d->n_classes + 1) * sizeof *r->present);
    r->cls = malloc(r->n * sizeof *r->cls + 1);
    r->cw = malloc(r->n * sizeof *r->cw + 1);
    if (!r->X || !r->present || !r->cls || !r->cw || find_classes(d, r)) {
        fw_lin_rows_free(r);
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory copying %zu training rows", model,
                          d->n);
    }
    if (r->n_present < 2) {
        size_t only = r->n_present ? r->present[0] : 0;
        fw_lin_rows_free(r);
        return fw_err_set(e, FW_EINVAL, "%s needs at least two classes in the training rows; "
                          "they hold only class %zu", model, only);
    }
    /* Transpose in row blocks so that the written rows stay in cache. */
    for (size_t i0 = 0; i0 < r->n; i0 += 256) {
        size_t i1 = i0 + 256 < r->n ? i0 + 256 : r->n;
        for (size_t j = 0; j < r->p; j++) {
            const double *col = d->X.data + j * d->X.ld;
            for (size_t i = i0; i < i1; i++)
                r->X[i * r->p1 + j] = col[d->rows[i]];
        }
    }
    if (r->p1 > r->p)
        for (size_t i = 0; i < r->n; i++)
            r->X[i * r->p1 + r->p] = bias;
    return FW_OK;
}

/* ---- state ----------------------------------------------------------------- */

int fw_lin_state_init(fw_lin_state *s, int link, const fw_lin_rows *r, size_t k,
                      size_t n_classes, fw_err *e)
{
    s->link = link;
    s->p = r->p;
    s->k = k;
    s->n_classes = n_classes;
    s->n_present = r->n_present;
    s->coef = calloc(k * (r->p + 1), sizeof *s->coef);
    s->present = malloc(r->n_present * sizeof *s->present);
    if (!s->coef || !s->present)
        return fw_err_set(e, FW_ENOMEM, "out of memory for coefficients");
    memcpy(s->present, r->present, r->n_present * sizeof *s->present);
    return FW_OK;
}

void fw_lin_state_free(fw_lin_state *s)
{
    if (!s)
        return;
    free(s->coef);
    free(s->present);
    s->coef = NULL;
    s->present = NULL;
}

static double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* Turn one row of raw scores z (k values) into the output row o. */
static void link_row(const fw_lin_state *s, double *z, double *o)
{
    const size_t *pc = s->present;
    for (size_t c = 0; c < s->n_classes; c++)
        o[c] = s->link == FW_LIN_DECISION ? -1e300 : 0.0;
    if (s->k == 1) {
        double v = s->link == FW_LIN_DECISION ? z[0] : sigmoid(z[0]);
        o[pc[1]] = v;
        o[pc[0]] = s->link == FW_LIN_DECISION ? -v : 1.0 - v;
        return;
    }
    double sum = 0, mx = -INFINITY;
    for (size_t c = 0; c < s->k; c++)
        mx = z[c] > mx ? z[c] : mx;
    for (size_t c = 0; c < s->k; c++) {
        double v = s->link == FW_LIN_OVR       ? sigmoid(z[c])
                   : s->link == FW_LIN_SOFTMAX ? exp(z[c] - mx)
                                               : z[c];
        o[pc[c]] = v;
        sum += v;
    }
    if (s->link == FW_LIN_OVR || s->link == FW_LIN_SOFTMAX)
        for (size_t c = 0; c < s->k; c++)
            o[pc[c]] = sum > 0 ? o[pc[c]] / sum : 1.0 / (double)s->k;
}

int fw_lin_state_predict(const fw_lin_state *s, const fw_matrix *X, const size_t *rows,
                         size_t n, double *out, fw_err *e)
{
    size_t k = s->k, p1 = s->p + 1;
    double *z = malloc((n * k + 1) * sizeof *z);
    if (!z)
        return fw_err_set(e, FW_ENOMEM, "out of memory predicting %zu rows", n);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++)
            z[i * k + c] = s->coef[c * p1 + s->p];
    /* Column by column: X is column-major, so each pass reads one column. */
    for (size_t j = 0; j < s->p; j++) {
        const double *col = X->data + j * X->ld;
        for (size_t i = 0; i < n; i++) {
            double x = col[rows ? rows[i] : i];
            for (size_t c = 0; c < k; c++)
                z[i * k + c] += x * s->coef[c * p1 + j];
        }
    }
    for (size_t i = 0; i < n; i++)
        link_row(s, z + i * k, out + i * s->n_classes);
    free(z);
    return FW_OK;
}

int fw_lin_state_save(const fw_lin_state *s, fw_sb *out, fw_err *e)
{
    fw_sb_appendn(out, (const char *)s, sizeof *s);
    fw_sb_appendn(out, (const char *)s->coef, s->k * (s->p + 1) * sizeof *s->coef);
    fw_sb_appendn(out, (const char *)s->present, s->n_present * sizeof *s->present);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "out of memory saving a linear model") : FW_OK;
}

int fw_lin_state_load(fw_lin_state *s, const void *buf, size_t n, fw_err *e)
{
    if (n < sizeof *s)
        return fw_err_set(e, FW_EINVAL, "saved linear model is truncated");
    memcpy(s, buf, sizeof *s);
    s->coef = NULL;
    s->present = NULL;
    size_t nc = s->k * (s->p + 1), want = sizeof *s + nc * sizeof(double) +
                                          s->n_present * sizeof(size_t);
    if (n != want || s->n_present > s->n_classes || s->k > s->n_present)
        return fw_err_set(e, FW_EINVAL, "saved linear model has the wrong size");
    s->coef = malloc(nc * sizeof *s->coef + 1);
    s->present = malloc(s->n_present * sizeof *s->present + 1);
    if (!s->coef || !s->present)
        return fw_err_set(e, FW_ENOMEM, "out of memory loading a linear model");
    const char *b = (const char *)buf + sizeof *s;
    memcpy(s->coef, b, nc * sizeof *s->coef);
    memcpy(s->present, b + nc * sizeof *s->coef, s->n_present * sizeof *s->present);
    return FW_OK;
}

int fw_lin_state_describe(const fw_lin_state *s, fw_sb *out, fw_err *e)
{
    size_t p1 = s->p + 1;
    fw_sb_append(out, "{\"coef\": [");
    for (size_t c = 0; c < s->k; c++) {
        fw_sb_append(out, c ? ", [" : "[");
        for (size_t j = 0; j < s->p; j++) {
            if (j)
                fw_sb_append(out, ", ");
            fw_sb_json_num(out, s->coef[c * p1 + j]);
        }
        fw_sb_append(out, "]");
    }
    fw_sb_append(out, "], \"intercept\": [");
    for (size_t c = 0; c < s->k; c++) {
        if (c)
            fw_sb_append(out, ", ");
        fw_sb_json_num(out, s->coef[c * p1 + s->p]);
    }
    fw_sb_append(out, "], \"classes\": [");
    for (size_t c = 0; c < s->n_present; c++)
        fw_sb_printf(out, "%s%zu", c ? ", " : "", s->present[c]);
    fw_sb_printf(out, "], \"n_iter\": %d}", s->n_iter);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "out of memory describing a linear model") : FW_OK;
}

/* ---- model methods ----------------------------------------------------------- */

int fw_lin_model_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                         double *out, fw_err *e)
{
    return fw_lin_state_predict(state, X, rows, n, out, e);
}

int fw_lin_model_save(const void *state, fw_sb *out, fw_err *e)
{
    return fw_lin_state_save(state, out, e);
}

int fw_lin_model_load(void *state, const void *buf, size_t n, fw_err *e)
{
    return fw_lin_state_load(state, buf, n, e);
}

int fw_lin_model_describe(const void *state, fw_sb *out, fw_err *e)
{
    return fw_lin_state_describe(state, out, e);
}

void fw_lin_model_free(void *state)
{
    fw_lin_state_free(state);
}

double fw_lin_model_complexity(const fw_pval *cfg)
{
    return 1.0 / cfg[0].num;
}
