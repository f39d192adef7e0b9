/* meetings.h - the pages of an initiative's meetings (see
 * pages/facilitation.h): organisers create them, residents register and
 * unregister, anyone downloads the iCalendar file. */
#ifndef LK_PAGES_MEETINGS_H
#define LK_PAGES_MEETINGS_H

#include "http/router.h"

/* Registers the routes.  Returns 0 or a negative errno. */
int lk_meeting_pages_routes(lk_router *r);

#endif
