/* serve.c - `loket serve`: the server process.
 *
 * Signals are blocked in every thread and taken by the main thread with
 * sigtimedwait(), which also paces the once-a-second housekeeping tick.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/console.h"
#include "api/events_public.h"
#include "api/figures.h"
#include "channels/mail.h"
#include "channels/mail_parse.h"
#include "channels/mail_poller.h"
#include "channels/mailbox_send.h"
#include "channels/mastodon.h"
#include "channels/subscription_mail.h"
#include "cli/cli.h"
#include "core/assign.h"
#include "core/mail_outbound.h"
#include "core/mailbox.h"
#include "core/measure.h"
#include "core/outbox.h"
#include "core/ratelimit.h"
#include "core/session.h"
#include "core/subscription.h"
#include "core/token_cache.h"
#include "events/bus.h"
#include "http/assets.h"
#include "http/server.h"
#include "pages/actueel_subscriptions.h"
#include "pages/calamity.h"
#include "pages/chat.h"
#include "util/clock.h"
#include "util/fdlimit.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/worker.h"

#define BUS_CAPACITY 4096
#define SHUTDOWN_GRACE_MS 4000
#define SESSION_PURGE_EVERY_S 60
/* Password checks at once (argon2id: 64 MiB each) and how many may wait. */
#define HASHER_THREADS 2
#define HASHER_QUEUE 256

static const char usage[] =
    "Usage: loket serve [OPTIONS]\n"
    "\n"
    "Runs Loket until SIGTERM or SIGINT, then stops gracefully.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR:PORT  numeric IPv4 or [IPv6] address, or localhost\n"
    "                      (env LOKET_LISTEN; default 127.0.0.1:8080;\n"
    "                      port 0 picks a free one)\n"
    "  --data DIR          data directory (env LOKET_DATA; default "
    "./loket-data)\n"
    "  --web DIR           folder with static/ (env LOKET_WEB)\n"
    "  --log-level LEVEL   debug, info, warn or error (env LOKET_LOG_LEVEL)\n"
    "  --threads N         HTTP threads (default: one per core)\n"
    "  --max-body BYTES    largest request body (default 1048576)\n"
    "  --max-attachment BYTES  largest attachment upload (default 10485760)\n"
    "  --heartbeat SECS    event stream heartbeat interval (default 15)\n"
    "  --reuseport         share the port with other loket processes on\n"
    "                      the same data directory (SO_REUSEPORT; env\n"
    "                      LOKET_REUSEPORT=1); see docs/operations.md\n"
    "\n"
    "Staff sessions (each also from the environment variable named):\n"
    "  --session-idle SECS      end a session after this long without a\n"
    "                           request (LOKET_SESSION_IDLE; default 1800)\n"
    "  --session-lifetime SECS  end a session this long after log-in\n"
    "                           (LOKET_SESSION_LIFETIME; default 43200)\n"
    "  --secure-cookies         mark cookies Secure: Loket is reached over\n"
    "                           HTTPS (LOKET_SECURE_COOKIES=1)\n"
    "  --trust-proxy            believe X-Forwarded-For, -Proto and -Host\n"
    "                           from the proxy in front (LOKET_TRUST_PROXY=1)\n"
    "  --login-attempts N       log-in attempts per account per window\n"
    "                           (LOKET_LOGIN_ATTEMPTS; default 5, at most 64)\n"
    "  --login-attempts-address N  the same per client address\n"
    "                           (LOKET_LOGIN_ATTEMPTS_ADDRESS; default 30)\n"
    "  --login-window SECS      the sliding window of those limits\n"
    "                           (LOKET_LOGIN_WINDOW; default 900)\n"
    "\n"
    "Outbox (messages to other systems, docs/outbox.md):\n"
    "  --outbox-backoff-ms MS   first retry after a failed send; doubles up\n"
    "                           to an hour (LOKET_OUTBOX_BACKOFF_MS; 5000)\n"
    "  --outbox-attempts N      sends before a message has failed\n"
    "                           (LOKET_OUTBOX_ATTEMPTS; default 12)\n"
    "  --mail-max-kib N         a larger mail in a mailbox is not fetched:\n"
    "                           it becomes a note (LOKET_MAIL_MAX_KIB; "
    "40960)\n"
    "  --outbox-keep-days N     sent messages are deleted after N days; "
    "failed\n"
    "                           ones after 30 (LOKET_OUTBOX_KEEP_DAYS; 7)\n"
    "\n"
    "Call me back (docs/chat.md):\n"
    "  --callback-capacity N    callbacks the team takes per 30-minute slot\n"
    "                           (LOKET_CALLBACK_CAPACITY; default 2)\n"
    "  chat and callback limits, per client address per hour unless said:\n"
    "  LOKET_CHAT_START_LIMIT (20), LOKET_CHAT_MAIL_LIMIT (transcripts, 10),\n"
    "  LOKET_CHAT_MAIL_ADDRESS_LIMIT (per e-mail address, 3),\n"
    "  LOKET_CALLBACK_LIMIT (10), LOKET_CALLBACK_PHONE_LIMIT (per number\n"
    "  per week, 3)\n"
    "  LOKET_CHAT_ABANDON_SECONDS (180): a waiting chat without stream or\n"
    "  message ends as abandoned; LOKET_CHAT_IDLE_SECONDS (1800): an answered\n"
    "  one whose resident went away ends\n"
    "Participation posts (docs/matching.md): LOKET_PARTICIPATION_POST_LIMIT\n"
    "  offers, needs, messages, reports: per account and kind per hour (20)\n"
    "\n"
    "Cross-posting notices to Mastodon (docs/notices.md):\n"
    "  --public-url URL         how residents reach Loket, e.g.\n"
    "                           https://loket.gemeente.nl (LOKET_PUBLIC_URL)\n"
    "  --mastodon-url URL       the account's server (LOKET_MASTODON_URL);\n"
    "                           unset: nothing is cross-posted\n"
    "  --mastodon-token-file FILE  holds its access token\n"
    "                           (LOKET_MASTODON_TOKEN_FILE)\n"
    "  --mastodon-visibility V  public (default) or unlisted\n"
    "\n"
    "Mail and Actueel subscriptions (each also from the variable named;\n"
    "the links in mails start with --public-url):\n"
    "  --smtp-url URL           smtp://host:port or smtps://host:port\n"
    "                           (LOKET_SMTP_URL; unset: no mail is sent)\n"
    "  --smtp-user USER         AUTH user (LOKET_SMTP_USER)\n"
    "  --smtp-password-file F   file holding its password\n"
    "                           (LOKET_SMTP_PASSWORD_FILE)\n"
    "  --smtp-starttls          require STARTTLS on smtp://\n"
    "                           (LOKET_SMTP_STARTTLS=1); with --smtp-user\n"
    "                           on smtp:// it is required\n"
    "  --smtp-insecure-auth     allow AUTH without TLS, to a loopback\n"
    "                           test server only\n"
    "                           (LOKET_SMTP_INSECURE_AUTH=1)\n"
    "  --mail-from FROM         \"Name <address>\" of outgoing mail\n"
    "                           (LOKET_MAIL_FROM)\n"
    "  --subscribe-limit N      subscription forms per client address per\n"
    "                           hour (LOKET_SUBSCRIBE_LIMIT; default 20)\n"
    "Resident contact pages (docs/resident-pages.md):\n"
    "  --kiosk-idle SECS        /kiosk returns to its start screen after this\n"
    "                           long without activity (LOKET_KIOSK_IDLE;\n"
    "                           default 120)\n"
    "  --status-link-days DAYS  a status link lives this long after its last\n"
    "                           use (LOKET_STATUS_LINK_DAYS; default 90)\n"
    "Participation (docs/participation.md):\n"
    "  --participation-prescreen  staff approve initiatives before they are\n"
    "                           published (LOKET_PARTICIPATION_PRESCREEN=1);\n"
    "                           LOKET_PARTICIPATION_LINK_LIMIT: log-in links\n"
    "                           per client address per hour (20)\n"
    "  -h, --help          show this help\n";

/* Splits "host:port" or "[v6]:port". Returns 0 or -1. */
static int parse_listen(const char *s, char *host, size_t size, int *port) {
  unsigned char addr[sizeof(struct in6_addr)];
  const char *colon;
  const char *h = s;
  size_t hlen;
  long p;
  char *end;

  if (s[0] == '[') {
    colon = strstr(s, "]:");
    if (colon == NULL)
      return -1;
    h = s + 1;
    hlen = (size_t)(colon - h);
    colon++;
  } else {
    colon = strrchr(s, ':');
    if (colon == NULL)
      return -1;
    hlen = (size_t)(colon - s);
  }
  if (hlen == 0 || hlen >= size)
    return -1;
  errno = 0;
  p = strtol(colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
    return -1;
  memcpy(host, h, hlen);
  host[hlen] = '\0';
  if (strcmp(host, "localhost") == 0)
    snprintf(host, size, "127.0.0.1");
  /* A numeric address only: serve does not wait on name resolution. */
  if (inet_pton(AF_INET, host, &addr) != 1 &&
      inet_pton(AF_INET6, host, &addr) != 1)
    return -1;
  *port = (int)p;
  return 0;
}

static int parse_positive(const char *name, const char *s, long max,
                          long *out) {
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
    return lk_cli_usage_error("serve: %s must be a number from 1 to %ld", name,
                              max);
  *out = v;
  return 0;
}

static void store_metrics(lk_buf *b, void *ud) {
  lk_store_stats st;

  lk_store_stats_get(ud, &st);
  lk_buf_printf(b,
                "# HELP loket_store_commits_total Store transactions "
                "committed.\n"
                "# TYPE loket_store_commits_total counter\n"
                "loket_store_commits_total %llu\n"
                "# HELP loket_store_writes_total Writes run by the store "
                "writer.\n"
                "# TYPE loket_store_writes_total counter\n"
                "loket_store_writes_total %llu\n"
                "# HELP loket_store_failed_writes_total Writes rolled back.\n"
                "# TYPE loket_store_failed_writes_total counter\n"
                "loket_store_failed_writes_total %llu\n",
                (unsigned long long)st.commits, (unsigned long long)st.writes,
                (unsigned long long)st.failed_writes);
  lk_buf_puts(b, "# HELP loket_store_commit_duration_seconds Time to run "
                 "and commit one batch of writes.\n"
                 "# TYPE loket_store_commit_duration_seconds histogram\n");
  lk_histogram_render(st.commit_seconds, b,
                      "loket_store_commit_duration_seconds", "");
  lk_buf_puts(b, "# HELP loket_store_commit_batch_size Writes per commit.\n"
                 "# TYPE loket_store_commit_batch_size histogram\n");
  lk_histogram_render(st.batch_size, b, "loket_store_commit_batch_size", "");
}

struct serve_opts {
  char host[64];
  int port;
  const char *data;
  const char *web;
  long threads;
  long max_body;
  long max_upload;
  long heartbeat_s;
  long session_idle_s;
  long session_lifetime_s;
  bool secure_cookies;
  bool trust_proxy;
  long login_attempts;
  long login_attempts_address;
  long login_window_s;
  /* mail and subscriptions (public_url below) */
  const char *smtp_url;
  const char *smtp_user;
  const char *smtp_password_file;
  bool smtp_starttls;
  bool smtp_insecure_auth;
  const char *mail_from;
  long subscribe_limit;
  long outbox_backoff_ms;
  long outbox_attempts;
  long mail_max_kib; /* one mail fetched over IMAP */
  long callback_capacity;
  long outbox_keep_days;
  const char *public_url;
  const char *mastodon_url;
  const char *mastodon_token_file;
  const char *mastodon_visibility;
  long kiosk_idle_s; /* resident contact pages */
  long status_link_days;
  bool reuseport;
  bool participation_prescreen;
};

/* A boolean from the environment: 1/true/yes/on or 0/false/no/off. */
static int env_bool(const char *name, bool *out) {
  const char *v = getenv(name);

  if (v == NULL || v[0] == '\0')
    return 0;
  if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
      strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0) {
    *out = true;
    return 0;
  }
  if (strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 ||
      strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0) {
    *out = false;
    return 0;
  }
  return lk_cli_usage_error("serve: %s must be 1 or 0 (true or false)", name);
}

/* A number from the environment, as parse_positive() takes it. */
static int env_positive(const char *name, long max, long *out) {
  const char *v = getenv(name);

  if (v == NULL || v[0] == '\0')
    return 0;
  return parse_positive(name, v, max, out);
}

/* Defaults, then the environment; flags come after. */
static int session_defaults(struct serve_opts *o) {
  o->session_idle_s = LK_SESSION_IDLE_DEFAULT_MS / 1000;
  o->session_lifetime_s = LK_SESSION_ABSOLUTE_DEFAULT_MS / 1000;
  o->secure_cookies = false;
  o->trust_proxy = false;
  o->login_attempts = 5;
  o->login_attempts_address = 30;
  o->login_window_s = 900;
  o->outbox_backoff_ms = 5000;
  o->outbox_attempts = 12;
  o->mail_max_kib = 40 * 1024;
  o->callback_capacity = 2;
  o->outbox_keep_days = 7;
  o->public_url = getenv("LOKET_PUBLIC_URL");
  o->mastodon_url = getenv("LOKET_MASTODON_URL");
  o->mastodon_token_file = getenv("LOKET_MASTODON_TOKEN_FILE");
  o->mastodon_visibility = NULL;
  if (env_positive("LOKET_SESSION_IDLE", 7 * 86400, &o->session_idle_s) ||
      env_positive("LOKET_SESSION_LIFETIME", 30 * 86400,
                   &o->session_lifetime_s) ||
      env_bool("LOKET_SECURE_COOKIES", &o->secure_cookies) ||
      env_bool("LOKET_TRUST_PROXY", &o->trust_proxy) ||
      env_positive("LOKET_LOGIN_ATTEMPTS", LK_RATELIMIT_MAX_HITS,
                   &o->login_attempts) ||
      env_positive("LOKET_LOGIN_ATTEMPTS_ADDRESS", LK_RATELIMIT_MAX_HITS,
                   &o->login_attempts_address) ||
      env_positive("LOKET_LOGIN_WINDOW", 86400, &o->login_window_s) ||
      env_positive("LOKET_OUTBOX_BACKOFF_MS", 3600 * 1000,
                   &o->outbox_backoff_ms) ||
      env_positive("LOKET_OUTBOX_ATTEMPTS", 1000, &o->outbox_attempts) ||
      env_positive("LOKET_MAIL_MAX_KIB", 1024 * 1024, &o->mail_max_kib) ||
      env_positive("LOKET_CALLBACK_CAPACITY", 1000, &o->callback_capacity) ||
      env_positive("LOKET_OUTBOX_KEEP_DAYS", 3650, &o->outbox_keep_days))
    return LK_EXIT_USAGE;
  return 0;
}

/* Mail and subscription defaults from the environment. */
static int mail_defaults(struct serve_opts *o) {
  o->smtp_url = getenv("LOKET_SMTP_URL");
  o->smtp_user = getenv("LOKET_SMTP_USER");
  o->smtp_password_file = getenv("LOKET_SMTP_PASSWORD_FILE");
  o->mail_from = getenv("LOKET_MAIL_FROM");
  o->smtp_starttls = false;
  o->smtp_insecure_auth = false;
  o->subscribe_limit = 20;
  if (env_bool("LOKET_SMTP_STARTTLS", &o->smtp_starttls) ||
      env_bool("LOKET_SMTP_INSECURE_AUTH", &o->smtp_insecure_auth) ||
      env_positive("LOKET_SUBSCRIBE_LIMIT", LK_RATELIMIT_MAX_HITS,
                   &o->subscribe_limit))
    return LK_EXIT_USAGE;
  o->kiosk_idle_s = 120;
  o->status_link_days = 90;
  if (env_positive("LOKET_KIOSK_IDLE", 86400, &o->kiosk_idle_s) ||
      env_positive("LOKET_STATUS_LINK_DAYS", 3650, &o->status_link_days))
    return LK_EXIT_USAGE;
  return 0;
}

static int parse_args(int argc, char **argv, struct serve_opts *o) {
  static const struct option longopts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"data", required_argument, NULL, 'd'},
      {"web", required_argument, NULL, 'w'},
      {"log-level", required_argument, NULL, 'L'},
      {"threads", required_argument, NULL, 't'},
      {"max-body", required_argument, NULL, 'b'},
      {"max-attachment", required_argument, NULL, 'A'},
      {"heartbeat", required_argument, NULL, 'H'},
      {"session-idle", required_argument, NULL, 'I'},
      {"session-lifetime", required_argument, NULL, 'T'},
      {"secure-cookies", no_argument, NULL, 'S'},
      {"trust-proxy", no_argument, NULL, 'P'},
      {"login-attempts", required_argument, NULL, 'n'},
      {"login-attempts-address", required_argument, NULL, 'N'},
      {"login-window", required_argument, NULL, 'W'},
      {"smtp-url", required_argument, NULL, 's'},
      {"smtp-user", required_argument, NULL, 'u'},
      {"smtp-password-file", required_argument, NULL, 'p'},
      {"smtp-starttls", no_argument, NULL, 'E'},
      {"smtp-insecure-auth", no_argument, NULL, 'X'},
      {"mail-from", required_argument, NULL, 'f'},
      {"subscribe-limit", required_argument, NULL, 'R'},
      {"outbox-backoff-ms", required_argument, NULL, 'O'},
      {"outbox-attempts", required_argument, NULL, 'o'},
      {"mail-max-kib", required_argument, NULL, 1001},
      {"callback-capacity", required_argument, NULL, 'C'},
      {"outbox-keep-days", required_argument, NULL, 'j'},
      {"public-url", required_argument, NULL, 'U'},
      {"mastodon-url", required_argument, NULL, 'M'},
      {"mastodon-token-file", required_argument, NULL, 'K'},
      {"mastodon-visibility", required_argument, NULL, 'V'},
      {"kiosk-idle", required_argument, NULL, 'k'},
      {"status-link-days", required_argument, NULL, 'D'},
      {"reuseport", no_argument, NULL, 'Q'},
      {"participation-prescreen", no_argument, NULL, 1020},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *listen = getenv("LOKET_LISTEN");
  const char *data = NULL;
  const char *level = NULL;
  int opt;

  o->web = getenv("LOKET_WEB");
  o->threads = 0;
  o->max_body = 1024 * 1024;
  o->max_upload = 10 * 1024 * 1024;
  o->heartbeat_s = 15;
  if (session_defaults(o) != 0 || mail_defaults(o) != 0)
    return LK_EXIT_USAGE;
  o->reuseport = false;
  if (env_bool("LOKET_REUSEPORT", &o->reuseport) != 0)
    return LK_EXIT_USAGE;
  o->participation_prescreen = false;
  if (env_bool("LOKET_PARTICIPATION_PRESCREEN", &o->participation_prescreen) !=
      0)
    return LK_EXIT_USAGE;
  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (opt) {
    case 'l':
      if (optarg[0] == '\0')
        return lk_cli_usage_error(
            "serve: invalid --listen '' (expected ADDRESS:PORT)");
      listen = optarg;
      break;
    case 'd':
      data = optarg;
      break;
    case 'w':
      o->web = optarg;
      break;
    case 'L':
      level = optarg;
      break;
    case 't':
      if (parse_positive("--threads", optarg, 256, &o->threads) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'b':
      if (parse_positive("--max-body", optarg, 1L << 30, &o->max_body) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'A':
      if (parse_positive("--max-attachment", optarg, 1L << 30,
                         &o->max_upload) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'H':
      if (parse_positive("--heartbeat", optarg, 3600, &o->heartbeat_s) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'I':
      if (parse_positive("--session-idle", optarg, 7 * 86400,
                         &o->session_idle_s) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'T':
      if (parse_positive("--session-lifetime", optarg, 30 * 86400,
                         &o->session_lifetime_s) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'S':
      o->secure_cookies = true;
      break;
    case 'P':
      o->trust_proxy = true;
      break;
    case 'n':
      if (parse_positive("--login-attempts", optarg, LK_RATELIMIT_MAX_HITS,
                         &o->login_attempts) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'N':
      if (parse_positive("--login-attempts-address", optarg,
                         LK_RATELIMIT_MAX_HITS,
                         &o->login_attempts_address) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'W':
      if (parse_positive("--login-window", optarg, 86400, &o->login_window_s) !=
          0)
        return LK_EXIT_USAGE;
      break;
    case 's':
      o->smtp_url = optarg;
      break;
    case 'u':
      o->smtp_user = optarg;
      break;
    case 'p':
      o->smtp_password_file = optarg;
      break;
    case 'E':
      o->smtp_starttls = true;
      break;
    case 'X':
      o->smtp_insecure_auth = true;
      break;
    case 'f':
      o->mail_from = optarg;
      break;
    case 'R':
      if (parse_positive("--subscribe-limit", optarg, LK_RATELIMIT_MAX_HITS,
                         &o->subscribe_limit) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'O':
      if (parse_positive("--outbox-backoff-ms", optarg, 3600 * 1000,
                         &o->outbox_backoff_ms) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'o':
      if (parse_positive("--outbox-attempts", optarg, 1000,
                         &o->outbox_attempts) != 0)
        return LK_EXIT_USAGE;
      break;
    case 1020:
      o->participation_prescreen = true;
      break;
    case 1001:
      if (parse_positive("--mail-max-kib", optarg, 1024 * 1024,
                         &o->mail_max_kib) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'C':
      if (parse_positive("--callback-capacity", optarg, 1000,
                         &o->callback_capacity) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'j':
      if (parse_positive("--outbox-keep-days", optarg, 3650,
                         &o->outbox_keep_days) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'U':
      o->public_url = optarg;
      break;
    case 'M':
      o->mastodon_url = optarg;
      break;
    case 'K':
      o->mastodon_token_file = optarg;
      break;
    case 'V':
      o->mastodon_visibility = optarg;
      break;
    case 'k':
      if (parse_positive("--kiosk-idle", optarg, 86400, &o->kiosk_idle_s) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'D':
      if (parse_positive("--status-link-days", optarg, 3650,
                         &o->status_link_days) != 0)
        return LK_EXIT_USAGE;
      break;
    case 'Q':
      o->reuseport = true;
      break;
    case 'h':
      fputs(usage, stdout);
      return -1;
    default:
      return lk_cli_bad_option("serve", opt, argv);
    }
  }
  if (optind < argc)
    return lk_cli_usage_error("serve: unexpected argument '%s'", argv[optind]);
  if (listen == NULL || listen[0] == '\0')
    listen = "127.0.0.1:8080";
  if (parse_listen(listen, o->host, sizeof(o->host), &o->port) != 0)
    return lk_cli_usage_error(
        "serve: invalid --listen '%s' (expected ADDRESS:PORT with a "
        "numeric IPv4 or [IPv6] address, or localhost)",
        listen);
  if (o->web == NULL || o->web[0] == '\0')
    o->web = LOKET_WEB_DIR;
  o->data = lk_cli_data_dir(data);
  return lk_cli_log_level(level);
}

/* Waits for SIGTERM or SIGINT, ticking the server and the assigner (snoozes
 * end on time) every second and purging expired sessions every minute. */
static void run_until_signal(lk_server *srv, lk_app *app, const sigset_t *set) {
  struct timespec second = {1, 0};
  lk_session_config cfg = {app->session_idle_ms, app->session_absolute_ms};
  int ticks = 0;
  int sig;

  for (;;) {
    sig = sigtimedwait(set, NULL, &second);
    if (sig == SIGTERM || sig == SIGINT) {
      lk_log(LK_LOG_INFO, "shutting down", "signal",
             sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
      return;
    }
    lk_server_tick(srv);
    lk_assigner_kick(app->assigner);
    lk_console_tick(app); /* expired viewers (api/console.h) */
    lk_chat_tick(app);    /* chats the resident left (pages/chat.h) */
    if (++ticks % SESSION_PURGE_EVERY_S == 0)
      (void)lk_session_purge_submit(app->store, &cfg);
  }
}

/* What mail and subscriptions run on.  One per process (serve runs
 * once), so it lives here rather than on the heap; the outbox worker
 * reads it until the store closes. */
static struct {
  lk_sub_key key;
  lk_mailer mailer;
  lk_sub_mailer sub;
  /* The e-mail channel (docs/mail.md): mailboxes read over IMAP, replies
   * sent through the outbox kind "mailbox". */
  lk_mail_key mail_key;
  lk_mailbox_sender mailbox_sender;
  lk_mail_poller *poller;
} mail_state;

/* The e-mail channel: the reply-token key, the sender of replies and the
 * IMAP poller.  Returns 0, or an exit status after saying why. */
static int mail_channel_open(lk_app *app, const struct serve_opts *o) {
  int rc = lk_mail_key_load(o->data, &mail_state.mail_key);

  if (rc == LK_MAIL_KEY_BAD) {
    fprintf(stderr,
            "loket: %s/mail.key is not a 32-byte key (empty or cut short?): "
            "restore it from the backup, or remove it to make a new one "
            "(replies to mails already sent then open new conversations)\n",
            o->data);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: cannot read or create %s/mail.key: %s\n", o->data,
            strerror(-rc));
    return LK_EXIT_FAIL;
  }
  lk_mail_parse_init();
  lk_mailbox_init(o->data);
  lk_mail_outbound_init(&mail_state.mail_key);
  mail_state.mailbox_sender.store = app->store;
  mail_state.mailbox_sender.key = &mail_state.mail_key; /* VERP bounces */
  mail_state.mailbox_sender.max_attempts = (int)o->outbox_attempts;
  if (lk_outbox_register(app->outbox, LK_MAIL_OUTBOX_KIND, lk_mailbox_send_fn,
                         &mail_state.mailbox_sender) != 0) {
    fputs("loket: cannot register the mailbox sender\n", stderr);
    return LK_EXIT_FAIL;
  }
  {
    lk_mail_poller_options po = {.fetch_max = (size_t)o->mail_max_kib << 10};

    mail_state.poller =
        lk_mail_poller_new(app->store, &mail_state.mail_key, &po);
  }
  if (mail_state.poller == NULL) {
    fputs("loket: out of memory\n", stderr);
    return LK_EXIT_FAIL;
  }
  lk_metrics_register(lk_mail_poller_metrics, mail_state.poller);
  return 0;
}

/* Loads the subscription key, makes the rate limits and, with --smtp-url,
 * the mailer.  Returns 0, or an exit status after saying why. */
static bool outbox_stopping(const void *ob) {
  return lk_outbox_stopping(ob);
}

static int mail_open(lk_app *app, const struct serve_opts *o) {
  static const lk_outbox_kind_options smtp_lane = {.lane = "smtp"};
  lk_sub_mailer *sm = &mail_state.sub;
  char err[200];
  size_t n;
  int rc = lk_sub_key_load(o->data, &mail_state.key);

  if (rc == LK_SUB_KEY_BAD) {
    fprintf(stderr,
            "loket: %s/subscriptions.key is not a 32-byte key (empty or cut "
            "short?): restore it from the backup, or remove it to make a new "
            "one (links in mails already sent then stop working)\n",
            o->data);
    return LK_EXIT_FAIL;
  }
  if (rc != 0) {
    fprintf(stderr, "loket: cannot read or create %s/subscriptions.key: %s\n",
            o->data, strerror(-rc));
    return LK_EXIT_FAIL;
  }
  app->sub_key = &mail_state.key;
  app->subscribe_by_client = lk_ratelimit_new(
      (int)o->subscribe_limit, 3600 * 1000, 4096, lk_clock_system());
  app->subscribe_by_address = lk_ratelimit_new(
      LK_SUBSCRIBE_MAILS_PER_HOUR, 3600 * 1000, 8192, lk_clock_system());
  if (app->subscribe_by_client == NULL || app->subscribe_by_address == NULL) {
    fputs("loket: out of memory\n", stderr);
    return LK_EXIT_FAIL;
  }
  if (o->public_url != NULL && o->public_url[0] != '\0') {
    n = strlen(o->public_url);
    while (n > 0 && o->public_url[n - 1] == '/')
      n--;
    if ((strncmp(o->public_url, "https://", 8) != 0 &&
         strncmp(o->public_url, "http://", 7) != 0) ||
        n >= sizeof(sm->public_url) ||
        strpbrk(o->public_url, " \"<>\r\n") != NULL)
      return lk_cli_usage_error("serve: --public-url must be an http:// or "
                                "https:// URL");
    memcpy(sm->public_url, o->public_url, n);
    sm->public_url[n] = '\0';
  }
  if (o->smtp_url == NULL || o->smtp_url[0] == '\0')
    return 0;
  if (sm->public_url[0] == '\0')
    return lk_cli_usage_error("serve: --smtp-url needs --public-url (the "
                              "address residents reach Loket at, for the "
                              "links in mails)");
  if (o->mail_from == NULL ||
      lk_mailer_set_from(&mail_state.mailer, o->mail_from) != 0)
    return lk_cli_usage_error("serve: --smtp-url needs --mail-from "
                              "\"Name <address>\" or an address");
  mail_state.mailer.smtp.starttls = o->smtp_starttls;
  mail_state.mailer.smtp.abort = outbox_stopping;
  mail_state.mailer.smtp.abort_ud = app->outbox;
  mail_state.mailer.smtp.insecure_auth = o->smtp_insecure_auth;
  if (lk_smtp_config_init(&mail_state.mailer.smtp, o->smtp_url, o->smtp_user,
                          o->smtp_password_file, err, sizeof(err)) != 0)
    return lk_cli_usage_error("serve: %s", err);
  app->mailer = &mail_state.mailer;
  sm->store = app->store;
  sm->mailer = app->mailer;
  sm->key = app->sub_key;
  /* Both mail kinds use the one SMTP session: one thread, taking turns;
   * Mastodon keeps a thread of its own. */
  if (lk_outbox_register_with(app->outbox, "mail", lk_mailer_send_fn,
                              app->mailer, &smtp_lane) != 0 ||
      lk_outbox_register_with(app->outbox, LK_SUB_OUTBOX_KIND,
                              lk_sub_mail_send_fn, sm, &smtp_lane) != 0) {
    fputs("loket: cannot register the mail senders\n", stderr);
    return LK_EXIT_FAIL;
  }
  return 0;
}

/* Frees whatever app_open() made, in the reverse order. */
/* Chat and callback limits (docs/chat.md): attempts per window, each
 * from its variable (LOKET_CHAT_START_LIMIT=N sets the count). */
static const struct chat_limit {
  const char *env;
  long max;
  int64_t window_ms;
  size_t off;
} chat_limits[] = {
    {"LOKET_CHAT_START_LIMIT", 20, 3600000,
     offsetof(lk_app, chat_start_by_client)},
    {"LOKET_CHAT_MAIL_LIMIT", 10, 3600000,
     offsetof(lk_app, chat_mail_by_client)},
    {"LOKET_CHAT_MAIL_ADDRESS_LIMIT", 3, 3600000,
     offsetof(lk_app, chat_mail_by_address)},
    {"LOKET_CALLBACK_LIMIT", 10, 3600000, offsetof(lk_app, callback_by_client)},
    {"LOKET_CALLBACK_PHONE_LIMIT", 3, 7 * 86400000LL,
     offsetof(lk_app, callback_by_phone)},
    {"LOKET_PARTICIPATION_POST_LIMIT", 20, 3600000,
     offsetof(lk_app, participation_posts)},
    {"LOKET_PARTICIPATION_LINK_LIMIT", 20, 3600000,
     offsetof(lk_app, p_links_by_client)},
    /* The agent console's viewing heartbeats (docs/console-api.md). */
    {"LOKET_VIEWER_LIMIT", 40, 60000, offsetof(lk_app, viewer_heartbeats)},
};
#define CHAT_LIMITS (sizeof(chat_limits) / sizeof(chat_limits[0]))

static lk_ratelimit **chat_limit_of(lk_app *app, size_t i) {
  return (lk_ratelimit **)(void *)((char *)app + chat_limits[i].off);
}

static int chat_limits_open(lk_app *app) {
  long abandon_s = 180, idle_s = 1800; /* docs/chat.md */

  if (env_positive("LOKET_CHAT_ABANDON_SECONDS", 86400, &abandon_s) ||
      env_positive("LOKET_CHAT_IDLE_SECONDS", 86400, &idle_s))
    return LK_EXIT_USAGE;
  app->chat_abandon_ms = abandon_s * 1000LL;
  app->chat_idle_ms = idle_s * 1000LL;
  for (size_t i = 0; i < CHAT_LIMITS; i++) {
    long max = chat_limits[i].max;

    if (env_positive(chat_limits[i].env, LK_RATELIMIT_MAX_HITS, &max))
      return LK_EXIT_USAGE;
    *chat_limit_of(app, i) = lk_ratelimit_new(
        (int)max, chat_limits[i].window_ms, 4096, lk_clock_system());
    if (*chat_limit_of(app, i) == NULL) {
      fputs("loket: out of memory\n", stderr);
      return LK_EXIT_FAIL;
    }
  }
  return 0;
}

static void app_close(lk_app *app, lk_router *router) {
  lk_mail_poller_free(mail_state.poller); /* it writes to the store */
  mail_state.poller = NULL;
  lk_outbox_free(app->outbox); /* stops it first: it writes to the store */
  lk_smtp_close(&mail_state.mailer.smtp); /* the outbox used it last */
  lk_mastodon_free(app->mastodon);
  lk_store_close(app->store);
  lk_events_hub_free(app->public_events);
  lk_assigner_free(app->assigner);
  lk_calamity_free(app->calamity);
  lk_token_cache_free(app->tokens);
  lk_ratelimit_free(app->login_by_account);
  lk_ratelimit_free(app->login_by_address);
  lk_ratelimit_free(app->subscribe_by_client);
  lk_ratelimit_free(app->subscribe_by_address);
  for (size_t i = 0; i < CHAT_LIMITS; i++)
    lk_ratelimit_free(*chat_limit_of(app, i));
  lk_worker_free(app->hasher);
  lk_metrics_unregister_all();
  lk_router_free(router);
  lk_bus_destroy(app->bus);
}

/* Opens the store and builds what the server runs on. Returns 0, or an
 * exit status after saying why on stderr. */
static int app_open(lk_app *app, const struct serve_opts *o,
                    lk_router **router) {
  lk_store_options so = {0};
  int64_t last_seq = 0;
  int rc;

  app->bus = lk_bus_create(BUS_CAPACITY);
  *router = lk_router_new();
  if (app->bus == NULL || *router == NULL) {
    fputs("loket: out of memory\n", stderr);
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  rc = lk_api_routes(*router);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot register the routes: %s\n", strerror(-rc));
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  so.dir = o->data;
  /* LOKET_GROUP_COMMIT=0: one commit per write, the reference of the
   * write benchmarks (bench/contact_post.sh); never for production. */
  {
    const char *gc = getenv("LOKET_GROUP_COMMIT");
    so.group_commit = gc == NULL || strcmp(gc, "0") != 0;
  }
  so.on_events = lk_bus_publish_row;
  so.on_events_ud = app->bus;
  /* Figures and norm state commit with every write (core/measure.h).
   * LOKET_MEASURE=0 turns that off: only for bench/measure_ingest.sh,
   * which weighs what it costs; never for production. */
  {
    const char *me = getenv("LOKET_MEASURE");

    if (me == NULL || strcmp(me, "0") != 0) {
      lk_measure_store_options(&so, lk_cli_measure());
    }
  }
  rc = lk_store_open(&so, &app->store);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot open the database in %s: %s\n", o->data,
            lk_store_strerror(rc));
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  if (lk_store_last_event_seq(app->store, &last_seq) == 0)
    lk_bus_start_at(app->bus, last_seq);
  app->tokens = lk_token_cache_new(app->store, app->bus);
  app->login_by_account =
      lk_ratelimit_new((int)o->login_attempts, o->login_window_s * 1000, 4096,
                       lk_clock_system());
  app->login_by_address =
      lk_ratelimit_new((int)o->login_attempts_address, o->login_window_s * 1000,
                       4096, lk_clock_system());
  app->assigner = lk_assigner_start(app->store, app->bus);
  app->calamity = lk_calamity_new(app->store, app->bus);
  app->refuse = lk_calamity_refuse;
  app->hasher = lk_worker_new(HASHER_THREADS, HASHER_QUEUE);
  {
    lk_outbox_options obo = {.backoff_min_ms = o->outbox_backoff_ms,
                             .max_attempts = (int)o->outbox_attempts,
                             .keep_sent_ms =
                                 o->outbox_keep_days * 86400 * 1000LL};

    app->outbox = lk_outbox_new(app->store, app->bus, &obo);
  }
  app->public_events = lk_events_hub_new(app);
  if (app->public_events == NULL || app->tokens == NULL ||
      app->login_by_account == NULL || app->login_by_address == NULL ||
      app->assigner == NULL || app->hasher == NULL || app->calamity == NULL ||
      app->outbox == NULL) {
    fputs("loket: out of memory\n", stderr);
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  app->web_dir = o->web;
  /* The front-end bundle (http/assets.h, docs/frontend.md).  Not built:
   * pages work without style and script, so say so and go on; built but
   * broken (a file missing): a bad deploy, so refuse to start. */
  {
    char why[PATH_MAX + 128];

    rc = lk_assets_load(o->web, why, sizeof(why));
    if (rc == -ENOENT) {
      lk_log(LK_LOG_WARN,
             "front-end bundle not built: pages are served "
             "without style sheet and script",
             "detail", why, NULL);
    } else if (rc != 0) {
      fprintf(stderr, "loket: front-end bundle: %s\n", why);
      app_close(app, *router);
      return LK_EXIT_FAIL;
    }
  }
  app->max_body = (size_t)o->max_body;
  app->max_upload = (size_t)o->max_upload;
  app->heartbeat_ms = (int)o->heartbeat_s * 1000;
  app->session_idle_ms = (int64_t)o->session_idle_s * 1000;
  app->session_absolute_ms = (int64_t)o->session_lifetime_s * 1000;
  app->secure_cookies = o->secure_cookies;
  app->trust_proxy = o->trust_proxy;
  app->kiosk_idle_s = (int)o->kiosk_idle_s;
  app->status_link_ms = (int64_t)o->status_link_days * 86400 * 1000;
  atomic_init(&app->shutting_down, false);
  rc = mail_open(app, o);
  if (rc == 0)
    rc = mail_channel_open(app, o);
  if (rc != 0) {
    app_close(app, *router);
    return rc;
  }
  lk_metrics_register(store_metrics, app->store);
  lk_metrics_register(lk_outbox_metrics, app->outbox);
  app->public_url = o->public_url != NULL ? o->public_url : "";
  app->callback_capacity = (int)o->callback_capacity;
  app->participation_prescreen = o->participation_prescreen;
  rc = chat_limits_open(app);
  if (rc != 0) {
    app_close(app, *router);
    return rc;
  }
  if (o->mastodon_url != NULL && o->mastodon_url[0] != '\0') {
    lk_mastodon_config mc = {.store = app->store,
                             .url = o->mastodon_url,
                             .token_file = o->mastodon_token_file,
                             .visibility = o->mastodon_visibility,
                             .public_url = o->public_url};
    char err[256];

    if (lk_mastodon_new(&mc, app->outbox, &app->mastodon, err, sizeof(err)) !=
        0) {
      fprintf(stderr, "loket: %s\n", err);
      app_close(app, *router);
      return LK_EXIT_USAGE;
    }
  }
  rc = lk_outbox_start(app->outbox);
  if (rc == 0)
    rc = lk_mail_poller_start(mail_state.poller);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot start the outbox or the mail poller: %s\n",
            strerror(-rc));
    app_close(app, *router);
    return LK_EXIT_FAIL;
  }
  lk_metrics_register(lk_api_figures_metrics, app);
  return 0;
}

int lk_cli_serve(int argc, char **argv) {
  struct serve_opts o;
  lk_app app = {0};
  lk_server_options srvo = {0};
  lk_router *router = NULL;
  lk_server *srv = NULL;
  int64_t t0 = lk_clock_mono_ns();
  sigset_t set;
  int port = 0;
  int rc;

  rc = parse_args(argc, argv, &o);
  if (rc != 0)
    return rc < 0 ? LK_EXIT_OK : rc;

  /* libcurl's global set-up is not thread-safe: before any thread. */
  if (lk_smtp_global_init() != 0) {
    fputs("loket: cannot initialise libcurl\n", stderr);
    return LK_EXIT_FAIL;
  }
  /* Block the signals before any thread starts so all inherit the mask. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* Room for thousands of connections, made while still single-threaded
   * (util/fdlimit.h says why that matters). */
  lk_fdlimit_raise(LK_FDLIMIT_SLOTS);

  rc = app_open(&app, &o, &router);
  if (rc != 0)
    return rc;
  srvo.host = o.host;
  srvo.port = o.port;
  srvo.threads = (int)o.threads;
  srvo.reuseport = o.reuseport;
  rc = lk_server_start(&srvo, &app, router, &srv, &port);
  if (rc != 0) {
    fprintf(stderr, "loket: cannot listen on %s:%d: %s\n", o.host, o.port,
            strerror(-rc));
    app_close(&app, router);
    return LK_EXIT_FAIL;
  }
  {
    char url[128];
    char ms[32];

    snprintf(url, sizeof(url),
             strchr(o.host, ':') ? "http://[%s]:%d/" : "http://%s:%d/", o.host,
             port);
    snprintf(ms, sizeof(ms), "%.1f", (double)(lk_clock_mono_ns() - t0) / 1e6);
    lk_log(LK_LOG_INFO, "ready", "url", url, "data", o.data, "startup_ms", ms,
           NULL);
    lk_log_flush();
    printf("Loket serving %s\n", url);
    fflush(stdout);
  }

  run_until_signal(srv, &app, &set);
  lk_server_drain(srv, SHUTDOWN_GRACE_MS);
  /* Finish the password checks under way (they resume their requests);
   * later ones are turned away with 503. */
  lk_worker_stop(app.hasher);
  /* Let a send under way finish and record it while the store runs. */
  lk_mail_poller_stop(mail_state.poller);
  lk_outbox_stop(app.outbox);
  /* Commit what is queued (resuming the requests that wait for it), then
   * stop the HTTP threads, and only then free the store they may still
   * be reading from. */
  lk_store_stop(app.store);
  lk_server_stop(srv);
  app_close(&app, router);
  lk_log(LK_LOG_INFO, "stopped", NULL);
  lk_log_flush();
  return LK_EXIT_OK;
}
