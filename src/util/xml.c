/* xml.c - XML-safe text. */
#include "util/xml.h"

#include <stdint.h>

#define REPLACEMENT "\xef\xbf\xbd"

/* Length of the valid UTF-8 sequence at `s` (its code point in *cp), or 0
 * when it is invalid (overlong, surrogate, beyond U+10FFFF, cut short). */
static int utf8_seq(const unsigned char *s, uint32_t *cp) {
  uint32_t c = s[0];
  int n;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, c &= 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, c &= 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, c &= 0x07;
  else
    return 0;
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3f);
  }
  if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
      (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

void lk_xml_txt(lk_buf *b, const char *s) {
  const unsigned char *p = (const unsigned char *)s;

  while (*p != '\0') {
    uint32_t cp;
    int n = utf8_seq(p, &cp);

    if (n == 0) {
      lk_buf_puts(b, REPLACEMENT);
      p++;
      continue;
    }
    switch (cp) {
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
      lk_buf_puts(b, "&apos;");
      break;
    default:
      if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
          cp == 0xfffe || cp == 0xffff)
        break;
      lk_buf_append(b, p, (size_t)n);
    }
    p += n;
  }
}
