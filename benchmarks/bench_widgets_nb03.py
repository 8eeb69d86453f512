"""Per-update time of notebook 03's variance meter, in the kernel (no browser).

Run: python benchmarks/bench_widgets_nb03.py
Budget (the issue): under 100 ms per change at the default size (20 layers, 8 channels,
a 32x32 photograph). Prints the median over repeated updates, split into the computation
(depth_profile) and the drawing (RGB plots + PNG encoding).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnnedu.depth import depth_profile  # noqa: E402
from cnnedu.widgets.variance_meter import METER_INITS, VarianceMeter  # noqa: E402

BUDGET_MS = 100.0


def median_ms(fn, repeat: int) -> float:
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def main() -> int:
    m = VarianceMeter()
    names = [n for n in METER_INITS]
    acts = ["relu", "tanh"]
    for n in names:          # warm the text cache and every code path once
        m.init.value = n
    m.init.value = "he_normal"

    def change_init(i):
        m.init.value = names[i % len(names)] if names[i % len(names)] != m.init.value else names[0]

    def change_activation(i):
        m.activation.value = acts[i % 2]

    def change_layer(i):
        m.layer.value = 1 + (i * 7) % 20

    def compute_only(i):
        depth_profile("he_normal", acts[i % 2], depth=20, channels=8, size=32, keep_layer=20)

    rows = [("initializer dropdown", change_init), ("activation dropdown", change_activation),
            ("histogram layer slider", change_layer), ("depth_profile alone", compute_only)]
    worst = 0.0
    for label, fn in rows:
        ms = median_ms(fn, 30)
        if label != "depth_profile alone":
            worst = max(worst, ms)
        print(f"{label:24s} median {ms:6.1f} ms per update (budget {BUDGET_MS:.0f} ms)")
    print(f"{'worst widget update':24s} median {worst:6.1f} ms: "
          f"{'within' if worst < BUDGET_MS else 'OVER'} the {BUDGET_MS:.0f} ms budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
