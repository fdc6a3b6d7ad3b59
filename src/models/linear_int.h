/* linear_int.h: what the linear models (logreg, linear_svm) share, not
 * public API: the contiguous copy of the training rows, the fitted linear
 * state with its prediction links, the smooth-problem interface the
 * solvers see (TRON for smooth objectives, proximal Newton (cdn.c) and
 * OWL-QN for an added L1 term),
 * the logistic losses behind that interface, and the dual coordinate
 * descent of the linear SVM. Unit tests include it to reach solver
 * internals (objective traces, gradients at the solution). */
#ifndef FOLDWISE_LINEAR_INT_H
#define FOLDWISE_LINEAR_INT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "foldwise/core.h"
#include "foldwise/model.h"

/* ---- training rows ------------------------------------------------------ */

/* The training rows as a row-major n x p1 matrix (p1 = p + 1 with a
 * trailing column of `bias` values when bias != 0, else p), the classes
 * present in them and each row's index into that list. */
typedef struct fw_lin_rows {
    double *X;
    size_t n, p, p1;
    size_t *present;    /* class codes present, ascending (n_present)  */
    size_t n_present;
    int *cls;           /* row i's index into present[]                */
    double *cw;         /* spare per-row buffer (weights), length n    */
} fw_lin_rows;

/* Build the copy from d (classification data). Returns FW_OK, FW_ENOMEM, or
 * FW_EINVAL when fewer than two classes are present (message names the
 * model). Release with fw_lin_rows_free (NULL-safe members). */
int fw_lin_rows_build(const fw_fit_data *d, double bias, const char *model, fw_lin_rows *r,
                      fw_err *e);
void fw_lin_rows_free(fw_lin_rows *r);
/* Sample weight of training row i (1 without weights). */
double fw_lin_sample_weight(const fw_fit_data *d, size_t i);

/* ---- fitted state --------------------------------------------------------- */

typedef enum fw_lin_link {
    FW_LIN_SIGMOID,   /* binary logistic: one coefficient row            */
    FW_LIN_OVR,       /* one sigmoid per class, normalised (scikit-learn) */
    FW_LIN_SOFTMAX,   /* multinomial logistic                             */
    FW_LIN_DECISION   /* raw decision values (SVM); binary: -f, +f        */
} fw_lin_link;

/* coef is k x (p + 1) row-major: row c = coefficients of `present[c]`
 * (binary: of present[1]), the last entry of a row the intercept. */
typedef struct fw_lin_state {
    int link;
    size_t p, k, n_classes, n_present;
    int n_iter;
    double C;
    double *coef;
    size_t *present;
} fw_lin_state;

/* Allocate coef (k x (p+1), zeroed) and copy the present classes. */
int fw_lin_state_init(fw_lin_state *s, int link, const fw_lin_rows *r, size_t k,
                      size_t n_classes, fw_err *e);
/* Predict rows of X: n x n_classes row-major (see fw_lin_link). */
int fw_lin_state_predict(const fw_lin_state *s, const fw_matrix *X, const size_t *rows,
                         size_t n, double *out, fw_err *e);
int fw_lin_state_save(const fw_lin_state *s, fw_sb *out, fw_err *e);
int fw_lin_state_load(fw_lin_state *s, const void *buf, size_t n, fw_err *e);
/* {"coef": [[...]], "intercept": [...], "n_iter": N} */
int fw_lin_state_describe(const fw_lin_state *s, fw_sb *out, fw_err *e);
void fw_lin_state_free(fw_lin_state *s);

/* The fw_model_type methods of a model whose state is an fw_lin_state. */
int fw_lin_model_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                         double *out, fw_err *e);
int fw_lin_model_save(const void *state, fw_sb *out, fw_err *e);
int fw_lin_model_load(void *state, const void *buf, size_t n, fw_err *e);
int fw_lin_model_describe(const void *state, fw_sb *out, fw_err *e);
void fw_lin_model_free(void *state);
/* 1/C, with C the first parameter (complexity for refit one_se). */
double fw_lin_model_complexity(const fw_pval *cfg);

/* ---- smooth problems and solvers ------------------------------------------ */

/* Solve A x = b in place (b becomes x) for a symmetric positive definite
 * m x m A (row-major; overwritten by its Cholesky factor), through GSL.
 * Returns 0, leaving b unspecified, when A is not positive definite or its
 * reciprocal condition number is at most min_rcond (or out of memory). */
int fw_lin_spd_solve(double *A, size_t m, double *b, double min_rcond);

/* Minimise  loss(w) + l2/2 * ||w[0..n_pen)||^2 + l1 * ||w[0..n_pen)||_1
 * over w in R^dim; the coordinates from n_pen on (intercepts) are free.
 * The loss is seen through four calls: `value` evaluates a trial point
 * (keeping what the gradient needs), `accept` makes the last trial the
 * current point, `grad` and `hess_vec` work at the current point. */
typedef struct fw_lin_problem {
    size_t dim, n_pen;
    double l2, l1;
    double (*value)(void *ctx, const double *w);
    void (*accept)(void *ctx);
    void (*grad)(void *ctx, double *g);
    void (*hess_vec)(void *ctx, const double *v, double *out);
    /* Optional: the loss Hessian's diagonal at the current point. */
    void (*hess_diag)(void *ctx, double *out);
    void *ctx;
    int hv_cheap;    /* hess_vec costs O(dim^2), not a pass over the rows */
    /* Optional: hess_vec in double precision (exact = 1) or as the loss
     * sees fit (exact = 0: possibly single precision, much faster). */
    void (*hess_exact)(void *ctx, int exact);
} fw_lin_problem;

typedef struct fw_lin_opts {
    double tol;                  /* max |projected gradient| to stop   */
    int max_iter;
    const fw_deadline *deadline;
} fw_lin_opts;

typedef struct fw_lin_report {
    int n_iter;
    int converged;               /* 1 tol reached (or no further progress possible) */
    double gmax;                 /* final max |projected gradient| */
    double f;                    /* final objective */
} fw_lin_report;

/* The top of a solver iteration: 1 (stop) when the deadline passed (*rc =
 * FW_ETIMEOUT with a message), gmax <= tol (converged) or max_iter was
 * reached; else counts the iteration and returns 0. */
int fw_lin_iterate(const fw_lin_opts *o, double gmax, fw_lin_report *rep, int *rc, fw_err *e);

/* Trust-region Newton with conjugate gradient (l1 must be 0). w holds the
 * start on entry and the solution on return. FW_OK (converged or not:
 * see the report), FW_ENOMEM, FW_ETIMEOUT when the deadline passed. */
int fw_tron_minimize(const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                     fw_lin_report *rep, fw_err *e);
/* Orthant-wise limited-memory quasi-Newton (OWL-QN) for l1 > 0 (works for
 * l1 = 0 too, as L-BFGS). Same contract as fw_tron_minimize. */
int fw_owlqn_minimize(const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                      fw_lin_report *rep, fw_err *e);
/* Proximal Newton with coordinate descent (newGLMNET-style, cdn_logreg.c)
 * for the binary log-loss of rows r (class `positive` is +1, the rest -1)
 * with row weights sw, plus pb's l2 and l1 terms on w[0..pb->n_pen); pb
 * supplies only dim (= r->p1), n_pen, l2 and l1. max_iter counts outer
 * Newton iterations. Stops as fw_owlqn_minimize (max |pseudo-gradient| <=
 * tol). w holds the start on entry and the solution on return. FW_OK
 * (converged or not: see the report), FW_ENOMEM, FW_ETIMEOUT. */
int fw_cdn_logreg_minimize(const fw_lin_rows *r, const double *sw, int positive,
                           const fw_lin_problem *pb, double *w, const fw_lin_opts *o,
                           fw_lin_report *rep, fw_err *e);
/* ---- proximal Newton with coordinate descent (cdn.c) ---------------------- */

/* Inner coordinate-descent sweeps per outer iteration, at most. */
#define FW_CDN_MAX_SWEEPS 200

/* The quadratic model of the smooth part at the current point: gradient g
 * (loss + l2 term), Hessian diagonal h (+ l2 and a floor, fw_cdn_diag),
 * optionally the dense Hessian H (dim x dim, both triangles), and the
 * direction d the inner solve finds. pinned: a coordinate held fixed (dim
 * for none; the softmax's last intercept, which the loss does not identify).
 * group: coordinates come in consecutive groups of this size (the
 * softmax's classes of one feature; 1 = none) along whose all-ones
 * direction the loss is flat. */
typedef struct fw_cdn_model {
    const fw_lin_problem *pb;
    size_t dim, pinned, group;
    double *g, *h, *d, *wt, *pg;
    double *H, *q, *HS, *rs;     /* dense: H, q = H d, the support's system */
    int *active, *supp;
} fw_cdn_model;

/* The loss as the outer loop sees it. point: the loss at w (no penalty),
 * filling the model's g (loss part), h and H when dense. inner: the
 * direction d for the na coordinates in active (from 0, to the model's max
 * violation <= inner_tol), and whatever trial needs. trial: the loss at
 * w + t d. n: the number of rows (scales the shrinking margin). */
typedef struct fw_cdn_loss {
    void *ctx;
    size_t n;
    double (*point)(void *ctx, const double *w);
    void (*inner)(void *ctx, const double *w, int na, double inner_tol);
    double (*trial)(void *ctx, double t);
} fw_cdn_loss;

/* Buffers for pb->dim coefficients (dense: also the dim x dim Hessian).
 * FW_OK or FW_ENOMEM. Release with fw_cdn_model_free (NULL-safe). */
int fw_cdn_model_alloc(fw_cdn_model *m, const fw_lin_problem *pb, int dense, fw_err *e);
void fw_cdn_model_free(fw_cdn_model *m);
/* The Hessian diagonal entry hjj (+ l2 when j is penalised) with a tiny
 * floor: a column without curvature then keeps a finite step (it never moves). */
double fw_cdn_diag(const fw_cdn_model *m, size_t j, double hjj);
/* Dense H with its upper triangle (column-major) filled: mirror it and put
 * fw_cdn_diag on the diagonal and in h. */
void fw_cdn_dense_finish(fw_cdn_model *m);
/* One coordinate of the model: the t minimising G t + H t^2/2 + l1 |v + t|
 * (penalised) or G t + H t^2/2 (free); *viol receives the model's
 * minimum-norm subgradient magnitude at t = 0. */
double fw_cdn_coord_step(double G, double H, double v, double l1, int pen, double *viol);
/* Minimise the dense model + L1 term over d (from 0) by sweeps over the na
 * coordinates in m->active, each followed by a Newton step on the support.
 * Returns the sweeps done. */
int fw_cdn_inner_dense(fw_cdn_model *m, const double *w, int na, double inner_tol);
/* The outer loop: model at w, inner solve, Armijo backtracking on the full
 * objective, until max |pseudo-gradient| <= tol (or no decrease possible:
 * converged), max_iter outer iterations or the deadline. w holds the start
 * on entry and the solution on return. FW_OK or FW_ETIMEOUT. */
int fw_cdn_minimize(fw_cdn_model *m, const fw_cdn_loss *L, double *w, const fw_lin_opts *o,
                    fw_lin_report *rep, fw_err *e);
/* Proximal Newton for the multinomial log-loss (cdn_softmax.c): w is
 * feature-major (p1 x k row-major, intercept row last when r->p1 > r->p),
 * k = r->n_present, row weights sw, pb's l2 and l1 on w[0..pb->n_pen).
 * Same contract as fw_cdn_logreg_minimize. Forms the k p1 x k p1 Hessian:
 * for at most FW_CDN_SOFTMAX_MAX coefficients (the caller uses OWL-QN above). */
#define FW_CDN_SOFTMAX_MAX 1024
int fw_cdn_softmax_minimize(const fw_lin_rows *r, const double *sw, const fw_lin_problem *pb,
                            double *w, const fw_lin_opts *o, fw_lin_report *rep, fw_err *e);
/* The full objective at w (evaluates pb->value: w becomes the trial). */
double fw_lin_objective(const fw_lin_problem *pb, const double *w);
/* g = gradient of the smooth part at the current point w (loss + l2 term). */
void fw_lin_smooth_grad(const fw_lin_problem *pb, const double *w, double *g);
/* Minimum-norm subgradient (pseudo-gradient) of the full objective at w
 * into pg, given the smooth gradient g; returns its max |entry|. pg may be
 * NULL. */
double fw_lin_pseudo_grad(const fw_lin_problem *pb, const double *w, const double *g,
                          double *pg);

/* ---- logistic losses -------------------------------------------------------- */

/* Sum over rows of sw_i * log-loss: binary (k = 1, rows of class
 * `positive` are +1, the rest -1) or multinomial (k = n_present classes,
 * coefficients p1 x k row-major: feature-major, intercept row last).
 * Borrows r and sw. */
typedef struct fw_logloss fw_logloss;
fw_logloss *fw_logloss_alloc(const fw_lin_rows *r, const double *sw, size_t k, int positive);
void fw_logloss_free(fw_logloss *l);
/* Fill pb's callbacks and dim for this loss (n_pen, l1, l2 left to the caller). */
void fw_logloss_problem(fw_logloss *l, fw_lin_problem *pb);

/* ---- linear SVM dual coordinate descent ------------------------------------ */

typedef struct fw_svm_dual_opts {
    int squared;               /* 1 L2-loss (squared hinge), 0 L1-loss (hinge) */
    double eps;                /* stop when max PG - min PG <= eps              */
    int max_iter;
    const fw_deadline *deadline;
    gsl_rng *rng;
    double *trace;             /* optional: dual objective after each epoch     */
    size_t trace_cap;
} fw_svm_dual_opts;

/* Solve the dual of min 0.5||w||^2 + sum_i Ci loss(yi w.xi) on r->X with
 * labels y (+1/-1) and per-row Ci. w (length r->p1) receives the primal
 * solution. The report's gmax is the final projected-gradient spread.
 * FW_OK, FW_ENOMEM or FW_ETIMEOUT. */
int fw_svm_dual_solve(const fw_lin_rows *r, const double *y, const double *Ci,
                      const fw_svm_dual_opts *o, double *w, fw_lin_report *rep, fw_err *e);

#endif
