/* metric_tool.c: scores predictions read from stdin with foldwise's metrics,
 * for tests/parity/metrics_parity.py.
 *
 *   metric_tool NAME... < input
 *
 * Input (whitespace separated numbers):
 *   n n_classes is_proba positive has_weight
 *   then n rows: y_true y_pred score_0 .. score_{n_classes-1} [weight]
 * (regression: n_classes 0, no scores). For each NAME, one line:
 *   NAME VALUE WARNBITS          (VALUE with %.17g)
 *   NAME ERROR message           (the metric refused the input)
 * NAME may also be a curve on the positive class's score column:
 *   roc_curve | pr_curve | calibration_curve:BINS
 * printed as "NAME N" and then N lines "x y thr".
 * Exit status: 0, or 1 when the input is malformed or any NAME failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/metrics.h"

typedef struct tool_input {
    fw_metric_input in;
    double *y_true, *y_pred, *score, *weight, *pos_score;
} tool_input;

static void tool_input_free(tool_input *t)
{
    free(t->y_true);
    free(t->y_pred);
    free(t->score);
    free(t->weight);
    free(t->pos_score);
}

static int read_input(FILE *f, tool_input *t)
{
    size_t n, k;
    int is_proba, positive, has_w;
    memset(t, 0, sizeof *t);
    if (fscanf(f, "%zu %zu %d %d %d", &n, &k, &is_proba, &positive, &has_w) != 5 || n == 0)
        return -1;
    t->y_true = malloc(n * sizeof(double));
    t->y_pred = malloc(n * sizeof(double));
    t->score = k ? malloc(n * k * sizeof(double)) : NULL;
    t->pos_score = malloc(n * sizeof(double));
    t->weight = has_w ? malloc(n * sizeof(double)) : NULL;
    if (!t->y_true || !t->y_pred || (k && !t->score) || !t->pos_score || (has_w && !t->weight))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (fscanf(f, "%lf %lf", &t->y_true[i], &t->y_pred[i]) != 2)
            return -1;
        for (size_t j = 0; j < k; j++)
            if (fscanf(f, "%lf", &t->score[i * k + j]) != 1)
                return -1;
        if (has_w && fscanf(f, "%lf", &t->weight[i]) != 1)
            return -1;
        t->pos_score[i] = k && positive >= 0 && (size_t)positive < k ? t->score[i * k + positive]
                                                                     : 0;
    }
    t->in = (fw_metric_input){.n = n, .y_true = t->y_true, .y_pred = t->y_pred,
                              .score = t->score, .is_proba = is_proba, .n_classes = k,
                              .positive = positive, .weight = t->weight};
    return 0;
}

static int print_curve(const char *name, const tool_input *t)
{
    fw_curve c = {0};
    fw_err e = {0};
    const fw_metric_input *in = &t->in;
    int rc;
    if (strcmp(name, "roc_curve") == 0)
        rc = fw_roc_curve(in->y_true, t->pos_score, in->weight, in->n, in->positive, &c, &e);
    else if (strcmp(name, "pr_curve") == 0)
        rc = fw_pr_curve(in->y_true, t->pos_score, in->weight, in->n, in->positive, &c, &e);
    else
        rc = fw_calibration_curve(in->y_true, t->pos_score, in->n, in->positive,
                                  atoi(name + strlen("calibration_curve:")), &c, &e);
    if (rc) {
        printf("%s ERROR %s\n", name, e.msg);
        return 1;
    }
    printf("%s %zu\n", name, c.n);
    for (size_t i = 0; i < c.n; i++)
        printf("%.17g %.17g %.17g\n", c.x[i], c.y[i], c.thr[i]);
    fw_curve_free(&c);
    return 0;
}

int main(int argc, char **argv)
{
    tool_input t;
    if (read_input(stdin, &t)) {
        fprintf(stderr, "metric_tool: malformed input (see the header comment)\n");
        tool_input_free(&t);
        return 1;
    }
    int failed = 0;
    for (int a = 1; a < argc; a++) {
        const char *name = argv[a];
        if (strcmp(name, "roc_curve") == 0 || strcmp(name, "pr_curve") == 0 ||
            strncmp(name, "calibration_curve:", 18) == 0) {
            failed |= print_curve(name, &t);
            continue;
        }
        double v;
        unsigned warn;
        fw_err e = {0};
        if (fw_metric_eval(name, &t.in, &v, &warn, &e)) {
            printf("%s ERROR %s\n", name, e.msg);
            failed = 1;
        } else
            printf("%s %.17g %u\n", name, v, warn);
    }
    tool_input_free(&t);
    return failed;
}
