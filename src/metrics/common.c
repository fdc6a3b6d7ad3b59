/* common.c: input checks, numpy-order summation and averaging, a stable
 * merge sort and the weighted confusion matrix shared by the metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_int.h"

/* ---- input checks --------------------------------------------------------- */

static int check_codes(const char *name, const char *what, const double *v, size_t n,
                       size_t k, fw_err *e)
{
    for (size_t i = 0; i < n; i++) {
        double c = v[i];
        if (!(c >= 0 && c < (double)k) || c != floor(c))
            return fw_err_set(e, FW_EINVAL,
                              "metric '%s': %s[%zu] = %g is not a class code 0..%zu", name,
                              what, i, c, k - 1);
    }
    return FW_OK;
}

static int check_finite(const char *name, const char *what, const double *v, size_t n,
                        fw_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return fw_err_set(e, FW_EINVAL, "metric '%s': %s[%zu] is not finite (%g)", name,
                              what, i, v[i]);
    return FW_OK;
}

static int check_scores(const char *name, const fw_metric_input *in, unsigned what,
                        fw_err *e)
{
    if (!in->score)
        return fw_err_set(e, FW_EINVAL, "metric '%s' needs scores, but none were given",
                          name);
    if ((what & FW_MCHK_PROBA) && !in->is_proba)
        return fw_err_set(e, FW_EINVAL,
                          "metric '%s' needs probabilities, but the scores are decision "
                          "values (the model has no predict_proba)",
                          name);
    size_t m = in->n * in->n_classes;
    int rc = check_finite(name, "score", in->score, m, e);
    if (rc || !(what & FW_MCHK_PROBA))
        return rc;
    for (size_t i = 0; i < m; i++)
        if (in->score[i] < 0 || in->score[i] > 1)
            return fw_err_set(e, FW_EINVAL,
                              "metric '%s': probability at row %zu, class %zu is %g, "
                              "outside [0, 1]",
                              name, i / in->n_classes, i % in->n_classes, in->score[i]);
    return FW_OK;
}

static int check_weights(const char *name, const fw_metric_input *in, fw_err *e)
{
    if (!in->weight)
        return FW_OK;
    int rc = check_finite(name, "weight", in->weight, in->n, e);
    if (rc)
        return rc;
    if (fw_metric_sum(in->weight, in->n, 1) == 0)
        return fw_err_set(e, FW_EINVAL, "metric '%s': sample weights sum to zero", name);
    return FW_OK;
}

static int check_classification(const char *name, const fw_metric_input *in, unsigned what,
                                fw_err *e)
{
    if (in->n_classes < 2)
        return fw_err_set(e, FW_EINVAL, "metric '%s': n_classes is %zu, need at least 2",
                          name, in->n_classes);
    if ((what & FW_MCHK_BINARY) && in->n_classes != 2)
        return fw_err_set(e, FW_EINVAL,
                          "metric '%s' is binary-only, but the target has %zu classes", name,
                          in->n_classes);
    if (in->positive < 0 || (size_t)in->positive >= in->n_classes)
        return fw_err_set(e, FW_EINVAL, "metric '%s': positive class %d is not in 0..%zu",
                          name, in->positive, in->n_classes - 1);
    int rc = check_codes(name, "y_true", in->y_true, in->n, in->n_classes, e);
    if (!rc && !(what & FW_MCHK_NOPRED))
        rc = check_codes(name, "y_pred", in->y_pred, in->n, in->n_classes, e);
    return rc;
}

int fw_metric_input_check(const char *name, const fw_metric_input *in, unsigned what,
                          fw_err *e)
{
    if (!in || in->n == 0 || !in->y_true || (!in->y_pred && !(what & FW_MCHK_NOPRED)))
        return fw_err_set(e, FW_EINVAL, "metric '%s': no rows to score", name);
    int rc;
    if (what & FW_MCHK_CLASSES)
        rc = check_classification(name, in, what, e);
    else {
        rc = check_finite(name, "y_true", in->y_true, in->n, e);
        if (!rc)
            rc = check_finite(name, "y_pred", in->y_pred, in->n, e);
    }
    if (!rc && (what & FW_MCHK_SCORE))
        rc = check_scores(name, in, what, e);
    if (!rc)
        rc = check_weights(name, in, e);
    return rc;
}

/* ---- summation ------------------------------------------------------------ */

/* np.sum's order (core): our sums round exactly as scikit-learn's do. */
double fw_metric_sum(const double *a, size_t n, size_t stride)
{
    return fw_np_sum(a, n, stride);
}

double fw_metric_average(const double *a, const double *w, size_t n, double *tmp)
{
    if (!w)
        return fw_metric_sum(a, n, 1) / (double)n;
    for (size_t i = 0; i < n; i++)
        tmp[i] = a[i] * w[i];
    return fw_metric_sum(tmp, n, 1) / fw_metric_sum(w, n, 1);
}

int fw_metric_average_alloc(const double *a, const double *w, size_t n, double *out,
                            fw_err *e)
{
    double *tmp = NULL;
    if (w && !(tmp = malloc(n * sizeof *tmp)))
        return fw_err_set(e, FW_ENOMEM, "out of memory averaging %zu values", n);
    *out = fw_metric_average(a, w, n, tmp);
    free(tmp);
    return FW_OK;
}

/* ---- stable merge sort ---------------------------------------------------- */

typedef struct sort_ctx {
    const double *key;
    size_t stride;
    int desc;
} sort_ctx;

/* Whether index b must come before index a (strictly), keeping ties stable. */
static int goes_before(const sort_ctx *c, size_t b, size_t a)
{
    double kb = c->key[b * c->stride], ka = c->key[a * c->stride];
    return c->desc ? kb > ka : kb < ka;
}

static void merge_sort(const sort_ctx *c, size_t *v, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(c, v, tmp, h);
    merge_sort(c, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = goes_before(c, v[j], v[i]) ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int fw_metric_argsort(const double *key, size_t stride, size_t n, int desc, size_t *idx,
                      fw_err *e)
{
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return fw_err_set(e, FW_ENOMEM, "out of memory sorting %zu scores", n);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_ctx c = {key, stride, desc};
    merge_sort(&c, idx, tmp, n);
    free(tmp);
    return FW_OK;
}

/* ---- confusion matrix ----------------------------------------------------- */

int fw_metric_confusion(const fw_metric_input *in, double **C, size_t *L, fw_err *e)
{
    size_t K = in->n_classes, m = 0;
    *C = NULL;
    *L = 0;
    size_t *map = malloc(K * sizeof *map);
    if (!map)
        return fw_err_set(e, FW_ENOMEM, "out of memory for %zu classes", K);
    for (size_t k = 0; k < K; k++)
        map[k] = (size_t)-1;
    for (size_t i = 0; i < in->n; i++)
        map[(size_t)in->y_true[i]] = map[(size_t)in->y_pred[i]] = 0;
    for (size_t k = 0; k < K; k++)
        if (map[k] != (size_t)-1)
            map[k] = m++;
    double *c = calloc(m * m, sizeof *c);
    if (!c) {
        free(map);
        return fw_err_set(e, FW_ENOMEM, "out of memory for a %zu x %zu confusion matrix", m,
                          m);
    }
    for (size_t i = 0; i < in->n; i++) {
        size_t t = map[(size_t)in->y_true[i]], p = map[(size_t)in->y_pred[i]];
        c[t * m + p] += in->weight ? in->weight[i] : 1.0;
    }
    free(map);
    *C = c;
    *L = m;
    return FW_OK;
}

int fw_metric_count_true_classes(const fw_metric_input *in, size_t *count, fw_err *e)
{
    size_t K = in->n_classes, seen = 0;
    unsigned char *mark = calloc(K, 1);
    if (!mark)
        return fw_err_set(e, FW_ENOMEM, "out of memory counting %zu classes", K);
    for (size_t i = 0; i < in->n && seen < K; i++) {
        size_t t = (size_t)in->y_true[i];
        if (!mark[t]) {
            mark[t] = 1;
            seen++;
        }
    }
    free(mark);
    *count = seen;
    return FW_OK;
}
