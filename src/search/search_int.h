/* search_int.h: what the files of the search layer share (not public API).
 *
 * A search is a list of candidates plus a proposer: a small vtable (one
 * file per strategy) that appends candidates to the list. search.c owns the
 * list, the told scores and the ask/tell bookkeeping, so a proposer only
 * decides what comes next. */
#ifndef FOLDWISE_SEARCH_INT_H
#define FOLDWISE_SEARCH_INT_H

#include <gsl/gsl_rng.h>

#include "foldwise/search.h"

/* Stream keys: every random choice of the search comes from
 * fw_rng_alloc(seed, key) with one of these mixed with the space index (and,
 * for bayes, the proposal count), never from call order. */
enum {
    FW_SEARCH_KEY_SAMPLE = 0x5345415243480001ULL, /* random / halving / bayes init */
    FW_SEARCH_KEY_EI = 0x5345415243480002ULL,     /* bayes candidate sets */
};

typedef struct fw_proposer {
    const char *name;
    /* Strategy-specific checks of the spec against built spaces (called by
     * fw_search_check after the common ones), or NULL. */
    int (*check)(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                 fw_err *e);
    /* Set up s->state; may append candidates at once (grid, random) and
     * set s->done. */
    int (*init)(fw_search *s, fw_err *e);
    /* Append the next batch (called only when every candidate handed out
     * has been told and s->done is 0); set s->done when nothing will follow
     * this batch. Appending nothing ends the search. NULL: proposes
     * everything in init. */
    int (*next)(fw_search *s, fw_err *e);
    void (*free_state)(void *state);
} fw_proposer;

extern const fw_proposer fw_proposer_grid;
extern const fw_proposer fw_proposer_random;
extern const fw_proposer fw_proposer_bayes;
extern const fw_proposer fw_proposer_halving;

struct fw_search {
    fw_search_spec spec;
    const fw_space *spaces;   /* borrowed */
    size_t n_spaces;
    int greater_is_better;
    uint64_t seed;
    fw_cand *cands;
    double *scores;           /* NaN until told (and for failures) */
    unsigned char *told;
    size_t n_cands, cap;
    size_t asked;             /* cands [0, asked) were handed out by ask */
    size_t n_told;
    int done;                 /* the proposer will append nothing more */
    const fw_proposer *prop;
    void *state;
};

/* Append a candidate (vals copied: the model's n_params values). */
int fw_search_cand_push(fw_search *s, size_t space, const fw_pval *vals, int rung,
                        double resource, fw_err *e);
/* Append every point of finite space k in grid order (rung 0). */
int fw_search_push_all(fw_search *s, size_t k, fw_err *e);
/* Score of a told candidate oriented so that larger is better (NaN kept). */
double fw_search_gain(const fw_search *s, size_t id);

/* ---- dimensions (space.c) ---------------------------------------------- */

/* The dims of a space sorted by parameter name (byte order, as scikit-
 * learn's ParameterGrid sorts keys): order[0..n_dims). */
void fw_space_dim_order(const fw_space *sp, size_t *order);
/* Number of distinct values of a dim: lists and sequences, and the
 * integers of int/logint; 0 for uniform/loguniform. */
double fw_dim_count(const fw_dim *d);
/* Value i (< fw_dim_count) of a finite dim. */
void fw_dim_value(const fw_dim *d, double i, fw_pval *out);
/* Distinct points of a space counting int ranges, INFINITY when a dim is
 * continuous. */
double fw_space_finite_size(const fw_space *sp);
/* Point `index` of the finite space in grid order (order[] from
 * fw_space_dim_order, last dim varying fastest); vals gets the defaults and
 * then every dim. */
void fw_space_point(const fw_space *sp, const size_t *order, double index, fw_pval *vals);
/* One random value of a dim: lists uniformly, uniform/int with inclusive
 * integer bounds, loguniform/logint in log space. */
void fw_dim_draw(const fw_dim *d, gsl_rng *r, fw_pval *out);
/* A random point: defaults, then each dim in `order`. */
void fw_space_draw(const fw_space *sp, const size_t *order, gsl_rng *r, fw_pval *vals);

/* ---- sets of configurations (search.c) --------------------------------- */

/* Same value, bitwise (choice index and number). */
int fw_pval_same(const fw_pval *a, const fw_pval *b);

/* Hash set of configurations of one model (n_params values each), for
 * de-duplication. Values are compared bitwise. */
typedef struct fw_cfgset fw_cfgset;
fw_cfgset *fw_cfgset_alloc(size_t n_params);
/* 1 when vals was already there, 0 when added, -1 when out of memory. */
int fw_cfgset_add(fw_cfgset *set, const fw_pval *vals);
int fw_cfgset_has(const fw_cfgset *set, const fw_pval *vals);
void fw_cfgset_free(fw_cfgset *set);

/* Sample up to `trials` distinct configurations of space k from r and
 * append them (rung 0, resource 0): a finite space with at most `trials`
 * points is taken whole, in grid order (one fw_warn). Used by random and
 * halving. */
int fw_search_sample_space(fw_search *s, size_t k, long trials, gsl_rng *r, fw_err *e);
/* fw_search_sample_space for every space, each from its stream keyed on
 * (seed, FW_SEARCH_KEY_SAMPLE, space index). */
int fw_search_sample_all(fw_search *s, fw_err *e);

#endif
