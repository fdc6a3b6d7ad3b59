/* knn.c: k nearest neighbours, scikit-learn's KNeighborsClassifier and
 * KNeighborsRegressor with algorithm='brute'.
 *
 * Search: the test rows in chunks of 256 against the training rows in
 * chunks of 256. Euclidean distances come from the BLAS: the squared norms
 * by ddot, the cross term by one dgemm per chunk pair, and the surrogate
 * (|x|^2 - 2 x.y) + |y|^2 that scikit-learn's ArgKmin ranks on, made a
 * distance by sqrt(max(0, .)); cosine distances are 1 - x.y / (|x| |y|),
 * the dot product by dgemm on rows scaled to unit norm (norms summed in
 * numpy's einsum order); manhattan distances are direct sums. The k
 * smallest are kept in a bounded max-heap fed in training-row order, then
 * merged into a second heap and sorted, exactly as scikit-learn does with
 * one thread, so equal distances resolve the same way (a tie at the k-th
 * place goes to the earlier training row in practice, but the rule is the
 * heap's, not a stable sort's: see docs/models.md).
 *
 * Prediction: class shares among the neighbours (uniform), or shares of
 * the inverse distances (distance; a test row at distance 0 from some
 * training rows gives those rows all the weight); regression: the mean, or
 * the inverse-distance weighted mean, of the neighbours' targets, summed
 * in numpy's order. Sample weights play no part (as in scikit-learn). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "foldwise/data.h"
#include "foldwise/model.h"

#define KNN_CHUNK 256 /* scikit-learn's pairwise_dist_chunk_size */

enum { W_UNIFORM, W_DISTANCE };
enum { M_EUCLIDEAN, M_MANHATTAN, M_COSINE };
static const char *const weight_names[] = {"uniform", "distance", NULL};
static const char *const metric_names[] = {"euclidean", "manhattan", "cosine", NULL};

static const fw_param_spec knn_params[] = {
    {.name = "k", .kind = FW_PARAM_INT, .def = 5, .lo = 1, .hi = 1e9,
     .help = "number of neighbours (scikit-learn's n_neighbors)"},
    {.name = "weights", .kind = FW_PARAM_CHOICE, .def_choice = "uniform",
     .choices = weight_names, .help = "uniform votes, or votes weighted by 1 / distance"},
    {.name = "metric", .kind = FW_PARAM_CHOICE, .def_choice = "euclidean",
     .choices = metric_names, .help = "distance between rows"},
};

typedef struct knn_state {
    int task, weights, metric;
    size_t k, n, p, n_classes;
    double *train;           /* n x p row-major; cosine: rows scaled to unit norm */
    double *norm;            /* euclidean: squared row norms */
    double *y;               /* class codes or targets */
    unsigned char *present;  /* classification: class seen in training */
} knn_state;

static void knn_free(void *state)
{
    knn_state *s = state;
    free(s->train);
    free(s->norm);
    free(s->y);
    free(s->present);
    memset(s, 0, sizeof *s);
}

/* ---- the pieces of scikit-learn's arithmetic ---------------------------- */

/* numpy's einsum("ij,ij->i") on a contiguous row (Debian's numpy: two SSE
 * lanes, blocks of eight taken from the back, no fused multiply-add). */
static double einsum_sq(const double *x, size_t p)
{
    double l0 = 0.0, l1 = 0.0;
    size_t i = 0;
    for (; p - i >= 8; i += 8) {
        for (size_t v = 4; v-- > 0;) {
            l0 = l0 + x[i + 2 * v] * x[i + 2 * v];
            l1 = l1 + x[i + 2 * v + 1] * x[i + 2 * v + 1];
        }
    }
    for (; i < p; i += 2) {
        l0 = l0 + x[i] * x[i];
        if (i + 1 < p)
            l1 = l1 + x[i + 1] * x[i + 1];
    }
    return 0.0 + (l0 + l1);
}

/* sklearn.preprocessing.normalize: a row of (near) zero norm stays as is. */
static void unit_row(double *x, size_t p)
{
    double nrm = sqrt(einsum_sq(x, p));
    if (nrm < 10 * DBL_EPSILON)
        nrm = 1.0;
    for (size_t j = 0; j < p; j++)
        x[j] /= nrm;
}

/* A bounded max-heap of (value, index): push keeps the k smallest; a value
 * equal to the current largest is not taken. */
static void heap_push(double *v, long *ix, size_t k, double val, long idx)
{
    if (!(val < v[0]))
        return;
    size_t at = 0;
    for (;;) {
        size_t l = 2 * at + 1, r = l + 1, next;
        if (l >= k)
            break;
        if (r >= k)
            next = v[l] > val ? l : at;
        else if (v[l] >= v[r])
            next = val < v[l] ? l : at;
        else
            next = val < v[r] ? r : at;
        if (next == at)
            break;
        v[at] = v[next];
        ix[at] = ix[next];
        at = next;
    }
    v[at] = val;
    ix[at] = idx;
}

static void swap2(double *v, long *ix, size_t a, size_t b)
{
    double t = v[a];
    long u = ix[a];
    v[a] = v[b];
    ix[a] = ix[b];
    v[b] = t;
    ix[b] = u;
}

/* Ascending quicksort of v with ix alongside, median-of-three pivot: the
 * same swaps as scikit-learn's simultaneous_sort, so equal values end in
 * the same order. */
static void sort2(double *v, long *ix, size_t n)
{
    if (n <= 1)
        return;
    if (n <= 3) {
        if (v[0] > v[1])
            swap2(v, ix, 0, 1);
        if (n == 3 && v[1] > v[2]) {
            swap2(v, ix, 1, 2);
            if (v[0] > v[1])
                swap2(v, ix, 0, 1);
        }
        return;
    }
    size_t mid = n / 2, store = 0;
    if (v[0] > v[n - 1])
        swap2(v, ix, 0, n - 1);
    if (v[n - 1] > v[mid]) {
        swap2(v, ix, n - 1, mid);
        if (v[0] > v[n - 1])
            swap2(v, ix, 0, n - 1);
    }
    double pivot = v[n - 1];
    for (size_t i = 0; i < n - 1; i++)
        if (v[i] < pivot)
            swap2(v, ix, i, store++);
    swap2(v, ix, store, n - 1);
    if (store > 1)
        sort2(v, ix, store);
    if (store + 2 < n)
        sort2(v + store + 1, ix + store + 1, n - store - 1);
}

/* ---- fit ------------------------------------------------------------------ */

static int knn_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                   fw_err *e)
{
    knn_state *s = state;
    (void)ctx;
    s->k = (size_t)cfg[0].num;
    s->weights = cfg[1].choice;
    s->metric = cfg[2].choice;
    s->task = d->task;
    s->n = d->n;
    s->p = d->X.n_cols;
    s->n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0;
    if (s->k > s->n)
        return fw_err_set(e, FW_EINVAL, "knn: k = %zu is more than the %zu training rows",
                          s->k, s->n);
    s->train = malloc((s->n * s->p + 1) * sizeof *s->train);
    s->norm = malloc((s->n + 1) * sizeof *s->norm);
    s->y = malloc((s->n + 1) * sizeof *s->y);
    s->present = calloc(s->n_classes + 1, 1);
    if (!s->train || !s->norm || !s->y || !s->present)
        return fw_err_set(e, FW_ENOMEM, "knn: out of memory for %zu training rows", s->n);
    for (size_t i = 0; i < s->n; i++) {
        size_t r = d->rows[i];
        double *row = s->train + i * s->p;
        for (size_t j = 0; j < s->p; j++)
            row[j] = fw_mat_at(&d->X, r, j);
        if (s->metric == M_COSINE)
            unit_row(row, s->p);
        s->norm[i] = cblas_ddot((int)s->p, row, 1, row, 1);
        s->y[i] = d->y[r];
        if (s->n_classes)
            s->present[(size_t)d->y[r]] = 1;
    }
    return FW_OK;
}

/* ---- search ---------------------------------------------------------------- */

/* Work space for one chunk of test rows. */
typedef struct knn_work {
    size_t b;                 /* rows in the chunk */
    double *q, *qn;           /* b x p query rows, their squared norms */
    double *block;            /* KNN_CHUNK x KNN_CHUNK cross terms */
    double *tv, *mv;          /* b x k: first heaps, merged heaps */
    long *ti, *mi;
} knn_work;

static void work_free(knn_work *w)
{
    free(w->q), free(w->qn), free(w->block), free(w->tv), free(w->mv), free(w->ti), free(w->mi);
}

static int work_alloc(knn_work *w, size_t p, size_t k)
{
    memset(w, 0, sizeof *w);
    w->q = malloc((KNN_CHUNK * p + 1) * sizeof *w->q);
    w->qn = malloc(KNN_CHUNK * sizeof *w->qn);
    w->block = malloc(KNN_CHUNK * KNN_CHUNK * sizeof *w->block);
    w->tv = malloc(KNN_CHUNK * k * sizeof *w->tv);
    w->mv = malloc(KNN_CHUNK * k * sizeof *w->mv);
    w->ti = malloc(KNN_CHUNK * k * sizeof *w->ti);
    w->mi = malloc(KNN_CHUNK * k * sizeof *w->mi);
    return w->q && w->qn && w->block && w->tv && w->mv && w->ti && w->mi;
}

static double manhattan(const double *a, const double *b, size_t p)
{
    double d = 0;
    for (size_t j = 0; j < p; j++)
        d += fabs(a[j] - b[j]);
    return d;
}

/* Push the training rows [y0, y0 + yb) into the first heaps of the chunk. */
static void push_block(const knn_state *s, knn_work *w, size_t y0, size_t yb)
{
    size_t p = s->p, k = s->k;
    const double *Y = s->train + y0 * p;
    int lda = p ? (int)p : 1;
    if (s->metric != M_MANHATTAN)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)w->b, (int)yb, (int)p,
                    s->metric == M_EUCLIDEAN ? -2.0 : 1.0, w->q, lda, Y, lda, 0.0, w->block,
                    (int)yb);
    for (size_t i = 0; i < w->b; i++) {
        const double *row = w->block + i * yb;
        for (size_t j = 0; j < yb; j++) {
            double v;
            if (s->metric == M_EUCLIDEAN)
                v = w->qn[i] + row[j] + s->norm[y0 + j];
            else if (s->metric == M_COSINE)
                v = fmin(fmax(1.0 - row[j], 0.0), 2.0);
            else
                v = manhattan(w->q + i * p, Y + j * p, p);
            heap_push(w->tv + i * k, w->ti + i * k, k, v, (long)(y0 + j));
        }
    }
}

/* Neighbours of query rows [q0, q0 + b): w->mi (indices into the training
 * rows) and w->mv (distances), nearest first, k per row. */
static void search_chunk(const knn_state *s, const fw_matrix *X, const size_t *rows,
                         size_t q0, size_t b, knn_work *w)
{
    size_t p = s->p, k = s->k;
    w->b = b;
    for (size_t i = 0; i < b; i++) {
        double *q = w->q + i * p;
        for (size_t j = 0; j < p; j++)
            q[j] = fw_mat_at(X, rows[q0 + i], j);
        if (s->metric == M_COSINE)
            unit_row(q, p);
        w->qn[i] = cblas_ddot((int)p, q, 1, q, 1);
    }
    for (size_t t = 0; t < b * k; t++) {
        w->tv[t] = w->mv[t] = DBL_MAX;
        w->ti[t] = -1;
        w->mi[t] = 0;
    }
    for (size_t y0 = 0; y0 < s->n; y0 += KNN_CHUNK)
        push_block(s, w, y0, s->n - y0 < KNN_CHUNK ? s->n - y0 : KNN_CHUNK);
    /* scikit-learn merges each thread's heap into the result heap, then
     * sorts it; with one thread the merge only reshuffles ties. */
    for (size_t i = 0; i < b; i++) {
        double *mv = w->mv + i * k;
        long *mi = w->mi + i * k;
        for (size_t t = 0; t < k; t++)
            heap_push(mv, mi, k, w->tv[i * k + t], w->ti[i * k + t]);
        sort2(mv, mi, k);
        if (s->metric == M_EUCLIDEAN)
            for (size_t t = 0; t < k; t++)
                mv[t] = sqrt(fmax(mv[t], 0.0));
    }
}

/* ---- prediction --------------------------------------------------------- */

/* Neighbour weights: 1, or 1 / distance with exact matches taking all. */
static void neighbour_weights(int kind, const double *dist, size_t k, double *wt)
{
    int exact = 0;
    for (size_t t = 0; t < k; t++) {
        wt[t] = kind == W_UNIFORM ? 1.0 : 1.0 / dist[t];
        exact |= kind == W_DISTANCE && dist[t] == 0.0;
    }
    for (size_t t = 0; exact && t < k; t++)
        wt[t] = dist[t] == 0.0 ? 1.0 : 0.0;
}

static void vote(const knn_state *s, const long *nb, const double *wt, double *tmp,
                 double *out)
{
    size_t m = 0;
    for (size_t c = 0; c < s->n_classes; c++)
        out[c] = 0.0;
    for (size_t t = 0; t < s->k; t++)
        out[(size_t)s->y[nb[t]]] += wt[t];
    for (size_t c = 0; c < s->n_classes; c++)
        if (s->present[c])
            tmp[m++] = out[c];
    double norm = fw_np_sum(tmp, m, 1);
    norm = norm == 0.0 ? 1.0 : norm;
    for (size_t c = 0; c < s->n_classes; c++)
        out[c] /= norm;
}

static double regress(const knn_state *s, const long *nb, const double *wt, double *tmp)
{
    size_t k = s->k;
    for (size_t t = 0; t < k; t++)
        tmp[t] = s->weights == W_UNIFORM ? s->y[nb[t]] : s->y[nb[t]] * wt[t];
    if (s->weights == W_UNIFORM)
        return fw_np_sum(tmp, k, 1) / (double)k;
    double num = fw_np_sum(tmp, k, 1);
    return num / fw_np_sum(wt, k, 1);
}

static int knn_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                       double *out, fw_err *e)
{
    const knn_state *s = state;
    size_t k = s->k, width = s->n_classes ? s->n_classes : 1;
    knn_work w;
    double *wt = malloc((k + 1) * sizeof *wt);
    double *tmp = malloc((k + s->n_classes + 1) * sizeof *tmp);
    if (!work_alloc(&w, s->p, k) || !wt || !tmp) {
        work_free(&w), free(wt), free(tmp);
        return fw_err_set(e, FW_ENOMEM, "knn: out of memory");
    }
    for (size_t q0 = 0; q0 < n; q0 += KNN_CHUNK) {
        size_t b = n - q0 < KNN_CHUNK ? n - q0 : KNN_CHUNK;
        search_chunk(s, X, rows, q0, b, &w);
        for (size_t i = 0; i < b; i++) {
            neighbour_weights(s->weights, w.mv + i * k, k, wt);
            if (s->n_classes)
                vote(s, w.mi + i * k, wt, tmp, out + (q0 + i) * width);
            else
                out[q0 + i] = regress(s, w.mi + i * k, wt, tmp);
        }
    }
    work_free(&w), free(wt), free(tmp);
    return FW_OK;
}

/* ---- save / load ---------------------------------------------------------- */

static int knn_save(const void *state, fw_sb *out, fw_err *e)
{
    const knn_state *s = state;
    fw_sb_appendn(out, (const char *)s, sizeof *s);
    fw_sb_appendn(out, (const char *)s->train, s->n * s->p * sizeof(double));
    fw_sb_appendn(out, (const char *)s->norm, s->n * sizeof(double));
    fw_sb_appendn(out, (const char *)s->y, s->n * sizeof(double));
    fw_sb_appendn(out, (const char *)s->present, s->n_classes);
    return out->oom ? fw_err_set(e, FW_ENOMEM, "knn: out of memory") : FW_OK;
}

static int knn_load(void *state, const void *buf, size_t len, fw_err *e)
{
    knn_state h, *s = state;
    if (len < sizeof h)
        return fw_err_set(e, FW_EINVAL, "knn: saved model is truncated");
    memcpy(&h, buf, sizeof h);
    size_t n = h.n, p = h.p, left = len - sizeof h;
    if (n > left || p > left || h.n_classes > left || h.k < 1 || h.k > n ||
        (n * p + 2 * n) * sizeof(double) + h.n_classes != left)
        return fw_err_set(e, FW_EINVAL, "knn: saved model has the wrong size");
    *s = h;
    s->train = malloc((n * p + 1) * sizeof *s->train);
    s->norm = malloc((n + 1) * sizeof *s->norm);
    s->y = malloc((n + 1) * sizeof *s->y);
    s->present = malloc(h.n_classes + 1);
    if (!s->train || !s->norm || !s->y || !s->present) {
        knn_free(s);
        return fw_err_set(e, FW_ENOMEM, "knn: out of memory");
    }
    const char *src = (const char *)buf + sizeof h;
    memcpy(s->train, src, n * p * sizeof(double));
    memcpy(s->norm, src += n * p * sizeof(double), n * sizeof(double));
    memcpy(s->y, src += n * sizeof(double), n * sizeof(double));
    memcpy(s->present, src + n * sizeof(double), h.n_classes);
    for (size_t i = 0; i < n && h.n_classes; i++)
        if (!(s->y[i] >= 0 && s->y[i] < (double)h.n_classes)) {
            knn_free(s);
            return fw_err_set(e, FW_EINVAL, "knn: saved model is damaged");
        }
    return FW_OK;
}

static int knn_check(const fw_pval *cfg, const fw_model_info *info, fw_err *e)
{
    if (info && info->n_train && cfg[0].num > (double)info->n_train)
        return fw_err_set(e, FW_EINVAL, "knn: k = %.0f is more than the %zu training rows",
                          cfg[0].num, info->n_train);
    return FW_OK;
}

static double knn_complexity(const fw_pval *cfg)
{
    /* Fewer neighbours fit the training rows more closely. */
    return -cfg[0].num;
}

const fw_model_type fw_model_knn = {
    .name = "knn",
    .summary = "k nearest neighbours, brute force on BLAS (KNeighborsClassifier/Regressor)",
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA,
    .params = knn_params,
    .n_params = sizeof knn_params / sizeof knn_params[0],
    .state_size = sizeof(knn_state),
    .check = knn_check,
    .fit = knn_fit,
    .predict = knn_predict,
    .save = knn_save,
    .load = knn_load,
    .complexity = knn_complexity,
    .free_state = knn_free,
};
