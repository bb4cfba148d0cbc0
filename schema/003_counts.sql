-- jobtrack schema, version 3: counts kept by triggers.
--
-- The daemon's status line (every 2 s while busy) and the Status method want
-- jobs per state and the number of transitions. Counting them is a scan of a
-- million rows; reading these few rows is not. Triggers keep them exact for
-- every writer, the daemon and anyone writing with sqlite3 alike; deletes
-- cascading from jobs fire them too.

-- Jobs per normalized state; a state with no jobs may have no row (or 0).
CREATE TABLE job_counts (
  state TEXT    PRIMARY KEY,                  -- normalized state
  jobs  INTEGER NOT NULL                      -- jobs in that state
) WITHOUT ROWID, STRICT;

-- Other totals by name: 'transitions' (rows of the transitions table).
CREATE TABLE row_counts (
  name TEXT    PRIMARY KEY,                   -- what is counted
  rows INTEGER NOT NULL                       -- how many there are
) WITHOUT ROWID, STRICT;

INSERT INTO job_counts (state, jobs) SELECT state, count(*) FROM jobs GROUP BY state;
INSERT INTO row_counts (name, rows) SELECT 'transitions', count(*) FROM transitions;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts (state, jobs) VALUES (new.state, 1)
    ON CONFLICT (state) DO UPDATE SET jobs = jobs + 1;
END;

CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET jobs = jobs - 1 WHERE state = old.state;
END;

CREATE TRIGGER job_counts_update AFTER UPDATE OF state ON jobs WHEN old.state IS NOT new.state BEGIN
  UPDATE job_counts SET jobs = jobs - 1 WHERE state = old.state;
  INSERT INTO job_counts (state, jobs) VALUES (new.state, 1)
    ON CONFLICT (state) DO UPDATE SET jobs = jobs + 1;
END;

CREATE TRIGGER row_counts_transition_insert AFTER INSERT ON transitions BEGIN
  INSERT INTO row_counts (name, rows) VALUES ('transitions', 1)
    ON CONFLICT (name) DO UPDATE SET rows = rows + 1;
END;

CREATE TRIGGER row_counts_transition_delete AFTER DELETE ON transitions BEGIN
  UPDATE row_counts SET rows = rows - 1 WHERE name = 'transitions';
END;
