#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (default 60 s each) on the stable
# toolchain, starting from fuzz/seeds. A crash is copied into fuzz/regressions/<target>/,
# where `cargo test -p broadsheet-fuzz-targets` replays it from then on; fix it, keep it.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz: cargo install --locked cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
# Build every target once, then run the binaries: editing the code while they run does
# not trigger rebuilds between targets.
cargo fuzz build --sanitizer none
bin="target/$(rustc -vV | awk '/^host:/ {print $2}')/release"
status=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target" "regressions/$target"
  echo "== $target (${seconds}s)"
  if ! "$bin/$target" "corpus/$target" "seeds/$target" -artifact_prefix="artifacts/$target/" \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 2>"artifacts/$target.log"; then
    status=1
    tail -n 30 "artifacts/$target.log"
    for crash in "artifacts/$target"/*; do
      [ -f "$crash" ] && cp -v "$crash" "regressions/$target/"
    done
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "artifacts/$target.log" || true
done
exit $status
