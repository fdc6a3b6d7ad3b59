/* cdn_softmax.c: proximal Newton with coordinate descent for multinomial
 * (softmax) logistic regression with an L1 (and optional L2) penalty: the
 * multinomial log-loss behind the outer loop of cdn.c. glmnet cycles over
 * classes with a block-diagonal (per-class) quadratic model; here the model
 * is the full cross-class one, formed densely: its Hessian is
 *   H[(j,c),(l,c')] = sum_i s_i p_ic (delta_cc' - p_ic') x_ij x_il
 * (K(K+1)/2 dsyrk or dgemm per outer iteration, on the active features), so the outer loop converges
 * superlinearly like the binary solver, where per-class models converge
 * linearly at the rate the classes are coupled. Coefficients are
 * feature-major (w[j K + c]), as logloss.c lays them out.
 *
 * The softmax does not change when one constant is added to every class's
 * intercept: that direction has no curvature and would make the support's
 * Newton system singular. The last class's intercept is therefore held
 * (fw_cdn_model.pinned); logreg reports the zero-sum representative. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

/* Feature columns gathered for the Hessian: len features (feat) and their
 * columns of the rows, n x len row-major (X). */
typedef struct sm_cols {
    size_t len;
    size_t *feat;
    double *X;
} sm_cols;

typedef struct sm_ws {
    fw_cdn_model m;
    const fw_lin_rows *r;
    const double *sw;
    size_t n, p1, k;
    double *Z;     /* n x k scores X W                      */
    double *Zt;    /* trial scores                          */
    double *XD;    /* n x k: X times the direction           */
    double *P;     /* n x k probabilities at the current point */
    double *R;     /* n x k: s_i (p_ic - [y_i = c])            */
    double *A;     /* n x p1: gathered rows scaled by a Hessian weight */
    double *B;     /* p1 x p1: one class pair's Hessian block  */
    sm_cols *cols; /* k + 1: each class's active features, then their union */
    size_t *seen;  /* p1 */
} sm_ws;

static void sm_free(sm_ws *ws)
{
    free(ws->Z);
    if (ws->cols) {
        free(ws->cols[0].feat);
        free(ws->cols[0].X);
    }
    free(ws->cols);
    fw_cdn_model_free(&ws->m);
}

static int sm_alloc(sm_ws *ws, const fw_lin_rows *r, const double *sw, const fw_lin_problem *pb,
                    fw_err *e)
{
    memset(ws, 0, sizeof *ws);
    size_t n = r->n, p1 = r->p1, k = r->n_present;
    ws->r = r;
    ws->sw = sw;
    ws->n = n;
    ws->p1 = p1;
    ws->k = k;
    int rc = fw_cdn_model_alloc(&ws->m, pb, 1, e);
    if (rc)
        return rc;
    if (p1 > r->p)
        ws->m.pinned = pb->dim - 1;
    ws->m.group = k;
    ws->Z = malloc((5 * n * k + n * p1 + p1 * p1) * sizeof *ws->Z);
    ws->cols = calloc(k + 1, sizeof *ws->cols);
    if (!ws->Z || !ws->cols)   /* the caller frees what was allocated */
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu rows x %zu "
                          "coefficients)", n, pb->dim);
    ws->cols[0].feat = malloc((k + 2) * p1 * sizeof *ws->cols[0].feat);
    ws->cols[0].X = malloc((k + 1) * n * p1 * sizeof *ws->cols[0].X);
    if (!ws->cols[0].feat || !ws->cols[0].X)
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu rows x %zu "
                          "coefficients)", n, pb->dim);
    for (size_t c = 1; c <= k; c++) {
        ws->cols[c].feat = ws->cols[0].feat + c * p1;
        ws->cols[c].X = ws->cols[0].X + c * n * p1;
    }
    ws->seen = ws->cols[0].feat + (k + 1) * p1;
    ws->Zt = ws->Z + n * k;
    ws->XD = ws->Zt + n * k;
    ws->P = ws->XD + n * k;
    ws->R = ws->P + n * k;
    ws->A = ws->R + n * k;
    ws->B = ws->A + n * p1;
    /* H is read (times zeros of d) outside the active block: keep it finite */
    memset(ws->m.H, 0, ws->m.dim * ws->m.dim * sizeof *ws->m.H);
    return FW_OK;
}

/* Weighted multinomial log-loss of scores Z: sum_i s_i (lse(z_i) - z_iy);
 * with P non-NULL also the probabilities. */
static double sm_loss(const sm_ws *ws, const double *Z, double *P)
{
    size_t k = ws->k;
    double f = 0;
    for (size_t i = 0; i < ws->n; i++) {
        const double *z = Z + i * k;
        double mx = z[0], sum = 0;
        for (size_t c = 1; c < k; c++)
            mx = fmax(mx, z[c]);
        for (size_t c = 0; c < k; c++)
            sum += exp(z[c] - mx);
        f += ws->sw[i] * (mx + log(sum) - z[ws->r->cls[i]]);
        for (size_t c = 0; P && c < k; c++)
            P[i * k + c] = exp(z[c] - mx) / sum;
    }
    return f;
}

/* H[(j,c),(l,c2)] = v and its three mirror images. */
static void sm_put(sm_ws *ws, size_t j, size_t l, size_t c, size_t c2, double v)
{
    size_t k = ws->k, dim = ws->m.dim;
    double *H = ws->m.H;
    H[(j * k + c) * dim + l * k + c2] = H[(l * k + c2) * dim + j * k + c] = v;
    H[(l * k + c) * dim + j * k + c2] = H[(j * k + c2) * dim + l * k + c] = v;
}

/* The Hessian block of classes (c, c2), rows on u's features, columns on
 * v's, into H (and its mirror). Every block is X'diag(a)X with a_i =
 * s_i p_ic (delta_cc2 - p_ic2). On one feature list (u == v) the block is
 * symmetric and a has one sign: one dsyrk on the sqrt|a|-scaled rows (half
 * a dgemm's work); else one dgemm. */
static void sm_block(sm_ws *ws, const sm_cols *u, const sm_cols *v, size_t c, size_t c2)
{
    size_t n = ws->n, k = ws->k, dim = ws->m.dim, lu = u->len, lv = v->len;
    if (!lu || !lv)
        return;
    for (size_t i = 0; i < n; i++) {
        double a = ws->sw[i] * ws->P[i * k + c] * ((c == c2) - ws->P[i * k + c2]);
        double f = u == v ? sqrt(fabs(a)) : a;
        for (size_t j = 0; j < lu; j++)
            ws->A[i * lu + j] = f * u->X[i * lu + j];
    }
    if (u == v) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)lu, (int)n,
                    c == c2 ? 1.0 : -1.0, ws->A, (int)lu, 0.0, ws->B, (int)lu);
        for (size_t a = 0; a < lu; a++)
            for (size_t b = a; b < lu; b++)
                sm_put(ws, u->feat[a], u->feat[b], c, c2, ws->B[a * lu + b]);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)lu, (int)lv, (int)n, 1.0, ws->A,
                (int)lu, v->X, (int)lv, 0.0, ws->B, (int)lv);
    for (size_t a = 0; a < lu; a++)
        for (size_t b = 0; b < lv; b++) {
            size_t r0 = u->feat[a] * k + c, c0 = v->feat[b] * k + c2;
            ws->m.H[r0 * dim + c0] = ws->m.H[c0 * dim + r0] = ws->B[a * lv + b];
        }
}

/* The columns of l's features. */
static void sm_gather(const sm_ws *ws, sm_cols *l)
{
    for (size_t i = 0; i < ws->n; i++)
        for (size_t a = 0; a < l->len; a++)
            l->X[i * l->len + a] = ws->r->X[i * ws->p1 + l->feat[a]];
}

/* Each class's features with an active coordinate, and their union. */
static void sm_lists(sm_ws *ws, int na)
{
    const fw_cdn_model *m = &ws->m;
    size_t k = ws->k;
    sm_cols *uni = &ws->cols[k];
    memset(ws->seen, 0, ws->p1 * sizeof *ws->seen);
    for (size_t c = 0; c <= k; c++)
        ws->cols[c].len = 0;
    for (int a = 0; a < na; a++) {
        size_t j = (size_t)m->active[a] / k, c = (size_t)m->active[a] % k;
        ws->cols[c].feat[ws->cols[c].len++] = j;
        if (!ws->seen[j]++)
            uni->feat[uni->len++] = j;
    }
}

/* The Hessian on the active coordinates: the inner solve reads H only
 * there (entries elsewhere keep finite stale values that meet only zeros
 * of d). Two ways, the cheaper taken: per class pair on each class's own
 * active features (n na^2 flops: pays when C is small and each class keeps
 * few features), or every pair on the union of the active features with
 * dsyrk (n (nf k)^2 / 2). */
static void sm_hessian(sm_ws *ws, int na)
{
    fw_cdn_model *m = &ws->m;
    size_t k = ws->k;
    sm_lists(ws, na);
    double nfk = (double)(ws->cols[k].len * k);
    int per_class = (double)na * (double)na < 0.5 * nfk * nfk;
    for (size_t c = 0; c <= k; c++)
        if ((c < k) == per_class)
            sm_gather(ws, &ws->cols[c]);
    for (size_t c = 0; c < k; c++)
        for (size_t c2 = c; c2 < k; c2++) {
            if (per_class)
                sm_block(ws, &ws->cols[c], &ws->cols[c2], c, c2);
            else
                sm_block(ws, &ws->cols[k], &ws->cols[k], c, c2);
        }
    for (int a = 0; a < na; a++) {
        size_t j = (size_t)m->active[a];
        m->H[j * m->dim + j] = m->h[j] = fw_cdn_diag(m, j, m->H[j * m->dim + j]);
    }
}

/* At w (scores recomputed from scratch): the loss, its gradient X'R and
 * the probabilities the Hessian needs. */
static double sm_point(void *ctx, const double *w)
{
    sm_ws *ws = ctx;
    int n = (int)ws->n, p1 = (int)ws->p1, k = (int)ws->k;
    const double *X = ws->r->X;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, p1, 1.0, X, p1, w, k, 0.0,
                ws->Z, k);
    double f = sm_loss(ws, ws->Z, ws->P);
    for (size_t i = 0; i < ws->n; i++)
        for (size_t c = 0; c < ws->k; c++)
            ws->R[i * ws->k + c] = ws->sw[i] * (ws->P[i * ws->k + c] - (ws->r->cls[i] == (int)c));
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p1, k, n, 1.0, X, p1, ws->R, k, 0.0,
                ws->m.g, k);
    return f;
}

/* The Hessian on the active features, the direction on the dense model,
 * and X D for the line search. */
static void sm_inner(void *ctx, const double *w, int na, double inner_tol)
{
    sm_ws *ws = ctx;
    int n = (int)ws->n, p1 = (int)ws->p1, k = (int)ws->k;
    sm_hessian(ws, na);
    fw_cdn_inner_dense(&ws->m, w, na, inner_tol);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, p1, 1.0, ws->r->X, p1, ws->m.d,
                k, 0.0, ws->XD, k);
}

/* The loss at w + t d: the scores move along X D. */
static double sm_trial(void *ctx, double t)
{
    sm_ws *ws = ctx;
    for (size_t i = 0; i < ws->n * ws->k; i++)
        ws->Zt[i] = ws->Z[i] + t * ws->XD[i];
    return sm_loss(ws, ws->Zt, NULL);
}

int fw_cdn_softmax_minimize(const fw_lin_rows *r, const double *sw, const fw_lin_problem *pb,
                            double *w, const fw_lin_opts *o, fw_lin_report *rep, fw_err *e)
{
    sm_ws ws;
    fw_cdn_loss L = {.ctx = &ws, .n = r->n, .point = sm_point, .inner = sm_inner,
                     .trial = sm_trial};
    int rc = sm_alloc(&ws, r, sw, pb, e);
    if (!rc)
        rc = fw_cdn_minimize(&ws.m, &L, w, o, rep, e);
    sm_free(&ws);
    return rc;
}
