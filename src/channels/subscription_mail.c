/* subscription_mail.c - confirmation and notice mails of Actueel
 * subscriptions (see subscription_mail.h).  The texts are Dutch; every
 * text from the store reaches the HTML part through lk_html_txt(). */
#include "channels/subscription_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proclog.h"
#include "store/notices.h"
#include "util/html.h"

#define ACTOR "system:subscription-mail"

struct built {
  lk_mail mail;
  lk_buf text;
  lk_buf html;
  char subject[300];
  char unsubscribe[700];
  char list_unsubscribe[704];
  lk_mail_header hs[4];
  lk_subscription_row sub;
};

static const char *kind_label(const char *kind) {
  static const struct {
    const char *kind, *label;
  } labels[] = {{"calamiteit", "Calamiteit"},
                {"wegafsluiting", "Wegafsluiting"},
                {"storing", "Storing"},
                {"evenement", "Evenement"}};

  for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
    if (strcmp(kind, labels[i].kind) == 0)
      return labels[i].label;
  return "Melding";
}

static const char *severity_label(const char *s) {
  if (strcmp(s, "waarschuwing") == 0)
    return "Waarschuwing";
  if (strcmp(s, "ernstig") == 0)
    return "Ernstig";
  if (strcmp(s, "zeer-ernstig") == 0)
    return "Zeer ernstig";
  return "Informatie";
}

static void html_begin(lk_buf *h, const char *title) {
  lk_buf_puts(h, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta "
                 "charset=\"utf-8\">\n<title>");
  lk_html_txt(h, title);
  lk_buf_puts(h, "</title>\n</head>\n<body>\n");
}

/* A paragraph in both parts; `link` (may be NULL) follows the text. */
static void para(struct built *b, const char *text, const char *link) {
  lk_buf_puts(&b->text, text);
  lk_buf_puts(&b->html, "<p>");
  lk_html_txt(&b->html, text);
  if (link != NULL) {
    lk_buf_printf(&b->text, "\n%s", link);
    lk_buf_puts(&b->html, "<br>\n<a href=\"");
    lk_html_attr(&b->html, link);
    lk_buf_puts(&b->html, "\">");
    lk_html_txt(&b->html, link);
    lk_buf_puts(&b->html, "</a>");
  }
  lk_buf_puts(&b->text, "\n\n");
  lk_buf_puts(&b->html, "</p>\n");
}

static void build_confirm(lk_sub_mailer *sm, struct built *b) {
  char token[LK_SUB_TOKEN_MAX], link[700], line[400];

  lk_sub_token(sm->key, "bevestigen", b->sub.id, token);
  snprintf(link, sizeof(link), "%s/actueel/abonneren/bevestigen?token=%s",
           sm->public_url, token);
  snprintf(b->subject, sizeof(b->subject),
           "Bevestig uw aanmelding voor meldingen over postcode %s",
           b->sub.postcode);
  html_begin(&b->html, b->subject);
  snprintf(line, sizeof(line),
           "Dit e-mailadres is aangemeld voor e-mails over meldingen "
           "(zoals calamiteiten, wegafsluitingen en storingen) in postcode "
           "%s.",
           b->sub.postcode);
  para(b, line, NULL);
  para(b, "Bevestig uw aanmelding via deze link:", link);
  para(b,
       "De link werkt 7 dagen. Heeft u zich niet aangemeld? Dan hoeft u "
       "niets te doen: zonder bevestiging ontvangt u geen berichten.",
       NULL);
  lk_buf_puts(&b->html, "</body>\n</html>\n");
}

static void build_notice(lk_sub_mailer *sm, struct built *b,
                         const lk_notice_row *n) {
  char token[LK_SUB_TOKEN_MAX], link[700], line[400];

  lk_sub_token(sm->key, "afmelden", b->sub.id, token);
  snprintf(b->unsubscribe, sizeof(b->unsubscribe),
           "%s/actueel/afmelden?token=%s", sm->public_url, token);
  snprintf(b->subject, sizeof(b->subject), "%s: %s", kind_label(n->kind),
           n->title);
  snprintf(link, sizeof(link), "%s/actueel/%s", sm->public_url, n->id);
  html_begin(&b->html, b->subject);
  lk_buf_puts(&b->html, "<h1>");
  lk_html_txt(&b->html, n->title);
  lk_buf_puts(&b->html, "</h1>\n");
  lk_buf_printf(&b->text, "%s\n\n", n->title);
  snprintf(line, sizeof(line), "%s - %s", kind_label(n->kind),
           severity_label(n->severity));
  para(b, line, NULL);
  if (n->body[0] != '\0') {
    /* Lines of the body stay lines: escaped, then <br>. */
    lk_buf_puts(&b->text, n->body);
    lk_buf_puts(&b->text, "\n\n");
    lk_buf_puts(&b->html, "<p>");
    for (const char *p = n->body; *p != '\0';) {
      size_t len = strcspn(p, "\n");
      char *l = strndup(p, len);

      if (l != NULL)
        lk_html_txt(&b->html, l);
      free(l);
      p += len;
      if (*p == '\n') {
        lk_buf_puts(&b->html, "<br>\n");
        p++;
      }
    }
    lk_buf_puts(&b->html, "</p>\n");
  }
  para(b, "De laatste informatie en updates:", link);
  lk_buf_puts(&b->text, "-- \n");
  lk_buf_puts(&b->html, "<hr>\n");
  snprintf(line, sizeof(line),
           "U ontvangt dit bericht omdat u zich heeft aangemeld voor "
           "meldingen over postcode %s.",
           b->sub.postcode);
  para(b, line, NULL);
  para(b, "Afmelden met een klik (voor al uw postcodes):", b->unsubscribe);
  lk_buf_puts(&b->html, "</body>\n</html>\n");
  snprintf(b->list_unsubscribe, sizeof(b->list_unsubscribe), "<%s>",
           b->unsubscribe);
  b->hs[b->mail.nheaders].name = "List-Unsubscribe";
  b->hs[b->mail.nheaders++].value = b->list_unsubscribe;
  /* RFC 8058 one-click needs an HTTPS URI: over plain http a mail
   * program must not POST on its own, so the header is left out (the
   * link and List-Unsubscribe still work). */
  if (strncmp(sm->public_url, "https://", 8) == 0) {
    b->hs[b->mail.nheaders].name = "List-Unsubscribe-Post";
    b->hs[b->mail.nheaders++].value = "List-Unsubscribe=One-Click";
  }
}

/* Reads what the mail needs.  Returns 1 (compose and send), 0 (nothing to
 * send: `detail` says why) or an lk_outbox_result to return at once. */
static int prepare(lk_sub_mailer *sm, const lk_sub_mail *pm, struct built *b,
                   lk_notice_row **notice, char *detail, size_t detail_len) {
  char resource[64];
  lk_proclog_entry e = {ACTOR,    NULL, "read", "actueel-abonnement",
                        resource, NULL, NULL};
  int rc =
      lk_store_subscription_get(sm->store, NULL, pm->subscription, &b->sub);

  if (rc == LK_STORE_NOTFOUND) {
    snprintf(detail, detail_len, "no such subscription");
    return 0;
  }
  if (rc != 0) {
    snprintf(detail, detail_len, "store: %s", lk_store_strerror(rc));
    return 10 + LK_SMTP_RETRY;
  }
  if (strcmp(b->sub.state,
             strcmp(pm->type, "confirm") == 0 ? "pending" : "confirmed") != 0) {
    snprintf(detail, detail_len, "subscription is %s", b->sub.state);
    return 0;
  }
  if (strcmp(pm->type, "notice") == 0) {
    *notice = malloc(sizeof(**notice));
    if (*notice == NULL) {
      snprintf(detail, detail_len, "out of memory");
      return 10 + LK_SMTP_RETRY;
    }
    rc = lk_store_notice_get(sm->store, pm->notice, *notice);
    if (rc != 0 && rc != LK_STORE_NOTFOUND) {
      snprintf(detail, detail_len, "store: %s", lk_store_strerror(rc));
      return 10 + LK_SMTP_RETRY;
    }
    if (rc != 0 || (strcmp((*notice)->status, "published") != 0 &&
                    strcmp((*notice)->status, "ended") != 0)) {
      snprintf(detail, detail_len, "notice no longer public");
      return 0;
    }
  }
  /* Sending uses the address: the processing log says so. */
  snprintf(resource, sizeof(resource), "subscription:%s", b->sub.id);
  if (lk_proclog_read(sm->store, &e) != 0) {
    snprintf(detail, detail_len, "processing log unavailable");
    return 10 + LK_SMTP_RETRY;
  }
  return 1;
}

lk_outbox_result lk_sub_mail_send_fn(void *ud, const char *key,
                                     const char *payload, char *detail,
                                     size_t detail_len) {
  lk_sub_mailer *sm = ud;
  lk_notice_row *notice = NULL;
  lk_sub_mail pm;
  struct built *b;
  int rc;

  (void)key;
  if (lk_sub_mail_parse(payload, &pm) != 0) {
    snprintf(detail, detail_len, "malformed payload");
    return LK_OUTBOX_PERMANENT;
  }
  b = calloc(1, sizeof(*b));
  if (b == NULL) {
    snprintf(detail, detail_len, "out of memory");
    return LK_OUTBOX_RETRY;
  }
  rc = prepare(sm, &pm, b, &notice, detail, detail_len);
  if (rc == 1) {
    b->mail.headers = b->hs;
    b->hs[b->mail.nheaders].name = "Auto-Submitted";
    b->hs[b->mail.nheaders++].value = "auto-generated";
    if (notice != NULL)
      build_notice(sm, b, notice);
    else
      build_confirm(sm, b);
    b->mail.to = b->sub.email;
    b->mail.subject = b->subject;
    b->mail.text = b->text.data;
    b->mail.html = b->html.data;
    if (!lk_buf_ok(&b->text) || !lk_buf_ok(&b->html)) {
      snprintf(detail, detail_len, "out of memory");
      rc = LK_SMTP_RETRY;
    } else {
      rc = lk_mailer_deliver(sm->mailer, &b->mail, detail, detail_len);
    }
  } else if (rc == 0) {
    rc = LK_SMTP_SENT; /* nothing to send: done, `detail` says why */
  } else {
    rc -= 10;
  }
  lk_buf_free(&b->text);
  lk_buf_free(&b->html);
  free(b);
  free(notice);
  return lk_mailer_result(rc);
}
