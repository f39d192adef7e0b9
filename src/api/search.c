/* search.c - GET /api/v1/search: full text with the inbox filters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/conversations.h"
#include "http/problem.h"
#include "store/search.h"

#define SEARCH_DEFAULT 20
#define SEARCH_MAX 50

struct search_ctx {
  lk_buf *b;
  int n;
  const char *parties[SEARCH_MAX];
  char party_ids[SEARCH_MAX][LK_CONV_ID_LEN + 1];
};

static void hit_json(const lk_search_hit *h, void *ud) {
  struct search_ctx *sc = ud;
  lk_conv_item it = {h->conv, NULL};
  lk_buf *b = sc->b;

  if (sc->n > 0)
    lk_buf_putc(b, ',');
  lk_buf_puts(b, "{\"message\":{\"id\":");
  lk_buf_json_str(b, h->contact_id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, h->kind);
  lk_buf_puts(b, ",\"channel\":");
  lk_buf_json_str(b, h->channel);
  lk_buf_printf(
      b, ",\"occurredAt\":%lld},\"snippet\":", (long long)h->occurred_at);
  lk_buf_json_str(b, h->snippet);
  lk_buf_puts(b, ",\"conversation\":");
  it.preview = NULL;
  lk_conv_item_json(b, &it);
  lk_buf_putc(b, '}');
  if (sc->n < SEARCH_MAX) {
    memcpy(sc->party_ids[sc->n], h->conv->party_id, LK_CONV_ID_LEN + 1);
    sc->parties[sc->n] = sc->party_ids[sc->n];
  }
  sc->n++;
}

void lk_api_search(lk_req *req) {
  const char *q = lk_req_query(req, "q");
  const char *cursor = lk_req_query(req, "cursor");
  char fts[LK_SEARCH_FTS_MAX + 1];
  lk_buf b = LK_BUF_INIT;
  struct search_ctx *sc;
  lk_conv_caller caller;
  lk_conv_filter f;
  int64_t next_seq = 0;
  int limit;
  int rc;

  if (lk_api_auth(req, "api") != 0 ||
      lk_api_limit(req, SEARCH_DEFAULT, SEARCH_MAX, &limit) != 0)
    return;
  lk_api_conv_caller(req, &caller);
  if (lk_api_conv_filter(req, &caller, &f) != 0)
    return;
  if (q == NULL || lk_store_fts_query(q, fts, sizeof(fts)) != 0) {
    lk_req_problem(req, 422, "invalid-parameter", "Invalid parameter",
                   "q must hold 1 to 16 words in at most 200 bytes", "q");
    return;
  }
  f.fts = fts;
  f.limit = limit;
  if (cursor != NULL) {
    char *end;
    long long v;

    errno = 0;
    v = strtoll(cursor, &end, 10);
    if (errno != 0 || end == cursor || *end != '\0' || v <= 0) {
      lk_req_problem(req, 400, "invalid-parameter", "Invalid parameter",
                     "is not a cursor from this search", "cursor");
      return;
    }
    f.after = true;
    f.after_seq = v;
  }
  sc = calloc(1, sizeof(*sc));
  if (sc == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  sc->b = &b;
  lk_buf_puts(&b, "{\"items\":[");
  rc = lk_store_search(lk_req_app(req)->store, &f, hit_json, sc, &next_seq);
  if (rc >= 0)
    rc =
        lk_conv_log_reads(lk_req_app(req)->store, &caller, "GET /api/v1/search",
                          sc->parties, sc->n < SEARCH_MAX ? sc->n : SEARCH_MAX);
  if (rc < 0) {
    free(sc);
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "],\"next\":");
  if (next_seq != 0)
    lk_buf_printf(&b, "\"%lld\"", (long long)next_seq);
  else
    lk_buf_puts(&b, "null");
  lk_buf_puts(&b, "}\n");
  free(sc);
  lk_req_respond_buf(req, 200, "application/json", &b);
}
