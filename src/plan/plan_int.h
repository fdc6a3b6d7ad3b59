/* plan_int.h: the task graph's internal state, shared by plan.c (the graph)
 * and rows.c (aggregation for reports). Not public API. */
#ifndef FOLDWISE_PLAN_INT_H
#define FOLDWISE_PLAN_INT_H

#include "foldwise/plan.h"

/* A candidate of a search context, with its per-split results. */
typedef struct pcand {
    size_t done;            /* splits with a result                     */
    int complete, told;
    double *test, *train;   /* n_splits x n_metrics                     */
    double *fit, *score;    /* n_splits                                 */
    int *status;            /* n_splits, -1 = pending                   */
    int *conv;              /* n_splits                                 */
    char *message;          /* first failure or warning message         */
} pcand;

typedef struct pctx {
    int outer;              /* -1 for the flat context                  */
    const fw_splits *splits;
    fw_search *search;
    pcand *cands;
    size_t n_cands, cap, pending;
    int search_finished, done;
    fw_row *rows;           /* built by rows.c on demand                */
    size_t n_rows;
} pctx;

typedef struct ptask {
    fw_task t;
    int state;              /* 0 ready, 1 handed out, 2 done, 3 waiting
                               for its member tasks                     */
    uint32_t parent;        /* member task: its fit task, else UINT32_MAX */
    uint32_t waiting;       /* fit task: member tasks not done yet       */
    uint32_t n_members;
    fw_result *members;     /* fit task: its members' results            */
} ptask;

typedef struct idq {        /* FIFO of task ids                          */
    uint32_t *id;
    size_t head, n, cap;
} idq;

struct fw_plan {
    const fw_config *c;
    const fw_dataset *d;
    fw_cv *cv;
    size_t n_metrics;
    int gib;                /* first metric: greater is better           */
    int *gibs;              /* per metric                                 */
    pctx *ctx;
    size_t n_ctx;
    ptask *tasks;
    size_t n_tasks, cap_tasks;
    idq *ready;             /* one queue per space                       */
    idq follow;             /* follow-up tasks go first                  */
    idq combine;            /* fit tasks whose members are all done      */
    double *space_time;     /* sum of fit times per space                */
    size_t *space_fits;
    size_t done, failed_fits, running, resumed;
    fw_outer_result *outer; /* nested results, one per outer split      */
    int *outer_done;
    fw_result *preds;       /* kept prediction results                  */
    const fw_result **pred_ptrs;
    size_t n_preds, cap_preds;
    fw_result refit;
    int have_refit;
    fw_curve_point *curve;  /* diagnose.learning_curve, in fraction order */
    size_t n_curve;
    long curve_cand;
};

/* Candidates of a context eligible for `best`: those at the highest rung. */
size_t fw_plan_eligible(const fw_plan *p, const pctx *x, size_t *ids);
/* Mean and std of metric m over the splits of candidate i (NaN when a split
 * failed or is missing). */
void fw_plan_cand_stats(const fw_plan *p, const pctx *x, size_t i, size_t m, double *mean,
                        double *std);
/* Choose a candidate of a context by the config's refit rule (or best when
 * the rule is none); restricted to the given space when space >= 0. */
long fw_plan_choose(const fw_plan *p, const pctx *x, long space, int rule);
void fw_plan_rows_free(pctx *x);

#endif
