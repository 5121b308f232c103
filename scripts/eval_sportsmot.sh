#!/usr/bin/env bash
# Tracker on the SportsMOT football sequences, scored with `pitchtrack eval`.
# Usage: scripts/eval_sportsmot.sh [BUILD_DIR] [MODE] [OUT_DIR]
#   MODE gt        : GT boxes as detections
#   MODE degraded  : seeded degraded detections (10% dropped, 2 px jitter, 2% false positives),
#                    also scoring the perfect-association ceiling of the same detections
# SEED (environment, default 1) seeds degrade-dets.
# TRACK_ARGS (environment) is passed to `pitchtrack track`, e.g. TRACK_ARGS="--set tracker.buffer_scale=0.4".
# Prints one line per sequence, the means, and the id-switch rate pooled over all GT boxes;
# per-sequence JSON lands in OUT_DIR.
set -euo pipefail
build=${1:-build}
mode=${2:-gt}
out=${3:-$build/eval_sportsmot_$mode}
data=${PITCHTRACK_SHARED_DATA:-$(dirname "$0")/../../shared/data}/sportsmot-football-gt/sportsmot-train
cli="$build/apps/pitchtrack/pitchtrack"
[[ -d "$data" ]] || { echo "eval_sportsmot: $data not found" >&2; exit 1; }
mkdir -p "$out"
printf "%-22s %7s %7s %7s %7s %7s %9s %8s\n" sequence HOTA IDF1 MOTA AssA IDsw sw/1000 ceiling
for seq in "$data"/*/; do
  name=$(basename "$seq")
  dets="$seq/gt/gt.txt"
  ceiling=""
  if [[ $mode == degraded ]]; then
    "$cli" degrade-dets --gt "$seq/gt/gt.txt" --out "$out/$name.dets.txt" --seed "${SEED:-1}"
    dets="$out/$name.dets.txt"
    "$cli" eval --gt "$seq" --pred "$dets" > "$out/$name.ceiling.json"
    ceiling=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["HOTA"])' "$out/$name.ceiling.json")
  fi
  "$cli" track --detections "$dets" --out "$out/$name.tracks.txt" ${TRACK_ARGS:-} 2>/dev/null
  "$cli" eval --gt "$seq" --pred "$out/$name.tracks.txt" > "$out/$name.json"
  python3 - "$out/$name.json" "$name" "$ceiling" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("%-22s %7.2f %7.2f %7.2f %7.2f %7d %9.2f %8s" % (sys.argv[2], d["HOTA"], d["IDF1"], d["MOTA"], d["AssA"],
      d["id_switches"], 1000.0 * d["id_switches"] / d["gt_boxes"], sys.argv[3]))
PY
done | tee "$out/summary.txt"
python3 - "$out/summary.txt" "$out" <<'PY'
import json, os, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
n = len(rows)
mean = lambda i: sum(float(r[i]) for r in rows) / n
ceil = [float(r[7]) for r in rows if len(r) > 7]
print("%-22s %7.2f %7.2f %7.2f %7.2f %7.1f %9.2f %8s" % ("MEAN (%d seqs)" % n, mean(1), mean(2), mean(3), mean(4), mean(5), mean(6),
      "%.2f" % (sum(ceil) / len(ceil)) if ceil else ""))
# The sw/1000 mean above weighs every sequence alike; pooled, the dense sequences weigh more.
runs = [json.load(open(os.path.join(sys.argv[2], r[0] + ".json"))) for r in rows]
sw, boxes = sum(j["id_switches"] for j in runs), sum(j["gt_boxes"] for j in runs)
print("id switches pooled: %.2f per 1000 GT boxes (%d of %d)" % (1000.0 * sw / boxes, sw, boxes))
PY
