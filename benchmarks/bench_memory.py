"""Peak scratch memory of every conv method, each case in a fresh process.

Run from the repository root::

    python benchmarks/bench_memory.py              # every case
    python benchmarks/bench_memory.py --only gemm-fwd fft-bwd

The cap: :data:`cnnedu.nn.conv._im2col.SCRATCH_BYTES` (256 MiB) of scratch per call, for
any shape. Each case runs in its own ``python`` subprocess so that one case's freed memory
(kept by the allocator) cannot hide or inflate another's. In the child the inputs are made
first, then ``tracemalloc`` (which sees every numpy array allocation) is started, the one
call is made, and the peak of traced memory minus what was traced before the call is the
call's *scratch plus its outputs*; the outputs (``y``, or ``dx``, ``dw``, ``db``) are
subtracted to give the scratch, compared with the cap. ``ru_maxrss`` (the process's peak
resident set, including the inputs, the interpreter and OpenBLAS's own buffers, which
tracemalloc does not see) is printed beside it as a cross-check.

The cases are the ones of issue 13 (the GEMM forward of a large batch, which used to hold
two chunks at once; the FFT path, which had no cap; the GEMM path forced on the same
shape), one sample too large for one chunk (row bands), many channels (channel groups),
a strided conv, and a large single-image correlation (the FFT branch of ``correlate2d``).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MiB = 2 ** 20

# name: (what, force, (N, C, H, W), (F, k), stride, padding)
CASES = {
    "gemm-fwd": ("forward", None, (54, 64, 64, 64), (64, 3), 1, 1),
    "gemm-bwd": ("backward", None, (54, 64, 64, 64), (64, 3), 1, 1),
    "fft-fwd": ("forward", None, (2, 128, 64, 64), (128, 7), 1, 3),
    "fft-bwd": ("backward", None, (2, 128, 64, 64), (128, 7), 1, 3),
    "fft-fits-fwd": ("forward", None, (16, 16, 96, 96), (16, 7), 1, 3),
    "fft-fits-bwd": ("backward", None, (16, 16, 96, 96), (16, 7), 1, 3),
    "gemm-forced-fwd": ("forward", "flat", (2, 128, 64, 64), (128, 7), 1, 3),
    "gemm-forced-bwd": ("backward", "flat", (2, 128, 64, 64), (128, 7), 1, 3),
    "one-big-sample-fwd": ("forward", None, (1, 256, 200, 200), (8, 3), 1, 1),
    "one-big-sample-bwd": ("backward", None, (1, 256, 200, 200), (8, 3), 1, 1),
    "many-channels-fwd": ("forward", None, (1, 40000, 20, 20), (2, 3), 1, 1),
    "strided-bwd": ("backward", None, (32, 64, 96, 96), (64, 5), 2, 2),
    "offsets-bwd": ("backward", None, (8, 1, 1500, 1500), (1, 3), 1, 1),
    "correlate2d-fft": ("correlate", None, (1, 1, 4000, 4000), (1, 15), 1, 0),
}


def child(name: str) -> dict:
    """Run one case in this process and measure it (called in the subprocess)."""
    import resource
    import tracemalloc

    import numpy as np

    from cnnedu.nn.conv import _im2col, conv2d, conv2d_backward, correlate2d

    what, force, (N, C, H, W), (F, k), s, p = CASES[name]
    rng = np.random.default_rng(0)
    dt = np.float32
    x = rng.standard_normal((N, C, H, W), dtype=dt)
    if what == "correlate":
        image, kernel = x[0, 0], rng.standard_normal((k, k), dtype=dt)
        method = "fft, bands" if k * k >= 49 else "taps, bands"
    else:
        w = rng.standard_normal((F, C, k, k), dtype=dt)
        b = rng.standard_normal(F, dtype=dt)
        Ho, Wo = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
        dy = rng.standard_normal((N, F, Ho, Wo), dtype=dt) if what == "backward" else None
        _im2col.FORCE = force
        method, tiles = _im2col._method_and_plan(x, w, (p, p), (s, s), (1, 1), (Ho, Wo),
                                                 what == "backward", _im2col.SCRATCH_BYTES)
        tiles = f"{tiles} samples" if isinstance(tiles, int) else f"{tiles.size} {tiles.split}"
        method = f"{method}, {tiles}"
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    if what == "forward":
        out = [conv2d(x, w, b, stride=s, padding=p)]
    elif what == "backward":
        out = list(conv2d_backward(dy, x, w, stride=s, padding=p))
    else:
        out = [correlate2d(image, kernel, mode="same")]
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    out_bytes = sum(a.nbytes for a in out if a is not None)
    return {"method": method, "peak": peak, "outputs": out_bytes,
            "scratch": peak - out_bytes, "inputs": x.nbytes,
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="case names")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    from cnnedu.nn.conv._im2col import SCRATCH_BYTES

    cap = SCRATCH_BYTES / MiB
    print(f"scratch cap {cap:.0f} MiB per call; float32; one fresh process per case")
    head = (f"{'case':20} {'x (N, C, H, W)':20} {'F k s p':11} {'method, tile':22} "
            f"{'scratch':>8} {'outputs':>8} {'maxrss':>8}  under cap")
    print(head)
    print("-" * len(head))
    worst = 0.0
    for name in args.only or list(CASES):
        what, force, xs, (F, k), s, p = CASES[name]
        run = subprocess.run([sys.executable, __file__, "--child", name], cwd=ROOT,
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print(f"{name:20} failed: {run.stderr.strip().splitlines()[-1]}")
            worst = float("inf")
            continue
        r = json.loads(run.stdout.strip().splitlines()[-1])
        scratch = r["scratch"] / MiB
        worst = max(worst, scratch)
        print(f"{name:20} {str(xs):20} {f'{F} {k} {s} {p}':11} {r['method']:22} "
              f"{scratch:7.0f}M {r['outputs'] / MiB:7.0f}M {r['maxrss'] / MiB:7.0f}M  "
              f"{'yes' if scratch <= cap else 'NO'}")
    print("(scratch = traced peak during the call minus its outputs, MiB; maxrss = the "
          "child's peak resident set, inputs and interpreter included)")
    print(f"largest scratch {worst:.0f} MiB: every case {'under' if worst <= cap else 'NOT under'} "
          f"the {cap:.0f} MiB cap")
    return 0 if worst <= cap else 1


if __name__ == "__main__":
    sys.exit(main())
