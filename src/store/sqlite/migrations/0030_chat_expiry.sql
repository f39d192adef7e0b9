-- 0030: chats the resident left (docs/chat.md, "Abandoned and idle chats").

-- When the resident's last stream closed (a message counts as a sign of
-- life by itself); NULL: none closed yet.  How the chat ended: NULL by
-- the resident or an agent, 'abandoned' (left while waiting) or
-- 'inactive' (left after an agent had taken it).
ALTER TABLE chat_sessions ADD COLUMN resident_seen_at BIGINT;
ALTER TABLE chat_sessions ADD COLUMN end_reason TEXT
  CHECK (end_reason IN ('abandoned', 'inactive'));
CREATE INDEX chat_sessions_open ON chat_sessions (created_at)
  WHERE ended_at IS NULL;
