/* h5_common.c: what the results.h5 writer and reader share: the string
 * type, the compound tables' layouts, and the per-dataset checksums. */
#include <stddef.h>
#include <string.h>

#include "store_int.h"

#define TRIAL(f) offsetof(fw_h5_trial_rec, f)
#define OUTER(f) offsetof(fw_h5_outer_rec, f)

const fw_h5_field fw_h5_trial_fields[] = {
    {"model", TRIAL(model), FW_H5F_STR},
    {"space", TRIAL(space), FW_H5F_U64},
    {"status", TRIAL(status), FW_H5F_I32},
    {"rung", TRIAL(rung), FW_H5F_I32},
    {"resource", TRIAL(resource), FW_H5F_F64},
    {"not_converged", TRIAL(not_converged), FW_H5F_I32},
    {"message", TRIAL(message), FW_H5F_STR},
    {"params_json", TRIAL(params_json), FW_H5F_STR},
    {"mean_fit_time", TRIAL(mean_fit_time), FW_H5F_F64},
    {"std_fit_time", TRIAL(std_fit_time), FW_H5F_F64},
    {"mean_score_time", TRIAL(mean_score_time), FW_H5F_F64},
    {"std_score_time", TRIAL(std_score_time), FW_H5F_F64},
    {NULL, 0, FW_H5F_STR},
};

const fw_h5_trial_array fw_h5_trial_arrays[] = {
    {"/trials/test", offsetof(fw_trial, test), 1},
    {"/trials/train", offsetof(fw_trial, train), 1},
    {"/trials/mean_test", offsetof(fw_trial, mean_test), 0},
    {"/trials/std_test", offsetof(fw_trial, std_test), 0},
    {"/trials/mean_train", offsetof(fw_trial, mean_train), 0},
    {"/trials/std_train", offsetof(fw_trial, std_train), 0},
    {NULL, 0, 0},
};

const fw_h5_field fw_h5_outer_fields[] = {
    {"split", OUTER(split), FW_H5F_U64},
    {"status", OUTER(status), FW_H5F_I32},
    {"model", OUTER(model), FW_H5F_STR},
    {"params_json", OUTER(params_json), FW_H5F_STR},
    {"message", OUTER(message), FW_H5F_STR},
    {NULL, 0, FW_H5F_STR},
};

#define INNER(f) offsetof(fw_h5_inner_rec, f)

const fw_h5_field fw_h5_inner_fields[] = {
    {"outer", INNER(outer), FW_H5F_U64},
    {"model", INNER(model), FW_H5F_STR},
    {"params_json", INNER(params_json), FW_H5F_STR},
    {"status", INNER(status), FW_H5F_I32},
    {"n_splits", INNER(n_splits), FW_H5F_U64},
    {NULL, 0, FW_H5F_STR},
};

hid_t fw_h5_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static size_t field_size(fw_h5_fkind k)
{
    switch (k) {
    case FW_H5F_STR:
        return sizeof(char *);
    case FW_H5F_I32:
        return sizeof(int32_t);
    default:
        return 8;
    }
}

/* Memory layout (packed = 0) or the same members back to back (packed = 1,
 * for the file: no padding bytes on disk). */
hid_t fw_h5_compound_type(const fw_h5_field *f, size_t rec_size, int packed)
{
    size_t size = rec_size;
    if (packed) {
        size = 0;
        for (size_t i = 0; f[i].name; i++)
            size += field_size(f[i].kind);
    }
    hid_t t = H5Tcreate(H5T_COMPOUND, size), str = fw_h5_str_type();
    int bad = t < 0 || str < 0;
    for (size_t i = 0, off = 0; !bad && f[i].name; i++) {
        hid_t m = f[i].kind == FW_H5F_STR   ? str
                  : f[i].kind == FW_H5F_I32 ? (packed ? H5T_STD_I32LE : H5T_NATIVE_INT32)
                  : f[i].kind == FW_H5F_U64 ? (packed ? H5T_STD_U64LE : H5T_NATIVE_UINT64)
                                            : (packed ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
        bad = H5Tinsert(t, f[i].name, packed ? off : f[i].offset, m) < 0;
        off += field_size(f[i].kind);
    }
    if (str >= 0)
        H5Tclose(str);
    if (bad && t >= 0) {
        H5Tclose(t);
        t = -1;
    }
    return t;
}

/* ---- checksums --------------------------------------------------------------- */

#define H5_SEED 0x72657375u /* any fixed value: the same on write and read */

uint64_t fw_h5_hash_bytes(const void *p, size_t n)
{
    return fw_hash64(n ? p : "", n, H5_SEED);
}

/* A NULL string hashes apart from an empty one, and lengths keep
 * ("ab", "c") apart from ("a", "bc"). */
static void hash_str(fw_hasher *h, const char *s)
{
    uint64_t n = s ? strlen(s) : UINT64_MAX;
    fw_hasher_update(h, &n, sizeof n);
    if (s)
        fw_hasher_update(h, s, (size_t)n);
}

uint64_t fw_h5_hash_strs(char *const *s, size_t n)
{
    fw_hasher *h = fw_hasher_alloc(H5_SEED);
    if (!h)
        return 0;
    for (size_t i = 0; i < n; i++)
        hash_str(h, s[i]);
    uint64_t v = fw_hasher_digest(h);
    fw_hasher_free(h);
    return v;
}

uint64_t fw_h5_hash_records(const fw_h5_field *f, const void *recs, size_t rec_size, size_t n)
{
    fw_hasher *h = fw_hasher_alloc(H5_SEED);
    if (!h)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *rec = (const char *)recs + i * rec_size;
        for (size_t k = 0; f[k].name; k++) {
            if (f[k].kind == FW_H5F_STR)
                hash_str(h, *(char *const *)(const void *)(rec + f[k].offset));
            else
                fw_hasher_update(h, rec + f[k].offset, field_size(f[k].kind));
        }
    }
    uint64_t v = fw_hasher_digest(h);
    fw_hasher_free(h);
    return v;
}
