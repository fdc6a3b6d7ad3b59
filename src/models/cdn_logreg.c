/* cdn_logreg.c: proximal Newton with coordinate descent for binary
 * logistic regression with an L1 (and optional L2) penalty, the approach
 * of newGLMNET (Yuan, Ho & Lin 2012) and glmnet. Each outer iteration
 * builds the quadratic model of the smooth part at w (gradient g, Hessian
 * X'DX + l2 I), minimises model + l1 ||.||_1 over a direction d by cyclic
 * coordinate descent on the coordinates that can move, then backtracks
 * along d with an Armijo rule on the full objective.
 *
 * Why this beats OWL-QN on L1 problems: the quadratic model sees the
 * curvature of every coordinate exactly, so the outer loop converges
 * superlinearly once the sign pattern settles, where L-BFGS restricted to
 * an orthant keeps relearning curvature after every sign change (on the
 * scaled breast cancer data OWL-QN needs thousands of iterations at large C).
 *
 * Two paths for the model. Up to CDN_DENSE_MAX coefficients (the usual
 * case) the Hessian is formed (one dsyrk per outer iteration), a
 * coordinate step costs O(p1), and each sweep is followed by a Newton step
 * on the model's support with the signs held (cdn_support_newton): CD alone
 * crawls on correlated features and then caps the outer convergence. Above
 * that, the rows are kept column-major so that a coordinate step is two
 * BLAS-1 calls over n: the model gradient g_j + (D x_j)'(X d) and the
 * update X d += step x_j, with D x_j formed once per outer iteration.
 * A trial step of the line search costs O(n) (the margins move along X d).
 * The stopping rule is fw_lin_pseudo_grad, the same as OWL-QN's and
 * TRON's. max_iter counts outer (Newton) iterations. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

/* Problems with at most this many coefficients form the Hessian X'DX
 * (one dsyrk per outer iteration) and solve the model on it: a coordinate
 * step costs O(p1) instead of two passes over n, and the model's minimiser
 * is refined by Newton steps on its support (below). */
#define CDN_DENSE_MAX 200

/* Inner coordinate-descent sweeps per outer iteration, at most. */
#define CDN_MAX_SWEEPS 200
/* Armijo constant of the line search and its backtracking factor. */
#define CDN_SIGMA 0.01
#define CDN_BETA 0.5
#define CDN_MAX_LS 60

typedef struct cdn_ws {
    const fw_lin_problem *pb;
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
    double *g, *h, *d, *wt, *pg;
    int *active;
    /* Dense path (p1 <= CDN_DENSE_MAX): H (p1 x p1, both triangles, l2
     * and the floor on its diagonal), q = H d, the support's system. */
    double *H, *q, *HS, *rs;
    int *supp;
} cdn_ws;

static void cdn_free(cdn_ws *ws)
{
    free(ws->Xc);
    free(ws->active);
    free(ws->H);
}

static int cdn_alloc(cdn_ws *ws, const fw_lin_rows *r, const double *sw, int positive,
                     const fw_lin_problem *pb, fw_err *e)
{
    memset(ws, 0, sizeof *ws);
    size_t n = r->n, p1 = r->p1;
    ws->pb = pb;
    ws->sw = sw;
    ws->n = n;
    ws->p1 = p1;
    ws->Xc = malloc((2 * n * p1 + 7 * n + 5 * p1) * sizeof *ws->Xc + 1);
    ws->active = malloc(2 * p1 * sizeof *ws->active + 1);
    if (p1 <= CDN_DENSE_MAX)
        ws->H = malloc((2 * p1 * p1 + 2 * p1) * sizeof *ws->H);
    if (!ws->Xc || !ws->active || (p1 <= CDN_DENSE_MAX && !ws->H)) {
        cdn_free(ws);
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu rows x %zu "
                          "coefficients)", n, p1);
    }
    double *b = ws->Xc + n * p1;
    double **v[] = {&ws->DXc, &ws->y, &ws->z, &ws->zt, &ws->xd, &ws->D, &ws->u};
    size_t len[] = {n * p1, n, n, n, n, n, n};
    for (size_t i = 0; i < sizeof len / sizeof len[0]; b += len[i], i++)
        *v[i] = b;
    double **q[] = {&ws->g, &ws->h, &ws->d, &ws->wt, &ws->pg};
    for (size_t i = 0; i < 5; i++, b += p1)
        *q[i] = b;
    ws->supp = ws->active + p1;
    if (ws->H) {
        ws->HS = ws->H + p1 * p1;
        ws->q = ws->HS + p1 * p1;
        ws->rs = ws->q + p1;
    }
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

/* The penalty terms of w (penalised coordinates only). */
static double cdn_penalty(const fw_lin_problem *pb, const double *w)
{
    double sq = 0, ab = 0;
    for (size_t j = 0; j < pb->n_pen; j++) {
        sq += w[j] * w[j];
        ab += fabs(w[j]);
    }
    return 0.5 * pb->l2 * sq + pb->l1 * ab;
}

/* The Hessian's diagonal h (+ l2 on penalised coordinates) with a tiny
 * floor: a column of zeros (or of zero-weight rows) has no curvature, and
 * the floor keeps its step finite (it then never moves). */
static double cdn_diag(const cdn_ws *ws, size_t j, double hjj)
{
    return fmax(hjj + (j < ws->pb->n_pen ? ws->pb->l2 : 0.0), 1e-12);
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
        ws->h[j] = cdn_diag(ws, j, cblas_ddot(n, dx, 1, x, 1));
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
                0.0, ws->H, (int)p1);
    for (size_t j = 0; j < p1; j++) {
        for (size_t k = 0; k < j; k++)
            ws->H[k * p1 + j] = ws->H[j * p1 + k];
        ws->H[j * p1 + j] = ws->h[j] = cdn_diag(ws, j, ws->H[j * p1 + j]);
    }
}

/* At w (margins z recomputed from scratch, so no drift accumulates): the
 * objective, the smooth gradient g, the Hessian weights D and the
 * columns D x_j with the Hessian diagonal h (+ l2 on penalised ones). */
static double cdn_point(cdn_ws *ws, const double *w)
{
    const fw_lin_problem *pb = ws->pb;
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
    cblas_dgemv(CblasColMajor, CblasTrans, n, p1, 1.0, ws->Xc, n, ws->u, 1, 0.0, ws->g, 1);
    for (size_t j = 0; j < pb->n_pen; j++)
        ws->g[j] += pb->l2 * w[j];
    if (ws->H)
        cdn_curv_dense(ws);
    else
        cdn_curv_cols(ws);
    return f + cdn_penalty(pb, w);
}

/* Shrinking: a penalised coordinate at zero whose gradient lies inside
 * (-l1, l1) by a margin stays at zero in the model's minimiser unless
 * the others move a lot; leave it out of this outer iteration's sweeps. */
static int cdn_active_set(cdn_ws *ws, const double *w, double margin)
{
    const fw_lin_problem *pb = ws->pb;
    int na = 0;
    for (size_t j = 0; j < ws->p1; j++) {
        int out = j < pb->n_pen && pb->l1 > 0 && w[j] == 0 && fabs(ws->g[j]) < pb->l1 - margin;
        if (!out)
            ws->active[na++] = (int)j;
    }
    return na;
}

/* One coordinate of the model: minimise G t + H t^2 / 2 + l1 |v + t|
 * (penalised) or G t + H t^2 / 2 (free) over t; *viol receives the
 * model's minimum-norm subgradient magnitude at t = 0. */
static double cdn_coord_step(double G, double H, double v, double l1, int pen, double *viol)
{
    if (!pen || l1 == 0) {
        *viol = fabs(G);
        return -G / H;
    }
    double gp = G + l1, gm = G - l1;
    if (v > 0)
        *viol = fabs(gp);
    else if (v < 0)
        *viol = fabs(gm);
    else
        *viol = gp < 0 ? -gp : gm > 0 ? gm : 0;
    if (gp <= H * v)
        return -gp / H;
    if (gm >= H * v)
        return -gm / H;
    return -v;
}

/* Minimise the quadratic model plus the L1 term over d (d, X d start at 0)
 * by cyclic sweeps over the active coordinates until the model's max
 * violation is <= inner_tol (column path: model gradients from D x_j and
 * X d). Returns the sweeps done. */
static int cdn_inner_cols(cdn_ws *ws, const double *w, int na, double inner_tol)
{
    const fw_lin_problem *pb = ws->pb;
    int n = (int)ws->n, sweeps = 0;
    memset(ws->d, 0, ws->p1 * sizeof *ws->d);
    memset(ws->xd, 0, ws->n * sizeof *ws->xd);
    while (sweeps < CDN_MAX_SWEEPS) {
        double viol_max = 0;
        sweeps++;
        for (int a = 0; a < na; a++) {
            size_t j = (size_t)ws->active[a];
            int pen = j < pb->n_pen;
            double G = ws->g[j] + cblas_ddot(n, ws->DXc + j * ws->n, 1, ws->xd, 1) +
                       (pen ? pb->l2 * ws->d[j] : 0.0);
            double viol, t = cdn_coord_step(G, ws->h[j], w[j] + ws->d[j], pb->l1, pen, &viol);
            viol_max = fmax(viol_max, viol);
            if (t == 0)
                continue;
            ws->d[j] += t;
            cblas_daxpy(n, t, ws->Xc + j * ws->n, 1, ws->xd, 1);
        }
        if (viol_max <= inner_tol)
            break;
    }
    return sweeps;
}

/* Dense path: the model's coordinate step on j from the kept q = H d. */
static double cdn_dense_coord(cdn_ws *ws, const double *w, size_t j)
{
    const fw_lin_problem *pb = ws->pb;
    double viol, t = cdn_coord_step(ws->g[j] + ws->q[j], ws->h[j], w[j] + ws->d[j], pb->l1,
                                    j < pb->n_pen, &viol);
    if (t != 0) {
        ws->d[j] += t;
        cblas_daxpy((int)ws->p1, t, ws->H + j * ws->p1, 1, ws->q, 1);
    }
    return viol;
}

/* Newton on the model's current support S (free coordinates and penalised
 * ones with w + d != 0, signs held): H_SS delta = -(g + H d + l1 sign)_S,
 * taken up to the first sign change (that coordinate lands on zero). On
 * that face the model is a convex quadratic, so every step length in
 * [0, 1] lowers it. Coordinate descent alone crawls when features are
 * strongly correlated (breast cancer's radius, perimeter and area); this
 * step solves the settled support at once. Skipped when H_SS is not
 * numerically positive definite. */
static void cdn_support_newton(cdn_ws *ws, const double *w, int na)
{
    const fw_lin_problem *pb = ws->pb;
    size_t m = 0, p1 = ws->p1;
    for (int a = 0; a < na; a++) {
        size_t j = (size_t)ws->active[a];
        if (j >= pb->n_pen || w[j] + ws->d[j] != 0)
            ws->supp[m++] = (int)j;
    }
    if (m == 0)
        return;
    for (size_t a = 0; a < m; a++) {
        size_t j = (size_t)ws->supp[a];
        double v = w[j] + ws->d[j], sg = j < pb->n_pen ? (v > 0 ? 1.0 : -1.0) : 0.0;
        ws->rs[a] = -(ws->g[j] + ws->q[j] + pb->l1 * sg);
        for (size_t b = 0; b < m; b++)
            ws->HS[a * m + b] = ws->H[j * p1 + (size_t)ws->supp[b]];
    }
    /* skipped when H_SS is not safely positive definite (CD carries on) */
    if (!fw_lin_spd_solve(ws->HS, m, ws->rs, 1e-14))
        return;
    double alpha = 1.0;
    for (size_t a = 0; a < m; a++) {
        size_t j = (size_t)ws->supp[a];
        double v = w[j] + ws->d[j];
        if (j < pb->n_pen && (v + ws->rs[a]) * v < 0)
            alpha = fmin(alpha, -v / ws->rs[a]);
    }
    for (size_t a = 0; a < m; a++) {
        size_t j = (size_t)ws->supp[a];
        double v = w[j] + ws->d[j];
        ws->d[j] += alpha * ws->rs[a];
        /* The coordinate(s) that limited the step land exactly on zero. */
        if (j < pb->n_pen && (v + ws->rs[a]) * v < 0 && alpha == -v / ws->rs[a])
            ws->d[j] = -w[j];
    }
    cblas_dsymv(CblasColMajor, CblasUpper, (int)p1, 1.0, ws->H, (int)p1, ws->d, 1, 0.0, ws->q,
                1);
}

/* Dense path of cdn_inner: sweeps on H, each followed by a Newton step on
 * the support, then X d for the line search. */
static int cdn_inner_dense(cdn_ws *ws, const double *w, int na, double inner_tol)
{
    int sweeps = 0;
    memset(ws->d, 0, ws->p1 * sizeof *ws->d);
    memset(ws->q, 0, ws->p1 * sizeof *ws->q);
    while (sweeps < CDN_MAX_SWEEPS) {
        double viol_max = 0;
        sweeps++;
        for (int a = 0; a < na; a++)
            viol_max = fmax(viol_max, cdn_dense_coord(ws, w, (size_t)ws->active[a]));
        if (viol_max <= inner_tol)
            break;
        cdn_support_newton(ws, w, na);
    }
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)ws->n, (int)ws->p1, 1.0, ws->Xc, (int)ws->n,
                ws->d, 1, 0.0, ws->xd, 1);
    return sweeps;
}

/* Backtracking along d: on success w += t d, returns 1 and *f the new
 * objective; returns 0 when no step decreases it (the predicted decrease
 * is then below what double precision resolves). */
static int cdn_line_search(cdn_ws *ws, double *w, double *f)
{
    const fw_lin_problem *pb = ws->pb;
    double delta = cblas_ddot((int)ws->p1, ws->g, 1, ws->d, 1);
    double ab0 = 0, ab1 = 0;
    for (size_t j = 0; j < pb->n_pen; j++) {
        ab0 += fabs(w[j]);
        ab1 += fabs(w[j] + ws->d[j]);
    }
    delta += pb->l1 * (ab1 - ab0);
    if (!(delta < 0))
        return 0;
    double t = 1.0;
    for (int ls = 0; ls < CDN_MAX_LS; ls++, t *= CDN_BETA) {
        for (size_t i = 0; i < ws->n; i++)
            ws->zt[i] = ws->z[i] + t * ws->xd[i];
        for (size_t j = 0; j < ws->p1; j++)
            ws->wt[j] = w[j] + t * ws->d[j];
        double fn = cdn_loss(ws, ws->zt) + cdn_penalty(pb, ws->wt);
        if (fn - *f <= CDN_SIGMA * t * delta) {
            memcpy(w, ws->wt, ws->p1 * sizeof *w);
            *f = fn;
            return 1;
        }
        if (fabs(t * delta) < 1e-15 * fmax(fabs(*f), 1.0))
            break;
    }
    return 0;
}

int fw_cdn_logreg_minimize(const fw_lin_rows *r, const double *sw, int positive,
                           const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                           fw_lin_report *rep, fw_err *e)
{
    cdn_ws ws;
    int rc = cdn_alloc(&ws, r, sw, positive, pb, e);
    if (rc)
        return rc;
    memset(rep, 0, sizeof *rep);
    double f = cdn_point(&ws, w);
    double gmax = fw_lin_pseudo_grad(pb, w, ws.g, ws.pg), prev = gmax;
    while (!fw_lin_iterate(o, gmax, rep, &rc, e)) {
        int na = cdn_active_set(&ws, w, prev / (double)ws.n);
        /* Inexact inner solves early (the model is only good near w), exact
         * enough late for superlinear convergence, never below tol / 4. */
        double inner_tol = fmax(0.25 * o->tol, 0.1 * gmax * fmin(1.0, gmax));
        if (ws.H)
            cdn_inner_dense(&ws, w, na, inner_tol);
        else
            cdn_inner_cols(&ws, w, na, inner_tol);
        if (!cdn_line_search(&ws, w, &f)) {
            /* No decrease possible in double precision: as converged as
             * this arithmetic allows (OWL-QN's stall rule likewise). */
            rep->converged = 1;
            break;
        }
        f = cdn_point(&ws, w);
        prev = gmax;
        gmax = fw_lin_pseudo_grad(pb, w, ws.g, ws.pg);
    }
    rep->gmax = gmax;
    rep->f = f;
    cdn_free(&ws);
    return rc;
}
