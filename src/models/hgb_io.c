/* hgb_io.c: what hist_gbdt does with a fitted model: predict (also at
 * several iteration counts at once, for the n_iter path), save and load,
 * gain importances, describe as JSON, free. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "hgb_int.h"

#define HGB_BLOCK 64
#define HGB_MAGIC 0x31424748u   /* "HGB1" */

/* ---- predict ------------------------------------------------------------------ */

static size_t out_width(const fw_hgb_state *s)
{
    return s->task == FW_TASK_CLASSIFICATION ? s->n_classes : 1;
}

/* Rows start..start+nb of the request, row-major into xb. */
static void gather_block(const fw_matrix *X, const size_t *rows, size_t start, size_t nb,
                         size_t p, double *xb)
{
    for (size_t j = 0; j < p; j++) {
        const double *col = X->data + j * X->ld;
        for (size_t r = 0; r < nb; r++)
            xb[r * p + j] = col[rows ? rows[start + r] : start + r];
    }
}

/* The forest laid out for branch-free descent: a leaf points to itself and
 * sends every row "left" (threshold +inf, missing left), so every row of a
 * tree takes exactly as many steps as the tree is deep. Children are
 * adjacent (right = left + 1) in the nodes the grower writes. */
typedef struct pnode {
    double thr;
    uint32_t left, feature;
    uint32_t ml;
    uint32_t pad;
} pnode;

typedef struct pforest {
    pnode *nodes;
    double *value;
    uint32_t *depth;        /* per tree */
} pforest;

static void pforest_free(pforest *pf)
{
    free(pf->nodes);
    free(pf->value);
    free(pf->depth);
}

static int pforest_make(const fw_hgb_forest *f, pforest *pf)
{
    size_t nn = f->n_nodes ? f->n_nodes : 1, nt = f->n_trees ? f->n_trees : 1;
    pf->nodes = malloc(nn * sizeof *pf->nodes);
    pf->value = malloc(nn * sizeof *pf->value);
    pf->depth = calloc(nt, sizeof *pf->depth);
    if (!pf->nodes || !pf->value || !pf->depth)
        return -1;
    for (size_t t = 0; t < f->n_trees; t++) {
        for (size_t i = f->tree_off[t]; i < f->tree_off[t + 1]; i++) {
            const fw_hgb_node *nd = &f->nodes[i];
            int leaf = nd->left < 0;
            size_t base = f->tree_off[t];
            pf->nodes[i] = (pnode){leaf ? INFINITY : nd->threshold,
                                   (uint32_t)(leaf ? i : base + (size_t)nd->left),
                                   leaf ? 0 : nd->feature, leaf ? 1u : nd->missing_left, 0};
            pf->value[i] = nd->value;
            pf->depth[t] = nd->depth > pf->depth[t] ? nd->depth : pf->depth[t];
        }
    }
    return 0;
}

/* One step down from node i for row x: left unless the value is above the
 * threshold, or missing and missing values go right. */
static inline uint32_t step(const pnode *nodes, uint32_t i, const double *x)
{
    const pnode *nd = &nodes[i];
    double v = x[nd->feature];
    uint32_t left = (uint32_t)(v <= nd->thr) | (nd->ml & (uint32_t)(v != v));
    return nd->left + (left ^ 1u);
}

/* raw[r * k + c] += tree t's value for rows r of the block, four at a time. */
static void add_tree(const pforest *pf, const fw_hgb_forest *f, size_t t, const double *xb,
                     size_t p, size_t nb, double *raw, size_t k, size_t c)
{
    uint32_t root = (uint32_t)f->tree_off[t], d = pf->depth[t];
    size_t r = 0;
    for (; r + 4 <= nb; r += 4) {
        uint32_t a = root, b = root, e = root, g = root;
        for (uint32_t s = 0; s < d; s++) {
            a = step(pf->nodes, a, xb + r * p);
            b = step(pf->nodes, b, xb + (r + 1) * p);
            e = step(pf->nodes, e, xb + (r + 2) * p);
            g = step(pf->nodes, g, xb + (r + 3) * p);
        }
        raw[r * k + c] += pf->value[a];
        raw[(r + 1) * k + c] += pf->value[b];
        raw[(r + 2) * k + c] += pf->value[e];
        raw[(r + 3) * k + c] += pf->value[g];
    }
    for (; r < nb; r++) {
        uint32_t a = root;
        for (uint32_t s = 0; s < d; s++)
            a = step(pf->nodes, a, xb + r * p);
        raw[r * k + c] += pf->value[a];
    }
}

/* One block of rows: trees in iteration order, outputs written whenever an
 * iteration count of cps is reached. The tree loop is outside the row loop
 * so that a tree's nodes stay in cache across the block. */
static void predict_block(const fw_hgb_state *s, const pforest *pf, const double *xb,
                          size_t nb, double *raw, size_t max_cp, const size_t *cps, size_t m,
                          double *const *outs, size_t start)
{
    size_t k = s->k, p = s->p, w = out_width(s);
    for (size_t r = 0; r < nb; r++)
        for (size_t c = 0; c < k; c++)
            raw[r * k + c] = s->base[c];
    for (size_t it = 0; it < max_cp; it++) {
        for (size_t c = 0; c < k; c++)
            add_tree(pf, &s->forest, it * k + c, xb, p, nb, raw, k, c);
        for (size_t j = 0; j < m; j++) {
            if (cps[j] != it + 1)
                continue;
            for (size_t r = 0; r < nb; r++)
                fw_hgb_raw_to_out(raw + r * k, k, s->n_classes, s->task,
                                  outs[j] + (start + r) * w);
        }
    }
}

int fw_hgb_predict_at(const fw_hgb_state *s, const fw_matrix *X, const size_t *rows, size_t n,
                      const size_t *cps, size_t m, double *const *outs, fw_err *e)
{
    size_t max_cp = 0;
    for (size_t j = 0; j < m; j++) {
        if (cps[j] < 1 || cps[j] > s->n_iter)
            return fw_err_set(e, FW_EINVAL, "hist_gbdt: no iteration %zu in a model of %zu",
                              cps[j], s->n_iter);
        max_cp = cps[j] > max_cp ? cps[j] : max_cp;
    }
    if (X->n_cols != s->p)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: fitted on %zu columns, asked to predict %zu",
                          s->p, X->n_cols);
    double *xb = malloc(HGB_BLOCK * (s->p ? s->p : 1) * sizeof *xb);
    double *raw = malloc(HGB_BLOCK * s->k * sizeof *raw);
    pforest pf = {0};
    int rc = FW_OK;
    if (!xb || !raw || pforest_make(&s->forest, &pf)) {
        rc = fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
        goto cleanup;
    }
    for (size_t start = 0; start < n; start += HGB_BLOCK) {
        size_t nb = n - start < HGB_BLOCK ? n - start : HGB_BLOCK;
        gather_block(X, rows, start, nb, s->p, xb);
        predict_block(s, &pf, xb, nb, raw, max_cp, cps, m, outs, start);
    }
cleanup:
    pforest_free(&pf);
    free(xb);
    free(raw);
    return rc;
}

int fw_hgb_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                   double *out, fw_err *e)
{
    const fw_hgb_state *s = state;
    size_t cp = s->n_iter;
    if (cp == 0)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: the model is not fitted");
    return fw_hgb_predict_at(s, X, rows, n, &cp, 1, &out, e);
}

/* ---- save / load ---------------------------------------------------------------- */

typedef struct hgb_header {
    uint32_t magic;
    int32_t task, loss, early_stopping, stopped, pad;
    uint64_t n_classes, k, p, n_iter, n_nodes, n_trees;
} hgb_header;

int fw_hgb_save(const void *state, fw_sb *out, fw_err *e)
{
    const fw_hgb_state *s = state;
    const fw_hgb_forest *f = &s->forest;
    hgb_header h = {HGB_MAGIC, s->task, s->loss, s->early_stopping, s->stopped, 0,
                    s->n_classes, s->k, s->p, s->n_iter, f->n_nodes, f->n_trees};
    (void)e;
    fw_sb_appendn(out, (const char *)&h, sizeof h);
    fw_sb_appendn(out, (const char *)s->base, s->k * sizeof *s->base);
    for (size_t t = 0; t <= f->n_trees; t++) {
        uint64_t off = f->tree_off ? f->tree_off[t] : 0;
        fw_sb_appendn(out, (const char *)&off, sizeof off);
    }
    fw_sb_appendn(out, (const char *)f->nodes, f->n_nodes * sizeof *f->nodes);
    fw_sb_appendn(out, (const char *)s->train_loss, (s->n_iter + 1) * sizeof(double));
    if (s->early_stopping)
        fw_sb_appendn(out, (const char *)s->val_loss, (s->n_iter + 1) * sizeof(double));
    return FW_OK;
}

/* Every tree's children point forward inside the tree and features exist. */
static int forest_valid(const fw_hgb_state *s)
{
    const fw_hgb_forest *f = &s->forest;
    if (f->n_trees != s->n_iter * s->k || f->tree_off[0] != 0 ||
        f->tree_off[f->n_trees] != f->n_nodes)
        return 0;
    for (size_t t = 0; t < f->n_trees; t++) {
        size_t a = f->tree_off[t], b = f->tree_off[t + 1];
        if (b <= a)
            return 0;
        for (size_t i = a; i < b; i++) {
            const fw_hgb_node *nd = &f->nodes[i];
            if (nd->left < 0 && nd->right < 0)
                continue;
            if (nd->left <= (int64_t)(i - a) || nd->right != nd->left + 1 ||
                (size_t)nd->left >= b - a || (size_t)nd->right >= b - a || nd->feature >= s->p)
                return 0;
        }
    }
    return 1;
}

/* Copy n bytes from the reader into a new buffer; NULL on a short read. */
static void *take(const char **p, const char *end, size_t n, int *bad)
{
    if (*bad || (size_t)(end - *p) < n) {
        *bad = 1;
        return NULL;
    }
    void *q = malloc(n ? n : 1);
    if (!q) {
        *bad = 2;
        return NULL;
    }
    memcpy(q, *p, n);
    *p += n;
    return q;
}

int fw_hgb_load(void *state, const void *buf, size_t n, fw_err *e)
{
    fw_hgb_state *s = state;
    hgb_header h;
    memset(s, 0, sizeof *s);
    if (n < sizeof h)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: saved model is truncated");
    memcpy(&h, buf, sizeof h);
    if (h.magic != HGB_MAGIC || h.k == 0 || h.k > 1u << 20 || h.n_trees != h.n_iter * h.k ||
        h.n_nodes > (n / sizeof(fw_hgb_node)) || h.n_iter > n)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: saved model is damaged");
    *s = (fw_hgb_state){.task = h.task, .loss = h.loss, .n_classes = h.n_classes, .k = h.k,
                        .p = h.p, .n_iter = h.n_iter, .early_stopping = h.early_stopping,
                        .stopped = h.stopped};
    const char *p = (const char *)buf + sizeof h, *end = (const char *)buf + n;
    int bad = 0;
    s->base = take(&p, end, h.k * sizeof(double), &bad);
    uint64_t *off = take(&p, end, (h.n_trees + 1) * sizeof *off, &bad);
    s->forest.nodes = take(&p, end, h.n_nodes * sizeof(fw_hgb_node), &bad);
    s->train_loss = take(&p, end, (h.n_iter + 1) * sizeof(double), &bad);
    if (h.early_stopping)
        s->val_loss = take(&p, end, (h.n_iter + 1) * sizeof(double), &bad);
    s->forest.tree_off = malloc((h.n_trees + 1) * sizeof(size_t));
    if (!bad && s->forest.tree_off) {
        for (size_t t = 0; t <= h.n_trees; t++)
            s->forest.tree_off[t] = (size_t)off[t];
        s->forest.n_trees = s->forest.cap_trees = h.n_trees;
        s->forest.n_nodes = s->forest.cap_nodes = h.n_nodes;
    }
    free(off);
    int rc = FW_OK;
    if (bad == 2 || !s->forest.tree_off)
        rc = fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory");
    else if (bad || p != end || !forest_valid(s))
        rc = fw_err_set(e, FW_EINVAL, "hist_gbdt: saved model is damaged");
    if (rc)
        fw_hgb_free(s);
    return rc;
}

/* ---- importances, describe, free ------------------------------------------------ */

int fw_hgb_importances(const void *state, double *out, size_t n_cols, fw_err *e)
{
    const fw_hgb_state *s = state;
    const fw_hgb_forest *f = &s->forest;
    if (n_cols != s->p)
        return fw_err_set(e, FW_EINVAL, "hist_gbdt: %zu importances asked of a model of %zu "
                          "features", n_cols, s->p);
    double total = 0;
    memset(out, 0, n_cols * sizeof *out);
    for (size_t i = 0; i < f->n_nodes; i++) {
        const fw_hgb_node *nd = &f->nodes[i];
        if (nd->left >= 0 && nd->gain > 0) {
            out[nd->feature] += nd->gain;
            total += nd->gain;
        }
    }
    for (size_t j = 0; total > 0 && j < n_cols; j++)
        out[j] /= total;
    return FW_OK;
}

static void json_array(fw_sb *b, const double *v, size_t n)
{
    fw_sb_append(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            fw_sb_append(b, ",");
        fw_sb_json_num(b, v[i]);
    }
    fw_sb_append(b, "]");
}

static void describe_node(fw_sb *b, const fw_hgb_node *nd)
{
    if (nd->left < 0) {
        fw_sb_printf(b, "{\"count\":%u,\"value\":", nd->count);
        fw_sb_json_num(b, nd->value);
        fw_sb_append(b, "}");
        return;
    }
    fw_sb_printf(b, "{\"count\":%u,\"feature\":%u,\"bin\":%u,\"threshold\":", nd->count,
                 nd->feature, nd->bin);
    fw_sb_json_num(b, nd->threshold);
    fw_sb_printf(b, ",\"missing_left\":%s,\"left\":%d,\"right\":%d,\"gain\":",
                 nd->missing_left ? "true" : "false", nd->left, nd->right);
    fw_sb_json_num(b, nd->gain);
    fw_sb_append(b, "}");
}

int fw_hgb_describe(const void *state, fw_sb *out, fw_err *e)
{
    static const char *const names[] = {"log_loss", "squared_error", "absolute_error"};
    const fw_hgb_state *s = state;
    const fw_hgb_forest *f = &s->forest;
    (void)e;
    fw_sb_printf(out, "{\"loss\":\"%s\",\"n_iter\":%zu,\"n_trees_per_iteration\":%zu,"
                 "\"early_stopping\":%s,\"baseline\":", names[s->loss], s->n_iter, s->k,
                 s->early_stopping ? "true" : "false");
    json_array(out, s->base, s->k);
    fw_sb_append(out, ",\"train_loss\":");
    json_array(out, s->train_loss, s->n_iter + 1);
    fw_sb_append(out, ",\"validation_loss\":");
    if (s->val_loss)
        json_array(out, s->val_loss, s->n_iter + 1);
    else
        fw_sb_append(out, "null");
    fw_sb_append(out, ",\"trees\":[");
    for (size_t t = 0; t < f->n_trees; t++) {
        fw_sb_append(out, t ? ",[" : "[");
        for (size_t i = f->tree_off[t]; i < f->tree_off[t + 1]; i++) {
            if (i > f->tree_off[t])
                fw_sb_append(out, ",");
            describe_node(out, &f->nodes[i]);
        }
        fw_sb_append(out, "]");
    }
    fw_sb_append(out, "]}");
    return FW_OK;
}

void fw_hgb_free(void *state)
{
    fw_hgb_state *s = state;
    if (!s)
        return;
    free(s->base);
    free(s->train_loss);
    free(s->val_loss);
    fw_hgb_forest_clear(&s->forest);
    memset(s, 0, sizeof *s);
}
