/* linalg.c: small dense solves through GSL for the linear solvers. They
 * call OpenBLAS's <cblas.h> directly, whose declarations clash with GSL's
 * <gsl/gsl_cblas.h> (pulled in by <gsl/gsl_linalg.h>), so GSL's linear
 * algebra lives in this file of its own. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "linear_int.h"

int fw_lin_spd_solve(double *A, size_t m, double *b, double min_rcond)
{
    if (!m)
        return 1;
    gsl_matrix_view Av = gsl_matrix_view_array(A, m, m);
    gsl_vector_view bv = gsl_vector_view_array(b, m);
    gsl_vector *work = gsl_vector_alloc(3 * m);
    double rcond = 0;
    /* decomp1 refuses a matrix that is not positive definite; rcond (the
     * reciprocal 1-norm condition number) refuses one that is only barely. */
    int ok = work && gsl_linalg_cholesky_decomp1(&Av.matrix) == GSL_SUCCESS &&
             gsl_linalg_cholesky_rcond(&Av.matrix, &rcond, work) == GSL_SUCCESS &&
             rcond > min_rcond && gsl_linalg_cholesky_svx(&Av.matrix, &bv.vector) == GSL_SUCCESS;
    gsl_vector_free(work);
    return ok;
}
