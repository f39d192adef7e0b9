/* calamity.c - the SQL of the calamity mode. */
#include "store/calamity.h"

#include <string.h>

#include "store/internal.h"

static void copy_id(lk_stmt *st, void *ud) {
  const char *v = lk_stmt_col_text(st, 0);

  lk_store_copy(ud, LK_CALAMITY_ID_MAX, v != NULL ? v : "");
}

int lk_store_calamity_get(lk_store *s, char out[LK_CALAMITY_ID_MAX]) {
  int n;

  out[0] = '\0';
  n = lk_rows_read(s, "SELECT notice_id FROM calamity WHERE id = 1", NULL, 0,
                   NULL, 0, copy_id, out);
  return n < 0 ? n : 0;
}

int lk_store_calamity_eligible(lk_tx *tx, const char *id) {
  int n = lk_rows(lk_tx_db(tx),
                  "SELECT 1 FROM notices WHERE id = ?1 AND kind = "
                  "'calamiteit' AND status = 'published'",
                  &id, 1, NULL, 0, NULL, NULL);

  if (n < 0)
    return n;
  return n == 0 ? LK_STORE_NOTFOUND : 0;
}

int lk_store_calamity_set(lk_tx *tx, const char *id, const char *actor,
                          int64_t now) {
  const char *texts[] = {id, actor};

  return lk_rows_write(tx,
                       "UPDATE calamity SET notice_id = ?1, changed_by = ?2, "
                       "changed_at = ?3 WHERE id = 1",
                       texts, 2, &now, 1, true);
}
