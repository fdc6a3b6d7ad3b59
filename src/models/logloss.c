/* logloss.c: the weighted logistic losses (binary and multinomial) behind
 * the solvers' problem interface, on the row-major copy of the training
 * rows.
 *
 * Speed: the rows are visited in blocks small enough to stay in cache, and
 * each visit does both halves of the work on the block (scores X_b w, then
 * X_b^T r), so one value-and-gradient evaluation and one Hessian-vector
 * product each read the data once; both halves are BLAS calls (dgemv for
 * binary, dgemm for multinomial). The value call computes the gradient and
 * the Hessian weights of its trial point at the same time; `accept` swaps
 * the trial buffers in. Every buffer is allocated once per fit.
 * Hessian-vector products run in single precision (sgemm on a float copy of
 * the rows, twice dgemm's speed) until the solver asks for exact ones: the
 * Hessian only shapes the Newton step, while the value and gradient that
 * accept steps and decide convergence stay in double precision.
 * Small binary problems go further and form the Hessian itself (below),
 * so that the solver's CG steps never touch the rows. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linear_int.h"

/* Binary problems with at most this many coefficients form the Hessian:
 * one dsyrk pass (n p1^2 / 2 flops at BLAS-3 speed) beats the ~10 CG
 * passes over the rows (2 n p1 flops each, bound by memory) it replaces. */
#define FW_LOGLOSS_DENSE_MAX 200
/* Rows per dsyrk call: large enough for BLAS-3 efficiency (~512 KB). */
#define FW_LOGLOSS_SYRK_DOUBLES 65536

struct fw_logloss {
    const double *X, *sw;
    const int *cls;
    size_t n, p1, k, block, hblock;
    int positive;
    double *h_trial, *h_cur;   /* binary: D_i = sw_i s(1-s); multinomial: P (n x k) */
    double *g_trial, *g_cur;   /* loss gradient, p1 x k                             */
    double *zb, *ub;           /* block scratch, block x k                           */
    /* Small binary problems: the Hessian X'DX formed once per point, so
     * that CG's products are dsymv on p1 x p1 instead of passes over X. */
    double *hess;              /* p1 x p1 upper triangle, or NULL                    */
    double *sb;                /* block x p1 scratch (scaled or squared rows)        */
    double *d_form;            /* the weights D the Hessian was formed with (n)      */
    int hess_ok;               /* hess is close enough to the current point          */
    int formed;                /* hess has been formed at least once                 */
    /* The point of the current buffers, so that evaluating it again (the
     * start of the next C on a warm-started path) costs no pass. */
    double *w_trial, *w_cur, f_trial, f_cur;
    int have_cur, trial_is_cur;
    /* Single-precision Hessian products: the rows, v, a block of scores
     * and one block's product, as floats. NULL when the Hessian is formed. */
    float *Xf, *vf, *zf, *of;
    int single;                /* hess_vec uses the float copy */
};

void fw_logloss_free(fw_logloss *l)
{
    if (!l)
        return;
    free(l->h_trial);
    free(l->h_cur);
    free(l->g_trial);
    free(l->g_cur);
    free(l->zb);
    free(l->ub);
    free(l->hess);
    free(l->sb);
    free(l->d_form);
    free(l->w_trial);
    free(l->w_cur);
    free(l->Xf);
    free(l);
}

/* The float copy of the rows and the float scratch behind it, one block. */
static int single_alloc(fw_logloss *l)
{
    size_t nx = l->n * l->p1, nw = l->p1 * l->k;
    l->Xf = malloc((nx + 2 * nw + l->block * l->k) * sizeof *l->Xf + 1);
    if (!l->Xf)
        return FW_ENOMEM;
    l->vf = l->Xf + nx;
    l->of = l->vf + nw;
    l->zf = l->of + nw;
    for (size_t i = 0; i < nx; i++)
        l->Xf[i] = (float)l->X[i];
    l->single = 1;
    return FW_OK;
}

fw_logloss *fw_logloss_alloc(const fw_lin_rows *r, const double *sw, size_t k, int positive)
{
    fw_logloss *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->X = r->X;
    l->sw = sw;
    l->cls = r->cls;
    l->n = r->n;
    l->p1 = r->p1;
    l->k = k;
    l->positive = positive;
    l->block = 16384 / (r->p1 + k);
    l->block = l->block < 8 ? 8 : l->block;
    l->block = l->block > r->n ? r->n : l->block;
    l->h_trial = malloc(r->n * k * sizeof(double) + 1);
    l->h_cur = malloc(r->n * k * sizeof(double) + 1);
    l->g_trial = malloc(r->p1 * k * sizeof(double));
    l->g_cur = malloc(r->p1 * k * sizeof(double));
    l->w_trial = malloc(r->p1 * k * sizeof(double));
    l->w_cur = malloc(r->p1 * k * sizeof(double));
    l->zb = malloc(l->block * k * sizeof(double) + 1);
    l->ub = malloc(l->block * k * sizeof(double) + 1);
    l->hblock = FW_LOGLOSS_SYRK_DOUBLES / r->p1;
    l->hblock = l->hblock < l->block ? l->block : l->hblock > r->n ? r->n : l->hblock;
    l->sb = malloc(l->hblock * r->p1 * sizeof(double) + 1);
    if (k == 1 && r->p1 <= FW_LOGLOSS_DENSE_MAX) {
        l->hess = malloc(r->p1 * r->p1 * sizeof(double));
        l->d_form = malloc(r->n * sizeof(double) + 1);
    }
    int dense_bad = k == 1 && r->p1 <= FW_LOGLOSS_DENSE_MAX && (!l->hess || !l->d_form);
    if (!l->hess && single_alloc(l))
        dense_bad = 1;
    if (!l->h_trial || !l->h_cur || !l->g_trial || !l->g_cur || !l->w_trial || !l->w_cur ||
        !l->zb || !l->ub || !l->sb ||
        dense_bad) {
        fw_logloss_free(l);
        return NULL;
    }
    return l;
}

/* Binary rows [i0, i0+nb): loss, residuals into ub, Hessian weights. */
static double binary_block(fw_logloss *l, size_t i0, size_t nb)
{
    double f = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t i = i0 + b;
        double y = l->cls[i] == l->positive ? 1.0 : -1.0, m = y * l->zb[b], t, s, s1;
        if (m >= 0) {
            t = exp(-m);
            f += l->sw[i] * log1p(t);
            s = 1.0 / (1.0 + t);
            s1 = t * s;
        } else {
            t = exp(m);
            f += l->sw[i] * (log1p(t) - m);
            s1 = 1.0 / (1.0 + t);
            s = t * s1;
        }
        l->ub[b] = -l->sw[i] * y * s1;
        l->h_trial[i] = l->sw[i] * s * s1;
    }
    return f;
}

/* Multinomial rows: loss, residuals sw (P - Y) into ub, P into h_trial. */
static double softmax_block(fw_logloss *l, size_t i0, size_t nb)
{
    size_t k = l->k;
    double f = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t i = i0 + b;
        const double *z = l->zb + b * k;
        double *pr = l->h_trial + i * k, *u = l->ub + b * k, mx = z[0], se = 0;
        for (size_t c = 1; c < k; c++)
            mx = z[c] > mx ? z[c] : mx;
        for (size_t c = 0; c < k; c++) {
            pr[c] = exp(z[c] - mx);
            se += pr[c];
        }
        f += l->sw[i] * (mx + log(se) - z[l->cls[i]]);
        for (size_t c = 0; c < k; c++) {
            pr[c] /= se;
            u[c] = l->sw[i] * pr[c];
        }
        u[l->cls[i]] -= l->sw[i];
    }
    return f;
}

/* Scores of rows [i0, i0+nb) into zb: X_b w (w is p1 x k). */
static void block_scores(const fw_logloss *l, size_t i0, size_t nb, const double *w, double *z)
{
    const double *Xb = l->X + i0 * l->p1;
    if (l->k == 1)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)nb, (int)l->p1, 1.0, Xb, (int)l->p1, w, 1,
                    0.0, z, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)l->k, (int)l->p1,
                    1.0, Xb, (int)l->p1, w, (int)l->k, 0.0, z, (int)l->k);
}

/* g += X_b^T u for rows [i0, i0+nb). */
static void block_back(const fw_logloss *l, size_t i0, size_t nb, const double *u, double *g)
{
    const double *Xb = l->X + i0 * l->p1;
    if (l->k == 1)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)l->p1, 1.0, Xb, (int)l->p1, u, 1,
                    1.0, g, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)l->p1, (int)l->k, (int)nb,
                    1.0, Xb, (int)l->p1, u, (int)l->k, 1.0, g, (int)l->k);
}

static double logloss_value(void *ctx, const double *w)
{
    fw_logloss *l = ctx;
    size_t dim = l->p1 * l->k;
    double f = 0;
    l->trial_is_cur = l->have_cur && memcmp(w, l->w_cur, dim * sizeof *w) == 0;
    if (l->trial_is_cur)
        return l->f_cur;
    memset(l->g_trial, 0, dim * sizeof *l->g_trial);
    for (size_t i0 = 0; i0 < l->n; i0 += l->block) {
        size_t nb = l->n - i0 < l->block ? l->n - i0 : l->block;
        block_scores(l, i0, nb, w, l->zb);
        f += l->k == 1 ? binary_block(l, i0, nb) : softmax_block(l, i0, nb);
        block_back(l, i0, nb, l->ub, l->g_trial);
    }
    memcpy(l->w_trial, w, dim * sizeof *w);
    l->f_trial = f;
    return f;
}

static void logloss_accept(void *ctx)
{
    fw_logloss *l = ctx;
    if (l->trial_is_cur)
        return;
    double *t = l->h_cur;
    l->h_cur = l->h_trial;
    l->h_trial = t;
    t = l->g_cur;
    l->g_cur = l->g_trial;
    l->g_trial = t;
    t = l->w_cur;
    l->w_cur = l->w_trial;
    l->w_trial = t;
    l->f_cur = l->f_trial;
    l->have_cur = 1;
    l->hess_ok = 0;
}

/* Whether the formed Hessian still stands for the current point: the
 * weights D moved by under 2% in total. Newton steps with a Hessian that
 * close lose next to nothing, and the late iterations of a fit (and the
 * first of the next C on a path) then skip the formation. */
static int hessian_still_good(const fw_logloss *l)
{
    double moved = 0, total = 0;
    for (size_t i = 0; i < l->n; i++) {
        moved += fabs(l->h_cur[i] - l->d_form[i]);
        total += l->d_form[i];
    }
    return moved <= 0.02 * total;
}

/* Upper triangle of X'DX, block by block: rows scaled by sqrt(D_i), dsyrk. */
static void form_hessian(fw_logloss *l)
{
    size_t p1 = l->p1;
    memset(l->hess, 0, p1 * p1 * sizeof *l->hess);
    for (size_t i0 = 0; i0 < l->n; i0 += l->hblock) {
        size_t nb = l->n - i0 < l->hblock ? l->n - i0 : l->hblock;
        for (size_t b = 0; b < nb; b++) {
            double sd = sqrt(l->h_cur[i0 + b]);
            const double *x = l->X + (i0 + b) * p1;
            for (size_t j = 0; j < p1; j++)
                l->sb[b * p1 + j] = sd * x[j];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p1, (int)nb, 1.0, l->sb,
                    (int)p1, 1.0, l->hess, (int)p1);
    }
    memcpy(l->d_form, l->h_cur, l->n * sizeof *l->d_form);
    l->formed = 1;
}

static void logloss_grad(void *ctx, double *g)
{
    fw_logloss *l = ctx;
    memcpy(g, l->g_cur, l->p1 * l->k * sizeof *g);
}

/* Multinomial Hessian times V on a block: R_ic = sw_i P_ic (U_ic - sum_c P_ic U_ic). */
static void softmax_hv_block(fw_logloss *l, size_t i0, size_t nb)
{
    size_t k = l->k;
    for (size_t b = 0; b < nb; b++) {
        const double *pr = l->h_cur + (i0 + b) * k;
        double *u = l->zb + b * k, t = 0;
        for (size_t c = 0; c < k; c++)
            t += pr[c] * u[c];
        for (size_t c = 0; c < k; c++)
            u[c] = l->sw[i0 + b] * pr[c] * (u[c] - t);
    }
}

/* The loss's weighting of the float scores zf of rows [i0, i0+nb), in
 * double: D_i z_i (binary), sw_i P_ic (z_ic - sum_c P_ic z_ic) (softmax). */
static void single_weigh(fw_logloss *l, size_t i0, size_t nb)
{
    size_t k = l->k;
    for (size_t b = 0; b < nb; b++) {
        const double *pr = l->h_cur + (i0 + b) * k;
        float *z = l->zf + b * k;
        double t = 0, sw = l->sw[i0 + b];
        if (k == 1) {
            z[0] = (float)(pr[0] * z[0]);
            continue;
        }
        for (size_t c = 0; c < k; c++)
            t += pr[c] * z[c];
        for (size_t c = 0; c < k; c++)
            z[c] = (float)(sw * pr[c] * (z[c] - t));
    }
}

/* Rows [i0, i0+nb) of the Hessian product in single precision: scores
 * X_b v (sgemm/sgemv), the loss's weighting, then X_b^T of it into of,
 * added to out. */
static void single_hv_block(fw_logloss *l, size_t i0, size_t nb, double *out)
{
    int p1 = (int)l->p1, k = (int)l->k, nbi = (int)nb;
    const float *Xb = l->Xf + i0 * l->p1;
    if (k == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, nbi, p1, 1.0f, Xb, p1, l->vf, 1, 0.0f, l->zf, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nbi, k, p1, 1.0f, Xb, p1, l->vf,
                    k, 0.0f, l->zf, k);
    single_weigh(l, i0, nb);
    if (k == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, nbi, p1, 1.0f, Xb, p1, l->zf, 1, 0.0f, l->of, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p1, k, nbi, 1.0f, Xb, p1, l->zf, k,
                    0.0f, l->of, k);
    for (size_t j = 0; j < l->p1 * l->k; j++)
        out[j] += l->of[j];
}

static void logloss_hess_vec(void *ctx, const double *v, double *out)
{
    fw_logloss *l = ctx;
    if (l->hess) {
        if (!l->hess_ok && !(l->formed && hessian_still_good(l)))
            form_hessian(l);
        l->hess_ok = 1;
        cblas_dsymv(CblasRowMajor, CblasUpper, (int)l->p1, 1.0, l->hess, (int)l->p1, v, 1, 0.0,
                    out, 1);
        return;
    }
    memset(out, 0, l->p1 * l->k * sizeof *out);
    if (l->single) {
        for (size_t j = 0; j < l->p1 * l->k; j++)
            l->vf[j] = (float)v[j];
        for (size_t i0 = 0; i0 < l->n; i0 += l->block)
            single_hv_block(l, i0, l->n - i0 < l->block ? l->n - i0 : l->block, out);
        return;
    }
    for (size_t i0 = 0; i0 < l->n; i0 += l->block) {
        size_t nb = l->n - i0 < l->block ? l->n - i0 : l->block;
        block_scores(l, i0, nb, v, l->zb);
        if (l->k == 1)
            for (size_t b = 0; b < nb; b++)
                l->zb[b] *= l->h_cur[i0 + b];
        else
            softmax_hv_block(l, i0, nb);
        block_back(l, i0, nb, l->zb, out);
    }
}

/* diag(X'DX) for binary, sum_i sw_i P_ic (1 - P_ic) x_ij^2 for multinomial. */
static void logloss_hess_diag(void *ctx, double *out)
{
    fw_logloss *l = ctx;
    size_t p1 = l->p1, k = l->k;
    memset(out, 0, p1 * k * sizeof *out);
    for (size_t i0 = 0; i0 < l->n; i0 += l->block) {
        size_t nb = l->n - i0 < l->block ? l->n - i0 : l->block;
        for (size_t b = 0; b < nb; b++) {
            const double *x = l->X + (i0 + b) * p1;
            for (size_t j = 0; j < p1; j++)
                l->sb[b * p1 + j] = x[j] * x[j];
            for (size_t c = 0; c < k; c++) {
                double pr = l->h_cur[(i0 + b) * k + c];
                l->zb[b * k + c] = k == 1 ? pr : l->sw[i0 + b] * pr * (1 - pr);
            }
        }
        if (k == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)nb, (int)p1, 1.0, l->sb, (int)p1, l->zb,
                        1, 1.0, out, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p1, (int)k, (int)nb, 1.0,
                        l->sb, (int)p1, l->zb, (int)k, 1.0, out, (int)k);
    }
}

/* Single-precision products (exact = 0) when the float copy exists, or
 * double-precision ones (exact = 1). */
static void logloss_hess_exact(void *ctx, int exact)
{
    fw_logloss *l = ctx;
    l->single = !exact && l->Xf != NULL;
}

void fw_logloss_problem(fw_logloss *l, fw_lin_problem *pb)
{
    pb->dim = l->p1 * l->k;
    pb->value = logloss_value;
    pb->accept = logloss_accept;
    pb->grad = logloss_grad;
    pb->hess_vec = logloss_hess_vec;
    pb->ctx = l;
    pb->hv_cheap = l->hess != NULL;
    pb->hess_diag = logloss_hess_diag;
    pb->hess_exact = logloss_hess_exact;
}
