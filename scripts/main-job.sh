#!/usr/bin/env bash
# The main job (README's first command runs it after setup): the shipped model against bicubic on
# the bundled held-out faces and photos, then a short live run that visibly learns: the GAN phase
# (SRGAN's phase 2) fine-tuning the shipped PSNR-oriented generator on the bundled faces, with the
# held-out metrics (PSNR-Y, SSIM-Y, sharpness) logged every few steps beside the starting model's.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${MAIN_JOB_MINUTES:-2}"
RUN="runs/faces-gan-$(date +%Y%m%d-%H%M%S)"

echo "== 1/3  the shipped generator vs bicubic on data/faces/heldout (×4) =="
npx srgan eval -n default --images data/faces/heldout
echo
echo "== 2/3  the same on data/photos/heldout =="
npx srgan eval -n default --images data/photos/heldout

echo
echo "== 3/3  GAN phase from the shipped generator on data/faces for ${MINUTES} min → ${RUN} =="
npx srgan train --preset tiny --blocks 8 --init-from models/default/generator.safetensors \
  --data data/faces --heldout data/photos/heldout --heldout-faces data/faces/heldout --out "$RUN" \
  --phase1-steps 0 --phase2-steps 400 --batch 8 --crop 64 --lr 1e-4 \
  --gan-loss ragan --adv-weight 1e-2 --d-lr-scale 4 --d-head patch \
  --checkpoint-every 25 --sample-every 20 --eval-every 10 --time-limit "$MINUTES"

cat <<MSG

Run folder: $RUN
  samples/grid-step-*.png     whole held-out faces at 1:1: LR | bicubic | SRResNet (MSE, the start) | this run | HR
  samples/contact-sheet.png   one face over the steps
  metrics.csv, metrics.png    PSNR-Y, SSIM-Y and sharpness over the steps, beside bicubic and the start model
  loss.csv, loss.png          the losses;  summary.md  the run-time table;  generator.safetensors  the model
Continue this run:   npx srgan train --data data/faces --out $RUN --resume
Upscale with it:     npx srgan upscale --checkpoint $RUN/generator.safetensors -i PHOTO -o out.png
MSG
