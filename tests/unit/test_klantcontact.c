/* Unit tests for core/klantcontact.h and store/klantcontacten.h: numbers,
 * references checked inside the write, confidentiality, the atomicity of
 * maak-klantcontact, cascades on delete, and every list statement. */
#include "lk_test.h"
#include "lk_test_store.h"

#include "core/ids.h"
#include "core/klantcontact.h"
#include "core/token.h"
#include "store/internal.h"
#include "store/kiquery.h"

#define PARTY "01900000-0000-7000-8000-0000000000a1"
#define SECRET_PARTY "01900000-0000-7000-8000-0000000000a2"
#define ACTOR "01900000-0000-7000-8000-0000000000b1"
#define GHOST "01900000-0000-7000-8000-0000000000ff"

static int seed_apply(lk_tx *tx, void *arg) {
  (void)arg;
  return lk_db_exec(
      lk_tx_db(tx),
      "INSERT INTO parties (id, nummer, kind, confidential, created_at,"
      " updated_at) VALUES ('" PARTY "', '0000000001', 'persoon', 0, 1, 1),"
      " ('" SECRET_PARTY "', '0000000002', 'persoon', 1, 1, 1);"
      "INSERT INTO actors (id, kind, name, created_at, updated_at) VALUES"
      " ('" ACTOR "', 'medewerker', 'Anna', 1, 1);");
}

static int setup(void **state) {
  int rc = setup_store(state);
  fixture *fx = *state;

  if (rc == 0)
    rc = lk_store_write(fx->store, seed_apply, NULL);
  return rc;
}

static lk_kc_op *new_op(lk_kc_mode mode, const char *uuid, bool conf) {
  lk_kc_op *op = calloc(1, sizeof(*op));

  assert_non_null(op);
  lk_kc_op_begin(op, mode, uuid, conf);
  snprintf(op->head.actor, sizeof(op->head.actor), "token:tok_test");
  snprintf(op->contact.channel, sizeof(op->contact.channel), "telefoon");
  snprintf(op->contact.subject, sizeof(op->contact.subject), "Vraag");
  snprintf(op->contact.language, sizeof(op->contact.language), "nld");
  op->contact.occurred_at = 1714557600000;
  return op;
}

/* A new contact; its id in `id`. */
static void contact(fixture *fx, bool confidential, char id[LK_KC_ID]) {
  lk_kc_op *op = new_op(LK_KC_CREATE, NULL, true);

  op->contact.confidential = confidential;
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op), 0);
  memcpy(id, op->head.uuid, LK_KC_ID);
  free(op);
}

static int64_t count(fixture *fx, const char *sql) {
  int64_t n = -1;
  lk_db *db;

  assert_int_equal(lk_store_reader(fx->store, &db), 0);
  assert_int_equal(lk_store_query_int(db, sql, &n), 0);
  lk_store_reader_release(fx->store, db);
  return n;
}

struct got {
  char nummer[LK_KC_SHORT];
  char subject[LK_KC_TEXT200];
  char involved[LK_KC_IDS];
  int confidential;
};

static void got_contact(const lk_kc_contact *c, void *ud) {
  struct got *g = ud;

  snprintf(g->nummer, sizeof(g->nummer), "%s", c->nummer);
  snprintf(g->subject, sizeof(g->subject), "%s", c->subject);
  snprintf(g->involved, sizeof(g->involved), "%s", c->involved_ids);
  g->confidential = c->confidential;
}

static void test_numbers_and_visibility(void **state) {
  fixture *fx = *state;
  char a[LK_KC_ID];
  char b[LK_KC_ID];
  struct got g;
  lk_kc_op *op;

  contact(fx, false, a);
  contact(fx, true, b);
  assert_int_equal(
      lk_store_kc_contact_get(fx->store, a, false, got_contact, &g), 0);
  assert_string_equal(g.nummer, "0000000001");
  assert_string_equal(g.subject, "Vraag");
  assert_int_equal(lk_store_kc_contact_get(fx->store, b, true, got_contact, &g),
                   0);
  assert_string_equal(g.nummer, "0000000002");
  assert_int_equal(g.confidential, 1);
  assert_int_equal(
      lk_store_kc_contact_get(fx->store, b, false, got_contact, &g),
      LK_STORE_NOTFOUND);
  assert_int_equal(
      lk_store_kc_contact_get(fx->store, GHOST, true, got_contact, &g),
      LK_STORE_NOTFOUND);
  /* A nummer given twice is refused inside the write. */
  op = new_op(LK_KC_CREATE, NULL, true);
  snprintf(op->contact.nummer, sizeof(op->contact.nummer), "0000000001");
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_name, "nummer");
  assert_string_equal(op->head.fail_code, "unique");
  free(op);
  /* A change to a hidden contact is a change to nothing. */
  op = new_op(LK_KC_UPDATE, b, false);
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op),
                   LK_STORE_NOTFOUND);
  free(op);
  op = new_op(LK_KC_UPDATE, a, false);
  snprintf(op->contact.subject, sizeof(op->contact.subject), "<b>Nieuw</b>");
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op), 0);
  free(op);
  assert_int_equal(
      lk_store_kc_contact_get(fx->store, a, false, got_contact, &g), 0);
  assert_string_equal(g.subject, "<b>Nieuw</b>");
  assert_string_equal(g.nummer, "0000000001");
}

static void test_involved_references(void **state) {
  fixture *fx = *state;
  char a[LK_KC_ID];
  char secret[LK_KC_ID];
  lk_kc_involved got;
  lk_kc_op *op;

  contact(fx, false, a);
  contact(fx, true, secret);
  op = new_op(LK_KC_CREATE, NULL, false);
  snprintf(op->involved.contact_id, LK_KC_ID, "%s", GHOST);
  snprintf(op->involved.role, sizeof(op->involved.role), "klant");
  assert_int_equal(lk_store_write(fx->store, lk_kc_involved_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_name, "hadKlantcontact");
  assert_string_equal(op->head.fail_code, "does_not_exist");
  /* A confidential contact or party is unknown without the access. */
  memcpy(op->involved.contact_id, secret, LK_KC_ID);
  assert_int_equal(lk_store_write(fx->store, lk_kc_involved_apply, op),
                   LK_EINVALID);
  memcpy(op->involved.contact_id, a, LK_KC_ID);
  snprintf(op->involved.party_id, LK_KC_ID, "%s", SECRET_PARTY);
  assert_int_equal(lk_store_write(fx->store, lk_kc_involved_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_name, "wasPartij");
  snprintf(op->involved.party_id, LK_KC_ID, "%s", PARTY);
  snprintf(op->involved.contact_name, sizeof(op->involved.contact_name),
           "{\"voornaam\":\"Jan\",\"achternaam\":\"Dijk\"}");
  assert_int_equal(lk_store_write(fx->store, lk_kc_involved_apply, op), 0);
  assert_int_equal(
      lk_store_kc_involved_get(fx->store, op->head.uuid, false, &got), 0);
  assert_string_equal(got.party_id, PARTY);
  assert_string_equal(got.contact_id, a);
  assert_string_equal(got.role, "klant");
  free(op);
  /* The processing log names the resident. */
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM processing_log WHERE"
                             " party_id = '" PARTY "'"),
                   1);
}

static void test_maak_is_atomic(void **state) {
  fixture *fx = *state;
  struct got g;
  lk_kc_op *op = new_op(LK_KC_CREATE, NULL, false);

  op->has_involved = true;
  snprintf(op->involved.role, sizeof(op->involved.role), "klant");
  snprintf(op->involved.party_id, LK_KC_ID, "%s", GHOST);
  assert_int_equal(lk_store_write(fx->store, lk_kc_maak_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_name, "betrokkene.wasPartij");
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM contacts"), 0);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM involved"), 0);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM counters"), 0);
  free(op);
  op = new_op(LK_KC_CREATE, NULL, false);
  op->has_subject = true;
  snprintf(op->subject.was_contact_id, LK_KC_ID, "%s", GHOST);
  assert_int_equal(lk_store_write(fx->store, lk_kc_maak_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_name, "onderwerpobject.wasKlantcontact");
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM contacts"), 0);
  free(op);
  op = new_op(LK_KC_CREATE, NULL, false);
  op->has_involved = true;
  op->has_subject = true;
  snprintf(op->involved.role, sizeof(op->involved.role), "klant");
  snprintf(op->involved.party_id, LK_KC_ID, "%s", PARTY);
  snprintf(op->subject.object_id, sizeof(op->subject.object_id), "zaak-1");
  assert_int_equal(lk_store_write(fx->store, lk_kc_maak_apply, op), 0);
  assert_int_equal(
      lk_store_kc_contact_get(fx->store, op->head.uuid, false, got_contact, &g),
      0);
  assert_string_equal(g.nummer, "0000000001");
  assert_int_equal(strlen(g.involved), LK_KC_ID - 1);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM subject_objects"
                             " WHERE object_id = 'zaak-1'"),
                   1);
  free(op);
}

static void test_delete_cascades(void **state) {
  fixture *fx = *state;
  char a[LK_KC_ID];
  char later[LK_KC_ID];
  lk_kc_op *op;

  contact(fx, false, a);
  contact(fx, false, later);
  op = new_op(LK_KC_CREATE, NULL, false);
  memcpy(op->involved.contact_id, a, LK_KC_ID);
  snprintf(op->involved.role, sizeof(op->involved.role), "klant");
  assert_int_equal(lk_store_write(fx->store, lk_kc_involved_apply, op), 0);
  free(op);
  op = new_op(LK_KC_CREATE, NULL, false);
  memcpy(op->subject.contact_id, later, LK_KC_ID);
  memcpy(op->subject.was_contact_id, a, LK_KC_ID);
  assert_int_equal(lk_store_write(fx->store, lk_kc_subject_apply, op), 0);
  free(op);
  op = new_op(LK_KC_CREATE, NULL, false);
  memcpy(op->link.contact_id, a, LK_KC_ID);
  snprintf(op->link.actor_id, LK_KC_ID, "%s", ACTOR);
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_actor_apply, op), 0);
  /* The same actor and contact again. */
  lk_kc_op_begin(op, LK_KC_CREATE, NULL, false);
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_actor_apply, op),
                   LK_EINVALID);
  assert_string_equal(op->head.fail_code, "unique");
  free(op);
  op = new_op(LK_KC_DELETE, a, false);
  assert_int_equal(lk_store_write(fx->store, lk_kc_contact_apply, op), 0);
  free(op);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM involved"), 0);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM contact_actors"), 0);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM subject_objects"
                             " WHERE was_contact_id IS NULL"),
                   1);
  assert_int_equal(count(fx, "SELECT COUNT(*) FROM contacts_fts"), 1);
}

/* Every list statement runs, with and without filters. */
static void test_list_statements(void **state) {
  static const struct {
    const char *count_sql;
    const char *page_sql;
    int nparams;
  } lists[] = {
      {lk_kc_contact_count_sql, lk_kc_contact_page_sql, 33},
      {lk_kc_involved_count_sql, lk_kc_involved_page_sql, 20},
      {lk_kc_attachment_count_sql, lk_kc_attachment_page_sql, 6},
      {lk_kc_subject_count_sql, lk_kc_subject_page_sql, 9},
      {lk_kc_contact_actor_count_sql, lk_kc_contact_actor_page_sql, 5},
  };
  fixture *fx = *state;
  char a[LK_KC_ID];
  char secret[LK_KC_ID];
  char uuids[4][37];
  const char *params[33];
  int64_t total;
  int n;

  contact(fx, false, a);
  contact(fx, true, secret);
  for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
    for (int p = 0; p < 33; p++)
      params[p] = NULL;
    params[0] = "1";
    assert_int_equal(
        lk_store_ki_page(fx->store, lists[i].count_sql, lists[i].page_sql,
                         params, lists[i].nparams, 0, 4, uuids, &n, &total),
        0);
    if (i == 0) {
      assert_int_equal(total, 2);
      params[0] = "0";
      assert_int_equal(lk_store_ki_page(fx->store, lists[i].count_sql,
                                        lists[i].page_sql, params, 33, 0, 4,
                                        uuids, &n, &total),
                       0);
      assert_int_equal(total, 1);
      assert_string_equal(uuids[0], a);
    }
    /* Every filter given at once still runs (and matches nothing). */
    for (int p = 1; p < lists[i].nparams; p++)
      params[p] = "x";
    assert_int_equal(
        lk_store_ki_page(fx->store, lists[i].count_sql, lists[i].page_sql,
                         params, lists[i].nparams, 0, 4, uuids, &n, &total),
        0);
    assert_int_equal(total, 0);
  }
}

static void test_full_name(void **state) {
  char out[128];

  (void)state;
  lk_kc_full_name("{\"voornaam\":\"Jan\",\"voorvoegselAchternaam\":\"van\","
                  "\"achternaam\":\"Dijk\"}",
                  out, sizeof(out));
  assert_string_equal(out, "Jan van Dijk");
  lk_kc_full_name("{\"voorletters\":\"J.\",\"achternaam\":\"Dijk\"}", out,
                  sizeof(out));
  assert_string_equal(out, "J. Dijk");
  lk_kc_full_name("{\"voornaam\":\"\",\"achternaam\":\"Dijk\"}", out,
                  sizeof(out));
  assert_string_equal(out, "Dijk");
  lk_kc_full_name("", out, sizeof(out));
  assert_string_equal(out, "");
  lk_kc_full_name("not json", out, sizeof(out));
  assert_string_equal(out, "");
  lk_kc_full_name("{\"voornaam\":\"<script>\"}", out, 5);
  assert_string_equal(out, "<scr");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_numbers_and_visibility, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_involved_references, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_maak_is_atomic, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_delete_cascades, setup,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_list_statements, setup,
                                      teardown_store),
      cmocka_unit_test(test_full_name),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
