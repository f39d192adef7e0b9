/* canned.c - canned answers: placeholders, rights, writes (canned.h). */
#include "core/canned.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/text.h"
#include "util/clock.h"

static const char *const placeholders[LK_PH_COUNT + 1] = {"inwoner.naam",
                                                          "medewerker.naam",
                                                          "gesprek.referentie",
                                                          "gesprek.onderwerp",
                                                          "team.naam",
                                                          "datum",
                                                          NULL};

const char *const *lk_canned_placeholders(void) {
  return placeholders;
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* The placeholder whose name is the `len` bytes at `s`, or -1. */
static int placeholder_index(const char *s, size_t len) {
  for (int i = 0; i < LK_PH_COUNT; i++)
    if (strlen(placeholders[i]) == len && memcmp(placeholders[i], s, len) == 0)
      return i;
  return -1;
}

/* At "{{" in `p`: the index of the placeholder it opens and its length
 * in *len (with the braces), or -1. */
static int placeholder_at(const char *p, size_t *len) {
  const char *end = strstr(p + 2, "}}");
  int i;

  if (end == NULL)
    return -1;
  i = placeholder_index(p + 2, (size_t)(end - p - 2));
  if (i >= 0)
    *len = (size_t)(end - p) + 2;
  return i;
}

int lk_canned_scan(const char *body, unsigned *used, char *bad, size_t size) {
  const char *p = body;
  size_t len = 0;
  int i;

  *used = 0;
  while ((p = strstr(p, "{{")) != NULL) {
    i = placeholder_at(p, &len);
    if (i < 0) {
      /* Name the offending text (up to the closing braces, if near) so
       * the agent sees what to fix; cut at a character boundary. */
      size_t n = strcspn(p, "\n");
      const char *close = strstr(p + 2, "}}");

      if (close != NULL && (size_t)(close - p) + 2 < n)
        n = (size_t)(close - p) + 2;
      if (n >= size)
        n = size - 1;
      while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
        n--;
      memcpy(bad, p, n);
      bad[n] = '\0';
      return LK_EINVALID;
    }
    *used |= 1u << i;
    p += len;
  }
  return 0;
}

int lk_canned_render(const char *body, const char *const values[LK_PH_COUNT],
                     lk_buf *out, unsigned *empty) {
  const char *p = body;
  const char *open;
  size_t len = 0;
  int i;

  *empty = 0;
  while ((open = strstr(p, "{{")) != NULL) {
    lk_buf_append(out, p, (size_t)(open - p));
    i = placeholder_at(open, &len);
    if (i < 0) { /* cannot happen after lk_canned_scan: keep it as text */
      lk_buf_append(out, open, 2);
      p = open + 2;
      continue;
    }
    if (values[i] == NULL || values[i][0] == '\0')
      *empty |= 1u << i;
    else
      lk_buf_puts(out, values[i]);
    p = open + len;
  }
  lk_buf_puts(out, p);
  return lk_buf_ok(out) ? 0 : LK_STORE_NOMEM;
}

void lk_canned_fold(const char *in, char *out) {
  size_t i;

  for (i = 0; in[i] != '\0'; i++)
    out[i] = in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] + 32) : in[i];
  out[i] = '\0';
}

void lk_canned_date(int64_t ms, char *out, size_t size) {
  static const char *const months[] = {
      "januari", "februari", "maart",     "april",   "mei",      "juni",
      "juli",    "augustus", "september", "oktober", "november", "december"};
  struct tm tm;

  lk_clock_nl_local(ms, &tm);
  snprintf(out, size, "%d %s %d", tm.tm_mday, months[tm.tm_mon % 12],
           tm.tm_year + 1900);
}

/* ---- rights --------------------------------------------------------- */

bool lk_canned_manager(const char *role) {
  return strcmp(role, "supervisor") == 0 || strcmp(role, "admin") == 0;
}

bool lk_canned_may_see(const lk_canned_caller *who, const lk_canned_row *a,
                       bool member) {
  if (strcmp(a->scope, "personal") == 0)
    return who->user_id[0] != '\0' && strcmp(who->user_id, a->owner_user) == 0;
  if (strcmp(a->scope, "team") == 0)
    return member || lk_canned_manager(who->role);
  return true;
}

bool lk_canned_may_change(const lk_canned_caller *who, const lk_canned_row *a) {
  if (strcmp(a->scope, "personal") == 0)
    return who->user_id[0] != '\0' && strcmp(who->user_id, a->owner_user) == 0;
  return lk_canned_manager(who->role);
}

int lk_canned_visible(lk_store *s, const lk_canned_caller *who,
                      const lk_canned_row *a) {
  bool member = false;
  int rc;

  if (strcmp(a->scope, "team") == 0 && who->actor_id[0] != '\0' &&
      !lk_canned_manager(who->role)) {
    rc = lk_store_team_member_check(s, NULL, a->team_id, who->actor_id);
    if (rc != 0 && rc != LK_STORE_NOTFOUND)
      return rc;
    member = rc == 0;
  }
  return lk_canned_may_see(who, a, member) ? 0 : LK_STORE_NOTFOUND;
}

/* ---- fields --------------------------------------------------------- */

int lk_canned_title_check(const char *v, lk_invalid *why) {
  if (v == NULL || !lk_text_ok(v, LK_CANNED_TITLE_MAX, false))
    return invalid(why, "/title", "must be 1 to 200 bytes of text on one line");
  return 0;
}

int lk_canned_shortcut_check(const char *v, lk_invalid *why) {
  size_t n = v != NULL ? strlen(v) : 0;

  if (n < 1 || n > LK_CANNED_SHORTCUT_MAX ||
      strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
    return invalid(why, "/shortcut", "must be 1 to 32 of a-z, 0-9, - and _");
  return 0;
}

int lk_canned_body_check(const char *v, char *bad, size_t size,
                         lk_invalid *why) {
  unsigned used;

  if (v == NULL || !lk_text_ok(v, LK_CANNED_BODY_MAX, true))
    return invalid(why, "/body",
                   "must be 1 to 10000 bytes of text without control "
                   "characters");
  if (lk_canned_scan(v, &used, bad, size) != 0)
    return invalid(why, "/body",
                   "holds an unknown placeholder; known are {{inwoner.naam}}, "
                   "{{medewerker.naam}}, {{gesprek.referentie}}, "
                   "{{gesprek.onderwerp}}, {{team.naam}} and {{datum}}");
  return 0;
}

/* ---- writes --------------------------------------------------------- */

static void caller_copy(lk_canned_op *op, const lk_canned_caller *who) {
  snprintf(op->actor, sizeof(op->actor), "%s", who->actor);
  snprintf(op->user_id, sizeof(op->user_id), "%s", who->user_id);
  snprintf(op->actor_id, sizeof(op->actor_id), "%s", who->actor_id);
  snprintf(op->role, sizeof(op->role), "%s", who->role);
}

static lk_canned_caller op_caller(const lk_canned_op *op) {
  return (lk_canned_caller){op->actor, op->user_id, op->actor_id, op->role};
}

int lk_canned_create_prepare(lk_canned_op *op, const lk_canned_caller *who,
                             const char *scope, const char *team_id,
                             const char *title, const char *shortcut,
                             const char *body, lk_invalid *why) {
  lk_canned_row *a = &op->a;
  int rc;

  memset(op, 0, sizeof(*op));
  caller_copy(op, who);
  if (scope == NULL)
    scope = "personal";
  if (strcmp(scope, "personal") != 0 && strcmp(scope, "team") != 0 &&
      strcmp(scope, "everyone") != 0)
    return invalid(why, "/scope", "must be personal, team or everyone");
  if (strcmp(scope, "team") == 0 && team_id == NULL)
    return invalid(why, "/teamId", "a team answer needs its team");
  if (strcmp(scope, "team") != 0 && team_id != NULL)
    return invalid(why, "/teamId", "only a team answer has a team");
  if (team_id != NULL && !lk_uuid_valid(team_id))
    return invalid(why, "/teamId", "is not a team");
  rc = lk_canned_title_check(title, why);
  if (rc == 0 && shortcut != NULL && shortcut[0] != '\0')
    rc = lk_canned_shortcut_check(shortcut, why);
  if (rc == 0)
    rc = lk_canned_body_check(body, op->bad, sizeof(op->bad), why);
  if (rc != 0)
    return rc;
  if (strcmp(scope, "personal") == 0 && who->user_id[0] == '\0')
    return LK_CANNED_NEEDS_STAFF;
  if (strcmp(scope, "personal") != 0 && !lk_canned_manager(who->role))
    return LK_CANNED_FORBIDDEN;
  snprintf(a->scope, sizeof(a->scope), "%s", scope);
  if (strcmp(scope, "personal") == 0)
    snprintf(a->owner_user, sizeof(a->owner_user), "%s", who->user_id);
  if (team_id != NULL)
    snprintf(a->team_id, sizeof(a->team_id), "%s", team_id);
  snprintf(a->title, sizeof(a->title), "%s", title);
  if (shortcut != NULL)
    snprintf(a->shortcut, sizeof(a->shortcut), "%s", shortcut);
  snprintf(a->body, sizeof(a->body), "%s", body);
  snprintf(a->created_by, sizeof(a->created_by), "%s", who->actor);
  a->version = 1;
  return 0;
}

/* The audit row: scope and team, never the text. */
static int audit(lk_tx *tx, const char *actor, const char *action,
                 const lk_canned_row *a) {
  lk_buf d = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&d, "{\"scope\":");
  lk_buf_json_str(&d, a->scope);
  lk_buf_puts(&d, ",\"teamId\":");
  if (a->team_id[0] != '\0')
    lk_buf_json_str(&d, a->team_id);
  else
    lk_buf_puts(&d, "null");
  lk_buf_printf(&d, ",\"version\":%lld}", (long long)a->version);
  rc = lk_buf_ok(&d) ? lk_store_audit(tx, actor, action, a->id, d.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&d);
  return rc;
}

int lk_canned_create_apply(lk_tx *tx, void *arg) {
  lk_canned_op *op = arg;
  lk_canned_row *a = &op->a;
  int rc;

  if (a->team_id[0] != '\0') {
    rc = lk_store_team_check(tx, a->team_id);
    if (rc == LK_STORE_NOTFOUND)
      return invalid(&op->why, "/teamId", "is not a team");
    if (rc != 0)
      return rc;
  }
  lk_uuid_new(a->id, lk_tx_now(tx));
  a->created_at = lk_tx_now(tx);
  a->updated_at = a->created_at;
  rc = lk_store_canned_insert(tx, a);
  if (rc == 0)
    rc = audit(tx, op->actor, "canned_answer.created", a);
  return rc;
}

int lk_canned_change_prepare(lk_canned_op *op, const lk_canned_caller *who,
                             const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  caller_copy(op, who);
  if (id == NULL || !lk_uuid_valid(id))
    return invalid(why, "id", "names no canned answer");
  snprintf(op->a.id, sizeof(op->a.id), "%s", id);
  return 0;
}

int lk_canned_set_title(lk_canned_op *op, const char *v, lk_invalid *why) {
  int rc = lk_canned_title_check(v, why);

  if (rc == 0) {
    snprintf(op->a.title, sizeof(op->a.title), "%s", v);
    op->has_title = true;
  }
  return rc;
}

int lk_canned_set_shortcut(lk_canned_op *op, const char *v, lk_invalid *why) {
  int rc = v != NULL && v[0] != '\0' ? lk_canned_shortcut_check(v, why) : 0;

  if (rc == 0) {
    snprintf(op->a.shortcut, sizeof(op->a.shortcut), "%s", v != NULL ? v : "");
    op->has_shortcut = true;
  }
  return rc;
}

int lk_canned_set_body(lk_canned_op *op, const char *v, lk_invalid *why) {
  int rc = lk_canned_body_check(v, op->bad, sizeof(op->bad), why);

  if (rc == 0) {
    snprintf(op->a.body, sizeof(op->a.body), "%s", v);
    op->has_body = true;
  }
  return rc;
}

/* Inside the write: visible to op's caller?  0 or LK_STORE_NOTFOUND. */
static int visible_tx(lk_tx *tx, const lk_canned_op *op,
                      const lk_canned_row *a) {
  lk_canned_caller who = op_caller(op);
  bool member = false;
  int rc;

  if (strcmp(a->scope, "team") == 0 && op->actor_id[0] != '\0') {
    rc = lk_store_team_member_check(NULL, tx, a->team_id, op->actor_id);
    if (rc != 0 && rc != LK_STORE_NOTFOUND)
      return rc;
    member = rc == 0;
  }
  return lk_canned_may_see(&who, a, member) ? 0 : LK_STORE_NOTFOUND;
}

int lk_canned_change_apply(lk_tx *tx, void *arg) {
  lk_canned_op *op = arg;
  lk_canned_caller who = op_caller(op);
  lk_canned_row *cur = malloc(sizeof(*cur));
  int rc;

  if (cur == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_canned_get(NULL, tx, op->a.id, cur);
  if (rc == 0)
    rc = visible_tx(tx, op, cur);
  if (rc == 0 && !lk_canned_may_change(&who, cur))
    rc = LK_CANNED_FORBIDDEN;
  if (rc == 0 && op->if_version != 0 && op->if_version != cur->version)
    rc = LK_CANNED_EVERSION;
  if (rc != 0) {
    free(cur);
    return rc;
  }
  if (op->has_title)
    memcpy(cur->title, op->a.title, sizeof(cur->title));
  if (op->has_shortcut)
    memcpy(cur->shortcut, op->a.shortcut, sizeof(cur->shortcut));
  if (op->has_body)
    memcpy(cur->body, op->a.body, sizeof(cur->body));
  if (op->remove) {
    rc = lk_store_canned_delete(tx, cur->id);
    if (rc == 0)
      rc = audit(tx, op->actor, "canned_answer.deleted", cur);
  } else {
    cur->version++;
    cur->updated_at = lk_tx_now(tx);
    rc = lk_store_canned_update(tx, cur);
    if (rc == 0)
      rc = audit(tx, op->actor, "canned_answer.updated", cur);
  }
  if (rc == 0)
    memcpy(&op->a, cur, sizeof(op->a));
  free(cur);
  return rc;
}

/* ---- JSON ----------------------------------------------------------- */

static void str_or_null(lk_buf *b, const char *s) {
  if (s[0] != '\0')
    lk_buf_json_str(b, s);
  else
    lk_buf_puts(b, "null");
}

void lk_canned_json(lk_buf *b, const lk_canned_row *a) {
  unsigned used = 0;
  char bad[8];
  bool first = true;

  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, a->id);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, a->title);
  lk_buf_puts(b, ",\"shortcut\":");
  str_or_null(b, a->shortcut);
  lk_buf_puts(b, ",\"body\":");
  lk_buf_json_str(b, a->body);
  lk_buf_puts(b, ",\"scope\":");
  lk_buf_json_str(b, a->scope);
  lk_buf_puts(b, ",\"teamId\":");
  str_or_null(b, a->team_id);
  lk_buf_puts(b, ",\"ownerId\":");
  str_or_null(b, a->owner_user);
  lk_buf_puts(b, ",\"placeholders\":[");
  (void)lk_canned_scan(a->body, &used, bad, sizeof(bad));
  for (int i = 0; i < LK_PH_COUNT; i++) {
    if ((used & (1u << i)) == 0)
      continue;
    if (!first)
      lk_buf_putc(b, ',');
    lk_buf_json_str(b, placeholders[i]);
    first = false;
  }
  lk_buf_printf(b, "],\"version\":%lld,\"createdAt\":%lld,\"updatedAt\":%lld}",
                (long long)a->version, (long long)a->created_at,
                (long long)a->updated_at);
}
