/* outbox.c - the outbox worker: one thread that sends due rows.
 *
 * The loop
 * --------
 * Each pass reads, per kind, how many rows are pending and when the first
 * is due (one read, no write).  If a registered kind has a due row, one
 * write leases up to CLAIM_BATCH of them; then each is sent through its
 * kind's sender and its outcome recorded in a write of its own, so a crash
 * repeats at most the one send under way.  Otherwise the thread sleeps
 * until the earliest due time or the tick, whichever is first, or until
 * kicked: the bus listener kicks on outbox.queued, which every write that
 * queues emits, so a new message leaves right after its commit.
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
/* A claimed row is sent only while this much of its lease is left (or a
 * fifth of a shorter lease). */
#define LEASE_MARGIN_MS 60000
#define DETAIL_MAX LK_OUTBOX_DETAIL_MAX

struct sender {
  char kind[LK_OUTBOX_KIND_MAX + 1];
  lk_outbox_send_fn fn;
  void *ud;
};

struct lk_outbox {
  lk_store *store;
  lk_bus *bus;
  lk_bus_listener *listener;
  lk_outbox_options opt;
  char host[64];
  char owner[LK_OUTBOX_OWNER_MAX + 1];

  pthread_t thread;
  bool started;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* CLOCK_MONOTONIC */
  bool kicked;
  atomic_bool stopping;
  struct sender senders[LK_OUTBOX_KINDS_MAX];
  int nsenders;

  /* worker thread only */
  char unknown[LK_OUTBOX_KINDS_MAX][LK_OUTBOX_KIND_MAX + 1];
  int nunknown;

  _Atomic uint64_t sent;
  _Atomic uint64_t retried;
  _Atomic uint64_t failed;
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
  ob->kicked = true;
  pthread_cond_signal(&ob->cond);
  pthread_mutex_unlock(&ob->lock);
}

static void on_event(const lk_event *ev, void *ud) {
  if (strcmp(ev->type, "outbox.queued") == 0)
    lk_outbox_kick(ud);
}

/* Sleeps until `wait_ms` passed, a kick or stop. */
static void sleep_for(lk_outbox *ob, int64_t wait_ms) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += wait_ms / 1000;
  ts.tv_nsec += (wait_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&ob->lock);
  while (!ob->kicked && !atomic_load(&ob->stopping)) {
    if (pthread_cond_timedwait(&ob->cond, &ob->lock, &ts) == ETIMEDOUT)
      break;
  }
  ob->kicked = false;
  pthread_mutex_unlock(&ob->lock);
}

/* ---- looking -------------------------------------------------------- */

struct look {
  lk_outbox *ob;
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
  if (i < 0)
    unknown_kind(lk->ob, kind, count);
  else
    lk->due[i] = due_at;
}

/* Fills `lk` with the senders and when each kind is due.  Returns the
 * earliest due time of a registered kind (INT64_MAX: none) or a negative
 * code. */
static int64_t look(lk_outbox *ob, struct look *lk) {
  int64_t first = INT64_MAX;
  int rc;

  memset(lk, 0, sizeof(*lk));
  lk->ob = ob;
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
  atomic_store(&ob->pending, lk->pending);
  for (int i = 0; i < lk->nsenders; i++) {
    if (lk->due[i] < first)
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
  }
}

/* ---- claiming and recording ----------------------------------------- */

struct claim {
  lk_outbox *ob;
  const struct look *lk;
  int64_t now;
  lk_outbox_claimed items[CLAIM_BATCH];
  int n;
};

static int claim_apply(lk_tx *tx, void *arg) {
  struct claim *c = arg;

  c->n = 0;
  for (int i = 0; i < c->lk->nsenders && c->n < CLAIM_BATCH; i++) {
    int got;

    if (c->lk->due[i] > c->now)
      continue;
    got = lk_store_outbox_claim(tx, c->lk->senders[i].kind, c->ob->owner,
                                c->ob->opt.lease_ms, CLAIM_BATCH - c->n,
                                c->items + c->n);
    if (got < 0) {
      lk_store_outbox_claimed_free(c->items, c->n);
      c->n = 0;
      return got;
    }
    c->n += got;
  }
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

/* What to do after `res` for `row`. */
static enum outcome decide(lk_outbox *ob, const lk_outbox_row *row,
                           lk_outbox_result res, int64_t now,
                           int64_t *next_at) {
  int64_t wait;

  if (res == LK_OUTBOX_SENT)
    return OUT_SENT;
  if (res != LK_OUTBOX_RETRY)
    return OUT_FAILED;
  if (atomic_load(&ob->stopping))
    return OUT_RELEASE; /* cut short by the stop, not by the other side */
  if (row->attempts >= ob->opt.max_attempts ||
      now - row->since >= ob->opt.max_age_ms)
    return OUT_FAILED;
  wait = lk_outbox_backoff_ms(&ob->opt, row->attempts, randombytes_random());
  if (asked_wait_ms > wait)
    wait = asked_wait_ms < ob->opt.backoff_max_ms ? asked_wait_ms
                                                  : ob->opt.backoff_max_ms;
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
  out = decide(ob, &c->row, res, lk_clock_real_ms(), &next_at);
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

/* Claims and sends what is due.  Returns how many rows were claimed. */
static int send_due(lk_outbox *ob, const struct look *lk) {
  struct claim *c = calloc(1, sizeof(*c));
  int n;

  int64_t margin = ob->opt.lease_ms / 5 < LEASE_MARGIN_MS ? ob->opt.lease_ms / 5
                                                          : LEASE_MARGIN_MS;

  if (c == NULL)
    return 0;
  c->ob = ob;
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

static void *worker_main(void *arg) {
  lk_outbox *ob = arg;
  struct look *lk = malloc(sizeof(*lk));
  int64_t last_reap = 0;

  on_worker = true;
  if (lk == NULL)
    lk_log(LK_LOG_ERROR, "outbox: out of memory; nothing is sent", NULL);
  while (lk != NULL && !atomic_load(&ob->stopping)) {
    int64_t now = lk_clock_real_ms();
    int64_t due;
    int64_t wait = ob->opt.tick_ms;

    if (now - last_reap >= REAP_EVERY_MS) {
      reap_dead(ob);
      last_reap = now;
    }
    due = look(ob, lk);
    if (due >= 0 && due <= now && send_due(ob, lk) > 0)
      continue; /* more may be due */
    if (due > now && due - now < wait)
      wait = due - now;
    sleep_for(ob, wait);
  }
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

int lk_outbox_register(lk_outbox *ob, const char *kind, lk_outbox_send_fn fn,
                       void *ud) {
  int rc = 0;

  if (kind == NULL || kind[0] == '\0' || strlen(kind) > LK_OUTBOX_KIND_MAX ||
      fn == NULL)
    return -EINVAL;
  pthread_mutex_lock(&ob->lock);
  for (int i = 0; i < ob->nsenders; i++) {
    if (strcmp(ob->senders[i].kind, kind) == 0)
      rc = -EEXIST;
  }
  if (rc == 0 && ob->nsenders >= LK_OUTBOX_KINDS_MAX)
    rc = -ENOSPC;
  if (rc == 0) {
    struct sender *s = &ob->senders[ob->nsenders++];

    snprintf(s->kind, sizeof(s->kind), "%s", kind);
    s->fn = fn;
    s->ud = ud;
    ob->kicked = true;
    pthread_cond_signal(&ob->cond);
  }
  pthread_mutex_unlock(&ob->lock);
  return rc;
}

int lk_outbox_start(lk_outbox *ob) {
  int rc;

  if (ob->started)
    return 0;
  rc = pthread_create(&ob->thread, NULL, worker_main, ob);
  if (rc != 0)
    return -rc;
  ob->started = true;
  return 0;
}

bool lk_outbox_stopping(const lk_outbox *ob) {
  return atomic_load(&((lk_outbox *)ob)->stopping);
}

void lk_outbox_stop(lk_outbox *ob) {
  if (ob == NULL)
    return;
  pthread_mutex_lock(&ob->lock);
  atomic_store(&ob->stopping, true);
  pthread_cond_signal(&ob->cond);
  pthread_mutex_unlock(&ob->lock);
  if (ob->started) {
    pthread_join(ob->thread, NULL);
    ob->started = false;
  }
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
      "# HELP loket_outbox_pending Outbox messages waiting to be sent.\n"
      "# TYPE loket_outbox_pending gauge\n"
      "loket_outbox_pending %lld\n",
      (unsigned long long)st.sent, (unsigned long long)st.retried,
      (unsigned long long)st.failed, (long long)st.pending);
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

static void time_or_null(lk_buf *b, const char *name, int64_t v) {
  lk_buf_printf(b, ",\"%s\":", name);
  if (v > 0)
    lk_buf_printf(b, "%lld", (long long)v);
  else
    lk_buf_puts(b, "null");
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
  time_or_null(b, "nextAttemptAt", pending ? r->next_attempt_at : 0);
  lk_buf_printf(b, ",\"sending\":%s",
                pending && r->lease_until > lk_clock_real_ms() ? "true"
                                                               : "false");
  text_or_null(b, "lastError", r->last_error);
  text_or_null(b, "result", r->result);
  lk_buf_printf(b, ",\"createdAt\":%lld", (long long)r->created_at);
  time_or_null(b, "sentAt", r->sent_at);
  lk_buf_printf(b, ",\"updatedAt\":%lld}", (long long)r->updated_at);
}
