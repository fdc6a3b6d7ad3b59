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

#endif /* FOLDWISE_EXEC_H */
