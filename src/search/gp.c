/* gp.c: the Gaussian-process surrogate of the bayes proposer; see gp.h.
 *
 * Hyperparameters theta: log l_j (d length scales), log s_f^2 (signal
 * variance), log (s_n^2 - NOISE_FLOOR) (noise variance). The objective is
 * the negative log marginal likelihood plus independent Gaussian priors on
 * theta, minimised with GSL's vector_bfgs2 from three starts that differ
 * in the common starting length scale; the lowest objective wins (ties to
 * the earlier start), so the fit is a deterministic function of the data.
 * Everything is summed in a fixed order. */
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

/* Jitter that keeps K positive definite with repeated points. */
#define NOISE_FLOOR 1e-6
/* Priors (means and standard deviations of the log values). Length scales
 * around half the cube; signal variance around the (standardised) data
 * variance; noise around 1% of it. */
#define PRIOR_L_MEAN (-0.6931471805599453) /* log 0.5 */
#define PRIOR_L_SD 1.0
#define PRIOR_F_MEAN 0.0
#define PRIOR_F_SD 1.0
#define PRIOR_N_MEAN (-4.605170185988091) /* log 0.01 */
#define PRIOR_N_SD 2.0
/* |theta| beyond this is a runaway step: refuse it with a huge objective. */
#define THETA_MAX 15.0
#define BFGS_ITERS 100

struct fw_gp {
    size_t d;
    unsigned char *cat;
    size_t n, cap;
    double *x;           /* n x d */
    double *y;           /* standardised */
    double ymu, ysd;
    double *theta;       /* d + 2 */
    double *l2inv;       /* d: scratch, 1 / l_j^2 */
    gsl_matrix *L;       /* Cholesky factor of K for the current n */
    gsl_vector *alpha;   /* K^-1 y */
    gsl_vector *kv;      /* scratch for predictions */
};

static void gp_free_posterior(fw_gp *g)
{
    if (g->L)
        gsl_matrix_free(g->L);
    if (g->alpha)
        gsl_vector_free(g->alpha);
    if (g->kv)
        gsl_vector_free(g->kv);
    g->L = NULL;
    g->alpha = g->kv = NULL;
}

fw_gp *fw_gp_alloc(size_t d, const unsigned char *cat)
{
    fw_gp *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->d = d;
    g->cat = calloc(d ? d : 1, 1);
    g->theta = calloc(d + 2, sizeof *g->theta);
    g->l2inv = calloc(d ? d : 1, sizeof *g->l2inv);
    if (!g->cat || !g->theta || !g->l2inv) {
        fw_gp_free(g);
        return NULL;
    }
    if (d)
        memcpy(g->cat, cat, d);
    return g;
}

void fw_gp_free(fw_gp *g)
{
    if (!g)
        return;
    free(g->cat);
    free(g->x);
    free(g->y);
    free(g->theta);
    free(g->l2inv);
    gp_free_posterior(g);
    free(g);
}

static int gp_reserve(fw_gp *g, size_t n)
{
    if (n <= g->cap)
        return FW_OK;
    size_t cap = g->cap ? g->cap : 16;
    while (cap < n)
        cap *= 2;
    double *x = realloc(g->x, cap * (g->d ? g->d : 1) * sizeof *x);
    if (x)
        g->x = x;
    double *y = realloc(g->y, cap * sizeof *y);
    if (y)
        g->y = y;
    if (!x || !y)
        return FW_ENOMEM;
    g->cap = cap;
    return FW_OK;
}

/* Scaled squared distance sum_j dist_j^2 / l_j^2 (l2inv = 1 / l^2). */
static double gp_r2(const fw_gp *g, const double *l2inv, const double *a, const double *b)
{
    double s = 0;
    for (size_t j = 0; j < g->d; j++) {
        double t = g->cat[j] ? (double)(a[j] != b[j]) : a[j] - b[j];
        s += t * t * l2inv[j];
    }
    return s;
}

/* Matern 5/2 of the scaled distance r: (1 + s + s^2/3) exp(-s), s = sqrt(5) r. */
static double matern52(double r2)
{
    double s = sqrt(5.0 * r2);
    return (1 + s + s * s / 3) * exp(-s);
}

typedef struct gp_hyper {
    double *l2inv;   /* d */
    double sf2, sn2;
} gp_hyper;

static void gp_unpack(const fw_gp *g, const double *theta, gp_hyper *h)
{
    for (size_t j = 0; j < g->d; j++)
        h->l2inv[j] = exp(-2 * theta[j]);
    h->sf2 = exp(theta[g->d]);
    h->sn2 = NOISE_FLOOR + exp(theta[g->d + 1]);
}

/* K for hyperparameters h into K (n x n). */
static void gp_cov(const fw_gp *g, const gp_hyper *h, gsl_matrix *K)
{
    size_t n = K->size1;
    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < a; b++) {
            double k = h->sf2 * matern52(gp_r2(g, h->l2inv, g->x + a * g->d, g->x + b * g->d));
            gsl_matrix_set(K, a, b, k);
            gsl_matrix_set(K, b, a, k);
        }
        gsl_matrix_set(K, a, a, h->sf2 + h->sn2);
    }
}

static double prior_nlp(const fw_gp *g, const double *theta, double *grad)
{
    double f = 0;
    for (size_t j = 0; j < g->d + 2; j++) {
        double m = j < g->d ? PRIOR_L_MEAN : j == g->d ? PRIOR_F_MEAN : PRIOR_N_MEAN;
        double sd = j < g->d ? PRIOR_L_SD : j == g->d ? PRIOR_F_SD : PRIOR_N_SD;
        double z = (theta[j] - m) / sd;
        f += 0.5 * z * z;
        if (grad)
            grad[j] = z / sd;
    }
    return f;
}

/* Workspace of one fit: n x n matrices reused across objective calls. */
typedef struct gp_work {
    fw_gp *g;
    gsl_matrix *K, *W;
    gsl_vector *alpha, *y;
    double *l2inv;
} gp_work;

/* Gradient of the negative log likelihood: -1/2 tr(W dK/dtheta) with
 * W = alpha alpha^T - K^-1 (W holds K^-1 on entry). */
static void gp_grad(const gp_work *w, const gp_hyper *h, double *grad)
{
    const fw_gp *g = w->g;
    size_t n = w->K->size1, d = g->d;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = gsl_vector_get(w->alpha, a) * gsl_vector_get(w->alpha, b) -
                       gsl_matrix_get(w->W, a, b);
            gsl_matrix_set(w->W, a, b, v);
        }
    double gf = 0, gn = 0;
    for (size_t a = 0; a < n; a++) {
        const double *xa = g->x + a * d;
        for (size_t b = 0; b < a; b++) {
            const double *xb = g->x + b * d;
            double wab = gsl_matrix_get(w->W, a, b);
            double r2 = gp_r2(g, h->l2inv, xa, xb);
            double s = sqrt(5.0 * r2), ex = exp(-s);
            gf -= wab * h->sf2 * (1 + s + s * s / 3) * ex;
            /* d k / d log l_j = (5/3)(1 + s) e^-s dist_j^2 / l_j^2 */
            double c = wab * h->sf2 * (5.0 / 3.0) * (1 + s) * ex;
            for (size_t j = 0; j < d; j++) {
                double t = g->cat[j] ? (double)(xa[j] != xb[j]) : xa[j] - xb[j];
                grad[j] -= c * t * t * h->l2inv[j];
            }
        }
        double waa = gsl_matrix_get(w->W, a, a);
        gf -= 0.5 * waa * h->sf2;
        gn -= 0.5 * waa * (h->sn2 - NOISE_FLOOR);
    }
    grad[d] += gf;
    grad[d + 1] += gn;
}

/* Negative log posterior of theta and (when grad) its gradient. */
static double gp_objective(gp_work *w, const double *theta, double *grad)
{
    fw_gp *g = w->g;
    size_t n = w->K->size1;
    for (size_t j = 0; j < g->d + 2; j++)
        if (!(fabs(theta[j]) <= THETA_MAX)) {
            if (grad)
                memset(grad, 0, (g->d + 2) * sizeof *grad);
            return 1e100;
        }
    gp_hyper h = {.l2inv = w->l2inv};
    gp_unpack(g, theta, &h);
    gp_cov(g, &h, w->K);
    double f = prior_nlp(g, theta, grad);
    if (gsl_linalg_cholesky_decomp1(w->K) != GSL_SUCCESS) {
        if (grad)
            memset(grad, 0, (g->d + 2) * sizeof *grad);
        return 1e100;
    }
    gsl_linalg_cholesky_solve(w->K, w->y, w->alpha);
    double yKy;
    gsl_blas_ddot(w->y, w->alpha, &yKy);
    f += 0.5 * yKy + 0.5 * (double)n * log(2 * M_PI);
    for (size_t a = 0; a < n; a++)
        f += log(gsl_matrix_get(w->K, a, a));
    if (grad) {
        gsl_matrix_memcpy(w->W, w->K);
        gsl_linalg_cholesky_invert(w->W);
        gp_grad(w, &h, grad);
    }
    return f;
}

static double mm_f(const gsl_vector *x, void *p)
{
    return gp_objective(p, x->data, NULL);
}

static void mm_df(const gsl_vector *x, void *p, gsl_vector *df)
{
    gp_objective(p, x->data, df->data);
}

static void mm_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *df)
{
    *f = gp_objective(p, x->data, df->data);
}

/* One BFGS run from theta0; the best point seen goes to out, its value is
 * returned (the start's value when BFGS makes no progress). */
static double gp_minimise(gp_work *w, const double *theta0, double *out)
{
    size_t m = w->g->d + 2;
    double best = gp_objective(w, theta0, NULL);
    memcpy(out, theta0, m * sizeof *out);
    gsl_multimin_fdfminimizer *mm =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, m);
    gsl_vector *x = gsl_vector_alloc(m);
    if (!mm || !x || !(best < 1e100))
        goto cleanup;
    memcpy(x->data, theta0, m * sizeof *out);
    gsl_multimin_function_fdf fn = {.f = mm_f, .df = mm_df, .fdf = mm_fdf, .n = m, .params = w};
    if (gsl_multimin_fdfminimizer_set(mm, &fn, x, 0.1, 0.1) != GSL_SUCCESS)
        goto cleanup;
    for (int it = 0; it < BFGS_ITERS; it++) {
        if (gsl_multimin_fdfminimizer_iterate(mm) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_gradient(mm->gradient, 1e-4) == GSL_SUCCESS)
            break;
    }
    if (isfinite(mm->f) && mm->f < best) {
        best = mm->f;
        memcpy(out, mm->x->data, m * sizeof *out);
    }
cleanup:
    if (mm)
        gsl_multimin_fdfminimizer_free(mm);
    if (x)
        gsl_vector_free(x);
    return best;
}

/* Cholesky factor and alpha for the current points and theta. */
static int gp_factor(fw_gp *g, fw_err *e)
{
    size_t n = g->n;
    gp_hyper h = {.l2inv = g->l2inv};
    gp_free_posterior(g);
    g->L = gsl_matrix_alloc(n, n);
    g->alpha = gsl_vector_alloc(n);
    g->kv = gsl_vector_alloc(n);
    if (!g->L || !g->alpha || !g->kv)
        return fw_err_set(e, FW_ENOMEM, "bayes: out of memory");
    gp_unpack(g, g->theta, &h);
    gp_cov(g, &h, g->L);
    if (gsl_linalg_cholesky_decomp1(g->L) != GSL_SUCCESS)
        return fw_err_set(e, FW_ESINGULAR, "bayes: the GP covariance is not positive definite");
    gsl_vector_view y = gsl_vector_view_array(g->y, n);
    if (gsl_linalg_cholesky_solve(g->L, &y.vector, g->alpha) != GSL_SUCCESS)
        return fw_err_set(e, FW_ESINGULAR, "bayes: the GP system could not be solved");
    return FW_OK;
}

static void gp_work_free(gp_work *w)
{
    if (w->K)
        gsl_matrix_free(w->K);
    if (w->W)
        gsl_matrix_free(w->W);
    if (w->alpha)
        gsl_vector_free(w->alpha);
}

/* Standardise y into g->y (mean 0, sd 1; sd 1 when the targets are flat). */
static void gp_standardise(fw_gp *g, const double *y, size_t n)
{
    double mu = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i];
    mu /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - mu) * (y[i] - mu);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    g->ymu = mu;
    g->ysd = sd > 0 && isfinite(sd) ? sd : 1;
    for (size_t i = 0; i < n; i++)
        g->y[i] = (y[i] - mu) / g->ysd;
}

int fw_gp_fit(fw_gp *g, const double *x, const double *y, size_t n, fw_err *e)
{
    static const double starts[] = {-1.6094379124341003, -0.6931471805599453, 0.0};
    size_t m = g->d + 2;
    if (n == 0)
        return fw_err_set(e, FW_EINVAL, "bayes: no points to fit");
    if (gp_reserve(g, n))
        return fw_err_set(e, FW_ENOMEM, "bayes: out of memory");
    g->n = n;
    memcpy(g->x, x, n * g->d * sizeof *x);
    gp_standardise(g, y, n);
    gp_work w = {.g = g, .l2inv = g->l2inv};
    w.K = gsl_matrix_alloc(n, n);
    w.W = gsl_matrix_alloc(n, n);
    w.alpha = gsl_vector_alloc(n);
    double *th0 = malloc(2 * m * sizeof *th0);
    int rc = FW_OK;
    if (!w.K || !w.W || !w.alpha || !th0) {
        rc = fw_err_set(e, FW_ENOMEM, "bayes: out of memory");
        goto cleanup;
    }
    gsl_vector_view yv = gsl_vector_view_array(g->y, n);
    w.y = &yv.vector;
    double best = INFINITY;
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        for (size_t j = 0; j < g->d; j++)
            th0[j] = starts[s];
        th0[g->d] = PRIOR_F_MEAN;
        th0[g->d + 1] = PRIOR_N_MEAN;
        double f = gp_minimise(&w, th0, th0 + m);
        if (f < best) {
            best = f;
            memcpy(g->theta, th0 + m, m * sizeof *th0);
        }
    }
    if (!(best < 1e100))
        rc = fw_err_set(e, FW_ESINGULAR,
                        "bayes: the GP covariance is not positive definite at any start");
    else
        rc = gp_factor(g, e);
cleanup:
    gp_work_free(&w);
    free(th0);
    return rc;
}

int fw_gp_add(fw_gp *g, const double *x, double y, fw_err *e)
{
    if (gp_reserve(g, g->n + 1))
        return fw_err_set(e, FW_ENOMEM, "bayes: out of memory");
    memcpy(g->x + g->n * g->d, x, g->d * sizeof *x);
    g->y[g->n] = y;
    g->n++;
    return gp_factor(g, e);
}

void fw_gp_predict(fw_gp *g, const double *x, double *mean, double *sd)
{
    gp_hyper h = {.l2inv = g->l2inv};
    gp_unpack(g, g->theta, &h);
    for (size_t i = 0; i < g->n; i++)
        gsl_vector_set(g->kv, i, h.sf2 * matern52(gp_r2(g, h.l2inv, x, g->x + i * g->d)));
    double mu;
    gsl_blas_ddot(g->kv, g->alpha, &mu);
    /* v = L^-1 k; var = s_f^2 - v.v (the latent function, without noise). */
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, g->L, g->kv);
    double vv;
    gsl_blas_ddot(g->kv, g->kv, &vv);
    double var = h.sf2 - vv;
    *mean = mu;
    *sd = sqrt(var > 1e-12 ? var : 1e-12);
}

double fw_gp_ymax(const fw_gp *g)
{
    double m = -INFINITY;
    for (size_t i = 0; i < g->n; i++)
        m = g->y[i] > m ? g->y[i] : m;
    return m;
}

double fw_gp_length_scale(const fw_gp *g, size_t j)
{
    return exp(g->theta[j]);
}
