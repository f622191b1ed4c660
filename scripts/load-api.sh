#!/usr/bin/env bash
# API load measurement: `marsad serve` (release build, no rate limit) over an existing store,
# then wrk with 32 connections (32 concurrent clients) for each kind of request: event lists
# (/api/points pages with filters), search (Arabic queries, with and without filters) and
# timelines (day/week/month by type/country/actor). Prints wrk's figures per kind.
#
#   scripts/load-api.sh DATA_DIR [SECONDS]      (needs Debian's wrk)
#   CACHE_MB=0 scripts/load-api.sh …             every answer computed afresh (no answer cache)
#   KINDS=search MARSAD=/path/to/marsad …        one kind only, another build (A/B comparisons)
set -euo pipefail
DATA=${1:?usage: scripts/load-api.sh DATA_DIR [SECONDS]}
SECONDS_EACH=${2:-20}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MARSAD="${MARSAD:-$ROOT/target/release/marsad}"
[ -x "$MARSAD" ] || cargo build --release -p marsad-cli --manifest-path "$ROOT/Cargo.toml"
TMP=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
PORT=$((20000 + RANDOM % 20000))
"$MARSAD" serve --data "$DATA" --bind "127.0.0.1:$PORT" --rate-limit 0 --cache-mb "${CACHE_MB:-64}" > "$TMP/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
EVENTS=$(curl -sf "http://127.0.0.1:$PORT/api/health" | sed 's/.*"documents":\([0-9]*\).*/\1/')
echo "store $DATA: $EVENTS documents; $(nproc) cores; answer cache ${CACHE_MB:-64} MiB; wrk 32 connections, 2 threads, ${SECONDS_EACH} s per kind"

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
{
  for t in "" Battles Protests "Explosions/Remote violence" "Violence against civilians" "Strategic developments"; do
    for c in "" SY IQ YE LY EG SA; do
      for l in 50 100 500; do
        q="limit=$l"; [ -n "$t" ] && q="$q&type=$(enc "$t")"; [ -n "$c" ] && q="$q&country=$c"
        echo "/api/points?$q"
      done
    done
  done
  for m in 01 03 06 09 12; do echo "/api/points?limit=100&from=2018-$m-01&to=2018-$m-28"; done
} > "$TMP/events"
{
  for w in قصف اشتباكات الحوثيين مظاهرات داعش "الجيش السوري" إدلب بغداد الموصل صنعاء طرابلس "مجلس الأمن" انفجار اعتقال النفط السعودية; do
    e=$(enc "$w")
    echo "/api/search?q=$e"
    echo "/api/search?q=$e&limit=50"
    echo "/api/search?q=$e&country=SY"
    echo "/api/search?q=$e&from=2018-01-01&to=2018-06-30"
  done
} > "$TMP/search"
{
  for i in day week month; do
    for b in type country actor; do
      echo "/api/timeline?interval=$i&by=$b"
      echo "/api/timeline?interval=$i&by=$b&country=SY"
      echo "/api/timeline?interval=$i&by=$b&type=Battles"
    done
  done
} > "$TMP/timeline"
for kind in ${KINDS:-events search timeline}; do
  printf '%-9s %3d paths: ' "$kind" "$(wc -l < "$TMP/$kind")"
  PATHS="$TMP/$kind" wrk -t2 -c32 -d"${SECONDS_EACH}s" --timeout 10s -s "$ROOT/scripts/load/random-paths.lua" \
    "http://127.0.0.1:$PORT" | tail -1
done
printf "the dashboard's first request, /api/points?limit=20000 (gzip): "
curl -s -o /dev/null -w '%{size_download} bytes in %{time_total} s\n' --compressed "http://127.0.0.1:$PORT/api/points?limit=20000"
