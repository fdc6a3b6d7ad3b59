/* log.c: leveled logging to stderr. One line per call, written with a single
 * fputs so lines from different ranks do not interleave mid-line. */
#include "foldwise/core.h"

#include <stdio.h>

static int log_level = FW_LOG_INFO;
static char log_tag[64];

void fw_log_set_level(int level) { log_level = level; }
int fw_log_get_level(void) { return log_level; }

void fw_log_set_tag(const char *tag)
{
    snprintf(log_tag, sizeof log_tag, "%s", tag ? tag : "");
}

void fw_log(int level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    static const char *const kind[] = {"error: ", "warning: ", "", ""};
    char line[2048];
    int off = snprintf(line, sizeof line, "foldwise%s%s: %s",
                       log_tag[0] ? " " : "", log_tag, kind[level < 0 ? 0 : level > 3 ? 3 : level]);
    if (off < 0 || (size_t)off >= sizeof line)
        off = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + off, sizeof line - (size_t)off - 1, fmt, ap);
    va_end(ap);
    size_t n = 0;
    while (line[n])
        n++;
    if (n == 0 || line[n - 1] != '\n') {
        line[n] = '\n';
        line[n + 1] = '\0';
    }
    fputs(line, stderr);
}
