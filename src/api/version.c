/* version.c - ETag and If-Match for the versioned PATCH endpoints. */
#include "api/version.h"

#include <stdio.h>
#include <string.h>

#include "http/problem.h"

void lk_api_etag(lk_req *req, int64_t version) {
  char tag[32];

  snprintf(tag, sizeof(tag), "\"%lld\"", (long long)version);
  lk_req_add_header(req, "ETag", tag);
}

int lk_api_if_match(lk_req *req, const char *what, long long *out) {
  const char *h = lk_req_header(req, "If-Match");
  long long v = 0;
  int digits = 0;
  char detail[96];

  *out = 0;
  if (h == NULL || strcmp(h, "*") == 0)
    return 0;
  if (strncmp(h, "W/", 2) == 0)
    h += 2;
  for (; *h != '\0'; h++) {
    if (*h == '"' || *h == ' ')
      continue;
    /* 15 digits: far beyond any version, and no overflow. */
    if (*h < '0' || *h > '9' || digits >= 15) {
      digits = 0;
      break;
    }
    v = v * 10 + (*h - '0');
    digits++;
  }
  if (digits == 0 || v == 0) {
    snprintf(detail, sizeof(detail), "If-Match must be the %s's version", what);
    lk_req_problem(req, 412, "precondition-failed", "Precondition failed",
                   detail, NULL);
    return -1;
  }
  *out = v;
  return 0;
}
