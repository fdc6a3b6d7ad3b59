/* bin.c: binary records, written to an fw_sb and read back from a bounded
 * buffer. The journal's results, results.h5's packed tables, saved models
 * and their preprocessing all use these, so every reader of untrusted
 * bytes checks bounds the same way. */
#include <stdlib.h>
#include <string.h>

#include "foldwise/core.h"

void fw_put_u64(fw_sb *b, uint64_t v) { fw_sb_appendn(b, (const char *)&v, sizeof v); }
void fw_put_i64(fw_sb *b, int64_t v) { fw_sb_appendn(b, (const char *)&v, sizeof v); }
void fw_put_f64(fw_sb *b, double v) { fw_sb_appendn(b, (const char *)&v, sizeof v); }

void fw_put_str(fw_sb *b, const char *s)
{
    if (!s) {
        fw_put_u64(b, UINT64_MAX);
        return;
    }
    size_t n = strlen(s);
    fw_put_u64(b, n);
    fw_sb_appendn(b, s, n);
}

void fw_reader_init(fw_reader *r, const void *buf, size_t n)
{
    r->p = buf;
    r->end = r->p + n;
    r->bad = 0;
}

size_t fw_reader_left(const fw_reader *r) { return (size_t)(r->end - r->p); }

void fw_get(fw_reader *r, void *dst, size_t n)
{
    if (r->bad || fw_reader_left(r) < n) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p, n);
    r->p += n;
}

uint64_t fw_get_u64(fw_reader *r)
{
    uint64_t v;
    fw_get(r, &v, sizeof v);
    return v;
}

int64_t fw_get_i64(fw_reader *r)
{
    int64_t v;
    fw_get(r, &v, sizeof v);
    return v;
}

double fw_get_f64(fw_reader *r)
{
    double v;
    fw_get(r, &v, sizeof v);
    return v;
}

int fw_get_fits(fw_reader *r, size_t n, size_t size)
{
    if (!r->bad && size && n > fw_reader_left(r) / size)
        r->bad = 1;
    return !r->bad;
}

const void *fw_get_bytes(fw_reader *r, size_t n)
{
    if (r->bad || fw_reader_left(r) < n) {
        r->bad = 1;
        return NULL;
    }
    const void *p = r->p;
    r->p += n;
    return p;
}

char *fw_get_str(fw_reader *r)
{
    uint64_t n = fw_get_u64(r);
    if (r->bad || n == UINT64_MAX || !fw_get_fits(r, (size_t)n, 1))
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    fw_get(r, s, (size_t)n);
    s[n] = '\0';
    return s;
}
