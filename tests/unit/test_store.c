/* Unit tests for store/store.h: opening, migrations, the group-commit
 * writer, events, tokens and users.  Each test gets a fresh directory. */
#include "lk_test.h"

#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "store/internal.h"
#include "store/store.h"
#include "util/buf.h"

/* ---- fixture: a store in a scratch directory, recording its events -- */

typedef struct seen_event {
  int64_t seq;
  int64_t time_ms;
  char type[32];
  char subject[32];
  char payload[64];
} seen_event;

typedef struct fixture {
  lk_test_dir dir;
  lk_store *store;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  seen_event *seen; /* what on_events received */
  int nseen;
  int cap;
} fixture;

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src);
}

/* on_events: runs on the writer thread, so it records and never asserts. */
static void record_event(const lk_event_row *ev, void *ud) {
  fixture *fx = ud;
  seen_event *e;

  pthread_mutex_lock(&fx->lock);
  if (fx->nseen == fx->cap) {
    int cap = fx->cap ? fx->cap * 2 : 256;
    seen_event *p = realloc(fx->seen, (size_t)cap * sizeof(*p));

    if (p == NULL)
      abort();
    fx->seen = p;
    fx->cap = cap;
  }
  e = &fx->seen[fx->nseen++];
  e->seq = ev->seq;
  e->time_ms = ev->time_ms;
  copy(e->type, sizeof(e->type), ev->type);
  copy(e->subject, sizeof(e->subject), ev->subject);
  copy(e->payload, sizeof(e->payload), ev->payload);
  pthread_cond_broadcast(&fx->cond);
  pthread_mutex_unlock(&fx->lock);
}

/* Waits until on_events has received `n` events (no time limit: ctest's
 * timeout catches a hang). */
static void wait_seen(fixture *fx, int n) {
  pthread_mutex_lock(&fx->lock);
  while (fx->nseen < n)
    pthread_cond_wait(&fx->cond, &fx->lock);
  pthread_mutex_unlock(&fx->lock);
}

static int seen_count(fixture *fx) {
  int n;

  pthread_mutex_lock(&fx->lock);
  n = fx->nseen;
  pthread_mutex_unlock(&fx->lock);
  return n;
}

static lk_store_options options(fixture *fx) {
  lk_store_options opt = {.dir = fx->dir.path,
                          .group_commit = true,
                          .on_events = record_event,
                          .on_events_ud = fx};
  return opt;
}

static void open_store(fixture *fx) {
  lk_store_options opt = options(fx);

  assert_int_equal(lk_store_open(&opt, &fx->store), 0);
  assert_non_null(fx->store);
}

static void reopen_store(fixture *fx) {
  lk_store_close(fx->store);
  fx->store = NULL;
  open_store(fx);
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof(*fx));

  if (fx == NULL)
    return -1;
  lk_test_dir_make(&fx->dir);
  pthread_mutex_init(&fx->lock, NULL);
  pthread_cond_init(&fx->cond, NULL);
  *state = fx;
  return 0;
}

static int setup_open(void **state) {
  if (setup(state) != 0)
    return -1;
  open_store(*state);
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;

  lk_store_close(fx->store);
  lk_test_dir_remove(&fx->dir);
  pthread_cond_destroy(&fx->cond);
  pthread_mutex_destroy(&fx->lock);
  free(fx->seen);
  free(fx);
  return 0;
}

/* ---- write helpers -------------------------------------------------- */

typedef struct emit_op {
  const char *type;
  const char *subject;
  const char *payload;
  int fail_with; /* returned after emitting; 0 commits */
} emit_op;

static int emit_apply(lk_tx *tx, void *arg) {
  emit_op *op = arg;
  int rc = lk_tx_emit(tx, op->type, op->subject, op->payload);

  return rc != 0 ? rc : op->fail_with;
}

static int emit(lk_store *s, const char *type, const char *subject,
                int fail_with) {
  emit_op op = {type, subject, "{\"k\":1}", fail_with};

  return lk_store_write(s, emit_apply, &op);
}

static void token_fill(lk_token_row *t, const char *id, const char *name,
                       const char *scopes) {
  memset(t, 0, sizeof(*t));
  copy(t->id, sizeof(t->id), id);
  copy(t->name, sizeof(t->name), name);
  copy(t->scopes, sizeof(t->scopes), scopes);
  t->created_at = 1700000000000;
}

typedef struct token_op {
  lk_token_row row;
  const char *hash;
} token_op;

static int token_insert_apply(lk_tx *tx, void *arg) {
  token_op *op = arg;

  return lk_store_token_insert(tx, &op->row, op->hash);
}

static int insert_token(lk_store *s, const char *id, const char *hash) {
  token_op op;

  token_fill(&op.row, id, "CRM", "api events");
  op.hash = hash;
  return lk_store_write(s, token_insert_apply, &op);
}

typedef struct revoke_op {
  const char *id;
  int64_t when;
} revoke_op;

static int revoke_apply(lk_tx *tx, void *arg) {
  revoke_op *op = arg;

  return lk_store_token_revoke(tx, op->id, op->when);
}

/* lk_events_fn collecting into an array of seen_event. */
typedef struct collected {
  seen_event ev[64];
  int n;
} collected;

static void collect_event(const lk_event_row *row, void *ud) {
  collected *c = ud;
  seen_event *e;

  assert_true(c->n < 64);
  e = &c->ev[c->n++];
  e->seq = row->seq;
  e->time_ms = row->time_ms;
  copy(e->type, sizeof(e->type), row->type);
  copy(e->subject, sizeof(e->subject), row->subject);
  copy(e->payload, sizeof(e->payload), row->payload);
}

static void count_event_fn(const lk_event_row *row, void *ud) {
  int *count = ud;

  (void)row;
  (*count)++;
}

/* ---- open, close and migrations ------------------------------------- */

static void test_open_creates_directory_and_schema(void **state) {
  fixture *fx = *state;
  char sub[96];
  lk_store_options opt = options(fx);
  lk_store *s = NULL;
  struct stat st;
  int version = -1;
  int64_t seq = -1;

  snprintf(sub, sizeof(sub), "%s/data", fx->dir.path);
  opt.dir = sub;
  assert_int_equal(lk_store_open(&opt, &s), 0);
  assert_int_equal(stat(sub, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_true(lk_store_latest_version() >= 2);
  assert_int_equal(lk_store_schema_version(s, &version), 0);
  assert_int_equal(version, lk_store_latest_version());
  assert_int_equal(lk_store_last_event_seq(s, &seq), 0);
  assert_int_equal(seq, 0);
  assert_true(lk_store_writable(s));
  lk_store_close(s);
  /* Opening again finds everything in place. */
  s = NULL;
  assert_int_equal(lk_store_open(&opt, &s), 0);
  assert_int_equal(lk_store_schema_version(s, &version), 0);
  assert_int_equal(version, lk_store_latest_version());
  lk_store_close(s);
  lk_store_close(NULL);
}

static void test_open_fails_cleanly(void **state) {
  fixture *fx = *state;
  char file[96];
  lk_store_options opt = options(fx);
  lk_store *s = (lk_store *)&opt;
  FILE *f;

  /* The data directory is a regular file. */
  snprintf(file, sizeof(file), "%s/file", fx->dir.path);
  f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  opt.dir = file;
  assert_int_equal(lk_store_open(&opt, &s), LK_STORE_IO);
  assert_ptr_equal(s, (lk_store *)&opt);
}

static void test_strerror(void **state) {
  static const int codes[] = {
      LK_STORE_NOTFOUND, LK_STORE_CONFLICT, LK_STORE_IO,     LK_STORE_CLOSED,
      LK_STORE_NOMEM,    LK_STORE_SCHEMA,   LK_STORE_INVALID};
  const char *unknown = lk_store_strerror(-1);

  (void)state;
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    const char *msg = lk_store_strerror(codes[i]);

    assert_non_null(msg);
    assert_string_not_equal(msg, unknown);
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(msg, lk_store_strerror(codes[j]));
  }
}

static int audit_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_store_audit(tx, "cli", "test.audited", "tok_x", "{\"a\":1}");
}

static void test_migrate_step_by_step_keeps_data(void **state) {
  fixture *fx = *state;
  lk_store_options opt = options(fx);
  lk_token_row t;
  int version = -1;
  int from = -1;
  int to = -1;
  int count = 0;

  opt.no_migrate = true;
  assert_int_equal(lk_store_open(&opt, &fx->store), 0);
  assert_int_equal(lk_store_schema_version(fx->store, &version), 0);
  assert_int_equal(version, 0);

  assert_int_equal(lk_store_migrate(fx->store, 1, &from, &to, NULL), 0);
  assert_int_equal(from, 0);
  assert_int_equal(to, 1);
  assert_int_equal(insert_token(fx->store, "tok_000000000000000a", "h1"), 0);
  assert_int_equal(emit(fx->store, "test.v1", "s1", 0), 0);
  /* Version 1 has no audit log yet. */
  assert_int_not_equal(lk_store_write(fx->store, audit_apply, NULL), 0);
  /* Migrating to where we are is a no-op. */
  assert_int_equal(lk_store_migrate(fx->store, 1, &from, &to, NULL), 0);
  assert_int_equal(from, 1);
  assert_int_equal(to, 1);

  assert_int_equal(lk_store_migrate(fx->store, 0, &from, &to, NULL), 0);
  assert_int_equal(from, 1);
  assert_int_equal(to, lk_store_latest_version());
  assert_int_equal(lk_store_schema_version(fx->store, &version), 0);
  assert_int_equal(version, lk_store_latest_version());
  assert_int_equal(lk_store_token_get(fx->store, "tok_000000000000000a", &t),
                   0);
  assert_string_equal(t.name, "CRM");
  assert_int_equal(lk_store_write(fx->store, audit_apply, NULL), 0);

  /* No way down, and nothing past the newest. */
  from = to = -7;
  assert_int_equal(lk_store_migrate(fx->store, 1, &from, &to, NULL),
                   LK_STORE_INVALID);
  assert_int_equal(lk_store_migrate(fx->store, lk_store_latest_version() + 1,
                                    &from, &to, NULL),
                   LK_STORE_INVALID);
  assert_int_equal(lk_store_migrate(fx->store, -1, NULL, NULL, NULL),
                   LK_STORE_INVALID);
  assert_int_equal(from, -7);
  assert_int_equal(to, -7);

  reopen_store(fx);
  assert_int_equal(lk_store_token_get(fx->store, "tok_000000000000000a", &t),
                   0);
  assert_int_equal(
      lk_store_events_after(fx->store, 0, 10, count_event_fn, &count), 1);
}

static void set_schema_version(const char *dir, int version) {
  char path[128];
  char sql[160];
  sqlite3 *db;

  snprintf(path, sizeof(path), "%s/loket.db", dir);
  snprintf(sql, sizeof(sql),
           "INSERT INTO schema_migrations (version, name, applied_at)"
           " VALUES (%d, 'from_the_future', 0)",
           version);
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void test_newer_schema_is_refused(void **state) {
  fixture *fx = *state;
  lk_store_options opt = options(fx);
  lk_store *s = (lk_store *)&opt;

  open_store(fx);
  lk_store_close(fx->store);
  fx->store = NULL;
  set_schema_version(fx->dir.path, lk_store_latest_version() + 1);

  assert_int_equal(lk_store_open(&opt, &s), LK_STORE_SCHEMA);
  assert_ptr_equal(s, (lk_store *)&opt);
  opt.no_migrate = true;
  assert_int_equal(lk_store_open(&opt, &s), LK_STORE_SCHEMA);
  assert_ptr_equal(s, (lk_store *)&opt);
}

/* ---- the writer ----------------------------------------------------- */

/* A write that holds the writer until released, so that writes submitted
 * meanwhile are all waiting when it wakes up: they form one batch. */
typedef struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool entered;
  bool open;
} gate;

static int gate_apply(lk_tx *tx, void *arg) {
  gate *g = arg;

  (void)tx;
  pthread_mutex_lock(&g->lock);
  g->entered = true;
  pthread_cond_broadcast(&g->cond);
  while (!g->open)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
  return 0;
}

static void gate_init(gate *g) {
  pthread_mutex_init(&g->lock, NULL);
  pthread_cond_init(&g->cond, NULL);
  g->entered = false;
  g->open = false;
}

static void gate_wait_entered(gate *g) {
  pthread_mutex_lock(&g->lock);
  while (!g->entered)
    pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

static void gate_release(gate *g) {
  pthread_mutex_lock(&g->lock);
  g->open = true;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

static void gate_destroy(gate *g) {
  pthread_cond_destroy(&g->cond);
  pthread_mutex_destroy(&g->lock);
}

#define NJOBS 8

typedef struct jobs jobs;

typedef struct job {
  lk_write w;
  jobs *all;
  int index;
  int nemit;      /* events to emit */
  bool dup_id;    /* insert job 0's token id again */
  bool fill_disk; /* make the database full, then write a large row */
  int fail_with;  /* returned at the end; 0 commits */
  int status;
  int64_t tx_now;
} job;

struct jobs {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int ndone;
  job items[NJOBS];
};

static void job_id(char *out, size_t size, int index) {
  snprintf(out, size, "tok_%016x", index);
}

/* Caps the database at its present size, then writes a row that needs
 * new pages: SQLITE_FULL, as on a full disk. */
static int fill_disk(lk_tx *tx) {
  lk_buf big = LK_BUF_INIT;
  int rc;

  rc = lk_db_exec(lk_tx_db(tx), "PRAGMA max_page_count = 1");
  for (int i = 0; i < 20000 && rc == 0; i++)
    lk_buf_puts(&big, "0123456789");
  if (rc == 0)
    rc = lk_store_audit(tx, "test", "fill", "disk", big.data);
  lk_buf_free(&big);
  return rc != 0 ? rc : -44;
}

static int unlimit_disk(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx), "PRAGMA max_page_count = 1073741823");
}

static int job_apply(lk_tx *tx, void *arg) {
  job *j = arg;
  token_op op;
  char id[LK_TOKEN_ID_LEN + 1];
  char hash[16];
  int rc;

  j->tx_now = lk_tx_now(tx);
  job_id(id, sizeof(id), j->dup_id ? 0 : j->index);
  snprintf(hash, sizeof(hash), "hash-%d", j->index);
  token_fill(&op.row, id, "job", "api");
  rc = lk_store_token_insert(tx, &op.row, hash);
  if (rc != 0)
    return rc;
  if (j->fill_disk)
    return fill_disk(tx);
  for (int i = 0; i < j->nemit && rc == 0; i++) {
    char subject[32];

    snprintf(subject, sizeof(subject), "job%d.%d", j->index, i);
    rc = lk_tx_emit(tx, "test.job", subject, "{}");
  }
  return rc != 0 ? rc : j->fail_with;
}

static void job_done(int status, void *arg) {
  job *j = arg;
  jobs *all = j->all;

  pthread_mutex_lock(&all->lock);
  j->status = status;
  all->ndone++;
  pthread_cond_broadcast(&all->cond);
  pthread_mutex_unlock(&all->lock);
}

static void jobs_init(jobs *all) {
  memset(all, 0, sizeof(*all));
  pthread_mutex_init(&all->lock, NULL);
  pthread_cond_init(&all->cond, NULL);
  for (int i = 0; i < NJOBS; i++) {
    job *j = &all->items[i];

    j->all = all;
    j->index = i;
    j->nemit = 1;
    j->status = 1; /* not yet told */
    j->w.apply = job_apply;
    j->w.done = job_done;
    j->w.arg = j;
  }
  /* The failures, spread through the batch. */
  all->items[2].fail_with = -42; /* fails after writing and emitting */
  all->items[5].dup_id = true;   /* the insert itself fails */
  all->items[6].nemit = 2;       /* two events, then fails */
  all->items[6].fail_with = -43;
  all->items[7].nemit = 3; /* three events, commits */
}

/* The jobs jobs_init() sets up to fail. */
static bool job_fails(int index) {
  return index == 2 || index == 5 || index == 6;
}

static void jobs_wait(jobs *all) {
  pthread_mutex_lock(&all->lock);
  while (all->ndone < NJOBS)
    pthread_cond_wait(&all->cond, &all->lock);
  pthread_mutex_unlock(&all->lock);
}

static void jobs_destroy(jobs *all) {
  pthread_cond_destroy(&all->cond);
  pthread_mutex_destroy(&all->lock);
}

/* Submits the jobs while the writer is held, then lets it go.  Returns the
 * number of commits the jobs took. */
static uint64_t run_jobs(lk_store *s, jobs *all) {
  gate g;
  lk_write gw = {.apply = gate_apply, .arg = &g};
  lk_store_stats before;
  lk_store_stats after;

  gate_init(&g);
  assert_int_equal(lk_store_submit(s, &gw), 0);
  gate_wait_entered(&g);
  lk_store_stats_get(s, &before);
  for (int i = 0; i < NJOBS; i++)
    assert_int_equal(lk_store_submit(s, &all->items[i].w), 0);
  gate_release(&g);
  jobs_wait(all);
  lk_store_stats_get(s, &after);
  gate_destroy(&g);
  /* The gate's own commit happens after `before` was taken. */
  return after.commits - before.commits - 1;
}

static void test_failed_write_rolls_back_only_itself(void **state) {
  fixture *fx = *state;
  jobs all;
  lk_token_row t;
  collected c = {.n = 0};
  char id[LK_TOKEN_ID_LEN + 1];
  int ok_events = 0;
  int n;

  jobs_init(&all);
  assert_int_equal(run_jobs(fx->store, &all), 1); /* one batch */
  for (int i = 0; i < NJOBS; i++) {
    job *j = &all.items[i];

    /* Each write is told its own outcome. */
    if (i == 2)
      assert_int_equal(j->status, -42);
    else if (i == 5)
      assert_int_equal(j->status, LK_STORE_CONFLICT);
    else if (i == 6)
      assert_int_equal(j->status, -43);
    else
      assert_int_equal(j->status, 0);
    /* One transaction, one time. */
    assert_true(j->tx_now == all.items[0].tx_now);
    job_id(id, sizeof(id), i);
    assert_int_equal(lk_store_token_get(fx->store, id, &t),
                     job_fails(i) ? LK_STORE_NOTFOUND : 0);
    if (j->status == 0)
      ok_events += j->nemit;
  }
  /* Job 5 wrote nothing, not even under its own hash. */
  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-5", &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-0", &t), 0);

  /* Only committed events exist, and only they were delivered, in order
   * and without holes. */
  n = lk_store_events_after(fx->store, 0, 64, collect_event, &c);
  assert_int_equal(n, ok_events);
  wait_seen(fx, ok_events);
  assert_int_equal(seen_count(fx), ok_events);
  for (int i = 0; i < n; i++) {
    assert_int_equal(c.ev[i].seq, i + 1);
    assert_int_equal(fx->seen[i].seq, c.ev[i].seq);
    assert_string_equal(fx->seen[i].subject, c.ev[i].subject);
    assert_null(strstr(c.ev[i].subject, "job2."));
    assert_null(strstr(c.ev[i].subject, "job5."));
    assert_null(strstr(c.ev[i].subject, "job6."));
  }
  assert_string_equal(c.ev[0].subject, "job0.0");
  assert_string_equal(c.ev[n - 1].subject, "job7.2");
  jobs_destroy(&all);
}

/* When a write's failure ends the whole transaction (a full disk), no
 * write of the batch may be reported as failed yet be committed, or the
 * other way round. */
static void test_full_disk_fails_the_batch_truthfully(void **state) {
  fixture *fx = *state;
  jobs all;
  lk_token_row t;
  char id[LK_TOKEN_ID_LEN + 1];
  int ncommitted = 0;

  jobs_init(&all);
  for (int i = 0; i < NJOBS; i++) {
    all.items[i].fail_with = 0;
    all.items[i].dup_id = false;
  }
  all.items[3].fill_disk = true;
  run_jobs(fx->store, &all);
  assert_int_equal(lk_store_write(fx->store, unlimit_disk, NULL), 0);
  assert_int_not_equal(all.items[3].status, 0);
  for (int i = 0; i < NJOBS; i++) {
    job_id(id, sizeof(id), i);
    assert_int_equal(lk_store_token_get(fx->store, id, &t),
                     all.items[i].status == 0 ? 0 : LK_STORE_NOTFOUND);
    ncommitted += all.items[i].status == 0;
  }
  /* The events delivered are exactly those of the committed writes. */
  wait_seen(fx, ncommitted);
  assert_int_equal(seen_count(fx), ncommitted);
  jobs_destroy(&all);
}

static void test_without_group_commit_each_write_commits_alone(void **state) {
  fixture *fx = *state;
  lk_store_options opt = options(fx);
  jobs all;
  lk_token_row t;
  char id[LK_TOKEN_ID_LEN + 1];

  opt.group_commit = false;
  assert_int_equal(lk_store_open(&opt, &fx->store), 0);
  jobs_init(&all);
  assert_int_equal(run_jobs(fx->store, &all), NJOBS);
  for (int i = 0; i < NJOBS; i++) {
    job_id(id, sizeof(id), i);
    assert_int_equal(lk_store_token_get(fx->store, id, &t),
                     job_fails(i) ? LK_STORE_NOTFOUND : 0);
  }
  assert_int_equal(all.items[0].status, 0);
  assert_int_equal(all.items[2].status, -42);
  assert_int_equal(all.items[5].status, LK_STORE_CONFLICT);
  assert_int_equal(all.items[6].status, -43);
  assert_int_equal(all.items[7].status, 0);
  jobs_destroy(&all);
}

static void test_stats(void **state) {
  fixture *fx = *state;
  lk_store_stats before;
  lk_store_stats after;

  lk_store_stats_get(fx->store, &before);
  assert_int_equal(emit(fx->store, "t", "s", 0), 0);
  assert_int_equal(emit(fx->store, "t", "s", -5), -5);
  lk_store_stats_get(fx->store, &after);
  assert_int_equal(after.writes - before.writes, 2);
  assert_int_equal(after.failed_writes - before.failed_writes, 1);
  assert_int_equal(after.commits - before.commits, 2);
  assert_non_null(after.commit_seconds);
  assert_non_null(after.batch_size);
}

/* ---- events --------------------------------------------------------- */

static void test_failed_write_emits_nothing(void **state) {
  fixture *fx = *state;
  collected c = {.n = 0};

  assert_int_equal(emit(fx->store, "test.a", "one", 0), 0);
  assert_int_equal(emit(fx->store, "test.b", "lost", -9), -9);
  assert_int_equal(emit(fx->store, "test.c", "two", 0), 0);
  wait_seen(fx, 2);
  assert_int_equal(lk_store_events_after(fx->store, 0, 10, collect_event, &c),
                   2);
  assert_string_equal(c.ev[0].subject, "one");
  assert_string_equal(c.ev[1].subject, "two");
  assert_int_equal(c.ev[1].seq, c.ev[0].seq + 1);
  /* Nothing else arrives: one more event shows what came before it. */
  assert_int_equal(emit(fx->store, "test.d", "three", 0), 0);
  wait_seen(fx, 3);
  assert_int_equal(seen_count(fx), 3);
  assert_string_equal(fx->seen[0].subject, "one");
  assert_string_equal(fx->seen[1].subject, "two");
  assert_string_equal(fx->seen[2].subject, "three");
}

static void test_events_after(void **state) {
  fixture *fx = *state;
  collected c = {.n = 0};
  emit_op op = {"test.payload", "sub_1", "{\"name\":\"x\",\"n\":[1,2]}", 0};
  int64_t last = -1;
  int count = 0;
  char subject[16];

  for (int i = 1; i <= 5; i++) {
    snprintf(subject, sizeof(subject), "s%d", i);
    assert_int_equal(emit(fx->store, "test.n", subject, 0), 0);
  }
  assert_int_equal(lk_store_write(fx->store, emit_apply, &op), 0);
  assert_int_equal(lk_store_last_event_seq(fx->store, &last), 0);
  assert_int_equal(last, 6);

  assert_int_equal(lk_store_events_after(fx->store, 2, 2, collect_event, &c),
                   2);
  assert_int_equal(c.ev[0].seq, 3);
  assert_int_equal(c.ev[1].seq, 4);
  assert_string_equal(c.ev[0].subject, "s3");
  assert_string_equal(c.ev[0].type, "test.n");

  c.n = 0;
  assert_int_equal(lk_store_events_after(fx->store, 5, 100, collect_event, &c),
                   1);
  assert_string_equal(c.ev[0].type, "test.payload");
  assert_string_equal(c.ev[0].subject, "sub_1");
  assert_string_equal(c.ev[0].payload, "{\"name\":\"x\",\"n\":[1,2]}");
  assert_true(c.ev[0].time_ms > 1704067200000); /* a real Unix time */

  assert_int_equal(
      lk_store_events_after(fx->store, 6, 100, count_event_fn, &count), 0);
  assert_int_equal(
      lk_store_events_after(fx->store, 0, 100, count_event_fn, &count), 6);
  assert_int_equal(count, 6);

  /* on_events saw the same, in the same order. */
  wait_seen(fx, 6);
  for (int i = 0; i < 6; i++)
    assert_int_equal(fx->seen[i].seq, i + 1);
  assert_string_equal(fx->seen[5].payload, c.ev[0].payload);
  assert_true(fx->seen[5].time_ms == c.ev[0].time_ms);
}

static void test_events_of_another_writer_are_delivered(void **state) {
  fixture *fx = *state;
  lk_store_options other_opt = {.dir = fx->dir.path, .group_commit = true};
  lk_store *other;

  /* A second store on the same directory plays the CLI. */
  assert_int_equal(lk_store_open(&other_opt, &other), 0);
  assert_int_equal(emit(fx->store, "test.own", "first", 0), 0);
  assert_int_equal(emit(other, "test.cli", "foreign", 0), 0);
  assert_int_equal(emit(fx->store, "test.own", "last", 0), 0);
  wait_seen(fx, 3);
  assert_int_equal(seen_count(fx), 3);
  assert_string_equal(fx->seen[0].subject, "first");
  assert_string_equal(fx->seen[1].subject, "foreign");
  assert_string_equal(fx->seen[2].subject, "last");
  for (int i = 0; i < 3; i++)
    assert_int_equal(fx->seen[i].seq, i + 1);
  lk_store_close(other);
}

/* ---- tokens --------------------------------------------------------- */

static void list_into(const lk_token_row *t, void *ud) {
  lk_buf *b = ud;

  lk_buf_puts(b, t->id);
  lk_buf_putc(b, ' ');
}

static void test_token_insert_get_list(void **state) {
  fixture *fx = *state;
  token_op op;
  lk_token_row t;
  lk_token_row untouched;
  lk_buf b = LK_BUF_INIT;

  token_fill(&op.row, "tok_0000000000000002", "Zaaksysteem \xe2\x82\xac",
             "api events");
  op.hash = "hash-2";
  assert_int_equal(lk_store_write(fx->store, token_insert_apply, &op), 0);
  assert_int_equal(insert_token(fx->store, "tok_0000000000000003", "hash-3"),
                   0);
  assert_int_equal(insert_token(fx->store, "tok_0000000000000001", "hash-1"),
                   0);

  memset(&t, 0x5a, sizeof(t));
  assert_int_equal(lk_store_token_get(fx->store, "tok_0000000000000002", &t),
                   0);
  assert_string_equal(t.id, "tok_0000000000000002");
  assert_string_equal(t.name, "Zaaksysteem \xe2\x82\xac");
  assert_string_equal(t.scopes, "api events");
  assert_true(t.created_at == 1700000000000);
  assert_int_equal(t.last_used_at, 0);
  assert_int_equal(t.revoked_at, 0);

  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-3", &t), 0);
  assert_string_equal(t.id, "tok_0000000000000003");

  memset(&t, 0x5a, sizeof(t));
  memcpy(&untouched, &t, sizeof(t));
  assert_int_equal(lk_store_token_get(fx->store, "tok_nope", &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_token_by_hash(fx->store, "nope", &t),
                   LK_STORE_NOTFOUND);
  assert_memory_equal(&t, &untouched, sizeof(t));

  /* Listed by id, in pages. */
  assert_int_equal(lk_store_token_list(fx->store, "", 10, list_into, &b), 3);
  assert_string_equal(b.data, "tok_0000000000000001 tok_0000000000000002 "
                              "tok_0000000000000003 ");
  lk_buf_reset(&b);
  assert_int_equal(lk_store_token_list(fx->store, "", 2, list_into, &b), 2);
  assert_string_equal(b.data, "tok_0000000000000001 tok_0000000000000002 ");
  lk_buf_reset(&b);
  assert_int_equal(
      lk_store_token_list(fx->store, "tok_0000000000000002", 2, list_into, &b),
      1);
  assert_string_equal(b.data, "tok_0000000000000003 ");
  lk_buf_reset(&b);
  assert_int_equal(
      lk_store_token_list(fx->store, "tok_0000000000000003", 2, list_into, &b),
      0);
  assert_string_equal(b.data, "");
  lk_buf_free(&b);
}

static void test_token_conflicts(void **state) {
  fixture *fx = *state;
  lk_token_row t;

  assert_int_equal(insert_token(fx->store, "tok_0000000000000001", "hash-1"),
                   0);
  /* The same id, or the same secret, cannot be stored twice. */
  assert_int_equal(insert_token(fx->store, "tok_0000000000000001", "hash-9"),
                   LK_STORE_CONFLICT);
  assert_int_equal(insert_token(fx->store, "tok_0000000000000009", "hash-1"),
                   LK_STORE_CONFLICT);
  assert_int_equal(lk_store_token_get(fx->store, "tok_0000000000000009", &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-9", &t),
                   LK_STORE_NOTFOUND);
  /* The writer carries on. */
  assert_int_equal(insert_token(fx->store, "tok_0000000000000002", "hash-2"),
                   0);
}

static void test_token_revoke(void **state) {
  fixture *fx = *state;
  revoke_op op = {"tok_0000000000000001", 1800000000000};
  revoke_op unknown = {"tok_00000000000000ff", 1800000000000};
  lk_token_row t;

  assert_int_equal(insert_token(fx->store, "tok_0000000000000001", "hash-1"),
                   0);
  assert_int_equal(insert_token(fx->store, "tok_0000000000000002", "hash-2"),
                   0);
  assert_int_equal(lk_store_write(fx->store, revoke_apply, &op), 0);
  assert_int_equal(lk_store_token_get(fx->store, op.id, &t), 0);
  assert_true(t.revoked_at == 1800000000000);
  /* A revoked token no longer authenticates; the other still does. */
  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-1", &t),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_token_by_hash(fx->store, "hash-2", &t), 0);
  /* Revoking twice, or what does not exist, finds nothing to revoke. */
  op.when = 1900000000000;
  assert_int_equal(lk_store_write(fx->store, revoke_apply, &op),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_write(fx->store, revoke_apply, &unknown),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_store_token_get(fx->store, op.id, &t), 0);
  assert_true(t.revoked_at == 1800000000000);
}

/* ---- users ---------------------------------------------------------- */

typedef struct user_op {
  lk_user_row row;
  const char *hash;
} user_op;

static int user_insert_apply(lk_tx *tx, void *arg) {
  user_op *op = arg;

  return lk_store_user_insert(tx, &op->row, op->hash);
}

static void user_fill(user_op *op, const char *id, const char *email) {
  memset(op, 0, sizeof(*op));
  copy(op->row.id, sizeof(op->row.id), id);
  copy(op->row.email, sizeof(op->row.email), email);
  copy(op->row.role, sizeof(op->row.role), "agent");
  copy(op->row.display_name, sizeof(op->row.display_name), "Anna");
  op->row.created_at = 1700000000000;
  op->row.password_changed_at = 1700000000001;
  op->hash = "$argon2id$fake";
}

static void test_users(void **state) {
  fixture *fx = *state;
  user_op op;
  lk_user_row u;
  char hash[128];

  user_fill(&op, "usr_0000000000000001", "anna@example.org");
  assert_int_equal(lk_store_write(fx->store, user_insert_apply, &op), 0);

  memset(hash, 0, sizeof(hash));
  assert_int_equal(lk_store_user_by_email(fx->store, "anna@example.org", &u,
                                          hash, sizeof(hash)),
                   0);
  assert_string_equal(u.id, "usr_0000000000000001");
  assert_string_equal(u.email, "anna@example.org");
  assert_string_equal(u.role, "agent");
  assert_string_equal(u.display_name, "Anna");
  assert_true(u.created_at == 1700000000000);
  assert_true(u.password_changed_at == 1700000000001);
  assert_int_equal(u.disabled_at, 0);
  assert_string_equal(hash, "$argon2id$fake");
  /* The hash is optional, and truncated to what the caller has room for. */
  assert_int_equal(
      lk_store_user_by_email(fx->store, "anna@example.org", &u, NULL, 0), 0);
  assert_int_equal(
      lk_store_user_by_email(fx->store, "anna@example.org", &u, hash, 5), 0);
  assert_string_equal(hash, "$arg");
  hash[0] = 'x';
  assert_int_equal(
      lk_store_user_by_email(fx->store, "anna@example.org", &u, hash, 0), 0);
  assert_int_equal(hash[0], 'x');

  assert_int_equal(lk_store_user_by_email(fx->store, "bob@example.org", &u,
                                          hash, sizeof(hash)),
                   LK_STORE_NOTFOUND);
  /* One account per address; ids are unique too. */
  user_fill(&op, "usr_0000000000000002", "anna@example.org");
  assert_int_equal(lk_store_write(fx->store, user_insert_apply, &op),
                   LK_STORE_CONFLICT);
  user_fill(&op, "usr_0000000000000001", "other@example.org");
  assert_int_equal(lk_store_write(fx->store, user_insert_apply, &op),
                   LK_STORE_CONFLICT);
  user_fill(&op, "usr_0000000000000003", "root@example.org");
  copy(op.row.role, sizeof(op.row.role), "root");
  assert_int_not_equal(lk_store_write(fx->store, user_insert_apply, &op), 0);
  assert_int_equal(
      lk_store_user_by_email(fx->store, "root@example.org", &u, NULL, 0),
      LK_STORE_NOTFOUND);
}

/* ---- concurrency and shutdown --------------------------------------- */

#define WRITERS 16
#define WRITES 200

typedef struct writer_arg {
  lk_store *store;
  int index;
  int failures;
} writer_arg;

static void *writer_thread(void *arg) {
  writer_arg *w = arg;
  char subject[32];

  for (int i = 0; i < WRITES; i++) {
    snprintf(subject, sizeof(subject), "w%02d-%04d", w->index, i);
    if (emit(w->store, "test.many", subject, 0) != 0)
      w->failures++;
  }
  return NULL;
}

static void test_many_concurrent_writers(void **state) {
  fixture *fx = *state;
  pthread_t threads[WRITERS];
  writer_arg args[WRITERS];
  int next[WRITERS] = {0};
  int64_t last = 0;
  int count = 0;

  for (int i = 0; i < WRITERS; i++) {
    args[i] = (writer_arg){fx->store, i, 0};
    assert_int_equal(pthread_create(&threads[i], NULL, writer_thread, &args[i]),
                     0);
  }
  for (int i = 0; i < WRITERS; i++) {
    pthread_join(threads[i], NULL);
    assert_int_equal(args[i].failures, 0);
  }
  /* Every acknowledged write was delivered once, in commit order, and each
   * thread's writes in the order it made them. */
  wait_seen(fx, WRITERS * WRITES);
  assert_int_equal(seen_count(fx), WRITERS * WRITES);
  for (int i = 0; i < WRITERS * WRITES; i++) {
    int w =
        (fx->seen[i].subject[1] - '0') * 10 + (fx->seen[i].subject[2] - '0');
    int n = (int)strtol(fx->seen[i].subject + 4, NULL, 10);

    assert_int_equal(fx->seen[i].seq, i + 1);
    assert_true(w >= 0 && w < WRITERS);
    assert_int_equal(n, next[w]);
    next[w]++;
  }
  /* And it is all on disk. */
  reopen_store(fx);
  assert_int_equal(lk_store_last_event_seq(fx->store, &last), 0);
  assert_int_equal(last, WRITERS * WRITES);
  assert_int_equal(lk_store_events_after(fx->store, 0, 2 * WRITERS * WRITES,
                                         count_event_fn, &count),
                   WRITERS * WRITES);
}

typedef struct async_write {
  lk_write w;
  emit_op op;
  int *ndone;
  int status;
} async_write;

static int async_apply(lk_tx *tx, void *arg) {
  async_write *a = arg;

  return emit_apply(tx, &a->op);
}

static void async_done(int status, void *arg) {
  async_write *a = arg;

  a->status = status;
  (*a->ndone)++; /* only the writer thread calls this */
}

static void test_close_commits_what_was_submitted(void **state) {
  fixture *fx = *state;
  async_write writes[50];
  int ndone = 0;
  int count = 0;

  for (int i = 0; i < 50; i++) {
    writes[i] = (async_write){
        .op = {"test.async", "a", "{}", 0}, .ndone = &ndone, .status = 1};
    writes[i].w.apply = async_apply;
    writes[i].w.done = async_done;
    writes[i].w.arg = &writes[i];
    assert_int_equal(lk_store_submit(fx->store, &writes[i].w), 0);
  }
  /* Close does not return before every submitted write is committed and
   * its caller told. */
  lk_store_close(fx->store);
  fx->store = NULL;
  assert_int_equal(ndone, 50);
  for (int i = 0; i < 50; i++)
    assert_int_equal(writes[i].status, 0);
  open_store(fx);
  assert_int_equal(
      lk_store_events_after(fx->store, 0, 100, count_event_fn, &count), 50);
}

/* ---- the full-text index, filled once per commit ------------------- */

static int64_t count_sql(lk_store *s, const char *sql) {
  int64_t n = -1;
  lk_db *db;

  assert_int_equal(lk_store_reader(s, &db), 0);
  assert_int_equal(lk_store_query_int(db, sql, &n), 0);
  lk_store_reader_release(s, db);
  return n;
}

#define CONTACT(id, text)                                                      \
  "INSERT INTO contacts (id, kind, channel, content, occurred_at,"             \
  " created_at) VALUES ('" id "', 'inbound', 'email', '" text "', 1, 1);"

/* A message kept, and one deleted within the same write. */
static int fts_keep_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(
      lk_tx_db(tx),
      CONTACT("c-a", "alpha")
          CONTACT("c-b", "bravo") "DELETE FROM contacts WHERE id = 'c-b';");
}

/* A message whose write fails: its savepoint rolls back. */
static int fts_fail_apply(lk_tx *tx, void *arg) {
  (void)arg;
  assert_int_equal(lk_db_exec(lk_tx_db(tx), CONTACT("c-c", "charlie")), 0);
  return -42;
}

static int fts_update_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx),
                    "UPDATE contacts SET content = 'delta' WHERE id = 'c-a';");
}

/* What a commit indexes is exactly what it committed (migration 0010):
 * no message of a failed write, none deleted before the commit, and the
 * queue is empty after every commit. */
static void test_fts_indexes_what_commits(void **state) {
  fixture *fx = *state;

  assert_int_equal(lk_store_write(fx->store, fts_keep_apply, NULL), 0);
  assert_int_equal(lk_store_write(fx->store, fts_fail_apply, NULL), -42);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"),
                   1);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'alpha'"
                                        " AND rowid = (SELECT seq FROM"
                                        " contacts WHERE id = 'c-a')"),
                   1);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'bravo'"),
                   0);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'charlie'"),
                   0);
  assert_int_equal(
      count_sql(fx->store, "SELECT count(*) FROM contacts_fts_queue"), 0);
  /* A later change of the text reaches the index through 0003's trigger. */
  assert_int_equal(lk_store_write(fx->store, fts_update_apply, NULL), 0);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'delta'"),
                   1);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'alpha'"),
                   0);
}

/* Breaks the batch's indexing step: without the index the flush before
 * COMMIT fails. */
static int fts_break_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx),
                    CONTACT("c-x", "xray") "DROP TABLE contacts_fts;");
}

/* If indexing fails, the batch does not commit, every write of it says
 * so, and the writer goes on. */
static void test_fts_failure_fails_the_batch(void **state) {
  fixture *fx = *state;

  assert_int_equal(lk_store_write(fx->store, fts_break_apply, NULL),
                   LK_STORE_IO);
  assert_int_equal(
      count_sql(fx->store, "SELECT count(*) FROM contacts WHERE id = 'c-x'"),
      0);
  assert_int_equal(lk_store_write(fx->store, fts_keep_apply, NULL), 0);
  assert_int_equal(count_sql(fx->store, "SELECT count(*) FROM contacts_fts"
                                        " WHERE contacts_fts MATCH 'alpha'"),
                   1);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TO(name) cmocka_unit_test_setup_teardown(name, setup_open, teardown)
  const struct CMUnitTest tests[] = {
      T(test_open_creates_directory_and_schema),
      T(test_open_fails_cleanly),
      cmocka_unit_test(test_strerror),
      T(test_migrate_step_by_step_keeps_data),
      T(test_newer_schema_is_refused),
      TO(test_failed_write_rolls_back_only_itself),
      TO(test_full_disk_fails_the_batch_truthfully),
      T(test_without_group_commit_each_write_commits_alone),
      TO(test_stats),
      TO(test_failed_write_emits_nothing),
      TO(test_events_after),
      TO(test_events_of_another_writer_are_delivered),
      TO(test_token_insert_get_list),
      TO(test_token_conflicts),
      TO(test_token_revoke),
      TO(test_users),
      TO(test_many_concurrent_writers),
      TO(test_close_commits_what_was_submitted),
      TO(test_fts_indexes_what_commits),
      TO(test_fts_failure_fails_the_batch),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
