/* mailbox_send.c - replies over a mailbox's SMTP (see mailbox_send.h). */
#include "channels/mailbox_send.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channels/mail.h"
#include "core/attachment.h"
#include "core/mail_outbound.h"
#include "core/mailbox.h"
#include "store/mailboxes.h"
#include "util/clock.h"
#include "util/html.h"

#define ATTACH_MAX LK_CONV_MAX_ATTACHMENTS

struct delivery_op {
  const char *contact;
  const char *state;
};

static int delivery_apply(lk_tx *tx, void *arg) {
  struct delivery_op *op = arg;
  int rc = lk_store_mail_contact_delivery(tx, op->contact, op->state);

  return rc == LK_STORE_NOTFOUND ? 0 : rc;
}

static void set_delivery(lk_store *s, const char *contact, const char *state) {
  struct delivery_op op = {contact, state};

  (void)lk_store_write(s, delivery_apply, &op);
}

/* Reads the blob of attachment `id` into `a`.  Returns 0 or -1. */
static int load_attachment(lk_store *s, const lk_conv_caller *caller,
                           const char *id, lk_attachment_row *row,
                           lk_mail_attachment *a) {
  unsigned char *data;
  size_t got = 0;
  int fd;

  if (lk_attachment_open(s, caller, id, row, &fd) != 0)
    return -1;
  data = malloc(row->size > 0 ? (size_t)row->size : 1);
  while (data != NULL && got < (size_t)row->size) {
    ssize_t r = read(fd, data + got, (size_t)row->size - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  if (data == NULL || got != (size_t)row->size) {
    free(data);
    return -1;
  }
  a->filename = row->filename;
  a->media_type = row->media_type;
  a->data = data;
  a->len = got;
  return 0;
}

/* The text as HTML for mail programs that prefer it: escaped, paragraphs
 * at blank lines, <br> at line ends.  Nothing of the text is markup. */
static void text_html(lk_buf *b, const char *text) {
  lk_buf line = LK_BUF_INIT;
  const char *p = text;

  lk_buf_puts(b, "<!DOCTYPE html><html><body><p>");
  while (*p != '\0') {
    size_t n = strcspn(p, "\n");

    lk_buf_reset(&line);
    lk_buf_append(&line, p, n);
    lk_buf_putc(&line, '\0');
    if (lk_buf_ok(&line))
      lk_html_txt(b, line.data);
    p += n;
    if (*p == '\n') {
      p++;
      if (*p == '\n') {
        while (*p == '\n')
          p++;
        lk_buf_puts(b, "</p>\n<p>");
      } else {
        lk_buf_puts(b, "<br>\n");
      }
    }
  }
  lk_buf_puts(b, "</p></body></html>\n");
  lk_buf_free(&line);
}

static lk_outbox_result send_payload(lk_mailbox_sender *ms, json_t *j,
                                     char *detail, size_t detail_len) {
  const char *mailbox = json_string_value(json_object_get(j, "mailbox"));
  json_t *refs = json_object_get(j, "references");
  json_t *atts = json_object_get(j, "attachments");
  lk_attachment_row *rows = calloc(ATTACH_MAX, sizeof(*rows));
  lk_mail_attachment as[ATTACH_MAX];
  lk_mail_header hs[2];
  lk_conv_caller caller = {.may_confidential = true};
  lk_mailbox_row mb;
  lk_mailer m;
  lk_mail mail = {0};
  lk_buf refbuf = LK_BUF_INIT;
  lk_buf html = LK_BUF_INIT;
  char url[300], err[200], irt[300], rpath[320];
  const char *why;
  size_t i, nas = 0;
  json_t *v;
  int rc;

  memset(&m, 0, sizeof(m));
  if (rows == NULL) {
    snprintf(detail, detail_len, "out of memory");
    return LK_OUTBOX_RETRY;
  }
  if (mailbox == NULL || lk_store_mailbox_get(ms->store, mailbox, &mb) != 0) {
    free(rows);
    snprintf(detail, detail_len, "the mailbox is gone");
    return LK_OUTBOX_PERMANENT;
  }
  if (!mb.enabled) {
    free(rows);
    snprintf(detail, detail_len, "the mailbox is disabled");
    return LK_OUTBOX_RETRY;
  }
  snprintf(url, sizeof(url), "%s://%s:%d",
           strcmp(mb.smtp_tls, "tls") == 0 ? "smtps" : "smtp", mb.smtp_host,
           mb.smtp_port);
  m.smtp.starttls = strcmp(mb.smtp_tls, "starttls") == 0;
  m.smtp.insecure = ms->insecure;
  /* A mailbox set to SMTP without TLS may log in only on a loopback relay
   * (lk_smtp_config_init checks the host): a password never crosses a
   * network in clear. */
  m.smtp.insecure_auth = strcmp(mb.smtp_tls, "none") == 0;
  /* The rule of the API, again for a row written before it held: the
   * first line of any file must not go to an admin-chosen host. */
  if (mb.smtp_user[0] != '\0' &&
      lk_mailbox_secret_path_check(mb.smtp_password_file, &why) != 0) {
    free(rows);
    snprintf(detail, detail_len, "SMTP settings: the SMTP password file %s",
             why);
    return LK_OUTBOX_RETRY;
  }
  if (lk_smtp_config_init(&m.smtp, url, mb.smtp_user,
                          mb.smtp_user[0] != '\0' ? mb.smtp_password_file : "",
                          err, sizeof(err)) != 0) {
    free(rows);
    snprintf(detail, detail_len, "SMTP settings: %s", err);
    return LK_OUTBOX_RETRY; /* an admin can fix the file or the mailbox */
  }
  if (strlen(mb.address) >= sizeof(m.from) ||
      strlen(mb.from_name) >= sizeof(m.from_name)) {
    snprintf(detail, detail_len, "the mailbox address or name is too long");
    free(rows);
    lk_smtp_close(&m.smtp);
    return LK_OUTBOX_PERMANENT;
  }
  memcpy(m.from, mb.address, strlen(mb.address) + 1);
  memcpy(m.from_name, mb.from_name, strlen(mb.from_name) + 1);

  mail.to = json_string_value(json_object_get(j, "to"));
  mail.subject = json_string_value(json_object_get(j, "subject"));
  mail.text = json_string_value(json_object_get(j, "text"));
  mail.message_id = json_string_value(json_object_get(j, "messageId"));
  v = json_object_get(j, "contact");
  if (ms->key != NULL && json_is_string(v) &&
      lk_mail_bounce_address(ms->key, json_string_value(v), mb.address, rpath,
                             sizeof(rpath)) == 0)
    mail.return_path = rpath;
  if (mail.text != NULL) {
    text_html(&html, mail.text);
    mail.html = lk_buf_ok(&html) ? html.data : NULL;
  }
  v = json_object_get(j, "inReplyTo");
  if (json_is_string(v) && json_string_length(v) > 0 &&
      json_string_length(v) < sizeof(irt) - 2) {
    snprintf(irt, sizeof(irt), "<%s>", json_string_value(v));
    hs[mail.nheaders].name = "In-Reply-To";
    hs[mail.nheaders++].value = irt;
  }
  json_array_foreach(refs, i, v) {
    if (json_is_string(v))
      lk_buf_printf(&refbuf, "%s<%s>", refbuf.len > 0 ? " " : "",
                    json_string_value(v));
  }
  if (refbuf.len > 0 && lk_buf_ok(&refbuf)) {
    hs[mail.nheaders].name = "References";
    hs[mail.nheaders++].value = refbuf.data;
  }
  mail.headers = hs;
  snprintf(caller.actor, sizeof(caller.actor), "mail:%s", mb.id);
  json_array_foreach(atts, i, v) {
    if (nas == ATTACH_MAX || !json_is_string(v))
      break;
    if (load_attachment(ms->store, &caller, json_string_value(v), &rows[nas],
                        &as[nas]) != 0) {
      snprintf(detail, detail_len, "an attachment cannot be read");
      rc = LK_SMTP_RETRY;
      goto out;
    }
    nas++;
  }
  mail.attachments = as;
  mail.nattachments = nas;
  if (mail.to == NULL || mail.subject == NULL || mail.text == NULL ||
      mail.message_id == NULL) {
    snprintf(detail, detail_len, "the payload lacks to, subject or text");
    rc = LK_SMTP_PERMANENT;
    goto out;
  }
  rc = lk_mailer_deliver(&m, &mail, detail, detail_len);
out:
  for (size_t k = 0; k < nas; k++)
    free((void *)as[k].data);
  free(rows);
  lk_buf_free(&refbuf);
  lk_buf_free(&html);
  lk_smtp_close(&m.smtp);
  memset(m.smtp.password, 0, sizeof(m.smtp.password));
  return lk_mailer_result(rc);
}

/* True when the outbox will not try the row `key` again after this
 * temporary failure (the rule of core/outbox.c). */
static bool last_attempt(lk_mailbox_sender *ms, const char *key) {
  int max = ms->max_attempts > 0 ? ms->max_attempts : 12;
  int64_t age = ms->max_age_ms > 0 ? ms->max_age_ms : 24 * 3600 * 1000LL;
  lk_outbox_row row;

  if (lk_store_outbox_by_key(ms->store, LK_MAIL_OUTBOX_KIND, key, &row) != 0)
    return false;
  return row.attempts >= max || lk_clock_real_ms() - row.since >= age;
}

lk_outbox_result lk_mailbox_send_fn(void *ud, const char *key,
                                    const char *payload, char *detail,
                                    size_t detail_len) {
  lk_mailbox_sender *ms = ud;
  json_t *j = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
  const char *contact;
  lk_outbox_result r;

  if (!json_is_object(j)) {
    json_decref(j);
    snprintf(detail, detail_len, "the payload is not a JSON object");
    return LK_OUTBOX_PERMANENT;
  }
  r = send_payload(ms, j, detail, detail_len);
  contact = json_string_value(json_object_get(j, "contact"));
  if (contact != NULL && r == LK_OUTBOX_SENT)
    set_delivery(ms->store, contact, "sent");
  else if (contact != NULL && r == LK_OUTBOX_PERMANENT)
    set_delivery(ms->store, contact, "failed");
  else if (contact != NULL && last_attempt(ms, key))
    set_delivery(ms->store, contact, "failed"); /* the outbox gives up */
  json_decref(j);
  return r;
}
