/* Unit tests for core/proclog_query.h: rows about a confidential party are
 * hidden from a viewer without confidential access, like the party. */
#include "lk_test.h"
#include "lk_test_store.h"

#include <stdarg.h>

#include "core/ids.h"
#include "core/proclog_query.h"
#include "store/internal.h"

static int exec_apply(lk_tx *tx, void *arg) {
  return lk_db_exec(lk_tx_db(tx), arg);
}

static void party(lk_store *s, int n, int confidential, char id[37]) {
  char text[512];

  lk_uuid_new(id, 1000 + n);
  snprintf(text, sizeof(text),
           "INSERT INTO parties (id, nummer, kind, confidential, created_at,"
           " updated_at) VALUES ('%s', '%010d', 'persoon', %d, 1, 1)",
           id, n, confidential);
  assert_int_equal(lk_store_write(s, exec_apply, text), 0);
}

static void logged(lk_store *s, const char *party_id, const char *resource) {
  lk_proclog_entry e = {"user:usr_0000000000000001",
                        party_id,
                        "read",
                        "klantcontact",
                        resource,
                        NULL,
                        "req-1"};

  assert_int_equal(lk_store_write(s, lk_proclog_note_apply, &e), 0);
}

/* The page for `party_id` (NULL: any) as `confidential` sees it. */
static char *page(lk_store *s, const char *party_id, bool confidential) {
  lk_viewer v = {"user:usr_0000000000000002", "req-2", confidential};
  lk_proclog_query q;
  lk_invalid why;
  lk_buf b = LK_BUF_INIT;

  assert_int_equal(lk_proclog_query_prepare(&q, party_id, NULL, "read", NULL,
                                            NULL, NULL, 50, &why),
                   0);
  assert_int_equal(lk_proclog_page(s, &v, &q, &b), 0);
  assert_true(lk_buf_ok(&b));
  return b.data;
}

static void test_confidential_rows_hidden(void **state) {
  fixture *fx = *state;
  lk_store *s = fx->store;
  char open_id[37], secret_id[37];
  char *out;

  party(s, 1, 0, open_id);
  party(s, 2, 1, secret_id);
  logged(s, open_id, "open-resource");
  logged(s, secret_id, "secret-resource");
  logged(s, NULL, "no-party");

  out = page(s, NULL, false);
  assert_non_null(strstr(out, "open-resource"));
  assert_non_null(strstr(out, "no-party"));
  assert_null(strstr(out, "secret-resource"));
  assert_null(strstr(out, secret_id));
  free(out);
  /* A partyId filter on it answers like an unknown party. */
  out = page(s, secret_id, false);
  assert_string_equal(out, "{\"items\":[],\"next\":null}\n");
  free(out);
  /* Who may see it sees it. */
  out = page(s, NULL, true);
  assert_non_null(strstr(out, "secret-resource"));
  free(out);
  out = page(s, secret_id, true);
  assert_non_null(strstr(out, "secret-resource"));
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_confidential_rows_hidden,
                                      setup_store, teardown_store),
  };

  lk_ids_init();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
