"""Time the train-and-watch widget's updates in the kernel (no browser).

Run from the repository root::

    python benchmarks/bench_widgets_nb06.py            # 40 ticks and draws, 20 lr changes
    python benchmarks/bench_widgets_nb06.py --reps 100

One tick = the pace's batches (1, 5 or 6) + redrawing the three PNG panels; draw = the
redraw alone; a learning-rate change resets the network and redraws (timed reps // 2
times). Medians over repeated updates, printed with the 30 ms budget. See
widget_timing.py for what is measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.train_and_watch import PACES, TrainAndWatch  # noqa: E402
from widget_timing import Scenario, report  # noqa: E402

BUDGET_MS = 30.0
REPS = 40


def scenarios(w: TrainAndWatch, reps: int) -> dict:
    def tick(pace):
        def run(i):
            w.pace_dd.value = pace
            if w.finished:
                w.reset()
            w.tick()
        return run

    return {
        **{f"tick, pace {p.split(' (')[0]} ({PACES[p][0]} batch(es) + redraw)": tick(p)
           for p in PACES},
        "draw only (3 PNG panels)": lambda i: w.draw(),
        "change learning rate (reset + draw)": Scenario(
            lambda i: setattr(w.lr_box, "value", "0.05" if w.lr != 0.05 else "0.06"),
            reps=max(1, reps // 2)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    w = TrainAndWatch(max_epochs=15)
    return report("train and watch update", scenarios(w, args.reps),
                  budget_ms=BUDGET_MS, reps=args.reps, warmup=0)


if __name__ == "__main__":
    raise SystemExit(main())
