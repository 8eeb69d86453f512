"""Per-update time of the notebook 05 widgets, in the kernel (no browser).

Run from the repository root::

    python benchmarks/bench_widgets_nb05.py            # 30 updates per scenario
    python benchmarks/bench_widgets_nb05.py --reps 100

Prints the median time of one update for each control, against the 30 ms budget. The
gradient flow explorer is set to its largest pictures first. The player's Run button is a
bounded animation of RUN_STEPS updates: its per-click time (max(3, reps // 5) clicks,
not budgeted) is printed with the time per update. See widget_timing.py for what is
measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnedu.widgets.filter_learning import RUN_STEPS, FilterLearningPlayer  # noqa: E402
from cnnedu.widgets.gradient_flow import GradientFlowExplorer  # noqa: E402
from widget_timing import Scenario, report  # noqa: E402

BUDGET_MS = 30.0
REPS = 30
RUN_CLICK = f"filter learning: Run click ({RUN_STEPS} animated updates)"


def scenarios(gfe: GradientFlowExplorer, player: FilterLearningPlayer, reps: int) -> dict:
    def run_click(k):
        if player.learner.steps > 1500:  # keep the learner in its usual range
            player.b_reset.click()
        player.b_run.click()

    return {
        "gradient flow: move the row slider": lambda k: setattr(gfe.row, "value", k % 9),
        "gradient flow: change the stride": lambda k: setattr(gfe.stride, "value", 1 + k % 3),
        "gradient flow: switch the mode": lambda k: setattr(
            gfe.mode, "value", gfe.mode.options[k % 2]),
        "filter learning: Step (1 step + redraw)": lambda k: player.b_step.click(),
        "filter learning: Reset": lambda k: player.b_reset.click(),
        "filter learning: type a learning rate": lambda k: setattr(
            player.lr_box, "value", ("0.1", "0.2")[k % 2]),
        RUN_CLICK: Scenario(run_click, reps=max(3, reps // 5), updates=RUN_STEPS),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=REPS)
    args = ap.parse_args(argv)
    gfe = GradientFlowExplorer()
    gfe.set(in_size=9, kernel=3, padding=2)  # the largest pictures
    player = FilterLearningPlayer()
    return report("gradient flow explorer and filter learning player update",
                  scenarios(gfe, player, args.reps), budget_ms=BUDGET_MS, reps=args.reps,
                  warmup=0, info_only={RUN_CLICK})


if __name__ == "__main__":
    raise SystemExit(main())
