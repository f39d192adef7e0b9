/* internetaken.c - /internetaken: the standard's view of Loket's tasks
 * (core/task.h), written through the same rules as /api/v1/tasks. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "core/task.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_task_row *t = malloc(sizeof(*t));
  char id[LK_TASK_ID_SIZE];
  json_t *actors;
  json_t *o;
  int rc;

  if (t == NULL)
    return LK_STORE_NOMEM;
  lk_ki_kc_uuid(id, uuid);
  rc = lk_store_task_get(lk_ki_store(c), id, lk_ki_kc_confidential(c), t);
  if (rc == 0)
    rc = lk_ki_log_read(c, t->party_id);
  if (rc != 0) {
    free(t);
    return rc;
  }
  o = json_object();
  actors = json_array();
  for (int i = 0; i < t->nassignees; i++)
    json_array_append_new(actors, lk_ki_ref(c, "actoren", t->assignees[i]));
  json_object_set_new(o, "uuid", json_string(t->id));
  json_object_set_new(o, "url", lk_ki_url(c, "internetaken", t->id));
  json_object_set_new(
      o, "nummer", t->nummer[0] != '\0' ? json_string(t->nummer) : json_null());
  json_object_set_new(o, "referentienummer",
                      t->reference[0] != '\0' ? json_string(t->reference)
                                              : json_null());
  json_object_set_new(o, "gevraagdeHandeling", json_string(t->action));
  json_object_set_new(o, "aanleidinggevendKlantcontact",
                      lk_ki_ref(c, "klantcontacten", t->contact_id));
  if (t->nassignees > 0)
    json_object_set_new(o, "toegewezenAanActor",
                        lk_ki_ref(c, "actoren", t->assignees[0]));
  json_object_set_new(o, "toegewezenAanActoren", actors);
  json_object_set_new(o, "toelichting", json_string(t->explanation));
  json_object_set_new(o, "status", json_string(t->status));
  json_object_set_new(o, "toegewezenOp", lk_ki_kc_datetime(t->assigned_at));
  json_object_set_new(o, "afgehandeldOp",
                      t->done_at != 0 ? lk_ki_kc_datetime(t->done_at)
                                      : json_null());
  free(t);
  *out = o;
  return 0;
}

/* ---- lists ------------------------------------------------------------ */

enum {
  F_CONTACT_URL,
  F_CONTACT_UUID,
  F_ACTOR_NAME,
  F_CONTACT_NUMMER,
  F_CONTACT_REFERENCE,
  F_KLANTCONTACT_UUID,
  F_NUMMER,
  F_REFERENCE,
  F_STATUS,
  F_ACTOR_URL,
  F_ACTOR_UUID,
  F_ASSIGNED_AT
};

/* Two filters on one column: the value both ask for; false if they ask
 * for different ones (nothing matches). */
static bool one_of(const char *a, const char *b, const char **out) {
  if (a != NULL && b != NULL && strcasecmp(a, b) != 0)
    return false;
  *out = a != NULL ? a : b;
  return true;
}

struct collect {
  lk_ki_page *pg;
};

static void collect_one(const lk_task_row *t, void *ud) {
  struct collect *cl = ud;

  memcpy(cl->pg->uuids[cl->pg->n++], t->id, LK_TASK_ID_SIZE);
}

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *const *v = q->values;
  lk_task_filter f = {0};
  char contact[LK_TASK_ID_SIZE];
  char actor[LK_TASK_ID_SIZE];
  struct collect cl = {pg};
  const char *s;
  int rc;

  pg->n = 0;
  pg->count = 0;
  f.confidential = lk_ki_kc_confidential(c);
  f.order = LK_TASK_BY_CREATED;
  f.offset = q->offset;
  f.limit = q->limit;
  if (!one_of(v[F_CONTACT_URL], v[F_CONTACT_UUID], &s) ||
      !one_of(s, v[F_KLANTCONTACT_UUID], &s))
    return 0;
  if (s != NULL) {
    lk_ki_kc_uuid(contact, s);
    f.contact_id = contact;
  }
  if (!one_of(v[F_ACTOR_URL], v[F_ACTOR_UUID], &s))
    return 0;
  if (s != NULL) {
    lk_ki_kc_uuid(actor, s);
    f.assignee_id = actor;
  }
  f.actor_name = v[F_ACTOR_NAME];
  f.contact_nummer = v[F_CONTACT_NUMMER];
  f.contact_reference = v[F_CONTACT_REFERENCE];
  f.nummer = v[F_NUMMER];
  f.reference = v[F_REFERENCE];
  f.status = v[F_STATUS];
  if (v[F_ASSIGNED_AT] != NULL)
    f.assigned_at = strtoll(v[F_ASSIGNED_AT], NULL, 10);
  rc = lk_store_task_count(lk_ki_store(c), &f, &pg->count);
  if (rc == 0)
    rc = lk_store_task_list(lk_ki_store(c), &f, collect_one, &cl);
  return rc < 0 ? rc : 0;
}

/* ---- writes ----------------------------------------------------------- */

/* The engine needs an lk_change first; the task rules keep their own op. */
struct ki_task_op {
  lk_change head;
  lk_ki_mode mode;
  lk_task_op task;
};

static const char *member_of(const char *field) {
  static const struct {
    const char *key;
    const char *name;
  } map[] = {{"contact", "aanleidinggevendKlantcontact"},
             {"action", "gevraagdeHandeling"},
             {"explanation", "toelichting"},
             {"status", "status"},
             {"assignees", "toegewezenAanActoren"},
             {"reference", "referentienummer"},
             {"nummer", "nummer"},
             {"doneAt", "afgehandeldOp"}};

  for (size_t i = 0; field != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
    if (strcmp(map[i].key, field) == 0)
      return map[i].name;
  }
  return "nonFieldErrors";
}

static int task_apply(lk_tx *tx, void *arg) {
  struct ki_task_op *op = arg;
  int rc;

  if (op->mode == LK_KI_CREATE)
    rc = lk_task_create_apply(tx, &op->task);
  else if (op->mode == LK_KI_DELETE)
    rc = lk_task_delete_apply(tx, &op->task);
  else
    rc = lk_task_update_apply(tx, &op->task);
  if (rc == LK_TASK_EREF)
    return lk_change_fail(&op->head, LK_EINVALID, member_of(op->task.ref_field),
                          "does_not_exist",
                          "Ongeldige uuid - object bestaat niet.");
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->head, LK_EINVALID, "nummer", "unique",
                          "Er bestaat al een interne taak met dit nummer.");
  if (rc == 0 && op->mode == LK_KI_CREATE)
    memcpy(op->head.uuid, op->task.task.id, sizeof(op->head.uuid));
  return rc;
}

/* toegewezenAanActoren, or the deprecated toegewezenAanActor when it is
 * what the body changed (the rendered item has both in agreement). */
static int read_actors(lk_ki *c, json_t *doc, lk_task_input *in) {
  json_t *list = json_object_get(doc, "toegewezenAanActoren");
  json_t *one = json_object_get(doc, "toegewezenAanActor");
  const char *first = NULL;
  const char *s;
  size_t i;
  json_t *ref;
  int rc = 0;

  if (one != NULL && !json_is_null(one)) {
    if (lk_ki_get_ref(c, doc, "", "toegewezenAanActor", "actoren", false,
                      &first) != 0)
      return LK_EINVALID;
  }
  if (list != NULL && !json_is_null(list)) {
    if (!json_is_array(list) || json_array_size(list) > LK_TASK_ASSIGNEES_MAX)
      return lk_ki_invalid(c, "toegewezenAanActoren", "invalid",
                           "Moet een lijst van hoogstens 16 actoren zijn.");
    json_array_foreach(list, i, ref) {
      if (lk_ki_ref_uuid(c, ref, "toegewezenAanActoren", "actoren", &s) != 0)
        rc = LK_EINVALID;
      else
        in->assignees[in->nassignees++] = s;
    }
    in->set |= LK_TASK_F_ASSIGNEES;
  }
  if (rc == 0 && first != NULL &&
      (in->nassignees == 0 || strcasecmp(in->assignees[0], first) != 0)) {
    in->assignees[0] = first;
    in->nassignees = 1;
    in->set |= LK_TASK_F_ASSIGNEES;
  }
  return rc;
}

static int read_task(lk_ki *c, json_t *doc, lk_task_input *in) {
  static const char *const statuses[] = {"te_verwerken", "verwerkt", NULL};
  const char *s;
  int rc = 0;

  if (lk_ki_get_ref(c, doc, "", "aanleidinggevendKlantcontact",
                    "klantcontacten", true, &in->contact_id) == 0)
    in->set |= LK_TASK_F_CONTACT;
  else
    rc = LK_EINVALID;
  if (lk_ki_get_string(c, doc, "", "gevraagdeHandeling", 200, true,
                       &in->action) == 0)
    in->set |= LK_TASK_F_ACTION;
  else
    rc = LK_EINVALID;
  if (lk_ki_get_string(c, doc, "", "toelichting", 1000, false,
                       &in->explanation) != 0)
    rc = LK_EINVALID;
  else if (in->explanation != NULL)
    in->set |= LK_TASK_F_EXPLANATION;
  if (lk_ki_get_enum(c, doc, "", "status", statuses, true, &in->status) == 0)
    in->set |= LK_TASK_F_STATUS;
  else
    rc = LK_EINVALID;
  if (lk_ki_get_string(c, doc, "", "nummer", 10, false, &in->nummer) != 0)
    rc = LK_EINVALID;
  else if (json_object_get(doc, "nummer") != NULL)
    in->set |= LK_TASK_F_NUMMER;
  if (lk_ki_get_string(c, doc, "", "referentienummer", 10, false,
                       &in->reference) != 0)
    rc = LK_EINVALID;
  else if (json_object_get(doc, "referentienummer") != NULL)
    in->set |= LK_TASK_F_REFERENCE;
  if (lk_ki_get_string(c, doc, "", "afgehandeldOp", 64, false, &s) != 0) {
    rc = LK_EINVALID;
  } else if (json_object_get(doc, "afgehandeldOp") != NULL) {
    in->set |= LK_TASK_F_DONE_AT;
    if (s != NULL && s[0] != '\0' && lk_ki_parse_datetime(s, &in->done_at) != 0)
      rc = lk_ki_invalid(c, "afgehandeldOp", "invalid",
                         "Datetime heeft een ongeldig formaat.");
  }
  if (read_actors(c, doc, in) != 0)
    rc = LK_EINVALID;
  return rc;
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  struct ki_task_op *op = calloc(1, sizeof(*op));
  const lk_principal *p = lk_req_principal(lk_ki_req(c));
  lk_task_input in = {0};
  lk_invalid why = {NULL, NULL};
  int rc;

  *out = op != NULL ? &op->head : NULL;
  if (op == NULL)
    return LK_STORE_NOMEM;
  lk_ki_op_init(c, &op->head);
  op->mode = mode;
  *apply = task_apply;
  if (uuid != NULL)
    lk_ki_kc_uuid(op->head.uuid, uuid);
  if (mode == LK_KI_DELETE)
    return lk_task_delete_prepare(&op->task, p->actor, lk_req_id(lk_ki_req(c)),
                                  p->confidential, uuid);
  if (read_task(c, doc, &in) != 0)
    return LK_EINVALID;
  if (mode == LK_KI_CREATE)
    rc = lk_task_create_prepare(&op->task, p->actor, lk_req_id(lk_ki_req(c)),
                                p->confidential, &in, &why);
  else
    rc = lk_task_update_prepare(&op->task, p->actor, lk_req_id(lk_ki_req(c)),
                                p->confidential, uuid, &in, &why);
  if (rc == LK_EINVALID)
    return lk_ki_invalid(c, member_of(why.field), "invalid", why.reason);
  return rc;
}

static const char *const statuses[] = {"te_verwerken", "verwerkt", NULL};

/* The order is that of the F_* above. */
static const lk_ki_filter filters[] = {
    {"aanleidinggevendKlantcontact__url", LK_KI_F_URL, NULL},
    {"aanleidinggevendKlantcontact__uuid", LK_KI_F_UUID, NULL},
    {"actoren__naam", LK_KI_F_STRING, NULL},
    {"klantcontact__nummer", LK_KI_F_STRING, NULL},
    {"klantcontact__referentienummer", LK_KI_F_STRING, NULL},
    {"klantcontact__uuid", LK_KI_F_UUID, NULL},
    {"nummer", LK_KI_F_STRING, NULL},
    {"referentienummer", LK_KI_F_STRING, NULL},
    {"status", LK_KI_F_ENUM, statuses},
    {"toegewezenAanActor__url", LK_KI_F_URL, NULL},
    {"toegewezenAanActor__uuid", LK_KI_F_UUID, NULL},
    {"toegewezenOp", LK_KI_F_DATETIME, NULL},
    {NULL, 0, NULL}};

static const char *const required[] = {"aanleidinggevendKlantcontact",
                                       "gevraagdeHandeling", "status", NULL};

const lk_ki_resource lk_ki_internetaken = {
    .name = "internetaken",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
