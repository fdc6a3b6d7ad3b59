/* util.c: small helpers shared by several layers: strings, suggestions,
 * whole-file reads, atomic writes, mkdir -p. */
#define _POSIX_C_SOURCE 200809L
#include "foldwise/core.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *fw_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

size_t fw_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub = prev + (a[i - 1] != b[j - 1]);
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *fw_suggest(const char *s, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        size_t d = fw_edit_distance(s, cands[i]);
        if (d < bestd) {
            bestd = d;
            best = cands[i];
        }
    }
    /* Close enough to be a typo: at most a third of the word, at least 2. */
    size_t lim = strlen(s) / 3;
    if (lim < 2)
        lim = 2;
    return bestd <= lim ? best : NULL;
}

int fw_read_file(const char *path, size_t max_bytes, char **out, size_t *len, fw_err *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "is a directory, not a file");
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > max_bytes + 1) {
                free(buf);
                fclose(f);
                return fw_err_at(e, FW_EINVAL, path, 0, 0,
                                 "file is larger than the limit of %zu bytes", max_bytes);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "read error");
    }
    if (n > max_bytes) {
        free(buf);
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "file is larger than the limit of %zu bytes",
                         max_bytes);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return FW_OK;
}

int fw_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int fw_read_all(int fd, void *p, size_t n, double deadline, int *timed_out)
{
    char *s = p;
    while (n) {
        int wait_ms = -1;
        if (deadline > 0) {
            double left = deadline - fw_now();
            if (left <= 0) {
                if (timed_out)
                    *timed_out = 1;
                return -1;
            }
            wait_ms = (int)(left * 1000) + 1;
        }
        struct pollfd pf = {fd, POLLIN, 0};
        int k = poll(&pf, 1, wait_ms);
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0 && timed_out)
            *timed_out = 1;
        if (k <= 0)
            return -1;
        ssize_t got = read(fd, s, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        s += got;
        n -= (size_t)got;
    }
    return 0;
}

int fw_write_file_atomic(const char *path, const void *p, size_t n, fw_err *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    if (fw_write_all(fd, p, n) != 0) {
        int er = errno;
        close(fd);
        unlink(tmp);
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot write: %s", strerror(er));
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int er = errno;
        unlink(tmp);
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot write: %s", strerror(er));
    }
    if (rename(tmp, path) != 0) {
        int er = errno;
        unlink(tmp);
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot rename into place: %s", strerror(er));
    }
    return FW_OK;
}

int fw_mkdir_p(const char *path, fw_err *e)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return fw_err_set(e, FW_EINVAL, "bad directory name '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return fw_err_at(e, FW_EIO, buf, 0, 0, "cannot create directory: %s", strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return fw_err_at(e, FW_EIO, path, 0, 0, "not a directory");
    return FW_OK;
}
