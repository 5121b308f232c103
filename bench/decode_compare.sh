#!/usr/bin/env bash
# Decode throughput, side by side in one run: AsyncVideoReader (decode + BGR24 conversion into
# pooled frames) against `ffmpeg -benchmark` with the same decoder thread count.
# Usage: bench/decode_compare.sh [BUILD_DIR] [THREADS] [CLIP]
# Without CLIP it generates a 1080p25 H.264 clip (10 s, film-grain noise so the bitrate is
# broadcast-like, ~8 Mb/s) under BUILD_DIR/bench/.
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
clip=${3:-}
if [[ -z "$clip" ]]; then
  mkdir -p "$build/bench"
  clip="$build/bench/bench_1080p25_h264.mp4"
  if [[ ! -f "$clip" ]]; then
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25" \
      -vf "noise=alls=10:allf=t" -frames:v 250 -c:v libx264 -preset veryfast -b:v 8M -maxrate 10M \
      -bufsize 16M -g 50 -pix_fmt yuv420p "$clip"
  fi
fi
frames=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$clip")
run_ffmpeg() {  # $1: extra output options
  local t
  t=$(ffmpeg -hide_banner -nostdin -benchmark -threads "$threads" -i "$clip" $1 -f null - 2>&1 |
      sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' | tail -1)
  awk -v n="$frames" -v t="$t" 'BEGIN { printf "%.1f", n / t }'
}
ours=$("$build/bench/decode_bench" --clip="$clip" --threads="$threads" --benchmark_repetitions=3 \
       --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
       python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f" % [b for b in d["benchmarks"] if b["name"].endswith("_median")][0]["fps"])')
ff_plain=$(run_ffmpeg "")
ff_bgr=$(run_ffmpeg "-pix_fmt bgr24")
echo "clip: $clip ($frames frames), decoder threads: $threads, machine: $(nproc) cores, $(date -u +%F)"
printf "%-52s %8s\n" "decoder" "fps"
printf "%-52s %8s\n" "pitchtrack AsyncVideoReader (decode+BGR, median of 3)" "$ours"
printf "%-52s %8s\n" "ffmpeg -benchmark -f null - (decode only)" "$ff_plain"
printf "%-52s %8s\n" "ffmpeg -benchmark -pix_fmt bgr24 -f null -" "$ff_bgr"
awk -v a="$ours" -v b="$ff_plain" -v c="$ff_bgr" 'BEGIN {
  printf "ratio vs decode-only: %.3f   ratio vs decode+bgr24: %.3f\n", a / b, a / c }'
