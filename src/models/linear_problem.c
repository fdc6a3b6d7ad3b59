/* linear_problem.c: the regularised objective around a loss, shared by the
 * solvers (TRON, OWL-QN): value, smooth gradient and the pseudo-gradient
 * whose max |entry| is the stopping rule (scikit-learn's lbfgs stops on
 * the max |projected gradient| of the same objective). */
#include <math.h>

#include "linear_int.h"

double fw_lin_objective(const fw_lin_problem *pb, const double *w)
{
    double f = pb->value(pb->ctx, w), sq = 0, ab = 0;
    for (size_t j = 0; j < pb->n_pen; j++) {
        sq += w[j] * w[j];
        ab += fabs(w[j]);
    }
    return f + 0.5 * pb->l2 * sq + pb->l1 * ab;
}

void fw_lin_smooth_grad(const fw_lin_problem *pb, const double *w, double *g)
{
    pb->grad(pb->ctx, g);
    for (size_t j = 0; j < pb->n_pen && pb->l2 != 0; j++)
        g[j] += pb->l2 * w[j];
}

double fw_lin_pseudo_grad(const fw_lin_problem *pb, const double *w, const double *g,
                          double *pg)
{
    double mx = 0, l1 = pb->l1;
    for (size_t j = 0; j < pb->dim; j++) {
        double v = g[j];
        if (j < pb->n_pen && l1 > 0) {
            if (w[j] > 0)
                v = g[j] + l1;
            else if (w[j] < 0)
                v = g[j] - l1;
            else if (g[j] + l1 < 0)
                v = g[j] + l1;
            else if (g[j] - l1 > 0)
                v = g[j] - l1;
            else
                v = 0;
        }
        if (pg)
            pg[j] = v;
        mx = fabs(v) > mx ? fabs(v) : mx;
    }
    return mx;
}

int fw_lin_iterate(const fw_lin_opts *o, double gmax, fw_lin_report *rep, int *rc, fw_err *e)
{
    if (fw_deadline_passed(o->deadline)) {
        *rc = fw_err_set(e, FW_ETIMEOUT, "the time limit passed after %d iterations",
                         rep->n_iter);
        return 1;
    }
    if (gmax <= o->tol || rep->n_iter >= o->max_iter) {
        rep->converged = gmax <= o->tol;
        return 1;
    }
    rep->n_iter++;
    return 0;
}
