-- Audit trail: who did what to which subject, kept apart from the event log
-- because it is retained for years and read by people, not by subscribers.

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  time    BIGINT NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT
);

CREATE INDEX audit_log_subject ON audit_log (subject, time);
