/* models_int.h: the model types, for the registry (not public API). */
#ifndef FOLDWISE_MODELS_INT_H
#define FOLDWISE_MODELS_INT_H

#include "foldwise/model.h"

extern const fw_model_type fw_model_dummy;
extern const fw_model_type fw_model_test_fail;
extern const fw_model_type fw_model_linear;
extern const fw_model_type fw_model_ridge;
extern const fw_model_type fw_model_lasso;
extern const fw_model_type fw_model_elastic_net;
extern const fw_model_type fw_model_gaussian_nb;
extern const fw_model_type fw_model_knn;
extern const fw_model_type fw_model_tree;
extern const fw_model_type fw_model_random_forest;
extern const fw_model_type fw_model_extra_trees;
extern const fw_model_type fw_model_logreg;
extern const fw_model_type fw_model_linear_svm;

#endif
