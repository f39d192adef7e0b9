/* measure.c - norm clocks and figures kept as events arrive; see
 * measure.h.
 *
 * Design
 * ------
 * Every measured event is handled in three steps: read the state row of
 * what it concerns (one primary-key probe), move that state on (pure
 * computation with the calendar), write the row back and add to the
 * counters of the hour the change happened in.  Figures that a later
 * event may take back (a resolution undone by a reopening, a callback
 * marked undone) are remembered on the state row with the bucket they
 * went into, so taking them back subtracts exactly what was added.
 *
 * Time is the event's own (ev->time_ms, the transaction's time), never
 * the wall clock, so a replay of the events table computes the same.
 */
#include "core/measure.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/measure.h"

#define DELTAS_MAX 8

struct delta {
  int64_t hour;
  char channel[16];
  char team[LK_MEASURE_ID];
  int64_t v[LK_CNT_COUNT];
};

struct lk_measure {
  lk_norms norms;
  int ndeltas; /* the counters of the event being handled */
  bool overflow;
  struct delta deltas[DELTAS_MAX];
  bool loaded;    /* `norms` is the configuration in force */
  bool replaying; /* follow norms.updated events, not the newest row */
  char *text;     /* LK_MEASURE_CONFIG_MAX bytes for loading */
};

static const char *const clock_metric[LK_MC_CLOCKS] = {"fr", "nr", "res"};
static const lk_metric clock_norm[LK_MC_CLOCKS] = {
    LK_METRIC_FIRST_RESPONSE, LK_METRIC_NEXT_RESPONSE, LK_METRIC_RESOLUTION};

lk_measure *lk_measure_new(void) {
  lk_measure *m = calloc(1, sizeof(*m));

  if (m == NULL)
    return NULL;
  m->text = malloc(LK_MEASURE_CONFIG_MAX);
  if (m->text == NULL) {
    free(m);
    return NULL;
  }
  return m;
}

void lk_measure_free(lk_measure *m) {
  if (m == NULL)
    return;
  free(m->text);
  free(m);
}

/* ---- histograms ----------------------------------------------------- */

static int64_t bounds[LK_MEASURE_BINS];

static void bounds_init(void) {
  if (bounds[1] != 0)
    return;
  bounds[0] = 1000;
  for (int i = 1; i < LK_MEASURE_BINS; i++)
    bounds[i] = bounds[i - 1] * 5 / 4;
}

int lk_measure_bin(int64_t ms) {
  int bin = 0;

  bounds_init();
  while (bin < LK_MEASURE_BINS - 1 && ms >= bounds[bin])
    bin++;
  return bin;
}

int64_t lk_measure_bin_low(int bin) {
  bounds_init();
  return bin <= 0 ? 0 : bounds[bin - 1];
}

int64_t lk_measure_bin_high(int bin) {
  bounds_init();
  if (bin >= LK_MEASURE_BINS - 1)
    return bounds[LK_MEASURE_BINS - 2] * 5 / 4;
  return bounds[bin];
}

int64_t lk_measure_quantile(const int64_t *bins, double q) {
  int64_t total = 0;
  int64_t seen = 0;
  int64_t rank;

  for (int i = 0; i < LK_MEASURE_BINS; i++)
    total += bins[i];
  if (total == 0)
    return 0;
  /* The nearest-rank definition: the smallest value with at least
   * q * total values at or below it. */
  rank = (int64_t)(q * (double)total + 0.999999);
  if (rank < 1)
    rank = 1;
  for (int i = 0; i < LK_MEASURE_BINS; i++) {
    seen += bins[i];
    if (seen >= rank)
      return (lk_measure_bin_low(i) + lk_measure_bin_high(i)) / 2;
  }
  return lk_measure_bin_high(LK_MEASURE_BINS - 1);
}

int64_t lk_measure_hour(int64_t ms) {
  int64_t h = ms / LK_HOUR_MS;

  if (ms % LK_HOUR_MS < 0)
    h--;
  return h * LK_HOUR_MS;
}

/* ---- configuration -------------------------------------------------- */

static int load_version(lk_tx *tx, lk_measure *m, int64_t version) {
  int rc;

  if (version == 0) {
    lk_norms_default(&m->norms);
    m->loaded = true;
    return 0;
  }
  rc = lk_store_measure_config_get(tx, version, m->text, LK_MEASURE_CONFIG_MAX);
  if (rc != 0)
    return rc;
  if (lk_norms_parse(&m->norms, m->text) != 0)
    return LK_STORE_INVALID;
  m->norms.version = version;
  m->loaded = true;
  return 0;
}

/* Makes m->norms the configuration in force: the newest row, read once;
 * afterwards norms.updated events (which only this process's writes emit
 * for its database: norms change through the API) keep it current. */
static int ensure_norms(lk_tx *tx, lk_measure *m) {
  int64_t newest = 0;
  int rc;

  if (m->loaded)
    return 0;
  if (m->replaying)
    return load_version(tx, m, 0);
  rc = lk_store_measure_config_newest(tx, &newest);
  return rc != 0 ? rc : load_version(tx, m, newest);
}

/* ---- clocks --------------------------------------------------------- */

static int64_t elapsed(const lk_calendar *cal, bool business, int64_t a,
                       int64_t b) {
  if (b <= a)
    return 0;
  return business ? lk_cal_between(cal, a, b) : b - a;
}

static void set_deadline(const lk_calendar *cal, lk_mclock *k) {
  int64_t left = k->target - k->used;

  k->deadline = 0;
  if (k->state != LK_MC_RUNNING || k->target == 0)
    return;
  if (!k->business)
    k->deadline = k->start + left;
  else if (left <= 0)
    k->deadline = k->start; /* overdue already when it resumed */
  else
    k->deadline = lk_cal_add(cal, k->start, left);
  if (k->deadline == LK_CAL_NEVER || k->deadline == 0)
    k->deadline = INT64_MAX / 2; /* no open time: never due */
}

static void start_clock(lk_mclock *k, int64_t t) {
  k->state = LK_MC_RUNNING;
  k->start = t;
  k->used = 0;
}

/* Total time on the clock at `t`. */
static int64_t clock_total(const lk_calendar *cal, const lk_mclock *k,
                           int64_t t) {
  if (k->state == LK_MC_RUNNING)
    return k->used + elapsed(cal, k->business, k->start, t);
  return k->used;
}

static void pause_clock(const lk_calendar *cal, lk_mclock *k, int64_t t) {
  if (k->state != LK_MC_RUNNING)
    return;
  k->used = clock_total(cal, k, t);
  k->start = 0;
  k->state = LK_MC_PAUSED;
}

static void resume_clock(lk_mclock *k, int64_t t) {
  if (k->state != LK_MC_PAUSED)
    return;
  k->state = LK_MC_RUNNING;
  k->start = t;
}

/* Applies the norms to the clocks of `c`: on creation, and whenever its
 * channel, team, categories or the norms change.  A clock that already
 * counted keeps its time; only what it is measured against changes.  A
 * change between business and calendar time converts nothing: the time
 * counted so far stays as counted. */
static void apply_norms(const lk_norms *ns, lk_mconv *c) {
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    const lk_norm *n = lk_norms_match(ns, clock_norm[i], c->channel, c->team_id,
                                      c->categories);
    lk_mclock *k = &c->clk[i];

    k->target = n != NULL ? n->target_ms : 0;
    k->business = n != NULL && n->business;
    set_deadline(&ns->cal, k);
  }
}

static void update_due(lk_mconv *c) {
  c->due = 0;
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    int64_t d = c->clk[i].deadline;

    if (d != 0 && (c->due == 0 || d < c->due))
      c->due = d;
  }
}

/* ---- figures -------------------------------------------------------- */

/* The counters an event changes are summed here per (hour, channel,
 * team) and written with one upsert each when the event is done. */
static int64_t *bucket(lk_measure *m, int64_t hour, const char *channel,
                       const char *team) {
  struct delta *d;

  for (int i = 0; i < m->ndeltas; i++) {
    d = &m->deltas[i];
    if (d->hour == hour && strcmp(d->channel, channel) == 0 &&
        strcmp(d->team, team) == 0)
      return d->v;
  }
  if (m->ndeltas == DELTAS_MAX)
    return NULL; /* cannot happen: an event touches at most three */
  d = &m->deltas[m->ndeltas++];
  memset(d, 0, sizeof(*d));
  d->hour = hour;
  snprintf(d->channel, sizeof(d->channel), "%s", channel);
  snprintf(d->team, sizeof(d->team), "%s", team);
  return d->v;
}

static void bump(lk_measure *m, int64_t hour, const char *channel,
                 const char *team, int counter, int64_t dn) {
  int64_t *v = bucket(m, hour, channel, team);

  if (v != NULL)
    v[counter] += dn;
  else
    m->overflow = true;
}

static int flush(lk_tx *tx, lk_measure *m) {
  int rc = m->overflow ? LK_STORE_INVALID : 0;

  for (int i = 0; rc == 0 && i < m->ndeltas; i++) {
    struct delta *d = &m->deltas[i];
    bool any = false;

    for (int j = 0; j < LK_CNT_COUNT; j++)
      any = any || d->v[j] != 0;
    if (any)
      rc = lk_store_measure_add(tx, d->hour, d->channel, d->team, d->v);
  }
  m->ndeltas = 0;
  m->overflow = false;
  return rc;
}

static void count(lk_measure *m, int64_t t, const lk_mconv *c, const char *team,
                  int counter) {
  bump(m, lk_measure_hour(t), c->channel, team, counter, 1);
}

/* Adds (sign 1) or takes back (-1) one measured duration of clock `i`:
 * its count and sum, whether a norm applied and was met, its bin. */
static int record(lk_tx *tx, lk_measure *m, int64_t hour, const char *channel,
                  const char *team, int i, int64_t ms, int met, int sign) {
  int base = LK_CNT_CLOCK + 4 * i;

  bump(m, hour, channel, team, base + LK_CNT_N, sign);
  bump(m, hour, channel, team, base + LK_CNT_MS, sign * ms);
  if (met >= 0)
    bump(m, hour, channel, team, base + LK_CNT_NORMED, sign);
  if (met == 1)
    bump(m, hour, channel, team, base + LK_CNT_MET, sign);
  return lk_store_measure_hist(tx, hour, channel, team, clock_metric[i],
                               lk_measure_bin(ms), sign);
}

/* Stops clock `i` at `t` and counts it. */
static int finish(lk_tx *tx, lk_measure *m, lk_mconv *c, int i, int64_t t) {
  lk_mclock *k = &c->clk[i];
  int64_t ms = clock_total(&m->norms.cal, k, t);
  int met = k->target == 0 ? -1 : (ms <= k->target ? 1 : 0);
  int rc;

  k->state = LK_MC_DONE;
  k->used = ms;
  k->start = 0;
  k->deadline = 0;
  rc = record(tx, m, lk_measure_hour(t), c->channel, c->team_id, i, ms, met, 1);
  if (rc != 0 || i != LK_MC_RESOLUTION)
    return rc;
  c->res_hour = lk_measure_hour(t);
  c->res_ms = ms;
  c->res_met = met;
  c->res_fcr = c->inbound <= 1 && c->reopened == 0;
  memcpy(c->res_team, c->team_id, sizeof(c->res_team));
  if (c->res_fcr)
    bump(m, c->res_hour, c->channel, c->res_team, LK_CNT_FCR, 1);
  return 0;
}

/* Takes back the counted resolution of a conversation that reopens. */
static int unresolve(lk_tx *tx, lk_measure *m, lk_mconv *c) {
  int rc;

  if (c->res_hour == 0)
    return 0;
  rc = record(tx, m, c->res_hour, c->channel, c->res_team, LK_MC_RESOLUTION,
              c->res_ms, c->res_met, -1);
  if (c->res_fcr)
    bump(m, c->res_hour, c->channel, c->res_team, LK_CNT_FCR, -1);
  c->res_hour = 0;
  c->res_ms = 0;
  c->res_met = 0;
  c->res_fcr = false;
  c->res_team[0] = '\0';
  return rc;
}

/* ---- agents and occupancy ------------------------------------------- */

static bool online(const char *presence) {
  return strcmp(presence, "available") == 0 || strcmp(presence, "busy") == 0;
}

/* Credits the time since the agent's last change, hour by hour, and
 * leaves its row at `t` (created offline and idle when new). */
static int agent_credit(lk_tx *tx, const char *agent_id, int64_t t,
                        lk_magent *a) {
  int rc = lk_store_magent_get(tx, agent_id, a);

  if (rc == LK_STORE_NOTFOUND) {
    memset(a, 0, sizeof(*a));
    snprintf(a->presence, sizeof(a->presence), "offline");
    a->since = t;
    return 0;
  }
  if (rc != 0)
    return rc;
  if (online(a->presence)) {
    for (int64_t s = a->since; rc == 0 && s < t;) {
      int64_t end = lk_measure_hour(s) + LK_HOUR_MS;

      if (end > t)
        end = t;
      rc = lk_store_measure_occupancy(tx, lk_measure_hour(s), agent_id, end - s,
                                      a->load > 0 ? end - s : 0);
      s = end;
    }
  }
  if (t > a->since)
    a->since = t;
  return rc;
}

static int agent_load(lk_tx *tx, const char *agent_id, int64_t t, int delta) {
  lk_magent a;
  int rc;

  if (agent_id[0] == '\0' || delta == 0)
    return 0;
  rc = agent_credit(tx, agent_id, t, &a);
  if (rc != 0)
    return rc;
  a.load += delta;
  if (a.load < 0)
    a.load = 0;
  return lk_store_magent_put(tx, agent_id, &a);
}

static int agent_presence(lk_tx *tx, const char *agent_id, int64_t t,
                          const char *presence) {
  lk_magent a;
  int rc = agent_credit(tx, agent_id, t, &a);

  if (rc != 0)
    return rc;
  snprintf(a.presence, sizeof(a.presence), "%s", presence);
  return lk_store_magent_put(tx, agent_id, &a);
}

/* ---- payload helpers ------------------------------------------------ */

static const char *str_member(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* An id member that may be null: "" for null, NULL when absent. */
static const char *id_member(const json_t *o, const char *key) {
  const json_t *v = json_object_get(o, key);

  if (v == NULL)
    return NULL;
  return json_is_string(v) ? json_string_value(v) : "";
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Sets c->categories from a categoryIds member, if present. */
static bool take_categories(lk_mconv *c, const json_t *o) {
  const json_t *list = json_object_get(o, "categoryIds");
  const json_t *v;
  size_t i;
  size_t len = 0;

  if (!json_is_array(list))
    return false;
  c->categories[0] = '\0';
  json_array_foreach(list, i, v) {
    const char *s = json_string_value(v);
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || len + n + 2 > sizeof(c->categories))
      continue;
    if (len > 0)
      c->categories[len++] = ' ';
    memcpy(c->categories + len, s, n);
    len += n;
    c->categories[len] = '\0';
  }
  return true;
}

static bool resolved(const char *status) {
  return strcmp(status, "resolved") == 0;
}

/* ---- conversations -------------------------------------------------- */

static int save_conv(lk_tx *tx, lk_mconv *c, bool insert) {
  update_due(c);
  return lk_store_mconv_put(tx, c, insert);
}

static int conv_created(lk_tx *tx, lk_measure *m, const char *id,
                        const json_t *o, int64_t t) {
  lk_mconv c;
  int rc;

  memset(&c, 0, sizeof(c));
  copy(c.id, sizeof(c.id), id);
  copy(c.channel, sizeof(c.channel), str_member(o, "channel"));
  copy(c.team_id, sizeof(c.team_id), id_member(o, "teamId"));
  copy(c.assignee_id, sizeof(c.assignee_id), id_member(o, "assigneeId"));
  copy(c.status, sizeof(c.status), str_member(o, "status"));
  if (c.status[0] == '\0')
    copy(c.status, sizeof(c.status), "open");
  c.confidential = json_is_true(json_object_get(o, "confidential"));
  take_categories(&c, o);
  c.created_at = t;
  start_clock(&c.clk[LK_MC_FIRST], t);
  start_clock(&c.clk[LK_MC_RESOLUTION], t);
  apply_norms(&m->norms, &c);
  count(m, t, &c, c.team_id, LK_CNT_CREATED);
  count(m, t, &c, c.team_id, LK_CNT_BACKLOG_IN);
  rc = agent_load(tx, c.assignee_id, t, 1);
  if (rc == 0)
    rc = save_conv(tx, &c, true);
  return rc;
}

/* Moves `c` from its status to `status` at `t`. */
static int conv_status(lk_tx *tx, lk_measure *m, lk_mconv *c,
                       const char *status, int64_t t) {
  const lk_calendar *cal = &m->norms.cal;
  bool was_pending = strcmp(c->status, "pending") == 0;
  bool now_pending = strcmp(status, "pending") == 0;
  int rc = 0;

  if (strcmp(c->status, status) == 0)
    return 0;
  if (resolved(c->status)) {
    /* Reopened: the resolution no longer holds. */
    c->reopened++;
    rc = unresolve(tx, m, c);
    count(m, t, c, c->team_id, LK_CNT_REOPENED);
    count(m, t, c, c->team_id, LK_CNT_BACKLOG_IN);
    if (rc == 0)
      rc = agent_load(tx, c->assignee_id, t, 1);
    c->clk[LK_MC_RESOLUTION].state = LK_MC_RUNNING;
    c->clk[LK_MC_RESOLUTION].start = t;
  }
  if (rc == 0 && now_pending) {
    for (int i = 0; i < LK_MC_CLOCKS; i++)
      pause_clock(cal, &c->clk[i], t);
  } else if (rc == 0 && was_pending) {
    for (int i = 0; i < LK_MC_CLOCKS; i++)
      resume_clock(&c->clk[i], t);
  }
  if (rc == 0 && resolved(status)) {
    /* Resolved without a (next) response: none is owed any more. */
    for (int i = LK_MC_FIRST; i <= LK_MC_NEXT; i++) {
      if (c->clk[i].state == LK_MC_RUNNING || c->clk[i].state == LK_MC_PAUSED)
        c->clk[i].state = LK_MC_IDLE;
    }
    rc = finish(tx, m, c, LK_MC_RESOLUTION, t);
    count(m, t, c, c->team_id, LK_CNT_BACKLOG_OUT);
    if (rc == 0)
      rc = agent_load(tx, c->assignee_id, t, -1);
  }
  copy(c->status, sizeof(c->status), status);
  for (int i = 0; i < LK_MC_CLOCKS; i++)
    set_deadline(cal, &c->clk[i]);
  return rc;
}

static int conv_changed(lk_tx *tx, lk_measure *m, const char *id,
                        const json_t *o, int64_t t, bool assigned) {
  const char *team = id_member(o, "teamId");
  const char *status = str_member(o, "status");
  bool renorm = false;
  lk_mconv c;
  int rc;

  rc = lk_store_mconv_get(tx, id, &c);
  if (rc == LK_STORE_NOTFOUND)
    return 0; /* from before measuring began */
  if (rc != 0)
    return rc;
  if (team != NULL && strcmp(team, c.team_id) != 0) {
    copy(c.team_id, sizeof(c.team_id), team);
    renorm = true;
  }
  if (take_categories(&c, o))
    renorm = true;
  /* Every conversation event says "confidential": true when it is. */
  c.confidential = json_is_true(json_object_get(o, "confidential"));
  if (assigned) {
    const char *who = id_member(o, "assigneeId");

    if (who != NULL && strcmp(who, c.assignee_id) != 0) {
      if (!resolved(c.status)) {
        rc = agent_load(tx, c.assignee_id, t, -1);
        if (rc == 0)
          rc = agent_load(tx, who, t, 1);
      }
      copy(c.assignee_id, sizeof(c.assignee_id), who);
    }
  }
  if (rc == 0 && renorm)
    apply_norms(&m->norms, &c);
  if (rc == 0 && status != NULL)
    rc = conv_status(tx, m, &c, status, t);
  return rc == 0 ? save_conv(tx, &c, false) : rc;
}

static int contact_added(lk_tx *tx, lk_measure *m, const json_t *o, int64_t t) {
  const char *conv = str_member(o, "conversationId");
  const char *kind = str_member(o, "kind");
  const lk_calendar *cal = &m->norms.cal;
  lk_mconv c;
  int rc;

  if (conv == NULL || kind == NULL || strcmp(kind, "note") == 0)
    return 0;
  rc = lk_store_mconv_get(tx, conv, &c);
  if (rc == LK_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return rc;
  if (strcmp(kind, "inbound") == 0) {
    lk_mclock *fr = &c.clk[LK_MC_FIRST];
    lk_mclock *nr = &c.clk[LK_MC_NEXT];

    c.inbound++;
    count(m, t, &c, c.team_id, LK_CNT_INBOUND);
    /* The resident writes again after an answer: a next answer is owed.
     * Before the first answer the first clock runs; one given up on a
     * resolution starts again. */
    if (fr->state == LK_MC_IDLE) {
      start_clock(fr, t);
      set_deadline(cal, fr);
    } else if (fr->state == LK_MC_DONE && nr->state != LK_MC_RUNNING &&
               nr->state != LK_MC_PAUSED) {
      start_clock(nr, t);
      set_deadline(cal, nr);
    }
  } else if (strcmp(kind, "outbound") == 0) {
    count(m, t, &c, c.team_id, LK_CNT_OUTBOUND);
    for (int i = LK_MC_FIRST; i <= LK_MC_NEXT; i++) {
      int st = c.clk[i].state;

      if (st == LK_MC_RUNNING || st == LK_MC_PAUSED) {
        rc = finish(tx, m, &c, i, t);
        break;
      }
    }
  }
  return rc == 0 ? save_conv(tx, &c, false) : rc;
}

/* ---- callbacks ------------------------------------------------------ */

static void task_uncount(lk_measure *m, lk_mtask *k) {
  if (k->done_hour == 0)
    return;
  bump(m, k->done_hour, k->done_channel, k->done_team, LK_CNT_CB, -1);
  if (k->done_met >= 0)
    bump(m, k->done_hour, k->done_channel, k->done_team, LK_CNT_CB_NORMED, -1);
  if (k->done_met == 1)
    bump(m, k->done_hour, k->done_channel, k->done_team, LK_CNT_CB_MET, -1);
  k->done_hour = 0;
  k->done_met = 0;
}

static void task_count(lk_measure *m, lk_mtask *k, int64_t done_at) {
  k->done_hour = lk_measure_hour(done_at);
  k->done_met = k->deadline == 0 ? -1 : (done_at <= k->deadline ? 1 : 0);
  copy(k->done_channel, sizeof(k->done_channel), k->channel);
  copy(k->done_team, sizeof(k->done_team), k->team_id);
  bump(m, k->done_hour, k->channel, k->team_id, LK_CNT_CB, 1);
  if (k->done_met >= 0)
    bump(m, k->done_hour, k->channel, k->team_id, LK_CNT_CB_NORMED, 1);
  if (k->done_met == 1)
    bump(m, k->done_hour, k->channel, k->team_id, LK_CNT_CB_MET, 1);
}

static void task_deadline(const lk_norms *ns, lk_mtask *k,
                          const char *categories) {
  const lk_norm *n = lk_norms_match(ns, LK_METRIC_CALLBACK, k->channel,
                                    k->team_id, categories);

  k->target = n != NULL ? n->target_ms : 0;
  k->business = n != NULL && n->business;
  if (k->slot != 0)
    k->deadline = k->slot; /* the slot the resident chose */
  else if (k->target == 0)
    k->deadline = 0;
  else if (k->business)
    k->deadline = lk_cal_add(&ns->cal, k->created_at, k->target);
  else
    k->deadline = k->created_at + k->target;
  if (k->deadline == LK_CAL_NEVER)
    k->deadline = INT64_MAX / 2;
}

static int task_changed(lk_tx *tx, lk_measure *m, const char *id,
                        const json_t *o, int64_t t) {
  const char *kind = str_member(o, "kind");
  const char *status = str_member(o, "status");
  const json_t *deadline = json_object_get(o, "deadline");
  const json_t *done = json_object_get(o, "doneAt");
  char categories[LK_MEASURE_CATS] = "";
  lk_mtask k;
  int rc;

  rc = lk_store_mtask_get(tx, id, &k);
  if (rc != 0 && rc != LK_STORE_NOTFOUND)
    return rc;
  if (rc == 0) {
    /* Whatever it was counted as, it is counted afresh below. */
    task_uncount(m, &k);
    if (status != NULL && strcmp(status, "deleted") == 0)
      return lk_store_mtask_delete(tx, id);
    if (kind != NULL && strcmp(kind, "callback") != 0)
      return lk_store_mtask_delete(tx, id);
  } else {
    lk_mconv c;
    const char *contact = str_member(o, "contactId");

    if (kind == NULL || strcmp(kind, "callback") != 0)
      return 0;
    if (status != NULL && strcmp(status, "deleted") == 0)
      return 0;
    memset(&k, 0, sizeof(k));
    copy(k.id, sizeof(k.id), id);
    k.created_at = t;
    if (contact != NULL) {
      rc = lk_store_measure_contact_conv(tx, contact, k.conversation_id);
      if (rc != 0 && rc != LK_STORE_NOTFOUND)
        return rc;
    }
    if (k.conversation_id[0] != '\0' &&
        lk_store_mconv_get(tx, k.conversation_id, &c) == 0) {
      copy(k.channel, sizeof(k.channel), c.channel);
      copy(k.team_id, sizeof(k.team_id), c.team_id);
      copy(categories, sizeof(categories), c.categories);
      k.confidential = c.confidential;
    }
  }
  if (status != NULL)
    copy(k.status, sizeof(k.status), status);
  if (deadline != NULL)
    k.slot = json_is_integer(deadline) ? json_integer_value(deadline) : 0;
  task_deadline(&m->norms, &k, categories);
  k.due = 0;
  if (strcmp(k.status, "verwerkt") == 0)
    task_count(m, &k,
               json_is_integer(done) && json_integer_value(done) > 0
                   ? json_integer_value(done)
                   : t);
  else
    k.due = k.deadline;
  return lk_store_mtask_put(tx, &k);
}

/* ---- norms changes -------------------------------------------------- */

static int renorm_conv(lk_tx *tx, lk_mconv *c, void *ud) {
  lk_measure *m = ud;

  apply_norms(&m->norms, c);
  return save_conv(tx, c, false);
}

static int renorm_task(lk_tx *tx, lk_mtask *k, void *ud) {
  lk_measure *m = ud;
  lk_mconv c;
  const char *cats = "";

  if (k->conversation_id[0] != '\0' &&
      lk_store_mconv_get(tx, k->conversation_id, &c) == 0)
    cats = c.categories;
  task_deadline(&m->norms, k, cats);
  k->due = k->deadline;
  return lk_store_mtask_put(tx, k);
}

static int norms_updated(lk_tx *tx, lk_measure *m, const json_t *o) {
  const json_t *v = json_object_get(o, "version");
  int rc;

  if (!json_is_integer(v))
    return 0;
  rc = load_version(tx, m, json_integer_value(v));
  if (rc == 0)
    rc = lk_store_mconv_each_open(tx, renorm_conv, m);
  if (rc == 0)
    rc = lk_store_mtask_each_open(tx, renorm_task, m);
  return rc;
}

/* ---- the hook ------------------------------------------------------- */

static bool measured(const char *type) {
  return strncmp(type, "conversation.", 13) == 0 ||
         strcmp(type, "contact.added") == 0 || strncmp(type, "task.", 5) == 0 ||
         strcmp(type, "agent.updated") == 0 ||
         strcmp(type, "norms.updated") == 0;
}

int lk_measure_on_event(lk_tx *tx, const lk_event_row *ev, void *ud) {
  lk_measure *m = ud;
  const char *type = ev->type;
  int64_t t = ev->time_ms;
  json_t *o;
  int rc;

  if (!measured(type))
    return 0;
  o = json_loads(ev->payload, 0, NULL);
  if (!json_is_object(o)) {
    json_decref(o);
    return 0; /* not ours to refuse a write over */
  }
  /* A norms.updated event follows its configuration row in the same
   * write, live and in a replay alike. */
  if (strcmp(type, "norms.updated") == 0)
    rc = norms_updated(tx, m, o);
  else
    rc = ensure_norms(tx, m);
  if (rc != 0) {
    json_decref(o);
    return rc;
  }
  if (strcmp(type, "conversation.created") == 0)
    rc = conv_created(tx, m, ev->subject, o, t);
  else if (strcmp(type, "conversation.updated") == 0)
    rc = conv_changed(tx, m, ev->subject, o, t, false);
  else if (strcmp(type, "conversation.assigned") == 0)
    rc = conv_changed(tx, m, ev->subject, o, t, true);
  else if (strcmp(type, "contact.added") == 0)
    rc = contact_added(tx, m, o, t);
  else if (strncmp(type, "task.", 5) == 0)
    rc = task_changed(tx, m, ev->subject, o, t);
  else if (strcmp(type, "agent.updated") == 0 &&
           str_member(o, "presence") != NULL)
    rc = agent_presence(tx, ev->subject, t, str_member(o, "presence"));
  json_decref(o);
  if (rc == 0)
    rc = flush(tx, m);
  m->ndeltas = 0;
  return rc;
}

int lk_measure_rebuild_apply(lk_tx *tx, void *arg) {
  lk_measure_rebuild_op *op = arg;
  lk_measure *m = op->m;
  int rc;

  m->replaying = true;
  m->loaded = false;
  rc = lk_store_measure_clear(tx);
  if (rc == 0)
    rc = lk_store_measure_replay(tx, lk_measure_on_event, m, &op->events);
  m->replaying = false;
  m->loaded = false; /* live again: the newest row decides */
  return rc;
}

/* ---- live state ----------------------------------------------------- */

const char *lk_norm_state_name(lk_norm_state s) {
  static const char *const names[] = {"ok", "warning", "breached", "paused"};

  return names[s];
}

lk_norm_state lk_measure_clock_state(const lk_calendar *cal, const lk_mclock *k,
                                     int64_t warn_ms, int64_t now,
                                     int64_t *left_ms) {
  if (k->state == LK_MC_PAUSED) {
    *left_ms = k->target - k->used;
    return *left_ms < 0 ? LK_NORM_BREACHED : LK_NORM_PAUSED;
  }
  if (now >= k->deadline)
    *left_ms = k->business ? -lk_cal_between(cal, k->deadline, now)
                           : k->deadline - now;
  else
    *left_ms =
        k->business ? lk_cal_between(cal, now, k->deadline) : k->deadline - now;
  if (now >= k->deadline)
    return LK_NORM_BREACHED;
  return *left_ms <= warn_ms ? LK_NORM_WARNING : LK_NORM_OK;
}
