/* cmd_misc.c: the small commands: models, make-data, and the commands
 * whose layers are not built yet (they refuse clearly). report, predict
 * and compare have their own files (cmd_report.c, cmd_predict.c,
 * cmd_compare.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "foldwise/data.h"
#include "foldwise/model.h"

static void print_param(const fw_model_type *m, size_t i)
{
    const fw_param_spec *p = &m->params[i];
    static const char *const kinds[] = {"real", "int", "choice", "bool"};
    char def[64];
    fw_pval v;
    fw_param_defaults(m, (fw_pval[64]){{0, 0}});
    v.num = p->def;
    v.choice = -1;
    if (p->def_choice)
        snprintf(def, sizeof def, "%s", p->def_choice);
    else
        fw_param_format(m, i, &v, def, sizeof def);
    printf("  %-22s %-6s default %-10s", p->name, kinds[p->kind], def);
    if (p->kind == FW_PARAM_REAL || p->kind == FW_PARAM_INT)
        printf(" range %s%g, %g%s%s", (p->flags & FW_PARAM_LO_OPEN) ? "(" : "[", p->lo, p->hi,
               (p->flags & FW_PARAM_HI_OPEN) ? ")" : "]", (p->flags & FW_PARAM_LOG) ? " log" : "");
    if (p->choices && p->choices[0]) {
        printf(" %s", p->kind == FW_PARAM_CHOICE ? "one of" : "or");
        for (size_t c = 0; p->choices[c]; c++)
            printf("%s %s", c ? "," : "", p->choices[c]);
    }
    if (p->help)
        printf("\n  %-22s %s", "", p->help);
    printf("\n");
}

static void print_caps(unsigned caps)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{FW_CAP_CLASSIFY, "classification"}, {FW_CAP_REGRESS, "regression"},
                 {FW_CAP_MULTICLASS, "multiclass"},   {FW_CAP_PROBA, "probabilities"},
                 {FW_CAP_MISSING, "missing values"},  {FW_CAP_WEIGHTS, "sample weights"},
                 {FW_CAP_PATH, "shared path"},        {FW_CAP_MEMBERS, "member tasks"},
                 {FW_CAP_IMPORTANCE, "importances"}};
    int first = 1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (caps & names[i].bit) {
            printf("%s%s", first ? "" : ", ", names[i].name);
            first = 0;
        }
    }
    printf("\n");
}

int fw_cmd_models(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "foldwise: usage: foldwise models [NAME]\n");
        return 2;
    }
    if (argc == 2) {
        const fw_model_type *m = fw_model_find(argv[1]);
        if (!m) {
            const char *names[128];
            size_t n = 0;
            for (; fw_models[n] && n < 128; n++)
                names[n] = fw_models[n]->name;
            const char *s = fw_suggest(argv[1], names, n);
            fprintf(stderr, "foldwise: no model '%s'%s%s%s; `foldwise models` lists them\n",
                    argv[1], s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
            return 2;
        }
        printf("%s: %s\n  does: ", m->name, m->summary);
        print_caps(m->caps);
        if (m->path_param)
            printf("  a grid over %s is fitted as one path per split\n", m->path_param);
        printf("hyperparameters:\n");
        for (size_t i = 0; i < m->n_params; i++)
            print_param(m, i);
        return 0;
    }
    for (size_t i = 0; fw_models[i]; i++)
        if (!(fw_models[i]->caps & FW_CAP_TEST_ONLY))
            printf("%-14s %s\n", fw_models[i]->name, fw_models[i]->summary);
    return 0;
}

int fw_cmd_make_data(int argc, char **argv)
{
    fw_synth_opts o;
    const char *out = NULL;
    fw_err e = {0};
    fw_synth_opts_init(&o);
    o.kind = NULL; /* the KIND argument is required */
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (s[0] != '-' && !o.kind) {
            o.kind = s;
            continue;
        }
        if (!v) {
            fprintf(stderr, "foldwise: make-data: %s needs a value\n", s);
            return 2;
        }
        i++;
        if (!strcmp(s, "-o"))
            out = v;
        else if (!strcmp(s, "--rows"))
            o.rows = strtoul(v, &end, 10);
        else if (!strcmp(s, "--features"))
            o.features = strtoul(v, &end, 10);
        else if (!strcmp(s, "--informative"))
            o.informative = strtoul(v, &end, 10);
        else if (!strcmp(s, "--classes"))
            o.classes = strtoul(v, &end, 10);
        else if (!strcmp(s, "--seed"))
            o.seed = strtoull(v, &end, 10);
        else if (!strcmp(s, "--flip-y"))
            o.flip_y = strtod(v, &end);
        else if (!strcmp(s, "--noise"))
            o.noise = strtod(v, &end);
        else {
            fprintf(stderr, "foldwise: make-data: unknown option %s\n", s);
            return 2;
        }
        if (end && *end) {
            fprintf(stderr, "foldwise: make-data: %s: '%s' is not a number\n", s, v);
            return 2;
        }
    }
    if (!o.kind || (strcmp(o.kind, "classification") && strcmp(o.kind, "regression")) ||
        !o.rows || !o.features || !out) {
        fprintf(stderr, "foldwise: usage: foldwise make-data classification|regression --rows "
                        "N --features F [--seed S] -o FILE\n");
        return 2;
    }
    if (fw_synth_write(&o, out, &e))
        return fw_cli_fail(&e);
    return 0;
}

static int not_built(const char *what)
{
    fprintf(stderr, "foldwise: %s is not built yet in this version\n", what);
    return 2;
}

int fw_cmd_check(int argc, char **argv)
{
    (void)argc, (void)argv;
    return not_built("`foldwise check` (data and feature diagnosis)");
}
