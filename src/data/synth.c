/* synth.c: synthetic data for `foldwise make-data`. Not built yet: it
 * refuses with a clear error (the data-readers work replaces this file). */
#include "data_int.h"

int fw_synth_write(const fw_synth_opts *o, const char *path, fw_err *e)
{
    (void)o;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "make-data is not built yet");
}
