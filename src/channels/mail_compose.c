/* mail_compose.c - RFC 5322 messages (see mail_compose.h). */
#include "channels/mail_compose.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"

#define QP_LINE_MAX 76
/* An encoded word is at most 75 characters: "=?UTF-8?B?" + 60 + "?=". */
#define WORD_BYTES 45

int lk_mail_address_ok(const char *addr) {
  const char *at;
  size_t n;

  if (addr == NULL)
    return 0;
  n = strlen(addr);
  if (n < 3 || n > 254)
    return 0;
  for (const char *p = addr; *p != '\0'; p++) {
    unsigned char c = (unsigned char)*p;

    if (c <= ' ' || c >= 0x7f || strchr("\"<>(),;:[]\\", c) != NULL)
      return 0;
  }
  at = strchr(addr, '@');
  return at != NULL && at != addr && at[1] != '\0' &&
         strchr(at + 1, '@') == NULL;
}

static bool value_ok(const char *s) {
  return s != NULL && strpbrk(s, "\r\n") == NULL;
}

static bool plain_ascii(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
    if (*p < ' ' || *p >= 0x7f)
      return false;
  return strstr(s, "=?") == NULL;
}

/* How many bytes of `s` (at most `max`) end at a character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max) {
  size_t n;

  if (len <= max)
    return len;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  return n > 0 ? n : max;
}

void lk_mail_header_text(lk_buf *b, const char *s, size_t used) {
  size_t len = strlen(s);

  if (plain_ascii(s)) {
    /* Folds at spaces so lines stay short; a word longer than a line
     * stays whole (RFC 5322 allows up to 998). */
    size_t col = used;
    const char *p = s;

    while (*p != '\0') {
      size_t w = strcspn(p + 1, " ") + 1;

      if (p != s && *p == ' ' && col + w > 78) {
        lk_buf_puts(b, "\r\n");
        col = 0;
      }
      lk_buf_append(b, p, w);
      col += w;
      p += w;
    }
    return;
  }
  for (size_t off = 0; off < len;) {
    size_t n = utf8_cut(s + off, len - off, WORD_BYTES);
    char enc[sodium_base64_ENCODED_LEN(WORD_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];

    sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s + off, n,
                      sodium_base64_VARIANT_ORIGINAL);
    if (off > 0)
      lk_buf_puts(b, "\r\n ");
    lk_buf_printf(b, "=?UTF-8?B?%s?=", enc);
    off += n;
  }
}

void lk_mail_qp(lk_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t col = 0;

  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
    unsigned char c = *p;
    bool eol = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
    char tok[4];
    size_t n;

    if (c == '\r' && p[1] == '\n')
      continue;
    if (c == '\n') {
      lk_buf_puts(b, "\r\n");
      col = 0;
      continue;
    }
    /* Space and tab are literal except at the end of a line, where
     * transports may strip them; a leading '.' is left to SMTP's dot
     * stuffing (libcurl does it). */
    if ((c >= 33 && c <= 126 && c != '=') ||
        ((c == ' ' || c == '\t') && !eol)) {
      tok[0] = (char)c;
      n = 1;
    } else {
      tok[0] = '=';
      tok[1] = hex[c >> 4];
      tok[2] = hex[c & 15];
      n = 3;
    }
    /* Room for the soft break '=' on this line. */
    if (col + n > QP_LINE_MAX - 1 && !(eol && col + n <= QP_LINE_MAX)) {
      lk_buf_puts(b, "=\r\n");
      col = 0;
    }
    lk_buf_append(b, tok, n);
    col += n;
  }
}

static void date_header(lk_buf *b, int64_t ms) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  gmtime_r(&t, &tm);
  lk_buf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
                days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "Name" <addr>, the name quoted or encoded as it needs. */
static void from_header(lk_buf *b, const char *name, const char *addr) {
  lk_buf_puts(b, "From: ");
  if (name != NULL && name[0] != '\0') {
    if (plain_ascii(name)) {
      lk_buf_putc(b, '"');
      for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
          lk_buf_putc(b, '\\');
        lk_buf_putc(b, *p);
      }
      lk_buf_putc(b, '"');
    } else {
      lk_mail_header_text(b, name, 6);
    }
    lk_buf_puts(b, " ");
  }
  lk_buf_printf(b, "<%s>\r\n", addr);
}

static bool header_name_ok(const char *s) {
  if (s == NULL || s[0] == '\0')
    return false;
  for (const char *p = s; *p != '\0'; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
          (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static void part(lk_buf *b, const char *type, const char *body) {
  lk_buf_printf(b,
                "Content-Type: %s; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                type);
  lk_mail_qp(b, body);
  lk_buf_puts(b, "\r\n");
}

static void new_boundary(char boundary[48]) {
  unsigned char rnd[12];

  /* "=_" never occurs in quoted-printable or base64, so no part can hold
   * it. */
  randombytes_buf(rnd, sizeof(rnd));
  memcpy(boundary, "=_loket_", 8);
  sodium_bin2hex(boundary + 8, 48 - 8, rnd, sizeof(rnd));
}

/* The text, or text and HTML as alternatives: headers and body. */
static void body(lk_buf *out, const lk_mail *m) {
  char boundary[48];

  if (m->html == NULL) {
    part(out, "text/plain", m->text);
    return;
  }
  new_boundary(boundary);
  lk_buf_printf(out,
                "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n"
                "\r\nThis is a MIME message.\r\n--%s\r\n",
                boundary, boundary);
  part(out, "text/plain", m->text);
  lk_buf_printf(out, "--%s\r\n", boundary);
  part(out, "text/html", m->html);
  lk_buf_printf(out, "--%s--\r\n", boundary);
}

static bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || strchr("!#$&^_.+-", c) != NULL;
}

static bool media_type_ok(const char *s) {
  const char *slash = s != NULL ? strchr(s, '/') : NULL;

  if (slash == NULL || slash == s || slash[1] == '\0' || strlen(s) > 100)
    return false;
  for (const char *p = s; *p != '\0'; p++)
    if (p != slash && !token_char(*p))
      return false;
  return true;
}

static void attachment(lk_buf *out, const lk_mail_attachment *a) {
  static const char hex[] = "0123456789ABCDEF";
  const char *name =
      a->filename != NULL && a->filename[0] != '\0' ? a->filename : "bijlage";
  char line[80];

  lk_buf_printf(out, "Content-Type: %s\r\n",
                media_type_ok(a->media_type) ? a->media_type
                                             : "application/octet-stream");
  lk_buf_puts(out, "Content-Transfer-Encoding: base64\r\n"
                   "Content-Disposition: attachment;\r\n filename");
  /* A plain name as it is; any other as RFC 2231 UTF-8 only: readers
   * that see both forms may take the lossy one. */
  if (plain_ascii(name) && strpbrk(name, "\"\\") == NULL) {
    lk_buf_printf(out, "=\"%s\"", name);
  } else {
    lk_buf_puts(out, "*=utf-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0';
         p++) {
      if (token_char((char)*p) && *p != '\'' && *p != '%')
        lk_buf_putc(out, (char)*p);
      else
        lk_buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
  }
  lk_buf_puts(out, "\r\n\r\n");
  for (size_t off = 0; off < a->len; off += 57) {
    size_t n = a->len - off < 57 ? a->len - off : 57;

    sodium_bin2base64(line, sizeof(line), a->data + off, n,
                      sodium_base64_VARIANT_ORIGINAL);
    lk_buf_puts(out, line);
    lk_buf_puts(out, "\r\n");
  }
}

int lk_mail_compose(const lk_mail *m, lk_buf *out,
                    char message_id[LK_MAIL_MESSAGE_ID_MAX]) {
  char uuid[LK_UUID_LEN + 1];
  char boundary[48];
  const char *domain;

  if (!lk_mail_address_ok(m->from) || !lk_mail_address_ok(m->to) ||
      !value_ok(m->subject) || m->text == NULL ||
      (m->from_name != NULL && !value_ok(m->from_name)))
    return -1;
  for (size_t i = 0; i < m->nheaders; i++)
    if (!header_name_ok(m->headers[i].name) || !value_ok(m->headers[i].value) ||
        !plain_ascii(m->headers[i].value))
      return -1;
  domain = strchr(m->from, '@') + 1;
  if (m->message_id != NULL) {
    if (!lk_mail_address_ok(m->message_id) ||
        snprintf(message_id, LK_MAIL_MESSAGE_ID_MAX, "<%s>", m->message_id) >=
            LK_MAIL_MESSAGE_ID_MAX)
      return -1;
  } else {
    lk_uuid_new(uuid, m->date_ms);
    if (snprintf(message_id, LK_MAIL_MESSAGE_ID_MAX, "<%s@%s>", uuid, domain) >=
        LK_MAIL_MESSAGE_ID_MAX)
      return -1;
  }

  date_header(out, m->date_ms);
  lk_buf_printf(out, "Message-ID: %s\r\n", message_id);
  from_header(out, m->from_name, m->from);
  lk_buf_printf(out, "To: <%s>\r\n", m->to);
  lk_buf_puts(out, "Subject: ");
  lk_mail_header_text(out, m->subject, 9);
  lk_buf_puts(out, "\r\n");
  /* Extra headers are plain ASCII (checked above); long ones such as a
   * References list of many ids are folded at their spaces. */
  for (size_t i = 0; i < m->nheaders; i++) {
    lk_buf_printf(out, "%s: ", m->headers[i].name);
    lk_mail_header_text(out, m->headers[i].value,
                        strlen(m->headers[i].name) + 2);
    lk_buf_puts(out, "\r\n");
  }
  lk_buf_puts(out, "MIME-Version: 1.0\r\n");
  if (m->nattachments == 0) {
    body(out, m);
    return lk_buf_ok(out) ? 0 : -1;
  }
  new_boundary(boundary);
  lk_buf_printf(out,
                "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n"
                "\r\nThis is a MIME message.\r\n--%s\r\n",
                boundary, boundary);
  body(out, m);
  for (size_t i = 0; i < m->nattachments; i++) {
    lk_buf_printf(out, "--%s\r\n", boundary);
    attachment(out, &m->attachments[i]);
  }
  lk_buf_printf(out, "--%s--\r\n", boundary);
  return lk_buf_ok(out) ? 0 : -1;
}
