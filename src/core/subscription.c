/* subscription.c - subscriptions to Actueel notices (see subscription.h). */
#include "core/subscription.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/mail_compose.h" /* lk_mail_address_ok */
#include "core/contact_address.h"
#include "core/ids.h"
#include "core/notice.h"
#include "store/outbox.h"
#include "store/proclog.h"
#include "util/buf.h"
#include "util/keyfile.h"

#define TOKEN_PREFIX "lks_"
#define TOKEN_BYTES 24
#define TOKEN_LEN (4 + 32)

/* ---- the key ---------------------------------------------------------- */

int lk_sub_key_load(const char *dir, lk_sub_key *out) {
  return lk_keyfile_load(dir, "subscriptions.key", out->k, sizeof(out->k));
}

void lk_sub_token(const lk_sub_key *key, const char *purpose, const char *id,
                  char out[LK_SUB_TOKEN_MAX]) {
  unsigned char mac[TOKEN_BYTES];
  crypto_generichash_state st;

  crypto_generichash_init(&st, key->k, sizeof(key->k), sizeof(mac));
  /* NUL-separated so that no purpose/id pair can imitate another. */
  crypto_generichash_update(&st, (const unsigned char *)purpose,
                            strlen(purpose) + 1);
  crypto_generichash_update(&st, (const unsigned char *)id, strlen(id));
  crypto_generichash_final(&st, mac, sizeof(mac));
  memcpy(out, TOKEN_PREFIX, 4);
  sodium_bin2base64(out + 4, LK_SUB_TOKEN_MAX - 4, mac, sizeof(mac),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(mac, sizeof(mac));
}

int lk_sub_token_digest(const char *token, char digest[65]) {
  if (token == NULL || strlen(token) != TOKEN_LEN ||
      strncmp(token, TOKEN_PREFIX, 4) != 0 ||
      strspn(token + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_") != TOKEN_LEN - 4)
    return -1;
  lk_secret_hash(token, digest);
  return 0;
}

int lk_sub_postcode(const char *in, char out[LK_SUB_POSTCODE_MAX + 1]) {
  char norm[LK_NOTICE_POSTCODES_LEN + 1];
  char trimmed[16];
  lk_invalid why;
  size_t len;

  if (in == NULL)
    return -1;
  in += strspn(in, " \t");
  len = strlen(in);
  while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
    len--;
  if (len == 0 || len >= sizeof(trimmed))
    return -1;
  memcpy(trimmed, in, len);
  trimmed[len] = '\0';
  {
    const char *codes[] = {trimmed};

    if (lk_notice_postcodes(codes, 1, norm, sizeof(norm), &why) != 0 ||
        strlen(norm) > LK_SUB_POSTCODE_MAX)
      return -1;
  }
  memcpy(out, norm, strlen(norm) + 1);
  return 0;
}

/* ---- subscribe -------------------------------------------------------- */

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

int lk_sub_email(const char *in, char email[LK_SUB_EMAIL_MAX + 1],
                 char address_key[LK_SUB_EMAIL_MAX + 1]) {
  size_t len;

  if (in == NULL ||
      lk_address_key("email", in, address_key, LK_SUB_EMAIL_MAX + 1) != 0)
    return -1;
  /* Kept as typed, trimmed: a local part may be case-sensitive. */
  in += strspn(in, " \t");
  len = strlen(in);
  while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
    len--;
  if (len > LK_SUB_EMAIL_MAX)
    return -1;
  memcpy(email, in, len);
  email[len] = '\0';
  /* What the mail sender will take, or the resident would be told to
   * check a mailbox no mail can reach (e.g. "jöhn@..." or "a,b@..."). */
  return lk_mail_address_ok(email) ? 0 : -1;
}

int lk_sub_subscribe_prepare(lk_sub_subscribe_op *op, const lk_sub_key *key,
                             const char *email, const char *postcode,
                             bool may_send, const char *request_id,
                             lk_invalid *why) {
  lk_subscription_row *r = &op->r;

  memset(op, 0, sizeof(*op));
  if (lk_sub_email(email, r->email, r->address_key) != 0)
    return invalid(why, "email", "is not an e-mail address");
  if (lk_sub_postcode(postcode, r->postcode) != 0)
    return invalid(why, "postcode", "is not a postcode like 1234 or 1234AB");
  op->key = *key;
  op->may_send = may_send;
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           request_id != NULL ? request_id : "");
  return 0;
}

static int proclog(lk_tx *tx, const char *request_id, const char *operation,
                   const char *id) {
  char resource[64];
  lk_proclog_entry e = {LK_SUB_ACTOR, NULL, operation, "actueel-abonnement",
                        resource,     NULL, request_id};

  snprintf(resource, sizeof(resource), "subscription:%.36s", id);
  return lk_store_proclog_insert(tx, &e);
}

/* Queues the confirmation mail number `n` of subscription `id`. */
static int queue_confirm(lk_tx *tx, const char *id, int n) {
  char key[96];
  lk_buf p = LK_BUF_INIT;
  int rc;

  snprintf(key, sizeof(key), "subscription:%s:confirm:%d", id, n);
  lk_buf_puts(&p, "{\"type\":\"confirm\",\"subscription\":");
  lk_buf_json_str(&p, id);
  lk_buf_putc(&p, '}');
  rc = lk_buf_ok(&p) ? lk_store_outbox_add(tx, LK_SUB_OUTBOX_KIND, key, p.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

static int subscribe_new(lk_tx *tx, lk_sub_subscribe_op *op) {
  lk_subscription_row *r = &op->r;
  char confirm[LK_SUB_TOKEN_MAX], unsub[LK_SUB_TOKEN_MAX];
  char cd[65], ud[65];
  int rc;

  r->created_at = lk_tx_now(tx);
  lk_uuid_new(r->id, r->created_at);
  lk_sub_token(&op->key, "bevestigen", r->id, confirm);
  lk_sub_token(&op->key, "afmelden", r->id, unsub);
  lk_secret_hash(confirm, cd);
  lk_secret_hash(unsub, ud);
  sodium_memzero(confirm, sizeof(confirm));
  sodium_memzero(unsub, sizeof(unsub));
  if (op->may_send) {
    r->confirm_sends = 1;
    r->confirm_sent_at = r->created_at;
  }
  rc = lk_store_subscription_insert(tx, r, cd, ud);
  if (rc == 0 && op->may_send)
    rc = queue_confirm(tx, r->id, 1);
  if (rc == 0)
    rc = proclog(tx, op->request_id, "create", r->id);
  op->created = rc == 0;
  op->sent = rc == 0 && op->may_send;
  return rc;
}

/* Deletes a few pending subscriptions whose link has expired: nobody
 * agreed to them, so their addresses are not kept.  Runs with each
 * subscribe, so the work follows the traffic and needs no timer. */
static int purge_stale(lk_tx *tx, const char *request_id) {
  char ids[8][LK_SUB_ID_LEN + 1];
  int n = lk_store_subscriptions_stale(
      tx, lk_tx_now(tx) - LK_SUB_CONFIRM_TTL_MS, 8, ids);
  int rc = n < 0 ? n : 0;

  for (int i = 0; i < n && rc == 0; i++) {
    rc = lk_store_subscription_delete_pending(tx, ids[i]);
    if (rc == 0)
      rc = proclog(tx, request_id, "delete", ids[i]);
  }
  return rc;
}

int lk_sub_subscribe_apply(lk_tx *tx, void *arg) {
  lk_sub_subscribe_op *op = arg;
  lk_subscription_row cur;
  int rc = purge_stale(tx, op->request_id);

  if (rc != 0)
    return rc;
  rc =
      lk_store_subscription_active(tx, op->r.address_key, op->r.postcode, &cur);

  if (rc == LK_STORE_NOTFOUND)
    return subscribe_new(tx, op);
  if (rc != 0)
    return rc;
  snprintf(op->r.id, sizeof(op->r.id), "%s", cur.id);
  if (strcmp(cur.state, "pending") != 0 || !op->may_send)
    return 0;
  rc = lk_store_subscription_confirm_sent(tx, cur.id, lk_tx_now(tx));
  if (rc == 0)
    rc = queue_confirm(tx, cur.id, cur.confirm_sends + 1);
  if (rc == 0)
    rc = proclog(tx, op->request_id, "update", cur.id);
  op->sent = rc == 0;
  return rc;
}

/* ---- confirm and unsubscribe ----------------------------------------- */

int lk_sub_token_prepare(lk_sub_token_op *op, const char *token,
                         const char *request_id) {
  memset(op, 0, sizeof(*op));
  if (lk_sub_token_digest(token, op->digest) != 0)
    return LK_STORE_NOTFOUND;
  snprintf(op->request_id, sizeof(op->request_id), "%s",
           request_id != NULL ? request_id : "");
  return 0;
}

bool lk_sub_confirm_open(const lk_subscription_row *r, int64_t now_ms) {
  return strcmp(r->state, "pending") == 0 && r->confirm_sent_at != 0 &&
         now_ms - r->confirm_sent_at <= LK_SUB_CONFIRM_TTL_MS;
}

int lk_sub_confirm_apply(lk_tx *tx, void *arg) {
  lk_sub_token_op *op = arg;
  int rc = lk_store_subscription_by_confirm(NULL, tx, op->digest, &op->r);

  if (rc != 0)
    return rc;
  if (!lk_sub_confirm_open(&op->r, lk_tx_now(tx)))
    return LK_STORE_NOTFOUND;
  rc = lk_store_subscription_confirm(tx, op->r.id, lk_tx_now(tx));
  if (rc == 0)
    rc = proclog(tx, op->request_id, "update", op->r.id);
  if (rc == 0)
    snprintf(op->r.state, sizeof(op->r.state), "confirmed");
  return rc;
}

/* Notes postcode `pc` in op->postcodes ("1234, 1234AB"), ending with
 * ", ..." once no more fit; op->ended counts them all. */
static void note_ended(lk_sub_token_op *op, const char *pc) {
  size_t used = strlen(op->postcodes), room = sizeof(op->postcodes) - used;

  /* Room kept for ", ..." after the last one listed. */
  if (used + 2 + strlen(pc) + 5 < sizeof(op->postcodes))
    snprintf(op->postcodes + used, room, "%s%s", used > 0 ? ", " : "", pc);
  else if (used < 5 || strcmp(op->postcodes + used - 5, ", ...") != 0)
    snprintf(op->postcodes + used, room, ", ...");
  op->ended++;
}

static int end_one(lk_tx *tx, lk_sub_token_op *op, const char *id,
                   const char *postcode) {
  int rc = lk_store_subscription_unsubscribe(tx, id, lk_tx_now(tx));

  if (rc == 0)
    rc = proclog(tx, op->request_id, "update", id);
  if (rc == 0)
    note_ended(op, postcode);
  return rc;
}

int lk_sub_unsubscribe_apply(lk_tx *tx, void *arg) {
  lk_sub_token_op *op = arg;
  lk_subscription_row more[16];
  char address_key[LK_SUB_EMAIL_MAX + 1];
  int rc = lk_store_subscription_by_unsubscribe(NULL, tx, op->digest, &op->r);
  int n;

  if (rc != 0)
    return rc;
  if (strcmp(op->r.state, "unsubscribed") == 0) {
    op->already = true;
    return 0;
  }
  /* One mail goes to an address however many of its postcodes a notice
   * touches, so its one link must end every subscription of that
   * address, or the resident keeps getting mail after "Afgemeld". */
  memcpy(address_key, op->r.address_key, sizeof(address_key));
  rc = end_one(tx, op, op->r.id, op->r.postcode);
  do {
    n = rc == 0 ? lk_store_subscriptions_of_address(tx, address_key, 16, more)
                : 0;
    if (n < 0)
      rc = n;
    for (int i = 0; i < n && rc == 0; i++)
      rc = end_one(tx, op, more[i].id, more[i].postcode);
  } while (rc == 0 && n == 16);
  if (rc == 0)
    snprintf(op->r.state, sizeof(op->r.state), "unsubscribed");
  return rc;
}

/* ---- notices ---------------------------------------------------------- */

/* The subscriptions a notice touches, gathered before any is queued so no
 * insert runs while a query on the same connection is open. */
struct recipients {
  struct recipient {
    char id[LK_SUB_ID_LEN + 1];
    char to[LK_SUB_TAG_MAX]; /* lk_sub_address_tag: no address in a key */
  } * v;
  size_t n, cap;
  bool oom;
  const lk_sub_key *key;
};

static void gather(const lk_subscription_row *r, void *ud) {
  struct recipients *rs = ud;
  struct recipient *x;

  if (rs->n == rs->cap) {
    size_t cap = rs->cap != 0 ? rs->cap * 2 : 64;
    struct recipient *v = realloc(rs->v, cap * sizeof(*v));

    if (v == NULL) {
      rs->oom = true;
      return;
    }
    rs->v = v;
    rs->cap = cap;
  }
  x = &rs->v[rs->n++];
  memcpy(x->id, r->id, sizeof(x->id));
  lk_sub_address_tag(rs->key, r->address_key, x->to);
}

void lk_sub_address_tag(const lk_sub_key *key, const char *address_key,
                        char out[LK_SUB_TAG_MAX]) {
  unsigned char sub[crypto_kdf_KEYBYTES], d[16];

  /* A key of its own, derived for this purpose only (the KDF's context
   * keeps it apart from the token MACs made with the key itself). */
  crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "lkoutbox", key->k);
  crypto_generichash(d, sizeof(d), (const unsigned char *)address_key,
                     strlen(address_key), sub, sizeof(sub));
  sodium_bin2hex(out, LK_SUB_TAG_MAX, d, sizeof(d));
  sodium_memzero(sub, sizeof(sub));
}

int lk_sub_notice_published(lk_tx *tx, const lk_sub_key *key,
                            const char *notice_id, const char *postcodes) {
  struct recipients rs = {0};
  char okey[128];
  lk_buf p = LK_BUF_INIT;
  int rc = 0;

  rs.key = key;

  for (const char *c = postcodes; *c != '\0' && rc >= 0;) {
    size_t len = strcspn(c, " ");
    char code[LK_SUB_POSTCODE_MAX + 1];

    if (len == 4 || len == 6) {
      memcpy(code, c, len);
      code[len] = '\0';
      rc = lk_store_subscriptions_touched(tx, code, gather, &rs);
    }
    c += len;
    c += strspn(c, " ");
  }
  if (rc >= 0 && rs.oom)
    rc = LK_STORE_NOMEM;
  if (rc >= 0 && rs.n > 0 && key == NULL)
    rc = LK_STORE_INVALID; /* no key to tag the addresses with */
  for (size_t i = 0; rc >= 0 && i < rs.n; i++) {
    /* The outbox ignores a second add with the same key: one mail per
     * address, however many of its postcodes the notice touches. */
    snprintf(okey, sizeof(okey), "notice:%s:to:%s", notice_id, rs.v[i].to);
    lk_buf_reset(&p);
    lk_buf_puts(&p, "{\"type\":\"notice\",\"subscription\":");
    lk_buf_json_str(&p, rs.v[i].id);
    lk_buf_puts(&p, ",\"notice\":");
    lk_buf_json_str(&p, notice_id);
    lk_buf_putc(&p, '}');
    rc = lk_buf_ok(&p)
             ? lk_store_outbox_add(tx, LK_SUB_OUTBOX_KIND, okey, p.data)
             : LK_STORE_NOMEM;
  }
  lk_buf_free(&p);
  free(rs.v);
  return rc < 0 ? rc : 0;
}

int lk_sub_mail_parse(const char *payload, lk_sub_mail *out) {
  json_t *j = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
  const char *type, *sub, *notice;
  int rc = -1;

  memset(out, 0, sizeof(*out));
  if (j == NULL)
    return -1;
  type = json_string_value(json_object_get(j, "type"));
  sub = json_string_value(json_object_get(j, "subscription"));
  notice = json_string_value(json_object_get(j, "notice"));
  if (type != NULL && sub != NULL && lk_uuid_valid(sub) &&
      (strcmp(type, "confirm") == 0 ||
       (strcmp(type, "notice") == 0 && notice != NULL &&
        lk_uuid_valid(notice)))) {
    snprintf(out->type, sizeof(out->type), "%s", type);
    snprintf(out->subscription, sizeof(out->subscription), "%s", sub);
    if (notice != NULL)
      snprintf(out->notice, sizeof(out->notice), "%s", notice);
    rc = 0;
  }
  json_decref(j);
  return rc;
}
