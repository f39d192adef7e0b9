/* partij_identificatoren.c - /partij-identificatoren: BSN, RSIN, KVK
 * number and vestigingsnummer of parties. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"

json_t *lk_ki_identifier_json(lk_ki *c, const lk_identifier_row *r) {
  return json_pack(
      "{s:s,s:o,s:o,s:s,s:{s:s,s:s,s:s,s:s},s:o}", "uuid", r->id, "url",
      lk_ki_url(c, "partij-identificatoren", r->id), "identificeerdePartij",
      lk_ki_ref(c, "partijen", r->party_id), "anderePartijIdentificator",
      r->other, "partijIdentificator", "codeObjecttype", r->object_type,
      "codeSoortObjectId", r->id_type, "objectId", r->object_id, "codeRegister",
      r->register_, "subIdentificatorVan",
      lk_ki_ref(c, "partij-identificatoren", r->sub_of));
}

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_identifier_row r;
  int rc = lk_store_identifier_get(lk_ki_store(c), uuid, &r);

  if (rc == 0)
    rc = lk_ki_party_read(c, r.party_id);
  if (rc != 0)
    return rc;
  *out = lk_ki_identifier_json(c, &r);
  return *out != NULL ? 0 : LK_STORE_NOMEM;
}

static const char *const object_types[] = {
    "natuurlijk_persoon", "niet_natuurlijk_persoon", "vestiging", NULL};
static const char *const registers[] = {"brp", "hr", NULL};
static const char *const id_types[] = {"bsn", "kvk_nummer", "rsin",
                                       "vestigingsnummer", NULL};

static const lk_ki_filter filters[] = {
    {"anderePartijIdentificator", LK_KI_F_STRING, NULL},
    {"partijIdentificatorCodeObjecttype", LK_KI_F_ENUM, object_types},
    {"partijIdentificatorCodeRegister", LK_KI_F_ENUM, registers},
    {"partijIdentificatorCodeSoortObjectId", LK_KI_F_ENUM, id_types},
    {"partijIdentificatorObjectId", LK_KI_F_STRING, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[6];

  lk_ki_party_filters(c, q, f, 5);
  return lk_store_identifier_page(lk_ki_store(c), f, q->offset, q->limit,
                                  pg->uuids, &pg->n, &pg->count);
}

int lk_ki_identifier_parse(lk_ki *c, json_t *doc, const char *prefix,
                           lk_identifier_row *r) {
  const char *ot = NULL, *reg = NULL, *it = NULL, *oid = NULL;
  char pi_prefix[160];
  char name[128];
  lk_invalid why;
  json_t *pi;
  const char *s;
  int before = lk_ki_has_invalid(c);

  if (lk_ki_get_string(c, doc, prefix, "anderePartijIdentificator", 200, false,
                       &s) == 0 &&
      s != NULL)
    snprintf(r->other, sizeof(r->other), "%s", s);
  if (lk_ki_get_ref(c, doc, prefix, "subIdentificatorVan",
                    "partij-identificatoren", false, &s) == 0 &&
      s != NULL)
    snprintf(r->sub_of, sizeof(r->sub_of), "%s", s);
  snprintf(name, sizeof(name), "%spartijIdentificator", prefix);
  pi = json_object_get(doc, "partijIdentificator");
  if (pi == NULL || json_is_null(pi))
    return lk_ki_invalid(c, name, "required", "Dit veld is vereist.");
  if (!json_is_object(pi))
    return lk_ki_invalid(c, name, "invalid", "Moet een object zijn.");
  snprintf(pi_prefix, sizeof(pi_prefix), "%s.", name);
  lk_ki_get_enum(c, pi, pi_prefix, "codeObjecttype", object_types, true, &ot);
  lk_ki_get_enum(c, pi, pi_prefix, "codeRegister", registers, true, &reg);
  lk_ki_get_enum(c, pi, pi_prefix, "codeSoortObjectId", id_types, true, &it);
  lk_ki_get_string(c, pi, pi_prefix, "objectId", 200, true, &oid);
  if (lk_ki_has_invalid(c) && !before)
    return LK_EINVALID;
  if (ot == NULL || reg == NULL || it == NULL || oid == NULL)
    return LK_EINVALID;
  if (lk_identifier_check(ot, reg, it, oid, r->sub_of[0] != '\0', &why) != 0) {
    snprintf(name, sizeof(name), "%s%s", prefix, why.field);
    return lk_ki_invalid(c, name, "invalid", why.reason);
  }
  snprintf(r->object_type, sizeof(r->object_type), "%s", ot);
  snprintf(r->register_, sizeof(r->register_), "%s", reg);
  snprintf(r->id_type, sizeof(r->id_type), "%s", it);
  snprintf(r->object_id, sizeof(r->object_id), "%s", oid);
  return 0;
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_identifier_op *op = calloc(1, sizeof(*op));
  lk_identifier_row *r;
  const char *s;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_identifier_apply;
  r = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, r->id, uuid);
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_ref(c, doc, "", "identificeerdePartij", "partijen", false,
                    &s) == 0 &&
      s != NULL)
    snprintf(r->party_id, sizeof(r->party_id), "%s", s);
  lk_ki_identifier_parse(c, doc, "", r);
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const required[] = {"partijIdentificator", NULL};

const lk_ki_resource lk_ki_partij_identificatoren = {
    .name = "partij-identificatoren",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
