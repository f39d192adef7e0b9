/* store.h - Loket's storage: the only module that knows SQL.
 *
 * Design
 * ------
 * One process has one lk_store.  Every write goes through one writer thread
 * that commits in groups: callers submit an lk_write, the writer takes all
 * pending writes, runs each inside its own savepoint of one transaction,
 * commits once with a full fsync (synchronous=FULL) and then tells every
 * caller its outcome.  An acknowledged write is therefore on disk, and the
 * throughput comes from batching, not from skipping fsync.  A write that
 * fails rolls back its savepoint only; the others in the batch still commit
 * unless the failure ends the whole transaction (a full disk, an I/O
 * error): then no write of the batch is committed and every one says so.
 *
 * A write is a function run by the writer thread (lk_write_fn).  The domain
 * (src/core) composes such functions from the typed operations below, so a
 * domain action and the event that reports it commit atomically: the function
 * calls lk_tx_emit(), and after the commit the writer hands the events to the
 * function given as lk_store_options.on_events, in sequence order.  Events that
 * another process (the CLI) committed to the same database are picked up
 * within a second and delivered in the same order.
 *
 * Reads use a small pool of read-only connections and never wait for the
 * writer.  Statements are prepared once per connection and cached.
 *
 * All SQL is written for both SQLite and PostgreSQL (numbered parameters
 * ?1, ?2; ON CONFLICT; RETURNING; BIGINT milliseconds for times); what is
 * SQLite-only lives in src/store/sqlite/.
 *
 * Functions return 0 or a negative LK_STORE_* code; lk_store_strerror()
 * names it.  Out parameters are filled only on success.
 */
#ifndef LK_STORE_H
#define LK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  LK_STORE_NOTFOUND = -1001, /* no such row */
  LK_STORE_CONFLICT = -1002, /* a unique key is already taken */
  LK_STORE_IO = -1003,       /* the database failed (disk, corruption) */
  LK_STORE_CLOSED = -1004,   /* the store is shutting down */
  LK_STORE_NOMEM = -1005,
  LK_STORE_SCHEMA = -1006, /* database schema is newer than this program */
  LK_STORE_INVALID = -1007 /* bad argument */
};

typedef struct lk_store lk_store;
typedef struct lk_tx lk_tx;
typedef struct lk_event_row lk_event_row;

typedef struct lk_store_options {
  const char *dir;   /* data directory; created if missing */
  int max_batch;     /* most writes per commit; 0 means 1024 */
  bool no_migrate;   /* open an existing schema as it is */
  bool group_commit; /* false: one commit per write (for comparison) */
  /* Receives every committed event, in order, on the writer thread; it
   * must not block.  May be NULL. */
  void (*on_events)(const struct lk_event_row *ev, void *ud);
  void *on_events_ud;
  /* Runs inside the write for every event it emits, just after the event
   * is recorded, on the writer thread; a negative return fails the write.
   * Keeps what is derived from events (core/measure.h) in the same
   * commit as the change.  May be NULL. */
  int (*on_tx_event)(struct lk_tx *tx, const struct lk_event_row *ev, void *ud);
  /* Told, with the same `ud`, how each write and batch ends (LK_TX_*
   * above), so that what on_tx_event gathers in memory can be written
   * once per batch: LK_TX_WRITE_OK after a write's savepoint is released
   * (it may write; a negative return fails the whole batch),
   * LK_TX_WRITE_UNDONE after it was rolled back, LK_TX_BEFORE_COMMIT just
   * before COMMIT (the same), LK_TX_ABORTED when the batch was rolled
   * back.  May be NULL. */
  int (*on_tx_phase)(struct lk_tx *tx, int phase, void *ud);
  void *on_tx_event_ud;
  /* The time of each transaction (lk_tx_now); NULL: the system clock.
   * Tests set a fixed clock to write across evenings and holidays. */
  struct lk_clock *clock;
} lk_store_options;

enum {
  LK_TX_WRITE_OK = 1,
  LK_TX_WRITE_UNDONE = 2,
  LK_TX_BEFORE_COMMIT = 3,
  LK_TX_ABORTED = 4
};

const char *lk_store_strerror(int err);

/* Opens (creating if needed) the database in opt->dir, applies pending
 * migrations unless opt->no_migrate, and starts the writer thread.
 * On error *out is untouched and nothing is left open. */
int lk_store_open(const lk_store_options *opt, lk_store **out);
/* Stops accepting writes (later ones fail with LK_STORE_CLOSED), commits
 * everything already submitted, tells every caller and stops the writer.
 * Reads keep working until lk_store_close(). */
void lk_store_stop(lk_store *s);
/* lk_store_stop(), then closes all connections and frees the store.  Safe
 * with NULL. */
void lk_store_close(lk_store *s);

/* Schema migrations: applies every migration up to `target` (0: the
 * newest) not yet recorded, also one numbered below the highest applied.
 * Returns the highest versions before and after in *from and *to and how
 * many ran in *applied (any may be NULL). */
int lk_store_migrate(lk_store *s, int target, int *from, int *to, int *applied);
int lk_store_schema_version(lk_store *s, int *version);
int lk_store_latest_version(void);
/* Writes a consistent copy of the database to `path`, a file that must
 * not exist yet (LK_STORE_CONFLICT if it does), while others keep reading
 * and writing.  The copy is a complete database: put it in an empty data
 * directory as loket.db to restore it. */
int lk_store_backup(lk_store *s, const char *path);
/* True if a write succeeds right now.  Waits for the writer. */
bool lk_store_writable(lk_store *s);

/* ---- Writes --------------------------------------------------------- */

typedef int (*lk_write_fn)(lk_tx *tx, void *arg);
typedef void (*lk_write_done_fn)(int status, void *arg);

/* A pending write; the caller owns it and keeps it alive until `done` has
 * been called.  `done` runs on the writer thread after the commit (status 0)
 * or after the write was rolled back (status < 0) and must not block. */
typedef struct lk_write {
  lk_write_fn apply;
  lk_write_done_fn done;
  void *arg;
  /* private to the store */
  int status;
  struct lk_write *next;
  struct lk_tx_event *events;
} lk_write;

/* Queues `w`.  Returns 0, or LK_STORE_CLOSED without calling `done`. */
int lk_store_submit(lk_store *s, lk_write *w);
/* Runs `apply` in the writer and waits for its commit.  Returns the write's
 * status. */
int lk_store_write(lk_store *s, lk_write_fn apply, void *arg);
/* Time of the transaction the write runs in (Unix ms): all rows written in
 * one batch agree on it. */
int64_t lk_tx_now(lk_tx *tx);

/* ---- Events --------------------------------------------------------- */

/* A committed event as the store delivers it. `payload` is JSON. */
struct lk_event_row {
  int64_t seq;
  int64_t time_ms;
  const char *type;
  const char *subject;
  const char *payload;
};

/* Records an event inside the current write; it is delivered only if the
 * write commits.  `payload` must be a JSON object text. */
int lk_tx_emit(lk_tx *tx, const char *type, const char *subject,
               const char *payload);

typedef void (*lk_events_fn)(const lk_event_row *ev, void *ud);
/* Calls `fn` for up to `limit` events with seq > `after`, oldest first.
 * Returns the number delivered or a negative code. */
int lk_store_events_after(lk_store *s, int64_t after, int limit,
                          lk_events_fn fn, void *ud);
int lk_store_last_event_seq(lk_store *s, int64_t *seq);

/* ---- Metrics -------------------------------------------------------- */

typedef struct lk_store_stats {
  uint64_t commits;
  uint64_t writes;
  uint64_t failed_writes;
  /* histogram of commit latency (ns) and batch size; see metrics.h */
  struct lk_histogram *commit_seconds;
  struct lk_histogram *batch_size;
} lk_store_stats;

void lk_store_stats_get(lk_store *s, lk_store_stats *out);

/* ---- API tokens ----------------------------------------------------- */

#define LK_TOKEN_ID_LEN 20 /* "tok_" + 16 hex */
#define LK_NAME_MAX 100
#define LK_SCOPES_MAX 120

typedef struct lk_token_row {
  char id[LK_TOKEN_ID_LEN + 1];
  char name[LK_NAME_MAX + 1];
  char scopes[LK_SCOPES_MAX + 1]; /* space separated */
  int64_t created_at;
  int64_t last_used_at; /* 0 if never */
  int64_t revoked_at;   /* 0 if active */
} lk_token_row;

/* `secret_hash` is the hex digest of the token; the secret itself is never
 * stored. LK_STORE_CONFLICT if the id or hash exists. */
int lk_store_token_insert(lk_tx *tx, const lk_token_row *t,
                          const char *secret_hash);
int lk_store_token_revoke(lk_tx *tx, const char *id, int64_t when);
int lk_store_token_get(lk_store *s, const char *id, lk_token_row *out);
/* Finds an active (not revoked) token by the hash of its secret. */
int lk_store_token_by_hash(lk_store *s, const char *secret_hash,
                           lk_token_row *out);
typedef void (*lk_token_fn)(const lk_token_row *t, void *ud);
/* Lists tokens ordered by id, starting after `after_id` ("" for the
 * start), at most `limit`.  Returns the number listed. */
int lk_store_token_list(lk_store *s, const char *after_id, int limit,
                        lk_token_fn fn, void *ud);

/* ---- Staff accounts ------------------------------------------------- */

#define LK_USER_ID_LEN 20 /* "usr_" + 16 hex */
#define LK_EMAIL_MAX 254

typedef struct lk_user_row {
  char id[LK_USER_ID_LEN + 1];
  char email[LK_EMAIL_MAX + 1];
  char role[16];
  char display_name[LK_NAME_MAX + 1];
  int64_t created_at;
  int64_t password_changed_at;
  int64_t disabled_at;
} lk_user_row;

int lk_store_user_insert(lk_tx *tx, const lk_user_row *u,
                         const char *password_hash);
int lk_store_user_by_email(lk_store *s, const char *email, lk_user_row *out,
                           char *password_hash, size_t hash_size);

/* ---- Audit trail ---------------------------------------------------- */

/* Appends who (`actor`, e.g. "cli", "token:tok_...") did `action` to
 * `subject`, with `details` as a JSON object text (may be NULL). */
int lk_store_audit(lk_tx *tx, const char *actor, const char *action,
                   const char *subject, const char *details);

#endif
