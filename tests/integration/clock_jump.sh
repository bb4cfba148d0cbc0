# A wall-clock jump neither stalls nor floods polling: the daemon runs under
# libfaketime with the real monotonic clock, and its wall clock jumps 2 h
# ahead and then back while jobs poll every 200 ms. The poll rate, measured
# on the test's own (real) clock and at the fake API, stays steady.
# REAL_TIMERFD (tests/clock/real_timerfd.cpp) is preloaded first so that
# libfaketime leaves the daemon's monotonic timers alone.
source "$(dirname "$0")/lib.sh"
# libfaketime cannot be preloaded ahead of AddressSanitizer's runtime; the
# plain run covers this.
if sanitized; then
  echo "skipped under the sanitizers"
  exit 77
fi

libfaketime=""
for candidate in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/*/faketime/libfaketime.so.1; do
  [[ -e "$candidate" ]] && libfaketime=$candidate && break
done
[[ -n "$libfaketime" ]] || fail "libfaketime not found (scripts/install-deps installs faketime)"
: "${REAL_TIMERFD:?set REAL_TIMERFD to the real_timerfd library}"

start_fakeapi --token prism=test-key
fault_config
echo "+0" >"$SCRATCH/faketime"
LD_PRELOAD="$REAL_TIMERFD $libfaketime" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 \
  FAKETIME_TIMESTAMP_FILE="$SCRATCH/faketime" start_daemon
calm_start

phase() {  # offset what
  echo "$1" >"$SCRATCH/faketime"
  sleep 3
  calm_check "$2"
}
phase "+0" "before any jump"
phase "+2h" "after the wall clock jumped 2 h ahead"
# The jump did happen, as the daemon sees it: what it records is 2 h ahead.
last=$(sql "SELECT max(started_at) FROM polls")
ahead=$((last - $(now_ms)))
((ahead > 7000000)) || fail "the daemon's wall clock is not 2 h ahead ($ahead ms): libfaketime not in effect?"
# A job tracked now is polled at once, not 2 h late nor 2 h early.
fake_job '{"api": "prism", "id": "during", "steps": [{"status": "processing", "polls": 2}, {"status": "complete", "rows": 1}]}'
during=$(ctl track faulty during)
ctl wait "$during" --timeout 15s >/dev/null || fail "a job tracked after the jump finishes"
phase "+0" "after the wall clock jumped 2 h back"
phase "+0" "well after the jumps"

# The fake API's view (real time): no second with a burst of calm polls.
worst=$(curl -fsS "$FAKE_URL/_control/requests?api=prism" | jq -r '.[] | select(.id | startswith("calm")) | .time
  | sub("\\.[0-9]+Z$"; "Z")' | sort | uniq -c | sort -rn | head -n1 | awk '{print $1}')
((worst <= 2 * CALM_JOBS * 5)) || fail "$worst calm polls in one second (about $((CALM_JOBS * 5)) due)"
pass "wall-clock jumps neither stall nor flood polling"
