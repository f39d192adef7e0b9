-- The full-text index is filled once per commit instead of once per write.
--
-- FTS5 flushes the terms it holds in memory to a new index segment
-- whenever a savepoint it took part in is released, and the writer runs
-- every write in its own savepoint: with the insert trigger of 0003 each
-- new message became a segment of its own, and FTS5 kept merging those
-- (a fifth of the writer's time per created conversation).  Now the
-- trigger only queues the message's seq; the writer indexes the queue in
-- one statement just before each COMMIT (lk_store_fts_flush in
-- src/store/search.c), in the same transaction, so the index still
-- commits together with the messages and no reader ever sees one without
-- the other.  The party name indexed is the conversation's party at that
-- moment rather than at the insert, a difference within one transaction.
CREATE TABLE contacts_fts_queue (
  seq INTEGER PRIMARY KEY
);

DROP TRIGGER contacts_fts_insert;
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts
BEGIN
  INSERT INTO contacts_fts_queue (seq) VALUES (new.seq)
  ON CONFLICT (seq) DO NOTHING;
END;

-- A message deleted before its commit is not indexed at all; one deleted
-- later leaves the index through 0003's delete trigger.
CREATE TRIGGER contacts_fts_unqueue AFTER DELETE ON contacts
BEGIN
  DELETE FROM contacts_fts_queue WHERE seq = old.seq;
END;
