/* ki.h - the VNG Klantinteracties API engine (/klantinteracties/api/v1/).
 *
 * Design
 * ------
 * The standard's resources all behave alike: a collection that lists with
 * filters and pages ({count, next, previous, results}, ?page= and
 * ?pageSize=), creates with POST, and items addressed by uuid that are read,
 * replaced (PUT), changed (PATCH) and deleted.  The engine does all of that
 * once; a resource (one file each: partijen.c, digitaleadressen.c ...)
 * describes itself with an lk_ki_resource and supplies four functions:
 *
 *   render  one item as the standard's JSON object (with absolute urls),
 *   list    the uuids of one page of the collection, and the total count,
 *   prepare validate a body and build a store write (create, put, patch,
 *           delete),
 *   and the lk_write_fn that the prepared op runs in the store writer.
 *
 * PUT and PATCH share one path: the engine renders the current item,
 * replaces its top-level members by those in the body and hands the merged
 * document to `prepare`, which validates it as a whole.  PUT first checks
 * that every member in `required` is in the body (the document: "PUT
 * requires all mandatory fields ... optional fields are left unchanged").
 * Read-only members of the rendered item (url, reverse lists) are ignored
 * by `prepare`, as are unknown members (as the reference implementation
 * does).
 *
 * `expand` is generic too: a resource lists which of its members refer to
 * which resource (lk_ki_expansion); the engine reads the uuids from the
 * rendered item, renders the targets and puts them under `_expand`, nested
 * for "a.b".
 *
 * Errors follow the standard (Fout / ValidatieFout): type, code, title,
 * status, detail, instance and, for 400, invalidParams [{name, code,
 * reason}].  A malformed or unknown uuid in the path is 404; an unknown uuid
 * in a body is 400 naming the field (prepare checks with the resource's
 * exists function, and apply checks again inside the transaction).
 *
 * Threads: everything here runs on HTTP threads except the lk_write_fn.
 */
#ifndef LK_API_KI_H
#define LK_API_KI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "core/change.h"
#include "core/ids.h"
#include "store/store.h"

#define LK_KI_BASE "/klantinteracties/api/v1"
#define LK_KI_PAGE_SIZE 100     /* default pageSize (the document) */
#define LK_KI_PAGE_SIZE_MAX 500 /* largest pageSize (the document) */
#define LK_KI_MAX_INVALID 16

/* One request on the engine; resources receive it and pass it back. */
typedef struct lk_ki lk_ki;

typedef enum lk_ki_mode {
  LK_KI_CREATE,
  LK_KI_PUT,
  LK_KI_PATCH,
  LK_KI_DELETE
} lk_ki_mode;

/* Query parameter kinds, validated by the engine before `list` runs. */
typedef enum lk_ki_ftype {
  LK_KI_F_STRING,
  LK_KI_F_BOOL, /* given to `list` as "1" or "0" */
  LK_KI_F_UUID,
  LK_KI_F_URL,     /* an absolute url of this API; given as its uuid */
  LK_KI_F_ENUM,    /* one of `values` */
  LK_KI_F_DATE,    /* YYYY-MM-DD */
  LK_KI_F_DATETIME /* ISO 8601 date-time; given as Unix ms in decimal */
} lk_ki_ftype;

typedef struct lk_ki_filter {
  const char *name; /* the query parameter */
  lk_ki_ftype type;
  const char *const *values; /* LK_KI_F_ENUM: NULL-terminated */
} lk_ki_filter;

/* A member that `expand` may inline: `member` holds {uuid, url}, an array
 * of those, or null; `target` is the resource they are. */
typedef struct lk_ki_expansion {
  const char *member;
  const char *target;
} lk_ki_expansion;

/* A list request: the values of the resource's filters, in the order of
 * lk_ki_resource.filters (NULL when absent), and the page wanted. */
typedef struct lk_ki_query {
  const char *values[32];
  int64_t offset;
  int limit;
} lk_ki_query;

/* The result of `list`: the uuids of the page, and the total count. */
typedef struct lk_ki_page {
  char (*uuids)[LK_UUID_LEN + 1]; /* room for lk_ki_query.limit */
  int n;
  int64_t count;
} lk_ki_page;

/* Every op a resource prepares starts with this head (see core/change.h:
 * apply reports rules it checks in the transaction through fail_*). */
typedef lk_change lk_ki_op;

typedef struct lk_ki_resource {
  const char *name;                  /* path segment: "partijen" */
  const lk_ki_filter *filters;       /* NULL-name terminated */
  const char *const *expand;         /* allowed expand values, or NULL */
  const lk_ki_expansion *expansions; /* NULL-member terminated, or NULL */
  const char *const *required;       /* members PUT must carry */
  /* Renders item `uuid`.  Returns 0 with *out set (caller decrefs),
   * LK_STORE_NOTFOUND (also for items the caller may not see) or another
   * negative code. */
  int (*render)(lk_ki *c, const char *uuid, json_t **out);
  /* Fills `page`.  Returns 0 or a negative code. */
  int (*list)(lk_ki *c, const lk_ki_query *q, lk_ki_page *page);
  /* Validates `doc` (NULL for delete) for `uuid` (NULL for create) and
   * returns an op (malloc'd, starting with lk_ki_op) in *op and its write
   * in *apply.  Returns 0; or LK_EINVALID after lk_ki_invalid() calls; or
   * another negative code (LK_STORE_NOTFOUND, LK_STORE_CONFLICT ...). */
  int (*prepare)(lk_ki *c, lk_ki_mode mode, const char *uuid, json_t *doc,
                 lk_ki_op **op, lk_write_fn *apply);
} lk_ki_resource;

/* ---- for endpoints outside the resource pattern ----------------------- */

/* Authenticates `req` (scope api) and runs `fn` with an engine context
 * (urls, member readers, lk_ki_invalid, lk_ki_exists ...); `fn` answers
 * with lk_ki_respond/lk_ki_fail or submits with lk_ki_submit.  The
 * context lives only during `fn` (lk_ki_submit copies it). */
void lk_ki_custom(lk_req *req, void (*fn)(lk_ki *c));
/* Answers with `body` (taken over) and the API-version header. */
void lk_ki_respond(lk_ki *c, int status, json_t *body);
/* Answers a failure: LK_EINVALID as 400 with the invalid params recorded,
 * LK_STORE_NOTFOUND as 404, anything else as lk_req_problem_store(). */
void lk_ki_fail(lk_ki *c, int rc);
/* Answers the failure of a write with the fail_* of its op (400 or 409),
 * else as lk_ki_fail(). */
void lk_ki_fail_write(lk_ki *c, int status, const lk_ki_op *op);
/* Submits apply(op) (op malloc'd, taken over and freed after `then`) and
 * suspends the request; then(c, status, op) runs on a server thread once
 * it committed (status 0) or failed, and answers. */
void lk_ki_submit(lk_ki *c, lk_ki_op *op, lk_write_fn apply,
                  void (*then)(lk_ki *c, int status, lk_ki_op *op));

/* ---- for resources ------------------------------------------------- */

/* Registers the routes of every resource in the registry (registry.c).
 * Returns 0 or a negative errno. */
int lk_ki_routes(lk_router *r);
/* The resource called `name`, or NULL. */
const lk_ki_resource *lk_ki_find(const char *name);

lk_req *lk_ki_req(lk_ki *c);
lk_store *lk_ki_store(lk_ki *c);
/* Fills the head of an op: actor and request id of the caller. */
void lk_ki_op_init(lk_ki *c, lk_ki_op *op);

/* Records a validation failure of member `name` (e.g. "adres" or
 * "partijIdentificator.objectId"); `code` is machine-readable ("required",
 * "invalid", "max_length", "does_not_exist", "unique" ...).  Returns
 * LK_EINVALID so a prepare can `return lk_ki_invalid(...)`. */
int lk_ki_invalid(lk_ki *c, const char *name, const char *code,
                  const char *reason);
/* While `prepare` runs: was `member` in the request body itself (not only
 * in the current item the engine merged it into)?  Members that replace
 * sets of other items (a party's identifiers) act only when sent, so a
 * PATCH of something else never undoes a concurrent change to them. */
bool lk_ki_in_body(lk_ki *c, const char *member);
/* True once lk_ki_invalid() has been called. */
bool lk_ki_has_invalid(lk_ki *c);

/* Records the read of a resident's data (party `party_id`, may be "") in
 * the processing log.  Returns 0 or a negative code: refuse the read. */
int lk_ki_log_read(lk_ki *c, const char *party_id);

/* {"uuid": uuid, "url": <absolute url of resource/uuid>}, or JSON null
 * when `uuid` is NULL or "". */
json_t *lk_ki_ref(lk_ki *c, const char *resource, const char *uuid);
/* The absolute url of an item. */
json_t *lk_ki_url(lk_ki *c, const char *resource, const char *uuid);
/* Parses a JSON text column into an object (an empty object when empty or
 * malformed); never NULL. */
json_t *lk_ki_json_text(const char *text);
/* A string or JSON null when `s` is NULL. */
json_t *lk_ki_str_or_null(const char *s);

/* Member readers for `prepare`.  Each returns 0 with *out set (NULL/false
 * when absent or null and not required), or records the failure with
 * lk_ki_invalid() and returns LK_EINVALID.  `prefix` ("" or "a.b.") is put
 * before `key` in the invalid param's name.  Strings: at most `max` bytes
 * of text (UTF-8, no control characters except in multi-line fields);
 * empty allowed unless required. */
int lk_ki_get_string(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                     size_t max, bool required, const char **out);
int lk_ki_get_bool(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   bool required, int *out); /* -1 when absent or null */
/* One of `values`. */
int lk_ki_get_enum(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   const char *const *values, bool required, const char **out);
/* A date "YYYY-MM-DD" (or null). */
int lk_ki_get_date(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                   bool required, const char **out);
/* A reference {"uuid": ...} (or null): the uuid must name an item of
 * resource `target` (checked with exists); *out is NULL for null. */
int lk_ki_get_ref(lk_ki *c, json_t *obj, const char *prefix, const char *key,
                  const char *target, bool required, const char **out);
/* The uuid inside a reference object `v` at `name`; same checks. */
int lk_ki_ref_uuid(lk_ki *c, json_t *v, const char *name, const char *target,
                   const char **out);

/* Parses an ISO 8601 date-time ("2024-05-01T10:00:00Z", fractions and
 * offsets allowed; a date alone is midnight UTC) into Unix ms.  Returns 0
 * or -1. */
int lk_ki_parse_datetime(const char *s, int64_t *out);
/* Counts characters (UTF-8 code points) of `s`. */
size_t lk_ki_chars(const char *s);

/* Does item `uuid` of `resource` exist (and may the caller see it)?
 * Uses the resource's render.  Returns 1, 0, or a negative code. */
int lk_ki_exists(lk_ki *c, const char *resource, const char *uuid);

#endif
