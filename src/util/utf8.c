#include "util/utf8.h"

static size_t seq_len(const unsigned char *p, size_t avail) {
  unsigned c = p[0];
  size_t n;
  unsigned min;
  unsigned cp;

  if (c < 0x80)
    return c == 0 ? 0 : 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    min = 0x80;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    min = 0x800;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    min = 0x10000;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (avail < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

size_t lk_utf8_valid_prefix(const unsigned char *p) {
  size_t avail = 0;

  while (avail < 4 && p[avail] != 0)
    avail++;
  return seq_len(p, avail);
}

bool lk_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  size_t n;

  while (i < len) {
    n = seq_len(p + i, len - i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}
