/* mailboxes.c - /api/v1/mailboxes (see mailboxes.h).  Requests name
 * password FILES; a member called "password" is refused like any other
 * unknown member, so a password never reaches the database, a log line
 * or a response. */
#include "api/mailboxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/teams.h"
#include "core/mailbox.h"
#include "http/json.h"
#include "http/problem.h"

static void list(lk_req *req);
static void create(lk_req *req);
static void get(lk_req *req);
static void update(lk_req *req);
static void delete_mailbox(lk_req *req);

static const lk_api_route routes[] = {
    {"GET", "/api/v1/mailboxes", list, 0},
    {"POST", "/api/v1/mailboxes", create, 0},
    {"GET", "/api/v1/mailboxes/{id}", get, 0},
    {"PATCH", "/api/v1/mailboxes/{id}", update, 0},
    {"DELETE", "/api/v1/mailboxes/{id}", delete_mailbox, 0},
};

int lk_mailboxes_routes(lk_router *r) {
  return lk_api_add_routes(r, routes, sizeof(routes) / sizeof(routes[0]));
}

struct write_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_mailbox_op op;
};

static void respond(lk_req *req, int status, const lk_mailbox_row *m) {
  lk_buf b = LK_BUF_INIT;

  lk_mailbox_json(&b, m);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, status, "application/json", &b);
}

static void written(lk_req *req, int status) {
  struct write_ctx *ctx = lk_req_data(req);

  if (status == LK_STORE_NOTFOUND && ctx->op.field[0] != '\0') {
    lk_req_problem(req, 404, "not-found", "Not found", "no such team",
                   ctx->op.field);
    return;
  }
  if (status == LK_STORE_CONFLICT && strcmp(ctx->op.field, "/imapTls") == 0) {
    lk_invalid why = {.field = "/imapTls",
                      .reason = "none would send the IMAP password in "
                                "clear: only a loopback imapHost "
                                "(localhost, 127.0.0.0/8) may go without "
                                "TLS"};

    lk_api_invalid(req, &why);
    return;
  }
  if (status == LK_STORE_CONFLICT) {
    lk_req_problem(req, 409, "conflict", "Conflict",
                   ctx->op.remove
                       ? "conversations go through this mailbox; disable it "
                         "instead"
                       : "another mailbox has this address, or smtpUser has "
                         "no smtpPasswordFile",
                   NULL);
    return;
  }
  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  if (ctx->op.remove) {
    lk_req_respond(req, 204, NULL, NULL, 0);
    return;
  }
  if (ctx->op.create)
    lk_api_location(req, "mailboxes", ctx->op.row.id);
  respond(req, ctx->op.create ? 201 : 200, &ctx->op.row);
}

/* Reads the body into `in`; answers and returns -1 on a bad one. */
static int body_in(lk_req *req, json_t *body, lk_mailbox_in *in) {
  static const char *const allowed[] = {
      "teamId",   "address",           "fromName",
      "imapHost", "imapPort",          "imapTls",
      "imapUser", "imapPasswordFile",  "folder",
      "smtpHost", "smtpPort",          "smtpTls",
      "smtpUser", "smtpPasswordFile",  "pollSeconds",
      "enabled",  "trustedAuthservId", NULL};
  long long imap_port = -1, smtp_port = -1, poll = -1;
  bool present, enabled = false;

  memset(in, 0, sizeof(*in));
  if (lk_json_only(req, body, allowed) != 0 ||
      lk_json_string(req, body, "teamId", false, &in->team_id) != 0 ||
      lk_json_string(req, body, "address", false, &in->address) != 0 ||
      lk_json_string(req, body, "fromName", false, &in->from_name) != 0 ||
      lk_json_string(req, body, "imapHost", false, &in->imap_host) != 0 ||
      lk_json_int(req, body, "imapPort", false, 1, 65535, &imap_port,
                  &present) != 0 ||
      lk_json_string(req, body, "imapTls", false, &in->imap_tls) != 0 ||
      lk_json_string(req, body, "imapUser", false, &in->imap_user) != 0 ||
      lk_json_string(req, body, "imapPasswordFile", false,
                     &in->imap_password_file) != 0 ||
      lk_json_string(req, body, "folder", false, &in->folder) != 0 ||
      lk_json_string(req, body, "smtpHost", false, &in->smtp_host) != 0 ||
      lk_json_int(req, body, "smtpPort", false, 1, 65535, &smtp_port,
                  &present) != 0 ||
      lk_json_string(req, body, "smtpTls", false, &in->smtp_tls) != 0 ||
      lk_json_string(req, body, "smtpUser", false, &in->smtp_user) != 0 ||
      lk_json_string(req, body, "smtpPasswordFile", false,
                     &in->smtp_password_file) != 0 ||
      lk_json_int(req, body, "pollSeconds", false, LK_MAILBOX_POLL_MIN,
                  LK_MAILBOX_POLL_MAX, &poll, &present) != 0 ||
      lk_json_bool(req, body, "enabled", &enabled, &present) != 0 ||
      lk_json_string(req, body, "trustedAuthservId", false, &in->authserv_id) !=
          0)
    return -1;
  in->imap_port = (long)imap_port;
  in->smtp_port = (long)smtp_port;
  in->poll_seconds = (long)poll;
  in->enabled = present ? (enabled ? 1 : 0) : -1;
  return 0;
}

static void create(lk_req *req) {
  struct write_ctx *ctx;
  lk_mailbox_in in;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (body_in(req, body, &in) != 0) {
    json_decref(body);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_mailbox_create_prepare(&ctx->op, lk_req_actor(req), &in, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_mailbox_apply, &ctx->op, written);
}

static void update(lk_req *req) {
  struct write_ctx *ctx;
  lk_mailbox_in in;
  lk_invalid why;
  json_t *body;
  int rc;

  if (lk_api_auth(req, "admin") != 0 || lk_req_json(req, &body) != 0)
    return;
  if (body_in(req, body, &in) != 0) {
    json_decref(body);
    return;
  }
  if (json_object_size(body) == 0) {
    json_decref(body);
    lk_req_problem(req, 422, "invalid-body", "Invalid body",
                   "give at least one field to change", NULL);
    return;
  }
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    json_decref(body);
    return;
  }
  rc = lk_mailbox_update_prepare(&ctx->op, lk_req_actor(req),
                                 lk_req_param(req, "id"), &in, &why);
  json_decref(body);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_mailbox_apply, &ctx->op, written);
}

static void delete_mailbox(lk_req *req) {
  struct write_ctx *ctx;
  lk_invalid why;
  int rc;

  if (lk_api_auth(req, "admin") != 0)
    return;
  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL)
    return;
  rc = lk_mailbox_delete_prepare(&ctx->op, lk_req_actor(req),
                                 lk_req_param(req, "id"), &why);
  if (rc != 0) {
    lk_api_prepare_failed(req, rc, &why);
    return;
  }
  lk_api_submit(req, &ctx->aw, lk_mailbox_apply, &ctx->op, written);
}

static void get(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  lk_mailbox_row m;
  int rc;

  if (lk_api_auth(req, "admin") != 0)
    return;
  if (id == NULL || strlen(id) != LK_CONV_ID_LEN) {
    lk_req_problem_store(req, LK_STORE_NOTFOUND);
    return;
  }
  rc = lk_store_mailbox_get(lk_req_app(req)->store, id, &m);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  respond(req, 200, &m);
}

struct list_ctx {
  lk_buf *b;
  int n;
  char last[LK_CONV_ID_LEN + 1];
};

static void item(const lk_mailbox_row *m, void *ud) {
  struct list_ctx *c = ud;

  if (c->n++ > 0)
    lk_buf_putc(c->b, ',');
  lk_mailbox_json(c->b, m);
  snprintf(c->last, sizeof(c->last), "%s", m->id);
}

static void list(lk_req *req) {
  const char *after = lk_req_query(req, "after");
  lk_buf b = LK_BUF_INIT;
  struct list_ctx c = {&b, 0, ""};
  int limit, rc;

  if (lk_api_auth(req, "admin") != 0 || lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_mailbox_list(lk_req_app(req)->store, after != NULL ? after : "",
                             limit, false, item, &c);
  lk_api_list_end(req, &b, rc, limit, c.last);
}
