/* version.h - optimistic concurrency for the versioned PATCH endpoints
 * (notices, notice FAQs): a resource's version N goes out as ETag "N" and
 * comes back in If-Match, so a change made meanwhile is refused with 412
 * instead of being overwritten.
 */
#ifndef LK_API_VERSION_H
#define LK_API_VERSION_H

#include <stdint.h>

#include "http/server.h"

/* Adds the header ETag: "N" for `version` N. */
void lk_api_etag(lk_req *req, int64_t version);
/* Reads If-Match: "3", W/"3" or 3 into *out, 0 when absent or "*" (no
 * precondition).  Returns 0, or answers 412 saying If-Match must be "the
 * <what>'s version" and returns -1. */
int lk_api_if_match(lk_req *req, const char *what, long long *out);

#endif
