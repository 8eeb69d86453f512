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
import math
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["Verdict", "passed", "wrong", "not_yet", "call", "as_array", "compare",
           "compare_value", "compare_shape", "diagnose", "watch_calls", "run_all",
           "TIME_LIMIT"]

_NOT_YET = "not yet"
_WRONG = "wrong"
_PASSED = "passed"

#: Seconds a learner's function may run in one call before it is stopped.
TIME_LIMIT = 10.0
#: Characters of a learner's printed output kept (the rest is counted, not shown).
_PRINT_KEEP = 300


@dataclass
class Verdict:
    """The outcome of a check: ``status`` is "passed", "not yet" or "wrong".

    ``bool(verdict)`` is True only when it passed. Its text (``repr``) is what the
    notebook shows. ``mistake`` names the classic mistake recognised, if any (tests use
    it); ``notes`` are lines shown whatever the status (for example "you called the
    package's conv2d").
    """

    status: str
    message: str
    hint: str = ""
    details: list[str] = field(default_factory=list)
    mistake: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == _PASSED

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = {"passed": "PASSED", "not yet": "NOT YET", "wrong": "WRONG"}[self.status]
        lines = [f"{head}: {self.message}"]
        lines += [f"  {d}" for d in self.details]
        if self.hint and not self.passed:
            lines.append(f"  hint: {self.hint}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__


def passed(message: str, notes: Iterable[str] = ()) -> Verdict:
    return Verdict(_PASSED, message, notes=list(notes))


def wrong(message: str, hint: str = "", details: list[str] | None = None, *,
          mistake: str = "") -> Verdict:
    return Verdict(_WRONG, message, hint, list(details or []), mistake=mistake)


def not_yet(message: str, hint: str = "") -> Verdict:
    return Verdict(_NOT_YET, message, hint)


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


# --------------------------------------------------------------------------- comparing

def as_array(got, what: str, hint: str = ""):
    """The learner's answer as a float64 array, or a "wrong" :class:`Verdict` saying why
    it is not one (not numeric, complex, ragged, a string, a boolean array)."""
    if isinstance(got, Verdict):
        return got
    if isinstance(got, (str, bytes, dict, set)):
        return wrong(f"{what} should be a numeric array; got a {type(got).__name__}", hint)
    try:
        raw = np.asarray(got)
    except Exception:  # ragged lists and the like
        return wrong(f"{what} should be a numeric array; got {type(got).__name__} that numpy "
                     "cannot turn into one (rows of different lengths?)", hint)
    if raw.dtype == bool:
        return wrong(f"{what} is an array of True/False; expected numbers", hint)
    if np.iscomplexobj(raw):
        if np.any(np.imag(raw) != 0):
            return wrong(f"{what} has complex values; expected real numbers", hint)
        raw = np.real(raw)
    if raw.dtype.kind not in "iuf":
        return wrong(f"{what} should be a numeric array; got an array of dtype "
                     f"{raw.dtype}", hint)
    return raw.astype(np.float64)


def compare_shape(arr: np.ndarray, expected_shape: tuple, what: str, hint: str = ""):
    """None if the shapes agree, else a "wrong" verdict that names both shapes."""
    if arr.shape == tuple(expected_shape):
        return None
    extra = ""
    if arr.shape == tuple(reversed(expected_shape)) and len(expected_shape) == 2:
        extra = " (transposed: rows and columns swapped?)"
    return wrong(f"{what} has shape {arr.shape}; expected shape {tuple(expected_shape)}"
                 f"{extra}.", hint)


def _first_difference(arr, expected, close) -> str:
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    return f"first difference at index {list(idx)}: got {arr[idx]:.6g}, expected {expected[idx]:.6g}"


def compare(got, expected, what: str, *, hint: str = "", rtol: float = 1e-6,
            atol: float = 1e-8, mistakes: dict | None = None) -> Verdict:
    """Compare an array answer with the reference: type, shape, finiteness, then values.

    ``mistakes`` maps a description of a classic mistake ("the kernel was flipped") to the
    array that mistake produces, or to ``(array, hint)``; a wrong answer equal to one of
    them is named (see :func:`diagnose`).
    """
    arr = as_array(got, what, hint)
    if isinstance(arr, Verdict):
        return arr
    expected = np.asarray(expected, dtype=np.float64)
    if mistakes:
        named = diagnose(arr, expected, mistakes, what, rtol=rtol, atol=atol)
        if named is not None:
            return named
    bad_shape = compare_shape(arr, expected.shape, what, hint)
    if bad_shape is not None:
        return bad_shape
    if not np.all(np.isfinite(arr)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        return wrong(f"{what}{list(idx)} is {arr[idx]}; expected a finite number "
                     f"({expected[idx]:.6g}).", hint)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return passed(f"{what} matches the reference (shape {expected.shape}).")
    return wrong(f"{what} has the right shape {expected.shape}, but {int((~close).sum())} of "
                 f"{expected.size} values differ.", hint, [_first_difference(arr, expected, close)])


def diagnose(arr, expected, mistakes: dict, what: str, *, rtol: float = 1e-6,
             atol: float = 1e-8) -> Verdict | None:
    """If ``arr`` differs from ``expected`` but equals what a listed mistake gives, a
    "wrong" verdict naming that mistake; else None.

    ``mistakes``: description -> array, or description -> (array, hint). The description
    completes "this is what you get when ...".
    """
    arr = np.asarray(arr, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if arr.shape == expected.shape and np.allclose(arr, expected, rtol=rtol, atol=atol):
        return None
    for description, value in mistakes.items():
        mistaken, hint = value if isinstance(value, tuple) else (value, "")
        if mistaken is None:
            continue
        m = np.asarray(mistaken, dtype=np.float64)
        if m.shape == arr.shape and np.all(np.isfinite(arr)) and np.allclose(
                arr, m, rtol=rtol, atol=atol):
            return wrong(f"{what} is not right: this is what you get when {description}.",
                         hint, mistake=description)
    return None


def _is_integer_value(g) -> bool:
    return isinstance(g, Integral) and not isinstance(g, bool) or (
        isinstance(g, (float, np.floating)) and math.isfinite(g) and float(g).is_integer())


def compare_value(got, expected, what: str, *, hint: str = "", rtol: float = 1e-6,
                  exact: bool = False, mistakes: dict | None = None) -> Verdict:
    """Compare a scalar (or a tuple of scalars) with the reference.

    With ``exact`` (counts, shapes, indices) the answer must be a whole number equal to the
    reference: 2.5 or 3.0000001 is wrong, never rounded. NaN, inf, complex numbers, strings
    and booleans are refused with a clear line. ``mistakes`` maps a description to the
    value a classic mistake gives.
    """
    if isinstance(got, Verdict):
        return got
    if mistakes:
        for description, value in mistakes.items():
            m, mhint = value if isinstance(value, tuple) and len(value) == 2 and isinstance(
                value[1], str) else (value, hint)
            if m is not None and m != expected and _same(got, m, rtol, exact):
                return wrong(f"{what} = {_show(got)} is not right: this is what you get "
                             f"when {description}.", mhint, mistake=description)
    if isinstance(expected, tuple):
        if isinstance(got, np.ndarray):
            got = tuple(got.tolist())
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return wrong(f"{what} should be a tuple of {len(expected)} values; got "
                         f"{_show(got)}", hint)
        for i, (g, e) in enumerate(zip(got, expected)):
            v = compare_value(g, e, f"{what}[{i}]", hint=hint, rtol=rtol, exact=exact)
            if not v:
                return v
        return passed(f"{what} = {tuple(expected)} is right.")
    g = _scalar(got)
    if isinstance(g, str):
        return wrong(f"{what} should be a number; {g}", hint)
    if exact:
        if not _is_integer_value(g):
            return wrong(f"{what} = {_show(got)} is not a whole number; expected a count.", hint)
        ok = int(g) == expected
    else:
        ok = math.isclose(g, float(expected), rel_tol=rtol, abs_tol=0.0)
    if ok:
        return passed(f"{what} = {_show(got)} is right.")
    return wrong(f"{what} = {_show(got)} is not right.", hint)


def _scalar(got):
    """A finite real number, or a string saying why ``got`` is not one."""
    if isinstance(got, (bool, np.bool_)):
        return f"got {got!r} (a boolean)"
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(()).item()
    if isinstance(got, (complex, np.complexfloating)):
        return f"got the complex number {got!r}"
    if not isinstance(got, Real):
        return f"got {_show(got)}"
    if isinstance(got, Integral):
        return got
    g = float(got)
    if not math.isfinite(g):
        return f"got {g!r}"
    return g


def _same(got, m, rtol, exact) -> bool:
    if isinstance(m, tuple):
        try:
            return len(got) == len(m) and all(_same(a, b, rtol, exact) for a, b in zip(got, m))
        except TypeError:
            return False
    g = _scalar(got)
    if isinstance(g, str):
        return False
    if exact:
        return _is_integer_value(g) and int(g) == m
    return math.isclose(g, float(m), rel_tol=rtol, abs_tol=0.0)


def _show(x) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def run_all(verdicts: list[Verdict], summary: str) -> Verdict:
    """Combine several verdicts: the first that did not pass, or one "passed" summary."""
    for v in verdicts:
        if not v:
            return v
    return passed(summary)
