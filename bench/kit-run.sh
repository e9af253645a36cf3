#!/bin/sh
# Device-kit entry (copied to .kit/run.sh by bench/make-device-kit.sh). Unpacks node, the bench and
# Dawn under /tmp, points Vulkan at the NVIDIA driver when present, and runs the Node bench.
# Extra arguments go to the bench (--cases, --runs, --warmup). Table on stdout; JSON in $OUT/bench.json.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DEST=${KIT_DEST:-/tmp/srgan-bench-kit}

# xz may be missing on a bare image; Python's lzma reads the same files.
unxz_to() {
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}

rm -rf "$DEST"
mkdir -p "$DEST/node_modules/webgpu/dist/linux-x64"
unxz_to "$HERE/node.xz" "$DEST/node"
chmod +x "$DEST/node"
unxz_to "$HERE/webgpu/dist/linux-x64/dawn.node.xz" "$DEST/node_modules/webgpu/dist/linux-x64/dawn.node"
cp "$HERE/webgpu/index.js" "$HERE/webgpu/package.json" "$DEST/node_modules/webgpu/"
cp "$HERE/bench.mjs" "$DEST/"

# dawn.node needs GCC 12's libstdc++ (GLIBCXX_3.4.30); an older system one is shadowed by the kit's copy.
SYS_STDCXX=$(ldconfig -p 2>/dev/null | grep -m1 'libstdc++\.so\.6 (libc6,x86-64)' | sed 's/.*=> //')
if [ -z "$SYS_STDCXX" ] || ! grep -q GLIBCXX_3.4.30 "$SYS_STDCXX" 2>/dev/null; then
  mkdir -p "$DEST/lib"
  unxz_to "$HERE/lib/libstdc++.so.6.xz" "$DEST/lib/libstdc++.so.6"
  LD_LIBRARY_PATH="$DEST/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi

# Vulkan loader and libglvnd: NVIDIA's ICD (libGLX_nvidia) fails to load without libglvnd, so when the
# loader is missing the kit's .debs are unpacked. As root they go to / (the way verified on the lent
# H200); otherwise privately, on LD_LIBRARY_PATH.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ "$(id -u)" -eq 0 ]; then
    for deb in "$HERE"/debs/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" /; done
    ldconfig
  else
    for deb in "$HERE"/debs/*.deb; do [ -f "$deb" ] && dpkg-deb -x "$deb" "$DEST/vulkan"; done
    LD_LIBRARY_PATH="$DEST/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LD_LIBRARY_PATH
  fi
fi
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$ICD" ]; then
  export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
fi

OUT_DIR=${OUT:-$PWD}
mkdir -p "$OUT_DIR"
cd "$DEST"
exec "$DEST/node" "$DEST/bench.mjs" --json "$OUT_DIR/bench.json" "$@"
