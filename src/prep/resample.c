/* resample.c: rebalancing the transformed training rows of a split, as
 * imbalanced-learn's samplers with their default strategies do:
 *   oversample   RandomOverSampler: rows of every class other than the
 *                majority drawn with replacement up to the majority count;
 *   undersample  RandomUnderSampler: every class other than the minority
 *                cut, without replacement, to the minority count;
 *   smote        SMOTE: for every class other than the majority,
 *                (majority - count) new rows x + u (x_nn - x), with x a
 *                uniformly drawn row of the class, x_nn one of its smote_k
 *                nearest same-class neighbours (euclidean, on the
 *                transformed features), u uniform in [0, 1).
 * Original rows come first, in order, then the added rows class by class;
 * undersampling keeps a subset in original order. Added rows carry the
 * weight of the row they copy (SMOTE: of x). Classes absent from the
 * training rows stay absent. Randomness comes only from the given stream. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>

#include "prep_int.h"

static void class_rows_free(fw_class_rows *cr)
{
    free(cr->start);
    free(cr->order);
}

static int class_rows_build(const double *y, size_t n, size_t n_classes, fw_class_rows *cr,
                            fw_err *e)
{
    cr->n_classes = n_classes;
    cr->start = calloc(n_classes + 1, sizeof *cr->start);
    cr->order = malloc((n ? n : 1) * sizeof *cr->order);
    if (!cr->start || !cr->order)
        return fw_err_set(e, FW_ENOMEM, "preprocess.resample: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < (double)n_classes && y[i] == floor(y[i])))
            return fw_err_set(e, FW_EINVAL, "preprocess.resample: row %zu has no valid class "
                              "label", i);
        cr->start[(size_t)y[i] + 1]++;
    }
    for (size_t c = 0; c < n_classes; c++)
        cr->start[c + 1] += cr->start[c];
    size_t *fill = malloc((n_classes ? n_classes : 1) * sizeof *fill);
    if (!fill)
        return fw_err_set(e, FW_ENOMEM, "preprocess.resample: out of memory");
    memcpy(fill, cr->start, n_classes * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        cr->order[fill[(size_t)y[i]]++] = i;
    free(fill);
    return FW_OK;
}


size_t fw_prep_extreme_count(const fw_class_rows *cr, int largest)
{
    size_t best = 0;
    for (size_t c = 0; c < cr->n_classes; c++) {
        size_t k = fw_prep_class_count(cr, c);
        if (k > 0 && (best == 0 || (largest ? k > best : k < best)))
            best = k;
    }
    return best;
}

int fw_prep_resampled_alloc(fw_resampled *r, size_t n, size_t p, int weighted, fw_err *e)
{
    r->n = n;
    r->X = malloc((n * p > 0 ? n * p : 1) * sizeof *r->X);
    r->y = malloc((n ? n : 1) * sizeof *r->y);
    r->w = weighted ? malloc((n ? n : 1) * sizeof *r->w) : NULL;
    if (!r->X || !r->y || (weighted && !r->w))
        return fw_err_set(e, FW_ENOMEM, "preprocess.resample: out of memory for %zu rows", n);
    return FW_OK;
}

/* Row i of the output is row src[i] of the input. */
static void gather(const double *X, size_t n, size_t p, const double *y, const double *w,
                   const size_t *src, fw_resampled *r)
{
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < r->n; i++)
            r->X[j * r->n + i] = X[j * n + src[i]];
    for (size_t i = 0; i < r->n; i++) {
        r->y[i] = y[src[i]];
        if (r->w)
            r->w[i] = w[src[i]];
    }
}

/* Oversampling: every row, then draws with replacement per class. */
static size_t *plan_over(const fw_class_rows *cr, size_t n, gsl_rng *rng, size_t *n_out)
{
    size_t major = fw_prep_extreme_count(cr, 1), total = n;
    for (size_t c = 0; c < cr->n_classes; c++)
        total += fw_prep_class_count(cr, c) ? major - fw_prep_class_count(cr, c) : 0;
    size_t *src = malloc((total ? total : 1) * sizeof *src), at = n;
    if (!src)
        return NULL;
    for (size_t i = 0; i < n; i++)
        src[i] = i;
    for (size_t c = 0; c < cr->n_classes; c++) {
        size_t k = fw_prep_class_count(cr, c);
        for (size_t t = 0; k && t < major - k; t++)
            src[at++] = cr->order[cr->start[c] + gsl_rng_uniform_int(rng, k)];
    }
    *n_out = total;
    return src;
}

/* Undersampling: a uniform subset of each class, in original order. */
static size_t *plan_under(const fw_class_rows *cr, size_t n, gsl_rng *rng, size_t *n_out)
{
    size_t minor = fw_prep_extreme_count(cr, 0), at = 0;
    unsigned char *keep = calloc(n ? n : 1, 1);
    size_t *pick = malloc((minor ? minor : 1) * sizeof *pick);
    size_t *src = malloc((n ? n : 1) * sizeof *src);
    if (!keep || !pick || !src) {
        free(keep), free(pick), free(src);
        return NULL;
    }
    for (size_t c = 0; c < cr->n_classes; c++) {
        size_t k = fw_prep_class_count(cr, c);
        if (k == 0)
            continue;
        /* gsl_ran_choose keeps the chosen rows in their input order. */
        gsl_ran_choose(rng, pick, minor, cr->order + cr->start[c], k, sizeof *pick);
        for (size_t t = 0; t < minor; t++)
            keep[pick[t]] = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            src[at++] = i;
    free(keep);
    free(pick);
    *n_out = at;
    return src;
}

static int resample_by_plan(int kind, gsl_rng *rng, const double *X, size_t n, size_t p,
                            const double *y, const double *w, const fw_class_rows *cr,
                            fw_resampled *r, fw_err *e)
{
    size_t n_out = 0;
    size_t *src = kind == FW_RESAMPLE_OVER ? plan_over(cr, n, rng, &n_out)
                                           : plan_under(cr, n, rng, &n_out);
    if (!src)
        return fw_err_set(e, FW_ENOMEM, "preprocess.resample: out of memory");
    int rc = fw_prep_resampled_alloc(r, n_out, p, w != NULL, e);
    if (!rc)
        gather(X, n, p, y, w, src, r);
    free(src);
    return rc;
}

int fw_prep_resample(const fw_prep_spec *s, gsl_rng *rng, const double *X, size_t n, size_t p,
                     const double *y, const double *w, size_t n_classes, double **X_out,
                     double **y_out, double **w_out, size_t *n_out, fw_err *e)
{
    *X_out = *y_out = NULL;
    if (w_out)
        *w_out = NULL;
    *n_out = 0;
    if (s->resample == FW_RESAMPLE_NONE || s->resample > FW_RESAMPLE_SMOTE)
        return fw_err_set(e, FW_EINVAL, "preprocess.resample: nothing to do for '%s'",
                          s->resample == FW_RESAMPLE_NONE ? "none" : "unknown");
    if (n_classes == 0)
        return fw_err_set(e, FW_EINVAL, "preprocess.resample: %s needs class labels; a "
                          "regression target cannot be resampled",
                          fw_resample_names[s->resample]);
    fw_class_rows cr = {0};
    fw_resampled r = {0};
    const double *wi = w_out ? w : NULL;
    int rc = class_rows_build(y, n, n_classes, &cr, e);
    if (!rc && s->resample == FW_RESAMPLE_SMOTE)
        rc = fw_prep_smote(X, n, p, y, wi, &cr, s->smote_k, rng, &r, e);
    else if (!rc)
        rc = resample_by_plan(s->resample, rng, X, n, p, y, wi, &cr, &r, e);
    class_rows_free(&cr);
    if (rc) {
        free(r.X), free(r.y), free(r.w);
        return rc;
    }
    *X_out = r.X;
    *y_out = r.y;
    if (w_out)
        *w_out = r.w;
    *n_out = r.n;
    return FW_OK;
}
