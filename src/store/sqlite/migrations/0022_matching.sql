-- Participation, part "matching" (docs/matching.md): joining an
-- initiative ("doe mee"), help needs with a capacity that residents sign
-- up for, offers and needs with suggested matches, message threads that
-- relay contact without showing addresses, reports and moderation.
--
-- Accounts (p_accounts), initiatives and their updates belong to
-- migration 0018; rows here name them by id.  Hidden content keeps its
-- row (hidden_at, hidden_reason): the author still sees it with the
-- reason, nobody else does, and it is left out of every list and count.

-- "Doe mee": one row per account and initiative.  The initiative's
-- participant counter (0018) moves in the same write.
CREATE TABLE p_joins (
  initiative_id TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (initiative_id, account_id)
);
CREATE INDEX p_joins_account ON p_joins (account_id, created_at);

-- Help an initiative asks for ("6 vrijwilligers zaterdag 10:00", "een
-- aanhanger"): `capacity` places, `taken` of them signed up for.  The
-- CHECK is the last line of defence; the sign-up's UPDATE ... WHERE
-- taken < capacity is the first.
CREATE TABLE p_help_needs (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,       -- UUIDv7
  initiative_id TEXT NOT NULL,
  created_by    TEXT NOT NULL,              -- account id
  title         TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  starts_at     BIGINT,                     -- when the help is needed
  capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  taken         INTEGER NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL,
  closed_at     BIGINT,
  hidden_at     BIGINT,
  hidden_reason TEXT,
  CHECK (taken >= 0 AND taken <= capacity)
);
CREATE INDEX p_help_needs_initiative ON p_help_needs (initiative_id, seq);

-- One sign-up per person per need.
CREATE TABLE p_help_signups (
  need_id    TEXT NOT NULL REFERENCES p_help_needs (id),
  account_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (need_id, account_id)
);
CREATE INDEX p_help_signups_account ON p_help_signups (account_id, created_at);

-- Offers ("aanbod") and needs ("vraag") of residents and organisations.
-- A place is a point (micro-degrees WGS84) or a neighbourhood, or both;
-- a time window is [starts_at, ends_at), either end open (NULL).
CREATE TABLE p_listings (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,     -- UUIDv7
  kind            TEXT NOT NULL CHECK (kind IN ('offer', 'need')),
  category        TEXT NOT NULL CHECK (category IN
                  ('tools', 'skills', 'space', 'time', 'other')),
  account_id      TEXT NOT NULL,            -- who posted it
  organisation_id TEXT,                     -- on behalf of, or NULL
  theme_id        TEXT NOT NULL,
  neighbourhood_id TEXT,
  lat_e6          INTEGER,
  lon_e6          INTEGER,
  starts_at       BIGINT,
  ends_at         BIGINT,
  title           TEXT NOT NULL,
  body            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN
                  ('open', 'closed')),
  created_at      BIGINT NOT NULL,
  closed_at       BIGINT,
  hidden_at       BIGINT,
  hidden_reason   TEXT
);
-- The public list (newest first, by one filter each: the others are
-- checked on the rows the index yields) and the match candidates (the
-- other kind, same theme or same neighbourhood, open and visible): each
-- a bounded range scan of one of these partial indexes.
CREATE INDEX p_listings_open ON p_listings (seq)
  WHERE state = 'open' AND hidden_at IS NULL;
CREATE INDEX p_listings_kind ON p_listings (kind, seq)
  WHERE state = 'open' AND hidden_at IS NULL;
CREATE INDEX p_listings_theme ON p_listings (theme_id, seq)
  WHERE state = 'open' AND hidden_at IS NULL;
CREATE INDEX p_listings_neighbourhood ON p_listings (neighbourhood_id, seq)
  WHERE state = 'open' AND hidden_at IS NULL;
CREATE INDEX p_listings_account ON p_listings (account_id, seq);

-- Suggested matches: one row per offer and need, scored when the later
-- of the two was posted (docs/matching.md explains the score).
CREATE TABLE p_matches (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  offer_id   TEXT NOT NULL REFERENCES p_listings (id),
  need_id    TEXT NOT NULL REFERENCES p_listings (id),
  score      INTEGER NOT NULL,
  reasons    TEXT NOT NULL,                 -- "theme place time ..."
  created_at BIGINT NOT NULL,
  UNIQUE (offer_id, need_id)
);
CREATE INDEX p_matches_need ON p_matches (need_id, score);
CREATE INDEX p_matches_offer ON p_matches (offer_id, score);

-- Contact through the platform: a thread between a listing's author
-- and one other account; messages are relayed, addresses never shown.
CREATE TABLE p_threads (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  listing_id      TEXT NOT NULL REFERENCES p_listings (id),
  owner_id        TEXT NOT NULL,            -- the listing's author
  other_id        TEXT NOT NULL,            -- who wrote first
  created_at      BIGINT NOT NULL,
  last_message_at BIGINT NOT NULL,
  UNIQUE (listing_id, other_id)
);
CREATE INDEX p_threads_owner ON p_threads (owner_id, last_message_at);
CREATE INDEX p_threads_other ON p_threads (other_id, last_message_at);

CREATE TABLE p_messages (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  thread_id     TEXT NOT NULL REFERENCES p_threads (id),
  sender_id     TEXT NOT NULL,
  body          TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  hidden_at     BIGINT,
  hidden_reason TEXT
);
CREATE INDEX p_messages_thread ON p_messages (thread_id, seq);

-- Reports by residents; staff work the open ones oldest first.
CREATE TABLE p_reports (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  reporter_id  TEXT NOT NULL,
  target_type  TEXT NOT NULL CHECK (target_type IN ('initiative', 'update',
               'listing', 'help_need', 'message', 'account')),
  target_id    TEXT NOT NULL,
  reason       TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN
               ('open', 'actioned', 'dismissed')),
  created_at   BIGINT NOT NULL,
  resolved_at  BIGINT,
  resolved_by  TEXT,
  UNIQUE (reporter_id, target_type, target_id)
);
CREATE INDEX p_reports_state ON p_reports (state, seq);
CREATE INDEX p_reports_target ON p_reports (target_type, target_id);

-- Blocked accounts may read but not post, join, sign up or report.
CREATE TABLE p_account_blocks (
  account_id TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  blocked_at BIGINT NOT NULL,
  blocked_by TEXT NOT NULL
);
