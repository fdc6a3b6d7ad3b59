/* diagnose.c: the findings of the learning curve, the refitted model's
 * feature importances and the nested runs' inner searches, computed once
 * from fw_results for report.html and report.md (so both state the same
 * numbers), with the sentences that explain how to read them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "report_int.h"

static int gib0(const fw_results *r)
{
    return r->greater_is_better && r->n_metrics ? r->greater_is_better[0] : 1;
}

/* ---- learning curve ---------------------------------------------------------------- */

/* Mean and population std of the finite v[i * stride]; returns their count. */
static size_t finite_mean_sd(const double *v, size_t n, size_t stride, double *mean, double *sd)
{
    double s = 0, q = 0;
    size_t k = 0;
    for (size_t i = 0; v && i < n; i++)
        if (isfinite(v[i * stride]))
            s += v[i * stride], k++;
    *mean = k ? s / (double)k : NAN;
    for (size_t i = 0; k && i < n; i++)
        if (isfinite(v[i * stride]))
            q += (v[i * stride] - *mean) * (v[i * stride] - *mean);
    *sd = k ? sqrt(q / (double)k) : NAN;
    return k;
}

static int lc_cmp(const void *a, const void *b)
{
    const fw_rep_lc *x = a, *y = b;
    if (x->n_train != y->n_train)
        return x->n_train < y->n_train ? -1 : 1;
    if (x->frac != y->frac)
        return x->frac < y->frac ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

size_t fw_rep_curve(const fw_results *r, fw_rep_lc *pts)
{
    size_t nm = r->n_metrics;
    if (!nm)
        return 0;
    for (size_t i = 0; i < r->n_curve; i++) {
        const fw_curve_row *c = &r->curve[i];
        fw_rep_lc *p = &pts[i];
        p->index = i;
        p->frac = c->frac;
        p->n_train = c->n_train;
        p->n_ok = finite_mean_sd(c->test, r->n_splits, nm, &p->test, &p->test_sd);
        finite_mean_sd(c->train, r->n_splits, nm, &p->train, &p->train_sd);
    }
    qsort(pts, r->n_curve, sizeof *pts, lc_cmp);
    return r->n_curve;
}

void fw_rep_curve_what(const fw_results *r, fw_sb *out)
{
    long t = r->curve_trial;
    if (t < 0 || (size_t)t >= r->n_trials) {
        fw_sb_append(out, "the configuration the refit rule chose");
        return;
    }
    fw_sb_printf(out, "%s with ", r->trials[t].model);
    fw_rep_params_text(r->trials[t].params_json, out);
    fw_sb_printf(out, " (configuration %ld, chosen by the refit rule)", t);
}

void fw_rep_curve_guide(const fw_results *r, fw_sb *out)
{
    int up = gib0(r);
    fw_sb_printf(out, "How to read it: a gap between the training and test curves that stays "
                      "wide as the training set grows means over-fitting; both curves %s "
                      "means under-fitting; a test curve still %s at the largest size means "
                      "more data would help.",
                 up ? "low" : "high (this metric is a loss)", up ? "rising" : "falling");
}

void fw_rep_curve_summary(const fw_results *r, const fw_rep_lc *p, size_t n, fw_sb *out)
{
    char a[48], b[48], c[48];
    size_t last = n, prev = n;
    for (size_t i = n; i-- > 0;)
        if (isfinite(p[i].test)) {
            if (last == n)
                last = i;
            else if (prev == n && p[i].n_train < p[last].n_train)
                prev = i;
        }
    if (last == n) {
        fw_sb_append(out, "No point of the curve was scored (every fit failed).");
        return;
    }
    fw_rep_fmt(p[last].test, a, sizeof a);
    fw_rep_fmt(p[last].train, b, sizeof b);
    fw_rep_fmt(fabs(p[last].train - p[last].test), c, sizeof c);
    fw_sb_printf(out, "At %zu training rows: test %s, train %s (gap %s).", p[last].n_train, a,
                 b, c);
    if (prev == n) {
        fw_sb_append(out, " Only one training size was scored, so the curve shows no trend.");
        return;
    }
    double d = p[last].test - p[prev].test;
    int better = gib0(r) ? d > 0 : d < 0;
    fw_rep_fmt(fabs(d), a, sizeof a);
    fw_sb_printf(out, " From %zu to %zu rows the test score %s %s.", p[prev].n_train,
                 p[last].n_train, d == 0 ? "stayed the same," : better ? "improved by" :
                 "worsened by", d == 0 ? "" : a);
}

/* ---- importances ----------------------------------------------------------------------- */

typedef struct imp_key {
    double v;
    size_t i;
} imp_key;

static int imp_cmp(const void *a, const void *b)
{
    const imp_key *x = a, *y = b;
    int xn = isnan(x->v), yn = isnan(y->v);
    if (xn != yn)
        return xn - yn; /* NaN last */
    if (!xn && x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int fw_rep_importance_order(const fw_results *r, size_t *idx)
{
    imp_key *k = malloc((r->n_importances ? r->n_importances : 1) * sizeof *k);
    if (!k)
        return FW_ENOMEM;
    for (size_t i = 0; i < r->n_importances; i++)
        k[i] = (imp_key){r->importances[i], i};
    qsort(k, r->n_importances, sizeof *k, imp_cmp);
    for (size_t i = 0; i < r->n_importances; i++)
        idx[i] = k[i].i;
    free(k);
    return FW_OK;
}

int fw_rep_importance_all_zero(const fw_results *r)
{
    for (size_t i = 0; i < r->n_importances; i++)
        if (r->importances[i] != 0 && !isnan(r->importances[i]))
            return 0;
    return 1;
}

const char *fw_rep_importance_kind(const fw_results *r)
{
    return r->model_name && strcmp(r->model_name, "hist_gbdt") == 0 ? "gain" : "impurity";
}

void fw_rep_importance_why(const fw_results *r, fw_sb *out)
{
    int gain = strcmp(fw_rep_importance_kind(r), "gain") == 0;
    fw_sb_printf(out, "These are the %s importances of the model refitted on all rows (%s): "
                      "each column's share of the total %s, summing to 1. They are measured "
                      "on the training rows, so they favour high-cardinality and continuous "
                      "columns (more split points to choose from) and say nothing about "
                      "held-out performance; permutation importance on held-out rows comes "
                      "later (diagnose.permutation_importance).",
                 fw_rep_importance_kind(r), r->model_name ? r->model_name : "?",
                 gain ? "loss reduction (gain) of its trees' splits"
                      : "impurity decrease of its trees' splits");
}

/* ---- nested inner searches ------------------------------------------------------------ */

void fw_rep_inner_of(const fw_results *r, size_t split, fw_rep_inner *s)
{
    int up = gib0(r);
    memset(s, 0, sizeof *s);
    s->best = -1;
    for (size_t i = 0; i < r->n_inner; i++) {
        const fw_inner_row *x = &r->inner[i];
        if (x->outer != split)
            continue;
        s->n++;
        if (!r->n_metrics || !isfinite(x->mean_test[0]))
            continue;
        s->scored++;
        const fw_inner_row *b = s->best >= 0 ? &r->inner[s->best] : NULL;
        if (!b || (up ? x->mean_test[0] > b->mean_test[0] : x->mean_test[0] < b->mean_test[0]))
            s->best = (long)i;
    }
}

/* ---- the refitted model ---------------------------------------------------------------- */

void fw_rep_model_text(const fw_results *r, fw_sb *out)
{
    char a[48];
    if (!r->model_blob || !r->model_len) {
        fw_sb_append(out, r->refit && strcmp(r->refit, "none") == 0 ? "none kept (refit: none)"
                          : r->state && strcmp(r->state, "stopped") == 0
                              ? "none kept (the run stopped before the refit)"
                              : "none kept (the refit on all rows failed)");
        return;
    }
    fw_sb_printf(out, "%s with ", r->model_name ? r->model_name : "?");
    fw_rep_params_text(r->model_params_json, out);
    fw_sb_printf(out, ", refitted on all %zu rows and kept in results.h5 (foldwise predict "
                      "RUN_DIR NEW_DATA -o FILE applies it)", r->n_samples);
    if (r->has_oob) {
        fw_rep_fmt(r->model_oob, a, sizeof a);
        fw_sb_printf(out, "; out-of-bag %s %s",
                     r->task == FW_TASK_CLASSIFICATION ? "accuracy" : "R\xc2\xb2", a);
    }
}
