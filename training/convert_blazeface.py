"""Convert MediaPipe's BlazeFace ``.tflite`` weights into our PyTorch re-implementations.

``make detector`` copies ``face_detection_short_range.tflite`` and
``face_detection_full_range_sparse.tflite`` from the ``mediapipe==0.10.14`` wheel (teacher venv)
and runs this script once per model:

- short range: reads the flatbuffer with the ``tflite`` package and maps every convolution onto
  :class:`dense_landmarks.detection.blazeface.BlazeFace` in execution order;
- full range (``--model full``): its 1 x 1 kernels are stored sparse, so it takes the dense
  convolutions that ``training/blazeface_reference.py --model full`` read from the TFLite
  interpreter (``cache/mediapipe/blazeface_full_convs.npz``) and maps them, in execution order,
  onto :class:`dense_landmarks.detection.blazeface_full.BlazeFaceFull`.

Each result is checked against the original model's outputs recorded in
``tests/data/blazeface_{short,full}_reference.npz`` (TFLite interpreter), then written to
``dense_landmarks/weights/blazeface_{short,full}.{pt,onnx,json}`` with the Apache-2.0 notice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from dense_landmarks.detection.blazeface import BlazeFace, BlazeFaceConfig
from dense_landmarks.detection.blazeface_full import BlazeFaceFull, BlazeFaceFullConfig
from dense_landmarks.models.weights import WEIGHTS_DIR, save_weights, sha256_bytes

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
REFERENCE = DATA / "blazeface_short_reference.npz"
SOURCES = {
    "short": "face_detection_short_range.tflite",
    "full": "face_detection_full_range_sparse.tflite",
}


def _tensor(model, graph, idx: int, producers: dict[int, object]) -> np.ndarray:
    """Constant tensor ``idx`` as float32 (following a DEQUANTIZE of float16 if needed)."""
    import tflite

    op = producers.get(idx)
    if op is not None:  # produced by DEQUANTIZE
        return _tensor(model, graph, op.Inputs(0), producers)
    t = graph.Tensors(idx)
    raw = model.Buffers(t.Buffer()).DataAsNumpy()
    dtype = {tflite.TensorType.FLOAT32: np.float32, tflite.TensorType.FLOAT16: np.float16}[t.Type()]
    return np.frombuffer(raw.tobytes(), dtype=dtype).reshape(t.ShapeAsNumpy()).astype(np.float32)


def read_convolutions(path: str | Path) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(kind, weight, bias) of every CONV_2D / DEPTHWISE_CONV_2D, in execution order."""
    import tflite

    buf = Path(path).read_bytes()
    model = tflite.Model.GetRootAsModel(buf, 0)
    graph = model.Subgraphs(0)
    codes = [
        max(model.OperatorCodes(i).BuiltinCode(), model.OperatorCodes(i).DeprecatedBuiltinCode())
        for i in range(model.OperatorCodesLength())
    ]
    ops = [graph.Operators(i) for i in range(graph.OperatorsLength())]
    producers = {
        op.Outputs(0): op
        for op in ops
        if codes[op.OpcodeIndex()] == tflite.BuiltinOperator.DEQUANTIZE
    }
    convs = []
    for op in ops:
        code = codes[op.OpcodeIndex()]
        if code == tflite.BuiltinOperator.CONV_2D:
            w = _tensor(model, graph, op.Inputs(1), producers).transpose(0, 3, 1, 2)  # OHWI -> OIHW
            convs.append(("conv", w, _tensor(model, graph, op.Inputs(2), producers)))
        elif code == tflite.BuiltinOperator.DEPTHWISE_CONV_2D:
            w = _tensor(model, graph, op.Inputs(1), producers).transpose(3, 0, 1, 2)  # 1HWC -> C1HW
            convs.append(("dw", w, _tensor(model, graph, op.Inputs(2), producers)))
    return convs


def convert(tflite_path: str | Path) -> BlazeFace:
    """A BlazeFace module holding the weights of ``tflite_path``."""
    net = BlazeFace(BlazeFaceConfig())
    convs = read_convolutions(tflite_path)
    heads = {
        tuple(m.weight.shape): m
        for m in (net.classifier_8, net.classifier_16, net.regressor_8, net.regressor_16)
    }
    body = [net.stem] + [c for blk in [*net.backbone1, *net.backbone2] for c in (blk.dw, blk.pw)]
    queue = list(body)
    for kind, w, b in convs:
        # the backbone takes convolutions in execution order; a head is recognised by its shape
        fits = (
            bool(queue)
            and (kind == "dw") == (queue[0].groups > 1)
            and tuple(queue[0].weight.shape) == w.shape
        )
        if fits:
            target = queue.pop(0)
        elif kind == "conv" and tuple(w.shape) in heads:
            target = heads.pop(tuple(w.shape))
        else:
            raise ValueError(f"{tflite_path}: {kind} {w.shape} fits no BlazeFace layer")
        with torch.no_grad():
            target.weight.copy_(torch.from_numpy(w))
            target.bias.copy_(torch.from_numpy(b))
    if queue or heads:
        raise ValueError(
            f"{tflite_path}: {len(queue) + len(heads)} BlazeFace layers got no weights"
        )
    return net.eval()


def convert_full(convs_path: str | Path) -> BlazeFaceFull:
    """A full-range BlazeFace holding the dense convolutions dumped from the interpreter."""
    net = BlazeFaceFull(BlazeFaceFullConfig())
    d = np.load(convs_path)
    targets = net.convs()
    n = sum(1 for k in d.files if k.startswith("kind"))
    if n != len(targets):
        raise ValueError(f"{convs_path}: {n} convolutions, the model has {len(targets)}")
    for i, target in enumerate(targets):
        kind, w = str(d[f"kind{i}"]), d[f"weight{i}"]
        w = w.transpose(3, 0, 1, 2) if kind == "dw" else w.transpose(0, 3, 1, 2)
        if (kind == "dw") != (target.groups > 1) or tuple(target.weight.shape) != w.shape:
            raise ValueError(f"{convs_path}: convolution {i} ({kind} {w.shape}) fits no layer")
        with torch.no_grad():
            target.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            target.bias.copy_(torch.from_numpy(d[f"bias{i}"]))
    return net.eval()


def check_against_reference(net: torch.nn.Module, reference: Path = REFERENCE) -> float:
    """Largest absolute difference to the TFLite outputs recorded in ``reference``."""
    ref = np.load(reference)
    with torch.no_grad():
        r, c = net(torch.from_numpy(ref["inputs"]))
    return float(
        max(np.abs(r.numpy() - ref["regressors"]).max(), np.abs(c.numpy() - ref["scores"]).max())
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.convert_blazeface", description=__doc__)
    ap.add_argument("--model", choices=sorted(SOURCES), default="short")
    ap.add_argument("--tflite", default=None, help="default: cache/mediapipe/<MediaPipe's name>")
    ap.add_argument("--out-dir", default=str(WEIGHTS_DIR))
    args = ap.parse_args(argv)
    source = SOURCES[args.model]
    tfl = Path(args.tflite or f"cache/mediapipe/{source}")
    if args.model == "full":
        net: torch.nn.Module = convert_full(tfl.with_name("blazeface_full_convs.npz"))
    else:
        net = convert(tfl)
    err = check_against_reference(net, DATA / f"blazeface_{args.model}_reference.npz")
    print(f"max |torch - tflite| on the reference inputs: {err:.2e}")
    if err > 1e-3:
        raise SystemExit("conversion check failed")
    from dense_landmarks.models.export import export_onnx_blazeface

    out = Path(args.out_dir)
    name = net.cfg.name
    onnx_bytes = export_onnx_blazeface(net, out / f"{name}.onnx")
    save_weights(
        net,
        net.cfg,
        out / f"{name}.pt",
        extra={
            "onnx_sha256": sha256_bytes(onnx_bytes),
            "source": f"mediapipe==0.10.14 wheel: mediapipe/modules/face_detection/{source}",
            "source_sha256": sha256_bytes(tfl.read_bytes()),
            "licence": "Apache-2.0 (Google LLC); see NOTICE-blazeface",
            "conversion_max_abs_error": err,
        },
    )
    print(f"wrote {out}/{name}.pt/.onnx/.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
