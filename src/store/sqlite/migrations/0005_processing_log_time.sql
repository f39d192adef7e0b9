-- The processing log read newest first without a party or actor filter
-- (GET /api/v1/processing-log, `loket proclog`): an index on time lets
-- such a query stop at its page instead of sorting the whole log.
CREATE INDEX processing_log_time ON processing_log (time);
