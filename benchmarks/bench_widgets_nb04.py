"""Time one update of the activation explorer (notebook 04) in the kernel: budget 30 ms.

Run from the repository root::

    python benchmarks/bench_widgets_nb04.py            # 40 updates per scenario
    python benchmarks/bench_widgets_nb04.py --reps 200

Each scenario changes one control the way a learner does (the trait change runs the
widget's observer: it filters the 128x128 image, applies the activation, draws the
histogram, collapses or fits the two-layer kernel on the 64x64 image, and writes PNG bytes
into the panels). Reported: the median and the 90th percentile per update. The browser's
own drawing is not included.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.activation_explorer import ACTIVATIONS, FILTERS, ActivationExplorer  # noqa: E402

BUDGET_MS = 30.0


def scenarios(w: ActivationExplorer):
    filters = list(FILTERS)
    return {
        "move the bias slider (no ReLU between)": (lambda i: setattr(w.bias, "value", (i % 21) / 10 - 1), False),
        "move the bias slider (ReLU between: least squares)": (lambda i: setattr(w.bias, "value", (i % 21) / 10 - 1), True),
        "pick an activation": (lambda i: setattr(w.activation, "value", ACTIVATIONS[i % len(ACTIVATIONS)]), True),
        "pick a filter": (lambda i: setattr(w.filter, "value", filters[i % len(filters)]), True),
        "pick an image": (lambda i: setattr(w.image, "value", w.image.options[i % len(w.image.options)]), True),
        "type a filter scale": (lambda i: setattr(w.scale, "value", f"{1 + i % 5}"), True),
        "flip the ReLU toggle": (lambda i: setattr(w.relu_between, "value", bool(i % 2)), None),
        "type a bad scale": (lambda i: setattr(w.scale, "value", ["abc", "nan", "", "2"][i % 4]), True),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=40)
    args = ap.parse_args(argv)
    w = ActivationExplorer()
    print(f"activation explorer update, {args.reps} updates each (budget {BUDGET_MS:.0f} ms)")
    worst = 0.0
    for name, (step, relu) in scenarios(w).items():
        if relu is not None:
            w.relu_between.value = relu
        w.scale.value = "1"
        step(0)  # warm the caches (the images load once)
        times = []
        for i in range(1, args.reps + 1):
            t0 = time.perf_counter()
            step(i)
            times.append(1000 * (time.perf_counter() - t0))
        med = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        worst = max(worst, med)
        print(f"  {name:<55} median {med:6.1f} ms   p90 {p90:6.1f} ms")
    print(f"slowest median {worst:.1f} ms: {'within' if worst <= BUDGET_MS else 'OVER'} "
          f"the {BUDGET_MS:.0f} ms budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
