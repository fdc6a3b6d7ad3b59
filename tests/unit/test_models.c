/* test_models.c: the generic model test. It loops over every registered
 * model and checks what every model promises, on real data sets:
 *   - fit and predict on classification (binary and multiclass) and
 *     regression data, as the model declares; outputs finite, probabilities
 *     summing to one;
 *   - the same seed gives bit-identical predictions;
 *   - a bad value for each hyperparameter is refused with a message naming it;
 *   - NaN in features without an imputer is a clear error unless the model
 *     declares native missing-value support;
 *   - a training set with a single class is handled (a valid fit or an error
 *     with a message, never a crash);
 *   - an iterative fit stops at an expired deadline with FW_ETIMEOUT;
 *   - save then load gives identical predictions.
 * Model-specific parity with scikit-learn lives in tests/parity/. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "foldwise/data.h"
#include "foldwise/exec.h"
#include "foldwise/model.h"
#include "harness.h"

static size_t out_width(const fwt_set *s)
{
    return s->d->task == FW_TASK_CLASSIFICATION ? s->d->n_classes : 1;
}

/* Fit defaults with seed 7 and predict every row into a new buffer. */
static double *fit_predict(const fw_model_type *t, const fwt_set *s, const fw_fit_data *fd,
                           int *rc, fw_err *e)
{
    fw_pval *cfg = calloc(t->n_params + 1, sizeof *cfg);
    fw_param_defaults(t, cfg);
    gsl_rng *rng = fw_rng_alloc(7, 1);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, rng);
    ctx.seed = 7;
    fw_model *m = fw_model_alloc(t, cfg);
    double *out = malloc(s->d->n_rows * out_width(s) * sizeof *out);
    *rc = fw_model_fit(m, fd, &ctx, e);
    if (!*rc)
        *rc = fw_model_predict(m, &s->fit.X, s->rows, s->d->n_rows, out, e);
    fw_model_free(m);
    gsl_rng_free(rng);
    free(cfg);
    if (*rc) {
        free(out);
        return NULL;
    }
    return out;
}

static int supports(const fw_model_type *t, const fwt_set *s)
{
    if (s->d->task == FW_TASK_REGRESSION)
        return (t->caps & FW_CAP_REGRESS) != 0;
    if (!(t->caps & FW_CAP_CLASSIFY))
        return 0;
    return s->d->n_classes == 2 || (t->caps & FW_CAP_MULTICLASS);
}

static const char *const sets[][2] = {
    {"breast_cancer.csv", "diagnosis"}, {"iris.csv", "species"}, {"diabetes.csv", "progression"}};

/* Runs `check` for every (model, data set) pair the model supports. */
static void each_model(void (*check)(const fw_model_type *, fwt_set *))
{
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        fwt_set s;
        fw_err e;
        CHECK_OK(fwt_set_load(sets[k][0], sets[k][1], 1, &s, &e), &e);
        for (size_t i = 0; fw_models[i]; i++) {
            if (!supports(fw_models[i], &s))
                continue;
            int before = fwt_failed_now;
            check(fw_models[i], &s);
            if (fwt_failed_now && !before)
                printf("    (model %s on %s)\n", fw_models[i]->name, sets[k][0]);
        }
        fwt_set_free(&s);
    }
}

static void check_fit_predict(const fw_model_type *t, fwt_set *s)
{
    fw_err e = {0};
    int rc;
    double *a = fit_predict(t, s, &s->fit, &rc, &e);
    CHECK_MSG(a, "%s: fit/predict failed: %s", t->name, e.msg);
    size_t n = s->d->n_rows, k = out_width(s);
    for (size_t i = 0; i < n * k; i++)
        CHECK_MSG(isfinite(a[i]), "%s: non-finite output at %zu", t->name, i);
    if ((t->caps & FW_CAP_PROBA) && k > 1) {
        for (size_t i = 0; i < n; i++) {
            double sum = 0;
            for (size_t c = 0; c < k; c++) {
                CHECK(a[i * k + c] >= 0 && a[i * k + c] <= 1);
                sum += a[i * k + c];
            }
            CHECK_MSG(fabs(sum - 1) < 1e-9, "%s: row %zu sums to %g", t->name, i, sum);
        }
    }
    double *b = fit_predict(t, s, &s->fit, &rc, &e);
    CHECK(b);
    CHECK_MSG(memcmp(a, b, n * k * sizeof *a) == 0, "%s: same seed, different output",
              t->name);
    free(a);
    free(b);
}

static void fit_predict_all(void) { each_model(check_fit_predict); }

static void check_bad_params(const fw_model_type *t, fwt_set *s)
{
    (void)s;
    for (size_t i = 0; i < t->n_params; i++) {
        const fw_param_spec *p = &t->params[i];
        fw_pval v;
        fw_err e = {0};
        if (p->kind == FW_PARAM_CHOICE || p->kind == FW_PARAM_BOOL) {
            CHECK_MSG(fw_param_parse(t, i, "no_such_value", &v, &e) == FW_EINVAL,
                      "%s.%s accepted a bogus value", t->name, p->name);
        } else if (isfinite(p->lo)) {
            char buf[64];
            snprintf(buf, sizeof buf, "%.17g", (p->flags & FW_PARAM_LO_OPEN) ? p->lo : p->lo - 1);
            CHECK_MSG(fw_param_parse(t, i, buf, &v, &e) == FW_EINVAL,
                      "%s.%s accepted %s below its range", t->name, p->name, buf);
        } else {
            CHECK_MSG(fw_param_parse(t, i, "abc", &v, &e) == FW_EINVAL,
                      "%s.%s accepted a non-number", t->name, p->name);
        }
        CHECK_MSG(strstr(e.msg, p->name) != NULL, "%s: message does not name %s: %s", t->name,
                  p->name, e.msg);
    }
}

static void bad_params_refused(void) { each_model(check_bad_params); }

static void check_nan(const fw_model_type *t, fwt_set *s)
{
    double saved = s->X[3 * s->d->n_rows + 10];
    s->X[3 * s->d->n_rows + 10] = NAN;
    fw_err e = {0};
    int rc;
    double *a = fit_predict(t, s, &s->fit, &rc, &e);
    s->X[3 * s->d->n_rows + 10] = saved;
    if (t->caps & FW_CAP_MISSING) {
        CHECK_MSG(a, "%s declares missing-value support but failed: %s", t->name, e.msg);
    } else {
        CHECK_MSG(!a && rc == FW_EINVAL && strstr(e.msg, "missing"),
                  "%s: NaN without an imputer gave rc %d: %s", t->name, rc, e.msg);
    }
    free(a);
}

static void nan_without_imputer(void) { each_model(check_nan); }

static void check_single_class(const fw_model_type *t, fwt_set *s)
{
    if (s->d->task != FW_TASK_CLASSIFICATION)
        return;
    size_t n = 0, *rows = malloc(s->d->n_rows * sizeof *rows);
    for (size_t i = 0; i < s->d->n_rows; i++)
        if (s->d->y[i] == 0.0)
            rows[n++] = i;
    fw_fit_data fd = s->fit;
    fd.rows = rows;
    fd.n = n;
    fw_err e = {0};
    int rc;
    double *a = fit_predict(t, s, &fd, &rc, &e);
    if (a) {
        size_t k = out_width(s);
        for (size_t i = 0; i < s->d->n_rows * k; i++)
            CHECK_MSG(isfinite(a[i]), "%s: single-class fit gave non-finite output", t->name);
    } else {
        CHECK_MSG(e.msg[0], "%s: single-class fit failed without a message", t->name);
    }
    free(a);
    free(rows);
}

static void single_class_fold(void) { each_model(check_single_class); }

static void check_deadline(const fw_model_type *t, fwt_set *s)
{
    if (!(t->caps & FW_CAP_ITERATIVE))
        return;
    fw_pval *cfg = calloc(t->n_params + 1, sizeof *cfg);
    fw_param_defaults(t, cfg);
    long budget = 1;
    fw_deadline dl = {0, NULL, &budget};
    gsl_rng *rng = fw_rng_alloc(7, 1);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, &dl, rng);
    void *state = calloc(1, t->state_size);
    fw_err e = {0};
    int rc = t->fit(state, &s->fit, cfg, &ctx, &e);
    if (t->free_state)
        t->free_state(state);
    free(state);
    free(cfg);
    gsl_rng_free(rng);
    CHECK_MSG(rc == FW_ETIMEOUT, "%s: expired deadline gave rc %d", t->name, rc);
}

static void deadline_stops_fit(void) { each_model(check_deadline); }

static void check_save_load(const fw_model_type *t, fwt_set *s)
{
    if (!t->save || !t->load)
        return;
    fw_pval *cfg = calloc(t->n_params + 1, sizeof *cfg);
    fw_param_defaults(t, cfg);
    gsl_rng *rng = fw_rng_alloc(7, 1);
    fw_fit_ctx ctx;
    fw_fit_ctx_init(&ctx, NULL, rng);
    fw_model *m = fw_model_alloc(t, cfg), *m2 = fw_model_alloc(t, cfg);
    fw_err e = {0};
    size_t n = s->d->n_rows, k = out_width(s);
    double *a = malloc(n * k * sizeof *a), *b = malloc(n * k * sizeof *b);
    fw_sb sb;
    fw_sb_init(&sb);
    int ok = fw_model_fit(m, &s->fit, &ctx, &e) == 0 &&
             fw_model_predict(m, &s->fit.X, s->rows, n, a, &e) == 0 &&
             t->save(m->state, &sb, &e) == 0 && t->load(m2->state, sb.s, sb.len, &e) == 0;
    m2->n_cols = m->n_cols;
    ok = ok && fw_model_predict(m2, &s->fit.X, s->rows, n, b, &e) == 0;
    int same = ok && memcmp(a, b, n * k * sizeof *a) == 0;
    fw_sb_free(&sb);
    free(a);
    free(b);
    fw_model_free(m);
    fw_model_free(m2);
    free(cfg);
    gsl_rng_free(rng);
    CHECK_MSG(ok, "%s: save/load failed: %s", t->name, e.msg);
    CHECK_MSG(same, "%s: loaded model predicts differently", t->name);
}

static void save_load_roundtrip(void) { each_model(check_save_load); }

static void registry_is_sane(void)
{
    for (size_t i = 0; fw_models[i]; i++) {
        const fw_model_type *t = fw_models[i];
        CHECK(t->name && t->summary && t->fit && t->predict && t->state_size > 0);
        CHECK_MSG(fw_model_find(t->name) == t, "duplicate model name %s", t->name);
        CHECK_MSG(!(t->caps & FW_CAP_PATH) || (t->fit_predict_path && t->path_param &&
                                               fw_param_index(t, t->path_param) >= 0),
                  "%s: FW_CAP_PATH without a path", t->name);
        for (size_t p = 0; p < t->n_params; p++) {
            fw_pval v[64];
            fw_err e;
            fw_param_defaults(t, v);
            CHECK_MSG(fw_param_check_value(t, p, &v[p], &e) == FW_OK,
                      "%s: default of %s is out of its own range: %s", t->name,
                      t->params[p].name, e.msg);
        }
    }
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    static const fwt_case cases[] = {T(registry_is_sane),    T(fit_predict_all),
                                     T(bad_params_refused),  T(nan_without_imputer),
                                     T(single_class_fold),   T(deadline_stops_fit),
                                     T(save_load_roundtrip), {NULL, NULL}};
    return fwt_main(argc, argv, cases);
}
