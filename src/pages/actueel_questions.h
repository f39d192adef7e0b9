/* actueel_questions.h - residents' questions about an Actueel notice.
 *
 * The notice page carries a form (no JavaScript needed) posting to
 * /actueel/{id}/vragen; a valid question becomes a conversation on the
 * webformulier channel, tagged with the notice (store/notice_questions.h).
 * The form is protected by a double-submit token (the loket_csrf cookie,
 * path /actueel, and a hidden field) and a honeypot field.
 */
#ifndef LK_PAGES_ACTUEEL_QUESTIONS_H
#define LK_PAGES_ACTUEEL_QUESTIONS_H

#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"

/* Appends the empty question form for notice `id` to `b`, setting the
 * token cookie when the browser has none.  The page must then not be
 * kept by shared caches. */
void lk_actueel_question_form(lk_req *req, lk_buf *b, const char *id);

/* Registers POST /actueel/{id}/vragen. */
int lk_actueel_question_routes(lk_router *r);

#endif
