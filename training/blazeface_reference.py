"""Record the original BlazeFace outputs for the conversion check (teacher venv only).

Runs ``face_detection_short_range.tflite`` with the TFLite interpreter (``ai-edge-litert``) on
licence-clean inputs -- the bundled astronaut photo letterboxed to 128 x 128, a mirrored copy
and a noise image -- and writes ``tests/data/blazeface_short_reference.npz`` (inputs, raw
regressors and score logits). Imports only numpy and OpenCV from outside the standard library.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def inputs() -> np.ndarray:
    img = cv2.imread(str(ROOT / "examples" / "astronaut.jpg"))[:, :, ::-1]
    a = cv2.resize(img, (128, 128), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(0).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    return np.stack([a, a[:, ::-1], noise]).astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    from ai_edge_litert.interpreter import Interpreter

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tflite", default="cache/mediapipe/face_detection_short_range.tflite")
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "blazeface_short_reference.npz"))
    args = ap.parse_args(argv)
    it = Interpreter(model_path=args.tflite)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    outs = {d["name"]: d for d in it.get_output_details()}
    x = inputs()
    regs, scores = [], []
    for img in x:
        it.set_tensor(inp["index"], (img[None].astype(np.float32) / 127.5 - 1.0))
        it.invoke()
        regs.append(it.get_tensor(outs["regressors"]["index"])[0])
        scores.append(it.get_tensor(outs["classificators"]["index"])[0, :, 0])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, inputs=x, regressors=np.stack(regs), scores=np.stack(scores))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
