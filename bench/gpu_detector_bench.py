#!/usr/bin/env python3
"""Detector-alone GPU benchmark: the shipped TorchScript detector on a CUDA card, set against the
card's own ceilings measured in the same run (issue 7, "Detector alone").

What it measures (all timed with CUDA events, after warm-up, median of repeats):
  * ceilings: dense matrix product (fp32 with TF32 off, TF32, fp16) on random 8192^3 operands,
    device-to-device copy of 2 GiB (bytes read + written), pinned host-to-device copy of 1 GiB;
  * the model's work per frame at the deploy input (the sidecar's, 1312x736 since 2026-11-27; 1152x672 before): FLOPs (2 x conv MACs) and the bytes
    every layer reads and writes (activations + weights, layer by layer, i.e. without fusion);
  * forward throughput at batch 1 / 8 / 32 in FP32 and FP16, eager TorchScript and replayed CUDA
    graphs; and the detector's whole device path at batch 32 FP16: upload of 1920x1080 uint8
    frames from pinned memory, resize + letterbox + normalise on the GPU in one pass, forward,
    peak extraction (3x3 max-pool, top-k) on the GPU and download of the top-k candidates only.
Writes a JSON report (--json) and prints a table.

  python3 bench/gpu_detector_bench.py --model models/football_det.pt --json $OUT/gpu_detector.json
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "train"))


def time_cuda(fn, warmup=5, reps=30):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b))
    return statistics.median(ts), min(ts)


def ceilings():
    out = {}
    n = 8192
    for name, dt, tf32 in [("fp32", torch.float32, False), ("tf32", torch.float32, True), ("fp16", torch.float16, False)]:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a = torch.randn(n, n, device="cuda", dtype=dt)
        b = torch.randn(n, n, device="cuda", dtype=dt)
        med, _ = time_cuda(lambda: a @ b, 3, 10)
        out[f"matmul_{name}_tflops"] = 2 * n ** 3 / (med * 1e-3) / 1e12
        del a, b
    torch.backends.cuda.matmul.allow_tf32 = False
    src = torch.randn(2 ** 29, device="cuda")  # 2 GiB
    dst = torch.empty_like(src)
    med, _ = time_cuda(lambda: dst.copy_(src), 3, 10)
    out["d2d_copy_gbps"] = 2 * src.numel() * 4 / (med * 1e-3) / 1e9
    del src, dst
    h = torch.empty(2 ** 28, pin_memory=True)  # 1 GiB
    h.uniform_()
    d = torch.empty(2 ** 28, device="cuda")
    med, _ = time_cuda(lambda: d.copy_(h, non_blocking=True), 2, 10)
    out["h2d_pinned_gbps"] = h.numel() * 4 / (med * 1e-3) / 1e9
    return out


def model_work(in_h, in_w):
    """FLOPs and unfused bytes per frame from the Python definition (same graph as the export)."""
    from model import build_model, fuse_bn

    m = fuse_bn(build_model()).eval()
    flops, act_bytes, w_bytes = [0], [0], [0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        flops[0] += 2 * out.numel() * (mod.in_channels // mod.groups) * k
        act_bytes[0] += inp[0].numel() + out.numel()
        w_bytes[0] += mod.weight.numel() + (mod.bias.numel() if mod.bias is not None else 0)

    hs = [x.register_forward_hook(hook) for x in m.modules() if isinstance(x, torch.nn.Conv2d)]
    with torch.no_grad():
        y = m(torch.zeros(1, 3, in_h, in_w))
    for x in hs:
        x.remove()
    return {"gflops_per_frame": flops[0] / 1e9,
            "conv_activation_elems_per_frame": act_bytes[0],
            "weight_elems": w_bytes[0],
            "input_elems": 3 * in_h * in_w, "output_elems": y.numel()}


class Preprocess(torch.nn.Module):
    """uint8 [N,H,W,3] BGR on the GPU -> letterboxed [N,3,in_h,in_w] scaled 1/255, pad 114."""

    def __init__(self, src_h, src_w, in_h, in_w, dtype):
        super().__init__()
        s = min(in_w / src_w, in_h / src_h)
        self.nh, self.nw, self.in_h, self.in_w, self.dtype = round(src_h * s), round(src_w * s), in_h, in_w, dtype

    def forward(self, u8):
        x = u8.permute(0, 3, 1, 2).to(self.dtype)
        x = F.interpolate(x, size=(self.nh, self.nw), mode="bilinear", align_corners=False, antialias=False)
        x = F.pad(x, (0, self.in_w - self.nw, 0, self.in_h - self.nh), value=114.0)
        return x * (1.0 / 255.0)


def gpu_peaks(out, k=100):
    hm = out[:, :4].float()
    mx = F.max_pool2d(hm, 3, 1, 1)
    hm = torch.where(hm == mx, hm, torch.zeros_like(hm))
    n, c, h, w = hm.shape
    scores, idx = hm.reshape(n, -1).topk(k)
    cls = idx // (h * w)
    pix = idx % (h * w)
    rest = out[:, 4:].float().reshape(n, 4, -1).gather(2, pix[:, None, :].expand(n, 4, k))
    return torch.cat([scores[:, None], cls[:, None].float(), pix[:, None].float(), rest], 1)  # [n,7,k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "football_det.pt"))
    ap.add_argument("--json", default="")
    ap.add_argument("--batches", default="1,8,32")
    args = ap.parse_args()
    side = json.load(open(os.path.splitext(args.model)[0] + ".json"))
    in_h, in_w = side["input_height"], side["input_width"]
    torch.backends.cudnn.benchmark = True
    rep = {"card": torch.cuda.get_device_name(0), "torch": torch.__version__,
           "cudnn": torch.backends.cudnn.version(), "input": f"{in_w}x{in_h}",
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    rep["work"] = model_work(in_h, in_w)
    rep["ceilings"] = ceilings()
    base = torch.jit.load(args.model, map_location="cuda").eval()
    runs = []
    for prec in ("fp32", "fp16"):
        dt = torch.float16 if prec == "fp16" else torch.float32
        m = torch.jit.load(args.model, map_location="cuda").eval()
        if prec == "fp16":
            m = m.half()
        # agreement with fp32 on a random-looking frame
        x = torch.rand(2, 3, in_h, in_w, device="cuda")
        with torch.inference_mode():
            ref = base(x)
            got = m(x.to(dt)).float()
        err = ((got[:, :4] - ref[:, :4]).abs().max().item(), (got[:, 4:6] - ref[:, 4:6]).abs().max().item())
        for bs in [int(b) for b in args.batches.split(",")]:
            x = torch.rand(bs, 3, in_h, in_w, device="cuda", dtype=dt)
            with torch.inference_mode():
                med, best = time_cuda(lambda: m(x), 10, 50)
            row = {"precision": prec, "batch": bs, "eager_ms": med, "eager_fps": bs / med * 1e3,
                   "max_abs_err_heatmap_vs_fp32": err[0], "max_abs_err_size_px_vs_fp32": err[1]}
            try:
                g = torch.cuda.CUDAGraph()
                s = torch.cuda.Stream()
                s.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(s), torch.inference_mode():
                    for _ in range(3):
                        m(x)
                torch.cuda.current_stream().wait_stream(s)
                with torch.cuda.graph(g), torch.inference_mode():
                    y = m(x)
                med_g, _ = time_cuda(g.replay, 10, 50)
                row.update(graph_ms=med_g, graph_fps=bs / med_g * 1e3)
            except Exception as e:  # noqa: BLE001 - report, keep going
                row["graph_error"] = str(e)[:200]
            w = rep["work"]
            bpe = 2 if prec == "fp16" else 4
            t = row.get("graph_ms", med) * 1e-3 / bs
            row["achieved_tflops"] = w["gflops_per_frame"] * 1e9 / t / 1e12
            row["achieved_gbps_unfused"] = (w["conv_activation_elems_per_frame"] * bpe) / t / 1e9
            runs.append(row)
            print(f"{prec} batch {bs:3d}: eager {med:7.3f} ms ({row['eager_fps']:8.1f} fps)  graph "
                  f"{row.get('graph_ms', float('nan')):7.3f} ms ({row.get('graph_fps', float('nan')):8.1f} fps)", flush=True)
    rep["forward"] = runs

    # whole device path at batch 32 fp16 from 1080p uint8 frames in pinned memory
    bs = 32
    m = torch.jit.load(args.model, map_location="cuda").eval().half()
    pre = Preprocess(1080, 1920, in_h, in_w, torch.float16)
    host = torch.randint(0, 255, (bs, 1080, 1920, 3), dtype=torch.uint8).pin_memory()
    dev = torch.empty(host.shape, dtype=torch.uint8, device="cuda")

    def path():
        dev.copy_(host, non_blocking=True)
        with torch.inference_mode():
            c = gpu_peaks(m(pre(dev)))
        return c.cpu()

    med_up, _ = time_cuda(lambda: dev.copy_(host, non_blocking=True), 5, 20)
    with torch.inference_mode():
        med_pre, _ = time_cuda(lambda: pre(dev), 5, 20)
        xin = pre(dev)
        med_fwd, _ = time_cuda(lambda: m(xin), 5, 20)
        yout = m(xin)
        med_dec, _ = time_cuda(lambda: gpu_peaks(yout), 5, 20)
    med_all, _ = time_cuda(path, 5, 20)
    rep["device_path_b32_fp16_1080p"] = {"upload_ms": med_up, "preprocess_ms": med_pre, "forward_ms": med_fwd,
                                         "peaks_topk_ms": med_dec, "total_ms": med_all,
                                         "fps": bs / med_all * 1e3,
                                         "upload_bytes_per_frame": 1920 * 1080 * 3}
    print(json.dumps(rep, indent=1))
    if args.json:
        json.dump(rep, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
