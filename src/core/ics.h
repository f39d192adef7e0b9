/* ics.h - iCalendar (RFC 5545) files of meetings.
 *
 * A meeting becomes a VCALENDAR with one VEVENT: UID (the meeting's id
 * at "loket"), DTSTAMP (its last change), DTSTART and DTEND in UTC,
 * SEQUENCE, SUMMARY, DESCRIPTION, LOCATION, URL and STATUS (CANCELLED
 * once cancelled, so calendars that imported it drop it).  Text values
 * are escaped (backslash, semicolon, comma, newline: section 3.3.11) and
 * every content line is folded at 75 octets without splitting a UTF-8
 * character (section 3.1); lines end in CR LF.
 */
#ifndef LK_ICS_H
#define LK_ICS_H

#include "store/facilitation.h"
#include "util/buf.h"

/* Appends one content line "name:value" to `b`, escaping `value` when
 * `text` and folding it. */
void lk_ics_line(lk_buf *b, const char *name, const char *value, bool text);

/* Appends the calendar of meeting `m`; `url` (may be NULL) is its public
 * page. */
void lk_ics_meeting(lk_buf *b, const lk_meeting_row *m, const char *url);

#endif
