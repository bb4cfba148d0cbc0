#!/usr/bin/env bash
# Checks the systemd units with `systemd-analyze verify` and, when run as
# root, the sysusers.d and tmpfiles.d snippets against a scratch root.
# Needs no running systemd and installs nothing: the units are copied to a
# scratch directory and ExecStart= is pointed at a stand-in executable,
# since /usr/sbin/jobtrackd need not exist where the tests run.
# Exit 77 (skipped) when systemd-analyze is missing.
set -u

source_dir=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
units=$source_dir/systemd

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze not found; skipping"
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat SYSTEMD_LOG_COLOR=0

status=0
fail() { echo "FAIL: $*"; status=1; }

# Units ------------------------------------------------------------------
mkdir -p "$scratch/units"
cp "$units/jobtrackd.service" "$units/jobtrackd.socket" "$scratch/units/"
stand_in=$scratch/jobtrackd
printf '#!/bin/sh\nexit 0\n' >"$stand_in"
chmod 0755 "$stand_in"
grep -q '^ExecStart=/usr/sbin/jobtrackd\( \|$\)' "$scratch/units/jobtrackd.service" ||
  fail "jobtrackd.service: ExecStart= does not start /usr/sbin/jobtrackd"
sed -i "s|^ExecStart=/usr/sbin/jobtrackd|ExecStart=$stand_in|" "$scratch/units/jobtrackd.service"

output=$(cd "$scratch/units" && systemd-analyze verify --man=no \
  "$scratch/units/jobtrackd.service" "$scratch/units/jobtrackd.socket" 2>&1)
rc=$?
if [ -n "$output" ]; then
  echo "systemd-analyze verify said:"
  printf '%s\n' "$output"
fi
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited with $rc"
if printf '%s\n' "$output" | grep -q -e 'jobtrack' -e "$scratch"; then
  fail "systemd-analyze verify reported problems with the units"
fi

# The contract the daemon relies on (see docs/systemd.md).
expect() {  # file, line
  grep -qxF -- "$2" "$1" || fail "$(basename "$1"): missing '$2'"
}
service=$units/jobtrackd.service
socket=$units/jobtrackd.socket
for line in Type=notify NotifyAccess=main ExecStart=/usr/sbin/jobtrackd \
    'ExecReload=/bin/kill -HUP $MAINPID' WatchdogSec=30s Restart=on-failure \
    User=jobtrack Group=jobtrack StateDirectory=jobtrack RuntimeDirectory=jobtrack \
    RuntimeDirectoryPreserve=yes ConfigurationDirectory=jobtrack UMask=0027 \
    Also=jobtrackd.socket; do
  expect "$service" "$line"
done
for line in ListenStream=/run/jobtrack/jobtrack.sock SocketMode=0660 \
    SocketUser=jobtrack SocketGroup=jobtrack WantedBy=sockets.target; do
  expect "$socket" "$line"
done

# PrivateUsers= would turn every client's uid into "nobody" (SO_PEERCRED).
if grep -q '^PrivateUsers=\(yes\|true\|on\|1\|self\|identity\)' "$service"; then
  fail "jobtrackd.service: PrivateUsers= hides the clients' uids from the daemon"
fi

# sysusers.d and tmpfiles.d ------------------------------------------------
# Applied to a scratch root; creating files owned by another user needs root.
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: sysusers.d and tmpfiles.d snippets not checked"
elif ! command -v systemd-sysusers >/dev/null 2>&1 ||
     ! command -v systemd-tmpfiles >/dev/null 2>&1; then
  echo "systemd-sysusers or systemd-tmpfiles not found: snippets not checked"
else
  root=$scratch/root
  mkdir -p "$root/etc"
  if ! out=$(systemd-sysusers --root="$root" "$units/jobtrack.sysusers.conf" 2>&1); then
    printf '%s\n' "$out"
    fail "systemd-sysusers rejected jobtrack.sysusers.conf"
  fi
  entry=$(grep '^jobtrack:' "$root/etc/passwd" || true)
  case $entry in
    jobtrack:x:*:*:*:/var/lib/jobtrack:/usr/sbin/nologin) ;;
    *) fail "sysusers: unexpected passwd entry '$entry'" ;;
  esac
  grep -q '^jobtrack:' "$root/etc/group" || fail "sysusers: no group jobtrack"
  if ! out=$(systemd-tmpfiles --root="$root" --create "$units/jobtrack.tmpfiles.conf" 2>&1); then
    printf '%s\n' "$out"
    fail "systemd-tmpfiles rejected jobtrack.tmpfiles.conf"
  fi
  uid=$(cut -d: -f3 <<<"$entry")
  gid=$(grep '^jobtrack:' "$root/etc/group" | cut -d: -f3)
  check_dir() {  # path, mode, uid, gid
    local got
    got=$(stat -c '%a %u %g' "$root$1" 2>/dev/null) || { fail "tmpfiles: $1 not created"; return; }
    [ "$got" = "$2 $3 $4" ] || fail "tmpfiles: $1 is '$got', expected '$2 $3 $4'"
  }
  check_dir /var/lib/jobtrack 750 "$uid" "$gid"
  check_dir /etc/jobtrack 750 0 "$gid"
  check_dir /run/jobtrack 750 "$uid" "$gid"
fi

[ "$status" -eq 0 ] && echo "PASS: units, sysusers.d and tmpfiles.d snippets"
exit "$status"
