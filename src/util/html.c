#include "util/html.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static void escape(lk_buf *b, const char *s, bool attr) {
  const unsigned char *p = (const unsigned char *)s;

  while (*p != '\0') {
    if (*p >= 0x80) {
      p += lk_buf_put_utf8(b, p, "\xef\xbf\xbd");
      continue;
    }
    switch (*p) {
    case '&':
      lk_buf_puts(b, "&amp;");
      break;
    case '<':
      lk_buf_puts(b, "&lt;");
      break;
    case '>':
      lk_buf_puts(b, "&gt;");
      break;
    case '"':
      lk_buf_puts(b, "&quot;");
      break;
    case '\'':
      lk_buf_puts(b, "&#39;");
      break;
    case '`':
      lk_buf_puts(b, attr ? "&#96;" : "`");
      break;
    case '=':
      lk_buf_puts(b, attr ? "&#61;" : "=");
      break;
    default:
      /* Control characters other than tab and newline have no place in a
       * page and can confuse parsers. */
      if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
        lk_buf_puts(b, "\xef\xbf\xbd");
      else
        lk_buf_putc(b, (char)*p);
    }
    p++;
  }
}

void lk_html_txt(lk_buf *b, const char *s) {
  escape(b, s, false);
}

void lk_html_attr(lk_buf *b, const char *s) {
  escape(b, s, true);
}

static bool url_allowed(const char *s) {
  static const char *schemes[] = {"http:", "https:", "mailto:", "tel:"};
  const char *colon;
  const char *p;

  /* Browsers ignore leading spaces and control characters and strip tabs
   * and newlines inside the scheme; refuse anything that plays such games. */
  for (p = s; *p != '\0'; p++) {
    if ((unsigned char)*p <= 0x20 || *p == 0x7f)
      return false;
  }
  colon = strchr(s, ':');
  if (colon == NULL)
    return true;
  /* A colon after the first '/', '?' or '#' is not a scheme separator. */
  p = strpbrk(s, "/?#");
  if (p != NULL && p < colon)
    return true;
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
    if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
      return true;
  }
  return false;
}

void lk_html_url(lk_buf *b, const char *s) {
  if (url_allowed(s))
    escape(b, s, true);
  else
    lk_buf_putc(b, '#');
}
