/* cdn.c: the loss-independent part of the proximal Newton + coordinate
 * descent solvers (newGLMNET, Yuan, Ho & Lin 2012; glmnet): the quadratic
 * model's coordinate steps, its dense minimisation with Newton steps on
 * the support, shrinking, the Armijo line search on the full objective and
 * the outer loop with the shared stopping rule. The losses (binary in
 * cdn_logreg.c, multinomial in cdn_softmax.c) supply the model's gradient
 * and Hessian at a point, the inner solve (or fw_cdn_inner_dense) and the
 * loss along the direction.
 *
 * Why this beats OWL-QN on L1 problems: the quadratic model sees the
 * curvature of every coordinate exactly, so the outer loop converges
 * superlinearly once the sign pattern settles, where L-BFGS restricted to
 * an orthant keeps relearning curvature after every sign change. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "linear_int.h"

/* Armijo constant of the line search and its backtracking factor. */
#define CDN_SIGMA 0.01
#define CDN_BETA 0.5
#define CDN_MAX_LS 60

void fw_cdn_model_free(fw_cdn_model *m)
{
    if (!m)
        return;
    free(m->g);
    free(m->active);
    free(m->H);
    m->g = m->H = NULL;
    m->active = NULL;
}

int fw_cdn_model_alloc(fw_cdn_model *m, const fw_lin_problem *pb, int dense, fw_err *e)
{
    size_t dim = pb->dim;
    memset(m, 0, sizeof *m);
    m->pb = pb;
    m->dim = dim;
    m->pinned = dim;
    m->group = 1;
    m->g = malloc(5 * dim * sizeof *m->g + 1);
    m->active = malloc(2 * dim * sizeof *m->active + 1);
    if (dense)
        m->H = malloc((2 * dim * dim + 2 * dim) * sizeof *m->H + 1);
    if (!m->g || !m->active || (dense && !m->H)) {
        fw_cdn_model_free(m);
        return fw_err_set(e, FW_ENOMEM, "out of memory for the solver (%zu coefficients)", dim);
    }
    m->h = m->g + dim;
    m->d = m->h + dim;
    m->wt = m->d + dim;
    m->pg = m->wt + dim;
    m->supp = m->active + dim;
    if (m->H) {
        m->HS = m->H + dim * dim;
        m->q = m->HS + dim * dim;
        m->rs = m->q + dim;
    }
    return FW_OK;
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

double fw_cdn_diag(const fw_cdn_model *m, size_t j, double hjj)
{
    return fmax(hjj + (j < m->pb->n_pen ? m->pb->l2 : 0.0), 1e-12);
}

void fw_cdn_dense_finish(fw_cdn_model *m)
{
    size_t dim = m->dim;
    for (size_t j = 0; j < dim; j++) {
        for (size_t k = 0; k < j; k++)
            m->H[k * dim + j] = m->H[j * dim + k];
        m->H[j * dim + j] = m->h[j] = fw_cdn_diag(m, j, m->H[j * dim + j]);
    }
}

/* Shrinking: a penalised coordinate at zero whose gradient lies inside
 * (-l1, l1) by a margin stays at zero in the model's minimiser unless
 * the others move a lot; leave it out of this outer iteration's sweeps.
 * The pinned coordinate never moves. */
static int cdn_active_set(fw_cdn_model *m, const double *w, double margin)
{
    const fw_lin_problem *pb = m->pb;
    int na = 0;
    for (size_t j = 0; j < m->dim; j++) {
        int out = j == m->pinned ||
                  (j < pb->n_pen && pb->l1 > 0 && w[j] == 0 && fabs(m->g[j]) < pb->l1 - margin);
        if (!out)
            m->active[na++] = (int)j;
    }
    return na;
}

double fw_cdn_coord_step(double G, double H, double v, double l1, int pen, double *viol)
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

/* Dense model: the coordinate step on j from the kept q = H d. */
static double cdn_dense_coord(fw_cdn_model *m, const double *w, size_t j)
{
    const fw_lin_problem *pb = m->pb;
    double viol, t = fw_cdn_coord_step(m->g[j] + m->q[j], m->h[j], w[j] + m->d[j], pb->l1,
                                       j < pb->n_pen, &viol);
    if (t != 0) {
        m->d[j] += t;
        cblas_daxpy((int)m->dim, t, m->H + j * m->dim, 1, m->q, 1);
    }
    return viol;
}

/* The step along rs (the support's Newton step) up to the first sign
 * change; that coordinate lands exactly on zero. */
static void cdn_support_step(fw_cdn_model *m, const double *w, size_t ns)
{
    const fw_lin_problem *pb = m->pb;
    double alpha = 1.0;
    for (size_t a = 0; a < ns; a++) {
        size_t j = (size_t)m->supp[a];
        double v = w[j] + m->d[j];
        if (j < pb->n_pen && (v + m->rs[a]) * v < 0)
            alpha = fmin(alpha, -v / m->rs[a]);
    }
    for (size_t a = 0; a < ns; a++) {
        size_t j = (size_t)m->supp[a];
        double v = w[j] + m->d[j];
        m->d[j] += alpha * m->rs[a];
        if (j < pb->n_pen && (v + m->rs[a]) * v < 0 && alpha == -v / m->rs[a])
            m->d[j] = -w[j];
    }
}

/* A group (m->group consecutive penalised coordinates, all of them in the
 * support, in order) along whose all-ones direction the loss is flat: with
 * no l2 term H_SS is singular there. Hold its smallest |w + d| member out
 * of this Newton step (the face's Newton step on the rest is defined; the
 * sweeps move the member). Returns the support's new size. */
static size_t cdn_support_ungroup(fw_cdn_model *m, const double *w, size_t ns)
{
    size_t G = m->group, out = 0;
    for (size_t a = 0; a < ns;) {
        size_t j = (size_t)m->supp[a], g0 = j - j % G, len = 0;
        while (a + len < ns && (size_t)m->supp[a + len] == g0 + len)
            len++;
        if (j != g0 || len != G || g0 + G > m->pb->n_pen) {
            m->supp[out++] = m->supp[a++];
            continue;
        }
        size_t drop = g0;
        for (size_t c = 1; c < G; c++)
            if (fabs(w[g0 + c] + m->d[g0 + c]) < fabs(w[drop] + m->d[drop]))
                drop = g0 + c;
        for (size_t c = 0; c < G; c++)
            if (g0 + c != drop)
                m->supp[out++] = (int)(g0 + c);
        a += G;
    }
    return out;
}

/* The full Newton step (in rs) from d into wt, with the coordinates it
 * takes across zero set to zero (projected on the orthant of w + d, as
 * OWL-QN's line search does): when many signs settle at once (a warm start
 * to a much larger C) this keeps the step where the step cut at the first
 * sign change zeroes one coordinate per sweep (digits, C path 0.1 .. 100:
 * half the time). Grouped (softmax) models only: the binary solver keeps
 * the cut step it was validated with. */
static void cdn_support_project(fw_cdn_model *m, const double *w, size_t ns)
{
    const fw_lin_problem *pb = m->pb;
    memcpy(m->wt, m->d, m->dim * sizeof *m->wt);
    for (size_t a = 0; a < ns; a++) {
        size_t j = (size_t)m->supp[a];
        double v = w[j] + m->d[j];
        m->wt[j] = j < pb->n_pen && (v + m->rs[a]) * v < 0 ? -w[j] : m->d[j] + m->rs[a];
    }
}

/* The model at direction d, up to a constant: g'd + d'Hd/2 + l1 ||w + d||_1,
 * with q = H d. */
static double cdn_model(const fw_cdn_model *m, const double *w, const double *d, double *q)
{
    const fw_lin_problem *pb = m->pb;
    int dim = (int)m->dim;
    cblas_dsymv(CblasColMajor, CblasUpper, dim, 1.0, m->H, dim, d, 1, 0.0, q, 1);
    double v = cblas_ddot(dim, m->g, 1, d, 1) + 0.5 * cblas_ddot(dim, d, 1, q, 1), ab = 0;
    for (size_t j = 0; j < pb->n_pen; j++)
        ab += fabs(w[j] + d[j]);
    return v + pb->l1 * ab;
}

/* The support's Newton system: HS = H_SS and rs = -(g + H d + l1 sign)_S.
 * Returns HS. */
static double *cdn_support_system(fw_cdn_model *m, const double *w, size_t ns)
{
    const fw_lin_problem *pb = m->pb;
    size_t dim = m->dim;
    for (size_t a = 0; a < ns; a++) {
        size_t j = (size_t)m->supp[a];
        double v = w[j] + m->d[j], sg = j < pb->n_pen ? (v > 0 ? 1.0 : -1.0) : 0.0;
        m->rs[a] = -(m->g[j] + m->q[j] + pb->l1 * sg);
        for (size_t b = 0; b < ns; b++)
            m->HS[a * ns + b] = m->H[j * dim + (size_t)m->supp[b]];
    }
    return m->HS;
}

/* Newton on the model's current support S (free coordinates and penalised
 * ones with w + d != 0, signs held): H_SS delta = -(g + H d + l1 sign)_S,
 * taken up to the first sign change (on that face the model is a convex
 * quadratic, so every step length in [0, 1] lowers it) or, for grouped
 * models, in full with the crossing coordinates projected to zero,
 * whichever lowers the model more. Coordinate descent
 * alone crawls when features are strongly correlated (breast cancer's
 * radius, perimeter and area); this step solves the settled support at
 * once. Skipped when H_SS is not numerically positive definite. */
static int cdn_support_newton(fw_cdn_model *m, const double *w, int na)
{
    const fw_lin_problem *pb = m->pb;
    size_t ns = 0, dim = m->dim;
    for (int a = 0; a < na; a++) {
        size_t j = (size_t)m->active[a];
        if (j >= pb->n_pen || w[j] + m->d[j] != 0)
            m->supp[ns++] = (int)j;
    }
    if (m->group > 1 && pb->l2 == 0)
        ns = cdn_support_ungroup(m, w, ns);
    if (ns == 0)
        return 1;
    if (!fw_lin_spd_solve(cdn_support_system(m, w, ns), ns, m->rs, 1e-14))
        return 0;
    if (m->group > 1)
        cdn_support_project(m, w, ns);
    cdn_support_step(m, w, ns);
    double mt = cdn_model(m, w, m->d, m->q);
    if (m->group > 1 && cdn_model(m, w, m->wt, m->rs) < mt) {
        memcpy(m->d, m->wt, dim * sizeof *m->d);
        memcpy(m->q, m->rs, dim * sizeof *m->q);
    }
    return 1;
}

int fw_cdn_inner_dense(fw_cdn_model *m, const double *w, int na, double inner_tol)
{
    int sweeps = 0, fails = 0, wait = 0;
    memset(m->d, 0, m->dim * sizeof *m->d);
    memset(m->q, 0, m->dim * sizeof *m->q);
    while (sweeps < FW_CDN_MAX_SWEEPS) {
        double viol_max = 0;
        sweeps++;
        for (int a = 0; a < na; a++)
            viol_max = fmax(viol_max, cdn_dense_coord(m, w, (size_t)m->active[a]));
        if (viol_max <= inner_tol)
            break;
        /* A support whose system was singular mostly stays so for a while
         * (near-separated rows early on a path): retry after 1, 2, 4, ...
         * sweeps (at most 16) instead of paying a failed Cholesky each. */
        if (wait > 0)
            wait--;
        else if (!cdn_support_newton(m, w, na))
            wait = 1 << (fails < 4 ? fails++ : 4);
    }
    return sweeps;
}

/* Backtracking along d: on success w += t d, returns 1 and *f the new
 * objective; returns 0 when no step decreases it (the predicted decrease
 * is then below what double precision resolves). */
static int cdn_line_search(fw_cdn_model *m, const fw_cdn_loss *L, double *w, double *f)
{
    const fw_lin_problem *pb = m->pb;
    double delta = cblas_ddot((int)m->dim, m->g, 1, m->d, 1);
    double ab0 = 0, ab1 = 0;
    for (size_t j = 0; j < pb->n_pen; j++) {
        ab0 += fabs(w[j]);
        ab1 += fabs(w[j] + m->d[j]);
    }
    delta += pb->l1 * (ab1 - ab0);
    if (!(delta < 0))
        return 0;
    double t = 1.0;
    for (int ls = 0; ls < CDN_MAX_LS; ls++, t *= CDN_BETA) {
        for (size_t j = 0; j < m->dim; j++)
            m->wt[j] = w[j] + t * m->d[j];
        double fn = L->trial(L->ctx, t) + cdn_penalty(pb, m->wt);
        if (fn - *f <= CDN_SIGMA * t * delta) {
            memcpy(w, m->wt, m->dim * sizeof *w);
            *f = fn;
            return 1;
        }
        if (fabs(t * delta) < 1e-15 * fmax(fabs(*f), 1.0))
            break;
    }
    return 0;
}

/* The objective at w; the model's gradient gains the l2 term. */
static double cdn_point(fw_cdn_model *m, const fw_cdn_loss *L, const double *w)
{
    double f = L->point(L->ctx, w);
    for (size_t j = 0; j < m->pb->n_pen; j++)
        m->g[j] += m->pb->l2 * w[j];
    return f + cdn_penalty(m->pb, w);
}

int fw_cdn_minimize(fw_cdn_model *m, const fw_cdn_loss *L, double *w, const fw_lin_opts *o,
                    fw_lin_report *rep, fw_err *e)
{
    const fw_lin_problem *pb = m->pb;
    int rc = FW_OK;
    memset(rep, 0, sizeof *rep);
    double f = cdn_point(m, L, w);
    double gmax = fw_lin_pseudo_grad(pb, w, m->g, m->pg), prev = gmax;
    while (!fw_lin_iterate(o, gmax, rep, &rc, e)) {
        int na = cdn_active_set(m, w, prev / (double)L->n);
        /* Inexact inner solves early (the model is only good near w), exact
         * enough late for superlinear convergence, never below tol / 4. */
        double inner_tol = fmax(0.25 * o->tol, 0.1 * gmax * fmin(1.0, gmax));
        L->inner(L->ctx, w, na, inner_tol);
        if (!cdn_line_search(m, L, w, &f)) {
            /* No decrease possible in double precision: as converged as
             * this arithmetic allows (OWL-QN's stall rule likewise). */
            rep->converged = 1;
            break;
        }
        f = cdn_point(m, L, w);
        prev = gmax;
        gmax = fw_lin_pseudo_grad(pb, w, m->g, m->pg);
    }
    rep->gmax = gmax;
    rep->f = f;
    return rc;
}
