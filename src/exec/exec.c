/* exec.c: run one task. For each candidate the task carries: check the
 * configuration, fit on the split's training rows (through the split's
 * design: per-fold preprocessing fitted on those rows only), predict the
 * training and test rows, score every configured metric on both, time fit
 * and scoring. Candidates batched along a model's path are fitted in one
 * fit_predict_path call. A model's failure is recorded in the result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/exec.h"
#include "foldwise/metrics.h"

struct fw_exec {
    const fw_config *c;
    const fw_dataset *d;
    fw_cv *cv;
    volatile sig_atomic_t *stop;
    size_t *all_rows;       /* 0..n-1, the training rows of a refit; made by
                               the first refit only (a worker that never
                               refits keeps no per-row array) */
    /* One cache slot per model type (indexed like fw_models): work a model
     * shares between fits on the same training rows (the trees' presorted
     * features, the boosting bins) stays while tasks of that split follow
     * each other on this worker. */
    fw_model_cache *caches;
    size_t n_types;
};

int fw_exec_alloc(const fw_config *c, const fw_dataset *d, fw_cv *cv, fw_exec **out, fw_err *e)
{
    fw_exec *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    while (fw_models[x->n_types])
        x->n_types++;
    x->caches = calloc(x->n_types ? x->n_types : 1, sizeof *x->caches);
    if (!x->caches) {
        fw_exec_free(x);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    x->c = c;
    x->d = d;
    x->cv = cv;
    *out = x;
    return FW_OK;
}

void fw_exec_free(fw_exec *x)
{
    if (!x)
        return;
    for (size_t i = 0; x->caches && i < x->n_types; i++)
        fw_model_cache_clear(&x->caches[i]);
    free(x->caches);
    free(x->all_rows);
    free(x);
}

void fw_exec_set_stop(fw_exec *x, volatile sig_atomic_t *stop) { x->stop = stop; }

/* ---- rows of a task ------------------------------------------------------- */

typedef struct task_rows {
    const size_t *train, *test;
    size_t n_train, n_test;
    size_t *own;            /* subsampled training rows, when any */
} task_rows;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Keep the first m rows of a permutation keyed on the split, in ascending
 * order: nested subsets for growing m (halving rungs, curve points). */
static int subsample(const fw_exec *x, const fw_task *t, size_t m, task_rows *tr, fw_err *e)
{
    size_t n = tr->n_train;
    size_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!perm)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    memcpy(perm, tr->train, n * sizeof *perm);
    uint64_t key = fw_hash_mix(fw_hash_str("subsample", 0),
                               fw_hash_mix((uint64_t)(int64_t)t->outer, (uint64_t)(int64_t)t->inner));
    gsl_rng *r = fw_rng_alloc(x->c->seed, key);
    if (!r) {
        free(perm);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    fw_shuffle(r, perm, n);
    gsl_rng_free(r);
    /* The kept rows in ascending order, as the splitters give them. */
    size_t k = m < n ? m : n;
    qsort(perm, k, sizeof *perm, cmp_size);
    tr->own = perm;
    tr->train = perm;
    tr->n_train = k;
    return FW_OK;
}

static int task_rows_get(fw_exec *x, const fw_task *t, task_rows *tr, fw_err *e)
{
    memset(tr, 0, sizeof *tr);
    if (t->outer < 0) {
        if (!x->all_rows) {
            if (!(x->all_rows = malloc((x->d->n_rows ? x->d->n_rows : 1) * sizeof *x->all_rows)))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
            for (size_t i = 0; i < x->d->n_rows; i++)
                x->all_rows[i] = i;
        }
        tr->train = x->all_rows;
        tr->n_train = x->d->n_rows;
    } else {
        const fw_splits *s = fw_cv_outer(x->cv);
        const fw_fold *f;
        if ((size_t)t->outer >= s->n_folds)
            return fw_err_set(e, FW_EINVAL, "task %u: no outer split %d", t->id, t->outer);
        f = &s->folds[t->outer];
        if (t->inner >= 0) {
            int rc = fw_cv_inner(x->cv, (size_t)t->outer, &s, e);
            if (rc)
                return rc;
            if ((size_t)t->inner >= s->n_folds)
                return fw_err_set(e, FW_EINVAL, "task %u: no inner split %d", t->id, t->inner);
            f = &s->folds[t->inner];
        }
        tr->train = f->train;
        tr->n_train = f->n_train;
        tr->test = f->test;
        tr->n_test = f->n_test;
    }
    double res = t->n_cand ? t->cands[0].resource : 0;
    int by_samples = x->c->search.strategy == FW_SEARCH_HALVING &&
                     x->c->search.resource == FW_RESOURCE_N_SAMPLES && res > 0;
    if (by_samples && res < (double)tr->n_train)
        return subsample(x, t, (size_t)res, tr, e);
    if (t->kind == FW_TK_CURVE) {
        size_t n = fw_curve_n_train(t->train_frac, fw_cv_outer(x->cv)->folds[0].n_train,
                                    tr->n_train);
        if (n < tr->n_train && x->c->diagnose.learning_curve_first_rows)
            tr->n_train = n; /* the split's rows are in ascending order */
        else if (n < tr->n_train)
            return subsample(x, t, n, tr, e);
    }
    return FW_OK;
}

/* ---- scoring ---------------------------------------------------------------- */

typedef struct scorer {
    const fw_exec *x;
    size_t width;           /* values per row in predictions */
    int is_proba;
    double *y_true, *y_pred;
} scorer;

/* Score predictions of n rows whose true values are s->y_true. */
static void score_values(scorer *s, size_t n, const double *pred, double *out, uint32_t *warn,
                         char **msg)
{
    const fw_config *c = s->x->c;
    const fw_dataset *d = s->x->d;
    int cls = d->task == FW_TASK_CLASSIFICATION;
    if (cls)
        fw_argmax_rows(pred, n, s->width, s->y_pred);
    fw_metric_input in = {
        .n = n,
        .y_true = s->y_true,
        .y_pred = cls ? s->y_pred : pred,
        .score = cls ? pred : NULL,
        .is_proba = s->is_proba,
        .n_classes = cls ? d->n_classes : 0,
        .positive = d->positive >= 0 ? d->positive : 0, /* multiclass: unused */
        .weight = NULL, /* scores unweighted, as scikit-learn's CV scorers */
    };
    for (size_t m = 0; m < c->n_metrics; m++) {
        unsigned w = 0;
        fw_err e;
        if (n == 0) {
            out[m] = NAN;
        } else if (fw_metric_eval(c->metrics[m], &in, &out[m], &w, &e)) {
            /* Kept as the candidate's message: a NaN score never goes unexplained. */
            out[m] = NAN;
            if (msg && !*msg)
                *msg = fw_strdup(e.msg);
        }
        *warn |= w;
    }
}

/* Score predictions of rows[0..n) of the design (y indexed like the design). */
static void score_rows(scorer *s, const fw_design *g, const size_t *rows, size_t n,
                       const double *pred, double *out, uint32_t *warn, char **msg)
{
    for (size_t i = 0; i < n; i++)
        s->y_true[i] = g->fit.y[rows[i]];
    score_values(s, n, pred, out, warn, msg);
}

/* ---- one candidate ------------------------------------------------------------ */

typedef struct cand_job {
    fw_exec *x;
    const fw_task *t;
    const fw_design *g;
    const fw_model_type *type;
    fw_pval *cfg;           /* the candidate's values, resource applied */
    uint64_t fit_key;
} cand_job;

static void fail(fw_cand_result *cr, int rc, const fw_err *e)
{
    cr->status = rc == FW_ETIMEOUT ? FW_RS_TIMEOUT : FW_RS_FAILED;
    cr->message = fw_strdup(e->msg[0] ? e->msg : fw_status_name(rc));
}

static fw_model_cache *cache_for(fw_exec *x, const fw_model_type *t)
{
    for (size_t i = 0; i < x->n_types; i++)
        if (fw_models[i] == t)
            return &x->caches[i];
    return NULL;
}

static void set_ctx(cand_job *j, fw_fit_ctx *ctx, fw_deadline *dl, gsl_rng *rng)
{
    dl->at = j->x->c->limits.task_timeout_s > 0 ? fw_now() + j->x->c->limits.task_timeout_s : 0;
    dl->stop = j->x->stop;
    dl->budget = NULL;
    fw_fit_ctx_init(ctx, dl, rng);
    ctx->seed = j->x->c->seed;
    ctx->split_key = fw_hash_mix(fw_hash_mix((uint64_t)(int64_t)j->t->outer,
                                             (uint64_t)(int64_t)j->t->inner),
                                 (uint64_t)(j->g->fit.n));
    ctx->cache = cache_for(j->x, j->type);
}

static void take_fit_report(fw_cand_result *cr, const fw_fit_ctx *ctx)
{
    cr->n_iter = ctx->n_iter;
    cr->converged = ctx->converged;
    if (ctx->warning[0] && !cr->message)
        cr->message = fw_strdup(ctx->warning);
}

/* Apply a halving resource expressed in trees or iterations. */
static void apply_resource(const fw_config *c, const fw_model_type *m, const fw_task_cand *k,
                           fw_pval *cfg)
{
    if (c->search.strategy != FW_SEARCH_HALVING || k->resource <= 0 ||
        c->search.resource == FW_RESOURCE_N_SAMPLES)
        return;
    long i = fw_param_index(m, c->search.resource == FW_RESOURCE_N_TREES ? "n_trees" : "n_iter");
    if (i >= 0) {
        cfg[i].num = k->resource;
        cfg[i].choice = -1;
    }
}

static int check_cfg(const cand_job *j, fw_err *e)
{
    const fw_dataset *d = j->x->d;
    fw_model_info info = {d->task, d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0,
                          j->g->fit.X.n_cols, j->g->fit.n};
    return j->type->check ? j->type->check(j->cfg, &info, e) : FW_OK;
}

/* ---- the task ------------------------------------------------------------------ */

typedef struct run_state {
    fw_exec *x;
    const fw_task *t;
    fw_design g;
    task_rows tr;
    scorer sc;
    double *pred_train, *pred_test;
    int keep_pred;
} run_state;

static void score_both(run_state *s, fw_cand_result *cr, const double *ptr, const double *pte)
{
    score_rows(&s->sc, &s->g, s->g.fit.rows, s->g.fit.n, ptr, cr->train, &cr->warn,
               &cr->message);
    score_rows(&s->sc, &s->g, s->g.eval, s->g.n_eval, pte, cr->test, &cr->warn, &cr->message);
}

static void keep_predictions(run_state *s, fw_result *r, size_t i, const double *pte)
{
    if (!s->keep_pred || !r->pred)
        return;
    size_t w = s->sc.width, n = s->g.n_eval;
    memcpy(r->pred + i * n * w, pte, n * w * sizeof *pte);
}

/* Member task: fit only the member's block of trees. */
static void member_ctx(const fw_config *c, const fw_model_type *m, const fw_pval *cfg,
                       uint32_t member, fw_fit_ctx *ctx)
{
    long i = fw_param_index(m, "n_trees");
    size_t n = i >= 0 ? (size_t)cfg[i].num : 0;
    fw_member_range(member, n, (size_t)c->limits.member_trees, &ctx->member_lo, &ctx->member_hi);
}

/* A member's exact parts on the training rows then the test rows, as the
 * result's predictions (rows = dataset rows: member tasks never resample). */
static int member_parts(run_state *s, const fw_model *m, fw_result *r, fw_err *e)
{
    const fw_dataset *d = s->x->d;
    size_t w = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1, W = FW_PART_WIDTH(w);
    size_t ntr = s->g.fit.n, nte = s->g.n_eval, n = ntr + nte;
    if (!m->type->predict_part || ntr != s->tr.n_train)
        return fw_err_set(e, FW_EINVAL, "%s cannot be fitted in member blocks", m->type->name);
    r->pred_rows = malloc((n ? n : 1) * sizeof *r->pred_rows);
    r->pred = malloc((n ? n : 1) * W * sizeof *r->pred);
    if (!r->pred_rows || !r->pred)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    r->n_pred = (uint32_t)n;
    r->width = (uint32_t)W;
    for (size_t i = 0; i < ntr; i++)
        r->pred_rows[i] = (uint32_t)s->tr.train[i];
    for (size_t i = 0; i < nte; i++)
        r->pred_rows[ntr + i] = (uint32_t)s->tr.test[i];
    int rc = m->type->predict_part(m->state, &s->g.fit.X, s->g.fit.rows, ntr, r->pred, e);
    if (!rc)
        rc = m->type->predict_part(m->state, &s->g.fit.X, s->g.eval, nte, r->pred + ntr * W, e);
    return rc;
}

/* Fit and score candidate i alone. */
static int run_one(run_state *s, fw_result *r, size_t i, fw_err *e)
{
    const fw_task_cand *k = &s->t->cands[i];
    const fw_space *sp = &s->x->c->spaces[k->space];
    fw_cand_result *cr = &r->c[i];
    fw_pval cfg[64];
    if (sp->model->n_params > 64)
        return fw_err_set(e, FW_EINVAL, "%s has too many parameters", sp->model->name);
    memcpy(cfg, k->vals, sp->model->n_params * sizeof *cfg);
    apply_resource(s->x->c, sp->model, k, cfg);
    cand_job j = {s->x, s->t, &s->g, sp->model, cfg, fw_fit_key(s->x->c, sp, s->t, k)};
    fw_err fe = {0};
    int rc = check_cfg(&j, &fe);
    if (rc) {
        fail(cr, rc, &fe);
        return FW_OK;
    }
    gsl_rng *rng = fw_rng_alloc(s->x->c->seed, j.fit_key);
    fw_model *m = fw_model_alloc(sp->model, cfg);
    if (!rng || !m) {
        gsl_rng_free(rng);
        fw_model_free(m);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    fw_fit_ctx ctx;
    fw_deadline dl;
    set_ctx(&j, &ctx, &dl, rng);
    if (s->t->kind == FW_TK_MEMBER)
        member_ctx(s->x->c, sp->model, cfg, s->t->member, &ctx);
    double t0 = fw_now();
    rc = fw_model_fit(m, &s->g.fit, &ctx, &fe);
    double t1 = fw_now();
    cr->fit_time = t1 - t0;
    take_fit_report(cr, &ctx);
    if (s->t->kind == FW_TK_MEMBER) {
        if (!rc)
            rc = member_parts(s, m, r, &fe);
        if (rc) {
            free(cr->message);
            cr->message = NULL;
            fail(cr, rc, &fe);
        }
        cr->score_time = fw_now() - t1;
        fw_model_free(m);
        gsl_rng_free(rng);
        return FW_OK;
    }
    if (!rc)
        rc = fw_model_predict(m, &s->g.fit.X, s->g.fit.rows, s->g.fit.n, s->pred_train, &fe);
    if (!rc)
        rc = fw_model_predict(m, &s->g.fit.X, s->g.eval, s->g.n_eval, s->pred_test, &fe);
    if (rc) {
        free(cr->message);
        cr->message = NULL;
        fail(cr, rc, &fe);
    } else {
        score_both(s, cr, s->pred_train, s->pred_test);
        keep_predictions(s, r, i, s->pred_test);
        if (s->t->kind == FW_TK_REFIT) {
            fw_sb sb;
            fw_sb_init(&sb);
            rc = fw_model_blob_save(m, s->g.prep, &sb, &fe);
            if (rc || sb.oom)
                fail(cr, rc ? rc : FW_ENOMEM, &fe);
            r->model_len = sb.len;
            r->model = fw_sb_take(&sb);
        }
    }
    cr->score_time = fw_now() - t1;
    fw_model_free(m);
    gsl_rng_free(rng);
    return FW_OK;
}

/* Fit and score every candidate of the task in one path call. */
static int run_path(run_state *s, fw_result *r, fw_err *e)
{
    const fw_task *t = s->t;
    const fw_model_type *mt = s->x->c->spaces[t->cands[0].space].model;
    size_t n = t->n_cand, ntr = s->g.fit.n, nte = s->g.n_eval, w = s->sc.width;
    size_t ne = ntr + nte;
    size_t *eval = malloc((ne ? ne : 1) * sizeof *eval);
    const fw_pval **cfgs = malloc(n * sizeof *cfgs);
    double **outs = calloc(n, sizeof *outs);
    fw_fit_ctx *ctx = calloc(n, sizeof *ctx);
    fw_err *errs = calloc(n, sizeof *errs);
    int rc = FW_OK;
    if (!eval || !cfgs || !outs || !ctx || !errs) {
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(eval, s->g.fit.rows, ntr * sizeof *eval);
    memcpy(eval + ntr, s->g.eval, nte * sizeof *eval);
    /* One stream for the batch, keyed on its first candidate: path models
     * are deterministic given the data, and their results equal cold fits. */
    cand_job j = {s->x, t, &s->g, mt, NULL, fw_fit_key(s->x->c, &s->x->c->spaces[t->cands[0].space], t, &t->cands[0])};
    gsl_rng *rng = fw_rng_alloc(s->x->c->seed, j.fit_key);
    fw_deadline dl;
    for (size_t i = 0; i < n; i++) {
        cfgs[i] = t->cands[i].vals;
        outs[i] = malloc((ne ? ne : 1) * w * sizeof **outs);
        set_ctx(&j, &ctx[i], &dl, rng);
        if (!outs[i])
            rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    double t0 = fw_now();
    int prc = rc ? rc : mt->fit_predict_path(&s->g.fit, cfgs, n, &s->g.fit.X, eval, ne, outs, ctx,
                                             errs);
    double per = (fw_now() - t0) / (double)n;
    for (size_t i = 0; i < n && !rc; i++) {
        fw_cand_result *cr = &r->c[i];
        cr->fit_time = per;
        take_fit_report(cr, &ctx[i]);
        int crc = prc ? prc : errs[i].code;
        if (crc) {
            free(cr->message);
            cr->message = NULL;
            fail(cr, crc, prc ? &errs[0] : &errs[i]);
            continue;
        }
        double t1 = fw_now();
        score_both(s, cr, outs[i], outs[i] + ntr * w);
        keep_predictions(s, r, i, outs[i] + ntr * w);
        cr->score_time = fw_now() - t1;
    }
    gsl_rng_free(rng);
cleanup:
    for (size_t i = 0; outs && i < n; i++)
        free(outs[i]);
    free(eval);
    free(cfgs);
    free(outs);
    free(ctx);
    free(errs);
    return rc;
}

static int run_alloc(run_state *s, fw_result *r, fw_err *e)
{
    const fw_dataset *d = s->x->d;
    size_t w = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    size_t nmax = s->g.fit.n > s->g.n_eval ? s->g.fit.n : s->g.n_eval;
    s->sc.x = s->x;
    s->sc.width = w;
    s->sc.is_proba = (s->x->c->spaces[s->t->cands[0].space].model->caps & FW_CAP_PROBA) != 0;
    s->sc.y_true = malloc((nmax ? nmax : 1) * sizeof(double));
    s->sc.y_pred = malloc((nmax ? nmax : 1) * sizeof(double));
    s->pred_train = malloc((s->g.fit.n ? s->g.fit.n : 1) * w * sizeof(double));
    s->pred_test = malloc((s->g.n_eval ? s->g.n_eval : 1) * w * sizeof(double));
    if (!s->sc.y_true || !s->sc.y_pred || !s->pred_train || !s->pred_test)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    s->keep_pred = s->t->kind == FW_TK_PREDICT ||
                   (s->x->c->output.predictions == FW_PRED_ALL && s->t->kind == FW_TK_FIT &&
                    s->t->context == 0);
    if (s->keep_pred && s->g.n_eval) {
        r->n_pred = (uint32_t)s->g.n_eval;
        r->width = (uint32_t)w;
        r->pred_rows = malloc(s->g.n_eval * sizeof *r->pred_rows);
        r->pred = calloc((size_t)r->n_cand * s->g.n_eval * w, sizeof *r->pred);
        if (!r->pred_rows || !r->pred)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t i = 0; i < s->g.n_eval; i++)
            r->pred_rows[i] = (uint32_t)s->tr.test[i];
    }
    return FW_OK;
}

int fw_exec_run(fw_exec *x, const fw_task *t, fw_result *r, fw_err *e)
{
    run_state s;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.t = t;
    if (t->n_cand == 0)
        return fw_err_set(e, FW_EINVAL, "task %u has no candidates", t->id);
    if (fw_result_alloc(r, t->n_cand, (uint32_t)x->c->n_metrics))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    r->task = t->id;
    r->key = t->key;
    r->kind = t->kind;
    int rc = task_rows_get(x, t, &s.tr, e);
    gsl_rng *rng = NULL;
    if (!rc) {
        uint64_t key = fw_hash_mix(fw_hash_str("design", 0),
                                   fw_hash_mix((uint64_t)(int64_t)t->outer,
                                               (uint64_t)(int64_t)t->inner));
        /* Only resampling draws from the design's stream. */
        if (x->c->prep.resample != FW_RESAMPLE_NONE)
            rng = fw_rng_alloc(x->c->seed, key);
        rc = fw_design_build(x->d, &x->c->prep, s.tr.train, s.tr.n_train, s.tr.test,
                             s.tr.n_test, rng, &s.g, e);
        if (rc && rc != FW_ENOMEM) {
            /* A preprocessing failure on this split fails its candidates. */
            for (uint32_t i = 0; i < t->n_cand; i++)
                fail(&r->c[i], rc, e);
            rc = FW_OK;
            goto cleanup;
        }
    }
    if (!rc)
        rc = run_alloc(&s, r, e);
    const fw_model_type *mt = x->c->spaces[t->cands[0].space].model;
    if (!rc && t->n_cand > 1 && (mt->caps & FW_CAP_PATH))
        rc = run_path(&s, r, e);
    else
        for (uint32_t i = 0; !rc && i < t->n_cand; i++)
            rc = run_one(&s, r, i, e);
cleanup:
    gsl_rng_free(rng);
    fw_design_free(&s.g);
    free(s.tr.own);
    free(s.sc.y_true);
    free(s.sc.y_pred);
    free(s.pred_train);
    free(s.pred_test);
    if (rc)
        fw_result_free(r);
    return rc;
}

/* ---- member tasks combined -------------------------------------------------- */

/* Sum the members' parts and turn them into predictions (n rows x w). */
static int combine_parts(const fw_exec *x, const fw_task *t, const fw_result *members,
                         size_t n_members, double *pred, fw_err *e)
{
    const fw_dataset *d = x->d;
    const fw_model_type *mt = x->c->spaces[t->cands[0].space].model;
    size_t w = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1, W = FW_PART_WIDTH(w);
    size_t n = members[0].n_pred;
    long ti = fw_param_index(mt, "n_trees");
    double *acc = malloc((n ? n : 1) * W * sizeof *acc);
    if (!acc)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    fw_part_zero(acc, n, w);
    int rc = FW_OK;
    for (size_t m = 0; m < n_members && !rc; m++) {
        if (members[m].n_pred != n || members[m].width != W ||
            memcmp(members[m].pred_rows, members[0].pred_rows, n * sizeof *members[0].pred_rows))
            rc = fw_err_set(e, FW_EINVAL, "member %zu of task %u does not match", m, t->id);
        else
            rc = fw_part_add(acc, members[m].pred, n, w, e);
    }
    fw_model_info info = {d->task, d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0,
                          d->n_features, 0};
    if (!rc)
        rc = mt->combine(&info, acc, n, ti >= 0 ? (size_t)t->cands[0].vals[ti].num : 0, pred, e);
    free(acc);
    return rc;
}

int fw_exec_combine(fw_exec *x, const fw_task *t, const fw_result *members, size_t n,
                    fw_result *r, fw_err *e)
{
    const fw_dataset *d = x->d;
    if (n == 0 || t->n_cand != 1)
        return fw_err_set(e, FW_EINVAL, "task %u: nothing to combine", t->id);
    if (fw_result_alloc(r, 1, (uint32_t)x->c->n_metrics))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    r->task = t->id;
    r->key = t->key;
    r->kind = t->kind;
    fw_cand_result *cr = &r->c[0];
    double t0 = fw_now();
    for (size_t m = 0; m < n; m++) {
        cr->fit_time += members[m].c[0].fit_time;
        cr->n_iter += members[m].c[0].n_iter;
        if (members[m].c[0].status != FW_RS_OK && cr->status == FW_RS_OK) {
            cr->status = members[m].c[0].status;
            cr->message = fw_strdup(members[m].c[0].message);
        }
    }
    if (cr->status != FW_RS_OK)
        return FW_OK;
    task_rows tr;
    int rc = task_rows_get(x, t, &tr, e);
    size_t w = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1, np = members[0].n_pred;
    size_t nte = tr.n_test, ntr = np - nte;
    free(tr.own);
    scorer sc = {x, w, (x->c->spaces[t->cands[0].space].model->caps & FW_CAP_PROBA) != 0,
                 malloc((np ? np : 1) * sizeof(double)), malloc((np ? np : 1) * sizeof(double))};
    double *pred = malloc((np ? np : 1) * w * sizeof *pred);
    if (!rc && (!sc.y_true || !sc.y_pred || !pred || nte > np))
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    fw_err ce = {0};
    if (!rc && combine_parts(x, t, members, n, pred, &ce))
        fail(cr, ce.code, &ce);
    else if (!rc) {
        for (size_t i = 0; i < np; i++)
            sc.y_true[i] = d->y[members[0].pred_rows[i]];
        score_values(&sc, ntr, pred, cr->train, &cr->warn, &cr->message);
        memmove(sc.y_true, sc.y_true + ntr, nte * sizeof *sc.y_true);
        score_values(&sc, nte, pred + ntr * w, cr->test, &cr->warn, &cr->message);
        if (x->c->output.predictions == FW_PRED_ALL && t->context == 0 && nte) {
            r->n_pred = (uint32_t)nte;
            r->width = (uint32_t)w;
            r->pred_rows = malloc(nte * sizeof *r->pred_rows);
            r->pred = malloc(nte * w * sizeof *r->pred);
            if (!r->pred_rows || !r->pred)
                rc = fw_err_set(e, FW_ENOMEM, "out of memory");
            else {
                memcpy(r->pred_rows, members[0].pred_rows + ntr, nte * sizeof *r->pred_rows);
                memcpy(r->pred, pred + ntr * w, nte * w * sizeof *r->pred);
            }
        }
    }
    cr->score_time = fw_now() - t0;
    free(sc.y_true);
    free(sc.y_pred);
    free(pred);
    if (rc)
        fw_result_free(r);
    return rc;
}
