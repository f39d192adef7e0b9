/* figures.c - figures over a period from the hourly aggregates; see
 * figures.h. */
#include "core/figures.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation.h"
#include "util/clock.h"

static const char *const clock_json[LK_MC_CLOCKS] = {
    "firstResponse", "nextResponse", "resolution"};
static const char *const clock_csv[LK_MC_CLOCKS] = {
    "first_response", "next_response", "resolution"};
static const char *const clock_metric[LK_MC_CLOCKS] = {"fr", "nr", "res"};

static int64_t local_midnight(int64_t ms) {
  return lk_measure_day(ms);
}

/* The local midnight after the one of `day_start`. */
static int64_t next_midnight(int64_t day_start) {
  return local_midnight(day_start + 26 * LK_HOUR_MS);
}

static int bucket_of(const lk_figures *f, int64_t hour) {
  int lo = 0;
  int hi = f->nbuckets - 1;

  if (!f->q.daily)
    return (int)((hour - f->q.from) / LK_HOUR_MS);
  /* Days differ in length twice a year: search. */
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;

    if (f->buckets[mid].start <= hour)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

static void add_counts(lk_fig_bucket *b, const int64_t *v) {
  b->created += v[LK_CNT_CREATED];
  b->inbound += v[LK_CNT_INBOUND];
  b->outbound += v[LK_CNT_OUTBOUND];
  b->reopened += v[LK_CNT_REOPENED];
  b->backlog_in += v[LK_CNT_BACKLOG_IN];
  b->backlog_out += v[LK_CNT_BACKLOG_OUT];
  b->fcr += v[LK_CNT_FCR];
  b->callbacks += v[LK_CNT_CB];
  b->callbacks_normed += v[LK_CNT_CB_NORMED];
  b->callbacks_met += v[LK_CNT_CB_MET];
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    const int64_t *c = v + LK_CNT_CLOCK + 4 * i;
    lk_fig_clock *k = &b->clk[i];

    k->n += c[LK_CNT_N];
    k->total_ms += c[LK_CNT_MS];
    k->normed += c[LK_CNT_NORMED];
    k->met += c[LK_CNT_MET];
  }
}

static void on_count(int64_t hour, const int64_t *counters, void *ud) {
  lk_figures *f = ud;
  int i = bucket_of(f, hour);

  if (i < 0 || i >= f->nbuckets)
    return;
  add_counts(&f->buckets[i], counters);
  add_counts(&f->total, counters);
}

static void on_hist(int64_t hour, const char *metric, int bin, int64_t n,
                    void *ud) {
  lk_figures *f = ud;
  int i = bucket_of(f, hour);

  if (i < 0 || i >= f->nbuckets || bin < 0 || bin >= LK_MEASURE_BINS)
    return;
  for (int c = 0; c < LK_MC_CLOCKS; c++) {
    if (strcmp(metric, clock_metric[c]) == 0) {
      f->buckets[i].clk[c].bins[bin] += n;
      f->total.clk[c].bins[bin] += n;
    }
  }
}

/* The part of [since, now) inside [from, to). */
static int64_t overlap(int64_t since, int64_t now, int64_t from, int64_t to) {
  int64_t a = since > from ? since : from;
  int64_t b = now < to ? now : to;

  return b > a ? b - a : 0;
}

static void on_agent(const char *agent_id, int64_t online_ms, int64_t busy_ms,
                     const lk_magent *live, void *ud) {
  lk_figures *f = ud;
  lk_fig_agent *a;
  int64_t open;

  if (f->nagents == f->agents_cap) {
    int cap = f->agents_cap > 0 ? 2 * f->agents_cap : 16;
    lk_fig_agent *more = realloc(f->agents, (size_t)cap * sizeof(*more));

    if (more == NULL) {
      f->agents_failed = true;
      return;
    }
    f->agents = more;
    f->agents_cap = cap;
  }
  a = &f->agents[f->nagents];
  snprintf(a->agent_id, sizeof(a->agent_id), "%s", agent_id);
  a->online_ms = online_ms;
  a->busy_ms = busy_ms;
  /* The stretch since its last change has not been credited yet. */
  if (strcmp(live->presence, "available") == 0 ||
      strcmp(live->presence, "busy") == 0) {
    open = overlap(live->since, f->q.now, f->q.from, f->q.to);
    a->online_ms += open;
    if (live->load > 0)
      a->busy_ms += open;
  }
  if (a->online_ms > 0 || a->busy_ms > 0)
    f->nagents++;
}

int lk_figures_compute(lk_store *s, const lk_fig_query *q, lk_figures *out) {
  lk_mquery mq;
  bool days;
  int n = 0;
  int rc;

  memset(out, 0, sizeof(*out));
  out->q = *q;
  if (q->daily) {
    out->q.from = local_midnight(q->from);
    out->q.to = local_midnight(q->to - 1);
    out->q.to = next_midnight(out->q.to);
    for (int64_t d = out->q.from; d < out->q.to && n <= LK_FIG_DAYS_MAX;
         d = next_midnight(d))
      n++;
    if (q->to <= q->from || n > LK_FIG_DAYS_MAX)
      return LK_STORE_INVALID;
  } else {
    out->q.from = lk_measure_hour(q->from);
    out->q.to = lk_measure_hour(q->to - 1) + LK_HOUR_MS;
    if (q->to <= q->from ||
        (out->q.to - out->q.from) / LK_HOUR_MS > LK_FIG_HOURS_MAX)
      return LK_STORE_INVALID;
    n = (int)((out->q.to - out->q.from) / LK_HOUR_MS);
  }
  out->buckets = calloc((size_t)n, sizeof(*out->buckets));
  if (out->buckets == NULL)
    return LK_STORE_NOMEM;
  out->nbuckets = n;
  for (int i = 0; i < n; i++) {
    out->buckets[i].start =
        i == 0 ? out->q.from
               : (q->daily ? next_midnight(out->buckets[i - 1].start)
                           : out->buckets[i - 1].start + LK_HOUR_MS);
  }
  out->total.start = out->q.from;
  /* By day: one row per day from the daily rollups, unless asked to add
   * up the hours (the reference the tests and the benchmark compare
   * with). */
  days = q->daily && !q->from_hours;
  mq = (lk_mquery){out->q.from, out->q.to, q->channel, q->team_id, days};
  rc = lk_store_measure_counts(s, &mq, on_count, out);
  if (rc == 0)
    rc = lk_store_measure_hists(s, &mq, on_hist, out);
  if (rc == 0)
    rc = lk_store_measure_backlog(s, q->channel, q->team_id, q->now,
                                  &out->backlog);
  if (rc == 0)
    rc = lk_store_measure_occupancy_read(s, out->q.from, out->q.to, days,
                                         q->team_id, on_agent, out);
  if (rc == 0 && out->agents_failed)
    rc = LK_STORE_NOMEM;
  return rc;
}

void lk_figures_free(lk_figures *f) {
  free(f->buckets);
  free(f->agents);
  f->buckets = NULL;
  f->agents = NULL;
}

/* ---- JSON ------------------------------------------------------------ */

static void share(lk_buf *b, int64_t part, int64_t whole) {
  if (whole == 0)
    lk_buf_puts(b, "null");
  else
    lk_buf_printf(b, "%.4f", (double)part / (double)whole);
}

static void seconds(lk_buf *b, int64_t ms, bool known) {
  if (!known)
    lk_buf_puts(b, "null");
  else
    lk_buf_printf(b, "%.3f", (double)ms / 1000.0);
}

static void clock_json_obj(lk_buf *b, const lk_fig_clock *k) {
  lk_buf_printf(b, "{\"count\":%lld,\"meanSeconds\":", (long long)k->n);
  seconds(b, k->n > 0 ? k->total_ms / k->n : 0, k->n > 0);
  lk_buf_puts(b, ",\"medianSeconds\":");
  seconds(b, lk_measure_quantile(k->bins, 0.5), k->n > 0);
  lk_buf_puts(b, ",\"p90Seconds\":");
  seconds(b, lk_measure_quantile(k->bins, 0.9), k->n > 0);
  lk_buf_printf(b, ",\"normed\":%lld,\"withinNorm\":%lld,\"share\":",
                (long long)k->normed, (long long)k->met);
  share(b, k->met, k->normed);
  lk_buf_putc(b, '}');
}

static void bucket_json(lk_buf *b, const lk_fig_bucket *k) {
  char when[32];

  lk_clock_format_iso(k->start, when, sizeof(when));
  lk_buf_printf(b,
                "{\"start\":%lld,\"startIso\":\"%s\",\"conversations\":%lld,"
                "\"inbound\":%lld,\"outbound\":%lld,\"reopened\":%lld,"
                "\"backlogIn\":%lld,\"backlogOut\":%lld",
                (long long)k->start, when, (long long)k->created,
                (long long)k->inbound, (long long)k->outbound,
                (long long)k->reopened, (long long)k->backlog_in,
                (long long)k->backlog_out);
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    lk_buf_printf(b, ",\"%s\":", clock_json[i]);
    clock_json_obj(b, &k->clk[i]);
  }
  lk_buf_printf(b,
                ",\"firstContactResolution\":{\"resolved\":%lld,"
                "\"firstContact\":%lld,\"share\":",
                (long long)k->clk[LK_MC_RESOLUTION].n, (long long)k->fcr);
  share(b, k->fcr, k->clk[LK_MC_RESOLUTION].n);
  lk_buf_printf(b,
                "},\"callbacks\":{\"done\":%lld,\"withDeadline\":%lld,"
                "\"onTime\":%lld,\"share\":",
                (long long)k->callbacks, (long long)k->callbacks_normed,
                (long long)k->callbacks_met);
  share(b, k->callbacks_met, k->callbacks_normed);
  lk_buf_puts(b, "}}");
}

static void opt_str(lk_buf *b, const char *s) {
  if (s != NULL && s[0] != '\0')
    lk_buf_json_str(b, s);
  else
    lk_buf_puts(b, "null");
}

void lk_figures_json(lk_buf *b, const lk_figures *f) {
  const lk_mbacklog *bl = &f->backlog;
  int64_t online = 0, busy = 0;

  lk_buf_printf(b, "{\"from\":%lld,\"to\":%lld,\"granularity\":\"%s\"",
                (long long)f->q.from, (long long)f->q.to,
                f->q.daily ? "day" : "hour");
  lk_buf_puts(b, ",\"channel\":");
  opt_str(b, f->q.channel);
  lk_buf_puts(b, ",\"teamId\":");
  opt_str(b, f->q.team_id);
  lk_buf_puts(b, ",\"total\":");
  bucket_json(b, &f->total);
  lk_buf_puts(b, ",\"buckets\":[");
  for (int i = 0; i < f->nbuckets; i++) {
    if (i > 0)
      lk_buf_putc(b, ',');
    bucket_json(b, &f->buckets[i]);
  }
  lk_buf_printf(b,
                "],\"backlog\":{\"at\":%lld,\"open\":%lld,"
                "\"breached\":%lld,\"oldestAgeSeconds\":",
                (long long)f->q.now, (long long)bl->open,
                (long long)bl->breached);
  seconds(b, f->q.now - bl->oldest, bl->open > 0);
  lk_buf_puts(b, ",\"meanAgeSeconds\":");
  seconds(b, bl->open > 0 ? f->q.now - bl->created_sum / bl->open : 0,
          bl->open > 0);
  lk_buf_printf(b, ",\"callbacksOpen\":%lld,\"callbacksLate\":%lld}",
                (long long)bl->callbacks_open, (long long)bl->callbacks_late);
  lk_buf_puts(b, ",\"occupancy\":{\"agents\":[");
  for (int i = 0; i < f->nagents; i++) {
    const lk_fig_agent *a = &f->agents[i];

    online += a->online_ms;
    busy += a->busy_ms;
    lk_buf_printf(b, "%s{\"agentId\":", i > 0 ? "," : "");
    lk_buf_json_str(b, a->agent_id);
    lk_buf_puts(b, ",\"onlineSeconds\":");
    seconds(b, a->online_ms, true);
    lk_buf_puts(b, ",\"busySeconds\":");
    seconds(b, a->busy_ms, true);
    lk_buf_puts(b, ",\"share\":");
    share(b, a->busy_ms, a->online_ms);
    lk_buf_putc(b, '}');
  }
  lk_buf_puts(b, "],\"onlineSeconds\":");
  seconds(b, online, true);
  lk_buf_puts(b, ",\"busySeconds\":");
  seconds(b, busy, true);
  lk_buf_puts(b, ",\"share\":");
  share(b, busy, online);
  lk_buf_puts(b, "}}\n");
}

/* ---- CSV ------------------------------------------------------------- */

static void csv_share(lk_buf *b, int64_t part, int64_t whole) {
  lk_buf_putc(b, ',');
  if (whole > 0)
    lk_buf_printf(b, "%.4f", (double)part / (double)whole);
}

static void csv_seconds(lk_buf *b, int64_t ms, bool known) {
  lk_buf_putc(b, ',');
  if (known)
    lk_buf_printf(b, "%.3f", (double)ms / 1000.0);
}

static void bucket_csv(lk_buf *b, const char *label, const lk_fig_bucket *k) {
  lk_buf_printf(b, "%s,%lld,%lld,%lld,%lld,%lld,%lld", label,
                (long long)k->created, (long long)k->inbound,
                (long long)k->outbound, (long long)k->reopened,
                (long long)k->backlog_in, (long long)k->backlog_out);
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    const lk_fig_clock *c = &k->clk[i];

    lk_buf_printf(b, ",%lld", (long long)c->n);
    csv_seconds(b, lk_measure_quantile(c->bins, 0.5), c->n > 0);
    csv_seconds(b, lk_measure_quantile(c->bins, 0.9), c->n > 0);
    csv_share(b, c->met, c->normed);
  }
  csv_share(b, k->fcr, k->clk[LK_MC_RESOLUTION].n);
  lk_buf_printf(b, ",%lld", (long long)k->callbacks);
  csv_share(b, k->callbacks_met, k->callbacks_normed);
  lk_buf_puts(b, "\r\n");
}

void lk_figures_csv(lk_buf *b, const lk_figures *f) {
  char when[32];

  lk_buf_puts(b, "start,conversations,inbound,outbound,reopened,backlog_in,"
                 "backlog_out");
  for (int i = 0; i < LK_MC_CLOCKS; i++)
    lk_buf_printf(b,
                  ",%s_count,%s_median_seconds,%s_p90_seconds,"
                  "%s_within_norm_share",
                  clock_csv[i], clock_csv[i], clock_csv[i], clock_csv[i]);
  lk_buf_puts(b, ",first_contact_resolution_share,callbacks_done,"
                 "callbacks_on_time_share\r\n");
  for (int i = 0; i < f->nbuckets; i++) {
    lk_clock_format_iso(f->buckets[i].start, when, sizeof(when));
    bucket_csv(b, when, &f->buckets[i]);
  }
  bucket_csv(b, "total", &f->total);
}

/* ---- Prometheus ----------------------------------------------------- */

struct metrics_ctx {
  lk_buf *b;
  const char *metric;
  const char *name;
  bool seconds;
};

static void metric_total(const char *channel, const int64_t *counters,
                         void *ud) {
  struct metrics_ctx *m = ud;
  int i = 0;

  while (i < LK_CNT_COUNT &&
         strcmp(lk_measure_counter_names[i], m->metric) != 0)
    i++;
  if (i == LK_CNT_COUNT)
    return;
  if (m->seconds)
    lk_buf_printf(m->b, "%s{channel=\"%s\"} %.3f\n", m->name, channel,
                  (double)counters[i] / 1000.0);
  else
    lk_buf_printf(m->b, "%s{channel=\"%s\"} %lld\n", m->name, channel,
                  (long long)counters[i]);
}

static void metric_backlog(const char *channel, const lk_mbacklog *bl,
                           void *ud) {
  struct metrics_ctx *m = ud;

  if (strcmp(m->metric, "open") == 0)
    lk_buf_printf(m->b, "%s{channel=\"%s\"} %lld\n", m->name, channel,
                  (long long)bl->open);
  else if (strcmp(m->metric, "breached") == 0)
    lk_buf_printf(m->b, "%s{channel=\"%s\"} %lld\n", m->name, channel,
                  (long long)bl->breached);
  else
    lk_buf_printf(m->b, "%s{channel=\"%s\"} %.3f\n", m->name, channel,
                  (double)bl->oldest / 1000.0);
}

void lk_figures_metrics(lk_buf *b, lk_store *s, int64_t now) {
  /* Every channel, and "" for callbacks outside a conversation. */
  const char *channels[16];
  int nch = 0;
  /* Counters from the all-time totals: one row per channel and metric,
   * so the cardinality is channels x metrics, whatever the history. */
  static const struct {
    const char *metric;
    const char *name;
    const char *help;
    bool seconds;
  } counters[] = {
      {"created", "loket_conversations_created_total", "Conversations created",
       false},
      {"inbound", "loket_messages_inbound_total",
       "Inbound messages from residents", false},
      {"outbound", "loket_messages_outbound_total",
       "Outbound messages to residents", false},
      {"fr_n", "loket_first_responses_total", "First responses measured",
       false},
      {"fr_ms", "loket_first_response_seconds_total",
       "Sum of first response times (in the norm's clock)", true},
      {"fr_normed", "loket_first_responses_normed_total",
       "First responses measured against a norm", false},
      {"fr_met", "loket_first_responses_within_norm_total",
       "First responses within their norm", false},
      {"nr_n", "loket_next_responses_total", "Next responses measured", false},
      {"nr_met", "loket_next_responses_within_norm_total",
       "Next responses within their norm", false},
      {"reopened", "loket_conversations_reopened_total",
       "Conversations reopened", false},
      /* These go down when a reopening or an undone callback takes a
       * count back: gauges, not counters. */
      {"res_n", "loket_resolved_conversations",
       "Resolved conversations of all time (reopened ones taken back)", false},
      {"res_ms", "loket_resolution_seconds",
       "Sum of the resolution times of the resolved conversations", true},
      {"res_met", "loket_resolved_within_norm_conversations",
       "Resolved conversations within their resolution norm", false},
      {"fcr", "loket_first_contact_resolved_conversations",
       "Conversations resolved on first contact", false},
      {"cb", "loket_callbacks_done", "Callbacks done", false},
      {"cb_met", "loket_callbacks_on_time",
       "Callbacks done by their slot or norm", false},
  };
  static const struct {
    const char *what;
    const char *name;
    const char *help;
  } gauges[] = {
      {"open", "loket_backlog_conversations", "Conversations not resolved"},
      {"breached", "loket_backlog_breached_conversations",
       "Unresolved conversations past a norm deadline"},
      {"oldest", "loket_backlog_oldest_created_seconds",
       "Creation time (Unix seconds) of the oldest unresolved conversation"},
  };

  for (const char *const *c = lk_conv_channels(); *c != NULL && nch < 14; c++)
    channels[nch++] = *c;
  channels[nch++] = "";
  channels[nch] = NULL;
  for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
    struct metrics_ctx m = {b, counters[i].metric, counters[i].name,
                            counters[i].seconds};

    bool counter = strstr(counters[i].name, "_total") != NULL;

    lk_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", counters[i].name,
                  counters[i].help, counters[i].name,
                  counter ? "counter" : "gauge");
    lk_store_measure_totals(s, channels, metric_total, &m);
  }
  for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
    struct metrics_ctx m = {b, gauges[i].what, gauges[i].name, false};

    lk_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", gauges[i].name,
                  gauges[i].help, gauges[i].name);
    for (int c = 0; c < nch; c++) {
      lk_mbacklog bl;

      /* The backlog of one channel: rollup rows and index probes. */
      if (channels[c][0] != '\0' &&
          lk_store_measure_backlog(s, channels[c], NULL, now, &bl) == 0)
        metric_backlog(channels[c], &bl, &m);
    }
  }
}

/* ---- the live list --------------------------------------------------- */

static void norm_json(lk_buf *b, bool *first, const char *metric,
                      const lk_mclock *k, const lk_norm *n,
                      const lk_calendar *cal, int64_t now) {
  int64_t left = 0;
  lk_norm_state st;

  if (k->target == 0 || (k->state != LK_MC_RUNNING && k->state != LK_MC_PAUSED))
    return;
  st = lk_measure_clock_state(cal, k, n != NULL ? n->warn_ms : k->target / 5,
                              now, &left);
  lk_buf_printf(b,
                "%s{\"metric\":\"%s\",\"state\":\"%s\","
                "\"clock\":\"%s\",\"targetSeconds\":%lld,"
                "\"deadline\":",
                *first ? "" : ",", metric, lk_norm_state_name(st),
                k->business ? "business" : "calendar",
                (long long)(k->target / 1000));
  if (k->state == LK_MC_RUNNING)
    lk_buf_printf(b, "%lld", (long long)k->deadline);
  else
    lk_buf_puts(b, "null");
  /* Whole seconds, rounded down: a breach shows as -1, not 0. */
  lk_buf_printf(b, ",\"leftSeconds\":%lld}",
                (long long)(left >= 0 ? left / 1000 : -((-left + 999) / 1000)));
  *first = false;
}

void lk_norms_item_json(lk_buf *b, const lk_mitem *it, const lk_norms *ns,
                        int64_t now) {
  static const char *const names[LK_MC_CLOCKS] = {
      "first_response", "next_response", "resolution"};
  static const lk_metric metrics[LK_MC_CLOCKS] = {
      LK_METRIC_FIRST_RESPONSE, LK_METRIC_NEXT_RESPONSE, LK_METRIC_RESOLUTION};
  bool first = true;
  int64_t due = it->task ? it->t->due : it->conv->due;

  lk_buf_printf(
      b, "{\"kind\":\"%s\",\"id\":", it->task ? "callback" : "conversation");
  if (it->task) {
    const lk_mtask *t = it->t;
    lk_mclock k = {LK_MC_RUNNING, t->created_at, 0,
                   t->target,     t->business,   t->deadline};
    const lk_norm *n =
        lk_norms_match(ns, LK_METRIC_CALLBACK, t->channel, t->team_id, "");

    lk_buf_json_str(b, t->id);
    lk_buf_puts(b, ",\"conversationId\":");
    opt_str(b, t->conversation_id);
    lk_buf_puts(b, ",\"channel\":");
    opt_str(b, t->channel);
    lk_buf_puts(b, ",\"teamId\":");
    opt_str(b, t->team_id);
    lk_buf_printf(b, ",\"due\":%lld,\"norms\":[", (long long)due);
    /* A chosen slot is a deadline without a target: it is met or not,
     * and warns in the last fifth of the time since creation. */
    if (k.target == 0 || t->slot != 0) {
      k.target =
          t->deadline - t->created_at > 0 ? t->deadline - t->created_at : 1;
      k.business = false;
    }
    norm_json(b, &first, "callback", &k, t->slot != 0 ? NULL : n, &ns->cal,
              now);
  } else {
    const lk_mconv *c = it->conv;

    lk_buf_json_str(b, c->id);
    lk_buf_puts(b, ",\"channel\":");
    opt_str(b, c->channel);
    lk_buf_puts(b, ",\"teamId\":");
    opt_str(b, c->team_id);
    lk_buf_puts(b, ",\"status\":");
    lk_buf_json_str(b, c->status);
    lk_buf_printf(b, ",\"due\":%lld,\"norms\":[", (long long)due);
    for (int i = 0; i < LK_MC_CLOCKS; i++)
      norm_json(
          b, &first, names[i], &c->clk[i],
          lk_norms_match(ns, metrics[i], c->channel, c->team_id, c->categories),
          &ns->cal, now);
  }
  lk_buf_puts(b, "]}");
}
