/* search.c - full text with filters; see search.h.  The SQL is generated
 * per combination of filters and kept, like the inbox query in
 * conversations.c, so each statement stays a plain conjunction. */
#include "store/search.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/conv_filter.h"
#include "store/internal.h"
#include "util/buf.h"
#include "util/utf8.h"

/* A term worth searching has a letter or digit; "-", "(" or "*" alone
 * would be a phrase without tokens. */
static bool has_word(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];

    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
        (c >= 'A' && c <= 'Z') || c >= 0x80)
      return true;
  }
  return false;
}

int lk_store_fts_query(const char *q, char *out, size_t size) {
  lk_buf b = LK_BUF_INIT;
  size_t len = q != NULL ? strlen(q) : 0;
  const char *p = q;
  int terms = 0;

  if (size > 0)
    out[0] = '\0';
  if (len == 0 || len > LK_SEARCH_Q_MAX || !lk_utf8_valid(q, len))
    return -1;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)q[i];

    if ((c < 0x20 && c != ' ' && c != '\t') || c == 0x7f)
      return -1;
  }
  while (*p != '\0') {
    size_t n;
    bool prefix = false;

    while (*p == ' ' || *p == '\t')
      p++;
    n = strcspn(p, " \t");
    if (n == 0)
      break;
    if (has_word(p, n)) {
      size_t m = n;

      while (m > 0 && p[m - 1] == '*') {
        prefix = true;
        m--;
      }
      if (++terms > LK_SEARCH_TERMS_MAX) {
        lk_buf_free(&b);
        return -1;
      }
      if (b.len > 0)
        lk_buf_putc(&b, ' ');
      lk_buf_putc(&b, '"');
      for (size_t i = 0; i < m; i++) {
        if (p[i] == '"')
          lk_buf_putc(&b, '"'); /* a quote inside a phrase is doubled */
        lk_buf_putc(&b, p[i]);
      }
      lk_buf_putc(&b, '"');
      if (prefix)
        lk_buf_puts(&b, " *");
    }
    p += n;
  }
  if (terms == 0 || !lk_buf_ok(&b) || b.len >= size) {
    lk_buf_free(&b);
    return -1;
  }
  memcpy(out, b.data, b.len + 1);
  lk_buf_free(&b);
  return 0;
}

enum {
  F_CONV = LK_CONV_F_NEXT,       /* one conversation's messages (?13) */
  F_ABOVE = LK_CONV_F_NEXT << 1, /* newer than ?14 */
  F_COMBINATIONS = LK_CONV_F_NEXT << 2
};

static pthread_mutex_t search_sql_lock = PTHREAD_MUTEX_INITIALIZER;
static char *search_sql[F_COMBINATIONS];

/* Parameters as in the inbox query: ?1 team, ?2 status, ?3 channel,
 * ?4 assignee, ?5 category, ?6 party, ?7 from, ?8 to, ?9 the cursor,
 * ?11 the limit, ?12 the FTS query. */
static char *build_sql(unsigned m) {
  lk_buf b = LK_BUF_INIT;

  lk_buf_puts(&b,
              "SELECT contacts_fts.rowid,"
              " snippet(contacts_fts, -1, '', '', '\xe2\x80\xa6', 16),"
              " c.id, c.kind, c.channel, c.occurred_at,"
              " v.seq, v.id, v.reference, COALESCE(v.party_id, ''),"
              " COALESCE(p.display_name, ''), v.subject, v.channel, v.status,"
              " COALESCE(v.team_id, ''), COALESCE(v.assignee_id, ''),"
              " v.priority, v.confidential, v.last_message_at"
              " FROM contacts_fts JOIN contacts c ON c.seq = contacts_fts.rowid"
              " JOIN conversations v ON v.id = c.conversation_id"
              " LEFT JOIN parties p ON p.id = v.party_id"
              " WHERE contacts_fts MATCH ?12");
  if (m & F_AFTER)
    lk_buf_puts(&b, " AND contacts_fts.rowid < ?9");
  if (m & F_TEAM)
    lk_buf_puts(&b, " AND v.team_id = ?1");
  if (m & F_STATUS)
    lk_buf_puts(&b, " AND v.status = ?2");
  if (m & F_CHANNEL)
    lk_buf_puts(&b, " AND c.channel = ?3");
  if (m & F_ASSIGNEE)
    lk_buf_puts(&b, " AND v.assignee_id = ?4");
  if (m & F_UNASSIGNED)
    lk_buf_puts(&b, " AND v.assignee_id IS NULL");
  if (m & F_CATEGORY)
    lk_buf_puts(&b, " AND EXISTS (SELECT 1 FROM conversation_categories cc"
                    " WHERE cc.conversation_id = v.id"
                    " AND cc.category_id = ?5)");
  if (m & F_PARTY)
    lk_buf_puts(&b, " AND v.party_id = ?6");
  if (m & F_FROM)
    lk_buf_puts(&b, " AND c.occurred_at >= ?7");
  if (m & F_TO)
    lk_buf_puts(&b, " AND c.occurred_at < ?8");
  if (m & F_HIDECONF)
    lk_buf_puts(&b, " AND c.confidential = 0 AND v.confidential = 0");
  if (m & F_CONV)
    lk_buf_puts(&b, " AND c.conversation_id = ?13");
  if (m & F_ABOVE)
    lk_buf_puts(&b, " AND contacts_fts.rowid > ?14");
  /* The window: see lk_store_search(). */
  lk_buf_puts(&b, " AND contacts_fts.rowid >= ?16"
                  " ORDER BY contacts_fts.rowid DESC LIMIT ?11");
  return lk_buf_steal(&b);
}

static const char *sql_for(unsigned m) {
  char *sql;

  pthread_mutex_lock(&search_sql_lock);
  if (search_sql[m] == NULL)
    search_sql[m] = build_sql(m);
  sql = search_sql[m];
  pthread_mutex_unlock(&search_sql_lock);
  return sql;
}

const char *lk_store_search_sql(const lk_conv_filter *f) {
  return sql_for(lk_conv_filter_mask(f));
}

static void hit_row(lk_stmt *st, lk_search_hit *h, lk_conv_row *c) {
  memset(c, 0, sizeof(*c));
  h->seq = lk_stmt_col_int(st, 0);
  h->snippet = lk_stmt_col_text(st, 1);
  h->contact_id = lk_stmt_col_text(st, 2);
  h->kind = lk_stmt_col_text(st, 3);
  h->channel = lk_stmt_col_text(st, 4);
  h->occurred_at = lk_stmt_col_int(st, 5);
  c->seq = lk_stmt_col_int(st, 6);
  lk_store_copy(c->id, sizeof(c->id), lk_stmt_col_text(st, 7));
  lk_store_copy(c->reference, sizeof(c->reference), lk_stmt_col_text(st, 8));
  lk_store_copy(c->party_id, sizeof(c->party_id), lk_stmt_col_text(st, 9));
  lk_store_copy(c->party_name, sizeof(c->party_name), lk_stmt_col_text(st, 10));
  lk_store_copy(c->subject, sizeof(c->subject), lk_stmt_col_text(st, 11));
  lk_store_copy(c->channel, sizeof(c->channel), lk_stmt_col_text(st, 12));
  lk_store_copy(c->status, sizeof(c->status), lk_stmt_col_text(st, 13));
  lk_store_copy(c->team_id, sizeof(c->team_id), lk_stmt_col_text(st, 14));
  lk_store_copy(c->assignee_id, sizeof(c->assignee_id),
                lk_stmt_col_text(st, 15));
  c->priority = (int)lk_stmt_col_int(st, 16);
  c->confidential = lk_stmt_col_int(st, 17) != 0;
  c->last_message_at = lk_stmt_col_int(st, 18);
  h->conv = c;
}

/* Runs the search SQL of mask `m` on `db`, binding `f` and the extra
 * parameters, calling `fn` per hit; returns the number of hits. */
static int run(lk_db *db, unsigned m, const lk_conv_filter *f, int limit,
               int64_t floor, const char *conv_id, int64_t above,
               lk_search_fn fn, void *ud, const bool *stop) {
  const char *sql = sql_for(m);
  lk_search_hit h;
  lk_conv_row c;
  lk_stmt *st;
  int n = 0;
  int rc = LK_DB_DONE;

  if (sql == NULL)
    return LK_STORE_NOMEM;
  st = lk_db_stmt(db, sql);
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, lk_conv_nz(f->team_id));
  lk_stmt_text(st, 2, lk_conv_nz(f->status));
  lk_stmt_text(st, 3, lk_conv_nz(f->channel));
  lk_stmt_text(st, 4, lk_conv_nz(f->assignee_id));
  lk_stmt_text(st, 5, lk_conv_nz(f->category_id));
  lk_stmt_text(st, 6, lk_conv_nz(f->party_id));
  lk_stmt_int(st, 7, f->from);
  lk_stmt_int(st, 8, f->to);
  lk_stmt_int(st, 9, f->after_seq);
  lk_stmt_int(st, 11, limit);
  lk_stmt_text(st, 12, f->fts);
  lk_stmt_text(st, 13, conv_id);
  lk_stmt_int(st, 14, above);
  lk_stmt_int(st, 16, floor);
  while ((stop == NULL || !*stop) && (rc = lk_stmt_step(st)) == LK_DB_ROW) {
    hit_row(st, &h, &c);
    if (fn != NULL)
      fn(&h, ud);
    n++;
  }
  lk_stmt_done(st);
  return rc < 0 ? rc : n;
}

/* The lowest rowid of the `window` newest matches below the cursor, or 0
 * if there are fewer: the floor of this request's walk.  FTS5 alone, no
 * joins, so it costs little even for a common word. */
static int window_floor(lk_db *db, const lk_conv_filter *f, int window,
                        int64_t *floor) {
  static const char sql[] =
      "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1"
      " AND rowid < ?2 ORDER BY rowid DESC LIMIT 1 OFFSET ?3";
  lk_stmt *st = lk_db_stmt(db, sql);
  int rc;

  *floor = 0;
  /* Without a selective filter nearly every match passes, and the page
   * fills within its first rows: no floor needed, none paid for. */
  if ((lk_conv_filter_mask(f) & ~(unsigned)(F_AFTER | F_HIDECONF)) == 0)
    return 0;
  if (st == NULL)
    return LK_STORE_IO;
  lk_stmt_text(st, 1, f->fts);
  lk_stmt_int(st, 2, f->after ? f->after_seq : INT64_MAX);
  lk_stmt_int(st, 3, window - 1);
  rc = lk_stmt_step(st);
  if (rc == LK_DB_ROW)
    *floor = lk_stmt_col_int(st, 0);
  lk_stmt_done(st);
  return rc < 0 ? rc : 0;
}

struct last_hit {
  lk_search_fn fn;
  void *ud;
  int64_t seq;
};

static void note_hit(const lk_search_hit *h, void *ud) {
  struct last_hit *l = ud;

  l->seq = h->seq;
  l->fn(h, l->ud);
}

int lk_store_search(lk_store *s, const lk_conv_filter *f, lk_search_fn fn,
                    void *ud, int64_t *next_seq) {
  struct last_hit l = {fn, ud, 0};
  int64_t floor;
  lk_db *db;
  int rc;

  *next_seq = 0;
  if (f->limit < 1 || lk_conv_nz(f->fts) == NULL)
    return 0;
  rc = lk_store_reader(s, &db);
  if (rc != 0)
    return rc;
  rc = window_floor(db, f, LK_SEARCH_WINDOW, &floor);
  if (rc == 0)
    rc = run(db, lk_conv_filter_mask(f), f, f->limit, floor, NULL, 0, note_hit,
             &l, NULL);
  lk_store_reader_release(s, db);
  if (rc == f->limit)
    *next_seq = l.seq;
  else if (rc >= 0)
    *next_seq = floor; /* 0: no match below the window */
  return rc;
}

/* ---- conversations by their newest matching message ----------------- */

struct group {
  lk_db *db;
  const lk_conv_filter *f;
  lk_conv_item_fn fn;
  void *ud;
  int listed;
  bool full;
  int64_t last_seq; /* the last hit looked at */
  int rc;
  char (*seen)[LK_CONV_ID_LEN + 1];
};

static void group_hit(const lk_search_hit *h, void *ud) {
  struct group *g = ud;
  lk_conv_item it = {h->conv, h->snippet};
  int rc;

  if (g->full || g->rc < 0)
    return;
  g->last_seq = h->seq;
  for (int i = 0; i < g->listed; i++) {
    if (strcmp(g->seen[i], h->conv->id) == 0)
      return;
  }
  /* A newer match of this conversation was on an earlier page, which
   * listed the conversation there. */
  if (g->f->after) {
    rc =
        run(g->db,
            (lk_conv_filter_mask(g->f) & ~(unsigned)F_AFTER) | F_CONV | F_ABOVE,
            g->f, 1, 0, h->conv->id, g->f->after_seq, NULL, NULL, NULL);
    if (rc != 0) {
      if (rc < 0)
        g->rc = rc;
      return;
    }
  }
  memcpy(g->seen[g->listed++], h->conv->id, LK_CONV_ID_LEN + 1);
  g->fn(&it, g->ud);
  if (g->listed == g->f->limit)
    g->full = true;
}

int lk_store_search_conversations(lk_store *s, const lk_conv_filter *f,
                                  lk_conv_item_fn fn, void *ud,
                                  int64_t *next_seq) {
  struct group g = {.f = f, .fn = fn, .ud = ud};
  int64_t floor = 0;
  int rc;

  *next_seq = 0;
  if (f->limit < 1 || lk_conv_nz(f->fts) == NULL)
    return 0;
  g.seen = calloc((size_t)f->limit, sizeof(*g.seen));
  if (g.seen == NULL)
    return LK_STORE_NOMEM;
  rc = lk_store_reader(s, &g.db);
  if (rc != 0) {
    free(g.seen);
    return rc;
  }
  /* The walk stops as soon as the page is full, or at the window's
   * floor. */
  rc = window_floor(g.db, f, LK_SEARCH_WINDOW, &floor);
  if (rc == 0)
    rc = run(g.db, lk_conv_filter_mask(f), f, LK_SEARCH_WINDOW, floor, NULL, 0,
             group_hit, &g, &g.full);
  lk_store_reader_release(s, g.db);
  free(g.seen);
  if (rc < 0)
    return rc;
  if (g.rc < 0)
    return g.rc;
  *next_seq = g.full ? g.last_seq : floor;
  return g.listed;
}

/* ---- indexing, once per commit -------------------------------------- */

int lk_store_fts_flush(lk_db *db, bool *present) {
  static const char exists[] = "SELECT count(*) FROM sqlite_schema"
                               " WHERE type = 'table'"
                               " AND name = 'contacts_fts_queue'";
  static const char index[] =
      "INSERT INTO contacts_fts (rowid, subject, content, party_name)"
      " SELECT c.seq, c.subject, c.content,"
      " COALESCE((SELECT p.display_name FROM conversations v"
      " JOIN parties p ON p.id = v.party_id"
      " WHERE v.id = c.conversation_id), '')"
      " FROM contacts_fts_queue q JOIN contacts c ON c.seq = q.seq"
      " ORDER BY q.seq";
  static const char empty[] = "DELETE FROM contacts_fts_queue";
  lk_stmt *st;
  int64_t n;
  int rc;

  if (!*present) {
    rc = lk_store_query_int(db, exists, &n);
    if (rc != 0)
      return rc;
    if (n == 0)
      return 0;
    *present = true;
  }
  st = lk_db_stmt(db, index);
  if (st == NULL)
    return LK_STORE_IO;
  rc = lk_stmt_run(st);
  if (rc != 0)
    return rc;
  /* Nothing was queued: the common case of a batch without messages. */
  if (lk_db_changes(db) == 0)
    return 0;
  st = lk_db_stmt(db, empty);
  return st != NULL ? lk_stmt_run(st) : LK_STORE_IO;
}
