#!/usr/bin/env python3
"""Export a trained PitchDet checkpoint to ONNX (OpenCV DNN), TorchScript and the JSON sidecar,
then check parity (PyTorch vs OpenCV DNN at batch 1 and 4, vs TorchScript), time OpenCV DNN on
this CPU and evaluate the ONNX file on the valid split (AP50, recommended thresholds).

  /usr/bin/python3 train/export.py --ckpt runs/det/best.pt --out models
  (writes models/football_det.onnx, .json, .pt and train/logs/det_export_report.json)

Contract: input "images" [N,3,H,W] float32 BGR /255 (letterboxed top-left, pad 114);
output "output" [N,8,H/4,W/4] = sigmoid heatmaps (ball, goalkeeper, player, referee),
w, h (input px), dx, dy (cells; centre = (col+dx)*4, (row+dy)*4).
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

from model import CLASSES, STRIDE, build_model, count_macs, fuse_bn

NAME = "football_det"


def fix_identity_initializers(path):
    """torch's exporter may alias equal initializers through Identity nodes, which OpenCV 4.6
    cannot import; replace each such Identity with a copy of the initializer."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        return 0
    m = onnx.load(path)
    inits = {i.name: i for i in m.graph.initializer}
    keep, n = [], 0
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            arr = numpy_helper.to_array(inits[node.input[0]])
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


def onnx_ops(path):
    try:
        import onnx
        from collections import Counter

        return dict(Counter(n.op_type for n in onnx.load(path).graph.node))
    except ImportError:
        return {}


def letterbox_cv(img, in_w, in_h):
    import cv2

    s = min(in_w / img.shape[1], in_h / img.shape[0])
    nw, nh = round(img.shape[1] * s), round(img.shape[0] * s)
    r = img if (nw, nh) == (img.shape[1], img.shape[0]) else cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return cv2.copyMakeBorder(r, 0, in_h - nh, 0, in_w - nw, cv2.BORDER_CONSTANT, value=(114, 114, 114))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models"))
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "football-players-v1"))
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--runs", type=int, default=50, help="timed runs per batch size")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-eval", action="store_true")
    ap.add_argument("--report", default=os.path.join(HERE, "logs", "det_export_report.json"))
    ap.add_argument("--input", default=None,
                    help="deploy input WxH (multiples of 32); default: the checkpoint's training-time input")
    ap.add_argument("--operating-points", nargs="*", default=[], metavar="WxH",
                    help="other input sizes to evaluate on valid; each goes into the sidecar's operating_points "
                         "with its own F1-best thresholds")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import cv2

    ck = torch.load(args.ckpt, map_location="cpu")
    cfg = ck.get("model_cfg", {})
    in_h, in_w = ck.get("input_hw", (736, 1280))
    def parse_size(text, option):
        try:
            w, h = (int(v) for v in text.lower().split("x"))
        except ValueError:
            sys.exit(f"{option} {text}: want WxH, e.g. 1312x736")
        if w <= 0 or h <= 0 or w % 32 or h % 32:
            sys.exit(f"{option} {text}: width and height must be positive multiples of 32")
        return w, h

    if args.input:
        in_w, in_h = parse_size(args.input, "--input")
    op_sizes = [parse_size(size, "--operating-points") for size in args.operating_points]
    model = build_model(**cfg)
    model.load_state_dict(ck["ema"] if "ema" in ck else ck["model"])
    model.eval()
    fused = fuse_bn(model).eval()
    onnx_path = os.path.join(args.out, NAME + ".onnx")
    ts_path = os.path.join(args.out, NAME + ".pt")
    js_path = os.path.join(args.out, NAME + ".json")
    report = {"ckpt": os.path.basename(args.ckpt), "step": ck.get("step"), "torch": torch.__version__,
              "opencv": cv2.__version__, "input_hw": [in_h, in_w], "model_cfg": cfg}

    # ---------------- ONNX (opset 13, dynamic batch) ----------------
    dummy = torch.zeros(1, 3, in_h, in_w)
    kw = dict(opset_version=13, input_names=["images"], output_names=["output"],
              dynamic_axes={"images": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    if int(torch.__version__.split(".")[0]) >= 2:
        kw["dynamo"] = False
    torch.onnx.export(fused, dummy, onnx_path, **kw)
    report["identity_fixes"] = fix_identity_initializers(onnx_path)
    report["onnx_ops"] = onnx_ops(onnx_path)
    print("onnx ops", report["onnx_ops"])

    # ---------------- TorchScript (traced) ----------------
    with torch.no_grad():
        ts = torch.jit.trace(fused, dummy)
    # Not frozen: freezing turns the weights into graph constants, which `module.half()` cannot
    # convert, and the C++ TorchDetector runs FP16 on CUDA by converting the module's parameters.
    ts = ts.eval()
    ts.save(ts_path)

    # ---------------- parity ----------------
    rng = np.random.default_rng(0)
    va_dir = os.path.join(args.data, "valid", "images")
    files = sorted(os.listdir(va_dir))[:4]
    imgs = [cv2.imread(os.path.join(va_dir, f)) for f in files]
    blob4 = cv2.dnn.blobFromImages([letterbox_cv(i, in_w, in_h) for i in imgs], 1 / 255.0)
    cv2.setNumThreads(args.threads)
    net = cv2.dnn.readNetFromONNX(onnx_path)
    parity = {}
    with torch.no_grad():
        ref4 = model(torch.from_numpy(blob4)).numpy()
        fused4 = fused(torch.from_numpy(blob4)).numpy()
        ts_loaded = torch.jit.load(ts_path)
        ts4 = ts_loaded(torch.from_numpy(blob4)).numpy()
        ts_other = ts_loaded(torch.from_numpy(blob4[:2])).numpy()  # another batch size
    net.setInput(blob4[:1])
    cv1 = net.forward().copy()
    net.setInput(blob4)
    cv4 = net.forward().copy()
    for name, a, b in [("opencv_b1_vs_torch", cv1, ref4[:1]), ("opencv_b4_vs_torch", cv4, ref4),
                       ("fused_vs_torch", fused4, ref4), ("torchscript_vs_torch", ts4, ref4),
                       ("torchscript_b2_vs_torch", ts_other, ref4[:2])]:
        d = np.abs(a - b)
        parity[name] = {"max_abs_heat": float(d[:, :4].max()), "max_abs_wh_px": float(d[:, 4:6].max()),
                        "max_abs_off": float(d[:, 6:8].max()),
                        "max_rel_wh": float((d[:, 4:6] / np.maximum(np.abs(b[:, 4:6]), 1.0)).max())}
    report["output_shape"] = list(cv4.shape)
    report["parity"] = parity
    print("parity", json.dumps(parity, indent=1))
    report["params"] = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    report["gmacs"] = count_macs(fused, in_h, in_w) / 1e9
    report["gflops"] = 2 * report["gmacs"]

    # ---------------- CPU timing with OpenCV DNN ----------------
    def timeit(fn, n):
        for _ in range(5):
            fn()
        ts_ = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            ts_.append((time.perf_counter() - t) * 1000)
        return {"median_ms": float(np.median(ts_)), "min_ms": float(np.min(ts_)), "p90_ms": float(np.percentile(ts_, 90)), "runs": n}

    frame = imgs[0]

    def e2e1():
        net.setInput(cv2.dnn.blobFromImage(letterbox_cv(frame, in_w, in_h), 1 / 255.0))
        return net.forward()

    def fwd1():
        net.setInput(blob4[:1])
        return net.forward()

    def e2e4():
        net.setInput(cv2.dnn.blobFromImages([letterbox_cv(i, in_w, in_h) for i in imgs], 1 / 255.0))
        return net.forward()

    report["timing"] = {"threads": args.threads, "cpu": _cpu_name(), "nproc": os.cpu_count(),
                        "date": datetime.datetime.now().isoformat(timespec="seconds"),
                        "loadavg_before": os.getloadavg()[0],
                        "batch1_letterbox_blob_forward": timeit(e2e1, args.runs),
                        "batch1_forward_only": timeit(fwd1, args.runs),
                        "batch4_letterbox_blob_forward": timeit(e2e4, max(30, args.runs // 2)),
                        "loadavg_after": os.getloadavg()[0]}
    print("timing", json.dumps(report["timing"], indent=1))

    # ---------------- valid metrics through OpenCV DNN, thresholds ----------------
    def valid_thresholds(vimgs, vgts, w, h):
        """AP on valid through OpenCV DNN at input w x h, and the F1-best threshold per class."""
        from eval_ap import decode_numpy, evaluate, format_result

        dets = []
        for i in range(len(vimgs)):
            img = vimgs[i].numpy()
            s = min(w / img.shape[1], h / img.shape[0])
            net.setInput(cv2.dnn.blobFromImage(letterbox_cv(img, w, h), 1 / 255.0))
            dets.append(decode_numpy(net.forward()[0], s, score_thr=0.01, nms_iou=0.5))
        res = evaluate(dets, vgts)
        print(f"valid at {w}x{h} (OpenCV DNN):", format_result(res))
        thr = {"ball": 0.3, "goalkeeper": 0.3, "player": 0.3, "referee": 0.3}
        for c in CLASSES:
            if c in res["best_f1_thr"]:
                thr[c] = round(max(0.05, min(0.9, res["best_f1_thr"][c])), 3)
        return res, thr

    thr = {"ball": 0.3, "goalkeeper": 0.3, "player": 0.3, "referee": 0.3}
    operating_points = []
    if not args.skip_eval and os.path.isdir(va_dir):
        from dataset import load_split

        vimgs, vgts, _ = load_split(args.data, "valid")  # decoded once for every size
        report["valid_metrics_opencv"], thr = valid_thresholds(vimgs, vgts, in_w, in_h)
        for w, h in op_sizes:
            res, op_thr = valid_thresholds(vimgs, vgts, w, h)
            report.setdefault("valid_metrics_opencv_operating_points", {})[f"{w}x{h}"] = res
            operating_points.append({"input_width": w, "input_height": h, "recommended_thresholds": op_thr})

    meta = {"name": NAME, "version": args.version, "input_width": in_w, "input_height": in_h,
            "stride": STRIDE, "classes": CLASSES, "channel_order": "bgr", "scale": 1.0 / 255.0,
            "pad_value": 114, "recommended_thresholds": thr, "input_name": "images", "output_name": "output",
            "nms_iou": 0.5,
            "output_layout": "[N,8,H/4,W/4]: 0-3 sigmoid heatmaps (classes order), 4-5 w,h input px, "
                             "6-7 dx,dy cells; centre=((col+dx)*4,(row+dy)*4)",
            "architecture": "PitchDet (train/model.py)", "params": report["params"],
            "gflops": round(report["gflops"], 3), "license_data": "CC BY 4.0 (Roboflow football-players-detection)"}
    if operating_points:
        meta["operating_points"] = operating_points
    json.dump(meta, open(js_path, "w"), indent=2)
    report["sidecar"] = meta
    report["files"] = {p: os.path.getsize(p) for p in (onnx_path, ts_path, js_path)}
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
