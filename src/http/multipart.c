/* multipart.c - finding the parts of a multipart/form-data body; see
 * multipart.h. */
#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#define BOUNDARY_MAX 70 /* RFC 2046 */
#define HEADERS_MAX 4096

static bool space(char c) {
  return c == ' ' || c == '\t';
}

bool lk_multipart_is(const char *content_type) {
  return content_type != NULL &&
         strncasecmp(content_type, "multipart/form-data", 19) == 0 &&
         (content_type[19] == '\0' || content_type[19] == ';' ||
          space(content_type[19]));
}

/* Reads the value of parameter `name` from a header value's parameters
 * ("; a=b; c=\"d\"") into `out`.  Returns 1 found, 0 not there, -1 too
 * long or malformed. */
static int param(const char *p, const char *end, const char *name, char *out,
                 size_t size) {
  size_t nlen = strlen(name);

  while (p < end) {
    const char *key;
    size_t klen, n = 0;
    bool match;

    while (p < end && (*p == ';' || space(*p)))
      p++;
    key = p;
    while (p < end && *p != '=' && *p != ';')
      p++;
    klen = (size_t)(p - key);
    while (klen > 0 && space(key[klen - 1]))
      klen--;
    if (p >= end || *p == ';')
      continue; /* a parameter without value ("form-data") */
    p++;        /* '=' */
    while (p < end && space(*p))
      p++;
    match = klen == nlen && strncasecmp(key, name, nlen) == 0;
    if (p < end && *p == '"') {
      for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end)
          p++;
        if (match) {
          if (n + 1 >= size)
            return -1;
          out[n++] = *p;
        }
      }
      if (p >= end)
        return -1; /* unterminated */
      p++;
    } else {
      for (; p < end && *p != ';' && !space(*p); p++) {
        if (match) {
          if (n + 1 >= size)
            return -1;
          out[n++] = *p;
        }
      }
    }
    if (match) {
      out[n] = '\0';
      return 1;
    }
  }
  return 0;
}

static const char *find(const char *hay, size_t hlen, const char *needle,
                        size_t nlen) {
  return memmem(hay, hlen, needle, nlen);
}

/* Reads one part's header block [p, end) into `part`. */
static int headers(const char *p, const char *end, lk_part *part) {
  bool disposition = false;

  while (p < end) {
    const char *eol = find(p, (size_t)(end - p), "\r\n", 2);
    const char *colon;

    if (eol == NULL)
      eol = end;
    colon = memchr(p, ':', (size_t)(eol - p));
    if (colon == NULL)
      return LK_MULTIPART_EINVAL;
    if ((size_t)(colon - p) == 19 &&
        strncasecmp(p, "Content-Disposition", 19) == 0) {
      const char *v = colon + 1;
      int rc;

      while (v < eol && space(*v))
        v++;
      if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0)
        return LK_MULTIPART_EINVAL;
      if (param(v + 9, eol, "name", part->name, sizeof(part->name)) != 1)
        return LK_MULTIPART_EINVAL;
      rc =
          param(v + 9, eol, "filename", part->filename, sizeof(part->filename));
      if (rc < 0)
        return LK_MULTIPART_EINVAL;
      part->is_file = rc == 1;
      disposition = true;
    } else if ((size_t)(colon - p) == 12 &&
               strncasecmp(p, "Content-Type", 12) == 0) {
      const char *v = colon + 1;
      size_t n;

      while (v < eol && space(*v))
        v++;
      n = (size_t)(eol - v);
      if (n >= sizeof(part->type))
        return LK_MULTIPART_EINVAL;
      memcpy(part->type, v, n);
      part->type[n] = '\0';
    }
    p = eol + 2;
  }
  return disposition ? 0 : LK_MULTIPART_EINVAL;
}

int lk_multipart_parse(const char *content_type, const char *body, size_t len,
                       lk_multipart *out) {
  char b[BOUNDARY_MAX + 1];
  char delim[BOUNDARY_MAX + 5]; /* "\r\n--" boundary */
  const char *semi, *p, *end = body + len;
  size_t dlen;
  int rc;

  out->n = 0;
  if (!lk_multipart_is(content_type) || body == NULL)
    return LK_MULTIPART_EINVAL;
  semi = strchr(content_type, ';');
  if (semi == NULL ||
      param(semi, semi + strlen(semi), "boundary", b, sizeof(b)) != 1 ||
      b[0] == '\0')
    return LK_MULTIPART_EINVAL;
  memcpy(delim, "\r\n--", 4);
  memcpy(delim + 4, b, strlen(b) + 1);
  dlen = strlen(delim);

  /* The first delimiter may open the body (no CR LF before it). */
  if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
    p = body + dlen - 2;
  } else {
    p = find(body, len, delim, dlen);
    if (p == NULL)
      return LK_MULTIPART_EINVAL;
    p += dlen;
  }
  for (;;) {
    const char *hend, *next;
    lk_part *part;

    /* After a delimiter: "--" closes, CR LF opens a part (transport
     * padding allowed before it). */
    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      return 0;
    while (p < end && space(*p))
      p++;
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
      return LK_MULTIPART_EINVAL;
    p += 2;
    if (out->n == LK_MULTIPART_MAX)
      return LK_MULTIPART_E2BIG;
    part = &out->parts[out->n];
    memset(part, 0, sizeof(*part));
    if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
      hend = p; /* no headers at all */
    } else {
      hend = find(
          p, (size_t)(end - p) < HEADERS_MAX ? (size_t)(end - p) : HEADERS_MAX,
          "\r\n\r\n", 4);
      if (hend == NULL)
        return LK_MULTIPART_EINVAL;
      rc = headers(p, hend, part);
      if (rc != 0)
        return rc;
      hend += 2;
    }
    if (part->name[0] == '\0')
      return LK_MULTIPART_EINVAL;
    p = hend + 2;
    next = find(p, (size_t)(end - p), delim, dlen);
    if (next == NULL)
      return LK_MULTIPART_EINVAL;
    part->data = p;
    part->len = (size_t)(next - p);
    out->n++;
    p = next + dlen;
  }
}

const lk_part *lk_multipart_get(const lk_multipart *m, const char *name) {
  for (int i = 0; i < m->n; i++) {
    if (strcmp(m->parts[i].name, name) == 0)
      return &m->parts[i];
  }
  return NULL;
}
