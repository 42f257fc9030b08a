#!/usr/bin/env bash
# Cold first render of article pages and publish -> visible, over HTTP on loopback.
#   bench/latency.sh [ROUNDS]     (BENCH_POSTGRES_URL=postgres://... adds PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p broadsheet-web --example latency -- "${1:-200}"
