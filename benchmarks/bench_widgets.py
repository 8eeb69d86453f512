"""Run the six widget benchmarks (notebooks 01-06) in one go; exit 1 if any is over budget.

Run from the repository root::

    python benchmarks/bench_widgets.py                 # each notebook's own repetitions
    python benchmarks/bench_widgets.py --reps 100      # the same count for every notebook
    python benchmarks/bench_widgets.py --only 03 05    # a subset of the notebooks

Each notebook's script (bench_widgets_nbNN.py) runs in this process, after a header; a
summary with every notebook's verdict closes the output. See widget_timing.py for what is
measured.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))     # the bench_widgets_nbNN modules
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # cnnedu from a checkout

# Each notebook's script is imported only when it runs, so ``--only 01`` works even while
# another notebook's widget is being changed (and fails to import).
NOTEBOOKS = ("01", "02", "03", "04", "05", "06")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=None,
                    help="repetitions per scenario for every notebook (default: each one's own)")
    ap.add_argument("--only", nargs="+", choices=NOTEBOOKS, metavar="NN",
                    help="notebooks to run, e.g. 01 04 (default: all)")
    args = ap.parse_args(argv)
    verdicts = {}
    for nn in args.only or NOTEBOOKS:
        mod = importlib.import_module(f"bench_widgets_nb{nn}")
        reps = args.reps if args.reps is not None else mod.REPS
        print(f"\n=== notebook {nn} ({mod.__name__}.py, {reps} reps) ===")
        t0 = time.perf_counter()
        code = mod.main(["--reps", str(reps)])
        verdicts[nn] = (code, mod.BUDGET_MS, time.perf_counter() - t0)
    print("\n=== summary ===")
    for nn, (code, budget, secs) in verdicts.items():
        print(f"  notebook {nn}: {'within' if code == 0 else 'OVER'} the {budget:g} ms budget"
              f"   ({secs:.0f} s)")
    over = [nn for nn, (code, _, _) in verdicts.items() if code != 0]
    print("all widget updates within budget" if not over
          else f"OVER budget: notebook {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
