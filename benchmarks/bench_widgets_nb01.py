"""Time one update of the filter explorer (notebook 01) in the kernel: budget 30 ms.

Run from the repository root::

    python benchmarks/bench_widgets_nb01.py            # 60 updates per scenario
    python benchmarks/bench_widgets_nb01.py --reps 200

Each scenario changes one control the way a learner does (the trait change runs the
widget's observer, which parses, computes and writes PNG bytes into the ipywidgets.Image
panels) on the 256x256 images; the kernel size is set first (untimed) and one untimed
update warms the caches. See widget_timing.py for what is measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.filter_explorer import FilterExplorer  # noqa: E402
from widget_timing import Scenario, report  # noqa: E402

BUDGET_MS = 30.0
REPS = 60


def scenarios(w: FilterExplorer) -> dict[str, Scenario]:
    presets = ["sobel_x", "sobel_y", "laplacian", "gaussian", "sharpen", "box_blur"]

    def sized(size, update):
        return Scenario(update, setup=lambda: setattr(w.size, "value", size))

    return {
        "type a kernel cell (3x3)": sized(3, lambda i: setattr(w.cells[0], "value", str(i % 7 - 3))),
        "type a kernel cell (5x5)": sized(5, lambda i: setattr(w.cells[0], "value", str(i % 7 - 3))),
        "pick a preset (3x3)": sized(3, lambda i: setattr(w.preset, "value", presets[i % 6])),
        "pick a preset (5x5)": sized(5, lambda i: setattr(w.preset, "value", presets[i % 6])),
        "type a bias (relu)": sized(3, lambda i: setattr(w.bias, "value", f"{(i % 9) / 10 - 0.4:g}")),
        "pick an activation": sized(3, lambda i: setattr(w.activation, "value",
                                                         ["relu", "sigmoid", "tanh", "identity"][i % 4])),
        "pick an image": sized(3, lambda i: setattr(w.image_name, "value",
                                                    ["camera", "brick", "chelsea", "shapes"][i % 4])),
        "type a bad value": sized(3, lambda i: setattr(w.cells[1], "value", ["abc", "nan", "", "1"][i % 4])),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    w = FilterExplorer(preset="sobel_x", image="camera", activation="relu")
    return report("filter explorer update, 256x256 images", scenarios(w),
                  budget_ms=BUDGET_MS, reps=args.reps, warmup=1)


if __name__ == "__main__":
    raise SystemExit(main())
