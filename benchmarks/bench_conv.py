"""Time cnnedu.nn.conv.conv2d (forward, forward+backward) against PyTorch CPU and the naive loops.

Run from the repository root::

    python benchmarks/bench_conv.py            # all workloads
    python benchmarks/bench_conv.py --reps 41  # more repetitions
    python benchmarks/bench_conv.py --only W2 W5

All workloads are float32. Implementations are interleaved: every repetition times ours,
then PyTorch, so a background load hits both alike; the medians are reported. The naive
loops are far slower: they run on a smaller batch (at most ``--naive-batch`` samples),
fewer times, and their time is scaled up to the full batch (marked ``*``).

Target: ours/PyTorch for forward+backward, geometric mean over W1-W5 <= 1.0 and no
workload worse than 2.5.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.nn.conv import conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive  # noqa: E402

try:
    import torch
    import torch.nn.functional as torch_F
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

# name: (N, C, H, W, F, k, padding)
WORKLOADS = {
    "W1": (64, 1, 28, 28, 16, 3, 1),
    "W2": (64, 16, 14, 14, 32, 3, 1),
    "W3": (1, 3, 256, 256, 20, 3, 0),
    "W4": (1, 1, 512, 512, 1, 3, 0),
    "W5": (256, 1, 8, 8, 8, 3, 1),
}
TARGET_GEOMEAN, TARGET_MAX = 1.0, 2.5


def clock(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def make(workload, seed=0):
    N, C, H, W, F, k, p = workload
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = (rng.standard_normal((F, C, k, k)) / math.sqrt(C * k * k)).astype(np.float32)
    b = rng.standard_normal(F).astype(np.float32)
    y = conv2d(x, w, b, padding=p)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    return x, w, b, dy, p


def bench_workload(name, workload, reps, naive_reps, naive_batch):
    x, w, b, dy, p = make(workload)
    N = x.shape[0]

    def ours_fwd():
        conv2d(x, w, b, padding=p)

    def ours_both():
        conv2d(x, w, b, padding=p)
        conv2d_backward(dy, x, w, padding=p)

    times = {"ours fwd": [], "ours f+b": []}
    if torch is not None:
        tx, tw, tb, tdy = (torch.from_numpy(a) for a in (x, w, b, dy))

        def torch_fwd():
            with torch.no_grad():
                torch_F.conv2d(tx, tw, tb, padding=p)

        def torch_both():
            xr = tx.detach().requires_grad_()
            wr = tw.detach().requires_grad_()
            br = tb.detach().requires_grad_()
            torch_F.conv2d(xr, wr, br, padding=p).backward(tdy)

        times.update({"torch fwd": [], "torch f+b": []})
        pairs = [("ours fwd", ours_fwd), ("torch fwd", torch_fwd),
                 ("ours f+b", ours_both), ("torch f+b", torch_both)]
    else:
        pairs = [("ours fwd", ours_fwd), ("ours f+b", ours_both)]

    for fn in (fn for _, fn in pairs):  # warm up
        fn()
    for r in range(reps):
        order = pairs if r % 2 == 0 else pairs[::-1]  # alternate who goes first
        for key, fn in order:
            times[key].append(clock(fn))

    # naive loops on a sub-batch, scaled to the full batch
    nb = min(N, naive_batch)
    xs, dys = x[:nb], dy[:nb]
    scale = N / nb
    naive_f, naive_b = [], []
    for _ in range(naive_reps):
        naive_f.append(clock(lambda: conv2d_naive(xs, w, b, padding=p)) * scale)
        naive_b.append(naive_f[-1] + clock(
            lambda: conv2d_backward_naive(dys, xs, w, padding=p)) * scale)
    times["naive fwd"], times["naive f+b"] = naive_f, naive_b

    med = {k: statistics.median(v) for k, v in times.items()}
    check = None
    if torch is not None:
        y = conv2d(x, w, b, padding=p)
        dx, dw, db = conv2d_backward(dy, x, w, padding=p)
        xr, wr, br = (t.detach().requires_grad_() for t in (tx, tw, tb))
        yt = torch_F.conv2d(xr, wr, br, padding=p)
        yt.backward(tdy)
        pairs = [(a, t.detach().numpy())
                 for a, t in ((y, yt), (dx, xr.grad), (dw, wr.grad), (db, br.grad))]
        diff = max(float(np.max(np.abs(a - t))) for a, t in pairs)
        rel = max(float(np.max(np.abs(a - t)) / np.max(np.abs(t))) for a, t in pairs)
        check = (diff, rel)
    return med, check, (nb, scale)


def _loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25, help="repetitions (median taken)")
    parser.add_argument("--naive-reps", type=int, default=1)
    parser.add_argument("--naive-batch", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="workload names")
    args = parser.parse_args(argv)

    print(f"numpy {np.__version__}", end="")
    if torch is None:
        print("; PyTorch not installed: skipping the PyTorch comparison")
    else:
        torch.set_num_threads(2)
        print(f"; torch {torch.__version__}, torch.set_num_threads(2) "
              f"(get_num_threads() = {torch.get_num_threads()})")
    print(f"load average at start: {_loadavg()}")
    print(f"float32; medians of {args.reps} interleaved repetitions; naive loops: "
          f"{args.naive_reps} run(s) on at most {args.naive_batch} samples, scaled to N (*)")
    print()
    head = (f"{'':4} {'shape (N,C,H,W) F k p':26} {'ours fwd':>9} {'torch fwd':>9} "
            f"{'ratio':>6} {'ours f+b':>9} {'torch f+b':>9} {'ratio':>6} "
            f"{'naive f+b*':>11} {'naive/ours':>10} {'max|diff|':>9} {'rel':>7}")
    print(head)
    print("-" * len(head))
    ratios = {}
    names = args.only or list(WORKLOADS)
    for name in names:
        wl = WORKLOADS[name]
        med, check, _ = bench_workload(name, wl, args.reps, args.naive_reps, args.naive_batch)
        N, C, H, W, F, k, p = wl
        desc = f"({N},{C},{H},{W}) {F} {k} {p}"
        ms = lambda key: f"{med[key] * 1e3:9.3f}" if key in med else f"{'-':>9}"  # noqa: E731
        if torch is not None:
            rf = med["ours fwd"] / med["torch fwd"]
            rb = med["ours f+b"] / med["torch f+b"]
            ratios[name] = rb
            rfs, rbs = f"{rf:6.2f}", f"{rb:6.2f}"
            chk = f"{check[0]:9.1e} {check[1]:7.1e}"
        else:
            rfs = rbs = chk = "-"
        naive_speedup = med["naive f+b"] / med["ours f+b"]
        print(f"{name:4} {desc:26} {ms('ours fwd')} {ms('torch fwd')} {rfs:>6} "
              f"{ms('ours f+b')} {ms('torch f+b')} {rbs:>6} "
              f"{med['naive f+b'] * 1e3:11.1f} {naive_speedup:10.0f} {chk:>9}")
    print("(times in ms; ratio = ours / torch; naive/ours = how many times faster ours is;\n"
          " max|diff| over y, dx, dw, db vs torch, rel = max|diff| / max|torch value|)")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios.values()) / len(ratios))
        worst = max(ratios, key=ratios.get)
        met = geo <= TARGET_GEOMEAN and ratios[worst] <= TARGET_MAX
        print(f"forward+backward ours/torch: geometric mean {geo:.2f} (target <= "
              f"{TARGET_GEOMEAN}), max {ratios[worst]:.2f} on {worst} (target <= "
              f"{TARGET_MAX}): target {'MET' if met else 'NOT met'}"
              + ("" if len(ratios) == len(WORKLOADS) else " (on the selected workloads)"))


if __name__ == "__main__":
    main()
