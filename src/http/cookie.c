/* cookie.c - see cookie.h. */
#include "http/cookie.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "http/internal.h"

/* RFC 6265 cookie-octet: visible ASCII but for " , ; and backslash. */
static bool cookie_octet(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' &&
         c != '\\';
}

static bool ows(char c) {
  return c == ' ' || c == '\t';
}

/* Copies the value [v, v+len) into out if it is well formed.  Returns
 * LK_COOKIE_FOUND or LK_COOKIE_MALFORMED. */
static int copy_value(const char *v, size_t len, char *out, size_t size) {
  if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
    v++;
    len -= 2;
  }
  if (len >= size)
    return LK_COOKIE_MALFORMED;
  for (size_t i = 0; i < len; i++) {
    if (!cookie_octet((unsigned char)v[i]))
      return LK_COOKIE_MALFORMED;
  }
  memcpy(out, v, len);
  out[len] = '\0';
  return LK_COOKIE_FOUND;
}

/* Scans one header; `seen` counts matches over several headers and
 * `state` keeps the worst outcome so far. */
static void scan(const char *header, const char *name, char *out, size_t size,
                 int *seen, int *state) {
  size_t want = strlen(name);
  const char *p = header;

  while (*p != '\0') {
    const char *n;
    const char *eq;
    const char *v;
    const char *end;
    size_t nlen;
    size_t vlen;

    while (ows(*p) || *p == ';')
      p++;
    if (*p == '\0')
      break;
    n = p;
    end = strchr(p, ';');
    if (end == NULL)
      end = p + strlen(p);
    p = end;
    eq = memchr(n, '=', (size_t)(end - n));
    if (eq == NULL)
      continue; /* not a pair: ignored, as browsers do */
    nlen = (size_t)(eq - n);
    while (nlen > 0 && ows(n[nlen - 1]))
      nlen--;
    if (nlen != want || memcmp(n, name, want) != 0)
      continue;
    v = eq + 1;
    while (v < end && ows(*v))
      v++;
    vlen = (size_t)(end - v);
    while (vlen > 0 && ows(v[vlen - 1]))
      vlen--;
    if (++*seen > 1) {
      *state = LK_COOKIE_DUPLICATE;
      continue;
    }
    *state = copy_value(v, vlen, out, size);
  }
}

int lk_cookie_find(const char *header, const char *name, char *out,
                   size_t size) {
  int seen = 0;
  int state = LK_COOKIE_NONE;

  if (size == 0)
    return LK_COOKIE_MALFORMED;
  out[0] = '\0';
  scan(header, name, out, size, &seen, &state);
  if (state != LK_COOKIE_FOUND)
    out[0] = '\0';
  return state;
}

struct req_scan {
  const char *name;
  char *out;
  size_t size;
  int seen;
  int state;
};

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value) {
  struct req_scan *rs = cls;

  (void)kind;
  if (key != NULL && value != NULL && strcasecmp(key, "Cookie") == 0)
    scan(value, rs->name, rs->out, rs->size, &rs->seen, &rs->state);
  return MHD_YES;
}

int lk_req_cookie(lk_req *req, const char *name, char *out, size_t size) {
  struct req_scan rs = {name, out, size, 0, LK_COOKIE_NONE};

  if (size == 0)
    return LK_COOKIE_MALFORMED;
  out[0] = '\0';
  MHD_get_connection_values(req->conn, MHD_HEADER_KIND, each_header, &rs);
  if (rs.state != LK_COOKIE_FOUND)
    out[0] = '\0';
  return rs.state;
}

void lk_cookie_format(lk_buf *b, const char *name, const char *value,
                      const lk_cookie_attrs *a) {
  lk_buf_puts(b, name);
  lk_buf_putc(b, '=');
  lk_buf_puts(b, a->clear ? "" : value);
  lk_buf_puts(b, "; Path=");
  lk_buf_puts(b, a->path != NULL ? a->path : "/");
  lk_buf_puts(b, "; HttpOnly; SameSite=");
  lk_buf_puts(b, a->same != NULL ? a->same : "Lax");
  if (a->secure)
    lk_buf_puts(b, "; Secure");
  if (a->clear)
    lk_buf_puts(b, "; Max-Age=0");
}

void lk_req_set_cookie(lk_req *req, const char *name, const char *value,
                       const lk_cookie_attrs *a) {
  lk_buf b = LK_BUF_INIT;

  lk_cookie_format(&b, name, value, a);
  if (lk_buf_ok(&b))
    lk_req_add_header(req, "Set-Cookie", b.data);
  lk_buf_free(&b);
}

/* ---- form fields ------------------------------------------------------ */

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes [s, s+len) into out.  Returns the decoded length, or -1 for a
 * bad escape, a NUL or too little room. */
static long form_decode(const char *s, size_t len, char *out, size_t size) {
  size_t o = 0;

  for (size_t i = 0; i < len; i++) {
    int c = (unsigned char)s[i];

    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
        return -1;
      c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
      i += 2;
    }
    if (c == 0 || o + 1 >= size)
      return -1;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  return (long)o;
}

int lk_form_find(const char *body, size_t len, const char *name, char *out,
                 size_t size) {
  const char *p = body;
  const char *stop = body + len;
  char key[64];

  if (size == 0)
    return LK_COOKIE_MALFORMED;
  out[0] = '\0';
  while (p < stop) {
    const char *amp = memchr(p, '&', (size_t)(stop - p));
    const char *end = amp != NULL ? amp : stop;
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *kend = eq != NULL ? eq : end;

    if (form_decode(p, (size_t)(kend - p), key, sizeof(key)) >= 0 &&
        strcmp(key, name) == 0) {
      if (eq == NULL)
        return LK_COOKIE_FOUND; /* "name" alone: an empty value */
      if (form_decode(eq + 1, (size_t)(end - eq - 1), out, size) < 0) {
        out[0] = '\0';
        return LK_COOKIE_MALFORMED;
      }
      return LK_COOKIE_FOUND;
    }
    p = end + 1;
  }
  return LK_COOKIE_NONE;
}

bool lk_req_is_form(lk_req *req) {
  static const char type[] = "application/x-www-form-urlencoded";
  const char *ct = lk_req_header(req, "Content-Type");
  size_t n = sizeof(type) - 1;

  if (ct == NULL || strncasecmp(ct, type, n) != 0)
    return false;
  return ct[n] == '\0' || ct[n] == ';' || ows(ct[n]);
}

/* ---- the client --------------------------------------------------------- */

/* The last comma-separated entry of X-Forwarded-For, if it is a numeric
 * address. */
static bool forwarded_for(lk_req *req, char *out, size_t size) {
  const char *h = lk_req_header(req, "X-Forwarded-For");
  unsigned char addr[sizeof(struct in6_addr)];
  const char *last;
  size_t n;

  if (h == NULL)
    return false;
  last = strrchr(h, ',');
  last = last != NULL ? last + 1 : h;
  while (ows(*last))
    last++;
  n = strcspn(last, " \t");
  if (n == 0 || n >= size)
    return false;
  memcpy(out, last, n);
  out[n] = '\0';
  if (inet_pton(AF_INET, out, addr) == 1 || inet_pton(AF_INET6, out, addr) == 1)
    return true;
  out[0] = '\0';
  return false;
}

void lk_req_client_address(lk_req *req, bool trust_proxy, char *out,
                           size_t size) {
  const union MHD_ConnectionInfo *ci;
  char addr[INET6_ADDRSTRLEN] = "";

  if (size == 0)
    return;
  out[0] = '\0';
  if (trust_proxy && forwarded_for(req, out, size))
    return;
  ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci != NULL && ci->client_addr != NULL) {
    if (ci->client_addr->sa_family == AF_INET)
      inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr,
                addr, sizeof(addr));
    else if (ci->client_addr->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
                addr, sizeof(addr));
  }
  snprintf(out, size, "%s", addr);
}
