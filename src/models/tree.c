/* tree.c: a single CART decision tree, scikit-learn's DecisionTreeClassifier
 * and DecisionTreeRegressor (the builder is cart.c; the rules are listed
 * there and in docs/models.md).
 *
 * Classification predicts the leaf's weighted class counts normalised to
 * probabilities; regression the leaf's weighted mean (squared_error) or
 * weighted median (absolute_error). Missing values are handled natively.
 * Random numbers (feature draws when max_features < all, thresholds with
 * splitter = random) come from ctx->rng. */
#include <stdlib.h>
#include <string.h>

#include "cart_int.h"
#include "foldwise/data.h"
#include "models_int.h"

static const char *const splitters[] = {"best", "random", NULL};
static const char *const class_weights[] = {"none", "balanced", NULL};

static const fw_param_spec tree_params[] = {
    FW_CART_SPEC_CRITERION,
    {.name = "splitter", .kind = FW_PARAM_CHOICE, .def_choice = "best", .choices = splitters,
     .help = "best (exact search) or random (one random threshold per feature)"},
    FW_CART_SPEC_MAX_DEPTH,
    FW_CART_SPEC_MIN_SPLIT,
    FW_CART_SPEC_MIN_LEAF,
    FW_CART_SPEC_MAX_FEATURES("none"),
    FW_CART_SPEC_MIN_DECREASE,
    {.name = "class_weight", .kind = FW_PARAM_CHOICE, .def_choice = "none",
     .choices = class_weights, .help = "none or balanced (n / (classes * count))"},
};

typedef struct tree_state {
    int task;
    size_t n_classes, p;
    fw_cart_tree t;
} tree_state;

static int tree_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    long cw = fw_param_index(&fw_model_tree, "class_weight");
    if (cfg[cw].choice > 0 && info->task != FW_TASK_CLASSIFICATION)
        return fw_err_set(e, FW_EINVAL, "tree: class_weight is for classification");
    return fw_cart_params_check(&fw_model_tree, cfg, info, e);
}

static int tree_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                    fw_err *e)
{
    tree_state *s = state;
    fw_cart_params prm;
    fw_cart_fitdata fd;
    s->task = d->task;
    s->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    s->p = d->X.n_cols;
    fw_model_info info = {d->task, s->n_classes, s->p, d->n};
    int rc = tree_check(cfg, &info, e);
    if (!rc)
        rc = fw_cart_params_resolve(&fw_model_tree, cfg, d->task, s->p, d->n, &prm, e);
    if (rc)
        return rc;
    long cw = fw_param_index(&fw_model_tree, "class_weight");
    rc = fw_cart_fitdata_init(&fd, d, prm.criterion, cfg[cw].choice == 1, ctx->split_key,
                              ctx->cache, e);
    if (rc)
        return rc;
    fw_cart_work *wk = fw_cart_work_alloc(d->n, s->p, fd.cd.k);
    gsl_rng *own = ctx->rng ? NULL : fw_rng_alloc(ctx->seed, ctx->split_key);
    if (!wk || (!ctx->rng && !own))
        rc = fw_err_set(e, FW_ENOMEM, "tree: out of memory");
    else
        rc = fw_cart_build(&fd.cd, &prm, fd.w, ctx->rng ? ctx->rng : own, wk, &s->t, e);
    gsl_rng_free(own);
    fw_cart_work_free(wk);
    fw_cart_fitdata_free(&fd);
    return rc;
}

#define TREE_BLOCK 256

static int tree_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                        double *out, fw_err *e)
{
    const tree_state *s = state;
    size_t p = X->n_cols, k = s->t.width;
    double *buf = malloc(TREE_BLOCK * (p ? p : 1) * sizeof *buf);
    if (!buf)
        return fw_err_set(e, FW_ENOMEM, "tree: out of memory");
    for (size_t b0 = 0; b0 < n; b0 += TREE_BLOCK) {
        size_t nb = n - b0 < TREE_BLOCK ? n - b0 : TREE_BLOCK;
        fw_cart_gather_rows(X, rows, b0, nb, buf);
        for (size_t i = 0; i < nb; i++) {
            const double *v = s->t.value + fw_cart_leaf(&s->t, buf + i * p) * k;
            double *o = out + (b0 + i) * k;
            if (s->task != FW_TASK_CLASSIFICATION) {
                o[0] = v[0];
                continue;
            }
            double sum = 0;
            for (size_t c = 0; c < k; c++)
                sum += v[c];
            for (size_t c = 0; c < k; c++)
                o[c] = v[c] / (sum > 0 ? sum : 1.0);
        }
    }
    free(buf);
    return FW_OK;
}

static int tree_importances(const void *state, double *out, size_t n_cols, fw_err *e)
{
    const tree_state *s = state;
    int rc = fw_cart_check_cols("tree", s->p, n_cols, e);
    if (!rc)
        fw_cart_tree_importances(&s->t, n_cols, out);
    return rc;
}

static int tree_describe(const void *state, fw_sb *out, fw_err *e)
{
    const tree_state *s = state;
    double *imp = malloc((s->p ? s->p : 1) * sizeof *imp);
    if (!imp)
        return fw_err_set(e, FW_ENOMEM, "tree: out of memory");
    fw_cart_tree_importances(&s->t, s->p, imp);
    fw_sb_append(out, "{\"tree\":");
    fw_cart_tree_describe(&s->t, out);
    fw_sb_append(out, ",\"importances\":");
    fw_cart_json_array(out, imp, s->p);
    fw_sb_append(out, "}");
    free(imp);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "tree: out of memory") : FW_OK;
}

static int tree_save(const void *state, fw_sb *out, fw_err *e)
{
    const tree_state *s = state;
    uint64_t hdr[3] = {(uint64_t)s->task, s->n_classes, s->p};
    fw_sb_appendn(out, (const char *)hdr, sizeof hdr);
    fw_cart_tree_save(&s->t, out);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "tree: out of memory") : FW_OK;
}

static int tree_load(void *state, const void *buf, size_t n, fw_err *e)
{
    tree_state *s = state;
    const char *p = buf, *end = p + n;
    uint64_t hdr[3];
    if (fw_cart_read(&p, end, hdr, sizeof hdr))
        return fw_err_set(e, FW_EINVAL, "tree: saved model is truncated");
    s->task = (int)hdr[0];
    s->n_classes = (size_t)hdr[1];
    s->p = (size_t)hdr[2];
    int rc = fw_cart_tree_load(&s->t, &p, end, e);
    if (!rc && (p != end || s->t.width != s->n_classes)) {
        fw_cart_tree_free(&s->t);
        rc = fw_err_set(e, FW_EINVAL, "tree: saved model has the wrong size");
    }
    return rc;
}

static double tree_complexity(const fw_pval *cfg)
{
    long i = fw_param_index(&fw_model_tree, "max_depth");
    return cfg[i].choice >= 0 ? 1e9 : cfg[i].num;
}

static void tree_free(void *state)
{
    tree_state *s = state;
    fw_cart_tree_free(&s->t);
}

const fw_model_type fw_model_tree = {
    .name = "tree",
    .summary = "CART decision tree (scikit-learn's DecisionTreeClassifier/Regressor)",
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA |
            FW_CAP_MISSING | FW_CAP_WEIGHTS | FW_CAP_RANDOM | FW_CAP_IMPORTANCE,
    .params = tree_params,
    .n_params = sizeof tree_params / sizeof tree_params[0],
    .state_size = sizeof(tree_state),
    .check = tree_check,
    .fit = tree_fit,
    .predict = tree_predict,
    .save = tree_save,
    .load = tree_load,
    .importances = tree_importances,
    .describe = tree_describe,
    .complexity = tree_complexity,
    .free_state = tree_free,
};
