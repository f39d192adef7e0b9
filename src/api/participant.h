/* participant.h - the resident logged in on the participation pages, for
 * every handler under /initiatieven (and the facilitation and matching
 * pages built on them).
 *
 * Residents log in with a link mailed to them, never with a password
 * (docs/participation.md says why).  Following a link starts a resident
 * session: 128 random bits in the cookie LK_P_COOKIE ("loket_bewoner",
 * HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS), of which the table
 * p_sessions keeps only the BLAKE2b digest.  It is separate from the staff
 * cookie loket_session: a staff member and a resident are different
 * principals even in one browser, and neither cookie opens the other's
 * pages.  Sessions end at log-out, after LK_P_SESSION_IDLE_MS without a
 * request, LK_P_SESSION_ABSOLUTE_MS after log-in, and when staff disable
 * the account.
 *
 * Confirmed.  An account is confirmed once its owner followed a mailed
 * link (which proves the address).  Only a session started from a link
 * exists, so a session is normally confirmed; the flag is still part of
 * the contract because staff may create or reset accounts, and every
 * public action (publishing, following, signing up, posting, reporting)
 * must check it: use lk_participant_page_auth(req, &p, true).
 *
 * CSRF rule for resident POST forms (every state-changing request
 * authenticated by the resident cookie):
 *   1. the request is same-origin (lk_api_same_origin: Origin, or
 *      Sec-Fetch-Site, is not another site), and
 *   2. it carries the form field `csrf` equal to p.csrf, the session's
 *      token (a keyed BLAKE2b digest of the session id, compared in
 *      constant time), in a urlencoded or a multipart/form-data body.
 * Put lk_participant_csrf_field() in every such form.
 * lk_participant_page_auth() checks both for POST requests and answers
 * 403 itself; a handler that reads the body itself may instead call
 * lk_participant_csrf_ok() with the field it read.
 */
#ifndef LK_API_PARTICIPANT_H
#define LK_API_PARTICIPANT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/paccount.h"
#include "core/session.h" /* LK_CSRF_TOKEN_LEN */
#include "http/server.h"
#include "util/buf.h"

#define LK_P_COOKIE "loket_bewoner"
#define LK_P_ID_LEN 36                            /* a UUID */
#define LK_P_NAME_MAX 100                         /* display name, bytes */
#define LK_P_SESSION_IDLE_MS LK_P_IDLE_MS         /* 7 days */
#define LK_P_SESSION_ABSOLUTE_MS LK_P_ABSOLUTE_MS /* 30 days */
/* Where a resident without a session is sent (with ?next=<path>). */
#define LK_P_LOGIN_PATH "/initiatieven/inloggen"

/* The logged-in resident. */
typedef struct lk_participant {
  char account_id[LK_P_ID_LEN + 1];
  char display_name[LK_P_NAME_MAX + 1];
  bool confirmed;                   /* the e-mail address is proven */
  char csrf[LK_CSRF_TOKEN_LEN + 1]; /* for the `csrf` field of forms */
  char actor[48]; /* "p:<account_id>": audit and processing log */
} lk_participant;

#define LK_P_NONE 1 /* no (live) resident session */

/* The resident of the request's session cookie.  Returns 0 with `out`
 * filled, LK_P_NONE without a cookie or with an unknown, expired or
 * disabled session, or a negative LK_STORE_* code.  Answers nothing;
 * moves the session's last activity when due. */
int lk_participant_get(lk_req *req, lk_participant *out);

/* For pages and forms that need a resident: on success returns 0 with
 * `out` filled.  Otherwise it answers and returns -1: without a session
 * 303 to LK_P_LOGIN_PATH?next=<this path> (GET/HEAD) or a 403 page
 * (POST); with `need_confirmed` and an unconfirmed account a 403 page
 * asking to confirm the address first; for a POST that breaks the CSRF
 * rule above a 403 page. */
int lk_participant_page_auth(lk_req *req, lk_participant *out,
                             bool need_confirmed);

/* True if the request is same-origin and `given` is p's CSRF token. */
bool lk_participant_csrf_ok(lk_req *req, const lk_participant *p,
                            const char *given);
/* Appends <input type="hidden" name="csrf" value="..."> for p. */
void lk_participant_csrf_field(lk_buf *b, const lk_participant *p);

#endif
