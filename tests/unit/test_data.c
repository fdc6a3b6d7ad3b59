/* test_data.c: readers, column typing, roles, task inference, packing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foldwise/data.h"
#include "harness.h"

static const char *write_tmp(const char *name, const char *text)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", fwt_tmpdir(), name);
    FILE *f = fopen(path[k], "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path[k];
}

static int load_csv(const char *path, const char *target, fw_dataset **d, fw_err *e)
{
    fw_data_opts o = {0};
    o.path = (char *)path;
    o.target = (char *)target;
    return fw_dataset_load(&o, d, e);
}

static void csv_breast_cancer(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(fwt_data("breast_cancer.csv"), "diagnosis", &d, &e), &e);
    CHECK_EQ_INT(d->n_rows, 569);
    CHECK_EQ_INT(d->n_features, 30);
    CHECK_EQ_INT(d->task, FW_TASK_CLASSIFICATION);
    CHECK_EQ_INT(d->n_classes, 2);
    CHECK(strcmp(d->classes[0], "benign") == 0 && strcmp(d->classes[1], "malignant") == 0);
    CHECK_EQ_INT(d->positive, 1);
    size_t mal = 0;
    for (size_t i = 0; i < d->n_rows; i++)
        mal += d->y[i] == 1.0;
    CHECK_EQ_INT(mal, 212);
    CHECK(fw_dataset_col(d, 0)[0] == 17.99); /* first cell, exact parse */
    CHECK(strcmp(d->cols[29].name, "worst_fractal_dimension") == 0);
    fw_dataset_free(d);
}

static void csv_quoting_crlf_bom(void)
{
    const char *p = write_tmp("q.csv", "\xEF\xBB\xBF" "a;\"b;x\";y\r\n"
                                       "p,5;\"he said \"\"hi\"\"\";u\r\n"
                                       "\r\n"
                                       "q;\"multi\nline\";v\r\n"
                                       "3;plain;u\r\n");
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    CHECK_EQ_INT(d->n_rows, 3);
    CHECK_EQ_INT(d->n_features, 2);
    CHECK(strcmp(d->cols[1].name, "b;x") == 0);
    CHECK(d->cols[0].categorical);          /* "p,5", q, 3: mostly strings */
    CHECK(d->cols[1].categorical);
    CHECK_EQ_INT(d->cols[1].n_levels, 3);
    CHECK(strcmp(d->cols[1].levels[0], "he said \"hi\"") == 0);
    CHECK(strcmp(d->cols[1].levels[1], "multi\nline") == 0);
    fw_dataset_free(d);
}

static void csv_typo_is_error(void)
{
    const char *p = write_tmp("t.csv", "x,y\n1,0\n2,1\n12abc,0\n4,1\n5,0\n");
    fw_dataset *d;
    fw_err e;
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL);
    CHECK(d == NULL);
    CHECK_EQ_INT(e.line, 4);
    CHECK_EQ_INT(e.col, 1);
    CHECK(strstr(e.msg, "12abc") && strstr(e.msg, "'x'"));
    /* Declared categorical: fine, and numeric-looking cells become levels. */
    fw_data_opts o = {0};
    char *cat[] = {"x"};
    o.path = (char *)p;
    o.target = "y";
    o.categorical = cat;
    o.n_categorical = 1;
    CHECK_OK(fw_dataset_load(&o, &d, &e), &e);
    CHECK(d->cols[0].categorical && d->cols[0].n_levels == 5);
    fw_dataset_free(d);
}

static void csv_errors_have_positions(void)
{
    fw_dataset *d;
    fw_err e;
    const char *p = write_tmp("f.csv", "a,b,y\n1,2,0\n1,2\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3);
    p = write_tmp("u.csv", "a,y\n1,0\n\"open,1\n2,0\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3 && e.col == 1);
    p = write_tmp("i.csv", "a,y\n1,0\ninf,1\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3);
    p = write_tmp("m.csv", "a,y\n1,0\n2,\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3);
    p = write_tmp("s.csv", "a,y\n1,0\n2,1\n");
    CHECK(load_csv(p, "z", &d, &e) == FW_EINVAL && strstr(e.msg, "'z'"));
    CHECK(load_csv(p, "yy", &d, &e) == FW_EINVAL && strstr(e.msg, "did you mean 'y'"));
    CHECK(load_csv("/nonexistent/x.csv", "y", &d, &e) == FW_EINVAL);
}

static void task_inference(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(fwt_data("diabetes.csv"), "progression", &d, &e), &e);
    CHECK_EQ_INT(d->task, FW_TASK_REGRESSION); /* integers, > 20 distinct values */
    fw_dataset_free(d);
    CHECK_OK(load_csv(fwt_data("digits.csv"), "digit", &d, &e), &e);
    CHECK_EQ_INT(d->task, FW_TASK_CLASSIFICATION);
    CHECK_EQ_INT(d->n_classes, 10);
    CHECK(strcmp(d->classes[9], "9") == 0);
    fw_dataset_free(d);
    const char *p = write_tmp("n.csv", "a,y\n1,10\n2,-1\n3,2\n4,10\n");
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    CHECK(strcmp(d->classes[0], "-1") == 0 && strcmp(d->classes[2], "10") == 0);
    CHECK(d->y[0] == 2.0 && d->y[1] == 0.0);
    fw_dataset_free(d);
}

static void penguins_missing_and_strings(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(fwt_data("penguins.csv"), "species", &d, &e), &e);
    CHECK_EQ_INT(d->n_classes, 3);
    long sex = fw_dataset_find_col(d, "sex"), island = fw_dataset_find_col(d, "island");
    CHECK(sex >= 0 && island >= 0);
    CHECK(d->cols[sex].categorical && d->cols[island].categorical);
    size_t nan = 0;
    for (size_t i = 0; i < d->n_rows; i++)
        nan += isnan(fw_dataset_col(d, (size_t)sex)[i]);
    CHECK(nan > 0);
    fw_dataset_free(d);
}

static void pack_view_roundtrip(void)
{
    fw_dataset *d, *v;
    fw_err e;
    CHECK_OK(load_csv(fwt_data("penguins.csv"), "species", &d, &e), &e);
    size_t n = fw_dataset_packed_size(d);
    void *blk = malloc(n);
    CHECK(blk);
    fw_dataset_pack(d, blk);
    CHECK_OK(fw_dataset_view(blk, n, &v, &e), &e);
    CHECK(v->n_rows == d->n_rows && v->n_features == d->n_features && v->hash == d->hash);
    CHECK(memcmp(v->X, d->X, d->n_rows * d->n_features * sizeof(double)) == 0);
    CHECK(strcmp(v->classes[2], d->classes[2]) == 0);
    CHECK(strcmp(v->cols[0].name, d->cols[0].name) == 0);
    long isl = fw_dataset_find_col(v, "island");
    CHECK(isl >= 0 && v->cols[isl].n_levels == d->cols[isl].n_levels);
    CHECK(strcmp(v->cols[isl].levels[0], d->cols[isl].levels[0]) == 0);
    fw_dataset_free(v);
    ((char *)blk)[0] ^= 1;
    CHECK(fw_dataset_view(blk, n, &v, &e) == FW_EINVAL);
    free(blk);
    fw_dataset_free(d);
}

static void fast_parse_exact(void)
{
    const char *cases[] = {"0.1", "17.99", "-3e-4", "1e22", "123456789012345678", "0.000001",
                           "2.2250738585072014e-308", "9007199254740993", "1.7976931348623157e308",
                           " 42 ", "+5", ".5", "5."};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v;
        CHECK(fw_parse_double(cases[i], strlen(cases[i]), &v));
        CHECK_MSG(v == strtod(cases[i], NULL), "%s", cases[i]);
    }
    double v;
    CHECK(!fw_parse_double("12abc", 5, &v));
    CHECK(!fw_parse_double("0x10", 4, &v));
    CHECK(!fw_parse_double("e5", 2, &v));
    CHECK(!fw_parse_double("1e", 2, &v));
}

FW_TEST_MAIN(T(csv_breast_cancer), T(csv_quoting_crlf_bom), T(csv_typo_is_error),
             T(csv_errors_have_positions), T(task_inference), T(penguins_missing_and_strings),
             T(pack_view_roundtrip), T(fast_parse_exact))
