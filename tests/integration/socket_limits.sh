# The socket under many and slow clients: connections beyond max_connections
# are closed at once, a client that never reads its replies stops being read
# (or is dropped), a trickling client and idle connections cost little and
# never delay others, idle connections close after idle_timeout, and the
# daemon's memory (VmRSS) stays bounded throughout.
source "$(dirname "$0")/lib.sh"

# exec: a client started with & is then the perl process itself, which the
# EXIT trap can kill by its pid.
client() { exec perl "$(dirname "$0")/socket_client.pl" "$SOCK" "$@"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"; }
# A normal `jobtrackctl status` answers within $1 seconds.
status_within() {
  timeout "$1" "$JOBTRACKCTL" status >/dev/null || fail "status did not answer within $1 s: $2"
}

clients=()
# Misbehaving clients die with the test, whatever its outcome.
kill_clients() {
  local status=$?
  set +e
  for c in "${clients[@]}"; do kill "$c" 2>/dev/null; done
  (exit "$status")
  cleanup
}
trap kill_clients EXIT

start_fakeapi --auto prism
write_config <<'EOF_CONFIG'
max_connections = 64
max_message_bytes = "64KiB"
idle_timeout = "3s"

[endpoints.prism]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
EOF_CONFIG
start_daemon
ctl track prism limits-1 >/dev/null
baseline=$(rss_kib)

# 200 clients at once: 64 are served, the rest closed at once.
client hold 200 40 "$SCRATCH/held" >"$SCRATCH/hold.out" &
holder=$!
clients+=("$holder")
wait_until 20 test -f "$SCRATCH/held"
read -r counts <"$SCRATCH/hold.out"
open=${counts#open=}; open=${open%% *}
((open <= 64)) || fail "at most max_connections stay open: $counts"
((open >= 50)) || fail "connections up to the limit are kept: $counts"
grep -q "max_connections" "$DAEMON_LOG" || fail "refused connections are logged"
# 40 idle connections still held: a normal client is answered at once.
status_within 2 "with 40 idle connections"

# A client that sends Status calls and never reads: the daemon stops reading
# from it (its writes stall) or drops it; others are unaffected meanwhile.
client flood 8 >"$SCRATCH/flood.out" &
flooder=$!
clients+=("$flooder")
sleep 2
status_within 2 "while a client floods without reading"
wait "$flooder"
flood=$(cat "$SCRATCH/flood.out")
[[ "$flood" == *"stalled=1"* || "$flood" == *"closed=1"* ]] || fail "a client that never reads is throttled or dropped: $flood"
sent=${flood#sent=}; sent=${sent%% *}
((sent < 64 * 1024 * 1024)) || fail "the daemon stopped taking requests from a client that never reads: $flood"

# A client that trickles its request a byte every 50 ms is answered in the
# end and delays nobody.
client trickle 50 >"$SCRATCH/trickle.out" &
trickler=$!
clients+=("$trickler")
sleep 0.5
status_within 2 "while a client trickles"
wait "$trickler"
assert_contains "$(cat "$SCRATCH/trickle.out")" '"jobs_total"' "the trickling client gets its reply"

# Memory stays bounded after all of it.
rss=$(rss_kib)
growth=$(( (rss - baseline) / 1024 ))
limit=128
# AddressSanitizer keeps up to 256 MiB of freed memory in quarantine.
grep -aq __asan_init "$JOBTRACKD" && limit=$((limit + 256))
((growth < limit)) || fail "VmRSS grew by $growth MiB (from $baseline KiB to $rss KiB)"

# Idle connections (the 40 held ones too) close after idle_timeout.
idle=$(client idle 10)
[[ "$idle" != "still-open" ]] || fail "an idle connection stays open past idle_timeout"
awk -v s="$idle" 'BEGIN { exit !(s >= 2.5 && s <= 6) }' || fail "idle connection closed after $idle s, expected about 3 s"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
status_within 2 "after everything"
pass "socket limits"
