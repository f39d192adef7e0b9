-- 0023: mailboxes as channels (docs/mail.md).  A team's e-mail address,
-- read over IMAP and answered over SMTP submission.  Passwords are never
-- stored: only the path of a file holding each one, read when the poller
-- or the sender connects.
CREATE TABLE mailboxes (
  seq                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  team_id            TEXT NOT NULL REFERENCES actors (id),
  address            TEXT NOT NULL UNIQUE,   -- From: and where mail arrives
  from_name          TEXT NOT NULL DEFAULT '',
  imap_host          TEXT NOT NULL,
  imap_port          INTEGER NOT NULL,
  imap_tls           TEXT NOT NULL CHECK (imap_tls IN
                     ('none', 'starttls', 'tls')),
  imap_user          TEXT NOT NULL,
  imap_password_file TEXT NOT NULL,
  folder             TEXT NOT NULL DEFAULT 'INBOX',
  smtp_host          TEXT NOT NULL,
  smtp_port          INTEGER NOT NULL,
  smtp_tls           TEXT NOT NULL CHECK (smtp_tls IN
                     ('none', 'starttls', 'tls')),
  smtp_user          TEXT NOT NULL DEFAULT '',
  smtp_password_file TEXT NOT NULL DEFAULT '',
  poll_seconds       INTEGER NOT NULL DEFAULT 60,
  enabled            INTEGER NOT NULL DEFAULT 1,
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);

-- Which mailbox a conversation's mail goes through and to whom replies go.
CREATE TABLE mail_threads (
  conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
  mailbox_id      TEXT NOT NULL REFERENCES mailboxes (id),
  address         TEXT NOT NULL,             -- the resident's, as written
  address_key     TEXT NOT NULL,             -- lk_address_key of it
  created_at      BIGINT NOT NULL
);
