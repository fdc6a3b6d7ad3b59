/* test_metrics.c: the metrics layer on small hand-computed cases (the
 * derivation of each expected value is in the comment next to it), the
 * undefined cases and their warning bits, refused inputs, the registry, and
 * the curves. Parity with scikit-learn on random inputs is in
 * tests/parity/metrics_parity.py. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/metrics.h"
#include "harness.h"
#include "metrics/metrics_int.h"

#define TOL 1e-15

/* A classification input over n rows and K classes. */
static fw_metric_input clf(size_t n, size_t K, const double *y, const double *yp,
                           const double *s, int is_proba, int positive, const double *w)
{
    return (fw_metric_input){.n = n, .y_true = y, .y_pred = yp, .score = s,
                             .is_proba = is_proba, .n_classes = K, .positive = positive,
                             .weight = w};
}

static fw_metric_input reg(size_t n, const double *y, const double *p, const double *w)
{
    return (fw_metric_input){.n = n, .y_true = y, .y_pred = p, .weight = w};
}

/* Evaluate, failing the test on an error; *warn gets the bits. */
#define EVAL(name, in, out, warn)                                                         \
    do {                                                                                  \
        fw_err e_ = {0};                                                                  \
        CHECK_OK(fw_metric_eval(name, in, out, warn, &e_), &e_);                          \
    } while (0)

/* ---- accuracy ------------------------------------------------------------- */

static void accuracy_cases(void)
{
    gsl_set_error_handler_off();
    double y[] = {0, 1, 1, 0}, yp[] = {0, 1, 0, 0}, w[] = {1, 2, 3, 4}, v;
    unsigned warn;
    fw_metric_input in = clf(4, 2, y, yp, NULL, 0, 1, NULL);
    EVAL("accuracy", &in, &v, &warn);
    CHECK_NEAR(v, 0.75, TOL); /* rows 0, 1, 3 right: 3/4 */
    CHECK_EQ_INT(warn, 0);
    in.weight = w;
    EVAL("accuracy", &in, &v, &warn);
    CHECK_NEAR(v, 0.7, TOL); /* (1 + 2 + 4) / 10 */
}

static void balanced_accuracy_cases(void)
{
    double y[] = {0, 0, 0, 1}, yp[] = {0, 0, 1, 1}, v;
    unsigned warn;
    fw_metric_input in = clf(4, 2, y, yp, NULL, 0, 1, NULL);
    EVAL("balanced_accuracy", &in, &v, &warn);
    CHECK_NEAR(v, 5.0 / 6, TOL); /* recall 2/3 and 1: mean 5/6 */
    /* Class 2 only predicted: its 0/0 recall is dropped (scikit-learn). */
    double y3[] = {0, 0, 1, 1}, yp3[] = {0, 2, 1, 1};
    in = clf(4, 3, y3, yp3, NULL, 0, 1, NULL);
    EVAL("balanced_accuracy", &in, &v, &warn);
    CHECK_NEAR(v, 0.75, TOL); /* (1/2 + 1) / 2 */
}

/* ---- precision, recall, f1 ------------------------------------------------- */

static void prf_binary(void)
{
    /* tp = rows 0, 4; fp = row 2; fn = row 1: p = r = f1 = 2/3. */
    double y[] = {1, 1, 0, 0, 1}, yp[] = {1, 0, 1, 0, 1}, v;
    unsigned warn;
    fw_metric_input in = clf(5, 2, y, yp, NULL, 0, 1, NULL);
    EVAL("precision", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    EVAL("recall", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    EVAL("f1", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    /* Weighted: tp = 1 + 1 = 2, fp = 2, fn = 1: p = 1/2, r = 2/3,
     * f1 = 2 (1/2)(2/3) / (1/2 + 2/3) = 4/7. */
    double w[] = {1, 1, 2, 1, 1};
    in.weight = w;
    EVAL("precision", &in, &v, &warn);
    CHECK_NEAR(v, 0.5, TOL);
    EVAL("recall", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    EVAL("f1", &in, &v, &warn);
    CHECK_NEAR(v, 4.0 / 7, TOL);
    /* Positive class 0: tp = row 3, fp = row 1, fn = row 2: all 1/2. */
    in.weight = NULL;
    in.positive = 0;
    EVAL("f1", &in, &v, &warn);
    CHECK_NEAR(v, 0.5, TOL);
}

static void prf_zero_division(void)
{
    double y[] = {1, 0, 1}, none[] = {0, 0, 0}, v;
    unsigned warn;
    /* Nothing predicted positive: precision 0/0 -> 0 with the bit; recall
     * is 0/2 (defined); f1 is 0 without a bit (scikit-learn warns for f1
     * only when the class is absent from both). */
    fw_metric_input in = clf(3, 2, y, none, NULL, 0, 1, NULL);
    EVAL("precision", &in, &v, &warn);
    CHECK(v == 0 && warn == FW_METRIC_WARN_ZERO_DIVISION);
    EVAL("recall", &in, &v, &warn);
    CHECK(v == 0 && warn == 0);
    EVAL("f1", &in, &v, &warn);
    CHECK(v == 0 && warn == 0);
    /* Positive class absent from both: every one of the three warns. */
    in = clf(3, 2, none, none, NULL, 0, 1, NULL);
    EVAL("recall", &in, &v, &warn);
    CHECK(v == 0 && warn == FW_METRIC_WARN_ZERO_DIVISION);
    EVAL("f1", &in, &v, &warn);
    CHECK(v == 0 && warn == FW_METRIC_WARN_ZERO_DIVISION);
    /* Macro: class 1 predicted but never true has recall 0/0. */
    double y2[] = {0, 0, 2}, yp2[] = {0, 1, 2};
    in = clf(3, 3, y2, yp2, NULL, 0, 1, NULL);
    EVAL("recall_macro", &in, &v, &warn);
    CHECK_NEAR(v, (0.5 + 0 + 1) / 3, TOL);
    CHECK_EQ_INT(warn, FW_METRIC_WARN_ZERO_DIVISION);
}

static void prf_averaged(void)
{
    /* Per class (tp, predicted, true): 0: (1, 2, 2), 1: (2, 3, 2), 2: (1, 1, 2).
     * precision 1/2, 2/3, 1 -> macro 13/18; recall 1/2, 1, 1/2 -> 2/3;
     * f1 1/2, 4/5, 2/3 -> 59/90. */
    double y[] = {0, 0, 1, 1, 2, 2}, yp[] = {0, 1, 1, 1, 2, 0}, v;
    unsigned warn;
    fw_metric_input in = clf(6, 3, y, yp, NULL, 0, 1, NULL);
    EVAL("precision_macro", &in, &v, &warn);
    CHECK_NEAR(v, 13.0 / 18, TOL);
    EVAL("recall_macro", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    EVAL("f1_macro", &in, &v, &warn);
    CHECK_NEAR(v, 59.0 / 90, TOL);
    /* Supports 3, 2, 1; (tp, predicted, true): 0: (2, 2, 3), 1: (1, 2, 2),
     * 2: (1, 2, 1). precision 1, 1/2, 1/2 -> (3 + 1 + 0.5) / 6 = 3/4;
     * recall 2/3, 1/2, 1 -> 4/6 (= accuracy, always); f1 4/5, 1/2, 2/3 ->
     * (12/5 + 1 + 2/3) / 6 = 61/90. */
    double y2[] = {0, 0, 0, 1, 1, 2}, yp2[] = {0, 0, 1, 1, 2, 2};
    in = clf(6, 3, y2, yp2, NULL, 0, 1, NULL);
    EVAL("precision_weighted", &in, &v, &warn);
    CHECK_NEAR(v, 0.75, TOL);
    EVAL("recall_weighted", &in, &v, &warn);
    CHECK_NEAR(v, 4.0 / 6, TOL);
    EVAL("f1_weighted", &in, &v, &warn);
    CHECK_NEAR(v, 61.0 / 90, TOL);
    CHECK_EQ_INT(warn, 0);
}

/* ---- ranking ---------------------------------------------------------------- */

/* scikit-learn's documentation example: y = [0, 0, 1, 1],
 * s = [0.1, 0.4, 0.35, 0.8], as a two-column probability matrix. */
static const double ex_y[] = {0, 0, 1, 1};
static const double ex_s[] = {0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8};

static void roc_auc_cases(void)
{
    double v;
    unsigned warn;
    /* Positive-negative pairs ranked right: 0.8 > both, 0.35 > 0.1 only: 3/4. */
    fw_metric_input in = clf(4, 2, ex_y, ex_y, ex_s, 1, 1, NULL);
    EVAL("roc_auc", &in, &v, &warn);
    CHECK_NEAR(v, 0.75, TOL);
    /* A tie counts one half: positives {0.5, 0.9}, negatives {0.5, 0.2}:
     * 1 + 1 + 0.5 + 1 = 3.5 of 4 pairs. Decision values are fine here. */
    double y[] = {0, 1, 0, 1}, s[] = {-0.5, 0.5, -0.5, 0.5, -0.2, 0.2, -0.9, 0.9};
    in = clf(4, 2, y, y, s, 0, 1, NULL);
    EVAL("roc_auc", &in, &v, &warn);
    CHECK_NEAR(v, 0.875, TOL);
    CHECK_EQ_INT(warn, 0);
    /* One class in y_true: NaN with the bit. */
    double y0[] = {0, 0, 0, 0};
    in = clf(4, 2, y0, y0, s, 0, 1, NULL);
    EVAL("roc_auc", &in, &v, &warn);
    CHECK(isnan(v) && warn == FW_METRIC_WARN_UNDEFINED);
}

static void roc_auc_multiclass(void)
{
    /* One-vs-rest: column 0 separates perfectly (1); column 1: positives
     * {0.6, 0.3} vs {0.1, 0.2, 0.4, 0.5}: 4 + 2 = 6/8; column 2: positives
     * {0.7, 0.3} vs {0.1, 0.3, 0.1, 0.4}: 4 + 2 + 1/2 = 6.5/8.
     * Macro: (1 + 0.75 + 0.8125) / 3. */
    double y[] = {0, 1, 2, 0, 1, 2};
    double p[] = {0.8, 0.1, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7,
                  0.5, 0.4, 0.1, 0.3, 0.3, 0.4, 0.2, 0.5, 0.3};
    double v;
    unsigned warn;
    fw_metric_input in = clf(6, 3, y, y, p, 1, 1, NULL);
    EVAL("roc_auc", &in, &v, &warn);
    CHECK_NEAR(v, (1 + 0.75 + 0.8125) / 3, TOL);
    /* A class missing from y_true: NaN with the bit (scikit-learn raises). */
    double y2[] = {0, 1, 1, 0, 1, 1};
    in.y_true = y2;
    EVAL("roc_auc", &in, &v, &warn);
    CHECK(isnan(v) && warn == FW_METRIC_WARN_UNDEFINED);
    /* Decision values on 3 classes are refused (scikit-learn's rule). */
    fw_err e = {0};
    in.is_proba = 0;
    in.y_true = y;
    CHECK_EQ_INT(fw_metric_eval("roc_auc", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "roc_auc") && strstr(e.msg, "probabilities"));
}

static void average_precision_cases(void)
{
    double v;
    unsigned warn;
    /* Descending: 0.8 (+) P 1 R 1/2; 0.4 (-); 0.35 (+) P 2/3 R 1; so
     * AP = 1/2 * 1 + 1/2 * 2/3 = 5/6. */
    fw_metric_input in = clf(4, 2, ex_y, ex_y, ex_s, 1, 1, NULL);
    EVAL("average_precision", &in, &v, &warn);
    CHECK_NEAR(v, 5.0 / 6, TOL);
    CHECK_EQ_INT(warn, 0);
    /* No positive row: scikit-learn sets recall to 1 and returns 0. */
    double y0[] = {0, 0, 0, 0};
    in.y_true = y0;
    EVAL("average_precision", &in, &v, &warn);
    CHECK(v == 0 && !signbit(v) && warn == FW_METRIC_WARN_UNDEFINED);
}

static void precision_at_k_cases(void)
{
    /* Scores of class 1: rows 1 and 2 tie at 0.8, row order breaks it:
     * ranking 0, 1, 2, 4, 3. Two positives (rows 0, 2): R-precision looks
     * at rows 0, 1: 1/2. Top 3: 2/3. Top 100 is capped at 5 rows: 2/5. */
    double y[] = {1, 0, 1, 0, 0};
    double s[] = {0.1, 0.9, 0.2, 0.8, 0.2, 0.8, 0.9, 0.1, 0.5, 0.5};
    double v;
    unsigned warn;
    fw_metric_input in = clf(5, 2, y, y, s, 1, 1, NULL);
    EVAL("precision_at_k", &in, &v, &warn);
    CHECK_NEAR(v, 0.5, TOL);
    EVAL("precision_at_3", &in, &v, &warn);
    CHECK_NEAR(v, 2.0 / 3, TOL);
    EVAL("precision_at_100", &in, &v, &warn);
    CHECK_NEAR(v, 0.4, TOL);
    /* Weighted top 2: (1 * 1 + 3 * 0) / (1 + 3). */
    double w[] = {1, 3, 1, 1, 1};
    in.weight = w;
    EVAL("precision_at_2", &in, &v, &warn);
    CHECK_NEAR(v, 0.25, TOL);
    /* No positive row: k = 0, value 0 with the zero-division bit. */
    double y0[] = {0, 0, 0, 0, 0};
    in = clf(5, 2, y0, y0, s, 1, 1, NULL);
    EVAL("precision_at_k", &in, &v, &warn);
    CHECK(v == 0 && warn == FW_METRIC_WARN_ZERO_DIVISION);
    fw_err e = {0};
    CHECK_EQ_INT(fw_metric_eval("precision_at_0", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "positive integer"));
    CHECK(fw_metric_find("precision_at_12") == fw_metric_find("precision_at_k"));
    CHECK(fw_metric_find("precision_at_1x") == NULL);
}

/* ---- probabilities ----------------------------------------------------------- */

static void log_loss_cases(void)
{
    double y[] = {0, 1}, p[] = {0.9, 0.1, 0.2, 0.8}, v;
    unsigned warn;
    fw_metric_input in = clf(2, 2, y, y, p, 1, 1, NULL);
    EVAL("log_loss", &in, &v, &warn);
    CHECK_NEAR(v, -(log(0.9) + log(0.8)) / 2, TOL);
    /* Certain and wrong: clipped to eps = 2^-52, so each row costs
     * -log(2^-52) = 52 ln 2. */
    double yw[] = {1, 0}, pw[] = {1, 0, 0, 1};
    in = clf(2, 2, yw, yw, pw, 1, 1, NULL);
    EVAL("log_loss", &in, &v, &warn);
    CHECK_NEAR(v, 52 * log(2.0), 1e-13);
    /* Three classes; rows sum to 1 up to rounding (renormalised). */
    double y3[] = {0, 1, 2}, p3[] = {0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6};
    in = clf(3, 3, y3, y3, p3, 1, 1, NULL);
    EVAL("log_loss", &in, &v, &warn);
    CHECK_NEAR(v, -(log(0.7) + log(0.8) + log(0.6)) / 3, 1e-15);
    /* Decision values are refused with a message naming the metric. */
    fw_err e = {0};
    in.is_proba = 0;
    CHECK_EQ_INT(fw_metric_eval("log_loss", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "log_loss") && strstr(e.msg, "probabilities"));
    CHECK(isnan(v));
}

static void brier_cases(void)
{
    /* (0.1^2 + 0.1^2 + 0.6^2) / 3 = 0.38 / 3. */
    double y[] = {0, 1, 1}, p[] = {0.9, 0.1, 0.1, 0.9, 0.6, 0.4}, v;
    unsigned warn;
    fw_metric_input in = clf(3, 2, y, y, p, 1, 1, NULL);
    EVAL("brier", &in, &v, &warn);
    CHECK_NEAR(v, 0.38 / 3, TOL);
    /* Multiclass: row sums 0.25 + 0.09 + 0.04 = 0.38 and
     * 0.01 + 0.01 + 0.04 = 0.06: mean 0.22. */
    double y3[] = {0, 2}, p3[] = {0.5, 0.3, 0.2, 0.1, 0.1, 0.8};
    in = clf(2, 3, y3, y3, p3, 1, 1, NULL);
    EVAL("brier", &in, &v, &warn);
    CHECK_NEAR(v, 0.22, 1e-15);
    fw_err e = {0};
    in.is_proba = 0;
    CHECK_EQ_INT(fw_metric_eval("brier", &in, &v, &warn, &e), FW_EINVAL);
    double bad[] = {0.5, 0.3, 0.2, 1.5, -0.5, 0.0};
    in.is_proba = 1;
    in.score = bad;
    CHECK_EQ_INT(fw_metric_eval("brier", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "row 1"));
}

static void mcc_cases(void)
{
    /* tp 2, fn 1, fp 1, tn 0: (2*0 - 1*1) / sqrt(3 * 3 * 1 * 1) = -1/3. */
    double y[] = {1, 1, 1, 0}, yp[] = {1, 0, 1, 1}, v;
    unsigned warn;
    fw_metric_input in = clf(4, 2, y, yp, NULL, 0, 1, NULL);
    EVAL("mcc", &in, &v, &warn);
    CHECK_NEAR(v, -1.0 / 3, TOL);
    CHECK_EQ_INT(warn, 0);
    /* One predicted class: zero denominator -> 0 with the bit. */
    double same[] = {1, 1, 1, 1};
    in.y_pred = same;
    EVAL("mcc", &in, &v, &warn);
    CHECK(v == 0 && warn == FW_METRIC_WARN_UNDEFINED);
    /* Multiclass, perfect: 1. */
    double y3[] = {0, 1, 2, 2, 1};
    in = clf(5, 3, y3, y3, NULL, 0, 1, NULL);
    EVAL("mcc", &in, &v, &warn);
    CHECK_NEAR(v, 1.0, TOL);
}

/* ---- regression ----------------------------------------------------------------- */

static void regression_cases(void)
{
    /* Errors 0, 0, 0, 2: mse 1, rmse 1, mae 1/2. Weighted 1, 1, 1, 3:
     * mse 3*4/6 = 2, mae 3*2/6 = 1. r2: ss_res 4, mean 2.5,
     * ss_tot 2.25 + 0.25 + 0.25 + 2.25 = 5: 1 - 4/5. */
    double y[] = {1, 2, 3, 4}, p[] = {1, 2, 3, 6}, w[] = {1, 1, 1, 3}, v;
    unsigned warn;
    fw_metric_input in = reg(4, y, p, NULL);
    EVAL("rmse", &in, &v, &warn);
    CHECK_NEAR(v, 1.0, TOL);
    EVAL("mae", &in, &v, &warn);
    CHECK_NEAR(v, 0.5, TOL);
    EVAL("r2", &in, &v, &warn);
    CHECK_NEAR(v, 0.2, TOL);
    CHECK_EQ_INT(warn, 0);
    in.weight = w;
    EVAL("rmse", &in, &v, &warn);
    CHECK_NEAR(v, sqrt(2.0), TOL);
    EVAL("mae", &in, &v, &warn);
    CHECK_NEAR(v, 1.0, TOL);
}

static void r2_undefined(void)
{
    double c[] = {2, 2, 2}, p[] = {1, 2, 3}, v;
    unsigned warn;
    fw_metric_input in = reg(3, c, c, NULL);
    EVAL("r2", &in, &v, &warn); /* constant y, perfect: 1 */
    CHECK(v == 1.0 && warn == FW_METRIC_WARN_UNDEFINED);
    in.y_pred = p;
    EVAL("r2", &in, &v, &warn); /* constant y, imperfect: 0 */
    CHECK(v == 0.0 && warn == FW_METRIC_WARN_UNDEFINED);
    in.n = 1;
    EVAL("r2", &in, &v, &warn); /* one row: NaN */
    CHECK(isnan(v) && warn == FW_METRIC_WARN_UNDEFINED);
}

static void mape_and_median(void)
{
    /* Ratios 1, 0, 1/eps = 2^52 (zero target), 0.5. Summed in order:
     * 1 + 0 + 2^52 = 2^52 + 1, + 0.5 rounds to 2^52 + 2 (ties to even). */
    double y[] = {1, 2, 0, 4}, p[] = {2, 2, 1, 2}, v;
    unsigned warn;
    fw_metric_input in = reg(4, y, p, NULL);
    EVAL("mape", &in, &v, &warn);
    CHECK(v == (4503599627370496.0 + 2) / 4);
    /* Errors 0.5, 0, 2, 0.25 sorted 0, 0.25, 0.5, 2: median 0.375. */
    double y2[] = {1, 2, 3, 4}, p2[] = {1.5, 2, 5, 4.25};
    in = reg(4, y2, p2, NULL);
    EVAL("median_ae", &in, &v, &warn);
    CHECK_NEAR(v, 0.375, TOL);
    /* Weighted lower median: unit weights, cdf 1 2 3 4 reaches half (2) at
     * 0.25; weights 1, 1, 5, 1 (on errors 0.5, 0, 2, 0.25): cdf in sorted
     * order 1, 2, 3, 8 reaches 4 at error 2. */
    double w1[] = {1, 1, 1, 1}, w2[] = {1, 1, 5, 1};
    in.weight = w1;
    EVAL("median_ae", &in, &v, &warn);
    CHECK_NEAR(v, 0.25, TOL);
    in.weight = w2;
    EVAL("median_ae", &in, &v, &warn);
    CHECK_NEAR(v, 2.0, TOL);
}

/* ---- refusals, registry ------------------------------------------------------- */

static void bad_inputs(void)
{
    fw_err e = {0};
    double y[] = {0, 1, 2.5}, ok[] = {0, 1, 1}, s[] = {0.5, 0.5, NAN, 0.2, 0.3, 0.7}, v;
    unsigned warn;
    fw_metric_input in = clf(3, 2, y, ok, NULL, 0, 1, NULL);
    CHECK_EQ_INT(fw_metric_eval("accuracy", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "y_true[2]"));
    in = clf(3, 2, ok, ok, s, 1, 1, NULL);
    CHECK_EQ_INT(fw_metric_eval("roc_auc", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "not finite"));
    double zero[] = {0, 0, 0};
    in = clf(3, 2, ok, ok, NULL, 0, 1, zero);
    CHECK_EQ_INT(fw_metric_eval("accuracy", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "sum to zero"));
    in = clf(3, 2, ok, ok, NULL, 0, 1, NULL);
    CHECK_EQ_INT(fw_metric_eval("rmse", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "rmse") && strstr(e.msg, "regression"));
    fw_metric_input r = reg(3, ok, ok, NULL);
    CHECK_EQ_INT(fw_metric_eval("roc_auc", &r, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "roc_auc") && strstr(e.msg, "classification"));
    double y3[] = {0, 1, 2};
    in = clf(3, 3, y3, y3, NULL, 0, 1, NULL);
    CHECK_EQ_INT(fw_metric_eval("f1", &in, &v, &warn, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "binary-only"));
    in.n = 0;
    CHECK_EQ_INT(fw_metric_eval("accuracy", &in, &v, &warn, &e), FW_EINVAL);
}

static void config_checks(void)
{
    fw_err e = {0};
    CHECK_EQ_INT(fw_metric_check("acuracy", 1, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "did you mean 'accuracy'"));
    CHECK_EQ_INT(fw_metric_check("rmse", 1, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "'rmse'") && strstr(e.msg, "regression"));
    CHECK_EQ_INT(fw_metric_check("roc_auc", 2, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "'roc_auc'"));
    CHECK_OK(fw_metric_check("roc_auc", 1, &e), &e);
    CHECK_OK(fw_metric_check("r2", 0, &e), &e); /* task not known yet */
    CHECK_OK(fw_metric_check("precision_at_20", 1, &e), &e);
    CHECK_EQ_INT(fw_metric_check("precision_at_x", 1, &e), FW_EINVAL);
    CHECK_EQ_INT(fw_metric_check_classes("f1", 3, &e), FW_EINVAL);
    CHECK(strstr(e.msg, "f1") && strstr(e.msg, "_macro"));
    CHECK_EQ_INT(fw_metric_check_classes("precision_at_5", 4, &e), FW_EINVAL);
    CHECK_OK(fw_metric_check_classes("f1_macro", 3, &e), &e);
    CHECK_OK(fw_metric_check_classes("f1", 2, &e), &e);
    CHECK_EQ_INT(fw_metric_check_proba("log_loss", 2, 0, &e), FW_EINVAL);
    CHECK_EQ_INT(fw_metric_check_proba("roc_auc", 3, 0, &e), FW_EINVAL);
    CHECK_OK(fw_metric_check_proba("roc_auc", 2, 0, &e), &e);
    CHECK_OK(fw_metric_check_proba("brier", 3, 1, &e), &e);
}

/* Every registered metric: unique name, one task, found by its name, and
 * scored without error on a valid input of its task. */
static void registry_all(void)
{
    double y[] = {0, 1, 1, 0, 1, 0}, yp[] = {0, 1, 0, 0, 1, 1};
    double p[] = {0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.9, 0.1, 0.2, 0.8, 0.45, 0.55};
    double ry[] = {1.5, 2, 3, 4, 5, 6}, rp[] = {1, 2.5, 3, 4.5, 4, 6};
    size_t n = 0;
    for (size_t i = 0; fw_metrics[i]; i++, n++) {
        const fw_metric_type *t = fw_metrics[i];
        unsigned task = t->flags & (FW_METRIC_CLASSIFICATION | FW_METRIC_REGRESSION);
        CHECK_MSG(task == FW_METRIC_CLASSIFICATION || task == FW_METRIC_REGRESSION,
                  "%s: one task", t->name);
        CHECK_MSG(fw_metric_find(t->name) == t, "%s: found", t->name);
        CHECK(t->summary && t->score);
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(fw_metrics[j]->name, t->name) != 0, "%s twice", t->name);
        fw_metric_input in = task == FW_METRIC_REGRESSION ? reg(6, ry, rp, NULL)
                                                          : clf(6, 2, y, yp, p, 1, 1, NULL);
        double v;
        unsigned warn;
        fw_err e = {0};
        CHECK_MSG(fw_metric_eval(t->name, &in, &v, &warn, &e) == FW_OK && isfinite(v),
                  "%s: %s", t->name, e.msg);
    }
    CHECK(n >= 22);
    const char *losses[] = {"log_loss", "brier", "rmse", "mae", "mape", "median_ae"};
    for (size_t i = 0; i < sizeof losses / sizeof *losses; i++)
        CHECK_MSG(fw_metric_find(losses[i])->greater_is_better == 0, "%s", losses[i]);
}

/* ---- helpers, curves ------------------------------------------------------------ */

static void pairwise_sum_order(void)
{
    /* numpy's grouping for n = 10: eight lanes, a tree, then the tail. */
    double a[10];
    for (int i = 0; i < 10; i++)
        a[i] = 1.0 / (i + 3) + (i % 3 ? 1e16 : -1e16);
    double want = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    want += a[8];
    want += a[9];
    CHECK(fw_metric_sum(a, 10, 1) == want);
    /* n = 5 (< 8): left to right from 0. */
    CHECK(fw_metric_sum(a, 5, 1) == ((((0.0 + a[0]) + a[1]) + a[2]) + a[3]) + a[4]);
    /* Above 8192 values numpy adds the pairwise sums of 8192-chunks in turn. */
    static double big[8200];
    for (int i = 0; i < 8200; i++)
        big[i] = 1.0 / (i + 1) + (i % 7 ? 1e12 : -3e12);
    CHECK(fw_metric_sum(big, 8200, 1) ==
          fw_metric_sum(big, 8192, 1) + fw_metric_sum(big + 8192, 8, 1));
    /* Stable sort: equal keys keep row order, ascending or descending. */
    double k[] = {2, 1, 2, 1, 3};
    size_t idx[5];
    fw_err e = {0};
    CHECK_OK(fw_metric_argsort(k, 1, 5, 0, idx, &e), &e);
    CHECK(idx[0] == 1 && idx[1] == 3 && idx[2] == 0 && idx[3] == 2 && idx[4] == 4);
    CHECK_OK(fw_metric_argsort(k, 1, 5, 1, idx, &e), &e);
    CHECK(idx[0] == 4 && idx[1] == 0 && idx[2] == 2 && idx[3] == 1 && idx[4] == 3);
}

static int same(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > 1e-15)
            return 0;
    return 1;
}

static void curves(void)
{
    /* scikit-learn's documented outputs for y = [0, 0, 1, 1],
     * s = [0.1, 0.4, 0.35, 0.8]. */
    double y[] = {0, 0, 1, 1}, s[] = {0.1, 0.4, 0.35, 0.8};
    fw_curve c = {0};
    fw_err e = {0};
    CHECK_OK(fw_roc_curve(y, s, NULL, 4, 1, &c, &e), &e);
    double fpr[] = {0, 0, 0.5, 0.5, 1}, tpr[] = {0, 0.5, 0.5, 1, 1},
           thr[] = {1.8, 0.8, 0.4, 0.35, 0.1};
    CHECK(c.n == 5 && same(c.x, fpr, 5) && same(c.y, tpr, 5) && same(c.thr, thr, 5));
    fw_curve_free(&c);
    CHECK(c.x == NULL && c.n == 0);
    CHECK_OK(fw_pr_curve(y, s, NULL, 4, 1, &c, &e), &e);
    double prec[] = {0.5, 2.0 / 3, 0.5, 1, 1}, rec[] = {1, 1, 0.5, 0.5, 0},
           pthr[] = {0.1, 0.35, 0.4, 0.8};
    CHECK(c.n == 5 && same(c.y, prec, 5) && same(c.x, rec, 5) && same(c.thr, pthr, 4));
    CHECK(isinf(c.thr[4]));
    fw_curve_free(&c);
    /* Two uniform bins, edge 0.5 (a value on it goes to the lower bin):
     * bin 0 holds 0.1, 0.3, 0.3, 0.5 (one positive), bin 1 holds 0.6, 0.9. */
    double cy[] = {0, 0, 1, 1, 1, 0}, cp[] = {0.1, 0.3, 0.6, 0.9, 0.3, 0.5};
    CHECK_OK(fw_calibration_curve(cy, cp, 6, 1, 2, &c, &e), &e);
    double mx[] = {1.2 / 4, 0.75}, fy[] = {0.25, 1}, cnt[] = {4, 2};
    CHECK(c.n == 2 && same(c.x, mx, 2) && same(c.y, fy, 2) && same(c.thr, cnt, 2));
    fw_curve_free(&c);
    CHECK_EQ_INT(fw_calibration_curve(cy, cp, 6, 1, 0, &c, &e), FW_EINVAL);
    fw_curve_free(NULL);
}

FW_TEST_MAIN(T(accuracy_cases), T(balanced_accuracy_cases), T(prf_binary),
             T(prf_zero_division), T(prf_averaged), T(roc_auc_cases), T(roc_auc_multiclass),
             T(average_precision_cases), T(precision_at_k_cases), T(log_loss_cases),
             T(brier_cases), T(mcc_cases), T(regression_cases), T(r2_undefined),
             T(mape_and_median), T(bad_inputs), T(config_checks), T(registry_all),
             T(pairwise_sum_order), T(curves))
