/* measure.c - rows of service norms, live norm state and figures; see
 * store/measure.h and migration 0016. */
#include "store/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* ---- configuration -------------------------------------------------- */

struct config_out {
  int64_t version;
  char *config;
  size_t size;
  bool too_big;
};

static void config_row(lk_stmt *st, void *ud) {
  struct config_out *o = ud;
  const char *text = lk_stmt_col_text(st, 1);

  o->version = lk_stmt_col_int(st, 0);
  if (strlen(text) >= o->size)
    o->too_big = true;
  lk_store_copy(o->config, o->size, text);
}

int lk_store_measure_config_latest(lk_store *s, int64_t *version, char *config,
                                   size_t size) {
  static const char sql[] = "SELECT version, config FROM measure_config"
                            " ORDER BY version DESC LIMIT 1";
  struct config_out o = {0, config, size, false};
  int n = lk_rows_read(s, sql, NULL, 0, NULL, 0, config_row, &o);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *version = o.version;
  return o.too_big ? LK_STORE_INVALID : 0;
}

int lk_store_measure_config_newest(lk_tx *tx, int64_t *version) {
  static const char sql[] =
      "SELECT COALESCE(MAX(version), 0) FROM measure_config";

  return lk_store_query_int(lk_tx_db(tx), sql, version);
}

int lk_store_measure_config_get(lk_tx *tx, int64_t version, char *config,
                                size_t size) {
  static const char sql[] = "SELECT version, config FROM measure_config"
                            " WHERE version = ?1";
  struct config_out o = {0, config, size, false};
  int n = lk_rows(lk_tx_db(tx), sql, NULL, 0, &version, 1, config_row, &o);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  return o.too_big ? LK_STORE_INVALID : 0;
}

int lk_store_measure_config_add(lk_tx *tx, const char *config,
                                const char *actor, int64_t *version) {
  static const char last[] =
      "SELECT COALESCE(MAX(version), 0) FROM measure_config";
  static const char ins[] = "INSERT INTO measure_config"
                            " (version, config, created_at, created_by)"
                            " VALUES (?3, ?1, ?4, ?2)";
  const char *texts[] = {config, actor};
  int64_t nums[2];
  int rc = lk_store_query_int(lk_tx_db(tx), last, &nums[0]);

  if (rc != 0)
    return rc;
  nums[0]++;
  nums[1] = lk_tx_now(tx);
  rc = lk_rows_write(tx, ins, texts, 2, nums, 2, false);
  if (rc == 0)
    *version = nums[0];
  return rc;
}

/* ---- conversations -------------------------------------------------- */

#define MCONV_BASE                                                             \
  "id, channel, team_id, categories, assignee_id, status, confidential,"       \
  " created_at, inbound, reopened,"                                            \
  " fr_state, fr_start, fr_used, fr_target, fr_business, fr_deadline,"         \
  " nr_state, nr_start, nr_used, nr_target, nr_business, nr_deadline,"         \
  " res_state, res_start, res_used, res_target, res_business, res_deadline,"   \
  " res_hour, res_ms, res_met, res_fcr, res_team"
#define MCONV_COLUMNS MCONV_BASE ", COALESCE(due, 0)"
#define MCONV_COLUMNS_INS MCONV_BASE ", due"

static void mconv_row(lk_stmt *st, void *ud) {
  lk_mconv *c = ud;
  int col = 10;

  memset(c, 0, sizeof(*c));
  lk_store_copy(c->id, sizeof(c->id), lk_stmt_col_text(st, 0));
  lk_store_copy(c->channel, sizeof(c->channel), lk_stmt_col_text(st, 1));
  lk_store_copy(c->team_id, sizeof(c->team_id), lk_stmt_col_text(st, 2));
  lk_store_copy(c->categories, sizeof(c->categories), lk_stmt_col_text(st, 3));
  lk_store_copy(c->assignee_id, sizeof(c->assignee_id),
                lk_stmt_col_text(st, 4));
  lk_store_copy(c->status, sizeof(c->status), lk_stmt_col_text(st, 5));
  c->confidential = lk_stmt_col_int(st, 6) != 0;
  c->created_at = lk_stmt_col_int(st, 7);
  c->inbound = (int)lk_stmt_col_int(st, 8);
  c->reopened = (int)lk_stmt_col_int(st, 9);
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    lk_mclock *k = &c->clk[i];

    k->state = (int)lk_stmt_col_int(st, col++);
    k->start = lk_stmt_col_int(st, col++);
    k->used = lk_stmt_col_int(st, col++);
    k->target = lk_stmt_col_int(st, col++);
    k->business = lk_stmt_col_int(st, col++) != 0;
    k->deadline = lk_stmt_col_int(st, col++);
  }
  c->res_hour = lk_stmt_col_int(st, col++);
  c->res_ms = lk_stmt_col_int(st, col++);
  c->res_met = (int)lk_stmt_col_int(st, col++);
  c->res_fcr = lk_stmt_col_int(st, col++) != 0;
  lk_store_copy(c->res_team, sizeof(c->res_team), lk_stmt_col_text(st, col++));
  c->due = lk_stmt_col_int(st, col);
}

int lk_store_mconv_get(lk_tx *tx, const char *id, lk_mconv *out) {
  static const char sql[] =
      "SELECT " MCONV_COLUMNS " FROM measure_conv WHERE id = ?1";

  return lk_row_get(NULL, tx, sql, id, mconv_row, out);
}

int lk_store_measure_data_version(lk_tx *tx, int64_t *version) {
  return lk_store_query_int(lk_tx_db(tx), "PRAGMA data_version", version);
}

int lk_store_mconv_put(lk_tx *tx, const lk_mconv *c, int how) {
  static const char ins[] =
      "INSERT INTO measure_conv (" MCONV_COLUMNS_INS ")"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27,"
      " ?28, ?29, ?30, ?31, ?32, ?33, ?34)";
  /* Two updates: SQLite maintains an index on every update that SETs one
   * of its columns, changed or not; most events change none of `due`,
   * `status`, `created_at`, `channel` and `team_id`, and then skip both
   * indexes. */
#define MCONV_SET                                                              \
  "UPDATE measure_conv SET categories = ?4,"                                   \
  " assignee_id = ?5, confidential = ?7,"                                      \
  " inbound = ?9, reopened = ?10, fr_state = ?11, fr_start = ?12,"             \
  " fr_used = ?13, fr_target = ?14, fr_business = ?15, fr_deadline = ?16,"     \
  " nr_state = ?17, nr_start = ?18, nr_used = ?19, nr_target = ?20,"           \
  " nr_business = ?21, nr_deadline = ?22, res_state = ?23,"                    \
  " res_start = ?24, res_used = ?25, res_target = ?26,"                        \
  " res_business = ?27, res_deadline = ?28, res_hour = ?29,"                   \
  " res_ms = ?30, res_met = ?31, res_fcr = ?32, res_team = ?33"
  static const char upd_all[] =
      MCONV_SET ", channel = ?2, team_id = ?3, status = ?6, created_at = ?8,"
                " due = ?34 WHERE id = ?1";
  static const char upd_state[] = MCONV_SET " WHERE id = ?1 AND ?2 = ?2"
                                            " AND ?3 = ?3 AND ?6 = ?6"
                                            " AND ?8 = ?8 AND ?34 IS ?34";
#undef MCONV_SET
  const char *sql = how == LK_MCONV_INSERT
                        ? ins
                        : (how == LK_MCONV_UPDATE ? upd_all : upd_state);
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int col = 11;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, c->id);
  lk_stmt_text(st, 2, c->channel);
  lk_stmt_text(st, 3, c->team_id);
  lk_stmt_text(st, 4, c->categories);
  lk_stmt_text(st, 5, c->assignee_id);
  lk_stmt_text(st, 6, c->status);
  lk_stmt_int(st, 7, c->confidential ? 1 : 0);
  lk_stmt_int(st, 8, c->created_at);
  lk_stmt_int(st, 9, c->inbound);
  lk_stmt_int(st, 10, c->reopened);
  for (int i = 0; i < LK_MC_CLOCKS; i++) {
    const lk_mclock *k = &c->clk[i];

    lk_stmt_int(st, col++, k->state);
    lk_stmt_int(st, col++, k->start);
    lk_stmt_int(st, col++, k->used);
    lk_stmt_int(st, col++, k->target);
    lk_stmt_int(st, col++, k->business ? 1 : 0);
    lk_stmt_int(st, col++, k->deadline);
  }
  lk_stmt_int(st, col++, c->res_hour);
  lk_stmt_int(st, col++, c->res_ms);
  lk_stmt_int(st, col++, c->res_met);
  lk_stmt_int(st, col++, c->res_fcr ? 1 : 0);
  lk_stmt_text(st, col++, c->res_team);
  if (c->due != 0)
    lk_stmt_int(st, col, c->due);
  else
    lk_stmt_text(st, col, NULL);
  return lk_stmt_run(st);
}

/* The rows of `sql` in a growing array of `size`-byte elements, each filled
 * by `row`: collected before any is handed on, as the callers' functions
 * write the very table being read. */
struct collect {
  lk_row_fn row;
  size_t size;
  char *rows;
  int n;
  int cap;
  bool oom;
};

static void collect_row(lk_stmt *st, void *ud) {
  struct collect *c = ud;

  if (c->n == c->cap) {
    int cap = c->cap > 0 ? c->cap * 2 : 64;
    char *r = realloc(c->rows, (size_t)cap * c->size);

    if (r == NULL) {
      c->oom = true;
      return;
    }
    c->rows = r;
    c->cap = cap;
  }
  c->row(st, c->rows + (size_t)c->n++ * c->size);
}

/* Returns 0 or an LK_STORE_* code; free c->rows either way. */
static int collect(lk_tx *tx, const char *sql, struct collect *c) {
  int rc = lk_rows(lk_tx_db(tx), sql, NULL, 0, NULL, 0, collect_row, c);

  if (rc >= 0)
    rc = c->oom ? LK_STORE_NOMEM : 0;
  return rc;
}

int lk_store_mconv_each_open(lk_tx *tx, lk_mconv_fn fn, void *ud) {
  static const char sql[] = "SELECT " MCONV_COLUMNS " FROM measure_conv"
                            " WHERE status <> 'resolved' ORDER BY id";
  struct collect c = {.row = mconv_row, .size = sizeof(lk_mconv)};
  int rc = collect(tx, sql, &c);
  lk_mconv *rows = (lk_mconv *)(void *)c.rows;

  for (int i = 0; rc == 0 && i < c.n; i++)
    rc = fn(tx, &rows[i], ud);
  free(c.rows);
  return rc;
}

/* ---- callbacks ------------------------------------------------------ */

#define MTASK_BASE                                                             \
  "id, conversation_id, channel, team_id, confidential, status, created_at,"   \
  " slot, target, business, deadline, done_hour, done_met, done_channel,"      \
  " done_team"
#define MTASK_COLUMNS MTASK_BASE ", COALESCE(due, 0)"
#define MTASK_COLUMNS_INS MTASK_BASE ", due"

static void mtask_row(lk_stmt *st, void *ud) {
  lk_mtask *t = ud;

  memset(t, 0, sizeof(*t));
  lk_store_copy(t->id, sizeof(t->id), lk_stmt_col_text(st, 0));
  lk_store_copy(t->conversation_id, sizeof(t->conversation_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(t->channel, sizeof(t->channel), lk_stmt_col_text(st, 2));
  lk_store_copy(t->team_id, sizeof(t->team_id), lk_stmt_col_text(st, 3));
  t->confidential = lk_stmt_col_int(st, 4) != 0;
  lk_store_copy(t->status, sizeof(t->status), lk_stmt_col_text(st, 5));
  t->created_at = lk_stmt_col_int(st, 6);
  t->slot = lk_stmt_col_int(st, 7);
  t->target = lk_stmt_col_int(st, 8);
  t->business = lk_stmt_col_int(st, 9) != 0;
  t->deadline = lk_stmt_col_int(st, 10);
  t->done_hour = lk_stmt_col_int(st, 11);
  t->done_met = (int)lk_stmt_col_int(st, 12);
  lk_store_copy(t->done_channel, sizeof(t->done_channel),
                lk_stmt_col_text(st, 13));
  lk_store_copy(t->done_team, sizeof(t->done_team), lk_stmt_col_text(st, 14));
  t->due = lk_stmt_col_int(st, 15);
}

int lk_store_mtask_get(lk_tx *tx, const char *id, lk_mtask *out) {
  static const char sql[] =
      "SELECT " MTASK_COLUMNS " FROM measure_task WHERE id = ?1";

  return lk_row_get(NULL, tx, sql, id, mtask_row, out);
}

int lk_store_mtask_put(lk_tx *tx, const lk_mtask *t) {
  static const char sql[] =
      "INSERT OR REPLACE INTO measure_task (" MTASK_COLUMNS_INS ")"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, t->id);
  lk_stmt_text(st, 2, t->conversation_id);
  lk_stmt_text(st, 3, t->channel);
  lk_stmt_text(st, 4, t->team_id);
  lk_stmt_int(st, 5, t->confidential ? 1 : 0);
  lk_stmt_text(st, 6, t->status);
  lk_stmt_int(st, 7, t->created_at);
  lk_stmt_int(st, 8, t->slot);
  lk_stmt_int(st, 9, t->target);
  lk_stmt_int(st, 10, t->business ? 1 : 0);
  lk_stmt_int(st, 11, t->deadline);
  lk_stmt_int(st, 12, t->done_hour);
  lk_stmt_int(st, 13, t->done_met);
  lk_stmt_text(st, 14, t->done_channel);
  lk_stmt_text(st, 15, t->done_team);
  if (t->due != 0)
    lk_stmt_int(st, 16, t->due);
  else
    lk_stmt_text(st, 16, NULL);
  return lk_stmt_run(st);
}

int lk_store_mtask_delete(lk_tx *tx, const char *id) {
  return lk_tx_run_id(tx, "DELETE FROM measure_task WHERE id = ?1", id, false);
}

int lk_store_mtask_each_open(lk_tx *tx, lk_mtask_fn fn, void *ud) {
  static const char sql[] = "SELECT " MTASK_COLUMNS " FROM measure_task"
                            " WHERE status <> 'verwerkt' ORDER BY id";
  struct collect c = {.row = mtask_row, .size = sizeof(lk_mtask)};
  int rc = collect(tx, sql, &c);
  lk_mtask *rows = (lk_mtask *)(void *)c.rows;

  for (int i = 0; rc == 0 && i < c.n; i++)
    rc = fn(tx, &rows[i], ud);
  free(c.rows);
  return rc;
}

static void text_col0(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_MEASURE_ID, lk_stmt_col_text(st, 0));
}

int lk_store_measure_contact_conv(lk_tx *tx, const char *contact_id,
                                  char conv_id[LK_MEASURE_ID]) {
  static const char sql[] = "SELECT COALESCE(conversation_id, '')"
                            " FROM contacts WHERE id = ?1";

  conv_id[0] = '\0';
  return lk_row_get(NULL, tx, sql, contact_id, text_col0, conv_id);
}

/* ---- figures -------------------------------------------------------- */

#define COUNTER_COLUMNS                                                        \
  "created, inbound, outbound, reopened, backlog_in, backlog_out,"             \
  " open_created, fcr, cb,"                                                    \
  " cb_normed, cb_met, fr_n, fr_ms, fr_normed, fr_met, nr_n, nr_ms,"           \
  " nr_normed, nr_met, res_n, res_ms, res_normed, res_met"
#define COUNTER_SUMS                                                           \
  "SUM(created), SUM(inbound), SUM(outbound), SUM(reopened),"                  \
  " SUM(backlog_in), SUM(backlog_out), SUM(open_created), SUM(fcr),"           \
  " SUM(cb), SUM(cb_normed),"                                                  \
  " SUM(cb_met), SUM(fr_n), SUM(fr_ms), SUM(fr_normed), SUM(fr_met),"          \
  " SUM(nr_n), SUM(nr_ms), SUM(nr_normed), SUM(nr_met), SUM(res_n),"           \
  " SUM(res_ms), SUM(res_normed), SUM(res_met)"

const char *const lk_measure_counter_names[LK_CNT_COUNT] = {
    "created",     "inbound",      "outbound",  "reopened",  "backlog_in",
    "backlog_out", "open_created", "fcr",       "cb",        "cb_normed",
    "cb_met",      "fr_n",         "fr_ms",     "fr_normed", "fr_met",
    "nr_n",        "nr_ms",        "nr_normed", "nr_met",    "res_n",
    "res_ms",      "res_normed",   "res_met"};

/* The upsert of one counter row into `table` keyed by `key`. */
#define ADD_SQL(table, key)                                                    \
  "INSERT INTO " table " (" key ", channel, team_id, " COUNTER_COLUMNS         \
  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"     \
  " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"               \
  " ON CONFLICT (" key ", channel, team_id) DO UPDATE SET"                     \
  " created = created + excluded.created,"                                     \
  " inbound = inbound + excluded.inbound,"                                     \
  " outbound = outbound + excluded.outbound,"                                  \
  " reopened = reopened + excluded.reopened,"                                  \
  " backlog_in = backlog_in + excluded.backlog_in,"                            \
  " backlog_out = backlog_out + excluded.backlog_out,"                         \
  " open_created = open_created + excluded.open_created,"                      \
  " fcr = fcr + excluded.fcr, cb = cb + excluded.cb,"                          \
  " cb_normed = cb_normed + excluded.cb_normed,"                               \
  " cb_met = cb_met + excluded.cb_met, fr_n = fr_n + excluded.fr_n,"           \
  " fr_ms = fr_ms + excluded.fr_ms,"                                           \
  " fr_normed = fr_normed + excluded.fr_normed,"                               \
  " fr_met = fr_met + excluded.fr_met, nr_n = nr_n + excluded.nr_n,"           \
  " nr_ms = nr_ms + excluded.nr_ms,"                                           \
  " nr_normed = nr_normed + excluded.nr_normed,"                               \
  " nr_met = nr_met + excluded.nr_met, res_n = res_n + excluded.res_n,"        \
  " res_ms = res_ms + excluded.res_ms,"                                        \
  " res_normed = res_normed + excluded.res_normed,"                            \
  " res_met = res_met + excluded.res_met"

/* The UPDATE of one counter row, for rows that exist (nearly always:
 * an hour's rows are made by its first batch). */
#define UPD_SQL(table, key)                                                    \
  "UPDATE " table " SET created = created + ?4, inbound = inbound + ?5,"       \
  " outbound = outbound + ?6, reopened = reopened + ?7,"                       \
  " backlog_in = backlog_in + ?8, backlog_out = backlog_out + ?9,"             \
  " open_created = open_created + ?10, fcr = fcr + ?11, cb = cb + ?12,"        \
  " cb_normed = cb_normed + ?13, cb_met = cb_met + ?14, fr_n = fr_n + ?15,"    \
  " fr_ms = fr_ms + ?16, fr_normed = fr_normed + ?17, fr_met = fr_met + ?18,"  \
  " nr_n = nr_n + ?19, nr_ms = nr_ms + ?20, nr_normed = nr_normed + ?21,"      \
  " nr_met = nr_met + ?22, res_n = res_n + ?23, res_ms = res_ms + ?24,"        \
  " res_normed = res_normed + ?25, res_met = res_met + ?26"                    \
  " WHERE channel = ?2 AND team_id = ?3 AND " key " = ?1"

static int add_run(lk_tx *tx, const char *sql, int64_t key, const char *channel,
                   const char *team, const int64_t *delta) {
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, key);
  lk_stmt_text(st, 2, channel);
  lk_stmt_text(st, 3, team);
  for (int i = 0; i < LK_CNT_COUNT; i++)
    lk_stmt_int(st, 4 + i, delta[i]);
  return lk_stmt_run(st);
}

/* An UPDATE, and the upsert only when it found no row: cheaper than the
 * upsert alone, which builds the new row's record before it finds the
 * conflict (docs/benchmarks.md, measure_ingest). */
static int add_one(lk_tx *tx, const char *upd, const char *ins, int64_t key,
                   const char *channel, const char *team,
                   const int64_t *delta) {
  int rc = add_run(tx, upd, key, channel, team, delta);

  if (rc == 0 && lk_db_changes(lk_tx_db(tx)) == 0)
    rc = add_run(tx, ins, key, channel, team, delta);
  return rc;
}

int lk_store_measure_add(lk_tx *tx, int64_t hour, const char *channel,
                         const char *team, const int64_t *delta) {
  static const char upd[] = UPD_SQL("measure_counts", "hour");
  static const char ins[] = ADD_SQL("measure_counts", "hour");

  return add_one(tx, upd, ins, hour, channel, team, delta);
}

int lk_store_measure_add_day(lk_tx *tx, int64_t day, const char *channel,
                             const char *team, const int64_t *delta) {
  static const char upd[] = UPD_SQL("measure_counts_day", "day");
  static const char ins[] = ADD_SQL("measure_counts_day", "day");

  return add_one(tx, upd, ins, day, channel, team, delta);
}

#define HIST_SQL(table, key)                                                   \
  "INSERT INTO " table " (" key ", channel, team_id, metric, bin, n)"          \
  " VALUES (?4, ?1, ?2, ?3, ?5, ?6)"                                           \
  " ON CONFLICT (" key ", channel, team_id, metric, bin) DO UPDATE"            \
  " SET n = n + excluded.n"

static int hist_one(lk_tx *tx, const char *sql, int64_t key,
                    const char *channel, const char *team, const char *metric,
                    int bin, int64_t dn) {
  const char *texts[] = {channel, team, metric};
  const int64_t nums[] = {key, bin, dn};

  return lk_rows_write(tx, sql, texts, 3, nums, 3, false);
}

int lk_store_measure_hist(lk_tx *tx, int64_t hour, const char *channel,
                          const char *team, const char *metric, int bin,
                          int64_t dn) {
  static const char sql[] = HIST_SQL("measure_hist", "hour");

  return hist_one(tx, sql, hour, channel, team, metric, bin, dn);
}

int lk_store_measure_hist_day(lk_tx *tx, int64_t day, const char *channel,
                              const char *team, const char *metric, int bin,
                              int64_t dn) {
  static const char sql[] = HIST_SQL("measure_hist_day", "day");

  return hist_one(tx, sql, day, channel, team, metric, bin, dn);
}

/* ---- daily rollups (migration 0028) ---------------------------------- */

static void int_col0(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_measure_days_through(lk_tx *tx, int64_t *through) {
  static const char sql[] = "SELECT through FROM measure_days WHERE id = 1";

  *through = 0;
  int n = lk_rows(lk_tx_db(tx), sql, NULL, 0, NULL, 0, int_col0, through);

  return n < 0 ? n : 0;
}

int lk_store_measure_days_set(lk_tx *tx, int64_t through) {
  static const char sql[] =
      "INSERT INTO measure_days (id, through) VALUES (1, ?1)"
      " ON CONFLICT (id) DO UPDATE SET through = excluded.through";

  return lk_rows_write(tx, sql, NULL, 0, &through, 1, false);
}

/* The keys (channel, team) come from the all-time rows by their own index
 * (0024): every key with hourly rows has one, so each key costs one range
 * of the hourly primary key instead of a scan of the whole table (CROSS
 * JOIN keeps that order whatever the planner's statistics say). */
#define DAY_KEYS                                                               \
  " FROM (SELECT channel AS kc, team_id AS kt FROM measure_counts"             \
  " WHERE hour = 0) CROSS JOIN "

int lk_store_measure_day_rollup(lk_tx *tx, int64_t day, int64_t next) {
  static const char counts[] =
      "INSERT OR REPLACE INTO measure_counts_day (day, channel, "
      "team_id, " COUNTER_COLUMNS
      ") SELECT ?1, channel, team_id, " COUNTER_SUMS DAY_KEYS
      "measure_counts ON channel = kc AND team_id = kt"
      " AND hour >= ?1 AND hour < ?2 GROUP BY channel, team_id";
  static const char hists[] =
      "INSERT OR REPLACE INTO measure_hist_day"
      " (day, channel, team_id, metric, bin, n)"
      " SELECT ?1, channel, team_id, metric, bin, SUM(n)" DAY_KEYS
      "measure_hist ON channel = kc AND team_id = kt"
      " AND hour >= ?1 AND hour < ?2 GROUP BY channel, team_id, metric, bin";
  const int64_t nums[] = {day, next};
  int rc = lk_rows_write(tx, counts, NULL, 0, nums, 2, false);

  return rc == 0 ? lk_rows_write(tx, hists, NULL, 0, nums, 2, false) : rc;
}

static void magent_row(lk_stmt *st, void *ud) {
  lk_magent *a = ud;

  lk_store_copy(a->presence, sizeof(a->presence), lk_stmt_col_text(st, 0));
  a->load = (int)lk_stmt_col_int(st, 1);
  a->since = lk_stmt_col_int(st, 2);
}

int lk_store_magent_get(lk_tx *tx, const char *agent_id, lk_magent *out) {
  static const char sql[] = "SELECT presence, load, since FROM measure_agent"
                            " WHERE agent_id = ?1";

  return lk_row_get(NULL, tx, sql, agent_id, magent_row, out);
}

int lk_store_magent_put(lk_tx *tx, const char *agent_id, const lk_magent *a) {
  static const char sql[] =
      "INSERT OR REPLACE INTO measure_agent (agent_id, presence, load, since)"
      " VALUES (?1, ?2, ?3, ?4)";
  const char *texts[] = {agent_id, a->presence};
  const int64_t nums[] = {a->load, a->since};

  return lk_rows_write(tx, sql, texts, 2, nums, 2, false);
}

int lk_store_measure_occupancy(lk_tx *tx, int64_t hour, const char *agent_id,
                               int64_t online_ms, int64_t busy_ms) {
  static const char sql[] =
      "INSERT INTO measure_occupancy (hour, agent_id, online_ms, busy_ms)"
      " VALUES (?2, ?1, ?3, ?4) ON CONFLICT (hour, agent_id) DO UPDATE"
      " SET online_ms = online_ms + excluded.online_ms,"
      " busy_ms = busy_ms + excluded.busy_ms";
  const int64_t nums[] = {hour, online_ms, busy_ms};

  return lk_rows_write(tx, sql, &agent_id, 1, nums, 3, false);
}

int lk_store_measure_occupancy_day(lk_tx *tx, int64_t day, const char *agent_id,
                                   int64_t online_ms, int64_t busy_ms) {
  static const char sql[] =
      "INSERT INTO measure_occupancy_day (day, agent_id, online_ms, busy_ms)"
      " VALUES (?2, ?1, ?3, ?4) ON CONFLICT (day, agent_id) DO UPDATE"
      " SET online_ms = online_ms + excluded.online_ms,"
      " busy_ms = busy_ms + excluded.busy_ms";
  const int64_t nums[] = {day, online_ms, busy_ms};

  return lk_rows_write(tx, sql, &agent_id, 1, nums, 3, false);
}

int lk_store_measure_clear(lk_tx *tx) {
  static const char *const tables[] = {
      "DELETE FROM measure_conv",          "DELETE FROM measure_task",
      "DELETE FROM measure_counts",        "DELETE FROM measure_hist",
      "DELETE FROM measure_agent",         "DELETE FROM measure_occupancy",
      "DELETE FROM measure_counts_day",    "DELETE FROM measure_hist_day",
      "DELETE FROM measure_occupancy_day", "DELETE FROM measure_days"};
  int rc = 0;

  for (size_t i = 0; rc == 0 && i < sizeof(tables) / sizeof(tables[0]); i++)
    rc = lk_rows_write(tx, tables[i], NULL, 0, NULL, 0, false);
  return rc;
}

int lk_store_measure_replay(lk_tx *tx, lk_tx_event_fn fn, void *ud,
                            int64_t *count) {
  /* A statement of its own (not the cached one of events.c): the hook
   * runs other statements on this connection while this one steps. */
  static const char sql[] = "SELECT seq, type, subject, time, payload"
                            " FROM events WHERE seq > ?1 ORDER BY seq"
                            " LIMIT 1000 -- measure replay";
  int64_t after = 0;
  int rc = 0;
  int n;

  *count = 0;
  do {
    lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
    lk_event_row *rows = NULL;
    char **texts = NULL;

    if (st == NULL)
      return LK_STORE_IO;
    /* A page is copied out before the hook runs, so the hook may use
     * any statement, this one included. */
    rows = calloc(1000, sizeof(*rows));
    texts = calloc(3000, sizeof(*texts));
    if (rows == NULL || texts == NULL) {
      free(rows);
      free(texts);
      lk_stmt_done(st);
      return LK_STORE_NOMEM;
    }
    lk_stmt_int(st, 1, after);
    n = 0;
    while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
      rows[n].seq = lk_stmt_col_int(st, 0);
      texts[n * 3] = strdup(lk_stmt_col_text(st, 1));
      texts[n * 3 + 1] = strdup(lk_stmt_col_text(st, 2));
      rows[n].time_ms = lk_stmt_col_int(st, 3);
      texts[n * 3 + 2] = strdup(lk_stmt_col_text(st, 4));
      rows[n].type = texts[n * 3];
      rows[n].subject = texts[n * 3 + 1];
      rows[n].payload = texts[n * 3 + 2];
      n++;
    }
    lk_stmt_done(st);
    rc = rc < 0 ? rc : 0;
    for (int i = 0; i < n && rc == 0; i++) {
      if (rows[i].type == NULL || rows[i].subject == NULL ||
          rows[i].payload == NULL)
        rc = LK_STORE_NOMEM;
      else
        rc = fn(tx, &rows[i], ud);
      after = rows[i].seq;
      (*count)++;
    }
    for (int i = 0; i < n * 3; i++)
      free(texts[i]);
    free(rows);
    free(texts);
  } while (rc == 0 && n == 1000);
  return rc;
}

/* ---- reads ---------------------------------------------------------- */

/* ?1 channel ("*": all), ?2 team ("*": all), ?3 from, ?4 to: one range
 * of the primary key, one row per hour. */
#define RANGE_WHERE                                                            \
  " WHERE channel = ?1 AND team_id = ?2 AND hour >= ?3 AND hour < ?4"          \
  " AND hour > 0"
/* By day: the daily rows of the days rolled up (before `through`, 0028),
 * then the hourly rows of the days after it, which the caller adds up into
 * their day.  One statement: one snapshot. */
#define DAYS_THROUGH                                                           \
  "COALESCE((SELECT through FROM measure_days WHERE id = 1), 0)"
#define DAY_WHERE                                                              \
  " WHERE channel = ?1 AND team_id = ?2 AND day >= ?3"                         \
  " AND day < MIN(?4, " DAYS_THROUGH ")"
#define HOURS_OF_DAYS                                                          \
  " WHERE channel = ?1 AND team_id = ?2 AND hour >= MAX(?3, " DAYS_THROUGH     \
  ") AND hour < ?4 AND hour > 0"

static const char *opt(const char *s) {
  return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The rollup key of an optional filter. */
static const char *all(const char *s) {
  return s != NULL && s[0] != '\0' ? s : "*";
}

struct count_cb {
  lk_mcount_fn fn;
  lk_mtotal_fn total_fn;
  void *ud;
};

static void count_row(lk_stmt *st, void *ud) {
  struct count_cb *c = ud;
  int64_t v[LK_CNT_COUNT];

  for (int i = 0; i < LK_CNT_COUNT; i++)
    v[i] = lk_stmt_col_int(st, 1 + i);
  if (c->fn != NULL)
    c->fn(lk_stmt_col_int(st, 0), v, c->ud);
  else
    c->total_fn(lk_stmt_col_text(st, 0), v, c->ud);
}

int lk_store_measure_counts(lk_store *s, const lk_mquery *q, lk_mcount_fn fn,
                            void *ud) {
  /* One row per hour (day) by the rollups: read as they are, in the
   * primary key's order. */
  static const char hours[] =
      "SELECT hour, " COUNTER_COLUMNS " FROM measure_counts" RANGE_WHERE
      " ORDER BY hour";
  static const char days[] =
      "SELECT day, " COUNTER_COLUMNS " FROM measure_counts_day" DAY_WHERE
      " UNION ALL SELECT hour, " COUNTER_COLUMNS
      " FROM measure_counts" HOURS_OF_DAYS " ORDER BY 1";
  const char *texts[] = {all(q->channel), all(q->team_id)};
  const int64_t nums[] = {q->from, q->to};
  struct count_cb c = {fn, NULL, ud};
  int n =
      lk_rows_read(s, q->days ? days : hours, texts, 2, nums, 2, count_row, &c);

  return n < 0 ? n : 0;
}

struct hist_cb {
  lk_mhist_fn fn;
  void *ud;
};

static void hist_row(lk_stmt *st, void *ud) {
  struct hist_cb *c = ud;

  c->fn(lk_stmt_col_int(st, 0), lk_stmt_col_text(st, 1),
        (int)lk_stmt_col_int(st, 2), lk_stmt_col_int(st, 3), c->ud);
}

int lk_store_measure_hists(lk_store *s, const lk_mquery *q, lk_mhist_fn fn,
                           void *ud) {
  static const char hours[] =
      "SELECT hour, metric, bin, n"
      " FROM measure_hist" RANGE_WHERE " ORDER BY hour, metric, bin";
  static const char days[] =
      "SELECT day, metric, bin, n FROM measure_hist_day" DAY_WHERE
      " UNION ALL SELECT hour, metric, bin, n"
      " FROM measure_hist" HOURS_OF_DAYS " ORDER BY 1, 2, 3";
  const char *texts[] = {all(q->channel), all(q->team_id)};
  const int64_t nums[] = {q->from, q->to};
  struct hist_cb c = {fn, ud};
  int n =
      lk_rows_read(s, q->days ? days : hours, texts, 2, nums, 2, hist_row, &c);

  return n < 0 ? n : 0;
}

int lk_store_measure_totals(lk_store *s, const char *const *channels,
                            lk_mtotal_fn fn, void *ud) {
  /* One point lookup per channel on the all-time rollup rows. */
  static const char sql[] =
      "SELECT channel, " COUNTER_SUMS " FROM measure_counts WHERE channel = ?1"
      " AND team_id = '*' AND hour = 0";
  struct count_cb c = {NULL, fn, ud};
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  for (int i = 0; rc == 0 && channels[i] != NULL; i++) {
    int n = lk_rows(db, sql, &channels[i], 1, NULL, 0, count_row, &c);

    rc = n < 0 ? n : 0;
  }
  lk_store_reader_release(s, db);
  return rc;
}

static void backlog_row(lk_stmt *st, void *ud) {
  lk_mbacklog *b = ud;

  b->open = lk_stmt_col_int(st, 0) - lk_stmt_col_int(st, 1);
  b->created_sum = lk_stmt_col_int(st, 2);
}

static void int_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

static void callbacks_row(lk_stmt *st, void *ud) {
  lk_mbacklog *b = ud;

  b->callbacks_open = lk_stmt_col_int(st, 0);
  b->callbacks_late = lk_stmt_col_int(st, 1);
}

int lk_store_measure_backlog(lk_store *s, const char *channel,
                             const char *team_id, int64_t now,
                             lk_mbacklog *out) {
  /* How many and their creation times: the all-time rollup row.  Past a
   * deadline: a range of the due
   * index.  None of it reads the history. */
  static const char totals[] =
      "SELECT backlog_in, backlog_out, open_created FROM measure_counts"
      " WHERE channel = ?1 AND team_id = ?2 AND hour = 0";
  /* The oldest: per (channel, team) with something open (the all-time
   * rows, a few dozen, by their partial index), the first of the backlog
   * index; so it costs one probe per key, however long the backlog and
   * however little of it matches (migration 0024). */
  static const char oldest[] =
      "SELECT MIN((SELECT c.created_at FROM measure_conv c"
      "  WHERE c.status <> 'resolved' AND c.channel = k.channel"
      "  AND c.team_id = k.team_id ORDER BY c.created_at LIMIT 1))"
      " FROM measure_counts k WHERE k.hour = 0 AND k.channel <> '*'"
      " AND k.team_id <> '*' AND (?1 = '*' OR k.channel = ?1)"
      " AND (?2 = '*' OR k.team_id = ?2) AND k.backlog_in > k.backlog_out";
  static const char breached[] =
      "SELECT COUNT(*) FROM measure_conv WHERE due IS NOT NULL AND due <= ?3"
      " AND (?1 = '*' OR channel = ?1) AND (?2 = '*' OR team_id = ?2)";
  static const char tasks[] =
      "SELECT COUNT(*), COALESCE(SUM(due IS NOT NULL AND due <= ?3), 0)"
      " FROM measure_task WHERE status <> 'verwerkt'"
      " AND (?1 = '*' OR channel = ?1) AND (?2 = '*' OR team_id = ?2)";
  const char *texts[] = {all(channel), all(team_id)};
  lk_db *db;
  int n;

  memset(out, 0, sizeof(*out));
  n = lk_store_reader(s, &db);
  if (n != 0)
    return n;
  n = lk_rows(db, totals, texts, 2, NULL, 0, backlog_row, out);
  if (n >= 0)
    n = lk_rows(db, oldest, texts, 2, NULL, 0, int_row, &out->oldest);
  if (n >= 0)
    n = lk_rows(db, breached, texts, 2, &now, 1, int_row, &out->breached);
  if (n >= 0)
    n = lk_rows(db, tasks, texts, 2, &now, 1, callbacks_row, out);
  lk_store_reader_release(s, db);
  return n < 0 ? n : 0;
}

struct occ_cb {
  lk_mocc_fn fn;
  void *ud;
};

static void occ_row(lk_stmt *st, void *ud) {
  struct occ_cb *c = ud;
  lk_magent live = {0};

  lk_store_copy(live.presence, sizeof(live.presence), lk_stmt_col_text(st, 3));
  live.load = (int)lk_stmt_col_int(st, 4);
  live.since = lk_stmt_col_int(st, 5);
  c->fn(lk_stmt_col_text(st, 0), lk_stmt_col_int(st, 1), lk_stmt_col_int(st, 2),
        &live, c->ud);
}

/* Each agent with a state row and its hours (days) in range, summed in
 * one pass over a range of the occupancy table's primary key. */
#define OCC_SQL(table, key)                                                    \
  "SELECT a.agent_id, COALESCE(SUM(o.online_ms), 0),"                          \
  " COALESCE(SUM(o.busy_ms), 0), a.presence, a.load, a.since"                  \
  " FROM measure_agent a LEFT JOIN " table " o"                                \
  " ON o.agent_id = a.agent_id AND o." key " >= ?2 AND o." key " < ?3"         \
  " WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM team_members m"                  \
  " WHERE m.team_id = ?1 AND m.actor_id = a.agent_id)"                         \
  " GROUP BY a.agent_id ORDER BY a.agent_id"

int lk_store_measure_occupancy_read(lk_store *s, int64_t from, int64_t to,
                                    bool days, const char *team_id,
                                    lk_mocc_fn fn, void *ud) {
  static const char hours[] = OCC_SQL("measure_occupancy", "hour");
  static const char daily[] = OCC_SQL("measure_occupancy_day", "day");
  const char *texts[] = {opt(team_id)};
  const int64_t nums[] = {from, to};
  struct occ_cb c = {fn, ud};
  int n = lk_rows_read(s, days ? daily : hours, texts, 1, nums, 2, occ_row, &c);

  return n < 0 ? n : 0;
}

/* ---- the live list -------------------------------------------------- */

struct live_key {
  char kind;
  char id[LK_MEASURE_ID];
};

struct live_keys {
  struct live_key keys[101];
  int n;
};

static void live_key_row(lk_stmt *st, void *ud) {
  struct live_keys *k = ud;

  if (k->n >= 101)
    return;
  k->keys[k->n].kind = lk_stmt_col_text(st, 0)[0];
  lk_store_copy(k->keys[k->n].id, LK_MEASURE_ID, lk_stmt_col_text(st, 1));
  k->n++;
}

int lk_store_measure_live(lk_store *s, const lk_mlist *f, lk_mitem_fn fn,
                          void *ud) {
  /* ?1 conversation, ?2 task, ?3 channel, ?4 team, ?5 cursor id;
   * ?6 may_confidential, ?7 has cursor, ?8 cursor due, ?9 limit.  Each
   * arm walks its (due, id) index. */
  static const char sql[] =
      "SELECT kind, id FROM ("
      " SELECT 'c' AS kind, id, due FROM measure_conv WHERE due IS NOT NULL"
      "  AND ?2 IS NULL AND (?1 IS NULL OR id = ?1)"
      "  AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR team_id = ?4)"
      "  AND (?6 = 1 OR confidential = 0)"
      "  AND (?7 = 0 OR due > ?8 OR (due = ?8 AND id > ?5))"
      " UNION ALL"
      " SELECT 't', id, due FROM measure_task WHERE due IS NOT NULL"
      "  AND (?2 IS NULL OR id = ?2)"
      "  AND (?1 IS NULL OR conversation_id = ?1)"
      "  AND (?3 IS NULL OR channel = ?3) AND (?4 IS NULL OR team_id = ?4)"
      "  AND (?6 = 1 OR confidential = 0)"
      "  AND (?7 = 0 OR due > ?8 OR (due = ?8 AND id > ?5))"
      ") ORDER BY due, id LIMIT ?9";
  static const char conv_sql[] =
      "SELECT " MCONV_COLUMNS " FROM measure_conv WHERE id = ?1";
  static const char task_sql[] =
      "SELECT " MTASK_COLUMNS " FROM measure_task WHERE id = ?1";
  const char *texts[] = {opt(f->conversation_id), opt(f->task_id),
                         opt(f->channel), opt(f->team_id),
                         f->after && f->after_id != NULL ? f->after_id : ""};
  int64_t nums[] = {f->may_confidential ? 1 : 0, f->after ? 1 : 0, f->after_due,
                    f->limit > 100 ? 100 : f->limit};
  struct live_keys *k = calloc(1, sizeof(*k));
  lk_db *db;
  int listed = 0;
  int rc;

  if (k == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_reader(s, &db);
  if (rc != 0) {
    free(k);
    return rc;
  }
  rc = lk_rows(db, sql, texts, 5, nums, 4, live_key_row, k);
  for (int i = 0; rc >= 0 && i < k->n; i++) {
    const char *id = k->keys[i].id;
    lk_mitem it = {0};
    lk_mconv c;
    lk_mtask t;

    if (k->keys[i].kind == 'c') {
      rc = lk_rows(db, conv_sql, &id, 1, NULL, 0, mconv_row, &c);
      it.conv = &c;
    } else {
      rc = lk_rows(db, task_sql, &id, 1, NULL, 0, mtask_row, &t);
      it.task = true;
      it.t = &t;
    }
    if (rc == 1) {
      fn(&it, ud);
      listed++;
    }
  }
  lk_store_reader_release(s, db);
  free(k);
  return rc < 0 ? rc : listed;
}
