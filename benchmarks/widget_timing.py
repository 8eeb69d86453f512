"""Shared timing loop of the widget benchmarks (``bench_widgets_nb01.py`` ... ``nb06.py``).

What is measured: the kernel side of one widget update. A scenario changes one control
the way a learner does (sets a trait such as ``slider.value``, or clicks a button); the
trait change runs the widget's observer, which parses the input, computes (convolutions,
training steps, statistics), draws and encodes the PNG bytes it writes into the
``ipywidgets.Image`` panels. The time of that whole synchronous call is what a learner
waits for before the browser receives new pictures. The browser's own work (receiving
the message, decoding and drawing the PNGs) happens outside the kernel and is not
included.

Why medians: each scenario is repeated many times and the median per update is compared
with the budget. The machine is often shared (two cores, a test run or a notebook server
in the background), so single updates are now and then delayed by a scheduler hiccup or
a garbage collection; the median ignores those, while the 90th percentile, printed next
to it, shows how bad the slow updates get. The median CPU time of the process per update
(``cpu``) is printed too: it hardly moves when other programs load the machine, so it is
the column to compare between two versions of the code measured at different times. The
budget verdict is on the wall-clock median (what a learner waits for).

Usage::

    from widget_timing import Scenario, report
    code = report("my widget", {"move the slider": lambda i: setattr(w.s, "value", i % 9)},
                  budget_ms=30, reps=40)

A scenario is a callable ``update(i)`` or a :class:`Scenario` that adds a ``setup`` run
before it (untimed), its own repetition count, or the number of updates one call makes.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable, Collection, Mapping, Optional, Union


@dataclass
class Scenario:
    """One timed scenario: ``update(i)`` is called for i = 0, 1, ...

    ``setup()`` runs once before the warm-up (untimed), e.g. to set a size first;
    ``reps`` overrides the report's repetition count; ``updates`` is the number of widget
    updates one call makes (a Run click that animates several steps): the line then also
    shows the time per update.
    """

    update: Callable[[int], object]
    setup: Optional[Callable[[], object]] = None
    reps: Optional[int] = None
    updates: int = 1


ScenarioLike = Union[Scenario, Callable[[int], object]]


def time_updates(update: Callable[[int], object], reps: int, warmup: int = 1,
                 cpu: Optional[list] = None) -> list[float]:
    """Call ``update(i)`` for i = 0 .. warmup + reps - 1; return the ms of the last ``reps``.

    The first ``warmup`` calls (i = 0 .. warmup - 1) are not timed: they fill caches
    (images loaded once, lazy imports) so that the timings show the steady state. When
    ``cpu`` is a list, the process's CPU ms of each timed call are appended to it.
    """
    times = []
    for i in range(warmup + reps):
        t0, c0 = time.perf_counter(), time.process_time()
        update(i)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000.0)
            if cpu is not None:
                cpu.append((time.process_time() - c0) * 1000.0)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """The median and the 90th percentile (ms) of ``times``."""
    med = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return med, p90


def report(title: str, scenarios: Mapping[str, ScenarioLike], *, budget_ms: float,
           reps: int, warmup: int = 1, info_only: Collection[str] = ()) -> int:
    """Time every scenario in order, print one line each and a verdict; 0 if within budget.

    Scenarios run in the mapping's order on the same widget(s), so one may depend on the
    state the previous ones left. Names in ``info_only`` are timed and printed but not
    compared with the budget (e.g. the computation alone, without the widget). Returns 0
    when every other median is within ``budget_ms``, 1 otherwise.
    """
    unknown = set(info_only) - set(scenarios)
    if unknown:
        raise ValueError(f"info_only names no scenario: {sorted(unknown)}")
    print(f"{title}: median of {reps} timed updates per scenario"
          + (f" after {warmup} untimed" if warmup else "")
          + f" (budget {budget_ms:g} ms per update)")
    width = max(len(name) for name in scenarios)
    worst_name, worst = None, 0.0
    for name, sc in scenarios.items():
        if not isinstance(sc, Scenario):
            sc = Scenario(sc)
        if sc.setup is not None:
            sc.setup()
        cpu: list[float] = []
        med, p90 = summary(time_updates(sc.update, sc.reps or reps, warmup, cpu=cpu))
        if name in info_only:
            flag = "(not budgeted)"
        else:
            flag = "within budget" if med <= budget_ms else "OVER BUDGET"
            if worst_name is None or med > worst:
                worst_name, worst = name, med
        extra = (f"   = {sc.updates} updates, {med / sc.updates:.2f} ms each"
                 if sc.updates > 1 else "")
        print(f"  {name:<{width}}  median {med:7.1f} ms   p90 {p90:7.1f} ms   "
              f"cpu {statistics.median(cpu):7.1f} ms   {flag}{extra}")
    if worst_name is None:
        print("no budgeted scenario")
        return 0
    ok = worst <= budget_ms
    print(f"slowest median {worst:.1f} ms ({worst_name}): "
          f"{'within' if ok else 'OVER'} the {budget_ms:g} ms budget")
    return 0 if ok else 1
