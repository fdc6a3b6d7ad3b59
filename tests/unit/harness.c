/* harness.c: runs the cases of one test binary; see harness.h. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "foldwise/core.h"

int fwt_failed_now;
static const char *fwt_current;

void fwt_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("FAIL %s: %s:%d: %s\n", fwt_current, file, line, msg);
    fflush(stdout);
    fwt_failed_now = 1;
}

const char *fwt_data(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "tests/data/%s", name);
    return buf[k];
}

const char *fwt_tmpdir(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/fwtest.XXXXXX");
    if (!mkdtemp(buf))
        return "/tmp";
    return buf;
}

int fwt_main(int argc, char **argv, const fwt_case *cases)
{
    int failed = 0, passed = 0;
    fw_log_set_level(FW_LOG_ERROR);
    if (getenv("FWT_VERBOSE"))
        fw_log_set_level(FW_LOG_DEBUG);
    for (const fwt_case *c = cases; c->name; c++) {
        if (argc > 1) {
            int want = 0;
            for (int i = 1; i < argc; i++)
                want |= strcmp(argv[i], c->name) == 0;
            if (!want)
                continue;
        }
        fwt_current = c->name;
        fwt_failed_now = 0;
        c->fn();
        if (fwt_failed_now) {
            failed++;
        } else {
            passed++;
            printf("PASS %s\n", c->name);
        }
        fflush(stdout);
    }
    return failed ? 1 : 0;
}

int fwt_set_load(const char *file, const char *target, int standardise, fwt_set *s, fw_err *e)
{
    fw_data_opts o = {0};
    o.path = (char *)fwt_data(file);
    o.target = (char *)target;
    memset(s, 0, sizeof *s);
    int rc = fw_dataset_load(&o, &s->d, e);
    if (rc)
        return rc;
    size_t n = s->d->n_rows, p = s->d->n_features;
    s->X = malloc(n * p * sizeof *s->X);
    s->rows = malloc(n * sizeof *s->rows);
    if (!s->X || !s->rows)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t j = 0; j < p; j++) {
        const double *c = fw_dataset_col(s->d, j);
        double mu = 0, sd = 0;
        for (size_t i = 0; standardise && i < n; i++)
            mu += c[i];
        mu /= (double)n;
        for (size_t i = 0; standardise && i < n; i++)
            sd += (c[i] - mu) * (c[i] - mu);
        sd = sqrt(sd / (double)n);
        for (size_t i = 0; i < n; i++)
            s->X[j * n + i] = !standardise ? c[i] : sd > 0 ? (c[i] - mu) / sd : 0.0;
    }
    for (size_t i = 0; i < n; i++)
        s->rows[i] = i;
    s->fit.X = (fw_matrix){s->X, n, p};
    s->fit.rows = s->rows;
    s->fit.n = n;
    s->fit.y = s->d->y;
    s->fit.task = s->d->task;
    s->fit.n_classes = s->d->task == FW_TASK_CLASSIFICATION ? s->d->n_classes : 0;
    return FW_OK;
}

void fwt_set_free(fwt_set *s)
{
    fw_dataset_free(s->d);
    free(s->X);
    free(s->rows);
    free(s->y);
    memset(s, 0, sizeof *s);
}
