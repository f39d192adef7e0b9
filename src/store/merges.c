/* merges.c - party merges: the rows that move and the record of each. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/merges.h"

static void brief_row(lk_stmt *st, void *ud) {
  lk_party_brief *p = ud;

  lk_store_copy(p->id, sizeof(p->id), lk_stmt_col_text(st, 0));
  lk_store_copy(p->merged_into, sizeof(p->merged_into),
                lk_stmt_col_text(st, 1));
  p->confidential = lk_stmt_col_int(st, 2) != 0;
  lk_store_copy(p->preferred_address_id, sizeof(p->preferred_address_id),
                lk_stmt_col_text(st, 3));
  lk_store_copy(p->preferred_account_id, sizeof(p->preferred_account_id),
                lk_stmt_col_text(st, 4));
}

static const char brief_sql[] =
    "SELECT id, COALESCE(merged_into, ''), confidential,"
    " COALESCE(preferred_address_id, ''), COALESCE(preferred_account_id, '')"
    " FROM parties WHERE id = ?1";

int lk_store_party_brief(lk_tx *tx, const char *id, lk_party_brief *out) {
  lk_party_brief p;
  int n = lk_rows(lk_tx_db(tx), brief_sql, &id, 1, NULL, 0, brief_row, &p);

  return lk_rows_one(n, &p, out, sizeof(p));
}

int lk_store_party_brief_read(lk_store *s, const char *id,
                              lk_party_brief *out) {
  lk_party_brief p;
  int n = lk_rows_read(s, brief_sql, &id, 1, NULL, 0, brief_row, &p);

  return lk_rows_one(n, &p, out, sizeof(p));
}

/* ---- moving rows ---------------------------------------------------- */

struct id_ctx {
  lk_id_fn fn;
  void *ud;
};

static void id_row(lk_stmt *st, void *ud) {
  struct id_ctx *ic = ud;

  if (ic->fn != NULL)
    ic->fn(lk_stmt_col_text(st, 0), ic->ud);
}

/* ?1 from, ?2 to and, where a time is written, ?3 now. */
static const char *const move_sql[LK_MOVE_KINDS] = {
    [LK_MOVE_CONVERSATIONS] =
        "UPDATE conversations SET party_id = ?2, version = version + 1,"
        " updated_at = ?3 WHERE party_id = ?1 RETURNING id",
    [LK_MOVE_INVOLVED] = "UPDATE involved SET party_id = ?2"
                         " WHERE party_id = ?1 RETURNING id",
    [LK_MOVE_IDENTIFIERS] = "UPDATE party_identifiers SET party_id = ?2"
                            " WHERE party_id = ?1 RETURNING id",
    [LK_MOVE_BANK_ACCOUNTS] = "UPDATE bank_accounts SET party_id = ?2"
                              " WHERE party_id = ?1 RETURNING id",
    [LK_MOVE_CATEGORY_RELATIONS] = "UPDATE category_relations SET party_id = ?2"
                                   " WHERE party_id = ?1 RETURNING id",
    [LK_MOVE_CONTACT_PERSONS] =
        "UPDATE parties SET works_for = ?2, updated_at = ?3"
        " WHERE works_for = ?1 AND id <> ?2 RETURNING id",
};

int lk_store_merge_move(lk_tx *tx, lk_move_kind kind, const char *from,
                        const char *to, int64_t now, lk_id_fn fn, void *ud) {
  const char *texts[2] = {from, to};
  struct id_ctx ic = {fn, ud};
  bool timed = kind == LK_MOVE_CONVERSATIONS || kind == LK_MOVE_CONTACT_PERSONS;

  if (kind < 0 || kind >= LK_MOVE_KINDS)
    return LK_STORE_INVALID;

  return lk_rows(lk_tx_db(tx), move_sql[kind], texts, 2, &now, timed ? 1 : 0,
                 id_row, &ic);
}

/* ---- digital addresses ---------------------------------------------- */

struct address_ctx {
  void (*fn)(const lk_address_brief *a, void *ud);
  void *ud;
};

static void address_row(lk_stmt *st, void *ud) {
  struct address_ctx *ac = ud;
  lk_address_brief a;

  lk_store_copy(a.id, sizeof(a.id), lk_stmt_col_text(st, 0));
  lk_store_copy(a.kind, sizeof(a.kind), lk_stmt_col_text(st, 1));
  lk_store_copy(a.key, sizeof(a.key), lk_stmt_col_text(st, 2));
  a.is_default = lk_stmt_col_int(st, 3) != 0;
  a.verified = lk_stmt_col_int(st, 4) != 0;
  ac->fn(&a, ac->ud);
}

int lk_store_party_addresses(lk_tx *tx, const char *party_id,
                             void (*fn)(const lk_address_brief *a, void *ud),
                             void *ud) {
  static const char sql[] =
      "SELECT id, kind, address_key, is_default,"
      " CASE WHEN verified_on IS NULL THEN 0 ELSE 1 END"
      " FROM digital_addresses WHERE party_id = ?1 ORDER BY seq";
  struct address_ctx ac = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, &party_id, 1, NULL, 0, address_row, &ac);
}

int lk_store_address_set(lk_tx *tx, const char *id, const char *party_id,
                         bool is_default) {
  static const char sql[] = "UPDATE digital_addresses SET party_id = ?2,"
                            " is_default = ?3 WHERE id = ?1";
  const char *texts[2] = {id, party_id};
  int64_t def = is_default ? 1 : 0;
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, &def, 1, NULL, NULL);

  return n < 0 ? n : 0;
}

/* ---- representations ------------------------------------------------ */

struct repr_ctx {
  void (*fn)(const lk_representation_brief *r, void *ud);
  void *ud;
};

static void repr_row(lk_stmt *st, void *ud) {
  struct repr_ctx *rc = ud;
  lk_representation_brief r;

  lk_store_copy(r.id, sizeof(r.id), lk_stmt_col_text(st, 0));
  lk_store_copy(r.representing, sizeof(r.representing),
                lk_stmt_col_text(st, 1));
  lk_store_copy(r.represented, sizeof(r.represented), lk_stmt_col_text(st, 2));
  rc->fn(&r, rc->ud);
}

int lk_store_party_representations(lk_tx *tx, const char *party_id,
                                   void (*fn)(const lk_representation_brief *r,
                                              void *ud),
                                   void *ud) {
  static const char sql[] =
      "SELECT id, representing_id, represented_id FROM representations"
      " WHERE representing_id = ?1 OR represented_id = ?1 ORDER BY seq";
  struct repr_ctx rc = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, &party_id, 1, NULL, 0, repr_row, &rc);
}

int lk_store_representation_exists(lk_tx *tx, const char *representing,
                                   const char *represented, bool *exists) {
  static const char sql[] = "SELECT 1 FROM representations"
                            " WHERE representing_id = ?1"
                            " AND represented_id = ?2";
  const char *texts[2] = {representing, represented};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, NULL, NULL);

  if (n < 0)
    return n;
  *exists = n > 0;
  return 0;
}

int lk_store_representation_set(lk_tx *tx, const char *id,
                                const char *representing,
                                const char *represented) {
  static const char sql[] = "UPDATE representations SET representing_id = ?2,"
                            " represented_id = ?3 WHERE id = ?1";
  const char *texts[3] = {id, representing, represented};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 3, NULL, 0, NULL, NULL);

  return n < 0 ? n : 0;
}

/* ---- the parties ---------------------------------------------------- */

int lk_store_party_mark_merged(lk_tx *tx, const char *merged_id,
                               const char *survivor_id, int64_t now) {
  static const char sql[] = "UPDATE parties SET merged_into = ?2,"
                            " updated_at = ?3"
                            " WHERE id = ?1 AND merged_into IS NULL";
  const char *texts[2] = {merged_id, survivor_id};
  lk_db *db = lk_tx_db(tx);
  int n = lk_rows(db, sql, texts, 2, &now, 1, NULL, NULL);

  if (n < 0)
    return n;
  return lk_db_changes(db) == 1 ? 0 : LK_STORE_CONFLICT;
}

int lk_store_party_set_confidential(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE parties SET confidential = 1, updated_at = ?2 WHERE id = ?1";
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, &now, 1, NULL, NULL);

  return n < 0 ? n : 0;
}

int lk_store_party_preferred(lk_tx *tx, const char *id, const char *address_id,
                             const char *account_id, int64_t now) {
  static const char sql[] =
      "UPDATE parties SET"
      " preferred_address_id = COALESCE(?2, preferred_address_id),"
      " preferred_account_id = COALESCE(?3, preferred_account_id),"
      " updated_at = ?4 WHERE id = ?1";
  const char *texts[3] = {id, address_id, account_id};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 3, &now, 1, NULL, NULL);

  return n < 0 ? n : 0;
}

/* ---- the record ----------------------------------------------------- */

int lk_store_merge_insert(lk_tx *tx, const lk_merge_row *m, const char *moved) {
  static const char sql[] =
      "INSERT INTO party_merges (id, survivor_id, merged_id, actor, reason,"
      " moved, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  const char *texts[6] = {m->id,    m->survivor_id, m->merged_id,
                          m->actor, m->reason,      moved};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 6, &m->created_at, 1, NULL, NULL);

  return n < 0 ? n : 0;
}

#define MERGE_COLUMNS                                                          \
  "m.seq, m.id, m.survivor_id, m.merged_id, m.actor, m.reason,"                \
  " m.created_at, m.moved"

/* Leaves out merges of a confidential party unless ?N = 1. */
#define MERGE_VISIBLE(n)                                                       \
  " (" n " = 1 OR NOT EXISTS (SELECT 1 FROM parties p"                         \
  "  WHERE p.id IN (m.survivor_id, m.merged_id) AND p.confidential = 1))"

struct merge_ctx {
  lk_merge_fn fn;
  void *ud;
  lk_merge_row *one;
  char **moved;
};

static void merge_row(lk_stmt *st, void *ud) {
  struct merge_ctx *mc = ud;
  lk_merge_row m;

  m.seq = lk_stmt_col_int(st, 0);
  lk_store_copy(m.id, sizeof(m.id), lk_stmt_col_text(st, 1));
  lk_store_copy(m.survivor_id, sizeof(m.survivor_id), lk_stmt_col_text(st, 2));
  lk_store_copy(m.merged_id, sizeof(m.merged_id), lk_stmt_col_text(st, 3));
  lk_store_copy(m.actor, sizeof(m.actor), lk_stmt_col_text(st, 4));
  lk_store_copy(m.reason, sizeof(m.reason), lk_stmt_col_text(st, 5));
  m.created_at = lk_stmt_col_int(st, 6);
  if (mc->one != NULL) {
    *mc->one = m;
    *mc->moved = strdup(lk_stmt_col_text(st, 7));
  } else {
    mc->fn(&m, mc->ud);
  }
}

int lk_store_merge_get(lk_store *s, const char *id, bool confidential,
                       lk_merge_row *out, char **moved) {
  static const char sql[] = "SELECT " MERGE_COLUMNS " FROM party_merges m"
                            " WHERE m.id = ?1 AND" MERGE_VISIBLE("?2");
  lk_merge_row m;
  char *text = NULL;
  struct merge_ctx mc = {NULL, NULL, &m, &text};
  int64_t conf = confidential ? 1 : 0;
  int n = lk_rows_read(s, sql, &id, 1, &conf, 1, merge_row, &mc);

  if (n <= 0) {
    free(text);
    return n < 0 ? n : LK_STORE_NOTFOUND;
  }
  if (text == NULL)
    return LK_STORE_NOMEM;
  *out = m;
  *moved = text;
  return 0;
}

int lk_store_merge_list(lk_store *s, const char *party_id, bool confidential,
                        int64_t after, int limit, lk_merge_fn fn, void *ud) {
  static const char by_party[] =
      "SELECT " MERGE_COLUMNS " FROM party_merges m"
      " WHERE (m.survivor_id = ?1 OR m.merged_id = ?1) AND m.seq > ?2"
      " AND" MERGE_VISIBLE("?3") " ORDER BY m.seq LIMIT ?4";
  static const char all[] =
      "SELECT " MERGE_COLUMNS " FROM party_merges m"
      " WHERE m.seq > ?1 AND" MERGE_VISIBLE("?2") " ORDER BY m.seq LIMIT ?3";
  struct merge_ctx mc = {fn, ud, NULL, NULL};
  int64_t nums[3] = {after, confidential ? 1 : 0, limit};

  if (limit < 1)
    return 0;
  if (party_id[0] != '\0')
    return lk_rows_read(s, by_party, &party_id, 1, nums, 3, merge_row, &mc);
  return lk_rows_read(s, all, NULL, 0, nums, 3, merge_row, &mc);
}
