"""Convert MediaPipe's BlazeFace ``.tflite`` weights into our PyTorch re-implementation.

``make detector`` fetches the ``mediapipe==0.10.14`` wheel from PyPI (nothing is installed from
it), extracts ``face_detection_short_range.tflite`` and runs this script, which reads the
flatbuffer with the ``tflite`` package, maps every convolution onto
:class:`dense_landmarks.detection.blazeface.BlazeFace` in execution order, checks the result
against the original model's outputs recorded in ``tests/data/blazeface_short_reference.npz``
(made by ``training/blazeface_reference.py`` with the TFLite interpreter), and writes
``dense_landmarks/weights/blazeface_short.{pt,onnx,json}`` with the Apache-2.0 notice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from dense_landmarks.detection.blazeface import BlazeFace, BlazeFaceConfig
from dense_landmarks.models.weights import WEIGHTS_DIR, save_weights, sha256_bytes

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "blazeface_short_reference.npz"


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


def check_against_reference(net: BlazeFace, reference: Path = REFERENCE) -> float:
    """Largest absolute difference to the TFLite outputs recorded in ``reference``."""
    ref = np.load(reference)
    with torch.no_grad():
        r, c = net(torch.from_numpy(ref["inputs"]))
    return float(
        max(np.abs(r.numpy() - ref["regressors"]).max(), np.abs(c.numpy() - ref["scores"]).max())
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.convert_blazeface", description=__doc__)
    ap.add_argument("--tflite", default="cache/mediapipe/face_detection_short_range.tflite")
    ap.add_argument("--out-dir", default=str(WEIGHTS_DIR))
    args = ap.parse_args(argv)
    net = convert(args.tflite)
    err = check_against_reference(net)
    print(f"max |torch - tflite| on the reference inputs: {err:.2e}")
    if err > 1e-3:
        raise SystemExit("conversion check failed")
    from dense_landmarks.models.export import export_onnx_blazeface

    out = Path(args.out_dir)
    onnx_bytes = export_onnx_blazeface(net, out / "blazeface_short.onnx")
    save_weights(
        net,
        net.cfg,
        out / "blazeface_short.pt",
        extra={
            "onnx_sha256": sha256_bytes(onnx_bytes),
            "source": "mediapipe==0.10.14 wheel: mediapipe/modules/face_detection/face_detection_short_range.tflite",
            "source_sha256": sha256_bytes(Path(args.tflite).read_bytes()),
            "licence": "Apache-2.0 (Google LLC); see NOTICE-blazeface",
            "conversion_max_abs_error": err,
        },
    )
    print(f"wrote {out}/blazeface_short.pt/.onnx/.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
