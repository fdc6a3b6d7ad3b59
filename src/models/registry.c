/* registry.c: every model foldwise knows, one line each. */
#include "foldwise/model.h"
#include "models_int.h"

const fw_model_type *const fw_models[] = {
    &fw_model_dummy,
    &fw_model_linear,
    &fw_model_ridge,
    &fw_model_lasso,
    &fw_model_elastic_net,
    &fw_model_gaussian_nb,
    &fw_model_knn,
    &fw_model_test_fail,
    &fw_model_tree,
    &fw_model_random_forest,
    &fw_model_extra_trees,
    &fw_model_logreg,
    &fw_model_linear_svm,
    NULL,
};
