/* calendar.h - business hours: when the contact centre is open.
 *
 * A calendar is opening hours per weekday (up to LK_CAL_SLOTS intervals a
 * day, in minutes after local midnight), the Dutch public holidays of
 * every year, and extra closed days.  All of it is Dutch civil time
 * (Europe/Amsterdam, util/clock.h), whatever the server's TZ.
 *
 * Holidays, computed per year: Nieuwjaarsdag (1 January), Goede Vrijdag
 * (only when `good_friday_closed`), Eerste en Tweede Paasdag, Koningsdag
 * (27 April, 26 April when the 27th is a Sunday), Bevrijdingsdag (5 May:
 * every year, or with `liberation_lustrum_only` only when the year is a
 * multiple of 5), Hemelvaartsdag (Easter + 39), Eerste en Tweede
 * Pinksterdag (Easter + 49, + 50), Eerste en Tweede Kerstdag.  Easter is
 * the Gregorian computus.
 *
 * Durations are in milliseconds.  A calendar with no opening hours at all
 * is valid: adding business time to it gives LK_CAL_NEVER.
 */
#ifndef LK_CALENDAR_H
#define LK_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/buf.h"

#define LK_CAL_SLOTS 4
#define LK_CAL_EXTRA_MAX 64
/* What lk_cal_add() gives when no open time follows within 10 years. */
#define LK_CAL_NEVER INT64_MAX

typedef struct lk_cal_slot {
  int open;  /* minutes after local midnight, 0-1439 */
  int close; /* after `open`, at most 1440 */
} lk_cal_slot;

typedef struct lk_calendar {
  lk_cal_slot week[7][LK_CAL_SLOTS]; /* 0 = Monday .. 6 = Sunday */
  int nslots[7];
  bool good_friday_closed;
  bool liberation_lustrum_only;
  int nextra;
  int32_t extra[LK_CAL_EXTRA_MAX]; /* closed days as yyyymmdd, sorted */
} lk_calendar;

/* Monday to Friday 08:00-17:00, Goede Vrijdag open, Bevrijdingsdag
 * closed every year, no extra closed days. */
void lk_cal_default(lk_calendar *c);

/* Easter Sunday of year `y` (Gregorian): *m 3 or 4, *d the day. */
void lk_cal_easter(int y, int *m, int *d);
/* True if y-m-d is a public holiday under `c` (extra closed days not
 * included); *name (may be NULL) gets its Dutch name. */
bool lk_cal_holiday(const lk_calendar *c, int y, int m, int d,
                    const char **name);
/* True if y-m-d is closed all day: a holiday, an extra closed day, or a
 * weekday without opening hours. */
bool lk_cal_closed_day(const lk_calendar *c, int y, int m, int d);
/* True if the centre is open at instant `ms`. */
bool lk_cal_open_at(const lk_calendar *c, int64_t ms);

/* The instant `business_ms` of open time after `from` (`from` itself when
 * `business_ms` <= 0).  An amount that ends exactly at a closing time
 * gives that closing time.  LK_CAL_NEVER when the calendar has no open
 * time within 10 years. */
int64_t lk_cal_add(const lk_calendar *c, int64_t from, int64_t business_ms);
/* Open time between `a` and `b`, in milliseconds; negative when b < a. */
int64_t lk_cal_between(const lk_calendar *c, int64_t a, int64_t b);

/* Reads a calendar from a JSON object:
 *   {"hours": {"mon": ["08:00-12:30", "13:00-17:00"], ..., "sun": []},
 *    "goodFridayClosed": false, "liberationDay": "yearly"|"lustrum",
 *    "closedDays": ["2026-12-24", ...]}
 * Missing members keep what `c` holds.  Returns 0, or LK_CAL_EINVALID with
 * a JSON Pointer (relative to the object) and a reason in `field` and
 * `reason` (static strings). */
#define LK_CAL_EINVALID (-2401)
int lk_cal_from_json(lk_calendar *c, const json_t *obj, const char **field,
                     const char **reason);
/* Appends the calendar as the JSON object lk_cal_from_json() reads. */
void lk_cal_json(lk_buf *b, const lk_calendar *c);

#endif
