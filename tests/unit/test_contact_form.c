/* Unit tests for pages/contact.h: the half-filled web form as the text
 * that a callback task carries along. */
#include "lk_test.h"

#include "pages/contact.h"

static void test_form_text(void **state) {
  lk_contact_form *f = calloc(1, sizeof(*f));
  lk_buf b = LK_BUF_INIT;

  (void)state;
  assert_non_null(f);
  snprintf(f->kind, sizeof(f->kind), "klacht");
  snprintf(f->category_name, sizeof(f->category_name), "Afval");
  snprintf(f->name, sizeof(f->name), "Jan <b>");
  snprintf(f->phone, sizeof(f->phone), "06 12345678");
  snprintf(f->file_name, sizeof(f->file_name), "foto.jpg");
  snprintf(f->message, sizeof(f->message), "Regel 1\nRegel 2");
  lk_contact_form_text(&b, f);
  assert_true(lk_buf_ok(&b));
  assert_string_equal(b.data, "Soort: Klacht\nOnderwerp: Afval\nNaam: Jan "
                              "<b>\nTelefoonnummer: 06 12345678\nBijlage "
                              "(niet meegestuurd): foto.jpg\n\nRegel 1\n"
                              "Regel 2");
  /* nothing typed: nothing carried */
  memset(f, 0, sizeof(*f));
  lk_buf_free(&b);
  lk_contact_form_text(&b, f);
  assert_true(b.data == NULL || b.len == 0);
  lk_buf_free(&b);
  free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_form_text),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
