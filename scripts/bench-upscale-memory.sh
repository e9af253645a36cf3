#!/usr/bin/env bash
# Peak resident memory (RSS) and time of `srgan upscale` at several input sizes, measured with
# /usr/bin/time -v (apt-get install time). The inputs are a bundled photo resized with Lanczos.
# RSS that stays flat while the area grows shows that memory does not scale with the output.
#   bash scripts/bench-upscale-memory.sh [SIZE…]          real runs of the default model (slow on a CPU)
#   STAND_IN=1 bash scripts/bench-upscale-memory.sh 4000x3000   the same path with bicubic for the model
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# CPU seconds (user + system) say more than wall seconds on a shared machine; on an idle one with
# N cores the wall time is about CPU / N.
printf '%-11s %-6s %-8s %9s %9s %9s %12s\n' input MP model 'peak RSS' 'wall s' 'CPU s' 'CPU s / MP'
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(750x500 1500x1000)
for size in "${sizes[@]}"; do
  w=${size%x*} h=${size#*x}
  node -e "require('sharp')('data/photos/train/china.jpg').resize($w, $h, { fit: 'fill', kernel: 'lanczos3' }).png().toFile('$work/in.png')"
  if [ -n "${STAND_IN:-}" ]; then model=bicubic; cmd=(npx tsx scripts/upscale-memory.mts "$work/in.png" "$work/out.png")
  else model=default; cmd=(node bin/srgan.mjs upscale -i "$work/in.png" -o "$work/out.png" ${UPSCALE_ARGS:-}); fi
  /usr/bin/time -v "${cmd[@]}" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2 / 1024}' "$work/log")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/log")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s += $2} END {print s}' "$work/log")
  mp=$(awk "BEGIN {printf \"%.3f\", $w * $h / 1e6}")
  printf '%-11s %-6s %-8s %9s %9s %9s %12s\n' "$size" "$mp" "$model" "$rss" "$secs" "$cpu" "$(awk "BEGIN {printf \"%.0f\", $cpu / $mp}")"
done
