/* store.h: what survives a run: the journal (append-only, checksummed,
 * synced before a result counts as done) and the HDF5 results file built
 * from it.
 *
 * Journal file: a header (magic, version, the run's result hash, data hash
 * and config hash, a checksum), then records:
 *   u32 magic | u32 payload length | u64 task key | u64 XXH3-64 | payload
 * where the checksum covers key and payload. Reading drops a torn last
 * record with a warning (a crash while appending) and refuses a damaged
 * record anywhere else, naming its byte offset.
 */
#ifndef FOLDWISE_STORE_H
#define FOLDWISE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"

typedef struct fw_journal_hdr {
    uint64_t result_hash;   /* what finished tasks' results depend on */
    uint64_t data_hash;
    uint64_t config_hash;   /* the whole config text, for information  */
} fw_journal_hdr;

typedef struct fw_journal fw_journal;

/* Create a new journal at path (resume = 0; an existing file is replaced),
 * or open an existing one for resuming (resume = 1): its header must match
 * hdr's result and data hashes, its records are indexed by key, and a torn
 * tail is cut off before appending. */
int fw_journal_open(const char *path, const fw_journal_hdr *hdr, int resume, fw_journal **out,
                    fw_err *e);
/* The payload recorded for key, or 0 when none (first record wins). */
int fw_journal_lookup(const fw_journal *j, uint64_t key, const void **p, size_t *n);
size_t fw_journal_count(const fw_journal *j);
/* Queue a record; it is durable only after fw_journal_sync returns FW_OK. */
int fw_journal_append(fw_journal *j, uint64_t key, const void *p, size_t n, fw_err *e);
/* Write the queued records and fdatasync: one sync for a batch. FW_EIO
 * (disk full, ...) leaves every record synced before intact. */
int fw_journal_sync(fw_journal *j, fw_err *e);
void fw_journal_close(fw_journal *j);

/* Read a journal without opening it for writing (report, status): calls
 * fn for every intact record in file order. hdr receives the header. */
typedef int (*fw_journal_fn)(void *arg, uint64_t key, const void *p, size_t n);
int fw_journal_scan(const char *path, fw_journal_hdr *hdr, fw_journal_fn fn, void *arg,
                    size_t *n_records, fw_err *e);

#endif /* FOLDWISE_STORE_H */
