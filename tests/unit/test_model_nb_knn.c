/* test_model_nb_knn.c: what is specific to gaussian_nb and knn, on tiny
 * hand-made data: the Gaussian likelihood by hand, absent classes, sample
 * weights as repeated rows; neighbour ties, exact matches under distance
 * weights, regression, k larger than the training set, zero rows under
 * cosine. Parity with scikit-learn is tests/parity/nb_knn_parity.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/model.h"
#include "harness.h"

static const size_t ROWS[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const double TWO_PI = 2 * 3.141592653589793;

static fw_fit_data data(const double *X, size_t n, size_t p, const double *y, const double *w,
                        int task, size_t k)
{
    fw_fit_data d = {{X, n, p}, ROWS, n, y, w, task, k, NULL};
    return d;
}

/* Fit `name` with "param=value" settings (NULL-terminated) and predict the
 * rows of Q (m x p column-major) into out. */
static int fit_predict(const char *name, const char *const *set, const fw_fit_data *d,
                       const double *Q, size_t m, double *out, fw_err *e)
{
    const fw_model_type *t = fw_model_find(name);
    fw_pval cfg[8];
    fw_param_defaults(t, cfg);
    for (size_t i = 0; set && set[i]; i += 2) {
        long idx = fw_param_index(t, set[i]);
        int rc = fw_param_parse(t, (size_t)idx, set[i + 1], &cfg[idx], e);
        if (rc)
            return rc;
    }
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, NULL);
    fw_model *mod = fw_model_alloc(t, cfg);
    int rc = fw_model_fit(mod, d, &ctx, e);
    fw_matrix QM = {Q, m, d->X.n_cols};
    if (!rc)
        rc = fw_model_predict(mod, &QM, ROWS, m, out, e);
    fw_model_free(mod);
    return rc;
}

static void nb_by_hand(void)
{
    /* class 0: 0, 2 (mean 1, var 1); class 1: 4, 6, 8 (mean 6, var 8/3). */
    const double X[] = {0, 2, 4, 6, 8}, y[] = {0, 0, 1, 1, 1}, Q[] = {3};
    fw_fit_data d = data(X, 5, 1, y, NULL, FW_TASK_CLASSIFICATION, 2);
    double out[2];
    fw_err e;
    CHECK_OK(fit_predict("gaussian_nb", NULL, &d, Q, 1, out, &e), &e);
    double eps = 1e-9 * 8.0; /* var of 0,2,4,6,8 */
    double v0 = 1 + eps, v1 = 8.0 / 3 + eps;
    double j0 = log(0.4) - 0.5 * log(TWO_PI * v0) - 0.5 * 4 / v0;
    double j1 = log(0.6) - 0.5 * log(TWO_PI * v1) - 0.5 * 9 / v1;
    double p0 = 1 / (1 + exp(j1 - j0));
    CHECK_NEAR(out[0], p0, 1e-14);
    CHECK_NEAR(out[1], 1 - p0, 1e-14);
}

static void nb_absent_class_and_weights(void)
{
    /* Three classes, class 1 absent from training: probability 0. */
    const double X[] = {0, 1, 2, 5, 6, 7}, y[] = {0, 0, 0, 2, 2, 2}, Q[] = {1.5, 6.5};
    fw_fit_data d = data(X, 6, 1, y, NULL, FW_TASK_CLASSIFICATION, 3);
    double out[6];
    fw_err e;
    CHECK_OK(fit_predict("gaussian_nb", NULL, &d, Q, 2, out, &e), &e);
    CHECK(out[1] == 0.0 && out[4] == 0.0);
    CHECK(out[0] > 0.99 && out[5] > 0.99);
    /* A weight of 2 is the same as the row twice. */
    const double Xw[] = {0, 1, 2, 5, 6}, yw[] = {0, 0, 0, 2, 2}, w[] = {1, 1, 1, 1, 2};
    const double Xr[] = {0, 1, 2, 5, 6, 6}, yr[] = {0, 0, 0, 2, 2, 2};
    double a[6], b[6];
    fw_fit_data dw = data(Xw, 5, 1, yw, w, FW_TASK_CLASSIFICATION, 3);
    fw_fit_data dr = data(Xr, 6, 1, yr, NULL, FW_TASK_CLASSIFICATION, 3);
    /* var_smoothing 0: epsilon is taken unweighted, as scikit-learn. */
    const char *const set[] = {"var_smoothing", "0", NULL};
    CHECK_OK(fit_predict("gaussian_nb", set, &dw, Q, 2, a, &e), &e);
    CHECK_OK(fit_predict("gaussian_nb", set, &dr, Q, 2, b, &e), &e);
    for (size_t i = 0; i < 6; i++)
        CHECK_NEAR(a[i], b[i], 1e-12);
}

static void knn_tie_goes_to_earlier_row(void)
{
    /* Every training row is at distance 1 from 0: k = 1 takes row 0,
     * k = 2 rows 0 and 1. */
    const double X[] = {1, -1, 1, -1}, y[] = {1, 0, 0, 0}, Q[] = {0};
    fw_fit_data d = data(X, 4, 1, y, NULL, FW_TASK_CLASSIFICATION, 2);
    double out[2];
    fw_err e;
    const char *const k1[] = {"k", "1", NULL}, *const k2[] = {"k", "2", NULL};
    CHECK_OK(fit_predict("knn", k1, &d, Q, 1, out, &e), &e);
    CHECK(out[0] == 0.0 && out[1] == 1.0);
    CHECK_OK(fit_predict("knn", k2, &d, Q, 1, out, &e), &e);
    CHECK(out[0] == 0.5 && out[1] == 0.5);
}

static void knn_exact_match_takes_all(void)
{
    const double X[] = {0, 1, 2, 3, 4}, y[] = {0, 1, 1, 1, 1}, Q[] = {0, 0.5};
    fw_fit_data d = data(X, 5, 1, y, NULL, FW_TASK_CLASSIFICATION, 2);
    double out[4];
    fw_err e;
    const char *const set[] = {"k", "3", "weights", "distance", NULL};
    CHECK_OK(fit_predict("knn", set, &d, Q, 2, out, &e), &e);
    CHECK(out[0] == 1.0 && out[1] == 0.0);
    /* 0.5 from 0 and 1, 1.5 from 2: weights 2, 2, 2/3. */
    CHECK_NEAR(out[2], 2 / (2 + 2 + 2.0 / 3), 1e-15);
}

static void knn_regression_and_metrics(void)
{
    /* Two features; targets 10, 20, 30, 40. */
    const double X[] = {0, 1, 3, 6, 0, 0, 0, 0}, y[] = {10, 20, 30, 40}, Q[] = {1.5, 0};
    fw_fit_data d = data(X, 4, 2, y, NULL, FW_TASK_REGRESSION, 0);
    double out[1];
    fw_err e;
    const char *const uni[] = {"k", "2", NULL};
    CHECK_OK(fit_predict("knn", uni, &d, Q, 1, out, &e), &e);
    CHECK(out[0] == 15.0); /* rows 1 (0.5 away) and 0 or 2 (1.5 away): 0 first */
    const char *const dist[] = {"k", "3", "weights", "distance", "metric", "manhattan", NULL};
    CHECK_OK(fit_predict("knn", dist, &d, Q, 1, out, &e), &e);
    double w1 = 2, w0 = 1 / 1.5, w2 = 1 / 1.5;
    CHECK_NEAR(out[0], (20 * w1 + 10 * w0 + 30 * w2) / (w1 + w0 + w2), 1e-12);
    const char *const big[] = {"k", "5", NULL};
    CHECK(fit_predict("knn", big, &d, Q, 1, out, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "k = 5"), "%s", e.msg);
}

static void knn_cosine_zero_row(void)
{
    /* A zero row has cosine distance 1 to everything, not NaN. */
    const double X[] = {0, 1, 2, 0, 0, 1, 2, 0}, y[] = {0, 1, 1, 0}, Q[] = {0, 3, 0, 3};
    fw_fit_data d = data(X, 4, 2, y, NULL, FW_TASK_CLASSIFICATION, 2);
    double out[4];
    fw_err e;
    const char *const set[] = {"k", "2", "metric", "cosine", "weights", "distance", NULL};
    CHECK_OK(fit_predict("knn", set, &d, Q, 2, out, &e), &e);
    for (size_t i = 0; i < 4; i++)
        CHECK(isfinite(out[i]));
    CHECK(out[2] == 0.0 && out[3] == 1.0); /* (3, 3): same direction as rows 1, 2 */
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {T(nb_by_hand),
                                     T(nb_absent_class_and_weights),
                                     T(knn_tie_goes_to_earlier_row),
                                     T(knn_exact_match_takes_all),
                                     T(knn_regression_and_metrics),
                                     T(knn_cosine_zero_row),
                                     {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
