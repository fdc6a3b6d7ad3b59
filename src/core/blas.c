/* blas.c: BLAS set-up. foldwise links OpenBLAS ahead of GSL, so the cblas_*
 * calls GSL makes land in OpenBLAS rather than the slow reference gslcblas.
 * Ranks are the parallelism, so each process uses one BLAS thread. */
#define _GNU_SOURCE
#include "foldwise/core.h"

#include <dlfcn.h>

void openblas_set_num_threads(int num_threads);

void fw_blas_init(void)
{
    openblas_set_num_threads(1);
}

const char *fw_blas_provider(void)
{
    /* Resolve the name the way libgsl's own references resolve it: through
     * the global symbol scope, not through this file's link. */
    Dl_info info;
    void *sym = dlsym(RTLD_DEFAULT, "cblas_dgemm");
    if (sym && dladdr(sym, &info) && info.dli_fname)
        return info.dli_fname;
    return "unknown";
}
