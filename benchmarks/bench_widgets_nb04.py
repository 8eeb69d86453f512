"""Time one update of the activation explorer (notebook 04) in the kernel: budget 30 ms.

Run from the repository root::

    python benchmarks/bench_widgets_nb04.py            # 40 updates per scenario
    python benchmarks/bench_widgets_nb04.py --reps 200

Each scenario changes one control the way a learner does (the trait change runs the
widget's observer: it filters the 128x128 image, applies the activation, draws the
histogram, collapses or fits the two-layer kernel on the 64x64 image, and writes PNG bytes
into the panels). Before each scenario the ReLU-between toggle is set (where the scenario
needs it) and the scale reset to 1, untimed; one untimed update warms the caches (the
images load once). See widget_timing.py for what is measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.activation_explorer import ACTIVATIONS, FILTERS, ActivationExplorer  # noqa: E402
from widget_timing import Scenario, report  # noqa: E402

BUDGET_MS = 30.0
REPS = 40


def scenarios(w: ActivationExplorer) -> dict[str, Scenario]:
    filters = list(FILTERS)

    def prepared(relu, update):
        """``update`` after setting the ReLU toggle (unless None) and the scale to 1."""
        def setup():
            if relu is not None:
                w.relu_between.value = relu
            w.scale.value = "1"
        return Scenario(update, setup=setup)

    return {
        "move the bias slider (no ReLU between)": prepared(False, lambda i: setattr(w.bias, "value", (i % 21) / 10 - 1)),
        "move the bias slider (ReLU between: least squares)": prepared(True, lambda i: setattr(w.bias, "value", (i % 21) / 10 - 1)),
        "pick an activation": prepared(True, lambda i: setattr(w.activation, "value", ACTIVATIONS[i % len(ACTIVATIONS)])),
        "pick a filter": prepared(True, lambda i: setattr(w.filter, "value", filters[i % len(filters)])),
        "pick an image": prepared(True, lambda i: setattr(w.image, "value", w.image.options[i % len(w.image.options)])),
        "type a filter scale": prepared(True, lambda i: setattr(w.scale, "value", f"{1 + i % 5}")),
        "flip the ReLU toggle": prepared(None, lambda i: setattr(w.relu_between, "value", bool(i % 2))),
        "type a bad scale": prepared(True, lambda i: setattr(w.scale, "value", ["abc", "nan", "", "2"][i % 4])),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    w = ActivationExplorer()
    return report("activation explorer update", scenarios(w),
                  budget_ms=BUDGET_MS, reps=args.reps, warmup=1)


if __name__ == "__main__":
    raise SystemExit(main())
