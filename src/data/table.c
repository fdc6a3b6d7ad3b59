/* table.c: the table every reader produces, format dispatch, and the
 * column typing shared by the text readers (CSV, ARFF). */
#define _DEFAULT_SOURCE /* sysconf(_SC_PHYS_PAGES) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "data_int.h"

const char *const fw_default_missing[] = {"", "NA", "NaN", "nan", "N/A", "?", "null", "NULL"};
const size_t fw_n_default_missing = sizeof fw_default_missing / sizeof fw_default_missing[0];

fw_table *fw_table_alloc(size_t n_cols, const char *source)
{
    fw_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n_cols = n_cols;
    t->target_col = t->group_col = -1;
    t->cols = calloc(n_cols ? n_cols : 1, sizeof *t->cols);
    t->data = calloc(n_cols ? n_cols : 1, sizeof *t->data);
    t->source = fw_strdup(source ? source : "");
    if (!t->cols || !t->data || !t->source) {
        fw_table_free(t);
        return NULL;
    }
    return t;
}

void fw_column_clear(fw_column *c)
{
    free(c->name);
    for (size_t l = 0; l < c->n_levels; l++)
        free(c->levels[l]);
    free(c->levels);
    memset(c, 0, sizeof *c);
}

void fw_table_free(fw_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->n_cols; j++) {
        if (t->cols)
            fw_column_clear(&t->cols[j]);
        if (t->data)
            free(t->data[j]);
    }
    free(t->cols);
    free(t->data);
    free(t->line);
    free(t->source);
    free(t);
}

int fw_missing_init(fw_missing *m, const fw_data_opts *o)
{
    int user = o && o->missing;
    m->tok = user ? (const char *const *)o->missing : fw_default_missing;
    m->n = user ? o->n_missing : fw_n_default_missing;
    m->lenmask = 0;
    m->len = malloc((m->n ? m->n : 1) * sizeof *m->len);
    if (!m->len)
        return FW_ENOMEM;
    for (size_t i = 0; i < m->n; i++) {
        m->len[i] = strlen(m->tok[i]);
        m->lenmask |= 1ULL << (m->len[i] < 63 ? m->len[i] : 63);
    }
    return FW_OK;
}

void fw_missing_free(fw_missing *m)
{
    if (m)
        free(m->len);
}

int fw_missing_has(const fw_missing *m, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!(m->lenmask >> (n < 63 ? n : 63) & 1))
        return 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->len[i] == n && memcmp(m->tok[i], s, n) == 0)
            return 1;
    return 0;
}

int fw_dense_check(size_t rows, size_t cols, const char *path, fw_err *e)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    double mem = pages > 0 && psz > 0 ? (double)pages * (double)psz : 64.0 * (1 << 30);
    /* The table and the dataset's X each hold one copy while building; each
     * column also costs its descriptor, name and allocations (~256 bytes). */
    double need = 2.0 * (double)rows * (double)cols * sizeof(double) + 256.0 * (double)cols;
    if (need <= mem / 2)
        return FW_OK;
    return fw_err_at(e, FW_EINVAL, path, 0, 0,
                     "%zu rows x %zu columns would need %.1f GiB as a dense matrix, more than "
                     "half of this machine's %.1f GiB (foldwise stores data dense)",
                     rows, cols, need / (1 << 30), mem / (1 << 30));
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return k;
}

int fw_text_check(const char *buf, size_t len, const char *path, const char *what, fw_err *e)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0, k = 1;
    while (i < len) {
        uint64_t w;
        /* Eight ASCII bytes without a zero at once: the common case. */
        if (i + 8 <= len && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ULL)) &&
            !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
            i += 8;
            continue;
        }
        if (s[i] && s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] && (k = utf8_len(s + i, len - i)) > 0) {
            i += k;
            continue;
        }
        break;
    }
    if (i >= len)
        return FW_OK;
    long line = 1;
    size_t ls = 0;
    for (size_t p = 0; p < i; p++)
        if (s[p] == '\n')
            line++, ls = p + 1;
    if (!s[i])
        return fw_err_at(e, FW_EINVAL, path, line, (long)(i - ls) + 1,
                         "NUL byte: this is not a text (%s) file", what);
    return fw_err_at(e, FW_EINVAL, path, line, (long)(i - ls) + 1,
                     "invalid UTF-8 (byte 0x%02X): foldwise reads %s files as UTF-8; convert "
                     "the file (for example iconv -f latin1 -t utf-8)", s[i], what);
}

int fw_name_in(const char *name, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    return dot ? dot + 1 : "";
}

int fw_table_read(const fw_data_opts *opts, const char *path, fw_table **out, fw_err *e)
{
    const char *fmt = opts && opts->format && strcmp(opts->format, "auto") != 0 ? opts->format
                                                                               : NULL;
    *out = NULL;
    if (!fmt) {
        const char *x = ext_of(path);
        if (!strcasecmp(x, "csv") || !strcasecmp(x, "tsv") || !strcasecmp(x, "txt"))
            fmt = "csv";
        else if (!strcasecmp(x, "libsvm") || !strcasecmp(x, "svm") || !strcasecmp(x, "svmlight"))
            fmt = "libsvm";
        else if (!strcasecmp(x, "h5") || !strcasecmp(x, "hdf5"))
            fmt = "hdf5";
        else if (!strcasecmp(x, "arff"))
            fmt = "arff";
        else
            return fw_err_at(e, FW_EINVAL, path, 0, 0,
                             "cannot tell the format from the extension '.%s': set data.format "
                             "to csv, libsvm, hdf5 or arff", x);
    }
    if (!strcmp(fmt, "csv") || !strcmp(fmt, "tsv"))
        return fw_csv_read(path, opts, out, e);
    if (!strcmp(fmt, "libsvm") || !strcmp(fmt, "svmlight"))
        return fw_libsvm_read(path, opts, out, e);
    if (!strcmp(fmt, "hdf5"))
        return fw_hdf5_read(path, opts, out, e);
    if (!strcmp(fmt, "arff"))
        return fw_arff_read(path, opts, out, e);
    return fw_err_set(e, FW_EINVAL, "data.format: unknown format '%s' (csv, libsvm, hdf5, arff)",
                      fmt);
}

/* ---- column typing for text readers ----------------------------------- */

int fw_colbuf_reserve(fw_colbuf *c, size_t rows)
{
    if (rows <= c->cap)
        return FW_OK;
    double *v = realloc(c->v, rows * sizeof *v);
    if (!v)
        return FW_ENOMEM;
    c->v = v;
    if (c->sid) {
        uint32_t *s = realloc(c->sid, rows * sizeof *s);
        if (!s)
            return FW_ENOMEM;
        c->sid = s;
    }
    c->cap = rows;
    return FW_OK;
}

int fw_colbuf_push(fw_colbuf *c, const fw_missing *m, const char *s, size_t n,
                   const char *path, long line, long col, const char *colname, fw_err *e)
{
    if (c->n == c->cap && fw_colbuf_reserve(c, c->cap ? c->cap * 2 : 1024))
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
    double x;
    if (fw_missing_has(m, s, n)) {
        c->v[c->n] = NAN;
    } else if (fw_parse_double(s, n, &x)) {
        if (!isfinite(x))
            return fw_err_at(e, FW_EINVAL, path, line, col,
                             "column '%s': '%.*s' is out of the range of a double", colname,
                             (int)(n > 40 ? 40 : n), s);
        c->v[c->n] = x;
        c->n_num++;
    } else if (fw_is_inf_word(s, n)) {
        return fw_err_at(e, FW_EINVAL, path, line, col,
                         "column '%s': infinite value '%.*s' (infinities are not allowed)",
                         colname, (int)(n > 40 ? 40 : n), s);
    } else {
        if (!c->sid) {
            c->sid = malloc(c->cap * sizeof *c->sid);
            if (!c->sid)
                return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
            for (size_t i = 0; i < c->cap; i++)
                c->sid[i] = UINT32_MAX;
        }
        uint32_t id = fw_strtab_intern(&c->tab, s, n);
        if (id == UINT32_MAX)
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
        if (c->n_str++ == 0) {
            c->bad_line = line;
            c->bad_col = col;
            snprintf(c->bad_text, sizeof c->bad_text, "%.*s", (int)(n > 40 ? 40 : n), s);
        }
        c->v[c->n] = NAN;
        c->sid[c->n] = id;
        c->n++;
        return FW_OK;
    }
    if (c->sid)
        c->sid[c->n] = UINT32_MAX;
    c->n++;
    return FW_OK;
}

void fw_colbuf_free(fw_colbuf *c)
{
    if (!c)
        return;
    free(c->v);
    free(c->sid);
    fw_strtab_free(&c->tab);
    memset(c, 0, sizeof *c);
}

/* Replace string ids by sorted level codes in c->v; levels go to col. */
int fw_colbuf_to_levels(fw_colbuf *c, fw_column *col)
{
    uint32_t *remap = NULL;
    col->n_levels = c->tab.n;
    if (fw_levels_sort(&c->tab, &col->levels, &remap))
        return FW_ENOMEM;
    col->categorical = 1;
    for (size_t i = 0; i < c->n; i++)
        if (c->sid && c->sid[i] != UINT32_MAX)
            c->v[i] = (double)remap[c->sid[i]];
    free(remap);
    return FW_OK;
}
