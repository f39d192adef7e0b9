-- Assignment and party merges: indexes for the questions the round-robin
-- assigner asks on every pass, so a pass costs a few index look-ups however
-- long the queue or the history (see docs/assignment.md).

-- The head of one team's queue (team_id NULL: the conversations without a
-- team): open, unassigned, waiting, oldest first.
CREATE INDEX conversations_team_queue ON conversations (team_id, waiting_since)
  WHERE waiting_since IS NOT NULL AND status = 'open'
    AND assignee_id IS NULL;

-- Snoozed conversations whose time has come.  (status, snoozed_until)
-- rather than snoozed_until alone, so the planner prefers it to
-- conversations_status for "status = 'snoozed' AND snoozed_until <= ?".
CREATE INDEX conversations_snoozed ON conversations (status, snoozed_until)
  WHERE status = 'snoozed';

-- The merges a party took part in as the merged one.
CREATE INDEX party_merges_merged ON party_merges (merged_id);
