/* task.c: task keys and the wire form of tasks and results (MPI messages
 * and journal records share it). All integers little-endian as the machine
 * stores them: a journal is read back on the same kind of machine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/plan.h"

const char *const fw_task_kind_names[] = {"fit",   "outer",      "predict", "refit",
                                          "curve", "importance", "member",  NULL};
const char *const fw_rs_names[] = {"ok", "failed", "timeout", "partial", NULL};

uint64_t fw_fit_key(const fw_config *c, const fw_space *sp, const fw_task *t,
                    const fw_task_cand *k)
{
    fw_hasher *h = fw_hasher_alloc(c->result_hash);
    if (!h)
        return 0;
    fw_hasher_update(h, sp->model->name, strlen(sp->model->name) + 1);
    for (size_t i = 0; i < sp->model->n_params; i++) {
        fw_hasher_update(h, &k->vals[i].num, sizeof k->vals[i].num);
        fw_hasher_update(h, &k->vals[i].choice, sizeof k->vals[i].choice);
    }
    int32_t where[2] = {t->outer, t->inner};
    fw_hasher_update(h, where, sizeof where);
    fw_hasher_update(h, &k->resource, sizeof k->resource);
    fw_hasher_update(h, &t->train_frac, sizeof t->train_frac);
    uint64_t v = fw_hasher_digest(h);
    fw_hasher_free(h);
    return v;
}

#define PUT(sb, v) fw_sb_appendn((sb), (const char *)&(v), sizeof(v))

void fw_task_pack(const fw_task *t, const fw_config *c, fw_sb *out)
{
    PUT(out, t->id);
    PUT(out, t->kind);
    PUT(out, t->context);
    PUT(out, t->outer);
    PUT(out, t->inner);
    PUT(out, t->train_frac);
    PUT(out, t->member);
    PUT(out, t->key);
    PUT(out, t->n_cand);
    for (uint32_t i = 0; i < t->n_cand; i++) {
        const fw_task_cand *k = &t->cands[i];
        PUT(out, k->space);
        PUT(out, k->cand);
        PUT(out, k->resource);
        size_t np = c->spaces[k->space].model->n_params;
        fw_sb_appendn(out, (const char *)k->vals, np * sizeof *k->vals);
    }
}

int fw_task_unpack(const void *buf, size_t n, const fw_config *c, fw_task *t, fw_err *e)
{
    fw_reader r;
    fw_reader_init(&r, buf, n);
    memset(t, 0, sizeof *t);
    fw_get(&r, &t->id, sizeof t->id);
    fw_get(&r, &t->kind, sizeof t->kind);
    fw_get(&r, &t->context, sizeof t->context);
    fw_get(&r, &t->outer, sizeof t->outer);
    fw_get(&r, &t->inner, sizeof t->inner);
    fw_get(&r, &t->train_frac, sizeof t->train_frac);
    fw_get(&r, &t->member, sizeof t->member);
    fw_get(&r, &t->key, sizeof t->key);
    fw_get(&r, &t->n_cand, sizeof t->n_cand);
    if (r.bad || t->n_cand > n)
        return fw_err_set(e, FW_EINVAL, "damaged task message");
    t->cands = calloc(t->n_cand ? t->n_cand : 1, sizeof *t->cands);
    if (!t->cands)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < t->n_cand && !r.bad; i++) {
        fw_task_cand *k = &t->cands[i];
        fw_get(&r, &k->space, sizeof k->space);
        fw_get(&r, &k->cand, sizeof k->cand);
        fw_get(&r, &k->resource, sizeof k->resource);
        if (r.bad || k->space >= c->n_spaces)
            break;
        size_t np = c->spaces[k->space].model->n_params;
        fw_pval *v = malloc((np ? np : 1) * sizeof *v);
        if (!v)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        fw_get(&r, v, np * sizeof *v);
        k->vals = v;
    }
    if (r.bad || fw_reader_left(&r) != 0) {
        fw_task_unpacked_free(t);
        return fw_err_set(e, FW_EINVAL, "damaged task message");
    }
    return FW_OK;
}

void fw_task_unpacked_free(fw_task *t)
{
    for (uint32_t i = 0; t->cands && i < t->n_cand; i++)
        free((void *)t->cands[i].vals);
    free(t->cands);
    t->cands = NULL;
    t->n_cand = 0;
}

/* ---- results --------------------------------------------------------------- */

int fw_result_alloc(fw_result *r, uint32_t n_cand, uint32_t n_metrics)
{
    memset(r, 0, sizeof *r);
    r->n_cand = n_cand;
    r->n_metrics = n_metrics;
    r->c = calloc(n_cand ? n_cand : 1, sizeof *r->c);
    if (!r->c)
        return FW_ENOMEM;
    for (uint32_t i = 0; i < n_cand; i++) {
        r->c[i].test = malloc((n_metrics ? n_metrics : 1) * sizeof(double));
        r->c[i].train = malloc((n_metrics ? n_metrics : 1) * sizeof(double));
        if (!r->c[i].test || !r->c[i].train)
            return FW_ENOMEM;
        for (uint32_t m = 0; m < n_metrics; m++)
            r->c[i].test[m] = r->c[i].train[m] = NAN;
        r->c[i].converged = -1;
    }
    return FW_OK;
}

void fw_result_free(fw_result *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; r->c && i < r->n_cand; i++) {
        free(r->c[i].test);
        free(r->c[i].train);
        free(r->c[i].message);
    }
    free(r->c);
    free(r->pred_rows);
    free(r->pred);
    free(r->model);
    memset(r, 0, sizeof *r);
}

void fw_result_pack(const fw_result *r, fw_sb *out)
{
    PUT(out, r->task);
    PUT(out, r->key);
    PUT(out, r->kind);
    PUT(out, r->n_cand);
    PUT(out, r->n_metrics);
    for (uint32_t i = 0; i < r->n_cand; i++) {
        const fw_cand_result *c = &r->c[i];
        int32_t st = c->status;
        PUT(out, st);
        fw_sb_appendn(out, (const char *)c->test, r->n_metrics * sizeof(double));
        fw_sb_appendn(out, (const char *)c->train, r->n_metrics * sizeof(double));
        PUT(out, c->fit_time);
        PUT(out, c->score_time);
        PUT(out, c->n_iter);
        PUT(out, c->converged);
        PUT(out, c->warn);
        uint32_t ml = c->message ? (uint32_t)strlen(c->message) : 0;
        PUT(out, ml);
        fw_sb_appendn(out, c->message ? c->message : "", ml);
    }
    PUT(out, r->n_pred);
    PUT(out, r->width);
    fw_sb_appendn(out, (const char *)r->pred_rows, r->n_pred * sizeof *r->pred_rows);
    fw_sb_appendn(out, (const char *)r->pred,
                  (size_t)r->n_cand * r->n_pred * r->width * sizeof *r->pred);
    uint64_t ml = r->model_len;
    PUT(out, ml);
    fw_sb_appendn(out, r->model, r->model_len);
}

static int unpack_cands(fw_reader *r, fw_result *res)
{
    for (uint32_t i = 0; i < res->n_cand && !r->bad; i++) {
        fw_cand_result *c = &res->c[i];
        int32_t st;
        fw_get(r, &st, sizeof st);
        c->status = st;
        fw_get(r, c->test, res->n_metrics * sizeof(double));
        fw_get(r, c->train, res->n_metrics * sizeof(double));
        fw_get(r, &c->fit_time, sizeof c->fit_time);
        fw_get(r, &c->score_time, sizeof c->score_time);
        fw_get(r, &c->n_iter, sizeof c->n_iter);
        fw_get(r, &c->converged, sizeof c->converged);
        fw_get(r, &c->warn, sizeof c->warn);
        uint32_t ml;
        fw_get(r, &ml, sizeof ml);
        if (r->bad || ml > fw_reader_left(r))
            return -1;
        if (ml) {
            if (!(c->message = malloc(ml + 1)))
                return -1;
            fw_get(r, c->message, ml);
            c->message[ml] = '\0';
        }
    }
    return r->bad ? -1 : 0;
}

int fw_result_unpack(const void *buf, size_t n, fw_result *res, fw_err *e)
{
    fw_reader r;
    fw_reader_init(&r, buf, n);
    uint32_t task, n_cand, n_metrics;
    uint64_t key;
    uint8_t kind;
    memset(res, 0, sizeof *res);
    fw_get(&r, &task, sizeof task);
    fw_get(&r, &key, sizeof key);
    fw_get(&r, &kind, sizeof kind);
    fw_get(&r, &n_cand, sizeof n_cand);
    fw_get(&r, &n_metrics, sizeof n_metrics);
    if (r.bad || n_cand > n || n_metrics > 4096)
        return fw_err_set(e, FW_EINVAL, "damaged result record");
    if (fw_result_alloc(res, n_cand, n_metrics))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    res->task = task;
    res->key = key;
    res->kind = kind;
    if (unpack_cands(&r, res))
        goto bad;
    fw_get(&r, &res->n_pred, sizeof res->n_pred);
    fw_get(&r, &res->width, sizeof res->width);
    size_t np = res->n_pred, nv = (size_t)n_cand * res->n_pred * res->width;
    if (r.bad || np > n || nv > n)
        goto bad;
    if (np) {
        res->pred_rows = malloc(np * sizeof *res->pred_rows);
        res->pred = malloc((nv ? nv : 1) * sizeof *res->pred);
        if (!res->pred_rows || !res->pred)
            goto bad;
        fw_get(&r, res->pred_rows, np * sizeof *res->pred_rows);
        fw_get(&r, res->pred, nv * sizeof *res->pred);
    }
    uint64_t ml;
    fw_get(&r, &ml, sizeof ml);
    if (r.bad || ml > fw_reader_left(&r))
        goto bad;
    if (ml) {
        if (!(res->model = malloc(ml)))
            goto bad;
        fw_get(&r, res->model, ml);
        res->model_len = ml;
    }
    if (!r.bad && fw_reader_left(&r) == 0)
        return FW_OK;
bad:
    fw_result_free(res);
    return fw_err_set(e, FW_EINVAL, "damaged result record");
}
