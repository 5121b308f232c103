#!/usr/bin/env bash
# Generates the tiny test clips (one per container/codec) and the bad inputs the tests open.
# Usage: make_test_clips.sh OUT_DIR.  Idempotent: skipped when OUT_DIR is up to date with this script.
set -euo pipefail
out=${1:?usage: make_test_clips.sh OUT_DIR}
mkdir -p "$out"
stamp="$out/.stamp"
hash=$(sha1sum "$0" | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then exit 0; fi
command -v ffmpeg >/dev/null || { echo "make_test_clips: ffmpeg not found (run 'make deps')" >&2; exit 1; }

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# $1 bytes of pseudo-random data from a fixed LCG: the same file on every machine. (Bytes from
# /dev/urandom were probed by FFmpeg as a raw H.263 stream now and then, which made the
# bad-input tests flaky: one fresh clone in a dozen.)
garbage() {
  local x=20251127 i hex s=""
  for ((i = 0; i < $1; i++)); do
    x=$(((x * 1103515245 + 12345) & 0x7fffffff))
    printf -v hex '\\x%02x' $(((x >> 16) & 255))
    s+=$hex
  done
  printf '%b' "$s"
}
src="testsrc2=size=320x240:rate=25"
# 50 frames at 25 fps in every container/codec pair FFmpeg gives us.
ff -f lavfi -i "$src" -frames:v 50 -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p "$out/h264.mp4"
ff -f lavfi -i "$src" -frames:v 50 -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p "$out/h264.mov"
ff -f lavfi -i "$src" -frames:v 50 -c:v libx265 -preset ultrafast -x265-params log-level=none -pix_fmt yuv420p "$out/hevc.mkv"
ff -f lavfi -i "$src" -frames:v 50 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k "$out/vp9.mkv"
ff -f lavfi -i "$src" -frames:v 50 -c:v mpeg2video -q:v 4 "$out/mpeg2.ts"
ff -f lavfi -i "$src" -frames:v 50 -c:v mpeg4 -q:v 4 "$out/mpeg4.avi"
# NTSC rate: 30000/1001 fps, 60 frames.
ff -f lavfi -i "testsrc2=size=320x240:rate=30000/1001" -frames:v 60 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$out/ntsc.mp4"
# Bad inputs.
: > "$out/empty.mp4"
garbage 65536 > "$out/garbage.mp4"
ff -f lavfi -i "$src" -frames:v 50 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$out/full_for_truncation.mp4"
size=$(stat -c %s "$out/full_for_truncation.mp4")
head -c $((size / 2)) "$out/full_for_truncation.mp4" > "$out/truncated.mp4"  # moov is at the end: cut off
rm -f "$out/full_for_truncation.mp4"
ff -f lavfi -i "sine=frequency=440:duration=1" -c:a aac "$out/audio_only.m4a"
mkdir -p "$out/a_directory.mp4"
echo "$hash" > "$stamp"
