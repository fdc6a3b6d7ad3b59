/* cdn_logreg.c: proximal Newton with coordinate descent for binary
 * logistic regression with an L1 (and optional L2) penalty, the approach
 * of newGLMNET (Yuan, Ho & Lin 2012) and glmnet: the binary log-loss
 * behind the outer loop of cdn.c (model gradient g, Hessian X'DX + l2 I).
 *
 * Two paths for the model. Up to CDN_DENSE_MAX coefficients (the usual
 * case) the Hessian is formed (one dsyrk per outer iteration) and the
 * model minimised by fw_cdn_inner_dense (coordinate steps in O(p1) and
 * Newton steps on the support). Above that, the rows are kept column-major
 * so that a coordinate step is two BLAS-1 calls over n: the model gradient
 * g_j + (D x_j)'(X d) and the update X d += step x_j, with D x_j formed
 * once per outer iteration. A trial step of the line search costs O(n)
 * (the margins move along X d). max_iter counts outer (Newton) iterations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

/* Problems with at most this many coefficients form the Hessian X'DX
 * (one dsyrk per outer iteration) and solve the model on it: a coordinate
 * step costs O(p1) instead of two passes over n, and the model's minimiser
 * is refined by Newton steps on its support. */
#define CDN_DENSE_MAX 200

typedef struct cdn_ws {
    fw_cdn_model m;
    const double *sw;
    size_t n, p1;
    double *Xc;    /* n x p1 column-major rows                        */
    double *DXc;   /* D_i x_ij, column-major, at the current point      */
    double *y;     /* +1 / -1                                           */
    double *z;     /* margins X w                                       */
    double *zt;    /* trial margins                                     */
    double *xd;    /* X d                                               */
    double *D;     /* sw_i s_i (1 - s_i)                                */
    double *u;     /* loss derivative per row: -sw_i y_i (1 - s_i)       */
} cdn_ws;

static void cdn_free(cdn_ws *ws)
{
    free(ws->Xc);
    fw_cdn_model_free(&ws->m);
}

static int cdn_alloc(cdn_ws *ws, const fw_lin_rows *r, const double *sw, int positive,
                     const fw_lin_problem *pb, fw_err *e)
{
    memset(ws, 0, sizeof *ws);
    size_t n = r->n, p1 = r->p1;
    ws->sw = sw;
    ws->n = n;
    ws->p1 = p1;
    int rc = fw_cdn_model_alloc(&ws->m, pb, p1 <= CDN_DENSE_MAX, e);
    if (rc)
        return rc;
    ws->Xc = malloc((2 * n * p1 + 7 * n) * sizeof *ws->Xc + 1);
    if (!ws->Xc) {
        cdn_free(ws);
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu rows x %zu "
                          "coefficients)", n, p1);
    }
    double *b = ws->Xc + n * p1;
    double **v[] = {&ws->DXc, &ws->y, &ws->z, &ws->zt, &ws->xd, &ws->D, &ws->u};
    size_t len[] = {n * p1, n, n, n, n, n, n};
    for (size_t i = 0; i < sizeof len / sizeof len[0]; b += len[i], i++)
        *v[i] = b;
    for (size_t i = 0; i < n; i++) {
        ws->y[i] = r->cls[i] == positive ? 1.0 : -1.0;
        for (size_t j = 0; j < p1; j++)
            ws->Xc[j * n + i] = r->X[i * p1 + j];
    }
    return FW_OK;
}

/* Weighted log-loss of margins z: sum_i sw_i log(1 + exp(-y_i z_i)). */
static double cdn_loss(const cdn_ws *ws, const double *z)
{
    double f = 0;
    for (size_t i = 0; i < ws->n; i++) {
        double m = ws->y[i] * z[i];
        f += ws->sw[i] * (m >= 0 ? log1p(exp(-m)) : log1p(exp(m)) - m);
    }
    return f;
}

/* Column path: D x_j into DXc, and the diagonal. */
static void cdn_curv_cols(cdn_ws *ws)
{
    int n = (int)ws->n;
    for (size_t j = 0; j < ws->p1; j++) {
        const double *x = ws->Xc + j * ws->n;
        double *dx = ws->DXc + j * ws->n;
        for (int i = 0; i < n; i++)
            dx[i] = ws->D[i] * x[i];
        ws->m.h[j] = fw_cdn_diag(&ws->m, j, cblas_ddot(n, dx, 1, x, 1));
    }
}

/* Dense path: H = X'DX + l2 (penalised diagonal), both triangles, by one
 * dsyrk on the sqrt(D)-scaled columns (in DXc). */
static void cdn_curv_dense(cdn_ws *ws)
{
    size_t n = ws->n, p1 = ws->p1;
    for (size_t j = 0; j < p1; j++)
        for (size_t i = 0; i < n; i++)
            ws->DXc[j * n + i] = sqrt(ws->D[i]) * ws->Xc[j * n + i];
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)p1, (int)n, 1.0, ws->DXc, (int)n,
                0.0, ws->m.H, (int)p1);
    fw_cdn_dense_finish(&ws->m);
}

/* At w (margins z recomputed from scratch, so no drift accumulates): the
 * loss, its gradient g, the Hessian weights D and the columns D x_j with
 * the Hessian diagonal h (+ l2 on penalised ones), or the dense H. */
static double cdn_point(void *ctx, const double *w)
{
    cdn_ws *ws = ctx;
    int n = (int)ws->n, p1 = (int)ws->p1;
    cblas_dgemv(CblasColMajor, CblasNoTrans, n, p1, 1.0, ws->Xc, n, w, 1, 0.0, ws->z, 1);
    double f = 0;
    for (int i = 0; i < n; i++) {
        double m = ws->y[i] * ws->z[i], t, s, s1;
        if (m >= 0) {
            t = exp(-m);
            f += ws->sw[i] * log1p(t);
            s = 1.0 / (1.0 + t);
            s1 = t * s;
        } else {
            t = exp(m);
            f += ws->sw[i] * (log1p(t) - m);
            s1 = 1.0 / (1.0 + t);
            s = t * s1;
        }
        ws->u[i] = -ws->sw[i] * ws->y[i] * s1;
        ws->D[i] = ws->sw[i] * s * s1;
    }
    cblas_dgemv(CblasColMajor, CblasTrans, n, p1, 1.0, ws->Xc, n, ws->u, 1, 0.0, ws->m.g, 1);
    if (ws->m.H)
        cdn_curv_dense(ws);
    else
        cdn_curv_cols(ws);
    return f;
}

/* Column path of the inner solve: cyclic sweeps over the active
 * coordinates, model gradients from D x_j and X d, until the model's max
 * violation is <= inner_tol. */
static void cdn_inner_cols(cdn_ws *ws, const double *w, int na, double inner_tol)
{
    fw_cdn_model *m = &ws->m;
    const fw_lin_problem *pb = m->pb;
    int n = (int)ws->n;
    memset(m->d, 0, ws->p1 * sizeof *m->d);
    memset(ws->xd, 0, ws->n * sizeof *ws->xd);
    for (int sweeps = 0; sweeps < FW_CDN_MAX_SWEEPS; sweeps++) {
        double viol_max = 0;
        for (int a = 0; a < na; a++) {
            size_t j = (size_t)m->active[a];
            int pen = j < pb->n_pen;
            double G = m->g[j] + cblas_ddot(n, ws->DXc + j * ws->n, 1, ws->xd, 1) +
                       (pen ? pb->l2 * m->d[j] : 0.0);
            double viol, t = fw_cdn_coord_step(G, m->h[j], w[j] + m->d[j], pb->l1, pen, &viol);
            viol_max = fmax(viol_max, viol);
            if (t == 0)
                continue;
            m->d[j] += t;
            cblas_daxpy(n, t, ws->Xc + j * ws->n, 1, ws->xd, 1);
        }
        if (viol_max <= inner_tol)
            break;
    }
}

/* The direction d on either path, and X d for the line search. */
static void cdn_inner(void *ctx, const double *w, int na, double inner_tol)
{
    cdn_ws *ws = ctx;
    if (!ws->m.H) {
        cdn_inner_cols(ws, w, na, inner_tol);
        return;
    }
    fw_cdn_inner_dense(&ws->m, w, na, inner_tol);
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)ws->n, (int)ws->p1, 1.0, ws->Xc, (int)ws->n,
                ws->m.d, 1, 0.0, ws->xd, 1);
}

/* The loss at w + t d: the margins move along X d. */
static double cdn_trial(void *ctx, double t)
{
    cdn_ws *ws = ctx;
    for (size_t i = 0; i < ws->n; i++)
        ws->zt[i] = ws->z[i] + t * ws->xd[i];
    return cdn_loss(ws, ws->zt);
}

int fw_cdn_logreg_minimize(const fw_lin_rows *r, const double *sw, int positive,
                           const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                           fw_lin_report *rep, fw_err *e)
{
    cdn_ws ws;
    int rc = cdn_alloc(&ws, r, sw, positive, pb, e);
    if (rc)
        return rc;
    fw_cdn_loss L = {.ctx = &ws, .n = ws.n, .point = cdn_point, .inner = cdn_inner,
                     .trial = cdn_trial};
    rc = fw_cdn_minimize(&ws.m, &L, w, o, rep, e);
    cdn_free(&ws);
    return rc;
}
