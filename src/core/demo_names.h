/* demo_names.h - what `loket demo` makes its fictitious municipality from:
 * a reproducible random number generator, Dutch names, streets, towns,
 * organisations, and per category the subjects and message texts of the
 * contacts residents have with the municipality.
 *
 * Nothing here is random in the cryptographic sense: the same seed gives
 * the same demo data, so a benchmark or a screenshot can be made again.
 */
#ifndef LK_DEMO_NAMES_H
#define LK_DEMO_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64. */
typedef struct lk_rng {
  uint64_t s[4];
} lk_rng;

void lk_rng_seed(lk_rng *r, uint64_t seed);
uint64_t lk_rng_next(lk_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t lk_rng_below(lk_rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
int64_t lk_rng_range(lk_rng *r, int64_t lo, int64_t hi);
/* True with probability `pct` percent. */
int lk_rng_pct(lk_rng *r, int pct);
/* One element of a NULL-free array of `n` strings. */
const char *lk_rng_pick(lk_rng *r, const char *const *list, size_t n);
#define LK_PICK(r, list)                                                       \
  lk_rng_pick((r), (list), sizeof(list) / sizeof(*(list)))

/* A UUID version 7 for the time `ms` whose other bits come from `r`. */
void lk_rng_uuid7(lk_rng *r, int64_t ms, char out[37]);

/* Writes a random BSN from the range kept for tests (999xxxxxx, as the
 * RvIG's test numbers such as 999990019) that passes the 11-proef into
 * `out`, so demo data never holds a real resident's number.  The range
 * has about 90,000 valid numbers. */
void lk_bsn_random(lk_rng *r, char out[10]);

/* ---- people and places ---------------------------------------------- */

typedef struct lk_demo_town {
  const char *name;
  int postcode_lo; /* four-digit postcode range of the town */
  int postcode_hi;
  int weight; /* how many residents live there, relatively */
} lk_demo_town;

typedef struct lk_demo_lists {
  const char *const *female;
  size_t nfemale;
  const char *const *male;
  size_t nmale;
  const char *const *surnames; /* with tussenvoegsel: "van den Berg" */
  size_t nsurnames;
  const char *const *streets;
  size_t nstreets;
  const lk_demo_town *towns;
  size_t ntowns;
  const char *const *org_names; /* "Bakkerij {s}" patterns: {s} a surname */
  size_t norg_names;
  const char *const *mail_domains; /* reserved example domains only */
  size_t nmail_domains;
  const char *const *functions; /* job titles of contact persons */
  size_t nfunctions;
} lk_demo_lists;

extern const lk_demo_lists lk_demo;

/* Splits a surname of the list into its tussenvoegsel (the words before
 * the first capitalised one, "" if none; copied into `prefix`) and returns
 * the rest: "van den Berg" gives "van den" and "Berg". */
const char *lk_demo_split_surname(const char *surname, char *prefix,
                                  size_t size);

/* ---- what residents contact the municipality about ------------------ */

typedef struct lk_demo_topic {
  const char *category; /* categories.name */
  const char *team;     /* the specialist team that handles it */
  const char *const *subjects;
  size_t nsubjects;
  const char *const *questions; /* inbound: the resident's message */
  size_t nquestions;
  const char *const *answers; /* outbound: the municipality's reply */
  size_t nanswers;
  const char *const *notes; /* internal notes */
  size_t nnotes;
  const char *const *tasks; /* gevraagde handeling of a back-office task */
  size_t ntasks;
  int weight;       /* how often, relatively */
  int confidential; /* percent of conversations that are vertrouwelijk */
} lk_demo_topic;

extern const lk_demo_topic lk_demo_topics[];
extern const size_t lk_demo_ntopics;

/* Teams (organisatorische eenheden) in the order the demo creates them;
 * the first line is the contact centre itself. */
extern const char *const lk_demo_teams[];
extern const size_t lk_demo_nteams;

/* Sentences every message may open or close with, and follow-ups of a
 * resident. */
extern const char *const lk_demo_greetings[];
extern const size_t lk_demo_ngreetings;
extern const char *const lk_demo_closings[];
extern const size_t lk_demo_nclosings;
extern const char *const lk_demo_followups[];
extern const size_t lk_demo_nfollowups;
extern const char *const lk_demo_callbacks[]; /* callback task reasons */
extern const size_t lk_demo_ncallbacks;

#endif
