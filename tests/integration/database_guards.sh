# The database is WAL, STRICT, foreign-keyed and tagged with jobtrack's
# application_id; a database from a newer schema is refused untouched; a bad
# configuration is refused with its line.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon
ctl track prism a >/dev/null
stop_daemon

assert_eq "$(sql 'PRAGMA journal_mode')" "wal" "WAL mode"
assert_eq "$(sql 'PRAGMA application_id')" "$((0x4A6F6254))" "application_id"
assert_eq "$(sql 'PRAGMA user_version')" "$(ls "$SOURCE_DIR"/schema/*.sql | wc -l)" "user_version is the newest migration"
assert_eq "$(sql "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('jobs','transitions','import_results','polls') AND sql LIKE '%STRICT%'")" "4" "STRICT tables"

sqlite3 "$DB" 'PRAGMA user_version = 99'
before=$(sha256sum "$DB")
set +e
PRISM_API_KEY=k "$JOBTRACKD" --config "$CONFIG" >"$SCRATCH/newer.log" 2>&1
code=$?
set -e
[[ $code -ne 0 ]] || fail "a newer database must be refused"
assert_contains "$(cat "$SCRATCH/newer.log")" "newer" "the refusal says the schema is newer"
assert_eq "$(sha256sum "$DB")" "$before" "the refused database is untouched"

printf 'database = "%s"\n[endpoints.p]\nprovider = "prism"\nbase_url = "http://x"\npoll_max = "6x"\n' "$DB" >"$SCRATCH/bad.toml"
set +e
out=$("$JOBTRACKD" --config "$SCRATCH/bad.toml" --check-config 2>&1)
code=$?
set -e
[[ $code -ne 0 ]] || fail "--check-config refuses a bad duration"
assert_contains "$out" "bad.toml:5:" "the error names the line"
"$JOBTRACKD" --config "$CONFIG" --check-config >/dev/null || fail "--check-config accepts a good file"
pass "database guards"
