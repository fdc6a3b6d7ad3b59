/* hgb_tree.c: grow one regression tree on gradient/hessian histograms, as
 * scikit-learn's TreeGrower (sklearn/ensemble/_hist_gradient_boosting):
 * best-first (the splittable node with the largest gain is split next, in
 * the order Python's heapq gives), max_leaves / max_depth /
 * min_samples_leaf / l2_regularization / min_hessian_to_split 1e-3, and
 * the histogram subtraction trick (the smaller child is summed from its
 * rows, the larger one is the parent minus the smaller).
 *
 * Rows of the tree live in one index array partitioned in place (stably) as
 * nodes split; every node owns a contiguous range of it. Histograms come
 * from a pool that grows to the largest number alive at once and is reused
 * by every later node and tree: no allocation per node. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hgb_int.h"

#define HGB_MIN_HESSIAN 1e-3

static int hgb_no_subtraction;

void fw_hgb_set_no_subtraction(int on) { hgb_no_subtraction = on; }

/* A node while the tree grows. */
typedef struct gnode {
    uint32_t start, stop;     /* rows idx[start..stop) */
    uint32_t depth;
    int32_t hist;             /* pool slot, or -1 */
    int32_t minus;            /* slot to subtract from hist before use, or -1 */
    int32_t left, right;
    int is_leaf;
    double sum_g, sum_h, value;
    /* best split, valid when gain > 0 */
    double gain;
    uint32_t feature, bin, n_left, n_missing;
    int missing_left;
    double gl, hl, gr, hr, vl, vr;
} gnode;

struct fw_hgb_grower {
    const fw_hgb_bins *b;
    fw_hgb_tree_opts o;
    size_t n, p, hist_len;
    const float *gh;
    int const_hess;
    uint32_t *idx, *tmp;
    float *ogh;
    double ws[2048];          /* split finding's scratch */
    fw_hgb_hbin *pool;
    size_t pool_n, pool_cap;
    int32_t *free_slots;
    size_t n_free;
    gnode *nodes;
    size_t n_nodes, cap_nodes;
    int32_t *heap, *leaves;
    size_t heap_n, n_leaves, cap_list;
    int oom;
};

/* ---- small pools ------------------------------------------------------------ */

static int grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * size);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* A free histogram slot, or -1 when out of memory. free_slots has room for
 * every slot ever made, since a slot is either in use or free. */
static int32_t hist_get(fw_hgb_grower *gr)
{
    if (gr->n_free)
        return gr->free_slots[--gr->n_free];
    size_t cap = gr->pool_cap;
    if (grow_array((void **)&gr->pool, &cap, (gr->pool_n + 1) * gr->hist_len, sizeof(fw_hgb_hbin)))
        return -1;
    gr->pool_cap = cap;
    int32_t *fs = realloc(gr->free_slots, (gr->pool_n + 1) * sizeof *fs);
    if (!fs)
        return -1;
    gr->free_slots = fs;
    return (int32_t)gr->pool_n++;
}

static void hist_put(fw_hgb_grower *gr, int32_t *slot)
{
    if (*slot >= 0)
        gr->free_slots[gr->n_free++] = *slot;
    *slot = -1;
}

static fw_hgb_hbin *hist_at(const fw_hgb_grower *gr, int32_t slot)
{
    return gr->pool + (size_t)slot * gr->hist_len;
}

/* A new node; -1 when out of memory. */
static int32_t node_new(fw_hgb_grower *gr, uint32_t start, uint32_t stop, uint32_t depth,
                        double sum_g, double sum_h, double value)
{
    if (grow_array((void **)&gr->nodes, &gr->cap_nodes, gr->n_nodes + 1, sizeof(gnode)))
        return -1;
    size_t cap = gr->cap_list;
    if (grow_array((void **)&gr->heap, &cap, gr->n_nodes + 1, sizeof(int32_t)))
        return -1;
    cap = gr->cap_list;
    if (grow_array((void **)&gr->leaves, &cap, gr->n_nodes + 1, sizeof(int32_t)))
        return -1;
    gr->cap_list = cap;
    gnode *nd = &gr->nodes[gr->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->start = start;
    nd->stop = stop;
    nd->depth = depth;
    nd->hist = nd->minus = -1;
    nd->left = nd->right = -1;
    nd->sum_g = sum_g;
    nd->sum_h = sum_h;
    nd->value = value;
    nd->gain = -1;
    return (int32_t)gr->n_nodes++;
}

fw_hgb_grower *fw_hgb_grower_alloc(const fw_hgb_bins *b, const fw_hgb_tree_opts *o)
{
    fw_hgb_grower *gr = calloc(1, sizeof *gr);
    if (!gr)
        return NULL;
    gr->b = b;
    gr->o = *o;
    gr->n = b->n;
    gr->p = b->p;
    gr->hist_len = b->hist_off[b->p];
    size_t n = b->n ? b->n : 1;
    gr->idx = malloc(n * sizeof *gr->idx);
    gr->tmp = malloc(n * sizeof *gr->tmp);
    gr->ogh = malloc(2 * n * sizeof *gr->ogh);
    if (!gr->idx || !gr->tmp || !gr->ogh) {
        fw_hgb_grower_free(gr);
        return NULL;
    }
    return gr;
}

void fw_hgb_grower_free(fw_hgb_grower *gr)
{
    if (!gr)
        return;
    free(gr->idx);
    free(gr->tmp);
    free(gr->ogh);
    free(gr->pool);
    free(gr->free_slots);
    free(gr->nodes);
    free(gr->heap);
    free(gr->leaves);
    free(gr);
}

/* ---- Python's heapq over node ids (a < b when a's gain is larger) ------------ */

static int heap_less(const fw_hgb_grower *gr, int32_t a, int32_t b)
{
    return gr->nodes[a].gain > gr->nodes[b].gain;
}

static void sift_down(fw_hgb_grower *gr, size_t start, size_t pos)
{
    int32_t *h = gr->heap, item = h[pos];
    while (pos > start) {
        size_t parent = (pos - 1) >> 1;
        if (!heap_less(gr, item, h[parent]))
            break;
        h[pos] = h[parent];
        pos = parent;
    }
    h[pos] = item;
}

static void heap_push(fw_hgb_grower *gr, int32_t id)
{
    gr->heap[gr->heap_n++] = id;
    sift_down(gr, 0, gr->heap_n - 1);
}

static int32_t heap_pop(fw_hgb_grower *gr)
{
    int32_t *h = gr->heap, last = h[--gr->heap_n];
    if (gr->heap_n == 0)
        return last;
    int32_t top = h[0];
    size_t end = gr->heap_n, pos = 0, child = 1;
    h[0] = last;
    while (child < end) {
        if (child + 1 < end && !heap_less(gr, h[child], h[child + 1]))
            child++;
        h[pos] = h[child];
        pos = child;
        child = 2 * pos + 1;
    }
    h[pos] = last;
    sift_down(gr, 0, pos);
    return top;
}

/* ---- histograms and splits ------------------------------------------------------- */

static void build_hist(fw_hgb_grower *gr, const gnode *nd, fw_hgb_hbin *hist)
{
    size_t m = nd->stop - nd->start;
    fw_hgb_hist_build(gr->b, gr->idx + nd->start, m, m == gr->n, gr->gh, gr->const_hess, gr->ogh,
                      hist);
}

/* The best split of node id, kept in the node when its gain is positive. */
static void find_split(fw_hgb_grower *gr, int32_t id)
{
    gnode *nd = &gr->nodes[id];
    const fw_hgb_bins *b = gr->b;
    fw_hgb_hbin *hist = hist_at(gr, nd->hist);
    const fw_hgb_hbin *minus = nd->minus >= 0 ? hist_at(gr, nd->minus) : NULL;
    nd->minus = -1;
    fw_hgb_split_in in = {nd->sum_g, nd->sum_h, nd->value, (double)(nd->stop - nd->start),
                          (double)gr->o.min_samples_leaf, gr->o.l2, gr->const_hess};
    fw_hgb_split best;
    fw_hgb_find_split(b, hist, minus, &in, gr->ws, &best);
    nd->gain = best.gain;
    if (best.gain <= 0)
        return;
    double l2 = gr->o.l2;
    nd->feature = best.feature;
    nd->bin = best.bin;
    nd->n_left = best.n_left;
    nd->missing_left = best.missing_left;
    nd->n_missing = (uint32_t)hist[b->hist_off[nd->feature] + b->n_nonmiss[nd->feature]].c;
    nd->gl = best.gl;
    nd->hl = best.hl;
    nd->gr = nd->sum_g - best.gl;
    nd->hr = nd->sum_h - best.hl;
    nd->vl = fw_hgb_node_value(nd->gl, nd->hl, l2);
    nd->vr = fw_hgb_node_value(nd->gr, nd->hr, l2);
}

/* ---- growth ---------------------------------------------------------------------- */

static void finalize_leaf(fw_hgb_grower *gr, int32_t id)
{
    gr->nodes[id].is_leaf = 1;
    hist_put(gr, &gr->nodes[id].hist);
    gr->leaves[gr->n_leaves++] = id;
}

/* Split search, then the heap or the leaves. A node that becomes a leaf
 * keeps its histogram for the caller to release: its sibling's pending
 * subtraction may still read it. */
static void split_or_leaf(fw_hgb_grower *gr, int32_t id)
{
    find_split(gr, id);
    if (gr->nodes[id].gain > 0) {
        heap_push(gr, id);
        return;
    }
    gr->nodes[id].is_leaf = 1;
    gr->leaves[gr->n_leaves++] = id;
}

/* Stable in-place partition of node nd's rows; returns the left count. */
static uint32_t partition(fw_hgb_grower *gr, const gnode *nd)
{
    const fw_hgb_bins *b = gr->b;
    const uint8_t *col = b->codes + (size_t)nd->feature * gr->n;
    unsigned bin = nd->bin, miss = b->n_nonmiss[nd->feature];
    int ml = nd->missing_left;
    uint32_t *idx = gr->idx + nd->start, *tmp = gr->tmp;
    size_t m = nd->stop - nd->start, nl = 0, nr = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t r = idx[i];
        unsigned c = col[r];
        int left = c <= bin || (ml && c == miss);
        idx[nl] = r;
        tmp[nr] = r;
        nl += (size_t)left;
        nr += (size_t)!left;
    }
    memcpy(idx + nl, tmp, nr * sizeof *tmp);
    return (uint32_t)nl;
}

/* Histograms of both children from the parent's: the smaller one from its
 * rows, the larger one by subtraction in the parent's slot. The subtraction
 * is left pending (done feature by feature inside its split search, while
 * the slots are in cache), and skipped when the larger child stays a leaf. */
static int child_hists(fw_hgb_grower *gr, int32_t id, int32_t l, int32_t r)
{
    gnode *ln = &gr->nodes[l], *rn = &gr->nodes[r];
    int32_t small = (ln->stop - ln->start) < (rn->stop - rn->start) ? l : r;
    int32_t large = small == l ? r : l;
    int32_t s_slot = hist_get(gr);
    if (s_slot < 0)
        return -1;
    gr->nodes[small].hist = s_slot;
    build_hist(gr, &gr->nodes[small], hist_at(gr, s_slot));
    if (hgb_no_subtraction) {
        int32_t slot = hist_get(gr);
        if (slot < 0)
            return -1;
        gr->nodes[large].hist = slot;
        build_hist(gr, &gr->nodes[large], hist_at(gr, slot));
        hist_put(gr, &gr->nodes[id].hist);
        return 0;
    }
    gr->nodes[large].hist = gr->nodes[id].hist;
    gr->nodes[large].minus = s_slot;
    gr->nodes[id].hist = -1;
    return 0;
}

static int split_next(fw_hgb_grower *gr)
{
    int32_t id = heap_pop(gr);
    uint32_t nl = partition(gr, &gr->nodes[id]);
    gnode nd = gr->nodes[id];
    uint32_t depth = nd.depth + 1;
    size_t n_leaf_nodes = gr->n_leaves + gr->heap_n + 2;
    int32_t l = node_new(gr, nd.start, nd.start + nl, depth, nd.gl, nd.hl, nd.vl);
    int32_t r = l < 0 ? -1 : node_new(gr, nd.start + nl, nd.stop, depth, nd.gr, nd.hr, nd.vr);
    if (r < 0)
        return -1;
    gnode *p = &gr->nodes[id];
    p->left = l;
    p->right = r;
    if (p->n_missing == 0)   /* no missing value seen here: the larger child */
        p->missing_left = nl > (nd.stop - nd.start) - nl;
    const fw_hgb_tree_opts *o = &gr->o;
    if ((o->max_leaves && n_leaf_nodes == o->max_leaves) || (o->max_depth && depth == o->max_depth)) {
        int all = o->max_leaves && n_leaf_nodes == o->max_leaves;
        finalize_leaf(gr, l);
        finalize_leaf(gr, r);
        while (all && gr->heap_n)   /* scikit-learn pops from the list's end */
            finalize_leaf(gr, gr->heap[--gr->heap_n]);
        hist_put(gr, &gr->nodes[id].hist);
        return 0;
    }
    size_t two_msl = 2 * o->min_samples_leaf;
    if (nl < two_msl)
        finalize_leaf(gr, l);
    if ((nd.stop - nd.start) - nl < two_msl)
        finalize_leaf(gr, r);
    int sl = !gr->nodes[l].is_leaf, sr = !gr->nodes[r].is_leaf;
    if (sl || sr) {
        if (child_hists(gr, id, l, r))
            return -1;
        if (sl)
            split_or_leaf(gr, l);
        if (sr)
            split_or_leaf(gr, r);
        if (gr->nodes[l].is_leaf)
            hist_put(gr, &gr->nodes[l].hist);
        if (gr->nodes[r].is_leaf)
            hist_put(gr, &gr->nodes[r].hist);
    }
    hist_put(gr, &gr->nodes[id].hist);
    return 0;
}

int fw_hgb_grower_grow(fw_hgb_grower *gr, const float *gh, int const_hess, fw_err *e)
{
    size_t n = gr->n;
    gr->gh = gh;
    gr->const_hess = const_hess;
    gr->n_nodes = gr->heap_n = gr->n_leaves = 0;
    gr->n_free = 0;
    for (size_t s = 0; s < gr->pool_n; s++)
        gr->free_slots[gr->n_free++] = (int32_t)(gr->pool_n - 1 - s);
    for (size_t i = 0; i < n; i++)
        gr->idx[i] = (uint32_t)i;
    double sg = 0, sh = 0;
    for (size_t i = 0; i < n; i++)
        sg += gh[2 * i];
    if (!const_hess)
        for (size_t i = 0; i < n; i++)
            sh += gh[2 * i + 1];
    else
        sh = (double)n;
    /* scikit-learn gives the root the value 0 (not -G/H): it matters for the
     * root's gain, and a root that stays a leaf predicts 0. */
    int32_t root = node_new(gr, 0, (uint32_t)n, 0, sg, sh, 0.0);
    if (root < 0)
        goto oom;
    if (n < 2 * gr->o.min_samples_leaf || sh < HGB_MIN_HESSIAN) {
        finalize_leaf(gr, root);
    } else {
        int32_t slot = hist_get(gr);
        if (slot < 0)
            goto oom;
        gr->nodes[root].hist = slot;
        build_hist(gr, &gr->nodes[root], hist_at(gr, slot));
        split_or_leaf(gr, root);
        if (gr->nodes[root].is_leaf)
            hist_put(gr, &gr->nodes[root].hist);
    }
    while (gr->heap_n)
        if (split_next(gr))
            goto oom;
    for (size_t i = 0; i < gr->n_leaves; i++)
        gr->nodes[gr->leaves[i]].value *= gr->o.shrinkage;
    return FW_OK;
oom:
    return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory growing a tree");
}

/* ---- results --------------------------------------------------------------------- */

size_t fw_hgb_grower_n_leaves(const fw_hgb_grower *gr) { return gr->n_leaves; }

const uint32_t *fw_hgb_grower_leaf(const fw_hgb_grower *gr, size_t i, size_t *n)
{
    const gnode *nd = &gr->nodes[gr->leaves[i]];
    *n = nd->stop - nd->start;
    return gr->idx + nd->start;
}

double fw_hgb_grower_leaf_value(const fw_hgb_grower *gr, size_t i)
{
    return gr->nodes[gr->leaves[i]].value;
}

void fw_hgb_grower_set_leaf_value(fw_hgb_grower *gr, size_t i, double v)
{
    gr->nodes[gr->leaves[i]].value = v;
}

static void emit_node(const fw_hgb_grower *gr, const gnode *nd, fw_hgb_node *o)
{
    const fw_hgb_bins *b = gr->b;
    memset(o, 0, sizeof *o);
    o->value = nd->value;
    o->count = nd->stop - nd->start;
    o->depth = (uint16_t)(nd->depth > 65535 ? 65535 : nd->depth);
    o->left = nd->is_leaf ? -1 : nd->left;
    o->right = nd->is_leaf ? -1 : nd->right;
    if (nd->is_leaf)
        return;
    o->feature = nd->feature;
    o->bin = (uint16_t)nd->bin;
    o->missing_left = (uint8_t)nd->missing_left;
    /* a split on the last value bin sends every value left: NaN goes right */
    o->threshold = nd->bin + 1 == b->n_nonmiss[nd->feature]
                       ? INFINITY : b->thr[b->thr_off[nd->feature] + nd->bin];
    /* the loss reduction; the root's gain was computed with value 0 */
    double v = fw_hgb_node_value(nd->sum_g, nd->sum_h, gr->o.l2);
    o->gain = nd->gain + nd->sum_g * (v - nd->value);
}

int fw_hgb_grower_emit(const fw_hgb_grower *gr, fw_hgb_forest *f, fw_err *e)
{
    if (grow_array((void **)&f->nodes, &f->cap_nodes, f->n_nodes + gr->n_nodes,
                   sizeof *f->nodes) ||
        grow_array((void **)&f->tree_off, &f->cap_trees, f->n_trees + 2, sizeof *f->tree_off))
        return fw_err_set(e, FW_ENOMEM, "hist_gbdt: out of memory storing a tree");
    if (f->n_trees == 0)
        f->tree_off[0] = 0;
    for (size_t i = 0; i < gr->n_nodes; i++)
        emit_node(gr, &gr->nodes[i], &f->nodes[f->n_nodes + i]);
    f->n_nodes += gr->n_nodes;
    f->tree_off[++f->n_trees] = f->n_nodes;
    return FW_OK;
}

void fw_hgb_forest_clear(fw_hgb_forest *f)
{
    if (!f)
        return;
    free(f->nodes);
    free(f->tree_off);
    memset(f, 0, sizeof *f);
}

double fw_hgb_tree_value(const fw_hgb_forest *f, size_t t, const double *x)
{
    const fw_hgb_node *nodes = f->nodes + f->tree_off[t];
    const fw_hgb_node *nd = nodes;
    while (nd->left >= 0) {
        double v = x[nd->feature];
        int left = isnan(v) ? nd->missing_left : v <= nd->threshold;
        nd = nodes + (left ? nd->left : nd->right);
    }
    return nd->value;
}
