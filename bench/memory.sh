#!/usr/bin/env bash
# Resident memory of the server while it serves a large database under load (issue 7: under
# 150 MB with 100,000 articles). Generates the site (the export bench's seeded generator),
# serves it on SQLite, waits for the search index to be built, then has wrk ask for thousands
# of distinct pages (every story is a new page for the cache, as a crawler would) mixed with
# the front, section, tag pages, feeds and searches, and samples VmRSS every half second.
#   bench/memory.sh                100,000 articles, 60 s of load
#   bench/memory.sh 10000 20s      a quick run
#   bench/memory.sh 100000 60s DIR generate into DIR once and keep it; later runs reuse it
#                                  (the generator takes about two minutes for 100,000)
#   LOAD_DURING_REBUILD=1 bench/memory.sh ...   load while the index is still being built
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000} duration=${2:-60s} keep=${3:-}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || apt-get install -y -qq wrk curl >/dev/null
done
cargo build --release --quiet -p broadsheet
cargo build --release --quiet -p broadsheet-web --example export_bench
if [ -n "$keep" ]; then
  work=$keep
  mkdir -p "$work"
  cleanup() { kill "${bs_pid:-}" "${mon_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
else
  work=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )")
  cleanup() { kill "${bs_pid:-}" "${mon_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
fi
trap cleanup EXIT

if [ ! -e "$work/broadsheet.db" ]; then
  ./target/release/examples/export_bench "$count" "$work" --generate-only
  rm -rf "$work/hugo"  # the Markdown for Hugo; only the export bench needs it
  mv "$work/site.db" "$work/broadsheet.db"
fi
RUST_LOG=warn BROADSHEET_LISTEN=127.0.0.1:0 ./target/release/broadsheet serve --data "$work" > "$work/bs.out" 2> "$work/bs.err" &
bs_pid=$!
for _ in $(seq 1 600); do grep -q "http://" "$work/bs.out" 2>/dev/null && break; sleep 0.1; done
bs=$(grep -o 'http://[0-9.:]*' "$work/bs.out" | head -n 1)
[ -n "$bs" ] || { cat "$work/bs.err"; echo "Broadsheet did not start"; exit 1; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$bs_pid/status"; }
# The index is rebuilt from the database at the first start; load begins once it finds
# stories ("0 stories found" is an index still being built), or at once with
# LOAD_DURING_REBUILD=1 (remove DIR/search-index to have one).
if [ -z "${LOAD_DURING_REBUILD:-}" ]; then
  for _ in $(seq 1 600); do
    curl -s "$bs/search?q=harbour" | grep -Eq '[1-9][0-9,]* stories found' && break; sleep 1
  done
fi
idle=$(rss)

python3 - "$bs" > "$work/paths.lua" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
paths = ["/", "/feed.xml", "/sitemap.xml", "/search?q=harbour", "/search?q=storm+council"]
sections = json.load(urllib.request.urlopen(base + "/api/content/sections"))["sections"]
paths += [s["path"] for s in sections] + [s["path"] + "?page=2" for s in sections]
for page in range(1, 60):
    listing = json.load(urllib.request.urlopen(f"{base}/api/content/articles?per_page=100&page={page}"))
    paths += [a["path"] for a in listing["articles"]]
print("paths = {" + ",".join(json.dumps(p) for p in paths) + "}")
PY
cat >> "$work/paths.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], { ["Accept-Encoding"] = "gzip, br" })
end
LUA
( while sleep 0.5; do rss; done ) > "$work/rss.log" 2>/dev/null &
mon_pid=$!
wrk -t2 -c64 -d "$duration" --latency -s "$work/paths.lua" "$bs" | tee "$work/wrk.txt" | grep -E "Requests/sec|Non-2xx|Socket errors|99%" || true
kill "$mon_pid" 2>/dev/null || true
peak=$(sort -n "$work/rss.log" | tail -n 1)
after=$(rss)
# Anonymous memory is the process's own; file and shared memory are pages of the mapped
# search index (and of the database's WAL index) that the kernel can drop and read again.
split=$(awk '/RssAnon|RssFile|RssShmem/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$bs_pid/status")
echo
echo "Machine: $(nproc) cores; $count articles (SQLite); $(grep -o '","' "$work/paths.lua" | wc -l) distinct paths"
when="after start and indexing"; [ -z "${LOAD_DURING_REBUILD:-}" ] || when="at start, index still being built"
echo "resident memory: idle $when ${idle} MB, peak under load ${peak} MB, after ${after} MB (target: under 150 MB)"
echo "after, by kind: $split"
