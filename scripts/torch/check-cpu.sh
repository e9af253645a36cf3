#!/usr/bin/env bash
# The one-off CPU check of the PyTorch twin (not part of CI): train a tiny-preset and a reduced
# SRResNet generator with DDP under torchrun (2 processes, gloo) on the bundled faces, then check
# that each checkpoint gives the same output on the engine as in PyTorch (max |Δ| ≤ 1e-4).
#
#   TORCH_VENV=/work/torchenv bash scripts/torch/check-cpu.sh [OUT_DIR]
#
# The venv needs torch, safetensors, numpy and pillow (pip install torch safetensors numpy pillow).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${TORCH_VENV:-/work/torchenv}
OUT=${1:-/tmp/srgan-torch-check}
export OMP_NUM_THREADS=1 # the scripts also call torch.set_num_threads(1): a shared, small machine
mkdir -p "$OUT"
STEPS=(--set hrCrop=64 --set batch=4 --set phase1Steps=6 --set phase2Steps=4)
npx tsx scripts/torch/make-config.ts --preset tiny "${STEPS[@]}" > "$OUT/tiny.json"
npx tsx scripts/torch/make-config.ts --preset paper "${STEPS[@]}" \
  --set generator.blocks=2 --set generator.channels=16 --set generator.upsampleChannels=64 \
  --set discriminator.channels='[16,16,32,32,64,64,64,64]' --set discriminator.dense=128 > "$OUT/srresnet.json"
for model in tiny srresnet; do
  echo "== $model: torchrun --nproc_per_node 2 (gloo)"
  start=$SECONDS
  "$VENV/bin/torchrun" --nproc_per_node 2 scripts/torch/train_ddp.py --config "$OUT/$model.json" \
    --data data/faces --out "$OUT/$model" --backend gloo --log-every 5
  echo "torchrun wall time (start-up included): $((SECONDS - start)) s"
  "$VENV/bin/python" scripts/torch/parity.py --checkpoint "$OUT/$model/generator.safetensors" --out "$OUT/parity-$model"
  npx tsx scripts/torch/parity-engine.ts --checkpoint "$OUT/$model/generator.safetensors" --dir "$OUT/parity-$model"
done
