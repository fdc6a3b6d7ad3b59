/* journal.c: the crash-safe record of finished tasks.
 *
 * Durability rule: a result counts as done only after its record was
 * written and fdatasync'd. Records that arrive together are written with
 * one write and one sync, so the disk's sync rate never limits throughput
 * and no result is ever acknowledged before it is on disk. Open MPI 4.1
 * ends the whole job when one rank dies (and SIGKILLs after SIGTERM), so
 * this file is what a re-run resumes from. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "foldwise/store.h"

#define J_MAGIC 0x314a5746u      /* "FWJ1" */
#define R_MAGIC 0x31525746u      /* "FWR1" */
#define J_VERSION 1u
#define J_MAX_RECORD (1u << 30)  /* refuse absurd lengths before allocating */

typedef struct j_file_hdr {
    uint32_t magic, version;
    uint64_t result_hash, data_hash, config_hash;
    uint64_t check;              /* XXH3 of the fields above */
} j_file_hdr;

typedef struct j_rec_hdr {
    uint32_t magic, len;
    uint64_t key, check;
} j_rec_hdr;

typedef struct j_entry {
    uint64_t key;
    size_t off, len;             /* payload within the loaded buffer */
} j_entry;

struct fw_journal {
    int fd;
    char *path;
    char *data;                  /* records read at open (resume) */
    size_t n_data;
    j_entry *idx;                /* open addressing on key */
    size_t n_idx, cap_idx, count;
    fw_sb queue;                 /* appended, not yet synced */
    int new_file;                /* the directory entry still needs a sync */
};

static uint64_t hdr_check(const j_file_hdr *h)
{
    return fw_hash64(h, offsetof(j_file_hdr, check), 0);
}

static uint64_t rec_check(uint64_t key, const void *p, size_t n)
{
    return fw_hash64(p, n, key);
}

/* ---- index ------------------------------------------------------------- */

static int idx_put(fw_journal *j, uint64_t key, size_t off, size_t len)
{
    if ((j->n_idx + 1) * 2 > j->cap_idx) {
        size_t cap = j->cap_idx ? j->cap_idx * 2 : 1024;
        j_entry *ni = calloc(cap, sizeof *ni);
        if (!ni)
            return -1;
        for (size_t i = 0; i < j->cap_idx; i++) {
            if (!j->idx[i].len && !j->idx[i].key && !j->idx[i].off)
                continue;
            size_t h = (size_t)j->idx[i].key & (cap - 1);
            while (ni[h].len || ni[h].key || ni[h].off)
                h = (h + 1) & (cap - 1);
            ni[h] = j->idx[i];
        }
        free(j->idx);
        j->idx = ni;
        j->cap_idx = cap;
    }
    size_t h = (size_t)key & (j->cap_idx - 1);
    while (j->idx[h].len || j->idx[h].key || j->idx[h].off) {
        if (j->idx[h].key == key)
            return 0; /* first record wins */
        h = (h + 1) & (j->cap_idx - 1);
    }
    /* off is never 0 for a record (the file header comes first), so an
     * all-zero entry means empty. */
    j->idx[h] = (j_entry){key, off, len};
    j->n_idx++;
    return 0;
}

int fw_journal_lookup(const fw_journal *j, uint64_t key, const void **p, size_t *n)
{
    if (!j->cap_idx)
        return 0;
    size_t h = (size_t)key & (j->cap_idx - 1);
    while (j->idx[h].len || j->idx[h].key || j->idx[h].off) {
        if (j->idx[h].key == key) {
            *p = j->data + j->idx[h].off;
            *n = j->idx[h].len;
            return 1;
        }
        h = (h + 1) & (j->cap_idx - 1);
    }
    return 0;
}

size_t fw_journal_count(const fw_journal *j) { return j->count; }

/* ---- reading ----------------------------------------------------------- */

/* Walk the records of buf[0..n): calls fn per intact record; *good is the
 * end of the last intact record. A damaged record before the last is an
 * error naming its offset; a torn or damaged last record is dropped. */
static int walk(const char *path, const char *buf, size_t n, size_t *good, size_t *count,
                fw_journal_fn fn, void *arg, fw_err *e)
{
    size_t off = sizeof(j_file_hdr);
    *count = 0;
    while (off < n) {
        j_rec_hdr h;
        size_t left = n - off;
        if (left < sizeof h)
            break; /* torn header */
        memcpy(&h, buf + off, sizeof h);
        int bad = h.magic != R_MAGIC || h.len > J_MAX_RECORD;
        if (!bad && left - sizeof h < h.len)
            break; /* torn payload */
        if (!bad && rec_check(h.key, buf + off + sizeof h, h.len) != h.check)
            bad = 1;
        if (bad) {
            size_t end = off + sizeof h + (h.len <= J_MAX_RECORD ? h.len : 0);
            if (h.magic == R_MAGIC && end >= n)
                break; /* a damaged last record is a torn write */
            return fw_err_at(e, FW_EINVAL, path, 0, 0,
                             "damaged record at byte offset %zu (checksum or header mismatch); "
                             "the journal cannot be trusted past this point", off);
        }
        if (fn && fn(arg, h.key, buf + off + sizeof h, h.len))
            return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", path);
        off += sizeof h + h.len;
        (*count)++;
    }
    if (off < n)
        fw_warn("%s: dropped a torn last record at byte offset %zu (%zu bytes): the run was "
                "stopped while writing it", path, off, n - off);
    *good = off < n ? off : n;
    return FW_OK;
}

static int read_header(const char *path, const char *buf, size_t n, j_file_hdr *h, fw_err *e)
{
    if (n < sizeof *h)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "not a foldwise journal (too short)");
    memcpy(h, buf, sizeof *h);
    if (h->magic != J_MAGIC || h->check != hdr_check(h))
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "not a foldwise journal, or its header is "
                                                   "damaged");
    if (h->version != J_VERSION)
        return fw_err_at(e, FW_EINVAL, path, 0, 0, "journal version %u, this build reads %u",
                         h->version, J_VERSION);
    return FW_OK;
}

int fw_journal_scan(const char *path, fw_journal_hdr *hdr, fw_journal_fn fn, void *arg,
                    size_t *n_records, fw_err *e)
{
    char *buf;
    size_t n, good, count;
    j_file_hdr h;
    int rc = fw_read_file(path, (size_t)1 << 40, &buf, &n, e);
    if (rc)
        return rc;
    if (!(rc = read_header(path, buf, n, &h, e))) {
        if (hdr)
            *hdr = (fw_journal_hdr){h.result_hash, h.data_hash, h.config_hash};
        rc = walk(path, buf, n, &good, &count, fn, arg, e);
        if (n_records)
            *n_records = count;
    }
    free(buf);
    return rc;
}

static int index_record(void *arg, uint64_t key, const void *p, size_t n)
{
    fw_journal *j = arg;
    return idx_put(j, key, (size_t)((const char *)p - j->data), n);
}

/* ---- opening ------------------------------------------------------------- */

static int sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int open_new(fw_journal *j, const fw_journal_hdr *hdr, fw_err *e)
{
    j->fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (j->fd < 0)
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot create: %s", strerror(errno));
    j_file_hdr h = {J_MAGIC, J_VERSION, hdr->result_hash, hdr->data_hash, hdr->config_hash, 0};
    h.check = hdr_check(&h);
    if (write(j->fd, &h, sizeof h) != (ssize_t)sizeof h)
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot write: %s", strerror(errno));
    /* The header and the directory entry become durable with the first
     * sync of records: nothing is acknowledged before that. */
    j->new_file = 1;
    return FW_OK;
}

static int open_resume(fw_journal *j, const fw_journal_hdr *hdr, fw_err *e)
{
    j_file_hdr h;
    size_t good, count;
    int rc = fw_read_file(j->path, (size_t)1 << 40, &j->data, &j->n_data, e);
    if (rc)
        return rc;
    if ((rc = read_header(j->path, j->data, j->n_data, &h, e)))
        return rc;
    if (h.data_hash != hdr->data_hash)
        return fw_err_at(e, FW_EINVAL, j->path, 0, 0,
                         "cannot resume: the data changed since this journal was written "
                         "(data hash %016llx, now %016llx); start a new run (another "
                         "output.dir, or output.overwrite: true)",
                         (unsigned long long)h.data_hash, (unsigned long long)hdr->data_hash);
    if (h.result_hash != hdr->result_hash)
        return fw_err_at(e, FW_EINVAL, j->path, 0, 0,
                         "cannot resume: the config changed in a way that changes finished "
                         "results (seed, data options, preprocess, cv, metrics or "
                         "limits.task_timeout_s); changes to models, search and output are "
                         "fine");
    if ((rc = walk(j->path, j->data, j->n_data, &good, &count, index_record, j, e)))
        return rc;
    j->count = count;
    j->fd = open(j->path, O_WRONLY | O_APPEND);
    if (j->fd < 0)
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot open for append: %s",
                         strerror(errno));
    if (good < j->n_data && (ftruncate(j->fd, (off_t)good) != 0 || fdatasync(j->fd) != 0))
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot cut the torn record: %s",
                         strerror(errno));
    return FW_OK;
}

int fw_journal_open(const char *path, const fw_journal_hdr *hdr, int resume, fw_journal **out,
                    fw_err *e)
{
    fw_journal *j = calloc(1, sizeof *j);
    *out = NULL;
    if (!j || !(j->path = fw_strdup(path))) {
        free(j);
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    }
    j->fd = -1;
    fw_sb_init(&j->queue);
    int rc = resume ? open_resume(j, hdr, e) : open_new(j, hdr, e);
    if (rc) {
        fw_journal_close(j);
        return rc;
    }
    *out = j;
    return FW_OK;
}

/* ---- appending ------------------------------------------------------------ */

int fw_journal_append(fw_journal *j, uint64_t key, const void *p, size_t n, fw_err *e)
{
    if (n > J_MAX_RECORD)
        return fw_err_set(e, FW_EINVAL, "journal record of %zu bytes is too large", n);
    j_rec_hdr h = {R_MAGIC, (uint32_t)n, key, rec_check(key, p, n)};
    fw_sb_appendn(&j->queue, (const char *)&h, sizeof h);
    fw_sb_appendn(&j->queue, p, n);
    if (j->queue.oom)
        return fw_err_set(e, FW_ENOMEM, "out of memory queueing a journal record");
    j->count++;
    return FW_OK;
}

int fw_journal_sync(fw_journal *j, fw_err *e)
{
    if (j->queue.len && fw_write_all(j->fd, j->queue.s, j->queue.len) != 0)
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot write the journal: %s",
                         strerror(errno));
    if (j->queue.len && fdatasync(j->fd) != 0)
        return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot sync the journal: %s",
                         strerror(errno));
    if (j->queue.len && j->new_file) {
        if (sync_dir(j->path) != 0)
            return fw_err_at(e, FW_EIO, j->path, 0, 0, "cannot sync its directory: %s",
                             strerror(errno));
        j->new_file = 0;
    }
    fw_sb_reset(&j->queue);
    return FW_OK;
}

void fw_journal_close(fw_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    fw_sb_free(&j->queue);
    free(j->data);
    free(j->idx);
    free(j->path);
    free(j);
}
