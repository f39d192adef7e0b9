#include "core/ics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ICS_FOLD 75 /* octets per line, CR LF not counted */

/* Appends `s` folded: a line break before the octet that would make the
 * line longer than 75, never inside a UTF-8 sequence; a continuation
 * line starts with a space, which counts towards its 75.  `col` is the
 * octets already on the current line. */
static void fold(lk_buf *b, const char *s, size_t len, size_t *col) {
  size_t i = 0;

  while (i < len) {
    size_t n = 1;
    unsigned char c = (unsigned char)s[i];

    if (c >= 0xF0)
      n = 4;
    else if (c >= 0xE0)
      n = 3;
    else if (c >= 0xC0)
      n = 2;
    if (i + n > len)
      n = len - i;
    if (*col + n > ICS_FOLD) {
      lk_buf_puts(b, "\r\n ");
      *col = 1;
    }
    lk_buf_append(b, s + i, n);
    *col += n;
    i += n;
  }
}

void lk_ics_line(lk_buf *b, const char *name, const char *value, bool text) {
  lk_buf esc = LK_BUF_INIT;
  size_t col = 0;

  if (text) {
    for (const char *p = value; *p != '\0'; p++) {
      switch (*p) {
      case '\\':
        lk_buf_puts(&esc, "\\\\");
        break;
      case ';':
        lk_buf_puts(&esc, "\\;");
        break;
      case ',':
        lk_buf_puts(&esc, "\\,");
        break;
      case '\n':
        lk_buf_puts(&esc, "\\n");
        break;
      case '\r':
        break;
      default:
        lk_buf_putc(&esc, *p);
      }
    }
    value = esc.data != NULL ? esc.data : "";
  }
  fold(b, name, strlen(name), &col);
  fold(b, ":", 1, &col);
  fold(b, value, strlen(value), &col);
  lk_buf_puts(b, "\r\n");
  lk_buf_free(&esc);
}

/* A UTC DATE-TIME: 20261128T201500Z. */
static void utc(char out[17], int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void lk_ics_meeting(lk_buf *b, const lk_meeting_row *m, const char *url) {
  char uid[LK_FAC_ID_LEN + 8];
  char when[17];
  char seq[16];

  lk_buf_puts(b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                 "PRODID:-//Loket//Bijeenkomsten//NL\r\n"
                 "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n");
  snprintf(uid, sizeof(uid), "%s@loket", m->id);
  lk_ics_line(b, "UID", uid, false);
  utc(when, m->updated_at);
  lk_ics_line(b, "DTSTAMP", when, false);
  utc(when, m->starts_at);
  lk_ics_line(b, "DTSTART", when, false);
  utc(when, m->ends_at);
  lk_ics_line(b, "DTEND", when, false);
  snprintf(seq, sizeof(seq), "%d", m->sequence);
  lk_ics_line(b, "SEQUENCE", seq, false);
  lk_ics_line(b, "SUMMARY", m->title, true);
  if (m->description[0] != '\0')
    lk_ics_line(b, "DESCRIPTION", m->description, true);
  if (m->place[0] != '\0')
    lk_ics_line(b, "LOCATION", m->place, true);
  if (url != NULL && url[0] != '\0')
    lk_ics_line(b, "URL", url, false);
  lk_ics_line(b, "STATUS", m->cancelled_at != 0 ? "CANCELLED" : "CONFIRMED",
              false);
  lk_buf_puts(b, "END:VEVENT\r\nEND:VCALENDAR\r\n");
}
