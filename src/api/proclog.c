/* proclog.c - GET /api/v1/processing-log: who read or changed which
 * resident's data, for supervisors and admins. */
#include <stdlib.h>

#include "api/api.h"
#include "api/residents.h"
#include "core/proclog_query.h"
#include "http/problem.h"

void lk_api_proclog_list(lk_req *req) {
  lk_proclog_query *q;
  lk_buf b = LK_BUF_INIT;
  lk_invalid why;
  lk_viewer v;
  int limit;
  int rc;

  if (lk_api_auth_role(req, "api", "supervisor") != 0 ||
      lk_api_limit(req, 50, LK_PROCLOG_PAGE_MAX, &limit) != 0)
    return;
  v = lk_api_viewer(req);
  q = malloc(sizeof(*q));
  if (q == NULL) {
    lk_req_problem_store(req, LK_STORE_NOMEM);
    return;
  }
  rc = lk_proclog_query_prepare(
      q, lk_req_query(req, "partyId"), lk_req_query(req, "actor"),
      lk_req_query(req, "operation"), lk_req_query(req, "from"),
      lk_req_query(req, "to"), lk_req_query(req, "after"), limit, &why);
  if (rc == LK_EINVALID) {
    free(q);
    lk_api_bad_param(req, &why);
    return;
  }
  rc = lk_proclog_page(lk_req_app(req)->store, &v, q, &b);
  free(q);
  if (rc != 0) {
    lk_buf_free(&b);
    lk_req_problem_store(req, rc);
    return;
  }
  lk_req_respond_buf(req, 200, "application/json", &b);
}
