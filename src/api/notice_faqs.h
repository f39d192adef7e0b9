/* notice_faqs.h - veelgestelde vragen on a notice and the edit history of
 * FAQs and updates (notice_faqs.c; docs/notices.md):
 *
 *   GET    /api/v1/notices/{id}/faqs                    list, by position
 *   POST   /api/v1/notices/{id}/faqs                    create
 *   GET    /api/v1/notices/{id}/faqs/{faqId}            one
 *   PATCH  /api/v1/notices/{id}/faqs/{faqId}            edit (If-Match)
 *   DELETE /api/v1/notices/{id}/faqs/{faqId}            withdraw
 *   GET    /api/v1/notices/{id}/faqs/{faqId}/edits      earlier texts
 *   GET    /api/v1/notices/{id}/updates/{updateId}/edits
 */
#ifndef LK_API_NOTICE_FAQS_H
#define LK_API_NOTICE_FAQS_H

#include "api/api.h"

/* Registers the routes.  Returns 0 or a negative errno. */
int lk_notice_faqs_routes(lk_router *r);

#endif
