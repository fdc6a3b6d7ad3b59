/* prep.c: per-fold preprocessing. Only the identity is built so far: any
 * other setting refuses with a clear error (the preprocessing work replaces
 * this file). */
#include <stdlib.h>
#include <string.h>

#include "foldwise/prep.h"

const char *const fw_impute_names[] = {"none", "mean", "median", "most_frequent", NULL};
const char *const fw_scale_names[] = {"none", "standard", "minmax", "robust", NULL};
const char *const fw_encode_names[] = {"onehot", "ordinal", NULL};
const char *const fw_resample_names[] = {"none", "oversample", "undersample", "smote", NULL};

int fw_prep_is_identity(const fw_prep_spec *s, const fw_dataset *d)
{
    int cat = 0;
    for (size_t j = 0; j < d->n_features; j++)
        cat |= d->cols[j].categorical;
    return s->impute == FW_IMPUTE_NONE && s->scale == FW_SCALE_NONE &&
           s->resample == FW_RESAMPLE_NONE && (!cat || s->encode == FW_ENCODE_ORDINAL);
}

struct fw_prep {
    size_t n_out;
};

int fw_prep_fit(const fw_prep_spec *s, const fw_dataset *d, const size_t *rows, size_t n,
                fw_prep **out, fw_err *e)
{
    (void)rows;
    (void)n;
    *out = NULL;
    if (!fw_prep_is_identity(s, d))
        return fw_err_set(e, FW_EUNSUP, "preprocess: imputing, scaling, one-hot encoding and "
                                        "resampling are not built yet");
    fw_prep *p = calloc(1, sizeof *p);
    if (!p)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    p->n_out = d->n_features;
    *out = p;
    return FW_OK;
}

size_t fw_prep_n_out(const fw_prep *p) { return p->n_out; }

const char *fw_prep_out_name(const fw_prep *p, size_t j)
{
    (void)p;
    (void)j;
    return NULL;
}

int fw_prep_transform(const fw_prep *p, const fw_dataset *d, const size_t *rows, size_t n,
                      double *out, fw_err *e)
{
    (void)e;
    for (size_t j = 0; j < p->n_out; j++)
        for (size_t i = 0; i < n; i++)
            out[j * n + i] = fw_dataset_col(d, j)[rows[i]];
    return FW_OK;
}

void fw_prep_free(fw_prep *p) { free(p); }

int fw_prep_resample(const fw_prep_spec *s, gsl_rng *rng, const double *X, size_t n, size_t p,
                     const double *y, const double *w, size_t n_classes, double **X_out,
                     double **y_out, double **w_out, size_t *n_out, fw_err *e)
{
    (void)s, (void)rng, (void)X, (void)n, (void)p, (void)y, (void)w, (void)n_classes;
    *X_out = *y_out = NULL;
    if (w_out)
        *w_out = NULL;
    *n_out = 0;
    return fw_err_set(e, FW_EUNSUP, "preprocess.resample is not built yet");
}

int fw_prep_save(const fw_prep *p, fw_sb *out, fw_err *e)
{
    (void)e;
    fw_sb_appendn(out, (const char *)&p->n_out, sizeof p->n_out);
    return FW_OK;
}

int fw_prep_load(const void *buf, size_t n, fw_prep **out, fw_err *e)
{
    *out = NULL;
    if (n != sizeof(size_t))
        return fw_err_set(e, FW_EINVAL, "saved preprocessing is damaged");
    fw_prep *p = calloc(1, sizeof *p);
    if (!p)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    memcpy(&p->n_out, buf, sizeof p->n_out);
    *out = p;
    return FW_OK;
}
