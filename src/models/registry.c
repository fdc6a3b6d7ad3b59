/* registry.c: every model foldwise knows, one line each. */
#include "foldwise/model.h"
#include "models_int.h"

const fw_model_type *const fw_models[] = {
    &fw_model_dummy,
    &fw_model_logreg,
    &fw_model_linear_svm,
    NULL,
};
