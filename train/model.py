"""PitchDet: a compact anchor-free (centre-heatmap) football detector.

Own network definition for pitchtrack. Ideas (not code) from CenterNet (Zhou et al. 2019,
"Objects as Points"), TTFNet (elliptical Gaussian targets) and FootAndBall (Komorowski et al.
2020, light FPN with a high-resolution stride-4 head for the ball).

Layout (input H x W, multiples of 32; trained at 1152x672, deployed at 1312x736):
  stem   : 4x4/4 "patchify" conv (3->24) + depthwise-separable 3x3          -> stride 4
  stage3 : dw-separable stride-2 conv + 1 residual block (48 ch)           -> stride 8
  stage4 : dw-separable stride-2 conv + 2 residual blocks (96 ch)          -> stride 16
  stage5 : dw-separable stride-2 conv + 2 residual blocks (128 ch)         -> stride 32
  FPN    : top-down, nearest x2 upsampling, additive lateral 1x1 convs; the stride-4 level
           adds the stem features directly (no lateral conv, cheap at high resolution)
  head   : dw-separable 3x3 (24 ch) then three 1x1 convs: heatmap (4), size (2), offset (2)
  (residual block = two dw-separable convs + identity, ReLU after the add)

Only Conv / ReLU / Add / Resize(nearest, x2) / Sigmoid / Concat appear in the exported graph
(BatchNorm is folded), so it runs in OpenCV 4.6 DNN.

Output [N, 8, H/4, W/4]:
  0..3  class centre heatmaps (ball, goalkeeper, player, referee) after sigmoid
  4..5  box width, height in input pixels = ReLU(conv) (the training-time gain WH_GAIN is
        folded into the conv for export)
  6..7  sub-cell centre offset dx, dy in cells = sigmoid(conv)   (centre = (col+dx)*4)
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 4
CLASSES = ["ball", "goalkeeper", "player", "referee"]
STRIDE = 4
WH_GAIN = 16.0  # size head predicts pixels / WH_GAIN (folded into the conv at export)


class ConvBNAct(nn.Sequential):
    def __init__(self, cin, cout, k=3, s=1, groups=1, dilation=1, act=True):
        pad = dilation * (k - 1) // 2
        layers = [nn.Conv2d(cin, cout, k, s, pad, dilation=dilation, groups=groups, bias=False),
                  nn.BatchNorm2d(cout)]
        if act:
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class DWSep(nn.Module):
    """depthwise kxk (stride s) + BN + ReLU, pointwise 1x1 + BN (+ReLU)."""

    def __init__(self, cin, cout, s=1, k=3, dilation=1, act=True):
        super().__init__()
        self.dw = ConvBNAct(cin, cin, k, s, groups=cin, dilation=dilation)
        self.pw = ConvBNAct(cin, cout, 1, 1, act=act)

    def forward(self, x):
        return self.pw(self.dw(x))


class ResBlock(nn.Module):
    """two depthwise-separable convs with an identity shortcut, ReLU after the add."""

    def __init__(self, c, dilation=1):
        super().__init__()
        self.a = DWSep(c, c, dilation=1)
        self.b = DWSep(c, c, dilation=dilation, act=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(x + self.b(self.a(x)))


def _stage(cin, cout, n, dilations=None):
    layers = [DWSep(cin, cout, s=2)]
    for i in range(n):
        d = dilations[i] if dilations else 1
        layers.append(ResBlock(cout, dilation=d))
    return nn.Sequential(*layers)


class PitchDet(nn.Module):
    def __init__(self, c2=24, c3=48, c4=96, c5=128, f=24, n2=0, n3=1, n4=2, n5=2):
        super().__init__()
        # patchify stem: one 4x4/4 conv reads every input pixel exactly once (cheap on CPU),
        # then a dw-separable conv gives a 7x7 receptive field at stride 4.
        self.stem = nn.Sequential(ConvBNAct(3, c2, 4, 4), DWSep(c2, c2))
        self.s2 = nn.Sequential(*[ResBlock(c2) for _ in range(n2)])
        self.s3 = _stage(c2, c3, n3)
        self.s4 = _stage(c3, c4, n4)
        self.s5 = _stage(c4, c5, n5)
        f4, f3 = 64, 48
        self.lat5 = ConvBNAct(c5, f4, 1, act=False)
        self.lat4 = ConvBNAct(c4, f4, 1, act=False)
        self.smooth4 = DWSep(f4, f3)
        self.lat3 = ConvBNAct(c3, f3, 1, act=False)
        self.smooth3 = DWSep(f3, f)
        assert f == c2, "stride-4 FPN level adds the stem features directly"
        self.head_a = DWSep(f, f)
        self.head_hm = nn.Conv2d(f, 4, 1, bias=True)
        self.head_wh = nn.Conv2d(f, 2, 1, bias=True)
        self.head_off = nn.Conv2d(f, 2, 1, bias=True)
        self.wh_gain = WH_GAIN  # folded into head_wh by fuse_bn() for export
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
        # zero-init the last BN of each residual branch
        for m in self.modules():
            if isinstance(m, ResBlock):
                nn.init.zeros_(m.b.pw[1].weight)
        with torch.no_grad():
            for hd in (self.head_hm, self.head_wh, self.head_off):
                hd.weight.normal_(0, 0.01)
            self.head_hm.bias.fill_(-math.log((1 - 0.01) / 0.01))  # prior 0.01
            self.head_wh.bias.fill_(20.0 / WH_GAIN)  # ~20 px boxes at start
            self.head_off.bias.fill_(0.0)

    def raw(self, x):
        """pre-sigmoid 8-channel logits at stride 4 (used for the loss)."""
        c2 = self.s2(self.stem(x))
        c3 = self.s3(c2)
        c4 = self.s4(c3)
        c5 = self.s5(c4)
        p4 = self.lat4(c4) + self.up(self.lat5(c5))
        p3 = self.lat3(c3) + self.up(self.smooth4(p4))
        p2 = c2 + self.up(self.smooth3(p3))
        h = self.head_a(p2)
        wh = self.head_wh(h)
        if self.wh_gain != 1.0:
            wh = wh * self.wh_gain
        return self.head_hm(h), wh, self.head_off(h)

    def forward(self, x):
        hm, wh, off = self.raw(x)
        return torch.cat([torch.sigmoid(hm), torch.relu(wh), torch.sigmoid(off)], 1)


def build_model(**kw):
    return PitchDet(**kw)


def count_macs(model, h, w):
    """multiply-accumulates of conv layers for one [1,3,h,w] input."""
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
    """return an eval-mode copy with every Conv+BN pair folded into one biased Conv and the
    size-head gain folded into its weights (for export; same outputs)."""
    import copy

    model = copy.deepcopy(model).eval()

    def fuse(seq):
        conv, bn = seq[0], seq[1]
        w = conv.weight
        std = torch.sqrt(bn.running_var + bn.eps)
        scale = bn.weight / std
        fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride,
                          conv.padding, dilation=conv.dilation, groups=conv.groups, bias=True)
        fused.weight.data = w * scale.reshape(-1, 1, 1, 1)
        fused.bias.data = bn.bias - bn.running_mean * scale
        return fused

    for name, m in list(model.named_modules()):
        if isinstance(m, ConvBNAct):
            m[1] = fuse(m)
            m[0] = nn.Identity()
    if isinstance(model, PitchDet) and model.wh_gain != 1.0:
        with torch.no_grad():
            model.head_wh.weight.mul_(model.wh_gain)
            model.head_wh.bias.mul_(model.wh_gain)
        model.wh_gain = 1.0
    return model


if __name__ == "__main__":
    m = build_model()
    n = sum(p.numel() for p in m.parameters() if p.requires_grad)
    for (h, w) in [(672, 1152), (736, 1280), (544, 960)]:
        print(f"{w}x{h}: params {n/1e3:.1f}k, GMACs {count_macs(m, h, w)/1e9:.3f}")
