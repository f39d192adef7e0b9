/* categorieen.c - /categorieen: the categories of parties and contacts. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/ki.h"
#include "core/party.h"
#include "util/clock.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_category_row r;
  int rc = lk_store_category_get(lk_ki_store(c), uuid, &r);

  if (rc != 0)
    return rc;
  *out = json_pack("{s:s,s:o,s:s}", "uuid", r.id, "url",
                   lk_ki_url(c, "categorieen", r.id), "naam", r.name);
  return *out != NULL ? 0 : LK_STORE_NOMEM;
}

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  return lk_store_category_page(lk_ki_store(c), q->offset, q->limit, pg->uuids,
                                &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_category_op *op = calloc(1, sizeof(*op));
  const char *naam;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_category_apply;
  lk_ki_op_init(c, &op->h);
  op->mode = mode == LK_KI_CREATE   ? LK_PARTY_CREATE
             : mode == LK_KI_DELETE ? LK_PARTY_DELETE
                                    : LK_PARTY_UPDATE;
  if (uuid != NULL)
    snprintf(op->row.id, sizeof(op->row.id), "%s", uuid);
  else
    lk_uuid_new(op->row.id, lk_clock_real_ms());
  memcpy(op->h.uuid, op->row.id, sizeof(op->h.uuid));
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_string(c, doc, "", "naam", 80, true, &naam) != 0)
    return LK_EINVALID;
  snprintf(op->row.name, sizeof(op->row.name), "%s", naam);
  return 0;
}

static const lk_ki_filter filters[] = {{NULL, 0, NULL}};

const lk_ki_resource lk_ki_categorieen = {
    .name = "categorieen",
    .filters = filters,
    .render = render,
    .list = list,
    .prepare = prepare,
};
