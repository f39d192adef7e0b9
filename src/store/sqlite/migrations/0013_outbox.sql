-- 0013: the transactional outbox (docs/outbox.md).  A message to another
-- system (a Mastodon status, an e-mail) is inserted in the same write as
-- the change that causes it and sent afterwards by the outbox worker, with
-- retries.  (kind, key) makes queueing idempotent.
CREATE TABLE outbox (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,        -- UUIDv7, shown to staff
  kind            TEXT NOT NULL,               -- the sender: mastodon, mail
  key             TEXT NOT NULL,               -- e.g. update:<uuid>
  payload         TEXT NOT NULL,               -- JSON object, never shown
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                  ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,  -- sends started
  next_attempt_at BIGINT NOT NULL,
  -- Who is sending it now, and until when: another Loket process on the
  -- same database leaves the row alone until then.
  lease_owner     TEXT,
  lease_until     BIGINT,
  last_error      TEXT,
  result          TEXT,                        -- remote id or URL
  created_at      BIGINT NOT NULL,
  requeued_at     BIGINT,                      -- a staff retry restarts the
                                               -- give-up clock
  sent_at         BIGINT,
  updated_at      BIGINT NOT NULL,
  UNIQUE (kind, key)
);
-- Due rows of a kind; also the queue depth.
CREATE INDEX outbox_due ON outbox (state, kind, next_attempt_at);
