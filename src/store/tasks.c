/* tasks.c - interne taken and their assignees. */
#include "store/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* A contact the caller may see: not an internal note, and neither it nor
 * its conversation confidential unless the caller has confidential access
 * (parameter ?1, 0 or 1). */
#define VISIBLE(c)                                                             \
  "(" c ".kind <> 'note' AND (?1 = 1 OR (" c ".confidential = 0 AND"           \
  " NOT EXISTS (SELECT 1 FROM conversations v WHERE v.id = " c                 \
  ".conversation_id AND v.confidential = 1))))"

#define TASK_COLUMNS                                                           \
  "t.seq, t.id, COALESCE(t.nummer, ''), t.reference, t.contact_id,"            \
  " COALESCE(c.conversation_id, ''), t.kind, t.action, t.explanation,"         \
  " t.status, COALESCE(t.deadline, 0), t.assigned_at, COALESCE(t.done_at, 0)," \
  " t.created_at, t.updated_at,"                                               \
  " COALESCE((SELECT group_concat(actor_id, ' ') FROM (SELECT actor_id"        \
  " FROM task_assignees WHERE task_id = t.id ORDER BY position)), ''),"        \
  " COALESCE((SELECT v.party_id FROM conversations v"                          \
  " WHERE v.id = c.conversation_id), (SELECT i.party_id FROM involved i"       \
  " WHERE i.contact_id = c.id AND i.party_id IS NOT NULL"                      \
  " ORDER BY i.seq LIMIT 1), '')"

static void task_row(lk_stmt *st, lk_task_row *t) {
  const char *p;

  memset(t, 0, sizeof(*t));
  t->seq = lk_stmt_col_int(st, 0);
  lk_store_copy(t->id, sizeof(t->id), lk_stmt_col_text(st, 1));
  lk_store_copy(t->nummer, sizeof(t->nummer), lk_stmt_col_text(st, 2));
  lk_store_copy(t->reference, sizeof(t->reference), lk_stmt_col_text(st, 3));
  lk_store_copy(t->contact_id, sizeof(t->contact_id), lk_stmt_col_text(st, 4));
  lk_store_copy(t->conversation_id, sizeof(t->conversation_id),
                lk_stmt_col_text(st, 5));
  lk_store_copy(t->kind, sizeof(t->kind), lk_stmt_col_text(st, 6));
  lk_store_copy(t->action, sizeof(t->action), lk_stmt_col_text(st, 7));
  lk_store_copy(t->explanation, sizeof(t->explanation),
                lk_stmt_col_text(st, 8));
  lk_store_copy(t->status, sizeof(t->status), lk_stmt_col_text(st, 9));
  t->deadline = lk_stmt_col_int(st, 10);
  t->assigned_at = lk_stmt_col_int(st, 11);
  t->done_at = lk_stmt_col_int(st, 12);
  t->created_at = lk_stmt_col_int(st, 13);
  t->updated_at = lk_stmt_col_int(st, 14);
  lk_store_copy(t->party_id, sizeof(t->party_id), lk_stmt_col_text(st, 16));
  p = lk_stmt_col_text(st, 15);
  while (*p != '\0' && t->nassignees < LK_TASK_ASSIGNEES_MAX) {
    size_t n = strcspn(p, " ");

    if (n < LK_TASK_ID_SIZE) {
      memcpy(t->assignees[t->nassignees], p, n);
      t->assignees[t->nassignees][n] = '\0';
      t->nassignees++;
    }
    p += n;
    if (*p == ' ')
      p++;
  }
}

int64_t lk_task_deadline_key(const lk_task_row *t) {
  return t->deadline != 0 ? t->deadline : INT64_MAX;
}

static int put_assignees(lk_tx *tx, const lk_task_row *t) {
  static const char del[] = "DELETE FROM task_assignees WHERE task_id = ?1";
  static const char ins[] = "INSERT INTO task_assignees"
                            " (task_id, actor_id, position)"
                            " VALUES (?1, ?2, ?3)";
  int rc = lk_tx_run_id(tx, del, t->id, false);

  for (int i = 0; rc == 0 && i < t->nassignees; i++) {
    const char *texts[] = {t->id, t->assignees[i]};
    const int64_t pos = i;

    rc = lk_rows(lk_tx_db(tx), ins, texts, 2, &pos, 1, NULL, NULL);
    if (rc > 0)
      rc = 0;
  }
  return rc;
}

static void bind_opt_int(lk_stmt *st, int i, int64_t v) {
  if (v != 0)
    lk_stmt_int(st, i, v);
  else
    lk_stmt_text(st, i, NULL);
}

/* The columns of `arg` (an lk_task_row) as ?1..?13; an empty nummer
 * binds NULL (an update keeps the old one). */
static void task_bind(lk_stmt *st, const void *arg) {
  const lk_task_row *t = arg;

  lk_stmt_text(st, 1, t->id);
  lk_stmt_text_opt(st, 2, t->nummer);
  lk_stmt_text(st, 3, t->reference);
  lk_stmt_text(st, 4, t->contact_id);
  lk_stmt_text(st, 5, t->kind);
  lk_stmt_text(st, 6, t->action);
  lk_stmt_text(st, 7, t->explanation);
  lk_stmt_text(st, 8, t->status);
  bind_opt_int(st, 9, t->deadline);
  lk_stmt_int(st, 10, t->assigned_at);
  bind_opt_int(st, 11, t->done_at);
  lk_stmt_int(st, 12, t->created_at);
  lk_stmt_int(st, 13, t->updated_at);
}

int lk_store_task_insert(lk_tx *tx, lk_task_row *t) {
  static const char sql[] =
      "INSERT INTO tasks (id, nummer, reference, contact_id, kind, action,"
      " explanation, status, deadline, assigned_at, done_at, created_at,"
      " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
      " ?12, ?13)";
  int rc;

  if (t->nummer[0] == '\0') {
    rc = lk_store_next_number(tx, "task", t->nummer, sizeof(t->nummer));
    if (rc != 0)
      return rc;
  }
  rc = lk_tx_run(tx, sql, task_bind, t, false);
  if (rc == 0)
    rc = put_assignees(tx, t);
  return rc;
}

int lk_store_task_update(lk_tx *tx, const lk_task_row *t) {
  static const char sql[] =
      "UPDATE tasks SET nummer = COALESCE(?2, nummer), reference = ?3,"
      " contact_id = ?4,"
      " kind = ?5, action = ?6, explanation = ?7, status = ?8,"
      " deadline = ?9, assigned_at = ?10, done_at = ?11, updated_at = ?13"
      " WHERE id = ?1 AND ?12 = ?12";
  int rc = lk_tx_run(tx, sql, task_bind, t, true);

  if (rc == 0)
    rc = put_assignees(tx, t);
  return rc;
}

int lk_store_task_delete(lk_tx *tx, const char *id) {
  static const char del_a[] = "DELETE FROM task_assignees WHERE task_id = ?1";
  static const char del_t[] = "DELETE FROM tasks WHERE id = ?1";
  int rc = lk_tx_run_id(tx, del_a, id, false);

  return rc != 0 ? rc : lk_tx_run_id(tx, del_t, id, true);
}

static const char get_sql[] =
    "SELECT " TASK_COLUMNS " FROM tasks t JOIN contacts c"
    " ON c.id = t.contact_id"
    " WHERE t.id = ?2 AND " VISIBLE("c");

static int task_get_db(lk_db *db, const char *id, bool confidential,
                       lk_task_row *out) {
  lk_stmt *st = lk_db_stmt(db, get_sql);
  lk_task_row *t;
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    /* Copy through the heap: the row is large, the caller's `out` stays
     * untouched on failure. */
    t = malloc(sizeof(*t));
    if (t == NULL) {
      lk_stmt_done(st);
      return LK_STORE_NOMEM;
    }
    task_row(st, t);
    *out = *t;
    free(t);
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_NOTFOUND;
  }
  lk_stmt_done(st);
  return rc;
}

int lk_store_task_get_tx(lk_tx *tx, const char *id, bool confidential,
                         lk_task_row *out) {
  return task_get_db(lk_tx_db(tx), id, confidential, out);
}

int lk_store_task_get(lk_store *s, const char *id, bool confidential,
                      lk_task_row *out) {
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  rc = task_get_db(db, id, confidential, out);
  lk_store_reader_release(s, db);
  return rc;
}

/* Runs `st` (parameters bound) expecting at most one row; copies its
 * first column into `out` when given. */
static int one_row(lk_stmt *st, char *out, size_t size) {
  int rc = lk_stmt_step(st);

  if (rc == LK_DB_ROW && out != NULL)
    lk_store_copy(out, size, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  if (rc == LK_DB_ROW)
    return 0;
  return rc == LK_DB_DONE ? LK_STORE_NOTFOUND : rc;
}

int lk_store_task_contact_ok(lk_tx *tx, const char *contact_id,
                             bool confidential) {
  static const char sql[] =
      "SELECT c.id FROM contacts c WHERE c.id = ?2 AND " VISIBLE("c");
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, contact_id);
  return one_row(st, NULL, 0);
}

int lk_store_task_conversation_contact(lk_tx *tx, const char *conversation_id,
                                       bool confidential,
                                       char contact_id[LK_TASK_ID_SIZE]) {
  static const char sql[] =
      "SELECT c.id FROM contacts c WHERE c.conversation_id = ?2"
      " AND " VISIBLE("c") " ORDER BY c.occurred_at DESC, c.seq DESC LIMIT 1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_int(st, 1, confidential ? 1 : 0);
  lk_stmt_text(st, 2, conversation_id);
  return one_row(st, contact_id, LK_TASK_ID_SIZE);
}

int lk_store_task_actor_ok(lk_tx *tx, const char *actor_id) {
  static const char sql[] = "SELECT id FROM actors WHERE id = ?1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, actor_id);
  return one_row(st, NULL, 0);
}

/* The filters of lk_task_filter as parameters ?1 .. ?13. */
#define TASK_FROM                                                              \
  " FROM tasks t JOIN contacts c ON c.id = t.contact_id WHERE " VISIBLE(       \
      "c") " AND (?2 IS NULL OR t.status = ?2)"                                \
           " AND (?3 IS NULL OR t.kind = ?3)"                                  \
           " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM task_assignees a"        \
           " WHERE a.task_id = t.id AND a.actor_id = ?4))"                     \
           " AND (?5 IS NULL OR t.contact_id = ?5)"                            \
           " AND (?6 IS NULL OR c.conversation_id = ?6)"                       \
           " AND (?7 IS NULL OR t.deadline < ?7)"                              \
           " AND (?8 IS NULL OR t.nummer = ?8)"                                \
           " AND (?9 IS NULL OR t.reference = ?9)"                             \
           " AND (?10 IS NULL OR c.nummer = ?10)"                              \
           " AND (?11 IS NULL OR c.reference = ?11)"                           \
           " AND (?12 IS NULL OR EXISTS (SELECT 1 FROM task_assignees a"       \
           " JOIN actors x ON x.id = a.actor_id WHERE a.task_id = t.id"        \
           " AND x.name = ?12))"                                               \
           " AND (?13 IS NULL OR t.assigned_at = ?13)"

static void bind_filter(lk_stmt *st, const lk_task_filter *f) {
  lk_stmt_int(st, 1, f->confidential ? 1 : 0);
  lk_stmt_text(st, 2, f->status);
  lk_stmt_text(st, 3, f->kind);
  lk_stmt_text(st, 4, f->assignee_id);
  lk_stmt_text(st, 5, f->contact_id);
  lk_stmt_text(st, 6, f->conversation_id);
  bind_opt_int(st, 7, f->due_before);
  lk_stmt_text(st, 8, f->nummer);
  lk_stmt_text(st, 9, f->reference);
  lk_stmt_text(st, 10, f->contact_nummer);
  lk_stmt_text(st, 11, f->contact_reference);
  lk_stmt_text(st, 12, f->actor_name);
  bind_opt_int(st, 13, f->assigned_at);
}

int lk_store_task_list(lk_store *s, const lk_task_filter *f, lk_task_fn fn,
                       void *ud) {
  static const char by_deadline[] =
      "SELECT " TASK_COLUMNS TASK_FROM
      " AND (?14 IS NULL OR COALESCE(t.deadline, 9223372036854775807) > ?14"
      " OR (COALESCE(t.deadline, 9223372036854775807) = ?14 AND t.seq > ?15))"
      " ORDER BY COALESCE(t.deadline, 9223372036854775807), t.seq LIMIT ?16";
  static const char by_created[] =
      "SELECT " TASK_COLUMNS TASK_FROM " ORDER BY t.seq LIMIT ?14 OFFSET ?15";
  lk_task_row *t;
  lk_stmt *st;
  lk_db *db;
  int n = 0;
  int rc;

  if (f->limit < 1)
    return 0;
  t = malloc(sizeof(*t));
  if (t == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_reader(s, &db);
  if (rc != 0) {
    free(t);
    return rc;
  }
  st = lk_db_stmt(db,
                  f->order == LK_TASK_BY_DEADLINE ? by_deadline : by_created);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    free(t);
    return LK_STORE_IO;
  }
  bind_filter(st, f);
  if (f->order == LK_TASK_BY_DEADLINE) {
    if (f->has_cursor) {
      lk_stmt_int(st, 14, f->after_key);
      lk_stmt_int(st, 15, f->after_seq);
    } else {
      lk_stmt_text(st, 14, NULL);
      lk_stmt_int(st, 15, 0);
    }
    lk_stmt_int(st, 16, f->limit);
  } else {
    lk_stmt_int(st, 14, f->limit);
    lk_stmt_int(st, 15, f->offset);
  }
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW) {
    task_row(st, t);
    fn(t, ud);
    n++;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  free(t);
  return rc < 0 ? rc : n;
}

int lk_store_task_count(lk_store *s, const lk_task_filter *f, int64_t *out) {
  static const char sql[] = "SELECT COUNT(*)" TASK_FROM;
  lk_stmt *st;
  lk_db *db;
  int rc = lk_store_reader(s, &db);

  if (rc != 0)
    return rc;
  st = lk_db_stmt(db, sql);
  if (st == NULL) {
    lk_store_reader_release(s, db);
    return LK_STORE_IO;
  }
  bind_filter(st, f);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW) {
    *out = lk_stmt_col_int(st, 0);
    rc = 0;
  } else if (rc == LK_DB_DONE) {
    rc = LK_STORE_IO;
  }
  lk_stmt_done(st);
  lk_store_reader_release(s, db);
  return rc;
}
