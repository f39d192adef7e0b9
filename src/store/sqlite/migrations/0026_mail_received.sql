-- 0026: the e-mail channel per mailbox (docs/mail.md).
--
-- Which mail each mailbox has taken in.  A mail sent to two team
-- addresses (two mailboxes) has one Message-ID but must reach both
-- teams; the same mail fetched twice from one mailbox must give one
-- message.  So "taken in already" is (mailbox, Message-ID), not
-- contacts.external_id, which is unique per channel: that column keeps
-- the Message-ID of the first contact that has it (threading and
-- bounces only look up Loket's own outbound Message-IDs there).
CREATE TABLE mail_received (
  mailbox_id TEXT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (mailbox_id, message_id)
) WITHOUT ROWID;
CREATE INDEX mail_received_contact ON mail_received (contact_id);

-- What was taken in before this migration: inbound e-mail contacts of
-- conversations that came through a mailbox.
INSERT OR IGNORE INTO mail_received (mailbox_id, message_id, contact_id,
                                     created_at)
  SELECT t.mailbox_id, c.external_id, c.id, c.created_at
    FROM contacts c JOIN mail_threads t ON t.conversation_id = c.conversation_id
   WHERE c.channel = 'email' AND c.kind = 'inbound'
     AND c.external_id IS NOT NULL;

-- The authserv-id (RFC 8601) of the mail server in front of a mailbox
-- whose Authentication-Results headers Loket trusts; '' trusts none, so
-- no From: address is taken as proven.
ALTER TABLE mailboxes ADD COLUMN trusted_authserv_id TEXT NOT NULL DEFAULT '';
