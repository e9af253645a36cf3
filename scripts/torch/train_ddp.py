"""Train the SRGAN twin with DistributedDataParallel; write a generator `srgan upscale --checkpoint` runs.

    torchrun --nproc_per_node N scripts/torch/train_ddp.py --config cfg.json --data DIR --out OUT_DIR

The steps are the engine trainer's (src/srgan/train/trainer.ts): phase 1 (phase1Steps) trains G
alone on pixel MSE; phase 2 (phase2Steps) does one D step on real HR vs detached G(LR) (BCE on
logits), then one G step on contentWeight*content + advWeight*(-log D(G(LR))) with D frozen. The
learning rate follows the engine's schedule (lrDecay at each lrDecayAt fraction of a phase). LR
inputs are the engine's antialiased bicubic x4 (srgan_torch.make_lr). HR targets are mapped to
the generator's outputRange.

`batch` in the config is the global batch: each of the W ranks trains on batch/W crops of its own
(seeded by seed + rank). Rank 0 alone writes files, atomically: OUT/generator.safetensors (and
discriminator.safetensors) every --save-every steps and at the end, and OUT/loss.csv.
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from srgan_torch import Discriminator, Generator, Vgg19Features, load_config, make_lr, save_checkpoint  # noqa: E402

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")


class RandomCrops:
    """Random HR crops with horizontal flips from a folder, [B, 3, crop, crop] in [0, 1] (as dataset.ts)."""

    def __init__(self, folder: str, crop: int, seed: int, log):
        self.crop, self.rng, self.images = crop, np.random.default_rng(seed), []
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith(IMAGE_EXTS):
                continue
            try:
                # uint8 in memory (4x less than float32); a crop is scaled to [0, 1] when drawn
                img = np.asarray(Image.open(os.path.join(folder, name)).convert("RGB"), dtype=np.uint8)
            except Exception as e:  # a bad file is skipped, by name, never fatal
                log(f"warning: skipping {name}: cannot decode ({e})")
                continue
            if min(img.shape[:2]) < crop:
                log(f"warning: skipping {name}: {img.shape[1]}x{img.shape[0]} is smaller than the {crop}px crop")
                continue
            self.images.append(img.transpose(2, 0, 1).copy())
        if not self.images:
            raise SystemExit(f"error: no usable image (PNG/JPEG/WebP of at least {crop}px) in {folder}")

    def batch(self, n: int) -> torch.Tensor:
        out = np.empty((n, 3, self.crop, self.crop), dtype=np.float32)
        for b in range(n):
            img = self.images[self.rng.integers(len(self.images))]
            y = self.rng.integers(img.shape[1] - self.crop + 1)
            x = self.rng.integers(img.shape[2] - self.crop + 1)
            patch = img[:, y:y + self.crop, x:x + self.crop]
            out[b] = (patch[:, :, ::-1] if self.rng.random() < 0.5 else patch) / np.float32(255)
        return torch.from_numpy(out)


def planned_lr(cfg: dict, step: int) -> tuple[int, float]:
    """(phase, learning rate) of a global step, as src/srgan/train/schedule.ts planStep."""
    phase = 1 if step < cfg["phase1Steps"] else 2
    in_phase = step if phase == 1 else step - cfg["phase1Steps"]
    length = cfg["phase1Steps"] if phase == 1 else cfg["phase2Steps"]
    decays = sum(1 for f in cfg["lrDecayAt"] if in_phase >= round(f * length))
    return phase, cfg["lr"] * cfg["lrDecay"] ** decays


def to_unit(x: torch.Tensor, cfg: dict) -> torch.Tensor:
    return x * 0.5 + 0.5 if cfg["generator"]["outputRange"] == "[-1,1]" else x


def replica_drift(*models: nn.Module) -> float:
    """Largest difference between this rank's weights and rank 0's, over all ranks: 0 when DDP kept them in step."""
    flat = torch.cat([p.detach().flatten() for m in models for p in m.parameters()])
    ref = flat.clone()
    dist.broadcast(ref, 0)
    drift = (flat - ref).abs().max()
    dist.all_reduce(drift, op=dist.ReduceOp.MAX)
    return drift.item()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="a full SrganConfig JSON (scripts/torch/make-config.ts)")
    p.add_argument("--data", required=True, help="folder of HR photos (PNG/JPEG/WebP)")
    p.add_argument("--out", required=True, help="output folder (rank 0 writes it)")
    p.add_argument("--backend", default=None, help="nccl (default with CUDA) or gloo (default on CPU)")
    p.add_argument("--vgg", default=None, help="torchvision VGG19 weights (.safetensors) for content 'vgg'")
    p.add_argument("--save-every", type=int, default=1000)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads per process (default 1)")
    p.add_argument("--sync-bn", action="store_true", help="SyncBatchNorm across ranks (BN statistics over the global batch)")
    return p.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    dist.init_process_group(backend=args.backend or ("nccl" if cuda else "gloo"))
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    log = (lambda m: print(m, flush=True)) if rank == 0 else (lambda m: None)

    cfg = load_config(args.config)
    if cfg["batch"] % world:
        raise SystemExit(f"error: the global batch {cfg['batch']} is not divisible by the {world} ranks")
    per_rank = cfg["batch"] // world
    vgg = None
    if cfg["content"] == "vgg":
        if args.vgg:
            vgg = Vgg19Features(cfg["vggLayer"], args.vgg).to(device)
        else:
            log("note: content 'vgg' without --vgg weights: the content loss is pixel MSE")

    torch.manual_seed(cfg["seed"])  # same init everywhere (DDP also broadcasts rank 0's weights)
    g, d = Generator(cfg["generator"]).to(device), Discriminator(cfg["discriminator"], cfg["hrCrop"]).to(device)
    if args.sync_bn:
        g, d = nn.SyncBatchNorm.convert_sync_batchnorm(g), nn.SyncBatchNorm.convert_sync_batchnorm(d)
    ids = [local] if cuda else None
    g_ddp, d_ddp = DDP(g, device_ids=ids), DDP(d, device_ids=ids)
    betas = (cfg["beta1"], cfg["beta2"])
    opt_g, opt_d = torch.optim.Adam(g.parameters(), lr=cfg["lr"], betas=betas), torch.optim.Adam(d.parameters(), lr=cfg["lr"], betas=betas)
    data = RandomCrops(args.data, cfg["hrCrop"], cfg["seed"] * 1000 + rank, log)
    total = cfg["phase1Steps"] + cfg["phase2Steps"]
    scale, shift = (2.0, -1.0) if cfg["generator"]["outputRange"] == "[-1,1]" else (1.0, 0.0)

    def content_loss(sr, hr):
        if vgg is None:
            return F.mse_loss(sr, hr)
        with torch.no_grad():
            target = vgg(to_unit(hr, cfg))
        return F.mse_loss(vgg(to_unit(sr, cfg)), target) / cfg["vggScale"] ** 2

    os.makedirs(args.out, exist_ok=True)
    csv_file = open(os.path.join(args.out, "loss.csv"), "w", newline="") if rank == 0 else None
    writer = csv.writer(csv_file) if csv_file else None
    if writer:
        writer.writerow(["step", "phase", "g_content", "g_adv", "d_real", "d_fake", "lr", "ms"])
    meta = {"trained_by": f"scripts/torch/train_ddp.py (torch {torch.__version__}, {world}x {dist.get_backend()})"}
    log(f"training {cfg['preset']} ({cfg['generator']['arch']}, {sum(p.numel() for p in g.parameters())} G params) "
        f"for {total} steps on {world} ranks x {per_rank} crops of {cfg['hrCrop']}px, backend {dist.get_backend()}, device {device}")
    t_start = time.time()
    for step in range(total):
        t0 = time.time()
        phase, lr = planned_lr(cfg, step)
        for opt in (opt_g, opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        hr = data.batch(per_rank).to(device)
        lr_img, target = make_lr(hr, cfg["generator"]["scale"]), hr * scale + shift
        losses = torch.full((4,), float("nan"), device=device)  # g_content, g_adv, d_real, d_fake
        if phase == 2:
            opt_d.zero_grad(set_to_none=True)
            with torch.no_grad():
                fake = g_ddp(lr_img)
            # real and fake in separate forwards, as the engine: each gets its own BN batch statistics
            d_real = F.binary_cross_entropy_with_logits(real_logits := d_ddp(target), torch.ones_like(real_logits))
            d_fake = F.binary_cross_entropy_with_logits(fake_logits := d_ddp(fake), torch.zeros_like(fake_logits))
            (d_real + d_fake).backward()
            opt_d.step()
            losses[2:] = torch.stack([d_real.detach(), d_fake.detach()])
        opt_g.zero_grad(set_to_none=True)
        sr = g_ddp(lr_img)
        content = F.mse_loss(sr, target) if phase == 1 else content_loss(sr, target)
        loss = cfg["contentWeight"] * content
        if phase == 2:
            # D frozen, and called outside its DDP wrapper: this backward only reaches G's weights
            d.requires_grad_(False)
            adv_logits = d(sr)
            adv = F.binary_cross_entropy_with_logits(adv_logits, torch.ones_like(adv_logits))
            loss = loss + cfg["advWeight"] * adv
            losses[1] = adv.detach()
        loss.backward()
        d.requires_grad_(True)
        opt_g.step()
        losses[0] = content.detach()
        dist.all_reduce(losses)  # the mean over ranks, for the log and the NaN check
        losses /= world
        values = losses.tolist()
        if any(math.isinf(v) or (math.isnan(v) and i < (1 if phase == 1 else 4)) for i, v in enumerate(values)):
            raise SystemExit(f"error: non-finite loss at step {step + 1}: {values}; no checkpoint written for it")
        ms = (time.time() - t0) * 1000
        if writer:
            writer.writerow([step + 1, phase, *[f"{v:.6g}" for v in values], f"{lr:.6g}", f"{ms:.1f}"])
        if (step + 1) % args.log_every == 0 or step + 1 == total:
            log(f"step {step + 1}/{total} phase {phase} g_content {values[0]:.5f} g_adv {values[1]:.4f} "
                f"d_real {values[2]:.4f} d_fake {values[3]:.4f} lr {lr:.3g} {ms:.0f} ms")
        if rank == 0 and ((step + 1) % args.save_every == 0 or step + 1 == total):
            extra = {**meta, "step": str(step + 1)}
            save_checkpoint(g, cfg, os.path.join(args.out, "generator.safetensors"), extra)
            save_checkpoint(d, cfg, os.path.join(args.out, "discriminator.safetensors"), extra)
    if csv_file:
        csv_file.close()
    drift = replica_drift(g, d)
    log(f"ranks in sync: max |weight - rank 0's| = {drift:.3g} (G and D)" if drift == 0 else
        f"warning: the ranks' weights drifted apart (max |delta| = {drift:.3g}): gradients were not all-reduced")
    log(f"done: {total} steps in {time.time() - t_start:.1f} s on {world} ranks; wrote {os.path.join(args.out, 'generator.safetensors')}")
    dist.barrier()  # gloo aborts a rank that tears down while its peer is still in a collective
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
