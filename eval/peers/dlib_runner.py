"""dlib peer: HOG face detector + the 68-point shape predictor (PyPI ``dlib-bin`` and
``face-recognition-models==0.3.0``, which ships the model files). Run with its venv:
``.venv-dlib/bin/python -m eval.peers.dlib_runner REQUEST RESPONSE`` from the repository root. dlib gives 68 points and
no contours (the evaluation draws its contours through those points).
"""

from __future__ import annotations

import sys

import numpy as np

from eval.peers.protocol import load_request, readable_items, timed, write_response


def main() -> int:
    import dlib
    import face_recognition_models as frm

    req = load_request(sys.argv[1])
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(frm.pose_predictor_model_location())
    results: list[dict] = []
    for item, rgb in readable_items(req, results):

        def run(rgb=rgb, item=item):
            if req["mode"] == "box" and item.get("box"):
                x0, y0, x1, y1 = (round(v) for v in item["box"])
                rects, scores = [dlib.rectangle(x0, y0, x1, y1)], [1.0]
            else:
                rects, scores, _ = detector.run(rgb, 1, 0.0)
            return [(r, s, predictor(rgb, r)) for r, s in zip(rects, scores)]

        out, ms = timed(run, req.get("repeat", 1))
        faces = []
        for r, s, shape in out:
            pts = np.array([[p.x, p.y] for p in shape.parts()], dtype=float)
            faces.append(
                {
                    "box": [r.left(), r.top(), r.right(), r.bottom()],
                    "score": float(s),
                    "points68": pts.tolist(),
                    "contours": {},
                }
            )
        results.append({"faces": faces, "ms": ms})
    write_response(sys.argv[2], {"system": "dlib", "version": dlib.__version__, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
