/* cd_solver.c: coordinate descent for the elastic net, as scikit-learn's
 * _cd_fast.pyx (enet_coordinate_descent and its _gram variant), on
 *   0.5 ||y - Xw||^2 + l1 ||w||_1 + 0.5 l2 ||w||^2
 * (scikit-learn's objective times n). Same update order, same stopping
 * rule: after an epoch whose largest coefficient change is below
 * tol * max|w| (or whose w is all zero, or the last epoch), compute the
 * duality gap and stop when it is below tol * ||y||^2.
 *
 * With n > p the solver keeps H = X^T X w and works on the Gram matrix
 * (O(p) per update, built once per split and shared by a whole alpha path);
 * otherwise it keeps the residual R = y - Xw (O(n) per update). Both give
 * the same iterates in exact arithmetic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "lsq_int.h"

struct cd_problem {
    size_t n, p;
    const double *X, *y;  /* borrowed: n x p column-major, n */
    double *Q, *q;        /* Gram X^T X (p x p) and X^T y, or NULL */
    double *norms;        /* squared column norms */
    double *R;            /* Gram: H = Q w (p); otherwise the residual (n) */
    double *XtA;          /* p scratch for the gap */
    double y2;            /* ||y||^2 */
};

void cd_problem_free(cd_problem *pb)
{
    if (!pb)
        return;
    free(pb->Q);
    free(pb->q);
    free(pb->norms);
    free(pb->R);
    free(pb->XtA);
    free(pb);
}

int cd_problem_alloc(const lsq_data *a, cd_problem **out, fw_err *e)
{
    size_t n = a->n, p = a->p;
    int gram = n > p;
    cd_problem *pb = calloc(1, sizeof *pb);
    *out = NULL;
    if (!pb)
        return fw_err_set(e, FW_ENOMEM, "out of memory for coordinate descent");
    pb->n = n;
    pb->p = p;
    pb->X = a->X;
    pb->y = a->Y;
    pb->norms = malloc((p + 1) * sizeof *pb->norms);
    pb->XtA = malloc((p + 1) * sizeof *pb->XtA);
    pb->R = malloc(((gram ? p : n) + 1) * sizeof *pb->R);
    if (gram) {
        pb->Q = malloc((p * p + 1) * sizeof *pb->Q);
        pb->q = malloc((p + 1) * sizeof *pb->q);
    }
    if (!pb->norms || !pb->XtA || !pb->R || (gram && (!pb->Q || !pb->q))) {
        cd_problem_free(pb);
        return fw_err_set(e, FW_ENOMEM, "out of memory for coordinate descent (%zu x %zu)", n,
                          p);
    }
    pb->y2 = cblas_ddot((int)n, pb->y, 1, pb->y, 1);
    if (gram && p > 0) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, a->X, (int)n,
                    0.0, pb->Q, (int)p);
        for (size_t j = 0; j < p; j++)
            for (size_t i = j + 1; i < p; i++)
                pb->Q[j * p + i] = pb->Q[i * p + j];
        cblas_dgemv(CblasColMajor, CblasTrans, (int)n, (int)p, 1.0, a->X, (int)n, pb->y, 1, 0.0,
                    pb->q, 1);
    }
    for (size_t j = 0; j < p; j++)
        pb->norms[j] = gram ? pb->Q[j * p + j]
                            : cblas_ddot((int)n, a->X + j * n, 1, a->X + j * n, 1);
    *out = pb;
    return FW_OK;
}

/* H = Q w, or R = y - X w, for the start point. */
static void cd_start(cd_problem *pb, const double *w)
{
    int n = (int)pb->n, p = (int)pb->p;
    if (p == 0) /* no coordinates: Gram form (n > 0 = p), H is empty */
        return;
    if (pb->Q) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, p, p, 1.0, pb->Q, p, w, 1, 0.0, pb->R, 1);
        return;
    }
    memcpy(pb->R, pb->y, pb->n * sizeof *pb->R);
    cblas_dgemv(CblasColMajor, CblasNoTrans, n, p, -1.0, pb->X, n, w, 1, 1.0, pb->R, 1);
}

/* X_j . (y - X w): the correlation of column j with the residual. */
static double cd_corr(const cd_problem *pb, size_t j)
{
    if (pb->Q)
        return pb->q[j] - pb->R[j];
    return cblas_ddot((int)pb->n, pb->X + j * pb->n, 1, pb->R, 1);
}

/* w_j moved by delta. */
static void cd_move(cd_problem *pb, size_t j, double delta)
{
    if (pb->Q)
        cblas_daxpy((int)pb->p, delta, pb->Q + j * pb->p, 1, pb->R, 1);
    else
        cblas_daxpy((int)pb->n, -delta, pb->X + j * pb->n, 1, pb->R, 1);
}

/* The duality gap of _cd_fast.pyx, in the solver's units. */
static double cd_gap(cd_problem *pb, const double *w, double l1, double l2)
{
    size_t p = pb->p;
    int n = (int)pb->n, ip = (int)p;
    double R2, Ry;
    if (pb->Q) {
        double qw = 0, wH = 0;
        for (size_t j = 0; j < p; j++) {
            pb->XtA[j] = pb->q[j] - pb->R[j] - l2 * w[j];
            qw += pb->q[j] * w[j];
            wH += w[j] * pb->R[j];
        }
        R2 = pb->y2 + wH - 2.0 * qw;
        Ry = pb->y2 - qw;
    } else {
        for (size_t j = 0; j < p; j++)
            pb->XtA[j] = -l2 * w[j];
        if (p > 0)
            cblas_dgemv(CblasColMajor, CblasTrans, n, ip, 1.0, pb->X, n, pb->R, 1, 1.0, pb->XtA,
                        1);
        R2 = cblas_ddot(n, pb->R, 1, pb->R, 1);
        Ry = cblas_ddot(n, pb->R, 1, pb->y, 1);
    }
    double dual = 0, l1w = 0, w2 = 0;
    for (size_t j = 0; j < p; j++) {
        dual = fmax(dual, fabs(pb->XtA[j]));
        l1w += fabs(w[j]);
        w2 += w[j] * w[j];
    }
    double cst = 1.0, gap = R2;
    if (dual > l1) {
        cst = l1 / dual;
        gap = 0.5 * (R2 + R2 * cst * cst);
    }
    return gap + l1 * l1w - cst * Ry + 0.5 * l2 * (1.0 + cst * cst) * w2;
}

/* One pass over the coordinates; the largest |w_j| and change. */
static void cd_epoch(cd_problem *pb, const cd_opts *o, double *w, double *w_max,
                     double *d_max)
{
    *w_max = *d_max = 0;
    for (size_t f = 0; f < pb->p; f++) {
        size_t j = o->rng ? (size_t)gsl_rng_uniform_int(o->rng, pb->p) : f;
        if (pb->norms[j] == 0.0)
            continue;
        double old = w[j];
        double t = cd_corr(pb, j) + pb->norms[j] * old;
        double nw = 0.0; /* never -0.0, for clean output */
        if (fabs(t) > o->l1)
            nw = copysign(fabs(t) - o->l1, t) / (pb->norms[j] + o->l2);
        if (nw != old)
            cd_move(pb, j, nw - old);
        w[j] = nw;
        *d_max = fmax(*d_max, fabs(nw - old));
        *w_max = fmax(*w_max, fabs(nw));
    }
}

int cd_solve(cd_problem *pb, const cd_opts *o, double *w, fw_fit_ctx *ctx, const char *model,
             fw_err *e)
{
    double tol = o->tol * pb->y2, gap = NAN;
    int it, converged = 0;
    cd_start(pb, w);
    for (it = 0; it < o->max_iter && !converged; it++) {
        if (fw_deadline_passed(ctx->deadline))
            return fw_err_set(e, FW_ETIMEOUT, "%s: the time limit passed after %d epochs of "
                              "coordinate descent", model, it);
        double w_max, d_max;
        cd_epoch(pb, o, w, &w_max, &d_max);
        if (w_max == 0.0 || d_max / w_max < o->tol || it == o->max_iter - 1) {
            gap = cd_gap(pb, w, o->l1, o->l2);
            /* <= rather than scikit-learn's <: a constant target (gap = tol
             * = 0) converges instead of running to max_iter. */
            converged = gap <= tol;
        }
    }
    double nn = pb->n ? (double)pb->n : 1.0;
    ctx->n_iter = it;
    ctx->converged = converged;
    ctx->final_gap = gap / nn;
    ctx->warning[0] = '\0';
    if (!converged)
        snprintf(ctx->warning, sizeof ctx->warning, "%s: objective did not converge in "
                 "max_iter=%d epochs (duality gap %.3e, tolerance %.3e); increase max_iter or "
                 "alpha, or scale the features", model, o->max_iter, gap / nn, tol / nn);
    return FW_OK;
}
