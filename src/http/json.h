/* json.h - request bodies as JSON, with limits, and field validation.
 *
 * Each function either succeeds (returns 0) or has already answered the
 * request with a precise 4xx problem naming the fault and returns -1; the
 * handler then simply returns.
 */
#ifndef LK_HTTP_JSON_H
#define LK_HTTP_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"

#define LK_JSON_MAX_DEPTH 32

/* Parses `body` of `len` bytes.  Rejects invalid UTF-8, duplicate keys,
 * NUL characters, trailing data and nesting deeper than LK_JSON_MAX_DEPTH.
 * On failure fills `err` (at least 160 bytes) with a description and
 * returns NULL.  Used by lk_req_json() and the fuzz target. */
json_t *lk_json_parse(const char *body, size_t len, char *err, size_t err_size);
/* The request body as a JSON object: 415 unless Content-Type is JSON, 400
 * for malformed JSON, 422 if it is not an object.  The caller owns *out. */
int lk_req_json(lk_req *req, json_t **out);
/* 422 if `obj` has a member not listed in `allowed` (NULL-terminated). */
int lk_json_only(lk_req *req, json_t *obj, const char *const *allowed);
/* Reads string member `key`: 422 if it has another type, or is required
 * and missing.  *out is NULL when it is optional and missing. */
int lk_json_string(lk_req *req, json_t *obj, const char *key, bool required,
                   const char **out);

#endif
