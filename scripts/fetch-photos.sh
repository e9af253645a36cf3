#!/usr/bin/env bash
# Fetch the larger natural-photo sets for real training from Debian packages (apt-get download; nothing
# is installed) into a local folder, default data/large/ (not committed). Each package's photos go
# in one flat folder (ready for `srgan train --data`), with its Debian copyright file beside them
# (the licence and author of every file), plus LICENCES.md listing what was taken from where.
#   bash scripts/fetch-photos.sh [OUT_DIR]          # then: --data data/large/multiscale (or all)
# Only photographs are kept: abstract renders and vector art in the same packages are left out by
# name below, because an SR model learns the statistics of what it is shown.
set -euo pipefail

out="${1:-data/large}"
command -v apt-get >/dev/null || { echo "fetch-photos: needs apt-get (Debian/Ubuntu)" >&2; exit 1; }
command -v dpkg >/dev/null || { echo "fetch-photos: needs dpkg" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"   # apt's _apt user downloads into it

# package | directory inside it | photos to take (glob patterns, relative to the directory) | licence summary
sets=(
  "lomiri-wallpapers-16.04|usr/share/backgrounds|Bridge_by_* Dragonfly_by_* Picture_0B_* Picture_1A_* Wine_by_* aitzgorri_* free_by_* friends_by_* greentock_* life_by_* picosdeeuropa_* seeding_by_* sunset_by_*|CC-BY-4.0 / CC-BY-SA-4.0 / CC0-1.0 per file"
  "mate-backgrounds|usr/share/backgrounds/mate/nature|*.jpg|GPL-2+"
  "plasma-workspace-wallpapers|usr/share/wallpapers|BytheWater ColdRipple ColorfulCups DarkestHour EveningGlow FallenLeaf Grey Kite OneStandsOut Path summer_1am|LGPL-3 per NAME.metadata.json (Debian's file says GPL-2+ for the package)"
)

licences="$out/LICENCES.md"
{
  echo "# Photos fetched by scripts/fetch-photos.sh"
  echo
  echo "Taken from Debian packages; each folder holds the package's copyright file (per-file authors and licences)."
  echo
  echo "| folder | package (version) | photos | licence |"
  echo "| --- | --- | --- | --- |"
} > "$licences"

mkdir -p "$out/all"
for entry in "${sets[@]}"; do
  IFS='|' read -r pkg dir patterns licence <<<"$entry"
  echo "fetch-photos: $pkg"
  # (apt warns that it downloads unsandboxed into a temp folder when run as root: harmless, hidden.)
  (cd "$work" && apt-get download "$pkg" 2>&1 >/dev/null | grep -v 'unsandboxed' >&2 || true)
  ls "$work"/"${pkg}"_*.deb >/dev/null 2>&1 || {
    echo "fetch-photos: apt-get download $pkg failed (run 'sudo apt-get update' first?)" >&2; exit 1; }
  deb="$(ls "$work"/"${pkg}"_*.deb)"
  version="$(dpkg-deb -f "$deb" Version)"
  dpkg -x "$deb" "$work/x-$pkg"
  dest="$out/$pkg"
  mkdir -p "$dest"
  cp "$work/x-$pkg/usr/share/doc/$pkg/copyright" "$dest/COPYRIGHT"
  n=0
  for pat in $patterns; do
    for src in "$work/x-$pkg/$dir"/$pat; do
      [ -e "$src" ] || { echo "fetch-photos: $pkg has no $dir/$pat (package changed?)" >&2; continue; }
      if [ -d "$src" ]; then
        # A KDE wallpaper folder holds one picture per resolution: keep the largest file.
        img="$(ls -S "$src"/contents/images/* | head -n 1)"
        name="$(basename "$src").${img##*.}"
        # The per-wallpaper author and licence.
        [ -f "$src/metadata.json" ] && cp "$src/metadata.json" "$dest/$(basename "$src").metadata.json"
      else
        img="$src"
        name="$(basename "$src")"
      fi
      cp "$img" "$dest/$name"
      # One flat folder with every photo, for --data (symlinks: no second copy).
      ln -sf "../$pkg/$name" "$out/all/${pkg%%-*}-$name"
      n=$((n + 1))
    done
  done
  rm -f "$deb"
  echo "| \`$pkg/\` | $pkg ($version) | $n | $licence (see \`$pkg/COPYRIGHT\`) |" >> "$licences"
  echo "fetch-photos:   $n photos -> $dest"
done
# Downscaled copies (long sides 1280, 896, 640 px): wallpaper-sized photos are mostly smooth at the
# pixel level; these have the detail density of ordinary photos (see scripts/multiscale-photos.ts).
npx tsx "$(dirname "$0")/multiscale-photos.ts" "$out/all" "$out/multiscale"
# The bundled train photos too (ordinary photo sizes already): the shipped model trains on both.
repo="$(cd "$(dirname "$0")/.." && pwd)"
for f in "$repo"/data/photos/train/*; do ln -sf "$f" "$out/multiscale/bundled-$(basename "$f")"; done
{
  echo
  echo "\`multiscale/\` holds downscaled copies of the photos in \`all/\` (same authors and licences), and links to the bundled \`data/photos/train\` photos (see data/MANIFEST.md)."
} >> "$licences"
echo "fetch-photos: done. Train on them with --data $out/multiscale (originals: $out/all; licences: $licences)"
