/* conversation.h - conversations and their messages: the unit the contact
 * centre works on, with the rules that hold whatever the channel.
 *
 * A conversation is a thread of klantcontacten (inbound and outbound
 * messages) and internal notes with one party.  Creating one records its
 * first inbound message, links the sender to a party (identity linking,
 * see contact_address.h), takes a reference from the counters
 * ("LK-2026-000123") and queues it for assignment (waiting_since).
 *
 * Writes follow the prepare/apply pattern (see token.h): *_prepare()
 * validates the input without I/O and fills an op; the matching
 * lk_write_fn runs in the store writer.  An id in the input that names
 * nothing the caller may see makes the apply fail with LK_STORE_NOTFOUND
 * and names the input in op->field (a JSON Pointer), so the HTTP layer
 * can answer 404 exactly as for an unknown id in the path.
 *
 * Confidential conversations and messages are invisible to a caller
 * without the right to see them: every function taking `may_confidential`
 * treats them as missing.
 */
#ifndef LK_CONVERSATION_H
#define LK_CONVERSATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/contact_address.h"
#include "core/token.h"
#include "store/conversations.h"
#include "util/buf.h"

#define LK_CONV_CONTENT_MAX 65536
#define LK_CONV_NAME_MAX LK_PARTY_NAME_MAX
#define LK_CONV_MAX_CATEGORIES 16
#define LK_CONV_MAX_ATTACHMENTS 20
#define LK_CONV_CLIENT_KEY_MAX 100
#define LK_CONV_STALE (-2101) /* If-Match / version does not match */

/* The caller as the domain sees it. */
typedef struct lk_conv_caller {
  char actor[48];    /* "token:tok_..." or "user:usr_..." */
  char actor_id[40]; /* the staff member's actor uuid, or "" */
  char request_id[48];
  bool may_confidential;
} lk_conv_caller;

/* Channels (kanalen), as stored and served. */
bool lk_conv_channel_valid(const char *channel);
/* All channels, NULL-terminated. */
const char *const *lk_conv_channels(void);
/* True for channels whose outbound messages must be delivered later
 * (email, chat, social, post, webformulier): they start as "queued". */
bool lk_conv_channel_delivers(const char *channel);
/* "low".."urgent" <-> 0..3; -1 for an unknown name. */
int lk_conv_priority_parse(const char *name);
const char *lk_conv_priority_name(int priority);
bool lk_conv_status_valid(const char *status);

/* ---- create --------------------------------------------------------- */

typedef struct lk_conv_create_op {
  lk_conv_caller caller;
  lk_conv_row conv; /* id, subject, channel, priority, team, language ... */
  char contact_id[LK_CONV_ID_LEN + 1];
  char content[LK_CONV_CONTENT_MAX + 1];
  /* the sender: a known party, or name and addresses */
  char party_id[LK_CONV_ID_LEN + 1];
  char new_party_id[LK_CONV_ID_LEN + 1];
  char from_name[LK_CONV_NAME_MAX + 1];
  char email[LK_ADDRESS_MAX + 1];
  char email_key[LK_ADDRESS_KEY_MAX + 1];
  char phone[LK_ADDRESS_MAX + 1];
  char phone_key[LK_ADDRESS_KEY_MAX + 1];
  char categories[LK_CONV_MAX_CATEGORIES][LK_CONV_ID_LEN + 1];
  int ncategories;
  char attachments[LK_CONV_MAX_ATTACHMENTS][LK_CONV_ID_LEN + 1];
  int nattachments;
  char was_contact_id[LK_CONV_ID_LEN + 1];
  char client_key[LK_CONV_CLIENT_KEY_MAX + 64]; /* scoped to the caller */
  /* results */
  bool replayed;      /* the key was used: conv.id is the first */
  bool party_created; /* no verified address matched */
  bool unproven;      /* from lk_conv_create_in */
  char field[48];     /* on NOTFOUND: the input at fault */
} lk_conv_create_op;

/* The input of a creation; NULL or "" for what was not given. */
typedef struct lk_conv_create_in {
  const char *channel;
  const char *subject;
  const char *content;
  const char *language; /* default "nld" */
  const char *priority; /* default "normal" */
  const char *team_id;
  const char *party_id; /* or from_* */
  const char *from_name;
  const char *from_email;
  const char *from_phone;
  const char *was_contact_id;
  const char *client_key;
  bool confidential;
  /* The from_* addresses are only the sender's word (a chat): never link
   * to a party by them; a new party gets them unverified. */
  bool unproven;
  const char *const *categories;
  int ncategories;
  const char *const *attachments;
  int nattachments;
} lk_conv_create_in;

/* Validates `in` and fills `op` (ids, reference time, address keys).
 * Returns 0 or LK_EINVALID with `why` (field as a JSON Pointer). */
int lk_conv_create_prepare(lk_conv_create_op *op, const lk_conv_caller *caller,
                           const lk_conv_create_in *in, lk_invalid *why);
/* lk_write_fn: links or creates the party, writes the conversation, its
 * first contact, betrokkene, categories, attachments, the wasKlantcontact
 * link, the processing-log row and the conversation.created and
 * contact.added events.  With a client key already used by this caller
 * it writes nothing and sets op->replayed. */
int lk_conv_create_apply(lk_tx *tx, void *arg);

/* ---- messages and notes --------------------------------------------- */

typedef struct lk_conv_message_op {
  lk_conv_caller caller;
  char conv_id[LK_CONV_ID_LEN + 1];
  char kind[12]; /* inbound, outbound, note */
  char contact_id[LK_CONV_ID_LEN + 1];
  char channel[16]; /* "" for the conversation's */
  char subject[LK_CONV_SUBJECT_MAX + 1];
  char content[LK_CONV_CONTENT_MAX + 1];
  char language[8];
  bool confidential;
  char attachments[LK_CONV_MAX_ATTACHMENTS][LK_CONV_ID_LEN + 1];
  int nattachments;
  /* results */
  lk_conv_row conv; /* the conversation after the change */
  int64_t occurred_at;
  char delivery[8];
  char field[48];
} lk_conv_message_op;

typedef struct lk_conv_message_in {
  const char *kind; /* "inbound", "outbound" or "note" */
  const char *channel;
  const char *subject;
  const char *content;
  const char *language;
  bool confidential;
  const char *const *attachments;
  int nattachments;
} lk_conv_message_in;

int lk_conv_message_prepare(lk_conv_message_op *op,
                            const lk_conv_caller *caller, const char *conv_id,
                            const lk_conv_message_in *in, lk_invalid *why);
/* lk_write_fn: adds the contact; an inbound one re-opens a pending or
 * resolved conversation, an outbound one sets first_response_at once. */
int lk_conv_message_apply(lk_tx *tx, void *arg);

/* ---- update (PATCH) ------------------------------------------------- */

typedef struct lk_conv_update_op {
  lk_conv_caller caller;
  char conv_id[LK_CONV_ID_LEN + 1];
  int64_t if_version; /* 0: unconditional */
  bool set_status;
  char status[12];
  int64_t snoozed_until;
  bool set_priority;
  int priority;
  bool set_subject;
  char subject[LK_CONV_SUBJECT_MAX + 1];
  bool set_team;
  char team_id[LK_CONV_ID_LEN + 1]; /* "" clears */
  bool set_categories;
  char categories[LK_CONV_MAX_CATEGORIES][LK_CONV_ID_LEN + 1];
  int ncategories;
  /* results */
  lk_conv_row conv;
  char field[48];
} lk_conv_update_op;

typedef struct lk_conv_update_in {
  const char *status;
  int64_t snoozed_until; /* with status "snoozed" */
  const char *priority;
  const char *subject;
  bool set_team;
  const char *team_id; /* NULL clears */
  bool set_categories;
  const char *const *categories;
  int ncategories;
  int64_t if_version;
} lk_conv_update_in;

/* `now` is the caller's clock for checking that snoozedUntil lies in the
 * future. */
int lk_conv_update_prepare(lk_conv_update_op *op, const lk_conv_caller *caller,
                           const char *conv_id, const lk_conv_update_in *in,
                           int64_t now, lk_invalid *why);
/* lk_write_fn; LK_CONV_STALE if if_version is not the current version. */
int lk_conv_update_apply(lk_tx *tx, void *arg);

/* ---- reading -------------------------------------------------------- */

/* Renders a conversation without its timeline, with the id of one of its
 * messages (may be NULL). */
void lk_conv_summary_json(lk_buf *b, const lk_conv_row *c,
                          const char *message_id);
/* Renders one inbox item (without "preview" when it->preview is NULL). */
void lk_conv_item_json(lk_buf *b, const lk_conv_item *it);
/* Renders the conversation `id` with its categories and the messages of
 * its timeline after `after_seq` (at most `limit`; internal notes
 * included: every API caller is staff or a system).  Records the read in
 * the processing log first.  Returns 0, LK_STORE_NOTFOUND, or another
 * store code; `b` is then untouched.  The conversation's row goes to
 * `row` when it is not NULL. */
int lk_conv_render(lk_store *s, const lk_conv_caller *caller, const char *id,
                   int64_t after_seq, int limit, lk_buf *b, lk_conv_row *row);
/* Records in the processing log that `caller` read data of the parties
 * `party_ids` (n of them, duplicates allowed) through `resource`.  Queued
 * like lk_proclog_read(); returns 0 or a store code. */
int lk_conv_log_reads(lk_store *s, const lk_conv_caller *caller,
                      const char *resource, const char *const *party_ids,
                      int n);

#endif
