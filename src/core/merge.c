/* merge.c - merging a party into another, keeping both histories.
 *
 * Digital addresses need care, because the schema holds two invariants: no
 * two parties share a verified address, and a party has at most one
 * default address per kind.  After a merge the survivor holds each address
 * once:
 *  - an address of the merged party that the survivor lacks moves;
 *  - one the survivor has already stays with the merged party, unless only
 *    the merged party's copy is verified: then that copy moves and the
 *    survivor's unverified copy goes to the merged party in its place;
 *  - the default per kind is the survivor's own if it still holds it, else
 *    the copy that replaced it, else the merged party's default; every
 *    other moved address stops being a default.
 * Rows change in two steps (first those that end up not default, then the
 * defaults) so neither invariant is broken even for a moment.
 */
#include "core/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/proclog.h"

int lk_merge_prepare(lk_merge_op *op, const char *actor, bool confidential,
                     const char *request_id, const char *survivor_id,
                     const char *merged_id, const char *reason,
                     lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (strcmp(survivor_id, merged_id) == 0) {
    why->field = "mergedId";
    why->reason = "must differ from survivorId: a party cannot be merged "
                  "into itself";
    return LK_EINVALID;
  }
  if (!lk_text_ok(reason, LK_MERGE_REASON_MAX, true)) {
    why->field = "reason";
    why->reason = "must be 1 to 1000 bytes of UTF-8 text without control "
                  "characters";
    return LK_EINVALID;
  }
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           request_id != NULL ? request_id : "");
  op->confidential = confidential;
  /* "-" is no party's id: a malformed id is an unknown one. */
  snprintf(op->merge.survivor_id, sizeof(op->merge.survivor_id), "%s",
           lk_uuid_valid(survivor_id) ? survivor_id : "-");
  snprintf(op->merge.merged_id, sizeof(op->merge.merged_id), "%s",
           lk_uuid_valid(merged_id) ? merged_id : "-");
  snprintf(op->merge.reason, sizeof(op->merge.reason), "%s", reason);
  return 0;
}

void lk_merge_op_free(lk_merge_op *op) {
  lk_buf_free(&op->moved);
}

/* ---- the `moved` record --------------------------------------------- */

struct id_list {
  lk_buf *b;
  int n;
};

static void list_open(struct id_list *l, lk_buf *b, const char *key) {
  l->b = b;
  l->n = 0;
  if (b->len > 1)
    lk_buf_putc(b, ',');
  lk_buf_json_str(b, key);
  lk_buf_puts(b, ":[");
}

static void list_add(const char *id, void *ud) {
  struct id_list *l = ud;

  if (l->n++ > 0)
    lk_buf_putc(l->b, ',');
  lk_buf_json_str(l->b, id);
}

static void list_close(struct id_list *l) {
  lk_buf_putc(l->b, ']');
}

/* ---- digital addresses ---------------------------------------------- */

struct addr {
  lk_address_brief a;
  bool from_s; /* belonged to the survivor */
  bool to_s;   /* belongs to the survivor after the merge */
  bool def;    /* is a default after the merge */
  int replaced_by;
};

struct addrs {
  struct addr *v;
  int n, cap;
  bool from_s;
  bool oom;
};

static void addr_add(const lk_address_brief *a, void *ud) {
  struct addrs *as = ud;
  struct addr *grown;

  if (as->n == as->cap) {
    int cap = as->cap ? as->cap * 2 : 16;

    grown = realloc(as->v, (size_t)cap * sizeof(*grown));
    if (grown == NULL) {
      as->oom = true;
      return;
    }
    as->v = grown;
    as->cap = cap;
  }
  as->v[as->n++] = (struct addr){*a, as->from_s, as->from_s, a->is_default, -1};
}

/* The survivor's row for the address of `m`, or -1. */
static int survivor_copy(struct addrs *as, const struct addr *m) {
  for (int i = 0; i < as->n; i++) {
    const struct addr *r = &as->v[i];

    if (r != m && r->to_s && strcmp(r->a.kind, m->a.kind) == 0 &&
        strcmp(r->a.key, m->a.key) == 0)
      return i;
  }
  return -1;
}

/* Decides where each address goes. */
static void addresses_plan(struct addrs *as) {
  static const char *const kinds[] = {"email", "telefoonnummer", "overig"};

  for (int i = 0; i < as->n; i++) {
    struct addr *m = &as->v[i];
    int s;

    if (m->from_s)
      continue;
    s = survivor_copy(as, m);
    if (s < 0) {
      m->to_s = true;
    } else if (m->a.verified && !as->v[s].a.verified) {
      m->to_s = true;
      as->v[s].to_s = false;
      as->v[s].replaced_by = i;
    }
  }
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    int want = -1;

    for (int pass = 0; pass < 3 && want < 0; pass++) {
      for (int i = 0; i < as->n && want < 0; i++) {
        struct addr *r = &as->v[i];

        if (!r->a.is_default || strcmp(r->a.kind, kinds[k]) != 0)
          continue;
        if (pass == 0 && r->from_s && r->to_s)
          want = i;
        else if (pass == 1 && r->from_s && !r->to_s && r->replaced_by >= 0)
          want = r->replaced_by;
        else if (pass == 2 && !r->from_s && r->to_s)
          want = i;
      }
    }
    for (int i = 0; i < as->n; i++) {
      struct addr *r = &as->v[i];

      if (strcmp(r->a.kind, kinds[k]) != 0)
        continue;
      if (r->to_s)
        r->def = i == want;
      else if (r->from_s)
        r->def = false; /* goes to the merged party, which has its own */
    }
  }
}

static bool addr_changes(const struct addr *r) {
  return r->from_s != r->to_s || r->def != r->a.is_default;
}

static int addresses_write(lk_tx *tx, struct addrs *as, const char *survivor,
                           const char *merged) {
  int rc;

  for (int step = 0; step < 2; step++) {
    for (int i = 0; i < as->n; i++) {
      struct addr *r = &as->v[i];

      if (!addr_changes(r) || r->def != (step == 1))
        continue;
      rc = lk_store_address_set(tx, r->a.id, r->to_s ? survivor : merged,
                                r->def);
      if (rc != 0)
        return rc;
    }
  }
  return 0;
}

static void addresses_record(lk_buf *b, const struct addrs *as) {
  static const char *const keys[] = {
      "digitalAddresses", "digitalAddressesToMerged", "digitalAddressesKept",
      "defaultsCleared", "defaultsSet"};
  struct id_list l;

  for (int k = 0; k < 5; k++) {
    list_open(&l, b, keys[k]);
    for (int i = 0; i < as->n; i++) {
      const struct addr *r = &as->v[i];
      bool in = false;

      if (k == 0)
        in = !r->from_s && r->to_s;
      else if (k == 1)
        in = r->from_s && !r->to_s;
      else if (k == 2)
        in = !r->from_s && !r->to_s;
      else if (k == 3)
        in = r->a.is_default && !r->def;
      else
        in = !r->a.is_default && r->def;
      if (in)
        list_add(r->a.id, &l);
    }
    list_close(&l);
  }
}

/* The survivor's preferred address after the merge, or NULL to keep it. */
static const char *preferred_address(const struct addrs *as,
                                     const lk_party_brief *s,
                                     const lk_party_brief *m) {
  for (int i = 0; i < as->n; i++) {
    const struct addr *r = &as->v[i];

    if (s->preferred_address_id[0] != '\0' &&
        strcmp(r->a.id, s->preferred_address_id) == 0)
      return r->to_s || r->replaced_by < 0 ? NULL : as->v[r->replaced_by].a.id;
    if (s->preferred_address_id[0] == '\0' &&
        strcmp(r->a.id, m->preferred_address_id) == 0 && r->to_s)
      return r->a.id;
  }
  return NULL;
}

static int move_addresses(lk_tx *tx, lk_merge_op *op, const lk_party_brief *s,
                          const lk_party_brief *m) {
  struct addrs as = {0};
  const char *pref;
  int rc;

  as.from_s = true;
  rc = lk_store_party_addresses(tx, s->id, addr_add, &as);
  if (rc >= 0) {
    as.from_s = false;
    rc = lk_store_party_addresses(tx, m->id, addr_add, &as);
  }
  if (rc >= 0 && as.oom)
    rc = LK_STORE_NOMEM;
  if (rc >= 0) {
    addresses_plan(&as);
    rc = addresses_write(tx, &as, s->id, m->id);
  }
  if (rc == 0) {
    addresses_record(&op->moved, &as);
    pref = preferred_address(&as, s, m);
    rc = lk_store_party_preferred(tx, s->id, pref,
                                  s->preferred_account_id[0] == '\0' &&
                                          m->preferred_account_id[0]
                                      ? m->preferred_account_id
                                      : NULL,
                                  lk_tx_now(tx));
  }
  free(as.v);
  return rc;
}

/* ---- representations ------------------------------------------------ */

struct reprs {
  lk_representation_brief *v;
  int n, cap;
  bool oom;
};

static void repr_add(const lk_representation_brief *r, void *ud) {
  struct reprs *rs = ud;
  lk_representation_brief *grown;

  if (rs->n == rs->cap) {
    int cap = rs->cap ? rs->cap * 2 : 8;

    grown = realloc(rs->v, (size_t)cap * sizeof(*grown));
    if (grown == NULL) {
      rs->oom = true;
      return;
    }
    rs->v = grown;
    rs->cap = cap;
  }
  rs->v[rs->n++] = *r;
}

/* Moves the merged party's side of each representation to the survivor,
 * unless the survivor has that one already or would represent itself. */
static int move_representations(lk_tx *tx, lk_merge_op *op, const char *s,
                                const char *m) {
  struct reprs rs = {0};
  struct id_list moved;
  struct id_list kept;
  lk_buf kept_buf = LK_BUF_INIT;
  int rc = lk_store_party_representations(tx, m, repr_add, &rs);

  if (rc >= 0 && rs.oom)
    rc = LK_STORE_NOMEM;
  list_open(&moved, &op->moved, "representations");
  lk_buf_putc(&kept_buf, '{'); /* so list_open writes no comma */
  list_open(&kept, &kept_buf, "representationsKept");
  for (int i = 0; rc >= 0 && i < rs.n; i++) {
    const char *a =
        strcmp(rs.v[i].representing, m) == 0 ? s : rs.v[i].representing;
    const char *b =
        strcmp(rs.v[i].represented, m) == 0 ? s : rs.v[i].represented;
    bool exists = false;

    rc = strcmp(a, b) == 0 ? 0
                           : lk_store_representation_exists(tx, a, b, &exists);
    if (rc != 0)
      break;
    if (strcmp(a, b) == 0 || exists) {
      list_add(rs.v[i].id, &kept);
      continue;
    }
    rc = lk_store_representation_set(tx, rs.v[i].id, a, b);
    if (rc == 0)
      list_add(rs.v[i].id, &moved);
  }
  list_close(&moved);
  list_close(&kept);
  if (rc >= 0 && lk_buf_ok(&kept_buf)) {
    lk_buf_putc(&op->moved, ',');
    lk_buf_puts(&op->moved, kept_buf.data + 1);
  }
  lk_buf_free(&kept_buf);
  free(rs.v);
  return rc < 0 ? rc : 0;
}

/* ---- the merge ------------------------------------------------------ */

static const struct {
  lk_move_kind kind;
  const char *key;
} wholesale[] = {
    {LK_MOVE_CONVERSATIONS, "conversations"},
    {LK_MOVE_INVOLVED, "involved"},
    {LK_MOVE_IDENTIFIERS, "partyIdentifiers"},
    {LK_MOVE_BANK_ACCOUNTS, "bankAccounts"},
    {LK_MOVE_CATEGORY_RELATIONS, "categoryRelations"},
    {LK_MOVE_CONTACT_PERSONS, "contactPersons"},
};

static int conflict(lk_merge_op *op, const char *field, const char *reason) {
  op->why.field = field;
  op->why.reason = reason;
  return LK_STORE_CONFLICT;
}

/* The record, the audit entry, a processing-log entry per party and the
 * event. */
static int record(lk_tx *tx, lk_merge_op *op, int conversations,
                  bool confidential) {
  lk_merge_row *mg = &op->merge;
  lk_buf b = LK_BUF_INIT;
  char resource[64];
  lk_proclog_entry e = {0};
  int rc;

  rc = lk_store_merge_insert(tx, mg, op->moved.data);
  if (rc != 0)
    return rc;
  snprintf(resource, sizeof(resource), "party-merges/%s", mg->id);
  e.actor = op->actor;
  e.operation = "update";
  e.activity = "party-merge";
  e.resource = resource;
  e.reason = mg->reason;
  e.request_id = op->request_id;
  for (int i = 0; i < 2 && rc == 0; i++) {
    e.party_id = i == 0 ? mg->survivor_id : mg->merged_id;
    rc = lk_store_proclog_insert(tx, &e);
  }
  if (rc != 0)
    return rc;
  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, mg->id);
  lk_buf_puts(&b, ",\"survivorId\":");
  lk_buf_json_str(&b, mg->survivor_id);
  lk_buf_puts(&b, ",\"mergedId\":");
  lk_buf_json_str(&b, mg->merged_id);
  lk_buf_printf(&b, ",\"conversations\":%d%s}", conversations,
                confidential ? ",\"confidential\":true" : "");
  if (!lk_buf_ok(&b)) {
    lk_buf_free(&b);
    return LK_STORE_NOMEM;
  }
  rc = lk_tx_emit(tx, "party.merged", mg->survivor_id, b.data);
  if (rc == 0)
    rc = lk_store_audit(tx, op->actor, "party.merged", mg->id, b.data);
  lk_buf_free(&b);
  return rc;
}

int lk_merge_apply(lk_tx *tx, void *arg) {
  lk_merge_op *op = arg;
  lk_merge_row *mg = &op->merge;
  lk_party_brief s;
  lk_party_brief m;
  struct id_list l;
  int conversations = 0;
  int rc;

  lk_buf_reset(&op->moved);
  op->why.field = NULL;
  rc = lk_store_party_brief(tx, mg->survivor_id, &s);
  if (rc == 0)
    rc = lk_store_party_brief(tx, mg->merged_id, &m);
  if (rc != 0)
    return rc;
  /* A confidential party the caller may not see does not exist. */
  if (!op->confidential && (s.confidential || m.confidential))
    return LK_STORE_NOTFOUND;
  if (s.merged_into[0] != '\0')
    return conflict(op, "survivorId",
                    "has been merged into another party; merge into that "
                    "one");
  if (m.merged_into[0] != '\0')
    return conflict(op, "mergedId", "has been merged already");

  lk_buf_putc(&op->moved, '{');
  for (size_t i = 0; i < sizeof(wholesale) / sizeof(wholesale[0]); i++) {
    list_open(&l, &op->moved, wholesale[i].key);
    rc = lk_store_merge_move(tx, wholesale[i].kind, m.id, s.id, lk_tx_now(tx),
                             list_add, &l);
    list_close(&l);
    if (rc < 0)
      return rc;
    if (wholesale[i].kind == LK_MOVE_CONVERSATIONS)
      conversations = rc;
  }
  rc = move_addresses(tx, op, &s, &m);
  if (rc == 0)
    rc = move_representations(tx, op, s.id, m.id);
  if (rc != 0)
    return rc;
  rc = lk_store_party_mark_merged(tx, m.id, s.id, lk_tx_now(tx));
  if (rc == LK_STORE_CONFLICT)
    return conflict(op, "mergedId", "has been merged already");
  if (rc != 0)
    return rc;
  /* The survivor now holds the merged party's data: if either was
   * confidential, so is the survivor (its conversations, now the
   * survivor's, stay hidden with it). */
  if (m.confidential && !s.confidential) {
    rc = lk_store_party_set_confidential(tx, s.id, lk_tx_now(tx));
    if (rc != 0)
      return rc;
    lk_buf_puts(&op->moved, ",\"confidential\":true");
  }
  lk_buf_putc(&op->moved, '}');
  if (!lk_buf_ok(&op->moved))
    return LK_STORE_NOMEM;
  lk_uuid_new(mg->id, lk_tx_now(tx));
  snprintf(mg->actor, sizeof(mg->actor), "%s", op->actor);
  mg->created_at = lk_tx_now(tx);
  return record(tx, op, conversations, s.confidential || m.confidential);
}

void lk_merge_json(lk_buf *b, const lk_merge_row *m, const char *moved) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, m->id);
  lk_buf_puts(b, ",\"survivorId\":");
  lk_buf_json_str(b, m->survivor_id);
  lk_buf_puts(b, ",\"mergedId\":");
  lk_buf_json_str(b, m->merged_id);
  lk_buf_puts(b, ",\"actor\":");
  lk_buf_json_str(b, m->actor);
  lk_buf_puts(b, ",\"reason\":");
  lk_buf_json_str(b, m->reason);
  lk_buf_printf(b, ",\"createdAt\":%lld", (long long)m->created_at);
  if (moved != NULL) {
    lk_buf_puts(b, ",\"moved\":");
    lk_buf_puts(b, moved);
  }
  lk_buf_putc(b, '}');
}
