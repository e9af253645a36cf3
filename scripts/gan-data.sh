#!/usr/bin/env bash
# The training folder of the shipped `srgan` model's GAN phase (docs/models.md): the multi-scale
# photos of scripts/fetch-photos.sh (data/large/multiscale, 107 files) once, and the bundled
# training faces (data/faces, 19 files, not data/faces/heldout) three times each (x1_, x2_, x3_),
# so that faces are about a third of the crops. Symlinks, nothing copied.
#   bash scripts/fetch-photos.sh && bash scripts/gan-data.sh [OUT_DIR]   (default runs/gan-data)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/gan-data}"
[ -d data/large/multiscale ] || { echo "gan-data: data/large/multiscale is missing: run bash scripts/fetch-photos.sh first" >&2; exit 1; }
mkdir -p "$out"
for f in data/large/multiscale/*; do ln -sf "$(realpath "$f")" "$out/$(basename "$f")"; done
for k in 1 2 3; do
  for f in data/faces/*.jpg; do ln -sf "$(realpath "$f")" "$out/x${k}_$(basename "$f")"; done
done
echo "gan-data: $(ls "$out" | wc -l) files in $out"
