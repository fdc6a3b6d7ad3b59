/* store.h: what survives a run: the journal (append-only, checksummed,
 * synced before a result counts as done) and the HDF5 results file built
 * from it.
 *
 * Journal file: a header (magic, version, the run's result hash, data hash
 * and config hash, a checksum), then records:
 *   u32 magic | u32 payload length | u64 task key | u64 XXH3-64 | payload
 * where the checksum covers key and payload. Reading drops a torn last
 * record with a warning (a crash while appending) and refuses a damaged
 * record anywhere else, naming its byte offset.
 */
#ifndef FOLDWISE_STORE_H
#define FOLDWISE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"

typedef struct fw_journal_hdr {
    uint64_t result_hash;   /* what finished tasks' results depend on */
    uint64_t data_hash;
    uint64_t config_hash;   /* the whole config text, for information  */
} fw_journal_hdr;

typedef struct fw_journal fw_journal;

/* Create a new journal at path (resume = 0; an existing file is replaced),
 * or open an existing one for resuming (resume = 1): its header must match
 * hdr's result and data hashes, its records are indexed by key, and a torn
 * tail is cut off before appending. */
int fw_journal_open(const char *path, const fw_journal_hdr *hdr, int resume, fw_journal **out,
                    fw_err *e);
/* The payload recorded for key, or 0 when none (first record wins). */
int fw_journal_lookup(const fw_journal *j, uint64_t key, const void **p, size_t *n);
size_t fw_journal_count(const fw_journal *j);
/* Queue a record; it is durable only after fw_journal_sync returns FW_OK. */
int fw_journal_append(fw_journal *j, uint64_t key, const void *p, size_t n, fw_err *e);
/* Write the queued records and fdatasync: one sync for a batch. FW_EIO
 * (disk full, ...) leaves every record synced before intact. */
int fw_journal_sync(fw_journal *j, fw_err *e);
void fw_journal_close(fw_journal *j);

/* Read a journal without opening it for writing (report, status): calls
 * fn for every intact record in file order. hdr receives the header. */
typedef int (*fw_journal_fn)(void *arg, uint64_t key, const void *p, size_t n);
int fw_journal_scan(const char *path, fw_journal_hdr *hdr, fw_journal_fn fn, void *arg,
                    size_t *n_records, fw_err *e);

/* ---- the results of a run ---------------------------------------------- */

/* Everything a run's reports show, in one plain structure: built from the
 * task graph at the end of a run (report layer, fw_results_from_plan),
 * written to and read back from results.h5 (this layer), and rendered into
 * cv_results.csv, summary.json, predictions.csv, report.html and report.md
 * (report layer). `foldwise report DIR` re-renders from results.h5. All
 * strings and arrays are owned by the structure (fw_results_free). NaN
 * marks a missing number. */

typedef struct fw_trial {
    char *model;            /* model name                                     */
    size_t space;           /* index of its entry in the config's models      */
    char **param_text;      /* per param column: text ("" when not the model's) */
    double *param_num;      /* per param column: the number, NaN if a name    */
    char *params_json;      /* {"C": 1.0, "penalty": "l2"}                    */
    int status;             /* FW_RS_*: ok, failed, timeout, partial (plan.h) */
    int rung;               /* halving rung (0 otherwise)                     */
    double resource;        /* halving resource (0 = full)                    */
    int not_converged;      /* splits that stopped at max_iter                */
    char *message;          /* first failure or warning, or NULL              */
    double *test, *train;   /* n_splits x n_metrics (row-major by split)      */
    double *mean_test, *std_test, *mean_train, *std_train;  /* n_metrics     */
    long *rank;             /* n_metrics                                      */
    double mean_fit_time, std_fit_time, mean_score_time, std_score_time;
} fw_trial;

typedef struct fw_outer_row {
    size_t split;
    int status;
    double *test;           /* n_metrics                                      */
    char *model;            /* chosen on the inner splits, or NULL            */
    char *params_json;
    char *message;
} fw_outer_row;

/* Out-of-split predictions of one configuration on one split. */
typedef struct fw_pred_block {
    char *model;
    long config;            /* trial index (cv_results.csv row)               */
    size_t repeat, split;   /* split = fold within the repeat                 */
    size_t n, width;        /* rows; values per row (classes, or 1)           */
    uint32_t *row;          /* dataset rows                                   */
    double *y_true;         /* class code or value                            */
    double *value;          /* n x width: class scores, or the prediction     */
    int is_proba;           /* values are probabilities                       */
} fw_pred_block;

/* One point of the learning curve: the chosen configuration fitted on a
 * fraction of every outer split's training rows. */
typedef struct fw_curve_row {
    double frac;            /* fraction of the training rows, in (0, 1]      */
    size_t n_train;         /* training rows at this fraction (first split)  */
    double *test, *train;   /* n_splits x n_metrics (row-major by split), NaN
                               where a fit failed                             */
} fw_curve_row;

/* One configuration of a nested run's inner search (outer split `outer`). */
typedef struct fw_inner_row {
    size_t outer;           /* outer split                                    */
    char *model;
    char *params_json;
    int status;             /* FW_RS_*, or 3 = partial                        */
    size_t n_splits;        /* inner splits                                   */
    double *mean_test, *std_test;  /* n_metrics, NaN when a split failed      */
    double *test;           /* n_splits x n_metrics (row-major by split)      */
} fw_inner_row;

typedef struct fw_results {
    /* run */
    char *name, *config_text, *config_path, *cmdline, *host, *data_path;
    char *state;            /* "finished" or "stopped"                        */
    uint64_t seed, data_hash;
    int ranks;
    double start_epoch, end_epoch, elapsed_s, search_s;
    char *v_foldwise, *v_mpi, *v_gsl, *v_hdf5, *v_yaml;
    size_t tasks_total, tasks_done, tasks_failed, tasks_resumed;
    /* data */
    int task;               /* FW_TASK_CLASSIFICATION / REGRESSION            */
    char *target;
    size_t n_samples, n_features;
    char **classes;
    size_t n_classes;
    int positive;
    char **features;        /* n_features names                               */
    /* scores */
    char **metrics;
    size_t n_metrics;
    int *greater_is_better; /* per metric                                     */
    size_t n_splits, k, repeats;
    char **param_cols;      /* param_<name> columns of cv_results.csv         */
    size_t n_param_cols;
    fw_trial *trials;       /* the flat search, in configuration-id order     */
    size_t n_trials;
    long best;              /* trial chosen by the refit rule, -1 = none      */
    char *refit;            /* "best", "one_se" or "none"                     */
    long *best_of_model;    /* per entry of `models:`, -1 = none              */
    size_t n_models;
    fw_outer_row *outer;    /* nested CV (empty without cv.inner)             */
    size_t n_outer;
    fw_pred_block *preds;
    size_t n_preds;
    /* the model refitted on all rows (with its preprocessing), for predict */
    void *model_blob;
    size_t model_len;
    char *model_name, *model_params_json;
    /* diagnose.learning_curve (n_curve = 0 without it): points in the
     * config's order, for trial curve_trial (meaningful when n_curve > 0) */
    fw_curve_row *curve;
    size_t n_curve;
    long curve_trial;
    /* Importances of the refitted model (model_blob) when its type has
     * them: impurity (trees, forests) or gain (hist_gbdt), one per column
     * it was fitted on (the preprocessing's output columns), summing to 1
     * (all 0 when no tree split). n_importances = 0 otherwise. */
    char **importance_names;
    double *importances;
    size_t n_importances;
    /* Nested CV: every outer split's inner-search configurations, by outer
     * split then configuration id (empty without cv.inner). */
    fw_inner_row *inner;
    size_t n_inner;
    /* The refitted model's out-of-bag score (random_forest, extra_trees
     * with oob_score: true): accuracy or R^2 on the rows each tree left
     * out; has_oob = 0 otherwise. */
    int has_oob;
    double model_oob;
} fw_results;

void fw_results_free(fw_results *r);

/* results.h5 (schema: docs/results.md): written to PATH.tmp, synced and
 * renamed into place. Every dataset carries a checksum of its values and
 * the root one of the whole structure. FW_EIO when it cannot be written
 * (the temporary file is removed); FW_EINVAL for a structure it cannot
 * hold (no metric, a count without its array, a parameter name with '/'). */
int fw_results_write_h5(const fw_results *r, const char *path, fw_err *e);
/* Read one back into *out (free with fw_results_free): equal, field by
 * field and bit for bit, to what was written. The file is parsed in a
 * forked child (HDF5 1.10 may crash or loop on a damaged file), so call
 * this before MPI is initialised. A missing, damaged or foreign file is
 * FW_EINVAL naming the dataset at fault (or "not a readable results
 * file" when the library crashed or hung); *out is then NULL. */
int fw_results_read_h5(const char *path, fw_results **out, fw_err *e);

#endif /* FOLDWISE_STORE_H */
