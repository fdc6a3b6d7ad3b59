/* plan.h: from a config to a task graph, and the plain task and result
 * types that the executor, the schedulers, the journal and the reports
 * share.
 *
 * The graph is owned by one coordinator (the serial scheduler, or rank 0).
 * It starts from the search contexts: the flat search on the outer splits
 * (context 0, which gives cv_results.csv and `best`) and, with cv.inner,
 * one nested search per outer split (context 1 + o) on that split's inner
 * splits. A context asks its proposer for candidates, plans fit tasks for
 * them on its splits, and tells the proposer each candidate's mean once all
 * its splits are done (so bayes and halving see complete candidates, in any
 * arrival order). Follow-up tasks are released as their inputs complete:
 * the refit-and-score of each outer split's chosen configuration (nested
 * CV), out-of-split predictions of each model's best configuration, and the
 * final refit on all rows. Learning-curve points, permutation-importance
 * repeats and ensemble members are task kinds of the same graph.
 *
 * Every task has a stable key: a hash of everything that determines its
 * result (data hash, preprocessing, splits, seed, metrics, candidates). The
 * journal stores results by key, so --resume reuses exactly the finished
 * tasks that the current plan still contains.
 */
#ifndef FOLDWISE_PLAN_H
#define FOLDWISE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"
#include "foldwise/data.h"
#include "foldwise/model.h"
#include "foldwise/prep.h"
#include "foldwise/search.h"
#include "foldwise/split.h"

/* ---- the config ------------------------------------------------------- */

enum { FW_PRED_BEST = 0, FW_PRED_ALL, FW_PRED_NONE };
extern const char *const fw_predictions_names[];

typedef struct fw_config {
    char *path;              /* the config file (for messages)            */
    char *text;              /* its text, with --set overrides listed     */
    char *name;
    uint64_t seed;
    fw_data_opts data;
    fw_prep_spec prep;
    fw_split_spec outer, inner;
    int has_inner;
    char **metrics;          /* the first is optimised; none given: accuracy
                                (classification) or r2 (regression), as
                                scikit-learn's default score */
    size_t n_metrics;
    int refit;               /* FW_REFIT_*                                */
    fw_search_spec search;
    fw_space *spaces;        /* one per entry of `models:`                */
    size_t n_spaces;
    struct {
        char *kind, *meta;
        long top;
        int set;
    } ensemble;
    struct {
        double *learning_curve;
        size_t n_learning_curve;
        long importance_repeats;
        int drift;
        int set;
        /* learning_curve_shuffle: false: each fraction takes the first rows
         * of the split's training rows (scikit-learn's learning_curve
         * default), instead of the first rows of a fixed permutation. */
        int learning_curve_first_rows;
    } diagnose;
    struct {
        char *dir;
        int overwrite;
        double progress_s;
        int predictions;     /* FW_PRED_* */
    } output;
    struct {
        double task_timeout_s;
        long member_trees;   /* trees per member task; 0 = never split */
    } limits;
    /* Where each key of the config file is (dotted path, e.g. "data.target"),
     * so errors found later (in the data, in the models) can point at it. */
    struct fw_keypos {
        char *key;
        long line, col;
    } *keypos;
    size_t n_keypos;
    /* Hash of what determines every task's result except the candidates:
     * seed, data options, preprocessing, splits, metrics. A journal from a
     * run with another value cannot be resumed. */
    uint64_t result_hash;
} fw_config;

/* Position of a key in the config file: 1 (and line, col), or 0. */
int fw_config_keypos(const fw_config *c, const char *key, long *line, long *col);
/* Point an error found outside the config (data, models) at the config key
 * its message starts with ("data.target: ..."), keeping the file it names
 * in the message. */
void fw_config_locate_error(const fw_config *c, fw_err *e);

/* Defaults as CONTRACT.md states them. */
void fw_config_init(fw_config *c);
void fw_config_free(fw_config *c);
/* Checks that need no data: metric names, search spec against spaces,
 * refit none with nested CV, features not built yet. */
int fw_config_check(fw_config *c, fw_err *e);
/* Checks against the loaded data (task vs metrics and models, roles the
 * splitters need, every candidate's model check), then result_hash. */
int fw_config_check_data(fw_config *c, const fw_dataset *d, fw_err *e);

/* ---- splits of a run --------------------------------------------------- */

/* The outer splits of the run and, lazily, the inner splits of each outer
 * split. Every rank computes the same splits from the seed; tasks carry
 * split numbers, never rows. */
typedef struct fw_cv fw_cv;

int fw_cv_alloc(const fw_config *c, const fw_dataset *d, fw_cv **out, fw_err *e);
const fw_splits *fw_cv_outer(const fw_cv *cv);
/* Inner splits of outer split o (computed on first use). */
int fw_cv_inner(fw_cv *cv, size_t o, const fw_splits **out, fw_err *e);
void fw_cv_free(fw_cv *cv);

/* ---- tasks --------------------------------------------------------------- */

typedef enum fw_task_kind {
    FW_TK_FIT = 0,      /* fit a batch of candidates on one split, score train/test */
    FW_TK_OUTER,        /* nested CV: chosen candidate on an outer split            */
    FW_TK_PREDICT,      /* a model's best candidate on an outer split: predictions  */
    FW_TK_REFIT,        /* chosen candidate on all rows, kept for `foldwise predict` */
    FW_TK_CURVE,        /* learning-curve point: a training fraction of a split     */
    FW_TK_IMPORTANCE,   /* permutation-importance repeat                            */
    FW_TK_MEMBER,       /* ensemble member block                                    */
    FW_TK_NKINDS
} fw_task_kind;

extern const char *const fw_task_kind_names[];

/* One candidate as a task carries it: the space (model entry), the full
 * parameter vector and the halving resource. */
typedef struct fw_task_cand {
    uint32_t space;
    uint32_t cand;          /* candidate id within the task's context      */
    double resource;        /* halving resource, 0 = full                  */
    const fw_pval *vals;    /* space's model->n_params values (borrowed)   */
} fw_task_cand;

typedef struct fw_task {
    uint32_t id;
    uint8_t kind;           /* fw_task_kind                                 */
    int32_t context;        /* search context: 0 flat, 1 + o nested in o    */
    int32_t outer;          /* outer split, -1 = all rows (refit)           */
    int32_t inner;          /* inner split within outer, -1 = none          */
    double train_frac;      /* learning curve: fraction of training rows    */
    uint32_t member;        /* importance repeat / member block             */
    uint32_t n_cand;
    fw_task_cand *cands;
    uint64_t key;
} fw_task;

/* Stable key of a fit of one candidate on one split: the model's random
 * stream is seeded from (seed, fit key), so a candidate gets the same fit
 * whichever task (batch, predict, resume) carries it. */
uint64_t fw_fit_key(const fw_config *c, const fw_space *sp, const fw_task *t,
                    const fw_task_cand *k);

/* Serialise a task (for MPI) and read it back; unpacked candidates point
 * into `vals_out`, an array the caller frees with fw_task_unpacked_free. */
void fw_task_pack(const fw_task *t, const fw_config *c, fw_sb *out);
int fw_task_unpack(const void *buf, size_t n, const fw_config *c, fw_task *t, fw_err *e);
void fw_task_unpacked_free(fw_task *t);

/* ---- results ------------------------------------------------------------ */

enum { FW_RS_OK = 0, FW_RS_FAILED, FW_RS_TIMEOUT };
extern const char *const fw_rs_names[];

/* One candidate's result on one task. */
typedef struct fw_cand_result {
    int status;             /* FW_RS_*                                        */
    double *test;           /* n_metrics scores on the test rows              */
    double *train;          /* n_metrics scores on the training rows          */
    double fit_time, score_time;
    int32_t n_iter, converged;
    uint32_t warn;          /* metric warning bits, OR over metrics           */
    char *message;          /* failure or convergence message, or NULL        */
} fw_cand_result;

typedef struct fw_result {
    uint32_t task;          /* task id                                        */
    uint64_t key;           /* task key                                       */
    uint8_t kind;
    uint32_t n_cand, n_metrics;
    fw_cand_result *c;
    /* Out-of-split predictions (FW_TK_PREDICT, or all fits with
     * output.predictions: all): n_pred rows (test rows, ascending) x width
     * values per candidate: class scores or one value. */
    uint32_t n_pred, width;
    uint32_t *pred_rows;
    double *pred;           /* n_cand x n_pred x width                        */
    /* FW_TK_REFIT: the fitted model and preprocessing, serialised. */
    void *model;
    size_t model_len;
} fw_result;

int fw_result_alloc(fw_result *r, uint32_t n_cand, uint32_t n_metrics);
void fw_result_free(fw_result *r);
void fw_result_pack(const fw_result *r, fw_sb *out);
int fw_result_unpack(const void *buf, size_t n, fw_result *r, fw_err *e);

/* ---- the graph ------------------------------------------------------------ */

typedef struct fw_plan fw_plan;

/* Build the initial graph (may already hold ready tasks). Borrows c, d, cv. */
int fw_plan_alloc(const fw_config *c, const fw_dataset *d, fw_cv *cv, fw_plan **out,
                  fw_err *e);
void fw_plan_free(fw_plan *p);

/* The next ready task not yet handed out, or NULL (none ready now). Ready
 * tasks are handed out longest-expected-first once timings of their model
 * are known, otherwise in id order. */
const fw_task *fw_plan_next(fw_plan *p);
const fw_task *fw_plan_task(const fw_plan *p, uint32_t id);
/* A task is ready to hand out. */
int fw_plan_has_ready(const fw_plan *p);
/* Record a task's result (the plan copies what it keeps); may release new
 * tasks. Results may arrive in any order. */
int fw_plan_complete(fw_plan *p, const fw_result *r, fw_err *e);
/* Member tasks. A forest of at least 2 x B trees (B = limits.member_trees,
 * default FW_MEMBER_BLOCK; a single candidate, no resampling) is fitted as
 * member tasks of B trees each (FW_TK_MEMBER, `member` = block index; the
 * last block takes the remainder), so one large forest spreads over many
 * ranks. Its fit task waits for them and is then completed by combining
 * their exact parts (fw_exec_combine): the result is bit-identical to
 * fitting the whole forest in one task. */
#define FW_MEMBER_BLOCK 100
/* The next fit task whose members are all done, with their results (in
 * member order, borrowed until the task completes), or NULL. The task
 * counts as handed out. */
const fw_task *fw_plan_next_combine(fw_plan *p, const fw_result **members, size_t *n);
/* Members of tree block `member` of a forest with n_trees trees, in blocks
 * of `block` trees. */
void fw_member_range(size_t member, size_t n_trees, size_t block, size_t *lo, size_t *hi);

/* Put a handed-out task back (a stop before it finished). */
void fw_plan_requeue(fw_plan *p, uint32_t id);
/* All tasks done and nothing more will be released. */
int fw_plan_finished(const fw_plan *p);

typedef struct fw_plan_stats {
    size_t total, done, failed, running, resumed;
} fw_plan_stats;
void fw_plan_stats_get(const fw_plan *p, fw_plan_stats *s);
/* Count a completed task as taken from the journal. */
void fw_plan_mark_resumed(fw_plan *p);
/* Best mean so far per space (NaN when none), for progress lines. */
double fw_plan_best_so_far(const fw_plan *p, size_t space);

/* ---- what the reports read ------------------------------------------------- */

/* One row of cv_results.csv: a candidate of the flat search. */
typedef struct fw_row {
    size_t space;
    const fw_pval *vals;
    double resource;
    int status;             /* FW_RS_*, or 3 = partial (some splits failed) */
    size_t n_splits;        /* outer splits */
    const double *test;     /* n_splits x n_metrics, NaN where failed       */
    const double *train;
    double *mean_test, *std_test, *mean_train, *std_train;  /* n_metrics    */
    long *rank;             /* n_metrics                                    */
    double mean_fit_time, std_fit_time, mean_score_time, std_score_time;
    int not_converged;      /* splits that stopped at max_iter              */
    const char *message;    /* first failure message                        */
} fw_row;

enum { FW_RS_PARTIAL = 3 };

/* Rows of the flat search in candidate order, aggregated in split order. */
size_t fw_plan_rows(fw_plan *p, const fw_row **rows);
/* Index of the best row by the refit rule on the first metric, or -1. */
long fw_plan_best(const fw_plan *p);
/* Best row of a space, or -1. */
long fw_plan_best_of_space(const fw_plan *p, size_t space);

typedef struct fw_outer_result {
    size_t split;
    int status;
    double *test;           /* n_metrics */
    size_t space;
    const fw_pval *vals;
    const char *message;
} fw_outer_result;
/* Nested CV: one entry per outer split (empty without cv.inner). */
size_t fw_plan_outer(const fw_plan *p, const fw_outer_result **out);
/* Learning curve (diagnose.learning_curve): for the configuration the
 * refit rule chose in the flat search, each fraction of every outer
 * split's training rows (a nested subsample: the first rows of a fixed
 * permutation), scored on those rows and on the split's test rows. */
typedef struct fw_curve_point {
    double frac;
    size_t n_train;         /* training rows at this fraction (every split) */
    double *test, *train;   /* n_splits x n_metrics, NaN where failed        */
    size_t n_splits;
} fw_curve_point;
/* The curve's points in fraction order (0 without diagnose.learning_curve
 * or before the flat search finished), and the candidate they are for. */
size_t fw_plan_curve(const fw_plan *p, const fw_curve_point **out, long *cand);
/* Training rows of a learning-curve fit, scikit-learn's rule
 * (learning_curve): floor(frac x the first outer split's training rows),
 * at least 1, the same count for every split (at most that split's). */
size_t fw_curve_n_train(double frac, size_t n_first, size_t n_split);

/* Predictions collected (FW_TK_PREDICT results, and all fits with
 * predictions: all), in task order. */
size_t fw_plan_predictions(const fw_plan *p, const fw_result *const **out);
/* The final refit result (model bytes), or NULL. */
const fw_result *fw_plan_refit(const fw_plan *p);
/* The run's outer splits. */
const fw_splits *fw_plan_outer_splits(const fw_plan *p);
/* Inner-search rows of nested context 1 + o (for results.h5). */
size_t fw_plan_context_rows(fw_plan *p, size_t context, const fw_row **rows);

#endif /* FOLDWISE_PLAN_H */
