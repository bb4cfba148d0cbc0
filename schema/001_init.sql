-- jobtrack schema, version 1.
--
-- jobtrackd runs this file once, inside the single transaction that brings a
-- database up to date, and then records PRAGMA user_version = 1. Times are
-- INTEGER milliseconds since the Unix epoch (UTC); the views at the end render
-- them as ISO 8601 for people reading the database with sqlite3 -readonly.
-- Normalized states: queued and running are active, all others are terminal.

-- One row per tracked job: what the daemon knows about it and when to poll next.
CREATE TABLE jobs (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,  -- local job id; never reused, so an old id never names a new job
  endpoint           TEXT    NOT NULL,        -- name of the configured endpoint (remote API) the job lives on
  remote_id          TEXT    NOT NULL,        -- the job's id at the remote API, verbatim
  label              TEXT,                    -- free-form label given by the submitter
  state              TEXT    NOT NULL         -- normalized state
    CHECK (state IN ('queued', 'running', 'succeeded', 'partial', 'failed',
                     'cancelled', 'expired', 'not_found', 'timed_out')),
  remote_status      TEXT,                    -- the remote API's own status string, verbatim
  progress           REAL,                    -- percent complete, 0..100, when the API reports it
  total              INTEGER,                 -- items the job works on (rows of an import)
  processed          INTEGER,                 -- items processed so far
  succeeded          INTEGER,                 -- items that succeeded
  failed             INTEGER,                 -- items that failed
  result_url         TEXT,                    -- where the result can be downloaded
  error_code         TEXT,                    -- the job's error code, from the remote API or the daemon
  error_message      TEXT,                    -- the job's error message
  detail_json        TEXT,                    -- provider extras as JSON text (e.g. the object an Asana job created)
  submitter_uid      INTEGER NOT NULL,        -- uid of the local user who asked to track the job
  submitted_at       INTEGER NOT NULL,        -- when tracking started
  remote_created_at  INTEGER,                 -- when the remote API says the job was created
  updated_at         INTEGER,                 -- when the remote API last reported a change
  finished_at        INTEGER,                 -- when the job reached a terminal state
  expires_at         INTEGER,                 -- when the row (and its results) may be deleted
  deadline_at        INTEGER,                 -- when a still active job becomes timed_out
  next_poll_at       INTEGER,                 -- when to poll next; NULL once terminal
  last_polled_at     INTEGER,                 -- when the last poll started
  poll_interval_ms   INTEGER NOT NULL DEFAULT 0,  -- current healthy polling interval, grows by the endpoint's factor
  poll_count         INTEGER NOT NULL DEFAULT 0,  -- polls sent so far
  consecutive_errors INTEGER NOT NULL DEFAULT 0,  -- failed polls in a row; drives the retry backoff
  last_poll_error    TEXT,                    -- what went wrong with the most recent failed poll
  seen               INTEGER NOT NULL DEFAULT 0 CHECK (seen IN (0, 1)),  -- 1 once a status response was understood
  not_found_count    INTEGER NOT NULL DEFAULT 0,  -- consecutive 404s before the job was ever seen
  results_stored     INTEGER NOT NULL DEFAULT 0,  -- rows of import_results held for the job
  UNIQUE (endpoint, remote_id)
) STRICT;

-- The scheduler's question: which jobs of an endpoint are due, earliest first.
CREATE INDEX jobs_due ON jobs (endpoint, next_poll_at) WHERE next_poll_at IS NOT NULL;
-- The sweeper's question: which jobs have expired.
CREATE INDEX jobs_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;
-- Listing and counting by state.
CREATE INDEX jobs_state ON jobs (state);
-- Counting an endpoint's jobs, all or active, without reading the rows.
CREATE INDEX jobs_endpoint_state ON jobs (endpoint, state);
-- Listing by label.
CREATE INDEX jobs_label ON jobs (label) WHERE label IS NOT NULL;
-- Listing by submission time.
CREATE INDEX jobs_submitted ON jobs (submitted_at);

-- Every change of a job's state or remote status, oldest first.
CREATE TABLE transitions (
  id            INTEGER PRIMARY KEY,          -- insertion order; breaks ties between equal times
  job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,  -- the job that changed
  at            INTEGER NOT NULL,             -- when the change was observed
  from_state    TEXT                          -- state before; NULL for the job's first transition
    CHECK (from_state IS NULL OR from_state IN ('queued', 'running', 'succeeded', 'partial', 'failed',
                                                'cancelled', 'expired', 'not_found', 'timed_out')),
  to_state      TEXT    NOT NULL              -- state after
    CHECK (to_state IN ('queued', 'running', 'succeeded', 'partial', 'failed',
                        'cancelled', 'expired', 'not_found', 'timed_out')),
  remote_status TEXT,                         -- the remote status string after the change
  progress      REAL,                         -- percent complete at the change
  detail        TEXT                          -- why it changed (error text, "deadline passed", ...)
) STRICT;

-- A job's history in time order; also serves the cascade from jobs.
CREATE INDEX transitions_job ON transitions (job_id, at);

-- Per-row outcomes of an import, as the remote API listed them.
CREATE TABLE import_results (
  job_id        INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,  -- the import job
  row           INTEGER NOT NULL,             -- 0-based position in the remote results array
  record_id     TEXT,                         -- id of the record the row created or matched
  created       INTEGER CHECK (created IS NULL OR created IN (0, 1)),    -- 1 when the row created a record
  existing      INTEGER CHECK (existing IS NULL OR existing IN (0, 1)),  -- 1 when the row matched an existing record
  error_code    TEXT,                         -- the row's error code; NULL when it succeeded
  error_message TEXT,                         -- the row's error message
  PRIMARY KEY (job_id, row)
) WITHOUT ROWID, STRICT;

-- Recent attempts to fetch a job's status, kept for a bounded time.
CREATE TABLE polls (
  id          INTEGER PRIMARY KEY,            -- insertion order
  job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,  -- the job polled
  endpoint    TEXT    NOT NULL,               -- the endpoint asked
  started_at  INTEGER NOT NULL,               -- when the request started
  latency_ms  INTEGER NOT NULL,               -- time until the response (or the failure)
  http_status INTEGER,                        -- HTTP status code; NULL when no response arrived
  outcome     TEXT    NOT NULL,               -- ok, retry, auth, gone, bad_response, client_error
  error       TEXT                            -- what went wrong, when something did
) STRICT;

-- Pruning by age and recent-rate questions.
CREATE INDEX polls_started ON polls (started_at);
-- A job's polls; also serves the cascade from jobs.
CREATE INDEX polls_job ON polls (job_id);

-- Current jobs with readable times; age counts from submission until now,
-- duration from submission until the job finished.
CREATE VIEW jobs_view AS
SELECT
  id,
  endpoint,
  remote_id,
  label,
  state,
  remote_status,
  progress,
  total,
  processed,
  succeeded,
  failed,
  result_url,
  error_code,
  error_message,
  submitter_uid,
  strftime('%Y-%m-%dT%H:%M:%fZ', submitted_at / 1000.0, 'unixepoch') AS submitted,
  strftime('%Y-%m-%dT%H:%M:%fZ', remote_created_at / 1000.0, 'unixepoch') AS remote_created,
  strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated,
  strftime('%Y-%m-%dT%H:%M:%fZ', finished_at / 1000.0, 'unixepoch') AS finished,
  strftime('%Y-%m-%dT%H:%M:%fZ', expires_at / 1000.0, 'unixepoch') AS expires,
  strftime('%Y-%m-%dT%H:%M:%fZ', deadline_at / 1000.0, 'unixepoch') AS deadline,
  strftime('%Y-%m-%dT%H:%M:%fZ', next_poll_at / 1000.0, 'unixepoch') AS next_poll,
  strftime('%Y-%m-%dT%H:%M:%fZ', last_polled_at / 1000.0, 'unixepoch') AS last_polled,
  round((julianday('now') - 2440587.5) * 86400.0 - submitted_at / 1000.0, 3) AS age_s,  -- seconds since submission
  round((finished_at - submitted_at) / 1000.0, 3) AS duration_s,  -- seconds from submission to finish; NULL while active
  poll_count,
  consecutive_errors,
  last_poll_error,
  results_stored
FROM jobs;

-- Every transition with the job it belongs to, readable times.
CREATE VIEW transitions_view AS
SELECT
  t.id,
  t.job_id,
  j.endpoint,
  j.remote_id,
  j.label,
  strftime('%Y-%m-%dT%H:%M:%fZ', t.at / 1000.0, 'unixepoch') AS at,
  t.from_state,
  t.to_state,
  t.remote_status,
  t.progress,
  t.detail
FROM transitions AS t
JOIN jobs AS j ON j.id = t.job_id;

-- Per endpoint: jobs by state, how many are active, the share of terminal jobs
-- that ended badly (failed, not_found, timed_out) and the median seconds from
-- submission to finish.
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
medians AS (
  SELECT endpoint, round(avg(seconds), 3) AS median_finish_s
  FROM durations
  WHERE n IN ((c + 1) / 2, (c + 2) / 2)
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
    sum(state NOT IN ('queued', 'running')) AS terminal
  FROM jobs
  GROUP BY endpoint
)
SELECT
  c.endpoint,
  c.jobs,
  c.queued,
  c.running,
  c.succeeded,
  c.partial,
  c.failed,
  c.cancelled,
  c.expired,
  c.not_found,
  c.timed_out,
  c.active,
  CASE WHEN c.terminal > 0 THEN round(1.0 * c.bad / c.terminal, 4) END AS failure_rate,  -- 0..1; NULL before any job ended
  m.median_finish_s  -- median seconds from submission to finish; NULL before any job finished
FROM counts AS c
LEFT JOIN medians AS m ON m.endpoint = c.endpoint;
