#include "http/json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/problem.h"

static int depth_of(json_t *v, int limit) {
  int deepest = 0;
  int d;

  if (limit < 0)
    return 1;
  if (json_is_object(v)) {
    const char *key;
    json_t *child;
    json_object_foreach(v, key, child) {
      d = depth_of(child, limit - 1);
      if (d > deepest)
        deepest = d;
    }
    return deepest + 1;
  }
  if (json_is_array(v)) {
    size_t i;
    json_t *child;
    json_array_foreach(v, i, child) {
      d = depth_of(child, limit - 1);
      if (d > deepest)
        deepest = d;
    }
    return deepest + 1;
  }
  return 0;
}

json_t *lk_json_parse(const char *body, size_t len, char *err,
                      size_t err_size) {
  json_error_t je;
  json_t *v;

  if (len == 0) {
    snprintf(err, err_size, "the request body is empty");
    return NULL;
  }
  v = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
  if (v == NULL) {
    snprintf(err, err_size, "%s at line %d, column %d (byte %d)", je.text,
             je.line, je.column, je.position);
    return NULL;
  }
  /* jansson stops at depth 2048; our documents are far shallower and a
   * deep one is an attack on whoever walks it recursively. */
  if (depth_of(v, LK_JSON_MAX_DEPTH + 1) > LK_JSON_MAX_DEPTH) {
    json_decref(v);
    snprintf(err, err_size, "nesting is deeper than %d levels",
             LK_JSON_MAX_DEPTH);
    return NULL;
  }
  return v;
}

static bool is_json_type(const char *ct) {
  const char *semi;
  size_t len;

  if (ct == NULL)
    return false;
  while (*ct == ' ')
    ct++;
  semi = strchr(ct, ';');
  len = semi != NULL ? (size_t)(semi - ct) : strlen(ct);
  while (len > 0 && ct[len - 1] == ' ')
    len--;
  if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
    return true;
  /* application/merge-patch+json and friends */
  return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
         strncasecmp(ct + len - 5, "+json", 5) == 0;
}

int lk_req_json(lk_req *req, json_t **out) {
  char err[200];
  const char *body;
  size_t len;
  json_t *v;

  if (!is_json_type(lk_req_header(req, "Content-Type"))) {
    lk_req_problem(req, 415, "unsupported-media-type", "Unsupported media type",
                   "send the body as application/json", NULL);
    return -1;
  }
  body = lk_req_body(req, &len);
  v = lk_json_parse(body, len, err, sizeof(err));
  if (v == NULL) {
    lk_req_problem(req, 400, "malformed-json", "Malformed JSON", err, NULL);
    return -1;
  }
  if (!json_is_object(v)) {
    json_decref(v);
    lk_req_problem(req, 422, "invalid-body", "Invalid body",
                   "the body must be a JSON object", "");
    return -1;
  }
  *out = v;
  return 0;
}

static void pointer(char *out, size_t size, const char *key) {
  size_t n = 0;

  /* RFC 6901: ~ becomes ~0 and / becomes ~1. */
  if (size < 2)
    return;
  out[n++] = '/';
  for (; *key != '\0' && n + 3 < size; key++) {
    if (*key == '~') {
      out[n++] = '~';
      out[n++] = '0';
    } else if (*key == '/') {
      out[n++] = '~';
      out[n++] = '1';
    } else {
      out[n++] = *key;
    }
  }
  out[n] = '\0';
}

int lk_json_only(lk_req *req, json_t *obj, const char *const *allowed) {
  const char *key;
  json_t *value;
  char field[128];

  json_object_foreach(obj, key, value) {
    bool known = false;

    for (const char *const *a = allowed; *a != NULL; a++) {
      if (strcmp(*a, key) == 0) {
        known = true;
        break;
      }
    }
    if (!known) {
      pointer(field, sizeof(field), key);
      lk_req_problem(req, 422, "unknown-field", "Unknown field",
                     "this member is not part of the resource", field);
      return -1;
    }
  }
  return 0;
}

int lk_json_string(lk_req *req, json_t *obj, const char *key, bool required,
                   const char **out) {
  json_t *v = json_object_get(obj, key);
  char field[128];

  pointer(field, sizeof(field), key);
  *out = NULL;
  if (v == NULL || (json_is_null(v) && !required)) {
    if (!required)
      return 0;
    lk_req_problem(req, 422, "missing-field", "Missing field",
                   "this member is required", field);
    return -1;
  }
  if (!json_is_string(v)) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be a string", field);
    return -1;
  }
  *out = json_string_value(v);
  return 0;
}
