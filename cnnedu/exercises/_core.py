"""The verdict engine behind every exercise check.

A check calls the learner's code, compares what comes back with the reference, and returns
a :class:`Verdict`. It never raises, whatever the learner wrote:

- a stub (``raise NotImplementedError`` or ``return None``) gives "not yet";
- an exception is reported by its type and message (no traceback);
- a function that does not return within a time limit is stopped and reported;
- printing is captured (a learner's debug prints do not flood the check's output);
- an answer of the wrong type, with NaN or inf, complex, or of the wrong shape is "wrong";
- a wrong answer that equals what a classic mistake produces is named
  (:func:`diagnose`: "this is what you get when the kernel is flipped");
- an answer that passes only because the learner called the package function the
  exercise asks them to write is passed, and they are told so (:func:`watch_calls`).

The verdict is shown as one stable block of text, so a notebook saved with the stubs in
place runs top to bottom and nbval can compare it.

This module is the public face: :class:`Verdict` and its constructors live in
``_verdict.py``, the comparisons in ``_compare.py``; import every name from here.

>>> import numpy as np
>>> compare(np.zeros((2, 3)), np.zeros((2, 3)), "y").passed
True
>>> print(compare(np.zeros((2, 3)), np.zeros((4, 2)), "y", hint="rows are H"))
WRONG: y has shape (2, 3); expected shape (4, 2).
  hint: rows are H
>>> print(compare_value(2.5, 3, "H_out", exact=True, mistakes={"you used ceil": 4}))
WRONG: H_out = 2.5 is not a whole number; expected a count.
>>> print(call(lambda: None, name="my_fn"))
NOT YET: my_fn returned None: replace the stub with your code, then run this cell again.
>>> def forever():
...     while True:
...         pass
>>> print(call(forever, time_limit=0.2))
WRONG: forever did not return within 0.2 s (an endless loop?); it was stopped.
  hint: check that every loop ends: a while loop needs a step that reaches its condition
"""
from __future__ import annotations

import contextlib
import io
import signal
import sys
import threading
import time
from typing import Any, Callable

from cnnedu.exercises._compare import as_array, compare, compare_shape, compare_value, diagnose
from cnnedu.exercises._verdict import Verdict, not_yet, passed, wrong

__all__ = ["Verdict", "passed", "wrong", "not_yet", "call", "as_array", "compare",
           "compare_value", "compare_shape", "diagnose", "watch_calls", "run_all",
           "TIME_LIMIT", "capped_time_limit"]

#: Seconds a learner's function may run in one call before it is stopped.
TIME_LIMIT = 10.0
#: Characters of a learner's printed output kept (the rest is counted, not shown).
_PRINT_KEEP = 300


# --------------------------------------------------------------------------- calling

class _TimeUp(BaseException):
    """Raised inside the learner's code when its time is up (BaseException, so a bare
    ``except Exception`` in their code cannot swallow it)."""


class _Capped(io.StringIO):
    """A stdout that keeps the first few hundred characters and counts the rest."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def write(self, s):
        self.total += len(s)
        room = _PRINT_KEEP - self.tell()
        if room > 0:
            super().write(s[:room])
        return len(s)


@contextlib.contextmanager
def _deadline(seconds: float):
    """Stop the code in the block after ``seconds``: with a timer signal in the main thread
    (it interrupts any Python loop), or with a line tracer elsewhere."""
    use_signal = (threading.current_thread() is threading.main_thread()
                  and hasattr(signal, "setitimer"))
    if use_signal:
        def on_alarm(signum, frame):
            raise _TimeUp()
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    else:
        end = time.monotonic() + seconds
        old = sys.gettrace()

        def tracer(frame, event, arg):
            if time.monotonic() > end:
                raise _TimeUp()
            return tracer
        sys.settrace(tracer)
        try:
            yield
        finally:
            sys.settrace(old)


_TIME_CAP: list[float] = []     # set by capped_time_limit (tests), innermost last


@contextlib.contextmanager
def capped_time_limit(seconds: float):
    """Within the block, no :func:`call` runs longer than ``seconds``, whatever time limit
    its check asks for (tests use it to try an endless loop on every check quickly).

    >>> def forever():
    ...     while True:
    ...         pass
    >>> with capped_time_limit(0.1):
    ...     print(call(forever, time_limit=30).message)
    forever did not return within 0.1 s (an endless loop?); it was stopped.
    """
    _TIME_CAP.append(float(seconds))
    try:
        yield
    finally:
        _TIME_CAP.pop()


def call(fn: Callable, *args, name: str | None = None, time_limit: float = TIME_LIMIT,
         **kwargs) -> Any:
    """Call the learner's ``fn``; return its result, or a :class:`Verdict` if it did not work.

    A stub (``NotImplementedError`` or ``None``) gives "not yet"; any other exception gives
    "wrong" with its type and message (no traceback); a call that runs past ``time_limit``
    seconds is stopped and gives "wrong". What the function prints is captured: a few
    hundred characters are kept in the verdict's notes (as ``verdict.notes``) only when
    the call failed.
    """
    label = name or getattr(fn, "__name__", "your function")
    if _TIME_CAP:
        time_limit = min(time_limit, _TIME_CAP[-1])
    if not callable(fn):
        return wrong(f"expected a function for {label}; got {type(fn).__name__}",
                     hint="pass the function itself, without calling it: check(my_fn)")
    out_buf = _Capped()
    try:
        with contextlib.redirect_stdout(out_buf), contextlib.redirect_stderr(out_buf):
            with _deadline(time_limit):
                out = fn(*args, **kwargs)
    except NotImplementedError:
        return not_yet(f"{label} still raises NotImplementedError: replace the stub with "
                       "your code, then run this cell again.")
    except _TimeUp:
        return wrong(f"{label} did not return within {time_limit:g} s (an endless loop?); "
                     "it was stopped.",
                     hint="check that every loop ends: a while loop needs a step that "
                          "reaches its condition")
    except RecursionError:
        return wrong(f"{label} raised RecursionError (it calls itself without end).",
                     hint="a function that calls itself needs a case that stops")
    except KeyboardInterrupt:
        return wrong(f"{label} was interrupted.")
    except SystemExit:
        return wrong(f"{label} called exit() (SystemExit): the check needs it to return "
                     "its answer.", hint="return the result instead of exiting")
    except Exception as exc:  # the learner's code may raise anything
        msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        v = wrong(f"{label} raised {type(exc).__name__}" + (f": {msg}" if msg else ""),
                  hint="run it on the example above and read the error message")
        if out_buf.total:
            v.notes.append(f"it printed {out_buf.total} characters before that")
        return v
    if out is None:
        return not_yet(f"{label} returned None: replace the stub with your code, then run "
                       "this cell again.")
    return out


@contextlib.contextmanager
def watch_calls(*functions: Callable):
    """Record which of ``functions`` run inside the block (however the learner imported
    them): ``with watch_calls(conv2d, correlate2d) as seen: ...``; then ``seen`` is the set
    of the names called. Python functions only (matched by their code object)."""
    codes = {}
    for f in functions:
        code = getattr(getattr(f, "__wrapped__", f), "__code__", None)
        if code is not None:
            codes[code] = f"{f.__module__}.{f.__qualname__}"
    seen: set[str] = set()
    old = sys.getprofile()

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            seen.add(codes[frame.f_code])
    sys.setprofile(profiler)
    try:
        yield seen
    finally:
        sys.setprofile(old)


def run_all(verdicts: list[Verdict], summary: str) -> Verdict:
    """Combine several verdicts: the first that did not pass, or one "passed" summary."""
    for v in verdicts:
        if not v:
            return v
    return passed(summary)
