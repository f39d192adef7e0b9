/* request.c - what a handler sees of a request, and how it answers.
 *
 * Every answer goes through lk_http_queue(), which adds the request id and
 * the security headers; see server.h for the life cycle of a request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/internal.h"
#include "util/log.h"

static const char stream_csp[] = "default-src 'none'; frame-ancestors 'none'";
static const char security_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/* ---- accessors ------------------------------------------------------ */

lk_app *lk_req_app(lk_req *req) {
  return req->srv->app;
}
const char *lk_req_method(lk_req *req) {
  return req->method;
}
const char *lk_req_path(lk_req *req) {
  return req->path;
}
const char *lk_req_id(lk_req *req) {
  return req->id;
}

const char *lk_req_param(lk_req *req, const char *name) {
  return req->match != NULL ? lk_route_param_get(req->match, name) : NULL;
}

const char *lk_req_query(lk_req *req, const char *name) {
  return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *lk_req_header(lk_req *req, const char *name) {
  return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *lk_req_body(lk_req *req, size_t *len) {
  *len = req->body.len;
  return req->body.data != NULL ? req->body.data : "";
}

void lk_req_set_data(lk_req *req, void *data, void (*free_fn)(void *)) {
  if (req->data_free != NULL && req->data != NULL)
    req->data_free(req->data);
  req->data = data;
  req->data_free = free_fn;
}

void *lk_req_data(lk_req *req) {
  return req->data;
}

void lk_req_set_principal(lk_req *req, const lk_principal *p) {
  req->principal = *p;
}

const lk_principal *lk_req_principal(lk_req *req) {
  return &req->principal;
}

const char *lk_req_actor(lk_req *req) {
  return req->principal.actor;
}

void lk_req_add_header(lk_req *req, const char *name, const char *value) {
  if (req->nheaders == LK_HTTP_MAX_HEADERS)
    return;
  req->header_names[req->nheaders] = strdup(name);
  req->header_values[req->nheaders] = strdup(value);
  req->nheaders++;
  if (strcasecmp(name, "Cache-Control") == 0)
    req->cache_control_set = true;
}

/* ---- responses ------------------------------------------------------ */

static void add_standard_headers(lk_req *req, struct MHD_Response *resp) {
  MHD_add_response_header(resp, "X-Request-Id", req->id);
  /* An event stream is never a document: the short policy says all it
   * needs, and each header is kept by every open stream (15,000 of them). */
  if (req->stream_fn != NULL) {
    MHD_add_response_header(resp, "Content-Security-Policy", stream_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  } else {
    MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* Not no-referrer: under it browsers send "Origin: null" with every
     * form POST, even to the same site, and the Origin check of the forms
     * (api/session.h) would refuse them all. */
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
  }
  if (!req->cache_control_set)
    MHD_add_response_header(resp, "Cache-Control", "no-store");
  for (int i = 0; i < req->nheaders; i++) {
    if (req->header_names[i] != NULL && req->header_values[i] != NULL)
      MHD_add_response_header(resp, req->header_names[i],
                              req->header_values[i]);
  }
  if (req->close_after || atomic_load(&req->srv->app->shutting_down))
    MHD_add_response_header(resp, "Connection", "close");
}

void lk_http_queue(lk_req *req, int status, const char *content_type,
                   struct MHD_Response *resp) {
  if (resp == NULL) {
    lk_log(LK_LOG_ERROR, "cannot create response", "id", req->id, NULL);
    return;
  }
  if (content_type != NULL)
    MHD_add_response_header(resp, "Content-Type", content_type);
  add_standard_headers(req, resp);
  /* The response holds copies now; a stream would keep ours for hours. */
  for (int i = 0; i < req->nheaders; i++) {
    free(req->header_names[i]);
    free(req->header_values[i]);
    req->header_names[i] = NULL;
    req->header_values[i] = NULL;
  }
  req->nheaders = 0;
  req->status = status;
  req->responded = true;
  MHD_queue_response(req->conn, (unsigned)status, resp);
  MHD_destroy_response(resp);
}

void lk_req_respond(lk_req *req, int status, const char *content_type,
                    const char *body, size_t len) {
  lk_http_queue(req, status, content_type,
                MHD_create_response_from_buffer(len, (void *)body,
                                                MHD_RESPMEM_MUST_COPY));
}

void lk_req_respond_buf(lk_req *req, int status, const char *content_type,
                        lk_buf *b) {
  size_t len = b->len;
  char *data = lk_buf_steal(b);

  if (data == NULL) {
    lk_req_respond(req, 500, "text/plain", "out of memory\n", 14);
    return;
  }
  lk_http_queue(
      req, status, content_type,
      MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE));
}

void lk_req_respond_fd(lk_req *req, int status, const char *content_type,
                       int fd, uint64_t size) {
  struct MHD_Response *resp = MHD_create_response_from_fd((size_t)size, fd);

  if (resp == NULL)
    close(fd);
  lk_http_queue(req, status, content_type, resp);
}

/* ---- suspension ----------------------------------------------------- */

void lk_req_suspend(lk_req *req, lk_resume_fn fn) {
  req->resume_fn = fn;
  MHD_suspend_connection(req->conn);
}

void lk_req_resume(lk_req *req) {
  MHD_resume_connection(req->conn);
}
