/* norms.c - service norms and their configuration; see norms.h. */
#include "core/norms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation.h"
#include "core/ids.h"
#include "store/measure.h"

static const char *const metric_names[LK_METRICS] = {
    "first_response", "next_response", "resolution", "callback"};

const char *lk_metric_name(lk_metric m) {
  return m >= 0 && m < LK_METRICS ? metric_names[m] : NULL;
}

int lk_metric_parse(const char *name) {
  for (int i = 0; name != NULL && i < LK_METRICS; i++) {
    if (strcmp(name, metric_names[i]) == 0)
      return i;
  }
  return -1;
}

static void add_norm(lk_norms *ns, lk_metric m, const char *channel,
                     int64_t seconds, bool business) {
  lk_norm *n = &ns->norms[ns->n++];

  memset(n, 0, sizeof(*n));
  n->metric = m;
  snprintf(n->channel, sizeof(n->channel), "%s", channel);
  n->target_ms = seconds * 1000;
  n->business = business;
  n->warn_ms = n->target_ms / 5;
}

void lk_norms_default(lk_norms *ns) {
  memset(ns, 0, sizeof(*ns));
  lk_cal_default(&ns->cal);
  add_norm(ns, LK_METRIC_FIRST_RESPONSE, "email", 18 * 3600, true);
  add_norm(ns, LK_METRIC_FIRST_RESPONSE, "webformulier", 18 * 3600, true);
  add_norm(ns, LK_METRIC_FIRST_RESPONSE, "social", 4 * 3600, true);
  add_norm(ns, LK_METRIC_FIRST_RESPONSE, "telefoon", 25, false);
  add_norm(ns, LK_METRIC_CALLBACK, "", 18 * 3600, true);
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* Field names for the first LK_NORMS_MAX members, built once: lk_invalid
 * holds static strings. */
static char norm_fields[LK_NORMS_MAX][8][40];
static const char *const norm_members[8] = {
    "",        "/metric",        "/channel", "/categoryId",
    "/teamId", "/targetSeconds", "/clock",   "/warnSeconds"};

static const char *field_of(int i, int member) {
  char *f = norm_fields[i][member];

  if (f[0] == '\0')
    snprintf(f, sizeof(norm_fields[i][member]), "/norms/%d%s", i,
             norm_members[member]);
  return f;
}

static bool known_member(const char *key) {
  for (int i = 1; i < 8; i++) {
    if (strcmp(key, norm_members[i] + 1) == 0)
      return true;
  }
  return false;
}

/* An optional id member: null, absent or a UUID (stored lower case). */
static int id_member(const json_t *o, const char *key, char out[37]) {
  const json_t *v = json_object_get(o, key);
  const char *s;

  out[0] = '\0';
  if (v == NULL || json_is_null(v))
    return 0;
  s = json_string_value(v);
  if (s == NULL || strlen(s) != 36 || !lk_uuid_valid(s))
    return -1;
  for (int i = 0; i <= 36; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
  return 0;
}

static int seconds_member(const json_t *o, const char *key, int64_t min,
                          int64_t *out) {
  const json_t *v = json_object_get(o, key);

  if (!json_is_integer(v) || json_integer_value(v) < min ||
      json_integer_value(v) > LK_NORM_TARGET_MAX)
    return -1;
  *out = (int64_t)json_integer_value(v) * 1000;
  return 0;
}

static int norm_from_json(lk_norm *n, const json_t *o, int i, lk_invalid *why) {
  const char *key;
  const json_t *v;
  const char *s;
  int m;

  memset(n, 0, sizeof(*n));
  if (!json_is_object(o))
    return invalid(why, field_of(i, 0), "must be an object");
  json_object_foreach((json_t *)o, key, v) {
    if (!known_member(key))
      return invalid(why, field_of(i, 0), "has an unknown member");
  }
  m = lk_metric_parse(json_string_value(json_object_get(o, "metric")));
  if (m < 0)
    return invalid(why, field_of(i, 1),
                   "must be first_response, next_response, resolution or "
                   "callback");
  n->metric = (lk_metric)m;
  v = json_object_get(o, "channel");
  if (v != NULL && !json_is_null(v)) {
    s = json_string_value(v);
    if (s == NULL || !lk_conv_channel_valid(s))
      return invalid(why, field_of(i, 2), "must be a channel or null");
    snprintf(n->channel, sizeof(n->channel), "%s", s);
  }
  if (id_member(o, "categoryId", n->category_id) != 0)
    return invalid(why, field_of(i, 3), "must be a category id or null");
  if (id_member(o, "teamId", n->team_id) != 0)
    return invalid(why, field_of(i, 4), "must be a team id or null");
  if (seconds_member(o, "targetSeconds", 1, &n->target_ms) != 0)
    return invalid(why, field_of(i, 5),
                   "must be a whole number of seconds from 1 to 31622400");
  s = json_string_value(json_object_get(o, "clock"));
  if (s == NULL || (strcmp(s, "business") != 0 && strcmp(s, "calendar") != 0))
    return invalid(why, field_of(i, 6), "must be \"business\" or \"calendar\"");
  n->business = strcmp(s, "business") == 0;
  if (json_object_get(o, "warnSeconds") == NULL)
    n->warn_ms = n->target_ms / 5;
  else if (seconds_member(o, "warnSeconds", 0, &n->warn_ms) != 0 ||
           n->warn_ms > n->target_ms)
    return invalid(why, field_of(i, 7),
                   "must be a whole number of seconds, at most the target");
  return 0;
}

int lk_norms_from_json(lk_norms *ns, const json_t *doc, lk_invalid *why) {
  const json_t *cal, *list, *v;
  const char *key, *field, *reason;
  size_t i;
  int rc;

  memset(ns, 0, sizeof(*ns));
  lk_cal_default(&ns->cal);
  if (!json_is_object(doc))
    return invalid(why, "", "must be an object");
  json_object_foreach((json_t *)doc, key, v) {
    if (strcmp(key, "calendar") != 0 && strcmp(key, "norms") != 0 &&
        strcmp(key, "version") != 0)
      return invalid(why, "", "members are calendar and norms");
  }
  cal = json_object_get(doc, "calendar");
  if (cal != NULL) {
    static char cal_field[64];

    if (lk_cal_from_json(&ns->cal, cal, &field, &reason) != 0) {
      snprintf(cal_field, sizeof(cal_field), "/calendar%s", field);
      return invalid(why, cal_field, reason);
    }
  }
  list = json_object_get(doc, "norms");
  if (!json_is_array(list) || json_array_size(list) > LK_NORMS_MAX)
    return invalid(why, "/norms", "must be a list of at most 100 norms");
  json_array_foreach(list, i, v) {
    rc = norm_from_json(&ns->norms[i], v, (int)i, why);
    if (rc != 0)
      return rc;
    ns->n++;
  }
  return 0;
}

int lk_norms_parse(lk_norms *ns, const char *text) {
  json_t *doc = json_loads(text, 0, NULL);
  lk_invalid why;
  int rc;

  if (doc == NULL)
    return LK_EINVALID;
  rc = lk_norms_from_json(ns, doc, &why);
  json_decref(doc);
  return rc;
}

static void json_id(lk_buf *b, const char *key, const char *v) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (v[0] != '\0')
    lk_buf_json_str(b, v);
  else
    lk_buf_puts(b, "null");
}

void lk_norms_json(lk_buf *b, const lk_norms *ns) {
  lk_buf_puts(b, "{\"calendar\":");
  lk_cal_json(b, &ns->cal);
  lk_buf_puts(b, ",\"norms\":[");
  for (int i = 0; i < ns->n; i++) {
    const lk_norm *n = &ns->norms[i];

    lk_buf_printf(b, "%s{\"metric\":\"%s\"", i > 0 ? "," : "",
                  lk_metric_name(n->metric));
    json_id(b, "channel", n->channel);
    json_id(b, "categoryId", n->category_id);
    json_id(b, "teamId", n->team_id);
    lk_buf_printf(b,
                  ",\"targetSeconds\":%lld,\"clock\":\"%s\","
                  "\"warnSeconds\":%lld}",
                  (long long)(n->target_ms / 1000),
                  n->business ? "business" : "calendar",
                  (long long)(n->warn_ms / 1000));
  }
  lk_buf_puts(b, "]}");
}

/* True if the space-separated list `list` holds `id`. */
static bool has_word(const char *list, const char *id) {
  size_t n = strlen(id);

  for (const char *p = list; *p != '\0';) {
    size_t len = strcspn(p, " ");

    if (len == n && memcmp(p, id, n) == 0)
      return true;
    p += len;
    if (*p == ' ')
      p++;
  }
  return false;
}

const lk_norm *lk_norms_match(const lk_norms *ns, lk_metric metric,
                              const char *channel, const char *team_id,
                              const char *categories) {
  const lk_norm *best = NULL;
  int best_score = -1;

  for (int i = 0; i < ns->n; i++) {
    const lk_norm *n = &ns->norms[i];
    int score = 0;

    if (n->metric != metric)
      continue;
    if (n->channel[0] != '\0') {
      if (strcmp(n->channel, channel) != 0)
        continue;
      score += 1;
    }
    if (n->team_id[0] != '\0') {
      if (strcmp(n->team_id, team_id) != 0)
        continue;
      score += 2;
    }
    if (n->category_id[0] != '\0') {
      if (!has_word(categories, n->category_id))
        continue;
      score += 4;
    }
    if (score > best_score) {
      best = n;
      best_score = score;
    }
  }
  return best;
}

/* ---- saving --------------------------------------------------------- */

int lk_norms_save_prepare(lk_norms_op *op, const char *actor, const json_t *doc,
                          lk_invalid *why) {
  lk_buf b = LK_BUF_INIT;
  int rc;

  memset(op, 0, sizeof(*op));
  snprintf(op->actor, sizeof(op->actor), "%s", actor);
  rc = lk_norms_from_json(&op->norms, doc, why);
  if (rc != 0)
    return rc;
  lk_norms_json(&b, &op->norms);
  if (!lk_buf_ok(&b) || b.len >= sizeof(op->text)) {
    lk_buf_free(&b);
    return invalid(why, "", "is too large");
  }
  memcpy(op->text, b.data, b.len + 1);
  lk_buf_free(&b);
  return 0;
}

int lk_norms_save_apply(lk_tx *tx, void *arg) {
  lk_norms_op *op = arg;
  char payload[64];
  int rc;

  rc = lk_store_measure_config_add(tx, op->text, op->actor, &op->version);
  if (rc != 0)
    return rc;
  op->norms.version = op->version;
  snprintf(payload, sizeof(payload), "{\"version\":%lld}",
           (long long)op->version);
  rc = lk_tx_emit(tx, "norms.updated", "norms", payload);
  if (rc == 0)
    rc = lk_store_audit(tx, op->actor, "norms.updated", "norms", payload);
  return rc;
}

int lk_norms_load(lk_store *s, lk_norms *out) {
  char *text = malloc(LK_MEASURE_CONFIG_MAX);
  int64_t version = 0;
  int rc;

  if (text == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_measure_config_latest(s, &version, text, LK_MEASURE_CONFIG_MAX);
  if (rc == LK_STORE_NOTFOUND) {
    lk_norms_default(out);
    rc = 0;
  } else if (rc == 0) {
    rc = lk_norms_parse(out, text) == 0 ? 0 : LK_STORE_INVALID;
    out->version = version;
  }
  free(text);
  return rc;
}
