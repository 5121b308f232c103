#!/usr/bin/env python3
"""Recover a trainable PitchDet checkpoint from the shipped BN-folded ONNX model.

export.py folds every Conv+BatchNorm pair into one biased conv (and the size-head gain into the
size head) before tracing, and the training checkpoints are not kept in git. To fine-tune the
shipped model, this script maps the folded weights back onto the training definition exactly:
conv weight = folded weight, BatchNorm with weight 1, bias = folded bias, running mean 0 and
running variance 1 - eps (so the BN is the identity in eval mode), size head divided by WH_GAIN.
Fine-tune the result with `train.py --init OUT --freeze-bn 1` (BN stays in eval mode, so the
recovered statistics are not replaced by batch statistics).

  /usr/bin/python3 train/unfuse.py models/football_det.onnx -o .traindata/shipped_unfused.pt

Needs python3-onnx (to read the initialisers) and python3-opencv (to check the recovered model
against the ONNX graph run by OpenCV DNN).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import WH_GAIN, build_model  # noqa: E402


def unfuse(fused_sd, model):
    sd = model.state_dict()
    out = {}
    for k, v in sd.items():
        out[k] = v.clone()
    used = set()
    for name, mod in model.named_modules():
        if not isinstance(mod, torch.nn.BatchNorm2d):
            continue
        # ConvBNAct = Sequential(conv, bn[, relu]); fused export keeps the conv at index 1
        prefix = name.rsplit(".", 1)[0]
        w, b = fused_sd[prefix + ".1.weight"], fused_sd[prefix + ".1.bias"]
        out[prefix + ".0.weight"] = w.clone()
        out[name + ".weight"] = torch.ones_like(out[name + ".weight"])
        out[name + ".bias"] = b.clone()
        out[name + ".running_mean"] = torch.zeros_like(out[name + ".running_mean"])
        out[name + ".running_var"] = torch.full_like(out[name + ".running_var"], 1.0 - mod.eps)
        used.update({prefix + ".1.weight", prefix + ".1.bias"})
    for head in ("head_hm", "head_off", "head_wh"):
        gain = WH_GAIN if head == "head_wh" else 1.0
        for p in ("weight", "bias"):
            out[f"{head}.{p}"] = fused_sd[f"{head}.{p}"] / gain
            used.add(f"{head}.{p}")
    left = set(fused_sd) - used
    if left:
        raise SystemExit(f"unfuse: weights not mapped: {sorted(left)[:5]} ...")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fused", help="BN-folded ONNX model (models/football_det.onnx)")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    import cv2
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(args.fused).graph
    fused_sd = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()).float() for i in graph.initializer}
    model = build_model()
    model.load_state_dict(unfuse(fused_sd, model))
    model.eval()
    net = cv2.dnn.readNetFromONNX(args.fused)
    x = torch.rand(1, 3, 224, 384)
    net.setInput(x.numpy())
    with torch.no_grad():
        d = (model(x) - torch.from_numpy(net.forward())).abs().max().item()
    print(f"max abs difference unfused vs shipped on random input: {d:.2e}")
    if d > 1e-3:
        raise SystemExit("unfuse: outputs differ")
    torch.save({"ema": model.state_dict(), "model_cfg": {}, "step": "shipped"}, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
