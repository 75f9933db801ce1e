"""Face tracking over video frames with One-Euro smoothing in a face-normalised frame.

    import dense_landmarks as dl
    tracker = dl.Tracker()                     # or dl.Tracker(dl.DenseLandmarker(...), config)
    for frame, t in frames:                    # (H, W, 3) uint8 RGB, seconds
        faces = tracker.update(frame, t)       # list[dl.Face] with stable .track_id

The detector runs on the first frame, when a face is lost (its tracking quality falls below
``min_quality``) and every ``detect_every`` frames to pick up new faces (a tracked face it
misses is checked again on the next frame and dropped at the second miss); otherwise each face is
re-cropped upright from its previous points (two passes, each averaged with the mirrored
crop's prediction). Smoothing (when on): a similarity fitted on the face's rigid parts and jaw
(:data:`FRAME_PARTS`, against the track's first shape) maps the face to its own frame; its
parameters are filtered with almost no lag (``pose``) and the shape in that frame (the 106
points and the refined contour control points) with the speed-adaptive One-Euro filter
(``shape``), so head motion is not lagged while the landmarks' jitter is removed. The contours
are drawn through the smoothed points. Whole files can instead be smoothed without phase lag
(:mod:`dense_landmarks.video.offline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from dense_landmarks import scheme
from dense_landmarks.contours import DEFAULT_DENSITY, Density
from dense_landmarks.convention import to_label_convention
from dense_landmarks.crop import landmark_box
from dense_landmarks.face import Face
from dense_landmarks.imageio import to_rgb8
from dense_landmarks.landmarker import densify_faces, recorded_layout
from dense_landmarks.sparse import upright_crop
from dense_landmarks.stages import detection_crop
from dense_landmarks.threads import opencv_threads
from dense_landmarks.video import align
from dense_landmarks.video.one_euro import OneEuroFilter, OneEuroParams
from dense_landmarks.video.quality import box_iou, tracking_quality


@dataclass(frozen=True)
class TrackerConfig:
    """Tracker settings.

    Attributes:
        smoothing: One-Euro smoothing on (False: raw per-frame landmarks).
        pose: filter of the face's similarity ``(log s, θ, tx/s, ty/s)`` (units: face sizes);
            light by default (α ≈ 0.96 at 25 fps): on the synthetic-motion videos any more
            smoothing of the head's motion lagged it and raised the jitter.
        shape: filter of the points in the face frame (units: the face's RMS radius over
            :data:`FRAME_PARTS`); tuned on the GRID clips so the mouth opening keeps its lag
            to the speech audio within one frame of the unsmoothed one.
        detect_every: run the detector every this many frames (new faces); 0: only when needed.
        min_quality: a tracked face below this quality is lost (detector on the same frame).
        max_faces: most faces tracked at once (largest kept).
        passes: landmark passes on a tracked face, each re-cropped upright from the last
            (the second halves the jitter on the synthetic-motion videos).
        match_iou: a detection overlapping a tracked face this much is that face.
        flip_average: average each tracked face's points with those of its mirrored crop (one
            batched call; halves the frame-to-frame noise the network adds).
        skip_refine: parts whose boundary refinement video leaves out (their contours run
            through the sparse points; cheaper). Default: none. Before the refiners ran each
            crop with its mirror image the lips were left out (rougher, and on one GRID speaker
            unrelated to the speech); now refined lips are smoother (roughness 0.322 vs 0.367
            unsmoothed) and follow the speech on every clip (worst clip -0.05 of MediaPipe's
            correlation instead of -0.22) (``python -m eval.video``).
    """

    smoothing: bool = True
    pose: OneEuroParams = field(default_factory=lambda: OneEuroParams(100.0, 0.0, 1.0))
    shape: OneEuroParams = field(default_factory=lambda: OneEuroParams(1.0, 20.0, 5.0))
    detect_every: int = 30
    min_quality: float = 0.5
    max_faces: int = 4
    passes: int = 2
    match_iou: float = 0.3
    flip_average: bool = True
    skip_refine: tuple[str, ...] = ()


#: Parts whose points fit the tracker's face frame (rigid enough while talking; many points
#: so the frame's own noise stays small).
FRAME_PARTS = (
    "jaw",
    "right_brow",
    "left_brow",
    "nose_bridge",
    "nose_base",
    "right_eye",
    "left_eye",
)


def frame_indices(parts: tuple[str, ...] = FRAME_PARTS) -> list[int]:
    """JD-106 indices of the points of ``parts`` (default: the face frame's)."""
    return [i for n in parts for i in scheme.PARTS[n].indices]


@dataclass
class _Track:
    id: int
    points: np.ndarray  # (106, 2) last output points (the next frame's crop)
    pose: OneEuroFilter
    shape: OneEuroFilter
    theta: float = 0.0
    misses: int = 0  # detector rounds in a row that did not find this face
    reference: np.ndarray | None = None  # (106, 2) the first frame's points, unit size


def _size(points: np.ndarray) -> float:
    b = landmark_box(points)
    return float((b[2] - b[0]) * (b[3] - b[1]))


class Tracker:
    """Tracks faces frame to frame (see module docstring).

    Args:
        landmarker: a :class:`dense_landmarks.DenseLandmarker` (default: one with default
            settings). The tracker runs its stages itself (:mod:`dense_landmarks.stages`): the
            detector's detections through :func:`~dense_landmarks.stages.detection_crop`, the
            sparse stage's ``predict_crops`` (tracked faces: the upright crops of their
            previous points, ``passes`` and ``flip_average`` from the config; the latter needs
            a sparse stage that takes it, as the bundled one does), the refiner (less the
            ``skip_refine`` parts, through ``Refiner.without_parts``) and the densifier at the
            landmarker's density.
        config: :class:`TrackerConfig`.
    """

    def __init__(self, landmarker: object | None = None, config: TrackerConfig | None = None):
        if landmarker is None:
            from dense_landmarks.landmarker import DenseLandmarker

            landmarker = DenseLandmarker()
        self.landmarker = landmarker
        self.config = config or TrackerConfig()
        if self.config.passes not in (1, 2):
            raise ValueError(f"passes: expected 1 or 2, got {self.config.passes}")
        if landmarker.detector is None:
            raise ValueError("Tracker: the landmarker needs a detector (it finds new faces)")
        refiner = landmarker.refiner
        if refiner is not None and self.config.skip_refine:
            if not hasattr(refiner, "without_parts"):
                raise ValueError(
                    "Tracker: skip_refine needs a refiner with without_parts(parts) (as the "
                    f"bundled one); {type(refiner).__name__} has none: pass skip_refine=()"
                )
            refiner = refiner.without_parts(self.config.skip_refine)
        self._refiner = refiner
        self.reset()

    def reset(self) -> None:
        """Forget every track (e.g. at a scene cut)."""
        self._tracks: list[_Track] = []
        self._next_id = 0
        self._frame = -1
        self._last_t: float | None = None

    def _new_track(self, points: np.ndarray, track_id: int | None = None) -> _Track:
        if track_id is None:
            track_id, self._next_id = self._next_id, self._next_id + 1
        cfg = self.config
        return _Track(track_id, points, OneEuroFilter(cfg.pose), OneEuroFilter(cfg.shape, -1))

    def _refine(self, img: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, list[dict]]:
        if self._refiner is None or not len(pts):
            return pts, [{} for _ in pts]
        control, pts = self._refiner.refine(img, pts)
        return pts, control

    def _track_points(self, img: np.ndarray, previous: list[np.ndarray]):
        """(F, 106, 2) points and (F, 3) pose of faces re-cropped upright from their previous
        points: ``passes`` landmark passes, each averaged with its mirrored crop's."""
        specs = [upright_crop(p) for p in previous]
        cfg = self.config
        sparse = self.landmarker.sparse
        # say exactly what the config wants to a stage that flips by default (the bundled one
        # flips its last pass); a stage without the option is only told to flip
        says = cfg.flip_average or hasattr(sparse, "flip_last")
        extra = {"flip_average": bool(cfg.flip_average)} if says else {}
        return sparse.predict_crops(img, specs, passes=cfg.passes, **extra)

    def update(self, frame: np.ndarray, timestamp_s: float | None = None) -> list[Face]:
        """Faces in this frame, largest first, each with ``track_id`` and ``quality``.

        Args:
            frame: (H, W, 3) uint8 RGB. timestamp_s: its time in seconds, increasing (None:
                frame count / 30).
        Returns:
            list of :class:`dense_landmarks.Face` (points and contours: frame pixels).
        """
        img = to_rgb8(frame)
        with opencv_threads(self.landmarker.num_threads):
            return self._update(img, timestamp_s)

    def _update(self, img: np.ndarray, timestamp_s: float | None) -> list[Face]:
        self._frame += 1
        t = self._frame / 30.0 if timestamp_s is None else float(timestamp_s)
        if self._last_t is not None and t <= self._last_t:
            t = self._last_t + 1e-3  # repeated or out-of-order time stamps: keep time moving
        self._last_t = t
        cfg = self.config

        tracks, lost = self._tracks, []
        pts = np.zeros((0, 106, 2))
        pose = np.zeros((0, 3))
        if tracks:
            pts, pose = self._track_points(img, [k.points for k in tracks])
            quality = [tracking_quality(k.points, p) for k, p in zip(tracks, pts)]
            keep = [q >= cfg.min_quality for q in quality]
            lost = [k for k, ok in zip(tracks, keep) if not ok]
            tracks = [k for k, ok in zip(tracks, keep) if ok]
            pts, pose = pts[keep], pose[keep]
            quality = [q for q, ok in zip(quality, keep) if ok]
        else:
            quality = []

        every = cfg.detect_every > 0 and self._frame % cfg.detect_every == 0
        doubt = any(k.misses for k in tracks)
        if not tracks or lost or every or doubt:
            dets = self.landmarker.detector.detect(img)
            specs = [detection_crop(d) for d in dets]
            boxes = np.asarray([d.box for d in dets], dtype=np.float64).reshape(-1, 4)
            # a tracked face the detector misses twice in a row is gone
            seen = [any(box_iou(b, landmark_box(p)) >= cfg.match_iou for b in boxes) for p in pts]
            for k, ok in zip(tracks, seen):
                k.misses = 0 if ok else k.misses + 1
            keep = [k.misses < 2 for k in tracks]
            tracks = [k for k, ok in zip(tracks, keep) if ok]
            pts, pose = pts[keep], pose[keep]
            quality = [q for q, ok in zip(quality, keep) if ok]
            new = [
                i
                for i, b in enumerate(boxes)
                if all(box_iou(b, landmark_box(p)) < cfg.match_iou for p in pts)
            ]
            if new:
                npts, npose = self.landmarker.sparse.predict_crops(img, [specs[i] for i in new])
                for p, q, i in zip(npts, npose, new):
                    # a lost face found again where it was keeps its identity
                    old = [
                        k
                        for k in lost
                        if box_iou(boxes[i], landmark_box(k.points)) >= cfg.match_iou
                    ]
                    track = old[0] if old else self._new_track(p)
                    if old:
                        lost.remove(old[0])
                        track.points = p
                    tracks.append(track)
                    pts = np.concatenate([pts, p[None]])
                    pose = np.concatenate([pose, q[None]])
                    quality.append(1.0)

        order = np.argsort([-_size(p) for p in pts], kind="stable")[: cfg.max_faces]
        tracks = [tracks[i] for i in order]
        pts, pose, quality = pts[order], pose[order], [quality[i] for i in order]
        pts, control = self._refine(img, pts)

        density = self.landmarker.density
        out_pts, out_control = [], []
        for k, p, c in zip(tracks, pts, control):
            if cfg.smoothing:
                p, c = self._smooth(k, p, c, t)
            k.points = p
            out_pts.append(p)
            out_control.append(c)
        # outputs in the labels' convention; the tracks keep the networks' own places
        out_pts, out_control = to_label_convention(
            np.reshape(out_pts, (-1, 106, 2)),
            out_control,
            getattr(self.landmarker, "label_offset", 0.0),
        )
        # every face's contours in one batched pass
        contours = densify_faces(self.landmarker.densifier, out_pts, out_control, density)
        faces = [
            Face(
                box=landmark_box(p),
                score=qual,
                points=p,
                pose=q,
                contours=cs,
                layout=recorded_layout(cs, density),
                quality=qual,
                track_id=k.id,
            )
            for k, p, q, cs, qual in zip(tracks, out_pts, pose, contours, quality)
        ]
        self._tracks = tracks
        return faces

    def _smooth(
        self, track: _Track, points: np.ndarray, control: dict[str, np.ndarray], t: float
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One-Euro on the similarity and on the points in the face frame."""
        idx = frame_indices(FRAME_PARTS)
        if track.reference is None:
            c = points[idx].mean(0)
            track.reference = (points - c) / np.sqrt(((points[idx] - c) ** 2).sum(-1).mean())
        m = align.fit_similarity(track.reference[idx], points[idx])
        params = align.to_params(m)
        params[1] = track.theta + (params[1] - track.theta + np.pi) % (2 * np.pi) - np.pi
        track.theta = float(params[1])
        names = [n for n in scheme.PART_NAMES if n in control]
        stacked = np.concatenate([points, *(control[n] for n in names)])
        local = align.apply(align.invert(m), stacked)
        smooth_m = align.from_params(track.pose(params, t))
        out = align.apply(smooth_m, track.shape(local, t))
        pts, rest = out[: len(points)], out[len(points) :]
        sizes = np.cumsum([len(control[n]) for n in names])[:-1]
        return pts, dict(zip(names, np.split(rest, sizes)))


def build_tracker(
    backend: str = "onnx",
    threads: int = 1,
    tiles: int = 1,
    density: Density = DEFAULT_DENSITY,
    smoothing: bool = True,
    shape: OneEuroParams | None = None,
    detect_every: int = 30,
    max_faces: int = 4,
) -> Tracker:
    """A :class:`Tracker` on the bundled stages (:func:`dense_landmarks.build_landmarker`),
    as the ``video`` and ``lipread`` commands and the ``lipread`` job kind make it.

    Args:
        backend, threads, tiles, density: the landmarker's (see
            :class:`dense_landmarks.DenseLandmarker`).
        smoothing, detect_every, max_faces: :class:`TrackerConfig`'s.
        shape: the One-Euro filter of the shape (default: :class:`TrackerConfig`'s).
    """
    from dense_landmarks.landmarker import build_landmarker

    lm = build_landmarker(backend=backend, num_threads=threads, tiles=tiles, density=density)
    cfg = TrackerConfig(smoothing=smoothing, detect_every=detect_every, max_faces=max_faces)
    if shape is not None:
        cfg = replace(cfg, shape=shape)
    return Tracker(lm, cfg)
