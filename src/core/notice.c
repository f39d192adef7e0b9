/* notice.c - validation of Actueel notices (see notice.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/notice.h"
#include "core/subscription.h"
#include "core/text.h"
#include "store/outbox.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

bool lk_notice_severity_ok(const char *s) {
  static const char *const all[] = {"informatie", "waarschuwing", "ernstig",
                                    "zeer-ernstig"};

  if (s == NULL)
    return false;
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (strcmp(s, all[i]) == 0)
      return true;
  return false;
}

/* A [lon, lat] pair of numbers within WGS84 ranges. */
static bool point_ok(json_t *p) {
  double lon;
  double lat;

  if (!json_is_array(p) || json_array_size(p) != 2 ||
      !json_is_number(json_array_get(p, 0)) ||
      !json_is_number(json_array_get(p, 1)))
    return false;
  lon = json_number_value(json_array_get(p, 0));
  lat = json_number_value(json_array_get(p, 1));
  return lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0;
}

static int circle_check(json_t *a, lk_invalid *why) {
  json_t *r = json_object_get(a, "radius");

  if (json_object_size(a) != 3)
    return invalid(why, "/area", "a circle has type, center and radius");
  if (!point_ok(json_object_get(a, "center")))
    return invalid(why, "/area/center",
                   "must be [lon, lat] with lon -180..180, lat -90..90");
  if (!json_is_number(r) || json_number_value(r) < 1.0 ||
      json_number_value(r) > LK_NOTICE_RADIUS_MAX)
    return invalid(why, "/area/radius", "must be 1 to 100000 metres");
  return 0;
}

static int polygon_check(json_t *a, lk_invalid *why) {
  json_t *c = json_object_get(a, "coordinates");
  json_t *p;
  size_t i;

  if (json_object_size(a) != 2)
    return invalid(why, "/area", "a polygon has type and coordinates");
  if (!json_is_array(c) || json_array_size(c) < LK_NOTICE_POLYGON_MIN ||
      json_array_size(c) > LK_NOTICE_POLYGON_MAX)
    return invalid(why, "/area/coordinates",
                   "must be an array of 3 to 500 [lon, lat] points");
  json_array_foreach(c, i, p) {
    if (!point_ok(p))
      return invalid(why, "/area/coordinates",
                     "every point must be [lon, lat] with lon -180..180, "
                     "lat -90..90");
  }
  return 0;
}

int lk_notice_area_check(const char *text, lk_invalid *why) {
  json_t *a;
  const char *type;
  int rc;

  if (text == NULL)
    return invalid(why, "/area", "is required");
  a = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(a)) {
    json_decref(a);
    return invalid(why, "/area", "must be an object");
  }
  type = json_string_value(json_object_get(a, "type"));
  if (type != NULL && strcmp(type, "circle") == 0)
    rc = circle_check(a, why);
  else if (type != NULL && strcmp(type, "polygon") == 0)
    rc = polygon_check(a, why);
  else
    rc = invalid(why, "/area/type", "must be \"circle\" or \"polygon\"");
  json_decref(a);
  return rc;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
static bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Writes the canonical form of `s` ("1234" or "1234AB") to `pc`, or
 * returns false.  Dutch postcodes never start with 0. */
static bool postcode(const char *s, char pc[7]) {
  size_t n = strlen(s);
  const char *l;

  if (n < 4 || !is_digit(s[0]) || s[0] == '0' || !is_digit(s[1]) ||
      !is_digit(s[2]) || !is_digit(s[3]))
    return false;
  memcpy(pc, s, 4);
  if (n == 4) {
    pc[4] = '\0';
    return true;
  }
  l = s + 4;
  if (n == 7 && *l == ' ')
    l++;
  else if (n != 6)
    return false;
  if (!is_alpha(l[0]) || !is_alpha(l[1]))
    return false;
  pc[4] = (char)(l[0] & ~0x20);
  pc[5] = (char)(l[1] & ~0x20);
  pc[6] = '\0';
  return true;
}

int lk_notice_postcodes(const char *const *codes, size_t n, char *out,
                        size_t size, lk_invalid *why) {
  size_t len = 0;
  char pc[7];

  if (n > LK_NOTICE_POSTCODES_MAX)
    return invalid(why, "/postcodes", "at most 200 postcodes");
  if (size == 0)
    return invalid(why, "/postcodes", "no room");
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t k;

    if (codes[i] == NULL || !postcode(codes[i], pc))
      return invalid(why, "/postcodes",
                     "each must be a postcode like \"1234\" or \"1234AB\"");
    k = strlen(pc);
    if (len + (len > 0) + k + 1 > size)
      return invalid(why, "/postcodes", "too many postcodes");
    if (len > 0)
      out[len++] = ' ';
    memcpy(out + len, pc, k + 1);
    len += k;
  }
  return 0;
}

bool lk_notice_transition_ok(const char *from, const char *to) {
  if (strcmp(to, "ended") == 0)
    return strcmp(from, "published") == 0;
  if (strcmp(to, "withdrawn") == 0)
    return strcmp(from, "draft") == 0 ||
           strcmp(from, "awaiting-approval") == 0 ||
           strcmp(from, "published") == 0;
  return false;
}

int lk_notice_text_check(const char *title, const char *body, lk_invalid *why) {
  if (title != NULL && !lk_text_ok(title, LK_NOTICE_TITLE_MAX, false))
    return invalid(why, "/title", "must be 1 to 200 bytes of text on one line");
  if (body != NULL && body[0] != '\0' &&
      !lk_text_ok(body, LK_NOTICE_BODY_MAX, true))
    return invalid(why, "/body", "must be at most 20000 bytes of text");
  return 0;
}

int lk_notice_update_check(const char *body, lk_invalid *why) {
  if (body == NULL || !lk_text_ok(body, LK_NOTICE_UPDATE_MAX, true))
    return invalid(why, "/body", "must be 1 to 1000 bytes of text");
  return 0;
}

int lk_notice_times_check(long long starts_at, long long expected_end_at,
                          lk_invalid *why) {
  if (starts_at > 0 && expected_end_at > 0 && expected_end_at < starts_at)
    return invalid(why, "/expectedEndAt", "must not be before startsAt");
  return 0;
}

/* ---- writes --------------------------------------------------------- */

static int id_check(const char *id, const char *field, lk_invalid *why) {
  if (id == NULL || !lk_uuid_valid(id))
    return invalid(why, field, "is not a notice id");
  return 0;
}

/* Compacts the area text (validated first) into `out`. */
static int area_copy(const char *text, char *out, size_t size,
                     lk_invalid *why) {
  json_t *a;
  char *s;
  int rc = lk_notice_area_check(text, why);

  if (rc != 0)
    return rc;
  a = json_loads(text, 0, NULL);
  s = a != NULL ? json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
  json_decref(a);
  if (s == NULL || strlen(s) >= size) {
    free(s);
    return invalid(why, "/area", "is too large");
  }
  memcpy(out, s, strlen(s) + 1);
  free(s);
  return 0;
}

int lk_notice_create_prepare(lk_notice_create_op *op, const char *actor,
                             const char *kind, const char *title,
                             const char *body, const char *severity,
                             const char *area, const char *const *codes,
                             size_t ncodes, long long starts_at,
                             long long expected_end_at, bool publish,
                             lk_invalid *why) {
  lk_notice_row *n = &op->n;
  int rc;

  memset(op, 0, sizeof(*op));
  if (kind == NULL || kind[0] == '\0' || strlen(kind) > LK_NOTICE_KIND_MAX)
    return invalid(why, "/kind", "is not a notice kind");
  if (title == NULL)
    return invalid(why, "/title", "is required");
  rc = lk_notice_text_check(title, body, why);
  if (rc == 0 && severity != NULL && !lk_notice_severity_ok(severity))
    rc = invalid(why, "/severity",
                 "must be informatie, waarschuwing, ernstig or zeer-ernstig");
  if (rc == 0 && area != NULL)
    rc = area_copy(area, n->area, sizeof(n->area), why);
  if (rc == 0)
    rc = lk_notice_postcodes(codes, ncodes, n->postcodes, sizeof(n->postcodes),
                             why);
  if (rc == 0)
    rc = lk_notice_times_check(starts_at, expected_end_at, why);
  if (rc != 0)
    return rc;
  if (area == NULL)
    snprintf(n->area, sizeof(n->area), "{}");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(n->kind, sizeof(n->kind), "%s", kind);
  snprintf(n->title, sizeof(n->title), "%s", title);
  snprintf(n->body, sizeof(n->body), "%s", body != NULL ? body : "");
  snprintf(n->severity, sizeof(n->severity), "%s",
           severity != NULL ? severity : "informatie");
  snprintf(n->created_by, sizeof(n->created_by), "%s", actor);
  n->starts_at = starts_at;
  n->expected_end_at = expected_end_at;
  op->publish = publish;
  return 0;
}

/* The event (when `type` is not NULL) and the audit row of a change to a
 * notice: ids, kind and status, never the text. */
static int notice_changed(lk_tx *tx, const char *actor, const char *type,
                          const char *action, const char *id, const char *kind,
                          const char *status, const char *update_id) {
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&p, "{\"id\":");
  lk_buf_json_str(&p, id);
  lk_buf_puts(&p, ",\"kind\":");
  lk_buf_json_str(&p, kind);
  lk_buf_puts(&p, ",\"status\":");
  lk_buf_json_str(&p, status);
  if (update_id != NULL) {
    lk_buf_puts(&p, ",\"updateId\":");
    lk_buf_json_str(&p, update_id);
  }
  lk_buf_putc(&p, '}');
  if (!lk_buf_ok(&p)) {
    lk_buf_free(&p);
    return LK_STORE_NOMEM;
  }
  rc = type != NULL ? lk_tx_emit(tx, type, id, p.data) : 0;
  if (rc == 0)
    rc = lk_store_audit(tx, actor, action, id, p.data);
  lk_buf_free(&p);
  return rc;
}

void lk_crosspost_key(char *out, size_t size, const char *notice_id,
                      const char *update_id) {
  if (update_id != NULL)
    snprintf(out, size, "update:%s", update_id);
  else
    snprintf(out, size, "notice:%s", notice_id);
}

int lk_notice_crosspost(lk_tx *tx, const char *notice_id,
                        const char *update_id) {
  char key[LK_CROSSPOST_KEY_MAX + 1];
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_crosspost_key(key, sizeof(key), notice_id, update_id);
  /* Ids only: the status says what the notice says when it is sent, so
   * an edit, a hidden text or a withdrawal before then is respected. */
  lk_buf_puts(&p, "{\"noticeId\":");
  lk_buf_json_str(&p, notice_id);
  lk_buf_puts(&p, ",\"updateId\":");
  if (update_id != NULL)
    lk_buf_json_str(&p, update_id);
  else
    lk_buf_puts(&p, "null");
  lk_buf_putc(&p, '}');
  rc = lk_buf_ok(&p) ? lk_store_outbox_add(tx, LK_CROSSPOST_KIND, key, p.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

int lk_notice_create_apply(lk_tx *tx, void *arg) {
  lk_notice_create_op *op = arg;
  lk_notice_row *n = &op->n;
  bool requires = false;
  int rc;

  rc = lk_store_notice_kind_get(tx, n->kind, &requires);
  if (rc == LK_STORE_NOTFOUND)
    return LK_EINVALID;
  if (rc != 0)
    return rc;
  n->created_at = n->updated_at = lk_tx_now(tx);
  lk_uuid_new(n->id, n->created_at);
  n->version = 1;
  if (op->publish && !requires) {
    snprintf(n->status, sizeof(n->status), "published");
    n->published_at = n->created_at;
  } else {
    snprintf(n->status, sizeof(n->status), "%s",
             op->publish ? "awaiting-approval" : "draft");
  }
  rc = lk_store_notice_insert(tx, n);
  if (rc == 0 && n->published_at != 0 && op->crosspost)
    rc = lk_notice_crosspost(tx, n->id, NULL);
  if (rc != 0)
    return rc;
  if (n->published_at != 0) {
    rc = lk_sub_notice_published(tx, op->sub_key, n->id, n->postcodes);
    if (rc != 0)
      return rc;
    return notice_changed(tx, op->actor, "notice.published", "notice.published",
                          n->id, n->kind, n->status, NULL);
  }
  return notice_changed(tx, op->actor, NULL, "notice.created", n->id, n->kind,
                        n->status, NULL);
}

int lk_notice_approve_prepare(lk_notice_approve_op *op, const char *actor,
                              const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (id_check(id, "id", why) != 0)
    return LK_EINVALID;
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->id, sizeof(op->id), "%s", id);
  return 0;
}

int lk_notice_approve_apply(lk_tx *tx, void *arg) {
  lk_notice_approve_op *op = arg;
  lk_notice_row *n = &op->n;
  int rc = lk_store_notice_get_tx(tx, op->id, n);

  if (rc != 0)
    return rc;
  if (strcmp(n->status, "awaiting-approval") != 0)
    return LK_STORE_CONFLICT;
  if (strcmp(n->created_by, op->actor) == 0)
    return LK_NOTICE_ESAME;
  snprintf(n->status, sizeof(n->status), "published");
  snprintf(n->approved_by, sizeof(n->approved_by), "%s", op->actor);
  n->published_at = n->updated_at = lk_tx_now(tx);
  rc = lk_store_notice_update(tx, n);
  if (rc == 0 && op->crosspost)
    rc = lk_notice_crosspost(tx, n->id, NULL);
  if (rc != 0)
    return rc;
  n->version++;
  /* First publication: subscribers hear of it in the same transaction. */
  rc = lk_sub_notice_published(tx, op->sub_key, n->id, n->postcodes);
  if (rc != 0)
    return rc;
  return notice_changed(tx, op->actor, "notice.published", "notice.approved",
                        n->id, n->kind, n->status, NULL);
}

int lk_notice_patch_prepare(lk_notice_patch_op *op, const char *actor,
                            const char *id, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (id_check(id, "id", why) != 0)
    return LK_EINVALID;
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->id, sizeof(op->id), "%s", id);
  return 0;
}

int lk_notice_patch_title(lk_notice_patch_op *op, const char *v,
                          lk_invalid *why) {
  if (lk_notice_text_check(v, NULL, why) != 0)
    return LK_EINVALID;
  snprintf(op->title_buf, sizeof(op->title_buf), "%s", v);
  op->title = op->title_buf;
  return 0;
}

int lk_notice_patch_body(lk_notice_patch_op *op, const char *v,
                         lk_invalid *why) {
  if (lk_notice_text_check(NULL, v, why) != 0)
    return LK_EINVALID;
  snprintf(op->body_buf, sizeof(op->body_buf), "%s", v);
  op->body = op->body_buf;
  return 0;
}

int lk_notice_patch_severity(lk_notice_patch_op *op, const char *v,
                             lk_invalid *why) {
  if (!lk_notice_severity_ok(v))
    return invalid(why, "/severity",
                   "must be informatie, waarschuwing, ernstig or zeer-ernstig");
  snprintf(op->severity_buf, sizeof(op->severity_buf), "%s", v);
  op->severity = op->severity_buf;
  return 0;
}

int lk_notice_patch_status(lk_notice_patch_op *op, const char *v,
                           lk_invalid *why) {
  if (strcmp(v, "ended") != 0 && strcmp(v, "withdrawn") != 0)
    return invalid(why, "/status", "must be ended or withdrawn");
  snprintf(op->status_buf, sizeof(op->status_buf), "%s", v);
  op->status = op->status_buf;
  return 0;
}

int lk_notice_patch_area(lk_notice_patch_op *op, const char *v,
                         lk_invalid *why) {
  if (area_copy(v, op->area, sizeof(op->area), why) != 0)
    return LK_EINVALID;
  op->has_area = true;
  return 0;
}

int lk_notice_patch_postcodes(lk_notice_patch_op *op, const char *const *codes,
                              size_t n, lk_invalid *why) {
  if (lk_notice_postcodes(codes, n, op->postcodes, sizeof(op->postcodes),
                          why) != 0)
    return LK_EINVALID;
  op->has_postcodes = true;
  return 0;
}

int lk_notice_patch_apply(lk_tx *tx, void *arg) {
  lk_notice_patch_op *op = arg;
  lk_notice_row *n = &op->n;
  const char *type = "notice.updated";
  lk_invalid why;
  int rc = lk_store_notice_get_tx(tx, op->id, n);

  if (rc != 0)
    return rc;
  if (op->if_version != 0 && op->if_version != n->version)
    return LK_NOTICE_EVERSION;
  /* Only a notice the public has seen makes news when it changes. */
  if (strcmp(n->status, "published") != 0)
    type = NULL;
  if (op->status != NULL && strcmp(op->status, n->status) != 0) {
    if (!lk_notice_transition_ok(n->status, op->status))
      return LK_STORE_CONFLICT;
    snprintf(n->status, sizeof(n->status), "%s", op->status);
    if (strcmp(op->status, "ended") == 0) {
      n->ended_at = lk_tx_now(tx);
      type = "notice.ended"; /* only published notices end */
    }
  }
  if (op->title != NULL)
    snprintf(n->title, sizeof(n->title), "%s", op->title);
  if (op->body != NULL)
    snprintf(n->body, sizeof(n->body), "%s", op->body);
  if (op->severity != NULL)
    snprintf(n->severity, sizeof(n->severity), "%s", op->severity);
  if (op->has_area)
    snprintf(n->area, sizeof(n->area), "%s", op->area);
  if (op->has_postcodes)
    snprintf(n->postcodes, sizeof(n->postcodes), "%s", op->postcodes);
  if (op->has_starts)
    n->starts_at = op->starts_at;
  if (op->has_end)
    n->expected_end_at = op->expected_end_at;
  if (lk_notice_times_check(n->starts_at, n->expected_end_at, &why) != 0)
    return LK_EINVALID;
  n->updated_at = lk_tx_now(tx);
  rc = lk_store_notice_update(tx, n);
  if (rc != 0)
    return rc;
  n->version++;
  return notice_changed(tx, op->actor, type,
                        type != NULL ? type : "notice.changed", n->id, n->kind,
                        n->status, NULL);
}

int lk_notice_update_prepare(lk_notice_update_op *op, const char *actor,
                             const char *notice_id, const char *body,
                             lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (id_check(notice_id, "id", why) != 0)
    return LK_EINVALID;
  if (lk_notice_update_check(body, why) != 0)
    return LK_EINVALID;
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->u.notice_id, sizeof(op->u.notice_id), "%s", notice_id);
  snprintf(op->u.body, sizeof(op->u.body), "%s", body);
  snprintf(op->u.author, sizeof(op->u.author), "%s", actor);
  return 0;
}

/* The kind and status of the notice in `op`, without its large row. */
static int notice_state(lk_tx *tx, lk_notice_update_op *op) {
  lk_notice_row *n = malloc(sizeof(*n));
  int rc;

  if (n == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_notice_get_tx(tx, op->u.notice_id, n);
  if (rc == 0) {
    snprintf(op->kind, sizeof(op->kind), "%s", n->kind);
    snprintf(op->status, sizeof(op->status), "%s", n->status);
    snprintf(op->title, sizeof(op->title), "%s", n->title);
  }
  free(n);
  return rc;
}

int lk_notice_update_apply(lk_tx *tx, void *arg) {
  lk_notice_update_op *op = arg;
  int rc = notice_state(tx, op);

  if (rc != 0)
    return rc;
  if (strcmp(op->status, "published") != 0)
    return LK_STORE_CONFLICT;
  op->u.published_at = lk_tx_now(tx);
  lk_uuid_new(op->u.id, op->u.published_at);
  rc = lk_store_notice_update_insert(tx, &op->u);
  if (rc == 0 && op->crosspost)
    rc = lk_notice_crosspost(tx, op->u.notice_id, op->u.id);
  if (rc != 0)
    return rc;
  return notice_changed(tx, op->actor, "notice.update_added",
                        "notice.update_added", op->u.notice_id, op->kind,
                        op->status, op->u.id);
}

int lk_notice_edit_prepare(lk_notice_update_op *op, const char *actor,
                           const char *notice_id, const char *update_id,
                           const char *body, lk_invalid *why) {
  int rc = lk_notice_update_prepare(op, actor, notice_id, body, why);

  if (rc != 0)
    return rc;
  if (id_check(update_id, "updateId", why) != 0)
    return LK_EINVALID;
  snprintf(op->u.id, sizeof(op->u.id), "%s", update_id);
  return 0;
}

int lk_notice_edit_apply(lk_tx *tx, void *arg) {
  lk_notice_update_op *op = arg;
  lk_notice_update_row cur;
  int rc = notice_state(tx, op);

  if (rc == 0)
    rc = lk_store_notice_update_get_tx(tx, op->u.id, &cur);
  if (rc != 0)
    return rc;
  if (strcmp(cur.notice_id, op->u.notice_id) != 0)
    return LK_STORE_NOTFOUND;
  rc = lk_store_notice_update_edit(tx, op->u.id, op->u.body, op->actor,
                                   lk_tx_now(tx));
  if (rc == 0 && op->hide_previous)
    rc = lk_store_notice_update_hide(tx, op->u.id);
  if (rc == 0)
    rc = lk_store_notice_update_get_tx(tx, op->u.id, &op->u);
  if (rc == 0)
    rc = notice_changed(tx, op->actor, "notice.update_edited",
                        "notice.update_edited", op->u.notice_id, op->kind,
                        op->status, op->u.id);
  /* Hiding what the public could read is a decision of its own. */
  if (rc == 0 && op->hide_previous)
    rc = notice_changed(tx, op->actor, NULL, "notice.update_history_hidden",
                        op->u.notice_id, op->kind, op->status, op->u.id);
  return rc;
}

int lk_notice_kind_prepare(lk_notice_kind_op *op, const char *actor,
                           const char *kind, bool requires, lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  if (kind == NULL || kind[0] == '\0' || strlen(kind) > LK_NOTICE_KIND_MAX)
    return invalid(why, "kind", "is not a notice kind");
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  snprintf(op->kind, sizeof(op->kind), "%s", kind);
  op->requires_second_person = requires;
  return 0;
}

int lk_notice_kind_apply(lk_tx *tx, void *arg) {
  lk_notice_kind_op *op = arg;
  lk_buf p = LK_BUF_INIT;
  int rc = lk_store_notice_kind_set(tx, op->kind, op->requires_second_person);

  if (rc != 0)
    return rc;
  lk_buf_puts(&p, "{\"kind\":");
  lk_buf_json_str(&p, op->kind);
  lk_buf_printf(&p, ",\"requiresSecondPerson\":%s}",
                op->requires_second_person ? "true" : "false");
  rc = lk_buf_ok(&p) ? lk_store_audit(tx, op->actor, "notice_kind.updated",
                                      op->kind, p.data)
                     : LK_STORE_NOMEM;
  lk_buf_free(&p);
  return rc;
}

void lk_notice_json(lk_buf *b, const lk_notice_row *n) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, n->id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, n->kind);
  lk_buf_puts(b, ",\"title\":");
  lk_buf_json_str(b, n->title);
  lk_buf_puts(b, ",\"body\":");
  lk_buf_json_str(b, n->body);
  lk_buf_puts(b, ",\"severity\":");
  lk_buf_json_str(b, n->severity);
  /* Stored only after validation and compaction, so it is JSON. */
  lk_buf_puts(b, ",\"area\":");
  if (strcmp(n->area, "{}") == 0 || n->area[0] == '\0')
    lk_buf_puts(b, "null");
  else
    lk_buf_puts(b, n->area);
  lk_buf_puts(b, ",\"postcodes\":[");
  for (const char *p = n->postcodes; *p != '\0';) {
    char pc[8];
    size_t len = strcspn(p, " ");

    if (len >= sizeof(pc))
      len = sizeof(pc) - 1;
    memcpy(pc, p, len);
    pc[len] = '\0';
    if (p != n->postcodes)
      lk_buf_putc(b, ',');
    lk_buf_json_str(b, pc);
    p += strcspn(p, " ");
    if (*p == ' ')
      p++;
  }
  lk_buf_puts(b, "],\"status\":");
  lk_buf_json_str(b, n->status);
  lk_buf_json_ms(b, "startsAt", n->starts_at);
  lk_buf_json_ms(b, "expectedEndAt", n->expected_end_at);
  lk_buf_json_ms(b, "publishedAt", n->published_at);
  lk_buf_json_ms(b, "endedAt", n->ended_at);
  lk_buf_puts(b, ",\"createdBy\":");
  lk_buf_json_str(b, n->created_by);
  lk_buf_puts(b, ",\"approvedBy\":");
  if (n->approved_by[0] != '\0')
    lk_buf_json_str(b, n->approved_by);
  else
    lk_buf_puts(b, "null");
  lk_buf_printf(b,
                ",\"version\":%lld,\"createdAt\":%lld,\"updatedAt\":%lld,"
                "\"updateCount\":%d}",
                (long long)n->version, (long long)n->created_at,
                (long long)n->updated_at, n->updates);
}

void lk_notice_update_json(lk_buf *b, const lk_notice_update_row *u) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, u->id);
  lk_buf_puts(b, ",\"noticeId\":");
  lk_buf_json_str(b, u->notice_id);
  lk_buf_puts(b, ",\"body\":");
  lk_buf_json_str(b, u->body);
  lk_buf_puts(b, ",\"author\":");
  lk_buf_json_str(b, u->author);
  lk_buf_printf(b, ",\"publishedAt\":%lld", (long long)u->published_at);
  lk_buf_json_ms(b, "editedAt", u->edited_at);
  lk_buf_printf(b, ",\"edits\":%d}", u->edits);
}
