#!/usr/bin/env bash
# Search benchmark: indexing throughput and query latency on generated articles.
#   bench/search.sh            100,000 articles, 2,000 queries
#   bench/search.sh --smoke    5,000 articles, 500 queries
set -euo pipefail
cd "$(dirname "$0")/.."
articles=100000 queries=2000
if [ "${1:-}" = "--smoke" ]; then articles=5000 queries=500; fi
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
cargo run --release --quiet -p broadsheet-search --example bench -- "$articles" "$queries"
