from collections import defaultdict

import dense_landmarks as dl
from eval.bench_networks import TimedRunner, network_share, wrap_runners
from eval.bench_pipeline import frame_640x480


def test_every_model_runner_is_timed_and_the_share_counts_its_calls():
    lm = dl.DenseLandmarker(num_threads=1)
    log = defaultdict(list)
    n = wrap_runners(lm, log)
    assert n >= 6  # detector, sparse landmarks, the part refiners (the nose is off by default)
    assert wrap_runners(lm, log) == 0  # already wrapped: nothing twice
    assert isinstance(lm.refiner.runners["refine_mouth"], TimedRunner)
    frame = frame_640x480()
    faces = lm.detect(frame)
    assert len(faces) == 1
    total, share = network_share(lambda: lm.detect(frame), log, 2)
    assert {"pfld106_s", "refine_mouth", "refine_jaw"} <= set(share)
    assert share["refine_mouth"]["calls"] == 1 and share["refine_mouth"]["batch"] == [2]
    assert 0 < sum(s["ms"] for s in share.values()) < total
