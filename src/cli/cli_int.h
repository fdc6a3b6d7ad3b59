/* cli_int.h: the command line's internal pieces: a bounded YAML tree, the
 * config loader, and the commands. */
#ifndef FOLDWISE_CLI_INT_H
#define FOLDWISE_CLI_INT_H

#include <stddef.h>

#include "foldwise/core.h"
#include "foldwise/plan.h"
#include "foldwise/report.h"

/* ---- YAML tree ------------------------------------------------------------ */

/* Limits against hostile input: the file size, the nesting depth, the
 * number of aliases and the size of the tree once aliases are expanded. */
#define FW_YAML_MAX_BYTES (1u << 20)
#define FW_YAML_MAX_DEPTH 64
#define FW_YAML_MAX_ALIASES 64
#define FW_YAML_MAX_NODES 100000

typedef enum { Y_SCALAR, Y_SEQ, Y_MAP } ykind;

typedef struct ynode {
    ykind kind;
    char *s;                /* scalar text                                  */
    int plain;              /* unquoted scalar (null / bool / number)       */
    struct ynode **items;   /* sequence items, or map keys and values       */
    size_t n;               /* items (a map holds 2 per entry)              */
    long line, col;         /* 1-based position                             */
    int refs;               /* aliases share nodes                          */
} ynode;

/* Parse one YAML document. `file` names the input in messages. */
int fw_yaml_load(const char *text, size_t len, const char *file, ynode **out, fw_err *e);
void fw_yaml_free(ynode *n);
/* The value for key in a map, or NULL. */
ynode *fw_yaml_get(const ynode *map, const char *key);
/* A new scalar node (for --set). */
ynode *fw_yaml_scalar(const char *s, long line, long col);

/* ---- config ----------------------------------------------------------------- */

/* Read and validate a config file, apply --set overrides (each
 * "dotted.key=value"), and fill c. Errors name file, line, column and key.
 * c->text is the file's text with every override listed after it as a
 * "# --set KEY=VALUE" line; a text that ends with such lines (the
 * config.yaml a run stores, the config in results.h5) has them applied
 * again, before `sets`, so it reads back as the run's config. */
int fw_config_load(const char *path, char *const *sets, size_t n_sets, fw_config *c,
                   fw_err *e);
/* The same from a config text held in memory (results.h5's /config);
 * `name` stands for the file in messages and relative data paths. */
int fw_config_load_text(const char *text, const char *name, char *const *sets, size_t n_sets,
                        fw_config *c, fw_err *e);
/* The YAML tree of a config text with its stored and given overrides
 * applied, unvalidated (for `foldwise compare`). Free with fw_yaml_free. */
int fw_config_tree(const char *text, size_t len, const char *name, char *const *sets,
                   size_t n_sets, ynode **root, fw_err *e);

/* ---- run.json: facts of the process that ran -------------------------------------- */

/* A run's results live in its journal, but not the facts of the process
 * that ran it (command line, config path, host, ranks, start/end times,
 * elapsed and search time, resumed tasks, versions). rank 0 writes them to
 * DIR/run.json at the end, so that `foldwise report` can rebuild
 * results.h5 from the journal with the same facts. */
int fw_run_facts_write(const fw_results *r, const char *dir, fw_err *e);

typedef struct fw_run_facts fw_run_facts;
/* DIR/run.json, else the same facts in DIR/summary.json (fewer), else
 * NULL: every fact unknown. Free with fw_run_facts_free. */
fw_run_facts *fw_run_facts_load(const char *dir);
/* Into the meta fw_results_from_plan takes (unknown: ranks 1, NaN times,
 * empty command line and host). The strings stay owned by f. */
void fw_run_facts_meta(const fw_run_facts *f, fw_run_meta *m);
/* After fw_results_from_plan: the config path and versions of the run,
 * not of this process. */
void fw_run_facts_results(const fw_run_facts *f, fw_results *r);
void fw_run_facts_free(fw_run_facts *f);

/* ---- commands ------------------------------------------------------------------ */

int fw_cmd_run(int argc, char **argv);
int fw_cmd_models(int argc, char **argv);
int fw_cmd_make_data(int argc, char **argv);
int fw_cmd_status(int argc, char **argv);
int fw_cmd_report(int argc, char **argv);
int fw_cmd_predict(int argc, char **argv);
int fw_cmd_check(int argc, char **argv);
int fw_cmd_compare(int argc, char **argv);

/* Print an error as "foldwise: FILE:LINE:COL: message" and return its exit
 * code (CONTRACT.md). */
int fw_cli_fail(const fw_err *e);
/* The whole command line, for reports. */
extern char *fw_cli_cmdline;

#endif
