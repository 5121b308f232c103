"""Data loading, batched on-device augmentation and CenterNet-style target generation.

All images of a split are decoded once into one uint8 tensor (BGR, as OpenCV reads them, which
is the channel order of the deployed model). Augmentation runs on whole batches on the training
device (GPU), so no data-loader workers are needed:

  * geometry : random scale (log-uniform), random crop/translate (may leave the frame, the
               outside is filled with the letterbox value 114), horizontal flip; one affine
               resampling per image with grid_sample
  * colour   : brightness, contrast, saturation, per-channel gain, gamma, occasional grey
  * blur     : Gaussian blur (random sigma) or horizontal/vertical motion blur
  * noise    : additive Gaussian noise
  * optional : ball copy-paste (BallPaste) before the geometry, for the rare tiny ball
Boxes get the same affine map, are clipped to the crop and dropped when mostly outside.
"""
import glob
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

PAD_VALUE = 114
MAX_OBJ = 96  # max boxes kept per image (train split has at most ~30)


def _imread_bgr(path):
    try:
        import cv2

        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise IOError(path)
        return img
    except ImportError:  # fallback: torchvision's decoder (RGB -> BGR)
        from torchvision.io import decode_jpeg, read_file

        return decode_jpeg(read_file(path)).permute(1, 2, 0).flip(-1).contiguous().numpy()


def load_split(root, split):
    """returns (images uint8 [N,H,W,3] BGR tensor, list of float32 arrays [k,5] cls,x1,y1,x2,y2 px, names)"""
    files = sorted(glob.glob(os.path.join(root, split, "images", "*.jpg")))
    if not files:
        raise FileNotFoundError(f"no images under {root}/{split}/images")
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as ex:
        imgs = list(ex.map(_imread_bgr, files))
    h, w = imgs[0].shape[:2]
    assert all(i.shape[:2] == (h, w) for i in imgs), "all frames must share one size"
    labels = []
    for f in files:
        lf = os.path.join(root, split, "labels", os.path.splitext(os.path.basename(f))[0] + ".txt")
        rows = []
        if os.path.exists(lf):
            for line in open(lf):
                p = line.split()
                if len(p) < 5:
                    continue
                c, cx, cy, bw, bh = int(p[0]), *map(float, p[1:5])
                rows.append([c, (cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h])
        a = np.array(rows, np.float32).reshape(-1, 5)
        a[:, 1:] = np.clip(a[:, 1:], 0, [w, h, w, h])
        labels.append(a)
    return torch.from_numpy(np.stack(imgs)), labels, [os.path.basename(f) for f in files]


def pad_labels(labels):
    """list of [k,5] -> tensor [N, MAX_OBJ, 5] with class -1 for padding"""
    out = torch.full((len(labels), MAX_OBJ, 5), -1.0)
    for i, a in enumerate(labels):
        a = torch.from_numpy(a[:MAX_OBJ])
        out[i, : len(a)] = a
    return out


def letterbox_batch(imgs_u8, in_h, in_w):
    """uint8 [B,H,W,3] BGR -> float [B,3,in_h,in_w] /255, scaled to fit, top-left, pad 114.
    Matches the C++ letterbox. Returns (tensor, scale)."""
    b, h, w, _ = imgs_u8.shape
    s = min(in_w / w, in_h / h)
    nw, nh = round(w * s), round(h * s)
    x = imgs_u8.permute(0, 3, 1, 2).float()
    if (nw, nh) != (w, h):
        x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False)
    out = torch.full((b, 3, in_h, in_w), float(PAD_VALUE), device=x.device)
    out[:, :, :nh, :nw] = x
    return out / 255.0, s


class BallPaste:
    """Copy-paste augmentation for the rare, tiny ball: square patches around every training
    ball are cut once; per image, n random patches are blended (soft disc mask) into random
    spots of the lower part of the frame (mostly pitch) and their boxes are appended."""

    def __init__(self, imgs_u8, boxes, n=2, patch=24, p=0.8):
        self.n, self.P, self.p = n, patch, p
        H, W = imgs_u8.shape[1:3]
        P = patch
        pat, rel = [], []
        for i in range(boxes.shape[0]):
            for b in boxes[i]:
                if b[0] != 0:
                    continue
                cx, cy = float(b[1] + b[3]) / 2, float(b[2] + b[4]) / 2
                x0, y0 = int(round(cx - P / 2)), int(round(cy - P / 2))
                if x0 < 0 or y0 < 0 or x0 + P > W or y0 + P > H or (b[3] - b[1]) > P * 0.7:
                    continue
                pat.append(imgs_u8[i, y0:y0 + P, x0:x0 + P])
                rel.append(torch.stack([b[1] - x0, b[2] - y0, b[3] - x0, b[4] - y0]))
        self.patches = torch.stack(pat).float().cpu()  # [M,P,P,3]
        self.rel = torch.stack(rel).float().cpu()  # [M,4]
        bw = (self.rel[:, 2] - self.rel[:, 0]).clamp(min=2)
        bh = (self.rel[:, 3] - self.rel[:, 1]).clamp(min=2)
        yy, xx = torch.meshgrid(torch.arange(P, dtype=torch.float32) + 0.5,
                                torch.arange(P, dtype=torch.float32) + 0.5, indexing="ij")
        ccx = (self.rel[:, 0] + self.rel[:, 2]) / 2
        ccy = (self.rel[:, 1] + self.rel[:, 3]) / 2
        r = torch.sqrt(((xx[None] - ccx[:, None, None]) / (bw[:, None, None] / 2)) ** 2 +
                       ((yy[None] - ccy[:, None, None]) / (bh[:, None, None] / 2)) ** 2)
        self.mask = (1 - ((r - 1.0) / 0.8)).clamp(0, 1)[..., None]  # 1 inside ball, fades out
        dev = imgs_u8.device
        self.patches, self.rel, self.mask = self.patches.to(dev), self.rel.to(dev), self.mask.to(dev)

    @torch.no_grad()
    def __call__(self, imgs_u8, boxes, gen):
        """imgs_u8 [B,H,W,3] uint8 (a copy is returned), boxes [B,K,5]"""
        dev = imgs_u8.device
        B, H, W, _ = imgs_u8.shape
        P, M = self.P, len(self.patches)
        r = lambda *s: torch.rand(*s, generator=gen, device=dev)
        imgs = imgs_u8.clone()
        boxes = boxes.clone()
        do = (r(B) < self.p).tolist()
        pick = (r(B, self.n) * M).long().clamp(max=M - 1)
        xs = (r(B, self.n) * (W - P)).long()
        ys = (H * 0.3 + r(B, self.n) * (H * 0.7 - P)).long()
        count = (boxes[..., 0] >= 0).sum(1).tolist()
        pick_l, xs_l, ys_l = pick.tolist(), xs.tolist(), ys.tolist()
        for i in range(B):
            if not do[i]:
                continue
            for j in range(self.n):
                if count[i] >= boxes.shape[1]:
                    break
                k, x0, y0 = pick_l[i][j], xs_l[i][j], ys_l[i][j]
                dst = imgs[i, y0:y0 + P, x0:x0 + P].float()
                m = self.mask[k]
                imgs[i, y0:y0 + P, x0:x0 + P] = (dst * (1 - m) + self.patches[k] * m).round().clamp(0, 255).to(torch.uint8)
                rb = self.rel[k]
                boxes[i, count[i]] = torch.stack([torch.zeros((), device=dev), rb[0] + x0, rb[1] + y0,
                                                  rb[2] + x0, rb[3] + y0])
                count[i] += 1
        return imgs, boxes


class GpuAugment:
    def __init__(self, crop_hw=(576, 1024), scale_range=(0.65, 1.6), p_flip=0.5, p_blur=0.35,
                 p_gray=0.03, min_visible=0.45, strength=1.0):
        self.ch, self.cw = crop_hw
        self.smin, self.smax = scale_range
        self.p_flip, self.p_blur, self.p_gray = p_flip, p_blur, p_gray
        self.min_visible = min_visible
        self.k = strength

    @torch.no_grad()
    def __call__(self, imgs_u8, boxes, gen):
        """imgs_u8 [B,H,W,3] uint8 (device), boxes [B,K,5] (device) -> x [B,3,ch,cw] in [0,1], boxes"""
        dev = imgs_u8.device
        B, H, W, _ = imgs_u8.shape
        ch, cw = self.ch, self.cw
        r = lambda *s: torch.rand(*s, generator=gen, device=dev)
        s = torch.exp(math.log(self.smin) + r(B) * (math.log(self.smax) - math.log(self.smin)))
        # scaled frame size; crop origin (in scaled px) so the crop mostly overlaps the frame
        sw, sh = W * s, H * s
        ox = (r(B) * (sw - cw + 0.3 * cw) - 0.15 * cw)
        oy = (r(B) * (sh - ch + 0.3 * ch) - 0.15 * ch)
        # when the scaled frame is smaller than the crop, place it anywhere inside
        ox = torch.where(sw < cw, -(r(B) * (cw - sw)), ox)
        oy = torch.where(sh < ch, -(r(B) * (ch - sh)), oy)
        flip = r(B) < self.p_flip
        # output pixel centre u -> source pixel x = (u + 0.5 + ox) / s - 0.5 (flip: mirrored u)
        # affine_grid works in normalised coords [-1,1] (align_corners=False)
        theta = torch.zeros(B, 2, 3, device=dev)
        fx = torch.where(flip, -1.0, 1.0)
        # src_norm_x = ((u_px + ox)/s) * 2/W - 1 with u_px = (un+1)*cw/2 (flip: un -> -un)
        theta[:, 0, 0] = fx * cw / (s * W)
        theta[:, 0, 2] = (cw / 2 + ox) * 2 / (s * W) - 1
        theta[:, 1, 1] = ch / (s * H)
        theta[:, 1, 2] = (ch / 2 + oy) * 2 / (s * H) - 1
        grid = F.affine_grid(theta, (B, 3, ch, cw), align_corners=False)
        src = imgs_u8.permute(0, 3, 1, 2).float() - PAD_VALUE
        x = F.grid_sample(src, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + PAD_VALUE
        inside = F.grid_sample(torch.ones(B, 1, H, W, device=dev), grid, mode="nearest",
                               padding_mode="zeros", align_corners=False)
        x = x / 255.0

        # ---- colour (applied inside the frame only; padding stays exactly 114) ----
        k = self.k
        bright = 1 + k * (r(B, 1, 1, 1) - 0.5) * 0.5
        contrast = 1 + k * (r(B, 1, 1, 1) - 0.5) * 0.6
        sat = 1 + k * (r(B, 1, 1, 1) - 0.5) * 0.8
        gain = 1 + k * (r(B, 3, 1, 1) - 0.5) * 0.16
        gamma = torch.exp(k * (r(B, 1, 1, 1) - 0.5) * 0.5)
        gray = x.mean(1, keepdim=True)
        x = gray + (x - gray) * sat
        mean = x.mean((1, 2, 3), keepdim=True)
        x = (x - mean) * contrast + mean
        x = (x * bright * gain).clamp(0, 1) ** gamma
        g = r(B, 1, 1, 1) < self.p_gray
        x = torch.where(g, x.mean(1, keepdim=True).expand_as(x), x)

        # ---- blur: Gaussian or motion, per image ----
        if self.p_blur > 0:
            x = self._blur(x, r)
        x = x + torch.randn(x.shape, generator=gen, device=dev) * (r(B, 1, 1, 1) * 0.02 * k)
        x = x.clamp(0, 1)
        x = torch.where(inside > 0.5, x, torch.full_like(x, PAD_VALUE / 255.0))

        # ---- boxes ----
        bx = boxes.clone()
        valid = bx[..., 0] >= 0
        x1 = bx[..., 1] * s[:, None] - ox[:, None]
        x2 = bx[..., 3] * s[:, None] - ox[:, None]
        y1 = bx[..., 2] * s[:, None] - oy[:, None]
        y2 = bx[..., 4] * s[:, None] - oy[:, None]
        fl = flip[:, None]
        x1, x2 = torch.where(fl, cw - x2, x1), torch.where(fl, cw - x1, x2)
        area = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
        cx1, cy1, cx2, cy2 = x1.clamp(0, cw), y1.clamp(0, ch), x2.clamp(0, cw), y2.clamp(0, ch)
        carea = (cx2 - cx1).clamp(min=0) * (cy2 - cy1).clamp(min=0)
        keep = valid & (carea >= self.min_visible * area.clamp(min=1e-6)) & ((cx2 - cx1) >= 2) & ((cy2 - cy1) >= 2)
        out = torch.stack([bx[..., 0], cx1, cy1, cx2, cy2], -1)
        out[~keep] = -1
        return x, out

    def _blur(self, x, r):
        B = x.shape[0]
        dev = x.device
        kind = r(B)
        do = kind < self.p_blur
        if not bool(do.any()):
            return x
        ks = 7
        t = torch.arange(ks, device=dev, dtype=torch.float32) - ks // 2
        sigma = 0.3 + r(B) * 1.0  # Gaussian sigma 0.3..1.3 px
        g1 = torch.exp(-(t[None] ** 2) / (2 * sigma[:, None] ** 2))
        g1 = g1 / g1.sum(1, keepdim=True)
        kern = g1[:, :, None] * g1[:, None, :]  # [B,ks,ks]
        # a third of the blurred images get a short motion blur instead (length 3..7)
        motion = r(B) < 0.33
        length = (3 + (r(B) * 5).floor()).clamp(max=ks)
        horiz = r(B) < 0.6
        line = (t.abs()[None] <= (length[:, None] - 1) / 2).float()
        line = line / line.sum(1, keepdim=True)
        mk = torch.zeros(B, ks, ks, device=dev)
        mk[:, ks // 2, :] = line
        mk = torch.where(horiz[:, None, None], mk, mk.transpose(1, 2))
        kern = torch.where(motion[:, None, None], mk, kern)
        ident = torch.zeros(ks, ks, device=dev)
        ident[ks // 2, ks // 2] = 1
        kern = torch.where(do[:, None, None], kern, ident)
        # grouped conv: each image its own kernel, same for the 3 channels
        w = kern[:, None].repeat_interleave(3, 0)  # [B*3,1,ks,ks]
        y = F.conv2d(F.pad(x.reshape(1, B * 3, *x.shape[2:]), [ks // 2] * 4, mode="replicate"), w, groups=B * 3)
        return y.reshape_as(x)


def make_targets(boxes, out_h, out_w, stride=4, num_classes=4, sigma_min=0.5, alpha=0.54):
    """CenterNet-style targets on the stride-4 grid.

    boxes [B,K,5] (cls,x1,y1,x2,y2 in input px; cls<0 = none).
    Returns heat [B,C,out_h,out_w] (elliptical Gaussian per object, exactly 1 at the centre cell)
    and a dict of positives: b, cls, iy, ix, w, h (px), dx, dy (cells, in [0,1)).
    """
    dev = boxes.device
    B = boxes.shape[0]
    m = boxes[..., 0] >= 0
    bi = torch.arange(B, device=dev)[:, None].expand_as(m)[m]
    b = boxes[m]
    cls = b[:, 0].long()
    w = b[:, 3] - b[:, 1]
    h = b[:, 4] - b[:, 2]
    cx = (b[:, 1] + b[:, 3]) / 2 / stride
    cy = (b[:, 2] + b[:, 4]) / 2 / stride
    ix = cx.floor().clamp(0, out_w - 1)
    iy = cy.floor().clamp(0, out_h - 1)
    dx = (cx - ix).clamp(0, 0.999)
    dy = (cy - iy).clamp(0, 0.999)
    heat = torch.zeros(B * num_classes, out_h * out_w, device=dev)
    if len(b):
        sx = (alpha * w / stride / 6).clamp(min=sigma_min)
        sy = (alpha * h / stride / 6).clamp(min=sigma_min)
        ys = torch.arange(out_h, device=dev, dtype=torch.float32)
        xs = torch.arange(out_w, device=dev, dtype=torch.float32)
        gx = torch.exp(-((xs[None] - ix[:, None]) ** 2) / (2 * sx[:, None] ** 2))  # [M,W]
        gy = torch.exp(-((ys[None] - iy[:, None]) ** 2) / (2 * sy[:, None] ** 2))  # [M,H]
        g = (gy[:, :, None] * gx[:, None, :]).reshape(len(b), -1)
        heat.index_reduce_(0, bi * num_classes + cls, g, "amax", include_self=True)
    heat = heat.reshape(B, num_classes, out_h, out_w)
    pos = dict(b=bi, cls=cls, iy=iy.long(), ix=ix.long(), w=w, h=h, dx=dx, dy=dy)
    return heat, pos
