#include "util/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

void lk_buf_init(lk_buf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->oom = false;
}

void lk_buf_free(lk_buf *b) {
  free(b->data);
  lk_buf_init(b);
}

void lk_buf_reset(lk_buf *b) {
  b->len = 0;
  b->oom = false;
  if (b->data != NULL)
    b->data[0] = '\0';
}

char *lk_buf_steal(lk_buf *b) {
  char *s;

  if (b->oom) {
    lk_buf_free(b);
    return NULL;
  }
  if (lk_buf_reserve(b, 0) != 0) {
    lk_buf_free(b);
    return NULL;
  }
  s = b->data;
  lk_buf_init(b);
  return s;
}

bool lk_buf_ok(const lk_buf *b) {
  return !b->oom;
}

int lk_buf_reserve(lk_buf *b, size_t extra) {
  size_t need;
  size_t cap;
  char *p;

  if (b->oom)
    return -ENOMEM;
  if (extra > SIZE_MAX / 2 - b->len - 1) {
    b->oom = true;
    return -ENOMEM;
  }
  need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  p = realloc(b->data, cap);
  if (p == NULL) {
    b->oom = true;
    return -ENOMEM;
  }
  if (b->data == NULL)
    p[0] = '\0';
  b->data = p;
  b->cap = cap;
  return 0;
}

void lk_buf_append(lk_buf *b, const void *data, size_t len) {
  if (lk_buf_reserve(b, len) != 0)
    return;
  if (len > 0)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void lk_buf_puts(lk_buf *b, const char *s) {
  lk_buf_append(b, s, strlen(s));
}

void lk_buf_putc(lk_buf *b, char c) {
  lk_buf_append(b, &c, 1);
}

void lk_buf_vprintf(lk_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  int n;

  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) {
    b->oom = true;
    return;
  }
  if (lk_buf_reserve(b, (size_t)n) != 0)
    return;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void lk_buf_printf(lk_buf *b, const char *fmt, ...) {
  va_list ap;

  va_start(ap, fmt);
  lk_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

size_t lk_buf_put_utf8(lk_buf *b, const unsigned char *p, const char *bad) {
  size_t n = lk_utf8_valid_prefix(p);

  if (n == 0) {
    lk_buf_puts(b, bad);
    return 1;
  }
  lk_buf_append(b, p, n);
  return n;
}

void lk_buf_json_str(lk_buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;

  lk_buf_putc(b, '"');
  while (*p != '\0') {
    if (*p >= 0x80) {
      p += lk_buf_put_utf8(b, p, "\\ufffd");
      continue;
    }
    switch (*p) {
    case '"':
      lk_buf_puts(b, "\\\"");
      break;
    case '\\':
      lk_buf_puts(b, "\\\\");
      break;
    case '\n':
      lk_buf_puts(b, "\\n");
      break;
    case '\r':
      lk_buf_puts(b, "\\r");
      break;
    case '\t':
      lk_buf_puts(b, "\\t");
      break;
    default:
      if (*p < 0x20 || *p == 0x7f) {
        char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
        lk_buf_append(b, esc, sizeof(esc));
      } else {
        lk_buf_putc(b, (char)*p);
      }
    }
    p++;
  }
  lk_buf_putc(b, '"');
}

void lk_buf_json_ms(lk_buf *b, const char *key, int64_t ms) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (ms > 0)
    lk_buf_printf(b, "%lld", (long long)ms);
  else
    lk_buf_puts(b, "null");
}
