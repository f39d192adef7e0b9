/* token_cache.h - verified API tokens kept in memory.
 *
 * Every API request authenticates; without a cache each one costs a
 * database read.  The cache maps the digest of a token to its row for a
 * short while and forgets a token as soon as its "token.revoked" event is
 * published, so a revocation through the API holds before its 204 is sent
 * and one from the CLI (another process) within about a second.  Unknown
 * tokens are not cached: a new token works at once.
 */
#ifndef LK_TOKEN_CACHE_H
#define LK_TOKEN_CACHE_H

#include "events/bus.h"
#include "store/store.h"

typedef struct lk_token_cache lk_token_cache;

/* Listens on `bus` for revocations.  Returns NULL when out of memory. */
lk_token_cache *lk_token_cache_new(lk_store *store, lk_bus *bus);
/* Stops listening and frees.  Safe with NULL. */
void lk_token_cache_free(lk_token_cache *c);
/* As lk_token_verify(), from memory when it can. */
int lk_token_cache_verify(lk_token_cache *c, const char *secret,
                          lk_token_row *out);

#endif
