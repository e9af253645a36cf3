#!/usr/bin/env bash
# One-command setup on a fresh Debian/Ubuntu machine with Node 20: install what is missing
# (Chromium, whose package carries the SwiftShader Vulkan driver, and the Vulkan loader), install
# the npm dependencies from the lock file, then run the main job. Pass --no-run to skip the job.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || need+=(libvulkan1)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from apt"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: Node >= 20.19 is required, found "+process.versions.node); process.exit(1) }'
npm ci --no-audit --no-fund

if [ "${1:-}" != "--no-run" ]; then
  npm run main
fi
