-- 0017: what the agent console keeps on the server (docs/console-api.md):
-- canned answers, read marks, and who is viewing which conversation.

-- Standaardantwoorden.  scope 'personal' belongs to one staff account
-- (owner_user), 'team' to the members of team_id, 'everyone' to all.
CREATE TABLE canned_answers (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  scope      TEXT NOT NULL CHECK (scope IN ('personal', 'team', 'everyone')),
  owner_user TEXT REFERENCES staff_users (id),
  team_id    TEXT REFERENCES actors (id),
  title      TEXT NOT NULL,
  shortcut   TEXT,
  body       TEXT NOT NULL,
  version    INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((scope = 'personal') = (owner_user IS NOT NULL)),
  CHECK ((scope = 'team') = (team_id IS NOT NULL))
);
CREATE INDEX canned_answers_owner ON canned_answers (owner_user, id)
  WHERE owner_user IS NOT NULL;
CREATE INDEX canned_answers_team ON canned_answers (team_id, id)
  WHERE team_id IS NOT NULL;

-- A reader's mark per conversation: the highest contact seq read, and the
-- time of that contact, so "is there anything newer" is a range on
-- contacts_conversation (conversation_id, occurred_at) from read_at.
-- reader is "user:usr_..." or "token:tok_...".
CREATE TABLE conversation_reads (
  reader          TEXT NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  read_seq        INTEGER NOT NULL,
  read_at         BIGINT NOT NULL,
  PRIMARY KEY (reader, conversation_id)
) WITHOUT ROWID;

-- Who has a conversation open in the console, and whether they type.
-- Ephemeral: a row lives while its heartbeats come (expires_at); the
-- sweep deletes expired rows and reports them.
CREATE TABLE conversation_viewers (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  user_id         TEXT NOT NULL REFERENCES staff_users (id),
  actor_id        TEXT,
  state           TEXT NOT NULL CHECK (state IN ('viewing', 'typing')),
  since           BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  confidential    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
CREATE INDEX conversation_viewers_expiry ON conversation_viewers (expires_at);
