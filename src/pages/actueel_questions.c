/* actueel_questions.c - the question form on /actueel/{id} and its POST.
 *
 * Errors are shown next to their fields and tied to them with
 * aria-describedby, with a summary on top linking to the fields, as on
 * /login; what was typed comes back escaped.  The question is stored
 * verbatim and never interpreted.
 */
#include "pages/actueel_questions.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h"
#include "core/contact_address.h"
#include "core/conversation.h"
#include "core/ids.h"
#include "core/session.h"
#include "core/text.h"
#include "http/cookie.h"
#include "http/problem.h"
#include "pages/form.h"
#include "pages/layout.h"
#include "store/notice_questions.h"
#include "store/notices_public.h"
#include "util/html.h"

#define ACTOR "public:actueel"
#define QUESTION_CHARS_MAX 2000
#define QUESTION_BYTES_MAX (QUESTION_CHARS_MAX * 4)
#define FIELD_MAX (QUESTION_BYTES_MAX + 1)
#define CSRF_PATH "/actueel"

/* ---- the form ----------------------------------------------------------- */

struct qform {
  const char *summary;                   /* about the whole form, or NULL */
  const char *name, *contact, *question; /* typed so far */
  const char *name_error, *contact_error, *question_error;
};

static void form_html(lk_buf *b, const char *id, const char *tok,
                      const struct qform *f) {
  bool errors = f->summary != NULL || f->name_error != NULL ||
                f->contact_error != NULL || f->question_error != NULL;

  lk_buf_puts(b, "<section class=\"loket-question\" aria-labelledby="
                 "\"vraag-kop\">\n<h2 class=\"utrecht-heading-2\" "
                 "id=\"vraag-kop\">Een vraag stellen</h2>\n");
  if (errors) {
    lk_form_summary_begin(b, f->summary);
    lk_form_summary_item(b, "vraag-naam", f->name_error);
    lk_form_summary_item(b, "vraag-contact", f->contact_error);
    lk_form_summary_item(b, "vraag-tekst", f->question_error);
    lk_form_summary_end(b);
  }
  lk_buf_puts(b, "<form class=\"utrecht-form\" method=\"post\" action=\""
                 "/actueel/");
  lk_html_attr(b, id);
  lk_buf_puts(b, "/vragen\">\n");
  if (tok != NULL) {
    lk_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    lk_html_attr(b, tok);
    lk_buf_puts(b, "\">\n");
  }

  lk_form_field_head(b, "vraag-naam", "Naam (niet verplicht)", NULL,
                     f->name_error);
  lk_form_control(b, "utrecht-textbox", f->name_error != NULL);
  lk_buf_puts(b, " id=\"vraag-naam\" "
                 "name=\"naam\" type=\"text\" autocomplete=\"name\" "
                 "maxlength=\"200\" value=\"");
  lk_html_attr(b, f->name != NULL ? f->name : "");
  lk_buf_putc(b, '"');
  lk_form_described(b, "vraag-naam", false, f->name_error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");

  lk_form_field_head(b, "vraag-contact",
                     "E-mailadres of telefoonnummer (niet "
                     "verplicht)",
                     "Vul dit in als u een antwoord wilt.", f->contact_error);
  lk_form_control(b, "utrecht-textbox", f->contact_error != NULL);
  lk_buf_puts(b, " id=\"vraag-contact\" "
                 "name=\"contact\" type=\"text\" spellcheck=\"false\" "
                 "maxlength=\"254\" value=\"");
  lk_html_attr(b, f->contact != NULL ? f->contact : "");
  lk_buf_putc(b, '"');
  lk_form_described(b, "vraag-contact", true, f->contact_error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");

  lk_form_field_head(b, "vraag-tekst", "Uw vraag", "Ten hoogste 2.000 tekens.",
                     f->question_error);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea class=\"");
  lk_buf_puts(b, f->question_error != NULL
                     ? "utrecht-textarea utrecht-textarea--invalid"
                     : "utrecht-textarea");
  lk_buf_puts(b, "\" id=\"vraag-tekst\" name=\"vraag\" rows=\"6\" required "
                 "maxlength=\"2000\"");
  lk_form_described(b, "vraag-tekst", true, f->question_error != NULL);
  lk_buf_puts(b, ">");
  lk_html_txt(b, f->question != NULL ? f->question : "");
  lk_buf_puts(b, "</textarea></p>\n</div>\n");

  /* The honeypot: hidden from people (and screen readers), filled in by
   * robots that fill in every field. */
  lk_form_honeypot(b, "vraag-website");
  lk_buf_puts(b, "<p class=\"utrecht-button-group\"><button class=\"utrecht-"
                 "button utrecht-button--primary-action utrecht-button--"
                 "submit\" type=\"submit\">Vraag versturen</button></p>\n"
                 "</form>\n</section>\n");
}

void lk_actueel_question_form(lk_buf *b, const char *id) {
  struct qform f = {0};

  form_html(b, id, NULL, &f);
}

/* ---- POST /actueel/{id}/vragen ------------------------------------------ */

struct notice_info {
  bool open;
  char title[LK_CONV_SUBJECT_MAX + 1];
};

static void notice_row(const lk_notice_pub *n, void *ud) {
  struct notice_info *ni = ud;

  ni->open = strcmp(n->status, "ended") != 0;
  snprintf(ni->title, sizeof(ni->title), "%s", n->title);
}

struct ask_ctx {
  lk_api_write aw; /* first: see lk_api_submit */
  lk_conv_create_op op;
  char notice_id[LK_UUID_LEN + 1];
  char tag_id[LK_UUID_LEN + 1];
  char title[LK_CONV_SUBJECT_MAX + 1];
};

/* lk_write_fn: the conversation and, in the same transaction, its tag. */
static int ask_apply(lk_tx *tx, void *arg) {
  struct ask_ctx *ctx = arg;
  int rc = lk_conv_create_apply(tx, &ctx->op);

  if (rc != 0)
    return rc;
  lk_uuid_new(ctx->tag_id, lk_tx_now(tx));
  return lk_store_notice_question_tag(tx, ctx->tag_id, ctx->op.contact_id,
                                      ctx->notice_id);
}

static void page(lk_req *req, int status, const char *title, lk_buf *body) {
  lk_buf b = LK_BUF_INIT;

  lk_page_begin(&b, title);
  if (lk_buf_ok(body))
    lk_buf_append(&b, body->data, body->len);
  lk_buf_free(body);
  lk_page_end(&b);
  lk_req_add_header(req, "Cache-Control", "no-store");
  lk_req_respond_buf(req, status, "text/html; charset=utf-8", &b);
}

static void back_link(lk_buf *b, const char *id) {
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                 "href=\"/actueel/");
  lk_html_attr(b, id);
  lk_buf_puts(b, "\">Terug naar de melding</a></p>\n");
}

static void received(lk_req *req, const char *id, const char *reference) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Vraag ontvangen</h1>\n"
                  "<div class=\"utrecht-alert utrecht-alert--ok\"><div "
                  "class=\"utrecht-alert__content\"><p class=\"utrecht-"
                  "alert__message utrecht-paragraph\" role=\"status\" "
                  "id=\"vraag-ontvangen\">Uw vraag is ontvangen");
  if (reference != NULL) {
    lk_buf_puts(&b, " onder nummer <strong class=\"loket-reference\">");
    lk_html_txt(&b, reference);
    lk_buf_puts(&b, "</strong>");
  }
  lk_buf_puts(&b, ".</p></div></div>\n");
  back_link(&b, id);
  page(req, 200, "Vraag ontvangen", &b);
}

static void asked(lk_req *req, int status) {
  struct ask_ctx *ctx = lk_req_data(req);

  if (status != 0) {
    lk_req_problem_store(req, status);
    return;
  }
  received(req, ctx->notice_id, ctx->op.conv.reference);
}

/* The subject "Vraag over: <title>", cut at a character boundary. */
static void subject(char *out, size_t size, const char *title) {
  static const char prefix[] = "Vraag over: ";
  size_t k = sizeof(prefix) - 1, n = strlen(title), p;

  memcpy(out, prefix, k);
  if (n > size - 1 - k) {
    n = size - 1 - k;
    /* back to the lead byte of the last character; drop it if cut */
    p = n;
    while (p > 0 && ((unsigned char)title[p] & 0xc0) == 0x80)
      p--;
    n = p;
  }
  memcpy(out + k, title, n);
  out[k + n] = '\0';
}

/* The form again with `f`'s errors and a token for this browser. */
static void form_again(lk_req *req, int status, const char *id,
                       const char *title, const struct qform *f) {
  char tok[LK_SESSION_ID_LEN + 1];
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(&b, title);
  lk_buf_puts(&b, "</h1>\n");
  back_link(&b, id);
  lk_form_token(req, CSRF_PATH, tok, false);
  form_html(&b, id, tok, f);
  page(req, status, "Fout: Een vraag stellen", &b);
}

static void ask(lk_req *req) {
  const char *id = lk_req_param(req, "id");
  struct notice_info ni = {0};
  char tok[LK_SESSION_ID_LEN + 2], hp[64];
  char name[LK_CONV_NAME_MAX * 2 + 1], contact[LK_ADDRESS_MAX * 2 + 1];
  char key[LK_ADDRESS_KEY_MAX + 1], subj[LK_CONV_SUBJECT_MAX + 1];
  char *question = NULL;
  struct qform f = {0};
  lk_form_body fb;
  lk_conv_create_in in = {0};
  lk_conv_caller caller = {0};
  struct ask_ctx *ctx;
  lk_invalid why;
  size_t chars;
  int rc;

  if (!lk_uuid_valid(id)) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_store_notice_public(lk_req_app(req)->store, id, notice_row, &ni);
  if (rc != 0 || !ni.open) {
    if (rc == 0 || rc == LK_STORE_NOTFOUND)
      lk_req_not_found(req);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  question = malloc(FIELD_MAX + 1);
  if (question == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (lk_form_body_open(req, &fb) != 0) {
    free(question);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_form_value(&fb, "csrf", tok, sizeof(tok));
  lk_form_value(&fb, "website", hp, sizeof(hp));
  lk_form_value(&fb, "naam", name, sizeof(name));
  lk_form_value(&fb, "contact", contact, sizeof(contact));
  lk_form_value(&fb, "vraag", question, FIELD_MAX + 1);
  lk_form_body_close(&fb);
  lk_form_unix_newlines(question);
  f.name = name;
  f.contact = contact;
  f.question = question;
  if (!fb.ok || !lk_form_token_ok(req, tok)) {
    /* No token yet (the notice page is the same for everyone) or a
     * forged request: nothing is stored; a person sends it again. */
    f.summary = "Controleer uw vraag en klik nogmaals op Vraag versturen.";
    form_again(req, 403, id, ni.title, &f);
    free(question);
    return;
  }
  if (hp[0] != '\0') {
    /* A robot: answered as if received, so it learns nothing. */
    free(question);
    received(req, id, NULL);
    return;
  }
  if (name[0] != '\0' && !lk_text_ok(name, LK_CONV_NAME_MAX, false))
    f.name_error = "Vul een naam in van ten hoogste 200 tekens, zonder "
                   "bijzondere tekens.";
  if (contact[0] != '\0') {
    const char *kind = strchr(contact, '@') ? "email" : "telefoonnummer";

    if (lk_address_key(kind, contact, key, sizeof(key)) != 0)
      f.contact_error = "Vul een geldig e-mailadres (zoals naam@voorbeeld.nl)"
                        " of telefoonnummer (zoals 06 12345678) in.";
    else if (kind[0] == 'e')
      in.from_email = contact;
    else
      in.from_phone = contact;
  }
  chars = lk_form_chars(question);
  if (chars == 0 || question[strspn(question, " \n\t")] == '\0')
    f.question_error = "Vul uw vraag in.";
  else if (chars > QUESTION_CHARS_MAX)
    f.question_error = "Uw vraag is te lang: gebruik ten hoogste 2.000 "
                       "tekens.";
  else if (!lk_text_ok(question, QUESTION_BYTES_MAX, true))
    f.question_error = "Uw vraag bevat tekens die niet zijn toegestaan.";
  if (f.name_error != NULL || f.contact_error != NULL ||
      f.question_error != NULL) {
    form_again(req, 422, id, ni.title, &f);
    free(question);
    return;
  }

  ctx = lk_api_data(req, sizeof(*ctx), free);
  if (ctx == NULL) {
    free(question);
    return;
  }
  snprintf(ctx->notice_id, sizeof(ctx->notice_id), "%s", id);
  subject(subj, sizeof(subj), ni.title);
  in.channel = "webformulier";
  in.subject = subj;
  in.content = question;
  in.from_name = name[0] != '\0' ? name : "Inwoner";
  snprintf(caller.actor, sizeof(caller.actor), "%s", ACTOR);
  snprintf(caller.request_id, sizeof(caller.request_id), "%s", lk_req_id(req));
  rc = lk_conv_create_prepare(&ctx->op, &caller, &in, &why);
  free(question);
  if (rc != 0) {
    lk_req_problem(req, 422, "invalid-field", "Invalid field", NULL, NULL);
    return;
  }
  lk_api_submit(req, &ctx->aw, ask_apply, ctx, asked);
}

int lk_actueel_question_routes(lk_router *r) {
  return lk_router_add(r, "POST", "/actueel/{id}/vragen", ask, 0);
}
