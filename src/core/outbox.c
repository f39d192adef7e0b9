/* outbox.c - the outbox worker: a thread per lane of kinds that sends
 * their due rows, and one that keeps the table.
 *
 * Lanes
 * -----
 * Every registered kind sends on a thread of its own (its lane), claiming
 * only its own rows, so that a slow or hanging server of one kind (an SMTP
 * server that never greets, a 10,000-mail fan-out) never delays another
 * kind's messages.  Kinds that share one connection (the mail kinds share
 * one SMTP session) name the same lane and take turns on its thread.
 *
 * The loop of a lane
 * ------------------
 * Each pass reads, per kind, how many rows are pending and when the first
 * is due (one read, no write).  If one of the lane's kinds has a due row,
 * one write leases up to CLAIM_BATCH of them, shared among its due kinds;
 * then each is sent through its kind's sender and its outcome recorded in
 * a write of its own, so a crash repeats at most the one send under way.
 * Otherwise the thread sleeps until the earliest due time or the tick,
 * whichever is first, or until kicked: the bus listener kicks every lane
 * on outbox.queued, which every write that queues emits, so a new message
 * leaves right after its commit.
 *
 * The keeper
 * ----------
 * One more thread counts the queue (the metric, and the warning about a
 * kind nobody sends), takes back the leases of dead processes and deletes
 * sent and failed rows past their retention, a small batch a tick.
 *
 * Leases
 * ------
 * The claim and every outcome are writes, and writes to one SQLite file
 * are serialised across processes, so a row leased by one process is not
 * leased by another until the lease ends (lease_ms, far longer than a
 * send may take).  A lease names its owner as host/pid/nonce: a process
 * that finds leases of a dead process on its own host (kill -9) takes them
 * back at once instead of waiting for them to expire.
 */
#include "core/outbox.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ids.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/metrics.h"

#define CLAIM_BATCH 8
#define REAP_EVERY_MS 10000
/* Sent and failed rows past their retention go this many at a time (one
 * short write), a batch a tick while there are more, else once a minute. */
#define PURGE_BATCH 200
#define PURGE_EVERY_MS 60000
/* A claimed row is sent only while this much of its lease is left (or a
 * fifth of a shorter lease). */
#define LEASE_MARGIN_MS 60000
#define DETAIL_MAX LK_OUTBOX_DETAIL_MAX
#define LANES_MAX (LK_OUTBOX_KINDS_MAX + 1) /* lane 0: the keeper */

struct sender {
  char kind[LK_OUTBOX_KIND_MAX + 1];
  lk_outbox_send_fn fn;
  void *ud;
  int lane;
  int64_t backoff_max_ms;
};

struct lane {
  lk_outbox *ob;
  int index;
  char name[LK_OUTBOX_KIND_MAX + 1];
  pthread_t thread;
  bool started;
  bool kicked; /* under ob->lock */
  int turn;    /* which due kind claims first (lane thread only) */
};

struct lk_outbox {
  lk_store *store;
  lk_bus *bus;
  lk_bus_listener *listener;
  lk_outbox_options opt;
  char host[64];
  char owner[LK_OUTBOX_OWNER_MAX + 1];

  bool started;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* CLOCK_MONOTONIC; broadcast to every lane */
  atomic_bool stopping;
  _Atomic int64_t stop_at_ms; /* monotonic, when the stop began */
  struct sender senders[LK_OUTBOX_KINDS_MAX];
  int nsenders;
  struct lane lanes[LANES_MAX];
  int nlanes;

  /* keeper thread only */
  char unknown[LK_OUTBOX_KINDS_MAX][LK_OUTBOX_KIND_MAX + 1];
  int nunknown;

  _Atomic uint64_t sent;
  _Atomic uint64_t retried;
  _Atomic uint64_t failed;
  _Atomic uint64_t purged;
  _Atomic uint64_t passes;
  _Atomic int64_t pending;
  lk_histogram send_seconds;
};

static _Thread_local bool on_worker;
static _Thread_local int64_t asked_wait_ms;

void lk_outbox_retry_after(int64_t ms) {
  if (on_worker && ms > asked_wait_ms)
    asked_wait_ms = ms;
}

static void defaults(lk_outbox_options *o) {
  if (o->backoff_min_ms <= 0)
    o->backoff_min_ms = 5000;
  if (o->backoff_max_ms <= 0)
    o->backoff_max_ms = 3600 * 1000;
  if (o->backoff_max_ms < o->backoff_min_ms)
    o->backoff_max_ms = o->backoff_min_ms;
  if (o->max_attempts <= 0)
    o->max_attempts = 12;
  if (o->max_age_ms <= 0)
    o->max_age_ms = 24 * 3600 * 1000LL;
  if (o->tick_ms <= 0)
    o->tick_ms = 1000;
  if (o->lease_ms <= 0)
    o->lease_ms = 5 * 60 * 1000;
  if (o->stop_grace_ms <= 0)
    o->stop_grace_ms = 5000;
  if (o->keep_sent_ms <= 0)
    o->keep_sent_ms = 7 * 24 * 3600 * 1000LL;
  if (o->keep_failed_ms <= 0)
    o->keep_failed_ms = 30 * 24 * 3600 * 1000LL;
}

int64_t lk_outbox_backoff_ms(const lk_outbox_options *opt, int attempts,
                             uint32_t rnd) {
  lk_outbox_options o = *opt;
  int64_t d;

  defaults(&o);
  d = o.backoff_min_ms;
  for (int i = 1; i < attempts && d < o.backoff_max_ms; i++)
    d *= 2;
  if (d > o.backoff_max_ms)
    d = o.backoff_max_ms;
  return d + (int64_t)(rnd % (uint64_t)(d / 4 + 1));
}

/* ---- waking --------------------------------------------------------- */

void lk_outbox_kick(lk_outbox *ob) {
  pthread_mutex_lock(&ob->lock);
  for (int i = 0; i < ob->nlanes; i++)
    ob->lanes[i].kicked = true;
  pthread_cond_broadcast(&ob->cond);
  pthread_mutex_unlock(&ob->lock);
}

static void on_event(const lk_event *ev, void *ud) {
  if (strcmp(ev->type, "outbox.queued") == 0)
    lk_outbox_kick(ud);
}

/* Sleeps until `wait_ms` passed, a kick or stop. */
static void sleep_for(struct lane *ln, int64_t wait_ms) {
  lk_outbox *ob = ln->ob;
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += wait_ms / 1000;
  ts.tv_nsec += (wait_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&ob->lock);
  while (!ln->kicked && !atomic_load(&ob->stopping)) {
    if (pthread_cond_timedwait(&ob->cond, &ob->lock, &ts) == ETIMEDOUT)
      break;
  }
  ln->kicked = false;
  pthread_mutex_unlock(&ob->lock);
}

/* ---- looking -------------------------------------------------------- */

struct look {
  lk_outbox *ob;
  int lane; /* 0: the keeper, which looks at every kind */
  struct sender senders[LK_OUTBOX_KINDS_MAX];
  int nsenders;
  int64_t due[LK_OUTBOX_KINDS_MAX]; /* per sender; INT64_MAX: none */
  int64_t pending;
};

static int sender_index(const struct look *lk, const char *kind) {
  for (int i = 0; i < lk->nsenders; i++) {
    if (strcmp(lk->senders[i].kind, kind) == 0)
      return i;
  }
  return -1;
}

/* Logs once per process that rows of `kind` have no sender. */
static void unknown_kind(lk_outbox *ob, const char *kind, int64_t count) {
  char n[24];

  for (int i = 0; i < ob->nunknown; i++) {
    if (strcmp(ob->unknown[i], kind) == 0)
      return;
  }
  if (ob->nunknown >= LK_OUTBOX_KINDS_MAX)
    return; /* said often enough */
  snprintf(ob->unknown[ob->nunknown++], LK_OUTBOX_KIND_MAX + 1, "%s", kind);
  snprintf(n, sizeof(n), "%lld", (long long)count);
  lk_log(LK_LOG_WARN, "outbox: no sender for this kind; its messages wait",
         "kind", kind, "pending", n, NULL);
}

static void pending_kind(const char *kind, int64_t count, int64_t due_at,
                         void *ud) {
  struct look *lk = ud;
  int i = sender_index(lk, kind);

  lk->pending += count;
  if (i < 0 && lk->lane == 0)
    unknown_kind(lk->ob, kind, count);
  else if (i >= 0)
    lk->due[i] = due_at;
}

/* Fills `lk` with the senders and when each kind is due.  Returns the
 * earliest due time of a kind of `lane` (INT64_MAX: none) or a negative
 * code. */
static int64_t look(lk_outbox *ob, int lane, struct look *lk) {
  int64_t first = INT64_MAX;
  int rc;

  memset(lk, 0, sizeof(*lk));
  lk->ob = ob;
  lk->lane = lane;
  pthread_mutex_lock(&ob->lock);
  memcpy(lk->senders, ob->senders, sizeof(lk->senders));
  lk->nsenders = ob->nsenders;
  pthread_mutex_unlock(&ob->lock);
  for (int i = 0; i < LK_OUTBOX_KINDS_MAX; i++)
    lk->due[i] = INT64_MAX;
  rc = lk_store_outbox_pending(ob->store, pending_kind, lk);
  atomic_fetch_add(&ob->passes, 1);
  if (rc < 0)
    return rc;
  if (lane == 0)
    atomic_store(&ob->pending, lk->pending);
  for (int i = 0; i < lk->nsenders; i++) {
    if (lk->senders[i].lane == lane && lk->due[i] < first)
      first = lk->due[i];
  }
  return first;
}

/* ---- leases of processes that are gone ------------------------------ */

/* True if `owner` (host/pid/nonce) is another process on this host that
 * no longer runs. */
static bool owner_dead(const lk_outbox *ob, const char *owner) {
  size_t hlen = strlen(ob->host);
  const char *p;
  char *end;
  long pid;

  if (strcmp(owner, ob->owner) == 0 || strncmp(owner, ob->host, hlen) != 0 ||
      owner[hlen] != '/')
    return false;
  p = owner + hlen + 1;
  errno = 0;
  pid = strtol(p, &end, 10);
  if (errno != 0 || end == p || *end != '/' || pid <= 0)
    return false;
  /* Our own pid under another nonce: an earlier run of this process id. */
  if (pid == (long)getpid())
    return true;
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

struct reap {
  const lk_outbox *ob;
  char dead[4][LK_OUTBOX_OWNER_MAX + 1];
  int ndead;
};

static void owner_seen(const char *owner, void *ud) {
  struct reap *r = ud;

  if (r->ndead < 4 && owner_dead(r->ob, owner))
    snprintf(r->dead[r->ndead++], LK_OUTBOX_OWNER_MAX + 1, "%s", owner);
}

static int reap_apply(lk_tx *tx, void *arg) {
  struct reap *r = arg;

  for (int i = 0; i < r->ndead; i++) {
    int rc = lk_store_outbox_release_owner(tx, r->dead[i]);

    if (rc < 0)
      return rc;
  }
  return 0;
}

static void reap_dead(lk_outbox *ob) {
  struct reap r = {.ob = ob};

  if (lk_store_outbox_owners(ob->store, owner_seen, &r) < 0 || r.ndead == 0)
    return;
  if (lk_store_write(ob->store, reap_apply, &r) == 0) {
    for (int i = 0; i < r.ndead; i++)
      lk_log(LK_LOG_INFO, "outbox: took back the leases of a stopped process",
             "owner", r.dead[i], NULL);
    lk_outbox_kick(ob); /* the lanes may send them now */
  }
}

/* ---- retention ------------------------------------------------------ */

struct purge {
  int64_t now;
  int64_t keep_sent_ms;
  int64_t keep_failed_ms;
  int sent;
  int failed;
};

static int purge_apply(lk_tx *tx, void *arg) {
  struct purge *p = arg;

  p->sent =
      lk_store_outbox_purge(tx, "sent", p->now - p->keep_sent_ms, PURGE_BATCH);
  if (p->sent < 0)
    return p->sent;
  p->failed = lk_store_outbox_purge(tx, "failed", p->now - p->keep_failed_ms,
                                    PURGE_BATCH);
  return p->failed < 0 ? p->failed : 0;
}

/* Deletes one batch of rows past their retention.  True if a batch was
 * full (there may be more). */
static bool purge_old(lk_outbox *ob) {
  struct purge p = {lk_clock_real_ms(), ob->opt.keep_sent_ms,
                    ob->opt.keep_failed_ms, 0, 0};
  int rc = lk_store_write(ob->store, purge_apply, &p);

  if (rc != 0) {
    lk_log(LK_LOG_WARN, "outbox: could not delete old messages", "error",
           lk_store_strerror(rc), NULL);
    return false;
  }
  atomic_fetch_add(&ob->purged, (uint64_t)(p.sent + p.failed));
  return p.sent == PURGE_BATCH || p.failed == PURGE_BATCH;
}

/* ---- claiming and recording ----------------------------------------- */

struct claim {
  lk_outbox *ob;
  struct lane *ln;
  const struct look *lk;
  int64_t now;
  lk_outbox_claimed items[CLAIM_BATCH];
  int n;
};

/* Leases due rows of the lane's kinds: each due kind gets an equal share
 * of the batch, and the kind that claims first (and takes what the others
 * leave) changes every pass, so no kind of a lane starves another. */
static int claim_apply(lk_tx *tx, void *arg) {
  struct claim *c = arg;
  const struct look *lk = c->lk;
  int due[LK_OUTBOX_KINDS_MAX];
  int ndue = 0;
  int share;

  c->n = 0;
  for (int i = 0; i < lk->nsenders; i++) {
    if (lk->senders[i].lane == c->ln->index && lk->due[i] <= c->now)
      due[ndue++] = i;
  }
  if (ndue == 0)
    return 0;
  share = CLAIM_BATCH / ndue > 0 ? CLAIM_BATCH / ndue : 1;
  for (int pass = 0; pass < 2 && c->n < CLAIM_BATCH; pass++) {
    for (int j = 0; j < ndue && c->n < CLAIM_BATCH; j++) {
      const struct sender *s = &lk->senders[due[(c->ln->turn + j) % ndue]];
      int max = CLAIM_BATCH - c->n;
      int got;

      if (pass == 0 && max > share)
        max = share;
      got = lk_store_outbox_claim(tx, s->kind, c->ob->owner,
                                  c->ob->opt.lease_ms, max, c->items + c->n);
      if (got < 0) {
        lk_store_outbox_claimed_free(c->items, c->n);
        c->n = 0;
        return got;
      }
      c->n += got;
    }
  }
  c->ln->turn++;
  return 0;
}

enum outcome { OUT_SENT, OUT_RETRY, OUT_FAILED, OUT_RELEASE };

struct record {
  const lk_outbox_row *row;
  const char *owner;
  enum outcome out;
  int64_t next_at;
  const char *detail;
};

static int record_apply(lk_tx *tx, void *arg) {
  struct record *r = arg;

  switch (r->out) {
  case OUT_SENT:
    return lk_store_outbox_sent(tx, r->row->id, r->owner, r->detail);
  case OUT_RETRY:
    return lk_store_outbox_retry(tx, r->row->id, r->owner, r->next_at,
                                 r->detail);
  case OUT_FAILED:
    return lk_store_outbox_failed(tx, r->row->id, r->owner, r->detail);
  case OUT_RELEASE:
    return lk_store_outbox_release(tx, r->row->id, r->owner);
  }
  return LK_STORE_INVALID;
}

static void record(lk_outbox *ob, const lk_outbox_row *row, enum outcome out,
                   int64_t next_at, const char *detail) {
  struct record r = {row, ob->owner, out, next_at, detail};
  int rc = lk_store_write(ob->store, record_apply, &r);

  if (rc != 0)
    lk_log(LK_LOG_WARN, "outbox: could not record a send", "id", row->id,
           "kind", row->kind, "error", lk_store_strerror(rc), NULL);
}

/* What to do after `res` for `row` of the sender `s`. */
static enum outcome decide(lk_outbox *ob, const struct sender *s,
                           const lk_outbox_row *row, lk_outbox_result res,
                           int64_t now, int64_t *next_at) {
  lk_outbox_options o = ob->opt;
  int64_t wait;

  if (res == LK_OUTBOX_SENT)
    return OUT_SENT;
  if (res != LK_OUTBOX_RETRY)
    return OUT_FAILED;
  if (atomic_load(&ob->stopping))
    return OUT_RELEASE; /* cut short by the stop, not by the other side */
  if (row->attempts >= o.max_attempts || now - row->since >= o.max_age_ms)
    return OUT_FAILED;
  if (s->backoff_max_ms > 0 && s->backoff_max_ms < o.backoff_max_ms)
    o.backoff_max_ms = s->backoff_max_ms;
  wait = lk_outbox_backoff_ms(&o, row->attempts, randombytes_random());
  if (asked_wait_ms > wait)
    wait = asked_wait_ms < o.backoff_max_ms ? asked_wait_ms : o.backoff_max_ms;
  *next_at = now + wait;
  return OUT_RETRY;
}

static void send_one(lk_outbox *ob, const struct sender *s,
                     lk_outbox_claimed *c) {
  char detail[DETAIL_MAX + 1] = "";
  int64_t t0 = lk_clock_mono_ns();
  int64_t next_at = 0;
  lk_outbox_result res;
  enum outcome out;

  asked_wait_ms = 0;
  res = s->fn(s->ud, c->row.key, c->payload, detail, sizeof(detail));
  detail[DETAIL_MAX] = '\0';
  lk_histogram_observe(&ob->send_seconds, (uint64_t)(lk_clock_mono_ns() - t0));
  out = decide(ob, s, &c->row, res, lk_clock_real_ms(), &next_at);
  switch (out) {
  case OUT_SENT:
    atomic_fetch_add(&ob->sent, 1);
    break;
  case OUT_RETRY:
    atomic_fetch_add(&ob->retried, 1);
    lk_log(LK_LOG_INFO, "outbox: send failed, will retry", "id", c->row.id,
           "kind", c->row.kind, "detail", detail, NULL);
    break;
  case OUT_FAILED:
    atomic_fetch_add(&ob->failed, 1);
    lk_log(LK_LOG_WARN, "outbox: gave up on a message", "id", c->row.id, "kind",
           c->row.kind, "detail", detail, NULL);
    break;
  case OUT_RELEASE:
    break;
  }
  record(ob, &c->row, out, next_at, detail);
}

/* Claims and sends what is due on lane `ln`.  Returns how many rows were
 * claimed. */
static int send_due(struct lane *ln, const struct look *lk) {
  lk_outbox *ob = ln->ob;
  struct claim *c = calloc(1, sizeof(*c));
  int n;

  int64_t margin = ob->opt.lease_ms / 5 < LEASE_MARGIN_MS ? ob->opt.lease_ms / 5
                                                          : LEASE_MARGIN_MS;

  if (c == NULL)
    return 0;
  c->ob = ob;
  c->ln = ln;
  c->lk = lk;
  c->now = lk_clock_real_ms();
  if (lk_store_write(ob->store, claim_apply, c) != 0) {
    lk_store_outbox_claimed_free(c->items, c->n);
    free(c);
    return 0;
  }
  for (int i = 0; i < c->n; i++) {
    lk_outbox_claimed *it = &c->items[i];
    int k = sender_index(lk, it->row.kind);

    if (k < 0 || atomic_load(&ob->stopping) ||
        lk_clock_real_ms() > it->row.lease_until - margin)
      record(ob, &it->row, OUT_RELEASE, 0, "");
    else
      send_one(ob, &lk->senders[k], it);
  }
  n = c->n;
  lk_store_outbox_claimed_free(c->items, c->n);
  free(c);
  return n;
}

/* A lane that sends. */
static void lane_loop(struct lane *ln, struct look *lk) {
  lk_outbox *ob = ln->ob;

  while (!atomic_load(&ob->stopping)) {
    int64_t now = lk_clock_real_ms();
    int64_t due = look(ob, ln->index, lk);
    int64_t wait = ob->opt.tick_ms;

    if (due >= 0 && due <= now && send_due(ln, lk) > 0)
      continue; /* more may be due */
    if (due > now && due - now < wait)
      wait = due - now;
    sleep_for(ln, wait);
  }
}

/* Lane 0: counts the queue, reaps, purges. */
static void keeper_loop(struct lane *ln, struct look *lk) {
  lk_outbox *ob = ln->ob;
  int64_t last_reap = 0;
  int64_t last_purge = 0;
  int64_t purge_every = ob->opt.keep_sent_ms < PURGE_EVERY_MS
                            ? ob->opt.keep_sent_ms
                            : PURGE_EVERY_MS;
  bool more = false;

  while (!atomic_load(&ob->stopping)) {
    int64_t now = lk_clock_real_ms();

    if (now - last_reap >= REAP_EVERY_MS) {
      reap_dead(ob);
      last_reap = now;
    }
    if (more || now - last_purge >= purge_every) {
      more = purge_old(ob);
      last_purge = now;
    }
    look(ob, 0, lk);
    sleep_for(ln, ob->opt.tick_ms);
  }
}

static void *lane_main(void *arg) {
  struct lane *ln = arg;
  struct look *lk = malloc(sizeof(*lk));

  on_worker = true;
  if (lk == NULL)
    lk_log(LK_LOG_ERROR, "outbox: out of memory; a lane does not run", "lane",
           ln->name, NULL);
  else if (ln->index == 0)
    keeper_loop(ln, lk);
  else
    lane_loop(ln, lk);
  free(lk);
  return NULL;
}

/* ---- life cycle ----------------------------------------------------- */

lk_outbox *lk_outbox_new(lk_store *store, lk_bus *bus,
                         const lk_outbox_options *opt) {
  lk_outbox *ob = calloc(1, sizeof(*ob));
  pthread_condattr_t ca;
  unsigned char nonce[4];

  if (ob == NULL)
    return NULL;
  ob->store = store;
  ob->bus = bus;
  if (opt != NULL)
    ob->opt = *opt;
  defaults(&ob->opt);
  if (gethostname(ob->host, sizeof(ob->host)) != 0 || ob->host[0] == '\0')
    snprintf(ob->host, sizeof(ob->host), "localhost");
  ob->host[sizeof(ob->host) - 1] = '\0';
  for (char *p = ob->host; *p != '\0'; p++) {
    if (*p == '/')
      *p = '_';
  }
  randombytes_buf(nonce, sizeof(nonce));
  snprintf(ob->owner, sizeof(ob->owner), "%s/%ld/%02x%02x%02x%02x", ob->host,
           (long)getpid(), nonce[0], nonce[1], nonce[2], nonce[3]);
  pthread_mutex_init(&ob->lock, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&ob->cond, &ca);
  pthread_condattr_destroy(&ca);
  atomic_init(&ob->stopping, false);
  atomic_init(&ob->stop_at_ms, 0);
  ob->lanes[0].ob = ob;
  snprintf(ob->lanes[0].name, sizeof(ob->lanes[0].name), "keeper");
  ob->nlanes = 1;
  lk_histogram_init(&ob->send_seconds, lk_latency_bounds, lk_latency_nbounds,
                    1e9);
  if (bus != NULL) {
    ob->listener = lk_bus_listen(bus, on_event, ob);
    if (ob->listener == NULL) {
      pthread_cond_destroy(&ob->cond);
      pthread_mutex_destroy(&ob->lock);
      free(ob);
      return NULL;
    }
  }
  return ob;
}

/* Starts lane `i`'s thread; under ob->lock. */
static int lane_start(lk_outbox *ob, int i) {
  struct lane *ln = &ob->lanes[i];
  int rc;

  if (ln->started)
    return 0;
  rc = pthread_create(&ln->thread, NULL, lane_main, ln);
  if (rc != 0)
    return -rc;
  ln->started = true;
  return 0;
}

int lk_outbox_register_with(lk_outbox *ob, const char *kind,
                            lk_outbox_send_fn fn, void *ud,
                            const lk_outbox_kind_options *ko) {
  const char *lane = ko != NULL && ko->lane != NULL ? ko->lane : kind;
  int li = -1;
  int rc = 0;

  if (kind == NULL || kind[0] == '\0' || strlen(kind) > LK_OUTBOX_KIND_MAX ||
      lane[0] == '\0' || strlen(lane) > LK_OUTBOX_KIND_MAX || fn == NULL)
    return -EINVAL;
  pthread_mutex_lock(&ob->lock);
  for (int i = 0; i < ob->nsenders; i++) {
    if (strcmp(ob->senders[i].kind, kind) == 0)
      rc = -EEXIST;
  }
  for (int i = 1; i < ob->nlanes; i++) {
    if (strcmp(ob->lanes[i].name, lane) == 0)
      li = i;
  }
  if (rc == 0 && (ob->nsenders >= LK_OUTBOX_KINDS_MAX ||
                  (li < 0 && ob->nlanes >= LANES_MAX)))
    rc = -ENOSPC;
  if (rc == 0 && li < 0) {
    li = ob->nlanes;
    ob->lanes[li].ob = ob;
    ob->lanes[li].index = li;
    snprintf(ob->lanes[li].name, sizeof(ob->lanes[li].name), "%s", lane);
    if (ob->started && !atomic_load(&ob->stopping))
      rc = lane_start(ob, li);
    if (rc == 0)
      ob->nlanes++;
  }
  if (rc == 0) {
    struct sender *s = &ob->senders[ob->nsenders++];

    snprintf(s->kind, sizeof(s->kind), "%s", kind);
    s->fn = fn;
    s->ud = ud;
    s->lane = li;
    s->backoff_max_ms = ko != NULL ? ko->backoff_max_ms : 0;
    for (int i = 0; i < ob->nlanes; i++)
      ob->lanes[i].kicked = true;
    pthread_cond_broadcast(&ob->cond);
  }
  pthread_mutex_unlock(&ob->lock);
  return rc;
}

int lk_outbox_register(lk_outbox *ob, const char *kind, lk_outbox_send_fn fn,
                       void *ud) {
  return lk_outbox_register_with(ob, kind, fn, ud, NULL);
}

int lk_outbox_start(lk_outbox *ob) {
  int rc = 0;

  pthread_mutex_lock(&ob->lock);
  if (!ob->started) {
    for (int i = 0; i < ob->nlanes && rc == 0; i++)
      rc = lane_start(ob, i);
    ob->started = true; /* lk_outbox_stop joins what did start */
  }
  pthread_mutex_unlock(&ob->lock);
  if (rc != 0)
    lk_outbox_stop(ob);
  return rc;
}

bool lk_outbox_stopping(const lk_outbox *ob) {
  lk_outbox *o = (lk_outbox *)ob;

  return atomic_load(&o->stopping) &&
         lk_clock_mono_ms() - atomic_load(&o->stop_at_ms) >=
             o->opt.stop_grace_ms;
}

void lk_outbox_stop(lk_outbox *ob) {
  int n;

  if (ob == NULL)
    return;
  pthread_mutex_lock(&ob->lock);
  if (!atomic_load(&ob->stopping)) {
    atomic_store(&ob->stop_at_ms, lk_clock_mono_ms());
    atomic_store(&ob->stopping, true);
  }
  pthread_cond_broadcast(&ob->cond);
  n = ob->nlanes; /* no lane starts once stopping is set */
  pthread_mutex_unlock(&ob->lock);
  for (int i = 0; i < n; i++) {
    if (ob->lanes[i].started) {
      pthread_join(ob->lanes[i].thread, NULL);
      ob->lanes[i].started = false;
    }
  }
  pthread_mutex_lock(&ob->lock); /* lk_outbox_register reads it */
  ob->started = false;
  pthread_mutex_unlock(&ob->lock);
}

void lk_outbox_free(lk_outbox *ob) {
  if (ob == NULL)
    return;
  lk_outbox_stop(ob);
  if (ob->listener != NULL)
    lk_bus_unlisten(ob->bus, ob->listener);
  pthread_cond_destroy(&ob->cond);
  pthread_mutex_destroy(&ob->lock);
  free(ob);
}

/* ---- metrics -------------------------------------------------------- */

void lk_outbox_stats_get(const lk_outbox *ob, lk_outbox_stats *out) {
  lk_outbox *o = (lk_outbox *)ob;

  out->sent = atomic_load(&o->sent);
  out->retried = atomic_load(&o->retried);
  out->failed = atomic_load(&o->failed);
  out->pending = atomic_load(&o->pending);
  out->passes = atomic_load(&o->passes);
  out->purged = atomic_load(&o->purged);
}

void lk_outbox_metrics(lk_buf *b, void *ud) {
  lk_outbox_stats st;

  lk_outbox_stats_get(ud, &st);
  lk_buf_printf(
      b,
      "# HELP loket_outbox_sent_total Outbox messages sent.\n"
      "# TYPE loket_outbox_sent_total counter\n"
      "loket_outbox_sent_total %llu\n"
      "# HELP loket_outbox_retries_total Sends that failed for now and "
      "wait to be tried again.\n"
      "# TYPE loket_outbox_retries_total counter\n"
      "loket_outbox_retries_total %llu\n"
      "# HELP loket_outbox_failed_total Outbox messages given up on.\n"
      "# TYPE loket_outbox_failed_total counter\n"
      "loket_outbox_failed_total %llu\n"
      "# HELP loket_outbox_purged_total Sent and failed outbox messages "
      "deleted after their retention.\n"
      "# TYPE loket_outbox_purged_total counter\n"
      "loket_outbox_purged_total %llu\n"
      "# HELP loket_outbox_pending Outbox messages waiting to be sent.\n"
      "# TYPE loket_outbox_pending gauge\n"
      "loket_outbox_pending %lld\n",
      (unsigned long long)st.sent, (unsigned long long)st.retried,
      (unsigned long long)st.failed, (unsigned long long)st.purged,
      (long long)st.pending);
  lk_buf_puts(b, "# HELP loket_outbox_send_duration_seconds Time one send "
                 "took.\n"
                 "# TYPE loket_outbox_send_duration_seconds histogram\n");
  lk_histogram_render(&((lk_outbox *)ud)->send_seconds, b,
                      "loket_outbox_send_duration_seconds", "");
}

/* ---- a staff retry -------------------------------------------------- */

int lk_outbox_retry_prepare(lk_outbox_retry_op *op, const char *actor,
                            const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (id == NULL || !lk_uuid_valid(id)) {
    why->field = "id";
    why->reason = "is not an outbox id";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->id, sizeof(op->id), "%s", id);
  return 0;
}

int lk_outbox_retry_apply(lk_tx *tx, void *arg) {
  lk_outbox_retry_op *op = arg;
  lk_buf d = LK_BUF_INIT;
  int rc = lk_store_outbox_requeue(tx, op->id, &op->row);

  if (rc != 0)
    return rc;
  lk_buf_puts(&d, "{\"kind\":");
  lk_buf_json_str(&d, op->row.kind);
  lk_buf_puts(&d, ",\"key\":");
  lk_buf_json_str(&d, op->row.key);
  lk_buf_putc(&d, '}');
  rc = lk_buf_ok(&d)
           ? lk_store_audit(tx, op->actor, "outbox.retried", op->id, d.data)
           : LK_STORE_NOMEM;
  lk_buf_free(&d);
  return rc;
}

static void text_or_null(lk_buf *b, const char *name, const char *v) {
  lk_buf_printf(b, ",\"%s\":", name);
  if (v[0] != '\0')
    lk_buf_json_str(b, v);
  else
    lk_buf_puts(b, "null");
}

void lk_outbox_row_json(lk_buf *b, const lk_outbox_row *r) {
  bool pending = strcmp(r->state, "pending") == 0;

  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, r->kind);
  lk_buf_puts(b, ",\"key\":");
  lk_buf_json_str(b, r->key);
  lk_buf_puts(b, ",\"state\":");
  lk_buf_json_str(b, r->state);
  lk_buf_printf(b, ",\"attempts\":%d", r->attempts);
  lk_buf_json_ms(b, "nextAttemptAt", pending ? r->next_attempt_at : 0);
  lk_buf_printf(b, ",\"sending\":%s",
                pending && r->lease_until > lk_clock_real_ms() ? "true"
                                                               : "false");
  text_or_null(b, "lastError", r->last_error);
  text_or_null(b, "result", r->result);
  lk_buf_printf(b, ",\"createdAt\":%lld", (long long)r->created_at);
  lk_buf_json_ms(b, "sentAt", r->sent_at);
  lk_buf_printf(b, ",\"updatedAt\":%lld}", (long long)r->updated_at);
}
