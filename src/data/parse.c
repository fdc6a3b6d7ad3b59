/* parse.c: exact and fast decimal-to-double conversion for the readers.
 *
 * Most cells in real data are short decimals ("0.1184", "17.99", "-3e-4").
 * For those, the mantissa fits in 53 bits and the power of ten is at most
 * 22, and Clinger's fast path gives the correctly rounded double with one
 * multiplication or division (both operands are exact doubles). Everything
 * else goes to strtod, so results always equal strtod's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_int.h"
#include "foldwise/data.h"

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* The longest decimal number at s: [+-] digits [. digits] [(e|E) [+-]
 * digits], at least one mantissa digit (an 'e' without digits ends the
 * number before it). Returns its end, or NULL when there is none. Fills the
 * fast-path mantissa and exponent; *fast = 0 when they are not exact. */
static const char *scan_decimal(const char *s, const char *end, int *neg, uint64_t *mant,
                                long *exp10, int *fast)
{
    const char *p = s;
    *neg = 0;
    *mant = 0;
    *exp10 = 0;
    *fast = 1;
    if (p < end && (*p == '+' || *p == '-'))
        *neg = *p++ == '-';
    int digits = 0, sig = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
        if (sig || *p != '0') {
            if (++sig > 19)
                *fast = 0;
            else
                *mant = *mant * 10 + (uint64_t)(*p - '0');
        }
    }
    if (p < end && *p == '.') {
        p++;
        for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
            if (sig || *p != '0') {
                if (++sig > 19)
                    *fast = 0;
                else
                    *mant = *mant * 10 + (uint64_t)(*p - '0');
            }
            (*exp10)--;
        }
    }
    if (digits == 0)
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0;
        if (q < end && (*q == '+' || *q == '-'))
            eneg = *q++ == '-';
        if (q < end && *q >= '0' && *q <= '9') {
            long e = 0;
            for (; q < end && *q >= '0' && *q <= '9'; q++)
                if (e < 100000)
                    e = e * 10 + (*q - '0');
            *exp10 += eneg ? -e : e;
            p = q;
        }
    }
    if (*mant > (1ULL << 53) || *exp10 < -22 || *exp10 > 22)
        *fast = 0;
    return p;
}

/* The value of the number [s, q) scanned by scan_decimal. */
static int decimal_value(const char *s, const char *q, int neg, uint64_t mant, long e10,
                         int fast, double *out)
{
    if (fast) {
        double v = (double)mant;
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return 1;
    }
    char buf[512];
    size_t len = (size_t)(q - s);
    char *tmp = len < sizeof buf ? buf : malloc(len + 1);
    if (!tmp)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    *out = strtod(tmp, NULL);
    if (tmp != buf)
        free(tmp);
    return 1;
}

const char *fw_parse_prefix(const char *s, const char *end, double *out)
{
    int neg, fast;
    uint64_t mant;
    long e10;
    const char *q = scan_decimal(s, end, &neg, &mant, &e10, &fast);
    if (!q || !decimal_value(s, q, neg, mant, e10, fast, out))
        return NULL;
    return q;
}

int fw_parse_double(const char *s, size_t n, double *out)
{
    const char *end = s + n;
    while (s < end && is_space(*s))
        s++;
    while (end > s && is_space(end[-1]))
        end--;
    if (s == end)
        return 0;
    int neg, fast;
    uint64_t mant;
    long e10;
    if (scan_decimal(s, end, &neg, &mant, &e10, &fast) != end)
        return 0;
    return decimal_value(s, end, neg, mant, e10, fast, out);
}

int fw_is_inf_word(const char *s, size_t n)
{
    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    if (n && (*s == '+' || *s == '-')) {
        s++;
        n--;
    }
    static const char *const words[] = {"inf", "infinity"};
    for (size_t w = 0; w < 2; w++) {
        size_t k = strlen(words[w]);
        if (n != k)
            continue;
        size_t i = 0;
        while (i < k && (s[i] | 0x20) == words[w][i])
            i++;
        if (i == k)
            return 1;
    }
    return 0;
}
