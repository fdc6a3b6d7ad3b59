/* lsq_int.h: what the least-squares models (linear, ridge, lasso,
 * elastic_net) share: the fitted state and its methods, the centred and
 * weighted training matrix, the SVD factorisation behind linear and ridge,
 * and the coordinate-descent solver behind lasso and elastic_net.
 * Internal to src/models (not API). */
#ifndef FOLDWISE_LSQ_INT_H
#define FOLDWISE_LSQ_INT_H

#include <stddef.h>

#include "foldwise/model.h"

/* ---- fitted state (lsq_common.c) ---------------------------------------- */

/* A linear model with k outputs: out[c] = intercept[c] + x . coef[c*p..]. */
typedef struct lsq_state {
    size_t p, k;
    int task;
    int n_iter;        /* coordinate-descent epochs; 0 for the closed forms */
    int rank;          /* effective rank of the centred matrix; -1 unknown */
    double gap;        /* final duality gap / n (scikit-learn's dual_gap_), NaN n/a */
    double *coef;      /* k x p, row-major */
    double *intercept; /* k */
} lsq_state;

/* Allocate coef and intercept (zeroed) for p features and k outputs. */
int lsq_state_init(lsq_state *s, size_t p, size_t k, int task, fw_err *e);
int lsq_state_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                      double *out, fw_err *e);
int lsq_state_save(const void *state, fw_sb *out, fw_err *e);
int lsq_state_load(void *state, const void *buf, size_t n, fw_err *e);
int lsq_state_describe(const void *state, fw_sb *out, fw_err *e);
void lsq_state_free(void *state);
/* check() for the regression-only models: refuses classification. */
int lsq_check_regression(const char *model, const fw_model_info *info, fw_err *e);
/* complexity() for the penalised models whose first parameter is alpha. */
double lsq_complexity_alpha(const fw_pval *cfg);
/* A failed path batch: every configuration gets the same error. */
void lsq_path_fail(fw_err *errs, size_t n_cfg, const fw_err *e);

/* ---- centred, weighted training matrix (lsq_common.c) ------------------- */

/* The training rows as scikit-learn's _preprocess_data + _rescale_data leave
 * them: with an intercept, X and y centred on their weighted means; every
 * row multiplied by sqrt(w). Y has k columns (k = 1 for regression; one
 * {-1, 1} column per class for the ridge classifier). */
typedef struct lsq_data {
    size_t n, p, k;
    double *X;   /* n x p column-major */
    double *Y;   /* n x k column-major */
    double *xm;  /* p weighted column means (zeros without an intercept) */
    double *ym;  /* k weighted target means (zeros without an intercept) */
} lsq_data;

/* Build from the fit data. Y is d->y (k = 1) unless `targets` (n x k,
 * column-major, in training-row order) is given. `norm_w`: rescale the
 * weights to sum to n first (as scikit-learn's ElasticNet). Negative
 * weights or weights summing to zero are FW_EINVAL. Free with
 * lsq_data_free. */
int lsq_data_build(const fw_fit_data *d, int fit_intercept, int norm_w, const double *targets,
                   size_t k, lsq_data *out, const char *model, fw_err *e);
void lsq_data_free(lsq_data *a);
/* Intercepts from the means: ym[c] - xm . coef[c]. */
void lsq_set_intercepts(const lsq_data *a, lsq_state *s);

/* ---- SVD of the centred matrix (lsq_svd.c) ------------------------------ */

/* X = U diag(s) V^T with r = min(n, p) singular values; only V, s and
 * Z = U^T Y are kept, which is all any alpha needs. */
typedef struct lsq_svd {
    size_t p, r, k;
    double *V;   /* p x r, row-major */
    double *s;   /* r, descending */
    double *Z;   /* r x k, row-major */
    double cutoff; /* singular values <= cutoff count as zero */
} lsq_svd;

/* Factorise a (QR then SVD of R when n >= p; SVD of X^T otherwise). The
 * cutoff is numpy lstsq's default, eps * max(n, p) * s_max. FW_ESINGULAR or
 * FW_ENOMEM with a message on failure. Free with lsq_svd_free. */
int lsq_svd_compute(const lsq_data *a, lsq_svd *out, const char *model, fw_err *e);
void lsq_svd_free(lsq_svd *f);
/* coef (k x p, row-major) = V diag(s / (s^2 + alpha)) Z, zero weight for
 * singular values at or below the cutoff. Returns the effective rank. */
int lsq_svd_solve(const lsq_svd *f, double alpha, double *coef);
/* Fit s (initialised by this call) as ridge with penalty alpha (0 = least
 * squares, minimum norm) on the fit data; targets/k as lsq_data_build. */
int lsq_fit_svd(lsq_state *s, const fw_fit_data *d, int fit_intercept, double alpha,
                const double *targets, size_t k, const char *model, fw_err *e);

/* ---- coordinate descent (cd_solver.c) ------------------------------------ */

/* scikit-learn's enet objective in its solver's units:
 * 0.5 ||y - Xw||^2 + l1 ||w||_1 + 0.5 l2 ||w||^2, with the covariance
 * (Gram) form when n > p and the residual form otherwise. */
typedef struct cd_problem cd_problem;

int cd_problem_alloc(const lsq_data *a, cd_problem **out, fw_err *e);
void cd_problem_free(cd_problem *pb);

typedef struct cd_opts {
    double l1, l2, tol;
    int max_iter;
    gsl_rng *rng;               /* selection=random, or NULL for cyclic */
    const fw_deadline *deadline;
} cd_opts;

/* Minimise from the start point w (p values, updated in place). Fills
 * ctx->n_iter, ctx->converged, ctx->final_gap (gap / n) and ctx->warning.
 * FW_ETIMEOUT when the deadline passes; non-convergence is FW_OK. */
int cd_solve(cd_problem *pb, const cd_opts *o, double *w, fw_fit_ctx *ctx, const char *model,
             fw_err *e);

#endif /* FOLDWISE_LSQ_INT_H */
