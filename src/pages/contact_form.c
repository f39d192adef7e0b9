/* contact_form.c - the web form at /contact/formulier and /kiosk/formulier.
 *
 * One multipart/form-data POST, checked here: errors stand next to their
 * fields under a summary linking to them, everything typed comes back
 * escaped, except the file, which a browser cannot be given back (the
 * page says so).  A valid form becomes a conversation through the
 * conversation core (channel webformulier, or kiosk), with the attachment
 * and a status link in the same transaction.  The attachment's bytes are
 * written and fsynced by a short-lived thread first, as for
 * POST /api/v1/attachments, so no HTTP thread waits for the disk.
 */
#include "pages/contact.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/session.h"
#include "core/attachment.h"
#include "core/contact_address.h"
#include "core/conversation.h"
#include "core/ids.h"
#include "core/text.h"
#include "http/problem.h"
#include "pages/contact_internal.h"
#include "pages/form.h"
#include "pages/layout.h"
#include "store/channels.h"
#include "util/html.h"
#include "util/log.h"

#define CATEGORIES_MAX 100
#define STATUS_LINK_DEFAULT_MS (90LL * 24 * 3600 * 1000)

static lk_contact_actions_fn actions_hook;

void lk_contact_form_actions(lk_contact_actions_fn fn) {
  actions_hook = fn;
}

/* ---- reading ------------------------------------------------------------- */

int lk_contact_form_read(lk_req *req, lk_contact_form *f) {
  lk_form_body fb;
  const lk_part *file;
  char consent[8];

  memset(f, 0, sizeof(*f));
  if (lk_form_body_open(req, &fb) != 0)
    return -1;
  if (!fb.ok) {
    lk_form_body_close(&fb);
    return -1;
  }
  lk_form_value(&fb, "soort", f->kind, sizeof(f->kind));
  lk_form_value(&fb, "categorie", f->category, sizeof(f->category));
  lk_form_value(&fb, "bericht", f->message, sizeof(f->message));
  lk_form_value(&fb, "naam", f->name, sizeof(f->name));
  lk_form_value(&fb, "email", f->email, sizeof(f->email));
  lk_form_value(&fb, "telefoon", f->phone, sizeof(f->phone));
  lk_form_value(&fb, "toestemming", consent, sizeof(consent));
  lk_form_value(&fb, "csrf", f->csrf, sizeof(f->csrf));
  lk_form_value(&fb, "website", f->website, sizeof(f->website));
  f->consent = strcmp(consent, "ja") == 0;
  file = lk_form_file(&fb, "bijlage");
  if (file != NULL && file->filename[0] != '\0')
    snprintf(f->file_name, sizeof(f->file_name), "%s", file->filename);
  lk_form_body_close(&fb);
  lk_form_unix_newlines(f->message);
  return 0;
}

static void line(lk_buf *b, const char *label, const char *value) {
  if (value == NULL || value[0] == '\0')
    return;
  lk_buf_puts(b, label);
  lk_buf_puts(b, ": ");
  lk_buf_puts(b, value);
  lk_buf_putc(b, '\n');
}

void lk_contact_form_text(lk_buf *b, const lk_contact_form *f) {
  line(b, "Soort",
       strcmp(f->kind, "klacht") == 0  ? "Klacht"
       : strcmp(f->kind, "vraag") == 0 ? "Vraag"
                                       : NULL);
  line(b, "Onderwerp",
       f->category_name[0] != '\0' ? f->category_name : f->category);
  line(b, "Naam", f->name);
  line(b, "E-mailadres", f->email);
  line(b, "Telefoonnummer", f->phone);
  line(b, "Bijlage (niet meegestuurd)", f->file_name);
  if (f->message[0] != '\0') {
    lk_buf_putc(b, '\n');
    lk_buf_puts(b, f->message);
  }
}

/* ---- rendering ------------------------------------------------------------
 */

struct errs {
  const char *summary;
  const char *kind, *category, *message, *file, *name, *email, *phone, *consent;
};

static bool any(const struct errs *e) {
  return e->summary != NULL || e->kind != NULL || e->category != NULL ||
         e->message != NULL || e->file != NULL || e->name != NULL ||
         e->email != NULL || e->phone != NULL || e->consent != NULL;
}

struct category_opts {
  lk_buf *b;
  const char *selected;
  const char *check; /* an id to look for, or NULL */
  char *name_out;    /* its name, when found */
  size_t name_size;
  int n;
};

static void category_option(const char *id, const char *name, void *ud) {
  struct category_opts *c = ud;

  c->n++;
  if (c->check != NULL) {
    if (strcmp(id, c->check) == 0)
      snprintf(c->name_out, c->name_size, "%s", name);
    return;
  }
  lk_buf_puts(c->b, "<option value=\"");
  lk_html_attr(c->b, id);
  lk_buf_putc(c->b, '"');
  if (strcmp(id, c->selected) == 0)
    lk_buf_puts(c->b, " selected");
  lk_buf_putc(c->b, '>');
  lk_html_txt(c->b, name);
  lk_buf_puts(c->b, "</option>\n");
}

static void radio(lk_buf *b, const char *value, const char *label,
                  const lk_contact_form *f, bool error) {
  lk_buf_printf(
      b,
      "<div class=\"utrecht-form-field utrecht-form-field--radio\">"
      "<p class=\"utrecht-form-field__input\"><input type=\"radio\" "
      "class=\"utrecht-radio-button utrecht-radio-button--html-input%s\" "
      "id=\"soort-%s\" name=\"soort\" value=\"%s\"%s%s>"
      "</p><p class=\"utrecht-form-field__label\"><label class=\""
      "utrecht-form-label utrecht-form-label--radio\" "
      "for=\"soort-%s\">%s</label></p></div>\n",
      error ? " utrecht-radio-button--invalid" : "", value, value,
      strcmp(f->kind, value) == 0 ? " checked" : "",
      value[0] == 'v' ? " required" : "", value, label);
}

static void text_input(lk_buf *b, const char *id, const char *name,
                       const char *type, const char *autocomplete,
                       int maxlength, const char *value, bool hint,
                       const char *error) {
  lk_form_control(b, "utrecht-textbox", error != NULL);
  lk_buf_printf(b,
                " id=\"%s\" name=\"%s\" type=\"%s\" autocomplete=\"%s\" "
                "maxlength=\"%d\" value=\"",
                id, name, type, autocomplete, maxlength);
  lk_html_attr(b, value);
  lk_buf_putc(b, '"');
  lk_form_described(b, id, hint, error != NULL);
  lk_buf_puts(b, "></p>\n</div>\n");
}

static void form_html(lk_req *req, lk_buf *b, bool kiosk, const char *tok,
                      const lk_contact_form *f, const struct errs *e) {
  struct category_opts cats = {b, f->category, NULL, NULL, 0, 0};
  lk_buf options = LK_BUF_INIT;
  size_t max = lk_req_app(req)->max_upload;
  const char *ac = kiosk ? "off" : NULL;
  int rc;

  lk_buf_puts(b, "<h1 class=\"utrecht-heading-1\">Vraag of klacht</h1>\n"
                 "<p class=\"utrecht-paragraph\">Wij beantwoorden uw vraag of "
                 "klacht zo snel mogelijk. U krijgt een nummer en een link "
                 "waarmee u het antwoord volgt en kunt reageren.</p>\n");
  if (any(e)) {
    lk_form_summary_begin(b, e->summary);
    lk_form_summary_item(b, "soort-vraag", e->kind);
    lk_form_summary_item(b, "categorie", e->category);
    lk_form_summary_item(b, "bericht", e->message);
    lk_form_summary_item(b, "bijlage", e->file);
    lk_form_summary_item(b, "naam", e->name);
    lk_form_summary_item(b, "email", e->email);
    lk_form_summary_item(b, "telefoon", e->phone);
    lk_form_summary_item(b, "toestemming", e->consent);
    lk_form_summary_end(b);
  }
  lk_buf_printf(b,
                "<form class=\"utrecht-form loket-contact-form\" method="
                "\"post\" action=\"%s\" enctype=\"multipart/form-data\"%s>\n",
                kiosk ? "/kiosk/formulier" : "/contact/formulier",
                kiosk ? " autocomplete=\"off\"" : "");
  if (tok != NULL) {
    lk_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    lk_html_attr(b, tok);
    lk_buf_puts(b, "\">\n");
  }

  /* question or complaint */
  lk_buf_puts(b, "<fieldset class=\"utrecht-form-fieldset utrecht-form-"
                 "fieldset--html-fieldset loket-fieldset\"");
  if (e->kind != NULL)
    lk_buf_puts(b, " aria-describedby=\"soort-fout\"");
  lk_buf_puts(b, ">\n<legend class=\"utrecht-form-fieldset__legend "
                 "utrecht-form-fieldset__legend--html-legend\">Wat wilt u "
                 "doen?</legend>\n");
  if (e->kind != NULL)
    lk_form_error_text(b, "soort-fout", e->kind);
  radio(b, "vraag", "Een vraag stellen", f, e->kind != NULL);
  radio(b, "klacht", "Een klacht indienen", f, e->kind != NULL);
  lk_buf_puts(b, "</fieldset>\n");

  /* category */
  cats.b = &options;
  rc = lk_store_categories_list(lk_req_app(req)->store, CATEGORIES_MAX,
                                category_option, &cats);
  if (rc > 0 && lk_buf_ok(&options)) {
    lk_form_field_head(b, "categorie", "Onderwerp (niet verplicht)", NULL,
                       e->category);
    lk_buf_printf(b,
                  "<p class=\"utrecht-form-field__input\"><select class=\""
                  "utrecht-select utrecht-select--html-select%s\" "
                  "id=\"categorie\" name=\"categorie\"",
                  e->category != NULL ? " utrecht-select--invalid" : "");
    lk_form_described(b, "categorie", false, e->category != NULL);
    lk_buf_puts(b, ">\n<option value=\"\">Kies een onderwerp</option>\n");
    lk_buf_append(b, options.data, options.len);
    lk_buf_puts(b, "</select></p>\n</div>\n");
  }
  lk_buf_free(&options);

  /* the message */
  lk_form_field_head(b, "bericht", "Uw vraag of klacht",
                     "Ten hoogste 5.000 tekens.", e->message);
  lk_buf_puts(b, "<p class=\"utrecht-form-field__input\"><textarea class=\"");
  lk_buf_puts(b, e->message != NULL
                     ? "utrecht-textarea utrecht-textarea--invalid"
                     : "utrecht-textarea");
  lk_buf_puts(b, "\" id=\"bericht\" name=\"bericht\" rows=\"8\" required "
                 "maxlength=\"5000\"");
  if (kiosk)
    lk_buf_puts(b, " autocomplete=\"off\"");
  lk_form_described(b, "bericht", true, e->message != NULL);
  lk_buf_putc(b, '>');
  lk_html_txt(b, f->message);
  lk_buf_puts(b, "</textarea></p>\n</div>\n");

  /* the attachment: not on a kiosk, which has no files of the resident */
  if (!kiosk) {
    char hint[400];

    snprintf(hint, sizeof(hint),
             "Niet verplicht. Een PDF, afbeelding (PNG, JPEG, GIF, WebP), "
             "tekstbestand of Office-document (DOCX, XLSX, ODT) van ten "
             "hoogste %zu MB.",
             lk_contact_file_max(max) >> 20);
    lk_contact_file_field(b, hint, f->file_name, e->file, max);
  }

  /* how to answer */
  lk_buf_puts(b, "<fieldset class=\"utrecht-form-fieldset utrecht-form-"
                 "fieldset--html-fieldset loket-fieldset\" aria-describedby="
                 "\"antwoord-uitleg\">\n<legend class=\"utrecht-form-fieldset"
                 "__legend utrecht-form-fieldset__legend--html-legend\">Uw "
                 "gegevens</legend>\n<p class=\"utrecht-form-field-"
                 "description\" id=\"antwoord-uitleg\">Vul een e-mailadres "
                 "of een telefoonnummer in (of allebei), zodat wij u kunnen "
                 "antwoorden.</p>\n");
  lk_form_field_head(b, "naam", "Naam (niet verplicht)", NULL, e->name);
  text_input(b, "naam", "naam", "text", ac != NULL ? ac : "name", 200, f->name,
             false, e->name);
  lk_form_field_head(b, "email", "E-mailadres", NULL, e->email);
  text_input(b, "email", "email", "email", ac != NULL ? ac : "email", 254,
             f->email, false, e->email);
  lk_form_field_head(b, "telefoon", "Telefoonnummer", NULL, e->phone);
  text_input(b, "telefoon", "telefoon", "tel", ac != NULL ? ac : "tel", 40,
             f->phone, false, e->phone);
  lk_buf_puts(b, "</fieldset>\n");

  /* consent */
  lk_buf_printf(b,
                "<div class=\"utrecht-form-field utrecht-form-field--"
                "checkbox%s\">\n",
                e->consent != NULL ? " utrecht-form-field--invalid" : "");
  if (e->consent != NULL)
    lk_form_error_text(b, "toestemming-fout", e->consent);
  lk_buf_printf(b,
                "<p class=\"utrecht-form-field__input\"><input type=\""
                "checkbox\" class=\"utrecht-checkbox%s\" id=\"toestemming\" "
                "name=\"toestemming\" "
                "value=\"ja\" required%s",
                e->consent != NULL ? " utrecht-checkbox--invalid" : "",
                f->consent ? " checked" : "");
  lk_form_described(b, "toestemming", true, e->consent != NULL);
  lk_buf_puts(b, "></p>\n<p class=\"utrecht-form-field__label\"><label "
                 "class=\"utrecht-form-label utrecht-form-label--checkbox\" "
                 "for=\"toestemming\">Ik geef toestemming om mijn gegevens "
                 "te gebruiken voor het beantwoorden van mijn vraag of "
                 "klacht.</label></p>\n<p class=\"utrecht-form-field-"
                 "description utrecht-form-field__description\" "
                 "id=\"toestemming-uitleg\">De gemeente gebruikt uw naam, "
                 "e-mailadres en telefoonnummer alleen om uw vraag of "
                 "klacht te behandelen en u te antwoorden. Wie uw gegevens "
                 "inziet, wordt vastgelegd. U kunt de gemeente vragen uw "
                 "gegevens in te zien of te verwijderen.</p>\n</div>\n");

  lk_form_honeypot(b, "contact-website");
  lk_buf_puts(b, "<p class=\"utrecht-button-group loket-form-actions\">"
                 "<button class=\"utrecht-button utrecht-button--primary-"
                 "action utrecht-button--submit\" type=\"submit\">Versturen"
                 "</button>");
  if (actions_hook != NULL)
    actions_hook(b, kiosk);
  lk_buf_puts(b, "</p>\n</form>\n");
  lk_page_script(b, "contact.js");
}

static const char *csrf_path(bool kiosk) {
  return kiosk ? LK_CONTACT_KIOSK_HOME : "/contact";
}

/* The form with `f` and its errors `e`.  The kiosk sets no cookie: it
 * keeps nothing in the browser, and its browser names its Origin. */
static void show_form(lk_req *req, bool kiosk, int status,
                      const lk_contact_form *f, const struct errs *e) {
  char tok[LK_SESSION_ID_LEN + 1];
  lk_buf b = LK_BUF_INIT;

  if (!kiosk)
    lk_form_token(req, csrf_path(kiosk), tok, false);
  form_html(req, &b, kiosk, kiosk ? NULL : tok, f, e);
  lk_contact_respond(req, kiosk, status,
                     any(e) ? "Fout: Vraag of klacht" : "Vraag of klacht", &b,
                     true);
}

static void form_get(lk_req *req, bool kiosk) {
  lk_contact_form *f = calloc(1, sizeof(*f));
  struct errs e = {0};

  if (f == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  show_form(req, kiosk, 200, f, &e);
  free(f);
}

void lk_contact_form_get(lk_req *req) {
  form_get(req, false);
}

void lk_kiosk_form_get(lk_req *req) {
  form_get(req, true);
}

/* ---- POST -------------------------------------------------------------------
 */

struct submit {
  lk_contact_upload up;
  bool kiosk;
  int64_t link_ms;
  char token[LK_STATUS_TOKEN_LEN + 1];
  char digest[65];
  lk_conv_create_op conv;
  char kind[16];
};

static void submit_free(void *p) {
  struct submit *s = p;

  if (s != NULL)
    sodium_memzero(s->token, sizeof(s->token));
  free(s);
}

/* lk_write_fn: the attachment row, the conversation (which links it and
 * writes the processing log and events) and the status link, at once. */
static int submit_apply(lk_tx *tx, void *arg) {
  struct submit *s = arg;
  int rc = 0;

  if (s->up.has_file)
    rc = lk_attachment_insert_apply(tx, &s->up.att);
  if (rc == 0)
    rc = lk_conv_create_apply(tx, &s->conv);
  if (rc == 0)
    rc = lk_store_status_link_insert(tx, s->digest, s->conv.conv.id,
                                     lk_tx_now(tx) + s->link_ms);
  return rc;
}

/* "http://host" of the request, for the link shown in full. */
static void base_url(lk_req *req, char *out, size_t size) {
  const char *host = lk_req_header(req, "Host");

  if (host == NULL || host[0] == '\0' ||
      strcspn(host, "/\\ \"<>'`") != strlen(host))
    host = "localhost";
  snprintf(out, size, "%s://%s", lk_api_secure(req) ? "https" : "http", host);
}

static void received(lk_req *req) {
  struct submit *s = lk_req_data(req);
  bool complaint = strcmp(s->kind, "klacht") == 0;
  char base[300];
  lk_buf b = LK_BUF_INIT;

  if (s->up.status != 0) {
    lk_req_problem_store(req, s->up.status);
    return;
  }
  base_url(req, base, sizeof(base));
  lk_buf_puts(
      &b, complaint ? "<h1 class=\"utrecht-heading-1\">Klacht ontvangen</h1>\n"
                    : "<h1 class=\"utrecht-heading-1\">Vraag ontvangen</h1>\n");
  lk_buf_puts(&b, "<div class=\"utrecht-alert utrecht-alert--ok\"><div "
                  "class=\"utrecht-alert__content\"><p class=\"utrecht-"
                  "alert__message utrecht-paragraph\" role=\"status\" "
                  "id=\"ontvangen\">");
  lk_buf_puts(&b, complaint ? "Uw klacht is ontvangen onder nummer "
                            : "Uw vraag is ontvangen onder nummer ");
  lk_buf_puts(&b, "<strong class=\"loket-reference\">");
  lk_html_txt(&b, s->conv.conv.reference);
  lk_buf_puts(&b, "</strong>.</p></div></div>\n");
  lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\">Uw persoonlijke link"
                  "</h2>\n<p class=\"utrecht-paragraph\">Met deze link "
                  "volgt u het antwoord en kunt u reageren, zonder in te "
                  "loggen. Bewaar hem goed: iedereen met de link kan uw "
                  "bericht en de antwoorden lezen. Wij tonen hem maar "
                  "&eacute;&eacute;n keer.</p>\n<p class=\"utrecht-paragraph "
                  "loket-status-link\">");
  if (s->kiosk) {
    /* No link out of the kiosk: the address to type in elsewhere. */
    lk_buf_puts(&b, "<code id=\"statuslink\">");
    lk_html_txt(&b, base);
    lk_buf_puts(&b, "/contact/status/");
    lk_html_txt(&b, s->token);
    lk_buf_puts(&b, "</code>");
  } else {
    lk_buf_puts(&b, "<a class=\"utrecht-link\" id=\"statuslink\" "
                    "href=\"/contact/status/");
    lk_html_attr(&b, s->token);
    lk_buf_puts(&b, "\">");
    lk_html_txt(&b, base);
    lk_buf_puts(&b, "/contact/status/");
    lk_html_txt(&b, s->token);
    lk_buf_puts(&b, "</a>");
  }
  lk_buf_puts(&b, "</p>\n");
  if (s->kiosk)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Schrijf het nummer en "
                    "de link op. Dit scherm begint vanzelf opnieuw.</p>\n");
  lk_contact_respond(req, s->kiosk, 200,
                     complaint ? "Klacht ontvangen" : "Vraag ontvangen", &b,
                     true);
}

/* The largest file the form takes: the body limit less room for text. */
static size_t file_max(lk_req *req) {
  return lk_contact_file_max(lk_req_app(req)->max_upload);
}

/* Checks `f`, filling `e`; the category's name goes to f->category_name. */
static void check(lk_req *req, lk_contact_form *f, struct errs *e) {
  char key[LK_ADDRESS_KEY_MAX + 1];
  size_t chars = lk_form_chars(f->message);

  if (strcmp(f->kind, "vraag") != 0 && strcmp(f->kind, "klacht") != 0)
    e->kind = "Kies of u een vraag wilt stellen of een klacht wilt indienen.";
  if (f->category[0] != '\0') {
    struct category_opts c = {
        NULL, "", f->category, f->category_name, sizeof(f->category_name), 0};

    f->category_name[0] = '\0';
    if (!lk_uuid_valid(f->category) ||
        lk_store_categories_list(lk_req_app(req)->store, CATEGORIES_MAX,
                                 category_option, &c) < 0 ||
        f->category_name[0] == '\0')
      e->category = "Kies een onderwerp uit de lijst.";
  }
  if (chars == 0 || f->message[strspn(f->message, " \n\t")] == '\0')
    e->message = "Vul uw vraag of klacht in.";
  else if (chars > LK_CONTACT_MESSAGE_CHARS)
    e->message = "Uw bericht is te lang: gebruik ten hoogste 5.000 tekens.";
  else if (!lk_text_ok(f->message, LK_CONTACT_MESSAGE_BYTES, true))
    e->message = "Uw bericht bevat tekens die niet zijn toegestaan.";
  if (f->name[0] != '\0' && !lk_text_ok(f->name, LK_CONV_NAME_MAX, false))
    e->name = "Vul een naam in van ten hoogste 200 tekens, zonder bijzondere "
              "tekens.";
  if (f->email[0] != '\0' &&
      lk_address_key("email", f->email, key, sizeof(key)) != 0)
    e->email = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.";
  if (f->phone[0] != '\0' &&
      lk_address_key("telefoonnummer", f->phone, key, sizeof(key)) != 0)
    e->phone = "Vul een geldig telefoonnummer in, zoals 06 12345678.";
  if (f->email[0] == '\0' && f->phone[0] == '\0')
    e->email = "Vul een e-mailadres of een telefoonnummer in, zodat wij u "
               "kunnen antwoorden.";
  if (!f->consent)
    e->consent = "Geef toestemming om uw gegevens te gebruiken voor het "
                 "antwoord.";
}

/* The attachment's checks; fills s->up.att.  Returns the error or NULL. */
static const char *check_file(lk_req *req, struct submit *s,
                              const lk_part *file) {
  lk_invalid why;

  if (file->len == 0)
    return "Het gekozen bestand is leeg. Kies een ander bestand.";
  if (file->len > file_max(req))
    return "Het bestand is te groot. Kies een kleiner bestand.";
  if (lk_attachment_prepare(&s->up.att, &s->conv.caller, file->type,
                            file->filename, file->data, file->len, &why) != 0)
    return strcmp(why.field, "/filename") == 0
               ? "De naam van het bestand bevat tekens die niet zijn "
                 "toegestaan. Geef het bestand een andere naam."
               : "Dit soort bestand kan niet mee. Kies een PDF, afbeelding "
                 "(PNG, JPEG, GIF, WebP), tekstbestand of Office-document.";
  s->up.has_file = true;
  s->up.data = file->data;
  s->up.len = file->len;
  return NULL;
}

/* "Klacht: <category>", cut at a character boundary. */
static void subject_of(char *out, size_t size, const lk_contact_form *f) {
  const char *kind = strcmp(f->kind, "klacht") == 0 ? "Klacht" : "Vraag";
  size_t k = strlen(kind), n = strlen(f->category_name);

  memcpy(out, kind, k + 1);
  if (n == 0 || k + 2 >= size - 1)
    return;
  memcpy(out + k, ": ", 2);
  k += 2;
  if (n > size - 1 - k) {
    n = size - 1 - k;
    while (n > 0 && ((unsigned char)f->category_name[n] & 0xc0) == 0x80)
      n--;
  }
  memcpy(out + k, f->category_name, n);
  out[k + n] = '\0';
}

static void form_post(lk_req *req, bool kiosk) {
  lk_app *app = lk_req_app(req);
  lk_contact_form *f = calloc(1, sizeof(*f));
  struct submit *s = NULL;
  struct errs e = {0};
  lk_form_body fb = {0};
  const lk_part *file = NULL;
  lk_conv_caller caller = {0};
  lk_conv_create_in in = {0};
  const char *cats[1];
  char subject[LK_CONV_SUBJECT_MAX + 1];
  lk_invalid why;

  if (f == NULL || lk_form_body_open(req, &fb) != 0) {
    free(f);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  if (lk_contact_form_read(req, f) != 0 || !lk_form_token_ok(req, f->csrf)) {
    /* A forged request, or one without Origin and token: nothing is
     * stored; a person sends it again with the token now given. */
    e.summary = "Controleer het formulier en klik nogmaals op Versturen.";
    show_form(req, kiosk, 403, f, &e);
    goto out;
  }
  if (f->website[0] != '\0') {
    /* A robot: told "thank you", so it learns nothing; nothing stored. */
    lk_buf b = LK_BUF_INIT;

    lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Bericht ontvangen</h1>"
                    "\n<p class=\"utrecht-paragraph\" role=\"status\">Uw "
                    "bericht is ontvangen.</p>\n");
    lk_contact_respond(req, kiosk, 200, "Bericht ontvangen", &b, true);
    goto out;
  }
  s = lk_api_data(req, sizeof(*s), submit_free);
  if (s == NULL)
    goto out;
  s->up.req = req;
  s->up.store = app->store;
  s->kiosk = kiosk;
  s->link_ms =
      app->status_link_ms > 0 ? app->status_link_ms : STATUS_LINK_DEFAULT_MS;
  snprintf(s->kind, sizeof(s->kind), "%s", f->kind);
  snprintf(caller.actor, sizeof(caller.actor), "%s",
           kiosk ? "public:kiosk" : "public:contact");
  snprintf(caller.request_id, sizeof(caller.request_id), "%s", lk_req_id(req));
  s->conv.caller = caller;

  check(req, f, &e);
  if (!kiosk)
    file = lk_form_file(&fb, "bijlage");
  if (file != NULL && file->filename[0] != '\0')
    e.file = check_file(req, s, file);
  if (any(&e)) {
    s->up.has_file = false;
    show_form(req, kiosk, 422, f, &e);
    goto out;
  }

  subject_of(subject, sizeof(subject), f);
  in.channel = kiosk ? "kiosk" : "webformulier";
  in.subject = subject;
  in.content = f->message;
  in.from_name = f->name[0] != '\0' ? f->name : "Inwoner";
  in.from_email = f->email;
  in.from_phone = f->phone;
  cats[0] = f->category;
  in.categories = cats;
  in.ncategories = f->category[0] != '\0' ? 1 : 0;
  in.attachments = (const char *const[]){s->up.att.row.id};
  in.nattachments = s->up.has_file ? 1 : 0;
  if (lk_conv_create_prepare(&s->conv, &caller, &in, &why) != 0) {
    /* check() accepted it, so the core's rules must have moved on. */
    lk_log(LK_LOG_ERROR, "contact form refused by the core", "field", why.field,
           NULL);
    lk_req_problem(req, 422, "invalid-field", "Invalid field", why.reason,
                   why.field);
    goto out;
  }
  /* The private link: only its digest is stored. */
  lk_secret_new(s->token, sizeof(s->token), "", 24);
  lk_secret_hash(s->token, s->digest);

  lk_req_suspend(req, received);
  lk_contact_upload_start(&s->up, submit_apply, s);
out:
  lk_form_body_close(&fb);
  free(f);
}

void lk_contact_form_post(lk_req *req) {
  form_post(req, false);
}

void lk_kiosk_form_post(lk_req *req) {
  form_post(req, true);
}
