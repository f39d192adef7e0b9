/* paccount.c - resident participation accounts (see paccount.h). */
#include "core/paccount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/subscription.h" /* lk_sub_email */
#include "core/text.h"
#include "store/outbox.h"
#include "store/proclog.h"
#include "util/buf.h"

#define LINK_PREFIX "lkp_"

int lk_pacc_name_ok(const char *name) {
  if (!lk_text_ok(name, LK_PS_NAME_MAX, false) || strlen(name) < 2)
    return -1;
  return 0;
}

bool lk_p_url_ok(const char *url) {
  size_t n = strlen(url);

  if (n == 0)
    return true;
  if (n > LK_PS_URL_MAX)
    return false;
  if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)url[i];

    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' ||
        c == '\\' || c == '`')
      return false;
  }
  return url[strlen(url[4] == 's' ? "https://" : "http://")] != '\0';
}

/* A local path safe to go to after log-in (as lk_login_next_ok). */
static bool next_ok(const char *p) {
  size_t n = strlen(p);

  if (n == 0 || n > LK_PS_NEXT_MAX || p[0] != '/' || p[1] == '/' ||
      p[1] == '\\')
    return false;
  for (size_t i = 0; i < n; i++)
    if (p[i] <= 0x20 || p[i] >= 0x7f || p[i] == '\\')
      return false;
  return true;
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
}

/* ---- asking for a link ------------------------------------------------- */

int lk_pacc_link_prepare(lk_pacc_link_op *op, const char *email,
                         const char *display_name, const char *next,
                         const char *base_url, const char *request_id,
                         lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (email == NULL || lk_sub_email(email, op->email, op->email_key) != 0) {
    invalid(why, "email", "not a valid e-mail address");
    return LK_EINVALID;
  }
  if (display_name != NULL) {
    if (lk_pacc_name_ok(display_name) != 0) {
      invalid(why, "displayName", "2 to 100 characters on one line");
      return LK_EINVALID;
    }
    copy(op->display_name, sizeof(op->display_name), display_name);
  }
  if (next != NULL && next_ok(next))
    copy(op->next, sizeof(op->next), next);
  copy(op->base_url, sizeof(op->base_url), base_url);
  {
    size_t n = strlen(op->base_url);

    while (n > 0 && op->base_url[n - 1] == '/')
      op->base_url[--n] = '\0';
  }
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

static int queue_link_mail(lk_tx *tx, const lk_pacc_link_op *op,
                           const lk_p_account_row *a, const char *purpose,
                           const char *token, const char *digest) {
  lk_buf p = LK_BUF_INIT, text = LK_BUF_INIT;
  char key[96];
  bool confirm = strcmp(purpose, "confirm") == 0;
  int rc;

  lk_buf_printf(&text, "Beste %s,\n\n", a->display_name);
  if (confirm)
    lk_buf_puts(&text, "U heeft een account aangemaakt voor Initiatieven in de "
                       "stad. Bevestig uw e-mailadres met deze link (24 uur "
                       "geldig, één keer te gebruiken):\n\n");
  else
    lk_buf_puts(&text, "Log in bij Initiatieven in de stad met deze link "
                       "(1 uur geldig, één keer te gebruiken):\n\n");
  lk_buf_printf(&text, "%s/initiatieven/link?token=%s\n\n", op->base_url,
                token);
  lk_buf_puts(&text, "Heeft u dit niet gevraagd? Dan kunt u deze e-mail "
                     "negeren; er gebeurt niets.\n");
  lk_buf_puts(&p, "{\"to\":");
  lk_buf_json_str(&p, a->email);
  lk_buf_puts(&p, ",\"subject\":");
  lk_buf_json_str(&p, confirm ? "Bevestig uw e-mailadres"
                              : "Uw inloglink voor Initiatieven");
  lk_buf_puts(&p, ",\"text\":");
  lk_buf_json_str(&p, text.data != NULL ? text.data : "");
  lk_buf_putc(&p, '}');
  /* The key names the link by part of its digest: one mail per link. */
  snprintf(key, sizeof(key), "p-link:%.32s", digest);
  rc = lk_buf_ok(&p) && lk_buf_ok(&text)
           ? lk_store_outbox_add(tx, "mail", key, p.data)
           : LK_STORE_NOMEM;
  lk_buf_free(&p);
  lk_buf_free(&text);
  return rc;
}

int lk_pacc_link_apply(lk_tx *tx, void *arg) {
  lk_pacc_link_op *op = arg;
  int64_t now = lk_tx_now(tx), recent = 0;
  lk_p_account_row a;
  lk_p_link_row l;
  char token[LK_PACC_TOKEN_MAX];
  int rc;

  op->created = op->sent = false; /* a retried write starts afresh */
  rc = lk_store_p_account_by_key(NULL, tx, op->email_key, &a);
  if (rc == LK_STORE_NOTFOUND) {
    lk_proclog_entry e = {0};

    if (op->display_name[0] == '\0')
      return 0; /* log-in of an unknown address: nothing to send */
    memset(&a, 0, sizeof(a));
    lk_uuid_new(a.id, now);
    copy(a.email, sizeof(a.email), op->email);
    copy(a.email_key, sizeof(a.email_key), op->email_key);
    copy(a.display_name, sizeof(a.display_name), op->display_name);
    a.created_at = a.updated_at = now;
    rc = lk_store_p_account_insert(tx, &a);
    if (rc != 0)
      return rc;
    op->created = true;
    e.actor = "public:initiatieven";
    e.operation = "create";
    e.activity = "participatie-account";
    e.resource = a.id;
    e.request_id = op->request_id;
    rc = lk_store_proclog_insert(tx, &e);
  }
  if (rc != 0)
    return rc;
  copy(op->account_id, sizeof(op->account_id), a.id);
  if (a.disabled_at != 0)
    return 0;
  rc = lk_store_p_links_since(tx, a.id, now - 3600 * 1000, &recent);
  if (rc != 0 || recent >= LK_PACC_LINKS_PER_HOUR)
    return rc;
  memset(&l, 0, sizeof(l));
  if (lk_secret_new(token, sizeof(token), LINK_PREFIX, 24) != 0)
    return LK_STORE_INVALID;
  lk_secret_hash(token, l.digest);
  copy(l.account_id, sizeof(l.account_id), a.id);
  copy(l.purpose, sizeof(l.purpose), a.confirmed_at == 0 ? "confirm" : "login");
  copy(l.next_path, sizeof(l.next_path), op->next);
  l.created_at = now;
  l.expires_at = now + (a.confirmed_at == 0 ? LK_PACC_CONFIRM_TTL_MS
                                            : LK_PACC_LOGIN_TTL_MS);
  rc = lk_store_p_link_insert(tx, &l);
  if (rc == 0)
    rc = queue_link_mail(tx, op, &a, l.purpose, token, l.digest);
  if (rc == 0)
    op->sent = true;
  return rc;
}

/* ---- following a link -------------------------------------------------- */

int lk_pacc_token_digest(const char *token, char digest[65]) {
  size_t n = token != NULL ? strlen(token) : 0;

  if (n != strlen(LINK_PREFIX) + 32 ||
      strncmp(token, LINK_PREFIX, strlen(LINK_PREFIX)) != 0)
    return -1;
  for (size_t i = strlen(LINK_PREFIX); i < n; i++) {
    char c = token[i];

    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return -1;
  }
  lk_secret_hash(token, digest);
  return 0;
}

int lk_pacc_use_prepare(lk_pacc_use_op *op, const char *token,
                        const char *old_id, const char *request_id) {
  memset(op, 0, sizeof(*op));
  if (lk_pacc_token_digest(token, op->digest) != 0)
    return -1;
  if (old_id != NULL && lk_session_digest(old_id, op->old_hash) != 0)
    op->old_hash[0] = '\0';
  lk_session_id_new(op->id);
  lk_session_digest(op->id, op->id_hash);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

int lk_pacc_use_apply(lk_tx *tx, void *arg) {
  lk_pacc_use_op *op = arg;
  int64_t now = lk_tx_now(tx);
  lk_proclog_entry e = {0};
  int rc = lk_store_p_link_get(NULL, tx, op->digest, &op->link);

  if (rc != 0)
    return rc;
  rc = lk_store_p_account_get(NULL, tx, op->link.account_id, &op->account);
  if (rc != 0)
    return rc;
  if (op->account.disabled_at != 0)
    return LK_STORE_NOTFOUND;
  rc = lk_store_p_link_use(tx, op->digest, now);
  if (rc != 0)
    return rc;
  if (op->account.confirmed_at == 0) {
    rc = lk_store_p_account_confirm(tx, op->account.id, now);
    if (rc != 0)
      return rc;
    op->account.confirmed_at = now;
    e.actor = "public:initiatieven";
    e.operation = "update";
    e.activity = "participatie-account";
    e.resource = op->account.id;
    e.request_id = op->request_id;
    rc = lk_store_proclog_insert(tx, &e);
    if (rc != 0)
      return rc;
  }
  rc = lk_store_p_sessions_purge(tx, now, LK_P_IDLE_MS);
  if (rc == 0 && op->old_hash[0] != '\0') {
    rc = lk_store_p_session_delete(tx, op->old_hash);
    if (rc == LK_STORE_NOTFOUND)
      rc = 0;
  }
  op->expires_at = now + LK_P_ABSOLUTE_MS;
  if (rc == 0)
    rc = lk_store_p_session_insert(tx, op->id_hash, op->account.id, now,
                                   op->expires_at);
  return rc;
}

/* ---- sessions ---------------------------------------------------------- */

lk_psess_state lk_psess_check(const lk_p_session_row *r, int64_t now) {
  if (r->account.disabled_at != 0 || now >= r->expires_at ||
      now - r->last_seen_at >= LK_P_IDLE_MS)
    return LK_PSESS_ENDED;
  return LK_PSESS_ACTIVE;
}

bool lk_psess_needs_touch(const lk_p_session_row *r, int64_t now) {
  return now - r->last_seen_at >= 3600 * 1000LL;
}

struct touch {
  lk_write w;
  char id_hash[65];
};

static int touch_apply(lk_tx *tx, void *arg) {
  struct touch *t = arg;

  return lk_store_p_session_touch(tx, t->id_hash, lk_tx_now(tx));
}

static void touch_done(int status, void *arg) {
  (void)status;
  free(arg);
}

int lk_psess_touch_submit(lk_store *s, const char *id_hash) {
  struct touch *t = calloc(1, sizeof(*t));
  int rc;

  if (t == NULL)
    return LK_STORE_NOMEM;
  copy(t->id_hash, sizeof(t->id_hash), id_hash);
  t->w.apply = touch_apply;
  t->w.done = touch_done;
  t->w.arg = t;
  rc = lk_store_submit(s, &t->w);
  if (rc != 0)
    free(t);
  return rc;
}

int lk_psess_logout_apply(lk_tx *tx, void *arg) {
  lk_psess_logout_op *op = arg;

  return lk_store_p_session_delete(tx, op->id_hash);
}

/* ---- profile and organisations ----------------------------------------- */

int lk_pacc_rename_prepare(lk_pacc_rename_op *op, const char *account_id,
                           const char *name, const char *request_id,
                           lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (name == NULL || lk_pacc_name_ok(name) != 0) {
    invalid(why, "displayName", "2 to 100 characters on one line");
    return LK_EINVALID;
  }
  copy(op->account_id, sizeof(op->account_id), account_id);
  snprintf(op->actor, sizeof(op->actor), "p:%s", account_id);
  copy(op->display_name, sizeof(op->display_name), name);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

int lk_pacc_rename_apply(lk_tx *tx, void *arg) {
  lk_pacc_rename_op *op = arg;
  lk_proclog_entry e = {0};
  int rc = lk_store_p_account_rename(tx, op->account_id, op->display_name,
                                     lk_tx_now(tx));

  if (rc != 0)
    return rc;
  e.actor = op->actor;
  e.operation = "update";
  e.activity = "participatie-account";
  e.resource = op->account_id;
  e.request_id = op->request_id;
  return lk_store_proclog_insert(tx, &e);
}

static bool kvk_ok(const char *k) {
  size_t n = strlen(k);

  if (n == 0)
    return true;
  if (n != 8)
    return false;
  for (size_t i = 0; i < n; i++)
    if (k[i] < '0' || k[i] > '9')
      return false;
  return true;
}

int lk_porg_create_prepare(lk_porg_create_op *op, const char *account_id,
                           const char *name, const char *description,
                           const char *website, const char *kvk, int64_t now_ms,
                           lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (name == NULL || lk_pacc_name_ok(name) != 0) {
    invalid(why, "name", "2 to 100 characters on one line");
    return LK_EINVALID;
  }
  if (description != NULL && description[0] != '\0' &&
      !lk_text_ok(description, LK_PS_SUMMARY_MAX, true)) {
    invalid(why, "description", "at most 500 characters");
    return LK_EINVALID;
  }
  if (website != NULL && !lk_p_url_ok(website)) {
    invalid(why, "website", "an http:// or https:// link");
    return LK_EINVALID;
  }
  if (kvk != NULL && !kvk_ok(kvk)) {
    invalid(why, "kvk", "eight digits");
    return LK_EINVALID;
  }
  lk_uuid_new(op->org.id, now_ms);
  copy(op->org.name, sizeof(op->org.name), name);
  copy(op->org.description, sizeof(op->org.description), description);
  copy(op->org.website, sizeof(op->org.website), website);
  copy(op->org.kvk, sizeof(op->org.kvk), kvk);
  copy(op->org.created_by, sizeof(op->org.created_by), account_id);
  snprintf(op->actor, sizeof(op->actor), "p:%s", account_id);
  return 0;
}

int lk_porg_create_apply(lk_tx *tx, void *arg) {
  lk_porg_create_op *op = arg;

  op->org.created_at = lk_tx_now(tx);
  return lk_store_p_org_insert(tx, &op->org);
}
