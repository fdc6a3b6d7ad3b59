/* err.c: the caller-owned error record and the status-to-exit-code map. */
#include "foldwise/core.h"

#include <stdio.h>
#include <string.h>

static void err_vset(fw_err *e, int code, const char *fmt, va_list ap)
{
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int fw_err_set(fw_err *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, fmt, ap);
    va_end(ap);
    e->file[0] = '\0';
    e->line = e->col = 0;
    return code;
}

int fw_err_at(fw_err *e, int code, const char *file, long line, long col,
              const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, fmt, ap);
    va_end(ap);
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->col = col;
    return code;
}

void fw_err_prefix(fw_err *e, const char *fmt, ...)
{
    if (!e)
        return;
    char pre[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s%s", pre, old);
}

void fw_err_clear(fw_err *e)
{
    if (!e)
        return;
    e->code = FW_OK;
    e->msg[0] = e->file[0] = '\0';
    e->line = e->col = 0;
}

void fw_err_format(const fw_err *e, char *buf, size_t n)
{
    if (!e->file[0])
        snprintf(buf, n, "%s", e->msg);
    else if (e->line > 0 && e->col > 0)
        snprintf(buf, n, "%s:%ld:%ld: %s", e->file, e->line, e->col, e->msg);
    else if (e->line > 0)
        snprintf(buf, n, "%s:%ld: %s", e->file, e->line, e->msg);
    else
        snprintf(buf, n, "%s: %s", e->file, e->msg);
}

static const char *const status_names[FW_NSTATUS] = {
    [FW_OK] = "ok",
    [FW_EINVAL] = "invalid input",
    [FW_ENOMEM] = "out of memory",
    [FW_EIO] = "I/O error",
    [FW_ENOCONV] = "did not converge",
    [FW_ESINGULAR] = "singular system",
    [FW_ETIMEOUT] = "timeout",
    [FW_EFAIL] = "failed",
    [FW_EINTR] = "interrupted",
    [FW_EUNSUP] = "unsupported",
    [FW_ERUN] = "run failed",
};

const char *fw_status_name(int code)
{
    if (code < 0 || code >= FW_NSTATUS)
        return "unknown error";
    return status_names[code];
}

int fw_status_exit_code(int code)
{
    switch (code) {
    case FW_OK: return 0;
    case FW_EINVAL: case FW_EUNSUP: return 2;
    case FW_EINTR: return 3;
    case FW_EIO: return 4;
    default: return 1;
    }
}
