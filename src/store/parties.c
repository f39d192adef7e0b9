/* parties.c - the SQL of partijen and the resources that hang off them.
 * The contract is parties.h. */
#include "store/parties.h"

#include <stdio.h>
#include <string.h>

#include "store/conversations.h"
#include "store/internal.h"
#include "store/kiquery.h"

#define COPY(dst, col)                                                         \
  lk_store_copy(dst, sizeof(dst), lk_stmt_col_text(st, col))

/* ---- parties --------------------------------------------------------- */

#define PARTY_COLUMNS                                                          \
  "id, nummer, kind, display_name, identification, COALESCE(works_for, ''),"   \
  " internal_note, confidential, language, active,"                            \
  " COALESCE(preferred_address_id, ''), COALESCE(preferred_account_id, ''),"   \
  " COALESCE(visiting_address, ''), COALESCE(postal_address, ''),"             \
  " COALESCE(merged_into, ''), created_at, updated_at"

static void party_row(lk_stmt *st, void *ud) {
  lk_party_row *p = ud;

  COPY(p->id, 0);
  COPY(p->nummer, 1);
  COPY(p->kind, 2);
  COPY(p->display_name, 3);
  COPY(p->identification, 4);
  COPY(p->works_for, 5);
  COPY(p->internal_note, 6);
  p->confidential = (int)lk_stmt_col_int(st, 7);
  COPY(p->language, 8);
  p->active = (int)lk_stmt_col_int(st, 9);
  COPY(p->preferred_address_id, 10);
  COPY(p->preferred_account_id, 11);
  COPY(p->visiting_address, 12);
  COPY(p->postal_address, 13);
  COPY(p->merged_into, 14);
  p->created_at = lk_stmt_col_int(st, 15);
  p->updated_at = lk_stmt_col_int(st, 16);
}

static const char party_by_id[] =
    "SELECT " PARTY_COLUMNS " FROM parties WHERE id = ?1";

int lk_store_party_get(lk_store *s, const char *id, lk_party_row *out) {
  return lk_row_get(s, NULL, party_by_id, id, party_row, out);
}

int lk_store_party_get_tx(lk_tx *tx, const char *id, lk_party_row *out) {
  return lk_row_get(NULL, tx, party_by_id, id, party_row, out);
}

int lk_store_party_next_nummer(lk_tx *tx, char out[11]) {
  static const char taken[] = "SELECT 1 FROM parties WHERE nummer = ?1";
  /* Past the highest number in use, found through the unique index. */
  static const char past[] =
      "UPDATE counters SET value = COALESCE((SELECT CAST(nummer AS BIGINT)"
      " + 1 FROM parties WHERE nummer BETWEEN '0000000000' AND '9999999999'"
      " AND length(nummer) = 10 ORDER BY nummer DESC LIMIT 1), 1)"
      " WHERE name = 'partij' RETURNING value";
  lk_stmt *st;
  int64_t v;
  int rc = lk_store_next_number(tx, "partij", out, 11);

  if (rc == 0)
    rc = lk_store_ki_exists_tx(tx, taken, out);
  if (rc <= 0)
    return rc;
  /* A client (or an import) chose a nummer the counter has now reached:
   * the counter jumps past every number in use, once. */
  st = lk_db_stmt(lk_tx_db(tx), past);
  if (st == NULL)
    return LK_STORE_IO;
  rc = lk_stmt_step(st);
  v = rc == LK_DB_ROW ? lk_stmt_col_int(st, 0) : 0;
  lk_stmt_done(st);
  if (rc != LK_DB_ROW)
    return rc < 0 ? rc : LK_STORE_IO;
  snprintf(out, 11, "%010lld", (long long)v);
  return 0;
}

static void party_bind(lk_stmt *st, const void *arg) {
  const lk_party_row *p = arg;

  lk_stmt_text(st, 1, p->id);
  lk_stmt_text(st, 2, p->nummer);
  lk_stmt_text(st, 3, p->kind);
  lk_stmt_text(st, 4, p->display_name);
  lk_stmt_text(st, 5, p->identification);
  lk_stmt_text_opt(st, 6, p->works_for);
  lk_stmt_text(st, 7, p->internal_note);
  lk_stmt_int(st, 8, p->confidential);
  lk_stmt_text(st, 9, p->language);
  lk_stmt_int(st, 10, p->active);
  lk_stmt_text_opt(st, 11, p->preferred_address_id);
  lk_stmt_text_opt(st, 12, p->preferred_account_id);
  lk_stmt_text_opt(st, 13, p->visiting_address);
  lk_stmt_text_opt(st, 14, p->postal_address);
  lk_stmt_int(st, 15, p->created_at);
  lk_stmt_int(st, 16, p->updated_at);
}

int lk_store_party_insert(lk_tx *tx, const lk_party_row *p) {
  static const char sql[] =
      "INSERT INTO parties (id, nummer, kind, display_name, identification,"
      " works_for, internal_note, confidential, language, active,"
      " preferred_address_id, preferred_account_id, visiting_address,"
      " postal_address, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
      " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
  return lk_tx_run(tx, sql, party_bind, p, false);
}

int lk_store_party_update(lk_tx *tx, const lk_party_row *p) {
  static const char sql[] =
      "UPDATE parties SET nummer = ?2, kind = ?3, display_name = ?4,"
      " identification = ?5, works_for = ?6, internal_note = ?7,"
      " confidential = ?8, language = ?9, active = ?10,"
      " preferred_address_id = ?11, preferred_account_id = ?12,"
      " visiting_address = ?13, postal_address = ?14, updated_at = ?16"
      " WHERE id = ?1 AND ?15 = ?15";
  return lk_tx_run(tx, sql, party_bind, p, true);
}

int lk_store_party_delete(lk_tx *tx, const char *id) {
  static const char in_use[] =
      "SELECT 1 FROM conversations WHERE party_id = ?1"
      " UNION ALL SELECT 1 FROM party_merges"
      " WHERE survivor_id = ?1 OR merged_id = ?1"
      " UNION ALL SELECT 1 FROM party_identifiers c"
      " JOIN party_identifiers p ON p.id = c.sub_of"
      " WHERE p.party_id = ?1 AND c.party_id IS NOT ?1 LIMIT 1";
  static const char *const steps[] = {
      "UPDATE parties SET works_for = NULL WHERE works_for = ?1",
      "UPDATE parties SET merged_into = NULL WHERE merged_into = ?1",
      "UPDATE involved SET party_id = NULL WHERE party_id = ?1",
      "UPDATE parties SET preferred_address_id = NULL,"
      " preferred_account_id = NULL WHERE id = ?1",
      "DELETE FROM party_identifiers WHERE party_id = ?1"
      " AND sub_of IS NOT NULL",
      "DELETE FROM party_identifiers WHERE party_id = ?1",
      "DELETE FROM digital_addresses WHERE party_id = ?1",
      "DELETE FROM bank_accounts WHERE party_id = ?1",
      "DELETE FROM representations WHERE representing_id = ?1"
      " OR represented_id = ?1",
      "DELETE FROM category_relations WHERE party_id = ?1",
  };
  static const char del[] = "DELETE FROM parties WHERE id = ?1";
  int rc;

  rc = lk_store_ki_exists_tx(tx, in_use, id);
  if (rc != 0)
    return rc < 0 ? rc : LK_STORE_CONFLICT;
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    rc = lk_tx_run_id(tx, steps[i], id, false);
    if (rc != 0)
      return rc;
  }
  return lk_tx_run_id(tx, del, id, true);
}

struct id_ctx {
  lk_id_fn fn;
  void *ud;
};

static void id_row(lk_stmt *st, void *ud) {
  struct id_ctx *ic = ud;

  ic->fn(lk_stmt_col_text(st, 0), ic->ud);
}

int lk_store_party_related(lk_store *s, const char *id, enum lk_party_rel rel,
                           lk_id_fn fn, void *ud) {
  static const char *const sql[] = {
      [LK_PARTY_DIGITAL_ADDRESSES] =
          "SELECT id FROM digital_addresses WHERE party_id = ?1 ORDER BY seq",
      [LK_PARTY_BANK_ACCOUNTS] =
          "SELECT id FROM bank_accounts WHERE party_id = ?1 ORDER BY seq",
      [LK_PARTY_INVOLVED] =
          "SELECT id FROM involved WHERE party_id = ?1 ORDER BY seq",
      [LK_PARTY_CATEGORY_RELATIONS] =
          "SELECT id FROM category_relations WHERE party_id = ?1 ORDER BY seq",
      [LK_PARTY_REPRESENTED] = ("SELECT represented_id FROM representations"
                                " WHERE representing_id = ?1 ORDER BY seq"),
      [LK_PARTY_IDENTIFIERS] =
          "SELECT id FROM party_identifiers WHERE party_id = ?1 ORDER BY seq",
  };
  struct id_ctx ic = {fn, ud};
  int n;

  if ((unsigned)rel > LK_PARTY_IDENTIFIERS)
    return LK_STORE_INVALID;
  n = lk_store_query(s, sql[rel], id, 0, id_row, &ic);
  return n < 0 ? n : 0;
}

/* Hides what belongs to a confidential party from callers who may not see
 * it; `p` is the placeholder of the "may see" flag. */
#define VISIBLE(col, p)                                                        \
  "(" p " = '1' OR " col " IS NULL OR NOT EXISTS (SELECT 1 FROM parties cp"    \
  " WHERE cp.id = " col " AND cp.confidential = 1))"

#define PARTY_WHERE " FROM parties p WHERE" PARTY_COND
#define PARTY_COND                                                             \
  " (?1 IS NULL OR json_extract(p.visiting_address, '$.adresregel1') = ?1)"    \
  " AND (?2 IS NULL OR json_extract(p.visiting_address, '$.adresregel2') = "   \
  "?2)"                                                                        \
  " AND (?3 IS NULL OR json_extract(p.visiting_address, '$.adresregel3') = "   \
  "?3)"                                                                        \
  " AND (?4 IS NULL OR json_extract(p.visiting_address, '$.land') = ?4)"       \
  " AND (?5 IS NULL OR"                                                        \
  " json_extract(p.visiting_address, '$.nummeraanduidingId') = ?5)"            \
  " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM category_relations cr"            \
  " JOIN categories c ON c.id = cr.category_id"                                \
  " WHERE cr.party_id = p.id AND c.name = ?6))"                                \
  " AND (?7 IS NULL OR json_extract(p.postal_address, '$.adresregel1') = ?7)"  \
  " AND (?8 IS NULL OR json_extract(p.postal_address, '$.adresregel2') = ?8)"  \
  " AND (?9 IS NULL OR json_extract(p.postal_address, '$.adresregel3') = ?9)"  \
  " AND (?10 IS NULL OR json_extract(p.postal_address, '$.land') = ?10)"       \
  " AND (?11 IS NULL OR"                                                       \
  " json_extract(p.postal_address, '$.nummeraanduidingId') = ?11)"             \
  " AND (?12 IS NULL OR p.active = CAST(?12 AS INTEGER))"                      \
  " AND (?13 IS NULL OR p.confidential = CAST(?13 AS INTEGER))"                \
  " AND (?14 IS NULL OR p.nummer = ?14)"                                       \
  " AND ((?15 IS NULL AND ?16 IS NULL AND ?17 IS NULL AND ?18 IS NULL)"        \
  " OR EXISTS (SELECT 1 FROM party_identifiers i WHERE i.party_id = p.id"      \
  " AND (?15 IS NULL OR i.object_type = ?15)"                                  \
  " AND (?16 IS NULL OR i.register = ?16)"                                     \
  " AND (?17 IS NULL OR i.id_type = ?17)"                                      \
  " AND (?18 IS NULL OR i.object_id = ?18)))"                                  \
  " AND (?19 IS NULL OR p.kind = ?19)"                                         \
  " AND ((?20 IS NULL AND ?21 IS NULL AND ?22 IS NULL AND ?23 IS NULL)"        \
  " OR EXISTS (SELECT 1 FROM party_identifiers i"                              \
  " JOIN party_identifiers si ON si.id = i.sub_of WHERE i.party_id = p.id"     \
  " AND (?20 IS NULL OR si.object_type = ?20)"                                 \
  " AND (?21 IS NULL OR si.register = ?21)"                                    \
  " AND (?22 IS NULL OR si.id_type = ?22)"                                     \
  " AND (?23 IS NULL OR si.object_id = ?23)))"                                 \
  " AND (?24 IS NULL OR EXISTS (SELECT 1 FROM representations r"               \
  " WHERE r.representing_id = p.id AND r.represented_id = ?24))"               \
  " AND (?25 IS NULL OR EXISTS (SELECT 1 FROM representations r"               \
  " WHERE r.representing_id = p.id AND r.represented_id = ?25))"               \
  " AND (?26 = '1' OR p.confidential = 0)"

/* The generic statement cannot use an index (every condition is "absent
 * or equal"); the lookups by object id (a BSN) and by nummer get their own
 * statements that start from an index. */
#define BY_OBJECT_ID                                                           \
  " FROM parties p WHERE p.id IN (SELECT party_id FROM party_identifiers"      \
  " WHERE object_id = ?18) AND" PARTY_COND
#define BY_NUMMER " FROM parties p WHERE p.nummer = ?14 AND" PARTY_COND

int lk_store_party_page(lk_store *s, const char *const *f, int64_t offset,
                        int limit, char (*ids)[LK_ID], int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" PARTY_WHERE;
  static const char page_sql[] =
      "SELECT p.id" PARTY_WHERE " ORDER BY p.seq LIMIT ?27 OFFSET ?28";
  static const char count_oid[] = "SELECT COUNT(*)" BY_OBJECT_ID;
  static const char page_oid[] =
      "SELECT p.id" BY_OBJECT_ID " ORDER BY p.seq LIMIT ?27 OFFSET ?28";
  static const char count_nr[] = "SELECT COUNT(*)" BY_NUMMER;
  static const char page_nr[] =
      "SELECT p.id" BY_NUMMER " ORDER BY p.seq LIMIT ?27 OFFSET ?28";

  if (f[17] != NULL)
    return lk_store_ki_page(s, count_oid, page_oid, f, 26, offset, limit, ids,
                            n, count);
  if (f[13] != NULL)
    return lk_store_ki_page(s, count_nr, page_nr, f, 26, offset, limit, ids, n,
                            count);
  return lk_store_ki_page(s, count_sql, page_sql, f, 26, offset, limit, ids, n,
                          count);
}

/* ---- partij-identificatoren ------------------------------------------ */

#define IDENT_COLUMNS                                                          \
  "id, COALESCE(party_id, ''), object_type, register, id_type, object_id,"     \
  " other, COALESCE(sub_of, ''), created_at"

static void ident_row(lk_stmt *st, void *ud) {
  lk_identifier_row *r = ud;

  COPY(r->id, 0);
  COPY(r->party_id, 1);
  COPY(r->object_type, 2);
  COPY(r->register_, 3);
  COPY(r->id_type, 4);
  COPY(r->object_id, 5);
  COPY(r->other, 6);
  COPY(r->sub_of, 7);
  r->created_at = lk_stmt_col_int(st, 8);
}

static const char ident_by_id[] =
    "SELECT " IDENT_COLUMNS " FROM party_identifiers WHERE id = ?1";

int lk_store_identifier_get(lk_store *s, const char *id, lk_identifier_row *o) {
  return lk_row_get(s, NULL, ident_by_id, id, ident_row, o);
}

int lk_store_identifier_get_tx(lk_tx *tx, const char *id,
                               lk_identifier_row *o) {
  return lk_row_get(NULL, tx, ident_by_id, id, ident_row, o);
}

static void ident_bind(lk_stmt *st, const void *arg) {
  const lk_identifier_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text_opt(st, 2, r->party_id);
  lk_stmt_text(st, 3, r->object_type);
  lk_stmt_text(st, 4, r->register_);
  lk_stmt_text(st, 5, r->id_type);
  lk_stmt_text(st, 6, r->object_id);
  lk_stmt_text(st, 7, r->other);
  lk_stmt_text_opt(st, 8, r->sub_of);
  lk_stmt_int(st, 9, r->created_at);
}

int lk_store_identifier_insert(lk_tx *tx, const lk_identifier_row *r) {
  static const char sql[] =
      "INSERT INTO party_identifiers (id, party_id, object_type, register,"
      " id_type, object_id, other, sub_of, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  return lk_tx_run(tx, sql, ident_bind, r, false);
}

int lk_store_identifier_update(lk_tx *tx, const lk_identifier_row *r) {
  static const char sql[] =
      "UPDATE party_identifiers SET party_id = ?2, object_type = ?3,"
      " register = ?4, id_type = ?5, object_id = ?6, other = ?7, sub_of = ?8"
      " WHERE id = ?1 AND ?9 = ?9";
  return lk_tx_run(tx, sql, ident_bind, r, true);
}

int lk_store_identifier_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM party_identifiers WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

static int count_tx(lk_tx *tx, const char *sql, const char *a, const char *b,
                    const char *c, const char *d, int64_t *n) {
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a);
  if (b != NULL)
    lk_stmt_text(st, 2, b);
  if (c != NULL)
    lk_stmt_text(st, 3, c);
  if (d != NULL)
    lk_stmt_text(st, 4, d);
  rc = lk_stmt_step(st);
  *n = rc == LK_DB_ROW ? lk_stmt_col_int(st, 0) : 0;
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

int lk_store_party_links_tx(lk_tx *tx, const char *party_id, bool accounts,
                            char (*ids)[LK_ID], int max, int *n) {
  static const char addr_sql[] = "SELECT id FROM digital_addresses"
                                 " WHERE party_id = ?1 ORDER BY seq";
  static const char acct_sql[] = "SELECT id FROM bank_accounts"
                                 " WHERE party_id = ?1 ORDER BY seq";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), accounts ? acct_sql : addr_sql);
  int rc;

  *n = 0;
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, party_id);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW && *n < max)
    lk_store_copy(ids[(*n)++], LK_ID, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

int lk_store_party_link(lk_tx *tx, bool accounts, const char *id,
                        const char *party_id) {
  static const char addr_sql[] =
      "UPDATE digital_addresses SET is_default = CASE WHEN party_id IS ?2"
      " THEN is_default ELSE 0 END, party_id = ?2 WHERE id = ?1";
  static const char acct_sql[] =
      "UPDATE bank_accounts SET party_id = ?2 WHERE id = ?1";
  static const char unprefer[] =
      "UPDATE parties SET preferred_address_id = CASE WHEN"
      " preferred_address_id = ?1 THEN NULL ELSE preferred_address_id END,"
      " preferred_account_id = CASE WHEN preferred_account_id = ?1 THEN NULL"
      " ELSE preferred_account_id END"
      " WHERE (preferred_address_id = ?1 OR preferred_account_id = ?1)"
      " AND id IS NOT ?2";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, accounts ? acct_sql : addr_sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, id);
  lk_stmt_text_opt(st, 2, party_id);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    return LK_STORE_NOTFOUND;
  /* Whoever preferred it before no longer holds it. */
  st = rc == 0 ? lk_db_stmt(db, unprefer) : NULL;
  if (rc == 0 && st == NULL)
    return LK_STORE_IO;
  if (rc == 0) {
    lk_stmt_text(st, 1, id);
    lk_stmt_text_opt(st, 2, party_id);
    rc = lk_stmt_run(st);
  }
  return rc;
}

int lk_store_party_identifier_ids_tx(lk_tx *tx, const char *party_id,
                                     char (*ids)[LK_ID], int max, int *n) {
  static const char sql[] = "SELECT id FROM party_identifiers"
                            " WHERE party_id = ?1 ORDER BY seq";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  *n = 0;
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, party_id);
  while ((rc = lk_stmt_step(st)) == LK_DB_ROW && *n < max)
    lk_store_copy(ids[(*n)++], LK_ID, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

int lk_store_identifier_children(lk_tx *tx, const char *id, int64_t *n) {
  static const char sql[] =
      "SELECT COUNT(*) FROM party_identifiers WHERE sub_of = ?1";
  return count_tx(tx, sql, id, NULL, NULL, NULL, n);
}

int lk_store_identifier_type_taken(lk_tx *tx, const char *party_id,
                                   const char *id_type, const char *except,
                                   bool *taken) {
  static const char sql[] =
      "SELECT COUNT(*) FROM party_identifiers WHERE party_id = ?1"
      " AND id_type = ?2 AND id <> ?3";
  int64_t n = 0;
  int rc = count_tx(tx, sql, party_id, id_type, except, NULL, &n);

  *taken = n > 0;
  return rc;
}

int lk_store_identifier_identity_taken(lk_tx *tx, const lk_identifier_row *r,
                                       bool *taken) {
  static const char sql[] =
      "SELECT COUNT(*) FROM party_identifiers WHERE id_type = ?1"
      " AND object_id = ?2 AND COALESCE(sub_of, '') = ?3 AND id <> ?4";
  int64_t n = 0;
  int rc = count_tx(tx, sql, r->id_type, r->object_id, r->sub_of, r->id, &n);

  *taken = n > 0;
  return rc;
}

#define IDENT_WHERE                                                            \
  " FROM party_identifiers x WHERE (?1 IS NULL OR x.other = ?1)"               \
  " AND (?2 IS NULL OR x.object_type = ?2)"                                    \
  " AND (?3 IS NULL OR x.register = ?3)"                                       \
  " AND (?4 IS NULL OR x.id_type = ?4)"                                        \
  " AND (?5 IS NULL OR x.object_id = ?5)"                                      \
  " AND " VISIBLE("x.party_id", "?6")

int lk_store_identifier_page(lk_store *s, const char *const *f, int64_t offset,
                             int limit, char (*ids)[LK_ID], int *n,
                             int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" IDENT_WHERE;
  static const char page_sql[] =
      "SELECT x.id" IDENT_WHERE " ORDER BY x.seq LIMIT ?7 OFFSET ?8";

  return lk_store_ki_page(s, count_sql, page_sql, f, 6, offset, limit, ids, n,
                          count);
}

/* ---- digitale adressen ----------------------------------------------- */

#define ADDR_COLUMNS                                                           \
  "id, COALESCE(party_id, ''), COALESCE(betrokkene_id, ''), kind, address,"    \
  " address_key, is_default, description, reference,"                          \
  " COALESCE(verified_on, ''), created_at"

static void addr_row(lk_stmt *st, void *ud) {
  lk_digital_address_row *r = ud;

  COPY(r->id, 0);
  COPY(r->party_id, 1);
  COPY(r->betrokkene_id, 2);
  COPY(r->kind, 3);
  COPY(r->address, 4);
  COPY(r->address_key, 5);
  r->is_default = (int)lk_stmt_col_int(st, 6);
  COPY(r->description, 7);
  COPY(r->reference, 8);
  COPY(r->verified_on, 9);
  r->created_at = lk_stmt_col_int(st, 10);
}

static const char addr_by_id[] =
    "SELECT " ADDR_COLUMNS " FROM digital_addresses WHERE id = ?1";

int lk_store_digital_address_get(lk_store *s, const char *id,
                                 lk_digital_address_row *o) {
  return lk_row_get(s, NULL, addr_by_id, id, addr_row, o);
}

int lk_store_digital_address_get_tx(lk_tx *tx, const char *id,
                                    lk_digital_address_row *o) {
  return lk_row_get(NULL, tx, addr_by_id, id, addr_row, o);
}

static void addr_bind(lk_stmt *st, const void *arg) {
  const lk_digital_address_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text_opt(st, 2, r->party_id);
  lk_stmt_text_opt(st, 3, r->betrokkene_id);
  lk_stmt_text(st, 4, r->kind);
  lk_stmt_text(st, 5, r->address);
  lk_stmt_text(st, 6, r->address_key);
  lk_stmt_int(st, 7, r->is_default);
  lk_stmt_text(st, 8, r->description);
  lk_stmt_text(st, 9, r->reference);
  lk_stmt_text_opt(st, 10, r->verified_on);
  lk_stmt_int(st, 11, r->created_at);
}

int lk_store_digital_address_put(lk_tx *tx, const lk_digital_address_row *r,
                                 bool insert) {
  static const char reset[] =
      "UPDATE digital_addresses SET is_default = 0 WHERE party_id = ?1"
      " AND kind = ?2 AND id <> ?3 AND is_default = 1";
  static const char ins[] =
      "INSERT INTO digital_addresses (id, party_id, betrokkene_id, kind,"
      " address, address_key, is_default, description, reference,"
      " verified_on, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
  static const char upd[] =
      "UPDATE digital_addresses SET party_id = ?2, betrokkene_id = ?3,"
      " kind = ?4, address = ?5, address_key = ?6, is_default = ?7,"
      " description = ?8, reference = ?9, verified_on = ?10"
      " WHERE id = ?1 AND ?11 = ?11";
  const char *const others[] = {r->party_id, r->kind, r->id};

  if (r->is_default && r->party_id[0] != '\0') {
    int n = lk_rows(lk_tx_db(tx), reset, others, 3, NULL, 0, NULL, NULL);

    if (n < 0)
      return n;
  }
  return lk_tx_run(tx, insert ? ins : upd, addr_bind, r, !insert);
}

int lk_store_digital_address_delete(lk_tx *tx, const char *id) {
  static const char unlink[] = "UPDATE parties SET preferred_address_id = NULL"
                               " WHERE preferred_address_id = ?1";
  static const char del[] = "DELETE FROM digital_addresses WHERE id = ?1";
  int rc = lk_tx_run_id(tx, unlink, id, false);

  return rc != 0 ? rc : lk_tx_run_id(tx, del, id, true);
}

int lk_store_digital_address_verified_owner(lk_tx *tx, const char *kind,
                                            const char *key,
                                            const char *except_id,
                                            char owner[LK_ID]) {
  static const char sql[] =
      "SELECT party_id FROM digital_addresses WHERE kind = ?1"
      " AND address_key = ?2 AND id <> ?3 AND verified_on IS NOT NULL"
      " AND party_id IS NOT NULL LIMIT 1";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  int rc;

  owner[0] = '\0';
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, kind);
  lk_stmt_text(st, 2, key);
  lk_stmt_text(st, 3, except_id);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    lk_store_copy(owner, LK_ID, lk_stmt_col_text(st, 0));
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

#define ADDR_FROM                                                              \
  " FROM digital_addresses d LEFT JOIN parties p ON p.id = d.party_id"         \
  " LEFT JOIN involved b ON b.id = d.betrokkene_id WHERE"
#define ADDR_WHERE ADDR_FROM ADDR_COND
#define ADDR_BY_ADDRESS ADDR_FROM " d.address = ?1 AND" ADDR_COND
#define ADDR_COND                                                              \
  " (?1 IS NULL OR d.address = ?1)"                                            \
  " AND (?2 IS NULL OR instr(lower(d.address), lower(?2)) > 0)"                \
  " AND (?3 IS NULL OR (d.verified_on IS NOT NULL) = (?3 = '1'))"              \
  " AND (?4 IS NULL OR d.is_default = CAST(?4 AS INTEGER))"                    \
  " AND (?5 IS NULL OR instr(lower(d.description), lower(?5)) > 0)"            \
  " AND (?6 IS NULL OR d.reference = ?6)"                                      \
  " AND (?7 IS NULL OR d.kind = ?7)"                                           \
  " AND (?8 IS NULL OR d.verified_on = ?8)"                                    \
  " AND (?9 IS NULL OR d.verified_on > ?9)"                                    \
  " AND (?10 IS NULL OR d.verified_on >= ?10)"                                 \
  " AND (?11 IS NULL OR d.verified_on < ?11)"                                  \
  " AND (?12 IS NULL OR d.verified_on <= ?12)"                                 \
  " AND (?13 IS NULL OR b.role = ?13)"                                         \
  " AND (?14 IS NULL OR d.betrokkene_id = ?14)"                                \
  " AND (?15 IS NULL OR d.betrokkene_id = ?15)"                                \
  " AND ((?16 IS NULL AND ?17 IS NULL AND ?18 IS NULL AND ?19 IS NULL)"        \
  " OR EXISTS (SELECT 1 FROM party_identifiers i WHERE i.party_id = "          \
  "d.party_id"                                                                 \
  " AND (?16 IS NULL OR i.object_type = ?16)"                                  \
  " AND (?17 IS NULL OR i.register = ?17)"                                     \
  " AND (?18 IS NULL OR i.id_type = ?18)"                                      \
  " AND (?19 IS NULL OR i.object_id = ?19)))"                                  \
  " AND (?20 IS NULL OR p.kind = ?20)"                                         \
  " AND (?21 IS NULL OR d.party_id = ?21)"                                     \
  " AND (?22 IS NULL OR d.party_id = ?22)"                                     \
  " AND (?23 = '1' OR p.id IS NULL OR p.confidential = 0)"                     \
  " AND (?23 = '1' OR b.party_id IS NULL OR NOT EXISTS (SELECT 1"              \
  " FROM parties bp WHERE bp.id = b.party_id AND bp.confidential = 1))"

int lk_store_digital_address_page(lk_store *s, const char *const *f,
                                  int64_t offset, int limit, char (*ids)[LK_ID],
                                  int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" ADDR_WHERE;
  static const char page_sql[] =
      "SELECT d.id" ADDR_WHERE " ORDER BY d.seq LIMIT ?24 OFFSET ?25";
  static const char count_addr[] = "SELECT COUNT(*)" ADDR_BY_ADDRESS;
  static const char page_addr[] =
      "SELECT d.id" ADDR_BY_ADDRESS " ORDER BY d.seq LIMIT ?24 OFFSET ?25";

  if (f[0] != NULL)
    return lk_store_ki_page(s, count_addr, page_addr, f, 23, offset, limit, ids,
                            n, count);
  return lk_store_ki_page(s, count_sql, page_sql, f, 23, offset, limit, ids, n,
                          count);
}

/* ---- rekeningnummers ------------------------------------------------- */

static void account_row(lk_stmt *st, void *ud) {
  lk_bank_account_row *r = ud;

  COPY(r->id, 0);
  COPY(r->party_id, 1);
  COPY(r->iban, 2);
  COPY(r->bic, 3);
  r->created_at = lk_stmt_col_int(st, 4);
}

static const char account_by_id[] =
    "SELECT id, COALESCE(party_id, ''), iban, bic, created_at"
    " FROM bank_accounts WHERE id = ?1";

int lk_store_bank_account_get(lk_store *s, const char *id,
                              lk_bank_account_row *o) {
  return lk_row_get(s, NULL, account_by_id, id, account_row, o);
}

int lk_store_bank_account_get_tx(lk_tx *tx, const char *id,
                                 lk_bank_account_row *o) {
  return lk_row_get(NULL, tx, account_by_id, id, account_row, o);
}

static void bank_account_bind(lk_stmt *st, const void *arg) {
  const lk_bank_account_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text_opt(st, 2, r->party_id);
  lk_stmt_text(st, 3, r->iban);
  lk_stmt_text(st, 4, r->bic);
  lk_stmt_int(st, 5, r->created_at);
}

int lk_store_bank_account_put(lk_tx *tx, const lk_bank_account_row *r,
                              bool insert) {
  static const char ins[] = "INSERT INTO bank_accounts (id, party_id, iban,"
                            " bic, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
  static const char upd[] = "UPDATE bank_accounts SET party_id = ?2,"
                            " iban = ?3, bic = ?4 WHERE id = ?1 AND ?5 = ?5";
  return lk_tx_run(tx, insert ? ins : upd, bank_account_bind, r, !insert);
}

int lk_store_bank_account_delete(lk_tx *tx, const char *id) {
  static const char unlink[] = "UPDATE parties SET preferred_account_id = NULL"
                               " WHERE preferred_account_id = ?1";
  static const char del[] = "DELETE FROM bank_accounts WHERE id = ?1";
  int rc = lk_tx_run_id(tx, unlink, id, false);

  return rc != 0 ? rc : lk_tx_run_id(tx, del, id, true);
}

#define ACCOUNT_WHERE                                                          \
  " FROM bank_accounts x WHERE (?1 IS NULL OR x.bic = ?1)"                     \
  " AND (?2 IS NULL OR x.iban = ?2) AND (?3 IS NULL OR x.id = ?3)"             \
  " AND " VISIBLE("x.party_id", "?4")

int lk_store_bank_account_page(lk_store *s, const char *const *f,
                               int64_t offset, int limit, char (*ids)[LK_ID],
                               int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" ACCOUNT_WHERE;
  static const char page_sql[] =
      "SELECT x.id" ACCOUNT_WHERE " ORDER BY x.seq LIMIT ?5 OFFSET ?6";

  return lk_store_ki_page(s, count_sql, page_sql, f, 4, offset, limit, ids, n,
                          count);
}

/* ---- vertegenwoordigingen -------------------------------------------- */

static void repr_row(lk_stmt *st, void *ud) {
  lk_representation_row *r = ud;

  COPY(r->id, 0);
  COPY(r->representing_id, 1);
  COPY(r->represented_id, 2);
  r->created_at = lk_stmt_col_int(st, 3);
}

int lk_store_representation_get(lk_store *s, const char *id,
                                lk_representation_row *o) {
  static const char sql[] =
      "SELECT id, representing_id, represented_id, created_at"
      " FROM representations WHERE id = ?1";
  return lk_row_get(s, NULL, sql, id, repr_row, o);
}

static void representation_bind(lk_stmt *st, const void *arg) {
  const lk_representation_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text(st, 2, r->representing_id);
  lk_stmt_text(st, 3, r->represented_id);
  lk_stmt_int(st, 4, r->created_at);
}

int lk_store_representation_put(lk_tx *tx, const lk_representation_row *r,
                                bool insert) {
  static const char ins[] =
      "INSERT INTO representations (id, representing_id, represented_id,"
      " created_at) VALUES (?1, ?2, ?3, ?4)";
  static const char upd[] =
      "UPDATE representations SET representing_id = ?2, represented_id = ?3"
      " WHERE id = ?1 AND ?4 = ?4";
  return lk_tx_run(tx, insert ? ins : upd, representation_bind, r, !insert);
}

int lk_store_representation_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM representations WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

#define REPR_WHERE                                                             \
  " FROM representations x WHERE (?1 IS NULL OR x.represented_id = ?1)"        \
  " AND (?2 IS NULL OR x.represented_id = ?2)"                                 \
  " AND (?3 IS NULL OR x.representing_id = ?3)"                                \
  " AND (?4 IS NULL OR x.representing_id = ?4)"                                \
  " AND " VISIBLE("x.represented_id",                                          \
                  "?5") " AND " VISIBLE("x.representing_id", "?5")

int lk_store_representation_page(lk_store *s, const char *const *f,
                                 int64_t offset, int limit, char (*ids)[LK_ID],
                                 int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" REPR_WHERE;
  static const char page_sql[] =
      "SELECT x.id" REPR_WHERE " ORDER BY x.seq LIMIT ?6 OFFSET ?7";

  return lk_store_ki_page(s, count_sql, page_sql, f, 5, offset, limit, ids, n,
                          count);
}

/* ---- categorieën ----------------------------------------------------- */

static void category_row(lk_stmt *st, void *ud) {
  lk_category_row *r = ud;

  COPY(r->id, 0);
  COPY(r->name, 1);
  r->created_at = lk_stmt_col_int(st, 2);
}

int lk_store_category_get(lk_store *s, const char *id, lk_category_row *o) {
  static const char sql[] =
      "SELECT id, name, created_at FROM categories WHERE id = ?1";
  return lk_row_get(s, NULL, sql, id, category_row, o);
}

static void category_bind(lk_stmt *st, const void *arg) {
  const lk_category_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text(st, 2, r->name);
  lk_stmt_int(st, 3, r->created_at);
}

int lk_store_category_put(lk_tx *tx, const lk_category_row *r, bool insert) {
  static const char ins[] = "INSERT INTO categories (id, name, created_at)"
                            " VALUES (?1, ?2, ?3)";
  static const char upd[] =
      "UPDATE categories SET name = ?2 WHERE id = ?1 AND ?3 = ?3";
  return lk_tx_run(tx, insert ? ins : upd, category_bind, r, !insert);
}

int lk_store_category_delete(lk_tx *tx, const char *id) {
  static const char in_use[] =
      "SELECT 1 FROM category_relations WHERE category_id = ?1 UNION ALL"
      " SELECT 1 FROM conversation_categories WHERE category_id = ?1 LIMIT 1";
  static const char sql[] = "DELETE FROM categories WHERE id = ?1";
  int rc = lk_store_ki_exists_tx(tx, in_use, id);

  if (rc != 0)
    return rc < 0 ? rc : LK_STORE_CONFLICT;
  return lk_tx_run_id(tx, sql, id, true);
}

int lk_store_category_page(lk_store *s, int64_t offset, int limit,
                           char (*ids)[LK_ID], int *n, int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*) FROM categories";
  static const char page_sql[] =
      "SELECT id FROM categories ORDER BY seq LIMIT ?1 OFFSET ?2";

  return lk_store_ki_page(s, count_sql, page_sql, NULL, 0, offset, limit, ids,
                          n, count);
}

/* ---- categorie-relaties ---------------------------------------------- */

static void catrel_row(lk_stmt *st, void *ud) {
  lk_category_relation_row *r = ud;

  COPY(r->id, 0);
  COPY(r->party_id, 1);
  COPY(r->category_id, 2);
  COPY(r->category_name, 3);
  COPY(r->begin_date, 4);
  COPY(r->end_date, 5);
  r->created_at = lk_stmt_col_int(st, 6);
}

int lk_store_category_relation_get(lk_store *s, const char *id,
                                   lk_category_relation_row *o) {
  static const char sql[] =
      "SELECT r.id, COALESCE(r.party_id, ''), COALESCE(r.category_id, ''),"
      " COALESCE(c.name, ''), COALESCE(r.begin_date, ''),"
      " COALESCE(r.end_date, ''), r.created_at FROM category_relations r"
      " LEFT JOIN categories c ON c.id = r.category_id WHERE r.id = ?1";
  return lk_row_get(s, NULL, sql, id, catrel_row, o);
}

static void category_relation_bind(lk_stmt *st, const void *arg) {
  const lk_category_relation_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text_opt(st, 2, r->party_id);
  lk_stmt_text_opt(st, 3, r->category_id);
  lk_stmt_text_opt(st, 4, r->begin_date);
  lk_stmt_text_opt(st, 5, r->end_date);
  lk_stmt_int(st, 6, r->created_at);
}

int lk_store_category_relation_put(lk_tx *tx, const lk_category_relation_row *r,
                                   bool insert) {
  static const char ins[] =
      "INSERT INTO category_relations (id, party_id, category_id, begin_date,"
      " end_date, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  static const char upd[] =
      "UPDATE category_relations SET party_id = ?2, category_id = ?3,"
      " begin_date = ?4, end_date = ?5 WHERE id = ?1 AND ?6 = ?6";
  return lk_tx_run(tx, insert ? ins : upd, category_relation_bind, r, !insert);
}

int lk_store_category_relation_delete(lk_tx *tx, const char *id) {
  static const char sql[] = "DELETE FROM category_relations WHERE id = ?1";
  return lk_tx_run_id(tx, sql, id, true);
}

#define CATREL_WHERE                                                           \
  " FROM category_relations x LEFT JOIN categories c ON c.id = x.category_id"  \
  " LEFT JOIN parties p ON p.id = x.party_id"                                  \
  " WHERE (?1 IS NULL OR x.begin_date = ?1)"                                   \
  " AND (?2 IS NULL OR c.name = ?2)"                                           \
  " AND (?3 IS NULL OR x.category_id = ?3)"                                    \
  " AND (?4 IS NULL OR x.category_id = ?4)"                                    \
  " AND (?5 IS NULL OR x.end_date = ?5)"                                       \
  " AND (?6 IS NULL OR p.nummer = ?6)"                                         \
  " AND (?7 IS NULL OR x.party_id = ?7)"                                       \
  " AND (?8 IS NULL OR x.party_id = ?8)"                                       \
  " AND (?9 = '1' OR p.id IS NULL OR p.confidential = 0)"

int lk_store_category_relation_page(lk_store *s, const char *const *f,
                                    int64_t offset, int limit,
                                    char (*ids)[LK_ID], int *n,
                                    int64_t *count) {
  static const char count_sql[] = "SELECT COUNT(*)" CATREL_WHERE;
  static const char page_sql[] =
      "SELECT x.id" CATREL_WHERE " ORDER BY x.seq LIMIT ?10 OFFSET ?11";

  return lk_store_ki_page(s, count_sql, page_sql, f, 9, offset, limit, ids, n,
                          count);
}

/* ---- existence inside a write ---------------------------------------- */

int lk_store_row_exists_tx(lk_tx *tx, const char *table, const char *id) {
  static const struct {
    const char *table;
    const char *sql;
  } tables[] = {
      {"parties", "SELECT 1 FROM parties WHERE id = ?1"},
      {"party_identifiers", "SELECT 1 FROM party_identifiers WHERE id = ?1"},
      {"digital_addresses", "SELECT 1 FROM digital_addresses WHERE id = ?1"},
      {"bank_accounts", "SELECT 1 FROM bank_accounts WHERE id = ?1"},
      {"categories", "SELECT 1 FROM categories WHERE id = ?1"},
      {"involved", "SELECT 1 FROM involved WHERE id = ?1"},
      {"actors", "SELECT 1 FROM actors WHERE id = ?1"},
  };

  for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
    if (strcmp(tables[i].table, table) == 0)
      return lk_store_ki_exists_tx(tx, tables[i].sql, id);
  }
  return LK_STORE_INVALID;
}
