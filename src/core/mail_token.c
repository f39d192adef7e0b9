/* mail_token.c - reply tokens in Message-IDs (see mail_token.h). */
#include "core/mail_token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
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
