/* resident.c - the resident card, look-up and timeline; see resident.h.
 *
 * The store hands rows to callbacks; this file turns them into JSON and
 * applies the two rules of core/access.h on the way: a BSN is masked unless
 * revealed, and nothing confidential reaches a caller who may not see it
 * (the store already filters by the caller's flag; the card checks again
 * what it renders, so a store change cannot leak).  Every read is logged
 * before its data is handed back.
 */
#include "core/resident.h"

#include "core/contact_address.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation.h"
#include "core/ids.h"
#include "core/proclog.h"
#include "core/text.h"

#define ACTIVITY "klantbeeld"

/* ---- small helpers -------------------------------------------------------
 */

static bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Starts member `key`, with the comma before it unless it is the first
 * (of the object, or of a buffer that holds members only). */
static void put_key(lk_buf *b, const char *key) {
  if (b->len > 0 && b->data[b->len - 1] != '{' && b->data[b->len - 1] != ',')
    lk_buf_putc(b, ',');
  lk_buf_json_str(b, key);
  lk_buf_putc(b, ':');
}

static void put_str(lk_buf *b, const char *key, const char *value) {
  put_key(b, key);
  lk_buf_json_str(b, value);
}

/* A string member that is null when empty. */
static void put_opt(lk_buf *b, const char *key, const char *value) {
  put_key(b, key);
  if (value == NULL || value[0] == '\0')
    lk_buf_puts(b, "null");
  else
    lk_buf_json_str(b, value);
}

static void put_int(lk_buf *b, const char *key, int64_t value) {
  put_key(b, key);
  lk_buf_printf(b, "%lld", (long long)value);
}

static void put_bool(lk_buf *b, const char *key, bool value) {
  put_key(b, key);
  lk_buf_puts(b, value ? "true" : "false");
}

/* A member holding JSON object text as stored (addresses, names); null if
 * there is none or it is not an object, so a bad row cannot break the
 * document. */
static void put_object(lk_buf *b, const char *key, const char *text) {
  json_t *v = NULL;
  char *dumped = NULL;

  put_key(b, key);
  if (text != NULL && text[0] != '\0')
    v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  if (json_is_object(v))
    dumped = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (dumped != NULL)
    lk_buf_puts(b, dumped);
  else if (v != NULL && json_is_object(v))
    b->oom = true;
  else
    lk_buf_puts(b, "null");
  free(dumped);
  json_decref(v);
}

static void comma(lk_buf *b, int *n) {
  if ((*n)++ > 0)
    lk_buf_putc(b, ',');
}

static int log_read(lk_store *s, const lk_viewer *v, const char *party_id,
                    const char *operation, const char *resource) {
  lk_proclog_entry e = {v->actor, party_id, operation,    ACTIVITY,
                        resource, NULL,     v->request_id};

  return lk_proclog_read(s, &e);
}

/* Parses a decimal int64 that makes up all of `s`. */
static bool parse_i64(const char *s, size_t len, int64_t *out) {
  char tmp[24];
  char *end;
  long long v;

  if (len == 0 || len >= sizeof(tmp) || s[0] == '+' || s[0] == ' ')
    return false;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  errno = 0;
  v = strtoll(tmp, &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  *out = v;
  return true;
}

/* ---- address keys --------------------------------------------------------
 */

/* ---- look-up -------------------------------------------------------------
 */

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static bool bsn_like(const char *s) {
  size_t n = strlen(s);

  if (n != 8 && n != 9)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

/* Cursors: "<seq>" for look-ups by address or BSN, "<name in base64url>.
 * <seq>" by name (the order is by name, then seq). */
static int parse_find_cursor(lk_party_query *q, const char *after,
                             lk_invalid *why) {
  const char *dot;
  size_t len;

  if (after == NULL)
    return 0;
  len = strlen(after);
  if (q->find.by != LK_PARTY_BY_NAME) {
    if (!parse_i64(after, len, &q->find.after_seq) || q->find.after_seq < 0)
      return invalid(why, "after", "is not a cursor from this look-up");
    return 0;
  }
  dot = strrchr(after, '.');
  if (dot == NULL || !parse_i64(dot + 1, strlen(dot + 1), &q->find.after_seq) ||
      q->find.after_seq < 0 ||
      sodium_base642bin((unsigned char *)q->after_name,
                        sizeof(q->after_name) - 1, after, (size_t)(dot - after),
                        NULL, &len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return invalid(why, "after", "is not a cursor from this look-up");
  q->after_name[len] = '\0';
  return 0;
}

int lk_party_query_prepare(lk_party_query *q, const char *email,
                           const char *phone, const char *bsn, const char *name,
                           const char *after, int limit, bool confidential,
                           lk_invalid *why) {
  int given =
      (email != NULL) + (phone != NULL) + (bsn != NULL) + (name != NULL);

  memset(q, 0, sizeof(*q));
  if (given != 1)
    return invalid(why, "email",
                   "give exactly one of email, phone, bsn and name");
  if (limit < 1 || limit > LK_PARTY_FIND_MAX)
    return invalid(why, "limit", "must be an integer from 1 to 50");
  if (email != NULL) {
    q->find.by = LK_PARTY_BY_EMAIL;
    q->param = "email";
    if (lk_address_key("email", email, q->key, sizeof(q->key)) != 0)
      return invalid(why, "email", "must be an e-mail address");
  } else if (phone != NULL) {
    q->find.by = LK_PARTY_BY_PHONE;
    q->param = "phone";
    if (lk_address_key("telefoonnummer", phone, q->key, sizeof(q->key)) != 0)
      return invalid(why, "phone", "must be a telephone number");
  } else if (bsn != NULL) {
    q->find.by = LK_PARTY_BY_BSN;
    q->param = "bsn";
    if (!bsn_like(bsn))
      return invalid(why, "bsn", "must be a BSN of 8 or 9 digits");
    memcpy(q->key, bsn, strlen(bsn) + 1);
  } else {
    q->find.by = LK_PARTY_BY_NAME;
    q->param = "name";
    if (!lk_text_ok(name, LK_NAME_PREFIX_MAX, false))
      return invalid(why, "name",
                     "must be 1 to 200 bytes of text without control "
                     "characters");
    memcpy(q->key, name, strlen(name) + 1);
  }
  if (parse_find_cursor(q, after, why) != 0)
    return LK_EINVALID;
  q->find.key = q->key;
  q->find.after_name = q->after_name;
  q->find.confidential = confidential;
  q->find.limit = limit;
  return 0;
}

struct find_ctx {
  lk_buf *b;
  const lk_viewer *v;
  lk_party_key by;
  int n;
  char ids[LK_PARTY_FIND_MAX][LK_UUID_LEN + 1];
  int64_t last_seq;
  lk_buf last_name;
};

static void find_one(const lk_party_row *p, void *ud) {
  struct find_ctx *fc = ud;
  lk_buf *b = fc->b;

  /* The cursor moves past every row the store found, shown or not. */
  fc->last_seq = p->seq;
  if (fc->by == LK_PARTY_BY_NAME) {
    lk_buf_reset(&fc->last_name);
    lk_buf_puts(&fc->last_name, p->display_name);
  }
  if (!lk_access_may_see(fc->v, p->confidential) || fc->n >= LK_PARTY_FIND_MAX)
    return;
  if (fc->n > 0)
    lk_buf_putc(b, ',');
  lk_buf_putc(b, '{');
  put_str(b, "id", p->id);
  put_str(b, "nummer", p->nummer);
  put_str(b, "kind", p->kind);
  put_str(b, "name", p->display_name);
  put_bool(b, "confidential", p->confidential);
  put_bool(b, "active", p->active);
  put_opt(b, "mergedInto", p->merged_into);
  lk_buf_putc(b, '}');
  snprintf(fc->ids[fc->n], sizeof(fc->ids[0]), "%s", p->id);
  fc->n++;
}

static void put_find_cursor(lk_buf *b, struct find_ctx *fc) {
  char *enc;
  size_t len;
  size_t cap;

  if (fc->by != LK_PARTY_BY_NAME) {
    lk_buf_printf(b, "\"%lld\"", (long long)fc->last_seq);
    return;
  }
  len = fc->last_name.len;
  if (len > LK_CURSOR_NAME_MAX)
    len = LK_CURSOR_NAME_MAX; /* see resident.h: names are shorter */
  cap =
      sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  enc = malloc(cap);
  if (enc == NULL) {
    b->oom = true;
    return;
  }
  sodium_bin2base64(
      enc, cap,
      (const unsigned char *)(fc->last_name.data ? fc->last_name.data : ""),
      len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  lk_buf_printf(b, "\"%s.%lld\"", enc, (long long)fc->last_seq);
  free(enc);
}

int lk_resident_find(lk_store *s, const lk_viewer *v, const lk_party_query *q,
                     lk_buf *out) {
  lk_buf b = LK_BUF_INIT;
  struct find_ctx *fc = calloc(1, sizeof(*fc));
  char resource[32];
  int rc;

  if (fc == NULL)
    return LK_STORE_NOMEM;
  fc->b = &b;
  fc->v = v;
  fc->by = q->find.by;
  lk_buf_init(&fc->last_name);
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_party_find(s, &q->find, find_one, fc);
  if (rc >= 0) {
    lk_buf_puts(&b, "],\"next\":");
    if (rc == q->find.limit)
      put_find_cursor(&b, fc);
    else
      lk_buf_puts(&b, "null");
    lk_buf_puts(&b, "}\n");
    rc = lk_buf_ok(&b) && lk_buf_ok(&fc->last_name) ? 0 : LK_STORE_NOMEM;
  }
  /* The search itself is a processing of the value searched for, even
   * when it finds nobody; the value is not logged, only its kind. */
  snprintf(resource, sizeof(resource), "parties?%s", q->param);
  if (rc == 0 && fc->n == 0)
    rc = log_read(s, v, "", "search", resource);
  for (int i = 0; rc == 0 && i < fc->n; i++)
    rc = log_read(s, v, fc->ids[i], "search", resource);
  if (rc == 0)
    lk_buf_append(out, b.data, b.len);
  lk_buf_free(&b);
  lk_buf_free(&fc->last_name);
  free(fc);
  return rc;
}

/* ---- the card ------------------------------------------------------------
 */

struct card_ctx {
  const lk_viewer *v;
  bool reveal;
  lk_buf head; /* the party's own members */
  lk_buf merged;
  lk_buf identifiers;
  lk_buf addresses;
  lk_buf counts;
  lk_buf conversations;
  lk_buf tasks;
  int nmerged, nidentifiers, naddresses, ncounts, nconversations, ntasks;
  int64_t total;
};

static void card_party(const lk_party_row *p, void *ud) {
  struct card_ctx *cc = ud;
  lk_buf *b = &cc->head;

  put_str(b, "id", p->id);
  put_str(b, "nummer", p->nummer);
  put_str(b, "kind", p->kind);
  put_str(b, "name", p->display_name);
  put_object(b, "identification", p->identification);
  put_str(b, "language", p->language);
  put_bool(b, "active", p->active);
  put_bool(b, "confidential", p->confidential);
  put_str(b, "internalNote", p->internal_note);
  put_opt(b, "mergedInto", p->merged_into);
  put_object(b, "visitingAddress", p->visiting_address);
  put_object(b, "postalAddress", p->postal_address);
  put_int(b, "createdAt", p->created_at);
  put_int(b, "updatedAt", p->updated_at);
}

static void card_merged(const char *id, void *ud) {
  struct card_ctx *cc = ud;

  comma(&cc->merged, &cc->nmerged);
  lk_buf_json_str(&cc->merged, id);
}

static void card_identifier(const lk_identifier_row *r, void *ud) {
  struct card_ctx *cc = ud;
  lk_buf *b = &cc->identifiers;
  bool mask = lk_access_is_bsn(r->id_type) && !cc->reveal;
  char masked[LK_BSN_MASKED_SIZE];

  comma(b, &cc->nidentifiers);
  lk_buf_putc(b, '{');
  put_str(b, "id", r->id);
  put_str(b, "objectType", r->object_type);
  put_str(b, "register", r->register_);
  put_str(b, "type", r->id_type);
  if (mask) {
    lk_bsn_mask(r->object_id, masked, sizeof(masked));
    put_str(b, "objectId", masked);
  } else {
    put_str(b, "objectId", r->object_id);
  }
  put_bool(b, "masked", mask);
  put_str(b, "other", r->other);
  put_opt(b, "subIdentifierOf", r->sub_of);
  lk_buf_putc(b, '}');
}

static void card_address(const lk_address_row *r, void *ud) {
  struct card_ctx *cc = ud;
  lk_buf *b = &cc->addresses;

  comma(b, &cc->naddresses);
  lk_buf_putc(b, '{');
  put_str(b, "id", r->id);
  put_str(b, "kind", r->kind);
  put_str(b, "address", r->address);
  put_bool(b, "verified", r->verified_on[0] != '\0');
  put_opt(b, "verifiedOn", r->verified_on);
  put_bool(b, "isDefault", r->is_default);
  put_str(b, "description", r->description);
  put_str(b, "reference", r->reference);
  lk_buf_putc(b, '}');
}

static void card_count(const char *channel, int64_t n, void *ud) {
  struct card_ctx *cc = ud;

  comma(&cc->counts, &cc->ncounts);
  put_int(&cc->counts, channel, n);
  cc->total += n;
}

static void card_conversation(const lk_conversation_brief *c, void *ud) {
  struct card_ctx *cc = ud;
  lk_buf *b = &cc->conversations;

  if (!lk_access_may_see(cc->v, c->confidential))
    return;
  comma(b, &cc->nconversations);
  lk_buf_putc(b, '{');
  put_str(b, "id", c->id);
  put_str(b, "reference", c->reference);
  put_str(b, "partyId", c->party_id);
  put_str(b, "subject", c->subject);
  put_str(b, "channel", c->channel);
  put_str(b, "status", c->status);
  /* The names the conversations API uses, not the stored 0-3. */
  put_str(b, "priority", lk_conv_priority_name(c->priority));
  put_opt(b, "assigneeId", c->assignee_id);
  put_bool(b, "confidential", c->confidential);
  put_int(b, "createdAt", c->created_at);
  put_int(b, "lastMessageAt", c->last_message_at);
  lk_buf_putc(b, '}');
}

static void card_task(const lk_task_brief *t, void *ud) {
  struct card_ctx *cc = ud;
  lk_buf *b = &cc->tasks;

  comma(b, &cc->ntasks);
  lk_buf_putc(b, '{');
  put_str(b, "id", t->id);
  put_opt(b, "nummer", t->nummer);
  put_str(b, "kind", t->kind);
  put_str(b, "action", t->action);
  put_str(b, "status", t->status);
  put_key(b, "deadline");
  if (t->deadline != 0)
    lk_buf_printf(b, "%lld", (long long)t->deadline);
  else
    lk_buf_puts(b, "null");
  put_int(b, "assignedAt", t->assigned_at);
  put_int(b, "createdAt", t->created_at);
  put_str(b, "contactId", t->contact_id);
  put_str(b, "conversationId", t->conversation_id);
  lk_buf_putc(b, '}');
}

static void put_list(lk_buf *b, const char *key, const lk_buf *items, char open,
                     char close) {
  put_key(b, key);
  lk_buf_putc(b, open);
  if (items->len > 0)
    lk_buf_append(b, items->data, items->len);
  lk_buf_putc(b, close);
}

static void card_free(struct card_ctx *cc) {
  lk_buf_free(&cc->head);
  lk_buf_free(&cc->merged);
  lk_buf_free(&cc->identifiers);
  lk_buf_free(&cc->addresses);
  lk_buf_free(&cc->counts);
  lk_buf_free(&cc->conversations);
  lk_buf_free(&cc->tasks);
}

int lk_resident_card(lk_store *s, const lk_viewer *v, const char *id,
                     bool reveal, lk_buf *out) {
  static const lk_card_visitor visitor = {
      card_party, card_merged,       card_identifier, card_address,
      card_count, card_conversation, card_task};
  struct card_ctx cc = {.v = v, .reveal = reveal};
  lk_buf b = LK_BUF_INIT;
  char resource[64];
  int rc;

  if (id == NULL || !lk_uuid_valid(id))
    return LK_STORE_NOTFOUND;
  rc = lk_store_resident_card(s, id, v->confidential, LK_CARD_RECENT,
                              LK_CARD_TASKS, &visitor, &cc);
  if (rc == 0) {
    lk_buf_putc(&b, '{');
    lk_buf_append(&b, cc.head.data, cc.head.len);
    put_list(&b, "mergedFrom", &cc.merged, '[', ']');
    put_list(&b, "identifiers", &cc.identifiers, '[', ']');
    put_list(&b, "digitalAddresses", &cc.addresses, '[', ']');
    put_list(&b, "conversationsPerChannel", &cc.counts, '{', '}');
    put_int(&b, "conversationCount", cc.total);
    put_list(&b, "recentConversations", &cc.conversations, '[', ']');
    put_list(&b, "openTasks", &cc.tasks, '[', ']');
    lk_buf_puts(&b, "}\n");
    if (!lk_buf_ok(&b) || !lk_buf_ok(&cc.head) || !lk_buf_ok(&cc.merged) ||
        !lk_buf_ok(&cc.identifiers) || !lk_buf_ok(&cc.addresses) ||
        !lk_buf_ok(&cc.counts) || !lk_buf_ok(&cc.conversations) ||
        !lk_buf_ok(&cc.tasks))
      rc = LK_STORE_NOMEM;
  }
  card_free(&cc);
  snprintf(resource, sizeof(resource), "party/%s", id);
  if (rc == 0 && !reveal)
    rc = log_read(s, v, id, "read", resource);
  if (rc == 0)
    lk_buf_append(out, b.data, b.len);
  lk_buf_free(&b);
  return rc;
}

int lk_resident_reveal_prepare(lk_reveal_op *op, const lk_viewer *v,
                               const char *id, const char *reason,
                               lk_invalid *why) {
  int rc = lk_access_reveal_reason(reason, why);

  if (rc != 0)
    return rc;
  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", v->actor);
  snprintf(op->party_id, sizeof(op->party_id), "%s", id);
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           v->request_id != NULL ? v->request_id : "");
  snprintf(op->reason, sizeof(op->reason), "%s", reason);
  snprintf(op->resource, sizeof(op->resource), "party/%s", id);
  return 0;
}

int lk_resident_reveal_apply(lk_tx *tx, void *arg) {
  lk_reveal_op *op = arg;
  lk_proclog_entry e = {op->actor,    op->party_id, "read",        ACTIVITY,
                        op->resource, NULL,         op->request_id};
  int rc = lk_store_proclog_insert(tx, &e);

  if (rc != 0)
    return rc;
  e.operation = "reveal-bsn";
  e.reason = op->reason;
  return lk_store_proclog_insert(tx, &e);
}

/* ---- the timeline --------------------------------------------------------
 */

void lk_resident_preview(const char *content, char *out, size_t size) {
  const unsigned char *p = (const unsigned char *)content;
  size_t n = 0;
  size_t chars = 0;
  bool space = false;

  if (size < LK_PREVIEW_CHARS * 4 + 4) {
    if (size > 0)
      out[0] = '\0';
    return;
  }
  while (blank((char)*p))
    p++;
  while (*p != '\0') {
    size_t len = 1;

    if (blank((char)*p)) {
      space = true;
      p++;
      continue;
    }
    if (chars + (space ? 1 : 0) >= LK_PREVIEW_CHARS) {
      memcpy(out + n, "\xe2\x80\xa6", 3); /* … */
      n += 3;
      break;
    }
    if (space) {
      out[n++] = ' ';
      chars++;
      space = false;
    }
    /* Copy one whole UTF-8 sequence; continuation bytes never start one,
     * so a cut always lands on a character boundary. */
    while ((p[len] & 0xc0) == 0x80 && len < 4)
      len++;
    memcpy(out + n, p, len);
    n += len;
    p += len;
    chars++;
  }
  out[n] = '\0';
}

struct timeline_ctx {
  lk_buf *b;
  const lk_viewer *v;
  int n;
  int64_t last_time;
  int64_t last_seq;
  char preview[LK_PREVIEW_CHARS * 4 + 4];
};

static void timeline_one(const lk_timeline_row *r, void *ud) {
  struct timeline_ctx *tc = ud;
  lk_buf *b = tc->b;

  /* Counted before the check so the cursor moves past a hidden row. */
  tc->last_time = r->occurred_at;
  tc->last_seq = r->seq;
  if (!lk_access_may_see(tc->v, r->confidential))
    return;
  comma(b, &tc->n);
  lk_resident_preview(r->content, tc->preview, sizeof(tc->preview));
  lk_buf_putc(b, '{');
  put_str(b, "id", r->id);
  put_opt(b, "conversationId", r->conversation_id);
  put_opt(b, "partyId", r->party_id);
  put_str(b, "kind", r->kind);
  put_str(b, "channel", r->channel);
  put_str(b, "subject", r->subject);
  put_str(b, "preview", tc->preview);
  put_int(b, "occurredAt", r->occurred_at);
  put_bool(b, "confidential", r->confidential);
  put_str(b, "via", r->involved ? "involved" : "conversation");
  lk_buf_putc(b, '}');
}

/* Timeline cursor: "<occurredAt>.<seq>" of the last contact of a page. */
static int parse_timeline_cursor(const char *after, int64_t *t, int64_t *seq) {
  const char *dot;

  *t = INT64_MAX;
  *seq = INT64_MAX;
  if (after == NULL)
    return 0;
  dot = strchr(after, '.');
  if (dot == NULL || !parse_i64(after, (size_t)(dot - after), t) ||
      !parse_i64(dot + 1, strlen(dot + 1), seq))
    return -1;
  return 0;
}

int lk_resident_timeline(lk_store *s, const lk_viewer *v, const char *id,
                         const char *after, int limit, lk_buf *out,
                         lk_invalid *why) {
  lk_buf b = LK_BUF_INIT;
  struct timeline_ctx *tc;
  int64_t before_time;
  int64_t before_seq;
  char resource[64];
  int rc;

  if (id == NULL || !lk_uuid_valid(id))
    return LK_STORE_NOTFOUND;
  if (parse_timeline_cursor(after, &before_time, &before_seq) != 0)
    return invalid(why, "after", "is not a cursor from this timeline");
  if (limit < 1 || limit > LK_TIMELINE_MAX)
    return invalid(why, "limit", "must be an integer from 1 to 100");
  tc = calloc(1, sizeof(*tc));
  if (tc == NULL)
    return LK_STORE_NOMEM;
  tc->b = &b;
  tc->v = v;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_resident_timeline(s, id, v->confidential, before_time,
                                  before_seq, limit, timeline_one, tc);
  if (rc >= 0) {
    lk_buf_puts(&b, "],\"next\":");
    if (rc == limit)
      lk_buf_printf(&b, "\"%lld.%lld\"", (long long)tc->last_time,
                    (long long)tc->last_seq);
    else
      lk_buf_puts(&b, "null");
    lk_buf_puts(&b, "}\n");
    rc = lk_buf_ok(&b) ? 0 : LK_STORE_NOMEM;
  }
  free(tc);
  snprintf(resource, sizeof(resource), "party/%s/timeline", id);
  if (rc == 0)
    rc = log_read(s, v, id, "read", resource);
  if (rc == 0)
    lk_buf_append(out, b.data, b.len);
  lk_buf_free(&b);
  return rc;
}
