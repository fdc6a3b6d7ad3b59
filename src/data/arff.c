/* arff.c: the ARFF (Weka) reader.
 *
 *   % comment
 *   @relation NAME
 *   @attribute NAME numeric|real|integer|string|date ["FORMAT"]|{v1, v2, ...}
 *   @data
 *   1.5, 'a b', ?, red          (dense row)
 *   {0 1.5, 3 red}              (sparse row: 0-based index, value)
 *
 * Keywords are case-insensitive; values may be quoted with ' or " and use
 * backslash escapes; an unquoted % starts a comment; `?` is missing (a
 * quoted '?' is the text ?). Nominal attributes become categorical columns
 * whose levels are the declared values sorted by foldwise's rule (as
 * strings, or numerically when all are numbers), not in declaration order,
 * so that class codes follow CONTRACT.md whatever the input format;
 * declared values that no row uses are dropped (scikit-learn only ever sees
 * the values present). String
 * attributes become categorical columns of the values seen. Dates become
 * numbers: seconds since 1970-01-01 UTC, read with the attribute's
 * SimpleDateFormat pattern restricted to numeric fields (see parse_date).
 * In sparse rows an omitted value is 0 (numeric, date) or the first
 * declared value (nominal), as in Weka; omitting a string attribute is an
 * error. The target defaults to the last attribute (Weka's convention). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data_int.h"

#define ARFF_MAX_BYTES ((size_t)64 << 30)
#define ARFF_DEFAULT_DATE "yyyy-MM-dd'T'HH:mm:ss"

typedef enum { A_NUMERIC, A_NOMINAL, A_STRING, A_DATE } arff_kind;

typedef struct arff_attr {
    char *name;
    arff_kind kind;
    fw_strtab tab;    /* nominal: declared values (ids < n_decl); string: values seen */
    size_t n_decl;
    char *datefmt;
    double *v;        /* per row: number, or string id (NaN = missing) */
} arff_attr;

/* One value as read: text (unescaped when quoted) and where it starts. */
typedef struct arff_val {
    const char *s;    /* unquoted: the text in the file */
    size_t off;       /* quoted: offset of the unescaped text in the scratch buffer */
    size_t n;
    int quoted;
    long col;
} arff_val;

typedef struct arff_reader {
    const char *path, *buf;
    size_t len, pos;
    long line;           /* line number of the current line */
    const char *ls;      /* current line start, for columns */
    arff_attr *a;
    size_t na, capa;
    size_t rows, caprows;
    long *rowline;
    fw_sb scratch;       /* unescaped text of quoted values, reset per line */
} arff_reader;

#define COL(r, p) ((long)((p) - (r)->ls) + 1)
#define TXT(s, n) (int)((n) > 40 ? 40 : (n)), (s)

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Next line into [*ls, *le) (without the newline); 0 at the end. */
static int next_line(arff_reader *r, const char **ls, const char **le)
{
    if (r->pos >= r->len)
        return 0;
    const char *s = r->buf + r->pos, *end = r->buf + r->len;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    *ls = s;
    *le = nl ? nl : end;
    r->pos = (size_t)(*le - r->buf) + 1;
    r->line++;
    r->ls = s;
    return 1;
}

static const char *skip_blank(const char *p, const char *end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

static char unescape(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    default: return c;  /* \\ \' \" \% and anything else: the character */
    }
}

/* A quoted value starting at *p (on the quote). Text goes to the scratch
 * buffer; scratch offsets are stable until the next row. */
static int read_quoted(arff_reader *r, const char **p, const char *end, arff_val *v, fw_err *e)
{
    char q = **p;
    const char *s = *p + 1;
    size_t off = r->scratch.len;
    for (;; s++) {
        if (s >= end)
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                             "unterminated quote (the %c opened here is not closed on this "
                             "line)", q);
        if (*s == q)
            break;
        char c = *s;
        if (c == '\\' && s + 1 < end)
            c = unescape(*++s);
        fw_sb_appendn(&r->scratch, &c, 1);
    }
    if (r->scratch.oom)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    *p = s + 1;
    v->n = r->scratch.len - off;
    v->off = off;  /* an offset: the scratch buffer may move while a row is read */
    v->quoted = 1;
    return FW_OK;
}

static const char *val_text(const arff_reader *r, const arff_val *v)
{
    if (!v->quoted)
        return v->s;
    return r->scratch.s ? r->scratch.s + v->off : "";  /* '' before any quoted text */
}

/* The next value at *p up to a ',' or `stop` (or the end / a comment). On
 * return *p is on the terminator. */
static int next_value(arff_reader *r, const char **p, const char *end, char stop, arff_val *v,
                      fw_err *e)
{
    const char *s = skip_blank(*p, end);
    v->col = COL(r, s);
    v->quoted = 0;
    if (s < end && (*s == '\'' || *s == '"')) {
        int rc = read_quoted(r, &s, end, v, e);
        if (rc)
            return rc;
        s = skip_blank(s, end);
        if (s < end && *s != ',' && *s != stop && *s != '%')
            return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, s),
                             "unexpected '%c' after a quoted value (a separator ',' is missing?)",
                             *s);
        *p = s;
        return FW_OK;
    }
    const char *q = s;
    while (q < end && *q != ',' && *q != stop && *q != '%')
        q++;
    const char *t = q;
    while (t > s && is_blank(t[-1]))
        t--;
    v->s = s;
    v->n = (size_t)(t - s);
    *p = q;
    return FW_OK;
}

/* ---- dates --------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar: count
 * in 400-year eras starting on March 1st, so the leap day ends a year. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(long y, long m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* Read 1..max digits. */
static int read_digits(const char **s, const char *end, int max, long *out)
{
    int k = 0;
    long v = 0;
    while (*s < end && k < max && **s >= '0' && **s <= '9') {
        v = v * 10 + (**s - '0');
        (*s)++;
        k++;
    }
    *out = v;
    return k > 0;
}

/* Walk a SimpleDateFormat pattern over text (text NULL: only check the
 * pattern). Supported: y (4-digit years), M (numeric month), d, H, m, s,
 * S (milliseconds), 'quoted literals' and other literal characters.
 * Returns 1 on success with *secs. */
static int parse_date(const char *fmt, const char *s, const char *end, double *secs)
{
    long f[7] = {1970, 1, 1, 0, 0, 0, 0}; /* y M d H m s S */
    static const char letters[] = "yMdHmsS";
    for (const char *p = fmt; *p;) {
        if (*p == '\'') {
            const char *q = strchr(p + 1, '\'');
            if (!q)
                return 0;
            if (q == p + 1 && s && (s >= end || *s++ != '\''))
                return 0;
            for (const char *c = p + 1; c < q && s; c++)
                if (s >= end || *s++ != *c)
                    return 0;
            p = q + 1;
            continue;
        }
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            const char *k = strchr(letters, *p);
            int run = 1;
            while (p[run] == *p)
                run++;
            if (!k || (*p == 'M' && run > 2) || (*p == 'y' && run == 2))
                return 0;  /* names, zones, 2-digit years: unsupported */
            int idx = (int)(k - letters);
            int maxd = *p == 'y' ? 4 : *p == 'S' ? 3 : 2;
            if (s && !read_digits(&s, end, maxd, &f[idx]))
                return 0;
            p += run;
            continue;
        }
        if (s && (s >= end || *s++ != *p))
            return 0;
        p++;
    }
    if (!s)
        return 1;
    if (s != end || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > days_in_month(f[0], f[1]) ||
        f[3] > 23 || f[4] > 59 || f[5] > 59)
        return 0;
    *secs = (double)days_from_civil(f[0], f[1], f[2]) * 86400.0 +
            (double)(f[3] * 3600 + f[4] * 60 + f[5]) + (double)f[6] / 1000.0;
    return 1;
}

/* ---- header -------------------------------------------------------------- */

/* Case-insensitive: does [p, end) start with the word w (followed by a
 * blank, '{' or the end)? */
static int word_is(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(end - p) < n || strncasecmp(p, w, n) != 0)
        return 0;
    return p + n == end || is_blank(p[n]) || p[n] == '{' || p[n] == '%';
}

static char *dup_val(const arff_reader *r, const arff_val *v)
{
    char *d = malloc(v->n + 1);
    if (d) {
        memcpy(d, val_text(r, v), v->n);
        d[v->n] = '\0';
    }
    return d;
}

/* An attribute name: quoted, or bare up to a blank or '{'. */
static int attr_name(arff_reader *r, const char **p, const char *end, char **name, fw_err *e)
{
    const char *s = skip_blank(*p, end);
    arff_val v = {.col = COL(r, s)};
    fw_sb_reset(&r->scratch);
    if (s < end && (*s == '\'' || *s == '"')) {
        if (read_quoted(r, &s, end, &v, e))
            return e->code;
    } else {
        const char *q = s;
        while (q < end && !is_blank(*q) && *q != '{' && *q != '%')
            q++;
        v.s = s;
        v.n = (size_t)(q - s);
        s = q;
    }
    if (v.n == 0)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col, "@attribute without a name");
    if (!(*name = dup_val(r, &v)))
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    for (size_t j = 0; j < r->na; j++)
        if (strcmp(r->a[j].name, *name) == 0)
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col,
                             "duplicate attribute name '%s' (attributes %zu and %zu)", *name,
                             j + 1, r->na + 1);
    *p = s;
    return FW_OK;
}

/* {v1, v2, ...}: *p is on the '{'. */
static int nominal_values(arff_reader *r, arff_attr *a, const char **p, const char *end,
                          fw_err *e)
{
    const char *s = *p + 1;
    fw_sb_reset(&r->scratch);
    for (;;) {
        arff_val v;
        int rc = next_value(r, &s, end, '}', &v, e);
        if (rc)
            return rc;
        if (s >= end || *s == '%')
            return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, *p),
                             "the nominal value list opened here has no closing '}'");
        if (v.n == 0 && !v.quoted) {
            if (*s == '}' && a->n_decl == 0)
                return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col,
                                 "nominal attribute '%s' declares no values", a->name);
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col,
                             "empty nominal value in the declaration of '%s'", a->name);
        }
        uint32_t id = fw_strtab_intern(&a->tab, val_text(r, &v), v.n);
        if (id == UINT32_MAX)
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        if (id < a->n_decl)
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col,
                             "nominal value '%.*s' is declared twice in '%s'",
                             TXT(val_text(r, &v), v.n), a->name);
        a->n_decl++;
        if (*s++ == '}')
            break;
    }
    *p = s;
    return FW_OK;
}

/* The date format after `date`, quoted or bare; default ISO 8601. */
static int date_format(arff_reader *r, arff_attr *a, const char **p, const char *end, fw_err *e)
{
    const char *s = skip_blank(*p, end);
    if (s >= end || *s == '%') {
        a->datefmt = fw_strdup(ARFF_DEFAULT_DATE);
    } else {
        arff_val v;
        fw_sb_reset(&r->scratch);
        int rc = next_value(r, &s, end, '\0', &v, e);
        if (rc)
            return rc;
        a->datefmt = dup_val(r, &v);
        if (a->datefmt && !parse_date(a->datefmt, NULL, NULL, NULL))
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v.col,
                             "date format '%s' is not supported: foldwise reads numeric "
                             "fields (yyyy, MM, dd, HH, mm, ss, SSS) and literal text, not "
                             "month names, time zones or 2-digit years", a->datefmt);
    }
    if (!a->datefmt)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    *p = s;
    return FW_OK;
}

static int attr_type(arff_reader *r, arff_attr *a, const char **p, const char *end, fw_err *e)
{
    const char *s = skip_blank(*p, end);
    const char *w = s;
    if (s < end && *s == '{') {
        a->kind = A_NOMINAL;
        *p = s;
        return nominal_values(r, a, p, end, e);
    }
    while (s < end && !is_blank(*s) && *s != '%')
        s++;
    size_t n = (size_t)(s - w);
    *p = s;
    if (word_is(w, end, "numeric") || word_is(w, end, "real") || word_is(w, end, "integer")) {
        a->kind = A_NUMERIC;
        return FW_OK;
    }
    if (word_is(w, end, "string")) {
        a->kind = A_STRING;
        return FW_OK;
    }
    if (word_is(w, end, "date")) {
        a->kind = A_DATE;
        return date_format(r, a, p, end, e);
    }
    if (word_is(w, end, "relational"))
        return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, w),
                         "relational attributes are not supported");
    return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, w),
                     "unknown attribute type '%.*s' (numeric, real, integer, string, date or "
                     "{value, ...})", TXT(w, n));
}

static int add_attribute(arff_reader *r, const char *p, const char *end, fw_err *e)
{
    if (r->na == r->capa) {
        size_t cap = r->capa ? r->capa * 2 : 16;
        arff_attr *a = realloc(r->a, cap * sizeof *a);
        if (!a)
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        r->a = a;
        r->capa = cap;
    }
    arff_attr *a = &r->a[r->na];
    memset(a, 0, sizeof *a);
    int rc = attr_name(r, &p, end, &a->name, e);
    if (!rc)
        rc = attr_type(r, a, &p, end, e);
    r->na++;  /* owned by the reader from here, freed with it */
    if (rc)
        return rc;
    p = skip_blank(p, end);
    if (p < end && *p != '%')
        return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, p),
                         "unexpected '%.*s' after the type of attribute '%s'",
                         TXT(p, (size_t)(end - p)), a->name);
    return FW_OK;
}

/* Header lines up to and including @data. */
static int read_header(arff_reader *r, fw_err *e)
{
    const char *ls, *le;
    while (next_line(r, &ls, &le)) {
        const char *p = skip_blank(ls, le);
        if (p == le || *p == '%')
            continue;
        if (*p != '@')
            return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, p),
                             "data before @data (or a header line without '@')");
        if (word_is(p, le, "@relation"))
            continue;
        if (word_is(p, le, "@attribute")) {
            int rc = add_attribute(r, p + 10, le, e);
            if (rc)
                return rc;
            continue;
        }
        if (word_is(p, le, "@data")) {
            if (r->na == 0)
                return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, p),
                                 "@data before any @attribute");
            return FW_OK;
        }
        const char *q = p;
        while (q < le && !is_blank(*q))
            q++;
        return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, p),
                         "unknown keyword '%.*s' (@relation, @attribute, @data)",
                         TXT(p, (size_t)(q - p)));
    }
    return fw_err_at(e, FW_EINVAL, r->path, r->line, 0, "no @data line: the file ends in the "
                                                       "header");
}

/* ---- data ---------------------------------------------------------------- */

/* Store one value of attribute j in the current row. */
static int put_value(arff_reader *r, size_t j, const arff_val *v, fw_err *e)
{
    arff_attr *a = &r->a[j];
    const char *s = val_text(r, v);
    double *out = &a->v[r->rows];
    if (!v->quoted && v->n == 1 && s[0] == '?') {
        *out = NAN;
        return FW_OK;
    }
    if (!v->quoted && v->n == 0)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                         "empty value for attribute '%s' (write ? for a missing value)", a->name);
    if (a->kind == A_NUMERIC) {
        if (!fw_parse_double(s, v->n, out))
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                             "attribute '%s' is numeric, but '%.*s' is not a number", a->name,
                             TXT(s, v->n));
        if (!isfinite(*out))
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                             "attribute '%s': '%.*s' is not finite", a->name, TXT(s, v->n));
        return FW_OK;
    }
    if (a->kind == A_DATE) {
        if (!parse_date(a->datefmt, s, s + v->n, out))
            return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                             "attribute '%s': '%.*s' is not a date in the format '%s'", a->name,
                             TXT(s, v->n), a->datefmt);
        return FW_OK;
    }
    uint32_t id = fw_strtab_intern(&a->tab, s, v->n);
    if (id == UINT32_MAX)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    if (a->kind == A_NOMINAL && id >= a->n_decl)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, v->col,
                         "'%.*s' is not a declared value of nominal attribute '%s'", TXT(s, v->n),
                         a->name);
    *out = (double)id;
    return FW_OK;
}

/* After the last value: only blanks or a comment may follow. */
static int row_end(arff_reader *r, const char *p, const char *end, fw_err *e)
{
    p = skip_blank(p, end);
    if (p < end && *p != '%')
        return fw_err_at(e, FW_EINVAL, r->path, r->line, COL(r, p),
                         "unexpected '%.*s' at the end of the row (instance weights are not "
                         "supported)", TXT(p, (size_t)(end - p)));
    return FW_OK;
}

static int dense_row(arff_reader *r, const char *p, const char *end, fw_err *e)
{
    size_t j = 0;
    for (;;) {
        arff_val v;
        int rc = next_value(r, &p, end, '\0', &v, e);
        if (rc)
            return rc;
        if (j < r->na && (rc = put_value(r, j, &v, e)))
            return rc;
        j++;
        if (p >= end || *p != ',')
            break;
        p++;
    }
    if (j != r->na)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, 0,
                         "%zu value%s, but there are %zu attributes", j, j == 1 ? "" : "s",
                         r->na);
    return row_end(r, p, end, e);
}

/* Values omitted from a sparse row: 0, or the first declared value. */
static int sparse_fill(arff_reader *r, size_t from, size_t to, long col, fw_err *e)
{
    for (size_t j = from; j < to; j++) {
        arff_attr *a = &r->a[j];
        if (a->kind == A_STRING)
            return fw_err_at(e, FW_EINVAL, r->path, r->line, col,
                             "sparse row omits string attribute '%s' (its value would be "
                             "undefined): give it explicitly", a->name);
        /* Nominal: 0 is the id of the first declared value. */
        a->v[r->rows] = 0.0;
    }
    return FW_OK;
}

static int sparse_entry(arff_reader *r, const char **pp, const char *end, long *prev,
                        fw_err *e)
{
    const char *p = skip_blank(*pp, end), *q = p;
    long col = COL(r, p), idx = 0;
    while (q < end && *q >= '0' && *q <= '9' && idx <= (long)r->na)
        idx = idx * 10 + (*q++ - '0');
    if (q == p || q >= end || !is_blank(*q))
        return fw_err_at(e, FW_EINVAL, r->path, r->line, col,
                         "sparse entry '%.*s' is not INDEX VALUE", TXT(p, (size_t)(end - p)));
    if (idx >= (long)r->na)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, col,
                         "sparse index %.*s is out of range (0..%zu)", TXT(p, (size_t)(q - p)),
                         r->na - 1);
    if (idx <= *prev)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, col,
                         "sparse index %ld after %ld: indices must increase", idx, *prev);
    int rc = sparse_fill(r, (size_t)(*prev + 1), (size_t)idx, col, e);
    arff_val v;
    if (!rc)
        rc = next_value(r, &q, end, '}', &v, e);
    if (!rc)
        rc = put_value(r, (size_t)idx, &v, e);
    *prev = idx;
    *pp = q;
    return rc;
}

static int sparse_row(arff_reader *r, const char *p, const char *end, fw_err *e)
{
    long prev = -1, open = COL(r, p);
    p = skip_blank(p + 1, end);
    int rc;
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            if ((rc = sparse_entry(r, &p, end, &prev, e)))
                return rc;
            if (p >= end || *p == '%')
                return fw_err_at(e, FW_EINVAL, r->path, r->line, open,
                                 "the sparse row opened here has no closing '}'");
            if (*p++ == '}')
                break;
        }
    }
    if ((rc = sparse_fill(r, (size_t)(prev + 1), r->na, open, e)))
        return rc;
    return row_end(r, p, end, e);
}

static size_t count_newlines(const char *s, const char *end)
{
    size_t n = 0;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

static int read_rows(arff_reader *r, fw_err *e)
{
    const char *ls, *le;
    r->caprows = count_newlines(r->buf + r->pos, r->buf + r->len) + 1;
    if (fw_dense_check(r->caprows, r->na, r->path, e))
        return e->code;
    r->rowline = malloc(r->caprows * sizeof *r->rowline);
    if (!r->rowline)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    for (size_t j = 0; j < r->na; j++)
        if (!(r->a[j].v = malloc(r->caprows * sizeof *r->a[j].v)))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    while (next_line(r, &ls, &le)) {
        const char *p = skip_blank(ls, le);
        if (p == le || *p == '%')
            continue;
        fw_sb_reset(&r->scratch);
        int rc = *p == '{' ? sparse_row(r, p, le, e) : dense_row(r, p, le, e);
        if (rc)
            return rc;
        r->rowline[r->rows++] = r->line;
    }
    if (r->rows == 0)
        return fw_err_at(e, FW_EINVAL, r->path, r->line, 0, "no data rows after @data");
    return FW_OK;
}

/* Drop the declared levels no row uses, so that classes and one-hot columns
 * are the values present, as scikit-learn sees them. */
static int prune_levels(fw_column *c, double *v, size_t n)
{
    size_t *code = calloc(c->n_levels ? c->n_levels : 1, sizeof *code);
    if (!code)
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            code[(size_t)v[i]] = 1;
    size_t k = 0;
    for (size_t l = 0; l < c->n_levels; l++) {
        if (!code[l]) {
            free(c->levels[l]);
            continue;
        }
        c->levels[k] = c->levels[l];
        code[l] = k++;
    }
    c->n_levels = k;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[i] = (double)code[(size_t)v[i]];
    free(code);
    return FW_OK;
}

/* Move the attributes into a table (string ids become sorted level codes). */
static int to_table(arff_reader *r, fw_table **out, fw_err *e)
{
    fw_table *t = fw_table_alloc(r->na, r->path);
    if (!t)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
    t->n_rows = r->rows;
    t->line = r->rowline;
    r->rowline = NULL;
    t->target_col = (long)r->na - 1;
    for (size_t j = 0; j < r->na; j++) {
        arff_attr *a = &r->a[j];
        fw_column *c = &t->cols[j];
        c->name = a->name;
        a->name = NULL;
        t->data[j] = a->v;
        a->v = NULL;
        if (a->kind != A_NOMINAL && a->kind != A_STRING)
            continue;
        uint32_t *remap;
        c->n_levels = a->tab.n;
        if (fw_levels_sort(&a->tab, &c->levels, &remap)) {
            c->n_levels = 0;
            fw_table_free(t);
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        }
        c->categorical = 1;
        for (size_t i = 0; i < r->rows; i++)
            if (!isnan(t->data[j][i]))
                t->data[j][i] = (double)remap[(uint32_t)t->data[j][i]];
        free(remap);
        if (prune_levels(c, t->data[j], r->rows)) {
            fw_table_free(t);
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", r->path);
        }
    }
    *out = t;
    return FW_OK;
}

static void reader_free(arff_reader *r)
{
    for (size_t j = 0; j < r->na; j++) {
        free(r->a[j].name);
        free(r->a[j].datefmt);
        free(r->a[j].v);
        fw_strtab_free(&r->a[j].tab);
    }
    free(r->a);
    free(r->rowline);
    fw_sb_free(&r->scratch);
}

int fw_arff_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e)
{
    fw_err local;  /* the helpers below report through e: never NULL */
    if (!e)
        e = &local;
    char *buf;
    size_t len;
    (void)opts;  /* ARFF declares its own types and its missing token '?' */
    *out = NULL;
    int rc = fw_read_file(path, ARFF_MAX_BYTES, &buf, &len, e);
    if (rc)
        return rc;
    arff_reader r = {.path = path, .buf = buf, .len = len};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r.pos = 3;
    if (!(rc = fw_text_check(buf, len, path, "ARFF", e)) && !(rc = read_header(&r, e)) &&
        !(rc = read_rows(&r, e)))
        rc = to_table(&r, out, e);
    reader_free(&r);
    free(buf);
    return rc;
}
