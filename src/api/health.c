/* health.c - /healthz (the process answers), /readyz (the database takes
 * writes) and /metrics (Prometheus text format). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api/api.h"
#include "http/problem.h"
#include "util/metrics.h"

void lk_api_healthz(lk_req *req) {
  static const char body[] = "{\"status\":\"ok\"}\n";

  lk_req_respond(req, 200, "application/json", body, sizeof(body) - 1);
}

static int ready_apply(lk_tx *tx, void *op) {
  (void)tx;
  (void)op;
  return 0;
}

static void ready_then(lk_req *req, int status) {
  static const char body[] = "{\"status\":\"ready\"}\n";

  if (status == 0) {
    lk_req_respond(req, 200, "application/json", body, sizeof(body) - 1);
    return;
  }
  lk_req_problem(req, 503, "not-ready", "Not ready",
                 "the database does not accept writes", NULL);
}

void lk_api_readyz(lk_req *req) {
  lk_api_write *aw = calloc(1, sizeof(*aw));

  if (aw == NULL) {
    lk_req_problem(req, 503, "not-ready", "Not ready", "out of memory", NULL);
    return;
  }
  lk_req_set_data(req, aw, free);
  lk_api_submit(req, aw, ready_apply, NULL, ready_then);
}

/* Resident set size from /proc, for the process_ metrics. */
static long rss_bytes(void) {
  char line[128];
  char *p;
  long rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fgets(line, sizeof(line), f) != NULL) {
    strtol(line, &p, 10); /* total size */
    rss = strtol(p, NULL, 10);
  }
  fclose(f);
  return rss * sysconf(_SC_PAGESIZE);
}

void lk_api_metrics(lk_req *req) {
  lk_buf b = LK_BUF_INIT;

  lk_metrics_render(&b);
  lk_buf_printf(&b,
                "# HELP process_resident_memory_bytes Resident memory size "
                "in bytes.\n"
                "# TYPE process_resident_memory_bytes gauge\n"
                "process_resident_memory_bytes %ld\n",
                rss_bytes());
  lk_req_respond_buf(req, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}
