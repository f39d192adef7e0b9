/* mail_token.h - the signed reply token in the Message-ID of every mail
 * Loket sends for a conversation.
 *
 * An outbound message gets the Message-ID
 *
 *   <lk.CONTACT-UUID.TAG@mailbox-domain>
 *
 * where TAG is 24 hex digits of HMAC-SHA-256 over the conversation and
 * contact ids, keyed by the 32 random bytes of <data dir>/mail.key.  A
 * reply names it in In-Reply-To or References; Loket joins the reply to
 * the conversation only when the contact exists, belongs to that
 * conversation and the TAG verifies.  A header naming any other message
 * (another resident's, or a made-up one) carries no valid TAG, so it
 * cannot attach mail to a conversation.
 */
#ifndef LK_CORE_MAIL_TOKEN_H
#define LK_CORE_MAIL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/keyfile.h"

#define LK_MAIL_TAG_LEN 24
#define LK_MAIL_KEY_BYTES 32

typedef struct lk_mail_key {
  unsigned char k[LK_MAIL_KEY_BYTES];
} lk_mail_key;

/* The file is there but holds no 32-byte key (empty, cut short). */
#define LK_MAIL_KEY_BAD LK_KEYFILE_BAD

/* Reads <dir>/mail.key, creating it (mode 0600) atomically when missing
 * (util/keyfile.h).  Returns 0, LK_MAIL_KEY_BAD or a negative errno. */
int lk_mail_key_load(const char *dir, lk_mail_key *out);

/* The Message-ID (without angle brackets) of outbound contact
 * `contact_id` of conversation `conv_id`, at `domain`.  Returns 0, or -1
 * when it does not fit in `size`. */
int lk_mail_token_message_id(const lk_mail_key *key, const char *conv_id,
                             const char *contact_id, const char *domain,
                             char *out, size_t size);

/* If `message_id` (without brackets) has Loket's form, copies the contact
 * id into `contact_id` and returns true. */
bool lk_mail_token_contact(const char *message_id, char contact_id[37]);

/* True if `message_id` carries the right TAG for `conv_id` and its
 * contact (constant-time comparison). */
bool lk_mail_token_verify(const lk_mail_key *key, const char *message_id,
                          const char *conv_id);

/* The envelope sender (Return-Path) of outbound contact `contact_id`
 * through mailbox `address` (VERP):
 *
 *   local+lkb-TOKEN@domain
 *
 * TOKEN: 39 base32 letters of the contact's 16 bytes and 8 bytes of
 * HMAC-SHA-256 (key, "loket-mail-bounce", those bytes).  A delivery
 * status notification goes to the envelope sender, so it arrives in the
 * mailbox (plus-addressing) addressed to this; only Loket can make one,
 * and it never appears in the headers a reply or a forward carries (as a
 * Message-ID does).  Returns 0, or -1 when it does not fit. */
int lk_mail_bounce_address(const lk_mail_key *key, const char *contact_id,
                           const char *address, char *out, size_t size);
/* If `address` is a bounce address whose TOKEN verifies, the contact id
 * into `contact_id` and true (case-insensitive: mail servers may change
 * the case of a local part). */
bool lk_mail_bounce_contact(const lk_mail_key *key, const char *address,
                            char contact_id[37]);

#endif
