/* engine.c - requests on /klantinteracties/api/v1/: routing, paging,
 * expand, PUT/PATCH merging, writes and the standard's error bodies.  The
 * design is described in ki.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ki/ki.h"
#include "core/proclog.h"
#include "core/text.h"
#include "core/token.h"
#include "http/json.h"
#include "http/problem.h"

#define API_VERSION "0.9.0" /* info.version of the document we serve */

typedef struct ki_invalid {
  char name[128];
  char code[32];
  char reason[200];
} ki_invalid;

struct lk_ki {
  lk_req *req;
  const lk_ki_resource *res;
  char base[320]; /* scheme://host/klantinteracties/api/v1 */
  ki_invalid invalid[LK_KI_MAX_INVALID];
  int ninvalid;
  int depth;       /* of expand recursion */
  int quiet;       /* > 0: renders only check existence, no processing log */
  json_t *body;    /* the request body while `prepare` runs */
  lk_ki_mode mode; /* of the write in progress */
};

/* A write in flight: the engine's context outlives the handler. */
struct ki_write {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_ki c;
  lk_ki_op *op;
  void (*then)(lk_ki *c, int status, lk_ki_op *op);
};

static void ki_write_free(void *p) {
  struct ki_write *w = p;

  free(w->op);
  free(w);
}

lk_req *lk_ki_req(lk_ki *c) {
  return c->req;
}

lk_store *lk_ki_store(lk_ki *c) {
  return lk_req_app(c->req)->store;
}

void lk_ki_op_init(lk_ki *c, lk_ki_op *op) {
  snprintf(op->actor, sizeof(op->actor), "%s", lk_req_actor(c->req));
  snprintf(op->request_id, sizeof(op->request_id), "%s", lk_req_id(c->req));
}

int lk_ki_invalid(lk_ki *c, const char *name, const char *code,
                  const char *reason) {
  ki_invalid *iv;

  if (c->ninvalid < LK_KI_MAX_INVALID) {
    iv = &c->invalid[c->ninvalid++];
    snprintf(iv->name, sizeof(iv->name), "%s", name);
    snprintf(iv->code, sizeof(iv->code), "%s", code);
    snprintf(iv->reason, sizeof(iv->reason), "%s", reason);
  }
  return LK_EINVALID;
}

bool lk_ki_in_body(lk_ki *c, const char *member) {
  return json_object_get(c->body, member) != NULL;
}

bool lk_ki_has_invalid(lk_ki *c) {
  return c->ninvalid > 0;
}

int lk_ki_log_read(lk_ki *c, const char *party_id) {
  if (c->quiet > 0)
    return 0;
  lk_proclog_entry e = {
      .actor = lk_req_actor(c->req),
      .party_id = party_id,
      .operation = "read",
      .activity = "klantinteracties",
      .resource = lk_req_path(c->req),
      .request_id = lk_req_id(c->req),
  };

  return lk_proclog_read(lk_ki_store(c), &e);
}

/* ---- urls ------------------------------------------------------------ */

/* A Host header is echoed into every url we build, so only the characters
 * of a host name, an IP literal and a port pass. */
static bool host_ok(const char *h) {
  size_t n = 0;

  for (; h[n] != '\0'; n++) {
    char ch = h[n];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' ||
          ch == '[' || ch == ']'))
      return false;
  }
  return n > 0 && n <= 255;
}

static void set_base(lk_ki *c) {
  const char *host = lk_req_header(c->req, "Host");

  if (host == NULL || !host_ok(host))
    host = "localhost";
  snprintf(c->base, sizeof(c->base), "http://%s" LK_KI_BASE, host);
}

json_t *lk_ki_url(lk_ki *c, const char *resource, const char *uuid) {
  char url[512];

  snprintf(url, sizeof(url), "%s/%s/%s", c->base, resource, uuid);
  return json_string(url);
}

json_t *lk_ki_ref(lk_ki *c, const char *resource, const char *uuid) {
  if (uuid == NULL || uuid[0] == '\0')
    return json_null();
  return json_pack("{s:s,s:o}", "uuid", uuid, "url",
                   lk_ki_url(c, resource, uuid));
}

json_t *lk_ki_json_text(const char *text) {
  json_t *v = NULL;

  if (text != NULL && text[0] != '\0')
    v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  if (v != NULL && json_is_object(v))
    return v;
  json_decref(v);
  return json_object();
}

json_t *lk_ki_str_or_null(const char *s) {
  return s != NULL ? json_string(s) : json_null();
}

/* Extracts the uuid from an absolute url of this API, or NULL. */
static const char *uuid_of_url(const char *url) {
  const char *slash = strrchr(url, '/');

  if (slash == NULL || strstr(url, LK_KI_BASE "/") == NULL)
    return NULL;
  return lk_uuid_valid(slash + 1) ? slash + 1 : NULL;
}

/* ---- responses ------------------------------------------------------- */

static void respond_json(lk_ki *c, int status, json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT);
  lk_buf b = LK_BUF_INIT;

  json_decref(v);
  if (text == NULL) {
    lk_req_problem_store(c->req, LK_STORE_NOMEM);
    return;
  }
  lk_buf_puts(&b, text);
  lk_buf_putc(&b, '\n');
  free(text);
  lk_req_add_header(c->req, "API-version", API_VERSION);
  lk_req_respond_buf(c->req, status, "application/json", &b);
}

/* 400 ValidatieFout with every invalid param recorded. */
static void respond_invalid(lk_ki *c) {
  json_t *params = json_array();
  json_t *body;

  for (int i = 0; i < c->ninvalid; i++)
    json_array_append_new(
        params, json_pack("{s:s,s:s,s:s}", "name", c->invalid[i].name, "code",
                          c->invalid[i].code, "reason", c->invalid[i].reason));
  body = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:o}", "type",
                   "urn:loket:problem:invalid", "code", "invalid", "title",
                   "Invalid input.", "status", 400, "detail",
                   c->ninvalid > 0 ? c->invalid[0].reason : "", "instance",
                   lk_req_path(c->req), "requestId", lk_req_id(c->req),
                   "invalidParams", params);
  if (body == NULL) {
    lk_req_problem_store(c->req, LK_STORE_NOMEM);
    return;
  }
  {
    char *text = json_dumps(body, JSON_COMPACT);
    lk_buf b = LK_BUF_INIT;

    json_decref(body);
    if (text == NULL) {
      lk_req_problem_store(c->req, LK_STORE_NOMEM);
      return;
    }
    lk_buf_puts(&b, text);
    lk_buf_putc(&b, '\n');
    free(text);
    lk_req_add_header(c->req, "API-version", API_VERSION);
    lk_req_respond_buf(c->req, 400, "application/problem+json", &b);
  }
}

static void not_found(lk_ki *c) {
  lk_req_problem(c->req, 404, "not-found", "Not found",
                 "there is no such resource", NULL);
}

static void fail(lk_ki *c, int rc) {
  if (rc == LK_EINVALID)
    respond_invalid(c);
  else if (rc == LK_STORE_NOTFOUND)
    not_found(c);
  else
    lk_req_problem_store(c->req, rc);
}

/* ---- member readers -------------------------------------------------- */

static void member_name(char *out, size_t size, const char *prefix,
                        const char *key) {
  snprintf(out, size, "%s%s", prefix != NULL ? prefix : "", key);
}

/* The member, or NULL when absent or null; 1 when absent or null. */
static json_t *member(json_t *obj, const char *key) {
  json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

  return json_is_null(v) ? NULL : v;
}

static int missing(lk_ki *c, const char *name) {
  return lk_ki_invalid(c, name, "required", "Dit veld is vereist.");
}

int lk_ki_get_string(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                     size_t max, bool required, const char **out) {
  json_t *v = member(obj, key);
  char name[128];
  char reason[96];
  const char *s;

  member_name(name, sizeof(name), prefix, key);
  *out = NULL;
  if (v == NULL)
    return required ? missing(c, name) : 0;
  if (!json_is_string(v))
    return lk_ki_invalid(c, name, "invalid", "Moet een tekst zijn.");
  s = json_string_value(v);
  if (s[0] == '\0') {
    if (required)
      return lk_ki_invalid(c, name, "blank", "Dit veld mag niet leeg zijn.");
    *out = s;
    return 0;
  }
  if (lk_ki_chars(s) > max) {
    snprintf(reason, sizeof(reason),
             "Zorg ervoor dat dit veld niet meer dan %zu tekens bevat.", max);
    return lk_ki_invalid(c, name, "max_length", reason);
  }
  if (!lk_text_ok(s, 4 * max, true))
    return lk_ki_invalid(c, name, "invalid",
                         "Moet geldige UTF-8 tekst zonder stuurtekens zijn.");
  *out = s;
  return 0;
}

int lk_ki_get_bool(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   bool required, int *out) {
  json_t *v = member(obj, key);
  char name[128];

  member_name(name, sizeof(name), prefix, key);
  *out = -1;
  if (v == NULL)
    return required ? missing(c, name) : 0;
  if (!json_is_boolean(v))
    return lk_ki_invalid(c, name, "invalid", "Moet een boolean zijn.");
  *out = json_is_true(v) ? 1 : 0;
  return 0;
}

int lk_ki_get_enum(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   const char *const *values, bool required, const char **out) {
  json_t *v = member(obj, key);
  char name[128];
  const char *s;

  member_name(name, sizeof(name), prefix, key);
  *out = NULL;
  if (v == NULL)
    return required ? missing(c, name) : 0;
  s = json_string_value(v);
  for (const char *const *p = values; s != NULL && *p != NULL; p++) {
    if (strcmp(*p, s) == 0) {
      *out = *p;
      return 0;
    }
  }
  return lk_ki_invalid(c, name, "invalid_choice", "Is geen geldige keuze.");
}

static bool date_ok(const char *s) {
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  long y;
  long m;
  long d;

  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (int i = 0; i < 10; i++) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
      return false;
  }
  y = strtol(s, NULL, 10);
  m = strtol(s + 5, NULL, 10);
  d = strtol(s + 8, NULL, 10);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
    return false;
  /* 29 February only in leap years */
  return !(m == 2 && d == 29 &&
           !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

int lk_ki_get_date(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   bool required, const char **out) {
  json_t *v = member(obj, key);
  char name[128];

  member_name(name, sizeof(name), prefix, key);
  *out = NULL;
  if (v == NULL)
    return required ? missing(c, name) : 0;
  if (!json_is_string(v) || !date_ok(json_string_value(v)))
    return lk_ki_invalid(c, name, "invalid",
                         "Datum heeft het verkeerde formaat, gebruik "
                         "YYYY-MM-DD.");
  *out = json_string_value(v);
  return 0;
}

int lk_ki_ref_uuid(lk_ki *c, json_t *v, const char *name, const char *target,
                   const char **out) {
  json_t *u = json_is_object(v) ? json_object_get(v, "uuid") : NULL;
  const char *s = json_string_value(u);
  int rc;

  *out = NULL;
  if (s == NULL && json_is_object(v)) {
    /* A reference may also name its item by url alone. */
    const char *url = json_string_value(json_object_get(v, "url"));
    if (url != NULL)
      s = uuid_of_url(url);
  }
  if (s == NULL || !lk_uuid_valid(s))
    return lk_ki_invalid(c, name, "invalid",
                         "Moet een object met een geldige uuid zijn.");
  rc = lk_ki_exists(c, target, s);
  if (rc < 0)
    return rc;
  if (rc == 0)
    return lk_ki_invalid(c, name, "does_not_exist",
                         "Het object met deze uuid bestaat niet.");
  *out = s;
  return 0;
}

int lk_ki_get_ref(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                  const char *target, bool required, const char **out) {
  json_t *v = member(obj, key);
  char name[128];

  member_name(name, sizeof(name), prefix, key);
  *out = NULL;
  if (v == NULL)
    return required ? missing(c, name) : 0;
  return lk_ki_ref_uuid(c, v, name, target, out);
}

int lk_ki_exists(lk_ki *c, const char *resource, const char *uuid) {
  const lk_ki_resource *r = lk_ki_find(resource);
  json_t *v = NULL;
  int rc;

  if (r == NULL || !lk_uuid_valid(uuid))
    return 0;
  c->quiet++;
  rc = r->render(c, uuid, &v);
  c->quiet--;
  json_decref(v);
  if (rc == LK_STORE_NOTFOUND)
    return 0;
  return rc < 0 ? rc : 1;
}

/* ---- expand ---------------------------------------------------------- */

/* The expand list: comma separated values among res->expand. */
typedef struct ki_expand {
  char text[256];
  const char *items[16];
  int n;
} ki_expand;

static int parse_expand(lk_ki *c, const char *raw, ki_expand *x) {
  char *p;

  x->n = 0;
  if (raw == NULL || raw[0] == '\0')
    return 0;
  if (c->res->expand == NULL || strlen(raw) >= sizeof(x->text))
    return lk_ki_invalid(c, "expand", "invalid_choice",
                         "Deze waarde is niet toegestaan.");
  snprintf(x->text, sizeof(x->text), "%s", raw);
  p = x->text;
  while (p != NULL && *p != '\0') {
    char *comma = strchr(p, ',');
    bool known = false;

    if (comma != NULL)
      *comma = '\0';
    for (const char *const *e = c->res->expand; *e != NULL; e++) {
      if (strcmp(*e, p) == 0)
        known = true;
    }
    if (!known || x->n == 16)
      return lk_ki_invalid(c, "expand", "invalid_choice",
                           "Deze waarde is niet toegestaan.");
    x->items[x->n++] = p;
    p = comma != NULL ? comma + 1 : NULL;
  }
  return 0;
}

static int expand_item(lk_ki *c, const lk_ki_resource *res, json_t *item,
                       const char *const *paths, int npaths);

/* Renders the item referred to by `ref` ({uuid, url}) and expands `paths`
 * in it; JSON null when it is gone or hidden. */
static int expand_one(lk_ki *c, const lk_ki_resource *target, json_t *ref,
                      const char *const *paths, int npaths, json_t **out) {
  const char *uuid = json_string_value(json_object_get(ref, "uuid"));
  json_t *v = NULL;
  int rc;

  *out = NULL;
  if (uuid == NULL)
    return 0;
  rc = target->render(c, uuid, &v);
  if (rc == LK_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return rc;
  rc = expand_item(c, target, v, paths, npaths);
  if (rc != 0) {
    json_decref(v);
    return rc;
  }
  *out = v;
  return 0;
}

static int expand_member(lk_ki *c, const lk_ki_expansion *e, json_t *item,
                         json_t *dest, const char *const *paths, int npaths) {
  const lk_ki_resource *target = lk_ki_find(e->target);
  json_t *v = json_object_get(item, e->member);
  json_t *out = NULL;
  int rc = 0;

  if (json_is_array(v)) {
    size_t i;
    json_t *ref;

    out = json_array();
    json_array_foreach(v, i, ref) {
      json_t *one = NULL;

      if (target != NULL)
        rc = expand_one(c, target, ref, paths, npaths, &one);
      if (rc != 0)
        break;
      if (one != NULL)
        json_array_append_new(out, one);
    }
  } else if (json_is_object(v) && target != NULL) {
    rc = expand_one(c, target, v, paths, npaths, &out);
  }
  if (rc != 0) {
    json_decref(out);
    return rc;
  }
  json_object_set_new(dest, e->member, out != NULL ? out : json_null());
  return 0;
}

/* Expands `paths` ("a" or "a.b") in `item` of `res`. */
static int expand_item(lk_ki *c, const lk_ki_resource *res, json_t *item,
                       const char *const *paths, int npaths) {
  json_t *dest;
  int rc;

  if (npaths == 0 || res->expansions == NULL || c->depth > 3)
    return 0;
  dest = json_object();
  c->depth++;
  for (const lk_ki_expansion *e = res->expansions; e->member != NULL; e++) {
    const char *sub[16];
    int nsub = 0;
    bool wanted = false;
    size_t len = strlen(e->member);

    for (int i = 0; i < npaths; i++) {
      if (strncmp(paths[i], e->member, len) != 0)
        continue;
      if (paths[i][len] == '\0')
        wanted = true;
      else if (paths[i][len] == '.' && nsub < 16) {
        wanted = true;
        sub[nsub++] = paths[i] + len + 1;
      }
    }
    if (!wanted)
      continue;
    rc = expand_member(c, e, item, dest, sub, nsub);
    if (rc != 0) {
      c->depth--;
      json_decref(dest);
      return rc;
    }
  }
  c->depth--;
  json_object_set_new(item, "_expand", dest);
  return 0;
}

/* ---- reads ----------------------------------------------------------- */

static bool bool_param(const char *s, const char **out) {
  if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "1") == 0)
    *out = "1";
  else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
           strcmp(s, "0") == 0)
    *out = "0";
  else
    return false;
  return true;
}

static int digits(const char *s, int n, long *out) {
  long v = 0;

  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(long y, long m, long d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t)era * 146097 + doe - 719468;
}

int lk_ki_parse_datetime(const char *s, int64_t *out) {
  long y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0, oh = 0, om = 0;
  int sign = 0;
  char date[11];
  const char *p;

  if (strlen(s) < 10)
    return -1;
  memcpy(date, s, 10);
  date[10] = '\0';
  if (!date_ok(date))
    return -1;
  digits(s, 4, &y);
  digits(s + 5, 2, &mo);
  digits(s + 8, 2, &d);
  p = s + 10;
  if (*p == 'T' || *p == 't' || *p == ' ') {
    if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
      return -1;
    p += 6;
    if (*p == ':') {
      if (digits(p + 1, 2, &sec))
        return -1;
      p += 3;
      if (*p == '.') {
        int n = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
          if (n < 3)
            ms = ms * 10 + (*p - '0');
          n++;
          p++;
        }
        if (n == 0)
          return -1;
        for (; n < 3; n++)
          ms *= 10;
      }
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      sign = *p == '+' ? 1 : -1;
      if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
        return -1;
      p += 6;
    }
  }
  if (*p != '\0' || h > 23 || mi > 59 || sec > 60)
    return -1;
  *out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
          sign * (oh * 3600 + om * 60)) *
             1000 +
         ms;
  return 0;
}

size_t lk_ki_chars(const char *s) {
  size_t n = 0;

  for (; *s != '\0'; s++) {
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  }
  return n;
}

static int parse_filters(lk_ki *c, lk_ki_query *q, char stamps[][24]) {
  int i = 0;

  for (const lk_ki_filter *f = c->res->filters; f != NULL && f->name != NULL;
       f++, i++) {
    const char *v = lk_req_query(c->req, f->name);
    const char *conv = v;
    bool ok = true;

    if (i >= 32)
      break;
    q->values[i] = NULL;
    /* As in django-filter: an empty value does not filter. */
    if (v == NULL || v[0] == '\0')
      continue;
    switch (f->type) {
    case LK_KI_F_STRING:
      ok = lk_text_ok(v, 1000, false);
      break;
    case LK_KI_F_BOOL:
      ok = bool_param(v, &conv);
      break;
    case LK_KI_F_UUID:
      ok = lk_uuid_valid(v);
      break;
    case LK_KI_F_URL:
      conv = uuid_of_url(v);
      ok = conv != NULL;
      break;
    case LK_KI_F_ENUM:
      ok = false;
      for (const char *const *e = f->values; *e != NULL; e++) {
        if (strcmp(*e, v) == 0)
          ok = true;
      }
      break;
    case LK_KI_F_DATE:
      ok = date_ok(v);
      break;
    case LK_KI_F_DATETIME: {
      int64_t ms;

      ok = lk_ki_parse_datetime(v, &ms) == 0;
      if (ok) {
        snprintf(stamps[i], 24, "%lld", (long long)ms);
        conv = stamps[i];
      }
      break;
    }
    }
    if (!ok)
      lk_ki_invalid(c, f->name, "invalid", "Voer een geldige waarde in.");
    q->values[i] = conv;
  }
  return lk_ki_has_invalid(c) ? LK_EINVALID : 0;
}

static int int_param(lk_ki *c, const char *name, int def, int min, int max,
                     int *out) {
  const char *s = lk_req_query(c->req, name);
  char *end;
  long v;

  *out = def;
  if (s == NULL || s[0] == '\0')
    return 0;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return lk_ki_invalid(c, name, "invalid", "Voer een geldig getal in.");
  *out = (int)v;
  return 0;
}

/* Appends `s` percent-encoded as a query value. */
static void put_encoded(lk_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";

  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
        *p == '~') {
      lk_buf_putc(b, (char)*p);
    } else {
      lk_buf_putc(b, '%');
      lk_buf_putc(b, hex[*p >> 4]);
      lk_buf_putc(b, hex[*p & 15]);
    }
  }
}

/* The url of page `page` with the same filters, or JSON null. */
static json_t *page_url(lk_ki *c, int page) {
  lk_buf b = LK_BUF_INIT;
  const char *v;
  char sep = '?';
  json_t *out;

  lk_buf_printf(&b, "%s/%s", c->base, c->res->name);
  for (const lk_ki_filter *f = c->res->filters; f != NULL && f->name != NULL;
       f++) {
    v = lk_req_query(c->req, f->name);
    if (v == NULL)
      continue;
    lk_buf_printf(&b, "%c%s=", sep, f->name);
    put_encoded(&b, v);
    sep = '&';
  }
  static const char *const extra[] = {"expand", "pageSize", NULL};
  for (const char *const *e = extra; *e != NULL; e++) {
    v = lk_req_query(c->req, *e);
    if (v == NULL)
      continue;
    lk_buf_printf(&b, "%c%s=", sep, *e);
    put_encoded(&b, v);
    sep = '&';
  }
  if (page > 1)
    lk_buf_printf(&b, "%cpage=%d", sep, page);
  out = lk_buf_ok(&b) ? json_string(b.data) : NULL;
  lk_buf_free(&b);
  return out;
}

static void list_items(lk_ki *c) {
  char stamps[32][24];
  lk_ki_query q = {0};
  lk_ki_page pg = {0};
  ki_expand x;
  json_t *results;
  json_t *body;
  int page;
  int size;
  int rc;

  int_param(c, "page", 1, 1, 1000000000, &page);
  int_param(c, "pageSize", LK_KI_PAGE_SIZE, 1, LK_KI_PAGE_SIZE_MAX, &size);
  parse_expand(c, lk_req_query(c->req, "expand"), &x);
  parse_filters(c, &q, stamps);
  if (lk_ki_has_invalid(c)) {
    respond_invalid(c);
    return;
  }
  q.limit = size;
  q.offset = (int64_t)(page - 1) * size;
  pg.uuids = calloc((size_t)size, sizeof(*pg.uuids));
  if (pg.uuids == NULL) {
    lk_req_problem_store(c->req, LK_STORE_NOMEM);
    return;
  }
  rc = c->res->list(c, &q, &pg);
  if (rc == 0 && pg.n == 0 && page > 1) {
    free(pg.uuids);
    lk_req_problem(c->req, 404, "not-found", "Not found", "Ongeldige pagina.",
                   NULL);
    return;
  }
  results = json_array();
  for (int i = 0; rc == 0 && i < pg.n; i++) {
    json_t *v = NULL;
    int r = c->res->render(c, pg.uuids[i], &v);

    if (r == LK_STORE_NOTFOUND)
      continue; /* deleted since the page was read */
    rc = r;
    if (rc == 0)
      rc = expand_item(c, c->res, v, x.items, x.n);
    if (rc == 0)
      json_array_append_new(results, v);
    else
      json_decref(v);
  }
  free(pg.uuids);
  if (rc != 0) {
    json_decref(results);
    fail(c, rc);
    return;
  }
  body = json_object();
  json_object_set_new(body, "count", json_integer(pg.count));
  json_object_set_new(body, "next",
                      q.offset + pg.n < pg.count ? page_url(c, page + 1)
                                                 : json_null());
  json_object_set_new(body, "previous",
                      page > 1 ? page_url(c, page - 1) : json_null());
  json_object_set_new(body, "results", results);
  respond_json(c, 200, body);
}

static void get_one(lk_ki *c, const char *uuid) {
  ki_expand x;
  json_t *v = NULL;
  int rc;

  parse_expand(c, lk_req_query(c->req, "expand"), &x);
  if (lk_ki_has_invalid(c)) {
    respond_invalid(c);
    return;
  }
  rc = c->res->render(c, uuid, &v);
  if (rc == 0)
    rc = expand_item(c, c->res, v, x.items, x.n);
  if (rc != 0) {
    json_decref(v);
    fail(c, rc);
    return;
  }
  respond_json(c, 200, v);
}

/* ---- writes ---------------------------------------------------------- */

void lk_ki_fail_write(lk_ki *c, int status, const lk_ki_op *op) {
  if (status == LK_STORE_CONFLICT && op->fail_name[0] != '\0') {
    lk_req_problem(c->req, 409, "conflict", "Conflict", op->fail_reason,
                   op->fail_name);
    return;
  }
  if (status == LK_EINVALID) {
    lk_ki_invalid(c, op->fail_name[0] ? op->fail_name : "nonFieldErrors",
                  op->fail_code[0] ? op->fail_code : "invalid",
                  op->fail_reason[0] ? op->fail_reason : "Ongeldige invoer.");
    respond_invalid(c);
    return;
  }
  fail(c, status);
}

void lk_ki_respond(lk_ki *c, int status, json_t *body) {
  if (body == NULL) {
    lk_req_problem_store(c->req, LK_STORE_NOMEM);
    return;
  }
  respond_json(c, status, body);
}

void lk_ki_fail(lk_ki *c, int rc) {
  fail(c, rc);
}

static void ki_write_free(void *p);
static void written(lk_req *req, int status);

void lk_ki_submit(lk_ki *c, lk_ki_op *op, lk_write_fn apply,
                  void (*then)(lk_ki *c, int status, lk_ki_op *op)) {
  struct ki_write *w = calloc(1, sizeof(*w));

  if (w == NULL) {
    free(op);
    lk_req_problem_store(c->req, LK_STORE_NOMEM);
    return;
  }
  w->c = *c;
  w->c.body = NULL;
  w->op = op;
  w->then = then;
  lk_req_set_data(c->req, w, ki_write_free);
  lk_api_submit(c->req, &w->aw, apply, op, written);
}

/* The Klantinteracties API is for systems: only an Authorization header
 * (a token) authenticates.  A staff session cookie must not, because
 * this API shows identifiers unmasked, without the reveal-with-reason
 * rule of the resident card. */
static int ki_auth(lk_req *req) {
  if (lk_req_header(req, "Authorization") == NULL) {
    lk_req_add_header(req, "WWW-Authenticate", "Token realm=\"loket\"");
    lk_req_problem(req, 401, "unauthenticated", "Authentication required",
                   "send an API token as Authorization: Token <token>; a "
                   "staff session does not authenticate here",
                   NULL);
    return -1;
  }
  return lk_api_auth(req, "api");
}

void lk_ki_custom(lk_req *req, void (*fn)(lk_ki *c)) {
  lk_ki *c;

  if (ki_auth(req) != 0)
    return;
  /* Heap: the context holds room for every invalid param. */
  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  c->req = req;
  set_base(c);
  fn(c);
  free(c);
}

static void written(lk_req *req, int status) {
  struct ki_write *w = lk_req_data(req);

  w->c.req = req;
  w->then(&w->c, status, w->op);
}

/* The answer to a resource's write: the item as it now is. */
static void resource_written(lk_ki *c, int status, lk_ki_op *op) {
  json_t *v = NULL;
  int rc;

  if (status != 0) {
    lk_ki_fail_write(c, status, op);
    return;
  }
  if (c->mode == LK_KI_DELETE) {
    lk_req_add_header(c->req, "API-version", API_VERSION);
    lk_req_respond(c->req, 204, NULL, "", 0);
    return;
  }
  rc = c->res->render(c, op->uuid, &v);
  if (rc != 0) {
    fail(c, rc);
    return;
  }
  if (c->mode == LK_KI_CREATE) {
    json_t *url = json_object_get(v, "url");

    if (json_is_string(url))
      lk_req_add_header(c->req, "Location", json_string_value(url));
  }
  respond_json(c, c->mode == LK_KI_CREATE ? 201 : 200, v);
}

static void write_item(lk_ki *c, lk_ki_mode mode, const char *uuid) {
  json_t *body = NULL;
  json_t *doc = NULL;
  lk_write_fn apply = NULL;
  lk_ki_op *op = NULL;
  int rc;

  if (mode != LK_KI_DELETE && lk_req_json(c->req, &body) != 0)
    return;
  if (mode == LK_KI_CREATE) {
    doc = body;
    body = NULL;
  } else {
    /* The current item: 404 if it is not there, the base of the merge. */
    rc = c->res->render(c, uuid, &doc);
    if (rc != 0) {
      json_decref(body);
      fail(c, rc);
      return;
    }
    if (mode == LK_KI_DELETE) {
      json_decref(doc);
      doc = NULL;
    }
  }
  if (mode == LK_KI_PUT) {
    for (const char *const *r = c->res->required; r != NULL && *r != NULL;
         r++) {
      if (json_object_get(body, *r) == NULL)
        missing(c, *r);
    }
  }
  if (body != NULL) {
    const char *key;
    json_t *v;

    json_object_foreach(body, key, v) {
      json_object_set(doc, key, v);
    }
  }
  if (lk_ki_has_invalid(c)) {
    json_decref(body);
    json_decref(doc);
    respond_invalid(c);
    return;
  }
  c->body = mode == LK_KI_CREATE ? doc : body;
  rc = c->res->prepare(c, mode, uuid, doc, &op, &apply);
  c->body = NULL;
  json_decref(body);
  json_decref(doc);
  if (rc == 0 && lk_ki_has_invalid(c))
    rc = LK_EINVALID;
  if (rc != 0) {
    free(op);
    fail(c, rc);
    return;
  }
  c->mode = mode;
  lk_ki_submit(c, op, apply, resource_written);
}

/* ---- the handler ----------------------------------------------------- */

static void ki_handle(lk_req *req) {
  const char *path = lk_req_path(req) + strlen(LK_KI_BASE "/");
  const char *method = lk_req_method(req);
  const char *uuid = lk_req_param(req, "uuid");
  char name[128];
  size_t len = strcspn(path, "/");
  lk_ki c = {.req = req};

  if (ki_auth(req) != 0)
    return;
  snprintf(name, sizeof(name), "%.*s", (int)len, path);
  c.res = lk_ki_find(name);
  if (c.res == NULL) {
    not_found(&c);
    return;
  }
  set_base(&c);
  if (uuid != NULL && !lk_uuid_valid(uuid)) {
    not_found(&c);
    return;
  }
  if (uuid == NULL && strcmp(method, "POST") == 0)
    write_item(&c, LK_KI_CREATE, NULL);
  else if (uuid == NULL)
    list_items(&c);
  else if (strcmp(method, "PUT") == 0)
    write_item(&c, LK_KI_PUT, uuid);
  else if (strcmp(method, "PATCH") == 0)
    write_item(&c, LK_KI_PATCH, uuid);
  else if (strcmp(method, "DELETE") == 0)
    write_item(&c, LK_KI_DELETE, uuid);
  else
    get_one(&c, uuid);
}

/* Patterns must outlive the router: one static set per resource. */
struct ki_patterns {
  char collection[96];
  char item[104];
};

extern const lk_ki_resource *const lk_ki_registry[];

int lk_ki_routes(lk_router *r) {
  static struct ki_patterns pats[32];
  static const char *const item_methods[] = {"GET", "PUT", "PATCH", "DELETE"};
  int rc = 0;
  int i = 0;

  for (const lk_ki_resource *const *res = lk_ki_registry; *res != NULL;
       res++, i++) {
    if (i == 32)
      return -ENOMEM;
    snprintf(pats[i].collection, sizeof(pats[i].collection), LK_KI_BASE "/%s",
             (*res)->name);
    snprintf(pats[i].item, sizeof(pats[i].item), LK_KI_BASE "/%s/{uuid}",
             (*res)->name);
    rc = lk_router_add(r, "GET", pats[i].collection, ki_handle, 0);
    if (rc == 0 && (*res)->prepare != NULL)
      rc = lk_router_add(r, "POST", pats[i].collection, ki_handle, 0);
    for (size_t m = 0; rc == 0 && m < 4; m++) {
      if (m > 0 && (*res)->prepare == NULL)
        break;
      rc = lk_router_add(r, item_methods[m], pats[i].item, ki_handle, 0);
    }
    if (rc != 0)
      return rc;
  }
  return 0;
}

const lk_ki_resource *lk_ki_find(const char *name) {
  for (const lk_ki_resource *const *res = lk_ki_registry; *res != NULL; res++) {
    if (strcmp((*res)->name, name) == 0)
      return *res;
  }
  return NULL;
}
