"""PyTorch side of the parity check: run a checkpoint on a fixed crop and write what it computed.

    python scripts/torch/parity.py --checkpoint G.safetensors --out DIR [--image data/photos/heldout/coffee.png]

Writes, as raw little-endian float32 NCHW, into DIR:
  hr.bin   an HR crop of the image in [0, 1] (non-square, so a transposed axis shows)
  lr.bin   make_lr(hr): the twin's antialiased bicubic x4
  out.bin  the generator (eval mode: BN running statistics) on lr.bin
and meta.json with the shapes. scripts/torch/parity-engine.ts then runs the engine on the same
bytes and reports max |delta| for both the LR and the generator's output.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srgan_torch import load_generator, make_lr  # noqa: E402


def main():
    p = argparse.ArgumentParser(description="PyTorch side of the checkpoint parity check")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--image", default="data/photos/heldout/coffee.png")
    p.add_argument("--crop", default="144x160", help="HR crop HxW, multiples of 4 (default 144x160)")
    p.add_argument("--at", default="120,200", help="top,left of the crop (default 120,200)")
    args = p.parse_args()
    torch.set_num_threads(1)

    h, w = (int(v) for v in args.crop.split("x"))
    top, left = (int(v) for v in args.at.split(","))
    img = np.asarray(Image.open(args.image).convert("RGB"), dtype=np.float32) / 255
    if top + h > img.shape[0] or left + w > img.shape[1]:
        raise SystemExit(f"error: crop {h}x{w} at {top},{left} does not fit {args.image} ({img.shape[1]}x{img.shape[0]})")
    hr = torch.from_numpy(img[top:top + h, left:left + w].transpose(2, 0, 1).copy())[None]

    model, config = load_generator(args.checkpoint)
    with torch.no_grad():
        lr = make_lr(hr, config["generator"]["scale"])
        out = model(lr)

    os.makedirs(args.out, exist_ok=True)
    for name, t in (("hr", hr), ("lr", lr), ("out", out)):
        t.numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.bin"))
    meta = {
        "checkpoint": os.path.abspath(args.checkpoint), "image": args.image, "crop": [top, left, h, w],
        "hr": list(hr.shape), "lr": list(lr.shape), "out": list(out.shape), "torch": torch.__version__,
        "arch": config["generator"]["arch"],
    }
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(f"torch {torch.__version__}: {config['generator']['arch']} {list(lr.shape)} -> {list(out.shape)}, "
          f"output range [{out.min().item():.4f}, {out.max().item():.4f}]; wrote {args.out}")


if __name__ == "__main__":
    main()
