#!/usr/bin/env python3
"""Train the pitch keypoint network (PitchKP, 32 heatmaps + offsets at stride 4).

One command (from the repository root, after train/keypoints_prepare.py):
  PYTHONUNBUFFERED=1 python3 train/keypoints_train.py --out runs/kp
resume after a wall-clock stop (same schedule):
  PYTHONUNBUFFERED=1 python3 train/keypoints_train.py --out runs/kp --resume runs/kp/last.pt

LR schedule: linear warm-up, cosine decay over --steps (0: estimated once from the measured step
time and --budget-min, stored in the checkpoint and printed). --max-minutes stops this
invocation by wall clock (since process start) and saves last.pt; best.pt (EMA weights, best
valid score) is written at each evaluation. Valid metrics are at 1280x720: median keypoint error
(px) and the mean pitch-grid error (m) of the homography from predicted keypoints vs from GT.
"""
import argparse
import json
import math
import os
import random
import sys
import time

T0 = time.time()
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np
import torch
import torch.nn.functional as F

from keypoints_data import GpuAugment, calibration_metrics, decode, load_split, make_targets, resize_batch
from keypoints_model import NUM_KEYPOINTS, STRIDE, build_model, count_macs


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "..", ".traindata", "pitch-keypoints-v1"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "runs", "kp"))
    ap.add_argument("--input", default="640x384", help="network input WxH")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=0.02)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--steps", type=int, default=0, help="total steps (0: estimate from --budget-min)")
    ap.add_argument("--budget-min", type=float, default=7.0, help="training minutes the schedule should fill")
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop this invocation after this wall clock")
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--resume", default="")
    ap.add_argument("--seed", type=int, default=20251117)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--amp", type=int, default=1, help="bf16 autocast on CUDA")
    ap.add_argument("--sigma", type=float, default=1.5, help="heatmap Gaussian sigma, cells")
    ap.add_argument("--off-weight", type=float, default=1.0)
    ap.add_argument("--thr", type=float, default=0.3, help="keypoint confidence threshold for valid metrics")
    ap.add_argument("--model-cfg", default="{}", help="json kwargs for build_model")
    ap.add_argument("--limit-train", type=int, default=0, help="debug: use only N train images")
    return ap.parse_args()


def log(msg, fh):
    line = f"[{time.time() - T0:7.1f}s] {msg}"
    print(line)
    fh.write(line + "\n")
    fh.flush()


def focal_loss(logits, heat):
    """penalty-reduced pixel-wise focal loss (CenterNet) over [B,K,H,W]."""
    logits = logits.float()
    pos = heat.eq(1).float()
    logp = F.logsigmoid(logits)
    log1mp = F.logsigmoid(-logits)
    p = logp.exp()
    pos_l = -((1 - p) ** 2) * logp * pos
    neg_l = -((1 - heat) ** 4) * (p**2) * log1mp * (1 - pos)
    return (pos_l + neg_l).sum() / pos.sum().clamp(min=1)


def compute_loss(model, x, kp, args):
    hm, off = model.raw(x)
    heat, off_t, off_w = make_targets(kp, hm.shape[2], hm.shape[3], args.sigma)
    l_hm = focal_loss(hm, heat)
    w2 = off_w.repeat_interleave(2, 1)
    l_off = ((off.float() - off_t).abs() * w2).sum() / w2.sum().clamp(min=1)
    return l_hm + args.off_weight * l_off, dict(hm=l_hm.item(), off=l_off.item(), npos=int(kp[..., 2].sum().item()))


class EMA:
    def __init__(self, model, decay=0.999):
        import copy

        self.m = copy.deepcopy(model).eval()
        for p in self.m.parameters():
            p.requires_grad_(False)
        self.decay = decay

    @torch.no_grad()
    def update(self, model, step):
        d = min(self.decay, (1 + step) / (10 + step))
        msd = model.state_dict()
        for k, v in self.m.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


def lr_at(step, total, base, warmup):
    if step < warmup:
        return base * (0.02 + 0.98 * step / warmup)
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


@torch.no_grad()
def evaluate(model, imgs, kps, in_h, in_w, dev, thr=0.3, batch=16):
    """valid metrics at 1280x720 (the frames are resized to the input without letterbox)."""
    model.eval()
    preds = []
    for i in range(0, len(imgs), batch):
        x = resize_batch(imgs[i:i + batch].to(dev), in_h, in_w)
        preds.append(decode(model(x).float()).cpu())
    pred = torch.cat(preds).numpy()
    pred[..., 0] *= 1280 / in_w
    pred[..., 1] *= 720 / in_h
    gt = kps.numpy().copy()
    gt[..., 0] *= 1280
    gt[..., 1] *= 720
    errs, calib, n_gt, n_hit, n_fp = [], [], 0, 0, 0
    for p, g in zip(pred, gt):
        r = calibration_metrics(p, g, thr=thr)
        errs += r["errors"]
        n_gt += r["n_gt"]
        n_hit += r["n_hit"]
        n_fp += r["n_fp"]
        calib.append(r["calib_m"])
    errs = np.array(errs) if errs else np.array([1e9])
    ok = [c for c in calib if c is not None]
    res = {"median_px": float(np.median(errs)), "mean_px": float(np.mean(errs)),
           "pck5": float((errs <= 5).sum() / max(1, n_gt)), "recall": n_hit / max(1, n_gt), "fp": n_fp,
           "calib_mean_m": float(np.mean(ok)) if ok else None,
           "calib_median_m": float(np.median(ok)) if ok else None,
           "frames_with_h": len(ok), "frames": len(calib)}
    # selection score: calibration error with a 5 m cap for frames without a homography
    res["score"] = float(np.mean([min(c, 5.0) if c is not None else 5.0 for c in calib])) + 0.05 * res["median_px"]
    return res


def fmt(r):
    c = f"{r['calib_mean_m']:.3f}" if r["calib_mean_m"] is not None else "-"
    return (f"median {r['median_px']:.2f}px mean {r['mean_px']:.2f}px pck5 {r['pck5']:.3f} recall {r['recall']:.3f} "
            f"fp {r['fp']} calib {c}m ({r['frames_with_h']}/{r['frames']}) score {r['score']:.3f}")


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    fh = open(os.path.join(args.out, "train_log.txt"), "a")
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
    in_w, in_h = map(int, args.input.lower().split("x"))
    assert in_w % 32 == 0 and in_h % 32 == 0
    model_cfg = json.loads(args.model_cfg)
    log(f"args {vars(args)}", fh)
    log(f"torch {torch.__version__} device {dev} {torch.cuda.get_device_name(0) if dev.type == 'cuda' else ''}", fh)

    tr_imgs, tr_kps, _ = load_split(args.data, "train")
    va_imgs, va_kps, _ = load_split(args.data, "valid")
    if args.limit_train:
        tr_imgs, tr_kps = tr_imgs[: args.limit_train], tr_kps[: args.limit_train]
    log(f"train {tuple(tr_imgs.shape)} valid {tuple(va_imgs.shape)} visible keypoints "
        f"{int(tr_kps[..., 2].sum())}/{int(va_kps[..., 2].sum())}", fh)
    tr_imgs, tr_kps = tr_imgs.to(dev), tr_kps.to(dev)

    model = build_model(**model_cfg).to(dev)
    n_par = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"model PitchKP {model_cfg} params {n_par} GMACs@{in_w}x{in_h} "
        f"{count_macs(build_model(**model_cfg), in_h, in_w) / 1e9:.3f}", fh)
    decay, no_decay = [], []
    for _, p in model.named_parameters():
        (decay if p.ndim == 4 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99))
    ema = EMA(model)
    aug = GpuAugment(out_hw=(in_h, in_w))
    gen = torch.Generator(device=dev)
    gen.manual_seed(args.seed)
    cpu_gen = torch.Generator()
    cpu_gen.manual_seed(args.seed + 1)

    N = len(tr_imgs)
    perm, pi = torch.randperm(N, generator=cpu_gen), 0
    step, total_steps, best, train_s, history = 0, args.steps, 1e9, 0.0, []
    if args.resume:
        ck = torch.load(args.resume, map_location=dev, weights_only=False)
        model.load_state_dict(ck["model"])
        ema.m.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["opt"])
        step, total_steps, best = ck["step"], ck["total_steps"], ck["best"]
        train_s, history = ck.get("train_s", 0.0), ck.get("history", [])
        gen.set_state(ck["gen"].cpu())
        cpu_gen.set_state(ck["cpu_gen"].cpu())
        perm, pi = ck["perm"].cpu(), ck["pi"]
        log(f"resumed from {args.resume} at step {step}/{total_steps}, best score {best:.4f}", fh)

    def save(path):
        torch.save({"model": model.state_dict(), "ema": ema.m.state_dict(), "opt": opt.state_dict(), "step": step,
                    "total_steps": total_steps, "best": best, "train_s": train_s, "history": history,
                    "gen": gen.get_state(), "cpu_gen": cpu_gen.get_state(), "perm": perm, "pi": pi,
                    "model_cfg": model_cfg, "input_hw": (in_h, in_w), "args": vars(args)}, path)

    def evaluate_now():
        nonlocal best
        t = time.time()
        res = evaluate(ema.m, va_imgs, va_kps, in_h, in_w, dev, thr=args.thr)
        history.append({"step": step, **res})
        tag = ""
        if res["score"] < best:
            best = res["score"]
            torch.save({"ema": ema.m.state_dict(), "model_cfg": model_cfg, "input_hw": (in_h, in_w), "step": step,
                        "metrics": res}, os.path.join(args.out, "best.pt"))
            tag = " *best*"
        log(f"eval step {step}: {fmt(res)} ({time.time() - t:.1f}s){tag}", fh)
        model.train()

    model.train()
    use_amp = bool(args.amp) and dev.type == "cuda"
    stop_reason, t_last, t_meas = "done", time.time(), None
    while total_steps == 0 or step < total_steps:
        if time.time() - T0 > args.max_minutes * 60:
            stop_reason = "wall-clock"
            break
        idx = []
        while len(idx) < args.batch:
            if pi >= N:
                perm, pi = torch.randperm(N, generator=cpu_gen), 0
            take = min(args.batch - len(idx), N - pi)
            idx.extend(perm[pi:pi + take].tolist())
            pi += take
        idx_t = torch.tensor(idx, device=dev)
        x, kp = aug(tr_imgs[idx_t], tr_kps[idx_t], gen)
        lr = lr_at(step, max(total_steps, args.warmup + 1), args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=use_amp):
            loss, parts = compute_loss(model, x, kp, args)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        ema.update(model, step)
        step += 1
        now = time.time()
        train_s += now - t_last
        t_last = now
        if total_steps == 0:
            if step == 10:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                t_meas = time.time()
            elif step == 40:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                dt = (time.time() - t_meas) / 30
                total_steps = max(int(args.budget_min * 60 / (dt * 1.05)), args.warmup + 100)
                log(f"measured {dt * 1000:.1f} ms/step -> total_steps {total_steps} for {args.budget_min} min", fh)
        if step % 100 == 0 or step == 1:
            log(f"step {step}/{total_steps} lr {lr:.2e} loss {loss.item():.4f} hm {parts['hm']:.4f} "
                f"off {parts['off']:.4f} npos {parts['npos']} gn {gn:.2f}", fh)
        if step % args.eval_every == 0:
            evaluate_now()
            save(os.path.join(args.out, "last.pt"))
            t_last = time.time()
    if not history or history[-1]["step"] != step:
        evaluate_now()
    save(os.path.join(args.out, "last.pt"))
    log(f"stopped ({stop_reason}) at step {step}/{total_steps}, train time {train_s / 60:.1f} min, "
        f"best score {best:.4f}", fh)
    json.dump(history, open(os.path.join(args.out, "history.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
