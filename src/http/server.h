/* server.h - the HTTP server: libmicrohttpd underneath, lk_req on top.
 *
 * Request life cycle
 * ------------------
 * libmicrohttpd calls us several times per request.  The first call only
 * sets up an lk_req (queueing a response there would force
 * "Connection: close" and lose keep-alive); later calls collect the body,
 * refusing it with 413 as soon as it passes the limit; the last one routes
 * the request and runs its handler.
 *
 * A handler either answers at once with one of the lk_req_respond*()
 * functions, or it suspends: it calls lk_req_suspend() with the function
 * to run later, starts its work (a store write), and returns.  Whoever
 * finishes the work calls lk_req_resume() from any thread; the resume
 * function then runs on a server thread and answers (or suspends again).
 * No server thread ever waits for the disk.
 *
 * Every response carries X-Request-Id and the security headers; every
 * finished request is counted in /metrics and written to the access log.
 */
#ifndef LK_SERVER_H
#define LK_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "http/router.h"
#include "util/buf.h"

typedef struct lk_server lk_server;
typedef struct lk_req lk_req;

typedef struct lk_server_options {
  const char *host; /* numeric IPv4 or IPv6 address */
  int port;         /* 0 picks a free port */
  int threads;      /* 0: one per core */
  bool reuseport;   /* SO_REUSEPORT: share the port with other processes */
} lk_server_options;

/* Starts listening.  Returns 0 or a negative errno; on success the bound
 * port is in *port_out (may be NULL). */
int lk_server_start(const lk_server_options *opt, lk_app *app,
                    lk_router *router, lk_server **out, int *port_out);
/* First half of a graceful stop: stops accepting connections, answers
 * new requests on open connections with 503, ends event streams and waits
 * up to `grace_ms` for the requests in flight.  Then stop the store's
 * writer (lk_store_stop: its pending writes resume their requests), call
 * lk_server_stop(), and only then free the store. */
void lk_server_drain(lk_server *srv, int grace_ms);
/* Closes every connection and frees the server.  Safe with NULL. */
void lk_server_stop(lk_server *srv);
/* Runs housekeeping once: wakes event streams due a heartbeat, flushes
 * the log.  Called every second by the process. */
void lk_server_tick(lk_server *srv);

/* ---- the request ---------------------------------------------------- */

lk_app *lk_req_app(lk_req *req);
const char *lk_req_method(lk_req *req);
const char *lk_req_path(lk_req *req);
const char *lk_req_id(lk_req *req);
/* A path parameter of the matched route, or NULL. */
const char *lk_req_param(lk_req *req, const char *name);
/* A query argument or request header, or NULL. */
const char *lk_req_query(lk_req *req, const char *name);
const char *lk_req_header(lk_req *req, const char *name);
const char *lk_req_body(lk_req *req, size_t *len);
/* Per-request storage for the handler, freed with `free_fn` (may be NULL)
 * when the request ends. */
void lk_req_set_data(lk_req *req, void *data, void (*free_fn)(void *));
void *lk_req_data(lk_req *req);
/* Who is calling, set by authentication: a system with an API token or a
 * staff member with a session. */
typedef struct lk_principal {
  char actor[48];    /* "token:tok_..." or "user:usr_...": for audit trails */
  char role[16];     /* "agent", "supervisor", "admin"; tokens: "system", or
                        "admin" with the admin scope */
  char user_id[24];  /* staff account, "" for a token */
  char actor_id[40]; /* the staff member's actor (medewerker) uuid, or "" */
  bool confidential; /* may see confidential contacts and parties */
} lk_principal;

/* Sets the caller; lk_req_actor() then returns p->actor. */
void lk_req_set_principal(lk_req *req, const lk_principal *p);
/* The caller, with every field "" and false before authentication. */
const lk_principal *lk_req_principal(lk_req *req);
/* The caller's actor string ("token:tok_..."), or "". */
const char *lk_req_actor(lk_req *req);

/* Adds a header to the response about to be sent (up to 8). */
void lk_req_add_header(lk_req *req, const char *name, const char *value);
/* Answers with `len` bytes of `body` (copied). */
void lk_req_respond(lk_req *req, int status, const char *content_type,
                    const char *body, size_t len);
/* Answers with the contents of `b`, taking them over. */
void lk_req_respond_buf(lk_req *req, int status, const char *content_type,
                        lk_buf *b);
/* Answers with the open file `fd` of `size` bytes; takes over `fd`. */
void lk_req_respond_fd(lk_req *req, int status, const char *content_type,
                       int fd, uint64_t size);

typedef void (*lk_resume_fn)(lk_req *req);
/* Suspends the connection until lk_req_resume(); then `fn` runs. */
void lk_req_suspend(lk_req *req, lk_resume_fn fn);
/* Thread-safe. */
void lk_req_resume(lk_req *req);

/* ---- streams (Server-Sent Events) ------------------------------------ */

/* Fills buf with up to `max` bytes.  Returns the number written, 0 after
 * calling lk_req_stream_pause() (nothing to send yet), or -1 to end. */
typedef long (*lk_stream_fn)(void *ud, char *buf, size_t max);

/* Answers 200 with a response of unknown length produced by `fn`;
 * `free_fn(ud)` runs when the connection ends. */
void lk_req_respond_stream(lk_req *req, const char *content_type,
                           lk_stream_fn fn, void *ud, void (*free_fn)(void *));
/* From inside an lk_stream_fn: suspend until lk_req_stream_wake(). */
void lk_req_stream_pause(lk_req *req);
/* Thread-safe: continue a paused stream (no-op if not paused). */
void lk_req_stream_wake(lk_req *req);

#endif
