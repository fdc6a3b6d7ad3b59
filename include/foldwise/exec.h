/* exec.h: running one task: a pure function, task + shared dataset ->
 * result. No MPI here: the schedulers call it.
 *
 * The first step of every fit is the design of a split: the per-fold
 * preprocessing fitted on the training rows and applied to both sides, then
 * resampling of the training side. With no preprocessing the design is the
 * shared dataset itself plus index sets: nothing is copied.
 */
#ifndef FOLDWISE_EXEC_H
#define FOLDWISE_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "foldwise/core.h"
#include "foldwise/data.h"
#include "foldwise/model.h"
#include "foldwise/plan.h"
#include "foldwise/prep.h"

/* The matrices a model trains and predicts on for one split. */
typedef struct fw_design {
    fw_fit_data fit;         /* X, training rows, y, w, task, classes */
    const size_t *eval;      /* rows of fit.X to predict: the test rows */
    size_t n_eval;
    fw_prep *prep;           /* the fitted preprocessing (NULL = identity) */
    /* owned buffers (NULL when the design borrows the dataset) */
    double *own_X, *own_y, *own_w;
    size_t *own_rows;
    char **own_names;
} fw_design;

/* Build the design for training rows `train` and test rows `test` of d.
 * rng drives resampling (the task's stream). Release with
 * fw_design_free. */
int fw_design_build(const fw_dataset *d, const fw_prep_spec *prep, const size_t *train,
                    size_t n_train, const size_t *test, size_t n_test, gsl_rng *rng,
                    fw_design *out, fw_err *e);
void fw_design_free(fw_design *g);

/* Predicted class codes from an n x k score matrix: argmax, lowest index on
 * ties (numpy's argmax, as scikit-learn's predict). */
void fw_argmax_rows(const double *score, size_t n, size_t k, double *out);

/* ---- running tasks -------------------------------------------------- */

/* Per-worker executor state: the run's config, dataset and splits, plus
 * caches reused across tasks. Borrows c, d and cv. */
typedef struct fw_exec fw_exec;

int fw_exec_alloc(const fw_config *c, const fw_dataset *d, fw_cv *cv, fw_exec **out, fw_err *e);
void fw_exec_free(fw_exec *x);
/* A flag that, once raised, makes running fits stop at their next deadline
 * poll (the scheduler's last resort after a stop signal). */
void fw_exec_set_stop(fw_exec *x, volatile sig_atomic_t *stop);

/* Run task t into r (allocated here; free with fw_result_free). A model's
 * failure or timeout is a result (status and message per candidate), not an
 * error: the return value is an error only when the task itself cannot run
 * (out of memory, a task that does not match the config). */
int fw_exec_run(fw_exec *x, const fw_task *t, fw_result *r, fw_err *e);

/* Complete fit task t from the results of its member tasks (in member
 * order): their parts are added exactly and combined into the forest's
 * predictions, which are scored like any fit. A failed member fails the
 * fit with its message. r is allocated here (fw_result_free). */
int fw_exec_combine(fw_exec *x, const fw_task *t, const fw_result *members, size_t n,
                    fw_result *r, fw_err *e);

/* ---- fitted models for `foldwise predict` ------------------------------- */

/* Serialise a fitted model with its preprocessing (prep may be NULL). */
int fw_model_blob_save(const fw_model *m, const fw_prep *prep, fw_sb *out, fw_err *e);
/* Read one back: *m fitted, *prep NULL when the run had none. */
int fw_model_blob_load(const void *buf, size_t n, fw_model **m, fw_prep **prep, fw_err *e);

#endif /* FOLDWISE_EXEC_H */
