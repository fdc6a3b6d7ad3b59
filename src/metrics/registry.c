/* registry.c: the list of metrics, name lookup (including parametrised names
 * such as precision_at_10), evaluation, and the checks a config goes
 * through before anything runs. One line per metric in fw_metrics[]. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/metrics.h"

extern const fw_metric_type fw_metric_accuracy, fw_metric_balanced_accuracy,
    fw_metric_precision, fw_metric_precision_macro, fw_metric_precision_weighted,
    fw_metric_recall, fw_metric_recall_macro, fw_metric_recall_weighted, fw_metric_f1,
    fw_metric_f1_macro, fw_metric_f1_weighted, fw_metric_roc_auc,
    fw_metric_average_precision, fw_metric_log_loss, fw_metric_brier, fw_metric_mcc,
    fw_metric_precision_at_k, fw_metric_rmse, fw_metric_mae, fw_metric_r2, fw_metric_mape,
    fw_metric_median_ae;

const fw_metric_type *const fw_metrics[] = {
    &fw_metric_accuracy,
    &fw_metric_balanced_accuracy,
    &fw_metric_precision,
    &fw_metric_precision_macro,
    &fw_metric_precision_weighted,
    &fw_metric_recall,
    &fw_metric_recall_macro,
    &fw_metric_recall_weighted,
    &fw_metric_f1,
    &fw_metric_f1_macro,
    &fw_metric_f1_weighted,
    &fw_metric_roc_auc,
    &fw_metric_average_precision,
    &fw_metric_log_loss,
    &fw_metric_brier,
    &fw_metric_mcc,
    &fw_metric_precision_at_k,
    &fw_metric_rmse,
    &fw_metric_mae,
    &fw_metric_r2,
    &fw_metric_mape,
    &fw_metric_median_ae,
    NULL,
};

/* k from "<prefix><digits>": 1 and *k set when `name` is of that form with a
 * positive k; 0 otherwise. */
static int parse_param(const fw_metric_type *t, const char *name, size_t *k)
{
    if (!t->param_prefix || !t->score_k)
        return 0;
    size_t lp = strlen(t->param_prefix);
    if (strncmp(name, t->param_prefix, lp) != 0)
        return 0;
    const char *d = name + lp;
    size_t v = 0, nd = 0;
    for (; *d >= '0' && *d <= '9'; d++, nd++) {
        if (v > ((size_t)-1 - 9) / 10)
            return 0;
        v = v * 10 + (size_t)(*d - '0');
    }
    if (*d || nd == 0 || v == 0)
        return 0;
    *k = v;
    return 1;
}

const fw_metric_type *fw_metric_find(const char *name)
{
    if (!name)
        return NULL;
    size_t k;
    for (size_t i = 0; fw_metrics[i]; i++)
        if (strcmp(fw_metrics[i]->name, name) == 0 || parse_param(fw_metrics[i], name, &k))
            return fw_metrics[i];
    return NULL;
}

static int unknown_metric(const char *name, fw_err *e)
{
    const char *cands[64];
    size_t n = 0;
    for (size_t i = 0; fw_metrics[i] && n < 64; i++)
        cands[n++] = fw_metrics[i]->name;
    for (size_t i = 0; fw_metrics[i]; i++) {
        const char *p = fw_metrics[i]->param_prefix;
        if (p && name && strncmp(name, p, strlen(p)) == 0)
            return fw_err_set(e, FW_EINVAL,
                              "unknown metric '%s': %s<N> needs a positive integer N (or "
                              "use %s)",
                              name, p, fw_metrics[i]->name);
    }
    const char *s = name ? fw_suggest(name, cands, n) : NULL;
    if (s)
        return fw_err_set(e, FW_EINVAL, "unknown metric '%s' (did you mean '%s'?)",
                          name ? name : "(null)", s);
    return fw_err_set(e, FW_EINVAL, "unknown metric '%s' (see docs/metrics.md)",
                      name ? name : "(null)");
}

static const char *task_name(unsigned task)
{
    return task == FW_METRIC_REGRESSION ? "regression" : "classification";
}

int fw_metric_check(const char *name, int task, fw_err *e)
{
    const fw_metric_type *t = fw_metric_find(name);
    if (!t)
        return unknown_metric(name, e);
    if (task != FW_METRIC_CLASSIFICATION && task != FW_METRIC_REGRESSION)
        return FW_OK;
    if (!(t->flags & (unsigned)task))
        return fw_err_set(e, FW_EINVAL, "metric '%s' is for %s, but the task is %s", name,
                          task_name(t->flags & (FW_METRIC_CLASSIFICATION |
                                                FW_METRIC_REGRESSION)),
                          task_name((unsigned)task));
    return FW_OK;
}

int fw_metric_check_classes(const char *name, size_t n_classes, fw_err *e)
{
    const fw_metric_type *t = fw_metric_find(name);
    if (!t)
        return unknown_metric(name, e);
    if ((t->flags & FW_METRIC_BINARY_ONLY) && n_classes > 2) {
        const char *hint = (t->flags & FW_METRIC_NEEDS_SCORE)
                               ? "roc_auc or average_precision rank every class"
                               : "use the _macro or _weighted form";
        return fw_err_set(e, FW_EINVAL,
                          "metric '%s' is binary-only (positive class vs rest), but the "
                          "target has %zu classes: %s",
                          name, n_classes, hint);
    }
    return FW_OK;
}

int fw_metric_check_proba(const char *name, size_t n_classes, int has_proba, fw_err *e)
{
    const fw_metric_type *t = fw_metric_find(name);
    if (!t)
        return unknown_metric(name, e);
    if (has_proba)
        return FW_OK;
    if (t->flags & FW_METRIC_NEEDS_PROBA)
        return fw_err_set(e, FW_EINVAL,
                          "metric '%s' needs probabilities, but the model gives only "
                          "decision values",
                          name);
    if ((t->flags & FW_METRIC_MULTICLASS_PROBA) && n_classes > 2)
        return fw_err_set(e, FW_EINVAL,
                          "metric '%s' on %zu classes needs probabilities (scikit-learn's "
                          "one-vs-rest rule), but the model gives only decision values",
                          name, n_classes);
    return FW_OK;
}

int fw_metric_eval(const char *name, const fw_metric_input *in, double *out, unsigned *warn,
                   fw_err *e)
{
    *out = NAN;
    *warn = 0;
    const fw_metric_type *t = fw_metric_find(name);
    if (!t)
        return unknown_metric(name, e);
    if (!in)
        return fw_err_set(e, FW_EINVAL, "metric '%s': no input", name);
    int task = in->n_classes >= 2 ? FW_METRIC_CLASSIFICATION : FW_METRIC_REGRESSION;
    if (in->n_classes == 1)
        return fw_err_set(e, FW_EINVAL, "metric '%s': n_classes is 1, need at least 2",
                          name);
    int rc = fw_metric_check(name, task, e);
    if (rc)
        return rc;
    size_t k;
    if (parse_param(t, name, &k))
        rc = t->score_k(in, k, out, warn, e);
    else
        rc = t->score(in, out, warn, e);
    if (rc)
        *out = NAN;
    return rc;
}
