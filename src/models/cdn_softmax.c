/* cdn_softmax.c: proximal Newton with coordinate descent for multinomial
 * (softmax) logistic regression with an L1 (and optional L2) penalty: the
 * multinomial log-loss behind the outer loop of cdn.c. glmnet cycles over
 * classes with a block-diagonal (per-class) quadratic model; here the model
 * is the full cross-class one, formed densely: its Hessian is
 *   H[(j,c),(l,c')] = sum_i s_i p_ic (delta_cc' - p_ic') x_ij x_il
 * (K(K+1)/2 dgemm per outer iteration, on the active features), so the outer loop converges
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
    double *Xf;    /* n x nf: the columns of the active features */
    double *A;     /* n x nf: Xf's rows scaled by a Hessian weight */
    double *B;     /* nf x nf: one class pair's Hessian block  */
    size_t *feat;  /* p1: the active features (nf of them)     */
} sm_ws;

static void sm_free(sm_ws *ws)
{
    free(ws->Z);
    free(ws->feat);
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
    ws->Z = malloc((5 * n * k + 2 * n * p1 + p1 * p1) * sizeof *ws->Z);
    ws->feat = malloc(p1 * sizeof *ws->feat);
    if (!ws->Z || !ws->feat)   /* the caller frees what was allocated */
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu rows x %zu "
                          "coefficients)", n, pb->dim);
    ws->Zt = ws->Z + n * k;
    ws->XD = ws->Zt + n * k;
    ws->P = ws->XD + n * k;
    ws->R = ws->P + n * k;
    ws->A = ws->R + n * k;
    ws->Xf = ws->A + n * p1;
    ws->B = ws->Xf + n * p1;
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

/* The Hessian block of classes (c, c2) on the nf features in ws->feat
 * (their columns gathered in Xf) into H. Every block is X'diag(a)X with
 * a_i = s_i p_ic (delta_cc2 - p_ic2), of one sign: one dsyrk on the
 * sqrt|a|-scaled rows (half a dgemm's work). */
static void sm_block(sm_ws *ws, size_t nf, size_t c, size_t c2)
{
    size_t n = ws->n, k = ws->k;
    for (size_t i = 0; i < n; i++) {
        double a = ws->sw[i] * ws->P[i * k + c] * ((c == c2) - ws->P[i * k + c2]);
        double sa = sqrt(fabs(a));
        for (size_t j = 0; j < nf; j++)
            ws->A[i * nf + j] = sa * ws->Xf[i * nf + j];
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)nf, (int)n, c == c2 ? 1.0 : -1.0,
                ws->A, (int)nf, 0.0, ws->B, (int)nf);
    for (size_t a = 0; a < nf; a++)
        for (size_t b = a; b < nf; b++)
            sm_put(ws, ws->feat[a], ws->feat[b], c, c2, ws->B[a * nf + b]);
}

/* The Hessian on the features with an active coordinate: the inner solve
 * reads H only there (entries elsewhere keep finite stale values that meet
 * only zeros of d). At small C most features are shrunk away, and the cost
 * (n nf^2 K(K+1)) falls with them. */
static void sm_hessian(sm_ws *ws, int na)
{
    fw_cdn_model *m = &ws->m;
    size_t n = ws->n, p1 = ws->p1, k = ws->k, nf = 0;
    memset(ws->feat, 0, p1 * sizeof *ws->feat);
    for (int a = 0; a < na; a++)
        ws->feat[(size_t)m->active[a] / k] = 1;
    for (size_t j = 0; j < p1; j++)
        if (ws->feat[j])
            ws->feat[nf++] = j;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < nf; a++)
            ws->Xf[i * nf + a] = ws->r->X[i * p1 + ws->feat[a]];
    for (size_t c = 0; c < k; c++)
        for (size_t c2 = c; c2 < k; c2++)
            sm_block(ws, nf, c, c2);
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
