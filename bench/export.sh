#!/usr/bin/env bash
# The static export of N articles against Hugo (Debian's package) building the same stories
# from Markdown, in one run on the same machine; then Broadsheet's incremental re-export
# after one edit.
#   bench/export.sh            10,000 articles
#   bench/export.sh 1000       a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
command -v hugo >/dev/null || apt-get install -y -qq hugo >/dev/null
# In memory when the machine has /dev/shm: generating stories is one durable (fsynced)
# transaction each, and both builds then write to the same kind of storage.
work=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )")
trap 'rm -rf "$work"' EXIT
out=$(cargo run --release --quiet -p broadsheet-web --example export_bench -- "$count" "$work")
echo "$out" | grep -v '^full_export_median_s'
runs=()
for _ in 1 2 3; do
  rm -rf "$work/hugo-public" "$work/hugo/resources"
  start=$(date +%s.%N)
  hugo --quiet -s "$work/hugo" -d "$work/hugo-public" >/dev/null
  runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
done
hugo_median=$(printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p)
ours=$(awk '/^full_export_median_s/ {print $2}' <<<"$out")
echo "hugo_runs_s ${runs[*]}"
echo "hugo_files $(find "$work/hugo-public" -type f | wc -l)"
echo
echo "Machine: $(nproc) cores; $count articles; medians of 3 full builds into an empty folder"
printf '%-28s %10s\n' "Hugo $(hugo version | awk '{print $2}')" "${hugo_median} s"
printf '%-28s %10s\n' "Broadsheet export" "${ours} s"
printf '%-28s %10.2f\n' "speed ratio (Hugo / ours)" "$(echo "$hugo_median / $ours" | bc -l)"
