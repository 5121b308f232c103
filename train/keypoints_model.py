"""PitchKP: a compact encoder-decoder for the 32 pitch keypoints (own definition for pitchtrack).

Ideas (not code) from CenterNet (Zhou et al. 2019: heatmap peaks + sub-cell offsets), Simple
Baselines / HRNet for pose (stride-4 heatmaps) and the roboflow/sports pitch keypoint task. A
pitch keypoint is named by where it lies on the pitch (left or right penalty box ...), so the
encoder ends in dilated convolutions at stride 32 that see the whole frame.

Layout (input H x W, multiples of 32; deploy 640x384, frames resized without letterbox):
  stem   : 3x3 s2 (3->16), 3x3 s2 (16->c1)                        -> stride 4
  enc8   : 3x3 s2 + residual blocks (c2)                            -> stride 8
  enc16  : 3x3 s2 + residual blocks (c3)                            -> stride 16
  enc32  : 3x3 s2 + residual blocks with dilation 1, 2, 4, 1 (c4)  -> stride 32
  decoder: nearest x2 upsampling + 1x1 lateral add + 3x3 conv, to stride 4 (c1)
  head   : 3x3 conv (ch) + 1x1 -> 32 heatmap logits and 64 offsets

Only Conv / BatchNorm / ReLU / Add / Resize(nearest, x2) / Sigmoid / Concat appear in the graph,
so the ONNX export runs in OpenCV 4.6 DNN.

Output of forward() [N, 96, H/4, W/4]:
  0..31   keypoint heatmaps after sigmoid (keypoint order of pitch-keypoints-v1)
  32..95  offsets, (dx_k, dy_k) for keypoint k at channels 32+2k, 33+2k, in cells:
          keypoint at ((col + 0.5 + dx) * 4, (row + 0.5 + dy) * 4) input pixels.
"""
import math

import torch
import torch.nn as nn

NUM_KEYPOINTS = 32
STRIDE = 4
# horizontal flip swaps left and right (data.yaml flip_idx)
FLIP_IDX = [24, 25, 26, 27, 28, 29, 22, 23, 21, 17, 18, 19, 20, 13, 14, 15, 16, 9, 10, 11, 12, 8, 6, 7,
            0, 1, 2, 3, 4, 5, 31, 30]


class ConvBNAct(nn.Sequential):
    def __init__(self, cin, cout, k=3, s=1, dilation=1, act=True):
        pad = dilation * (k - 1) // 2
        layers = [nn.Conv2d(cin, cout, k, s, pad, dilation=dilation, bias=False), nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class Block(nn.Module):
    """basic residual block (two 3x3 convs), ReLU after the add."""

    def __init__(self, c, dilation=1):
        super().__init__()
        self.a = ConvBNAct(c, c, 3, 1, dilation)
        self.b = ConvBNAct(c, c, 3, 1, dilation, act=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(x + self.b(self.a(x)))


def _stage(cin, cout, dilations):
    return nn.Sequential(ConvBNAct(cin, cout, 3, 2), *[Block(cout, d) for d in dilations])


class PitchKP(nn.Module):
    def __init__(self, c1=32, c2=64, c3=96, c4=128, n2=1, n3=2, d4=(1, 2, 4, 1), ch=48):
        super().__init__()
        self.stem = nn.Sequential(ConvBNAct(3, 16, 3, 2), ConvBNAct(16, c1, 3, 2))
        self.enc8 = _stage(c1, c2, [1] * n2)
        self.enc16 = _stage(c2, c3, [1] * n3)
        self.enc32 = _stage(c3, c4, list(d4))
        self.lat16 = ConvBNAct(c3, c4, 1, act=False)
        self.dec16 = ConvBNAct(c4, c3, 3)
        self.lat8 = ConvBNAct(c2, c3, 1, act=False)
        self.dec8 = ConvBNAct(c3, c2, 3)
        self.lat4 = ConvBNAct(c1, c2, 1, act=False)
        self.dec4 = ConvBNAct(c2, c1, 3)
        self.head = ConvBNAct(c1, ch, 3)
        self.head_hm = nn.Conv2d(ch, NUM_KEYPOINTS, 1)
        self.head_off = nn.Conv2d(ch, 2 * NUM_KEYPOINTS, 1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for m in self.modules():
            if isinstance(m, Block):
                nn.init.zeros_(m.b[1].weight)
        with torch.no_grad():
            self.head_hm.weight.normal_(0, 0.01)
            self.head_hm.bias.fill_(-math.log((1 - 0.01) / 0.01))
            self.head_off.weight.normal_(0, 0.01)

    def raw(self, x):
        """heatmap logits [N,32,H/4,W/4] and offsets [N,64,H/4,W/4]."""
        f4 = self.stem(x)
        f8 = self.enc8(f4)
        f16 = self.enc16(f8)
        f32 = self.enc32(f16)
        p16 = self.dec16(self.lat16(f16) + self.up(f32))
        p8 = self.dec8(self.lat8(f8) + self.up(p16))
        p4 = self.dec4(self.lat4(f4) + self.up(p8))
        h = self.head(p4)
        return self.head_hm(h), self.head_off(h)

    def forward(self, x):
        hm, off = self.raw(x)
        return torch.cat([torch.sigmoid(hm), off], 1)


def build_model(**kw):
    return PitchKP(**kw)


def count_macs(model, h, w):
    macs = [0]

    def hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        macs[0] += out.numel() * (m.in_channels // m.groups) * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w))
    for x in hs:
        x.remove()
    return macs[0]


def fuse_bn(model):
    """eval-mode copy with every Conv+BN folded into one biased Conv (same outputs)."""
    import copy

    model = copy.deepcopy(model).eval()
    for m in list(model.modules()):
        if isinstance(m, ConvBNAct):
            conv, bn = m[0], m[1]
            std = torch.sqrt(bn.running_var + bn.eps)
            scale = bn.weight / std
            fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                              dilation=conv.dilation, groups=conv.groups, bias=True)
            fused.weight.data = conv.weight * scale.reshape(-1, 1, 1, 1)
            fused.bias.data = bn.bias - bn.running_mean * scale
            m[0] = fused
            m[1] = nn.Identity()
    return model


if __name__ == "__main__":
    m = build_model()
    n = sum(p.numel() for p in m.parameters() if p.requires_grad)
    for (h, w) in [(384, 640), (544, 960)]:
        print(f"{w}x{h}: params {n / 1e3:.1f}k, GMACs {count_macs(m, h, w) / 1e9:.3f}")
