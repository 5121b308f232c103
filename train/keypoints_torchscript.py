#!/usr/bin/env python3
"""TorchScript copy of the shipped pitch keypoint network, rebuilt from models/pitch_keypoints.onnx.

The keypoint model was trained on the GPU machine and only its ONNX file (BatchNorm folded) came
back, so this script reads that graph (Conv, Relu, Add, nearest Resize, Sigmoid, Concat, Constant:
the ops the card lists) into a small torch module that runs the same nodes in the same order,
checks it against OpenCV DNN on the ONNX file, and traces it (Debian's torch 1.13) so libtorch
runs it on CUDA (`calibration.keypoints_backend: torch`). Same input/output contract as the ONNX.

  /usr/bin/python3 train/keypoints_torchscript.py            # -> models/pitch_keypoints.pt
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


class OnnxGraphModule(torch.nn.Module):
    """Runs a topologically sorted ONNX graph of the supported ops; weights become parameters."""

    SUPPORTED = {"Conv", "Relu", "Add", "Resize", "Sigmoid", "Concat", "Constant"}

    def __init__(self, model: onnx.ModelProto):
        super().__init__()
        g = model.graph
        self.input_name = g.input[0].name
        self.output_name = g.output[0].name
        self.weights = torch.nn.ParameterDict()
        self.names = {}  # onnx initializer name -> parameter key
        for i, init in enumerate(g.initializer):
            key = f"w{i}"
            self.weights[key] = torch.nn.Parameter(torch.from_numpy(numpy_helper.to_array(init).copy()),
                                                   requires_grad=False)
            self.names[init.name] = key
        self.consts = {}
        self.nodes = []
        for n in g.node:
            if n.op_type not in self.SUPPORTED:
                raise ValueError(f"node {n.name}: op {n.op_type} is not supported by this converter")
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(attrs["value"])
                continue
            if n.op_type == "Resize":
                if attrs.get("mode", b"nearest") != b"nearest":
                    raise ValueError(f"node {n.name}: only nearest Resize is supported")
                scales = self.consts.get(n.input[2]) if len(n.input) > 2 else None
                if scales is None or len(scales) != 4 or scales[0] != 1 or scales[1] != 1:
                    raise ValueError(f"node {n.name}: Resize needs constant scales [1,1,s,s]")
                attrs["scale"] = (float(scales[2]), float(scales[3]))
            self.nodes.append((n.op_type, list(n.input), list(n.output), attrs))

    def tensor(self, name, env):
        return env[name] if name in env else self.weights[self.names[name]]

    def forward(self, x):
        env = {self.input_name: x}
        for op, ins, outs, a in self.nodes:
            if op == "Conv":
                w = self.tensor(ins[1], env)
                b = self.tensor(ins[2], env) if len(ins) > 2 and ins[2] else None
                pads = a.get("pads", [0, 0, 0, 0])
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    raise ValueError("asymmetric Conv padding is not supported")
                y = F.conv2d(env[ins[0]], w, b, stride=tuple(a.get("strides", [1, 1])),
                             padding=(pads[0], pads[1]), dilation=tuple(a.get("dilations", [1, 1])),
                             groups=a.get("group", 1))
            elif op == "Relu":
                y = F.relu(env[ins[0]])
            elif op == "Add":
                y = self.tensor(ins[0], env) + self.tensor(ins[1], env)
            elif op == "Sigmoid":
                y = torch.sigmoid(env[ins[0]])
            elif op == "Concat":
                y = torch.cat([self.tensor(i, env) for i in ins], dim=a["axis"])
            else:  # Resize, nearest, integer scale (asymmetric + floor == repeat)
                y = F.interpolate(env[ins[0]], scale_factor=a["scale"], mode="nearest")
            env[outs[0]] = y
        return env[self.output_name]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx", default=os.path.join(HERE, "..", "models", "pitch_keypoints.onnx"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models", "pitch_keypoints.pt"))
    args = ap.parse_args()
    model = onnx.load(args.onnx)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    h, w = shape[2], shape[3]
    net = OnnxGraphModule(model).eval()
    torch.manual_seed(0)
    x = torch.rand(2, 3, h, w)
    with torch.no_grad():
        ts = torch.jit.trace(net, x[:1])
        ours = ts(x).numpy()
    import cv2  # parity against the shipped path (OpenCV DNN on the ONNX file)
    cvnet = cv2.dnn.readNetFromONNX(args.onnx)
    cvnet.setInput(x.numpy())
    ref = cvnet.forward()
    diff = float(np.abs(ours - ref).max())
    print(f"TorchScript vs OpenCV DNN on {x.shape[0]} random frames {w}x{h}: max |diff| {diff:.2e}")
    if diff > 1e-3:
        raise SystemExit("parity check failed")
    ts.save(args.out)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB, torch {torch.__version__})")


if __name__ == "__main__":
    main()
