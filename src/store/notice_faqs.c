/* notice_faqs.c - rows of notice_faqs and notice_faq_edits, and the
 * klantcontact an FAQ is made from. */
#include "store/notice_faqs.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/notice_history.h"

/* ---- the source answer ---------------------------------------------- */

static void source_row(lk_stmt *st, void *ud) {
  lk_notice_faq_source *o = ud;
  const char *answer = lk_stmt_col_text(st, 2);
  const char *question = lk_stmt_col_text(st, 5);

  lk_store_copy(o->kind, sizeof(o->kind), lk_stmt_col_text(st, 0));
  lk_store_copy(o->conversation_id, sizeof(o->conversation_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(o->answer, sizeof(o->answer), answer);
  o->answer_len = strlen(answer);
  lk_store_copy(o->party_id, sizeof(o->party_id), lk_stmt_col_text(st, 3));
  o->tagged = lk_stmt_col_int(st, 4) != 0;
  o->has_question = lk_stmt_col_int(st, 6) != 0;
  lk_store_copy(o->question, sizeof(o->question), question);
  o->question_len = strlen(question);
}

int lk_store_notice_faq_source(lk_tx *tx, const char *contact_id,
                               const char *notice_id, bool may_confidential,
                               lk_notice_faq_source *out) {
  /* The question is the conversation's first inbound message the caller
   * may see; the tag is the subject_objects row notice_questions.c
   * writes on a question's first contact. */
  static const char sql[] =
      "SELECT k.kind, k.conversation_id, k.content,"
      " COALESCE(c.party_id, ''),"
      " EXISTS (SELECT 1 FROM subject_objects so"
      "  JOIN contacts t ON t.id = so.contact_id"
      "  WHERE t.conversation_id = k.conversation_id"
      "  AND so.object_type = 'melding' AND so.register = 'loket'"
      "  AND so.id_type = 'notice' AND so.object_id = ?2),"
      " COALESCE(q.content, ''), q.id IS NOT NULL"
      " FROM contacts k JOIN conversations c ON c.id = k.conversation_id"
      " LEFT JOIN contacts q ON q.id = (SELECT f.id FROM contacts f"
      "  WHERE f.conversation_id = k.conversation_id AND f.kind = 'inbound'"
      "  AND (f.confidential = 0 OR ?3 = 1)"
      "  ORDER BY f.occurred_at, f.seq LIMIT 1)"
      " WHERE k.id = ?1 AND ((k.confidential = 0 AND c.confidential = 0)"
      "  OR ?3 = 1)";
  const char *texts[] = {contact_id, notice_id};
  int64_t conf = may_confidential ? 1 : 0;
  lk_notice_faq_source *row = malloc(sizeof(*row));
  int n;

  if (row == NULL)
    return LK_STORE_NOMEM;
  memset(row, 0, sizeof(*row));
  n = lk_rows(lk_tx_db(tx), sql, texts, 2, &conf, 1, source_row, row);
  n = lk_rows_one(n, row, out, sizeof(*out));
  free(row);
  return n;
}

/* ---- FAQ rows ------------------------------------------------------- */

#define FAQ_COLUMNS                                                            \
  "f.id, f.notice_id, f.question, f.answer, f.position, f.status,"             \
  " COALESCE(f.source_contact_id, ''), f.created_by, f.version,"               \
  " f.created_at, f.updated_at, COALESCE(f.edited_at, 0),"                     \
  " COALESCE(f.withdrawn_at, 0),"                                              \
  " (SELECT COUNT(*) FROM notice_faq_edits e WHERE e.faq_id = f.id)"

static void faq_row(lk_stmt *st, void *ud) {
  lk_notice_faq_row *f = ud;

  lk_store_copy(f->id, sizeof(f->id), lk_stmt_col_text(st, 0));
  lk_store_copy(f->notice_id, sizeof(f->notice_id), lk_stmt_col_text(st, 1));
  lk_store_copy(f->question, sizeof(f->question), lk_stmt_col_text(st, 2));
  lk_store_copy(f->answer, sizeof(f->answer), lk_stmt_col_text(st, 3));
  f->position = lk_stmt_col_int(st, 4);
  lk_store_copy(f->status, sizeof(f->status), lk_stmt_col_text(st, 5));
  lk_store_copy(f->source_contact_id, sizeof(f->source_contact_id),
                lk_stmt_col_text(st, 6));
  lk_store_copy(f->created_by, sizeof(f->created_by), lk_stmt_col_text(st, 7));
  f->version = lk_stmt_col_int(st, 8);
  f->created_at = lk_stmt_col_int(st, 9);
  f->updated_at = lk_stmt_col_int(st, 10);
  f->edited_at = lk_stmt_col_int(st, 11);
  f->withdrawn_at = lk_stmt_col_int(st, 12);
  f->edits = (int)lk_stmt_col_int(st, 13);
}

int lk_store_notice_faq_insert(lk_tx *tx, const lk_notice_faq_row *f) {
  static const char sql[] =
      "INSERT INTO notice_faqs (id, notice_id, question, answer, position,"
      " status, source_contact_id, created_by, version, created_at,"
      " updated_at) VALUES (?1, ?2, ?3, ?4, ?9, ?5, ?6, ?7, 1, ?8, ?8)";
  const char *texts[] = {
      f->id,        f->notice_id,
      f->question,  f->answer,
      f->status,    f->source_contact_id[0] ? f->source_contact_id : NULL,
      f->created_by};
  int64_t nums[] = {f->created_at, f->position};

  return lk_rows_write(tx, sql, texts, 7, nums, 2, false);
}

static const char faq_get_sql[] =
    "SELECT " FAQ_COLUMNS " FROM notice_faqs f WHERE f.id = ?1";

/* The rows are large: read into the caller's row, not a copy. */
int lk_store_notice_faq_get_tx(lk_tx *tx, const char *id,
                               lk_notice_faq_row *out) {
  return lk_row_get(NULL, tx, faq_get_sql, id, faq_row, out);
}

int lk_store_notice_faq_get(lk_store *s, const char *id,
                            lk_notice_faq_row *out) {
  return lk_row_get(s, NULL, faq_get_sql, id, faq_row, out);
}

int lk_store_notice_faq_save(lk_tx *tx, const lk_notice_faq_row *f) {
  static const char sql[] =
      "UPDATE notice_faqs SET question = ?2, answer = ?3, position = ?4,"
      " status = ?5, edited_at = ?6, withdrawn_at = ?7, updated_at = ?8,"
      " version = version + 1 WHERE id = ?1";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, f->id);
  lk_stmt_text(st, 2, f->question);
  lk_stmt_text(st, 3, f->answer);
  lk_stmt_int(st, 4, f->position);
  lk_stmt_text(st, 5, f->status);
  lk_stmt_int_opt(st, 6, f->edited_at);
  lk_stmt_int_opt(st, 7, f->withdrawn_at);
  lk_stmt_int(st, 8, f->updated_at);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

int lk_store_notice_faq_keep(lk_tx *tx, const char *faq_id,
                             const char *question, const char *answer,
                             const char *editor, int64_t now) {
  static const char sql[] =
      "INSERT INTO notice_faq_edits (faq_id, previous_question,"
      " previous_answer, edited_by, edited_at) VALUES (?1, ?2, ?3, ?4, ?5)";
  const char *texts[] = {faq_id, question, answer, editor};

  return lk_rows_write(tx, sql, texts, 4, &now, 1, false);
}

int lk_store_notice_faq_hide(lk_tx *tx, const char *faq_id) {
  static const char sql[] =
      "UPDATE notice_faq_edits SET public = 0 WHERE faq_id = ?1";

  return lk_tx_run_id(tx, sql, faq_id, false);
}

static void int_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_notice_faq_next_position(lk_tx *tx, const char *notice_id,
                                      int64_t *out) {
  static const char sql[] = "SELECT COALESCE(MAX(position), 0) + 1"
                            " FROM notice_faqs WHERE notice_id = ?1";
  int n = lk_rows(lk_tx_db(tx), sql, &notice_id, 1, NULL, 0, int_row, out);

  return n < 0 ? n : 0;
}

int lk_store_notice_faq_published(lk_tx *tx, const char *notice_id,
                                  int64_t *out) {
  static const char sql[] = "SELECT COUNT(*) FROM notice_faqs"
                            " WHERE notice_id = ?1 AND status = 'published'";
  int n = lk_rows(lk_tx_db(tx), sql, &notice_id, 1, NULL, 0, int_row, out);

  return n < 0 ? n : 0;
}

/* ---- staff reads ---------------------------------------------------- */

struct faq_each {
  lk_notice_faq_fn fn;
  void *ud;
  lk_notice_faq_row *row;
};

static void faq_each(lk_stmt *st, void *ud) {
  struct faq_each *fe = ud;

  faq_row(st, fe->row);
  fe->fn(fe->row, fe->ud);
}

int lk_store_notice_faq_list(lk_store *s, const char *notice_id,
                             const char *after_id, int limit,
                             lk_notice_faq_fn fn, void *ud) {
  /* By (position, seq); the cursor is the last FAQ listed. */
  static const char sql[] =
      "SELECT " FAQ_COLUMNS " FROM notice_faqs f WHERE f.notice_id = ?1"
      " AND NOT EXISTS (SELECT 1 FROM notice_faqs a WHERE a.id = ?2"
      "  AND a.notice_id = f.notice_id AND (a.position > f.position"
      "  OR (a.position = f.position AND a.seq >= f.seq)))"
      " ORDER BY f.position, f.seq LIMIT ?3";
  const char *texts[] = {notice_id, after_id};
  int64_t lim = limit;
  struct faq_each fe = {fn, ud, malloc(sizeof(lk_notice_faq_row))};
  int rc;

  if (fe.row == NULL)
    return LK_STORE_NOMEM;
  rc = lk_rows_read(s, sql, texts, 2, &lim, 1, faq_each, &fe);
  free(fe.row);
  return rc;
}

int lk_store_notice_faq_edits(lk_store *s, const char *faq_id,
                              int64_t before_seq, int limit,
                              lk_notice_edit_fn fn, void *ud) {
  static const char sql[] =
      "SELECT seq, previous_question, previous_answer, edited_by, edited_at,"
      " public FROM notice_faq_edits WHERE faq_id = ?1"
      " AND (?2 = 0 OR seq < ?2) ORDER BY seq DESC LIMIT ?3";

  return lk_history_edits(s, sql, faq_id, true, before_seq, limit, fn, ud);
}

/* ---- public reads --------------------------------------------------- */

struct pub_ctx {
  lk_notice_faq_pub_fn fn;
  void *ud;
  const lk_history *history; /* NULL: none wanted */
};

static void pub_row(lk_stmt *st, void *ud) {
  struct pub_ctx *c = ud;
  lk_notice_faq_pub f = {
      .id = lk_stmt_col_text(st, 0),
      .notice_id = lk_stmt_col_text(st, 1),
      .question = lk_stmt_col_text(st, 2),
      .answer = lk_stmt_col_text(st, 3),
      .position = lk_stmt_col_int(st, 4),
      .created_at = lk_stmt_col_int(st, 5),
      .edited_at = lk_stmt_col_int(st, 6),
  };

  if (c->history != NULL)
    lk_history_of(c->history, f.id, &f.history, &f.nhistory, &f.history_total);
  c->fn(&f, c->ud);
}

#define PUB_COLUMNS                                                            \
  "f.id, f.notice_id, f.question, f.answer, f.position, f.created_at,"         \
  " COALESCE(f.edited_at, 0)"

int lk_store_public_notice_faqs(lk_store *s, const char *notice_id,
                                lk_notice_faq_pub_fn fn, void *ud) {
  static const char history_sql[] =
      "SELECT item, question, body, edited_at, total FROM (SELECT"
      " e.faq_id AS item, e.previous_question AS question,"
      " e.previous_answer AS body, e.edited_at, e.seq,"
      " ROW_NUMBER() OVER (PARTITION BY e.faq_id ORDER BY e.seq DESC) AS rn,"
      " COUNT(*) OVER (PARTITION BY e.faq_id) AS total"
      " FROM notice_faq_edits e JOIN notice_faqs f ON f.id = e.faq_id"
      " WHERE f.notice_id = ?1 AND f.status = 'published'"
      " AND e.public = 1) h"
      " WHERE rn <= ?2 ORDER BY item, seq DESC";
  static const char sql[] =
      "SELECT " PUB_COLUMNS " FROM notice_faqs f WHERE f.notice_id = ?1"
      " AND f.status = 'published' ORDER BY f.position, f.seq LIMIT ?2";
  struct pub_ctx c = {fn, ud, NULL};
  lk_history h;
  int rc = lk_history_load(s, history_sql, notice_id, &h);

  c.history = &h;
  if (rc == 0)
    rc = lk_store_query(s, sql, notice_id, LK_NOTICE_FAQS_SHOWN, pub_row, &c);
  lk_history_free(&h);
  return rc;
}

int lk_store_notice_faqs_current(lk_store *s, lk_notice_faq_pub_fn fn,
                                 void *ud) {
  static const char sql[] =
      "SELECT " PUB_COLUMNS " FROM (SELECT g.*, ROW_NUMBER() OVER"
      " (PARTITION BY g.notice_id ORDER BY g.position, g.seq) AS rn"
      " FROM notice_faqs g JOIN notices n ON n.id = g.notice_id"
      " WHERE n.status = ?1 AND g.status = 'published') f"
      " WHERE f.rn <= ?2 ORDER BY f.notice_id, f.position, f.seq";
  struct pub_ctx c = {fn, ud, NULL};

  return lk_store_query(s, sql, "published", LK_NOTICE_FAQS_SHOWN, pub_row, &c);
}
