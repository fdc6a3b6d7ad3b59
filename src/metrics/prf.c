/* prf.c: precision, recall and F1 from predicted class codes, binary (the
 * positive class) and averaged over classes (_macro, _weighted), as
 * scikit-learn's precision_recall_fscore_support with zero_division="warn":
 * an empty denominator gives 0.0 and FW_METRIC_WARN_ZERO_DIVISION. */
#include <stdlib.h>

#include "metrics/metrics_int.h"

enum { PRF_PRECISION, PRF_RECALL, PRF_F1 };
enum { AVG_BINARY, AVG_MACRO, AVG_WEIGHTED };

/* Per-class sums as multilabel_confusion_matrix builds them (np.bincount
 * with weights, rows in order). */
typedef struct prf_sums {
    double *tp, *pred, *tru;
} prf_sums;

static void prf_sums_free(prf_sums *s)
{
    free(s->tp);
    free(s->pred);
    free(s->tru);
}

static int prf_sums_fill(const fw_metric_input *in, prf_sums *s, fw_err *e)
{
    size_t K = in->n_classes;
    s->tp = calloc(K, sizeof *s->tp);
    s->pred = calloc(K, sizeof *s->pred);
    s->tru = calloc(K, sizeof *s->tru);
    if (!s->tp || !s->pred || !s->tru) {
        prf_sums_free(s);
        return fw_err_set(e, FW_ENOMEM, "out of memory for %zu classes", K);
    }
    for (size_t i = 0; i < in->n; i++) {
        size_t t = (size_t)in->y_true[i], p = (size_t)in->y_pred[i];
        double w = in->weight ? in->weight[i] : 1.0;
        if (t == p)
            s->tp[t] += w;
        s->pred[p] += w;
        s->tru[t] += w;
    }
    return FW_OK;
}

/* One class's value of `which`; *support gets tp + fn (the weight of the
 * class in y_true) and *zero_div whether scikit-learn would warn. */
static double prf_one(const prf_sums *s, size_t k, int which, double *support,
                      int *zero_div)
{
    double tp = s->tp[k], fp = s->pred[k] - tp, fn = s->tru[k] - tp;
    double ps = tp + fp, ts = tp + fn; /* MCM round trip, as scikit-learn */
    double p = ps == 0 ? 0.0 : tp / ps, r = ts == 0 ? 0.0 : tp / ts;
    *support = ts;
    if (which == PRF_PRECISION) {
        *zero_div = ps == 0;
        return p;
    }
    if (which == PRF_RECALL) {
        *zero_div = ts == 0;
        return r;
    }
    double den = 1.0 * p + r;
    *zero_div = ps == 0 && ts == 0;
    return (1 + 1.0) * p * r / (den == 0 ? 1.0 : den);
}

/* Classes the average runs over: the positive one, or those present in
 * y_true or y_pred (unique_labels), ascending. */
static size_t prf_labels(const fw_metric_input *in, int avg, unsigned char *seen,
                         size_t *lab)
{
    if (avg == AVG_BINARY) {
        lab[0] = (size_t)in->positive;
        return 1;
    }
    size_t K = in->n_classes, L = 0;
    for (size_t k = 0; k < K; k++)
        seen[k] = 0;
    for (size_t i = 0; i < in->n; i++)
        seen[(size_t)in->y_true[i]] = seen[(size_t)in->y_pred[i]] = 1;
    for (size_t k = 0; k < K; k++)
        if (seen[k])
            lab[L++] = k;
    return L;
}

static double prf_average(const double *v, const double *sup, double *tmp, size_t L, int avg,
                          unsigned *warn)
{
    if (avg != AVG_WEIGHTED)
        return fw_metric_sum(v, L, 1) / (double)L;
    if (fw_metric_sum(sup, L, 1) == 0) {
        *warn |= FW_METRIC_WARN_ZERO_DIVISION;
        return 0.0;
    }
    return fw_metric_average(v, sup, L, tmp);
}

static int prf_score(const char *name, const fw_metric_input *in, int which, int avg,
                     double *out, unsigned *warn, fw_err *e)
{
    unsigned what = FW_MCHK_CLASSES | (avg == AVG_BINARY ? FW_MCHK_BINARY : 0);
    int rc = fw_metric_input_check(name, in, what, e);
    if (rc)
        return rc;
    size_t K = in->n_classes;
    prf_sums s = {0};
    size_t *lab = malloc(K * sizeof *lab);
    double *v = malloc(3 * K * sizeof *v);
    unsigned char *seen = malloc(K);
    if (!lab || !v || !seen) {
        rc = fw_err_set(e, FW_ENOMEM, "%s: out of memory for %zu classes", name, K);
        goto cleanup;
    }
    rc = prf_sums_fill(in, &s, e);
    if (rc)
        goto cleanup;
    size_t L = prf_labels(in, avg, seen, lab);
    double *sup = v + K, *tmp = v + 2 * K;
    for (size_t j = 0; j < L; j++) {
        int zd = 0;
        v[j] = prf_one(&s, lab[j], which, &sup[j], &zd);
        if (zd)
            *warn |= FW_METRIC_WARN_ZERO_DIVISION;
    }
    *out = prf_average(v, sup, tmp, L, avg, warn);
cleanup:
    prf_sums_free(&s);
    free(lab);
    free(v);
    free(seen);
    return rc;
}

#define PRF_METRIC(ident, str, which, avg, flags_, summary_)                              \
    static int ident##_score(const fw_metric_input *in, double *out, unsigned *warn,      \
                             fw_err *e)                                                   \
    {                                                                                     \
        return prf_score(str, in, which, avg, out, warn, e);                              \
    }                                                                                     \
    const fw_metric_type fw_metric_##ident = {                                            \
        .name = str,                                                                      \
        .summary = summary_,                                                              \
        .greater_is_better = 1,                                                           \
        .flags = FW_METRIC_CLASSIFICATION | (flags_),                                     \
        .score = ident##_score,                                                           \
    };

PRF_METRIC(precision, "precision", PRF_PRECISION, AVG_BINARY, FW_METRIC_BINARY_ONLY,
           "precision of the positive class: tp / (tp + fp)")
PRF_METRIC(precision_macro, "precision_macro", PRF_PRECISION, AVG_MACRO, 0,
           "unweighted mean of per-class precision")
PRF_METRIC(precision_weighted, "precision_weighted", PRF_PRECISION, AVG_WEIGHTED, 0,
           "per-class precision averaged with class support as weight")
PRF_METRIC(recall, "recall", PRF_RECALL, AVG_BINARY, FW_METRIC_BINARY_ONLY,
           "recall of the positive class: tp / (tp + fn)")
PRF_METRIC(recall_macro, "recall_macro", PRF_RECALL, AVG_MACRO, 0,
           "unweighted mean of per-class recall")
PRF_METRIC(recall_weighted, "recall_weighted", PRF_RECALL, AVG_WEIGHTED, 0,
           "per-class recall averaged with class support as weight")
PRF_METRIC(f1, "f1", PRF_F1, AVG_BINARY, FW_METRIC_BINARY_ONLY,
           "F1 of the positive class: harmonic mean of precision and recall")
PRF_METRIC(f1_macro, "f1_macro", PRF_F1, AVG_MACRO, 0, "unweighted mean of per-class F1")
PRF_METRIC(f1_weighted, "f1_weighted", PRF_F1, AVG_WEIGHTED, 0,
           "per-class F1 averaged with class support as weight")
