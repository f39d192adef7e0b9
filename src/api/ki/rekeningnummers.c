/* rekeningnummers.c - /rekeningnummers: bank accounts (IBAN) of parties. */
#include <stdlib.h>
#include <string.h>

#include "api/ki/parties.h"

static int render(lk_ki *c, const char *uuid, json_t **out) {
  lk_bank_account_row r;
  int rc = lk_store_bank_account_get(lk_ki_store(c), uuid, &r);

  if (rc == 0)
    rc = lk_ki_party_read(c, r.party_id);
  if (rc != 0)
    return rc;
  *out = json_pack("{s:s,s:o,s:o,s:s}", "uuid", r.id, "url",
                   lk_ki_url(c, "rekeningnummers", r.id), "partij",
                   lk_ki_ref(c, "partijen", r.party_id), "iban", r.iban);
  if (*out == NULL)
    return LK_STORE_NOMEM;
  /* bic has a minimum length of 8: an account without one leaves it out. */
  if (r.bic[0] != '\0')
    json_object_set_new(*out, "bic", json_string(r.bic));
  return 0;
}

static const lk_ki_filter filters[] = {
    {"bic", LK_KI_F_STRING, NULL},
    {"iban", LK_KI_F_STRING, NULL},
    {"uuid", LK_KI_F_UUID, NULL},
    {NULL, 0, NULL},
};

static int list(lk_ki *c, const lk_ki_query *q, lk_ki_page *pg) {
  const char *f[4];

  lk_ki_party_filters(c, q, f, 3);
  return lk_store_bank_account_page(lk_ki_store(c), f, q->offset, q->limit,
                                    pg->uuids, &pg->n, &pg->count);
}

static int prepare(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                   lk_ki_op **out, lk_write_fn *apply) {
  lk_bank_account_op *op = calloc(1, sizeof(*op));
  lk_bank_account_row *r;
  const char *s;

  if (op == NULL)
    return LK_STORE_NOMEM;
  *out = &op->h;
  *apply = lk_bank_account_apply;
  r = &op->row;
  lk_ki_op_init(c, &op->h);
  op->mode = lk_ki_party_mode(mode);
  lk_ki_item_id(&op->h, r->id, uuid);
  if (mode == LK_KI_DELETE) {
    lk_bank_account_row cur;
    if (lk_store_bank_account_get(lk_ki_store(c), uuid, &cur) == 0)
      memcpy(r->party_id, cur.party_id, sizeof(r->party_id));
    return 0;
  }
  if (lk_ki_get_ref(c, doc, "", "partij", "partijen", false, &s) == 0 &&
      s != NULL)
    snprintf(r->party_id, sizeof(r->party_id), "%s", s);
  if (lk_ki_get_string(c, doc, "", "iban", 34, true, &s) == 0) {
    if (!lk_iban_valid(s))
      lk_ki_invalid(c, "iban", "invalid",
                    "Dit is geen geldig IBAN (controlecijfers kloppen niet).");
    else
      snprintf(r->iban, sizeof(r->iban), "%s", s);
  }
  if (lk_ki_get_string(c, doc, "", "bic", 11, false, &s) == 0 && s != NULL) {
    if (s[0] != '\0' && (strlen(s) < 8 || strcspn(s, " \t\r\n") != strlen(s)))
      lk_ki_invalid(c, "bic", "invalid",
                    "Moet 8 tot 11 tekens zonder spaties zijn.");
    else
      snprintf(r->bic, sizeof(r->bic), "%s", s);
  }
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static const char *const required[] = {"iban", NULL};

const lk_ki_resource lk_ki_rekeningnummers = {
    .name = "rekeningnummers",
    .filters = filters,
    .required = required,
    .render = render,
    .list = list,
    .prepare = prepare,
};
