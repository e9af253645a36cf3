"""PyTorch CPU peer of `npm run bench:cpu`: a persistent process speaking one JSON object per line.

    python3 bench/peers/torch_peer.py        (started by bench/run-cpu.ts; reads stdin, answers on stdout)

It runs the engine's networks through the PyTorch twin (scripts/torch/srgan_torch.py), loading the
same safetensors weights by the engine's state-dict names, so every runtime computes the same
function. A persistent process lets the Node side interleave it run by run with the other runtimes;
the clock is read here, around the work alone (no pipe, no JSON). Requests (see bench/cpu/protocol.ts):
  {"op": "setup", "case": {...}}   build the model and read the inputs
  {"op": "check", "key": K}        infer: write the output to case.outFile; train: one step, its loss
  {"op": "time", "key": K}         one timed step -> {"ms": ...}
  {"op": "export", "key": K, "path": P}   the inference model as ONNX (for onnxruntime-node)
  {"op": "dispose", "key": K}, {"op": "quit"}
"""
from __future__ import annotations

import json
import os
import struct
import sys
import time
import types
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "torch"))


def _shim_safetensors() -> None:
    """Debian has no python3-safetensors and only npm and Debian are reachable here. srgan_torch
    imports it at the top; this peer reads the files itself (read_safetensors), so a stub will do."""
    try:
        import safetensors  # noqa: F401
        return
    except ImportError:
        pass

    def missing(*_a, **_k):
        raise RuntimeError("safetensors is not installed (the bench peer reads weights with read_safetensors)")
    pkg = types.ModuleType("safetensors")
    pkg.safe_open = missing
    sub = types.ModuleType("safetensors.torch")
    sub.save_file = missing
    pkg.torch = sub
    sys.modules["safetensors"], sys.modules["safetensors.torch"] = pkg, sub


_shim_safetensors()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import srgan_torch  # noqa: E402
from srgan_torch import Generator  # noqa: E402


def _resize_static(x: torch.Tensor, out_h, out_w, antialias: bool = True) -> torch.Tensor:
    """srgan_torch.resize_bicubic with its sizes made Python ints: under torch.onnx.export's tracer
    the shapes arrive as tensors, which its numpy weight builder cannot take. The same function
    for plain ints; for a fixed input shape the matrices become constants of the ONNX graph."""
    h, w = (int(v) for v in x.shape[-2:])
    ww = torch.from_numpy(srgan_torch._axis_weights(w, int(out_w), antialias)).to(x.device, x.dtype)
    wh = torch.from_numpy(srgan_torch._axis_weights(h, int(out_h), antialias)).to(x.device, x.dtype)
    return wh @ (x @ ww.T)


srgan_torch.resize_bicubic = _resize_static  # Generator.forward looks the name up at call time

_DTYPES = {"F32": np.float32, "F16": np.float16}


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    """The format is an 8-byte little-endian header length, a JSON header, then raw tensor bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(body[start:end], dtype=_DTYPES[info["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def read_f32(spec: dict) -> torch.Tensor:
    return torch.from_numpy(np.fromfile(spec["file"], dtype="<f4").reshape(spec["shape"]).copy())


class Case:
    def __init__(self, c: dict):
        self.spec = c
        self.model = Generator(c["config"])
        missing, unexpected = self.model.load_state_dict(read_safetensors(c["weights"]), strict=False)
        missing = [k for k in missing if not k.endswith("num_batches_tracked")]
        if missing or unexpected:
            raise ValueError(f"weights: missing {missing}, unexpected {unexpected}")
        self.lr = read_f32(c["inputs"]["lr"])
        if c["kind"] == "train":
            self.hr = read_f32(c["inputs"]["hr"])
            self.model.train()
            # As the engine's E.Adam and bench/cases/srresnet.ts: lr 1e-4, betas 0.9/0.999, eps 1e-8.
            self.opt = torch.optim.Adam(self.model.parameters(), lr=c.get("learningRate", 1e-4), betas=(0.9, 0.999), eps=1e-8)
        else:
            self.model.eval()

    def step(self):
        if self.spec["kind"] == "train":
            self.opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(self.model(self.lr), self.hr)
            loss.backward()
            self.opt.step()
            return loss
        with torch.no_grad():
            return self.model(self.lr)

    def check(self) -> dict:
        out = self.step()
        if self.spec["kind"] == "train":
            return {"loss": out.item()}
        out.numpy().astype("<f4").tofile(self.spec["outFile"])
        return {"outFile": self.spec["outFile"]}

    def time(self) -> dict:
        t0 = time.perf_counter()
        self.step()
        return {"ms": (time.perf_counter() - t0) * 1e3}

    def export(self, path: str) -> dict:
        # Opset 13 has DepthToSpace CRD (pixel shuffle) and PReLU with per-channel slopes; a fixed
        # input shape lets the residual-bicubic model's resize matrices fold into constants.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # shape checks traced as constants: meant
            torch.onnx.export(self.model.eval(), (self.lr,), path, input_names=["lr"], output_names=["sr"], opset_version=13)
        return {"path": path}


def main() -> None:
    threads = int(os.environ.get("BENCH_TORCH_THREADS", "0")) or os.cpu_count() or 1
    torch.set_num_threads(threads)
    cases: dict[str, Case] = {}
    hello = {"ok": True, "runtime": f"torch {torch.__version__}", "threads": torch.get_num_threads()}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "quit":
                break
            if op == "setup":
                cases[req["case"]["key"]] = Case(req["case"])
                res = {}
            elif op == "dispose":
                cases.pop(req["key"], None)
                res = {}
            elif op == "export":
                res = cases[req["key"]].export(req["path"])
            elif op in ("check", "time"):
                res = getattr(cases[req["key"]], op)()
            else:
                raise ValueError(f"unknown op {op}")
            print(json.dumps({"ok": True, **res}), flush=True)
        except Exception as e:  # noqa: BLE001 — every failure goes back to the Node side as text
            print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main()
