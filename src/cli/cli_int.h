/* cli_int.h: the command line's internal pieces: a bounded YAML tree, the
 * config loader, and the commands. */
#ifndef FOLDWISE_CLI_INT_H
#define FOLDWISE_CLI_INT_H

#include <stddef.h>

#include "foldwise/core.h"
#include "foldwise/plan.h"

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
