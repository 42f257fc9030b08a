#!/usr/bin/env bash
# Broadsheet against nginx serving the very same bytes from files, measured alternately in
# one run with wrk, so that the ratios hold on a shared, noisy machine.
#
#   bench/run.sh            full run: 3 rounds of 10 s per case
#   bench/run.sh --smoke    1 round of 2 s per case (a minute or two)
#   BENCH_POSTGRES_URL=postgres://... bench/run.sh   the demo on PostgreSQL (it fills that database)
#
# Cases: home, a section page and an article page (the demo site on SQLite), each plain,
# asking for gzip, and asking for "gzip, br" (nginx: gzip_static and brotli_static serving
# the very bytes Broadsheet sends), plus 1,000 concurrent keep-alive connections against
# Broadsheet. Prints a table of medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10s rounds=3
if [ "${1:-}" = "--smoke" ]; then duration=2s rounds=1; fi
threads=2 connections=64

brotli_module=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null || [ ! -e "$brotli_module" ]; then
  echo "installing Debian packages wrk, nginx-light, libnginx-mod-http-brotli-static, curl"
  apt-get install -y -qq wrk nginx-light libnginx-mod-http-brotli-static curl >/dev/null
fi
ulimit -n 8192 || true

cargo build --release --quiet
work=$(mktemp -d)
cleanup() { kill "${bs_pid:-}" "${ng_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Broadsheet with the demo site, on SQLite or, with BENCH_POSTGRES_URL, on that database
# (warm pages are served from memory either way; this shows it).
database=SQLite
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then database=PostgreSQL; export BROADSHEET_DATABASE_URL=$BENCH_POSTGRES_URL; fi
RUST_LOG=warn ./target/release/broadsheet demo --data "$work/site" --listen 127.0.0.1:0 > "$work/bs.out" 2> "$work/bs.err" &
bs_pid=$!
for _ in $(seq 1 100); do grep -q "http://" "$work/bs.out" 2>/dev/null && break; sleep 0.1; done
bs=$(grep -o 'http://[0-9.:]*' "$work/bs.out" | head -n 1)
[ -n "$bs" ] || { cat "$work/bs.err"; echo "Broadsheet did not start"; exit 1; }
article=$(curl -s "$bs/api/content/articles?tag=water&per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["path"])')

# The same bytes as files for nginx: the page and the gzip and brotli copies Broadsheet
# sends, saved as they come (no decoding).
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"  # nginx workers run as an unprivileged user
declare -A pages=([home]="/" [section]="/news" [article]="$article")
for name in "${!pages[@]}"; do
  curl -s -o "$work/www/$name.html" "$bs${pages[$name]}"
  curl -s -H "Accept-Encoding: gzip" -o "$work/www/$name.html.gz" "$bs${pages[$name]}"
  curl -s -H "Accept-Encoding: br" -o "$work/www/$name.html.br" "$bs${pages[$name]}"
done
ng_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
load_module $brotli_module;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err warn;
daemon off;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  gzip_static on;
  brotli_static on;
  server { listen 127.0.0.1:$ng_port; root $work/www; etag on; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" &
ng_pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$ng_port/home.html" >/dev/null && break; sleep 0.1; done

# wrk URL [header] -> "requests_per_second p99_ms"
measure() {
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency ${2:+-H "$2"} "$1")
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) } else if (v ~ /s$/) { sub(/s/,"",v); v=v*1000 } print v }' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1" >&2; exit 1; fi
  echo "$rps $p99"
}

# Both answer with the same encoding for the same request, or the comparison is void.
for name in home section article; do
  for enc in gzip br; do
    for url in "http://127.0.0.1:$ng_port/$name.html" "$bs${pages[$name]}"; do
      got=$(curl -s -o /dev/null -D - -H "Accept-Encoding: $enc" "$url" | tr -d '\r' | awk -F': ' 'tolower($1) == "content-encoding" {print $2}')
      [ "$got" = "$enc" ] || { echo "$url answered '$got' to Accept-Encoding: $enc"; exit 1; }
    done
  done
done

# Both servers warm (page cache, compressed copies, CPU frequency) before anything counts.
for name in home section article; do
  for url in "http://127.0.0.1:$ng_port/$name.html" "$bs${pages[$name]}"; do
    wrk -t"$threads" -c"$connections" -d1s -H "Accept-Encoding: gzip, br" "$url" >/dev/null
    wrk -t"$threads" -c"$connections" -d1s "$url" >/dev/null
  done
done

median() { sort -g | awk '{ a[NR]=$1 } END { if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

results="$work/results"
: > "$results"
for round in $(seq 1 "$rounds"); do
  for name in home section article; do
    for enc in plain gzip br; do
      case $enc in
        plain) header="" ;;
        gzip) header="Accept-Encoding: gzip" ;;
        br) header="Accept-Encoding: gzip, br" ;;
      esac
      read -r n_rps n_p99 < <(measure "http://127.0.0.1:$ng_port/$name.html" "$header")
      read -r b_rps b_p99 < <(measure "$bs${pages[$name]}" "$header")
      echo "$name $enc $n_rps $n_p99 $b_rps $b_p99" >> "$results"
      echo "round $round: $name $enc: nginx $n_rps req/s, Broadsheet $b_rps req/s" >&2
    done
  done
done

echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t$threads -c$connections -d$duration, $rounds round(s), medians; database: $database"
printf '%-8s %-5s %12s %12s %7s %10s %10s %7s %9s\n' page enc nginx_rps bs_rps ratio nginx_p99 bs_p99 ratio bytes
for name in home section article; do
  for enc in plain gzip br; do
    n_rps=$(awk -v p="$name" -v e="$enc" '$1==p && $2==e {print $3}' "$results" | median)
    n_p99=$(awk -v p="$name" -v e="$enc" '$1==p && $2==e {print $4}' "$results" | median)
    b_rps=$(awk -v p="$name" -v e="$enc" '$1==p && $2==e {print $5}' "$results" | median)
    b_p99=$(awk -v p="$name" -v e="$enc" '$1==p && $2==e {print $6}' "$results" | median)
    case $enc in
      plain) size=$(stat -c %s "$work/www/$name.html") ;;
      gzip) size=$(stat -c %s "$work/www/$name.html.gz") ;;
      br) size=$(stat -c %s "$work/www/$name.html.br") ;;
    esac
    printf '%-8s %-5s %12.0f %12.0f %7.2f %9.2fms %9.2fms %7.2f %9s\n' "$name" "$enc" "$n_rps" "$b_rps" \
      "$(python3 -c "print($b_rps/$n_rps)")" "$n_p99" "$b_p99" "$(python3 -c "print($b_p99/max($n_p99,0.001))")" "$size"
  done
done

echo
echo "1,000 concurrent keep-alive connections against Broadsheet (article page):"
out=$(wrk -t"$threads" -c1000 -d"$duration" --latency "$bs$article")
awk '/Requests\/sec:|Socket errors|Non-2xx|99%/' <<<"$out"
grep -q "Socket errors\|Non-2xx" <<<"$out" && echo "ERRORS with 1,000 connections" || echo "no errors"
echo "Broadsheet resident memory after the run: $(awk '/VmRSS/ {print $2, $3}' /proc/$bs_pid/status)"
