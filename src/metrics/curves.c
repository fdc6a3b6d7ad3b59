/* curves.c: the ROC, precision-recall and calibration curves (for reports)
 * and the ranking integrals built on them (ROC AUC, average precision).
 *
 * Everything follows scikit-learn 1.2's _ranking.py step by step, down to the
 * order of additions, so that areas agree to the last few ulps:
 * _binary_clf_curve, roc_curve(drop_intermediate=True), auc (np.trapz),
 * precision_recall_curve, the non-interpolated average precision, and
 * calibration_curve(strategy="uniform").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_int.h"

void fw_metric_clf_points_free(fw_clf_points *p)
{
    if (!p)
        return;
    free(p->fps);
    free(p->tps);
    free(p->thr);
    memset(p, 0, sizeof *p);
}

void fw_curve_free(fw_curve *c)
{
    if (!c)
        return;
    free(c->x);
    free(c->y);
    free(c->thr);
    memset(c, 0, sizeof *c);
}

static int curve_alloc(fw_curve *c, size_t n, fw_err *e)
{
    memset(c, 0, sizeof *c);
    size_t m = n ? n : 1;
    c->x = malloc(m * sizeof *c->x);
    c->y = malloc(m * sizeof *c->y);
    c->thr = malloc(m * sizeof *c->thr);
    if (!c->x || !c->y || !c->thr) {
        fw_curve_free(c);
        return fw_err_set(e, FW_ENOMEM, "out of memory for a curve of %zu points", n);
    }
    c->n = n;
    return FW_OK;
}

/* The rows that take part (weight != 0: scikit-learn drops zero-weighted
 * rows before building the curve), sorted by score descending with ties in
 * reverse row order (ascending stable merge sort, then reversed). */
static int clf_order(const double *score, size_t stride, const double *w, size_t n,
                     size_t **order, size_t *m, fw_err *e)
{
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *key = calloc(n ? n : 1, sizeof *key); /* calloc: gcc cannot see k <= n */
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    int rc = FW_OK;
    if (!idx || !key || !rows) {
        rc = fw_err_set(e, FW_ENOMEM, "out of memory sorting %zu scores", n);
        goto cleanup;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || w[i] != 0) {
            rows[k] = i;
            key[k++] = score[i * stride];
        }
    rc = fw_metric_argsort(key, 1, k, 0, idx, e);
    if (rc)
        goto cleanup;
    for (size_t j = 0; j < k; j++)
        idx[j] = rows[idx[j]];
    for (size_t j = 0; j < k / 2; j++) {
        size_t t = idx[j];
        idx[j] = idx[k - 1 - j];
        idx[k - 1 - j] = t;
    }
    *order = idx;
    *m = k;
    idx = NULL;
cleanup:
    free(idx);
    free(key);
    free(rows);
    return rc;
}

static int points_alloc(fw_clf_points *p, size_t m, fw_err *e)
{
    size_t k = m ? m : 1;
    p->fps = malloc(k * sizeof *p->fps);
    p->tps = malloc(k * sizeof *p->tps);
    p->thr = malloc(k * sizeof *p->thr);
    if (!p->fps || !p->tps || !p->thr) {
        fw_metric_clf_points_free(p);
        return fw_err_set(e, FW_ENOMEM, "out of memory for a curve of %zu points", m);
    }
    return FW_OK;
}

int fw_metric_clf_points(const double *y_true, const double *score, size_t stride,
                         const double *w, size_t n, int positive, fw_clf_points *p,
                         fw_err *e)
{
    memset(p, 0, sizeof *p);
    size_t *order = NULL, m = 0;
    int rc = clf_order(score, stride, w, n, &order, &m, e);
    if (rc)
        return rc;
    if (m == 0) {
        free(order);
        return fw_err_set(e, FW_EINVAL, "every row has zero weight: no curve");
    }
    rc = points_alloc(p, m, e);
    if (rc) {
        free(order);
        return rc;
    }
    /* stable_cumsum(y_true * weight) and, weighted, stable_cumsum((1 - y_true)
     * * weight); unweighted, fps = 1 + index - tps. */
    double tp = 0, fp = 0;
    size_t k = 0;
    for (size_t j = 0; j < m; j++) {
        size_t r = order[j];
        int pos = y_true[r] == (double)positive;
        double wr = w ? w[r] : 1.0;
        tp += pos ? wr : 0.0;
        fp += pos ? 0.0 : wr;
        double s = score[r * stride];
        if (j + 1 < m && score[order[j + 1] * stride] == s)
            continue;
        p->tps[k] = tp;
        p->fps[k] = w ? fp : (double)(1 + j) - tp;
        p->thr[k++] = s;
    }
    p->m = k;
    free(order);
    return FW_OK;
}

/* ---- ROC ------------------------------------------------------------------- */

/* roc_curve's drop_intermediate: keep the ends and every point where the
 * second difference of fps or tps is nonzero. Compacts p in place: point i
 * is judged on the original points i-1, i, i+1, kept in locals because
 * slots up to i may already hold kept points. */
static void roc_drop_intermediate(fw_clf_points *p)
{
    size_t m = p->m;
    if (m <= 2)
        return;
    double pf = p->fps[0], pt = p->tps[0];
    size_t k = 1;
    for (size_t i = 1; i + 1 < m; i++) {
        double f = p->fps[i], t = p->tps[i], th = p->thr[i];
        double f2 = (p->fps[i + 1] - f) - (f - pf);
        double t2 = (p->tps[i + 1] - t) - (t - pt);
        if (f2 != 0 || t2 != 0) {
            p->fps[k] = f;
            p->tps[k] = t;
            p->thr[k++] = th;
        }
        pf = f;
        pt = t;
    }
    p->fps[k] = p->fps[m - 1];
    p->tps[k] = p->tps[m - 1];
    p->thr[k++] = p->thr[m - 1];
    p->m = k;
}

/* The ROC curve of p into c: (0, 0) prepended with threshold thr[0] + 1
 * (scikit-learn 1.2), rates divided by the last counts, NaN when a class is
 * missing (as scikit-learn, which warns). */
static int roc_from_points(fw_clf_points *p, fw_curve *c, fw_err *e)
{
    roc_drop_intermediate(p);
    int rc = curve_alloc(c, p->m + 1, e);
    if (rc)
        return rc;
    double fl = p->fps[p->m - 1], tl = p->tps[p->m - 1];
    c->x[0] = fl <= 0 ? NAN : 0 / fl;
    c->y[0] = tl <= 0 ? NAN : 0 / tl;
    c->thr[0] = p->thr[0] + 1;
    for (size_t i = 0; i < p->m; i++) {
        c->x[i + 1] = fl <= 0 ? NAN : p->fps[i] / fl;
        c->y[i + 1] = tl <= 0 ? NAN : p->tps[i] / tl;
        c->thr[i + 1] = p->thr[i];
    }
    return FW_OK;
}

/* sklearn.metrics.auc: np.trapz(y, x), negated for a decreasing x, an error
 * for a non-monotone one. */
static int trapz_auc(const fw_curve *c, double *out, fw_err *e)
{
    size_t n = c->n;
    int any_neg = 0, all_nonpos = 1;
    for (size_t i = 0; i + 1 < n; i++) {
        double dx = c->x[i + 1] - c->x[i];
        any_neg |= dx < 0;
        all_nonpos &= dx <= 0;
    }
    if (any_neg && !all_nonpos)
        return fw_err_set(e, FW_EINVAL,
                          "ROC curve is not monotone (negative sample weights?)");
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t)
        return fw_err_set(e, FW_ENOMEM, "out of memory for the area under a curve");
    for (size_t i = 0; i + 1 < n; i++)
        t[i] = (c->x[i + 1] - c->x[i]) * (c->y[i + 1] + c->y[i]) / 2.0;
    double area = fw_metric_sum(t, n - 1, 1);
    free(t);
    *out = any_neg ? -area : area;
    return FW_OK;
}

int fw_metric_binary_auc(const double *y_true, const double *score, size_t stride,
                         const double *w, size_t n, int positive, double *out, fw_err *e)
{
    fw_clf_points p;
    fw_curve c = {0};
    int rc = fw_metric_clf_points(y_true, score, stride, w, n, positive, &p, e);
    if (!rc)
        rc = roc_from_points(&p, &c, e);
    if (!rc)
        rc = trapz_auc(&c, out, e);
    fw_metric_clf_points_free(&p);
    fw_curve_free(&c);
    return rc;
}

/* ---- precision-recall ------------------------------------------------------ */

/* precision_recall_curve into c, in its order (recall decreasing), with the
 * final point (recall 0, precision 1). Recall is 1 everywhere when no
 * positive row has weight (scikit-learn's rule, with a warning there). */
static int pr_from_points(fw_clf_points *p, fw_curve *c, fw_err *e)
{
    int rc = curve_alloc(c, p->m + 1, e);
    if (rc)
        return rc;
    double tl = p->tps[p->m - 1];
    for (size_t i = 0; i < p->m; i++) {
        size_t j = p->m - 1 - i;
        double ps = p->tps[j] + p->fps[j];
        c->y[i] = ps != 0 ? p->tps[j] / ps : 0.0;
        c->x[i] = tl == 0 ? 1.0 : p->tps[j] / tl;
        c->thr[i] = p->thr[j];
    }
    c->y[p->m] = 1;
    c->x[p->m] = 0;
    c->thr[p->m] = INFINITY;
    return FW_OK;
}

int fw_metric_binary_ap(const double *y_true, const double *score, size_t stride,
                        const double *w, size_t n, int positive, double *out, fw_err *e)
{
    fw_clf_points p;
    fw_curve c = {0};
    double *t = NULL;
    int rc = fw_metric_clf_points(y_true, score, stride, w, n, positive, &p, e);
    if (!rc)
        rc = pr_from_points(&p, &c, e);
    if (!rc && !(t = malloc(c.n * sizeof *t)))
        rc = fw_err_set(e, FW_ENOMEM, "out of memory for average precision");
    if (!rc) {
        /* -np.sum(np.diff(recall) * precision[:-1]) */
        for (size_t i = 0; i + 1 < c.n; i++)
            t[i] = (c.x[i + 1] - c.x[i]) * c.y[i];
        *out = -fw_metric_sum(t, c.n - 1, 1);
        if (*out == 0)
            *out = 0.0; /* scikit-learn gives -0.0 when no row is positive */
    }
    free(t);
    fw_metric_clf_points_free(&p);
    fw_curve_free(&c);
    return rc;
}

/* ---- public curves --------------------------------------------------------- */

static int curve_input_check(const char *what, const double *y_true, const double *score,
                             const double *w, size_t n, fw_err *e)
{
    if (!y_true || !score || n == 0)
        return fw_err_set(e, FW_EINVAL, "%s: no rows", what);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y_true[i]) || !isfinite(score[i]))
            return fw_err_set(e, FW_EINVAL, "%s: row %zu is not finite", what, i);
        if (w && !isfinite(w[i]))
            return fw_err_set(e, FW_EINVAL, "%s: weight of row %zu is not finite", what, i);
    }
    return FW_OK;
}

typedef int (*curve_builder)(fw_clf_points *p, fw_curve *c, fw_err *e);

/* Check the input, build the points, let `build` turn them into the curve. */
static int public_curve(const char *what, curve_builder build, const double *y_true,
                        const double *score, const double *w, size_t n, int positive,
                        fw_curve *out, fw_err *e)
{
    memset(out, 0, sizeof *out);
    fw_clf_points p;
    int rc = curve_input_check(what, y_true, score, w, n, e);
    if (!rc)
        rc = fw_metric_clf_points(y_true, score, 1, w, n, positive, &p, e);
    if (rc)
        return rc;
    rc = build(&p, out, e);
    int roc = build == roc_from_points;
    double tl = p.tps[p.m - 1], fl = p.fps[p.m - 1];
    if (!rc && (roc ? tl <= 0 || fl <= 0 : tl == 0)) /* as scikit-learn warns */
        fw_warn("%s: %s", what,
                roc ? "one class has no weighted row: its rate is NaN"
                    : "no positive row: recall is set to 1");
    fw_metric_clf_points_free(&p);
    return rc;
}

int fw_roc_curve(const double *y_true, const double *score, const double *w, size_t n,
                 int positive, fw_curve *out, fw_err *e)
{
    return public_curve("roc curve", roc_from_points, y_true, score, w, n, positive, out, e);
}

int fw_pr_curve(const double *y_true, const double *score, const double *w, size_t n,
                int positive, fw_curve *out, fw_err *e)
{
    return public_curve("precision-recall curve", pr_from_points, y_true, score, w, n,
                        positive, out, e);
}

/* ---- calibration ----------------------------------------------------------- */

/* np.searchsorted(edges[1:-1], p) (side left) with np.linspace(0, 1, bins+1)
 * edges: i * (1.0 / bins) for i < bins, exactly as numpy computes them. */
static size_t calib_bin(double p, int bins)
{
    double step = 1.0 / bins;
    size_t lo = 0, hi = (size_t)bins - 1; /* interior edges 1..bins-1 */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((double)(mid + 1) * step < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int fw_calibration_curve(const double *y_true, const double *proba, size_t n, int positive,
                         int bins, fw_curve *out, fw_err *e)
{
    memset(out, 0, sizeof *out);
    if (bins < 1)
        return fw_err_set(e, FW_EINVAL, "calibration curve: bins = %d, need at least 1",
                          bins);
    int rc = curve_input_check("calibration curve", y_true, proba, NULL, n, e);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (proba[i] < 0 || proba[i] > 1)
            return fw_err_set(e, FW_EINVAL,
                              "calibration curve: probability %g at row %zu is outside "
                              "[0, 1]",
                              proba[i], i);
    double *acc = calloc(3 * (size_t)bins, sizeof *acc); /* sum p, sum true, count */
    if (!acc)
        return fw_err_set(e, FW_ENOMEM, "out of memory for %d calibration bins", bins);
    for (size_t i = 0; i < n; i++) {
        size_t b = calib_bin(proba[i], bins);
        acc[3 * b] += proba[i];
        acc[3 * b + 1] += y_true[i] == (double)positive ? 1.0 : 0.0;
        acc[3 * b + 2] += 1;
    }
    size_t used = 0;
    for (int b = 0; b < bins; b++)
        used += acc[3 * b + 2] != 0;
    rc = curve_alloc(out, used, e);
    for (int b = 0, k = 0; !rc && b < bins; b++) {
        double cnt = acc[3 * b + 2];
        if (cnt == 0)
            continue;
        out->x[k] = acc[3 * b] / cnt;
        out->y[k] = acc[3 * b + 1] / cnt;
        out->thr[k++] = cnt;
    }
    free(acc);
    return rc;
}

/* ---- ranking metrics -------------------------------------------------------- */

int fw_metric_rank_score(const fw_metric_input *in, fw_metric_binary_fn fn, double *out,
                         unsigned *warn, fw_err *e)
{
    size_t K = in->n_classes;
    if (K == 2) {
        int rc = fn(in->y_true, in->score + in->positive, K, in->weight, in->n,
                    in->positive, out, e);
        if (!rc && isnan(*out))
            *warn |= FW_METRIC_WARN_UNDEFINED;
        return rc;
    }
    double *v = malloc(K * sizeof *v);
    if (!v)
        return fw_err_set(e, FW_ENOMEM, "out of memory for %zu classes", K);
    int rc = FW_OK;
    for (size_t c = 0; c < K && !rc; c++)
        rc = fn(in->y_true, in->score + c, K, in->weight, in->n, (int)c, &v[c], e);
    if (!rc)
        *out = fw_metric_sum(v, K, 1) / (double)K; /* np.average(score) */
    if (!rc && isnan(*out))
        *warn |= FW_METRIC_WARN_UNDEFINED;
    free(v);
    return rc;
}
