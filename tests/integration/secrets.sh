# Tokens never leave memory: unique tokens planted in each form (environment
# variable, file, systemd credential) must not appear in any CLI output
# (plain or --json), in error messages, in --check-config, in the daemon's
# log or in the database files, even when the API refuses them (401) or
# echoes them back in error bodies, status fields and row errors. A token
# file that group or others may read stops the daemon with a clear message.
source "$(dirname "$0")/lib.sh"

stamp="$(date +%s%N)$RANDOM"
TOKEN_ENV="jtsecret-env-$stamp"
TOKEN_FILE="jtsecret-file-$stamp"
TOKEN_CRED="jtsecret-cred-$stamp"
export JT_TEST_TOKEN="$TOKEN_ENV"
printf '%s\n' "$TOKEN_FILE" >"$SCRATCH/prism.token"
chmod 600 "$SCRATCH/prism.token"
mkdir -p "$SCRATCH/credentials"
printf '%s' "$TOKEN_CRED" >"$SCRATCH/credentials/prism-key"
export CREDENTIALS_DIRECTORY="$SCRATCH/credentials"

# The API accepts only the file's token: the env and credential endpoints
# meet 401s.
start_fakeapi --token "prism=$TOKEN_FILE"
endpoint() {  # NAME TOKEN-SOURCE
  cat <<EOF_ENDPOINT
[endpoints.$1]
provider = "prism"
base_url = "@FAKE@/prism"
team_id = "team1"
token = $2
poll_initial = "100ms"
poll_max = "300ms"
retry_initial = "100ms"
retry_max = "300ms"
timeout = "5s"

EOF_ENDPOINT
}
{
  endpoint by-env '{ env = "JT_TEST_TOKEN" }'
  endpoint by-file "{ file = \"$SCRATCH/prism.token\" }"
  endpoint by-cred '{ credential = "prism-key" }'
} | write_config
OUT="$SCRATCH/outputs"
mkdir -p "$OUT"

"$JOBTRACKD" --config "$CONFIG" --check-config >"$OUT/check-config" 2>&1
# A token pasted into the file by mistake is refused without being quoted.
for form in "\"$TOKEN_ENV\"" "$TOKEN_ENV" "{ value = \"$TOKEN_ENV\" }" "{ env = \"$TOKEN_ENV=x\" }"; do
  sed "0,/^token = .*/s||token = $form|" "$CONFIG" >"$SCRATCH/pasted.toml"
  if "$JOBTRACKD" --config "$SCRATCH/pasted.toml" --check-config >>"$OUT/check-config-pasted" 2>&1; then
    fail "a token written in the file was accepted: $form"
  fi
done
start_daemon

# An API that echoes the credential back: in an error body, then in the
# status fields and per-row errors of a finished job.
echo_body=$(jq -cn --arg t "$TOKEN_FILE" '{error: {code: "bad_key", message: ("x-api-key: " + $t + " was refused")}}')
fake_job "$(jq -cn --arg t "$TOKEN_FILE" --arg body "$echo_body" '{api: "prism", id: "echo", steps: [
  {http: 500, body: $body, content_type: "application/json"},
  {http: 400, body: $body, content_type: "application/json"},
  {status: "complete", total: 2, processed: 2, succeeded: 1, failed: 1,
   fields: {error: {code: $t, message: ("echo " + $t)},
            results: [{id: $t, created: true, existing: false},
                      {id: null, error: {code: "row", message: ("bad " + $t)}}]}}]}')"
echo_id=$(ctl track by-file echo)
env_id=$(ctl track by-env refused-env)
cred_id=$(ctl track by-cred refused-cred)
wait_until 30 job_state_is "$echo_id" partial
wait_until 20 grep -q "refused our credentials" "$DAEMON_LOG"
wait_for 20 '(( $(sql "SELECT count(*) FROM polls WHERE http_status = 401") >= 2 ))'
assert_contains "$(sql "SELECT group_concat(error, '|') FROM polls WHERE job_id = $echo_id")" "[redacted]" \
  "an echoed token is recorded redacted"

run() {  # NAME ARGS... : runs jobtrackctl, keeping stdout and stderr
  local name=$1
  shift
  ctl "$@" >"$OUT/$name" 2>&1 || true
}
for json in "" --json; do
  run "status$json" $json status
  run "endpoints$json" $json endpoints
  run "list$json" $json list
  for id in "$echo_id" "$env_id" "$cred_id"; do
    run "show-$id$json" $json show "$id"
    run "history-$id$json" $json history "$id"
    run "results-$id$json" $json results "$id"
    run "poll-$id$json" $json poll "$id"
  done
done
run track-bad-endpoint track nosuch x
run wait-timeout wait "$env_id" --timeout 1s

# A reload that fails on a token file others may read: refused with a
# message that names the file and not the token.
chmod 640 "$SCRATCH/prism.token"
kill -HUP "$DAEMON_PID"
wait_until 10 grep -q "configuration not reloaded" "$DAEMON_LOG"
chmod 600 "$SCRATCH/prism.token"

no_token_in() {  # FILE...
  local token file
  for token in "$TOKEN_ENV" "$TOKEN_FILE" "$TOKEN_CRED"; do
    for file in "$@"; do
      [[ -e "$file" ]] || continue
      if grep -aqF "$token" "$file"; then
        fail "a token leaked into $file: $(grep -aF "$token" "$file" | head -c 300)"
      fi
    done
  done
}
# The outputs are not empty: they say something about the jobs.
assert_contains "$(cat "$OUT/show-$echo_id--json")" '"partial"' "show --json of the echo job"
assert_contains "$(cat "$OUT/list")" "refused-env" "list shows the jobs"
no_token_in "$OUT"/* "$DAEMON_LOG" "$DB" "$DB-wal" "$DB-shm"
stop_daemon
no_token_in "$DAEMON_LOG" "$DB" "$DB-wal"

# A token file that group or others may read: the daemon refuses to start,
# saying why, without the token.
chmod 644 "$SCRATCH/prism.token"
set +e
timeout 10 "$JOBTRACKD" --config "$CONFIG" >"$OUT/refused" 2>&1
code=$?
set -e
((code != 0)) || fail "jobtrackd started with a token file readable by others"
((code != 124)) || fail "jobtrackd kept running with a token file readable by others"
assert_contains "$(cat "$OUT/refused")" "$SCRATCH/prism.token" "the refusal names the file"
assert_contains "$(cat "$OUT/refused")" "chmod 600" "the refusal says how to fix it"
no_token_in "$OUT/refused"
pass "tokens stay secret"
