/* conversation.c - the rules of conversations and messages; see
 * conversation.h.  Reading them (JSON, processing log of reads) is in
 * conversation_read.c.
 *
 * The apply functions run on the store writer, which every write of the
 * process shares, so they stay lean: each lookup is one indexed b-tree
 * probe, and everything that can be decided without the database (ids,
 * address keys, validation) is decided in *_prepare() on the caller's
 * thread.
 */
#include "core/conversation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/mail_outbound.h"
#include "core/text.h"
#include "store/attachments.h"
#include "store/parties.h"
#include "store/proclog.h"
#include "util/clock.h"

static const char *const channels[] = {
    "webformulier", "chat",  "email", "telefoon", "post",
    "social",       "video", "kiosk", "balie",    NULL};
/* Outbound messages on these leave through an adapter later. */
static const char *const delivering[] = {"webformulier", "chat",   "email",
                                         "post",         "social", NULL};
static const char *const priorities[] = {"low", "normal", "high", "urgent"};
static const char *const statuses[] = {"open", "pending", "snoozed", "resolved",
                                       NULL};

static bool in_list(const char *const *list, const char *s) {
  for (; s != NULL && *list != NULL; list++) {
    if (strcmp(*list, s) == 0)
      return true;
  }
  return false;
}

bool lk_conv_channel_valid(const char *channel) {
  return in_list(channels, channel);
}

const char *const *lk_conv_channels(void) {
  return channels;
}

bool lk_conv_channel_delivers(const char *channel) {
  return in_list(delivering, channel);
}

int lk_conv_priority_parse(const char *name) {
  for (int i = 0; i < 4; i++) {
    if (name != NULL && strcmp(name, priorities[i]) == 0)
      return i;
  }
  return -1;
}

const char *lk_conv_priority_name(int priority) {
  return priority >= 0 && priority < 4 ? priorities[priority] : "normal";
}

bool lk_conv_status_valid(const char *status) {
  return in_list(statuses, status);
}

/* ---- validation helpers --------------------------------------------- */

static bool given(const char *s) {
  return s != NULL && s[0] != '\0';
}

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

/* ISO 639-2/B codes, as the standard's taal: three lower-case letters
 * ("nld", "eng", "ara"). */
static bool language_ok(const char *s) {
  size_t n = strlen(s);

  if (n != 3)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < 'a' || s[i] > 'z')
      return false;
  }
  return true;
}

/* Copies a UUID in lower case; false if `s` is not one. */
static bool uuid_copy(char out[LK_CONV_ID_LEN + 1], const char *s) {
  if (s == NULL || strlen(s) != LK_CONV_ID_LEN || !lk_uuid_valid(s))
    return false;
  for (int i = 0; i <= LK_CONV_ID_LEN; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
  return true;
}

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* The calendar year (UTC) of a Unix time in milliseconds. */
static int year_of(int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  if (gmtime_r(&t, &tm) == NULL)
    return 1970;
  return tm.tm_year + 1900;
}

static const char content_reason[] =
    "must be 1 to 65536 bytes of UTF-8 text (newlines and tabs allowed, no "
    "other control characters)";
static const char subject_reason[] =
    "must be at most 200 bytes of UTF-8 text without control characters";

/* Ids that must name something: malformed ones name nothing, which the
 * HTTP layer reports like an unknown id (404), so they become "-" here and
 * fail the lookup; only the count is checked.  Positions are kept, so a
 * failure names the member as the caller sent it ("/categories/2"). */
static int id_list(char (*out)[LK_CONV_ID_LEN + 1], int *n, int max,
                   const char *const *ids, int nids, const char *field,
                   lk_invalid *why) {
  if (nids > max)
    return invalid(why, field, "has too many members");
  for (int i = 0; i < nids; i++) {
    if (!uuid_copy(out[i], ids[i]))
      copy(out[i], LK_CONV_ID_LEN + 1, "-");
  }
  *n = nids;
  return 0;
}

/* ---- create --------------------------------------------------------- */

int lk_conv_create_prepare(lk_conv_create_op *op, const lk_conv_caller *caller,
                           const lk_conv_create_in *in, lk_invalid *why) {
  int64_t now = lk_clock_real_ms();
  int prio;
  int rc;

  memset(op, 0, sizeof(*op));
  op->caller = *caller;
  if (!lk_conv_channel_valid(in->channel))
    return invalid(why, "/channel",
                   "must be one of webformulier, chat, email, telefoon, post, "
                   "social, video, kiosk, balie");
  if (given(in->subject) &&
      !lk_text_ok(in->subject, LK_CONV_SUBJECT_MAX, false))
    return invalid(why, "/subject", subject_reason);
  if (in->content == NULL ||
      !lk_text_ok(in->content, LK_CONV_CONTENT_MAX, true))
    return invalid(why, "/content", content_reason);
  if (given(in->language) && !language_ok(in->language))
    return invalid(why, "/language",
                   "must be an ISO 639-2/B code of 3 lower-case letters");
  prio = given(in->priority) ? lk_conv_priority_parse(in->priority) : 1;
  if (prio < 0)
    return invalid(why, "/priority", "must be low, normal, high or urgent");
  if (given(in->party_id)) {
    if (given(in->from_name) || given(in->from_email) || given(in->from_phone))
      return invalid(why, "/from", "give either partyId or from, not both");
    if (!uuid_copy(op->party_id, in->party_id))
      copy(op->party_id, sizeof(op->party_id), "-"); /* names nothing: 404 */
  } else {
    if (in->from_name == NULL ||
        !lk_text_ok(in->from_name, LK_CONV_NAME_MAX, false))
      return invalid(why, "/from/name",
                     "must be 1 to 200 bytes of UTF-8 text without control "
                     "characters");
    copy(op->from_name, sizeof(op->from_name), in->from_name);
    if (given(in->from_email)) {
      if (lk_address_key("email", in->from_email, op->email_key,
                         sizeof(op->email_key)) != 0)
        return invalid(why, "/from/email", "is not an e-mail address");
      copy(op->email, sizeof(op->email), in->from_email);
    }
    if (given(in->from_phone)) {
      if (lk_address_key("telefoonnummer", in->from_phone, op->phone_key,
                         sizeof(op->phone_key)) != 0)
        return invalid(why, "/from/phone", "is not a telephone number");
      copy(op->phone, sizeof(op->phone), in->from_phone);
    }
    lk_uuid_new(op->new_party_id, now);
  }
  if (given(in->client_key)) {
    if (!lk_text_ok(in->client_key, LK_CONV_CLIENT_KEY_MAX, false))
      return invalid(why, "/clientKey",
                     "must be 1 to 100 bytes of text without control "
                     "characters");
    /* Scoped to the caller: another caller's key must neither collide
     * with it nor give access to the conversation it made. */
    snprintf(op->client_key, sizeof(op->client_key), "api:%s:%s", caller->actor,
             in->client_key);
  }
  rc = id_list(op->categories, &op->ncategories, LK_CONV_MAX_CATEGORIES,
               in->categories, in->ncategories, "/categories", why);
  if (rc == 0)
    rc = id_list(op->attachments, &op->nattachments, LK_CONV_MAX_ATTACHMENTS,
                 in->attachments, in->nattachments, "/attachmentIds", why);
  if (rc != 0)
    return rc;
  if (given(in->was_contact_id) &&
      !uuid_copy(op->was_contact_id, in->was_contact_id))
    copy(op->was_contact_id, sizeof(op->was_contact_id), "-");
  if (given(in->team_id) && !uuid_copy(op->conv.team_id, in->team_id))
    copy(op->conv.team_id, sizeof(op->conv.team_id), "-");

  lk_uuid_new(op->conv.id, now);
  lk_uuid_new(op->contact_id, now);
  copy(op->conv.subject, sizeof(op->conv.subject), in->subject);
  copy(op->conv.channel, sizeof(op->conv.channel), in->channel);
  copy(op->conv.status, sizeof(op->conv.status), "open");
  copy(op->conv.language, sizeof(op->conv.language),
       given(in->language) ? in->language : "nld");
  copy(op->content, sizeof(op->content), in->content);
  op->conv.priority = prio;
  op->conv.confidential = in->confidential;
  op->unproven = in->unproven;
  op->conv.version = 1;
  return 0;
}

static int fail_field(char *field, size_t size, const char *name, int index,
                      int rc) {
  if (rc == LK_STORE_NOTFOUND) {
    if (index >= 0)
      snprintf(field, size, "%s/%d", name, index);
    else
      snprintf(field, size, "%s", name);
  }
  return rc;
}

/* Finds the sender's party through a verified address, or creates one
 * with the given addresses unverified.  Addresses nobody proved (op->
 * unproven: a chat) never find a party: whoever types someone's address
 * must not see, or add to, that person's story (docs/contact-model.md). */
static int link_party(lk_tx *tx, lk_conv_create_op *op) {
  lk_conv_row *c = &op->conv;
  bool conf = false;
  char nummer[11];
  int rc = LK_STORE_NOTFOUND;

  if (op->email_key[0] != '\0' && !op->unproven)
    rc = lk_store_party_by_verified_address(tx, "email", op->email_key,
                                            c->party_id, c->party_name,
                                            sizeof(c->party_name), &conf);
  if (rc == LK_STORE_NOTFOUND && op->phone_key[0] != '\0' && !op->unproven)
    rc = lk_store_party_by_verified_address(tx, "telefoonnummer", op->phone_key,
                                            c->party_id, c->party_name,
                                            sizeof(c->party_name), &conf);
  /* A party under geheimhouding makes its conversations confidential,
   * whoever files them: a web form's token may then not see them. */
  if (rc == 0 && conf)
    c->confidential = true;
  if (rc != LK_STORE_NOTFOUND)
    return rc;

  op->party_created = true;
  memcpy(c->party_id, op->new_party_id, sizeof(c->party_id));
  copy(c->party_name, sizeof(c->party_name), op->from_name);
  /* One sequence of party numbers, whichever way a party comes in. */
  rc = lk_store_party_next_nummer(tx, nummer);
  if (rc == 0)
    rc = lk_store_party_insert_person(tx, c->party_id, nummer, op->from_name);
  if (rc == 0 && op->email_key[0] != '\0') {
    char id[LK_CONV_ID_LEN + 1];

    lk_uuid_new(id, lk_tx_now(tx));
    rc = lk_store_address_insert(tx, id, c->party_id, "email", op->email,
                                 op->email_key, true);
  }
  if (rc == 0 && op->phone_key[0] != '\0') {
    char id[LK_CONV_ID_LEN + 1];

    lk_uuid_new(id, lk_tx_now(tx));
    rc = lk_store_address_insert(tx, id, c->party_id, "telefoonnummer",
                                 op->phone, op->phone_key, true);
  }
  return rc;
}

static void json_opt(lk_buf *b, const char *key, const char *v) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (v != NULL && v[0] != '\0')
    lk_buf_json_str(b, v);
  else
    lk_buf_puts(b, "null");
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

/* `cats` are the categories when they were set (ncats >= 0): the
 * measure hook picks the norm of a category from them. */
static int emit_conversation(lk_tx *tx, const char *type, const lk_conv_row *c,
                             char (*cats)[LK_CONV_ID_LEN + 1], int ncats) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, c->id);
  lk_buf_puts(&b, ",\"status\":");
  lk_buf_json_str(&b, c->status);
  lk_buf_puts(&b, ",\"channel\":");
  lk_buf_json_str(&b, c->channel);
  lk_buf_puts(&b, ",\"priority\":");
  lk_buf_json_str(&b, lk_conv_priority_name(c->priority));
  json_opt(&b, "teamId", c->team_id);
  json_opt(&b, "assigneeId", c->assignee_id);
  json_opt(&b, "partyId", c->party_id);
  lk_buf_printf(&b, ",\"version\":%lld", (long long)c->version);
  if (ncats >= 0) {
    lk_buf_puts(&b, ",\"categoryIds\":[");
    for (int i = 0; i < ncats; i++) {
      if (i > 0)
        lk_buf_putc(&b, ',');
      lk_buf_json_str(&b, cats[i]);
    }
    lk_buf_putc(&b, ']');
  }
  /* The stream withholds it from who may not see it. */
  lk_buf_puts(&b, c->confidential ? ",\"confidential\":true}" : "}");
  return emit(tx, type, c->id, &b);
}

/* `confidential`: the message's own flag or its conversation's: the
 * stream withholds both from staff who may not see them. */
static int emit_contact(lk_tx *tx, const char *id, const char *conv_id,
                        const char *kind, const char *channel,
                        bool confidential) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b, "{\"id\":");
  lk_buf_json_str(&b, id);
  lk_buf_puts(&b, ",\"conversationId\":");
  lk_buf_json_str(&b, conv_id);
  lk_buf_puts(&b, ",\"kind\":");
  lk_buf_json_str(&b, kind);
  lk_buf_puts(&b, ",\"channel\":");
  lk_buf_json_str(&b, channel);
  lk_buf_puts(&b, confidential ? ",\"confidential\":true}" : "}");
  return emit(tx, "contact.added", id, &b);
}

static int proclog(lk_tx *tx, const lk_conv_caller *caller,
                   const char *party_id, const char *operation,
                   const char *conv_id) {
  char resource[64];
  lk_proclog_entry e = {caller->actor,     party_id, operation,
                        "klantcontact",    resource, NULL,
                        caller->request_id};

  snprintf(resource, sizeof(resource), "conversation:%s", conv_id);
  return lk_store_proclog_insert(tx, &e);
}

/* A party made for a sender no verified address knows: announced and
 * audited like one made through the Klantinteracties API. */
static int emit_party_created(lk_tx *tx, const lk_conv_caller *caller,
                              const char *party_id) {
  char payload[128];
  int rc;

  snprintf(payload, sizeof(payload),
           "{\"id\":\"%s\",\"resource\":\"conversations\","
           "\"operation\":\"create\"}",
           party_id);
  rc = lk_tx_emit(tx, "party.created", party_id, payload);
  if (rc == 0)
    rc = lk_store_audit(tx, caller->actor, "party.create", party_id, payload);
  return rc;
}

static int link_attachments(lk_tx *tx, const lk_conv_caller *caller,
                            char (*ids)[LK_CONV_ID_LEN + 1], int n,
                            const char *contact_id, char *field,
                            size_t field_size) {
  int rc = 0;

  for (int i = 0; i < n && rc == 0; i++) {
    rc = lk_store_attachment_link(tx, ids[i], contact_id, caller->actor);
    fail_field(field, field_size, "/attachmentIds", i, rc);
  }
  return rc;
}

int lk_conv_create_apply(lk_tx *tx, void *arg) {
  lk_conv_create_op *op = arg;
  lk_conv_row *c = &op->conv;
  bool conf = false;
  lk_contact_row m = {0};
  char id[LK_CONV_ID_LEN + 1];
  char name[32];
  int64_t now = lk_tx_now(tx);
  int64_t n;
  int rc;

  op->replayed = false;
  op->party_created = false;
  op->field[0] = '\0';
  if (op->client_key[0] != '\0') {
    rc = lk_store_contact_by_client_key(tx, op->client_key, id, op->contact_id);
    if (rc == 0) {
      memcpy(c->id, id, sizeof(c->id));
      op->replayed = true;
      return 0;
    }
    if (rc != LK_STORE_NOTFOUND)
      return rc;
  }
  if (c->team_id[0] != '\0') {
    rc = lk_store_team_check(tx, c->team_id);
    if (rc != 0)
      return fail_field(op->field, sizeof(op->field), "/teamId", -1, rc);
  }
  if (op->was_contact_id[0] != '\0') {
    rc = lk_store_contact_check(tx, op->was_contact_id,
                                op->caller.may_confidential);
    if (rc != 0)
      return fail_field(op->field, sizeof(op->field), "/wasContactId", -1, rc);
  }
  if (op->party_id[0] != '\0') {
    memcpy(c->party_id, op->party_id, sizeof(c->party_id));
    rc = lk_store_party_check(tx, c->party_id, op->caller.may_confidential,
                              c->party_name, sizeof(c->party_name), &conf);
    if (rc != 0)
      return fail_field(op->field, sizeof(op->field), "/partyId", -1, rc);
    c->confidential = c->confidential || conf; /* as in link_party() */
  } else {
    rc = link_party(tx, op);
    if (rc == 0 && op->party_created)
      rc = emit_party_created(tx, &op->caller, c->party_id);
    if (rc != 0)
      return rc;
  }

  /* "LK-2026-000123": numbered per year, as residents quote them. */
  snprintf(name, sizeof(name), "conversations:%d", year_of(now));
  rc = lk_store_counter_next(tx, name, &n);
  if (rc != 0)
    return rc;
  snprintf(c->reference, sizeof(c->reference), "LK-%d-%06lld", year_of(now),
           (long long)n);
  c->created_at = c->updated_at = c->last_message_at = now;
  c->waiting_since = now; /* unassigned: queued for assignment */
  rc = lk_store_conv_insert(tx, c);
  if (rc != 0)
    return rc;

  m.id = op->contact_id;
  m.conversation_id = c->id;
  m.kind = "inbound";
  m.channel = c->channel;
  m.subject = c->subject;
  m.content = op->content;
  m.language = c->language;
  /* A contact's own flag records only staff's explicit marking; the
   * conversation's flag (geheimhouding, or marked) guards staff access and
   * never hides a message from the resident it belongs to. */
  m.confidential = false;
  m.occurred_at = now;
  m.client_key = op->client_key;
  m.delivery = "";
  rc = lk_store_contact_insert(tx, &m);
  if (rc != 0)
    return rc;
  lk_uuid_new(id, now);
  rc =
      lk_store_involved_insert(tx, id, op->contact_id, c->party_id, NULL, true);
  for (int i = 0; rc == 0 && i < op->ncategories; i++) {
    rc = lk_store_conv_category_add(tx, c->id, op->categories[i]);
    fail_field(op->field, sizeof(op->field), "/categories", i, rc);
  }
  if (rc == 0)
    rc = link_attachments(tx, &op->caller, op->attachments, op->nattachments,
                          op->contact_id, op->field, sizeof(op->field));
  if (rc == 0 && op->was_contact_id[0] != '\0') {
    lk_uuid_new(id, now);
    rc =
        lk_store_subject_object_was(tx, id, op->contact_id, op->was_contact_id);
  }
  if (rc == 0)
    rc = proclog(tx, &op->caller, c->party_id, "create", c->id);
  if (rc == 0)
    rc = emit_conversation(tx, "conversation.created", c, op->categories,
                           op->ncategories);
  if (rc == 0)
    rc = emit_contact(tx, op->contact_id, c->id, "inbound", c->channel,
                      m.confidential || c->confidential);
  return rc;
}

/* ---- messages ------------------------------------------------------- */

int lk_conv_message_prepare(lk_conv_message_op *op,
                            const lk_conv_caller *caller, const char *conv_id,
                            const lk_conv_message_in *in, lk_invalid *why) {
  int rc;

  memset(op, 0, sizeof(*op));
  op->caller = *caller;
  if (!uuid_copy(op->conv_id, conv_id))
    copy(op->conv_id, sizeof(op->conv_id), "-");
  if (in->kind == NULL ||
      (strcmp(in->kind, "inbound") != 0 && strcmp(in->kind, "outbound") != 0 &&
       strcmp(in->kind, "note") != 0))
    return invalid(why, "/direction", "must be inbound or outbound");
  copy(op->kind, sizeof(op->kind), in->kind);
  if (given(in->channel) && !lk_conv_channel_valid(in->channel))
    return invalid(why, "/channel",
                   "must be one of webformulier, chat, email, telefoon, post, "
                   "social, video, kiosk, balie");
  copy(op->channel, sizeof(op->channel), in->channel);
  if (given(in->subject) &&
      !lk_text_ok(in->subject, LK_CONV_SUBJECT_MAX, false))
    return invalid(why, "/subject", subject_reason);
  copy(op->subject, sizeof(op->subject), in->subject);
  if (in->content == NULL ||
      !lk_text_ok(in->content, LK_CONV_CONTENT_MAX, true))
    return invalid(why, "/content", content_reason);
  copy(op->content, sizeof(op->content), in->content);
  if (given(in->language) && !language_ok(in->language))
    return invalid(why, "/language",
                   "must be an ISO 639-2/B code of 3 lower-case letters");
  copy(op->language, sizeof(op->language), in->language);
  op->confidential = in->confidential;
  rc = id_list(op->attachments, &op->nattachments, LK_CONV_MAX_ATTACHMENTS,
               in->attachments, in->nattachments, "/attachmentIds", why);
  if (rc != 0)
    return rc;
  lk_uuid_new(op->contact_id, lk_clock_real_ms());
  return 0;
}

int lk_conv_message_apply(lk_tx *tx, void *arg) {
  lk_conv_message_op *op = arg;
  lk_conv_row *c = &op->conv;
  lk_contact_row m = {0};
  char id[LK_CONV_ID_LEN + 1];
  char old_status[12];
  bool note = strcmp(op->kind, "note") == 0;
  bool inbound = strcmp(op->kind, "inbound") == 0;
  int64_t now = lk_tx_now(tx);
  int rc;

  op->field[0] = '\0';
  rc = lk_store_conv_lock(tx, op->conv_id, op->caller.may_confidential, c);
  if (rc != 0)
    return rc;
  memcpy(old_status, c->status, sizeof(old_status));
  m.id = op->contact_id;
  m.conversation_id = c->id;
  m.kind = op->kind;
  m.channel = op->channel[0] != '\0' ? op->channel : c->channel;
  m.subject = op->subject;
  m.content = op->content;
  m.language = op->language[0] != '\0' ? op->language : c->language;
  m.confidential = op->confidential; /* explicit only: see create */
  m.occurred_at = now;
  m.author_id = inbound ? NULL : op->caller.actor_id;
  copy(op->delivery, sizeof(op->delivery),
       !inbound && !note && lk_conv_channel_delivers(m.channel) ? "queued"
                                                                : "");
  m.delivery = op->delivery;
  op->occurred_at = now;
  rc = lk_store_contact_insert(tx, &m);
  if (rc != 0)
    return rc;
  lk_uuid_new(id, now);
  if (inbound)
    rc = lk_store_involved_insert(tx, id, op->contact_id, c->party_id, NULL,
                                  true);
  else if (op->caller.actor_id[0] != '\0')
    rc = lk_store_contact_actor_insert(tx, id, op->caller.actor_id,
                                       op->contact_id);
  if (rc == 0)
    rc = link_attachments(tx, &op->caller, op->attachments, op->nattachments,
                          op->contact_id, op->field, sizeof(op->field));
  /* A reply by e-mail leaves through the outbox, queued in this write. */
  if (rc == 0 && op->delivery[0] != '\0' && strcmp(m.channel, "email") == 0)
    rc = lk_mail_outbound_queue(tx, c, op->contact_id, op->content,
                                op->attachments, op->nattachments);
  if (rc != 0)
    return rc;

  if (!note)
    c->last_message_at = now;
  if (inbound && strcmp(c->status, "open") != 0) {
    /* The resident wrote again: whatever we were waiting for is over. */
    copy(c->status, sizeof(c->status), "open");
    c->snoozed_until = 0;
    c->resolved_at = 0;
  }
  if (inbound && c->assignee_id[0] == '\0' && c->waiting_since == 0)
    c->waiting_since = now;
  if (!inbound && !note && c->first_response_at == 0)
    c->first_response_at = now;
  c->version++;
  c->updated_at = now;
  rc = lk_store_conv_save(tx, c);
  if (rc == 0)
    rc = proclog(tx, &op->caller, c->party_id, "create", c->id);
  if (rc == 0 && !note && !inbound)
    rc = lk_store_audit(tx, op->caller.actor, "contact.added", op->contact_id,
                        NULL);
  if (rc == 0 && note)
    rc = lk_store_audit(tx, op->caller.actor, "note.added", op->contact_id,
                        NULL);
  if (rc == 0)
    rc = emit_contact(tx, op->contact_id, c->id, op->kind, m.channel,
                      m.confidential || c->confidential);
  if (rc == 0 && strcmp(old_status, c->status) != 0)
    rc = emit_conversation(tx, "conversation.updated", c, NULL, -1);
  return rc;
}

/* ---- update --------------------------------------------------------- */

int lk_conv_update_prepare(lk_conv_update_op *op, const lk_conv_caller *caller,
                           const char *conv_id, const lk_conv_update_in *in,
                           int64_t now, lk_invalid *why) {
  int rc;

  memset(op, 0, sizeof(*op));
  op->caller = *caller;
  op->if_version = in->if_version;
  if (!uuid_copy(op->conv_id, conv_id))
    copy(op->conv_id, sizeof(op->conv_id), "-");
  if (in->status != NULL) {
    if (!lk_conv_status_valid(in->status))
      return invalid(why, "/status",
                     "must be open, pending, snoozed or resolved");
    op->set_status = true;
    copy(op->status, sizeof(op->status), in->status);
    if (strcmp(in->status, "snoozed") == 0) {
      if (in->snoozed_until <= now)
        return invalid(why, "/snoozedUntil",
                       "a snoozed conversation needs a time in the future "
                       "(Unix milliseconds)");
      op->snoozed_until = in->snoozed_until;
    } else if (in->snoozed_until != 0) {
      return invalid(why, "/snoozedUntil", "only with status snoozed");
    }
  } else if (in->snoozed_until != 0) {
    return invalid(why, "/snoozedUntil", "only with status snoozed");
  }
  if (in->priority != NULL) {
    op->priority = lk_conv_priority_parse(in->priority);
    if (op->priority < 0)
      return invalid(why, "/priority", "must be low, normal, high or urgent");
    op->set_priority = true;
  }
  if (in->subject != NULL) {
    if (in->subject[0] != '\0' &&
        !lk_text_ok(in->subject, LK_CONV_SUBJECT_MAX, false))
      return invalid(why, "/subject", subject_reason);
    op->set_subject = true;
    copy(op->subject, sizeof(op->subject), in->subject);
  }
  if (in->set_team) {
    op->set_team = true;
    if (given(in->team_id) && !uuid_copy(op->team_id, in->team_id))
      copy(op->team_id, sizeof(op->team_id), "-");
  }
  if (in->set_categories) {
    op->set_categories = true;
    rc = id_list(op->categories, &op->ncategories, LK_CONV_MAX_CATEGORIES,
                 in->categories, in->ncategories, "/categories", why);
    if (rc != 0)
      return rc;
  }
  return 0;
}

int lk_conv_update_apply(lk_tx *tx, void *arg) {
  lk_conv_update_op *op = arg;
  lk_conv_row *c = &op->conv;
  int64_t now = lk_tx_now(tx);
  lk_buf details = LK_BUF_INIT;
  int rc;

  op->field[0] = '\0';
  rc = lk_store_conv_lock(tx, op->conv_id, op->caller.may_confidential, c);
  if (rc != 0)
    return rc;
  if (op->if_version != 0 && op->if_version != c->version)
    return LK_CONV_STALE;
  if (op->set_team && op->team_id[0] != '\0') {
    rc = lk_store_team_check(tx, op->team_id);
    if (rc != 0)
      return fail_field(op->field, sizeof(op->field), "/teamId", -1, rc);
  }
  if (op->set_status && strcmp(op->status, c->status) != 0) {
    copy(c->status, sizeof(c->status), op->status);
    c->resolved_at = strcmp(op->status, "resolved") == 0 ? now : 0;
    /* Only an open conversation waits in the queue. */
    if (strcmp(op->status, "open") != 0)
      c->waiting_since = 0;
    else if (c->assignee_id[0] == '\0')
      c->waiting_since = now;
  }
  if (op->set_status)
    c->snoozed_until = op->snoozed_until;
  if (op->set_priority)
    c->priority = op->priority;
  if (op->set_subject)
    copy(c->subject, sizeof(c->subject), op->subject);
  if (op->set_team)
    copy(c->team_id, sizeof(c->team_id), op->team_id);
  if (op->set_categories) {
    rc = lk_store_conv_categories_clear(tx, c->id);
    for (int i = 0; rc == 0 && i < op->ncategories; i++) {
      rc = lk_store_conv_category_add(tx, c->id, op->categories[i]);
      fail_field(op->field, sizeof(op->field), "/categories", i, rc);
    }
    if (rc != 0)
      return rc;
  }
  c->version++;
  c->updated_at = now;
  rc = lk_store_conv_save(tx, c);
  if (rc == 0)
    rc = proclog(tx, &op->caller, c->party_id, "update", c->id);
  if (rc == 0) {
    lk_buf_puts(&details, "{\"status\":");
    lk_buf_json_str(&details, c->status);
    lk_buf_puts(&details, ",\"priority\":");
    lk_buf_json_str(&details, lk_conv_priority_name(c->priority));
    json_opt(&details, "teamId", c->team_id);
    lk_buf_printf(&details, ",\"version\":%lld}", (long long)c->version);
    rc = lk_buf_ok(&details)
             ? lk_store_audit(tx, op->caller.actor, "conversation.updated",
                              c->id, details.data)
             : LK_STORE_NOMEM;
    lk_buf_free(&details);
  }
  if (rc == 0)
    rc = emit_conversation(tx, "conversation.updated", c, op->categories,
                           op->set_categories ? op->ncategories : -1);
  return rc;
}
