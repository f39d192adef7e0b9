/* fuzz_request.c - the request layer against arbitrary input.
 *
 * Input: a first line "METHOD PATH" and the rest as a request body.  The
 * path goes through the real route table, the body through the JSON body
 * parser, and every string through the escapers, whose output is checked:
 * JSON escaping must round-trip through jansson, HTML escaping must leave
 * no markup characters behind.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "http/json.h"
#include "http/router.h"
#include "util/buf.h"
#include "util/html.h"
#include "util/utf8.h"

static lk_router *router;

static void check_escapers(const char *s) {
  lk_buf b = LK_BUF_INIT;
  json_error_t err;
  json_t *v;

  lk_buf_json_str(&b, s);
  assert(lk_buf_ok(&b));
  v = json_loadb(b.data, b.len, JSON_DECODE_ANY, &err);
  assert(v != NULL && json_is_string(v));
  if (lk_utf8_valid(s, strlen(s)))
    assert(strcmp(json_string_value(v), s) == 0);
  json_decref(v);

  lk_buf_reset(&b);
  lk_html_attr(&b, s);
  assert(b.data == NULL || strpbrk(b.data, "<>\"'`") == NULL);
  assert(b.data == NULL || lk_utf8_valid(b.data, b.len));
  lk_buf_reset(&b);
  lk_html_url(&b, s);
  assert(b.data == NULL || strncasecmp(b.data, "javascript:", 11) != 0);
  lk_buf_free(&b);
}

static void walk(json_t *v, int depth) {
  const char *key;
  json_t *child;
  size_t i;

  assert(depth <= LK_JSON_MAX_DEPTH);
  if (json_is_object(v)) {
    json_object_foreach(v, key, child) {
      check_escapers(key);
      walk(child, depth + 1);
    }
  } else if (json_is_array(v)) {
    json_array_foreach(v, i, child) walk(child, depth + 1);
  } else if (json_is_string(v)) {
    check_escapers(json_string_value(v));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *nl = memchr(data, '\n', size);
  char line[512];
  char errbuf[200];
  lk_route_match m;
  size_t len;
  char *sp;
  json_t *v;

  if (router == NULL) {
    router = lk_router_new();
    lk_api_routes(router);
  }
  len = nl != NULL ? (size_t)(nl - (const char *)data) : size;
  if (len < sizeof(line)) {
    memcpy(line, data, len);
    line[len] = '\0';
    sp = strchr(line, ' ');
    if (sp != NULL) {
      *sp = '\0';
      if (lk_router_match(router, line, sp + 1, &m) == LK_ROUTE_FOUND)
        assert(m.route != NULL && m.route->handler != NULL);
    }
    check_escapers(line);
  }
  if (nl == NULL)
    return 0;
  v = lk_json_parse(nl + 1, size - len - 1, errbuf, sizeof(errbuf));
  if (v != NULL) {
    walk(v, 1);
    json_decref(v);
  }
  return 0;
}
