#!/usr/bin/env bash
# On a CUDA machine (the lent H100): builds pitchtrack with the GPU pack (scripts/gpu_build.sh),
# runs the torch backend's tests (CUDA vs CPU included), the detector benchmark on the GPU, and a
# real-time single-stream run of a synthetic 1080p25 match; writes logs and JSON into OUT.
#
#   bench/gpu_pipeline_bench.sh OUT [SECONDS]
set -uo pipefail
out=${1:?usage: bench/gpu_pipeline_bench.sh OUT [SECONDS]}
seconds=${2:-30}
mkdir -p "$out"
t0=$(date +%s)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$out/gpu.txt"
if ! scripts/gpu_build.sh .gpupack/pitchtrack-gpu-deps.tar.xz build-gpu > "$out/build.log" 2>&1; then
  tail -40 "$out/build.log"
  exit 1
fi
echo "build: $(( $(date +%s) - t0 )) s"
source build-gpu/gpu_env.sh
P=build-gpu/apps/pitchtrack/pitchtrack
(cd build-gpu && ctest -R 'Torch|DetectorGolden|detect_test' --output-on-failure) > "$out/ctest_torch.log" 2>&1
grep -E "tests passed|Failed|Skipped|\*\*\*" "$out/ctest_torch.log" | tail -8
build-gpu/tests/unit/torch_detector_test --gtest_filter='*Cuda*' > "$out/torch_cuda_test.log" 2>&1
grep -E "OK|FAILED|SKIPPED|max" "$out/torch_cuda_test.log" | head -10
build-gpu/bench/detector_bench --benchmark_filter='Torch' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json > "$out/detector_bench.json" 2> "$out/detector_bench.err"
python3 - "$out/detector_bench.json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        print(f"{b['name']:60s} {b['real_time']:9.3f} {b['time_unit']}")
PY
$P synth --out /tmp/m1080 --seconds "$seconds" --seed 1 > "$out/synth.log" 2>&1 || tail -3 "$out/synth.log"
tail -1 "$out/synth.log"
$P bench --config config/realtime-gpu.yaml --source /tmp/m1080/match.mp4 --json "$out/bench_realtime_gpu.json" \
  > "$out/bench_realtime_gpu.txt" 2>&1 || tail -5 "$out/bench_realtime_gpu.txt"
cat "$out/bench_realtime_gpu.txt" | tail -22
$P run --config config/realtime-gpu.yaml --source /tmp/m1080/match.mp4 --out-dir /tmp/run_gpu > "$out/run_gpu.log" 2>&1
$P eval --gt /tmp/m1080 --pred /tmp/run_gpu/tracks.jsonl --json "$out/eval_run_gpu.json" > /dev/null 2>&1
python3 -c "import json;d=json.load(open('$out/eval_run_gpu.json'));print({k:d.get(k) for k in ('HOTA','IDF1','MOTA','team_accuracy')})"
echo "total: $(( $(date +%s) - t0 )) s"
