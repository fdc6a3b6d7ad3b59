/* params.c: generic handling of a model's hyperparameter schema: defaults,
 * parsing from config text, range checks, formatting for reports. Models
 * only declare their schema; every check that the schema can express lives
 * here, once. */
#include "foldwise/model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

long fw_param_index(const fw_model_type *m, const char *name)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

static int choice_index(const fw_param_spec *p, const char *text)
{
    if (!p->choices)
        return -1;
    for (int i = 0; p->choices[i]; i++)
        if (strcasecmp(p->choices[i], text) == 0)
            return i;
    return -1;
}

void fw_param_defaults(const fw_model_type *m, fw_pval *cfg)
{
    for (size_t i = 0; i < m->n_params; i++) {
        const fw_param_spec *p = &m->params[i];
        cfg[i].num = p->def;
        cfg[i].choice = p->def_choice ? choice_index(p, p->def_choice) : -1;
    }
}

static void describe_range(const fw_param_spec *p, char *buf, size_t n)
{
    char lo[40], hi[40];
    fw_fmt_double(lo, sizeof lo, p->lo);
    fw_fmt_double(hi, sizeof hi, p->hi);
    int off = 0;
    if (p->kind == FW_PARAM_CHOICE) {
        off = snprintf(buf, n, "one of");
    } else if (p->kind == FW_PARAM_BOOL) {
        off = snprintf(buf, n, "true or false");
    } else {
        off = snprintf(buf, n, "%s in %s%s, %s%s", p->kind == FW_PARAM_INT ? "an integer" : "a number",
                       (p->flags & FW_PARAM_LO_OPEN) ? "(" : "[", lo, hi,
                       (p->flags & FW_PARAM_HI_OPEN) ? ")" : "]");
        if (p->choices && p->choices[0] && off > 0 && (size_t)off < n)
            off += snprintf(buf + off, n - (size_t)off, " or one of");
    }
    for (int i = 0; p->choices && p->choices[i] && off > 0 && (size_t)off < n; i++)
        off += snprintf(buf + off, n - (size_t)off, "%s %s", i ? "," : "", p->choices[i]);
}

int fw_param_check_value(const fw_model_type *m, size_t idx, const fw_pval *v, fw_err *e)
{
    const fw_param_spec *p = &m->params[idx];
    char allowed[512];
    if (v->choice >= 0)
        return FW_OK;
    describe_range(p, allowed, sizeof allowed);
    if (p->kind == FW_PARAM_CHOICE)
        return fw_err_set(e, FW_EINVAL, "%s: %s must be %s", m->name, p->name, allowed);
    double x = v->num;
    int bad = !isfinite(x) && !(isinf(x) && x == p->hi && !(p->flags & FW_PARAM_HI_OPEN));
    if (p->kind == FW_PARAM_BOOL)
        bad = !(x == 0.0 || x == 1.0);
    if (p->kind == FW_PARAM_INT && !bad)
        bad = x != floor(x);
    if (!bad && p->kind != FW_PARAM_BOOL) {
        bad = x < p->lo || x > p->hi || ((p->flags & FW_PARAM_LO_OPEN) && x == p->lo) ||
              ((p->flags & FW_PARAM_HI_OPEN) && x == p->hi);
    }
    if (bad) {
        char got[40];
        fw_fmt_double(got, sizeof got, x);
        return fw_err_set(e, FW_EINVAL, "%s: %s = %s is out of range: it must be %s", m->name,
                          p->name, got, allowed);
    }
    return FW_OK;
}

static int parse_bool(const char *t, double *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0) {
            *out = 1;
            return 1;
        }
        if (strcasecmp(t, no[i]) == 0) {
            *out = 0;
            return 1;
        }
    }
    return 0;
}

int fw_param_parse(const fw_model_type *m, size_t idx, const char *text, fw_pval *v, fw_err *e)
{
    const fw_param_spec *p = &m->params[idx];
    char allowed[512];
    /* YAML null spellings mean "none" where a parameter has that choice. */
    const char *t = text;
    if (strcmp(t, "~") == 0 || strcasecmp(t, "null") == 0 || t[0] == '\0')
        t = "none";
    v->num = NAN;
    v->choice = choice_index(p, t);
    if (v->choice >= 0)
        return FW_OK;
    describe_range(p, allowed, sizeof allowed);
    if (p->kind == FW_PARAM_CHOICE) {
        size_t nc = 0;
        while (p->choices && p->choices[nc])
            nc++;
        const char *s = fw_suggest(t, p->choices, nc);
        return fw_err_set(e, FW_EINVAL, "%s: %s = '%s' is not allowed: it must be %s%s%s%s",
                          m->name, p->name, text, allowed, s ? " (did you mean '" : "",
                          s ? s : "", s ? "'?)" : "");
    }
    if (p->kind == FW_PARAM_BOOL) {
        if (!parse_bool(t, &v->num))
            return fw_err_set(e, FW_EINVAL, "%s: %s = '%s' is not true or false", m->name,
                              p->name, text);
        return FW_OK;
    }
    char *end;
    double x = strtod(t, &end);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (end == t || *end) {
        return fw_err_set(e, FW_EINVAL, "%s: %s = '%s' is not a number: it must be %s", m->name,
                          p->name, text, allowed);
    }
    v->num = x;
    return fw_param_check_value(m, idx, v, e);
}

const char *fw_param_choice_name(const fw_model_type *m, size_t idx, const fw_pval *v)
{
    const fw_param_spec *p = &m->params[idx];
    if (v->choice < 0 || !p->choices)
        return NULL;
    return p->choices[v->choice];
}

void fw_param_format(const fw_model_type *m, size_t idx, const fw_pval *v, char *buf, size_t n)
{
    const fw_param_spec *p = &m->params[idx];
    const char *name = fw_param_choice_name(m, idx, v);
    if (name)
        snprintf(buf, n, "%s", name);
    else if (p->kind == FW_PARAM_BOOL)
        snprintf(buf, n, "%s", v->num != 0 ? "true" : "false");
    else if (p->kind == FW_PARAM_INT && isfinite(v->num))
        snprintf(buf, n, "%.0f", v->num);
    else
        fw_fmt_double(buf, n, v->num);
}
