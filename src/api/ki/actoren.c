/* actoren.c - /actoren: medewerkers, organisatorische eenheden and
 * geautomatiseerde actoren. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"
#include "core/actor.h"

static const char *const kinds[] = {"geautomatiseerde_actor", "medewerker",
                                    "organisatorische_eenheid", NULL};

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_actor_row *a = malloc(sizeof(*a));
  json_t *ident;
  json_t *ai;
  int rc;

  if (a == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_actor_get(lk_ki_store(c), uuid, a);
  if (rc != 0) {
    free(a);
    return rc;
  }
  ident = lk_ki_json_text(a->identificator);
  if (json_object_size(ident) == 0) {
    json_decref(ident);
    ident = json_null();
  }
  ai = lk_ki_json_text(a->identification);
  *out = json_pack("{s:s,s:o,s:s,s:s,s:b,s:o}", "uuid", a->id, "url",
                   lk_ki_url(c, "actoren", a->id), "naam", a->name,
                   "soortActor", a->kind, "indicatieActief", a->active,
                   "actoridentificator", ident);
  free(a);
  if (*out == NULL) {
    json_decref(ai);
    return LK_STORE_NOMEM;
  }
  if (json_object_size(ai) > 0)
    json_object_set_new(*out, "actorIdentificatie", ai);
  else
    json_decref(ai);
  return 0;
}

static const lk_ki_filter filters[] = {
    {"actoridentificatorCodeObjecttype", LK_KI_F_STRING, NULL},
    {"actoridentificatorCodeRegister", LK_KI_F_STRING, NULL},
    {"actoridentificatorCodeSoortObjectId", LK_KI_F_STRING, NULL},
    {"actoridentificatorObjectId", LK_KI_F_STRING, NULL},
    {"indicatieActief", LK_KI_F_BOOL, NULL},
    {"naam", LK_KI_F_STRING, NULL},
    {"soortActor", LK_KI_F_ENUM, kinds},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  return lk_store_actor_page(lk_ki_store(c), q->values, q->offset, q->limit,
                             pg->uuids, &pg->n, &pg->count);
}

/* Copies string members `names` (with their maximum lengths) of `obj` into
 * a clean JSON object text. */
struct member {
  const char *name;
  size_t max;
  int check; /* 0 text, 1 e-mail, 2 phone */
  bool required;
};

static int clean_object(lk_ki *c, json_t *obj, const char *key,
                        const struct member *m, size_t n, char *out,
                        size_t size) {
  json_t *clean;
  char prefix[64];
  char *text;
  int rc = 0;

  snprintf(out, size, "{}");
  if (obj == NULL || json_is_null(obj))
    return 0;
  if (!json_is_object(obj))
    return lk_ki_invalid(c, key, "invalid", "Moet een object zijn.");
  snprintf(prefix, sizeof(prefix), "%s.", key);
  clean = json_object();
  for (size_t i = 0; i < n; i++) {
    const char *s;
    char name[96];

    snprintf(name, sizeof(name), "%s%s", prefix, m[i].name);
    if (lk_ki_get_string(c, obj, prefix, m[i].name, m[i].max, m[i].required,
                         &s) != 0) {
      rc = LK_EINVALID;
      continue;
    }
    if (s == NULL)
      continue;
    if (s[0] != '\0' && m[i].check == 1 && !lk_email_valid(s)) {
      rc = lk_ki_invalid(c, name, "invalid", "Voer een geldig e-mailadres in.");
      continue;
    }
    if (s[0] != '\0' && m[i].check == 2 && !lk_phone_valid(s)) {
      rc = lk_ki_invalid(c, name, "invalid",
                         "Het opgegeven telefoonnummer is ongeldig.");
      continue;
    }
    json_object_set_new(clean, m[i].name, json_string(s));
  }
  text = json_dumps(clean, JSON_COMPACT);
  json_decref(clean);
  if (text == NULL)
    return LK_STORE_NOMEM;
  if (rc == 0)
    snprintf(out, size, "%s", text);
  free(text);
  return rc;
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  static const struct member identificator[] = {
      {"objectId", 200, 0, false},
      {"codeObjecttype", 200, 0, false},
      {"codeRegister", 200, 0, false},
      {"codeSoortObjectId", 200, 0, false}};
  static const struct member medewerker[] = {{"functie", 40, 0, true},
                                             {"emailadres", 254, 1, false},
                                             {"telefoonnummer", 20, 2, true}};
  static const struct member automated[] = {{"functie", 40, 0, true},
                                            {"omschrijving", 200, 0, false}};
  static const struct member unit[] = {{"omschrijving", 200, 0, false},
                                       {"emailadres", 254, 1, false},
                                       {"faxnummer", 20, 0, false},
                                       {"telefoonnummer", 20, 2, false}};
  lk_actor_op *op = calloc(1, sizeof(*op));
  lk_actor_row *a;
  json_t *ai;
  const char *s;
  int b;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_actor_apply;
  a = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, a->id, uuid);
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_string(c, doc, "", "naam", 200, true, &s) == 0)
    snprintf(a->name, sizeof(a->name), "%s", s);
  if (lk_ki_get_enum(c, doc, "", "soortActor", kinds, true, &s) == 0)
    snprintf(a->kind, sizeof(a->kind), "%s", s);
  a->active = 1;
  if (lk_ki_get_bool(c, doc, "", "indicatieActief", false, &b) == 0 && b >= 0)
    a->active = b;
  clean_object(c, json_object_get(doc, "actoridentificator"),
               "actoridentificator", identificator, 4, a->identificator,
               sizeof(a->identificator));
  ai = json_object_get(doc, "actorIdentificatie");
  snprintf(a->identification, sizeof(a->identification), "{}");
  if (strcmp(a->kind, "medewerker") == 0) {
    clean_object(c, ai, "actorIdentificatie", medewerker, 3, a->identification,
                 sizeof(a->identification));
  } else if (strcmp(a->kind, "geautomatiseerde_actor") == 0) {
    clean_object(c, ai, "actorIdentificatie", automated, 2, a->identification,
                 sizeof(a->identification));
  } else if (a->kind[0] != '\0') {
    clean_object(c, ai, "actorIdentificatie", unit, 4, a->identification,
                 sizeof(a->identification));
  }
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const required[] = {"naam", "soortActor", NULL};

const lk_ki_resource lk_ki_actoren = {
    .name = "actoren",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
