/* contact_internal.h - what the contact pages' files share (private to
 * src/pages/contact*.c). */
#ifndef LK_PAGES_CONTACT_INTERNAL_H
#define LK_PAGES_CONTACT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/attachment.h"
#include "http/server.h"
#include "pages/contact.h"
#include "store/store.h"
#include "util/buf.h"

#define LK_CONTACT_KIOSK_HOME "/kiosk"
#define LK_STATUS_TOKEN_LEN 32 /* 192 bits in unpadded base64url */

/* Wraps `body` (taken over) in the page frame (the kiosk's when `kiosk`)
 * and answers; kiosk pages and pages with a form are never stored. */
void lk_contact_respond(lk_req *req, bool kiosk, int status, const char *title,
                        lk_buf *body, bool no_store);
/* "maandag 30 november om 08:00", "vandaag om 13:30", "morgen om 08:00"
 * in Dutch civil time, relative to `now`, in a <time> element. */
void lk_contact_when(lk_buf *b, int64_t ms, int64_t now);
/* "ongeveer 12 minuten", "minder dan een minuut", "ongeveer 3 uur". */
void lk_contact_duration(lk_buf *b, int64_t ms);

/* Handlers (contact_form.c, contact_status.c). */
void lk_contact_form_get(lk_req *req);
void lk_contact_form_post(lk_req *req);
void lk_kiosk_form_get(lk_req *req);
void lk_kiosk_form_post(lk_req *req);
void lk_contact_status_get(lk_req *req);
void lk_contact_status_post(lk_req *req);

/* The largest attachment a post can carry when its body may be
 * `max_upload` bytes: the rest is kept for the form's text fields. */
size_t lk_contact_file_max(size_t max_upload);
/* The optional "bijlage" file field of the question form and the reply
 * form: `hint` (HTML) under the label and, as a browser never keeps a
 * chosen file when a form comes back with errors, a request to choose
 * `file_name` (NULL or "": none) again; `error` or NULL. */
void lk_contact_file_field(lk_buf *b, const char *hint, const char *file_name,
                           const char *error, size_t max_upload);

/* A resident's post that may carry one attachment (the question form and
 * the reply on the status page).  Its bytes are written to disk on a
 * thread of its own, so neither the HTTP thread nor the writer waits on
 * the disk; then `apply` runs on the writer thread with `arg`.  Either
 * way `status` (0 or an LK_STORE_* code) is set and `req` resumed. */
typedef struct lk_contact_upload {
  lk_write w;
  lk_req *req;
  lk_store *store;
  int status;
  /* the attachment: bytes in the request's body */
  bool has_file;
  const char *data;
  size_t len;
  lk_attachment_op att;
  /* private */
  lk_write_fn apply;
  void *arg;
} lk_contact_upload;

/* Starts `u` (req, store and the attachment filled in); call it after
 * lk_req_suspend(), as it may resume the request before it returns. */
void lk_contact_upload_start(lk_contact_upload *u, lk_write_fn apply,
                             void *arg);

/* True if `token` has the form of a status token. */
bool lk_status_token_valid(const char *token);

#endif
