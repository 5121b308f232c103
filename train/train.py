#!/usr/bin/env python3
"""Train the pitchtrack football detector (PitchDet, CenterNet-style, stride 4).

One command (from the repository root, after train/prepare_data.py; see train/README.md for
the exact commands of the shipped model):
  PYTHONUNBUFFERED=1 python3 train/train.py --out R1 --steps 16028
resume after a wall-clock stop (--max-minutes; same schedule, same total steps):
  PYTHONUNBUFFERED=1 python3 train/train.py --out R1 --resume R1/last.pt
(--out defaults to .traindata/runs/det, which git ignores.)

The LR schedule is step based (linear warm-up, cosine decay). --steps fixes the total number of
steps; when it is 0 the total is estimated once from the measured step time and --budget-min
(minutes of training in all), stored in the checkpoint, and printed, so a run can be repeated
with --steps N. --max-minutes stops this invocation by wall clock (since process start), saving
last.pt; best.pt (EMA weights, best valid mAP50) is updated at each evaluation.
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

from dataset import BallPaste, GpuAugment, load_split, make_targets, pad_labels
from eval_ap import CLASSES, eval_torch, format_result
from model import STRIDE, build_model, count_macs


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(HERE, "..", ".traindata", "football-players-v1"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", ".traindata", "runs", "det"))
    ap.add_argument("--input", default="1152x672",
                    help="deploy input WxH for the valid evaluation; several, comma-separated (e.g. "
                         "1152x672,1312x736), evaluate at each and select by the mean of their scores "
                         "(best_<W>x<H>.pt keeps each size's own best)")
    ap.add_argument("--crop", default="1024x576", help="training crop WxH")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--steps", type=int, default=0, help="total steps (0: estimate from --budget-min)")
    ap.add_argument("--budget-min", type=float, default=16.0, help="training minutes the schedule should fill")
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop this invocation after this wall clock")
    ap.add_argument("--eval-every", type=int, default=0, help="steps between evaluations (0: total/24)")
    ap.add_argument("--resume", default="")
    ap.add_argument("--seed", type=int, default=20251113)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--amp", type=int, default=1, help="bf16 autocast on CUDA")
    ap.add_argument("--cls-weights", default="3,2,1,2", help="focal-loss weight per class")
    ap.add_argument("--wh-weight", type=float, default=1.0)
    ap.add_argument("--off-weight", type=float, default=1.0)
    ap.add_argument("--scale-range", default="0.6,1.45",
                    help="log-uniform zoom range relative to the 1280x720 frame (deploy scale is 0.9)")
    ap.add_argument("--model-cfg", default="{}", help="json kwargs for build_model")
    ap.add_argument("--ball-paste", type=int, default=0, help="extra pasted balls per image (0: off)")
    ap.add_argument("--ball-reg-weight", type=float, default=1.0, help="size/offset loss weight of balls")
    ap.add_argument("--init", default="", help="start from these weights (EMA of a checkpoint), new optimiser")
    ap.add_argument("--freeze-bn", type=int, default=0,
                    help="keep BatchNorm in eval mode (running statistics fixed, affine trained); for "
                         "fine-tuning from weights recovered from a BN-folded export (train/unfuse.py)")
    ap.add_argument("--select", default="mean", choices=["mean", "margin"],
                    help="best checkpoint by mean AP50, or by the smallest margin over the per-class "
                         "AP50 targets (--targets)")
    ap.add_argument("--targets", default="0.60,0.80,0.95,0.85", help="AP50 targets for --select margin")
    ap.add_argument("--extra-train", default="",
                    help="comma list of extra data roots whose train split joins the training set "
                         "(e.g. .traindata/synth-v1 from synth_prepare.py); valid stays the real valid split")
    ap.add_argument("--extra-ignore", default="",
                    help="comma list of class ids not supervised on the --extra-train frames (e.g. 0: "
                         "the ball is learnt from real frames only)")
    ap.add_argument("--extra-ignore-size", default="",
                    help="comma list of class ids whose box size is not supervised on the --extra-train "
                         "frames (heatmap and offset still are), e.g. 0: the rendered ball's exact diameter "
                         "is tighter than the real annotators' ball boxes, so the size is learnt from real "
                         "frames only")
    ap.add_argument("--extra-share", type=float, default=0.3,
                    help="fraction of each batch drawn from the --extra-train frames")
    ap.add_argument("--distill", default="",
                    help="teacher weights (a checkpoint, e.g. train/unfuse.py's copy of the shipped "
                         "model): on the real frames of each batch the student also follows the "
                         "teacher's heatmaps and, where the teacher sees an object, its box size and "
                         "offset (learning without forgetting), so what the teacher knows of real "
                         "frames is kept while the extra frames teach their domain")
    ap.add_argument("--distill-weight", type=float, default=1.0, help="weight of the --distill loss")
    ap.add_argument("--distill-cls-weights", default="",
                    help="per-class factors of the --distill heatmap term on the real frames "
                         "(default: --cls-weights), e.g. 15,2,1,2 holds the ball map to the teacher's")
    ap.add_argument("--distill-extra", default="",
                    help="teacher for the --extra-train frames of each batch (same loss, "
                         "--cls-weights), e.g. the starting weights, so a fine-tune keeps what they "
                         "knew of that domain")
    ap.add_argument("--limit-train", type=int, default=0, help="debug: use only N train images")
    ap.add_argument("--limit-valid", type=int, default=0, help="debug: use only N valid images")
    return ap.parse_args()


def log(msg, fh):
    line = f"[{time.time() - T0:7.1f}s] {msg}"
    print(line)
    fh.write(line + "\n")
    fh.flush()


def focal_loss(logits, heat, cls_w, sup=None):
    """penalty-reduced pixel-wise focal loss (CenterNet), logits/heat [B,C,H,W]; sup [B,C]
    (optional): 1 where an image's class map is supervised, 0 where it is left out."""
    logits = logits.float()
    pos = heat.eq(1).float()
    logp = F.logsigmoid(logits)
    log1mp = F.logsigmoid(-logits)
    p = logp.exp()
    pos_l = -((1 - p) ** 2) * logp * pos
    neg_l = -((1 - heat) ** 4) * (p ** 2) * log1mp * (1 - pos)
    w = cls_w.view(1, -1, 1, 1)
    if sup is not None:
        w = w * sup[:, :, None, None]
        pos = pos * sup[:, :, None, None]
    npos = pos.sum().clamp(min=1)
    return ((pos_l + neg_l) * w).sum() / npos


def compute_loss(model, x, boxes, args, cls_w, sup=None, teacher=None, n_real=0, kd_cls_w=None,
                 teacher_extra=None, size_sup=None):
    hm, wh, off = model.raw(x)
    Ho, Wo = hm.shape[2:]
    heat, pos = make_targets(boxes, Ho, Wo, STRIDE, len(CLASSES))
    l_hm = focal_loss(hm, heat, cls_w, sup)
    if sup is not None:  # objects of a left-out class map give no size/offset loss either
        keep = sup[pos["b"], pos["cls"]] > 0
        pos = {k: v[keep] for k, v in pos.items()}
    n = len(pos["b"])
    if n:
        b, iy, ix = pos["b"], pos["iy"], pos["ix"]
        rw = torch.where(pos["cls"] == 0, args.ball_reg_weight, 1.0)[:, None]
        norm = 2 * rw.sum()
        # size_sup [batch, classes]: 0 where an image's objects of a class give no size loss
        sw = rw if size_sup is None else rw * size_sup[b, pos["cls"]][:, None]
        pw = wh[b, :, iy, ix].float()  # pre-ReLU pixels
        gw = torch.stack([pos["w"], pos["h"]], 1)
        l_wh = ((pw - gw).abs() / gw.clamp(min=2) * sw).sum() / (2 * sw.sum()).clamp(min=1e-6)
        po = torch.sigmoid(off[b, :, iy, ix].float())
        go = torch.stack([pos["dx"], pos["dy"]], 1)
        l_off = ((po - go).abs() * rw).sum() / norm
    else:
        l_wh = l_off = hm.sum() * 0
    total = l_hm + args.wh_weight * l_wh + args.off_weight * l_off
    parts = dict(hm=l_hm.item(), wh=l_wh.item(), off=l_off.item(), npos=n)
    # real frames (the first n_real rows) against --distill, the extra frames against --distill-extra
    for key, t_model, lo, hi, w in (("kd", teacher, 0, n_real, kd_cls_w if kd_cls_w is not None else cls_w),
                                    ("kdx", teacher_extra, n_real, len(x), cls_w)):
        if t_model is None or hi <= lo:
            continue
        with torch.no_grad():
            t_hm, t_wh, t_off = t_model.raw(x[lo:hi])
        k_hm, k_box = distill_loss(hm[lo:hi], wh[lo:hi], off[lo:hi], t_hm, t_wh, t_off, w)
        total = total + args.distill_weight * (k_hm + k_box)
        parts.update({key + "_hm": k_hm.item(), key + "_box": k_box.item()})
    return total, parts


def distill_loss(hm, wh, off, t_hm, t_wh, t_off, cls_w, peak_thr=0.3):
    """Student outputs (the real frames' rows) against the frozen teacher's on the same input.
    Heatmaps: squared difference of the probabilities, class-weighted, summed over the map and
    divided by the number of pixels where the teacher sees an object (peak >= peak_thr), so the
    term does not scale with the empty grass. Where the teacher sees an object: relative L1 of the
    box size and L1 of the sub-cell offset, as in the supervised loss."""
    s, t = torch.sigmoid(hm.float()), torch.sigmoid(t_hm.float())
    peak = t.amax(1)
    m = peak >= peak_thr
    n = m.sum().clamp(min=1)
    l_hm = (((s - t) ** 2) * cls_w.view(1, -1, 1, 1)).sum() / n
    if m.any():
        sw, tw = wh.float().permute(0, 2, 3, 1)[m], t_wh.float().permute(0, 2, 3, 1)[m]
        so = torch.sigmoid(off.float()).permute(0, 2, 3, 1)[m]
        to = torch.sigmoid(t_off.float()).permute(0, 2, 3, 1)[m]
        l_box = ((sw - tw).abs() / tw.clamp(min=2)).mean() + (so - to).abs().mean()
    else:
        l_box = hm.sum() * 0
    return l_hm, l_box


def load_ckpt(path, dev="cpu"):
    try:
        return torch.load(path, map_location=dev, weights_only=False)
    except TypeError:  # older torch without weights_only
        return torch.load(path, map_location=dev)


class EMA:
    def __init__(self, model, decay=0.9995):
        import copy

        self.m = copy.deepcopy(model).eval()
        for p in self.m.parameters():
            p.requires_grad_(False)
        self.decay = decay

    @torch.no_grad()
    def update(self, model, step):
        d = min(self.decay, (1 + step) / (10 + step))
        if not hasattr(self, "_pairs"):
            esd, msd = self.m.state_dict(), model.state_dict()
            self._f = ([esd[k] for k in esd if esd[k].dtype.is_floating_point],
                       [msd[k] for k in esd if esd[k].dtype.is_floating_point])
            self._pairs = [(esd[k], msd[k]) for k in esd if not esd[k].dtype.is_floating_point]
        ef, mf = self._f
        torch._foreach_mul_(ef, d)
        torch._foreach_add_(ef, mf, alpha=1 - d)
        for e, m_ in self._pairs:
            e.copy_(m_)


def lr_at(step, total, base, warmup):
    if step < warmup:
        return base * (0.02 + 0.98 * step / warmup)
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


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
    sizes = [tuple(map(int, v.lower().split("x"))) for v in args.input.split(",")]
    in_w, in_h = sizes[0]
    crop_w, crop_h = map(int, args.crop.lower().split("x"))
    assert all(w % 32 == 0 and h % 32 == 0 for w, h in sizes) and crop_w % 32 == 0 and crop_h % 32 == 0
    model_cfg = json.loads(args.model_cfg)
    log(f"args {vars(args)}", fh)
    log(f"torch {torch.__version__} device {dev} "
        f"{torch.cuda.get_device_name(0) if dev.type == 'cuda' else ''}", fh)

    tr_imgs, tr_labels, _ = load_split(args.data, "train")
    va_imgs, va_labels, _ = load_split(args.data, "valid")
    if args.limit_train:
        tr_imgs, tr_labels = tr_imgs[: args.limit_train], tr_labels[: args.limit_train]
    if args.limit_valid:
        va_imgs, va_labels = va_imgs[: args.limit_valid], va_labels[: args.limit_valid]
    log(f"train {tuple(tr_imgs.shape)} valid {tuple(va_imgs.shape)} "
        f"objects {sum(len(l) for l in tr_labels)}/{sum(len(l) for l in va_labels)}", fh)
    n_real = len(tr_imgs)
    for root in filter(None, args.extra_train.split(",")):
        ex_imgs, ex_labels, _ = load_split(root, "train")
        assert ex_imgs.shape[1:] == tr_imgs.shape[1:], f"{root}: frames {tuple(ex_imgs.shape[1:])} differ"
        tr_imgs, tr_labels = torch.cat([tr_imgs, ex_imgs]), tr_labels + ex_labels
        log(f"extra train {root}: {len(ex_imgs)} frames, {sum(len(l) for l in ex_labels)} objects "
            f"({len(ex_imgs) / len(tr_imgs):.0%} of the training frames now)", fh)
    tr_imgs = tr_imgs.to(dev)
    tr_boxes = pad_labels(tr_labels).to(dev)

    model = build_model(**model_cfg).to(dev)
    n_par = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"model PitchDet {model_cfg} params {n_par} GMACs@{in_w}x{in_h} "
        f"{count_macs(build_model(**model_cfg), in_h, in_w) / 1e9:.3f}", fh)
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (decay if p.ndim == 4 else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.99))
    ema = EMA(model)
    # balls to paste come from the real frames only (a drawn ball pasted into a real frame would
    # teach the wrong look); they are pasted into every training frame
    paste = BallPaste(tr_imgs[:n_real], tr_boxes[:n_real], n=args.ball_paste) if args.ball_paste else None
    if paste is not None:
        log(f"ball paste: {len(paste.patches)} patches, {args.ball_paste} per image", fh)
    aug = GpuAugment(crop_hw=(crop_h, crop_w), scale_range=tuple(map(float, args.scale_range.split(","))))
    gen = torch.Generator(device=dev)
    gen.manual_seed(args.seed)
    cpu_gen = torch.Generator()
    cpu_gen.manual_seed(args.seed + 1)
    cls_w = torch.tensor([float(v) for v in args.cls_weights.split(",")], device=dev)

    # Each batch: n_ex frames from the extra frames (indices n_real..), the rest from the real ones,
    # each side in shuffled passes of its own.
    def draw(order, pos, count, n, offset):
        """`count` indices from the shuffled pass `order` at `pos` over n frames starting at
        `offset`, reshuffling when a pass ends; returns (indices, order, pos)."""
        out = []
        while len(out) < count:
            if pos >= n:
                order, pos = torch.randperm(n, generator=cpu_gen) + offset, 0
            take = min(count - len(out), n - pos)
            out.extend(order[pos:pos + take].tolist())
            pos += take
        return out, order, pos

    N, NE = n_real, len(tr_imgs) - n_real
    n_ex = min(args.batch - 1, round(args.batch * args.extra_share)) if NE else 0
    perm, pi = torch.randperm(N, generator=cpu_gen), 0
    # (no draw from cpu_gen without extra frames: the shipped model's data order stays reproducible)
    eperm, epi = (torch.randperm(NE, generator=cpu_gen) + N if NE else torch.zeros(0, dtype=torch.long)), 0
    if NE:
        log(f"batches: {args.batch - n_ex} real + {n_ex} extra frames", fh)
    def extra_mask(ids_text, what):
        """[batch, classes] ones, 0 for the listed class ids on the extra frames (the last n_ex of
        each batch); None when no class is listed or there are no extra frames."""
        if not (n_ex and ids_text):
            return None
        mask = torch.ones(args.batch, len(CLASSES), device=dev)
        ids = [int(c) for c in ids_text.split(",")]
        mask[args.batch - n_ex:, ids] = 0
        log(f"extra frames: {what} of classes {ids} not supervised", fh)
        return mask

    sup = extra_mask(args.extra_ignore, "heatmap, size and offset")  # --extra-ignore
    size_sup = extra_mask(args.extra_ignore_size, "box size")  # --extra-ignore-size
    def load_teacher(path, which):
        if not os.path.isfile(path):
            raise SystemExit(f"train.py: teacher {path}: no such file")
        try:
            ck = load_ckpt(path, dev)
            t = build_model(**ck.get("model_cfg", {})).to(dev)
            t.load_state_dict(ck["ema"] if "ema" in ck else ck["model"])
        except Exception as e:  # not a checkpoint, or another architecture
            raise SystemExit(f"train.py: teacher {path}: not a PitchDet checkpoint ({type(e).__name__}: {e})")
        t.eval()
        for p in t.parameters():
            p.requires_grad_(False)
        log(f"distilling from {path} (step {ck.get('step')}) on the {which} of each batch, "
            f"weight {args.distill_weight}", fh)
        return t

    teacher = load_teacher(args.distill, f"{args.batch - n_ex} real frames") if args.distill else None
    teacher_extra = load_teacher(args.distill_extra, f"{n_ex} extra frames") if args.distill_extra and n_ex else None
    kd_cls_w = (torch.tensor([float(v) for v in args.distill_cls_weights.split(",")], device=dev)
                if args.distill_cls_weights else None)
    step, total_steps, best, train_s = 0, args.steps, -1.0, 0.0
    history = []
    size_best = {}  # input size -> best score there (several --input sizes)
    if args.init and not args.resume:
        ck = load_ckpt(args.init, dev)
        sd = ck["ema"] if "ema" in ck else ck["model"]
        model.load_state_dict(sd)
        ema.m.load_state_dict(sd)
        log(f"initialised from {args.init} (step {ck.get('step')})", fh)
    if args.resume:
        ck = load_ckpt(args.resume, dev)
        model.load_state_dict(ck["model"])
        ema.m.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["opt"])
        step, total_steps, best = ck["step"], ck["total_steps"], ck["best"]
        train_s, history = ck.get("train_s", 0.0), ck.get("history", [])
        size_best.update(ck.get("size_best", {}))
        gen.set_state(ck["gen"].cpu())
        cpu_gen.set_state(ck["cpu_gen"].cpu())
        perm, pi = ck["perm"].cpu(), ck["pi"]
        if "eperm" in ck:
            eperm, epi = ck["eperm"].cpu(), ck["epi"]
        log(f"resumed from {args.resume} at step {step}/{total_steps}, best score ({args.select}) {best:.4f}", fh)

    def save(path, final=False):
        torch.save({"model": model.state_dict(), "ema": ema.m.state_dict(), "opt": opt.state_dict(),
                    "step": step, "total_steps": total_steps, "best": best, "train_s": train_s,
                    "history": history, "size_best": size_best, "gen": gen.get_state(), "cpu_gen": cpu_gen.get_state(),
                    "perm": perm, "pi": pi, "eperm": eperm, "epi": epi,
                    "model_cfg": model_cfg, "input_hw": (in_h, in_w), "args": vars(args)}, path)

    targets = [float(v) for v in args.targets.split(",")]

    def set_train():
        model.train()
        if args.freeze_bn:
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.eval()

    def score_of(res):
        if args.select == "margin":
            return min(res["AP50"][c] - t for c, t in zip(CLASSES, targets))
        return res["mAP50"]

    def save_best(path, res, hw):
        torch.save({"ema": ema.m.state_dict(), "model_cfg": model_cfg, "input_hw": hw,
                    "step": step, "metrics": res}, path)

    def evaluate_now(full=False):
        nonlocal best
        t = time.time()
        results = [eval_torch(ema.m, va_imgs, va_labels, h, w, dev, full=full) for w, h in sizes]
        scores = [score_of(r) for r in results]
        score = sum(scores) / len(scores)
        for (w, h), res in zip(sizes, results):
            entry = {"step": step, **{k: res[k] for k in ("AP50", "AP50_95", "mAP50", "mAP50_95")}}
            if len(sizes) > 1:
                entry["input"] = f"{w}x{h}"
            history.append(entry)
        if len(sizes) > 1:  # each size's own best too
            for (w, h), res, sc in zip(sizes, results, scores):
                key = f"{w}x{h}"
                if sc > size_best.get(key, -1e9):
                    size_best[key] = sc
                    save_best(os.path.join(args.out, f"best_{key}.pt"), res, (h, w))
        tag = ""
        if score > best:
            best = score
            save_best(os.path.join(args.out, "best.pt"), results[0], (in_h, in_w))
            tag = " *best*"
        for (w, h), res in zip(sizes, results):
            size_tag = f" @{w}x{h}" if len(sizes) > 1 else ""
            log(f"eval step {step}{size_tag}: {format_result(res)} ({time.time() - t:.1f}s){tag}", fh)
        set_train()
        return results[0]

    best = best if args.resume else -1e9
    set_train()
    t_meas, meas_steps = None, 0
    use_amp = bool(args.amp) and dev.type == "cuda"
    stop_reason = "done"
    t_last = time.time()
    while total_steps == 0 or step < total_steps:
        if time.time() - T0 > args.max_minutes * 60:
            stop_reason = "wall-clock"
            break
        idx, perm, pi = draw(perm, pi, args.batch - n_ex, N, 0)
        extra, eperm, epi = draw(eperm, epi, n_ex, NE, N)
        idx += extra
        idx_t = torch.tensor(idx, device=dev)
        bi, bb = tr_imgs[idx_t], tr_boxes[idx_t]
        if paste is not None:
            bi, bb = paste(bi, bb, gen)
        x, boxes = aug(bi, bb, gen)
        lr = lr_at(step, max(total_steps, args.warmup + 1), args.lr, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=use_amp):
            loss, parts = compute_loss(model, x, boxes, args, cls_w, sup, teacher, args.batch - n_ex, kd_cls_w,
                                       teacher_extra, size_sup)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        ema.update(model, step)
        step += 1
        now = time.time()
        train_s += now - t_last
        t_last = now
        if total_steps == 0:  # estimate total steps from the step time (steps 10..40)
            if step == 10:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                t_meas = time.time()
            elif step == 40:
                if dev.type == "cuda":
                    torch.cuda.synchronize()
                dt = (time.time() - t_meas) / 30
                overhead = 1.06  # evaluations + logging
                total_steps = int(args.budget_min * 60 / (dt * overhead))
                total_steps = max(total_steps, args.warmup + 100)
                log(f"measured {dt * 1000:.1f} ms/step -> total_steps {total_steps} "
                    f"for a {args.budget_min} min budget", fh)
        if step % 50 == 0 or step == 1:
            log(f"step {step}/{total_steps} lr {lr:.2e} loss {loss.item():.4f} hm {parts['hm']:.4f} "
                f"wh {parts['wh']:.4f} off {parts['off']:.4f} npos {parts['npos']} gn {gn:.2f}"
                + "".join(f" {k} {v:.4f}" for k, v in parts.items() if k.startswith("kd")), fh)
        every = args.eval_every or max(100, total_steps // 24 if total_steps else 500)
        if step % every == 0:
            evaluate_now()
            save(os.path.join(args.out, "last.pt"))
            t_last = time.time()
    evaluate_now(full=True)
    save(os.path.join(args.out, "last.pt"))
    log(f"stopped ({stop_reason}) at step {step}/{total_steps}, train time {train_s / 60:.1f} min, "
        f"best score ({args.select}) {best:.4f}", fh)
    json.dump(history, open(os.path.join(args.out, "history.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
