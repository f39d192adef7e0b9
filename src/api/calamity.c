/* calamity.c - switching the calamity mode, and the front page.
 *
 * POST {"noticeId"} switches on, DELETE off, GET tells; supervisors only
 * for the changes.  While on, GET / sends residents to the notice.
 */
#include "api/calamity.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "core/calamity.h"
#include "http/json.h"
#include "http/problem.h"
#include "http/server.h"
#include "pages/calamity.h"

struct calamity_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_calamity_op op;
};

static void respond_state(lk_req *req, int status, const char *id) {
  json_t *doc = json_pack("{s:b,s:o}", "active", id[0] != '\0', "noticeId",
                          id[0] != '\0' ? json_string(id) : json_null());
  char *s = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;

  json_decref(doc);
  if (s == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_respond(req, status, "application/json", s, strlen(s));
  free(s);
}

static void calamity_get(lk_req *req) {
  char id[LK_CALAMITY_ID_MAX];

  if (lk_api_auth(req, "api") != 0)
    return;
  if (!lk_calamity_active(lk_req_app(req)->calamity, id, sizeof(id)))
    id[0] = '\0';
  respond_state(req, 200, id);
}

static void changed(lk_req *req, int status) {
  struct calamity_ctx *ctx = lk_req_data(req);

  if (status == LK_CALAMITY_ENOTICE) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field",
                   "must be a published notice of kind calamiteit",
                   "/noticeId");
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_state(req, 200, ctx->op.notice_id);
}

static void submit(lk_req *req, const char *notice_id) {
  struct calamity_ctx *ctx = lk_api_data(req, sizeof(*ctx), free);
  lk_invalid why;

  if (ctx == NULL)
    return;
  if (lk_calamity_prepare(&ctx->op, lk_req_actor(req), notice_id, &why) != 0) {
    lk_api_invalid(req, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_calamity_apply, &ctx->op, changed);
}

static void calamity_on(lk_req *req) {
  static const char *const allowed[] = {"noticeId", NULL};
  const char *id;
  json_t *body;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "noticeId", true, &id) != 0) {
    json_decref(body);
    return;
  }
  submit(req, id);
  json_decref(body);
}

static void calamity_off(lk_req *req) {
  if (lk_api_auth_role(req, "api", "supervisor") != 0)
    return;
  submit(req, NULL);
}

/* The front page: the calamity notice while the mode is on, else the
 * contact page with the channels open now.  Either answer may be cached
 * only briefly, so that switching the mode on reaches the front page of a
 * CDN within seconds. */
static void front_page(lk_req *req) {
  char id[LK_CALAMITY_ID_MAX], to[LK_CALAMITY_ID_MAX + 16];

  if (lk_calamity_active(lk_req_app(req)->calamity, id, sizeof(id))) {
    snprintf(to, sizeof(to), "/actueel/%s", id);
    lk_req_add_header(req, "Location", to);
    lk_req_add_header(req, "Cache-Control", LK_CALAMITY_CACHE_CONTROL);
  } else {
    lk_req_add_header(req, "Location", "/contact");
    lk_req_add_header(req, "Cache-Control", "public, max-age=10");
  }
  lk_req_respond(req, 303, "text/html; charset=utf-8", "", 0);
}

int lk_calamity_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/", front_page, 0},
      {"GET", "/api/v1/calamity", calamity_get, 0},
      {"POST", "/api/v1/calamity", calamity_on, 0},
      {"DELETE", "/api/v1/calamity", calamity_off, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
