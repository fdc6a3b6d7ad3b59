/* svm_dual.c: dual coordinate descent for L2-regularised linear SVMs with
 * the hinge (L1) or squared hinge (L2) loss (Hsieh, Chang, Lin, Keerthi,
 * Sundararajan 2008), the method of LIBLINEAR's solvers 3 and 1.
 *
 * The dual  min_a 0.5 a'Qa - e'a  s.t. 0 <= a_i <= U_i,  with
 * Q_ij = y_i y_j x_i.x_j + D_ii, is minimised one coordinate at a time in
 * a random order per epoch (from the caller's stream), keeping
 * w = sum_i y_i a_i x_i. Hinge: D_ii = 0, U_i = C_i; squared hinge:
 * D_ii = 1/(2 C_i), U_i = infinity. Coordinates stuck at a bound are
 * shrunk away while their projected gradient stays beyond the previous
 * epoch's extremes; when the rest converges, every coordinate is checked
 * once more. Stops when max PG - min PG <= eps over an epoch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

typedef struct svm_ws {
    double *alpha, *qd, *diag, *ub;
    size_t *index;
    size_t n_act;    /* rows with C_i > 0 */
} svm_ws;

static void svm_ws_free(svm_ws *ws)
{
    free(ws->alpha);
    free(ws->qd);
    free(ws->diag);
    free(ws->ub);
    free(ws->index);
}

static int svm_ws_init(const fw_lin_rows *r, const double *Ci, int squared, svm_ws *ws)
{
    size_t n = r->n;
    memset(ws, 0, sizeof *ws);
    ws->alpha = calloc(n + 1, sizeof *ws->alpha);
    ws->qd = malloc((n + 1) * sizeof *ws->qd);
    ws->diag = malloc((n + 1) * sizeof *ws->diag);
    ws->ub = malloc((n + 1) * sizeof *ws->ub);
    ws->index = malloc((n + 1) * sizeof *ws->index);
    if (!ws->alpha || !ws->qd || !ws->diag || !ws->ub || !ws->index)
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const double *x = r->X + i * r->p1;
        ws->diag[i] = squared ? 0.5 / Ci[i] : 0.0;
        ws->ub[i] = squared ? INFINITY : Ci[i];
        ws->qd[i] = ws->diag[i] + cblas_ddot((int)r->p1, x, 1, x, 1);
        /* Rows without weight (or all-zero rows under the hinge) cannot move. */
        if (Ci[i] > 0 && ws->qd[i] > 0)
            ws->index[ws->n_act++] = i;
    }
    return FW_OK;
}

static double dual_objective(const fw_lin_rows *r, const svm_ws *ws, const double *w)
{
    double f = 0.5 * cblas_ddot((int)r->p1, w, 1, w, 1);
    for (size_t i = 0; i < r->n; i++)
        f += 0.5 * ws->diag[i] * ws->alpha[i] * ws->alpha[i] - ws->alpha[i];
    return f;
}

/* One epoch over the active coordinates; returns the PG extremes in pg[2]. */
static void svm_epoch(const fw_lin_rows *r, const double *y, svm_ws *ws, size_t *active,
                      const double old[2], double pg[2], double *w)
{
    int p1 = (int)r->p1;
    pg[0] = -INFINITY;
    pg[1] = INFINITY;
    for (size_t s = 0; s < *active; s++) {
        size_t i = ws->index[s];
        const double *x = r->X + i * r->p1;
        double a = ws->alpha[i], g = y[i] * cblas_ddot(p1, w, 1, x, 1) - 1 + a * ws->diag[i];
        double v = g;
        if ((a == 0 && g > old[0]) || (a == ws->ub[i] && g < old[1])) {
            size_t t = ws->index[s];
            ws->index[s--] = ws->index[--*active];
            ws->index[*active] = t;
            continue;
        }
        if (a == 0)
            v = fmin(g, 0);
        else if (a == ws->ub[i])
            v = fmax(g, 0);
        pg[0] = fmax(pg[0], v);
        pg[1] = fmin(pg[1], v);
        if (fabs(v) > 1e-12) {
            ws->alpha[i] = fmin(fmax(a - g / ws->qd[i], 0.0), ws->ub[i]);
            cblas_daxpy(p1, (ws->alpha[i] - a) * y[i], x, 1, w, 1);
        }
    }
}

int fw_svm_dual_solve(const fw_lin_rows *r, const double *y, const double *Ci,
                      const fw_svm_dual_opts *o, double *w, fw_lin_report *rep, fw_err *e)
{
    svm_ws ws;
    int rc = FW_OK;
    memset(rep, 0, sizeof *rep);
    memset(w, 0, r->p1 * sizeof *w);
    if (svm_ws_init(r, Ci, o->squared, &ws)) {
        svm_ws_free(&ws);
        return fw_err_set(e, FW_ENOMEM, "out of memory for the dual solver (%zu rows)", r->n);
    }
    size_t active = ws.n_act;
    double old[2] = {INFINITY, -INFINITY}, pg[2] = {0, 0};
    while (rep->n_iter < o->max_iter) {
        if (fw_deadline_passed(o->deadline)) {
            rc = fw_err_set(e, FW_ETIMEOUT, "the time limit passed after %d epochs", rep->n_iter);
            break;
        }
        fw_shuffle(o->rng, ws.index, active);
        svm_epoch(r, y, &ws, &active, old, pg, w);
        if (o->trace && (size_t)rep->n_iter < o->trace_cap)
            o->trace[rep->n_iter] = dual_objective(r, &ws, w);
        rep->n_iter++;
        rep->gmax = fmax(0.0, pg[0] - pg[1]);
        if (pg[0] - pg[1] <= o->eps) {
            if (active == ws.n_act) {
                rep->converged = 1;
                break;
            }
            active = ws.n_act;
            old[0] = INFINITY;
            old[1] = -INFINITY;
            continue;
        }
        old[0] = pg[0] <= 0 ? INFINITY : pg[0];
        old[1] = pg[1] >= 0 ? -INFINITY : pg[1];
    }
    rep->f = dual_objective(r, &ws, w);
    svm_ws_free(&ws);
    return rc;
}
