/* conversation_read.c - conversations as the API shows them, and the
 * processing log of reading them; the contract is conversation.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conversation.h"
#include "core/proclog.h"
#include "store/proclog.h"

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void json_opt(lk_buf *b, const char *key, const char *v) {
  lk_buf_printf(b, ",\"%s\":", key);
  if (v != NULL && v[0] != '\0')
    lk_buf_json_str(b, v);
  else
    lk_buf_puts(b, "null");
}

/* ---- reading -------------------------------------------------------- */

static void json_time(lk_buf *b, const char *key, int64_t v) {
  if (v != 0)
    lk_buf_printf(b, ",\"%s\":%lld", key, (long long)v);
  else
    lk_buf_printf(b, ",\"%s\":null", key);
}

static void party_json(lk_buf *b, const lk_conv_row *c) {
  lk_buf_puts(b, ",\"party\":");
  if (c->party_id[0] == '\0') {
    lk_buf_puts(b, "null");
    return;
  }
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, c->party_id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, c->party_name);
  lk_buf_putc(b, '}');
}

/* The members an inbox item and a full conversation share. */
static void conv_head(lk_buf *b, const lk_conv_row *c) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, c->id);
  lk_buf_puts(b, ",\"reference\":");
  lk_buf_json_str(b, c->reference);
  lk_buf_puts(b, ",\"subject\":");
  lk_buf_json_str(b, c->subject);
  lk_buf_puts(b, ",\"status\":");
  lk_buf_json_str(b, c->status);
  lk_buf_puts(b, ",\"priority\":");
  lk_buf_json_str(b, lk_conv_priority_name(c->priority));
  lk_buf_puts(b, ",\"channel\":");
  lk_buf_json_str(b, c->channel);
  party_json(b, c);
  json_opt(b, "teamId", c->team_id);
  json_opt(b, "assigneeId", c->assignee_id);
  lk_buf_printf(b, ",\"confidential\":%s,\"lastMessageAt\":%lld",
                c->confidential ? "true" : "false",
                (long long)c->last_message_at);
}

void lk_conv_summary_json(lk_buf *b, const lk_conv_row *c,
                          const char *message_id) {
  conv_head(b, c);
  lk_buf_printf(b, ",\"version\":%lld,\"createdAt\":%lld",
                (long long)c->version, (long long)c->created_at);
  json_opt(b, "messageId", message_id);
  lk_buf_putc(b, '}');
}

void lk_conv_item_json(lk_buf *b, const lk_conv_item *it) {
  conv_head(b, it->row);
  if (it->preview != NULL) {
    lk_buf_puts(b, ",\"preview\":");
    lk_buf_json_str(b, it->preview);
  }
  lk_buf_putc(b, '}');
}

static void category_json(const char *id, const char *name, void *ud) {
  lk_buf *b = ud;

  if (b->len > 0 && b->data[b->len - 1] != '[')
    lk_buf_putc(b, ',');
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, id);
  lk_buf_puts(b, ",\"name\":");
  lk_buf_json_str(b, name);
  lk_buf_putc(b, '}');
}

/* Messages are rendered into `msgs` first, each with a marker where its
 * attachments go; the attachments of the whole page are then fetched in
 * one query and spliced in by contact id. */
struct att_item {
  char contact[LK_CONV_ID_LEN + 1];
  size_t off;
  size_t len;
};

struct timeline {
  lk_buf *b;
  int n;
  int64_t first_seq;
  int64_t last_seq;
  lk_buf att; /* rendered attachments, back to back */
  struct att_item *items;
  int nitems;
  int cap;
  bool oom;
  bool conv_confidential; /* staff see every message of one as such */
};

static void attachment_json(lk_buf *b, const lk_attachment_view *a) {
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, a->id);
  lk_buf_puts(b, ",\"filename\":");
  lk_buf_json_str(b, a->filename);
  lk_buf_puts(b, ",\"mediaType\":");
  lk_buf_json_str(b, a->media_type);
  lk_buf_printf(b, ",\"size\":%lld,\"sha256\":", (long long)a->size);
  lk_buf_json_str(b, a->sha256);
  lk_buf_putc(b, '}');
}

static void attachment_of(const lk_attachment_view *a, void *ud) {
  struct timeline *t = ud;
  struct att_item *it;

  if (t->nitems == t->cap) {
    int cap = t->cap ? t->cap * 2 : 16;
    struct att_item *grown = realloc(t->items, sizeof(*grown) * (size_t)cap);

    if (grown == NULL) {
      t->oom = true;
      return;
    }
    t->items = grown;
    t->cap = cap;
  }
  it = &t->items[t->nitems++];
  copy(it->contact, sizeof(it->contact), a->contact_id);
  it->off = t->att.len;
  attachment_json(&t->att, a);
  it->len = t->att.len - it->off;
}

static void message_json(const lk_contact_row *m, void *ud) {
  struct timeline *t = ud;
  lk_buf *b = t->b;

  if (t->n++ > 0)
    lk_buf_putc(b, ',');
  else
    t->first_seq = m->seq - 1;
  t->last_seq = m->seq;
  lk_buf_puts(b, "{\"id\":");
  lk_buf_json_str(b, m->id);
  lk_buf_puts(b, ",\"kind\":");
  lk_buf_json_str(b, m->kind);
  lk_buf_puts(b, ",\"channel\":");
  lk_buf_json_str(b, m->channel);
  lk_buf_puts(b, ",\"subject\":");
  lk_buf_json_str(b, m->subject);
  lk_buf_puts(b, ",\"content\":");
  lk_buf_json_str(b, m->content);
  lk_buf_puts(b, ",\"language\":");
  lk_buf_json_str(b, m->language);
  lk_buf_printf(b, ",\"confidential\":%s,\"occurredAt\":%lld",
                m->confidential || t->conv_confidential ? "true" : "false",
                (long long)m->occurred_at);
  json_opt(b, "authorId", m->author_id);
  json_opt(b, "delivery", m->delivery);
  /* The marker is a raw control character, which rendered JSON never
   * holds (strings escape it), followed by the contact id. */
  lk_buf_puts(b, ",\"attachments\":[\x01");
  lk_buf_puts(b, m->id);
  lk_buf_puts(b, "\x01]}");
}

/* Replaces each "\x01<contact id>\x01" marker with its attachments. */
static void splice_attachments(struct timeline *t, lk_buf *out) {
  const char *p = t->b->data;
  const char *mark;

  while ((mark = strchr(p, '\x01')) != NULL) {
    bool first = true;

    lk_buf_append(out, p, (size_t)(mark - p));
    for (int i = 0; i < t->nitems; i++) {
      if (strncmp(t->items[i].contact, mark + 1, LK_CONV_ID_LEN) != 0)
        continue;
      if (!first)
        lk_buf_putc(out, ',');
      first = false;
      lk_buf_append(out, t->att.data + t->items[i].off, t->items[i].len);
    }
    p = mark + 1 + LK_CONV_ID_LEN + 1;
  }
  lk_buf_puts(out, p);
}

int lk_conv_render(lk_store *s, const lk_conv_caller *caller, const char *id,
                   int64_t after_seq, int limit, lk_buf *b, lk_conv_row *row) {
  lk_proclog_entry e = {caller->actor,     NULL, "read",
                        "klantcontact",    NULL, NULL,
                        caller->request_id};
  lk_buf msgs = LK_BUF_INIT;
  lk_buf out = LK_BUF_INIT;
  struct timeline t = {.b = &msgs};
  char resource[64];
  lk_conv_row c;
  int rc;

  rc = lk_store_conv_get(s, id, caller->may_confidential, &c);
  if (rc != 0)
    return rc;
  snprintf(resource, sizeof(resource), "conversation:%s", c.id);
  e.party_id = c.party_id;
  e.resource = resource;
  rc = lk_proclog_read(s, &e);
  if (rc != 0)
    return rc;
  conv_head(&out, &c);
  lk_buf_puts(&out, ",\"language\":");
  lk_buf_json_str(&out, c.language);
  lk_buf_printf(&out, ",\"version\":%lld,\"createdAt\":%lld",
                (long long)c.version, (long long)c.created_at);
  lk_buf_printf(&out, ",\"updatedAt\":%lld", (long long)c.updated_at);
  json_time(&out, "snoozedUntil", c.snoozed_until);
  json_time(&out, "firstResponseAt", c.first_response_at);
  json_time(&out, "resolvedAt", c.resolved_at);
  json_time(&out, "waitingSince", c.waiting_since);
  lk_buf_puts(&out, ",\"categories\":[");
  rc = lk_store_conv_categories(s, c.id, category_json, &out);
  lk_buf_puts(&out, "],\"messages\":[");
  t.conv_confidential = c.confidential;
  if (rc >= 0)
    rc = lk_store_conv_timeline(s, c.id, caller->may_confidential, after_seq,
                                limit, message_json, &t);
  if (rc >= 0 && t.n > 0)
    rc = lk_store_conv_attachments(s, c.id, t.first_seq, t.last_seq,
                                   attachment_of, &t);
  if (rc >= 0 && t.oom)
    rc = LK_STORE_NOMEM;
  if (rc >= 0 && t.n > 0)
    splice_attachments(&t, &out);
  lk_buf_puts(&out, "],\"messagesNext\":");
  if (rc >= 0 && t.n == limit)
    lk_buf_printf(&out, "\"%lld\"", (long long)t.last_seq);
  else
    lk_buf_puts(&out, "null");
  lk_buf_puts(&out, "}\n");
  lk_buf_free(&msgs);
  lk_buf_free(&t.att);
  free(t.items);
  if (rc < 0 || !lk_buf_ok(&out)) {
    lk_buf_free(&out);
    return rc < 0 ? rc : LK_STORE_NOMEM;
  }
  lk_buf_append(b, out.data, out.len);
  lk_buf_free(&out);
  if (row != NULL)
    *row = c;
  return 0;
}

/* ---- processing log of list reads ----------------------------------- */

struct read_log {
  lk_write w;
  lk_conv_caller caller;
  char resource[128];
  int n;
  char parties[][LK_CONV_ID_LEN + 1];
};

static int read_log_apply(lk_tx *tx, void *arg) {
  struct read_log *r = arg;
  int rc = 0;

  for (int i = 0; i < r->n && rc == 0; i++) {
    lk_proclog_entry e = {r->caller.actor,     r->parties[i], "read",
                          "klantcontact",      r->resource,   NULL,
                          r->caller.request_id};

    rc = lk_store_proclog_insert(tx, &e);
  }
  return rc;
}

static void read_log_done(int status, void *arg) {
  (void)status; /* a lost entry is logged by nobody else: rare, disk full */
  free(arg);
}

int lk_conv_log_reads(lk_store *s, const lk_conv_caller *caller,
                      const char *resource, const char *const *party_ids,
                      int n) {
  struct read_log *r;
  int rc;

  r = calloc(1, sizeof(*r) + (size_t)(n > 0 ? n : 1) * (LK_CONV_ID_LEN + 1));
  if (r == NULL)
    return LK_STORE_NOMEM;
  r->caller = *caller;
  copy(r->resource, sizeof(r->resource), resource);
  /* One row per resident, not per conversation. */
  for (int i = 0; i < n; i++) {
    bool seen = party_ids[i] == NULL || party_ids[i][0] == '\0';

    for (int j = 0; j < r->n && !seen; j++)
      seen = strcmp(r->parties[j], party_ids[i]) == 0;
    if (!seen)
      copy(r->parties[r->n++], LK_CONV_ID_LEN + 1, party_ids[i]);
  }
  if (r->n == 0) {
    free(r);
    return 0;
  }
  r->w.apply = read_log_apply;
  r->w.done = read_log_done;
  r->w.arg = r;
  rc = lk_store_submit(s, &r->w);
  if (rc != 0)
    free(r);
  return rc;
}
