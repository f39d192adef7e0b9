/* fuzz_multipart.c - the multipart/form-data parser against arbitrary
 * input.
 *
 * Input: a first line, the boundary, and the rest as the body.  Whatever
 * the parser accepts must hold: every part named, its data inside the
 * body, no more parts than the limit.
 *
 *   build/fuzz/fuzz/fuzz_multipart -max_total_time=60 fuzz/corpus/multipart
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *nl = memchr(data, '\n', size);
  const char *body;
  char ct[200];
  size_t len, blen;
  static lk_multipart m;

  len = nl != NULL ? (size_t)(nl - (const char *)data) : size;
  if (len > 100)
    return 0;
  snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%.*s", (int)len,
           (const char *)data);
  body = nl != NULL ? nl + 1 : (const char *)data + size;
  blen = size - (size_t)(body - (const char *)data);
  if (lk_multipart_parse(ct, body, blen, &m) != 0)
    return 0;
  assert(m.n >= 0 && m.n <= LK_MULTIPART_MAX);
  for (int i = 0; i < m.n; i++) {
    const lk_part *p = &m.parts[i];

    assert(p->name[0] != '\0');
    assert(strlen(p->name) <= LK_PART_NAME_MAX);
    assert(strlen(p->filename) <= LK_PART_FILENAME_MAX);
    assert(p->data >= body && p->data + p->len <= body + blen);
    assert(lk_multipart_get(&m, p->name) != NULL);
  }
  return 0;
}
