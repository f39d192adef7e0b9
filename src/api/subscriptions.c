/* subscriptions.c - GET /api/v1/subscriptions/stats (see subscriptions.h). */
#include "api/subscriptions.h"

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "http/problem.h"
#include "store/subscriptions.h"

struct stats_ctx {
  lk_buf *b;
  int n;
  char last[LK_SUB_POSTCODE_MAX + 1];
};

static void counts(lk_buf *b, const lk_subscription_stat *st) {
  lk_buf_printf(b, "\"pending\":%lld,\"confirmed\":%lld,\"unsubscribed\":%lld}",
                (long long)st->pending, (long long)st->confirmed,
                (long long)st->unsubscribed);
}

static void stat_item(const lk_subscription_stat *st, void *ud) {
  struct stats_ctx *c = ud;

  if (c->n++ > 0)
    lk_buf_putc(c->b, ',');
  lk_buf_puts(c->b, "{\"postcode\":");
  lk_buf_json_str(c->b, st->postcode);
  lk_buf_putc(c->b, ',');
  counts(c->b, st);
  snprintf(c->last, sizeof(c->last), "%s", st->postcode);
}

void lk_api_subscription_stats(lk_req *req) {
  lk_store *s = lk_req_app(req)->store;
  const char *after = lk_req_query(req, "after");
  lk_subscription_stat totals;
  lk_buf b = LK_BUF_INIT;
  struct stats_ctx c = {&b, 0, ""};
  int limit, rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_api_limit(req, 50, 100, &limit) != 0)
    return;
  rc = lk_store_subscription_totals(s, &totals);
  if (rc != 0) {
    lk_req_problem_store(req, rc);
    return;
  }
  lk_buf_puts(&b, "{\"totals\":{");
  counts(&b, &totals);
  lk_buf_puts(&b, ",\"items\":[");
  rc = lk_store_subscription_stats(s, after != NULL ? after : "", limit,
                                   stat_item, &c);
  lk_api_list_end(req, &b, rc, limit, c.last);
}
