/* klantcontact.h - klantcontacten and what hangs off them, after the
 * Klantinteracties information model: betrokkenen, bijlagen,
 * onderwerpobjecten (with the wasKlantcontact link of a contact that
 * continues an earlier one) and actorklantcontacten.
 *
 * The Klantinteracties API (src/api/ki/) validates a request body member
 * by member and fills an lk_kc_op; the apply functions below run in the
 * store writer and check, inside the transaction, what only the database
 * knows: that every referenced contact exists and is one the caller may
 * see (a confidential contact, or one in a confidential conversation,
 * exists only for callers with confidential access; internal notes exist
 * for nobody here), that a referenced party is visible, that an actor
 * exists, that a nummer is free.  Such a failure fills the op's
 * lk_change fail_* members and returns LK_EINVALID (the API answers 400
 * naming the member); an item that vanished or is hidden gives
 * LK_STORE_NOTFOUND (404).
 *
 * Every change commits with its event (contact.added, payload
 * {"id": contact, "resource", "item", "operation"}: the event list has no
 * separate type for changes to a contact's parts), an audit entry and a
 * processing-log entry for the resident the contact is about.
 *
 * A contact created here has no conversation (conversation_id NULL) and
 * kind inbound; its nummer, when not given, comes from the "contact"
 * counter.
 */
#ifndef LK_KLANTCONTACT_H
#define LK_KLANTCONTACT_H

#include <stdbool.h>

#include "core/change.h"
#include "store/klantcontacten.h"

typedef enum lk_kc_mode {
  LK_KC_CREATE,
  LK_KC_UPDATE, /* PUT and PATCH: the op carries the whole new item */
  LK_KC_DELETE
} lk_kc_mode;

/* One write of any of the resources; apply functions read the parts that
 * belong to them.  Allocate it whole (it is large) and free it whole. */
typedef struct lk_kc_op {
  lk_change head; /* first: uuid of the item written, actor, failures */
  lk_kc_mode mode;
  bool confidential; /* the caller may see confidential contacts */
  lk_kc_contact_w contact;
  lk_kc_involved involved;
  bool has_involved; /* maak-klantcontact: a betrokkene was given */
  lk_kc_subject subject;
  bool has_subject; /* maak-klantcontact: an onderwerpobject was given */
  lk_kc_attachment attachment;
  lk_kc_contact_actor link;
} lk_kc_op;

/* Prepares `op` for `mode` on the item `uuid` (NULL for a create: a new
 * UUIDv7 is drawn).  The caller then fills the resource's part. */
void lk_kc_op_begin(lk_kc_op *op, lk_kc_mode mode, const char *uuid,
                    bool confidential);

/* lk_write_fn for klantcontacten (op->contact; head.uuid is its id). */
int lk_kc_contact_apply(lk_tx *tx, void *arg);
/* lk_write_fn for betrokkenen (op->involved). */
int lk_kc_involved_apply(lk_tx *tx, void *arg);
/* lk_write_fn for bijlagen (op->attachment). */
int lk_kc_attachment_apply(lk_tx *tx, void *arg);
/* lk_write_fn for onderwerpobjecten (op->subject). */
int lk_kc_subject_apply(lk_tx *tx, void *arg);
/* lk_write_fn for actorklantcontacten (op->link). */
int lk_kc_contact_actor_apply(lk_tx *tx, void *arg);
/* lk_write_fn for maak-klantcontact: op->contact, and op->involved and
 * op->subject when given, in one transaction: if any part fails, nothing
 * is written.  head.uuid is the new contact's id. */
int lk_kc_maak_apply(lk_tx *tx, void *arg);

/* The full name a betrokkene goes by, from its contactnaam JSON text
 * (voornaam, or else voorletters, then voorvoegselAchternaam and
 * achternaam, joined by single spaces), into `out`. */
void lk_kc_full_name(const char *contact_name, char *out, size_t size);

#endif
