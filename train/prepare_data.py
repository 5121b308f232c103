#!/usr/bin/env python3
"""Copy a compact version of football-players-v1 into .traindata/ (ignored by git).

The GPU machine does not see ../shared, and a run may carry at most 64 MiB, so the JPEGs are
re-encoded (quality --quality, default 75) at their native 1280x720 size. Labels (YOLO txt,
class cx cy w h normalised) are copied unchanged. Only train/ and valid/ are copied.

  /usr/bin/python3 train/prepare_data.py                       # defaults below
  /usr/bin/python3 train/prepare_data.py --src ../shared/data/football-players-v1 --quality 75
"""
import argparse
import os
import shutil
import sys

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=os.path.join(ROOT, "..", "shared", "data", "football-players-v1"))
    ap.add_argument("--dst", default=os.path.join(ROOT, ".traindata", "football-players-v1"))
    ap.add_argument("--quality", type=int, default=75,
                    help="JPEG quality of the re-encode; 0 copies original JPEGs unchanged (q90, 67 MiB) "
                         "and re-encodes any other image at 95")
    ap.add_argument("--max-mib", type=float, default=44.0, help="fail if the copy is larger")
    args = ap.parse_args()

    total = 0
    for split in ("train", "valid"):
        si, sl = os.path.join(args.src, split, "images"), os.path.join(args.src, split, "labels")
        di, dl = os.path.join(args.dst, split, "images"), os.path.join(args.dst, split, "labels")
        os.makedirs(di, exist_ok=True)
        os.makedirs(dl, exist_ok=True)
        names = sorted(f for f in os.listdir(si) if f.lower().endswith((".jpg", ".jpeg", ".png")))
        n_lab = 0
        for f in names:
            stem = os.path.splitext(f)[0]
            img = cv2.imread(os.path.join(si, f), cv2.IMREAD_COLOR)
            if img is None:
                sys.exit(f"cannot read {f}")
            out = os.path.join(di, stem + ".jpg")
            if args.quality == 0 and f.lower().endswith((".jpg", ".jpeg")):
                shutil.copyfile(os.path.join(si, f), out)
            else:
                cv2.imwrite(out, img, [cv2.IMWRITE_JPEG_QUALITY, args.quality or 95])
            total += os.path.getsize(out)
            lab = os.path.join(sl, stem + ".txt")
            if os.path.exists(lab):
                shutil.copyfile(lab, os.path.join(dl, stem + ".txt"))
                total += os.path.getsize(lab)
                n_lab += 1
        print(f"{split}: {len(names)} images, {n_lab} label files")
    for f in ("SOURCE.txt", "README.dataset.txt", "data.yaml"):
        p = os.path.join(args.src, f)
        if os.path.exists(p):
            shutil.copyfile(p, os.path.join(args.dst, f))
    mib = total / 2**20
    quality = "the originals' JPEG quality" if args.quality == 0 else f"JPEG quality {args.quality}"
    print(f"total {mib:.1f} MiB at {quality} -> {args.dst}")
    if mib > args.max_mib:
        sys.exit(f"copy is {mib:.1f} MiB > {args.max_mib}; lower --quality")


if __name__ == "__main__":
    main()
