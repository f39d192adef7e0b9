-- Conversations, messages and attachments through Loket's own API.
--
-- The inbox without a filter lists every conversation newest first: an
-- index on the time of the last message keeps that a bounded walk.
CREATE INDEX conversations_recent ON conversations (last_message_at);

-- An unlinked attachment belongs to whoever uploaded it: no one else may
-- link or fetch it ("user:usr_..." or "token:tok_...").
ALTER TABLE attachments ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE INDEX attachments_sha256 ON attachments (sha256);
