/* klantcontact.c - the rules of klantcontacten and their parts. */
#include "core/klantcontact.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/token.h" /* LK_EINVALID */
#include "store/proclog.h"
#include "util/buf.h"
#include "util/clock.h"

void lk_kc_op_begin(lk_kc_op *op, lk_kc_mode mode, const char *uuid,
                    bool confidential) {
  op->mode = mode;
  op->confidential = confidential;
  op->contact.succeeded = -1;
  if (uuid != NULL)
    snprintf(op->head.uuid, sizeof(op->head.uuid), "%s", uuid);
  else
    lk_uuid_new(op->head.uuid, lk_clock_real_ms());
}

void lk_kc_full_name(const char *contact_name, char *out, size_t size) {
  static const char *const parts[] = {"voorvoegselAchternaam", "achternaam"};
  json_t *o = contact_name[0] != '\0'
                  ? json_loads(contact_name, JSON_REJECT_DUPLICATES, NULL)
                  : NULL;
  lk_buf b = LK_BUF_INIT;
  const char *first;

  out[0] = '\0';
  if (!json_is_object(o)) {
    json_decref(o);
    return;
  }
  first = json_string_value(json_object_get(o, "voornaam"));
  if (first == NULL || *first == '\0')
    first = json_string_value(json_object_get(o, "voorletters"));
  if (first != NULL && *first != '\0')
    lk_buf_puts(&b, first);
  for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    const char *s = json_string_value(json_object_get(o, parts[i]));

    if (s == NULL || *s == '\0')
      continue;
    if (b.len > 0)
      lk_buf_putc(&b, ' ');
    lk_buf_puts(&b, s);
  }
  if (lk_buf_ok(&b) && b.data != NULL)
    snprintf(out, size, "%s", b.data);
  lk_buf_free(&b);
  json_decref(o);
}

/* ---- what every change records ---------------------------------------- */

static const char *operation_of(lk_kc_mode mode) {
  return mode == LK_KC_CREATE   ? "create"
         : mode == LK_KC_UPDATE ? "update"
                                : "delete";
}

/* The event, the audit entry and the processing-log entry of a change to
 * `resource` item `item` of contact `contact_id` (may be "") about
 * resident `party_id` (may be ""). */
static int changed(lk_tx *tx, lk_kc_op *op, const char *resource,
                   const char *item, const char *contact_id,
                   const char *party_id) {
  const char *operation = operation_of(op->mode);
  lk_buf p = LK_BUF_INIT;
  char action[64];
  char where[96];
  lk_proclog_entry e;
  bool confidential = false;
  int rc;

  rc = lk_store_kc_confidential(tx, contact_id, party_id, &confidential);
  if (rc != 0)
    return rc;
  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, contact_id);
  lk_buf_puts(&p, ",\"resource\":");
  lk_buf_json_str(&p, resource);
  lk_buf_puts(&p, ",\"item\":");
  lk_buf_json_str(&p, item);
  lk_buf_puts(&p, ",\"operation\":");
  lk_buf_json_str(&p, operation);
  /* The stream withholds it from who may not see it. */
  lk_buf_puts(&p, confidential ? ",\"confidential\":true}" : "}");
  if (!lk_buf_ok(&p))
    return LK_STORE_NOMEM;
  rc = lk_tx_emit(tx, "contact.added",
                  contact_id[0] != '\0' ? contact_id : item, p.data);
  snprintf(action, sizeof(action), "%s.%s", resource, operation);
  if (rc == 0)
    rc = lk_store_audit(tx, op->head.actor, action, item, p.data);
  lk_buf_free(&p);
  if (rc != 0)
    return rc;
  snprintf(where, sizeof(where), "%s:%s", resource, item);
  e = (lk_proclog_entry){op->head.actor,     party_id, operation,
                         "klantcontact",     where,    NULL,
                         op->head.request_id};
  return lk_store_proclog_insert(tx, &e);
}

/* A contact named in the body at `name`: it must exist and be visible. */
static int contact_ref(lk_tx *tx, lk_kc_op *op, const char *id,
                       const char *name, char party_id[LK_KC_ID]) {
  int rc;

  if (id[0] == '\0')
    return 0;
  rc = lk_store_kc_contact_check(tx, id, op->confidential, NULL, party_id);
  if (rc == LK_STORE_NOTFOUND)
    return lk_change_fail(&op->head, LK_EINVALID, name, "does_not_exist",
                          "Ongeldige uuid - object bestaat niet.");
  return rc;
}

static int party_ref(lk_tx *tx, lk_kc_op *op, const char *id,
                     const char *name) {
  int rc;

  if (id[0] == '\0')
    return 0;
  rc = lk_store_kc_party_ok(tx, id, op->confidential);
  if (rc == LK_STORE_NOTFOUND)
    return lk_change_fail(&op->head, LK_EINVALID, name, "does_not_exist",
                          "Ongeldige uuid - object bestaat niet.");
  return rc;
}

/* ---- klantcontacten --------------------------------------------------- */

static int contact_write(lk_tx *tx, lk_kc_op *op, const char *prefix) {
  lk_kc_contact_w *c = &op->contact;
  char name[64];
  bool taken = false;
  int rc;

  memcpy(c->id, op->head.uuid, sizeof(c->id));
  if (c->nummer[0] != '\0') {
    rc = lk_store_kc_contact_nummer_taken(tx, c->nummer, c->id, &taken);
    if (rc != 0)
      return rc;
    if (taken) {
      snprintf(name, sizeof(name), "%snummer", prefix);
      return lk_change_fail(&op->head, LK_EINVALID, name, "unique",
                            "Er bestaat al een klantcontact met dit nummer.");
    }
  }
  if (op->mode == LK_KC_CREATE)
    return lk_store_kc_contact_insert(tx, c);
  return lk_store_kc_contact_update(tx, c);
}

int lk_kc_contact_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  char party[LK_KC_ID] = "";
  int rc;

  if (op->mode != LK_KC_CREATE) {
    rc = lk_store_kc_contact_check(tx, op->head.uuid, op->confidential, NULL,
                                   party);
    if (rc != 0)
      return rc;
  }
  if (op->mode == LK_KC_DELETE)
    rc = lk_store_kc_contact_delete(tx, op->head.uuid);
  else
    rc = contact_write(tx, op, "");
  if (rc != 0)
    return rc;
  return changed(tx, op, "klantcontact", op->head.uuid, op->head.uuid, party);
}

/* ---- betrokkenen ------------------------------------------------------ */

/* For a change or a deletion: the item must still be there and visible.
 * Its contact's resident goes into `party`. */
static int involved_current(lk_tx *tx, lk_kc_op *op, char contact[LK_KC_ID],
                            char party[LK_KC_ID]) {
  int rc = lk_store_kc_involved_contact(tx, op->head.uuid, contact);

  if (rc == 0)
    rc = lk_store_kc_contact_check(tx, contact, op->confidential, NULL, party);
  return rc;
}

static int involved_write(lk_tx *tx, lk_kc_op *op, const char *prefix,
                          char party[LK_KC_ID]) {
  lk_kc_involved *b = &op->involved;
  char name[64];
  int rc;

  memcpy(b->id, op->head.uuid, sizeof(b->id));
  snprintf(name, sizeof(name), "%shadKlantcontact", prefix);
  rc = contact_ref(tx, op, b->contact_id, name, party);
  if (rc != 0)
    return rc;
  snprintf(name, sizeof(name), "%swasPartij", prefix);
  rc = party_ref(tx, op, b->party_id, name);
  if (rc != 0)
    return rc;
  if (b->party_id[0] != '\0')
    memcpy(party, b->party_id, LK_KC_ID);
  if (op->mode == LK_KC_CREATE)
    return lk_store_kc_involved_insert(tx, b);
  return lk_store_kc_involved_update(tx, b);
}

int lk_kc_involved_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  char party[LK_KC_ID] = "";
  char contact[LK_KC_ID] = "";
  int rc;

  if (op->mode != LK_KC_CREATE) {
    rc = involved_current(tx, op, contact, party);
    if (rc != 0)
      return rc;
  }
  if (op->mode == LK_KC_DELETE) {
    rc = lk_store_kc_involved_delete(tx, op->head.uuid);
  } else {
    rc = involved_write(tx, op, "", party);
    memcpy(contact, op->involved.contact_id, sizeof(contact));
  }
  if (rc != 0)
    return rc;
  return changed(tx, op, "betrokkene", op->head.uuid, contact, party);
}

/* ---- bijlagen, onderwerpobjecten, actorklantcontacten ----------------- */

/* The engine has read the item with the caller's access before a change
 * or deletion (404 if hidden); here the references in the new item are
 * checked. */
int lk_kc_attachment_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  lk_kc_attachment *a = &op->attachment;
  char party[LK_KC_ID] = "";
  int rc;

  memcpy(a->id, op->head.uuid, sizeof(a->id));
  if (op->mode != LK_KC_DELETE) {
    rc = contact_ref(tx, op, a->contact_id, "wasBijlageVanKlantcontact", party);
    if (rc != 0)
      return rc;
  }
  if (op->mode == LK_KC_CREATE)
    rc = lk_store_kc_attachment_insert(tx, a);
  else if (op->mode == LK_KC_UPDATE)
    rc = lk_store_kc_attachment_update(tx, a);
  else
    rc = lk_store_kc_attachment_delete(tx, a->id);
  if (rc != 0)
    return rc;
  return changed(tx, op, "bijlage", a->id, a->contact_id, party);
}

static int subject_write(lk_tx *tx, lk_kc_op *op, const char *prefix,
                         char party[LK_KC_ID]) {
  lk_kc_subject *o = &op->subject;
  char other[LK_KC_ID];
  char name[64];
  int rc;

  memcpy(o->id, op->head.uuid, sizeof(o->id));
  snprintf(name, sizeof(name), "%sklantcontact", prefix);
  rc = contact_ref(tx, op, o->contact_id, name, party);
  if (rc != 0)
    return rc;
  snprintf(name, sizeof(name), "%swasKlantcontact", prefix);
  rc = contact_ref(tx, op, o->was_contact_id, name, other);
  if (rc != 0)
    return rc;
  if (op->mode == LK_KC_CREATE)
    return lk_store_kc_subject_insert(tx, o);
  return lk_store_kc_subject_update(tx, o);
}

int lk_kc_subject_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  lk_kc_subject *o = &op->subject;
  char party[LK_KC_ID] = "";
  int rc;

  if (op->mode == LK_KC_DELETE)
    rc = lk_store_kc_subject_delete(tx, op->head.uuid);
  else
    rc = subject_write(tx, op, "", party);
  if (rc != 0)
    return rc;
  return changed(tx, op, "onderwerpobject", op->head.uuid,
                 o->contact_id[0] != '\0' ? o->contact_id : o->was_contact_id,
                 party);
}

int lk_kc_contact_actor_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  lk_kc_contact_actor *l = &op->link;
  char party[LK_KC_ID] = "";
  int rc;

  memcpy(l->id, op->head.uuid, sizeof(l->id));
  if (op->mode != LK_KC_DELETE) {
    rc = contact_ref(tx, op, l->contact_id, "klantcontact", party);
    if (rc != 0)
      return rc;
    rc = lk_store_kc_actor_ok(tx, l->actor_id);
    if (rc == LK_STORE_NOTFOUND)
      return lk_change_fail(&op->head, LK_EINVALID, "actor", "does_not_exist",
                            "Ongeldige uuid - object bestaat niet.");
    if (rc != 0)
      return rc;
  }
  if (op->mode == LK_KC_CREATE)
    rc = lk_store_kc_contact_actor_insert(tx, l);
  else if (op->mode == LK_KC_UPDATE)
    rc = lk_store_kc_contact_actor_update(tx, l);
  else
    rc = lk_store_kc_contact_actor_delete(tx, l->id);
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->head, LK_EINVALID, "nonFieldErrors", "unique",
                          "Deze actor is al aan dit klantcontact gekoppeld.");
  if (rc != 0)
    return rc;
  return changed(tx, op, "actorklantcontact", l->id, l->contact_id, party);
}

/* ---- maak-klantcontact ------------------------------------------------ */

int lk_kc_maak_apply(lk_tx *tx, void *arg) {
  lk_kc_op *op = arg;
  char contact_id[LK_KC_ID];
  char party[LK_KC_ID] = "";
  int rc;

  op->mode = LK_KC_CREATE;
  memcpy(contact_id, op->head.uuid, sizeof(contact_id));
  rc = contact_write(tx, op, "klantcontact.");
  if (rc == 0 && op->has_involved) {
    memcpy(op->involved.contact_id, contact_id, LK_KC_ID);
    lk_uuid_new(op->head.uuid, lk_tx_now(tx));
    rc = involved_write(tx, op, "betrokkene.", party);
  }
  if (rc == 0 && op->has_subject) {
    char ignored[LK_KC_ID];

    memcpy(op->subject.contact_id, contact_id, LK_KC_ID);
    lk_uuid_new(op->head.uuid, lk_tx_now(tx));
    rc = subject_write(tx, op, "onderwerpobject.", ignored);
  }
  /* The engine renders the item named by head.uuid: the contact. */
  memcpy(op->head.uuid, contact_id, sizeof(contact_id));
  if (rc != 0)
    return rc;
  return changed(tx, op, "klantcontact", contact_id, contact_id, party);
}
