# One client pipelining Tracks does not starve the others: while
# `track --stdin` streams new jobs over one connection (the daemon answers a
# turn of its calls per loop iteration), `status` on other connections is
# answered in a turn or two, seeing the stream half done, not after it.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
write_config <<'EOF_CONFIG'
[endpoints.prism]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "1h"
poll_max = "1h"
rate_limit = "1/h"
EOF_CONFIG
start_daemon

n=30000
awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) print "prism fair-" i }' >"$SCRATCH/lines"
ctl track --stdin <"$SCRATCH/lines" >"$SCRATCH/ids" &
tracker=$!
overlapped=0 slowest=0
while kill -0 "$tracker" 2>/dev/null && ((overlapped < 10)); do
  t0=$(now_ms)
  total=$(ctl --json status | jq -r .jobs_total)
  t1=$(now_ms)
  # Answered while the stream was under way: some of its jobs in, not all.
  if ((total > 0 && total < n)); then
    overlapped=$((overlapped + 1))
    ((t1 - t0 > slowest)) && slowest=$((t1 - t0))
  fi
done
wait "$tracker" || fail "track --stdin exited with $?"
assert_eq "$(wc -l <"$SCRATCH/ids")" "$n" "every line tracked"
((overlapped >= 1)) || fail "no status call was answered during the stream"
# A status call costs a few ms of its own (a process, a connection); a
# starved one would wait for the rest of the stream, seconds.
((slowest < 2000)) || fail "status took ${slowest} ms during the stream"
assert_eq "$(sql "SELECT count(*) FROM jobs")" "$n" "every job stored once"
pass "status answered during a track stream ($overlapped calls, slowest ${slowest} ms)"
