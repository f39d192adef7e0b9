/* figures.h - the HTTP side of Measure: norms, their live state and the
 * figures (see api/figures.c and docs/measure.md). */
#ifndef LK_API_FIGURES_H
#define LK_API_FIGURES_H

#include "http/router.h"
#include "util/buf.h"

/* Registers GET/PUT /api/v1/norms, GET /api/v1/norms/state and
 * GET /api/v1/figures. */
int lk_figures_routes(lk_router *r);
/* An lk_metrics_fn (util/metrics.h); `ud` is the lk_app. */
void lk_api_figures_metrics(lk_buf *b, void *ud);

#endif
