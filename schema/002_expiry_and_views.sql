-- jobtrack schema, version 2: what the sweeper needs, and views for people.
--
-- The sweeper deletes a job (with its transitions, results and polls) once
-- expires_at plus the endpoint's keep_after_expiry has passed; it asks per
-- endpoint, earliest expiry first, so it needs (endpoint, expires_at). The
-- views of version 1 are recreated with readable durations beside the
-- numeric ones; every column of version 1 keeps its name and meaning, so
-- queries written against version 1 still work.
--
-- Readable durations are '[Nd ]HH:MM:SS' text; the *_s columns hold the same
-- durations as seconds (REAL, millisecond precision) for arithmetic.

-- The sweeper's question: an endpoint's jobs in expiry order.
CREATE INDEX jobs_endpoint_expiry ON jobs (endpoint, expires_at) WHERE expires_at IS NOT NULL;
-- Questions about finished jobs by time ("failed yesterday", per-day stats).
CREATE INDEX jobs_endpoint_finished ON jobs (endpoint, finished_at) WHERE finished_at IS NOT NULL;

DROP VIEW jobs_view;
DROP VIEW transitions_view;
DROP VIEW endpoint_stats;

-- Current jobs with readable times: one row per job, columns as in version 1
-- plus age (since submission), duration (submission to finish) and
-- expires_in (until the job may be deleted; negative once past) as text.
CREATE VIEW jobs_view AS
WITH j AS (
  SELECT
    *,
    CAST(((julianday('now') - 2440587.5) * 86400000.0 - submitted_at) / 1000 AS INTEGER) AS age_whole,
    CAST((finished_at - submitted_at) / 1000 AS INTEGER) AS duration_whole,
    CAST((expires_at - (julianday('now') - 2440587.5) * 86400000.0) / 1000 AS INTEGER) AS expires_whole
  FROM jobs
)
SELECT
  id,                  -- local job id
  endpoint,            -- configured endpoint name
  remote_id,           -- the remote API's job id
  label,               -- the submitter's label
  state,               -- normalized state
  remote_status,       -- the remote API's status string
  progress,            -- percent complete
  total,               -- items in the job
  processed,           -- items processed
  succeeded,           -- items that succeeded
  failed,              -- items that failed
  result_url,          -- where the result can be fetched
  error_code,          -- the job's error code
  error_message,       -- the job's error message
  submitter_uid,       -- who asked to track it
  strftime('%Y-%m-%dT%H:%M:%fZ', submitted_at / 1000.0, 'unixepoch') AS submitted,  -- tracking started
  strftime('%Y-%m-%dT%H:%M:%fZ', remote_created_at / 1000.0, 'unixepoch') AS remote_created,  -- created remotely
  strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated,  -- last remote change
  strftime('%Y-%m-%dT%H:%M:%fZ', finished_at / 1000.0, 'unixepoch') AS finished,  -- reached a terminal state
  strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') AS expires,  -- may be deleted from then on
  strftime('%Y-%m-%dT%H:%M:%fZ', deadline_at / 1000.0, 'unixepoch') AS deadline,  -- becomes timed_out then
  strftime('%Y-%m-%dT%H:%M:%fZ', next_poll_at / 1000.0, 'unixepoch') AS next_poll,  -- next status request
  strftime('%Y-%m-%dT%H:%M:%fZ', last_polled_at / 1000.0, 'unixepoch') AS last_polled,  -- last status request
  round((julianday('now') - 2440587.5) * 86400.0 - submitted_at / 1000.0, 3) AS age_s,  -- seconds since submission
  round((finished_at - submitted_at) / 1000.0, 3) AS duration_s,  -- seconds from submission to finish; NULL while active
  poll_count,          -- polls sent
  consecutive_errors,  -- failed polls in a row
  last_poll_error,     -- the latest poll failure
  results_stored,      -- rows of import_results held
  CASE WHEN age_whole >= 86400
       THEN printf('%dd %02d:%02d:%02d', age_whole / 86400, age_whole % 86400 / 3600, age_whole % 3600 / 60, age_whole % 60)
       ELSE printf('%02d:%02d:%02d', age_whole / 3600, age_whole % 3600 / 60, age_whole % 60) END AS age,  -- age_s as text
  CASE WHEN duration_whole IS NULL THEN NULL
       WHEN duration_whole >= 86400
       THEN printf('%dd %02d:%02d:%02d', duration_whole / 86400, duration_whole % 86400 / 3600,
                   duration_whole % 3600 / 60, duration_whole % 60)
       ELSE printf('%02d:%02d:%02d', duration_whole / 3600, duration_whole % 3600 / 60, duration_whole % 60)
  END AS duration,     -- duration_s as text; NULL while active
  CASE WHEN expires_whole IS NULL THEN NULL
       WHEN expires_whole < 0 THEN 'expired'
       WHEN expires_whole >= 86400
       THEN printf('%dd %02d:%02d:%02d', expires_whole / 86400, expires_whole % 86400 / 3600,
                   expires_whole % 3600 / 60, expires_whole % 60)
       ELSE printf('%02d:%02d:%02d', expires_whole / 3600, expires_whole % 3600 / 60, expires_whole % 60)
  END AS expires_in    -- time left until expires; 'expired' once past (deletion follows after the grace)
FROM j;

-- Every transition with its job and readable times, plus how long the job
-- spent in the state it left (time since its previous transition).
CREATE VIEW transitions_view AS
WITH t AS (
  SELECT
    *,
    at - lag(at) OVER (PARTITION BY job_id ORDER BY at, id) AS since_previous_ms
  FROM transitions
)
SELECT
  t.id,             -- transition id (insertion order)
  t.job_id,         -- the job
  j.endpoint,       -- its endpoint
  j.remote_id,      -- its remote id
  j.label,          -- its label
  strftime('%Y-%m-%dT%H:%M:%fZ', t.at / 1000.0, 'unixepoch') AS at,  -- when the change was seen
  t.from_state,     -- state before (NULL for the first)
  t.to_state,       -- state after
  t.remote_status,  -- remote status after
  t.progress,       -- percent complete then
  t.detail,         -- why it changed
  round(t.since_previous_ms / 1000.0, 3) AS since_previous_s,  -- seconds spent in from_state; NULL for the first
  CASE WHEN t.since_previous_ms IS NULL THEN NULL
       WHEN t.since_previous_ms >= 86400000
       THEN printf('%dd %02d:%02d:%02d', t.since_previous_ms / 86400000, t.since_previous_ms % 86400000 / 3600000,
                   t.since_previous_ms % 3600000 / 60000, t.since_previous_ms % 60000 / 1000)
       ELSE printf('%02d:%02d:%02d', t.since_previous_ms / 3600000, t.since_previous_ms % 3600000 / 60000,
                   t.since_previous_ms % 60000 / 1000)
  END AS since_previous  -- since_previous_s as text
FROM t
JOIN jobs AS j ON j.id = t.job_id;

-- Per endpoint: jobs by state, active ones, the share of terminal jobs that
-- ended badly (failed, not_found, timed_out), the median and 90th percentile
-- seconds from submission to finish, and the latest finish.
CREATE VIEW endpoint_stats AS
WITH durations AS (
  SELECT
    endpoint,
    (finished_at - submitted_at) / 1000.0 AS seconds,
    row_number() OVER (PARTITION BY endpoint ORDER BY finished_at - submitted_at) AS n,
    count(*) OVER (PARTITION BY endpoint) AS c
  FROM jobs
  WHERE finished_at IS NOT NULL
),
percentiles AS (
  SELECT
    endpoint,
    round(avg(CASE WHEN n IN ((c + 1) / 2, (c + 2) / 2) THEN seconds END), 3) AS median_finish_s,
    round(max(CASE WHEN n <= (c * 9 + 9) / 10 THEN seconds END), 3) AS p90_finish_s
  FROM durations
  GROUP BY endpoint
),
counts AS (
  SELECT
    endpoint,
    count(*) AS jobs,
    sum(state = 'queued') AS queued,
    sum(state = 'running') AS running,
    sum(state = 'succeeded') AS succeeded,
    sum(state = 'partial') AS partial,
    sum(state = 'failed') AS failed,
    sum(state = 'cancelled') AS cancelled,
    sum(state = 'expired') AS expired,
    sum(state = 'not_found') AS not_found,
    sum(state = 'timed_out') AS timed_out,
    sum(state IN ('queued', 'running')) AS active,
    sum(state IN ('failed', 'not_found', 'timed_out')) AS bad,
    sum(state NOT IN ('queued', 'running')) AS terminal,
    max(finished_at) AS last_finished_at
  FROM jobs
  GROUP BY endpoint
)
SELECT
  c.endpoint,   -- endpoint name
  c.jobs,       -- jobs held
  c.queued,     -- jobs per state ...
  c.running,
  c.succeeded,
  c.partial,
  c.failed,
  c.cancelled,
  c.expired,
  c.not_found,
  c.timed_out,  -- ... up to here
  c.active,     -- queued + running
  CASE WHEN c.terminal > 0 THEN round(1.0 * c.bad / c.terminal, 4) END AS failure_rate,  -- 0..1; NULL before any job ended
  p.median_finish_s,  -- median seconds from submission to finish; NULL before any job finished
  p.p90_finish_s,     -- 90% of finished jobs took at most this many seconds
  strftime('%Y-%m-%dT%H:%M:%fZ', c.last_finished_at / 1000.0, 'unixepoch') AS last_finished  -- the latest finish
FROM counts AS c
LEFT JOIN percentiles AS p ON p.endpoint = c.endpoint;

-- Per endpoint and UTC day of finishing: how many jobs finished, how they
-- ended and how long they took ("how long Trade Desk jobs take by day").
CREATE VIEW endpoint_daily AS
WITH finished AS (
  SELECT
    endpoint,
    date(finished_at / 1000, 'unixepoch') AS day,
    state,
    (finished_at - submitted_at) / 1000.0 AS seconds
  FROM jobs
  WHERE finished_at IS NOT NULL
),
ranked AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY endpoint, day ORDER BY seconds) AS n,
    count(*) OVER (PARTITION BY endpoint, day) AS c
  FROM finished
)
SELECT
  endpoint,                                    -- endpoint name
  day,                                         -- UTC date the jobs finished, YYYY-MM-DD
  count(*) AS finished,                        -- jobs that finished that day
  sum(state = 'succeeded') AS succeeded,       -- of which succeeded
  sum(state = 'partial') AS partial,           -- partly succeeded
  sum(state IN ('failed', 'not_found', 'timed_out')) AS bad,  -- ended badly
  round(1.0 * sum(state IN ('failed', 'not_found', 'timed_out')) / count(*), 4) AS failure_rate,  -- bad / finished
  round(avg(CASE WHEN n IN ((c + 1) / 2, (c + 2) / 2) THEN seconds END), 3) AS median_s,  -- median seconds to finish
  round(avg(seconds), 3) AS avg_s,             -- mean seconds to finish
  round(min(seconds), 3) AS min_s,             -- fastest
  round(max(seconds), 3) AS max_s              -- slowest
FROM ranked
GROUP BY endpoint, day;

-- Jobs that will be deleted, soonest first; expires_in_s is negative once
-- expires has passed (deletion follows after the endpoint's keep_after_expiry).
CREATE VIEW jobs_expiring AS
SELECT
  id,              -- local job id
  endpoint,        -- endpoint name
  remote_id,       -- remote job id
  label,           -- the submitter's label
  state,           -- normalized state
  strftime('%Y-%m-%dT%H:%M:%fZ', finished_at / 1000.0, 'unixepoch') AS finished,  -- when it finished
  strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') AS expires,  -- when it expires
  round(expires_at / 1000.0 - (julianday('now') - 2440587.5) * 86400.0, 3) AS expires_in_s,  -- seconds until then
  results_stored   -- result rows deleted with it
FROM jobs
WHERE expires_at IS NOT NULL
ORDER BY expires_at;

-- Rows of imports that failed, with their job.
CREATE VIEW import_errors AS
SELECT
  r.job_id,         -- the import job
  j.endpoint,       -- its endpoint
  j.remote_id,      -- its remote id
  j.label,          -- its label
  r.row,            -- 0-based row in the remote results
  r.record_id,      -- record the row concerned, when known
  r.error_code,     -- the row's error code
  r.error_message   -- the row's error message
FROM import_results AS r
JOIN jobs AS j ON j.id = r.job_id
WHERE r.error_code IS NOT NULL OR r.error_message IS NOT NULL;

-- Poll attempts with readable times, newest first.
CREATE VIEW polls_view AS
SELECT
  p.id,             -- poll id
  p.job_id,         -- the job polled
  p.endpoint,       -- the endpoint asked
  j.remote_id,      -- the job's remote id
  strftime('%Y-%m-%dT%H:%M:%fZ', p.started_at / 1000.0, 'unixepoch') AS started,  -- when the request started
  p.latency_ms,     -- milliseconds until the answer or failure
  p.http_status,    -- HTTP status; NULL without a response
  p.outcome,        -- ok, retry, auth, gone, bad_response, client_error
  p.error           -- what went wrong
FROM polls AS p
JOIN jobs AS j ON j.id = p.job_id
ORDER BY p.started_at DESC, p.id DESC;
