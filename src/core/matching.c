/* matching.c - offers and needs, matches and relayed messages (see
 * matching.h). */
#include "core/matching.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/text.h"
#include "store/outbox.h"
#include "store/participation.h"
#include "store/proclog.h"
#include "util/buf.h"

#define MIN_TIME_MS 946684800000LL /* 2000-01-01: earlier is a mistake */

/* lk_text_ok() that takes NULL (a field not given) as not ok. */
static bool text_ok(const char *s, size_t max, bool multiline) {
  return s != NULL && lk_text_ok(s, max, multiline);
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static bool id_ok(const char *s) {
  size_t n;

  if (s == NULL)
    return false;
  n = strlen(s);
  /* UUIDs and 0018's ids: letters, digits, '-' and '_' only, so an id
   * never needs escaping in a key, a URL or a log line. */
  return n > 0 && n <= LK_MX_ID_MAX &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-_") == n;
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* ---- scoring ------------------------------------------------------------ */

int64_t lk_mx_distance_m(int64_t lat1_e6, int64_t lon1_e6, int64_t lat2_e6,
                         int64_t lon2_e6) {
  const double r = 6371000.0, rad = M_PI / 180.0 / 1e6;
  double mid = (double)(lat1_e6 + lat2_e6) / 2.0 * rad;
  double x = (double)(lon2_e6 - lon1_e6) * rad * cos(mid);
  double y = (double)(lat2_e6 - lat1_e6) * rad;

  return (int64_t)llround(sqrt(x * x + y * y) * r);
}

static void reason(lk_mx_score_parts *p, const char *word) {
  size_t len = strlen(p->reasons);

  snprintf(p->reasons + len, sizeof(p->reasons) - len, "%s%s",
           len > 0 ? " " : "", word);
}

/* 30 points at the same spot, falling linearly to 0 at LK_MX_NEAR_M; 20
 * for the same neighbourhood when a distance cannot be computed. */
static int place_points(const lk_mx_listing_row *a,
                        const lk_mx_listing_row *b) {
  if (a->has_point && b->has_point) {
    int64_t d = lk_mx_distance_m(a->lat_e6, a->lon_e6, b->lat_e6, b->lon_e6);

    if (d >= LK_MX_NEAR_M)
      return 0;
    return (int)(30 - d * 30 / LK_MX_NEAR_M);
  }
  if (a->neighbourhood_id[0] != '\0' &&
      strcmp(a->neighbourhood_id, b->neighbourhood_id) == 0)
    return 20;
  return 0;
}

/* -1 for disjoint windows; 20 times the share of the shorter window that
 * overlaps when both are closed; 10 when either end is open. */
static int time_points(const lk_mx_listing_row *a, const lk_mx_listing_row *b) {
  int64_t as = a->starts_at, ae = a->ends_at > 0 ? a->ends_at : INT64_MAX;
  int64_t bs = b->starts_at, be = b->ends_at > 0 ? b->ends_at : INT64_MAX;
  int64_t lo = as > bs ? as : bs, hi = ae < be ? ae : be;
  int64_t shorter;

  if (lo >= hi)
    return -1;
  if (a->ends_at == 0 || b->ends_at == 0 || a->starts_at == 0 ||
      b->starts_at == 0)
    return 10;
  shorter = (ae - as) < (be - bs) ? (ae - as) : (be - bs);
  return shorter <= 0 ? 0 : (int)((hi - lo) * 20 / shorter);
}

int lk_mx_score(const lk_mx_listing_row *a, const lk_mx_listing_row *b,
                lk_mx_score_parts *out) {
  lk_mx_score_parts p;
  int t;

  memset(&p, 0, sizeof(p));
  if (strcmp(a->kind, b->kind) == 0 ||
      strcmp(a->account_id, b->account_id) == 0)
    return -1;
  t = time_points(a, b);
  if (t < 0)
    return -1;
  if (strcmp(a->theme_id, b->theme_id) == 0) {
    p.theme = 40;
    reason(&p, "theme");
  }
  if (strcmp(a->category, b->category) == 0) {
    p.category = 10;
    reason(&p, "category");
  }
  p.place = place_points(a, b);
  if (p.place > 0)
    reason(&p, "place");
  p.time = t;
  if (p.time > 0)
    reason(&p, "time");
  p.total = p.theme + p.category + p.place + p.time;
  if (out != NULL)
    *out = p;
  return p.total;
}

/* ---- posting ------------------------------------------------------------ */

int lk_mx_degrees(const char *s, int limit, int64_t *out) {
  char *end;
  double v;

  if (s == NULL || s[0] == '\0' || strlen(s) > 16 ||
      strspn(s, "+-0123456789.") != strlen(s))
    return -1;
  v = strtod(s, &end);
  if (*end != '\0' || !(v >= -limit && v <= limit))
    return -1;
  *out = (int64_t)llround(v * 1e6);
  return 0;
}

static bool one_of(const char *s, const char *const *list) {
  for (; s != NULL && *list != NULL; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

static const char *const kinds[] = {"offer", "need", NULL};
static const char *const categories[] = {"tools", "skills", "space",
                                         "time",  "other",  NULL};

static int place_prepare(lk_mx_listing_row *r, const lk_mx_listing_input *in,
                         lk_invalid *why) {
  bool lat = in->lat != NULL && in->lat[0] != '\0';
  bool lon = in->lon != NULL && in->lon[0] != '\0';

  if (in->neighbourhood != NULL && in->neighbourhood[0] != '\0') {
    if (!id_ok(in->neighbourhood))
      return invalid(why, "neighbourhood", "is not a neighbourhood id");
    copy(r->neighbourhood_id, sizeof(r->neighbourhood_id), in->neighbourhood);
  }
  if (lat != lon)
    return invalid(why, "place", "needs both latitude and longitude");
  if (lat) {
    if (lk_mx_degrees(in->lat, 90, &r->lat_e6) != 0 ||
        lk_mx_degrees(in->lon, 180, &r->lon_e6) != 0)
      return invalid(why, "place", "is not a latitude and longitude");
    r->has_point = true;
  }
  return 0;
}

int lk_mx_listing_prepare(lk_mx_listing_op *op, const char *account,
                          const lk_mx_listing_input *in, const char *base_url,
                          const char *request_id, lk_invalid *why) {
  lk_mx_listing_row *r = &op->r;
  int rc;

  memset(op, 0, sizeof(*op));
  if (!id_ok(account))
    return invalid(why, "account", "is not an account");
  if (!one_of(in->kind, kinds))
    return invalid(why, "kind", "must be offer or need");
  if (!one_of(in->category, categories))
    return invalid(why, "category",
                   "must be tools, skills, space, time or other");
  if (!id_ok(in->theme))
    return invalid(why, "theme", "is not a theme id");
  if (in->organisation != NULL && in->organisation[0] != '\0' &&
      !id_ok(in->organisation))
    return invalid(why, "organisation", "is not an organisation id");
  rc = place_prepare(r, in, why);
  if (rc != 0)
    return rc;
  if (in->starts_at != 0 && in->starts_at < MIN_TIME_MS)
    return invalid(why, "starts_at", "is not a time");
  if (in->ends_at != 0 && in->ends_at < MIN_TIME_MS)
    return invalid(why, "ends_at", "is not a time");
  if (in->starts_at != 0 && in->ends_at != 0 && in->ends_at <= in->starts_at)
    return invalid(why, "ends_at", "must be after starts_at");
  if (!text_ok(in->title, LK_MX_TITLE_MAX, false))
    return invalid(why, "title", "must be 1 to 200 bytes of text on one line");
  if (!text_ok(in->body, LK_MX_BODY_MAX, true))
    return invalid(why, "body", "must be 1 to 4000 bytes of text");
  copy(r->kind, sizeof(r->kind), in->kind);
  copy(r->category, sizeof(r->category), in->category);
  copy(r->account_id, sizeof(r->account_id), account);
  copy(r->organisation_id, sizeof(r->organisation_id), in->organisation);
  copy(r->theme_id, sizeof(r->theme_id), in->theme);
  copy(r->title, sizeof(r->title), in->title);
  copy(r->body, sizeof(r->body), in->body);
  copy(r->state, sizeof(r->state), "open");
  r->starts_at = in->starts_at;
  r->ends_at = in->ends_at;
  snprintf(op->actor, sizeof(op->actor), "p:%s", account);
  copy(op->base_url, sizeof(op->base_url), base_url);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

static int proclog(lk_tx *tx, const char *actor, const char *operation,
                   const char *what, const char *id, const char *request_id) {
  char resource[80];
  lk_proclog_entry e = {actor,    NULL, operation, "participatie",
                        resource, NULL, request_id};

  snprintf(resource, sizeof(resource), "%s:%s", what, id);
  return lk_store_proclog_insert(tx, &e);
}

/* Queues an e-mail (outbox kind "mail") under `key`. */
static int queue_mail(lk_tx *tx, const char *key, const char *to,
                      const char *subject, const char *text) {
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&p, "{\"to\":");
  lk_buf_json_str(&p, to);
  lk_buf_puts(&p, ",\"subject\":");
  lk_buf_json_str(&p, subject);
  lk_buf_puts(&p, ",\"text\":");
  lk_buf_json_str(&p, text);
  lk_buf_putc(&p, '}');
  rc = lk_buf_ok(&p) ? lk_store_outbox_add(tx, "mail", key, p.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

/* The author of a listing that a mail goes to, and whether they can be
 * written to at all. */
static int recipient(lk_tx *tx, const char *account, lk_mx_account *a) {
  int rc = lk_store_mx_account(tx, account, a);

  if (rc == LK_STORE_NOTFOUND) {
    a->email[0] = '\0'; /* gone: no mail, the match still counts */
    return 0;
  }
  return rc;
}

/* Tells the author of `mine` about a match with `other`: the title of
 * the other side and a link to "mijn matches", never its author. */
static int match_mail(lk_tx *tx, const lk_mx_listing_op *op,
                      const lk_mx_match_row *m, const lk_mx_listing_row *mine,
                      const lk_mx_listing_row *other) {
  lk_mx_account a;
  lk_buf text = LK_BUF_INIT;
  char key[128];
  int rc = recipient(tx, mine->account_id, &a);

  if (rc != 0 || a.email[0] == '\0')
    return rc;
  lk_buf_printf(&text,
                "Beste %s,\n\nUw %s \"%s\" past misschien bij %s \"%s\".\n\n"
                "Bekijk uw matches en stuur een bericht via het platform:\n"
                "%s/initiatieven/mijn/matches\n\nUw e-mailadres wordt niet "
                "gedeeld: berichten gaan via het platform.\n",
                a.name, strcmp(mine->kind, "offer") == 0 ? "aanbod" : "vraag",
                mine->title,
                strcmp(other->kind, "offer") == 0 ? "het aanbod" : "de vraag",
                other->title, op->base_url);
  snprintf(key, sizeof(key), "match:%s:to:%s", m->id, mine->id);
  rc = lk_buf_ok(&text) ? queue_mail(tx, key, a.email,
                                     "Een mogelijke match voor u", text.data)
                        : LK_STORE_NOMEM;
  lk_buf_free(&text);
  return rc;
}

struct best {
  lk_mx_listing_row *rows; /* LK_MX_KEEP, best first */
  lk_mx_score_parts parts[LK_MX_KEEP];
  int n;
  const lk_mx_listing_row *self;
};

/* Keeps the LK_MX_KEEP best candidates at or above the threshold, in an
 * insertion-sorted array: at most 2 * LK_MX_CANDIDATES are offered. */
static void consider(const lk_mx_listing_row *c, void *ud) {
  struct best *b = ud;
  lk_mx_score_parts p;
  int score = lk_mx_score(b->self, c, &p);
  int at;

  if (score < LK_MX_THRESHOLD)
    return;
  for (int i = 0; i < b->n; i++)
    if (strcmp(b->rows[i].id, c->id) == 0)
      return; /* found by both queries */
  at = b->n;
  while (at > 0 && b->parts[at - 1].total < score)
    at--;
  if (at >= LK_MX_KEEP)
    return;
  if (b->n == LK_MX_KEEP)
    b->n--;
  memmove(&b->rows[at + 1], &b->rows[at],
          (size_t)(b->n - at) * sizeof(b->rows[0]));
  memmove(&b->parts[at + 1], &b->parts[at],
          (size_t)(b->n - at) * sizeof(b->parts[0]));
  b->rows[at] = *c;
  b->parts[at] = p;
  b->n++;
}

static int suggest(lk_tx *tx, lk_mx_listing_op *op) {
  struct best b = {.self = &op->r};
  int rc;

  b.rows = calloc(LK_MX_KEEP + 1, sizeof(*b.rows));
  if (b.rows == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_mx_candidates(tx, &op->r, LK_MX_CANDIDATES, consider, &b);
  rc = rc < 0 ? rc : 0;
  for (int i = 0; i < b.n && rc == 0; i++) {
    const lk_mx_listing_row *c = &b.rows[i];
    bool offer = strcmp(op->r.kind, "offer") == 0;
    lk_mx_match_row m;
    char payload[200];

    memset(&m, 0, sizeof(m));
    lk_uuid_new(m.id, lk_tx_now(tx));
    copy(m.offer_id, sizeof(m.offer_id), offer ? op->r.id : c->id);
    copy(m.need_id, sizeof(m.need_id), offer ? c->id : op->r.id);
    m.score = b.parts[i].total;
    copy(m.reasons, sizeof(m.reasons), b.parts[i].reasons);
    m.created_at = lk_tx_now(tx);
    rc = lk_store_mx_match_insert(tx, &m);
    if (rc == LK_STORE_CONFLICT) {
      rc = 0;
      continue;
    }
    if (rc == 0)
      rc = match_mail(tx, op, &m, &op->r, c);
    if (rc == 0)
      rc = match_mail(tx, op, &m, c, &op->r);
    snprintf(payload, sizeof(payload),
             "{\"match\":\"%s\",\"offer\":\"%s\",\"need\":\"%s\","
             "\"score\":%d}",
             m.id, m.offer_id, m.need_id, m.score);
    if (rc == 0)
      rc = lk_tx_emit(tx, "match.suggested", m.id, payload);
    if (rc == 0)
      op->matched++;
  }
  free(b.rows);
  return rc;
}

/* The theme and neighbourhood must exist (0018's lists):
 * LK_STORE_INVALID otherwise. */
static int known_places(lk_tx *tx, const lk_mx_listing_row *r) {
  lk_p_place_row p;
  int rc = lk_store_p_theme_get(NULL, tx, r->theme_id, &p);

  if (rc == 0 && r->neighbourhood_id[0] != '\0')
    rc = lk_store_p_neighbourhood_get(NULL, tx, r->neighbourhood_id, &p);
  return rc == LK_STORE_NOTFOUND ? LK_STORE_INVALID : rc;
}

int lk_mx_listing_apply(lk_tx *tx, void *arg) {
  lk_mx_listing_op *op = arg;
  lk_mx_account a;
  char payload[200];
  int rc = lk_store_mx_account(tx, op->r.account_id, &a);

  if (rc != 0)
    return rc;
  if (a.blocked)
    return LK_MX_BLOCKED;
  rc = known_places(tx, &op->r);
  if (rc != 0)
    return rc;
  if (op->r.organisation_id[0] != '\0') {
    bool member = false;

    rc = lk_store_mx_org_member(tx, op->r.organisation_id, op->r.account_id,
                                &member);
    if (rc != 0)
      return rc;
    if (!member)
      return LK_STORE_NOTFOUND;
  }
  op->r.created_at = lk_tx_now(tx);
  lk_uuid_new(op->r.id, op->r.created_at);
  rc = lk_store_mx_listing_insert(tx, &op->r);
  if (rc == 0)
    rc = suggest(tx, op);
  snprintf(payload, sizeof(payload),
           "{\"listing\":\"%s\",\"kind\":\"%s\",\"matches\":%d}", op->r.id,
           op->r.kind, op->matched);
  if (rc == 0)
    rc = lk_tx_emit(tx, "listing.created", op->r.id, payload);
  if (rc == 0)
    rc = proclog(tx, op->actor, "create", "listing", op->r.id, op->request_id);
  return rc;
}

int lk_mx_close_prepare(lk_mx_close_op *op, const char *account, const char *id,
                        const char *request_id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!id_ok(account) || !id_ok(id))
    return invalid(why, "id", "is not a listing id");
  copy(op->account, sizeof(op->account), account);
  copy(op->id, sizeof(op->id), id);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

int lk_mx_close_apply(lk_tx *tx, void *arg) {
  lk_mx_close_op *op = arg;
  char payload[120], actor[LK_MX_ACTOR_MAX];
  int rc = lk_store_mx_listing_close(tx, op->id, op->account, lk_tx_now(tx));

  snprintf(payload, sizeof(payload),
           "{\"listing\":\"%s\",\"state\":\"closed\"}", op->id);
  snprintf(actor, sizeof(actor), "p:%s", op->account);
  if (rc == 0)
    rc = lk_tx_emit(tx, "listing.closed", op->id, payload);
  if (rc == 0)
    rc = proclog(tx, actor, "update", "listing", op->id, op->request_id);
  return rc;
}

/* ---- messages ------------------------------------------------------------ */

bool lk_mx_thread_member(const lk_mx_thread_row *t, const char *account) {
  return account != NULL && account[0] != '\0' &&
         (strcmp(t->owner_id, account) == 0 ||
          strcmp(t->other_id, account) == 0);
}

int lk_mx_message_prepare(lk_mx_message_op *op, const char *account,
                          const char *listing, const char *thread,
                          const char *body, const char *base_url,
                          const char *request_id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (!id_ok(account))
    return invalid(why, "account", "is not an account");
  if ((listing == NULL) == (thread == NULL) ||
      !id_ok(listing != NULL ? listing : thread))
    return invalid(why, "id", "is not a listing or thread id");
  if (!text_ok(body, LK_MX_BODY_MAX, true))
    return invalid(why, "body", "must be 1 to 4000 bytes of text");
  copy(op->account, sizeof(op->account), account);
  copy(op->listing, sizeof(op->listing), listing);
  copy(op->thread, sizeof(op->thread), thread);
  copy(op->m.body, sizeof(op->m.body), body);
  copy(op->base_url, sizeof(op->base_url), base_url);
  copy(op->request_id, sizeof(op->request_id), request_id);
  return 0;
}

/* The thread a new message on a listing goes into, opened if needed. */
static int thread_for_listing(lk_tx *tx, lk_mx_message_op *op,
                              lk_mx_thread_row *t) {
  lk_mx_listing_row *l = malloc(sizeof(*l));
  int rc;

  if (l == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_mx_listing_get(NULL, tx, op->listing, l);
  if (rc == 0 && (l->hidden_at != 0 || strcmp(l->state, "open") != 0))
    rc = LK_STORE_NOTFOUND;
  if (rc == 0 && strcmp(l->account_id, op->account) == 0)
    rc = LK_STORE_INVALID; /* one's own listing */
  if (rc == 0) {
    rc = lk_store_mx_thread_find(tx, op->listing, op->account, t);
    if (rc == LK_STORE_NOTFOUND) {
      memset(t, 0, sizeof(*t));
      lk_uuid_new(t->id, lk_tx_now(tx));
      copy(t->listing_id, sizeof(t->listing_id), l->id);
      copy(t->owner_id, sizeof(t->owner_id), l->account_id);
      copy(t->other_id, sizeof(t->other_id), op->account);
      copy(t->title, sizeof(t->title), l->title);
      t->created_at = t->last_message_at = lk_tx_now(tx);
      rc = lk_store_mx_thread_insert(tx, t);
    }
  }
  free(l);
  return rc;
}

/* Tells the other side a message is waiting: who wrote (display name
 * only), about what, and the link; never an address or the text. */
static int message_mail(lk_tx *tx, const lk_mx_message_op *op,
                        const lk_mx_thread_row *t, const char *sender_name) {
  const char *to_id =
      strcmp(t->owner_id, op->account) == 0 ? t->other_id : t->owner_id;
  lk_mx_account a;
  lk_buf text = LK_BUF_INIT;
  char key[128];
  int rc = recipient(tx, to_id, &a);

  if (rc != 0 || a.email[0] == '\0')
    return rc;
  lk_buf_printf(&text,
                "Beste %s,\n\n%s heeft u een bericht gestuurd over \"%s\".\n\n"
                "Lees en beantwoord het op het platform:\n"
                "%s/initiatieven/berichten/%s\n\nUw e-mailadres is niet met "
                "de afzender gedeeld. Antwoord niet op deze e-mail.\n",
                a.name, sender_name, t->title, op->base_url, t->id);
  snprintf(key, sizeof(key), "message:%s", op->m.id);
  rc = lk_buf_ok(&text)
           ? queue_mail(tx, key, a.email,
                        "Nieuw bericht op het participatieplatform", text.data)
           : LK_STORE_NOMEM;
  lk_buf_free(&text);
  return rc;
}

int lk_mx_message_apply(lk_tx *tx, void *arg) {
  lk_mx_message_op *op = arg;
  lk_mx_thread_row t;
  lk_mx_account sender;
  char payload[200], actor[LK_MX_ACTOR_MAX];
  int rc = lk_store_mx_account(tx, op->account, &sender);

  if (rc != 0)
    return rc;
  if (sender.blocked)
    return LK_MX_BLOCKED;
  if (op->listing[0] != '\0') {
    rc = thread_for_listing(tx, op, &t);
  } else {
    rc = lk_store_mx_thread_get(NULL, tx, op->thread, &t);
    if (rc == 0 && !lk_mx_thread_member(&t, op->account))
      rc = LK_STORE_NOTFOUND; /* as if unknown */
  }
  if (rc != 0)
    return rc;
  op->m.created_at = lk_tx_now(tx);
  lk_uuid_new(op->m.id, op->m.created_at);
  copy(op->m.thread_id, sizeof(op->m.thread_id), t.id);
  copy(op->m.sender_id, sizeof(op->m.sender_id), op->account);
  rc = lk_store_mx_message_insert(tx, &op->m);
  if (rc == 0)
    rc = message_mail(tx, op, &t, sender.name);
  snprintf(payload, sizeof(payload), "{\"thread\":\"%s\",\"message\":\"%s\"}",
           t.id, op->m.id);
  if (rc == 0)
    rc = lk_tx_emit(tx, "message.sent", t.id, payload);
  snprintf(actor, sizeof(actor), "p:%s", op->account);
  if (rc == 0)
    rc = proclog(tx, actor, "create", "message", op->m.id, op->request_id);
  return rc;
}

/* ---- output -------------------------------------------------------------- */

void lk_mx_listing_json(lk_buf *b, const lk_mx_listing_row *r) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, r->id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, r->kind);
  lk_buf_puts(b, ",\"category\":");
  lk_buf_json_str(b, r->category);
  lk_buf_puts(b, ",\"account\":");
  lk_buf_json_str(b, r->account_id);
  lk_buf_puts(b, ",\"theme\":");
  lk_buf_json_str(b, r->theme_id);
  lk_buf_puts(b, ",\"neighbourhood\":");
  if (r->neighbourhood_id[0] != '\0')
    lk_buf_json_str(b, r->neighbourhood_id);
  else
    lk_buf_puts(b, "null");
  if (r->has_point)
    lk_buf_printf(b, ",\"lat\":%.6f,\"lon\":%.6f", (double)r->lat_e6 / 1e6,
                  (double)r->lon_e6 / 1e6);
  lk_buf_json_ms(b, "startsAt", r->starts_at);
  lk_buf_json_ms(b, "endsAt", r->ends_at);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, r->title);
  lk_buf_puts(b, ",\"body\":");
  lk_buf_json_str(b, r->body);
  lk_buf_puts(b, ",\"state\":");
  lk_buf_json_str(b, r->state);
  lk_buf_json_ms(b, "createdAt", r->created_at);
  lk_buf_json_ms(b, "hiddenAt", r->hidden_at);
  lk_buf_puts(b, ",\"hiddenReason\":");
  if (r->hidden_at != 0)
    lk_buf_json_str(b, r->hidden_reason);
  else
    lk_buf_puts(b, "null");
  lk_buf_putc(b, '}');
}

const char *lk_mx_kind_nl(const char *kind) {
  return strcmp(kind, "offer") == 0 ? "Aanbod" : "Vraag";
}

const char *lk_mx_category_nl(const char *category) {
  static const char *const nl[][2] = {{"tools", "Gereedschap"},
                                      {"skills", "Vaardigheden"},
                                      {"space", "Ruimte"},
                                      {"time", "Tijd"},
                                      {"other", "Overig"}};

  for (size_t i = 0; i < sizeof(nl) / sizeof(nl[0]); i++)
    if (strcmp(category, nl[i][0]) == 0)
      return nl[i][1];
  return "Overig";
}
