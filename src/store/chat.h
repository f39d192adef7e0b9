/* chat.h - the store side of live chat and call-me-back (docs/chat.md).
 *
 * A chat session is one conversation of channel "chat" reached with a
 * private token (stored as its digest).  A callback is a callback task
 * with the slot the resident chose, the number to call and what the
 * resident had typed.  Functions taking an lk_tx run inside a write;
 * the others read from a pooled connection.
 */
#ifndef LK_STORE_CHAT_H
#define LK_STORE_CHAT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/conversations.h"
#include "store/store.h"
#include "store/teams.h"

#define LK_CHAT_ID 37 /* a UUID and its NUL */
#define LK_CHAT_PHONE_MAX 64
#define LK_CHAT_EMAIL_MAX 254

/* ---- chat sessions -------------------------------------------------- */

typedef struct lk_chat_row {
  char id[LK_CHAT_ID];
  char conversation_id[LK_CHAT_ID];
  char reference[LK_CONV_REF_MAX + 1];
  char status[12]; /* the conversation's */
  char team_id[LK_CHAT_ID];
  char assignee_id[LK_CHAT_ID];
  char assignee_name[LK_ACTOR_NAME_MAX + 1];
  char party_id[LK_CHAT_ID];
  char party_name[LK_ACTOR_NAME_MAX + 1];
  bool confidential;
  int64_t conv_seq;
  int64_t waiting_since; /* 0: not queued */
  int64_t last_message_at;
  int64_t resident_read; /* contact seqs */
  int64_t agent_read;
  int64_t ended_at; /* 0: still on */
  int64_t transcript_at;
  int64_t created_at;
} lk_chat_row;

int lk_store_chat_insert(lk_tx *tx, const char *id, const char *token_hash,
                         const char *conversation_id);
/* The session whose token has digest `token_hash`; LK_STORE_NOTFOUND. */
int lk_store_chat_by_token(lk_store *s, const char *token_hash,
                           lk_chat_row *out);
/* The session of conversation `conversation_id` (on a reader, or inside
 * the write when `tx` is not NULL); LK_STORE_NOTFOUND. */
int lk_store_chat_by_conv(lk_store *s, lk_tx *tx, const char *conversation_id,
                          lk_chat_row *out);
/* Moves one side's read mark up to `seq` (never down).  *moved says
 * whether it changed. */
int lk_store_chat_read(lk_tx *tx, const char *conversation_id, bool agent,
                       int64_t seq, bool *moved);
/* Ends the session; `transcript_to` (may be NULL) is where the transcript
 * goes.  LK_STORE_NOTFOUND if unknown. */
int lk_store_chat_end(lk_tx *tx, const char *conversation_id,
                      const char *transcript_to);
/* Chats not ended, of a conversation not resolved, whose resident showed
 * no sign of life (start, a message, the close of a stream) since
 * `waiting_before` (a chat no agent took or answered) or since
 * `answered_before` (one taken or answered; a later message of either
 * side counts too).  Oldest first, at most `limit`; calls `fn` per chat
 * and returns their number or a store code. */
int lk_store_chat_idle(
    lk_tx *tx, int64_t waiting_before, int64_t answered_before, int limit,
    void (*fn)(const char *conversation_id, bool answered, void *ud), void *ud);
/* 1 if lk_store_chat_idle() would find a chat (on a reader), else 0. */
int lk_store_chat_idle_any(lk_store *s, int64_t waiting_before,
                           int64_t answered_before);
/* Records a sign of life of the resident at the transaction's time. */
int lk_store_chat_seen(lk_tx *tx, const char *conversation_id);
/* Ends the session as `reason` ("abandoned", "inactive"). */
int lk_store_chat_expire(lk_tx *tx, const char *conversation_id,
                         const char *reason);
/* The place of conversation `c` in its assignment queue (1 = next), the
 * order lk_store_queue_head() takes them in; 0 if it is not queued. */
int lk_store_chat_position(lk_store *s, const lk_chat_row *c, int *pos);

typedef struct lk_chat_msg {
  int64_t seq;
  const char *id;
  const char *kind; /* inbound, outbound */
  const char *content;
  const char *client_key; /* the full stored key, or NULL */
  const char *author;     /* the agent's name, or NULL */
  int64_t occurred_at;
} lk_chat_msg;
typedef void (*lk_chat_msg_fn)(const lk_chat_msg *m, void *ud);

/* The chat's messages (no notes, nothing confidential) with seq > `after`,
 * oldest first, at most `limit`; on a reader or inside the write.
 * Returns their number or a negative code. */
int lk_store_chat_messages(lk_store *s, lk_tx *tx, const char *conversation_id,
                           int64_t after, int limit, lk_chat_msg_fn fn,
                           void *ud);
/* The contact stored under idempotency key `key`: its id and seq.
 * LK_STORE_NOTFOUND if none. */
int lk_store_contact_by_key(lk_tx *tx, const char *key, char id[LK_CHAT_ID],
                            int64_t *seq);
/* Sets the idempotency key of contact `id` and gives its seq. */
int lk_store_contact_set_key(lk_tx *tx, const char *id, const char *key,
                             int64_t *seq);
/* indicatieContactGelukt of contact `id`. */
int lk_store_contact_succeeded(lk_tx *tx, const char *id, bool succeeded);
/* The newest inbound or outbound contact of a conversation ("" if none). */
int lk_store_conv_last_contact(lk_tx *tx, const char *conversation_id,
                               char id[LK_CHAT_ID]);

typedef void (*lk_chat_fn)(const lk_chat_row *c, void *ud);
/* Sessions not ended whose conversation is not resolved, after session
 * seq `after` (0 for the first page), by seq; without `confidential`
 * confidential ones are left out.  Returns the number or a code. */
int lk_store_chat_list(lk_store *s, int64_t after, int limit, bool confidential,
                       lk_chat_fn fn, void *ud);
/* The seq of session `id`, for a cursor; LK_STORE_NOTFOUND. */
int lk_store_chat_seq(lk_store *s, const char *id, int64_t *seq);

/* ---- callbacks ------------------------------------------------------ */

typedef struct lk_callback_row {
  const char *id, *task_id, *conversation_id, *contact_id, *source;
  const char *phone, *phone_key, *context, *outcome, *outcome_note;
  const char *task_status, *reference, *party_name, *party_id;
  int64_t seq, slot_start, slot_end, attempts, outcome_at, created_at;
  bool confidential;
} lk_callback_row;
typedef void (*lk_callback_fn)(const lk_callback_row *c, void *ud);

int lk_store_callback_insert(lk_tx *tx, const lk_callback_row *c);
/* Bookings of the slot starting at `slot_start`. */
int lk_store_callback_count(lk_tx *tx, int64_t slot_start, int *n);
/* Bookings per slot starting in [from, to): fn(slot_start, count). */
int lk_store_callback_counts(lk_store *s, int64_t from, int64_t to,
                             void (*fn)(int64_t slot, int n, void *ud),
                             void *ud);
/* The callback `id`, on a reader or inside the write; fn gets the row. */
int lk_store_callback_get(lk_store *s, lk_tx *tx, const char *id,
                          lk_callback_fn fn, void *ud);
/* Records an attempt's outcome. */
int lk_store_callback_outcome(lk_tx *tx, const char *id, const char *outcome,
                              const char *note);
/* Callbacks ordered by slot, then seq, after callback `after_id` ("" for
 * the first page); `open` only those whose task is te_verwerken; without
 * `confidential` confidential conversations are left out. */
int lk_store_callback_list(lk_store *s, const char *after_id, int limit,
                           bool open, bool confidential, lk_callback_fn fn,
                           void *ud);

#endif
