-- 0024: daily rollups of the figures (docs/measure.md).  The same counters,
-- histogram bins and occupancy as the hourly tables of 0016, per Amsterdam
-- day (`day` = the Unix ms of local midnight), with the same channel and
-- team rollups ('*' = all) but no all-time rows.  The writer adds to them
-- in the same upserts before COMMIT as the hourly rows, so a query by day
-- reads one row per day (a year: 365) instead of 24.  Derived like the
-- hourly tables: `loket figures rebuild` empties and recomputes them, and
-- a database from before this migration needs that once.
CREATE TABLE measure_counts_day (
  day         BIGINT NOT NULL,
  channel     TEXT NOT NULL,
  team_id     TEXT NOT NULL,
  created     BIGINT NOT NULL DEFAULT 0,
  inbound     BIGINT NOT NULL DEFAULT 0,
  outbound    BIGINT NOT NULL DEFAULT 0,
  reopened    BIGINT NOT NULL DEFAULT 0,
  backlog_in  BIGINT NOT NULL DEFAULT 0,
  backlog_out BIGINT NOT NULL DEFAULT 0,
  open_created BIGINT NOT NULL DEFAULT 0,
  fcr         BIGINT NOT NULL DEFAULT 0,
  cb          BIGINT NOT NULL DEFAULT 0,
  cb_normed   BIGINT NOT NULL DEFAULT 0,
  cb_met      BIGINT NOT NULL DEFAULT 0,
  fr_n        BIGINT NOT NULL DEFAULT 0,
  fr_ms       BIGINT NOT NULL DEFAULT 0,
  fr_normed   BIGINT NOT NULL DEFAULT 0,
  fr_met      BIGINT NOT NULL DEFAULT 0,
  nr_n        BIGINT NOT NULL DEFAULT 0,
  nr_ms       BIGINT NOT NULL DEFAULT 0,
  nr_normed   BIGINT NOT NULL DEFAULT 0,
  nr_met      BIGINT NOT NULL DEFAULT 0,
  res_n       BIGINT NOT NULL DEFAULT 0,
  res_ms      BIGINT NOT NULL DEFAULT 0,
  res_normed  BIGINT NOT NULL DEFAULT 0,
  res_met     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, team_id, day)
) WITHOUT ROWID;

CREATE TABLE measure_hist_day (
  day     BIGINT NOT NULL,
  channel TEXT NOT NULL,
  team_id TEXT NOT NULL,
  metric  TEXT NOT NULL,
  bin     INTEGER NOT NULL,
  n       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, team_id, day, metric, bin)
) WITHOUT ROWID;

CREATE TABLE measure_occupancy_day (
  day       BIGINT NOT NULL,
  agent_id  TEXT NOT NULL,
  online_ms BIGINT NOT NULL DEFAULT 0,
  busy_ms   BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (agent_id, day)
) WITHOUT ROWID;

-- The oldest open conversation of a channel, a team or both (the backlog
-- tile) without walking the whole backlog: the backlog index gains
-- channel and team, and the all-time rows of measure_counts (hour 0) get
-- a small index of their own, so a query probes the backlog index once
-- per (channel, team) that has anything open.  The writer's UPDATE that
-- changes none of status, created_at, due, channel and team_id still
-- touches no index.
DROP INDEX measure_conv_backlog;
CREATE INDEX measure_conv_backlog ON measure_conv (channel, team_id, created_at)
  WHERE status <> 'resolved';
CREATE INDEX measure_counts_keys ON measure_counts (channel, team_id)
  WHERE hour = 0;
