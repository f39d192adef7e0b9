/* mail_outbound.c - replies into the outbox (see mail_outbound.h). */
#include "core/mail_outbound.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store/mailboxes.h"
#include "store/outbox.h"
#include "util/buf.h"

#define REFERENCES_MAX 10

static _Atomic(const lk_mail_key *) the_key;

void lk_mail_outbound_init(const lk_mail_key *key) {
  atomic_store(&the_key, key);
}

const lk_mail_key *lk_mail_outbound_key(void) {
  return atomic_load(&the_key);
}

struct refs {
  lk_buf *b;
  int n;
  char last_inbound[LK_MAIL_ID_MAX + 1];
  char last[LK_MAIL_ID_MAX + 1];
};

static void ref_id(const char *id, const char *kind, void *ud) {
  struct refs *r = ud;

  lk_buf_puts(r->b, r->n++ > 0 ? "," : "");
  lk_buf_json_str(r->b, id);
  snprintf(r->last, sizeof(r->last), "%s", id);
  if (strcmp(kind, "inbound") == 0)
    snprintf(r->last_inbound, sizeof(r->last_inbound), "%s", id);
}

/* An e-mail conversation that did not come in by mail (an agent opened
 * it): its team's mailbox writes to the party's e-mail address, and the
 * thread is recorded so that the answer comes back to it. */
static int first_mail(lk_tx *tx, const lk_conv_row *c, lk_mailbox_row *mb,
                      char *to, size_t to_size) {
  char key[LK_MAILBOX_TEXT_MAX + 1];
  int rc;

  if (c->team_id[0] == '\0' || c->party_id[0] == '\0')
    return LK_STORE_NOTFOUND;
  rc = lk_store_mailbox_of_team(tx, c->team_id, mb);
  if (rc == 0)
    rc = lk_store_party_email(tx, c->party_id, to, to_size, key, sizeof(key));
  if (rc == 0)
    rc = lk_store_mail_thread_insert(tx, c->id, mb->id, to, key);
  return rc;
}

int lk_mail_outbound_queue(lk_tx *tx, const lk_conv_row *c,
                           const char *contact_id, const char *content,
                           char (*atts)[LK_CONV_ID_LEN + 1], int natts) {
  const lk_mail_key *key = lk_mail_outbound_key();
  char mailbox_id[LK_CONV_ID_LEN + 1];
  char to[LK_MAILBOX_TEXT_MAX + 1];
  char message_id[LK_MAIL_ID_MAX + 1];
  char outbox_key[64];
  lk_mailbox_row mb;
  lk_buf b = LK_BUF_INIT;
  lk_buf subject = LK_BUF_INIT;
  struct refs r = {&b, 0, "", ""};
  int rc;

  if (key == NULL)
    return 0;
  rc = lk_store_mail_thread_get(tx, c->id, mailbox_id, to, sizeof(to));
  if (rc == 0)
    rc = lk_store_mailbox_get_tx(tx, mailbox_id, &mb);
  else if (rc == LK_STORE_NOTFOUND)
    rc = first_mail(tx, c, &mb, to, sizeof(to));
  if (rc == LK_STORE_NOTFOUND)
    return 0; /* no mailbox or no address: stays queued */
  if (rc != 0)
    return rc;
  if (lk_mail_token_message_id(key, c->id, contact_id,
                               strchr(mb.address, '@') + 1, message_id,
                               sizeof(message_id)) != 0)
    return LK_STORE_IO;

  /* What the resident's mail program threads on. */
  if (strncasecmp(c->subject, "re:", 3) != 0)
    lk_buf_puts(&subject, "Re: ");
  lk_buf_puts(&subject, c->subject);
  lk_buf_printf(&subject, " [%s]", c->reference);

  lk_buf_puts(&b, "{\"mailbox\":");
  lk_buf_json_str(&b, mb.id);
  lk_buf_puts(&b, ",\"contact\":");
  lk_buf_json_str(&b, contact_id);
  lk_buf_puts(&b, ",\"to\":");
  lk_buf_json_str(&b, to);
  lk_buf_puts(&b, ",\"subject\":");
  lk_buf_json_str(&b, lk_buf_ok(&subject) ? subject.data : c->subject);
  lk_buf_puts(&b, ",\"text\":");
  lk_buf_json_str(&b, content);
  lk_buf_puts(&b, ",\"messageId\":");
  lk_buf_json_str(&b, message_id);
  lk_buf_puts(&b, ",\"references\":[");
  rc = lk_store_mail_conv_ids(tx, c->id, REFERENCES_MAX, ref_id, &r);
  lk_buf_puts(&b, "],\"inReplyTo\":");
  lk_buf_json_str(&b, r.last_inbound[0] != '\0' ? r.last_inbound : r.last);
  lk_buf_puts(&b, ",\"attachments\":[");
  for (int i = 0; i < natts; i++) {
    lk_buf_puts(&b, i > 0 ? "," : "");
    lk_buf_json_str(&b, atts[i]);
  }
  lk_buf_puts(&b, "]}");
  lk_buf_free(&subject);
  if (rc >= 0 && !lk_buf_ok(&b))
    rc = LK_STORE_NOMEM;
  if (rc >= 0)
    rc = lk_store_mail_contact_set_id(tx, contact_id, message_id);
  snprintf(outbox_key, sizeof(outbox_key), "contact:%s", contact_id);
  if (rc == 0)
    rc = lk_store_outbox_add(tx, LK_MAIL_OUTBOX_KIND, outbox_key, b.data);
  lk_buf_free(&b);
  return rc;
}
