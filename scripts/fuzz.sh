#!/usr/bin/env bash
# Runs the cargo-fuzz targets, each for SECONDS (default 600), one after another, from the
# team's seeds (fuzz/seeds/<target>, or the fixture articles for the readers of whole
# articles; read only) and the corpus kept in fuzz/corpus.tar.zst, unpacked into
# fuzz/corpus/<target> (new finds are added there, then it is minimized with `cargo fuzz cmin`,
# which names files by their hash, and archived again at the end: commit corpus.tar.zst).
# A crash stops the run and leaves its input in fuzz/artifacts/<target>/:
# once fixed, copy it into fuzz/seeds/<target>/ (creating it) so that every `cargo test`
# replays it.
# Prints one line per target: runs, corpus size, time.
#   scripts/fuzz.sh [SECONDS] [TARGET ...]       (all targets when none are named)
# Needs `cargo install cargo-fuzz`; RUSTC_BOOTSTRAP lets the stable toolchain take the
# sanitizer flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
if [ ! -d corpus ] && [ -f corpus.tar.zst ]; then
  zstd -dc --long=27 corpus.tar.zst | tar -xf -
fi
cargo fuzz build -O
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  start=$(date +%s)
  seeds=()
  case "$t" in
    decode_and_analyze | read_html | read_json) seeds+=(../crates/marsad-pipeline/tests/fixtures/articles) ;;
  esac
  if [ -d "seeds/$t" ]; then seeds+=("seeds/$t"); fi
  cargo fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
    -print_final_stats=1 >"logs/$t.log" 2>&1 || { echo "$t: FAILED (see fuzz/logs/$t.log, fuzz/artifacts/$t/)"; exit 1; }
  cargo fuzz cmin -O "$t" "corpus/$t" >>"logs/$t.log" 2>&1
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  echo "$t: ${runs:-?} runs in $(( $(date +%s) - start )) s, no crash; corpus $(ls "corpus/$t" | wc -l) files"
done
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - corpus | zstd -19 --long=27 -q -f -o corpus.tar.zst
echo "archived fuzz/corpus into fuzz/corpus.tar.zst ($(du -h corpus.tar.zst | cut -f1))"
