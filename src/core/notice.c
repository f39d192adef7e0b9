/* notice.c - validation of Actueel notices (see notice.h). */
#include <jansson.h>
#include <string.h>

#include "core/notice.h"
#include "core/text.h"

static int invalid(lk_invalid *why, const char *field, const char *reason) {
  why->field = field;
  why->reason = reason;
  return LK_EINVALID;
}

bool lk_notice_severity_ok(const char *s) {
  static const char *const all[] = {"informatie", "waarschuwing", "ernstig",
                                    "zeer-ernstig"};

  if (s == NULL)
    return false;
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (strcmp(s, all[i]) == 0)
      return true;
  return false;
}

/* A [lon, lat] pair of numbers within WGS84 ranges. */
static bool point_ok(json_t *p) {
  double lon;
  double lat;

  if (!json_is_array(p) || json_array_size(p) != 2 ||
      !json_is_number(json_array_get(p, 0)) ||
      !json_is_number(json_array_get(p, 1)))
    return false;
  lon = json_number_value(json_array_get(p, 0));
  lat = json_number_value(json_array_get(p, 1));
  return lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0;
}

static int circle_check(json_t *a, lk_invalid *why) {
  json_t *r = json_object_get(a, "radius");

  if (json_object_size(a) != 3)
    return invalid(why, "/area", "a circle has type, center and radius");
  if (!point_ok(json_object_get(a, "center")))
    return invalid(why, "/area/center",
                   "must be [lon, lat] with lon -180..180, lat -90..90");
  if (!json_is_number(r) || json_number_value(r) < 1.0 ||
      json_number_value(r) > LK_NOTICE_RADIUS_MAX)
    return invalid(why, "/area/radius", "must be 1 to 100000 metres");
  return 0;
}

static int polygon_check(json_t *a, lk_invalid *why) {
  json_t *c = json_object_get(a, "coordinates");
  json_t *p;
  size_t i;

  if (json_object_size(a) != 2)
    return invalid(why, "/area", "a polygon has type and coordinates");
  if (!json_is_array(c) || json_array_size(c) < LK_NOTICE_POLYGON_MIN ||
      json_array_size(c) > LK_NOTICE_POLYGON_MAX)
    return invalid(why, "/area/coordinates",
                   "must be an array of 3 to 500 [lon, lat] points");
  json_array_foreach(c, i, p) {
    if (!point_ok(p))
      return invalid(why, "/area/coordinates",
                     "every point must be [lon, lat] with lon -180..180, "
                     "lat -90..90");
  }
  return 0;
}

int lk_notice_area_check(const char *text, lk_invalid *why) {
  json_t *a;
  const char *type;
  int rc;

  if (text == NULL)
    return invalid(why, "/area", "is required");
  a = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(a)) {
    json_decref(a);
    return invalid(why, "/area", "must be an object");
  }
  type = json_string_value(json_object_get(a, "type"));
  if (type != NULL && strcmp(type, "circle") == 0)
    rc = circle_check(a, why);
  else if (type != NULL && strcmp(type, "polygon") == 0)
    rc = polygon_check(a, why);
  else
    rc = invalid(why, "/area/type", "must be \"circle\" or \"polygon\"");
  json_decref(a);
  return rc;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
static bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Writes the canonical form of `s` ("1234" or "1234AB") to `pc`, or
 * returns false.  Dutch postcodes never start with 0. */
static bool postcode(const char *s, char pc[7]) {
  size_t n = strlen(s);
  const char *l;

  if (n < 4 || !is_digit(s[0]) || s[0] == '0' || !is_digit(s[1]) ||
      !is_digit(s[2]) || !is_digit(s[3]))
    return false;
  memcpy(pc, s, 4);
  if (n == 4) {
    pc[4] = '\0';
    return true;
  }
  l = s + 4;
  if (n == 7 && *l == ' ')
    l++;
  else if (n != 6)
    return false;
  if (!is_alpha(l[0]) || !is_alpha(l[1]))
    return false;
  pc[4] = (char)(l[0] & ~0x20);
  pc[5] = (char)(l[1] & ~0x20);
  pc[6] = '\0';
  return true;
}

int lk_notice_postcodes(const char *const *codes, size_t n, char *out,
                        size_t size, lk_invalid *why) {
  size_t len = 0;
  char pc[7];

  if (n > LK_NOTICE_POSTCODES_MAX)
    return invalid(why, "/postcodes", "at most 200 postcodes");
  if (size == 0)
    return invalid(why, "/postcodes", "no room");
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t k;

    if (codes[i] == NULL || !postcode(codes[i], pc))
      return invalid(why, "/postcodes",
                     "each must be a postcode like \"1234\" or \"1234AB\"");
    k = strlen(pc);
    if (len + (len > 0) + k + 1 > size)
      return invalid(why, "/postcodes", "too many postcodes");
    if (len > 0)
      out[len++] = ' ';
    memcpy(out + len, pc, k + 1);
    len += k;
  }
  return 0;
}

bool lk_notice_transition_ok(const char *from, const char *to) {
  if (strcmp(to, "ended") == 0)
    return strcmp(from, "published") == 0;
  if (strcmp(to, "withdrawn") == 0)
    return strcmp(from, "draft") == 0 ||
           strcmp(from, "awaiting-approval") == 0 ||
           strcmp(from, "published") == 0;
  return false;
}

int lk_notice_text_check(const char *title, const char *body, lk_invalid *why) {
  if (title != NULL && !lk_text_ok(title, LK_NOTICE_TITLE_MAX, false))
    return invalid(why, "/title", "must be 1 to 200 bytes of text on one line");
  if (body != NULL && body[0] != '\0' &&
      !lk_text_ok(body, LK_NOTICE_BODY_MAX, true))
    return invalid(why, "/body", "must be at most 20000 bytes of text");
  return 0;
}

int lk_notice_update_check(const char *body, lk_invalid *why) {
  if (body == NULL || !lk_text_ok(body, LK_NOTICE_UPDATE_MAX, true))
    return invalid(why, "/body", "must be 1 to 1000 bytes of text");
  return 0;
}

int lk_notice_times_check(long long starts_at, long long expected_end_at,
                          lk_invalid *why) {
  if (starts_at > 0 && expected_end_at > 0 && expected_end_at < starts_at)
    return invalid(why, "/expectedEndAt", "must not be before startsAt");
  return 0;
}
