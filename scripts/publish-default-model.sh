#!/usr/bin/env bash
# Publish a run's latest generator as the shipped default model (models/default/generator.safetensors),
# with the run's last checkpoint, loss log and plot under models/default/run/, so that a later session
# can continue the same run exactly: npx srgan train --data data/large/all --out models/default/run --resume
#   bash scripts/publish-default-model.sh RUN_DIR
set -euo pipefail
run="${1:?usage: publish-default-model.sh RUN_DIR}"
cd "$(dirname "$0")/.."
step_dir="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).dir)' "$run/checkpoints/latest.json")"
dest=models/default
rm -rf "$dest/run"
mkdir -p "$dest/run/checkpoints/$step_dir" "$dest/run/samples"
cp "$run/checkpoints/$step_dir/"* "$dest/run/checkpoints/$step_dir/"
cp "$run/checkpoints/latest.json" "$dest/run/checkpoints/"
cp "$run/loss.csv" "$run/loss.png" "$dest/run/"
last_grid="$(ls "$run/samples/"*.png | tail -1)"
cp "$last_grid" "$dest/run/samples/"
cp "$run/checkpoints/$step_dir/generator.safetensors" "$dest/generator.safetensors"
echo "published $run ($step_dir) → $dest/generator.safetensors; resumable copy in $dest/run/"
