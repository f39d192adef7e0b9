/* party.c - the rules of partijen and their identifiers and addresses, and
 * the writes of the party-side Klantinteracties resources (party.h). */
#include "core/party.h"

#include "core/contact_address.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/proclog.h"

/* ---- pure rules ------------------------------------------------------ */

static bool all_digits(const char *s, size_t len) {
  if (strlen(s) != len)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

static bool elfproef(const char *s) {
  int sum = 0;
  bool nonzero = false;

  if (!all_digits(s, 9))
    return false;
  for (int i = 0; i < 8; i++) {
    sum += (s[i] - '0') * (9 - i);
    nonzero |= s[i] != '0';
  }
  sum -= s[8] - '0';
  nonzero |= s[8] != '0';
  return nonzero && sum % 11 == 0;
}

bool lk_bsn_valid(const char *s) {
  return elfproef(s);
}

bool lk_rsin_valid(const char *s) {
  return elfproef(s);
}

bool lk_kvk_valid(const char *s) {
  return all_digits(s, 8);
}

bool lk_vestigingsnummer_valid(const char *s) {
  return all_digits(s, 12);
}

bool lk_iban_valid(const char *s) {
  size_t len = strlen(s);
  int rem = 0;

  if (len < 5 || len > 34 || !isalpha((unsigned char)s[0]) ||
      !isalpha((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
      !isdigit((unsigned char)s[3]))
    return false;
  for (size_t i = 4; i < len; i++) {
    if (!isalnum((unsigned char)s[i]))
      return false;
  }
  if (toupper((unsigned char)s[0]) == 'N' &&
      toupper((unsigned char)s[1]) == 'L' && len != 18)
    return false;
  /* Move the first four characters to the end; letters count 10..35. */
  for (size_t k = 0; k < len; k++) {
    unsigned char ch = (unsigned char)s[(k + 4) % len];

    if (isdigit(ch))
      rem = (rem * 10 + (ch - '0')) % 97;
    else
      rem = (rem * 100 + (toupper(ch) - 'A' + 10)) % 97;
  }
  return rem == 1;
}

bool lk_phone_valid(const char *s) {
  size_t len = strlen(s);

  if (len >= 2 && s[0] == '0' && s[1] >= '1' && s[1] <= '9' &&
      all_digits(s, 10))
    return strncmp(s, "0800", 4) != 0 && strncmp(s, "0900", 4) != 0;
  if (s[0] == '+')
    return len >= 10 && len <= 16 && all_digits(s + 1, len - 1);
  if (s[0] == '0' && s[1] == '0')
    return len >= 9 && len <= 15 && all_digits(s + 2, len - 2);
  return false;
}

static bool atext(unsigned char c) {
  return isalnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool local_ok(const char *s, size_t len) {
  if (len == 0 || len > 64)
    return false;
  if (s[0] == '"') {
    /* quoted-string: printable ASCII, \ escapes */
    if (len < 2 || s[len - 1] != '"')
      return false;
    for (size_t i = 1; i + 1 < len; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c == '\\') {
        i++;
        if (i + 1 >= len)
          return false;
        continue;
      }
      if (c < 32 || c == 127 || c == '"')
        return false;
    }
    return true;
  }
  if (s[0] == '.' || s[len - 1] == '.')
    return false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.' ? s[i + 1] == '.' : !atext((unsigned char)s[i]))
      return false;
  }
  return true;
}

static bool domain_ok(const char *s) {
  size_t len = strlen(s);
  const char *label = s;
  int labels = 0;
  bool tld_alpha = true;

  if (strcmp(s, "localhost") == 0)
    return true;
  if (len > 2 && s[0] == '[' && s[len - 1] == ']') {
    for (size_t i = 1; i + 1 < len; i++) {
      if (!isxdigit((unsigned char)s[i]) && s[i] != '.' && s[i] != ':')
        return false;
    }
    return true;
  }
  if (len == 0 || len > 253)
    return false;
  for (;;) {
    const char *dot = strchr(label, '.');
    size_t n = dot != NULL ? (size_t)(dot - label) : strlen(label);

    if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
      return false;
    tld_alpha = n >= 2;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)label[i];
      if (!isalnum(c) && c != '-')
        return false;
      if (!isalpha(c))
        tld_alpha = false;
    }
    labels++;
    if (dot == NULL)
      break;
    label = dot + 1;
  }
  /* The last label: letters, or an IDNA "xn--" label. */
  return labels >= 2 && (tld_alpha || strncmp(label, "xn--", 4) == 0);
}

bool lk_email_valid(const char *s) {
  const char *at = strrchr(s, '@');

  if (at == NULL || strlen(s) > 254)
    return false;
  return local_ok(s, (size_t)(at - s)) && domain_ok(at + 1);
}

int lk_party_address_key(const char *kind, const char *address, char *key,
                         size_t size, lk_invalid *why) {
  why->field = "adres";
  if (strcmp(kind, "email") == 0 && !lk_email_valid(address)) {
    why->reason = "Voer een geldig e-mailadres in.";
    return LK_EINVALID;
  }
  if (strcmp(kind, "telefoonnummer") == 0 && !lk_phone_valid(address)) {
    why->reason = "Het opgegeven telefoonnummer is ongeldig.";
    return LK_EINVALID;
  }
  if (lk_address_key(kind, address, key, size) != 0) {
    why->reason = "Dit veld mag niet leeg zijn.";
    return LK_EINVALID;
  }
  return 0;
}

int lk_identifier_check(const char *object_type, const char *reg,
                        const char *id_type, const char *object_id,
                        bool has_sub, lk_invalid *why) {
  static const struct {
    const char *reg, *type, *id_type;
  } allowed[] = {
      {"brp", "natuurlijk_persoon", "bsn"},
      {"hr", "niet_natuurlijk_persoon", "rsin"},
      {"hr", "niet_natuurlijk_persoon", "kvk_nummer"},
      {"hr", "vestiging", "vestigingsnummer"},
  };
  bool combo = false;
  bool ok;

  for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
    if (strcmp(allowed[i].reg, reg) == 0 &&
        strcmp(allowed[i].type, object_type) == 0 &&
        strcmp(allowed[i].id_type, id_type) == 0)
      combo = true;
  }
  if (!combo) {
    why->field = "partijIdentificator.codeSoortObjectId";
    why->reason = "Deze combinatie van codeRegister, codeObjecttype en "
                  "codeSoortObjectId is niet toegestaan.";
    return LK_EINVALID;
  }
  if (strcmp(id_type, "bsn") == 0)
    ok = lk_bsn_valid(object_id);
  else if (strcmp(id_type, "rsin") == 0)
    ok = lk_rsin_valid(object_id);
  else if (strcmp(id_type, "kvk_nummer") == 0)
    ok = lk_kvk_valid(object_id);
  else
    ok = lk_vestigingsnummer_valid(object_id);
  if (!ok) {
    why->field = "partijIdentificator.objectId";
    why->reason = strcmp(id_type, "bsn") == 0 || strcmp(id_type, "rsin") == 0
                      ? "Moet 9 cijfers zijn en voldoen aan de elfproef."
                  : strcmp(id_type, "kvk_nummer") == 0
                      ? "Moet 8 cijfers zijn."
                      : "Moet 12 cijfers zijn.";
    return LK_EINVALID;
  }
  if (strcmp(id_type, "vestigingsnummer") == 0 && !has_sub) {
    why->field = "subIdentificatorVan";
    why->reason = "Een vestigingsnummer hoort bij een kvk_nummer: "
                  "subIdentificatorVan is vereist.";
    return LK_EINVALID;
  }
  if (strcmp(id_type, "vestigingsnummer") != 0 && has_sub) {
    why->field = "subIdentificatorVan";
    why->reason = "Alleen een vestigingsnummer heeft een subIdentificatorVan.";
    return LK_EINVALID;
  }
  return 0;
}

void lk_party_full_name(const char *kind, const char *identification, char *out,
                        size_t size) {
  json_t *id = json_loads(identification, 0, NULL);
  json_t *cn;
  const char *parts[4];
  size_t n = 0;

  out[0] = '\0';
  if (id == NULL)
    return;
  if (strcmp(kind, "organisatie") == 0) {
    const char *naam = json_string_value(json_object_get(id, "naam"));

    snprintf(out, size, "%s", naam != NULL ? naam : "");
    json_decref(id);
    return;
  }
  cn = json_object_get(id, "contactnaam");
  parts[0] = json_string_value(json_object_get(cn, "voornaam"));
  if (parts[0] == NULL || parts[0][0] == '\0')
    parts[0] = json_string_value(json_object_get(cn, "voorletters"));
  parts[1] = json_string_value(json_object_get(cn, "voorvoegselAchternaam"));
  parts[2] = json_string_value(json_object_get(cn, "achternaam"));
  parts[3] = NULL;
  for (int i = 0; i < 3; i++) {
    if (parts[i] == NULL || parts[i][0] == '\0')
      continue;
    n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s",
                          n > 0 ? " " : "", parts[i]);
    if (n >= size) {
      out[size - 1] = '\0';
      break;
    }
  }
  json_decref(id);
}

/* ---- writes ---------------------------------------------------------- */

static const char *mode_op(enum lk_party_mode m) {
  return m == LK_PARTY_CREATE   ? "create"
         : m == LK_PARTY_UPDATE ? "update"
                                : "delete";
}

/* Whether party `id` is confidential (false when "" or gone). */
static int party_confidential(lk_tx *tx, const char *id, bool *out) {
  lk_party_row *p;
  int rc;

  *out = false;
  if (id[0] == '\0')
    return 0;
  p = malloc(sizeof(*p));
  if (p == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_party_get_tx(tx, id, p);
  if (rc == 0)
    *out = p->confidential != 0;
  free(p);
  return rc == LK_STORE_NOTFOUND ? 0 : rc;
}

/* The event, audit entry and processing-log row of a change to party
 * `party_id` through `resource` item `uuid`. */
static int party_changed(lk_tx *tx, const lk_change *h, const char *type,
                         const char *party_id, const char *resource,
                         const char *uuid, enum lk_party_mode mode) {
  lk_buf b = LK_BUF_INIT;
  lk_proclog_entry e = {.actor = h->actor,
                        .party_id = party_id,
                        .operation = mode_op(mode),
                        .activity = "klantinteracties",
                        .resource = resource,
                        .request_id = h->request_id};
  char what[64];
  bool confidential = false;
  int rc;

  rc = party_confidential(tx, party_id, &confidential);
  if (rc != 0)
    return rc;
  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, party_id);
  lk_buf_puts(&b, ",\"resource\":");
  lk_buf_json_str(&b, resource);
  lk_buf_puts(&b, ",\"uuid\":");
  lk_buf_json_str(&b, uuid);
  /* The stream withholds it from who may not see the party. */
  lk_buf_printf(&b, ",\"operation\":\"%s\"%s}", mode_op(mode),
                confidential ? ",\"confidential\":true" : "");
  if (!lk_buf_ok(&b))
    return LK_STORE_NOMEM;
  rc = party_id[0] != '\0' ? lk_tx_emit(tx, type, party_id, b.data) : 0;
  snprintf(what, sizeof(what), "%s.%s", resource, mode_op(mode));
  if (rc == 0)
    rc = lk_store_audit(tx, h->actor, what, uuid, b.data);
  if (rc == 0 && party_id[0] != '\0')
    rc = lk_store_proclog_insert(tx, &e);
  lk_buf_free(&b);
  return rc;
}

/* Fails with a 400 naming `field` unless `id` ("" passes) is a row of
 * `table`. */
static int must_exist(lk_tx *tx, lk_change *h, const char *table,
                      const char *id, const char *field) {
  int rc;

  if (id[0] == '\0')
    return 0;
  rc = lk_store_row_exists_tx(tx, table, id);
  if (rc < 0)
    return rc;
  if (rc == 0)
    return lk_change_fail(h, LK_EINVALID, field, "does_not_exist",
                          "Het object met deze uuid bestaat niet.");
  return 0;
}

static bool same_identifier(const lk_identifier_row *a,
                            const lk_identifier_row *b) {
  return strcmp(a->party_id, b->party_id) == 0 &&
         strcmp(a->object_type, b->object_type) == 0 &&
         strcmp(a->register_, b->register_) == 0 &&
         strcmp(a->id_type, b->id_type) == 0 &&
         strcmp(a->object_id, b->object_id) == 0 &&
         strcmp(a->other, b->other) == 0 && strcmp(a->sub_of, b->sub_of) == 0;
}

/* Runs one identifier write for the party op; its failure becomes the
 * party's, named after the list member. */
static int identifier_step(lk_tx *tx, lk_party_op *op, enum lk_party_mode m,
                           const lk_identifier_row *row, int index) {
  lk_identifier_op iop;
  int rc;

  memset(&iop, 0, sizeof(iop));
  iop.h = op->h;
  iop.h.fail_name[0] = '\0';
  iop.mode = m;
  iop.row = *row;
  rc = lk_identifier_apply(tx, &iop);
  if (rc != 0 && iop.h.fail_name[0] != '\0') {
    char name[192];

    if (index >= 0)
      snprintf(name, sizeof(name), "partijIdentificatoren.%d.%s", index,
               iop.h.fail_name);
    else
      snprintf(name, sizeof(name), "partijIdentificatoren");
    lk_change_fail(&op->h, rc, name, iop.h.fail_code, iop.h.fail_reason);
  }
  return rc;
}

/* Makes the party's identifiers exactly op->identifiers. */
static int sync_identifiers(lk_tx *tx, lk_party_op *op) {
  char have[32][LK_ID];
  int nhave;
  int rc;

  rc = lk_store_party_identifier_ids_tx(tx, op->row.id, have, 32, &nhave);
  if (rc != 0)
    return rc;
  /* Those no longer listed go first, so a listed one may take over their
   * kind. */
  for (int i = 0; i < nhave; i++) {
    bool kept = false;
    lk_identifier_row gone = {0};

    for (int j = 0; j < op->nidentifiers; j++) {
      if (!op->identifier_new[j] && strcmp(op->identifiers[j].id, have[i]) == 0)
        kept = true;
    }
    if (kept)
      continue;
    memcpy(gone.id, have[i], LK_ID);
    rc = identifier_step(tx, op, LK_PARTY_DELETE, &gone, -1);
    if (rc != 0)
      return rc;
  }
  for (int j = 0; j < op->nidentifiers; j++) {
    lk_identifier_row *r = &op->identifiers[j];
    lk_identifier_row cur;

    memcpy(r->party_id, op->row.id, LK_ID);
    if (op->identifier_new[j]) {
      rc = identifier_step(tx, op, LK_PARTY_CREATE, r, j);
      if (rc != 0)
        return rc;
      continue;
    }
    rc = lk_store_identifier_get_tx(tx, r->id, &cur);
    if (rc == LK_STORE_NOTFOUND)
      return lk_change_fail(&op->h, LK_EINVALID, "partijIdentificatoren",
                            "does_not_exist",
                            "Een partij-identificator met deze uuid bestaat "
                            "niet.");
    if (rc != 0)
      return rc;
    if (cur.party_id[0] != '\0' && strcmp(cur.party_id, op->row.id) != 0)
      return lk_change_fail(&op->h, LK_EINVALID, "partijIdentificatoren",
                            "invalid",
                            "Deze partij-identificator hoort bij een andere "
                            "partij.");
    if (same_identifier(&cur, r))
      continue;
    rc = identifier_step(tx, op, LK_PARTY_UPDATE, r, j);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Makes the party's addresses (or accounts) exactly `want`. */
static int sync_links(lk_tx *tx, lk_party_op *op, bool accounts,
                      char (*want)[LK_ID], int nwant) {
  const char *resource = accounts ? "rekeningnummers" : "digitaleadressen";
  char have[64][LK_ID];
  int nhave;
  int rc;

  rc = lk_store_party_links_tx(tx, op->row.id, accounts, have, 64, &nhave);
  for (int i = 0; rc == 0 && i < nhave; i++) {
    bool kept = false;

    for (int j = 0; j < nwant; j++)
      kept |= strcmp(have[i], want[j]) == 0;
    if (!kept)
      rc = lk_store_party_link(tx, accounts, have[i], "");
  }
  for (int j = 0; rc == 0 && j < nwant; j++) {
    char before[LK_ID] = "";

    if (accounts) {
      lk_bank_account_row a;
      rc = lk_store_bank_account_get_tx(tx, want[j], &a);
      if (rc == 0)
        memcpy(before, a.party_id, LK_ID);
    } else {
      lk_digital_address_row a;
      rc = lk_store_digital_address_get_tx(tx, want[j], &a);
      if (rc == 0)
        memcpy(before, a.party_id, LK_ID);
    }
    if (rc == LK_STORE_NOTFOUND)
      return lk_change_fail(&op->h, LK_EINVALID,
                            accounts ? "rekeningnummers" : "digitaleAdressen",
                            "does_not_exist",
                            "Het object met deze uuid bestaat niet.");
    if (rc != 0 || strcmp(before, op->row.id) == 0)
      continue;
    rc = lk_store_party_link(tx, accounts, want[j], op->row.id);
    /* The party it came from changed too. */
    if (rc == 0 && before[0] != '\0')
      rc = party_changed(tx, &op->h, "party.updated", before, resource, want[j],
                         LK_PARTY_UPDATE);
  }
  return rc;
}

/* A preferred address or account must be the party's own after the
 * write. */
static int preferred_own(lk_tx *tx, lk_party_op *op) {
  lk_party_row *p = &op->row;

  if (p->preferred_address_id[0] != '\0') {
    lk_digital_address_row a;
    int rc = lk_store_digital_address_get_tx(tx, p->preferred_address_id, &a);

    if (rc != 0 && rc != LK_STORE_NOTFOUND)
      return rc;
    if (rc != 0 || strcmp(a.party_id, p->id) != 0)
      return lk_change_fail(&op->h, LK_EINVALID, "voorkeursDigitaalAdres",
                            "invalid",
                            "Moet een van de digitale adressen van deze "
                            "partij zijn.");
  }
  if (p->preferred_account_id[0] != '\0') {
    lk_bank_account_row a;
    int rc = lk_store_bank_account_get_tx(tx, p->preferred_account_id, &a);

    if (rc != 0 && rc != LK_STORE_NOTFOUND)
      return rc;
    if (rc != 0 || strcmp(a.party_id, p->id) != 0)
      return lk_change_fail(&op->h, LK_EINVALID, "voorkeursRekeningnummer",
                            "invalid",
                            "Moet een van de rekeningnummers van deze partij "
                            "zijn.");
  }
  return 0;
}

int lk_party_apply(lk_tx *tx, void *arg) {
  lk_party_op *op = arg;
  lk_party_row *p = &op->row;
  lk_party_row cur;
  int rc;

  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_party_delete(tx, p->id);
    if (rc == LK_STORE_CONFLICT)
      return lk_change_fail(&op->h, rc, "uuid", "protected",
                            "Deze partij heeft nog gesprekken, "
                            "samenvoegingen of sub-identificatoren van "
                            "andere partijen.");
    if (rc == 0)
      rc = party_changed(tx, &op->h, "party.updated", p->id, "partijen", p->id,
                         op->mode);
    return rc;
  }
  rc = must_exist(tx, &op->h, "parties", p->works_for,
                  "partijIdentificatie.werkteVoorPartij");
  if (rc == 0 && strcmp(p->works_for, p->id) == 0)
    rc = lk_change_fail(&op->h, LK_EINVALID,
                        "partijIdentificatie.werkteVoorPartij", "invalid",
                        "Een partij kan niet voor zichzelf werken.");
  if (rc != 0)
    return rc;
  rc = must_exist(tx, &op->h, "digital_addresses", p->preferred_address_id,
                  "voorkeursDigitaalAdres");
  if (rc != 0)
    return rc;
  rc = must_exist(tx, &op->h, "bank_accounts", p->preferred_account_id,
                  "voorkeursRekeningnummer");
  if (rc != 0)
    return rc;
  p->updated_at = lk_tx_now(tx);
  if (op->mode == LK_PARTY_CREATE) {
    p->created_at = p->updated_at;
    if (p->nummer[0] == '\0')
      rc = lk_store_party_next_nummer(tx, p->nummer);
    if (rc == 0)
      rc = lk_store_party_insert(tx, p);
  } else {
    rc = lk_store_party_get_tx(tx, p->id, &cur);
    if (rc == 0) {
      p->created_at = cur.created_at;
      if (p->nummer[0] == '\0')
        memcpy(p->nummer, cur.nummer, sizeof(p->nummer));
      rc = lk_store_party_update(tx, p);
    }
  }
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->h, LK_EINVALID, "nummer", "unique",
                          "Er bestaat al een partij met dit nummer.");
  if (rc == 0 && op->identifiers_given)
    rc = sync_identifiers(tx, op);
  if (rc == 0 && op->addresses_given)
    rc = sync_links(tx, op, false, op->addresses, op->naddresses);
  if (rc == 0 && op->accounts_given)
    rc = sync_links(tx, op, true, op->accounts, op->naccounts);
  /* Checked after the links: the preferences may name addresses the same
   * request gave the party. */
  if (rc == 0 && (p->preferred_address_id[0] != '\0' ||
                  p->preferred_account_id[0] != '\0'))
    rc = preferred_own(tx, op);
  if (rc != 0)
    return rc;
  return party_changed(tx, &op->h,
                       op->mode == LK_PARTY_CREATE ? "party.created"
                                                   : "party.updated",
                       p->id, "partijen", p->id, op->mode);
}

int lk_identifier_apply(lk_tx *tx, void *arg) {
  lk_identifier_op *op = arg;
  lk_identifier_row *r = &op->row;
  lk_identifier_row cur;
  int64_t children = 0;
  bool taken = false;
  int rc;

  if (op->mode != LK_PARTY_CREATE) {
    rc = lk_store_identifier_get_tx(tx, r->id, &cur);
    if (rc != 0)
      return rc;
    rc = lk_store_identifier_children(tx, r->id, &children);
    if (rc != 0)
      return rc;
    /* A kvk_nummer with vestigingen under it keeps its identity. */
    if (children > 0 && (op->mode == LK_PARTY_DELETE ||
                         strcmp(cur.object_id, r->object_id) != 0 ||
                         strcmp(cur.id_type, r->id_type) != 0))
      return lk_change_fail(&op->h, LK_EINVALID, "nonFieldErrors", "protected",
                            "Deze identificator heeft sub-identificatoren en "
                            "kan niet worden verwijderd of gewijzigd.");
    if (op->mode == LK_PARTY_DELETE) {
      rc = lk_store_identifier_delete(tx, r->id);
      if (rc == 0)
        rc = party_changed(tx, &op->h, "party.updated", cur.party_id,
                           "partij-identificatoren", r->id, op->mode);
      return rc;
    }
    r->created_at = cur.created_at;
  } else {
    r->created_at = lk_tx_now(tx);
  }
  rc = must_exist(tx, &op->h, "parties", r->party_id, "identificeerdePartij");
  if (rc != 0)
    return rc;
  if (r->sub_of[0] != '\0') {
    lk_identifier_row parent;

    if (strcmp(r->sub_of, r->id) == 0)
      return lk_change_fail(&op->h, LK_EINVALID, "subIdentificatorVan",
                            "invalid",
                            "Een identificator kan niet naar zichzelf "
                            "verwijzen.");
    rc = lk_store_identifier_get_tx(tx, r->sub_of, &parent);
    if (rc == LK_STORE_NOTFOUND)
      return lk_change_fail(&op->h, LK_EINVALID, "subIdentificatorVan",
                            "does_not_exist",
                            "Het object met deze uuid bestaat niet.");
    if (rc != 0)
      return rc;
    if (strcmp(parent.id_type, "kvk_nummer") != 0)
      return lk_change_fail(&op->h, LK_EINVALID, "subIdentificatorVan",
                            "invalid",
                            "subIdentificatorVan moet een kvk_nummer zijn.");
  }
  if (r->party_id[0] != '\0') {
    rc = lk_store_identifier_type_taken(tx, r->party_id, r->id_type, r->id,
                                        &taken);
    if (rc != 0)
      return rc;
    if (taken)
      return lk_change_fail(&op->h, LK_EINVALID,
                            "partijIdentificator.codeSoortObjectId", "unique",
                            "Deze partij heeft al een identificator van deze "
                            "soort.");
  }
  rc = lk_store_identifier_identity_taken(tx, r, &taken);
  if (rc != 0)
    return rc;
  if (taken)
    return lk_change_fail(&op->h, LK_EINVALID, "partijIdentificator.objectId",
                          "unique",
                          "Dit objectId identificeert al een andere partij.");
  rc = op->mode == LK_PARTY_CREATE ? lk_store_identifier_insert(tx, r)
                                   : lk_store_identifier_update(tx, r);
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->h, LK_EINVALID, "partijIdentificator.objectId",
                          "unique",
                          "Dit objectId identificeert al een andere partij.");
  if (rc == 0)
    rc = party_changed(tx, &op->h, "party.updated", r->party_id,
                       "partij-identificatoren", r->id, op->mode);
  if (rc == 0 && op->mode == LK_PARTY_UPDATE &&
      strcmp(cur.party_id, r->party_id) != 0)
    rc = party_changed(tx, &op->h, "party.updated", cur.party_id,
                       "partij-identificatoren", r->id, op->mode);
  return rc;
}

int lk_digital_address_apply(lk_tx *tx, void *arg) {
  lk_digital_address_op *op = arg;
  lk_digital_address_row *r = &op->row;
  lk_digital_address_row cur = {0};
  char owner[LK_ID];
  int rc;

  if (op->mode != LK_PARTY_CREATE) {
    rc = lk_store_digital_address_get_tx(tx, r->id, &cur);
    if (rc != 0)
      return rc;
  }
  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_digital_address_delete(tx, r->id);
    if (rc == 0)
      rc = party_changed(tx, &op->h, "party.updated", cur.party_id,
                         "digitaleadressen", r->id, op->mode);
    return rc;
  }
  r->created_at = op->mode == LK_PARTY_CREATE ? lk_tx_now(tx) : cur.created_at;
  rc = must_exist(tx, &op->h, "parties", r->party_id, "verstrektDoorPartij");
  if (rc == 0)
    rc = must_exist(tx, &op->h, "involved", r->betrokkene_id,
                    "verstrektDoorBetrokkene");
  if (rc != 0)
    return rc;
  if (r->verified_on[0] != '\0' && r->party_id[0] != '\0') {
    rc = lk_store_digital_address_verified_owner(tx, r->kind, r->address_key,
                                                 r->id, owner);
    if (rc != 0)
      return rc;
    if (owner[0] != '\0' && strcmp(owner, r->party_id) != 0)
      return lk_change_fail(&op->h, LK_STORE_CONFLICT, "adres", "unique",
                            "Dit geverifieerde adres hoort al bij een andere "
                            "partij; voeg de partijen samen of verifieer het "
                            "adres opnieuw.");
  }
  rc = lk_store_digital_address_put(tx, r, op->mode == LK_PARTY_CREATE);
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->h, LK_STORE_CONFLICT, "adres", "unique",
                          "Dit adres is al geverifieerd vastgelegd; een "
                          "geverifieerd adres staat er maar een keer in.");
  if (rc == 0)
    rc = party_changed(tx, &op->h, "party.updated", r->party_id,
                       "digitaleadressen", r->id, op->mode);
  if (rc == 0 && op->mode == LK_PARTY_UPDATE &&
      strcmp(cur.party_id, r->party_id) != 0)
    rc = party_changed(tx, &op->h, "party.updated", cur.party_id,
                       "digitaleadressen", r->id, op->mode);
  return rc;
}

int lk_bank_account_apply(lk_tx *tx, void *arg) {
  lk_bank_account_op *op = arg;
  lk_bank_account_row *r = &op->row;
  int rc;

  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_bank_account_delete(tx, r->id);
    if (rc == 0)
      rc = party_changed(tx, &op->h, "party.updated", r->party_id,
                         "rekeningnummers", r->id, op->mode);
    return rc;
  }
  r->created_at = lk_tx_now(tx);
  rc = must_exist(tx, &op->h, "parties", r->party_id, "partij");
  if (rc == 0)
    rc = lk_store_bank_account_put(tx, r, op->mode == LK_PARTY_CREATE);
  if (rc == 0)
    rc = party_changed(tx, &op->h, "party.updated", r->party_id,
                       "rekeningnummers", r->id, op->mode);
  return rc;
}

int lk_representation_apply(lk_tx *tx, void *arg) {
  lk_representation_op *op = arg;
  lk_representation_row *r = &op->row;
  int rc;

  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_representation_delete(tx, r->id);
    if (rc == 0)
      rc = party_changed(tx, &op->h, "party.updated", r->represented_id,
                         "vertegenwoordigingen", r->id, op->mode);
    return rc;
  }
  r->created_at = lk_tx_now(tx);
  rc = must_exist(tx, &op->h, "parties", r->representing_id,
                  "vertegenwoordigendePartij");
  if (rc == 0)
    rc = must_exist(tx, &op->h, "parties", r->represented_id,
                    "vertegenwoordigdePartij");
  if (rc != 0)
    return rc;
  rc = lk_store_representation_put(tx, r, op->mode == LK_PARTY_CREATE);
  if (rc == LK_STORE_CONFLICT)
    return lk_change_fail(&op->h, LK_EINVALID, "nonFieldErrors", "unique",
                          "Deze vertegenwoordiging bestaat al.");
  if (rc == 0)
    rc = party_changed(tx, &op->h, "party.updated", r->represented_id,
                       "vertegenwoordigingen", r->id, op->mode);
  return rc;
}

int lk_category_apply(lk_tx *tx, void *arg) {
  lk_category_op *op = arg;
  lk_category_row *r = &op->row;
  int rc;

  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_category_delete(tx, r->id);
    if (rc == LK_STORE_CONFLICT)
      return lk_change_fail(&op->h, rc, "uuid", "protected",
                            "Deze categorie is nog in gebruik.");
  } else {
    r->created_at = lk_tx_now(tx);
    rc = lk_store_category_put(tx, r, op->mode == LK_PARTY_CREATE);
    if (rc == LK_STORE_CONFLICT)
      return lk_change_fail(&op->h, LK_EINVALID, "naam", "unique",
                            "Er bestaat al een categorie met deze naam.");
  }
  if (rc == 0)
    rc = party_changed(tx, &op->h, NULL, "", "categorieen", r->id, op->mode);
  return rc;
}

int lk_category_relation_apply(lk_tx *tx, void *arg) {
  lk_category_relation_op *op = arg;
  lk_category_relation_row *r = &op->row;
  int rc;

  if (op->mode == LK_PARTY_DELETE) {
    rc = lk_store_category_relation_delete(tx, r->id);
  } else {
    r->created_at = lk_tx_now(tx);
    rc = must_exist(tx, &op->h, "parties", r->party_id, "partij");
    if (rc == 0)
      rc = must_exist(tx, &op->h, "categories", r->category_id, "categorie");
    if (rc == 0)
      rc = lk_store_category_relation_put(tx, r, op->mode == LK_PARTY_CREATE);
  }
  if (rc == 0)
    rc = party_changed(tx, &op->h, "party.updated", r->party_id,
                       "categorie-relaties", r->id, op->mode);
  return rc;
}
