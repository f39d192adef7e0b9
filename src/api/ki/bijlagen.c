/* bijlagen.c - /bijlagen: documents that make up (part of) a
 * klantcontact, identified in an external register. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "store/kiquery.h"

static const char *const ident_keys[] = {
    "objectId", "codeObjecttype", "codeRegister", "codeSoortObjectId", NULL};

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_kc_attachment a;
  char id[LK_KC_ID];
  json_t *o;
  int rc;

  lk_ki_kc_uuid(id, uuid);
  rc = lk_store_kc_attachment_get(lk_ki_store(c), id, lk_ki_kc_confidential(c),
                                  &a);
  if (rc == 0)
    rc = lk_ki_log_read(c, a.party_id);
  if (rc != 0)
    return rc;
  o = json_object();
  json_object_set_new(o, "uuid", json_string(a.id));
  json_object_set_new(o, "url", lk_ki_url(c, "bijlagen", a.id));
  json_object_set_new(o, "wasBijlageVanKlantcontact",
                      lk_ki_ref(c, "klantcontacten", a.contact_id));
  json_object_set_new(o, "bijlageidentificator",
                      lk_ki_kc_group(a.identificator));
  *out = o;
  return 0;
}

/* The order is that of the list statement (store/klantcontacten.c). */
static const lk_ki_filter filters[] = {
    {"bijlageidentificatorCodeObjecttype", LK_KI_F_STRING, NULL},
    {"bijlageidentificatorCodeRegister", LK_KI_F_STRING, NULL},
    {"bijlageidentificatorCodeSoortObjectId", LK_KI_F_STRING, NULL},
    {"bijlageidentificatorObjectId", LK_KI_F_STRING, NULL},
    {"klantcontact__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL}};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *params[6];
  char ids[5][LK_KC_ID];
  int n = lk_ki_kc_params(c, filters, q, params, ids);

  return lk_store_ki_page(lk_ki_store(c), lk_kc_attachment_count_sql,
                          lk_kc_attachment_page_sql, params, n, q->offset,
                          q->limit, pg->uuids, &pg->n, &pg->count);
}

/* bijlageidentificator: four texts of at most 200 characters, or null. */
static int read_identificator(lk_ki *c, json_t *doc, char *dst, size_t size) {
  json_t *v = json_object_get(doc, "bijlageidentificator");
  json_t *clean;
  char *text;
  int rc = 0;

  dst[0] = '\0';
  if (v == NULL || json_is_null(v))
    return 0;
  if (!json_is_object(v))
    return lk_ki_invalid(c, "bijlageidentificator", "invalid",
                         "Moet een object zijn.");
  clean = json_object();
  for (const char *const *k = ident_keys; *k != NULL; k++) {
    const char *s;

    if (lk_ki_get_string(c, v, "bijlageidentificator.", *k, 200, false, &s) !=
        0)
      rc = LK_EINVALID;
    else
      json_object_set_new(clean, *k, json_string(s != NULL ? s : ""));
  }
  text = rc == 0 ? json_dumps(clean, JSON_COMPACT) : NULL;
  json_decref(clean);
  if (rc != 0)
    return rc;
  if (text == NULL)
    return LK_STORE_NOMEM;
  snprintf(dst, size, "%s", text);
  free(text);
  return 0;
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op = lk_ki_kc_op_new(c, mode, uuid, out);
  const char *s;
  int rc;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_attachment_apply;
  if (mode == LK_KI_DELETE)
    return 0;
  rc = lk_ki_get_ref(c, doc, "", "wasBijlageVanKlantcontact", "klantcontacten",
                     false, &s);
  if (rc == 0)
    lk_ki_kc_uuid(op->attachment.contact_id, s);
  if (read_identificator(c, doc, op->attachment.identificator,
                         sizeof(op->attachment.identificator)) != 0)
    rc = LK_EINVALID;
  return rc != 0 || lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

const lk_ki_resource lk_ki_bijlagen = {
    .name = "bijlagen",
    .filters = filters,
    .render = render,
    .list = list,
    .prepare = prepare,
};
