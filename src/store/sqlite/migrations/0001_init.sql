-- Foundation: API tokens for other systems, staff accounts and the event log.
-- Times are Unix milliseconds (BIGINT) so the same schema works on PostgreSQL.

CREATE TABLE api_tokens (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  secret_hash  TEXT NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at   BIGINT
);

CREATE TABLE staff_users (
  id                  TEXT PRIMARY KEY,
  email               TEXT NOT NULL UNIQUE,
  display_name        TEXT NOT NULL DEFAULT '',
  role                TEXT NOT NULL
                      CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash       TEXT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  created_at          BIGINT NOT NULL,
  disabled_at         BIGINT
);

-- Every state change, in commit order.  seq is the SSE event id.
CREATE TABLE events (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  type    TEXT NOT NULL,
  subject TEXT NOT NULL,
  time    BIGINT NOT NULL,
  payload TEXT NOT NULL
);
