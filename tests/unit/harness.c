/* harness.c: runs the cases of one test binary; see harness.h. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"

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
