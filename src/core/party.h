/* party.h - partijen and what identifies and reaches them: the domain rules
 * (11-proef, IBAN, phone and e-mail syntax, address keys, identifier
 * combinations) and the writes of the party-side Klantinteracties
 * resources.
 *
 * The validators are pure functions.  Writes come in two halves as
 * everywhere in core: the API fills an op (rows with the new state) and
 * checks what it can without I/O; the lk_write_fn (*_apply) re-checks what
 * only the transaction can (ids that must exist, one verified address per
 * party, one object id per party) and writes the rows, the event
 * (party.created / party.updated), the audit entry and the processing-log
 * row.  A rule broken inside the transaction fills the op's lk_change
 * fail_* members and returns LK_EINVALID (or LK_STORE_CONFLICT).
 */
#ifndef LK_CORE_PARTY_H
#define LK_CORE_PARTY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/change.h"
#include "core/token.h" /* lk_invalid, LK_EINVALID */
#include "store/parties.h"

/* ---- pure rules ------------------------------------------------------ */

/* Nine digits passing the 11-proef (weights 9..2 and -1), not all zero. */
bool lk_bsn_valid(const char *s);
/* An RSIN follows the same rule as a BSN. */
bool lk_rsin_valid(const char *s);
/* Eight digits. */
bool lk_kvk_valid(const char *s);
/* Twelve digits. */
bool lk_vestigingsnummer_valid(const char *s);
/* Two letters, two check digits, 1..30 letters or digits (the document's
 * pattern), mod-97 remainder 1; a Dutch IBAN is 18 characters. */
bool lk_iban_valid(const char *s);
/* The document's rule: ^(0[1-9][0-9]{8}|\+[0-9]{9,15}|00[0-9]{7,13})$ and
 * no 0800 or 0900 numbers. */
bool lk_phone_valid(const char *s);
/* E-mail syntax after Django's EmailValidator: a dot-atom or quoted local
 * part, '@', a domain of labels with a letter TLD (or localhost, or an
 * address literal); at most 254 bytes. */
bool lk_email_valid(const char *s);
/* Checks `address` for `kind` ("email", "telefoonnummer", "overig") and
 * writes its normalised form into `key`: e-mail in lower case, a phone
 * number as digits with +31 / 0031 written as 0 and another "+" as "00",
 * anything else trimmed.  Returns 0, or LK_EINVALID with `why` filled. */
int lk_address_key(const char *kind, const char *address, char *key,
                   size_t size, lk_invalid *why);
/* Checks an identifier's combination (brp/natuurlijk_persoon/bsn,
 * hr/niet_natuurlijk_persoon/rsin or kvk_nummer, hr/vestiging/
 * vestigingsnummer) and its object id.  `has_sub` says whether
 * subIdentificatorVan is set: a vestigingsnummer needs one (its kvk_nummer)
 * and no other kind may have one.  Returns 0 or LK_EINVALID. */
int lk_identifier_check(const char *object_type, const char *reg,
                        const char *id_type, const char *object_id,
                        bool has_sub, lk_invalid *why);
/* volledigeNaam of a person from its contactnaam JSON object text. */
void lk_party_full_name(const char *kind, const char *identification, char *out,
                        size_t size);

/* ---- writes ---------------------------------------------------------- */

enum lk_party_mode { LK_PARTY_CREATE, LK_PARTY_UPDATE, LK_PARTY_DELETE };

#define LK_PARTY_MAX_IDENTIFIERS 8
#define LK_PARTY_MAX_LINKS 32

typedef struct lk_party_op {
  lk_change h; /* first */
  enum lk_party_mode mode;
  lk_party_row row; /* create/update: the new state (id, nummer may be "") */
  /* partijIdentificatoren sent with the party: when `identifiers_given`,
   * the party ends up with exactly these (new ones have `identifier_new`
   * set, existing ones keep their id), in the same transaction. */
  bool identifiers_given;
  int nidentifiers;
  lk_identifier_row identifiers[LK_PARTY_MAX_IDENTIFIERS];
  bool identifier_new[LK_PARTY_MAX_IDENTIFIERS];
  /* digitaleAdressen / rekeningnummers sent with the party: when given,
   * exactly these (existing) items belong to it afterwards; others it had
   * are unlinked, and items taken from another party leave that party. */
  bool addresses_given;
  int naddresses;
  char addresses[LK_PARTY_MAX_LINKS][LK_ID];
  bool accounts_given;
  int naccounts;
  char accounts[LK_PARTY_MAX_LINKS][LK_ID];
} lk_party_op;
/* lk_write_fn for an lk_party_op. */
int lk_party_apply(lk_tx *tx, void *arg);

typedef struct lk_identifier_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_identifier_row row;
} lk_identifier_op;
int lk_identifier_apply(lk_tx *tx, void *arg);

typedef struct lk_digital_address_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_digital_address_row row;
} lk_digital_address_op;
int lk_digital_address_apply(lk_tx *tx, void *arg);

typedef struct lk_bank_account_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_bank_account_row row;
} lk_bank_account_op;
int lk_bank_account_apply(lk_tx *tx, void *arg);

typedef struct lk_representation_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_representation_row row;
} lk_representation_op;
int lk_representation_apply(lk_tx *tx, void *arg);

typedef struct lk_category_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_category_row row;
} lk_category_op;
int lk_category_apply(lk_tx *tx, void *arg);

typedef struct lk_category_relation_op {
  lk_change h;
  enum lk_party_mode mode;
  lk_category_relation_row row;
} lk_category_relation_op;
int lk_category_relation_apply(lk_tx *tx, void *arg);

#endif
