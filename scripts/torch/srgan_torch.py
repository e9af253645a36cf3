"""PyTorch twin of the engine's SRGAN networks (src/srgan/models) and of its bicubic resampling.

The module names are the engine's state-dict names (documented at the top of generator.ts and
discriminator.ts), so `state_dict()` — less BatchNorm's `num_batches_tracked`, which the engine
does not keep — is exactly what `srgan upscale --checkpoint` loads. The config is the engine's
SrganConfig as JSON (make one with `npx tsx scripts/torch/make-config.ts`): this file copies no
preset, so the two sides cannot drift apart.

Resampling is the engine's (src/engine/ops/resize.ts), not F.interpolate: bicubic with a = -0.5,
half-pixel centres, taps outside the image dropped and the rest renormalised (PIL's border rule),
and, when downscaling, the kernel stretched over the scale factor (antialiasing). torch's bicubic
uses a = -0.75 and clamps at the border, which would give the model a different LR than the engine
trains and evaluates on. Each axis is one dense [out, in] weight matrix, built in float64 and
applied as a matmul, which is exact and fast at crop sizes.
"""
from __future__ import annotations

import json
import math
import os
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

CONFIG_KEY = "srgan_config"


# ---------------------------------------------------------------- resampling (PIL-style bicubic)

def _cubic(t: np.ndarray) -> np.ndarray:
    """Keys' cubic with a = -0.5 (PIL, Matlab), as in resize.ts."""
    x = np.abs(t)
    near = 1.5 * x**3 - 2.5 * x**2 + 1
    far = -0.5 * x**3 + 2.5 * x**2 - 4 * x + 2
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


@lru_cache(maxsize=64)
def _axis_weights(in_len: int, out_len: int, antialias: bool) -> np.ndarray:
    """[out_len, in_len] float64: row o holds the normalised taps of output pixel o."""
    scale = in_len / out_len
    filter_scale = scale if antialias and scale > 1 else 1.0
    support = 2 * filter_scale
    w = np.zeros((out_len, in_len))
    for o in range(out_len):
        centre = (o + 0.5) * scale
        first = max(math.floor(centre - support - 0.5), 0)
        last = min(math.ceil(centre + support - 0.5), in_len - 1)
        k = np.arange(first, last + 1)
        taps = _cubic((k + 0.5 - centre) / filter_scale)
        w[o, first:last + 1] = taps / taps.sum()  # dropped border taps: renormalise the rest
    return w


def resize_bicubic(x: torch.Tensor, out_h: int, out_w: int, antialias: bool = True) -> torch.Tensor:
    """[N, C, H, W] -> [N, C, out_h, out_w], the engine's E.resize(x, out_h, out_w, {method: 'bicubic'})."""
    if x.dim() != 4:
        raise ValueError(f"resize_bicubic: input must be [N, C, H, W], got {list(x.shape)}")
    h, w = x.shape[-2:]
    ww = torch.from_numpy(_axis_weights(w, out_w, antialias)).to(x.device, x.dtype)
    wh = torch.from_numpy(_axis_weights(h, out_h, antialias)).to(x.device, x.dtype)
    return wh @ (x @ ww.T)


def make_lr(hr: torch.Tensor, scale: int = 4) -> torch.Tensor:
    """HR [N, 3, H, W] in [0, 1] -> LR, exactly as src/srgan/data/degrade.ts makeLr."""
    h, w = hr.shape[-2:]
    if h % scale or w % scale:
        raise ValueError(f"make_lr: HR size {h}x{w} is not a multiple of the scale {scale} (crop it first)")
    return resize_bicubic(hr, h // scale, w // scale)


# ---------------------------------------------------------------- generator

def _act(kind: str, channels: int) -> nn.Module:
    return nn.PReLU(channels) if kind == "prelu" else nn.ReLU()


def _conv(cin: int, cout: int, k: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


class ResidualBlock(nn.Module):
    """conv3x3-BN-act-conv3x3-BN plus the block input (names: conv1, bn1, act, conv2, bn2)."""

    def __init__(self, c: int, g: dict):
        super().__init__()
        self.conv1 = _conv(c, c, 3)
        self.bn1 = nn.BatchNorm2d(c, momentum=g["bnMomentum"]) if g["batchNorm"] else None
        self.act = _act(g["activation"], c)
        self.conv2 = _conv(c, c, 3)
        self.bn2 = nn.BatchNorm2d(c, momentum=g["bnMomentum"]) if g["batchNorm"] else None

    def forward(self, x):
        y = self.conv1(x)
        if self.bn1 is not None:
            y = self.bn1(y)
        y = self.conv2(self.act(y))
        if self.bn2 is not None:
            y = self.bn2(y)
        return x + y


def check_generator_config(g: dict) -> None:
    def bad(msg):
        raise ValueError(f"generator config: {msg}")
    if g["arch"] not in ("srresnet", "residual-bicubic"):
        bad(f'unknown arch "{g["arch"]}"')
    n = math.log2(g["scale"])
    if n != int(n) or n < 1:
        bad(f'scale must be a power of two >= 2, got {g["scale"]}')
    if g["arch"] == "residual-bicubic" and g["upsampleChannels"] != 3 * g["scale"] ** 2:
        bad(f'residual-bicubic needs upsampleChannels = 3*scale^2 = {3 * g["scale"] ** 2}, got {g["upsampleChannels"]}')
    if g["arch"] == "srresnet" and g["upsample"] == "pixelshuffle" and g["upsampleChannels"] % 4:
        bad(f'pixel shuffle x2 needs upsampleChannels divisible by 4, got {g["upsampleChannels"]}')


class Generator(nn.Module):
    """forward(lr in [0, 1]) -> SR in the config's outputRange, `scale` times larger."""

    def __init__(self, g: dict):
        super().__init__()
        check_generator_config(g)
        self.cfg = g
        c, act = g["channels"], g["activation"]
        if g["arch"] == "srresnet":
            self.head = nn.Sequential(_conv(3, c, 9), _act(act, c))
            self.body = nn.Sequential(*[ResidualBlock(c, g) for _ in range(g["blocks"])])
            trunk = [_conv(c, c, 3)] + ([nn.BatchNorm2d(c, momentum=g["bnMomentum"])] if g["batchNorm"] else [])
            self.trunk = nn.Sequential(*trunk)
            stages, cin, u = [], c, g["upsampleChannels"]
            for _ in range(int(math.log2(g["scale"]))):
                if g["upsample"] == "pixelshuffle":
                    stages.append(nn.Sequential(_conv(cin, u, 3), nn.PixelShuffle(2), _act(act, u // 4)))
                    cin = u // 4
                else:  # the Keras project's nearest x2 then conv
                    stages.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), _conv(cin, u, 3), _act(act, u)))
                    cin = u
            self.upsample = nn.Sequential(*stages)
            self.tail = _conv(cin, 3, 9)
        else:
            self.head = nn.Sequential(_conv(3, c, 3), _act(act, c))
            self.body = nn.Sequential(*[nn.Sequential(_conv(c, c, 3), _act(act, c)) for _ in range(g["blocks"])])
            self.tail = _conv(c, g["upsampleChannels"], 3)
            # As the engine's shrinkInit: the residual starts near zero (not at zero, or every
            # earlier layer's first gradient would be zero), so the untrained model is ~bicubic.
            with torch.no_grad():
                self.tail.weight.mul_(0.1)
                self.tail.bias.zero_()

    def forward(self, lr):
        if lr.dim() != 4 or lr.shape[1] != 3:
            raise ValueError(f"Generator: input must be RGB [N, 3, H, W] in [0, 1], got {list(lr.shape)}")
        s = self.cfg["scale"]
        if self.cfg["arch"] == "srresnet":
            h = self.head(lr)
            out = self.tail(self.upsample(self.trunk(self.body(h)) + h))
        else:
            residual = F.pixel_shuffle(self.tail(self.body(self.head(lr))), s)
            out = resize_bicubic(lr, lr.shape[2] * s, lr.shape[3] * s) + residual
        return torch.tanh(out) if self.cfg["output"] == "tanh" else out


# ---------------------------------------------------------------- discriminator

class DiscriminatorBlock(nn.Module):
    def __init__(self, cin, cout, stride, with_bn, slope, momentum):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)  # symmetric, as PyTorch (not TF 'same')
        self.bn = nn.BatchNorm2d(cout, momentum=momentum) if with_bn else None
        self.slope = slope

    def forward(self, x):
        y = self.conv(x)
        return F.leaky_relu(self.bn(y) if self.bn is not None else y, self.slope)


class DiscriminatorHead(nn.Module):
    def __init__(self, kind, in_features, hidden, slope):
        super().__init__()
        self.kind, self.slope = kind, slope
        self.fc1 = nn.Linear(in_features, hidden) if kind == "dense" else nn.Conv2d(in_features, hidden, 1)
        self.fc2 = nn.Linear(hidden, 1) if kind == "dense" else nn.Conv2d(hidden, 1, 1)

    def forward(self, x):
        h = torch.flatten(x, 1) if self.kind == "dense" else x
        return self.fc2(F.leaky_relu(self.fc1(h), self.slope))


class Discriminator(nn.Module):
    """Logits: [N, 1] (dense head) or [N, 1, h, w] (patch head). `input_size`: the HR crop side."""

    def __init__(self, d: dict, input_size: int):
        super().__init__()
        if len(d["channels"]) != len(d["strides"]) or not d["channels"]:
            raise ValueError("discriminator config: channels and strides must be non-empty and of equal length")
        blocks, cin, side = [], 3, input_size
        for i, (c, s) in enumerate(zip(d["channels"], d["strides"])):
            blocks.append(DiscriminatorBlock(cin, c, s, i > 0, d["leakySlope"], d["bnMomentum"]))
            cin, side = c, (side - 1) // s + 1
        self.features = nn.Sequential(*blocks)
        in_features = cin * side * side if d["head"] == "dense" else cin
        self.head = DiscriminatorHead(d["head"], in_features, d["dense"], d["leakySlope"])

    def forward(self, x):
        return self.head(self.features(x))


# ---------------------------------------------------------------- checkpoints

def engine_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """state_dict as the engine reads it: float32, contiguous, CPU, no num_batches_tracked (I64)."""
    return {k: v.detach().float().contiguous().cpu() for k, v in model.state_dict().items()
            if not k.endswith("num_batches_tracked")}


def save_checkpoint(model: nn.Module, config: dict, path: str, extra: dict[str, str] | None = None) -> None:
    """Atomic write (tmp + rename) of a safetensors file `srgan upscale --checkpoint` runs."""
    meta = {CONFIG_KEY: json.dumps(config), **(extra or {})}
    tmp = f"{path}.tmp-{os.getpid()}"
    save_file(engine_state_dict(model), tmp, metadata=meta)
    os.replace(tmp, path)


def load_generator(path: str) -> tuple[Generator, dict]:
    """A generator .safetensors (from this script or the engine) -> (model in eval mode, config)."""
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
        if CONFIG_KEY not in meta:
            raise ValueError(f'{path}: no "{CONFIG_KEY}" in the safetensors metadata, so the network cannot be rebuilt')
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    config = json.loads(meta[CONFIG_KEY])
    model = Generator(config["generator"])
    # strict: a name the twin does not have is a naming bug, never something to skip
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing keys {missing}, unexpected keys {unexpected}")
    return model.eval(), config


def load_config(path: str) -> dict:
    with open(path) as f:
        cfg = json.load(f)
    for key in ("preset", "generator", "discriminator", "hrCrop", "batch", "phase1Steps", "phase2Steps"):
        if key not in cfg:
            raise ValueError(f"{path}: not a full SrganConfig (no '{key}'); make one with scripts/torch/make-config.ts")
    check_generator_config(cfg["generator"])
    if cfg["hrCrop"] % 16 or cfg["hrCrop"] < 16:
        raise ValueError(f"{path}: hrCrop must be a positive multiple of 16, got {cfg['hrCrop']}")
    return cfg


# ---------------------------------------------------------------- VGG19 content features

_VGG19_LAYOUT = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]


class Vgg19Features(nn.Module):
    """torchvision's vgg19().features up to a named ReLU (keys features.{i}.*), frozen, ImageNet-normalised
    inside; takes [0, 1] RGB. As src/srgan/models/vgg19.ts, weights come from a user's safetensors file."""

    def __init__(self, layer: str, weights_path: str):
        super().__init__()
        mods, block, n, cin = [], 1, 1, 3
        for v in _VGG19_LAYOUT:
            if v == "M":
                mods.append(nn.MaxPool2d(2))
                block, n = block + 1, 1
                continue
            mods += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
            cin, name, n = v, f"relu{block}_{n}", n + 1
            if name == layer:
                break
        else:
            raise ValueError(f'VGG19: unknown layer "{layer}"')
        self.features = nn.Sequential(*mods)
        with safe_open(weights_path, framework="pt") as f:
            wanted = self.features.state_dict().keys()
            self.features.load_state_dict({k: f.get_tensor(f"features.{k}") for k in wanted})
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.requires_grad_(False)
        self.eval()

    def forward(self, x):
        return self.features((x - self.mean) / self.std)
