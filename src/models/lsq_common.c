/* lsq_common.c: the parts every least-squares model shares: the centred and
 * weighted copy of the training rows (scikit-learn's _preprocess_data then
 * _rescale_data), and the fitted linear state with its predict, save/load,
 * describe and free methods. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "lsq_int.h"

int lsq_state_init(lsq_state *s, size_t p, size_t k, int task, fw_err *e)
{
    s->p = p;
    s->k = k;
    s->task = task;
    s->rank = -1;
    s->gap = NAN;
    s->coef = calloc(k * p + 1, sizeof *s->coef);
    s->intercept = calloc(k, sizeof *s->intercept);
    if (!s->coef || !s->intercept)
        return fw_err_set(e, FW_ENOMEM, "out of memory for %zu coefficients", k * p);
    return FW_OK;
}

void lsq_state_free(void *state)
{
    lsq_state *s = state;
    if (!s)
        return;
    free(s->coef);
    free(s->intercept);
    s->coef = s->intercept = NULL;
}

/* Regression and multiclass write k values per row; a binary classifier
 * (one decision value d) writes (-d, d), so argmax picks class 1 when
 * d > 0, as scikit-learn's RidgeClassifier.predict. */
int lsq_state_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                      double *out, fw_err *e)
{
    const lsq_state *s = state;
    size_t k = s->k, binary = s->task == FW_TASK_CLASSIFICATION && k == 1;
    size_t stride = k + binary;
    (void)e;
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * stride + binary, s->intercept, k * sizeof *out);
    for (size_t j = 0; j < s->p; j++) {
        const double *col = X->data + j * X->ld;
        for (size_t i = 0; i < n; i++) {
            double x = col[rows ? rows[i] : i], *o = out + i * stride + binary;
            for (size_t c = 0; c < k; c++)
                o[c] += x * s->coef[c * s->p + j];
        }
    }
    for (size_t i = 0; binary && i < n; i++)
        out[i * 2] = -out[i * 2 + 1];
    return FW_OK;
}

void lsq_path_fail(fw_err *errs, size_t n_cfg, const fw_err *e)
{
    for (size_t c = 0; c < n_cfg; c++)
        errs[c] = *e;
}

/* Saved form: this header, then k*p coefficients, then k intercepts. */
typedef struct lsq_hdr {
    uint64_t p, k;
    int32_t task, n_iter, rank, pad;
    double gap;
} lsq_hdr;

int lsq_state_save(const void *state, fw_sb *out, fw_err *e)
{
    const lsq_state *s = state;
    lsq_hdr h = {s->p, s->k, s->task, s->n_iter, s->rank, 0, s->gap};
    fw_sb_appendn(out, (const char *)&h, sizeof h);
    fw_sb_appendn(out, (const char *)s->coef, s->k * s->p * sizeof *s->coef);
    fw_sb_appendn(out, (const char *)s->intercept, s->k * sizeof *s->intercept);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "out of memory saving a linear model") : FW_OK;
}

int lsq_state_load(void *state, const void *buf, size_t n, fw_err *e)
{
    lsq_state *s = state;
    lsq_hdr h;
    if (n < sizeof h)
        return fw_err_set(e, FW_EINVAL, "saved linear model is truncated");
    memcpy(&h, buf, sizeof h);
    if (h.k == 0 || h.k > 1u << 20 || h.p > (SIZE_MAX / sizeof(double) - 1) / h.k ||
        n != sizeof h + (h.k * h.p + h.k) * sizeof(double))
        return fw_err_set(e, FW_EINVAL, "saved linear model has the wrong size");
    int rc = lsq_state_init(s, (size_t)h.p, (size_t)h.k, h.task, e);
    if (rc)
        return rc;
    s->n_iter = h.n_iter;
    s->rank = h.rank;
    s->gap = h.gap;
    const char *at = (const char *)buf + sizeof h;
    memcpy(s->coef, at, s->k * s->p * sizeof *s->coef);
    memcpy(s->intercept, at + s->k * s->p * sizeof *s->coef, s->k * sizeof *s->intercept);
    return FW_OK;
}

static void json_array(fw_sb *out, const double *v, size_t n)
{
    fw_sb_append(out, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            fw_sb_append(out, ", ");
        fw_sb_json_num(out, v[i]);
    }
    fw_sb_append(out, "]");
}

int lsq_state_describe(const void *state, fw_sb *out, fw_err *e)
{
    const lsq_state *s = state;
    fw_sb_append(out, "{\"coef\": ");
    if (s->k == 1) {
        json_array(out, s->coef, s->p);
        fw_sb_append(out, ", \"intercept\": ");
        fw_sb_json_num(out, s->intercept[0]);
    } else {
        fw_sb_append(out, "[");
        for (size_t c = 0; c < s->k; c++) {
            fw_sb_append(out, c ? ", " : "");
            json_array(out, s->coef + c * s->p, s->p);
        }
        fw_sb_append(out, "], \"intercept\": ");
        json_array(out, s->intercept, s->k);
    }
    /* n_iter is null for the closed forms, as scikit-learn's n_iter_ = None. */
    fw_sb_append(out, ", \"n_iter\": ");
    fw_sb_json_num(out, s->n_iter > 0 ? (double)s->n_iter : NAN);
    fw_sb_append(out, ", \"dual_gap\": ");
    fw_sb_json_num(out, s->gap);
    fw_sb_append(out, ", \"rank\": ");
    fw_sb_json_num(out, s->rank >= 0 ? (double)s->rank : NAN);
    fw_sb_append(out, "}");
    return out->oom ? fw_err_set(e, FW_ENOMEM, "out of memory describing a linear model")
                    : FW_OK;
}

int lsq_check_regression(const char *model, const fw_model_info *info, fw_err *e)
{
    if (info && info->task == FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "%s is a regression model (scikit-learn's has no "
                          "classifier form): use logreg, or ridge for RidgeClassifier", model);
    return FW_OK;
}

double lsq_complexity_alpha(const fw_pval *cfg)
{
    return -cfg[0].num;
}

/* sqrt of each training row's weight (rescaled to sum to n with norm_w);
 * the weighted means use the raw weights, whose scale does not matter. */
static int sqrt_weights(const fw_fit_data *d, int norm_w, double *sw, double *wsum,
                        const char *model, fw_err *e)
{
    *wsum = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[d->rows[i]] : 1.0;
        if (!(w >= 0) || !isfinite(w))
            return fw_err_set(e, FW_EINVAL, "%s: sample weight of row %zu is %g: weights "
                              "must be finite and non-negative", model, d->rows[i], w);
        *wsum += w;
    }
    if (!(*wsum > 0))
        return fw_err_set(e, FW_EINVAL, "%s: the sample weights of the training rows sum to "
                          "zero", model);
    double scale = norm_w ? (double)d->n / *wsum : 1.0;
    for (size_t i = 0; i < d->n; i++)
        sw[i] = d->w ? sqrt(d->w[d->rows[i]] * scale) : 1.0;
    return FW_OK;
}

/* dst[i] = (src[at(i)] - mean) * sw[i], with the weighted mean when centre. */
static double centre(const double *src, const size_t *rows, size_t n, const fw_fit_data *d,
                     double wsum, const double *sw, int centre_it, double *dst)
{
    double m = 0;
    if (centre_it) {
        for (size_t i = 0; i < n; i++)
            m += (d->w ? d->w[d->rows[i]] : 1.0) * src[rows ? rows[i] : i];
        m /= wsum;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[rows ? rows[i] : i] - m) * sw[i];
    return m;
}

int lsq_data_build(const fw_fit_data *d, int fit_intercept, int norm_w, const double *targets,
                   size_t k, lsq_data *a, const char *model, fw_err *e)
{
    size_t n = d->n, p = d->X.n_cols;
    double wsum;
    memset(a, 0, sizeof *a);
    a->n = n;
    a->p = p;
    a->k = k;
    a->X = malloc((n * p + 1) * sizeof *a->X);
    a->Y = malloc((n * k + 1) * sizeof *a->Y);
    a->xm = calloc(p + 1, sizeof *a->xm);
    a->ym = calloc(k, sizeof *a->ym);
    double *sw = malloc((n + 1) * sizeof *sw);
    int rc = FW_OK;
    if (!a->X || !a->Y || !a->xm || !a->ym || !sw)
        rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory for a %zu x %zu matrix", model, n, p);
    if (!rc)
        rc = sqrt_weights(d, norm_w, sw, &wsum, model, e);
    for (size_t j = 0; !rc && j < p; j++)
        a->xm[j] = centre(d->X.data + j * d->X.ld, d->rows, n, d, wsum, sw, fit_intercept,
                          a->X + j * n);
    for (size_t c = 0; !rc && c < k; c++)
        a->ym[c] = targets ? centre(targets + c * n, NULL, n, d, wsum, sw, fit_intercept,
                                    a->Y + c * n)
                           : centre(d->y, d->rows, n, d, wsum, sw, fit_intercept, a->Y);
    free(sw);
    if (rc)
        lsq_data_free(a);
    return rc;
}

void lsq_data_free(lsq_data *a)
{
    if (!a)
        return;
    free(a->X);
    free(a->Y);
    free(a->xm);
    free(a->ym);
    memset(a, 0, sizeof *a);
}

void lsq_set_intercepts(const lsq_data *a, lsq_state *s)
{
    for (size_t c = 0; c < s->k; c++) {
        double v = a->ym[c];
        for (size_t j = 0; j < s->p; j++)
            v -= a->xm[j] * s->coef[c * s->p + j];
        s->intercept[c] = v;
    }
}
