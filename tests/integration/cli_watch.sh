# watch: the daemon's Watch stream, not on a terminal: one line per recorded
# transition of any job (or only the filtered ones); Watch without "more"
# is refused with ExpectedMore.
source "$(dirname "$0")/lib.sh"

start_fakeapi --auto prism
prism_config
start_daemon

"$JOBTRACKCTL" watch >"$SCRATCH/all.out" 2>"$SCRATCH/all.err" &
watch_all=$!
"$JOBTRACKCTL" watch --label keep >"$SCRATCH/keep.out" 2>&1 &
watch_keep=$!
"$JOBTRACKCTL" --json watch >"$SCRATCH/json.out" 2>&1 &
watch_json=$!
sleep 0.5  # let the Watch calls register

one=$(ctl track prism w-1 --label keep)
two=$(ctl track prism w-2)
ctl wait "$one" "$two" --timeout 30s >/dev/null || true
sleep 0.5
kill -INT "$watch_all" "$watch_keep" "$watch_json"
set +e
wait "$watch_all"; code=$?
wait "$watch_keep"; wait "$watch_json"
set -e
assert_eq "$code" "130" "watch ends on SIGINT with 130"

all=$(cat "$SCRATCH/all.out")
assert_contains "$all" "job $one (prism:w-1)" "lines name the job"
assert_contains "$all" "job $two (prism:w-2)" "every job is watched"
assert_contains "$all" "queued -> running" "the running transition"
assert_contains "$all" "running -> partial" "the final transition"
[[ $(grep -c "job $one " <<<"$all") -ge 2 ]] || fail "a line per transition: $all"
keep=$(cat "$SCRATCH/keep.out")
assert_contains "$keep" "prism:w-1" "the label filter keeps w-1"
[[ "$keep" != *"prism:w-2"* ]] || fail "the label filter let w-2 through: $keep"
assert_eq "$(jq -s "[.[] | select(.job.id == $one) | .transition.to] | last" "$SCRATCH/json.out")" '"partial"' "JSON lines end with the final state"

# The watchers that left are dropped: later transitions still flow and the
# daemon keeps answering.
three=$(ctl track prism w-3)
ctl wait "$three" --timeout 30s >/dev/null || true
ctl status >/dev/null || fail "the daemon answers after its watchers left"

reply=$(printf '{"method":"io.jobtrack.Jobs.Watch","parameters":{}}\0' | socat -t 2 - "UNIX-CONNECT:$SOCK" | tr -d '\0')
assert_eq "$(jq -r .error <<<"$reply")" "org.varlink.service.ExpectedMore" "Watch without more"
set +e
ctl watch --endpoint nosuch 2>/dev/null
assert_eq "$?" "4" "watching an unknown endpoint exits 4"
set -e
pass "watch"
