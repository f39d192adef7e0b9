/* betrokkenen.c - /betrokkenen: who was involved in a klantcontact, with
 * the name and addresses given for that contact. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "store/kiquery.h"

/* ---- nested groups ---------------------------------------------------- */

enum { G_TEXT, G_INT };

/* One member of a nested group: text of at most `max` characters (and
 * exactly `min` or more), optionally matching `pattern`; or an integer
 * from `min` to `max`. */
typedef struct group_member {
  const char *key;
  int type;
  long min;
  long max;
  const char *pattern;
} group_member;

static const group_member address_members[] = {
    {"nummeraanduidingId", G_TEXT, 0, 16, "^[0-9]{16}$"},
    {"straatnaam", G_TEXT, 0, 255, NULL},
    {"huisnummer", G_INT, 1, 99999, NULL},
    {"huisnummertoevoeging", G_TEXT, 0, 20, NULL},
    {"postcode", G_TEXT, 0, 7, "^[1-9][0-9]{3} [A-Z]{2}$"},
    {"stad", G_TEXT, 0, 255, NULL},
    {"adresregel1", G_TEXT, 0, 80, NULL},
    {"adresregel2", G_TEXT, 0, 80, NULL},
    {"adresregel3", G_TEXT, 0, 80, NULL},
    {"land", G_TEXT, 2, 2, NULL},
    {NULL, 0, 0, 0, NULL}};

static const group_member name_members[] = {
    {"voorletters", G_TEXT, 0, 10, NULL},
    {"voornaam", G_TEXT, 0, 200, NULL},
    {"voorvoegselAchternaam", G_TEXT, 0, 10, NULL},
    {"achternaam", G_TEXT, 0, 200, NULL},
    {NULL, 0, 0, 0, NULL}};

static bool matches(const char *pattern, const char *s) {
  regex_t re;
  bool ok;

  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return false;
  ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

/* Validates the group at member `key` of `doc` and writes it, with only
 * its known members, as JSON text into `dst` ("" for null or absent). */
static int group_member_read(lk_ki *c, json_t *doc, const char *prefix,
                             const char *key, const group_member *spec,
                             char *dst, size_t size) {
  json_t *v = json_object_get(doc, key);
  json_t *clean;
  char name[96];
  char *text;
  int rc = 0;

  dst[0] = '\0';
  if (v == NULL || json_is_null(v))
    return 0;
  snprintf(name, sizeof(name), "%s%s", prefix, key);
  if (!json_is_object(v))
    return lk_ki_invalid(c, name, "invalid", "Moet een object zijn.");
  clean = json_object();
  for (const group_member *m = spec; m->key != NULL; m++) {
    json_t *f = json_object_get(v, m->key);
    char sub[64];
    const char *s;

    snprintf(sub, sizeof(sub), "%s%s.", prefix, key);
    if (f == NULL || (json_is_null(f) && m->type == G_INT))
      continue;
    snprintf(name, sizeof(name), "%s%s.%s", prefix, key, m->key);
    if (m->type == G_INT) {
      json_int_t n = json_integer_value(f);

      if (!json_is_integer(f) || n < m->min || n > m->max)
        rc = lk_ki_invalid(c, name, "invalid",
                           "Moet een geheel getal binnen het bereik zijn.");
      else
        json_object_set(clean, m->key, f);
      continue;
    }
    if (lk_ki_get_string(c, v, sub, m->key, (size_t)m->max, false, &s) != 0) {
      rc = LK_EINVALID;
      continue;
    }
    /* null, and an empty value where the document has a pattern or a
     * minimum length, mean the member is not there. */
    if (s == NULL || (s[0] == '\0' && (m->pattern != NULL || m->min > 0)))
      continue;
    if (s[0] != '\0' && ((m->min > 0 && lk_ki_chars(s) < (size_t)m->min) ||
                         (m->pattern != NULL && !matches(m->pattern, s)))) {
      rc = lk_ki_invalid(c, name, "invalid",
                         "Deze waarde heeft niet het juiste formaat.");
      continue;
    }
    json_object_set_new(clean, m->key, json_string(s));
  }
  text = rc == 0 ? json_dumps(clean, JSON_COMPACT) : NULL;
  json_decref(clean);
  if (rc != 0)
    return LK_EINVALID;
  if (text == NULL)
    return LK_STORE_NOMEM;
  snprintf(dst, size, "%s", text);
  free(text);
  return 0;
}

/* ---- reading and rendering -------------------------------------------- */

int lk_ki_kc_involved_read(lk_ki *c, json_t *doc, const char *prefix,
                           bool with_contact, lk_kc_op *op) {
  static const char *const roles[] = {"vertegenwoordiger", "klant", NULL};
  lk_kc_involved *b = &op->involved;
  const char *s;
  int flag;
  int rc = 0;

  if (with_contact) {
    if (lk_ki_get_ref(c, doc, prefix, "hadKlantcontact", "klantcontacten", true,
                      &s) == 0)
      lk_ki_kc_uuid(b->contact_id, s);
    else
      rc = LK_EINVALID;
  }
  if (lk_ki_get_ref(c, doc, prefix, "wasPartij", "partijen", false, &s) == 0)
    lk_ki_kc_uuid(b->party_id, s);
  else
    rc = LK_EINVALID;
  if (lk_ki_get_enum(c, doc, prefix, "rol", roles, true, &s) == 0)
    snprintf(b->role, sizeof(b->role), "%s", s);
  else
    rc = LK_EINVALID;
  if (lk_ki_get_bool(c, doc, prefix, "initiator", true, &flag) == 0)
    b->initiator = flag == 1;
  else
    rc = LK_EINVALID;
  if (lk_ki_get_string(c, doc, prefix, "organisatienaam", 200, false, &s) == 0)
    snprintf(b->organisation, sizeof(b->organisation), "%s",
             s != NULL ? s : "");
  else
    rc = LK_EINVALID;
  if (group_member_read(c, doc, prefix, "contactnaam", name_members,
                        b->contact_name, sizeof(b->contact_name)) != 0 ||
      group_member_read(c, doc, prefix, "bezoekadres", address_members,
                        b->visiting_address,
                        sizeof(b->visiting_address)) != 0 ||
      group_member_read(c, doc, prefix, "correspondentieadres", address_members,
                        b->postal_address, sizeof(b->postal_address)) != 0)
    rc = LK_EINVALID;
  return rc != 0 || lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

int lk_ki_kc_involved_render(lk_ki *c, const char *uuid, json_t **out) {
  lk_kc_involved *b = malloc(sizeof(*b));
  char full[1024];
  char id[LK_KC_ID];
  json_t *o;
  int rc;

  if (b == NULL)
    return LK_STORE_NOMEM;
  lk_ki_kc_uuid(id, uuid);
  rc =
      lk_store_kc_involved_get(lk_ki_store(c), id, lk_ki_kc_confidential(c), b);
  if (rc == 0)
    rc = lk_ki_log_read(c, b->party_id);
  if (rc != 0) {
    free(b);
    return rc;
  }
  lk_kc_full_name(b->contact_name, full, sizeof(full));
  o = json_object();
  json_object_set_new(o, "uuid", json_string(b->id));
  json_object_set_new(o, "url", lk_ki_url(c, "betrokkenen", b->id));
  json_object_set_new(o, "wasPartij", lk_ki_ref(c, "partijen", b->party_id));
  json_object_set_new(o, "hadKlantcontact",
                      lk_ki_ref(c, "klantcontacten", b->contact_id));
  json_object_set_new(o, "digitaleAdressen",
                      lk_ki_kc_refs(c, "digitaleadressen", b->address_ids));
  json_object_set_new(o, "bezoekadres", lk_ki_kc_group(b->visiting_address));
  json_object_set_new(o, "correspondentieadres",
                      lk_ki_kc_group(b->postal_address));
  json_object_set_new(o, "contactnaam", lk_ki_kc_group(b->contact_name));
  json_object_set_new(o, "volledigeNaam", json_string(full));
  json_object_set_new(o, "rol", json_string(b->role));
  json_object_set_new(o, "organisatienaam", json_string(b->organisation));
  json_object_set_new(o, "initiator", json_boolean(b->initiator != 0));
  free(b);
  *out = o;
  return 0;
}

/* ---- the resource ----------------------------------------------------- */

/* The order is that of the list statement (store/klantcontacten.c). */
static const lk_ki_filter filters[] = {
    {"contactnaamAchternaam", LK_KI_F_STRING, NULL},
    {"contactnaamVoorletters", LK_KI_F_STRING, NULL},
    {"contactnaamVoornaam", LK_KI_F_STRING, NULL},
    {"contactnaamVoorvoegselAchternaam", LK_KI_F_STRING, NULL},
    {"hadKlantcontact__nummer", LK_KI_F_STRING, NULL},
    {"hadKlantcontact__referentienummer", LK_KI_F_STRING, NULL},
    {"hadKlantcontact__url", LK_KI_F_URL, NULL},
    {"hadKlantcontact__uuid", LK_KI_F_UUID, NULL},
    {"organisatienaam", LK_KI_F_STRING, NULL},
    {"verstrektedigitaalAdres__adres", LK_KI_F_STRING, NULL},
    {"verstrektedigitaalAdres__url", LK_KI_F_URL, NULL},
    {"verstrektedigitaalAdres__uuid", LK_KI_F_UUID, NULL},
    {"wasPartij__nummer", LK_KI_F_STRING, NULL},
    {"wasPartij__partijIdentificator__codeObjecttype", LK_KI_F_STRING, NULL},
    {"wasPartij__partijIdentificator__codeRegister", LK_KI_F_STRING, NULL},
    {"wasPartij__partijIdentificator__codeSoortObjectId", LK_KI_F_STRING, NULL},
    {"wasPartij__partijIdentificator__objectId", LK_KI_F_STRING, NULL},
    {"wasPartij__url", LK_KI_F_URL, NULL},
    {"wasPartij__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL}};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *params[20];
  char ids[19][LK_KC_ID];
  int n = lk_ki_kc_params(c, filters, q, params, ids);

  return lk_store_ki_page(lk_ki_store(c), lk_kc_involved_count_sql,
                          lk_kc_involved_page_sql, params, n, q->offset,
                          q->limit, pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_kc_op *op = lk_ki_kc_op_new(c, mode, uuid, out);

  if (op == NULL)
    return LK_STORE_NOMEM;
  *apply = lk_kc_involved_apply;
  if (mode == LK_KI_DELETE)
    return 0;
  return lk_ki_kc_involved_read(c, doc, "", true, op);
}

static const char *const expand[] = {"digitaleAdressen", NULL};

static const lk_ki_expansion expansions[] = {
    {"digitaleAdressen", "digitaleadressen"},
    {"hadKlantcontact", "klantcontacten"},
    {"wasPartij", "partijen"},
    {NULL, NULL}};

static const char *const required[] = {"hadKlantcontact", "initiator", "rol",
                                       NULL};

const lk_ki_resource lk_ki_betrokkenen = {
    .name = "betrokkenen",
    .filters = filters,
    .expand = expand,
    .expansions = expansions,
    .required = required,
    .render = lk_ki_kc_involved_render,
    .list = list,
    .prepare = prepare,
};
