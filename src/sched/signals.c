/* signals.c: stop signals. SIGUSR1 always stops a run (SLURM's --signal and
 * mpirun forward it); SIGTERM and SIGINT stop it when not under mpirun
 * (Open MPI 4.1's mpirun turns them into SIGTERM then SIGKILL about a
 * second later, so there the journal's durability is what counts). A stop
 * means: hand out no more work, wait a bounded time for tasks in flight,
 * save, exit 3. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sched_int.h"

volatile sig_atomic_t fw_sched_stop;
volatile sig_atomic_t fw_sched_abort;
static unsigned grace_s = 10;

/* The first stop signal arms the alarm that aborts fits still running
 * after the grace period (alarm() is async-signal-safe). */
static void on_stop(int sig)
{
    (void)sig;
    if (!fw_sched_stop)
        alarm(grace_s);
    fw_sched_stop = 1;
}

static void on_alarm(int sig)
{
    (void)sig;
    fw_sched_abort = 1;
}

void fw_sched_signals(const fw_session *s, double grace)
{
    grace_s = grace < 1 ? 1 : (unsigned)grace;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    if (!s->mpi) {
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
    }
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
}
