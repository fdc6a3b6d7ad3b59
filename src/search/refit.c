/* refit.c: choosing the configuration to refit from cross-validated scores.
 *
 * best: scikit-learn's best_index_ (the best mean; ties to the lowest id).
 * one_se: the "one standard error" rule of Breiman et al. and Hastie et
 * al.: among configurations of the best one's space whose mean is within
 * one standard error of the best mean, take the simplest (the model's
 * complexity(), lower = simpler), ties to the better mean, then the lower
 * id. The standard error is std / sqrt(n_splits) of the best
 * configuration, as in scikit-learn's "balance model complexity and
 * cross-validated score" example. */
#include <math.h>
#include <stddef.h>

#include "search_int.h"

const char *const fw_refit_names[] = {"best", "one_se", "none", NULL};

/* Models already warned about (no complexity()): once per process each. */
#define FW_WARNED_MAX 64
static const fw_model_type *warned[FW_WARNED_MAX];
static size_t n_warned;

static void warn_no_complexity(const fw_model_type *m)
{
    for (size_t i = 0; i < n_warned; i++)
        if (warned[i] == m)
            return;
    if (n_warned < FW_WARNED_MAX)
        warned[n_warned++] = m;
    fw_warn("refit one_se: model %s has no complexity measure; using the best mean instead",
            m->name);
}

/* a strictly better than b. */
static int better(double a, double b, int greater_is_better)
{
    return greater_is_better ? a > b : a < b;
}

/* The highest rung among usable candidates (halving: only those compete). */
static int top_rung(const fw_cand *const *cands, const double *means, size_t n)
{
    int top = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(means[i]) && cands[i]->rung > top)
            top = cands[i]->rung;
    return top;
}

static long choose_best(const fw_cand *const *cands, const double *means, size_t n, int rung,
                        int gib)
{
    long best = -1;
    for (size_t i = 0; i < n; i++)
        if (!isnan(means[i]) && cands[i]->rung == rung &&
            (best < 0 || better(means[i], means[best], gib)))
            best = (long)i;
    return best;
}

static long choose_one_se(const fw_space *spaces, const fw_cand *const *cands,
                          const double *means, const double *stds, size_t n, size_t n_splits,
                          int gib, long best)
{
    const fw_cand *cb = cands[best];
    const fw_model_type *m = spaces[cb->space].model;
    if (!m->complexity) {
        warn_no_complexity(m);
        return best;
    }
    double se = n_splits > 0 && isfinite(stds[best]) ? stds[best] / sqrt((double)n_splits) : 0;
    double edge = gib ? means[best] - se : means[best] + se;
    long pick = best;
    double pc = m->complexity(cb->vals);
    for (size_t i = 0; i < n; i++) {
        const fw_cand *c = cands[i];
        if (isnan(means[i]) || c->rung != cb->rung || c->space != cb->space ||
            better(edge, means[i], gib))
            continue;
        double ci = m->complexity(c->vals);
        if (isnan(ci))
            continue;
        int simpler = isnan(pc) || ci < pc;
        int same = ci == pc;
        if (simpler || (same && better(means[i], means[pick], gib)) ||
            (same && means[i] == means[pick] && (long)i < pick)) {
            pick = (long)i;
            pc = ci;
        }
    }
    return pick;
}

long fw_refit_choose(int rule, const fw_space *spaces, const fw_cand *const *cands,
                     const double *means, const double *stds, size_t n, size_t n_splits,
                     int greater_is_better)
{
    if (rule != FW_REFIT_BEST && rule != FW_REFIT_ONE_SE)
        return -1;
    long best = choose_best(cands, means, n, top_rung(cands, means, n), greater_is_better);
    if (best < 0 || rule == FW_REFIT_BEST)
        return best;
    return choose_one_se(spaces, cands, means, stds, n, n_splits, greater_is_better, best);
}
