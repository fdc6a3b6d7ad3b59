/* halving.c: successive halving, scikit-learn's HalvingRandomSearchCV.
 *
 * Rung 0 holds `trials` random configurations per space, drawn exactly as
 * random search draws them (same streams, same de-duplication; a finite
 * space with at most `trials` points is taken whole, which makes this
 * HalvingGridSearchCV for small grids). Rung r runs with resource
 * floor(min * factor^r), capped at the maximum; after every candidate of a
 * rung is told, the best ceil(n / factor) (by told score, failures last,
 * ties to the lower id) are promoted as new candidates of rung r + 1, in id
 * order. The number of rungs is scikit-learn's:
 *   min(1 + floor(log_factor(n_candidates)), 1 + floor(log_factor(max / min)))
 * counted exactly (scikit-learn divides floating-point logs, which can come
 * out one short at exact powers, e.g. 243 candidates with factor 3).
 *
 * Resources: n_samples (the training rows; the planner gives the maximum
 * in spec->max_resource and the executor subsamples), n_trees or iterations
 * (the value of the model's n_trees / n_iter parameter, which is then
 * written into each candidate's vals; its maximum is the value the space
 * fixes, or the model default). A candidate at the maximum has resource 0
 * ("full"). */
#include <math.h>
#include <stdlib.h>

#include "search_int.h"

typedef struct halving_state {
    double min;
    double *max;        /* per space */
    long *param;        /* per space: index of n_trees / n_iter, -1 for n_samples */
    int n_rungs, rung;
    size_t rung_first, rung_n;
} halving_state;

static const char *const resource_params[] = {NULL, "n_trees", "n_iter"};

static double halving_min(const fw_search_spec *spec)
{
    if (spec->min_resource > 0)
        return spec->min_resource;
    return spec->resource == FW_RESOURCE_N_SAMPLES ? 100 : 10;
}

/* The resource parameter of space sp and its maximum (n_trees/iterations). */
static int space_max(const fw_search_spec *spec, const fw_space *sp, long *param, double *max,
                     fw_err *e)
{
    *param = -1;
    *max = spec->max_resource;
    if (spec->resource == FW_RESOURCE_N_SAMPLES)
        return FW_OK;
    const char *name = resource_params[spec->resource];
    *param = fw_param_index(sp->model, name);
    if (*param < 0)
        return fw_err_at(e, FW_EINVAL, sp->file, sp->line, sp->col,
                         "search.halving.resource = %s needs a model with an %s parameter; %s has "
                         "none (use resource: n_samples)",
                         fw_resource_names[spec->resource], name, sp->model->name);
    *max = sp->model->params[*param].def;
    for (size_t i = 0; i < sp->n_dims; i++) {
        const fw_dim *d = &sp->dims[i];
        if (d->param != (size_t)*param)
            continue;
        if (d->kind != FW_DIST_FIXED || d->values[0].choice >= 0)
            return fw_err_at(e, FW_EINVAL, sp->file, d->line, d->col,
                             "%s: %s is the halving resource, so it cannot be searched: give one "
                             "number (the largest resource)",
                             sp->model->name, name);
        *max = d->values[0].num;
    }
    return FW_OK;
}

static int halving_check(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                         fw_err *e)
{
    if (!(spec->factor > 1) || !isfinite(spec->factor))
        return fw_err_set(e, FW_EINVAL, "search.halving.factor must be > 1, got %g",
                          spec->factor);
    if (spec->resource < 0 || spec->resource > FW_RESOURCE_ITERATIONS)
        return fw_err_set(e, FW_EINVAL, "search.halving.resource: unknown resource %d",
                          spec->resource);
    double min = halving_min(spec);
    int whole = spec->resource != FW_RESOURCE_N_SAMPLES;
    if (spec->min_resource < 0 || !isfinite(min) || (whole && min != floor(min)))
        return fw_err_set(e, FW_EINVAL, "search.halving.min must be a positive %s, got %g",
                          whole ? "integer" : "number", min);
    for (size_t k = 0; k < n_spaces; k++) {
        long param;
        double max;
        int rc = space_max(spec, &spaces[k], &param, &max, e);
        if (rc)
            return rc;
        if (max > 0 && min > max)
            return fw_err_at(e, FW_EINVAL, spaces[k].file, spaces[k].line, spaces[k].col,
                             "search.halving.min = %g is larger than the maximum resource %g "
                             "(%s of %s)",
                             min, max, param < 0 ? "rows" : resource_params[spec->resource],
                             spaces[k].model->name);
    }
    return FW_OK;
}

/* floor(log_f(x)) counted by multiplication (slack for rounding of f^k). */
static int floor_log(double x, double f)
{
    int k = 0;
    for (double p = f; p <= x * (1 + 1e-12); p *= f)
        k++;
    return k;
}

static void set_rung(fw_search *s, size_t id, int rung)
{
    halving_state *st = s->state;
    fw_cand *c = &s->cands[id];
    double max = st->max[c->space];
    double res = floor(st->min * pow(s->spec.factor, rung));
    if (res > max)
        res = max;
    c->rung = rung;
    c->resource = res >= max ? 0 : res;
    long p = st->param[c->space];
    if (p >= 0)
        c->vals[p] = (fw_pval){.num = res, .choice = -1};
}

static int halving_init(fw_search *s, fw_err *e)
{
    halving_state *st = calloc(1, sizeof *st);
    if (!st)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    s->state = st;
    st->min = halving_min(&s->spec);
    st->max = calloc(s->n_spaces, sizeof *st->max);
    st->param = calloc(s->n_spaces, sizeof *st->param);
    if (!st->max || !st->param)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    if (s->spec.resource == FW_RESOURCE_N_SAMPLES && !(s->spec.max_resource > 0))
        return fw_err_set(e, FW_EINVAL, "halving with resource n_samples needs the number of "
                                        "training rows (fw_search_spec.max_resource)");
    double top = 0;
    int rc = FW_OK;
    for (size_t k = 0; k < s->n_spaces; k++) {
        rc = space_max(&s->spec, &s->spaces[k], &st->param[k], &st->max[k], e);
        if (rc)
            return rc;
        top = st->max[k] > top ? st->max[k] : top;
    }
    if ((rc = fw_search_sample_all(s, e)))
        return rc;
    int need = 1 + floor_log((double)s->n_cands, s->spec.factor);
    int can = 1 + floor_log(top / st->min, s->spec.factor);
    st->n_rungs = need < can ? need : can;
    st->rung_n = s->n_cands;
    for (size_t id = 0; id < s->n_cands; id++)
        set_rung(s, id, 0);
    s->done = st->n_rungs <= 1;
    return FW_OK;
}

typedef struct ranked {
    double gain;
    size_t id;
} ranked;

/* Better gain first, failures (NaN) last, ties to the lower id. */
static int ranked_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    int na = isnan(a->gain), nb = isnan(b->gain);
    if (na != nb)
        return na - nb;
    if (!na && a->gain != b->gain)
        return a->gain > b->gain ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int id_cmp(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

static int halving_next(fw_search *s, fw_err *e)
{
    halving_state *st = s->state;
    if (st->rung + 1 >= st->n_rungs) {
        s->done = 1;
        return FW_OK;
    }
    ranked *rk = malloc(st->rung_n * sizeof *rk);
    if (!rk)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    for (size_t i = 0; i < st->rung_n; i++) {
        size_t id = st->rung_first + i;
        rk[i] = (ranked){.gain = fw_search_gain(s, id), .id = id};
    }
    qsort(rk, st->rung_n, sizeof *rk, ranked_cmp);
    size_t keep = (size_t)ceil((double)st->rung_n / s->spec.factor);
    keep = keep < 1 ? 1 : keep;
    qsort(rk, keep, sizeof *rk, id_cmp);
    size_t first = s->n_cands;
    int rc = FW_OK;
    for (size_t i = 0; i < keep && rc == FW_OK; i++) {
        const fw_cand *c = &s->cands[rk[i].id];
        rc = fw_search_cand_push(s, c->space, c->vals, 0, 0, e);
        if (rc == FW_OK)
            set_rung(s, s->n_cands - 1, st->rung + 1);
    }
    free(rk);
    st->rung++;
    st->rung_first = first;
    st->rung_n = keep;
    s->done = st->rung + 1 >= st->n_rungs;
    return rc;
}

static void halving_free(void *state)
{
    halving_state *st = state;
    if (!st)
        return;
    free(st->max);
    free(st->param);
    free(st);
}

const fw_proposer fw_proposer_halving = {
    .name = "halving",
    .check = halving_check,
    .init = halving_init,
    .next = halving_next,
    .free_state = halving_free,
};
