/* mastodon.h - the municipality's Mastodon account: notice publications
 * and updates cross-posted as statuses.
 *
 * The notice writes queue a message of kind "mastodon" in the outbox
 * (lk_notice_crosspost, core/notice.h); this channel is its sender.  It
 * posts POST {url}/api/v1/statuses with the account's access token, the
 * outbox key as Idempotency-Key (Mastodon then makes one status however
 * often the same key is sent) and bounded time-outs, on the outbox's
 * worker thread.  The token is read from a file at start and never
 * written anywhere: not to the log, not into an error, not to the API.
 * See docs/notices.md, "Cross-posting to Mastodon".
 */
#ifndef LK_CHANNELS_MASTODON_H
#define LK_CHANNELS_MASTODON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/outbox.h"
#include "store/store.h"
#include "util/buf.h"

#define LK_MASTODON_STATUS_MAX 500 /* characters, Mastodon's default */
#define LK_MASTODON_URL_MAX 200
/* The longest wait between two attempts of one status: Mastodon keeps an
 * Idempotency-Key for an hour, and 45 min plus the outbox's quarter of
 * jitter (56 min) is still inside it. */
#define LK_MASTODON_BACKOFF_MAX_MS (45 * 60 * 1000LL)

typedef struct lk_mastodon_config {
  lk_store *store;         /* the notices, read when a status is sent */
  const char *url;         /* the server, e.g. https://social.overheid.nl */
  const char *token_file;  /* holds the access token (write:statuses) */
  const char *visibility;  /* "public" (NULL) or "unlisted" */
  const char *public_url;  /* Loket's public base URL, for the link */
  long connect_timeout_ms; /* 0: 10 s */
  long timeout_ms;         /* the whole request; 0: 30 s */
} lk_mastodon_config;

typedef struct lk_mastodon lk_mastodon;

/* Checks `cfg`, reads the token and registers the sender "mastodon" with
 * `ob` (which must outlive it).  Returns 0, or -1 with a reason (that never
 * quotes the token) in `err`. */
int lk_mastodon_new(const lk_mastodon_config *cfg, lk_outbox *ob,
                    lk_mastodon **out, char *err, size_t err_len);
/* Call after lk_outbox_stop().  Safe with NULL. */
void lk_mastodon_free(lk_mastodon *m);

/* lk_outbox_send_fn (ud: the lk_mastodon). */
lk_outbox_result lk_mastodon_send(void *ud, const char *key,
                                  const char *payload, char *detail,
                                  size_t detail_len);

/* How long to wait before the next attempt, in ms, from a Retry-After
 * (seconds or an HTTP date) and an X-RateLimit-Reset (ISO 8601, when
 * Mastodon's limit resets), either may be NULL: the longer of the two;
 * 0 when neither says. */
int64_t lk_mastodon_wait_ms(const char *retry_after, const char *reset,
                            int64_t now_ms);

/* The status of a notice or update into `out`: the title, a blank line
 * and the text, cut at a character boundary with "…" where needed so that
 * with a blank line and `link` (may be NULL) after it the whole has at
 * most LK_MASTODON_STATUS_MAX characters.  Returns 0, or -1 if `link`
 * alone leaves no room. */
int lk_mastodon_status_text(lk_buf *out, const char *title, const char *text,
                            const char *link);

#endif
