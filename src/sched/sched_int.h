/* sched_int.h: state shared by the serial and MPI schedulers (not API). */
#ifndef FOLDWISE_SCHED_INT_H
#define FOLDWISE_SCHED_INT_H

#include <mpi.h>
#include <signal.h>

#include "foldwise/exec.h"
#include "foldwise/plan.h"
#include "foldwise/sched.h"
#include "foldwise/store.h"

struct fw_session {
    int mpi, rank, size, node_rank;
    MPI_Comm node;
    MPI_Win win;
};

/* Raised by the signal handlers. stop: stop handing out work and save.
 * abort_fits: make fits in flight return at their next deadline poll. */
extern volatile sig_atomic_t fw_sched_stop;
extern volatile sig_atomic_t fw_sched_abort;

/* The coordinator's side of a run, common to both schedulers: the plan,
 * the journal, durable acceptance of results, progress lines. */
typedef struct coord {
    const fw_config *c;
    const fw_run_opts *o;
    fw_plan *plan;
    fw_journal *journal;
    fw_result *pending;         /* accepted, waiting for the journal sync */
    size_t n_pending, cap_pending;
    size_t pending_bytes;       /* their packed size                      */
    double start, last_progress, last_flush;
    double sync_s;              /* how long the last journal sync took    */
    double last_result;         /* when the last result arrived           */
    double *space_s;            /* per space (of a task's first candidate):  */
    size_t *space_n;            /* fit + score seconds and results taken     */
    int ranks;
    int failed;                 /* a fit failed (for --fail-fast)         */
    int tty;
    fw_sb progress_line;
} coord;

int coord_init(coord *k, const fw_config *c, const fw_dataset *d, fw_cv *cv,
               const fw_run_opts *o, int ranks, fw_err *e);
/* Take ownership of a result: it is journaled at the next flush. */
int coord_accept(coord *k, fw_result *r, fw_err *e);
/* Mean fit + score seconds of the tasks of a space taken so far (replayed
 * ones aside), or -1 when none: the scheduler sizes batches by it. */
double coord_task_time(const coord *k, uint32_t space);
/* Write and sync the accepted results, then complete them in the plan. */
int coord_flush(coord *k, fw_err *e);
/* Time to flush: results have waited long enough, or many are queued, or
 * the plan has nothing else to hand out (their completion may release
 * more). Batching the sync keeps the disk's sync rate from limiting the
 * run; nothing counts as done before its sync. */
int coord_flush_due(const coord *k);
/* Combine every fit task whose member tasks are all done (on this thread,
 * with executor x) and accept the results. */
int coord_combine(coord *k, fw_exec *x, fw_err *e);
/* A progress line when due (force: now). */
void coord_progress(coord *k, int force);
/* Close the journal; the plan stays for the reports (returned). */
fw_plan *coord_finish(coord *k);
void coord_free(coord *k);

#endif
