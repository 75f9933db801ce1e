"""Lipstick coverage on held-out 300-W faces: ``python -m eval.makeup``.

For every face of the split (the labels file's ``val`` rows by default) the landmarker runs with
the landmark box of the human points as its face box (as ``eval.refine`` does; no detector), the
look ``--lips COLOR`` alone is rendered, and a pixel counts as painted when any channel changed
by more than 8 levels. Against the human iBUG-68 lip points (outer 48-59, inner 60-67):

- coverage: painted fraction of the human lip ring (outer-lip polygon minus inner-lip polygon);
- outside: fraction of the painted pixels that lie outside that ring;
- opening: painted fraction of the human mouth opening, on open mouths (human inner-lip gap
  > 5 % of the inter-ocular distance, outer eye corners).

Reported for all faces and for open mouths (per-face means, and pooled over pixels), against the
human polygons (the measure named by issue 14) and against closed splines through the same human
points, for the landmarker's contours and, as the mask's own bound, for contours through the
human points themselves (what the same mask scores with perfect landmarks). The mean distance of
the human lip points to the predicted lip contours (% IOD) is printed with them.
``--split train --sweep`` compares lip-mask settings on the training split (never the held-out
one): the shipped defaults were chosen there.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from curves import resample_parts
from curves.distance import point_to_curve
from curves.regions import rasterize, ring_polygon
from dense_landmarks import scheme
from dense_landmarks.contours import dense_contours
from dense_landmarks.crop import landmark_box
from dense_landmarks.face import Face
from dense_landmarks.imageio import read_image
from dense_landmarks.makeup.lips import LipParams
from dense_landmarks.makeup.look import Look
from dense_landmarks.makeup.render import render_face
from dense_landmarks.metrics import normaliser

OUTER68 = slice(48, 60)
INNER68 = slice(60, 68)
#: (upper, lower) iBUG-68 inner-lip point pairs facing each other across the mouth opening.
GAP_PAIRS68 = ((61, 67), (62, 66), (63, 65))
PAINT_LEVELS = 8


@dataclass
class Score:
    ring: int  # human lip-ring pixels
    covered: int  # ... of them painted
    painted: int  # painted pixels
    outside: int  # ... of them outside the ring
    opening: int  # human mouth-opening pixels
    opening_painted: int
    open_mouth: bool

    @property
    def rates(self) -> tuple[float, float, float]:
        """(coverage, outside, opening) fractions of this face; opening NaN on a closed mouth."""
        return (
            self.covered / max(self.ring, 1),
            self.outside / max(self.painted, 1),
            self.opening_painted / max(self.opening, 1) if self.open_mouth else float("nan"),
        )


def human_gap(gt68: np.ndarray) -> float:
    """Largest distance between facing upper and lower human inner-lip points, pixels."""
    return max(float(np.linalg.norm(gt68[a] - gt68[b])) for a, b in GAP_PAIRS68)


def human_rings(gt68: np.ndarray, reference: str) -> tuple[np.ndarray, np.ndarray]:
    """(outer, inner) human lip outlines: the 12 + 8 points as polygons (``"polygon"``, the
    measure the issue names), or the project's closed splines through the same points
    (``"spline"``, the lip line the human points sample)."""
    if reference == "polygon":
        return gt68[OUTER68], gt68[INNER68]
    gt106 = np.zeros((scheme.NUM_POINTS, 2))
    gt106[scheme.IBUG68_FROM_106] = gt68
    idx = {p: list(scheme.PARTS[p].indices) for p in ("outer_lips", "inner_lips")}
    rings = resample_parts({p: (gt106[i], True) for p, i in idx.items()}, total=400, minimum=8)
    return rings["outer_lips"], rings["inner_lips"]


def human_masks(
    gt68: np.ndarray, shape: tuple[int, int], reference: str
) -> tuple[np.ndarray, np.ndarray]:
    """(lip ring, mouth opening) (h, w) bool hard masks (pixel centres) of the human outline
    ``reference`` (:func:`human_rings`) of ``gt68`` (68, 2) pixels."""
    outer_pts, inner_pts = human_rings(gt68, reference)
    outer = ring_polygon(outer_pts, "human outer lips")
    inner = ring_polygon(inner_pts, "human inner lips")
    return rasterize(outer.difference(inner), shape), rasterize(inner, shape)


def score_mask(painted: np.ndarray, ring: np.ndarray, opening: np.ndarray, open_mouth: bool):
    """:class:`Score` of a painted (h, w) bool mask against the human masks."""
    return Score(
        ring=int(ring.sum()),
        covered=int((painted & ring).sum()),
        painted=int(painted.sum()),
        outside=int((painted & ~ring).sum()),
        opening=int(opening.sum()),
        opening_painted=int((painted & opening).sum()),
        open_mouth=open_mouth,
    )


def score_face(
    before: np.ndarray, after: np.ndarray, gt68: np.ndarray, iod: float, reference: str
) -> Score:
    """Compare a render with the human lip outlines (hard masks, pixel centres)."""
    painted = np.abs(after.astype(np.int16) - before).max(axis=2) > PAINT_LEVELS
    ring, opening = human_masks(gt68, before.shape[:2], reference)
    return score_mask(painted, ring, opening, human_gap(gt68) > 0.05 * iod)


def mouth_window(gt68: np.ndarray, outer: np.ndarray, iod: float) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` the scoring window around the human (``gt68``) and predicted
    (``outer``) outer lips, pixels, 0.3 IOD beyond them (x1, y1 not clipped to the image)."""
    box = landmark_box(np.vstack([gt68[OUTER68], outer]))
    m = 0.3 * iod
    x0, y0 = (max(int(v - m), 0) for v in box[:2])
    return x0, y0, int(box[2] + m) + 1, int(box[3] + m) + 1


def summarise(scores: list[Score]) -> dict[str, dict[str, float]]:
    """Per-face means and pixel-pooled ratios, for all faces and for open mouths (in %)."""
    out = {}
    for name, rows in (("all", scores), ("open", [s for s in scores if s.open_mouth])):
        if not rows:
            continue
        cov = [s.rates[0] for s in rows]
        outs = [s.rates[1] for s in rows]
        opn = [s.rates[2] for s in rows if s.open_mouth]
        out[name] = {
            "faces": len(rows),
            "coverage": 100 * float(np.mean(cov)),
            "outside": 100 * float(np.mean(outs)),
            "opening": 100 * float(np.mean(opn)) if opn else float("nan"),
            "coverage_pooled": 100
            * sum(s.covered for s in rows)
            / max(sum(s.ring for s in rows), 1),
            "outside_pooled": 100
            * sum(s.outside for s in rows)
            / max(sum(s.painted for s in rows), 1),
            "opening_pooled": 100
            * sum(s.opening_painted for s in rows if s.open_mouth)
            / max(sum(s.opening for s in rows if s.open_mouth), 1),
            "faces_coverage_90": 100 * float(np.mean(np.array(cov) >= 0.9)),
        }
    return out


def resolve(path: str, labels: Path) -> Path:
    """Image paths in the labels file are relative to the repository that made it."""
    p = Path(path)
    return p if p.is_absolute() else labels.resolve().parent.parent / p


def predict(labels: Path, split: str, limit: int | None, backend: str) -> list[tuple]:
    """(image, human 68, iod, face) per face of the split."""
    from dense_landmarks.landmarker import DenseLandmarker

    d = np.load(labels)
    rows = np.flatnonzero(d["val"] if split == "val" else ~d["val"])[:limit]
    lm = DenseLandmarker(backend=backend, detector=lambda im: np.zeros((0, 4)))
    items = []
    for r in rows:
        img = read_image(resolve(str(d["paths"][r]), labels))
        gt68 = scheme.to_68(d["points"][r].astype(np.float64))
        iod = float(normaliser(gt68[None])[0])
        (face,) = lm.detect(img, boxes=landmark_box(gt68)[None])
        items.append((img, gt68, iod, face))
    return items


def evaluate(items: list[tuple], look: Look, params: LipParams, reference: str) -> list[Score]:
    """Render and score every face against the human ``reference`` outline."""
    scores = []
    for img, gt68, iod, face in items:
        # score on a window around the mouth (the render touches nothing else)
        x0, y0, x1, y1 = mouth_window(gt68, face.contours["outer_lips"], iod)
        crop = np.ascontiguousarray(img[y0:y1, x0:x1])
        shifted = Face(
            box=face.box - [x0, y0, x0, y0],
            score=face.score,
            points=face.points - [x0, y0],
            pose=face.pose,
            contours={k: v - [x0, y0] for k, v in face.contours.items()},
        )
        out = crop.copy()
        render_face(out, shifted, look, params)
        scores.append(score_face(crop, out, gt68 - [x0, y0], iod, reference))
    return scores


def with_human_lips(items: list[tuple]) -> list[tuple]:
    """The same faces with the human lip points (and splines through them) as landmarks."""
    out = []
    for img, gt68, iod, face in items:
        pts = face.points.copy()
        pts[scheme.IBUG68_FROM_106] = gt68
        out.append((img, gt68, iod, Face(face.box, 1.0, pts, face.pose, dense_contours(pts))))
    return out


def lip_error(items: list[tuple]) -> tuple[float, float]:
    """Mean distance (% IOD) of the human outer / inner lip points to the predicted contours."""
    outer = [
        point_to_curve(g[OUTER68], f.contours["outer_lips"], True).mean() / i
        for _, g, i, f in items
    ]
    inner = [
        point_to_curve(g[INNER68], f.contours["inner_lips"], True).mean() / i
        for _, g, i, f in items
    ]
    return 100 * float(np.mean(outer)), 100 * float(np.mean(inner))


def table(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| setting | faces | coverage % | outside % | opening painted % (open mouths) "
        "| pooled cov / out / opening % | faces with cov >= 90 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, summ in rows.items():
        for group, s in summ.items():
            lines.append(
                f"| {name} ({group}) | {s['faces']} | {s['coverage']:.1f} | {s['outside']:.1f} | "
                f"{s['opening']:.1f} | {s['coverage_pooled']:.1f} / {s['outside_pooled']:.1f} / "
                f"{s['opening_pooled']:.1f} | {s['faces_coverage_90']:.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.makeup", description=__doc__)
    ap.add_argument("--labels", default="cache/labels_300w.npz")
    ap.add_argument("--split", default="val", choices=["val", "train"])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--lips", default="#b0243c", help="lipstick colour (#rrggbb)")
    ap.add_argument("--backend", default="onnx", choices=["onnx", "torch"])
    ap.add_argument("--sweep", action="store_true", help="compare lip-mask settings (train only)")
    args = ap.parse_args(argv)
    if args.sweep and args.split != "train":
        ap.error("--sweep tunes settings: run it on --split train only")
    labels = Path(args.labels)
    items = predict(labels, args.split, args.limit, args.backend)
    look = Look(lips=args.lips)
    base = LipParams()
    settings = {"shipped mask": base}
    if args.sweep:
        grid = itertools.product(
            (0.004, 0.008, 0.012), (0.0, 0.01, 0.02), (0.0, 0.015), (True, False)
        )
        for f, i, o, g in grid:
            settings[f"feather {f} inset {i} margin {o} guard {g}"] = replace(
                base, feather=f, inset=i, open_margin=o, guard=g
            )
    sources = {"landmarker": items, "human lip points": with_human_lips(items)}
    rows = {
        f"{src}, {name}, vs human {ref}": summarise(evaluate(its, look, p, ref))
        for src, its in sources.items()
        for name, p in settings.items()
        for ref in ("polygon", "spline")
    }
    e_out, e_in = lip_error(items)
    print(
        f"{args.split} split, {len(items)} faces, --lips {args.lips} (opacity {look.lips_opacity}); "
        f"human lip points to the predicted contours: outer {e_out:.2f} %, inner {e_in:.2f} % IOD"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
