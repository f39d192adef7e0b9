/* onderwerpobjecten.c - /onderwerpobjecten: what a klantcontact was about
 * (a zaak ...), and the wasKlantcontact link of a contact that continues
 * an earlier one. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "store/kiquery.h"

int lk_ki_kc_subject_read(lk_ki *c, json_t *doc, const char *prefix,
                          bool with_contact, lk_kc_op *op) {
  static const struct {
    const char *key;
    size_t offset;
  } ident[] = {
      {"objectId", offsetof(lk_kc_subject, object_id)},
      {"codeObjecttype", offsetof(lk_kc_subject, object_type)},
      {"codeRegister", offsetof(lk_kc_subject, register_)},
      {"codeSoortObjectId", offsetof(lk_kc_subject, id_type)},
  };
  lk_kc_subject *o = &op->subject;
  json_t *v;
  char sub[64];
  const char *s;
  int rc = 0;

  if (with_contact) {
    if (lk_ki_get_ref(c, doc, prefix, "klantcontact", "klantcontacten", false,
                      &s) == 0)
      lk_ki_kc_uuid(o->contact_id, s);
    else
      rc = LK_EINVALID;
  }
  if (lk_ki_get_ref(c, doc, prefix, "wasKlantcontact", "klantcontacten", false,
                    &s) == 0)
    lk_ki_kc_uuid(o->was_contact_id, s);
  else
    rc = LK_EINVALID;
  v = json_object_get(doc, "onderwerpobjectidentificator");
  if (v != NULL && !json_is_null(v) && !json_is_object(v)) {
    snprintf(sub, sizeof(sub), "%sonderwerpobjectidentificator", prefix);
    return lk_ki_invalid(c, sub, "invalid", "Moet een object zijn.");
  }
  snprintf(sub, sizeof(sub), "%sonderwerpobjectidentificator.", prefix);
  for (size_t i = 0; json_is_object(v) && i < sizeof(ident) / sizeof(ident[0]);
       i++) {
    if (lk_ki_get_string(c, v, sub, ident[i].key, 200, false, &s) != 0)
      rc = LK_EINVALID;
    else
      snprintf((char *)o + ident[i].offset, LK_KC_TEXT200, "%s",
               s != NULL ? s : "");
  }
  return rc != 0 || lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

int lk_ki_kc_subject_render(lk_ki *c, const char *uuid, json_t **out) {
  lk_kc_subject *s = malloc(sizeof(*s));
  char id[LK_KC_ID];
  json_t *o;
  int rc;

  if (s == NULL)
    return LK_STORE_NOMEM;
  lk_ki_kc_uuid(id, uuid);
  rc = lk_store_kc_subject_get(lk_ki_store(c), id, lk_ki_kc_confidential(c), s);
  if (rc == 0)
    rc = lk_ki_log_read(c, s->party_id);
  if (rc != 0) {
    free(s);
    return rc;
  }
  o = json_object();
  json_object_set_new(o, "uuid", json_string(s->id));
  json_object_set_new(o, "url", lk_ki_url(c, "onderwerpobjecten", s->id));
  json_object_set_new(o, "klantcontact",
                      lk_ki_ref(c, "klantcontacten", s->contact_id));
  json_object_set_new(o, "wasKlantcontact",
                      lk_ki_ref(c, "klantcontacten", s->was_contact_id));
  json_object_set_new(
      o, "onderwerpobjectidentificator",
      s->has_identificator
          ? json_pack("{s:s,s:s,s:s,s:s}", "objectId", s->object_id,
                      "codeObjecttype", s->object_type, "codeRegister",
                      s->register_, "codeSoortObjectId", s->id_type)
          : json_null());
  free(s);
  *out = o;
  return 0;
}

/* The order is that of the list statement (store/klantcontacten.c). */
static const lk_ki_filter filters[] = {
    {"klantcontact__url", LK_KI_F_URL, NULL},
    {"klantcontact__uuid", LK_KI_F_UUID, NULL},
    {"onderwerpobjectidentificatorCodeObjecttype", LK_KI_F_STRING, NULL},
    {"onderwerpobjectidentificatorCodeRegister", LK_KI_F_STRING, NULL},
    {"onderwerpobjectidentificatorCodeSoortObjectId", LK_KI_F_STRING, NULL},
    {"onderwerpobjectidentificatorObjectId", LK_KI_F_STRING, NULL},
    {"wasKlantcontact__url", LK_KI_F_URL, NULL},
    {"wasKlantcontact__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL}};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *params[9];
  char ids[8][LK_KC_ID];
  int n = lk_ki_kc_params(c, filters, q, params, ids);

  return lk_store_ki_page(lk_ki_store(c), lk_kc_subject_count_sql,
                          lk_kc_subject_page_sql, params, n, q->offset,
                          q->limit, pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op = lk_ki_kc_op_new(c, mode, uuid, out);

  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_subject_apply;
  if (mode == LK_KI_DELETE)
    return 0;
  return lk_ki_kc_subject_read(c, doc, "", true, op);
}

const lk_ki_resource lk_ki_onderwerpobjecten = {
    .name = "onderwerpobjecten",
    .filters = filters,
    .render = lk_ki_kc_subject_render,
    .list = list,
    .prepare = prepare,
};
