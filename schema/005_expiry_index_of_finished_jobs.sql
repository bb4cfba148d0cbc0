-- jobtrack schema, version 5: the expiry indexes hold only what expires.
--
-- Every index whose columns a write changes costs that write a delete and
-- an insert in the index's b-tree, and the first poll of a job usually sets
-- expires_at. Two indexes paid for it on every such poll:
--
-- - jobs_expiry (expires_at alone) serves no query the daemon runs: the
--   sweeper asks per endpoint. It is dropped; the jobs_expiring view sorts.
-- - jobs_endpoint_expiry held active jobs too, which the sweeper never
--   deletes (its questions all say `state NOT IN ('queued', 'running')`).
--   It now holds finished jobs only, so an active job's polls never touch
--   it and it is written once, when the job finishes. The condition is
--   spelled exactly as the sweeper's queries spell it: SQLite uses a
--   partial index only for a query whose WHERE contains the index's terms.

DROP INDEX jobs_expiry;

DROP INDEX jobs_endpoint_expiry;
CREATE INDEX jobs_endpoint_expiry ON jobs (endpoint, expires_at)
  WHERE expires_at IS NOT NULL AND state NOT IN ('queued', 'running');
