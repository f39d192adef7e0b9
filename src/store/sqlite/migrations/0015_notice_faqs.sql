-- 0015: veelgestelde vragen (FAQs) on an Actueel notice, their edit
-- history, and which earlier texts of an update or FAQ the public may see
-- (docs/notices.md, docs/actueel.md).

CREATE TABLE notice_faqs (
  seq               INTEGER PRIMARY KEY,
  id                TEXT NOT NULL UNIQUE,
  notice_id         TEXT NOT NULL REFERENCES notices (id),
  question          TEXT NOT NULL,
  answer            TEXT NOT NULL,
  position          INTEGER NOT NULL,          -- ascending on the page
  status            TEXT NOT NULL DEFAULT 'published' CHECK (status IN
                    ('published', 'withdrawn')),
  -- The outbound answer it was made from, if any.  No foreign key: a
  -- klantcontact may be erased (Klantinteracties DELETE) and the FAQ,
  -- public text of its own, stays.
  source_contact_id TEXT,
  created_by        TEXT NOT NULL,             -- actor string
  version           INTEGER NOT NULL DEFAULT 1,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  edited_at         BIGINT,                    -- "bijgewerkt om ..."
  withdrawn_at      BIGINT
);
CREATE INDEX notice_faqs_notice ON notice_faqs (notice_id, position, seq);

-- Every earlier question and answer of an edited FAQ.
CREATE TABLE notice_faq_edits (
  seq               INTEGER PRIMARY KEY,
  faq_id            TEXT NOT NULL REFERENCES notice_faqs (id),
  previous_question TEXT NOT NULL,
  previous_answer   TEXT NOT NULL,
  edited_by         TEXT NOT NULL,
  edited_at         BIGINT NOT NULL,
  public            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX notice_faq_edits_faq ON notice_faq_edits (faq_id, seq);

-- An earlier text is shown under "Eerdere versie" unless an edit hid it
-- (a correction that removes what must not stay public).
ALTER TABLE notice_update_edits ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
