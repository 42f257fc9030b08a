#!/usr/bin/env bash
# A breaking-news spike: 1,000 keep-alive connections for 30 s on a mixed reader workload
# (home, section and article pages, feeds, sitemaps, search, the Content API) while an editor
# saves and republishes a live story through the Admin API every half second.
# Passes when wrk sees no socket error and no non-2xx answer, every editor save succeeds, and
# the server's resident memory is back under the bound 10 s after the spike.
#
#   bench/spike.sh                 30 s, 1,000 connections, bound 256 MB
#   bench/spike.sh 5s 200          a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s} connections=${2:-1000} bound_mb=${BOUND_MB:-256}

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || apt-get install -y -qq wrk curl >/dev/null
done
ulimit -n 65536 2>/dev/null || ulimit -n 8192

cargo build --release --quiet
work=$(mktemp -d)
cleanup() { kill "${bs_pid:-}" "${ed_pid:-}" "${mon_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

RUST_LOG=warn ./target/release/broadsheet demo --data "$work/site" --listen 127.0.0.1:0 > "$work/bs.out" 2> "$work/bs.err" &
bs_pid=$!
for _ in $(seq 1 200); do grep -q "http://" "$work/bs.out" 2>/dev/null && break; sleep 0.1; done
bs=$(grep -o 'http://[0-9.:]*' "$work/bs.out" | head -n 1)
[ -n "$bs" ] || { cat "$work/bs.err"; echo "Broadsheet did not start"; exit 1; }
token=$(./target/release/broadsheet user token --data "$work/site" --email editor@broadsheet.example)
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$bs_pid/status"; }

# The reader paths: real ones, read from the running site.
python3 - "$bs" > "$work/paths.lua" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
articles = json.load(urllib.request.urlopen(base + "/api/content/articles?per_page=20"))["articles"]
sections = json.load(urllib.request.urlopen(base + "/api/content/sections"))["sections"]
paths = ["/", "/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml", "/robots.txt",
         "/search?q=water", "/search?q=%22city+council%22", "/api/content/articles?per_page=10",
         "/mirrors", "/.well-known/broadsheet-mirrors.json"]
paths += [a["path"] for a in articles]
paths += [s["path"] for s in sections[:6]]
paths += [s["path"] + "/feed.xml" for s in sections[:3]]
print("paths = {" + ",".join(json.dumps(p) for p in paths) + "}")
PY
cat >> "$work/paths.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], { ["Accept-Encoding"] = "gzip, br" })
end
LUA

# One editor keeps correcting a live story while readers pile in.
python3 - "$bs" "$token" "$work/editor.log" > /dev/null 2>"$work/editor.err" <<'PY' &
import json, sys, time, urllib.request
base, token, log = sys.argv[1], sys.argv[2], open(sys.argv[3], "w", buffering=1)
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.load(r)
story = {"headline": "Live: the storm reaches the coast", "body": "First report.", "section": "news", "language": "en"}
status, created = call("POST", "/api/admin/articles", story)
status, article = call("POST", f"/api/admin/articles/{created['id']}/publish")
n = 0
while True:
    n += 1
    story.update(body=f"Update {n}: the wind has reached {n} km/h.", revision=article["revision"])
    try:
        status, article = call("PUT", f"/api/admin/articles/{created['id']}", story)
        log.write(f"ok {status}\n")
    except Exception as e:
        log.write(f"error {e}\n")
    time.sleep(0.5)
PY
ed_pid=$!

before=$(rss); peak=$before
( while sleep 0.5; do rss; done ) > "$work/rss.log" 2>/dev/null &
mon_pid=$!
echo "Spike: $connections connections for $duration against $bs (resident $before MB before)"
out=$(wrk -t2 -c"$connections" -d"$duration" --timeout 10s --latency -s "$work/paths.lua" "$bs")
kill "$ed_pid" "$mon_pid" 2>/dev/null || true
peak=$(sort -n "$work/rss.log" | tail -n 1)
sleep 10
after=$(rss)
echo "$out" | awk '/Requests\/sec|Latency|Socket errors|Non-2xx|requests in| 50%| 99%/'
saves=$(grep -c '^ok' "$work/editor.log" || true); failed=$(grep -c '^error' "$work/editor.log" || true)
echo "Editor saves during the spike: $saves ok, $failed failed"
echo "Resident memory: $before MB before, $peak MB at peak, $after MB 10 s after (bound $bound_mb MB)"
fail=0
grep -q "Socket errors\|Non-2xx" <<<"$out" && { echo "FAIL: errors under load"; fail=1; }
[ "$failed" -eq 0 ] && [ "$saves" -gt 0 ] || { echo "FAIL: editor saves failed"; grep error "$work/editor.log" | head; tail -n 5 "$work/editor.err"; fail=1; }
[ "$after" -le "$bound_mb" ] || { echo "FAIL: memory did not return under $bound_mb MB"; fail=1; }
[ "$fail" -eq 0 ] && echo "PASS: no errors, memory back under the bound"
exit "$fail"
