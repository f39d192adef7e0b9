/* klantcontacten.h - what the klantcontact-side resources of the
 * Klantinteracties API share (klantcontacten.c, betrokkenen.c,
 * onderwerpobjecten.c, maak_klantcontact.c ...): reading their members
 * from a body into an lk_kc_op and rendering them.  Private to
 * src/api/ki/.
 *
 * Readers take `prefix` ("" or "betrokkene.") for the names of invalid
 * params, record every failure with lk_ki_invalid() and return
 * LK_EINVALID (or 0).
 */
#ifndef LK_API_KI_KLANTCONTACTEN_H
#define LK_API_KI_KLANTCONTACTEN_H

#include "api/ki/ki.h"
#include "core/klantcontact.h"
#include "core/token.h" /* LK_EINVALID */

/* ISO 8601 UTC ("2024-05-01T10:00:00Z", with .mmm when not whole
 * seconds) as a JSON string. */
json_t *lk_ki_kc_datetime(int64_t ms);
/* Space-separated uuids as an array of {uuid, url} of `resource`. */
json_t *lk_ki_kc_refs(lk_ki *c, const char *resource, const char *ids);
/* A JSON object text as an object, or null when empty. */
json_t *lk_ki_kc_group(const char *text);
/* Lower-cases the uuid `s` into `out` (37 bytes); "" for NULL. */
void lk_ki_kc_uuid(char *out, const char *s);

/* klantcontacten: members into op->contact.  `create` fills defaults
 * (plaatsgevondenOp now, a nummer later). */
int lk_ki_kc_contact_read(lk_ki *c, json_t *doc, const char *prefix,
                          bool create, lk_kc_op *op);
int lk_ki_kc_contact_render(lk_ki *c, const char *uuid, json_t **out);

/* betrokkenen: members into op->involved; hadKlantcontact is read only
 * when `with_contact` (maak-klantcontact sets it itself). */
int lk_ki_kc_involved_read(lk_ki *c, json_t *doc, const char *prefix,
                           bool with_contact, lk_kc_op *op);
int lk_ki_kc_involved_render(lk_ki *c, const char *uuid, json_t **out);

/* onderwerpobjecten: members into op->subject; klantcontact is read only
 * when `with_contact`. */
int lk_ki_kc_subject_read(lk_ki *c, json_t *doc, const char *prefix,
                          bool with_contact, lk_kc_op *op);
int lk_ki_kc_subject_render(lk_ki *c, const char *uuid, json_t **out);

/* An lk_kc_op for `mode` on `uuid`, its head filled for the caller; sets
 * *out so the engine frees it whatever happens.  NULL if out of memory. */
lk_kc_op *lk_ki_kc_op_new(lk_ki *c, lk_ki_mode mode, const char *uuid,
                          lk_ki_op **out);
/* The parameters of a list statement (store/klantcontacten.h): ?1 the
 * caller's confidential access, then the filter values of `q` in the
 * order of `filters`, uuids (and urls, given as uuids) in lower case in
 * `ids`.  Returns how many parameters there are. */
int lk_ki_kc_params(lk_ki *c, const lk_ki_filter *filters, const lk_ki_query *q,
                    const char **params, char (*ids)[LK_KC_ID]);
/* Registers POST /maak-klantcontact (called from src/api/routes.c).
 * Returns 0 or a negative errno. */
int lk_ki_maak_klantcontact_routes(lk_router *r);
/* True if the caller may see confidential contacts. */
bool lk_ki_kc_confidential(lk_ki *c);

#endif
