/* grid.c: exhaustive grid search, scikit-learn's GridSearchCV.
 *
 * Order: spaces in config order; inside a space, parameters sorted by name
 * (byte order) with the last one varying fastest and each parameter's
 * values in the order written. That is scikit-learn's ParameterGrid order,
 * so candidate ids are the row numbers of GridSearchCV's cv_results_ and
 * the refit rule's lowest-id tie break picks what best_index_ picks. */
#include <math.h>
#include <stdlib.h>

#include "search_int.h"

/* The first open distribution of a space (in config order), or NULL. */
static const fw_dim *first_open(const fw_space *sp)
{
    for (size_t i = 0; i < sp->n_dims; i++)
        if (!sp->dims[i].values)
            return &sp->dims[i];
    return NULL;
}

static int grid_check(const fw_search_spec *spec, const fw_space *spaces, size_t n_spaces,
                      fw_err *e)
{
    double total = 0;
    for (size_t k = 0; k < n_spaces; k++) {
        const fw_space *sp = &spaces[k];
        const fw_dim *d = first_open(sp);
        if (d)
            return fw_err_at(e, FW_EINVAL, sp->file, d->line, d->col,
                             "%s: %s: grid search cannot expand the open distribution "
                             "{%s: [%.17g, %.17g]}; give a list, {linspace: [a, b, n]} or "
                             "{logspace: [a, b, n]}, or use strategy random or bayes",
                             sp->model->name, d->name, fw_dist_names[d->kind], d->a, d->b);
        total += fw_space_grid_size(sp);
    }
    if (!(total <= spec->max_grid))
        return fw_err_set(e, FW_EINVAL,
                          "search: the grid has %.0f configurations, more than search.max_grid "
                          "= %.0f; raise max_grid or use strategy random",
                          total, spec->max_grid);
    return FW_OK;
}

static int grid_init(fw_search *s, fw_err *e)
{
    double total = 0;
    for (size_t k = 0; k < s->n_spaces; k++)
        total += fw_space_grid_size(&s->spaces[k]);
    if (s->spec.warn_grid > 0 && total > s->spec.warn_grid)
        fw_warn("search: the grid has %.0f configurations (search.warn_grid = %.0f)", total,
                s->spec.warn_grid);
    int rc = FW_OK;
    for (size_t k = 0; k < s->n_spaces && rc == FW_OK; k++)
        rc = fw_search_push_all(s, k, e);
    s->done = 1;
    return rc;
}

const fw_proposer fw_proposer_grid = {
    .name = "grid",
    .check = grid_check,
    .init = grid_init,
};
