/* token.h - API tokens: how other systems authenticate.
 *
 * A token is "lkt_" and 192 random bits in base64url.  Only its BLAKE2b
 * digest is stored, so a copy of the database reveals no usable token.
 * Scopes: "api" (domain data), "events" (the event stream), "confidential"
 * (also confidential contacts and parties) and "admin"
 * (everything, including managing tokens).
 *
 * Writes come in two halves so that the HTTP layer can submit them without
 * blocking a thread: *_prepare() validates and fills an op, the matching
 * lk_write_fn runs it in the store writer (the CLI uses lk_store_write() to
 * run it and wait).
 */
#ifndef LK_TOKEN_H
#define LK_TOKEN_H

#include <stdbool.h>

#include "store/store.h"
#include "util/buf.h"

#define LK_TOKEN_SECRET_MAX 64

/* Domain validation failures: the field and a reason in English. */
typedef struct lk_invalid {
  const char *field;
  const char *reason;
} lk_invalid;

#define LK_EINVALID (-2001) /* see the lk_invalid filled in */

typedef struct lk_token_create_op {
  char actor[LK_NAME_MAX + 1];
  lk_token_row token;               /* the new token */
  char secret[LK_TOKEN_SECRET_MAX]; /* shown once, never stored */
  char secret_hash[65];
} lk_token_create_op;

/* Validates `name` and `scopes` (NULL for the default "api events") and
 * fills `op`.  Returns 0 or LK_EINVALID with `why` filled. */
int lk_token_create_prepare(lk_token_create_op *op, const char *actor,
                            const char *name, const char *scopes,
                            lk_invalid *why);
/* lk_write_fn for an lk_token_create_op. */
int lk_token_create_apply(lk_tx *tx, void *arg);

typedef struct lk_token_revoke_op {
  char actor[LK_NAME_MAX + 1];
  char id[LK_TOKEN_ID_LEN + 1];
} lk_token_revoke_op;

/* LK_EINVALID if `id` cannot be a token id. */
int lk_token_revoke_prepare(lk_token_revoke_op *op, const char *actor,
                            const char *id, lk_invalid *why);
/* lk_write_fn; LK_STORE_NOTFOUND if no active token has that id. */
int lk_token_revoke_apply(lk_tx *tx, void *arg);

/* The digest under which `secret` is stored, in `hash`.  Returns 0, or -1
 * if `secret` cannot be a token. */
int lk_token_digest(const char *secret, char hash[65]);
/* Finds the active token for `secret`. LK_STORE_NOTFOUND if none. */
int lk_token_verify(lk_store *s, const char *secret, lk_token_row *out);
/* True if the token grants `scope` ("admin" grants every scope). */
bool lk_token_has_scope(const lk_token_row *t, const char *scope);
/* Renders the public fields of a token as a JSON object. */
void lk_token_json(lk_buf *b, const lk_token_row *t);

#endif
