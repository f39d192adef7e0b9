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

void lk_uuid_new(char out[LK_UUID_LEN + 1], long long now_ms) {
  static const char hex[] = "0123456789abcdef";
  unsigned char b[16];
  size_t o = 0;

  randombytes_buf(b, sizeof(b));
  for (int i = 0; i < 6; i++)
    b[i] = (unsigned char)((unsigned long long)now_ms >> (40 - 8 * i));
  b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
  b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[o++] = '-';
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 15];
  }
  out[o] = '\0';
}

int lk_uuid_valid(const char *s) {
  for (int i = 0; i < LK_UUID_LEN; i++) {
    char c = s[i];

    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F'))) {
      return 0;
    }
  }
  return s[LK_UUID_LEN] == '\0';
}
