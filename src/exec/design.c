/* design.c: the matrices a model sees for one split.
 *
 * With identity preprocessing the model reads the shared dataset through
 * the split's index sets (no copy). Otherwise the preprocessing is fitted on
 * the training rows only, and one compact matrix is built: the (possibly
 * resampled) training rows first, then the test rows, so nothing the test
 * rows hold can reach the fit. */
#include <stdlib.h>
#include <string.h>

#include "foldwise/exec.h"

void fw_argmax_rows(const double *score, size_t n, size_t k, double *out)
{
    for (size_t i = 0; i < n; i++) {
        const double *s = score + i * k;
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (s[c] > s[best])
                best = c;
        out[i] = (double)best;
    }
}

static void design_borrow(const fw_dataset *d, const size_t *train, size_t n_train,
                          const size_t *test, size_t n_test, fw_design *g)
{
    g->fit.X.data = d->X;
    g->fit.X.ld = d->n_rows;
    g->fit.X.n_cols = d->n_features;
    g->fit.rows = train;
    g->fit.n = n_train;
    g->fit.y = d->y;
    g->fit.w = d->weight;
    g->eval = test;
    g->n_eval = n_test;
}

/* Copy y and w of the listed rows into the compact arrays at offset `at`. */
static void gather_yw(const fw_dataset *d, const size_t *rows, size_t n, double *y, double *w,
                      size_t at)
{
    for (size_t i = 0; i < n; i++) {
        y[at + i] = d->y[rows[i]];
        if (w)
            w[at + i] = d->weight[rows[i]];
    }
}

/* Training part (n_tr rows, transformed) resampled when asked; returns the
 * training matrix, labels and weights to place in the compact design. */
static int resample_train(const fw_prep_spec *s, gsl_rng *rng, const fw_dataset *d,
                          double *Xtr, size_t n_tr, size_t p, double *ytr, double *wtr,
                          double **Xo, double **yo, double **wo, size_t *no, fw_err *e)
{
    if (s->resample == FW_RESAMPLE_NONE) {
        *Xo = Xtr;
        *yo = ytr;
        *wo = wtr;
        *no = n_tr;
        return FW_OK;
    }
    int rc = fw_prep_resample(s, rng, Xtr, n_tr, p, ytr, wtr, d->n_classes, Xo, yo,
                              wtr ? wo : NULL, no, e);
    free(Xtr);
    free(ytr);
    free(wtr);
    return rc;
}

static int design_compact(const fw_dataset *d, const fw_prep_spec *s, const size_t *train,
                          size_t n_train, const size_t *test, size_t n_test, gsl_rng *rng,
                          fw_design *g, fw_err *e)
{
    int rc = fw_prep_fit(s, d, train, n_train, &g->prep, e);
    if (rc)
        return rc;
    size_t p = fw_prep_n_out(g->prep);
    double *Xtr = malloc((n_train ? n_train : 1) * p * sizeof *Xtr);
    double *ytr = malloc((n_train ? n_train : 1) * sizeof *ytr);
    double *wtr = d->weight ? malloc((n_train ? n_train : 1) * sizeof *wtr) : NULL;
    if (!Xtr || !ytr || (d->weight && !wtr)) {
        free(Xtr), free(ytr), free(wtr);
        return fw_err_set(e, FW_ENOMEM, "out of memory building a %zu x %zu design", n_train, p);
    }
    gather_yw(d, train, n_train, ytr, wtr, 0);
    if ((rc = fw_prep_transform(g->prep, d, train, n_train, Xtr, e))) {
        free(Xtr), free(ytr), free(wtr);
        return rc;
    }
    double *Xr, *yr, *wr = NULL;
    size_t nr;
    if ((rc = resample_train(s, rng, d, Xtr, n_train, p, ytr, wtr, &Xr, &yr, &wr, &nr, e)))
        return rc;
    size_t n = nr + n_test;
    g->own_X = malloc((n ? n : 1) * p * sizeof *g->own_X);
    g->own_y = malloc((n ? n : 1) * sizeof *g->own_y);
    g->own_w = d->weight ? malloc((n ? n : 1) * sizeof *g->own_w) : NULL;
    g->own_rows = malloc((n ? n : 1) * sizeof *g->own_rows);
    double *Xte = malloc((n_test ? n_test : 1) * p * sizeof *Xte);
    if (!g->own_X || !g->own_y || !g->own_rows || !Xte || (d->weight && !g->own_w)) {
        rc = fw_err_set(e, FW_ENOMEM, "out of memory building a %zu x %zu design", n, p);
        goto cleanup;
    }
    if ((rc = fw_prep_transform(g->prep, d, test, n_test, Xte, e)))
        goto cleanup;
    for (size_t j = 0; j < p; j++) {
        memcpy(g->own_X + j * n, Xr + j * nr, nr * sizeof *Xr);
        memcpy(g->own_X + j * n + nr, Xte + j * n_test, n_test * sizeof *Xte);
    }
    memcpy(g->own_y, yr, nr * sizeof *yr);
    if (g->own_w)
        memcpy(g->own_w, wr, nr * sizeof *wr);
    gather_yw(d, test, n_test, g->own_y, g->own_w, nr);
    for (size_t i = 0; i < n; i++)
        g->own_rows[i] = i;
    g->fit.X.data = g->own_X;
    g->fit.X.ld = n;
    g->fit.X.n_cols = p;
    g->fit.rows = g->own_rows;
    g->fit.n = nr;
    g->fit.y = g->own_y;
    g->fit.w = g->own_w;
    g->eval = g->own_rows + nr;
    g->n_eval = n_test;
cleanup:
    free(Xr);
    free(yr);
    free(wr);
    free(Xte);
    return rc;
}

int fw_design_build(const fw_dataset *d, const fw_prep_spec *prep, const size_t *train,
                    size_t n_train, const size_t *test, size_t n_test, gsl_rng *rng,
                    fw_design *out, fw_err *e)
{
    memset(out, 0, sizeof *out);
    out->fit.task = d->task;
    out->fit.n_classes = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 0;
    if (!prep || fw_prep_is_identity(prep, d)) {
        design_borrow(d, train, n_train, test, n_test, out);
        out->own_names = malloc((d->n_features ? d->n_features : 1) * sizeof *out->own_names);
        if (!out->own_names)
            return fw_err_set(e, FW_ENOMEM, "out of memory");
        for (size_t j = 0; j < d->n_features; j++)
            out->own_names[j] = d->cols[j].name;
        out->fit.col_names = (const char *const *)out->own_names;
        return FW_OK;
    }
    int rc = design_compact(d, prep, train, n_train, test, n_test, rng, out, e);
    if (rc) {
        fw_design_free(out);
        return rc;
    }
    return FW_OK;
}

void fw_design_free(fw_design *g)
{
    if (!g)
        return;
    fw_prep_free(g->prep);
    free(g->own_X);
    free(g->own_y);
    free(g->own_w);
    free(g->own_rows);
    free(g->own_names);
    memset(g, 0, sizeof *g);
}
