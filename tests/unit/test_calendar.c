/* Unit tests for core/calendar.h and the Dutch civil time of util/clock.h:
 * holidays, opening hours, evenings, weekends and DST changes. */
#include "lk_test.h"

#include "core/calendar.h"
#include "util/clock.h"

#define H 3600000LL
#define MIN 60000LL

/* The instant of local civil time y-m-d hh:mm in Amsterdam. */
static int64_t at(int y, int m, int d, int hh, int mm) {
  return lk_clock_nl_instant(y, m, d, hh * 60 + mm);
}

static void test_civil_days(void **state) {
  int y, m, d;

  (void)state;
  assert_int_equal(lk_clock_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(lk_clock_days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(lk_clock_days_from_civil(1969, 12, 31), -1);
  for (int64_t days = -800000; days < 800000; days += 37) {
    lk_clock_civil_from_days(days, &y, &m, &d);
    assert_int_equal(lk_clock_days_from_civil(y, m, d), days);
  }
}

static void test_nl_offset(void **state) {
  (void)state;
  /* 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC. */
  assert_int_equal(lk_clock_nl_offset(1774745999999LL), 3600);
  assert_int_equal(lk_clock_nl_offset(1774746000000LL), 7200);
  assert_int_equal(lk_clock_nl_offset(1792890000000LL - 1), 7200);
  assert_int_equal(lk_clock_nl_offset(1792890000000LL), 3600);
  /* 2025: 30 March and 26 October. */
  assert_int_equal(lk_clock_nl_offset(1743296400000LL - 1), 3600);
  assert_int_equal(lk_clock_nl_offset(1743296400000LL), 7200);
  assert_int_equal(lk_clock_nl_offset(1761440400000LL), 3600);
  /* Midwinter and midsummer. */
  assert_int_equal(lk_clock_nl_offset(1767225600000LL), 3600);
  assert_int_equal(lk_clock_nl_offset(1782864000000LL), 7200);
}

static void test_nl_local_and_instant(void **state) {
  struct tm tm;

  (void)state;
  /* 2026-11-28 18:25 UTC is 19:25 on a Saturday in Amsterdam. */
  lk_clock_nl_local(1795890300000LL, &tm);
  assert_int_equal(tm.tm_year + 1900, 2026);
  assert_int_equal(tm.tm_mon + 1, 11);
  assert_int_equal(tm.tm_mday, 28);
  assert_int_equal(tm.tm_hour, 19);
  assert_int_equal(tm.tm_min, 25);
  assert_int_equal(tm.tm_wday, 6);
  /* 08:00 local: 07:00 UTC in winter, 06:00 UTC in summer. */
  assert_int_equal(at(2026, 3, 27, 8, 0), 1774594800000LL);
  assert_int_equal(at(2026, 3, 30, 8, 0), 1774850400000LL);
  /* The skipped hour lands an hour later; the doubled one comes first. */
  assert_int_equal(at(2026, 3, 29, 2, 30), at(2026, 3, 29, 3, 30));
  assert_int_equal(at(2026, 10, 25, 2, 30), 1792888200000LL);
  /* Midnight to midnight: 23 hours in March, 25 in October. */
  assert_int_equal(at(2026, 3, 30, 0, 0) - at(2026, 3, 29, 0, 0), 23 * H);
  assert_int_equal(at(2026, 10, 26, 0, 0) - at(2026, 10, 25, 0, 0), 25 * H);
  /* Round trip over a year, every 7 hours and 13 minutes. */
  for (int64_t t = 1767225600000LL; t < 1798761600000LL;
       t += 7 * H + 13 * MIN) {
    lk_clock_nl_local(t, &tm);
    if (tm.tm_mon == 9 && tm.tm_mday >= 25 && tm.tm_hour == 2)
      continue; /* the doubled hour maps back to its first occurrence */
    assert_int_equal(at(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min) +
                         tm.tm_sec * 1000 + t % 1000,
                     t);
  }
}

static void test_easter(void **state) {
  static const int known[][3] = {{1818, 3, 22}, {1943, 4, 25}, {2000, 4, 23},
                                 {2019, 4, 21}, {2024, 3, 31}, {2025, 4, 20},
                                 {2026, 4, 5},  {2027, 3, 28}, {2038, 4, 25},
                                 {2285, 3, 22}, {2100, 3, 28}};
  int m, d;

  (void)state;
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
    lk_cal_easter(known[i][0], &m, &d);
    assert_int_equal(m, known[i][1]);
    assert_int_equal(d, known[i][2]);
  }
  /* Always a Sunday between 22 March and 25 April. */
  for (int y = 1583; y < 3000; y++) {
    int64_t day;

    lk_cal_easter(y, &m, &d);
    day = lk_clock_days_from_civil(y, m, d);
    assert_int_equal(((day % 7) + 10) % 7, 6);
    assert_true(m * 100 + d >= 322 && m * 100 + d <= 425);
  }
}

static void expect_holiday(const lk_calendar *c, int y, int m, int d,
                           const char *want) {
  const char *name = "x";

  if (want == NULL) {
    assert_false(lk_cal_holiday(c, y, m, d, &name));
    assert_null(name);
    return;
  }
  assert_true(lk_cal_holiday(c, y, m, d, &name));
  assert_string_equal(name, want);
}

static void test_holidays(void **state) {
  lk_calendar c;
  int count;

  (void)state;
  lk_cal_default(&c);
  expect_holiday(&c, 2026, 1, 1, "Nieuwjaarsdag");
  expect_holiday(&c, 2026, 4, 3, NULL); /* Goede Vrijdag: open by default */
  expect_holiday(&c, 2026, 4, 5, "Eerste Paasdag");
  expect_holiday(&c, 2026, 4, 6, "Tweede Paasdag");
  expect_holiday(&c, 2026, 4, 27, "Koningsdag");
  expect_holiday(&c, 2026, 4, 26, NULL);
  /* 27 April 2025 was a Sunday: Koningsdag on Saturday the 26th. */
  expect_holiday(&c, 2025, 4, 26, "Koningsdag");
  expect_holiday(&c, 2025, 4, 27, NULL);
  expect_holiday(&c, 2031, 4, 26, "Koningsdag"); /* 27th a Sunday again */
  expect_holiday(&c, 2026, 5, 5, "Bevrijdingsdag");
  expect_holiday(&c, 2026, 5, 14, "Hemelvaartsdag");
  expect_holiday(&c, 2026, 5, 24, "Eerste Pinksterdag");
  expect_holiday(&c, 2026, 5, 25, "Tweede Pinksterdag");
  expect_holiday(&c, 2026, 12, 25, "Eerste Kerstdag");
  expect_holiday(&c, 2026, 12, 26, "Tweede Kerstdag");
  expect_holiday(&c, 2026, 12, 24, NULL);
  expect_holiday(&c, 2024, 5, 9, "Hemelvaartsdag");
  expect_holiday(&c, 2024, 4, 1, "Tweede Paasdag");
  expect_holiday(&c, 2025, 6, 9, "Tweede Pinksterdag");

  c.good_friday_closed = true;
  expect_holiday(&c, 2026, 4, 3, "Goede Vrijdag");
  expect_holiday(&c, 2025, 4, 18, "Goede Vrijdag");
  c.liberation_lustrum_only = true;
  expect_holiday(&c, 2026, 5, 5, NULL);
  expect_holiday(&c, 2025, 5, 5, "Bevrijdingsdag");
  expect_holiday(&c, 2030, 5, 5, "Bevrijdingsdag");

  /* Every year has 11 holidays (with Goede Vrijdag and Bevrijdingsdag
   * every year), 10 when Hemelvaart falls on 5 May (2005, 2016); Hemelvaart
   * is always a Thursday. */
  c.liberation_lustrum_only = false;
  for (int y = 2000; y < 2100; y++) {
    int em, ed;

    count = 0;
    for (int64_t day = lk_clock_days_from_civil(y, 1, 1);
         day < lk_clock_days_from_civil(y + 1, 1, 1); day++) {
      int yy, mm, dd;

      lk_clock_civil_from_days(day, &yy, &mm, &dd);
      count += lk_cal_holiday(&c, yy, mm, dd, NULL) ? 1 : 0;
    }
    lk_cal_easter(y, &em, &ed);
    if (lk_clock_days_from_civil(y, em, ed) + 39 ==
        lk_clock_days_from_civil(y, 5, 5))
      assert_int_equal(count, 10);
    else
      assert_int_equal(count, 11);
    assert_int_equal(
        (((lk_clock_days_from_civil(y, em, ed) + 39) % 7) + 10) % 7, 3);
  }
}

static void test_open_at(void **state) {
  lk_calendar c;

  (void)state;
  lk_cal_default(&c);
  assert_true(lk_cal_open_at(&c, at(2026, 11, 30, 8, 0)));   /* Monday */
  assert_false(lk_cal_open_at(&c, at(2026, 11, 30, 7, 59))); /* early */
  assert_false(lk_cal_open_at(&c, at(2026, 11, 30, 17, 0))); /* closing */
  assert_true(lk_cal_open_at(&c, at(2026, 11, 30, 16, 59)));
  assert_false(lk_cal_open_at(&c, at(2026, 11, 28, 12, 0))); /* Saturday */
  assert_false(lk_cal_open_at(&c, at(2026, 12, 25, 12, 0))); /* Christmas */
  assert_false(lk_cal_open_at(&c, at(2026, 4, 27, 12, 0)));  /* Koningsdag */
  assert_true(lk_cal_closed_day(&c, 2026, 11, 29));
  assert_false(lk_cal_closed_day(&c, 2026, 11, 30));
}

static void test_add_evenings_weekends(void **state) {
  lk_calendar c;

  (void)state;
  lk_cal_default(&c);
  /* Within the day. */
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 30, 9, 0), 2 * H),
                   at(2026, 11, 30, 11, 0));
  /* Ending exactly at closing time stays that day. */
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 30, 16, 0), H),
                   at(2026, 11, 30, 17, 0));
  /* An evening: Monday 16:30 + 1 h = Tuesday 08:30. */
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 30, 16, 30), H),
                   at(2026, 12, 1, 8, 30));
  /* From the night or a weekend, the clock starts at opening. */
  assert_int_equal(lk_cal_add(&c, at(2026, 12, 1, 3, 0), 30 * MIN),
                   at(2026, 12, 1, 8, 30));
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 28, 12, 0), 30 * MIN),
                   at(2026, 11, 30, 8, 30));
  /* Friday 16:30 + 1 h = Monday 08:30. */
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 27, 16, 30), H),
                   at(2026, 11, 30, 8, 30));
  /* Two working days (18 h) from Thursday 10:00: Monday 10:00. */
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 26, 10, 0), 18 * H),
                   at(2026, 11, 30, 10, 0));
  /* Zero or less: no time passes. */
  assert_int_equal(lk_cal_add(&c, 12345, 0), 12345);
  assert_int_equal(lk_cal_add(&c, 12345, -5), 12345);
}

static void test_add_holidays(void **state) {
  lk_calendar c;

  (void)state;
  lk_cal_default(&c);
  /* Easter 2026: Thursday 16:00 + 2 h = Friday 09:00 (Goede Vrijdag
   * open), or Tuesday 09:00 when it is closed (Monday is Tweede Paasdag). */
  assert_int_equal(lk_cal_add(&c, at(2026, 4, 2, 16, 0), 2 * H),
                   at(2026, 4, 3, 9, 0));
  c.good_friday_closed = true;
  assert_int_equal(lk_cal_add(&c, at(2026, 4, 2, 16, 0), 2 * H),
                   at(2026, 4, 7, 9, 0));
  /* Christmas 2026 (Friday, Saturday): Thursday 24 Dec 16:00 + 2 h. */
  assert_int_equal(lk_cal_add(&c, at(2026, 12, 24, 16, 0), 2 * H),
                   at(2026, 12, 28, 9, 0));
  /* An extra closed day (24 December) moves it further. */
  c.extra[c.nextra++] = 20261224;
  assert_int_equal(lk_cal_add(&c, at(2026, 12, 23, 16, 0), 2 * H),
                   at(2026, 12, 28, 9, 0));
  /* Hemelvaart 2026 (Thursday 14 May). */
  assert_int_equal(lk_cal_add(&c, at(2026, 5, 13, 16, 0), 2 * H),
                   at(2026, 5, 15, 9, 0));
  /* New Year 2027 is a Friday. */
  assert_int_equal(lk_cal_add(&c, at(2026, 12, 31, 16, 30), H),
                   at(2027, 1, 4, 8, 30));
  /* Bevrijdingsdag 2026 (Tuesday): closed yearly, open in lustrum mode. */
  assert_int_equal(lk_cal_add(&c, at(2026, 5, 4, 16, 0), 2 * H),
                   at(2026, 5, 6, 9, 0));
  c.liberation_lustrum_only = true;
  assert_int_equal(lk_cal_add(&c, at(2026, 5, 4, 16, 0), 2 * H),
                   at(2026, 5, 5, 9, 0));
}

static void test_dst(void **state) {
  lk_calendar c;

  (void)state;
  lk_cal_default(&c);
  /* Opening hours are civil time: Friday before the March change 16:00
   * + 2 h = Monday 09:00 local, which is 07:00 UTC now, not 08:00. */
  assert_int_equal(lk_cal_add(&c, at(2026, 3, 27, 16, 0), 2 * H),
                   at(2026, 3, 30, 9, 0));
  assert_int_equal(at(2026, 3, 30, 9, 0), 1774854000000LL);
  assert_int_equal(
      lk_cal_between(&c, at(2026, 3, 27, 16, 0), at(2026, 3, 30, 9, 0)), 2 * H);
  assert_int_equal(
      lk_cal_between(&c, at(2026, 10, 23, 16, 0), at(2026, 10, 26, 9, 0)),
      2 * H);
  /* Open around the clock: the change weekends have 47 and 49 hours. */
  for (int d = 0; d < 7; d++) {
    c.week[d][0] = (lk_cal_slot){0, 1440};
    c.nslots[d] = 1;
  }
  assert_int_equal(
      lk_cal_between(&c, at(2026, 3, 28, 0, 0), at(2026, 3, 30, 0, 0)),
      47 * H - 0); /* 2 holidays-free days minus the skipped hour */
  assert_int_equal(
      lk_cal_between(&c, at(2026, 10, 24, 0, 0), at(2026, 10, 26, 0, 0)),
      49 * H);
  assert_int_equal(lk_cal_add(&c, at(2026, 3, 29, 1, 0), 2 * H),
                   at(2026, 3, 29, 4, 0));
  /* A slot across the skipped hour loses it. */
  c.week[6][0] = (lk_cal_slot){60, 240};
  assert_int_equal(
      lk_cal_between(&c, at(2026, 3, 29, 0, 0), at(2026, 3, 29, 23, 0)), 2 * H);
}

static void test_between(void **state) {
  lk_calendar c;

  (void)state;
  lk_cal_default(&c);
  /* An evening counts nothing. */
  assert_int_equal(
      lk_cal_between(&c, at(2026, 11, 30, 17, 0), at(2026, 12, 1, 8, 0)), 0);
  assert_int_equal(
      lk_cal_between(&c, at(2026, 11, 30, 16, 0), at(2026, 12, 1, 9, 0)),
      2 * H);
  /* A week is five days of nine hours. */
  assert_int_equal(
      lk_cal_between(&c, at(2026, 11, 30, 0, 0), at(2026, 12, 7, 0, 0)),
      45 * H);
  /* Backwards is negative. */
  assert_int_equal(
      lk_cal_between(&c, at(2026, 12, 1, 9, 0), at(2026, 11, 30, 16, 0)),
      -2 * H);
  /* Lunch: two slots a day. */
  c.week[0][0] = (lk_cal_slot){8 * 60, 12 * 60};
  c.week[0][1] = (lk_cal_slot){13 * 60, 17 * 60};
  c.nslots[0] = 2;
  assert_int_equal(
      lk_cal_between(&c, at(2026, 11, 30, 11, 0), at(2026, 11, 30, 14, 0)),
      2 * H);
  assert_int_equal(lk_cal_add(&c, at(2026, 11, 30, 11, 30), H),
                   at(2026, 11, 30, 13, 30));
}

/* lk_cal_between() undoes lk_cal_add() from every kind of start: a few
 * thousand pseudo-random instants over two years, with holidays, lunch
 * breaks, a closed day and both DST changes. */
static void test_add_between_inverse(void **state) {
  lk_calendar c;
  uint64_t x = 88172645463325252ULL;

  (void)state;
  lk_cal_default(&c);
  c.good_friday_closed = true;
  c.week[2][0] = (lk_cal_slot){8 * 60 + 30, 12 * 60};
  c.week[2][1] = (lk_cal_slot){12 * 60 + 45, 16 * 60 + 15};
  c.nslots[2] = 2;
  c.week[5][0] = (lk_cal_slot){10 * 60, 13 * 60};
  c.nslots[5] = 1;
  c.extra[c.nextra++] = 20261224;
  for (int i = 0; i < 4000; i++) {
    int64_t from, amount, end;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    from = 1767225600000LL + (int64_t)(x % (730ULL * 86400000ULL));
    amount = (int64_t)((x >> 20) % (60ULL * 3600000ULL));
    end = lk_cal_add(&c, from, amount);
    assert_true(end >= from);
    assert_int_equal(lk_cal_between(&c, from, end), amount);
    if (amount > 0)
      assert_true(lk_cal_open_at(&c, end - 1));
  }
}

static void test_no_open_time(void **state) {
  lk_calendar c;

  (void)state;
  memset(&c, 0, sizeof(c));
  assert_true(lk_cal_add(&c, at(2026, 11, 30, 9, 0), 1) == LK_CAL_NEVER);
  assert_int_equal(
      lk_cal_between(&c, at(2026, 1, 1, 0, 0), at(2026, 12, 31, 0, 0)), 0);
}

static void expect_bad(const char *text, const char *want_field) {
  lk_calendar c;
  const char *field = NULL, *reason = NULL;
  json_t *j = json_loads(text, 0, NULL);

  assert_non_null(j);
  lk_cal_default(&c);
  assert_int_equal(lk_cal_from_json(&c, j, &field, &reason), LK_CAL_EINVALID);
  assert_string_equal(field, want_field);
  assert_non_null(reason);
  json_decref(j);
}

static void test_json(void **state) {
  lk_calendar c, d;
  const char *field, *reason;
  lk_buf b = LK_BUF_INIT;
  json_t *j;

  (void)state;
  lk_cal_default(&c);
  j = json_loads("{\"hours\":{\"mon\":[\"13:00-17:00\",\"08:30-12:00\"],"
                 "\"sat\":[\"10:00-24:00\"]},\"goodFridayClosed\":true,"
                 "\"liberationDay\":\"lustrum\","
                 "\"closedDays\":[\"2026-12-31\",\"2026-12-24\"]}",
                 0, NULL);
  assert_int_equal(lk_cal_from_json(&c, j, &field, &reason), 0);
  json_decref(j);
  assert_int_equal(c.nslots[0], 2);
  assert_int_equal(c.week[0][0].open, 510); /* sorted */
  assert_int_equal(c.week[5][0].close, 1440);
  assert_int_equal(c.nslots[1], 1); /* untouched: the default */
  assert_int_equal(c.extra[0], 20261224);
  lk_cal_json(&b, &c);
  assert_string_equal(b.data,
                      "{\"hours\":{\"mon\":[\"08:30-12:00\",\"13:00-17:00\"],"
                      "\"tue\":[\"08:00-17:00\"],\"wed\":[\"08:00-17:00\"],"
                      "\"thu\":[\"08:00-17:00\"],\"fri\":[\"08:00-17:00\"],"
                      "\"sat\":[\"10:00-24:00\"],\"sun\":[]},"
                      "\"goodFridayClosed\":true,\"liberationDay\":\"lustrum\","
                      "\"closedDays\":[\"2026-12-24\",\"2026-12-31\"]}");
  /* What it writes, it reads back the same. */
  j = json_loads(b.data, 0, NULL);
  memset(&d, 0, sizeof(d));
  assert_int_equal(lk_cal_from_json(&d, j, &field, &reason), 0);
  json_decref(j);
  assert_memory_equal(&c, &d, sizeof(c));
  lk_buf_free(&b);

  expect_bad("{\"hours\":{\"mon\":[\"08:00-07:00\"]}}", "/hours/mon");
  expect_bad("{\"hours\":{\"mon\":[\"08:00-12:00\",\"11:00-13:00\"]}}",
             "/hours/mon");
  expect_bad("{\"hours\":{\"mon\":[\"8:00-12:00\"]}}", "/hours/mon");
  expect_bad("{\"hours\":{\"mon\":[\"08:00-24:01\"]}}", "/hours/mon");
  expect_bad("{\"hours\":{\"mon\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}",
             "/hours/mon");
  expect_bad("{\"hours\":{\"maandag\":[]}}", "/hours");
  expect_bad("{\"goodFridayClosed\":1}", "/goodFridayClosed");
  expect_bad("{\"liberationDay\":\"never\"}", "/liberationDay");
  expect_bad("{\"closedDays\":[\"2026-02-30\"]}", "/closedDays");
  expect_bad("{\"closedDays\":\"2026-02-03\"}", "/closedDays");
  expect_bad("{\"other\":1}", "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_civil_days),
      cmocka_unit_test(test_nl_offset),
      cmocka_unit_test(test_nl_local_and_instant),
      cmocka_unit_test(test_easter),
      cmocka_unit_test(test_holidays),
      cmocka_unit_test(test_open_at),
      cmocka_unit_test(test_add_evenings_weekends),
      cmocka_unit_test(test_add_holidays),
      cmocka_unit_test(test_dst),
      cmocka_unit_test(test_between),
      cmocka_unit_test(test_add_between_inverse),
      cmocka_unit_test(test_no_open_time),
      cmocka_unit_test(test_json),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
