"""The products `npm run device -- --kernels` times, in PyTorch on the same device: the GRPO update's
MLP products (M, C) x (C, 4C) then (M, 4C) x (4C, C), four times over, in float32 without TF32
(as the engine computes) and with TF32 (PyTorch's matrix units). Prints one line per mode.

    python3 bench/torch_matmul.py --device cuda [--rows M] [--width C]
"""
import argparse
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cuda")
    ap.add_argument("--rows", type=int, default=2048 * 42)
    ap.add_argument("--width", type=int, default=256)
    a = ap.parse_args()
    dev = torch.device(a.device)
    m, c, f, chain = a.rows, a.width, 4 * a.width, 4
    gen = torch.Generator(device=dev).manual_seed(0)
    x = torch.randn(m, c, generator=gen, device=dev)
    w1 = torch.randn(c, f, generator=gen, device=dev) / c ** 0.5
    w2 = torch.randn(f, c, generator=gen, device=dev) / f ** 0.5

    def run():
        y = x
        for _ in range(chain):
            y = (y @ w1) @ w2
        return y.sum().item()  # .item() waits for the device, as the engine's download does

    flops = chain * 2 * 2 * m * c * f
    for tf32 in (False, True):
        if dev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = tf32
        elif tf32:
            continue
        for _ in range(3):
            run()
        ts = []
        for _ in range(10):
            t0 = time.perf_counter()
            run()
            ts.append(time.perf_counter() - t0)
        s = statistics.median(ts)
        mode = "tf32" if tf32 else "float32"
        print(f"pytorch {torch.__version__} {a.device} {mode}: {chain} x [({m}, {c}) x ({c}, {f}), ({m}, {f}) x ({f}, {c})] "
              f"in {s * 1e3:.1f} ms: {flops / s / 1e9:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
