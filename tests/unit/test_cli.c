/* test_cli.c: the config loader: the schema, errors with positions and
 * suggestions, --set overrides, and the guards against hostile YAML. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_int.h"
#include "harness.h"

static const char *write_cfg(const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/c.yaml", fwt_tmpdir());
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

#define BASE "data: {path: tests/data/iris.csv, target: species}\n"
#define MODELS "models:\n  - name: dummy\n"

static int load(const char *text, char **sets, size_t n, fw_config *c, fw_err *e)
{
    int rc = fw_config_load(write_cfg(text), sets, n, c, e);
    return rc;
}

static void loads_contract_keys(void)
{
    fw_config c;
    fw_err e;
    CHECK_OK(load("name: t\nseed: 42\n" BASE
                  "preprocess: {impute: median, scale: standard, encode: onehot}\n"
                  "cv:\n  outer: {kind: stratified_kfold, k: 5, shuffle: true, repeats: 2}\n"
                  "  inner: {kind: kfold, k: 3}\n"
                  "metrics: [accuracy, f1_macro]\nrefit: one_se\n"
                  "search: {strategy: grid, max_grid: 50}\n" MODELS
                  "    params: {strategy: [prior, most_frequent]}\n"
                  "output: {dir: /tmp/x, progress_s: 0, predictions: all}\n"
                  "limits: {task_timeout_s: 5}\n",
                  NULL, 0, &c, &e),
             &e);
    CHECK(strcmp(c.name, "t") == 0 && c.seed == 42);
    CHECK(c.prep.scale == FW_SCALE_STANDARD && c.prep.impute == FW_IMPUTE_MEDIAN);
    CHECK(strcmp(c.outer.kind, "stratified_kfold") == 0 && c.outer.k == 5 && c.outer.repeats == 2);
    CHECK(c.has_inner && c.inner.k == 3);
    CHECK(c.n_metrics == 2 && strcmp(c.metrics[1], "f1_macro") == 0);
    CHECK(c.refit == FW_REFIT_ONE_SE && c.search.strategy == FW_SEARCH_GRID);
    CHECK(c.n_spaces == 1 && c.spaces[0].n_dims == 1 && c.spaces[0].model);
    CHECK(c.output.predictions == FW_PRED_ALL && c.limits.task_timeout_s == 5);
    fw_config_free(&c);
}

static void unknown_key_suggests(void)
{
    fw_config c;
    fw_err e;
    CHECK(load(BASE "metrcs: [accuracy]\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "did you mean 'metrics'") && e.line == 2 && e.col == 1, "%s %ld:%ld",
              e.msg, e.line, e.col);
    fw_config_free(&c);
    CHECK(load("data: {path: x.csv, traget: y}\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "data.traget") && strstr(e.msg, "'target'") && e.line == 1,
              "%s", e.msg);
    fw_config_free(&c);
    CHECK(load(BASE "models:\n  - name: dumy\n", NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "dummy") && e.line == 3, "%s line %ld", e.msg, e.line);
    fw_config_free(&c);
}

static void types_and_ranges(void)
{
    fw_config c;
    fw_err e;
    CHECK(load(BASE "cv: {outer: {kind: kfold, k: five}}\n" MODELS, NULL, 0, &c, &e) ==
          FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "cv.outer.k") && e.line == 2, "%s", e.msg);
    fw_config_free(&c);
    CHECK(load(BASE "cv: {outer: {kind: kfold, k: 1}}\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    fw_config_free(&c);
    CHECK(load(BASE "refit: worst\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "refit"));
    fw_config_free(&c);
    CHECK(load(BASE "metrics: [acuracy]\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "accuracy") && e.line == 2, "%s", e.msg);
    fw_config_free(&c);
    CHECK(load(BASE "cv: {outer: {kind: kfold}, inner: {kind: kfold}}\nrefit: none\n" MODELS,
               NULL, 0, &c, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "refit: none"));
    fw_config_free(&c);
    CHECK(load("seed: 1\n" MODELS, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "data"));
    fw_config_free(&c);
}

static void set_overrides(void)
{
    fw_config c;
    fw_err e;
    char *sets[] = {"cv.outer.k=7", "search.trials=9", "models.0.params.strategy=[prior]",
                    "output.dir=/tmp/y"};
    CHECK_OK(load(BASE MODELS, sets, 4, &c, &e), &e);
    CHECK_EQ_INT(c.outer.k, 7);
    CHECK_EQ_INT(c.search.trials, 9);
    CHECK(c.spaces[0].n_dims == 1 && c.spaces[0].dims[0].kind == FW_DIST_CHOICE);
    CHECK(strcmp(c.output.dir, "/tmp/y") == 0);
    CHECK(strstr(c.text, "# --set cv.outer.k=7"));
    fw_config_free(&c);
    char *bad[] = {"cv.outer.kk=3"};
    CHECK(load(BASE MODELS, bad, 1, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "cv.outer.kk") && strcmp(e.file, "--set") == 0, "%s", e.msg);
    fw_config_free(&c);
    char *noeq[] = {"seed"};
    CHECK(load(BASE MODELS, noeq, 1, &c, &e) == FW_EINVAL);
    fw_config_free(&c);
}

/* A stored config text (config.yaml of a run, /config of results.h5)
 * reads back as the run's config: its "# --set" lines are applied again,
 * before new overrides, and the text comes back the same. */
static void stored_sets_reapplied(void)
{
    fw_config c, d;
    fw_err e;
    char *sets[] = {"cv.outer.k=7", "seed=11"};
    CHECK_OK(load("seed: 3\n" BASE MODELS, sets, 2, &c, &e), &e);
    CHECK_OK(fw_config_load_text(c.text, "results.h5", NULL, 0, &d, &e), &e);
    CHECK(d.outer.k == 7 && d.seed == 11);
    CHECK(strcmp(c.text, d.text) == 0);
    fw_config_free(&d);
    char *more[] = {"cv.outer.k=4"};
    CHECK_OK(fw_config_load_text(c.text, "results.h5", more, 1, &d, &e), &e);
    CHECK(d.outer.k == 4 && d.seed == 11);
    CHECK(strstr(d.text, "# --set cv.outer.k=7\n# --set seed=11\n# --set cv.outer.k=4\n"));
    fw_config_free(&d);
    fw_config_free(&c);
    /* no trailing newline in the file: the same text either way */
    char *one[] = {"cv.outer.k=6"};
    CHECK_OK(load(BASE "models: [{name: dummy}]", one, 1, &c, &e), &e);
    CHECK_OK(fw_config_load_text(c.text, "x", NULL, 0, &d, &e), &e);
    CHECK(d.outer.k == 6 && strcmp(c.text, d.text) == 0);
    fw_config_free(&d);
    fw_config_free(&c);
    CHECK(fw_config_load_text("seed: [\n", "results.h5", NULL, 0, &d, &e) == FW_EINVAL);
    CHECK_MSG(strcmp(e.file, "results.h5") == 0, "%s", e.file);
    fw_config_free(&d);
}

static void hostile_yaml(void)
{
    fw_config c;
    fw_err e;
    char deep[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    CHECK(load(deep, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "nesting") || strstr(e.msg, "YAML"), "%s", e.msg);
    fw_config_free(&c);
    const char *laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                         "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                         "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    CHECK(load(laughs, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "aliases") || strstr(e.msg, "expands"), "%s", e.msg);
    fw_config_free(&c);
    CHECK(load("a: &a [*a]\n", NULL, 0, &c, &e) == FW_EINVAL);
    fw_config_free(&c);
    CHECK(load("a: 1\n---\nb: 2\n", NULL, 0, &c, &e) == FW_EINVAL);
    fw_config_free(&c);
    CHECK(load("a: [1, 2\n", NULL, 0, &c, &e) == FW_EINVAL);
    CHECK(e.line >= 1);
    fw_config_free(&c);
    char *big = malloc(FW_YAML_MAX_BYTES + 100);
    memset(big, '#', FW_YAML_MAX_BYTES + 99);
    big[FW_YAML_MAX_BYTES + 99] = '\0';
    CHECK(load(big, NULL, 0, &c, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "larger than"));
    free(big);
    fw_config_free(&c);
}

FW_TEST_MAIN(T(loads_contract_keys), T(unknown_key_suggests), T(types_and_ranges),
             T(set_overrides), T(stored_sets_reapplied), T(hostile_yaml))
