-- Participation (issue 7, docs/participation.md): resident accounts,
-- organisations, themes, neighbourhoods, initiatives with their
-- organisers, updates, images and followers.  The facilitation and
-- matching parts (migrations 0019 and 0022) build on these tables.
--
-- Residents log in with a link mailed to them (no password): a link
-- token is 192 random bits of which only the BLAKE2b digest is kept, and
-- so is a session id.  A copy of this file logs nobody in.
--
-- Counters on initiatives (followers, participants, updates) are kept in
-- the same write as the change they count, so no page counts at request
-- time (docs/benchmarks.md).

CREATE TABLE p_accounts (
  id            TEXT PRIMARY KEY,          -- UUIDv7
  email         TEXT NOT NULL,             -- as typed, trimmed
  email_key     TEXT NOT NULL UNIQUE,      -- lk_address_key('email', ...)
  display_name  TEXT NOT NULL,             -- shown publicly
  confirmed_at  BIGINT,                    -- first link followed; NULL: not
  disabled_at   BIGINT,                    -- staff blocked the account
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);

-- Mailed links: confirm a new account or log in.  A link works once and
-- until expires_at.
CREATE TABLE p_links (
  digest      TEXT PRIMARY KEY,            -- BLAKE2b-256 hex of the token
  account_id  TEXT NOT NULL REFERENCES p_accounts (id),
  purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'login')),
  next_path   TEXT NOT NULL DEFAULT '',    -- where to go after log-in
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_at     BIGINT
);
CREATE INDEX p_links_account ON p_links (account_id);
CREATE INDEX p_links_expires ON p_links (expires_at);

-- Resident sessions, separate from staff_sessions (cookie loket_bewoner).
CREATE TABLE p_sessions (
  id_hash      TEXT PRIMARY KEY,           -- BLAKE2b-256 hex of the id
  account_id   TEXT NOT NULL REFERENCES p_accounts (id),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX p_sessions_account ON p_sessions (account_id);
CREATE INDEX p_sessions_expires ON p_sessions (expires_at);

-- Organisations as initiators (a residents' association, a foundation,
-- an entrepreneur).  Members may act for it; admins manage members.
CREATE TABLE p_organisations (
  id           TEXT PRIMARY KEY,           -- UUIDv7
  name         TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  website      TEXT NOT NULL DEFAULT '',
  kvk          TEXT NOT NULL DEFAULT '',   -- KVK number, optional
  created_by   TEXT NOT NULL REFERENCES p_accounts (id),
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  hidden_reason TEXT,
  hidden_at    BIGINT
);
CREATE TABLE p_organisation_members (
  organisation_id TEXT NOT NULL REFERENCES p_organisations (id),
  account_id      TEXT NOT NULL REFERENCES p_accounts (id),
  role            TEXT NOT NULL DEFAULT 'member'
                  CHECK (role IN ('admin', 'member')),
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (organisation_id, account_id)
);
CREATE INDEX p_organisation_members_account
  ON p_organisation_members (account_id);

CREATE TABLE themes (
  id         TEXT PRIMARY KEY,             -- a slug: 'groen'
  name       TEXT NOT NULL,
  position   INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO themes (id, name, position) VALUES
  ('groen', 'Groen en natuur', 1),
  ('samenleven', 'Samenleven en ontmoeten', 2),
  ('schoon', 'Schoon en heel', 3),
  ('cultuur', 'Kunst en cultuur', 4),
  ('sport', 'Sport en bewegen', 5),
  ('zorg', 'Zorg en welzijn', 6),
  ('duurzaam', 'Duurzaamheid en energie', 7),
  ('jeugd', 'Jeugd en onderwijs', 8),
  ('verkeer', 'Verkeer en veiligheid', 9);

-- Neighbourhoods (wijken): centre point for the map, managed by admins.
CREATE TABLE neighbourhoods (
  id         TEXT PRIMARY KEY,             -- a slug: 'binnenstad'
  name       TEXT NOT NULL,
  position   INTEGER NOT NULL DEFAULT 0,
  lat        DOUBLE PRECISION,
  lon        DOUBLE PRECISION,
  created_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO neighbourhoods (id, name, position, lat, lon) VALUES
  ('binnenstad', 'Binnenstad', 1, 52.0907, 5.1214),
  ('noordoost', 'Noordoost', 2, 52.1010, 5.1390),
  ('oost', 'Oost', 3, 52.0870, 5.1450),
  ('zuid', 'Zuid', 4, 52.0710, 5.1250),
  ('zuidwest', 'Zuidwest', 5, 52.0760, 5.0950),
  ('west', 'West', 6, 52.0930, 5.0900),
  ('noordwest', 'Noordwest', 7, 52.1080, 5.0980),
  ('overvecht', 'Overvecht', 8, 52.1150, 5.1110),
  ('leidsche-rijn', 'Leidsche Rijn', 9, 52.0950, 5.0500),
  ('vleuten-de-meern', 'Vleuten-De Meern', 10, 52.0900, 5.0100);

-- Initiatives.  status: draft -> (prescreening ->) published -> running
-- -> completed | stopped; a prescreening refused goes back to draft with
-- status_reason.  The server enforces the transitions (core/initiative.h).
CREATE TABLE initiatives (
  id                 TEXT PRIMARY KEY,     -- UUIDv7
  owner_id           TEXT NOT NULL REFERENCES p_accounts (id),
  organisation_id    TEXT REFERENCES p_organisations (id),
  title              TEXT NOT NULL,
  summary            TEXT NOT NULL DEFAULT '',
  description        TEXT NOT NULL DEFAULT '',
  theme_id           TEXT REFERENCES themes (id),
  neighbourhood_id   TEXT REFERENCES neighbourhoods (id),
  address            TEXT NOT NULL DEFAULT '',
  lat                DOUBLE PRECISION,     -- WGS84, both or neither
  lon                DOUBLE PRECISION,
  start_date         TEXT NOT NULL DEFAULT '',  -- 'YYYY-MM-DD' or ''
  end_date           TEXT NOT NULL DEFAULT '',
  website            TEXT NOT NULL DEFAULT '',  -- an http(s) link or ''
  status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                     ('draft', 'prescreening', 'published', 'running',
                      'completed', 'stopped')),
  status_reason      TEXT NOT NULL DEFAULT '',
  status_changed_at  BIGINT NOT NULL,
  published_at       BIGINT,               -- first publication; list order
  followers_count    INTEGER NOT NULL DEFAULT 0,
  participants_count INTEGER NOT NULL DEFAULT 0,  -- doe-mee (matching)
  updates_count      INTEGER NOT NULL DEFAULT 0,
  images_count       INTEGER NOT NULL DEFAULT 0,
  hidden_reason      TEXT,                 -- moderation (matching)
  hidden_at          BIGINT,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);
-- The public list: visible ones newest first, one index per combination
-- of the filters (theme, neighbourhood, status), so a page reads only its
-- own rows whatever the filters (store/participation.c).
CREATE INDEX initiatives_public ON initiatives (published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_theme ON initiatives
  (theme_id, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_neighbourhood ON initiatives
  (neighbourhood_id, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_status ON initiatives
  (status, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_theme_nbh ON initiatives
  (theme_id, neighbourhood_id, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_theme_status ON initiatives
  (theme_id, status, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_nbh_status ON initiatives
  (neighbourhood_id, status, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_theme_nbh_status ON initiatives
  (theme_id, neighbourhood_id, status, published_at DESC, id DESC)
  WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX initiatives_owner ON initiatives (owner_id);
CREATE INDEX initiatives_organisation ON initiatives (organisation_id);
-- Staff: the prescreening queue and lists by status.
CREATE INDEX initiatives_staff ON initiatives (status, id);

-- Organisers: the owner (role 'owner') and co-organisers ('co').  The
-- owner's row is written with the initiative, so one look-up answers
-- "may this resident edit".
CREATE TABLE initiative_organisers (
  initiative_id TEXT NOT NULL REFERENCES initiatives (id),
  account_id    TEXT NOT NULL REFERENCES p_accounts (id),
  role          TEXT NOT NULL CHECK (role IN ('owner', 'co')),
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (initiative_id, account_id)
);
CREATE INDEX initiative_organisers_account
  ON initiative_organisers (account_id);

-- Append-only history of status changes.
CREATE TABLE initiative_status_log (
  seq           INTEGER PRIMARY KEY,
  initiative_id TEXT NOT NULL REFERENCES initiatives (id),
  from_status   TEXT NOT NULL,
  to_status     TEXT NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  actor         TEXT NOT NULL,             -- 'p:<account>' or 'user:usr_..'
  created_at    BIGINT NOT NULL
);
CREATE INDEX initiative_status_log_initiative
  ON initiative_status_log (initiative_id, seq);

-- Updates (nieuws) posted by organisers; followers get each by mail.
CREATE TABLE initiative_updates (
  id            TEXT PRIMARY KEY,          -- UUIDv7
  initiative_id TEXT NOT NULL REFERENCES initiatives (id),
  author_id     TEXT NOT NULL REFERENCES p_accounts (id),
  title         TEXT NOT NULL,
  body          TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  edited_at     BIGINT,
  hidden_reason TEXT,                      -- moderation (matching)
  hidden_at     BIGINT
);
CREATE INDEX initiative_updates_initiative
  ON initiative_updates (initiative_id, created_at DESC, id DESC);

-- Images: bytes in the blob store of attachments (<data>/blobs/..), type
-- sniffed from the bytes.
CREATE TABLE initiative_images (
  id            TEXT PRIMARY KEY,          -- UUIDv7
  initiative_id TEXT NOT NULL REFERENCES initiatives (id),
  sha256        TEXT NOT NULL,
  media_type    TEXT NOT NULL,             -- image/png, image/jpeg, ...
  size          BIGINT NOT NULL,
  alt           TEXT NOT NULL DEFAULT '',  -- text alternative
  created_at    BIGINT NOT NULL,
  hidden_reason TEXT,
  hidden_at     BIGINT
);
CREATE INDEX initiative_images_initiative
  ON initiative_images (initiative_id, created_at);

CREATE TABLE initiative_followers (
  initiative_id TEXT NOT NULL REFERENCES initiatives (id),
  account_id    TEXT NOT NULL REFERENCES p_accounts (id),
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (initiative_id, account_id)
);
CREATE INDEX initiative_followers_account
  ON initiative_followers (account_id);
