"""Record the original BlazeFace outputs for the conversion check (teacher venv only).

Runs MediaPipe's ``face_detection_short_range.tflite`` (128 x 128) or
``face_detection_full_range_sparse.tflite`` (``--model full``, 192 x 192) with the TFLite
interpreter (``ai-edge-litert``) on licence-clean inputs -- the bundled astronaut photo resized
to the input, a mirrored copy and a noise image -- and writes
``tests/data/blazeface_{short,full}_reference.npz`` (inputs, raw regressors and score logits).

The full-range model stores its 1 x 1 kernels sparse (DENSIFY ops), which the ``tflite``
flatbuffer reader cannot expand; for it this script also writes every convolution's dense
weight and bias, as the interpreter computes them, in execution order, to
``cache/mediapipe/blazeface_full_convs.npz`` (read by ``training/convert_blazeface.py``).
Imports only numpy and OpenCV from outside the standard library.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "short": ("face_detection_short_range.tflite", 128),
    "full": ("face_detection_full_range_sparse.tflite", 192),
}


def inputs(size: int) -> np.ndarray:
    img = cv2.imread(str(ROOT / "examples" / "astronaut.jpg"))[:, :, ::-1]
    a = cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(0).integers(0, 256, (size, size, 3), dtype=np.uint8)
    return np.stack([a, a[:, ::-1], noise]).astype(np.uint8)


def conv_weights(it) -> dict[str, np.ndarray]:
    """``kind{i}``, ``weight{i}``, ``bias{i}`` of every (depthwise) convolution, in execution order
    (weights in TFLite layout: OHWI, depthwise 1HWC), read after an ``invoke``."""
    code = {"CONV_2D": "conv", "DEPTHWISE_CONV_2D": "dw"}
    out: dict[str, np.ndarray] = {}
    n = 0
    for op in sorted(it._get_ops_details(), key=lambda o: o["index"]):
        kind = code.get(op["op_name"])
        if kind is None:
            continue
        out[f"kind{n}"] = np.array(kind)
        out[f"weight{n}"] = it.get_tensor(int(op["inputs"][1])).astype(np.float32)
        out[f"bias{n}"] = it.get_tensor(int(op["inputs"][2])).astype(np.float32)
        n += 1
    return out


def main(argv: list[str] | None = None) -> int:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", choices=sorted(MODELS), default="short")
    ap.add_argument("--tflite", default=None, help="default: cache/mediapipe/<MediaPipe's name>")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    name, size = MODELS[args.model]
    tfl = args.tflite or f"cache/mediapipe/{name}"
    out = args.out or str(ROOT / "tests" / "data" / f"blazeface_{args.model}_reference.npz")
    # no XNNPACK delegate: it would take the (dense) weights away from the interpreter
    it = Interpreter(
        model_path=tfl,
        experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    outs = sorted(it.get_output_details(), key=lambda d: -int(d["shape"][-1]))  # regs, scores
    x = inputs(size)
    regs, scores = [], []
    for img in x:
        it.set_tensor(inp["index"], (img[None].astype(np.float32) / 127.5 - 1.0))
        it.invoke()
        regs.append(it.get_tensor(outs[0]["index"])[0])
        scores.append(it.get_tensor(outs[1]["index"])[0, :, 0])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, inputs=x, regressors=np.stack(regs), scores=np.stack(scores))
    print(f"wrote {out}")
    if args.model == "full":
        convs = Path(tfl).with_name("blazeface_full_convs.npz")
        np.savez_compressed(convs, **conv_weights(it))
        print(f"wrote {convs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
