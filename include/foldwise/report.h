/* report.h: what a run leaves for people and scripts: cv_results.csv,
 * summary.json and predictions.csv as CONTRACT.md defines them, and the
 * readable reports. Every file is written to a temporary name and renamed
 * into place, so a reader never sees half a file. */
#ifndef FOLDWISE_REPORT_H
#define FOLDWISE_REPORT_H

#include "foldwise/core.h"
#include "foldwise/data.h"
#include "foldwise/plan.h"

/* Facts about the run that the plan does not hold. */
typedef struct fw_run_meta {
    const char *cmdline;
    int ranks;
    double elapsed_s, search_s;
    double start_epoch, end_epoch;
    size_t resumed;
    int stopped;            /* the run was stopped before finishing */
    char mpi_version[128];
    char host[256];
} fw_run_meta;

/* Fill versions and host. */
void fw_run_meta_init(fw_run_meta *m);

int fw_report_cv_results(fw_plan *p, const fw_config *c, const char *path, fw_err *e);
int fw_report_summary(fw_plan *p, const fw_config *c, const fw_dataset *d,
                      const fw_run_meta *m, const char *path, fw_err *e);
int fw_report_predictions(fw_plan *p, const fw_config *c, const fw_dataset *d,
                          const char *path, fw_err *e);
/* All of the above into c->output.dir. */
int fw_report_write_all(fw_plan *p, const fw_config *c, const fw_dataset *d,
                        const fw_run_meta *m, fw_err *e);

/* The parameters of a candidate as JSON ({"C": 1.0, "penalty": "l2"}):
 * the parameters the config named for its space. */
void fw_report_params_json(const fw_config *c, size_t space, const fw_pval *vals, fw_sb *out);

#endif /* FOLDWISE_REPORT_H */
