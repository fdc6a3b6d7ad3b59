/* mpi.c: the MPI scheduler. Rank 0 owns the graph and the journal; its
 * main thread only coordinates (polls messages, journals, hands out tasks)
 * while a compute thread runs tasks like any worker, so N ranks give N
 * workers. Workers keep up to `target` tasks (a running one plus prefetched
 * ones) so that no worker waits for a round trip; short tasks travel in
 * batches. Nobody spins: waits poll with MPI_Iprobe / MPI_Test and back off
 * with short sleeps, because Open MPI's blocking receive busy-polls a core.
 *
 * Messages (tag, payload):
 *   HELLO   worker -> 0   (empty) ready for work
 *   TASKS   0 -> worker   u32 n, then n x (u32 len, packed task)
 *   RESULTS worker -> 0   u32 n, then n x (u32 len, packed result)
 *   STOP    0 -> worker   (empty) no more work: send what you have, then BYE
 *   BYE     worker -> 0   (empty) the worker is done
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched_int.h"

enum { TAG_HELLO = 11, TAG_TASKS, TAG_RESULTS, TAG_STOP, TAG_BYE };

/* Work kept at a worker: at least two tasks so the next one is there when
 * the running one ends; more when tasks are short (about 5 ms of work). */
#define MIN_TARGET 2
#define MAX_TARGET 256
#define BATCH_WORK_S 0.005

/* Messages stay under the shared-memory transport's eager limit (Open MPI's
 * vader BTL: 4 KB) when they can: a larger one travels by rendezvous, and
 * its receiver then spins in MPI_Recv until the sender's next MPI call,
 * which for a worker that has just gone to sleep, or for rank 0 in a
 * journal sync, is milliseconds away. One larger item still goes alone. */
#define MSG_BYTES 3584

/* ---- optional profile (FW_SCHED_PROFILE=FILE) ---------------------------------
 * For the benchmarks' simulation of the coordinator (tests/bench/des.py): how
 * long each rank's main thread spends per event, in wall and thread-CPU
 * seconds, with sums of the batch sizes so that a cost per message and a cost
 * per item can be fitted. Each rank appends one line of totals to FILE when
 * its loop ends. Off (the default): one branch per event. */

typedef struct pstat {
    double n, wall, cpu, items, items2, wall_items, cpu_items;
} pstat;

/* recv: a TASKS or RESULTS message handled; send: one packed and sent; local:
 * rank 0's results taken from its compute thread, or tasks given to it; loop:
 * a pass of the main loop that handled something, poll: one that did not
 * (sleeps excluded); sleep: back-off sleeps (items: the seconds asked for);
 * sync: journal syncs (wall only); task: a worker's fw_exec_run (rank 0:
 * its compute thread's, the only entry that thread writes); run: the whole
 * loop. */
enum { P_RECV, P_SEND, P_LOCAL_IN, P_LOCAL_OUT, P_FLUSH, P_SYNC, P_LOOP, P_POLL, P_SLEEP,
       P_TASK, P_RUN, P_N };
static const char *const pnames[P_N] = {"recv", "send", "local_in", "local_out", "flush",
                                        "sync", "loop", "poll", "sleep", "task", "run"};
static pstat prof[P_N];
static int prof_on = -1;
/* The thread CPU clock is a system call (about a microsecond, as much as
 * a small event): each thread counts its reads and the profile gives their
 * measured cost, for the reader to subtract. */
static _Thread_local double clock_reads;
static double clock_cost;

static double thread_cpu(void)
{
    struct timespec ts;
    clock_reads++;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct pmark {
    double wall, cpu;   /* cpu < 0: wall time only */
} pmark;

static int prof_enabled(void)
{
    if (prof_on < 0) {
        prof_on = getenv("FW_SCHED_PROFILE") != NULL;
        if (prof_on) {
            double t0 = thread_cpu();
            for (int i = 0; i < 1000; i++)
                thread_cpu();
            clock_cost = (thread_cpu() - t0) / 1001;
            clock_reads = 0;
        }
    }
    return prof_on;
}

static pmark prof_start(void)
{
    pmark m = {0, 0};
    if (prof_enabled()) {
        m.wall = fw_now();
        m.cpu = thread_cpu();
    }
    return m;
}

static pmark prof_start_wall(void)
{
    pmark m = {0, -1};
    if (prof_enabled())
        m.wall = fw_now();
    return m;
}

static void prof_add_raw(int what, double w, double c, double items)
{
    pstat *p = &prof[what];
    p->n += 1;
    p->wall += w;
    p->cpu += c;
    p->items += items;
    p->items2 += items * items;
    p->wall_items += w * items;
    p->cpu_items += c * items;
}

static void prof_add(int what, pmark m, double items)
{
    if (prof_enabled())
        prof_add_raw(what, fw_now() - m.wall, m.cpu < 0 ? 0 : thread_cpu() - m.cpu, items);
}

static void prof_write(int rank, int size)
{
    const char *path = getenv("FW_SCHED_PROFILE");
    if (!prof_enabled() || !path)
        return;
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_printf(&b, "rank=%d size=%d", rank, size);
    for (int i = 0; i < P_N; i++) {
        const pstat *p = &prof[i];
        fw_sb_printf(&b, " %s=%.0f,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g", pnames[i], p->n, p->wall,
                     p->cpu, p->items, p->items2, p->wall_items, p->cpu_items);
    }
    fw_sb_printf(&b, " clock=%.9g,%.0f", clock_cost, clock_reads);
    fw_sb_append(&b, "\n");
    FILE *f = b.oom ? NULL : fopen(path, "a");
    if (f) {
        fputs(b.s, f);
        fclose(f);
    }
    fw_sb_free(&b);
}

/* ---- idle waits ------------------------------------------------------------ */

typedef struct backoff {
    long ns;
} backoff;

static void backoff_reset(backoff *b) { b->ns = 0; }

static void backoff_wait(backoff *b)
{
    b->ns = b->ns ? b->ns * 2 : 20000;
    if (b->ns > 2000000)
        b->ns = 2000000;
    struct timespec ts = {0, b->ns};
    pmark m = prof_start_wall();
    nanosleep(&ts, NULL);
    prof_add(P_SLEEP, m, 1e-9 * (double)b->ns);  /* items: seconds asked for */
}

/* ---- outgoing messages kept alive until sent -------------------------------- */

typedef struct outmsg {
    MPI_Request req;
    char *buf;
} outmsg;

typedef struct outbox {
    outmsg *m;
    size_t n, cap;
} outbox;

static int outbox_send(outbox *o, const fw_sb *sb, int dest, int tag)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        outmsg *m = realloc(o->m, cap * sizeof *m);
        if (!m)
            return FW_ENOMEM;
        o->m = m;
        o->cap = cap;
    }
    outmsg *m = &o->m[o->n];
    m->buf = malloc(sb->len ? sb->len : 1);
    if (!m->buf)
        return FW_ENOMEM;
    memcpy(m->buf, sb->s ? sb->s : "", sb->len);
    if (MPI_Isend(m->buf, (int)sb->len, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &m->req) !=
        MPI_SUCCESS) {
        free(m->buf);
        return FW_EIO;
    }
    o->n++;
    return FW_OK;
}

static void outbox_reap(outbox *o)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n; i++) {
        int done = 0;
        MPI_Test(&o->m[i].req, &done, MPI_STATUS_IGNORE);
        if (done)
            free(o->m[i].buf);
        else
            o->m[k++] = o->m[i];
    }
    o->n = k;
}

static void outbox_drain(outbox *o)
{
    backoff b = {0};
    while (o->n) {
        outbox_reap(o);
        if (o->n)
            backoff_wait(&b);
    }
    free(o->m);
    o->m = NULL;
    o->cap = 0;
}

/* Receive the probed message into a new buffer. */
static char *recv_probed(MPI_Status *st, int *len)
{
    MPI_Get_count(st, MPI_BYTE, len);
    char *buf = malloc(*len ? (size_t)*len : 1);
    if (buf)
        MPI_Recv(buf, *len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    return buf;
}

/* Walk a batch: u32 n, then (u32 len, bytes) n times. */
typedef int (*item_fn)(void *arg, const char *p, size_t n, fw_err *e);

static int walk_batch(const char *buf, size_t len, item_fn fn, void *arg, fw_err *e)
{
    uint32_t n, l;
    size_t off = sizeof n;
    if (len < sizeof n)
        return fw_err_set(e, FW_EIO, "damaged MPI message");
    memcpy(&n, buf, sizeof n);
    for (uint32_t i = 0; i < n; i++) {
        if (len - off < sizeof l)
            return fw_err_set(e, FW_EIO, "damaged MPI message");
        memcpy(&l, buf + off, sizeof l);
        off += sizeof l;
        if (len - off < l)
            return fw_err_set(e, FW_EIO, "damaged MPI message");
        int rc = fn(arg, buf + off, l, e);
        if (rc)
            return rc;
        off += l;
    }
    return FW_OK;
}

static void batch_begin(fw_sb *b)
{
    uint32_t zero = 0;
    fw_sb_reset(b);
    fw_sb_appendn(b, (const char *)&zero, sizeof zero);
}

static void batch_add(fw_sb *b, const fw_sb *item)
{
    uint32_t n, l = (uint32_t)item->len;
    memcpy(&n, b->s, sizeof n);
    n++;
    memcpy(b->s, &n, sizeof n);
    fw_sb_appendn(b, (const char *)&l, sizeof l);
    fw_sb_appendn(b, item->s, item->len);
}

static uint32_t batch_count_buf(const char *buf, size_t len)
{
    uint32_t n = 0;
    if (len >= sizeof n)
        memcpy(&n, buf, sizeof n);
    return n;
}

static uint32_t batch_count(const fw_sb *b) { return batch_count_buf(b->s, b->len); }

/* ---- a local task queue (rank 0's compute thread, and a worker's queue) ------ */

typedef struct tq {
    fw_task *t;
    size_t head, n, cap;
} tq;

static int tq_push(tq *q, const fw_task *t)
{
    if (q->head + q->n == q->cap) {
        if (q->head) {
            memmove(q->t, q->t + q->head, q->n * sizeof *q->t);
            q->head = 0;
        } else {
            size_t cap = q->cap ? q->cap * 2 : 16;
            fw_task *nt = realloc(q->t, cap * sizeof *nt);
            if (!nt)
                return FW_ENOMEM;
            q->t = nt;
            q->cap = cap;
        }
    }
    q->t[q->head + q->n++] = *t;
    return FW_OK;
}

static fw_task tq_pop(tq *q)
{
    q->n--;
    return q->t[q->head++];
}

static void tq_clear(tq *q)
{
    while (q->n) {
        fw_task t = tq_pop(q);
        fw_task_unpacked_free(&t);
    }
    free(q->t);
    memset(q, 0, sizeof *q);
}

/* ---- rank 0's compute thread ---------------------------------------------- */

typedef struct local {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    tq tasks;
    fw_result *done;
    size_t n_done, cap_done;
    size_t outstanding;       /* handed to the thread, result not taken yet */
    int quit, busy;
    fw_exec *x;
    fw_err err;
    int rc;
} local;

static void *local_main(void *arg)
{
    local *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->quit && l->tasks.n == 0)
            pthread_cond_wait(&l->cv, &l->mu);
        if (l->quit)
            break;
        fw_task t = tq_pop(&l->tasks);
        l->busy = 1;
        pthread_mutex_unlock(&l->mu);
        fw_result r;
        fw_err e = {0};
        pmark m = prof_start();
        int rc = fw_exec_run(l->x, &t, &r, &e);
        prof_add(P_TASK, m, 1);
        fw_task_unpacked_free(&t);
        pthread_mutex_lock(&l->mu);
        l->busy = 0;
        if (rc) {
            l->rc = rc;
            l->err = e;
            continue;
        }
        if (fw_sched_abort) {  /* aborted mid-fit: drop, a resume reruns it */
            fw_result_free(&r);
            l->outstanding--;
            continue;
        }
        if (l->n_done == l->cap_done) {
            size_t cap = l->cap_done ? l->cap_done * 2 : 16;
            fw_result *d = realloc(l->done, cap * sizeof *d);
            if (!d) {
                l->rc = FW_ENOMEM;
                fw_result_free(&r);
                continue;
            }
            l->done = d;
            l->cap_done = cap;
        }
        l->done[l->n_done++] = r;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* ---- the coordinator -------------------------------------------------------- */

typedef struct cstate {
    coord k;
    fw_session *s;
    local loc;
    fw_exec *cx;             /* the coordinator's own, for combining forests */
    size_t *outstanding;     /* per rank (rank 0 = the local thread)  */
    int *ready;              /* HELLO received                         */
    int *bye;
    outbox out;
    fw_sb msg, item;
    double stop_at;          /* when the stop began, 0 = none          */
    int farewell;            /* STOP was sent: BYE is expected         */
} cstate;

/* The target from the measured fit + score time of the slowest space so
 * far (a mixed search is batched for its slowest model). Not from elapsed
 * time over tasks done: that counts the time workers waited for work, so a
 * starved worker would get smaller batches and starve more. */
static size_t target_for(const cstate *c)
{
    double per_task = -1;
    for (uint32_t s = 0; s < c->k.c->n_spaces; s++) {
        double t = coord_task_time(&c->k, s);
        per_task = t > per_task ? t : per_task;
    }
    if (per_task < 0)
        return MIN_TARGET;
    double t = ceil(BATCH_WORK_S / (per_task > 1e-6 ? per_task : 1e-6));
    return t < MIN_TARGET ? MIN_TARGET : t > MAX_TARGET ? MAX_TARGET : (size_t)t;
}

/* A task of a space not timed yet may be long: it goes only to a worker
 * holding fewer than MIN_TARGET tasks (as every task does at the start). */
static int unknown_too_deep(const cstate *c, const fw_task *t, size_t held)
{
    return t->n_cand && held >= MIN_TARGET && coord_task_time(&c->k, t->cands[0].space) < 0;
}

static int accept_item(void *arg, const char *p, size_t n, fw_err *e)
{
    cstate *c = arg;
    fw_result r;
    int rc = fw_result_unpack(p, n, &r, e);
    if (rc)
        return rc;
    rc = coord_accept(&c->k, &r, e);
    fw_result_free(&r);
    return rc;
}

static int poll_workers(cstate *c, int *activity, fw_err *e)
{
    int flag;
    MPI_Status st;
    while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) == MPI_SUCCESS &&
           flag) {
        int len, src = st.MPI_SOURCE, rc = FW_OK;
        pmark m = prof_start();
        char *buf = recv_probed(&st, &len);
        if (!buf)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        *activity = 1;
        if (st.MPI_TAG == TAG_HELLO) {
            c->ready[src] = 1;
        } else if (st.MPI_TAG == TAG_BYE) {
            c->bye[src] = 1;
            if (!c->farewell)
                rc = fw_err_set(e, FW_EIO, "rank %d stopped unexpectedly: %.*s", src, len,
                                len ? buf : "no message");
        } else if (st.MPI_TAG == TAG_RESULTS) {
            uint32_t n = 0;
            memcpy(&n, buf, len >= 4 ? sizeof n : 0);
            c->outstanding[src] -= n <= c->outstanding[src] ? n : c->outstanding[src];
            rc = walk_batch(buf, (size_t)len, accept_item, c, e);
            prof_add(P_RECV, m, n);
        }
        free(buf);
        if (rc)
            return rc;
    }
    return FW_OK;
}

static int take_local(cstate *c, int *activity, fw_err *e)
{
    local *l = &c->loc;
    int rc = FW_OK;
    pthread_mutex_lock(&l->mu);
    pmark m = l->n_done ? prof_start() : (pmark){0, 0};
    if (l->rc) {
        rc = l->rc;
        *e = l->err;
    }
    for (size_t i = 0; i < l->n_done; i++) {
        if (!rc)
            rc = coord_accept(&c->k, &l->done[i], e);
        fw_result_free(&l->done[i]);
        *activity = 1;
    }
    l->outstanding -= l->n_done;
    if (l->n_done)
        prof_add(P_LOCAL_IN, m, (double)l->n_done);
    l->n_done = 0;
    c->outstanding[0] = l->outstanding;
    pthread_mutex_unlock(&l->mu);
    return rc;
}

/* Rank 0's compute thread takes the task packed in c->item (packed and
 * unpacked like a worker's, so it runs on its own copy). */
static int give_local(cstate *c, fw_err *e)
{
    fw_task lt;
    int rc = fw_task_unpack(c->item.s, c->item.len, c->k.c, &lt, e);
    if (rc)
        return rc;
    pthread_mutex_lock(&c->loc.mu);
    rc = tq_push(&c->loc.tasks, &lt);
    c->loc.outstanding++;
    c->outstanding[0] = c->loc.outstanding;
    pthread_cond_signal(&c->loc.cv);
    pthread_mutex_unlock(&c->loc.mu);
    return rc ? fw_err_set(e, FW_ENOMEM, "out of memory") : FW_OK;
}

/* Send the TASKS message being built for worker w, if it holds any. */
static int send_tasks(cstate *c, int w, pmark *m, fw_err *e)
{
    uint32_t n = batch_count(&c->msg);
    if (!n)
        return FW_OK;
    if (c->msg.oom || outbox_send(&c->out, &c->msg, w, TAG_TASKS))
        return fw_err_set(e, FW_EIO, "cannot send tasks to rank %d", w);
    c->outstanding[w] += n;
    prof_add(P_SEND, *m, n);
    *m = prof_start();
    batch_begin(&c->msg);
    return FW_OK;
}

/* Hand out tasks until every worker holds its target. */
static int dispatch(cstate *c, fw_err *e)
{
    size_t target = target_for(c);
    for (int w = 0; w < c->s->size; w++) {
        if (w > 0 && !c->ready[w])
            continue;
        pmark m = {0, 0};
        size_t given = 0;
        int rc = FW_OK;
        batch_begin(&c->msg);
        while (!rc && c->outstanding[w] + batch_count(&c->msg) < target) {
            const fw_task *t = fw_plan_next(c->k.plan);
            if (!t)
                break;
            if (!given && !batch_count(&c->msg))
                m = prof_start();
            if (unknown_too_deep(c, t, c->outstanding[w] + batch_count(&c->msg))) {
                fw_plan_requeue(c->k.plan, t->id);
                break;
            }
            fw_sb_reset(&c->item);
            fw_task_pack(t, c->k.c, &c->item);
            if (w == 0) {
                rc = give_local(c, e);
                given++;
                continue;
            }
            if (c->msg.len > sizeof(uint32_t) && c->msg.len + c->item.len > MSG_BYTES)
                rc = send_tasks(c, w, &m, e);
            batch_add(&c->msg, &c->item);
        }
        if (!rc && w > 0)
            rc = send_tasks(c, w, &m, e);
        if (rc)
            return rc;
        if (given)
            prof_add(P_LOCAL_OUT, m, (double)given);
    }
    return FW_OK;
}

static size_t total_outstanding(const cstate *c)
{
    size_t n = 0;
    for (int w = 0; w < c->s->size; w++)
        n += c->outstanding[w];
    return n;
}

static int coordinate(cstate *c, fw_run_info *info, fw_err *e)
{
    backoff b = {0};
    int rc = FW_OK;
    for (;;) {
        int activity = 0;
        pmark loop = prof_start();
        if ((rc = poll_workers(c, &activity, e)) || (rc = take_local(c, &activity, e)))
            return rc;
        if (coord_flush_due(&c->k)) {
            pmark m = prof_start();
            double n = (double)c->k.n_pending;
            if ((rc = coord_flush(&c->k, e)))
                return rc;
            prof_add(P_FLUSH, m, n);
            if (prof_enabled())
                prof_add_raw(P_SYNC, c->k.sync_s, 0, n);
        }
        if ((rc = coord_combine(&c->k, c->cx, e)))
            return rc;
        int stopping = fw_sched_stop || (c->k.failed && c->k.o->fail_fast);
        if (stopping && c->stop_at == 0)
            c->stop_at = fw_now();
        if (!stopping && (rc = dispatch(c, e)))
            return rc;
        outbox_reap(&c->out);
        coord_progress(&c->k, 0);
        if (fw_plan_finished(c->k.plan))
            return FW_OK;
        if (stopping && c->k.n_pending && (rc = coord_flush(&c->k, e)))
            return rc;
        if (stopping && (total_outstanding(c) == 0 || fw_sched_abort ||
                         fw_now() - c->stop_at > c->k.o->stop_grace_s)) {
            info->stopped = fw_sched_stop != 0;
            info->failed_fast = !info->stopped;
            return FW_OK;
        }
        if (!stopping && total_outstanding(c) == 0 && c->k.n_pending == 0 &&
            !fw_plan_has_ready(c->k.plan))
            return fw_err_set(e, FW_EINVAL, "internal: no task is ready but the plan is not "
                                            "finished");
        prof_add(activity ? P_LOOP : P_POLL, loop, 0);
        if (activity)
            backoff_reset(&b);
        else
            backoff_wait(&b);
    }
}

/* Tell every worker to stop; keep journaling results that still arrive
 * (nothing finished is lost) until each has said BYE. */
static int farewell(cstate *c, fw_err *e)
{
    fw_sb empty;
    fw_sb_init(&empty);
    c->farewell = 1;
    for (int w = 1; w < c->s->size; w++)
        if (outbox_send(&c->out, &empty, w, TAG_STOP))
            return fw_err_set(e, FW_EIO, "cannot send STOP to rank %d", w);
    backoff b = {0};
    double start = fw_now();
    for (;;) {
        int activity = 0, all = 1, rc;
        if ((rc = poll_workers(c, &activity, e)) || (rc = coord_flush(&c->k, e)))
            return rc;
        for (int w = 1; w < c->s->size; w++)
            all &= c->bye[w];
        if (all)
            break;
        if (fw_now() - start > c->k.o->stop_grace_s + 30) {
            fw_log(FW_LOG_ERROR, "a worker did not stop within %.0f s; ending the job (every "
                   "finished task is in the journal)", c->k.o->stop_grace_s + 30);
            MPI_Abort(MPI_COMM_WORLD, 3); /* the scheduler's last resort */
        }
        backoff_wait(&b);
    }
    outbox_drain(&c->out);
    return FW_OK;
}

static int coordinator(fw_session *s, const fw_config *cf, const fw_dataset *d, fw_cv *cv,
                       const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e)
{
    cstate c;
    memset(&c, 0, sizeof c);
    c.s = s;
    fw_sb_init(&c.msg);
    fw_sb_init(&c.item);
    fw_cv *lcv = NULL;
    int rc = coord_init(&c.k, cf, d, cv, o, s->size, e), started = 0;
    c.outstanding = calloc((size_t)s->size, sizeof *c.outstanding);
    c.ready = calloc((size_t)s->size, sizeof *c.ready);
    c.bye = calloc((size_t)s->size, sizeof *c.bye);
    if (!rc && (!c.outstanding || !c.ready || !c.bye))
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    /* The compute thread has its own splits cache: fw_cv is not thread-safe. */
    if (!rc)
        rc = fw_cv_alloc(cf, d, &lcv, e);
    if (!rc)
        rc = fw_exec_alloc(cf, d, lcv, &c.loc.x, e);
    if (!rc)
        rc = fw_exec_alloc(cf, d, cv, &c.cx, e);
    if (!rc) {
        prof_enabled();  /* decided before the compute thread can ask */
        fw_exec_set_stop(c.loc.x, &fw_sched_abort);
        pthread_mutex_init(&c.loc.mu, NULL);
        pthread_cond_init(&c.loc.cv, NULL);
        started = pthread_create(&c.loc.th, NULL, local_main, &c.loc) == 0;
        if (!started)
            rc = fw_err_set(e, FW_ENOMEM, "cannot start the compute thread");
    }
    if (!rc) {
        pmark m = prof_start();
        rc = coordinate(&c, info, e);
        prof_add(P_RUN, m, 0);
    }
    if (started) {
        pthread_mutex_lock(&c.loc.mu);
        c.loc.quit = 1;
        pthread_cond_signal(&c.loc.cv);
        pthread_mutex_unlock(&c.loc.mu);
        pthread_join(c.loc.th, NULL);
        int act;
        fw_err e2;
        if (!rc)
            rc = take_local(&c, &act, e);
        else
            take_local(&c, &act, &e2);
    }
    int frc = farewell(&c, rc ? &(fw_err){0} : e);
    if (!rc)
        rc = frc;
    prof_write(0, s->size);
    info->search_s = (c.k.last_result > 0 ? c.k.last_result : fw_now()) - c.k.start;
    coord_progress(&c.k, 1);
    fw_plan_stats st;
    fw_plan_stats_get(c.k.plan, &st);
    info->resumed = st.resumed;
    if (!rc)
        *plan = coord_finish(&c.k);
    if (started) {
        tq_clear(&c.loc.tasks);
        free(c.loc.done);
        pthread_mutex_destroy(&c.loc.mu);
        pthread_cond_destroy(&c.loc.cv);
    }
    fw_exec_free(c.loc.x);
    fw_exec_free(c.cx);
    fw_cv_free(lcv);
    coord_free(&c.k);
    free(c.outstanding);
    free(c.ready);
    free(c.bye);
    fw_sb_free(&c.msg);
    fw_sb_free(&c.item);
    return rc;
}

/* ---- a worker ------------------------------------------------------------------ */

typedef struct wstate {
    const fw_config *c;
    tq q;
} wstate;

static int queue_item(void *arg, const char *p, size_t n, fw_err *e)
{
    wstate *w = arg;
    fw_task t;
    int rc = fw_task_unpack(p, n, w->c, &t, e);
    if (!rc && tq_push(&w->q, &t)) {
        fw_task_unpacked_free(&t);
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    return rc;
}

static int worker_poll(wstate *w, int *stop, int *activity, fw_err *e)
{
    int flag;
    MPI_Status st;
    while (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) == MPI_SUCCESS && flag) {
        int len, rc = FW_OK;
        pmark m = prof_start();
        char *buf = recv_probed(&st, &len);
        if (!buf)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        *activity = 1;
        if (st.MPI_TAG == TAG_STOP)
            *stop = 1;
        else if (st.MPI_TAG == TAG_TASKS) {
            rc = walk_batch(buf, (size_t)len, queue_item, w, e);
            prof_add(P_RECV, m, (double)batch_count_buf(buf, (size_t)len));
        }
        free(buf);
        if (rc)
            return rc;
    }
    return FW_OK;
}

static int worker(fw_session *s, const fw_config *cf, const fw_dataset *d, fw_cv *cv, fw_err *e)
{
    wstate w = {cf, {0}};
    fw_exec *x = NULL;
    outbox out = {0};
    fw_sb res, item;
    fw_sb_init(&res);
    fw_sb_init(&item);
    batch_begin(&res);
    int rc = fw_exec_alloc(cf, d, cv, &x, e), stop = 0;
    if (!rc)
        fw_exec_set_stop(x, &fw_sched_abort);
    fw_sb empty;
    fw_sb_init(&empty);
    if (!rc && outbox_send(&out, &empty, 0, TAG_HELLO))
        rc = fw_err_set(e, FW_EIO, "rank %d cannot reach rank 0", s->rank);
    backoff b = {0};
    double last_send = fw_now();
    pmark run = prof_start();
    while (!rc) {
        int activity = 0;
        if ((rc = worker_poll(&w, &stop, &activity, e)))
            break;
        if (w.q.n && !fw_sched_abort) {
            fw_task t = tq_pop(&w.q);
            fw_result r;
            pmark m = prof_start();
            rc = fw_exec_run(x, &t, &r, e);
            prof_add(P_TASK, m, 1);
            fw_task_unpacked_free(&t);
            if (rc)
                break;
            if (!fw_sched_abort) {
                fw_sb_reset(&item);
                fw_result_pack(&r, &item);
                batch_add(&res, &item);
            }
            fw_result_free(&r);
            activity = 1;
        }
        /* Send results once they are as many as the tasks still queued
         * (so rank 0 tops the queue up before it runs dry), when the next
         * would make the message too large, or every few ms of work. */
        uint32_t n = batch_count(&res);
        if (n && (n >= w.q.n || res.len + res.len / n > MSG_BYTES ||
                  fw_now() - last_send > 0.002)) {
            pmark m = prof_start();
            if (res.oom || outbox_send(&out, &res, 0, TAG_RESULTS))
                rc = fw_err_set(e, FW_EIO, "rank %d cannot send results", s->rank);
            prof_add(P_SEND, m, n);
            batch_begin(&res);
            last_send = fw_now();
        }
        outbox_reap(&out);
        if (stop && (w.q.n == 0 || fw_sched_abort))
            break;
        if (activity)
            backoff_reset(&b);
        else
            backoff_wait(&b);
    }
    prof_add(P_RUN, run, 0);
    prof_write(s->rank, s->size);
    /* BYE ends the conversation; after a failure it carries the reason. */
    fw_sb bye;
    fw_sb_init(&bye);
    if (rc)
        fw_sb_append(&bye, e->msg);
    outbox_send(&out, &bye, 0, TAG_BYE);
    fw_sb_free(&bye);
    outbox_drain(&out);
    tq_clear(&w.q);
    fw_exec_free(x);
    fw_sb_free(&res);
    fw_sb_free(&item);
    return rc;
}

int fw_sched_mpi_run(fw_session *s, const fw_config *c, const fw_dataset *d, fw_cv *cv,
                     const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e);

int fw_sched_mpi_run(fw_session *s, const fw_config *c, const fw_dataset *d, fw_cv *cv,
                     const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e)
{
    if (s->rank == 0)
        return coordinator(s, c, d, cv, o, plan, info, e);
    return worker(s, c, d, cv, e);
}
