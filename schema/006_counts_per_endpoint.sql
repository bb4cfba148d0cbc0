-- jobtrack schema, version 6: jobs counted per endpoint and state.
--
-- jobs_endpoint_state (endpoint, state) served one question only: how many
-- jobs, all or active, an endpoint has (ListEndpoints). Every change of a
-- job's state paid for it with a delete and an insert in its b-tree, and
-- every job changes state at least twice (queued -> running -> finished).
-- job_counts now answers that question itself, a row per endpoint and
-- state, kept exact by the triggers below for every writer but the daemon,
-- which counts its own writes (daemon/count_deltas.h). Listing by state
-- still has jobs_state.

DROP TRIGGER job_counts_insert;
DROP TRIGGER job_counts_delete;
DROP TRIGGER job_counts_update;
DROP TABLE job_counts;

-- Jobs per endpoint and normalized state; a pair with no jobs may have no
-- row (or 0).
CREATE TABLE job_counts (
  endpoint TEXT    NOT NULL,                  -- endpoint name, as in jobs
  state    TEXT    NOT NULL,                  -- normalized state
  jobs     INTEGER NOT NULL,                  -- jobs of that endpoint in that state
  PRIMARY KEY (endpoint, state)
) WITHOUT ROWID, STRICT;

INSERT INTO job_counts (endpoint, state, jobs)
  SELECT endpoint, state, count(*) FROM jobs GROUP BY endpoint, state;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (endpoint, state, jobs) VALUES (new.endpoint, new.state, 1)
    ON CONFLICT (endpoint, state) DO UPDATE SET jobs = jobs + 1;
END;

CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET jobs = jobs - 1 WHERE endpoint = old.endpoint AND state = old.state;
END;

CREATE TRIGGER job_counts_update AFTER UPDATE OF endpoint, state ON jobs
  WHEN old.state IS NOT new.state OR old.endpoint IS NOT new.endpoint BEGIN
  UPDATE job_counts SET jobs = jobs - 1 WHERE endpoint = old.endpoint AND state = old.state;
  INSERT INTO job_counts (endpoint, state, jobs) VALUES (new.endpoint, new.state, 1)
    ON CONFLICT (endpoint, state) DO UPDATE SET jobs = jobs + 1;
END;

DROP INDEX jobs_endpoint_state;
