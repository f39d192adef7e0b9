/* api.h - Loket's HTTP endpoints and the helpers they share.
 *
 * Handlers turn HTTP into domain calls and back; they hold no SQL and no
 * domain rules.  Writes suspend the request until the store has committed.
 */
#ifndef LK_API_H
#define LK_API_H

#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

/* Registers every route.  Returns 0 or a negative errno. */
int lk_api_routes(lk_router *r);

/* Authenticates the request (Authorization: Bearer or Token; without that
 * header, the session cookie, see api/session.h) and checks `scope`.
 * A session must also pass the CSRF check on POST, PUT, PATCH and DELETE.
 * Returns 0, or answers 401/403 and returns -1. */
int lk_api_auth(lk_req *req, const char *scope);

/* lk_api_auth(), then checks that the caller's role is at least `role`
 * ("agent" < "supervisor" < "admin"; a token counts as an agent, or as an
 * admin when it has the admin scope).  Returns 0, or answers 403 and
 * returns -1. */
int lk_api_auth_role(lk_req *req, const char *scope, const char *role);

/* A write in progress on behalf of a request.  Embed it as the first
 * member of the request's data (lk_req_set_data). */
typedef struct lk_api_write {
  lk_write w;
  lk_req *req;
  lk_write_fn apply;
  void *op;
  int status;
  void (*then)(lk_req *req, int status);
} lk_api_write;

/* Suspends `req`, submits apply(op) to the store writer and, once it has
 * committed or failed, calls then(req, status) on a server thread.
 * lk_req_data(req) must point at `aw`. */
void lk_api_submit(lk_req *req, lk_api_write *aw, lk_write_fn apply, void *op,
                   void (*then)(lk_req *req, int status));

/* Reads ?limit= (default `def`, at most `max`).  Returns 0, or answers
 * 400 and returns -1. */
int lk_api_limit(lk_req *req, int def, int max, int *out);

/* A row of an area's route table (see lk_router_add). */
typedef struct lk_api_route {
  const char *method;
  const char *pattern;
  lk_handler_fn handler;
  int flags;
} lk_api_route;

/* Adds the `n` routes of `routes`.  Returns 0 or lk_router_add's error. */
int lk_api_add_routes(lk_router *r, const lk_api_route *routes, size_t n);

/* Ends a cursor page begun with {"items":[ in `b` (taking it over): with
 * `rc` rows listed of at most `limit`, "next" is `last` when the page is
 * full and null otherwise; a negative `rc` answers its store problem. */
void lk_api_list_end(lk_req *req, lk_buf *b, int rc, int limit,
                     const char *last);

/* Adds "Location: /api/v1/<collection>/<id>" to the response. */
void lk_api_location(lk_req *req, const char *collection, const char *id);

/* Allocates the request's data: `size` zeroed bytes, freed with `free_fn`
 * when the request ends.  Returns it, or NULL after answering 500. */
void *lk_api_data(lk_req *req, size_t size, void (*free_fn)(void *));

/* Problems for an LK_EINVALID from core (`why`, core/token.h). */
struct lk_invalid;
/* 422 invalid-field, the field as a JSON Pointer ("/name"). */
void lk_api_invalid(lk_req *req, const struct lk_invalid *why);
/* 400 invalid-parameter, for a query parameter. */
void lk_api_bad_param(lk_req *req, const struct lk_invalid *why);
/* Answers a *_prepare that failed with `rc`: an invalid "id" (the path's,
 * which then names nothing) is 404, another LK_EINVALID 422
 * (lk_api_invalid), anything else rc's store problem. */
void lk_api_prepare_failed(lk_req *req, int rc, const struct lk_invalid *why);

/* Handlers, one file each. */
void lk_api_healthz(lk_req *req);
void lk_api_readyz(lk_req *req);
void lk_api_metrics(lk_req *req);
void lk_api_events(lk_req *req);
void lk_api_tokens_list(lk_req *req);
void lk_api_tokens_create(lk_req *req);
void lk_api_tokens_get(lk_req *req);
void lk_api_tokens_revoke(lk_req *req);

#endif
