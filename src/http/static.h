/* static.h - files from the web folder: web/static/ under /static/, the
 * front-end bundle web/dist/assets/ under /assets/ (http/assets.h), and
 * the OpenAPI document.  Each answer has an ETag and honours
 * If-None-Match; nothing outside web/static/ is served through /static/,
 * whatever symbolic links or dot-segments a path holds. */
#ifndef LK_STATIC_H
#define LK_STATIC_H

#include "http/server.h"

/* GET /static/...: the file under web/static/, or 404. */
void lk_http_static(lk_req *req);
/* GET /assets/NAME: the bundle file web/dist/assets/NAME, or 404.  A
 * content-hashed name is cached for a year ("immutable"). */
void lk_http_assets(lk_req *req);
/* GET /api/openapi.json: web/openapi.json. */
void lk_http_openapi(lk_req *req);

#endif
