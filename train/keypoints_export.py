#!/usr/bin/env python3
"""Export a trained PitchKP checkpoint to ONNX (opset 13, OpenCV DNN) with its JSON sidecar, check
parity (PyTorch vs OpenCV DNN), optionally time OpenCV DNN on this CPU and evaluate the ONNX file
on the valid split at 1280x720 (median keypoint error, pitch-grid calibration error).

  /usr/bin/python3 train/keypoints_export.py --ckpt runs/kp/best.pt --out models
  (writes models/pitch_keypoints.onnx, models/pitch_keypoints.json, train/logs/keypoints_export_report.json)

Contract: input "images" [N,3,H,W] float32 BGR / 255, the frame resized to W x H (no letterbox);
output "output" [N,96,H/4,W/4]: 0-31 sigmoid heatmaps (keypoint order of the sidecar), 32+2k and
33+2k the offsets (dx, dy) of keypoint k in cells: position = ((col + 0.5 + dx) * 4,
(row + 0.5 + dy) * 4) input pixels, scaled to the frame by frame_size / input_size per axis.
"""
import argparse
import datetime
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np
import torch

from keypoints_model import NUM_KEYPOINTS, STRIDE, build_model, count_macs, fuse_bn

NAME = "pitch_keypoints"
KEYPOINT_NAMES = [
    "left_far_corner", "left_far_penalty_box_goal_line", "left_far_goal_box_goal_line",
    "left_near_goal_box_goal_line", "left_near_penalty_box_goal_line", "left_near_corner",
    "left_far_goal_box_corner", "left_near_goal_box_corner", "left_penalty_spot",
    "left_far_penalty_box_corner", "left_far_penalty_arc_box_line", "left_near_penalty_arc_box_line",
    "left_near_penalty_box_corner", "halfway_far_touchline", "halfway_far_centre_circle",
    "halfway_near_centre_circle", "halfway_near_touchline", "right_far_penalty_box_corner",
    "right_far_penalty_arc_box_line", "right_near_penalty_arc_box_line", "right_near_penalty_box_corner",
    "right_penalty_spot", "right_far_goal_box_corner", "right_near_goal_box_corner", "right_far_corner",
    "right_far_penalty_box_goal_line", "right_far_goal_box_goal_line", "right_near_goal_box_goal_line",
    "right_near_penalty_box_goal_line", "right_near_corner", "centre_circle_left", "centre_circle_right"]


def fix_identity_initializers(path):
    """the exporter may alias equal initializers through Identity nodes, which OpenCV 4.6 cannot
    import; replace each such Identity with a copy of the initializer."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        return 0
    m = onnx.load(path)
    inits = {i.name for i in m.graph.initializer}
    by_name = {i.name: i for i in m.graph.initializer}
    keep, n = [], 0
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            arr = numpy_helper.to_array(by_name[node.input[0]])
            m.graph.initializer.append(numpy_helper.from_array(arr, node.output[0]))
            n += 1
        else:
            keep.append(node)
    if n:
        del m.graph.node[:]
        m.graph.node.extend(keep)
        onnx.checker.check_model(m)
        onnx.save(m, path)
    return n


def decode_np(out):
    """[96,h,w] -> [32,3] (x, y input px, confidence)."""
    K = NUM_KEYPOINTS
    _, h, w = out.shape
    heat = out[:K].reshape(K, -1)
    idx = heat.argmax(1)
    conf = heat[np.arange(K), idx]
    iy, ix = idx // w, idx % w
    dx = out[K::2].reshape(K, -1)[np.arange(K), idx]
    dy = out[K + 1::2].reshape(K, -1)[np.arange(K), idx]
    return np.stack([(ix + 0.5 + dx) * STRIDE, (iy + 0.5 + dy) * STRIDE, conf], 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models"))
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "pitch-keypoints-v1"),
                    help="dataset root with valid/images + valid/labels (640x640 or un-stretched)")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--thr", type=float, default=0.3)
    ap.add_argument("--runs", type=int, default=30, help="timed runs (0: no timing)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--report", default=os.path.join(HERE, "logs", "keypoints_export_report.json"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import cv2

    from keypoints_data import calibration_metrics, pitch_keypoints_m

    ck = torch.load(args.ckpt, map_location="cpu", weights_only=False)
    cfg = ck.get("model_cfg", {})
    in_h, in_w = ck.get("input_hw", (384, 640))
    model = build_model(**cfg)
    model.load_state_dict(ck["ema"] if "ema" in ck else ck["model"])
    model.eval()
    fused = fuse_bn(model).eval()
    onnx_path = os.path.join(args.out, NAME + ".onnx")
    js_path = os.path.join(args.out, NAME + ".json")
    report = {"ckpt": os.path.basename(args.ckpt), "step": ck.get("step"), "torch": torch.__version__,
              "opencv": cv2.__version__, "input_hw": [in_h, in_w], "model_cfg": cfg,
              "train_metrics": ck.get("metrics")}

    dummy = torch.zeros(1, 3, in_h, in_w)
    kw = dict(opset_version=13, input_names=["images"], output_names=["output"],
              dynamic_axes={"images": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    if int(torch.__version__.split(".")[0]) >= 2:
        kw["dynamo"] = False
    torch.onnx.export(fused, dummy, onnx_path, **kw)
    report["identity_fixes"] = fix_identity_initializers(onnx_path)

    # ---- parity PyTorch vs OpenCV DNN on real frames ----
    va_dir = os.path.join(args.data, "valid", "images")
    files = sorted(os.listdir(va_dir))
    frames = [cv2.resize(cv2.imread(os.path.join(va_dir, f)), (1280, 720), interpolation=cv2.INTER_LINEAR)
              for f in files]
    cv2.setNumThreads(args.threads)
    net = cv2.dnn.readNetFromONNX(onnx_path)
    blob = cv2.dnn.blobFromImages([cv2.resize(f, (in_w, in_h), interpolation=cv2.INTER_LINEAR) for f in frames[:4]],
                                  1 / 255.0)
    with torch.no_grad():
        ref = model(torch.from_numpy(blob)).numpy()
    net.setInput(blob)
    got = net.forward().copy()
    report["output_shape"] = list(got.shape)
    report["parity_max_abs"] = {"heat": float(np.abs(got[:, :32] - ref[:, :32]).max()),
                                "offsets": float(np.abs(got[:, 32:] - ref[:, 32:]).max())}
    print("parity", report["parity_max_abs"])
    report["params"] = int(sum(p.numel() for p in model.parameters()))
    report["gmacs"] = count_macs(fused, in_h, in_w) / 1e9

    # ---- CPU timing (resize + blob + forward + decode at batch 1 from a 1280x720 frame) ----
    if args.runs > 0:
        def once():
            net.setInput(cv2.dnn.blobFromImage(cv2.resize(frames[0], (in_w, in_h)), 1 / 255.0))
            return decode_np(net.forward()[0])

        for _ in range(3):
            once()
        ts = []
        for _ in range(args.runs):
            t = time.perf_counter()
            once()
            ts.append((time.perf_counter() - t) * 1000)
        report["timing"] = {"threads": args.threads, "cpu": _cpu_name(), "nproc": os.cpu_count(),
                            "date": datetime.datetime.now().isoformat(timespec="seconds"),
                            "median_ms": float(np.median(ts)), "p90_ms": float(np.percentile(ts, 90)),
                            "runs": args.runs}
        print("timing", report["timing"])

    # ---- valid metrics through OpenCV DNN at 1280x720 ----
    lab_dir = os.path.join(args.data, "valid", "labels")
    errs, calib, n_gt, n_hit, n_fp = [], [], 0, 0, 0
    for f, fr in zip(files, frames):
        rows = [l.split() for l in open(os.path.join(lab_dir, os.path.splitext(f)[0] + ".txt")) if l.strip()]
        g = np.array(list(map(float, rows[0][5:]))).reshape(NUM_KEYPOINTS, 3)
        g[:, 2] = g[:, 2] > 0
        g[:, 0] *= 1280
        g[:, 1] *= 720
        net.setInput(cv2.dnn.blobFromImage(cv2.resize(fr, (in_w, in_h)), 1 / 255.0))
        p = decode_np(net.forward()[0])
        p[:, 0] *= 1280 / in_w
        p[:, 1] *= 720 / in_h
        r = calibration_metrics(p, g, thr=args.thr)
        errs += r["errors"]
        n_gt += r["n_gt"]
        n_hit += r["n_hit"]
        n_fp += r["n_fp"]
        calib.append(r["calib_m"])
    errs = np.array(errs)
    ok = [c for c in calib if c is not None]
    report["valid_opencv_1280x720"] = {
        "frames": len(files), "median_px": float(np.median(errs)), "mean_px": float(errs.mean()),
        "pck5": float((errs <= 5).sum() / max(1, n_gt)), "recall": n_hit / max(1, n_gt), "false_positives": n_fp,
        "calib_mean_m": float(np.mean(ok)) if ok else None, "calib_median_m": float(np.median(ok)) if ok else None,
        "frames_with_h": len(ok), "thr": args.thr}
    print("valid (OpenCV DNN, 1280x720):", json.dumps(report["valid_opencv_1280x720"]))

    P = pitch_keypoints_m()
    meta = {"name": NAME, "version": args.version, "input_width": in_w, "input_height": in_h, "stride": STRIDE,
            "channel_order": "bgr", "scale": 1.0 / 255.0, "resize": "stretch (no letterbox)",
            "input_name": "images", "output_name": "output", "num_keypoints": NUM_KEYPOINTS,
            "output_layout": "[N,96,H/4,W/4]: 0-31 sigmoid heatmaps; 32+2k, 33+2k offsets dx, dy of keypoint k "
                             "in cells; position = ((col+0.5+dx)*4, (row+0.5+dy)*4) input px",
            "recommended_threshold": args.thr,
            "keypoints": [{"id": k, "name": KEYPOINT_NAMES[k], "pitch_m_105x68": [round(float(P[k, 0]), 4),
                                                                                 round(float(P[k, 1]), 4)]}
                          for k in range(NUM_KEYPOINTS)],
            "pitch_frame": "metres, origin centre spot, x towards the right-hand goal, y towards the near "
                           "(camera) touchline",
            "architecture": "PitchKP (train/keypoints_model.py)", "params": report["params"],
            "gflops": round(2 * report["gmacs"], 3),
            "license_data": "CC BY 4.0 (Roboflow football-field-detection; footage DFL Bundesliga)"}
    json.dump(meta, open(js_path, "w"), indent=2)
    report["files"] = {p: os.path.getsize(p) for p in (onnx_path, js_path)}
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    json.dump(report, open(args.report, "w"), indent=1)
    print("wrote", report["files"])


def _cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    main()
