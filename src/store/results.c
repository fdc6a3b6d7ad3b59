/* results.c: freeing the run's results structure (store.h). */
#include <stdlib.h>

#include "foldwise/store.h"

static void free_strs(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

static void free_trial(fw_trial *t, size_t n_cols)
{
    free(t->model);
    free_strs(t->param_text, n_cols);
    free(t->param_num);
    free(t->params_json);
    free(t->message);
    free(t->test), free(t->train);
    free(t->mean_test), free(t->std_test), free(t->mean_train), free(t->std_train);
    free(t->rank);
}

void fw_results_free(fw_results *r)
{
    if (!r)
        return;
    free(r->name), free(r->config_text), free(r->config_path), free(r->cmdline);
    free(r->host), free(r->data_path), free(r->state);
    free(r->v_foldwise), free(r->v_mpi), free(r->v_gsl), free(r->v_hdf5), free(r->v_yaml);
    free(r->target);
    free_strs(r->classes, r->n_classes);
    free_strs(r->features, r->n_features);
    free_strs(r->metrics, r->n_metrics);
    free(r->greater_is_better);
    for (size_t i = 0; r->trials && i < r->n_trials; i++)
        free_trial(&r->trials[i], r->n_param_cols);
    free(r->trials);
    free_strs(r->param_cols, r->n_param_cols);
    free(r->refit);
    free(r->best_of_model);
    for (size_t i = 0; r->outer && i < r->n_outer; i++) {
        free(r->outer[i].test);
        free(r->outer[i].model);
        free(r->outer[i].params_json);
        free(r->outer[i].message);
    }
    free(r->outer);
    for (size_t i = 0; r->preds && i < r->n_preds; i++) {
        fw_pred_block *b = &r->preds[i];
        free(b->model), free(b->row), free(b->y_true), free(b->value);
    }
    free(r->preds);
    free(r->model_blob);
    free(r->model_name);
    free(r->model_params_json);
    for (size_t i = 0; r->curve && i < r->n_curve; i++)
        free(r->curve[i].test), free(r->curve[i].train);
    free(r->curve);
    free_strs(r->importance_names, r->n_importances);
    free(r->importances);
    for (size_t i = 0; r->inner && i < r->n_inner; i++) {
        fw_inner_row *x = &r->inner[i];
        free(x->model), free(x->params_json);
        free(x->mean_test), free(x->std_test), free(x->test);
    }
    free(r->inner);
    free(r);
}
