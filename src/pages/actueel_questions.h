/* actueel_questions.h - residents' questions about an Actueel notice.
 *
 * The notice page carries a form (no JavaScript needed) posting to
 * /actueel/{id}/vragen; a valid question becomes a conversation on the
 * webformulier channel, tagged with the notice (store/notice_questions.h).
 * The POST is protected by a same-origin check, a double-submit token
 * (the loket_csrf cookie, path /actueel, and a hidden field) and a
 * honeypot field.
 */
#ifndef LK_PAGES_ACTUEEL_QUESTIONS_H
#define LK_PAGES_ACTUEEL_QUESTIONS_H

#include "http/router.h"
#include "util/buf.h"

/* Appends the empty question form for notice `id` to `b`.  It is the
 * same for everyone (the notice page is publicly cached), so it carries
 * no token: the first POST from a browser without one answers 403 with
 * the form again, what was typed kept, and a token to send it with. */
void lk_actueel_question_form(lk_buf *b, const char *id);

/* Registers POST /actueel/{id}/vragen. */
int lk_actueel_question_routes(lk_router *r);

#endif
