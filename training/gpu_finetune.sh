#!/bin/bash
# Fine-tune bundled models one after another on one CUDA GPU, from the face pack
# (python -m training.pack), each run alone so its loader workers have every core (runs side by
# side starved each other: 100+ s an epoch instead of 1 s on an H200).
#
#   OUT=/some/dir bash training/gpu_finetune.sh "train sparse106_gpu_ft2 330" "refine_train refine_mouth_gpu_ft 110"
#
# Each argument is "TRAINER CONFIG SECONDS": python -m training.TRAINER --config
# training/configs/CONFIG.json --time-budget SECONDS (the schedule fits the budget). best.pt and
# history.json of each run and its log go to $OUT/CONFIG.* every 20 s and at its end, so a run cut
# short still leaves its best weights. PY picks the Python (default python3); wheels in .whl/
# (e.g. shapely) are installed first.
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
EXTRA=${STOP:+--stop-after $STOP}
for job in "$@"; do
  read -r trainer config budget <<< "$job"
  dir=$($PY -c "import json; print(json.load(open('training/configs/$config.json'))['out_dir'])")
  collect() { for f in best.pt history.json; do [ -f "$dir/$f" ] && cp "$dir/$f" "$OUT/$config.$f"; done; }
  ( while sleep 20; do collect; done ) &
  watcher=$!
  $PY -m training.$trainer --config training/configs/$config.json --time-budget "$budget" $EXTRA > "$OUT/$config.log" 2>&1
  kill $watcher
  collect
  tail -n 3 "$OUT/$config.log"
done
ls -la "$OUT"
