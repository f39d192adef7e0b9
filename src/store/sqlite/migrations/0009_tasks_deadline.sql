-- The task list of /api/v1/tasks runs earliest deadline first, tasks
-- without one last, ties by creation: this index walks that order, so a
-- first page stops after `limit` visible rows instead of sorting them all.
CREATE INDEX tasks_deadline_order
  ON tasks (COALESCE(deadline, 9223372036854775807), seq);
