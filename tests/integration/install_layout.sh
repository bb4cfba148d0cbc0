# `cmake --install` puts the binaries, units, sysusers/tmpfiles snippets, the
# example configuration, completions and man pages where Debian expects them.
source "$(dirname "$0")/lib.sh"

binary_dir=$(dirname "$(dirname "$JOBTRACKD")")
cmake --install "$binary_dir" --prefix "$SCRATCH/root/usr" >"$SCRATCH/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -n 5 "$SCRATCH/install.log")"
for file in \
  usr/sbin/jobtrackd usr/bin/jobtrackctl \
  usr/lib/systemd/system/jobtrackd.service usr/lib/systemd/system/jobtrackd.socket \
  usr/lib/sysusers.d/jobtrack.conf usr/lib/tmpfiles.d/jobtrack.conf \
  usr/share/doc/jobtrack/examples/jobtrackd.toml.example usr/share/doc/jobtrack/systemd.md \
  usr/share/man/man1/jobtrackctl.1 usr/share/man/man8/jobtrackd.8 \
  usr/share/bash-completion/completions/jobtrackctl; do
  [[ -f "$SCRATCH/root/$file" ]] || fail "not installed: /$file"
done
[[ -x "$SCRATCH/root/usr/sbin/jobtrackd" ]] || fail "jobtrackd is executable"
grep -q '^ExecStart=/usr/sbin/jobtrackd' "$SCRATCH/root/usr/lib/systemd/system/jobtrackd.service" ||
  fail "the unit starts the installed daemon"
pass "install layout"
