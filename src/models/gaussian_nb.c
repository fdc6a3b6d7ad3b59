/* gaussian_nb.c: scikit-learn's GaussianNB.
 *
 * Per class: the (weighted) mean and population variance of every feature
 * over the training rows of that class, plus epsilon = var_smoothing times
 * the largest (unweighted) feature variance over all training rows; the
 * prior is the class's share of the (weighted) training rows. Prediction is
 * the joint log-likelihood log prior - 0.5 sum log(2 pi var)
 * - 0.5 sum (x - mean)^2 / var, normalised by log-sum-exp, in the same
 * operations and summation order as scikit-learn (fw_np_sum in core), so
 * probabilities agree to rounding.
 *
 * A class absent from the training rows (or of zero total weight) has prior
 * 0 and probability 0; scikit-learn, which only knows the classes it saw,
 * has no column for it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "foldwise/model.h"

static const fw_param_spec nb_params[] = {
    {.name = "var_smoothing", .kind = FW_PARAM_REAL, .def = 1e-9, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG,
     .help = "share of the largest feature variance added to every variance"},
};

/* 2 pi as numpy's 2.0 * np.pi (the doubling is exact). */
#define NB_TWO_PI (2.0 * 3.141592653589793)

typedef struct nb_state {
    size_t n_classes, p;
    double epsilon;
    double *theta;       /* n_classes x p means, row-major */
    double *var;         /* n_classes x p variances (epsilon included) */
    double *count;       /* (weighted) training rows per class */
    double *log_prior;   /* -inf for an absent class */
    double *log_norm;    /* -0.5 sum log(2 pi var) per class */
} nb_state;

static void nb_free(void *state)
{
    nb_state *s = state;
    free(s->theta);
    free(s->var);
    free(s->count);
    free(s->log_prior);
    free(s->log_norm);
    memset(s, 0, sizeof *s);
}

static int nb_alloc(nb_state *s, size_t k, size_t p)
{
    s->n_classes = k;
    s->p = p;
    s->theta = calloc(k * p + 1, sizeof *s->theta);
    s->var = calloc(k * p + 1, sizeof *s->var);
    s->count = calloc(k + 1, sizeof *s->count);
    s->log_prior = calloc(k + 1, sizeof *s->log_prior);
    s->log_norm = calloc(k + 1, sizeof *s->log_norm);
    return s->theta && s->var && s->count && s->log_prior && s->log_norm;
}

/* numpy's np.var(X, axis=0) over the rows: mean first, then the mean of
 * squared deviations, both summed in row order. */
static double column_var(const double *col, const size_t *rows, size_t n)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += col[rows[i]];
    double mean = s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = col[rows[i]] - mean;
        ss += d * d;
    }
    return ss / (double)n;
}

/* Mean and variance of one feature over the rows of one class: np.mean /
 * np.var, or np.average with weights (sum of weights in numpy's pairwise
 * order). */
static void class_moments(const double *col, const size_t *rows, size_t n, const double *w,
                          double sw, double *mean, double *var)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += w ? col[rows[i]] * w[i] : col[rows[i]];
    double mu = w ? s / sw : s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = col[rows[i]] - mu;
        ss += w ? d * d * w[i] : d * d;
    }
    *mean = mu;
    *var = w ? ss / sw : ss / (double)n;
}

/* Rows of class c among the training rows, and their weights. */
static size_t class_rows(const fw_fit_data *d, size_t c, size_t *rows, double *w)
{
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++) {
        size_t r = d->rows[i];
        if ((size_t)d->y[r] != c)
            continue;
        if (w)
            w[m] = d->w[r];
        rows[m++] = r;
    }
    return m;
}

static void fit_class(nb_state *s, const fw_fit_data *d, size_t c, size_t *rows, double *w)
{
    double *wc = d->w ? w : NULL;
    size_t m = class_rows(d, c, rows, wc);
    double sw = wc ? fw_np_sum(wc, m, 1) : (double)m;
    /* scikit-learn skips a class whose weights sum to about zero. */
    if (m == 0 || (wc && fabs(sw) <= 1e-8))
        return;
    for (size_t j = 0; j < s->p; j++)
        class_moments(d->X.data + j * d->X.ld, rows, m, wc, sw, &s->theta[c * s->p + j],
                      &s->var[c * s->p + j]);
    s->count[c] = sw;
}

static void finish_fit(nb_state *s)
{
    size_t k = s->n_classes, present = 0;
    double *counts = malloc((k + 1) * sizeof *counts);
    for (size_t c = 0; c < k; c++)
        if (s->count[c] > 0 && counts)
            counts[present++] = s->count[c];
    double total = counts ? fw_np_sum(counts, present, 1) : 0;
    free(counts);
    double *tmp = malloc((s->p + 1) * sizeof *tmp);
    for (size_t c = 0; c < k; c++) {
        double *v = s->var + c * s->p;
        for (size_t j = 0; j < s->p; j++)
            v[j] += s->epsilon;
        s->log_prior[c] = s->count[c] > 0 ? log(s->count[c] / total) : -INFINITY;
        for (size_t j = 0; tmp && j < s->p; j++)
            tmp[j] = log(NB_TWO_PI * v[j]);
        s->log_norm[c] = tmp ? -0.5 * fw_np_sum(tmp, s->p, 1) : NAN;
    }
    free(tmp);
}

static int nb_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                  fw_err *e)
{
    nb_state *s = state;
    (void)ctx;
    if (d->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "gaussian_nb: classification only");
    size_t p = d->X.n_cols, k = d->n_classes;
    if (!nb_alloc(s, k, p))
        return fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory");
    double vmax = 0;
    for (size_t j = 0; j < p; j++) {
        double v = column_var(d->X.data + j * d->X.ld, d->rows, d->n);
        vmax = j == 0 || v > vmax ? v : vmax;
    }
    s->epsilon = cfg[0].num * vmax;
    size_t *rows = malloc(d->n * sizeof *rows);
    double *w = malloc(d->n * sizeof *w);
    if (!rows || !w) {
        free(rows), free(w);
        return fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory");
    }
    for (size_t c = 0; c < k; c++)
        fit_class(s, d, c, rows, w);
    free(rows);
    free(w);
    finish_fit(s);
    if (isnan(s->log_norm[0]))
        return fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory");
    return FW_OK;
}

/* One row's probabilities from its joint log-likelihoods (jll, n_classes),
 * as scipy's logsumexp then exp: classes with prior 0 give exactly 0. */
static void normalise(const nb_state *s, const double *jll, double *out)
{
    size_t k = s->n_classes;
    double amax = -INFINITY, sum = 0;
    for (size_t c = 0; c < k; c++)
        if (s->count[c] > 0 && jll[c] > amax)
            amax = jll[c];
    if (!isfinite(amax))
        amax = 0;
    /* The joint log-likelihood matrix is Fortran-ordered in scikit-learn,
     * so its row sum runs over the classes in sequence. */
    for (size_t c = 0; c < k; c++)
        if (s->count[c] > 0)
            sum += exp(jll[c] - amax);
    double lse = log(sum) + amax;
    for (size_t c = 0; c < k; c++)
        out[c] = s->count[c] > 0 ? exp(jll[c] - lse) : 0.0;
}

static int nb_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                      double *out, fw_err *e)
{
    const nb_state *s = state;
    size_t k = s->n_classes, p = s->p;
    double *x = malloc((p + 1) * sizeof *x), *t = malloc((p + 1) * sizeof *t);
    double *jll = malloc((k + 1) * sizeof *jll);
    if (!x || !t || !jll) {
        free(x), free(t), free(jll);
        return fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < p; j++)
            x[j] = fw_mat_at(X, rows[i], j);
        for (size_t c = 0; c < k; c++) {
            const double *mu = s->theta + c * p, *v = s->var + c * p;
            for (size_t j = 0; j < p; j++) {
                double d = x[j] - mu[j];
                t[j] = d * d / v[j];
            }
            jll[c] = s->log_prior[c] + (s->log_norm[c] - 0.5 * fw_np_sum(t, p, 1));
        }
        normalise(s, jll, out + i * k);
    }
    free(x), free(t), free(jll);
    return FW_OK;
}

static int nb_save(const void *state, fw_sb *out, fw_err *e)
{
    const nb_state *s = state;
    size_t k = s->n_classes, p = s->p;
    fw_sb_appendn(out, (const char *)s, sizeof *s);
    fw_sb_appendn(out, (const char *)s->theta, k * p * sizeof(double));
    fw_sb_appendn(out, (const char *)s->var, k * p * sizeof(double));
    fw_sb_appendn(out, (const char *)s->count, k * sizeof(double));
    fw_sb_appendn(out, (const char *)s->log_prior, k * sizeof(double));
    fw_sb_appendn(out, (const char *)s->log_norm, k * sizeof(double));
    return out->oom ? fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory") : FW_OK;
}

static int nb_load(void *state, const void *buf, size_t n, fw_err *e)
{
    nb_state h, *s = state;
    if (n < sizeof h)
        return fw_err_set(e, FW_EINVAL, "gaussian_nb: saved model is truncated");
    memcpy(&h, buf, sizeof h);
    size_t k = h.n_classes, p = h.p;
    if (k > n || p > n || (k * p * 2 + k * 3) * sizeof(double) != n - sizeof h)
        return fw_err_set(e, FW_EINVAL, "gaussian_nb: saved model has the wrong size");
    if (!nb_alloc(s, k, p)) {
        nb_free(s);
        return fw_err_set(e, FW_ENOMEM, "gaussian_nb: out of memory");
    }
    s->epsilon = h.epsilon;
    const double *src = (const double *)((const char *)buf + sizeof h);
    double *dst[] = {s->theta, s->var, s->count, s->log_prior, s->log_norm};
    size_t len[] = {k * p, k * p, k, k, k};
    for (size_t a = 0; a < 5; a++) {
        memcpy(dst[a], src, len[a] * sizeof(double));
        src += len[a];
    }
    return FW_OK;
}

static void json_matrix(fw_sb *b, const char *key, const double *v, size_t rows, size_t cols)
{
    fw_sb_printf(b, "\"%s\": [", key);
    for (size_t r = 0; r < rows; r++) {
        fw_sb_append(b, r ? ", [" : "[");
        for (size_t c = 0; c < cols; c++) {
            if (c)
                fw_sb_append(b, ", ");
            fw_sb_json_num(b, v[r * cols + c]);
        }
        fw_sb_append(b, "]");
    }
    fw_sb_append(b, "]");
}

static int nb_describe(const void *state, fw_sb *out, fw_err *e)
{
    const nb_state *s = state;
    (void)e;
    fw_sb_append(out, "{");
    json_matrix(out, "theta", s->theta, s->n_classes, s->p);
    fw_sb_append(out, ", ");
    json_matrix(out, "var", s->var, s->n_classes, s->p);
    fw_sb_append(out, ", ");
    json_matrix(out, "class_count", s->count, 1, s->n_classes);
    fw_sb_append(out, ", \"epsilon\": ");
    fw_sb_json_num(out, s->epsilon);
    fw_sb_append(out, "}");
    return FW_OK;
}

const fw_model_type fw_model_gaussian_nb = {
    .name = "gaussian_nb",
    .summary = "Gaussian naive Bayes (scikit-learn's GaussianNB)",
    .caps = FW_CAP_CLASSIFY | FW_CAP_MULTICLASS | FW_CAP_PROBA | FW_CAP_WEIGHTS,
    .params = nb_params,
    .n_params = sizeof nb_params / sizeof nb_params[0],
    .state_size = sizeof(nb_state),
    .fit = nb_fit,
    .predict = nb_predict,
    .save = nb_save,
    .load = nb_load,
    .describe = nb_describe,
    .free_state = nb_free,
};
