/* fuzz_mail.c - what an incoming mail's bytes reach before anything is
 * written: the GMime parse (with a trusted authserv-id, so that
 * Authentication-Results are evaluated), the Authentication-Results
 * evaluator on the raw input, and the bounce-address check.
 *
 * Whatever the parser returns must hold: the text is there and passes
 * lk_text_ok-style bounds, the counts are within their limits.
 *
 *   build/fuzz/fuzz/fuzz_mail -max_total_time=60 fuzz/corpus/mail
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/mail_parse.h"
#include "core/mail_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool ready;
  static lk_mail_key key;
  lk_inmail_limits lim = {0, 0, "mx.zuidbroek.test"};
  lk_inmail m;
  char *s, contact[37];

  if (!ready) {
    lk_mail_parse_init();
    memset(key.k, 7, sizeof(key.k));
    ready = true;
  }
  if (lk_mail_parse((const char *)data, size, &lim, &m) == 0) {
    assert(m.text != NULL && strlen(m.text) <= LK_INMAIL_TEXT_MAX + 8);
    assert(m.nrefs <= LK_INMAIL_REFS_MAX);
    assert(m.nparts <= LK_INMAIL_ATTACH_MAX);
    assert(m.nbounce_rcpts <= LK_INMAIL_BOUNCE_MAX);
    for (int i = 0; i < m.nbounce_rcpts; i++)
      (void)lk_mail_bounce_contact(&key, m.bounce_rcpts[i], contact);
  }
  lk_inmail_free(&m);
  s = malloc(size + 1);
  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  (void)lk_mail_authres_proven(s, "mx.zuidbroek.test", "example.nl");
  (void)lk_mail_bounce_contact(&key, s, contact);
  free(s);
  return 0;
}
