"""Per-update time of notebook 03's variance meter, in the kernel (no browser).

Run from the repository root::

    python benchmarks/bench_widgets_nb03.py            # 30 updates per scenario
    python benchmarks/bench_widgets_nb03.py --reps 100

Budget: 30 ms per change (CONTRIBUTING). Prints the median over repeated updates of each
control at the default size (20 layers, 8 channels, a 32x32 photograph), the "histogram
at" slider also at the largest stack the controls allow (50 layers of 32 channels: it
used to rerun the whole stack, 70-97 ms; now it picks a layer from the computed profile),
the initializer dropdown there (the stack must be recomputed: about 100 ms of CPU in
float64 on a 32x32 photograph; the meter now runs float32, and on 16x16 beyond 16
channels: about a third of that), and the computation alone (depth_profile, not
budgeted) to split it from the drawing (RGB plots + PNG encoding). Every initializer is
selected once first to warm the text cache and every code path. See widget_timing.py for
what is measured.

On a loaded machine OpenBLAS's second thread spins while it waits, and the cpu column
then counts that too: compare versions with ``OPENBLAS_NUM_THREADS=1`` set in the shell
(the one place it may be set; never in tests or CI).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cnnedu.topics.depth import depth_profile  # noqa: E402
from cnnedu.widgets.variance_meter import METER_INITS, VarianceMeter  # noqa: E402
from widget_timing import report  # noqa: E402

BUDGET_MS = 30.0
REPS = 30
COMPUTE_ONLY = "depth_profile alone"


def scenarios(m: VarianceMeter) -> dict:
    names = [n for n in METER_INITS]
    acts = ["relu", "tanh"]

    def change_init(i):
        m.init.value = names[i % len(names)] if names[i % len(names)] != m.init.value else names[0]

    def change_activation(i):
        m.activation.value = acts[i % 2]

    def change_layer(i):
        m.layer.value = 1 + (i * 7) % 20

    big = VarianceMeter(depth=50, width=32)

    def change_layer_big(i):
        big.layer.value = 1 + (i * 7) % 50

    def change_init_big(i):
        big.init.value = names[i % len(names)] if names[i % len(names)] != big.init.value else names[0]

    def compute_only(i):
        depth_profile("he_normal", acts[i % 2], depth=20, channels=8, size=32, keep_layer=20,
                      dtype="float32")

    return {"initializer dropdown": change_init, "activation dropdown": change_activation,
            "histogram layer slider": change_layer,
            "histogram layer slider, 50 layers x 32 channels": change_layer_big,
            "initializer dropdown, 50 layers x 32 channels": change_init_big,
            COMPUTE_ONLY: compute_only}


def warm(m: VarianceMeter) -> None:
    """Select every initializer once (the text cache and every code path), then He normal."""
    for n in METER_INITS:
        m.init.value = n
    m.init.value = "he_normal"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    m = VarianceMeter()
    warm(m)
    return report("variance meter update (20 layers, 8 channels, 32x32)", scenarios(m),
                  budget_ms=BUDGET_MS, reps=args.reps, warmup=0, info_only={COMPUTE_ONLY})


if __name__ == "__main__":
    raise SystemExit(main())
