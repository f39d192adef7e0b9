/* contact_status.c - /contact/status/{token}: the private page where a
 * resident follows a web-form conversation and replies, without log-in.
 *
 * The token is the only credential: 192 random bits, of which only a
 * digest is stored (store/channels.h).  A malformed, unknown or expired
 * token is answered exactly like a page that does not exist.  The page
 * shows the conversation's messages to and from the resident (inbound and
 * outbound contacts; internal notes never), and a reply becomes a new
 * inbound contact of the same conversation through the conversation core.
 * Each view is a read of resident data and logged as one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/attachment.h"
#include "core/conversation.h"
#include "core/ids.h"
#include "core/text.h"
#include "http/problem.h"
#include "pages/contact_internal.h"
#include "pages/form.h"
#include "store/channels.h"
#include "util/clock.h"
#include "util/html.h"

#define ACTOR "public:status-link"
/* The form's path too: two loket_csrf cookies on one path would be
 * refused as a duplicate (http/cookie.h). */
#define CSRF_PATH "/contact"
#define MESSAGES_MAX 200
#define ATTACHMENTS_MAX 100
#define STATUS_LINK_DEFAULT_MS (90LL * 24 * 3600 * 1000)

bool lk_status_token_valid(const char *token) {
  size_t n = 0;

  if (token == NULL)
    return false;
  for (; token[n] != '\0'; n++) {
    char c = token[n];

    if (n == LK_STATUS_TOKEN_LEN ||
        !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return n == LK_STATUS_TOKEN_LEN;
}

static void caller_of(lk_req *req, lk_conv_caller *c) {
  memset(c, 0, sizeof(*c));
  snprintf(c->actor, sizeof(c->actor), "%s", ACTOR);
  snprintf(c->request_id, sizeof(c->request_id), "%s", lk_req_id(req));
  /* The link holder is the resident: a conversation made confidential by
   * their own geheimhouding is still theirs to read. */
  c->may_confidential = true;
}

/* The conversation of the path's token, or 404 answered (-1). */
static int resolve(lk_req *req, char digest[65], lk_conv_row *conv) {
  const char *token = lk_req_param(req, "token");
  char id[LK_CONV_ID_LEN + 1];
  lk_store *s = lk_req_app(req)->store;
  int rc;

  if (!lk_status_token_valid(token)) {
    lk_req_not_found(req);
    return -1;
  }
  lk_secret_hash(token, digest);
  rc = lk_store_status_link_get(s, digest, lk_clock_real_ms(), id);
  if (rc == 0)
    rc = lk_store_conv_get(s, id, true, conv);
  if (rc == LK_STORE_NOTFOUND) {
    lk_req_not_found(req);
    return -1;
  }
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return -1;
  }
  return 0;
}

/* ---- the page ---------------------------------------------------------------
 */

struct att {
  char contact_id[LK_CONV_ID_LEN + 1];
  char filename[LK_ATTACHMENT_FILENAME_MAX + 1];
  int64_t size;
};

struct view {
  lk_buf *b;
  int64_t now;
  int n;
  struct att *atts;
  int natts;
};

static void att_row(const lk_attachment_view *a, void *ud) {
  struct view *v = ud;
  struct att *t;

  if (v->natts >= ATTACHMENTS_MAX)
    return;
  t = &v->atts[v->natts++];
  snprintf(t->contact_id, sizeof(t->contact_id), "%s", a->contact_id);
  snprintf(t->filename, sizeof(t->filename), "%s", a->filename);
  t->size = a->size;
}

static void message_row(const lk_contact_row *c, void *ud) {
  struct view *v = ud;
  bool in = strcmp(c->kind, "inbound") == 0;

  if (!in && strcmp(c->kind, "outbound") != 0)
    return; /* internal notes are the staff's */
  if (c->confidential)
    return; /* marked confidential by staff: docs/chat.md */
  v->n++;
  lk_buf_printf(v->b,
                "<li class=\"loket-message loket-message--%s\">"
                "<p class=\"utrecht-paragraph loket-message__meta\">",
                in ? "in" : "out");
  lk_buf_puts(v->b, in ? "U schreef " : "De gemeente schreef ");
  lk_contact_when(v->b, c->occurred_at, v->now);
  lk_buf_puts(v->b, ":</p>\n<p class=\"utrecht-paragraph "
                    "loket-message__text\">");
  lk_html_txt(v->b, c->content);
  lk_buf_puts(v->b, "</p>\n");
  for (int i = 0; i < v->natts; i++) {
    if (strcmp(v->atts[i].contact_id, c->id) != 0)
      continue;
    lk_buf_puts(v->b, "<p class=\"utrecht-paragraph loket-message__file\">"
                      "Bijlage: ");
    lk_html_txt(v->b, v->atts[i].filename);
    lk_buf_printf(v->b, " (%" PRId64 " kB)</p>\n",
                  (v->atts[i].size + 1023) / 1024);
  }
  lk_buf_puts(v->b, "</li>\n");
}

static const char *status_label(const char *status) {
  if (strcmp(status, "resolved") == 0)
    return "Afgehandeld";
  if (strcmp(status, "pending") == 0)
    return "Wacht op uw reactie";
  return "In behandeling";
}

struct reply_form {
  const char *text;
  const char *file_name; /* chosen before, not kept */
  const char *summary, *text_error, *file_error;
};

static void reply_html(lk_req *req, lk_buf *b, const char *token,
                       const char *tok, const struct reply_form *r) {
  size_t max = lk_req_app(req)->max_upload;
  bool errors =
      r->summary != NULL || r->text_error != NULL || r->file_error != NULL;

  lk_buf_puts(b, "<section class=\"loket-reply\" aria-labelledby=\"reageren-"
                 "kop\">\n<h2 class=\"utrecht-heading-2\" id=\"reageren-"
                 "kop\">Reageren</h2>\n");
  if (errors) {
    lk_form_summary_begin(b, r->summary);
    lk_form_summary_item(b, "reactie", r->text_error);
    lk_form_summary_item(b, "bijlage", r->file_error);
    lk_form_summary_end(b);
  }
  lk_buf_puts(b, "<form class=\"utrecht-form\" method=\"post\" action=\""
                 "/contact/status/");
  lk_html_attr(b, token);
  lk_buf_puts(b, "\" enctype=\"multipart/form-data\">\n<input type=\"hidden\" "
                 "name=\"csrf\" value=\"");
  lk_html_attr(b, tok);
  lk_buf_puts(b, "\">\n");
  lk_form_field_head(b, "reactie", "Uw reactie", "Ten hoogste 5.000 tekens.",
                     r->text_error);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea class=\"");
  lk_buf_puts(b, r->text_error != NULL
                     ? "utrecht-textarea utrecht-textarea--invalid"
                     : "utrecht-textarea");
  lk_buf_puts(b, "\" id=\"reactie\" name=\"reactie\" rows=\"5\" required "
                 "maxlength=\"5000\"");
  lk_form_described(b, "reactie", true, r->text_error != NULL);
  lk_buf_putc(b, '>');
  lk_html_txt(b, r->text != NULL ? r->text : "");
  lk_buf_puts(b, "</textarea></p>\n</div>\n");
  lk_contact_file_field(b,
                        "Niet verplicht. Een PDF, afbeelding, tekstbestand of "
                        "Office-document.",
                        r->file_name, r->file_error, max);
  lk_form_honeypot(b, "reactie-website");
  lk_buf_puts(b, "<p class=\"utrecht-button-group\"><button class=\"utrecht-"
                 "button utrecht-button--primary-action utrecht-button--"
                 "submit\" type=\"submit\">Reactie versturen</button></p>\n"
                 "</form>\n</section>\n");
}

/* Renders the whole page for `conv` with the reply form `r`. */
static void show(lk_req *req, int status, const lk_conv_row *conv,
                 const struct reply_form *r, bool sent) {
  const char *token = lk_req_param(req, "token");
  lk_store *s = lk_req_app(req)->store;
  struct view v = {0};
  char tok[LK_SESSION_ID_LEN + 1];
  char resource[64];
  const char *party = conv->party_id;
  lk_conv_caller caller;
  lk_buf b = LK_BUF_INIT;
  int rc;

  caller_of(req, &caller);
  snprintf(resource, sizeof(resource), "status-link:%s", conv->id);
  /* No unlogged read of resident data. */
  rc = lk_conv_log_reads(s, &caller, resource, &party, 1);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  v.atts = calloc(ATTACHMENTS_MAX, sizeof(*v.atts));
  if (v.atts == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  v.b = &b;
  v.now = lk_clock_real_ms();
  rc = lk_store_conv_attachments(s, conv->id, 0, INT64_MAX, att_row, &v);
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Uw bericht ");
  lk_html_txt(&b, conv->reference);
  lk_buf_puts(&b, "</h1>\n");
  if (sent)
    lk_buf_puts(&b, "<div class=\"utrecht-alert utrecht-alert--ok\"><div "
                    "class=\"utrecht-alert__content\"><p class=\"utrecht-"
                    "alert__message utrecht-paragraph\" role=\"status\" "
                    "id=\"verstuurd\">Uw reactie is verstuurd.</p></div>"
                    "</div>\n");
  lk_buf_puts(&b, "<dl class=\"utrecht-data-list\">\n<div class=\"utrecht-"
                  "data-list__item\"><dt class=\"utrecht-data-list__item-"
                  "key\">Onderwerp</dt><dd class=\"utrecht-data-list__item-"
                  "value\">");
  lk_html_txt(&b, conv->subject[0] != '\0' ? conv->subject : "-");
  lk_buf_puts(&b, "</dd></div>\n<div class=\"utrecht-data-list__item\"><dt "
                  "class=\"utrecht-data-list__item-key\">Status</dt><dd "
                  "class=\"utrecht-data-list__item-value\" id=\"status\">");
  lk_buf_puts(&b, status_label(conv->status));
  lk_buf_puts(&b, "</dd></div>\n<div class=\"utrecht-data-list__item\"><dt "
                  "class=\"utrecht-data-list__item-key\">Ingediend</dt><dd "
                  "class=\"utrecht-data-list__item-value\">");
  lk_contact_when(&b, conv->created_at, v.now);
  lk_buf_puts(&b, "</dd></div>\n</dl>\n<h2 class=\"utrecht-heading-2\">"
                  "Berichten</h2>\n<ol class=\"loket-messages\" "
                  "id=\"berichten\">\n");
  if (rc >= 0)
    rc = lk_store_conv_timeline(s, conv->id, true, 0, MESSAGES_MAX, message_row,
                                &v);
  lk_buf_puts(&b, "</ol>\n");
  free(v.atts);
  if (rc < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  if (rc == MESSAGES_MAX)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Alleen de eerste "
                    "berichten staan hier. Bel ons voor de rest.</p>\n");
  lk_form_token(req, CSRF_PATH, tok, false);
  reply_html(req, &b, token, tok, r);
  lk_req_add_header(req, "X-Robots-Tag", "noindex");
  lk_contact_respond(req, false, status,
                     r->summary != NULL || r->text_error != NULL ||
                             r->file_error != NULL
                         ? "Fout: Uw bericht"
                         : "Uw bericht",
                     &b, true);
}

void lk_contact_status_get(lk_req *req) {
  struct reply_form r = {0};
  const char *sent = lk_req_query(req, "verstuurd");
  lk_conv_row conv;
  char digest[65];

  if (resolve(req, digest, &conv) != 0)
    return;
  show(req, 200, &conv, &r, sent != NULL && strcmp(sent, "1") == 0);
}

/* ---- the reply
 * ----------------------------------------------------------------- */

struct reply {
  lk_contact_upload up;
  int64_t link_ms;
  char digest[65];
  lk_conv_message_op msg;
};

static int reply_apply(lk_tx *tx, void *arg) {
  struct reply *r = arg;
  int rc = 0;

  if (r->up.has_file)
    rc = lk_attachment_insert_apply(tx, &r->up.att);
  if (rc == 0)
    rc = lk_conv_message_apply(tx, &r->msg);
  /* In use: the link lives on. */
  if (rc == 0)
    rc = lk_store_status_link_extend(tx, r->digest, lk_tx_now(tx) + r->link_ms);
  return rc;
}

static void replied(lk_req *req) {
  struct reply *r = lk_req_data(req);
  char to[96];

  if (r->up.status == LK_STORE_NOTFOUND) {
    lk_req_not_found(req); /* the conversation went away meanwhile */
    return;
  }
  if (r->up.status != 0) {
    lk_req_problem_store(req, r->up.status);
    return;
  }
  /* Post/Redirect/Get: a reload does not send the reply twice. */
  snprintf(to, sizeof(to), "/contact/status/%s?verstuurd=1",
           lk_req_param(req, "token"));
  lk_req_add_header(req, "Location", to);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond(req, 303, "text/html; charset=utf-8", "", 0);
}

void lk_contact_status_post(lk_req *req) {
  lk_app *app = lk_req_app(req);
  struct reply_form rf = {0};
  struct reply *r;
  lk_form_body fb = {0};
  const lk_part *file = NULL;
  lk_conv_caller caller;
  lk_conv_message_in in = {0};
  lk_conv_row conv;
  lk_invalid why;
  char digest[65], csrf[32], hp[64];
  char *text;
  size_t chars;

  if (resolve(req, digest, &conv) != 0)
    return;
  text = malloc(LK_CONTACT_MESSAGE_BYTES + 2);
  if (text == NULL || lk_form_body_open(req, &fb) != 0) {
    free(text);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_value(&fb, "reactie", text, LK_CONTACT_MESSAGE_BYTES + 2);
  lk_form_value(&fb, "csrf", csrf, sizeof(csrf));
  lk_form_value(&fb, "website", hp, sizeof(hp));
  lk_form_unix_newlines(text);
  file = lk_form_file(&fb, "bijlage");
  rf.text = text;
  rf.file_name = file != NULL ? file->filename : NULL;
  if (!fb.ok || !lk_form_token_ok(req, csrf)) {
    rf.summary = "Controleer uw reactie en klik nogmaals op Reactie "
                 "versturen.";
    show(req, 403, &conv, &rf, false);
    goto out;
  }
  if (hp[0] != '\0') {
    show(req, 200, &conv, &(struct reply_form){0}, true);
    goto out;
  }
  r = lk_api_data(req, sizeof(*r), free);
  if (r == NULL)
    goto out;
  r->up.req = req;
  r->up.store = app->store;
  r->link_ms =
      app->status_link_ms > 0 ? app->status_link_ms : STATUS_LINK_DEFAULT_MS;
  memcpy(r->digest, digest, sizeof(r->digest));
  caller_of(req, &caller);

  chars = lk_form_chars(text);
  if (chars == 0 || text[strspn(text, " \n\t")] == '\0')
    rf.text_error = "Vul uw reactie in.";
  else if (chars > LK_CONTACT_MESSAGE_CHARS)
    rf.text_error = "Uw reactie is te lang: gebruik ten hoogste 5.000 "
                    "tekens.";
  else if (!lk_text_ok(text, LK_CONTACT_MESSAGE_BYTES, true))
    rf.text_error = "Uw reactie bevat tekens die niet zijn toegestaan.";
  if (file != NULL && file->filename[0] != '\0') {
    size_t max = app->max_upload;

    if (file->len == 0)
      rf.file_error = "Het gekozen bestand is leeg. Kies een ander bestand.";
    else if (file->len > lk_contact_file_max(max))
      rf.file_error = "Het bestand is te groot. Kies een kleiner bestand.";
    else if (lk_attachment_prepare(&r->up.att, &caller, file->type,
                                   file->filename, file->data, file->len,
                                   &why) != 0)
      rf.file_error = "Dit soort bestand kan niet mee. Kies een PDF, "
                      "afbeelding (PNG, JPEG, GIF, WebP), tekstbestand of "
                      "Office-document.";
    else {
      r->up.has_file = true;
      r->up.data = file->data;
      r->up.len = file->len;
    }
  }
  if (rf.text_error != NULL || rf.file_error != NULL) {
    show(req, 422, &conv, &rf, false);
    goto out;
  }
  in.kind = "inbound";
  in.channel = "webformulier";
  in.content = text;
  in.attachments = (const char *const[]){r->up.att.row.id};
  in.nattachments = r->up.has_file ? 1 : 0;
  if (lk_conv_message_prepare(&r->msg, &caller, conv.id, &in, &why) != 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field", why.reason,
                   why.field);
    goto out;
  }
  lk_req_suspend(req, replied);
  lk_contact_upload_start(&r->up, reply_apply, r);
out:
  lk_form_body_close(&fb);
  free(text);
}
