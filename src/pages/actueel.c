/* actueel.c - /actueel: public notices as HTML, JSON and Atom.
 *
 * Reads are short indexed queries on a pooled reader, done on the request
 * thread like the other GET handlers.  Every text from the store reaches
 * HTML through lk_html_txt/lk_html_attr and Atom through lk_xml_txt: a
 * title with markup is shown as text, never executed.
 */
#include "pages/actueel.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/events_public.h"
#include "api/session.h"
#include "core/ids.h"
#include "http/problem.h"
#include "http/server.h"
#include "pages/actueel_faqs.h"
#include "pages/actueel_questions.h"
#include "pages/area_svg.h"
#include "pages/calamity.h"
#include "pages/layout.h"
#include "store/notices_public.h"
#include "util/clock.h"
#include "util/xml.h"

#define CACHE_CONTROL "public, max-age=10"
#define UPDATES_MAX 100
#define FEED_UPDATES_MAX 50
#define ID_MAX 64

/* ---- time --------------------------------------------------------------- */

void lk_actueel_local(int64_t ms, struct tm *tm) {
  lk_clock_nl_local(ms, tm);
}

static const char *const months[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

/* "28 november 2026 om 18:25" in a <time> element. */
static void when(lk_buf *b, int64_t ms) {
  struct tm tm, u;
  time_t t = (time_t)(ms / 1000);

  lk_actueel_local(ms, &tm);
  gmtime_r(&t, &u);
  lk_buf_printf(b,
                "<time datetime=\"%04d-%02d-%02dT%02d:%02d:%02dZ\">%d %s %d "
                "om %02d:%02d</time>",
                u.tm_year + 1900, u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min,
                u.tm_sec, tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min);
}

static void hhmm(lk_buf *b, int64_t ms) {
  struct tm tm;

  lk_actueel_local(ms, &tm);
  lk_buf_printf(b, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/* RFC 3339 in UTC, for Atom and JSON. */
static void rfc3339(char out[32], int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm u;

  gmtime_r(&t, &u);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &u);
}

/* ---- labels ------------------------------------------------------------- */

static const char *kind_label(const char *kind) {
  static const char *const k[][2] = {{"calamiteit", "Calamiteit"},
                                     {"wegafsluiting", "Wegafsluiting"},
                                     {"storing", "Storing"},
                                     {"evenement", "Evenement"}};

  for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
    if (strcmp(kind, k[i][0]) == 0)
      return k[i][1];
  return kind;
}

static const char *severity_label(const char *severity) {
  static const char *const s[][2] = {{"informatie", "Informatie"},
                                     {"waarschuwing", "Waarschuwing"},
                                     {"ernstig", "Ernstig"},
                                     {"zeer-ernstig", "Zeer ernstig"}};

  for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
    if (strcmp(severity, s[i][0]) == 0)
      return s[i][1];
  return severity;
}

/* A sentence about the area without the map. */
static void area_summary(lk_buf *b, const lk_notice_pub *n) {
  json_t *a = json_loads(n->area, 0, NULL);
  const char *type = json_string_value(json_object_get(a, "type"));
  json_t *r = json_object_get(a, "radius");

  if (type != NULL && strcmp(type, "circle") == 0 && json_is_number(r))
    lk_buf_printf(b, "Binnen %.0f meter van een punt. ", json_number_value(r));
  else if (type != NULL && strcmp(type, "polygon") == 0)
    lk_buf_puts(b, "Een begrensd gebied. ");
  json_decref(a);
  if (n->postcodes[0] != '\0') {
    lk_buf_puts(b, "Postcodes: ");
    lk_html_txt(b, n->postcodes);
    lk_buf_puts(b, ".");
  }
}

/* ---- responses ---------------------------------------------------------- */

/* A strong ETag from the bytes (FNV-1a, 64 bits): cheap next to
 * rendering, and a CDN or browser revalidating gets 304 without a body. */
static void etag(const char *data, size_t len, char out[24]) {
  uint64_t h = 14695981039346656037ULL;

  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)data[i];
    h *= 1099511628211ULL;
  }
  snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

static void respond(lk_req *req, const char *type, lk_buf *b) {
  const char *inm = lk_req_header(req, "If-None-Match");
  char tag[24];

  if (!lk_buf_ok(b)) {
    lk_buf_free(b);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  etag(b->data, b->len, tag);
  lk_req_add_header(req, "Cache-Control",
                    lk_calamity_keep(req, type, b->data, b->len, tag)
                        ? LK_CALAMITY_CACHE_CONTROL
                        : CACHE_CONTROL);
  lk_req_add_header(req, "ETag", tag);
  if (inm != NULL && (strstr(inm, tag) != NULL || strcmp(inm, "*") == 0)) {
    lk_buf_free(b);
    lk_req_respond(req, 304, type, "", 0);
    return;
  }
  lk_req_respond_buf(req, 200, type, b);
}

static void respond_json(lk_req *req, json_t *doc) {
  char *s = json_dumps(doc, JSON_COMPACT);
  lk_buf b = LK_BUF_INIT;

  json_decref(doc);
  if (s == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_buf_puts(&b, s);
  free(s);
  respond(req, "application/json", &b);
}

/* The id of /actueel/{id}, without `suffix`; NULL when too long. */
static const char *path_id(lk_req *req, const char *suffix, char *out,
                           size_t size) {
  const char *id = lk_req_param(req, "id");
  size_t n = strlen(id), k = suffix != NULL ? strlen(suffix) : 0;

  if (k > 0 && (n <= k || strcmp(id + n - k, suffix) != 0))
    return NULL;
  n -= k;
  if (n == 0 || n >= size)
    return NULL;
  memcpy(out, id, n);
  out[n] = '\0';
  return out;
}

/* ---- HTML --------------------------------------------------------------- */

static void list_item(const lk_notice_pub *n, void *ud) {
  lk_buf *b = ud;

  lk_buf_puts(b, "<li class=\"loket-notice loket-notice--");
  lk_html_attr(b, n->severity);
  lk_buf_puts(b, "\">\n<h2 class=\"utrecht-heading-2 loket-notice__title\">"
                 "<a class=\"utrecht-link\" href=\"/actueel/");
  lk_html_attr(b, n->id);
  lk_buf_puts(b, "\">");
  lk_html_txt(b, n->title);
  lk_buf_puts(b, "</a></h2>\n<p class=\"utrecht-paragraph loket-labels\">");
  lk_html_txt(b, kind_label(n->kind));
  lk_buf_puts(b, " &middot; ");
  lk_html_txt(b, severity_label(n->severity));
  lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph\">");
  area_summary(b, n);
  lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph loket-muted\">Laatst "
                 "bijgewerkt: ");
  when(b, n->last_change_at);
  lk_buf_puts(b, "</p>\n</li>\n");
}

static void actueel_list(lk_req *req) {
  lk_buf b = LK_BUF_INIT;
  int n;

  if (lk_calamity_serve(req))
    return;
  lk_page_begin(&b, "Actueel");
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Actueel</h1>\n"
                  "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                  "href=\"/actueel/feed.atom\">Volg via Atom-feed</a></p>\n"
                  "<ul class=\"loket-notices\" "
                  "data-stream=\"/actueel/stream\">\n");
  n = lk_store_notices_current(lk_req_app(req)->store, LK_NOTICES_PUBLIC_MAX,
                               list_item, &b);
  if (n < 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, n);
    return;
  }
  lk_buf_puts(&b, "</ul>\n");
  if (n == 0)
    lk_buf_puts(&b, "<p class=\"utrecht-paragraph\">Er zijn op dit moment "
                    "geen meldingen.</p>\n");
  lk_page_end(&b);
  respond(req, "text/html; charset=utf-8", &b);
}

/* One term of the facts list (utrecht-data-list); FACT_END closes it. */
#define FACT_END "</dd></div>\n"
static void fact(lk_buf *b, const char *key) {
  lk_buf_puts(b, "<div class=\"utrecht-data-list__item\"><dt class=\""
                 "utrecht-data-list__item-key\">");
  lk_buf_puts(b, key);
  lk_buf_puts(b, "</dt><dd class=\"utrecht-data-list__item-value utrecht-"
                 "data-list__item-value--html-dd\">");
}

static void notice_html(const lk_notice_pub *n, void *ud) {
  lk_buf *b = ud;
  bool ended = strcmp(n->status, "ended") == 0;

  lk_page_begin(b, n->title);
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                 "href=\"/actueel\">Alle meldingen</a></p>\n"
                 "<article class=\"loket-notice loket-notice--");
  lk_html_attr(b, n->severity);
  lk_buf_puts(b, "\" data-stream=\"/actueel/");
  lk_html_attr(b, n->id);
  lk_buf_puts(b, "/stream\">\n<h1 class=\"utrecht-heading-1\">");
  lk_html_txt(b, n->title);
  lk_buf_puts(b, "</h1>\n");
  if (ended) {
    lk_buf_puts(b, "<div class=\"utrecht-alert utrecht-alert--warning "
                   "loket-ended\"><div class=\"utrecht-alert__content\">"
                   "<p class=\"utrecht-alert__message utrecht-paragraph\" "
                   "role=\"status\">Deze melding is beëindigd");
    if (n->ended_at > 0) {
      lk_buf_puts(b, " op ");
      when(b, n->ended_at);
    }
    lk_buf_puts(b, ".</p></div></div>\n");
  }
  lk_buf_puts(b, "<p class=\"utrecht-paragraph loket-labels\">");
  lk_html_txt(b, kind_label(n->kind));
  lk_buf_puts(b, " &middot; ");
  lk_html_txt(b, severity_label(n->severity));
  lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph loket-text\">");
  lk_html_txt(b, n->body);
  lk_buf_puts(b, "</p>\n<dl class=\"utrecht-data-list loket-facts\">\n");
  if (n->published_at > 0) {
    fact(b, "Gepubliceerd");
    when(b, n->published_at);
    lk_buf_puts(b, FACT_END);
  }
  if (n->starts_at > 0) {
    fact(b, "Begin");
    when(b, n->starts_at);
    lk_buf_puts(b, FACT_END);
  }
  if (n->expected_end_at > 0) {
    fact(b, "Verwacht einde");
    when(b, n->expected_end_at);
    lk_buf_puts(b, FACT_END);
  }
  lk_buf_puts(b, "</dl>\n<h2 class=\"utrecht-heading-2\">Gebied</h2>\n"
                 "<figure class=\"utrecht-figure loket-area-figure\">");
  if (lk_area_svg(b, n->area, "Omtrek van het getroffen gebied") != 0)
    lk_buf_puts(b, "<p class=\"utrecht-paragraph\">Geen kaart van het "
                   "gebied.</p>");
  lk_buf_puts(b, "<figcaption class=\"utrecht-figure__caption\">");
  area_summary(b, n);
  lk_buf_puts(b, "</figcaption></figure>\n");
  if (n->postcodes[0] != '\0') {
    char pc[16];
    const char *p = n->postcodes;

    lk_buf_puts(b, "<ul class=\"utrecht-unordered-list loket-postcodes\" "
                   "aria-label=\"Postcodes\">");
    while (*p != '\0') {
      size_t len = strcspn(p, " ");

      if (len > 0 && len < sizeof(pc)) {
        memcpy(pc, p, len);
        pc[len] = '\0';
        lk_buf_puts(b, "<li>");
        lk_html_txt(b, pc);
        lk_buf_puts(b, "</li>");
      }
      p += len;
      p += strspn(p, " ");
    }
    lk_buf_puts(b, "</ul>\n");
  }
  lk_buf_puts(b, "<p class=\"utrecht-paragraph\"><a class=\"utrecht-link\" "
                 "href=\"/actueel/");
  lk_html_attr(b, n->id);
  lk_buf_puts(b, "/feed.atom\">Volg deze melding via Atom-feed</a></p>\n");
}

static void update_html(const lk_notice_update_pub *u, void *ud) {
  lk_buf *b = ud;

  lk_buf_puts(b, "<li class=\"loket-update\" id=\"update-");
  lk_html_attr(b, u->id);
  lk_buf_puts(b, "\"><p class=\"utrecht-paragraph loket-update-time\">");
  when(b, u->published_at);
  if (u->edited_at > 0) {
    lk_buf_puts(b, " <span class=\"loket-edited\">(bijgewerkt om ");
    hhmm(b, u->edited_at);
    lk_buf_puts(b, ")</span>");
  }
  lk_buf_puts(b, "</p>\n<p class=\"utrecht-paragraph loket-text\">");
  lk_html_txt(b, u->body);
  lk_buf_puts(b, "</p>");
  lk_actueel_history_html(b, u->history, u->nhistory, u->history_total);
  lk_buf_puts(b, "</li>\n");
}

static void actueel_notice_json(lk_req *req);

static void notice_open(const lk_notice_pub *n, void *ud) {
  *(bool *)ud = strcmp(n->status, "ended") != 0;
}

/* The question form goes on a notice still open. */
static bool question_form_wanted(lk_req *req, const char *id) {
  bool open = false;

  return lk_store_notice_public(lk_req_app(req)->store, id, notice_open,
                                &open) == 0 &&
         open;
}

static void actueel_notice(lk_req *req) {
  char id[ID_MAX];
  lk_store *s = lk_req_app(req)->store;
  lk_buf b = LK_BUF_INIT;
  int rc;

  if (lk_calamity_serve(req))
    return;
  if (path_id(req, ".json", id, sizeof(id)) != NULL) {
    actueel_notice_json(req);
    return;
  }
  if (path_id(req, NULL, id, sizeof(id)) == NULL) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_store_notice_public(s, id, notice_html, &b);
  if (rc == 0)
    rc = lk_actueel_faqs_html(&b, s, id);
  if (rc == 0 && question_form_wanted(req, id))
    lk_actueel_question_form(&b, id);
  if (rc == 0) {
    lk_buf_puts(&b, "<h2 class=\"utrecht-heading-2\">Updates</h2>\n"
                    "<ol class=\"loket-updates\" reversed>\n");
    rc = lk_store_public_notice_updates(s, id, UPDATES_MAX, update_html, &b);
    rc = rc < 0 ? rc : 0;
    lk_buf_puts(&b, "</ol>\n</article>\n");
    lk_page_script(&b, "actueel.js");
  }
  if (rc != 0) {
    lk_buf_free(&b);
    if (rc == LK_STORE_NOTFOUND)
      lk_req_not_found(req);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  lk_page_end(&b);
  respond(req, "text/html; charset=utf-8", &b);
}

/* ---- JSON --------------------------------------------------------------- */

static void set_time(json_t *o, const char *key, int64_t ms) {
  char t[32];

  if (ms <= 0) {
    json_object_set_new(o, key, json_null());
    return;
  }
  rfc3339(t, ms);
  json_object_set_new(o, key, json_string(t));
}

static json_t *notice_json(const lk_notice_pub *n) {
  json_t *o = json_object();
  json_t *area = json_loads(n->area, 0, NULL);

  json_object_set_new(o, "id", json_string(n->id));
  json_object_set_new(o, "kind", json_string(n->kind));
  json_object_set_new(o, "title", json_string(n->title));
  json_object_set_new(o, "body", json_string(n->body));
  json_object_set_new(o, "severity", json_string(n->severity));
  json_object_set_new(o, "status", json_string(n->status));
  json_object_set_new(o, "area", json_is_object(area) ? area : json_object());
  if (!json_is_object(area))
    json_decref(area);
  json_object_set_new(o, "postcodes", json_string(n->postcodes));
  set_time(o, "startsAt", n->starts_at);
  set_time(o, "expectedEndAt", n->expected_end_at);
  set_time(o, "publishedAt", n->published_at);
  set_time(o, "endedAt", n->ended_at);
  set_time(o, "lastChangeAt", n->last_change_at);
  return o;
}

static void list_json_row(const lk_notice_pub *n, void *ud) {
  json_array_append_new(ud, notice_json(n));
}

static void actueel_list_json(lk_req *req) {
  json_t *items;
  int n;

  if (lk_calamity_serve(req))
    return;
  items = json_array();
  n = lk_store_notices_current(lk_req_app(req)->store, LK_NOTICES_PUBLIC_MAX,
                               list_json_row, items);
  if (n >= 0)
    n = lk_actueel_faqs_attach(lk_req_app(req)->store, items);
  if (n < 0) {
    json_decref(items);
    lk_req_problem_store(req, n);
    return;
  }
  respond_json(req, json_pack("{s:o}", "notices", items));
}

static void notice_json_row(const lk_notice_pub *n, void *ud) {
  *(json_t **)ud = notice_json(n);
}

static void update_json_row(const lk_notice_update_pub *u, void *ud) {
  json_t *o = json_object();

  json_object_set_new(o, "id", json_string(u->id));
  json_object_set_new(o, "body", json_string(u->body));
  set_time(o, "publishedAt", u->published_at);
  set_time(o, "editedAt", u->edited_at);
  lk_actueel_history_json(o, u->history, u->nhistory);
  json_array_append_new(ud, o);
}

static void actueel_notice_json(lk_req *req) {
  char id[ID_MAX];
  lk_store *s = lk_req_app(req)->store;
  json_t *doc = NULL, *updates;
  int rc;

  if (path_id(req, ".json", id, sizeof(id)) == NULL) {
    lk_req_problem(req, 404, "not-found", "Not found", NULL, NULL);
    return;
  }
  rc = lk_store_notice_public(s, id, notice_json_row, &doc);
  if (rc != 0) {
    json_decref(doc);
    if (rc == LK_STORE_NOTFOUND)
      lk_req_problem(req, 404, "not-found", "Not found", NULL, NULL);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  updates = json_array();
  rc = lk_store_public_notice_updates(s, id, UPDATES_MAX, update_json_row,
                                      updates);
  json_object_set_new(doc, "updates", updates);
  if (rc >= 0)
    rc = lk_actueel_faqs_json(s, id, doc);
  if (rc < 0) {
    json_decref(doc);
    lk_req_problem_store(req, rc);
    return;
  }
  respond_json(req, doc);
}

/* ---- Atom --------------------------------------------------------------- */

struct feed {
  lk_buf entries;
  int64_t updated; /* the newest entry */
  const char *base;
  lk_buf *title; /* gets the notice's title, or NULL */
};

/* An entry's id: urn:uuid: for UUIDs, else a tag: URI under the host. */
static void entry_id(struct feed *f, const char *kind, const char *id) {
  if (lk_uuid_valid(id)) {
    lk_buf_puts(&f->entries, "urn:uuid:");
    lk_xml_txt(&f->entries, id);
    return;
  }
  lk_buf_puts(&f->entries, "tag:loket,2026:");
  lk_buf_puts(&f->entries, kind);
  lk_buf_puts(&f->entries, ":");
  lk_xml_txt(&f->entries, id);
}

static void entry(struct feed *f, const char *kind, const char *id,
                  const char *title_prefix, const char *title,
                  const char *notice_id, const char *body, int64_t updated) {
  lk_buf *b = &f->entries;
  char t[32];

  if (updated > f->updated)
    f->updated = updated;
  rfc3339(t, updated);
  lk_buf_puts(b, "<entry>\n<id>");
  entry_id(f, kind, id);
  lk_buf_puts(b, "</id>\n<title type=\"text\">");
  lk_xml_txt(b, title_prefix);
  lk_xml_txt(b, title);
  lk_buf_puts(b, "</title>\n<updated>");
  lk_buf_puts(b, t);
  lk_buf_puts(b, "</updated>\n<author><name>Gemeente</name></author>\n"
                 "<link rel=\"alternate\" type=\"text/html\" href=\"");
  lk_xml_txt(b, f->base);
  lk_buf_puts(b, "/actueel/");
  lk_xml_txt(b, notice_id);
  lk_buf_puts(b, "\"/>\n<content type=\"text\">");
  lk_xml_txt(b, body);
  lk_buf_puts(b, "</content>\n</entry>\n");
}

static void feed_notice(const lk_notice_pub *n, void *ud) {
  int64_t at = n->ended_at > 0 ? n->ended_at : n->published_at;
  struct feed *f = ud;

  if (f->title != NULL) {
    lk_buf_puts(f->title, "Actueel: ");
    lk_buf_puts(f->title, n->title);
  }

  entry(ud, "notice", n->id,
        strcmp(n->status, "ended") == 0 ? "Beëindigd: " : "", n->title, n->id,
        n->body, at);
}

static void feed_update(const lk_notice_update_pub *u, void *ud) {
  entry(ud, "update", u->id, "Update: ", u->notice_title, u->notice_id, u->body,
        u->edited_at > u->published_at ? u->edited_at : u->published_at);
}

static void feed_respond(lk_req *req, struct feed *f, const char *title,
                         const char *self) {
  lk_buf b = LK_BUF_INIT;
  char t[32];

  rfc3339(t, f->updated > 0 ? f->updated : (int64_t)time(NULL) * 1000);
  lk_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                  "xml:lang=\"nl\">\n<id>");
  lk_xml_txt(&b, f->base);
  lk_xml_txt(&b, self);
  lk_buf_puts(&b, "</id>\n<title type=\"text\">");
  lk_xml_txt(&b, title);
  lk_buf_puts(&b, "</title>\n<updated>");
  lk_buf_puts(&b, t);
  lk_buf_puts(&b, "</updated>\n<link rel=\"self\" "
                  "type=\"application/atom+xml\" href=\"");
  lk_xml_txt(&b, f->base);
  lk_xml_txt(&b, self);
  lk_buf_puts(&b, "\"/>\n<author><name>Gemeente</name></author>\n");
  if (!lk_buf_ok(&f->entries)) {
    lk_buf_free(&f->entries);
    lk_buf_free(&b);
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  lk_buf_append(&b, f->entries.data, f->entries.len);
  lk_buf_puts(&b, "</feed>\n");
  lk_buf_free(&f->entries);
  respond(req, "application/atom+xml; charset=utf-8", &b);
}

/* "http://host" of the request, for the absolute IRIs Atom wants. */
static void base_url(lk_req *req, char *out, size_t size) {
  const char *host = lk_req_header(req, "Host");

  if (host == NULL || host[0] == '\0' ||
      strcspn(host, "/\\ \"<>") != strlen(host))
    host = "localhost";
  snprintf(out, size, "%s://%s", lk_api_secure(req) ? "https" : "http", host);
}

static void actueel_feed(lk_req *req) {
  char base[300];
  struct feed f = {.entries = LK_BUF_INIT, .base = base};
  lk_store *s = lk_req_app(req)->store;
  int rc;

  base_url(req, base, sizeof(base));
  rc = lk_store_notices_current(s, LK_NOTICES_PUBLIC_MAX, feed_notice, &f);
  if (rc >= 0)
    rc = lk_store_notice_updates_current(s, FEED_UPDATES_MAX, feed_update, &f);
  if (rc < 0) {
    lk_buf_free(&f.entries);
    lk_req_problem_store(req, rc);
    return;
  }
  feed_respond(req, &f, "Actueel", "/actueel/feed.atom");
}

static void actueel_notice_feed(lk_req *req) {
  char base[300], id[ID_MAX], self[ID_MAX + 32];
  lk_buf title = LK_BUF_INIT;
  struct feed f = {.entries = LK_BUF_INIT, .base = base, .title = &title};
  lk_store *s = lk_req_app(req)->store;
  int rc;

  if (path_id(req, NULL, id, sizeof(id)) == NULL) {
    lk_req_not_found(req);
    return;
  }
  base_url(req, base, sizeof(base));
  rc = lk_store_notice_public(s, id, feed_notice, &f);
  if (rc == 0)
    rc = lk_store_public_notice_updates(s, id, UPDATES_MAX, feed_update, &f);
  if (rc < 0) {
    lk_buf_free(&f.entries);
    lk_buf_free(&title);
    if (rc == LK_STORE_NOTFOUND)
      lk_req_not_found(req);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  snprintf(self, sizeof(self), "/actueel/%s/feed.atom", id);
  feed_respond(req, &f, lk_buf_ok(&title) ? title.data : "Actueel", self);
  lk_buf_free(&title);
}

/* ---- Server-Sent Events ------------------------------------------------ */

static void actueel_stream(lk_req *req) {
  lk_events_public(req, NULL);
}

static void ignore_notice(const lk_notice_pub *n, void *ud) {
  (void)n;
  (void)ud;
}

static void actueel_notice_stream(lk_req *req) {
  char id[ID_MAX];
  int rc;

  if (path_id(req, NULL, id, sizeof(id)) == NULL) {
    lk_req_not_found(req);
    return;
  }
  rc = lk_store_notice_public(lk_req_app(req)->store, id, ignore_notice, NULL);
  if (rc != 0) {
    if (rc == LK_STORE_NOTFOUND)
      lk_req_not_found(req);
    else
      lk_req_problem_store(req, rc);
    return;
  }
  lk_events_public(req, id);
}

int lk_actueel_routes(lk_router *r) {
  static const struct {
    const char *pattern;
    lk_handler_fn handler;
    int flags;
  } routes[] = {
      {"/actueel", actueel_list, 0},
      {"/actueel.json", actueel_list_json, 0},
      {"/actueel/feed.atom", actueel_feed, 0},
      {"/actueel/stream", actueel_stream, LK_ROUTE_STREAM},
      {"/actueel/{id}", actueel_notice, 0},
      {"/actueel/{id}/feed.atom", actueel_notice_feed, 0},
      {"/actueel/{id}/stream", actueel_notice_stream, LK_ROUTE_STREAM},
  };
  int rc;

  for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
    rc = lk_router_add(r, "GET", routes[i].pattern, routes[i].handler,
                       routes[i].flags);
    if (rc != 0)
      return rc;
  }
  return lk_actueel_question_routes(r);
}
