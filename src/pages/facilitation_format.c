/* facilitation_format.c - Dutch dates, times and amounts on the
 * facilitation pages, and reading them back from forms. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pages/facilitation.h"
#include "util/clock.h"

static const char *const weekdays[] = {"zondag",   "maandag",   "dinsdag",
                                       "woensdag", "donderdag", "vrijdag",
                                       "zaterdag"};
static const char *const months[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

void lk_fac_date_nl(lk_buf *b, int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  lk_buf_printf(b, "%s %d %s %d", weekdays[tm.tm_wday % 7], tm.tm_mday,
                months[tm.tm_mon % 12], tm.tm_year + 1900);
}

void lk_fac_time_nl(lk_buf *b, int64_t ms) {
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  lk_buf_printf(b, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void lk_fac_span_nl(lk_buf *b, int64_t starts, int64_t ends) {
  struct tm a, z;

  lk_clock_nl_local(starts, &a);
  lk_clock_nl_local(ends, &z);
  lk_fac_date_nl(b, starts);
  lk_buf_puts(b, ", ");
  lk_fac_time_nl(b, starts);
  lk_buf_puts(b, " tot ");
  if (a.tm_year != z.tm_year || a.tm_yday != z.tm_yday ||
      a.tm_mon != z.tm_mon || a.tm_mday != z.tm_mday) {
    lk_fac_date_nl(b, ends);
    lk_buf_puts(b, ", ");
  }
  lk_fac_time_nl(b, ends);
}

void lk_fac_euro(lk_buf *b, int64_t cents) {
  char digits[32];
  int64_t euros = (cents < 0 ? -cents : cents) / 100;
  size_t n;

  snprintf(digits, sizeof(digits), "%lld", (long long)euros);
  n = strlen(digits);
  lk_buf_puts(b, cents < 0 ? "- € " : "€ ");
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      lk_buf_putc(b, '.');
    lk_buf_putc(b, digits[i]);
  }
  lk_buf_printf(b, ",%02lld", (long long)((cents < 0 ? -cents : cents) % 100));
}

static int digits(const char *s, size_t n, int *out) {
  int v = 0;

  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int lk_fac_parse_when(const char *date, const char *time, int64_t *ms) {
  int y, m, d, hh, mm;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  if (strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
      strlen(time) != 5 || time[2] != ':')
    return -1;
  if (digits(date, 4, &y) != 0 || digits(date + 5, 2, &m) != 0 ||
      digits(date + 8, 2, &d) != 0 || digits(time, 2, &hh) != 0 ||
      digits(time + 3, 2, &mm) != 0)
    return -1;
  if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
      hh > 24 || mm > 59 || (hh == 24 && mm != 0))
    return -1;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return -1;
  *ms = lk_clock_nl_instant(y, m, d, hh * 60 + mm);
  return 0;
}

int lk_fac_parse_euro(const char *s, int64_t *cents) {
  int64_t whole = 0;
  int frac = 0, nfrac = -1, ndigits = 0;
  size_t len = strlen(s);
  const char *dec = NULL;

  /* The last ',' or '.' followed by one or two digits is the decimal
   * mark; other dots group thousands. */
  for (size_t i = len; i > 0; i--) {
    if (s[i - 1] == ',' || s[i - 1] == '.') {
      if (len - i >= 1 && len - i <= 2)
        dec = s + i - 1;
      break;
    }
  }
  for (const char *p = s; *p != '\0'; p++) {
    if (p == dec) {
      nfrac = 0;
      continue;
    }
    if (nfrac >= 0) {
      if (*p < '0' || *p > '9')
        return -1;
      frac = frac * 10 + (*p - '0');
      nfrac++;
      continue;
    }
    if (*p == '.' && ndigits > 0)
      continue;
    if (*p < '0' || *p > '9' || ndigits >= 10)
      return -1;
    whole = whole * 10 + (*p - '0');
    ndigits++;
  }
  if (ndigits == 0 || whole > 1000000000)
    return -1;
  if (nfrac == 1)
    frac *= 10;
  *cents = whole * 100 + frac;
  return 0;
}

int lk_fac_parse_int(const char *s, int max, int *out) {
  size_t n = strlen(s);
  int v;

  if (n == 0 || n > 9 || digits(s, n, &v) != 0 || v > max)
    return -1;
  *out = v;
  return 0;
}
