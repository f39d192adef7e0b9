/* facilitation_links.c - what facilitation reads of the participation
 * core's tables (migration 0018, docs/participation.md): organisers,
 * neighbourhoods, public titles and display names.  Kept apart so the
 * rest of facilitation's SQL touches only its own tables.
 */
#include "store/facilitation.h"
#include "store/internal.h"

static void text_row(lk_stmt *st, void *ud) {
  lk_store_copy(ud, LK_FAC_REF_MAX + 1, lk_stmt_col_text(st, 0));
}

/* Facilitation is asked for initiatives that are out in the open and
 * not finished: published or running, not hidden by moderation. */
int lk_store_fac_initiative_tx(lk_tx *tx, const char *initiative_id,
                               const char *account_id, char *neighbourhood) {
  static const char any[] =
      "SELECT COALESCE(neighbourhood_id, '') FROM initiatives"
      " WHERE id = ?1 AND status IN ('published', 'running')"
      " AND hidden_at IS NULL";
  static const char organiser[] =
      "SELECT COALESCE(i.neighbourhood_id, '') FROM initiatives i"
      " JOIN initiative_organisers o ON o.initiative_id = i.id"
      " WHERE i.id = ?1 AND o.account_id = ?2"
      " AND i.status IN ('published', 'running') AND i.hidden_at IS NULL";
  const char *texts[] = {initiative_id, account_id};
  char nb[LK_FAC_REF_MAX + 1] = "";
  int n = lk_rows(lk_tx_db(tx), account_id != NULL ? organiser : any, texts,
                  account_id != NULL ? 2 : 1, NULL, 0, text_row, nb);

  return lk_rows_one(n, nb, neighbourhood, sizeof(nb));
}

int lk_store_fac_organiser_tx(lk_tx *tx, const char *initiative_id,
                              const char *account_id) {
  static const char sql[] = "SELECT account_id FROM initiative_organisers"
                            " WHERE initiative_id = ?1 AND account_id = ?2";
  const char *texts[] = {initiative_id, account_id};
  char id[LK_FAC_REF_MAX + 1];
  int n = lk_rows(lk_tx_db(tx), sql, texts, 2, NULL, 0, text_row, id);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_fac_neighbourhood_tx(lk_tx *tx, const char *id) {
  static const char sql[] = "SELECT id FROM neighbourhoods WHERE id = ?1";
  char nb[LK_FAC_REF_MAX + 1];
  int n = lk_rows(lk_tx_db(tx), sql, &id, 1, NULL, 0, text_row, nb);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

static void found(lk_stmt *st, void *ud) {
  (void)st;
  *(bool *)ud = true;
}

int lk_store_fac_is_organiser(lk_store *s, const char *initiative_id,
                              const char *account_id, bool *out) {
  static const char sql[] = "SELECT 1 FROM initiative_organisers"
                            " WHERE initiative_id = ?1 AND account_id = ?2";
  const char *texts[] = {initiative_id, account_id};
  bool yes = false;
  int n = lk_rows_read(s, sql, texts, 2, NULL, 0, found, &yes);

  if (n < 0)
    return n;
  *out = yes;
  return 0;
}

struct name_ctx {
  char *out;
  size_t size;
};

static void name_row(lk_stmt *st, void *ud) {
  struct name_ctx *c = ud;

  lk_store_copy(c->out, c->size, lk_stmt_col_text(st, 0));
}

static int name_get(lk_store *s, const char *sql, const char *id, char *out,
                    size_t size) {
  struct name_ctx c = {out, size};
  int n = lk_rows_read(s, sql, &id, 1, NULL, 0, name_row, &c);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_fac_initiative_title(lk_store *s, const char *id, char *title,
                                  size_t size) {
  static const char sql[] =
      "SELECT title FROM initiatives WHERE id = ?1"
      " AND published_at IS NOT NULL AND hidden_at IS NULL";
  return name_get(s, sql, id, title, size);
}

int lk_store_fac_neighbourhood_name(lk_store *s, const char *id, char *name,
                                    size_t size) {
  static const char sql[] = "SELECT name FROM neighbourhoods WHERE id = ?1";
  return name_get(s, sql, id, name, size);
}

int lk_store_fac_account_name(lk_store *s, const char *id, char *name,
                              size_t size) {
  static const char sql[] = "SELECT display_name FROM p_accounts WHERE id = ?1";
  return name_get(s, sql, id, name, size);
}
