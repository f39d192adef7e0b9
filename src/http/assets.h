/* assets.h - the front-end bundle: what `npm run build` made of web/src/
 * (web/build.mjs, docs/frontend.md).
 *
 * The build writes content-hashed files to web/dist/assets/ and names
 * them in web/dist/manifest.json:
 *
 *   {"version": 1, "assets": {"loket.css": "loket-5KQ2WJ3M.css", ...}}
 *
 * The server reads the manifest once at start, before the HTTP threads
 * run, and never again: the table is read-only while requests are served,
 * so pages look names up without a lock.  A process-wide table, because
 * the page layout (pages/layout.h) renders without the app at hand.  A
 * new build takes effect at the next start, which is also when the files
 * a running server links to may be pruned.
 */
#ifndef LK_ASSETS_H
#define LK_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

#define LK_ASSETS_MAX 64
#define LK_ASSET_NAME_MAX 64
#define LK_ASSETS_PREFIX "/assets/"

/* Reads `web_dir`/dist/manifest.json and checks that every file it names
 * is in `web_dir`/dist/assets/.  Returns 0; -ENOENT when there is no
 * manifest (the bundle was never built: pages then link no style sheet
 * and no script); -EINVAL when the manifest is malformed or names a
 * missing or unsafe file; -ENOMEM.  On error the table is left empty and
 * `why` (may be NULL) says what is wrong in one line. */
int lk_assets_load(const char *web_dir, char *why, size_t why_len);

/* Empties the table.  Only while no request is being served. */
void lk_assets_clear(void);

/* The URL ("/assets/loket-5KQ2WJ3M.css") of bundle entry `name`
 * ("loket.css"), or NULL when there is none. */
const char *lk_asset_url(const char *name);

/* True if `file` (a name under /assets/) carries a content hash as the
 * build writes it: "<stem>-<8 of A-Z 0-9>.<ext>". Such a file never
 * changes, so it may be cached for a year. */
bool lk_asset_hashed(const char *file);

#endif
