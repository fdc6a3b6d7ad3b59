/* sched.h: running the task graph: the serial scheduler (the reference) and
 * the MPI coordinator/workers. This is the only layer that includes
 * <mpi.h>. Plain `foldwise run` (not started by mpirun or srun) never
 * initialises MPI.
 *
 * Under MPI, rank 0 owns the graph and the journal and computes too (a
 * worker thread), so N ranks give N workers. Workers ask for tasks and get
 * them in small batches (dynamic self-scheduling). No rank spins while it
 * waits: waits poll and back off with short sleeps. The dataset is loaded
 * once per node into an MPI-3 shared-memory window.
 */
#ifndef FOLDWISE_SCHED_H
#define FOLDWISE_SCHED_H

#include <stddef.h>

#include "foldwise/core.h"
#include "foldwise/data.h"
#include "foldwise/plan.h"

/* The process world: serial, or an MPI job. */
typedef struct fw_session fw_session;

/* Start: MPI_Init_thread when launched by mpirun/srun (or when force_mpi),
 * otherwise a serial session. */
int fw_session_open(int *argc, char ***argv, int force_mpi, fw_session **out, fw_err *e);
int fw_session_rank(const fw_session *s);
int fw_session_size(const fw_session *s);
int fw_session_is_mpi(const fw_session *s);
/* Agree on an error across ranks: every rank passes its status; all get
 * the first non-OK status in rank order (rank 0's message is the one
 * printed). Serial: returns rc. */
int fw_session_agree(fw_session *s, int rc);
/* Rank 0's value of v, on every rank (serial: v). */
int fw_session_bcast_int(fw_session *s, int v);
/* Load the data once per node (node leader) into shared memory; every rank
 * gets a view. Errors are agreed across ranks. */
int fw_session_load(fw_session *s, const fw_data_opts *o, fw_dataset **out, fw_err *e);
/* Finalise (MPI_Finalize) and free. */
void fw_session_close(fw_session *s);
/* Library versions, for summary.json ("Open MPI 4.1.4" or "none"). */
void fw_session_mpi_version(char *buf, size_t n);

typedef struct fw_run_opts {
    int resume;
    int fail_fast;
    double stop_grace_s;    /* wait for tasks in flight after a stop signal */
} fw_run_opts;

typedef struct fw_run_info {
    double search_s;        /* data loaded -> last result              */
    int stopped;            /* a signal stopped the run (exit 3)        */
    int failed_fast;        /* --fail-fast met a failure (exit 1)       */
    size_t resumed;
} fw_run_info;

/* Run the graph. On rank 0, *plan receives the finished (or stopped) plan
 * for the reports; on other ranks it is NULL. The output directory must
 * exist. Returns FW_OK, FW_EINTR when a signal stopped the run after saving
 * its state, FW_EIO when the journal could not be written, or another
 * error. */
int fw_sched_run(fw_session *s, const fw_config *c, const fw_dataset *d, fw_cv *cv,
                 const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e);

/* Install the stop-signal handlers (SIGUSR1 always; SIGTERM and SIGINT when
 * not under mpirun). After the first stop signal, fits still running after
 * grace_s seconds are aborted and their tasks left for --resume. */
void fw_sched_signals(const fw_session *s, double grace_s);

#endif /* FOLDWISE_SCHED_H */
