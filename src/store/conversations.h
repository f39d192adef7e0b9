/* conversations.h - the rows behind conversations, their contacts
 * (messages and internal notes), the parties they are linked to and the
 * counters behind their references.
 *
 * Writes (lk_tx) run inside the store writer; every lookup they make uses
 * a unique or covering index, so a creation stays a handful of b-tree
 * steps.  Reads borrow a pooled reader.  Visibility is the caller's
 * business except for confidentiality, which every function that returns
 * or accepts an existing row checks itself when `may_confidential` is
 * false: a confidential row then behaves exactly like a missing one
 * (LK_STORE_NOTFOUND).
 *
 * Functions return 0 or a negative LK_STORE_* code.  Text pointers in the
 * *_view structs handed to callbacks are valid only during the callback.
 */
#ifndef LK_STORE_CONVERSATIONS_H
#define LK_STORE_CONVERSATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_CONV_ID_LEN 36
#define LK_CONV_REF_MAX 24
#define LK_CONV_SUBJECT_MAX 200
#define LK_PARTY_NAME_MAX 200
#define LK_CONV_PREVIEW_CHARS 140

/* ---- counters ------------------------------------------------------- */

/* Increments counter `name` (created at 1) and returns its new value. */
int lk_store_counter_next(lk_tx *tx, const char *name, int64_t *value);

/* ---- parties and addresses (the few columns identity linking needs) -- */

/* The party that verified address `key` of `kind`, following a merge to
 * the survivor, and whether it is confidential (geheimhouding).
 * LK_STORE_NOTFOUND if no party verified it. */
int lk_store_party_by_verified_address(lk_tx *tx, const char *kind,
                                       const char *key, char *party_id,
                                       char *party_name, size_t name_size,
                                       bool *confidential);
/* A party's display name if it exists (and, unless `may_confidential`,
 * is not confidential); follows a merge to the survivor, whose id is then
 * written to `party_id` (which must hold LK_CONV_ID_LEN + 1 bytes). */
int lk_store_party_check(lk_tx *tx, char *party_id, bool may_confidential,
                         char *name, size_t name_size, bool *confidential);
/* Inserts a new person with number `nummer` (10 digits). */
int lk_store_party_insert_person(lk_tx *tx, const char *id, const char *nummer,
                                 const char *display_name);
/* Inserts an unverified address of `party_id`; `is_default` must be
 * false if the party already has a default of that kind. */
int lk_store_address_insert(lk_tx *tx, const char *id, const char *party_id,
                            const char *kind, const char *address,
                            const char *key, bool is_default);

/* ---- conversation rows ---------------------------------------------- */

typedef struct lk_conv_row {
  int64_t seq;
  char id[LK_CONV_ID_LEN + 1];
  char reference[LK_CONV_REF_MAX + 1];
  char party_id[LK_CONV_ID_LEN + 1];
  char party_name[LK_PARTY_NAME_MAX + 1];
  char subject[LK_CONV_SUBJECT_MAX + 1];
  char channel[16];
  char status[12];
  char team_id[LK_CONV_ID_LEN + 1];     /* "" if none */
  char assignee_id[LK_CONV_ID_LEN + 1]; /* "" if none */
  char language[8];
  int priority; /* 0 low .. 3 urgent */
  bool confidential;
  int64_t version;
  int64_t created_at;
  int64_t updated_at;
  int64_t last_message_at;
  int64_t snoozed_until;     /* 0 if not snoozed */
  int64_t first_response_at; /* 0 if none yet */
  int64_t resolved_at;       /* 0 if not resolved */
  int64_t waiting_since;     /* 0 if not queued */
} lk_conv_row;

/* True if the team exists (an actor of kind organisatorische_eenheid). */
int lk_store_team_check(lk_tx *tx, const char *team_id);
int lk_store_conv_insert(lk_tx *tx, const lk_conv_row *c);
/* Links a category; LK_STORE_NOTFOUND if there is no such category. */
int lk_store_conv_category_add(lk_tx *tx, const char *conv_id,
                               const char *category_id);
int lk_store_conv_categories_clear(lk_tx *tx, const char *conv_id);
/* Reads a conversation for changing it (the party name is not filled). */
int lk_store_conv_lock(lk_tx *tx, const char *id, bool may_confidential,
                       lk_conv_row *out);
/* Writes back every changeable column of `c` (status, snoozed_until,
 * priority, subject, team_id, assignee_id, version, updated_at,
 * last_message_at, first_response_at, resolved_at, waiting_since). */
int lk_store_conv_save(lk_tx *tx, const lk_conv_row *c);

/* ---- contacts (klantcontacten) -------------------------------------- */

typedef struct lk_contact_row {
  const char *id;
  const char *conversation_id;
  const char *kind; /* inbound, outbound, note */
  const char *nummer;
  const char *channel;
  const char *subject;
  const char *content;
  const char *language;
  bool confidential;
  int64_t occurred_at;
  const char *author_id;  /* actor uuid or NULL */
  const char *client_key; /* idempotency key or NULL */
  const char *delivery;   /* "", "queued" */
  int64_t seq;            /* filled by reads */
} lk_contact_row;

int lk_store_contact_insert(lk_tx *tx, const lk_contact_row *c);
/* The contact stored under `client_key` and its conversation. */
int lk_store_contact_by_client_key(lk_tx *tx, const char *client_key,
                                   char conv_id[LK_CONV_ID_LEN + 1],
                                   char contact_id[LK_CONV_ID_LEN + 1]);
/* LK_STORE_NOTFOUND unless the klantcontact exists, is not a note and is
 * visible. */
int lk_store_contact_check(lk_tx *tx, const char *id, bool may_confidential);
/* A betrokkene: `party_id` took part in the contact as klant. */
int lk_store_involved_insert(lk_tx *tx, const char *id, const char *contact_id,
                             const char *party_id, const char *contact_name,
                             bool initiator);
/* An actorklantcontact: staff member `actor_id` took part. */
int lk_store_contact_actor_insert(lk_tx *tx, const char *id,
                                  const char *actor_id, const char *contact_id);
/* wasKlantcontact: `contact_id` continues `was_contact_id`. */
int lk_store_subject_object_was(lk_tx *tx, const char *id,
                                const char *contact_id,
                                const char *was_contact_id);

/* ---- reads ---------------------------------------------------------- */

int lk_store_conv_get(lk_store *s, const char *id, bool may_confidential,
                      lk_conv_row *out);

typedef void (*lk_conv_category_fn)(const char *id, const char *name, void *ud);
int lk_store_conv_categories(lk_store *s, const char *conv_id,
                             lk_conv_category_fn fn, void *ud);

typedef void (*lk_contact_fn)(const lk_contact_row *c, void *ud);
/* Contacts of a conversation in the order they happened, after the
 * contact with seq `after_seq` (0 from the start), at most `limit`.
 * Confidential contacts are left out unless `may_confidential`.  Returns
 * the number listed. */
int lk_store_conv_timeline(lk_store *s, const char *conv_id,
                           bool may_confidential, int64_t after_seq, int limit,
                           lk_contact_fn fn, void *ud);

typedef struct lk_attachment_view {
  const char *id;
  const char *contact_id;
  const char *sha256;
  const char *filename;
  const char *media_type;
  int64_t size;
  int64_t created_at;
} lk_attachment_view;
typedef void (*lk_attachment_fn)(const lk_attachment_view *a, void *ud);
/* Attachments of the conversation's contacts with seq in (from, to]. */
int lk_store_conv_attachments(lk_store *s, const char *conv_id,
                              int64_t from_seq, int64_t to_seq,
                              lk_attachment_fn fn, void *ud);

/* The inbox: which conversations to list.  NULL or "" means no filter. */
typedef struct lk_conv_filter {
  const char *status;
  const char *channel;
  const char *team_id;
  const char *assignee_id; /* an actor uuid */
  bool unassigned;         /* assignee_id IS NULL */
  const char *category_id;
  const char *party_id;
  int64_t from;    /* last_message_at >= from (0: none) */
  int64_t to;      /* last_message_at < to (0: none) */
  const char *fts; /* search only: an FTS5 query from lk_store_fts_query() */
  bool may_confidential;
  /* cursor: list what comes after (last_message_at, seq), newest first;
   * search uses after_seq alone (the FTS rowid) */
  bool after;
  int64_t after_time;
  int64_t after_seq;
  int limit;
} lk_conv_filter;

/* A conversation as the inbox lists it; `preview` is the start of the
 * newest visible message. */
typedef struct lk_conv_item {
  const lk_conv_row *row;
  const char *preview;
} lk_conv_item;
typedef void (*lk_conv_item_fn)(const lk_conv_item *it, void *ud);
/* Lists conversations matching `f` by last_message_at, newest first.
 * Returns the number listed. */
int lk_store_conv_list(lk_store *s, const lk_conv_filter *f, lk_conv_item_fn fn,
                       void *ud);
/* The SQL of lk_store_conv_list() for `f`, for EXPLAIN in tests and
 * benchmarks; NULL on allocation failure.  Do not free. */
const char *lk_store_conv_list_sql(const lk_conv_filter *f);

#endif
