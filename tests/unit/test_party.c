/* Unit tests for core/party.h: the 11-proef, IBAN, phone and e-mail rules,
 * address keys, identifier combinations and names; and the party writes
 * against a real store. */
#include "lk_test.h"

#include "core/ids.h"
#include "core/party.h"
#include "store/kiquery.h"

static void test_bsn(void **state) {
  (void)state;
  /* Known valid test BSNs. */
  assert_true(lk_bsn_valid("999990019"));
  assert_true(lk_bsn_valid("111222333"));
  assert_true(lk_bsn_valid("123456782"));
  assert_true(lk_bsn_valid("999993653"));
  /* One digit off, or the wrong shape. */
  assert_false(lk_bsn_valid("999990018"));
  assert_false(lk_bsn_valid("123456789"));
  assert_false(lk_bsn_valid("000000000"));
  assert_false(lk_bsn_valid("12345678"));
  assert_false(lk_bsn_valid("1234567820"));
  assert_false(lk_bsn_valid("12345678a"));
  assert_false(lk_bsn_valid(" 99999001"));
  assert_false(lk_bsn_valid(""));
}

static void test_rsin_kvk_vestiging(void **state) {
  (void)state;
  assert_true(lk_rsin_valid("002564440"));
  assert_false(lk_rsin_valid("002564441"));
  assert_true(lk_kvk_valid("12345678"));
  assert_false(lk_kvk_valid("1234567"));
  assert_false(lk_kvk_valid("123456789"));
  assert_false(lk_kvk_valid("1234567x"));
  assert_true(lk_vestigingsnummer_valid("000012345678"));
  assert_false(lk_vestigingsnummer_valid("12345678901"));
  assert_false(lk_vestigingsnummer_valid("12345678901a"));
}

static void test_iban(void **state) {
  (void)state;
  assert_true(lk_iban_valid("NL91ABNA0417164300"));
  assert_true(lk_iban_valid("nl91abna0417164300"));
  assert_true(lk_iban_valid("GB82WEST12345698765432"));
  assert_true(lk_iban_valid("DE89370400440532013000"));
  assert_false(lk_iban_valid("NL91ABNA0417164301")); /* check digits */
  assert_false(lk_iban_valid("NL92ABNA0417164300"));
  assert_false(lk_iban_valid("NL91ABNA041716430")); /* NL is 18 long */
  assert_false(lk_iban_valid("NL91 ABNA 0417 1643 00"));
  assert_false(lk_iban_valid("9191ABNA0417164300"));
  assert_false(lk_iban_valid("NL"));
  assert_false(lk_iban_valid(""));
}

static void test_phone(void **state) {
  (void)state;
  assert_true(lk_phone_valid("0612345678"));
  assert_true(lk_phone_valid("0201234567"));
  assert_true(lk_phone_valid("+31612345678"));
  assert_true(lk_phone_valid("0031612345678"));
  assert_true(lk_phone_valid("+442012345678"));
  assert_false(lk_phone_valid("0800123456"));
  assert_false(lk_phone_valid("0900123456"));
  assert_false(lk_phone_valid("1400"));
  assert_false(lk_phone_valid("14020"));
  assert_false(lk_phone_valid("06-12345678"));
  assert_false(lk_phone_valid("061234567"));
  assert_false(lk_phone_valid("06123456789"));
  assert_false(lk_phone_valid("+3161234"));
  assert_false(lk_phone_valid("+3161234567890123"));
  assert_false(lk_phone_valid("0012345"));
  assert_false(lk_phone_valid(""));
}

static void test_email(void **state) {
  (void)state;
  assert_true(lk_email_valid("a@b.nl"));
  assert_true(lk_email_valid("Jan.Jansen+tag@example.com"));
  assert_true(lk_email_valid("\"quoted name\"@example.com"));
  assert_true(lk_email_valid("user@localhost"));
  assert_true(lk_email_valid("user@[127.0.0.1]"));
  assert_true(lk_email_valid("user@sub.xn--p1ai"));
  assert_false(lk_email_valid("a@b"));
  assert_false(lk_email_valid("@b.nl"));
  assert_false(lk_email_valid("a@.nl"));
  assert_false(lk_email_valid("a..b@c.nl"));
  assert_false(lk_email_valid(".a@b.nl"));
  assert_false(lk_email_valid("a.@b.nl"));
  assert_false(lk_email_valid("a@b..nl"));
  assert_false(lk_email_valid("a@-b.nl"));
  assert_false(lk_email_valid("a b@c.nl"));
  assert_false(lk_email_valid("a@b.n1"));
  assert_false(lk_email_valid("<script>@x.nl"));
  assert_false(lk_email_valid("plain"));
}

static void key_is(const char *kind, const char *address, const char *want) {
  char key[128];
  lk_invalid why;

  assert_int_equal(lk_address_key(kind, address, key, sizeof(key), &why), 0);
  assert_string_equal(key, want);
}

static void test_address_keys(void **state) {
  char key[128];
  lk_invalid why;

  (void)state;
  key_is("email", "Jan@Example.NL", "jan@example.nl");
  key_is("telefoonnummer", "+31612345678", "0612345678");
  key_is("telefoonnummer", "0031612345678", "0612345678");
  key_is("telefoonnummer", "0612345678", "0612345678");
  key_is("telefoonnummer", "+442012345678", "00442012345678");
  key_is("overig", "  @gemeente  ", "@gemeente");
  assert_int_equal(
      lk_address_key("email", "geen adres", key, sizeof(key), &why),
      LK_EINVALID);
  assert_string_equal(why.field, "adres");
  assert_int_equal(
      lk_address_key("telefoonnummer", "0900123456", key, sizeof(key), &why),
      LK_EINVALID);
  assert_int_equal(lk_address_key("overig", "   ", key, sizeof(key), &why),
                   LK_EINVALID);
}

static void test_identifier_rules(void **state) {
  lk_invalid why;

  (void)state;
  assert_int_equal(lk_identifier_check("natuurlijk_persoon", "brp", "bsn",
                                       "999990019", false, &why),
                   0);
  assert_int_equal(lk_identifier_check("natuurlijk_persoon", "brp", "bsn",
                                       "999990018", false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "partijIdentificator.objectId");
  /* A BSN does not live in the trade register. */
  assert_int_equal(lk_identifier_check("natuurlijk_persoon", "hr", "bsn",
                                       "999990019", false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "partijIdentificator.codeSoortObjectId");
  assert_int_equal(lk_identifier_check("niet_natuurlijk_persoon", "hr",
                                       "kvk_nummer", "12345678", false, &why),
                   0);
  assert_int_equal(lk_identifier_check("niet_natuurlijk_persoon", "hr", "rsin",
                                       "002564440", false, &why),
                   0);
  assert_int_equal(lk_identifier_check("vestiging", "hr", "kvk_nummer",
                                       "12345678", false, &why),
                   LK_EINVALID);
  /* A vestigingsnummer needs its kvk_nummer; others have no parent. */
  assert_int_equal(lk_identifier_check("vestiging", "hr", "vestigingsnummer",
                                       "000012345678", false, &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "subIdentificatorVan");
  assert_int_equal(lk_identifier_check("vestiging", "hr", "vestigingsnummer",
                                       "000012345678", true, &why),
                   0);
  assert_int_equal(lk_identifier_check("natuurlijk_persoon", "brp", "bsn",
                                       "999990019", true, &why),
                   LK_EINVALID);
}

static void test_full_name(void **state) {
  char name[64];

  (void)state;
  lk_party_full_name("persoon",
                     "{\"contactnaam\":{\"voornaam\":\"Jan\","
                     "\"voorvoegselAchternaam\":\"van\","
                     "\"achternaam\":\"Dijk\"}}",
                     name, sizeof(name));
  assert_string_equal(name, "Jan van Dijk");
  lk_party_full_name("persoon",
                     "{\"contactnaam\":{\"voorletters\":\"J.\","
                     "\"achternaam\":\"<b>Dijk</b>\"}}",
                     name, sizeof(name));
  assert_string_equal(name, "J. <b>Dijk</b>");
  lk_party_full_name("organisatie", "{\"naam\":\"ACME B.V.\"}", name,
                     sizeof(name));
  assert_string_equal(name, "ACME B.V.");
  lk_party_full_name("persoon", "{}", name, sizeof(name));
  assert_string_equal(name, "");
  lk_party_full_name("persoon", "not json", name, sizeof(name));
  assert_string_equal(name, "");
}

/* ---- the writes against a real store --------------------------------- */

struct fixture {
  lk_test_dir dir;
  lk_store *store;
};

static int setup(void **state) {
  struct fixture *f = calloc(1, sizeof(*f));
  lk_store_options opt = {0};

  assert_int_equal(lk_ids_init(), 0);
  lk_test_dir_make(&f->dir);
  opt.dir = f->dir.path;
  assert_int_equal(lk_store_open(&opt, &f->store), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;

  lk_store_close(f->store);
  lk_test_dir_remove(&f->dir);
  free(f);
  return 0;
}

static void new_party(lk_store *s, lk_party_op *op, const char *id) {
  memset(op, 0, sizeof(*op));
  snprintf(op->h.actor, sizeof(op->h.actor), "token:tok_test");
  op->mode = LK_PARTY_CREATE;
  snprintf(op->row.id, sizeof(op->row.id), "%s", id);
  snprintf(op->row.kind, sizeof(op->row.kind), "persoon");
  snprintf(op->row.identification, sizeof(op->row.identification), "{}");
  snprintf(op->row.language, sizeof(op->row.language), "nld");
  op->row.active = 1;
  assert_int_equal(lk_store_write(s, lk_party_apply, op), 0);
}

static void test_party_numbers(void **state) {
  struct fixture *f = *state;
  lk_party_op a, b;
  lk_party_row row;

  new_party(f->store, &a, "01900000-0000-7000-8000-000000000001");
  new_party(f->store, &b, "01900000-0000-7000-8000-000000000002");
  assert_int_equal(lk_store_party_get(
                       f->store, "01900000-0000-7000-8000-000000000002", &row),
                   0);
  assert_string_equal(a.row.nummer, "0000000001");
  assert_string_equal(row.nummer, "0000000002");
}

static void address(lk_digital_address_op *op, const char *id,
                    const char *party, const char *addr, bool verified,
                    bool def) {
  lk_invalid why;

  memset(op, 0, sizeof(*op));
  snprintf(op->h.actor, sizeof(op->h.actor), "token:tok_test");
  op->mode = LK_PARTY_CREATE;
  snprintf(op->row.id, sizeof(op->row.id), "%s", id);
  snprintf(op->row.party_id, sizeof(op->row.party_id), "%s", party);
  snprintf(op->row.kind, sizeof(op->row.kind), "email");
  snprintf(op->row.address, sizeof(op->row.address), "%s", addr);
  assert_int_equal(lk_address_key("email", addr, op->row.address_key,
                                  sizeof(op->row.address_key), &why),
                   0);
  if (verified)
    snprintf(op->row.verified_on, sizeof(op->row.verified_on), "2024-05-01");
  op->row.is_default = def;
}

static void test_verified_address_one_party(void **state) {
  struct fixture *f = *state;
  const char *p1 = "01900000-0000-7000-8000-000000000011";
  const char *p2 = "01900000-0000-7000-8000-000000000012";
  lk_party_op pa, pb;
  lk_digital_address_op a;

  new_party(f->store, &pa, p1);
  new_party(f->store, &pb, p2);
  address(&a, "01900000-0000-7000-8000-0000000000a1", p1, "Jan@Example.nl",
          true, true);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a), 0);
  /* The same address, differently cased, verified for another party. */
  address(&a, "01900000-0000-7000-8000-0000000000a2", p2, "jan@example.NL",
          true, false);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a),
                   LK_STORE_CONFLICT);
  assert_string_equal(a.h.fail_name, "adres");
  /* Unverified it may be given by anyone. */
  address(&a, "01900000-0000-7000-8000-0000000000a3", p2, "jan@example.NL",
          false, false);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a), 0);
}

static void test_one_default_per_kind(void **state) {
  struct fixture *f = *state;
  const char *p = "01900000-0000-7000-8000-000000000021";
  lk_party_op pa;
  lk_digital_address_op a;
  lk_digital_address_row row;

  new_party(f->store, &pa, p);
  address(&a, "01900000-0000-7000-8000-0000000000b1", p, "a@x.nl", false, true);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a), 0);
  address(&a, "01900000-0000-7000-8000-0000000000b2", p, "b@x.nl", false, true);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a), 0);
  assert_int_equal(lk_store_digital_address_get(
                       f->store, "01900000-0000-7000-8000-0000000000b1", &row),
                   0);
  assert_int_equal(row.is_default, 0);
  assert_int_equal(lk_store_digital_address_get(
                       f->store, "01900000-0000-7000-8000-0000000000b2", &row),
                   0);
  assert_int_equal(row.is_default, 1);
}

static void test_unknown_party_in_body(void **state) {
  struct fixture *f = *state;
  lk_digital_address_op a;

  address(&a, "01900000-0000-7000-8000-0000000000c1",
          "01900000-0000-7000-8000-00000000dead", "c@x.nl", false, false);
  assert_int_equal(lk_store_write(f->store, lk_digital_address_apply, &a),
                   LK_EINVALID);
  assert_string_equal(a.h.fail_name, "verstrektDoorPartij");
  assert_string_equal(a.h.fail_code, "does_not_exist");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bsn),
      cmocka_unit_test(test_rsin_kvk_vestiging),
      cmocka_unit_test(test_iban),
      cmocka_unit_test(test_phone),
      cmocka_unit_test(test_email),
      cmocka_unit_test(test_address_keys),
      cmocka_unit_test(test_identifier_rules),
      cmocka_unit_test(test_full_name),
      cmocka_unit_test_setup_teardown(test_party_numbers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verified_address_one_party, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_one_default_per_kind, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_party_in_body, setup,
                                      teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
