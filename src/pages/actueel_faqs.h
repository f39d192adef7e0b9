/* actueel_faqs.h - the public side of a notice's veelgestelde vragen and
 * of earlier versions of its updates and FAQs (docs/actueel.md).
 *
 * Kept apart from actueel.c, which calls these at a few places: the HTML
 * section above the question form, the FAQs in /actueel.json and
 * /actueel/{id}.json, and the "Eerdere versie" block of an edited update.
 * Every text goes through lk_html_txt, or into JSON through jansson.
 */
#ifndef LK_PAGES_ACTUEEL_FAQS_H
#define LK_PAGES_ACTUEEL_FAQS_H

#include <jansson.h>

#include "store/notices_public.h"
#include "store/store.h"
#include "util/buf.h"

/* Appends the "Veelgestelde vragen" section of public notice `id` (with
 * the attribute hidden while it has none, so the live script can fill
 * it).  Returns 0 or a negative LK_STORE_* code. */
int lk_actueel_faqs_html(lk_buf *b, lk_store *s, const char *id);
/* Sets "faqs" of `notice` (the JSON of public notice `id`) to its FAQs
 * with their earlier versions.  Returns 0 or a negative LK_STORE_* code. */
int lk_actueel_faqs_json(lk_store *s, const char *id, json_t *notice);
/* Sets "faqs" of every object in `notices` (current notices, each with
 * its "id") to its FAQs, without earlier versions. */
int lk_actueel_faqs_attach(lk_store *s, json_t *notices);

/* The "Eerdere versie" <details> block of `n` earlier texts (newest
 * first) out of `total`; nothing when `n` is 0. */
void lk_actueel_history_html(lk_buf *b, const lk_notice_edit_pub *h, int n,
                             int total);
/* Sets "previousVersions" of `o` to the `n` earlier texts: [{"body" (or
 * "question" and "answer"), "until"}], newest first, and
 * "previousVersionsTotal" to `total`, the number of all of them. */
void lk_actueel_history_json(json_t *o, const lk_notice_edit_pub *h, int n,
                             int total);

#endif
