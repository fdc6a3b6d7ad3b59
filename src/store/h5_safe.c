/* h5_safe.c: reading results.h5 without trusting it.
 *
 * HDF5 1.10 can crash or loop on a damaged file (a half-written one, a
 * disk error, a hostile one), and a crash in the library would take the
 * caller with it. So this process never parses the file: a forked child
 * reads it (h5_read.c, every object checked), under a CPU limit, a memory
 * limit and an alarm, with core dumps off, and sends back either its error
 * or the results in their packed form (results_pack.c) through a pipe. The
 * parent waits with a timeout. A child that dies, stops sending or sends
 * something malformed makes the file "not a readable results file": a
 * bad-input error (FW_EINVAL), never our crash.
 *
 * The child sends the results rather than a verdict because a verdict
 * would not protect the parent: it would then parse the same file itself.
 * The data readers' HDF5 input (src/data/hdf5.c) follows the same rule.
 * The child ends with _exit, so no atexit handler (HDF5's, the sanitizers')
 * runs in it. Call this before MPI is initialised: forking an MPI process
 * is unsupported by some transports. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_int.h"

#define MSG_MAGIC 0x35484657u        /* "WFH5" */
#define BYTES_PER_S (20.0 * 1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define FW_H5_NO_AS_LIMIT 1          /* ASan reserves terabytes of address space */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FW_H5_NO_AS_LIMIT 1
#endif
#endif

static double base_timeout_s = 60.0;

void fw_h5_set_base_timeout(double s)
{
    base_timeout_s = s > 0 ? s : 60.0;
}

typedef struct msg_hdr {
    uint32_t magic;
    int32_t rc;
    uint64_t len;
} msg_hdr;

/* ---- child ------------------------------------------------------------------- */

#ifndef FW_H5_NO_AS_LIMIT
/* The address space the child already has (inherited from the caller:
 * libraries, BLAS buffers), from /proc; 0 when unknown. */
static rlim_t current_vm(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    long ps = sysconf(_SC_PAGESIZE);
    return (rlim_t)pages * (rlim_t)(ps > 0 ? ps : 4096);
}
#endif

static void limit_child(double timeout_s, off_t size)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    rlim_t cpu = (rlim_t)timeout_s + 1;
    struct rlimit lim_cpu = {cpu, cpu + 1};
    setrlimit(RLIMIT_CPU, &lim_cpu);
#ifndef FW_H5_NO_AS_LIMIT
    /* The results take a few times the file's size in memory (read, then
     * packed). A damaged size field can make HDF5 allocate and clear
     * gigabytes before it fails; this limit makes that fail at once. */
    rlim_t vm = current_vm();
    if (vm) {
        rlim_t as = vm + ((rlim_t)512 << 20) + (rlim_t)size * 16;
        struct rlimit lim_as = {as, as};
        setrlimit(RLIMIT_AS, &lim_as);
    }
#else
    (void)size;
#endif
    signal(SIGALRM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    alarm((unsigned)timeout_s + 2);
}

static void child_main(const char *path, int fd, double timeout_s, off_t size)
{
    limit_child(timeout_s, size);
    fw_err ce;
    fw_err_clear(&ce);
    fw_results *r = NULL;
    fw_sb b;
    fw_sb_init(&b);
    int rc = fw_h5_read_direct(path, &r, &ce);
    if (!rc) {
        fw_results_pack(r, &b);
        if (b.oom)
            rc = fw_err_set(&ce, FW_ENOMEM, "out of memory sending the results");
    }
    msg_hdr h = {MSG_MAGIC, rc, rc ? sizeof ce : b.len};
    if (fw_write_all(fd, &h, sizeof h) == 0)
        fw_write_all(fd, rc ? (const void *)&ce : (const void *)b.s, (size_t)h.len);
    _exit(0);
}

/* ---- parent --------------------------------------------------------------------- */

typedef struct waiter {
    int fd;
    pid_t pid;
    double deadline;
    int hung;
} waiter;

static int read_all(waiter *w, void *buf, size_t n)
{
    return fw_read_all(w->fd, buf, n, w->deadline, &w->hung);
}

/* The child's answer: its error, or the packed results. */
static int receive(waiter *w, const char *path, fw_results **out, int *complete, fw_err *e)
{
    msg_hdr h;
    *complete = 0;
    if (read_all(w, &h, sizeof h) || h.magic != MSG_MAGIC)
        return FW_EINVAL;
    if (h.rc) {
        fw_err ce;
        if (h.len != sizeof ce || read_all(w, &ce, sizeof ce))
            return FW_EINVAL;
        *complete = 1;
        ce.msg[sizeof ce.msg - 1] = ce.file[sizeof ce.file - 1] = '\0';
        if (e)
            *e = ce;
        return h.rc > 0 && h.rc < FW_NSTATUS ? h.rc : FW_EINVAL;
    }
    char *buf = h.len < ((uint64_t)1 << 40) ? malloc(h.len ? (size_t)h.len : 1) : NULL;
    if (!buf) {
        *complete = 1;
        return fw_err_at(e, FW_ENOMEM, path, 0, 0, "out of memory reading the results");
    }
    int rc = read_all(w, buf, (size_t)h.len) ? FW_EINVAL : FW_OK;
    if (!rc) {
        *complete = 1;
        rc = fw_results_unpack(buf, (size_t)h.len, out, e);
    }
    free(buf);
    return rc;
}

static int child_failed(const waiter *w, int status, const char *path, fw_err *e)
{
    if (w->hung)
        return fw_err_at(e, FW_EINVAL, path, 0, 0,
                         "not a readable results file (the HDF5 library did not finish "
                         "reading it in time)");
    if (WIFSIGNALED(status))
        return fw_err_at(e, FW_EINVAL, path, 0, 0,
                         "not a readable results file (the HDF5 library crashed reading it: "
                         "signal %d)", WTERMSIG(status));
    return fw_err_at(e, FW_EINVAL, path, 0, 0,
                     "not a readable results file (the reader stopped before finishing)");
}

int fw_results_read_h5(const char *path, fw_results **out, fw_err *e)
{
    struct stat st;
    int fds[2];
    *out = NULL;
    if (stat(path, &st) != 0)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "cannot read: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "not a file");
    if (pipe(fds) != 0)
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot create a pipe: %s", strerror(errno));
    double timeout = base_timeout_s + (double)st.st_size / BYTES_PER_S;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int er = errno;
        close(fds[0]);
        close(fds[1]);
        return fw_err_at(e, FW_EIO, path, 0, 0, "cannot fork a reader: %s", strerror(er));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(path, fds[1], timeout, st.st_size);
    }
    close(fds[1]);
    waiter w = {fds[0], pid, fw_now() + timeout, 0};
    fw_err re;
    fw_err_clear(&re);
    int complete, status = 0;
    int rc = receive(&w, path, out, &complete, &re);
    if (!complete)
        kill(pid, SIGKILL);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (complete) {
        if (rc && e)
            *e = re;
        return rc;
    }
    fw_results_free(*out);
    *out = NULL;
    return child_failed(&w, status, path, e);
}
