/* hgb_loss.c: the losses of hist_gbdt, as scikit-learn's sklearn._loss:
 * HalfBinomialLoss (logistic), HalfMultinomialLoss (softmax, one raw value
 * per class), HalfSquaredError and AbsoluteError: per-row gradients and
 * hessians (computed in float64, stored as float32 as scikit-learn does), mean loss,
 * baseline (fit_intercept_only) and the link back to probabilities. Raw
 * values are k columns of n rows. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

#include "foldwise/data.h"
#include "hgb_int.h"

static double wsum(const double *w, size_t n)
{
    if (!w)
        return (double)n;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i];
    return s;
}

/* Weighted mean of f(y) where f is y == c (c >= 0) or y itself (c < 0). */
static double wmean(const double *y, const double *w, size_t n, double c)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double v = c >= 0 ? (double)(y[i] == c) : y[i];
        s += w ? w[i] * v : v;
    }
    return s / wsum(w, n);
}

static double clip(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* k-th smallest of v[0..n) (v reordered around it). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double piv = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < piv)
                i++;
            while (v[j] > piv)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

double fw_hgb_median(double *v, double *w, size_t n)
{
    if (n == 0)
        return 0.0;
    if (!w) {
        double hi = select_kth(v, n, n / 2);
        if (n % 2)
            return hi;
        double lo = v[0];   /* the largest of the lower half */
        for (size_t i = 1; i < n / 2; i++)
            lo = v[i] > lo ? v[i] : lo;
        return (lo + hi) / 2.0;
    }
    gsl_sort2(v, 1, w, 1, n);
    double total = 0, acc = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    double target = 0.5 * total;
    for (size_t i = 0; i < n; i++) {
        acc += w[i];
        if (acc >= target)
            return v[i];
    }
    return v[n - 1];
}

int fw_hgb_loss_baseline(const fw_hgb_loss *L, double *base, fw_err *e)
{
    size_t n = L->n;
    if (L->kind == FW_HGB_LOG_LOSS && L->k == 1) {
        double eps = 10 * DBL_EPSILON, p = clip(wmean(L->y, L->w, n, 1.0), eps, 1 - eps);
        base[0] = log(p / (1 - p));
    } else if (L->kind == FW_HGB_LOG_LOSS) {
        /* symmetric multinomial logit: log(p_k / geometric mean of p) */
        double ml = 0;
        for (size_t c = 0; c < L->k; c++) {
            base[c] = clip(wmean(L->y, L->w, n, (double)c), DBL_EPSILON, 1 - DBL_EPSILON);
            ml += log(base[c]);
        }
        double gm = exp(ml / (double)L->k);
        for (size_t c = 0; c < L->k; c++)
            base[c] = log(base[c] / gm);
    } else if (L->kind == FW_HGB_SQUARED) {
        base[0] = wmean(L->y, L->w, n, -1.0);
    } else {
        double *v = malloc((n ? n : 1) * sizeof *v), *w = NULL;
        if (L->w)
            w = malloc((n ? n : 1) * sizeof *w);
        if (!v || (L->w && !w)) {
            free(v);
            free(w);
            return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
        }
        memcpy(v, L->y, n * sizeof *v);
        if (w)
            memcpy(w, L->w, n * sizeof *w);
        base[0] = fw_hgb_median(v, w, n);
        free(v);
        free(w);
    }
    return FW_OK;
}

int fw_hgb_loss_const_hessian(const fw_hgb_loss *L)
{
    return L->kind != FW_HGB_LOG_LOSS && L->w == NULL;
}

/* Logistic loss, gradient and hessian of one row. */
static double binomial(double y, double r, double *g, double *h)
{
    double e = exp(-fabs(r));
    double p = r >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    *g = p - y;
    *h = e / ((1.0 + e) * (1.0 + e));
    return log1p(e) + (r > 0 ? r : 0.0) - y * r;
}

/* Softmax loss of row i; gradients and hessians of its k raw values. */
static double multinomial(const fw_hgb_loss *L, const double *raw, size_t i, float *gh,
                          double *p)
{
    size_t n = L->n, k = L->k, yi = (size_t)L->y[i];
    double mx = raw[i];
    for (size_t c = 1; c < k; c++)
        mx = raw[c * n + i] > mx ? raw[c * n + i] : mx;
    double s = 0;
    for (size_t c = 0; c < k; c++)
        s += p[c] = exp(raw[c * n + i] - mx);
    double w = L->w ? L->w[i] : 1.0;
    for (size_t c = 0; c < k; c++) {
        double pc = p[c] / s;
        gh[2 * (c * n + i)] = (float)(w * (pc - (double)(c == yi)));
        gh[2 * (c * n + i) + 1] = (float)(w * pc * (1.0 - pc));
    }
    return log(s) + mx - raw[yi * n + i];
}

double fw_hgb_loss_grad(const fw_hgb_loss *L, const double *raw, float *gh)
{
    size_t n = L->n;
    const double *y = L->y, *w = L->w;
    double loss = 0;
    if (L->kind == FW_HGB_LOG_LOSS && L->k > 1) {
        double p[256], *pp = L->k <= 256 ? p : malloc(L->k * sizeof *pp);
        if (!pp)
            return NAN;
        for (size_t i = 0; i < n; i++) {
            double l = multinomial(L, raw, i, gh, pp);
            loss += w ? w[i] * l : l;
        }
        if (pp != p)
            free(pp);
    } else if (L->kind == FW_HGB_LOG_LOSS) {
        for (size_t i = 0; i < n; i++) {
            double gi, hi, l = binomial(y[i], raw[i], &gi, &hi), wi = w ? w[i] : 1.0;
            gh[2 * i] = (float)(wi * gi);
            gh[2 * i + 1] = (float)(wi * hi);
            loss += wi * l;
        }
    } else {
        int sq = L->kind == FW_HGB_SQUARED;
        for (size_t i = 0; i < n; i++) {
            double d = raw[i] - y[i], wi = w ? w[i] : 1.0;
            double l = sq ? 0.5 * d * d : fabs(d);
            gh[2 * i] = (float)(wi * (sq ? d : (raw[i] > y[i] ? 1.0 : -1.0)));
            gh[2 * i + 1] = (float)wi;
            loss += wi * l;
        }
    }
    return loss / wsum(w, n);
}

double fw_hgb_loss_value(int kind, size_t k, const double *y, const double *w, size_t n,
                         const double *raw)
{
    double loss = 0;
    for (size_t i = 0; i < n; i++) {
        double l;
        if (kind == FW_HGB_LOG_LOSS && k > 1) {
            double mx = raw[i], s = 0;
            for (size_t c = 1; c < k; c++)
                mx = raw[c * n + i] > mx ? raw[c * n + i] : mx;
            for (size_t c = 0; c < k; c++)
                s += exp(raw[c * n + i] - mx);
            l = log(s) + mx - raw[(size_t)y[i] * n + i];
        } else if (kind == FW_HGB_LOG_LOSS) {
            double r = raw[i];
            l = log1p(exp(-fabs(r))) + (r > 0 ? r : 0.0) - y[i] * r;
        } else {
            double d = raw[i] - y[i];
            l = kind == FW_HGB_SQUARED ? 0.5 * d * d : fabs(d);
        }
        loss += w ? w[i] * l : l;
    }
    return loss / wsum(w, n);
}

void fw_hgb_raw_to_out(const double *raw, size_t k, size_t n_classes, int task, double *out)
{
    if (task == FW_TASK_REGRESSION) {
        out[0] = raw[0];
    } else if (k == 1) {
        double p = 1.0 / (1.0 + exp(-raw[0]));
        out[0] = 1.0 - p;
        out[1] = p;
        for (size_t c = 2; c < n_classes; c++)
            out[c] = 0.0;
    } else {
        double mx = raw[0], s = 0;
        for (size_t c = 1; c < k; c++)
            mx = raw[c] > mx ? raw[c] : mx;
        for (size_t c = 0; c < k; c++)
            s += out[c] = exp(raw[c] - mx);
        for (size_t c = 0; c < k; c++)
            out[c] /= s;
    }
}
