/* mail_parse.h - an e-mail as it arrives, taken apart with GMime into
 * what a conversation needs.
 *
 *   - the text: the first text/plain part that is not an attachment, or
 *     else the first text/html part turned into plain text (tags dropped,
 *     scripts and styles with their content, entities decoded; never
 *     rendered as HTML).  Any charset and transfer encoding GMime knows
 *     (utf-8, iso-8859-1, windows-1252, quoted-printable, base64 ...) ends
 *     as UTF-8; bytes that are still not UTF-8 become U+FFFD and control
 *     characters other than newline and tab are dropped, so the text
 *     passes lk_text_ok();
 *   - attachments and inline images (with their bytes, decoded) up to the
 *     limits; what exceeds them is counted in `dropped`, not kept;
 *   - threading: Message-ID, In-Reply-To and References;
 *   - noise: what must not open a conversation nor ever be answered
 *     (Auto-Submitted other than "no", X-Autoreply, X-Autorespond,
 *     Precedence bulk/junk/list, a null Return-Path, multipart/report);
 *     for a delivery status notification that says "failed", the
 *     Message-ID of the message that bounced and the bounce addresses
 *     (VERP) it came to: only those prove it is a bounce of Loket's.
 *
 * lk_mail_parse_init() once before any thread parses.
 */
#ifndef LK_MAIL_PARSE_H
#define LK_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define LK_INMAIL_ID_MAX 255
#define LK_INMAIL_REFS_MAX 20
#define LK_INMAIL_ATTACH_MAX 20
#define LK_INMAIL_TEXT_MAX 65536
#define LK_INMAIL_SUBJECT_MAX 200
#define LK_INMAIL_BOUNCE_MAX 4

typedef struct lk_inmail_part {
  char filename[256];
  char media_type[101];
  unsigned char *data; /* malloc'd */
  size_t len;
} lk_inmail_part;

typedef struct lk_inmail {
  /* Without angle brackets; a message without one gets
   * "sha256-<hex of its bytes>@loket.invalid", so it is still recognised
   * when fetched again. */
  char message_id[LK_INMAIL_ID_MAX + 1];
  char from[255];      /* the sender's address, "" if none */
  char from_name[201]; /* display name, or the address */
  char subject[LK_INMAIL_SUBJECT_MAX + 1];
  char *text; /* malloc'd, never NULL after success */
  /* In-Reply-To first, then References from the newest. */
  char refs[LK_INMAIL_REFS_MAX][LK_INMAIL_ID_MAX + 1];
  int nrefs;
  /* The From: domain is proven by the trusted server's
   * Authentication-Results (see lk_mail_authres_proven). */
  bool from_proven;
  const char *noise; /* NULL, or why it is noise */
  /* A delivery status notification that says "failed": */
  bool dsn_failed;
  char bounced_id[LK_INMAIL_ID_MAX + 1]; /* the returned Message-ID, "" */
  /* the addresses it was delivered to that look like Loket's bounce
   * addresses (core/mail_token.h; not verified here) */
  char bounce_rcpts[LK_INMAIL_BOUNCE_MAX][255];
  int nbounce_rcpts;
  lk_inmail_part parts[LK_INMAIL_ATTACH_MAX];
  int nparts;
  int dropped; /* attachments over the limits */
} lk_inmail;

typedef struct lk_inmail_limits {
  size_t part_max;  /* one attachment; 0: 10 MiB */
  size_t total_max; /* all of them; 0: 25 MiB */
  /* The authserv-id whose Authentication-Results are trusted; NULL or
   * "": none, so from_proven stays false. */
  const char *authserv_id;
} lk_inmail_limits;

void lk_mail_parse_init(void);

/* Parses the `len` bytes of `raw` into `out` (`limits` may be NULL).
 * Returns 0; -1 when it is no message at all (a permanent failure:
 * out->message_id is still set, from a hash of the bytes); or -ENOMEM
 * (temporary: try again later).  Free with lk_inmail_free() either
 * way. */
int lk_mail_parse(const char *raw, size_t len, const lk_inmail_limits *limits,
                  lk_inmail *out);
void lk_inmail_free(lk_inmail *m);

/* Whether the Authentication-Results value `value` (RFC 8601) is from
 * `authserv_id` and proves the From: domain `from_domain`: dmarc=pass
 * (with header.from, if given, aligned), or dkim=pass with header.d
 * aligned, or spf=pass with smtp.mailfrom's domain aligned.  Aligned:
 * the same domain or a parent domain of it (with a dot).  Only the
 * first header of the trusted id counts (lk_mail_parse): the trusted
 * server adds it on top and must remove any others claiming its id. */
bool lk_mail_authres_proven(const char *value, const char *authserv_id,
                            const char *from_domain);

/* Appends `html` as plain text to `out` (exposed for tests). */
void lk_mail_html_text(const char *html, lk_buf *out);
/* Appends `s` (`len` bytes) cleaned as described above to `out`: CRLF as
 * LF, invalid UTF-8 as U+FFFD, no controls but LF and TAB (with
 * `multiline`; else those become spaces), at most `max` bytes, trailing
 * white space trimmed. */
void lk_mail_clean_text(const char *s, size_t len, bool multiline, size_t max,
                        lk_buf *out);

#endif
