"""Per-update time of the notebook 05 widgets, in the kernel (no browser).

Run from the repository root::

    python benchmarks/bench_widgets_nb05.py [--reps 30]

Prints the median time of one update for each control, against the 30 ms budget. The
player's Run button is a bounded animation of RUN_STEPS updates; its per-click time is
printed separately, with the time per update.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.filter_learning import RUN_STEPS, FilterLearningPlayer  # noqa: E402
from cnnedu.widgets.gradient_flow import GradientFlowExplorer  # noqa: E402

BUDGET_MS = 30.0


def median_ms(action, reps: int) -> float:
    times = []
    for k in range(reps):
        t0 = time.perf_counter()
        action(k)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args(argv)
    gfe = GradientFlowExplorer()
    gfe.set(in_size=9, kernel=3, padding=2)  # the largest pictures
    player = FilterLearningPlayer()
    rows = {
        "gradient flow: move the row slider": lambda k: setattr(gfe.row, "value", k % 9),
        "gradient flow: change the stride": lambda k: setattr(gfe.stride, "value", 1 + k % 3),
        "gradient flow: switch the mode": lambda k: setattr(
            gfe.mode, "value", gfe.mode.options[k % 2]),
        "filter learning: Step (1 step + redraw)": lambda k: player.b_step.click(),
        "filter learning: Reset": lambda k: player.b_reset.click(),
        "filter learning: type a learning rate": lambda k: setattr(
            player.lr_box, "value", ("0.1", "0.2")[k % 2]),
    }
    print(f"median per update over {args.reps} repetitions (budget {BUDGET_MS:.0f} ms)")
    worst = 0.0
    for name, action in rows.items():
        ms = median_ms(action, args.reps)
        worst = max(worst, ms)
        print(f"  {name:45s} {ms:7.2f} ms  {'ok' if ms < BUDGET_MS else 'OVER BUDGET'}")
    run_click = median_ms(lambda k: (player.b_reset.click() if player.learner.steps > 1500
                                     else None, player.b_run.click()), max(3, args.reps // 5))
    print(f"  Run click = {RUN_STEPS} updates (step + redraw each, animated): "
          f"{run_click:.1f} ms per click, {run_click / RUN_STEPS:.2f} ms per update")
    print(f"worst median: {worst:.2f} ms ({'within' if worst < BUDGET_MS else 'over'} the "
          f"{BUDGET_MS:.0f} ms budget)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
