/* measure_query.c - dashboard queries over a long history: p50 and p95 of
 * GET /api/v1/figures-like queries (lk_figures_compute plus the JSON) and
 * of the live list, after recording N events (default 10,000,000).
 *
 * The events are recorded the way the server records them: lk_tx_emit()
 * inside writes, so the measure hooks keep norm state and figures as
 * they go; writes of 20,000 events each (the history is built, not
 * measured).  Conversations spread over the year before `now` across 9
 * channels and 10 teams; each has 4 events (created, inbound, answered,
 * resolved; one in ten stays open and is answered only, so the backlog
 * and the live list are not empty).
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
};

static int slice_apply(lk_tx *tx, void *arg) {
  struct slice_arg *s = arg;
  struct write_arg w = {s->g, 0};
  int rc = 0;

  for (int64_t i = s->from; rc == 0 && i < s->to; i++) {
    w.conv = i;
    rc = s->answers ? answer_apply(tx, &w) : history_apply(tx, &w);
  }
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a;
  int64_t y = *(const int64_t *)b;

  return (x > y) - (x < y);
}

static void report(const char *what, int64_t *ns, int n) {
  qsort(ns, (size_t)n, sizeof(int64_t), cmp_i64);
  printf("  %-44s p50 %7.2f ms  p95 %7.2f ms  max %7.2f ms\n", what,
         (double)ns[n / 2] / 1e6, (double)ns[n * 95 / 100] / 1e6,
         (double)ns[n - 1] / 1e6);
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
  if (m == NULL || lk_store_open(&so, &s) != 0) {
    fprintf(stderr, "measure_query: cannot open a store in %s\n", dir);
    return 1;
  }
  /* 4 events per conversation, over the last 365 days, in slices of an
   * hour: the first events at the slice's start, the answers and the
   * resolutions half an hour later. */
  g.total = events / 4;
  g.start = now - 365 * DAY_MS;
  g.span = 365 * DAY_MS;
  per_slice = g.total / (365 * 24);
  if (per_slice < 1)
    per_slice = 1;
  printf("measure_query: recording %lld events (%lld conversations, %lld "
         "an hour) in %s\n",
         events, (long long)g.total, (long long)per_slice, dir);
  t0 = lk_clock_mono_ms();
  for (int64_t from = 0, h = 0; from < g.total; from += per_slice, h++) {
    struct slice_arg a = {&g, from, from + per_slice, false};
    int rc;

    if (a.to > g.total)
      a.to = g.total;
    lk_clock_set(&clock, g.start + h * LK_HOUR_MS);
    rc = lk_store_write(s, slice_apply, &a);
    if (rc == 0) {
      a.answers = true;
      lk_clock_set(&clock, g.start + h * LK_HOUR_MS + LK_HOUR_MS / 2);
      rc = lk_store_write(s, slice_apply, &a);
    }
    if (rc != 0) {
      fprintf(stderr, "measure_query: recording failed: %s\n",
              lk_store_strerror(rc));
      return 1;
    }
  }
  printf("recorded %lld events in %.1f s\n", (long long)g.events,
         (double)(lk_clock_mono_ms() - t0) / 1000.0);

  {
    int64_t *ns = calloc((size_t)queries, sizeof(int64_t));
    static const struct {
      const char *what;
      int64_t days;
      bool daily;
      const char *channel;
      int team;
      bool csv;
    } qs[] = {
        {"last 24 hours by hour, all", 1, false, NULL, -1, false},
        {"last 31 days by hour, all", 31, false, NULL, -1, false},
        {"last 31 days by hour, one channel", 31, false, "email", -1, false},
        {"last 31 days by hour, one team", 31, false, NULL, 3, false},
        {"last 31 days by hour, channel and team, CSV", 31, false, "chat", 5,
         true},
        {"last 365 days by day, all", 365, true, NULL, -1, false},
    };

    for (size_t k = 0; ns != NULL && k < sizeof(qs) / sizeof(qs[0]); k++) {
      for (int i = 0; i < queries; i++) {
        lk_fig_query q = {.to = now - i * LK_HOUR_MS,
                          .daily = qs[k].daily,
                          .channel = qs[k].channel,
                          .team_id = qs[k].team >= 0 ? teams[qs[k].team] : NULL,
                          .now = now};
        lk_figures f;
        lk_buf b = LK_BUF_INIT;
        int64_t q0 = lk_clock_mono_ns();
        int rc;

        q.from = q.to - qs[k].days * DAY_MS;
        rc = lk_figures_compute(s, &q, &f);
        if (rc != 0) {
          fprintf(stderr, "measure_query: a query failed: %s\n",
                  lk_store_strerror(rc));
          return 1;
        }
        if (qs[k].csv)
          lk_figures_csv(&b, &f);
        else
          lk_figures_json(&b, &f);
        lk_figures_free(&f);
        lk_buf_free(&b);
        ns[i] = lk_clock_mono_ns() - q0;
      }
      report(qs[k].what, ns, queries);
    }
    for (int i = 0; ns != NULL && i < queries; i++) {
      lk_mlist f = {.may_confidential = true, .limit = 50};
      struct live_count lc = {0};
      int64_t q0 = lk_clock_mono_ns();

      lk_store_measure_live(s, &f, on_item, &lc);
      ns[i] = lk_clock_mono_ns() - q0;
    }
    if (ns != NULL)
      report("live list, first page of 50", ns, queries);
    for (int i = 0; ns != NULL && i < queries; i++) {
      lk_mbacklog bl;
      int64_t q0 = lk_clock_mono_ns();

      lk_store_measure_backlog(s, NULL, NULL, now, &bl);
      ns[i] = lk_clock_mono_ns() - q0;
    }
    if (ns != NULL)
      report("of which: the backlog now, all", ns, queries);
    free(ns);
  }
  lk_store_close(s);
  lk_measure_free(m);
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}
