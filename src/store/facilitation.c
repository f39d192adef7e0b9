/* facilitation.c - rows of rooms, budget_pots, facilitation_requests,
 * facilitation_history, room_bookings, meetings and
 * meeting_registrations (migration 0019).
 *
 * The rules that must hold under concurrent decisions (a pot never
 * overspent, a room never double-booked, a meeting never over its
 * capacity) are each one guarded statement here, run on the single
 * writer thread: the check and the change cannot interleave with
 * another write.  The schema's CHECKs and trigger refuse the same states
 * should anything else try.
 */
#include <stdlib.h>
#include <string.h>

#include "store/facilitation.h"
#include "store/internal.h"

/* ---- rooms -------------------------------------------------------------- */

#define ROOM_COLUMNS                                                           \
  "id, name, location, capacity, opens, closes, days, active, created_at,"     \
  " updated_at"

static void room_row(lk_stmt *st, void *ud) {
  lk_room_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->name, sizeof(r->name), lk_stmt_col_text(st, 1));
  lk_store_copy(r->location, sizeof(r->location), lk_stmt_col_text(st, 2));
  r->capacity = (int)lk_stmt_col_int(st, 3);
  r->opens = (int)lk_stmt_col_int(st, 4);
  r->closes = (int)lk_stmt_col_int(st, 5);
  r->days = (int)lk_stmt_col_int(st, 6);
  r->active = lk_stmt_col_int(st, 7) != 0;
  r->created_at = lk_stmt_col_int(st, 8);
  r->updated_at = lk_stmt_col_int(st, 9);
}

static void room_bind(lk_stmt *st, const void *arg) {
  const lk_room_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text(st, 2, r->name);
  lk_stmt_text(st, 3, r->location);
  lk_stmt_int(st, 4, r->capacity);
  lk_stmt_int(st, 5, r->opens);
  lk_stmt_int(st, 6, r->closes);
  lk_stmt_int(st, 7, r->days);
  lk_stmt_int(st, 8, r->active ? 1 : 0);
  lk_stmt_int(st, 9, r->updated_at);
}

int lk_store_room_insert(lk_tx *tx, const lk_room_row *r) {
  static const char sql[] =
      "INSERT INTO rooms (id, name, location, capacity, opens, closes, days,"
      " active, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
  return lk_tx_run(tx, sql, room_bind, r, false);
}

int lk_store_room_update(lk_tx *tx, const lk_room_row *r) {
  static const char sql[] =
      "UPDATE rooms SET name = ?2, location = ?3, capacity = ?4, opens = ?5,"
      " closes = ?6, days = ?7, active = ?8, updated_at = ?9 WHERE id = ?1";
  return lk_tx_run(tx, sql, room_bind, r, true);
}

static const char room_get_sql[] =
    "SELECT " ROOM_COLUMNS " FROM rooms WHERE id = ?1";

int lk_store_room_get_tx(lk_tx *tx, const char *id, lk_room_row *out) {
  return lk_row_get(NULL, tx, room_get_sql, id, room_row, out);
}

int lk_store_room_get(lk_store *s, const char *id, lk_room_row *out) {
  return lk_row_get(s, NULL, room_get_sql, id, room_row, out);
}

struct room_list {
  lk_room_fn fn;
  void *ud;
};

static void room_each(lk_stmt *st, void *ud) {
  struct room_list *l = ud;
  lk_room_row r;

  room_row(st, &r);
  l->fn(&r, l->ud);
}

int lk_store_room_list(lk_store *s, const char *after, int limit, lk_room_fn fn,
                       void *ud) {
  static const char sql[] = "SELECT " ROOM_COLUMNS " FROM rooms"
                            " WHERE id > ?1 ORDER BY id LIMIT ?2";
  struct room_list l = {fn, ud};
  int64_t lim = limit;

  return lk_rows_read(s, sql, &after, 1, &lim, 1, room_each, &l);
}

/* ---- budget pots -------------------------------------------------------- */

#define POT_COLUMNS                                                            \
  "id, year, neighbourhood_id, amount_cents, committed_cents, paid_cents,"     \
  " created_at, updated_at"

static void pot_row(lk_stmt *st, void *ud) {
  lk_pot_row *p = ud;

  lk_store_copy(p->id, sizeof(p->id), lk_stmt_col_text(st, 0));
  p->year = (int)lk_stmt_col_int(st, 1);
  lk_store_copy(p->neighbourhood_id, sizeof(p->neighbourhood_id),
                lk_stmt_col_text(st, 2));
  p->amount_cents = lk_stmt_col_int(st, 3);
  p->committed_cents = lk_stmt_col_int(st, 4);
  p->paid_cents = lk_stmt_col_int(st, 5);
  p->created_at = lk_stmt_col_int(st, 6);
  p->updated_at = lk_stmt_col_int(st, 7);
}

int lk_store_pot_insert(lk_tx *tx, const lk_pot_row *p) {
  static const char sql[] =
      "INSERT INTO budget_pots (id, year, neighbourhood_id, amount_cents,"
      " created_at, updated_at) VALUES (?1, ?3, ?2, ?4, ?5, ?5)";
  const char *texts[] = {p->id, p->neighbourhood_id};
  int64_t nums[] = {p->year, p->amount_cents, p->created_at};

  return lk_rows_write(tx, sql, texts, 2, nums, 3, false);
}

static const char pot_get_sql[] =
    "SELECT " POT_COLUMNS " FROM budget_pots WHERE id = ?1";

int lk_store_pot_get_tx(lk_tx *tx, const char *id, lk_pot_row *out) {
  return lk_row_get(NULL, tx, pot_get_sql, id, pot_row, out);
}

int lk_store_pot_get(lk_store *s, const char *id, lk_pot_row *out) {
  return lk_row_get(s, NULL, pot_get_sql, id, pot_row, out);
}

int lk_store_pot_find_tx(lk_tx *tx, int year, const char *neighbourhood_id,
                         lk_pot_row *out) {
  static const char sql[] = "SELECT " POT_COLUMNS " FROM budget_pots"
                            " WHERE neighbourhood_id = ?1 AND year = ?2";
  int64_t y = year;
  lk_pot_row p;
  int n = lk_rows(lk_tx_db(tx), sql, &neighbourhood_id, 1, &y, 1, pot_row, &p);

  return lk_rows_one(n, &p, out, sizeof(p));
}

/* Runs a guarded UPDATE of a pot: when it changed nothing, tells an
 * unknown pot (NOTFOUND) from a guard that did not hold (EBUDGET). */
static int pot_guarded(lk_tx *tx, const char *sql, const char *id,
                       int64_t cents, int64_t now) {
  int64_t nums[] = {cents, now};
  lk_pot_row p;
  int rc = lk_rows_write(tx, sql, &id, 1, nums, 2, true);

  if (rc != LK_STORE_NOTFOUND)
    return rc;
  rc = lk_store_pot_get_tx(tx, id, &p);
  return rc == 0 ? LK_FAC_EBUDGET : rc;
}

int lk_store_pot_set_amount(lk_tx *tx, const char *id, int64_t amount,
                            int64_t now) {
  static const char sql[] =
      "UPDATE budget_pots SET amount_cents = ?2, updated_at = ?3"
      " WHERE id = ?1 AND committed_cents + paid_cents <= ?2";
  return pot_guarded(tx, sql, id, amount, now);
}

int lk_store_pot_commit(lk_tx *tx, const char *id, int64_t cents, int64_t now) {
  static const char sql[] =
      "UPDATE budget_pots SET committed_cents = committed_cents + ?2,"
      " updated_at = ?3"
      " WHERE id = ?1 AND amount_cents - committed_cents - paid_cents >= ?2";
  return pot_guarded(tx, sql, id, cents, now);
}

int lk_store_pot_pay(lk_tx *tx, const char *id, int64_t cents, int64_t now) {
  static const char sql[] =
      "UPDATE budget_pots SET committed_cents = committed_cents - ?2,"
      " paid_cents = paid_cents + ?2, updated_at = ?3"
      " WHERE id = ?1 AND committed_cents >= ?2";
  return pot_guarded(tx, sql, id, cents, now);
}

struct pot_list {
  lk_pot_fn fn;
  void *ud;
};

static void pot_each(lk_stmt *st, void *ud) {
  struct pot_list *l = ud;
  lk_pot_row p;

  pot_row(st, &p);
  l->fn(&p, l->ud);
}

int lk_store_pot_list(lk_store *s, int year, const char *after, int limit,
                      lk_pot_fn fn, void *ud) {
  static const char sql[] = "SELECT " POT_COLUMNS " FROM budget_pots"
                            " WHERE id > ?1 AND (?2 = 0 OR year = ?2)"
                            " ORDER BY id LIMIT ?3";
  struct pot_list l = {fn, ud};
  int64_t nums[] = {year, limit};

  return lk_rows_read(s, sql, &after, 1, nums, 2, pot_each, &l);
}

/* ---- requests ----------------------------------------------------------- */

#define REQUEST_COLUMNS                                                        \
  "id, initiative_id, kind, status, requested_by, purpose,"                    \
  " COALESCE(room_id, ''), COALESCE(starts_at, 0), COALESCE(ends_at, 0),"      \
  " COALESCE(attendees, 0), COALESCE(hours, 0), COALESCE(amount_cents, 0),"    \
  " COALESCE(granted_hours, 0), COALESCE(granted_cents, 0),"                   \
  " COALESCE(booking_id, ''), COALESCE(pot_id, ''), paid_cents,"               \
  " COALESCE(year, 0), COALESCE(neighbourhood_id, ''), reason,"                \
  " COALESCE(decided_by, ''), COALESCE(decided_at, 0), version, created_at,"   \
  " updated_at"

static void request_row(lk_stmt *st, void *ud) {
  lk_fac_request_row *r = ud;

  lk_store_copy(r->id, sizeof(r->id), lk_stmt_col_text(st, 0));
  lk_store_copy(r->initiative_id, sizeof(r->initiative_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(r->kind, sizeof(r->kind), lk_stmt_col_text(st, 2));
  lk_store_copy(r->status, sizeof(r->status), lk_stmt_col_text(st, 3));
  lk_store_copy(r->requested_by, sizeof(r->requested_by),
                lk_stmt_col_text(st, 4));
  lk_store_copy(r->purpose, sizeof(r->purpose), lk_stmt_col_text(st, 5));
  lk_store_copy(r->room_id, sizeof(r->room_id), lk_stmt_col_text(st, 6));
  r->starts_at = lk_stmt_col_int(st, 7);
  r->ends_at = lk_stmt_col_int(st, 8);
  r->attendees = (int)lk_stmt_col_int(st, 9);
  r->hours = (int)lk_stmt_col_int(st, 10);
  r->amount_cents = lk_stmt_col_int(st, 11);
  r->granted_hours = (int)lk_stmt_col_int(st, 12);
  r->granted_cents = lk_stmt_col_int(st, 13);
  lk_store_copy(r->booking_id, sizeof(r->booking_id), lk_stmt_col_text(st, 14));
  lk_store_copy(r->pot_id, sizeof(r->pot_id), lk_stmt_col_text(st, 15));
  r->paid_cents = lk_stmt_col_int(st, 16);
  r->year = (int)lk_stmt_col_int(st, 17);
  lk_store_copy(r->neighbourhood_id, sizeof(r->neighbourhood_id),
                lk_stmt_col_text(st, 18));
  lk_store_copy(r->reason, sizeof(r->reason), lk_stmt_col_text(st, 19));
  lk_store_copy(r->decided_by, sizeof(r->decided_by), lk_stmt_col_text(st, 20));
  r->decided_at = lk_stmt_col_int(st, 21);
  r->version = lk_stmt_col_int(st, 22);
  r->created_at = lk_stmt_col_int(st, 23);
  r->updated_at = lk_stmt_col_int(st, 24);
}

static void request_insert_bind(lk_stmt *st, const void *arg) {
  const lk_fac_request_row *r = arg;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text(st, 2, r->initiative_id);
  lk_stmt_text(st, 3, r->kind);
  lk_stmt_text(st, 4, r->status);
  lk_stmt_text(st, 5, r->requested_by);
  lk_stmt_text(st, 6, r->purpose);
  lk_stmt_text_opt(st, 7, r->room_id);
  lk_stmt_int_opt(st, 8, r->starts_at);
  lk_stmt_int_opt(st, 9, r->ends_at);
  lk_stmt_int_opt(st, 10, r->attendees);
  lk_stmt_int_opt(st, 11, r->hours);
  lk_stmt_int_opt(st, 12, r->amount_cents);
  lk_stmt_int(st, 13, r->created_at);
}

int lk_store_fac_request_insert(lk_tx *tx, const lk_fac_request_row *r) {
  static const char sql[] =
      "INSERT INTO facilitation_requests (id, initiative_id, kind, status,"
      " requested_by, purpose, room_id, starts_at, ends_at, attendees, hours,"
      " amount_cents, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)";
  return lk_tx_run(tx, sql, request_insert_bind, r, false);
}

static const char request_get_sql[] =
    "SELECT " REQUEST_COLUMNS " FROM facilitation_requests WHERE id = ?1";

int lk_store_fac_request_get_tx(lk_tx *tx, const char *id,
                                lk_fac_request_row *out) {
  return lk_row_get(NULL, tx, request_get_sql, id, request_row, out);
}

int lk_store_fac_request_get(lk_store *s, const char *id,
                             lk_fac_request_row *out) {
  return lk_row_get(s, NULL, request_get_sql, id, request_row, out);
}

struct request_update {
  const lk_fac_request_row *r;
  int64_t now;
};

static void request_update_bind(lk_stmt *st, const void *arg) {
  const struct request_update *u = arg;
  const lk_fac_request_row *r = u->r;

  lk_stmt_text(st, 1, r->id);
  lk_stmt_text(st, 2, r->status);
  lk_stmt_int_opt(st, 3, r->granted_hours);
  lk_stmt_int_opt(st, 4, r->granted_cents);
  lk_stmt_text_opt(st, 5, r->booking_id);
  lk_stmt_text_opt(st, 6, r->pot_id);
  lk_stmt_int(st, 7, r->paid_cents);
  lk_stmt_int_opt(st, 8, r->year);
  lk_stmt_text_opt(st, 9, r->neighbourhood_id);
  lk_stmt_text(st, 10, r->reason);
  lk_stmt_text_opt(st, 11, r->decided_by);
  lk_stmt_int_opt(st, 12, r->decided_at);
  lk_stmt_int(st, 13, u->now);
}

int lk_store_fac_request_update(lk_tx *tx, const lk_fac_request_row *r,
                                int64_t now) {
  static const char sql[] =
      "UPDATE facilitation_requests SET status = ?2, granted_hours = ?3,"
      " granted_cents = ?4, booking_id = ?5, pot_id = ?6, paid_cents = ?7,"
      " year = ?8, neighbourhood_id = ?9, reason = ?10, decided_by = ?11,"
      " decided_at = ?12, updated_at = ?13, version = version + 1"
      " WHERE id = ?1";
  struct request_update u = {r, now};

  return lk_tx_run(tx, sql, request_update_bind, &u, true);
}

static void history_bind(lk_stmt *st, const void *arg) {
  const lk_fac_history_row *h = arg;

  lk_stmt_text(st, 1, h->request_id);
  lk_stmt_int(st, 2, h->at);
  lk_stmt_text(st, 3, h->actor);
  lk_stmt_text(st, 4, h->action);
  lk_stmt_text(st, 5, h->status);
  lk_stmt_int_opt(st, 6, h->hours);
  lk_stmt_int_opt(st, 7, h->amount_cents);
  lk_stmt_text(st, 8, h->note != NULL ? h->note : "");
}

int lk_store_fac_history_add(lk_tx *tx, const lk_fac_history_row *h) {
  static const char sql[] =
      "INSERT INTO facilitation_history (request_id, at, actor, action,"
      " status, hours, amount_cents, note)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  return lk_tx_run(tx, sql, history_bind, h, false);
}

struct request_list {
  lk_fac_request_fn fn;
  void *ud;
};

static void request_each(lk_stmt *st, void *ud) {
  struct request_list *l = ud;
  lk_fac_request_row *r = malloc(sizeof(*r));

  if (r == NULL)
    return;
  request_row(st, r);
  l->fn(r, l->ud);
  free(r);
}

int lk_store_fac_request_list(lk_store *s, const char *status,
                              const char *initiative_id, const char *after,
                              int limit, lk_fac_request_fn fn, void *ud) {
  static const char sql[] =
      "SELECT " REQUEST_COLUMNS " FROM facilitation_requests"
      " WHERE id > ?1 AND (?2 = '' OR status = ?2)"
      " AND (?3 = '' OR initiative_id = ?3) ORDER BY id LIMIT ?4";
  const char *texts[] = {after, status, initiative_id};
  int64_t lim = limit;
  struct request_list l = {fn, ud};

  return lk_rows_read(s, sql, texts, 3, &lim, 1, request_each, &l);
}

struct history_list {
  lk_fac_history_fn fn;
  void *ud;
};

static void history_each(lk_stmt *st, void *ud) {
  struct history_list *l = ud;
  lk_fac_history_row h;

  h.seq = lk_stmt_col_int(st, 0);
  h.request_id = lk_stmt_col_text(st, 1);
  h.at = lk_stmt_col_int(st, 2);
  h.actor = lk_stmt_col_text(st, 3);
  h.action = lk_stmt_col_text(st, 4);
  h.status = lk_stmt_col_text(st, 5);
  h.hours = (int)lk_stmt_col_int(st, 6);
  h.amount_cents = lk_stmt_col_int(st, 7);
  h.note = lk_stmt_col_text(st, 8);
  l->fn(&h, l->ud);
}

int lk_store_fac_history(lk_store *s, const char *request_id, int limit,
                         lk_fac_history_fn fn, void *ud) {
  static const char sql[] =
      "SELECT seq, request_id, at, actor, action, status,"
      " COALESCE(hours, 0), COALESCE(amount_cents, 0), note"
      " FROM facilitation_history WHERE request_id = ?1"
      " ORDER BY seq LIMIT ?2";
  struct history_list l = {fn, ud};
  int64_t lim = limit;

  return lk_rows_read(s, sql, &request_id, 1, &lim, 1, history_each, &l);
}

/* ---- bookings ----------------------------------------------------------- */

static void found_row(lk_stmt *st, void *ud) {
  (void)st;
  *(bool *)ud = true;
}

int lk_store_room_book(lk_tx *tx, const char *booking_id, const char *room_id,
                       const char *request_id, const char *initiative_id,
                       int64_t starts, int64_t ends, int64_t now) {
  static const char overlap[] =
      "SELECT 1 FROM room_bookings WHERE room_id = ?1 AND starts_at < ?3"
      " AND ends_at > ?2 LIMIT 1";
  static const char ins[] =
      "INSERT INTO room_bookings (id, room_id, request_id, initiative_id,"
      " starts_at, ends_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  const char *texts[] = {booking_id, room_id, request_id, initiative_id};
  int64_t span[] = {starts, ends};
  int64_t nums[] = {starts, ends, now};
  bool taken = false;
  int n =
      lk_rows(lk_tx_db(tx), overlap, &room_id, 1, span, 2, found_row, &taken);

  if (n < 0)
    return n;
  if (taken)
    return LK_FAC_EOVERLAP;
  return lk_rows_write(tx, ins, texts, 4, nums, 3, false);
}

struct place_ctx {
  char *place;
  size_t size;
  int64_t starts, ends;
  int capacity;
};

static void place_row(lk_stmt *st, void *ud) {
  struct place_ctx *p = ud;
  const char *loc = lk_stmt_col_text(st, 1);

  if (loc[0] != '\0')
    snprintf(p->place, p->size, "%s, %s", lk_stmt_col_text(st, 0), loc);
  else
    snprintf(p->place, p->size, "%s", lk_stmt_col_text(st, 0));
  p->starts = lk_stmt_col_int(st, 2);
  p->ends = lk_stmt_col_int(st, 3);
  p->capacity = (int)lk_stmt_col_int(st, 4);
}

int lk_store_booking_place_tx(lk_tx *tx, const char *booking_id,
                              const char *initiative_id, char *place,
                              size_t size, int64_t *starts, int64_t *ends,
                              int *capacity) {
  static const char sql[] =
      "SELECT r.name, r.location, b.starts_at, b.ends_at, r.capacity"
      " FROM room_bookings b JOIN rooms r ON r.id = b.room_id"
      " WHERE b.id = ?1 AND b.initiative_id = ?2";
  const char *texts[] = {booking_id, initiative_id};
  struct place_ctx p = {place, size, 0, 0, 0};
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, place_row, &p);

  if (n < 0)
    return n;
  if (n == 0)
    return LK_STORE_NOTFOUND;
  *starts = p.starts;
  *ends = p.ends;
  *capacity = p.capacity;
  return 0;
}

struct booking_list {
  lk_booking_fn fn;
  void *ud;
};

static void booking_each(lk_stmt *st, void *ud) {
  struct booking_list *l = ud;
  lk_booking_view v = {lk_stmt_col_text(st, 0), lk_stmt_col_text(st, 1),
                       lk_stmt_col_text(st, 2), (int)lk_stmt_col_int(st, 3),
                       lk_stmt_col_int(st, 4),  lk_stmt_col_int(st, 5)};

  l->fn(&v, l->ud);
}

int lk_store_bookings_of(lk_store *s, const char *initiative_id, int64_t from,
                         int limit, lk_booking_fn fn, void *ud) {
  static const char sql[] =
      "SELECT b.id, r.name, r.location, r.capacity, b.starts_at, b.ends_at"
      " FROM room_bookings b JOIN rooms r ON r.id = b.room_id"
      " WHERE b.initiative_id = ?1 AND b.ends_at > ?2"
      " ORDER BY b.starts_at, b.id LIMIT ?3";
  struct booking_list l = {fn, ud};
  int64_t nums[] = {from, limit};

  return lk_rows_read(s, sql, &initiative_id, 1, nums, 2, booking_each, &l);
}

/* ---- totals ------------------------------------------------------------- */

#define TOTALS_COLUMNS                                                         \
  "COALESCE(SUM(CASE WHEN r.kind = 'room' THEN 1 ELSE 0 END), 0),"             \
  " COALESCE(SUM(CASE WHEN r.kind = 'room' THEN b.ends_at - b.starts_at"       \
  " ELSE 0 END), 0),"                                                          \
  " COALESCE(SUM(COALESCE(r.granted_hours, 0)), 0),"                           \
  " COALESCE(SUM(COALESCE(r.granted_cents, 0)), 0),"                           \
  " COALESCE(SUM(r.paid_cents), 0), COUNT(*)"

static void totals_cols(lk_stmt *st, int at, lk_fac_totals *t) {
  t->rooms = (int)lk_stmt_col_int(st, at);
  t->room_ms = lk_stmt_col_int(st, at + 1);
  t->hours = lk_stmt_col_int(st, at + 2);
  t->cents = lk_stmt_col_int(st, at + 3);
  t->paid_cents = lk_stmt_col_int(st, at + 4);
  t->requests = (int)lk_stmt_col_int(st, at + 5);
}

static void totals_row(lk_stmt *st, void *ud) {
  totals_cols(st, 0, ud);
}

int lk_store_fac_totals_initiative(lk_store *s, const char *initiative_id,
                                   lk_fac_totals *out) {
  static const char sql[] =
      "SELECT " TOTALS_COLUMNS " FROM facilitation_requests r"
      " LEFT JOIN room_bookings b ON b.id = r.booking_id"
      " WHERE r.initiative_id = ?1"
      " AND r.status IN ('granted', 'partly_granted')";
  lk_fac_totals t;
  int n = lk_rows_read(s, sql, &initiative_id, 1, NULL, 0, totals_row, &t);

  /* An aggregate without GROUP BY yields its one row even when no
   * request matches. */
  return lk_rows_one(n, &t, out, sizeof(t));
}

struct area_list {
  lk_fac_area_fn fn;
  void *ud;
};

static void area_each(lk_stmt *st, void *ud) {
  struct area_list *l = ud;
  lk_fac_totals t;

  totals_cols(st, 1, &t);
  l->fn(lk_stmt_col_text(st, 0), &t, l->ud);
}

int lk_store_fac_totals_year(lk_store *s, int year, int limit,
                             lk_fac_area_fn fn, void *ud) {
  static const char sql[] =
      "SELECT r.neighbourhood_id, " TOTALS_COLUMNS
      " FROM facilitation_requests r"
      " LEFT JOIN room_bookings b ON b.id = r.booking_id"
      " WHERE r.year = ?1 AND r.status IN ('granted', 'partly_granted')"
      " GROUP BY r.neighbourhood_id ORDER BY r.neighbourhood_id LIMIT ?2";
  struct area_list l = {fn, ud};
  int64_t nums[] = {year, limit};

  return lk_rows_read(s, sql, NULL, 0, nums, 2, area_each, &l);
}

/* ---- meetings ----------------------------------------------------------- */

#define MEETING_COLUMNS                                                        \
  "id, initiative_id, title, description, starts_at, ends_at, place,"          \
  " COALESCE(booking_id, ''), capacity, registered, created_by,"               \
  " COALESCE(cancelled_at, 0), sequence, created_at, updated_at"

static void meeting_row(lk_stmt *st, void *ud) {
  lk_meeting_row *m = ud;

  lk_store_copy(m->id, sizeof(m->id), lk_stmt_col_text(st, 0));
  lk_store_copy(m->initiative_id, sizeof(m->initiative_id),
                lk_stmt_col_text(st, 1));
  lk_store_copy(m->title, sizeof(m->title), lk_stmt_col_text(st, 2));
  lk_store_copy(m->description, sizeof(m->description),
                lk_stmt_col_text(st, 3));
  m->starts_at = lk_stmt_col_int(st, 4);
  m->ends_at = lk_stmt_col_int(st, 5);
  lk_store_copy(m->place, sizeof(m->place), lk_stmt_col_text(st, 6));
  lk_store_copy(m->booking_id, sizeof(m->booking_id), lk_stmt_col_text(st, 7));
  m->capacity = (int)lk_stmt_col_int(st, 8);
  m->registered = (int)lk_stmt_col_int(st, 9);
  lk_store_copy(m->created_by, sizeof(m->created_by), lk_stmt_col_text(st, 10));
  m->cancelled_at = lk_stmt_col_int(st, 11);
  m->sequence = (int)lk_stmt_col_int(st, 12);
  m->created_at = lk_stmt_col_int(st, 13);
  m->updated_at = lk_stmt_col_int(st, 14);
}

static void meeting_bind(lk_stmt *st, const void *arg) {
  const lk_meeting_row *m = arg;

  lk_stmt_text(st, 1, m->id);
  lk_stmt_text(st, 2, m->initiative_id);
  lk_stmt_text(st, 3, m->title);
  lk_stmt_text(st, 4, m->description);
  lk_stmt_int(st, 5, m->starts_at);
  lk_stmt_int(st, 6, m->ends_at);
  lk_stmt_text(st, 7, m->place);
  lk_stmt_text_opt(st, 8, m->booking_id);
  lk_stmt_int(st, 9, m->capacity);
  lk_stmt_text(st, 10, m->created_by);
  lk_stmt_int(st, 11, m->created_at);
}

int lk_store_meeting_insert(lk_tx *tx, const lk_meeting_row *m) {
  static const char sql[] =
      "INSERT INTO meetings (id, initiative_id, title, description,"
      " starts_at, ends_at, place, booking_id, capacity, created_by,"
      " created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)";
  return lk_tx_run(tx, sql, meeting_bind, m, false);
}

static const char meeting_get_sql[] =
    "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = ?1";

int lk_store_meeting_get_tx(lk_tx *tx, const char *id, lk_meeting_row *out) {
  return lk_row_get(NULL, tx, meeting_get_sql, id, meeting_row, out);
}

int lk_store_meeting_get(lk_store *s, const char *id, lk_meeting_row *out) {
  return lk_row_get(s, NULL, meeting_get_sql, id, meeting_row, out);
}

int lk_store_meeting_cancel(lk_tx *tx, const char *id, int64_t now) {
  static const char sql[] =
      "UPDATE meetings SET cancelled_at = ?2, updated_at = ?2,"
      " sequence = sequence + 1 WHERE id = ?1 AND cancelled_at IS NULL";
  return lk_rows_write(tx, sql, &id, 1, &now, 1, true);
}

int lk_store_meeting_register(lk_tx *tx, const char *meeting_id,
                              const char *account_id, int64_t now) {
  static const char seat[] =
      "UPDATE meetings SET registered = registered + 1"
      " WHERE id = ?1 AND cancelled_at IS NULL AND registered < capacity";
  static const char ins[] =
      "INSERT INTO meeting_registrations (meeting_id, account_id, created_at)"
      " VALUES (?1, ?2, ?3)";
  const char *texts[] = {meeting_id, account_id};
  lk_meeting_row *m;
  int rc;

  /* Insert first: the primary key answers "already registered" before
   * a seat is counted; the write's savepoint undoes both on failure. */
  rc = lk_rows_write(tx, ins, texts, 2, &now, 1, false);
  if (rc != 0)
    return rc;
  rc = lk_rows_write(tx, seat, &meeting_id, 1, NULL, 0, true);
  if (rc != LK_STORE_NOTFOUND)
    return rc;
  m = malloc(sizeof(*m));
  if (m == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_meeting_get_tx(tx, meeting_id, m);
  if (rc == 0)
    rc = m->cancelled_at != 0 ? LK_STORE_NOTFOUND : LK_FAC_EFULL;
  free(m);
  return rc;
}

int lk_store_meeting_unregister(lk_tx *tx, const char *meeting_id,
                                const char *account_id, int64_t now) {
  static const char del[] = "DELETE FROM meeting_registrations"
                            " WHERE meeting_id = ?1 AND account_id = ?2";
  static const char seat[] =
      "UPDATE meetings SET registered = registered - 1, updated_at = ?2"
      " WHERE id = ?1";
  const char *texts[] = {meeting_id, account_id};
  int rc = lk_rows_write(tx, del, texts, 2, NULL, 0, true);

  if (rc != 0)
    return rc;
  return lk_rows_write(tx, seat, &meeting_id, 1, &now, 1, true);
}

struct meeting_list {
  lk_meeting_fn fn;
  void *ud;
};

static void meeting_each(lk_stmt *st, void *ud) {
  struct meeting_list *l = ud;
  lk_meeting_row *m = malloc(sizeof(*m));

  if (m == NULL)
    return;
  meeting_row(st, m);
  l->fn(m, l->ud);
  free(m);
}

int lk_store_meeting_list(lk_store *s, const char *initiative_id, int64_t from,
                          int limit, lk_meeting_fn fn, void *ud) {
  static const char sql[] = "SELECT " MEETING_COLUMNS " FROM meetings"
                            " WHERE initiative_id = ?1 AND ends_at > ?2"
                            " ORDER BY starts_at, id LIMIT ?3";
  struct meeting_list l = {fn, ud};
  int64_t nums[] = {from, limit};

  return lk_rows_read(s, sql, &initiative_id, 1, nums, 2, meeting_each, &l);
}

int lk_store_meeting_registered(lk_store *s, const char *meeting_id,
                                const char *account_id, bool *out) {
  static const char sql[] = "SELECT 1 FROM meeting_registrations"
                            " WHERE meeting_id = ?1 AND account_id = ?2";
  const char *texts[] = {meeting_id, account_id};
  bool found = false;
  int n = lk_rows_read(s, sql, texts, 2, NULL, 0, found_row, &found);

  if (n < 0)
    return n;
  *out = found;
  return 0;
}

struct reg_list {
  lk_registration_fn fn;
  void *ud;
};

static void reg_each(lk_stmt *st, void *ud) {
  struct reg_list *l = ud;

  l->fn(lk_stmt_col_text(st, 0), lk_stmt_col_int(st, 1), l->ud);
}

int lk_store_meeting_registrations(lk_store *s, const char *meeting_id,
                                   const char *after, int limit,
                                   lk_registration_fn fn, void *ud) {
  static const char sql[] =
      "SELECT account_id, created_at FROM meeting_registrations"
      " WHERE meeting_id = ?1 AND account_id > ?2 ORDER BY account_id"
      " LIMIT ?3";
  const char *texts[] = {meeting_id, after};
  int64_t lim = limit;
  struct reg_list l = {fn, ud};

  return lk_rows_read(s, sql, texts, 2, &lim, 1, reg_each, &l);
}
