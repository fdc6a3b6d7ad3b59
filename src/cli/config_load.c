/* config_load.c: the YAML config into an fw_config, validated against the
 * schema of CONTRACT.md: every key known, types and ranges checked, unknown
 * keys refused with a "did you mean" suggestion, every error placed at its
 * file, line and column. --set overrides are applied to the tree before
 * validation, so they are checked exactly like the file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_int.h"
#include "foldwise/metrics.h"
#include "foldwise/split.h"

typedef struct cfx {
    const char *file;
    fw_err *e;
    fw_config *c;   /* receives the key positions */
} cfx;

/* Remember where "section.key" is in the file. */
static void note_key(const cfx *x, const char *section, const ynode *k)
{
    fw_config *c = x->c;
    if (!c || k->line <= 0)
        return;
    struct fw_keypos *kp = realloc(c->keypos, (c->n_keypos + 1) * sizeof *kp);
    if (!kp)
        return;
    c->keypos = kp;
    char key[256];
    snprintf(key, sizeof key, "%s%s%s", section, section[0] ? "." : "", k->s);
    kp[c->n_keypos].key = fw_strdup(key);
    kp[c->n_keypos].line = k->line;
    kp[c->n_keypos].col = k->col;
    c->n_keypos++;
}

static int at(const cfx *x, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int at(const cfx *x, const ynode *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n && n->line < 0)
        return fw_err_at(x->e, FW_EINVAL, "--set", 0, 0, "%s", msg);
    return fw_err_at(x->e, FW_EINVAL, x->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

static size_t count(const char *const *l)
{
    size_t n = 0;
    while (l[n])
        n++;
    return n;
}

/* Every key of `map` must be one of `keys`. */
static int check_keys(const cfx *x, const ynode *map, const char *section,
                      const char *const *keys)
{
    if (map->kind != Y_MAP)
        return at(x, map, "%s%sexpected a mapping of keys", section, section[0] ? ": " : "");
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const ynode *k = map->items[i];
        if (k->kind != Y_SCALAR)
            return at(x, k, "%s: keys must be plain names", section);
        int known = 0;
        for (size_t j = 0; keys[j] && !known; j++)
            known = strcmp(keys[j], k->s) == 0;
        if (!known) {
            const char *s = fw_suggest(k->s, keys, count(keys));
            return at(x, k, "unknown key '%s%s%s'%s%s%s", section, section[0] ? "." : "", k->s,
                      s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        }
        for (size_t j = 0; j < i; j += 2)
            if (strcmp(map->items[j]->s, k->s) == 0)
                return at(x, k, "duplicate key '%s%s%s'", section, section[0] ? "." : "", k->s);
        note_key(x, section, k);
    }
    return FW_OK;
}

static int is_null(const ynode *n)
{
    return n->kind == Y_SCALAR && n->plain &&
           (!n->s[0] || !strcmp(n->s, "~") || !strcasecmp(n->s, "null"));
}

static int want_scalar(const cfx *x, const ynode *n, const char *sec, const char *key)
{
    if (n->kind != Y_SCALAR)
        return at(x, n, "%s.%s: expected a single value, not a %s", sec, key,
                  n->kind == Y_MAP ? "mapping" : "list");
    return FW_OK;
}

static int get_str(const cfx *x, const ynode *map, const char *sec, const char *key, char **out)
{
    const ynode *n = fw_yaml_get(map, key);
    if (!n)
        return FW_OK;
    int rc = want_scalar(x, n, sec, key);
    if (rc)
        return rc;
    free(*out);
    *out = is_null(n) ? NULL : fw_strdup(n->s);
    return FW_OK;
}

static int parse_num(const ynode *n, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(n->s, &end);
    return n->s[0] && !*end && errno == 0 && isfinite(*v);
}

static int get_num(const cfx *x, const ynode *map, const char *sec, const char *key, double lo,
                   double hi, double *out)
{
    const ynode *n = fw_yaml_get(map, key);
    if (!n)
        return FW_OK;
    int rc = want_scalar(x, n, sec, key);
    if (rc)
        return rc;
    double v;
    if (!parse_num(n, &v))
        return at(x, n, "%s.%s: '%s' is not a number", sec, key, n->s);
    if (v < lo || v > hi)
        return at(x, n, "%s.%s: %s is out of range [%g, %g]", sec, key, n->s, lo, hi);
    *out = v;
    return FW_OK;
}

static int get_int(const cfx *x, const ynode *map, const char *sec, const char *key, long lo,
                   long hi, long *out)
{
    const ynode *n = fw_yaml_get(map, key);
    double v;
    if (!n)
        return FW_OK;
    int rc = want_scalar(x, n, sec, key);
    if (rc)
        return rc;
    if (!parse_num(n, &v) || v != floor(v))
        return at(x, n, "%s.%s: '%s' is not an integer", sec, key, n->s);
    if (v < (double)lo || v > (double)hi)
        return at(x, n, "%s.%s: %s is out of range [%ld, %ld]", sec, key, n->s, lo, hi);
    *out = (long)v;
    return FW_OK;
}

static int get_bool(const cfx *x, const ynode *map, const char *sec, const char *key, int *out)
{
    const ynode *n = fw_yaml_get(map, key);
    if (!n)
        return FW_OK;
    int rc = want_scalar(x, n, sec, key);
    if (rc)
        return rc;
    if (!strcasecmp(n->s, "true") || !strcasecmp(n->s, "yes") || !strcasecmp(n->s, "on"))
        *out = 1;
    else if (!strcasecmp(n->s, "false") || !strcasecmp(n->s, "no") || !strcasecmp(n->s, "off"))
        *out = 0;
    else
        return at(x, n, "%s.%s: '%s' is not true or false", sec, key, n->s);
    return FW_OK;
}

static int get_enum(const cfx *x, const ynode *map, const char *sec, const char *key,
                    const char *const *names, int *out)
{
    const ynode *n = fw_yaml_get(map, key);
    if (!n)
        return FW_OK;
    int rc = want_scalar(x, n, sec, key);
    if (rc)
        return rc;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], n->s) == 0) {
            *out = i;
            return FW_OK;
        }
    }
    const char *s = fw_suggest(n->s, names, count(names));
    char allowed[512] = "";
    for (int i = 0; names[i]; i++) {
        strncat(allowed, i ? ", " : "", sizeof allowed - strlen(allowed) - 1);
        strncat(allowed, names[i], sizeof allowed - strlen(allowed) - 1);
    }
    return at(x, n, "%s.%s: '%s' is not one of %s%s%s%s", sec, key, n->s, allowed,
              s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
}

/* A list of strings, or one string. */
static int get_list(const cfx *x, const ynode *map, const char *sec, const char *key,
                    char ***out, size_t *n_out)
{
    const ynode *n = fw_yaml_get(map, key);
    if (!n || is_null(n))
        return FW_OK;
    size_t k = n->kind == Y_SEQ ? n->n : 1;
    if (n->kind == Y_MAP)
        return at(x, n, "%s.%s: expected a list", sec, key);
    char **l = calloc(k ? k : 1, sizeof *l);
    if (!l)
        return fw_err_set(x->e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; i < k; i++) {
        const ynode *it = n->kind == Y_SEQ ? n->items[i] : n;
        if (it->kind != Y_SCALAR) {
            for (size_t j = 0; j < i; j++)
                free(l[j]);
            free(l);
            return at(x, it, "%s.%s: list items must be single values", sec, key);
        }
        l[i] = fw_strdup(it->s);
    }
    for (size_t i = 0; i < *n_out; i++)
        free((*out)[i]);
    free(*out);
    *out = l;
    *n_out = k;
    return FW_OK;
}

/* ---- sections ------------------------------------------------------------------ */

static const char *const task_names[] = {"auto", "classification", "regression", NULL};
static const char *const format_names[] = {"auto", "csv", "tsv", "libsvm", "svmlight",
                                           "hdf5", "arff", NULL};

static int load_data(const cfx *x, const ynode *m, fw_data_opts *d)
{
    static const char *const keys[] = {"path", "format", "target", "features", "task", "drop",
                                       "groups", "time", "fold", "weight", "missing",
                                       "categorical", "numeric", "test", "positive", NULL};
    int rc, fmt = 0;
    if ((rc = check_keys(x, m, "data", keys)) || (rc = get_str(x, m, "data", "path", &d->path)) ||
        (rc = get_enum(x, m, "data", "format", format_names, &fmt)) ||
        (rc = get_str(x, m, "data", "target", &d->target)) ||
        (rc = get_str(x, m, "data", "features", &d->features)) ||
        (rc = get_enum(x, m, "data", "task", task_names, &d->task)) ||
        (rc = get_list(x, m, "data", "drop", &d->drop, &d->n_drop)) ||
        (rc = get_str(x, m, "data", "groups", &d->groups)) ||
        (rc = get_str(x, m, "data", "time", &d->time)) ||
        (rc = get_str(x, m, "data", "fold", &d->fold)) ||
        (rc = get_str(x, m, "data", "weight", &d->weight)) ||
        (rc = get_list(x, m, "data", "missing", &d->missing, &d->n_missing)) ||
        (rc = get_list(x, m, "data", "categorical", &d->categorical, &d->n_categorical)) ||
        (rc = get_list(x, m, "data", "numeric", &d->numeric, &d->n_numeric)) ||
        (rc = get_str(x, m, "data", "test", &d->test)) ||
        (rc = get_str(x, m, "data", "positive", &d->positive)))
        return rc;
    const ynode *miss = fw_yaml_get(m, "missing");
    if (miss && d->n_missing == 0 && !d->missing)
        d->missing = calloc(1, sizeof *d->missing); /* an explicit empty list: no tokens */
    if (fmt) {
        free(d->format);
        d->format = fw_strdup(format_names[fmt]);
    }
    if (!d->path)
        return at(x, m, "data.path is required: the data file to read");
    return FW_OK;
}

static int load_prep(const cfx *x, const ynode *m, fw_prep_spec *p)
{
    static const char *const keys[] = {"impute", "scale", "encode", "resample", "smote_k", NULL};
    long k = p->smote_k;
    int rc;
    if ((rc = check_keys(x, m, "preprocess", keys)) ||
        (rc = get_enum(x, m, "preprocess", "impute", fw_impute_names, &p->impute)) ||
        (rc = get_enum(x, m, "preprocess", "scale", fw_scale_names, &p->scale)) ||
        (rc = get_enum(x, m, "preprocess", "encode", fw_encode_names, &p->encode)) ||
        (rc = get_enum(x, m, "preprocess", "resample", fw_resample_names, &p->resample)) ||
        (rc = get_int(x, m, "preprocess", "smote_k", 1, 100, &k)))
        return rc;
    p->smote_k = (int)k;
    return FW_OK;
}

static int load_split(const cfx *x, const ynode *m, const char *sec, fw_split_spec *s)
{
    static const char *const keys[] = {"kind", "k", "shuffle", "repeats", "test_size", "gap",
                                       "max_train", NULL};
    const char *kinds[64];
    size_t nk = 0;
    for (; fw_splitters[nk] && nk < 63; nk++)
        kinds[nk] = fw_splitters[nk]->name;
    kinds[nk] = NULL;
    int rc, kind = -1, sh = s->shuffle;
    long k = s->k, rep = s->repeats, gap = s->gap, mt = s->max_train;
    if ((rc = check_keys(x, m, sec, keys)) || (rc = get_enum(x, m, sec, "kind", kinds, &kind)) ||
        (rc = get_int(x, m, sec, "k", 2, 1000000, &k)) ||
        (rc = get_int(x, m, sec, "repeats", 1, 1000, &rep)) ||
        (rc = get_num(x, m, sec, "test_size", 1e-9, 1e12, &s->test_size)) ||
        (rc = get_int(x, m, sec, "gap", 0, 1000000000, &gap)) ||
        (rc = get_int(x, m, sec, "max_train", 1, 1000000000000L, &mt)))
        return rc;
    if (fw_yaml_get(m, "shuffle") && (rc = get_bool(x, m, sec, "shuffle", &sh)))
        return rc;
    if (kind >= 0)
        snprintf(s->kind, sizeof s->kind, "%s", kinds[kind]);
    s->k = (int)k;
    s->repeats = (int)rep;
    s->shuffle = sh;
    s->gap = (int)gap;
    s->max_train = mt;
    return FW_OK;
}

static int load_cv(const cfx *x, const ynode *m, fw_config *c)
{
    static const char *const keys[] = {"outer", "inner", NULL};
    int rc = check_keys(x, m, "cv", keys);
    const ynode *o = fw_yaml_get(m, "outer"), *i = fw_yaml_get(m, "inner");
    if (!rc && o)
        rc = load_split(x, o, "cv.outer", &c->outer);
    if (!rc && i && !is_null(i)) {
        c->has_inner = 1;
        rc = load_split(x, i, "cv.inner", &c->inner);
    }
    return rc;
}

static int load_metrics(const cfx *x, const ynode *root, fw_config *c)
{
    const ynode *n = fw_yaml_get(root, "metrics");
    if (!n)
        return FW_OK;
    int rc = get_list(x, root, "", "metrics", &c->metrics, &c->n_metrics);
    for (size_t i = 0; !rc && i < c->n_metrics; i++) {
        const ynode *it = n->kind == Y_SEQ ? n->items[i] : n;
        fw_err me;
        if (fw_metric_check(c->metrics[i], 0, &me))
            rc = at(x, it, "metrics: %s", me.msg);
    }
    if (!rc && c->n_metrics == 0)
        rc = at(x, n, "metrics: at least one metric is needed");
    return rc;
}

static int load_search(const cfx *x, const ynode *m, fw_search_spec *s)
{
    static const char *const keys[] = {"strategy", "trials", "batch", "max_grid", "warn_grid",
                                       "halving", NULL};
    static const char *const hkeys[] = {"factor", "resource", "min", NULL};
    int rc;
    if ((rc = check_keys(x, m, "search", keys)) ||
        (rc = get_enum(x, m, "search", "strategy", fw_search_names, &s->strategy)) ||
        (rc = get_int(x, m, "search", "trials", 1, 10000000, &s->trials)) ||
        (rc = get_int(x, m, "search", "batch", 1, 100000, &s->batch)) ||
        (rc = get_num(x, m, "search", "max_grid", 1, 1e15, &s->max_grid)) ||
        (rc = get_num(x, m, "search", "warn_grid", 1, 1e15, &s->warn_grid)))
        return rc;
    const ynode *h = fw_yaml_get(m, "halving");
    if (h && ((rc = check_keys(x, h, "search.halving", hkeys)) ||
              (rc = get_num(x, h, "search.halving", "factor", 1.01, 1000, &s->factor)) ||
              (rc = get_enum(x, h, "search.halving", "resource", fw_resource_names,
                             &s->resource)) ||
              (rc = get_num(x, h, "search.halving", "min", 1, 1e12, &s->min_resource))))
        return rc;
    return FW_OK;
}

/* ---- models -------------------------------------------------------------------- */

static int load_dist(const cfx *x, const ynode *v, const char *model, fw_dim *d)
{
    if (v->n != 2)
        return at(x, v, "%s.%s: a distribution is a map with one key, e.g. {loguniform: "
                  "[1.0e-3, 1.0e+3]}", model, d->name);
    const ynode *k = v->items[0], *arg = v->items[1];
    int kind = -1;
    for (int i = FW_DIST_UNIFORM; i <= FW_DIST_LOGSPACE; i++)
        if (strcmp(fw_dist_names[i], k->s) == 0)
            kind = i;
    if (kind < 0) {
        const char *names[] = {"uniform", "loguniform", "int", "logint", "linspace", "logspace"};
        const char *s = fw_suggest(k->s, names, 6);
        return at(x, k, "%s.%s: unknown distribution '%s'%s%s%s (uniform, loguniform, int, "
                  "logint, linspace, logspace)", model, d->name, k->s,
                  s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    }
    size_t want = kind >= FW_DIST_LINSPACE ? 3 : 2;
    if (arg->kind != Y_SEQ || arg->n != want)
        return at(x, arg, "%s.%s: %s takes a list of %zu numbers [%s]", model, d->name, k->s,
                  want, want == 3 ? "a, b, n" : "a, b");
    double v3[3];
    for (size_t i = 0; i < want; i++)
        if (arg->items[i]->kind != Y_SCALAR || !parse_num(arg->items[i], &v3[i]))
            return at(x, arg->items[i], "%s.%s: %s bounds must be numbers", model, d->name,
                      k->s);
    d->kind = (fw_dist_kind)kind;
    d->a = v3[0];
    d->b = v3[1];
    if (want == 3) {
        if (v3[2] != floor(v3[2]) || v3[2] < 1 || v3[2] > 1e6)
            return at(x, arg->items[2], "%s.%s: %s needs a whole number of values", model,
                      d->name, k->s);
        d->n = (long)v3[2];
    }
    return FW_OK;
}

static int load_dim(const cfx *x, const ynode *key, const ynode *v, const char *model,
                    fw_dim *d)
{
    d->name = fw_strdup(key->s);
    d->line = v->line >= 0 ? v->line : 0;
    d->col = v->col >= 0 ? v->col : 0;
    if (v->kind == Y_MAP)
        return load_dist(x, v, model, d);
    size_t n = v->kind == Y_SEQ ? v->n : 1;
    if (n == 0)
        return at(x, v, "%s.%s: an empty list of choices", model, d->name);
    d->kind = v->kind == Y_SEQ ? FW_DIST_CHOICE : FW_DIST_FIXED;
    d->texts = calloc(n, sizeof *d->texts);
    if (!d->texts)
        return fw_err_set(x->e, FW_ENOMEM, "out of memory");
    d->n_texts = n;
    for (size_t i = 0; i < n; i++) {
        const ynode *it = v->kind == Y_SEQ ? v->items[i] : v;
        if (it->kind != Y_SCALAR)
            return at(x, it, "%s.%s: choices must be single values", model, d->name);
        d->texts[i] = fw_strdup(is_null(it) ? "none" : it->s);
    }
    return FW_OK;
}

static int load_model(const cfx *x, const ynode *m, fw_space *s)
{
    static const char *const keys[] = {"name", "params", NULL};
    int rc = check_keys(x, m, "models[]", keys);
    if (rc)
        return rc;
    const ynode *name = fw_yaml_get(m, "name"), *params = fw_yaml_get(m, "params");
    if (!name || name->kind != Y_SCALAR)
        return at(x, m, "models: each entry needs a name (see `foldwise models`)");
    s->model_name = fw_strdup(name->s);
    s->line = name->line > 0 ? name->line : 0;
    s->col = name->col > 0 ? name->col : 0;
    if (!params || is_null(params))
        return FW_OK;
    if (params->kind != Y_MAP)
        return at(x, params, "models.%s.params: expected a mapping of parameters", name->s);
    s->dims = calloc(params->n / 2 + 1, sizeof *s->dims);
    if (!s->dims)
        return fw_err_set(x->e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; i + 1 < params->n; i += 2) {
        const ynode *k = params->items[i];
        if (k->kind != Y_SCALAR)
            return at(x, k, "models.%s.params: parameter names must be plain", name->s);
        for (size_t j = 0; j < s->n_dims; j++)
            if (strcmp(s->dims[j].name, k->s) == 0)
                return at(x, k, "models.%s.params: duplicate parameter '%s'", name->s, k->s);
        if ((rc = load_dim(x, k, params->items[i + 1], name->s, &s->dims[s->n_dims++])))
            return rc;
    }
    return FW_OK;
}

static int load_models(const cfx *x, const ynode *n, fw_config *c)
{
    if (n->kind != Y_SEQ || n->n == 0)
        return at(x, n, "models: expected a list of models (- name: logreg ...)");
    c->spaces = calloc(n->n, sizeof *c->spaces);
    if (!c->spaces)
        return fw_err_set(x->e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n->n; i++) {
        c->n_spaces = i + 1;
        int rc = load_model(x, n->items[i], &c->spaces[i]);
        if (rc)
            return rc;
    }
    return FW_OK;
}

/* ---- the rest ------------------------------------------------------------------ */

static int load_ensemble(const cfx *x, const ynode *m, fw_config *c)
{
    static const char *const keys[] = {"kind", "top", "meta", NULL};
    int rc;
    if ((rc = check_keys(x, m, "ensemble", keys)) ||
        (rc = get_str(x, m, "ensemble", "kind", &c->ensemble.kind)) ||
        (rc = get_int(x, m, "ensemble", "top", 1, 1000, &c->ensemble.top)) ||
        (rc = get_str(x, m, "ensemble", "meta", &c->ensemble.meta)))
        return rc;
    c->ensemble.set = 1;
    return FW_OK;
}

static int load_diagnose(const cfx *x, const ynode *m, fw_config *c)
{
    static const char *const keys[] = {"learning_curve", "learning_curve_shuffle",
                                       "permutation_importance", "drift", NULL};
    static const char *const pkeys[] = {"repeats", NULL};
    int rc, shuffle = 1;
    if ((rc = check_keys(x, m, "diagnose", keys)) ||
        (rc = get_bool(x, m, "diagnose", "drift", &c->diagnose.drift)) ||
        (rc = get_bool(x, m, "diagnose", "learning_curve_shuffle", &shuffle)))
        return rc;
    c->diagnose.learning_curve_first_rows = !shuffle;
    const ynode *pi = fw_yaml_get(m, "permutation_importance");
    if (pi && ((rc = check_keys(x, pi, "diagnose.permutation_importance", pkeys)) ||
               (rc = get_int(x, pi, "diagnose.permutation_importance", "repeats", 1, 1000,
                             &c->diagnose.importance_repeats))))
        return rc;
    const ynode *lc = fw_yaml_get(m, "learning_curve");
    if (lc) {
        if (lc->kind != Y_SEQ || lc->n == 0)
            return at(x, lc, "diagnose.learning_curve: expected a list of fractions");
        c->diagnose.learning_curve = calloc(lc->n, sizeof(double));
        c->diagnose.n_learning_curve = lc->n;
        for (size_t i = 0; i < lc->n; i++) {
            double v;
            if (lc->items[i]->kind != Y_SCALAR || !parse_num(lc->items[i], &v) || v <= 0 ||
                v > 1)
                return at(x, lc->items[i], "diagnose.learning_curve: fractions in (0, 1]");
            c->diagnose.learning_curve[i] = v;
        }
    }
    c->diagnose.set = 1;
    return FW_OK;
}

static int load_output(const cfx *x, const ynode *m, fw_config *c)
{
    static const char *const keys[] = {"dir", "overwrite", "progress_s", "predictions", NULL};
    int rc;
    if ((rc = check_keys(x, m, "output", keys)) ||
        (rc = get_str(x, m, "output", "dir", &c->output.dir)) ||
        (rc = get_bool(x, m, "output", "overwrite", &c->output.overwrite)) ||
        (rc = get_num(x, m, "output", "progress_s", 0, 1e6, &c->output.progress_s)) ||
        (rc = get_enum(x, m, "output", "predictions", fw_predictions_names,
                       &c->output.predictions)))
        return rc;
    return FW_OK;
}

static int load_root(const cfx *x, const ynode *r, fw_config *c)
{
    static const char *const keys[] = {"name", "seed", "data", "preprocess", "cv", "metrics",
                                       "refit", "search", "models", "ensemble", "diagnose",
                                       "output", "limits", NULL};
    static const char *const lkeys[] = {"task_timeout_s", "member_trees", NULL};
    int rc;
    long seed = 0;
    const ynode *n;
    if (!r)
        return fw_err_at(x->e, FW_EINVAL, x->file, 1, 1, "the config is empty");
    if ((rc = check_keys(x, r, "", keys)) || (rc = get_str(x, r, "", "name", &c->name)) ||
        (rc = get_int(x, r, "", "seed", 0, 4294967295L, &seed)))
        return rc;
    c->seed = (uint64_t)seed;
    if (!(n = fw_yaml_get(r, "data")))
        return at(x, r, "data: is required (data.path and data.target at least)");
    if ((rc = load_data(x, n, &c->data)))
        return rc;
    if ((n = fw_yaml_get(r, "preprocess")) && !is_null(n) && (rc = load_prep(x, n, &c->prep)))
        return rc;
    if ((n = fw_yaml_get(r, "cv")) && (rc = load_cv(x, n, c)))
        return rc;
    if ((rc = load_metrics(x, r, c)) ||
        (rc = get_enum(x, r, "", "refit", fw_refit_names, &c->refit)))
        return rc;
    if ((n = fw_yaml_get(r, "search")) && (rc = load_search(x, n, &c->search)))
        return rc;
    if (!(n = fw_yaml_get(r, "models")))
        return at(x, r, "models: is required: the models to tune (see `foldwise models`)");
    if ((rc = load_models(x, n, c)))
        return rc;
    if ((n = fw_yaml_get(r, "ensemble")) && !is_null(n) && (rc = load_ensemble(x, n, c)))
        return rc;
    if ((n = fw_yaml_get(r, "diagnose")) && !is_null(n) && (rc = load_diagnose(x, n, c)))
        return rc;
    if ((n = fw_yaml_get(r, "output")) && (rc = load_output(x, n, c)))
        return rc;
    if ((n = fw_yaml_get(r, "limits")) &&
        ((rc = check_keys(x, n, "limits", lkeys)) ||
         (rc = get_num(x, n, "limits", "task_timeout_s", 0, 1e9, &c->limits.task_timeout_s)) ||
         (rc = get_int(x, n, "limits", "member_trees", 0, 1000000, &c->limits.member_trees))))
        return rc;
    return FW_OK;
}

/* ---- --set ----------------------------------------------------------------------- */

static void mark_set(ynode *n)
{
    n->line = -1;
    for (size_t i = 0; i < n->n; i++)
        mark_set(n->items[i]);
}

static int map_put(ynode *map, const char *key, ynode *value)
{
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        if (map->items[i]->kind == Y_SCALAR && strcmp(map->items[i]->s, key) == 0) {
            fw_yaml_free(map->items[i + 1]);
            map->items[i + 1] = value;
            return 0;
        }
    }
    ynode **it = realloc(map->items, (map->n + 2) * sizeof *it);
    ynode *k = fw_yaml_scalar(key, -1, 0);
    if (!it || !k) {
        fw_yaml_free(k);
        return -1;
    }
    map->items = it;
    map->items[map->n++] = k;
    map->items[map->n++] = value;
    return 0;
}

/* Apply one "a.b.c=value" to the tree (maps by key, lists by index). */
static int apply_set(ynode **root, const char *set, fw_err *e)
{
    const char *eq = strchr(set, '=');
    if (!eq || eq == set)
        return fw_err_set(e, FW_EINVAL, "--set %s: expected KEY=VALUE (e.g. cv.outer.k=10)",
                          set);
    ynode *val = NULL;
    if (fw_yaml_load(eq + 1, strlen(eq + 1), "--set", &val, NULL) || !val)
        val = fw_yaml_scalar(eq + 1, -1, 0);
    if (!val)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    mark_set(val);
    if (!*root && !(*root = calloc(1, sizeof **root)))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    if (!(*root)->refs)
        (*root)->kind = Y_MAP, (*root)->refs = 1;
    char path[512];
    snprintf(path, sizeof path, "%.*s", (int)(eq - set), set);
    ynode *cur = *root;
    for (char *tok = strtok(path, "."), *next; tok; tok = next) {
        next = strtok(NULL, ".");
        if (cur->kind == Y_SEQ) {
            char *end;
            long i = strtol(tok, &end, 10);
            if (*end || i < 0 || (size_t)i >= cur->n)
                goto bad;
            if (!next) {
                fw_yaml_free(cur->items[i]);
                cur->items[i] = val;
                return FW_OK;
            }
            cur = cur->items[i];
            continue;
        }
        if (cur->kind != Y_MAP)
            goto bad;
        if (!next) {
            if (map_put(cur, tok, val))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
            return FW_OK;
        }
        ynode *child = fw_yaml_get(cur, tok);
        if (!child) {
            if (!(child = calloc(1, sizeof *child)))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
            child->kind = Y_MAP;
            child->refs = 1;
            child->line = -1;
            if (map_put(cur, tok, child))
                return fw_err_set(e, FW_ENOMEM, "out of memory");
        }
        cur = child;
    }
bad:
    fw_yaml_free(val);
    return fw_err_set(e, FW_EINVAL, "--set %s: no such place in the config", set);
}

/* A relative data path is read from the working directory; failing that,
 * from the config file's directory. */
static void resolve_data_path(const char *cfg, fw_data_opts *d)
{
    if (!d->path || d->path[0] == '/' || access(d->path, F_OK) == 0)
        return;
    const char *slash = strrchr(cfg, '/');
    if (!slash)
        return;
    char buf[4096];
    snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - cfg), cfg, d->path);
    if (access(buf, F_OK) == 0) {
        free(d->path);
        d->path = fw_strdup(buf);
    }
}

static void default_output_dir(const char *path, fw_config *c)
{
    if (c->output.dir)
        return;
    char base[256];
    const char *b = strrchr(path, '/');
    snprintf(base, sizeof base, "%s", c->name ? c->name : b ? b + 1 : path);
    char *dot = strrchr(base, '.');
    if (!c->name && dot)
        *dot = '\0';
    char dir[512];
    snprintf(dir, sizeof dir, "runs/%s", base);
    c->output.dir = fw_strdup(dir);
}

/* ---- stored --set lines ------------------------------------------------------------ */

#define SET_PREFIX "# --set "

/* A run stores its config text with its --set overrides appended as
 * "# --set KEY=VALUE" lines (fw_config.text). Reading such a text back
 * must apply them again, or the config would not be the run's. Finds that
 * trailing block: *base_len is where it starts; the overrides go into
 * *out (caller frees each and the array). */
static int stored_sets(const char *text, size_t len, size_t *base_len, char ***out, size_t *n,
                       fw_err *e)
{
    size_t start = len, plen = strlen(SET_PREFIX);
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        int is_set = end - i > plen && strncmp(text + i, SET_PREFIX, plen) == 0;
        if (is_set && start == len)
            start = i;
        else if (!is_set)
            start = len;
        i = end;
    }
    *base_len = start;
    *out = NULL;
    *n = 0;
    for (size_t i = start; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        char **grown = realloc(*out, (*n + 1) * sizeof *grown);
        if (!grown)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        *out = grown;
        if (!((*out)[*n] = strndup(text + i + plen, end - i - plen)))
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        (*n)++;
        i = end + 1;
    }
    return FW_OK;
}

static void free_sets(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* Stored overrides first, then the new ones: later ones win. */
static int join_sets(char **stored, size_t n_stored, char *const *sets, size_t n_sets,
                     char ***all, fw_err *e)
{
    *all = calloc(n_stored + n_sets + 1, sizeof **all);
    if (!*all)
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    for (size_t i = 0; i < n_stored; i++)
        (*all)[i] = stored[i];
    for (size_t i = 0; i < n_sets; i++)
        (*all)[n_stored + i] = sets[i];
    return FW_OK;
}

int fw_config_tree(const char *text, size_t len, const char *name, char *const *sets,
                   size_t n_sets, ynode **root, fw_err *e)
{
    char **stored, **all = NULL;
    size_t n_stored, base;
    *root = NULL;
    int rc = stored_sets(text, len, &base, &stored, &n_stored, e);
    if (!rc)
        rc = join_sets(stored, n_stored, sets, n_sets, &all, e);
    if (!rc)
        rc = fw_yaml_load(text, len, name, root, e);
    for (size_t i = 0; !rc && i < n_stored + n_sets; i++)
        rc = apply_set(root, all[i], e);
    free(all);
    free_sets(stored, n_stored);
    if (rc) {
        fw_yaml_free(*root);
        *root = NULL;
    }
    return rc;
}

/* The text a config keeps: the base text and every override, each on a
 * "# --set" line (so that reading it back gives the same config). */
static char *config_text(const char *text, size_t len, char *const *sets, size_t n_sets)
{
    char **stored;
    size_t n_stored, base;
    if (stored_sets(text, len, &base, &stored, &n_stored, NULL))
        base = len, stored = NULL, n_stored = 0;
    fw_sb t;
    fw_sb_init(&t);
    fw_sb_appendn(&t, text, base);
    for (size_t i = 0; i < n_stored + n_sets; i++)
        fw_sb_printf(&t, "%s" SET_PREFIX "%s\n",
                     i == 0 && base && text[base - 1] != '\n' ? "\n" : "",
                     i < n_stored ? stored[i] : sets[i - n_stored]);
    free_sets(stored, n_stored);
    return fw_sb_take(&t);
}

/* ---- entry --------------------------------------------------------------------- */

static int load_text(const char *name, const char *text, size_t len, char *const *sets,
                     size_t n_sets, fw_config *c, fw_err *e)
{
    ynode *root = NULL;
    int rc = fw_config_tree(text, len, name, sets, n_sets, &root, e);
    cfx x = {name, e, c};
    if (!rc)
        rc = load_root(&x, root, c);
    fw_yaml_free(root);
    c->text = config_text(text, len, sets, n_sets);
    if (!rc && !c->text)
        rc = fw_err_set(e, FW_ENOMEM, "out of memory");
    if (rc)
        return rc;
    resolve_data_path(name, &c->data);
    default_output_dir(name, c);
    return fw_config_check(c, e);
}

int fw_config_load(const char *path, char *const *sets, size_t n_sets, fw_config *c, fw_err *e)
{
    char *text;
    size_t len;
    fw_config_init(c);
    c->path = fw_strdup(path);
    int rc = fw_read_file(path, FW_YAML_MAX_BYTES, &text, &len, e);
    if (rc)
        return rc;
    rc = load_text(path, text, len, sets, n_sets, c, e);
    free(text);
    return rc;
}

int fw_config_load_text(const char *text, const char *name, char *const *sets, size_t n_sets,
                        fw_config *c, fw_err *e)
{
    fw_config_init(c);
    c->path = fw_strdup(name);
    size_t len = strlen(text);
    if (len > FW_YAML_MAX_BYTES)
        return fw_err_at(e, FW_EINVAL, name, 0, 0, "the config text is larger than %u bytes",
                         FW_YAML_MAX_BYTES);
    return load_text(name, text, len, sets, n_sets, c, e);
}
