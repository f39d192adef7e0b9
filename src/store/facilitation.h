/* facilitation.h - rooms, budget pots, facilitation requests with their
 * history, room bookings, meetings and registrations (migration 0019).
 *
 * The functions taking an lk_tx run inside a write on the writer thread;
 * those taking an lk_store read through the pool.  All return 0 or a
 * negative LK_STORE_* code (a few name their own below); out parameters
 * are filled only on success.  Ids of initiatives, accounts and
 * neighbourhoods belong to migration 0018 (store/initiatives.h) and are
 * plain text here.
 */
#ifndef LK_STORE_FACILITATION_H
#define LK_STORE_FACILITATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define LK_FAC_ID_LEN 36  /* a UUID */
#define LK_FAC_REF_MAX 64 /* an id of migration 0018 */
#define LK_FAC_NAME_MAX 100
#define LK_FAC_PLACE_MAX 200
#define LK_FAC_TEXT_MAX 2000
#define LK_FAC_ACTOR_MAX 100
#define LK_FAC_WORD_MAX 16 /* kind, status, action */

/* The guarded updates below fail with these when their condition does
 * not hold, so the check and the change are one statement. */
#define LK_FAC_EBUDGET (-2601)  /* the pot has less left than asked */
#define LK_FAC_EOVERLAP (-2602) /* the room is booked at that time */
#define LK_FAC_EFULL (-2603)    /* the meeting has no seat left */

typedef struct lk_room_row {
  char id[LK_FAC_ID_LEN + 1];
  char name[LK_FAC_NAME_MAX + 1];
  char location[LK_FAC_PLACE_MAX + 1];
  int capacity;
  int opens;  /* minutes after local midnight */
  int closes; /* after opens, at most 1440 */
  int days;   /* bit 0 = Monday .. bit 6 = Sunday */
  bool active;
  int64_t created_at;
  int64_t updated_at;
} lk_room_row;

typedef struct lk_pot_row {
  char id[LK_FAC_ID_LEN + 1];
  int year;
  char neighbourhood_id[LK_FAC_REF_MAX + 1];
  int64_t amount_cents;
  int64_t committed_cents; /* granted, not yet paid */
  int64_t paid_cents;
  int64_t created_at;
  int64_t updated_at;
} lk_pot_row;

typedef struct lk_fac_request_row {
  char id[LK_FAC_ID_LEN + 1];
  char initiative_id[LK_FAC_REF_MAX + 1];
  char kind[LK_FAC_WORD_MAX + 1];   /* room, crew, budget */
  char status[LK_FAC_WORD_MAX + 1]; /* submitted .. withdrawn */
  char requested_by[LK_FAC_REF_MAX + 1];
  char purpose[LK_FAC_TEXT_MAX + 1];
  char room_id[LK_FAC_ID_LEN + 1]; /* "" unless a room */
  int64_t starts_at;               /* 0: not set */
  int64_t ends_at;
  int attendees;
  int hours;
  int64_t amount_cents;
  int granted_hours; /* decision; 0 when none */
  int64_t granted_cents;
  char booking_id[LK_FAC_ID_LEN + 1];
  char pot_id[LK_FAC_ID_LEN + 1];
  int64_t paid_cents;
  int year; /* 0 until decided */
  char neighbourhood_id[LK_FAC_REF_MAX + 1];
  char reason[LK_FAC_TEXT_MAX + 1];
  char decided_by[LK_FAC_ACTOR_MAX + 1];
  int64_t decided_at;
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
} lk_fac_request_row;

/* A step of a request; strings live during the callback only. */
typedef struct lk_fac_history_row {
  int64_t seq;
  const char *request_id;
  int64_t at;
  const char *actor;
  const char *action;
  const char *status;
  int hours;            /* 0: none */
  int64_t amount_cents; /* 0: none */
  const char *note;
} lk_fac_history_row;

typedef struct lk_meeting_row {
  char id[LK_FAC_ID_LEN + 1];
  char initiative_id[LK_FAC_REF_MAX + 1];
  char title[201];
  char description[LK_FAC_TEXT_MAX + 1];
  int64_t starts_at;
  int64_t ends_at;
  char place[LK_FAC_PLACE_MAX + 1];
  char booking_id[LK_FAC_ID_LEN + 1]; /* "" when none */
  int capacity;
  int registered;
  char created_by[LK_FAC_REF_MAX + 1];
  int64_t cancelled_at; /* 0: not cancelled */
  int sequence;
  int64_t created_at;
  int64_t updated_at;
} lk_meeting_row;

/* What the municipality gave, summed: per initiative or neighbourhood. */
typedef struct lk_fac_totals {
  int rooms;          /* room requests granted (fully or partly) */
  int64_t room_ms;    /* their booked time */
  int64_t hours;      /* crew hours granted */
  int64_t cents;      /* euros granted, in cents */
  int64_t paid_cents; /* of which paid */
  int requests;       /* requests granted (fully or partly) */
} lk_fac_totals;

/* ---- inside a write ----------------------------------------------------- */

int lk_store_room_insert(lk_tx *tx, const lk_room_row *r);
/* Writes every mutable column and updated_at. */
int lk_store_room_update(lk_tx *tx, const lk_room_row *r);
int lk_store_room_get_tx(lk_tx *tx, const char *id, lk_room_row *out);

int lk_store_pot_insert(lk_tx *tx, const lk_pot_row *p);
int lk_store_pot_get_tx(lk_tx *tx, const char *id, lk_pot_row *out);
/* The pot of `year` and `neighbourhood_id`; LK_STORE_NOTFOUND if none. */
int lk_store_pot_find_tx(lk_tx *tx, int year, const char *neighbourhood_id,
                         lk_pot_row *out);
/* Sets the amount; LK_FAC_EBUDGET if below what is committed and paid. */
int lk_store_pot_set_amount(lk_tx *tx, const char *id, int64_t amount,
                            int64_t now);
/* Commits `cents` if at least that much is left, in one guarded UPDATE:
 * LK_FAC_EBUDGET otherwise. */
int lk_store_pot_commit(lk_tx *tx, const char *id, int64_t cents, int64_t now);
/* Moves `cents` from committed to paid; LK_FAC_EBUDGET if fewer are
 * committed. */
int lk_store_pot_pay(lk_tx *tx, const char *id, int64_t cents, int64_t now);

int lk_store_fac_request_insert(lk_tx *tx, const lk_fac_request_row *r);
int lk_store_fac_request_get_tx(lk_tx *tx, const char *id,
                                lk_fac_request_row *out);
/* Writes status, the decision's columns and paid_cents, bumps the
 * version and sets updated_at to `now`. */
int lk_store_fac_request_update(lk_tx *tx, const lk_fac_request_row *r,
                                int64_t now);
/* Appends a step (its strings are copied; request_id, actor, action and
 * status required). */
int lk_store_fac_history_add(lk_tx *tx, const lk_fac_history_row *h);

/* Books `room_id` from `starts` to `ends` for `request_id`: LK_FAC_EOVERLAP
 * when another booking of the room overlaps. */
int lk_store_room_book(lk_tx *tx, const char *booking_id, const char *room_id,
                       const char *request_id, const char *initiative_id,
                       int64_t starts, int64_t ends, int64_t now);

int lk_store_meeting_insert(lk_tx *tx, const lk_meeting_row *m);
int lk_store_meeting_get_tx(lk_tx *tx, const char *id, lk_meeting_row *out);
/* Marks it cancelled and bumps its sequence. */
int lk_store_meeting_cancel(lk_tx *tx, const char *id, int64_t now);
/* Registers `account_id`: LK_STORE_CONFLICT if already registered,
 * LK_FAC_EFULL when no seat is left, LK_STORE_NOTFOUND when the meeting
 * does not exist or is cancelled. */
int lk_store_meeting_register(lk_tx *tx, const char *meeting_id,
                              const char *account_id, int64_t now);
/* LK_STORE_NOTFOUND if `account_id` is not registered. */
int lk_store_meeting_unregister(lk_tx *tx, const char *meeting_id,
                                const char *account_id, int64_t now);
/* The booking `booking_id` if it belongs to `initiative_id`: its room's
 * name and location into `place`, its times and the room's capacity. */
int lk_store_booking_place_tx(lk_tx *tx, const char *booking_id,
                              const char *initiative_id, char *place,
                              size_t size, int64_t *starts, int64_t *ends,
                              int *capacity);

/* ---- reads ---------------------------------------------------------------
 * Lists take a cursor (the last id of the previous page, "" for the
 * first) and a limit, and return how many they listed. */

int lk_store_room_get(lk_store *s, const char *id, lk_room_row *out);
typedef void (*lk_room_fn)(const lk_room_row *r, void *ud);
int lk_store_room_list(lk_store *s, const char *after, int limit, lk_room_fn fn,
                       void *ud);

int lk_store_pot_get(lk_store *s, const char *id, lk_pot_row *out);
typedef void (*lk_pot_fn)(const lk_pot_row *p, void *ud);
/* Pots of `year` (0: every year), by id. */
int lk_store_pot_list(lk_store *s, int year, const char *after, int limit,
                      lk_pot_fn fn, void *ud);

int lk_store_fac_request_get(lk_store *s, const char *id,
                             lk_fac_request_row *out);
typedef void (*lk_fac_request_fn)(const lk_fac_request_row *r, void *ud);
/* Requests by id; `status` and `initiative_id` filter when not "". */
int lk_store_fac_request_list(lk_store *s, const char *status,
                              const char *initiative_id, const char *after,
                              int limit, lk_fac_request_fn fn, void *ud);
typedef void (*lk_fac_history_fn)(const lk_fac_history_row *h, void *ud);
/* The steps of a request, oldest first, at most `limit`. */
int lk_store_fac_history(lk_store *s, const char *request_id, int limit,
                         lk_fac_history_fn fn, void *ud);

/* What was granted to `initiative_id` (every year). */
int lk_store_fac_totals_initiative(lk_store *s, const char *initiative_id,
                                   lk_fac_totals *out);
typedef void (*lk_fac_area_fn)(const char *neighbourhood_id,
                               const lk_fac_totals *t, void *ud);
/* What was granted in `year`, per neighbourhood (by its id), at most
 * `limit` neighbourhoods. */
int lk_store_fac_totals_year(lk_store *s, int year, int limit,
                             lk_fac_area_fn fn, void *ud);

/* A room booking with its room, as organisers choose one for a meeting;
 * strings live during the callback. */
typedef struct lk_booking_view {
  const char *id;
  const char *room;
  const char *location;
  int capacity;
  int64_t starts_at;
  int64_t ends_at;
} lk_booking_view;
typedef void (*lk_booking_fn)(const lk_booking_view *v, void *ud);
/* The bookings of an initiative ending after `from`, soonest first. */
int lk_store_bookings_of(lk_store *s, const char *initiative_id, int64_t from,
                         int limit, lk_booking_fn fn, void *ud);

int lk_store_meeting_get(lk_store *s, const char *id, lk_meeting_row *out);
typedef void (*lk_meeting_fn)(const lk_meeting_row *m, void *ud);
/* The meetings of an initiative ending after `from`, soonest first. */
int lk_store_meeting_list(lk_store *s, const char *initiative_id, int64_t from,
                          int limit, lk_meeting_fn fn, void *ud);
/* True in *out if `account_id` is registered for the meeting. */
int lk_store_meeting_registered(lk_store *s, const char *meeting_id,
                                const char *account_id, bool *out);
typedef void (*lk_registration_fn)(const char *account_id, int64_t at,
                                   void *ud);
/* The registrations of a meeting by account id, after `after` (""),
 * at most `limit`. */
int lk_store_meeting_registrations(lk_store *s, const char *meeting_id,
                                   const char *after, int limit,
                                   lk_registration_fn fn, void *ud);

/* ---- links to initiatives (migration 0018; facilitation_links.c) --------- */

/* The neighbourhood of initiative `initiative_id` into `neighbourhood`
 * (LK_FAC_REF_MAX + 1 bytes; "" when it has none) if `account_id` is one
 * of its organisers (any account when `account_id` is NULL).
 * LK_STORE_NOTFOUND otherwise. */
int lk_store_fac_initiative_tx(lk_tx *tx, const char *initiative_id,
                               const char *account_id, char *neighbourhood);
/* 0 if `account_id` organises `initiative_id` (whatever its status),
 * else LK_STORE_NOTFOUND. */
int lk_store_fac_organiser_tx(lk_tx *tx, const char *initiative_id,
                              const char *account_id);
/* LK_STORE_NOTFOUND if no neighbourhood has id `id`. */
int lk_store_fac_neighbourhood_tx(lk_tx *tx, const char *id);
/* True in *out if `account_id` organises `initiative_id`. */
int lk_store_fac_is_organiser(lk_store *s, const char *initiative_id,
                              const char *account_id, bool *out);
/* The public title of initiative `id` into `title` (NOTFOUND when it is
 * not public). */
int lk_store_fac_initiative_title(lk_store *s, const char *id, char *title,
                                  size_t size);
/* The name of neighbourhood `id` into `name` ("" stays "" ). */
int lk_store_fac_neighbourhood_name(lk_store *s, const char *id, char *name,
                                    size_t size);
/* The display name of account `id` into `name`. */
int lk_store_fac_account_name(lk_store *s, const char *id, char *name,
                              size_t size);

#endif
