/* mail_token.c - reply tokens in Message-IDs (see mail_token.h). */
#include "core/mail_token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/ids.h"
#include "util/keyfile.h"

#define PREFIX "lk."
#define UUID_LEN 36

int lk_mail_key_load(const char *dir, lk_mail_key *out) {
  return lk_keyfile_load(dir, "mail.key", out->k, sizeof(out->k));
}

static void tag_of(const lk_mail_key *key, const char *conv_id,
                   const char *contact_id, char out[LK_MAIL_TAG_LEN + 1]) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;

  crypto_auth_hmacsha256_init(&st, key->k, sizeof(key->k));
  /* NUL-separated: no pair of ids can imitate another. */
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)"loket-mail-reply",
                                sizeof("loket-mail-reply"));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)conv_id,
                                strlen(conv_id) + 1);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)contact_id,
                                strlen(contact_id));
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(out, LK_MAIL_TAG_LEN + 1, mac, LK_MAIL_TAG_LEN / 2);
}

int lk_mail_token_message_id(const lk_mail_key *key, const char *conv_id,
                             const char *contact_id, const char *domain,
                             char *out, size_t size) {
  char tag[LK_MAIL_TAG_LEN + 1];
  int n;

  tag_of(key, conv_id, contact_id, tag);
  n = snprintf(out, size, PREFIX "%s.%s@%s", contact_id, tag, domain);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

bool lk_mail_token_contact(const char *message_id, char contact_id[37]) {
  size_t plen = strlen(PREFIX);

  if (strncmp(message_id, PREFIX, plen) != 0 ||
      strlen(message_id) < plen + UUID_LEN + 1 + LK_MAIL_TAG_LEN + 2 ||
      message_id[plen + UUID_LEN] != '.' ||
      message_id[plen + UUID_LEN + 1 + LK_MAIL_TAG_LEN] != '@')
    return false;
  memcpy(contact_id, message_id + plen, UUID_LEN);
  contact_id[UUID_LEN] = '\0';
  return lk_uuid_valid(contact_id);
}

bool lk_mail_token_verify(const lk_mail_key *key, const char *message_id,
                          const char *conv_id) {
  char contact_id[UUID_LEN + 1];
  char tag[LK_MAIL_TAG_LEN + 1];

  if (!lk_mail_token_contact(message_id, contact_id))
    return false;
  tag_of(key, conv_id, contact_id, tag);
  return sodium_memcmp(tag, message_id + strlen(PREFIX) + UUID_LEN + 1,
                       LK_MAIL_TAG_LEN) == 0;
}

/* ---- bounce addresses (VERP) ---------------------------------------- */

#define BOUNCE_MARK "+lkb-"
#define BOUNCE_TAG_BYTES 8
#define BOUNCE_RAW (16 + BOUNCE_TAG_BYTES)    /* uuid bytes, tag */
#define BOUNCE_B32 ((BOUNCE_RAW * 8 + 4) / 5) /* 39 characters */

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static void bounce_tag(const lk_mail_key *key, const unsigned char uuid[16],
                       unsigned char out[BOUNCE_TAG_BYTES]) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;

  crypto_auth_hmacsha256_init(&st, key->k, sizeof(key->k));
  /* Its own purpose: a reply tag is never a bounce tag. */
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)"loket-mail-bounce",
                                sizeof("loket-mail-bounce"));
  crypto_auth_hmacsha256_update(&st, uuid, 16);
  crypto_auth_hmacsha256_final(&st, mac);
  memcpy(out, mac, BOUNCE_TAG_BYTES);
}

/* "0190...-..." into 16 bytes; false if it is no UUID. */
static bool uuid_bytes(const char *id, unsigned char out[16]) {
  char hex[33];
  size_t n = 0;

  if (!lk_uuid_valid(id))
    return false;
  for (const char *p = id; *p != '\0' && n < 32; p++)
    if (*p != '-')
      hex[n++] = *p;
  hex[n] = '\0';
  return n == 32 && sodium_hex2bin(out, 16, hex, 32, NULL, NULL, NULL) == 0;
}

int lk_mail_bounce_address(const lk_mail_key *key, const char *contact_id,
                           const char *address, char *out, size_t size) {
  unsigned char raw[BOUNCE_RAW];
  char enc[BOUNCE_B32 + 1];
  const char *at = strrchr(address, '@');
  const char *plus;
  size_t local, bits = 0, n = 0;
  unsigned acc = 0;
  int w;

  if (at == NULL || !uuid_bytes(contact_id, raw))
    return -1;
  bounce_tag(key, raw, raw + 16);
  for (size_t i = 0; i < sizeof(raw); i++) {
    acc = (acc << 8) | raw[i];
    bits += 8;
    while (bits >= 5) {
      enc[n++] = b32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0)
    enc[n++] = b32[(acc << (5 - bits)) & 31];
  enc[n] = '\0';
  /* local+lkb-TOKEN@domain; a "+tag" of the mailbox address goes. */
  plus = memchr(address, '+', (size_t)(at - address));
  local = (size_t)((plus != NULL ? plus : at) - address);
  w = snprintf(out, size, "%.*s" BOUNCE_MARK "%s%s", (int)local, address, enc,
               at);
  return w < 0 || (size_t)w >= size ? -1 : 0;
}

bool lk_mail_bounce_contact(const lk_mail_key *key, const char *address,
                            char contact_id[37]) {
  const char *p = address;
  unsigned char raw[BOUNCE_RAW], tag[BOUNCE_TAG_BYTES];
  size_t bits = 0, n = 0;
  unsigned acc = 0;
  char hex[33];

  while (*p != '\0' && strncasecmp(p, BOUNCE_MARK, strlen(BOUNCE_MARK)) != 0)
    p++;
  if (*p == '\0')
    return false;
  p += strlen(BOUNCE_MARK);
  for (size_t i = 0; i < BOUNCE_B32; i++) {
    int c = p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i];
    const char *v = c != '\0' ? strchr(b32, c) : NULL;

    if (v == NULL)
      return false;
    acc = (acc << 5) | (unsigned)(v - b32);
    bits += 5;
    if (bits >= 8) {
      if (n < sizeof(raw))
        raw[n++] = (unsigned char)(acc >> (bits - 8));
      bits -= 8;
    }
    acc &= 0xff;
  }
  if (n != sizeof(raw) || p[BOUNCE_B32] != '@')
    return false;
  bounce_tag(key, raw, tag);
  if (sodium_memcmp(tag, raw + 16, sizeof(tag)) != 0)
    return false;
  sodium_bin2hex(hex, sizeof(hex), raw, 16);
  snprintf(contact_id, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
           hex + 16, hex + 20);
  return true;
}
