/* categorie_relaties.c - /categorie-relaties: a party in a category for a
 * period. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_category_relation_row r;
  json_t *cat;
  int rc = lk_store_category_relation_get(lk_ki_store(c), uuid, &r);

  if (rc == 0)
    rc = lk_ki_party_read(c, r.party_id);
  if (rc != 0)
    return rc;
  cat = lk_ki_ref(c, "categorieen", r.category_id);
  if (json_is_object(cat))
    json_object_set_new(cat, "naam", json_string(r.category_name));
  *out = json_pack(
      "{s:s,s:o,s:o,s:o,s:o,s:o}", "uuid", r.id, "url",
      lk_ki_url(c, "categorie-relaties", r.id), "partij",
      lk_ki_ref(c, "partijen", r.party_id), "categorie", cat, "beginDatum",
      r.begin_date[0] ? json_string(r.begin_date) : json_null(), "eindDatum",
      r.end_date[0] ? json_string(r.end_date) : json_null());
  return *out != NULL ? 0 : LK_STORE_NOMEM;
}

static const lk_ki_filter filters[] = {
    {"beginDatum", LK_KI_F_DATE, NULL},
    {"categorie__naam", LK_KI_F_STRING, NULL},
    {"categorie__url", LK_KI_F_URL, NULL},
    {"categorie__uuid", LK_KI_F_UUID, NULL},
    {"eindDatum", LK_KI_F_DATE, NULL},
    {"partij__nummer", LK_KI_F_STRING, NULL},
    {"partij__url", LK_KI_F_URL, NULL},
    {"partij__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[9];

  lk_ki_party_filters(c, q, f, 8);
  return lk_store_category_relation_page(lk_ki_store(c), f, q->offset, q->limit,
                                         pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_category_relation_op *op = calloc(1, sizeof(*op));
  lk_category_relation_row *r;
  const char *s;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_category_relation_apply;
  r = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, r->id, uuid);
  if (mode == LK_KI_DELETE) {
    lk_category_relation_row cur;
    if (lk_store_category_relation_get(lk_ki_store(c), uuid, &cur) == 0)
      *r = cur;
    return 0;
  }
  if (lk_ki_get_ref(c, doc, "", "partij", "partijen", false, &s) == 0 &&
      s != NULL)
    snprintf(r->party_id, sizeof(r->party_id), "%s", s);
  if (lk_ki_get_ref(c, doc, "", "categorie", "categorieen", false, &s) == 0 &&
      s != NULL)
    snprintf(r->category_id, sizeof(r->category_id), "%s", s);
  if (lk_ki_get_date(c, doc, "", "beginDatum", false, &s) == 0 && s != NULL)
    snprintf(r->begin_date, sizeof(r->begin_date), "%s", s);
  if (lk_ki_get_date(c, doc, "", "eindDatum", false, &s) == 0 && s != NULL)
    snprintf(r->end_date, sizeof(r->end_date), "%s", s);
  if (r->begin_date[0] && r->end_date[0] &&
      strcmp(r->end_date, r->begin_date) < 0)
    lk_ki_invalid(c, "eindDatum", "invalid",
                  "De einddatum ligt voor de begindatum.");
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

const lk_ki_resource lk_ki_categorie_relaties = {
    .name = "categorie-relaties",
    .filters = filters,
    .render = render,
    .list = list,
    .prepare = prepare,
};
