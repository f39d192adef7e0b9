-- 0021: live chat sessions and call-me-back requests (docs/chat.md).

-- A resident's chat: one conversation (channel 'chat') reached with a
-- private session token, of which only the digest is stored.  The read
-- marks are contact seqs: the newest message each side has seen.
CREATE TABLE chat_sessions (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  token_hash      TEXT NOT NULL UNIQUE,
  conversation_id TEXT NOT NULL UNIQUE REFERENCES conversations (id),
  resident_read   INTEGER NOT NULL DEFAULT 0,
  agent_read      INTEGER NOT NULL DEFAULT 0,
  ended_at        BIGINT,
  -- the transcript the resident asked for by e-mail: queued in the
  -- outbox (kind 'mail') in the same write
  transcript_to   TEXT,
  transcript_at   BIGINT,
  created_at      BIGINT NOT NULL
);

-- A call-me-back request: a callback task (tasks.kind = 'callback') on the
-- contact that asked for it, the slot the resident chose, the number to
-- call and what the resident had typed (context: a JSON object).
CREATE TABLE callbacks (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  task_id         TEXT NOT NULL UNIQUE REFERENCES tasks (id),
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  contact_id      TEXT NOT NULL REFERENCES contacts (id),
  source          TEXT NOT NULL CHECK (source IN ('chat', 'formulier')),
  slot_start      BIGINT NOT NULL,
  slot_end        BIGINT NOT NULL,
  phone           TEXT NOT NULL,
  phone_key       TEXT NOT NULL,
  context         TEXT NOT NULL DEFAULT '{}',
  attempts        INTEGER NOT NULL DEFAULT 0,
  outcome         TEXT CHECK (outcome IN ('reached', 'not_reached',
                                          'voicemail')),
  outcome_note    TEXT NOT NULL DEFAULT '',
  outcome_at      BIGINT,
  created_at      BIGINT NOT NULL
);
CREATE INDEX callbacks_slot ON callbacks (slot_start, seq);
