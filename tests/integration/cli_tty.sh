# On a terminal (script(1) gives one, no tmux needed): states in colour
# unless NO_COLOR or --color=never, the table fitted to COLUMNS, and wait's
# live progress line.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "skip: script(1) not installed"; exit 0; }

start_fakeapi
prism_config
# tty-1 stays at 40% until the test moves it on, however slow the machine.
fake_job '{"api": "prism", "id": "tty-1", "steps": [{"status": "processing", "total": 10, "processed": 4, "progress": 40}]}'
fake_job '{"api": "prism", "id": "a-remote-id-that-is-really-quite-long-indeed-and-longer-still", "steps": [{"status": "processing"}]}'
start_daemon
id=$(ctl track prism tty-1 --label "a label that goes on and on and on for quite a while")
ctl track prism a-remote-id-that-is-really-quite-long-indeed-and-longer-still >/dev/null

on_tty() {  # runs jobtrackctl on a pseudo-terminal of 60 columns
  local args
  printf -v args '%q ' "$@"
  # tr line by line: the wait test reads the live output as it comes.
  script -qec "stty cols 60 rows 20; $JOBTRACKCTL $args" /dev/null | stdbuf -oL tr -d '\r'
}
wait_until 20 job_state_is "$id" running

coloured=$(unset NO_COLOR; on_tty list)
[[ "$coloured" == *$'\e['*'running'* ]] || fail "states in colour on a terminal: $coloured"
plain=$(NO_COLOR=1 on_tty list)
[[ "$plain" != *$'\e['* ]] || fail "NO_COLOR turns colour off: $plain"
never=$(unset NO_COLOR; on_tty --color=never list)
[[ "$never" != *$'\e['* ]] || fail "--color=never turns colour off"
while IFS= read -r line; do
  (( ${#line} <= 60 )) || fail "line wider than the terminal (${#line}): $line"
done <<<"$plain"
assert_contains "$plain" "…" "long cells are cut with an ellipsis"

NO_COLOR=1 on_tty wait "$id" --timeout 60s >"$SCRATCH/live" &
EXTRA_PIDS+=($!)
wait_for 30 'grep -qF "[####------]  40%" "$SCRATCH/live"'
fake_job '{"api": "prism", "id": "tty-1", "steps": [{"status": "complete", "rows": 1}]}'
wait "${EXTRA_PIDS[-1]}" || fail "wait exits 0 once the job succeeded"
live=$(cat "$SCRATCH/live")
assert_contains "$live" "[####------]  40%" "live progress bar"
assert_contains "$live" "succeeded" "the final state"
[[ "$live" == *$'\e[1F'* ]] || fail "the live line is redrawn in place"
pass "terminal output"
