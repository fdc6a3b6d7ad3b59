/* smote.c: SMOTE (Chawla et al. 2002) as imbalanced-learn's SMOTE draws it:
 * each new row of class c is x + u (x_nn - x), x drawn uniformly among the
 * class's training rows, x_nn drawn uniformly among x's smote_k nearest
 * other rows of the same class (euclidean on the transformed features), u
 * uniform in [0, 1). Distances come from a blocked dgemm
 * (|a|^2 + |b|^2 - 2 a.b), ties going to the lower row.
 *
 * A class with no more than smote_k rows uses all its other rows as
 * neighbours (imbalanced-learn refuses instead; in cross-validation one
 * small fold would fail the whole configuration), and a class of one row
 * is copied. Both warn once per process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "prep_int.h"

/* Doubles in one block of the distance matrix (32 MiB). */
#define SMOTE_BLOCK (1u << 22)

static void warn_small(size_t c, size_t count, int k)
{
    static int warned;
    if (warned)
        return;
    warned = 1;
    fw_warn("preprocess.resample: smote: class %zu has %zu training rows, not more than "
            "smote_k = %d: using %zu neighbours (further such warnings are not shown)",
            c, count, k, count ? count - 1 : 0);
}

/* Insert (d, j) into the ascending list of the k best (dist, idx) seen so
 * far (len of them); equal distances keep the earlier row first. */
static void keep_best(double *dist, size_t *idx, size_t *len, size_t k, double d, size_t j)
{
    if (*len == k && !(d < dist[k - 1]))
        return;
    size_t at = *len < k ? (*len)++ : k - 1;
    while (at > 0 && d < dist[at - 1]) {
        dist[at] = dist[at - 1];
        idx[at] = idx[at - 1];
        at--;
    }
    dist[at] = d;
    idx[at] = j;
}

/* nn[i * k ...] = the k nearest other rows of row i of A (m x p,
 * row-major), nearest first. */
static int nearest(const double *A, size_t m, size_t p, size_t k, size_t *nn, fw_err *e)
{
    size_t block = SMOTE_BLOCK / (m ? m : 1);
    block = block < 1 ? 1 : block > 256 ? 256 : block;
    double *norm = malloc(m * sizeof *norm), *G = malloc(block * m * sizeof *G);
    double *dist = malloc(k * sizeof *dist);
    if (!norm || !G || !dist) {
        free(norm), free(G), free(dist);
        return fw_err_set(e, FW_ENOMEM, "preprocess.resample: smote: out of memory");
    }
    for (size_t i = 0; i < m; i++)
        norm[i] = cblas_ddot((int)p, A + i * p, 1, A + i * p, 1);
    for (size_t i0 = 0; i0 < m; i0 += block) {
        size_t b = m - i0 < block ? m - i0 : block;
        int lda = p ? (int)p : 1;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)m, (int)p, 1.0,
                    A + i0 * p, lda, A, lda, 0.0, G, (int)m);
        for (size_t ii = 0; ii < b; ii++) {
            size_t i = i0 + ii, len = 0;
            for (size_t j = 0; j < m; j++)
                if (j != i)
                    keep_best(dist, nn + i * k, &len, k,
                              norm[i] + norm[j] - 2.0 * G[ii * m + j], j);
        }
    }
    free(norm), free(G), free(dist);
    return FW_OK;
}

/* Append `need` synthetic rows of class c at row `at` of r. */
static int synthesise(const double *X, size_t n, size_t p, const double *w,
                      const fw_class_rows *cr, size_t c, size_t need, int k, gsl_rng *rng,
                      fw_resampled *r, size_t at, fw_err *e)
{
    size_t m = fw_prep_class_count(cr, c);
    const size_t *rows = cr->order + cr->start[c];
    size_t kk = m - 1 < (size_t)k ? m - 1 : (size_t)k;
    if (kk < (size_t)k)
        warn_small(c, m, k);
    double *A = malloc((m * p + 1) * sizeof *A);
    size_t *nn = malloc((m * kk > 0 ? m * kk : 1) * sizeof *nn);
    int rc = !A || !nn ? fw_err_set(e, FW_ENOMEM, "preprocess.resample: smote: out of memory")
                       : FW_OK;
    for (size_t i = 0; !rc && i < m; i++)
        for (size_t j = 0; j < p; j++)
            A[i * p + j] = X[j * n + rows[i]];
    if (!rc && kk > 0)
        rc = nearest(A, m, p, kk, nn, e);
    for (size_t t = 0; !rc && t < need; t++, at++) {
        size_t u = gsl_rng_uniform_int(rng, kk ? m * kk : m);
        size_t base = kk ? u / kk : u, nb = kk ? nn[u] : u;
        double gap = gsl_rng_uniform(rng);
        for (size_t j = 0; j < p; j++) {
            double x = A[base * p + j];
            r->X[j * r->n + at] = x + gap * (A[nb * p + j] - x);
        }
        r->y[at] = (double)c;
        if (r->w)
            r->w[at] = w[rows[base]];
    }
    free(A);
    free(nn);
    return rc;
}

int fw_prep_smote(const double *X, size_t n, size_t p, const double *y, const double *w,
                  const fw_class_rows *cr, int k, gsl_rng *rng, fw_resampled *r, fw_err *e)
{
    size_t major = fw_prep_extreme_count(cr, 1), total = n;
    for (size_t c = 0; c < cr->n_classes; c++)
        total += fw_prep_class_count(cr, c) ? major - fw_prep_class_count(cr, c) : 0;
    int rc = fw_prep_resampled_alloc(r, total, p, w != NULL, e);
    if (rc)
        return rc;
    for (size_t j = 0; j < p; j++)
        memcpy(r->X + j * total, X + j * n, n * sizeof *X);
    memcpy(r->y, y, n * sizeof *y);
    if (w)
        memcpy(r->w, w, n * sizeof *w);
    size_t at = n;
    for (size_t c = 0; c < cr->n_classes && !rc; c++) {
        size_t m = fw_prep_class_count(cr, c);
        if (m == 0 || m == major)
            continue;
        rc = synthesise(X, n, p, w, cr, c, major - m, k, rng, r, at, e);
        at += major - m;
    }
    return rc;
}
