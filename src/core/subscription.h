/* subscription.h - residents subscribe by postcode to Actueel notices.
 *
 * A subscription is an e-mail address and a postcode (PC4 "1234" or PC6
 * "1234AB").  It starts pending; the link in its confirmation mail leads
 * to a page whose POST confirms it; every notice mail carries a one-click
 * unsubscribe link (RFC 8058).  When a notice is first published, the
 * same write transaction queues one outbox message (kind
 * LK_SUB_OUTBOX_KIND) per confirmed subscriber it touches.
 *
 * Tokens.  The confirmation and unsubscribe tokens of a subscription are
 * "lks_" and 192 bits in base64url, derived with keyed BLAKE2b from a
 * 256-bit key kept in a file in the data directory, the purpose and the
 * subscription id.  The database keeps only their BLAKE2b digests, like
 * API tokens: a copy of it yields no working link, while the mail sender
 * can still put the right link in every later mail without storing the
 * token anywhere.
 */
#ifndef LK_SUBSCRIPTION_H
#define LK_SUBSCRIPTION_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/subscriptions.h"
#include "util/keyfile.h"

#define LK_SUB_OUTBOX_KIND "subscription-mail"
#define LK_SUB_KEY_LEN 32
#define LK_SUB_TOKEN_MAX 40 /* "lks_" + 32 base64url characters + NUL */
/* A confirmation link works this long after its mail was queued. */
#define LK_SUB_CONFIRM_TTL_MS (7LL * 24 * 3600 * 1000)
#define LK_SUB_ACTOR "public:actueel"

typedef struct lk_sub_key {
  unsigned char k[LK_SUB_KEY_LEN];
} lk_sub_key;

/* The key file exists but is not 32 bytes (empty, cut short, or not
 * ours): refused rather than replaced, as links in sent mails use it. */
#define LK_SUB_KEY_BAD LK_KEYFILE_BAD

/* Reads the key from `dir`/subscriptions.key, creating it (mode 0600,
 * random) when missing: written to a temporary file, synced and linked
 * into place, so processes starting together on a fresh directory all
 * read the one key and a crash never leaves a partial file.  Returns 0,
 * LK_SUB_KEY_BAD, or another negative errno. */
int lk_sub_key_load(const char *dir, lk_sub_key *out);

/* The token of `purpose` ("bevestigen" or "afmelden") for subscription
 * `id` into `out`. */
void lk_sub_token(const lk_sub_key *key, const char *purpose, const char *id,
                  char out[LK_SUB_TOKEN_MAX]);
/* The digest under which a token is stored.  Returns 0, or -1 if `token`
 * cannot be one (then nothing can match it). */
int lk_sub_token_digest(const char *token, char digest[65]);

/* Normalises a postcode as residents type it ("1234 ab", "1234AB",
 * "1234") into `out`.  Returns 0 or -1. */
int lk_sub_postcode(const char *in, char out[LK_SUB_POSTCODE_MAX + 1]);

/* Checks an e-mail address as a resident typed it: `email` gets it
 * trimmed (kept so for sending), `address_key` its lk_address_key().
 * Refused (-1) unless both lk_address_key() and the mail sender
 * (lk_mail_address_ok: printable ASCII, no commas, quotes ...) accept
 * it, so no subscription is made that no mail could reach. */
int lk_sub_email(const char *in, char email[LK_SUB_EMAIL_MAX + 1],
                 char address_key[LK_SUB_EMAIL_MAX + 1]);

/* ---- subscribe ------------------------------------------------------ */

typedef struct lk_sub_subscribe_op {
  lk_sub_key key;
  char request_id[48];
  lk_subscription_row r; /* email, address_key, postcode; id after apply */
  bool may_send;         /* false: the rate limit allows no mail now */
  /* results */
  bool created; /* a new pending subscription */
  bool sent;    /* a confirmation mail was queued */
} lk_sub_subscribe_op;

/* Validates `email` (field "email") and `postcode` (field "postcode") and
 * fills `op`.  Returns 0 or LK_EINVALID with `why` (the first problem;
 * call again per field to show each). */
int lk_sub_subscribe_prepare(lk_sub_subscribe_op *op, const lk_sub_key *key,
                             const char *email, const char *postcode,
                             bool may_send, const char *request_id,
                             lk_invalid *why);
/* lk_write_fn.  A new address and postcode become a pending subscription
 * and a confirmation mail (when may_send); a pending one gets its
 * confirmation mail again (when may_send); a confirmed one is left alone.
 * The caller answers all three alike. */
int lk_sub_subscribe_apply(lk_tx *tx, void *arg);

/* ---- confirm and unsubscribe ----------------------------------------- */

typedef struct lk_sub_token_op {
  char request_id[48];
  char digest[65];
  lk_subscription_row r; /* the subscription, after apply */
  bool already;          /* unsubscribe: it was already unsubscribed */
  int ended;             /* unsubscribe: subscriptions ended */
  char postcodes[96];    /* unsubscribe: theirs, "1234, 1234AB" (as fit) */
} lk_sub_token_op;

/* Returns 0, or LK_STORE_NOTFOUND for a string that cannot be a token. */
int lk_sub_token_prepare(lk_sub_token_op *op, const char *token,
                         const char *request_id);
/* True if the confirmation link of pending subscription `r` still works
 * at `now_ms`. */
bool lk_sub_confirm_open(const lk_subscription_row *r, int64_t now_ms);
/* lk_write_fn: confirms the pending subscription of the token.
 * LK_STORE_NOTFOUND for an unknown, used or expired token. */
int lk_sub_confirm_apply(lk_tx *tx, void *arg);
/* lk_write_fn: unsubscribes, ending every active subscription of the
 * token's address (one notice mail serves all of them, so its link does
 * too), listed in op->postcodes.  LK_STORE_NOTFOUND for an unknown
 * token; an already unsubscribed one succeeds with op->already. */
int lk_sub_unsubscribe_apply(lk_tx *tx, void *arg);

/* ---- notices -------------------------------------------------------- */

/* The 128-bit tag (32 hex digits) that stands for `address_key` in the
 * outbox keys of notice mails: keyed BLAKE2b with a key derived from the
 * subscription key for this purpose alone.  The same address always
 * gives the same tag (so the outbox keeps one mail per address), while a
 * supervisor who sees the outbox keys cannot test a guessed address
 * against them, now or after it unsubscribed. */
#define LK_SUB_TAG_MAX 33
void lk_sub_address_tag(const lk_sub_key *key, const char *address_key,
                        char out[LK_SUB_TAG_MAX]);

/* Inside the write that first publishes notice `notice_id` covering
 * `postcodes` (space-separated PC4/PC6): queues one outbox message per
 * subscriber address it touches, keyed "notice:<id>:to:<tag of the
 * address>", so an address subscribed to several matching postcodes gets
 * one mail and nothing is queued twice.  `key` is the subscription key
 * (NULL only when nobody is subscribed: LK_STORE_INVALID otherwise).
 * Returns 0 or an LK_STORE_* code (which rolls the publication back). */
int lk_sub_notice_published(lk_tx *tx, const lk_sub_key *key,
                            const char *notice_id, const char *postcodes);

/* The outbox payloads (JSON objects) of the two kinds of mail. */
typedef struct lk_sub_mail {
  char type[16]; /* "confirm" or "notice" */
  char subscription[LK_SUB_ID_LEN + 1];
  char notice[LK_SUB_ID_LEN + 1]; /* "" for "confirm" */
} lk_sub_mail;

/* Parses a payload.  Returns 0 or -1. */
int lk_sub_mail_parse(const char *payload, lk_sub_mail *out);

#endif
