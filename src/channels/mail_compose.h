/* mail_compose.h - one RFC 5322 message from plain parts.
 *
 * The result is ready for SMTP DATA: CRLF line endings, header lines
 * within 78 characters where the content allows, Subject and display
 * names as RFC 2047 encoded words when they are not plain ASCII, the text
 * as text/plain; charset=utf-8 in quoted-printable (7-bit clean, lines
 * within 76), and an optional text/html alternative the same way.  No
 * value may carry CR or LF: what a resident typed can never add a header.
 */
#ifndef LK_MAIL_COMPOSE_H
#define LK_MAIL_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LK_MAIL_MESSAGE_ID_MAX 128

typedef struct lk_mail_header {
  const char *name;  /* e.g. "List-Unsubscribe"; letters, digits, '-' */
  const char *value; /* ASCII, no CR or LF */
} lk_mail_header;

/* A file sent along: base64 in a multipart/mixed message, its name as
 * RFC 2231 UTF-8 with an ASCII fallback. */
typedef struct lk_mail_attachment {
  const char *filename;   /* UTF-8 */
  const char *media_type; /* type/subtype; anything else is sent as
                             application/octet-stream */
  const unsigned char *data;
  size_t len;
} lk_mail_attachment;

typedef struct lk_mail {
  const char *from_name;         /* display name (UTF-8), or NULL */
  const char *from;              /* address: local@domain */
  const char *to;                /* address */
  const char *subject;           /* UTF-8, one line */
  const char *text;              /* UTF-8; LF or CRLF line ends */
  const char *html;              /* UTF-8 HTML (already escaped), or NULL */
  int64_t date_ms;               /* Date: (Unix ms) */
  const lk_mail_header *headers; /* extra headers, or NULL */
  size_t nheaders;
  /* The Message-ID without brackets (an addr-spec of printable ASCII), or
   * NULL: one is made of a UUID and the From domain. */
  const char *message_id;
  const lk_mail_attachment *attachments; /* or NULL */
  size_t nattachments;
  /* The envelope sender (where bounces go), or NULL for `from`. */
  const char *return_path;
} lk_mail;

/* Appends the message to `out` and its Message-ID (with the angle
 * brackets, made of a UUID and the From domain) to `message_id`.
 * Returns 0, or -1 if an address or a value is not acceptable (nothing
 * useful is then in `out`). */
int lk_mail_compose(const lk_mail *m, lk_buf *out,
                    char message_id[LK_MAIL_MESSAGE_ID_MAX]);

/* Appends `s` as a header value that is safe to send: itself when it is
 * printable ASCII without "=?", otherwise RFC 2047 "B" encoded words of
 * UTF-8, folded with CRLF SP.  `used` is how many characters of the
 * current line the header name took. */
void lk_mail_header_text(lk_buf *b, const char *s, size_t used);

/* Appends `s` (UTF-8 text) in quoted-printable with CRLF line ends. */
void lk_mail_qp(lk_buf *b, const char *s);

/* True if `addr` is an addr-spec Loket is willing to send to or from:
 * printable ASCII without spaces, quotes, angle brackets, commas or
 * semicolons; one '@' with a non-empty local part and domain. */
int lk_mail_address_ok(const char *addr);

#endif
