/* mail_parse.c - incoming mail taken apart with GMime (see mail_parse.h).
 *
 * GMime does the MIME work: the structure, RFC 2047 words, transfer
 * encodings and charset conversion to UTF-8.  What is left here is policy:
 * which part is the text, what counts as an attachment, and when a mail
 * is noise that must never open a conversation nor be answered.
 */
#include "channels/mail_parse.h"

#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

#define PART_MAX_DEFAULT (10u * 1024 * 1024)
#define TOTAL_MAX_DEFAULT (25u * 1024 * 1024)

void lk_mail_parse_init(void) {
  g_mime_init();
}

/* ---- text --------------------------------------------------------------- */

void lk_mail_clean_text(const char *s, size_t len, bool multiline, size_t max,
                        lk_buf *out) {
  char *z = malloc(len + 1);
  size_t start = out->len;
  size_t i = 0;

  if (z == NULL) {
    lk_buf_append(out, NULL, SIZE_MAX); /* marks the buffer failed */
    return;
  }
  /* NUL bytes cannot be in a C string: they become spaces first. */
  for (size_t k = 0; k < len; k++)
    z[k] = s[k] == '\0' ? ' ' : s[k];
  z[len] = '\0';
  while (i < len) {
    unsigned char c = (unsigned char)z[i];
    size_t n;

    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < len && z[i + 1] == '\n')
        i++;
      i++;
      if (out->len - start + 1 > max)
        break;
      lk_buf_putc(out, multiline ? '\n' : ' ');
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      i++;
      if (c == '\t' && out->len - start + 1 <= max)
        lk_buf_putc(out, multiline ? '\t' : ' ');
      continue;
    }
    n = lk_utf8_valid_prefix((const unsigned char *)z + i);
    if (n == 0) {
      if (out->len - start + 3 > max)
        break;
      lk_buf_puts(out, "\xef\xbf\xbd");
      i++;
      continue;
    }
    /* C1 controls (U+0080..U+009F) are controls too. */
    if (n == 2 && c == 0xc2 && (unsigned char)z[i + 1] < 0xa0) {
      i += 2;
      continue;
    }
    if (out->len - start + n > max)
      break;
    lk_buf_append(out, z + i, n);
    i += n;
  }
  free(z);
  while (out->len > start &&
         (out->data[out->len - 1] == ' ' || out->data[out->len - 1] == '\n' ||
          out->data[out->len - 1] == '\t'))
    out->len--;
  if (out->data != NULL)
    out->data[out->len] = '\0';
}

static bool tag_is(const char *p, const char *name) {
  size_t n = strlen(name);

  return strncasecmp(p, name, n) == 0 &&
         (p[n] == '>' || p[n] == ' ' || p[n] == '/' || p[n] == '\t' ||
          p[n] == '\n' || p[n] == '\r');
}

static void put_codepoint(lk_buf *b, unsigned long cp) {
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
      (cp < 0x20 && cp != '\n' && cp != '\t')) {
    lk_buf_puts(b, "\xef\xbf\xbd");
  } else if (cp < 0x80) {
    lk_buf_putc(b, (char)cp);
  } else if (cp < 0x800) {
    lk_buf_putc(b, (char)(0xc0 | (cp >> 6)));
    lk_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    lk_buf_putc(b, (char)(0xe0 | (cp >> 12)));
    lk_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
    lk_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
  } else {
    lk_buf_putc(b, (char)(0xf0 | (cp >> 18)));
    lk_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
    lk_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
    lk_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
  }
}

/* Decodes the entity at `p` (after '&'); returns the bytes used, 0 if it
 * is none Loket knows (the '&' is then kept as text). */
static size_t entity(const char *p, lk_buf *b) {
  static const struct {
    const char *name;
    unsigned long cp;
  } named[] = {{"amp;", '&'},       {"lt;", '<'},       {"gt;", '>'},
               {"quot;", '"'},      {"apos;", '\''},    {"nbsp;", 0xa0},
               {"euro;", 0x20ac},   {"eacute;", 0xe9},  {"euml;", 0xeb},
               {"iuml;", 0xef},     {"ouml;", 0xf6},    {"uuml;", 0xfc},
               {"egrave;", 0xe8},   {"agrave;", 0xe0},  {"ccedil;", 0xe7},
               {"hellip;", 0x2026}, {"ndash;", 0x2013}, {"mdash;", 0x2014}};

  if (p[0] == '#') {
    const char *q = p + 1;
    int base = 10;
    unsigned long cp = 0;
    int digits = 0;

    if (*q == 'x' || *q == 'X') {
      base = 16;
      q++;
    }
    while (isxdigit((unsigned char)*q) && digits < 8) {
      int d = isdigit((unsigned char)*q)
                  ? *q - '0'
                  : (tolower((unsigned char)*q) - 'a' + 10);
      if (d >= base)
        break;
      cp = cp * (unsigned long)base + (unsigned long)d;
      q++;
      digits++;
    }
    if (digits == 0 || *q != ';')
      return 0;
    put_codepoint(b, cp);
    return (size_t)(q + 1 - p);
  }
  for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
    size_t n = strlen(named[i].name);
    if (strncmp(p, named[i].name, n) == 0) {
      put_codepoint(b, named[i].cp);
      return n;
    }
  }
  return 0;
}

void lk_mail_html_text(const char *html, lk_buf *out) {
  const char *p = html;

  while (*p != '\0') {
    if (*p == '<') {
      const char *q = p + 1;
      bool closing = *q == '/';
      const char *end;

      if (closing)
        q++;
      if (strncmp(p, "<!--", 4) == 0) {
        end = strstr(p + 4, "-->");
        p = end != NULL ? end + 3 : p + strlen(p);
        continue;
      }
      /* Scripts and styles: their content is no text for anyone. */
      if (!closing && (tag_is(q, "script") || tag_is(q, "style") ||
                       tag_is(q, "head") || tag_is(q, "title"))) {
        const char *name = tag_is(q, "script")  ? "</script"
                           : tag_is(q, "style") ? "</style"
                           : tag_is(q, "head")  ? "</head"
                                                : "</title";
        const char *e = strcasestr(q, name);
        end = e != NULL ? strchr(e, '>') : NULL;
        p = end != NULL ? end + 1 : p + strlen(p);
        continue;
      }
      if (tag_is(q, "br") || tag_is(q, "p") || tag_is(q, "div") ||
          tag_is(q, "li") || tag_is(q, "tr") || tag_is(q, "h1") ||
          tag_is(q, "h2") || tag_is(q, "h3") || tag_is(q, "blockquote") ||
          tag_is(q, "table")) {
        /* A line break for a <br>, one at most for a block's edge. */
        bool br = tag_is(q, "br");

        if (out->len > 0 && (br || out->data[out->len - 1] != '\n'))
          lk_buf_putc(out, '\n');
      }
      if (!closing && tag_is(q, "li"))
        lk_buf_puts(out, "- ");
      end = strchr(p, '>');
      p = end != NULL ? end + 1 : p + strlen(p);
      continue;
    }
    if (*p == '&') {
      size_t n = entity(p + 1, out);
      if (n > 0) {
        p += 1 + n;
        continue;
      }
    }
    /* Source line breaks are white space in HTML. */
    if (*p == '\r' || *p == '\n' || *p == '\t') {
      if (out->len > 0 && out->data[out->len - 1] != ' ' &&
          out->data[out->len - 1] != '\n')
        lk_buf_putc(out, ' ');
      p++;
      continue;
    }
    lk_buf_putc(out, *p++);
  }
}

/* ---- headers ------------------------------------------------------------ */

static void copy_id(char *dst, const char *src) {
  size_t n;

  dst[0] = '\0';
  if (src == NULL)
    return;
  while (*src == ' ' || *src == '<')
    src++;
  n = strcspn(src, "> \t\r\n");
  if (n == 0 || n > LK_INMAIL_ID_MAX)
    return;
  memcpy(dst, src, n);
  dst[n] = '\0';
  for (size_t i = 0; i < n; i++) {
    if ((unsigned char)dst[i] <= ' ' || (unsigned char)dst[i] > '~') {
      dst[0] = '\0';
      return;
    }
  }
}

static void add_ref(lk_inmail *m, const char *id) {
  if (m->nrefs == LK_INMAIL_REFS_MAX)
    return;
  copy_id(m->refs[m->nrefs], id);
  if (m->refs[m->nrefs][0] == '\0')
    return;
  for (int i = 0; i < m->nrefs; i++) {
    if (strcmp(m->refs[i], m->refs[m->nrefs]) == 0)
      return;
  }
  m->nrefs++;
}

static void refs(lk_inmail *m, GMimeObject *msg) {
  const char *irt = g_mime_object_get_header(msg, "In-Reply-To");
  const char *rs = g_mime_object_get_header(msg, "References");
  GMimeReferences *list;

  if (irt != NULL) {
    list = g_mime_references_parse(NULL, irt);
    if (list != NULL) {
      if (g_mime_references_length(list) > 0)
        add_ref(m, g_mime_references_get_message_id(list, 0));
      g_mime_references_free(list);
    }
  }
  if (rs != NULL) {
    list = g_mime_references_parse(NULL, rs);
    if (list != NULL) {
      for (int i = g_mime_references_length(list) - 1; i >= 0; i--)
        add_ref(m, g_mime_references_get_message_id(list, i));
      g_mime_references_free(list);
    }
  }
}

/* The header's first word, lower-cased, into `out`. */
static void header_word(GMimeObject *o, const char *name, char *out,
                        size_t size) {
  const char *v = g_mime_object_get_header(o, name);
  size_t n = 0;

  out[0] = '\0';
  if (v == NULL)
    return;
  while (*v == ' ' || *v == '\t')
    v++;
  while (*v != '\0' && *v != ';' && *v != ' ' && n + 1 < size)
    out[n++] = (char)tolower((unsigned char)*v++);
  out[n] = '\0';
}

/* ---- Authentication-Results (RFC 8601) ------------------------------ */

/* `d` (a domain, any case) is `from` or a parent domain of it, and has a
 * dot: relaxed alignment without a public-suffix list, erring on the
 * side of "not aligned". */
static bool aligned(const char *d, size_t dn, const char *from) {
  size_t fn = strlen(from);

  if (dn == 0 || memchr(d, '.', dn) == NULL || dn > fn)
    return false;
  if (strncasecmp(from + fn - dn, d, dn) != 0)
    return false;
  return dn == fn || from[fn - dn - 1] == '.';
}

/* The value of property `name` ("header.d") in the resinfo `r` (`n`
 * bytes): its start and length, or NULL. */
static const char *prop(const char *r, size_t n, const char *name,
                        size_t *len) {
  size_t nl = strlen(name);

  for (size_t i = 0; i + nl < n; i++) {
    if ((i == 0 || r[i - 1] == ' ') && strncasecmp(r + i, name, nl) == 0 &&
        r[i + nl] == '=') {
      const char *v = r + i + nl + 1;
      size_t k = 0;

      while (v + k < r + n && v[k] != ' ')
        k++;
      if (k >= 2 && v[0] == '"' && v[k - 1] == '"') {
        v++;
        k -= 2;
      }
      *len = k;
      return v;
    }
  }
  return NULL;
}

bool lk_mail_authres_proven(const char *value, const char *authserv_id,
                            const char *from_domain) {
  char buf[2048];
  size_t n = 0, i = 0, id_len;
  int depth = 0;
  bool proven = false;

  if (value == NULL || authserv_id == NULL || authserv_id[0] == '\0' ||
      from_domain == NULL || from_domain[0] == '\0')
    return false;
  /* Comments out, white space (folding included) as one space. */
  for (const char *p = value; *p != '\0' && n + 1 < sizeof(buf); p++) {
    if (*p == '(')
      depth++;
    else if (*p == ')' && depth > 0)
      depth--;
    else if (depth > 0)
      continue;
    else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
      if (n > 0 && buf[n - 1] != ' ')
        buf[n++] = ' ';
    } else
      buf[n++] = *p;
  }
  buf[n] = '\0';
  /* authserv-id [version] ";" */
  while (buf[i] == ' ')
    i++;
  id_len = strcspn(buf + i, " ;");
  if (id_len != strlen(authserv_id) ||
      strncasecmp(buf + i, authserv_id, id_len) != 0)
    return false;
  i += strcspn(buf + i, ";");
  while (buf[i] == ';' && !proven) {
    const char *r = buf + ++i;
    size_t rn = strcspn(r, ";"), dl = 0;
    const char *d;

    while (rn > 0 && *r == ' ') {
      r++;
      rn--;
    }
    i = (size_t)(r - buf) + rn;
    if (strncasecmp(r, "dmarc=pass", 10) == 0 && (r[10] == ' ' || rn == 10)) {
      d = prop(r, rn, "header.from", &dl);
      proven = d == NULL || aligned(d, dl, from_domain);
    } else if (strncasecmp(r, "dkim=pass", 9) == 0 &&
               (r[9] == ' ' || rn == 9)) {
      d = prop(r, rn, "header.d", &dl);
      proven = d != NULL && aligned(d, dl, from_domain);
    } else if (strncasecmp(r, "spf=pass", 8) == 0 && (r[8] == ' ' || rn == 8)) {
      d = prop(r, rn, "smtp.mailfrom", &dl);
      if (d != NULL && memchr(d, '@', dl) != NULL) {
        const char *at = memchr(d, '@', dl);

        dl -= (size_t)(at + 1 - d);
        d = at + 1;
      }
      proven = d != NULL && aligned(d, dl, from_domain);
    }
  }
  return proven;
}

/* Whether the sender's From: domain is proven by the FIRST
 * Authentication-Results header of `authserv_id` (the one the trusted
 * server put on top; it must remove any that claim its id). */
static bool from_proven(GMimeObject *msg, const char *authserv_id,
                        const char *from) {
  GMimeHeaderList *hl = g_mime_object_get_header_list(msg);
  const char *at = strrchr(from, '@');
  char id[256];
  int count;

  if (hl == NULL || at == NULL || authserv_id == NULL || authserv_id[0] == '\0')
    return false;
  count = g_mime_header_list_get_count(hl);
  for (int i = 0; i < count; i++) {
    GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
    const char *name = g_mime_header_get_name(h);
    const char *v = g_mime_header_get_raw_value(h);
    size_t k = 0;

    if (name == NULL || v == NULL ||
        strcasecmp(name, "Authentication-Results") != 0)
      continue;
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
      v++;
    while (v[k] != '\0' && strchr(" \t\r\n;(", v[k]) == NULL &&
           k + 1 < sizeof(id))
      k++;
    memcpy(id, v, k);
    id[k] = '\0';
    if (strcasecmp(id, authserv_id) != 0)
      continue;
    return lk_mail_authres_proven(v, authserv_id, at + 1);
  }
  return false;
}

/* The bounce addresses (local+lkb-TOKEN@domain, core/mail_token.h) a
 * mail was delivered to, from the headers that name its envelope
 * recipient (Delivered-To, X-Original-To) and its To:. */
static void bounce_rcpts(lk_inmail *m, GMimeObject *msg) {
  static const char *const names[] = {"Delivered-To", "X-Original-To",
                                      "Envelope-To", "To"};
  GMimeHeaderList *hl = g_mime_object_get_header_list(msg);
  int count = hl != NULL ? g_mime_header_list_get_count(hl) : 0;

  for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
    for (int i = 0; i < count && m->nbounce_rcpts < LK_INMAIL_BOUNCE_MAX; i++) {
      GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
      const char *name = g_mime_header_get_name(h);
      const char *v = g_mime_header_get_raw_value(h);
      const char *p = v;

      if (name == NULL || v == NULL || strcasecmp(name, names[k]) != 0)
        continue;
      while ((p = strcasestr(p, "+lkb-")) != NULL &&
             m->nbounce_rcpts < LK_INMAIL_BOUNCE_MAX) {
        const char *a = p, *e = p;
        size_t n;

        while (a > v && strchr(" \t\r\n<>,;:\"()", a[-1]) == NULL)
          a--;
        while (*e != '\0' && strchr(" \t\r\n<>,;:\"()", *e) == NULL)
          e++;
        n = (size_t)(e - a);
        if (n < sizeof(m->bounce_rcpts[0])) {
          memcpy(m->bounce_rcpts[m->nbounce_rcpts], a, n);
          m->bounce_rcpts[m->nbounce_rcpts++][n] = '\0';
        }
        p = e;
      }
    }
  }
}

/* multipart/report (RFC 6522): delivery and disposition notifications. */
static bool is_report(GMimeObject *msg) {
  GMimeObject *body = g_mime_message_get_mime_part(GMIME_MESSAGE(msg));
  GMimeContentType *ct =
      body != NULL ? g_mime_object_get_content_type(body) : NULL;

  return ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report");
}

static const char *noise_of(GMimeObject *msg) {
  char w[32];

  if (g_mime_object_get_header(msg, "Auto-Submitted") != NULL) {
    header_word(msg, "Auto-Submitted", w, sizeof(w));
    if (strcmp(w, "no") != 0)
      return "auto-submitted";
  }
  if (g_mime_object_get_header(msg, "X-Autoreply") != NULL ||
      g_mime_object_get_header(msg, "X-Autorespond") != NULL)
    return "autoreply";
  header_word(msg, "Precedence", w, sizeof(w));
  if (strcmp(w, "bulk") == 0 || strcmp(w, "junk") == 0 ||
      strcmp(w, "list") == 0)
    return "precedence";
  if (is_report(msg))
    return "report";
  {
    const char *rp = g_mime_object_get_header(msg, "Return-Path");
    if (rp != NULL) {
      while (*rp == ' ')
        rp++;
      if (strncmp(rp, "<>", 2) == 0)
        return "null-sender";
    }
  }
  return NULL;
}

/* ---- the body ----------------------------------------------------------- */

struct walk {
  lk_inmail *m;
  const lk_inmail_limits *lim;
  size_t total;
  lk_buf plain;
  lk_buf html;
  bool have_plain;
  bool have_html;
  bool dsn_failed;
  char dsn_id[LK_INMAIL_ID_MAX + 1];
};

static void part_bytes(GMimePart *part, GByteArray **out, GMimeStream **mem) {
  GMimeDataWrapper *dw = g_mime_part_get_content(part);

  *mem = g_mime_stream_mem_new();
  *out = NULL;
  if (dw == NULL)
    return;
  g_mime_data_wrapper_write_to_stream(dw, *mem);
  *out = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(*mem));
}

/* Labels under which WHATWG (and every mail program) decodes
 * windows-1252: senders write cp1252's euro sign and curly quotes into
 * mail they call iso-8859-1 or us-ascii, or label nothing at all. */
static bool cp1252_label(const char *cs) {
  static const char *const names[] = {
      "us-ascii",       "ascii",      "iso-8859-1",   "iso8859-1",
      "iso_8859-1",     "latin1",     "l1",           "cp819",
      "ibm819",         "iso-ir-100", "iso88591",     "iso_8859-1:1987",
      "ansi_x3.4-1968", "x-cp1252",   "windows-1252", "cp1252"};

  if (cs == NULL)
    return true;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcasecmp(cs, names[i]) == 0)
      return true;
  return false;
}

/* windows-1252 as WHATWG defines it: 0x80-0x9f per the table (the five
 * unassigned bytes become C1 controls, dropped later), the rest Latin-1. */
static void put_cp1252(lk_buf *b, const unsigned char *p, size_t n) {
  static const unsigned short c1[32] = {
      0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
      0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
      0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
      0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};

  for (size_t i = 0; i < n; i++) {
    unsigned cp = p[i] >= 0x80 && p[i] < 0xa0 ? c1[p[i] - 0x80] : p[i];

    if (cp < 0x80) {
      lk_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
      lk_buf_putc(b, (char)(0xc0 | (cp >> 6)));
      lk_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
      lk_buf_putc(b, (char)(0xe0 | (cp >> 12)));
      lk_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
      lk_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
  }
}

/* The text of a text part as UTF-8 into `dst`.  GMime converts real
 * charsets; the Latin-1 and ASCII labels (and none) are decoded here as
 * windows-1252, except that unlabelled text that is valid UTF-8 is taken
 * as UTF-8 (what such mail nearly always is today). */
static void part_text(GMimeObject *obj, lk_buf *dst) {
  const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
  GByteArray *ba;
  GMimeStream *mem;
  char *t;

  if (!cp1252_label(cs)) {
    t = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));
    if (t != NULL)
      lk_buf_puts(dst, t);
    g_free(t);
    return;
  }
  part_bytes(GMIME_PART(obj), &ba, &mem);
  if (ba != NULL) {
    if (cs == NULL &&
        g_utf8_validate((const char *)ba->data, (gssize)ba->len, NULL))
      lk_buf_append(dst, ba->data, ba->len);
    else
      put_cp1252(dst, ba->data, ba->len);
  }
  g_object_unref(mem);
}

/* Adds one part of `len` bytes, or counts it as dropped (over a limit,
 * empty, no room). */
static void add_part(struct walk *w, const unsigned char *data, size_t len,
                     const char *mt, const char *fname) {
  lk_inmail_part *p;
  lk_buf name = LK_BUF_INIT;

  if (w->m->nparts == LK_INMAIL_ATTACH_MAX || data == NULL || len == 0 ||
      len > w->lim->part_max || w->total + len > w->lim->total_max) {
    w->m->dropped++;
    return;
  }
  p = &w->m->parts[w->m->nparts];
  p->data = malloc(len);
  if (p->data == NULL) {
    w->m->dropped++;
    return;
  }
  memcpy(p->data, data, len);
  p->len = len;
  w->total += len;
  snprintf(p->media_type, sizeof(p->media_type), "%s",
           mt != NULL ? mt : "application/octet-stream");
  for (char *c = p->media_type; *c != '\0'; c++)
    *c = (char)tolower((unsigned char)*c);
  if (fname != NULL)
    lk_mail_clean_text(fname, strlen(fname), false, sizeof(p->filename) - 1,
                       &name);
  snprintf(p->filename, sizeof(p->filename), "%s",
           name.len > 0 && lk_buf_ok(&name) ? name.data : "bijlage");
  lk_buf_free(&name);
  w->m->nparts++;
}

static void keep_attachment(struct walk *w, GMimeObject *obj) {
  GMimeContentType *ct = g_mime_object_get_content_type(obj);
  const char *fname = g_mime_part_get_filename(GMIME_PART(obj));
  char *mt = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
  GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));
  GMimeStream *enc = dw != NULL ? g_mime_data_wrapper_get_stream(dw) : NULL;
  gint64 elen = enc != NULL ? g_mime_stream_length(enc) : -1;
  GByteArray *ba;
  GMimeStream *mem;

  /* Decoding never shrinks a part below a third of its encoded size
   * (quoted-printable's =XX); past three times the room left it is over
   * the limit without being decoded at all. */
  if (w->m->nparts == LK_INMAIL_ATTACH_MAX ||
      (elen > 0 &&
       ((uint64_t)elen > 3 * (uint64_t)w->lim->part_max ||
        (uint64_t)elen > 3 * (uint64_t)(w->lim->total_max - w->total)))) {
    w->m->dropped++;
    g_free(mt);
    return;
  }
  part_bytes(GMIME_PART(obj), &ba, &mem);
  add_part(w, ba != NULL ? ba->data : NULL, ba != NULL ? ba->len : 0, mt,
           fname);
  g_object_unref(mem);
  g_free(mt);
}

/* A forwarded message (message/rfc822, "forward as attachment") is kept
 * whole as a bijlage "<subject>.eml".  It goes in as text/plain, the one
 * allowed type its bytes are (core/attachment.c): the agent can read it
 * and no browser renders it; if it is no valid UTF-8 the upload rules
 * refuse it and the message's note counts it. */
static void keep_message(struct walk *w, GMimeMessage *inner) {
  const char *subject;
  GMimeStream *mem;
  GByteArray *ba;
  char name[120];
  size_t n, k;

  if (inner == NULL) {
    w->m->dropped++;
    return;
  }
  subject = g_mime_message_get_subject(inner);
  snprintf(name, sizeof(name) - 4, "%s",
           subject != NULL && subject[0] != '\0' ? subject : "doorgestuurd");
  for (char *c = name; *c != '\0'; c++)
    if (*c == '/' || *c == '\\')
      *c = '-';
  n = strlen(name);
  /* snprintf may have cut the last UTF-8 sequence in two: drop it. */
  k = n;
  while (k > 0 && ((unsigned char)name[k - 1] & 0xc0) == 0x80)
    k--;
  if (k > 0 && ((unsigned char)name[k - 1] & 0x80) != 0 &&
      lk_utf8_valid_prefix((const unsigned char *)name + k - 1) != n - k + 1)
    n = k - 1;
  memcpy(name + n, ".eml", 5);
  mem = g_mime_stream_mem_new();
  g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
  ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
  add_part(w, ba != NULL ? ba->data : NULL, ba != NULL ? ba->len : 0,
           "text/plain", name);
  g_object_unref(mem);
}

static void dsn_status(struct walk *w, GMimeObject *obj) {
  char *s = g_mime_object_to_string(obj, NULL);

  if (s == NULL)
    return;
  for (char *c = s; *c != '\0'; c++)
    *c = (char)tolower((unsigned char)*c);
  /* "Action: failed" in a per-recipient block (RFC 3464). */
  for (char *a = strstr(s, "action:"); a != NULL;
       a = strstr(a + 7, "action:")) {
    char *v = a + 7;
    while (*v == ' ' || *v == '\t')
      v++;
    if (strncmp(v, "failed", 6) == 0)
      w->dsn_failed = true;
  }
  g_free(s);
}

static void walk(struct walk *w, GMimeObject *obj, int depth) {
  GMimeContentType *ct = g_mime_object_get_content_type(obj);
  GMimeContentDisposition *cd;

  if (depth > 20)
    return;
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart *mp = GMIME_MULTIPART(obj);
    int n = g_mime_multipart_get_count(mp);

    for (int i = 0; i < n; i++)
      walk(w, g_mime_multipart_get_part(mp, i), depth + 1);
    return;
  }
  if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage *inner =
        g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
    /* In a report, the message that bounced (RFC 3462). */
    if (inner != NULL && w->dsn_id[0] == '\0')
      copy_id(w->dsn_id, g_mime_message_get_message_id(inner));
    if (ct != NULL &&
        g_mime_content_type_is_type(ct, "message", "delivery-status"))
      dsn_status(w, obj);
    else if (w->m->noise == NULL) /* a report's returned mail is no bijlage */
      keep_message(w, inner);
    return;
  }
  if (!GMIME_IS_PART(obj) || ct == NULL)
    return;
  if (g_mime_content_type_is_type(ct, "message", "delivery-status")) {
    dsn_status(w, obj);
    return;
  }
  if (g_mime_content_type_is_type(ct, "text", "rfc822-headers")) {
    GByteArray *ba;
    GMimeStream *mem;

    part_bytes(GMIME_PART(obj), &ba, &mem);
    if (ba != NULL && w->dsn_id[0] == '\0') {
      GMimeStream *s =
          g_mime_stream_mem_new_with_buffer((const char *)ba->data, ba->len);
      GMimeParser *parser = g_mime_parser_new_with_stream(s);
      GMimeMessage *hm = g_mime_parser_construct_message(parser, NULL);

      if (hm != NULL) {
        copy_id(w->dsn_id, g_mime_message_get_message_id(hm));
        g_object_unref(hm);
      }
      g_object_unref(parser);
      g_object_unref(s);
    }
    g_object_unref(mem);
    return;
  }
  cd = g_mime_object_get_content_disposition(obj);
  if (GMIME_IS_TEXT_PART(obj) &&
      (cd == NULL || !g_mime_content_disposition_is_attachment(cd)) &&
      g_mime_part_get_filename(GMIME_PART(obj)) == NULL) {
    bool plain = g_mime_content_type_is_type(ct, "text", "plain");
    bool html = g_mime_content_type_is_type(ct, "text", "html");

    if ((plain && !w->have_plain) || (html && !w->have_html)) {
      part_text(obj, plain ? &w->plain : &w->html);
      if (plain)
        w->have_plain = true;
      else
        w->have_html = true;
      return;
    }
  }
  keep_attachment(w, obj);
}

static void fallback_id(lk_inmail *m, const char *raw, size_t len) {
  unsigned char h[32];
  char hex[65];

  crypto_hash_sha256(h, (const unsigned char *)raw, len);
  sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
  snprintf(m->message_id, sizeof(m->message_id), "sha256-%s@loket.invalid",
           hex);
}

int lk_mail_parse(const char *raw, size_t len, const lk_inmail_limits *limits,
                  lk_inmail *m) {
  lk_inmail_limits lim = {PART_MAX_DEFAULT, TOTAL_MAX_DEFAULT, NULL};
  struct walk w = {0};
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *msg;
  InternetAddressList *from;
  GMimeObject *body;
  lk_buf t = LK_BUF_INIT;
  const char *subject;

  memset(m, 0, sizeof(*m));
  if (limits != NULL && limits->part_max > 0)
    lim.part_max = limits->part_max;
  if (limits != NULL && limits->total_max > 0)
    lim.total_max = limits->total_max;
  stream = g_mime_stream_mem_new_with_buffer(raw, len);
  parser = g_mime_parser_new_with_stream(stream);
  msg = g_mime_parser_construct_message(parser, NULL);
  g_object_unref(parser);
  g_object_unref(stream);
  if (msg == NULL) {
    fallback_id(m, raw, len); /* for the "unreadable" note */
    return -1;
  }

  copy_id(m->message_id, g_mime_message_get_message_id(msg));
  if (m->message_id[0] == '\0')
    fallback_id(m, raw, len);
  refs(m, GMIME_OBJECT(msg));
  from = g_mime_message_get_from(msg);
  if (from != NULL && internet_address_list_length(from) > 0) {
    InternetAddress *ia = internet_address_list_get_address(from, 0);

    if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
      const char *addr =
          internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
      const char *name = internet_address_get_name(ia);
      lk_buf nb = LK_BUF_INIT;

      if (addr != NULL && strlen(addr) < sizeof(m->from) &&
          strpbrk(addr, " \t\r\n") == NULL)
        memcpy(m->from, addr, strlen(addr) + 1);
      if (name != NULL)
        lk_mail_clean_text(name, strlen(name), false, sizeof(m->from_name) - 1,
                           &nb);
      if (nb.len == 0)
        lk_mail_clean_text(m->from, strlen(m->from), false,
                           sizeof(m->from_name) - 1, &nb);
      if (nb.len > 0 && lk_buf_ok(&nb))
        memcpy(m->from_name, nb.data, nb.len + 1);
      lk_buf_free(&nb);
    }
  }
  subject = g_mime_message_get_subject(msg);
  if (subject != NULL) {
    lk_mail_clean_text(subject, strlen(subject), false, LK_INMAIL_SUBJECT_MAX,
                       &t);
    if (lk_buf_ok(&t) && t.len > 0)
      memcpy(m->subject, t.data, t.len + 1);
    lk_buf_reset(&t);
  }
  m->noise = noise_of(GMIME_OBJECT(msg));
  if (m->from[0] != '\0' && limits != NULL)
    m->from_proven =
        from_proven(GMIME_OBJECT(msg), limits->authserv_id, m->from);

  w.m = m;
  w.lim = &lim;
  body = g_mime_message_get_mime_part(msg);
  if (body != NULL)
    walk(&w, body, 0);
  /* A report also says Auto-Submitted (RFC 3834): the content type
   * decides. */
  if (m->noise != NULL && is_report(GMIME_OBJECT(msg)) && w.dsn_failed) {
    m->dsn_failed = true;
    memcpy(m->bounced_id, w.dsn_id, sizeof(m->bounced_id));
    bounce_rcpts(m, GMIME_OBJECT(msg));
  }

  if (w.have_plain && w.plain.len > 0) {
    lk_mail_clean_text(w.plain.data, w.plain.len, true, LK_INMAIL_TEXT_MAX, &t);
  } else if (w.have_html && w.html.len > 0) {
    lk_buf txt = LK_BUF_INIT;

    lk_buf_putc(&w.html, '\0');
    lk_mail_html_text(w.html.data, &txt);
    if (txt.len > 0)
      lk_mail_clean_text(txt.data, txt.len, true, LK_INMAIL_TEXT_MAX, &t);
    lk_buf_free(&txt);
  }
  if (t.len == 0)
    lk_buf_puts(&t, "(geen tekst)");
  lk_buf_free(&w.plain);
  lk_buf_free(&w.html);
  g_object_unref(msg);
  m->text = lk_buf_steal(&t);
  return m->text != NULL ? 0 : -ENOMEM;
}

void lk_inmail_free(lk_inmail *m) {
  for (int i = 0; i < m->nparts; i++)
    free(m->parts[i].data);
  m->nparts = 0;
  free(m->text);
  m->text = NULL;
}
