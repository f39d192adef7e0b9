-- 0012: calamity mode (docs/actueel.md).  One row: the published notice of
-- kind calamiteit that is the front page, or NULL when the mode is off.
CREATE TABLE calamity (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  notice_id  TEXT REFERENCES notices (id),
  changed_at INTEGER NOT NULL DEFAULT 0,
  changed_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO calamity (id) VALUES (1);
