/* klantcontacten.c - /klantcontacten: every inbound or outbound contact
 * (internal notes are never served), and the helpers the klantcontact-side
 * resources share (klantcontacten.h). */
#include "api/ki/klantcontacten.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/kiquery.h"
#include "util/clock.h"

/* ---- shared ----------------------------------------------------------- */

json_t *lk_ki_kc_datetime(int64_t ms) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  char out[96];

  if (ms < 0 || gmtime_r(&secs, &tm) == NULL)
    return json_null();
  if (ms % 1000 != 0)
    snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(ms % 1000));
  else
    snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
  return json_string(out);
}

json_t *lk_ki_kc_refs(lk_ki *c, const char *resource, const char *ids) {
  json_t *a = json_array();
  char id[LK_KC_ID];

  while (*ids != '\0') {
    size_t n = strcspn(ids, " ");

    if (n == LK_KC_ID - 1) {
      memcpy(id, ids, n);
      id[n] = '\0';
      json_array_append_new(a, lk_ki_ref(c, resource, id));
    }
    ids += n;
    if (*ids == ' ')
      ids++;
  }
  return a;
}

json_t *lk_ki_kc_group(const char *text) {
  if (text == NULL || text[0] == '\0')
    return json_null();
  return lk_ki_json_text(text);
}

void lk_ki_kc_uuid(char *out, const char *s) {
  size_t i = 0;

  for (; s != NULL && s[i] != '\0' && i < LK_KC_ID - 1; i++)
    out[i] = (char)tolower((unsigned char)s[i]);
  out[i] = '\0';
}

int lk_ki_kc_params(lk_ki *c, const lk_ki_filter *filters, const lk_ki_query *q,
                    const char **params, char (*ids)[LK_KC_ID]) {
  int n = 0;

  params[0] = lk_ki_kc_confidential(c) ? "1" : "0";
  for (; filters[n].name != NULL && n < 32; n++) {
    const char *v = q->values[n];

    if (v != NULL &&
        (filters[n].type == LK_KI_F_UUID || filters[n].type == LK_KI_F_URL)) {
      lk_ki_kc_uuid(ids[n], v);
      v = ids[n];
    }
    params[n + 1] = v;
  }
  return n + 1;
}

bool lk_ki_kc_confidential(lk_ki *c) {
  return lk_req_principal(lk_ki_req(c))->confidential;
}

lk_kc_op *lk_ki_kc_op_new(lk_ki *c, lk_ki_mode mode, const char *uuid,
                          lk_ki_op **out) {
  lk_kc_op *op = calloc(1, sizeof(*op));
  char id[LK_KC_ID];

  *out = op != NULL ? &op->head : NULL;
  if (op == NULL)
    return NULL;
  lk_ki_op_init(c, &op->head);
  if (uuid != NULL)
    lk_ki_kc_uuid(id, uuid);
  lk_kc_op_begin(op,
                 mode == LK_KI_CREATE   ? LK_KC_CREATE
                 : mode == LK_KI_DELETE ? LK_KC_DELETE
                                        : LK_KC_UPDATE,
                 uuid != NULL ? id : NULL, lk_ki_kc_confidential(c));
  return op;
}

/* Copies an optional string member (NULL stays "") into `dst`. */
static int text_member(lk_ki *c, json_t *doc, const char *prefix,
                       const char *key, size_t max, bool required, char *dst,
                       size_t size) {
  const char *s;
  int rc = lk_ki_get_string(c, doc, prefix, key, max, required, &s);

  if (rc == 0)
    snprintf(dst, size, "%s", s != NULL ? s : "");
  return rc;
}

/* metadata: an object of strings of at most 255 characters. */
static int metadata_member(lk_ki *c, json_t *doc, const char *prefix, char *dst,
                           size_t size) {
  json_t *v = json_object_get(doc, "metadata");
  char name[64];
  const char *key;
  json_t *val;
  char *text;

  snprintf(name, sizeof(name), "%smetadata", prefix);
  if (v == NULL || json_is_null(v)) {
    snprintf(dst, size, "{}");
    return 0;
  }
  if (!json_is_object(v))
    return lk_ki_invalid(c, name, "invalid", "Moet een object zijn.");
  json_object_foreach(v, key, val) {
    if (!json_is_string(val) || lk_ki_chars(json_string_value(val)) > 255)
      return lk_ki_invalid(c, name, "invalid",
                           "Waarden moeten teksten van hoogstens 255 tekens "
                           "zijn.");
  }
  text = json_dumps(v, JSON_COMPACT);
  if (text == NULL)
    return LK_STORE_NOMEM;
  if (strlen(text) >= size) {
    free(text);
    return lk_ki_invalid(c, name, "max_length", "De metadata is te groot.");
  }
  snprintf(dst, size, "%s", text);
  free(text);
  return 0;
}

/* ---- klantcontacten --------------------------------------------------- */

int lk_ki_kc_contact_read(lk_ki *c, json_t *doc, const char *prefix,
                          bool create, lk_kc_op *op) {
  lk_kc_contact_w *k = &op->contact;
  const char *when;
  char name[64];
  int flag;
  int rc = 0;

  rc |= text_member(c, doc, prefix, "nummer", 10, false, k->nummer,
                    sizeof(k->nummer));
  rc |= text_member(c, doc, prefix, "referentienummer", 10, false, k->reference,
                    sizeof(k->reference));
  rc |= text_member(c, doc, prefix, "kanaal", 50, true, k->channel,
                    sizeof(k->channel));
  /* onderwerp is required but may be empty: a chat message has none. */
  if (json_object_get(doc, "onderwerp") == NULL) {
    snprintf(name, sizeof(name), "%sonderwerp", prefix);
    rc |= lk_ki_invalid(c, name, "required", "Dit veld is vereist.");
  } else {
    rc |= text_member(c, doc, prefix, "onderwerp", 200, false, k->subject,
                      sizeof(k->subject));
  }
  rc |= text_member(c, doc, prefix, "inhoud", 1000, false, k->content,
                    sizeof(k->content));
  rc |= text_member(c, doc, prefix, "reactie", 4000, false, k->reply,
                    sizeof(k->reply));
  rc |= lk_ki_get_bool(c, doc, prefix, "indicatieContactGelukt", false,
                       &k->succeeded);
  rc |= text_member(c, doc, prefix, "hoofdOnderwerpType", 200, false,
                    k->main_topic_type, sizeof(k->main_topic_type));
  if (lk_ki_get_bool(c, doc, prefix, "verdereActieOndernomen", false, &flag) ==
      0)
    k->further_action = flag == 1;
  else
    rc |= 1;
  rc |= text_member(c, doc, prefix, "taal", 3, true, k->language,
                    sizeof(k->language));
  if (lk_ki_get_bool(c, doc, prefix, "vertrouwelijk", true, &flag) == 0) {
    k->confidential = flag == 1;
    /* A caller who may not see confidential contacts cannot make one: it
     * would vanish from under its hands. */
    if (k->confidential && !op->confidential) {
      snprintf(name, sizeof(name), "%svertrouwelijk", prefix);
      rc |= lk_ki_invalid(c, name, "permission_denied",
                          "Dit token mag geen vertrouwelijke klantcontacten "
                          "vastleggen.");
    }
  } else {
    rc |= 1;
  }
  rc |= lk_ki_get_string(c, doc, prefix, "plaatsgevondenOp", 64, false, &when);
  if (when != NULL && when[0] != '\0') {
    if (lk_ki_parse_datetime(when, &k->occurred_at) != 0) {
      snprintf(name, sizeof(name), "%splaatsgevondenOp", prefix);
      rc |= lk_ki_invalid(c, name, "invalid",
                          "Datetime heeft een ongeldig formaat.");
    }
  } else if (create) {
    k->occurred_at = lk_clock_real_ms();
  } else {
    snprintf(name, sizeof(name), "%splaatsgevondenOp", prefix);
    rc |= lk_ki_invalid(c, name, "null", "Dit veld mag niet leeg zijn.");
  }
  rc |= metadata_member(c, doc, prefix, k->metadata, sizeof(k->metadata));
  return rc != 0 || lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

struct contact_render {
  lk_ki *c;
  json_t *out;
  char party[LK_KC_ID];
};

static void actors_into(lk_ki *c, json_t *arr, const char *ids) {
  const lk_ki_resource *actoren = lk_ki_find("actoren");
  char id[LK_KC_ID];

  while (*ids != '\0' && actoren != NULL) {
    size_t n = strcspn(ids, " ");
    json_t *a = NULL;

    if (n == LK_KC_ID - 1) {
      memcpy(id, ids, n);
      id[n] = '\0';
      if (actoren->render(c, id, &a) == 0)
        json_array_append_new(arr, a);
    }
    ids += n;
    if (*ids == ' ')
      ids++;
  }
}

static void contact_json(const lk_kc_contact *k, void *ud) {
  struct contact_render *r = ud;
  lk_ki *c = r->c;
  json_t *o = json_object();
  json_t *actors = json_array();

  actors_into(c, actors, k->actor_ids);
  json_object_set_new(o, "uuid", json_string(k->id));
  json_object_set_new(o, "url", lk_ki_url(c, "klantcontacten", k->id));
  json_object_set_new(o, "gingOverOnderwerpobjecten",
                      lk_ki_kc_refs(c, "onderwerpobjecten", k->subject_ids));
  json_object_set_new(o, "hadBetrokkenActoren", actors);
  json_object_set_new(o, "omvatteBijlagen",
                      lk_ki_kc_refs(c, "bijlagen", k->attachment_ids));
  json_object_set_new(o, "hadBetrokkenen",
                      lk_ki_kc_refs(c, "betrokkenen", k->involved_ids));
  json_object_set_new(o, "leiddeTotInterneTaken",
                      lk_ki_kc_refs(c, "internetaken", k->task_ids));
  json_object_set_new(
      o, "nummer", k->nummer[0] != '\0' ? json_string(k->nummer) : json_null());
  json_object_set_new(o, "referentienummer",
                      k->reference[0] != '\0' ? json_string(k->reference)
                                              : json_null());
  json_object_set_new(o, "kanaal", json_string(k->channel));
  json_object_set_new(o, "onderwerp", json_string(k->subject));
  json_object_set_new(o, "inhoud", json_string(k->content));
  json_object_set_new(o, "reactie", json_string(k->reply));
  json_object_set_new(o, "indicatieContactGelukt",
                      k->succeeded < 0 ? json_null()
                                       : json_boolean(k->succeeded != 0));
  if (k->main_topic_type[0] != '\0')
    json_object_set_new(o, "hoofdOnderwerpType",
                        json_string(k->main_topic_type));
  json_object_set_new(o, "verdereActieOndernomen",
                      json_boolean(k->further_action != 0));
  json_object_set_new(o, "taal", json_string(k->language));
  json_object_set_new(o, "vertrouwelijk", json_boolean(k->confidential != 0));
  json_object_set_new(o, "plaatsgevondenOp", lk_ki_kc_datetime(k->occurred_at));
  json_object_set_new(o, "metadata", lk_ki_json_text(k->metadata));
  snprintf(r->party, sizeof(r->party), "%s", k->party_id);
  r->out = o;
}

int lk_ki_kc_contact_render(lk_ki *c, const char *uuid, json_t **out) {
  struct contact_render r = {.c = c};
  char id[LK_KC_ID];
  int rc;

  lk_ki_kc_uuid(id, uuid);
  rc = lk_store_kc_contact_get(lk_ki_store(c), id, lk_ki_kc_confidential(c),
                               contact_json, &r);
  if (rc == 0 && r.out == NULL)
    rc = LK_STORE_NOMEM;
  if (rc == 0)
    rc = lk_ki_log_read(c, r.party);
  if (rc != 0) {
    json_decref(r.out);
    return rc;
  }
  *out = r.out;
  return 0;
}

/* The order is that of the list statement (store/klantcontacten.c). */
static const lk_ki_filter filters[] = {
    {"hadBetrokkene__digitaaladres__adres__icontains", LK_KI_F_STRING, NULL},
    {"hadBetrokkene__url", LK_KI_F_URL, NULL},
    {"hadBetrokkene__uuid", LK_KI_F_UUID, NULL},
    {"hadBetrokkene__wasPartij", LK_KI_F_BOOL, NULL},
    {"hadBetrokkene__wasPartij__partijIdentificator__codeObjecttype",
     LK_KI_F_STRING, NULL},
    {"hadBetrokkene__wasPartij__partijIdentificator__codeRegister",
     LK_KI_F_STRING, NULL},
    {"hadBetrokkene__wasPartij__partijIdentificator__codeSoortObjectId",
     LK_KI_F_STRING, NULL},
    {"hadBetrokkene__wasPartij__partijIdentificator__objectId", LK_KI_F_STRING,
     NULL},
    {"hadBetrokkene__wasPartij__url", LK_KI_F_URL, NULL},
    {"hadBetrokkene__wasPartij__uuid", LK_KI_F_UUID, NULL},
    {"indicatieContactGelukt", LK_KI_F_BOOL, NULL},
    {"inhoud", LK_KI_F_STRING, NULL},
    {"kanaal", LK_KI_F_STRING, NULL},
    {"leiddeTotInterneTaken", LK_KI_F_BOOL, NULL},
    {"nummer", LK_KI_F_STRING, NULL},
    {"onderwerp", LK_KI_F_STRING, NULL},
    {"onderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
     LK_KI_F_STRING, NULL},
    {"onderwerpobject__onderwerpobjectidentificatorCodeRegister",
     LK_KI_F_STRING, NULL},
    {"onderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
     LK_KI_F_STRING, NULL},
    {"onderwerpobject__onderwerpobjectidentificatorObjectId", LK_KI_F_STRING,
     NULL},
    {"onderwerpobject__url", LK_KI_F_URL, NULL},
    {"onderwerpobject__uuid", LK_KI_F_UUID, NULL},
    {"plaatsgevondenOp", LK_KI_F_DATETIME, NULL},
    {"reactie", LK_KI_F_STRING, NULL},
    {"referentienummer", LK_KI_F_STRING, NULL},
    {"vertrouwelijk", LK_KI_F_BOOL, NULL},
    {"wasOnderwerpobject__onderwerpobjectidentificatorCodeObjecttype",
     LK_KI_F_STRING, NULL},
    {"wasOnderwerpobject__onderwerpobjectidentificatorCodeRegister",
     LK_KI_F_STRING, NULL},
    {"wasOnderwerpobject__onderwerpobjectidentificatorCodeSoortObjectId",
     LK_KI_F_STRING, NULL},
    {"wasOnderwerpobject__onderwerpobjectidentificatorObjectId", LK_KI_F_STRING,
     NULL},
    {"wasOnderwerpobject__url", LK_KI_F_URL, NULL},
    {"wasOnderwerpobject__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL}};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *params[33];
  char ids[32][LK_KC_ID];
  int n = lk_ki_kc_params(c, filters, q, params, ids);

  return lk_store_ki_page(lk_ki_store(c), lk_kc_contact_count_sql,
                          lk_kc_contact_page_sql, params, n, q->offset,
                          q->limit, pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op = lk_ki_kc_op_new(c, mode, uuid, out);

  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_contact_apply;
  if (mode == LK_KI_DELETE)
    return 0;
  return lk_ki_kc_contact_read(c, doc, "", mode == LK_KI_CREATE, op);
}

static const char *const expand[] = {"gingOverOnderwerpobjecten",
                                     "hadBetrokkenen",
                                     "hadBetrokkenen.digitaleAdressen",
                                     "hadBetrokkenen.wasPartij",
                                     "leiddeTotInterneTaken",
                                     "omvatteBijlagen",
                                     NULL};

static const lk_ki_expansion expansions[] = {
    {"gingOverOnderwerpobjecten", "onderwerpobjecten"},
    {"hadBetrokkenen", "betrokkenen"},
    {"leiddeTotInterneTaken", "internetaken"},
    {"omvatteBijlagen", "bijlagen"},
    {NULL, NULL}};

static const char *const required[] = {"kanaal", "onderwerp", "taal",
                                       "vertrouwelijk", NULL};

const lk_ki_resource lk_ki_klantcontacten = {
    .name = "klantcontacten",
    .filters = filters,
    .expand = expand,
    .expansions = expansions,
    .required = required,
    .render = lk_ki_kc_contact_render,
    .list = list,
    .prepare = prepare,
};
