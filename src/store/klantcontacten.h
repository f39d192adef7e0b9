/* klantcontacten.h - the SQL of klantcontacten and what hangs off them:
 * betrokkenen (involved), bijlagen (attachments), onderwerpobjecten
 * (subject_objects) and actorklantcontacten (contact_actors), tables of
 * 0003_contact.sql.
 *
 * Visibility: a contact is served only if it is inbound or outbound
 * (internal notes never are) and, unless the caller has confidential
 * access, neither it nor its conversation is confidential.  Everything
 * hanging off a hidden contact is hidden with it; every read takes the
 * caller's access as `confidential` and answers LK_STORE_NOTFOUND for what
 * it may not see, exactly as for an unknown id.
 *
 * A contact is read through a callback (its texts may be long: messages
 * that arrived by e-mail); the other rows are small and copied into
 * fixed-size structs.  Writes take the writer's transaction.  Every
 * function returns 0 or a negative LK_STORE_* code.
 */
#ifndef LK_STORE_KLANTCONTACTEN_H
#define LK_STORE_KLANTCONTACTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_KC_ID 37          /* a uuid and its NUL */
#define LK_KC_IDS 2400       /* up to 64 uuids, space separated */
#define LK_KC_SHORT 41       /* 10 characters of UTF-8 */
#define LK_KC_TEXT200 801    /* 200 characters */
#define LK_KC_TEXT1000 4001  /* 1000 characters */
#define LK_KC_TEXT4000 16001 /* 4000 characters */
#define LK_KC_GROUP 4096     /* a nested group as JSON object text */
#define LK_KC_METADATA 16384 /* metadata as JSON object text */

/* ---- klantcontacten --------------------------------------------------- */

/* A contact as read.  Strings are valid during the callback only. */
typedef struct lk_kc_contact {
  const char *id;
  const char *conversation_id; /* "" if none */
  const char *kind;            /* inbound, outbound */
  const char *nummer;          /* "" if none */
  const char *reference;       /* referentienummer */
  const char *channel;
  const char *subject;
  const char *content;
  const char *reply;
  const char *language;
  const char *main_topic_type;
  const char *metadata; /* JSON object text */
  int confidential;
  int succeeded; /* -1 unknown */
  int further_action;
  int64_t occurred_at;
  const char *party_id; /* the resident: conversation's or a betrokkene's */
  /* Reverse relations, space-separated uuids, oldest first. */
  const char *involved_ids;
  const char *subject_ids;
  const char *attachment_ids;
  const char *actor_ids; /* of the actoren (not the link rows) */
  const char *task_ids;
} lk_kc_contact;

typedef void (*lk_kc_contact_fn)(const lk_kc_contact *c, void *ud);

/* Calls `fn` with contact `id` if the caller may see it. */
int lk_store_kc_contact_get(lk_store *s, const char *id, bool confidential,
                            lk_kc_contact_fn fn, void *ud);

/* What the Klantinteracties API writes of a contact. */
typedef struct lk_kc_contact_w {
  char id[LK_KC_ID];
  char nummer[LK_KC_SHORT]; /* "" assigns the next number */
  char reference[LK_KC_SHORT];
  char channel[LK_KC_TEXT200];
  char subject[LK_KC_TEXT200];
  char content[LK_KC_TEXT1000];
  char reply[LK_KC_TEXT4000];
  char language[16];
  char main_topic_type[LK_KC_TEXT200];
  char metadata[LK_KC_METADATA];
  int confidential;
  int succeeded; /* -1 unknown */
  int further_action;
  int64_t occurred_at;
} lk_kc_contact_w;

/* Inserts an inbound contact without a conversation.  An empty nummer is
 * assigned from the "contact" counter and written back. */
int lk_store_kc_contact_insert(lk_tx *tx, lk_kc_contact_w *c);
/* Overwrites the columns above, except that an empty nummer keeps the
 * one assigned: a number people quote does not go away.
 * LK_STORE_NOTFOUND if there is no such contact (or it is a note). */
int lk_store_kc_contact_update(lk_tx *tx, const lk_kc_contact_w *c);
/* Deletes the contact with its betrokkenen (and the digital addresses
 * only they gave), bijlagen, onderwerpobjecten, actor links and tasks;
 * onderwerpobjecten that named it as wasKlantcontact lose that link. */
int lk_store_kc_contact_delete(lk_tx *tx, const char *id);
/* 0 if contact `id` exists and the caller may see it, else
 * LK_STORE_NOTFOUND.  Also reports its confidentiality and resident. */
int lk_store_kc_contact_check(lk_tx *tx, const char *id, bool confidential,
                              int *is_confidential, char party_id[LK_KC_ID]);
/* Whether a nummer is taken by another contact than `except_id`. */
int lk_store_kc_contact_nummer_taken(lk_tx *tx, const char *nummer,
                                     const char *except_id, bool *taken);

/* ---- betrokkenen ------------------------------------------------------ */

typedef struct lk_kc_involved {
  char id[LK_KC_ID];
  char contact_id[LK_KC_ID];
  char party_id[LK_KC_ID]; /* "" if none */
  char role[24];           /* klant, vertegenwoordiger */
  int initiator;
  char organisation[LK_KC_TEXT200];
  char contact_name[LK_KC_GROUP];     /* JSON object, "" for null */
  char visiting_address[LK_KC_GROUP]; /* JSON object, "" for null */
  char postal_address[LK_KC_GROUP];   /* JSON object, "" for null */
  char address_ids[LK_KC_IDS];        /* digitaleAdressen (read only) */
} lk_kc_involved;

int lk_store_kc_involved_get(lk_store *s, const char *id, bool confidential,
                             lk_kc_involved *out);
int lk_store_kc_involved_insert(lk_tx *tx, const lk_kc_involved *b);
int lk_store_kc_involved_update(lk_tx *tx, const lk_kc_involved *b);
/* Deletes the betrokkene; digital addresses it alone gave go with it. */
int lk_store_kc_involved_delete(lk_tx *tx, const char *id);
/* The contact of betrokkene `id` (for the checks of a change). */
int lk_store_kc_involved_contact(lk_tx *tx, const char *id,
                                 char contact_id[LK_KC_ID]);

/* ---- bijlagen --------------------------------------------------------- */

typedef struct lk_kc_attachment {
  char id[LK_KC_ID];
  char contact_id[LK_KC_ID];       /* "" if none */
  char identificator[LK_KC_GROUP]; /* JSON object, "" for null */
  char party_id[LK_KC_ID];         /* its contact's resident (read only) */
} lk_kc_attachment;

int lk_store_kc_attachment_get(lk_store *s, const char *id, bool confidential,
                               lk_kc_attachment *out);
int lk_store_kc_attachment_insert(lk_tx *tx, const lk_kc_attachment *a);
int lk_store_kc_attachment_update(lk_tx *tx, const lk_kc_attachment *a);
int lk_store_kc_attachment_delete(lk_tx *tx, const char *id);

/* ---- onderwerpobjecten ------------------------------------------------ */

typedef struct lk_kc_subject {
  char id[LK_KC_ID];
  char contact_id[LK_KC_ID];     /* klantcontact, "" if none */
  char was_contact_id[LK_KC_ID]; /* wasKlantcontact, "" if none */
  int has_identificator;         /* onderwerpobjectidentificator given */
  char object_id[LK_KC_TEXT200];
  char object_type[LK_KC_TEXT200];
  char register_[LK_KC_TEXT200];
  char id_type[LK_KC_TEXT200];
  char party_id[LK_KC_ID]; /* its contact's resident (read only) */
} lk_kc_subject;

int lk_store_kc_subject_get(lk_store *s, const char *id, bool confidential,
                            lk_kc_subject *out);
int lk_store_kc_subject_insert(lk_tx *tx, const lk_kc_subject *o);
int lk_store_kc_subject_update(lk_tx *tx, const lk_kc_subject *o);
int lk_store_kc_subject_delete(lk_tx *tx, const char *id);

/* ---- actorklantcontacten ---------------------------------------------- */

typedef struct lk_kc_contact_actor {
  char id[LK_KC_ID];
  char actor_id[LK_KC_ID];
  char contact_id[LK_KC_ID];
  char party_id[LK_KC_ID]; /* its contact's resident (read only) */
} lk_kc_contact_actor;

int lk_store_kc_contact_actor_get(lk_store *s, const char *id,
                                  bool confidential, lk_kc_contact_actor *out);
/* LK_STORE_CONFLICT if the actor is already linked to the contact. */
int lk_store_kc_contact_actor_insert(lk_tx *tx, const lk_kc_contact_actor *l);
int lk_store_kc_contact_actor_update(lk_tx *tx, const lk_kc_contact_actor *l);
int lk_store_kc_contact_actor_delete(lk_tx *tx, const char *id);

/* ---- references inside a write ---------------------------------------- */

/* Whether contact `contact_id` (or its conversation) or party `party_id`
 * is confidential; either may be "" or gone. */
int lk_store_kc_confidential(lk_tx *tx, const char *contact_id,
                             const char *party_id, bool *out);
/* 0 if party `id` exists and the caller may see it (a party with
 * indicatieGeheimhouding needs confidential access), else
 * LK_STORE_NOTFOUND. */
int lk_store_kc_party_ok(lk_tx *tx, const char *id, bool confidential);
/* 0 if actor `id` exists, else LK_STORE_NOTFOUND. */
int lk_store_kc_actor_ok(lk_tx *tx, const char *id);

/* ---- lists ------------------------------------------------------------ */

/* Pages of the Klantinteracties lists: each is a pair of statements for
 * lk_store_ki_page() (store/kiquery.h): parameter ?1 is "1" when the
 * caller has confidential access, ?2.. the list's filters in the order
 * given in klantcontacten.c. */
extern const char lk_kc_contact_count_sql[], lk_kc_contact_page_sql[];
extern const char lk_kc_involved_count_sql[], lk_kc_involved_page_sql[];
extern const char lk_kc_attachment_count_sql[], lk_kc_attachment_page_sql[];
extern const char lk_kc_subject_count_sql[], lk_kc_subject_page_sql[];
extern const char lk_kc_contact_actor_count_sql[],
    lk_kc_contact_actor_page_sql[];

#endif
