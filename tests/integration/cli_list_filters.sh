# list's filters against the real daemon: states, endpoint, label,
# --terminal/--active, --since/--until (ISO and relative), --order, --limit,
# and the CSV and JSON shapes.
source "$(dirname "$0")/lib.sh"

start_fakeapi
write_config <<'EOF_CONFIG'
[endpoints.prism]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
poll_max = "400ms"

[endpoints.other]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = { env = "PRISM_API_KEY" }
poll_initial = "100ms"
poll_max = "400ms"
EOF_CONFIG
fake_job '{"api": "prism", "id": "done", "steps": [{"status": "complete", "rows": 1}]}'
fake_job '{"api": "prism", "id": "busy", "steps": [{"status": "processing"}]}'
fake_job '{"api": "prism", "id": "busy2", "steps": [{"status": "processing"}]}'
start_daemon

done_id=$(ctl track prism done --label nightly)
busy=$(ctl track prism busy)
busy2=$(ctl track other busy2 --label nightly)
wait_until 20 job_state_is "$done_id" succeeded
wait_until 20 job_state_is "$busy" running

ids() { ctl --json list "$@" | jq -r '[.[].id] | join(",")'; }
assert_eq "$(ids --state succeeded)" "$done_id" "--state"
assert_eq "$(ids --state running,succeeded --order id)" "$done_id,$busy,$busy2" "--state as a comma list"
assert_eq "$(ids --endpoint other)" "$busy2" "--endpoint"
assert_eq "$(ids --label nightly --order id)" "$done_id,$busy2" "--label"
assert_eq "$(ids --terminal)" "$done_id" "--terminal"
assert_eq "$(ids --active --order id)" "$busy,$busy2" "--active"
assert_eq "$(ids --order -id)" "$busy2,$busy,$done_id" "--order -id"
assert_eq "$(ids --order id --limit 2)" "$done_id,$busy" "--limit"
assert_eq "$(ids --since 1h --order id)" "$done_id,$busy,$busy2" "--since relative"
assert_eq "$(ids --until 1h)" "" "--until relative"
assert_eq "$(ids --since 2000-01-01T00:00:00Z --until 2999-01-01T00:00:00Z --order id)" "$done_id,$busy,$busy2" "ISO 8601 bounds"

table=$(ctl list --order id)
assert_contains "$(head -1 <<<"$table")" "LABEL" "LABEL shown when a job has one"
[[ "$table" != *$'\e['* ]] || fail "no colour off a terminal"
table=$(ctl list --endpoint prism --state running)
[[ "$(head -1 <<<"$table")" != *LABEL* ]] || fail "LABEL hidden when no job has one: $table"
[[ "$(ctl list --color=always --state succeeded)" == *$'\e[32msucceeded'* ]] || fail "--color=always colours"

csv=$(ctl list --output csv --order id)
assert_eq "$(head -1 <<<"$csv" | cut -d, -f1-4)" "id,endpoint,provider,remote_id" "CSV header"
assert_eq "$(wc -l <<<"$csv")" "4" "a CSV record per job"
assert_eq "$(ctl --output json show "$done_id" | jq -r .submitted_at | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$')" "1" "times are ISO 8601"
set +e
ctl list --state bogus 2>/dev/null; assert_eq "$?" "65" "an unknown state is refused by the daemon"
ctl list --since whenever 2>/dev/null; assert_eq "$?" "64" "a bad time is a usage error"
set -e
pass "list filters"
