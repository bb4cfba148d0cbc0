#!/usr/bin/env bash
# Measures jobtrackd.service with `systemd-analyze security --offline=true`
# and fails when the overall exposure score is above 1.5. Prints the score
# and the settings that still cost points.
# Exit 77 (skipped) when systemd-analyze is missing or too old for --offline.
set -u

source_dir=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
unit=$source_dir/systemd/jobtrackd.service
limit=1.5

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze not found; skipping"
  exit 77
fi
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat LC_ALL=C.UTF-8

output=$(systemd-analyze security --no-pager --offline=true "$unit" 2>&1)
rc=$?
score=$(printf '%s\n' "$output" |
  sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9]*\(\.[0-9]*\)\{0,1\}\).*/\1/p' | tail -n 1)
if [ -z "$score" ]; then
  printf '%s\n' "$output"
  if printf '%s\n' "$output" | grep -qi -e 'unrecognized option' -e 'unknown option'; then
    echo "systemd-analyze does not support --offline; skipping"
    exit 77
  fi
  echo "FAIL: no overall exposure score in the output (exit $rc)"
  exit 1
fi

printf '%s\n' "$output" | grep '✗' || true
echo "overall exposure score of jobtrackd.service: $score (limit $limit)"
if awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s + 0 <= l + 0) }'; then
  echo "PASS"
  exit 0
fi
echo "FAIL: score $score is above $limit"
exit 1
