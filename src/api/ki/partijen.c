/* partijen.c - /partijen: persons, organisations and contact persons. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"

int lk_ki_party_visible(lk_ki *c, const char *party_id) {
  lk_party_row *p;
  int rc;

  if (party_id == NULL || party_id[0] == '\0' ||
      lk_req_principal(lk_ki_req(c))->confidential)
    return 1;
  p = malloc(sizeof(*p));
  if (p == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_party_get(lk_ki_store(c), party_id, p);
  if (rc == 0)
    rc = p->confidential ? 0 : 1;
  else if (rc == LK_STORE_NOTFOUND)
    rc = 1;
  free(p);
  return rc;
}

int lk_ki_party_read(lk_ki *c, const char *party_id) {
  int rc = lk_ki_party_visible(c, party_id);

  if (rc == 0)
    return LK_STORE_NOTFOUND;
  return rc == 1 ? lk_ki_log_read(c, party_id) : rc;
}

void lk_ki_party_filters(lk_ki *c, const lk_ki_query *q, const char **f,
                         int n) {
  memcpy(f, q->values, (size_t)n * sizeof(f[0]));
  f[n] = lk_req_principal(lk_ki_req(c))->confidential ? "1" : "0";
}

/* ---- rendering ------------------------------------------------------- */

struct refs {
  lk_ki *c;
  const char *resource;
  json_t *arr;
};

static void add_ref(const char *id, void *ud) {
  struct refs *r = ud;

  json_array_append_new(r->arr, lk_ki_ref(r->c, r->resource, id));
}

static json_t *related(lk_ki *c, const char *id, enum lk_party_rel rel,
                       const char *resource, int *rc) {
  struct refs r = {c, resource, json_array()};

  if (*rc == 0)
    *rc = lk_store_party_related(lk_ki_store(c), id, rel, add_ref, &r);
  return r.arr;
}

/* CategorieRelatieForeignKey: the relation with its category's name. */
static void add_catrel(const char *id, void *ud) {
  struct refs *r = ud;
  lk_category_relation_row cr;
  json_t *v;

  if (lk_store_category_relation_get(lk_ki_store(r->c), id, &cr) != 0)
    return;
  v = lk_ki_ref(r->c, "categorie-relaties", id);
  json_object_set_new(v, "categorieNaam",
                      cr.category_id[0] ? json_string(cr.category_name)
                                        : json_null());
  json_object_set_new(v, "beginDatum",
                      cr.begin_date[0] ? json_string(cr.begin_date)
                                       : json_null());
  json_object_set_new(v, "eindDatum",
                      cr.end_date[0] ? json_string(cr.end_date) : json_null());
  json_array_append_new(r->arr, v);
}

static void add_identifier(const char *id, void *ud) {
  struct refs *r = ud;
  lk_identifier_row row;

  if (lk_store_identifier_get(lk_ki_store(r->c), id, &row) == 0)
    json_array_append_new(r->arr, lk_ki_identifier_json(r->c, &row));
}

static json_t *address_json(const char *text) {
  return text[0] != '\0' ? lk_ki_json_text(text) : json_null();
}

static json_t *identification_json(lk_ki *c, const lk_party_row *p) {
  json_t *stored = lk_ki_json_text(p->identification);
  json_t *out = json_object();
  json_t *cn = json_object_get(stored, "contactnaam");

  if (strcmp(p->kind, "organisatie") == 0) {
    const char *naam = json_string_value(json_object_get(stored, "naam"));

    json_object_set_new(out, "naam", json_string(naam != NULL ? naam : ""));
  } else {
    if (strcmp(p->kind, "contactpersoon") == 0) {
      json_object_set_new(out, "uuid", json_string(p->id));
      json_object_set_new(out, "werkteVoorPartij",
                          lk_ki_ref(c, "partijen", p->works_for));
    }
    json_object_set(out, "contactnaam", json_is_object(cn) ? cn : json_null());
    json_object_set_new(out, "volledigeNaam", json_string(p->display_name));
  }
  json_decref(stored);
  return out;
}

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_party_row *p = malloc(sizeof(*p));
  struct refs ids;
  json_t *v;
  int rc;

  if (p == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_party_get(lk_ki_store(c), uuid, p);
  if (rc == 0 && p->confidential &&
      !lk_req_principal(lk_ki_req(c))->confidential)
    rc = LK_STORE_NOTFOUND; /* exactly like an unknown id */
  if (rc == 0)
    rc = lk_ki_log_read(c, p->id);
  if (rc != 0) {
    free(p);
    return rc;
  }
  v = json_object();
  json_object_set_new(v, "uuid", json_string(p->id));
  json_object_set_new(v, "url", lk_ki_url(c, "partijen", p->id));
  json_object_set_new(v, "nummer", json_string(p->nummer));
  json_object_set_new(v, "interneNotitie", json_string(p->internal_note));
  json_object_set_new(v, "betrokkenen",
                      related(c, p->id, LK_PARTY_INVOLVED, "betrokkenen", &rc));
  ids = (struct refs){c, NULL, json_array()};
  if (rc == 0)
    rc = lk_store_party_related(lk_ki_store(c), p->id,
                                LK_PARTY_CATEGORY_RELATIONS, add_catrel, &ids);
  json_object_set_new(v, "categorieRelaties", ids.arr);
  json_object_set_new(
      v, "digitaleAdressen",
      related(c, p->id, LK_PARTY_DIGITAL_ADDRESSES, "digitaleadressen", &rc));
  json_object_set_new(
      v, "voorkeursDigitaalAdres",
      lk_ki_ref(c, "digitaleadressen", p->preferred_address_id));
  json_object_set_new(v, "vertegenwoordigden",
                      related(c, p->id, LK_PARTY_REPRESENTED, "partijen", &rc));
  json_object_set_new(
      v, "rekeningnummers",
      related(c, p->id, LK_PARTY_BANK_ACCOUNTS, "rekeningnummers", &rc));
  json_object_set_new(v, "voorkeursRekeningnummer",
                      lk_ki_ref(c, "rekeningnummers", p->preferred_account_id));
  ids = (struct refs){c, NULL, json_array()};
  if (rc == 0)
    rc = lk_store_party_related(lk_ki_store(c), p->id, LK_PARTY_IDENTIFIERS,
                                add_identifier, &ids);
  json_object_set_new(v, "partijIdentificatoren", ids.arr);
  json_object_set_new(v, "soortPartij", json_string(p->kind));
  json_object_set_new(v, "indicatieGeheimhouding",
                      json_boolean(p->confidential));
  json_object_set_new(v, "voorkeurstaal", json_string(p->language));
  json_object_set_new(v, "indicatieActief", json_boolean(p->active));
  json_object_set_new(v, "bezoekadres", address_json(p->visiting_address));
  json_object_set_new(v, "correspondentieadres",
                      address_json(p->postal_address));
  json_object_set_new(v, "partijIdentificatie", identification_json(c, p));
  free(p);
  if (rc != 0) {
    json_decref(v);
    return rc;
  }
  *out = v;
  return 0;
}

/* ---- list ------------------------------------------------------------ */

static const char *const kinds[] = {"contactpersoon", "organisatie", "persoon",
                                    NULL};

static const lk_ki_filter filters[] = {
    {"bezoekadresAdresregel1", LK_KI_F_STRING, NULL},
    {"bezoekadresAdresregel2", LK_KI_F_STRING, NULL},
    {"bezoekadresAdresregel3", LK_KI_F_STRING, NULL},
    {"bezoekadresLand", LK_KI_F_STRING, NULL},
    {"bezoekadresNummeraanduidingId", LK_KI_F_STRING, NULL},
    {"categorierelatie__categorie__naam", LK_KI_F_STRING, NULL},
    {"correspondentieadresAdresregel1", LK_KI_F_STRING, NULL},
    {"correspondentieadresAdresregel2", LK_KI_F_STRING, NULL},
    {"correspondentieadresAdresregel3", LK_KI_F_STRING, NULL},
    {"correspondentieadresLand", LK_KI_F_STRING, NULL},
    {"correspondentieadresNummeraanduidingId", LK_KI_F_STRING, NULL},
    {"indicatieActief", LK_KI_F_BOOL, NULL},
    {"indicatieGeheimhouding", LK_KI_F_BOOL, NULL},
    {"nummer", LK_KI_F_STRING, NULL},
    {"partijIdentificator__codeObjecttype", LK_KI_F_STRING, NULL},
    {"partijIdentificator__codeRegister", LK_KI_F_STRING, NULL},
    {"partijIdentificator__codeSoortObjectId", LK_KI_F_STRING, NULL},
    {"partijIdentificator__objectId", LK_KI_F_STRING, NULL},
    {"soortPartij", LK_KI_F_ENUM, kinds},
    {"subIdentificatorVan__codeObjecttype", LK_KI_F_STRING, NULL},
    {"subIdentificatorVan__codeRegister", LK_KI_F_STRING, NULL},
    {"subIdentificatorVan__codeSoortObjectId", LK_KI_F_STRING, NULL},
    {"subIdentificatorVan__objectId", LK_KI_F_STRING, NULL},
    {"vertegenwoordigdePartij__url", LK_KI_F_URL, NULL},
    {"vertegenwoordigdePartij__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[26];

  lk_ki_party_filters(c, q, f, 25);
  return lk_store_party_page(lk_ki_store(c), f, q->offset, q->limit, pg->uuids,
                             &pg->n, &pg->count);
}

/* ---- writes ---------------------------------------------------------- */

static bool pattern_digits(const char *s, size_t n) {
  if (strlen(s) != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

static bool postcode_ok(const char *s) {
  return strlen(s) == 7 && s[0] >= '1' && s[0] <= '9' &&
         pattern_digits((char[4]){s[1], s[2], s[3], 0}, 3) && s[4] == ' ' &&
         s[5] >= 'A' && s[5] <= 'Z' && s[6] >= 'A' && s[6] <= 'Z';
}

int lk_ki_address_member(lk_ki *c, json_t *doc, const char *key, char *out,
                         size_t size) {
  static const struct {
    const char *name;
    size_t max;
  } strs[] = {{"nummeraanduidingId", 16},
              {"straatnaam", 255},
              {"huisnummertoevoeging", 20},
              {"postcode", 7},
              {"stad", 255},
              {"adresregel1", 80},
              {"adresregel2", 80},
              {"adresregel3", 80},
              {"land", 2}};
  json_t *a = json_object_get(doc, key);
  json_t *clean;
  json_t *hn;
  char prefix[64];
  char *text;
  int rc = 0;

  out[0] = '\0';
  if (a == NULL || json_is_null(a))
    return 0;
  if (!json_is_object(a))
    return lk_ki_invalid(c, key, "invalid", "Moet een object zijn.");
  snprintf(prefix, sizeof(prefix), "%s.", key);
  clean = json_object();
  for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
    const char *s;
    char name[96];

    snprintf(name, sizeof(name), "%s%s", prefix, strs[i].name);
    if (lk_ki_get_string(c, a, prefix, strs[i].name, strs[i].max, false, &s) !=
        0) {
      rc = LK_EINVALID;
      continue;
    }
    /* "" would break the patterns of these members: leave it out. */
    if (s == NULL ||
        (s[0] == '\0' && (strcmp(strs[i].name, "postcode") == 0 ||
                          strcmp(strs[i].name, "land") == 0 ||
                          strcmp(strs[i].name, "nummeraanduidingId") == 0)))
      continue;
    if (s[0] != '\0' &&
        ((strcmp(strs[i].name, "nummeraanduidingId") == 0 &&
          !pattern_digits(s, 16)) ||
         (strcmp(strs[i].name, "postcode") == 0 && !postcode_ok(s)) ||
         (strcmp(strs[i].name, "land") == 0 && strlen(s) != 2))) {
      rc = lk_ki_invalid(c, name, "invalid", "Ongeldig formaat.");
      continue;
    }
    json_object_set_new(clean, strs[i].name, json_string(s));
  }
  hn = json_object_get(a, "huisnummer");
  if (hn != NULL && !json_is_null(hn)) {
    char name[96];

    snprintf(name, sizeof(name), "%shuisnummer", prefix);
    if (!json_is_integer(hn) || json_integer_value(hn) < 1 ||
        json_integer_value(hn) > 99999)
      rc = lk_ki_invalid(c, name, "invalid",
                         "Moet een geheel getal van 1 tot 99999 zijn.");
    else
      json_object_set(clean, "huisnummer", hn);
  } else if (hn != NULL) {
    json_object_set_new(clean, "huisnummer", json_null());
  }
  text = json_dumps(clean, JSON_COMPACT);
  json_decref(clean);
  if (text == NULL)
    return LK_STORE_NOMEM;
  if (strlen(text) >= size)
    rc = lk_ki_invalid(c, key, "max_length", "Het adres is te lang.");
  else if (rc == 0)
    snprintf(out, size, "%s", text);
  free(text);
  return rc;
}

/* contactnaam of a persoon or contactpersoon, as clean JSON. */
static int contactnaam(lk_ki *c, json_t *ident, json_t *into) {
  static const struct {
    const char *name;
    size_t max;
  } parts[] = {{"voorletters", 10},
               {"voornaam", 200},
               {"voorvoegselAchternaam", 10},
               {"achternaam", 200}};
  json_t *cn = json_object_get(ident, "contactnaam");
  json_t *clean;
  int rc = 0;

  if (cn == NULL || json_is_null(cn))
    return 0;
  if (!json_is_object(cn))
    return lk_ki_invalid(c, "partijIdentificatie.contactnaam", "invalid",
                         "Moet een object zijn.");
  clean = json_object();
  for (size_t i = 0; i < 4; i++) {
    const char *s;

    if (lk_ki_get_string(c, cn, "partijIdentificatie.contactnaam.",
                         parts[i].name, parts[i].max, false, &s) != 0)
      rc = LK_EINVALID;
    else if (s != NULL)
      json_object_set_new(clean, parts[i].name, json_string(s));
  }
  json_object_set_new(into, "contactnaam", clean);
  return rc;
}

static int identification(lk_ki *c, json_t *doc, lk_party_row *p) {
  json_t *ident = json_object_get(doc, "partijIdentificatie");
  json_t *clean = json_object();
  const char *s;
  char *text;
  int rc = 0;

  if (ident != NULL && !json_is_null(ident) && !json_is_object(ident)) {
    json_decref(clean);
    return lk_ki_invalid(c, "partijIdentificatie", "invalid",
                         "Moet een object zijn.");
  }
  if (strcmp(p->kind, "organisatie") == 0) {
    if (lk_ki_get_string(c, ident, "partijIdentificatie.", "naam", 200, false,
                         &s) != 0)
      rc = LK_EINVALID;
    else if (s != NULL)
      json_object_set_new(clean, "naam", json_string(s));
  } else {
    rc = contactnaam(c, ident, clean);
    if (strcmp(p->kind, "contactpersoon") == 0 &&
        lk_ki_get_ref(c, ident, "partijIdentificatie.", "werkteVoorPartij",
                      "partijen", false, &s) == 0 &&
        s != NULL)
      snprintf(p->works_for, sizeof(p->works_for), "%s", s);
  }
  text = json_dumps(clean, JSON_COMPACT);
  json_decref(clean);
  if (text == NULL)
    return LK_STORE_NOMEM;
  if (strlen(text) >= sizeof(p->identification))
    rc = lk_ki_invalid(c, "partijIdentificatie", "max_length", "Te lang.");
  else
    snprintf(p->identification, sizeof(p->identification), "%s", text);
  free(text);
  lk_party_full_name(p->kind, p->identification, p->display_name,
                     sizeof(p->display_name));
  return rc;
}

/* voorkeursDigitaalAdres / voorkeursRekeningnummer: an existing item; that
 * it is the party's own is checked in the write (the same request may
 * give it to the party). */
static void preferred(lk_ki *c, json_t *doc, const char *key,
                      const char *target, char *out) {
  const char *s;

  if (lk_ki_get_ref(c, doc, "", key, target, false, &s) == 0 && s != NULL)
    snprintf(out, LK_ID, "%s", s);
}

/* digitaleAdressen / rekeningnummers sent with the party: references to
 * existing items.  Returns whether the member was given. */
static bool links(lk_ki *c, json_t *doc, const char *key, const char *target,
                  char (*out)[LK_ID], int *n) {
  json_t *list = json_object_get(doc, key);
  json_t *item;
  size_t i;

  *n = 0;
  if (list == NULL || json_is_null(list) || !lk_ki_in_body(c, key))
    return false;
  if (!json_is_array(list) || json_array_size(list) > LK_PARTY_MAX_LINKS) {
    lk_ki_invalid(c, key, "invalid",
                  "Moet een lijst van ten hoogste 32 verwijzingen zijn.");
    return false;
  }
  json_array_foreach(list, i, item) {
    char name[64];
    const char *u;

    snprintf(name, sizeof(name), "%s.%zu", key, i);
    if (lk_ki_ref_uuid(c, item, name, target, &u) == 0)
      snprintf(out[(*n)++], LK_ID, "%s", u);
  }
  return true;
}

static bool listed(char (*ids)[LK_ID], int n, const char *id) {
  for (int i = 0; i < n; i++) {
    if (strcmp(ids[i], id) == 0)
      return true;
  }
  return false;
}

/* partijIdentificatoren sent with the party (the document: "it is
 * possible to send a list of partijIdentificator objects"). */
static void identifiers(lk_ki *c, json_t *doc, lk_party_op *op) {
  json_t *list = json_object_get(doc, "partijIdentificatoren");
  json_t *item;
  size_t i;

  if (list == NULL || json_is_null(list) ||
      !lk_ki_in_body(c, "partijIdentificatoren"))
    return;
  if (!json_is_array(list) ||
      json_array_size(list) > LK_PARTY_MAX_IDENTIFIERS) {
    lk_ki_invalid(c, "partijIdentificatoren", "invalid",
                  "Moet een lijst van ten hoogste 8 identificatoren zijn.");
    return;
  }
  op->identifiers_given = true;
  json_array_foreach(list, i, item) {
    lk_identifier_row *r = &op->identifiers[i];
    const char *u = json_string_value(json_object_get(item, "uuid"));
    char prefix[48];

    snprintf(prefix, sizeof(prefix), "partijIdentificatoren.%zu.", i);
    if (!json_is_object(item)) {
      lk_ki_invalid(c, "partijIdentificatoren", "invalid",
                    "Moet een lijst van objecten zijn.");
      return;
    }
    if (u != NULL && lk_uuid_valid(u)) {
      snprintf(r->id, sizeof(r->id), "%s", u);
    } else {
      lk_uuid_new(r->id, lk_clock_real_ms());
      op->identifier_new[i] = true;
    }
    for (size_t j = 0; j < i; j++) {
      if (!op->identifier_new[i] && strcmp(op->identifiers[j].id, r->id) == 0)
        lk_ki_invalid(c, "partijIdentificatoren", "unique",
                      "Dezelfde identificator staat er twee keer in.");
    }
    lk_ki_identifier_parse(c, item, prefix, r);
    op->nidentifiers = (int)i + 1;
  }
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_party_op *op = calloc(1, sizeof(*op));
  lk_party_row *p;
  const char *s;
  int b;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_party_apply;
  p = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, p->id, uuid);
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_enum(c, doc, "", "soortPartij", kinds, true, &s) == 0)
    snprintf(p->kind, sizeof(p->kind), "%s", s);
  if (lk_ki_get_string(c, doc, "", "nummer", 10, false, &s) == 0 && s != NULL) {
    if (s[0] != '\0' && strspn(s, "0123456789") != strlen(s))
      lk_ki_invalid(c, "nummer", "invalid", "Mag alleen cijfers bevatten.");
    else
      snprintf(p->nummer, sizeof(p->nummer), "%s", s);
  }
  if (lk_ki_get_string(c, doc, "", "interneNotitie", 1000, false, &s) == 0 &&
      s != NULL)
    snprintf(p->internal_note, sizeof(p->internal_note), "%s", s);
  if (lk_ki_get_bool(c, doc, "", "indicatieGeheimhouding", false, &b) == 0) {
    p->confidential = b == 1;
    if (p->confidential && !lk_req_principal(lk_ki_req(c))->confidential)
      lk_ki_invalid(c, "indicatieGeheimhouding", "permission_denied",
                    "Alleen wie vertrouwelijke partijen mag zien, kan een "
                    "partij geheim maken.");
  }
  snprintf(p->language, sizeof(p->language), "nld");
  if (lk_ki_get_string(c, doc, "", "voorkeurstaal", 3, false, &s) == 0 &&
      s != NULL) {
    if (s[0] != '\0' &&
        (strlen(s) != 3 || strspn(s, "abcdefghijklmnopqrstuvwxyz") != 3))
      lk_ki_invalid(c, "voorkeurstaal", "invalid",
                    "Moet een taalcode volgens ISO 639-2/B zijn, zoals nld.");
    else
      snprintf(p->language, sizeof(p->language), "%s", s);
  }
  if (lk_ki_get_bool(c, doc, "", "indicatieActief", true, &b) == 0)
    p->active = b == 1;
  lk_ki_address_member(c, doc, "bezoekadres", p->visiting_address,
                       sizeof(p->visiting_address));
  lk_ki_address_member(c, doc, "correspondentieadres", p->postal_address,
                       sizeof(p->postal_address));
  preferred(c, doc, "voorkeursDigitaalAdres", "digitaleadressen",
            p->preferred_address_id);
  preferred(c, doc, "voorkeursRekeningnummer", "rekeningnummers",
            p->preferred_account_id);
  op->addresses_given = links(c, doc, "digitaleAdressen", "digitaleadressen",
                              op->addresses, &op->naddresses);
  op->accounts_given = links(c, doc, "rekeningnummers", "rekeningnummers",
                             op->accounts, &op->naccounts);
  /* A preference not sent again goes with the item the request unlinks. */
  if (op->addresses_given && !lk_ki_in_body(c, "voorkeursDigitaalAdres") &&
      !listed(op->addresses, op->naddresses, p->preferred_address_id))
    p->preferred_address_id[0] = '\0';
  if (op->accounts_given && !lk_ki_in_body(c, "voorkeursRekeningnummer") &&
      !listed(op->accounts, op->naccounts, p->preferred_account_id))
    p->preferred_account_id[0] = '\0';
  if (p->kind[0] != '\0' && identification(c, doc, p) == LK_STORE_NOMEM)
    return LK_STORE_NOMEM;
  identifiers(c, doc, op);
  if (p->works_for[0] != '\0' && strcmp(p->works_for, p->id) == 0)
    lk_ki_invalid(c, "partijIdentificatie.werkteVoorPartij", "invalid",
                  "Een partij kan niet voor zichzelf werken.");
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const expand[] = {
    "betrokkenen", "betrokkenen.hadKlantcontact", "categorieRelaties",
    "digitaleAdressen", NULL};

static const lk_ki_expansion expansions[] = {
    {"betrokkenen", "betrokkenen"},
    {"categorieRelaties", "categorie-relaties"},
    {"digitaleAdressen", "digitaleadressen"},
    {NULL, NULL},
};

static const char *const required[] = {"soortPartij", "indicatieActief", NULL};

const lk_ki_resource lk_ki_partijen = {
    .name = "partijen",
    .filters = filters,
    .expand = expand,
    .expansions = expansions,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
