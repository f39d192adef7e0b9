-- Actueel subscriptions: residents who want an e-mail when a notice
-- touches their postcode.  A subscription is pending until the link in
-- its confirmation mail is followed (by a POST), then confirmed until a
-- one-click unsubscribe.  Only digests of the confirmation and
-- unsubscribe tokens are kept: the tokens themselves are derived at send
-- time from a key outside the database (docs/subscriptions.md), so a copy
-- of this file yields no working link.

CREATE TABLE subscriptions (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,    -- UUIDv7
  email              TEXT NOT NULL,           -- as typed, trimmed; ''
                                              -- once unsubscribed
  address_key        TEXT NOT NULL,           -- lk_address_key('email', ...);
                                              -- 'unsubscribed:<id>' then
  postcode           TEXT NOT NULL,           -- PC4 "1234" or PC6 "1234AB"
  pc4                TEXT NOT NULL,           -- its first four digits
  state              TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                     ('pending', 'confirmed', 'unsubscribed')),
  confirm_digest     TEXT UNIQUE,             -- NULL once confirmed
  unsubscribe_digest TEXT NOT NULL UNIQUE,
  confirm_sends      INTEGER NOT NULL DEFAULT 0,
  confirm_sent_at    BIGINT,
  created_at         BIGINT NOT NULL,
  confirmed_at       BIGINT,
  unsubscribed_at    BIGINT
);
-- One active subscription per address and postcode; an unsubscribed one
-- stays as a record and a new subscription makes a new row.
CREATE UNIQUE INDEX subscriptions_active ON subscriptions
  (address_key, postcode) WHERE state <> 'unsubscribed';
-- Who hears of a notice: by PC4 and by exact postcode, confirmed only.
CREATE INDEX subscriptions_pc4 ON subscriptions (pc4, state);
CREATE INDEX subscriptions_postcode ON subscriptions (postcode, state);
-- Pending subscriptions whose link has expired are deleted; this finds
-- them without a scan.
CREATE INDEX subscriptions_pending ON subscriptions (created_at)
  WHERE state = 'pending';
