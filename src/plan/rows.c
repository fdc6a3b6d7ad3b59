/* rows.c: aggregation of a search context's results for reports and for
 * the refit rule: per candidate mean and std over splits (in split order,
 * so the numbers never depend on arrival order), ranks as scikit-learn's
 * cv_results_, and the choice of a candidate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"

void fw_plan_cand_stats(const fw_plan *p, const pctx *x, size_t i, size_t m, double *mean,
                        double *std)
{
    const pcand *k = &x->cands[i];
    size_t ns = x->splits->n_folds, nm = p->n_metrics;
    double s = 0;
    for (size_t j = 0; j < ns; j++) {
        if (k->status[j] != FW_RS_OK) {
            *mean = *std = NAN;
            return;
        }
        s += k->test[j * nm + m];
    }
    *mean = s / (double)ns;
    double v = 0;
    for (size_t j = 0; j < ns; j++) {
        double dlt = k->test[j * nm + m] - *mean;
        v += dlt * dlt;
    }
    *std = sqrt(v / (double)ns);
}

size_t fw_plan_eligible(const fw_plan *p, const pctx *x, size_t *ids)
{
    (void)p;
    int top = 0;
    for (size_t i = 0; i < x->n_cands; i++) {
        const fw_cand *c = fw_search_cand(x->search, i);
        if (x->cands[i].complete && c->rung > top)
            top = c->rung;
    }
    size_t n = 0;
    for (size_t i = 0; i < x->n_cands; i++)
        if (x->cands[i].complete && fw_search_cand(x->search, i)->rung == top)
            ids[n++] = i;
    return n;
}

long fw_plan_choose(const fw_plan *p, const pctx *x, long space, int rule)
{
    size_t *ids = malloc((x->n_cands ? x->n_cands : 1) * sizeof *ids);
    const fw_cand **cands = malloc((x->n_cands ? x->n_cands : 1) * sizeof *cands);
    double *mean = malloc((x->n_cands ? x->n_cands : 1) * sizeof *mean);
    double *std = malloc((x->n_cands ? x->n_cands : 1) * sizeof *std);
    long best = -1;
    if (ids && cands && mean && std) {
        size_t n = fw_plan_eligible(p, x, ids), k = 0;
        for (size_t i = 0; i < n; i++) {
            const fw_cand *c = fw_search_cand(x->search, ids[i]);
            if (space >= 0 && (long)c->space != space)
                continue;
            ids[k] = ids[i];
            cands[k] = c;
            fw_plan_cand_stats(p, x, ids[i], 0, &mean[k], &std[k]);
            k++;
        }
        long j = fw_refit_choose(rule == FW_REFIT_NONE ? FW_REFIT_BEST : rule, p->c->spaces,
                                 cands, mean, std, k, x->splits->n_folds, p->gib);
        best = j >= 0 ? (long)ids[j] : -1;
    }
    free(ids);
    free(cands);
    free(mean);
    free(std);
    return best;
}

void fw_plan_rows_free(pctx *x)
{
    for (size_t i = 0; x->rows && i < x->n_rows; i++) {
        fw_row *r = &x->rows[i];
        free(r->mean_test), free(r->std_test), free(r->mean_train), free(r->std_train);
        free(r->rank);
    }
    free(x->rows);
    x->rows = NULL;
    x->n_rows = 0;
}

static void mean_std(const double *v, size_t n, size_t stride, double *mean, double *std)
{
    double s = 0, q = 0;
    for (size_t j = 0; j < n; j++)
        s += v[j * stride];
    *mean = s / (double)n;
    for (size_t j = 0; j < n; j++)
        q += (v[j * stride] - *mean) * (v[j * stride] - *mean);
    *std = sqrt(q / (double)n);
}

/* scikit-learn's ranking: rankdata(method='min') on the means oriented so
 * that better is smaller; NaN means share the worst rank. Sorting keeps it
 * O(n log n) for large searches. */
typedef struct rank_key {
    double v;
    size_t i;
} rank_key;

static int rank_cmp(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    int xn = isnan(x->v), yn = isnan(y->v);
    if (xn || yn)
        return xn - yn; /* NaN last */
    return x->v < y->v ? -1 : x->v > y->v;
}

static void rank_metric(fw_row *rows, size_t n, size_t m, int gib)
{
    rank_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return;
    for (size_t i = 0; i < n; i++)
        k[i] = (rank_key){gib ? -rows[i].mean_test[m] : rows[i].mean_test[m], i};
    qsort(k, n, sizeof *k, rank_cmp);
    for (size_t j = 0; j < n; j++) {
        int tied = j > 0 && (k[j].v == k[j - 1].v || (isnan(k[j].v) && isnan(k[j - 1].v)));
        rows[k[j].i].rank[m] = tied ? rows[k[j - 1].i].rank[m] : (long)j + 1;
    }
    free(k);
}

static int build_row(const fw_plan *p, const pctx *x, size_t i, fw_row *r)
{
    const pcand *k = &x->cands[i];
    const fw_cand *c = fw_search_cand(x->search, i);
    size_t ns = x->splits->n_folds, nm = p->n_metrics;
    memset(r, 0, sizeof *r);
    r->space = c->space;
    r->vals = c->vals;
    r->resource = c->resource;
    r->n_splits = ns;
    r->test = k->test;
    r->train = k->train;
    r->message = k->message;
    r->mean_test = malloc(nm * sizeof(double));
    r->std_test = malloc(nm * sizeof(double));
    r->mean_train = malloc(nm * sizeof(double));
    r->std_train = malloc(nm * sizeof(double));
    r->rank = malloc(nm * sizeof(long));
    if (!r->mean_test || !r->std_test || !r->mean_train || !r->std_train || !r->rank)
        return FW_ENOMEM;
    size_t ok = 0, timeouts = 0;
    for (size_t j = 0; j < ns; j++) {
        ok += k->status[j] == FW_RS_OK;
        timeouts += k->status[j] == FW_RS_TIMEOUT;
        r->not_converged += k->conv[j] == 0;
    }
    r->status = ok == ns ? FW_RS_OK : ok > 0 ? FW_RS_PARTIAL
                                  : timeouts == ns ? FW_RS_TIMEOUT : FW_RS_FAILED;
    for (size_t m = 0; m < nm; m++) {
        fw_plan_cand_stats(p, x, i, m, &r->mean_test[m], &r->std_test[m]);
        if (ok == ns)
            mean_std(k->train + m, ns, nm, &r->mean_train[m], &r->std_train[m]);
        else
            r->mean_train[m] = r->std_train[m] = NAN;
    }
    mean_std(k->fit, ns, 1, &r->mean_fit_time, &r->std_fit_time);
    mean_std(k->score, ns, 1, &r->mean_score_time, &r->std_score_time);
    return FW_OK;
}

static size_t context_rows(fw_plan *p, pctx *x, const fw_row **rows)
{
    if (!x->rows) {
        x->rows = calloc(x->n_cands ? x->n_cands : 1, sizeof *x->rows);
        if (!x->rows)
            return 0;
        x->n_rows = x->n_cands;
        for (size_t i = 0; i < x->n_cands; i++) {
            if (build_row(p, x, i, &x->rows[i])) {
                fw_plan_rows_free(x);
                return 0;
            }
        }
        for (size_t m = 0; m < p->n_metrics; m++)
            rank_metric(x->rows, x->n_rows, m, p->gibs[m]);
    }
    *rows = x->rows;
    return x->n_rows;
}

size_t fw_plan_rows(fw_plan *p, const fw_row **rows) { return context_rows(p, &p->ctx[0], rows); }

size_t fw_plan_context_rows(fw_plan *p, size_t context, const fw_row **rows)
{
    *rows = NULL;
    return context < p->n_ctx ? context_rows(p, &p->ctx[context], rows) : 0;
}

long fw_plan_best(const fw_plan *p)
{
    return fw_plan_choose(p, &p->ctx[0], -1, p->c->refit);
}

long fw_plan_best_of_space(const fw_plan *p, size_t space)
{
    return fw_plan_choose(p, &p->ctx[0], (long)space, FW_REFIT_BEST);
}
