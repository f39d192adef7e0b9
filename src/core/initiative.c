/* initiative.c - initiatives: fields, life cycle, writes (initiative.h). */
#include "core/initiative.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/attachment.h"
#include "core/ids.h"
#include "core/paccount.h"
#include "core/subscription.h" /* lk_sub_email */
#include "core/text.h"
#include "store/outbox.h"
#include "store/proclog.h"

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
}

/* ---- life cycle -------------------------------------------------------- */

static const char *const actions[] = {"submit", "approve",  "refuse",
                                      "start",  "complete", "stop"};

int lk_init_action_parse(const char *s, lk_init_action *out) {
  for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
    if (s != NULL && strcmp(s, actions[i]) == 0) {
      *out = (lk_init_action)i;
      return 0;
    }
  return -1;
}

const char *lk_init_action_name(lk_init_action a) {
  return (size_t)a < sizeof(actions) / sizeof(actions[0]) ? actions[a] : "";
}

static bool is(const char *a, const char *b) {
  return strcmp(a, b) == 0;
}

int lk_init_transition(const char *from, lk_init_action a, bool staff,
                       bool prescreen, const char **to) {
  const char *next = NULL;
  bool organiser_may = true, staff_may = true;

  switch (a) {
  case LK_INIT_SUBMIT:
    staff_may = false;
    if (is(from, "draft"))
      next = prescreen ? "prescreening" : "published";
    break;
  case LK_INIT_APPROVE:
  case LK_INIT_REFUSE:
    organiser_may = false;
    if (is(from, "prescreening"))
      next = a == LK_INIT_APPROVE ? "published" : "draft";
    break;
  case LK_INIT_START:
    if (is(from, "published"))
      next = "running";
    break;
  case LK_INIT_COMPLETE:
    if (is(from, "published") || is(from, "running"))
      next = "completed";
    break;
  case LK_INIT_STOP:
    if (is(from, "published") || is(from, "running"))
      next = "stopped";
    break;
  }
  if (staff ? !staff_may : !organiser_may)
    return LK_INIT_EFORBIDDEN;
  if (next == NULL)
    return LK_INIT_EBADTRANSITION;
  *to = next;
  return 0;
}

bool lk_init_editable(const char *status) {
  return is(status, "draft") || is(status, "published") ||
         is(status, "running");
}

bool lk_init_public(const lk_initiative_row *r) {
  return r->published_at != 0 && r->hidden_at == 0;
}

static const char *const statuses[][2] = {
    {"draft", "Concept"},          {"prescreening", "Wordt beoordeeld"},
    {"published", "Gepubliceerd"}, {"running", "Loopt"},
    {"completed", "Afgerond"},     {"stopped", "Gestopt"},
};

const char *lk_init_status_label(const char *status) {
  for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
    if (is(status, statuses[i][0]))
      return statuses[i][1];
  return "";
}

bool lk_init_status_valid(const char *s) {
  return s != NULL && lk_init_status_label(s)[0] != '\0';
}

/* ---- fields ------------------------------------------------------------ */

static bool slug_ok(const char *s) {
  size_t n = strlen(s);

  if (n == 0 || n > LK_PS_SLUG_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
          s[i] == '-'))
      return false;
  return true;
}

/* "YYYY-MM-DD" of a real day. */
static bool date_ok(const char *s) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, d;

  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
      (s[3] - '0');
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
    return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return false;
  return true;
}

static int coord(const char *s, double lo, double hi, double *out) {
  char *end;
  double v;

  if (s == NULL || s[0] == '\0')
    return 1; /* absent */
  errno = 0;
  v = strtod(s, &end);
  if (errno != 0 || *end != '\0' || end == s || !isfinite(v) || v < lo ||
      v > hi)
    return -1;
  *out = v;
  return 0;
}

static const char *nz(const char *s) {
  return s != NULL ? s : "";
}

static void problem(lk_invalid *why, lk_invalid *all, size_t nall, size_t *n,
                    const char *field, const char *reason) {
  if (*n == 0)
    invalid(why, field, reason);
  if (all != NULL && *n + 1 < nall) {
    all[*n].field = field;
    all[*n].reason = reason;
    all[*n + 1].field = NULL;
  }
  (*n)++;
}

int lk_init_fields(lk_initiative_row *r, const lk_init_input *in,
                   lk_invalid *why, lk_invalid *all, size_t nall) {
  size_t n = 0;
  int la, lo;

  if (all != NULL && nall > 0)
    all[0].field = NULL;
  if (!lk_text_ok(nz(in->title), LK_PS_TITLE_MAX, false) ||
      strlen(nz(in->title)) < 3)
    problem(why, all, nall, &n, "title", "3 to 150 characters on one line");
  if (nz(in->summary)[0] != '\0' &&
      !lk_text_ok(in->summary, LK_PS_SUMMARY_MAX, true))
    problem(why, all, nall, &n, "summary", "at most 500 characters");
  if (nz(in->description)[0] != '\0' &&
      !lk_text_ok(in->description, LK_PS_DESCRIPTION_MAX, true))
    problem(why, all, nall, &n, "description", "at most 10000 characters");
  if (nz(in->theme)[0] != '\0' && !slug_ok(in->theme))
    problem(why, all, nall, &n, "theme", "not a theme");
  if (nz(in->neighbourhood)[0] != '\0' && !slug_ok(in->neighbourhood))
    problem(why, all, nall, &n, "neighbourhood", "not a neighbourhood");
  if (nz(in->organisation)[0] != '\0' && !lk_uuid_valid(in->organisation))
    problem(why, all, nall, &n, "organisation", "not an organisation");
  if (nz(in->address)[0] != '\0' &&
      !lk_text_ok(in->address, LK_PS_ADDRESS_MAX, false))
    problem(why, all, nall, &n, "address", "at most 200 characters");
  la = coord(in->lat, -90, 90, &r->lat);
  lo = coord(in->lon, -180, 180, &r->lon);
  if (la < 0 || lo < 0 || la != lo)
    problem(why, all, nall, &n, "location",
            "latitude and longitude in degrees, both or neither");
  r->has_point = la == 0 && lo == 0;
  if (nz(in->start_date)[0] != '\0' && !date_ok(in->start_date))
    problem(why, all, nall, &n, "startDate", "a date as YYYY-MM-DD");
  if (nz(in->end_date)[0] != '\0' &&
      (!date_ok(in->end_date) ||
       (nz(in->start_date)[0] != '\0' &&
        strcmp(in->end_date, nz(in->start_date)) < 0)))
    problem(why, all, nall, &n, "endDate",
            "a date as YYYY-MM-DD, not before the start date");
  if (!lk_p_url_ok(nz(in->website)))
    problem(why, all, nall, &n, "website", "an http:// or https:// link");
  if (n > 0)
    return LK_EINVALID;
  copy(r->title, sizeof(r->title), in->title);
  copy(r->summary, sizeof(r->summary), in->summary);
  copy(r->description, sizeof(r->description), in->description);
  copy(r->theme_id, sizeof(r->theme_id), in->theme);
  copy(r->neighbourhood_id, sizeof(r->neighbourhood_id), in->neighbourhood);
  copy(r->organisation_id, sizeof(r->organisation_id), in->organisation);
  copy(r->address, sizeof(r->address), in->address);
  copy(r->start_date, sizeof(r->start_date), in->start_date);
  copy(r->end_date, sizeof(r->end_date), in->end_date);
  copy(r->website, sizeof(r->website), in->website);
  if (!r->has_point)
    r->lat = r->lon = 0;
  return 0;
}

/* ---- helpers inside a write -------------------------------------------- */

static int emit(lk_tx *tx, const char *type, const char *id, const char *from,
                const char *to) {
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, id);
  if (from != NULL) {
    lk_buf_puts(&p, ",\"from\":");
    lk_buf_json_str(&p, from);
  }
  if (to != NULL) {
    lk_buf_puts(&p, ",\"to\":");
    lk_buf_json_str(&p, to);
  }
  lk_buf_putc(&p, '}');
  rc = lk_buf_ok(&p) ? lk_tx_emit(tx, type, id, p.data) : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

static int proclog(lk_tx *tx, const char *actor, const char *op, const char *id,
                   const char *request_id) {
  lk_proclog_entry e = {0};

  e.actor = actor;
  e.operation = op;
  e.activity = "initiatief";
  e.resource = id;
  e.request_id = request_id;
  return lk_store_proclog_insert(tx, &e);
}

/* The initiative `id` if `account_id` organises it (role into `role`);
 * LK_STORE_NOTFOUND otherwise, as if it did not exist. */
static int organised(lk_tx *tx, const char *id, const char *account_id,
                     lk_initiative_row *r, char role[8]) {
  int rc = lk_store_initiative_role(NULL, tx, id, account_id, role);

  if (rc != 0)
    return rc;
  return lk_store_initiative_get(NULL, tx, id, r);
}

/* ---- create and edit --------------------------------------------------- */

int lk_init_save_prepare(lk_init_save_op *op, const char *account_id,
                         const char *id, const lk_init_input *in,
                         int64_t expect_version, int64_t now_ms,
                         const char *request_id, lk_invalid *why) {
  int rc;

  memset(op, 0, sizeof(*op));
  rc = lk_init_fields(&op->r, in, why, NULL, 0);
  if (rc != 0)
    return rc;
  op->create = id == NULL;
  if (op->create)
    lk_uuid_new(op->r.id, now_ms);
  else
    copy(op->r.id, sizeof(op->r.id), id);
  copy(op->account_id, sizeof(op->account_id), account_id);
  copy(op->r.owner_id, sizeof(op->r.owner_id), account_id);
  snprintf(op->actor, sizeof(op->actor), "p:%s", account_id);
  copy(op->request_id, sizeof(op->request_id), request_id);
  op->expect_version = expect_version;
  return 0;
}

/* The references of `r` exist, and the resident belongs to its
 * organisation.  0, LK_EINVALID with `why`, or a store code. */
static int references(lk_tx *tx, const lk_initiative_row *r,
                      const char *account_id, bool check_org, lk_invalid *why) {
  lk_p_place_row p;
  char role[8];
  int rc;

  if (r->theme_id[0] != '\0') {
    rc = lk_store_p_theme_get(NULL, tx, r->theme_id, &p);
    if (rc == LK_STORE_NOTFOUND) {
      invalid(why, "theme", "not a theme");
      return LK_EINVALID;
    }
    if (rc != 0)
      return rc;
  }
  if (r->neighbourhood_id[0] != '\0') {
    rc = lk_store_p_neighbourhood_get(NULL, tx, r->neighbourhood_id, &p);
    if (rc == LK_STORE_NOTFOUND) {
      invalid(why, "neighbourhood", "not a neighbourhood");
      return LK_EINVALID;
    }
    if (rc != 0)
      return rc;
  }
  if (check_org && r->organisation_id[0] != '\0') {
    rc = lk_store_p_org_role(NULL, tx, r->organisation_id, account_id, role);
    if (rc == LK_STORE_NOTFOUND) {
      invalid(why, "organisation", "not an organisation of yours");
      return LK_EINVALID;
    }
    if (rc != 0)
      return rc;
  }
  return 0;
}

int lk_init_save_apply(lk_tx *tx, void *arg) {
  lk_init_save_op *op = arg;
  int64_t now = lk_tx_now(tx);
  lk_initiative_row *cur;
  char role[8];
  bool org_changed;
  int rc;

  if (op->create) {
    rc = references(tx, &op->r, op->account_id, true, &op->why);
    if (rc != 0)
      return rc;
    op->r.created_at = op->r.updated_at = now;
    rc = lk_store_initiative_insert(tx, &op->r);
    if (rc == 0)
      rc = emit(tx, "initiative.created", op->r.id, NULL, "draft");
    if (rc == 0)
      rc = proclog(tx, op->actor, "create", op->r.id, op->request_id);
    return rc;
  }
  cur = malloc(sizeof(*cur));
  if (cur == NULL)
    return LK_STORE_NOMEM;
  rc = organised(tx, op->r.id, op->account_id, cur, role);
  if (rc == 0 && !lk_init_editable(cur->status))
    rc = LK_INIT_EBADTRANSITION;
  /* An organisation already named may stay, also for a co-organiser who
   * is no member of it; naming another one needs membership. */
  org_changed =
      rc == 0 && strcmp(cur->organisation_id, op->r.organisation_id) != 0;
  free(cur);
  if (rc == 0)
    rc = references(tx, &op->r, op->account_id, org_changed, &op->why);
  if (rc != 0)
    return rc;
  op->r.updated_at = now;
  rc = lk_store_initiative_update(tx, &op->r, op->expect_version);
  if (rc == 0)
    rc = emit(tx, "initiative.updated", op->r.id, NULL, NULL);
  if (rc == 0)
    rc = proclog(tx, op->actor, "update", op->r.id, op->request_id);
  return rc;
}

/* ---- status ------------------------------------------------------------ */

int lk_init_status_prepare(lk_init_status_op *op, const char *id,
                           const char *account_id, const char *actor,
                           bool staff, bool prescreen, lk_init_action a,
                           const char *reason, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!lk_uuid_valid(id)) {
    invalid(why, "id", "not an initiative id");
    return LK_EINVALID;
  }
  if (reason != NULL && reason[0] != '\0' &&
      !lk_text_ok(reason, LK_PS_REASON_MAX, true)) {
    invalid(why, "reason", "at most 1000 characters");
    return LK_EINVALID;
  }
  if ((a == LK_INIT_REFUSE || a == LK_INIT_STOP) &&
      (reason == NULL || reason[0] == '\0')) {
    invalid(why, "reason", "a reason is required");
    return LK_EINVALID;
  }
  copy(op->id, sizeof(op->id), id);
  copy(op->account_id, sizeof(op->account_id), account_id);
  copy(op->actor, sizeof(op->actor), actor);
  copy(op->reason, sizeof(op->reason), reason);
  op->staff = staff;
  op->prescreen = prescreen;
  op->action = a;
  return 0;
}

int lk_init_status_apply(lk_tx *tx, void *arg) {
  lk_init_status_op *op = arg;
  lk_initiative_row *r = malloc(sizeof(*r));
  const char *to;
  char role[8];
  int rc;

  if (r == NULL)
    return LK_STORE_NOMEM;
  rc = op->staff ? lk_store_initiative_get(NULL, tx, op->id, r)
                 : organised(tx, op->id, op->account_id, r, role);
  if (rc == 0)
    copy(op->from, sizeof(op->from), r->status);
  if (rc == 0 && op->action == LK_INIT_SUBMIT && is(r->status, "draft")) {
    if (r->summary[0] == '\0')
      invalid(&op->why, "summary", "a summary is required to publish");
    else if (r->theme_id[0] == '\0')
      invalid(&op->why, "theme", "a theme is required to publish");
    else if (r->neighbourhood_id[0] == '\0')
      invalid(&op->why, "neighbourhood",
              "a neighbourhood is required to publish");
    if (op->why.field != NULL)
      rc = LK_EINVALID;
  }
  free(r);
  if (rc != 0)
    return rc;
  rc = lk_init_transition(op->from, op->action, op->staff, op->prescreen, &to);
  if (rc != 0)
    return rc;
  copy(op->to, sizeof(op->to), to);
  rc = lk_store_initiative_status(tx, op->id, op->from, op->to, op->reason,
                                  op->actor, lk_tx_now(tx));
  if (rc == 0)
    rc = emit(tx, "initiative.status_changed", op->id, op->from, op->to);
  if (rc == 0 && op->staff) {
    lk_buf d = LK_BUF_INIT;

    lk_buf_puts(&d, "{\"action\":");
    lk_buf_json_str(&d, lk_init_action_name(op->action));
    lk_buf_puts(&d, ",\"from\":");
    lk_buf_json_str(&d, op->from);
    lk_buf_puts(&d, ",\"to\":");
    lk_buf_json_str(&d, op->to);
    lk_buf_puts(&d, ",\"reason\":");
    lk_buf_json_str(&d, op->reason);
    lk_buf_putc(&d, '}');
    rc = lk_buf_ok(&d) ? lk_store_audit(tx, op->actor, "initiative.status",
                                        op->id, d.data)
                       : LK_STORE_NOMEM;
    lk_buf_free(&d);
  }
  return rc;
}

/* ---- updates and their mail -------------------------------------------- */

int lk_init_post_prepare(lk_init_post_op *op, const char *id,
                         const char *account_id, const char *title,
                         const char *body, const char *base_url, int64_t now_ms,
                         lk_invalid *why) {
  size_t n;

  memset(op, 0, sizeof(*op));
  if (title == NULL || !lk_text_ok(title, LK_PS_UPDATE_TITLE_MAX, false)) {
    invalid(why, "title", "1 to 150 characters on one line");
    return LK_EINVALID;
  }
  if (body == NULL || !lk_text_ok(body, LK_PS_UPDATE_BODY_MAX, true)) {
    invalid(why, "body", "1 to 5000 characters");
    return LK_EINVALID;
  }
  lk_uuid_new(op->u.id, now_ms);
  copy(op->u.initiative_id, sizeof(op->u.initiative_id), id);
  copy(op->u.author_id, sizeof(op->u.author_id), account_id);
  copy(op->u.title, sizeof(op->u.title), title);
  copy(op->u.body, sizeof(op->u.body), body);
  snprintf(op->actor, sizeof(op->actor), "p:%s", account_id);
  copy(op->base_url, sizeof(op->base_url), base_url);
  n = strlen(op->base_url);
  while (n > 0 && op->base_url[n - 1] == '/')
    op->base_url[--n] = '\0';
  return 0;
}

struct notify {
  lk_tx *tx;
  const lk_init_post_op *op;
  const char *init_title;
  char last[LK_PS_ID_LEN + 1];
  int rc;
  int n;
};

static void notify_one(const lk_p_account_row *a, void *ud) {
  struct notify *c = ud;
  lk_buf p = LK_BUF_INIT, text = LK_BUF_INIT;
  char key[128], subject[200];

  copy(c->last, sizeof(c->last), a->id);
  if (c->rc != 0 || strcmp(a->id, c->op->u.author_id) == 0)
    return;
  lk_buf_printf(&text,
                "Beste %s,\n\nEr is nieuws over \"%s\", dat u volgt:"
                "\n\n%s\n\n%s\n\nLees verder: %s/initiatieven/%s\n\n"
                "Geen berichten meer? Klik op die pagina op "
                "\"Niet meer volgen\".\n",
                a->display_name, c->init_title, c->op->u.title, c->op->u.body,
                c->op->base_url, c->op->u.initiative_id);
  snprintf(subject, sizeof(subject), "Nieuws: %.150s", c->init_title);
  lk_buf_puts(&p, "{\"to\":");
  lk_buf_json_str(&p, a->email);
  lk_buf_puts(&p, ",\"subject\":");
  lk_buf_json_str(&p, subject);
  lk_buf_puts(&p, ",\"text\":");
  lk_buf_json_str(&p, text.data != NULL ? text.data : "");
  lk_buf_putc(&p, '}');
  snprintf(key, sizeof(key), "p-update:%s:%s", c->op->u.id, a->id);
  c->rc = lk_buf_ok(&p) && lk_buf_ok(&text)
              ? lk_store_outbox_add(c->tx, "mail", key, p.data)
              : LK_STORE_NOMEM;
  if (c->rc == 0)
    c->n++;
  lk_buf_free(&p);
  lk_buf_free(&text);
}

int lk_init_post_apply(lk_tx *tx, void *arg) {
  lk_init_post_op *op = arg;
  lk_initiative_row *r = malloc(sizeof(*r));
  struct notify c = {tx, op, NULL, "", 0, 0};
  char role[8];
  int rc, n;

  if (r == NULL)
    return LK_STORE_NOMEM;
  rc = organised(tx, op->u.initiative_id, op->u.author_id, r, role);
  if (rc == 0 && (r->published_at == 0 || is(r->status, "prescreening")))
    rc = LK_INIT_EBADTRANSITION;
  if (rc == 0) {
    op->u.created_at = lk_tx_now(tx);
    rc = lk_store_initiative_update_insert(tx, &op->u);
  }
  if (rc == 0)
    rc = emit(tx, "initiative.update_posted", op->u.initiative_id, NULL, NULL);
  c.init_title = r->title;
  /* In pages of 500, so no statement holds more than that at once. */
  while (rc == 0) {
    char after[LK_PS_ID_LEN + 1];

    copy(after, sizeof(after), c.last);
    n = lk_store_initiative_followers(tx, op->u.initiative_id, after, 500,
                                      notify_one, &c);
    if (n < 0)
      rc = n;
    else if (c.rc != 0)
      rc = c.rc;
    if (n < 500)
      break;
  }
  op->notified = c.n;
  free(r);
  return rc;
}

/* ---- follow ------------------------------------------------------------ */

int lk_init_follow_apply(lk_tx *tx, void *arg) {
  lk_init_follow_op *op = arg;
  lk_initiative_row *r = malloc(sizeof(*r));
  int rc;

  if (r == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_initiative_get(NULL, tx, op->id, r);
  if (rc == 0 && !lk_init_public(r))
    rc = LK_STORE_NOTFOUND;
  free(r);
  if (rc != 0)
    return rc;
  return lk_store_initiative_follow(tx, op->id, op->account_id, op->follow,
                                    lk_tx_now(tx), &op->changed);
}

/* ---- co-organisers ----------------------------------------------------- */

int lk_init_coorg_prepare(lk_init_coorg_op *op, const char *id,
                          const char *account_id, const char *email,
                          lk_invalid *why) {
  char typed[LK_PS_EMAIL_MAX + 1];

  memset(op, 0, sizeof(*op));
  if (email == NULL || lk_sub_email(email, typed, op->email_key) != 0) {
    invalid(why, "email", "not a valid e-mail address");
    return LK_EINVALID;
  }
  copy(op->id, sizeof(op->id), id);
  copy(op->account_id, sizeof(op->account_id), account_id);
  return 0;
}

int lk_init_coorg_apply(lk_tx *tx, void *arg) {
  lk_init_coorg_op *op = arg;
  lk_initiative_row *r = malloc(sizeof(*r));
  lk_p_account_row a;
  char role[8];
  int rc;

  if (r == NULL)
    return LK_STORE_NOMEM;
  rc = organised(tx, op->id, op->account_id, r, role);
  free(r);
  if (rc == 0 && !is(role, "owner"))
    rc = LK_STORE_NOTFOUND;
  if (rc != 0)
    return rc;
  rc = lk_store_p_account_by_key(NULL, tx, op->email_key, &a);
  if (rc == LK_STORE_NOTFOUND || (rc == 0 && a.confirmed_at == 0)) {
    invalid(&op->why, "email", "no confirmed account with this address");
    return LK_EINVALID;
  }
  if (rc != 0)
    return rc;
  rc = lk_store_initiative_add_organiser(tx, op->id, a.id, lk_tx_now(tx));
  if (rc == 0)
    rc = emit(tx, "initiative.updated", op->id, NULL, NULL);
  return rc;
}

/* ---- images ------------------------------------------------------------ */

const char *lk_init_image_sniff(const void *data, size_t len) {
  const unsigned char *p = data;

  if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
    return "image/jpeg";
  if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
    return "image/gif";
  if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
    return "image/webp";
  return NULL;
}

int lk_init_image_prepare(lk_init_image_op *op, const char *id,
                          const char *account_id, const void *data, size_t len,
                          const char *alt, int64_t now_ms, lk_invalid *why) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  const char *type;

  memset(op, 0, sizeof(*op));
  if (len == 0 || len > LK_INIT_IMAGE_MAX) {
    invalid(why, "image", "an image of at most 5 MB");
    return LK_EINVALID;
  }
  type = lk_init_image_sniff(data, len);
  if (type == NULL) {
    invalid(why, "image", "a PNG, JPEG, GIF or WebP image");
    return LK_EINVALID;
  }
  if (alt == NULL || !lk_text_ok(alt, LK_PS_ALT_MAX, false)) {
    invalid(why, "alt", "describe the image in 1 to 300 characters");
    return LK_EINVALID;
  }
  crypto_hash_sha256(digest, data, len);
  sodium_bin2hex(op->img.sha256, sizeof(op->img.sha256), digest,
                 sizeof(digest));
  lk_uuid_new(op->img.id, now_ms);
  copy(op->img.initiative_id, sizeof(op->img.initiative_id), id);
  copy(op->img.media_type, sizeof(op->img.media_type), type);
  copy(op->img.alt, sizeof(op->img.alt), alt);
  op->img.size = (int64_t)len;
  copy(op->account_id, sizeof(op->account_id), account_id);
  return 0;
}

int lk_init_image_store(const char *data_dir, const lk_init_image_op *op,
                        const void *data, size_t len) {
  /* The attachments' blob store: same layout, same crash safety. */
  lk_attachment_op a;

  memset(&a, 0, sizeof(a));
  copy(a.row.sha256, sizeof(a.row.sha256), op->img.sha256);
  return lk_attachment_store_blob(data_dir, &a, data, len);
}

int lk_init_image_path(const char *data_dir, const char *sha256, char *out,
                       size_t size) {
  if (snprintf(out, size, "%s/blobs/%.2s/%s", data_dir, sha256, sha256) >=
      (int)size)
    return -ENAMETOOLONG;
  return 0;
}

int lk_init_image_apply(lk_tx *tx, void *arg) {
  lk_init_image_op *op = arg;
  lk_initiative_row *r = malloc(sizeof(*r));
  char role[8];
  int rc;

  if (r == NULL)
    return LK_STORE_NOMEM;
  rc = organised(tx, op->img.initiative_id, op->account_id, r, role);
  if (rc == 0 && r->images_count >= LK_INIT_IMAGES_MAX)
    rc = LK_STORE_CONFLICT;
  free(r);
  if (rc != 0)
    return rc;
  op->img.created_at = lk_tx_now(tx);
  rc = lk_store_initiative_image_insert(tx, &op->img);
  if (rc == 0)
    rc = emit(tx, "initiative.updated", op->img.initiative_id, NULL, NULL);
  return rc;
}

/* ---- neighbourhoods ---------------------------------------------------- */

int lk_nbh_put_prepare(lk_nbh_put_op *op, const char *actor, const char *id,
                       const char *name, long position, bool has_point,
                       double lat, double lon, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (id == NULL || !slug_ok(id)) {
    invalid(why, "id", "a-z, 0-9 and '-', at most 40");
    return LK_EINVALID;
  }
  if (name == NULL || lk_pacc_name_ok(name) != 0) {
    invalid(why, "name", "2 to 100 characters on one line");
    return LK_EINVALID;
  }
  if (position < 0 || position > 10000) {
    invalid(why, "position", "0 to 10000");
    return LK_EINVALID;
  }
  if (has_point && (!isfinite(lat) || lat < -90 || lat > 90)) {
    invalid(why, "lat", "degrees, -90 to 90");
    return LK_EINVALID;
  }
  if (has_point && (!isfinite(lon) || lon < -180 || lon > 180)) {
    invalid(why, "lon", "degrees, -180 to 180");
    return LK_EINVALID;
  }
  copy(op->actor, sizeof(op->actor), actor);
  copy(op->r.id, sizeof(op->r.id), id);
  copy(op->r.name, sizeof(op->r.name), name);
  op->r.position = (int)position;
  op->r.has_point = has_point;
  op->r.lat = lat;
  op->r.lon = lon;
  return 0;
}

int lk_nbh_put_apply(lk_tx *tx, void *arg) {
  lk_nbh_put_op *op = arg;
  lk_buf d = LK_BUF_INIT;
  int rc =
      lk_store_p_neighbourhood_put(tx, &op->r, lk_tx_now(tx), &op->created);

  if (rc != 0)
    return rc;
  lk_buf_puts(&d, "{\"name\":");
  lk_buf_json_str(&d, op->r.name);
  lk_buf_printf(&d, ",\"created\":%s}", op->created ? "true" : "false");
  rc = lk_buf_ok(&d) ? lk_store_audit(tx, op->actor, "neighbourhood.updated",
                                      op->r.id, d.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&d);
  return rc;
}

/* ---- JSON -------------------------------------------------------------- */

static void str_field(lk_buf *b, const char *key, const char *v) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (v[0] == '\0')
    lk_buf_puts(b, "null");
  else
    lk_buf_json_str(b, v);
}

void lk_init_json(lk_buf *b, const lk_initiative_row *r, bool staff) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, r->title);
  lk_buf_puts(b, ",\"summary\":");
  lk_buf_json_str(b, r->summary);
  lk_buf_puts(b, ",\"description\":");
  lk_buf_json_str(b, r->description);
  str_field(b, "theme", r->theme_id);
  str_field(b, "themeName", r->theme_name);
  str_field(b, "neighbourhood", r->neighbourhood_id);
  str_field(b, "neighbourhoodName", r->neighbourhood_name);
  str_field(b, "organisation", r->organisation_name);
  str_field(b, "address", r->address);
  if (r->has_point)
    lk_buf_printf(b, ",\"location\":{\"lat\":%.6f,\"lon\":%.6f}", r->lat,
                  r->lon);
  else
    lk_buf_puts(b, ",\"location\":null");
  str_field(b, "startDate", r->start_date);
  str_field(b, "endDate", r->end_date);
  str_field(b, "website", r->website);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, r->status);
  /* Publicly only a stop's reason: a prescreening note is for the
   * organisers and staff. */
  str_field(b, "statusReason",
            staff || is(r->status, "stopped") ? r->status_reason : "");
  lk_buf_json_ms(b, "statusChangedAt", r->status_changed_at);
  if (r->published_at != 0)
    lk_buf_json_ms(b, "publishedAt", r->published_at);
  else
    lk_buf_puts(b, ",\"publishedAt\":null");
  lk_buf_printf(b,
                ",\"followers\":%lld,\"participants\":%lld,"
                "\"updates\":%lld,\"images\":%lld",
                (long long)r->followers_count, (long long)r->participants_count,
                (long long)r->updates_count, (long long)r->images_count);
  if (staff) {
    lk_buf_puts(b, ",\"ownerId\":");
    lk_buf_json_str(b, r->owner_id);
    lk_buf_puts(b, ",\"ownerName\":");
    lk_buf_json_str(b, r->owner_name);
    str_field(b, "organisationId", r->organisation_id);
    str_field(b, "hiddenReason", r->hidden_reason);
    lk_buf_printf(b, ",\"hidden\":%s,\"version\":%lld",
                  r->hidden_at != 0 ? "true" : "false", (long long)r->version);
    lk_buf_json_ms(b, "createdAt", r->created_at);
    lk_buf_json_ms(b, "updatedAt", r->updated_at);
  }
  lk_buf_putc(b, '}');
}
