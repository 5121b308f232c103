#!/usr/bin/env python3
"""Render synthetic training frames for the football detector with `pitchtrack synth`.

The real training set (football-players-v1) is 298 Bundesliga frames. The project's own
renderer (`pitchtrack synth`) draws matches with exact boxes, other kits, other camera
framings, close-ups and a scoreboard. Frames of it, mixed into training, teach the detector
that domain too: its boxes there hugged the drawn shadows (too wide and too low), and it lost
a cyan goalkeeper and a black referee for seconds at a time.

Evaluation matches are never used for training: seed 1 (`make demo` and the 60 s match of
docs/PERFORMANCE.md), 3, 7 and 8 (tests) are refused. The default seeds are 1001..1012.

For each seed: render DIR/match.mp4 at 1920x1080 (H.264, the compression the pipeline sees),
decode it with OpenCV, keep every --every-th frame (offset by seed), resize it to 1280x720 like
the real data, write a JPEG at --quality and a YOLO label file (class cx cy w h, normalised;
classes ball 0, goalkeeper 1, player 2, referee 3). People come from gt/gt.txt with roles from
gt/meta.json; a person is labelled when at least --min-visibility of the figure is seen, and
the ball when ball.csv says it is visible.

Ball boxes follow the real data's convention, not the renderer's: --ball-scale 1.8 grows each
drawn ball's box about its centre. The renderer's box is the ball itself (0.22 m across, 0.12 of
a 1.8 m player); in football-players-v1 the labelled ball is 0.22 of the median player box's
height (train: ball 7.9 px, player 36 px), so annotators box the ball with its blur and margin,
about 1.8x its size. With the renderer's tight boxes mixed in, the size head learned two
conventions and real ball AP50 fell from 0.595 to 0.47-0.50 (see MODEL_CARD.md).

  /usr/bin/python3 train/synth_prepare.py --pitchtrack build/apps/pitchtrack/pitchtrack
      # -> .traindata/synth-v1/train/{images,labels}, synth-v1/README.txt
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = {"ball": 0, "goalkeeper": 1, "player": 2, "referee": 3}
RESERVED_SEEDS = {1, 3, 7, 8}


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds.extend(range(int(a), int(b) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def labels_for_seed(gt_dir, min_vis, ball_scale):
    """frame (1-based) -> list of (class, x1, y1, x2, y2) in the rendered frame's pixels"""
    meta = json.load(open(os.path.join(gt_dir, "meta.json")))
    role = {p["id"]: p["role"] for p in meta["people"]}
    out = {}
    for row in csv.reader(open(os.path.join(gt_dir, "gt.txt"))):
        f, pid, x, y, w, h = int(row[0]), int(row[1]), *map(float, row[2:6])
        vis = float(row[8]) if len(row) > 8 else 1.0
        if vis < min_vis:
            continue
        out.setdefault(f, []).append((CLASSES[role[pid]], x, y, x + w, y + h))
    for row in csv.DictReader(open(os.path.join(gt_dir, "ball.csv"))):
        if row["visible"] != "1":
            continue
        x, y, w, h = (float(row[k]) for k in ("x_px", "y_px", "w_px", "h_px"))
        cx, cy, w, h = x + w / 2, y + h / 2, w * ball_scale, h * ball_scale
        out.setdefault(int(row["frame"]), []).append((0, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return meta, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pitchtrack", default=os.path.join(HERE, "..", "build", "apps", "pitchtrack", "pitchtrack"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", ".traindata", "synth-v1"))
    ap.add_argument("--seeds", default="1001-1012", help="comma list and ranges, e.g. 1001-1012")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--every", type=int, default=14, help="keep every N-th frame")
    ap.add_argument("--width", type=int, default=1280, help="stored frame size (real data: 1280x720)")
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--quality", type=int, default=75, help="JPEG quality")
    ap.add_argument("--min-visibility", type=float, default=0.2)
    ap.add_argument("--ball-scale", type=float, default=1.8, help="ball box growth (real data's convention)")
    args = ap.parse_args()

    seeds = parse_seeds(args.seeds)
    bad = sorted(set(seeds) & RESERVED_SEEDS)
    if bad:
        sys.exit(f"synth_prepare: seeds {bad} render evaluation or test matches; pick others")
    if not os.access(args.pitchtrack, os.X_OK):
        sys.exit(f"synth_prepare: '{args.pitchtrack}' is not an executable pitchtrack (build it first)")
    img_dir = os.path.join(args.out, "train", "images")
    lab_dir = os.path.join(args.out, "train", "labels")
    shutil.rmtree(os.path.join(args.out, "train"), ignore_errors=True)
    os.makedirs(img_dir)
    os.makedirs(lab_dir)
    counts = np.zeros(4, int)
    frames = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k, seed in enumerate(seeds):
            d = os.path.join(tmp, f"s{seed}")
            cmd = [args.pitchtrack, "synth", "--out", d, "--seconds", str(args.seconds), "--seed", str(seed),
                   "--quiet"]
            if k % 2 == 0:
                cmd.append("--cuts")  # close-ups on half of the matches
            if k % 3 != 2:
                cmd.append("--overlay")  # a scoreboard on two thirds
            subprocess.run(cmd, check=True)
            meta, labels = labels_for_seed(os.path.join(d, "gt"), args.min_visibility, args.ball_scale)
            sx, sy = args.width / meta["width"], args.height / meta["height"]
            cap = cv2.VideoCapture(os.path.join(d, "match.mp4"))
            f = 0
            while True:
                ok, img = cap.read()
                if not ok:
                    break
                f += 1
                if (f - 1 + seed) % args.every:
                    continue
                img = cv2.resize(img, (args.width, args.height), interpolation=cv2.INTER_AREA)
                name = f"synth_s{seed}_f{f:04d}"
                cv2.imwrite(os.path.join(img_dir, name + ".jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, args.quality])
                with open(os.path.join(lab_dir, name + ".txt"), "w") as fh:
                    for c, x1, y1, x2, y2 in labels.get(f, []):
                        x1, x2 = np.clip([x1 * sx, x2 * sx], 0, args.width)
                        y1, y2 = np.clip([y1 * sy, y2 * sy], 0, args.height)
                        if x2 - x1 < 1 or y2 - y1 < 1:
                            continue
                        counts[c] += 1
                        fh.write(f"{c} {(x1 + x2) / 2 / args.width:.6f} {(y1 + y2) / 2 / args.height:.6f} "
                                 f"{(x2 - x1) / args.width:.6f} {(y2 - y1) / args.height:.6f}\n")
                frames += 1
            print(f"seed {seed}: {f} frames rendered, {frames} kept so far", flush=True)
    size = sum(os.path.getsize(os.path.join(img_dir, n)) for n in os.listdir(img_dir))
    summary = (f"pitchtrack synth frames for detector training: seeds {args.seeds}, {args.seconds} s each, "
               f"every {args.every}th frame, {args.width}x{args.height}, JPEG q{args.quality}, "
               f"min visibility {args.min_visibility}, ball boxes x{args.ball_scale}\n{frames} frames, {size / 2**20:.1f} MiB; boxes "
               + ", ".join(f"{n} {counts[c]}" for n, c in CLASSES.items()) + "\n")
    open(os.path.join(args.out, "README.txt"), "w").write(summary)
    print(summary, end="")


if __name__ == "__main__":
    main()
