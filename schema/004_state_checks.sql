-- jobtrack schema, version 4: the same state CHECK constraints, cheaper.
--
-- SQLite evaluates `state IN ('queued', ..., 'timed_out')` in a CHECK by
-- building a temporary b-tree of the nine values for every row written,
-- which cost more than the rest of a poll's writes together. The equivalent
-- chain of `=` comparisons accepts exactly the same values at a fraction of
-- the cost. Only the constraint text changes, never what is stored, so the
-- table definitions are edited in place (SQLite's documented writable_schema
-- procedure for changes that leave the file's content valid) instead of
-- copying every row into new tables; `PRAGMA writable_schema = RESET` makes
-- this connection reparse the schema before the transaction commits.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema
SET sql = replace(sql,
  'CHECK (state IN (''queued'', ''running'', ''succeeded'', ''partial'', ''failed'',
                     ''cancelled'', ''expired'', ''not_found'', ''timed_out''))',
  'CHECK (state = ''queued'' OR state = ''running'' OR state = ''succeeded''
           OR state = ''partial'' OR state = ''failed'' OR state = ''cancelled''
           OR state = ''expired'' OR state = ''not_found'' OR state = ''timed_out'')')
WHERE type = 'table' AND name = 'jobs';

UPDATE sqlite_schema
SET sql = replace(replace(sql,
  'CHECK (from_state IS NULL OR from_state IN (''queued'', ''running'', ''succeeded'', ''partial'', ''failed'',
                                                ''cancelled'', ''expired'', ''not_found'', ''timed_out''))',
  'CHECK (from_state IS NULL OR from_state = ''queued'' OR from_state = ''running''
           OR from_state = ''succeeded'' OR from_state = ''partial'' OR from_state = ''failed''
           OR from_state = ''cancelled'' OR from_state = ''expired'' OR from_state = ''not_found''
           OR from_state = ''timed_out'')'),
  'CHECK (to_state IN (''queued'', ''running'', ''succeeded'', ''partial'', ''failed'',
                        ''cancelled'', ''expired'', ''not_found'', ''timed_out''))',
  'CHECK (to_state = ''queued'' OR to_state = ''running'' OR to_state = ''succeeded''
           OR to_state = ''partial'' OR to_state = ''failed'' OR to_state = ''cancelled''
           OR to_state = ''expired'' OR to_state = ''not_found'' OR to_state = ''timed_out'')')
WHERE type = 'table' AND name = 'transitions';

PRAGMA writable_schema = RESET;
