-- 0025: the outbox's staff list and its retention (docs/outbox.md).
-- GET /api/v1/outbox filters by state, kind or both, newest first (by
-- seq); each filter has an index that yields its rows in that order, so a
-- page reads its rows and no more.  The retention deletes sent and failed
-- rows by state and age.
CREATE INDEX outbox_state_seq ON outbox (state, seq);
CREATE INDEX outbox_kind_seq ON outbox (kind, seq);
CREATE INDEX outbox_state_kind_seq ON outbox (state, kind, seq);
CREATE INDEX outbox_state_updated ON outbox (state, updated_at);
