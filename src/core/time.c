/* time.c: monotonic and CPU clocks, and the deadline iterative fits poll. */
#define _POSIX_C_SOURCE 200809L
#include "foldwise/core.h"

#include <time.h>

double fw_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double fw_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double fw_wall_epoch(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int fw_deadline_passed(const fw_deadline *d)
{
    if (!d)
        return 0;
    if (d->stop && *d->stop)
        return 1;
    if (d->budget && --*d->budget <= 0)
        return 1;
    return d->at > 0 && fw_now() > d->at;
}
