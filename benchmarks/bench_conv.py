"""Time cnnedu.nn.conv.conv2d (forward, forward+backward) against PyTorch CPU, each alone.

Run from the repository root::

    python benchmarks/bench_conv.py                # all workloads
    python benchmarks/bench_conv.py --reps 50      # repetitions per process (medians)
    python benchmarks/bench_conv.py --only W2 W5 --rounds 5
    python benchmarks/bench_conv.py --breakdown W2 # where W2's time goes, part by part

All workloads are float32. **Each side runs alone, in its own process**: a child process
times only numpy (cnnedu) or only PyTorch, and the parent runs the children one after
the other, alternating which goes first, ``--rounds`` times. Timing both in one process
(as this script once did) is not honest on a small machine: OpenBLAS's worker threads
keep spinning after a GEMM and PyTorch's threads then compete with them for the same 2
cores, which slowed PyTorch far more than numpy (measured: PyTorch's W1 forward+backward
12.9 ms in one process, 4.75 ms alone), so the ratios flattered us. Each child warms up,
then takes the median of ``--reps`` runs (``--stat min``: the fastest run, the better
estimate of the alone-time when other processes load the machine); of the rounds, the
fastest of each side is reported (the round least disturbed by other load on the machine; the load average
is printed at the start and the end). The naive loops (far slower) run in the numpy child
on a smaller batch, and their time is scaled up to the full batch (marked ``*``). A third
child, untimed, checks that both sides compute the same ``y``, ``dx``, ``dw``, ``db``.

Threads: PyTorch is told ``torch.set_num_threads(2)``; numpy's OpenBLAS uses its default
(the machine's cores), and cnnedu runs a batch's chunks on as many worker threads, each
with one OpenBLAS thread (:mod:`cnnedu.nn.conv._workers`); nothing here changes
OPENBLAS_* settings. ``--breakdown`` times the parts in the calling thread.

Targets, on the alone-times of forward+backward, ours/PyTorch: geometric mean over W1-W5
<= 0.85 and no workload worse than 2.0.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.nn.conv import conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive  # noqa: E402

import importlib.util  # noqa: E402

# PyTorch is imported only in the processes that time or check it (see _import_torch):
# the numpy process must not even load it
HAVE_TORCH = importlib.util.find_spec("torch") is not None
STAT = "median"  # or "min" (--stat): on a loaded machine the fastest run is the alone-time
torch = torch_F = None


def _import_torch():
    global torch, torch_F
    import torch as _torch
    import torch.nn.functional as _F
    torch, torch_F = _torch, _F

# name: (N, C, H, W, F, k, padding)
WORKLOADS = {
    "W1": (64, 1, 28, 28, 16, 3, 1),
    "W2": (64, 16, 14, 14, 32, 3, 1),
    "W3": (1, 3, 256, 256, 20, 3, 0),
    "W4": (1, 1, 512, 512, 1, 3, 0),
    "W5": (256, 1, 8, 8, 8, 3, 1),
}
TARGET_GEOMEAN, TARGET_MAX = 0.85, 2.0


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


def _both_ours(x, w, b, dy, p):
    def fwd():
        conv2d(x, w, b, padding=p)

    def both():
        conv2d(x, w, b, padding=p)
        conv2d_backward(dy, x, w, padding=p)
    return fwd, both


def _both_torch(x, w, b, dy, p):
    tx, tw, tb, tdy = (torch.from_numpy(a) for a in (x, w, b, dy))

    def fwd():
        with torch.no_grad():
            torch_F.conv2d(tx, tw, tb, padding=p)

    def both():
        xr = tx.detach().requires_grad_()
        wr = tw.detach().requires_grad_()
        br = tb.detach().requires_grad_()
        torch_F.conv2d(xr, wr, br, padding=p).backward(tdy)
    return fwd, both


def child(side, name, reps, naive_reps, naive_batch):
    """Time one side on one workload in this process; a dict of medians (seconds)."""
    x, w, b, dy, p = make(WORKLOADS[name])
    if side == "torch":
        _import_torch()
        torch.set_num_threads(2)
        fwd, both = _both_torch(x, w, b, dy, p)
    else:
        fwd, both = _both_ours(x, w, b, dy, p)
    for fn in (fwd, both, fwd, both):  # warm up
        fn()
    stat = min if STAT == "min" else statistics.median
    out = {"fwd": stat([clock(fwd) for _ in range(reps)]),
           "f+b": stat([clock(both) for _ in range(reps)])}
    if side == "ours":
        nb = min(x.shape[0], naive_batch)
        scale = x.shape[0] / nb
        runs = []
        for _ in range(naive_reps):
            t = clock(lambda: conv2d_naive(x[:nb], w, b, padding=p))
            t += clock(lambda: conv2d_backward_naive(dy[:nb], x[:nb], w, padding=p))
            runs.append(t * scale)
        if runs:
            out["naive f+b"] = statistics.median(runs)
    return out


def check(name):
    """max |ours - torch| over y, dx, dw, db, absolute and relative to max |torch|."""
    _import_torch()
    x, w, b, dy, p = make(WORKLOADS[name])
    tx, tw, tb, tdy = (torch.from_numpy(a) for a in (x, w, b, dy))
    y = conv2d(x, w, b, padding=p)
    dx, dw, db = conv2d_backward(dy, x, w, padding=p)
    xr, wr, br = (t.detach().requires_grad_() for t in (tx, tw, tb))
    yt = torch_F.conv2d(xr, wr, br, padding=p)
    yt.backward(tdy)
    pairs = [(a, t.detach().numpy())
             for a, t in ((y, yt), (dx, xr.grad), (dw, wr.grad), (db, br.grad))]
    diff = max(float(np.max(np.abs(a - t))) for a, t in pairs)
    rel = max(float(np.max(np.abs(a - t)) / np.max(np.abs(t))) for a, t in pairs)
    return {"diff": diff, "rel": rel}


def breakdown(name, reps):
    """Where the forward+backward time of one workload goes (GEMM path), part by part.

    Each part is timed alone (fastest of ``reps``), with its FLOP rate (GEMMs) or the
    bytes it reads and writes per second (copies), to compare with the machine's limits.
    """
    from cnnedu.nn.conv import _im2col

    x, w, b, dy, p = make(WORKLOADS[name])
    N, C, H, W = x.shape
    F = w.shape[0]
    method = _im2col.choose(x, w, (1, 1), (1, 1), (p, p), dy.shape[2:])
    if method not in ("flat", "strided"):
        print(f"{name}: method {method!r}, no GEMM breakdown")
        return
    g = _im2col._Geometry(x, w, (p, p), (1, 1), (1, 1), dy.shape[2:], method)
    xp = g.padded(x)
    cols = g.cols(xp)
    w2 = w.reshape(F, -1)
    dye = g.extend(dy, (1, 0, 2, 3)).reshape(F, -1)
    dcols = w2.T @ dye
    out = w2 @ cols
    gemm = 2 * F * g.CKK * N * g.L
    y = np.empty((N, F) + dy.shape[2:], dtype=x.dtype)
    parts = [
        ("pad x (forward and backward)", 2, lambda: g.padded(x), x.nbytes + xp.nbytes, 0),
        ("im2col copy (forward and backward)", 2, lambda: g.cols(xp), 2 * cols.nbytes, 0),
        ("GEMM y = w @ cols", 1, lambda: w2 @ cols, 0, gemm),
        ("store y (transpose F, N; crop)", 1,
         lambda: _im2col._store(y, g.grid(out.reshape(F, -1, g.L)), b), out.nbytes + y.nbytes, 0),
        ("dy onto the grid", 1, lambda: g.extend(dy, (1, 0, 2, 3)), dy.nbytes + dye.nbytes, 0),
        ("GEMM dw = dy @ cols.T", 1, lambda: dye @ cols.T, 0, gemm),
        ("GEMM dcols = w.T @ dy", 1, lambda: w2.T @ dye, 0, gemm),
        ("col2im and dx", 1, lambda: g.col2im(dcols, N).copy(),
         dcols.nbytes + 2 * g.kh * g.kw * C * N * g.L * x.itemsize + 2 * x.nbytes, 0),
        ("db", 1, lambda: dy.sum(axis=(0, 2, 3)), dy.nbytes, 0),
    ]
    print(f"{name}: method {method!r}, im2col matrix {cols.shape} ({cols.nbytes / 1e6:.1f} MB), "
          f"3 GEMMs of {gemm / 1e6:.0f} MFLOP; fastest of {reps} runs per part")
    total = 0.0
    for label, times, fn, nbytes, flops in parts:
        fn()
        t = min(clock(fn) for _ in range(reps)) * times
        total += t
        rate = (f"{flops / (t / times) / 1e9:6.0f} GFLOP/s" if flops else
                f"{nbytes / (t / times) / 1e9:6.1f} GB/s for {nbytes / 1e6:5.1f} MB")
        print(f"  {label:36} {t * 1e3:7.3f} ms  {rate}")
    both = min(clock(lambda: (conv2d(x, w, b, padding=p), conv2d_backward(dy, x, w, padding=p)))
               for _ in range(reps))
    print(f"  {'sum of the parts':36} {total * 1e3:7.3f} ms; conv2d + conv2d_backward "
          f"{both * 1e3:.3f} ms")


def _run_child(args_list):
    run = subprocess.run([sys.executable, __file__, *args_list], capture_output=True,
                         text=True, check=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def bench_workload(name, reps, rounds, naive_reps, naive_batch):
    """The fastest per-round median of each side, each measured alone in its process."""
    sides = ["ours"] + (["torch"] if HAVE_TORCH else [])
    best: dict[str, float] = {}
    for r in range(rounds):
        for side in (sides if r % 2 == 0 else sides[::-1]):
            res = _run_child(["--child", side, name, "--reps", str(reps), "--stat", STAT,
                              "--naive-reps", str(naive_reps if r == 0 else 0),
                              "--naive-batch", str(naive_batch)])
            for key, t in res.items():
                label = key if key.startswith("naive") else f"{side} {key}"
                best[label] = min(best.get(label, float("inf")), t)
    chk = _run_child(["--check", name]) if HAVE_TORCH else None
    return best, chk


def _loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25, help="repetitions per process (median)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (fastest kept)")
    parser.add_argument("--naive-reps", type=int, default=1)
    parser.add_argument("--naive-batch", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="workload names")
    parser.add_argument("--stat", choices=["median", "min"], default="median",
                        help="per process: the median run, or the fastest (a loaded machine)")
    parser.add_argument("--child", nargs=2, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--check", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", default=None, metavar="W",
                        help="only: where workload W's time goes, part by part (numpy only)")
    args = parser.parse_args(argv)
    global STAT
    STAT = args.stat
    if args.child:
        print(json.dumps(child(*args.child, args.reps, args.naive_reps, args.naive_batch)))
        return
    if args.check:
        print(json.dumps(check(args.check)))
        return
    if args.breakdown:
        breakdown(args.breakdown, args.reps)
        return

    print(f"numpy {np.__version__}", end="")
    if not HAVE_TORCH:
        print("; PyTorch not installed: skipping the PyTorch comparison")
    else:
        print("; PyTorch with torch.set_num_threads(2), in its own processes")
    print(f"load average at start: {_loadavg()}")
    print(f"float32; each side alone in its own process; {args.stat} of {args.reps} runs per "
          f"process, fastest of {args.rounds} alternating rounds; naive loops: "
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
        med, chk = bench_workload(name, args.reps, args.rounds, args.naive_reps,
                                  args.naive_batch)
        N, C, H, W, F, k, p = wl
        desc = f"({N},{C},{H},{W}) {F} {k} {p}"
        ms = lambda key: f"{med[key] * 1e3:9.3f}" if key in med else f"{'-':>9}"  # noqa: E731
        if HAVE_TORCH:
            rf = med["ours fwd"] / med["torch fwd"]
            rb = med["ours f+b"] / med["torch f+b"]
            ratios[name] = rb
            rfs, rbs = f"{rf:6.2f}", f"{rb:6.2f}"
            chks = f"{chk['diff']:9.1e} {chk['rel']:7.1e}"
        else:
            rfs = rbs = chks = "-"
        naive = med.get("naive f+b", float("nan"))
        print(f"{name:4} {desc:26} {ms('ours fwd')} {ms('torch fwd')} {rfs:>6} "
              f"{ms('ours f+b')} {ms('torch f+b')} {rbs:>6} "
              f"{naive * 1e3:11.1f} {naive / med['ours f+b']:10.0f} {chks:>9}", flush=True)
    print("(times in ms, each side measured alone; ratio = ours / torch; naive/ours = how "
          "many times faster ours is;\n max|diff| over y, dx, dw, db vs torch, rel = "
          "max|diff| / max|torch value|)")
    print(f"load average at the end: {_loadavg()}")
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
