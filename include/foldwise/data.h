/* data.h: the dataset every task reads, and the readers that build it.
 *
 * A dataset is stored once per node, dense, column-major doubles plus
 * metadata and a content hash. NaN marks a missing value; infinities are an
 * error at load time. Categorical (string) columns hold level codes
 * 0..n_levels-1 as doubles, levels sorted as strings. Readers (CSV/TSV,
 * LIBSVM, HDF5, ARFF) first produce an fw_table (every column of the file);
 * fw_dataset_build then applies the roles of the config (target, drop,
 * groups, time, fold, weight) and infers the task.
 *
 * A dataset can be packed into one flat block (fw_dataset_pack) and viewed in
 * place (fw_dataset_view): that is how the MPI scheduler shares one copy
 * per node through a shared-memory window.
 */
#ifndef FOLDWISE_DATA_H
#define FOLDWISE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/core.h"

typedef enum fw_task_type {
    FW_TASK_AUTO = 0,
    FW_TASK_CLASSIFICATION = 1,
    FW_TASK_REGRESSION = 2
} fw_task_type;

/* How to read a data file and which columns play which role (config `data:`). */
typedef struct fw_data_opts {
    char *path;
    char *format;     /* "auto" | "csv" | "libsvm" | "hdf5" | "arff" (NULL = auto) */
    char *target;     /* column name, or HDF5 dataset path */
    char *features;   /* HDF5 only: feature matrix dataset path */
    int task;         /* fw_task_type */
    char **drop;
    size_t n_drop;
    char *groups, *time, *fold, *weight;
    char **missing;   /* tokens read as missing (NULL = the defaults) */
    size_t n_missing;
    char **categorical;
    size_t n_categorical;
    char **numeric;
    size_t n_numeric;
    char *test;       /* optional separate test set */
    char *positive;   /* binary: the positive class label */
} fw_data_opts;

/* The default missing tokens: "", "NA", "NaN", "nan", "N/A", "?", "null". */
extern const char *const fw_default_missing[];
extern const size_t fw_n_default_missing;

typedef struct fw_column {
    char *name;
    int categorical;   /* values are level codes */
    size_t n_levels;
    char **levels;     /* sorted as strings (numbers as numbers when all are) */
} fw_column;

/* Every column of an input file, before roles are applied. */
typedef struct fw_table {
    size_t n_rows, n_cols;
    fw_column *cols;
    double **data;     /* data[j][i]: column j, row i; NaN = missing */
    long *line;        /* line in the file where row i starts (NULL = row + 2) */
    char *source;      /* path, for messages */
    long target_col;   /* the format's own target column (LIBSVM label, HDF5 /y), or -1 */
    long group_col;    /* the format's own group column (LIBSVM qid), or -1 */
    int target_fixed;  /* the reader already applied data.target (HDF5): build uses
                          target_col and does not look data.target up by name */
} fw_table;

void fw_table_free(fw_table *t);

typedef struct fw_dataset {
    size_t n_rows, n_features;
    double *X;          /* column-major: X[j * n_rows + i] */
    fw_column *cols;    /* n_features feature columns */
    char *target_name;
    int task;           /* FW_TASK_CLASSIFICATION or FW_TASK_REGRESSION */
    double *y;          /* class code 0..n_classes-1, or the value */
    size_t n_classes;
    char **classes;     /* class labels, sorted (numerically when all numbers) */
    int positive;       /* binary: index of the positive class (default 1) */
    double *weight;     /* sample weights, or NULL */
    int32_t *group;     /* group code per row, or NULL */
    size_t n_groups;
    double *time;       /* ordering value per row, or NULL */
    int32_t *fold;      /* predefined fold per row (-1 = always train), or NULL */
    uint64_t hash;      /* content hash of X, y, roles and metadata */
    char *source;       /* path the data came from */
    void *block;        /* non-NULL when this is a view into a packed block */
    int owns_block;
} fw_dataset;

/* Read a file into a table: the format from opts->format or the extension.
 * Errors name the file, line and column. On failure *out is NULL. */
int fw_table_read(const fw_data_opts *opts, const char *path, fw_table **out, fw_err *e);
/* The readers (docs/data.md). Each fills *out (free with fw_table_free) or
 * returns FW_EINVAL for bad input (FW_ENOMEM, FW_EIO otherwise) with *out
 * NULL; `e` may be NULL.
 * CSV/TSV: header line, RFC 4180 quoting, UTF-8; typing by data.categorical,
 *   data.numeric and data.missing.
 * LIBSVM: columns f1..fN + `label` (target_col); `qid` becomes the group
 *   column (group_col) when data.groups is "qid".
 * HDF5: data.features (default /X, 2-D) and data.target (default /y, 1-D)
 *   read in a forked, resource-limited child; names from `feature_names`
 *   next to X, else x0..; target_fixed is set.
 * ARFF: declared types; nominal levels sorted like CSV levels; dates as
 *   seconds since the epoch; target_col is the last attribute. */
int fw_csv_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e);
int fw_libsvm_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e);
int fw_hdf5_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e);
int fw_arff_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e);

/* Apply roles to a table and infer the task. The table is consumed (its
 * columns move into the dataset; the table is freed either way). */
int fw_dataset_build(fw_table *t, const fw_data_opts *opts, fw_dataset **out, fw_err *e);
/* fw_table_read + fw_dataset_build on opts->path. */
int fw_dataset_load(const fw_data_opts *opts, fw_dataset **out, fw_err *e);
void fw_dataset_free(fw_dataset *d);

/* Pointer to column j of X. */
static inline const double *fw_dataset_col(const fw_dataset *d, size_t j)
{
    return d->X + j * d->n_rows;
}

/* Flat packing for the shared-memory window: size, pack into dst (caller
 * owns dst), view in place (the view borrows `block`; free the view with
 * fw_dataset_free, which does not free the block). */
size_t fw_dataset_packed_size(const fw_dataset *d);
void fw_dataset_pack(const fw_dataset *d, void *dst);
int fw_dataset_view(const void *block, size_t size, fw_dataset **out, fw_err *e);

/* Index of a feature column by name, or -1. */
long fw_dataset_find_col(const fw_dataset *d, const char *name);

/* Synthetic data (foldwise make-data). kind: "classification" or
 * "regression". Writes a CSV with columns x0..x{F-1} and y (docs/data.md).
 * 0 or FW_SYNTH_DEFAULT in informative or redundant selects the default
 * below, FW_SYNTH_NONE in redundant asks for none; classes 0 means 2.
 * fw_synth_opts_init fills every default. */
typedef struct fw_synth_opts {
    const char *kind;
    size_t rows, features;
    size_t informative;   /* default min(F, max(2, F/4)) */
    size_t redundant;     /* default min(F - informative, informative / 2) */
    size_t classes;       /* default 2 */
    double flip_y;        /* label noise, default 0.01 */
    double noise;         /* regression noise sd, default 1.0 */
    uint64_t seed;
} fw_synth_opts;
#define FW_SYNTH_DEFAULT ((size_t)-1)
#define FW_SYNTH_NONE ((size_t)-2)
/* Defaults: classification, informative/redundant FW_SYNTH_DEFAULT,
 * classes 2, flip_y 0.01, noise 1.0, seed 0; rows and features 0 (set them). */
void fw_synth_opts_init(fw_synth_opts *o);
/* Write the file (overwritten; removed again on failure). FW_EINVAL for bad
 * options, FW_EIO when the file cannot be written. */
int fw_synth_write(const fw_synth_opts *o, const char *path, fw_err *e);

/* Fast exact decimal parser: Clinger's fast path for the common case,
 * strtod otherwise. Returns 1 when [s, s+n) is a whole number, else 0. */
int fw_parse_double(const char *s, size_t n, double *out);
/* The longest decimal number at [s, end) (fw_parse_double's syntax, no
 * blanks): its end, with the same exactly rounded value in *out; NULL when
 * s does not start a number. The CSV reader parses cells in place with it. */
const char *fw_parse_prefix(const char *s, const char *end, double *out);

#endif /* FOLDWISE_DATA_H */
