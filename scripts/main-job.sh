#!/usr/bin/env bash
# The main job (README's first command runs it after setup): show the shipped model against
# bicubic on the bundled held-out photos, then train the `tiny` preset on the bundled faces for
# about two minutes into a fresh run folder (sample grids, loss plot, checkpoint, summary).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${MAIN_JOB_MINUTES:-2}"
RUN="runs/faces-$(date +%Y%m%d-%H%M%S)"

echo "== 1/2  the shipped generator vs bicubic on data/photos/heldout (×4) =="
npx srgan eval --images data/photos/heldout

echo
echo "== 2/2  training the tiny preset on data/faces for ${MINUTES} min → ${RUN} =="
npx srgan train --preset tiny --data data/faces --heldout data/faces/heldout --out "$RUN" \
  --phase1-steps 150 --phase2-steps 50 --batch 8 --crop 64 --lr 2e-3 \
  --checkpoint-every 50 --sample-every 25 --time-limit "$MINUTES"

cat <<MSG

Run folder: $RUN
  samples/*.png   LR | bicubic | SR | HR grids as training went     loss.png, loss.csv   the losses
  summary.md      the run-time table and PSNR/SSIM vs bicubic        generator.safetensors  the model
Continue this run:        npx srgan train --data data/faces --out $RUN --resume --phase1-steps 1500 --phase2-steps 300
Upscale with it:          npx srgan upscale --checkpoint $RUN/generator.safetensors --input PHOTO --output out.png
Train SRGAN (the paper's SRResNet) on your own photos, best on a real GPU (the browser app or Node pick it up by themselves):
  bash scripts/fetch-photos.sh    # writes data/large/multiscale (downscaled photos); or use any folder of photos
  npx srgan train --preset paper --data data/large/multiscale --out runs/paper
MSG
