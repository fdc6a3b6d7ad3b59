/* store_int.h: the store layer's internal pieces shared by the results.h5
 * writer, its reader (run in a forked child) and the byte form that carries
 * a read fw_results from that child back to the caller. */
#ifndef FOLDWISE_STORE_INT_H
#define FOLDWISE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "foldwise/store.h"

/* Schema version written as the root attribute `format_version`. */
#define FW_H5_FORMAT "foldwise-results"
#define FW_H5_VERSION 1

/* data.h's fw_task_type values (the store layer sees only core.h). */
enum { FW_H5_TASK_CLASSIFICATION = 1, FW_H5_TASK_REGRESSION = 2 };

/* Every dataset carries an `xxh3` attribute: the hash of its values (see
 * fw_h5_hash_*), so a damaged dataset is named, not only detected. */
#define FW_H5_CHECK_ATTR "xxh3"

/* ---- compound tables (/trials/table, /nested/table, /nested/inner/table) - */

typedef enum { FW_H5F_STR, FW_H5F_I32, FW_H5F_U64, FW_H5F_F64 } fw_h5_fkind;

/* One member of a compound record: its name in the file, where it lives in
 * the C record, and its kind. A table is an array of these ending with a
 * NULL name; writer and reader share it, so the two cannot drift apart. */
typedef struct fw_h5_field {
    const char *name;
    size_t offset;
    fw_h5_fkind kind;
} fw_h5_field;

typedef struct fw_h5_trial_rec {
    char *model;
    uint64_t space;
    int32_t status, rung, not_converged;
    double resource;
    char *message, *params_json;
    double mean_fit_time, std_fit_time, mean_score_time, std_score_time;
} fw_h5_trial_rec;

typedef struct fw_h5_outer_rec {
    uint64_t split;
    int32_t status;
    char *model, *params_json, *message;
} fw_h5_outer_rec;

typedef struct fw_h5_inner_rec {
    uint64_t outer;
    char *model, *params_json;
    int32_t status;
    uint64_t n_splits;
} fw_h5_inner_rec;

extern const fw_h5_field fw_h5_trial_fields[];
extern const fw_h5_field fw_h5_inner_fields[];

/* The per-trial score arrays: /trials/<name>, at `field` of fw_trial (a
 * double *), n_splits x n_metrics values per trial (per_split) or
 * n_metrics. NULL-terminated. */
typedef struct fw_h5_trial_array {
    const char *path;
    size_t field;
    int per_split;
} fw_h5_trial_array;
extern const fw_h5_trial_array fw_h5_trial_arrays[];
extern const fw_h5_field fw_h5_outer_fields[];

/* The variable-length UTF-8 string type (caller closes it with H5Tclose). */
hid_t fw_h5_str_type(void);
/* The memory compound type of a table (file = memory layout, packed).
 * Returns a negative id on failure; close with H5Tclose. */
hid_t fw_h5_compound_type(const fw_h5_field *f, size_t rec_size, int packed);

/* Checksums of dataset contents as the caller holds them in memory. */
uint64_t fw_h5_hash_bytes(const void *p, size_t n);
uint64_t fw_h5_hash_strs(char *const *s, size_t n);
uint64_t fw_h5_hash_records(const fw_h5_field *f, const void *recs, size_t rec_size, size_t n);

/* Read results.h5 in this process. Only the child of fw_results_read_h5
 * calls it: HDF5 1.10 may crash on a damaged file. */
int fw_h5_read_direct(const char *path, fw_results **out, fw_err *e);

/* How long fw_results_read_h5 waits for its child, in seconds, before the
 * time the file's size adds (default 60; tests lower it: a damaged file
 * can send HDF5 1.10 into an endless loop). */
void fw_h5_set_base_timeout(double s);

/* A byte form of fw_results (native byte order, same machine only): the
 * child sends the results it read through a pipe in this form, and the
 * root attribute `content_xxh3` hashes it. */
void fw_results_pack(const fw_results *r, fw_sb *out);
/* Read one back; refuses truncated or inconsistent bytes (FW_EINVAL). */
int fw_results_unpack(const void *buf, size_t n, fw_results **out, fw_err *e);
/* The learning-curve section is there (points, or a trial index set):
 * the packed form and results.h5 hold it only then. */
int fw_results_has_curve(const fw_results *r);

#endif /* FOLDWISE_STORE_INT_H */
