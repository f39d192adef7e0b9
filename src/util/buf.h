/* buf.h - growable byte buffer, always NUL-terminated.
 *
 * The one way Loket builds strings: no sprintf, strcpy or strcat.  A buffer
 * that failed to grow stays valid and remembers the failure in `oom`; callers
 * append freely and check once at the end with lk_buf_ok().
 */
#ifndef LK_BUF_H
#define LK_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lk_buf {
  char *data; /* NUL-terminated; NULL until the first append */
  size_t len;
  size_t cap;
  bool oom;
} lk_buf;

#define LK_BUF_INIT                                                            \
  { NULL, 0, 0, false }

void lk_buf_init(lk_buf *b);
/* Frees the contents; the buffer may be reused after lk_buf_init(). */
void lk_buf_free(lk_buf *b);
/* Empties the buffer, keeping its memory. */
void lk_buf_reset(lk_buf *b);
/* Hands the string to the caller (who frees it) and empties the buffer.
 * Returns NULL if any append failed; the buffer is then freed. */
char *lk_buf_steal(lk_buf *b);
bool lk_buf_ok(const lk_buf *b);
/* Ensures room for `extra` more bytes. Returns 0 or -ENOMEM. */
int lk_buf_reserve(lk_buf *b, size_t extra);

void lk_buf_append(lk_buf *b, const void *data, size_t len);
void lk_buf_puts(lk_buf *b, const char *s);
void lk_buf_putc(lk_buf *b, char c);
void lk_buf_printf(lk_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void lk_buf_vprintf(lk_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends the UTF-8 sequence that starts at `p`, or `bad` if the bytes
 * there are not valid UTF-8.  Returns how many bytes of `p` it consumed
 * (at least 1).  `p` must be NUL-terminated. */
size_t lk_buf_put_utf8(lk_buf *b, const unsigned char *p, const char *bad);
/* Appends `s` as a JSON string literal, quotes included. Invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
void lk_buf_json_str(lk_buf *b, const char *s);
/* Appends the member ,"key":ms of a JSON object, or ,"key":null when
 * `ms` <= 0 (a time that is not set).  `key` is not escaped. */
void lk_buf_json_ms(lk_buf *b, const char *key, int64_t ms);

#endif
