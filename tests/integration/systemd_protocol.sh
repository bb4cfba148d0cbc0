# The daemon's side of the systemd contract, without systemd as init:
# READY=1, STATUS=, the watchdog pings from the loop, RELOADING=1 with
# MONOTONIC_USEC and READY=1 around SIGHUP (a bad new configuration refused,
# the old one kept, tracked jobs kept), STOPPING=1; and socket activation
# through systemd-socket-activate, which starts the daemon on the first CLI
# call, as jobtrackd.socket does.
source "$(dirname "$0")/lib.sh"
command -v socat >/dev/null || { echo "socat missing"; exit 77; }

start_fakeapi --auto prism
prism_config

notify="$SCRATCH/notify.sock"
socat -u "UNIX-RECV:$notify" "OPEN:$SCRATCH/notify.log,creat,append" &
socat_pid=$!
wait_until 5 test -S "$notify"
notified() { grep -q "$1" "$SCRATCH/notify.log"; }

NOTIFY_SOCKET="$notify" WATCHDOG_USEC=400000 start_daemon
wait_until 5 notified READY=1
wait_until 5 notified 'STATUS=.*jobs tracked'
wait_until 5 notified WATCHDOG=1
ctl track prism keep-me >/dev/null

# A broken configuration on SIGHUP is refused; the daemon keeps running.
cp "$CONFIG" "$SCRATCH/good.toml"
echo 'poll_max = "soon"' >>"$CONFIG"
: >"$SCRATCH/notify.log"
kill -HUP "$DAEMON_PID"
wait_until 5 notified RELOADING=1
wait_until 5 notified MONOTONIC_USEC=
wait_until 5 notified READY=1
wait_until 5 grep -q "configuration not reloaded" "$DAEMON_LOG"
kill -0 "$DAEMON_PID" || fail "a bad reload must not stop the daemon"
assert_eq "$(job_field prism:keep-me remote_id)" "keep-me" "jobs survive a refused reload"

# A good new configuration is taken: a second endpoint appears.
cp "$SCRATCH/good.toml" "$CONFIG"
cat >>"$CONFIG" <<EOF_MORE
[endpoints.prism2]
provider = "prism"
base_url = "$FAKE_URL/prism"
team_id = "team2"
EOF_MORE
kill -HUP "$DAEMON_PID"
wait_until 5 grep -q "configuration reloaded" "$DAEMON_LOG"
assert_eq "$(ctl --json endpoints | jq -r '[.[].name] | join(",")')" "prism,prism2" "reload adds endpoints"
assert_eq "$(job_field prism:keep-me remote_id)" "keep-me" "jobs survive a reload"

stop_daemon
wait_until 5 notified STOPPING=1
kill "$socat_pid" 2>/dev/null || true

# Socket activation: the listening socket is passed in; the first call starts the daemon.
rm -f "$SOCK"
PRISM_API_KEY=test-key systemd-socket-activate -l "$SOCK" -E PRISM_API_KEY \
  "$JOBTRACKD" --config "$CONFIG" >>"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 5 test -S "$SOCK"
assert_eq "$(job_field prism:keep-me remote_id)" "keep-me" "the first CLI call starts the daemon"
grep -q "(from systemd)" "$DAEMON_LOG" || fail "the daemon used the passed socket"
pass "systemd protocol"
