#!/usr/bin/env bash
# On the lent GPU machine, after bench/gpu_multistream_bench.sh (build-gpu and the clip exist or
# are made by it): N streams with config/multistream-gpu.yaml and with single changes to it, to
# see what each CPU stage costs the aggregate: keypoint model off (calibration off), camera
# motion off, one decoder thread per stream.
#
#   bench/gpu_multistream_ablation.sh OUT [STREAMS] [SECONDS]
set -uo pipefail
out=${1:?usage: bench/gpu_multistream_ablation.sh OUT [STREAMS] [SECONDS]}
n=${2:-32}
seconds=${3:-15}
mkdir -p "$out"
[[ -x build-gpu/apps/pitchtrack/pitchtrack && -r /tmp/m1080/match.mp4 ]] || \
  DECODERS=cpu bench/gpu_multistream_bench.sh "$out" "$seconds" 1 > "$out/setup.log" 2>&1
source build-gpu/gpu_env.sh
P=build-gpu/apps/pitchtrack/pitchtrack
base=config/multistream-gpu.yaml
sed 's/^  mode: auto$/  mode: off/' $base > /tmp/abl_nocalib.yaml
sed 's/^camera_motion: true$/camera_motion: false/' $base > /tmp/abl_nomotion.yaml
sed 's/^  decoder_threads: 2 /  decoder_threads: 1 /' $base > /tmp/abl_dec1.yaml
for v in base nocalib nomotion dec1; do
  cfg=$base
  [[ $v != base ]] && cfg=/tmp/abl_$v.yaml
  timeout $(( seconds + 90 )) $P bench --config "$cfg" --source /tmp/m1080/match.mp4 --streams "$n" \
    --duration "$seconds" --json "$out/abl_${v}_${n}.json" > "$out/abl_${v}_${n}.txt" 2>&1
  echo "== $n streams, $v (rc $?)"
  grep -E "aggregate FPS|latency p50|frame drops|CPU  |detector batches|stage ms" "$out/abl_${v}_${n}.txt"
done
