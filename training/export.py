"""Ship a trained checkpoint: weights + metadata + ONNX into ``dense_landmarks/weights/``.

``python -m training.export --checkpoint runs/pfld106_s/best.pt`` writes ``<name>.pt`` (state
dict), ``<name>.onnx`` (inference graph: uint8 crops in) and ``<name>.json`` (sha256 of both,
scheme version, input size, normalisation, validation figures, the command that trained it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from dense_landmarks.models.export import export_onnx
from dense_landmarks.models.pipnet import PIPConfig
from dense_landmarks.models.weights import WEIGHTS_DIR, save_weights, sha256_bytes
from training.train import model_from_checkpoint


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.export", description=__doc__)
    ap.add_argument("--checkpoint", default="runs/pfld106_s/best.pt")
    ap.add_argument("--out-dir", default=str(WEIGHTS_DIR))
    ap.add_argument("--config", default=None, help="training config named in the metadata")
    args = ap.parse_args(argv)
    ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    model = model_from_checkpoint(ckpt).eval()
    name = model.cfg.name
    out = Path(args.out_dir)
    onnx_bytes = export_onnx(model, out / f"{name}.onnx")
    train_cfg = ckpt.get("train_config", {})
    best = min(ckpt["history"], key=lambda h: h.get("score", h.get("nme68")))
    sparse = name.startswith(("pfld", "pip"))
    trainer = "training.train" if sparse else "training.refine_train"
    config = args.config or (
        "training/configs/sparse106.json"
        if name == "pfld106_s"
        else f"training/configs/{name}.json"
    )
    meta = save_weights(
        model,
        model.cfg,
        out / f"{name}.pt",
        extra={
            "onnx_sha256": sha256_bytes(onnx_bytes),
            **({"head": "pip"} if isinstance(model.cfg, PIPConfig) else {}),
            "epoch": ckpt["epoch"],
            "validation": {
                k: round(v, 4) for k, v in best.items() if k not in ("epoch", "seconds", "loss")
            },
            "trained_with": f"make labels && python -m {trainer} --config {config}"
            + (f" (fine-tuned from {init})" if (init := train_cfg.get("init_from")) else ""),
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
