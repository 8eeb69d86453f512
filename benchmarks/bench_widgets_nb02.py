"""Per-update time of notebook 02's widgets, in the kernel (budget: 30 ms per update).

Run from the repository root::

    python benchmarks/bench_widgets_nb02.py            # 40 updates per scenario
    python benchmarks/bench_widgets_nb02.py --reps 200

Each widget is built once, then a control is changed repeatedly (cycling through values so
every update does real work); the median and 90th percentile per update are printed with
the budget. See widget_timing.py for what is measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.channel_explorer import ChannelExplorer  # noqa: E402
from cnnedu.widgets.shape_calculator import ShapeCalculator  # noqa: E402
from widget_timing import report  # noqa: E402

BUDGET_MS = 30.0
REPS = 40


def cycle(widget, values):
    """An update that sets ``widget.value`` to ``values[i % len(values)]``."""
    return lambda i: setattr(widget, "value", values[i % len(values)])


def scenarios(calc: ShapeCalculator, explorer: ChannelExplorer) -> dict:
    return {
        "shape calculator: input size slider": cycle(calc.size, [7, 16, 24, 12]),
        "shape calculator: kernel slider": cycle(calc.kernel, [3, 5, 2, 4]),
        "shape calculator: no window fits and back": lambda i: (
            setattr(calc.padding, "value", 0), setattr(calc.size, "value", 3),
            setattr(calc.kernel, "value", [9, 3][i % 2])),
        "channel explorer: filter dropdown": cycle(explorer.filter, list(range(20))),
        "channel explorer: bias box": cycle(explorer.bias, ["0.1", "-0.2", "0", "0.3"]),
        "channel explorer: activation dropdown": cycle(explorer.activation,
                                                       ["relu", "identity", "sigmoid", "tanh"]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    calc = ShapeCalculator()
    explorer = ChannelExplorer()
    return report("shape calculator and channel explorer update", scenarios(calc, explorer),
                  budget_ms=BUDGET_MS, reps=args.reps, warmup=0)


if __name__ == "__main__":
    raise SystemExit(main())
