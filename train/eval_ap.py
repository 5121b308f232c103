#!/usr/bin/env python3
"""AP50 per class and mAP50-95 on the valid split (COCO-style 101-point interpolated AP).

Decoding mirrors the C++ side: 3x3 max-filter peaks on the sigmoid heatmaps, per-class score
threshold, box = centre (col+dx, row+dy)*4 +- (w, h)/2 in input pixels, mapped back to the frame
by the letterbox scale, then class-aware greedy NMS.

Matching per class and IoU threshold as in pycocotools (no crowd / area ranges): detections in
descending score order, each matched to the unmatched GT of highest IoU >= t; precision made
monotone, sampled at 101 recall points.

Usable as a module (train.py) or standalone:
  /usr/bin/python3 train/eval_ap.py --onnx models/football_det.onnx            # OpenCV DNN
  /usr/bin/python3 train/eval_ap.py --weights best.pt                           # PyTorch state_dict
  (--data defaults to ../shared/data/football-players-v1, --split valid)
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
CLASSES = ["ball", "goalkeeper", "player", "referee"]


# ----------------------------------------------------------------------------- decoding
def decode_numpy(out, scale, score_thr=0.01, topk=300, nms_iou=0.5, stride=4):
    """out [8,h,w] numpy (one image). Returns [n,6] x1,y1,x2,y2,score,cls in frame px."""
    hm = out[:4]
    # 3x3 max filter (same padding)
    pad = np.pad(hm, ((0, 0), (1, 1), (1, 1)), constant_values=-1)
    mx = np.max(np.stack([pad[:, dy:dy + hm.shape[1], dx:dx + hm.shape[2]]
                          for dy in range(3) for dx in range(3)]), 0)
    peak = (hm == mx) & (hm >= score_thr)
    c, r, q = np.nonzero(peak)
    s = hm[c, r, q]
    if len(s) > topk:
        o = np.argsort(-s)[:topk]
        c, r, q, s = c[o], r[o], q[o], s[o]
    w, h, dx, dy = out[4, r, q], out[5, r, q], out[6, r, q], out[7, r, q]
    cx, cy = (q + dx) * stride, (r + dy) * stride
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1) / scale
    dets = np.concatenate([boxes, s[:, None], c[:, None].astype(np.float32)], 1)
    return nms_classwise(dets, nms_iou)


def box_iou(a, b):
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(aa[:, None] + ab[None, :] - inter, 1e-9)


def nms_classwise(dets, iou_thr):
    if iou_thr is None or iou_thr >= 1 or len(dets) == 0:
        return dets
    keep = []
    for c in np.unique(dets[:, 5]):
        idx = np.nonzero(dets[:, 5] == c)[0]
        idx = idx[np.argsort(-dets[idx, 4], kind="stable")]
        while len(idx):
            i = idx[0]
            keep.append(i)
            if len(idx) == 1:
                break
            ious = box_iou(dets[i:i + 1, :4], dets[idx[1:], :4])[0]
            idx = idx[1:][ious <= iou_thr]
    d = dets[keep]
    return d[np.argsort(-d[:, 4], kind="stable")]


# ----------------------------------------------------------------------------- AP
def ap_101(tp, scores, n_gt):
    if n_gt == 0:
        return float("nan")
    if len(scores) == 0:
        return 0.0
    o = np.argsort(-scores, kind="mergesort")
    tp = tp[o].astype(np.float64)
    ctp = np.cumsum(tp)
    cfp = np.cumsum(1 - tp)
    rec = ctp / n_gt
    prec = ctp / np.maximum(ctp + cfp, 1e-12)
    for i in range(len(prec) - 2, -1, -1):
        prec[i] = max(prec[i], prec[i + 1])
    rs = np.linspace(0, 1, 101)
    idx = np.searchsorted(rec, rs, side="left")
    q = np.array([prec[i] if i < len(prec) else 0.0 for i in idx])
    return float(q.mean())


def evaluate(all_dets, all_gts, full=True, max_dets=100):
    """all_dets: list (per image) of [n,6]; all_gts: list of [k,5] (cls,x1,y1,x2,y2).
    Returns dict with per-class AP50, AP50-95 (nan unless full), means, F1-optimal thresholds.
    At most max_dets detections per image and class are scored (COCO maxDets=100)."""
    iou_thrs = np.arange(0.5, 0.951, 0.05) if full else np.array([0.5])
    res = {"AP50": {}, "AP50_95": {}, "best_f1_thr": {}, "best_f1": {}, "n_gt": {}}
    for ci, cname in enumerate(CLASSES):
        n_gt = sum(int((g[:, 0] == ci).sum()) for g in all_gts)
        res["n_gt"][cname] = n_gt
        aps = []
        for t in iou_thrs:
            tps, scs = [], []
            for d, g in zip(all_dets, all_gts):
                d = d[d[:, 5] == ci]
                g = g[g[:, 0] == ci][:, 1:5]
                if len(d) == 0:
                    continue
                d = d[np.argsort(-d[:, 4], kind="mergesort")][:max_dets]
                tp = np.zeros(len(d))
                if len(g):
                    iou = box_iou(d[:, :4], g)
                    used = np.zeros(len(g), bool)
                    for i in range(len(d)):
                        cand = np.where(~used, iou[i], -1)
                        j = int(np.argmax(cand))
                        if cand[j] >= t - 1e-9:
                            used[j] = True
                            tp[i] = 1
                tps.append(tp)
                scs.append(d[:, 4])
            tp = np.concatenate(tps) if tps else np.zeros(0)
            sc = np.concatenate(scs) if scs else np.zeros(0)
            aps.append(ap_101(tp, sc, n_gt))
            if abs(t - 0.5) < 1e-6:
                res["AP50"][cname] = aps[-1]
                # F1-optimal score threshold at IoU 0.5
                if len(sc) and n_gt:
                    o = np.argsort(-sc, kind="mergesort")
                    ctp = np.cumsum(tp[o])
                    prec = ctp / np.arange(1, len(o) + 1)
                    rec = ctp / n_gt
                    f1 = 2 * prec * rec / np.maximum(prec + rec, 1e-12)
                    k = int(np.argmax(f1))
                    res["best_f1_thr"][cname] = float(sc[o][k])
                    res["best_f1"][cname] = float(f1[k])
        res["AP50_95"][cname] = float(np.mean(aps)) if full else float("nan")
    res["mAP50"] = float(np.nanmean(list(res["AP50"].values())))
    res["mAP50_95"] = float(np.nanmean(list(res["AP50_95"].values())))
    return res


def format_result(res):
    s = " ".join(f"{c}={res['AP50'][c]:.3f}" for c in CLASSES)
    return f"AP50 {s} | mAP50={res['mAP50']:.4f} mAP50-95={res['mAP50_95']:.4f}"


# ----------------------------------------------------------------------------- runners
def run_torch(model, imgs_u8, in_h, in_w, device, batch=8):
    """imgs_u8 uint8 tensor [N,H,W,3] BGR -> list of numpy [8,h,w] outputs, scale"""
    import torch
    from dataset import letterbox_batch

    outs = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(imgs_u8), batch):
            x, s = letterbox_batch(imgs_u8[i:i + batch].to(device), in_h, in_w)
            outs.extend(model(x).float().cpu().numpy())
    return outs, s


def eval_torch(model, imgs_u8, gts, in_h, in_w, device, full=True, **kw):
    outs, s = run_torch(model, imgs_u8, in_h, in_w, device)
    dets = [decode_numpy(o, s, **kw) for o in outs]
    return evaluate(dets, gts, full=full)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "football-players-v1"))
    ap.add_argument("--split", default="valid")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--onnx", help="evaluate an ONNX file through OpenCV DNN")
    g.add_argument("--weights", help="evaluate a train.py checkpoint / state_dict with PyTorch")
    ap.add_argument("--input", default=None, help="WxH, default from the sidecar json or 1280x736")
    ap.add_argument("--score-thr", type=float, default=0.01)
    ap.add_argument("--nms-iou", type=float, default=0.5)
    ap.add_argument("--json-out", default=None)
    args = ap.parse_args()

    import torch
    from dataset import load_split

    imgs, gts, _ = load_split(args.data, args.split)
    in_w, in_h = 1280, 736
    side = os.path.splitext(args.onnx or "")[0] + ".json"
    if args.input:
        in_w, in_h = map(int, args.input.lower().split("x"))
    elif args.onnx and os.path.exists(side):
        meta = json.load(open(side))
        in_w, in_h = meta["input_width"], meta["input_height"]
    kw = dict(score_thr=args.score_thr, nms_iou=args.nms_iou)
    if args.onnx:
        import cv2
        from dataset import letterbox_batch

        net = cv2.dnn.readNetFromONNX(args.onnx)
        dets = []
        for i in range(len(imgs)):
            # letterbox with OpenCV exactly like the C++ side
            img = imgs[i].numpy()
            s = min(in_w / img.shape[1], in_h / img.shape[0])
            nw, nh = round(img.shape[1] * s), round(img.shape[0] * s)
            r = img if (nw, nh) == (img.shape[1], img.shape[0]) else cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
            lb = cv2.copyMakeBorder(r, 0, in_h - nh, 0, in_w - nw, cv2.BORDER_CONSTANT, value=(114, 114, 114))
            net.setInput(cv2.dnn.blobFromImage(lb, 1 / 255.0))
            dets.append(decode_numpy(net.forward()[0], s, **kw))
        res = evaluate(dets, gts)
    else:
        from model import build_model

        ck = torch.load(args.weights, map_location="cpu")
        sd = ck.get("ema", ck.get("model", ck)) if isinstance(ck, dict) else ck
        cfg = ck.get("model_cfg", {}) if isinstance(ck, dict) else {}
        if "input_hw" in ck and not args.input:
            in_h, in_w = ck["input_hw"]
        m = build_model(**cfg)
        m.load_state_dict(sd)
        res = eval_torch(m, imgs, gts, in_h, in_w, "cpu", **kw)
    print(f"{args.split} ({len(imgs)} images, input {in_w}x{in_h}, score>={args.score_thr}, nms {args.nms_iou})")
    print(format_result(res))
    print("AP50-95 " + " ".join(f"{c}={res['AP50_95'][c]:.3f}" for c in CLASSES))
    print("F1-best thr " + " ".join(f"{c}={res['best_f1_thr'].get(c, float('nan')):.3f}(F1 {res['best_f1'].get(c, float('nan')):.3f})" for c in CLASSES))
    if args.json_out:
        json.dump(res, open(args.json_out, "w"), indent=1)


if __name__ == "__main__":
    main()
