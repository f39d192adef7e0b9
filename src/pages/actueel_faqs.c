/* actueel_faqs.c - "Veelgestelde vragen" and "Eerdere versie" on the
 * public notice page, and the same in its JSON (see actueel_faqs.h).
 *
 * The section is a description list: each question a <dt>, its answer
 * the <dd>, grouped per FAQ in a <div> (which HTML allows inside <dl>)
 * so it has an id to link to.  Earlier texts sit in a <details>: closed,
 * a resident sees the current text first and can open what it said
 * before.  Neither needs JavaScript.
 */
#include "pages/actueel_faqs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pages/actueel.h"
#include "store/notice_faqs.h"
#include "util/html.h"

/* "28 november 2026 om 18:25" in a <time> element, Dutch civil time. */
static void when(lk_buf *b, int64_t ms) {
  static const char *const months[] = {
      "januari", "februari", "maart",     "april",   "mei",      "juni",
      "juli",    "augustus", "september", "oktober", "november", "december"};
  time_t t = (time_t)(ms / 1000);
  struct tm tm, u;

  lk_actueel_local(ms, &tm);
  gmtime_r(&t, &u);
  lk_buf_printf(b,
                "<time datetime=\"%04d-%02d-%02dT%02d:%02d:%02dZ\">%d %s %d "
                "om %02d:%02d</time>",
                u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min,
                u.tm_sec, tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min);
}

static json_t *utc(int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  char out[32];
  struct tm u;

  if (ms <= 0)
    return json_null();
  gmtime_r(&t, &u);
  strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &u);
  return json_string(out);
}

/* ---- earlier versions ---------------------------------------------- */

void lk_actueel_history_html(lk_buf *b, const lk_notice_edit_pub *h, int n,
                             int total) {
  if (n <= 0)
    return;
  lk_buf_puts(b, "<details class=\"loket-history\"><summary>");
  if (total > 1)
    lk_buf_printf(b, "Eerdere versies (%d)", total);
  else
    lk_buf_puts(b, "Eerdere versie");
  lk_buf_puts(b, "</summary>\n<ol class=\"loket-history-list\">\n");
  for (int i = 0; i < n; i++) {
    lk_buf_puts(b, "<li><p class=\"utrecht-paragraph loket-history-time\">"
                   "Tekst tot ");
    when(b, h[i].until);
    lk_buf_puts(b, ":</p>\n");
    if (h[i].question != NULL) {
      lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-text\">"
                     "<strong>Vraag:</strong> ");
      lk_html_txt(b, h[i].question);
      lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph loket-text\">"
                     "<strong>Antwoord:</strong> ");
    } else {
      lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-text\">");
    }
    lk_html_txt(b, h[i].body);
    lk_buf_puts(b, "</p></li>\n");
  }
  lk_buf_puts(b, "</ol>\n");
  if (total > n)
    lk_buf_printf(b,
                  "<p class=\"utrecht-paragraph\">De %d oudste versies staan "
                  "niet op deze pagina.</p>\n",
                  total - n);
  lk_buf_puts(b, "</details>\n");
}

void lk_actueel_history_json(json_t *o, const lk_notice_edit_pub *h, int n,
                             int total) {
  json_t *arr = json_array();

  for (int i = 0; i < n; i++) {
    json_t *v = json_object();

    if (h[i].question != NULL) {
      json_object_set_new(v, "question", json_string(h[i].question));
      json_object_set_new(v, "answer", json_string(h[i].body));
    } else {
      json_object_set_new(v, "body", json_string(h[i].body));
    }
    json_object_set_new(v, "until", utc(h[i].until));
    json_array_append_new(arr, v);
  }
  json_object_set_new(o, "previousVersions", arr);
  /* The live script draws "Eerdere versies (total)" as the page does. */
  json_object_set_new(o, "previousVersionsTotal",
                      json_integer(total > n ? total : n));
}

/* ---- the section ---------------------------------------------------- */

struct html_ctx {
  lk_buf *items;
  int n;
};

static void faq_html(const lk_notice_faq_pub *f, void *ud) {
  struct html_ctx *c = ud;
  lk_buf *b = c->items;

  c->n++;
  lk_buf_puts(b, "<div class=\"loket-faq\" id=\"faq-");
  lk_html_attr(b, f->id);
  lk_buf_puts(b, "\">\n<dt class=\"loket-faq-question\">");
  lk_html_txt(b, f->question);
  lk_buf_puts(b, "</dt>\n<dd class=\"loket-faq-answer\">"
                 "<p class=\"utrecht-paragraph loket-text\">");
  lk_html_txt(b, f->answer);
  lk_buf_puts(b, "</p>\n");
  if (f->edited_at > 0) {
    lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-edited\">"
                   "Bijgewerkt op ");
    when(b, f->edited_at);
    lk_buf_puts(b, "</p>\n");
  }
  lk_actueel_history_html(b, f->history, f->nhistory, f->history_total);
  lk_buf_puts(b, "</dd>\n</div>\n");
}

int lk_actueel_faqs_html(lk_buf *b, lk_store *s, const char *id) {
  lk_buf items = LK_BUF_INIT;
  struct html_ctx c = {&items, 0};
  int rc = lk_store_public_notice_faqs(s, id, faq_html, &c);

  if (rc < 0) {
    lk_buf_free(&items);
    return rc;
  }
  /* Present but hidden when empty: the live script shows it when the
   * first question arrives, without reloading the page (and a question
   * being typed in the form). */
  lk_buf_printf(b,
                "<section class=\"loket-faqs\" id=\"veelgestelde-vragen\" "
                "aria-labelledby=\"veelgestelde-vragen-titel\"%s>\n"
                "<h2 class=\"utrecht-heading-2\" "
                "id=\"veelgestelde-vragen-titel\">Veelgestelde vragen</h2>\n"
                "<dl class=\"loket-faq-list\">\n",
                c.n == 0 ? " hidden" : "");
  if (items.len > 0)
    lk_buf_append(b, items.data, items.len);
  lk_buf_puts(b, "</dl>\n</section>\n");
  rc = lk_buf_ok(&items) ? 0 : LK_STORE_NOMEM;
  lk_buf_free(&items);
  return rc;
}

/* ---- JSON ----------------------------------------------------------- */

static json_t *faq_json(const lk_notice_faq_pub *f, bool history) {
  json_t *o = json_object();

  json_object_set_new(o, "id", json_string(f->id));
  json_object_set_new(o, "question", json_string(f->question));
  json_object_set_new(o, "answer", json_string(f->answer));
  json_object_set_new(o, "position", json_integer(f->position));
  json_object_set_new(o, "createdAt", utc(f->created_at));
  json_object_set_new(o, "editedAt", utc(f->edited_at));
  if (history)
    lk_actueel_history_json(o, f->history, f->nhistory, f->history_total);
  return o;
}

static void faq_json_row(const lk_notice_faq_pub *f, void *ud) {
  json_array_append_new(ud, faq_json(f, true));
}

int lk_actueel_faqs_json(lk_store *s, const char *id, json_t *notice) {
  json_t *faqs = json_array();
  int rc = lk_store_public_notice_faqs(s, id, faq_json_row, faqs);

  json_object_set_new(notice, "faqs", faqs);
  return rc < 0 ? rc : 0;
}

struct attach_ctx {
  json_t *notices;
  json_t *current; /* the object of the notice last seen, borrowed */
};

static void attach_row(const lk_notice_faq_pub *f, void *ud) {
  struct attach_ctx *c = ud;
  const char *id = c->current != NULL
                       ? json_string_value(json_object_get(c->current, "id"))
                       : NULL;
  size_t i;
  json_t *n;

  /* The rows come by notice: look the notice up once per notice. */
  if (id == NULL || strcmp(id, f->notice_id) != 0) {
    c->current = NULL;
    json_array_foreach(c->notices, i, n) {
      id = json_string_value(json_object_get(n, "id"));
      if (id != NULL && strcmp(id, f->notice_id) == 0) {
        c->current = n;
        break;
      }
    }
  }
  if (c->current != NULL)
    json_array_append_new(json_object_get(c->current, "faqs"),
                          faq_json(f, false));
}

int lk_actueel_faqs_attach(lk_store *s, json_t *notices) {
  struct attach_ctx c = {notices, NULL};
  size_t i;
  json_t *n;
  int rc;

  json_array_foreach(notices, i, n) {
    json_object_set_new(n, "faqs", json_array());
  }
  rc = lk_store_notice_faqs_current(s, attach_row, &c);
  return rc < 0 ? rc : 0;
}
