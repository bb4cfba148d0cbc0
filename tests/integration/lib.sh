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
export JOBTRACK_SOCKET="$SOCK"
export NO_COLOR=1

cleanup() {
  local status=$?
  [[ -n "$DAEMON_PID" ]] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  [[ -n "$FAKE_PID" ]] && kill -TERM "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "--- jobtrackd log (last 40 lines) ---" >&2
    tail -n 40 "$DAEMON_LOG" 2>/dev/null >&2 || true
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

# Runs a command until it succeeds, for at most $1 seconds.
wait_until() {
  local seconds=$1
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
  local seconds=$1 deadline=$((SECONDS + $1))
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
  wait_until 10 test -S "$SOCK"
  wait_until 10 "$JOBTRACKCTL" status
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

sql() { sqlite3 -readonly "$DB" "$@"; }

job_field() {  # JOB FIELD
  ctl --json show "$1" | jq -r ".$2"
}

job_state_is() { [[ "$(job_field "$1" state)" == "$2" ]]; }
