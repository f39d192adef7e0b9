-- 0016: Measure (docs/measure.md): service norms, the live state of every
-- conversation and callback against them, and figures kept as events
-- arrive.  Every table but measure_config is derived from the events
-- table: `loket figures rebuild` empties them and replays the events, and
-- must arrive at the same rows as the writer kept live.

-- The norms and the calendar, one row per version; the newest is in force.
-- A change is announced with a norms.updated event naming its version, so
-- a replay switches at the same point the live writer did.
CREATE TABLE measure_config (
  version    INTEGER PRIMARY KEY,
  config     TEXT NOT NULL,            -- {"calendar": {...}, "norms": [...]}
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL DEFAULT ''
);

-- The live state of each conversation.  Three clocks: first response
-- (fr), next response (nr), resolution (res).  A clock's state is 0 idle,
-- 1 running, 2 paused (the conversation waits on the resident), 3 done;
-- `used` is the time counted before the running stretch that began at
-- `start`; `target` 0 means no norm applies; `deadline` is set while a
-- clock with a norm runs.  `due` is the soonest deadline: the order of
-- the live list.  res_* remember how a resolution was counted, so a
-- reopening can take it back.
CREATE TABLE measure_conv (
  id            TEXT PRIMARY KEY,
  channel       TEXT NOT NULL,
  team_id       TEXT NOT NULL DEFAULT '',
  categories    TEXT NOT NULL DEFAULT '',  -- space-separated ids
  assignee_id   TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL,
  confidential  INTEGER NOT NULL DEFAULT 0,
  created_at    BIGINT NOT NULL,
  inbound       INTEGER NOT NULL DEFAULT 0,
  reopened      INTEGER NOT NULL DEFAULT 0,
  fr_state      INTEGER NOT NULL DEFAULT 0,
  fr_start      BIGINT NOT NULL DEFAULT 0,
  fr_used       BIGINT NOT NULL DEFAULT 0,
  fr_target     BIGINT NOT NULL DEFAULT 0,
  fr_business   INTEGER NOT NULL DEFAULT 0,
  fr_deadline   BIGINT NOT NULL DEFAULT 0,
  nr_state      INTEGER NOT NULL DEFAULT 0,
  nr_start      BIGINT NOT NULL DEFAULT 0,
  nr_used       BIGINT NOT NULL DEFAULT 0,
  nr_target     BIGINT NOT NULL DEFAULT 0,
  nr_business   INTEGER NOT NULL DEFAULT 0,
  nr_deadline   BIGINT NOT NULL DEFAULT 0,
  res_state     INTEGER NOT NULL DEFAULT 0,
  res_start     BIGINT NOT NULL DEFAULT 0,
  res_used      BIGINT NOT NULL DEFAULT 0,
  res_target    BIGINT NOT NULL DEFAULT 0,
  res_business  INTEGER NOT NULL DEFAULT 0,
  res_deadline  BIGINT NOT NULL DEFAULT 0,
  res_hour      BIGINT NOT NULL DEFAULT 0,   -- 0: no resolution counted
  res_ms        BIGINT NOT NULL DEFAULT 0,
  res_met       INTEGER NOT NULL DEFAULT 0,  -- -1 no norm, 0 missed, 1 met
  res_fcr       INTEGER NOT NULL DEFAULT 0,
  res_team      TEXT NOT NULL DEFAULT '',
  due           BIGINT
) WITHOUT ROWID; -- one b-tree: every event reads and writes a row by id
CREATE INDEX measure_conv_due ON measure_conv (due, id) WHERE due IS NOT NULL;
CREATE INDEX measure_conv_backlog ON measure_conv (created_at)
  WHERE status <> 'resolved';

-- Callback tasks: the deadline is the chosen slot (tasks.deadline), or the
-- callback norm's target from creation when no slot was chosen.
CREATE TABLE measure_task (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL DEFAULT '',
  channel         TEXT NOT NULL DEFAULT '',
  team_id         TEXT NOT NULL DEFAULT '',
  confidential    INTEGER NOT NULL DEFAULT 0,
  status          TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  slot            BIGINT NOT NULL DEFAULT 0,
  target          BIGINT NOT NULL DEFAULT 0,
  business        INTEGER NOT NULL DEFAULT 0,
  deadline        BIGINT NOT NULL DEFAULT 0,
  done_hour       BIGINT NOT NULL DEFAULT 0,  -- 0: not counted as done
  done_met        INTEGER NOT NULL DEFAULT 0, -- -1 no deadline, 0 late, 1 on time
  done_channel    TEXT NOT NULL DEFAULT '',
  done_team       TEXT NOT NULL DEFAULT '',
  due             BIGINT
) WITHOUT ROWID;
CREATE INDEX measure_task_due ON measure_task (due, id) WHERE due IS NOT NULL;

-- Counters per UTC hour (start, Unix ms), channel and team ('' for none),
-- one wide row each so that a batch of writes adds to all its counters in
-- one upsert per row.  Rollups are kept alongside: channel '*' is all
-- channels, team_id '*' all teams; so whatever a query filters on, it
-- reads exactly one row per hour, found by the primary key's order
-- (channel, team_id, hour), however long the history.  Hour 0 holds the
-- all-time totals (with the same rollups): /metrics reads them, and the
-- backlog now is backlog_in - backlog_out of all time, its mean creation
-- time open_created / that.  *_n count
-- measured durations, *_ms sum them, *_normed count those a norm applied
-- to, *_met those within it (fr first response, nr next response, res
-- resolution); cb* are callbacks done, with a deadline, on time.
CREATE TABLE measure_counts (
  hour        BIGINT NOT NULL,
  channel     TEXT NOT NULL,
  team_id     TEXT NOT NULL,
  created     BIGINT NOT NULL DEFAULT 0,
  inbound     BIGINT NOT NULL DEFAULT 0,
  outbound    BIGINT NOT NULL DEFAULT 0,
  reopened    BIGINT NOT NULL DEFAULT 0,
  backlog_in  BIGINT NOT NULL DEFAULT 0,
  backlog_out BIGINT NOT NULL DEFAULT 0,
  open_created BIGINT NOT NULL DEFAULT 0,  -- creation times in, minus out
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
  PRIMARY KEY (channel, team_id, hour)
) WITHOUT ROWID;

-- Mergeable histograms of durations: fixed log-scale bins (x1.25 from one
-- second, see core/measure.h) per hour, channel, team and metric, with the
-- same rollups as measure_counts but no all-time rows.
CREATE TABLE measure_hist (
  hour    BIGINT NOT NULL,
  channel TEXT NOT NULL,
  team_id TEXT NOT NULL,
  metric  TEXT NOT NULL,
  bin     INTEGER NOT NULL,
  n       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, team_id, hour, metric, bin)
) WITHOUT ROWID;

-- Agents' presence and load (open conversations assigned), and the time
-- since which it holds; occupancy accrues per hour when it changes.
CREATE TABLE measure_agent (
  agent_id TEXT PRIMARY KEY,
  presence TEXT NOT NULL DEFAULT 'offline',
  load     INTEGER NOT NULL DEFAULT 0,
  since    BIGINT NOT NULL
) WITHOUT ROWID;
CREATE TABLE measure_occupancy (
  hour      BIGINT NOT NULL,
  agent_id  TEXT NOT NULL,
  online_ms BIGINT NOT NULL DEFAULT 0,  -- available or busy
  busy_ms   BIGINT NOT NULL DEFAULT 0,  -- online with an open conversation
  PRIMARY KEY (agent_id, hour)
) WITHOUT ROWID;
