/* chat.c - live chat and call-me-back (core/chat.h). */
#include "core/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/contact_address.h"
#include "core/ids.h"
#include "core/text.h"
#include "store/outbox.h"
#include "store/proclog.h"
#include "util/clock.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

static bool given(const char *s) {
  return s != NULL && s[0] != '\0';
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

void lk_chat_caller(lk_conv_caller *c, const char *request_id) {
  memset(c, 0, sizeof(*c));
  copy(c->actor, sizeof(c->actor), LK_CHAT_ACTOR);
  copy(c->request_id, sizeof(c->request_id), request_id);
  /* The session holder is the resident: a chat made confidential by their
   * own geheimhouding is still theirs to read and write (as the status
   * link, pages/contact_status.c); what staff marked confidential stays
   * hidden by the contact's own flag (store/chat.c). */
  c->may_confidential = true;
}

static int emit(lk_tx *tx, const char *type, const char *subject, lk_buf *b) {
  int rc;

  if (!lk_buf_ok(b)) {
    lk_buf_free(b);
    return LK_STORE_NOMEM;
  }
  rc = lk_tx_emit(tx, type, subject, b->data);
  lk_buf_free(b);
  return rc;
}

/* {"conversationId":..,"by":..[,"agentId":..][,"seq":..]} and the
 * confidential flag the stream filters on. */
static int emit_signal(lk_tx *tx, const char *type, const lk_chat_signal_op *op,
                       bool confidential, bool with_seq) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "{\"conversationId\":");
  lk_buf_json_str(&b, op->conversation_id);
  lk_buf_puts(&b, op->agent ? ",\"by\":\"agent\"" : ",\"by\":\"resident\"");
  if (op->agent && op->agent_id[0] != '\0') {
    lk_buf_puts(&b, ",\"agentId\":");
    lk_buf_json_str(&b, op->agent_id);
  }
  if (with_seq)
    lk_buf_printf(&b, ",\"seq\":%lld", (long long)op->seq);
  lk_buf_puts(&b, confidential ? ",\"confidential\":true}" : "}");
  return emit(tx, type, op->conversation_id, &b);
}

/* ---- starting ------------------------------------------------------- */

int lk_chat_start_prepare(lk_chat_start_op *op, const char *request_id,
                          const char *name, const char *email, const char *text,
                          lk_invalid *why) {
  lk_conv_create_in in = {0};
  lk_conv_caller caller;
  int rc;

  memset(op, 0, sizeof(*op));
  if (given(name) && !lk_text_ok(name, LK_CONV_NAME_MAX, false))
    return invalid(why, "/name", "must be at most 200 bytes of text");
  if (given(email)) {
    char key[LK_ADDRESS_KEY_MAX + 1];

    if (lk_address_key("email", email, key, sizeof(key)) != 0)
      return invalid(why, "/email", "must be an e-mail address");
  }
  if (!given(text) || text[strspn(text, " \n\t")] == '\0' ||
      !lk_text_ok(text, LK_CHAT_TEXT_MAX, true))
    return invalid(why, "/text", "must be 1-4000 bytes of text");
  lk_chat_caller(&caller, request_id);
  in.channel = "chat";
  in.subject = "Chat";
  in.content = text;
  in.from_name = given(name) ? name : "Inwoner";
  in.from_email = given(email) ? email : NULL;
  in.unproven = true; /* anyone can type any address into a chat */
  rc = lk_conv_create_prepare(&op->conv, &caller, &in, why);
  if (rc != 0)
    return rc;
  lk_uuid_new(op->session_id, lk_clock_real_ms());
  lk_session_id_new(op->token);
  if (lk_session_digest(op->token, op->token_hash) != 0)
    return LK_STORE_IO;
  return 0;
}

int lk_chat_start_apply(lk_tx *tx, void *arg) {
  lk_chat_start_op *op = arg;
  int rc = lk_conv_create_apply(tx, &op->conv);

  if (rc == 0)
    rc = lk_store_chat_insert(tx, op->session_id, op->token_hash,
                              op->conv.conv.id);
  return rc;
}

/* ---- resident messages ---------------------------------------------- */

int lk_chat_send_prepare(lk_chat_send_op *op, const char *request_id,
                         const lk_chat_row *chat, const char *client_key,
                         const char *text, lk_invalid *why) {
  lk_conv_message_in in = {0};
  lk_conv_caller caller;

  memset(op, 0, sizeof(*op));
  if (client_key == NULL || !lk_uuid_valid(client_key))
    return invalid(why, "/clientKey", "must be a UUID");
  if (!given(text) || text[strspn(text, " \n\t")] == '\0' ||
      !lk_text_ok(text, LK_CHAT_TEXT_MAX, true))
    return invalid(why, "/text", "must be 1-4000 bytes of text");
  /* Scoped to the session: another chat's key can never collide. */
  snprintf(op->key, sizeof(op->key), "chat:%s:%s", chat->id, client_key);
  for (char *p = op->key; *p != '\0'; p++)
    if (*p >= 'A' && *p <= 'F')
      *p = (char)(*p - 'A' + 'a');
  lk_chat_caller(&caller, request_id);
  in.kind = "inbound";
  in.channel = "chat";
  in.content = text;
  return lk_conv_message_prepare(&op->msg, &caller, chat->conversation_id, &in,
                                 why);
}

int lk_chat_send_apply(lk_tx *tx, void *arg) {
  lk_chat_send_op *op = arg;
  lk_chat_row chat;
  char id[LK_CHAT_ID];
  int rc;

  rc = lk_store_contact_by_key(tx, op->key, id, &op->seq);
  if (rc == 0) {
    op->replayed = true;
    copy(op->msg.contact_id, sizeof(op->msg.contact_id), id);
    return 0;
  }
  if (rc != LK_STORE_NOTFOUND)
    return rc;
  rc = lk_store_chat_by_conv(NULL, tx, op->msg.conv_id, &chat);
  if (rc != 0)
    return rc;
  if (chat.ended_at != 0)
    return LK_STORE_CONFLICT;
  rc = lk_conv_message_apply(tx, &op->msg);
  if (rc == 0)
    rc = lk_store_contact_set_key(tx, op->msg.contact_id, op->key, &op->seq);
  return rc;
}

/* ---- typing, read, end ---------------------------------------------- */

/* The chat of op, visible to the caller. */
static int visible_chat(lk_tx *tx, const lk_chat_signal_op *op,
                        lk_chat_row *chat) {
  int rc = lk_store_chat_by_conv(NULL, tx, op->conversation_id, chat);

  if (rc == 0 && op->agent && chat->confidential && !op->confidential)
    rc = LK_STORE_NOTFOUND;
  return rc;
}

int lk_chat_typing_apply(lk_tx *tx, void *arg) {
  lk_chat_signal_op *op = arg;
  lk_chat_row chat;
  int rc = visible_chat(tx, op, &chat);

  if (rc != 0)
    return rc;
  if (chat.ended_at != 0)
    return LK_STORE_CONFLICT;
  return emit_signal(tx, "chat.typing", op, chat.confidential, false);
}

int lk_chat_read_apply(lk_tx *tx, void *arg) {
  lk_chat_signal_op *op = arg;
  lk_chat_row chat;
  int rc = visible_chat(tx, op, &chat);

  if (rc == 0)
    rc = lk_store_chat_read(tx, op->conversation_id, op->agent, op->seq,
                            &op->moved);
  if (rc == 0 && op->moved)
    rc = emit_signal(tx, "chat.read", op, chat.confidential, true);
  return rc;
}

int lk_chat_end_prepare(lk_chat_signal_op *op, const char *email,
                        lk_invalid *why) {
  char key[LK_ADDRESS_KEY_MAX + 1];

  op->email[0] = '\0';
  if (!given(email))
    return 0;
  if (lk_address_key("email", email, key, sizeof(key)) != 0)
    return invalid(why, "/email", "must be an e-mail address");
  copy(op->email, sizeof(op->email), key);
  return 0;
}

struct transcript {
  lk_buf *b;
  bool json; /* as a JSON array of {from,text,at} or as plain text */
  int n;
};

static void transcript_line(const lk_chat_msg *m, void *ud) {
  struct transcript *t = ud;
  bool in = strcmp(m->kind, "inbound") == 0;
  char at[32];

  lk_clock_format_iso(m->occurred_at, at, sizeof(at));
  if (t->json) {
    lk_buf_puts(t->b, t->n++ > 0 ? ",{\"from\":" : "{\"from\":");
    lk_buf_puts(t->b, in ? "\"resident\"" : "\"agent\"");
    lk_buf_puts(t->b, ",\"text\":");
    lk_buf_json_str(t->b, m->content);
    lk_buf_puts(t->b, ",\"at\":");
    lk_buf_json_str(t->b, at);
    lk_buf_putc(t->b, '}');
    return;
  }
  t->n++;
  lk_buf_printf(t->b, "[%.16s] %s: ", at,
                in ? "U"
                   : (m->author != NULL && m->author[0] != '\0'
                          ? m->author
                          : "Medewerker"));
  lk_buf_puts(t->b, m->content);
  lk_buf_putc(t->b, '\n');
}

/* The chat's messages (at most 500) as text or a JSON array. */
static int transcript(lk_tx *tx, const char *conv_id, bool json, lk_buf *b) {
  struct transcript t = {b, json, 0};
  int rc;

  if (json)
    lk_buf_putc(b, '[');
  rc = lk_store_chat_messages(NULL, tx, conv_id, 0, 500, transcript_line, &t);
  if (json)
    lk_buf_putc(b, ']');
  return rc < 0 ? rc : 0;
}

/* Queues an e-mail (outbox kind "mail": {"to","subject","text"}). */
static int queue_mail(lk_tx *tx, const char *key, const char *to,
                      const char *subject, const char *text) {
  lk_buf p = LK_BUF_INIT;
  int rc;

  lk_buf_puts(&p, "{\"to\":");
  lk_buf_json_str(&p, to);
  lk_buf_puts(&p, ",\"subject\":");
  lk_buf_json_str(&p, subject);
  lk_buf_puts(&p, ",\"text\":");
  lk_buf_json_str(&p, text);
  lk_buf_putc(&p, '}');
  if (!lk_buf_ok(&p)) {
    lk_buf_free(&p);
    return LK_STORE_NOMEM;
  }
  rc = lk_store_outbox_add(tx, "mail", key, p.data);
  lk_buf_free(&p);
  return rc;
}

int lk_chat_end_apply(lk_tx *tx, void *arg) {
  lk_chat_signal_op *op = arg;
  lk_chat_row chat;
  lk_buf text = LK_BUF_INIT;
  char key[80];
  int rc = visible_chat(tx, op, &chat);

  if (rc != 0)
    return rc;
  rc = lk_store_chat_end(tx, op->conversation_id,
                         op->email[0] != '\0' ? op->email : NULL);
  if (rc == 0 && op->email[0] != '\0') {
    lk_proclog_entry e = {LK_CHAT_ACTOR,  chat.party_id,     "create",
                          "klantcontact", "chat:transcript", NULL,
                          op->request_id};

    lk_buf_printf(&text, "Uw chat met de gemeente (%s):\n\n", chat.reference);
    rc = transcript(tx, op->conversation_id, false, &text);
    if (rc == 0 && !lk_buf_ok(&text))
      rc = LK_STORE_NOMEM;
    snprintf(key, sizeof(key), "chat-transcript:%s", op->conversation_id);
    if (rc == 0)
      rc = queue_mail(tx, key, op->email, "Uw chatgesprek", text.data);
    if (rc == 0)
      rc = lk_store_proclog_insert(tx, &e);
    lk_buf_free(&text);
  }
  if (rc == 0)
    rc = emit_signal(tx, "chat.ended", op, chat.confidential, false);
  return rc;
}

/* ---- chats the resident left ---------------------------------------- */

struct expire_list {
  char ids[LK_CHAT_EXPIRE_MAX][LK_CHAT_ID];
  bool answered[LK_CHAT_EXPIRE_MAX];
  int n;
};

static void expire_one(const char *conversation_id, bool answered, void *ud) {
  struct expire_list *l = ud;

  if (l->n < LK_CHAT_EXPIRE_MAX) {
    snprintf(l->ids[l->n], sizeof(l->ids[0]), "%s", conversation_id);
    l->answered[l->n++] = answered;
  }
}

/* Ends one chat the resident left: the note for staff, the conversation
 * resolved through the ordinary update (audit, conversation.updated, the
 * figures' hook), the session ended and chat.ended for both streams. */
static int expire_chat(lk_tx *tx, const char *conv_id, bool answered) {
  static const char *const notes[] = {
      "Chat beëindigd: de inwoner heeft de chat verlaten voordat een "
      "medewerker antwoordde (niet meer verbonden en geen bericht).",
      "Chat beëindigd: de inwoner reageerde niet meer en is niet meer "
      "verbonden."};
  const char *reason = answered ? "inactive" : "abandoned";
  lk_conv_caller caller = {.actor = LK_CHAT_EXPIRE_ACTOR,
                           .may_confidential = true};
  lk_conv_message_in in = {.kind = "note", .content = notes[answered]};
  lk_conv_update_in up = {.status = "resolved"};
  lk_conv_message_op *note = calloc(1, sizeof(*note));
  lk_conv_update_op *upd = calloc(1, sizeof(*upd));
  lk_invalid why = {0};
  lk_chat_row chat;
  lk_buf b = LK_BUF_INIT;
  int rc = note != NULL && upd != NULL ? 0 : LK_STORE_NOMEM;

  if (rc == 0)
    rc = lk_store_chat_by_conv(NULL, tx, conv_id, &chat);
  if (rc == 0)
    rc = lk_conv_message_prepare(note, &caller, conv_id, &in, &why);
  if (rc == 0)
    rc = lk_conv_message_apply(tx, note);
  if (rc == 0)
    rc =
        lk_conv_update_prepare(upd, &caller, conv_id, &up, lk_tx_now(tx), &why);
  if (rc == 0)
    rc = lk_conv_update_apply(tx, upd);
  if (rc == 0)
    rc = lk_store_chat_expire(tx, conv_id, reason);
  free(note);
  free(upd);
  if (rc != 0)
    return rc;
  lk_buf_puts(&b, "{\"conversationId\":");
  lk_buf_json_str(&b, conv_id);
  lk_buf_printf(&b, ",\"by\":\"loket\",\"reason\":\"%s\"%s}", reason,
                chat.confidential ? ",\"confidential\":true" : "");
  return emit(tx, "chat.ended", conv_id, &b);
}

int lk_chat_expire_apply(lk_tx *tx, void *arg) {
  lk_chat_expire_op *op = arg;
  int64_t now = lk_tx_now(tx);
  struct expire_list *l = calloc(1, sizeof(*l));
  int rc;

  if (l == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_chat_idle(tx, now - op->abandon_ms, now - op->idle_ms,
                          LK_CHAT_EXPIRE_MAX, expire_one, l);
  op->more = rc == LK_CHAT_EXPIRE_MAX;
  rc = rc < 0 ? rc : 0;
  for (int i = 0; rc == 0 && i < l->n; i++) {
    /* A connected resident may read without writing: the open stream is
     * the sign of life, and its close starts the count again. */
    if (op->live != NULL && op->live(l->ids[i], op->ud)) {
      rc = lk_store_chat_seen(tx, l->ids[i]);
      op->kept++;
      continue;
    }
    rc = expire_chat(tx, l->ids[i], l->answered[i]);
    if (rc == 0 && l->answered[i])
      op->inactive++;
    else if (rc == 0)
      op->abandoned++;
  }
  free(l);
  return rc;
}

/* ---- slots ---------------------------------------------------------- */

/* The whole slot lies in opening hours. */
static bool slot_open(const lk_calendar *cal, int64_t start) {
  return lk_cal_open_at(cal, start) &&
         lk_cal_open_at(cal, start + LK_CHAT_SLOT_MS - 1);
}

bool lk_chat_slot_valid(const lk_calendar *cal, int64_t now, int64_t start) {
  return start % LK_CHAT_SLOT_MS == 0 && start >= now + LK_CHAT_SLOT_LEAD_MS &&
         start < now + LK_CHAT_SLOT_DAYS * 86400000LL && slot_open(cal, start);
}

struct slot_fill {
  lk_chat_slot *out;
  int n;
};

static void slot_count(int64_t slot, int taken, void *ud) {
  struct slot_fill *f = ud;

  for (int i = 0; i < f->n; i++) {
    if (f->out[i].start == slot) {
      f->out[i].free -= taken;
      if (f->out[i].free < 0)
        f->out[i].free = 0;
    }
  }
}

int lk_chat_slots(lk_store *s, const lk_calendar *cal, int64_t now,
                  int capacity, lk_chat_slot *out, int max) {
  int64_t first = now + LK_CHAT_SLOT_LEAD_MS;
  int64_t end = now + LK_CHAT_SLOT_DAYS * 86400000LL;
  struct slot_fill f = {out, 0};
  int rc;

  /* Slots start on whole and half hours: Dutch offsets are whole hours,
   * so UTC multiples of 30 minutes are local ones too. */
  first += (LK_CHAT_SLOT_MS - first % LK_CHAT_SLOT_MS) % LK_CHAT_SLOT_MS;
  for (int64_t t = first; t < end && f.n < max; t += LK_CHAT_SLOT_MS) {
    if (!slot_open(cal, t))
      continue;
    out[f.n].start = t;
    out[f.n].end = t + LK_CHAT_SLOT_MS;
    out[f.n].free = capacity;
    f.n++;
  }
  if (f.n == 0)
    return 0;
  rc = lk_store_callback_counts(s, out[0].start, out[f.n - 1].end, slot_count,
                                &f);
  return rc < 0 ? rc : f.n;
}

/* ---- call me back --------------------------------------------------- */

void lk_callback_op_clear(lk_callback_op *op) {
  free(op->context);
  free(op->create);
  op->context = NULL;
  op->create = NULL;
}

/* "dinsdag 1 december 2026, 10:00-10:30" in Dutch civil time. */
static void slot_text(char *out, size_t size, int64_t start) {
  static const char *const days[] = {"zondag",   "maandag",   "dinsdag",
                                     "woensdag", "donderdag", "vrijdag",
                                     "zaterdag"};
  static const char *const months[] = {
      "januari", "februari", "maart",     "april",   "mei",      "juni",
      "juli",    "augustus", "september", "oktober", "november", "december"};
  struct tm a, b;

  lk_clock_nl_local(start, &a);
  lk_clock_nl_local(start + LK_CHAT_SLOT_MS, &b);
  snprintf(out, size, "%s %d %s %d, %02d:%02d-%02d:%02d", days[a.tm_wday % 7],
           a.tm_mday, months[a.tm_mon % 12], a.tm_year + 1900, a.tm_hour,
           a.tm_min, b.tm_hour, b.tm_min);
}

void lk_chat_slot_text(char *out, size_t size, int64_t start) {
  slot_text(out, size, start);
}

static int context_form(lk_callback_op *op, const char *name,
                        const lk_callback_field *fields, int nfields,
                        lk_buf *text) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "{\"source\":\"formulier\",\"fields\":{");
  for (int i = 0; i < nfields; i++) {
    if (i > 0)
      lk_buf_putc(&b, ',');
    lk_buf_json_str(&b, fields[i].name);
    lk_buf_putc(&b, ':');
    lk_buf_json_str(&b, fields[i].value != NULL ? fields[i].value : "");
    if (fields[i].value != NULL && fields[i].value[0] != '\0')
      lk_buf_printf(text, "%s: %s\n", fields[i].name, fields[i].value);
  }
  lk_buf_puts(&b, "}}");
  (void)name;
  if (!lk_buf_ok(&b) || b.len > LK_CHAT_CONTEXT_MAX) {
    lk_buf_free(&b);
    return -1;
  }
  op->context = b.data;
  return 0;
}

int lk_callback_prepare(lk_callback_op *op, const char *request_id,
                        const lk_calendar *cal, int64_t now, int capacity,
                        const lk_chat_row *chat, const char *name,
                        const char *phone, int64_t slot_start,
                        const char *email, const lk_callback_field *fields,
                        int nfields, lk_invalid *why) {
  lk_conv_caller caller;
  lk_task_input ti = {0};
  lk_buf text = LK_BUF_INIT;
  char when[80], action[160];
  int rc;

  memset(op, 0, sizeof(*op));
  if (!given(phone) || strlen(phone) > LK_CHAT_PHONE_MAX ||
      lk_address_key("telefoonnummer", phone, op->phone_key,
                     sizeof(op->phone_key)) != 0)
    return invalid(why, "/phone", "must be a telephone number");
  copy(op->phone, sizeof(op->phone), phone);
  if (!lk_chat_slot_valid(cal, now, slot_start))
    return invalid(why, "/slot", "must be one of the slots offered");
  if (given(email)) {
    char key[LK_ADDRESS_KEY_MAX + 1];

    if (lk_address_key("email", email, key, sizeof(key)) != 0)
      return invalid(why, "/email", "must be an e-mail address");
    copy(op->email, sizeof(op->email), key);
  }
  if (given(name) && !lk_text_ok(name, LK_CONV_NAME_MAX, false))
    return invalid(why, "/name", "must be at most 200 bytes of text");
  for (int i = 0; i < nfields; i++) {
    if (fields[i].value != NULL && fields[i].value[0] != '\0' &&
        !lk_text_ok(fields[i].value, LK_CHAT_TEXT_MAX, true))
      return invalid(why, "/fields", "must be text");
  }
  op->from_chat = chat != NULL;
  op->capacity = capacity;
  op->slot_start = slot_start;
  lk_uuid_new(op->id, now);
  slot_text(when, sizeof(when), slot_start);
  lk_buf_printf(&text, "Bel mij terug op %s, %s.\n", op->phone, when);
  lk_chat_caller(&caller, request_id);
  if (chat != NULL) {
    lk_conv_message_in in = {.kind = "inbound", .channel = "chat"};

    /* The transcript itself is read in the write, where it is complete. */
    if (!lk_buf_ok(&text)) {
      lk_buf_free(&text);
      return LK_STORE_NOMEM;
    }
    in.content = text.data;
    rc = lk_conv_message_prepare(&op->msg, &caller, chat->conversation_id, &in,
                                 why);
    copy(op->contact_id, sizeof(op->contact_id), op->msg.contact_id);
    copy(op->conversation_id, sizeof(op->conversation_id),
         chat->conversation_id);
    copy(op->reference, sizeof(op->reference), chat->reference);
  } else {
    lk_conv_create_in in = {.channel = "webformulier",
                            .subject = "Terugbelverzoek"};

    if (context_form(op, name, fields, nfields, &text) != 0) {
      lk_buf_free(&text);
      return invalid(why, "/fields", "too long");
    }
    op->create = calloc(1, sizeof(*op->create));
    if (op->create == NULL || !lk_buf_ok(&text)) {
      lk_buf_free(&text);
      lk_callback_op_clear(op);
      return LK_STORE_NOMEM;
    }
    in.content = text.data;
    in.from_name = given(name) ? name : "Inwoner";
    in.from_phone = phone;
    in.from_email = given(email) ? email : NULL;
    in.unproven = true; /* as a chat's: typed, not proven */
    rc = lk_conv_create_prepare(op->create, &caller, &in, why);
    copy(op->contact_id, sizeof(op->contact_id), op->create->contact_id);
    copy(op->conversation_id, sizeof(op->conversation_id), op->create->conv.id);
  }
  lk_buf_free(&text);
  if (rc != 0) {
    lk_callback_op_clear(op);
    return rc;
  }
  snprintf(action, sizeof(action), "Terugbellen: %s, %s", op->phone, when);
  ti.set = LK_TASK_F_CONTACT | LK_TASK_F_KIND | LK_TASK_F_ACTION |
           LK_TASK_F_DEADLINE;
  ti.contact_id = op->contact_id;
  ti.kind = "callback";
  ti.action = action;
  ti.deadline = slot_start + LK_CHAT_SLOT_MS;
  rc = lk_task_create_prepare(&op->task, LK_CHAT_ACTOR, request_id, false, &ti,
                              why);
  if (rc != 0)
    lk_callback_op_clear(op);
  return rc;
}

int lk_callback_apply(lk_tx *tx, void *arg) {
  lk_callback_op *op = arg;
  lk_callback_row row = {0};
  char was[LK_CHAT_ID], id[LK_CHAT_ID], key[80], when[80];
  lk_buf ctx = LK_BUF_INIT;
  int taken = 0, rc;

  rc = lk_store_callback_count(tx, op->slot_start, &taken);
  if (rc != 0)
    return rc;
  if (taken >= op->capacity)
    return LK_STORE_CONFLICT;
  if (op->from_chat) {
    lk_chat_row chat;

    rc = lk_store_chat_by_conv(NULL, tx, op->conversation_id, &chat);
    if (rc != 0)
      return rc;
    /* What the resident typed so far, before this request joins it. */
    lk_buf_puts(&ctx, "{\"source\":\"chat\",\"reference\":");
    lk_buf_json_str(&ctx, chat.reference);
    lk_buf_puts(&ctx, ",\"transcript\":");
    rc = transcript(tx, op->conversation_id, true, &ctx);
    lk_buf_putc(&ctx, '}');
    if (rc == 0 && !lk_buf_ok(&ctx))
      rc = LK_STORE_NOMEM;
    if (rc == 0)
      rc = lk_store_conv_last_contact(tx, op->conversation_id, was);
    if (rc == 0)
      rc = lk_conv_message_apply(tx, &op->msg);
    if (rc == 0 && was[0] != '\0') {
      lk_uuid_new(id, lk_tx_now(tx));
      rc = lk_store_subject_object_was(tx, id, op->contact_id, was);
    }
    if (rc != 0) {
      lk_buf_free(&ctx);
      return rc;
    }
    free(op->context);
    op->context = ctx.data;
  } else {
    rc = lk_conv_create_apply(tx, op->create);
    if (rc != 0)
      return rc;
    copy(op->reference, sizeof(op->reference), op->create->conv.reference);
  }
  rc = lk_task_create_apply(tx, &op->task);
  if (rc != 0)
    return rc;
  row.id = op->id;
  row.task_id = op->task.task.id;
  row.conversation_id = op->conversation_id;
  row.contact_id = op->contact_id;
  row.source = op->from_chat ? "chat" : "formulier";
  row.phone = op->phone;
  row.phone_key = op->phone_key;
  row.context = op->context;
  row.slot_start = op->slot_start;
  row.slot_end = op->slot_start + LK_CHAT_SLOT_MS;
  rc = lk_store_callback_insert(tx, &row);
  if (rc == 0 && op->email[0] != '\0') {
    lk_buf t = LK_BUF_INIT;

    slot_text(when, sizeof(when), op->slot_start);
    lk_buf_printf(&t,
                  "U hebt gevraagd om teruggebeld te worden.\n\n"
                  "Wanneer: %s\nNummer: %s\nKenmerk: %s\n",
                  when, op->phone, op->reference);
    snprintf(key, sizeof(key), "callback-confirm:%s", op->id);
    rc = lk_buf_ok(&t)
             ? queue_mail(tx, key, op->email, "Wij bellen u terug", t.data)
             : LK_STORE_NOMEM;
    lk_buf_free(&t);
  }
  return rc;
}

/* ---- the outcome of a call ------------------------------------------ */

int lk_callback_outcome_prepare(lk_callback_outcome_op *op,
                                const lk_conv_caller *caller, const char *id,
                                const char *outcome, const char *note,
                                lk_invalid *why) {
  memset(op, 0, sizeof(*op));
  op->caller = *caller;
  if (id == NULL || !lk_uuid_valid(id))
    return LK_STORE_NOTFOUND;
  copy(op->id, sizeof(op->id), id);
  for (char *p = op->id; *p != '\0'; p++)
    if (*p >= 'A' && *p <= 'F')
      *p = (char)(*p - 'A' + 'a');
  if (outcome == NULL ||
      (strcmp(outcome, "reached") != 0 && strcmp(outcome, "not_reached") != 0 &&
       strcmp(outcome, "voicemail") != 0))
    return invalid(why, "/outcome",
                   "must be reached, not_reached or voicemail");
  copy(op->outcome, sizeof(op->outcome), outcome);
  if (given(note) && !lk_text_ok(note, sizeof(op->note) - 1, true))
    return invalid(why, "/note", "must be at most 8000 bytes of text");
  copy(op->note, sizeof(op->note), note);
  return 0;
}

struct cb_state {
  int found;
  bool confidential;
  char task_id[LK_CHAT_ID], conv_id[LK_CHAT_ID], contact_id[LK_CHAT_ID];
  char task_status[16];
};

static void cb_state(const lk_callback_row *c, void *ud) {
  struct cb_state *s = ud;

  s->found = 1;
  s->confidential = c->confidential;
  copy(s->task_id, sizeof(s->task_id), c->task_id);
  copy(s->conv_id, sizeof(s->conv_id), c->conversation_id);
  copy(s->contact_id, sizeof(s->contact_id), c->contact_id);
  copy(s->task_status, sizeof(s->task_status), c->task_status);
}

int lk_callback_outcome_apply(lk_tx *tx, void *arg) {
  static const struct {
    const char *outcome, *text;
  } texts[] = {{"reached", "Teruggebeld: bereikt."},
               {"not_reached", "Teruggebeld: niet bereikt."},
               {"voicemail", "Teruggebeld: voicemail ingesproken."}};
  lk_callback_outcome_op *op = arg;
  struct cb_state st = {0};
  lk_conv_message_op *msg;
  lk_conv_message_in in = {.kind = "outbound", .channel = "telefoon"};
  lk_task_op *task;
  lk_task_input ti = {0};
  lk_invalid why;
  lk_buf content = LK_BUF_INIT;
  char id[LK_CHAT_ID];
  bool done = strcmp(op->outcome, "not_reached") != 0;
  int rc;

  rc = lk_store_callback_get(NULL, tx, op->id, cb_state, &st);
  if (rc != 0)
    return rc;
  if (st.confidential && !op->caller.may_confidential)
    return LK_STORE_NOTFOUND;
  if (strcmp(st.task_status, "verwerkt") == 0)
    return LK_STORE_CONFLICT;
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
    if (strcmp(texts[i].outcome, op->outcome) == 0)
      lk_buf_puts(&content, texts[i].text);
  if (op->note[0] != '\0') {
    lk_buf_puts(&content, "\n\n");
    lk_buf_puts(&content, op->note);
  }
  msg = malloc(sizeof(*msg));
  task = malloc(sizeof(*task));
  if (msg == NULL || task == NULL || !lk_buf_ok(&content)) {
    rc = LK_STORE_NOMEM;
    goto out;
  }
  in.content = content.data;
  rc = lk_conv_message_prepare(msg, &op->caller, st.conv_id, &in, &why);
  if (rc == 0)
    rc = lk_conv_message_apply(tx, msg);
  if (rc == 0) {
    copy(op->contact_id, sizeof(op->contact_id), msg->contact_id);
    rc = lk_store_contact_succeeded(tx, msg->contact_id,
                                    strcmp(op->outcome, "reached") == 0);
  }
  if (rc == 0) {
    lk_uuid_new(id, lk_tx_now(tx));
    rc = lk_store_subject_object_was(tx, id, msg->contact_id, st.contact_id);
  }
  if (rc == 0)
    rc = lk_store_callback_outcome(tx, op->id, op->outcome, op->note);
  if (rc == 0)
    rc = lk_store_audit(tx, op->caller.actor, "callback.outcome", op->id, NULL);
  copy(op->task_status, sizeof(op->task_status), st.task_status);
  if (rc == 0 && done) {
    ti.set = LK_TASK_F_STATUS;
    ti.status = "verwerkt";
    rc = lk_task_update_prepare(task, op->caller.actor, op->caller.request_id,
                                op->caller.may_confidential, st.task_id, &ti,
                                &why);
    if (rc == 0)
      rc = lk_task_update_apply(tx, task);
    if (rc == 0)
      copy(op->task_status, sizeof(op->task_status), "verwerkt");
  }
out:
  free(msg);
  free(task);
  lk_buf_free(&content);
  return rc;
}
