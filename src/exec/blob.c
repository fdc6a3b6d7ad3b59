/* blob.c: a fitted model with its preprocessing as one byte string, kept
 * by the final refit (journal, results.h5) and read by `foldwise predict`.
 * Layout: "FWMB" | version | model name | parameters | task | classes |
 * columns | prep bytes | model state bytes (lengths u64 before each). */
#include <stdlib.h>
#include <string.h>

#include "foldwise/exec.h"

#define BLOB_VERSION 1u

static void put_bytes(fw_sb *b, const void *p, uint64_t n)
{
    fw_sb_appendn(b, (const char *)&n, sizeof n);
    fw_sb_appendn(b, p, (size_t)n);
}

int fw_model_blob_save(const fw_model *m, const fw_prep *prep, fw_sb *out, fw_err *e)
{
    if (!m->type->save)
        return fw_err_set(e, FW_EUNSUP, "%s cannot be saved", m->type->name);
    uint32_t ver = BLOB_VERSION;
    int32_t task = m->task;
    uint64_t ncls = m->n_classes, ncols = m->n_cols;
    fw_sb_append(out, "FWMB");
    fw_sb_appendn(out, (const char *)&ver, sizeof ver);
    put_bytes(out, m->type->name, strlen(m->type->name));
    put_bytes(out, m->cfg, m->type->n_params * sizeof *m->cfg);
    fw_sb_appendn(out, (const char *)&task, sizeof task);
    fw_sb_appendn(out, (const char *)&ncls, sizeof ncls);
    fw_sb_appendn(out, (const char *)&ncols, sizeof ncols);
    fw_sb sb;
    fw_sb_init(&sb);
    int rc = prep ? fw_prep_save(prep, &sb, e) : FW_OK;
    if (!rc) {
        put_bytes(out, sb.s, sb.len);
        fw_sb_reset(&sb);
        rc = m->type->save(m->state, &sb, e);
        if (!rc)
            put_bytes(out, sb.s, sb.len);
    }
    if (!rc && (sb.oom || out->oom))
        rc = fw_err_set(e, FW_ENOMEM, "out of memory saving the model");
    fw_sb_free(&sb);
    return rc;
}

/* A length-prefixed byte string in place (borrowed), or NULL on damage. */
static const char *take_bytes(fw_reader *r, uint64_t *n)
{
    *n = fw_get_u64(r);
    return fw_get_fits(r, (size_t)*n, 1) ? fw_get_bytes(r, (size_t)*n) : NULL;
}

int fw_model_blob_load(const void *buf, size_t n, fw_model **out, fw_prep **prep, fw_err *e)
{
    fw_reader r;
    char magic[4], name[128];
    uint32_t ver;
    const char *p;
    uint64_t len, ncls, ncols;
    int32_t task;
    *out = NULL;
    *prep = NULL;
    fw_reader_init(&r, buf, n);
    fw_get(&r, magic, 4);
    fw_get(&r, &ver, sizeof ver);
    if (r.bad || memcmp(magic, "FWMB", 4) || ver != BLOB_VERSION ||
        !(p = take_bytes(&r, &len)) || len >= sizeof name)
        return fw_err_set(e, FW_EINVAL, "stored model is damaged or from another version");
    memcpy(name, p, len);
    name[len] = '\0';
    const fw_model_type *t = fw_model_find(name);
    if (!t)
        return fw_err_set(e, FW_EINVAL, "stored model '%s' is not known to this build", name);
    p = take_bytes(&r, &len);
    fw_get(&r, &task, sizeof task);
    ncls = fw_get_u64(&r);
    ncols = fw_get_u64(&r);
    if (!p || r.bad || len != t->n_params * sizeof(fw_pval))
        return fw_err_set(e, FW_EINVAL, "stored model is damaged");
    fw_model *m = fw_model_alloc(t, (const fw_pval *)p);
    if (!m)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    m->task = task;
    m->n_classes = (size_t)ncls;
    m->n_cols = (size_t)ncols;
    int rc = FW_OK;
    if (!(p = take_bytes(&r, &len)))
        rc = fw_err_set(e, FW_EINVAL, "stored model is damaged");
    else if (len)
        rc = fw_prep_load(p, (size_t)len, prep, e);
    if (!rc && !(p = take_bytes(&r, &len)))
        rc = fw_err_set(e, FW_EINVAL, "stored model is damaged");
    if (!rc)
        rc = t->load(m->state, p, (size_t)len, e);
    if (rc) {
        fw_model_free(m);
        fw_prep_free(*prep);
        *prep = NULL;
        return rc;
    }
    *out = m;
    return FW_OK;
}
