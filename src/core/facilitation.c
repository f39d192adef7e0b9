#include "core/facilitation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/proclog.h"
#include "util/clock.h"

#define DAY_MS (24LL * 3600 * 1000)
#define MEETING_MS_MAX (7 * DAY_MS)

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* ---- pure rules -----------------------------------------------------------
 */

bool lk_fac_kind_ok(const char *kind) {
  return strcmp(kind, "room") == 0 || strcmp(kind, "crew") == 0 ||
         strcmp(kind, "budget") == 0;
}

bool lk_fac_status_ok(const char *status) {
  static const char *const all[] = {"submitted",      "in_review", "granted",
                                    "partly_granted", "declined",  "withdrawn"};

  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (strcmp(status, all[i]) == 0)
      return true;
  return false;
}

bool lk_fac_open(const char *status) {
  return strcmp(status, "submitted") == 0 || strcmp(status, "in_review") == 0;
}

bool lk_fac_decision_ok(const char *kind, const char *status,
                        const char *outcome) {
  if (!lk_fac_open(status))
    return false;
  if (strcmp(outcome, "granted") == 0 || strcmp(outcome, "declined") == 0)
    return true;
  /* A room is booked for the time asked or not at all. */
  return strcmp(outcome, "partly_granted") == 0 && strcmp(kind, "room") != 0;
}

int lk_fac_year(int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  return tm.tm_year + 1900;
}

int64_t lk_fac_pot_left(const lk_pot_row *p) {
  return p->amount_cents - p->committed_cents - p->paid_cents;
}

bool lk_fac_room_open(const lk_room_row *room, int64_t starts, int64_t ends) {
  struct tm a, z;
  int64_t open, close;
  int day;

  if (!room->active || ends <= starts)
    return false;
  lk_clock_nl_local(starts, &a);
  lk_clock_nl_local(ends - 1, &z);
  if (a.tm_year != z.tm_year || a.tm_mon != z.tm_mon || a.tm_mday != z.tm_mday)
    return false;
  day = (a.tm_wday + 6) % 7; /* Monday = 0 */
  if ((room->days & (1 << day)) == 0)
    return false;
  open = lk_clock_nl_instant(a.tm_year + 1900, a.tm_mon + 1, a.tm_mday,
                             room->opens);
  close = lk_clock_nl_instant(a.tm_year + 1900, a.tm_mon + 1, a.tm_mday,
                              room->closes);
  return starts >= open && ends <= close;
}

static bool id_ok(const char *s) {
  return s != NULL && lk_uuid_valid(s);
}

static bool ref_ok(const char *s) {
  return s != NULL && lk_text_ok(s, LK_FAC_REF_MAX, false);
}

int lk_fac_request_check(const lk_fac_request_row *r, int64_t now,
                         lk_invalid *why) {
  bool room = strcmp(r->kind, "room") == 0;
  bool crew = strcmp(r->kind, "crew") == 0;
  bool budget = strcmp(r->kind, "budget") == 0;

  if (!ref_ok(r->initiative_id))
    return invalid(why, "initiative", "is not an initiative id");
  if (!lk_fac_kind_ok(r->kind))
    return invalid(why, "/kind", "must be room, crew or budget");
  if (!lk_text_ok(r->purpose, LK_FAC_PURPOSE_MAX, true))
    return invalid(why, "/purpose",
                   "must be 1 to 2000 bytes of text without control "
                   "characters");
  if (room != (r->room_id[0] != '\0'))
    return invalid(why, "/roomId", "is required for a room, and only then");
  if (room && !id_ok(r->room_id))
    return invalid(why, "/roomId", "is not a room id");
  if ((room || crew) && (r->starts_at <= now || r->ends_at <= r->starts_at))
    return invalid(why, "/startsAt", "must be in the future and before endsAt");
  if (budget && (r->starts_at != 0 || r->ends_at != 0))
    return invalid(why, "/startsAt", "is not part of a budget request");
  if (room && r->ends_at - r->starts_at > LK_FAC_ROOM_MS_MAX)
    return invalid(why, "/endsAt", "a room is booked for at most 12 hours");
  if (crew && r->ends_at - r->starts_at > LK_FAC_PERIOD_MS_MAX)
    return invalid(why, "/endsAt", "a period lasts at most 366 days");
  if (room ? r->attendees < 1 || r->attendees > LK_MEETING_CAPACITY_MAX
           : r->attendees != 0)
    return invalid(why, "/attendees",
                   "is required for a room (1 to 10000), and only then");
  if (crew ? r->hours < 1 || r->hours > LK_FAC_HOURS_MAX : r->hours != 0)
    return invalid(why, "/hours",
                   "is required for crew hours (1 to 200), and only then");
  if (budget ? r->amount_cents < 1 || r->amount_cents > LK_FAC_CENTS_MAX
             : r->amount_cents != 0)
    return invalid(why, "/amountCents",
                   "is required for a budget (1 to 500000 cents), and only "
                   "then");
  return 0;
}

int lk_fac_decision_check(const lk_fac_request_row *r, const char *outcome,
                          int hours, int64_t cents, const char *reason,
                          lk_invalid *why) {
  bool partly = strcmp(outcome, "partly_granted") == 0;
  bool declined = strcmp(outcome, "declined") == 0;
  bool crew = strcmp(r->kind, "crew") == 0;
  bool budget = strcmp(r->kind, "budget") == 0;

  if (!partly && !declined && strcmp(outcome, "granted") != 0)
    return invalid(why, "/outcome",
                   "must be granted, partly_granted or declined");
  if (reason[0] != '\0' && !lk_text_ok(reason, LK_FAC_REASON_MAX, true))
    return invalid(why, "/reason",
                   "must be at most 2000 bytes of text without control "
                   "characters");
  if ((partly || declined) && reason[0] == '\0')
    return invalid(why, "/reason",
                   "is required: the organisers read why not (all) is given");
  if (partly && strcmp(r->kind, "room") == 0)
    return invalid(why, "/outcome", "a room is granted or declined");
  if (partly && crew && (hours < 1 || hours >= r->hours))
    return invalid(why, "/grantedHours",
                   "must be at least 1 and fewer than the hours asked");
  if (partly && budget && (cents < 1 || cents >= r->amount_cents))
    return invalid(why, "/grantedCents",
                   "must be at least 1 and less than the amount asked");
  if (!(partly && crew) && hours != 0)
    return invalid(why, "/grantedHours",
                   "is given only for crew hours partly granted");
  if (!(partly && budget) && cents != 0)
    return invalid(why, "/grantedCents",
                   "is given only for a budget partly granted");
  return 0;
}

int lk_fac_room_check(const lk_room_row *r, lk_invalid *why) {
  if (!lk_text_ok(r->name, LK_FAC_NAME_MAX, false))
    return invalid(why, "/name", "must be 1 to 100 bytes on one line");
  if (r->location[0] != '\0' &&
      !lk_text_ok(r->location, LK_FAC_PLACE_MAX, false))
    return invalid(why, "/location", "must be at most 200 bytes on one line");
  if (r->capacity < 1 || r->capacity > LK_MEETING_CAPACITY_MAX)
    return invalid(why, "/capacity", "must be 1 to 10000");
  if (r->opens < 0 || r->opens > 1439 || r->closes <= r->opens ||
      r->closes > 1440)
    return invalid(why, "/opens",
                   "opening hours: 0 <= opens < closes <= 1440 minutes");
  if (r->days < 0 || r->days > 127)
    return invalid(why, "/days", "must name weekdays");
  return 0;
}

int lk_meeting_check(const lk_meeting_row *m, int64_t now, lk_invalid *why) {
  if (!lk_text_ok(m->title, LK_MEETING_TITLE_MAX, false))
    return invalid(why, "/title", "must be 1 to 200 bytes on one line");
  if (m->description[0] != '\0' &&
      !lk_text_ok(m->description, LK_FAC_TEXT_MAX, true))
    return invalid(why, "/description",
                   "must be at most 2000 bytes without control characters");
  if (m->place[0] != '\0' && !lk_text_ok(m->place, LK_FAC_PLACE_MAX, false))
    return invalid(why, "/place", "must be at most 200 bytes on one line");
  if (m->place[0] == '\0' && m->booking_id[0] == '\0')
    return invalid(why, "/place", "is required without a room booking");
  if (m->booking_id[0] != '\0' && !id_ok(m->booking_id))
    return invalid(why, "/bookingId", "is not a booking id");
  if (m->starts_at <= now || m->ends_at <= m->starts_at)
    return invalid(why, "/startsAt", "must be in the future and before endsAt");
  if (m->ends_at - m->starts_at > MEETING_MS_MAX)
    return invalid(why, "/endsAt", "a meeting lasts at most 7 days");
  if (m->capacity < 1 || m->capacity > LK_MEETING_CAPACITY_MAX)
    return invalid(why, "/capacity", "must be 1 to 10000");
  return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

void lk_room_json(lk_buf *b, const lk_room_row *r) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, r->name);
  lk_buf_puts(b, ",\"location\":");
  lk_buf_json_str(b, r->location);
  lk_buf_printf(b,
                ",\"capacity\":%d,\"opens\":\"%02d:%02d\",\"closes\":"
                "\"%02d:%02d\",\"days\":[",
                r->capacity, r->opens / 60, r->opens % 60, r->closes / 60,
                r->closes % 60);
  for (int d = 0, n = 0; d < 7; d++) {
    if (r->days & (1 << d))
      lk_buf_printf(b, "%s%d", n++ > 0 ? "," : "", d + 1);
  }
  lk_buf_printf(b, "],\"active\":%s", r->active ? "true" : "false");
  lk_buf_json_ms(b, "createdAt", r->created_at);
  lk_buf_json_ms(b, "updatedAt", r->updated_at);
  lk_buf_putc(b, '}');
}

void lk_pot_json(lk_buf *b, const lk_pot_row *p) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, p->id);
  lk_buf_printf(b, ",\"year\":%d,\"neighbourhoodId\":", p->year);
  lk_buf_json_str(b, p->neighbourhood_id);
  lk_buf_printf(b,
                ",\"amountCents\":%lld,\"committedCents\":%lld,"
                "\"paidCents\":%lld,\"leftCents\":%lld",
                (long long)p->amount_cents, (long long)p->committed_cents,
                (long long)p->paid_cents, (long long)lk_fac_pot_left(p));
  lk_buf_json_ms(b, "createdAt", p->created_at);
  lk_buf_json_ms(b, "updatedAt", p->updated_at);
  lk_buf_putc(b, '}');
}

static void opt_str(lk_buf *b, const char *key, const char *v) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (v[0] != '\0')
    lk_buf_json_str(b, v);
  else
    lk_buf_puts(b, "null");
}

static void opt_int(lk_buf *b, const char *key, int64_t v, bool present) {
  if (present)
    lk_buf_printf(b, ",\"%s\":%lld", key, (long long)v);
  else
    lk_buf_printf(b, ",\"%s\":null", key);
}

void lk_fac_request_json(lk_buf *b, const lk_fac_request_row *r, bool staff) {
  bool room = strcmp(r->kind, "room") == 0;
  bool crew = strcmp(r->kind, "crew") == 0;
  bool budget = strcmp(r->kind, "budget") == 0;
  bool given = strcmp(r->status, "granted") == 0 ||
               strcmp(r->status, "partly_granted") == 0;

  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"initiativeId\":");
  lk_buf_json_str(b, r->initiative_id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, r->kind);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, r->status);
  lk_buf_puts(b, ",\"purpose\":");
  lk_buf_json_str(b, r->purpose);
  opt_str(b, "roomId", r->room_id);
  lk_buf_json_ms(b, "startsAt", r->starts_at);
  lk_buf_json_ms(b, "endsAt", r->ends_at);
  opt_int(b, "attendees", r->attendees, room);
  opt_int(b, "hours", r->hours, crew);
  opt_int(b, "amountCents", r->amount_cents, budget);
  opt_int(b, "grantedHours", r->granted_hours, crew && given);
  opt_int(b, "grantedCents", r->granted_cents, budget && given);
  opt_int(b, "paidCents", r->paid_cents, budget && given);
  opt_str(b, "bookingId", r->booking_id);
  opt_str(b, "potId", r->pot_id);
  opt_str(b, "neighbourhoodId", r->neighbourhood_id);
  lk_buf_puts(b, ",\"reason\":");
  lk_buf_json_str(b, r->reason);
  lk_buf_json_ms(b, "decidedAt", r->decided_at);
  if (staff) {
    lk_buf_puts(b, ",\"requestedBy\":");
    lk_buf_json_str(b, r->requested_by);
    opt_str(b, "decidedBy", r->decided_by);
  }
  lk_buf_printf(b, ",\"version\":%lld", (long long)r->version);
  lk_buf_json_ms(b, "createdAt", r->created_at);
  lk_buf_json_ms(b, "updatedAt", r->updated_at);
  lk_buf_putc(b, '}');
}

void lk_fac_history_json(lk_buf *b, const lk_fac_history_row *h, bool staff) {
  lk_buf_printf(b, "{\"seq\":%lld", (long long)h->seq);
  lk_buf_json_ms(b, "at", h->at);
  lk_buf_puts(b, ",\"actor\":");
  if (staff)
    lk_buf_json_str(b, h->actor);
  else
    lk_buf_json_str(b, strncmp(h->actor, "p:", 2) == 0 ? "organisator"
                                                       : "gemeente");
  lk_buf_puts(b, ",\"action\":");
  lk_buf_json_str(b, h->action);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, h->status);
  opt_int(b, "hours", h->hours, h->hours != 0);
  opt_int(b, "amountCents", h->amount_cents, h->amount_cents != 0);
  lk_buf_puts(b, ",\"note\":");
  lk_buf_json_str(b, h->note);
  lk_buf_putc(b, '}');
}

void lk_meeting_json(lk_buf *b, const lk_meeting_row *m) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, m->id);
  lk_buf_puts(b, ",\"initiativeId\":");
  lk_buf_json_str(b, m->initiative_id);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, m->title);
  lk_buf_puts(b, ",\"description\":");
  lk_buf_json_str(b, m->description);
  lk_buf_json_ms(b, "startsAt", m->starts_at);
  lk_buf_json_ms(b, "endsAt", m->ends_at);
  lk_buf_puts(b, ",\"place\":");
  lk_buf_json_str(b, m->place);
  opt_str(b, "bookingId", m->booking_id);
  lk_buf_printf(b, ",\"capacity\":%d,\"registered\":%d", m->capacity,
                m->registered);
  lk_buf_json_ms(b, "cancelledAt", m->cancelled_at);
  lk_buf_json_ms(b, "createdAt", m->created_at);
  lk_buf_putc(b, '}');
}

void lk_fac_totals_json(lk_buf *b, const lk_fac_totals *t) {
  lk_buf_printf(b,
                "{\"rooms\":%d,\"roomMinutes\":%lld,\"crewHours\":%lld,"
                "\"grantedCents\":%lld,\"paidCents\":%lld,\"requests\":%d}",
                t->rooms, (long long)(t->room_ms / 60000), (long long)t->hours,
                (long long)t->cents, (long long)t->paid_cents, t->requests);
}

/* ---- writes: shared ------------------------------------------------------ */

/* Emits `type` about `subject` with `payload` (taken over), and audits it
 * as `actor` when staff made the change. */
static int changed(lk_tx *tx, const char *type, const char *subject,
                   const char *actor, bool audit, lk_buf *payload) {
  int rc;

  if (!lk_buf_ok(payload)) {
    lk_buf_free(payload);
    return LK_STORE_NOMEM;
  }
  rc = lk_tx_emit(tx, type, subject, payload->data);
  if (rc == 0 && audit)
    rc = lk_store_audit(tx, actor, type, subject, payload->data);
  lk_buf_free(payload);
  return rc;
}

/* The processing-log row of a change to a resident's own data. */
static int proclog(lk_tx *tx, const char *actor, const char *operation,
                   const char *resource) {
  lk_proclog_entry e = {.actor = actor,
                        .operation = operation,
                        .activity = "participatie",
                        .resource = resource};

  return lk_store_proclog_insert(tx, &e);
}

/* ---- rooms --------------------------------------------------------------- */

int lk_room_create_prepare(lk_room_op *op, const char *actor,
                           const lk_room_row *r, lk_invalid *why) {
  int rc = lk_fac_room_check(r, why);

  if (rc != 0)
    return rc;
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  op->create = true;
  op->r = *r;
  return 0;
}

int lk_room_patch_prepare(lk_room_op *op, const char *actor, const char *id,
                          const lk_room_row *r, unsigned set, lk_invalid *why) {
  lk_room_row probe = {.name = "x", .capacity = 1, .opens = 0, .closes = 1};
  int rc;

  if (!id_ok(id))
    return invalid(why, "id", "is not a room id");
  /* Each given field alone must be valid; apply checks them merged. */
  if (set & LK_ROOM_SET_NAME)
    snprintf(probe.name, sizeof(probe.name), "%s", r->name);
  if (set & LK_ROOM_SET_LOCATION)
    snprintf(probe.location, sizeof(probe.location), "%s", r->location);
  if (set & LK_ROOM_SET_CAPACITY)
    probe.capacity = r->capacity;
  if (set & LK_ROOM_SET_HOURS) {
    probe.opens = r->opens;
    probe.closes = r->closes;
  }
  if (set & LK_ROOM_SET_DAYS)
    probe.days = r->days;
  rc = lk_fac_room_check(&probe, why);
  if (rc != 0)
    return rc;
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  op->r = *r;
  snprintf(op->r.id, sizeof(op->r.id), "%s", id);
  op->set = set;
  return 0;
}

int lk_room_apply(lk_tx *tx, void *arg) {
  lk_room_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  lk_room_row cur;
  lk_invalid why;
  int rc;

  if (op->create) {
    lk_uuid_new(op->r.id, lk_tx_now(tx));
    op->r.created_at = op->r.updated_at = lk_tx_now(tx);
    rc = lk_store_room_insert(tx, &op->r);
  } else {
    rc = lk_store_room_get_tx(tx, op->r.id, &cur);
    if (rc != 0)
      return rc;
    if (op->set & LK_ROOM_SET_NAME)
      memcpy(cur.name, op->r.name, sizeof(cur.name));
    if (op->set & LK_ROOM_SET_LOCATION)
      memcpy(cur.location, op->r.location, sizeof(cur.location));
    if (op->set & LK_ROOM_SET_CAPACITY)
      cur.capacity = op->r.capacity;
    if (op->set & LK_ROOM_SET_HOURS) {
      cur.opens = op->r.opens;
      cur.closes = op->r.closes;
    }
    if (op->set & LK_ROOM_SET_DAYS)
      cur.days = op->r.days;
    if (op->set & LK_ROOM_SET_ACTIVE)
      cur.active = op->r.active;
    if (lk_fac_room_check(&cur, &why) != 0)
      return LK_EINVALID;
    cur.updated_at = lk_tx_now(tx);
    op->r = cur;
    rc = lk_store_room_update(tx, &op->r);
  }
  if (rc != 0)
    return rc;
  lk_room_json(&payload, &op->r);
  return changed(tx, op->create ? "room.created" : "room.updated", op->r.id,
                 op->actor, true, &payload);
}

/* ---- pots ---------------------------------------------------------------- */

static int pot_amount_ok(int64_t amount, lk_invalid *why) {
  if (amount < 0 || amount > LK_FAC_POT_MAX)
    return invalid(why, "/amountCents", "must be 0 to 100000000000 cents");
  return 0;
}

int lk_pot_create_prepare(lk_pot_op *op, const char *actor, int year,
                          const char *neighbourhood_id, int64_t amount,
                          lk_invalid *why) {
  if (year < 2000 || year > 2999)
    return invalid(why, "/year", "must be 2000 to 2999");
  if (!ref_ok(neighbourhood_id))
    return invalid(why, "/neighbourhoodId", "is not a neighbourhood id");
  if (pot_amount_ok(amount, why) != 0)
    return LK_EINVALID;
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  op->create = true;
  op->p.year = year;
  snprintf(op->p.neighbourhood_id, sizeof(op->p.neighbourhood_id), "%s",
           neighbourhood_id);
  op->p.amount_cents = amount;
  return 0;
}

int lk_pot_adjust_prepare(lk_pot_op *op, const char *actor, const char *id,
                          int64_t amount, lk_invalid *why) {
  if (!id_ok(id))
    return invalid(why, "id", "is not a pot id");
  if (pot_amount_ok(amount, why) != 0)
    return LK_EINVALID;
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->p.id, sizeof(op->p.id), "%s", id);
  op->p.amount_cents = amount;
  return 0;
}

int lk_pot_apply(lk_tx *tx, void *arg) {
  lk_pot_op *op = arg;
  lk_buf payload = LK_BUF_INIT;
  int64_t now = lk_tx_now(tx);
  lk_pot_row cur;
  int rc;

  if (op->create) {
    rc = lk_store_fac_neighbourhood_tx(tx, op->p.neighbourhood_id);
    if (rc != 0)
      return rc;
    lk_uuid_new(op->p.id, now);
    op->p.created_at = op->p.updated_at = now;
    rc = lk_store_pot_insert(tx, &op->p);
  } else {
    rc = lk_store_pot_get_tx(tx, op->p.id, &cur);
    if (rc != 0)
      return rc;
    op->old_amount = cur.amount_cents;
    rc = lk_store_pot_set_amount(tx, op->p.id, op->p.amount_cents, now);
  }
  if (rc == 0)
    rc = lk_store_pot_get_tx(tx, op->p.id, &op->p);
  if (rc != 0)
    return rc;
  lk_pot_json(&payload, &op->p);
  if (!op->create) {
    payload.len--; /* the audit row keeps what it was */
    lk_buf_printf(&payload, ",\"previousAmountCents\":%lld}",
                  (long long)op->old_amount);
  }
  return changed(tx, op->create ? "budget_pot.created" : "budget_pot.updated",
                 op->p.id, op->actor, true, &payload);
}

/* ---- requests ------------------------------------------------------------ */

int lk_fac_create_prepare(lk_fac_create_op *op, const char *account,
                          const lk_fac_request_row *r, int64_t now,
                          lk_invalid *why) {
  int rc = lk_fac_request_check(r, now, why);

  if (rc != 0)
    return rc;
  if (!ref_ok(account))
    return invalid(why, "account", "is not an account id");
  memset(op, 0, sizeof(*op));
  snprintf(op->account, sizeof(op->account), "%s", account);
  op->r = *r;
  snprintf(op->r.status, sizeof(op->r.status), "submitted");
  snprintf(op->r.requested_by, sizeof(op->r.requested_by), "%s", account);
  op->r.reason[0] = '\0';
  return 0;
}

static void actor_of(char *out, size_t size, const char *account) {
  snprintf(out, size, "p:%s", account);
}

/* The event of a step: ids, kind and states only. */
static int request_event(lk_tx *tx, const char *type,
                         const lk_fac_request_row *r, const char *actor,
                         bool staff) {
  lk_buf payload = LK_BUF_INIT;

  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, r->id);
  lk_buf_puts(&payload, ",\"initiativeId\":");
  lk_buf_json_str(&payload, r->initiative_id);
  lk_buf_puts(&payload, ",\"kind\":");
  lk_buf_json_str(&payload, r->kind);
  lk_buf_puts(&payload, ",\"status\":");
  lk_buf_json_str(&payload, r->status);
  if (r->granted_hours != 0)
    lk_buf_printf(&payload, ",\"grantedHours\":%d", r->granted_hours);
  if (r->granted_cents != 0)
    lk_buf_printf(&payload, ",\"grantedCents\":%lld,\"paidCents\":%lld",
                  (long long)r->granted_cents, (long long)r->paid_cents);
  lk_buf_putc(&payload, '}');
  return changed(tx, type, r->id, actor, staff, &payload);
}

int lk_fac_create_apply(lk_tx *tx, void *arg) {
  lk_fac_create_op *op = arg;
  lk_fac_history_row h = {0};
  char nb[LK_FAC_REF_MAX + 1];
  char actor[LK_FAC_ACTOR_MAX + 1];
  char resource[80];
  lk_room_row room;
  int rc;

  rc = lk_store_fac_initiative_tx(tx, op->r.initiative_id, op->account, nb);
  if (rc != 0)
    return rc;
  if (op->r.room_id[0] != '\0') {
    rc = lk_store_room_get_tx(tx, op->r.room_id, &room);
    if (rc != 0)
      return rc;
    if (!lk_fac_room_open(&room, op->r.starts_at, op->r.ends_at))
      return LK_FAC_ECLOSED;
    if (op->r.attendees > room.capacity)
      return LK_FAC_ETOOMANY;
  }
  lk_uuid_new(op->r.id, lk_tx_now(tx));
  op->r.created_at = op->r.updated_at = lk_tx_now(tx);
  op->r.version = 1;
  rc = lk_store_fac_request_insert(tx, &op->r);
  if (rc != 0)
    return rc;
  actor_of(actor, sizeof(actor), op->account);
  h.request_id = op->r.id;
  h.at = lk_tx_now(tx);
  h.actor = actor;
  h.action = "submitted";
  h.status = "submitted";
  h.hours = op->r.hours;
  h.amount_cents = op->r.amount_cents;
  rc = lk_store_fac_history_add(tx, &h);
  if (rc != 0)
    return rc;
  snprintf(resource, sizeof(resource), "facilitation-requests/%s", op->r.id);
  rc = proclog(tx, actor, "create", resource);
  if (rc != 0)
    return rc;
  return request_event(tx, "facilitation.requested", &op->r, actor, false);
}

static int step_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                        const char *action, lk_invalid *why) {
  if (!id_ok(id))
    return invalid(why, "id", "is not a request id");
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->id, sizeof(op->id), "%s", id);
  snprintf(op->action, sizeof(op->action), "%s", action);
  return 0;
}

int lk_fac_review_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                          lk_invalid *why) {
  return step_prepare(op, actor, id, "in_review", why);
}

int lk_fac_decide_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                          const char *outcome, int hours, int64_t cents,
                          const char *reason, lk_invalid *why) {
  if (strcmp(outcome, "granted") != 0 &&
      strcmp(outcome, "partly_granted") != 0 &&
      strcmp(outcome, "declined") != 0)
    return invalid(why, "/outcome",
                   "must be granted, partly_granted or declined");
  if (reason[0] != '\0' && !lk_text_ok(reason, LK_FAC_REASON_MAX, true))
    return invalid(why, "/reason",
                   "must be at most 2000 bytes of text without control "
                   "characters");
  if (step_prepare(op, actor, id, outcome, why) != 0)
    return LK_EINVALID;
  op->hours = hours;
  op->cents = cents;
  snprintf(op->reason, sizeof(op->reason), "%s", reason);
  return 0;
}

int lk_fac_withdraw_prepare(lk_fac_step_op *op, const char *account,
                            const char *id, const char *note, lk_invalid *why) {
  char actor[LK_FAC_ACTOR_MAX + 1];

  if (!ref_ok(account))
    return invalid(why, "account", "is not an account id");
  if (note[0] != '\0' && !lk_text_ok(note, LK_FAC_REASON_MAX, true))
    return invalid(why, "/note",
                   "must be at most 2000 bytes without control characters");
  actor_of(actor, sizeof(actor), account);
  if (step_prepare(op, actor, id, "withdrawn", why) != 0)
    return LK_EINVALID;
  snprintf(op->account, sizeof(op->account), "%s", account);
  snprintf(op->reason, sizeof(op->reason), "%s", note);
  return 0;
}

int lk_fac_pay_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                       int64_t cents, lk_invalid *why) {
  if (cents < 1 || cents > LK_FAC_CENTS_MAX)
    return invalid(why, "/amountCents", "must be 1 to 500000 cents");
  if (step_prepare(op, actor, id, "paid", why) != 0)
    return LK_EINVALID;
  op->cents = cents;
  return 0;
}

/* Carries out a decision that grants (fully or partly): books the room
 * or commits the euros.  The request's year and neighbourhood record
 * where the grant counts. */
static int grant(lk_tx *tx, lk_fac_step_op *op, lk_fac_request_row *r) {
  int64_t now = lk_tx_now(tx);
  char nb[LK_FAC_REF_MAX + 1];
  lk_room_row room;
  lk_pot_row pot;
  int rc;

  rc = lk_store_fac_initiative_tx(tx, r->initiative_id, NULL, nb);
  if (rc == LK_STORE_NOTFOUND)
    return LK_FAC_ESTATE; /* the initiative ended or was hidden meanwhile */
  if (rc != 0)
    return rc;
  r->year = lk_fac_year(now);
  snprintf(r->neighbourhood_id, sizeof(r->neighbourhood_id), "%s", nb);
  if (strcmp(r->kind, "room") == 0) {
    rc = lk_store_room_get_tx(tx, r->room_id, &room);
    if (rc != 0)
      return rc;
    /* A request left undecided until its time has passed books no room
     * in the past. */
    if (r->starts_at <= now ||
        !lk_fac_room_open(&room, r->starts_at, r->ends_at))
      return LK_FAC_ECLOSED;
    lk_uuid_new(r->booking_id, now);
    return lk_store_room_book(tx, r->booking_id, r->room_id, r->id,
                              r->initiative_id, r->starts_at, r->ends_at, now);
  }
  if (strcmp(r->kind, "crew") == 0) {
    r->granted_hours = op->hours != 0 ? op->hours : r->hours;
    return 0;
  }
  r->granted_cents = op->cents != 0 ? op->cents : r->amount_cents;
  rc = lk_store_pot_find_tx(tx, r->year, nb, &pot);
  if (rc == LK_STORE_NOTFOUND)
    return LK_FAC_ENOPOT;
  if (rc != 0)
    return rc;
  snprintf(r->pot_id, sizeof(r->pot_id), "%s", pot.id);
  return lk_store_pot_commit(tx, pot.id, r->granted_cents, now);
}

static int decide(lk_tx *tx, lk_fac_step_op *op, lk_fac_request_row *r) {
  int rc;

  if (!lk_fac_open(r->status))
    return LK_FAC_ESTATE;
  rc = lk_fac_decision_check(r, op->action, op->hours, op->cents, op->reason,
                             &op->why);
  if (rc != 0)
    return rc;
  if (strcmp(op->action, "declined") != 0) {
    rc = grant(tx, op, r);
    if (rc != 0)
      return rc;
  }
  snprintf(r->reason, sizeof(r->reason), "%s", op->reason);
  snprintf(r->decided_by, sizeof(r->decided_by), "%s", op->actor);
  r->decided_at = lk_tx_now(tx);
  return 0;
}

int lk_fac_step_apply(lk_tx *tx, void *arg) {
  lk_fac_step_op *op = arg;
  lk_fac_request_row *r = &op->r;
  lk_fac_history_row h = {0};
  bool staff = strcmp(op->action, "withdrawn") != 0;
  const char *type = "facilitation.decided";
  int rc;

  rc = lk_store_fac_request_get_tx(tx, op->id, r);
  if (rc != 0)
    return rc;
  h.hours = 0;
  h.amount_cents = 0;
  if (strcmp(op->action, "in_review") == 0) {
    if (strcmp(r->status, "submitted") != 0)
      return LK_FAC_ESTATE;
    type = "facilitation.reviewed";
  } else if (strcmp(op->action, "withdrawn") == 0) {
    /* Only an organiser of this initiative; to anyone else the request
     * does not exist. */
    rc = lk_store_fac_organiser_tx(tx, r->initiative_id, op->account);
    if (rc != 0)
      return rc;
    if (!lk_fac_open(r->status))
      return LK_FAC_ESTATE;
    type = "facilitation.withdrawn";
  } else if (strcmp(op->action, "paid") == 0) {
    if (strcmp(r->kind, "budget") != 0 ||
        (strcmp(r->status, "granted") != 0 &&
         strcmp(r->status, "partly_granted") != 0))
      return LK_FAC_ESTATE;
    if (r->paid_cents + op->cents > r->granted_cents)
      return LK_FAC_EBUDGET;
    rc = lk_store_pot_pay(tx, r->pot_id, op->cents, lk_tx_now(tx));
    if (rc != 0)
      return rc;
    r->paid_cents += op->cents;
    h.amount_cents = op->cents;
    type = "facilitation.paid";
  } else {
    rc = decide(tx, op, r);
    if (rc != 0)
      return rc;
    h.hours = r->granted_hours;
    h.amount_cents = r->granted_cents;
  }
  if (strcmp(op->action, "paid") != 0)
    snprintf(r->status, sizeof(r->status), "%s", op->action);
  rc = lk_store_fac_request_update(tx, r, lk_tx_now(tx));
  if (rc != 0)
    return rc;
  r->version++;
  r->updated_at = lk_tx_now(tx);
  h.request_id = r->id;
  h.at = lk_tx_now(tx);
  h.actor = op->actor;
  h.action = op->action;
  h.status = r->status;
  h.note = op->reason;
  rc = lk_store_fac_history_add(tx, &h);
  if (rc == 0 && !staff) {
    char resource[80];

    snprintf(resource, sizeof(resource), "facilitation-requests/%s", r->id);
    rc = proclog(tx, op->actor, "update", resource);
  }
  if (rc != 0)
    return rc;
  return request_event(tx, type, r, op->actor, staff);
}

/* ---- meetings ------------------------------------------------------------ */

int lk_meeting_create_prepare(lk_meeting_op *op, const char *account,
                              const lk_meeting_row *m, int64_t now,
                              lk_invalid *why) {
  int rc;

  if (!ref_ok(m->initiative_id))
    return invalid(why, "initiative", "is not an initiative id");
  if (!ref_ok(account))
    return invalid(why, "account", "is not an account id");
  rc = lk_meeting_check(m, now, why);
  if (rc != 0)
    return rc;
  memset(op, 0, sizeof(*op));
  snprintf(op->account, sizeof(op->account), "%s", account);
  op->m = *m;
  snprintf(op->m.created_by, sizeof(op->m.created_by), "%s", account);
  op->m.registered = 0;
  op->m.cancelled_at = 0;
  return 0;
}

static int meeting_event(lk_tx *tx, const char *type, const lk_meeting_row *m,
                         const char *actor) {
  lk_buf payload = LK_BUF_INIT;

  lk_buf_puts(&payload, "{\"id\":");
  lk_buf_json_str(&payload, m->id);
  lk_buf_puts(&payload, ",\"initiativeId\":");
  lk_buf_json_str(&payload, m->initiative_id);
  lk_buf_printf(&payload, ",\"capacity\":%d,\"registered\":%d}", m->capacity,
                m->registered);
  return changed(tx, type, m->id, actor, false, &payload);
}

int lk_meeting_create_apply(lk_tx *tx, void *arg) {
  lk_meeting_op *op = arg;
  lk_meeting_row *m = &op->m;
  char nb[LK_FAC_REF_MAX + 1];
  char actor[LK_FAC_ACTOR_MAX + 1];
  char place[LK_FAC_PLACE_MAX + 1];
  int64_t bs, be;
  int cap, rc;

  rc = lk_store_fac_initiative_tx(tx, m->initiative_id, op->account, nb);
  if (rc != 0)
    return rc;
  if (m->booking_id[0] != '\0') {
    rc = lk_store_booking_place_tx(tx, m->booking_id, m->initiative_id, place,
                                   sizeof(place), &bs, &be, &cap);
    if (rc != 0)
      return rc;
    /* The meeting takes place within the booked time, in that room. */
    if (m->starts_at < bs || m->ends_at > be)
      return LK_EINVALID;
    if (m->capacity > cap)
      return LK_FAC_ETOOMANY;
    if (m->place[0] == '\0')
      snprintf(m->place, sizeof(m->place), "%s", place);
  }
  lk_uuid_new(m->id, lk_tx_now(tx));
  m->created_at = m->updated_at = lk_tx_now(tx);
  rc = lk_store_meeting_insert(tx, m);
  if (rc != 0)
    return rc;
  actor_of(actor, sizeof(actor), op->account);
  return meeting_event(tx, "meeting.created", m, actor);
}

int lk_meeting_cancel_prepare(lk_meeting_cancel_op *op, const char *account,
                              const char *meeting_id, lk_invalid *why) {
  if (!id_ok(meeting_id))
    return invalid(why, "id", "is not a meeting id");
  if (!ref_ok(account))
    return invalid(why, "account", "is not an account id");
  memset(op, 0, sizeof(*op));
  snprintf(op->account, sizeof(op->account), "%s", account);
  snprintf(op->meeting_id, sizeof(op->meeting_id), "%s", meeting_id);
  return 0;
}

int lk_meeting_cancel_apply(lk_tx *tx, void *arg) {
  lk_meeting_cancel_op *op = arg;
  lk_meeting_row *m = malloc(sizeof(*m));
  char nb[LK_FAC_REF_MAX + 1];
  char actor[LK_FAC_ACTOR_MAX + 1];
  int rc;

  if (m == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_meeting_get_tx(tx, op->meeting_id, m);
  if (rc == 0)
    rc = lk_store_fac_initiative_tx(tx, m->initiative_id, op->account, nb);
  if (rc == 0)
    rc = lk_store_meeting_cancel(tx, op->meeting_id, lk_tx_now(tx));
  if (rc == 0) {
    actor_of(actor, sizeof(actor), op->account);
    rc = meeting_event(tx, "meeting.cancelled", m, actor);
  }
  free(m);
  return rc;
}

int lk_registration_prepare(lk_registration_op *op, const char *account,
                            const char *meeting_id, bool unregister,
                            lk_invalid *why) {
  if (!id_ok(meeting_id))
    return invalid(why, "id", "is not a meeting id");
  if (!ref_ok(account))
    return invalid(why, "account", "is not an account id");
  memset(op, 0, sizeof(*op));
  snprintf(op->account, sizeof(op->account), "%s", account);
  snprintf(op->meeting_id, sizeof(op->meeting_id), "%s", meeting_id);
  op->unregister = unregister;
  return 0;
}

int lk_registration_apply(lk_tx *tx, void *arg) {
  lk_registration_op *op = arg;
  char actor[LK_FAC_ACTOR_MAX + 1];
  char resource[80];
  int64_t now = lk_tx_now(tx);
  int rc;

  rc = lk_store_meeting_get_tx(tx, op->meeting_id, &op->m);
  if (rc != 0)
    return rc;
  if (op->m.cancelled_at != 0)
    return LK_STORE_NOTFOUND;
  if (op->m.ends_at <= now)
    return LK_FAC_EPAST;
  /* A sign-up needs the initiative still published or running and not
   * hidden (the page checked, but it may have stopped since); leaving is
   * always possible. */
  if (!op->unregister) {
    char nb[LK_FAC_REF_MAX + 1];

    rc = lk_store_fac_initiative_tx(tx, op->m.initiative_id, NULL, nb);
    if (rc != 0)
      return rc;
  }
  if (op->unregister)
    rc = lk_store_meeting_unregister(tx, op->meeting_id, op->account, now);
  else
    rc = lk_store_meeting_register(tx, op->meeting_id, op->account, now);
  if (rc != 0)
    return rc;
  rc = lk_store_meeting_get_tx(tx, op->meeting_id, &op->m);
  if (rc != 0)
    return rc;
  actor_of(actor, sizeof(actor), op->account);
  snprintf(resource, sizeof(resource), "meetings/%s/registrations",
           op->meeting_id);
  rc = proclog(tx, actor, op->unregister ? "delete" : "create", resource);
  if (rc != 0)
    return rc;
  return meeting_event(
      tx, op->unregister ? "meeting.unregistered" : "meeting.registered",
      &op->m, actor);
}
