/* cmd_status.c: `foldwise status DIR`: the progress of a running or
 * stopped run, from DIR/progress.json (rewritten by the coordinator at
 * every progress tick) and the journal. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "foldwise/store.h"

/* The value after "key": in the flat JSON foldwise writes (never parsed
 * from elsewhere). */
static const char *json_at(const char *text, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(text, pat);
    return p ? p + strlen(pat) : NULL;
}

static double json_num(const char *text, const char *key)
{
    const char *p = json_at(text, key);
    return p ? strtod(p, NULL) : NAN;
}

static void json_str(const char *text, const char *key, char *buf, size_t n)
{
    const char *p = json_at(text, key);
    buf[0] = '\0';
    if (p && *p == '"') {
        size_t len = strcspn(p + 1, "\"");
        snprintf(buf, n, "%.*s", (int)len, p + 1);
    }
}

/* "best": {"knn#2": 0.99, ...} as "knn 0.9900, ..." */
static void print_best(const char *text, const char *metric)
{
    const char *p = json_at(text, "best");
    if (!p || *p != '{' || p[1] == '}')
        return;
    printf("best %s so far:", metric);
    for (p++; *p && *p != '}';) {
        if (*p != '"') {
            p++;
            continue;
        }
        size_t len = strcspn(p + 1, "#\"");
        const char *colon = strchr(p, ':');
        if (!colon)
            break;
        printf(" %.*s %.4f", (int)len, p + 1, strtod(colon + 1, NULL));
        p = colon + 1;
        while (*p && *p != ',' && *p != '}')
            p++;
        if (*p == ',')
            printf(",");
    }
    printf("\n");
}

int fw_cmd_status(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "foldwise: usage: foldwise status DIR\n");
        return 2;
    }
    char path[4096], *text, state[32], metric[128];
    size_t n;
    fw_err e = {0};
    snprintf(path, sizeof path, "%s/progress.json", argv[1]);
    if (fw_read_file(path, 1 << 20, &text, &n, &e)) {
        fprintf(stderr, "foldwise: %s: no run there (no progress.json)\n", argv[1]);
        return 2;
    }
    json_str(text, "state", state, sizeof state);
    json_str(text, "metric", metric, sizeof metric);
    long pid = (long)json_num(text, "pid");
    int alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    if (!strcmp(state, "running") && !alive)
        snprintf(state, sizeof state, "stopped");
    double done = json_num(text, "done"), total = json_num(text, "total");
    printf("%s: %s, %.0f/%.0f tasks, %.0f failed fits, %.0f resumed, %.1f s at %.1f tasks/s, "
           "%.0f rank%s\n",
           argv[1], state, done, total, json_num(text, "failed"), json_num(text, "resumed"),
           json_num(text, "elapsed_s"), json_num(text, "rate"), json_num(text, "ranks"),
           json_num(text, "ranks") == 1 ? "" : "s");
    print_best(text, metric);
    snprintf(path, sizeof path, "%s/journal.fwj", argv[1]);
    size_t records = 0;
    fw_log_set_level(FW_LOG_ERROR);
    if (fw_journal_scan(path, NULL, NULL, NULL, &records, &e) == FW_OK)
        printf("journal: %zu finished tasks saved%s\n", records,
               strcmp(state, "stopped") ? "" : "; `foldwise run CONFIG --resume` continues");
    free(text);
    return 0;
}
