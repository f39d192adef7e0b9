/* Unit tests for core/subscription.h: postcodes, tokens and their key,
 * and who a published notice reaches (against a real store). */
#include "lk_test.h"

#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk_test_store.h"

#include "core/contact_address.h"
#include "core/ids.h"
#include "core/outbox.h"
#include "core/subscription.h"

static void test_postcode(void **state) {
  char pc[LK_SUB_POSTCODE_MAX + 1];

  (void)state;
  assert_int_equal(lk_sub_postcode("1234", pc), 0);
  assert_string_equal(pc, "1234");
  assert_int_equal(lk_sub_postcode(" 1234 ab ", pc), 0);
  assert_string_equal(pc, "1234AB");
  assert_int_equal(lk_sub_postcode("9999zz", pc), 0);
  assert_string_equal(pc, "9999ZZ");
  assert_int_equal(lk_sub_postcode("0123", pc), -1);
  assert_int_equal(lk_sub_postcode("12345", pc), -1);
  assert_int_equal(lk_sub_postcode("1234 A", pc), -1);
  assert_int_equal(lk_sub_postcode("1234  AB", pc), -1);
  assert_int_equal(lk_sub_postcode("", pc), -1);
  assert_int_equal(lk_sub_postcode("1234 AB 5678", pc), -1);
}

static void test_tokens(void **state) {
  lk_sub_key k1, k2;
  char a[LK_SUB_TOKEN_MAX], b[LK_SUB_TOKEN_MAX], d[65];
  const char *id = "01900000-0000-7000-8000-000000000001";

  (void)state;
  memset(&k1, 1, sizeof(k1));
  memset(&k2, 2, sizeof(k2));
  lk_sub_token(&k1, "afmelden", id, a);
  assert_int_equal(strlen(a), 36);
  assert_memory_equal(a, "lks_", 4);
  lk_sub_token(&k1, "afmelden", id, b);
  assert_string_equal(a, b); /* derived: the sender can make it again */
  lk_sub_token(&k1, "bevestigen", id, b);
  assert_string_not_equal(a, b);
  lk_sub_token(&k2, "afmelden", id, b);
  assert_string_not_equal(a, b);
  lk_sub_token(&k1, "afmelden", "01900000-0000-7000-8000-000000000002", b);
  assert_string_not_equal(a, b);
  assert_int_equal(lk_sub_token_digest(a, d), 0);
  assert_int_equal(strlen(d), 64);
  assert_int_equal(lk_sub_token_digest("lks_kort", d), -1);
  assert_int_equal(lk_sub_token_digest("", d), -1);
  b[10] = '%';
  assert_int_equal(lk_sub_token_digest(b, d), -1);
}

static void test_key_file(void **state) {
  lk_test_dir dir;
  lk_sub_key k1, k2, zero = {0};
  char path[128];
  struct stat st;
  FILE *f;

  (void)state;
  lk_test_dir_make(&dir);
  assert_int_equal(lk_sub_key_load(dir.path, &k1), 0);
  assert_memory_not_equal(&k1, &zero, sizeof(k1));
  snprintf(path, sizeof(path), "%s/subscriptions.key", dir.path);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, LK_SUB_KEY_LEN);
  assert_int_equal(lk_sub_key_load(dir.path, &k2), 0);
  assert_memory_equal(&k1, &k2, sizeof(k1));
  /* Not a key this code wrote: refused, not silently replaced. */
  f = fopen(path, "ab");
  assert_non_null(f);
  fputc('x', f);
  fclose(f);
  assert_int_equal(lk_sub_key_load(dir.path, &k2), LK_SUB_KEY_BAD);
  /* Empty (a crash mid-write of an older version) or short: a clear
   * error, never a zero key nor a silent new one. */
  f = fopen(path, "wb");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(lk_sub_key_load(dir.path, &k2), LK_SUB_KEY_BAD);
  f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(&k1, 1, 5, f);
  fclose(f);
  assert_int_equal(lk_sub_key_load(dir.path, &k2), LK_SUB_KEY_BAD);
  lk_test_dir_remove(&dir);
}

/* Several processes start on one fresh data directory at once (serve and
 * a migrate, say): each gets the same key, none an empty or short file.
 * Before the key was written to a temporary file and linked into place,
 * a process could open the new file before its creator had written it. */
static void test_key_race(void **state) {
  enum { ROUNDS = 40, PROCS = 4 };

  (void)state;
  for (int round = 0; round < ROUNDS; round++) {
    lk_test_dir dir;
    int go[2], res[2];
    pid_t pids[PROCS];
    lk_sub_key keys[PROCS], mine;

    lk_test_dir_make(&dir);
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(res), 0);
    for (int i = 0; i < PROCS; i++) {
      pids[i] = fork();
      assert_true(pids[i] >= 0);
      if (pids[i] == 0) {
        char c;
        lk_sub_key k;
        int rc;

        close(go[1]);
        /* All wait here, then race for the file. */
        if (read(go[0], &c, 1) != 0)
          _exit(3);
        rc = lk_sub_key_load(dir.path, &k);
        if (rc != 0)
          memset(&k, 0, sizeof(k));
        if (write(res[1], &k, sizeof(k)) != (ssize_t)sizeof(k))
          _exit(4);
        _exit(rc == 0 ? 0 : 1);
      }
    }
    close(go[0]);
    close(res[1]);
    close(go[1]); /* EOF releases every child at once */
    for (int i = 0; i < PROCS; i++) {
      int status;

      assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
      assert_true(WIFEXITED(status));
      assert_int_equal(WEXITSTATUS(status), 0);
    }
    for (int i = 0; i < PROCS; i++)
      assert_int_equal(read(res[0], &keys[i], sizeof(keys[i])),
                       (ssize_t)sizeof(keys[i]));
    close(res[0]);
    assert_int_equal(lk_sub_key_load(dir.path, &mine), 0);
    for (int i = 0; i < PROCS; i++)
      assert_memory_equal(&keys[i], &mine, sizeof(mine));
    lk_test_dir_remove(&dir);
  }
}

static void test_confirm_window(void **state) {
  lk_subscription_row r = {.state = "pending", .confirm_sent_at = 1000};

  (void)state;
  assert_true(lk_sub_confirm_open(&r, 1000));
  assert_true(lk_sub_confirm_open(&r, 1000 + LK_SUB_CONFIRM_TTL_MS));
  assert_false(lk_sub_confirm_open(&r, 1001 + LK_SUB_CONFIRM_TTL_MS));
  r.confirm_sent_at = 0; /* no mail went out: nothing to confirm with */
  assert_false(lk_sub_confirm_open(&r, 1000));
  r.confirm_sent_at = 1000;
  snprintf(r.state, sizeof(r.state), "confirmed");
  assert_false(lk_sub_confirm_open(&r, 1000));
}

/* ---- with a store ----------------------------------------------------- */

static const lk_sub_key key = {{7}};

/* Subscribes `email` to `postcode`; confirms unless `pending`.  Returns
 * the subscription's unsubscribe token in `unsub`. */
static void subscribe(fixture *fx, const char *email, const char *postcode,
                      bool pending, char unsub[LK_SUB_TOKEN_MAX]) {
  lk_sub_subscribe_op op;
  lk_sub_token_op t;
  char tok[LK_SUB_TOKEN_MAX];
  lk_invalid why;

  assert_int_equal(
      lk_sub_subscribe_prepare(&op, &key, email, postcode, true, "req", &why),
      0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op), 0);
  if (unsub != NULL)
    lk_sub_token(&key, "afmelden", op.r.id, unsub);
  if (pending)
    return;
  lk_sub_token(&key, "bevestigen", op.r.id, tok);
  assert_int_equal(lk_sub_token_prepare(&t, tok, "req"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_confirm_apply, &t), 0);
  assert_string_equal(t.r.state, "confirmed");
}

struct publish {
  const char *id;
  const char *postcodes;
};

static int publish_apply(lk_tx *tx, void *arg) {
  struct publish *p = arg;

  return lk_sub_notice_published(tx, &key, p->id, p->postcodes);
}

struct seen {
  int notices, confirms;
};

static void count_row(const lk_outbox_row *r, void *ud) {
  struct seen *s = ud;

  if (strncmp(r->key, "notice:", 7) == 0)
    s->notices++;
  else
    s->confirms++;
}

struct keys {
  char k[16][256];
  int n;
};

static void key_row(const lk_outbox_row *r, void *ud) {
  struct keys *ks = ud;

  if (ks->n < 16)
    snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", r->key);
}

static bool has_key(const struct keys *ks, const char *k) {
  for (int i = 0; i < ks->n; i++)
    if (strcmp(ks->k[i], k) == 0)
      return true;
  return false;
}

static void test_address_tag(void **state) {
  lk_sub_key k1, k2;
  char a[LK_SUB_TAG_MAX], b[LK_SUB_TAG_MAX], plain[33];
  unsigned char d[16];

  (void)state;
  memset(&k1, 1, sizeof(k1));
  memset(&k2, 2, sizeof(k2));
  lk_sub_address_tag(&k1, "jan@example.nl", a);
  assert_int_equal(strlen(a), 32);
  lk_sub_address_tag(&k1, "jan@example.nl", b);
  assert_string_equal(a, b); /* idempotent: the same address, one key */
  lk_sub_address_tag(&k1, "piet@example.nl", b);
  assert_string_not_equal(a, b);
  lk_sub_address_tag(&k2, "jan@example.nl", b);
  assert_string_not_equal(a, b); /* depends on the secret */
  /* Not the unkeyed hash anyone could compute from a guess. */
  crypto_generichash(d, sizeof(d), (const unsigned char *)"jan@example.nl",
                     strlen("jan@example.nl"), NULL, 0);
  sodium_bin2hex(plain, sizeof(plain), d, sizeof(d));
  assert_string_not_equal(a, plain);
}

/* Notice mails queued so far (the tests publish one notice). */
static int outbox_count(fixture *fx, struct seen *s) {
  memset(s, 0, sizeof(*s));
  assert_true(lk_store_outbox_list(fx->store, "", LK_SUB_OUTBOX_KIND, "", 100,
                                   count_row, s) >= 0);
  return s->notices;
}

static void test_who_hears_of_a_notice(void **state) {
  fixture *fx = *state;
  struct publish p = {"01900000-0000-7000-8000-0000000000aa", "1234AB 5678"};
  char unsub[LK_SUB_TOKEN_MAX], tag[LK_SUB_TAG_MAX];
  lk_sub_token_op t;
  struct seen s;

  subscribe(fx, "a@example.nl", "1234", false, NULL);   /* PC4 holds it */
  subscribe(fx, "b@example.nl", "1234AB", false, NULL); /* the PC6 */
  subscribe(fx, "c@example.nl", "1234CD", false, NULL); /* another PC6 */
  subscribe(fx, "d@example.nl", "5678XY", false, NULL); /* in PC4 5678 */
  subscribe(fx, "e@example.nl", "9999", false, NULL);   /* elsewhere */
  subscribe(fx, "f@example.nl", "1234", true, NULL);    /* unconfirmed */
  /* One address with two matching subscriptions: one mail. */
  subscribe(fx, "A@Example.nl", "1234AB", false, NULL);
  subscribe(fx, "g@example.nl", "1234", false, unsub); /* then leaves */
  assert_int_equal(lk_sub_token_prepare(&t, unsub, "req"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_unsubscribe_apply, &t), 0);
  assert_false(t.already);
  assert_int_equal(lk_store_write(fx->store, lk_sub_unsubscribe_apply, &t), 0);
  assert_true(t.already);

  assert_int_equal(lk_store_write(fx->store, publish_apply, &p), 0);
  /* a, b, d: three mails, keyed per address */
  assert_int_equal(outbox_count(fx, &s), 3);
  /* Each key carries the keyed tag of its address, never the plain
   * (guessable) hash of it. */
  {
    struct keys ks = {0};
    char want[128], plain[33];
    unsigned char d[16];

    assert_true(lk_store_outbox_list(fx->store, "", LK_SUB_OUTBOX_KIND, "", 100,
                                     key_row, &ks) >= 0);
    crypto_generichash(d, sizeof(d), (const unsigned char *)"a@example.nl",
                       strlen("a@example.nl"), NULL, 0);
    sodium_bin2hex(plain, sizeof(plain), d, sizeof(d));
    lk_sub_address_tag(&key, "a@example.nl", tag);
    snprintf(want, sizeof(want), "notice:%s:to:%s", p.id, tag);
    assert_true(has_key(&ks, want));
    for (int i = 0; i < ks.n; i++)
      assert_null(strstr(ks.k[i], plain));
  }
  assert_int_equal(s.confirms, 8); /* one per subscription made */
  /* Publishing again queues nothing more. */
  assert_int_equal(lk_store_write(fx->store, publish_apply, &p), 0);
  assert_int_equal(outbox_count(fx, &s), 3);
}

static void test_subscribe_again_and_expiry(void **state) {
  fixture *fx = *state;
  lk_sub_subscribe_op op, op2;
  lk_sub_token_op t;
  char tok[LK_SUB_TOKEN_MAX];
  lk_invalid why;

  assert_int_equal(lk_sub_subscribe_prepare(&op, &key, "geen adres", "1234",
                                            true, "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "email");
  /* Addresses the address key takes but the mail sender refuses: no
   * subscription, or the resident waits for a mail that cannot come. */
  {
    static const char *unsendable[] = {"jöhn@voorbeeld.nl", "a,b@x.nl",
                                       "a\"b@x.nl", "a;b@x.nl"};
    char k[LK_SUB_EMAIL_MAX + 1];

    for (size_t i = 0; i < sizeof(unsendable) / sizeof(unsendable[0]); i++) {
      if (lk_address_key("email", unsendable[i], k, sizeof(k)) != 0)
        continue; /* refused there already */
      assert_int_equal(lk_sub_subscribe_prepare(&op, &key, unsendable[i],
                                                "1234", true, "r", &why),
                       LK_EINVALID);
      assert_string_equal(why.field, "email");
    }
    assert_int_equal(lk_address_key("email", "jöhn@voorbeeld.nl", k, sizeof(k)),
                     0); /* the case the check is for */
  }
  assert_int_equal(lk_sub_subscribe_prepare(&op, &key, "x@example.nl", "123",
                                            true, "r", &why),
                   LK_EINVALID);
  assert_string_equal(why.field, "postcode");
  assert_int_equal(lk_sub_subscribe_prepare(&op, &key, " x@example.nl ",
                                            "1234 ab", true, "r", &why),
                   0);
  assert_string_equal(op.r.email, "x@example.nl");
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op), 0);
  assert_true(op.created && op.sent);
  /* Again: the same row, another confirmation mail; over the limit: no
   * mail, still no error. */
  op2 = op;
  assert_int_equal(lk_sub_subscribe_prepare(&op2, &key, "X@example.NL",
                                            "1234AB", true, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op2), 0);
  assert_false(op2.created);
  assert_true(op2.sent);
  assert_string_equal(op2.r.id, op.r.id);
  assert_int_equal(lk_sub_subscribe_prepare(&op2, &key, "x@example.nl",
                                            "1234AB", false, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op2), 0);
  assert_false(op2.sent);
  /* A token for another purpose does not confirm. */
  lk_sub_token(&key, "afmelden", op.r.id, tok);
  assert_int_equal(lk_sub_token_prepare(&t, tok, "r"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_confirm_apply, &t),
                   LK_STORE_NOTFOUND);
  lk_sub_token(&key, "bevestigen", op.r.id, tok);
  assert_int_equal(lk_sub_token_prepare(&t, tok, "r"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_confirm_apply, &t), 0);
  /* Used up. */
  assert_int_equal(lk_store_write(fx->store, lk_sub_confirm_apply, &t),
                   LK_STORE_NOTFOUND);
  /* Subscribed already: nothing is sent, the same id. */
  assert_int_equal(lk_sub_subscribe_prepare(&op2, &key, "x@example.nl",
                                            "1234AB", true, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op2), 0);
  assert_false(op2.sent || op2.created);
}

/* The one link in a notice mail ends every subscription of the
 * address, pending ones too; another address's stay. */
static void test_unsubscribe_ends_all_of_address(void **state) {
  fixture *fx = *state;
  char unsub[LK_SUB_TOKEN_MAX], other[LK_SUB_TOKEN_MAX];
  lk_sub_token_op t;
  lk_subscription_row r;
  lk_sub_subscribe_op op;
  lk_invalid why;

  subscribe(fx, "x@example.nl", "1234", false, NULL);
  subscribe(fx, "X@Example.NL", "1234AB", false, unsub);
  subscribe(fx, "x@example.nl", "5678", true, NULL); /* pending */
  subscribe(fx, "y@example.nl", "1234", false, other);
  assert_int_equal(lk_sub_token_prepare(&t, unsub, "req"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_unsubscribe_apply, &t), 0);
  assert_false(t.already);
  assert_int_equal(t.ended, 3);
  assert_string_equal(t.postcodes, "1234AB, 1234, 5678");
  /* Subscribing x again to 1234 makes a new row: the old one ended. */
  assert_int_equal(lk_sub_subscribe_prepare(&op, &key, "x@example.nl", "1234",
                                            false, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op), 0);
  assert_true(op.created);
  /* y is still subscribed. */
  assert_int_equal(lk_sub_token_prepare(&t, other, "req"), 0);
  assert_int_equal(
      lk_store_subscription_by_unsubscribe(fx->store, NULL, t.digest, &r), 0);
  assert_string_equal(r.state, "confirmed");
  /* The used link again: "already", nothing more ended. */
  assert_int_equal(lk_sub_token_prepare(&t, unsub, "req"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_unsubscribe_apply, &t), 0);
  assert_true(t.already);
  assert_int_equal(t.ended, 0);
}

/* Many postcodes: all end (past one batch), the list is cut short. */
static void test_unsubscribe_many(void **state) {
  fixture *fx = *state;
  char unsub[LK_SUB_TOKEN_MAX], pc[8];
  lk_sub_token_op t;
  size_t len;

  for (int i = 0; i < 40; i++) {
    snprintf(pc, sizeof(pc), "%d", 2000 + i);
    subscribe(fx, "veel@example.nl", pc, i % 2 == 0, i == 7 ? unsub : NULL);
  }
  assert_int_equal(lk_sub_token_prepare(&t, unsub, "req"), 0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_unsubscribe_apply, &t), 0);
  assert_int_equal(t.ended, 40);
  len = strlen(t.postcodes);
  assert_true(len > 5);
  assert_string_equal(t.postcodes + len - 5, ", ...");
  assert_memory_equal(t.postcodes, "2007, 2000, 2001", 16);
}

struct stale {
  int found;
  char ids[8][LK_SUB_ID_LEN + 1];
  int deleted, refused;
};

/* As the purge does it, with "expired" meaning "before a minute from
 * now": the pending row is found and deleted, a confirmed one is not. */
static int stale_apply(lk_tx *tx, void *arg) {
  struct stale *st = arg;

  st->found =
      lk_store_subscriptions_stale(tx, lk_tx_now(tx) + 60000, 8, st->ids);
  for (int i = 0; i < st->found; i++)
    if (lk_store_subscription_delete_pending(tx, st->ids[i]) == 0)
      st->deleted++;
  return 0;
}

static void test_stale_pending_deleted(void **state) {
  fixture *fx = *state;
  lk_subscription_row r;
  lk_sub_subscribe_op op;
  lk_invalid why;
  struct stale st = {0};

  subscribe(fx, "blijft@example.nl", "1234", false, NULL);
  assert_int_equal(lk_sub_subscribe_prepare(&op, &key, "weg@example.nl", "1234",
                                            false, "r", &why),
                   0);
  assert_int_equal(lk_store_write(fx->store, lk_sub_subscribe_apply, &op), 0);
  assert_int_equal(lk_store_write(fx->store, stale_apply, &st), 0);
  assert_int_equal(st.found, 1);
  assert_string_equal(st.ids[0], op.r.id);
  assert_int_equal(st.deleted, 1);
  assert_int_equal(lk_store_subscription_get(fx->store, NULL, op.r.id, &r),
                   LK_STORE_NOTFOUND);
  /* A confirmed subscription is never deleted this way. */
  memset(&st, 0, sizeof(st));
  assert_int_equal(lk_store_write(fx->store, stale_apply, &st), 0);
  assert_int_equal(st.found, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_postcode),
      cmocka_unit_test(test_tokens),
      cmocka_unit_test(test_key_file),
      cmocka_unit_test(test_key_race),
      cmocka_unit_test(test_address_tag),
      cmocka_unit_test(test_confirm_window),
      cmocka_unit_test_setup_teardown(test_who_hears_of_a_notice, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_subscribe_again_and_expiry,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_stale_pending_deleted, setup_store,
                                      teardown_store),
      cmocka_unit_test_setup_teardown(test_unsubscribe_ends_all_of_address,
                                      setup_store, teardown_store),
      cmocka_unit_test_setup_teardown(test_unsubscribe_many, setup_store,
                                      teardown_store),
  };

  if (lk_ids_init() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
