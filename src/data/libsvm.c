/* libsvm.c: the LIBSVM / svmlight reader.
 *
 *   LABEL [qid:Q] INDEX:VALUE INDEX:VALUE ... [# comment]
 *
 * Indices are 1-based and strictly increasing within a line. The table is
 * dense: columns f1..fN (N = the largest index in the file), then the label
 * column `label` (the table's target_col, so data.target may stay unset),
 * then `qid` when data.groups is "qid" (the table's group_col). Absent
 * entries are zeros, not missing values: that is what the format means.
 * Without data.groups: qid, qid values are checked and ignored.
 *
 * Two passes over the file in memory: the first validates every line and
 * finds the row count and N (so the dense size can be checked before
 * anything is allocated: a 20-byte line "1 2000000000:1" would otherwise
 * ask for 16 GB), the second fills the columns. Errors name the line and
 * the byte column of the offending token. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_int.h"

#define SVM_MAX_BYTES ((size_t)64 << 30)
#define SVM_MAX_INDEX 2147483647L /* 2^31 - 1 */

typedef struct svm_reader {
    const char *path;
    int want_qid;     /* data.groups is "qid": every line needs one */
    size_t rows;
    long max_idx, max_line;  /* the largest index and the line it is on */
    fw_table *t;      /* pass 2: the table to fill; NULL in pass 1 */
} svm_reader;

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* The next whitespace-separated token in [*p, end): start and length. */
static size_t next_token(const char **p, const char *end, const char **tok)
{
    const char *s = *p;
    while (s < end && is_ws(*s))
        s++;
    const char *q = s;
    while (q < end && !is_ws(*q))
        q++;
    *tok = s;
    *p = q;
    return (size_t)(q - s);
}

/* A non-negative decimal integer without sign; -1 when malformed, -2 when
 * above `max`. */
static long parse_index(const char *s, size_t n, long max)
{
    if (n == 0)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > max)
            continue;  /* keep checking the syntax */
        v = v * 10 + (s[i] - '0');
    }
    return v > max ? -2 : v;
}

#define TOKFMT(tok, n) (int)((n) > 40 ? 40 : (n)), (tok)

static int parse_label(svm_reader *r, const char *tok, size_t n, long line, long col,
                       double *label, fw_err *e)
{
    if (memchr(tok, ':', n))
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "the line starts with '%.*s': the label is missing (each line is "
                         "LABEL INDEX:VALUE ...)", TOKFMT(tok, n));
    if (!fw_parse_double(tok, n, label))
        return fw_err_at(e, FW_EINVAL, r->path, line, col, "label '%.*s' is not a number",
                         TOKFMT(tok, n));
    if (!isfinite(*label))
        return fw_err_at(e, FW_EINVAL, r->path, line, col, "label '%.*s' is not finite",
                         TOKFMT(tok, n));
    return FW_OK;
}

/* One INDEX:VALUE token; *prev is the previous index on the line. */
static int parse_entry(svm_reader *r, const char *tok, size_t n, long line, long col,
                       long *prev, double *val, fw_err *e)
{
    const char *colon = memchr(tok, ':', n);
    if (!colon)
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "'%.*s' is not INDEX:VALUE", TOKFMT(tok, n));
    size_t ni = (size_t)(colon - tok), nv = n - ni - 1;
    if (ni == 3 && memcmp(tok, "qid", 3) == 0)
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "qid must come right after the label, before the features");
    long idx = parse_index(tok, ni, SVM_MAX_INDEX);
    if (idx == -1)
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "index '%.*s' is not a positive integer", TOKFMT(tok, ni));
    if (idx == -2)
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "index %.*s is too large (at most %ld)", TOKFMT(tok, ni), SVM_MAX_INDEX);
    if (idx == 0)
        return fw_err_at(e, FW_EINVAL, r->path, line, col, "index 0: indices start at 1");
    if (idx == *prev)
        return fw_err_at(e, FW_EINVAL, r->path, line, col, "duplicate index %ld", idx);
    if (idx < *prev)
        return fw_err_at(e, FW_EINVAL, r->path, line, col,
                         "index %ld after %ld: indices must increase along a line", idx, *prev);
    if (nv == 0)
        return fw_err_at(e, FW_EINVAL, r->path, line, col, "index %ld has no value", idx);
    if (!fw_parse_double(colon + 1, nv, val))
        return fw_err_at(e, FW_EINVAL, r->path, line, col + (long)ni + 1,
                         "value '%.*s' of index %ld is not a number", TOKFMT(colon + 1, nv), idx);
    if (!isfinite(*val))
        return fw_err_at(e, FW_EINVAL, r->path, line, col + (long)ni + 1,
                         "value '%.*s' of index %ld is not finite", TOKFMT(colon + 1, nv), idx);
    *prev = idx;
    return FW_OK;
}

/* "qid:Q" when the token is one: 1 (with *qid), 0 when not a qid token. */
static int parse_qid(svm_reader *r, const char *tok, size_t n, long line, long col, double *qid,
                     fw_err *e)
{
    if (n < 4 || memcmp(tok, "qid:", 4) != 0)
        return 0;
    long q = parse_index(tok + 4, n - 4, SVM_MAX_INDEX);
    if (q < 0) {
        fw_err_at(e, FW_EINVAL, r->path, line, col, "'%.*s': a qid is a non-negative integer",
                  TOKFMT(tok, n));
        return -1;
    }
    *qid = (double)q;
    return 1;
}

/* One line [s, end) (comment already cut, not blank). */
static int parse_line(svm_reader *r, const char *s, const char *end, const char *ls, long line,
                      fw_err *e)
{
    const char *p = s, *tok;
    size_t n = next_token(&p, end, &tok);
    double label, qid = NAN, val;
    int rc;
    if ((rc = parse_label(r, tok, n, line, (long)(tok - ls) + 1, &label, e)))
        return rc;
    long prev = 0;
    fw_table *t = r->t;
    size_t row = r->rows;
    for (int first = 1; (n = next_token(&p, end, &tok)) > 0; first = 0) {
        long col = (long)(tok - ls) + 1;
        if (first) {
            int q = parse_qid(r, tok, n, line, col, &qid, e);
            if (q < 0)
                return e->code;
            if (q)
                continue;
        }
        if ((rc = parse_entry(r, tok, n, line, col, &prev, &val, e)))
            return rc;
        if (t)
            t->data[prev - 1][row] = val;
    }
    if (r->want_qid && isnan(qid))
        return fw_err_at(e, FW_EINVAL, r->path, line, 0,
                         "data.groups is 'qid', but this line has no qid:");
    if (prev > r->max_idx) {
        r->max_idx = prev;
        r->max_line = line;
    }
    if (t) {
        size_t nf = t->n_cols - 1 - (size_t)r->want_qid;
        t->data[nf][row] = label;
        if (r->want_qid)
            t->data[nf + 1][row] = qid;
        t->line[row] = line;
    }
    r->rows++;
    return FW_OK;
}

/* Every line of buf through parse_line. */
static int svm_pass(svm_reader *r, const char *buf, size_t len, fw_err *e)
{
    const char *p = buf, *end = buf + len;
    long line = 1;
    r->rows = 0;
    for (; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(le - p));
        const char *de = hash ? hash : le;
        const char *q = p;
        while (q < de && is_ws(*q))
            q++;
        if (q < de) {
            const char *z = memchr(q, '\0', (size_t)(de - q));
            if (z)
                return fw_err_at(e, FW_EINVAL, r->path, line, (long)(z - p) + 1,
                                 "NUL byte: this is not a text (LIBSVM) file");
            int rc = parse_line(r, q, de, p, line, e);
            if (rc)
                return rc;
        }
        p = le + 1;
    }
    return FW_OK;
}

static int svm_table(svm_reader *r, fw_table **out, fw_err *e)
{
    size_t nf = (size_t)r->max_idx, nc = nf + 1 + (size_t)r->want_qid;
    if (fw_dense_check(r->rows, nc, r->path, e)) {
        e->line = r->max_line;  /* where the largest index is */
        return e->code;
    }
    fw_table *t = fw_table_alloc(nc, r->path);
    if (!t)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    t->line = malloc(r->rows * sizeof *t->line);
    int bad = !t->line;
    for (size_t j = 0; j < nc && !bad; j++) {
        char name[32];
        if (j < nf)
            snprintf(name, sizeof name, "f%zu", j + 1);
        else
            snprintf(name, sizeof name, "%s", j == nf ? "label" : "qid");
        t->cols[j].name = fw_strdup(name);
        t->data[j] = calloc(r->rows, sizeof **t->data);
        bad = !t->cols[j].name || !t->data[j];
    }
    if (bad) {
        fw_table_free(t);
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s (%zu x %zu)", r->path,
                          r->rows, nc);
    }
    t->target_col = (long)nf;
    t->group_col = r->want_qid ? (long)nf + 1 : -1;
    *out = t;
    return FW_OK;
}

int fw_libsvm_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e)
{
    fw_err local;  /* the helpers below report through e: never NULL */
    if (!e)
        e = &local;
    char *buf;
    size_t len;
    *out = NULL;
    int rc = fw_read_file(path, SVM_MAX_BYTES, &buf, &len, e);
    if (rc)
        return rc;
    svm_reader r = {.path = path, .want_qid = opts && opts->groups &&
                                              strcmp(opts->groups, "qid") == 0};
    if ((rc = svm_pass(&r, buf, len, e)))
        goto done;
    if (r.rows == 0) {
        rc = fw_err_at(e, FW_EINVAL, path, 1, 0, "no data lines (the file is empty or only "
                                                 "comments)");
        goto done;
    }
    if (r.max_idx == 0) {
        rc = fw_err_at(e, FW_EINVAL, path, 1, 0, "no line has any INDEX:VALUE feature");
        goto done;
    }
    if ((rc = svm_table(&r, &r.t, e)))
        goto done;
    if ((rc = svm_pass(&r, buf, len, e))) {  /* cannot fail: same bytes as pass 1 */
        fw_table_free(r.t);
        goto done;
    }
    r.t->n_rows = r.rows;
    *out = r.t;
done:
    free(buf);
    return rc;
}
