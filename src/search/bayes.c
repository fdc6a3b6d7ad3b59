/* bayes.c: model-based search: a Gaussian-process surrogate per space and
 * expected improvement, proposed in fixed-size batches.
 *
 * Per space (one GP each; a batch is split across spaces round-robin in
 * space order among those with budget left):
 *   - budget: `trials` configurations (fewer when the space is finite and
 *     smaller, with one warning);
 *   - until the space has max(2 x searched dims, batch) results, its share
 *     of a batch is random: the same stream and draws as random search, so
 *     bayes and random with one seed start from the same points;
 *   - then: the told results of the space, in id order, are encoded in the
 *     unit cube (log scale for loguniform/logint/logspace and for numeric
 *     lists of FW_PARAM_LOG parameters; integers as the cell of their
 *     value; numeric lists and sequences as ordered positions; other lists
 *     as categories), failed scores (NaN, inf) replaced by the worst told
 *     score, and a GP (gp.c) is fitted. Each pick maximises expected
 *     improvement over a candidate set (1000 random draws plus 40
 *     perturbations of each of the 5 best points; every point of a finite
 *     space with at most 2000 points instead), then refines the 3 best
 *     candidates with 30 small perturbations each. The pick joins the GP
 *     with its predicted mean as a fantasy score (kriging believer) before
 *     the next pick of the batch. Configurations already proposed are never
 *     proposed again.
 * Every random number comes from streams keyed on (seed, space, number of
 * configurations proposed in the space), and the GP sees results in id
 * order, so a batch depends only on the set of (id, score) told. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "gp.h"
#include "search_int.h"

#define EI_RANDOM 1000      /* random candidates per batch */
#define EI_TOP 5            /* best points perturbed */
#define EI_PERTURB 40       /* perturbations per best point */
#define EI_ENUMERATE 2000   /* finite spaces up to this size are enumerated */
#define EI_REFINE_TOP 3
#define EI_REFINE 30
#define EI_XI 0.01          /* exploration margin, in standardised units */
#define DRAW_TRIES 1000

enum { BD_CONT, BD_ORD, BD_CAT };

typedef struct bdim {
    const fw_dim *dim;
    int type;
    int log;            /* BD_CONT: transform is log */
    int integer;        /* BD_CONT over int/logint: round */
    double lo, hi;      /* BD_CONT: transformed bounds */
    double *coord;      /* BD_ORD: position of each value */
} bdim;

typedef struct bspace {
    size_t nd;          /* searched dims */
    bdim *dims;
    unsigned char *cat;
    long budget, issued, n_init;
    size_t *order;      /* dims sorted by name, for draws and enumeration */
    gsl_rng *rng;       /* the random-search stream of this space */
    fw_cfgset *seen;    /* every configuration proposed */
} bspace;

typedef struct bayes_state {
    bspace *sp;         /* one per space */
    size_t n_spaces;
} bayes_state;

/* A candidate of one pick: encoded point and its configuration. */
typedef struct bcand {
    double *feat;
    fw_pval *vals;
    double ei;
} bcand;

static int bayes_check(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                       fw_err *e)
{
    (void)spaces;
    (void)n_spaces;
    if (spec->batch < 1 || spec->batch > 100000)
        return fw_err_set(e, FW_EINVAL, "search.batch must be in [1, 100000], got %ld",
                          spec->batch);
    return FW_OK;
}

/* ---- encoding ------------------------------------------------------------ */

/* Ordered positions of numeric values (log scale when asked and possible);
 * 0 when the list is not numeric (a category then). */
static int ord_coords(const fw_dim *d, int want_log, double *coord)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < d->n_values; i++) {
        if (d->values[i].choice >= 0 || !isfinite(d->values[i].num))
            return 0;
        want_log &= d->values[i].num > 0;
    }
    for (size_t i = 0; i < d->n_values; i++) {
        coord[i] = want_log ? log(d->values[i].num) : d->values[i].num;
        lo = coord[i] < lo ? coord[i] : lo;
        hi = coord[i] > hi ? coord[i] : hi;
    }
    if (!(hi > lo))
        return 0;
    for (size_t i = 0; i < d->n_values; i++)
        coord[i] = (coord[i] - lo) / (hi - lo);
    return 1;
}

static int bdim_init(const fw_space *sp, const fw_dim *d, bdim *b)
{
    b->dim = d;
    if (d->values) {
        b->coord = malloc(d->n_values * sizeof *b->coord);
        if (!b->coord)
            return FW_ENOMEM;
        int log_scale = d->kind == FW_DIST_LOGSPACE ||
                        (d->kind == FW_DIST_CHOICE &&
                         (sp->model->params[d->param].flags & FW_PARAM_LOG));
        b->type = ord_coords(d, log_scale, b->coord) ? BD_ORD : BD_CAT;
        return FW_OK;
    }
    b->type = BD_CONT;
    b->log = d->kind == FW_DIST_LOGUNIFORM || d->kind == FW_DIST_LOGINT;
    b->integer = d->kind == FW_DIST_INT || d->kind == FW_DIST_LOGINT;
    double lo = d->a - (b->integer ? 0.5 : 0), hi = d->b + (b->integer ? 0.5 : 0);
    b->lo = b->log ? log(lo) : lo;
    b->hi = b->log ? log(hi) : hi;
    return FW_OK;
}

static size_t value_index(const fw_dim *d, const fw_pval *v)
{
    for (size_t i = 0; i < d->n_values; i++)
        if (fw_pval_same(&d->values[i], v))
            return i;
    return 0;
}

static double encode_one(const bdim *b, const fw_pval *v)
{
    if (b->type == BD_CAT)
        return (double)value_index(b->dim, v);
    if (b->type == BD_ORD)
        return b->coord[value_index(b->dim, v)];
    double t = b->log ? log(v->num) : v->num;
    return (t - b->lo) / (b->hi - b->lo);
}

static void encode(const bspace *bs, const fw_pval *vals, double *feat)
{
    for (size_t j = 0; j < bs->nd; j++)
        feat[j] = encode_one(&bs->dims[j], &vals[bs->dims[j].dim->param]);
}

static fw_pval decode_one(const bdim *b, double u)
{
    const fw_dim *d = b->dim;
    if (b->type == BD_CAT) {
        double i = floor(u);
        i = i < 0 ? 0 : i > (double)(d->n_values - 1) ? (double)(d->n_values - 1) : i;
        return d->values[(size_t)i];
    }
    if (b->type == BD_ORD) {
        size_t best = 0;
        for (size_t i = 1; i < d->n_values; i++)
            if (fabs(b->coord[i] - u) < fabs(b->coord[best] - u))
                best = i;
        return d->values[best];
    }
    double t = b->lo + u * (b->hi - b->lo);
    double x = b->log ? exp(t) : t;
    if (b->integer)
        x = round(x);
    x = x < d->a ? d->a : x > d->b ? d->b : x;
    return (fw_pval){.num = x, .choice = -1};
}

/* feat -> vals (searched dims only; the rest of vals is kept), then feat
 * re-encoded so it sits exactly on the configuration. */
static void decode(const bspace *bs, double *feat, fw_pval *vals)
{
    for (size_t j = 0; j < bs->nd; j++) {
        const bdim *b = &bs->dims[j];
        vals[b->dim->param] = decode_one(b, feat[j]);
        feat[j] = encode_one(b, &vals[b->dim->param]);
    }
}

/* A neighbour of feat: numeric coordinates moved by N(0, sd) and reflected
 * into [0, 1]; each category changed with probability 1 / searched dims. */
static void perturb(const bspace *bs, gsl_rng *r, double sd, const double *feat, double *out)
{
    for (size_t j = 0; j < bs->nd; j++) {
        const bdim *b = &bs->dims[j];
        if (b->type == BD_CAT) {
            size_t n = b->dim->n_values;
            size_t c = (size_t)feat[j];
            if (gsl_rng_uniform(r) * (double)bs->nd < 1.0)   /* another category */
                c = (c + 1 + (size_t)gsl_rng_uniform_int(r, n - 1)) % n;
            out[j] = (double)c;
            continue;
        }
        double u = feat[j] + gsl_ran_gaussian(r, sd);
        u = fmod(fabs(u), 2.0);
        out[j] = u > 1 ? 2 - u : u;
    }
}

/* ---- per-space state ------------------------------------------------------ */

static void bspace_free(bspace *bs)
{
    for (size_t j = 0; bs->dims && j < bs->nd; j++)
        free(bs->dims[j].coord);
    free(bs->dims);
    free(bs->cat);
    free(bs->order);
    if (bs->rng)
        gsl_rng_free(bs->rng);
    fw_cfgset_free(bs->seen);
}

static int bspace_init(fw_search *s, size_t k, bspace *bs, fw_err *e)
{
    const fw_space *sp = &s->spaces[k];
    size_t nd = sp->n_dims ? sp->n_dims : 1;
    bs->dims = calloc(nd, sizeof *bs->dims);
    bs->cat = calloc(nd, 1);
    bs->order = malloc(nd * sizeof *bs->order);
    bs->rng = fw_rng_alloc(s->seed, fw_hash_mix(FW_SEARCH_KEY_SAMPLE, k));
    bs->seen = fw_cfgset_alloc(sp->model->n_params);
    if (!bs->dims || !bs->cat || !bs->order || !bs->rng || !bs->seen)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    fw_space_dim_order(sp, bs->order);
    for (size_t i = 0; i < sp->n_dims; i++) {
        const fw_dim *d = &sp->dims[bs->order[i]];
        if (fw_dim_count(d) == 1)
            continue;   /* fixed: not a coordinate */
        if (bdim_init(sp, d, &bs->dims[bs->nd]))
            return fw_err_set(e, FW_ENOMEM, "search: out of memory");
        bs->cat[bs->nd] = bs->dims[bs->nd].type == BD_CAT;
        bs->nd++;
    }
    double finite = fw_space_finite_size(sp);
    bs->budget = s->spec.trials;
    if (finite < (double)s->spec.trials) {
        fw_warn("search: model %s (models[%zu]) has only %.0f distinct configurations, fewer "
                "than trials = %ld: proposing all of them",
                sp->model->name, k, finite, s->spec.trials);
        bs->budget = (long)finite;
    }
    long n_init = 2 * (long)bs->nd > s->spec.batch ? 2 * (long)bs->nd : s->spec.batch;
    bs->n_init = n_init < bs->budget ? n_init : bs->budget;
    return FW_OK;
}

static void bayes_free(void *state)
{
    bayes_state *st = state;
    if (!st)
        return;
    for (size_t k = 0; st->sp && k < st->n_spaces; k++)
        bspace_free(&st->sp[k]);
    free(st->sp);
    free(st);
}

static int bayes_init(fw_search *s, fw_err *e)
{
    bayes_state *st = calloc(1, sizeof *st);
    if (!st)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    s->state = st;
    st->sp = calloc(s->n_spaces, sizeof *st->sp);
    if (!st->sp)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    st->n_spaces = s->n_spaces;
    for (size_t k = 0; k < s->n_spaces; k++) {
        int rc = bspace_init(s, k, &st->sp[k], e);
        if (rc)
            return rc;
    }
    return FW_OK;
}

/* ---- proposals ------------------------------------------------------------- */

/* Push vals as the next configuration of space k and remember it. */
static int propose(fw_search *s, size_t k, const fw_pval *vals, fw_err *e)
{
    bspace *bs = &((bayes_state *)s->state)->sp[k];
    if (fw_cfgset_add(bs->seen, vals) < 0)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    bs->issued++;
    return fw_search_cand_push(s, k, vals, 0, 0, e);
}

/* A configuration not proposed yet, drawn from r (1), or 0 when none was
 * found: DRAW_TRIES draws, then the first unseen point in grid order when
 * the space is finite and not huge. */
static int draw_unseen(const fw_search *s, size_t k, gsl_rng *r, fw_pval *vals)
{
    const bspace *bs = &((const bayes_state *)s->state)->sp[k];
    const fw_space *sp = &s->spaces[k];
    for (int t = 0; t < DRAW_TRIES; t++) {
        fw_space_draw(sp, bs->order, r, vals);
        if (!fw_cfgset_has(bs->seen, vals))
            return 1;
    }
    double finite = fw_space_finite_size(sp);
    for (double i = 0; finite <= 1e6 && i < finite; i++) {
        fw_space_point(sp, bs->order, i, vals);
        if (!fw_cfgset_has(bs->seen, vals))
            return 1;
    }
    return 0;
}

/* The space ran out of new configurations before its budget. */
static void exhausted(fw_search *s, size_t k)
{
    bspace *bs = &((bayes_state *)s->state)->sp[k];
    fw_warn("search: model %s (models[%zu]): no new configuration found after %ld; stopping "
            "its search there",
            s->spaces[k].model->name, k, bs->issued);
    bs->budget = bs->issued;
}

static int random_picks(fw_search *s, size_t k, long m, fw_pval *vals, fw_err *e)
{
    bspace *bs = &((bayes_state *)s->state)->sp[k];
    int rc = FW_OK;
    for (long i = 0; i < m && rc == FW_OK; i++) {
        if (!draw_unseen(s, k, bs->rng, vals)) {
            exhausted(s, k);
            break;
        }
        rc = propose(s, k, vals, e);
    }
    return rc;
}

/* The told results of space k in id order: ids, encoded points and gains,
 * with failures replaced by the worst told gain. Returns the count. */
static size_t gather(const fw_search *s, size_t k, size_t *ids, double *x, double *y)
{
    const bspace *bs = &((const bayes_state *)s->state)->sp[k];
    size_t n = 0;
    double worst = INFINITY;
    for (size_t id = 0; id < s->n_cands; id++) {
        if (s->cands[id].space != k || !s->told[id])
            continue;
        ids[n] = id;
        encode(bs, s->cands[id].vals, x + n * bs->nd);
        y[n] = fw_search_gain(s, id);
        if (isfinite(y[n]) && y[n] < worst)
            worst = y[n];
        n++;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            y[i] = isfinite(worst) ? worst : 0;
    return n;
}

/* ---- expected improvement over a candidate set ---------------------------- */

typedef struct cset {
    size_t n, nd, np;
    double *feat;       /* n x nd */
    fw_pval *vals;      /* n x np */
    double *ei;         /* per candidate; -inf when already proposed */
    int enumerated;     /* every point of a finite space: no refinement */
} cset;

static void cset_free(cset *c)
{
    free(c->feat);
    free(c->vals);
    free(c->ei);
}

static int cset_alloc(cset *c, size_t n, size_t nd, size_t np)
{
    c->n = n;
    c->nd = nd;
    c->np = np ? np : 1;
    c->feat = malloc(n * nd * sizeof *c->feat);
    c->vals = malloc(n * c->np * sizeof *c->vals);
    c->ei = malloc(n * sizeof *c->ei);
    return c->feat && c->vals && c->ei ? FW_OK : FW_ENOMEM;
}

/* Index of the largest y not yet taken (lowest index on ties), or n. */
static size_t next_top(const double *y, size_t n, const unsigned char *taken)
{
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (!taken[i] && (best == n || y[i] > y[best]))
            best = i;
    return best;
}

/* Random draws plus perturbations of the best told points, or the whole
 * space when it is small and finite. */
static int cset_build(const fw_search *s, size_t k, const size_t *ids, const double *x,
                      const double *y, size_t n, gsl_rng *r, cset *c)
{
    const bspace *bs = &((const bayes_state *)s->state)->sp[k];
    const fw_space *sp = &s->spaces[k];
    double finite = fw_space_finite_size(sp);
    size_t top = n < EI_TOP ? n : EI_TOP;
    size_t total = finite <= EI_ENUMERATE ? (size_t)finite : EI_RANDOM + top * EI_PERTURB;
    unsigned char *taken = calloc(n, 1);
    if (!taken || cset_alloc(c, total, bs->nd, sp->model->n_params)) {
        free(taken);
        return FW_ENOMEM;
    }
    c->enumerated = finite <= EI_ENUMERATE;
    size_t t = 0;   /* the told point being perturbed */
    for (size_t i = 0; i < total; i++) {
        fw_pval *v = c->vals + i * c->np;
        double *f = c->feat + i * c->nd;
        if (c->enumerated) {
            fw_space_point(sp, bs->order, (double)i, v);
        } else if (i < EI_RANDOM) {
            fw_space_draw(sp, bs->order, r, v);
        } else {
            size_t p = (i - EI_RANDOM) % EI_PERTURB;
            if (p == 0) {
                t = next_top(y, n, taken);
                taken[t] = 1;
            }
            memcpy(v, s->cands[ids[t]].vals, sp->model->n_params * sizeof *v);
            perturb(bs, r, p % 2 ? 0.2 : 0.05, x + t * c->nd, f);
            decode(bs, f, v);
            continue;
        }
        encode(bs, v, f);
    }
    free(taken);
    return FW_OK;
}

static double expected_improvement(fw_gp *gp, const double *feat, double best)
{
    double mu, sd;
    fw_gp_predict(gp, feat, &mu, &sd);
    double imp = mu - best - EI_XI, z = imp / sd;
    return imp * gsl_cdf_ugaussian_P(z) + sd * gsl_ran_ugaussian_pdf(z);
}

/* EI of every candidate not proposed yet; the index of the largest (lowest
 * index on ties), or c->n when every candidate was proposed. */
static size_t cset_score(const cset *c, const bspace *bs, fw_gp *gp)
{
    double best = fw_gp_ymax(gp);
    size_t arg = c->n;
    for (size_t i = 0; i < c->n; i++) {
        c->ei[i] = -INFINITY;
        if (fw_cfgset_has(bs->seen, c->vals + i * c->np))
            continue;
        c->ei[i] = expected_improvement(gp, c->feat + i * c->nd, best);
        if (arg == c->n || c->ei[i] > c->ei[arg])
            arg = i;
    }
    return arg;
}

/* The pick: candidate `arg`, or a better point among small perturbations
 * of the EI_REFINE_TOP best candidates; written to feat / vals. */
static void refine(const cset *c, const bspace *bs, fw_gp *gp, size_t arg, gsl_rng *r,
                   double *feat, fw_pval *vals, double *tf, fw_pval *tv)
{
    memcpy(feat, c->feat + arg * c->nd, c->nd * sizeof *feat);
    memcpy(vals, c->vals + arg * c->np, c->np * sizeof *vals);
    if (c->enumerated)
        return;
    double best = fw_gp_ymax(gp), top_ei = c->ei[arg];
    unsigned char *taken = calloc(c->n, 1);
    if (!taken)
        return;   /* refinement is an improvement, not a need */
    for (int t = 0; t < EI_REFINE_TOP; t++) {
        size_t b = next_top(c->ei, c->n, taken);
        if (b == c->n || c->ei[b] == -INFINITY)
            break;
        taken[b] = 1;
        for (int p = 0; p < EI_REFINE; p++) {
            memcpy(tv, c->vals + b * c->np, c->np * sizeof *tv);
            perturb(bs, r, 0.02, c->feat + b * c->nd, tf);
            decode(bs, tf, tv);
            if (fw_cfgset_has(bs->seen, tv))
                continue;
            double ei = expected_improvement(gp, tf, best);
            if (ei > top_ei) {
                top_ei = ei;
                memcpy(feat, tf, c->nd * sizeof *feat);
                memcpy(vals, tv, c->np * sizeof *vals);
            }
        }
    }
    free(taken);
}

/* m picks for space k from a GP over its told results. */
static int gp_picks(fw_search *s, size_t k, long m, fw_pval *vals, fw_err *e)
{
    bspace *bs = &((bayes_state *)s->state)->sp[k];
    size_t n = (size_t)bs->issued, nd = bs->nd, np = s->spaces[k].model->n_params + 1;
    size_t *ids = malloc(n * sizeof *ids);
    double *x = malloc(n * nd * sizeof *x), *y = malloc(n * sizeof *y);
    double *feat = malloc(2 * nd * sizeof *feat);
    fw_pval *tv = malloc(np * sizeof *tv);
    gsl_rng *r = fw_rng_alloc(s->seed, fw_hash_mix(fw_hash_mix(FW_SEARCH_KEY_EI, k),
                                                   (uint64_t)bs->issued));
    fw_gp *gp = fw_gp_alloc(nd, bs->cat);
    cset c = {0};
    int rc = FW_OK;
    if (!ids || !x || !y || !feat || !tv || !r || !gp) {
        rc = fw_err_set(e, FW_ENOMEM, "search: out of memory");
        goto cleanup;
    }
    n = gather(s, k, ids, x, y);
    fw_err inner = {0};
    if ((rc = fw_gp_fit(gp, x, y, n, &inner)) != FW_OK) {
        if (rc == FW_ENOMEM)
            goto cleanup;
        fw_warn("search: model %s (models[%zu]): %s; proposing at random this batch",
                s->spaces[k].model->name, k, inner.msg);
        rc = random_picks(s, k, m, vals, e);
        goto cleanup;
    }
    if (cset_build(s, k, ids, x, y, n, r, &c)) {
        rc = fw_err_set(e, FW_ENOMEM, "search: out of memory");
        goto cleanup;
    }
    for (long i = 0; i < m && rc == FW_OK; i++) {
        size_t arg = cset_score(&c, bs, gp);
        if (arg == c.n) {
            /* Every candidate was proposed already: one fresh draw. */
            rc = random_picks(s, k, 1, vals, e);
            continue;
        }
        refine(&c, bs, gp, arg, r, feat, vals, feat + nd, tv);
        double mu, sd;
        fw_gp_predict(gp, feat, &mu, &sd);
        if ((rc = propose(s, k, vals, e)) == FW_OK && (rc = fw_gp_add(gp, feat, mu, e)) != FW_OK)
            fw_err_prefix(e, "search: model %s: ", s->spaces[k].model->name);
    }
cleanup:
    cset_free(&c);
    fw_gp_free(gp);
    if (r)
        gsl_rng_free(r);
    free(ids);
    free(x);
    free(y);
    free(feat);
    free(tv);
    return rc;
}

/* Shares of a batch per space: round-robin in space order over the spaces
 * with budget left. */
static void split_batch(const fw_search *s, long *share)
{
    const bayes_state *st = s->state;
    long left = s->spec.batch;
    int any = 1;
    while (left > 0 && any) {
        any = 0;
        for (size_t k = 0; k < s->n_spaces && left > 0; k++) {
            const bspace *bs = &st->sp[k];
            if (bs->issued + share[k] < bs->budget) {
                share[k]++;
                left--;
                any = 1;
            }
        }
    }
}

static int bayes_next(fw_search *s, fw_err *e)
{
    bayes_state *st = s->state;
    size_t np = 1;
    for (size_t k = 0; k < s->n_spaces; k++)
        np = s->spaces[k].model->n_params + 1 > np ? s->spaces[k].model->n_params + 1 : np;
    long *share = calloc(s->n_spaces, sizeof *share);
    fw_pval *vals = malloc(np * sizeof *vals);
    int rc = FW_OK;
    if (!share || !vals) {
        rc = fw_err_set(e, FW_ENOMEM, "search: out of memory");
        goto cleanup;
    }
    split_batch(s, share);
    for (size_t k = 0; k < s->n_spaces && rc == FW_OK; k++) {
        if (!share[k])
            continue;
        if (st->sp[k].issued < st->sp[k].n_init)
            rc = random_picks(s, k, share[k], vals, e);
        else
            rc = gp_picks(s, k, share[k], vals, e);
    }
    s->done = 1;
    for (size_t k = 0; k < s->n_spaces; k++)
        if (st->sp[k].issued < st->sp[k].budget)
            s->done = 0;
cleanup:
    free(share);
    free(vals);
    return rc;
}

const fw_proposer fw_proposer_bayes = {
    .name = "bayes",
    .check = bayes_check,
    .init = bayes_init,
    .next = bayes_next,
    .free_state = bayes_free,
};
