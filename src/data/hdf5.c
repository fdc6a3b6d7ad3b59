/* hdf5.c: the HDF5 reader. Not built yet: it refuses with a clear error
 * rather than guessing (the data-readers work replaces this file). */
#include "data_int.h"

int fw_hdf5_read(const char *path, const fw_data_opts *opts, fw_table **out, fw_err *e)
{
    (void)opts;
    *out = NULL;
    return fw_err_at(e, FW_EUNSUP, path, 0, 0, "the HDF5 reader is not built yet");
}
