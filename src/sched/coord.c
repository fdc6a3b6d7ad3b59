/* coord.c: the coordinator's bookkeeping, shared by the serial scheduler
 * and MPI rank 0: journal (new or resumed, with replay of finished tasks),
 * durable acceptance of results (journal write + sync before the plan
 * counts a task done), and progress lines plus progress.json for
 * `foldwise status`. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched_int.h"

static void journal_path(const fw_config *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s/journal.fwj", c->output.dir);
}

/* Complete task t with its journalled result (len bytes at p). */
static int replay_one(coord *k, const fw_task *t, const void *p, size_t len, fw_err *e)
{
    fw_result r;
    int rc = fw_result_unpack(p, len, &r, e);
    if (rc)
        return rc;
    r.task = t->id;
    rc = fw_plan_complete(k->plan, &r, e);
    fw_result_free(&r);
    fw_plan_mark_resumed(k->plan);
    return rc;
}

/* Complete every ready task whose result the journal already holds; repeat
 * while that releases more (nested follow-ups, proposer batches). */
static int replay(coord *k, fw_err *e)
{
    size_t cap = 64, n;
    uint32_t *defer = malloc(cap * sizeof *defer);
    int rc = FW_OK, progress = 1;
    if (!defer)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    while (progress && !rc) {
        progress = 0;
        n = 0;
        const fw_task *t;
        while (!rc && (t = fw_plan_next(k->plan))) {
            const void *p;
            size_t len;
            if (!fw_journal_lookup(k->journal, t->key, &p, &len)) {
                if (n == cap) {
                    uint32_t *d2 = realloc(defer, 2 * cap * sizeof *d2);
                    if (!d2) {
                        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
                        break;
                    }
                    defer = d2;
                    cap *= 2;
                }
                defer[n++] = t->id;
                continue;
            }
            rc = replay_one(k, t, p, len, e);
            progress = 1;
        }
        for (size_t i = 0; i < n; i++)
            fw_plan_requeue(k->plan, defer[i]);
        /* Fits combined from members: from the journal when it has them,
         * otherwise left for the scheduler to combine. */
        const fw_result *members;
        size_t nm, nd = 0;
        while (!rc && (t = fw_plan_next_combine(k->plan, &members, &nm))) {
            const void *p;
            size_t len;
            if (!fw_journal_lookup(k->journal, t->key, &p, &len)) {
                defer[nd++] = t->id; /* at most n_tasks ids: cap is enough below */
                if (nd == cap)
                    break;
                continue;
            }
            rc = replay_one(k, t, p, len, e);
            progress = 1;
        }
        for (size_t i = 0; i < nd; i++)
            fw_plan_requeue(k->plan, defer[i]);
    }
    free(defer);
    return rc;
}

int coord_init(coord *k, const fw_config *c, const fw_dataset *d, fw_cv *cv,
               const fw_run_opts *o, int ranks, fw_err *e)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->o = o;
    k->ranks = ranks;
    k->tty = isatty(2);
    k->start = k->last_progress = fw_now();
    fw_sb_init(&k->progress_line);
    k->space_s = calloc(c->n_spaces ? c->n_spaces : 1, sizeof *k->space_s);
    k->space_n = calloc(c->n_spaces ? c->n_spaces : 1, sizeof *k->space_n);
    if (!k->space_s || !k->space_n)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    int rc = fw_plan_alloc(c, d, cv, &k->plan, e);
    if (rc)
        return rc;
    char path[4096];
    journal_path(c, path, sizeof path);
    fw_journal_hdr h = {c->result_hash, d->hash, fw_hash_str(c->text ? c->text : "", 0)};
    int resume = o->resume && access(path, F_OK) == 0;
    if (o->resume && !resume)
        fw_info("no journal in %s: nothing to resume, starting from the beginning",
                c->output.dir);
    if ((rc = fw_journal_open(path, &h, resume, &k->journal, e)))
        return rc;
    if (resume) {
        if ((rc = replay(k, e)))
            return rc;
        fw_plan_stats st;
        fw_plan_stats_get(k->plan, &st);
        fw_info("resumed %zu finished tasks from %s", st.resumed, path);
    }
    return FW_OK;
}

int coord_accept(coord *k, fw_result *r, fw_err *e)
{
    if (k->n_pending == k->cap_pending) {
        size_t cap = k->cap_pending ? 2 * k->cap_pending : 64;
        fw_result *p = realloc(k->pending, cap * sizeof *p);
        if (!p)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        k->pending = p;
        k->cap_pending = cap;
    }
    fw_sb sb;
    fw_sb_init(&sb);
    fw_result_pack(r, &sb);
    int rc = sb.oom ? fw_err_set(e, FW_ENOMEM, "out of memory")
                    : fw_journal_append(k->journal, r->key, sb.s, sb.len, e);
    size_t bytes = sb.len;
    fw_sb_free(&sb);
    if (rc)
        return rc;
    const fw_task *t = fw_plan_task(k->plan, r->task);
    if (t && t->n_cand && t->cands[0].space < k->c->n_spaces) {
        for (uint32_t i = 0; i < r->n_cand; i++)
            k->space_s[t->cands[0].space] += r->c[i].fit_time + r->c[i].score_time;
        k->space_n[t->cands[0].space]++;
    }
    k->pending[k->n_pending++] = *r;
    k->pending_bytes += bytes;
    memset(r, 0, sizeof *r);
    k->last_result = fw_now();
    return FW_OK;
}

double coord_task_time(const coord *k, uint32_t space)
{
    if (space >= k->c->n_spaces || k->space_n[space] == 0)
        return -1;
    return k->space_s[space] / (double)k->space_n[space];
}

/* Results wait for their sync at least this long, and at least ten times
 * as long as a sync takes (syncs cost 10-30 ms on common disks: waiting
 * ten times that keeps their cost near a tenth). A crash loses at most
 * that much work, which --resume runs again. Only memory bounds the
 * queue (a count bound would sync every 1,000 results, 20 to 50 times a
 * second with trivial tasks, and rank 0 serves nobody while it syncs). */
#define FLUSH_EVERY_S 0.05
#define FLUSH_MAX_BYTES (16u << 20)

int coord_flush_due(const coord *k)
{
    double every = 10 * k->sync_s > FLUSH_EVERY_S ? 10 * k->sync_s : FLUSH_EVERY_S;
    return k->n_pending &&
           (k->pending_bytes >= FLUSH_MAX_BYTES || fw_now() - k->last_flush >= every ||
            !fw_plan_has_ready(k->plan));
}

int coord_flush(coord *k, fw_err *e)
{
    double t0 = fw_now();
    k->last_flush = t0;
    if (k->n_pending == 0)
        return FW_OK;
    int rc = fw_journal_sync(k->journal, e);
    k->sync_s = fw_now() - t0;
    for (size_t i = 0; i < k->n_pending; i++) {
        fw_result *r = &k->pending[i];
        if (!rc) {
            for (uint32_t c = 0; c < r->n_cand; c++)
                k->failed |= r->c[c].status != FW_RS_OK;
            rc = fw_plan_complete(k->plan, r, e);
        }
        fw_result_free(r);
    }
    k->n_pending = 0;
    k->pending_bytes = 0;
    return rc;
}

int coord_combine(coord *k, fw_exec *x, fw_err *e)
{
    const fw_task *t;
    const fw_result *members;
    size_t n;
    int rc = FW_OK;
    while (!rc && (t = fw_plan_next_combine(k->plan, &members, &n))) {
        fw_result r;
        if ((rc = fw_exec_combine(x, t, members, n, &r, e)))
            break;
        rc = coord_accept(k, &r, e);
        fw_result_free(&r);
    }
    return rc;
}

/* ---- progress ------------------------------------------------------------- */

static void write_progress_json(coord *k, const fw_plan_stats *st, double el, double rate,
                                const char *state)
{
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_printf(&b, "{\"state\": \"%s\", \"pid\": %ld, \"ranks\": %d, \"done\": %zu, "
                     "\"total\": %zu, \"failed\": %zu, \"resumed\": %zu, \"elapsed_s\": ",
                 state, (long)getpid(), k->ranks, st->done, st->total, st->failed, st->resumed);
    fw_sb_json_num(&b, el);
    fw_sb_append(&b, ", \"rate\": ");
    fw_sb_json_num(&b, rate);
    fw_sb_append(&b, ", \"updated\": ");
    fw_sb_json_num(&b, fw_wall_epoch());
    fw_sb_append(&b, ", \"metric\": ");
    fw_sb_json_str(&b, k->c->metrics[0]);
    fw_sb_append(&b, ", \"best\": {");
    for (size_t s = 0, first = 1; s < k->c->n_spaces; s++) {
        double v = fw_plan_best_so_far(k->plan, s);
        if (isnan(v))
            continue;
        fw_sb_append(&b, first ? "" : ", ");
        char name[96];
        snprintf(name, sizeof name, "%s#%zu", k->c->spaces[s].model->name, s);
        fw_sb_json_str(&b, name);
        fw_sb_append(&b, ": ");
        fw_sb_json_num(&b, v);
        first = 0;
    }
    fw_sb_append(&b, "}}\n");
    char path[4096];
    snprintf(path, sizeof path, "%s/progress.json", k->c->output.dir);
    if (!b.oom)
        fw_write_file_atomic(path, b.s, b.len, NULL);
    fw_sb_free(&b);
}

static void format_eta(char *buf, size_t n, double s)
{
    if (!isfinite(s))
        snprintf(buf, n, "?");
    else if (s < 120)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 7200)
        snprintf(buf, n, "%.0fm", s / 60);
    else
        snprintf(buf, n, "%.1fh", s / 3600);
}

void coord_progress(coord *k, int force)
{
    double now = fw_now(), every = k->c->output.progress_s;
    double tick = every > 0 ? every : 10;
    if (!force && now - k->last_progress < tick)
        return;
    k->last_progress = now;
    fw_plan_stats st;
    fw_plan_stats_get(k->plan, &st);
    double el = now - k->start;
    size_t run = st.done - st.resumed;
    double rate = el > 0 ? (double)run / el : 0;
    const char *state = fw_plan_finished(k->plan) ? "finished" : fw_sched_stop ? "stopped" : "running";
    write_progress_json(k, &st, el, rate, state);
    if (every <= 0 || fw_log_get_level() < FW_LOG_INFO)
        return;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (double)(st.total - st.done) / rate : NAN);
    fw_sb *b = &k->progress_line;
    fw_sb_reset(b);
    fw_sb_printf(b, "[%6.1fs] %zu/%zu tasks, %zu failed, %.1f/s, ETA %s", el, st.done, st.total,
                 st.failed, rate, eta);
    int any = 0;
    for (size_t s = 0; s < k->c->n_spaces; s++) {
        double v = fw_plan_best_so_far(k->plan, s);
        if (isnan(v))
            continue;
        fw_sb_printf(b, "%s %s %.4f", any ? "," : " | best", k->c->spaces[s].model->name, v);
        any = 1;
    }
    if (b->oom)
        return;
    if (k->tty)
        fprintf(stderr, "\r\033[Kfoldwise: %s%s", b->s, force ? "\n" : "");
    else
        fprintf(stderr, "foldwise: %s\n", b->s);
    fflush(stderr);
}

fw_plan *coord_finish(coord *k)
{
    fw_plan *p = k->plan;
    fw_journal_close(k->journal);
    k->journal = NULL;
    k->plan = NULL;
    return p;
}

void coord_free(coord *k)
{
    for (size_t i = 0; i < k->n_pending; i++)
        fw_result_free(&k->pending[i]);
    free(k->pending);
    free(k->space_s);
    free(k->space_n);
    fw_journal_close(k->journal);
    fw_plan_free(k->plan);
    fw_sb_free(&k->progress_line);
    memset(k, 0, sizeof *k);
}

int fw_sched_replay(const fw_config *c, const fw_dataset *d, fw_cv *cv, fw_plan **plan,
                    size_t *missing, fw_err *e)
{
    coord k;
    char path[4096];
    memset(&k, 0, sizeof k);
    *plan = NULL;
    journal_path(c, path, sizeof path);
    fw_journal_hdr h = {c->result_hash, d->hash, 0};
    int rc = fw_plan_alloc(c, d, cv, &k.plan, e);
    if (!rc)
        rc = fw_journal_open(path, &h, 1, &k.journal, e);
    if (!rc)
        rc = replay(&k, e);
    if (!rc) {
        fw_plan_stats st;
        fw_plan_stats_get(k.plan, &st);
        *missing = st.total - st.done;
        *plan = coord_finish(&k);
    }
    coord_free(&k);
    return rc;
}
