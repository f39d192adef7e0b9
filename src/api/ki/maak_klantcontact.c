/* maak_klantcontact.c - POST /maak-klantcontact: a klantcontact with,
 * optionally, its betrokkene and onderwerpobject, in one transaction.
 *
 * It is registered as a resource so that the engine's body handling,
 * error bodies and write path apply; but it has no collection to list and
 * no items of its own: only POST answers, everything else is 404.  The
 * response (MaakKlantcontact) is rendered from the new contact, whose
 * only betrokkene and onderwerpobject are the ones just written.
 */
#include <string.h>

#include "api/ki/klantcontacten.h"

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

  if (strcmp(lk_req_method(lk_ki_req(c)), "POST") != 0)
    return LK_STORE_NOTFOUND;
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

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  (void)c;
  (void)q;
  (void)pg;
  return LK_STORE_NOTFOUND;
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

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op;
  json_t *contact;
  json_t *involved;
  json_t *subject;
  int rc = 0;

  *out = NULL;
  if (mode != LK_KI_CREATE)
    return LK_STORE_NOTFOUND;
  op = lk_ki_kc_op_new(c, mode, uuid, out);
  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_maak_apply;
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

static const lk_ki_filter filters[] = {{NULL, 0, NULL}};

const lk_ki_resource lk_ki_maak_klantcontact = {
    .name = "maak-klantcontact",
    .filters = filters,
    .render = render,
    .list = list,
    .prepare = prepare,
};
