/* tron.c: trust-region Newton method with conjugate gradient (Lin & More
 * 1999; the method of LIBLINEAR's TRON) for smooth, strictly convex
 * objectives seen through fw_lin_problem: L2-regularised logistic
 * regression, binary and multinomial.
 *
 * Each outer iteration solves the Newton system approximately by CG inside
 * the trust region (Steihaug's truncation at the boundary), with a forcing
 * term that tightens as the gradient shrinks so that the last iterations
 * converge superlinearly even at tight tolerances (tighter still when the
 * loss's Hessian products are cheap). The first radius is the first
 * Newton step's length: warm starts along a C path then take full Newton
 * steps at once instead of growing the radius from ||g||. Stops when the max
 * |gradient| <= tol (scikit-learn's lbfgs rule), at max_iter, or when the
 * objective cannot decrease any further in double precision.
 * CG also stops once max |residual| <= tol/2: the residual is the model's
 * next gradient, so a smaller one buys accuracy the stopping rule does not
 * ask for. Hessian products may start in single precision (the loss's
 * choice); an accepted step that fails to halve max |gradient| switches
 * them to double precision for the rest of the fit, so that rounding in
 * the model never slows the final convergence. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

enum { TR_G, TR_S, TR_R, TR_D, TR_HD, TR_W, TR_M, TR_Z, TR_NVEC };

typedef struct tron_ws {
    double *v[TR_NVEC];
} tron_ws;

/* Hessian of the full objective times d. */
static void full_hv(const fw_lin_problem *pb, const double *d, double *out)
{
    pb->hess_vec(pb->ctx, d, out);
    if (pb->l2 != 0)
        cblas_daxpy((int)pb->n_pen, pb->l2, d, 1, out, 1);
}

/* Preconditioned Steihaug CG: s approximately minimises g.s + s'Hs/2
 * within ||s||_M <= delta, M = diag(m) (all ones without a preconditioner),
 * until ||r|| <= cgtol or max |r| <= rmax; r = -g - Hs on return. Returns
 * the number of Hessian products. */
static int tron_cg(const fw_lin_problem *pb, const double *g, double delta, double cgtol,
                   double rmax, tron_ws *ws)
{
    int n = (int)pb->dim, it = 0;
    double *s = ws->v[TR_S], *r = ws->v[TR_R], *d = ws->v[TR_D], *hd = ws->v[TR_HD];
    double *m = ws->v[TR_M], *z = ws->v[TR_Z];
    double ss = 0, sd = 0, dd = 0, rz = 0;
    memset(s, 0, pb->dim * sizeof *s);
    for (size_t j = 0; j < pb->dim; j++) {
        r[j] = -g[j];
        d[j] = z[j] = r[j] / m[j];
        rz += r[j] * z[j];
        dd += d[j] * d[j] * m[j];
    }
    while (cblas_dnrm2(n, r, 1) > cgtol && fabs(r[cblas_idamax(n, r, 1)]) > rmax && it < n + 20) {
        full_hv(pb, d, hd);
        it++;
        double dhd = cblas_ddot(n, d, 1, hd, 1), alpha = dhd > 0 ? rz / dhd : INFINITY;
        if (ss + 2 * alpha * sd + alpha * alpha * dd > delta * delta) {
            /* Step to the boundary: the positive root of ||s + t d||_M = delta. */
            double rad = sqrt(sd * sd + dd * (delta * delta - ss));
            double t = sd >= 0 ? (delta * delta - ss) / (sd + rad) : (rad - sd) / dd;
            cblas_daxpy(n, t, d, 1, s, 1);
            cblas_daxpy(n, -t, hd, 1, r, 1);
            break;
        }
        cblas_daxpy(n, alpha, d, 1, s, 1);
        cblas_daxpy(n, -alpha, hd, 1, r, 1);
        double rz_new = 0;
        for (size_t j = 0; j < pb->dim; j++) {
            z[j] = r[j] / m[j];
            rz_new += r[j] * z[j];
        }
        double beta = rz_new / rz;
        ss = sd = dd = 0;
        for (size_t j = 0; j < pb->dim; j++) {
            d[j] = z[j] + beta * d[j];
            ss += s[j] * s[j] * m[j];
            sd += s[j] * d[j] * m[j];
            dd += d[j] * d[j] * m[j];
        }
        rz = rz_new;
    }
    return it;
}

/* The preconditioner: the Hessian's diagonal (as LIBLINEAR's PCG, Hsia,
 * Chiang & Lin 2018), floored at a small share of its mean so that a
 * constant column without a penalty cannot make it singular. */
static void tron_precond(const fw_lin_problem *pb, double *m)
{
    double mean = 0;
    if (!pb->hess_diag || pb->hv_cheap) {
        for (size_t j = 0; j < pb->dim; j++)
            m[j] = 1.0;
        return;
    }
    pb->hess_diag(pb->ctx, m);
    for (size_t j = 0; j < pb->dim; j++) {
        m[j] += j < pb->n_pen ? pb->l2 : 0.0;
        mean += m[j] / (double)pb->dim;
    }
    for (size_t j = 0; j < pb->dim; j++)
        m[j] = mean > 0 ? m[j] + 1e-3 * mean : 1.0;
}

static double m_norm(const double *s, const double *m, size_t n)
{
    double v = 0;
    for (size_t j = 0; j < n; j++)
        v += s[j] * s[j] * m[j];
    return sqrt(v);
}

/* The trust-region radius update of Lin & More (LIBLINEAR's constants). */
static double tron_radius(double delta, double snorm, double f, double fnew, double gs,
                          double actred, double prered)
{
    const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75;
    const double sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4.0;
    double alpha = fnew - f - gs <= 0 ? sigma3 : fmax(sigma1, -0.5 * (gs / (fnew - f - gs)));
    if (actred < eta0 * prered)
        return fmin(fmax(alpha, sigma1) * snorm, sigma2 * delta);
    if (actred < eta1 * prered)
        return fmax(sigma1 * delta, fmin(alpha * snorm, sigma2 * delta));
    if (actred < eta2 * prered)
        return fmax(sigma1 * delta, fmin(alpha * snorm, sigma3 * delta));
    return fmax(delta, fmin(alpha * snorm, sigma3 * delta));
}

static int tron_alloc(tron_ws *ws, size_t dim, fw_err *e)
{
    memset(ws, 0, sizeof *ws);
    double *block = malloc(TR_NVEC * dim * sizeof *block + 1);
    if (!block)
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu coefficients)", dim);
    for (int i = 0; i < TR_NVEC; i++)
        ws->v[i] = block + (size_t)i * dim;
    return FW_OK;
}

int fw_tron_minimize(const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                     fw_lin_report *rep, fw_err *e)
{
    tron_ws ws;
    int n = (int)pb->dim, rc = tron_alloc(&ws, pb->dim, e);
    if (rc)
        return rc;
    double *g = ws.v[TR_G], *s = ws.v[TR_S], *r = ws.v[TR_R], *wn = ws.v[TR_W];
    double f = fw_lin_objective(pb, w);
    pb->accept(pb->ctx);
    fw_lin_smooth_grad(pb, w, g);
    double gnorm0 = cblas_dnrm2(n, g, 1), delta = INFINITY, gmax = fw_lin_pseudo_grad(pb, w, g, NULL);
    memset(rep, 0, sizeof *rep);
    if (pb->hess_exact)
        pb->hess_exact(pb->ctx, 0);
    while (!fw_lin_iterate(o, gmax, rep, &rc, e)) {
        double gnorm = cblas_dnrm2(n, g, 1);
        /* A residual below tol/2 already meets the stopping rule: solving
         * further would only buy accuracy nobody asked for. */
        double cgtol = fmax(gnorm * fmin(pb->hv_cheap ? 0.01 : 0.1, gnorm / gnorm0), 0.5 * o->tol);
        tron_precond(pb, ws.v[TR_M]);
        tron_cg(pb, g, delta, cgtol, 0.5 * o->tol, &ws);
        memcpy(wn, w, pb->dim * sizeof *wn);
        cblas_daxpy(n, 1.0, s, 1, wn, 1);
        double fnew = fw_lin_objective(pb, wn);
        double gs = cblas_ddot(n, g, 1, s, 1), prered = -0.5 * (gs - cblas_ddot(n, s, 1, r, 1));
        double actred = f - fnew, snorm = m_norm(s, ws.v[TR_M], pb->dim), tiny = 1e-12 * fabs(f);
        if (rep->n_iter == 1)
            delta = fmin(delta, snorm);
        delta = tron_radius(delta, snorm, f, fnew, gs, actred, prered);
        /* Near the optimum the predicted decrease drowns in rounding of f:
         * accept a Newton step that does not visibly increase f. */
        if (actred > 1e-4 * prered || (prered <= tiny && actred >= -tiny)) {
            memcpy(w, wn, pb->dim * sizeof *w);
            f = fnew;
            pb->accept(pb->ctx);
            fw_lin_smooth_grad(pb, w, g);
            double gprev = gmax;
            gmax = fw_lin_pseudo_grad(pb, w, g, NULL);
            if (pb->hess_exact && gmax > 0.5 * gprev)
                pb->hess_exact(pb->ctx, 1);
        } else if (fabs(actred) <= 1e-15 * fabs(f) && fabs(prered) <= 1e-15 * fabs(f)) {
            rep->converged = 1;   /* a rejected step within rounding: nothing left to gain */
            break;
        }
    }
    rep->gmax = gmax;
    rep->f = f;
    free(ws.v[0]);
    return rc;
}
