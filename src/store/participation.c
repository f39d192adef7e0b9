/* participation.c - the rows of participation (migration 0018). */
#include "store/participation.h"

#include <stdlib.h>

#include "store/internal.h"

/* Coordinates travel as text: db.h has no doubles, and SQLite's REAL
 * affinity turns the text into a number on insert. */
static void point_text(char *out, size_t size, bool has, double v) {
  if (has)
    snprintf(out, size, "%.6f", v);
  else
    out[0] = '\0';
}

static double col_double(lk_stmt *st, int col, bool *has) {
  const char *t = lk_stmt_col_text(st, col);
  char *end;
  double v;

  if (t[0] == '\0') {
    *has = false;
    return 0;
  }
  v = strtod(t, &end);
  if (end == t)
    *has = false;
  return v;
}

/* ---- accounts ---------------------------------------------------------- */

#define ACCOUNT_COLUMNS                                                        \
  "a.id, a.email, a.email_key, a.display_name, COALESCE(a.confirmed_at, 0),"   \
  " COALESCE(a.disabled_at, 0), a.created_at, a.updated_at"

static void account_cols(lk_stmt *st, int c, lk_p_account_row *r) {
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, c));
  lk_store_copy(r->email, sizeof(r->email), lk_stmt_col_text(st, c + 1));
  lk_store_copy(r->email_key, sizeof(r->email_key),
                lk_stmt_col_text(st, c + 2));
  lk_store_copy(r->display_name, sizeof(r->display_name),
                lk_stmt_col_text(st, c + 3));
  r->confirmed_at = lk_stmt_col_int(st, c + 4);
  r->disabled_at = lk_stmt_col_int(st, c + 5);
  r->created_at = lk_stmt_col_int(st, c + 6);
  r->updated_at = lk_stmt_col_int(st, c + 7);
}

static void account_row(lk_stmt *st, void *ud) {
  account_cols(st, 0, ud);
}

int lk_store_p_account_insert(lk_tx *tx, const lk_p_account_row *a) {
  static const char sql[] =
      "INSERT INTO p_accounts (id, email, email_key, display_name,"
      " confirmed_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5,"
      " ?6, ?6)";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, a->id);
  lk_stmt_text(st, 2, a->email);
  lk_stmt_text(st, 3, a->email_key);
  lk_stmt_text(st, 4, a->display_name);
  lk_stmt_int_opt(st, 5, a->confirmed_at);
  lk_stmt_int(st, 6, a->created_at);
  return lk_stmt_run(st);
}

int lk_store_p_account_get(lk_store *s, lk_tx *tx, const char *id,
                           lk_p_account_row *out) {
  static const char sql[] =
      "SELECT " ACCOUNT_COLUMNS " FROM p_accounts a WHERE a.id = ?1";

  return lk_row_get(s, tx, sql, id, account_row, out);
}

int lk_store_p_account_by_key(lk_store *s, lk_tx *tx, const char *email_key,
                              lk_p_account_row *out) {
  static const char sql[] =
      "SELECT " ACCOUNT_COLUMNS " FROM p_accounts a WHERE a.email_key = ?1";

  return lk_row_get(s, tx, sql, email_key, account_row, out);
}

int lk_store_p_account_confirm(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE p_accounts SET confirmed_at = COALESCE(confirmed_at, ?2),"
      " updated_at = ?2 WHERE id = ?1";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &id, 1, nums, 1, true);
}

int lk_store_p_account_rename(lk_tx *tx, const char *id, const char *name,
                              int64_t now) {
  static const char sql[] =
      "UPDATE p_accounts SET display_name = ?2, updated_at = ?3 WHERE id = ?1";
  const char *texts[] = {id, name};
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, texts, 2, nums, 1, true);
}

/* ---- links ------------------------------------------------------------- */

static void link_row(lk_stmt *st, void *ud) {
  lk_p_link_row *r = ud;

  lk_store_copy(r->digest, sizeof(r->digest), lk_stmt_col_text(st, 0));
  lk_store_copy(r->account_id, sizeof(r->account_id), lk_stmt_col_text(st, 1));
  lk_store_copy(r->purpose, sizeof(r->purpose), lk_stmt_col_text(st, 2));
  lk_store_copy(r->next_path, sizeof(r->next_path), lk_stmt_col_text(st, 3));
  r->created_at = lk_stmt_col_int(st, 4);
  r->expires_at = lk_stmt_col_int(st, 5);
  r->used_at = lk_stmt_col_int(st, 6);
}

int lk_store_p_link_insert(lk_tx *tx, const lk_p_link_row *l) {
  static const char sql[] =
      "INSERT INTO p_links (digest, account_id, purpose, next_path,"
      " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  const char *texts[] = {l->digest, l->account_id, l->purpose, l->next_path};
  int64_t nums[] = {l->created_at, l->expires_at};

  return lk_rows_write(tx, sql, texts, 4, nums, 2, false);
}

int lk_store_p_link_get(lk_store *s, lk_tx *tx, const char *digest,
                        lk_p_link_row *out) {
  static const char sql[] =
      "SELECT digest, account_id, purpose, next_path, created_at,"
      " expires_at, COALESCE(used_at, 0) FROM p_links WHERE digest = ?1";

  return lk_row_get(s, tx, sql, digest, link_row, out);
}

int lk_store_p_link_use(lk_tx *tx, const char *digest, int64_t now) {
  static const char sql[] =
      "UPDATE p_links SET used_at = ?2 WHERE digest = ?1 AND used_at IS NULL"
      " AND expires_at > ?2";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &digest, 1, nums, 1, true);
}

static void int_row(lk_stmt *st, void *ud) {
  *(int64_t *)ud = lk_stmt_col_int(st, 0);
}

int lk_store_p_links_since(lk_tx *tx, const char *account_id, int64_t since,
                           int64_t *count) {
  static const char sql[] =
      "SELECT COUNT(*) FROM p_links WHERE account_id = ?1 AND created_at >= ?2";
  int64_t nums[] = {since};
  int n = lk_rows(lk_tx_db(tx), sql, &account_id, 1, nums, 1, int_row, count);

  return n < 0 ? n : 0;
}

/* ---- sessions ---------------------------------------------------------- */

int lk_store_p_session_insert(lk_tx *tx, const char *id_hash,
                              const char *account_id, int64_t now,
                              int64_t expires_at) {
  static const char sql[] =
      "INSERT INTO p_sessions (id_hash, account_id, created_at, last_seen_at,"
      " expires_at) VALUES (?1, ?2, ?3, ?3, ?4)";
  const char *texts[] = {id_hash, account_id};
  int64_t nums[] = {now, expires_at};

  return lk_rows_write(tx, sql, texts, 2, nums, 2, false);
}

static void session_row(lk_stmt *st, void *ud) {
  lk_p_session_row *r = ud;

  account_cols(st, 0, &r->account);
  r->created_at = lk_stmt_col_int(st, 8);
  r->last_seen_at = lk_stmt_col_int(st, 9);
  r->expires_at = lk_stmt_col_int(st, 10);
}

int lk_store_p_session_get(lk_store *s, const char *id_hash,
                           lk_p_session_row *out) {
  static const char sql[] =
      "SELECT " ACCOUNT_COLUMNS ", x.created_at, x.last_seen_at, x.expires_at"
      " FROM p_sessions x JOIN p_accounts a ON a.id = x.account_id"
      " WHERE x.id_hash = ?1";

  return lk_row_get(s, NULL, sql, id_hash, session_row, out);
}

int lk_store_p_session_touch(lk_tx *tx, const char *id_hash, int64_t now) {
  static const char sql[] =
      "UPDATE p_sessions SET last_seen_at = ?2 WHERE id_hash = ?1";
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, &id_hash, 1, nums, 1, false);
}

int lk_store_p_session_delete(lk_tx *tx, const char *id_hash) {
  static const char sql[] = "DELETE FROM p_sessions WHERE id_hash = ?1";

  return lk_rows_write(tx, sql, &id_hash, 1, NULL, 0, true);
}

int lk_store_p_sessions_purge(lk_tx *tx, int64_t now, int64_t idle_ms) {
  static const char sql[] =
      "DELETE FROM p_sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2";
  int64_t nums[] = {now, now - idle_ms};

  return lk_rows_write(tx, sql, NULL, 0, nums, 2, false);
}

/* ---- organisations ----------------------------------------------------- */

#define ORG_COLUMNS                                                            \
  "o.id, o.name, o.description, o.website, o.kvk, o.created_by, o.created_at"

static void org_cols(lk_stmt *st, lk_p_org_row *r) {
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->name, sizeof(r->name), lk_stmt_col_text(st, 1));
  lk_store_copy(r->description, sizeof(r->description),
                lk_stmt_col_text(st, 2));
  lk_store_copy(r->website, sizeof(r->website), lk_stmt_col_text(st, 3));
  lk_store_copy(r->kvk, sizeof(r->kvk), lk_stmt_col_text(st, 4));
  lk_store_copy(r->created_by, sizeof(r->created_by), lk_stmt_col_text(st, 5));
  r->created_at = lk_stmt_col_int(st, 6);
  r->role[0] = '\0';
}

static void org_row(lk_stmt *st, void *ud) {
  org_cols(st, ud);
}

int lk_store_p_org_insert(lk_tx *tx, const lk_p_org_row *o) {
  static const char sql[] =
      "INSERT INTO p_organisations (id, name, description, website, kvk,"
      " created_by, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
      " ?7, ?7)";
  const char *texts[] = {o->id,      o->name, o->description,
                         o->website, o->kvk,  o->created_by};
  int64_t nums[] = {o->created_at};
  int rc = lk_rows_write(tx, sql, texts, 6, nums, 1, false);

  if (rc == 0)
    rc = lk_store_p_org_add_member(tx, o->id, o->created_by, "admin",
                                   o->created_at);
  return rc;
}

int lk_store_p_org_get(lk_store *s, lk_tx *tx, const char *id,
                       lk_p_org_row *out) {
  static const char sql[] =
      "SELECT " ORG_COLUMNS " FROM p_organisations o WHERE o.id = ?1"
      " AND o.hidden_at IS NULL";

  return lk_row_get(s, tx, sql, id, org_row, out);
}

static void text_row(lk_stmt *st, void *ud) {
  lk_store_copy(ud, 8, lk_stmt_col_text(st, 0));
}

int lk_store_p_org_role(lk_store *s, lk_tx *tx, const char *org_id,
                        const char *account_id, char *role) {
  static const char sql[] =
      "SELECT role FROM p_organisation_members WHERE organisation_id = ?1"
      " AND account_id = ?2";
  const char *texts[] = {org_id, account_id};
  int n = tx == NULL
              ? lk_rows_read(s, sql, texts, 2, NULL, 0, text_row, role)
              : lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, text_row, role);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_p_org_add_member(lk_tx *tx, const char *org_id,
                              const char *account_id, const char *role,
                              int64_t now) {
  static const char sql[] =
      "INSERT INTO p_organisation_members (organisation_id, account_id, role,"
      " created_at) VALUES (?1, ?2, ?3, ?4)"
      " ON CONFLICT (organisation_id, account_id) DO NOTHING";
  const char *texts[] = {org_id, account_id, role};
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, texts, 3, nums, 1, false);
}

struct org_list {
  lk_p_org_fn fn;
  void *ud;
};

static void org_list_row(lk_stmt *st, void *ud) {
  struct org_list *c = ud;
  lk_p_org_row r;

  org_cols(st, &r);
  lk_store_copy(r.role, sizeof(r.role), lk_stmt_col_text(st, 7));
  c->fn(&r, c->ud);
}

int lk_store_p_orgs_of(lk_store *s, const char *account_id, lk_p_org_fn fn,
                       void *ud) {
  static const char sql[] =
      "SELECT " ORG_COLUMNS ", m.role FROM p_organisation_members m"
      " JOIN p_organisations o ON o.id = m.organisation_id"
      " WHERE m.account_id = ?1 AND o.hidden_at IS NULL"
      " ORDER BY o.name, o.id LIMIT 50";
  struct org_list c = {fn, ud};

  return lk_rows_read(s, sql, &account_id, 1, NULL, 0, org_list_row, &c);
}

/* ---- themes and neighbourhoods ----------------------------------------- */

static void place_cols(lk_stmt *st, lk_p_place_row *r) {
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->name, sizeof(r->name), lk_stmt_col_text(st, 1));
  r->position = (int)lk_stmt_col_int(st, 2);
  r->has_point = true;
  r->lat = col_double(st, 3, &r->has_point);
  r->lon = col_double(st, 4, &r->has_point);
}

static void place_row(lk_stmt *st, void *ud) {
  place_cols(st, ud);
}

struct place_list {
  lk_p_place_fn fn;
  void *ud;
};

static void place_list_row(lk_stmt *st, void *ud) {
  struct place_list *c = ud;
  lk_p_place_row r;

  place_cols(st, &r);
  c->fn(&r, c->ud);
}

int lk_store_p_themes(lk_store *s, lk_p_place_fn fn, void *ud) {
  static const char sql[] = "SELECT id, name, position, '', '' FROM themes"
                            " ORDER BY position, name LIMIT 200";
  struct place_list c = {fn, ud};

  return lk_rows_read(s, sql, NULL, 0, NULL, 0, place_list_row, &c);
}

int lk_store_p_neighbourhoods(lk_store *s, lk_p_place_fn fn, void *ud) {
  static const char sql[] =
      "SELECT id, name, position, COALESCE(lat, ''), COALESCE(lon, '')"
      " FROM neighbourhoods ORDER BY position, name LIMIT 200";
  struct place_list c = {fn, ud};

  return lk_rows_read(s, sql, NULL, 0, NULL, 0, place_list_row, &c);
}

int lk_store_p_theme_get(lk_store *s, lk_tx *tx, const char *id,
                         lk_p_place_row *out) {
  static const char sql[] =
      "SELECT id, name, position, '', '' FROM themes WHERE id = ?1";

  return lk_row_get(s, tx, sql, id, place_row, out);
}

int lk_store_p_neighbourhood_get(lk_store *s, lk_tx *tx, const char *id,
                                 lk_p_place_row *out) {
  static const char sql[] =
      "SELECT id, name, position, COALESCE(lat, ''), COALESCE(lon, '')"
      " FROM neighbourhoods WHERE id = ?1";

  return lk_row_get(s, tx, sql, id, place_row, out);
}

int lk_store_p_neighbourhood_put(lk_tx *tx, const lk_p_place_row *r,
                                 int64_t now, bool *created) {
  static const char sql[] =
      "INSERT INTO neighbourhoods (id, name, position, lat, lon, created_at)"
      " VALUES (?1, ?2, ?5, ?3, ?4, ?6) ON CONFLICT (id) DO UPDATE SET"
      " name = excluded.name, position = excluded.position,"
      " lat = excluded.lat, lon = excluded.lon";
  lk_p_place_row old;
  char lat[32], lon[32];
  int rc = lk_store_p_neighbourhood_get(NULL, tx, r->id, &old);
  const char *texts[4];
  int64_t nums[] = {r->position, now};

  if (rc != 0 && rc != LK_STORE_NOTFOUND)
    return rc;
  *created = rc == LK_STORE_NOTFOUND;
  point_text(lat, sizeof(lat), r->has_point, r->lat);
  point_text(lon, sizeof(lon), r->has_point, r->lon);
  texts[0] = r->id;
  texts[1] = r->name;
  texts[2] = r->has_point ? lat : NULL;
  texts[3] = r->has_point ? lon : NULL;
  return lk_rows_write(tx, sql, texts, 4, nums, 2, false);
}

/* ---- initiatives ------------------------------------------------------- */

#define INIT_COLUMNS                                                           \
  "i.id, i.owner_id, a.display_name, COALESCE(i.organisation_id, ''),"         \
  " COALESCE(o.name, ''), i.title, i.summary, i.description,"                  \
  " COALESCE(i.theme_id, ''), COALESCE(t.name, ''),"                           \
  " COALESCE(i.neighbourhood_id, ''), COALESCE(n.name, ''), i.address,"        \
  " COALESCE(i.lat, ''), COALESCE(i.lon, ''), i.start_date, i.end_date,"       \
  " i.website, i.status, i.status_reason, i.status_changed_at,"                \
  " COALESCE(i.published_at, 0), i.followers_count, i.participants_count,"     \
  " i.updates_count, i.images_count, COALESCE(i.hidden_reason, ''),"           \
  " COALESCE(i.hidden_at, 0), i.version, i.created_at, i.updated_at"

#define INIT_JOINS                                                             \
  " JOIN p_accounts a ON a.id = i.owner_id"                                    \
  " LEFT JOIN p_organisations o ON o.id = i.organisation_id"                   \
  " LEFT JOIN themes t ON t.id = i.theme_id"                                   \
  " LEFT JOIN neighbourhoods n ON n.id = i.neighbourhood_id"

static void init_cols(lk_stmt *st, lk_initiative_row *r) {
#define T(field, col)                                                          \
  lk_store_copy(r->field, sizeof(r->field), lk_stmt_col_text(st, col))
  T(id, 0);
  T(owner_id, 1);
  T(owner_name, 2);
  T(organisation_id, 3);
  T(organisation_name, 4);
  T(title, 5);
  T(summary, 6);
  T(description, 7);
  T(theme_id, 8);
  T(theme_name, 9);
  T(neighbourhood_id, 10);
  T(neighbourhood_name, 11);
  T(address, 12);
  r->has_point = true;
  r->lat = col_double(st, 13, &r->has_point);
  r->lon = col_double(st, 14, &r->has_point);
  T(start_date, 15);
  T(end_date, 16);
  T(website, 17);
  T(status, 18);
  T(status_reason, 19);
  r->status_changed_at = lk_stmt_col_int(st, 20);
  r->published_at = lk_stmt_col_int(st, 21);
  r->followers_count = lk_stmt_col_int(st, 22);
  r->participants_count = lk_stmt_col_int(st, 23);
  r->updates_count = lk_stmt_col_int(st, 24);
  r->images_count = lk_stmt_col_int(st, 25);
  T(hidden_reason, 26);
  r->hidden_at = lk_stmt_col_int(st, 27);
  r->version = lk_stmt_col_int(st, 28);
  r->created_at = lk_stmt_col_int(st, 29);
  r->updated_at = lk_stmt_col_int(st, 30);
#undef T
}

static void init_row(lk_stmt *st, void *ud) {
  init_cols(st, ud);
}

/* Binds the editable fields at ?2..?13 (the statement's own order). */
static void bind_fields(lk_stmt *st, const lk_initiative_row *r) {
  char lat[32], lon[32];

  point_text(lat, sizeof(lat), r->has_point, r->lat);
  point_text(lon, sizeof(lon), r->has_point, r->lon);
  lk_stmt_text_opt(st, 2, r->organisation_id);
  lk_stmt_text(st, 3, r->title);
  lk_stmt_text(st, 4, r->summary);
  lk_stmt_text(st, 5, r->description);
  lk_stmt_text_opt(st, 6, r->theme_id);
  lk_stmt_text_opt(st, 7, r->neighbourhood_id);
  lk_stmt_text(st, 8, r->address);
  lk_stmt_text_opt(st, 9, lat);
  lk_stmt_text_opt(st, 10, lon);
  lk_stmt_text(st, 11, r->start_date);
  lk_stmt_text(st, 12, r->end_date);
  lk_stmt_text(st, 13, r->website);
}

int lk_store_initiative_insert(lk_tx *tx, const lk_initiative_row *r) {
  static const char sql[] =
      "INSERT INTO initiatives (id, organisation_id, title, summary,"
      " description, theme_id, neighbourhood_id, address, lat, lon,"
      " start_date, end_date, website, owner_id, status, status_changed_at,"
      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
      " ?10, ?11, ?12, ?13, ?14, 'draft', ?15, ?15, ?15)";
  static const char org[] =
      "INSERT INTO initiative_organisers (initiative_id, account_id, role,"
      " created_at) VALUES (?1, ?2, 'owner', ?3)";
  lk_stmt *st = lk_db_stmt(lk_tx_db(tx), sql);
  const char *texts[] = {r->id, r->owner_id};
  int64_t nums[] = {r->created_at};
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, r->id);
  bind_fields(st, r);
  lk_stmt_text(st, 14, r->owner_id);
  lk_stmt_int(st, 15, r->created_at);
  rc = lk_stmt_run(st);
  if (rc == 0)
    rc = lk_rows_write(tx, org, texts, 2, nums, 1, false);
  return rc;
}

int lk_store_initiative_update(lk_tx *tx, const lk_initiative_row *r,
                               int64_t expect_version) {
  static const char sql[] =
      "UPDATE initiatives SET organisation_id = ?2, title = ?3, summary = ?4,"
      " description = ?5, theme_id = ?6, neighbourhood_id = ?7,"
      " address = ?8, lat = ?9, lon = ?10, start_date = ?11, end_date = ?12,"
      " website = ?13, updated_at = ?14, version = version + 1"
      " WHERE id = ?1 AND version = ?15";
  lk_db *db = lk_tx_db(tx);
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, r->id);
  bind_fields(st, r);
  lk_stmt_int(st, 14, r->updated_at);
  lk_stmt_int(st, 15, expect_version);
  rc = lk_stmt_run(st);
  if (rc == 0 && lk_db_changes(db) == 0)
    rc = LK_STORE_CONFLICT;
  return rc;
}

int lk_store_initiative_get(lk_store *s, lk_tx *tx, const char *id,
                            lk_initiative_row *out) {
  static const char sql[] = "SELECT " INIT_COLUMNS
                            " FROM initiatives i" INIT_JOINS " WHERE i.id = ?1";

  return lk_row_get(s, tx, sql, id, init_row, out);
}

int lk_store_initiative_status(lk_tx *tx, const char *id, const char *from,
                               const char *to, const char *reason,
                               const char *actor, int64_t now) {
  static const char sql[] =
      "UPDATE initiatives SET status = ?3, status_reason = ?4,"
      " status_changed_at = ?5, updated_at = ?5,"
      " published_at = CASE WHEN ?3 = 'published' AND published_at IS NULL"
      " THEN ?5 ELSE published_at END"
      " WHERE id = ?1 AND status = ?2";
  static const char log[] =
      "INSERT INTO initiative_status_log (initiative_id, from_status,"
      " to_status, reason, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
      " ?6)";
  const char *texts[] = {id, from, to, reason};
  const char *ltexts[] = {id, from, to, reason, actor};
  int64_t nums[] = {now};
  int rc = lk_rows_write(tx, sql, texts, 4, nums, 1, true);

  if (rc == LK_STORE_NOTFOUND)
    return LK_STORE_CONFLICT; /* its status changed meanwhile */
  if (rc == 0)
    rc = lk_rows_write(tx, log, ltexts, 5, nums, 1, false);
  return rc;
}

int lk_store_initiative_count(lk_tx *tx, const char *id, const char *which,
                              int64_t delta) {
  static const char followers[] = "UPDATE initiatives SET followers_count ="
                                  " followers_count + ?2 WHERE id = ?1";
  static const char participants[] =
      "UPDATE initiatives SET participants_count ="
      " participants_count + ?2 WHERE id = ?1";
  static const char updates[] = "UPDATE initiatives SET updates_count ="
                                " updates_count + ?2 WHERE id = ?1";
  static const char images[] = "UPDATE initiatives SET images_count ="
                               " images_count + ?2 WHERE id = ?1";
  const char *sql;
  int64_t nums[] = {delta};

  if (strcmp(which, "followers") == 0)
    sql = followers;
  else if (strcmp(which, "participants") == 0)
    sql = participants;
  else if (strcmp(which, "updates") == 0)
    sql = updates;
  else if (strcmp(which, "images") == 0)
    sql = images;
  else
    return LK_STORE_INVALID;
  return lk_rows_write(tx, sql, &id, 1, nums, 1, true);
}

int lk_store_initiative_role(lk_store *s, lk_tx *tx, const char *id,
                             const char *account_id, char *role) {
  static const char sql[] =
      "SELECT role FROM initiative_organisers WHERE initiative_id = ?1"
      " AND account_id = ?2";
  const char *texts[] = {id, account_id};
  int n = tx == NULL
              ? lk_rows_read(s, sql, texts, 2, NULL, 0, text_row, role)
              : lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, text_row, role);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_initiative_add_organiser(lk_tx *tx, const char *id,
                                      const char *account_id, int64_t now) {
  static const char sql[] =
      "INSERT INTO initiative_organisers (initiative_id, account_id, role,"
      " created_at) VALUES (?1, ?2, 'co', ?3)"
      " ON CONFLICT (initiative_id, account_id) DO NOTHING";
  const char *texts[] = {id, account_id};
  int64_t nums[] = {now};

  return lk_rows_write(tx, sql, texts, 2, nums, 1, false);
}

struct person_list {
  lk_p_person_fn fn;
  void *ud;
};

static void person_row(lk_stmt *st, void *ud) {
  struct person_list *c = ud;
  lk_p_person p;

  lk_store_copy(p.account_id, sizeof(p.account_id), lk_stmt_col_text(st, 0));
  lk_store_copy(p.display_name, sizeof(p.display_name),
                lk_stmt_col_text(st, 1));
  lk_store_copy(p.role, sizeof(p.role), lk_stmt_col_text(st, 2));
  c->fn(&p, c->ud);
}

int lk_store_initiative_organisers(lk_store *s, const char *id,
                                   lk_p_person_fn fn, void *ud) {
  static const char sql[] =
      "SELECT g.account_id, a.display_name, g.role FROM initiative_organisers"
      " g JOIN p_accounts a ON a.id = g.account_id WHERE g.initiative_id = ?1"
      " ORDER BY g.role DESC, g.created_at, g.account_id LIMIT 50";
  struct person_list c = {fn, ud};

  return lk_rows_read(s, sql, &id, 1, NULL, 0, person_row, &c);
}

struct init_list {
  lk_initiative_fn fn;
  void *ud;
};

static void init_list_row(lk_stmt *st, void *ud) {
  struct init_list *c = ud;
  lk_initiative_row *r = malloc(sizeof(*r));

  if (r == NULL)
    return;
  init_cols(st, r);
  c->fn(r, c->ud);
  free(r);
}

/* The public list.  ?1 theme, ?2 neighbourhood, ?3 status, ?4 cursor id,
 * ?5 limit, ?6 cursor time.  One statement per combination of filters
 * and per first/next page, each with its filters as plain equalities,
 * so that the planner walks the partial index of migration 0018 that
 * holds exactly those columns, newest first, from the cursor on (a row
 * value range), and stops after `limit` rows: no page costs more than
 * its rows, whatever the filters or how deep the page. */
#define PUB_BASE " WHERE i.published_at IS NOT NULL AND i.hidden_at IS NULL"
#define PUB_T " AND i.theme_id = ?1"
#define PUB_N " AND i.neighbourhood_id = ?2"
#define PUB_S " AND i.status = ?3"
#define PUB_FIRST " AND ?6 = 0 AND ?4 = ?4" /* binds every parameter */
#define PUB_NEXT " AND (i.published_at, i.id) < (?6, ?4)"
#define PUB_ORDER " ORDER BY i.published_at DESC, i.id DESC LIMIT ?5"
#define PUB(COLS, W)                                                           \
  "SELECT " COLS " FROM initiatives i" INIT_JOINS PUB_BASE W PUB_ORDER
#define PUB_SET(COLS, C)                                                       \
  {                                                                            \
    PUB(COLS, C), PUB(COLS, PUB_T C), PUB(COLS, PUB_N C),                      \
        PUB(COLS, PUB_T PUB_N C), PUB(COLS, PUB_S C),                          \
        PUB(COLS, PUB_T PUB_S C), PUB(COLS, PUB_N PUB_S C),                    \
        PUB(COLS, PUB_T PUB_N PUB_S C)                                         \
  }

/* The same columns, with the followers and updates counted at request
 * time: the reference of the benchmark (docs/benchmarks.md). */
#define COUNTING_COLUMNS                                                       \
  "i.id, i.owner_id, a.display_name, COALESCE(i.organisation_id, ''),"         \
  " COALESCE(o.name, ''), i.title, i.summary, i.description,"                  \
  " COALESCE(i.theme_id, ''), COALESCE(t.name, ''),"                           \
  " COALESCE(i.neighbourhood_id, ''), COALESCE(n.name, ''), i.address,"        \
  " COALESCE(i.lat, ''), COALESCE(i.lon, ''), i.start_date, i.end_date,"       \
  " i.website, i.status, i.status_reason, i.status_changed_at,"                \
  " COALESCE(i.published_at, 0),"                                              \
  " (SELECT COUNT(*) FROM initiative_followers x"                              \
  " WHERE x.initiative_id = i.id), i.participants_count,"                      \
  " (SELECT COUNT(*) FROM initiative_updates u"                                \
  " WHERE u.initiative_id = i.id), i.images_count,"                            \
  " COALESCE(i.hidden_reason, ''), COALESCE(i.hidden_at, 0), i.version,"       \
  " i.created_at, i.updated_at"

static const char *const public_sql[2][8] = {PUB_SET(INIT_COLUMNS, PUB_FIRST),
                                             PUB_SET(INIT_COLUMNS, PUB_NEXT)};
static const char *const counting_sql[2][8] = {
    PUB_SET(COUNTING_COLUMNS, PUB_FIRST), PUB_SET(COUNTING_COLUMNS, PUB_NEXT)};

static int public_list(lk_store *s, const char *const sqls[2][8],
                       const lk_initiative_filter *f, int limit,
                       lk_initiative_fn fn, void *ud) {
  const char *texts[] = {f->theme, f->neighbourhood, f->status, f->after_id};
  int64_t nums[] = {limit > 100 ? 100 : limit, f->after_published};
  struct init_list c = {fn, ud};
  int which = (f->theme[0] != '\0' ? 1 : 0) |
              (f->neighbourhood[0] != '\0' ? 2 : 0) |
              (f->status[0] != '\0' ? 4 : 0);

  return lk_rows_read(s, sqls[f->after_published > 0 ? 1 : 0][which], texts, 4,
                      nums, 2, init_list_row, &c);
}

int lk_store_initiatives_public(lk_store *s, const lk_initiative_filter *f,
                                int limit, lk_initiative_fn fn, void *ud) {
  return public_list(s, public_sql, f, limit, fn, ud);
}

int lk_store_initiatives_public_counting(lk_store *s,
                                         const lk_initiative_filter *f,
                                         int limit, lk_initiative_fn fn,
                                         void *ud) {
  return public_list(s, counting_sql, f, limit, fn, ud);
}

int lk_store_initiative_followers_counted(lk_store *s, const char *id,
                                          int64_t *out) {
  static const char sql[] =
      "SELECT COUNT(*) FROM initiative_followers WHERE initiative_id = ?1";
  int n = lk_rows_read(s, sql, &id, 1, NULL, 0, int_row, out);

  return n < 0 ? n : 0;
}

int lk_store_initiatives_staff(lk_store *s, const char *status,
                               const char *after_id, int limit,
                               lk_initiative_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " INIT_COLUMNS " FROM initiatives i" INIT_JOINS
      " WHERE (?1 = '' OR i.status = ?1) AND i.id > ?2 ORDER BY i.id"
      " LIMIT ?3";
  const char *texts[] = {status, after_id};
  int64_t nums[] = {limit > 100 ? 100 : limit};
  struct init_list c = {fn, ud};

  return lk_rows_read(s, sql, texts, 2, nums, 1, init_list_row, &c);
}

int lk_store_initiatives_of(lk_store *s, const char *account_id,
                            lk_initiative_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " INIT_COLUMNS " FROM initiative_organisers g"
      " JOIN initiatives i ON i.id = g.initiative_id" INIT_JOINS
      " WHERE g.account_id = ?1 ORDER BY i.id DESC LIMIT 100";
  struct init_list c = {fn, ud};

  return lk_rows_read(s, sql, &account_id, 1, NULL, 0, init_list_row, &c);
}

/* ---- followers --------------------------------------------------------- */

int lk_store_initiative_follow(lk_tx *tx, const char *id,
                               const char *account_id, bool follow, int64_t now,
                               bool *changed) {
  static const char add[] =
      "INSERT INTO initiative_followers (initiative_id, account_id,"
      " created_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (initiative_id, account_id) DO NOTHING";
  static const char del[] = "DELETE FROM initiative_followers"
                            " WHERE initiative_id = ?1 AND account_id = ?2"
                            " AND ?3 >= 0";
  const char *texts[] = {id, account_id};
  int64_t nums[] = {now};
  int rc = lk_rows_write(tx, follow ? add : del, texts, 2, nums, 1, false);

  if (rc != 0)
    return rc;
  *changed = lk_db_changes(lk_tx_db(tx)) > 0;
  if (!*changed)
    return 0;
  return lk_store_initiative_count(tx, id, "followers", follow ? 1 : -1);
}

static void bool_row(lk_stmt *st, void *ud) {
  (void)st;
  *(bool *)ud = true;
}

int lk_store_initiative_is_follower(lk_store *s, const char *id,
                                    const char *account_id, bool *out) {
  static const char sql[] =
      "SELECT 1 FROM initiative_followers WHERE initiative_id = ?1"
      " AND account_id = ?2";
  const char *texts[] = {id, account_id};
  bool found = false;
  int n = lk_rows_read(s, sql, texts, 2, NULL, 0, bool_row, &found);

  if (n < 0)
    return n;
  *out = found;
  return 0;
}

struct account_list {
  lk_p_account_fn fn;
  void *ud;
};

static void account_list_row(lk_stmt *st, void *ud) {
  struct account_list *c = ud;
  lk_p_account_row r;

  account_cols(st, 0, &r);
  c->fn(&r, c->ud);
}

int lk_store_initiative_followers(lk_tx *tx, const char *id, const char *after,
                                  int limit, lk_p_account_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " ACCOUNT_COLUMNS " FROM initiative_followers f"
      " JOIN p_accounts a ON a.id = f.account_id"
      " WHERE f.initiative_id = ?1 AND f.account_id > ?2"
      " AND a.confirmed_at IS NOT NULL AND a.disabled_at IS NULL"
      " ORDER BY f.account_id LIMIT ?3";
  const char *texts[] = {id, after};
  int64_t nums[] = {limit};
  struct account_list c = {fn, ud};

  return lk_rows(lk_tx_db(tx), sql, texts, 2, nums, 1, account_list_row, &c);
}

/* ---- updates ----------------------------------------------------------- */

int lk_store_initiative_update_insert(lk_tx *tx,
                                      const lk_initiative_update_row *u) {
  static const char sql[] =
      "INSERT INTO initiative_updates (id, initiative_id, author_id, title,"
      " body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  const char *texts[] = {u->id, u->initiative_id, u->author_id, u->title,
                         u->body};
  int64_t nums[] = {u->created_at};
  int rc = lk_rows_write(tx, sql, texts, 5, nums, 1, false);

  if (rc == 0)
    rc = lk_store_initiative_count(tx, u->initiative_id, "updates", 1);
  return rc;
}

struct update_list {
  lk_initiative_update_fn fn;
  void *ud;
};

static void update_row(lk_stmt *st, void *ud) {
  struct update_list *c = ud;
  lk_initiative_update_row *u = malloc(sizeof(*u));

  if (u == NULL)
    return;
  lk_store_copy(u->id, sizeof(u->id), lk_stmt_col_text(st, 0));
  lk_store_copy(u->initiative_id, sizeof(u->initiative_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(u->author_id, sizeof(u->author_id), lk_stmt_col_text(st, 2));
  lk_store_copy(u->author_name, sizeof(u->author_name),
                lk_stmt_col_text(st, 3));
  lk_store_copy(u->title, sizeof(u->title), lk_stmt_col_text(st, 4));
  lk_store_copy(u->body, sizeof(u->body), lk_stmt_col_text(st, 5));
  u->created_at = lk_stmt_col_int(st, 6);
  lk_store_copy(u->hidden_reason, sizeof(u->hidden_reason),
                lk_stmt_col_text(st, 7));
  u->hidden_at = lk_stmt_col_int(st, 8);
  c->fn(u, c->ud);
  free(u);
}

int lk_store_initiative_updates(lk_store *s, const char *id, bool with_hidden,
                                int limit, lk_initiative_update_fn fn,
                                void *ud) {
  static const char sql[] =
      "SELECT u.id, u.initiative_id, u.author_id, a.display_name, u.title,"
      " u.body, u.created_at, COALESCE(u.hidden_reason, ''),"
      " COALESCE(u.hidden_at, 0) FROM initiative_updates u"
      " JOIN p_accounts a ON a.id = u.author_id WHERE u.initiative_id = ?1"
      " AND (?3 = 1 OR u.hidden_at IS NULL)"
      " ORDER BY u.created_at DESC, u.id DESC LIMIT ?2";
  int64_t nums[] = {limit > 100 ? 100 : limit, with_hidden ? 1 : 0};
  struct update_list c = {fn, ud};

  return lk_rows_read(s, sql, &id, 1, nums, 2, update_row, &c);
}

/* ---- images ------------------------------------------------------------ */

static void image_cols(lk_stmt *st, lk_initiative_image_row *r) {
  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->initiative_id, sizeof(r->initiative_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(r->sha256, sizeof(r->sha256), lk_stmt_col_text(st, 2));
  lk_store_copy(r->media_type, sizeof(r->media_type), lk_stmt_col_text(st, 3));
  r->size = lk_stmt_col_int(st, 4);
  lk_store_copy(r->alt, sizeof(r->alt), lk_stmt_col_text(st, 5));
  r->created_at = lk_stmt_col_int(st, 6);
  r->hidden_at = lk_stmt_col_int(st, 7);
}

static void image_row(lk_stmt *st, void *ud) {
  image_cols(st, ud);
}

#define IMAGE_COLUMNS                                                          \
  "id, initiative_id, sha256, media_type, size, alt, created_at,"              \
  " COALESCE(hidden_at, 0)"

int lk_store_initiative_image_insert(lk_tx *tx,
                                     const lk_initiative_image_row *r) {
  static const char sql[] =
      "INSERT INTO initiative_images (id, initiative_id, sha256, media_type,"
      " size, alt, created_at) VALUES (?1, ?2, ?3, ?4, ?6, ?5, ?7)";
  const char *texts[] = {r->id, r->initiative_id, r->sha256, r->media_type,
                         r->alt};
  int64_t nums[] = {r->size, r->created_at};
  int rc = lk_rows_write(tx, sql, texts, 5, nums, 2, false);

  if (rc == 0)
    rc = lk_store_initiative_count(tx, r->initiative_id, "images", 1);
  return rc;
}

int lk_store_initiative_image_get(lk_store *s, const char *id,
                                  lk_initiative_image_row *out) {
  static const char sql[] =
      "SELECT " IMAGE_COLUMNS " FROM initiative_images WHERE id = ?1";

  return lk_row_get(s, NULL, sql, id, image_row, out);
}

struct image_list {
  lk_initiative_image_fn fn;
  void *ud;
};

static void image_list_row(lk_stmt *st, void *ud) {
  struct image_list *c = ud;
  lk_initiative_image_row r;

  image_cols(st, &r);
  c->fn(&r, c->ud);
}

int lk_store_initiative_images(lk_store *s, const char *id,
                               lk_initiative_image_fn fn, void *ud) {
  static const char sql[] = "SELECT " IMAGE_COLUMNS " FROM initiative_images"
                            " WHERE initiative_id = ?1 AND hidden_at IS NULL"
                            " ORDER BY created_at, id LIMIT 20";
  struct image_list c = {fn, ud};

  return lk_rows_read(s, sql, &id, 1, NULL, 0, image_list_row, &c);
}
