/* data_int.h: helpers shared by the readers (not public API). */
#ifndef FOLDWISE_DATA_INT_H
#define FOLDWISE_DATA_INT_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/data.h"

/* 1 when the text is inf/infinity with an optional sign (an error in data). */
int fw_is_inf_word(const char *s, size_t n);

/* String interning: each distinct string gets an id in order of first
 * appearance. */
typedef struct fw_strtab {
    char **strs;
    size_t n, cap;
    uint32_t *slots;   /* open addressing: id + 1, 0 = empty */
    size_t nslots;
} fw_strtab;

void fw_strtab_init(fw_strtab *t);
/* Id of s[0..n), adding it when new; UINT32_MAX when out of memory. */
uint32_t fw_strtab_intern(fw_strtab *t, const char *s, size_t n);
void fw_strtab_free(fw_strtab *t);

/* Sort the strings of a table into level order (numerically when all parse
 * as numbers, otherwise by strcmp) and give the map old id -> new code.
 * levels receives the strings (moved out of the table). */
int fw_levels_sort(fw_strtab *t, char ***levels, uint32_t **remap);

/* A table with n_cols columns and room for the given rows. */
fw_table *fw_table_alloc(size_t n_cols, const char *source);
/* The missing tokens of a read (data.missing or the defaults), compiled
 * once: a cell is compared only with tokens of its (trimmed) length. */
typedef struct fw_missing {
    const char *const *tok;  /* borrowed from the options or the defaults */
    size_t n;
    size_t *len;
    uint64_t lenmask;        /* bit k: a token of length k (bit 63: 63 or more) */
} fw_missing;
int fw_missing_init(fw_missing *m, const fw_data_opts *o);
void fw_missing_free(fw_missing *m);
/* 1 when `s` (length n, already unquoted) is one of the missing tokens;
 * blanks around the cell are ignored. */
int fw_missing_has(const fw_missing *m, const char *s, size_t n);
/* FW_OK when a dense rows x cols table (plus the dataset's copy) fits in
 * half of the machine's memory; otherwise FW_EINVAL naming the file. Readers
 * whose file size does not bound the cell count (LIBSVM, HDF5) call it
 * before allocating. */
int fw_dense_check(size_t rows, size_t cols, const char *path, fw_err *e);
/* FW_OK when buf is text: no NUL byte and valid UTF-8. Otherwise
 * FW_EINVAL at the line and column of the first bad byte; `what` names the
 * format in the message. */
int fw_text_check(const char *buf, size_t len, const char *path, const char *what, fw_err *e);
/* 1 when name is in the list. */
int fw_name_in(const char *name, char *const *list, size_t n);

/* Column typing shared by text readers (CSV, ARFF): a column's cells as they
 * arrive, numbers parsed on the fly and other strings interned. */
typedef struct fw_colbuf {
    double *v;
    uint32_t *sid;          /* string id per row (UINT32_MAX = not a string), lazily */
    size_t n, cap;
    fw_strtab tab;
    size_t n_num, n_str;
    long bad_line, bad_col; /* first non-numeric cell */
    char bad_text[48];
} fw_colbuf;

int fw_colbuf_reserve(fw_colbuf *c, size_t rows);
/* Add one cell: missing token -> NaN, a number, or an interned string. An
 * infinite or overflowing number is an error at (line, col). */
int fw_colbuf_push(fw_colbuf *c, const fw_missing *m, const char *s, size_t n,
                   const char *path, long line, long col, const char *colname, fw_err *e);
/* Add a number the caller parsed (finite, not a missing token). */
static inline int fw_colbuf_push_num(fw_colbuf *c, double v)
{
    if (c->n == c->cap && fw_colbuf_reserve(c, c->cap ? c->cap * 2 : 1024))
        return FW_ENOMEM;
    if (c->sid)
        c->sid[c->n] = UINT32_MAX;
    c->v[c->n++] = v;
    c->n_num++;
    return FW_OK;
}
/* Turn the interned strings into sorted level codes (col gets the levels). */
int fw_colbuf_to_levels(fw_colbuf *c, fw_column *col);
void fw_colbuf_free(fw_colbuf *c);
void fw_column_clear(fw_column *c);

/* ---- the HDF5 reader's pipe protocol (hdf5.c <-> hdf5_child.c) ---------- */

/* Frames: META {uint64 rows, cols}; NAME text (cols feature names, then the
 * target's); Y and X {uint64 first row, rows} + rows x width doubles
 * (row-major); ERR fw_h5_errmsg; END. */
enum { FW_H5_META = 1, FW_H5_NAME, FW_H5_Y, FW_H5_X, FW_H5_ERR, FW_H5_END };
typedef struct fw_h5_frame {
    uint32_t type, pad;
    uint64_t len;     /* payload bytes after this header */
} fw_h5_frame;
typedef struct fw_h5_errmsg {
    int32_t code, pad;
    int64_t line, col;
    char msg[1024];
} fw_h5_errmsg;
#define FW_H5_WATCHDOG 60      /* seconds the child may go without sending a frame */
#define FW_H5_CPU_LIMIT 600    /* CPU seconds for the whole child */
#define FW_H5_PARENT_WAIT 90   /* seconds the parent waits for the next frame */
#define FW_H5_MAX_PATH 1024    /* longest dataset path */

/* The path of the optional names dataset next to xpath ("/g/X" ->
 * "/g/feature_names"); out has FW_H5_MAX_PATH bytes. */
void fw_h5_names_path(const char *xpath, char *out);
/* The child's side (hdf5_child.c): validate and stream the file to fd, then
 * _exit. Never returns. Paths are normalised ("/a/b", no trailing '/'). */
_Noreturn void fw_h5child_run(int fd, const char *path, const char *xpath, const char *ypath);

#endif
