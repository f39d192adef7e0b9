-- 0020: the resident contact pages (docs/resident-pages.md).
--
-- channels: how residents reach the municipality, as /contact shows them.
-- One row per conversation channel; admins edit them through
-- PUT /api/v1/channels/{channel}.  `hours` is a business-hours calendar
-- as core/calendar.h reads it (Amsterdam time, Dutch holidays).  An
-- asynchronous channel (web form, e-mail) can be used at any time; its
-- hours say when staff answer.
CREATE TABLE channels (
  channel     TEXT PRIMARY KEY,
  label       TEXT NOT NULL,
  position    INTEGER NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 0,
  async       INTEGER NOT NULL DEFAULT 0,
  hours       TEXT NOT NULL,
  contact     TEXT NOT NULL DEFAULT '',  -- number, address or e-mail shown
  description TEXT NOT NULL DEFAULT '',
  updated_at  BIGINT NOT NULL DEFAULT 0,
  updated_by  TEXT NOT NULL DEFAULT ''
);
-- A channel that needs contact details (telephone, e-mail, desk) starts
-- disabled: an admin gives the municipality's own number or address.
INSERT INTO channels (channel, label, position, enabled, async, hours)
VALUES
 ('webformulier', 'Webformulier', 1, 1, 1,
  '{"hours":{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"],"sat":[],"sun":[]}}'),
 ('chat', 'Chat', 2, 1, 0,
  '{"hours":{"mon":["09:00-17:00"],"tue":["09:00-17:00"],"wed":["09:00-17:00"],"thu":["09:00-17:00"],"fri":["09:00-17:00"],"sat":[],"sun":[]}}'),
 ('telefoon', 'Telefoon', 3, 0, 0,
  '{"hours":{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-20:00"],"fri":["08:00-17:00"],"sat":[],"sun":[]}}'),
 ('email', 'E-mail', 4, 0, 1,
  '{"hours":{"mon":["08:00-17:00"],"tue":["08:00-17:00"],"wed":["08:00-17:00"],"thu":["08:00-17:00"],"fri":["08:00-17:00"],"sat":[],"sun":[]}}'),
 ('balie', 'Balie in het stadskantoor', 5, 0, 0,
  '{"hours":{"mon":["09:00-12:30","13:30-16:30"],"tue":["09:00-12:30","13:30-16:30"],"wed":["09:00-12:30","13:30-16:30"],"thu":["09:00-12:30","13:30-20:00"],"fri":["09:00-12:30"],"sat":[],"sun":[]}}'),
 ('post', 'Post', 6, 0, 1, '{"hours":{}}'),
 ('social', 'Sociale media', 7, 0, 1, '{"hours":{}}'),
 ('video', 'Videobellen', 8, 0, 0, '{"hours":{}}'),
 ('kiosk', 'Zuil in de hal', 9, 0, 1, '{"hours":{}}');

-- The waiting-time estimate reads the newest first responses per channel.
CREATE INDEX conversations_first_response ON conversations
  (channel, first_response_at) WHERE first_response_at IS NOT NULL;

-- status_links: the private link a resident follows a web-form
-- conversation with.  Only a digest of the token is stored.
CREATE TABLE status_links (
  digest          TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL
);
CREATE INDEX status_links_conversation ON status_links (conversation_id);
