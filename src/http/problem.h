/* problem.h - error responses as RFC 9457 problem details.
 *
 * Body: {"type":"urn:loket:problem:<slug>","title":..,"status":..,
 * "detail":..,"instance":<path>,"requestId":..} and, when one input is at
 * fault, "field" (a JSON Pointer such as "/name").  The slug is the stable,
 * machine-readable part; title and detail are for people.
 */
#ifndef LK_PROBLEM_H
#define LK_PROBLEM_H

#include "http/server.h"

/* `field` may be NULL. */
void lk_req_problem(lk_req *req, int status, const char *slug,
                    const char *title, const char *detail, const char *field);
void lk_req_problem_too_large(lk_req *req);
/* 404: a problem body under /api/ (and for clients that ask for JSON),
 * a Dutch HTML page elsewhere. */
void lk_req_not_found(lk_req *req);
/* Maps a store or domain error code to a fitting problem response. */
void lk_req_problem_store(lk_req *req, int err);

#endif
