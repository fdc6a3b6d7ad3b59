/* test_fail.c: a deliberately misbehaving model that drives the scheduler's
 * failure paths in the tests (hidden from `foldwise models`).
 *
 * mode: ok (predicts the class prior / mean), fail (every fit fails),
 * flaky (fails when the number of training rows is odd), spin (runs until
 * its deadline passes: a runaway fit for the task timeout), singular (fails
 * as a singular system would). sleep_ms: time a fit takes (polling the
 * deadline), for the scheduling tests. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "foldwise/data.h"
#include "models_int.h"

enum { M_OK, M_FAIL, M_FLAKY, M_SPIN, M_SINGULAR };
static const char *const modes[] = {"ok", "fail", "flaky", "spin", "singular", NULL};

static const fw_param_spec tf_params[] = {
    {.name = "mode", .kind = FW_PARAM_CHOICE, .def_choice = "ok", .choices = modes,
     .help = "how to misbehave"},
    {.name = "sleep_ms", .kind = FW_PARAM_REAL, .def = 0, .lo = 0, .hi = 1e7,
     .help = "time one fit takes"},
};

typedef struct tf_state {
    int task;
    size_t k;
    double out[64];
} tf_state;

static void nap(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - 1000 * (double)(time_t)(ms / 1000)) * 1e6)};
    nanosleep(&ts, NULL);
}

static int tf_fit(void *state, const fw_fit_data *d, const fw_pval *cfg, fw_fit_ctx *ctx,
                  fw_err *e)
{
    tf_state *s = state;
    int mode = cfg[0].choice;
    /* Sleep in 1 ms steps so a deadline still stops it (below a microsecond
     * there is nothing to sleep: a config may vary sleep_ms only to make
     * distinct trivial tasks). */
    for (double left = cfg[1].num; left >= 1e-3; left -= 1) {
        if (fw_deadline_passed(ctx->deadline))
            return fw_err_set(e, FW_ETIMEOUT, "test_fail: stopped at the deadline");
        nap(left < 1 ? left : 1);
    }
    if (mode == M_FAIL || (mode == M_FLAKY && d->n % 2 == 1))
        return fw_err_set(e, FW_EFAIL, "test_fail: deliberate failure (%zu training rows)",
                          d->n);
    if (mode == M_SINGULAR)
        return fw_err_set(e, FW_ESINGULAR, "test_fail: singular matrix");
    if (mode == M_SPIN) {
        for (;;) {
            if (fw_deadline_passed(ctx->deadline))
                return fw_err_set(e, FW_ETIMEOUT, "test_fail: stopped at the deadline");
            nap(1);
        }
    }
    s->task = d->task;
    s->k = d->task == FW_TASK_CLASSIFICATION ? d->n_classes : 1;
    if (s->k > 64)
        return fw_err_set(e, FW_EINVAL, "test_fail: at most 64 classes");
    memset(s->out, 0, sizeof s->out);
    for (size_t i = 0; i < d->n; i++) {
        double y = d->y[d->rows[i]];
        if (s->task == FW_TASK_CLASSIFICATION)
            s->out[(size_t)y] += 1.0 / (double)d->n;
        else
            s->out[0] += y / (double)d->n;
    }
    ctx->n_iter = 1;
    return FW_OK;
}

static int tf_predict(const void *state, const fw_matrix *X, const size_t *rows, size_t n,
                      double *out, fw_err *e)
{
    const tf_state *s = state;
    (void)X, (void)rows, (void)e;
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * s->k, s->out, s->k * sizeof *out);
    return FW_OK;
}

static int tf_save(const void *state, fw_sb *out, fw_err *e)
{
    (void)e;
    fw_sb_appendn(out, state, sizeof(tf_state));
    return FW_OK;
}

static int tf_load(void *state, const void *buf, size_t n, fw_err *e)
{
    if (n != sizeof(tf_state))
        return fw_err_set(e, FW_EINVAL, "test_fail: damaged");
    memcpy(state, buf, n);
    return FW_OK;
}

const fw_model_type fw_model_test_fail = {
    .name = "test_fail",
    .summary = "test-only: fails, spins or sleeps on purpose",
    .caps = FW_CAP_CLASSIFY | FW_CAP_REGRESS | FW_CAP_MULTICLASS | FW_CAP_PROBA |
            FW_CAP_MISSING | FW_CAP_TEST_ONLY,
    .params = tf_params,
    .n_params = sizeof tf_params / sizeof tf_params[0],
    .state_size = sizeof(tf_state),
    .fit = tf_fit,
    .predict = tf_predict,
    .save = tf_save,
    .load = tf_load,
};
