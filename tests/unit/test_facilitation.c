/* test_facilitation.c - the rules of facilitation requests, rooms, pots
 * and meetings (core/facilitation.h), the iCalendar writer (core/ics.h),
 * and the store's guards: a pot never overspent by concurrent grants, a
 * room never booked twice, the history append-only. */
#include "lk_test.h"

#include "lk_test_store.h"

#include "core/facilitation.h"
#include "core/ics.h"
#include "core/ids.h"
#include "store/facilitation.h"
#include "store/internal.h" /* lk_tx_db: to try to change the history */
#include "util/clock.h"

#define NOW 1795000000000LL /* 2026-11-18 */
#define HOUR (3600LL * 1000)

static lk_fac_request_row request(const char *kind) {
  lk_fac_request_row r;

  memset(&r, 0, sizeof(r));
  snprintf(r.initiative_id, sizeof(r.initiative_id), "%s",
           "0190aaaa-0000-7000-8000-000000000001");
  snprintf(r.kind, sizeof(r.kind), "%s", kind);
  snprintf(r.status, sizeof(r.status), "submitted");
  snprintf(r.purpose, sizeof(r.purpose), "Buurtoverleg over de moestuin");
  if (strcmp(kind, "room") == 0) {
    snprintf(r.room_id, sizeof(r.room_id), "%s",
             "0190aaaa-0000-7000-8000-000000000002");
    r.starts_at = NOW + 48 * HOUR;
    r.ends_at = r.starts_at + 2 * HOUR;
    r.attendees = 20;
  } else if (strcmp(kind, "crew") == 0) {
    r.starts_at = NOW + 48 * HOUR;
    r.ends_at = r.starts_at + 24 * HOUR;
    r.hours = 8;
  } else {
    r.amount_cents = 25000;
  }
  return r;
}

static void test_request_check(void **state) {
  lk_fac_request_row r;
  lk_invalid why;

  (void)state;
  r = request("room");
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), 0);
  r = request("crew");
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), 0);
  r = request("budget");
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), 0);

  r = request("taart");
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/kind");

  r = request("budget");
  r.purpose[0] = '\0';
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/purpose");
  snprintf(r.purpose, sizeof(r.purpose), "bel\x07");
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);

  r = request("budget");
  r.amount_cents = LK_FAC_CENTS_MAX + 1;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/amountCents");
  r.amount_cents = 0;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  r = request("budget");
  r.hours = 3; /* another kind's number */
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/hours");

  r = request("room");
  r.starts_at = NOW - HOUR; /* in the past */
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/startsAt");
  r = request("room");
  r.ends_at = r.starts_at + 13 * HOUR;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/endsAt");
  r = request("room");
  r.room_id[0] = '\0';
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/roomId");
  r = request("room");
  r.attendees = 0;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);

  r = request("crew");
  r.hours = LK_FAC_HOURS_MAX + 1;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/hours");
  r = request("crew");
  r.ends_at = r.starts_at + 367 * 24 * HOUR;
  assert_int_equal(lk_fac_request_check(&r, NOW, &why), LK_EINVALID);
}

static void test_decisions(void **state) {
  lk_fac_request_row r = request("budget");
  lk_invalid why;

  (void)state;
  assert_true(lk_fac_open("submitted"));
  assert_true(lk_fac_open("in_review"));
  assert_false(lk_fac_open("granted"));
  assert_false(lk_fac_open("withdrawn"));
  assert_true(lk_fac_decision_ok("budget", "submitted", "partly_granted"));
  assert_false(lk_fac_decision_ok("room", "submitted", "partly_granted"));
  assert_true(lk_fac_decision_ok("room", "in_review", "granted"));
  assert_false(lk_fac_decision_ok("budget", "declined", "granted"));
  assert_false(lk_fac_decision_ok("budget", "submitted", "maybe"));

  assert_int_equal(lk_fac_decision_check(&r, "granted", 0, 0, "", &why), 0);
  assert_int_equal(lk_fac_decision_check(&r, "declined", 0, 0, "", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "/reason");
  assert_int_equal(
      lk_fac_decision_check(&r, "declined", 0, 0, "Pot is op", &why), 0);
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 0, 10000, "", &why),
      LK_EINVALID);
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 0, 10000, "Deels", &why), 0);
  /* Partly means less than asked, and more than nothing. */
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 0, 25000, "Deels", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "/grantedCents");
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 0, 0, "Deels", &why),
      LK_EINVALID);
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 3, 100, "Deels", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "/grantedHours");
  assert_int_equal(lk_fac_decision_check(&r, "granted", 0, 100, "", &why),
                   LK_EINVALID);

  r = request("crew");
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 4, 0, "Halve dag", &why), 0);
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 8, 0, "Halve dag", &why),
      LK_EINVALID);
  r = request("room");
  assert_int_equal(
      lk_fac_decision_check(&r, "partly_granted", 0, 0, "Halve zaal", &why),
      LK_EINVALID);
  assert_string_equal(why.field, "/outcome");
}

static void test_room_open(void **state) {
  lk_room_row room = {.capacity = 30,
                      .opens = 9 * 60,
                      .closes = 22 * 60,
                      .days = 0x1F, /* Monday to Friday */
                      .active = true};
  /* Monday 30 November 2026 (CET, UTC+1). */
  int64_t mon = lk_clock_nl_instant(2026, 11, 30, 0);
  int64_t sat = lk_clock_nl_instant(2026, 12, 5, 0);
  /* Monday 29 June 2026 (CEST, UTC+2). */
  int64_t summer = lk_clock_nl_instant(2026, 6, 29, 0);
  lk_invalid why;

  (void)state;
  snprintf(room.name, sizeof(room.name), "Zaal 1");
  assert_int_equal(lk_fac_room_check(&room, &why), 0);
  assert_true(lk_fac_room_open(&room, mon + 9 * HOUR, mon + 11 * HOUR));
  assert_true(lk_fac_room_open(&room, mon + 20 * HOUR, mon + 22 * HOUR));
  assert_false(lk_fac_room_open(&room, mon + 8 * HOUR, mon + 10 * HOUR));
  assert_false(lk_fac_room_open(&room, mon + 21 * HOUR, mon + 23 * HOUR));
  assert_false(lk_fac_room_open(&room, sat + 10 * HOUR, sat + 11 * HOUR));
  assert_true(lk_fac_room_open(&room, summer + 9 * HOUR, summer + 10 * HOUR));
  assert_false(lk_fac_room_open(&room, summer + 8 * HOUR, summer + 9 * HOUR));
  /* Across midnight is never one opening. */
  room.closes = 1440;
  assert_false(lk_fac_room_open(&room, mon + 23 * HOUR, mon + 25 * HOUR));
  room.active = false;
  assert_false(lk_fac_room_open(&room, mon + 10 * HOUR, mon + 11 * HOUR));

  room.opens = 600;
  room.closes = 600;
  assert_int_equal(lk_fac_room_check(&room, &why), LK_EINVALID);
  room.closes = 700;
  room.capacity = 0;
  assert_int_equal(lk_fac_room_check(&room, &why), LK_EINVALID);
  assert_string_equal(why.field, "/capacity");
}

static void test_meeting_check(void **state) {
  lk_meeting_row m;
  lk_invalid why;

  (void)state;
  memset(&m, 0, sizeof(m));
  snprintf(m.title, sizeof(m.title), "Plantdag");
  snprintf(m.place, sizeof(m.place), "Moestuin, Oudegracht 1");
  m.starts_at = NOW + HOUR;
  m.ends_at = NOW + 3 * HOUR;
  m.capacity = 12;
  assert_int_equal(lk_meeting_check(&m, NOW, &why), 0);
  m.place[0] = '\0';
  assert_int_equal(lk_meeting_check(&m, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/place");
  snprintf(m.booking_id, sizeof(m.booking_id),
           "0190aaaa-0000-7000-8000-000000000003");
  assert_int_equal(lk_meeting_check(&m, NOW, &why), 0);
  m.capacity = 0;
  assert_int_equal(lk_meeting_check(&m, NOW, &why), LK_EINVALID);
  m.capacity = 5;
  m.starts_at = NOW - 1;
  assert_int_equal(lk_meeting_check(&m, NOW, &why), LK_EINVALID);
  m.starts_at = NOW + HOUR;
  snprintf(m.title, sizeof(m.title), "twee\nregels");
  assert_int_equal(lk_meeting_check(&m, NOW, &why), LK_EINVALID);
  assert_string_equal(why.field, "/title");
}

/* Unfolds an iCalendar text: CR LF and one space join lines. */
static void unfold(const char *in, char *out, size_t size) {
  size_t o = 0;

  for (size_t i = 0; in[i] != '\0' && o + 1 < size; i++) {
    if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == ' ') {
      i += 2;
      continue;
    }
    out[o++] = in[i];
  }
  out[o] = '\0';
}

static void test_ics(void **state) {
  lk_meeting_row m;
  lk_buf b = LK_BUF_INIT;
  char flat[4096];
  const char *line;

  (void)state;
  memset(&m, 0, sizeof(m));
  snprintf(m.id, sizeof(m.id), "0190aaaa-0000-7000-8000-000000000009");
  snprintf(m.title, sizeof(m.title),
           "Buurt; koffie, \\ taart en een heel lange titel die zeker over "
           "de vijfenzeventig octetten gaat: éééééééééé");
  snprintf(m.description, sizeof(m.description), "Regel 1\nRegel 2");
  snprintf(m.place, sizeof(m.place), "Zaal 1, Stadhuis");
  m.starts_at = 1796036400000LL; /* 2026-11-30T11:00:00Z */
  m.ends_at = m.starts_at + 2 * HOUR;
  m.updated_at = m.starts_at - 24 * HOUR;
  m.sequence = 2;
  lk_ics_meeting(&b, &m, "https://loket.example/initiatieven/x");
  assert_true(lk_buf_ok(&b));
  /* Every line ends in CR LF and holds at most 75 octets. */
  line = b.data;
  while (*line != '\0') {
    const char *end = strstr(line, "\r\n");

    assert_non_null(end);
    assert_true(end - line <= 75);
    /* A fold never splits a UTF-8 sequence: no line starts with a
     * continuation byte after its leading space. */
    if (line[0] == ' ')
      assert_false(((unsigned char)line[1] & 0xC0) == 0x80);
    line = end + 2;
  }
  unfold(b.data, flat, sizeof(flat));
  assert_non_null(strstr(flat, "UID:0190aaaa-0000-7000-8000-000000000009@loket"
                               "\r\n"));
  assert_non_null(strstr(flat, "DTSTART:20261130T110000Z\r\n"));
  assert_non_null(strstr(flat, "DTEND:20261130T130000Z\r\n"));
  assert_non_null(strstr(flat, "DTSTAMP:20261129T110000Z\r\n"));
  assert_non_null(strstr(flat, "SEQUENCE:2\r\n"));
  assert_non_null(strstr(flat, "SUMMARY:Buurt\\; koffie\\, \\\\ taart en"));
  assert_non_null(strstr(flat, "DESCRIPTION:Regel 1\\nRegel 2\r\n"));
  assert_non_null(strstr(flat, "LOCATION:Zaal 1\\, Stadhuis\r\n"));
  assert_non_null(strstr(flat, "STATUS:CONFIRMED\r\n"));
  assert_non_null(strstr(flat, "éééééééééé\r\n"));
  lk_buf_free(&b);

  m.cancelled_at = 1;
  lk_ics_meeting(&b, &m, NULL);
  assert_non_null(strstr(b.data, "STATUS:CANCELLED\r\n"));
  assert_null(strstr(b.data, "URL:"));
  lk_buf_free(&b);
}

/* ---- the store's guards ------------------------------------------------- */

struct commit_arg {
  lk_write w;
  char pot[LK_FAC_ID_LEN + 1];
  int64_t cents;
  int status;
  _Atomic int *done;
};

static int commit_apply(lk_tx *tx, void *arg) {
  struct commit_arg *c = arg;

  return lk_store_pot_commit(tx, c->pot, c->cents, lk_tx_now(tx));
}

static void commit_done(int status, void *arg) {
  struct commit_arg *c = arg;

  c->status = status;
  (*c->done)++;
}

static void test_pot_last_euros(void **state) {
  fixture *fx = *state;
  lk_pot_op op;
  lk_invalid why;
  struct commit_arg c[40];
  _Atomic int done = 0;
  int ok = 0, refused = 0;
  lk_pot_row p;

  assert_int_equal(
      lk_pot_create_prepare(&op, "user:usr_test", 2026, "oost", 100000, &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op), 0);
  /* A second pot for the same year and neighbourhood is refused, and so
   * is one for a neighbourhood that does not exist. */
  assert_int_equal(
      lk_pot_create_prepare(&op, "user:usr_test", 2026, "oost", 5, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op),
                   LK_STORE_CONFLICT);
  assert_int_equal(
      lk_pot_create_prepare(&op, "user:usr_test", 2026, "atlantis", 5, &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op),
                   LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_pot_create_prepare(&op, "user:usr_test", 2026, "zuid", 100000, &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op), 0);

  /* 40 grants of 3,000 cents race for 100,000: exactly 33 fit. */
  for (int i = 0; i < 40; i++) {
    memset(&c[i], 0, sizeof(c[i]));
    snprintf(c[i].pot, sizeof(c[i].pot), "%s", op.p.id);
    c[i].cents = 3000;
    c[i].done = &done;
    c[i].w.apply = commit_apply;
    c[i].w.done = commit_done;
    c[i].w.arg = &c[i];
  }
  for (int i = 0; i < 40; i++)
    assert_int_equal(lk_store_submit(fx->store, &c[i].w), 0);
  while (done < 40)
    usleep(1000);
  for (int i = 0; i < 40; i++) {
    if (c[i].status == 0)
      ok++;
    else if (c[i].status == LK_FAC_EBUDGET)
      refused++;
  }
  assert_int_equal(ok, 33);
  assert_int_equal(refused, 7);
  assert_int_equal(lk_store_pot_get(fx->store, op.p.id, &p), 0);
  assert_int_equal(p.committed_cents, 99000);
  assert_int_equal(lk_fac_pot_left(&p), 1000);

  /* The amount cannot drop below what is committed. */
  assert_int_equal(
      lk_pot_adjust_prepare(&op, "user:usr_test", p.id, 98000, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op),
                   LK_FAC_EBUDGET);
  assert_int_equal(
      lk_pot_adjust_prepare(&op, "user:usr_test", p.id, 99000, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &op), 0);
  assert_int_equal(op.old_amount, 100000);
  assert_int_equal(op.p.amount_cents, 99000);
}

struct book_arg {
  char room[LK_FAC_ID_LEN + 1];
  char req[LK_FAC_ID_LEN + 1];
  int64_t starts, ends;
};

static int book_apply(lk_tx *tx, void *arg) {
  struct book_arg *b = arg;
  lk_fac_request_row r = request("room");
  char booking[LK_FAC_ID_LEN + 1];

  lk_uuid_new(b->req, lk_tx_now(tx));
  snprintf(r.id, sizeof(r.id), "%s", b->req);
  snprintf(r.room_id, sizeof(r.room_id), "%s", b->room);
  r.created_at = lk_tx_now(tx);
  if (lk_store_fac_request_insert(tx, &r) != 0)
    return LK_STORE_IO;
  lk_uuid_new(booking, lk_tx_now(tx));
  return lk_store_room_book(tx, booking, b->room, b->req, r.initiative_id,
                            b->starts, b->ends, lk_tx_now(tx));
}

static int history_tamper(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx), "UPDATE facilitation_history SET note = 'x'");
}

static int history_erase(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx), "DELETE FROM facilitation_history");
}

static int history_add(lk_tx *tx, void *arg) {
  struct book_arg *b = arg;
  lk_fac_history_row h = {.request_id = b->req,
                          .at = lk_tx_now(tx),
                          .actor = "p:x",
                          .action = "submitted",
                          .status = "submitted"};

  return lk_store_fac_history_add(tx, &h);
}

static void test_room_bookings(void **state) {
  fixture *fx = *state;
  lk_room_row room = {.capacity = 30, .opens = 480, .closes = 1320, .days = 31};
  lk_room_op op;
  lk_invalid why;
  struct book_arg b;

  snprintf(room.name, sizeof(room.name), "Zaal <b>&</b>");
  room.active = true;
  assert_int_equal(lk_room_create_prepare(&op, "user:usr_t", &room, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_room_apply, &op), 0);
  /* A second room of the same name is refused. */
  lk_room_op dup;
  assert_int_equal(lk_room_create_prepare(&dup, "user:usr_t", &room, &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_room_apply, &dup),
                   LK_STORE_CONFLICT);

  memset(&b, 0, sizeof(b));
  snprintf(b.room, sizeof(b.room), "%s", op.r.id);
  b.starts = NOW + 10 * HOUR;
  b.ends = NOW + 12 * HOUR;
  assert_int_equal(lk_store_write(fx->store, book_apply, &b), 0);
  /* Overlapping at either end or inside: refused; touching: fine. */
  b.starts = NOW + 11 * HOUR;
  b.ends = NOW + 13 * HOUR;
  assert_int_equal(lk_store_write(fx->store, book_apply, &b), LK_FAC_EOVERLAP);
  b.starts = NOW + 9 * HOUR;
  b.ends = NOW + 10 * HOUR + 1;
  assert_int_equal(lk_store_write(fx->store, book_apply, &b), LK_FAC_EOVERLAP);
  b.starts = NOW + 12 * HOUR;
  b.ends = NOW + 13 * HOUR;
  assert_int_equal(lk_store_write(fx->store, book_apply, &b), 0);

  /* The history takes new rows and refuses changes and deletions. */
  assert_int_equal(lk_store_write(fx->store, history_add, &b), 0);
  assert_int_not_equal(lk_store_write(fx->store, history_tamper, NULL), 0);
  assert_int_not_equal(lk_store_write(fx->store, history_erase, NULL), 0);

  /* A patch is checked merged with what is stored. */
  lk_room_row change = {.opens = 1400, .closes = 1440};
  char id[LK_FAC_ID_LEN + 1];

  snprintf(id, sizeof(id), "%s", op.r.id);
  assert_int_equal(lk_room_patch_prepare(&op, "user:usr_t", id, &change,
                                         LK_ROOM_SET_HOURS, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_room_apply, &op), 0);
  assert_int_equal(op.r.opens, 1400);
  assert_int_equal(op.r.capacity, 30);
}

/* Rows of the participation core (migration 0018) the writes check. */
static int seed_initiative(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(
      lk_tx_db(tx),
      "INSERT INTO p_accounts (id, email, email_key, display_name,"
      " confirmed_at, created_at, updated_at) VALUES"
      " ('acc-owner', 'o@x.nl', 'o@x.nl', 'Owner', 1, 1, 1),"
      " ('acc-other', 'a@x.nl', 'a@x.nl', 'Other', 1, 1, 1);"
      "INSERT INTO initiatives (id, owner_id, title, neighbourhood_id,"
      " status, status_changed_at, published_at, created_at, updated_at)"
      " VALUES ('0190aaaa-0000-7000-8000-000000000001', 'acc-owner',"
      " 'Tuin', 'oost', 'running', 1, 1, 1, 1);"
      "INSERT INTO initiative_organisers (initiative_id, account_id, role,"
      " created_at) VALUES ('0190aaaa-0000-7000-8000-000000000001',"
      " 'acc-owner', 'owner', 1)");
}

static int complete_initiative(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(lk_tx_db(tx), "UPDATE initiatives SET status ="
                                  " 'completed'");
}

static void test_request_writes(void **state) {
  fixture *fx = *state;
  lk_fac_request_row r = request("budget");
  lk_fac_create_op create;
  lk_fac_step_op step;
  lk_pot_op pot;
  lk_invalid why;
  int64_t now = lk_clock_real_ms();
  char id[LK_FAC_ID_LEN + 1];

  assert_int_equal(lk_store_write(fx->store, seed_initiative, NULL), 0);
  /* Only an organiser asks. */
  assert_int_equal(lk_fac_create_prepare(&create, "acc-other", &r, now, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_create_apply, &create),
                   LK_STORE_NOTFOUND);
  assert_int_equal(lk_fac_create_prepare(&create, "acc-owner", &r, now, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_create_apply, &create), 0);
  snprintf(id, sizeof(id), "%s", create.r.id);

  /* No pot yet: the grant is refused and nothing changes. */
  assert_int_equal(
      lk_fac_decide_prepare(&step, "user:usr_s", id, "granted", 0, 0, "", &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step),
                   LK_FAC_ENOPOT);
  assert_int_equal(lk_pot_create_prepare(&pot, "user:usr_s", lk_fac_year(now),
                                         "oost", 20000, &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_pot_apply, &pot), 0);
  /* A partial grant needs a reason (checked inside the write). */
  assert_int_equal(lk_fac_decide_prepare(&step, "user:usr_s", id,
                                         "partly_granted", 0, 5000, "", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step),
                   LK_EINVALID);
  assert_string_equal(step.why.field, "/reason");

  /* Another account cannot withdraw it, also once the initiative has
   * ended; the organiser can, before a decision. */
  assert_int_equal(lk_store_write(fx->store, complete_initiative, NULL), 0);
  assert_int_equal(lk_fac_withdraw_prepare(&step, "acc-other", id, "", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step),
                   LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_fac_withdraw_prepare(&step, "acc-owner", id, "Klaar", &why), 0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step), 0);
  assert_string_equal(step.r.status, "withdrawn");
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step),
                   LK_FAC_ESTATE);
  assert_int_equal(lk_fac_decide_prepare(&step, "user:usr_s", id, "declined", 0,
                                         0, "Nee", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_fac_step_apply, &step),
                   LK_FAC_ESTATE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_check),
      cmocka_unit_test(test_decisions),
      cmocka_unit_test(test_room_open),
      cmocka_unit_test(test_meeting_check),
      cmocka_unit_test(test_ics),
      cmocka_unit_test_setup_teardown(test_pot_last_euros, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_room_bookings, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_request_writes, setup_store,
                                      teardown_store),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
