"""Time one update of the filter explorer (notebook 01) in the kernel: budget 30 ms.

Run from the repository root::

    python benchmarks/bench_widgets_nb01.py            # 60 updates per scenario
    python benchmarks/bench_widgets_nb01.py --reps 200

Each scenario changes one control the way a learner does (the trait change runs the
widget's observer, which parses, computes and writes PNG bytes into the ipywidgets.Image
panels) on the 256x256 images. Reported: the median and the 90th percentile per update.
The browser's own drawing is not included (it happens outside the kernel).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.filter_explorer import FilterExplorer  # noqa: E402

BUDGET_MS = 30.0


def scenarios(w: FilterExplorer):
    presets = ["sobel_x", "sobel_y", "laplacian", "gaussian", "sharpen", "box_blur"]
    return {
        "type a kernel cell (3x3)": (lambda i: setattr(w.cells[0], "value", str(i % 7 - 3)), 3),
        "type a kernel cell (5x5)": (lambda i: setattr(w.cells[0], "value", str(i % 7 - 3)), 5),
        "pick a preset (3x3)": (lambda i: setattr(w.preset, "value", presets[i % 6]), 3),
        "pick a preset (5x5)": (lambda i: setattr(w.preset, "value", presets[i % 6]), 5),
        "type a bias (relu)": (lambda i: setattr(w.bias, "value", f"{(i % 9) / 10 - 0.4:g}"), 3),
        "pick an activation": (lambda i: setattr(w.activation, "value",
                                                 ["relu", "sigmoid", "tanh", "identity"][i % 4]), 3),
        "pick an image": (lambda i: setattr(w.image_name, "value",
                                            ["camera", "brick", "chelsea", "shapes"][i % 4]), 3),
        "type a bad value": (lambda i: setattr(w.cells[1], "value", ["abc", "nan", "", "1"][i % 4]), 3),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=60)
    args = ap.parse_args(argv)
    w = FilterExplorer(preset="sobel_x", image="camera", activation="relu")
    print(f"filter explorer update, 256x256 images, {args.reps} updates each "
          f"(budget {BUDGET_MS:.0f} ms)")
    worst = 0.0
    for name, (act, size) in scenarios(w).items():
        w.size.value = size
        act(0)                                          # warm up caches
        times = []
        for i in range(1, args.reps + 1):
            t0 = time.perf_counter()
            act(i)
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        worst = max(worst, med)
        flag = "ok" if med <= BUDGET_MS else "OVER BUDGET"
        print(f"  {name:26s} median {med:6.1f} ms   p90 {p90:6.1f} ms   {flag}")
    print(f"slowest median {worst:.1f} ms (budget {BUDGET_MS:.0f} ms): "
          f"{'within budget' if worst <= BUDGET_MS else 'OVER BUDGET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
