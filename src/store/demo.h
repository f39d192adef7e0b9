/* demo.h - bulk inserts for `loket demo`: the rows of a whole fictitious
 * contact centre, written in large transactions.
 *
 * Only the demo generator uses this.  Every function runs inside a write
 * (lk_write_fn) on the writer thread and inserts one row with a cached
 * prepared statement; the caller packs thousands of them into one write so
 * that a million contacts commit in a few hundred transactions.  The
 * full-text index follows by the schema's triggers.  Rows are written as
 * given: the generator is responsible for their invariants (one default
 * address per kind, unique verified addresses, valid BSNs).
 *
 * String fields may be NULL where the column allows NULL; all return 0 or a
 * negative LK_STORE_* code (LK_STORE_CONFLICT for a taken unique key).
 */
#ifndef LK_STORE_DEMO_H
#define LK_STORE_DEMO_H

#include "store/store.h"

typedef struct lk_demo_party {
  const char *id, *nummer, *kind, *display_name, *identification;
  const char *works_for, *preferred_address_id;
  const char *visiting_address, *postal_address;
  int confidential;
  int64_t created_at;
} lk_demo_party;

typedef struct lk_demo_identifier {
  const char *id, *party_id, *object_type, *reg, *id_type, *object_id;
  int64_t created_at;
} lk_demo_identifier;

typedef struct lk_demo_address {
  const char *id, *party_id, *kind, *address, *address_key, *description;
  const char *verified_on; /* 'YYYY-MM-DD' or NULL */
  int is_default;
  int64_t created_at;
} lk_demo_address;

typedef struct lk_demo_actor {
  const char *id, *kind, *name, *identificator, *identification, *user_id;
  const char *presence;
  int capacity;
  int64_t created_at;
} lk_demo_actor;

typedef struct lk_demo_conversation {
  const char *id, *reference, *party_id, *subject, *channel, *status;
  const char *team_id, *assignee_id;
  int priority, confidential, version;
  int64_t snoozed_until; /* 0: NULL, as the times below */
  int64_t created_at, updated_at, last_message_at;
  int64_t first_response_at, resolved_at, waiting_since;
} lk_demo_conversation;

typedef struct lk_demo_contact {
  const char *id, *conversation_id, *kind, *nummer, *reference, *channel;
  const char *subject, *content, *main_topic_type, *author_id, *delivery;
  int confidential, succeeded; /* succeeded < 0: NULL */
  int further_action;
  int64_t occurred_at;
} lk_demo_contact;

typedef struct lk_demo_involved {
  const char *id, *contact_id, *party_id, *role, *contact_name;
  int initiator;
  int64_t created_at;
} lk_demo_involved;

typedef struct lk_demo_subject {
  const char *id, *contact_id, *was_contact_id;
  const char *object_id, *object_type, *reg, *id_type;
  int64_t created_at;
} lk_demo_subject;

typedef struct lk_demo_task {
  const char *id, *nummer, *reference, *contact_id, *kind, *action;
  const char *explanation, *status;
  int64_t deadline, assigned_at, done_at, created_at; /* done_at 0: NULL */
} lk_demo_task;

/* Makes the writer's page cache large for the bulk load (the setting lasts
 * as long as the connection, i.e. this process). */
int lk_store_demo_tune(lk_tx *tx);

int lk_store_demo_party(lk_tx *tx, const lk_demo_party *p);
int lk_store_demo_identifier(lk_tx *tx, const lk_demo_identifier *i);
int lk_store_demo_address(lk_tx *tx, const lk_demo_address *a);
int lk_store_demo_actor(lk_tx *tx, const lk_demo_actor *a);
int lk_store_demo_team_member(lk_tx *tx, const char *team_id,
                              const char *actor_id);
/* Creates the category unless one of that name exists; its id (new or
 * existing) is copied into `id_out` (37 bytes). */
int lk_store_demo_category(lk_tx *tx, const char *id, const char *name,
                           int64_t now, char *id_out);
int lk_store_demo_conversation(lk_tx *tx, const lk_demo_conversation *c);
int lk_store_demo_conversation_category(lk_tx *tx, const char *conversation_id,
                                        const char *category_id);
int lk_store_demo_contact(lk_tx *tx, const lk_demo_contact *c);
int lk_store_demo_involved(lk_tx *tx, const lk_demo_involved *b);
int lk_store_demo_contact_actor(lk_tx *tx, const char *id, const char *actor_id,
                                const char *contact_id, int64_t created_at);
int lk_store_demo_subject(lk_tx *tx, const lk_demo_subject *s);
int lk_store_demo_task(lk_tx *tx, const lk_demo_task *t);
int lk_store_demo_task_assignee(lk_tx *tx, const char *task_id,
                                const char *actor_id, int position);
/* Raises counter `name` to at least `value`. */
int lk_store_demo_counter(lk_tx *tx, const char *name, int64_t value);
/* The current value of counter `name` (0 if none) in *out. */
int lk_store_demo_counter_get(lk_tx *tx, const char *name, int64_t *out);

/* How many parties and conversations the database holds: the demo refuses
 * to mix its data with residents' data that is already there. */
int lk_store_demo_rows(lk_store *s, int64_t *out);

#endif
