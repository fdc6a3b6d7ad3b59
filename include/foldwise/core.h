/* core.h: the ground floor every layer stands on.
 *
 * Status codes and the caller-owned error record (fw_err), logging to stderr,
 * a stable 64-bit hash (xxHash's XXH3), GSL random streams keyed on
 * (seed, key), monotonic time and deadlines, and a growable string buffer.
 *
 * Conventions used across foldwise:
 *   - functions that can fail return FW_OK (0) or an fw_status code, and fill
 *     the fw_err they were given (which may be NULL when the caller does not
 *     care about the message);
 *   - fw_x_alloc / fw_x_free pairs; every free function accepts NULL;
 *   - nothing below src/cli ends the process.
 */
#ifndef FOLDWISE_CORE_H
#define FOLDWISE_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

#include <gsl/gsl_rng.h>

#define FW_VERSION "0.1.0"

/* Status codes. The CLI maps them to exit codes (see fw_status_exit_code). */
typedef enum fw_status {
    FW_OK = 0,
    FW_EINVAL,    /* bad usage, config or data: nothing was run (exit 2)   */
    FW_ENOMEM,    /* out of memory                                          */
    FW_EIO,       /* I/O error: disk full, output not writable (exit 4)     */
    FW_ENOCONV,   /* an iterative solver did not converge                   */
    FW_ESINGULAR, /* a singular or non-positive-definite system            */
    FW_ETIMEOUT,  /* a deadline passed                                      */
    FW_EFAIL,     /* a model's own failure (a failed fit, not a crash)      */
    FW_EINTR,     /* stopped by a signal after saving state (exit 3)        */
    FW_EUNSUP,    /* asked for something this build does not support        */
    FW_ERUN,      /* the run finished but failed (exit 1)                   */
    FW_NSTATUS
} fw_status;

/* Caller-owned error record. `file`, `line` and `col` say where in the
 * user's input the problem is, when that is known (0 / "" otherwise). */
typedef struct fw_err {
    int code;
    char msg[1024];
    char file[512];
    long line;
    long col;
} fw_err;

/* Set code and message; returns `code` so callers can `return fw_err_set(...)`.
 * `e` may be NULL. */
int fw_err_set(fw_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a position in an input file (line/col 1-based, 0 = unknown). */
int fw_err_at(fw_err *e, int code, const char *file, long line, long col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Prepend context ("while reading X: ") to an existing message. */
void fw_err_prefix(fw_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fw_err_clear(fw_err *e);
/* "FILE:LINE:COL: message" (parts omitted when unknown) into buf. */
void fw_err_format(const fw_err *e, char *buf, size_t n);
const char *fw_status_name(int code);
/* The CONTRACT.md exit code for a status: 0, 1, 2, 3 or 4. */
int fw_status_exit_code(int code);

/* ---- logging (stderr) ------------------------------------------------- */

enum { FW_LOG_ERROR = 0, FW_LOG_WARN = 1, FW_LOG_INFO = 2, FW_LOG_DEBUG = 3 };
/* --quiet sets FW_LOG_WARN: warnings and errors still print. */
void fw_log_set_level(int level);
int fw_log_get_level(void);
/* A short prefix such as "rank 1" added to every line (NULL = none). */
void fw_log_set_tag(const char *tag);
void fw_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define fw_warn(...) fw_log(FW_LOG_WARN, __VA_ARGS__)
#define fw_info(...) fw_log(FW_LOG_INFO, __VA_ARGS__)
#define fw_debug(...) fw_log(FW_LOG_DEBUG, __VA_ARGS__)

/* ---- hashing (XXH3-64 from libxxhash) --------------------------------- */

uint64_t fw_hash64(const void *p, size_t n, uint64_t seed);
uint64_t fw_hash_str(const char *s, uint64_t seed);
/* Combine two 64-bit values into one, order-sensitive. */
uint64_t fw_hash_mix(uint64_t a, uint64_t b);

/* Streaming hash for content that arrives in pieces (data hash, config hash). */
typedef struct fw_hasher fw_hasher;
fw_hasher *fw_hasher_alloc(uint64_t seed);
void fw_hasher_update(fw_hasher *h, const void *p, size_t n);
uint64_t fw_hasher_digest(const fw_hasher *h);
void fw_hasher_free(fw_hasher *h);

/* ---- random streams --------------------------------------------------- */

/* A GSL Mersenne Twister (mt19937) stream for (seed, key). The 64-bit pair
 * is hashed with XXH3 and folded to the 32 bits mt19937 takes as its seed
 * (gsl_rng_set uses only the low 32 bits for this generator); see
 * docs/architecture.md. Returns NULL when out of memory. Free with
 * gsl_rng_free. */
gsl_rng *fw_rng_alloc(uint64_t seed, uint64_t key);
/* Re-seed an existing stream for (seed, key). */
void fw_rng_reseed(gsl_rng *r, uint64_t seed, uint64_t key);
/* Fisher-Yates shuffle of n size_t values with r. */
void fw_shuffle(gsl_rng *r, size_t *a, size_t n);

/* ---- time -------------------------------------------------------------- */

double fw_now(void);        /* monotonic seconds */
double fw_cpu_now(void);    /* CPU seconds of this process */
double fw_wall_epoch(void); /* seconds since the Unix epoch (for reports) */

/* A deadline an iterative fit polls. `at` is in fw_now() seconds (0 = none);
 * `stop` points to a flag a signal handler may raise (may be NULL);
 * `budget`, for tests, counts polls down and expires the deadline at zero,
 * so a test can stop a fit mid-way without depending on the clock. */
typedef struct fw_deadline {
    double at;
    volatile sig_atomic_t *stop;
    long *budget;
} fw_deadline;
/* Nonzero once the deadline passed or a stop was requested. Cheap enough to
 * call once per solver iteration. `d` may be NULL (never expires). */
int fw_deadline_passed(const fw_deadline *d);

/* ---- string buffer ----------------------------------------------------- */

/* A growable NUL-terminated string. Allocation failure is sticky: `oom` is
 * set and later appends do nothing, so callers check once at the end. */
typedef struct fw_sb {
    char *s;
    size_t len;
    size_t cap;
    int oom;
} fw_sb;

void fw_sb_init(fw_sb *b);
void fw_sb_free(fw_sb *b);
void fw_sb_reset(fw_sb *b);
void fw_sb_append(fw_sb *b, const char *s);
void fw_sb_appendn(fw_sb *b, const char *s, size_t n);
void fw_sb_printf(fw_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_sb_vprintf(fw_sb *b, const char *fmt, va_list ap);
/* JSON string literal with quotes and escapes. */
void fw_sb_json_str(fw_sb *b, const char *s);
/* A double as JSON: shortest round-trip form ("%.17g" trimmed), NaN/Inf as null. */
void fw_sb_json_num(fw_sb *b, double v);
/* A CSV field, quoted when it holds a separator, quote or newline. */
void fw_sb_csv_field(fw_sb *b, const char *s);
/* The shortest "%.*g" text that reads back as exactly v. */
void fw_fmt_double(char *buf, size_t n, double v);
/* Take the string (caller frees); leaves b empty. NULL if oom. */
char *fw_sb_take(fw_sb *b);

/* ---- binary records ----------------------------------------------------- */

/* Fixed-size values appended to a buffer in the machine's byte order (the
 * journal, results and saved models are read back on the same kind of
 * machine). A string is its length (u64) and bytes; NULL is length
 * UINT64_MAX. */
void fw_put_u64(fw_sb *b, uint64_t v);
void fw_put_i64(fw_sb *b, int64_t v);
void fw_put_f64(fw_sb *b, double v);
void fw_put_str(fw_sb *b, const char *s);

/* A bounded reader over untrusted bytes. `bad` is sticky: a read past the
 * end sets it and yields zeros, so a caller checks once per record. */
typedef struct fw_reader {
    const unsigned char *p, *end;
    int bad;
} fw_reader;

void fw_reader_init(fw_reader *r, const void *buf, size_t n);
size_t fw_reader_left(const fw_reader *r);
void fw_get(fw_reader *r, void *dst, size_t n);
uint64_t fw_get_u64(fw_reader *r);
int64_t fw_get_i64(fw_reader *r);
double fw_get_f64(fw_reader *r);
/* n items of at least `size` bytes each must fit in what is left (a damaged
 * count cannot make a caller allocate more than the input holds); sets bad
 * otherwise. Returns !bad. */
int fw_get_fits(fw_reader *r, size_t n, size_t size);
/* n bytes in place (borrowed), or NULL (and bad) past the end. */
const void *fw_get_bytes(fw_reader *r, size_t n);
/* A string written by fw_put_str, malloc'd (NULL for a NULL string or on
 * damage: check bad). */
char *fw_get_str(fw_reader *r);

/* ---- small helpers ------------------------------------------------------ */

/* strdup that returns NULL for NULL. */
char *fw_strdup(const char *s);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t fw_edit_distance(const char *a, const char *b);
/* The closest of `n` candidates to `s`, or NULL when none is close. */
const char *fw_suggest(const char *s, const char *const *cands, size_t n);
/* Whole file into a NUL-terminated buffer; refuses files above max_bytes. */
int fw_read_file(const char *path, size_t max_bytes, char **out, size_t *len, fw_err *e);
/* Write a file atomically: tmp file in the same dir, fsync, rename. */
int fw_write_file_atomic(const char *path, const void *p, size_t n, fw_err *e);
/* Write all n bytes to fd (retrying short writes and EINTR): 0, or -1
 * with errno set. */
int fw_write_all(int fd, const void *p, size_t n);
/* Read exactly n bytes from fd, waiting at most until `deadline` (fw_now()
 * seconds; 0 = no limit) with poll: 0, or -1 on end of file, error or
 * timeout (then *timed_out = 1 when timed_out is not NULL). */
int fw_read_all(int fd, void *p, size_t n, double deadline, int *timed_out);
/* mkdir -p. */
int fw_mkdir_p(const char *path, fw_err *e);

/* numpy's summation order (np.sum of a contiguous or strided run): pairwise
 * sums over buffers of 8192 values, added in turn. For results that must
 * equal scikit-learn's to the last bit. fw_np_pairwise is one buffer. */
double fw_np_sum(const double *a, size_t n, size_t stride);
double fw_np_pairwise(const double *a, size_t n, size_t stride);

/* BLAS set-up: one OpenBLAS thread per process (ranks are the parallelism).
 * Call once at start-up. */
void fw_blas_init(void);
/* Path of the shared object that serves cblas_dgemm (for the OpenBLAS test). */
const char *fw_blas_provider(void);

#endif /* FOLDWISE_CORE_H */
