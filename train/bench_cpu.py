#!/usr/bin/env python3
"""Time the exported detector in OpenCV DNN on this CPU (batch 1 and 4).

  /usr/bin/python3 train/bench_cpu.py [--onnx models/football_det.onnx] [--runs 50] [--threads 2]

Per run: letterbox a 1280x720 BGR frame (resize to fit, top-left, pad 114), blobFromImage(1/255),
setInput, forward. Also: the same with the canvas and float blob kept between frames (a fresh
9 MB blob per call costs page faults, ~10 ms on the dev VM), and forward alone. Prints JSON with median / p10
/ p90 in ms, the date and the 1-minute load average before and after (other jobs on the machine
inflate the numbers).
"""
import argparse
import datetime
import json
import os
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def letterbox(img, w, h):
    s = min(w / img.shape[1], h / img.shape[0])
    nw, nh = round(img.shape[1] * s), round(img.shape[0] * s)
    r = img if (nw, nh) == (img.shape[1], img.shape[0]) else cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return cv2.copyMakeBorder(r, 0, h - nh, 0, w - nw, cv2.BORDER_CONSTANT, value=(114, 114, 114))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", default=os.path.join(HERE, "..", "models", "football_det.onnx"))
    ap.add_argument("--frames", default=os.path.join(HERE, "..", "..", "shared", "data", "football-players-v1", "valid", "images"))
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    meta = json.load(open(os.path.splitext(args.onnx)[0] + ".json"))
    W, H = meta["input_width"], meta["input_height"]
    cv2.setNumThreads(args.threads)
    net = cv2.dnn.readNetFromONNX(args.onnx)
    if os.path.isdir(args.frames):
        fs = sorted(os.listdir(args.frames))[:4]
        frames = [cv2.resize(cv2.imread(os.path.join(args.frames, f)), (1280, 720)) for f in fs]
    else:
        rng = np.random.default_rng(0)
        frames = [rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8) for _ in range(4)]
    blob1 = cv2.dnn.blobFromImage(letterbox(frames[0], W, H), meta["scale"])

    def e2e1():
        net.setInput(cv2.dnn.blobFromImage(letterbox(frames[0], W, H), meta["scale"]))
        return net.forward()

    # same work with buffers kept between frames (as a C++ caller would): canvas, float blob
    canvas = np.full((H, W, 3), meta["pad_value"], np.uint8)
    blob_buf = np.empty((1, 3, H, W), np.float32)

    def e2e1_reuse():
        f = frames[0]
        s = min(W / f.shape[1], H / f.shape[0])
        nw, nh = round(f.shape[1] * s), round(f.shape[0] * s)
        cv2.resize(f, (nw, nh), dst=canvas[:nh, :nw], interpolation=cv2.INTER_LINEAR)
        np.multiply(canvas.transpose(2, 0, 1), np.float32(meta["scale"]), out=blob_buf[0], casting="unsafe")
        net.setInput(blob_buf)
        return net.forward()

    def fwd1():
        net.setInput(blob1)
        return net.forward()

    def e2e4():
        net.setInput(cv2.dnn.blobFromImages([letterbox(f, W, H) for f in frames], meta["scale"]))
        return net.forward()

    def timeit(fn, n):
        for _ in range(5):
            fn()
        t = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            t.append((time.perf_counter() - t0) * 1000)
        return {"median_ms": round(float(np.median(t)), 2), "p10_ms": round(float(np.percentile(t, 10)), 2),
                "p90_ms": round(float(np.percentile(t, 90)), 2), "runs": n}

    res = {"model": os.path.basename(args.onnx), "input": f"{W}x{H}", "opencv": cv2.__version__,
           "threads": args.threads, "nproc": os.cpu_count(),
           "date": datetime.datetime.now().isoformat(timespec="seconds"), "loadavg_before": os.getloadavg()[0]}
    res["batch1_letterbox_blob_forward"] = timeit(e2e1, args.runs)
    res["batch1_letterbox_forward_reused_buffers"] = timeit(e2e1_reuse, args.runs)
    res["batch1_forward_only"] = timeit(fwd1, args.runs)
    res["batch4_letterbox_blob_forward"] = timeit(e2e4, args.runs)
    res["batch4_per_frame_ms"] = round(res["batch4_letterbox_blob_forward"]["median_ms"] / 4, 2)
    res["loadavg_after"] = os.getloadavg()[0]
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
