#include "core/text.h"

#include <string.h>

#include "util/utf8.h"

bool lk_text_ok(const char *s, size_t max, bool multiline) {
  size_t len = strlen(s);

  if (len == 0 || len > max || !lk_utf8_valid(s, len))
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == 0x7f)
      return false;
    if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r')))
      return false;
  }
  return true;
}
