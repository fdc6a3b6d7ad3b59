/* owlqn.c: orthant-wise limited-memory quasi-Newton (Andrew & Gao 2007)
 * for a smooth loss plus an L1 term (L1 and elastic-net logistic
 * regression). L-BFGS directions from the pseudo-gradient, restricted to
 * its orthant, with a projected backtracking line search: a coordinate
 * that would cross zero stops at zero, so the solution has exact zeros.
 * Stops when the max |pseudo-gradient| <= tol, at max_iter, or when the
 * line search can no longer decrease the objective in double precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

#define OWLQN_M 10
#define OWLQN_STALL 10

typedef struct owlqn_ws {
    double *g, *pg, *d, *wn, *gn, *s[OWLQN_M], *y[OWLQN_M];
    double rho[OWLQN_M], a[OWLQN_M];
    int len, head;
} owlqn_ws;

/* d = -H pg by the two-loop recursion over the stored pairs. */
static void two_loop(owlqn_ws *ws, int n)
{
    double *q = ws->d;
    memcpy(q, ws->pg, (size_t)n * sizeof *q);
    for (int t = 0; t < ws->len; t++) {
        int i = (ws->head - 1 - t + OWLQN_M) % OWLQN_M;
        ws->a[i] = ws->rho[i] * cblas_ddot(n, ws->s[i], 1, q, 1);
        cblas_daxpy(n, -ws->a[i], ws->y[i], 1, q, 1);
    }
    if (ws->len > 0) {
        int i = (ws->head - 1 + OWLQN_M) % OWLQN_M;
        cblas_dscal(n, 1.0 / (ws->rho[i] * cblas_ddot(n, ws->y[i], 1, ws->y[i], 1)), q, 1);
    }
    for (int t = ws->len - 1; t >= 0; t--) {
        int i = (ws->head - 1 - t + OWLQN_M) % OWLQN_M;
        double b = ws->rho[i] * cblas_ddot(n, ws->y[i], 1, q, 1);
        cblas_daxpy(n, ws->a[i] - b, ws->s[i], 1, q, 1);
    }
    cblas_dscal(n, -1.0, q, 1);
}

/* Keep d only where it descends along -pg; fall back to -pg if nothing is left. */
static void orthant_direction(owlqn_ws *ws, int n)
{
    double dpg = 0;
    for (int j = 0; j < n; j++) {
        if (ws->d[j] * ws->pg[j] >= 0)
            ws->d[j] = 0;
        dpg += ws->d[j] * ws->pg[j];
    }
    if (dpg >= 0) {
        ws->len = 0;
        for (int j = 0; j < n; j++)
            ws->d[j] = -ws->pg[j];
    }
}

/* Backtracking along d from w, projected onto the orthant of w (or of
 * -pg where w is zero). Returns 1 with wn, *fn when Armijo holds. */
static int line_search(const fw_lin_problem *pb, owlqn_ws *ws, const double *w, double f,
                       double t, double *fn)
{
    size_t n = pb->dim;
    for (int ls = 0; ls < 60; ls++, t *= 0.5) {
        double dec = 0;
        for (size_t j = 0; j < n; j++) {
            double v = w[j] + t * ws->d[j];
            if (j < pb->n_pen && pb->l1 > 0) {
                double xi = w[j] != 0 ? w[j] : -ws->pg[j];
                if (v * xi <= 0)
                    v = 0;
            }
            ws->wn[j] = v;
            dec += ws->pg[j] * (v - w[j]);
        }
        *fn = fw_lin_objective(pb, ws->wn);
        if (*fn <= f + 1e-4 * dec)
            return 1;
    }
    return 0;
}

static void remember(owlqn_ws *ws, const double *w, int n)
{
    double *s = ws->s[ws->head], *y = ws->y[ws->head];
    for (int j = 0; j < n; j++) {
        s[j] = ws->wn[j] - w[j];
        y[j] = ws->gn[j] - ws->g[j];
    }
    double sy = cblas_ddot(n, s, 1, y, 1);
    if (sy <= 1e-12 * cblas_ddot(n, y, 1, y, 1))
        return;
    ws->rho[ws->head] = 1.0 / sy;
    ws->head = (ws->head + 1) % OWLQN_M;
    ws->len += ws->len < OWLQN_M;
}

static int owlqn_alloc(owlqn_ws *ws, size_t dim, fw_err *e)
{
    memset(ws, 0, sizeof *ws);
    double *b = malloc((5 + 2 * OWLQN_M) * dim * sizeof *b + 1);
    if (!b)
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu coefficients)", dim);
    double **v[] = {&ws->g, &ws->pg, &ws->d, &ws->wn, &ws->gn};
    for (size_t i = 0; i < 5; i++)
        *v[i] = b + i * dim;
    for (size_t i = 0; i < OWLQN_M; i++) {
        ws->s[i] = b + (5 + 2 * i) * dim;
        ws->y[i] = b + (6 + 2 * i) * dim;
    }
    return FW_OK;
}

int fw_owlqn_minimize(const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                      fw_lin_report *rep, fw_err *e)
{
    owlqn_ws ws;
    int n = (int)pb->dim, rc = owlqn_alloc(&ws, pb->dim, e);
    if (rc)
        return rc;
    double f = fw_lin_objective(pb, w), fn, fhist[OWLQN_STALL];
    pb->accept(pb->ctx);
    fw_lin_smooth_grad(pb, w, ws.g);
    double gmax = fw_lin_pseudo_grad(pb, w, ws.g, ws.pg);
    memset(rep, 0, sizeof *rep);
    while (!fw_lin_iterate(o, gmax, rep, &rc, e)) {
        two_loop(&ws, n);
        orthant_direction(&ws, n);
        double t = ws.len ? 1.0 : 1.0 / fmax(1.0, cblas_dnrm2(n, ws.d, 1));
        if (!line_search(pb, &ws, w, f, t, &fn)) {
            rep->converged = 0;
            break;
        }
        pb->accept(pb->ctx);
        fw_lin_smooth_grad(pb, ws.wn, ws.gn);
        remember(&ws, w, n);
        memcpy(w, ws.wn, pb->dim * sizeof *w);
        memcpy(ws.g, ws.gn, pb->dim * sizeof *w);
        f = fn;
        gmax = fw_lin_pseudo_grad(pb, w, ws.g, ws.pg);
        /* Stalled: ten iterations gained less than double precision can
         * resolve in f (scipy's L-BFGS-B stops likewise on its ftol). */
        fhist[rep->n_iter % OWLQN_STALL] = f;
        if (rep->n_iter >= OWLQN_STALL &&
            fhist[(rep->n_iter + 1) % OWLQN_STALL] - f <= 1e-14 * fmax(fabs(f), 1.0)) {
            rep->converged = 1;
            break;
        }
    }
    rep->gmax = gmax;
    rep->f = f;
    free(ws.g);
    return rc;
}
