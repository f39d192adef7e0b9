/* contact.h - the resident contact pages (docs/resident-pages.md):
 *
 *   GET  /contact                 channels open now, hours, waiting time
 *   GET  /contact/formulier       the web form (question or complaint)
 *   POST /contact/formulier       multipart/form-data, checked here
 *   GET  /contact/status/{token}  the private status page of one question
 *   POST /contact/status/{token}  the resident's reply
 *   GET  /kiosk, /kiosk/formulier, POST /kiosk/formulier: the same in the
 *        kiosk frame (pages/layout.h), channel "kiosk"
 *
 * Every page works without JavaScript and shows resident text only through
 * lk_html_txt/lk_html_attr.
 *
 * The form's hook for channel switching ("Bel mij terug"): another module
 * adds buttons to the form's button group with lk_contact_form_actions()
 * (at start-up, before serving).  A button with `formaction` posts the
 * whole half-filled form to that module's route, which reads it with
 * lk_contact_form_read() and carries it along as text from
 * lk_contact_form_text().
 */
#ifndef LK_PAGES_CONTACT_H
#define LK_PAGES_CONTACT_H

#include <stdbool.h>

#include "core/contact_address.h"
#include "http/router.h"
#include "http/server.h"
#include "store/conversations.h"
#include "util/buf.h"

#define LK_CONTACT_MESSAGE_CHARS 5000
#define LK_CONTACT_MESSAGE_BYTES (LK_CONTACT_MESSAGE_CHARS * 4)

/* Registers the routes above. */
int lk_contact_routes(lk_router *r);

/* The web form as typed so far (all text as the browser sent it, the
 * message with LF newlines).  The file itself is never kept. */
typedef struct lk_contact_form {
  char kind[16];                             /* "vraag", "klacht" or "" */
  char category[LK_CONV_ID_LEN + 1];         /* a category id or "" */
  char category_name[LK_PARTY_NAME_MAX + 1]; /* filled by the form's checks */
  char message[LK_CONTACT_MESSAGE_BYTES + 1];
  char name[LK_PARTY_NAME_MAX * 2 + 1];
  char email[LK_ADDRESS_MAX * 2 + 1];
  char phone[LK_ADDRESS_MAX * 2 + 1];
  bool consent;
  char file_name[256]; /* the name of a file that was chosen, or "" */
  char csrf[32];
  char website[64]; /* the honeypot */
} lk_contact_form;

/* Reads the form fields from the request body (urlencoded or
 * multipart/form-data) into `f`.  Returns 0; -1 when the body is no form
 * (f is then empty). */
int lk_contact_form_read(lk_req *req, lk_contact_form *f);
/* Appends what was typed as plain text, one "Label: value" line per
 * field given and then the message ("Soort: Klacht\nOnderwerp: Afval\n
 * Naam: ...\n\n<message>"), for a task or a note that carries it along. */
void lk_contact_form_text(lk_buf *b, const lk_contact_form *f);

/* Appends extra buttons to the form's button group; `kiosk` says which
 * frame the form is in. */
typedef void (*lk_contact_actions_fn)(lk_buf *b, bool kiosk);
void lk_contact_form_actions(lk_contact_actions_fn fn);

#endif
