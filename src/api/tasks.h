/* tasks.h - /api/v1/tasks: Loket's own API for interne taken.
 *
 * GET /api/v1/tasks lists the tasks the caller may see, earliest deadline
 * first, with cursor pagination; POST creates one from a contact or a
 * conversation; GET and PATCH /api/v1/tasks/{id} read and change one.  See
 * docs/tasks.md.
 */
#ifndef LK_API_TASKS_H
#define LK_API_TASKS_H

#include "http/router.h"
#include "util/buf.h"

struct lk_task_row;

/* Registers the routes above.  Returns 0 or a negative errno. */
int lk_api_tasks_routes(lk_router *r);

/* Renders a task as Loket's own API shows it. */
void lk_api_task_json(lk_buf *b, const struct lk_task_row *t);

#endif
