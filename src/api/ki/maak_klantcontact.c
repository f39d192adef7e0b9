/* maak_klantcontact.c - POST /maak-klantcontact: a klantcontact with,
 * optionally, its betrokkene and onderwerpobject, in one transaction.
 *
 * Not a resource (nothing to list, no items of its own): its own route on
 * the engine's lk_ki_custom(), so member readers, error bodies and the
 * write path are the engine's.  The answer (MaakKlantcontact) is rendered
 * from the new contact, whose only betrokkene and onderwerpobject are the
 * ones just written.
 */
#include <stdlib.h>

#include "api/ki/klantcontacten.h"
#include "http/json.h"

static json_t *first_uuid(json_t *item, const char *member) {
  return json_object_get(json_array_get(json_object_get(item, member), 0),
                         "uuid");
}

static int render(lk_ki *c, const char *uuid, json_t **out) {
  json_t *contact = NULL;
  json_t *part = NULL;
  json_t *o;
  json_t *id;
  int rc;

  rc = lk_ki_kc_contact_render(c, uuid, &contact);
  if (rc != 0)
    return rc;
  o = json_object();
  id = first_uuid(contact, "hadBetrokkenen");
  if (json_is_string(id)) {
    rc = lk_ki_kc_involved_render(c, json_string_value(id), &part);
    if (rc == 0)
      json_object_set_new(o, "betrokkene", part);
  }
  id = first_uuid(contact, "gingOverOnderwerpobjecten");
  if (rc == 0 && json_is_string(id)) {
    rc = lk_ki_kc_subject_render(c, json_string_value(id), &part);
    if (rc == 0)
      json_object_set_new(o, "onderwerpobject", part);
  }
  json_object_set_new(o, "klantcontact", contact);
  if (rc != 0) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return 0;
}

/* The member `key` must be an object when present (`required`: present). */
static int part(lk_ki *c, json_t *doc, const char *key, bool required,
                json_t **out) {
  json_t *v = json_object_get(doc, key);

  *out = NULL;
  if (v == NULL || json_is_null(v))
    return required ? lk_ki_invalid(c, key, "required", "Dit veld is vereist.")
                    : 0;
  if (!json_is_object(v))
    return lk_ki_invalid(c, key, "invalid", "Moet een object zijn.");
  *out = v;
  return 0;
}

static void written(lk_ki *c, int status, lk_ki_op *op) {
  json_t *v = NULL;
  int rc;

  if (status != 0) {
    lk_ki_fail_write(c, status, op);
    return;
  }
  rc = render(c, op->uuid, &v);
  if (rc != 0)
    lk_ki_fail(c, rc);
  else
    lk_ki_respond(c, 201, v);
}

/* Reads the three parts into `op`.  Returns 0 or LK_EINVALID. */
static int read_parts(lk_ki *c, json_t *doc, lk_kc_op *op) {
  json_t *contact;
  json_t *involved;
  json_t *subject;
  int rc = 0;

  if (part(c, doc, "klantcontact", true, &contact) != 0 ||
      part(c, doc, "betrokkene", false, &involved) != 0 ||
      part(c, doc, "onderwerpobject", false, &subject) != 0)
    return LK_EINVALID;
  if (lk_ki_kc_contact_read(c, contact, "klantcontact.", true, op) != 0)
    rc = LK_EINVALID;
  if (involved != NULL) {
    op->has_involved = true;
    if (lk_ki_kc_involved_read(c, involved, "betrokkene.", false, op) != 0)
      rc = LK_EINVALID;
  }
  if (subject != NULL) {
    op->has_subject = true;
    if (lk_ki_kc_subject_read(c, subject, "onderwerpobject.", false, op) != 0)
      rc = LK_EINVALID;
  }
  return rc;
}

static void maak(lk_ki *c) {
  lk_ki_op *head;
  lk_kc_op *op;
  json_t *doc;
  int rc;

  if (lk_req_json(lk_ki_req(c), &doc) != 0)
    return;
  op = lk_ki_kc_op_new(c, LK_KI_CREATE, NULL, &head);
  if (op == NULL) {
    json_decref(doc);
    lk_ki_fail(c, LK_STORE_NOMEM);
    return;
  }
  rc = read_parts(c, doc, op);
  json_decref(doc);
  if (rc != 0) {
    free(op);
    lk_ki_fail(c, rc);
    return;
  }
  lk_ki_submit(c, head, lk_kc_maak_apply, written);
}

static void maak_handler(lk_req *req) {
  lk_ki_custom(req, maak);
}

int lk_ki_maak_klantcontact_routes(lk_router *r) {
  return lk_router_add(r, "POST", LK_KI_BASE "/maak-klantcontact", maak_handler,
                       0);
}
