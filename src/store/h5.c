/* h5.c: results.h5. Not built yet: writing is skipped with a clear status
 * and reading refuses (the HDF5 results work replaces this file). */
#include "foldwise/store.h"

int fw_results_write_h5(const fw_results *r, const char *path, fw_err *e)
{
    (void)r;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "results.h5 is not built yet");
}

int fw_results_read_h5(const char *path, fw_results **out, fw_err *e)
{
    *out = NULL;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "results.h5 is not built yet");
}
