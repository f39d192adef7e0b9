/* actorklantcontacten.c - /actorklantcontacten: which actoren took part
 * in a klantcontact. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "store/kiquery.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_kc_contact_actor l;
  char id[LK_KC_ID];
  int rc;

  lk_ki_kc_uuid(id, uuid);
  rc = lk_store_kc_contact_actor_get(lk_ki_store(c), id,
                                     lk_ki_kc_confidential(c), &l);
  if (rc == 0)
    rc = lk_ki_log_read(c, l.party_id);
  if (rc != 0)
    return rc;
  *out = json_pack("{s:s,s:o,s:o,s:o}", "uuid", l.id, "url",
                   lk_ki_url(c, "actorklantcontacten", l.id), "actor",
                   lk_ki_ref(c, "actoren", l.actor_id), "klantcontact",
                   lk_ki_ref(c, "klantcontacten", l.contact_id));
  return *out != NULL ? 0 : LK_STORE_NOMEM;
}

/* The order is that of the list statement (store/klantcontacten.c). */
static const lk_ki_filter filters[] = {
    {"actor__url", LK_KI_F_URL, NULL},
    {"actor__uuid", LK_KI_F_UUID, NULL},
    {"klantcontact__url", LK_KI_F_URL, NULL},
    {"klantcontact__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL}};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *params[5];
  char ids[4][LK_KC_ID];
  int n = lk_ki_kc_params(c, filters, q, params, ids);

  return lk_store_ki_page(lk_ki_store(c), lk_kc_contact_actor_count_sql,
                          lk_kc_contact_actor_page_sql, params, n, q->offset,
                          q->limit, pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op = lk_ki_kc_op_new(c, mode, uuid, out);
  const char *s;
  int rc = 0;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_contact_actor_apply;
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_ref(c, doc, "", "actor", "actoren", true, &s) == 0)
    lk_ki_kc_uuid(op->link.actor_id, s);
  else
    rc = LK_EINVALID;
  if (lk_ki_get_ref(c, doc, "", "klantcontact", "klantcontacten", true, &s) ==
      0)
    lk_ki_kc_uuid(op->link.contact_id, s);
  else
    rc = LK_EINVALID;
  return rc;
}

static const char *const required[] = {"actor", "klantcontact", NULL};

const lk_ki_resource lk_ki_actorklantcontacten = {
    .name = "actorklantcontacten",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
