#!/usr/bin/env python3
"""Uniform weight average ("model soup") of the EMA weights of several train.py checkpoints of
the same architecture (e.g. a run's best.pt and the best.pt of a fine-tune started from it).
Floating-point tensors (weights, BN statistics) are averaged; integer buffers are taken from the
last checkpoint.

  /usr/bin/python3 train/average_weights.py runA/best.pt runB/best.pt -o soup.pt
"""
import argparse

import torch


def load(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:
        return torch.load(path, map_location="cpu")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpts", nargs="+")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    cks = [load(p) for p in args.ckpts]
    sds = [c["ema"] if "ema" in c else c["model"] for c in cks]
    out = {}
    for k, v in sds[-1].items():
        out[k] = sum(sd[k] for sd in sds) / len(sds) if v.dtype.is_floating_point else v.clone()
    torch.save({"ema": out, "model_cfg": cks[-1].get("model_cfg", {}), "input_hw": cks[-1].get("input_hw", (672, 1152)),
                "step": "average of " + ", ".join(f"{p} (step {c.get('step')})" for p, c in zip(args.ckpts, cks))},
               args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
