"""Time the train-and-watch widget's updates in the kernel (no browser).

    python benchmarks/bench_widgets_nb06.py

One tick = STEPS_PER_TICK training batches + redrawing the three PNG panels; draw = the
redraw alone. Medians over repeated updates, printed with the 30 ms budget.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.train_and_watch import STEPS_PER_TICK, TrainAndWatch  # noqa: E402

BUDGET_MS = 30.0


def median_ms(fn, reps=40):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> int:
    w = TrainAndWatch(max_epochs=15)
    rows = [(f"tick ({STEPS_PER_TICK} batches + redraw)", median_ms(w.tick)),
            ("draw only (3 PNG panels)", median_ms(w.draw)),
            ("change learning rate (reset + draw)",
             median_ms(lambda: setattr(w.lr_box, "value", "0.05" if w.lr != 0.05 else "0.06"), 20))]
    for name, ms in rows:
        print(f"{name:40s} median {ms:6.1f} ms   budget {BUDGET_MS:.0f} ms   "
              f"{'ok' if ms <= BUDGET_MS else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
