# Bodies that cannot be read: truncated and malformed JSON, fields of the
# wrong type, a status string nobody knows, a body over max_response_size
# and bytes that are not UTF-8. Each is a recorded bad_response; the job's
# state and remote status stay as they were and the job goes on to finish;
# the daemon keeps answering and a healthy endpoint keeps its schedule.
source "$(dirname "$0")/lib.sh"

start_fakeapi --token prism=test-key

# A server of fixed bytes for what fakeapi cannot script (its control API is
# JSON, so every body it sends is UTF-8): a status string with \xff\xfe in it.
printf '{"job_id": "latin", "status": "proc\xff\xfeessing", "total": 3}' >"$SCRATCH/latin.body"
{
  printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' \
    "$(stat -c %s "$SCRATCH/latin.body")"
  cat "$SCRATCH/latin.body"
} >"$SCRATCH/latin.http"
for attempt in $(seq 1 20); do
  latin_port=$((20000 + RANDOM % 20000))
  socat "TCP-LISTEN:$latin_port,bind=127.0.0.1,reuseaddr,fork" "SYSTEM:cat $SCRATCH/latin.http" 2>/dev/null &
  latin_pid=$!
  sleep 0.3
  if kill -0 "$latin_pid" 2>/dev/null; then break; fi
  ((attempt < 20)) || fail "no free port for the raw server"
done
EXTRA_PIDS+=("$latin_pid")

fault_config 'max_response_size = "4KiB"' "
[endpoints.latin]
provider = \"prism\"
base_url = \"http://127.0.0.1:$latin_port/prism\"
team_id = \"team1\"
token = { env = \"PRISM_API_KEY\" }
retry_initial = \"200ms\"
retry_max = \"400ms\"
"
start_daemon
calm_start

# One job walks through every bad body between two good answers.
pad=$(head -c 6000 /dev/zero | tr '\0' x)
fake_job "{\"api\": \"prism\", \"id\": \"mess\", \"steps\": [
  {\"status\": \"processing\", \"progress\": 10, \"polls\": 1},
  {\"raw\": \"{\\\"job_id\\\": \\\"mess\\\", \\\"status\\\": \\\"proc\"},
  {\"raw\": \"not json{\"},
  {\"raw\": \"[1, 2, 3]\"},
  {\"raw\": \"{\\\"job_id\\\": \\\"mess\\\", \\\"status\\\": 42}\"},
  {\"raw\": \"{\\\"job_id\\\": \\\"mess\\\", \\\"status\\\": \\\"processing\\\", \\\"total\\\": \\\"many\\\"}\"},
  {\"status\": \"paused-by-admin\"},
  {\"raw\": \"{\\\"job_id\\\": \\\"mess\\\", \\\"status\\\": \\\"processing\\\", \\\"pad\\\": \\\"$pad\\\"}\"},
  {\"status\": \"processing\", \"progress\": 90, \"polls\": 1},
  {\"status\": \"complete\", \"rows\": 3}]}"
mess=$(ctl track faulty mess)
ctl wait "$mess" --timeout 30s >/dev/null || fail "the job finishes after its bad bodies"

assert_eq "$(job_states "$mess")" "queued,running,succeeded" "bad bodies change no state"
polls=$(job_polls "$mess")
expect_poll() {  # line-number expected-prefix what
  assert_contains "$(sed -n "$1p" <<<"$polls")" "$2" "$3"
}
expect_poll 1 "ok|200|" "the first good poll"
expect_poll 2 "bad_response|200|body is not valid JSON" "truncated JSON"
expect_poll 3 "bad_response|200|body is not valid JSON" "malformed JSON"
expect_poll 4 "bad_response|200|body is a JSON array" "an array instead of an object"
expect_poll 5 "bad_response|200|field status has type number" "a number for the status"
expect_poll 6 "bad_response|200|field total has type string" "a string for a count"
expect_poll 7 'bad_response|200|unknown remote status "paused-by-admin"' "an unknown status, verbatim"
expect_poll 8 "bad_response||response larger than max_response_size" "a body over max_response_size"
expect_poll 9 "ok|200|" "the good poll after"
assert_eq "$(sed -n 10p <<<"$polls" | cut -d'|' -f1,2)" "ok|200" "the last poll"
assert_eq "$(wc -l <<<"$polls")" "10" "one poll per step"
# Nothing of the bad bodies stuck to the job: the unknown status was not
# taken as the remote status, the string count not as a count.
assert_eq "$(sql "SELECT count(*) FROM transitions WHERE job_id = $mess AND remote_status = 'paused-by-admin'")" \
  "0" "the unknown status is no transition"
assert_eq "$(sql "SELECT results_stored || '|' || (SELECT count(*) FROM import_results WHERE job_id = $mess) FROM jobs WHERE id = $mess")" \
  "3|3" "the results of the final answer are stored"
calm_check "bad bodies on another endpoint"

# While a job is stuck on an unknown status, it stays running with its old
# remote status, and the raw status is in the job's last error.
fake_job '{"api": "prism", "id": "odd", "steps": [{"status": "processing", "polls": 1}, {"status": "on-hold"}]}'
odd=$(ctl track faulty odd)
wait_until 10 job_polled_at_least "$odd" 3
assert_eq "$(job_field "$odd" state)" "running" "state unchanged by an unknown status"
assert_eq "$(job_field "$odd" remote_status)" "processing" "remote status unchanged by an unknown status"
assert_eq "$(sql "SELECT last_poll_error FROM jobs WHERE id = $odd")" 'unknown remote status "on-hold"' \
  "the raw status is in the poll error"

# Not UTF-8: a bad_response like the others; the daemon stores and shows
# whatever it recorded without choking on it.
# (socat now and then drops a connection unanswered: only answers count.)
latin=$(ctl track latin latin)
latin_answered() { (($(sql "SELECT count(*) FROM polls WHERE job_id = $latin AND http_status = 200") >= 2)); }
wait_until 20 latin_answered
assert_eq "$(sql "SELECT DISTINCT outcome FROM polls WHERE job_id = $latin AND http_status = 200")" "bad_response" \
  "invalid UTF-8 is a bad response"
assert_eq "$(job_field "$latin" state)" "queued" "invalid UTF-8 changes no state"
ctl show "$latin" >/dev/null || fail "show works for a job with an unreadable body"
ctl --json history "$latin" >/dev/null || fail "history works for a job with an unreadable body"
latin_error=$(ctl --json endpoints | jq -r '.[] | select(.name == "latin") | .last_error')
[[ -n "$latin_error" && "$latin_error" != null ]] || fail "endpoints shows the last error: '$latin_error'"
assert_eq "$(sql "SELECT DISTINCT error FROM polls WHERE job_id = $latin AND http_status = 200")" "body is not valid JSON" \
  "the recorded error is readable text"
calm_check "bad bodies on other endpoints"
ctl status >/dev/null || fail "the daemon still answers"
pass "unreadable bodies are recorded bad responses, nothing else changes"
