/* random.c: random search, scikit-learn's RandomizedSearchCV.
 *
 * Every configuration is drawn up front: `trials` per space from a stream
 * keyed on (seed, space index), so adding a model to the config does not
 * change the configurations drawn for the others. Draws are de-duplicated:
 * a repeat is drawn again; a finite space with at most `trials` points is
 * taken whole (in grid order); one with at most 4 x trials points is
 * sampled without replacement by index, so the redraw loop only ever runs
 * where repeats are rare. */
#include <math.h>
#include <stdlib.h>

#include "search_int.h"

/* Consecutive repeats after which a draw gives up (only reachable in spaces
 * with more than 4 x trials points, where a repeat has probability < 1/4). */
#define FW_REDRAW_MAX 1000

/* `trials` distinct indices of a small finite space by a partial Fisher-
 * Yates shuffle, in the order drawn. */
static int take_indices(fw_search *s, size_t k, long trials, gsl_rng *r, const size_t *order,
                        fw_pval *vals, fw_err *e)
{
    const fw_space *sp = &s->spaces[k];
    size_t size = (size_t)fw_space_finite_size(sp);
    size_t *idx = malloc(size * sizeof *idx);
    if (!idx)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    for (size_t i = 0; i < size; i++)
        idx[i] = i;
    int rc = FW_OK;
    for (size_t i = 0; i < (size_t)trials && rc == FW_OK; i++) {
        size_t j = i + (size_t)gsl_rng_uniform_int(r, (unsigned long)(size - i));
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        fw_space_point(sp, order, (double)idx[i], vals);
        rc = fw_search_cand_push(s, k, vals, 0, 0, e);
    }
    free(idx);
    return rc;
}

static int draw_distinct(fw_search *s, size_t k, long trials, gsl_rng *r, const size_t *order,
                         fw_pval *vals, fw_err *e)
{
    const fw_space *sp = &s->spaces[k];
    fw_cfgset *seen = fw_cfgset_alloc(sp->model->n_params);
    if (!seen)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    int rc = FW_OK;
    long got = 0, misses = 0;
    while (got < trials && rc == FW_OK) {
        fw_space_draw(sp, order, r, vals);
        int dup = fw_cfgset_add(seen, vals);
        if (dup < 0) {
            rc = fw_err_set(e, FW_ENOMEM, "search: out of memory");
        } else if (dup) {
            if (++misses > FW_REDRAW_MAX) {
                fw_warn("search: model %s (models[%zu]): only %ld distinct configurations "
                        "found after %d repeated draws; using those instead of trials = %ld",
                        sp->model->name, k, got, FW_REDRAW_MAX, trials);
                break;
            }
        } else {
            misses = 0;
            got++;
            rc = fw_search_cand_push(s, k, vals, 0, 0, e);
        }
    }
    fw_cfgset_free(seen);
    return rc;
}

int fw_search_sample_space(fw_search *s, size_t k, long trials, gsl_rng *r, fw_err *e)
{
    const fw_space *sp = &s->spaces[k];
    double finite = fw_space_finite_size(sp);
    size_t *order = malloc((sp->n_dims ? sp->n_dims : 1) * sizeof *order);
    fw_pval *vals = malloc((sp->model->n_params ? sp->model->n_params : 1) * sizeof *vals);
    int rc = FW_OK;
    if (!order || !vals) {
        rc = fw_err_set(e, FW_ENOMEM, "search: out of memory");
        goto cleanup;
    }
    fw_space_dim_order(sp, order);
    if (finite <= (double)trials) {
        /* A space with nothing to search is one configuration by design. */
        int searched = 0;
        for (size_t d = 0; d < sp->n_dims; d++)
            searched |= sp->dims[d].kind != FW_DIST_FIXED;
        if (finite < (double)trials && searched)
            fw_warn("search: model %s (models[%zu]) has only %.0f distinct configurations, "
                    "fewer than trials = %ld: taking all of them",
                    sp->model->name, k, finite, trials);
        rc = fw_search_push_all(s, k, e);
    } else if (finite <= 4.0 * (double)trials) {
        rc = take_indices(s, k, trials, r, order, vals, e);
    } else {
        rc = draw_distinct(s, k, trials, r, order, vals, e);
    }
cleanup:
    free(order);
    free(vals);
    return rc;
}

int fw_search_sample_all(fw_search *s, fw_err *e)
{
    int rc = FW_OK;
    for (size_t k = 0; k < s->n_spaces && rc == FW_OK; k++) {
        gsl_rng *r = fw_rng_alloc(s->seed, fw_hash_mix(FW_SEARCH_KEY_SAMPLE, k));
        if (!r)
            return fw_err_set(e, FW_ENOMEM, "search: out of memory");
        rc = fw_search_sample_space(s, k, s->spec.trials, r, e);
        gsl_rng_free(r);
    }
    return rc;
}

static int random_init(fw_search *s, fw_err *e)
{
    s->done = 1;
    return fw_search_sample_all(s, e);
}

const fw_proposer fw_proposer_random = {
    .name = "random",
    .init = random_init,
};
