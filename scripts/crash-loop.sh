#!/usr/bin/env bash
# Runs the crash-safety test (SIGKILL at random moments during edits, publishes and uploads;
# every acknowledged write must survive) many times with fresh random seeds.
#   scripts/crash-loop.sh [ROUNDS]    (set TEST_POSTGRES_URL to include PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
cargo build --quiet --tests -p broadsheet
for i in $(seq 1 "$rounds"); do
  echo "== run $i of $rounds"
  cargo test --quiet -p broadsheet --test crash -- --nocapture 2>&1 | grep -E "seed|round|test result|panicked"
done
