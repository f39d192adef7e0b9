#include "core/ids.h"

#include <sodium.h>
#include <string.h>

int lk_ids_init(void) {
  return sodium_init() < 0 ? -1 : 0;
}

void lk_id_new(char *out, size_t size, const char *prefix) {
  unsigned char raw[8];
  size_t plen = strlen(prefix);

  if (size < plen + 17) {
    if (size > 0)
      out[0] = '\0';
    return;
  }
  randombytes_buf(raw, sizeof(raw));
  memcpy(out, prefix, plen);
  sodium_bin2hex(out + plen, size - plen, raw, sizeof(raw));
}

int lk_secret_new(char *out, size_t size, const char *prefix, size_t nbytes) {
  unsigned char raw[64];
  size_t plen = strlen(prefix);
  size_t need;

  if (nbytes > sizeof(raw))
    return -1;
  need = sodium_base64_ENCODED_LEN(nbytes,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (size < plen + need)
    return -1;
  randombytes_buf(raw, nbytes);
  memcpy(out, prefix, plen);
  sodium_bin2base64(out + plen, size - plen, raw, nbytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
  return 0;
}

void lk_secret_hash(const char *s, char out[65]) {
  unsigned char digest[32];

  crypto_generichash(digest, sizeof(digest), (const unsigned char *)s,
                     strlen(s), NULL, 0);
  sodium_bin2hex(out, 65, digest, sizeof(digest));
}
