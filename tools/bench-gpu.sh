#!/usr/bin/env bash
# The CUDA measurements the README reports, in one go, on a GPU machine with PyTorch (for its CUDA libtorch).
# With .NET here:       STEER_LIBTORCH=<torch/lib> tools/bench-gpu.sh OUT [CHECKPOINT]
# From a bundle (.gpu): STEER=".gpu-bundle" tools/bench-gpu.sh OUT [CHECKPOINT]   (.gpu made by tools/gpu-bundle.sh)
# OUT receives the outputs; CHECKPOINT (a shapes checkpoint folder) adds an end-to-end demo on CUDA.
set -uo pipefail
out=${1:?usage: tools/bench-gpu.sh OUT [CHECKPOINT]}
checkpoint=${2:-}
mkdir -p "$out"
if [ "${STEER:-}" = ".gpu-bundle" ]; then steer=(bash .gpu/enter.sh steer.dll); else steer=(./steer); fi
tiny=tests/fixtures/biggan-deep-tiny-a
run() { echo "## steer $*"; timeout 240 "${steer[@]}" "$@" 2>&1 | tail -n 25; echo "## exit ${PIPESTATUS[0]}"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
run bench walk --model shapes --device cuda --batch 64 --steps 300 --warmup 30
run bench walk --model shapes --device cuda --batch 256 --steps 200 --warmup 20
run bench walk --model shapes --device cuda --batch 1024 --steps 100 --warmup 10
run bench walk --model shapes --device cpu --batch 64 --steps 40 --warmup 5
run bench walk --model biggan-deep --weights "$tiny" --device cuda --batch 16 --steps 50 --warmup 5
run bench walk --model biggan-deep --weights "$tiny" --device cuda --batch 64 --steps 30 --warmup 5
run bench walk --model biggan-deep --weights "$tiny" --device cpu --batch 8 --steps 5 --warmup 1
run walk --model biggan-deep --weights "$tiny" --class 1,207 --transform zoom --device cuda --steps 100 --batch 16 --eval-latents 32 --out "$out/biggan-zoom"
run walk --model torchscript --generator tests/fixtures/torchscript-tiny-a/generator.torchscript.pt --transform shiftx --device cuda --steps 100 --batch 32 --eval-latents 64 --out "$out/torchscript-shiftx"
if [ -n "$checkpoint" ]; then
    run demo --model shapes --checkpoint "$checkpoint" --device cuda --transforms zoom,shiftx,rotate2d --walks linear,nonlinear --out "$out/demo-cuda"
fi
run bench walk --model shapes --device cuda --batch 4000000 --steps 1 --warmup 0
