/* mail.c - the outbox kind "mail" (see mail.h). */
#include "channels/mail.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/clock.h"

#define HEADERS_MAX 16

int lk_mailer_set_from(lk_mailer *m, const char *from) {
  const char *lt = strrchr(from, '<');
  size_t n;

  m->from_name[0] = '\0';
  if (lt == NULL) {
    if (!lk_mail_address_ok(from) || strlen(from) >= sizeof(m->from))
      return -1;
    memcpy(m->from, from, strlen(from) + 1);
    return 0;
  }
  n = strlen(lt + 1);
  if (n < 2 || lt[n] != '>' || n - 1 >= sizeof(m->from))
    return -1;
  memcpy(m->from, lt + 1, n - 1);
  m->from[n - 1] = '\0';
  if (!lk_mail_address_ok(m->from))
    return -1;
  /* The name: what precedes '<', trimmed and without surrounding quotes. */
  n = (size_t)(lt - from);
  while (n > 0 && from[n - 1] == ' ')
    n--;
  if (n >= 2 && from[0] == '"' && from[n - 1] == '"') {
    from++;
    n -= 2;
  }
  if (n >= sizeof(m->from_name) || memchr(from, '\n', n) != NULL ||
      memchr(from, '\r', n) != NULL)
    return -1;
  memcpy(m->from_name, from, n);
  m->from_name[n] = '\0';
  return 0;
}

lk_outbox_result lk_mailer_result(int smtp) {
  if (smtp == LK_SMTP_SENT)
    return LK_OUTBOX_SENT;
  return smtp == LK_SMTP_PERMANENT ? LK_OUTBOX_PERMANENT : LK_OUTBOX_RETRY;
}

int lk_mailer_deliver(lk_mailer *m, lk_mail *mail, char *detail,
                      size_t detail_len) {
  char message_id[LK_MAIL_MESSAGE_ID_MAX];
  lk_buf msg = LK_BUF_INIT;
  int rc;

  mail->from = m->from;
  mail->from_name = m->from_name[0] != '\0' ? m->from_name : NULL;
  if (mail->date_ms == 0)
    mail->date_ms = lk_clock_real_ms();
  if (lk_mail_compose(mail, &msg, message_id) != 0) {
    lk_buf_free(&msg);
    snprintf(detail, detail_len, "the message cannot be composed");
    return LK_SMTP_PERMANENT;
  }
  rc = lk_smtp_send(&m->smtp,
                    mail->return_path != NULL ? mail->return_path : m->from,
                    mail->to, msg.data, msg.len, detail, detail_len);
  if (rc == LK_SMTP_SENT) {
    /* The Message-ID is what a bounce or a reply will refer to. */
    snprintf(detail, detail_len, "%s", message_id);
  }
  lk_buf_free(&msg);
  return rc;
}

lk_outbox_result lk_mailer_send_fn(void *ud, const char *key,
                                   const char *payload, char *detail,
                                   size_t detail_len) {
  lk_mailer *m = ud;
  lk_mail_header hs[HEADERS_MAX];
  lk_mail mail = {0};
  json_t *j = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
  json_t *headers, *v;
  const char *name;
  int rc;

  (void)key;
  if (!json_is_object(j)) {
    json_decref(j);
    snprintf(detail, detail_len, "the payload is not a JSON object");
    return LK_OUTBOX_PERMANENT;
  }
  mail.to = json_string_value(json_object_get(j, "to"));
  mail.subject = json_string_value(json_object_get(j, "subject"));
  mail.text = json_string_value(json_object_get(j, "text"));
  mail.html = json_string_value(json_object_get(j, "html"));
  headers = json_object_get(j, "headers");
  if (json_is_object(headers)) {
    json_object_foreach(headers, name, v) {
      if (mail.nheaders == HEADERS_MAX || !json_is_string(v))
        break;
      hs[mail.nheaders].name = name;
      hs[mail.nheaders].value = json_string_value(v);
      mail.nheaders++;
    }
    mail.headers = hs;
  }
  if (mail.to == NULL || mail.subject == NULL || mail.text == NULL ||
      (headers != NULL && mail.nheaders != json_object_size(headers))) {
    json_decref(j);
    snprintf(detail, detail_len, "the payload lacks to, subject or text");
    return LK_OUTBOX_PERMANENT;
  }
  rc = lk_mailer_deliver(m, &mail, detail, detail_len);
  json_decref(j);
  return lk_mailer_result(rc);
}
