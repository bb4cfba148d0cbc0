# Shared harness of the integration tests: each test is a bash script that
# sources this file, starts the real fakeapi and the real jobtrackd in a
# scratch directory, drives them with the real jobtrackctl, and asserts on
# the CLI's output and on the SQLite file through the sqlite3 CLI.
#
# ctest passes JOBTRACKD, JOBTRACKCTL, FAKEAPI and SOURCE_DIR. Set
# KEEP_SCRATCH=1 to keep the scratch directory of a failed run.
set -euo pipefail

: "${JOBTRACKD:?set JOBTRACKD to the jobtrackd binary}"
: "${JOBTRACKCTL:?set JOBTRACKCTL to the jobtrackctl binary}"
: "${FAKEAPI:?set FAKEAPI to the fakeapi binary}"

SCRATCH=$(mktemp -d /tmp/jobtrack-test.XXXXXX)
DB="$SCRATCH/jobtrack.db"
SOCK="$SCRATCH/jobtrack.sock"
CONFIG="$SCRATCH/jobtrackd.toml"
DAEMON_LOG="$SCRATCH/jobtrackd.log"
DAEMON_PID=""
FAKE_PID=""
FAKE_PORT=""
FAKE_URL=""
EXTRA_PIDS=()  # more processes a test started (second fakeapi, loops): killed on exit
export JOBTRACK_SOCKET="$SOCK"
export NO_COLOR=1

cleanup() {
  local status=$?
  [[ -n "$DAEMON_PID" ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [[ -n "$FAKE_PID" ]] && kill -TERM "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null || true
  local pid
  for pid in "${EXTRA_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    echo "--- jobtrackd log (last 40 lines) ---" >&2
    tail -n 40 "$DAEMON_LOG" 2>/dev/null >&2 || true
    if [[ -f "$DB" ]]; then
      echo "--- jobs (first 20) ---" >&2
      sqlite3 -readonly "$DB" "SELECT id, endpoint, remote_id, state, poll_count, last_poll_error FROM jobs
        ORDER BY id LIMIT 20" >&2 2>/dev/null || true
    fi
  fi
  if [[ $status -ne 0 && -n "${KEEP_SCRATCH:-}" ]]; then
    echo "scratch kept in $SCRATCH" >&2
  else
    rm -rf "$SCRATCH"
  fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() { echo "ok: $*"; }

assert_eq() {  # actual expected message
  [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"
}

assert_contains() {  # haystack needle message
  [[ "$1" == *"$2"* ]] || fail "$3: '$2' not found in: $1"
}

# Every wait below may last WAIT_SCALE times the seconds it is given: a loaded
# CI machine or the sanitizer build runs several times slower than a desk, and
# a wait that is met returns at once, so the slack costs only failing runs.
WAIT_SCALE=${WAIT_SCALE:-3}

# Runs a command until it succeeds, for at most $1 seconds (times WAIT_SCALE).
wait_until() {
  local seconds=$(($1 * WAIT_SCALE))
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for: $*"
    sleep 0.05
  done
}

# Evaluates the shell condition $2 again and again until it holds, for at
# most $1 seconds: wait_for 10 '[[ $(job_field 1 state) == running ]]'.
# (wait_until's arguments are expanded once, before the first try.)
wait_for() {
  local seconds=$(($1 * WAIT_SCALE))
  local deadline=$((SECONDS + seconds))
  until eval "$2" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for: $2"
    sleep 0.05
  done
}

start_fakeapi() {  # extra fakeapi arguments
  "$FAKEAPI" --port 0 --port-file "$SCRATCH/fake.port" "$@" >"$SCRATCH/fakeapi.log" 2>&1 &
  FAKE_PID=$!
  wait_until 10 test -s "$SCRATCH/fake.port"
  FAKE_PORT=$(cat "$SCRATCH/fake.port")
  FAKE_URL="http://127.0.0.1:$FAKE_PORT"
}

# Creates or replaces a scripted job: fake_job '{"api": "prism", "id": ..., "steps": [...]}'
fake_job() {
  curl -fsS -X POST "$FAKE_URL/_control/jobs" -d "$1" >/dev/null
}

fake_polls() {  # api id -> how many polls the job has seen
  curl -fsS "$FAKE_URL/_control/jobs/$1/$2" | jq -r .polls
}

fake_requests() {  # api id -> JSON array of received requests
  curl -fsS "$FAKE_URL/_control/requests?api=$1&id=$2"
}

# Writes the configuration: the common head, then stdin (endpoint tables).
# "@FAKE@" in stdin becomes the fake API's base URL.
write_config() {
  {
    printf 'database = "%s"\nsocket = "%s"\nlog_level = "debug"\n\n' "$DB" "$SOCK"
    sed "s|@FAKE@|$FAKE_URL|g"
  } >"$CONFIG"
}

# The usual Prism endpoint against fakeapi, polling fast.
prism_config() {
  write_config <<'EOF_CONFIG'
[endpoints.prism]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
poll_max = "400ms"
retry_initial = "100ms"
retry_max = "500ms"
timeout = "5s"
EOF_CONFIG
}

start_daemon() {
  PRISM_API_KEY="${PRISM_API_KEY:-test-key}" "$JOBTRACKD" --config "$CONFIG" >>"$DAEMON_LOG" 2>&1 &
  DAEMON_PID=$!
  wait_until 30 test -S "$SOCK"
  wait_until 30 "$JOBTRACKCTL" status
}

stop_daemon() {
  kill -TERM "$DAEMON_PID"
  wait "$DAEMON_PID" || fail "jobtrackd exited with $? on SIGTERM"
  DAEMON_PID=""
}

kill_daemon() {
  kill -KILL "$DAEMON_PID" 2>/dev/null || true
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}

ctl() { "$JOBTRACKCTL" "$@"; }

# True in the sanitizer run (scripts/test --sanitize sets ASAN_OPTIONS): its
# quarantine inflates memory figures, and its runtime must be loaded first.
sanitized() { [[ -n "${ASAN_OPTIONS:-}" ]]; }

sql() { sqlite3 -readonly "$DB" "$@"; }

job_field() {  # JOB FIELD
  ctl --json show "$1" | jq -r ".$2"
}

job_state_is() { [[ "$(job_field "$1" state)" == "$2" ]]; }

# --- Shared by the fault, crash-loop and clock tests -------------------------

now_ms() { date +%s%3N; }

# Writes a configuration with two Prism endpoints on the fake API:
#  - `faulty`, the endpoint under test: polls fast; $1 holds extra or
#    overriding "key = value" lines for it (a key given there replaces the
#    default one);
#  - `calm`, a healthy endpoint polled every 200 ms (factor 1), whose jobs
#    must stay on schedule whatever happens to `faulty` (calm_start,
#    calm_mark, calm_check).
# $2: further endpoint tables, verbatim ("@FAKE@" works there too).
fault_config() {
  local overrides=${1:-} line key faulty=""
  local defaults=('poll_initial = "100ms"' 'poll_max = "300ms"' 'retry_initial = "100ms"'
    'retry_max = "400ms"' 'timeout = "5s"')
  for line in "${defaults[@]}"; do
    key=${line%% *}
    grep -qE "^[[:space:]]*$key[[:space:]]*=" <<<"$overrides" || faulty+="$line"$'\n'
  done
  write_config <<EOF_CONFIG
[endpoints.faulty]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
$faulty$overrides

[endpoints.calm]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "200ms"
poll_max = "200ms"
poll_factor = 1.0
timeout = "5s"

${2:-}
EOF_CONFIG
}

CALM_JOBS=3
CALM_MARK_POLLS=0
CALM_MARK_AT=0

# Tracks CALM_JOBS forever-running jobs on the `calm` endpoint.
calm_start() {
  local n
  for ((n = 1; n <= CALM_JOBS; n++)); do
    fake_job "{\"api\": \"prism\", \"id\": \"calm$n\", \"steps\": [{\"status\": \"processing\", \"progress\": 10}]}"
    ctl track calm "calm$n" >/dev/null
  done
  wait_until 10 calm_polled_at_least "$CALM_JOBS"
  calm_mark
}

calm_polls() { sql "SELECT coalesce(sum(poll_count), 0) FROM jobs WHERE endpoint = 'calm'"; }
calm_polled_at_least() { (($(calm_polls) >= $1)); }

calm_mark() {
  CALM_MARK_POLLS=$(calm_polls)
  CALM_MARK_AT=$(now_ms)
}

# Asserts that the calm jobs kept their 200 ms schedule since calm_mark:
# at least 40% of the polls they were due (a loaded machine is slow) and
# not a flood; then marks again. $1 says what was going on meanwhile.
calm_check() {
  local polls at elapsed expected got
  polls=$(calm_polls)
  at=$(now_ms)
  elapsed=$((at - CALM_MARK_AT))
  expected=$((CALM_JOBS * elapsed / 200))
  got=$((polls - CALM_MARK_POLLS))
  ((got * 10 >= expected * 4)) ||
    fail "$1: the calm endpoint fell behind: $got polls in $elapsed ms, about $expected were due"
  ((got <= expected * 2 + 2 * CALM_JOBS)) ||
    fail "$1: the calm endpoint polled too often: $got polls in $elapsed ms, about $expected were due"
  calm_mark
}

# A job's polls, oldest first, one "outcome|http_status|error" line each.
job_polls() { sql "SELECT outcome || '|' || coalesce(http_status, '') || '|' || coalesce(error, '') FROM polls WHERE job_id = $1 ORDER BY id"; }

# A job's states in order, comma-separated (queued,running,...).
job_states() { sql "SELECT group_concat(to_state, ',') FROM (SELECT to_state FROM transitions WHERE job_id = $1 ORDER BY id)"; }

job_poll_count() { sql "SELECT poll_count FROM jobs WHERE id = $1"; }
job_polled_at_least() { (($(job_poll_count "$1") >= $2)); }  # JOB N

# Arrival times (ms since the epoch) of fakeapi's requests for api/id, oldest first.
fake_request_times() {
  fake_requests "$1" "$2" | jq -r '.[].time | (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) * 1000
    + (capture("\\.(?<ms>[0-9]+)Z$").ms | tonumber)'
}

# Starts another fakeapi listening on $1 (e.g. 127.0.0.2); its base URL goes
# to OTHER_URL. Stopped on exit.
start_other_fakeapi() {
  rm -f "$SCRATCH/other.port"
  "$FAKEAPI" --listen "$1" --port 0 --port-file "$SCRATCH/other.port" >"$SCRATCH/other-fakeapi.log" 2>&1 &
  EXTRA_PIDS+=($!)
  wait_until 10 test -s "$SCRATCH/other.port"
  OTHER_URL="http://$1:$(cat "$SCRATCH/other.port")"
}

# The crash loop (crash_loop.sh, crash_loop.slow.sh): while a background loop
# tracks new Prism jobs (recording each acknowledged id) and the daemon polls
# them and ingests their result sets (every 5th has $2 rows, the others 10),
# SIGKILL the daemon $1 times at random moments and start it again. Then:
# every acknowledged Track is there, no result set is half-stored, the
# database is intact, and polling resumed (every job ends).
run_crash_loop() {
  local kills=$1 big_rows=$2 k
  prism_config
  start_daemon
  : >"$SCRATCH/acked"
  crash_track_loop &
  EXTRA_PIDS+=($!)
  for ((k = 1; k <= kills; k++)); do
    sleep "$((RANDOM % 1500 + 300))e-3"
    kill_daemon
    crash_check_results "after kill $k"
    start_daemon
  done
  touch "$SCRATCH/stop-tracking"
  wait "${EXTRA_PIDS[-1]}" 2>/dev/null || true
  local acked
  acked=$(wc -l <"$SCRATCH/acked")
  ((acked >= kills)) || fail "only $acked tracks acknowledged in the whole run"

  local id remote rows
  while read -r id remote rows; do
    assert_eq "$(sql "SELECT remote_id FROM jobs WHERE id = $id")" "$remote" "acknowledged job $id is stored"
  done <"$SCRATCH/acked"
  crash_all_done() { [[ "$(sql "SELECT count(*) FROM jobs WHERE next_poll_at IS NOT NULL")" == 0 ]]; }
  wait_until 120 crash_all_done
  crash_check_results "at the end"
  while read -r id remote rows; do
    assert_eq "$(sql "SELECT state || '|' || results_stored FROM jobs WHERE id = $id")" "partial|$rows" \
      "job $id ($remote) finished with all $rows rows"
  done <"$SCRATCH/acked"
  assert_eq "$(sql 'PRAGMA integrity_check')" "ok" "integrity_check at the end"
  echo "crash loop: $kills kills, $acked jobs tracked, $(sql 'SELECT count(*) FROM import_results') rows stored"
}

# Tracks jobs until $SCRATCH/stop-tracking appears; "id remote rows" lines
# of the acknowledged ones go to $SCRATCH/acked.
crash_track_loop() {
  local n=0 rows id
  while [[ ! -e "$SCRATCH/stop-tracking" ]]; do
    n=$((n + 1))
    rows=10
    ((n % 5 == 0)) && rows=$big_rows
    fake_job "{\"api\": \"prism\", \"id\": \"c$n\", \"steps\": [{\"status\": \"processing\", \"ms\": $((RANDOM % 1000 + 200))},
      {\"status\": \"complete\", \"rows\": $rows, \"row_errors\": 1}]}" || continue
    if id=$("$JOBTRACKCTL" track prism "c$n" 2>/dev/null); then
      echo "$id c$n $rows" >>"$SCRATCH/acked"
    fi
    sleep 0.1
  done
}

# Every job's results_stored equals its rows in import_results, and a
# finished import holds all its rows; integrity_check is ok.
crash_check_results() {
  local bad
  bad=$(sql "SELECT id || ':' || results_stored || '/' || (SELECT count(*) FROM import_results r WHERE r.job_id = jobs.id)
    FROM jobs WHERE results_stored <> (SELECT count(*) FROM import_results r WHERE r.job_id = jobs.id)
    OR (state IN ('succeeded', 'partial') AND results_stored <> total)")
  [[ -z "$bad" ]] || fail "$1: half-stored result sets (job:stored/rows): $bad"
  assert_eq "$(sql 'PRAGMA integrity_check')" "ok" "$1: integrity_check"
}
