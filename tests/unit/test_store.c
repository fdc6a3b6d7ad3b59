/* test_store.c: the journal: round trip, resume refusal on changed hashes,
 * a torn last record cut at every byte offset, a damaged record in the
 * middle reported with its offset, a full file system. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "foldwise/store.h"
#include "harness.h"

static const fw_journal_hdr HDR = {11, 22, 33};

/* A journal with n records: key i+1, payload "record i" repeated i+1 times. */
static int make_journal(const char *path, int n, fw_err *e)
{
    fw_journal *j;
    int rc = fw_journal_open(path, &HDR, 0, &j, e);
    for (int i = 0; !rc && i < n; i++) {
        char buf[512];
        int len = 0;
        for (int k = 0; k <= i && len < 400; k++)
            len += snprintf(buf + len, sizeof buf - (size_t)len, "record %d;", i);
        rc = fw_journal_append(j, (uint64_t)i + 1, buf, (size_t)len, e);
    }
    if (!rc)
        rc = fw_journal_sync(j, e);
    fw_journal_close(j);
    return rc;
}

static int count_fn(void *arg, uint64_t key, const void *p, size_t n)
{
    (void)p;
    (void)n;
    int *c = arg;
    if (key != (uint64_t)*c + 1)
        return 0;
    (*c)++;
    return 0;
}

static void roundtrip_and_lookup(void)
{
    char path[512];
    fw_err e;
    snprintf(path, sizeof path, "%s/j.fwj", fwt_tmpdir());
    CHECK_OK(make_journal(path, 5, &e), &e);
    fw_journal *j;
    CHECK_OK(fw_journal_open(path, &HDR, 1, &j, &e), &e);
    CHECK_EQ_INT(fw_journal_count(j), 5);
    const void *p;
    size_t n;
    CHECK(fw_journal_lookup(j, 3, &p, &n));
    CHECK(n > 0 && memcmp(p, "record 2;", 9) == 0);
    CHECK(!fw_journal_lookup(j, 99, &p, &n));
    /* Appending after a resume keeps the old records. */
    CHECK_OK(fw_journal_append(j, 6, "six", 3, &e), &e);
    CHECK_OK(fw_journal_sync(j, &e), &e);
    fw_journal_close(j);
    int c = 0;
    size_t nr;
    fw_journal_hdr h;
    CHECK_OK(fw_journal_scan(path, &h, count_fn, &c, &nr, &e), &e);
    CHECK_EQ_INT(nr, 6);
    CHECK_EQ_INT(c, 6);
    CHECK(h.result_hash == 11 && h.data_hash == 22);
}

static void resume_refuses_changes(void)
{
    char path[512];
    fw_err e;
    snprintf(path, sizeof path, "%s/j.fwj", fwt_tmpdir());
    CHECK_OK(make_journal(path, 2, &e), &e);
    fw_journal *j = NULL;
    fw_journal_hdr other = HDR;
    other.data_hash = 23;
    CHECK(fw_journal_open(path, &other, 1, &j, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "data changed"));
    other = HDR;
    other.result_hash = 12;
    CHECK(fw_journal_open(path, &other, 1, &j, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "config changed"));
    other = HDR;
    other.config_hash = 99; /* models or search changed: fine */
    CHECK_OK(fw_journal_open(path, &other, 1, &j, &e), &e);
    fw_journal_close(j);
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* Cut the file at every byte offset of its last record: every earlier
 * record is read, the torn one is dropped, and a resume appends cleanly. */
static void torn_tail_every_offset(void)
{
    char path[512], cut[600];
    fw_err e;
    const char *dir = fwt_tmpdir();
    snprintf(path, sizeof path, "%s/j.fwj", dir);
    snprintf(cut, sizeof cut, "%s/cut.fwj", dir);
    CHECK_OK(make_journal(path, 4, &e), &e);
    size_t full = file_size(path);
    CHECK_OK(make_journal(path, 3, &e), &e);
    size_t three = file_size(path);
    CHECK_OK(make_journal(path, 4, &e), &e);
    char *buf;
    size_t n;
    CHECK_OK(fw_read_file(path, 1 << 20, &buf, &n, &e), &e);
    CHECK(n == full && three < full);
    fw_log_set_level(FW_LOG_ERROR); /* the torn-record warning is expected */
    for (size_t len = three; len < full; len++) {
        FILE *f = fopen(cut, "wb");
        CHECK(f);
        fwrite(buf, 1, len, f);
        fclose(f);
        int c = 0;
        size_t nr;
        CHECK_OK(fw_journal_scan(cut, NULL, count_fn, &c, &nr, &e), &e);
        CHECK_MSG(nr == 3 && c == 3, "cut at %zu: %zu records", len, nr);
        fw_journal *j;
        CHECK_OK(fw_journal_open(cut, &HDR, 1, &j, &e), &e);
        CHECK_EQ_INT(fw_journal_count(j), 3);
        CHECK_OK(fw_journal_append(j, 4, "again", 5, &e), &e);
        CHECK_OK(fw_journal_sync(j, &e), &e);
        fw_journal_close(j);
        c = 0;
        CHECK_OK(fw_journal_scan(cut, NULL, count_fn, &c, &nr, &e), &e);
        CHECK_MSG(nr == 4 && c == 4, "resumed cut at %zu: %zu records", len, nr);
    }
    free(buf);
}

/* A flipped byte in a middle record is an error naming its offset. */
static void damaged_middle_record(void)
{
    char path[512];
    fw_err e;
    snprintf(path, sizeof path, "%s/j.fwj", fwt_tmpdir());
    CHECK_OK(make_journal(path, 5, &e), &e);
    char *buf;
    size_t n;
    CHECK_OK(fw_read_file(path, 1 << 20, &buf, &n, &e), &e);
    /* Offset of record 2: header (40 bytes) + records 0 and 1. */
    size_t off = 40;
    for (int i = 0; i < 2; i++) {
        uint32_t len;
        memcpy(&len, buf + off + 4, 4);
        off += 24 + len;
    }
    buf[off + 30] ^= 0x5a;
    FILE *f = fopen(path, "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
    free(buf);
    fw_journal *j = NULL;
    CHECK(fw_journal_open(path, &HDR, 1, &j, &e) == FW_EINVAL);
    char want[64];
    snprintf(want, sizeof want, "byte offset %zu", off);
    CHECK_MSG(strstr(e.msg, want), "message: %s (wanted %s)", e.msg, want);
    size_t nr;
    CHECK(fw_journal_scan(path, NULL, NULL, NULL, &nr, &e) == FW_EINVAL);
}

/* A full disk (here: a file-size limit) is FW_EIO, and every record synced
 * before it stays readable. */
static void full_disk_is_io_error(void)
{
    char path[512];
    fw_err e;
    snprintf(path, sizeof path, "%s/j.fwj", fwt_tmpdir());
    fw_journal *j;
    CHECK_OK(fw_journal_open(path, &HDR, 0, &j, &e), &e);
    CHECK_OK(fw_journal_append(j, 1, "first", 5, &e), &e);
    CHECK_OK(fw_journal_sync(j, &e), &e);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    char big[8192];
    memset(big, 'x', sizeof big);
    int rc = fw_journal_append(j, 2, big, sizeof big, &e);
    if (!rc)
        rc = fw_journal_sync(j, &e);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    fw_journal_close(j);
    CHECK_EQ_INT(rc, FW_EIO);
    CHECK(strstr(e.msg, "cannot write"));
    int c = 0;
    size_t nr;
    fw_log_set_level(FW_LOG_ERROR);
    CHECK_OK(fw_journal_scan(path, NULL, count_fn, &c, &nr, &e), &e);
    CHECK_EQ_INT(nr, 1);
}

static void not_a_journal(void)
{
    char path[512];
    fw_err e;
    snprintf(path, sizeof path, "%s/x.fwj", fwt_tmpdir());
    FILE *f = fopen(path, "wb");
    fputs("this is not a journal at all, not even close", f);
    fclose(f);
    size_t nr;
    CHECK(fw_journal_scan(path, NULL, NULL, NULL, &nr, &e) == FW_EINVAL);
    CHECK(strstr(e.msg, "not a foldwise journal"));
}

FW_TEST_MAIN(T(roundtrip_and_lookup), T(resume_refuses_changes), T(torn_tail_every_offset),
             T(damaged_middle_record), T(full_disk_is_io_error), T(not_a_journal))
