-- Facilitation: what the municipality gives initiatives (docs/facilitation.md).
-- Bookable rooms, budget pots per year and neighbourhood, requests for a
-- room, outdoor-crew hours or a micro-budget with their append-only
-- history, room bookings, and the meetings of an initiative with their
-- registrations.  Initiatives, accounts and neighbourhoods belong to
-- migration 0018; their ids are kept here as text and checked by the
-- writes, so this schema does not depend on their column types.

CREATE TABLE rooms (
  id          TEXT PRIMARY KEY,          -- UUIDv7
  name        TEXT NOT NULL UNIQUE,
  location    TEXT NOT NULL DEFAULT '',
  capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
  -- Opening hours in Dutch civil time: minutes after midnight and the
  -- weekdays (bit 0 = Monday .. bit 6 = Sunday).
  opens       INTEGER NOT NULL CHECK (opens BETWEEN 0 AND 1439),
  closes      INTEGER NOT NULL CHECK (closes > opens AND closes <= 1440),
  days        INTEGER NOT NULL CHECK (days BETWEEN 0 AND 127),
  active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- Committed = granted and not yet paid; left = amount - committed - paid.
CREATE TABLE budget_pots (
  id               TEXT PRIMARY KEY,
  year             INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  neighbourhood_id TEXT NOT NULL,
  amount_cents     BIGINT NOT NULL CHECK (amount_cents >= 0),
  committed_cents  BIGINT NOT NULL DEFAULT 0 CHECK (committed_cents >= 0),
  paid_cents       BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  UNIQUE (year, neighbourhood_id),
  CHECK (committed_cents + paid_cents <= amount_cents)
);

CREATE TABLE facilitation_requests (
  id               TEXT PRIMARY KEY,
  initiative_id    TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('room', 'crew', 'budget')),
  status           TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN
                   ('submitted', 'in_review', 'granted', 'partly_granted',
                    'declined', 'withdrawn')),
  requested_by     TEXT NOT NULL,       -- the organiser's account id
  purpose          TEXT NOT NULL,
  -- room: the room and the booking asked for; crew: the date or period.
  room_id          TEXT REFERENCES rooms (id),
  starts_at        BIGINT,
  ends_at          BIGINT,
  attendees        INTEGER,             -- room: people expected
  hours            INTEGER,             -- crew: hours asked
  amount_cents     BIGINT,              -- budget: euro cents asked
  -- The decision.
  granted_hours    INTEGER,
  granted_cents    BIGINT,
  booking_id       TEXT,                -- room: the booking made
  pot_id           TEXT REFERENCES budget_pots (id),
  paid_cents       BIGINT NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
  year             INTEGER,             -- Dutch year of the decision
  neighbourhood_id TEXT,                -- the initiative's, at the decision
  reason           TEXT NOT NULL DEFAULT '',
  decided_by       TEXT,
  decided_at       BIGINT,
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  CHECK (granted_cents IS NULL OR paid_cents <= granted_cents)
);
CREATE INDEX facilitation_requests_initiative
  ON facilitation_requests (initiative_id, id);
CREATE INDEX facilitation_requests_status ON facilitation_requests (status, id);
CREATE INDEX facilitation_requests_year
  ON facilitation_requests (year, neighbourhood_id) WHERE year IS NOT NULL;

-- Every step of a request, never changed or removed.
CREATE TABLE facilitation_history (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id   TEXT NOT NULL REFERENCES facilitation_requests (id),
  at           BIGINT NOT NULL,
  actor        TEXT NOT NULL,           -- "account:<id>" or a staff actor
  action       TEXT NOT NULL,           -- submitted, in_review, granted, ...
  status       TEXT NOT NULL,           -- the request's status after it
  hours        INTEGER,
  amount_cents BIGINT,
  note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX facilitation_history_request
  ON facilitation_history (request_id, seq);
CREATE TRIGGER facilitation_history_no_update
BEFORE UPDATE ON facilitation_history
BEGIN
  SELECT RAISE(ABORT, 'facilitation_history is append-only');
END;
CREATE TRIGGER facilitation_history_no_delete
BEFORE DELETE ON facilitation_history
BEGIN
  SELECT RAISE(ABORT, 'facilitation_history is append-only');
END;

CREATE TABLE room_bookings (
  id            TEXT PRIMARY KEY,
  room_id       TEXT NOT NULL REFERENCES rooms (id),
  request_id    TEXT NOT NULL UNIQUE REFERENCES facilitation_requests (id),
  initiative_id TEXT NOT NULL,
  starts_at     BIGINT NOT NULL,
  ends_at       BIGINT NOT NULL CHECK (ends_at > starts_at),
  created_at    BIGINT NOT NULL
);
CREATE INDEX room_bookings_room ON room_bookings (room_id, starts_at);
-- The writes check for overlaps first and answer 409; this is the last
-- line of defence should another path ever insert a booking.
CREATE TRIGGER room_bookings_no_overlap BEFORE INSERT ON room_bookings
WHEN EXISTS (SELECT 1 FROM room_bookings b
             WHERE b.room_id = NEW.room_id AND b.starts_at < NEW.ends_at
               AND b.ends_at > NEW.starts_at)
BEGIN
  SELECT RAISE(ABORT, 'room booking overlaps another');
END;

CREATE TABLE meetings (
  id            TEXT PRIMARY KEY,
  initiative_id TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  starts_at     BIGINT NOT NULL,
  ends_at       BIGINT NOT NULL CHECK (ends_at > starts_at),
  place         TEXT NOT NULL DEFAULT '',
  booking_id    TEXT REFERENCES room_bookings (id),
  capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
  registered    INTEGER NOT NULL DEFAULT 0,
  created_by    TEXT NOT NULL,          -- account id
  cancelled_at  BIGINT,
  sequence      INTEGER NOT NULL DEFAULT 0,  -- iCalendar SEQUENCE
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  CHECK (registered BETWEEN 0 AND capacity)
);
CREATE INDEX meetings_initiative ON meetings (initiative_id, starts_at);

CREATE TABLE meeting_registrations (
  meeting_id TEXT NOT NULL REFERENCES meetings (id),
  account_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (meeting_id, account_id)
);
