/* test_prep.c: the preprocessing layer on small hand-made data: each
 * imputer, scaler and encoder; fitting on training rows only; unseen levels;
 * constant and empty columns; another dataset at predict time; resampling
 * counts and order (test rows untouched); save/load and damaged input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/exec.h"
#include "foldwise/prep.h"
#include "harness.h"

static int load_text(const char *name, const char *text, fw_dataset **d, fw_err *e)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fwt_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return fw_err_set(e, FW_EIO, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    fw_data_opts o = {0};
    o.path = path;
    o.target = "y";
    return fw_dataset_load(&o, d, e);
}

static fw_prep_spec spec(int impute, int scale, int encode, int resample)
{
    fw_prep_spec s = {impute, scale, encode, resample, 5};
    return s;
}

/* Fit on rows[0..n_fit), transform rows[0..n_all) into a new matrix. */
static double *fit_transform(const fw_prep_spec *s, const fw_dataset *d, const size_t *rows,
                             size_t n_fit, size_t n_all, fw_prep **p, fw_err *e)
{
    if (fw_prep_fit(s, d, rows, n_fit, p, e))
        return NULL;
    double *out = malloc(n_all * fw_prep_n_out(*p) * sizeof *out);
    if (fw_prep_transform(*p, d, rows, n_all, out, e)) {
        free(out);
        fw_prep_free(*p);
        *p = NULL;
        return NULL;
    }
    return out;
}

static const size_t ROWS[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

static void imputers(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("imp.csv", "a,b,y\n1,2,0\nNA,1,1\n3,2,0\n3,1,1\n10,NA,0\n", &d, &e), &e);
    const double want_a[] = {4.25, 3.0, 3.0}, want_b[] = {1.5, 1.5, 1.0};
    for (int m = FW_IMPUTE_MEAN; m <= FW_IMPUTE_MOST_FREQUENT; m++) {
        fw_prep_spec s = spec(m, FW_SCALE_NONE, FW_ENCODE_ONEHOT, 0);
        fw_prep *p;
        double *X = fit_transform(&s, d, ROWS, 5, 5, &p, &e);
        CHECK_MSG(X, "impute %d: %s", m, e.msg);
        CHECK_NEAR(X[1], want_a[m - 1], 1e-15);       /* a, row 1 */
        CHECK_NEAR(X[5 + 4], want_b[m - 1], 1e-15);   /* b, row 4: ties -> smallest */
        CHECK(X[0] == 1.0 && X[5] == 2.0);            /* present values untouched */
        free(X);
        fw_prep_free(p);
    }
    fw_dataset_free(d);
}

static void fitted_on_train_rows_only(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("tr.csv", "a,y\n1,0\n2,1\n3,0\n4,1\n1000,0\n", &d, &e), &e);
    fw_prep_spec s = spec(FW_IMPUTE_MEAN, FW_SCALE_STANDARD, FW_ENCODE_ONEHOT, 0);
    fw_prep *p;
    double *X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    double sd = sqrt(1.25); /* population std of 1..4 */
    CHECK_NEAR(X[0], (1 - 2.5) / sd, 1e-15);
    CHECK_NEAR(X[4], (1000 - 2.5) / sd, 1e-12);
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d);
}

static void scalers(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("sc.csv", "a,c,y\n1,5,0\n2,5,1\n3,5,0\n4,5,1\n10,7,0\n", &d, &e), &e);
    fw_prep *p;
    /* minmax: (x - 1) / 3 on the training rows 1..4; constant c -> 0 there,
     * x - 5 on a test row (scale 1, as scikit-learn). */
    fw_prep_spec s = spec(FW_IMPUTE_NONE, FW_SCALE_MINMAX, FW_ENCODE_ONEHOT, 0);
    double *X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK_NEAR(X[1], 1.0 / 3, 1e-15);
    CHECK_NEAR(X[4], 3.0, 1e-15);
    CHECK(X[5] == 0.0 && X[9] == 2.0);
    free(X);
    fw_prep_free(p);
    /* robust on 1..4: median 2.5, q25 1.75, q75 3.25 (linear), IQR 1.5. */
    s.scale = FW_SCALE_ROBUST;
    X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK_NEAR(X[4], (10 - 2.5) / 1.5, 1e-15);
    CHECK(X[5] == 0.0 && X[9] == 2.0);
    free(X);
    fw_prep_free(p);
    /* standard: constant column -> 0 (scale 1, no division by zero). */
    s.scale = FW_SCALE_STANDARD;
    X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK(X[5] == 0.0 && X[9] == 2.0);
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d);
}

static void empty_column_keeps_width(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("em.csv", "a,b,y\nNA,1,0\nNA,2,1\n5,3,0\n", &d, &e), &e);
    fw_prep_spec s = spec(FW_IMPUTE_MEDIAN, FW_SCALE_STANDARD, FW_ENCODE_ONEHOT, 0);
    fw_prep *p;
    double *X = fit_transform(&s, d, ROWS, 2, 3, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK_EQ_INT(fw_prep_n_out(p), 2);
    CHECK(X[0] == 0.0 && X[1] == 0.0 && X[2] == 5.0); /* imputed 0, scale 1 */
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d);
}

static const char *COLOUR_CSV = "colour,x,y\nblue,1,0\nred,2,1\nblue,3,0\nNA,4,1\ngreen,5,0\n";

static void onehot_and_unseen_level(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("oh.csv", COLOUR_CSV, &d, &e), &e);
    CHECK(d->cols[0].categorical);
    fw_prep_spec s = spec(FW_IMPUTE_MEAN, FW_SCALE_NONE, FW_ENCODE_ONEHOT, 0);
    fw_prep *p;
    double *X = fit_transform(&s, d, ROWS, 4, 5, &p, &e); /* green only in row 4 */
    CHECK_MSG(X, "%s", e.msg);
    CHECK_EQ_INT(fw_prep_n_out(p), 3);
    CHECK(strcmp(fw_prep_out_name(p, 0), "colour=blue") == 0);
    CHECK(strcmp(fw_prep_out_name(p, 1), "colour=red") == 0);
    CHECK(strcmp(fw_prep_out_name(p, 2), "x") == 0);
    const double blue[] = {1, 0, 1, 1, 0}, red[] = {0, 1, 0, 0, 0};
    for (size_t i = 0; i < 5; i++)
        CHECK_MSG(X[i] == blue[i] && X[5 + i] == red[i], "row %zu", i);
    free(X);
    fw_prep_free(p);
    /* impute none: the missing level is a row of zeros. */
    s.impute = FW_IMPUTE_NONE;
    X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK(X[3] == 0.0 && X[5 + 3] == 0.0);
    free(X);
    fw_prep_free(p);
    /* ordinal: the level code; a missing code imputed with the mode. */
    s = spec(FW_IMPUTE_MEDIAN, FW_SCALE_STANDARD, FW_ENCODE_ORDINAL, 0);
    X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    CHECK_EQ_INT(fw_prep_n_out(p), 2);
    CHECK(X[0] == 0.0 && X[1] == 2.0 && X[3] == 0.0 && X[4] == 1.0); /* blue green red */
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d);
}

static void another_dataset_by_name(void)
{
    fw_dataset *d, *d2;
    fw_err e;
    CHECK_OK(load_text("a1.csv", COLOUR_CSV, &d, &e), &e);
    CHECK_OK(load_text("a2.csv", "x,colour,y\n7,red,0\n8,purple,1\n", &d2, &e), &e);
    fw_prep_spec s = spec(FW_IMPUTE_MEAN, FW_SCALE_NONE, FW_ENCODE_ONEHOT, 0);
    fw_prep *p;
    double *X = fit_transform(&s, d, ROWS, 4, 4, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    double out[6];
    CHECK_OK(fw_prep_transform(p, d2, ROWS, 2, out, &e), &e);
    CHECK(out[0] == 0 && out[2] == 1 && out[4] == 7); /* red */
    CHECK(out[1] == 0 && out[3] == 0 && out[5] == 8); /* purple: unseen -> zeros */
    fw_dataset_free(d2);
    CHECK_OK(load_text("a3.csv", "colour,z,y\nred,1,0\nblue,2,1\n", &d2, &e), &e);
    CHECK(fw_prep_transform(p, d2, ROWS, 1, out, &e) == FW_EINVAL);
    CHECK_MSG(strstr(e.msg, "'x'"), "message does not name the column: %s", e.msg);
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d2);
    fw_dataset_free(d);
}

static void identity_is_exact(void)
{
    fw_dataset *d, *num;
    fw_err e;
    CHECK_OK(load_text("id.csv", COLOUR_CSV, &d, &e), &e);
    CHECK_OK(load_text("id2.csv", "a,y\n1,0\n2,1\n", &num, &e), &e);
    fw_prep_spec s = spec(0, 0, FW_ENCODE_ORDINAL, 0);
    CHECK(fw_prep_is_identity(&s, d));
    s.encode = FW_ENCODE_ONEHOT;
    CHECK(!fw_prep_is_identity(&s, d));
    CHECK(fw_prep_is_identity(&s, num));
    s.scale = FW_SCALE_ROBUST;
    CHECK(!fw_prep_is_identity(&s, num));
    /* What the identity skips is indeed the identity. */
    s = spec(0, 0, FW_ENCODE_ORDINAL, 0);
    fw_prep *p;
    double *X = fit_transform(&s, d, ROWS, 3, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    for (size_t j = 0; j < 2; j++)
        for (size_t i = 0; i < 5; i++) {
            double a = X[j * 5 + i], b = fw_dataset_col(d, j)[i];
            CHECK(a == b || (isnan(a) && isnan(b)));
        }
    free(X);
    fw_prep_free(p);
    fw_dataset_free(num);
    fw_dataset_free(d);
}

/* 11 rows: class 0 x6, class 1 x2, class 2 x3, x = row number. */
static const char *IMB_CSV = "x,y\n0,a\n1,a\n2,b\n3,a\n4,c\n5,a\n6,c\n7,b\n8,a\n9,c\n10,a\n";

static void resample_counts(int kind, size_t want_total, size_t want_each)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("imb.csv", IMB_CSV, &d, &e), &e);
    fw_prep_spec s = spec(0, 0, 0, kind);
    gsl_rng *r = fw_rng_alloc(1, 2);
    double *X, *y, *w;
    size_t n;
    CHECK_OK(fw_prep_resample(&s, r, d->X, 11, 1, d->y, NULL, 3, &X, &y, &w, &n, &e), &e);
    CHECK_EQ_INT(n, want_total);
    CHECK(w == NULL);
    size_t count[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        count[(size_t)y[i]]++;
    for (size_t c = 0; c < 3; c++)
        CHECK_EQ_INT(count[c], want_each);
    if (kind != FW_RESAMPLE_UNDER) {
        CHECK(memcmp(X, d->X, 11 * sizeof *X) == 0 && memcmp(y, d->y, 11 * sizeof *y) == 0);
    }
    for (size_t i = 0; i < n; i++) {
        /* Every row lies within its class's range (SMOTE) or is one of its rows. */
        double lo = 1e9, hi = -1e9;
        int found = 0;
        for (size_t t = 0; t < 11; t++)
            if (d->y[t] == y[i]) {
                lo = fmin(lo, d->X[t]), hi = fmax(hi, d->X[t]);
                found |= d->X[t] == X[i];
            }
        CHECK_MSG(kind == FW_RESAMPLE_SMOTE ? X[i] >= lo && X[i] <= hi : found,
                  "row %zu (%g, class %g) is not from its class", i, X[i], y[i]);
        if (kind == FW_RESAMPLE_UNDER && i > 0)
            CHECK_MSG(X[i] > X[i - 1], "undersampling changed the row order");
    }
    free(X), free(y), free(w);
    gsl_rng_free(r);
    fw_dataset_free(d);
}

static void resample_oversample(void) { resample_counts(FW_RESAMPLE_OVER, 18, 6); }
static void resample_undersample(void) { resample_counts(FW_RESAMPLE_UNDER, 6, 2); }
static void resample_smote(void) { resample_counts(FW_RESAMPLE_SMOTE, 18, 6); }

static void resample_weights_and_determinism(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("imbw.csv", IMB_CSV, &d, &e), &e);
    double w[11];
    for (size_t i = 0; i < 11; i++)
        w[i] = 1.0 + (double)i;
    fw_prep_spec s = spec(0, 0, 0, FW_RESAMPLE_OVER);
    double *X[2], *y[2], *wo[2];
    size_t n[2];
    for (int t = 0; t < 2; t++) {
        gsl_rng *r = fw_rng_alloc(9, 4);
        CHECK_OK(fw_prep_resample(&s, r, d->X, 11, 1, d->y, w, 3, &X[t], &y[t], &wo[t], &n[t],
                                  &e), &e);
        gsl_rng_free(r);
    }
    CHECK(n[0] == n[1] && memcmp(X[0], X[1], n[0] * sizeof(double)) == 0);
    for (size_t i = 0; i < n[0]; i++)
        CHECK(wo[0][i] == 1.0 + X[0][i]); /* a copy carries its row's weight */
    for (int t = 0; t < 2; t++)
        free(X[t]), free(y[t]), free(wo[t]);
    fw_dataset_free(d);
}

static void resample_refuses_regression(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("reg.csv", "x,y\n1,0.5\n2,1.5\n3,2.25\n", &d, &e), &e);
    CHECK_EQ_INT(d->task, FW_TASK_REGRESSION);
    fw_prep_spec s = spec(0, 0, 0, FW_RESAMPLE_SMOTE);
    fw_prep *p = NULL;
    CHECK(fw_prep_fit(&s, d, ROWS, 3, &p, &e) == FW_EINVAL && !p);
    CHECK_MSG(strstr(e.msg, "regression"), "%s", e.msg);
    fw_dataset_free(d);
}

/* Through the executor: the test rows of a resampled design are exactly
 * the transformed test rows of the plain design. */
static void design_test_rows_untouched(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("des.csv", IMB_CSV, &d, &e), &e);
    const size_t train[] = {0, 1, 2, 3, 4, 5, 6, 7}, test[] = {8, 9, 10};
    fw_prep_spec plain = spec(FW_IMPUTE_MEAN, FW_SCALE_STANDARD, 0, 0), re = plain;
    re.resample = FW_RESAMPLE_SMOTE;
    re.smote_k = 2;
    fw_design g1, g2;
    gsl_rng *r = fw_rng_alloc(3, 3);
    CHECK_OK(fw_design_build(d, &plain, train, 8, test, 3, r, &g1, &e), &e);
    CHECK_OK(fw_design_build(d, &re, train, 8, test, 3, r, &g2, &e), &e);
    CHECK_EQ_INT(g2.fit.n, 12); /* a:5 b:2 c:1 -> 5 each */
    for (size_t i = 0; i < 3; i++)
        CHECK(fw_mat_at(&g1.fit.X, g1.eval[i], 0) == fw_mat_at(&g2.fit.X, g2.eval[i], 0));
    for (size_t i = 0; i < 8; i++)
        CHECK(fw_mat_at(&g1.fit.X, g1.fit.rows[i], 0) == fw_mat_at(&g2.fit.X, g2.fit.rows[i], 0));
    fw_design_free(&g1);
    fw_design_free(&g2);
    gsl_rng_free(r);
    fw_dataset_free(d);
}

static void save_load_and_damage(void)
{
    fw_dataset *d;
    fw_err e;
    CHECK_OK(load_text("sl.csv", COLOUR_CSV, &d, &e), &e);
    fw_prep_spec s = spec(FW_IMPUTE_MEDIAN, FW_SCALE_ROBUST, FW_ENCODE_ONEHOT, 0);
    fw_prep *p, *q;
    double *X = fit_transform(&s, d, ROWS, 4, 5, &p, &e);
    CHECK_MSG(X, "%s", e.msg);
    fw_sb sb;
    fw_sb_init(&sb);
    CHECK_OK(fw_prep_save(p, &sb, &e), &e);
    CHECK_OK(fw_prep_load(sb.s, sb.len, &q, &e), &e);
    double Y[15];
    CHECK_EQ_INT(fw_prep_n_out(q), fw_prep_n_out(p));
    CHECK_OK(fw_prep_transform(q, d, ROWS, 5, Y, &e), &e);
    CHECK(memcmp(X, Y, sizeof Y) == 0);
    for (size_t j = 0; j < fw_prep_n_out(p); j++)
        CHECK(strcmp(fw_prep_out_name(p, j), fw_prep_out_name(q, j)) == 0);
    fw_prep_free(q);
    for (size_t cut = 0; cut < sb.len; cut++) {
        q = (fw_prep *)1;
        CHECK_MSG(fw_prep_load(sb.s, cut, &q, &e) == FW_EINVAL && q == NULL,
                  "a save cut at %zu bytes was accepted", cut);
    }
    char *bad = malloc(sb.len);
    memcpy(bad, sb.s, sb.len);
    bad[6] ^= 0x7f; /* version */
    CHECK(fw_prep_load(bad, sb.len, &q, &e) == FW_EINVAL && strstr(e.msg, "version"));
    for (size_t at = 8; at < sb.len; at++) { /* any byte flipped: an error or a prep */
        memcpy(bad, sb.s, sb.len);
        bad[at] ^= (char)0xa5;
        if (fw_prep_load(bad, sb.len, &q, &e) == FW_OK)
            fw_prep_free(q);
    }
    free(bad);
    fw_sb_free(&sb);
    free(X);
    fw_prep_free(p);
    fw_dataset_free(d);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {
        T(imputers),
        T(fitted_on_train_rows_only),
        T(scalers),
        T(empty_column_keeps_width),
        T(onehot_and_unseen_level),
        T(another_dataset_by_name),
        T(identity_is_exact),
        T(resample_oversample),
        T(resample_undersample),
        T(resample_smote),
        T(resample_weights_and_determinism),
        T(resample_refuses_regression),
        T(design_test_rows_untouched),
        T(save_load_and_damage),
        {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
