/* config.c: the run configuration's defaults, checks and result hash.
 * Parsing YAML into it is the CLI's job (src/cli/config_load.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/metrics.h"
#include "foldwise/plan.h"

const char *const fw_predictions_names[] = {"best", "all", "none", NULL};

void fw_config_init(fw_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 0;
    c->prep.smote_k = 5;
    c->prep.encode = FW_ENCODE_ONEHOT;
    strcpy(c->outer.kind, "kfold");
    c->outer.shuffle = -1;
    c->outer.test_size = NAN;
    c->inner = c->outer;
    c->refit = FW_REFIT_BEST;
    fw_search_spec_defaults(&c->search);
    c->output.progress_s = 10;
    c->output.predictions = FW_PRED_BEST;
    c->limits.task_timeout_s = 600;
    c->limits.member_trees = FW_MEMBER_BLOCK;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; l && i < n; i++)
        free(l[i]);
    free(l);
}

void fw_config_free(fw_config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->text);
    free(c->name);
    fw_data_opts *d = &c->data;
    free(d->path), free(d->format), free(d->target), free(d->features);
    free(d->groups), free(d->time), free(d->fold), free(d->weight);
    free(d->test), free(d->positive);
    free_list(d->drop, d->n_drop);
    free_list(d->missing, d->n_missing);
    free_list(d->categorical, d->n_categorical);
    free_list(d->numeric, d->n_numeric);
    free_list(c->metrics, c->n_metrics);
    for (size_t i = 0; i < c->n_spaces; i++)
        fw_space_free(&c->spaces[i]);
    free(c->spaces);
    free(c->ensemble.kind);
    free(c->ensemble.meta);
    free(c->diagnose.learning_curve);
    free(c->output.dir);
    for (size_t i = 0; i < c->n_keypos; i++)
        free(c->keypos[i].key);
    free(c->keypos);
    memset(c, 0, sizeof *c);
}

int fw_config_keypos(const fw_config *c, const char *key, long *line, long *col)
{
    for (size_t i = 0; i < c->n_keypos; i++) {
        if (strcmp(c->keypos[i].key, key) == 0) {
            *line = c->keypos[i].line;
            *col = c->keypos[i].col;
            return 1;
        }
    }
    return 0;
}

void fw_config_locate_error(const fw_config *c, fw_err *e)
{
    char key[128];
    long line, col;
    size_t n = strcspn(e->msg, ": ");
    if (e->line > 0 || n == 0 || n >= sizeof key || e->msg[n] != ':')
        return;
    memcpy(key, e->msg, n);
    key[n] = '\0';
    if (!fw_config_keypos(c, key, &line, &col))
        return;
    char msg[sizeof e->msg];
    if (e->file[0])
        snprintf(msg, sizeof msg, "%s (in %s)", e->msg, e->file);
    else
        snprintf(msg, sizeof msg, "%s", e->msg);
    fw_err_at(e, e->code, c->path, line, col, "%s", msg);
}

int fw_config_check(fw_config *c, fw_err *e)
{
    int rc;
    if (c->n_spaces == 0)
        return fw_err_at(e, FW_EINVAL, c->path, 0, 0, "models: at least one model is needed");
    if (c->has_inner && c->refit == FW_REFIT_NONE)
        return fw_err_at(e, FW_EINVAL, c->path, 0, 0,
                         "refit: none cannot be used with cv.inner: nested CV needs a rule to "
                         "choose each outer split's configuration (best or one_se)");
    if (c->ensemble.set)
        return fw_err_at(e, FW_EUNSUP, c->path, 0, 0,
                         "ensemble: ensembles are not built yet; remove the key for now");
    if (c->diagnose.importance_repeats || c->diagnose.drift)
        return fw_err_at(e, FW_EUNSUP, c->path, 0, 0,
                         "diagnose: permutation_importance and drift are not built yet; "
                         "learning_curve is (remove the others for now)");
    for (size_t i = 0; i < c->n_spaces; i++) {
        c->spaces[i].file = c->path;
        if ((rc = fw_space_build(&c->spaces[i], e)))
            return rc;
    }
    return fw_search_check(&c->search, c->spaces, c->n_spaces, e);
}

static int check_models_task(const fw_config *c, const fw_dataset *d, fw_err *e)
{
    for (size_t i = 0; i < c->n_spaces; i++) {
        const fw_space *s = &c->spaces[i];
        const fw_model_type *m = s->model;
        int cls = d->task == FW_TASK_CLASSIFICATION;
        if (cls && !(m->caps & FW_CAP_CLASSIFY))
            return fw_err_at(e, FW_EINVAL, c->path, s->line, s->col,
                             "models: %s does regression only, but the target '%s' is "
                             "categorical (classification)", m->name, d->target_name);
        if (!cls && !(m->caps & FW_CAP_REGRESS))
            return fw_err_at(e, FW_EINVAL, c->path, s->line, s->col,
                             "models: %s does classification only, but the target '%s' is "
                             "numeric (regression; set data.task to override)", m->name,
                             d->target_name);
        if (cls && d->n_classes > 2 && !(m->caps & FW_CAP_MULTICLASS))
            return fw_err_at(e, FW_EINVAL, c->path, s->line, s->col,
                             "models: %s handles two classes, the target has %zu", m->name,
                             d->n_classes);
        for (size_t k = 0; k < c->n_metrics; k++) {
            const fw_metric_type *mt = fw_metric_find(c->metrics[k]);
            if (mt && (mt->flags & FW_METRIC_NEEDS_PROBA) && !(m->caps & FW_CAP_PROBA))
                return fw_err_at(e, FW_EINVAL, c->path, s->line, s->col,
                                 "metrics: %s needs probabilities, which %s does not give",
                                 c->metrics[k], m->name);
        }
    }
    return FW_OK;
}

/* A model's own check on its defaults plus the fixed values the config
 * gives: a contradiction there (dummy's strategy mean on a classification
 * target) is a config error, not a run of failed fits. */
static int check_fixed(const fw_config *c, const fw_dataset *d, fw_err *e)
{
    for (size_t i = 0; i < c->n_spaces; i++) {
        const fw_space *s = &c->spaces[i];
        const fw_model_type *m = s->model;
        fw_pval cfg[64];
        if (!m->check || m->n_params > 64)
            continue;
        fw_param_defaults(m, cfg);
        for (size_t k = 0; k < s->n_dims; k++)
            if (s->dims[k].kind == FW_DIST_FIXED && s->dims[k].n_values == 1)
                cfg[s->dims[k].param] = s->dims[k].values[0];
        fw_model_info info = {d->task, d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0,
                              d->n_features, d->n_rows};
        fw_err me;
        if (m->check(cfg, &info, &me))
            return fw_err_at(e, FW_EINVAL, c->path, s->line, s->col, "models: %s", me.msg);
    }
    return FW_OK;
}

static void hash_str(fw_hasher *h, const char *s)
{
    fw_hasher_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void hash_list(fw_hasher *h, char *const *l, size_t n)
{
    fw_hasher_update(h, &n, sizeof n);
    for (size_t i = 0; i < n; i++)
        hash_str(h, l[i]);
}

static void hash_split(fw_hasher *h, const fw_split_spec *s)
{
    hash_str(h, s->kind);
    int32_t ints[4] = {s->k, s->repeats, s->shuffle, s->gap};
    fw_hasher_update(h, ints, sizeof ints);
    fw_hasher_update(h, &s->test_size, sizeof s->test_size);
    fw_hasher_update(h, &s->max_train, sizeof s->max_train);
}

/* Everything a finished task's scores depend on, besides its candidates. */
static uint64_t result_hash(const fw_config *c, const fw_dataset *d)
{
    fw_hasher *h = fw_hasher_alloc(1);
    if (!h)
        return 0;
    fw_hasher_update(h, &c->seed, sizeof c->seed);
    fw_hasher_update(h, &d->hash, sizeof d->hash);
    int32_t prep[5] = {c->prep.impute, c->prep.scale, c->prep.encode, c->prep.resample,
                       c->prep.smote_k};
    fw_hasher_update(h, prep, sizeof prep);
    hash_split(h, &c->outer);
    fw_hasher_update(h, &c->has_inner, sizeof c->has_inner);
    if (c->has_inner)
        hash_split(h, &c->inner);
    hash_list(h, c->metrics, c->n_metrics);
    /* Curve tasks carry their fraction in their keys: adding or changing
     * fractions never invalidates finished tasks, so they stay out. */
    fw_hasher_update(h, &c->limits.task_timeout_s, sizeof c->limits.task_timeout_s);
    uint64_t v = fw_hasher_digest(h);
    fw_hasher_free(h);
    return v;
}

int fw_config_check_data(fw_config *c, const fw_dataset *d, fw_err *e)
{
    int rc;
    if (c->n_metrics == 0) {
        /* No metrics: scikit-learn's default score of the task. */
        c->metrics = calloc(1, sizeof *c->metrics);
        if (!c->metrics || !(c->metrics[0] = fw_strdup(d->task == FW_TASK_CLASSIFICATION
                                                            ? "accuracy" : "r2")))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        c->n_metrics = 1;
    }
    for (size_t k = 0; k < c->n_metrics; k++) {
        if ((rc = fw_metric_check(c->metrics[k], d->task, e))) {
            fw_err_prefix(e, "metrics: ");
            return rc;
        }
    }
    if ((rc = check_models_task(c, d, e)) || (rc = check_fixed(c, d, e)))
        return rc;
    c->result_hash = result_hash(c, d);
    return FW_OK;
}
