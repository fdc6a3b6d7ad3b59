/* logreg.c: logistic regression with scikit-learn's LogisticRegression
 * semantics and parameter names (see docs/models.md, "logreg").
 *
 * Objective (scikit-learn's, divided by C as its lbfgs solver does):
 *   sum_i s_i loss_i + (1-r)/(2C) ||w||^2 + r/C ||w||_1
 * with s_i = sample weight x class weight, r = 1 (l1), 0 (l2), l1_ratio
 * (elasticnet); penalty none drops both terms. The intercept is never
 * penalised. Binary and one-vs-rest problems use one sigmoid per class,
 * multinomial one softmax (multi_class auto = multinomial above two
 * classes). L2 and none are solved by TRON (tron.c), L1 and elastic net by
 * proximal Newton with coordinate descent (cdn.c: cdn_logreg.c binary,
 * cdn_softmax.c multinomial up to FW_CDN_SOFTMAX_MAX coefficients, OWL-QN
 * above), all stopping at max |projected gradient| <= tol.
 *
 * fit_predict_path fits a list of C values in ascending order, each
 * warm-started from the previous solution (or from the line through the
 * previous two in log C, when that starts lower), on one copy of the rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "linear_int.h"

enum { P_C, P_PENALTY, P_L1_RATIO, P_TOL, P_MAX_ITER, P_CLASS_WEIGHT, P_FIT_INTERCEPT,
       P_MULTI_CLASS };
enum { PEN_L2, PEN_L1, PEN_EN, PEN_NONE };
enum { MC_AUTO, MC_OVR, MC_MULTI };

static const char *const penalties[] = {"l2", "l1", "elasticnet", "none", NULL};
static const char *const weightings[] = {"none", "balanced", NULL};
static const char *const multi[] = {"auto", "ovr", "multinomial", NULL};

static const fw_param_spec logreg_params[] = {
    {.name = "C", .kind = FW_PARAM_REAL, .def = 1.0, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN | FW_PARAM_HI_OPEN,
     .help = "inverse regularisation strength"},
    {.name = "penalty", .kind = FW_PARAM_CHOICE, .def_choice = "l2", .choices = penalties,
     .help = "l2, l1, elasticnet or none"},
    {.name = "l1_ratio", .kind = FW_PARAM_REAL, .def = 0.5, .lo = 0, .hi = 1,
     .help = "elasticnet: share of the L1 term (scikit-learn requires it; foldwise 0.5)"},
    {.name = "tol", .kind = FW_PARAM_REAL, .def = 1e-4, .lo = 0, .hi = INFINITY,
     .flags = FW_PARAM_LOG | FW_PARAM_LO_OPEN | FW_PARAM_HI_OPEN,
     .help = "stop at max |projected gradient| <= tol"},
    {.name = "max_iter", .kind = FW_PARAM_INT, .def = 100, .lo = 1, .hi = 1e9,
     .help = "solver iterations"},
    {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",
     .choices = weightings, .help = "none or balanced"},
    {.name = "fit_intercept", .kind = FW_PARAM_BOOL, .def = 1,
     .help = "fit an unpenalised intercept"},
    {.name = "multi_class", .kind = FW_PARAM_CHOICE, .def_choice = "auto", .choices = multi,
     .help = "auto (multinomial above two classes), ovr or multinomial"},
};
#define N_PARAMS (sizeof logreg_params / sizeof logreg_params[0])

/* What one fit (or one path) shares across C values: the rows, the
 * sub-problems (one, or one per class for ovr) and their solutions. */
typedef struct logreg_fit {
    fw_lin_rows r;
    int multinomial;
    size_t n_sub, kk, dim;   /* sub-problems, coefficient columns each, dim each */
    double *sw;              /* n_sub x n row weights            */
    fw_logloss **loss;
    double *w;               /* n_sub x dim solutions (warm start) */
    double *w_old, *guess;   /* path: the solutions before w; extrapolated start */
} logreg_fit;

static void logreg_fit_free(logreg_fit *lf)
{
    for (size_t s = 0; lf->loss && s < lf->n_sub; s++)
        fw_logloss_free(lf->loss[s]);
    free(lf->loss);
    free(lf->sw);
    free(lf->w);
    free(lf->w_old);
    free(lf->guess);
    fw_lin_rows_free(&lf->r);
}

/* Row weights of sub-problem s: sample weight x class weight. Balanced
 * weights follow scikit-learn: over all classes for multinomial, over the
 * positive/negative split for each one-vs-rest problem. */
static void row_weights(const fw_fit_data *d, const fw_pval *cfg, logreg_fit *lf, size_t s,
                        const double *byclass)
{
    const fw_lin_rows *r = &lf->r;
    double *sw = lf->sw + s * r->n, cw[2] = {1, 1};
    int pos = lf->n_sub == 1 ? 1 : (int)s;
    if (cfg[P_CLASS_WEIGHT].choice == 1 && !lf->multinomial) {
        size_t np = 0;
        for (size_t i = 0; i < r->n; i++)
            np += r->cls[i] == pos;
        cw[1] = (double)r->n / (2.0 * (double)np);
        cw[0] = (double)r->n / (2.0 * (double)(r->n - np));
    }
    for (size_t i = 0; i < r->n; i++) {
        double c = lf->multinomial ? byclass[r->present[r->cls[i]]] : cw[r->cls[i] == pos];
        sw[i] = fw_lin_sample_weight(d, i) * c;
    }
}

static int logreg_fit_init(const fw_fit_data *d, const fw_pval *cfg, logreg_fit *lf, fw_err *e)
{
    memset(lf, 0, sizeof *lf);
    if (d->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "logreg is a classifier: the target is not a class");
    int rc = fw_lin_rows_build(d, cfg[P_FIT_INTERCEPT].num != 0 ? 1.0 : 0.0, "logreg", &lf->r, e);
    if (rc)
        return rc;
    size_t K = lf->r.n_present;
    int mc = cfg[P_MULTI_CLASS].choice;
    lf->multinomial = mc == MC_MULTI || (mc == MC_AUTO && K > 2);
    lf->n_sub = lf->multinomial || K == 2 ? 1 : K;
    lf->kk = lf->multinomial ? K : 1;
    lf->dim = lf->r.p1 * lf->kk;
    lf->sw = malloc(lf->n_sub * lf->r.n * sizeof *lf->sw);
    lf->loss = calloc(lf->n_sub, sizeof *lf->loss);
    lf->w = calloc(lf->n_sub * lf->dim, sizeof *lf->w);
    double *byclass = malloc((d->n_classes + 1) * sizeof *byclass);
    if (!lf->sw || !lf->loss || !lf->w || !byclass) {
        free(byclass);
        return fw_err_set(e, FW_ENOMEM, "logreg: out of memory");
    }
    for (size_t c = 0; c < d->n_classes; c++)
        byclass[c] = 1.0;
    if (cfg[P_CLASS_WEIGHT].choice == 1)
        fw_class_weights_balanced(d->y, d->rows, d->n, d->n_classes, byclass);
    for (size_t s = 0; s < lf->n_sub; s++) {
        row_weights(d, cfg, lf, s, byclass);
        int pos = lf->n_sub == 1 ? 1 : (int)s;
        lf->loss[s] = fw_logloss_alloc(&lf->r, lf->sw + s * lf->r.n, lf->kk, pos);
        if (!lf->loss[s]) {
            free(byclass);
            return fw_err_set(e, FW_ENOMEM, "logreg: out of memory");
        }
    }
    free(byclass);
    return FW_OK;
}

/* Solve every sub-problem for cfg's C from the current w (warm start), or
 * from guess (n_sub x dim, may be NULL) where the objective is lower there. */
static int logreg_solve(logreg_fit *lf, const fw_pval *cfg, const double *guess,
                        fw_fit_ctx *ctx, fw_err *e)
{
    double C = cfg[P_C].num, r = cfg[P_L1_RATIO].num;
    int pen = cfg[P_PENALTY].choice;
    fw_lin_opts o = {cfg[P_TOL].num, (int)cfg[P_MAX_ITER].num, ctx->deadline};
    ctx->n_iter = 0;
    ctx->converged = 1;
    ctx->final_gap = 0;
    ctx->warning[0] = '\0';
    for (size_t s = 0; s < lf->n_sub; s++) {
        fw_lin_problem pb;
        fw_lin_report rep;
        fw_logloss_problem(lf->loss[s], &pb);
        pb.n_pen = lf->r.p * lf->kk;
        pb.l2 = pen == PEN_L2 ? 1.0 / C : pen == PEN_EN ? (1 - r) / C : 0.0;
        pb.l1 = pen == PEN_L1 ? 1.0 / C : pen == PEN_EN ? r / C : 0.0;
        double *w = lf->w + s * lf->dim;
        /* The guess first: evaluating w afterwards is free (the loss keeps
         * its current point), and the solver's first evaluation of w too. */
        if (guess && fw_lin_objective(&pb, guess + s * lf->dim) < fw_lin_objective(&pb, w))
            memcpy(w, guess + s * lf->dim, lf->dim * sizeof *w);
        int rc;
        if (pb.l1 > 0 && !lf->multinomial)
            rc = fw_cdn_logreg_minimize(&lf->r, lf->sw + s * lf->r.n, lf->n_sub == 1 ? 1 : (int)s,
                                        &pb, w, &o, &rep, e);
        else if (pb.l1 > 0 && lf->dim <= FW_CDN_SOFTMAX_MAX)
            rc = fw_cdn_softmax_minimize(&lf->r, lf->sw, &pb, w, &o, &rep, e);
        else if (pb.l1 > 0)
            rc = fw_owlqn_minimize(&pb, w, &o, &rep, e);
        else
            rc = fw_tron_minimize(&pb, w, &o, &rep, e);
        ctx->n_iter = rep.n_iter > ctx->n_iter ? rep.n_iter : ctx->n_iter;
        ctx->final_gap = fmax(ctx->final_gap, rep.gmax);
        ctx->converged &= rep.converged;
        if (rc) {
            char msg[sizeof e->msg];
            snprintf(msg, sizeof msg, "logreg: %s", e->msg);
            return fw_err_set(e, rc, "%s", msg);
        }
    }
    if (!ctx->converged)
        snprintf(ctx->warning, sizeof ctx->warning, "logreg: reached max_iter=%d before "
                 "tol=%g (max |gradient| %.3g): increase max_iter or scale the features",
                 o.max_iter, o.tol, ctx->final_gap);
    return FW_OK;
}

/* Softmax scores are unchanged by adding one constant to every class, so the
 * intercepts (and unpenalised coefficients) are defined only up to that
 * constant. Report the representative with zero sum over classes, as
 * scikit-learn's solvers reach from a zero start, for columns from `from`
 * on. L2-penalised coefficients already sum to zero at the optimum; L1 and
 * elastic-net ones do not (the L1 term prefers a median, not a mean), so
 * there only the intercepts are centred and the coefficients stay the
 * objective's minimiser, with its exact zeros. */
static void center_classes(fw_lin_state *st, size_t from)
{
    size_t p1 = st->p + 1;
    for (size_t j = from; j < p1; j++) {
        double mean = 0;
        for (size_t c = 0; c < st->k; c++)
            mean += st->coef[c * p1 + j] / (double)st->k;
        for (size_t c = 0; c < st->k; c++)
            st->coef[c * p1 + j] -= mean;
    }
}

/* Copy the solutions into a state (coefficient rows per class, intercept last). */
static int logreg_store(const logreg_fit *lf, const fw_fit_data *d, fw_lin_state *st,
                        const fw_pval *cfg, fw_err *e)
{
    int link = lf->multinomial ? FW_LIN_SOFTMAX : lf->n_sub > 1 ? FW_LIN_OVR : FW_LIN_SIGMOID;
    int rc = fw_lin_state_init(st, link, &lf->r, lf->n_sub * lf->kk, d->n_classes, e);
    if (rc)
        return rc;
    size_t p = lf->r.p, kk = lf->kk;
    for (size_t s = 0; s < lf->n_sub; s++)
        for (size_t c = 0; c < kk; c++) {
            double *row = st->coef + (s * kk + c) * (p + 1);
            const double *w = lf->w + s * lf->dim;
            for (size_t j = 0; j < lf->r.p1; j++)
                row[j] = w[j * kk + c];
        }
    if (lf->multinomial) {
        int pen = cfg[P_PENALTY].choice;
        center_classes(st, pen == PEN_L1 || pen == PEN_EN ? p : 0);
    }
    st->C = cfg[P_C].num;
    return FW_OK;
}

static int logreg_fit_one(void *state, const fw_fit_data *d, const fw_pval *cfg,
                          fw_fit_ctx *ctx, fw_err *e)
{
    fw_lin_state *st = state;
    fw_fit_ctx local;
    logreg_fit lf;
    if (!ctx) {
        fw_fit_ctx_init(&local, NULL, NULL);
        ctx = &local;
    }
    int rc = logreg_fit_init(d, cfg, &lf, e);
    if (!rc)
        rc = logreg_solve(&lf, cfg, NULL, ctx, e);
    if (!rc)
        rc = logreg_store(&lf, d, st, cfg, e);
    st->n_iter = ctx->n_iter;
    logreg_fit_free(&lf);
    return rc;
}

static int same_but_c(const fw_pval *a, const fw_pval *b)
{
    for (size_t i = 0; i < N_PARAMS; i++)
        if (i != P_C && (a[i].choice != b[i].choice || (a[i].choice < 0 && a[i].num != b[i].num)))
            return 0;
    return 1;
}

/* Order of the configurations by ascending C (insertion sort: paths are short). */
static void order_by_c(const fw_pval *const *cfgs, size_t n, size_t *ord)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        for (; j > 0 && cfgs[ord[j - 1]][P_C].num > cfgs[i][P_C].num; j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
    }
}

/* The start for the path's step t: the line through the last two solutions
 * (at C values a < b) continued to c in log C, into lf->guess; NULL when
 * there is no such line. Solutions along an L2 path move roughly linearly
 * in log C (their norms grow like log C on separable classes), so this
 * start is often much closer than the last solution; logreg_solve keeps
 * it only where its objective is lower. */
static const double *path_guess(logreg_fit *lf, size_t t, double a, double b, double c)
{
    if (t < 2 || !(a < b) || !(b < c))
        return NULL;
    double g = log(c / b) / log(b / a);
    for (size_t j = 0; j < lf->n_sub * lf->dim; j++)
        lf->guess[j] = lf->w[j] + g * (lf->w[j] - lf->w_old[j]);
    return lf->guess;
}

/* The same error for every configuration of a path that was not fitted. */
static void path_fail(fw_err *errs, const size_t *ord, size_t from, size_t n, const fw_err *why)
{
    for (size_t u = from; u < n; u++)
        fw_err_set(&errs[ord ? ord[u] : u], why->code, "%s", why->msg);
}

static int logreg_path(const fw_fit_data *d, const fw_pval *const *cfgs, size_t n_cfg,
                       const fw_matrix *X, const size_t *eval, size_t n_eval,
                       double *const *out, fw_fit_ctx *ctx, fw_err *errs)
{
    logreg_fit lf;
    fw_err e0 = {0};
    size_t *ord = malloc((n_cfg + 1) * sizeof *ord);
    memset(&lf, 0, sizeof lf);
    int rc = ord ? FW_OK : fw_err_set(&e0, FW_ENOMEM, "logreg: out of memory");
    for (size_t c = 1; !rc && c < n_cfg; c++)
        if (!same_but_c(cfgs[0], cfgs[c]))
            rc = fw_err_set(&e0, FW_EINVAL, "logreg: a C path needs configurations that "
                            "differ only in C");
    if (!rc)
        rc = logreg_fit_init(d, cfgs[0], &lf, &e0);
    if (!rc) {
        lf.w_old = malloc(lf.n_sub * lf.dim * sizeof *lf.w_old);
        lf.guess = malloc(lf.n_sub * lf.dim * sizeof *lf.guess);
        if (!lf.w_old || !lf.guess)
            rc = fw_err_set(&e0, FW_ENOMEM, "logreg: out of memory");
    }
    if (rc) {
        path_fail(errs, NULL, 0, n_cfg, &e0);
        logreg_fit_free(&lf);
        free(ord);
        return rc == FW_ENOMEM ? rc : FW_OK;
    }
    order_by_c(cfgs, n_cfg, ord);
    for (size_t t = 0; !rc && t < n_cfg; t++) {
        size_t c = ord[t];
        fw_lin_state st = {0};
        double ca = t >= 2 ? cfgs[ord[t - 2]][P_C].num : 0, cb = t ? cfgs[ord[t - 1]][P_C].num : 0;
        const double *guess = path_guess(&lf, t, ca, cb, cfgs[c][P_C].num);
        memcpy(lf.w_old, lf.w, lf.n_sub * lf.dim * sizeof *lf.w);
        rc = logreg_solve(&lf, cfgs[c], guess, &ctx[c], &errs[c]);
        if (!rc)
            rc = logreg_store(&lf, d, &st, cfgs[c], &errs[c]);
        if (!rc)
            rc = fw_lin_state_predict(&st, X, eval, n_eval, out[c], &errs[c]);
        fw_lin_state_free(&st);
        /* A failure (the time limit) ends the path: later C values are not fitted. */
        if (rc)
            path_fail(errs, ord, t + 1, n_cfg, &errs[c]);
    }
    logreg_fit_free(&lf);
    free(ord);
    return rc == FW_ENOMEM ? rc : FW_OK;
}

const fw_model_type fw_model_logreg = {
    .name = "logreg",
    .summary = "logistic regression (L2/L1/elastic net; binary, one-vs-rest, multinomial)",
    .caps = FW_CAP_CLASSIFY | FW_CAP_MULTICLASS | FW_CAP_PROBA | FW_CAP_WEIGHTS |
            FW_CAP_PATH | FW_CAP_ITERATIVE,
    .params = logreg_params,
    .n_params = N_PARAMS,
    .state_size = sizeof(fw_lin_state),
    .fit = logreg_fit_one,
    .predict = fw_lin_model_predict,
    .path_param = "C",
    .fit_predict_path = logreg_path,
    .save = fw_lin_model_save,
    .load = fw_lin_model_load,
    .describe = fw_lin_model_describe,
    .complexity = fw_lin_model_complexity,
    .free_state = fw_lin_model_free,
};
