/* cart_tree.c: what the tree models share around a fitted fw_cart_tree:
 * parameter resolution (scikit-learn's rules, with foldwise's "values <= 1
 * are fractions" for max_features and min_samples_split), importances,
 * save/load and the describe() JSON. */
#include <stdlib.h>
#include <string.h>

#include "cart_int.h"
#include "foldwise/data.h"

const char *const fw_cart_criteria[] = {"auto",          "gini",           "entropy", "log_loss",
                                        "squared_error", "absolute_error", NULL};
const char *const fw_cart_none[] = {"none", NULL};
const char *const fw_cart_max_features[] = {"none", "auto", "sqrt", "log2", NULL};

/* ---- parameters ------------------------------------------------------------ */

static const fw_pval *param(const fw_model_type *t, const fw_pval *cfg, const char *name)
{
    long i = fw_param_index(t, name);
    return i < 0 ? NULL : &cfg[i];
}

static const char *choice(const fw_model_type *t, const fw_pval *cfg, const char *name)
{
    long i = fw_param_index(t, name);
    return i < 0 ? NULL : fw_param_choice_name(t, (size_t)i, &cfg[i]);
}

static int resolve_criterion(const fw_model_type *t, const fw_pval *cfg, int task, int *out,
                             fw_err *e)
{
    const char *c = choice(t, cfg, "criterion");
    int cls = task == FW_TASK_CLASSIFICATION;
    if (!c || !strcmp(c, "auto"))
        *out = cls ? FW_CART_GINI : FW_CART_MSE;
    else if (!strcmp(c, "gini"))
        *out = FW_CART_GINI;
    else if (!strcmp(c, "entropy") || !strcmp(c, "log_loss"))
        *out = FW_CART_ENTROPY;
    else
        *out = !strcmp(c, "squared_error") ? FW_CART_MSE : FW_CART_MAE;
    if (cls != (*out == FW_CART_GINI || *out == FW_CART_ENTROPY))
        return fw_err_set(e, FW_EINVAL, "%s: criterion %s is for %s", t->name, c,
                          cls ? "regression" : "classification");
    return FW_OK;
}

/* max_features: none/auto/sqrt/log2, a fraction <= 1 or a count > 1. */
static int resolve_max_features(const fw_model_type *t, const fw_pval *cfg, int task, size_t p,
                                size_t *out, fw_err *e)
{
    const char *c = choice(t, cfg, "max_features");
    const fw_pval *v = param(t, cfg, "max_features");
    size_t pp = p ? p : 1;
    if (!v || (c && !strcmp(c, "none")))
        *out = pp;
    else if (c && !strcmp(c, "auto"))
        *out = task == FW_TASK_CLASSIFICATION ? (size_t)sqrt((double)pp) : pp;
    else if (c && !strcmp(c, "sqrt"))
        *out = (size_t)sqrt((double)pp);
    else if (c && !strcmp(c, "log2"))
        *out = (size_t)log2((double)pp);
    else if (v->num <= 1)
        *out = (size_t)(v->num * (double)pp);
    else if (v->num != floor(v->num))
        return fw_err_set(e, FW_EINVAL, "%s: max_features = %g: a count must be a whole "
                          "number (values <= 1 are fractions of the features)", t->name, v->num);
    else if (p && v->num > (double)p)
        return fw_err_set(e, FW_EINVAL, "%s: max_features = %g is more than the %zu features",
                          t->name, v->num, p);
    else
        *out = (size_t)v->num;
    if (*out < 1)
        *out = 1;
    return FW_OK;
}

/* min_samples_split (<= 1: fraction, else count >= 2) and min_samples_leaf
 * (< 1: fraction, else count >= 1): fractions round up, as scikit-learn. */
static int resolve_min_samples(const fw_model_type *t, const fw_pval *cfg, size_t n_rows,
                               fw_cart_params *out, fw_err *e)
{
    const fw_pval *sp = param(t, cfg, "min_samples_split");
    const fw_pval *lf = param(t, cfg, "min_samples_leaf");
    double s = sp ? sp->num : 2, l = lf ? lf->num : 1;
    if (s > 1 && (s != floor(s) || s < 2))
        return fw_err_set(e, FW_EINVAL, "%s: min_samples_split = %g: a count must be a whole "
                          "number >= 2 (values <= 1 are fractions of the rows)", t->name, s);
    if (l >= 1 && l != floor(l))
        return fw_err_set(e, FW_EINVAL, "%s: min_samples_leaf = %g: a count must be a whole "
                          "number (values < 1 are fractions of the rows)", t->name, l);
    out->min_samples_split = s <= 1 ? (size_t)ceil(s * (double)n_rows) : (size_t)s;
    if (out->min_samples_split < 2)
        out->min_samples_split = 2;
    out->min_samples_leaf = l < 1 ? (size_t)ceil(l * (double)n_rows) : (size_t)l;
    if (out->min_samples_leaf < 1)
        out->min_samples_leaf = 1;
    return FW_OK;
}

int fw_cart_params_resolve(const fw_model_type *t, const fw_pval *cfg, int task,
                           size_t n_features, size_t n_rows, fw_cart_params *out, fw_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = resolve_criterion(t, cfg, task, &out->criterion, e);
    if (!rc)
        rc = resolve_max_features(t, cfg, task, n_features, &out->max_features, e);
    if (!rc)
        rc = resolve_min_samples(t, cfg, n_rows, out, e);
    if (rc)
        return rc;
    const char *sp = choice(t, cfg, "splitter");
    out->splitter = sp && !strcmp(sp, "random") ? FW_CART_RANDOM : FW_CART_BEST;
    const fw_pval *md = param(t, cfg, "max_depth");
    out->max_depth = !md || md->choice >= 0 ? SIZE_MAX : (size_t)md->num;
    const fw_pval *mi = param(t, cfg, "min_impurity_decrease");
    out->min_impurity_decrease = mi ? mi->num : 0;
    return FW_OK;
}

int fw_cart_params_check(const fw_model_type *t, const fw_pval *cfg, const fw_model_info *info,
                         fw_err *e)
{
    fw_cart_params prm;
    return fw_cart_params_resolve(t, cfg, info->task, info->n_features, info->n_train, &prm, e);
}

/* ---- prediction helpers ----------------------------------------------------- */

void fw_cart_gather_rows(const fw_matrix *X, const size_t *rows, size_t first, size_t n,
                         double *out)
{
    size_t p = X->n_cols;
    for (size_t j = 0; j < p; j++) {
        const double *col = X->data + j * X->ld;
        for (size_t i = 0; i < n; i++)
            out[i * p + j] = col[rows ? rows[first + i] : first + i];
    }
}

int fw_cart_tree_importances(const fw_cart_tree *t, size_t p, double *out)
{
    memset(out, 0, p * sizeof *out);
    int any = 0;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const fw_cart_node *nd = &t->node[i];
        if (nd->feature < 0 || (size_t)nd->feature >= p)
            continue;
        size_t l = nd->child & ~FW_CART_MISSING_LEFT, r = l + 1;
        out[nd->feature] += t->wn[i] * t->impurity[i] - t->wn[l] * t->impurity[l] -
                            t->wn[r] * t->impurity[r];
        any = 1;
    }
    double sum = 0;
    for (size_t j = 0; j < p; j++) {
        out[j] /= t->wn[0];
        sum += out[j];
    }
    for (size_t j = 0; sum > 0 && j < p; j++)
        out[j] /= sum;
    return any;
}

int fw_cart_check_cols(const char *model, size_t p, size_t n_cols, fw_err *e)
{
    if (n_cols != p)
        return fw_err_set(e, FW_EINVAL, "%s: fitted on %zu columns, asked for %zu", model, p,
                          n_cols);
    return FW_OK;
}

/* ---- save / load ------------------------------------------------------------ */

int fw_cart_read(const char **p, const char *end, void *dst, size_t n)
{
    if ((size_t)(end - *p) < n)
        return FW_EINVAL;
    memcpy(dst, *p, n);
    *p += n;
    return FW_OK;
}

void fw_cart_tree_save(const fw_cart_tree *t, fw_sb *out)
{
    uint64_t hdr[3] = {t->n_nodes, t->width, t->depth};
    size_t n = t->n_nodes;
    fw_sb_appendn(out, (const char *)hdr, sizeof hdr);
    fw_sb_appendn(out, (const char *)t->node, n * sizeof *t->node);
    fw_sb_appendn(out, (const char *)t->value, n * t->width * sizeof *t->value);
    fw_sb_appendn(out, (const char *)t->impurity, n * sizeof *t->impurity);
    fw_sb_appendn(out, (const char *)t->wn, n * sizeof *t->wn);
    fw_sb_appendn(out, (const char *)t->n_samples, n * sizeof *t->n_samples);
}

/* Children must follow their parent (as the builder makes them): then a
 * loaded tree cannot loop. */
static int tree_valid(const fw_cart_tree *t)
{
    for (size_t i = 0; i < t->n_nodes; i++) {
        if (t->node[i].feature < 0)
            continue;
        size_t l = t->node[i].child & ~FW_CART_MISSING_LEFT;
        if (l <= i || l + 1 >= t->n_nodes)
            return 0;
    }
    return t->n_nodes > 0;
}

int fw_cart_tree_load(fw_cart_tree *t, const char **p, const char *end, fw_err *e)
{
    uint64_t hdr[3];
    memset(t, 0, sizeof *t);
    if (fw_cart_read(p, end, hdr, sizeof hdr) || hdr[0] == 0 || hdr[1] == 0 ||
        hdr[1] > 65535 || hdr[0] > (uint64_t)(end - *p) / (sizeof(fw_cart_node) + 28))
        return fw_err_set(e, FW_EINVAL, "trees: saved tree is truncated or damaged");
    size_t n = (size_t)hdr[0];
    t->width = (size_t)hdr[1];
    t->depth = (uint32_t)hdr[2];
    t->n_nodes = t->cap = n;
    t->node = malloc(n * sizeof *t->node);
    t->value = malloc(n * t->width * sizeof *t->value);
    t->impurity = malloc(n * sizeof *t->impurity);
    t->wn = malloc(n * sizeof *t->wn);
    t->n_samples = malloc(n * sizeof *t->n_samples);
    if (!t->node || !t->value || !t->impurity || !t->wn || !t->n_samples) {
        fw_cart_tree_free(t);
        return fw_err_set(e, FW_ENOMEM, "trees: out of memory loading a tree");
    }
    if (fw_cart_read(p, end, t->node, n * sizeof *t->node) ||
        fw_cart_read(p, end, t->value, n * t->width * sizeof *t->value) ||
        fw_cart_read(p, end, t->impurity, n * sizeof *t->impurity) ||
        fw_cart_read(p, end, t->wn, n * sizeof *t->wn) ||
        fw_cart_read(p, end, t->n_samples, n * sizeof *t->n_samples) || !tree_valid(t)) {
        fw_cart_tree_free(t);
        return fw_err_set(e, FW_EINVAL, "trees: saved tree is truncated or damaged");
    }
    return FW_OK;
}

/* ---- describe ----------------------------------------------------------------- */

void fw_cart_json_array(fw_sb *out, const double *v, size_t n)
{
    fw_sb_append(out, "[");
    for (size_t j = 0; j < n; j++) {
        fw_sb_json_num(out, v[j]);
        fw_sb_append(out, j + 1 < n ? "," : "");
    }
    fw_sb_append(out, "]");
}

/* Node ids in depth-first preorder, left first (scikit-learn's numbering). */
static size_t *preorder(const fw_cart_tree *t, size_t **order_out)
{
    size_t n = t->n_nodes, *id = malloc(n * sizeof *id), *order = malloc(n * sizeof *order);
    size_t *stack = malloc(n * sizeof *stack), sp = 0, next = 0;
    if (!id || !order || !stack) {
        free(id);
        free(order);
        free(stack);
        return NULL;
    }
    stack[sp++] = 0;
    while (sp) {
        size_t i = stack[--sp];
        id[i] = next;
        order[next++] = i;
        if (t->node[i].feature >= 0) {
            size_t l = t->node[i].child & ~FW_CART_MISSING_LEFT;
            stack[sp++] = l + 1;
            stack[sp++] = l;
        }
    }
    free(stack);
    *order_out = order;
    return id;
}

typedef enum { COL_LEFT, COL_RIGHT, COL_FEATURE, COL_THRESHOLD, COL_MISSING } desc_col;

static void describe_int_col(const fw_cart_tree *t, const size_t *id, const size_t *order,
                             desc_col col, fw_sb *out)
{
    fw_sb_append(out, "[");
    for (size_t q = 0; q < t->n_nodes; q++) {
        const fw_cart_node *nd = &t->node[order[q]];
        size_t l = nd->child & ~FW_CART_MISSING_LEFT;
        int leaf = nd->feature < 0;
        long v = col == COL_LEFT      ? (leaf ? -1 : (long)id[l])
                 : col == COL_RIGHT   ? (leaf ? -1 : (long)id[l + 1])
                 : col == COL_FEATURE ? (leaf ? -2 : nd->feature)
                                      : (!leaf && (nd->child & FW_CART_MISSING_LEFT) != 0);
        if (col == COL_THRESHOLD)
            fw_sb_json_num(out, leaf ? -2.0 : nd->threshold);
        else
            fw_sb_printf(out, "%ld", v);
        fw_sb_append(out, q + 1 < t->n_nodes ? "," : "]");
    }
}

static void describe_num_col(const fw_cart_tree *t, const size_t *order, const double *v,
                             size_t width, fw_sb *out)
{
    fw_sb_append(out, "[");
    for (size_t q = 0; q < t->n_nodes; q++) {
        if (width > 1)
            fw_sb_append(out, "[");
        for (size_t c = 0; c < width; c++) {
            fw_sb_json_num(out, v[order[q] * width + c]);
            if (c + 1 < width)
                fw_sb_append(out, ",");
        }
        if (width > 1)
            fw_sb_append(out, "]");
        fw_sb_append(out, q + 1 < t->n_nodes ? "," : "]");
    }
}

void fw_cart_tree_describe(const fw_cart_tree *t, fw_sb *out)
{
    size_t *order = NULL, *id = preorder(t, &order);
    if (!id) {
        out->oom = 1;
        return;
    }
    static const char *const names[] = {"children_left", "children_right", "feature",
                                        "threshold", "missing_go_to_left"};
    fw_sb_printf(out, "{\"node_count\":%zu,\"max_depth\":%u", t->n_nodes, t->depth);
    for (int c = COL_LEFT; c <= COL_MISSING; c++) {
        fw_sb_printf(out, ",\"%s\":", names[c]);
        describe_int_col(t, id, order, (desc_col)c, out);
    }
    fw_sb_append(out, ",\"n_node_samples\":[");
    for (size_t q = 0; q < t->n_nodes; q++)
        fw_sb_printf(out, "%u%s", t->n_samples[order[q]], q + 1 < t->n_nodes ? "," : "]");
    fw_sb_append(out, ",\"weighted_n_node_samples\":");
    describe_num_col(t, order, t->wn, 1, out);
    fw_sb_append(out, ",\"impurity\":");
    describe_num_col(t, order, t->impurity, 1, out);
    fw_sb_append(out, ",\"value\":");
    describe_num_col(t, order, t->value, t->width, out);
    fw_sb_append(out, "}");
    free(id);
    free(order);
}
