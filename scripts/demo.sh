#!/usr/bin/env bash
# The demo: synthesise a 20 s broadcast match with ground truth, track it with the shipped models
# (or the classical fallback), print the run summary and the score against the ground truth.
set -euo pipefail
build=${1:-build}
cli="$build/apps/pitchtrack/pitchtrack"
out="$build/demo"
mkdir -p "$out"
if [[ ! -f "$out/match/match.mp4" ]]; then
  echo "== pitchtrack synth --out $out/match --seconds 20 --seed 1"
  "$cli" synth --out "$out/match" --seconds 20 --seed 1
fi
echo "== pitchtrack run --config config/batch-cpu.yaml --source $out/match/match.mp4 --out-dir $out/run"
"$cli" run --config config/batch-cpu.yaml --source "$out/match/match.mp4" --out-dir "$out/run"
echo "== pitchtrack eval --gt $out/match/gt --pred $out/run/tracks.jsonl"
"$cli" eval --gt "$out/match/gt" --pred "$out/run/tracks.jsonl" --json "$out/eval.json" >/dev/null
python3 - "$out/eval.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["HOTA", "DetA", "AssA", "MOTA", "IDF1", "id_switches", "precision", "recall", "team_accuracy"]
for k in keys:
    if k in d and d[k] is not None:
        v = d[k]
        print("%-16s %s" % (k, ("%.2f" % v) if isinstance(v, float) else v))
for k in ["pitch_error_m", "ball", "calibration"]:
    if d.get(k) is not None:
        print("%-16s %s" % (k, json.dumps(d[k])))
PY
