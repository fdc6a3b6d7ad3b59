/* yaml.c: a YAML document as a small tree, built from libyaml's event
 * parser with bounds against hostile input: a size cap (checked by the
 * caller), a nesting-depth cap (an explicit stack, no recursion on input
 * depth), an alias cap, and a cap on the tree size with aliases expanded
 * (so "billion laughs" documents are refused, not expanded). Aliases share
 * nodes instead of copying them. */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cli_int.h"

typedef struct anchor {
    char *name;
    ynode *node;
} anchor;

typedef struct ybuild {
    const char *file;
    ynode *root;
    ynode *stack[FW_YAML_MAX_DEPTH];
    size_t depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors, n_aliases;
} ybuild;

static ynode *node_new(ykind k, const yaml_mark_t *m)
{
    ynode *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = k;
    n->line = (long)m->line + 1;
    n->col = (long)m->column + 1;
    n->refs = 1;
    return n;
}

ynode *fw_yaml_scalar(const char *s, long line, long col)
{
    ynode *n = calloc(1, sizeof *n);
    if (!n || !(n->s = fw_strdup(s))) {
        free(n);
        return NULL;
    }
    n->kind = Y_SCALAR;
    n->plain = 1;
    n->line = line;
    n->col = col;
    n->refs = 1;
    return n;
}

void fw_yaml_free(ynode *n)
{
    if (!n || --n->refs > 0)
        return;
    for (size_t i = 0; i < n->n; i++)
        fw_yaml_free(n->items[i]);
    free(n->items);
    free(n->s);
    free(n);
}

static int attach(ybuild *b, ynode *n)
{
    if (b->depth == 0) {
        if (b->root)
            return -1;
        b->root = n;
        return 0;
    }
    ynode *p = b->stack[b->depth - 1];
    if ((p->n & (p->n - 1)) == 0 || p->n == 0) { /* grow at powers of two */
        size_t cap = p->n ? p->n * 2 : 4;
        ynode **it = realloc(p->items, cap * sizeof *it);
        if (!it)
            return -1;
        p->items = it;
    }
    p->items[p->n++] = n;
    return 0;
}

static int add_anchor(ybuild *b, const yaml_char_t *name, ynode *n)
{
    if (!name)
        return 0;
    if (b->n_anchors == b->cap_anchors) {
        size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 8;
        anchor *a = realloc(b->anchors, cap * sizeof *a);
        if (!a)
            return -1;
        b->anchors = a;
        b->cap_anchors = cap;
    }
    b->anchors[b->n_anchors].name = fw_strdup((const char *)name);
    b->anchors[b->n_anchors++].node = n;
    return 0;
}

static ynode *find_anchor(const ybuild *b, const yaml_char_t *name)
{
    for (size_t i = b->n_anchors; i-- > 0;)
        if (strcmp(b->anchors[i].name, (const char *)name) == 0)
            return b->anchors[i].node;
    return NULL;
}

/* Size of the tree with aliases expanded, capped; depth is bounded by the
 * parser's depth cap, so this recursion is too. */
static size_t expanded(const ynode *n, size_t budget)
{
    size_t total = 1;
    for (size_t i = 0; i < n->n && total <= budget; i++)
        total += expanded(n->items[i], budget - total);
    return total;
}

/* One event; returns 1 at the end of the stream, -1 on error. */
static int on_event(ybuild *b, const yaml_event_t *ev, fw_err *e)
{
    const yaml_mark_t *m = &ev->start_mark;
    ynode *n = NULL;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        return 1;
    case YAML_DOCUMENT_START_EVENT:
        if (b->root)
            return fw_err_at(e, FW_EINVAL, b->file, (long)m->line + 1, (long)m->column + 1,
                             "only one YAML document is allowed"), -1;
        return 0;
    case YAML_ALIAS_EVENT:
        if (++b->n_aliases > FW_YAML_MAX_ALIASES)
            return fw_err_at(e, FW_EINVAL, b->file, (long)m->line + 1, (long)m->column + 1,
                             "more than %d aliases", FW_YAML_MAX_ALIASES), -1;
        if (!(n = find_anchor(b, ev->data.alias.anchor)))
            return fw_err_at(e, FW_EINVAL, b->file, (long)m->line + 1, (long)m->column + 1,
                             "unknown alias *%s", ev->data.alias.anchor), -1;
        for (size_t i = 0; i < b->depth; i++)
            if (b->stack[i] == n)
                return fw_err_at(e, FW_EINVAL, b->file, (long)m->line + 1, (long)m->column + 1,
                                 "recursive alias *%s", ev->data.alias.anchor), -1;
        n->refs++;
        break;
    case YAML_SCALAR_EVENT:
        if (!(n = node_new(Y_SCALAR, m)) ||
            !(n->s = fw_strdup((const char *)ev->data.scalar.value)))
            break;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (add_anchor(b, ev->data.scalar.anchor, n))
            n = NULL;
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (b->depth == FW_YAML_MAX_DEPTH)
            return fw_err_at(e, FW_EINVAL, b->file, (long)m->line + 1, (long)m->column + 1,
                             "nesting deeper than %d levels", FW_YAML_MAX_DEPTH), -1;
        n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP, m);
        if (n && add_anchor(b, ev->type == YAML_SEQUENCE_START_EVENT
                                   ? ev->data.sequence_start.anchor
                                   : ev->data.mapping_start.anchor, n))
            n = NULL;
        if (!n || attach(b, n))
            break;
        b->stack[b->depth++] = n;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return 0;
    default:
        return 0;
    }
    if (!n || attach(b, n)) {
        fw_yaml_free(n);
        return fw_err_set(e, FW_ENOMEM, "out of memory reading %s", b->file), -1;
    }
    return 0;
}

int fw_yaml_load(const char *text, size_t len, const char *file, ynode **out, fw_err *e)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    ybuild b;
    memset(&b, 0, sizeof b);
    b.file = file;
    *out = NULL;
    if (!yaml_parser_initialize(&parser))
        return fw_err_set(e, FW_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = FW_OK;
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = fw_err_at(e, FW_EINVAL, file, (long)parser.problem_mark.line + 1,
                           (long)parser.problem_mark.column + 1, "YAML: %s%s%s",
                           parser.problem ? parser.problem : "syntax error",
                           parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        int r = on_event(&b, &ev, e);
        yaml_event_delete(&ev);
        if (r < 0) {
            rc = e ? e->code : FW_EINVAL;
            break;
        }
        if (r > 0)
            break;
    }
    yaml_parser_delete(&parser);
    for (size_t i = 0; i < b.n_anchors; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (!rc && b.root && expanded(b.root, FW_YAML_MAX_NODES) > FW_YAML_MAX_NODES)
        rc = fw_err_at(e, FW_EINVAL, file, 1, 1,
                       "the document expands to more than %d nodes (aliases?)",
                       FW_YAML_MAX_NODES);
    if (rc) {
        fw_yaml_free(b.root);
        return rc;
    }
    *out = b.root;
    return FW_OK;
}

ynode *fw_yaml_get(const ynode *map, const char *key)
{
    if (!map || map->kind != Y_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->items[i]->kind == Y_SCALAR && strcmp(map->items[i]->s, key) == 0)
            return map->items[i + 1];
    return NULL;
}
