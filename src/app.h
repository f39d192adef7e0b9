/* app.h - what a running Loket holds, handed to every HTTP handler. */
#ifndef LK_APP_H
#define LK_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events/bus.h"
#include "store/store.h"

struct lk_token_cache;
struct lk_assigner;
struct lk_ratelimit;
struct lk_worker;
struct lk_calamity;
struct lk_outbox;
struct lk_mastodon;
struct lk_req;
struct lk_sub_key;
struct lk_mailer;
struct lk_events_hub;

typedef struct lk_app {
  lk_store *store;
  lk_bus *bus;
  struct lk_token_cache *tokens; /* verified API tokens */
  struct lk_assigner *assigner;  /* round-robin assignment */
  const char *web_dir;           /* static files */
  size_t max_body;               /* largest request body accepted, bytes */
  size_t max_upload; /* the same for LK_ROUTE_UPLOAD routes (attachments) */
  int heartbeat_ms;  /* SSE comment interval */
  /* Staff sessions (core/session.h, docs/sessions.md). */
  int64_t session_idle_ms;     /* idle time-out */
  int64_t session_absolute_ms; /* absolute time-out */
  bool secure_cookies;         /* served over TLS: cookies get Secure */
  bool trust_proxy; /* believe X-Forwarded-For/-Proto/-Host of the proxy */
  struct lk_ratelimit *login_by_account; /* log-in attempts per account */
  struct lk_ratelimit *login_by_address; /* ... and per client address */
  struct lk_worker *hasher;     /* password checks off the HTTP threads; NULL:
                                   inline */
  struct lk_calamity *calamity; /* calamity mode (pages/calamity.h) */
  struct lk_outbox *outbox;     /* outgoing messages (core/outbox.h) */
  /* Notice publications and updates cross-posted to Mastodon
   * (channels/mastodon.h); NULL when not configured: nothing is queued. */
  struct lk_mastodon *mastodon;
  const char *public_url; /* --public-url: how residents reach Loket, "" */
  int callback_capacity;  /* callbacks per 30-minute slot (docs/chat.md) */
  /* Resident contact pages (pages/contact.h, docs/resident-pages.md). */
  int kiosk_idle_s;       /* kiosk back to its start after this idle time */
  int64_t status_link_ms; /* a status link lives this long after its use */
  /* Runs before every routed handler; answers the request itself and
   * returns true to keep the handler from running (calamity mode refuses
   * heavy pages this way).  May be NULL. */
  bool (*refuse)(struct lk_req *req);
  /* Actueel subscriptions and mail (pages/actueel_subscriptions.h). */
  struct lk_sub_key *sub_key;                /* derives the tokens in links */
  struct lk_ratelimit *subscribe_by_address; /* mails per address */
  struct lk_ratelimit *subscribe_by_client;  /* forms per client address */
  struct lk_mailer *mailer;                  /* SMTP; NULL: not configured */
  /* Chat and callback limits (pages/chat.c, docs/chat.md). */
  struct lk_ratelimit *chat_start_by_client;
  struct lk_ratelimit *chat_mail_by_client;  /* transcripts asked for */
  struct lk_ratelimit *chat_mail_by_address; /* transcripts per address */
  struct lk_ratelimit *callback_by_client;
  struct lk_ratelimit *callback_by_phone;
  /* Chats the resident left end after this long (docs/chat.md). */
  int64_t chat_abandon_ms; /* waiting, no stream, no message */
  int64_t chat_idle_ms;    /* answered, resident gone */
  /* Participation (docs/participation.md): staff prescreen initiatives
   * before publication; log-in links asked per client address. */
  bool participation_prescreen;
  struct lk_ratelimit *p_links_by_client;
  /* Agent console viewing heartbeats per staff account (api/console.h). */
  struct lk_ratelimit *viewer_heartbeats;
  /* The public event streams' shared listener (api/events_public.h). */
  struct lk_events_hub *public_events;
  /* Participation posts per account per hour (pages/matching.h). */
  struct lk_ratelimit *participation_posts;
  atomic_bool shutting_down;
} lk_app;

#endif
