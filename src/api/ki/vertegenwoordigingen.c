/* vertegenwoordigingen.c - /vertegenwoordigingen: one party acts for
 * another. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_representation_row r;
  int rc = lk_store_representation_get(lk_ki_store(c), uuid, &r);

  if (rc == 0) {
    int a = lk_ki_party_visible(c, r.representing_id);
    int b = lk_ki_party_visible(c, r.represented_id);

    rc = a < 0 ? a : b < 0 ? b : (a == 0 || b == 0) ? LK_STORE_NOTFOUND : 0;
  }
  if (rc == 0)
    rc = lk_ki_log_read(c, r.represented_id);
  if (rc != 0)
    return rc;
  *out = json_pack(
      "{s:s,s:o,s:o,s:o}", "uuid", r.id, "url",
      lk_ki_url(c, "vertegenwoordigingen", r.id), "vertegenwoordigendePartij",
      lk_ki_ref(c, "partijen", r.representing_id), "vertegenwoordigdePartij",
      lk_ki_ref(c, "partijen", r.represented_id));
  return *out != NULL ? 0 : LK_STORE_NOMEM;
}

static const lk_ki_filter filters[] = {
    {"vertegenwoordigdePartij__url", LK_KI_F_URL, NULL},
    {"vertegenwoordigdePartij__uuid", LK_KI_F_UUID, NULL},
    {"vertegenwoordigendePartij__url", LK_KI_F_URL, NULL},
    {"vertegenwoordigendePartij__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[5];

  lk_ki_party_filters(c, q, f, 4);
  return lk_store_representation_page(lk_ki_store(c), f, q->offset, q->limit,
                                      pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_representation_op *op = calloc(1, sizeof(*op));
  lk_representation_row *r;
  const char *s;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_representation_apply;
  r = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, r->id, uuid);
  if (mode == LK_KI_DELETE) {
    lk_representation_row cur;
    if (lk_store_representation_get(lk_ki_store(c), uuid, &cur) == 0)
      *r = cur;
    return 0;
  }
  if (lk_ki_get_ref(c, doc, "", "vertegenwoordigendePartij", "partijen", true,
                    &s) == 0)
    snprintf(r->representing_id, sizeof(r->representing_id), "%s", s);
  if (lk_ki_get_ref(c, doc, "", "vertegenwoordigdePartij", "partijen", true,
                    &s) == 0)
    snprintf(r->represented_id, sizeof(r->represented_id), "%s", s);
  if (!lk_ki_has_invalid(c) &&
      strcmp(r->representing_id, r->represented_id) == 0)
    lk_ki_invalid(c, "vertegenwoordigdePartij", "invalid",
                  "Een partij kan zichzelf niet vertegenwoordigen.");
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const required[] = {"vertegenwoordigendePartij",
                                       "vertegenwoordigdePartij", NULL};

const lk_ki_resource lk_ki_vertegenwoordigingen = {
    .name = "vertegenwoordigingen",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
