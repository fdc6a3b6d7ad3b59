/* run_facts.c: DIR/run.json, the facts of the process that ran a run
 * (command line, config path, host, ranks, start and end time, elapsed and
 * search seconds, resumed tasks, library versions). The journal holds the
 * results, not these; `foldwise report` reads them back when it rebuilds
 * results.h5 from the journal. Read with the YAML loader: JSON is YAML.
 * An older run without run.json has some of them in summary.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

struct fw_run_facts {
    ynode *run;             /* run.json, or NULL */
    ynode *summary;         /* summary.json, or NULL */
};

static const char *const version_keys[] = {"foldwise", "mpi", "gsl", "hdf5", "yaml"};

int fw_run_facts_write(const fw_results *r, const char *dir, fw_err *e)
{
    fw_sb b;
    char path[4096];
    const char *vers[] = {r->v_foldwise, r->v_mpi, r->v_gsl, r->v_hdf5, r->v_yaml};
    fw_sb_init(&b);
    fw_sb_append(&b, "{\"cmdline\": ");
    fw_sb_json_str(&b, r->cmdline ? r->cmdline : "");
    fw_sb_append(&b, ",\n \"config_path\": ");
    fw_sb_json_str(&b, r->config_path ? r->config_path : "");
    fw_sb_append(&b, ",\n \"host\": ");
    fw_sb_json_str(&b, r->host ? r->host : "");
    fw_sb_printf(&b, ",\n \"ranks\": %d, \"tasks_resumed\": %zu", r->ranks, r->tasks_resumed);
    const char *tn[] = {"start_epoch", "end_epoch", "elapsed_s", "search_s"};
    double tv[] = {r->start_epoch, r->end_epoch, r->elapsed_s, r->search_s};
    for (size_t i = 0; i < 4; i++) {
        fw_sb_printf(&b, ",%s\"%s\": ", i % 2 ? " " : "\n ", tn[i]);
        fw_sb_json_num(&b, tv[i]);
    }
    fw_sb_append(&b, ",\n \"versions\": {");
    for (size_t i = 0; i < 5; i++) {
        fw_sb_printf(&b, "%s\"%s\": ", i ? ", " : "", version_keys[i]);
        fw_sb_json_str(&b, vers[i] ? vers[i] : "");
    }
    fw_sb_append(&b, "}}\n");
    snprintf(path, sizeof path, "%s/run.json", dir);
    int rc = b.oom ? fw_err_set(e, FW_ENOMEM, "out of memory writing %s", path)
                   : fw_write_file_atomic(path, b.s, b.len, e);
    fw_sb_free(&b);
    return rc;
}

/* A JSON file as a map, or NULL. */
static ynode *load_json(const char *dir, const char *name)
{
    char path[4096], *text;
    size_t n;
    ynode *root = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (fw_read_file(path, FW_YAML_MAX_BYTES, &text, &n, NULL))
        return NULL;
    if (fw_yaml_load(text, n, path, &root, NULL) || !root || root->kind != Y_MAP) {
        fw_yaml_free(root);
        root = NULL;
    }
    free(text);
    return root;
}

fw_run_facts *fw_run_facts_load(const char *dir)
{
    fw_run_facts *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->run = load_json(dir, "run.json");
    if (!f->run)
        f->summary = load_json(dir, "summary.json");
    if (!f->run && !f->summary) {
        free(f);
        return NULL;
    }
    return f;
}

void fw_run_facts_free(fw_run_facts *f)
{
    if (!f)
        return;
    fw_yaml_free(f->run);
    fw_yaml_free(f->summary);
    free(f);
}

static const char *get(const ynode *map, const char *key)
{
    const ynode *n = map && map->kind == Y_MAP ? fw_yaml_get(map, key) : NULL;
    return n && n->kind == Y_SCALAR ? n->s : NULL;
}

/* `key` of run.json, else `alt` (a.b: one level down) of summary.json. */
static const char *fact(const fw_run_facts *f, const char *key, const char *alt)
{
    if (!f)
        return NULL;
    if (f->run)
        return get(f->run, key);
    if (!alt)
        return NULL;
    const char *dot = strchr(alt, '.');
    if (!dot)
        return get(f->summary, alt);
    char outer[64];
    snprintf(outer, sizeof outer, "%.*s", (int)(dot - alt), alt);
    return get(fw_yaml_get(f->summary, outer), dot + 1);
}

static double fact_num(const fw_run_facts *f, const char *key, const char *alt, double def)
{
    const char *s = fact(f, key, alt);
    char *end;
    if (!s)
        return def;
    if (!strcmp(s, "null"))
        return NAN;
    double v = strtod(s, &end);
    return *end || end == s ? def : v;
}

static const char *version(const fw_run_facts *f, const char *key)
{
    if (!f)
        return NULL;
    return get(fw_yaml_get(f->run ? f->run : f->summary, "versions"), key);
}

void fw_run_facts_meta(const fw_run_facts *f, fw_run_meta *m)
{
    const char *host = fact(f, "host", NULL), *mpi = version(f, "mpi");
    m->cmdline = fact(f, "cmdline", NULL);
    m->ranks = (int)fact_num(f, "ranks", "ranks", 1);
    m->start_epoch = fact_num(f, "start_epoch", NULL, NAN);
    m->end_epoch = fact_num(f, "end_epoch", NULL, NAN);
    m->elapsed_s = fact_num(f, "elapsed_s", "elapsed_s", NAN);
    m->search_s = fact_num(f, "search_s", "search_s", NAN);
    m->resumed = (size_t)fact_num(f, "tasks_resumed", "tasks.resumed", 0);
    snprintf(m->host, sizeof m->host, "%s", host ? host : "");
    if (mpi)
        snprintf(m->mpi_version, sizeof m->mpi_version, "%s", mpi);
}

static void replace(char **dst, const char *v)
{
    char *c = v ? fw_strdup(v) : NULL;
    if (c) {
        free(*dst);
        *dst = c;
    }
}

void fw_run_facts_results(const fw_run_facts *f, fw_results *r)
{
    char **dst[] = {&r->v_foldwise, &r->v_mpi, &r->v_gsl, &r->v_hdf5, &r->v_yaml};
    for (size_t i = 0; i < 5; i++)
        replace(dst[i], version(f, version_keys[i]));
    replace(&r->config_path, fact(f, "config_path", NULL));
}
