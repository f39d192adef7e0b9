/* Unit tests for core/merge.h: confidential parties, the default moving to
 * the verified copy that replaced it, a party the survivor had as its
 * contact person. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <stdarg.h>

#include "core/ids.h"
#include "core/merge.h"
#include "store/internal.h"

static int exec_apply(lk_tx *tx, void *arg) {
  return lk_db_exec(lk_tx_db(tx), arg);
}

static void sql(lk_store *s, const char *fmt, ...) {
  char text[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  assert_int_equal(lk_store_write(s, exec_apply, text), 0);
}

static int nparties;

static void party(lk_store *s, int confidential, char id[37]) {
  lk_uuid_new(id, 1000 + nparties);
  sql(s,
      "INSERT INTO parties (id, nummer, kind, confidential, created_at,"
      " updated_at) VALUES ('%s', '%010d', 'persoon', %d, 1, 1)",
      id, ++nparties, confidential);
}

static void address(lk_store *s, const char *party_id, const char *addr,
                    int is_default, int verified, char id[37]) {
  lk_uuid_new(id, 2000);
  sql(s,
      "INSERT INTO digital_addresses (id, party_id, kind, address,"
      " address_key, is_default, verified_on, created_at)"
      " VALUES ('%s', '%s', 'email', '%s', '%s', %d, %s, 1)",
      id, party_id, addr, addr, is_default, verified ? "'2026-01-01'" : "NULL");
}

static void col(lk_stmt *st, void *ud) {
  lk_store_copy(ud, 64, lk_stmt_col_text(st, 0));
}

/* "party_id/is_default" of an address. */
static const char *where(lk_store *s, const char *addr) {
  static const char q[] = "SELECT party_id || '/' || is_default"
                          " FROM digital_addresses WHERE id = ?1";
  static char out[64];

  assert_int_equal(lk_store_query(s, q, addr, 0, col, out), 1);
  return out;
}

static int merge(lk_store *s, const char *survivor, const char *merged,
                 bool confidential, lk_merge_op *op) {
  lk_invalid why;
  int rc;

  assert_int_equal(lk_merge_prepare(op, "user:usr_1", confidential, "req-1",
                                    survivor, merged, "dubbel", &why),
                   0);
  rc = lk_store_write(s, lk_merge_apply, op);
  return rc;
}

static void test_confidential_party_is_unknown(void **state) {
  fixture *fx = *state;
  char a[37], b[37];
  lk_merge_op op;

  party(fx->store, 0, a);
  party(fx->store, 1, b);
  assert_int_equal(merge(fx->store, a, b, false, &op), LK_STORE_NOTFOUND);
  lk_merge_op_free(&op);
  assert_int_equal(merge(fx->store, b, a, false, &op), LK_STORE_NOTFOUND);
  lk_merge_op_free(&op);
  assert_int_equal(merge(fx->store, a, b, true, &op), 0);
  assert_non_null(strstr(op.moved.data, "\"conversations\":[]"));
  lk_merge_op_free(&op);
}

static void test_default_follows_the_verified_copy(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char a[37], b[37], sx[37], mx[37], want[80];
  lk_merge_op op;

  party(s, 0, a);
  party(s, 0, b);
  address(s, a, "piet@example.nl", 1, 0, sx);
  address(s, b, "piet@example.nl", 0, 1, mx);
  assert_int_equal(merge(s, a, b, false, &op), 0);
  snprintf(want, sizeof(want), "%s/1", a);
  assert_string_equal(where(s, mx), want);
  snprintf(want, sizeof(want), "%s/0", b);
  assert_string_equal(where(s, sx), want);
  snprintf(want, sizeof(want), "\"defaultsSet\":[\"%s\"]", mx);
  assert_non_null(strstr(op.moved.data, want));
  snprintf(want, sizeof(want), "\"defaultsCleared\":[\"%s\"]", sx);
  assert_non_null(strstr(op.moved.data, want));
  lk_merge_op_free(&op);
}

static void test_contact_persons_move(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char org[37], dup[37], person[37];
  lk_merge_op op;
  char want[80];

  party(s, 0, org);
  party(s, 0, dup);
  party(s, 0, person);
  sql(s, "UPDATE parties SET works_for = '%s' WHERE id = '%s'", dup, person);
  /* The survivor itself worked for the duplicate: it does not come to
   * work for itself. */
  sql(s, "UPDATE parties SET works_for = '%s' WHERE id = '%s'", dup, org);
  assert_int_equal(merge(s, org, dup, false, &op), 0);
  snprintf(want, sizeof(want), "\"contactPersons\":[\"%s\"]", person);
  assert_non_null(strstr(op.moved.data, want));
  lk_merge_op_free(&op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_confidential_party_is_unknown,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_default_follows_the_verified_copy,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_contact_persons_move, setup_store,
                                      teardown_store),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
