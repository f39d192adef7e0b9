/* facilitation.h - what the municipality gives initiatives: rooms,
 * outdoor-crew hours and micro-budgets, and the meetings of an
 * initiative (docs/facilitation.md).
 *
 * A request's life: submitted -> (in_review) -> granted, partly_granted
 * or declined by staff, or withdrawn by its organisers before a
 * decision.  Every step appends to the request's history.  A granted
 * room books the room (never two overlapping bookings); a granted budget
 * commits euros in the pot of the decision's year and the initiative's
 * neighbourhood (never more than is left); a payment moves them from
 * committed to paid.
 *
 * The checks named lk_fac_*_check and lk_meeting_check are pure; the
 * *_prepare functions validate and fill an op without I/O and the
 * matching *_apply is its lk_write_fn, which re-checks what depends on
 * the database (organiser, room, pot, seats) inside the write.
 */
#ifndef LK_FACILITATION_H
#define LK_FACILITATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/facilitation.h"
#include "util/buf.h"

#define LK_FAC_PURPOSE_MAX 2000
#define LK_FAC_REASON_MAX 2000
#define LK_FAC_HOURS_MAX 200        /* crew hours in one request */
#define LK_FAC_CENTS_MAX 500000     /* a micro-budget: at most 5,000 euro */
#define LK_FAC_POT_MAX 100000000000 /* a pot: at most 1 billion euro */
#define LK_FAC_ROOM_MS_MAX (12LL * 3600 * 1000) /* one booking */
#define LK_FAC_PERIOD_MS_MAX (366LL * 24 * 3600 * 1000)
#define LK_MEETING_TITLE_MAX 200
#define LK_MEETING_CAPACITY_MAX 10000

/* What an apply can fail with besides LK_STORE_* and the store's
 * LK_FAC_EBUDGET, LK_FAC_EOVERLAP and LK_FAC_EFULL. */
#define LK_FAC_ESTATE (-2611)   /* the request's status does not allow it */
#define LK_FAC_ENOPOT (-2612)   /* no pot for that year and neighbourhood */
#define LK_FAC_ECLOSED (-2613)  /* the room is closed or inactive then */
#define LK_FAC_ETOOMANY (-2614) /* more people than the room holds */
#define LK_FAC_EPAST (-2615)    /* the meeting has ended */

/* ---- pure rules -----------------------------------------------------------
 */

/* True for "room", "crew" and "budget". */
bool lk_fac_kind_ok(const char *kind);
/* True for the six statuses of a request. */
bool lk_fac_status_ok(const char *status);
/* True for the statuses in which a decision or withdrawal may still
 * come: "submitted" and "in_review". */
bool lk_fac_open(const char *status);
/* True if `outcome` ("granted", "partly_granted", "declined") is a
 * decision staff may take on a request of `kind` in `status`. */
bool lk_fac_decision_ok(const char *kind, const char *status,
                        const char *outcome);
/* The Dutch civil year at `ms`: the year a decision counts in. */
int lk_fac_year(int64_t ms);
/* Euro cents left in a pot. */
int64_t lk_fac_pot_left(const lk_pot_row *p);
/* True if `room` is active and open for the whole of [starts, ends): one
 * Dutch civil day, a weekday in its days, between opens and closes. */
bool lk_fac_room_open(const lk_room_row *room, int64_t starts, int64_t ends);

/* Checks a new request of `kind`: purpose 1..2000 bytes; room: a room id,
 * starts in the future, at most 12 hours, attendees 1..10000; crew: hours
 * 1..200 and a date or period (starts, ends 0 for one day) in the future
 * of at most 366 days; budget: amount 1..500000 cents.  Fields another
 * kind does not use must be 0 or empty.  Returns 0 or LK_EINVALID with
 * `why` (field a JSON Pointer). */
int lk_fac_request_check(const lk_fac_request_row *r, int64_t now,
                         lk_invalid *why);
/* Checks a decision's numbers for `r`: granted needs nothing (the
 * request's own numbers are granted); partly_granted needs 1 .. asked-1
 * hours or cents and a reason; declined needs a reason.  Returns 0 or
 * LK_EINVALID. */
int lk_fac_decision_check(const lk_fac_request_row *r, const char *outcome,
                          int hours, int64_t cents, const char *reason,
                          lk_invalid *why);
/* Checks a room: name 1..100, location 0..200, capacity 1..10000, opens
 * 0..1439 < closes <= 1440, days 0..127. */
int lk_fac_room_check(const lk_room_row *r, lk_invalid *why);
/* Checks a meeting: title 1..200 one line, description 0..2000, place
 * 0..200 one line (required without a booking), starts in the future and
 * before ends (at most 7 days later), capacity 1..10000. */
int lk_meeting_check(const lk_meeting_row *m, int64_t now, lk_invalid *why);

/* ---- JSON ---------------------------------------------------------------- */

void lk_room_json(lk_buf *b, const lk_room_row *r);
void lk_pot_json(lk_buf *b, const lk_pot_row *p);
/* The request without its history; `staff` adds who asked and decided. */
void lk_fac_request_json(lk_buf *b, const lk_fac_request_row *r, bool staff);
/* A history step; `staff` shows the actor, else "organisator" or
 * "gemeente". */
void lk_fac_history_json(lk_buf *b, const lk_fac_history_row *h, bool staff);
void lk_meeting_json(lk_buf *b, const lk_meeting_row *m);
void lk_fac_totals_json(lk_buf *b, const lk_fac_totals *t);

/* ---- writes ---------------------------------------------------------------
 */

typedef struct lk_room_op {
  char actor[LK_FAC_ACTOR_MAX + 1];
  bool create;
  unsigned set; /* patch: LK_ROOM_SET_* of the fields given */
  lk_room_row r;
} lk_room_op;

#define LK_ROOM_SET_NAME 1u
#define LK_ROOM_SET_LOCATION 2u
#define LK_ROOM_SET_CAPACITY 4u
#define LK_ROOM_SET_HOURS 8u /* opens and closes */
#define LK_ROOM_SET_DAYS 16u
#define LK_ROOM_SET_ACTIVE 32u

/* A new room from `r` (id and times filled here).  LK_EINVALID. */
int lk_room_create_prepare(lk_room_op *op, const char *actor,
                           const lk_room_row *r, lk_invalid *why);
/* A change of room `id` to the fields of `r` named in `set`; apply
 * checks the merged room.  LK_EINVALID (field "id" for a bad id). */
int lk_room_patch_prepare(lk_room_op *op, const char *actor, const char *id,
                          const lk_room_row *r, unsigned set, lk_invalid *why);
/* LK_STORE_CONFLICT for a name in use, LK_EINVALID (merged hours). */
int lk_room_apply(lk_tx *tx, void *arg);

typedef struct lk_pot_op {
  char actor[LK_FAC_ACTOR_MAX + 1];
  bool create;
  lk_pot_row p;       /* create: year, neighbourhood, amount; patch: id */
  int64_t old_amount; /* filled by apply */
} lk_pot_op;

int lk_pot_create_prepare(lk_pot_op *op, const char *actor, int year,
                          const char *neighbourhood_id, int64_t amount,
                          lk_invalid *why);
int lk_pot_adjust_prepare(lk_pot_op *op, const char *actor, const char *id,
                          int64_t amount, lk_invalid *why);
/* LK_STORE_CONFLICT (a pot for that year and neighbourhood exists),
 * LK_STORE_NOTFOUND (an unknown neighbourhood or pot), LK_FAC_EBUDGET
 * (an amount below what is committed and paid). */
int lk_pot_apply(lk_tx *tx, void *arg);

typedef struct lk_fac_create_op {
  char account[LK_FAC_REF_MAX + 1]; /* the organiser asking */
  lk_fac_request_row r;
} lk_fac_create_op;

/* `r` holds initiative_id, kind, purpose and the kind's numbers. */
int lk_fac_create_prepare(lk_fac_create_op *op, const char *account,
                          const lk_fac_request_row *r, int64_t now,
                          lk_invalid *why);
/* LK_STORE_NOTFOUND unless `account` organises the initiative (or the
 * room is unknown), LK_FAC_ECLOSED, LK_FAC_ETOOMANY. */
int lk_fac_create_apply(lk_tx *tx, void *arg);

typedef struct lk_fac_step_op {
  char actor[LK_FAC_ACTOR_MAX + 1]; /* staff actor, or the account */
  char account[LK_FAC_REF_MAX + 1]; /* withdraw: the organiser */
  char action[LK_FAC_WORD_MAX + 1]; /* in_review, granted, ..., paid */
  char id[LK_FAC_ID_LEN + 1];
  int hours;
  int64_t cents;
  char reason[LK_FAC_REASON_MAX + 1];
  lk_invalid why;       /* apply's LK_EINVALID: the decision's fault */
  lk_fac_request_row r; /* the request after the step (apply) */
} lk_fac_step_op;

/* Staff take request `id` into review. */
int lk_fac_review_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                          lk_invalid *why);
/* Staff decide: outcome granted, partly_granted (hours or cents) or
 * declined, with a reason for the organisers.  Apply re-checks with
 * lk_fac_decision_check against the stored request. */
int lk_fac_decide_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                          const char *outcome, int hours, int64_t cents,
                          const char *reason, lk_invalid *why);
/* An organiser withdraws, with an optional note. */
int lk_fac_withdraw_prepare(lk_fac_step_op *op, const char *account,
                            const char *id, const char *note, lk_invalid *why);
/* Staff record a payment of `cents` on a granted budget. */
int lk_fac_pay_prepare(lk_fac_step_op *op, const char *actor, const char *id,
                       int64_t cents, lk_invalid *why);
/* LK_STORE_NOTFOUND (unknown, or a withdrawal by a non-organiser),
 * LK_FAC_ESTATE, LK_EINVALID (decision numbers: op->why), LK_FAC_ENOPOT,
 * LK_FAC_EBUDGET, LK_FAC_EOVERLAP, LK_FAC_ECLOSED. */
int lk_fac_step_apply(lk_tx *tx, void *arg);

typedef struct lk_meeting_op {
  char account[LK_FAC_REF_MAX + 1];
  lk_meeting_row m;
} lk_meeting_op;

int lk_meeting_create_prepare(lk_meeting_op *op, const char *account,
                              const lk_meeting_row *m, int64_t now,
                              lk_invalid *why);
/* LK_STORE_NOTFOUND unless the account organises the initiative and the
 * booking (if any) is the initiative's; LK_EINVALID when the meeting does
 * not fit in its booking's time, LK_FAC_ETOOMANY when its capacity is
 * more than the room holds. */
int lk_meeting_create_apply(lk_tx *tx, void *arg);

typedef struct lk_meeting_cancel_op {
  char account[LK_FAC_REF_MAX + 1];
  char meeting_id[LK_FAC_ID_LEN + 1];
} lk_meeting_cancel_op;

int lk_meeting_cancel_prepare(lk_meeting_cancel_op *op, const char *account,
                              const char *meeting_id, lk_invalid *why);
/* LK_STORE_NOTFOUND unless the account organises the meeting's
 * initiative and the meeting is not cancelled yet. */
int lk_meeting_cancel_apply(lk_tx *tx, void *arg);

typedef struct lk_registration_op {
  char account[LK_FAC_REF_MAX + 1];
  char meeting_id[LK_FAC_ID_LEN + 1];
  bool unregister;
  lk_meeting_row m; /* after the change */
} lk_registration_op;

int lk_registration_prepare(lk_registration_op *op, const char *account,
                            const char *meeting_id, bool unregister,
                            lk_invalid *why);
/* LK_STORE_NOTFOUND, LK_STORE_CONFLICT (already registered), LK_FAC_EFULL,
 * LK_FAC_EPAST. */
int lk_registration_apply(lk_tx *tx, void *arg);

#endif
