/* lsq_svd.c: one SVD of the centred, weighted training matrix, from which
 * ordinary least squares (the minimum-norm solution, as numpy/scipy lstsq)
 * and ridge for any alpha follow in O(p * r) each:
 *   coef(alpha) = V diag(s / (s^2 + alpha)) U^T y.
 * Tall matrices (n >= p) are reduced first by a blocked Householder QR
 * (X = QR), then R (p x p) is decomposed, so U (n x p) is never formed:
 * U^T y = U_R^T (Q^T y). Wide matrices decompose X^T directly. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "lsq_int.h"

typedef struct svd_ws {
    gsl_matrix *A, *T, *R, *W;
    gsl_vector *S, *work, *b;
} svd_ws;

static void ws_free(svd_ws *w)
{
    gsl_matrix_free(w->A);
    gsl_matrix_free(w->T);
    gsl_matrix_free(w->R);
    gsl_matrix_free(w->W);
    gsl_vector_free(w->S);
    gsl_vector_free(w->work);
    gsl_vector_free(w->b);
}

static int gsl_fail(int status, const char *what, const char *model, fw_err *e)
{
    return fw_err_set(e, FW_ESINGULAR, "%s: %s failed: %s", model, what, gsl_strerror(status));
}

/* n >= p: X = QR, R = U_R S V^T. */
static int factor_tall(const lsq_data *a, lsq_svd *f, svd_ws *w, const char *model, fw_err *e)
{
    size_t n = a->n, p = a->p;
    int st;
    w->A = gsl_matrix_alloc(n, p);
    w->T = gsl_matrix_alloc(p, p);
    w->R = gsl_matrix_calloc(p, p);
    w->W = gsl_matrix_alloc(p, p);
    w->S = gsl_vector_alloc(p);
    w->work = gsl_vector_alloc(p);
    w->b = gsl_vector_alloc(n);
    if (!w->A || !w->T || !w->R || !w->W || !w->S || !w->work || !w->b)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory for the SVD", model);
    /* a->X is column-major n x p, i.e. X^T row-major. */
    gsl_matrix_const_view xt = gsl_matrix_const_view_array(a->X, p, n);
    if ((st = gsl_matrix_transpose_memcpy(w->A, &xt.matrix)))
        return gsl_fail(st, "copying the matrix", model, e);
    if ((st = gsl_linalg_QR_decomp_r(w->A, w->T)))
        return gsl_fail(st, "QR decomposition", model, e);
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(w->R, i, j, gsl_matrix_get(w->A, i, j));
    if ((st = gsl_linalg_SV_decomp(w->R, w->W, w->S, w->work)))
        return gsl_fail(st, "SVD", model, e);
    for (size_t c = 0; c < a->k; c++) {
        memcpy(w->b->data, a->Y + c * n, n * sizeof(double));
        if ((st = gsl_linalg_QR_QTvec_r(w->A, w->T, w->b, w->work)))
            return gsl_fail(st, "applying Q^T", model, e);
        for (size_t m = 0; m < p; m++) {
            double z = 0;
            for (size_t i = 0; i < p; i++)
                z += gsl_matrix_get(w->R, i, m) * w->b->data[i];
            f->Z[m * a->k + c] = z;
        }
    }
    memcpy(f->V, w->W->data, p * p * sizeof(double));
    memcpy(f->s, w->S->data, p * sizeof(double));
    return FW_OK;
}

/* n < p: X^T = U' S W^T, so X = W S U'^T: V = U', U = W. */
static int factor_wide(const lsq_data *a, lsq_svd *f, svd_ws *w, const char *model, fw_err *e)
{
    size_t n = a->n, p = a->p;
    int st;
    w->A = gsl_matrix_alloc(p, n);
    w->W = gsl_matrix_alloc(n, n);
    w->S = gsl_vector_alloc(n);
    w->work = gsl_vector_alloc(n);
    if (!w->A || !w->W || !w->S || !w->work)
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory for the SVD", model);
    memcpy(w->A->data, a->X, n * p * sizeof(double));
    if ((st = gsl_linalg_SV_decomp(w->A, w->W, w->S, w->work)))
        return gsl_fail(st, "SVD", model, e);
    for (size_t c = 0; c < a->k; c++) {
        const double *y = a->Y + c * n;
        for (size_t m = 0; m < n; m++) {
            double z = 0;
            for (size_t i = 0; i < n; i++)
                z += gsl_matrix_get(w->W, i, m) * y[i];
            f->Z[m * a->k + c] = z;
        }
    }
    memcpy(f->V, w->A->data, p * n * sizeof(double));
    memcpy(f->s, w->S->data, n * sizeof(double));
    return FW_OK;
}

int lsq_svd_compute(const lsq_data *a, lsq_svd *f, const char *model, fw_err *e)
{
    size_t n = a->n, p = a->p, r = n < p ? n : p;
    memset(f, 0, sizeof *f);
    f->p = p;
    f->r = r;
    f->k = a->k;
    f->V = calloc(p * r + 1, sizeof *f->V);
    f->s = calloc(r + 1, sizeof *f->s);
    f->Z = calloc(r * a->k + 1, sizeof *f->Z);
    if (!f->V || !f->s || !f->Z) {
        lsq_svd_free(f);
        return fw_err_set(e, FW_ENOMEM, "%s: out of memory for the SVD", model);
    }
    if (r == 0)
        return FW_OK;
    svd_ws w = {0};
    int rc = n >= p ? factor_tall(a, f, &w, model, e) : factor_wide(a, f, &w, model, e);
    ws_free(&w);
    if (rc) {
        lsq_svd_free(f);
        return rc;
    }
    f->cutoff = DBL_EPSILON * (double)(n > p ? n : p) * f->s[0];
    return FW_OK;
}

void lsq_svd_free(lsq_svd *f)
{
    if (!f)
        return;
    free(f->V);
    free(f->s);
    free(f->Z);
    f->V = f->s = f->Z = NULL;
}

int lsq_svd_solve(const lsq_svd *f, double alpha, double *coef)
{
    size_t p = f->p, r = f->r, k = f->k;
    int rank = 0;
    for (size_t m = 0; m < r; m++)
        rank += f->s[m] > f->cutoff;
    for (size_t c = 0; c < k; c++) {
        double *w = coef + c * p;
        memset(w, 0, p * sizeof *w);
        for (size_t m = 0; m < r; m++) {
            double s = f->s[m];
            if (!(s > f->cutoff))
                continue;
            double t = s / (s * s + alpha) * f->Z[m * k + c];
            for (size_t i = 0; i < p; i++)
                w[i] += f->V[i * r + m] * t;
        }
    }
    return rank;
}

int lsq_fit_svd(lsq_state *s, const fw_fit_data *d, int fit_intercept, double alpha,
                const double *targets, size_t k, const char *model, fw_err *e)
{
    lsq_data a;
    lsq_svd f;
    int rc = lsq_state_init(s, d->X.n_cols, k, d->task, e);
    if (rc || (rc = lsq_data_build(d, fit_intercept, 0, targets, k, &a, model, e)))
        return rc;
    if (!(rc = lsq_svd_compute(&a, &f, model, e))) {
        s->rank = lsq_svd_solve(&f, alpha, s->coef);
        lsq_set_intercepts(&a, s);
        lsq_svd_free(&f);
    }
    lsq_data_free(&a);
    return rc;
}
