/* split_tool.c: prints the folds of one splitter, for the parity script.
 *
 *   split_tool KIND [k=N] [repeats=N] [shuffle=0|1] [test_size=X] [gap=N]
 *              [max_train=N] [seed=N] [key=cv.inner] [task=regression] < input
 *
 * Input: a header naming the columns present (any of y, group, time, fold,
 * in any order), then one line per dataset row with those values (y a class
 * code 0..C-1, or a number with task=regression; group a code >= 0; time a
 * number; fold an integer >= -1). An optional last line `rows: i j ...`
 * lists the rows to split, in that order (nested CV); otherwise all rows.
 *
 * Output: per fold, `train: i i i` then `test: i i i` (dataset rows). On a
 * splitter error: the message on stderr and exit status 2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/split.h"

enum { COL_Y, COL_GROUP, COL_TIME, COL_FOLD, N_COLS };
static const char *const col_names[N_COLS] = {"y", "group", "time", "fold"};

typedef struct input {
    size_t n, cap, n_rows;
    double *v[N_COLS];   /* per column, per row */
    int present[N_COLS];
    int order[N_COLS];   /* column of the header's i-th field */
    int n_fields;
    size_t *rows;
} input;

static int parse_header(input *d, char *line)
{
    for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
        int c = 0;
        while (c < N_COLS && strcmp(tok, col_names[c]) != 0)
            c++;
        if (c == N_COLS || d->n_fields == N_COLS) {
            fprintf(stderr, "split_tool: unknown column '%s'\n", tok);
            return 1;
        }
        d->present[c] = 1;
        d->order[d->n_fields++] = c;
    }
    return 0;
}

static int parse_rows_line(input *d, char *line)
{
    size_t cap = 16;
    d->rows = malloc(cap * sizeof *d->rows);
    for (char *tok = strtok(line + 5, " \t\r\n"); d->rows && tok; tok = strtok(NULL, " \t\r\n")) {
        if (d->n == cap)
            d->rows = realloc(d->rows, (cap *= 2) * sizeof *d->rows);
        if (d->rows)
            d->rows[d->n++] = (size_t)strtoull(tok, NULL, 10);
    }
    return d->rows ? 0 : 1;
}

static int parse_data(input *d, char *line)
{
    if (d->n_rows == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        for (int c = 0; c < N_COLS; c++)
            if (!(d->v[c] = realloc(d->v[c], d->cap * sizeof(double))))
                return 1;
    }
    char *tok = strtok(line, " \t\r\n");
    for (int i = 0; i < d->n_fields; i++, tok = strtok(NULL, " \t\r\n")) {
        if (!tok) {
            fprintf(stderr, "split_tool: row %zu has too few fields\n", d->n_rows);
            return 1;
        }
        d->v[d->order[i]][d->n_rows] = strtod(tok, NULL);
    }
    d->n_rows++;
    return 0;
}

static int read_input(input *d)
{
    char line[1 << 16];
    int header = 1;
    while (fgets(line, sizeof line, stdin)) {
        int rc = header ? parse_header(d, line)
                 : strncmp(line, "rows:", 5) == 0 ? parse_rows_line(d, line)
                                                  : parse_data(d, line);
        if (rc)
            return rc;
        header = 0;
    }
    return 0;
}

static int set_option(fw_split_spec *s, uint64_t *seed, int *regression, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return 1;
    size_t kl = (size_t)(eq - arg);
    const char *v = eq + 1;
#define IS(name) (kl == strlen(name) && strncmp(arg, name, kl) == 0)
    if (IS("k")) s->k = atoi(v);
    else if (IS("repeats")) s->repeats = atoi(v);
    else if (IS("shuffle")) s->shuffle = atoi(v);
    else if (IS("test_size")) s->test_size = strtod(v, NULL);
    else if (IS("gap")) s->gap = atoi(v);
    else if (IS("max_train")) s->max_train = atol(v);
    else if (IS("seed")) *seed = strtoull(v, NULL, 10);
    else if (IS("key")) snprintf(s->key, sizeof s->key, "%s", v);
    else if (IS("task")) *regression = strcmp(v, "regression") == 0;
    else return 1;
#undef IS
    return 0;
}

static void print_set(const char *label, const size_t *a, size_t n)
{
    fputs(label, stdout);
    for (size_t i = 0; i < n; i++)
        printf(" %zu", a[i]);
    putchar('\n');
}

/* Fill the splitter's input from the parsed columns; int copies are owned
 * by the caller (group, fold). */
static void make_input(const input *d, int regression, fw_split_input *in, int32_t *group,
                       int32_t *fold)
{
    *in = (fw_split_input){.n = d->rows ? d->n : d->n_rows, .rows = d->rows};
    double ymax = -1, gmax = -1;
    for (size_t i = 0; i < d->n_rows; i++) {
        if (d->present[COL_Y] && d->v[COL_Y][i] > ymax)
            ymax = d->v[COL_Y][i];
        if (d->present[COL_GROUP] && d->v[COL_GROUP][i] > gmax)
            gmax = d->v[COL_GROUP][i];
        if (group)
            group[i] = (int32_t)d->v[COL_GROUP][i];
        if (fold)
            fold[i] = (int32_t)d->v[COL_FOLD][i];
    }
    if (d->present[COL_Y]) {
        in->y = d->v[COL_Y];
        in->n_classes = regression ? 0 : (size_t)(ymax + 1);
    }
    in->group = group;
    in->n_groups = group ? (size_t)(gmax + 1) : 0;
    in->time = d->present[COL_TIME] ? d->v[COL_TIME] : NULL;
    in->fold = fold;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: split_tool KIND [key=value]... < input\n");
        return 2;
    }
    fw_split_spec spec = {.shuffle = -1, .test_size = NAN};
    snprintf(spec.kind, sizeof spec.kind, "%s", argv[1]);
    uint64_t seed = 0;
    int regression = 0;
    for (int i = 2; i < argc; i++)
        if (set_option(&spec, &seed, &regression, argv[i])) {
            fprintf(stderr, "split_tool: bad option '%s'\n", argv[i]);
            return 2;
        }
    input d = {0};
    if (read_input(&d))
        return 2;
    int32_t *group = d.present[COL_GROUP] ? malloc((d.n_rows + 1) * sizeof *group) : NULL;
    int32_t *fold = d.present[COL_FOLD] ? malloc((d.n_rows + 1) * sizeof *fold) : NULL;
    fw_split_input in;
    make_input(&d, regression, &in, group, fold);
    fw_splits out;
    fw_err e = {0};
    int rc = fw_split_make(&spec, &in, seed, &out, &e);
    if (rc) {
        fprintf(stderr, "split_tool: %s\n", e.msg);
    } else {
        for (size_t f = 0; f < out.n_folds; f++) {
            print_set("train:", out.folds[f].train, out.folds[f].n_train);
            print_set("test:", out.folds[f].test, out.folds[f].n_test);
        }
    }
    fw_splits_free(&out);
    for (int c = 0; c < N_COLS; c++)
        free(d.v[c]);
    free(d.rows);
    free(group);
    free(fold);
    return rc ? 2 : 0;
}
