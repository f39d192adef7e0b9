/* parties.h - the SQL of partijen and what hangs off them: identifiers,
 * digital addresses, bank accounts, representations, categories and
 * category relations (tables of 0003_contact.sql).
 *
 * Rows are plain structs with fixed-size fields filled by copy.  Groups the
 * standard nests (names, addresses) are JSON object text.  Writes take the
 * writer's transaction; reads borrow a pooled reader.  Every function
 * returns 0 or a negative LK_STORE_* code (LK_STORE_NOTFOUND when the row
 * is not there, LK_STORE_CONFLICT when a unique rule is broken).
 */
#ifndef LK_STORE_PARTIES_H
#define LK_STORE_PARTIES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define LK_ID 37 /* a uuid and its NUL */

typedef struct lk_party_row {
  char id[LK_ID];
  char nummer[11];
  char kind[16]; /* persoon, organisatie, contactpersoon */
  char display_name[1024];
  char identification[4096]; /* partijIdentificatie, JSON */
  char works_for[LK_ID];     /* contactpersoon: werkteVoorPartij */
  char internal_note[4004];
  int confidential; /* indicatieGeheimhouding */
  char language[16];
  int active;
  char preferred_address_id[LK_ID];
  char preferred_account_id[LK_ID];
  char visiting_address[4096]; /* JSON, "" for none */
  char postal_address[4096];   /* JSON, "" for none */
  char merged_into[LK_ID];
  int64_t created_at;
  int64_t updated_at;
} lk_party_row;

/* Callback for id lists (reverse relations). */
typedef void (*lk_id_fn)(const char *id, void *ud);

int lk_store_party_get(lk_store *s, const char *id, lk_party_row *out);
/* Inside a write: is there a party `id`, and is it confidential? */
int lk_store_party_get_tx(lk_tx *tx, const char *id, lk_party_row *out);
/* Assigns the next free 10-digit nummer from the counters table. */
int lk_store_party_next_nummer(lk_tx *tx, char out[11]);
int lk_store_party_insert(lk_tx *tx, const lk_party_row *p);
int lk_store_party_update(lk_tx *tx, const lk_party_row *p);
/* Deletes the party and what belongs to it alone (identifiers, digital
 * addresses, bank accounts, representations, category relations); unlinks
 * betrokkenen and contact persons.  LK_STORE_CONFLICT while conversations
 * or merges refer to it. */
int lk_store_party_delete(lk_tx *tx, const char *id);

/* Reverse relations of party `id`, oldest first. */
enum lk_party_rel {
  LK_PARTY_DIGITAL_ADDRESSES,
  LK_PARTY_BANK_ACCOUNTS,
  LK_PARTY_INVOLVED, /* betrokkenen */
  LK_PARTY_CATEGORY_RELATIONS,
  LK_PARTY_REPRESENTED, /* parties this party represents */
  LK_PARTY_IDENTIFIERS
};
int lk_store_party_related(lk_store *s, const char *id, enum lk_party_rel rel,
                           lk_id_fn fn, void *ud);

/* The uuids of one page of parties; `f` holds the 25 filters of the
 * partijen list in the order of the API's filter table, then "1" if the
 * caller may see confidential parties. */
int lk_store_party_page(lk_store *s, const char *const *f, int64_t offset,
                        int limit, char (*ids)[LK_ID], int *n, int64_t *count);

/* ---- partij-identificatoren ----------------------------------------- */

typedef struct lk_identifier_row {
  char id[LK_ID];
  char party_id[LK_ID];
  char object_type[32];
  char register_[16];
  char id_type[32];
  char object_id[804];
  char other[804];
  char sub_of[LK_ID];
  int64_t created_at;
} lk_identifier_row;

int lk_store_identifier_get(lk_store *s, const char *id, lk_identifier_row *o);
int lk_store_identifier_get_tx(lk_tx *tx, const char *id, lk_identifier_row *o);
/* LK_STORE_CONFLICT when the identity is taken. */
int lk_store_identifier_insert(lk_tx *tx, const lk_identifier_row *r);
int lk_store_identifier_update(lk_tx *tx, const lk_identifier_row *r);
int lk_store_identifier_delete(lk_tx *tx, const char *id);
/* Inside a write: the ids of the digital addresses (or, with `accounts`,
 * the bank accounts) of party `party_id`, at most `max`. */
int lk_store_party_links_tx(lk_tx *tx, const char *party_id, bool accounts,
                            char (*ids)[LK_ID], int max, int *n);
/* Gives digital address (or bank account) `id` to party `party_id` ("":
 * to none).  An address that changes party stops being a default. */
int lk_store_party_link(lk_tx *tx, bool accounts, const char *id,
                        const char *party_id);
/* The ids of the identifiers of party `party_id` (at most `max`). */
int lk_store_party_identifier_ids_tx(lk_tx *tx, const char *party_id,
                                     char (*ids)[LK_ID], int max, int *n);
/* Number of identifiers whose subIdentificatorVan is `id`. */
int lk_store_identifier_children(lk_tx *tx, const char *id, int64_t *n);
/* Another identifier of party `party_id` with `id_type` than `except`? */
int lk_store_identifier_type_taken(lk_tx *tx, const char *party_id,
                                   const char *id_type, const char *except,
                                   bool *taken);
/* Another identifier with the same identity (type, register, id, sub_of)
 * than `except`? */
int lk_store_identifier_identity_taken(lk_tx *tx, const lk_identifier_row *r,
                                       bool *taken);
/* Filters: anderePartijIdentificator, codeObjecttype, codeRegister,
 * codeSoortObjectId, objectId, then the confidential flag. */
int lk_store_identifier_page(lk_store *s, const char *const *f, int64_t offset,
                             int limit, char (*ids)[LK_ID], int *n,
                             int64_t *count);

/* ---- digitale adressen ---------------------------------------------- */

typedef struct lk_digital_address_row {
  char id[LK_ID];
  char party_id[LK_ID];
  char betrokkene_id[LK_ID];
  char kind[16];
  char address[324];
  char address_key[324];
  int is_default;
  char description[164];
  char reference[204];
  char verified_on[11]; /* "" when not verified */
  int64_t created_at;
} lk_digital_address_row;

int lk_store_digital_address_get(lk_store *s, const char *id,
                                 lk_digital_address_row *o);
int lk_store_digital_address_get_tx(lk_tx *tx, const char *id,
                                    lk_digital_address_row *o);
/* Inserts or updates (by id) `r`; with is_default, first clears the
 * default of the other addresses of that party and kind.
 * LK_STORE_CONFLICT when another party has the same verified address. */
int lk_store_digital_address_put(lk_tx *tx, const lk_digital_address_row *r,
                                 bool insert);
int lk_store_digital_address_delete(lk_tx *tx, const char *id);
/* The party that holds the verified address (kind, key) other than
 * `except_id`, "" if none. */
int lk_store_digital_address_verified_owner(lk_tx *tx, const char *kind,
                                            const char *key,
                                            const char *except_id,
                                            char owner[LK_ID]);
/* Filters in the order of the digitaleadressen filter table (see
 * src/api/ki/digitaleadressen.c), then the confidential flag. */
int lk_store_digital_address_page(lk_store *s, const char *const *f,
                                  int64_t offset, int limit, char (*ids)[LK_ID],
                                  int *n, int64_t *count);

/* ---- rekeningnummers ------------------------------------------------ */

typedef struct lk_bank_account_row {
  char id[LK_ID];
  char party_id[LK_ID];
  char iban[40];
  char bic[16];
  int64_t created_at;
} lk_bank_account_row;

int lk_store_bank_account_get(lk_store *s, const char *id,
                              lk_bank_account_row *o);
int lk_store_bank_account_get_tx(lk_tx *tx, const char *id,
                                 lk_bank_account_row *o);
int lk_store_bank_account_put(lk_tx *tx, const lk_bank_account_row *r,
                              bool insert);
int lk_store_bank_account_delete(lk_tx *tx, const char *id);
/* Filters: bic, iban, uuid, then the confidential flag. */
int lk_store_bank_account_page(lk_store *s, const char *const *f,
                               int64_t offset, int limit, char (*ids)[LK_ID],
                               int *n, int64_t *count);

/* ---- vertegenwoordigingen ------------------------------------------- */

typedef struct lk_representation_row {
  char id[LK_ID];
  char representing_id[LK_ID];
  char represented_id[LK_ID];
  int64_t created_at;
} lk_representation_row;

int lk_store_representation_get(lk_store *s, const char *id,
                                lk_representation_row *o);
/* LK_STORE_CONFLICT when the pair exists. */
int lk_store_representation_put(lk_tx *tx, const lk_representation_row *r,
                                bool insert);
int lk_store_representation_delete(lk_tx *tx, const char *id);
/* Filters: represented uuid, representing uuid, confidential flag. */
int lk_store_representation_page(lk_store *s, const char *const *f,
                                 int64_t offset, int limit, char (*ids)[LK_ID],
                                 int *n, int64_t *count);

/* ---- categorieën and categorie-relaties ----------------------------- */

typedef struct lk_category_row {
  char id[LK_ID];
  char name[324];
  int64_t created_at;
} lk_category_row;

int lk_store_category_get(lk_store *s, const char *id, lk_category_row *o);
/* LK_STORE_CONFLICT when the name is taken. */
int lk_store_category_put(lk_tx *tx, const lk_category_row *r, bool insert);
/* LK_STORE_CONFLICT while relations or conversations use it. */
int lk_store_category_delete(lk_tx *tx, const char *id);
int lk_store_category_page(lk_store *s, int64_t offset, int limit,
                           char (*ids)[LK_ID], int *n, int64_t *count);

typedef struct lk_category_relation_row {
  char id[LK_ID];
  char party_id[LK_ID];
  char category_id[LK_ID];
  char category_name[324]; /* read only */
  char begin_date[11];     /* "" for none */
  char end_date[11];
  int64_t created_at;
} lk_category_relation_row;

int lk_store_category_relation_get(lk_store *s, const char *id,
                                   lk_category_relation_row *o);
int lk_store_category_relation_put(lk_tx *tx, const lk_category_relation_row *r,
                                   bool insert);
int lk_store_category_relation_delete(lk_tx *tx, const char *id);
/* Filters: beginDatum, categorie naam, categorie uuid, eindDatum, partij
 * nummer, partij uuid, confidential flag. */
int lk_store_category_relation_page(lk_store *s, const char *const *f,
                                    int64_t offset, int limit,
                                    char (*ids)[LK_ID], int *n, int64_t *count);

/* Inside a write: does a row `id` exist in `table` (one of "parties",
 * "party_identifiers", "digital_addresses", "bank_accounts", "categories",
 * "involved", "actors")?  1, 0 or a negative code. */
int lk_store_row_exists_tx(lk_tx *tx, const char *table, const char *id);

#endif
