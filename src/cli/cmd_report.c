/* cmd_report.c: `foldwise report DIR`: the report files of a run again,
 * from DIR/results.h5; or, when that file is missing or damaged (deleted,
 * half written, changed), from the journal: DIR/config.yaml is loaded
 * (with the run's --set overrides, which it lists), the data read, the
 * task graph rebuilt from journal.fwj without running a task
 * (fw_sched_replay), and results.h5 written anew with the reports.
 *
 * The journal holds every task's results but not the facts of the process
 * that ran them (command line, host, ranks, times, versions, resumed
 * tasks): those come from the run's run.json (run_facts.c), or failing
 * that summary.json, so the rebuilt files say what the original ones
 * said. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "foldwise/sched.h"

static int need_file(const char *dir, const char *name, fw_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (access(path, R_OK) != 0)
        return fw_err_at(e, FW_EINVAL, path, 0, 0,
                         "missing: cannot rebuild the results without the run's config.yaml "
                         "and journal.fwj");
    return FW_OK;
}

/* The graph rebuilt from the journal, into results (and results.h5). */
static int rebuild(const char *dir, fw_results **out, size_t *missing, fw_err *e)
{
    fw_config c;
    fw_dataset *d = NULL;
    fw_cv *cv = NULL;
    fw_plan *plan = NULL;
    fw_run_facts *f = NULL;
    char path[4096];
    *out = NULL;
    int rc = need_file(dir, "config.yaml", e);
    if (!rc)
        rc = need_file(dir, "journal.fwj", e);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    f = fw_run_facts_load(dir);
    if (!(rc = fw_config_load(path, NULL, 0, &c, e))) {
        free(c.output.dir);
        c.output.dir = fw_strdup(dir);
        if ((rc = fw_dataset_load(&c.data, &d, e)))
            fw_err_prefix(e, "reading the run's data (data.path of %s): ", path);
    }
    if (!rc)
        rc = fw_config_check_data(&c, d, e);
    if (!rc)
        rc = fw_cv_alloc(&c, d, &cv, e);
    if (!rc && (rc = fw_sched_replay(&c, d, cv, &plan, missing, e)))
        fw_err_prefix(e, "cannot rebuild results.h5 from the journal: ");
    if (!rc) {
        fw_run_meta m;
        fw_run_meta_init(&m);
        fw_run_facts_meta(f, &m);
        m.stopped = *missing > 0;
        rc = fw_results_from_plan(plan, &c, d, &m, out, e);
    }
    if (!rc)
        fw_run_facts_results(f, *out);
    fw_run_facts_free(f);
    fw_plan_free(plan);
    fw_cv_free(cv);
    fw_dataset_free(d);
    fw_config_free(&c);
    return rc;
}

/* results.h5 if it reads; NULL (and why, on stderr) if it must be rebuilt. */
static int read_results(const char *dir, fw_results **r, fw_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/results.h5", dir);
    *r = NULL;
    if (access(path, F_OK) != 0) {
        fw_info("%s: no results.h5: rebuilding it from the journal", dir);
        return FW_OK;
    }
    int rc = fw_results_read_h5(path, r, e);
    if (rc == FW_EINVAL) {
        char msg[2048];
        fw_err_format(e, msg, sizeof msg);
        fw_warn("%s; rebuilding it from the journal", msg);
        fw_err_clear(e);
        return FW_OK;
    }
    return rc;
}

static void print_written(const char *dir, int rebuilt)
{
    static const char *const files[] = {"cv_results.csv", "summary.json", "predictions.csv",
                                        "report.md", "report.html"};
    printf("%s%s/:", rebuilt ? "rebuilt results.h5 from the journal; reports in " : "reports in ",
           dir);
    for (size_t i = 0, first = 1; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (access(path, F_OK) == 0) {
            printf("%s %s", first ? "" : ",", files[i]);
            first = 0;
        }
    }
    printf("\n");
}

static int report(const char *dir, fw_err *e)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fw_err_at(e, FW_EINVAL, dir, 0, 0, "not a run directory");
    fw_results *r;
    size_t missing = 0;
    int rebuilt = 0, rc = read_results(dir, &r, e);
    if (!rc && !r) {
        rebuilt = 1;
        rc = rebuild(dir, &r, &missing, e);
        if (!rc) {
            char path[4096];
            snprintf(path, sizeof path, "%s/results.h5", dir);
            rc = fw_results_write_h5(r, path, e);
        }
    }
    if (!rc)
        rc = fw_report_write_all(r, dir, e);
    if (!rc) {
        if (!strcmp(r->state, "stopped") || missing)
            fw_warn("the run was stopped: %zu of %zu tasks are done; `foldwise run "
                    "%s/config.yaml -o %s --resume` finishes it. These reports show what "
                    "exists.", r->tasks_done, r->tasks_total, dir, dir);
        print_written(dir, rebuilt);
    }
    fw_results_free(r);
    return rc;
}

int fw_cmd_report(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "foldwise: usage: foldwise report DIR\n");
        return 2;
    }
    fw_err e;
    fw_err_clear(&e);
    int rc = report(argv[1], &e);
    return rc ? fw_cli_fail(&e) : 0;
}
