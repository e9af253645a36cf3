#!/usr/bin/env bash
# Build .kit/: the Node bench (bench/run-node.ts) for a Linux x86-64 machine with a real GPU but no
# Node and no npm. Contents: node (xz), one esbuild bundle of the bench with TF.js inside, and a
# minimal copy of npm `webgpu` (its JS entry + dawn.node, xz) that the bundle loads at run time.
# Run it with `sh .kit/run.sh [--cases matmul] [--runs N]`: the JSON lands in $OUT/bench.json.
# The Vulkan loader and libglvnd (NVIDIA's Vulkan ICD lives in libGLX_nvidia, which needs them) travel
# as Debian .debs in .kit/debs, fetched with apt-get download; run.sh unpacks them where missing.
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=.kit
NODE_BIN=${NODE_BIN:-$(command -v node)}
DAWN=node_modules/webgpu/dist/linux-x64/dawn.node

[ -f "$DAWN" ] || { echo "make-device-kit: $DAWN missing (npm ci first)" >&2; exit 1; }
rm -rf "$KIT"
mkdir -p "$KIT/webgpu/dist/linux-x64"

# One ESM file. `webgpu` stays external because it loads dawn.node relative to its own index.js.
# CommonJS inside the bundle (TF.js's Node builds) calls require(): give the ESM output one.
npx esbuild bench/run-node.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --log-level=warning --legal-comments=none --outfile="$KIT/bench.mjs" \
  --banner:js="import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);"

cp node_modules/webgpu/index.js node_modules/webgpu/package.json node_modules/webgpu/LICENSE.md "$KIT/webgpu/"
xz -9 -c "$DAWN" > "$KIT/webgpu/dist/linux-x64/dawn.node.xz"
xz -9 -c "$NODE_BIN" > "$KIT/node.xz"
# dawn.node wants GLIBCXX_3.4.30 (GCC 12's libstdc++); run.sh uses this copy only where the system's is older.
mkdir -p "$KIT/lib"
xz -9 -c "$(readlink -f /usr/lib/x86_64-linux-gnu/libstdc++.so.6)" > "$KIT/lib/libstdc++.so.6.xz"
"$NODE_BIN" --version > "$KIT/NODE_VERSION"
mkdir -p "$KIT/debs"
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64'
(cd "$KIT/debs" && apt-get $o download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 >/dev/null 2>&1) ||
  echo "make-device-kit: could not download the Vulkan/glvnd .debs (run apt-get update?); the target must have them" >&2
cp bench/kit-run.sh "$KIT/run.sh"
chmod +x "$KIT/run.sh"

du -sh "$KIT"
ls -l "$KIT" "$KIT/lib" "$KIT/webgpu/dist/linux-x64"
