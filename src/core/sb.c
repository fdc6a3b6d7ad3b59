/* sb.c: growable string buffer used to build JSON, CSV, HTML and messages. */
#include "foldwise/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fw_sb_init(fw_sb *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void fw_sb_free(fw_sb *b)
{
    if (!b)
        return;
    free(b->s);
    fw_sb_init(b);
}

void fw_sb_reset(fw_sb *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

static int sb_reserve(fw_sb *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void fw_sb_appendn(fw_sb *b, const char *s, size_t n)
{
    if (n == 0 && b->s)
        return; /* also keeps memcpy from seeing a NULL source */
    if (sb_reserve(b, n))
        return;
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void fw_sb_append(fw_sb *b, const char *s)
{
    fw_sb_appendn(b, s, strlen(s));
}

void fw_sb_vprintf(fw_sb *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || sb_reserve(b, (size_t)n))
        return;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void fw_sb_printf(fw_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fw_sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void fw_sb_json_str(fw_sb *b, const char *s)
{
    fw_sb_append(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fw_sb_append(b, "\\\""); break;
        case '\\': fw_sb_append(b, "\\\\"); break;
        case '\n': fw_sb_append(b, "\\n"); break;
        case '\r': fw_sb_append(b, "\\r"); break;
        case '\t': fw_sb_append(b, "\\t"); break;
        default:
            if (*p < 0x20)
                fw_sb_printf(b, "\\u%04x", *p);
            else
                fw_sb_appendn(b, (const char *)p, 1);
        }
    }
    fw_sb_append(b, "\"");
}

void fw_fmt_double(char *buf, size_t n, double v)
{
    if (isnan(v)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, n, v > 0 ? "inf" : "-inf");
        return;
    }
    /* The fewest significant digits that read back exactly (if p digits
     * do, p + 1 do too, so a binary search finds it), in fixed notation for
     * exponents in [-5, 15] (as Python's repr: 10 is "10", not "1e+01"). */
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(buf, n, "%.*e", mid - 1, v);
        if (strtod(buf, NULL) == v)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(buf, n, "%.*e", lo - 1, v);
    int ex = atoi(strchr(buf, 'e') + 1);
    if (ex >= -5 && ex <= 15)
        snprintf(buf, n, "%.*f", lo - 1 - ex > 0 ? lo - 1 - ex : 0, v);
    else
        snprintf(buf, n, "%.*g", lo, v);
}

void fw_sb_json_num(fw_sb *b, double v)
{
    if (!isfinite(v)) {
        fw_sb_append(b, "null");
        return;
    }
    char buf[40];
    fw_fmt_double(buf, sizeof buf, v);
    fw_sb_append(b, buf);
}

void fw_sb_csv_field(fw_sb *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fw_sb_append(b, s);
        return;
    }
    fw_sb_append(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fw_sb_append(b, "\"\"");
        else
            fw_sb_appendn(b, p, 1);
    }
    fw_sb_append(b, "\"");
}

char *fw_sb_take(fw_sb *b)
{
    if (b->oom) {
        fw_sb_free(b);
        return NULL;
    }
    char *s = b->s ? b->s : calloc(1, 1);
    fw_sb_init(b);
    return s;
}
