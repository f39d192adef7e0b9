/* notice_history.c - earlier texts shown under "Eerdere versie". */
#include "store/notice_history.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

struct lk_history_item {
  char id[40];
  int first; /* index into edits */
  int n;
  int total;
};

struct load {
  lk_history *h;
  int cap_edits, cap_items;
  bool nomem;
};

static char *dup_or_null(lk_stmt *st, int col, bool null_ok) {
  const char *v = lk_stmt_col_text(st, col);

  if (null_ok && v[0] == '\0')
    return NULL;
  return strdup(v);
}

/* `p` with room for `need` elements of `size`, or NULL (p untouched). */
static void *grow(void *p, int *cap, int need, size_t size) {
  void *q;
  int n;

  if (need <= *cap)
    return p;
  n = *cap > 0 ? *cap * 2 : 16;
  q = realloc(p, (size_t)n * size);
  if (q != NULL)
    *cap = n;
  return q;
}

static void load_row(lk_stmt *st, void *ud) {
  struct load *l = ud;
  lk_history *h = l->h;
  const char *item = lk_stmt_col_text(st, 0);
  lk_history_item *it, *items;
  lk_notice_edit_pub *e, *edits;

  if (l->nomem)
    return;
  edits = grow(h->edits, &l->cap_edits, h->nedits + 1, sizeof(*h->edits));
  if (edits != NULL)
    h->edits = edits;
  items = grow(h->items, &l->cap_items, h->nitems + 1, sizeof(*h->items));
  if (items != NULL)
    h->items = items;
  if (edits == NULL || items == NULL) {
    l->nomem = true;
    return;
  }
  it = h->nitems > 0 ? &h->items[h->nitems - 1] : NULL;
  if (it == NULL || strcmp(it->id, item) != 0) {
    it = &h->items[h->nitems++];
    lk_store_copy(it->id, sizeof(it->id), item);
    it->first = h->nedits;
    it->n = 0;
    it->total = (int)lk_stmt_col_int(st, 4);
  }
  e = &h->edits[h->nedits];
  e->question = dup_or_null(st, 1, true);
  e->body = strdup(lk_stmt_col_text(st, 2));
  e->until = lk_stmt_col_int(st, 3);
  h->nedits++;
  it->n++;
  if (e->body == NULL || (e->question == NULL && lk_stmt_col_text(st, 1)[0]))
    l->nomem = true;
}

static int item_cmp(const void *key, const void *elem) {
  return strcmp(key, ((const lk_history_item *)elem)->id);
}

static int items_cmp(const void *a, const void *b) {
  return strcmp(((const lk_history_item *)a)->id,
                ((const lk_history_item *)b)->id);
}

int lk_history_load(lk_store *s, const char *sql, const char *notice_id,
                    lk_history *h) {
  struct load l = {.h = h};
  int64_t shown = LK_NOTICE_HISTORY_SHOWN;
  int rc;

  memset(h, 0, sizeof(*h));
  rc = lk_rows_read(s, sql, &notice_id, 1, &shown, 1, load_row, &l);
  if (rc >= 0 && l.nomem)
    rc = LK_STORE_NOMEM;
  if (rc < 0)
    return rc;
  /* The rows come grouped; sort here rather than trust the backend's
   * collation to agree with strcmp. */
  if (h->nitems > 1)
    qsort(h->items, (size_t)h->nitems, sizeof(*h->items), items_cmp);
  return 0;
}

void lk_history_of(const lk_history *h, const char *id,
                   const lk_notice_edit_pub **out, int *n, int *total) {
  const lk_history_item *it = NULL;

  if (h->nitems > 0)
    it = bsearch(id, h->items, (size_t)h->nitems, sizeof(*h->items), item_cmp);
  *out = it != NULL ? &h->edits[it->first] : NULL;
  *n = it != NULL ? it->n : 0;
  *total = it != NULL ? it->total : 0;
}

void lk_history_free(lk_history *h) {
  for (int i = 0; i < h->nedits; i++) {
    free((char *)h->edits[i].question);
    free((char *)h->edits[i].body);
  }
  free(h->edits);
  free(h->items);
  memset(h, 0, sizeof(*h));
}

struct edit_each {
  lk_notice_edit_fn fn;
  void *ud;
  bool has_question;
};

static void edit_each(lk_stmt *st, void *ud) {
  struct edit_each *ee = ud;
  lk_notice_edit_row e = {
      .seq = lk_stmt_col_int(st, 0),
      /* A NULL column reads as "", so an update's must not be read. */
      .question = ee->has_question ? lk_stmt_col_text(st, 1) : NULL,
      .body = lk_stmt_col_text(st, 2),
      .edited_by = lk_stmt_col_text(st, 3),
      .edited_at = lk_stmt_col_int(st, 4),
      .public = lk_stmt_col_int(st, 5) != 0,
  };

  ee->fn(&e, ee->ud);
}

int lk_history_edits(lk_store *s, const char *sql, const char *item_id,
                     bool has_question, int64_t before_seq, int limit,
                     lk_notice_edit_fn fn, void *ud) {
  struct edit_each ee = {fn, ud, has_question};
  int64_t nums[] = {before_seq, limit};

  return lk_rows_read(s, sql, &item_id, 1, nums, 2, edit_each, &ee);
}
