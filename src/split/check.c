/* check.c: validation shared by the splitters. Every message names the
 * config key at fault (spec->key, e.g. "cv.outer.k") or the role column
 * (data.groups, data.time, data.fold) and the dataset row. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "split/split_int.h"

const char *fw_split_key(const fw_split_spec *spec)
{
    return spec->key[0] ? spec->key : "cv.outer";
}

size_t fw_split_row(const fw_split_input *in, size_t pos)
{
    return in->rows ? in->rows[pos] : pos;
}

int fw_split_check_opts(fw_split_spec *spec, unsigned allowed, fw_err *e)
{
    const char *key = fw_split_key(spec), *kind = spec->kind;
    if (spec->k != 0 && !(allowed & FW_SPLIT_OPT_K))
        return fw_err_set(e, FW_EINVAL, "%s.k: %s takes no k (its number of folds is fixed "
                          "by its rule or by the data)", key, kind);
    if (spec->repeats < 0)
        return fw_err_set(e, FW_EINVAL, "%s.repeats: %d is negative", key, spec->repeats);
    if (spec->repeats == 0)
        spec->repeats = 1;
    if (spec->repeats > 1 && !(allowed & FW_SPLIT_OPT_REPEATS))
        return fw_err_set(e, FW_EINVAL,
                          "%s.repeats: only the k-fold kinds repeat; %s does not "
                          "(shuffle_split takes k splits)", key, kind);
    if (spec->shuffle < -1 || spec->shuffle > 1)
        return fw_err_set(e, FW_EINVAL, "%s.shuffle: %d is not a boolean", key, spec->shuffle);
    if (spec->shuffle == 1 && !(allowed & FW_SPLIT_OPT_SHUFFLE))
        return fw_err_set(e, FW_EINVAL, "%s.shuffle: %s never shuffles", key, kind);
    if (!isnan(spec->test_size) && !(allowed & FW_SPLIT_OPT_TEST_SIZE))
        return fw_err_set(e, FW_EINVAL, "%s.test_size: %s takes no test_size", key, kind);
    if (spec->gap < 0)
        return fw_err_set(e, FW_EINVAL, "%s.gap: %d is negative", key, spec->gap);
    if (spec->max_train < 0)
        return fw_err_set(e, FW_EINVAL, "%s.max_train: %ld is negative", key, spec->max_train);
    if ((spec->gap != 0 || spec->max_train != 0) && !(allowed & FW_SPLIT_OPT_TIME))
        return fw_err_set(e, FW_EINVAL, "%s.%s: only time_series uses it, not %s", key,
                          spec->gap != 0 ? "gap" : "max_train", kind);
    return FW_OK;
}

static int check_classes(const fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    const char *key = fw_split_key(spec);
    if (!in->y || in->n_classes == 0)
        return fw_err_set(e, FW_EINVAL,
                          "%s.kind: %s needs a classification target, and this target is "
                          "regression (use kfold, or set data.task: classification)",
                          key, spec->kind);
    for (size_t p = 0; p < in->n; p++) {
        size_t row = fw_split_row(in, p);
        double v = in->y[row];
        if (!(v >= 0 && v < (double)in->n_classes && v == floor(v)))
            return fw_err_set(e, FW_EINVAL,
                              "%s.kind: %s: the target at row %zu is %g, not a class code "
                              "below %zu (missing target?)", key, spec->kind, row, v,
                              in->n_classes);
    }
    return FW_OK;
}

static int check_groups(const fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    if (!in->group)
        return fw_err_set(e, FW_EINVAL, "%s.kind: %s needs data.groups (a group column)",
                          fw_split_key(spec), spec->kind);
    for (size_t p = 0; p < in->n; p++) {
        size_t row = fw_split_row(in, p);
        int32_t g = in->group[row];
        if (g < 0)
            return fw_err_set(e, FW_EINVAL, "data.groups: missing group at row %zu", row);
        if (in->n_groups && (size_t)g >= in->n_groups)
            return fw_err_set(e, FW_EINVAL,
                              "data.groups: group code %d at row %zu is not below %zu", g,
                              row, in->n_groups);
    }
    return FW_OK;
}

static int check_fold(const fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    if (!in->fold)
        return fw_err_set(e, FW_EINVAL, "%s.kind: %s needs data.fold (a fold column)",
                          fw_split_key(spec), spec->kind);
    for (size_t p = 0; p < in->n; p++) {
        size_t row = fw_split_row(in, p);
        if (in->fold[row] < -1)
            return fw_err_set(e, FW_EINVAL,
                              "data.fold: %d at row %zu; folds are numbers >= 0, or -1 "
                              "for always in training", in->fold[row], row);
    }
    return FW_OK;
}

static int check_time(const fw_split_input *in, fw_err *e)
{
    for (size_t p = 0; in->time && p < in->n; p++) {
        size_t row = fw_split_row(in, p);
        if (!isfinite(in->time[row]))
            return fw_err_set(e, FW_EINVAL, "data.time: missing time at row %zu", row);
    }
    return FW_OK;
}

int fw_split_check_roles(const fw_split_spec *spec, const fw_split_input *in, unsigned flags,
                         fw_err *e)
{
    if (!in)
        return fw_err_set(e, FW_EINVAL, "%s: no rows to split", fw_split_key(spec));
    if (in->n < 2)
        return fw_err_set(e, FW_EINVAL, "%s: %zu row(s) to split; at least 2 are needed",
                          fw_split_key(spec), in->n);
    int rc = FW_OK;
    if (flags & FW_SPLIT_NEEDS_CLASSES)
        rc = check_classes(spec, in, e);
    if (!rc && (flags & FW_SPLIT_NEEDS_GROUPS))
        rc = check_groups(spec, in, e);
    if (!rc && (flags & FW_SPLIT_NEEDS_FOLD))
        rc = check_fold(spec, in, e);
    if (!rc && (flags & FW_SPLIT_NEEDS_TIME))
        rc = check_time(in, e);
    return rc;
}

int fw_split_check_k(fw_split_spec *spec, int min_k, size_t limit, const char *what, fw_err *e)
{
    const char *key = fw_split_key(spec);
    if (spec->k == 0)
        spec->k = FW_SPLIT_DEFAULT_K;
    if (spec->k < min_k)
        return fw_err_set(e, FW_EINVAL, "%s.k: %d is too small; %s needs k >= %d", key,
                          spec->k, spec->kind, min_k);
    if ((size_t)spec->k > limit)
        return fw_err_set(e, FW_EINVAL, "%s.k: %d is more than the %zu %s", key, spec->k, limit,
                          what);
    return FW_OK;
}

int fw_split_check_kfold(fw_split_spec *spec, const fw_split_input *in, unsigned flags,
                         fw_err *e)
{
    int rc = fw_split_check_opts(spec, FW_SPLIT_OPT_K | FW_SPLIT_OPT_REPEATS |
                                           FW_SPLIT_OPT_SHUFFLE, e);
    if (!rc)
        rc = fw_split_check_roles(spec, in, flags, e);
    if (!rc)
        rc = fw_split_check_k(spec, 2, in->n, "rows to split", e);
    if (!rc && (flags & FW_SPLIT_NEEDS_GROUPS)) {
        size_t g = fw_split_count_groups(in);
        if (g == 0)
            return fw_err_set(e, FW_ENOMEM, "out of memory counting groups");
        rc = fw_split_check_k(spec, 2, g, "groups in data.groups", e);
    }
    if (rc)
        return rc;
    if (spec->repeats > 1) {
        /* Like RepeatedKFold: repeats differ only through shuffling. */
        if (spec->shuffle == 0)
            return fw_err_set(e, FW_EINVAL,
                              "%s.shuffle: false contradicts repeats: %d (each repeat "
                              "reshuffles; unshuffled repeats would all be the same)",
                              fw_split_key(spec), spec->repeats);
        spec->shuffle = 1;
    } else if (spec->shuffle < 0) {
        spec->shuffle = 0;
    }
    return FW_OK;
}

int fw_split_check_class_k(const fw_split_spec *spec, const fw_split_input *in, fw_err *e)
{
    int32_t *code = malloc((in->n ? in->n : 1) * sizeof *code);
    size_t *count = calloc(in->n_classes ? in->n_classes : 1, sizeof *count);
    size_t nc = code && count ? fw_split_classes(in, 0, code, count) : 0;
    size_t most = 0;
    for (size_t c = 0; c < nc; c++)
        most = count[c] > most ? count[c] : most;
    free(code);
    free(count);
    if (nc == 0)
        return fw_err_set(e, FW_ENOMEM, "out of memory counting classes");
    if ((size_t)spec->k > most)
        return fw_err_set(e, FW_EINVAL,
                          "%s.k: %d is more than the members of every class (the largest "
                          "class has %zu rows)", fw_split_key(spec), spec->k, most);
    return FW_OK;
}

size_t fw_split_test_rows(const fw_split_spec *spec, size_t n)
{
    double ts = spec->test_size;
    /* scikit-learn: ceil(test_size * n_samples) in doubles, or the count. */
    return ts < 1 ? (size_t)ceil(ts * (double)n) : (size_t)ts;
}

int fw_split_check_test_size(fw_split_spec *spec, size_t n, double def, size_t *n_test,
                             fw_err *e)
{
    const char *key = fw_split_key(spec);
    if (isnan(spec->test_size))
        spec->test_size = def;
    double ts = spec->test_size;
    if ((ts > 0 && ts < 1) || (ts >= 1 && ts == floor(ts) && ts < (double)n)) {
        *n_test = fw_split_test_rows(spec, n);
    } else {
        return fw_err_set(e, FW_EINVAL,
                          "%s.test_size: %g is neither a fraction in (0, 1) nor a whole "
                          "number of rows in [1, %zu)", key, ts, n);
    }
    if (*n_test >= n)
        return fw_err_set(e, FW_EINVAL,
                          "%s.test_size: %g of %zu rows leaves no training rows", key, ts, n);
    return FW_OK;
}

int fw_split_check_shuffle_split(fw_split_spec *spec, const fw_split_input *in, unsigned flags,
                                 double def, size_t *n_test, fw_err *e)
{
    int rc = fw_split_check_opts(spec, FW_SPLIT_OPT_K | FW_SPLIT_OPT_TEST_SIZE |
                                           FW_SPLIT_OPT_SHUFFLE, e);
    if (!rc && spec->shuffle == 0)
        rc = fw_err_set(e, FW_EINVAL, "%s.shuffle: %s always shuffles (use holdout with "
                        "shuffle: false for one unshuffled split)", fw_split_key(spec),
                        spec->kind);
    if (!rc)
        rc = fw_split_check_roles(spec, in, flags, e);
    if (!rc)
        rc = fw_split_check_k(spec, 1, SIZE_MAX, "", e);
    if (!rc)
        rc = fw_split_check_test_size(spec, in->n, def, n_test, e);
    if (!rc)
        spec->shuffle = 1;
    return rc;
}
