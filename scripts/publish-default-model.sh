#!/usr/bin/env bash
# Publish a run's latest generator (its weight average, if it keeps one) as a shipped PSNR model,
# models/default/generator.safetensors (or DEST/generator.safetensors, e.g. models/medium), with the
# run's last checkpoint, logs and plots under DEST/run/, so that a later session can continue the
# same run exactly:
#   npx srgan train --data data/large/multiscale --out models/default/run --resume --phase1-steps N
#   bash scripts/publish-default-model.sh RUN_DIR [DEST]
# RUN_DIR may be models/default/run itself (a resumed default run): it is then trimmed in place to
# its last checkpoint and last sample grid, and this session's summary.md is kept as
# summary-sessionK.md beside the earlier sessions' ones.
set -euo pipefail
run="${1:?usage: publish-default-model.sh RUN_DIR [DEST]}"
dest="${2:-models/default}"
cd "$(dirname "$0")/.."
step_dir="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).dir)' "$run/checkpoints/latest.json")"
# The last whole-image grid (grid-step-*.png; runs before those had only the crops' step-*.png).
last_grid="$( (ls "$run/samples/"grid-step-*.png 2>/dev/null || ls "$run/samples/"*.png) | tail -1)"

if [ "$(realpath "$run")" = "$(realpath "$dest/run")" ]; then
  find "$run/checkpoints" -mindepth 1 -maxdepth 1 -type d ! -name "$step_dir" -exec rm -rf {} +
  find "$run/samples" -name '*.png' ! -name "$(basename "$last_grid")" -delete
  if [ -f "$run/summary.md" ]; then
    k=$(( $(ls "$run"/summary-session*.md 2>/dev/null | wc -l) + 1 ))
    mv "$run/summary.md" "$run/summary-session$k.md"
  fi
  rm -f "$run/summary.json" "$run/generator.safetensors" # the published copy is $dest/generator.safetensors
else
  rm -rf "$dest/run"
  mkdir -p "$dest/run/checkpoints/$step_dir" "$dest/run/samples"
  cp "$run/checkpoints/$step_dir/"* "$dest/run/checkpoints/$step_dir/"
  cp "$run/checkpoints/latest.json" "$dest/run/checkpoints/"
  cp "$run/loss.csv" "$run/loss.png" "$dest/run/"
  for f in metrics.csv metrics.png recipe.json; do if [ -f "$run/$f" ]; then cp "$run/$f" "$dest/run/"; fi; done
  cp "$last_grid" "$dest/run/samples/"
  [ -f "$run/summary.md" ] && cp "$run/summary.md" "$dest/run/summary-session1.md"
fi
# A run with a weight average (--ema) ships the average, as its own RUN_DIR/generator.safetensors does.
shipped="$dest/run/checkpoints/$step_dir/generator-average.safetensors"
[ -f "$shipped" ] || shipped="$dest/run/checkpoints/$step_dir/generator.safetensors"
cp "$shipped" "$dest/generator.safetensors"
echo "published $run ($step_dir, $(basename "$shipped")) → $dest/generator.safetensors; resumable copy in $dest/run/"
