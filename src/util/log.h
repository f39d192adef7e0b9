/* log.h - structured log lines (one JSON object per line) on stderr.
 *
 * Lines are collected in a buffer and written by lk_log_flush(), which the
 * server calls from its housekeeping timer; warnings and errors are written
 * at once.  Safe to call from any thread.
 */
#ifndef LK_LOG_H
#define LK_LOG_H

#include <stdbool.h>

#include "util/buf.h"

typedef enum lk_log_level {
  LK_LOG_DEBUG,
  LK_LOG_INFO,
  LK_LOG_WARN,
  LK_LOG_ERROR,
} lk_log_level;

/* Parses "debug", "info", "warn" or "error". Returns 0 or -EINVAL. */
int lk_log_level_parse(const char *s, lk_log_level *out);
void lk_log_set_level(lk_log_level level);
bool lk_log_enabled(lk_log_level level);

/* Logs `msg` with extra members given as pairs of key and string value,
 * terminated by NULL: lk_log(LK_LOG_INFO, "started", "listen", addr, NULL). */
void lk_log(lk_log_level level, const char *msg, ...) __attribute__((sentinel));
/* Logs a line whose extra members the caller already rendered as JSON
 * object members without braces ("\"a\":1,\"b\":\"x\""). */
void lk_log_raw(lk_log_level level, const char *msg, const char *members);
void lk_log_flush(void);

#endif
