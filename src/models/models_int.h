/* models_int.h: the model types, for the registry (not public API). */
#ifndef FOLDWISE_MODELS_INT_H
#define FOLDWISE_MODELS_INT_H

#include "foldwise/model.h"

extern const fw_model_type fw_model_dummy;
extern const fw_model_type fw_model_logreg;
extern const fw_model_type fw_model_linear_svm;

#endif
