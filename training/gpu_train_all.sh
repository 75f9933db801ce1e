#!/bin/bash
# Train the sparse models and the mouth/eye refiners side by side on one CUDA GPU, from a pack
# (python -m training.pack: the labelled faces as crops + points, so the photos need not travel).
#
#   BUDGET=470 OUT=/some/dir bash training/gpu_train_all.sh
#
# Each run fits its epochs to BUDGET seconds (time_budget_s); best.pt of each run and each log are
# copied to $OUT every 20 s and at the end, so a run cut short still leaves its best weights.
# PY picks the Python (default python3); wheels in .whl/ (e.g. shapely) are installed first.
set -x
PY=${PY:-python3}
if [ -d .whl ] && [ -z "$LOCAL" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PYTHONPATH:$PWD PYTHONUNBUFFERED=1
OUT=${OUT:-runs/gpu}; mkdir -p "$OUT"
nproc; nvidia-smi -L || true
$PY -c "import torch, cv2, scipy, shapely; print(torch.__version__, torch.cuda.is_available())" || exit 1
B=${BUDGET:-470}
EXTRA=${STOP:+--stop-after $STOP}
RUNS="pfld106_s_gpu pfld106_m_gpu refine_mouth_gpu refine_eye_gpu"
collect() { for d in $RUNS; do [ -f runs/$d/best.pt ] && cp runs/$d/best.pt "$OUT/$d.pt"; done; }
for c in sparse106_gpu pfld106_m_gpu; do
  $PY -m training.train --config training/configs/$c.json --time-budget $B $EXTRA > "$OUT/$c.log" 2>&1 &
done
for c in refine_mouth_gpu refine_eye_gpu; do
  $PY -m training.refine_train --config training/configs/$c.json --time-budget $B $EXTRA > "$OUT/$c.log" 2>&1 &
done
( while sleep 20; do collect; done ) &
watcher=$!
wait $(jobs -p | grep -v "^$watcher$")
kill $watcher
collect
tail -n 2 "$OUT"/*.log
ls -la "$OUT"
