-- Staff sessions: server-side, one row per signed-in browser.  Only a
-- digest of the session id is stored (the id itself lives in the browser's
-- HttpOnly cookie), so a copy of the database signs nobody in.  Rows are
-- deleted at log-out, when they expire (purged now and then) and, for all
-- of an account's sessions, when its password changes or it is disabled.

CREATE TABLE staff_sessions (
  id_hash      TEXT PRIMARY KEY,            -- BLAKE2b-256 hex of the id
  user_id      TEXT NOT NULL REFERENCES staff_users (id),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,             -- idle time-out counts from here
  expires_at   BIGINT NOT NULL              -- absolute time-out
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);
CREATE INDEX staff_sessions_seen ON staff_sessions (last_seen_at);
