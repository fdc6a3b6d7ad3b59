/* serial.c: the reference scheduler: one process runs the graph in the
 * plan's order. MPI runs must produce the same results. Also the entry
 * point fw_sched_run, which picks the scheduler. */
#include <stdlib.h>
#include <string.h>

#include "sched_int.h"

int fw_sched_mpi_run(fw_session *s, const fw_config *c, const fw_dataset *d, fw_cv *cv,
                     const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e);

/* After a stop signal the task in flight gets the grace period; then fits
 * are aborted and its result is dropped (it is not journaled: a resume
 * runs it again). */
static int serial_loop(coord *k, fw_exec *x, fw_run_info *info, fw_err *e)
{
    int rc = FW_OK;
    for (;;) {
        if (fw_sched_stop) {
            info->stopped = 1;
            break;
        }
        if (k->failed && k->o->fail_fast) {
            info->failed_fast = 1;
            break;
        }
        if (!fw_plan_has_ready(k->plan)) {
            /* Nothing to run: make the pending results count (that may
             * release follow-ups or a proposer's next batch) and combine
             * forests whose member tasks are done. */
            if ((rc = coord_flush(k, e)) || (rc = coord_combine(k, x, e)))
                break;
            if (k->n_pending)
                continue;
            if (fw_plan_finished(k->plan))
                break;
            if (!fw_plan_has_ready(k->plan))
                return fw_err_set(e, FW_EINVAL, "internal: no task is ready but the plan is "
                                                "not finished");
        }
        const fw_task *t = fw_plan_next(k->plan);
        fw_result r;
        if ((rc = fw_exec_run(x, t, &r, e)))
            break;
        if (fw_sched_abort) {
            fw_plan_requeue(k->plan, t->id);
            fw_result_free(&r);
            info->stopped = 1;
            break;
        }
        if (!(rc = coord_accept(k, &r, e)) && coord_flush_due(k))
            rc = coord_flush(k, e);
        fw_result_free(&r);
        coord_progress(k, 0);
        if (rc)
            break;
    }
    /* Whatever is accepted is saved, also when stopping. */
    fw_err fe;
    int frc = coord_flush(k, rc ? &fe : e);
    return rc ? rc : frc;
}

static int serial_run(const fw_config *c, const fw_dataset *d, fw_cv *cv, const fw_run_opts *o,
                      fw_plan **plan, fw_run_info *info, fw_err *e)
{
    coord k;
    fw_exec *x = NULL;
    int rc = coord_init(&k, c, d, cv, o, 1, e);
    if (!rc)
        rc = fw_exec_alloc(c, d, cv, &x, e);
    if (!rc) {
        fw_exec_set_stop(x, &fw_sched_abort);
        rc = serial_loop(&k, x, info, e);
        info->search_s = (k.last_result > 0 ? k.last_result : fw_now()) - k.start;
        coord_progress(&k, 1);
        fw_plan_stats st;
        fw_plan_stats_get(k.plan, &st);
        info->resumed = st.resumed;
        *plan = coord_finish(&k);
    }
    fw_exec_free(x);
    coord_free(&k);
    return rc;
}

int fw_sched_run(fw_session *s, const fw_config *c, const fw_dataset *d, fw_cv *cv,
                 const fw_run_opts *o, fw_plan **plan, fw_run_info *info, fw_err *e)
{
    memset(info, 0, sizeof *info);
    *plan = NULL;
    fw_sched_stop = fw_sched_abort = 0;
    int rc = s->mpi ? fw_sched_mpi_run(s, c, d, cv, o, plan, info, e)
                    : serial_run(c, d, cv, o, plan, info, e);
    if (!rc && info->stopped)
        rc = fw_err_set(e, FW_EINTR, "stopped by a signal; finished tasks are saved in %s/"
                        "journal.fwj: re-run with --resume to continue", c->output.dir);
    return rc;
}
