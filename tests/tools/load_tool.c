/* load_tool.c: load one data file through the data layer and report, for the
 * malformed-input corpus (tests/integration/malformed.sh), the reader parity
 * script and benchmarks.
 *
 *   load_tool [--format F] [--target T] [--features P] [--groups G]
 *             [--categorical C1,C2] [--dump] [--time] FILE
 *
 * On success prints `rows N features P task T classes K`; --dump then adds
 * one line per feature column `col NAME v0 v1 ...` (%.17g, nan for missing;
 * level codes for categorical columns), and `y v0 v1 ...`; --time prints
 * `load_s SECONDS` (wall time of fw_dataset_load). On failure prints the
 * error like the CLI does (`foldwise: FILE:LINE:COL: message`) and exits
 * with the CLI's exit code (2 for bad input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"

static char **split_list(char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap, sizeof *out);
    *n = 0;
    for (char *tok = strtok(s, ","); out && tok; tok = strtok(NULL, ","))
        out[(*n)++] = tok;
    return out;
}

static void dump(const fw_dataset *d)
{
    for (size_t j = 0; j < d->n_features; j++) {
        printf("col %s", d->cols[j].name);
        const double *c = fw_dataset_col(d, j);
        for (size_t i = 0; i < d->n_rows; i++)
            printf(" %.17g", c[i]);
        printf("\n");
    }
    printf("y");
    for (size_t i = 0; i < d->n_rows; i++)
        printf(" %.17g", d->y[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    fw_data_opts o = {0};
    int want_dump = 0, want_time = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--format") && more)
            o.format = argv[++i];
        else if (!strcmp(a, "--target") && more)
            o.target = argv[++i];
        else if (!strcmp(a, "--features") && more)
            o.features = argv[++i];
        else if (!strcmp(a, "--groups") && more)
            o.groups = argv[++i];
        else if (!strcmp(a, "--categorical") && more)
            o.categorical = split_list(argv[++i], &o.n_categorical);
        else if (!strcmp(a, "--dump"))
            want_dump = 1;
        else if (!strcmp(a, "--time"))
            want_time = 1;
        else if (a[0] != '-' && !o.path)
            o.path = argv[i];
        else {
            fprintf(stderr, "usage: load_tool [--format F] [--target T] [--features P] "
                            "[--groups G] [--categorical C,..] [--dump] [--time] FILE\n");
            return 2;
        }
    }
    fw_dataset *d;
    fw_err e = {0};
    double t0 = fw_now();
    int rc = o.path ? fw_dataset_load(&o, &d, &e) : fw_err_set(&e, FW_EINVAL, "no FILE given");
    double dt = fw_now() - t0;
    free(o.categorical);
    if (rc) {
        char buf[2048];
        fw_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "foldwise: %s\n", buf);
        return fw_status_exit_code(rc);
    }
    printf("rows %zu features %zu task %s classes %zu\n", d->n_rows, d->n_features,
           d->task == FW_TASK_CLASSIFICATION ? "classification" : "regression", d->n_classes);
    if (want_time)
        printf("load_s %.3f\n", dt);
    if (want_dump)
        dump(d);
    fw_dataset_free(d);
    return 0;
}
