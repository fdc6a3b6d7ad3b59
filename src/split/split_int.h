/* split_int.h: what the splitter files share inside src/split (not API).
 *
 * Positions vs rows: a splitter works on positions 0..n-1 of the input
 * (`in->rows[pos]` is the dataset row, or `pos` itself when rows is NULL);
 * folds are written as dataset rows, ascending. A fold is built from a mark
 * per position (train, test or neither), so no splitter sorts its own output.
 */
#ifndef FOLDWISE_SPLIT_INT_H
#define FOLDWISE_SPLIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "foldwise/split.h"

extern const fw_splitter_type fw_split_kfold;
extern const fw_splitter_type fw_split_stratified_kfold;
extern const fw_splitter_type fw_split_group_kfold;
extern const fw_splitter_type fw_split_stratified_group_kfold;
extern const fw_splitter_type fw_split_time_series;
extern const fw_splitter_type fw_split_shuffle_split;
extern const fw_splitter_type fw_split_stratified_shuffle_split;
extern const fw_splitter_type fw_split_leave_one_group_out;
extern const fw_splitter_type fw_split_predefined;
extern const fw_splitter_type fw_split_holdout;

/* Options of fw_split_spec a kind accepts; fw_split_check_opts refuses a
 * set option that the kind would silently ignore. */
enum {
    FW_SPLIT_OPT_K = 1u << 0,
    FW_SPLIT_OPT_REPEATS = 1u << 1,
    FW_SPLIT_OPT_SHUFFLE = 1u << 2,
    FW_SPLIT_OPT_TEST_SIZE = 1u << 3,
    FW_SPLIT_OPT_TIME = 1u << 4, /* gap, max_train */
};

/* Marks per position while a fold is built. */
enum { FW_SPLIT_NONE = 0, FW_SPLIT_TRAIN = 1, FW_SPLIT_TEST = 2 };

/* Default k for every kind that takes one. */
#define FW_SPLIT_DEFAULT_K 5

/* The config path for messages: spec->key, or "cv.outer". */
const char *fw_split_key(const fw_split_spec *spec);
/* Dataset row at position pos. */
size_t fw_split_row(const fw_split_input *in, size_t pos);

/* ---- checks (fill defaults, never allocate for long) --------------------- */

/* Refuses options outside `allowed`, negative values, and shuffle on kinds
 * that never shuffle. Fills repeats = 1 when unset. */
int fw_split_check_opts(fw_split_spec *spec, unsigned allowed, fw_err *e);
/* Roles the kind's flags ask for are present and valid at every position:
 * class codes in [0, n_classes), group codes >= 0, finite times, folds >= -1.
 * Also refuses n < 2 and rows listed twice. */
int fw_split_check_roles(const fw_split_spec *spec, const fw_split_input *in,
                         unsigned flags, fw_err *e);
/* k: default 5, at least `min_k`, at most `limit` (`what` names the limit
 * in the message, e.g. "rows", "groups in data.groups"). */
int fw_split_check_k(fw_split_spec *spec, int min_k, size_t limit, const char *what,
                     fw_err *e);
/* The whole check of the k-fold kinds: options, roles, k <= rows (and
 * <= groups present for group kinds), shuffle default 0, forced to 1 by
 * repeats > 1 (an explicit shuffle: false with repeats > 1 is refused). */
int fw_split_check_kfold(fw_split_spec *spec, const fw_split_input *in, unsigned flags,
                         fw_err *e);
/* Stratified kinds: refuse k above every class's count (naming the largest). */
int fw_split_check_class_k(const fw_split_spec *spec, const fw_split_input *in, fw_err *e);
/* Test rows for shuffle_split / holdout sizing (scikit-learn's rules: ceil
 * of a fraction, or a whole count below n; the training side keeps the rest
 * and must not be empty). Default `def` when test_size is NaN; written back
 * into spec->test_size. */
int fw_split_check_test_size(fw_split_spec *spec, size_t n, double def, size_t *n_test,
                             fw_err *e);
/* Test rows of a checked spec (test_size filled). */
size_t fw_split_test_rows(const fw_split_spec *spec, size_t n);
/* shuffle_split kinds: k >= 1 (default 5), test_size (default `def`),
 * always shuffled. */
int fw_split_check_shuffle_split(fw_split_spec *spec, const fw_split_input *in, unsigned flags,
                                 double def, size_t *n_test, fw_err *e);

/* ---- encodings ------------------------------------------------------------ */

/* Class index per position among the classes present. first_seen = 1 numbers
 * classes by first appearance in position order (StratifiedKFold), 0 by
 * class code (np.unique order). Fills code[n] and count[] (room for
 * in->n_classes); returns the number of classes present, or 0 when out of
 * memory. */
size_t fw_split_classes(const fw_split_input *in, int first_seen, int32_t *code,
                        size_t *count);
/* Group index per position among the groups present, in group code order.
 * Fills code[n] and, when `count` is not NULL, count[] (room for
 * fw_split_group_room(in)); returns the number of groups present, or 0 when
 * out of memory. */
size_t fw_split_groups(const fw_split_input *in, int32_t *code, size_t *count);
/* One more than the largest group code at the input's positions (or
 * in->n_groups when that is larger). */
size_t fw_split_group_room(const fw_split_input *in);
/* Number of groups present at the input's positions (0 when out of memory). */
size_t fw_split_count_groups(const fw_split_input *in);

/* ---- building folds ------------------------------------------------------ */

/* Working state of one split call: positions in ascending row order (so
 * folds come out sorted) and a mark per position. */
typedef struct fw_split_ctx {
    const fw_split_spec *spec;
    const fw_split_input *in;
    const char *kind;
    size_t n;
    size_t *order;        /* positions by ascending row; NULL = identity */
    unsigned char *mark;  /* FW_SPLIT_* per position */
} fw_split_ctx;

int fw_split_ctx_init(fw_split_ctx *c, const fw_split_spec *spec, const fw_split_input *in,
                      const char *kind, fw_err *e);
void fw_split_ctx_free(fw_split_ctx *c);
/* Sets every mark to FW_SPLIT_NONE. */
void fw_split_ctx_clear(fw_split_ctx *c);
/* One fold from the marks: rows ascending. Refuses an empty train or test
 * side (naming fold `index`). */
int fw_split_fold_fill(const fw_split_ctx *c, size_t index, fw_fold *f, fw_err *e);
/* out->folds zeroed for n_folds folds. */
int fw_split_out_alloc(fw_splits *out, size_t n_folds, size_t k, size_t repeats, fw_err *e);

/* Fills label[pos] with the test fold (0..k-1) of each position for one
 * repeat, or -1 for "always in training". `r` is NULL when unshuffled. */
typedef int (*fw_split_labeler)(const fw_split_spec *spec, const fw_split_input *in,
                                size_t k, gsl_rng *r, int32_t *label, fw_err *e);
/* The k-fold driver: for each repeat, label positions (with a stream
 * fw_rng_alloc(seed, repeat) when shuffle is on) and turn the labels into k
 * folds numbered repeat * k + fold. */
int fw_split_run_labels(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                        uint64_t seed, size_t k, size_t repeats, int shuffle,
                        fw_split_labeler fn, fw_splits *out, fw_err *e);
/* fw_split_run_labels with the spec's kind, k, repeats and shuffle. */
int fw_split_run_kfold(const fw_split_spec *spec, const fw_split_input *in, uint64_t seed,
                       fw_split_labeler fn, fw_splits *out, fw_err *e);
/* Marks the positions of split i (marks start cleared); `r` is the split's
 * stream, or NULL for a splitter that takes no randomness. */
typedef int (*fw_split_marker)(void *arg, fw_split_ctx *c, gsl_rng *r, size_t i, fw_err *e);
/* The train/test driver (shuffle_split, holdout, time_series, ...): n_splits
 * folds, split i marked by fn with stream fw_rng_alloc(seed, i) when `random`
 * (keyed on i, so the first splits do not change when k grows). */
int fw_split_run_marks(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                       uint64_t seed, size_t n_splits, int random, fw_split_marker fn,
                       void *arg, fw_splits *out, fw_err *e);
/* Train/test splits of the whole (shuffle_split, holdout): each split's
 * positions permuted (when shuffle), the first n - n_test trained on, the
 * rest tested; unshuffled, the last n_test positions are tested
 * (train_test_split(shuffle=False)). */
int fw_split_run_shuffled(const fw_split_spec *spec, const fw_split_input *in, const char *kind,
                          uint64_t seed, size_t n_splits, size_t n_test, int shuffle,
                          fw_splits *out, fw_err *e);

/* Warn when the least populated class has fewer than k members. */
void fw_split_warn_small_classes(const fw_split_spec *spec, const fw_split_input *in);

#endif /* FOLDWISE_SPLIT_INT_H */
