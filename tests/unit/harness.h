/* harness.h: a small C test harness. Each tests/unit/test_<layer>.c lists
 * its cases with FW_TESTS(...) and gets a main() that runs them (or the ones
 * named on the command line) and prints one line per case:
 *   PASS name
 *   FAIL name: file:line: what
 * tests/run.sh counts these lines across every binary and script. */
#ifndef FOLDWISE_TEST_HARNESS_H
#define FOLDWISE_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>

typedef struct fwt_case {
    const char *name;
    void (*fn)(void);
} fwt_case;

extern int fwt_failed_now;
void fwt_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int fwt_main(int argc, char **argv, const fwt_case *cases);
/* Path of a file under tests/data (the binaries run from the repo root). */
const char *fwt_data(const char *name);
/* A fresh temporary directory for this case (removed by the OS later). */
const char *fwt_tmpdir(void);

/* A real data set from tests/data for model tests: every row a training
 * row, features standardised (population std; constant columns 0) when
 * `standardise`, else copied as they are. */
#include "foldwise/data.h"
#include "foldwise/model.h"

typedef struct fwt_set {
    fw_dataset *d;
    double *X;              /* column-major n x p */
    size_t *rows;           /* 0..n-1 */
    fw_fit_data fit;
    double *y;              /* a test's own (synthetic) targets, or NULL */
} fwt_set;

int fwt_set_load(const char *file, const char *target, int standardise, fwt_set *s, fw_err *e);
void fwt_set_free(fwt_set *s);

#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            fwt_fail(__FILE__, __LINE__, "CHECK(%s)", #c);                \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_MSG(c, ...)                                                 \
    do {                                                                  \
        if (!(c)) {                                                       \
            fwt_fail(__FILE__, __LINE__, __VA_ARGS__);                    \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                \
    do {                                                                  \
        long long fwt_a = (long long)(a), fwt_b = (long long)(b);         \
        if (fwt_a != fwt_b) {                                             \
            fwt_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
                     #a, fwt_a, #b, fwt_b);                               \
            return;                                                       \
        }                                                                 \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                             \
    do {                                                                  \
        double fwt_a = (a), fwt_b = (b);                                  \
        if (!(fabs(fwt_a - fwt_b) <= (tol))) {                            \
            fwt_fail(__FILE__, __LINE__, "%s = %.17g, expected %.17g (tol %g)", \
                     #a, fwt_a, fwt_b, (double)(tol));                    \
            return;                                                       \
        }                                                                 \
    } while (0)

/* Status check: the call must return FW_OK; prints the error otherwise. */
#define CHECK_OK(call, errp)                                              \
    do {                                                                  \
        int fwt_rc = (call);                                              \
        if (fwt_rc != 0) {                                                \
            fwt_fail(__FILE__, __LINE__, "%s returned %d: %s", #call,     \
                     fwt_rc, (errp)->msg);                                \
            return;                                                       \
        }                                                                 \
    } while (0)

#define FW_TEST_MAIN(...)                                                 \
    int main(int argc, char **argv)                                       \
    {                                                                     \
        static const fwt_case fwt_cases[] = {__VA_ARGS__, {NULL, NULL}};  \
        return fwt_main(argc, argv, fwt_cases);                           \
    }
#define T(fn) {#fn, fn}

#endif
