/* prep.c: fitting a split's preprocessing on its training rows and
 * applying it to any rows (training, test, or another dataset's rows at
 * predict time).
 *
 * Numeric columns: impute (impute.c), then scale (scale.c). Categorical
 * columns: impute with the most frequent training level (whatever
 * preprocess.impute names, unless it is none), then one-hot or ordinal
 * (encode.c). Output columns keep the dataset's column order, a one-hot
 * column expanding in place into one column per level seen in training.
 * A column with no value at all in the training rows is imputed with 0
 * (scikit-learn would drop it; foldwise keeps the output width fixed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep_int.h"

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

/* One warning per process: in cross-validation the same column would
 * otherwise warn once per split and configuration. */
static void warn_empty(const char *name)
{
    static int warned;
    if (warned)
        return;
    warned = 1;
    fw_warn("preprocess.impute: column '%s' has no value in the training rows of a split: "
            "imputing 0 there (further such warnings are not shown)", name);
}

static int check_spec(const fw_prep_spec *s, const fw_dataset *d, size_t n, fw_err *e)
{
    if (s->impute < 0 || s->impute > FW_IMPUTE_MOST_FREQUENT || s->scale < 0 ||
        s->scale > FW_SCALE_ROBUST || s->encode < 0 || s->encode > FW_ENCODE_ORDINAL ||
        s->resample < 0 || s->resample > FW_RESAMPLE_SMOTE)
        return fw_err_set(e, FW_EINVAL, "preprocess: unknown setting");
    if (s->resample != FW_RESAMPLE_NONE && d->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "preprocess.resample: %s needs class labels, but the "
                          "target '%s' is a regression target (use resample: none)",
                          fw_resample_names[s->resample], d->target_name ? d->target_name : "");
    if (s->resample == FW_RESAMPLE_SMOTE && s->smote_k < 1)
        return fw_err_set(e, FW_EINVAL, "preprocess.smote_k must be at least 1 (got %d)",
                          s->smote_k);
    if (n == 0)
        return fw_err_set(e, FW_EINVAL, "preprocess: no training rows to fit on");
    return FW_OK;
}

static void fit_numeric(fw_prep_col *c, const fw_prep_spec *s, const double *col,
                        const size_t *rows, size_t n, double *buf)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = col[rows[i]];
    if (!fw_prep_numeric_fill(s->impute, buf, n, &c->fill)) {
        c->fill = 0.0;
        warn_empty(c->name);
    }
    for (size_t i = 0; i < n; i++) {
        double x = col[rows[i]];
        buf[i] = isnan(x) ? c->fill : x;
    }
    fw_prep_scale_fit(s->scale, buf, n, &c->a, &c->b);
}

static int fit_categorical(fw_prep_col *c, const fw_prep_spec *s, const fw_column *src,
                           const double *col, const size_t *rows, size_t n, double *buf,
                           size_t *counts, fw_err *e)
{
    c->n_levels = src->n_levels;
    c->levels = calloc(c->n_levels ? c->n_levels : 1, sizeof *c->levels);
    if (!c->levels)
        return fw_err_set(e, FW_ENOMEM, "out of memory fitting column '%s'", c->name);
    for (size_t l = 0; l < c->n_levels; l++)
        if (!(c->levels[l] = fw_strdup(src->levels[l])))
            return fw_err_set(e, FW_ENOMEM, "out of memory fitting column '%s'", c->name);
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        buf[i] = col[rows[i]];
        missing += isnan(buf[i]) != 0;
    }
    long mode = fw_prep_mode_code(buf, n, c->n_levels, counts);
    c->fill = NAN;
    if (s->impute != FW_IMPUTE_NONE && c->n_levels > 0) {
        if (mode < 0) {
            mode = 0;
            warn_empty(c->name);
        }
        c->fill = (double)mode;
        counts[mode] += missing;
    }
    return fw_prep_encode_fit(c, s->encode, counts, e);
}

static int fit_columns(fw_prep *p, const fw_dataset *d, const size_t *rows, size_t n,
                       fw_err *e)
{
    size_t max_levels = 1;
    for (size_t j = 0; j < d->n_features; j++)
        if (d->cols[j].categorical && d->cols[j].n_levels > max_levels)
            max_levels = d->cols[j].n_levels;
    double *buf = malloc(n * sizeof *buf);
    size_t *counts = malloc(max_levels * sizeof *counts);
    int rc = FW_OK;
    if (!buf || !counts)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory fitting the preprocessing");
    for (size_t j = 0; j < d->n_features && rc == FW_OK; j++) {
        fw_prep_col *c = &p->cols[j];
        const fw_column *src = &d->cols[j];
        c->hint = j;
        c->categorical = src->categorical;
        if (!(c->name = fw_strdup(src->name))) {
            rc = fw_err_set(e, FW_ENOMEM, "out of memory fitting the preprocessing");
            break;
        }
        if (c->categorical)
            rc = fit_categorical(c, &p->spec, src, fw_dataset_col(d, j), rows, n, buf, counts,
                                 e);
        else
            fit_numeric(c, &p->spec, fw_dataset_col(d, j), rows, n, buf);
    }
    free(buf);
    free(counts);
    return rc;
}

int fw_prep_fit(const fw_prep_spec *s, const fw_dataset *d, const size_t *rows, size_t n,
                fw_prep **out, fw_err *e)
{
    *out = NULL;
    int rc = check_spec(s, d, n, e);
    if (rc)
        return rc;
    fw_prep *p = calloc(1, sizeof *p);
    if (!p)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    p->spec = *s;
    p->n_cols = d->n_features;
    p->cols = calloc(p->n_cols ? p->n_cols : 1, sizeof *p->cols);
    if (!p->cols)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    if (!rc)
        rc = fit_columns(p, d, rows, n, e);
    if (!rc)
        rc = fw_prep_name_outputs(p, e);
    if (rc) {
        fw_prep_free(p);
        return rc;
    }
    *out = p;
    return FW_OK;
}

int fw_prep_name_outputs(fw_prep *p, fw_err *e)
{
    size_t n_out = 0;
    for (size_t j = 0; j < p->n_cols; j++) {
        fw_prep_col *c = &p->cols[j];
        c->out = n_out;
        n_out += c->categorical && p->spec.encode == FW_ENCODE_ONEHOT ? c->n_onehot : 1;
    }
    p->n_out = n_out;
    p->out_names = calloc(n_out ? n_out : 1, sizeof *p->out_names);
    if (!p->out_names)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t j = 0; j < p->n_cols; j++) {
        const fw_prep_col *c = &p->cols[j];
        if (!(c->categorical && p->spec.encode == FW_ENCODE_ONEHOT)) {
            if (!(p->out_names[c->out] = fw_strdup(c->name)))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
            continue;
        }
        for (size_t l = 0; l < c->n_levels; l++) {
            if (c->slot[l] < 0)
                continue;
            fw_sb sb;
            fw_sb_init(&sb);
            fw_sb_printf(&sb, "%s=%s", c->name, c->levels[l]);
            if (!(p->out_names[c->out + (size_t)c->slot[l]] = fw_sb_take(&sb)))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
        }
    }
    return FW_OK;
}

size_t fw_prep_n_out(const fw_prep *p) { return p->n_out; }

const char *fw_prep_out_name(const fw_prep *p, size_t j)
{
    return j < p->n_out ? p->out_names[j] : NULL;
}

/* The column of d a fitted column reads: same position when the names
 * agree (the usual case), else looked up by name. */
static int find_source(const fw_prep_col *c, const fw_dataset *d, size_t *j, fw_err *e)
{
    if (c->hint < d->n_features && strcmp(d->cols[c->hint].name, c->name) == 0) {
        *j = c->hint;
    } else {
        long k = fw_dataset_find_col(d, c->name);
        if (k < 0)
            return fw_err_set(e, FW_EINVAL, "column '%s', used when the preprocessing was "
                              "fitted, is not in the data", c->name);
        *j = (size_t)k;
    }
    if (d->cols[*j].categorical != c->categorical)
        return fw_err_set(e, FW_EINVAL, "column '%s' was %s when the preprocessing was fitted "
                          "but is %s here (list it in data.categorical or data.numeric)",
                          c->name, c->categorical ? "categorical" : "numeric",
                          c->categorical ? "numeric" : "categorical");
    return FW_OK;
}

static void transform_numeric(const fw_prep_col *c, int scale, const double *col,
                              const size_t *rows, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        double x = col[rows[i]];
        out[i] = fw_prep_scale_apply(scale, c->a, c->b, isnan(x) ? c->fill : x);
    }
}

static int transform_categorical(const fw_prep_col *c, int encode, const fw_column *src,
                                 const double *col, const size_t *rows, size_t n,
                                 double *codes, double *out, fw_err *e)
{
    long *map;
    int rc = fw_prep_level_map(c, src, &map, e);
    if (rc)
        return rc;
    /* A missing cell is imputed; a level the fit never saw is a row of
     * zeros under one-hot, and imputed like a missing cell under ordinal. */
    double unseen = encode == FW_ENCODE_ONEHOT ? NAN : c->fill;
    for (size_t i = 0; i < n; i++) {
        double x = col[rows[i]];
        long m = isnan(x) || x < 0 || x >= (double)src->n_levels ? -1 : map[(size_t)x];
        codes[i] = isnan(x) ? c->fill : m < 0 ? unseen : (double)m;
    }
    free(map);
    fw_prep_encode_write(c, encode, codes, n, out);
    return FW_OK;
}

int fw_prep_transform(const fw_prep *p, const fw_dataset *d, const size_t *rows, size_t n,
                      double *out, fw_err *e)
{
    double *codes = malloc((n ? n : 1) * sizeof *codes);
    if (!codes)
        return fw_err_set(e, FW_ENOMEM, "out of memory transforming %zu rows", n);
    int rc = FW_OK;
    for (size_t k = 0; k < p->n_cols && rc == FW_OK; k++) {
        const fw_prep_col *c = &p->cols[k];
        size_t j = 0;
        if ((rc = find_source(c, d, &j, e)))
            break;
        double *o = out + c->out * n;
        if (c->categorical)
            rc = transform_categorical(c, p->spec.encode, &d->cols[j], fw_dataset_col(d, j),
                                       rows, n, codes, o, e);
        else
            transform_numeric(c, p->spec.scale, fw_dataset_col(d, j), rows, n, o);
    }
    free(codes);
    return rc;
}

void fw_prep_col_clear(fw_prep_col *c)
{
    free(c->name);
    for (size_t l = 0; c->levels && l < c->n_levels; l++)
        free(c->levels[l]);
    free(c->levels);
    free(c->slot);
    memset(c, 0, sizeof *c);
}

void fw_prep_free(fw_prep *p)
{
    if (!p)
        return;
    for (size_t j = 0; p->cols && j < p->n_cols; j++)
        fw_prep_col_clear(&p->cols[j]);
    free(p->cols);
    for (size_t j = 0; p->out_names && j < p->n_out; j++)
        free(p->out_names[j]);
    free(p->out_names);
    free(p);
}
