/* notice.h - Actueel notices: validation of what staff publish.
 *
 * A notice has a kind (a row of notice_kinds), a title, a body, a
 * severity, an affected area and the postcodes it covers.  These checks
 * are pure: no I/O, so the HTTP layer and the CLI share them and unit
 * tests cover them without a store.
 */
#ifndef LK_NOTICE_H
#define LK_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */

#define LK_NOTICE_TITLE_MAX 200
#define LK_NOTICE_BODY_MAX 20000
#define LK_NOTICE_UPDATE_MAX 1000
#define LK_NOTICE_RADIUS_MAX 100000 /* metres */
#define LK_NOTICE_POLYGON_MIN 3
#define LK_NOTICE_POLYGON_MAX 500
#define LK_NOTICE_POSTCODES_MAX 200
/* Space-separated PC6 codes: 7 bytes each at most. */
#define LK_NOTICE_POSTCODES_LEN (LK_NOTICE_POSTCODES_MAX * 7)

/* True if `s` is one of the four severities, mildest first:
 * "informatie", "waarschuwing", "ernstig", "zeer-ernstig". */
bool lk_notice_severity_ok(const char *s);

/* Checks an area given as JSON text: {"type":"circle","center":[lon,lat],
 * "radius":1..100000} or {"type":"polygon","coordinates":[[lon,lat],...]}
 * with 3..500 points, every lon in -180..180 and lat in -90..90.  Returns
 * 0 or LK_EINVALID with `why` (field "/area..."). */
int lk_notice_area_check(const char *json, lk_invalid *why);

/* Normalises a list of postcodes (PC4 "1234" or PC6 "1234AB", letters of
 * either case, an optional space inside a PC6) given as `n` strings into
 * `out`: upper case, no inner space, separated by single spaces.  Returns
 * 0 or LK_EINVALID (field "/postcodes"). */
int lk_notice_postcodes(const char *const *codes, size_t n, char *out,
                        size_t size, lk_invalid *why);

/* True if a notice may move from status `from` to `to` by a PATCH:
 * published -> ended, and draft, awaiting-approval or published ->
 * withdrawn.  Publication itself goes through create or approve. */
bool lk_notice_transition_ok(const char *from, const char *to);

/* Checks title (1..200 bytes, one line) and body (0..20,000 bytes, lines
 * allowed).  Either may be NULL to skip it.  Returns 0 or LK_EINVALID. */
int lk_notice_text_check(const char *title, const char *body, lk_invalid *why);

/* Checks an update's body: 1..1,000 bytes, lines allowed. */
int lk_notice_update_check(const char *body, lk_invalid *why);

/* Checks that the expected end, when both are given (> 0), is not before
 * the start. */
int lk_notice_times_check(long long starts_at, long long expected_end_at,
                          lk_invalid *why);

#endif
