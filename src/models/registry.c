/* registry.c: every model foldwise knows, one line each. */
#include "foldwise/model.h"
#include "models_int.h"

const fw_model_type *const fw_models[] = {
    &fw_model_dummy,
    &fw_model_tree,
    &fw_model_random_forest,
    &fw_model_extra_trees,
    NULL,
};
