/* search.h: parameter spaces, search strategies (proposers) and refit rules.
 *
 * A space is one entry of the config's `models:` list: a model and, per
 * parameter, a fixed value, a list of choices, an open distribution or a
 * sequence. The same model listed twice gives two spaces (conditional
 * parameters, as scikit-learn's list of grids).
 *
 * A search proposes candidates (space + full parameter vector) in batches.
 * Grid and random propose everything up front; bayes and halving propose
 * again once every candidate of the previous batch has a result. Proposals
 * depend only on the set of results told (by candidate id), never on their
 * arrival order, so a run is the same for any rank count.
 */
#ifndef FOLDWISE_SEARCH_H
#define FOLDWISE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"
#include "foldwise/model.h"

typedef enum fw_dist_kind {
    FW_DIST_FIXED,      /* a scalar                        */
    FW_DIST_CHOICE,     /* a list                          */
    FW_DIST_UNIFORM,    /* {uniform: [a, b]}               */
    FW_DIST_LOGUNIFORM, /* {loguniform: [a, b]}            */
    FW_DIST_INT,        /* {int: [a, b]} inclusive         */
    FW_DIST_LOGINT,     /* {logint: [a, b]} inclusive      */
    FW_DIST_LINSPACE,   /* {linspace: [a, b, n]}           */
    FW_DIST_LOGSPACE    /* {logspace: [a, b, n]} values, not exponents */
} fw_dist_kind;

extern const char *const fw_dist_names[];  /* indexed by fw_dist_kind */

/* One parameter's search dimension as written in the config. */
typedef struct fw_dim {
    char *name;
    fw_dist_kind kind;
    char **texts;       /* FIXED (1) / CHOICE (n) values as written */
    size_t n_texts;
    double a, b;        /* distributions and sequences */
    long n;             /* sequences: number of values */
    long line, col;     /* where in the config file */
    /* Filled by fw_space_build: */
    size_t param;       /* index in the model's schema */
    fw_pval *values;    /* FIXED/CHOICE/LINSPACE/LOGSPACE expanded */
    size_t n_values;
} fw_dim;

typedef struct fw_space {
    char *model_name;
    fw_dim *dims;
    size_t n_dims;
    long line, col;
    const char *file;   /* config path, for messages (borrowed) */
    /* Filled by fw_space_build: */
    const fw_model_type *model;
} fw_space;

/* Resolve the model and parameter names ("did you mean"), parse and range-
 * check every value. Errors carry the config's line and column. When
 * s->model is already set on entry it is used as is (tests, tools: a model
 * outside the registry) and model_name may be NULL. On failure the space
 * is left safe to free. */
int fw_space_build(fw_space *s, fw_err *e);
/* Frees the contents (model_name, dims and their names, texts and values,
 * all malloc'ed by whoever filled the space), not s itself. NULL is fine. */
void fw_space_free(fw_space *s);
/* Number of grid points, or 0 when the space has an open distribution. */
double fw_space_grid_size(const fw_space *s);

enum { FW_SEARCH_GRID = 0, FW_SEARCH_RANDOM, FW_SEARCH_BAYES, FW_SEARCH_HALVING };
extern const char *const fw_search_names[];  /* indexed by the enum, NULL-terminated */
enum { FW_RESOURCE_N_SAMPLES = 0, FW_RESOURCE_N_TREES, FW_RESOURCE_ITERATIONS };
extern const char *const fw_resource_names[];

/* Config `search:`. */
typedef struct fw_search_spec {
    int strategy;
    long trials;        /* random/bayes: configurations per space; default 20 */
    long batch;         /* bayes: configurations per proposal; default 8 */
    double max_grid;    /* grid: refuse larger expansions; default 100000 */
    double warn_grid;   /* grid: warn above; default 10000 */
    double factor;      /* halving: default 3 */
    int resource;       /* halving: FW_RESOURCE_* */
    double min_resource;/* halving: smallest resource; default 100 samples / 10 trees or
                           iterations (0 or NaN = that default) */
    /* halving with resource n_samples: the number of training rows of the
     * split the search runs on (the planner knows it, the search does not);
     * required by fw_search_alloc, checked by fw_search_check when > 0.
     * Ignored for n_trees / iterations (the maximum is the value of that
     * parameter in each space). */
    double max_resource;
} fw_search_spec;

/* The defaults above (min_resource 0 = 100 samples or 10 trees/iterations,
 * max_resource 0 = unknown). Strategy random. */
void fw_search_spec_defaults(fw_search_spec *spec);

/* A candidate configuration. */
typedef struct fw_cand {
    size_t space;       /* index into the spaces */
    fw_pval *vals;      /* model->n_params values, defaults filled */
    int rung;           /* halving rung, 0 otherwise */
    double resource;    /* halving: samples, trees or iterations at this rung; 0 = full.
                           For n_trees / iterations the value is also in vals. */
} fw_cand;

typedef struct fw_search fw_search;

/* Check the spec against the spaces (grid with open distributions, grid too
 * large, halving resource the models lack) before any work. */
int fw_search_check(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                    fw_err *e);
/* spaces are borrowed and must outlive the search. */
int fw_search_alloc(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                    int greater_is_better, uint64_t seed, fw_search **out, fw_err *e);
/* The next candidates, as ids into the search's candidate list: [*first,
 * *first + *n). *finished is set once nothing more will be proposed. When
 * the proposer waits for results, *n is 0 and *finished 0. */
int fw_search_ask(fw_search *s, size_t *first, size_t *n, int *finished, fw_err *e);
/* The mean score of candidate id over its splits (NaN when it failed).
 * Call once per candidate, in any order. */
int fw_search_tell(fw_search *s, size_t id, double score, fw_err *e);
size_t fw_search_n_cands(const fw_search *s);
const fw_cand *fw_search_cand(const fw_search *s, size_t id);
void fw_search_free(fw_search *s);

/* Same parameter values (bitwise) in the same space. */
int fw_cand_equal(const fw_space *spaces, const fw_cand *a, const fw_cand *b);

/* ---- refit rules ------------------------------------------------------ */

enum { FW_REFIT_BEST = 0, FW_REFIT_ONE_SE, FW_REFIT_NONE };
extern const char *const fw_refit_names[];

/* Pick a candidate from mean and standard deviation of scores over n_splits
 * splits. best: the best mean, lowest id on ties (scikit-learn's
 * best_index_). one_se: among candidates of the best one's space whose mean
 * is within one standard error (std / sqrt(n_splits)) of the best, the one
 * with the lowest model complexity; ties go to the better mean, then lower
 * id. Candidates with a NaN mean are skipped. Halving: when some usable
 * candidate has rung > 0, only those of the highest rung compete (scikit-
 * learn's successive halving picks from its last iteration). A model
 * without complexity() makes one_se fall back to best (one fw_warn per
 * model and process). Returns -1 when none is usable, and for
 * FW_REFIT_NONE. */
long fw_refit_choose(int rule, const fw_space *spaces, const fw_cand *const *cands,
                     const double *means, const double *stds, size_t n, size_t n_splits,
                     int greater_is_better);

#endif /* FOLDWISE_SEARCH_H */
