/* main.c: the foldwise command line. A table of subcommands (git's shape);
 * each returns an exit code, and only this layer ends the process. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli_int.h"

char *fw_cli_cmdline;

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"run", fw_cmd_run,
     "run CONFIG.yaml [-o DIR] [--set KEY=VALUE]... [--resume] [--fail-fast] [--quiet]"},
    {"check", fw_cmd_check, "check DATA [--target COL] [--test DATA2] [-o DIR]"},
    {"report", fw_cmd_report, "report DIR"},
    {"status", fw_cmd_status, "status DIR"},
    {"compare", fw_cmd_compare, "compare DIR1 DIR2"},
    {"predict", fw_cmd_predict, "predict DIR DATA -o FILE"},
    {"models", fw_cmd_models, "models [NAME]"},
    {"make-data", fw_cmd_make_data,
     "make-data KIND --rows N --features F [--seed S] -o FILE"},
};

static void usage(FILE *f)
{
    fprintf(f, "foldwise %s: fast, distributed, trustworthy model tuning and debugging\n\n"
               "usage:\n",
            FW_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  foldwise %s\n", commands[i].usage);
    fprintf(f, "  foldwise --version | --help\n\n"
               "Runs the same under `mpirun -n N foldwise run ...`, `srun foldwise run ...`\n"
               "and plain `foldwise run ...` (serial, without MPI). See docs/usage.md.\n"
               "Exit codes: 0 done, 1 run failed, 2 bad usage/config/data, 3 stopped by a\n"
               "signal (re-run with --resume), 4 I/O error.\n");
}

int fw_cli_fail(const fw_err *e)
{
    char buf[2048];
    fw_err_format(e, buf, sizeof buf);
    fprintf(stderr, "foldwise: %s\n", buf);
    return fw_status_exit_code(e->code ? e->code : FW_EINVAL);
}

static void keep_cmdline(int argc, char **argv)
{
    fw_sb b;
    fw_sb_init(&b);
    for (int i = 0; i < argc; i++) {
        fw_sb_append(&b, i ? " " : "");
        fw_sb_append(&b, argv[i]);
    }
    fw_cli_cmdline = fw_sb_take(&b);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* a singular matrix is a failed fit, not abort() */
    signal(SIGXFSZ, SIG_IGN);    /* a file-size limit is an I/O error (exit 4), not death */
    fw_blas_init();
    keep_cmdline(argc, argv);
    int rc = 2;
    if (argc < 2) {
        usage(stderr);
    } else if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("foldwise %s\n", FW_VERSION);
        rc = 0;
    } else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        rc = 0;
    } else {
        const command *c = NULL;
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (!strcmp(argv[1], commands[i].name))
                c = &commands[i];
        if (c) {
            rc = c->fn(argc - 1, argv + 1);
        } else {
            const char *names[16];
            size_t n = sizeof commands / sizeof *commands;
            for (size_t i = 0; i < n; i++)
                names[i] = commands[i].name;
            const char *s = fw_suggest(argv[1], names, n);
            fprintf(stderr, "foldwise: unknown command '%s'%s%s%s; see foldwise --help\n",
                    argv[1], s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        }
    }
    free(fw_cli_cmdline);
    return rc;
}
