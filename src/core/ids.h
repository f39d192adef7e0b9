/* ids.h - identifiers and secrets from libsodium's CSPRNG. */
#ifndef LK_IDS_H
#define LK_IDS_H

#include <stddef.h>

/* Initialises libsodium; call once before anything else. Returns 0 or -1. */
int lk_ids_init(void);
/* Writes `prefix` followed by 16 lowercase hex characters (64 random bits)
 * into `out`, which must hold strlen(prefix) + 17 bytes. */
void lk_id_new(char *out, size_t size, const char *prefix);
#define LK_UUID_LEN 36

/* Writes a new UUID (version 7: the Unix time `now_ms` in the first 48
 * bits, then 74 random bits) as 36 lowercase characters into `out`.  Time
 * order keeps the indexes of large tables compact. */
void lk_uuid_new(char out[LK_UUID_LEN + 1], long long now_ms);
/* True if `s` is a UUID in canonical lowercase or uppercase form. */
int lk_uuid_valid(const char *s);
/* Writes `prefix` followed by `nbytes` random bytes in unpadded base64url.
 * Returns 0, or -1 if `size` is too small. */
int lk_secret_new(char *out, size_t size, const char *prefix, size_t nbytes);
/* Hex BLAKE2b-256 digest of `s` (for looking up secrets); `out` holds 65
 * bytes. */
void lk_secret_hash(const char *s, char out[65]);

#endif
