# The configuration examples people copy stay valid: every toml block of the
# README (with the per-provider endpoints) and systemd/jobtrackd.toml.example
# pass `jobtrackd --check-config`.
source "$(dirname "$0")/lib.sh"

# Each toml block of the README into its own file.
awk -v dir="$SCRATCH" '/^```toml$/{f=1; n++; next} f && /^```$/{f=0; next} f{print > (dir "/block-" n ".toml")}' \
  "$SOURCE_DIR/README.md"
n=0
for block in "$SCRATCH"/block-*.toml; do
  [[ -e "$block" ]] || continue
  n=$((n + 1))
  file="$SCRATCH/readme-$n.toml"
  # Blocks that set no database/socket get scratch ones, so nothing under /var is touched.
  : >"$file"
  grep -q '^database' "$block" || printf 'database = "%s"\n' "$DB" >>"$file"
  grep -q '^socket' "$block" || printf 'socket = "%s"\n' "$SOCK" >>"$file"
  cat "$block" >>"$file"
  "$JOBTRACKD" --config "$file" --check-config >/dev/null || fail "README toml block $(basename "$block") is not a valid configuration"
done
[[ $n -ge 2 ]] || fail "expected the README's toml blocks, found $n"
"$JOBTRACKD" --config "$SOURCE_DIR/systemd/jobtrackd.toml.example" --check-config >/dev/null ||
  fail "the example configuration is valid"
pass "README configuration examples ($n blocks)"
