/* measure.h - the rows behind service norms, live norm state and figures
 * (migration 0016; the rules are in core/measure.h and core/norms.h).
 *
 * Writes run inside the store writer, mostly from the measure hook that
 * sees every event of a write before it commits; each is an upsert or an
 * update by primary key.  Reads borrow a pooled reader.
 *
 * Functions return 0 or a negative LK_STORE_* code.
 */
#ifndef LK_STORE_MEASURE_H
#define LK_STORE_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"

#define LK_MEASURE_ID 37 /* a UUID and its NUL */
#define LK_MEASURE_CATS 600
#define LK_MEASURE_CONFIG_MAX 65536

/* ---- configuration -------------------------------------------------- */

/* The newest configuration: its version and JSON text (NUL-terminated,
 * `size` bytes at most).  LK_STORE_NOTFOUND when none was ever saved. */
int lk_store_measure_config_latest(lk_store *s, int64_t *version, char *config,
                                   size_t size);
/* The newest version inside the write, 0 when none was saved. */
int lk_store_measure_config_newest(lk_tx *tx, int64_t *version);
/* Version `version` inside the write. */
int lk_store_measure_config_get(lk_tx *tx, int64_t version, char *config,
                                size_t size);
/* Saves a new version (the previous newest + 1) and returns it. */
int lk_store_measure_config_add(lk_tx *tx, const char *config,
                                const char *actor, int64_t *version);

/* ---- live state ----------------------------------------------------- */

enum { LK_MC_IDLE = 0, LK_MC_RUNNING = 1, LK_MC_PAUSED = 2, LK_MC_DONE = 3 };
enum {
  LK_MC_FIRST = 0,
  LK_MC_NEXT = 1,
  LK_MC_RESOLUTION = 2,
  LK_MC_CLOCKS = 3
};

typedef struct lk_mclock {
  int state;        /* LK_MC_* */
  int64_t start;    /* the running stretch began here */
  int64_t used;     /* ms counted before it */
  int64_t target;   /* ms; 0: no norm */
  bool business;    /* counted in business hours */
  int64_t deadline; /* while running with a norm, else 0 */
} lk_mclock;

typedef struct lk_mconv {
  char id[LK_MEASURE_ID];
  char channel[16];
  char team_id[LK_MEASURE_ID];
  char categories[LK_MEASURE_CATS]; /* space-separated */
  char assignee_id[LK_MEASURE_ID];
  char status[12];
  bool confidential;
  int64_t created_at;
  int inbound;
  int reopened;
  lk_mclock clk[LK_MC_CLOCKS];
  int64_t res_hour;
  int64_t res_ms;
  int res_met;
  bool res_fcr;
  char res_team[LK_MEASURE_ID];
  int64_t due; /* 0: none */
} lk_mconv;

/* LK_STORE_NOTFOUND if the conversation has no state (yet). */
int lk_store_mconv_get(lk_tx *tx, const char *id, lk_mconv *out);
enum {
  LK_MCONV_INSERT,      /* a new row */
  LK_MCONV_UPDATE,      /* every column */
  LK_MCONV_UPDATE_STATE /* all but status, created_at and due, which
                           have not changed: no index is touched */
};
int lk_store_mconv_put(lk_tx *tx, const lk_mconv *c, int how);
/* A number that changes when another connection commits to the database
 * (SQLite's data_version), for caches of rows kept by the writer. */
int lk_store_measure_data_version(lk_tx *tx, int64_t *version);
typedef int (*lk_mconv_fn)(lk_tx *tx, lk_mconv *c, void *ud);
/* Calls `fn` for every conversation not resolved (the backlog), in the
 * write; stops at the first non-zero return and returns it. */
int lk_store_mconv_each_open(lk_tx *tx, lk_mconv_fn fn, void *ud);

typedef struct lk_mtask {
  char id[LK_MEASURE_ID];
  char conversation_id[LK_MEASURE_ID];
  char channel[16];
  char team_id[LK_MEASURE_ID];
  bool confidential;
  char status[16];
  int64_t created_at;
  int64_t slot;
  int64_t target;
  bool business;
  int64_t deadline;
  int64_t done_hour;
  int done_met;
  char done_channel[16];
  char done_team[LK_MEASURE_ID];
  int64_t due;
} lk_mtask;

int lk_store_mtask_get(lk_tx *tx, const char *id, lk_mtask *out);
int lk_store_mtask_put(lk_tx *tx, const lk_mtask *t);
int lk_store_mtask_delete(lk_tx *tx, const char *id);
typedef int (*lk_mtask_fn)(lk_tx *tx, lk_mtask *t, void *ud);
/* Every callback not done, in the write. */
int lk_store_mtask_each_open(lk_tx *tx, lk_mtask_fn fn, void *ud);
/* The conversation of contact `contact_id` ("" when it has none). */
int lk_store_measure_contact_conv(lk_tx *tx, const char *contact_id,
                                  char conv_id[LK_MEASURE_ID]);

/* ---- figures -------------------------------------------------------- */

/* The counters of one row of measure_counts, in its column order. */
enum {
  LK_CNT_CREATED,
  LK_CNT_INBOUND,
  LK_CNT_OUTBOUND,
  LK_CNT_REOPENED,
  LK_CNT_BACKLOG_IN,
  LK_CNT_BACKLOG_OUT,
  LK_CNT_OPEN_CREATED, /* + created_at into the backlog, - out of it */
  LK_CNT_FCR,
  LK_CNT_CB,
  LK_CNT_CB_NORMED,
  LK_CNT_CB_MET,
  LK_CNT_CLOCK, /* per clock i: LK_CNT_CLOCK + 4 * i + LK_CNT_N.. */
  LK_CNT_COUNT = LK_CNT_CLOCK + 4 * LK_MC_CLOCKS
};
enum { LK_CNT_N = 0, LK_CNT_MS = 1, LK_CNT_NORMED = 2, LK_CNT_MET = 3 };

/* Column names, LK_CNT_COUNT of them ("created", ..., "res_met"). */
extern const char *const lk_measure_counter_names[LK_CNT_COUNT];

/* Adds `delta` (LK_CNT_COUNT values) to the counters of (hour, channel,
 * team): one upsert.  The caller keeps the totals of hour 0. */
int lk_store_measure_add(lk_tx *tx, int64_t hour, const char *channel,
                         const char *team, const int64_t *delta);
/* Adds `dn` to one histogram bin (hour 0: the all-time total). */
int lk_store_measure_hist(lk_tx *tx, int64_t hour, const char *channel,
                          const char *team, const char *metric, int bin,
                          int64_t dn);
/* The same into the daily rollups (migration 0024): `day` is the local
 * midnight (Amsterdam, Unix ms) of the day.  Only for a day already rolled
 * up (before lk_store_measure_days_through()). */
int lk_store_measure_add_day(lk_tx *tx, int64_t day, const char *channel,
                             const char *team, const int64_t *delta);
int lk_store_measure_hist_day(lk_tx *tx, int64_t day, const char *channel,
                              const char *team, const char *metric, int bin,
                              int64_t dn);

/* Daily rows are written once a day is over (migration 0028): `through`
 * is the local midnight before which every day is rolled up (0: none). */
int lk_store_measure_days_through(lk_tx *tx, int64_t *through);
int lk_store_measure_days_set(lk_tx *tx, int64_t through);
/* Writes the daily rows of the day [day, next) as the sums of its hourly
 * counter and histogram rows, replacing any there were. */
int lk_store_measure_day_rollup(lk_tx *tx, int64_t day, int64_t next);

typedef struct lk_magent {
  char presence[16];
  int load;
  int64_t since;
} lk_magent;
/* LK_STORE_NOTFOUND if the agent has no row yet. */
int lk_store_magent_get(lk_tx *tx, const char *agent_id, lk_magent *out);
int lk_store_magent_put(lk_tx *tx, const char *agent_id, const lk_magent *a);
int lk_store_measure_occupancy(lk_tx *tx, int64_t hour, const char *agent_id,
                               int64_t online_ms, int64_t busy_ms);
int lk_store_measure_occupancy_day(lk_tx *tx, int64_t day, const char *agent_id,
                                   int64_t online_ms, int64_t busy_ms);

/* Empties every derived table (all but measure_config), for a rebuild. */
int lk_store_measure_clear(lk_tx *tx);
typedef int (*lk_tx_event_fn)(lk_tx *tx, const lk_event_row *ev, void *ud);
/* Calls `fn` for every event in the table, oldest first, inside the
 * write; stops at the first non-zero return and returns it.  Sets *count
 * to the number of events seen. */
int lk_store_measure_replay(lk_tx *tx, lk_tx_event_fn fn, void *ud,
                            int64_t *count);

/* ---- reads ---------------------------------------------------------- */

/* A figures query: hours [from, to), optional channel and team ("" or
 * NULL: all; read from the "*" rollup rows).  With `days`, the daily
 * rollups instead: from and to are local midnights, and the callbacks
 * get each day's midnight where they get the hour otherwise, but for the
 * days not yet rolled up (the day in progress), whose hourly rows they
 * get: the caller adds each into the day it falls in. */
typedef struct lk_mquery {
  int64_t from;
  int64_t to;
  const char *channel;
  const char *team_id;
  bool days;
} lk_mquery;

/* Sums of the counters per hour (LK_CNT_COUNT values) over the matching
 * channels and teams, hours in order. */
typedef void (*lk_mcount_fn)(int64_t hour, const int64_t *counters, void *ud);
int lk_store_measure_counts(lk_store *s, const lk_mquery *q, lk_mcount_fn fn,
                            void *ud);
typedef void (*lk_mhist_fn)(int64_t hour, const char *metric, int bin,
                            int64_t n, void *ud);
int lk_store_measure_hists(lk_store *s, const lk_mquery *q, lk_mhist_fn fn,
                           void *ud);
/* All-time totals of each of `channels` (NULL-terminated), for /metrics;
 * a channel without any is left out. */
typedef void (*lk_mtotal_fn)(const char *channel, const int64_t *counters,
                             void *ud);
int lk_store_measure_totals(lk_store *s, const char *const *channels,
                            lk_mtotal_fn fn, void *ud);

/* The backlog now: open conversations matching channel and team, the sum
 * and minimum of their creation times, and how many have a deadline
 * before `now`. */
typedef struct lk_mbacklog {
  int64_t open;
  int64_t created_sum;
  int64_t oldest; /* 0 if none */
  int64_t breached;
  int64_t callbacks_open;
  int64_t callbacks_late;
} lk_mbacklog;
int lk_store_measure_backlog(lk_store *s, const char *channel,
                             const char *team_id, int64_t now,
                             lk_mbacklog *out);
/* Occupancy per agent over hours [from, to) (with `days`: the days whose
 * local midnights are in [from, to)); the agents of team `team_id` only
 * when given.  The still open stretch of each agent (since its last
 * change) is in `live`, for the caller to add up to its `now`. */
typedef void (*lk_mocc_fn)(const char *agent_id, int64_t online_ms,
                           int64_t busy_ms, const lk_magent *live, void *ud);
int lk_store_measure_occupancy_read(lk_store *s, int64_t from, int64_t to,
                                    bool days, const char *team_id,
                                    lk_mocc_fn fn, void *ud);

/* One item of the live list. */
typedef struct lk_mitem {
  bool task;
  const lk_mconv *conv; /* when !task */
  const lk_mtask *t;    /* when task */
} lk_mitem;
typedef struct lk_mlist {
  const char *conversation_id; /* just this one ("" or NULL: any) */
  const char *task_id;
  const char *channel;
  const char *team_id;
  bool may_confidential;
  bool after; /* resume after (after_due, after_id) */
  int64_t after_due;
  const char *after_id;
  int limit;
} lk_mlist;
typedef void (*lk_mitem_fn)(const lk_mitem *it, void *ud);
/* Conversations and callbacks with a running deadline, soonest (most
 * overdue) first, ties by id.  Returns the number listed. */
int lk_store_measure_live(lk_store *s, const lk_mlist *f, lk_mitem_fn fn,
                          void *ud);

#endif
