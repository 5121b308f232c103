#!/usr/bin/env bash
# On the lent GPU machine, after bench/gpu_multistream_bench.sh (build-gpu and the clip exist or
# are made by it): N streams with config/multistream-gpu.yaml and with single changes to it, to
# see what each CPU stage and setting costs the aggregate: keypoint model off (calibration off),
# camera motion off, camera motion at its default 640 px / 250 features, two decoder threads per
# stream, GPU waits spinning instead of blocking, frames dropped after 120 ms instead of 300 ms,
# frames resized by each stream instead of by the shared detector (clientresize), detection not
# overlapped with tracking (nooverlap), one batcher session instead of two (sessions1), CPU
# decoding instead of NVDEC (cpudecode), one frame per stream in the batcher instead of two
# (clients1), batches released 5 ms after their oldest frame instead of 10 ms (maxwait5),
# batches of up to 32 frames instead of 16 (batch32), NVDEC for every stream or for at most 8, 16
# or 24 of them instead of the config's 20 (nvdecall, nvdec8, nvdec16, nvdec24), frames in
# ordinary memory copied into a staging buffer before the upload (nopin), the forward pass
# launched layer by layer instead of as a CUDA graph (nographs), both (plain).
#
#   [HOG_CORES=K] [VARIANTS='...'] bench/gpu_multistream_ablation.sh OUT [STREAMS] [SECONDS]
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
python3 - $base <<'PY'
import re, sys
base = open(sys.argv[1]).read()
motion = re.compile(r"^camera_motion:.*\n(?:  .*\n)*", re.M)
variants = {
    "nomotion": motion.sub("camera_motion: false\n", base),
    "motion640": motion.sub("camera_motion: true\n", base),
    "dec2": re.sub(r"^  decoder_threads: 1 ", "  decoder_threads: 2 ", base, flags=re.M),
    "spin": re.sub(r"^  cuda_wait: block ", "  cuda_wait: spin ", base, flags=re.M),
    "clientresize": re.sub(r"^  resize_on_clients: false ", "  resize_on_clients: true ", base, flags=re.M),
    "maxlat120": re.sub(r"^max_processing_latency_ms: 300 ", "max_processing_latency_ms: 120 ", base, flags=re.M),
    "nooverlap": re.sub(r"^overlap_detection: true ", "overlap_detection: false ", base, flags=re.M),
    "sessions1": re.sub(r"^  sessions: 2 ", "  sessions: 1 ", base, flags=re.M),
    "cpudecode": re.sub(r"^  hwaccel: cuda ", "  hwaccel: none ", base, flags=re.M),
    "clients1": re.sub(r"^  clients_per_stream: 2 ", "  clients_per_stream: 1 ", base, flags=re.M),
    "maxwait5": re.sub(r"^  max_wait_ms: 10 ", "  max_wait_ms: 5  ", base, flags=re.M),
    "batch32": re.sub(r"^  max_batch: 16 ", "  max_batch: 32 ", base, flags=re.M),
    "nopin": re.sub(r"^  pin_frames: true ", "  pin_frames: false", base, flags=re.M),
    "nographs": re.sub(r"^  cuda_graphs: true ", "  cuda_graphs: false", base, flags=re.M),
    "plain": re.sub(r"^  cuda_graphs: true ", "  cuda_graphs: false",
                    re.sub(r"^  pin_frames: true ", "  pin_frames: false", base, flags=re.M), flags=re.M),
}
# Decoder placement: NVDEC for every stream (nvdecall) or for at most 8, 16, 24 of them (those
# other than the base config's own cap).
for name, cap in (("nvdecall", 0), ("nvdec8", 8), ("nvdec16", 16), ("nvdec24", 24)):
    if not re.search(rf"^  hwaccel_max_decoders: {cap} ", base, flags=re.M):
        variants[name] = re.sub(r"^  hwaccel_max_decoders: \d+ *", f"  hwaccel_max_decoders: {cap} ", base, flags=re.M)
for name, text in variants.items():
    assert text != base, name
    open(f"/tmp/abl_{name}.yaml", "w").write(text)
PY
# HOG_CORES=K: K busy loops run beside each bench (a host with K fewer free cores, as on a slower
# or shared machine); the files are then named abl_<variant>_<N>_hog<K>.
hog=${HOG_CORES:-0}
suffix=""
(( hog > 0 )) && suffix="_hog$hog"
for v in ${VARIANTS:-base nomotion motion640 dec2 spin clientresize maxlat120 nocalib}; do
  cfg=$base
  [[ $v != base ]] && cfg=/tmp/abl_$v.yaml
  hogs=()
  for (( k = 0; k < hog; ++k )); do
    timeout $(( seconds + 90 )) bash -c 'while :; do :; done' &
    hogs+=($!)
  done
  timeout $(( seconds + 90 )) $P bench --config "$cfg" --source /tmp/m1080/match.mp4 --streams "$n" \
    --duration "$seconds" --json "$out/abl_${v}_${n}${suffix}.json" > "$out/abl_${v}_${n}${suffix}.txt" 2>&1
  rc=$?
  (( ${#hogs[@]} )) && kill "${hogs[@]}" 2>/dev/null
  wait 2>/dev/null
  echo "== $n streams, $v${suffix:+, $hog busy cores} (rc $rc)"
  grep -E "aggregate FPS|latency p50|frame drops|GPU memory|CPU  |detector batches|decoding|stage ms" "$out/abl_${v}_${n}${suffix}.txt"
done
