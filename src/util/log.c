#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"

#define LOG_FLUSH_AT (64 * 1024)

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static lk_buf log_pending = LK_BUF_INIT;
static lk_log_level log_level = LK_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

int lk_log_level_parse(const char *s, lk_log_level *out) {
  for (int i = 0; i < 4; i++) {
    if (strcmp(s, level_names[i]) == 0) {
      *out = (lk_log_level)i;
      return 0;
    }
  }
  return -EINVAL;
}

void lk_log_set_level(lk_log_level level) {
  log_level = level;
}

bool lk_log_enabled(lk_log_level level) {
  return level >= log_level;
}

static void write_all(const char *p, size_t len) {
  ssize_t n;

  while (len > 0) {
    n = write(STDERR_FILENO, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    p += n;
    len -= (size_t)n;
  }
}

/* Caller holds log_lock. */
static void flush_locked(void) {
  if (log_pending.len > 0)
    write_all(log_pending.data, log_pending.len);
  lk_buf_reset(&log_pending);
}

static void emit(lk_log_level level, const char *msg, lk_buf *line) {
  char ts[40];

  lk_clock_format_iso(lk_clock_real_ms(), ts, sizeof(ts));
  pthread_mutex_lock(&log_lock);
  lk_buf_printf(&log_pending, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts,
                level_names[level]);
  lk_buf_json_str(&log_pending, msg);
  if (line->len > 0) {
    lk_buf_putc(&log_pending, ',');
    lk_buf_append(&log_pending, line->data, line->len);
  }
  lk_buf_puts(&log_pending, "}\n");
  if (!lk_buf_ok(&log_pending)) {
    lk_buf_free(&log_pending);
  } else if (level >= LK_LOG_WARN || log_pending.len >= LOG_FLUSH_AT) {
    flush_locked();
  }
  pthread_mutex_unlock(&log_lock);
}

void lk_log(lk_log_level level, const char *msg, ...) {
  lk_buf line = LK_BUF_INIT;
  const char *key;
  const char *val;
  va_list ap;

  if (!lk_log_enabled(level))
    return;
  va_start(ap, msg);
  for (;;) {
    key = va_arg(ap, const char *);
    if (key == NULL)
      break;
    val = va_arg(ap, const char *);
    if (line.len > 0)
      lk_buf_putc(&line, ',');
    lk_buf_json_str(&line, key);
    lk_buf_putc(&line, ':');
    lk_buf_json_str(&line, val != NULL ? val : "");
  }
  va_end(ap);
  emit(level, msg, &line);
  lk_buf_free(&line);
}

void lk_log_raw(lk_log_level level, const char *msg, const char *members) {
  lk_buf line = LK_BUF_INIT;

  if (!lk_log_enabled(level))
    return;
  lk_buf_puts(&line, members);
  emit(level, msg, &line);
  lk_buf_free(&line);
}

void lk_log_flush(void) {
  pthread_mutex_lock(&log_lock);
  flush_locked();
  pthread_mutex_unlock(&log_lock);
}
