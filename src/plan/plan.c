/* plan.c: the task graph. See plan.h for the shape of a run; this file keeps
 * the bookkeeping: search contexts asking their proposers for candidates,
 * fit tasks per (candidate batch, split), results stored by (candidate,
 * split) so that aggregation never depends on arrival order, and follow-up
 * tasks released when their inputs are complete. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/metrics.h"
#include "plan_int.h"

/* Candidates batched into one task when the model shares work along a path. */
#define MAX_BATCH 64

/* ---- small containers --------------------------------------------------- */

static int idq_push(idq *q, uint32_t id)
{
    if (q->head + q->n == q->cap) {
        if (q->head > q->cap / 2) {
            memmove(q->id, q->id + q->head, q->n * sizeof *q->id);
            q->head = 0;
        } else {
            size_t cap = q->cap ? q->cap * 2 : 64;
            uint32_t *ids = realloc(q->id, cap * sizeof *ids);
            if (!ids)
                return -1;
            q->id = ids;
            q->cap = cap;
        }
    }
    q->id[q->head + q->n++] = id;
    return 0;
}

static uint32_t idq_pop(idq *q)
{
    q->n--;
    return q->id[q->head++];
}

/* ---- tasks ----------------------------------------------------------------- */

static uint64_t task_key(const fw_plan *p, const fw_task *t)
{
    fw_hasher *h = fw_hasher_alloc(p->c->result_hash);
    if (!h)
        return 0;
    int32_t hdr[3] = {t->kind, t->outer, t->inner};
    fw_hasher_update(h, hdr, sizeof hdr);
    fw_hasher_update(h, &t->train_frac, sizeof t->train_frac);
    /* (hashed only when set, so the default's keys are as they were) */
    if (t->kind == FW_TK_CURVE && p->c->diagnose.learning_curve_first_rows)
        fw_hasher_update(h, "first rows", 10);
    fw_hasher_update(h, &t->member, sizeof t->member);
    for (uint32_t i = 0; i < t->n_cand; i++) {
        uint64_t k = fw_fit_key(p->c, &p->c->spaces[t->cands[i].space], t, &t->cands[i]);
        fw_hasher_update(h, &k, sizeof k);
    }
    uint64_t v = fw_hasher_digest(h);
    fw_hasher_free(h);
    return v;
}

/* Add a task for candidates ids[0..n) of context x on (outer, inner);
 * member >= 0 makes it a member task of the fit task `parent` (which is
 * itself added with member = -2: waiting, not queued). *id receives the
 * new task's id when id is not NULL. */
static int add_task_ex(fw_plan *p, int kind, int context, int outer, int inner, const size_t *ids,
                       size_t n, long member, uint32_t parent, uint32_t *id, fw_err *e)
{
    if (p->n_tasks == p->cap_tasks) {
        size_t cap = p->cap_tasks ? p->cap_tasks * 2 : 256;
        ptask *t = realloc(p->tasks, cap * sizeof *t);
        if (!t)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        p->tasks = t;
        p->cap_tasks = cap;
    }
    ptask *pt = &p->tasks[p->n_tasks];
    memset(pt, 0, sizeof *pt);
    pt->parent = member >= 0 ? parent : UINT32_MAX;
    fw_task *t = &pt->t;
    t->id = (uint32_t)p->n_tasks;
    t->kind = (uint8_t)kind;
    t->context = context;
    t->outer = outer;
    t->inner = inner;
    t->train_frac = 1.0;
    t->n_cand = (uint32_t)n;
    t->cands = calloc(n ? n : 1, sizeof *t->cands);
    if (!t->cands)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    const pctx *x = &p->ctx[context];
    for (size_t i = 0; i < n; i++) {
        const fw_cand *fc = fw_search_cand(x->search, ids[i]);
        size_t np = p->c->spaces[fc->space].model->n_params;
        fw_pval *v = malloc((np ? np : 1) * sizeof *v);
        if (!v)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        memcpy(v, fc->vals, np * sizeof *v);
        t->cands[i] = (fw_task_cand){(uint32_t)fc->space, (uint32_t)ids[i], fc->resource, v};
    }
    if (member >= 0)
        t->member = (uint32_t)member;
    t->key = task_key(p, t);
    p->n_tasks++;
    if (id)
        *id = t->id;
    if (member == -2) {
        pt->state = 3;
        return FW_OK;
    }
    idq *q = kind == FW_TK_FIT || kind == FW_TK_MEMBER ? &p->ready[t->cands[0].space]
                                                       : &p->follow;
    if (idq_push(q, t->id))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    return FW_OK;
}

static int add_task(fw_plan *p, int kind, int context, int outer, int inner, const size_t *ids,
                    size_t n, fw_err *e)
{
    return add_task_ex(p, kind, context, outer, inner, ids, n, -1, 0, NULL, e);
}

void fw_member_range(size_t member, size_t n_trees, size_t block, size_t *lo, size_t *hi)
{
    *lo = member * block;
    *hi = *lo + block;
    /* The last block takes the remainder (so no block is tiny). */
    if (*hi + block > n_trees)
        *hi = n_trees;
}

size_t fw_curve_n_train(double frac, size_t n_first, size_t n_split)
{
    size_t n = (size_t)floor(frac * (double)n_first);
    n = n ? n : 1;
    return n < n_split ? n : n_split;
}

/* Number of member blocks for a batch, or 0 when it is fitted whole. */
static size_t member_blocks(const fw_plan *p, const fw_cand *const *batch, size_t nb)
{
    const fw_model_type *m = p->c->spaces[batch[0]->space].model;
    if (nb != 1 || !(m->caps & FW_CAP_MEMBERS) || p->c->prep.resample != FW_RESAMPLE_NONE)
        return 0;
    long i = fw_param_index(m, "n_trees");
    if (i < 0 || batch[0]->vals[i].choice >= 0)
        return 0;
    size_t n = (size_t)batch[0]->vals[i].num, b = (size_t)p->c->limits.member_trees;
    return b > 0 && n >= 2 * b ? n / b : 0;
}

/* One fit task for a batch on one split, or a waiting fit task and its
 * member tasks. */
static int add_fit(fw_plan *p, size_t xi, int outer, int inner, const size_t *ids, size_t n,
                   fw_err *e)
{
    const fw_cand *first = fw_search_cand(p->ctx[xi].search, ids[0]);
    size_t blocks = member_blocks(p, &first, n);
    if (!blocks)
        return add_task(p, FW_TK_FIT, (int)xi, outer, inner, ids, n, e);
    uint32_t fit;
    int rc = add_task_ex(p, FW_TK_FIT, (int)xi, outer, inner, ids, n, -2, 0, &fit, e);
    if (rc)
        return rc;
    p->tasks[fit].waiting = p->tasks[fit].n_members = (uint32_t)blocks;
    p->tasks[fit].members = calloc(blocks, sizeof(fw_result));
    if (!p->tasks[fit].members)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t b = 0; b < blocks && !rc; b++)
        rc = add_task_ex(p, FW_TK_MEMBER, (int)xi, outer, inner, ids, n, (long)b, fit, NULL, e);
    return rc;
}

/* Same space, same resource, same values except the model's path param. */
static int same_batch(const fw_plan *p, const fw_cand *a, const fw_cand *b)
{
    if (a->space != b->space || a->resource != b->resource || a->rung != b->rung)
        return 0;
    const fw_model_type *m = p->c->spaces[a->space].model;
    if (!(m->caps & FW_CAP_PATH))
        return 0;
    long path = fw_param_index(m, m->path_param);
    for (size_t i = 0; i < m->n_params; i++) {
        if ((long)i == path)
            continue;
        if (memcmp(&a->vals[i], &b->vals[i], sizeof a->vals[i]) != 0)
            return 0;
    }
    return 1;
}

/* Plan fit tasks for new candidates [first, first + n) of context xi:
 * batches of path-sharing candidates, one task per batch and split. Tasks
 * are created split by split, so that a worker taking tasks in order meets
 * the same training rows again and reuses what its models cached. */
static int plan_candidates(fw_plan *p, size_t xi, size_t first, size_t n, fw_err *e)
{
    pctx *x = &p->ctx[xi];
    unsigned char *used = calloc(n ? n : 1, 1);
    size_t *batch = malloc((n ? n : 1) * sizeof *batch), *start = malloc((n + 1) * sizeof *start);
    size_t nbatches = 0, nb = 0;
    int rc = FW_OK;
    if (!used || !batch || !start) {
        free(used), free(batch), free(start);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    /* Group the candidates into batches: batch b is batch[start[b]..start[b+1]). */
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        const fw_cand *a = fw_search_cand(x->search, first + i);
        size_t size = 1;
        start[nbatches++] = nb;
        batch[nb++] = first + i;
        used[i] = 1;
        int path = (p->c->spaces[a->space].model->caps & FW_CAP_PATH) != 0;
        for (size_t j = i + 1; path && j < n && size < MAX_BATCH; j++) {
            if (!used[j] && same_batch(p, a, fw_search_cand(x->search, first + j))) {
                batch[nb++] = first + j;
                used[j] = 1;
                size++;
            }
        }
    }
    start[nbatches] = nb;
    for (size_t s = 0; s < x->splits->n_folds && !rc; s++)
        for (size_t b = 0; b < nbatches && !rc; b++)
            rc = add_fit(p, xi, x->outer < 0 ? (int)s : x->outer, x->outer < 0 ? -1 : (int)s,
                         batch + start[b], start[b + 1] - start[b], e);
    free(used);
    free(batch);
    free(start);
    return rc;
}

/* ---- contexts ------------------------------------------------------------------ */

static int grow_cands(fw_plan *p, pctx *x, size_t n, fw_err *e)
{
    if (n <= x->cap)
        return FW_OK;
    size_t cap = x->cap ? x->cap : 16;
    while (cap < n)
        cap *= 2;
    pcand *c = realloc(x->cands, cap * sizeof *c);
    if (!c)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    x->cands = c;
    size_t ns = x->splits->n_folds, nm = p->n_metrics;
    for (size_t i = x->cap; i < cap; i++) {
        pcand *k = &x->cands[i];
        memset(k, 0, sizeof *k);
        k->test = malloc(ns * nm * sizeof *k->test);
        k->train = malloc(ns * nm * sizeof *k->train);
        k->fit = calloc(ns, sizeof *k->fit);
        k->score = calloc(ns, sizeof *k->score);
        k->status = malloc(ns * sizeof *k->status);
        k->conv = malloc(ns * sizeof *k->conv);
        x->cap = i + 1;
        if (!k->test || !k->train || !k->fit || !k->score || !k->status || !k->conv)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t s = 0; s < ns * nm; s++)
            k->test[s] = k->train[s] = NAN;
        for (size_t s = 0; s < ns; s++)
            k->status[s] = -1, k->conv[s] = -1;
    }
    return FW_OK;
}

static int release_followups(fw_plan *p, size_t xi, fw_err *e);

/* Ask a context's proposer for more candidates while none are pending. */
static int advance_context(fw_plan *p, size_t xi, fw_err *e)
{
    pctx *x = &p->ctx[xi];
    while (!x->done && x->pending == 0) {
        size_t first, n;
        int finished, rc;
        if ((rc = fw_search_ask(x->search, &first, &n, &finished, e)))
            return rc;
        if (n) {
            if ((rc = grow_cands(p, x, first + n, e)))
                return rc;
            x->n_cands = first + n;
            x->pending += n;
            if ((rc = plan_candidates(p, xi, first, n, e)))
                return rc;
            continue;
        }
        if (!finished)
            return fw_err_set(e, FW_EINVAL, "search proposed nothing with no results pending");
        x->done = 1;
        return release_followups(p, xi, e);
    }
    return FW_OK;
}

static int context_init(fw_plan *p, size_t xi, int outer, fw_err *e)
{
    pctx *x = &p->ctx[xi];
    int rc;
    x->outer = outer;
    if (outer < 0)
        x->splits = fw_cv_outer(p->cv);
    else if ((rc = fw_cv_inner(p->cv, (size_t)outer, &x->splits, e)))
        return rc;
    /* Halving on samples: the largest resource is the smallest training
     * set among the context's splits. */
    fw_search_spec spec = p->c->search;
    if (spec.strategy == FW_SEARCH_HALVING && spec.resource == FW_RESOURCE_N_SAMPLES) {
        spec.max_resource = 0;
        for (size_t s = 0; s < x->splits->n_folds; s++) {
            double n = (double)x->splits->folds[s].n_train;
            if (spec.max_resource == 0 || n < spec.max_resource)
                spec.max_resource = n;
        }
    }
    /* Nested contexts propose from the same seed as the flat search: say
     * their warnings once, through the flat context. */
    int level = fw_log_get_level();
    if (xi > 0)
        fw_log_set_level(FW_LOG_ERROR);
    rc = fw_search_alloc(&spec, p->c->spaces, p->c->n_spaces, p->gib, p->c->seed, &x->search,
                         e);
    if (!rc)
        rc = advance_context(p, xi, e);
    fw_log_set_level(level);
    return rc;
}

int fw_plan_alloc(const fw_config *c, const fw_dataset *d, fw_cv *cv, fw_plan **out, fw_err *e)
{
    fw_plan *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    p->c = c;
    p->d = d;
    p->cv = cv;
    p->n_metrics = c->n_metrics;
    const fw_metric_type *m0 = fw_metric_find(c->metrics[0]);
    p->gib = m0 ? m0->greater_is_better : 1;
    p->gibs = malloc(c->n_metrics * sizeof *p->gibs);
    for (size_t m = 0; p->gibs && m < c->n_metrics; m++) {
        const fw_metric_type *mt = fw_metric_find(c->metrics[m]);
        p->gibs[m] = mt ? mt->greater_is_better : 1;
    }
    size_t n_outer = fw_cv_outer(cv)->n_folds;
    p->n_ctx = 1 + (c->has_inner ? n_outer : 0);
    p->ctx = calloc(p->n_ctx, sizeof *p->ctx);
    p->ready = calloc(c->n_spaces, sizeof *p->ready);
    p->space_time = calloc(c->n_spaces, sizeof *p->space_time);
    p->space_fits = calloc(c->n_spaces, sizeof *p->space_fits);
    p->outer = calloc(n_outer ? n_outer : 1, sizeof *p->outer);
    p->outer_done = calloc(n_outer ? n_outer : 1, sizeof *p->outer_done);
    int rc = FW_OK;
    if (!p->gibs || !p->ctx || !p->ready || !p->space_time || !p->space_fits || !p->outer || !p->outer_done)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t o = 0; !rc && o < n_outer; o++) {
        p->outer[o].split = o;
        p->outer[o].status = -1;
        if (!(p->outer[o].test = malloc(c->n_metrics * sizeof(double))))
            rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    for (size_t xi = 0; !rc && xi < p->n_ctx; xi++)
        rc = context_init(p, xi, xi == 0 ? -1 : (int)xi - 1, e);
    if (rc) {
        fw_plan_free(p);
        return rc;
    }
    *out = p;
    return FW_OK;
}

void fw_plan_free(fw_plan *p)
{
    if (!p)
        return;
    for (size_t xi = 0; p->ctx && xi < p->n_ctx; xi++) {
        pctx *x = &p->ctx[xi];
        for (size_t i = 0; i < x->cap; i++) {
            pcand *k = &x->cands[i];
            free(k->test), free(k->train), free(k->fit), free(k->score);
            free(k->status), free(k->conv), free(k->message);
        }
        free(x->cands);
        fw_plan_rows_free(x);
        fw_search_free(x->search);
    }
    free(p->ctx);
    for (size_t i = 0; i < p->n_tasks; i++) {
        for (uint32_t m = 0; p->tasks[i].members && m < p->tasks[i].n_members; m++)
            fw_result_free(&p->tasks[i].members[m]);
        free(p->tasks[i].members);
        for (uint32_t k = 0; k < p->tasks[i].t.n_cand; k++)
            free((void *)p->tasks[i].t.cands[k].vals);
        free(p->tasks[i].t.cands);
    }
    free(p->tasks);
    for (size_t s = 0; p->ready && s < p->c->n_spaces; s++)
        free(p->ready[s].id);
    free(p->ready);
    free(p->follow.id);
    free(p->combine.id);
    free(p->space_time);
    free(p->space_fits);
    free(p->gibs);
    for (size_t o = 0; p->outer && o < fw_cv_outer(p->cv)->n_folds; o++)
        free(p->outer[o].test);
    free(p->outer);
    free(p->outer_done);
    for (size_t i = 0; i < p->n_preds; i++)
        fw_result_free(&p->preds[i]);
    free(p->preds);
    free(p->pred_ptrs);
    if (p->have_refit)
        fw_result_free(&p->refit);
    for (size_t f = 0; f < p->n_curve; f++) {
        free(p->curve[f].test);
        free(p->curve[f].train);
    }
    free(p->curve);
    free(p);
}

/* ---- handing out tasks ------------------------------------------------------------ */

static double space_mean_time(const fw_plan *p, size_t s)
{
    return p->space_fits[s] ? p->space_time[s] / (double)p->space_fits[s] : NAN;
}

const fw_task *fw_plan_next(fw_plan *p)
{
    idq *q = NULL;
    if (p->follow.n) {
        q = &p->follow;
    } else {
        /* Spaces without timings first, in task id order (to learn them);
         * then the longest expected task. */
        double best_cost = -1;
        uint32_t best_id = UINT32_MAX;
        for (size_t s = 0; s < p->c->n_spaces; s++) {
            idq *r = &p->ready[s];
            if (!r->n)
                continue;
            uint32_t head = r->id[r->head];
            double mt = space_mean_time(p, s);
            if (isnan(mt)) {
                if (best_cost != INFINITY || head < best_id) {
                    best_cost = INFINITY;
                    best_id = head;
                    q = r;
                }
                continue;
            }
            double cost = mt * p->tasks[head].t.n_cand;
            if (cost > best_cost) {
                best_cost = cost;
                best_id = head;
                q = r;
            }
        }
    }
    if (!q)
        return NULL;
    ptask *t = &p->tasks[idq_pop(q)];
    t->state = 1;
    p->running++;
    return &t->t;
}

int fw_plan_has_ready(const fw_plan *p)
{
    if (p->follow.n)
        return 1;
    for (size_t s = 0; s < p->c->n_spaces; s++)
        if (p->ready[s].n)
            return 1;
    return 0;
}

const fw_task *fw_plan_task(const fw_plan *p, uint32_t id)
{
    return id < p->n_tasks ? &p->tasks[id].t : NULL;
}

void fw_plan_requeue(fw_plan *p, uint32_t id)
{
    if (id >= p->n_tasks || p->tasks[id].state != 1)
        return;
    ptask *t = &p->tasks[id];
    t->state = 0;
    p->running--;
    idq *q = t->t.kind == FW_TK_FIT && t->members ? &p->combine
             : t->t.kind == FW_TK_FIT || t->t.kind == FW_TK_MEMBER ? &p->ready[t->t.cands[0].space]
                                                                     : &p->follow;
    idq_push(q, id);
}

const fw_task *fw_plan_next_combine(fw_plan *p, const fw_result **members, size_t *n)
{
    if (!p->combine.n)
        return NULL;
    ptask *t = &p->tasks[idq_pop(&p->combine)];
    t->state = 1;
    p->running++;
    *members = t->members;
    *n = t->n_members;
    return &t->t;
}

/* ---- results ------------------------------------------------------------------------ */

static void store_split(fw_plan *p, pctx *x, size_t ci, size_t s, const fw_cand_result *r)
{
    pcand *k = &x->cands[ci];
    size_t nm = p->n_metrics;
    memcpy(k->test + s * nm, r->test, nm * sizeof *r->test);
    memcpy(k->train + s * nm, r->train, nm * sizeof *r->train);
    k->fit[s] = r->fit_time;
    k->score[s] = r->score_time;
    k->status[s] = r->status;
    k->conv[s] = r->converged;
    if (r->message && !k->message)
        k->message = fw_strdup(r->message);
    k->done++;
}

static int complete_fit(fw_plan *p, const fw_task *t, const fw_result *r, fw_err *e)
{
    size_t xi = (size_t)t->context;
    pctx *x = &p->ctx[xi];
    size_t s = x->outer < 0 ? (size_t)t->outer : (size_t)t->inner;
    for (uint32_t i = 0; i < t->n_cand; i++) {
        size_t ci = t->cands[i].cand;
        const fw_cand_result *cr = &r->c[i];
        store_split(p, x, ci, s, cr);
        p->space_time[t->cands[i].space] += cr->fit_time + cr->score_time;
        p->space_fits[t->cands[i].space]++;
        p->failed_fits += cr->status != FW_RS_OK;
        pcand *k = &x->cands[ci];
        if (k->done < x->splits->n_folds)
            continue;
        k->complete = 1;
        double mean, std;
        fw_plan_cand_stats(p, x, ci, 0, &mean, &std);
        int rc = fw_search_tell(x->search, ci, mean, e);
        if (rc)
            return rc;
        k->told = 1;
        x->pending--;
    }
    fw_plan_rows_free(x);
    return advance_context(p, xi, e);
}

/* Keep a deep copy of a result (predictions, refit model). */
static int keep_result(const fw_result *r, fw_result *dst, fw_err *e)
{
    fw_sb sb;
    fw_sb_init(&sb);
    fw_result_pack(r, &sb);
    int rc = sb.oom ? fw_err_set(e, FW_ENOMEM, "out of memory")
                    : fw_result_unpack(sb.s, sb.len, dst, e);
    fw_sb_free(&sb);
    return rc;
}

static int keep_prediction(fw_plan *p, const fw_result *r, fw_err *e)
{
    if (p->n_preds == p->cap_preds) {
        size_t cap = p->cap_preds ? p->cap_preds * 2 : 16;
        fw_result *np = realloc(p->preds, cap * sizeof *np);
        if (!np)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        p->preds = np;
        p->cap_preds = cap;
    }
    /* Kept in task order, whatever the arrival order. */
    size_t at = p->n_preds;
    while (at > 0 && p->preds[at - 1].task > r->task)
        at--;
    fw_result tmp;
    int rc = keep_result(r, &tmp, e);
    if (rc)
        return rc;
    memmove(p->preds + at + 1, p->preds + at, (p->n_preds - at) * sizeof *p->preds);
    p->preds[at] = tmp;
    p->n_preds++;
    return FW_OK;
}

int fw_plan_complete(fw_plan *p, const fw_result *r, fw_err *e)
{
    if (r->task >= p->n_tasks || p->tasks[r->task].state == 2)
        return fw_err_set(e, FW_EINVAL, "result for unknown or finished task %u", r->task);
    ptask *pt = &p->tasks[r->task];
    const fw_task *t = &pt->t;
    if (r->key != t->key || r->n_cand != t->n_cand || r->n_metrics != p->n_metrics)
        return fw_err_set(e, FW_EINVAL, "result does not match task %u", r->task);
    if (pt->state == 1)
        p->running--;
    pt->state = 2;
    p->done++;
    int rc = FW_OK;
    if (r->n_pred && t->kind != FW_TK_MEMBER && (rc = keep_prediction(p, r, e)))
        return rc;
    switch (t->kind) {
    case FW_TK_FIT:
        rc = complete_fit(p, t, r, e);
        for (uint32_t m = 0; pt->members && m < pt->n_members; m++)
            fw_result_free(&pt->members[m]);
        free(pt->members);
        pt->members = NULL;
        return rc;
    case FW_TK_MEMBER: {
        ptask *fit = &p->tasks[pt->parent];
        if ((rc = keep_result(r, &fit->members[t->member], e)))
            return rc;
        if (--fit->waiting == 0 && idq_push(&p->combine, fit->t.id))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        return FW_OK;
    }
    case FW_TK_OUTER: {
        fw_outer_result *o = &p->outer[t->outer];
        o->status = r->c[0].status;
        memcpy(o->test, r->c[0].test, p->n_metrics * sizeof *o->test);
        o->space = t->cands[0].space;
        o->vals = t->cands[0].vals;
        o->message = NULL;
        p->failed_fits += r->c[0].status != FW_RS_OK;
        p->outer_done[t->outer] = 1;
        return FW_OK;
    }
    case FW_TK_CURVE: {
        fw_curve_point *cp = &p->curve[t->member];
        size_t nm = p->n_metrics;
        p->failed_fits += r->c[0].status != FW_RS_OK;
        if (r->c[0].status == FW_RS_OK) {
            memcpy(cp->test + (size_t)t->outer * nm, r->c[0].test, nm * sizeof *cp->test);
            memcpy(cp->train + (size_t)t->outer * nm, r->c[0].train, nm * sizeof *cp->train);
        }
        return FW_OK;
    }
    case FW_TK_REFIT:
        p->failed_fits += r->c[0].status != FW_RS_OK;
        if ((rc = keep_result(r, &p->refit, e)))
            return rc;
        p->have_refit = 1;
        return FW_OK;
    default:
        return FW_OK;
    }
}

/* ---- follow-ups ----------------------------------------------------------------------- */

/* Curve tasks for the chosen candidate: one per (fraction, outer split). */
static int release_curve(fw_plan *p, long best, fw_err *e)
{
    const fw_config *c = p->c;
    size_t nf = c->diagnose.n_learning_curve, ns = fw_cv_outer(p->cv)->n_folds;
    if (!nf || best < 0)
        return FW_OK;
    p->curve = calloc(nf, sizeof *p->curve);
    if (!p->curve)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    p->n_curve = nf;
    p->curve_cand = best;
    size_t id = (size_t)best;
    int rc = FW_OK;
    for (size_t f = 0; f < nf && !rc; f++) {
        fw_curve_point *pt = &p->curve[f];
        pt->frac = c->diagnose.learning_curve[f];
        pt->n_splits = ns;
        pt->test = malloc(ns * p->n_metrics * sizeof *pt->test);
        pt->train = malloc(ns * p->n_metrics * sizeof *pt->train);
        if (!pt->test || !pt->train)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t i = 0; i < ns * p->n_metrics; i++)
            pt->test[i] = pt->train[i] = NAN;
        const fw_splits *o = fw_cv_outer(p->cv);
        pt->n_train = o->n_folds ? fw_curve_n_train(pt->frac, o->folds[0].n_train,
                                                    o->folds[0].n_train) : 0;
        for (size_t s = 0; s < ns && !rc; s++) {
            uint32_t tid;
            rc = add_task_ex(p, FW_TK_CURVE, 0, (int)s, -1, &id, 1, -1, 0, &tid, e);
            if (!rc) {
                p->tasks[tid].t.train_frac = pt->frac;
                p->tasks[tid].t.member = (uint32_t)f;
                p->tasks[tid].t.key = task_key(p, &p->tasks[tid].t);
            }
        }
    }
    return rc;
}

/* Flat search done: predictions of each model's best, the learning curve
 * of the chosen one, and the final refit. */
static int release_flat(fw_plan *p, fw_err *e)
{
    pctx *x = &p->ctx[0];
    int rc = FW_OK;
    size_t n_outer = x->splits->n_folds;
    if (p->c->output.predictions == FW_PRED_BEST) {
        for (size_t s = 0; s < p->c->n_spaces && !rc; s++) {
            /* One best per model name: the first space of that name owns it. */
            const char *name = p->c->spaces[s].model->name;
            int first = 1;
            for (size_t s2 = 0; s2 < s; s2++)
                first &= strcmp(p->c->spaces[s2].model->name, name) != 0;
            if (!first)
                continue;
            long best = -1;
            double bm = NAN;
            for (size_t s2 = s; s2 < p->c->n_spaces; s2++) {
                if (strcmp(p->c->spaces[s2].model->name, name) != 0)
                    continue;
                long b = fw_plan_choose(p, x, (long)s2, FW_REFIT_BEST);
                double m, sd;
                if (b < 0)
                    continue;
                fw_plan_cand_stats(p, x, (size_t)b, 0, &m, &sd);
                if (best < 0 || (p->gib ? m > bm : m < bm)) {
                    best = b;
                    bm = m;
                }
            }
            size_t id = (size_t)best;
            for (size_t o = 0; best >= 0 && o < n_outer && !rc; o++)
                rc = add_task(p, FW_TK_PREDICT, 0, (int)o, -1, &id, 1, e);
        }
    }
    long best = fw_plan_choose(p, x, -1, p->c->refit);
    if (!rc)
        rc = release_curve(p, best, e);
    if (!rc && p->c->refit != FW_REFIT_NONE) {
        size_t id = (size_t)best;
        if (best >= 0)
            rc = add_task(p, FW_TK_REFIT, 0, -1, -1, &id, 1, e);
    }
    return rc;
}

static int release_followups(fw_plan *p, size_t xi, fw_err *e)
{
    if (xi == 0)
        return release_flat(p, e);
    pctx *x = &p->ctx[xi];
    long best = fw_plan_choose(p, x, -1, p->c->refit);
    if (best < 0) {
        fw_outer_result *o = &p->outer[x->outer];
        o->status = FW_RS_FAILED;
        o->message = "every configuration failed on the inner splits";
        p->outer_done[x->outer] = 1;
        return FW_OK;
    }
    size_t id = (size_t)best;
    return add_task(p, FW_TK_OUTER, (int)xi, x->outer, -1, &id, 1, e);
}

/* ---- state queries ----------------------------------------------------------------------- */

int fw_plan_finished(const fw_plan *p)
{
    for (size_t xi = 0; xi < p->n_ctx; xi++)
        if (!p->ctx[xi].done)
            return 0;
    return p->done == p->n_tasks;
}

void fw_plan_stats_get(const fw_plan *p, fw_plan_stats *s)
{
    s->total = p->n_tasks;
    s->done = p->done;
    s->failed = p->failed_fits;
    s->running = p->running;
    s->resumed = p->resumed;
}

void fw_plan_mark_resumed(fw_plan *p) { p->resumed++; }

double fw_plan_best_so_far(const fw_plan *p, size_t space)
{
    const pctx *x = &p->ctx[0];
    double best = NAN;
    for (size_t i = 0; i < x->n_cands; i++) {
        if (!x->cands[i].complete || fw_search_cand(x->search, i)->space != space)
            continue;
        double m, sd;
        fw_plan_cand_stats(p, x, i, 0, &m, &sd);
        if (!isnan(m) && (isnan(best) || (p->gib ? m > best : m < best)))
            best = m;
    }
    return best;
}

size_t fw_plan_outer(const fw_plan *p, const fw_outer_result **out)
{
    *out = p->outer;
    return p->c->has_inner ? fw_cv_outer(p->cv)->n_folds : 0;
}

size_t fw_plan_predictions(const fw_plan *p, const fw_result *const **out)
{
    fw_plan *mp = (fw_plan *)p;
    free(mp->pred_ptrs);
    mp->pred_ptrs = malloc((p->n_preds ? p->n_preds : 1) * sizeof *mp->pred_ptrs);
    for (size_t i = 0; mp->pred_ptrs && i < p->n_preds; i++)
        mp->pred_ptrs[i] = &p->preds[i];
    *out = mp->pred_ptrs;
    return mp->pred_ptrs ? p->n_preds : 0;
}

const fw_result *fw_plan_refit(const fw_plan *p) { return p->have_refit ? &p->refit : NULL; }

const fw_splits *fw_plan_outer_splits(const fw_plan *p) { return fw_cv_outer(p->cv); }

size_t fw_plan_curve(const fw_plan *p, const fw_curve_point **out, long *cand)
{
    *out = p->curve;
    *cand = p->curve_cand;
    return p->n_curve;
}
