/* demo.c - `loket demo`: fills a data directory with a living, fictitious
 * municipal contact centre.
 *
 * Design
 * ------
 * Everything but the staff passwords comes from one seeded generator
 * (core/demo_names.h), so the same --seed gives the same residents,
 * conversations and ids; times are relative to the start of the current
 * day (UTC), so a run on another day gives the same data shifted in time.
 * Staff passwords come from libsodium and are printed once at the end.
 *
 * The rows are written through the store's writer in large transactions
 * (store/demo.h): the generator fills a chunk of about CHUNK_ROWS rows,
 * hands it to the writer and fills the next one while the writer commits,
 * so a million contacts take minutes, not hours.  Conversations are made
 * in time order, which keeps the UUIDv7 ids (and so the id indexes)
 * nearly append-only.
 *
 * It is a bulk load, like a migration: it emits no event per row (a
 * running server would otherwise relay a million events to its
 * subscribers), writes one audit entry for the whole load, one
 * processing-log entry per party and per conversation it creates, and the
 * staff accounts through the ordinary user code (which does emit
 * user.created).  It refuses a database that already holds parties or
 * conversations: demo data mixed into real data could not be told apart
 * from it.
 */
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/contact_address.h"
#include "core/demo_names.h"
#include "core/ids.h"
#include "core/user.h"
#include "store/demo.h"
#include "store/proclog.h"
#include "util/clock.h"

static const char usage[] =
    "Usage: loket demo [--scale N] [--seed S] [--parties N] [--contacts N]\n"
    "                  [--data DIR]\n"
    "\n"
    "Fills an empty data directory with a fictitious Dutch contact centre:\n"
    "residents with addresses and valid test BSNs, organisations, teams,\n"
    "staff accounts, categories, conversations over every channel with\n"
    "their messages and internal notes, and tasks.  Prints the staff\n"
    "log-ins (e-mail and a random password) at the end.  Refuses a\n"
    "database that already holds parties or conversations.\n"
    "\n"
    "Options:\n"
    "  --scale N          size: N * 500 parties, N * 2000 contacts (1)\n"
    "  --seed S           the same seed gives the same data (1)\n"
    "  --parties N        number of parties instead of N * 500\n"
    "  --contacts N       number of contacts instead of N * 2000\n"
    "  --data DIR         data directory (env LOKET_DATA)\n"
    "  --log-level LEVEL  debug, info, warn or error\n"
    "  -h, --help         show this help\n";

#define CHUNK_ROWS 5000
#define CHUNK_SLACK 1000
#define ARENA_BLOCK (1 << 20)
#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MIN_MS 60000LL
#define ACTOR "cli:demo"
#define MAX_AGENTS 40
#define MAX_STAFF (MAX_AGENTS + 2)
#define MAX_CONTACTS 6

/* ---- rows waiting for the writer ------------------------------------ */

enum row_type {
  R_PARTY,
  R_IDENT,
  R_ADDRESS,
  R_CONVERSATION,
  R_CONV_CATEGORY,
  R_CONTACT,
  R_INVOLVED,
  R_CONTACT_ACTOR,
  R_SUBJECT,
  R_TASK,
  R_TASK_ASSIGNEE,
  R_PROCLOG
};

struct pair_row {
  const char *a, *b, *c;
  int64_t time;
  int n;
};

struct row {
  enum row_type type;
  union {
    lk_demo_party party;
    lk_demo_identifier ident;
    lk_demo_address address;
    lk_demo_conversation conv;
    lk_demo_contact contact;
    lk_demo_involved involved;
    lk_demo_subject subject;
    lk_demo_task task;
    struct pair_row pair;
  } u;
};

/* Strings of one chunk: blocks kept between chunks and reused. */
struct arena {
  char **blocks;
  size_t nblocks;
  size_t cur;
  size_t used;
};

struct gen;

struct chunk {
  struct gen *g;
  struct row *rows;
  size_t nrows;
  size_t cap;
  struct arena arena;
  lk_write w;
  bool busy;
  int status;
};

/* ---- what the generator remembers ----------------------------------- */

struct party_info {
  char id[LK_UUID_LEN + 1];
  char name[96];
  char kind; /* 'p'ersoon, 'o'rganisatie, 'c'ontactpersoon */
  unsigned char town;
  unsigned short street;
  unsigned short huisnr;
  unsigned short first, surname;
  char initials[8];
  bool confidential; /* geheimhouding */
};

struct staff {
  lk_user_add_op op;
  char password[32];
  char actor_id[LK_UUID_LEN + 1];
  char name[96];
  int team; /* primary team index, -1 for none */
  int capacity;
  int load; /* open and pending conversations assigned so far */
};

struct gen {
  lk_rng rng;
  lk_store *store;
  int64_t now; /* start of the current day: the demo's present */
  int64_t nparties, ncontacts;
  int nagents;

  struct chunk chunks[2];
  int cur;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool oom;
  bool bad_address; /* a generated address lk_address_key() refused */

  struct party_info *parties;
  int64_t nparty;
  int64_t norgs, ncontactpersons;

  char teams[8][LK_UUID_LEN + 1];
  char categories[16][LK_UUID_LEN + 1];
  char system_actor[LK_UUID_LEN + 1];
  struct staff staff[MAX_STAFF];
  int nstaff;

  /* counters behind the human-readable numbers */
  int64_t party_no, contact_no, task_no;
  int first_year;     /* of the oldest conversation */
  int64_t conv_no[2]; /* conversation references per year */
  int64_t zaak_no;

  /* what was made, for the summary */
  int64_t made_conversations, made_contacts, made_tasks, made_notes;
  int64_t made_addresses, made_links;
  int64_t by_status[4];

  /* BSNs and KVK numbers already handed out (open addressing) */
  uint64_t *ids_used;
  size_t ids_cap;
};

/* ---- arena ---------------------------------------------------------- */

static void arena_reset(struct arena *a) {
  a->cur = 0;
  a->used = 0;
}

static void arena_free(struct arena *a) {
  for (size_t i = 0; i < a->nblocks; i++)
    free(a->blocks[i]);
  free(a->blocks);
  memset(a, 0, sizeof(*a));
}

/* Room for `n` bytes, or NULL when memory ran out. */
static char *arena_room(struct arena *a, size_t n) {
  char **blocks;

  if (n > ARENA_BLOCK)
    return NULL;
  if (a->nblocks > 0 && a->used + n <= ARENA_BLOCK)
    return a->blocks[a->cur] + a->used;
  if (a->nblocks > 0 && a->cur + 1 < a->nblocks) {
    a->cur++;
    a->used = 0;
    return a->blocks[a->cur];
  }
  blocks = realloc(a->blocks, (a->nblocks + 1) * sizeof(*blocks));
  if (blocks == NULL)
    return NULL;
  a->blocks = blocks;
  a->blocks[a->nblocks] = malloc(ARENA_BLOCK);
  if (a->blocks[a->nblocks] == NULL)
    return NULL;
  a->cur = a->nblocks++;
  a->used = 0;
  return a->blocks[a->cur];
}

static const char *afmt(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A formatted string that lives as long as the current chunk. */
static const char *afmt(struct gen *g, const char *fmt, ...) {
  struct arena *a = &g->chunks[g->cur].arena;
  va_list ap;
  char *p;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  p = n < 0 ? NULL : arena_room(a, (size_t)n + 1);
  if (p == NULL) {
    g->oom = true;
    return "";
  }
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  a->used += (size_t)n + 1;
  return p;
}

static const char *astr(struct gen *g, const char *s) {
  return afmt(g, "%s", s);
}

/* A new UUIDv7 for time `ms`, in the chunk. */
static const char *auuid(struct gen *g, int64_t ms) {
  char id[LK_UUID_LEN + 1];

  lk_rng_uuid7(&g->rng, ms, id);
  return astr(g, id);
}

/* The next row of the current chunk.  A chunk is flushed after CHUNK_ROWS
 * rows, between two parties or conversations, each of which adds far fewer
 * than CHUNK_SLACK rows, so the array never fills; if it did, the run
 * fails rather than write half of something. */
static struct row *add_row(struct gen *g, enum row_type type) {
  struct chunk *c = &g->chunks[g->cur];
  struct row *r;

  if (c->nrows == c->cap) {
    g->oom = true;
    c->nrows--;
  }
  r = &c->rows[c->nrows++];
  memset(r, 0, sizeof(*r));
  r->type = type;
  return r;
}

/* ---- the writer side ------------------------------------------------ */

static int apply_row(lk_tx *tx, const struct row *r) {
  const struct pair_row *p = &r->u.pair;

  switch (r->type) {
  case R_PARTY:
    return lk_store_demo_party(tx, &r->u.party);
  case R_IDENT:
    return lk_store_demo_identifier(tx, &r->u.ident);
  case R_ADDRESS:
    return lk_store_demo_address(tx, &r->u.address);
  case R_CONVERSATION:
    return lk_store_demo_conversation(tx, &r->u.conv);
  case R_CONV_CATEGORY:
    return lk_store_demo_conversation_category(tx, p->a, p->b);
  case R_CONTACT:
    return lk_store_demo_contact(tx, &r->u.contact);
  case R_INVOLVED:
    return lk_store_demo_involved(tx, &r->u.involved);
  case R_CONTACT_ACTOR:
    return lk_store_demo_contact_actor(tx, p->a, p->b, p->c, p->time);
  case R_SUBJECT:
    return lk_store_demo_subject(tx, &r->u.subject);
  case R_TASK:
    return lk_store_demo_task(tx, &r->u.task);
  case R_TASK_ASSIGNEE:
    return lk_store_demo_task_assignee(tx, p->a, p->b, p->n);
  case R_PROCLOG: {
    lk_proclog_entry e = {.actor = ACTOR,
                          .party_id = p->a,
                          .operation = "create",
                          .activity = "demo",
                          .resource = p->b};
    return lk_store_proclog_insert(tx, &e);
  }
  }
  return LK_STORE_INVALID;
}

static int apply_chunk(lk_tx *tx, void *arg) {
  struct chunk *c = arg;
  int rc;

  for (size_t i = 0; i < c->nrows; i++) {
    rc = apply_row(tx, &c->rows[i]);
    if (rc != 0)
      return rc;
  }
  return 0;
}

static void chunk_done(int status, void *arg) {
  struct chunk *c = arg;
  struct gen *g = c->g;

  pthread_mutex_lock(&g->lock);
  c->status = status;
  c->busy = false;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

/* Waits for chunk `i` to be committed; returns its status. */
static int chunk_wait(struct gen *g, int i) {
  struct chunk *c = &g->chunks[i];
  int rc;

  pthread_mutex_lock(&g->lock);
  while (c->busy)
    pthread_cond_wait(&g->cond, &g->lock);
  rc = c->status;
  c->status = 0;
  pthread_mutex_unlock(&g->lock);
  return rc;
}

/* Hands the current chunk to the writer and makes the other one current,
 * once the writer is done with it.  Returns the first error seen. */
static int flush(struct gen *g) {
  struct chunk *c = &g->chunks[g->cur];
  int rc;

  if (g->oom)
    return LK_STORE_NOMEM;
  if (g->bad_address)
    return LK_STORE_INVALID;
  if (c->nrows > 0) {
    c->w.apply = apply_chunk;
    c->w.done = chunk_done;
    c->w.arg = c;
    c->busy = true;
    rc = lk_store_submit(g->store, &c->w);
    if (rc != 0) {
      c->busy = false;
      return rc;
    }
  }
  g->cur ^= 1;
  rc = chunk_wait(g, g->cur);
  g->chunks[g->cur].nrows = 0;
  arena_reset(&g->chunks[g->cur].arena);
  return rc;
}

static int maybe_flush(struct gen *g) {
  if (g->chunks[g->cur].nrows < CHUNK_ROWS && !g->oom)
    return 0;
  return flush(g);
}

/* Flushes and waits for both chunks. */
static int drain(struct gen *g) {
  int rc = flush(g);
  int rc2 = chunk_wait(g, g->cur ^ 1);

  return rc != 0 ? rc : rc2;
}

/* ---- small helpers -------------------------------------------------- */

static const char *const channels[] = {"telefoon", "email", "webformulier",
                                       "chat",     "balie", "post",
                                       "social",   "video", "kiosk"};
static const int channel_weight[] = {28, 22, 18, 12, 8, 4, 4, 2, 2};
static const char *const statuses[] = {"open", "pending", "snoozed",
                                       "resolved"};
static const char *const months[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

static int pick_weighted(lk_rng *r, const int *w, int n) {
  int total = 0;
  int x;

  for (int i = 0; i < n; i++)
    total += w[i];
  x = (int)lk_rng_below(r, (uint64_t)total);
  for (int i = 0; i < n; i++) {
    if (x < w[i])
      return i;
    x -= w[i];
  }
  return n - 1;
}

static int pick_topic(lk_rng *r) {
  int w[16];

  for (size_t i = 0; i < lk_demo_ntopics; i++)
    w[i] = lk_demo_topics[i].weight;
  return pick_weighted(r, w, (int)lk_demo_ntopics);
}

static int team_index(const char *name) {
  for (size_t i = 0; i < lk_demo_nteams; i++) {
    if (strcmp(lk_demo_teams[i], name) == 0)
      return (int)i;
  }
  return 0;
}

/* Lower-case ASCII of a name for e-mail addresses: letters only, a few
 * accented ones folded. */
static void slug(const char *s, char *out, size_t size) {
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;

  for (; *p != '\0' && n + 1 < size; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
      out[n++] = (char)*p;
    else if (*p >= 'A' && *p <= 'Z')
      out[n++] = (char)(*p - 'A' + 'a');
    else if (*p == 0xc3 && p[1] != '\0') /* é ë è ï ö ü ... */
      out[n++] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty"[(p[1] & 0x1f)], p++;
    else if (*p == 0xc4 && p[1] == 0xb1) /* dotless i */
      out[n++] = 'i', p++;
  }
  out[n] = '\0';
}

static void format_date(int64_t ms, char *out, size_t size) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  gmtime_r(&t, &tm);
  snprintf(out, size, "%d %s", tm.tm_mday, months[tm.tm_mon]);
}

static void format_iso_date(int64_t ms, char *out, size_t size) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  gmtime_r(&t, &tm);
  snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday);
}

/* Remembers a 64-bit number; false if it was handed out before. */
static bool claim(struct gen *g, uint64_t v) {
  size_t mask = g->ids_cap - 1;
  size_t i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 20) & mask;

  for (;; i = (i + 1) & mask) {
    if (g->ids_used[i] == 0) {
      g->ids_used[i] = v;
      return true;
    }
    if (g->ids_used[i] == v)
      return false;
  }
}

/* ---- text ----------------------------------------------------------- */

struct fill {
  const struct party_info *party;
  int64_t when;
};

/* Copies `tpl` into `out`, replacing the placeholders of demo_names.c. */
static void expand(struct gen *g, const char *tpl, const struct fill *f,
                   char *out, size_t size) {
  const struct party_info *p = f->party;
  size_t n = 0;
  char val[64];

  while (*tpl != '\0' && n + 1 < size) {
    const char *v = NULL;
    size_t len;

    if (*tpl != '{') {
      out[n++] = *tpl++;
      continue;
    }
    if (strncmp(tpl, "{straat}", 8) == 0) {
      v = lk_demo.streets[p != NULL ? p->street
                                    : lk_rng_below(&g->rng, lk_demo.nstreets)];
    } else if (strncmp(tpl, "{huisnr}", 8) == 0) {
      snprintf(val, sizeof(val), "%d",
               p != NULL ? p->huisnr : (int)lk_rng_range(&g->rng, 1, 120));
      v = val;
    } else if (strncmp(tpl, "{plaats}", 8) == 0) {
      v = lk_demo.towns[p != NULL ? p->town : 0].name;
    } else if (strncmp(tpl, "{datum}", 7) == 0) {
      format_date(f->when + lk_rng_range(&g->rng, -20, 20) * DAY_MS, val,
                  sizeof(val));
      v = val;
    } else if (strncmp(tpl, "{kenteken}", 10) == 0) {
      snprintf(val, sizeof(val), "%c%c-%03d-%c",
               (char)('G' + lk_rng_below(&g->rng, 18)),
               (char)('B' + lk_rng_below(&g->rng, 20)),
               (int)lk_rng_range(&g->rng, 1, 999),
               (char)('B' + lk_rng_below(&g->rng, 20)));
      v = val;
    } else if (strncmp(tpl, "{zaak}", 6) == 0) {
      snprintf(val, sizeof(val), "ZAAK-%07d",
               (int)lk_rng_range(&g->rng, 1, 9999999));
      v = val;
    } else if (strncmp(tpl, "{naam}", 6) == 0) {
      v = p != NULL ? p->name : "";
    }
    if (v == NULL) {
      out[n++] = *tpl++;
      continue;
    }
    tpl = strchr(tpl, '}') + 1;
    len = strlen(v);
    if (len > size - 1 - n)
      len = size - 1 - n;
    memcpy(out + n, v, len);
    n += len;
  }
  out[n] = '\0';
}

/* The resident's name as the standard's contactnaam object. */
static const char *contactnaam_json(struct gen *g, const struct party_info *p) {
  const char *first = p->first < lk_demo.nfemale + lk_demo.nmale
                          ? (p->first < lk_demo.nfemale
                                 ? lk_demo.female[p->first]
                                 : lk_demo.male[p->first - lk_demo.nfemale])
                          : "";
  char prefix[16];
  const char *last = lk_demo_split_surname(lk_demo.surnames[p->surname], prefix,
                                           sizeof(prefix));

  return afmt(g,
              "{\"voorletters\":\"%s\",\"voornaam\":\"%s\","
              "\"voorvoegselAchternaam\":\"%s\",\"achternaam\":\"%s\"}",
              p->initials, first, prefix, last);
}

/* ---- setup: categories, teams, staff -------------------------------- */

struct setup {
  struct gen *g;
  int64_t counters[5];
};

/* The counters other modules number from: parties, klantcontacten,
 * internetaken, and conversation references per year ("conversations:2026"
 * gives LK-2026-000123). */
static const char *const counter_names[] = {"partij", "contact", "task"};

static int year_of(int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;

  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

static int apply_setup(lk_tx *tx, void *arg) {
  struct setup *su = arg;
  struct gen *g = su->g;
  int64_t now = lk_tx_now(tx);
  char id[LK_UUID_LEN + 1];
  char ident[1024];
  char email[400];
  int rc;

  rc = lk_store_demo_tune(tx);
  for (int i = 0; rc == 0 && i < 3; i++)
    rc = lk_store_demo_counter_get(tx, counter_names[i], &su->counters[i]);
  for (int i = 0; rc == 0 && i < 2; i++) {
    char name[32];

    snprintf(name, sizeof(name), "conversations:%d", g->first_year + i);
    rc = lk_store_demo_counter_get(tx, name, &su->counters[3 + i]);
  }
  for (size_t i = 0; rc == 0 && i < lk_demo_ntopics; i++) {
    lk_rng_uuid7(&g->rng, g->now - 400 * DAY_MS, id);
    rc = lk_store_demo_category(tx, id, lk_demo_topics[i].category, now,
                                g->categories[i]);
  }
  for (size_t i = 0; rc == 0 && i < lk_demo_nteams; i++) {
    char s[64];
    lk_demo_actor a = {0};

    slug(lk_demo_teams[i], s, sizeof(s));
    snprintf(email, sizeof(email), "%s@gemeente.example", s);
    snprintf(ident, sizeof(ident),
             "{\"omschrijving\":\"Team %s\",\"emailadres\":\"%s\","
             "\"telefoonnummer\":\"14 030\"}",
             lk_demo_teams[i], email);
    lk_rng_uuid7(&g->rng, g->now - 400 * DAY_MS, g->teams[i]);
    a.id = g->teams[i];
    a.kind = "organisatorische_eenheid";
    a.name = lk_demo_teams[i];
    a.identificator = "{}";
    a.identification = ident;
    a.presence = "offline";
    a.capacity = 0;
    a.created_at = now;
    rc = lk_store_demo_actor(tx, &a);
  }
  if (rc == 0) {
    lk_demo_actor a = {0};

    lk_rng_uuid7(&g->rng, g->now - 400 * DAY_MS, g->system_actor);
    a.id = g->system_actor;
    a.kind = "geautomatiseerde_actor";
    a.name = "Digitaal loket (webformulieren)";
    a.identificator = "{}";
    a.identification = "{\"functie\":\"webformulieren\","
                       "\"omschrijving\":\"Ontvangt webformulieren\"}";
    a.presence = "offline";
    a.created_at = now;
    rc = lk_store_demo_actor(tx, &a);
  }
  for (int i = 0; rc == 0 && i < g->nstaff; i++) {
    struct staff *st = &g->staff[i];
    lk_demo_actor a = {0};

    rc = lk_user_add_apply(tx, &st->op);
    if (rc != 0)
      break;
    snprintf(ident, sizeof(ident),
             "{\"objectId\":\"%s\",\"codeObjecttype\":\"mdw\","
             "\"codeRegister\":\"gemeente\",\"codeSoortObjectId\":\"email\"}",
             st->op.user.email);
    snprintf(email, sizeof(email), "{\"functie\":\"%s\",\"emailadres\":\"%s\"}",
             strcmp(st->op.user.role, "agent") == 0 ? "klantcontactmedewerker"
             : strcmp(st->op.user.role, "supervisor") == 0
                 ? "teamleider"
                 : "functioneel beheerder",
             st->op.user.email);
    a.id = st->actor_id;
    a.kind = "medewerker";
    a.name = st->name;
    a.identificator = ident;
    a.identification = email;
    a.user_id = st->op.user.id;
    a.presence = "offline";
    st->capacity = (int)lk_rng_range(&g->rng, 4, 8);
    a.capacity = st->capacity;
    a.created_at = now;
    rc = lk_store_demo_actor(tx, &a);
    /* Agents in their own team; every other agent also in the contact
     * centre; the supervisor in every team. */
    if (rc == 0 && st->team >= 0)
      rc = lk_store_demo_team_member(tx, g->teams[st->team], st->actor_id);
    if (rc == 0 && st->team > 0 && i % 2 == 0)
      rc = lk_store_demo_team_member(tx, g->teams[0], st->actor_id);
    if (rc == 0 && strcmp(st->op.user.role, "supervisor") == 0) {
      for (size_t t = 0; rc == 0 && t < lk_demo_nteams; t++)
        rc = lk_store_demo_team_member(tx, g->teams[t], st->actor_id);
    }
  }
  return rc;
}

/* A Dutch name from the lists: fills the name indexes of `p` and its
 * display name. */
static void make_name(struct gen *g, struct party_info *p) {
  bool female = lk_rng_pct(&g->rng, 50);
  const char *first;
  const char *surname;

  p->first =
      (unsigned short)(female ? lk_rng_below(&g->rng, lk_demo.nfemale)
                              : lk_demo.nfemale +
                                    lk_rng_below(&g->rng, lk_demo.nmale));
  first = female ? lk_demo.female[p->first]
                 : lk_demo.male[p->first - lk_demo.nfemale];
  p->surname = (unsigned short)lk_rng_below(&g->rng, lk_demo.nsurnames);
  surname = lk_demo.surnames[p->surname];
  if (lk_rng_pct(&g->rng, 20))
    snprintf(p->initials, sizeof(p->initials), "%c.%c.", first[0],
             (char)('A' + lk_rng_below(&g->rng, 26)));
  else
    snprintf(p->initials, sizeof(p->initials), "%c.", first[0]);
  snprintf(p->name, sizeof(p->name), "%s %s", first, surname);
}

static int prepare_staff(struct gen *g) {
  lk_invalid why;
  int n = 0;

  for (int i = 0; i < g->nagents + 2; i++) {
    struct staff *st = &g->staff[n];
    const char *role = i == 0 ? "admin" : i == 1 ? "supervisor" : "agent";
    struct party_info p;
    char a[48];
    char b[48];
    char email[128];
    int rc;

    make_name(g, &p);
    snprintf(st->name, sizeof(st->name), "%s", p.name);
    slug(p.first < lk_demo.nfemale ? lk_demo.female[p.first]
                                   : lk_demo.male[p.first - lk_demo.nfemale],
         a, sizeof(a));
    slug(lk_demo.surnames[p.surname], b, sizeof(b));
    snprintf(email, sizeof(email), "%s.%s@gemeente.example", a, b);
    /* The index keeps addresses apart when two staff share a name. */
    for (int j = 0; j < n; j++) {
      if (strcmp(g->staff[j].op.user.email, email) == 0) {
        snprintf(email, sizeof(email), "%s.%s%d@gemeente.example", a, b, i);
        break;
      }
    }
    if (lk_secret_new(st->password, sizeof(st->password), "", 12) != 0)
      return -1;
    rc = lk_user_add_prepare(&st->op, ACTOR, email, role, st->name,
                             st->password, &why);
    if (rc != 0) {
      fprintf(stderr, "loket: demo: cannot prepare %s: %s\n", email,
              rc == LK_EINVALID ? why.reason : "out of memory");
      return -1;
    }
    lk_rng_uuid7(&g->rng, g->now - 400 * DAY_MS, st->actor_id);
    /* Agents over the teams, the contact centre first and largest. */
    st->team = i < 2 ? -1 : (i - 2) % ((int)lk_demo_nteams + 2);
    if (st->team >= (int)lk_demo_nteams)
      st->team = 0;
    n++;
  }
  g->nstaff = n;
  return 0;
}

/* ---- parties -------------------------------------------------------- */

static const char *address_json(struct gen *g, const struct party_info *p) {
  const lk_demo_town *t = &lk_demo.towns[p->town];
  int pc = t->postcode_lo +
           (p->street * 7 + p->huisnr) % (t->postcode_hi - t->postcode_lo + 1);
  char l1 = (char)('A' + (p->street * 13 + p->huisnr) % 26);
  char l2 = (char)('A' + (p->street * 5 + p->huisnr * 3) % 26);
  const char *street = lk_demo.streets[p->street];

  /* SA, SD and SS are not used in Dutch postcodes. */
  if (l1 == 'S' && (l2 == 'A' || l2 == 'D' || l2 == 'S'))
    l2 = 'T';
  return afmt(g,
              "{\"nummeraanduidingId\":\"\",\"straatnaam\":\"%s\","
              "\"huisnummer\":%d,\"huisnummertoevoeging\":\"\","
              "\"postcode\":\"%d %c%c\",\"stad\":\"%s\","
              "\"adresregel1\":\"%s %d\",\"adresregel2\":\"%d %c%c %s\","
              "\"adresregel3\":\"\",\"land\":\"NL\"}",
              street, p->huisnr, pc, l1, l2, t->name, street, p->huisnr, pc, l1,
              l2, t->name);
}

static int pick_town(lk_rng *r) {
  int w[32];

  for (size_t i = 0; i < lk_demo.ntowns; i++)
    w[i] = lk_demo.towns[i].weight;
  return pick_weighted(r, w, (int)lk_demo.ntowns);
}

static void add_identifier(struct gen *g, const char *party_id,
                           const char *type, const char *reg,
                           const char *id_type, const char *object_id,
                           int64_t t) {
  struct row *r = add_row(g, R_IDENT);

  r->u.ident.id = auuid(g, t);
  r->u.ident.party_id = party_id;
  r->u.ident.object_type = type;
  r->u.ident.reg = reg;
  r->u.ident.id_type = id_type;
  r->u.ident.object_id = astr(g, object_id);
  r->u.ident.created_at = t;
}

/* The key is what identity linking matches on; it must come from
 * lk_address_key() like every other writer's (contact_address.h). */
static const char *add_address(struct gen *g, const char *party_id,
                               const char *kind, const char *address,
                               bool is_default, bool verified, int64_t t) {
  struct row *r = add_row(g, R_ADDRESS);
  char key[LK_ADDRESS_KEY_MAX + 1];
  char day[48];

  if (lk_address_key(kind, address, key, sizeof(key)) != 0)
    g->bad_address = true;

  r->u.address.id = auuid(g, t);
  r->u.address.party_id = party_id;
  r->u.address.kind = kind;
  r->u.address.address = astr(g, address);
  r->u.address.address_key = astr(g, key);
  r->u.address.is_default = is_default;
  r->u.address.description = strcmp(kind, "email") == 0 ? "privé"
                             : is_default               ? "mobiel"
                                                        : "vast";
  if (verified) {
    format_iso_date(t + lk_rng_range(&g->rng, 0, 20) * DAY_MS, day,
                    sizeof(day));
    r->u.address.verified_on = astr(g, day);
  }
  r->u.address.created_at = t;
  g->made_addresses++;
  return r->u.address.id;
}

static const char *first_name(const struct party_info *p) {
  return p->first < lk_demo.nfemale ? lk_demo.female[p->first]
                                    : lk_demo.male[p->first - lk_demo.nfemale];
}

/* An organisation's name from a pattern: {s} a surname, {t} the town, {f}
 * a first name. */
static void org_name(struct gen *g, struct party_info *p) {
  const char *tpl = lk_rng_pick(&g->rng, lk_demo.org_names, lk_demo.norg_names);
  char sur[64];
  size_t n = 0;

  snprintf(sur, sizeof(sur), "%s", lk_demo.surnames[p->surname]);
  if (sur[0] >= 'a' && sur[0] <= 'z')
    sur[0] = (char)(sur[0] - 'a' + 'A');
  for (const char *s = tpl; *s != '\0' && n + 1 < sizeof(p->name); s++) {
    const char *v = NULL;
    size_t len;

    if (s[0] == '{' && s[1] != '\0' && s[2] == '}') {
      v = s[1] == 's'   ? sur
          : s[1] == 't' ? lk_demo.towns[p->town].name
                        : first_name(p);
      s += 2;
    }
    if (v == NULL) {
      p->name[n++] = *s;
      continue;
    }
    len = strlen(v);
    if (len > sizeof(p->name) - 1 - n)
      len = sizeof(p->name) - 1 - n;
    memcpy(p->name + n, v, len);
    n += len;
  }
  p->name[n] = '\0';
}

static void make_org(struct gen *g, struct party_info *p, const char *id,
                     int64_t idx, int64_t t, size_t party_row) {
  char kvk[16];
  char addr[160];
  char s[64];
  uint64_t v;

  do {
    v = 10000000 + lk_rng_below(&g->rng, 90000000);
  } while (!claim(g, v));
  snprintf(kvk, sizeof(kvk), "%08llu", (unsigned long long)v);
  add_identifier(g, id, "niet_natuurlijk_persoon", "hr", "kvk_nummer", kvk, t);
  slug(p->name, s, sizeof(s));
  snprintf(addr, sizeof(addr), "info@%.30s%lld.example", s, (long long)idx);
  g->chunks[g->cur].rows[party_row].u.party.preferred_address_id =
      add_address(g, id, "email", addr, true, false, t);
  snprintf(addr, sizeof(addr), "030-%07d",
           (int)lk_rng_range(&g->rng, 1000000, 9999999));
  add_address(g, id, "telefoonnummer", addr, true, false, t);
}

static void make_person(struct gen *g, struct party_info *p, const char *id,
                        int64_t idx, int64_t t, size_t party_row,
                        uint64_t salt) {
  bool has_email = p->kind == 'c' || lk_rng_pct(&g->rng, 80);
  bool has_phone = lk_rng_pct(&g->rng, 70);
  const char *preferred = NULL;
  char addr[160];
  char a[48], b[48], c[64];

  slug(first_name(p), a, sizeof(a));
  slug(lk_demo.surnames[p->surname], b, sizeof(b));
  if (p->kind == 'p' && lk_rng_pct(&g->rng, 95)) {
    char bsn[10];
    bool got = false;

    /* Test numbers run out near 90,000: later residents have no BSN
     * on record, as many who only ask a question do not. */
    for (int tries = 0; tries < 32 && !got; tries++) {
      lk_bsn_random(&g->rng, bsn);
      got = claim(g, strtoull(bsn, NULL, 10) + (1ULL << 40)); /* not KVK */
    }
    if (got)
      add_identifier(g, id, "natuurlijk_persoon", "brp", "bsn", bsn, t);
  }
  if (has_email) {
    bool verified = p->kind == 'p' && lk_rng_pct(&g->rng, 65);

    if (p->kind == 'c') {
      slug(g->parties[lk_rng_below(&g->rng, (uint64_t)g->norgs)].name, c,
           sizeof(c));
      snprintf(addr, sizeof(addr), "%c.%s@%.30s.example", a[0], b, c);
    } else {
      /* The index keeps verified addresses unique, as the schema wants. */
      snprintf(
          addr, sizeof(addr), "%s.%s%lld@%s", a, b, (long long)idx,
          lk_rng_pick(&g->rng, lk_demo.mail_domains, lk_demo.nmail_domains));
    }
    preferred = add_address(g, id, "email", addr, true, verified, t);
  }
  if (has_phone) {
    /* A mobile number no other party has: the index through a bijection
     * of 0..10^8-1 (48271 is prime to 10). */
    uint64_t n = ((uint64_t)idx * 48271 + salt) % 100000000ULL;
    const char *pid;

    snprintf(addr, sizeof(addr), "06-%08llu", (unsigned long long)n);
    pid = add_address(g, id, "telefoonnummer", addr, true,
                      lk_rng_pct(&g->rng, 50), t);
    if (preferred == NULL)
      preferred = pid;
    if (lk_rng_pct(&g->rng, 10)) {
      snprintf(addr, sizeof(addr), "030-%07d",
               (int)lk_rng_range(&g->rng, 1000000, 9999999));
      add_address(g, id, "telefoonnummer", addr, false, false, t);
    }
  }
  g->chunks[g->cur].rows[party_row].u.party.preferred_address_id = preferred;
}

static int make_party(struct gen *g, int64_t idx, uint64_t salt) {
  struct party_info *p = &g->parties[idx];
  int64_t span = 3 * 365 * DAY_MS;
  int64_t t = g->now - span + idx * (span - 30 * DAY_MS) / g->nparties +
              lk_rng_range(&g->rng, 0, HOUR_MS);
  struct row *r;
  const char *id;
  size_t party_row;

  memset(p, 0, sizeof(*p));
  p->kind = idx < g->norgs                        ? 'o'
            : idx < g->norgs + g->ncontactpersons ? 'c'
                                                  : 'p';
  p->town = (unsigned char)pick_town(&g->rng);
  p->street = (unsigned short)lk_rng_below(&g->rng, lk_demo.nstreets);
  p->huisnr = (unsigned short)lk_rng_range(&g->rng, 1, 180);
  make_name(g, p);
  if (p->kind == 'o')
    org_name(g, p);
  id = auuid(g, t);
  snprintf(p->id, sizeof(p->id), "%s", id);

  /* The party first: its identifiers and addresses point at it. */
  party_row = g->chunks[g->cur].nrows;
  r = add_row(g, R_PARTY);
  r->u.party.id = id;
  r->u.party.nummer = afmt(g, "%010lld", (long long)++g->party_no);
  r->u.party.kind = p->kind == 'o'   ? "organisatie"
                    : p->kind == 'c' ? "contactpersoon"
                                     : "persoon";
  r->u.party.display_name = astr(g, p->name);
  if (p->kind == 'o')
    r->u.party.identification = afmt(g, "{\"naam\":\"%s\"}", p->name);
  else
    r->u.party.identification =
        afmt(g, "{\"contactnaam\":%s}", contactnaam_json(g, p));
  if (p->kind == 'c')
    r->u.party.works_for =
        astr(g, g->parties[lk_rng_below(&g->rng, (uint64_t)g->norgs)].id);
  if (p->kind != 'c') {
    r->u.party.visiting_address = address_json(g, p);
    r->u.party.postal_address = r->u.party.visiting_address;
  }
  p->confidential = p->kind == 'p' && lk_rng_pct(&g->rng, 1);
  r->u.party.confidential = p->confidential;
  r->u.party.created_at = t;

  if (p->kind == 'o')
    make_org(g, p, id, idx, t, party_row);
  else
    make_person(g, p, id, idx, t, party_row, salt);

  r = add_row(g, R_PROCLOG);
  r->u.pair.a = id;
  r->u.pair.b = afmt(g, "parties/%s", id);
  return maybe_flush(g);
}

/* ---- conversations -------------------------------------------------- */

struct conv_ctx {
  const lk_demo_topic *topic;
  const struct party_info *party;
  const char *conv_id;
  const char *reference;
  const char *subject;
  const char *team_id;
  int team;
  int agent; /* staff index of the agent working on it, -1 if none */
  bool confidential;
};

/* An agent for `team`, as the assigner would choose: a member of it when
 * there is one, a supervisor or admin for a confidential conversation, and
 * for an open or pending one (`counts`) only someone below capacity.
 * Returns -1 when nobody qualifies: the conversation waits in the queue. */
static int pick_agent(struct gen *g, int team, bool confidential, bool counts) {
  int members[MAX_STAFF];
  int n = 0;

  for (int pass = 0; pass < 2 && n == 0; pass++) {
    for (int i = confidential ? 0 : 2; i < g->nstaff; i++) {
      struct staff *st = &g->staff[i];

      if (confidential && strcmp(st->op.user.role, "agent") == 0)
        continue;
      if (counts && st->load >= st->capacity)
        continue;
      if (pass == 1 || i < 2 || st->team == team || (team == 0 && i % 2 == 0))
        members[n++] = i;
    }
  }
  if (n == 0)
    return -1;
  n = members[lk_rng_below(&g->rng, (uint64_t)n)];
  if (counts)
    g->staff[n].load++;
  return n;
}

/* The text of contact `i` of kind `kind`. */
static const char *message(struct gen *g, const struct conv_ctx *cc,
                           const char *kind, const char *channel, int i,
                           int64_t t) {
  const lk_demo_topic *tp = cc->topic;
  struct fill f = {cc->party, t};
  char body[1024];
  bool spoken = strcmp(channel, "telefoon") == 0 ||
                strcmp(channel, "balie") == 0 ||
                strcmp(channel, "video") == 0 || strcmp(channel, "kiosk") == 0;
  const char *name = cc->party != NULL ? cc->party->name : "";

  if (strcmp(kind, "note") == 0) {
    expand(g, lk_rng_pick(&g->rng, tp->notes, tp->nnotes), &f, body,
           sizeof(body));
    return astr(g, body);
  }
  if (strcmp(kind, "inbound") == 0) {
    expand(g,
           i == 0 ? lk_rng_pick(&g->rng, tp->questions, tp->nquestions)
                  : lk_rng_pick(&g->rng, lk_demo_followups, lk_demo_nfollowups),
           &f, body, sizeof(body));
    if (spoken)
      return afmt(g, "%s %s", i == 0 ? "Klant meldt:" : "Klant vraagt:", body);
    return afmt(g, "%s\n\n%s\n\n%s\n%s",
                lk_rng_pick(&g->rng, lk_demo_greetings, lk_demo_ngreetings),
                body, lk_rng_pick(&g->rng, lk_demo_closings, lk_demo_nclosings),
                name);
  }
  expand(g, lk_rng_pick(&g->rng, tp->answers, tp->nanswers), &f, body,
         sizeof(body));
  if (spoken)
    return afmt(g, "Uitgelegd aan de klant: %s", body);
  return afmt(g, "Beste %s,\n\n%s\n\nMet vriendelijke groet,\n%s\nGemeente",
              name[0] != '\0' ? name : "heer/mevrouw", body,
              cc->agent >= 0 ? g->staff[cc->agent].name
                             : "Klantcontactcentrum");
}

static const char *other_channel(struct gen *g, const char *now) {
  static const char *const to[] = {"telefoon", "email", "balie", "chat"};
  const char *c;

  do {
    c = LK_PICK(&g->rng, to);
  } while (strcmp(c, now) == 0);
  return c;
}

/* Status by how long ago the last message was: recent conversations are
 * still being worked on, old ones are nearly all resolved. */
static int pick_status(struct gen *g, int64_t age) {
  static const int recent[] = {55, 20, 5, 20};
  static const int week[] = {25, 25, 10, 40};
  static const int month[] = {5, 5, 2, 88};
  static const int old[] = {1, 0, 0, 99};

  if (age < 2 * DAY_MS)
    return pick_weighted(&g->rng, recent, 4);
  if (age < 14 * DAY_MS)
    return pick_weighted(&g->rng, week, 4);
  if (age < 60 * DAY_MS)
    return pick_weighted(&g->rng, month, 4);
  return pick_weighted(&g->rng, old, 4);
}

static void add_task(struct gen *g, const struct conv_ctx *cc,
                     const char *contact_id, const char *contact_no, int status,
                     int64_t t) {
  const lk_demo_topic *tp = cc->topic;
  bool callback = lk_rng_pct(&g->rng, 50);
  bool done = status == 3;
  struct row *r = add_row(g, R_TASK);
  const char *task_id = auuid(g, t);
  int pos = 0;

  r->u.task.id = task_id;
  r->u.task.nummer = afmt(g, "%010lld", (long long)++g->task_no);
  r->u.task.reference = cc->reference;
  r->u.task.contact_id = contact_id;
  r->u.task.kind = callback ? "callback" : "backoffice";
  r->u.task.action = callback
                         ? "Terugbellen"
                         : astr(g, lk_rng_pick(&g->rng, tp->tasks, tp->ntasks));
  r->u.task.explanation =
      callback
          ? astr(g, lk_rng_pick(&g->rng, lk_demo_callbacks, lk_demo_ncallbacks))
          : afmt(g, "Zie klantcontact %s over \"%s\".", contact_no,
                 cc->subject);
  r->u.task.status = done ? "verwerkt" : "te_verwerken";
  r->u.task.deadline =
      t + (callback ? 1 : lk_rng_range(&g->rng, 2, 10)) * DAY_MS;
  r->u.task.assigned_at = t;
  r->u.task.done_at = done ? t + lk_rng_range(&g->rng, HOUR_MS, 3 * DAY_MS) : 0;
  if (r->u.task.done_at > g->now)
    r->u.task.done_at = g->now - MIN_MS;
  r->u.task.created_at = t;
  if (callback && cc->agent >= 0) {
    r = add_row(g, R_TASK_ASSIGNEE);
    r->u.pair.a = task_id;
    r->u.pair.b = g->staff[cc->agent].actor_id;
    r->u.pair.n = pos++;
  }
  if (!callback || pos == 0) {
    r = add_row(g, R_TASK_ASSIGNEE);
    r->u.pair.a = task_id;
    r->u.pair.b = g->teams[callback ? cc->team : team_index(cc->topic->team)];
    r->u.pair.n = pos;
  }
  g->made_tasks++;
}

static int lengths[] = {15, 25, 25, 18, 10, 7}; /* 1..6 contacts */

static int make_conversation(struct gen *g, int len, int64_t start) {
  struct conv_ctx cc = {0};
  const char *kinds[MAX_CONTACTS];
  const char *chan[MAX_CONTACTS];
  const char *ids[MAX_CONTACTS];
  const char *nums[MAX_CONTACTS];
  int64_t times[MAX_CONTACTS];
  int topic = pick_topic(&g->rng);
  const char *channel = channels[pick_weighted(&g->rng, channel_weight, 9)];
  bool live = strcmp(channel, "telefoon") == 0 ||
              strcmp(channel, "chat") == 0 || strcmp(channel, "balie") == 0 ||
              strcmp(channel, "video") == 0 || strcmp(channel, "kiosk") == 0;
  int switch_at = len >= 2 && lk_rng_pct(&g->rng, 8)
                      ? (int)lk_rng_range(&g->rng, 1, len - 1)
                      : -1;
  int status;
  int64_t last;
  int64_t first_response = 0;
  struct row *r;
  size_t conv_row;
  int priority_w[] = {15, 60, 20, 5};

  cc.topic = &lk_demo_topics[topic];
  if (!lk_rng_pct(&g->rng, 3)) {
    /* Old residents have had more contacts: skew towards low indexes. */
    double u = (double)lk_rng_below(&g->rng, 1u << 30) / (double)(1u << 30);
    int64_t idx = (int64_t)((double)g->nparties * u * (0.4 + 0.6 * u));
    if (idx >= g->nparties)
      idx = g->nparties - 1;
    cc.party = &g->parties[idx];
  }
  cc.subject =
      astr(g, lk_rng_pick(&g->rng, cc.topic->subjects, cc.topic->nsubjects));
  cc.team = lk_rng_pct(&g->rng, 55) ? 0 : team_index(cc.topic->team);
  cc.team_id = g->teams[cc.team];
  /* A party under geheimhouding makes its conversations confidential, as
   * the conversations API does. */
  cc.confidential = lk_rng_pct(&g->rng, cc.topic->confidential) ||
                    (cc.party != NULL && cc.party->confidential);

  /* Times first: the status depends on how recent the conversation is. */
  times[0] = start;
  for (int i = 1; i < len; i++) {
    times[i] =
        times[i - 1] + (live && i < 3
                            ? lk_rng_range(&g->rng, MIN_MS, 8 * MIN_MS)
                            : lk_rng_range(&g->rng, 20 * MIN_MS, 30 * HOUR_MS));
  }
  if (times[len - 1] > g->now - MIN_MS) {
    int64_t back = times[len - 1] - (g->now - MIN_MS) +
                   lk_rng_range(&g->rng, 0, 3 * HOUR_MS);
    for (int i = 0; i < len; i++)
      times[i] -= back;
  }
  last = times[len - 1];
  status = pick_status(g, g->now - last);
  cc.agent = status == 0 && lk_rng_pct(&g->rng, 35)
                 ? -1
                 : pick_agent(g, cc.team, cc.confidential, status <= 1);

  /* Kinds: a question, then answers and follow-ups with a note now and
   * then.  An open conversation waits for us, so it ends with the
   * resident; one pending or resolved ends with our answer. */
  kinds[0] = "inbound";
  for (int i = 1; i < len; i++) {
    if (lk_rng_pct(&g->rng, 15))
      kinds[i] = "note";
    else
      kinds[i] = strcmp(kinds[i - 1], "outbound") == 0 ? "inbound" : "outbound";
  }
  if (len > 1)
    kinds[len - 1] = status == 0 ? "inbound" : "outbound";
  if (cc.agent < 0) {
    for (int i = 1; i < len; i++)
      kinds[i] = "inbound"; /* nobody has answered yet */
  }

  cc.conv_id = auuid(g, start);
  {
    int y = year_of(start);
    int64_t *no = &g->conv_no[y > g->first_year];

    cc.reference = afmt(g, "LK-%d-%06lld", y, (long long)++*no);
  }
  conv_row = g->chunks[g->cur].nrows;
  r = add_row(g, R_CONVERSATION);
  r->u.conv.id = cc.conv_id;
  r->u.conv.reference = cc.reference;
  r->u.conv.party_id = cc.party != NULL ? cc.party->id : NULL;
  r->u.conv.subject = cc.subject;
  r->u.conv.channel = channel;
  r->u.conv.status = statuses[status];
  if (status == 2)
    r->u.conv.snoozed_until =
        g->now + lk_rng_range(&g->rng, 1, 7) * DAY_MS + 8 * HOUR_MS;
  r->u.conv.priority = pick_weighted(&g->rng, priority_w, 4);
  r->u.conv.team_id = cc.team_id;
  r->u.conv.assignee_id = cc.agent >= 0 ? g->staff[cc.agent].actor_id : NULL;
  r->u.conv.confidential = cc.confidential;
  r->u.conv.version = 1 + len;
  r->u.conv.created_at = start;
  r->u.conv.last_message_at = last;
  r->u.conv.updated_at = last;
  if (status == 3) {
    r->u.conv.resolved_at = last + lk_rng_range(&g->rng, MIN_MS, 2 * HOUR_MS);
    if (r->u.conv.resolved_at > g->now)
      r->u.conv.resolved_at = g->now;
    r->u.conv.updated_at = r->u.conv.resolved_at;
  }
  if (cc.agent < 0)
    r->u.conv.waiting_since = start;

  r = add_row(g, R_CONV_CATEGORY);
  r->u.pair.a = cc.conv_id;
  r->u.pair.b = g->categories[topic];
  if (lk_rng_pct(&g->rng, 10)) {
    int other = pick_topic(&g->rng);
    if (other != topic) {
      r = add_row(g, R_CONV_CATEGORY);
      r->u.pair.a = cc.conv_id;
      r->u.pair.b = g->categories[other];
    }
  }

  for (int i = 0; i < len; i++) {
    const char *author = NULL;

    chan[i] = i == 0           ? channel
              : i == switch_at ? other_channel(g, chan[i - 1])
                               : chan[i - 1];
    ids[i] = auuid(g, times[i]);
    nums[i] = afmt(g, "%010lld", (long long)++g->contact_no);
    if (strcmp(kinds[i], "inbound") != 0 && cc.agent >= 0)
      author = g->staff[cc.agent].actor_id;
    r = add_row(g, R_CONTACT);
    r->u.contact.id = ids[i];
    r->u.contact.conversation_id = cc.conv_id;
    r->u.contact.kind = kinds[i];
    r->u.contact.nummer = nums[i];
    r->u.contact.reference = cc.reference;
    r->u.contact.channel = chan[i];
    r->u.contact.subject = cc.subject;
    r->u.contact.content = message(g, &cc, kinds[i], chan[i], i, times[i]);
    r->u.contact.main_topic_type = cc.topic->category;
    r->u.contact.confidential = cc.confidential;
    r->u.contact.succeeded =
        strcmp(kinds[i], "note") == 0 ? -1
        : strcmp(kinds[i], "outbound") == 0 && strcmp(chan[i], "telefoon") == 0
            ? !lk_rng_pct(&g->rng, 15)
            : 1;
    r->u.contact.further_action = i + 1 < len;
    r->u.contact.occurred_at = times[i];
    r->u.contact.author_id = author;
    if (strcmp(kinds[i], "outbound") == 0 &&
        (strcmp(chan[i], "email") == 0 || strcmp(chan[i], "post") == 0 ||
         strcmp(chan[i], "chat") == 0 || strcmp(chan[i], "social") == 0 ||
         strcmp(chan[i], "webformulier") == 0))
      r->u.contact.delivery = "sent";
    if (strcmp(kinds[i], "outbound") == 0 && first_response == 0)
      first_response = times[i];
    if (strcmp(kinds[i], "note") == 0)
      g->made_notes++;

    if (strcmp(kinds[i], "inbound") == 0 && cc.party != NULL) {
      r = add_row(g, R_INVOLVED);
      r->u.involved.id = auuid(g, times[i]);
      r->u.involved.contact_id = ids[i];
      r->u.involved.party_id = cc.party->id;
      r->u.involved.role = "klant";
      r->u.involved.initiator = i == 0;
      if (cc.party->kind != 'o')
        r->u.involved.contact_name = contactnaam_json(g, cc.party);
      r->u.involved.created_at = times[i];
    }
    if (author != NULL) {
      r = add_row(g, R_CONTACT_ACTOR);
      r->u.pair.a = auuid(g, times[i]);
      r->u.pair.b = author;
      r->u.pair.c = ids[i];
      r->u.pair.time = times[i];
    }
    if (i == switch_at) {
      /* The resident went on in another channel: wasKlantcontact. */
      r = add_row(g, R_SUBJECT);
      r->u.subject.id = auuid(g, times[i]);
      r->u.subject.contact_id = ids[i];
      r->u.subject.was_contact_id = ids[i - 1];
      r->u.subject.created_at = times[i];
      g->made_links++;
    }
  }
  g->chunks[g->cur].rows[conv_row].u.conv.first_response_at = first_response;

  if (lk_rng_pct(&g->rng, 15)) {
    r = add_row(g, R_SUBJECT);
    r->u.subject.id = auuid(g, start);
    r->u.subject.contact_id = ids[0];
    r->u.subject.object_id = afmt(g, "ZAAK-%07lld", (long long)++g->zaak_no);
    r->u.subject.object_type = "zaak";
    r->u.subject.reg = "openzaak";
    r->u.subject.id_type = "zaaknummer";
    r->u.subject.created_at = start;
  }
  if (lk_rng_pct(&g->rng, 10))
    add_task(g, &cc, ids[0], nums[0], status, times[0] + MIN_MS);
  if (cc.party != NULL) {
    r = add_row(g, R_PROCLOG);
    r->u.pair.a = cc.party->id;
    r->u.pair.b = afmt(g, "conversations/%s", cc.conv_id);
  }
  g->made_conversations++;
  g->made_contacts += len;
  g->by_status[status]++;
  return maybe_flush(g);
}

/* ---- the command ---------------------------------------------------- */

struct finish {
  struct gen *g;
  const char *details;
};

static int apply_finish(lk_tx *tx, void *arg) {
  struct finish *f = arg;
  struct gen *g = f->g;
  int rc;

  rc = lk_store_demo_counter(tx, "partij", g->party_no);
  if (rc == 0)
    rc = lk_store_demo_counter(tx, "contact", g->contact_no);
  if (rc == 0)
    rc = lk_store_demo_counter(tx, "task", g->task_no);
  for (int i = 0; rc == 0 && i < 2; i++) {
    char name[32];

    snprintf(name, sizeof(name), "conversations:%d", g->first_year + i);
    if (g->conv_no[i] > 0)
      rc = lk_store_demo_counter(tx, name, g->conv_no[i]);
  }
  if (rc == 0)
    rc = lk_store_audit(tx, ACTOR, "demo.created", "demo", f->details);
  return rc;
}

static int parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out) {
  char *end;
  long long v;

  v = strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

static void progress(const struct gen *g, const char *what, int64_t done,
                     int64_t total, int64_t t0) {
  if (total < 50000)
    return;
  fprintf(stderr, "loket demo: %s %lld/%lld (%.0f s)\n", what, (long long)done,
          (long long)total, (double)(lk_clock_mono_ns() - t0) / 1e9);
  (void)g;
}

static int generate(struct gen *g) {
  int64_t t0 = lk_clock_mono_ns();
  int64_t step;
  uint64_t salt = lk_rng_below(&g->rng, 100000000ULL);
  int64_t span = 365 * DAY_MS;
  int rc = 0;

  step = g->nparties / 4 > 0 ? g->nparties / 4 : 1;
  for (int64_t i = 0; rc == 0 && i < g->nparties; i++) {
    rc = make_party(g, i, salt);
    if ((i + 1) % step == 0)
      progress(g, "parties", i + 1, g->nparties, t0);
  }
  step = g->ncontacts / 10 > 0 ? g->ncontacts / 10 : 1;
  while (rc == 0 && g->made_contacts < g->ncontacts) {
    int64_t before = g->made_contacts;
    int len = 1 + pick_weighted(&g->rng, lengths, MAX_CONTACTS);
    /* Time follows progress, so conversations come in time order, and
     * slows down towards the present: a fifth of them fall in the last
     * two weeks, so that the inbox is lively even at scale 1. */
    double left = 1.0 - (double)g->made_contacts / (double)g->ncontacts;
    int64_t start = g->now - (int64_t)((double)span * left * left) +
                    lk_rng_range(&g->rng, 0, 10 * MIN_MS);

    if (len > g->ncontacts - g->made_contacts)
      len = (int)(g->ncontacts - g->made_contacts);
    rc = make_conversation(g, len, start);
    if (before / step != g->made_contacts / step)
      progress(g, "contacts", g->made_contacts, g->ncontacts, t0);
  }
  if (rc == 0)
    rc = drain(g);
  else
    drain(g);
  return rc;
}

static void print_summary(const struct gen *g, const char *dir, int64_t seed,
                          double secs) {
  printf("Demo data written to %s (seed %lld, %.1f s):\n", dir, (long long)seed,
         secs);
  printf("  %lld parties: %lld persons, %lld organisations,"
         " %lld contact persons\n",
         (long long)g->nparties,
         (long long)(g->nparties - g->norgs - g->ncontactpersons),
         (long long)g->norgs, (long long)g->ncontactpersons);
  printf("  %lld digital addresses\n", (long long)g->made_addresses);
  printf("  %lld conversations: %lld open, %lld pending, %lld snoozed,"
         " %lld resolved\n",
         (long long)g->made_conversations, (long long)g->by_status[0],
         (long long)g->by_status[1], (long long)g->by_status[2],
         (long long)g->by_status[3]);
  printf("  %lld contacts (%lld internal notes), %lld continued in another"
         " channel\n",
         (long long)g->made_contacts, (long long)g->made_notes,
         (long long)g->made_links);
  printf("  %lld tasks, %zu teams, %zu categories\n", (long long)g->made_tasks,
         lk_demo_nteams, lk_demo_ntopics);
  printf("\nStaff accounts (the passwords are shown only now):\n");
  printf("  %-10s  %-44s  %s\n", "role", "e-mail", "password");
  for (int i = 0; i < g->nstaff; i++)
    printf("  %-10s  %-44s  %s\n", g->staff[i].op.user.role,
           g->staff[i].op.user.email, g->staff[i].password);
}

static void gen_free(struct gen *g) {
  for (int i = 0; i < 2; i++) {
    free(g->chunks[i].rows);
    arena_free(&g->chunks[i].arena);
  }
  free(g->parties);
  free(g->ids_used);
  sodium_memzero(g->staff, sizeof(g->staff));
  pthread_mutex_destroy(&g->lock);
  pthread_cond_destroy(&g->cond);
}

static int gen_init(struct gen *g, int64_t scale, int64_t seed, int64_t parties,
                    int64_t contacts) {
  int64_t now = lk_clock_real_ms();

  memset(g, 0, sizeof(*g));
  pthread_mutex_init(&g->lock, NULL);
  pthread_cond_init(&g->cond, NULL);
  lk_rng_seed(&g->rng, (uint64_t)seed);
  g->now = now - now % DAY_MS;
  g->first_year = year_of(g->now - 366 * DAY_MS);
  g->nparties = parties > 0 ? parties : scale * 500;
  g->ncontacts = contacts > 0 ? contacts : scale * 2000;
  g->norgs = g->nparties / 20 > 0 ? g->nparties / 20 : 1;
  g->ncontactpersons = g->nparties / 20;
  if (g->norgs + g->ncontactpersons > g->nparties)
    g->ncontactpersons = 0;
  g->nagents = (int)(9 + scale < MAX_AGENTS ? 9 + scale : MAX_AGENTS);
  g->parties = calloc((size_t)g->nparties, sizeof(*g->parties));
  for (g->ids_cap = 1024; g->ids_cap < (size_t)g->nparties * 2;)
    g->ids_cap *= 2;
  g->ids_used = calloc(g->ids_cap, sizeof(*g->ids_used));
  for (int i = 0; i < 2; i++) {
    g->chunks[i].g = g;
    g->chunks[i].cap = CHUNK_ROWS + CHUNK_SLACK;
    g->chunks[i].rows = calloc(g->chunks[i].cap, sizeof(struct row));
    if (g->chunks[i].rows == NULL)
      return -1;
  }
  return g->parties == NULL || g->ids_used == NULL ? -1 : 0;
}

int lk_cli_demo(int argc, char **argv) {
  static const struct option longopts[] = {
      {"scale", required_argument, NULL, 's'},
      {"seed", required_argument, NULL, 'S'},
      {"parties", required_argument, NULL, 'p'},
      {"contacts", required_argument, NULL, 'c'},
      LK_CLI_COMMON_OPTIONS,
      {NULL, 0, NULL, 0}};
  lk_cli_common c = {"demo", usage, NULL, "warn"};
  int64_t scale = 1, seed = 1, parties = 0, contacts = 0;
  int64_t t0 = lk_clock_mono_ns();
  int64_t rows;
  struct setup su;
  struct finish fin;
  struct gen *g;
  char details[256];
  lk_store *store;
  int opt;
  int rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 's':
      if (parse_count(optarg, 1, 2000, &scale) != 0)
        return lk_cli_usage_error("demo: --scale must be 1 to 2000");
      break;
    case 'S':
      if (parse_count(optarg, 0, INT64_MAX, &seed) != 0)
        return lk_cli_usage_error("demo: --seed must be a number >= 0");
      break;
    case 'p':
      if (parse_count(optarg, 1, 10000000, &parties) != 0)
        return lk_cli_usage_error("demo: --parties must be 1 to 10000000");
      break;
    case 'c':
      if (parse_count(optarg, 1, 100000000, &contacts) != 0)
        return lk_cli_usage_error("demo: --contacts must be 1 to 100000000");
      break;
    default:
      rc = lk_cli_common_option(&c, opt, argv);
      if (rc != LK_CLI_NEXT)
        return rc;
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("demo: unexpected argument '%s'", argv[optind]);
  g = malloc(sizeof(*g));
  if (g == NULL || gen_init(g, scale, seed, parties, contacts) != 0) {
    fputs("loket: demo: out of memory\n", stderr);
    if (g != NULL)
      gen_free(g);
    free(g);
    return LK_EXIT_FAIL;
  }
  rc = lk_cli_open_store(&c, false, &store);
  if (rc != 0) {
    gen_free(g);
    free(g);
    return rc;
  }
  g->store = store;
  rc = lk_store_demo_rows(store, &rows);
  if (rc == 0 && rows > 0) {
    fprintf(stderr,
            "loket: demo: %s already holds parties or conversations;"
            " demo data goes into an empty data directory only\n",
            lk_cli_data_dir(c.data));
    rc = 1;
  } else if (rc == 0 && prepare_staff(g) != 0) {
    rc = 1;
  } else if (rc == 0) {
    su.g = g;
    rc = lk_store_write(store, apply_setup, &su);
    if (rc == 0) {
      g->party_no = su.counters[0];
      g->contact_no = su.counters[1];
      g->task_no = su.counters[2];
      g->conv_no[0] = su.counters[3];
      g->conv_no[1] = su.counters[4];
      rc = generate(g);
    }
    if (rc == 0) {
      snprintf(details, sizeof(details),
               "{\"seed\":%lld,\"parties\":%lld,\"conversations\":%lld,"
               "\"contacts\":%lld,\"staff\":%d}",
               (long long)seed, (long long)g->nparties,
               (long long)g->made_conversations, (long long)g->made_contacts,
               g->nstaff);
      fin.g = g;
      fin.details = details;
      rc = lk_store_write(store, apply_finish, &fin);
    }
    if (rc != 0)
      fprintf(stderr, "loket: demo: cannot write the demo data: %s\n",
              lk_store_strerror(rc));
  }
  lk_store_close(store);
  if (rc == 0)
    print_summary(g, lk_cli_data_dir(c.data), seed,
                  (double)(lk_clock_mono_ns() - t0) / 1e9);
  gen_free(g);
  free(g);
  return rc == 0 ? LK_EXIT_OK : LK_EXIT_FAIL;
}
