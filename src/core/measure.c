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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/measure.h"
#include "util/clock.h"

/* ---- payloads ---------------------------------------------------------
 * Event payloads are small flat JSON objects that Loket's own emitters
 * write (ids, states, numbers, one list of ids).  A general parser
 * (jansson: an allocation per member, ~10 us a payload) would cost more
 * than the rest of the hook; this scanner reads one in a single pass
 * without allocating.  What it does not understand it leaves absent. */

#define PAYLOAD_MEMBERS 24
#define PAYLOAD_TEXT 2048

typedef struct pmember {
  const char *key;
  char kind;       /* 's' string, 'i' integer, 't' true, 'f' false, 'z'
                      null, 'a' array of strings, '?' anything else */
  const char *str; /* 's': the text; 'a': the ids, space-separated */
  long long num;   /* 'i' */
} pmember;

typedef struct payload {
  int n;
  pmember m[PAYLOAD_MEMBERS];
  size_t used;
  char text[PAYLOAD_TEXT]; /* keys and strings, NUL-terminated */
} payload;

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Copies the JSON string at `p` (after its opening quote) into the text
 * area; a string with escapes is kept raw (ids and states have none).
 * Returns the position after the closing quote, or NULL. */
static const char *scan_string(payload *pl, const char *p, const char **out) {
  const char *start = p;
  size_t n;

  while (*p != '"') {
    if (*p == '\0')
      return NULL;
    if (*p == '\\' && p[1] != '\0')
      p++;
    p++;
  }
  n = (size_t)(p - start);
  if (pl->used + n + 1 > sizeof(pl->text))
    return NULL;
  memcpy(pl->text + pl->used, start, n);
  pl->text[pl->used + n] = '\0';
  *out = pl->text + pl->used;
  pl->used += n + 1;
  return p + 1;
}

/* Skips a nested object or array at `p` (its opening bracket). */
static const char *skip_nested(const char *p) {
  int depth = 0;

  for (; *p != '\0'; p++) {
    if (*p == '"') {
      for (p++; *p != '"'; p++) {
        if (*p == '\0')
          return NULL;
        if (*p == '\\' && p[1] != '\0')
          p++;
      }
    } else if (*p == '{' || *p == '[') {
      depth++;
    } else if (*p == '}' || *p == ']') {
      if (--depth == 0)
        return p + 1;
    }
  }
  return NULL;
}

/* An array of strings into "id id id"; anything else in it makes it '?'. */
static const char *scan_ids(payload *pl, const char *p, pmember *m) {
  char *dst = pl->text + pl->used;
  size_t room = sizeof(pl->text) - pl->used;
  size_t len = 0;
  const char *arr = p;
  const char *s;

  p = skip_ws(p + 1);
  while (*p != ']') {
    const char *start;

    if (*p != '"')
      return (m->kind = '?', skip_nested(arr));
    start = ++p;
    while (*p != '"' && *p != '\\' && *p != '\0')
      p++;
    if (*p != '"' || len + (size_t)(p - start) + 2 > room)
      return NULL;
    if (len > 0)
      dst[len++] = ' ';
    memcpy(dst + len, start, (size_t)(p - start));
    len += (size_t)(p - start);
    p = skip_ws(p + 1);
    if (*p == ',')
      p = skip_ws(p + 1);
    else if (*p != ']')
      return NULL;
  }
  dst[len] = '\0';
  s = dst;
  pl->used += len + 1;
  m->kind = 'a';
  m->str = s;
  return p + 1;
}

/* Reads the members of the object `json`; false if it is not one. */
static bool payload_parse(payload *pl, const char *json) {
  const char *p = skip_ws(json);

  pl->n = 0;
  pl->used = 0;
  if (*p++ != '{')
    return false;
  p = skip_ws(p);
  while (*p != '}') {
    pmember *m = pl->n < PAYLOAD_MEMBERS ? &pl->m[pl->n] : NULL;
    pmember spare;
    char *end;

    if (m == NULL)
      m = &spare;
    memset(m, 0, sizeof(*m));
    if (*p != '"' || (p = scan_string(pl, p + 1, &m->key)) == NULL)
      return false;
    p = skip_ws(p);
    if (*p++ != ':')
      return false;
    p = skip_ws(p);
    if (*p == '\0' || *p == ',' || *p == '}')
      return false;
    if (*p == '"') {
      m->kind = 's';
      p = scan_string(pl, p + 1, &m->str);
    } else if (*p == '[') {
      p = scan_ids(pl, p, m);
    } else if (*p == '{') {
      m->kind = '?';
      p = skip_nested(p);
    } else if (strncmp(p, "true", 4) == 0) {
      m->kind = 't';
      p += 4;
    } else if (strncmp(p, "false", 5) == 0) {
      m->kind = 'f';
      p += 5;
    } else if (strncmp(p, "null", 4) == 0) {
      m->kind = 'z';
      p += 4;
    } else {
      m->num = strtoll(p, &end, 10);
      m->kind =
          (end != p && *end != '.' && *end != 'e' && *end != 'E') ? 'i' : '?';
      p = end != p ? end : p + 1;
      while (*p != ',' && *p != '}' && *p != '\0')
        p++;
    }
    if (p == NULL)
      return false;
    if (m != &spare)
      pl->n++;
    p = skip_ws(p);
    if (*p == ',')
      p = skip_ws(p + 1);
    else if (*p != '}')
      return false;
  }
  return true;
}

static const pmember *member(const payload *pl, const char *key) {
  for (int i = 0; i < pl->n; i++) {
    if (strcmp(pl->m[i].key, key) == 0)
      return &pl->m[i];
  }
  return NULL;
}

/* A string member, or NULL. */
static const char *str_member(const payload *pl, const char *key) {
  const pmember *m = member(pl, key);

  return m != NULL && m->kind == 's' ? m->str : NULL;
}

/* An id member that may be null: "" for null, NULL when absent. */
static const char *id_member(const payload *pl, const char *key) {
  const pmember *m = member(pl, key);

  if (m == NULL)
    return NULL;
  return m->kind == 's' ? m->str : "";
}

static bool true_member(const payload *pl, const char *key) {
  const pmember *m = member(pl, key);

  return m != NULL && m->kind == 't';
}

/* An integer member: true with *out set, false when absent or not one. */
static bool int_member(const payload *pl, const char *key, int64_t *out) {
  const pmember *m = member(pl, key);

  if (m == NULL || m->kind != 'i')
    return false;
  *out = m->num;
  return true;
}

/* Copies `src` (NULL: "") into `dst` of `size` bytes, truncating. */
static void copy(char *dst, size_t size, const char *src) {
  size_t n = src != NULL ? strlen(src) : 0;

  if (n >= size)
    n = size - 1;
  if (n > 0)
    memcpy(dst, src, n);
  dst[n] = '\0';
}

#define DELTAS_MAX 1024
#define CACHE_SLOTS 1024 /* a power of two */
#define TOUCHED_MAX 64

/* A cached conversation state row and what the database holds of its
 * indexed columns. */
struct cslot {
  bool valid;
  bool dirty; /* changed since it was written */
  bool in_db; /* the row exists (else it is inserted) */
  int64_t db_due;
  int64_t db_created;
  char db_status[12];
  char db_channel[16];
  char db_team[LK_MEASURE_ID];
  lk_mconv c;
};

/* Counter deltas of one (hour, channel, team), and histogram deltas of
 * one bin: what events add up before they are written. */
struct delta {
  int64_t hour;
  char channel[16];
  char team[LK_MEASURE_ID];
  int64_t v[LK_CNT_COUNT];
};

struct hdelta {
  int64_t hour;
  char channel[16];
  char team[LK_MEASURE_ID];
  int clock;
  int bin;
  int64_t n;
};

/* The sums, with an open-addressing index over each array so that a key
 * is found in constant time however many a write or batch holds (a
 * rebuild's or a bulk load's writes hold thousands).  An index slot is
 * (gen << IX_BITS) | (position + 1); a slot of another generation is
 * empty, so emptying the sums is one increment, not a memset. */
#define IX_BITS 20
#define IX_POS ((1u << IX_BITS) - 1)
#define IX_GENS (1u << (32 - IX_BITS))

struct deltas {
  int n;
  int nh;
  int cap;
  struct delta *d;
  struct hdelta *h;
  uint32_t *dix, *hix; /* 2 * cap rounded up to a power of two */
  uint32_t mask;
  uint32_t gen;
};

/* What one (hour, channel, team) adds up into: itself, its channel over
 * all teams, its team over all channels, and all of them (each query reads
 * one of the four); and the same four of all time (hour 0: /metrics and
 * the backlog now).  "*" is "all": no channel or team id is "*". */
#define ROLLUPS 8
static const struct {
  bool all_time, all_channels, all_teams;
} rollups[ROLLUPS] = {{false, false, false}, {false, false, true},
                      {false, true, false},  {false, true, true},
                      {true, false, false},  {true, false, true},
                      {true, true, false},   {true, true, true}};

/* A day's daily rows (migration 0024) are summed from its hourly rows
 * once it is over (0028: the first batch that counts in a later day).  An
 * hourly row of a day already rolled up (a reopening taking back its
 * resolution) also adds to its day, kept in the scratch sums under the key
 * -day (hours are positive, so the two cannot meet). */
#define DAY_ROLLUPS 4

struct lk_measure {
  lk_norms norms;
  /* The figures of the write being run, and of the writes of the batch
   * that succeeded: written once per batch, before COMMIT. */
  struct deltas write;
  struct deltas batch;
  struct deltas rollup; /* scratch for write_deltas() */
  bool loaded;          /* `norms` is the configuration in force */
  bool replaying;       /* follow norms.updated events, not the newest row */
  char *text;           /* LK_MEASURE_CONFIG_MAX bytes for loading */
  struct payload *payload_buf; /* the event being handled */
  /* Conversation state rows, read once and written once per write (see
   * "the row cache" below). */
  struct cslot *cache;
  int touched[TOUCHED_MAX];
  int ntouched;
  bool touched_overflow;
  bool batch_open;
  int64_t data_version;
  int64_t day_hour, day; /* day_of_hour()'s last answer */
};

static const char *const clock_metric[LK_MC_CLOCKS] = {"fr", "nr", "res"};
static const lk_metric clock_norm[LK_MC_CLOCKS] = {
    LK_METRIC_FIRST_RESPONSE, LK_METRIC_NEXT_RESPONSE, LK_METRIC_RESOLUTION};

static int deltas_init(struct deltas *ds, int cap) {
  uint32_t size = 1;

  while (size < 2 * (uint32_t)cap)
    size <<= 1;
  ds->cap = cap;
  ds->mask = size - 1;
  ds->gen = 1;
  ds->d = calloc((size_t)cap, sizeof(*ds->d));
  ds->h = calloc((size_t)cap, sizeof(*ds->h));
  ds->dix = calloc(size, sizeof(*ds->dix));
  ds->hix = calloc(size, sizeof(*ds->hix));
  return ds->d != NULL && ds->h != NULL && ds->dix != NULL && ds->hix != NULL
             ? 0
             : -1;
}

static void deltas_free(struct deltas *ds) {
  free(ds->d);
  free(ds->h);
  free(ds->dix);
  free(ds->hix);
}

/* Empties the sums. */
static void deltas_reset(struct deltas *ds) {
  ds->n = 0;
  ds->nh = 0;
  if (++ds->gen == IX_GENS) {
    memset(ds->dix, 0, (size_t)(ds->mask + 1) * sizeof(*ds->dix));
    memset(ds->hix, 0, (size_t)(ds->mask + 1) * sizeof(*ds->hix));
    ds->gen = 1;
  }
}

lk_measure *lk_measure_new(void) {
  lk_measure *m = calloc(1, sizeof(*m));

  if (m == NULL)
    return NULL;
  m->text = malloc(LK_MEASURE_CONFIG_MAX);
  m->payload_buf = malloc(sizeof(*m->payload_buf));
  m->cache = calloc(CACHE_SLOTS, sizeof(*m->cache));
  if (m->text == NULL || m->payload_buf == NULL || m->cache == NULL ||
      deltas_init(&m->write, DELTAS_MAX) != 0 ||
      deltas_init(&m->batch, DELTAS_MAX) != 0 ||
      deltas_init(&m->rollup, (ROLLUPS + DAY_ROLLUPS) * DELTAS_MAX) != 0) {
    lk_measure_free(m);
    return NULL;
  }
  m->data_version = -1;
  m->day_hour = -1;
  return m;
}

void lk_measure_free(lk_measure *m) {
  if (m == NULL)
    return;
  free(m->text);
  free(m->payload_buf);
  free(m->cache);
  deltas_free(&m->write);
  deltas_free(&m->batch);
  deltas_free(&m->rollup);
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

int64_t lk_measure_day(int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  return lk_clock_nl_instant(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0);
}

/* lk_measure_day() of an hour, remembering the last answer: a batch's
 * rows are mostly of one hour. */
static int64_t day_of_hour(lk_measure *m, int64_t hour) {
  if (hour != m->day_hour) {
    m->day_hour = hour;
    m->day = lk_measure_day(hour);
  }
  return m->day;
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

/* ---- deltas ---------------------------------------------------------
 * The counters an event changes are summed in memory per (hour, channel,
 * team) and per histogram bin; the store tells (on_tx_phase) when a write
 * succeeded (its sums join the batch's) or was rolled back (they are
 * dropped), and the batch's sums are written just before COMMIT, together
 * with the all-time totals (hour 0).  So a batch of writes costs a few
 * upserts however many events it holds. */

static bool same_key(int64_t h1, const char *c1, const char *t1, int64_t h2,
                     const char *c2, const char *t2) {
  return h1 == h2 && strcmp(c1, c2) == 0 && strcmp(t1, t2) == 0;
}

/* FNV-1a over a key's parts. */
static uint32_t hash_key(int64_t hour, const char *channel, const char *team,
                         int clock, int bin) {
  uint32_t h = 2166136261u;
  uint64_t u = (uint64_t)hour;

  for (int i = 0; i < 8; i++, u >>= 8)
    h = (h ^ (uint32_t)(u & 0xff)) * 16777619u;
  for (const char *p = channel; *p != '\0'; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  h = (h ^ 0xff) * 16777619u;
  for (const char *p = team; *p != '\0'; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  h = (h ^ (uint32_t)clock) * 16777619u;
  return (h ^ (uint32_t)bin) * 16777619u;
}

static struct delta *find_delta(struct deltas *ds, int64_t hour,
                                const char *channel, const char *team) {
  uint32_t i = hash_key(hour, channel, team, -1, -1) & ds->mask;
  struct delta *d;

  for (;; i = (i + 1) & ds->mask) {
    uint32_t v = ds->dix[i];

    if (v >> IX_BITS != ds->gen)
      break; /* empty: not there */
    d = &ds->d[(v & IX_POS) - 1];
    if (same_key(d->hour, d->channel, d->team, hour, channel, team))
      return d;
  }
  if (ds->n == ds->cap)
    return NULL;
  ds->dix[i] = ds->gen << IX_BITS | (uint32_t)(ds->n + 1);
  d = &ds->d[ds->n++];
  memset(d, 0, sizeof(*d));
  d->hour = hour;
  copy(d->channel, sizeof(d->channel), channel);
  copy(d->team, sizeof(d->team), team);
  return d;
}

static struct hdelta *find_hdelta(struct deltas *ds, int64_t hour,
                                  const char *channel, const char *team,
                                  int clock, int bin) {
  uint32_t i = hash_key(hour, channel, team, clock, bin) & ds->mask;
  struct hdelta *h;

  for (;; i = (i + 1) & ds->mask) {
    uint32_t v = ds->hix[i];

    if (v >> IX_BITS != ds->gen)
      break;
    h = &ds->h[(v & IX_POS) - 1];
    if (h->clock == clock && h->bin == bin &&
        same_key(h->hour, h->channel, h->team, hour, channel, team))
      return h;
  }
  if (ds->nh == ds->cap)
    return NULL;
  ds->hix[i] = ds->gen << IX_BITS | (uint32_t)(ds->nh + 1);
  h = &ds->h[ds->nh++];
  memset(h, 0, sizeof(*h));
  h->hour = hour;
  copy(h->channel, sizeof(h->channel), channel);
  copy(h->team, sizeof(h->team), team);
  h->clock = clock;
  h->bin = bin;
  return h;
}

/* Writes `ds` with its rollups (summed in `roll`, scratch space of
 * ROLLUPS + DAY_ROLLUPS times its size) and empties it. */
static int write_deltas(lk_tx *tx, lk_measure *m, struct deltas *ds) {
  struct deltas *roll = &m->rollup;
  int64_t through, first = 0, last = 0;
  int rc;

  /* Nothing counted (a write without measured events, or a migration
   * run before the tables exist): no statement at all. */
  if (ds->n == 0 && ds->nh == 0)
    return 0;
  /* Read per batch, not cached: a rebuild by another process resets it. */
  rc = lk_store_measure_days_through(tx, &through);
  if (rc != 0)
    return rc;
  deltas_reset(roll);
  for (int i = 0; i < ds->n; i++) {
    struct delta *d = &ds->d[i];
    int64_t day = day_of_hour(m, d->hour);

    first = first == 0 || day < first ? day : first;
    last = day > last ? day : last;
    day = day < through ? -day : 0; /* 0: no daily row (yet) */

    for (int k = 0; k < ROLLUPS; k++) {
      struct delta *r = find_delta(roll, rollups[k].all_time ? 0 : d->hour,
                                   rollups[k].all_channels ? "*" : d->channel,
                                   rollups[k].all_teams ? "*" : d->team);

      for (int j = 0; r != NULL && j < LK_CNT_COUNT; j++)
        r->v[j] += d->v[j];
      if (rollups[k].all_time || day == 0)
        continue;
      r = find_delta(roll, day, rollups[k].all_channels ? "*" : d->channel,
                     rollups[k].all_teams ? "*" : d->team);
      for (int j = 0; r != NULL && j < LK_CNT_COUNT; j++)
        r->v[j] += d->v[j];
    }
  }
  for (int i = 0; i < ds->nh; i++) {
    struct hdelta *h = &ds->h[i];
    int64_t day = day_of_hour(m, h->hour);

    day = day < through ? -day : 0;

    /* Histograms have no all-time rows: nothing reads them. */
    for (int k = 0; k < ROLLUPS && !rollups[k].all_time; k++) {
      const char *ch = rollups[k].all_channels ? "*" : h->channel;
      const char *team = rollups[k].all_teams ? "*" : h->team;
      struct hdelta *r = find_hdelta(roll, h->hour, ch, team, h->clock, h->bin);

      if (r != NULL)
        r->n += h->n;
      r = day == 0 ? NULL : find_hdelta(roll, day, ch, team, h->clock, h->bin);
      if (r != NULL)
        r->n += h->n;
    }
  }
  for (int i = 0; rc == 0 && i < roll->n; i++) {
    struct delta *r = &roll->d[i];
    bool any = false;

    for (int j = 0; j < LK_CNT_COUNT; j++)
      any = any || r->v[j] != 0;
    if (any && r->hour < 0)
      rc = lk_store_measure_add_day(tx, -r->hour, r->channel, r->team, r->v);
    else if (any)
      rc = lk_store_measure_add(tx, r->hour, r->channel, r->team, r->v);
  }
  for (int i = 0; rc == 0 && i < roll->nh; i++) {
    struct hdelta *r = &roll->h[i];

    if (r->n != 0 && r->hour < 0)
      rc = lk_store_measure_hist_day(tx, -r->hour, r->channel, r->team,
                                     clock_metric[r->clock], r->bin, r->n);
    else if (r->n != 0)
      rc = lk_store_measure_hist(tx, r->hour, r->channel, r->team,
                                 clock_metric[r->clock], r->bin, r->n);
  }
  /* The days before the newest one this batch counted in are over: their
   * daily rows are summed from their hourly rows, once.  (Hours counted
   * are those of the events, in time order; a batch with a later day
   * closes the days before it.) */
  if (rc == 0 && last > through) {
    for (int64_t day = through > 0 ? through : first; rc == 0 && day < last;
         day = lk_measure_day(day + 26 * LK_HOUR_MS))
      rc = lk_store_measure_day_rollup(tx, day,
                                       lk_measure_day(day + 26 * LK_HOUR_MS));
    if (rc == 0)
      rc = lk_store_measure_days_set(tx, last);
  }
  deltas_reset(ds);
  return rc;
}

/* Adds the write's sums to the batch's (writing the batch's first when
 * they would not fit) and empties the write's. */
static int merge_write(lk_tx *tx, lk_measure *m) {
  struct deltas *w = &m->write;
  struct deltas *b = &m->batch;
  int rc = 0;

  if (b->n + w->n > b->cap || b->nh + w->nh > b->cap)
    rc = write_deltas(tx, m, b);
  for (int i = 0; rc == 0 && i < w->n; i++) {
    struct delta *d =
        find_delta(b, w->d[i].hour, w->d[i].channel, w->d[i].team);

    for (int j = 0; d != NULL && j < LK_CNT_COUNT; j++)
      d->v[j] += w->d[i].v[j];
  }
  for (int i = 0; rc == 0 && i < w->nh; i++) {
    struct hdelta *h = &w->h[i];
    struct hdelta *d =
        find_hdelta(b, h->hour, h->channel, h->team, h->clock, h->bin);

    if (d != NULL)
      d->n += h->n;
  }
  deltas_reset(w);
  return rc;
}

/* Room for one more key in the write's sums: a write with very many
 * (a rebuild) writes them out inside itself, where a rollback still
 * undoes them. */
static int make_room(lk_tx *tx, lk_measure *m) {
  if (m->write.n < m->write.cap - 4 && m->write.nh < m->write.cap - 4)
    return 0;
  return write_deltas(tx, m, &m->write);
}

static void bump(lk_measure *m, int64_t hour, const char *channel,
                 const char *team, int counter, int64_t dn) {
  struct delta *d = find_delta(&m->write, hour, channel, team);

  if (d != NULL) /* make_room() ran before the event: there is room */
    d->v[counter] += dn;
}

static void count(lk_measure *m, int64_t t, const lk_mconv *c, const char *team,
                  int counter) {
  bump(m, lk_measure_hour(t), c->channel, team, counter, 1);
}

/* Adds (sign 1) or takes back (-1) one measured duration of clock `i`:
 * its count and sum, whether a norm applied and was met, its bin. */
static void record(lk_measure *m, int64_t hour, const char *channel,
                   const char *team, int i, int64_t ms, int met, int sign) {
  int base = LK_CNT_CLOCK + 4 * i;
  struct hdelta *h;

  bump(m, hour, channel, team, base + LK_CNT_N, sign);
  bump(m, hour, channel, team, base + LK_CNT_MS, sign * ms);
  if (met >= 0)
    bump(m, hour, channel, team, base + LK_CNT_NORMED, sign);
  if (met == 1)
    bump(m, hour, channel, team, base + LK_CNT_MET, sign);
  h = find_hdelta(&m->write, hour, channel, team, i, lk_measure_bin(ms));
  if (h != NULL)
    h->n += sign;
}

/* Stops clock `i` at `t` and counts it. */
static void finish(lk_measure *m, lk_mconv *c, int i, int64_t t) {
  lk_mclock *k = &c->clk[i];
  int64_t ms = clock_total(&m->norms.cal, k, t);
  int met = k->target == 0 ? -1 : (ms <= k->target ? 1 : 0);

  k->state = LK_MC_DONE;
  k->used = ms;
  k->start = 0;
  k->deadline = 0;
  record(m, lk_measure_hour(t), c->channel, c->team_id, i, ms, met, 1);
  if (i != LK_MC_RESOLUTION)
    return;
  c->res_hour = lk_measure_hour(t);
  c->res_ms = ms;
  c->res_met = met;
  c->res_fcr = c->inbound <= 1 && c->reopened == 0;
  memcpy(c->res_team, c->team_id, sizeof(c->res_team));
  if (c->res_fcr)
    bump(m, c->res_hour, c->channel, c->res_team, LK_CNT_FCR, 1);
}

/* Takes back the counted resolution of a conversation that reopens. */
static void unresolve(lk_measure *m, lk_mconv *c) {
  if (c->res_hour == 0)
    return;
  record(m, c->res_hour, c->channel, c->res_team, LK_MC_RESOLUTION, c->res_ms,
         c->res_met, -1);
  if (c->res_fcr)
    bump(m, c->res_hour, c->channel, c->res_team, LK_CNT_FCR, -1);
  c->res_hour = 0;
  c->res_ms = 0;
  c->res_met = 0;
  c->res_fcr = false;
  c->res_team[0] = '\0';
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
      if (rc == 0)
        rc = lk_store_measure_occupancy_day(tx, lk_measure_day(s), agent_id,
                                            end - s, a->load > 0 ? end - s : 0);
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

/* Sets c->categories from a categoryIds member, if present. */
static bool take_categories(lk_mconv *c, const payload *pl) {
  const pmember *m = member(pl, "categoryIds");

  if (m == NULL || m->kind != 'a')
    return false;
  copy(c->categories, sizeof(c->categories), m->str);
  return true;
}

static bool resolved(const char *status) {
  return strcmp(status, "resolved") == 0;
}

/* ---- conversations -------------------------------------------------- */

/* ---- the row cache ----------------------------------------------------
 * Every conversation event reads the conversation's state row and writes
 * it back.  The writer keeps recently used rows in memory (direct-mapped
 * by id) and writes a changed row once, when its write succeeds
 * (LK_TX_WRITE_OK, outside the write's savepoint): a creation's two
 * events cost one INSERT, a message one UPDATE, and no SELECT while the
 * row is cached.  A write rolled back forgets the rows it touched; a
 * batch rolled back, or a commit by another process (SQLite's
 * data_version, checked once per batch), forgets them all. */

static unsigned slot_of(const char *id) {
  uint32_t h = 2166136261u;

  for (; *id != '\0'; id++)
    h = (h ^ (unsigned char)*id) * 16777619u;
  return h & (CACHE_SLOTS - 1);
}

static void cache_clear(lk_measure *m) {
  for (int i = 0; i < CACHE_SLOTS; i++)
    m->cache[i].valid = false;
  m->ntouched = 0;
  m->touched_overflow = false;
}

static int cache_begin(lk_tx *tx, lk_measure *m) {
  int64_t v;
  int rc;

  if (m->batch_open)
    return 0;
  rc = lk_store_measure_data_version(tx, &v);
  if (rc != 0)
    return rc;
  if (v != m->data_version)
    cache_clear(m);
  m->data_version = v;
  m->batch_open = true;
  return 0;
}

/* Remembers what the database holds of the row's indexed columns. */
static void slot_indexed(struct cslot *sl) {
  sl->db_due = sl->c.due;
  sl->db_created = sl->c.created_at;
  memcpy(sl->db_status, sl->c.status, sizeof(sl->db_status));
  memcpy(sl->db_channel, sl->c.channel, sizeof(sl->db_channel));
  memcpy(sl->db_team, sl->c.team_id, sizeof(sl->db_team));
}

static int write_slot(lk_tx *tx, struct cslot *sl) {
  int how = LK_MCONV_UPDATE_STATE;
  int rc;

  if (!sl->in_db)
    how = LK_MCONV_INSERT;
  else if (sl->db_due != sl->c.due || sl->db_created != sl->c.created_at ||
           strcmp(sl->db_status, sl->c.status) != 0 ||
           strcmp(sl->db_channel, sl->c.channel) != 0 ||
           strcmp(sl->db_team, sl->c.team_id) != 0)
    how = LK_MCONV_UPDATE;
  rc = lk_store_mconv_put(tx, &sl->c, how);
  if (rc != 0)
    return rc;
  sl->in_db = true;
  sl->dirty = false;
  slot_indexed(sl);
  return 0;
}

static void slot_loaded(struct cslot *sl) {
  sl->valid = true;
  sl->dirty = false;
  sl->in_db = true;
  slot_indexed(sl);
}

/* The state of conversation `id` into `out`; LK_STORE_NOTFOUND if it has
 * none (it began before measuring did). */
static int conv_get(lk_tx *tx, lk_measure *m, const char *id, lk_mconv *out) {
  struct cslot *sl;
  int rc = cache_begin(tx, m);

  if (rc != 0)
    return rc;
  sl = &m->cache[slot_of(id)];
  if (sl->valid && strcmp(sl->c.id, id) == 0) {
    *out = sl->c;
    return 0;
  }
  if (sl->valid && sl->dirty) {
    rc = write_slot(tx, sl);
    if (rc != 0)
      return rc;
  }
  sl->valid = false;
  rc = lk_store_mconv_get(tx, id, &sl->c);
  if (rc != 0)
    return rc;
  slot_loaded(sl);
  *out = sl->c;
  return 0;
}

/* Keeps `c` as changed by the current write (`is_new`: no row yet). */
static int save_conv(lk_tx *tx, lk_measure *m, lk_mconv *c, bool is_new) {
  unsigned i = slot_of(c->id);
  struct cslot *sl = &m->cache[i];
  bool seen = false;
  int rc = cache_begin(tx, m);

  update_due(c);
  if (rc == 0 && sl->valid && strcmp(sl->c.id, c->id) != 0 && sl->dirty)
    rc = write_slot(tx, sl);
  if (rc != 0)
    return rc;
  if (!sl->valid || strcmp(sl->c.id, c->id) != 0) {
    /* Not cached: a new row, or one evicted since it was read (whose
     * indexed columns are then written in full). */
    sl->in_db = !is_new;
    sl->db_due = -1;
  }
  sl->c = *c;
  sl->valid = true;
  sl->dirty = true;
  for (int k = 0; k < m->ntouched; k++)
    seen = seen || m->touched[k] == (int)i;
  if (seen)
    return 0;
  if (m->ntouched < TOUCHED_MAX) {
    m->touched[m->ntouched++] = (int)i;
    return 0;
  }
  /* More rows than we track in one write (a rebuild): write it now. */
  m->touched_overflow = true;
  return write_slot(tx, sl);
}

/* Writes the rows the current write changed. */
static int write_touched(lk_tx *tx, lk_measure *m) {
  int rc = 0;

  for (int k = 0; rc == 0 && k < m->ntouched; k++) {
    struct cslot *sl = &m->cache[m->touched[k]];

    if (sl->valid && sl->dirty)
      rc = write_slot(tx, sl);
  }
  return rc;
}

/* A write rolled back: what it touched is not what the database holds. */
static void forget_touched(lk_measure *m) {
  if (m->touched_overflow) {
    cache_clear(m);
    return;
  }
  for (int k = 0; k < m->ntouched; k++)
    m->cache[m->touched[k]].valid = false;
  m->ntouched = 0;
}

static int conv_created(lk_tx *tx, lk_measure *m, const char *id,
                        const payload *o, int64_t t) {
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
  c.confidential = true_member(o, "confidential");
  take_categories(&c, o);
  c.created_at = t;
  start_clock(&c.clk[LK_MC_FIRST], t);
  start_clock(&c.clk[LK_MC_RESOLUTION], t);
  apply_norms(&m->norms, &c);
  count(m, t, &c, c.team_id, LK_CNT_CREATED);
  count(m, t, &c, c.team_id, LK_CNT_BACKLOG_IN);
  bump(m, lk_measure_hour(t), c.channel, c.team_id, LK_CNT_OPEN_CREATED,
       c.created_at);
  rc = agent_load(tx, c.assignee_id, t, 1);
  if (rc == 0)
    rc = save_conv(tx, m, &c, true);
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
    unresolve(m, c);
    count(m, t, c, c->team_id, LK_CNT_REOPENED);
    count(m, t, c, c->team_id, LK_CNT_BACKLOG_IN);
    bump(m, lk_measure_hour(t), c->channel, c->team_id, LK_CNT_OPEN_CREATED,
         c->created_at);
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
    finish(m, c, LK_MC_RESOLUTION, t);
    count(m, t, c, c->team_id, LK_CNT_BACKLOG_OUT);
    bump(m, lk_measure_hour(t), c->channel, c->team_id, LK_CNT_OPEN_CREATED,
         -c->created_at);
    if (rc == 0)
      rc = agent_load(tx, c->assignee_id, t, -1);
  }
  copy(c->status, sizeof(c->status), status);
  for (int i = 0; i < LK_MC_CLOCKS; i++)
    set_deadline(cal, &c->clk[i]);
  return rc;
}

static int conv_changed(lk_tx *tx, lk_measure *m, const char *id,
                        const payload *o, int64_t t, bool assigned) {
  const char *team = id_member(o, "teamId");
  const char *status = str_member(o, "status");
  bool renorm = false;
  lk_mconv c;
  int rc;

  rc = conv_get(tx, m, id, &c);
  if (rc == LK_STORE_NOTFOUND)
    return 0; /* from before measuring began */
  if (rc != 0)
    return rc;
  if (team != NULL && strcmp(team, c.team_id) != 0) {
    if (!resolved(c.status)) {
      /* The backlog moves with it from one team to the other. */
      int64_t h = lk_measure_hour(t);

      bump(m, h, c.channel, c.team_id, LK_CNT_BACKLOG_OUT, 1);
      bump(m, h, c.channel, c.team_id, LK_CNT_OPEN_CREATED, -c.created_at);
      bump(m, h, c.channel, team, LK_CNT_BACKLOG_IN, 1);
      bump(m, h, c.channel, team, LK_CNT_OPEN_CREATED, c.created_at);
    }
    copy(c.team_id, sizeof(c.team_id), team);
    renorm = true;
  }
  if (take_categories(&c, o))
    renorm = true;
  /* Every conversation event says "confidential": true when it is. */
  c.confidential = true_member(o, "confidential");
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
  return rc == 0 ? save_conv(tx, m, &c, false) : rc;
}

static int contact_added(lk_tx *tx, lk_measure *m, const payload *o,
                         int64_t t) {
  const char *conv = str_member(o, "conversationId");
  const char *kind = str_member(o, "kind");
  const lk_calendar *cal = &m->norms.cal;
  lk_mconv c;
  int rc;

  if (conv == NULL || kind == NULL || strcmp(kind, "note") == 0)
    return 0;
  rc = conv_get(tx, m, conv, &c);
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
        finish(m, &c, i, t);
        break;
      }
    }
  }
  return rc == 0 ? save_conv(tx, m, &c, false) : rc;
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
                        const payload *o, int64_t t) {
  const char *kind = str_member(o, "kind");
  const char *status = str_member(o, "status");
  const pmember *deadline = member(o, "deadline");
  int64_t done = 0;
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
        conv_get(tx, m, k.conversation_id, &c) == 0) {
      copy(k.channel, sizeof(k.channel), c.channel);
      copy(k.team_id, sizeof(k.team_id), c.team_id);
      copy(categories, sizeof(categories), c.categories);
      k.confidential = c.confidential;
    }
  }
  if (status != NULL)
    copy(k.status, sizeof(k.status), status);
  if (deadline != NULL)
    k.slot = deadline->kind == 'i' ? deadline->num : 0;
  task_deadline(&m->norms, &k, categories);
  k.due = 0;
  if (strcmp(k.status, "verwerkt") == 0)
    task_count(m, &k, int_member(o, "doneAt", &done) && done > 0 ? done : t);
  else
    k.due = k.deadline;
  return lk_store_mtask_put(tx, &k);
}

/* ---- norms changes -------------------------------------------------- */

static int renorm_conv(lk_tx *tx, lk_mconv *c, void *ud) {
  lk_measure *m = ud;

  apply_norms(&m->norms, c);
  update_due(c);
  return lk_store_mconv_put(tx, c, LK_MCONV_UPDATE);
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

static int norms_updated(lk_tx *tx, lk_measure *m, const payload *o) {
  int64_t version;
  int rc;

  if (!int_member(o, "version", &version))
    return 0;
  rc = load_version(tx, m, version);
  /* The rows are read and written in the database: cached changes go
   * there first, and the cache is forgotten after. */
  if (rc == 0)
    rc = write_touched(tx, m);
  if (rc == 0)
    rc = lk_store_mconv_each_open(tx, renorm_conv, m);
  if (rc == 0)
    rc = lk_store_mtask_each_open(tx, renorm_task, m);
  cache_clear(m);
  m->touched_overflow = true; /* an undo must forget everything */
  return rc;
}

/* ---- the hook ------------------------------------------------------- */

int lk_measure_on_phase(lk_tx *tx, int phase, void *ud) {
  lk_measure *m = ud;

  switch (phase) {
  case LK_TX_WRITE_OK: {
    int rc = write_touched(tx, m);

    m->ntouched = 0;
    m->touched_overflow = false;
    return rc == 0 ? merge_write(tx, m) : rc;
  }
  case LK_TX_WRITE_UNDONE:
    forget_touched(m);
    deltas_reset(&m->write);
    m->loaded = false; /* it may have loaded norms it saved */
    return 0;
  case LK_TX_BEFORE_COMMIT:
    m->batch_open = false;
    return write_deltas(tx, m, &m->batch);
  case LK_TX_ABORTED:
    cache_clear(m);
    m->batch_open = false;
    deltas_reset(&m->write);
    deltas_reset(&m->batch);
    /* The norms read in this batch may be gone with it. */
    m->loaded = false;
    return 0;
  default:
    return 0;
  }
}

void lk_measure_store_options(lk_store_options *so, lk_measure *m) {
  so->on_tx_event = lk_measure_on_event;
  so->on_tx_phase = lk_measure_on_phase;
  so->on_tx_event_ud = m;
}

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
  payload *o = m->payload_buf;
  int rc;

  if (!measured(type))
    return 0;
  if (!payload_parse(o, ev->payload))
    return 0; /* not ours to refuse a write over */
  /* A norms.updated event follows its configuration row in the same
   * write, live and in a replay alike. */
  if (strcmp(type, "norms.updated") == 0)
    rc = norms_updated(tx, m, o);
  else
    rc = ensure_norms(tx, m);
  if (rc == 0)
    rc = make_room(tx, m);
  if (rc != 0)
    return rc;
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
  return rc;
}

int lk_measure_rebuild_apply(lk_tx *tx, void *arg) {
  lk_measure_rebuild_op *op = arg;
  lk_measure *m = op->m;
  int rc;

  m->replaying = true;
  m->loaded = false;
  deltas_reset(&m->write);
  cache_clear(m);
  m->batch_open = false;
  rc = lk_store_measure_clear(tx);
  if (rc == 0)
    rc = lk_store_measure_replay(tx, lk_measure_on_event, m, &op->events);
  if (rc == 0)
    rc = write_touched(tx, m);
  if (rc == 0)
    rc = write_deltas(tx, m, &m->write);
  deltas_reset(&m->write);
  cache_clear(m);
  m->touched_overflow = true; /* an undo must forget everything */
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
