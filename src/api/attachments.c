/* attachments.c - /api/v1/attachments: upload raw bytes, read them back.
 *
 * An upload is suspended while a short-lived thread writes and fsyncs the
 * blob (up to --max-attachment bytes, which must not hold an HTTP
 * thread) and then submits the row to the store writer; the commit
 * resumes the request.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/conversations.h"
#include "core/attachment.h"
#include "http/problem.h"
#include "util/log.h"

struct upload_ctx {
  lk_write w;
  lk_req *req;
  lk_store *store;
  const char *body;
  size_t len;
  int status;
  lk_attachment_op op;
};

static void upload_answer(lk_req *req) {
  struct upload_ctx *ctx = lk_req_data(req);
  lk_buf b = LK_BUF_INIT;
  char location[80];

  if (ctx->status != 0) {
    lk_req_problem_store(req, ctx->status);
    return;
  }
  snprintf(location, sizeof(location), "/api/v1/attachments/%s",
           ctx->op.row.id);
  lk_req_add_header(req, "Location", location);
  lk_attachment_json(&b, &ctx->op.row);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 201, "application/json", &b);
}

static void row_done(int status, void *arg) {
  struct upload_ctx *ctx = arg;

  ctx->status = status;
  lk_req_resume(ctx->req);
}

static int row_apply(lk_tx *tx, void *arg) {
  struct upload_ctx *ctx = arg;

  return lk_attachment_insert_apply(tx, &ctx->op);
}

static void *write_blob(void *arg) {
  struct upload_ctx *ctx = arg;
  int rc;

  rc = lk_attachment_store_blob(lk_store_dir(ctx->store), &ctx->op, ctx->body,
                                ctx->len);
  if (rc != 0) {
    lk_log(LK_LOG_ERROR, "cannot store attachment", "error", strerror(-rc),
           NULL);
    ctx->status = LK_STORE_IO;
    lk_req_resume(ctx->req);
    return NULL;
  }
  ctx->w.apply = row_apply;
  ctx->w.arg = ctx;
  ctx->w.done = row_done;
  rc = lk_store_submit(ctx->store, &ctx->w);
  if (rc != 0) {
    ctx->status = rc;
    lk_req_resume(ctx->req);
  }
  return NULL;
}

/* filename from ?filename= or Content-Disposition: ...; filename="x". */
static const char *upload_filename(lk_req *req, char *buf, size_t size) {
  const char *q = lk_req_query(req, "filename");
  const char *cd = lk_req_header(req, "Content-Disposition");
  const char *p;
  size_t n = 0;

  if (q != NULL)
    return q;
  if (cd == NULL || (p = strcasestr(cd, "filename=")) == NULL)
    return NULL;
  p += 9;
  if (*p == '"') {
    for (p++; *p != '\0' && *p != '"' && n + 1 < size; p++) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      buf[n++] = *p;
    }
  } else {
    for (; *p != '\0' && *p != ';' && *p != ' ' && n + 1 < size; p++)
      buf[n++] = *p;
  }
  buf[n] = '\0';
  return buf;
}

void lk_api_attachment_upload(lk_req *req) {
  char name[LK_ATTACHMENT_FILENAME_MAX * 2];
  struct upload_ctx *ctx;
  lk_conv_caller caller;
  lk_invalid why;
  pthread_t t;
  pthread_attr_t attr;

  if (lk_api_auth(req, "api") != 0)
    return;
  ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_req_set_data(req, ctx, free);
  lk_api_conv_caller(req, &caller);
  ctx->req = req;
  ctx->store = lk_req_app(req)->store;
  ctx->body = lk_req_body(req, &ctx->len);
  if (lk_attachment_prepare(&ctx->op, &caller,
                            lk_req_header(req, "Content-Type"),
                            upload_filename(req, name, sizeof(name)), ctx->body,
                            ctx->len, &why) != 0) {
    lk_req_problem(req, strcmp(why.field, "/mediaType") == 0 ? 415 : 422,
                   strcmp(why.field, "/mediaType") == 0
                       ? "unsupported-media-type"
                       : "invalid-field",
                   "Attachment refused", why.reason, why.field);
    return;
  }
  lk_req_suspend(req, upload_answer);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, write_blob, ctx) != 0) {
    ctx->status = LK_STORE_NOMEM;
    lk_req_resume(req);
  }
  pthread_attr_destroy(&attr);
}

void lk_api_attachment_get(lk_req *req) {
  lk_conv_caller caller;
  lk_attachment_row a;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  lk_api_conv_caller(req, &caller);
  rc = lk_attachment_open(lk_req_app(req)->store, &caller,
                          lk_req_param(req, "id"), &a, NULL);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_attachment_json(&b, &a);
  lk_buf_putc(&b, '\n');
  lk_req_respond_buf(req, 200, "application/json", &b);
}

void lk_api_attachment_content(lk_req *req) {
  lk_conv_caller caller;
  lk_attachment_row a;
  lk_buf cd = LK_BUF_INIT;
  int fd = -1;
  int rc;

  if (lk_api_auth(req, "api") != 0)
    return;
  lk_api_conv_caller(req, &caller);
  rc = lk_attachment_open(lk_req_app(req)->store, &caller,
                          lk_req_param(req, "id"), &a, &fd);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_attachment_disposition(&cd, a.filename);
  if (!lk_buf_ok(&cd)) {
    close(fd);
    lk_buf_free(&cd);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  /* Never rendered inline, never sniffed into something runnable. */
  lk_req_add_header(req, "Content-Disposition", cd.data);
  lk_req_add_header(req, "Cache-Control", "private, no-store");
  lk_buf_free(&cd);
  lk_req_respond_fd(req, 200, a.media_type, fd, (uint64_t)a.size);
}
