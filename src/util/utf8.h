/* utf8.h - strict UTF-8 checks (RFC 3629: no overlongs, no surrogates). */
#ifndef LK_UTF8_H
#define LK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence that starts at `p` (1-4), or 0 if the
 * bytes there are not a valid sequence.  `p` must be NUL-terminated. */
size_t lk_utf8_valid_prefix(const unsigned char *p);
/* True if the `len` bytes at `s` are valid UTF-8 without NUL bytes. */
bool lk_utf8_valid(const char *s, size_t len);

#endif
