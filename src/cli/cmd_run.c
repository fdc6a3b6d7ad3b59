/* cmd_run.c: `foldwise run`: config -> data -> splits -> scheduler ->
 * reports, on every rank of an MPI job or serially. Every rank reads the
 * config and computes the splits itself (they are deterministic); only
 * rank 0 prints, writes the outputs and decides the exit code, which every
 * rank then returns so mpirun reports it. `foldwise run DIR/results.h5`
 * runs the config stored in a results file again (its --set overrides
 * included); the file is read before MPI starts (the reader forks). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "foldwise/report.h"
#include "foldwise/sched.h"
#include "foldwise/store.h"

#define MAX_SETS 256
#define STOP_GRACE_S 10.0

typedef struct run_args {
    const char *config, *out;
    char *sets[MAX_SETS];
    size_t n_sets;
    int resume, fail_fast, quiet, mpi;
    char *stored_text;      /* config text from a results file, or NULL */
    char *stored_data;      /* the data path that run read */
} run_args;

static int is_results_file(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5"));
}

/* `foldwise run DIR/results.h5`: the config text the run stored. */
static int read_stored_config(run_args *a, fw_err *e)
{
    fw_results *r;
    int rc = fw_results_read_h5(a->config, &r, e);
    if (rc)
        return rc;
    if (!r->config_text)
        rc = fw_err_at(e, FW_EINVAL, a->config, 0, 0, "holds no config to run again");
    else if (!(a->stored_text = fw_strdup(r->config_text)) ||
             (r->data_path && !(a->stored_data = fw_strdup(r->data_path))))
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    fw_results_free(r);
    return rc;
}

/* A stored config names its data relative to where that run started; the
 * path the run resolved is the fallback. */
static void stored_data_path(const run_args *a, fw_config *c)
{
    if (!a->stored_data || !c->data.path || access(c->data.path, F_OK) == 0 ||
        access(a->stored_data, F_OK) != 0)
        return;
    char *p = fw_strdup(a->stored_data);
    if (p) {
        free(c->data.path);
        c->data.path = p;
    }
}

static int load_config(const run_args *a, fw_config *c, fw_err *e)
{
    if (!a->stored_text)
        return fw_config_load(a->config, a->sets, a->n_sets, c, e);
    int rc = fw_config_load_text(a->stored_text, a->config, a->sets, a->n_sets, c, e);
    if (!rc)
        stored_data_path(a, c);
    return rc;
}

static int parse_run_args(int argc, char **argv, run_args *a, fw_err *e)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--resume"))
            a->resume = 1;
        else if (!strcmp(s, "--fail-fast"))
            a->fail_fast = 1;
        else if (!strcmp(s, "--quiet") || !strcmp(s, "-q"))
            a->quiet = 1;
        else if (!strcmp(s, "--mpi"))
            a->mpi = 1;
        else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && i + 1 < argc)
            a->out = argv[++i];
        else if (!strcmp(s, "--set") && i + 1 < argc) {
            if (a->n_sets == MAX_SETS)
                return fw_err_set(e, FW_EINVAL, "too many --set options");
            a->sets[a->n_sets++] = argv[++i];
        } else if (!strncmp(s, "--set=", 6) && a->n_sets < MAX_SETS)
            a->sets[a->n_sets++] = (char *)s + 6;
        else if (s[0] == '-')
            return fw_err_set(e, FW_EINVAL, "run: unknown option '%s' (see foldwise --help)", s);
        else if (!a->config)
            a->config = s;
        else
            return fw_err_set(e, FW_EINVAL, "run: one config file only ('%s' is extra)", s);
    }
    if (!a->config)
        return fw_err_set(e, FW_EINVAL, "run: which config? usage: foldwise run CONFIG.yaml");
    return FW_OK;
}

/* Rank 0, before any work: the output directory must be new, or resumed,
 * or overwritable. Nothing is created yet: a run refused for bad input
 * leaves nothing behind. */
static int check_output(const fw_config *c, const run_args *a, fw_err *e)
{
    struct stat st;
    const char *dir = c->output.dir;
    int exists = stat(dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode))
        return fw_err_set(e, FW_EINVAL, "output.dir %s exists and is not a directory", dir);
    if (exists && !a->resume && !c->output.overwrite) {
        char j[4096];
        snprintf(j, sizeof j, "%s/journal.fwj", dir);
        if (access(j, F_OK) == 0 || access(dir, F_OK) == 0)
            return fw_err_set(e, FW_EINVAL,
                              "output.dir %s already exists: add --resume to continue that run, "
                              "set output.overwrite: true (--set output.overwrite=true) to "
                              "replace it, or choose another directory with -o DIR", dir);
    }
    return FW_OK;
}

/* Rank 0, once the config and data are known good: the directory and a
 * copy of the config (for `foldwise report` and reruns). */
static int create_output(const fw_config *c, fw_err *e)
{
    const char *dir = c->output.dir;
    int rc = fw_mkdir_p(dir, e);
    if (rc)
        return rc;
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    return fw_write_file_atomic(path, c->text, strlen(c->text), e);
}

static void print_best(fw_plan *p, const fw_config *c)
{
    const fw_row *rows;
    size_t n = fw_plan_rows(p, &rows);
    long b = fw_plan_best(p);
    if (b < 0 || (size_t)b >= n)
        return;
    fw_sb s;
    fw_sb_init(&s);
    fw_report_params_json(c, rows[b].space, rows[b].vals, &s);
    printf("best %s: %.4f +/- %.4f  %s %s\n", c->metrics[0], rows[b].mean_test[0],
           rows[b].std_test[0], c->spaces[rows[b].space].model->name, s.s ? s.s : "{}");
    fw_sb_free(&s);
    const fw_outer_result *o;
    size_t no = fw_plan_outer(p, &o);
    if (no) {
        double sum = 0, sq = 0;
        size_t ok = 0;
        for (size_t i = 0; i < no; i++)
            if (o[i].status == FW_RS_OK)
                sum += o[i].test[0], ok++;
        double mean = sum / (double)(ok ? ok : 1);
        for (size_t i = 0; i < no; i++)
            if (o[i].status == FW_RS_OK)
                sq += (o[i].test[0] - mean) * (o[i].test[0] - mean);
        printf("nested %s: %.4f +/- %.4f  (%zu outer splits, each choosing on its inner "
               "splits)\n", c->metrics[0], mean, sqrt(sq / (double)(ok ? ok : 1)), no);
    }
}

/* Every fit failed: say why, grouped by message. */
static int all_failed(fw_plan *p)
{
    const fw_row *rows;
    size_t n = fw_plan_rows(p, &rows);
    for (size_t i = 0; i < n; i++)
        if (rows[i].status == FW_RS_OK || rows[i].status == FW_RS_PARTIAL)
            return 0;
    fprintf(stderr, "foldwise: every fit failed:\n");
    for (size_t i = 0, shown = 0; i < n && shown < 5; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = rows[j].message && rows[i].message && !strcmp(rows[j].message, rows[i].message);
        if (dup)
            continue;
        size_t cnt = 0;
        for (size_t j = i; j < n; j++)
            cnt += rows[j].message && rows[i].message && !strcmp(rows[j].message, rows[i].message);
        fprintf(stderr, "  %zu x %s: %s\n", cnt ? cnt : 1, fw_rs_names[rows[i].status],
                rows[i].message ? rows[i].message : "(no message)");
        shown++;
    }
    return 1;
}

/* Rank 0 after the scheduler: outputs, the summary lines, the exit code. */
static int finish(fw_plan *p, const fw_config *c, const fw_dataset *d, fw_run_meta *m,
                  const fw_run_info *info, const run_args *a, int rc, fw_err *e)
{
    if (!p)
        return rc;
    m->end_epoch = fw_wall_epoch();
    m->elapsed_s = m->end_epoch - m->start_epoch;
    m->search_s = info->search_s;
    m->resumed = info->resumed;
    m->stopped = info->stopped || info->failed_fast;
    fw_err we;
    fw_results *res = NULL;
    int wrc = fw_results_from_plan(p, c, d, m, &res, &we);
    if (!wrc)
        wrc = fw_report_write_all(res, c->output.dir, &we);
    if (!wrc)
        wrc = fw_run_facts_write(res, c->output.dir, &we);
    if (!wrc) {
        char path[4096];
        snprintf(path, sizeof path, "%s/results.h5", c->output.dir);
        if ((wrc = fw_results_write_h5(res, path, &we)) == FW_EUNSUP)
            wrc = FW_OK;
    }
    fw_results_free(res);
    if (wrc) {
        *e = we;
        return wrc;
    }
    if (rc)
        return rc;
    if (!a->quiet)
        print_best(p, c);
    if (info->failed_fast)
        return fw_err_set(e, FW_ERUN, "--fail-fast: stopped at the first failed fit (see "
                          "cv_results.csv, status and message columns)");
    if (all_failed(p))
        return fw_err_set(e, FW_ERUN, "no configuration could be fitted");
    if (!a->quiet) {
        fw_plan_stats st;
        fw_plan_stats_get(p, &st);
        printf("%zu tasks (%zu failed fits, %zu resumed) in %.2f s on %d rank%s; results in "
               "%s/ (summary.json, cv_results.csv)\n",
               st.done, st.failed, info->resumed, m->elapsed_s, m->ranks,
               m->ranks == 1 ? "" : "s", c->output.dir);
    }
    return FW_OK;
}

static int run(fw_session *s, const run_args *a, fw_err *e)
{
    fw_config c;
    fw_dataset *d = NULL;
    fw_cv *cv = NULL;
    fw_plan *plan = NULL;
    fw_run_meta meta;
    fw_run_info info = {0};
    int rank = fw_session_rank(s);
    fw_run_meta_init(&meta);
    meta.start_epoch = fw_wall_epoch();
    meta.cmdline = fw_cli_cmdline;
    meta.ranks = fw_session_size(s);
    if (fw_session_is_mpi(s))
        fw_session_mpi_version(meta.mpi_version, sizeof meta.mpi_version);
    /* Every rank reads the config: same file, same result, same error. */
    int rc = load_config(a, &c, e);
    if (!rc && a->out) {
        free(c.output.dir);
        c.output.dir = fw_strdup(a->out);
    }
    if (!rc && rank == 0)
        rc = check_output(&c, a, e);
    if ((rc = fw_session_agree(s, rc)))
        goto cleanup;
    fw_sched_signals(s, STOP_GRACE_S);
    if ((rc = fw_session_load(s, &c.data, &d, e))) {
        fw_config_locate_error(&c, e);
        goto cleanup;
    }
    rc = fw_config_check_data(&c, d, e);
    if (rc)
        fw_config_locate_error(&c, e);
    if (!rc)
        rc = fw_cv_alloc(&c, d, &cv, e);
    if (!rc && rank == 0)
        rc = create_output(&c, e);
    if ((rc = fw_session_agree(s, rc)))
        goto cleanup;
    fw_run_opts o = {a->resume, a->fail_fast, STOP_GRACE_S};
    rc = fw_sched_run(s, &c, d, cv, &o, &plan, &info, e);
    if (rank == 0)
        rc = finish(plan, &c, d, &meta, &info, a, rc, e);
cleanup:
    fw_plan_free(plan);
    fw_cv_free(cv);
    fw_dataset_free(d);
    fw_config_free(&c);
    return rc;
}

int fw_cmd_run(int argc, char **argv)
{
    run_args a;
    fw_err e = {0};
    fw_session *s = NULL;
    int rc = parse_run_args(argc, argv, &a, &e);
    if (!rc && is_results_file(a.config))
        rc = read_stored_config(&a, &e);
    if (!rc)
        rc = fw_session_open(&argc, &argv, a.mpi, &s, &e);
    if (rc) {
        free(a.stored_text);
        free(a.stored_data);
        return fw_cli_fail(&e);
    }
    int rank = fw_session_rank(s);
    if (rank > 0)
        fw_log_set_level(FW_LOG_ERROR);  /* rank 0 speaks for the run */
    else if (a.quiet)
        fw_log_set_level(FW_LOG_WARN);
    if (fw_session_is_mpi(s)) {
        char tag[32];
        snprintf(tag, sizeof tag, "rank %d", rank);
        if (rank > 0)
            fw_log_set_tag(tag);
    }
    rc = run(s, &a, &e);
    int code = rc ? fw_status_exit_code(rc) : 0;
    if (rc && rank == 0)
        code = fw_cli_fail(&e);
    code = fw_session_bcast_int(s, code);
    fw_session_close(s);
    free(a.stored_text);
    free(a.stored_data);
    return code;
}
