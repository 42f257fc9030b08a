#!/usr/bin/env bash
# Every comparison of issue 7 in one command, one after another (each script prints its own
# table; BENCHMARKS.md says what each measures and what limits it):
#   bench/all.sh           full runs, about 45 minutes on the 2-core machine
#   bench/all.sh --smoke   small runs, a few minutes: the same scripts, same checks
# BENCH_POSTGRES_URL=postgres://... (a database the run may fill) adds PostgreSQL to the
# scripts that measure it: warm pages (run.sh) and cold render / publish (latency.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=""
if [ "${1:-}" = "--smoke" ]; then smoke=1; fi

section() { printf '\n==== %s\n' "$1"; }

section "Reader pages against nginx (bench/run.sh)"
bench/run.sh ${smoke:+--smoke}
section "Cold first render and publish -> visible (bench/latency.sh)"
bench/latency.sh "${smoke:+40}"
section "A spike of 1,000 connections while an editor saves (bench/spike.sh)"
if [ -n "$smoke" ]; then bench/spike.sh 5s 1000; else bench/spike.sh; fi
section "Static export against Hugo (bench/export.sh)"
if [ -n "$smoke" ]; then bench/export.sh 1000; else bench/export.sh; fi
section "Resident memory on a large database under load (bench/memory.sh)"
if [ -n "$smoke" ]; then bench/memory.sh 10000 10s; else bench/memory.sh; fi
section "Search (bench/search.sh)"
bench/search.sh ${smoke:+--smoke}
