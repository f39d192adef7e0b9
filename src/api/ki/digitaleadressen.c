/* digitaleadressen.c - /digitaleadressen: e-mail addresses, phone numbers
 * and other addresses of parties and betrokkenen. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/klantcontacten.h"
#include "api/ki/parties.h"

/* May the caller see the party of betrokkene `id` ("" passes)?  An
 * address given in a contact is the party's data as much as its own. */
static int betrokkene_visible(lk_ki *c, const char *id) {
  lk_kc_involved *b;
  int rc;

  if (id[0] == '\0')
    return 1;
  b = malloc(sizeof(*b));
  if (b == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_kc_involved_get(lk_ki_store(c), id, true, b);
  if (rc == 0)
    rc = lk_ki_party_visible(c, b->party_id);
  else if (rc == LK_STORE_NOTFOUND)
    rc = 1;
  free(b);
  return rc;
}

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_digital_address_row r;
  int rc = lk_store_digital_address_get(lk_ki_store(c), uuid, &r);

  if (rc == 0) {
    rc = lk_ki_party_visible(c, r.party_id);
    if (rc == 1)
      rc = betrokkene_visible(c, r.betrokkene_id);
    if (rc == 0)
      rc = LK_STORE_NOTFOUND;
    else if (rc == 1)
      rc = lk_ki_log_read(c, r.party_id);
  }
  if (rc != 0)
    return rc;
  *out = json_pack(
      "{s:s,s:o,s:o,s:o,s:s,s:s,s:b,s:s,s:o}", "uuid", r.id, "url",
      lk_ki_url(c, "digitaleadressen", r.id), "verstrektDoorBetrokkene",
      lk_ki_ref(c, "betrokkenen", r.betrokkene_id), "verstrektDoorPartij",
      lk_ki_ref(c, "partijen", r.party_id), "adres", r.address,
      "soortDigitaalAdres", r.kind, "isStandaardAdres", r.is_default,
      "omschrijving", r.description, "verificatieDatum",
      r.verified_on[0] ? json_string(r.verified_on) : json_null());
  if (*out == NULL)
    return LK_STORE_NOMEM;
  /* The document's pattern for referentie does not allow "": an address
   * without one leaves the member out. */
  if (r.reference[0] != '\0')
    json_object_set_new(*out, "referentie", json_string(r.reference));
  return 0;
}

static const char *const kinds[] = {"email", "overig", "telefoonnummer", NULL};
static const char *const roles[] = {"klant", "vertegenwoordiger", NULL};
static const char *const party_kinds[] = {"contactpersoon", "organisatie",
                                          "persoon", NULL};

static const lk_ki_filter filters[] = {
    {"adres", LK_KI_F_STRING, NULL},
    {"adres__icontains", LK_KI_F_STRING, NULL},
    {"isGeverifieerd", LK_KI_F_BOOL, NULL},
    {"isStandaardAdres", LK_KI_F_BOOL, NULL},
    {"omschrijving", LK_KI_F_STRING, NULL},
    {"referentie", LK_KI_F_STRING, NULL},
    {"soortDigitaalAdres", LK_KI_F_ENUM, kinds},
    {"verificatieDatum", LK_KI_F_DATE, NULL},
    {"verificatieDatum__gt", LK_KI_F_DATE, NULL},
    {"verificatieDatum__gte", LK_KI_F_DATE, NULL},
    {"verificatieDatum__lt", LK_KI_F_DATE, NULL},
    {"verificatieDatum__lte", LK_KI_F_DATE, NULL},
    {"verstrektDoorBetrokkene__rol", LK_KI_F_ENUM, roles},
    {"verstrektDoorBetrokkene__url", LK_KI_F_URL, NULL},
    {"verstrektDoorBetrokkene__uuid", LK_KI_F_UUID, NULL},
    {"verstrektDoorPartij__partijIdentificator__codeObjecttype", LK_KI_F_STRING,
     NULL},
    {"verstrektDoorPartij__partijIdentificator__codeRegister", LK_KI_F_STRING,
     NULL},
    {"verstrektDoorPartij__partijIdentificator__codeSoortObjectId",
     LK_KI_F_STRING, NULL},
    {"verstrektDoorPartij__partijIdentificator__objectId", LK_KI_F_STRING,
     NULL},
    {"verstrektDoorPartij__soortPartij", LK_KI_F_ENUM, party_kinds},
    {"verstrektDoorPartij__url", LK_KI_F_URL, NULL},
    {"verstrektDoorPartij__uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[23];

  lk_ki_party_filters(c, q, f, 22);
  return lk_store_digital_address_page(lk_ki_store(c), f, q->offset, q->limit,
                                       pg->uuids, &pg->n, &pg->count);
}

static bool reference_ok(const char *s) {
  for (; *s != '\0'; s++) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
      return false;
  }
  return true;
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_digital_address_op *op = calloc(1, sizeof(*op));
  lk_digital_address_row *r;
  const char *s;
  const char *kind = NULL;
  const char *adres = NULL;
  lk_invalid why;
  int b;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_digital_address_apply;
  r = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, r->id, uuid);
  if (mode == LK_KI_DELETE)
    return 0;
  if (lk_ki_get_ref(c, doc, "", "verstrektDoorPartij", "partijen", false, &s) ==
          0 &&
      s != NULL)
    snprintf(r->party_id, sizeof(r->party_id), "%s", s);
  if (lk_ki_get_ref(c, doc, "", "verstrektDoorBetrokkene", "betrokkenen", false,
                    &s) == 0 &&
      s != NULL)
    snprintf(r->betrokkene_id, sizeof(r->betrokkene_id), "%s", s);
  lk_ki_get_enum(
      c, doc, "", "soortDigitaalAdres",
      (const char *const[]){"email", "telefoonnummer", "overig", NULL}, true,
      &kind);
  lk_ki_get_string(c, doc, "", "adres", 80, true, &adres);
  if (lk_ki_get_bool(c, doc, "", "isStandaardAdres", false, &b) == 0)
    r->is_default = b == 1;
  if (lk_ki_get_string(c, doc, "", "omschrijving", 40, false, &s) == 0 &&
      s != NULL)
    snprintf(r->description, sizeof(r->description), "%s", s);
  if (lk_ki_get_string(c, doc, "", "referentie", 50, false, &s) == 0 &&
      s != NULL) {
    if (!reference_ok(s))
      lk_ki_invalid(c, "referentie", "invalid",
                    "Mag alleen letters, cijfers, - en _ bevatten.");
    else
      snprintf(r->reference, sizeof(r->reference), "%s", s);
  }
  if (lk_ki_get_date(c, doc, "", "verificatieDatum", false, &s) == 0 &&
      s != NULL)
    snprintf(r->verified_on, sizeof(r->verified_on), "%s", s);
  if (kind != NULL && adres != NULL) {
    snprintf(r->kind, sizeof(r->kind), "%s", kind);
    snprintf(r->address, sizeof(r->address), "%s", adres);
    if (lk_party_address_key(kind, adres, r->address_key,
                             sizeof(r->address_key), &why) != 0)
      lk_ki_invalid(c, why.field, "invalid", why.reason);
  }
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const expand[] = {
    "verstrektDoorBetrokkene", "verstrektDoorBetrokkene.hadKlantcontact",
    "verstrektDoorBetrokkene.hadKlantcontact.leiddeTotInterneTaken", NULL};

static const lk_ki_expansion expansions[] = {
    {"verstrektDoorBetrokkene", "betrokkenen"},
    {NULL, NULL},
};

static const char *const required[] = {"adres", "soortDigitaalAdres", NULL};

const lk_ki_resource lk_ki_digitaleadressen = {
    .name = "digitaleadressen",
    .filters = filters,
    .expand = expand,
    .expansions = expansions,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
