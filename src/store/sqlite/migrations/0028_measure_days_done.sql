-- 0028: daily rollups written once a day is over (docs/measure.md).  Until
-- now every batch of writes added to the daily rows of 0024 as well as to
-- the hourly ones, a quarter of what keeping the figures cost a write.
-- Now a day's rows are summed from its hourly rows once, by the first
-- batch of writes after it (idempotently: INSERT OR REPLACE), and `through`
-- says up to which local midnight that happened: a query by day reads the
-- daily rows before it and sums the hourly rows from it on (the day in
-- progress: at most a few dozen rows).  A late change to a day already
-- rolled up (a reopening takes back a resolution in its hour) still adds to
-- both.  Derived like the other measure tables: `loket figures rebuild`
-- empties and recomputes it.
CREATE TABLE measure_days (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  through BIGINT NOT NULL  -- days before this local midnight are rolled up
);
-- Until now the daily rows were complete but for the newest day.
INSERT INTO measure_days (id, through)
  SELECT 1, MAX(day) FROM measure_counts_day HAVING MAX(day) IS NOT NULL;
