#!/usr/bin/env python3
"""Copy a compact, un-stretched version of pitch-keypoints-v1 into .traindata/ (ignored by git).

The Roboflow export stretched 1920x1080 broadcast frames to 640x640. Here every frame is resized
back to 16:9 (--size, default 960x540) and re-encoded as JPEG (--quality, default 80). The labels
(YOLOv8-pose: "0 cx cy w h" + 32 x "kx ky vis", normalised) are unchanged: normalised coordinates
do not depend on the stretch. Only train/ and valid/ are copied. The GPU machine does not see
../shared, so the training run carries this folder (.traindata/pitch-keypoints-v1).

  /usr/bin/python3 train/keypoints_prepare.py
  /usr/bin/python3 train/keypoints_prepare.py --src ../shared/data/pitch-keypoints-v1 --size 960x540
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
    ap.add_argument("--src", default=os.path.join(ROOT, "..", "shared", "data", "pitch-keypoints-v1"))
    ap.add_argument("--dst", default=os.path.join(ROOT, ".traindata", "pitch-keypoints-v1"))
    ap.add_argument("--size", default="960x540", help="un-stretched WxH")
    ap.add_argument("--quality", type=int, default=80)
    ap.add_argument("--max-mib", type=float, default=30.0, help="fail if the copy is larger")
    args = ap.parse_args()
    w, h = map(int, args.size.lower().split("x"))

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
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA if h < img.shape[0] else cv2.INTER_LINEAR)
            out = os.path.join(di, stem + ".jpg")
            cv2.imwrite(out, img, [cv2.IMWRITE_JPEG_QUALITY, args.quality])
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
    print(f"total {mib:.1f} MiB at {w}x{h}, JPEG quality {args.quality} -> {args.dst}")
    if mib > args.max_mib:
        sys.exit(f"copy is {mib:.1f} MiB > {args.max_mib}; lower --quality")


if __name__ == "__main__":
    main()
