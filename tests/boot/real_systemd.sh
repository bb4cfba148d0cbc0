#!/usr/bin/env bash
# The installed units under the real systemd: boots /lib/systemd/systemd as
# PID 1 of private PID, mount, UTS, IPC and network namespaces (ns_init.sh),
# installs jobtrack into it as a package would (`cmake --install`,
# systemd-sysusers, systemd-tmpfiles, `systemctl enable --now`), and drives it
# with systemctl, journalctl and jobtrackctl through nsenter:
#  - the first CLI call on the socket starts the service, which becomes
#    active only with READY=1, and reports a status text; the socket admits
#    the jobtrack group and no one else;
#  - a job is tracked, polled against fakeapi (token from LoadCredential=)
#    and finishes;
#  - `systemctl reload` applies a changed configuration in the same process;
#  - a stalled loop (SIGSTOP) is killed by the watchdog and restarted, with
#    every job still there;
#  - `systemctl stop` ends it with Result=success and every acknowledged job
#    in the database;
#  - `journalctl -u jobtrackd JOBTRACK_JOB=<id>` tells that job's story.
# Nothing outside the namespaces changes: /etc is a copy, /usr an overlay of
# the installed tree, /run, /tmp and /var are tmpfs, and the cgroups systemd
# makes are removed afterwards.
#
# Needs root; exits 77 (skipped), saying why, when it is not root, a tool is
# missing, or systemd does not boot in the namespace. In a sanitized build
# LeakSanitizer is turned off in the unit (it needs ptrace).
# ctest passes FAKEAPI and BINARY_DIR (what `cmake --install` of it puts in
# /usr is what runs). KEEP_SCRATCH=1 keeps the work directory of a failed run.
set -euo pipefail

: "${FAKEAPI:?set FAKEAPI to the fakeapi binary}"
: "${BINARY_DIR:?set BINARY_DIR to the build directory}"
here=$(cd "$(dirname "$0")" && pwd)

skip() {
  echo "SKIP: $*"
  exit 77
}

[[ $(id -u) == 0 ]] || skip "needs root (it boots systemd in private namespaces)"
for tool in unshare nsenter systemctl journalctl systemd-sysusers systemd-tmpfiles \
  cmake sqlite3 jq curl mount setpriv; do
  command -v "$tool" >/dev/null || skip "$tool not found"
done
systemd_bin=/lib/systemd/systemd
[[ -x $systemd_bin ]] || skip "$systemd_bin not found"

W=$(mktemp -d /tmp/jobtrack-boot.XXXXXX)
UNSHARE_PID=""
FAKE_PID=""
PID1=""

cleanup() {
  local status=$?
  set +e
  if [[ $status -ne 0 && $status -ne 77 && -n $PID1 ]]; then
    echo "--- journal of the namespace (last 60 lines) ---" >&2
    ns journalctl --no-pager -n 60 >&2 2>/dev/null || true
  fi
  [[ -n $FAKE_PID ]] && kill -KILL "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  # unshare --kill-child: SIGKILL reaches systemd, and with PID 1 gone the
  # kernel kills everything else in the namespace; its mounts go with it.
  if [[ -n $UNSHARE_PID ]]; then
    kill -KILL "$UNSHARE_PID" 2>/dev/null
    wait "$UNSHARE_PID" 2>/dev/null
  fi
  if [[ -s $W/cgroups.list ]]; then
    local cgroup try
    for try in 1 2 3 4 5 6 7 8 9 10; do
      while read -r cgroup; do
        [[ -d $cgroup ]] && find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null
      done < <(sort -ru "$W/cgroups.list")
      grep -q . < <(while read -r cgroup; do [[ -d $cgroup ]] && echo "$cgroup"; done <"$W/cgroups.list") || break
      sleep 0.2
    done
    while read -r cgroup; do
      [[ -d $cgroup ]] && echo "warning: cgroup $cgroup left behind" >&2
    done < <(sort -u "$W/cgroups.list")
  fi
  if [[ $status -ne 0 && $status -ne 77 && -n ${KEEP_SCRATCH:-} ]]; then
    echo "work directory kept in $W" >&2
  else
    rm -rf "$W"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM  # through cleanup: the namespace must not outlive the test
trap 'exit 130' INT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok: $*"; }

# Runs a command inside the namespaces, as PID 1's children see them.
ns() { nsenter --target "$PID1" --pid --mount --uts --ipc --net -- "$@"; }
# A client of a service that never comes up would wait for ever.
ctl() { ns timeout 30 jobtrackctl "$@"; }
prop() { ns systemctl show -P "$2" "$1"; }  # UNIT PROPERTY

# Evaluates the shell condition $2 until it holds, for at most $1 seconds.
wait_for() {
  local seconds=$1 deadline=$((SECONDS + $1))
  until eval "$2" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for: $2"
    sleep 0.1
  done
}

# --- The tree to install ------------------------------------------------------
DESTDIR="$W/root" cmake --install "$BINARY_DIR" --prefix /usr >"$W/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -n 5 "$W/install.log")"
for file in usr/sbin/jobtrackd usr/bin/jobtrackctl usr/lib/systemd/system/jobtrackd.service \
  usr/lib/systemd/system/jobtrackd.socket usr/lib/sysusers.d/jobtrack.conf \
  usr/lib/tmpfiles.d/jobtrack.conf; do
  [[ -e $W/root/$file ]] || fail "cmake --install did not install /$file"
done
sanitized=no
# Not `ldd | grep -q`: under pipefail, grep quitting at the first match can
# fail the pipeline with ldd's SIGPIPE.
[[ $(ldd "$W/root/usr/sbin/jobtrackd" 2>/dev/null) =~ lib(a|ub)san ]] && sanitized=yes

# The namespace's /etc: a copy of the host's, with a target that starts
# journald and nothing else, and the early-boot services it does not need
# (they would set up devices, kernel settings, the host's directories) masked.
cp -a /etc "$W/etc"
units=$W/etc/systemd/system
cat >"$units/jobtrack-boot.target" <<'EOF'
[Unit]
Description=jobtrack boot test
Wants=systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket
EOF
for unit in /lib/systemd/system/sysinit.target.wants/* /lib/systemd/system/local-fs.target.wants/* \
  systemd-remount-fs.service systemd-tmpfiles-setup-dev-early.service systemd-udevd.service \
  systemd-udev-trigger.service systemd-hwdb-update.service systemd-journal-catalog-update.service \
  systemd-update-done.service ldconfig.service; do
  [[ -e $unit || $unit != */\* ]] || continue
  unit=${unit##*/}
  [[ $unit == systemd-journald.service ]] || ln -sfn /dev/null "$units/$unit"
done
: >"$W/console"

# --- Boot -----------------------------------------------------------------
unshare --pid --fork --kill-child=SIGKILL --mount --mount-proc --uts --ipc --net \
  --propagation private bash "$here/ns_init.sh" "$W" "$$" >"$W/unshare.log" 2>&1 &
UNSHARE_PID=$!

boot_failed() {
  echo "--- namespace setup ---"
  cat "$W/unshare.log"
  echo "--- console ---"
  tail -n 30 "$W/console"
  if [[ -n $PID1 ]] && ns test -S /run/systemd/journal/socket 2>/dev/null; then
    echo "--- journal ---"
    ns timeout 10 journalctl --no-pager -n 30 2>/dev/null || true
  fi
  skip "systemd did not boot in a private PID and mount namespace: $1"
}
deadline=$((SECONDS + 30))
while :; do
  kill -0 "$UNSHARE_PID" 2>/dev/null ||
    boot_failed "the namespace's init exited: unshare or one of its mounts (tmpfs, devpts, overlay) was refused"
  PID1=$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null) || true
  PID1=${PID1%% *}
  [[ -n $PID1 && $(readlink "/proc/$PID1/exe" 2>/dev/null) == */systemd ]] &&
    ns test -S /run/systemd/private 2>/dev/null && break
  ((SECONDS < deadline)) || boot_failed "no systemd manager socket after 30s"
  sleep 0.1
done
state=$(timeout 60 nsenter --target "$PID1" --pid --mount --uts --ipc --net -- \
  systemctl is-system-running --wait 2>&1) || true
case $state in
  running) ;;
  degraded) echo "note: the namespace's system is degraded:"; ns systemctl --failed --no-pager --plain || true ;;
  *) boot_failed "systemctl is-system-running said '$state'" ;;
esac
pass "systemd $(ns systemctl --version | head -n 1 | cut -d' ' -f2) booted as PID 1 of the namespace (host PID $PID1)"

# --- The remote API, inside the namespace's network --------------------------
nsenter --target "$PID1" --net -- "$FAKEAPI" --port 0 --port-file "$W/fake.port" \
  --token prism=boot-secret >"$W/fakeapi.log" 2>&1 &
FAKE_PID=$!
wait_for 10 '[[ -s $W/fake.port ]]'
FAKE_URL="http://127.0.0.1:$(cat "$W/fake.port")"
fake_job() { nsenter --target "$PID1" --net -- curl -fsS -X POST "$FAKE_URL/_control/jobs" -d "$1" >/dev/null; }

# --- Install as a package would ------------------------------------------------
ns systemd-sysusers jobtrack.conf || fail "systemd-sysusers jobtrack.conf"
ns systemd-tmpfiles --create jobtrack.conf || fail "systemd-tmpfiles --create jobtrack.conf"
ns getent passwd jobtrack >/dev/null || fail "sysusers made no user jobtrack"
config=/etc/jobtrack/jobtrackd.toml
endpoint() {  # NAME: a Prism endpoint on fakeapi, polling fast
  cat <<EOF
[endpoints.$1]
provider = "prism"
base_url = "$FAKE_URL/prism"
team_id = "team1"
token = { credential = "prism-token" }
poll_initial = "100ms"
poll_max = "400ms"
retry_initial = "100ms"
retry_max = "500ms"
timeout = "5s"

EOF
}
{
  echo 'log_level = "info"'
  endpoint prism
} >"$W$config"
printf 'boot-secret' >"$W/etc/jobtrack/prism.token"
ns chgrp jobtrack "$config"
ns chmod 0640 "$config"
ns chmod 0600 /etc/jobtrack/prism.token
mkdir -p "$units/jobtrackd.service.d"
cat >"$units/jobtrackd.service.d/credential.conf" <<'EOF'
[Service]
LoadCredential=prism-token:/etc/jobtrack/prism.token
EOF
if [[ $sanitized == yes ]]; then
  # LeakSanitizer stops the world with ptrace(2), which SystemCallFilter=
  # denies: it would fail every exit. The rest of ASan and UBSan work there.
  cat >"$units/jobtrackd.service.d/sanitizers.conf" <<EOF
[Service]
Environment="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}"
EOF
fi
ns systemctl daemon-reload
ns systemctl enable --now jobtrackd.socket 2>&1 || fail "systemctl enable --now jobtrackd.socket"
assert_eq() { [[ $1 == "$2" ]] || fail "$3: expected '$2', got '$1'"; }
assert_eq "$(prop jobtrackd.socket ActiveState)" active "jobtrackd.socket listens"
assert_eq "$(prop jobtrackd.service ActiveState)" inactive "jobtrackd.service waits for a client"
[[ $(ns stat -c '%U:%G %a' /run/jobtrack/jobtrack.sock) == "jobtrack:jobtrack 660" ]] ||
  fail "socket owner and mode: $(ns stat -c '%U:%G %a' /run/jobtrack/jobtrack.sock)"
pass "installed: user, directories, socket listening, service not running"

# --- Socket activation and READY -----------------------------------------------
ctl status >"$W/status.txt" || fail "jobtrackctl status through the activated socket: $(cat "$W/status.txt")"
assert_eq "$(prop jobtrackd.service ActiveState)/$(prop jobtrackd.service SubState)" active/running \
  "the first CLI call started the service"
status_text=$(prop jobtrackd.service StatusText)
[[ -n $status_text ]] || fail "no STATUS= from the daemon (systemctl show -p StatusText is empty)"
ns journalctl -u jobtrackd --no-pager -o cat | grep 'from systemd' >/dev/null ||
  fail "the daemon did not take the socket systemd passed"
pid_before=$(prop jobtrackd.service MainPID)
if ns journalctl -u jobtrackd --no-pager -o cat | grep 'already exists but the mode is different'; then
  fail "the unit's directory modes disagree with jobtrack.tmpfiles.conf"
fi
pass "socket activation: active (running) after READY=1, status '$status_text'"

# The socket is the jobtrack group's: a member may use it, others may not.
ns setpriv --reuid=65534 --regid=jobtrack --clear-groups timeout 30 jobtrackctl status >/dev/null ||
  fail "a member of the jobtrack group cannot use the socket"
if ns setpriv --reuid=65534 --regid=65534 --clear-groups timeout 30 jobtrackctl status >/dev/null 2>&1; then
  fail "a user outside the jobtrack group could use the socket"
fi
pass "the socket admits the jobtrack group and nobody else"

# --- A job through the remote API -------------------------------------------------
fake_job '{"api": "prism", "id": "boot-done", "steps": [{"status": "processing", "polls": 2}, {"status": "complete", "rows": 3}]}'
fake_job '{"api": "prism", "id": "boot-long", "steps": [{"status": "processing", "progress": 10}]}'
done_id=$(ctl track prism boot-done) || fail "track prism:boot-done"
long_id=$(ctl track prism boot-long) || fail "track prism:boot-long"
job_state() { ctl --json show "$1" | jq -r .state; }
wait_for 30 '[[ $(job_state "$done_id") == succeeded ]]'
wait_for 10 '[[ $(ctl --json show "$long_id" | jq -r .state) == running ]]'
pass "jobs tracked and polled with the credential's token (job $done_id succeeded, job $long_id running)"

# --- Reload ---------------------------------------------------------------------------
endpoint prism2 >>"$W$config"
ns systemctl reload jobtrackd.service || fail "systemctl reload jobtrackd"
wait_for 10 '[[ $(ctl --json endpoints | jq -r "[.[].name] | join(\",\")") == prism,prism2 ]]'
assert_eq "$(prop jobtrackd.service MainPID)" "$pid_before" "reload keeps the process"
assert_eq "$(prop jobtrackd.service ActiveState)" active "active after the reload"
pass "systemctl reload applied the new configuration (endpoint prism2) in process $pid_before"

# --- Watchdog ----------------------------------------------------------------------------
# A short watchdog for the test; no core file of the aborted daemon.
cat >"$units/jobtrackd.service.d/watchdog.conf" <<'EOF'
[Service]
WatchdogSec=2s
TimeoutAbortSec=5s
LimitCORE=0
EOF
ns systemctl daemon-reload
# systemctl prints a warning: the socket may start it again.
ns systemctl stop jobtrackd.service 2>/dev/null || fail "systemctl stop jobtrackd"
assert_eq "$(prop jobtrackd.service ActiveState)" inactive "stopped for the new watchdog"
ns systemctl start jobtrackd.service || fail "systemctl start jobtrackd"
# Type=notify: systemctl start returns, and the unit is active, only after READY=1.
assert_eq "$(prop jobtrackd.service ActiveState)/$(prop jobtrackd.service SubState)" active/running \
  "systemctl start reaches active (running)"
pass "systemctl start: active (running) after READY=1"
assert_eq "$(prop jobtrackd.service WatchdogUSec)" 2s "the drop-in's watchdog"
restarts=$(prop jobtrackd.service NRestarts)
stalled=$(prop jobtrackd.service MainPID)
sleep 3  # the daemon pings in time while it runs: no restart
assert_eq "$(prop jobtrackd.service NRestarts)" "$restarts" "a running loop keeps the watchdog fed"
ns kill -STOP "$stalled"
wait_for 30 '(( $(prop jobtrackd.service NRestarts) > restarts ))'
wait_for 30 '[[ $(prop jobtrackd.service SubState) == running && $(prop jobtrackd.service MainPID) != "$stalled" ]]'
ns journalctl -u jobtrackd --no-pager -o cat | grep 'Watchdog timeout' >/dev/null ||
  fail "no 'Watchdog timeout' from systemd in the journal"
assert_eq "$(ctl --json show "$long_id" | jq -r .remote_id)" boot-long "the running job survives the watchdog restart"
assert_eq "$(job_state "$done_id")" succeeded "the finished job survives the watchdog restart"
pass "the stalled loop was killed by the watchdog (process $stalled) and restarted as $(prop jobtrackd.service MainPID)"
rm "$units/jobtrackd.service.d/watchdog.conf"
ns systemctl daemon-reload

# --- Stop ---------------------------------------------------------------------------------
acked=()
for n in 1 2 3 4 5; do
  fake_job "{\"api\": \"prism\", \"id\": \"boot-stop$n\", \"steps\": [{\"status\": \"processing\"}]}"
  acked+=("$(ctl track prism "boot-stop$n")") || fail "track prism:boot-stop$n"
done
ns systemctl stop jobtrackd.service 2>/dev/null || fail "systemctl stop jobtrackd"
assert_eq "$(prop jobtrackd.service ActiveState)" inactive "stopped"
assert_eq "$(prop jobtrackd.service Result)" success "systemctl stop: Result"
assert_eq "$(prop jobtrackd.service ExecMainStatus)" 0 "systemctl stop: exit status"
db=/var/lib/jobtrack/jobtrack.db
sql() { ns sqlite3 -readonly "$db" "$@"; }
assert_eq "$(sql 'PRAGMA integrity_check')" ok "integrity_check after the stop"
assert_eq "$(sql "SELECT state FROM jobs WHERE remote_id = 'boot-done'")" succeeded "boot-done in the database"
assert_eq "$(sql "SELECT state FROM jobs WHERE remote_id = 'boot-long'")" running "boot-long in the database"
for id in "${acked[@]}"; do
  [[ $(sql "SELECT count(*) FROM jobs WHERE id = $id") == 1 ]] || fail "acknowledged job $id is not in the database"
done
assert_eq "$(sql 'SELECT count(*) FROM jobs')" 7 "jobs in the database"
assert_eq "$(prop jobtrackd.socket ActiveState)" active "the socket still listens"
pass "systemctl stop: inactive, Result=success, all 7 acknowledged jobs in the database"

# --- Journal fields ------------------------------------------------------------------------
ns journalctl -u jobtrackd "JOBTRACK_JOB=$done_id" -o json --no-pager >"$W/job.json"
[[ -s $W/job.json ]] || fail "journalctl -u jobtrackd JOBTRACK_JOB=$done_id found nothing"
assert_eq "$(jq -r .JOBTRACK_JOB "$W/job.json" | sort -u)" "$done_id" "every entry is job $done_id's"
assert_eq "$(jq -r .JOBTRACK_ENDPOINT "$W/job.json" | sort -u)" prism "JOBTRACK_ENDPOINT"
assert_eq "$(jq -r .JOBTRACK_REMOTE_ID "$W/job.json" | sort -u)" boot-done "JOBTRACK_REMOTE_ID"
assert_eq "$(jq -r ._SYSTEMD_UNIT "$W/job.json" | sort -u)" jobtrackd.service "_SYSTEMD_UNIT"
states=$(jq -r .JOBTRACK_STATE "$W/job.json" | paste -sd, -)
[[ $states == queued*succeeded ]] || fail "job $done_id's story in the journal: states $states"
pass "journalctl -u jobtrackd JOBTRACK_JOB=$done_id: $(wc -l <"$W/job.json") entries, states $states"
