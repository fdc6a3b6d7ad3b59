/* digest.c: the findings report.html and report.md both state, computed
 * once from fw_results (ranking, nested estimate, failures, pooled
 * out-of-split predictions, confusion matrix), and the text formatting
 * both use, so the two reports always show the same numbers. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "foldwise/plan.h"
#include "report_int.h"

/* ---- text ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence XML accepts at p, or 0. */
static size_t u8_valid(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) ||
        (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    if (c == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
        return 0; /* U+FFFE, U+FFFF are not XML characters */
    return n;
}

void fw_rep_xml(fw_sb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t n = u8_valid(p);
        if (n == 0) {
            fw_sb_append(b, "\xef\xbf\xbd");
            p++;
            continue;
        }
        switch (*p) {
        case '&': fw_sb_append(b, "&amp;"); break;
        case '<': fw_sb_append(b, "&lt;"); break;
        case '>': fw_sb_append(b, "&gt;"); break;
        case '"': fw_sb_append(b, "&quot;"); break;
        default: fw_sb_appendn(b, (const char *)p, n);
        }
        p += n;
    }
}

void fw_rep_md_cell(fw_sb *b, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (*p == '|')
            fw_sb_append(b, "\\|");
        else if (*p == '\n' || *p == '\r')
            fw_sb_append(b, " ");
        else if (*p == '<')
            fw_sb_append(b, "&lt;");
        else
            fw_sb_appendn(b, p, 1);
    }
}

void fw_rep_fmt(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else if (v == 0 || (fabs(v) >= 1e-3 && fabs(v) < 1e5))
        snprintf(buf, n, "%.4f", v);
    else
        snprintf(buf, n, "%.4g", v);
}

void fw_rep_fmt_pm(double mean, double sd, char *buf, size_t n)
{
    char a[48], b[48];
    fw_rep_fmt(mean, a, sizeof a);
    fw_rep_fmt(sd, b, sizeof b);
    if (isnan(mean) || isnan(sd))
        snprintf(buf, n, "%s", a);
    else
        snprintf(buf, n, "%s \xc2\xb1 %s", a, b);
}

void fw_rep_fmt_duration(double s, char *buf, size_t n)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, n, "n/a");
    else if (s < 0.1)
        snprintf(buf, n, "%.2f ms", s * 1e3);
    else if (s < 60)
        snprintf(buf, n, "%.2f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

void fw_rep_fmt_utc(double epoch, char *buf, size_t n)
{
    struct tm tm;
    time_t t = (time_t)epoch;
    if (!isfinite(epoch) || epoch <= 0 || !gmtime_r(&t, &tm) ||
        !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "n/a");
}

/* A JSON string at p (after its quote) into out; returns past the end. */
static const char *json_str(const char *p, fw_sb *out)
{
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        fw_sb_appendn(out, p, 1);
    }
    return *p ? p + 1 : p;
}

/* A bare JSON value (number, true, false, null) at p; numbers shortened. */
static const char *json_bare(const char *p, fw_sb *out)
{
    const char *end = p + strcspn(p, ",}");
    char tok[64], *stop;
    size_t len = (size_t)(end - p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\n'))
        len--;
    snprintf(tok, sizeof tok, "%.*s", (int)(len < 63 ? len : 63), p);
    double v = strtod(tok, &stop);
    if (len && *stop == '\0' && isfinite(v))
        fw_sb_printf(out, "%.4g", v);
    else
        fw_sb_append(out, tok);
    return end;
}

void fw_rep_params_text(const char *json, fw_sb *out)
{
    if (!json) {
        fw_sb_append(out, "n/a");
        return;
    }
    size_t start = out->len, keys = 0;
    const char *p = json;
    while (*p) {
        p += strspn(p, " \n{,}");
        if (*p != '"')
            break;
        fw_sb_append(out, keys++ ? ", " : "");
        p = json_str(p + 1, out);
        p += strspn(p, " :");
        fw_sb_append(out, "=");
        p = *p == '"' ? json_str(p + 1, out) : json_bare(p, out);
    }
    if (out->len == start)
        fw_sb_append(out, "defaults");
}

/* ---- ranking ---------------------------------------------------------------------- */

int fw_rep_scored(const fw_results *r, long t)
{
    return t >= 0 && (size_t)t < r->n_trials && r->n_metrics && r->trials[t].mean_test &&
           isfinite(r->trials[t].mean_test[0]);
}

typedef struct rank_key {
    double key;
    size_t id;
} rank_key;

static int rank_cmp(const void *a, const void *b)
{
    const rank_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

size_t fw_rep_ranked(const fw_results *r, size_t *idx)
{
    rank_key *k = malloc((r->n_trials ? r->n_trials : 1) * sizeof *k);
    size_t n = 0, m = 0;
    int gib = r->greater_is_better && r->n_metrics ? r->greater_is_better[0] : 1;
    for (size_t i = 0; k && i < r->n_trials; i++)
        if (fw_rep_scored(r, (long)i))
            k[n++] = (rank_key){gib ? -r->trials[i].mean_test[0] : r->trials[i].mean_test[0], i};
    if (k)
        qsort(k, n, sizeof *k, rank_cmp);
    for (size_t i = 0; i < n; i++)
        idx[m++] = k[i].id;
    for (size_t i = 0; i < r->n_trials; i++)
        if (!k || !fw_rep_scored(r, (long)i))
            idx[m++] = i;
    free(k);
    return k ? n : 0;
}

size_t fw_rep_nested(const fw_results *r, double *mean, double *sd)
{
    double sum = 0, sq = 0;
    size_t n = 0;
    *mean = *sd = NAN;
    for (size_t i = 0; r->n_metrics && i < r->n_outer; i++)
        if (r->outer[i].status == FW_RS_OK && isfinite(r->outer[i].test[0]))
            sum += r->outer[i].test[0], n++;
    if (!n)
        return 0;
    *mean = sum / (double)n;
    for (size_t i = 0; i < r->n_outer; i++)
        if (r->outer[i].status == FW_RS_OK && isfinite(r->outer[i].test[0]))
            sq += (r->outer[i].test[0] - *mean) * (r->outer[i].test[0] - *mean);
    *sd = sqrt(sq / (double)n);
    return n;
}

/* ---- failures ----------------------------------------------------------------------- */

static const char *issue_kind(const fw_trial *t)
{
    switch (t->status) {
    case FW_RS_FAILED: return "failed";
    case FW_RS_TIMEOUT: return "timeout";
    case FW_RS_PARTIAL: return "partial";
    default: return t->message || t->not_converged ? "warning" : NULL;
    }
}

fw_rep_issue *fw_rep_issues(const fw_results *r, size_t *n, size_t counts[4])
{
    fw_rep_issue *g = NULL;
    size_t ng = 0;
    *n = 0;
    memset(counts, 0, 4 * sizeof *counts);
    for (size_t i = 0; i < r->n_trials; i++) {
        const fw_trial *t = &r->trials[i];
        const char *kind = issue_kind(t);
        if (t->status >= 0 && t->status < 4)
            counts[t->status]++;
        if (!kind)
            continue;
        size_t j = 0;
        while (j < ng && (strcmp(g[j].model, t->model) || strcmp(g[j].kind, kind)))
            j++;
        if (j == ng) {
            fw_rep_issue *x = realloc(g, (ng + 1) * sizeof *g);
            if (!x)
                break;
            g = x;
            g[ng++] = (fw_rep_issue){t->model, kind, 0, t->message};
        }
        g[j].count++;
    }
    *n = ng;
    return g;
}

/* ---- predictions --------------------------------------------------------------------- */

int fw_rep_pool_get(const fw_results *r, long config, fw_rep_pool *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < r->n_preds; i++) {
        const fw_pred_block *b = &r->preds[i];
        if (b->config != config || (p->blocks && b->width != p->width))
            continue;
        p->width = b->width, p->is_proba = b->is_proba;
        p->n += b->n, p->blocks++;
    }
    if (!p->n || !p->width)
        return FW_OK;
    p->y = malloc(p->n * sizeof *p->y);
    p->v = malloc(p->n * p->width * sizeof *p->v);
    if (!p->y || !p->v) {
        fw_rep_pool_free(p);
        return FW_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < r->n_preds; i++) {
        const fw_pred_block *b = &r->preds[i];
        if (b->config != config || b->width != p->width)
            continue;
        memcpy(p->y + at, b->y_true, b->n * sizeof *p->y);
        memcpy(p->v + at * p->width, b->value, b->n * b->width * sizeof *p->v);
        at += b->n;
    }
    return FW_OK;
}

void fw_rep_pool_free(fw_rep_pool *p)
{
    if (!p)
        return;
    free(p->y);
    free(p->v);
    memset(p, 0, sizeof *p);
}

int fw_rep_pool_row_ok(const fw_rep_pool *p, size_t i, size_t n_classes)
{
    double y = p->y[i];
    if (!isfinite(y) || (n_classes && (y < 0 || y >= (double)n_classes || y != floor(y))))
        return 0;
    for (size_t q = 0; q < p->width; q++)
        if (!isfinite(p->v[i * p->width + q]))
            return 0;
    return 1;
}

size_t fw_rep_argmax(const double *v, size_t width)
{
    size_t best = 0;
    for (size_t q = 1; q < width; q++)
        if (v[q] > v[best])
            best = q;
    return best;
}

size_t fw_rep_confusion(const fw_rep_pool *p, size_t k, size_t *cm)
{
    size_t n = 0;
    memset(cm, 0, k * k * sizeof *cm);
    for (size_t i = 0; i < p->n; i++) {
        if (!fw_rep_pool_row_ok(p, i, k))
            continue;
        size_t pred = fw_rep_argmax(p->v + i * p->width, p->width);
        if (pred >= k)
            continue;
        cm[(size_t)p->y[i] * k + pred]++;
        n++;
    }
    return n;
}

/* ---- headline ------------------------------------------------------------------------ */

const char *fw_rep_arrow(const fw_results *r, size_t m)
{
    int gib = r->greater_is_better && m < r->n_metrics ? r->greater_is_better[m] : 1;
    return gib ? "\xe2\x86\x91" : "\xe2\x86\x93";
}

void fw_rep_head_get(const fw_results *r, fw_rep_head *h)
{
    memset(h, 0, sizeof *h);
    h->task = r->task == FW_TASK_CLASSIFICATION ? "classification" : "regression";
    h->metric = r->n_metrics ? r->metrics[0] : "";
    h->better = r->greater_is_better && r->n_metrics && !r->greater_is_better[0]
                    ? "lower is better" : "higher is better";
    h->has_best = fw_rep_scored(r, r->best);
    if (h->has_best) {
        const fw_trial *t = &r->trials[r->best];
        fw_sb p;
        fw_sb_init(&p);
        fw_rep_params_text(t->params_json, &p);
        snprintf(h->best_params, sizeof h->best_params, "%s", p.s ? p.s : "");
        fw_sb_free(&p);
        h->best_model = t->model;
        fw_rep_fmt_pm(t->mean_test[0], t->std_test[0], h->best_score, sizeof h->best_score);
        fw_rep_fmt(t->mean_test[0], h->best_mean, sizeof h->best_mean);
    }
    h->n_outer = r->n_outer;
    double mean, sd;
    h->nested_ok = fw_rep_nested(r, &mean, &sd);
    if (r->n_outer)
        fw_rep_fmt_pm(mean, sd, h->nested_score, sizeof h->nested_score);
    for (size_t i = 0; i < r->n_trials; i++)
        h->n_bad += r->trials[i].status != FW_RS_OK;
    h->stopped = r->state && strcmp(r->state, "finished") != 0;
    fw_rep_fmt_duration(r->elapsed_s, h->elapsed, sizeof h->elapsed);
    fw_rep_fmt_duration(r->search_s, h->search, sizeof h->search);
    fw_rep_fmt_utc(r->start_epoch, h->start, sizeof h->start);
    fw_rep_fmt_utc(r->end_epoch, h->end, sizeof h->end);
}

void fw_rep_fence(const char *text, char *buf, size_t n)
{
    size_t run = 0, longest = 0;
    for (const char *p = text; p && *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t len = longest >= 3 ? longest + 1 : 3;
    if (len >= n)
        len = n - 1;
    memset(buf, '`', len);
    buf[len] = '\0';
}

const char fw_rep_stopped_why[] =
    "The run stopped before it finished: these results cover the tasks done so far "
    "(run again with --resume to finish it).";

const char fw_rep_flat_why[] =
    "Without nested cross-validation (cv.inner) this best score was picked on the same "
    "splits that measure it, so it is somewhat optimistic as an estimate for new data.";

const char fw_rep_nested_why[] =
    "Each outer split chose its own configuration on its inner splits and was then scored "
    "on rows that choice never saw, so this is an unbiased estimate of the whole procedure, "
    "whereas the best flat-search score was picked on the same splits that score it and is "
    "optimistic.";

size_t fw_rep_pool_fit(const fw_rep_pool *p, double *rmse, double *r2)
{
    double mean = 0, sse = 0, sst = 0;
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++)
        if (fw_rep_pool_row_ok(p, i, 0))
            mean += p->y[i], m++;
    mean /= m ? (double)m : 1;
    for (size_t i = 0; i < p->n; i++) {
        if (!fw_rep_pool_row_ok(p, i, 0))
            continue;
        double d = p->y[i] - p->v[i * p->width];
        sse += d * d, sst += (p->y[i] - mean) * (p->y[i] - mean);
    }
    *rmse = m ? sqrt(sse / (double)m) : NAN;
    *r2 = sst > 0 ? 1 - sse / sst : NAN;
    return m;
}

void fw_rep_versions(const fw_results *r, char *buf, size_t n)
{
    const char *mpi = r->v_mpi ? r->v_mpi : "?";
    snprintf(buf, n, "foldwise %s, %s%s, GSL %s, HDF5 %s, libyaml %s",
             r->v_foldwise ? r->v_foldwise : "?", strcmp(mpi, "none") ? "" : "MPI ",
             strcmp(mpi, "none") ? mpi : "none (serial run)", r->v_gsl ? r->v_gsl : "?",
             r->v_hdf5 ? r->v_hdf5 : "?", r->v_yaml ? r->v_yaml : "?");
}

void fw_rep_classes_text(const fw_results *r, fw_sb *out)
{
    if (r->task != FW_TASK_CLASSIFICATION)
        return;
    fw_sb_printf(out, " (%zu classes: ", r->n_classes);
    for (size_t c = 0; c < r->n_classes && c < 12; c++) {
        fw_sb_append(out, c ? ", " : "");
        fw_sb_append(out, r->classes[c]);
    }
    fw_sb_append(out, r->n_classes > 12 ? ", \xe2\x80\xa6)" : ")");
}
