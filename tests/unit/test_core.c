/* test_core.c: errors, hashing, random streams, string buffer, BLAS provider. */
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>

#include "foldwise/core.h"
#include "harness.h"

static void err_format_positions(void)
{
    fw_err e;
    char buf[2048];
    fw_err_at(&e, FW_EINVAL, "a.csv", 3, 7, "bad cell '%s'", "x");
    fw_err_format(&e, buf, sizeof buf);
    CHECK(strcmp(buf, "a.csv:3:7: bad cell 'x'") == 0);
    fw_err_at(&e, FW_EINVAL, "a.csv", 3, 0, "short row");
    fw_err_format(&e, buf, sizeof buf);
    CHECK(strcmp(buf, "a.csv:3: short row") == 0);
    fw_err_set(&e, FW_EIO, "disk full");
    fw_err_format(&e, buf, sizeof buf);
    CHECK(strcmp(buf, "disk full") == 0);
    fw_err_prefix(&e, "journal: ");
    CHECK(strcmp(e.msg, "journal: disk full") == 0);
    CHECK_EQ_INT(fw_status_exit_code(FW_EINVAL), 2);
    CHECK_EQ_INT(fw_status_exit_code(FW_EIO), 4);
    CHECK_EQ_INT(fw_status_exit_code(FW_EINTR), 3);
    CHECK_EQ_INT(fw_status_exit_code(FW_ERUN), 1);
    CHECK_EQ_INT(fw_err_set(NULL, FW_EIO, "x"), FW_EIO);
}

static void hash_stable(void)
{
    /* XXH3-64 of a fixed input is fixed by the xxHash specification: a change
     * here would invalidate every journal written before. */
    uint64_t h = fw_hash64("foldwise", 8, 0);
    CHECK(h == fw_hash64("foldwise", 8, 0));
    CHECK(h != fw_hash64("foldwisf", 8, 0));
    CHECK(h != fw_hash64("foldwise", 8, 1));
    fw_hasher *s = fw_hasher_alloc(0);
    CHECK(s);
    fw_hasher_update(s, "fold", 4);
    fw_hasher_update(s, "wise", 4);
    CHECK(fw_hasher_digest(s) == h);
    fw_hasher_free(s);
    CHECK(fw_hash_mix(1, 2) != fw_hash_mix(2, 1));
}

static void rng_keyed_streams(void)
{
    gsl_rng *a = fw_rng_alloc(42, 7), *b = fw_rng_alloc(42, 7), *c = fw_rng_alloc(42, 8),
            *d = fw_rng_alloc(43, 7);
    CHECK(a && b && c && d);
    int same_ab = 1, same_ac = 1, same_ad = 1;
    for (int i = 0; i < 100; i++) {
        unsigned long x = gsl_rng_get(a), y = gsl_rng_get(b), z = gsl_rng_get(c),
                      w = gsl_rng_get(d);
        same_ab &= x == y;
        same_ac &= x == z;
        same_ad &= x == w;
    }
    CHECK(same_ab);
    CHECK(!same_ac);
    CHECK(!same_ad);
    size_t p[50];
    for (size_t i = 0; i < 50; i++)
        p[i] = i;
    fw_shuffle(a, p, 50);
    int seen[50] = {0};
    for (size_t i = 0; i < 50; i++)
        seen[p[i]]++;
    for (size_t i = 0; i < 50; i++)
        CHECK(seen[i] == 1);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
    gsl_rng_free(d);
}

static void sb_json_and_csv(void)
{
    fw_sb b;
    fw_sb_init(&b);
    fw_sb_json_str(&b, "a\"b\\c\n\x01");
    CHECK(strcmp(b.s, "\"a\\\"b\\\\c\\n\\u0001\"") == 0);
    fw_sb_reset(&b);
    fw_sb_json_num(&b, 0.1);
    fw_sb_append(&b, " ");
    fw_sb_json_num(&b, 1.0 / 0.0);
    CHECK(strcmp(b.s, "0.1 null") == 0);
    fw_sb_reset(&b);
    fw_sb_csv_field(&b, "x,\"y\"");
    CHECK(strcmp(b.s, "\"x,\"\"y\"\"\"") == 0);
    char buf[40];
    fw_fmt_double(buf, sizeof buf, 1.0 / 3.0);
    CHECK(strtod(buf, NULL) == 1.0 / 3.0);
    fw_sb_free(&b);
}

static void suggest_typos(void)
{
    const char *c[] = {"metrics", "models", "search", "seed"};
    CHECK(fw_suggest("metrcs", c, 4) && strcmp(fw_suggest("metrcs", c, 4), "metrics") == 0);
    CHECK(fw_suggest("zzzzzzzzzz", c, 4) == NULL);
}

/* OpenBLAS, not the reference gslcblas, must serve GSL's BLAS calls. */
static void blas_is_openblas(void)
{
    fw_blas_init();
    const char *who = fw_blas_provider();
    CHECK_MSG(strstr(who, "openblas") != NULL, "cblas_dgemm comes from %s", who);
    /* And GSL's wrapper really computes through it. */
    double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2),
                    C = gsl_matrix_view_array(c, 2, 2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &B.matrix, 0.0, &C.matrix);
    CHECK(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
}

static void deadline_expires(void)
{
    long budget = 2;
    fw_deadline b = {0, NULL, &budget};
    CHECK(!fw_deadline_passed(&b));
    CHECK(fw_deadline_passed(&b));
    fw_deadline d = {fw_now() - 1.0, NULL, NULL};
    CHECK(fw_deadline_passed(&d));
    d.at = fw_now() + 100.0;
    CHECK(!fw_deadline_passed(&d));
    volatile sig_atomic_t stop = 1;
    d.stop = &stop;
    CHECK(fw_deadline_passed(&d));
    CHECK(!fw_deadline_passed(NULL));
}

FW_TEST_MAIN(T(err_format_positions), T(hash_stable), T(rng_keyed_streams), T(sb_json_and_csv),
             T(suggest_typos), T(blas_is_openblas), T(deadline_expires))
