"""Per-update time of notebook 02's widgets, in the kernel (budget: 30 ms per update).

Run: python benchmarks/bench_widgets_nb02.py

Each widget is built once, then a control is changed repeatedly (cycling through values so
every update does real work); the median over the updates is printed with the budget.
"""
from __future__ import annotations

import statistics
import time

from cnnedu.widgets.channel_explorer import ChannelExplorer
from cnnedu.widgets.shape_calculator import ShapeCalculator

BUDGET_MS = 30.0
REPEATS = 40


def median_ms(set_value, values) -> float:
    times = []
    for i in range(REPEATS):
        v = values[i % len(values)]
        t0 = time.perf_counter()
        set_value(v)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    calc = ShapeCalculator()
    explorer = ChannelExplorer()
    rows = [
        ("shape calculator: input size slider",
         median_ms(lambda v: setattr(calc.size, "value", v), [7, 16, 24, 12])),
        ("shape calculator: kernel slider",
         median_ms(lambda v: setattr(calc.kernel, "value", v), [3, 5, 2, 4])),
        ("channel explorer: filter dropdown",
         median_ms(lambda v: setattr(explorer.filter, "value", v), list(range(20)))),
        ("channel explorer: bias box",
         median_ms(lambda v: setattr(explorer.bias, "value", v), ["0.1", "-0.2", "0", "0.3"])),
        ("channel explorer: activation dropdown",
         median_ms(lambda v: setattr(explorer.activation, "value", v),
                   ["relu", "identity", "sigmoid", "tanh"])),
    ]
    worst = 0.0
    for name, ms in rows:
        worst = max(worst, ms)
        print(f"{name:<40} median {ms:6.1f} ms per update (budget {BUDGET_MS:.0f} ms)")
    print("within budget" if worst <= BUDGET_MS else "OVER BUDGET")
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
