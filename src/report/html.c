/* html.c: report.html and report.md. Not built yet: both are skipped with a
 * clear status (the reports work replaces this file). */
#include "foldwise/report.h"

int fw_report_html(const fw_results *r, const char *path, fw_err *e)
{
    (void)r;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "report.html is not built yet");
}

int fw_report_md(const fw_results *r, const char *path, fw_err *e)
{
    (void)r;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "report.md is not built yet");
}
