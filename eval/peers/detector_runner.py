"""Peer face detectors for the recall comparison (``python -m eval.detector_recall``).

Runs one detector, named by the request key ``detector``, in its own venv:

- ``mediapipe_short`` / ``mediapipe_full``: MediaPipe's BlazeFace short- and full-range models
  (``mediapipe==0.10.14``, legacy ``solutions.face_detection``, ``model_selection`` 0 / 1,
  default confidence 0.5) -- teacher venv;
- ``dlib_hog``: dlib's HOG frontal face detector, image upsampled once, threshold 0 -- dlib venv.

``.venv-teacher/bin/python -m eval.peers.detector_runner REQUEST RESPONSE`` (or the dlib venv)
from the repository root; request/response as :mod:`eval.peers.protocol` (faces carry boxes and
scores, no points).
"""

from __future__ import annotations

import sys

from eval.peers.protocol import load_request, readable_items, timed, write_response


def _mediapipe(selection: int):
    import mediapipe as mp

    fd = mp.solutions.face_detection.FaceDetection(
        model_selection=selection, min_detection_confidence=0.5
    )

    def run(rgb):
        h, w = rgb.shape[:2]
        res = fd.process(rgb)
        out = []
        for d in res.detections or []:
            b = d.location_data.relative_bounding_box
            x0, y0 = b.xmin * w, b.ymin * h
            out.append(([x0, y0, x0 + b.width * w, y0 + b.height * h], float(d.score[0])))
        return out

    return run, mp.__version__


def _dlib():
    import dlib

    det = dlib.get_frontal_face_detector()

    def run(rgb):
        rects, scores, _ = det.run(rgb, 1, 0.0)
        return [
            ([r.left(), r.top(), r.right() + 1, r.bottom() + 1], float(s))
            for r, s in zip(rects, scores)
        ]

    return run, dlib.__version__


def main() -> int:
    req = load_request(sys.argv[1])
    name = req["detector"]
    if name == "dlib_hog":
        run, version = _dlib()
    elif name in ("mediapipe_short", "mediapipe_full"):
        run, version = _mediapipe(0 if name == "mediapipe_short" else 1)
    else:
        raise SystemExit(f"unknown detector {name!r}")
    results: list[dict] = []
    for _item, rgb in readable_items(req, results):
        out, ms = timed(lambda rgb=rgb: run(rgb), req.get("repeat", 1))
        faces = [{"box": b, "score": s, "points68": None, "contours": {}} for b, s in out]
        results.append({"faces": faces, "ms": ms})
    write_response(sys.argv[2], {"system": name, "version": version, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
