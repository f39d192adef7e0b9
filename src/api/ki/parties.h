/* parties.h - what the party-side resource files of src/api/ki/ share. */
#ifndef LK_API_KI_PARTIES_H
#define LK_API_KI_PARTIES_H

#include <stdio.h>

#include "api/ki/ki.h"
#include "core/party.h"
#include "util/clock.h"

static inline enum lk_party_mode lk_ki_party_mode(lk_ki_mode m) {
  return m == LK_KI_CREATE   ? LK_PARTY_CREATE
         : m == LK_KI_DELETE ? LK_PARTY_DELETE
                             : LK_PARTY_UPDATE;
}

/* The id of the item written: `uuid`, or a new one on create; copied into
 * the op's head too. */
static inline void lk_ki_item_id(lk_ki_op *h, char id[LK_ID],
                                 const char *uuid) {
  if (uuid != NULL)
    snprintf(id, LK_ID, "%s", uuid);
  else
    lk_uuid_new(id, lk_clock_real_ms());
  snprintf(h->uuid, sizeof(h->uuid), "%s", id);
}

/* May the caller see the data of party `party_id` ("" passes)?  1, 0 or
 * a negative code. */
int lk_ki_party_visible(lk_ki *c, const char *party_id);
/* A read of data of party `party_id` ("" passes): 0 once the read is in
 * the processing log, LK_STORE_NOTFOUND if the caller may not see the
 * party, or a negative code. */
int lk_ki_party_read(lk_ki *c, const char *party_id);
/* Fills f[0..n-1] with the query's filter values and f[n] with the
 * caller's confidential access ("1" or "0"), for the store's page
 * functions. */
void lk_ki_party_filters(lk_ki *c, const lk_ki_query *q, const char **f, int n);
/* The PartijIdentificator object of `r`. */
json_t *lk_ki_identifier_json(lk_ki *c, const lk_identifier_row *r);
/* Reads the members of a PartijIdentificator (anderePartijIdentificator,
 * partijIdentificator, subIdentificatorVan; not identificeerdePartij) from
 * `doc` into `r`, naming failures with `prefix`.  0 or LK_EINVALID. */
int lk_ki_identifier_parse(lk_ki *c, json_t *doc, const char *prefix,
                           lk_identifier_row *r);
/* Validates a bezoekadres / correspondentieadres object at `key` of `doc`
 * into JSON text `out` ("" for null).  0 or LK_EINVALID. */
int lk_ki_address_member(lk_ki *c, json_t *doc, const char *key, char *out,
                         size_t size);

#endif
