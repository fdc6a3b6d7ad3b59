/* hdf5.c: the HDF5 reader (parent side).
 *
 * Input: a 2-D feature matrix (data.features, default /X; rows x features)
 * and a 1-D target of the same length (data.target, default /y; an n x 1
 * matrix is accepted too), integers or floats of any size, converted to
 * double by HDF5; optional column names in a string dataset
 * `feature_names` next to the matrix (/feature_names for /X), else x0, x1...
 *
 * Safety: HDF5 1.10.8 can crash or loop on a damaged file, and a crash in
 * the library would take the whole MPI job with it. So the file is never
 * parsed in this process. A forked child (hdf5_child.c) opens it under an
 * address-space and CPU limit and a watchdog alarm, validates it (no
 * external links, external storage, virtual datasets or filter plugins;
 * numeric types; shapes) and streams the values back through a pipe; the
 * parent waits with a timeout. The child sends the data rather than only a
 * verdict because a verdict would not protect the parent: it would then
 * have to parse the same file itself (with the library state and the code
 * paths the child just survived, and after the file may have changed). The
 * copy through the pipe costs well under a second per GB. A child that dies
 * by a signal, exits without finishing, or stops sending becomes the bad-
 * input error "FILE: not a readable HDF5 file (the HDF5 library crashed
 * reading it)". The child _exits, so no atexit handler (HDF5's shutdown
 * would flush files the parent has open) runs twice. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_int.h"

typedef struct h5p {
    int fd;
    pid_t pid;
    const char *path, *xpath, *ypath;
    char npath[FW_H5_MAX_PATH];
    fw_table *t;
    size_t n, p, nnames, got_y, got_x;
    double *block;
    fw_strtab names;
    int hung;
} h5p;

static int crashed(h5p *h, fw_err *e)
{
    return fw_err_at(e, FW_EINVAL, h->path, 0, 0, h->hung
                         ? "not a readable HDF5 file (the HDF5 library did not finish "
                           "reading it in time)"
                         : "not a readable HDF5 file (the HDF5 library crashed reading it)");
}

/* Read exactly n bytes; -1 on end of file, error or timeout (h->hung):
 * each read may wait FW_H5_PARENT_WAIT seconds for the child. */
static int recv_all(h5p *h, void *buf, size_t n)
{
    return fw_read_all(h->fd, buf, n, fw_now() + FW_H5_PARENT_WAIT, &h->hung);
}

static int on_meta(h5p *h, uint64_t len, fw_err *e)
{
    uint64_t m[2];
    if (h->t || len != sizeof m || recv_all(h, m, sizeof m))
        return crashed(h, e);
    h->n = (size_t)m[0];
    h->p = (size_t)m[1];
    if (h->n == 0 || h->p == 0 || fw_dense_check(h->n, h->p + 1, h->path, e))
        return e->code;
    fw_table *t = fw_table_alloc(h->p + 1, h->path);
    h->t = t;
    int bad = !t || !(t->line = calloc(h->n, sizeof *t->line)) ||
              !(h->block = malloc(sizeof(double) * (h->p > (1 << 20) ? h->p : (1 << 20))));
    for (size_t j = 0; !bad && j <= h->p; j++)
        bad = !(t->data[j] = malloc(h->n * sizeof **t->data));
    if (bad)
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s (%zu x %zu)", h->path, h->n,
                          h->p);
    t->n_rows = h->n;
    t->target_col = (long)h->p;
    t->target_fixed = 1;
    return FW_OK;
}

static int on_name(h5p *h, uint64_t len, fw_err *e)
{
    char name[4097];
    if (!h->t || h->nnames > h->p || len == 0 || len >= sizeof name ||
        recv_all(h, name, (size_t)len))
        return crashed(h, e);
    name[len] = '\0';
    if (fw_text_check(name, (size_t)len, h->path, "HDF5", NULL))
        return fw_err_at(e, FW_EINVAL, h->path, 0, 0, "dataset %s: name %zu is not valid UTF-8",
                         h->nnames < h->p ? h->npath : h->ypath, h->nnames);
    if (h->nnames < h->p) {
        uint32_t id = fw_strtab_intern(&h->names, name, (size_t)len);
        if (id == UINT32_MAX)
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", h->path);
        if (id < h->nnames)
            return fw_err_at(e, FW_EINVAL, h->path, 0, 0,
                             "dataset %s: '%s' names columns %u and %zu", h->npath, name,
                             id, h->nnames);
    }
    if (!(h->t->cols[h->nnames++].name = fw_strdup(name)))
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", h->path);
    return FW_OK;
}

/* Y or X rows: {first row, rows} then the values, in order. */
static int on_rows(h5p *h, int is_x, uint64_t len, fw_err *e)
{
    uint64_t pos[2];
    size_t width = is_x ? h->p : 1, *got = is_x ? &h->got_x : &h->got_y;
    if (!h->t || h->nnames != h->p + 1 || len < sizeof pos || recv_all(h, pos, sizeof pos) ||
        pos[0] != *got || pos[1] == 0 || pos[1] > h->n - *got ||
        len - sizeof pos != pos[1] * width * sizeof(double) ||
        pos[1] * width > (h->p > (1 << 20) ? h->p : (1 << 20)))
        return crashed(h, e);
    size_t r0 = (size_t)pos[0], nr = (size_t)pos[1];
    double *dst = is_x ? h->block : h->t->data[h->p] + r0;
    if (recv_all(h, dst, nr * width * sizeof(double)))
        return crashed(h, e);
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < width; j++) {
            double v = dst[i * width + j];
            if (isinf(v) && is_x)
                return fw_err_at(e, FW_EINVAL, h->path, 0, 0,
                                 "dataset %s: row %zu, column %zu is infinite (infinities are "
                                 "not allowed; NaN marks a missing value)", h->xpath, r0 + i, j);
            if (isinf(v))
                return fw_err_at(e, FW_EINVAL, h->path, 0, 0, "dataset %s: row %zu is infinite",
                                 h->ypath, r0 + i);
            if (is_x)
                h->t->data[j][r0 + i] = v;
        }
    }
    *got += nr;
    return FW_OK;
}

static int on_err(h5p *h, uint64_t len, fw_err *e)
{
    fw_h5_errmsg m;
    if (len != sizeof m || recv_all(h, &m, sizeof m))
        return crashed(h, e);
    m.msg[sizeof m.msg - 1] = '\0';
    int code = m.code > FW_OK && m.code < FW_NSTATUS ? m.code : FW_EINVAL;
    return fw_err_at(e, code, h->path, (long)m.line, (long)m.col, "%s", m.msg);
}

/* Frames until END (FW_OK) or an error. */
static int receive(h5p *h, fw_err *e)
{
    for (;;) {
        fw_h5_frame f;
        int rc;
        if (recv_all(h, &f, sizeof f))
            return crashed(h, e);
        switch (f.type) {
        case FW_H5_META: rc = on_meta(h, f.len, e); break;
        case FW_H5_NAME: rc = on_name(h, f.len, e); break;
        case FW_H5_Y: rc = on_rows(h, 0, f.len, e); break;
        case FW_H5_X: rc = on_rows(h, 1, f.len, e); break;
        case FW_H5_ERR: return on_err(h, f.len, e);
        case FW_H5_END:
            if (!h->t || f.len || h->got_x != h->n || h->got_y != h->n)
                return crashed(h, e);
            return FW_OK;
        default: return crashed(h, e);
        }
        if (rc)
            return rc;
    }
}

/* "/a/b" from "a/b/", "/a//b" kept as given; "/" and "" refused. */
static int norm_path(const char *in, const char *def, const char *key, const char *file,
                     char *out, fw_err *e)
{
    const char *s = in && in[0] ? in : def;
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    if (n + 2 > FW_H5_MAX_PATH)
        return fw_err_at(e, FW_EINVAL, file, 0, 0, "%s: the dataset path is too long", key);
    snprintf(out, FW_H5_MAX_PATH, "%s%.*s", s[0] == '/' ? "" : "/", (int)n, s);
    if (strcmp(out, "/") == 0)
        return fw_err_at(e, FW_EINVAL, file, 0, 0, "%s: '/' is the root group, not a dataset",
                         key);
    return FW_OK;
}

void fw_h5_names_path(const char *xpath, char *out)
{
    const char *slash = strrchr(xpath, '/');
    snprintf(out, FW_H5_MAX_PATH, "%.*sfeature_names", (int)(slash - xpath + 1), xpath);
}

/* End the child (it may still run after an error) and collect it. */
static void reap(pid_t pid)
{
    int st;
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

int fw_hdf5_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e)
{
    fw_err local;  /* the helpers below report through e: never NULL */
    if (!e)
        e = &local;
    char xpath[FW_H5_MAX_PATH], ypath[FW_H5_MAX_PATH];
    struct stat st;
    int fds[2], rc;
    *out = NULL;
    if ((rc = norm_path(opts ? opts->features : NULL, "/X", "data.features", path, xpath, e)) ||
        (rc = norm_path(opts ? opts->target : NULL, "/y", "data.target", path, ypath, e)))
        return rc;
    if (stat(path, &st) != 0)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "is a directory, not a file");
    if (pipe(fds) != 0)
        return fw_err_set(e, FW_ENOMEM, "cannot start the HDF5 reader: pipe: %s",
                          strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return fw_err_set(e, FW_ENOMEM, "cannot start the HDF5 reader: fork: %s",
                          strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        fw_h5child_run(fds[1], path, xpath, ypath);
    }
    close(fds[1]);
    h5p h = {.fd = fds[0], .pid = pid, .path = path, .xpath = xpath, .ypath = ypath};
    fw_h5_names_path(xpath, h.npath);
    fw_strtab_init(&h.names);
    rc = receive(&h, e);
    close(fds[0]);
    reap(pid);
    free(h.block);
    fw_strtab_free(&h.names);
    if (rc)
        fw_table_free(h.t);
    else
        *out = h.t;
    return rc;
}
