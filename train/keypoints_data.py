"""Pitch keypoint data: loading, batched on-device augmentation, heatmap/offset targets, decoding,
and the pitch coordinates of the 32 keypoints (same numbers as src/pitch/pitch_model.cpp).

All frames of a split are decoded once into one uint8 tensor (BGR, 16:9 as written by
keypoints_prepare.py). Augmentation runs on whole batches on the training device:
  geometry: random zoom (crop of the frame, never padding at zoom >= 1; rare zoom-out with
            padding), anisotropic jitter, horizontal flip with the left/right keypoint swap
  colour  : brightness, contrast, saturation, per-channel gain, gamma, occasional grey
  blur    : Gaussian or short motion blur; additive noise
The network input is resized from the frame without letterbox (deploy: 640x384 from any 16:9).
"""
import glob
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from keypoints_model import FLIP_IDX, NUM_KEYPOINTS, STRIDE

PAD_VALUE = 114


def pitch_keypoints_m(length=105.0, width=68.0):
    """pitch coordinates (metres, origin at the centre spot, x to the right-hand goal, y towards the
    near touchline, i.e. down in a main-camera image) of the 32 keypoints in dataset order.

    Roboflow's SoccerPitchConfiguration (120 x 70, 20.15 deep boxes) names the points; here they
    sit on the real FIFA lines. Points 10, 11, 18, 19 are where the penalty arc meets the penalty
    box line (y = +-sqrt(9.15^2 - 5.5^2) = +-7.31 m): the labels agree with that to 2.6 px median
    at 1280x720, and with Roboflow's +-9.16 m to 16 px."""
    hl, hw = length / 2, width / 2
    pb_d, pb_h, gb_d, gb_h, spot, r = 16.5, 40.32 / 2, 5.5, 18.32 / 2, 11.0, 9.15
    arc = math.sqrt(r * r - (pb_d - spot) ** 2)
    p = [(-hl, -hw), (-hl, -pb_h), (-hl, -gb_h), (-hl, gb_h), (-hl, pb_h), (-hl, hw),  # 0-5 left goal line
         (-hl + gb_d, -gb_h), (-hl + gb_d, gb_h), (-hl + spot, 0.0),  # 6-7 goal box, 8 penalty spot
         (-hl + pb_d, -pb_h), (-hl + pb_d, -arc), (-hl + pb_d, arc), (-hl + pb_d, pb_h),  # 9-12 box line
         (0.0, -hw), (0.0, -r), (0.0, r), (0.0, hw),  # 13-16 halfway line
         (hl - pb_d, -pb_h), (hl - pb_d, -arc), (hl - pb_d, arc), (hl - pb_d, pb_h),  # 17-20
         (hl - spot, 0.0), (hl - gb_d, -gb_h), (hl - gb_d, gb_h),  # 21 spot, 22-23 goal box
         (hl, -hw), (hl, -pb_h), (hl, -gb_h), (hl, gb_h), (hl, pb_h), (hl, hw),  # 24-29 right goal line
         (-r, 0.0), (r, 0.0)]  # 30-31 centre circle on the long axis
    return np.array(p, np.float64)


def load_split(root, split):
    """returns (images uint8 [N,H,W,3] BGR tensor, keypoints float32 [N,32,3] (x_norm, y_norm, vis), names)"""
    import cv2

    files = sorted(glob.glob(os.path.join(root, split, "images", "*.jpg")))
    if not files:
        raise FileNotFoundError(f"no images under {root}/{split}/images")
    imgs = [cv2.imread(f, cv2.IMREAD_COLOR) for f in files]
    h, w = imgs[0].shape[:2]
    assert all(i is not None and i.shape[:2] == (h, w) for i in imgs), "all frames must share one size"
    kps = np.zeros((len(files), NUM_KEYPOINTS, 3), np.float32)
    for n, f in enumerate(files):
        lf = os.path.join(root, split, "labels", os.path.splitext(os.path.basename(f))[0] + ".txt")
        if not os.path.exists(lf):
            continue
        rows = [line.split() for line in open(lf) if line.strip()]
        if not rows:
            continue
        v = np.array(list(map(float, rows[0][5:])), np.float32).reshape(NUM_KEYPOINTS, 3)
        v[:, 2] = (v[:, 2] > 0).astype(np.float32)
        kps[n] = v
    return torch.from_numpy(np.stack(imgs)), torch.from_numpy(kps), [os.path.basename(f) for f in files]


def resize_batch(imgs_u8, in_h, in_w):
    """uint8 [B,H,W,3] BGR -> float [B,3,in_h,in_w] /255 (plain resize, as cv2.resize INTER_LINEAR)."""
    x = imgs_u8.permute(0, 3, 1, 2).float()
    x = F.interpolate(x, size=(in_h, in_w), mode="bilinear", align_corners=False, antialias=False)
    return x / 255.0


class GpuAugment:
    def __init__(self, out_hw=(384, 640), zoom=(1.0, 1.8), p_full=0.25, p_zoom_out=0.08, p_flip=0.5,
                 p_blur=0.3, p_gray=0.03, aniso=0.06):
        self.oh, self.ow = out_hw
        self.zmin, self.zmax = zoom
        self.p_full, self.p_zoom_out, self.p_flip = p_full, p_zoom_out, p_flip
        self.p_blur, self.p_gray, self.aniso = p_blur, p_gray, aniso
        self.flip_idx = torch.tensor(FLIP_IDX)

    @torch.no_grad()
    def __call__(self, imgs_u8, kps, gen):
        """imgs_u8 [B,H,W,3] uint8, kps [B,32,3] (x_norm,y_norm,vis) -> x [B,3,oh,ow], kp [B,32,3] (x,y px, valid)"""
        dev = imgs_u8.device
        B, H, W, _ = imgs_u8.shape
        r = lambda *s: torch.rand(*s, generator=gen, device=dev)
        z = torch.exp(math.log(self.zmin) + r(B) * (math.log(self.zmax) - math.log(self.zmin)))
        z = torch.where(r(B) < self.p_full, torch.ones_like(z), z)
        zo = r(B) < self.p_zoom_out
        z = torch.where(zo, 0.8 + 0.2 * r(B), z)
        zx = z * (1 + self.aniso * (2 * r(B) - 1))
        zy = z * (1 + self.aniso * (2 * r(B) - 1))
        # source normalised = out normalised / zoom + t; keep the window inside the frame at zoom >= 1
        tx = (2 * r(B) - 1) * (1 - 1 / zx).abs()
        ty = (2 * r(B) - 1) * (1 - 1 / zy).abs()
        flip = r(B) < self.p_flip
        fx = torch.where(flip, -1.0, 1.0)
        theta = torch.zeros(B, 2, 3, device=dev)
        theta[:, 0, 0] = fx / zx
        theta[:, 0, 2] = tx
        theta[:, 1, 1] = 1 / zy
        theta[:, 1, 2] = ty
        grid = F.affine_grid(theta, (B, 3, self.oh, self.ow), align_corners=False)
        src = imgs_u8.permute(0, 3, 1, 2).float() - PAD_VALUE
        x = F.grid_sample(src, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + PAD_VALUE
        x = x / 255.0

        # ---- colour ----
        bright = 1 + (r(B, 1, 1, 1) - 0.5) * 0.5
        contrast = 1 + (r(B, 1, 1, 1) - 0.5) * 0.6
        sat = 1 + (r(B, 1, 1, 1) - 0.5) * 0.9
        gain = 1 + (r(B, 3, 1, 1) - 0.5) * 0.2
        gamma = torch.exp((r(B, 1, 1, 1) - 0.5) * 0.5)
        gray = x.mean(1, keepdim=True)
        x = gray + (x - gray) * sat
        mean = x.mean((1, 2, 3), keepdim=True)
        x = (x - mean) * contrast + mean
        x = (x * bright * gain).clamp(0, 1) ** gamma
        g = r(B, 1, 1, 1) < self.p_gray
        x = torch.where(g, x.mean(1, keepdim=True).expand_as(x), x)
        if self.p_blur > 0:
            x = _blur(x, r, self.p_blur)
        x = (x + torch.randn(x.shape, generator=gen, device=dev) * (r(B, 1, 1, 1) * 0.02)).clamp(0, 1)

        # ---- keypoints: source normalised q -> out normalised p = fx * (q - t) * zoom ----
        qx = kps[..., 0] * 2 - 1
        qy = kps[..., 1] * 2 - 1
        px = fx[:, None] * (qx - tx[:, None]) * zx[:, None]
        py = (qy - ty[:, None]) * zy[:, None]
        out = torch.stack([(px + 1) / 2 * self.ow, (py + 1) / 2 * self.oh, kps[..., 2]], -1)
        fi = self.flip_idx.to(dev)
        out = torch.where(flip[:, None, None], out[:, fi], out)
        inside = (out[..., 0] >= 0) & (out[..., 0] < self.ow) & (out[..., 1] >= 0) & (out[..., 1] < self.oh)
        out[..., 2] = out[..., 2] * inside.float()
        return x, out


def _blur(x, r, p):
    B = x.shape[0]
    dev = x.device
    do = r(B) < p
    if not bool(do.any()):
        return x
    ks = 5
    t = torch.arange(ks, device=dev, dtype=torch.float32) - ks // 2
    sigma = 0.3 + r(B) * 0.9
    g1 = torch.exp(-(t[None] ** 2) / (2 * sigma[:, None] ** 2))
    g1 = g1 / g1.sum(1, keepdim=True)
    kern = g1[:, :, None] * g1[:, None, :]
    motion = r(B) < 0.3
    line = torch.ones(B, ks, device=dev) / ks
    mk = torch.zeros(B, ks, ks, device=dev)
    mk[:, ks // 2, :] = line
    kern = torch.where(motion[:, None, None], mk, kern)
    ident = torch.zeros(ks, ks, device=dev)
    ident[ks // 2, ks // 2] = 1
    kern = torch.where(do[:, None, None], kern, ident)
    w = kern[:, None].repeat_interleave(3, 0)
    y = F.conv2d(F.pad(x.reshape(1, B * 3, *x.shape[2:]), [ks // 2] * 4, mode="replicate"), w, groups=B * 3)
    return y.reshape_as(x)


def make_targets(kp, out_h, out_w, sigma=1.5):
    """kp [B,K,3] (x px, y px, valid) in input pixels ->
    heat [B,K,out_h,out_w]: Gaussian around the keypoint, exactly 1 at the nearest cell;
    off [B,2K,out_h,out_w]: (dx, dy) in cells from each cell centre to the keypoint;
    off_w [B,K,out_h,out_w]: offset loss weight (1 at the nearest cell, 0.5 on its 8 neighbours)."""
    dev = kp.device
    B, K, _ = kp.shape
    u = kp[..., 0] / STRIDE - 0.5  # continuous cell index of the keypoint
    v = kp[..., 1] / STRIDE - 0.5
    valid = kp[..., 2] > 0
    xs = torch.arange(out_w, device=dev, dtype=torch.float32)
    ys = torch.arange(out_h, device=dev, dtype=torch.float32)
    gx = torch.exp(-((xs[None, None] - u[..., None]) ** 2) / (2 * sigma**2))
    gy = torch.exp(-((ys[None, None] - v[..., None]) ** 2) / (2 * sigma**2))
    heat = gy[..., :, None] * gx[..., None, :]
    ix = u.round().clamp(0, out_w - 1)
    iy = v.round().clamp(0, out_h - 1)
    ex = (xs[None, None] - ix[..., None]).abs()  # [B,K,W]
    ey = (ys[None, None] - iy[..., None]).abs()  # [B,K,H]
    peak = (ey[..., :, None] == 0) & (ex[..., None, :] == 0)
    heat = torch.where(peak, torch.ones_like(heat), heat) * valid[..., None, None]
    near = (ey[..., :, None] <= 1) & (ex[..., None, :] <= 1) & valid[..., None, None]
    off_w = near.float() * 0.5 + (peak & valid[..., None, None]).float() * 0.5
    dx = (u[..., None] - xs[None, None])[..., None, :].expand(B, K, out_h, out_w)
    dy = (v[..., None] - ys[None, None])[..., :, None].expand(B, K, out_h, out_w)
    off = torch.stack([dx, dy], 2).reshape(B, 2 * K, out_h, out_w)
    return heat, off, off_w


def decode(out):
    """out [B,96,h,w] (sigmoid heat + offsets) -> [B,32,3] (x, y input px, confidence)."""
    B, C, h, w = out.shape
    K = NUM_KEYPOINTS
    heat = out[:, :K].reshape(B, K, -1)
    conf, idx = heat.max(-1)
    iy, ix = idx // w, idx % w
    off = out[:, K:].reshape(B, K, 2, h * w)
    g = idx[:, :, None, None].expand(B, K, 2, 1)
    d = off.gather(3, g)[..., 0]
    x = (ix.float() + 0.5 + d[..., 0]) * STRIDE
    y = (iy.float() + 0.5 + d[..., 1]) * STRIDE
    return torch.stack([x, y, conf], -1)


def pitch_grid(length=105.0, width=68.0, step=1.0):
    xs = np.arange(-length / 2, length / 2 + 1e-9, step)
    ys = np.arange(-width / 2, width / 2 + 1e-9, step)
    g = np.stack(np.meshgrid(xs, ys), -1).reshape(-1, 2)
    return g


def calibration_metrics(pred, gt, img_w=1280, img_h=720, thr=0.3, ransac_px=10.0, min_points=4):
    """pred [K,3] (x, y px, conf), gt [K,3] (x, y px, vis), both at img_w x img_h.
    Returns dict: errors (px, for GT-visible keypoints predicted >= thr), n_gt, n_hit, n_fp,
    calib_m (mean pitch-grid error of H_pred vs H_gt over grid points visible under H_gt) or None."""
    import cv2

    P = pitch_keypoints_m()
    vis = gt[:, 2] > 0
    hit = vis & (pred[:, 2] >= thr)
    errs = np.linalg.norm(pred[hit, :2] - gt[hit, :2], axis=1)
    res = {"errors": errs.tolist(), "n_gt": int(vis.sum()), "n_hit": int(hit.sum()),
           "n_fp": int((~vis & (pred[:, 2] >= thr)).sum()), "calib_m": None}
    if vis.sum() < 4:
        return res
    Hg, _ = cv2.findHomography(gt[vis, :2].astype(np.float64), P[vis], 0)  # image -> pitch
    sel = pred[:, 2] >= thr
    if sel.sum() < min_points or Hg is None:
        return res
    # RANSAC in image space: fit pitch -> image so the threshold is in pixels
    G, mask = cv2.findHomography(P[sel], pred[sel, :2].astype(np.float64), cv2.RANSAC, ransac_px,
                                 maxIters=2000, confidence=0.999)
    if G is None or mask.sum() < min_points:
        return res
    Hp = np.linalg.inv(G)
    grid = pitch_grid()
    Gg = np.linalg.inv(Hg)
    q = np.c_[grid, np.ones(len(grid))] @ Gg.T
    front = q[:, 2] * np.sign((Gg @ [0, 0, 1.0])[2]) > 0
    q = q[:, :2] / q[:, 2:]
    inside = front & (q[:, 0] >= 0) & (q[:, 0] < img_w) & (q[:, 1] >= 0) & (q[:, 1] < img_h)
    if inside.sum() < 10:
        return res
    m = np.c_[q[inside], np.ones(int(inside.sum()))] @ Hp.T
    m = m[:, :2] / m[:, 2:]
    res["calib_m"] = float(np.linalg.norm(m - grid[inside], axis=1).mean())
    return res
