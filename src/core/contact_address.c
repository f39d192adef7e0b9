/* contact_address.c - normalised keys of e-mail addresses and phone
 * numbers for identity linking; the rule is in contact_address.h. */
#include "core/contact_address.h"

#include <stdbool.h>
#include <string.h>

#include "util/utf8.h"

static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Copies `s` without surrounding spaces and tabs, lower-cased, into `out`.
 * Returns its length, or -1 if it does not fit or holds a control
 * character. */
static int trimmed_lower(const char *s, char *out, size_t size) {
  size_t len;

  while (*s == ' ' || *s == '\t')
    s++;
  len = strlen(s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  if (len == 0 || len >= size || len > LK_ADDRESS_MAX || !lk_utf8_valid(s, len))
    return -1;
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
      return -1;
    out[i] = lower(s[i]);
  }
  out[len] = '\0';
  return (int)len;
}

static int email_key(const char *address, char *out, size_t size) {
  const char *at;
  int len = trimmed_lower(address, out, size);

  if (len < 0)
    return -1;
  at = strchr(out, '@');
  if (at == NULL || at == out || strchr(at + 1, '@') != NULL ||
      strchr(at + 1, '.') == NULL || at[1] == '.' || out[len - 1] == '.' ||
      strpbrk(out, " \t") != NULL)
    return -1;
  return 0;
}

static int phone_key(const char *address, char *out, size_t size) {
  char digits[32];
  size_t n = 0;
  const char *p = address;
  bool plus = false;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '+') {
    plus = true;
    p++;
  }
  for (; *p != '\0'; p++) {
    if (*p >= '0' && *p <= '9') {
      if (n + 1 >= sizeof(digits))
        return -1;
      digits[n++] = *p;
    } else if (*p == '(' && p[1] == '0' && p[2] == ')' && plus) {
      p += 2; /* "+31 (0)6": the trunk 0 is not dialled from abroad */
    } else if (strchr(" \t-./()", *p) == NULL) {
      return -1;
    }
  }
  digits[n] = '\0';
  if (n == 0)
    return -1;
  out[0] = '\0';
  if (plus) {
    if (digits[0] == '0')
      return -1;
    if (n + 3 > size)
      return -1;
    memcpy(out, "00", 2);
    memcpy(out + 2, digits, n + 1);
  } else if (digits[0] == '0' && digits[1] == '0') {
    if (n + 1 > size)
      return -1;
    memcpy(out, digits, n + 1);
  } else if (digits[0] == '0') {
    /* A national number: Loket serves Dutch municipalities. */
    if (n + 4 > size)
      return -1;
    memcpy(out, "0031", 4);
    memcpy(out + 4, digits + 1, n);
  } else {
    return -1;
  }
  n = strlen(out);
  if (n < 10 || n > 17 || out[2] == '0') {
    out[0] = '\0';
    return -1;
  }
  return 0;
}

int lk_address_key(const char *kind, const char *address, char *out,
                   size_t size) {
  int rc = -1;

  if (size == 0)
    return -1;
  out[0] = '\0';
  if (address == NULL || kind == NULL)
    return -1;
  if (strcmp(kind, "email") == 0)
    rc = email_key(address, out, size);
  else if (strcmp(kind, "telefoonnummer") == 0)
    rc = phone_key(address, out, size);
  else if (strcmp(kind, "overig") == 0)
    rc = trimmed_lower(address, out, size) < 0 ? -1 : 0;
  if (rc != 0)
    out[0] = '\0';
  return rc;
}
