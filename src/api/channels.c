/* channels.c - /api/v1/channels: staff read the public channels with their
 * state and waiting-time estimate; admins change them with PUT. */
#include "api/channels.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/channel.h"
#include "core/conversation.h"
#include "http/json.h"
#include "http/problem.h"
#include "util/clock.h"

/* Appends channel `r` with its state at `now`; a store error reading the
 * estimate is returned. */
static int channel_json(lk_req *req, lk_buf *b, const lk_channel_row *r,
                        int64_t now) {
  lk_calendar cal;
  lk_channel_state st;
  lk_wait w;
  int rc;

  lk_channel_calendar(r, &cal);
  lk_channel_state_at(&cal, now, &st);
  rc = lk_channel_wait(lk_req_app(req)->store, r->channel, &cal, now, &w);
  if (rc == 0)
    lk_channel_json(b, r, &cal, &st, &w);
  return rc;
}

static void channels_list(lk_req *req) {
  lk_channel_row *rows;
  lk_buf b = LK_BUF_INIT;
  int64_t now = lk_clock_real_ms();
  int n, rc = 0;

  if (lk_api_auth(req, "api") != 0)
    return;
  rows = calloc(LK_CHANNELS_MAX, sizeof(*rows));
  if (rows == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  n = lk_store_channels(lk_req_app(req)->store, rows, LK_CHANNELS_MAX);
  if (n < 0) {
    free(rows);
    lk_req_problem_store(req, n);
    return;
  }
  /* A fixed, short list (one row per channel): no cursor needed. */
  lk_buf_puts(&b, "{\"items\":[");
  for (int i = 0; i < n && rc == 0; i++) {
    if (i > 0)
      lk_buf_putc(&b, ',');
    rc = channel_json(req, &b, &rows[i], now);
  }
  lk_buf_puts(&b, "],\"next\":null}\n");
  free(rows);
  if (rc != 0 || !lk_buf_ok(&b)) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc != 0 ? rc : LK_STORE_NOMEM);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &b);
}

static void respond_channel(lk_req *req, int status, const char *channel) {
  lk_channel_row *r = malloc(sizeof(*r));
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (r == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_store_channel_get(lk_req_app(req)->store, channel, r);
  if (rc == 0)
    rc = channel_json(req, &b, r, lk_clock_real_ms());
  free(r);
  if (rc == 0 && !lk_buf_ok(&b))
    rc = LK_STORE_NOMEM;
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void channel_get(lk_req *req) {
  if (lk_api_auth(req, "api") != 0)
    return;
  respond_channel(req, 200, lk_req_param(req, "channel"));
}

struct put_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_channel_update_op op;
};

static void saved(lk_req *req, int status) {
  struct put_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  respond_channel(req, 200, ctx->op.row.channel);
}

static void channel_put(lk_req *req) {
  static const char *const allowed[] = {
      "label", "enabled", "async", "hours", "contact", "description", NULL};
  struct put_ctx *ctx;
  lk_invalid why;
  json_t *body;

  if (lk_api_auth_role(req, "api", "admin") != 0)
    return;
  if (!lk_conv_channel_valid(lk_req_param(req, "channel"))) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  if (lk_req_json(req, &body) != 0)
    return;
  if (lk_json_only(req, body, allowed) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  if (lk_channel_update_prepare(&ctx->op, lk_req_actor(req),
                                lk_req_param(req, "channel"), body,
                                &why) != 0) {
    json_decref(body);
    lk_api_invalid(req, &why);
    return;
  }
  json_decref(body);
  snprintf(ctx->op.request_id, sizeof(ctx->op.request_id), "%s",
           lk_req_id(req));
  lk_api_submit(req, &ctx->aw, lk_channel_update_apply, &ctx->op, saved);
}

int lk_channels_routes(lk_router *r) {
  static const lk_api_route routes[] = {
      {"GET", "/api/v1/channels", channels_list, 0},
      {"GET", "/api/v1/channels/{channel}", channel_get, 0},
      {"PUT", "/api/v1/channels/{channel}", channel_put, 0},
  };

  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}
