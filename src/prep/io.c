/* io.c: a fitted preprocessor as bytes (stored with the refitted model for
 * `foldwise predict`) and back.
 *
 * Layout (little-endian host order, as the model states are): the magic
 * "FWPREP", a u16 version, the spec as five i32, then per column its name,
 * kind, position hint, fill, scaler (a, b), level names and one-hot slots.
 * Strings are a u64 length and the bytes. Reading checks every length
 * against what is left, so truncated or damaged input is an error, never a
 * crash or a huge allocation. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prep_int.h"

#define PREP_MAGIC "FWPREP"
#define PREP_VERSION 1u


static void put_col(fw_sb *b, const fw_prep_col *c)
{
    fw_put_str(b, c->name);
    fw_put_u64(b, (uint64_t)c->categorical);
    fw_put_u64(b, c->hint);
    fw_put_f64(b, c->fill);
    fw_put_f64(b, c->a);
    fw_put_f64(b, c->b);
    fw_put_u64(b, c->n_levels);
    for (size_t l = 0; l < c->n_levels; l++)
        fw_put_str(b, c->levels[l]);
    fw_put_u64(b, c->slot != NULL);
    for (size_t l = 0; c->slot && l < c->n_levels; l++)
        fw_put_u64(b, (uint64_t)(int64_t)c->slot[l]);
}

int fw_prep_save(const fw_prep *p, fw_sb *out, fw_err *e)
{
    uint16_t version = PREP_VERSION;
    int32_t spec[5] = {p->spec.impute, p->spec.scale, p->spec.encode, p->spec.resample,
                       p->spec.smote_k};
    fw_sb_appendn(out, PREP_MAGIC, 6);
    fw_sb_appendn(out, (const char *)&version, sizeof version);
    fw_sb_appendn(out, (const char *)spec, sizeof spec);
    fw_put_u64(out, p->n_cols);
    for (size_t j = 0; j < p->n_cols; j++)
        put_col(out, &p->cols[j]);
    if (out->oom)
        return fw_err_set(e, FW_ENOMEM, "out of memory saving the preprocessing");
    return FW_OK;
}

/* A count of items each at least `min_bytes` long: more than the bytes
 * left can hold means damage. */
static size_t get_count(fw_reader *r, size_t min_bytes)
{
    uint64_t n = fw_get_u64(r);
    return fw_get_fits(r, (size_t)n, min_bytes) ? (size_t)n : 0;
}

/* Names and levels are never NULL here: a NULL is damage. */
static char *get_str(fw_reader *r)
{
    char *s = fw_get_str(r);
    if (!s)
        r->bad = 1;
    return s;
}

/* Values that would index out of bounds later are damage too. One-hot
 * slots must number the seen levels 0, 1, 2... in level order. */
static int col_valid(fw_prep_col *c, int encode)
{
    if (!c->name || (c->categorical && !isnan(c->fill) &&
                     !(c->fill >= 0 && c->fill < (double)c->n_levels)))
        return 0;
    if (c->categorical && encode == FW_ENCODE_ONEHOT && !c->slot)
        return 0;
    c->n_onehot = 0;
    for (size_t l = 0; c->slot && l < c->n_levels; l++) {
        if (c->slot[l] >= 0 && c->slot[l] != (long)c->n_onehot)
            return 0;
        if (c->slot[l] < -1)
            return 0;
        c->n_onehot += c->slot[l] >= 0;
    }
    return 1;
}

static void get_col(fw_reader *r, fw_prep_col *c)
{
    c->name = get_str(r);
    c->categorical = fw_get_u64(r) != 0;
    c->hint = (size_t)fw_get_u64(r);
    c->fill = fw_get_f64(r);
    c->a = fw_get_f64(r);
    c->b = fw_get_f64(r);
    c->n_levels = get_count(r, sizeof(uint64_t));
    c->levels = calloc(c->n_levels ? c->n_levels : 1, sizeof *c->levels);
    if (!c->levels) {
        r->bad = 1;
        c->n_levels = 0;
        return;
    }
    for (size_t l = 0; l < c->n_levels && !r->bad; l++)
        c->levels[l] = get_str(r);
    if (fw_get_u64(r) == 0 || r->bad)
        return;
    if (c->n_levels > fw_reader_left(r) / sizeof(uint64_t) ||
        !(c->slot = malloc((c->n_levels ? c->n_levels : 1) * sizeof *c->slot))) {
        r->bad = 1;
        return;
    }
    for (size_t l = 0; l < c->n_levels; l++)
        c->slot[l] = (long)(int64_t)fw_get_u64(r);
}

static int spec_valid(const int32_t *s)
{
    return s[0] >= FW_IMPUTE_NONE && s[0] <= FW_IMPUTE_MOST_FREQUENT && s[1] >= FW_SCALE_NONE &&
           s[1] <= FW_SCALE_ROBUST && s[2] >= FW_ENCODE_ONEHOT && s[2] <= FW_ENCODE_ORDINAL &&
           s[3] >= FW_RESAMPLE_NONE && s[3] <= FW_RESAMPLE_SMOTE;
}

int fw_prep_load(const void *buf, size_t n, fw_prep **out, fw_err *e)
{
    fw_reader r;
    fw_reader_init(&r, buf, n);
    char magic[6];
    uint16_t version;
    int32_t spec[5];
    *out = NULL;
    fw_get(&r, magic, sizeof magic);
    fw_get(&r, &version, sizeof version);
    fw_get(&r, spec, sizeof spec);
    if (r.bad || memcmp(magic, PREP_MAGIC, 6) != 0)
        return fw_err_set(e, FW_EINVAL, "saved preprocessing is damaged (bad header)");
    if (version != PREP_VERSION)
        return fw_err_set(e, FW_EINVAL, "saved preprocessing has version %u; this foldwise "
                          "reads version %u", (unsigned)version, PREP_VERSION);
    if (!spec_valid(spec))
        return fw_err_set(e, FW_EINVAL, "saved preprocessing is damaged (bad settings)");
    fw_prep *p = calloc(1, sizeof *p);
    if (!p)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    p->spec = (fw_prep_spec){spec[0], spec[1], spec[2], spec[3], spec[4]};
    p->n_cols = get_count(&r, 6 * sizeof(uint64_t));
    p->cols = calloc(p->n_cols ? p->n_cols : 1, sizeof *p->cols);
    if (!p->cols)
        r.bad = 1;
    for (size_t j = 0; j < p->n_cols && !r.bad; j++) {
        get_col(&r, &p->cols[j]);
        r.bad |= !r.bad && !col_valid(&p->cols[j], p->spec.encode);
    }
    r.bad |= fw_reader_left(&r) != 0;
    int rc = r.bad ? fw_err_set(e, FW_EINVAL, "saved preprocessing is truncated or damaged")
                   : fw_prep_name_outputs(p, e);
    if (rc) {
        fw_prep_free(p);
        return rc;
    }
    *out = p;
    return FW_OK;
}
