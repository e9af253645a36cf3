#!/usr/bin/env bash
# Publish a GAN run's last checkpoint as the shipped `srgan` model:
#   models/srgan/generator.safetensors      (1 − ALPHA)·default + ALPHA·(the run's generator: its trained weights,
#                                           or with `average` its weight average), ESRGAN's network interpolation
#                                           (srgan interpolate); ALPHA 1 = the run's own
#   models/srgan/discriminator.safetensors  the run's discriminator (the main job's live run starts from it)
#   models/srgan/run/                       the last checkpoint (resumable: --resume --out models/srgan/run),
#                                           loss and metrics logs and plots, the contact sheet and the last grid
#   bash scripts/publish-srgan-model.sh RUN_DIR ALPHA [trained|average]
set -euo pipefail
run="${1:?usage: publish-srgan-model.sh RUN_DIR ALPHA}"
alpha="${2:?usage: publish-srgan-model.sh RUN_DIR ALPHA [trained|average]}"
weights="${3:-trained}"
cd "$(dirname "$0")/.."
dest=models/srgan
step_dir="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).dir)' "$run/checkpoints/latest.json")"
ckpt="$run/checkpoints/$step_dir"
rm -rf "$dest/run"
mkdir -p "$dest/run/checkpoints/$step_dir" "$dest/run/samples"
cp "$ckpt/"* "$dest/run/checkpoints/$step_dir/"
cp "$run/checkpoints/latest.json" "$dest/run/checkpoints/"
for f in loss.csv loss.png metrics.csv metrics.png summary.md; do [ -f "$run/$f" ] && cp "$run/$f" "$dest/run/"; done
cp "$run/samples/contact-sheet.png" "$dest/run/samples/"
cp "$(ls "$run/samples/"grid-step-*.png | tail -1)" "$dest/run/samples/"
case "$weights" in
  trained) end="$ckpt/generator.safetensors" ;;
  average) end="$ckpt/generator-average.safetensors" ;;
  *) echo "publish-srgan-model: the third argument is trained or average, got $weights" >&2; exit 2 ;;
esac
npx srgan interpolate --from default --to "$end" --alpha "$alpha" -o "$dest/generator.safetensors"
cp "$ckpt/discriminator.safetensors" "$dest/discriminator.safetensors"
echo "published $run ($step_dir, $weights weights, alpha $alpha) → $dest/generator.safetensors, $dest/discriminator.safetensors; run record in $dest/run/"
