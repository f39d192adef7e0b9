/* measure_query.c - dashboard queries over a long history: p50 and p95 of
 * GET /api/v1/figures-like queries (lk_figures_compute plus the JSON) and
 * of the live list, after recording N events (default 10,000,000).
 *
 * The events are recorded the way the server records them: lk_tx_emit()
 * inside writes, so the measure hooks keep norm state and figures as
 * they go; one write per simulated day, the hook told each event's
 * simulated time (the history is built, not measured).  Conversations spread
 * over the year before `now` across 9 channels and 10 teams; each has 4 events
 * (created, inbound, answered, resolved; one in ten stays open and is answered
 * only, so the backlog and the live list are not empty).  50 agents go online
 * at 08:00 and offline at 17:00 (Amsterdam) every day, so occupancy has rows
 * too.
 *
 * Then it times every query the dashboard (/agent/dashboard) makes, for
 * each of its periods and filters, and beside each query by day the same
 * query summed from the hourly rows (`from_hours`: what the figures read
 * before the daily rollups of migration 0024), alternating, in one run.
 *
 * Target (issue 8): every dashboard query p95 < 50 ms with 10,000,000
 * recorded events.
 *
 * Usage: measure_query [--dir BASE] [--events N] [--queries Q]
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/conversation.h"
#include "core/figures.h"
#include "core/ids.h"
#include "core/measure.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#define BATCH_EVENTS 20000
#define DAY_MS 86400000LL

struct gen {
  int64_t start; /* the first conversation */
  int64_t span;  /* over this many ms */
  int64_t total; /* conversations to make */
  int64_t next;  /* the next one */
  int64_t events;
};

static const char *const teams[10] = {"0190aaaa-0000-7000-8000-0000000000a0",
                                      "0190aaaa-0000-7000-8000-0000000000a1",
                                      "0190aaaa-0000-7000-8000-0000000000a2",
                                      "0190aaaa-0000-7000-8000-0000000000a3",
                                      "0190aaaa-0000-7000-8000-0000000000a4",
                                      "0190aaaa-0000-7000-8000-0000000000a5",
                                      "0190aaaa-0000-7000-8000-0000000000a6",
                                      "0190aaaa-0000-7000-8000-0000000000a7",
                                      "0190aaaa-0000-7000-8000-0000000000a8",
                                      "0190aaaa-0000-7000-8000-0000000000a9"};

static int emit(lk_tx *tx, const char *type, const char *subject,
                const char *payload, struct gen *g) {
  g->events++;
  return lk_tx_emit(tx, type, subject, payload);
}

struct write_arg {
  struct gen *g;
  int64_t conv; /* the conversation */
};

static int history_apply(lk_tx *tx, void *arg) {
  struct write_arg *w = arg;
  struct gen *g = w->g;
  const char *const *ch = lk_conv_channels();
  int nch = 0;
  char id[40], payload[512];
  int64_t i = w->conv;
  int rc;

  while (ch[nch] != NULL)
    nch++;
  snprintf(id, sizeof(id), "0190bbbb-0000-7000-8000-%012lld", (long long)i);
  snprintf(payload, sizeof(payload),
           "{\"id\":\"%s\",\"status\":\"open\",\"channel\":\"%s\","
           "\"priority\":\"normal\",\"teamId\":\"%s\",\"assigneeId\":null,"
           "\"version\":1,\"categoryIds\":[]}",
           id, ch[i % nch], teams[(i / nch) % 10]);
  rc = emit(tx, "conversation.created", id, payload, g);
  snprintf(payload, sizeof(payload),
           "{\"id\":\"c\",\"conversationId\":\"%s\",\"kind\":\"inbound\","
           "\"channel\":\"%s\"}",
           id, ch[i % nch]);
  if (rc == 0)
    rc = emit(tx, "contact.added", "c", payload, g);
  return rc;
}

/* The answer and resolution of conversation `w->conv`. */
static int answer_apply(lk_tx *tx, void *arg) {
  struct write_arg *w = arg;
  char id[40], payload[512];
  int rc;

  snprintf(id, sizeof(id), "0190bbbb-0000-7000-8000-%012lld",
           (long long)w->conv);
  snprintf(payload, sizeof(payload),
           "{\"id\":\"c\",\"conversationId\":\"%s\",\"kind\":\"outbound\","
           "\"channel\":\"email\"}",
           id);
  rc = emit(tx, "contact.added", "c", payload, w->g);
  snprintf(payload, sizeof(payload),
           "{\"id\":\"%s\",\"status\":\"resolved\",\"version\":2}", id);
  if (rc == 0 && w->conv % 10 != 0)
    rc = emit(tx, "conversation.updated", id, payload, w->g);
  return rc;
}

/* The hook takes an event's time from the transaction (the store's
 * clock), so each write records one hour's conversations at once. */
struct slice_arg {
  struct gen *g;
  int64_t from, to; /* conversations in [from, to) */
  bool answers;     /* record their answers and resolutions instead */
  int64_t t;        /* the slice's hour */
};

#define AGENTS 50

/* Agents online from 08:00 to 17:00, Amsterdam time. */
static int agents_apply(lk_tx *tx, struct gen *g, int64_t t) {
  struct tm tm;
  const char *payload;
  char id[40];
  int rc = 0;

  lk_clock_nl_local(t, &tm);
  if (tm.tm_hour == 8)
    payload = "{\"presence\":\"available\"}";
  else if (tm.tm_hour == 17)
    payload = "{\"presence\":\"offline\"}";
  else
    return 0;
  for (int a = 0; rc == 0 && a < AGENTS; a++) {
    snprintf(id, sizeof(id), "0190cccc-0000-7000-8000-%012d", a);
    rc = emit(tx, "agent.updated", id, payload, g);
  }
  return rc;
}

static int slice_apply(lk_tx *tx, void *arg) {
  struct slice_arg *s = arg;
  struct write_arg w = {s->g, 0};
  int rc = 0;

  if (!s->answers)
    rc = agents_apply(tx, s->g, s->t);

  for (int64_t i = s->from; rc == 0 && i < s->to; i++) {
    w.conv = i;
    rc = s->answers ? answer_apply(tx, &w) : history_apply(tx, &w);
  }
  return rc;
}

/* The measure hook with the simulated time of the event being recorded. */
static int64_t sim_ms;

static int sim_event(lk_tx *tx, const lk_event_row *ev, void *ud) {
  lk_event_row e = *ev;

  if (sim_ms != 0)
    e.time_ms = sim_ms;
  return lk_measure_on_event(tx, &e, ud);
}

/* One day: 24 hours of conversations (per_hour each) and their answers. */
struct day_arg {
  struct gen *g;
  int64_t from; /* the next conversation; moved on */
  int64_t per_hour;
  int64_t start; /* the day's first hour */
};

static int day_apply(lk_tx *tx, void *arg) {
  struct day_arg *d = arg;
  int64_t from = d->from;
  int rc = 0;

  for (int h = 0; rc == 0 && h < 24 && from < d->g->total; h++) {
    struct slice_arg a = {d->g, from, from + d->per_hour, false,
                          d->start + h * LK_HOUR_MS};

    if (a.to > d->g->total)
      a.to = d->g->total;
    sim_ms = a.t;
    rc = slice_apply(tx, &a);
    if (rc == 0) {
      a.answers = true;
      sim_ms = a.t + LK_HOUR_MS / 2;
      rc = slice_apply(tx, &a);
    }
    from = a.to;
  }
  if (rc == 0)
    d->from = from;
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a;
  int64_t y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

static void report(const char *what, int64_t *ns, int n) {
  qsort(ns, (size_t)n, sizeof(int64_t), cmp_i64);
  printf("  %-52s p50 %7.2f  p95 %7.2f ms", what, (double)ns[n / 2] / 1e6,
         (double)ns[n * 95 / 100] / 1e6);
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

struct live_count {
  int n;
};

static void on_item(const lk_mitem *it, void *ud) {
  (void)it;
  ((struct live_count *)ud)->n++;
}

/* Wall time, or with cpu_clock the CPU time of this thread: on a shared,
 * loaded machine a query of a few ms of CPU is preempted and takes many
 * times that in wall time; the CPU time is what the query costs. */
static bool cpu_clock;

static int64_t tick(void) {
  struct timespec ts;

  if (!cpu_clock)
    return lk_clock_mono_ns();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One figures query as GET /api/v1/figures computes it: the figures and
 * their JSON (or CSV).  Returns its time in ns, or -1. */
static int64_t figures_ns(lk_store *s, const lk_fig_query *q, bool csv) {
  lk_figures f;
  lk_buf b = LK_BUF_INIT;
  int64_t q0 = tick();
  int rc = lk_figures_compute(s, q, &f);

  if (rc == 0 && csv)
    lk_figures_csv(&b, &f);
  else if (rc == 0)
    lk_figures_json(&b, &f);
  lk_figures_free(&f);
  lk_buf_free(&b);
  if (rc != 0) {
    fprintf(stderr, "measure_query: a query failed: %s\n",
            lk_store_strerror(rc));
    return -1;
  }
  return tick() - q0;
}

struct dq {
  const char *what;
  int days; /* the period */
  bool daily;
  const char *channel;
  int team;     /* index into teams, -1: all */
  bool csv;     /* the CSV download */
  bool refresh; /* the whole refresh: this and one per channel */
};

/* The dashboard's queries: its four periods (24 hours by hour, 7, 30 and
 * 365 days by day), unfiltered and per channel, team or both, the CSV
 * link, and a whole refresh without a channel filter (the figures plus
 * one query per channel for the volume chart). */
static const struct dq dqs[] = {
    {"24 h by hour, all", 1, false, NULL, -1, false, false},
    {"24 h by hour, one channel", 1, false, "email", -1, false, false},
    {"24 h by hour, one team", 1, false, NULL, 3, false, false},
    {"24 h by hour, channel and team, CSV", 1, false, "chat", 5, true, false},
    {"24 h by hour, whole refresh (1 + 9 channels)", 1, false, NULL, -1, false,
     true},
    {"7 days by day, all", 7, true, NULL, -1, false, false},
    {"30 days by day, all", 30, true, NULL, -1, false, false},
    {"30 days by day, one team", 30, true, NULL, 3, false, false},
    {"365 days by day, all", 365, true, NULL, -1, false, false},
    {"365 days by day, one channel", 365, true, "telefoon", -1, false, false},
    {"365 days by day, one team", 365, true, NULL, 7, false, false},
    {"365 days by day, channel and team, CSV", 365, true, "email", 2, true,
     false},
    {"365 days by day, whole refresh (1 + 9 channels)", 365, true, NULL, -1,
     false, true},
};

/* Query k at offset i (each run ends an hour earlier, so no two runs read
 * exactly the same rows), the daily rollups or the hourly rows. */
static int64_t dq_ns(lk_store *s, const struct dq *d, int64_t now, int i,
                     bool from_hours) {
  const char *const *ch = lk_conv_channels();
  lk_fig_query q = {.to = now - i * LK_HOUR_MS,
                    .daily = d->daily,
                    .channel = d->channel,
                    .team_id = d->team >= 0 ? teams[d->team] : NULL,
                    .now = now,
                    .from_hours = from_hours};
  int64_t ns, sum;

  q.from = q.to - d->days * DAY_MS;
  sum = ns = figures_ns(s, &q, d->csv);
  for (int c = 0; d->refresh && ns >= 0 && ch[c] != NULL; c++) {
    q.channel = ch[c];
    ns = figures_ns(s, &q, false);
    sum += ns;
  }
  return ns < 0 ? -1 : sum;
}

static void run_queries(lk_store *s, int64_t now, int queries) {
  int64_t *ns = calloc((size_t)queries, sizeof(int64_t));
  int64_t *ref = calloc((size_t)queries, sizeof(int64_t));

  if (ns == NULL || ref == NULL) {
    free(ns);
    free(ref);
    return;
  }
  printf("%s, %d runs each; by day beside the same summed from the hourly"
         " rows (ms)\n",
         cpu_clock ? "CPU time" : "wall time", queries);
  for (size_t k = 0; k < sizeof(dqs) / sizeof(dqs[0]); k++) {
    const struct dq *d = &dqs[k];

    for (int i = 0; i < queries; i++) {
      /* Alternate which goes first. */
      bool hours_first = i % 2 == 1;

      if (d->daily && hours_first)
        ref[i] = dq_ns(s, d, now, i, true);
      ns[i] = dq_ns(s, d, now, i, false);
      if (d->daily && !hours_first)
        ref[i] = dq_ns(s, d, now, i, true);
      if (ns[i] < 0 || (d->daily && ref[i] < 0))
        goto out;
    }
    report(d->what, ns, queries);
    if (d->daily) {
      int64_t p95 = 0;

      qsort(ref, (size_t)queries, sizeof(int64_t), cmp_i64);
      p95 = ref[queries * 95 / 100];
      printf("  | hourly rows p50 %7.2f  p95 %7.2f ms (x%.1f)",
             (double)ref[queries / 2] / 1e6, (double)p95 / 1e6,
             (double)p95 / (double)(ns[queries * 95 / 100] + 1));
    }
    putchar('\n');
  }
  for (int team = -1; team < 1; team++) {
    for (int i = 0; i < queries; i++) {
      lk_mlist f = {.may_confidential = true,
                    .limit = 100,
                    .team_id = team >= 0 ? teams[team] : NULL};
      struct live_count lc = {0};
      int64_t q0 = tick();

      lk_store_measure_live(s, &f, on_item, &lc);
      ns[i] = tick() - q0;
    }
    report(team < 0 ? "live list (norms/state), first 100"
                    : "live list (norms/state), first 100 of one team",
           ns, queries);
    putchar('\n');
  }
  for (int i = 0; i < queries; i++) {
    lk_mbacklog bl;
    int64_t q0 = tick();

    lk_store_measure_backlog(s, NULL, NULL, now, &bl);
    ns[i] = tick() - q0;
  }
  report("of which: the backlog now, all", ns, queries);
  putchar('\n');
out:
  free(ns);
  free(ref);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"dir", required_argument, NULL, 'd'},
      {"events", required_argument, NULL, 'e'},
      {"queries", required_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/var/tmp";
  long long events = 10000000;
  int queries = 40;
  char dir[4096];
  lk_store_options so = {0};
  lk_clock clock;
  lk_measure *m;
  lk_store *s;
  struct gen g = {0};
  int64_t now, t0, per_slice;
  int opt;

  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (opt == 'd')
      base = optarg;
    else if (opt == 'e')
      events = strtoll(optarg, NULL, 10);
    else if (opt == 'q')
      queries = (int)strtol(optarg, NULL, 10);
    else {
      fputs("Usage: measure_query [--dir BASE] [--events N] [--queries Q]\n",
            opt == 'h' ? stdout : stderr);
      return opt == 'h' ? 0 : 2;
    }
  }
  if (events < 1000 || queries < 2 || queries > 10000) {
    fputs("measure_query: bad --events or --queries\n", stderr);
    return 2;
  }
  if (lk_ids_init() != 0)
    return 1;
  lk_log_set_level(LK_LOG_ERROR);
  if (snprintf(dir, sizeof(dir), "%s/loket-mquery.XXXXXX", base) >=
          (int)sizeof(dir) ||
      mkdtemp(dir) == NULL) {
    fprintf(stderr, "measure_query: cannot make a directory in %s\n", base);
    return 1;
  }
  now = lk_clock_real_ms();
  lk_clock_fixed(&clock, now - 366 * DAY_MS);
  m = lk_measure_new();
  so.dir = dir;
  so.group_commit = true;
  so.clock = &clock;
  lk_measure_store_options(&so, m);
  so.on_tx_event = sim_event;
  if (m == NULL || lk_store_open(&so, &s) != 0) {
    fprintf(stderr, "measure_query: cannot open a store in %s\n", dir);
    return 1;
  }
  /* 4 events per conversation, over the last 365 days, an hour at a
   * time: the first events at the hour's start, the answers and the
   * resolutions half an hour later.  One write per day of 24 such hours:
   * the measure hook gets each event's simulated time from sim_time()
   * (the events table keeps the write's time, the day's start), so the
   * history takes 365 commits, not 17,520 (docs/benchmarks.md). */
  /* Nine in ten conversations have 4 events, one in ten 3. */
  g.total = (int64_t)((double)events / 3.9) + 365 * 24;
  g.start = now - 365 * DAY_MS;
  g.span = 365 * DAY_MS;
  per_slice = (g.total + 365 * 24 - 1) / (365 * 24);
  if (per_slice < 1)
    per_slice = 1;
  printf("measure_query: recording %lld events (%lld conversations, %lld "
         "an hour) in %s\n",
         events, (long long)g.total, (long long)per_slice, dir);
  t0 = lk_clock_mono_ms();
  for (int64_t from = 0, h = 0; from < g.total; h += 24) {
    struct day_arg d = {&g, from, per_slice, g.start + h * LK_HOUR_MS};
    int rc;

    lk_clock_set(&clock, d.start);
    rc = lk_store_write(s, day_apply, &d);
    if (rc != 0) {
      fprintf(stderr, "measure_query: recording failed: %s\n",
              lk_store_strerror(rc));
      return 1;
    }
    from = d.from;
  }
  sim_ms = 0;
  printf("recorded %lld events in %.1f s\n", (long long)g.events,
         (double)(lk_clock_mono_ms() - t0) / 1000.0);

  run_queries(s, now, queries);
  cpu_clock = true;
  run_queries(s, now, queries);
  lk_store_close(s);
  lk_measure_free(m);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
