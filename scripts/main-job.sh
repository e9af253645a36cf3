#!/usr/bin/env bash
# The main job (README's first command runs it after setup), in under 5 minutes on 2 CPU cores:
#   1. the shipped generators `default` and the larger `medium` (PSNR-oriented, SRResNet's pixel
#      MSE) and `srgan` (GAN-trained), against bicubic on the bundled held-out faces and photos: one
#      table each, and a whole-image grid of each set (LR | bicubic | default | medium | srgan | HR) in the run folder;
#   2. a short live run that visibly learns: SRGAN's phase 2 starting from the shipped `default`
#      generator and the discriminator shipped with `srgan`, which already tells sharp from soft,
#      so the generator's texture (the sharpness column) grows within the first minute. The
#      held-out metrics are logged every few steps beside bicubic and the start model.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${MAIN_JOB_MINUTES:-2}"
RUN="runs/main-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"

echo "== 1/3  the shipped generators vs bicubic on data/faces/heldout (×4; faces never trained on) =="
npx srgan eval -n default,medium,srgan --images data/faces/heldout --grid "$RUN/models-faces.png"
echo
echo "== 2/3  the same on data/photos/heldout =="
npx srgan eval -n default,medium,srgan --images data/photos/heldout --grid "$RUN/models-photos.png"

echo
echo "== 3/3  live: the GAN phase from the shipped generator on data/faces for ${MINUTES} min → ${RUN}/live =="
# --start-from default: the shipped default generator and srgan's discriminator, with srgan's recipe
# (tiny, 8 blocks, batch 8, 64-px crops, lr 1e-4, RaGAN 1e-2, D's rate ×4, patch head, feature matching 0.03).
# 60 steps: on the CPU backend (2 cores) about 35 s; held-out sharpness peaks near step 80, then the GAN swings back.
npx srgan train --start-from default --steps 60 \
  --data data/faces --heldout data/photos/heldout --heldout-faces data/faces/heldout --out "$RUN/live" \
  --checkpoint-every 25 --sample-every 10 --eval-every 10 --time-limit "$MINUTES"

echo
echo "== what the live run's held-out metrics did (faces and one photo crop; sharpness: original = 1) =="
awk -F, 'NR == 1 { next } { row[++n] = $0 } END {
  split(row[1], a, ","); split(row[n], b, ",");
  printf "| | step | PSNR-Y (dB) | SSIM-Y | sharpness |\n| --- | ---: | ---: | ---: | ---: |\n";
  printf "| bicubic | — | %.2f | %.4f | %.3f |\n", a[6], a[7], a[8];
  printf "| start (default) | %d | %.2f | %.4f | %.3f |\n", a[1], a[3], a[4], a[5];
  printf "| after the live run | %d | %.2f | %.4f | %.3f |\n", b[1], b[3], b[4], b[5];
}' "$RUN/live/metrics.csv"

cat <<MSG

Run folder: $RUN
  models-faces.png, models-photos.png   the shipped models side by side at 1:1: LR | bicubic | default | medium | srgan | HR
  live/samples/grid-step-*.png          the live run: LR | bicubic | SRResNet (MSE, the start) | this run | HR
  live/samples/contact-sheet.png        one face over the live run's steps
  live/metrics.csv, live/metrics.png    PSNR-Y, SSIM-Y and sharpness over the steps, beside bicubic and the start
  live/loss.csv, live/loss.png          the losses;  live/summary.md  the run-time table
Continue the live run:  npx srgan train --data data/faces --out $RUN/live --resume --phase2-steps 1000
Upscale a photo:        npx srgan upscale -n srgan -i PHOTO -o out.png
MSG
