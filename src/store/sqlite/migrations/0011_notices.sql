-- Actueel: public notices (calamities, road closures, disruptions, events)
-- and their short timestamped updates.  Staff publish at once; a notice
-- kind may require a second person to approve before it goes out.

CREATE TABLE notice_kinds (
  kind                   TEXT PRIMARY KEY,
  requires_second_person INTEGER NOT NULL DEFAULT 0
);
INSERT INTO notice_kinds (kind) VALUES
  ('calamiteit'), ('wegafsluiting'), ('storing'), ('evenement');

CREATE TABLE notices (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL REFERENCES notice_kinds (kind),
  title           TEXT NOT NULL,
  body            TEXT NOT NULL DEFAULT '',
  severity        TEXT NOT NULL DEFAULT 'informatie' CHECK (severity IN
                  ('informatie', 'waarschuwing', 'ernstig', 'zeer-ernstig')),
  -- The affected area as JSON: {"type":"circle","center":[lon,lat],
  -- "radius":metres} or {"type":"polygon","coordinates":[[lon,lat],...]}.
  area            TEXT NOT NULL DEFAULT '{}',
  postcodes       TEXT NOT NULL DEFAULT '',  -- space-separated PC4 or PC6
  status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                  ('draft', 'awaiting-approval', 'published', 'ended',
                   'withdrawn')),
  starts_at       BIGINT,
  expected_end_at BIGINT,
  published_at    BIGINT,
  ended_at        BIGINT,
  created_by      TEXT NOT NULL,              -- actor string
  approved_by     TEXT,                       -- the second person
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX notices_status ON notices (status, published_at);

CREATE TABLE notice_updates (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  notice_id    TEXT NOT NULL REFERENCES notices (id),
  body         TEXT NOT NULL,
  author       TEXT NOT NULL,                 -- actor string
  published_at BIGINT NOT NULL,
  edited_at    BIGINT,                        -- shown as "bijgewerkt om ..."
  created_at   BIGINT NOT NULL
);
CREATE INDEX notice_updates_notice ON notice_updates (notice_id, published_at);

-- Every earlier text of an edited update, so an edit stays visible.
CREATE TABLE notice_update_edits (
  seq           INTEGER PRIMARY KEY,
  update_id     TEXT NOT NULL REFERENCES notice_updates (id),
  previous_body TEXT NOT NULL,
  edited_by     TEXT NOT NULL,
  edited_at     BIGINT NOT NULL
);
CREATE INDEX notice_update_edits_update ON notice_update_edits (update_id);
