/* gp.h: a small Gaussian-process regressor for the bayes proposer (internal).
 *
 * Inputs live in the unit cube, one coordinate per searched parameter;
 * categorical coordinates hold a category index and contribute distance 0
 * (same) or 1 (different). Kernel: Matern 5/2 with one (ARD) length scale
 * per coordinate, a signal variance and a noise variance, fitted by
 * maximising the log marginal likelihood plus weak log-normal priors (a MAP
 * estimate, which keeps length scales finite with few points) with GSL's
 * BFGS from three fixed starts. Targets are standardised inside. */
#ifndef FOLDWISE_SEARCH_GP_H
#define FOLDWISE_SEARCH_GP_H

#include <stddef.h>

#include "foldwise/core.h"

typedef struct fw_gp fw_gp;

/* d input coordinates; cat[j] nonzero marks categorical ones (copied).
 * NULL when out of memory. */
fw_gp *fw_gp_alloc(size_t d, const unsigned char *cat);
/* Fit hyperparameters and posterior to n points x (n x d, row-major) and
 * targets y. FW_ESINGULAR when no start gives a positive-definite
 * covariance, FW_ENOMEM. */
int fw_gp_fit(fw_gp *g, const double *x, const double *y, size_t n, fw_err *e);
/* Add one point with hyperparameters and standardisation kept (kriging
 * believer fantasies); y in standardised units, as fw_gp_predict gives. */
int fw_gp_add(fw_gp *g, const double *x, double y, fw_err *e);
/* Posterior mean and standard deviation of the latent function at x, in
 * standardised units (comparable with fw_gp_ymax). */
void fw_gp_predict(fw_gp *g, const double *x, double *mean, double *sd);
/* Largest standardised target (fantasies included). */
double fw_gp_ymax(const fw_gp *g);
/* Fitted length scale of coordinate j (for tests and debugging). */
double fw_gp_length_scale(const fw_gp *g, size_t j);
void fw_gp_free(fw_gp *g);

#endif
