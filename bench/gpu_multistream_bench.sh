#!/usr/bin/env bash
# On a CUDA machine (the lent H100): builds pitchtrack with the GPU pack if build-gpu is missing,
# then measures N live 1080p25 streams sharing one FP16 detector (`pitchtrack bench --streams N`,
# config/multistream-gpu.yaml) for N in STREAMS, with CPU decode and with NVDEC, and one real-time
# single stream (config/realtime-gpu.yaml, warm-up included). Logs and JSON go to OUT.
#
#   bench/gpu_multistream_bench.sh OUT [SECONDS] [STREAMS...]
#     SECONDS  measured seconds per run once every stream has started (default 15)
#     STREAMS  stream counts (default: 1 4 16 32 64)
#   DECODERS  "cpu nvdec" (default) or one of them
set -uo pipefail
out=${1:?usage: bench/gpu_multistream_bench.sh OUT [SECONDS] [STREAMS...]}
seconds=${2:-15}
shift 2 2>/dev/null || shift $#
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1 4 16 32 64)
mkdir -p "$out"
t0=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt"
nproc > "$out/nproc.txt"
if [[ ! -x build-gpu/apps/pitchtrack/pitchtrack ]]; then
  scripts/gpu_build.sh .gpupack/pitchtrack-gpu-deps.tar.xz build-gpu > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
  echo "build: $(( $(date +%s) - t0 )) s"
fi
source build-gpu/gpu_env.sh
P=build-gpu/apps/pitchtrack/pitchtrack
clip=/tmp/m1080/match.mp4
if [[ ! -r $clip ]]; then
  $P synth --out /tmp/m1080 --seconds $(( seconds + 15 )) --seed 1 > "$out/synth.log" 2>&1 || tail -3 "$out/synth.log"
fi
echo "clip ready: $(( $(date +%s) - t0 )) s"
if [[ ! -e $out/single.txt ]]; then  # once per OUT: the GPU tests and the single real-time stream
  build-gpu/tests/unit/torch_detector_test --gtest_filter='*Cuda*:*GpuMemory*:TorchKeypoints*' > "$out/torch_test.log" 2>&1
  grep -E "^\[  (PASSED|FAILED)|MB|max" "$out/torch_test.log" | head -6
  # (the tests that read clips need the ctest fixture that makes them with the ffmpeg CLI, absent here)
  build-gpu/tests/unit/detection_batcher_test --gtest_filter='DetectionBatcher.*:-*SharedDetectorPipelines*' \
    > "$out/batcher_test.log" 2>&1
  grep -E "^\[  (PASSED|FAILED)" "$out/batcher_test.log"
  $P run --config config/realtime-gpu.yaml --source "$clip" --out-dir /tmp/run_single --no-progress > "$out/single.txt" 2>&1
  echo "== single stream, config/realtime-gpu.yaml (rc $?, at $(( $(date +%s) - t0 )) s)"
  cp /tmp/run_single/summary.json "$out/single_summary.json"
  tail -16 "$out/single.txt"
  # Where the slowest frames are and which frames were dropped (gaps in tracks.jsonl).
  python3 - /tmp/run_single/tracks.jsonl <<'PY' | tee "$out/single_slowest.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
frames = [r["frame"] for r in rows]
print("results", len(rows), "gaps", [(a, b) for a, b in zip(frames, frames[1:]) if b - a > 1][:20])
for r in sorted(rows, key=lambda r: -sum(r["timings_ms"].values()))[:5]:
    print("frame", r["frame"], {k: round(v, 1) for k, v in r["timings_ms"].items() if v > 1})
PY
fi
sed 's/^  hwaccel: cuda /  hwaccel: none /' config/multistream-gpu.yaml > /tmp/multistream-cpu.yaml
for n in "${counts[@]}"; do
  for dec in ${DECODERS:-cpu nvdec}; do
    cfg=config/multistream-gpu.yaml  # NVDEC
    [[ $dec == cpu ]] && cfg=/tmp/multistream-cpu.yaml
    timeout $(( seconds + 90 )) $P bench --config "$cfg" --source "$clip" --streams "$n" --duration "$seconds" \
      --json "$out/ms_${dec}_${n}.json" > "$out/ms_${dec}_${n}.txt" 2>&1
    echo "== $n streams, $dec decode (rc $?, at $(( $(date +%s) - t0 )) s)"
    grep -E "aggregate FPS|latency p50|frame drops|GPU memory|CPU  |detector batches|decoding|bottleneck|error" "$out/ms_${dec}_${n}.txt"
  done
done
echo "total: $(( $(date +%s) - t0 )) s"
