/* dummy.c: scikit-learn's DummyClassifier / DummyRegressor, the baseline
 * every other model must beat.
 *
 * Classification: most_frequent (one-hot of the weighted-majority class),
 * prior (the weighted class prior), stratified (a random class per row drawn
 * from the prior), uniform (equal probabilities; a random class).
 * Regression: mean, median (weighted when sample weights are given).
 * "auto" means prior for classification and mean for regression, as
 * scikit-learn's defaults.
 *
 * The random strategies draw each row's class from a stream keyed on
 * (fit seed, row index), so a row's prediction does not depend on which
 * other rows are predicted with it (scikit-learn draws in sequence instead;
 * the distribution is the same). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>

#include "foldwise/data.h"
#include "foldwise/model.h"

enum { S_AUTO, S_MOST_FREQUENT, S_PRIOR, S_STRATIFIED, S_UNIFORM, S_MEAN, S_MEDIAN };
static const char *const strategies[] = {"auto", "most_frequent", "prior", "stratified",
                                         "uniform", "mean", "median", NULL};

static const fw_param_spec dummy_params[] = {
    {.name = "strategy", .kind = FW_PARAM_CHOICE, .def_choice = "auto", .choices = strategies,
     .help = "prediction rule (auto = prior / mean)"},
};

typedef struct dummy_state {
    int strategy;
    int task;
    size_t n_classes;
    double value;        /* regression prediction */
    double *prior;       /* classification: n_classes probabilities */
    int majority;
    uint64_t seed;
} dummy_state;

static int dummy_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    int s = cfg[0].choice;
    int cls = info->task == FW_TASK_CLASSIFICATION;
    if (cls && (s == S_MEAN || s == S_MEDIAN))
        return fw_err_set(e, FW_EINVAL, "dummy: strategy %s is for regression", strategies[s]);
    if (!cls && s != S_AUTO && s != S_MEAN && s != S_MEDIAN)
        return fw_err_set(e, FW_EINVAL, "dummy: strategy %s is for classification",
                          strategies[s]);
    return FW_OK;
}

static double weighted_median(const fw_fit_data *d, fw_err *e, int *rc)
{
    size_t n = d->n;
    double *v = malloc(n * sizeof *v);
    size_t *ord = malloc(n * sizeof *ord);
    double med = NAN;
    *rc = FW_OK;
    if (!v || !ord) {
        *rc = fw_err_set(e, FW_ENOMEM, "dummy: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = d->y[d->rows[i]];
    if (!d->w) {
        gsl_sort(v, 1, n);
        med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        goto cleanup;
    }
    /* scikit-learn's _weighted_percentile(50): the smallest value whose
     * cumulative weight reaches half the total. */
    gsl_sort_index(ord, v, 1, n);
    double total = 0, acc = 0;
    for (size_t i = 0; i < n; i++)
        total += d->w[d->rows[i]];
    for (size_t i = 0; i < n; i++) {
        acc += d->w[d->rows[ord[i]]];
        if (acc >= 0.5 * total) {
            med = v[ord[i]];
            break;
        }
    }
cleanup:
    free(v);
    free(ord);
    return med;
}

static int dummy_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                     fw_err *e)
{
    dummy_state *s = state;
    s->strategy = cfg[0].choice;
    s->task = d->task;
    s->seed = ctx->rng ? gsl_rng_get(ctx->rng) : 0;
    if (d->n == 0)
        return fw_err_set(e, FW_EINVAL, "dummy: no training rows");
    if (d->task == FW_TASK_REGRESSION) {
        if (s->strategy == S_AUTO)
            s->strategy = S_MEAN;
        if (s->strategy == S_MEDIAN) {
            int rc;
            s->value = weighted_median(d, e, &rc);
            return rc;
        }
        double sw = 0, sy = 0;
        for (size_t i = 0; i < d->n; i++) {
            double w = d->w ? d->w[d->rows[i]] : 1.0;
            sw += w;
            sy += w * d->y[d->rows[i]];
        }
        s->value = sy / sw;
        return FW_OK;
    }
    if (s->strategy == S_AUTO)
        s->strategy = S_PRIOR;
    s->n_classes = d->n_classes;
    s->prior = calloc(d->n_classes, sizeof *s->prior);
    if (!s->prior)
        return fw_err_set(e, FW_ENOMEM, "dummy: out of memory");
    double total = 0;
    for (size_t i = 0; i < d->n; i++) {
        double w = d->w ? d->w[d->rows[i]] : 1.0;
        s->prior[(size_t)d->y[d->rows[i]]] += w;
        total += w;
    }
    s->majority = 0;
    for (size_t c = 0; c < d->n_classes; c++) {
        s->prior[c] /= total;
        if (s->prior[c] > s->prior[s->majority])
            s->majority = (int)c;
    }
    return FW_OK;
}

/* Class of row `row` for the random strategies, from its own stream. */
static size_t dummy_draw(const dummy_state *s, size_t row, gsl_rng *r)
{
    fw_rng_reseed(r, s->seed, (uint64_t)row);
    double u = gsl_rng_uniform(r);
    if (s->strategy == S_UNIFORM)
        return (size_t)(u * (double)s->n_classes);
    double acc = 0;
    for (size_t c = 0; c < s->n_classes; c++) {
        acc += s->prior[c];
        if (u < acc)
            return c;
    }
    return s->n_classes - 1;
}

static int dummy_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                         double *out, fw_err *e)
{
    const dummy_state *s = state;
    (void)X;
    if (s->task == FW_TASK_REGRESSION) {
        for (size_t i = 0; i < n; i++)
            out[i] = s->value;
        return FW_OK;
    }
    size_t k = s->n_classes;
    gsl_rng *r = NULL;
    if (s->strategy == S_STRATIFIED || s->strategy == S_UNIFORM) {
        r = gsl_rng_alloc(gsl_rng_mt19937);
        if (!r)
            return fw_err_set(e, FW_ENOMEM, "dummy: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        double *o = out + i * k;
        size_t row = rows ? rows[i] : i;
        for (size_t c = 0; c < k; c++)
            o[c] = 0.0;
        if (s->strategy == S_PRIOR) {
            memcpy(o, s->prior, k * sizeof *o);
        } else if (s->strategy == S_MOST_FREQUENT) {
            o[s->majority] = 1.0;
        } else if (s->strategy == S_UNIFORM) {
            /* predict_proba is uniform; the predicted label is random. A tiny
             * bump on the drawn class makes argmax pick it. */
            for (size_t c = 0; c < k; c++)
                o[c] = 1.0 / (double)k;
            o[dummy_draw(s, row, r)] += 1e-12;
        } else {
            o[dummy_draw(s, row, r)] = 1.0;
        }
    }
    gsl_rng_free(r);
    return FW_OK;
}

static int dummy_save(const void *state, fw_sb *out, fw_err *e)
{
    const dummy_state *s = state;
    (void)e;
    fw_sb_appendn(out, (const char *)s, sizeof *s);
    if (s->task == FW_TASK_CLASSIFICATION)
        fw_sb_appendn(out, (const char *)s->prior, s->n_classes * sizeof *s->prior);
    return FW_OK;
}

static int dummy_load(void *state, const void *buf, size_t n, fw_err *e)
{
    dummy_state *s = state;
    if (n < sizeof *s)
        return fw_err_set(e, FW_EINVAL, "dummy: saved model is truncated");
    memcpy(s, buf, sizeof *s);
    s->prior = NULL;
    if (s->task != FW_TASK_CLASSIFICATION)
        return FW_OK;
    if (n != sizeof *s + s->n_classes * sizeof *s->prior)
        return fw_err_set(e, FW_EINVAL, "dummy: saved model has the wrong size");
    s->prior = malloc(s->n_classes * sizeof *s->prior);
    if (!s->prior)
        return fw_err_set(e, FW_ENOMEM, "dummy: out of memory");
    memcpy(s->prior, (const char *)buf + sizeof *s, s->n_classes * sizeof *s->prior);
    return FW_OK;
}

static void dummy_free(void *state)
{
    dummy_state *s = state;
    free(s->prior);
    s->prior = NULL;
}

const fw_model_type fw_model_dummy = {
    .name = "dummy",
    .summary = "baseline: class prior / majority / random, or mean / median",
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA |
            FW_CAP_MISSING | FW_CAP_WEIGHTS | FW_CAP_RANDOM,
    .params = dummy_params,
    .n_params = sizeof dummy_params / sizeof dummy_params[0],
    .state_size = sizeof(dummy_state),
    .check = dummy_check,
    .fit = dummy_fit,
    .predict = dummy_predict,
    .save = dummy_save,
    .load = dummy_load,
    .free_state = dummy_free,
};
