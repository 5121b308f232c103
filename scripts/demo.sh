#!/usr/bin/env bash
# The demo: generates a short 1080p clip with the build's own test tooling and probes it.
# (The full tracking demo replaces this once the pipeline lands.)
set -euo pipefail
build=${1:-build}
out="$build/demo"
mkdir -p "$out"
clip="$out/demo_1080p25.mp4"
if [[ ! -f "$clip" ]]; then
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25" -frames:v 125 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip"
fi
echo "== pitchtrack probe $clip"
"$build/apps/pitchtrack/pitchtrack" probe "$clip" --count-frames
