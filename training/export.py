"""Ship a trained checkpoint: weights + metadata + ONNX into ``dense_landmarks/weights/``.

``python -m training.export --checkpoint runs/pfld106_s/best.pt`` writes ``<name>.pt`` (state
dict), ``<name>.onnx`` (inference graph: uint8 crops in) and ``<name>.json`` (sha256 of both,
scheme version, input size, normalisation, validation figures, the command that trained it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from dense_landmarks.models.export import export_onnx
from dense_landmarks.models.weights import WEIGHTS_DIR, save_weights, sha256_bytes
from training.train import model_from_checkpoint


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.export", description=__doc__)
    ap.add_argument(
        "--checkpoint",
        default=None,
        help="default: best.pt in the --config's out_dir, else runs/pfld106_s/best.pt",
    )
    ap.add_argument("--out-dir", default=str(WEIGHTS_DIR))
    ap.add_argument("--config", default=None, help="training config named in the metadata")
    args = ap.parse_args(argv)
    checkpoint = args.checkpoint or (
        Path(json.loads(Path(args.config).read_text())["out_dir"]) / "best.pt"
        if args.config
        else Path("runs/pfld106_s/best.pt")
    )
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = model_from_checkpoint(ckpt).eval()
    name = model.cfg.name
    out = Path(args.out_dir)
    onnx_bytes = export_onnx(model, out / f"{name}.onnx")
    key = "nme68" if name.startswith("pfld") else "val_loss"
    best = min((h for h in ckpt["history"] if key in h), key=lambda h: h[key])
    trainer = "training.train" if name.startswith("pfld") else "training.refine_train"
    config = args.config or (
        "training/configs/sparse106.json"
        if name.startswith("pfld")
        else f"training/configs/{name}.json"
    )
    meta = save_weights(
        model,
        model.cfg,
        out / f"{name}.pt",
        extra={
            "onnx_sha256": sha256_bytes(onnx_bytes),
            "epoch": ckpt["epoch"],
            "epochs": ckpt["train_config"]["epochs"],
            "train_seconds": round(sum(h.get("seconds", 0.0) for h in ckpt["history"])),
            "device": ckpt["train_config"].get("device", "cpu"),
            "validation": {
                k: round(v, 4) for k, v in best.items() if k not in ("epoch", "seconds", "loss")
            },
            "trained_with": f"make labels && python -m {trainer} --config {config}",
            "data": "300-W training subsets (AFW, HELEN train, LFPW train): non-commercial research use only",
            "parameters": sum(p.numel() for p in model.parameters()),
        },
    )
    print(
        f"wrote {out / name}.pt/.onnx/.json (sha256 {meta['sha256'][:12]}..., epoch {ckpt['epoch']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
