"""``python -m eval run|report|speed``: evaluation of ours and the peer systems side by side."""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run systems on labelled faces; write predictions")
    r.add_argument(
        "--data", default="../shared/data/300w_train", help="folder of images + .pts, or COCO JSON"
    )
    r.add_argument(
        "--split",
        default="val",
        choices=["val", "train", "all"],
        help="folders: the held-out split",
    )
    r.add_argument("--systems", default="ours,mediapipe,dlib")
    r.add_argument("--out", default="runs/eval")
    r.add_argument("--limit", type=int, default=None)
    r.add_argument("--jitter-faces", type=int, default=30)
    rep = sub.add_parser("report", help="markdown table and CED plots from a run")
    rep.add_argument("--out", default="runs/eval")
    sp = sub.add_parser("speed", help="median ms per frame, ours and peers, on one image")
    sp.add_argument("--systems", default="ours,mediapipe,dlib")
    sp.add_argument("--repeat", type=int, default=100)
    bx = sub.add_parser(
        "boxes", help="fit a peer's detector box convention (for the given-box track)"
    )
    bx.add_argument("--system", default="dlib")
    bx.add_argument("--data", default="../shared/data/300w_train")
    bx.add_argument("--limit", type=int, default=200)
    args = ap.parse_args(argv)
    if args.command == "boxes":
        from eval.data import load_faces
        from eval.systems import fit_box_convention, make_system

        faces = load_faces(args.data, "train", args.limit)
        print(
            f"{args.system}: (dx, dy, side) = {fit_box_convention(make_system(args.system), faces)}"
        )
        return 0
    if args.command == "run":
        from eval.run import run

        run(
            args.data,
            args.split,
            args.systems.split(","),
            Path(args.out),
            args.limit,
            args.jitter_faces,
        )
    elif args.command == "report":
        from eval.run import report

        print(report(Path(args.out)))
    else:
        from eval.speed import speed

        print(speed(args.systems.split(","), args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
