/* arff.c: the ARFF reader. Not built yet: it refuses with a clear error
 * rather than guessing (the data-readers work replaces this file). */
#include "data_int.h"

int fw_arff_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e)
{
    (void)opts;
    *out = NULL;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "the ARFF reader is not built yet");
}
