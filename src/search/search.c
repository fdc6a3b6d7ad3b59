/* search.c: the search object shared by every strategy: the candidate list,
 * told scores, the ask/tell protocol, spec defaults and checks, and the
 * configuration hash set used for de-duplication.
 *
 * Protocol: ask hands out every candidate appended since the last ask. A
 * proposer is asked for more only when every candidate handed out has been
 * told, so what it proposes depends on the set of results, never on the
 * order in which they arrived. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search_int.h"

const char *const fw_search_names[] = {"grid", "random", "bayes", "halving", NULL};
const char *const fw_resource_names[] = {"n_samples", "n_trees", "iterations", NULL};

static const fw_proposer *const proposers[] = {
    [FW_SEARCH_GRID] = &fw_proposer_grid,
    [FW_SEARCH_RANDOM] = &fw_proposer_random,
    [FW_SEARCH_BAYES] = &fw_proposer_bayes,
    [FW_SEARCH_HALVING] = &fw_proposer_halving,
};

/* Beyond this many trials per space, a config surely has a typo. */
#define FW_TRIALS_MAX 10000000L

void fw_search_spec_defaults(fw_search_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->strategy = FW_SEARCH_RANDOM;
    spec->trials = 20;
    spec->batch = 8;
    spec->max_grid = 100000;
    spec->warn_grid = 10000;
    spec->factor = 3;
    spec->resource = FW_RESOURCE_N_SAMPLES;
}

int fw_search_check(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                    fw_err *e)
{
    if (spec->strategy < 0 || spec->strategy > FW_SEARCH_HALVING)
        return fw_err_set(e, FW_EINVAL, "search.strategy: unknown strategy %d", spec->strategy);
    if (n_spaces == 0)
        return fw_err_set(e, FW_EINVAL, "models: nothing to search (no model listed)");
    for (size_t k = 0; k < n_spaces; k++)
        if (!spaces[k].model)
            return fw_err_at(e, FW_EINVAL, spaces[k].file, spaces[k].line, spaces[k].col,
                             "model %s: space not built (fw_space_build)",
                             spaces[k].model_name ? spaces[k].model_name : "?");
    if (spec->strategy != FW_SEARCH_GRID && (spec->trials < 1 || spec->trials > FW_TRIALS_MAX))
        return fw_err_set(e, FW_EINVAL, "search.trials must be in [1, %ld], got %ld",
                          FW_TRIALS_MAX, spec->trials);
    const fw_proposer *p = proposers[spec->strategy];
    return p->check ? p->check(spec, spaces, n_spaces, e) : FW_OK;
}

int fw_search_alloc(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                    int greater_is_better, uint64_t seed, fw_search **out, fw_err *e)
{
    *out = NULL;
    int rc = fw_search_check(spec, spaces, n_spaces, e);
    if (rc)
        return rc;
    fw_search *s = calloc(1, sizeof *s);
    if (!s)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    s->spec = *spec;
    s->spaces = spaces;
    s->n_spaces = n_spaces;
    s->greater_is_better = greater_is_better;
    s->seed = seed;
    s->prop = proposers[spec->strategy];
    rc = s->prop->init(s, e);
    if (rc) {
        fw_search_free(s);
        return rc;
    }
    *out = s;
    return FW_OK;
}

int fw_search_ask(fw_search *s, size_t *first, size_t *n, int *finished, fw_err *e)
{
    *first = s->asked;
    *n = 0;
    *finished = s->done;
    if (s->asked == s->n_cands && s->n_told == s->asked && !s->done) {
        size_t before = s->n_cands;
        int rc = s->prop->next ? s->prop->next(s, e) : FW_OK;
        if (rc)
            return rc;
        /* A proposer that has nothing more must say so; never leave the
         * caller waiting for a batch that cannot come. */
        if (s->n_cands == before)
            s->done = 1;
    }
    *n = s->n_cands - s->asked;
    s->asked = s->n_cands;
    *finished = s->done;
    return FW_OK;
}

int fw_search_tell(fw_search *s, size_t id, double score, fw_err *e)
{
    if (id >= s->asked)
        return fw_err_set(e, FW_EINVAL, "search: candidate %zu was never proposed", id);
    if (s->told[id])
        return fw_err_set(e, FW_EINVAL, "search: candidate %zu was told twice", id);
    s->scores[id] = score;
    s->told[id] = 1;
    s->n_told++;
    return FW_OK;
}

size_t fw_search_n_cands(const fw_search *s)
{
    return s->n_cands;
}

const fw_cand *fw_search_cand(const fw_search *s, size_t id)
{
    return id < s->n_cands ? &s->cands[id] : NULL;
}

void fw_search_free(fw_search *s)
{
    if (!s)
        return;
    if (s->prop && s->prop->free_state)
        s->prop->free_state(s->state);
    for (size_t i = 0; i < s->n_cands; i++)
        free(s->cands[i].vals);
    free(s->cands);
    free(s->scores);
    free(s->told);
    free(s);
}

int fw_pval_same(const fw_pval *a, const fw_pval *b)
{
    return a->choice == b->choice && memcmp(&a->num, &b->num, sizeof a->num) == 0;
}

static int vals_same(const fw_pval *a, const fw_pval *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!fw_pval_same(&a[i], &b[i]))
            return 0;
    return 1;
}

int fw_cand_equal(const fw_space *spaces, const fw_cand *a, const fw_cand *b)
{
    return a->space == b->space && vals_same(a->vals, b->vals, spaces[a->space].model->n_params);
}

static int grow(fw_search *s, fw_err *e)
{
    size_t cap = s->cap ? 2 * s->cap : 64;
    fw_cand *c = realloc(s->cands, cap * sizeof *c);
    if (c)
        s->cands = c;
    double *sc = realloc(s->scores, cap * sizeof *sc);
    if (sc)
        s->scores = sc;
    unsigned char *t = realloc(s->told, cap);
    if (t)
        s->told = t;
    if (!c || !sc || !t)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    s->cap = cap;
    return FW_OK;
}

int fw_search_cand_push(fw_search *s, size_t space, const fw_pval *vals, int rung,
                        double resource, fw_err *e)
{
    if (s->n_cands == s->cap && grow(s, e))
        return FW_ENOMEM;
    size_t np = s->spaces[space].model->n_params;
    fw_pval *v = malloc((np ? np : 1) * sizeof *v);
    if (!v)
        return fw_err_set(e, FW_ENOMEM, "search: out of memory");
    if (np)
        memcpy(v, vals, np * sizeof *v);
    s->cands[s->n_cands] = (fw_cand){.space = space, .vals = v, .rung = rung,
                                     .resource = resource};
    s->scores[s->n_cands] = NAN;
    s->told[s->n_cands] = 0;
    s->n_cands++;
    return FW_OK;
}

int fw_search_push_all(fw_search *s, size_t k, fw_err *e)
{
    const fw_space *sp = &s->spaces[k];
    size_t *order = malloc((sp->n_dims ? sp->n_dims : 1) * sizeof *order);
    fw_pval *vals = malloc((sp->model->n_params ? sp->model->n_params : 1) * sizeof *vals);
    int rc = order && vals ? FW_OK : fw_err_set(e, FW_ENOMEM, "search: out of memory");
    if (rc == FW_OK)
        fw_space_dim_order(sp, order);
    double size = fw_space_finite_size(sp);
    for (double i = 0; i < size && rc == FW_OK; i++) {
        fw_space_point(sp, order, i, vals);
        rc = fw_search_cand_push(s, k, vals, 0, 0, e);
    }
    free(order);
    free(vals);
    return rc;
}

double fw_search_gain(const fw_search *s, size_t id)
{
    return s->greater_is_better ? s->scores[id] : -s->scores[id];
}

/* ---- configuration sets ------------------------------------------------ */

struct fw_cfgset {
    size_t n_params, n, cap;   /* cap: a power of two */
    uint64_t *hash;            /* 0 = empty slot */
    fw_pval *vals;             /* cap x n_params */
};

static uint64_t cfg_hash(const fw_pval *v, size_t n)
{
    uint64_t h = 0x6366677365740001ULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i].num, sizeof bits);
        h = fw_hash_mix(h, bits);
        h = fw_hash_mix(h, (uint64_t)(int64_t)v[i].choice);
    }
    return h ? h : 1;
}

fw_cfgset *fw_cfgset_alloc(size_t n_params)
{
    fw_cfgset *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->n_params = n_params;
    set->cap = 64;
    set->hash = calloc(set->cap, sizeof *set->hash);
    set->vals = calloc(set->cap * (n_params ? n_params : 1), sizeof *set->vals);
    if (!set->hash || !set->vals) {
        fw_cfgset_free(set);
        return NULL;
    }
    return set;
}

/* Slot of vals: where it is, or the empty slot where it would go. */
static size_t cfg_slot(const fw_cfgset *set, const fw_pval *vals, uint64_t h)
{
    size_t i = (size_t)h & (set->cap - 1);
    while (set->hash[i] &&
           !(set->hash[i] == h && vals_same(&set->vals[i * set->n_params], vals, set->n_params)))
        i = (i + 1) & (set->cap - 1);
    return i;
}

static int cfg_rehash(fw_cfgset *set)
{
    fw_cfgset big = {.n_params = set->n_params, .n = set->n, .cap = 2 * set->cap};
    size_t np = set->n_params ? set->n_params : 1;
    big.hash = calloc(big.cap, sizeof *big.hash);
    big.vals = calloc(big.cap * np, sizeof *big.vals);
    if (!big.hash || !big.vals) {
        free(big.hash);
        free(big.vals);
        return -1;
    }
    for (size_t i = 0; i < set->cap; i++) {
        if (!set->hash[i])
            continue;
        size_t j = cfg_slot(&big, &set->vals[i * set->n_params], set->hash[i]);
        big.hash[j] = set->hash[i];
        memcpy(&big.vals[j * set->n_params], &set->vals[i * set->n_params],
               set->n_params * sizeof *big.vals);
    }
    free(set->hash);
    free(set->vals);
    *set = big;
    return 0;
}

int fw_cfgset_add(fw_cfgset *set, const fw_pval *vals)
{
    if (2 * (set->n + 1) > set->cap && cfg_rehash(set))
        return -1;
    uint64_t h = cfg_hash(vals, set->n_params);
    size_t i = cfg_slot(set, vals, h);
    if (set->hash[i])
        return 1;
    set->hash[i] = h;
    memcpy(&set->vals[i * set->n_params], vals, set->n_params * sizeof *vals);
    set->n++;
    return 0;
}

int fw_cfgset_has(const fw_cfgset *set, const fw_pval *vals)
{
    return set->hash[cfg_slot(set, vals, cfg_hash(vals, set->n_params))] != 0;
}

void fw_cfgset_free(fw_cfgset *set)
{
    if (!set)
        return;
    free(set->hash);
    free(set->vals);
    free(set);
}
