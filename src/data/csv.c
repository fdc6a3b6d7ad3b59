/* csv.c: CSV/TSV reader.
 *
 * RFC 4180 quoting (embedded separators, doubled quotes, newlines inside
 * quotes), separator detection among ',' ';' and TAB from the header line,
 * CRLF line ends, a UTF-8 byte-order mark, blank lines skipped, configurable
 * missing tokens. Column typing follows CONTRACT.md: a column is numeric
 * when every non-missing cell parses as a number; a column where most cells
 * parse but some do not is an error naming the first bad cell (unless
 * data.categorical lists it); other columns are categorical with levels in
 * sorted order.
 *
 * Pass 1 parses numbers as it goes and interns other strings. A column that
 * ends up categorical although some of its cells looked numeric (or that
 * data.categorical forces) needs every cell's text: pass 2 re-reads just
 * those columns.
 *
 * Speed: pass 1 does not split a record into fields first. An unquoted
 * cell is parsed as a number straight from the file buffer (one scan); only
 * quoted cells, cells with blanks and non-numbers take the general path.
 *
 * Hostile input: the whole file must be UTF-8 text without NUL bytes; a
 * carriage return must end a line (CR LF), never stand alone; allocations
 * are bounded by the file size (rows x columns <= bytes), and the header's
 * duplicate check is hashed, so a million columns is not quadratic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_int.h"

/* Reads of a whole file are capped to keep a hostile path from exhausting
 * memory before any check; 64 GiB is far above what fits a node anyway. */
#define CSV_MAX_BYTES ((size_t)64 << 30)

typedef struct csv_field {
    size_t off;      /* into the file buffer, or into scratch when esc */
    size_t n;
    long col;        /* 1-based byte column where the field starts */
    int esc;         /* text lives in the scratch buffer */
} csv_field;

typedef struct csv_reader {
    const char *buf;
    size_t len, pos;
    char delim;
    const char *path;
    long line;          /* current line (1-based) */
    size_t line_start;  /* offset of the current line's first byte */
    fw_missing miss;
    csv_field *f;
    size_t nf, capf;
    char *scratch;
    size_t nscratch, capscratch;
} csv_reader;

static const char *field_text(const csv_reader *r, const csv_field *f)
{
    return f->esc ? r->scratch + f->off : r->buf + f->off;
}

static int push_field(csv_reader *r, csv_field fld)
{
    if (r->nf == r->capf) {
        size_t cap = r->capf ? r->capf * 2 : 64;
        csv_field *f = realloc(r->f, cap * sizeof *f);
        if (!f)
            return -1;
        r->f = f;
        r->capf = cap;
    }
    r->f[r->nf++] = fld;
    return 0;
}

static int scratch_put(csv_reader *r, char c)
{
    if (r->nscratch == r->capscratch) {
        size_t cap = r->capscratch ? r->capscratch * 2 : 1024;
        char *s = realloc(r->scratch, cap);
        if (!s)
            return -1;
        r->scratch = s;
        r->capscratch = cap;
    }
    r->scratch[r->nscratch++] = c;
    return 0;
}

/* A quoted field starting at r->pos (on the opening quote). */
static int read_quoted(csv_reader *r, csv_field *fld, fw_err *e)
{
    long qline = r->line, qcol = (long)(r->pos - r->line_start) + 1;
    size_t p = r->pos + 1;
    fld->esc = 1;
    fld->off = r->nscratch;
    for (;;) {
        if (p >= r->len)
            return fw_err_at(e, FW_EINVAL, r->path, qline, qcol,
                             "unterminated quoted field (the quote opened here is never closed)");
        char c = r->buf[p];
        if (c == '"') {
            if (p + 1 < r->len && r->buf[p + 1] == '"') {
                if (scratch_put(r, '"'))
                    return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
                p += 2;
                continue;
            }
            p++;
            break;
        }
        if (c == '\n') {
            r->line++;
            r->line_start = p + 1;
        }
        if (scratch_put(r, c))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        p++;
    }
    fld->n = r->nscratch - fld->off;
    if (p < r->len && r->buf[p] != r->delim && r->buf[p] != '\n' && r->buf[p] != '\r')
        return fw_err_at(e, FW_EINVAL, r->path, r->line, (long)(p - r->line_start) + 1,
                         "unexpected character '%c' after a closing quote (a quote inside a "
                         "field must be doubled)", r->buf[p]);
    r->pos = p;
    return FW_OK;
}

static int lone_cr(const csv_reader *r, size_t p, fw_err *e)
{
    return fw_err_at(e, FW_EINVAL, r->path, r->line, (long)(p - r->line_start) + 1,
                     "carriage return not followed by a line feed (a file with old Mac line "
                     "ends? convert them to LF)");
}

/* The end of the unquoted field at p: the next separator, line feed or end
 * of file. A CR is allowed only right before LF or at the end of the file
 * (the caller drops it). Refuses quotes inside the field. */
static int scan_unquoted(const csv_reader *r, size_t p, size_t *fend, fw_err *e)
{
    const char *b = r->buf;
    for (; p < r->len && b[p] != r->delim && b[p] != '\n'; p++) {
        if (b[p] == '"')
            return fw_err_at(e, FW_EINVAL, r->path, r->line, (long)(p - r->line_start) + 1,
                             "quote inside an unquoted field (quote the whole field and "
                             "double the quote)");
        if (b[p] == '\r' && p + 1 < r->len && b[p + 1] != '\n')
            return lone_cr(r, p, e);
    }
    *fend = p;
    return FW_OK;
}

/* Skip blank lines (LF or CR LF alone) before a record. */
static void skip_blank_lines(csv_reader *r)
{
    while (r->pos < r->len && (r->buf[r->pos] == '\n' ||
                               (r->buf[r->pos] == '\r' && r->pos + 1 < r->len &&
                                r->buf[r->pos + 1] == '\n'))) {
        r->pos += r->buf[r->pos] == '\r' ? 2 : 1;
        r->line++;
        r->line_start = r->pos;
    }
}

/* After a record's last field: CR LF, LF or the end of the file. */
static int end_record(csv_reader *r, fw_err *e)
{
    if (r->pos < r->len && r->buf[r->pos] == '\r') {
        if (r->pos + 1 < r->len && r->buf[r->pos + 1] != '\n')
            return lone_cr(r, r->pos, e);
        r->pos++;
    }
    if (r->pos < r->len) {  /* on the LF */
        r->pos++;
        r->line++;
        r->line_start = r->pos;
    }
    return FW_OK;
}

/* Next record into r->f. Returns 1 with a record, 0 at the end, <0 on error.
 * *rec_line is the line where the record starts. Blank lines are skipped. */
static int csv_record(csv_reader *r, long *rec_line, fw_err *e)
{
    r->nf = 0;
    r->nscratch = 0;
    skip_blank_lines(r);
    if (r->pos >= r->len)
        return 0;
    *rec_line = r->line;
    for (;;) {
        csv_field fld = {r->pos, 0, (long)(r->pos - r->line_start) + 1, 0};
        if (r->pos < r->len && r->buf[r->pos] == '"') {
            if (read_quoted(r, &fld, e))
                return -1;
        } else {
            size_t p;
            if (scan_unquoted(r, r->pos, &p, e))
                return -1;
            fld.n = p - r->pos;
            if (fld.n && r->buf[p - 1] == '\r')
                fld.n--;
            r->pos = p;
        }
        if (push_field(r, fld))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        if (r->pos < r->len && r->buf[r->pos] == r->delim) {
            r->pos++;
            continue;
        }
        return end_record(r, e) ? -1 : 1;
    }
}

/* The separator: the most frequent of , ; TAB on the header line (outside
 * quotes); ',' when none occurs. */
static char detect_delim(const char *buf, size_t len, const char *path)
{
    size_t n = strlen(path);
    if (n >= 4 && strcmp(path + n - 4, ".tsv") == 0)
        return '\t';
    size_t cnt[3] = {0, 0, 0};
    int inq = 0;
    for (size_t p = 0; p < len && (inq || buf[p] != '\n'); p++) {
        if (buf[p] == '"')
            inq = !inq;
        else if (!inq)
            cnt[0] += buf[p] == ',', cnt[1] += buf[p] == ';', cnt[2] += buf[p] == '\t';
    }
    if (cnt[1] > cnt[0] && cnt[1] >= cnt[2])
        return ';';
    if (cnt[2] > cnt[0] && cnt[2] > cnt[1])
        return '\t';
    return ',';
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Column names: trimmed, "unnamed_J" for empty ones, no duplicates (checked
 * through a hash table: a header may have millions of columns). */
static int name_columns(csv_reader *r, fw_table *t, long line, fw_err *e)
{
    fw_strtab seen;
    int rc = FW_OK;
    fw_strtab_init(&seen);
    for (size_t j = 0; j < r->nf && !rc; j++) {
        const csv_field *f = &r->f[j];
        char *name = trim_dup(field_text(r, f), f->n);
        if (name && !name[0]) {
            free(name);
            char buf[32];
            snprintf(buf, sizeof buf, "unnamed_%zu", j);
            name = fw_strdup(buf);
            fw_warn("%s:%ld:%ld: column %zu has no name; calling it '%s'", r->path, line, f->col,
                    j + 1, buf);
        }
        t->cols[j].name = name;
        uint32_t id = name ? fw_strtab_intern(&seen, name, strlen(name)) : UINT32_MAX;
        if (id == UINT32_MAX)
            rc = fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        else if (id < seen.n - 1)
            rc = fw_err_at(e, FW_EINVAL, r->path, line, f->col,
                           "duplicate column name '%s' (columns %u and %zu)", name, id + 1,
                           j + 1);
    }
    fw_strtab_free(&seen);
    return rc;
}

static int read_header(csv_reader *r, fw_table **out, fw_err *e)
{
    long line;
    int rc = csv_record(r, &line, e);
    if (rc < 0)
        return e->code;
    if (rc == 0)
        return fw_err_at(e, FW_EINVAL, r->path, 1, 0, "empty file: no header line");
    fw_table *t = fw_table_alloc(r->nf, r->path);
    if (!t)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    if ((rc = name_columns(r, t, line, e))) {
        fw_table_free(t);
        return rc;
    }
    *out = t;
    return FW_OK;
}

/* An upper bound on the data records: at most one per line, and each
 * record of n_cols fields takes at least n_cols bytes (separators and its
 * line end), so the columns' buffers never exceed the file's size. */
static size_t max_records(const char *buf, size_t len, size_t n_cols)
{
    size_t n = 1;
    for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL; p++)
        n++;
    size_t by_size = (len + 1) / (n_cols ? n_cols : 1) + 1;
    return n < by_size ? n : by_size;
}

/* A cell the fast path cannot take: through fw_colbuf_push (missing
 * tokens, blanks, strings, errors). *p is on the cell, left after it. */
static int slow_cell(csv_reader *r, fw_colbuf *c, const char *name, long line, size_t *p,
                     fw_err *e)
{
    csv_field fld = {*p, 0, (long)(*p - r->line_start) + 1, 0};
    if (*p < r->len && r->buf[*p] == '"') {
        r->pos = *p;
        r->nscratch = 0;
        if (read_quoted(r, &fld, e))
            return e->code;
        *p = r->pos;
    } else {
        size_t q;
        if (scan_unquoted(r, *p, &q, e))
            return e->code;
        fld.n = q - *p;
        if (fld.n && r->buf[q - 1] == '\r')
            fld.n--;
        *p = q;
    }
    return fw_colbuf_push(c, &r->miss, field_text(r, &fld), fld.n, r->path, line, fld.col,
                          name, e);
}

/* One data record, cell by cell into the column buffers. A cell that is a
 * whole number up to its separator is stored directly. */
static int pass1_record(csv_reader *r, fw_table *t, fw_colbuf *cb, long line, fw_err *e)
{
    const char *b = r->buf;
    size_t p = r->pos, j = 0;
    for (;; j++) {
        double v;
        const char *q = fw_parse_prefix(b + p, b + r->len, &v);
        size_t k = q ? (size_t)(q - b) : 0;
        if (q && k > p && (k == r->len || b[k] == r->delim || b[k] == '\n' || b[k] == '\r') &&
            isfinite(v) && !fw_missing_has(&r->miss, b + p, k - p)) {
            if (fw_colbuf_push_num(&cb[j], v))
                return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
            p = k;
        } else if (slow_cell(r, &cb[j], t->cols[j].name, line, &p, e)) {
            return e->code;
        }
        if (p < r->len && b[p] == r->delim && j + 1 < t->n_cols)
            p++;
        else
            break;
    }
    r->pos = p;
    if (j + 1 != t->n_cols || (p < r->len && b[p] == r->delim)) {
        size_t nf = j + 1;  /* count the rest for the message */
        while (p < r->len && b[p] != '\n')
            nf += b[p++] == r->delim;
        return fw_err_at(e, FW_EINVAL, r->path, line, 0,
                         "%s%zu field%s, but the header has %zu", nf > t->n_cols ? "" : "only ",
                         nf, nf == 1 ? "" : "s", t->n_cols);
    }
    return end_record(r, e);
}

/* Pass 1: every record; numbers parsed, strings interned. */
static int pass1(csv_reader *r, fw_table *t, fw_colbuf *cb, fw_err *e)
{
    size_t est = max_records(r->buf + r->pos, r->len - r->pos, t->n_cols);
    t->line = malloc(est * sizeof *t->line);
    if (!t->line)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    for (size_t j = 0; j < t->n_cols; j++)
        if (fw_colbuf_reserve(&cb[j], est))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    size_t row = 0;
    for (;;) {
        skip_blank_lines(r);
        if (r->pos >= r->len)
            break;
        long line = r->line;
        if (row == est)  /* cannot happen (see max_records); refuse rather than overflow */
            return fw_err_at(e, FW_EINVAL, r->path, line, 0, "more records than lines");
        if (pass1_record(r, t, cb, line, e))
            return e->code;
        t->line[row++] = line;
    }
    t->n_rows = row;
    return FW_OK;
}

/* Pass 2: re-read the listed columns as text (categorical with numeric-looking cells). */
static int pass2(csv_reader *r, fw_table *t, fw_colbuf *cb, const unsigned char *redo,
                 fw_err *e)
{
    for (size_t j = 0; j < t->n_cols; j++) {
        if (!redo[j])
            continue;
        fw_strtab_free(&cb[j].tab);
        if (!cb[j].sid && !(cb[j].sid = malloc((cb[j].cap ? cb[j].cap : 1) * sizeof *cb[j].sid)))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    }
    r->pos = 0;
    r->line = 1;
    r->line_start = 0;
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = r->line_start = 3;
    long line;
    if (csv_record(r, &line, e) != 1)
        return fw_err_set(e, FW_EIO, "%s changed while being read", r->path);
    for (size_t row = 0; row < t->n_rows; row++) {
        if (csv_record(r, &line, e) != 1)
            return fw_err_set(e, FW_EIO, "%s changed while being read", r->path);
        for (size_t j = 0; j < t->n_cols; j++) {
            if (!redo[j])
                continue;
            const char *s = field_text(r, &r->f[j]);
            size_t n = r->f[j].n;
            if (fw_missing_has(&r->miss, s, n)) {
                cb[j].sid[row] = UINT32_MAX;
                continue;
            }
            /* Trim like the number parser does, so " 1" and "1" are one level. */
            while (n && (*s == ' ' || *s == '\t'))
                s++, n--;
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            uint32_t id = fw_strtab_intern(&cb[j].tab, s, n);
            if (id == UINT32_MAX)
                return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
            cb[j].sid[row] = id;
        }
    }
    return FW_OK;
}

/* Decide each column's type; mark columns that need pass 2. */
static int type_columns(const char *path, fw_table *t, fw_colbuf *cb, const fw_data_opts *o,
                        unsigned char *redo, int *any_redo, fw_err *e)
{
    *any_redo = 0;
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *name = t->cols[j].name;
        int force_cat = o && fw_name_in(name, o->categorical, o->n_categorical);
        int force_num = o && fw_name_in(name, o->numeric, o->n_numeric);
        fw_colbuf *c = &cb[j];
        redo[j] = 0;
        if (force_num || (!force_cat && c->n_str == 0)) {
            if (c->n_str)
                return fw_err_at(e, FW_EINVAL, path, c->bad_line, c->bad_col,
                                 "column '%s' is listed in data.numeric, but '%s' is not a "
                                 "number", name, c->bad_text);
            continue;
        }
        if (!force_cat && c->n_num > c->n_str)
            return fw_err_at(e, FW_EINVAL, path, c->bad_line, c->bad_col,
                             "column '%s': '%s' is not a number, but %zu of its %zu other cells "
                             "are (a typo?). Fix the cell, add the token to data.missing, or "
                             "list the column in data.categorical",
                             name, c->bad_text, c->n_num, c->n_num + c->n_str - 1);
        if (c->n_num > 0) {
            redo[j] = 1;
            *any_redo = 1;
        }
    }
    return FW_OK;
}

int fw_csv_read(const char *path, const fw_data_opts *o, fw_table **out, fw_err *e)
{
    fw_err local;  /* the helpers below report through e: never NULL */
    if (!e)
        e = &local;
    char *buf = NULL;
    size_t len = 0;
    fw_table *t = NULL;
    fw_colbuf *cb = NULL;
    unsigned char *redo = NULL;
    size_t ncols = 0;
    int rc = fw_read_file(path, CSV_MAX_BYTES, &buf, &len, e);
    *out = NULL;
    if (rc)
        return rc;
    if ((rc = fw_text_check(buf, len, path, "CSV", e))) {
        free(buf);
        return rc;
    }
    csv_reader r = {.buf = buf, .len = len, .path = path, .line = 1};
    if (fw_missing_init(&r.miss, o)) {
        free(buf);
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r.pos = r.line_start = 3;
    r.delim = detect_delim(buf + r.pos, len - r.pos, path);
    if ((rc = read_header(&r, &t, e)))
        goto cleanup;
    ncols = t->n_cols;
    cb = calloc(ncols, sizeof *cb);
    redo = calloc(t->n_cols, 1);
    if (!cb || !redo) {
        rc = fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
        goto cleanup;
    }
    if ((rc = pass1(&r, t, cb, e)))
        goto cleanup;
    if (t->n_rows == 0) {
        rc = fw_err_at(e, FW_EINVAL, path, r.line, 0, "no data rows after the header");
        goto cleanup;
    }
    int any_redo;
    if ((rc = type_columns(path, t, cb, o, redo, &any_redo, e)))
        goto cleanup;
    if (any_redo && (rc = pass2(&r, t, cb, redo, e)))
        goto cleanup;
    for (size_t j = 0; j < t->n_cols; j++) {
        if (cb[j].sid && (cb[j].n_str || redo[j]) &&
            !(o && fw_name_in(t->cols[j].name, o->numeric, o->n_numeric))) {
            if (fw_colbuf_to_levels(&cb[j], &t->cols[j])) {
                rc = fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
                goto cleanup;
            }
        } else if (o && fw_name_in(t->cols[j].name, o->categorical, o->n_categorical)) {
            t->cols[j].categorical = 1;  /* all missing: no levels */
        }
        t->data[j] = cb[j].v;
        cb[j].v = NULL;
    }
    *out = t;
    t = NULL;
cleanup:
    for (size_t j = 0; cb && j < ncols; j++)
        fw_colbuf_free(&cb[j]);
    free(cb);
    free(redo);
    free(r.f);
    free(r.scratch);
    fw_missing_free(&r.miss);
    free(buf);
    fw_table_free(t);
    return rc;
}
