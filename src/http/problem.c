#include "http/problem.h"

#include <stdio.h>
#include <string.h>

#include "http/internal.h"
#include "pages/layout.h"
#include "store/store.h"
#include "util/log.h"

/* Under the Klantinteracties API the body is also the standard's Fout:
 * "code", and for a 400 the ValidatieFout's "invalidParams". */
static bool vng_dialect(lk_req *req) {
  return strncmp(lk_req_path(req), "/klantinteracties/", 18) == 0;
}

static void vng_members(lk_buf *b, int status, const char *slug,
                        const char *detail, const char *field) {
  lk_buf_puts(b, ",\"code\":");
  lk_buf_json_str(b, slug);
  if (status != 400)
    return;
  lk_buf_puts(b, ",\"invalidParams\":[");
  if (field != NULL) {
    lk_buf_puts(b, "{\"name\":");
    lk_buf_json_str(b, field[0] == '/' ? field + 1 : field);
    lk_buf_puts(b, ",\"code\":");
    lk_buf_json_str(b, slug);
    lk_buf_puts(b, ",\"reason\":");
    lk_buf_json_str(b, detail != NULL ? detail : "");
    lk_buf_putc(b, '}');
  }
  lk_buf_putc(b, ']');
}

void lk_req_problem(lk_req *req, int status, const char *slug,
                    const char *title, const char *detail, const char *field) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "{\"type\":");
  lk_buf_puts(&b, "\"urn:loket:problem:");
  lk_buf_puts(&b, slug);
  lk_buf_putc(&b, '"');
  if (vng_dialect(req))
    vng_members(&b, status, slug, detail != NULL ? detail : title, field);
  lk_buf_puts(&b, ",\"title\":");
  lk_buf_json_str(&b, title);
  lk_buf_printf(&b, ",\"status\":%d", status);
  if (detail != NULL || vng_dialect(req)) {
    lk_buf_puts(&b, ",\"detail\":");
    lk_buf_json_str(&b, detail != NULL ? detail : title);
  }
  if (field != NULL) {
    lk_buf_puts(&b, ",\"field\":");
    lk_buf_json_str(&b, field);
  }
  lk_buf_puts(&b, ",\"instance\":");
  lk_buf_json_str(&b, lk_req_path(req));
  lk_buf_puts(&b, ",\"requestId\":");
  lk_buf_json_str(&b, lk_req_id(req));
  lk_buf_puts(&b, "}\n");
  lk_req_respond_buf(req, status, "application/problem+json", &b);
}

static bool wants_json(lk_req *req);

/* A browser that sent a form with a file too large gets a page it can
 * show, not JSON. */
static bool wants_page(lk_req *req) {
  const char *accept = lk_req_header(req, "Accept");

  return !wants_json(req) && accept != NULL &&
         strstr(accept, "text/html") != NULL;
}

void lk_req_problem_too_large(lk_req *req) {
  char detail[96];

  if (wants_page(req)) {
    lk_buf b = LK_BUF_INIT;

    lk_page_begin(&b, "Bestand te groot");
    lk_buf_printf(&b,
                  "<h1 class=\"utrecht-heading-1\">Bestand te groot</h1>"
                  "<p class=\"utrecht-paragraph\">Wat u verstuurde is "
                  "groter dan %zu MB. Ga terug en kies een kleiner "
                  "bestand.</p>",
                  lk_http_body_limit(req) >> 20);
    lk_page_end(&b);
    lk_req_respond_buf(req, 413, "text/html; charset=utf-8", &b);
    return;
  }

  snprintf(detail, sizeof(detail),
           "the request body is larger than the limit of %zu bytes",
           lk_http_body_limit(req));
  lk_req_problem(req, 413, "body-too-large", "Request body too large", detail,
                 NULL);
}

static bool wants_json(lk_req *req) {
  const char *accept = lk_req_header(req, "Accept");

  if (strncmp(lk_req_path(req), "/api/", 5) == 0 ||
      strcmp(lk_req_path(req), "/api") == 0 || vng_dialect(req))
    return true;
  return accept != NULL && strstr(accept, "json") != NULL &&
         strstr(accept, "text/html") == NULL;
}

void lk_req_not_found(lk_req *req) {
  lk_buf b = LK_BUF_INIT;

  if (wants_json(req)) {
    lk_req_problem(req, 404, "not-found", "Not found",
                   "there is no resource at this path", NULL);
    return;
  }
  lk_page_begin(&b, "Pagina niet gevonden");
  lk_buf_puts(&b, "<h1 class=\"utrecht-heading-1\">Pagina niet gevonden</h1>"
                  "<p class=\"utrecht-paragraph\">De pagina ");
  lk_buf_puts(&b, "<code>");
  lk_html_txt(&b, lk_req_path(req));
  lk_buf_puts(&b, "</code> bestaat niet (meer). Controleer het adres of ga "
                  "naar de <a class=\"utrecht-link\" href=\"/\">"
                  "startpagina</a>.</p>");
  lk_page_end(&b);
  lk_req_respond_buf(req, 404, "text/html; charset=utf-8", &b);
}

void lk_req_problem_store(lk_req *req, int err) {
  switch (err) {
  case LK_STORE_NOTFOUND:
    lk_req_problem(req, 404, "not-found", "Not found",
                   "there is no such resource", NULL);
    break;
  case LK_STORE_CONFLICT:
    lk_req_problem(req, 409, "conflict", "Conflict",
                   "a resource with that identity already exists", NULL);
    break;
  case LK_STORE_CLOSED:
    lk_req_add_header(req, "Retry-After", "5");
    lk_req_problem(req, 503, "shutting-down", "Service unavailable",
                   "the server is shutting down; retry shortly", NULL);
    break;
  default:
    lk_log(LK_LOG_ERROR, "store failure", "id", lk_req_id(req), "error",
           lk_store_strerror(err), NULL);
    lk_req_problem(req, 500, "internal", "Internal error",
                   "the request could not be completed", NULL);
  }
}
