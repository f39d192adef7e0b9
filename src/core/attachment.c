/* attachment.c - type checks, content-addressed blobs and visibility of
 * attachments; see attachment.h. */
#include "core/attachment.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ids.h"
#include "core/proclog.h"
#include "core/text.h"
#include "util/clock.h"
#include "util/utf8.h"

static bool starts(const unsigned char *d, size_t len, const char *magic,
                   size_t n) {
  return len >= n && memcmp(d, magic, n) == 0;
}

/* Whether `needle` occurs in the first `limit` bytes. */
static bool holds(const unsigned char *d, size_t len, const char *needle,
                  size_t limit) {
  size_t n = strlen(needle);

  if (len > limit)
    len = limit;
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(d + i, needle, n) == 0)
      return true;
  }
  return false;
}

static bool is_zip(const unsigned char *d, size_t len) {
  return starts(d, len, "PK\x03\x04", 4);
}

static bool check_pdf(const unsigned char *d, size_t len) {
  return starts(d, len, "%PDF-", 5);
}
static bool check_png(const unsigned char *d, size_t len) {
  return starts(d, len, "\x89PNG\r\n\x1a\n", 8);
}
static bool check_jpeg(const unsigned char *d, size_t len) {
  return starts(d, len, "\xff\xd8\xff", 3);
}
static bool check_gif(const unsigned char *d, size_t len) {
  return starts(d, len, "GIF87a", 6) || starts(d, len, "GIF89a", 6);
}
static bool check_webp(const unsigned char *d, size_t len) {
  return len >= 12 && memcmp(d, "RIFF", 4) == 0 &&
         memcmp(d + 8, "WEBP", 4) == 0;
}
static bool check_docx(const unsigned char *d, size_t len) {
  return is_zip(d, len) && holds(d, len, "word/", len);
}
static bool check_xlsx(const unsigned char *d, size_t len) {
  return is_zip(d, len) && holds(d, len, "xl/", len);
}
/* ODF puts an uncompressed "mimetype" entry first (ODF 1.2, 3.3). */
static bool check_odt(const unsigned char *d, size_t len) {
  static const char want[] = "mimetypeapplication/vnd.oasis.opendocument.text";

  return is_zip(d, len) && len >= 30 + sizeof(want) - 1 &&
         memcmp(d + 30, want, sizeof(want) - 1) == 0;
}

/* Text that a browser could take for markup is refused even as
 * text/plain: nosniff protects most clients, not every one. */
static bool check_text(const unsigned char *d, size_t len) {
  static const char *const markup[] = {"<!doctype", "<html", "<svg",  "<?xml",
                                       "<script",   "<head", "<body", NULL};
  size_t i = 0;

  if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  if (!lk_utf8_valid((const char *)d + i, len - i))
    return false;
  while (i < len &&
         (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
    i++;
  for (const char *const *m = markup; *m != NULL; m++) {
    size_t n = strlen(*m);

    if (len - i >= n && strncasecmp((const char *)d + i, *m, n) == 0)
      return false;
  }
  return true;
}

static const struct {
  const char *type;
  bool (*check)(const unsigned char *d, size_t len);
} allowed[] = {
    {"application/pdf", check_pdf},
    {"image/png", check_png},
    {"image/jpeg", check_jpeg},
    {"image/gif", check_gif},
    {"image/webp", check_webp},
    {"text/plain", check_text},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     check_docx},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     check_xlsx},
    {"application/vnd.oasis.opendocument.text", check_odt},
};

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* The media type of a Content-Type without parameters, lower-cased. */
static int bare_type(const char *declared, char *out, size_t size) {
  size_t n = 0;

  while (*declared == ' ')
    declared++;
  for (; *declared != '\0' && *declared != ';' && *declared != ' ';
       declared++) {
    if (n + 1 >= size)
      return -1;
    out[n++] =
        (char)((*declared >= 'A' && *declared <= 'Z') ? *declared - 'A' + 'a'
                                                      : *declared);
  }
  out[n] = '\0';
  return n > 0 ? 0 : -1;
}

/* Keeps the last path segment: a name is a name, never a path. */
static const char *base_name(const char *s) {
  const char *slash = strrchr(s, '/');
  const char *back = strrchr(s, '\\');

  if (back != NULL && (slash == NULL || back > slash))
    slash = back;
  return slash != NULL ? slash + 1 : s;
}

int lk_attachment_prepare(lk_attachment_op *op, const lk_conv_caller *caller,
                          const char *declared, const char *filename,
                          const void *data, size_t len, lk_invalid *why) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  char type[LK_MEDIA_TYPE_MAX + 1];
  const char *name;
  int found = -1;

  memset(op, 0, sizeof(*op));
  op->caller = *caller;
  if (declared == NULL || bare_type(declared, type, sizeof(type)) != 0)
    return invalid(why, "/mediaType", "send the file's type as Content-Type");
  for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
    if (strcmp(type, allowed[i].type) == 0)
      found = (int)i;
  }
  if (found < 0)
    return invalid(why, "/mediaType",
                   "this type of file is not accepted (PDF, PNG, JPEG, GIF, "
                   "WebP, plain text, DOCX, XLSX and ODT are)");
  if (len == 0)
    return invalid(why, "/content", "the file is empty");
  if (!allowed[found].check(data, len))
    return invalid(why, "/mediaType",
                   "the file's content is not of the type it claims");
  name =
      base_name(filename != NULL && filename[0] != '\0' ? filename : "bijlage");
  if (!lk_text_ok(name, LK_ATTACHMENT_FILENAME_MAX, false) ||
      strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return invalid(why, "/filename",
                   "must be 1 to 255 bytes of UTF-8 text without control "
                   "characters");
  crypto_hash_sha256(digest, data, len);
  sodium_bin2hex(op->row.sha256, sizeof(op->row.sha256), digest,
                 sizeof(digest));
  lk_uuid_new(op->row.id, lk_clock_real_ms());
  snprintf(op->row.filename, sizeof(op->row.filename), "%s", name);
  snprintf(op->row.media_type, sizeof(op->row.media_type), "%s", type);
  snprintf(op->row.created_by, sizeof(op->row.created_by), "%s", caller->actor);
  op->row.size = (int64_t)len;
  return 0;
}

static int make_dir(const char *path) {
  if (mkdir(path, 0700) == 0 || errno == EEXIST)
    return 0;
  return -errno;
}

static int fsync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc = 0;

  if (fd < 0)
    return -errno;
  if (fsync(fd) != 0)
    rc = -errno;
  close(fd);
  return rc;
}

static int blob_path(const char *data_dir, const char *sha256, char *dir,
                     size_t dsize, char *path, size_t psize) {
  if (snprintf(dir, dsize, "%s/blobs/%.2s", data_dir, sha256) >= (int)dsize ||
      snprintf(path, psize, "%s/%s", dir, sha256) >= (int)psize)
    return -ENAMETOOLONG;
  return 0;
}

int lk_attachment_store_blob(const char *data_dir, const lk_attachment_op *op,
                             const void *data, size_t len) {
  char top[PATH_MAX];
  char dir[PATH_MAX];
  char path[PATH_MAX];
  char tmp[PATH_MAX + 16];
  const char *p = data;
  struct stat st;
  int fd;
  int rc;

  rc =
      blob_path(data_dir, op->row.sha256, dir, sizeof(dir), path, sizeof(path));
  if (rc != 0)
    return rc;
  /* The same bytes are there already: a hash names its content. */
  if (stat(path, &st) == 0 && st.st_size == (off_t)len)
    return 0;
  snprintf(top, sizeof(top), "%s/blobs", data_dir);
  rc = make_dir(top);
  if (rc == 0)
    rc = make_dir(dir);
  if (rc != 0)
    return rc;
  snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
  fd = mkstemp(tmp);
  if (fd < 0)
    return -errno;
  while (len > 0) {
    ssize_t n = write(fd, p, len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = n < 0 ? -errno : -EIO;
      break;
    }
    p += n;
    len -= (size_t)n;
  }
  if (rc == 0 && fsync(fd) != 0)
    rc = -errno;
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && rename(tmp, path) != 0)
    rc = -errno;
  if (rc != 0) {
    unlink(tmp);
    return rc;
  }
  /* The rename itself must be durable before a row names the file. */
  return fsync_dir(dir);
}

int lk_attachment_insert_apply(lk_tx *tx, void *arg) {
  lk_attachment_op *op = arg;

  op->row.created_at = lk_tx_now(tx);
  return lk_store_attachment_insert(tx, &op->row);
}

int lk_attachment_open(lk_store *s, const lk_conv_caller *caller,
                       const char *id, lk_attachment_row *out, int *fd) {
  char dir[PATH_MAX];
  char path[PATH_MAX];
  char resource[64];
  lk_attachment_row a;
  int rc;

  if (id == NULL || strlen(id) != LK_CONV_ID_LEN || !lk_uuid_valid(id))
    return LK_STORE_NOTFOUND;
  rc = lk_store_attachment_get(s, id, &a);
  if (rc != 0)
    return rc;
  if (a.contact_id[0] == '\0') {
    if (strcmp(a.created_by, caller->actor) != 0)
      return LK_STORE_NOTFOUND;
  } else if (a.confidential && !caller->may_confidential) {
    return LK_STORE_NOTFOUND;
  }
  if (a.party_id[0] != '\0') {
    lk_proclog_entry e = {caller->actor,     a.party_id, "read",
                          "klantcontact",    resource,   NULL,
                          caller->request_id};

    snprintf(resource, sizeof(resource), "attachment:%s", a.id);
    rc = lk_proclog_read(s, &e);
    if (rc != 0)
      return rc;
  }
  if (fd != NULL) {
    if (blob_path(lk_store_dir(s), a.sha256, dir, sizeof(dir), path,
                  sizeof(path)) != 0)
      return LK_STORE_IO;
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
      return LK_STORE_IO;
  }
  *out = a;
  return 0;
}

void lk_attachment_json(lk_buf *b, const lk_attachment_row *a) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, a->id);
  lk_buf_puts(b, ",\"sha256\":");
  lk_buf_json_str(b, a->sha256);
  lk_buf_printf(b, ",\"size\":%lld,\"mediaType\":", (long long)a->size);
  lk_buf_json_str(b, a->media_type);
  lk_buf_puts(b, ",\"filename\":");
  lk_buf_json_str(b, a->filename);
  lk_buf_puts(b, ",\"messageId\":");
  if (a->contact_id[0] != '\0')
    lk_buf_json_str(b, a->contact_id);
  else
    lk_buf_puts(b, "null");
  lk_buf_printf(b, ",\"createdAt\":%lld}", (long long)a->created_at);
}

void lk_attachment_disposition(lk_buf *b, const char *filename) {
  static const char hex[] = "0123456789ABCDEF";

  lk_buf_puts(b, "attachment; filename=\"");
  for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
    if (*p >= 0x20 && *p < 0x7f && strchr("\"\\<>;%", *p) == NULL)
      lk_buf_putc(b, (char)*p);
    else if (*p < 0x80 || (*p & 0xc0) == 0xc0)
      lk_buf_putc(b, '_'); /* one '_' per character, not per byte */
  }
  lk_buf_puts(b, "\"; filename*=UTF-8''");
  for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p) != NULL) {
      lk_buf_putc(b, (char)*p);
    } else {
      lk_buf_putc(b, '%');
      lk_buf_putc(b, hex[*p >> 4]);
      lk_buf_putc(b, hex[*p & 15]);
    }
  }
}
