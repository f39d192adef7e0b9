/* chat.h - live chat and call-me-back: the rules (docs/chat.md).
 *
 * A chat is a conversation of channel "chat" that a resident reaches with
 * a private session token; the resident's messages are inbound contacts
 * written through conversation.h, each under an idempotency key made of
 * the session and the client's message UUID, so a message sent twice (a
 * retry after a dropped connection) is stored once.  Typing and read
 * marks become the events chat.typing and chat.read.
 *
 * A callback is a callback task on a new inbound contact that continues
 * the earlier one (wasKlantcontact), with the number to call, the slot
 * the resident chose (lk_chat_slots) and what the resident had typed.
 * Booking runs in the writer, so two residents after the last place of a
 * slot are serialised: one gets it, the other LK_STORE_CONFLICT.
 *
 * Writes are prepare/apply pairs like the rest of core.
 */
#ifndef LK_CORE_CHAT_H
#define LK_CORE_CHAT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/conversation.h"
#include "core/session.h"
#include "core/task.h"
#include "store/chat.h"

#define LK_CHAT_ACTOR "public:chat"
#define LK_CHAT_TOKEN_LEN LK_SESSION_ID_LEN
#define LK_CHAT_TEXT_MAX 4000         /* bytes of one resident message */
#define LK_CHAT_SLOT_MS 1800000LL     /* callback slots of 30 minutes */
#define LK_CHAT_SLOT_LEAD_MS 900000LL /* a slot starts >= 15 min ahead */
#define LK_CHAT_SLOT_DAYS 7           /* slots offered this far ahead */
#define LK_CHAT_SLOTS_MAX (LK_CHAT_SLOT_DAYS * 48)
#define LK_CHAT_NOTE_MAX 2000
#define LK_CHAT_CONTEXT_MAX 65536

/* The caller of the resident side: a resident has no account. */
void lk_chat_caller(lk_conv_caller *c, const char *request_id);

/* ---- starting ------------------------------------------------------- */

typedef struct lk_chat_start_op {
  lk_conv_create_op conv;
  char session_id[LK_CHAT_ID];
  char token[LK_CHAT_TOKEN_LEN + 1]; /* handed to the resident once */
  char token_hash[65];
} lk_chat_start_op;

/* `name` and `email` may be NULL or "".  LK_EINVALID with `why`
 * ("/name", "/email", "/text"). */
int lk_chat_start_prepare(lk_chat_start_op *op, const char *request_id,
                          const char *name, const char *email, const char *text,
                          lk_invalid *why);
/* lk_write_fn: the conversation (conversation.created, contact.added) and
 * the session. */
int lk_chat_start_apply(lk_tx *tx, void *arg);

/* ---- resident messages ---------------------------------------------- */

typedef struct lk_chat_send_op {
  lk_conv_message_op msg;
  char key[LK_CONV_CLIENT_KEY_MAX + 64];
  /* out */
  bool replayed;
  int64_t seq;
} lk_chat_send_op;

/* `client_key` must be a UUID.  LK_EINVALID ("/clientKey", "/text"). */
int lk_chat_send_prepare(lk_chat_send_op *op, const char *request_id,
                         const lk_chat_row *chat, const char *client_key,
                         const char *text, lk_invalid *why);
/* LK_STORE_CONFLICT if the chat has ended. */
int lk_chat_send_apply(lk_tx *tx, void *arg);

/* ---- typing, read, end ---------------------------------------------- */

typedef struct lk_chat_signal_op {
  char actor[48];
  char conversation_id[LK_CHAT_ID];
  bool agent;        /* who: the agent or the resident */
  char agent_id[40]; /* the agent's actor id, "" for a token */
  bool confidential; /* an agent caller may see confidential chats */
  int64_t seq;       /* read: up to this message */
  char email[LK_CHAT_EMAIL_MAX + 1]; /* end: transcript to, "" none */
  char request_id[48];
  /* out */
  bool moved;
} lk_chat_signal_op;

/* chat.typing; NOTFOUND if no chat (or hidden from an agent caller). */
int lk_chat_typing_apply(lk_tx *tx, void *arg);
/* Moves the read mark; chat.read when it moved. */
int lk_chat_read_apply(lk_tx *tx, void *arg);
/* Validates the e-mail address for the transcript ("/email"). */
int lk_chat_end_prepare(lk_chat_signal_op *op, const char *email,
                        lk_invalid *why);
/* Ends the chat (chat.ended); with an address, queues the transcript in
 * the outbox (kind "mail", once per chat). */
int lk_chat_end_apply(lk_tx *tx, void *arg);

/* ---- chats the resident left ---------------------------------------- */

#define LK_CHAT_EXPIRE_ACTOR "loket:chat"
#define LK_CHAT_EXPIRE_MAX 50 /* chats looked at per tick */

typedef struct lk_chat_expire_op {
  int64_t abandon_ms; /* a waiting chat without a sign of life this long */
  int64_t idle_ms;    /* an answered one */
  /* True while the resident of `conversation_id` has a stream open (the
   * resident pages' table of streams); called in the writer. */
  bool (*live)(const char *conversation_id, void *ud);
  void *ud;
  /* out */
  int abandoned, inactive, kept;
  bool more; /* LK_CHAT_EXPIRE_MAX found: run again soon */
} lk_chat_expire_op;

/* lk_write_fn, at the transaction's time (the store's clock): a chat
 * whose resident has a stream open gets a sign of life and stays; any
 * other one found by lk_store_chat_idle() ends: a note in the
 * conversation, the conversation resolved (conversation.updated), the
 * session ended with its reason and chat.ended {"reason": "abandoned" |
 * "inactive"}.  A transcript the resident asks for afterwards still
 * goes out (lk_chat_end_apply). */
int lk_chat_expire_apply(lk_tx *tx, void *arg);

/* ---- slots ---------------------------------------------------------- */

typedef struct lk_chat_slot {
  int64_t start, end;
  int free; /* places left */
} lk_chat_slot;

/* The slots of the next LK_CHAT_SLOT_DAYS days within opening hours of
 * `cal`, starting at least LK_CHAT_SLOT_LEAD_MS after `now`, with their
 * places left out of `capacity` (full ones included, free = 0).  Returns
 * their number (at most `max`) or a store code. */
int lk_chat_slots(lk_store *s, const lk_calendar *cal, int64_t now,
                  int capacity, lk_chat_slot *out, int max);
/* "dinsdag 1 december 2026, 10:00-10:30" (Dutch civil time). */
void lk_chat_slot_text(char *out, size_t size, int64_t start);
/* True if `start` is a slot lk_chat_slots() could offer at `now`. */
bool lk_chat_slot_valid(const lk_calendar *cal, int64_t now, int64_t start);

/* ---- call me back --------------------------------------------------- */

typedef struct lk_callback_op {
  char id[LK_CHAT_ID];
  bool from_chat;
  int capacity;
  int64_t slot_start;
  char phone[LK_CHAT_PHONE_MAX + 1];
  char phone_key[LK_CHAT_PHONE_MAX + 1];
  char email[LK_CHAT_EMAIL_MAX + 1]; /* confirmation to, "" none */
  char *context;                     /* JSON object text (malloc'd) */
  /* chat: a message in the chat's conversation; form: a conversation */
  lk_conv_message_op msg;
  lk_conv_create_op *create; /* malloc'd for a form */
  lk_task_op task;
  /* out */
  char conversation_id[LK_CHAT_ID];
  char contact_id[LK_CHAT_ID];
  char reference[LK_CONV_REF_MAX + 1];
} lk_callback_op;

/* The fields of a half-filled form, carried as they were typed. */
typedef struct lk_callback_field {
  const char *name;
  const char *value;
} lk_callback_field;

/* A callback from chat `chat` (not NULL) or from a form (`fields`, with
 * `name` the resident's name).  LK_EINVALID with "/phone", "/slot",
 * "/email".  Free with lk_callback_op_clear(). */
int lk_callback_prepare(lk_callback_op *op, const char *request_id,
                        const lk_calendar *cal, int64_t now, int capacity,
                        const lk_chat_row *chat, const char *name,
                        const char *phone, int64_t slot_start,
                        const char *email, const lk_callback_field *fields,
                        int nfields, lk_invalid *why);
/* LK_STORE_CONFLICT when the slot is full. */
int lk_callback_apply(lk_tx *tx, void *arg);
void lk_callback_op_clear(lk_callback_op *op);

/* ---- the outcome of a call ------------------------------------------ */

typedef struct lk_callback_outcome_op {
  lk_conv_caller caller;
  char id[LK_CHAT_ID];
  char outcome[16]; /* reached, not_reached, voicemail */
  char note[LK_CHAT_NOTE_MAX * 4 + 1];
  /* out */
  char contact_id[LK_CHAT_ID]; /* the outbound telefoon contact */
  char task_status[16];
} lk_callback_outcome_op;

/* LK_EINVALID ("/outcome", "/note"); LK_STORE_NOTFOUND if `id` is no
 * UUID. */
int lk_callback_outcome_prepare(lk_callback_outcome_op *op,
                                const lk_conv_caller *caller, const char *id,
                                const char *outcome, const char *note,
                                lk_invalid *why);
/* Logs the call as an outbound telefoon contact continuing the request
 * (wasKlantcontact), records the outcome and, when the resident was
 * reached or got a voicemail, marks the task verwerkt.  NOTFOUND for an
 * unknown or hidden callback; CONFLICT when its task is done already. */
int lk_callback_outcome_apply(lk_tx *tx, void *arg);

#endif
