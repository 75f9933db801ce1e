# Two commands on a fresh machine: `make demo` and `make test` (both set up .venv first).
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

TEACHER := .venv-teacher
DATA := $(SHARED)/data/300w_train

DLIB := .venv-dlib

.PHONY: setup demo test test-slow lint format bench clean teacher labels teacher-map detector quality recall train train-refine evaluate peers compare pack train-gpu

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,train,serve,ray]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/dense-landmarks demo --out out/demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: setup
	$(BIN)/python -m eval.bench_curves
	$(BIN)/python -m eval.bench_sparse
	$(BIN)/python -m eval.bench_pipeline

# --- reproducing the shipped weights (not needed to use or test the package) ---------------
# The teacher (MediaPipe Face Mesh) and the TFLite interpreter pin numpy<2: their own venv.
$(TEACHER)/.installed:
	$(PY) -m venv $(TEACHER)
	$(TEACHER)/bin/pip install -q "mediapipe==0.10.14" "numpy<2" ai-edge-litert
	touch $@

teacher: $(TEACHER)/.installed

# peer systems for the side-by-side comparison, each in its own venv (never package dependencies)
$(DLIB)/.installed:
	$(PY) -m venv $(DLIB)
	$(DLIB)/bin/pip install -q dlib-bin "face-recognition-models==0.3.0" "numpy<2" opencv-python-headless
	touch $@

peers: teacher $(DLIB)/.installed

# ours, MediaPipe Face Mesh and dlib on the held-out 300-W faces: one table (+ CED plots)
compare: setup peers
	test -f cache/labels_300w.npz || $(MAKE) labels
	$(BIN)/python -m eval run --data $(DATA) --split val --systems ours,mediapipe,dlib --out runs/eval
	$(BIN)/python -m eval report --out runs/eval
	$(BIN)/python -m eval speed

# 68 -> 106 labels with provenance, pose labels and the photo-level split -> cache/labels_300w.npz
labels: setup teacher
	mkdir -p cache
	ls $(abspath $(DATA))/*/*.jpg | sort > cache/300w_list.txt
	$(TEACHER)/bin/python -m training.labels.teacher_mediapipe --list cache/300w_list.txt --out cache/teacher_300w.npz
	$(BIN)/python -m training.labels.prepare --data $(DATA) --teacher cache/teacher_300w.npz --out cache/labels_300w.npz

# the JD-106 -> mesh map from the two LaPa-labelled fixture faces (committed output)
teacher-map: setup teacher
	mkdir -p cache
	ls $(abspath $(SHARED))/fixtures/lapa/*.jpg > cache/lapa_list.txt
	$(TEACHER)/bin/python -m training.labels.teacher_mediapipe --list cache/lapa_list.txt --out cache/teacher_lapa.npz
	$(BIN)/python -m training.labels.mesh derive --teacher cache/teacher_lapa.npz
	$(BIN)/python -m training.labels.mesh face3d

# BlazeFace short and full range: .tflite from the mediapipe wheel -> checked PyTorch/ONNX
# weights (committed output), then each model's detection -> landmark-crop calibration
detector: setup teacher
	mkdir -p cache/mediapipe
	for f in face_detection_short_range.tflite face_detection_full_range_sparse.tflite; do \
	  cp "$$($(TEACHER)/bin/python -c 'import mediapipe, os; print(os.path.dirname(mediapipe.__file__))')/modules/face_detection/$$f" cache/mediapipe/ || exit 1; done
	for m in short full; do \
	  $(TEACHER)/bin/python training/blazeface_reference.py --model $$m && \
	  $(BIN)/python -m training.convert_blazeface --model $$m && \
	  $(BIN)/python -m eval.detector --calibrate --model $$m --turns 0 --limit 500 || exit 1; done

# the landmark quality score: logistic weights fitted on training faces, ROC on validation
quality: setup
	test -f cache/labels_300w.npz || $(MAKE) labels
	$(BIN)/python -m eval.quality --fit --train-limit 500

# detection recall on the AFW group photos, beside MediaPipe's detectors and dlib's HOG
recall: setup peers
	$(BIN)/python -m eval.detector_recall --data $(SHARED)/data/afw_photos

# the sparse model: resumable (rerun to continue; 140 epochs on the CPU), then fine-tuned 54
# epochs from the face pack (on a GPU when there is one: 55 s on an H200), then 244 more from
# the pack on the CPU (a fresh cosine, about an hour here), then 489 and 345 more from the pack on
# a GPU (330 s and 215 s on an H200; ~4 h together on this CPU), then shipped
train: setup
	test -f cache/labels_300w.npz || $(MAKE) labels
	$(BIN)/python -m training.train --config training/configs/sparse106.json --resume
	test -f cache/pack_300w.npz || $(MAKE) pack
	$(BIN)/python -m training.train --config training/configs/sparse106_gpu_ft.json --resume
	$(BIN)/python -m training.train --config training/configs/sparse106_cpu_ft.json --resume
	$(BIN)/python -m training.train --config training/configs/sparse106_gpu_ft2.json --resume
	$(BIN)/python -m training.train --config training/configs/sparse106_gpu_ft3.json --resume
	$(BIN)/python -m training.export --config training/configs/sparse106_gpu_ft3.json

# training where the photos are not (a CUDA machine): the labelled faces as JPEG crops + points
pack: setup
	test -f cache/labels_300w.npz || $(MAKE) labels
	$(BIN)/python -m training.pack --labels cache/labels_300w.npz --out cache/pack_300w.npz

# on a CUDA machine with the repo, runs/pfld106_s_cpu_ft/best.pt and cache/pack_300w.npz: the
# sparse model's last two fine-tunes, one after the other, alone on the GPU; best weights in OUT
train-gpu:
	bash training/gpu_finetune.sh "train sparse106_gpu_ft2 330" "train sparse106_gpu_ft3 215"

# boundary refiners (lips, eyes, brows, jaw, nose), then shipped like the sparse model
train-refine: setup
	test -f cache/labels_300w.npz || $(MAKE) labels
	for m in mouth eye brow jaw nose; do \
	  $(BIN)/python -m training.refine_train --config training/configs/refine_$$m.json --resume && \
	  $(BIN)/python -m training.export --checkpoint runs/refine_$$m/best.pt || exit 1; done
	# issue 10: mouth, eye, jaw and brow refiners fine-tuned further on the CPU (their first schedules
	# were too short); each step starts from the previous step's best checkpoint
	for c in mouth_ft eye_ft mouth_cpu_ft eye_cpu_ft mouth_cpu_ft2 jaw_cpu_ft brow_cpu_ft brow_cpu_ft2 \
	  jaw_cpu_ft2 mouth_cpu_ft3 eye_cpu_ft3 jaw_cpu_ft3 mouth_cpu_ft4 brow_cpu_ft3; do \
	  $(BIN)/python -m training.refine_train --config training/configs/refine_$$c.json --resume \
	  || exit 1; done
	for c in mouth_cpu_ft4 eye_cpu_ft3 jaw_cpu_ft3 brow_cpu_ft3; do \
	  $(BIN)/python -m training.export --config training/configs/refine_$$c.json || exit 1; done

evaluate: setup
	$(BIN)/python -m eval.sparse
	$(BIN)/python -m eval.refine
	$(BIN)/python -m eval.detector

clean:
	rm -rf $(VENV) $(TEACHER) $(DLIB) out .pytest_cache .ruff_cache .hypothesis
