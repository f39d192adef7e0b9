/* merges.h - the rows a party merge reads, moves and records.
 *
 * Every function taking an lk_tx runs inside the merge's write.  Functions
 * return 0 or a negative LK_STORE_* code; out parameters are filled only on
 * success.
 */
#ifndef LK_STORE_MERGES_H
#define LK_STORE_MERGES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_PARTY_ID_LEN 36
#define LK_MERGE_REASON_MAX 1000
#define LK_ADDRESS_KEY_MAX 400

typedef struct lk_party_brief {
  char id[LK_PARTY_ID_LEN + 1];
  char merged_into[LK_PARTY_ID_LEN + 1]; /* "" if not merged */
  bool confidential;
  char preferred_address_id[LK_PARTY_ID_LEN + 1]; /* "" if none */
  char preferred_account_id[LK_PARTY_ID_LEN + 1];
} lk_party_brief;

int lk_store_party_brief(lk_tx *tx, const char *id, lk_party_brief *out);
int lk_store_party_brief_read(lk_store *s, const char *id, lk_party_brief *out);

/* What moves wholesale from one party to another. */
typedef enum lk_move_kind {
  LK_MOVE_CONVERSATIONS,
  LK_MOVE_INVOLVED,
  LK_MOVE_IDENTIFIERS,
  LK_MOVE_BANK_ACCOUNTS,
  LK_MOVE_CATEGORY_RELATIONS,
  LK_MOVE_CONTACT_PERSONS, /* parties that work for it (works_for) */
  LK_MOVE_KINDS
} lk_move_kind;

typedef void (*lk_id_fn)(const char *id, void *ud);

/* Points every row of `kind` that belongs to `from` at `to`, calling `fn`
 * with each moved row's id.  Returns the number moved. */
int lk_store_merge_move(lk_tx *tx, lk_move_kind kind, const char *from,
                        const char *to, int64_t now, lk_id_fn fn, void *ud);

typedef struct lk_address_brief {
  char id[LK_PARTY_ID_LEN + 1];
  char kind[16];
  char key[LK_ADDRESS_KEY_MAX + 1];
  bool is_default;
  bool verified;
} lk_address_brief;

/* A party's digital addresses, oldest first. */
int lk_store_party_addresses(lk_tx *tx, const char *party_id,
                             void (*fn)(const lk_address_brief *a, void *ud),
                             void *ud);
/* Sets the owner and the default flag of one address. */
int lk_store_address_set(lk_tx *tx, const char *id, const char *party_id,
                         bool is_default);

typedef struct lk_representation_brief {
  char id[LK_PARTY_ID_LEN + 1];
  char representing[LK_PARTY_ID_LEN + 1];
  char represented[LK_PARTY_ID_LEN + 1];
} lk_representation_brief;

/* The representations `party_id` takes part in, on either side. */
int lk_store_party_representations(lk_tx *tx, const char *party_id,
                                   void (*fn)(const lk_representation_brief *r,
                                              void *ud),
                                   void *ud);
/* LK_STORE_CONFLICT if that pair exists already. */
int lk_store_representation_set(lk_tx *tx, const char *id,
                                const char *representing,
                                const char *represented);
int lk_store_representation_exists(lk_tx *tx, const char *representing,
                                   const char *represented, bool *exists);

/* Marks `merged_id` as merged into `survivor_id`.  LK_STORE_CONFLICT if
 * it was merged already. */
int lk_store_party_mark_merged(lk_tx *tx, const char *merged_id,
                               const char *survivor_id, int64_t now);
/* Marks party `id` confidential (indicatieGeheimhouding). */
int lk_store_party_set_confidential(lk_tx *tx, const char *id, int64_t now);
/* Sets the preferred address and account of a party (NULL keeps one) and
 * its updated_at. */
int lk_store_party_preferred(lk_tx *tx, const char *id, const char *address_id,
                             const char *account_id, int64_t now);

typedef struct lk_merge_row {
  int64_t seq;
  char id[LK_PARTY_ID_LEN + 1];
  char survivor_id[LK_PARTY_ID_LEN + 1];
  char merged_id[LK_PARTY_ID_LEN + 1];
  char actor[64];
  char reason[LK_MERGE_REASON_MAX + 1];
  int64_t created_at;
} lk_merge_row;

int lk_store_merge_insert(lk_tx *tx, const lk_merge_row *m, const char *moved);
/* A merge and its `moved` JSON (malloc'd, the caller frees), if the caller
 * may see both parties (`confidential`: also confidential ones);
 * LK_STORE_NOTFOUND otherwise. */
int lk_store_merge_get(lk_store *s, const char *id, bool confidential,
                       lk_merge_row *out, char **moved);
typedef void (*lk_merge_fn)(const lk_merge_row *m, void *ud);
/* Merges `party_id` took part in (either side; "" for all) with seq >
 * `after`, oldest first, at most `limit`, leaving out those the caller
 * may not see.  Returns the number listed. */
int lk_store_merge_list(lk_store *s, const char *party_id, bool confidential,
                        int64_t after, int limit, lk_merge_fn fn, void *ud);

#endif
