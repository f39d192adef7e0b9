/* residents.h - reading a resident's data as staff see it: look-up of
 * parties, the resident card and the timeline of every contact.
 *
 * Rows are handed to a callback; their strings are valid only during the
 * call (copy what you keep).  Columns that may be NULL read as "".
 *
 * The history of a party includes that of the parties merged into it
 * (parties.merged_into, followed transitively), so a resident who was two
 * parties before a merge still has one history; a confidential party
 * merged in counts only when `confidential` is true.  Confidential parties,
 * conversations and contacts are left out unless `confidential` is true;
 * a hidden party reads as LK_STORE_NOTFOUND, exactly like an unknown id.
 */
#ifndef LK_STORE_RESIDENTS_H
#define LK_STORE_RESIDENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

typedef struct lk_party_row {
  int64_t seq;
  const char *id;
  const char *nummer;
  const char *kind; /* persoon, organisatie, contactpersoon */
  const char *display_name;
  const char *identification; /* JSON object text */
  const char *internal_note;
  const char *language;
  const char *merged_into;      /* "" unless merged away */
  const char *visiting_address; /* JSON object text or "" */
  const char *postal_address;   /* JSON object text or "" */
  bool confidential;
  bool active;
  int64_t created_at;
  int64_t updated_at;
} lk_party_row;

typedef void (*lk_party_fn)(const lk_party_row *p, void *ud);

/* ---- look-up ---------------------------------------------------------- */

typedef enum lk_party_key {
  LK_PARTY_BY_EMAIL, /* digital_addresses.address_key of kind email */
  LK_PARTY_BY_PHONE, /* ... of kind telefoonnummer */
  LK_PARTY_BY_BSN,   /* party_identifiers of codeSoortObjectId bsn */
  LK_PARTY_BY_NAME   /* prefix of parties.display_name (case-sensitive) */
} lk_party_key;

typedef struct lk_party_find {
  lk_party_key by;
  const char *key;        /* normalised address, BSN or name prefix */
  const char *after_name; /* by name: the cursor's name ("" at the start) */
  int64_t after_seq;      /* the cursor's seq (0 at the start) */
  bool confidential;      /* include confidential parties */
  int limit;
} lk_party_find;

/* Parties matching `f`, ordered by seq (by name: by name, then seq),
 * starting after the cursor, at most f->limit.  Returns the number found
 * or a negative LK_STORE_* code. */
int lk_store_party_find(lk_store *s, const lk_party_find *f, lk_party_fn fn,
                        void *ud);

/* ---- the resident card ------------------------------------------------- */

typedef struct lk_identifier_row {
  const char *id;
  const char *object_type; /* codeObjecttype */
  const char *register_;   /* codeRegister */
  const char *id_type;     /* codeSoortObjectId: bsn, kvk_nummer ... */
  const char *object_id;   /* objectId: the BSN itself for a bsn */
  const char *other;       /* anderePartijIdentificator */
  const char *sub_of;      /* subIdentificatorVan, "" if none */
} lk_identifier_row;

typedef struct lk_address_row {
  const char *id;
  const char *kind; /* email, telefoonnummer, overig */
  const char *address;
  const char *description;
  const char *reference;
  const char *verified_on; /* "YYYY-MM-DD", "" if not verified */
  bool is_default;
} lk_address_row;

typedef struct lk_conversation_brief {
  const char *id;
  const char *reference;
  const char *party_id;
  const char *subject;
  const char *channel;
  const char *status;
  const char *assignee_id; /* "" if none */
  int priority;
  bool confidential;
  int64_t created_at;
  int64_t last_message_at;
} lk_conversation_brief;

typedef struct lk_task_brief {
  const char *id;
  const char *nummer;
  const char *kind;
  const char *action;
  const char *status;
  const char *contact_id;
  const char *conversation_id;
  int64_t deadline; /* 0 if none */
  int64_t assigned_at;
  int64_t created_at;
} lk_task_brief;

/* What the card is made of, in the order the callbacks are called.  Any
 * callback may be NULL. */
typedef struct lk_card_visitor {
  void (*party)(const lk_party_row *p, void *ud);
  void (*merged)(const char *party_id, void *ud); /* merged into this one */
  void (*identifier)(const lk_identifier_row *r, void *ud);
  void (*address)(const lk_address_row *r, void *ud);
  void (*channel_count)(const char *channel, int64_t n, void *ud);
  void (*conversation)(const lk_conversation_brief *c, void *ud);
  void (*task)(const lk_task_brief *t, void *ud);
} lk_card_visitor;

#define LK_CARD_LIST_MAX 100 /* most rows of each list on a card */

/* Reads the card of party `id` in one snapshot: the party, the parties
 * merged into it, its identifiers and digital addresses (its own), then
 * over its whole history the number of conversations per channel, the
 * `recent` most recent conversations and up to `tasks` open tasks
 * (te_verwerken) of contacts in its conversations, soonest deadline
 * first.  LK_STORE_NOTFOUND if the party is unknown or hidden. */
int lk_store_resident_card(lk_store *s, const char *id, bool confidential,
                           int recent, int tasks, const lk_card_visitor *v,
                           void *ud);

/* ---- the timeline ------------------------------------------------------ */

typedef struct lk_timeline_row {
  int64_t seq;
  const char *id;
  const char *conversation_id; /* "" if none */
  const char *party_id;        /* the conversation's party, "" if none */
  const char *kind;            /* inbound, outbound, note */
  const char *channel;
  const char *subject;
  const char *content; /* the first 400 characters at most */
  int64_t occurred_at;
  bool confidential; /* the contact's, its conversation's or that
                        conversation's party's flag */
  bool involved;     /* found through a betrokkene, not a conversation */
} lk_timeline_row;

typedef void (*lk_timeline_fn)(const lk_timeline_row *r, void *ud);

/* Every contact of the history of party `id`: those of its conversations
 * and those it is involved in (betrokkene), newest first (occurred_at,
 * then seq), strictly before the cursor (before_time, before_seq; use
 * INT64_MAX for both at the start), at most `limit`.  Returns the number
 * of rows, or LK_STORE_NOTFOUND if the party is unknown or hidden. */
int lk_store_resident_timeline(lk_store *s, const char *id, bool confidential,
                               int64_t before_time, int64_t before_seq,
                               int limit, lk_timeline_fn fn, void *ud);

#endif
