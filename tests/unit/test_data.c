/* test_data.c: readers (CSV, LIBSVM, ARFF, HDF5), column typing, roles,
 * task inference, packing, synthetic data. Inputs are small inline files
 * (HDF5 ones written with the HDF5 C API here); errors are checked for
 * their code, line and column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

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


/* Load with options; the common case of the new readers' tests. */
static int load_opts(const char *path, const char *format, const char *target,
                     const char *groups, fw_dataset **d, fw_err *e)
{
    fw_data_opts o = {0};
    o.path = (char *)path;
    o.format = (char *)format;
    o.target = (char *)target;
    o.groups = (char *)groups;
    return fw_dataset_load(&o, d, e);
}

/* ---- CSV: fast path and hostile input ---------------------------------- */

static void csv_fast_path_matches_general(void)
{
    /* Numbers the fast path takes, and ones it must leave to the general
     * path: quoted, blanks, missing tokens, CR LF ends, a last line without
     * a line end. */
    const char *p = write_tmp("fp.csv", "a,b,c,y\r\n"
                                        "1.5,\" 2 \",NA,0\r\n"
                                        " 3 ,-4e-2,,1\r\n"
                                        "5,6,7,0\r\n"
                                        "+8,.5,9.,1");
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    CHECK_EQ_INT(d->n_rows, 4);
    const double *a = fw_dataset_col(d, 0), *b = fw_dataset_col(d, 1), *c = fw_dataset_col(d, 2);
    CHECK(a[0] == 1.5 && a[1] == 3 && a[2] == 5 && a[3] == 8);
    CHECK(b[0] == 2 && b[1] == -4e-2 && b[2] == 6 && b[3] == 0.5);
    CHECK(isnan(c[0]) && isnan(c[1]) && c[2] == 7 && c[3] == 9);
    fw_dataset_free(d);
    /* A user missing token that looks like a number wins over the number. */
    fw_data_opts o = {0};
    char *miss[] = {"-999"};
    o.path = (char *)write_tmp("m9.csv", "a,y\n1,0\n-999,1\n-9990,0\n");
    o.target = "y";
    o.missing = miss;
    o.n_missing = 1;
    CHECK_OK(fw_dataset_load(&o, &d, &e), &e);
    CHECK(fw_dataset_col(d, 0)[0] == 1 && isnan(fw_dataset_col(d, 0)[1]));
    CHECK(fw_dataset_col(d, 0)[2] == -9990);
    fw_dataset_free(d);
}

static void csv_hostile_inputs(void)
{
    fw_dataset *d;
    fw_err e;
    const char *p = write_tmp("nul.csv", "a,y\n1,0\n");
    FILE *f = fopen(p, "ab");
    CHECK(f);
    fwrite("2\0,1\n", 1, 5, f);
    fclose(f);
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3 && e.col == 2);
    CHECK(strstr(e.msg, "NUL"));
    p = write_tmp("u8.csv", "a,y\n1,0\ncaf\xe9,1\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3 && e.col == 4);
    CHECK(strstr(e.msg, "UTF-8"));
    p = write_tmp("u8ok.csv", "a,y\ncaf\xc3\xa9,1\nth\xc3\xa9,0\n");
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    fw_dataset_free(d);
    p = write_tmp("cr.csv", "a,y\r1,0\r2,1\r");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 1 && strstr(e.msg, "carriage"));
    p = write_tmp("h.csv", "a,b,y\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 2 && strstr(e.msg, "no data"));
    p = write_tmp("qe.csv", "a,y\n1,0\n2,\"");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 3 && e.col == 3);
    p = write_tmp("dup.csv", "a,b,a,y\n1,2,3,0\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.col == 5 && strstr(e.msg, "columns 1 and 3"));
    p = write_tmp("many.csv", "a,y\n1,0,5\n");
    CHECK(load_csv(p, "y", &d, &e) == FW_EINVAL && e.line == 2 && strstr(e.msg, "3 fields"));
}

static void csv_many_columns(void)
{
    /* 50,000 columns and 3 rows: linear work (hashed duplicate check). */
    const size_t nc = 50000;
    char *text = malloc(nc * 24 + 64);
    CHECK(text);
    size_t k = 0;
    for (size_t j = 0; j < nc; j++)
        k += (size_t)sprintf(text + k, "c%zu,", j);
    k += (size_t)sprintf(text + k, "y\n");
    for (int r = 0; r < 3; r++) {
        for (size_t j = 0; j < nc; j++)
            k += (size_t)sprintf(text + k, "%d,", r);
        k += (size_t)sprintf(text + k, "%d\n", r % 2);
    }
    const char *p = write_tmp("wide.csv", text);
    free(text);
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    CHECK_EQ_INT(d->n_features, nc);
    CHECK(fw_dataset_col(d, nc - 1)[2] == 2.0);
    fw_dataset_free(d);
}

static void parse_prefix(void)
{
    const char *s = "12.5e3,x";
    double v;
    const char *q = fw_parse_prefix(s, s + strlen(s), &v);
    CHECK(q == s + 6 && v == 12500);
    s = "1e,";
    q = fw_parse_prefix(s, s + 3, &v);
    CHECK(q == s + 1 && v == 1);
    s = "-.x";
    CHECK(fw_parse_prefix(s, s + 3, &v) == NULL);
}

/* ---- LIBSVM --------------------------------------------------------------- */

static void libsvm_basic(void)
{
    const char *p = write_tmp("a.libsvm", "# header comment\n"
                                          "+1 1:0.5 3:-2 # trailing\n"
                                          "\n"
                                          "-1 qid:7 2:1e-3\r\n"
                                          "+1\t1:1\t4:4\n");
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_opts(p, NULL, NULL, NULL, &d, &e), &e);
    CHECK_EQ_INT(d->n_rows, 3);
    CHECK_EQ_INT(d->n_features, 4);
    CHECK(strcmp(d->cols[0].name, "f1") == 0 && strcmp(d->cols[3].name, "f4") == 0);
    CHECK(strcmp(d->target_name, "label") == 0);
    CHECK(d->task == FW_TASK_CLASSIFICATION && d->n_classes == 2);
    CHECK(strcmp(d->classes[0], "-1") == 0 && strcmp(d->classes[1], "1") == 0);
    CHECK(d->y[0] == 1 && d->y[1] == 0 && d->y[2] == 1);
    CHECK(fw_dataset_col(d, 0)[0] == 0.5 && fw_dataset_col(d, 1)[0] == 0);  /* absent = 0 */
    CHECK(fw_dataset_col(d, 1)[1] == 1e-3 && fw_dataset_col(d, 3)[2] == 4);
    CHECK(d->group == NULL);
    fw_dataset_free(d);
    CHECK_OK(load_opts(fwt_data("heart_scale.libsvm"), NULL, NULL, NULL, &d, &e), &e);
    CHECK_EQ_INT(d->n_rows, 270);
    CHECK_EQ_INT(d->n_features, 13);
    CHECK(fw_dataset_col(d, 0)[0] == 0.708333 && fw_dataset_col(d, 10)[0] == 0);
    CHECK_EQ_INT(d->positive, 1);
    fw_dataset_free(d);
}

static void libsvm_qid_groups(void)
{
    const char *p = write_tmp("q.libsvm", "1 qid:3 1:1\n0 qid:3 2:1\n1 qid:1 1:2\n0 qid:1 2:2\n");
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_opts(p, NULL, NULL, "qid", &d, &e), &e);
    CHECK_EQ_INT(d->n_features, 2);  /* qid is a role, not a feature */
    CHECK(d->group && d->n_groups == 2);
    CHECK(d->group[0] == 1 && d->group[2] == 0);
    fw_dataset_free(d);
    p = write_tmp("q2.libsvm", "1 qid:3 1:1\n0 2:1\n");
    CHECK(load_opts(p, NULL, NULL, "qid", &d, &e) == FW_EINVAL && e.line == 2);
}

static void libsvm_errors(void)
{
    static const struct {
        const char *line;
        long col;
        const char *what;
    } cases[] = {
        {"1 0:1", 3, "index 0"},          {"1 2:1 1:3", 7, "must increase"},
        {"1 2:1 2:3", 7, "duplicate"},    {"1 3:", 3, "no value"},
        {"1 3000000000:1", 3, "too large"}, {"1 2:1e999", 5, "not finite"},
        {"2:1 3:2", 1, "label is missing"}, {"1 abc", 3, "INDEX:VALUE"},
        {"1 x:1", 3, "positive integer"}, {"x 1:2", 1, "not a number"},
        {"1 1:2 qid:1", 7, "qid"},        {"1 -1:2", 3, "positive integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[128];
        snprintf(text, sizeof text, "1 1:1\n%s\n", cases[i].line);
        const char *p = write_tmp("e.libsvm", text);
        fw_dataset *d;
        fw_err e;
        int rc = load_opts(p, NULL, NULL, NULL, &d, &e);
        CHECK_MSG(rc == FW_EINVAL && e.line == 2 && e.col == cases[i].col &&
                      strstr(e.msg, cases[i].what),
                  "'%s': rc %d at %ld:%ld: %s", cases[i].line, rc, e.line, e.col, e.msg);
    }
}

static void libsvm_dense_limit(void)
{
    /* Twenty bytes asking for a 2-billion-column dense table: refused
     * before any allocation. */
    const char *p = write_tmp("big.libsvm", "1 2147483647:1\n0 1:1\n");
    fw_dataset *d;
    fw_err e;
    CHECK(load_opts(p, NULL, NULL, NULL, &d, &e) == FW_EINVAL && strstr(e.msg, "dense"));
}

/* ---- ARFF ----------------------------------------------------------------- */

static const char *ARFF_OK =
    "% a comment\n"
    "@RELATION weather\n"
    "@Attribute outlook {sunny, overcast, 'rainy day', unused}\n"
    "@attribute temp REAL\n"
    "@attribute 'hum idity' numeric\n"
    "@attribute when date \"yyyy-MM-dd HH:mm\"\n"
    "@attribute note string\n"
    "@attribute play {yes, no}\n"
    "@data\n"
    "sunny,85,85,2020-01-01 00:00,'it\\'s hot',no\n"
    "overcast, 83 , ?, 1970-01-02 00:30, \"a,b\", yes % a comment\n"
    "{0 'rainy day', 1 70, 4 x, 5 yes}\n"
    "{1 5, 4 '?'}\n";

static void arff_basic(void)
{
    const char *p = write_tmp("w.arff", ARFF_OK);
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_opts(p, NULL, NULL, NULL, &d, &e), &e);  /* target: the last attribute */
    CHECK_EQ_INT(d->n_rows, 4);
    CHECK_EQ_INT(d->n_features, 5);
    CHECK(strcmp(d->target_name, "play") == 0);
    CHECK(strcmp(d->classes[0], "no") == 0 && strcmp(d->classes[1], "yes") == 0);
    CHECK(d->y[0] == 0 && d->y[1] == 1 && d->y[3] == 1); /* omitted = first declared */
    const fw_column *out = &d->cols[0];
    CHECK(out->categorical && out->n_levels == 3);       /* sorted; 'unused' dropped */
    CHECK(strcmp(out->levels[0], "overcast") == 0 && strcmp(out->levels[1], "rainy day") == 0);
    const double *o = fw_dataset_col(d, 0);
    CHECK(o[0] == 2 && o[1] == 0 && o[2] == 1 && o[3] == 2);
    CHECK(strcmp(d->cols[2].name, "hum idity") == 0);
    CHECK(isnan(fw_dataset_col(d, 2)[1]) && fw_dataset_col(d, 2)[2] == 0);
    CHECK(fw_dataset_col(d, 3)[0] == 1577836800.0 && fw_dataset_col(d, 3)[1] == 88200.0);
    const fw_column *note = &d->cols[4];
    CHECK(note->categorical && note->n_levels == 4);     /* "?" quoted is a value */
    CHECK(strcmp(note->levels[0], "?") == 0 && strcmp(note->levels[2], "it's hot") == 0);
    fw_dataset_free(d);
}

static void arff_errors(void)
{
    static const struct {
        const char *body;
        long line, col;
        const char *what;
    } cases[] = {
        {"@data\n1,z\n", 5, 3, "not a declared value"},
        {"@data\n1\n", 5, 0, "1 value"},
        {"@data\n1,x,3\n", 5, 0, "3 values"},
        {"@data\n'abc,x\n", 5, 1, "unterminated quote"},
        {"1,x\n@data\n", 4, 1, "data before @data"},
        {"@attribute d blob\n@data\n", 4, 14, "unknown attribute type"},
        {"@data\nabc,x\n", 5, 1, "not a number"},
        {"@data\n{0 1, 0 2}\n", 5, 7, "must increase"},
        {"@data\n{1 x\n", 5, 1, "closing '}'"},
        {"@foo\n", 4, 1, "unknown keyword"},
        {"@attribute d date \"MMM dd\"\n@data\n", 4, 19, "not supported"},
        {"@attribute d date\n@data\n1,x,2020-02-30T00:00:00\n", 6, 5, "not a date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[256];
        snprintf(text, sizeof text, "@relation r\n@attribute a numeric\n@attribute c {x,y}\n%s"
                                    "1,y\n", cases[i].body);
        const char *p = write_tmp("e.arff", text);
        fw_dataset *d;
        fw_err e;
        int rc = load_opts(p, NULL, "a", NULL, &d, &e);
        CHECK_MSG(rc == FW_EINVAL && e.line == cases[i].line && e.col == cases[i].col &&
                      strstr(e.msg, cases[i].what),
                  "case %zu: rc %d at %ld:%ld: %s", i, rc, e.line, e.col, e.msg);
    }
}

/* ---- HDF5 ----------------------------------------------------------------- */

static void h5_put(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                   const void *data, hid_t dcpl)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(ds);
    H5Sclose(sp);
}

static const char *h5_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fwt_tmpdir(), name);
    return path;
}

static void hdf5_basic(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *p = h5_path("a.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(f >= 0);
    int16_t X[4][3] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}};
    int64_t y[4] = {1, 0, 1, 0};
    hsize_t xd[2] = {4, 3}, yd[1] = {4}, nd[1] = {3};
    h5_put(f, "X", H5T_NATIVE_INT16, 2, xd, X, H5P_DEFAULT);
    h5_put(f, "y", H5T_NATIVE_INT64, 1, yd, y, H5P_DEFAULT);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, 4);
    char names[3][4] = {"a", "bb", "ccc"};
    h5_put(f, "feature_names", st, 1, nd, names, H5P_DEFAULT);
    H5Tclose(st);
    H5Fclose(f);
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_opts(p, NULL, NULL, NULL, &d, &e), &e);
    CHECK(d->n_rows == 4 && d->n_features == 3 && d->n_classes == 2);
    CHECK(strcmp(d->cols[2].name, "ccc") == 0 && strcmp(d->target_name, "y") == 0);
    CHECK(fw_dataset_col(d, 1)[2] == 7 && fw_dataset_col(d, 2)[3] == 11);
    CHECK(d->y[0] == 1 && d->y[1] == 0);
    fw_dataset_free(d);
}

static void hdf5_group_chunked_vlen(void)
{
    /* Under a group, chunked + shuffle + deflate + fletcher32, float32, a
     * (n, 1) target, variable-length names; 3000 rows so X comes in blocks. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *p = h5_path("g.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "grp", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    enum { N = 3000, P = 2 };
    static float X[N][P];
    static double y[N];
    for (int i = 0; i < N; i++) {
        X[i][0] = (float)i * 0.5f;
        X[i][1] = i % 7 == 0 ? NAN : (float)-i;
        y[i] = i * 0.25;
    }
    hsize_t xd[2] = {N, P}, yd[2] = {N, 1}, cd[2] = {256, P}, nd[1] = {P};
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, cd);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    H5Pset_fletcher32(dcpl);
    h5_put(g, "X", H5T_NATIVE_FLOAT, 2, xd, X, dcpl);
    H5Pclose(dcpl);
    h5_put(g, "target", H5T_NATIVE_DOUBLE, 2, yd, y, H5P_DEFAULT);
    hid_t vt = H5Tcopy(H5T_C_S1);
    H5Tset_size(vt, H5T_VARIABLE);
    const char *names[P] = {"half", "minus"};
    h5_put(g, "feature_names", vt, 1, nd, names, H5P_DEFAULT);
    H5Tclose(vt);
    H5Gclose(g);
    H5Fclose(f);
    fw_data_opts o = {0};
    o.path = (char *)p;
    o.features = "grp/X";
    o.target = "/grp/target";
    fw_dataset *d;
    fw_err e;
    CHECK_OK(fw_dataset_load(&o, &d, &e), &e);
    CHECK(d->n_rows == N && d->n_features == P && d->task == FW_TASK_REGRESSION);
    CHECK(strcmp(d->cols[1].name, "minus") == 0 && strcmp(d->target_name, "target") == 0);
    CHECK(fw_dataset_col(d, 0)[2999] == 1499.5 && isnan(fw_dataset_col(d, 1)[2996]));
    CHECK(fw_dataset_col(d, 1)[2998] == -2998 && d->y[2999] == 749.75);
    fw_dataset_free(d);
}

static void hdf5_refusals(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const char *p = h5_path("r.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    double X[2][2] = {{1, 2}, {3, 4}}, y[3] = {0, 1, 0};
    hsize_t xd[2] = {2, 2}, yd[1] = {2}, y3[1] = {3};
    h5_put(f, "X", H5T_NATIVE_DOUBLE, 2, xd, X, H5P_DEFAULT);
    h5_put(f, "y", H5T_NATIVE_DOUBLE, 1, yd, y, H5P_DEFAULT);
    h5_put(f, "y3", H5T_NATIVE_DOUBLE, 1, y3, y, H5P_DEFAULT);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, 2);
    char s[2][2][2] = {{"a", "b"}, {"c", "d"}};
    h5_put(f, "S", st, 2, xd, s, H5P_DEFAULT);
    H5Tclose(st);
    H5Lcreate_external("elsewhere.h5", "/X", f, "ext", H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    static const struct {
        const char *features, *target, *what;
    } cases[] = {
        {"/S", NULL, "/S holds strings"},
        {"/ext", NULL, "/ext is an external link"},
        {"/nope", NULL, "/nope does not exist"},
        {NULL, "/y3", "/y3 has 3 rows, but /X has 2"},
        {NULL, "/X", "/X is 2 x 2"},
        {"/", NULL, "root group"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fw_data_opts o = {0};
        o.path = (char *)p;
        o.features = (char *)cases[i].features;
        o.target = (char *)cases[i].target;
        fw_dataset *d;
        fw_err e;
        int rc = fw_dataset_load(&o, &d, &e);
        CHECK_MSG(rc == FW_EINVAL && strstr(e.msg, cases[i].what) && strcmp(e.file, p) == 0,
                  "case %zu: rc %d: %s", i, rc, e.msg);
    }
    fw_dataset *d;
    fw_err e;
    const char *t = write_tmp("text.h5", "not hdf5 at all\n");
    CHECK(load_opts(t, NULL, NULL, NULL, &d, &e) == FW_EINVAL && strstr(e.msg, "not an HDF5"));
}

/* ---- synthetic data ------------------------------------------------------- */

static void synth_classification(void)
{
    fw_synth_opts so;
    fw_synth_opts_init(&so);
    so.rows = 500;
    so.features = 8;
    so.classes = 3;
    so.seed = 7;
    fw_err e;
    const char *dir = fwt_tmpdir();
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/a.csv", dir);
    snprintf(p2, sizeof p2, "%s/b.csv", dir);
    snprintf(p3, sizeof p3, "%s/c.csv", dir);
    CHECK_OK(fw_synth_write(&so, p1, &e), &e);
    CHECK_OK(fw_synth_write(&so, p2, &e), &e);
    so.seed = 8;
    CHECK_OK(fw_synth_write(&so, p3, &e), &e);
    char *a, *b, *c;
    size_t na, nb, nc;
    CHECK_OK(fw_read_file(p1, 1 << 24, &a, &na, &e), &e);
    CHECK_OK(fw_read_file(p2, 1 << 24, &b, &nb, &e), &e);
    CHECK_OK(fw_read_file(p3, 1 << 24, &c, &nc, &e), &e);
    int same = na == nb && memcmp(a, b, na) == 0, differ = na != nc || memcmp(a, c, na) != 0;
    free(a);
    free(b);
    free(c);
    CHECK(same && differ);
    fw_dataset *d;
    CHECK_OK(load_csv(p1, "y", &d, &e), &e);
    CHECK(d->n_rows == 500 && d->n_features == 8 && d->n_classes == 3);
    CHECK(strcmp(d->cols[7].name, "x7") == 0);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < d->n_rows; i++)
        count[(int)d->y[i]]++;
    CHECK(count[0] > 140 && count[1] > 140 && count[2] > 140);  /* balanced up to flips */
    /* x2 (redundant: informative 2, redundant 1) is a combination of x0, x1. */
    fw_dataset_free(d);
}

static void synth_regression_and_errors(void)
{
    fw_synth_opts so;
    fw_synth_opts_init(&so);
    so.kind = "regression";
    so.rows = 300;
    so.features = 4;
    so.informative = 2;
    so.noise = 0;
    fw_err e;
    char p[512];
    snprintf(p, sizeof p, "%s/r.csv", fwt_tmpdir());
    CHECK_OK(fw_synth_write(&so, p, &e), &e);
    fw_dataset *d;
    CHECK_OK(load_csv(p, "y", &d, &e), &e);
    CHECK(d->task == FW_TASK_REGRESSION && d->n_features == 4);
    fw_dataset_free(d);
    so.kind = "clustering";
    CHECK(fw_synth_write(&so, p, &e) == FW_EINVAL && strstr(e.msg, "clustering"));
    so.kind = "classification";
    so.informative = 5;
    CHECK(fw_synth_write(&so, p, &e) == FW_EINVAL && strstr(e.msg, "informative"));
    so.informative = 1;
    so.classes = 3;
    CHECK(fw_synth_write(&so, p, &e) == FW_EINVAL);
    CHECK(fw_synth_write(&so, "/nonexistent/dir/x.csv", &e) != FW_OK);
}

FW_TEST_MAIN(T(csv_breast_cancer), T(csv_quoting_crlf_bom), T(csv_typo_is_error),
             T(csv_errors_have_positions), T(task_inference), T(penguins_missing_and_strings),
             T(pack_view_roundtrip), T(fast_parse_exact), T(csv_fast_path_matches_general),
             T(csv_hostile_inputs), T(csv_many_columns), T(parse_prefix), T(libsvm_basic),
             T(libsvm_qid_groups), T(libsvm_errors), T(libsvm_dense_limit), T(arff_basic),
             T(arff_errors), T(hdf5_basic), T(hdf5_group_chunked_vlen), T(hdf5_refusals),
             T(synth_classification), T(synth_regression_and_errors))
