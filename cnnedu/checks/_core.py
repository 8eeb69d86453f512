"""The verdict engine behind every exercise check.

A check calls the learner's code, compares what comes back with the reference, and returns
a :class:`Verdict`. It never raises: a stub gives "not yet", a wrong answer says which shape
or which value first differs and gives a hint, an exception in the learner's code is
reported by its type and message. The verdict is shown as one stable block of text, so a
notebook saved with the stubs in place runs top to bottom and nbval can compare it.

>>> import numpy as np
>>> compare(np.zeros((2, 3)), np.zeros((2, 3)), "y").passed
True
>>> print(compare(np.zeros((2, 3)), np.zeros((3, 2)), "y", hint="rows are H"))
WRONG: y has shape (2, 3); expected shape (3, 2).
  hint: rows are H
>>> print(call(lambda: None, name="my_fn"))
NOT YET: my_fn returned None: replace the stub with your code, then run this cell again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Verdict", "passed", "wrong", "not_yet", "call", "compare", "compare_value", "run_all"]

_NOT_YET = "not yet"
_WRONG = "wrong"
_PASSED = "passed"


@dataclass
class Verdict:
    """The outcome of a check: ``status`` is "passed", "not yet" or "wrong".

    ``bool(verdict)`` is True only when it passed. Its text (``repr``) is what the
    notebook shows.
    """

    status: str
    message: str
    hint: str = ""
    details: list[str] = field(default_factory=list)

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
        return "\n".join(lines)

    __repr__ = __str__


def passed(message: str) -> Verdict:
    return Verdict(_PASSED, message)


def wrong(message: str, hint: str = "", details: list[str] | None = None) -> Verdict:
    return Verdict(_WRONG, message, hint, list(details or []))


def not_yet(message: str, hint: str = "") -> Verdict:
    return Verdict(_NOT_YET, message, hint)


class _Failed(Exception):
    """Carries a verdict out of :func:`call` when the learner's code did not return."""

    def __init__(self, verdict: Verdict):
        super().__init__(str(verdict))
        self.verdict = verdict


def call(fn: Callable, *args, name: str | None = None, **kwargs) -> Any:
    """Call the learner's ``fn``; return its result, or a :class:`Verdict` if it did not work.

    A stub (``NotImplementedError`` or ``None``) gives "not yet"; any other exception gives
    "wrong" with its type and message (no traceback).
    """
    label = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        return wrong(f"expected a function for {label}; got {type(fn).__name__}",
                     hint="pass the function itself, without calling it: check(my_fn)")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        return not_yet(f"{label} still raises NotImplementedError: replace the stub with "
                       "your code, then run this cell again.")
    except Exception as exc:  # the learner's code may raise anything
        return wrong(f"{label} raised {type(exc).__name__}: {exc}",
                     hint="run it on the example above and read the error message")
    if out is None:
        return not_yet(f"{label} returned None: replace the stub with your code, then run "
                       "this cell again.")
    return out


def compare(got, expected: np.ndarray, what: str, *, hint: str = "",
            rtol: float = 1e-6, atol: float = 1e-8) -> Verdict:
    """Compare an array answer with the reference: shape first, then values."""
    if isinstance(got, Verdict):
        return got
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"{what} should be a numeric array; got {type(got).__name__}", hint)
    expected = np.asarray(expected, dtype=float)
    if arr.shape != expected.shape:
        return wrong(f"{what} has shape {arr.shape}; expected shape {expected.shape}.", hint)
    if not np.all(np.isfinite(arr)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        return wrong(f"{what}{list(idx)} is {arr[idx]}; expected a finite number "
                     f"({expected[idx]:.6g}).", hint)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return passed(f"{what} matches the reference (shape {expected.shape}).")
    bad = np.argwhere(~close)
    idx = tuple(int(i) for i in bad[0])
    return wrong(
        f"{what} has the right shape {expected.shape}, but {len(bad)} of {expected.size} "
        f"values differ.",
        hint,
        [f"first difference at index {list(idx)}: got {arr[idx]:.6g}, expected "
         f"{expected[idx]:.6g}"],
    )


def compare_value(got, expected, what: str, *, hint: str = "", rtol: float = 1e-6,
                  exact: bool = False) -> Verdict:
    """Compare a scalar (or tuple of scalars) answer with the reference."""
    if isinstance(got, Verdict):
        return got
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return wrong(f"{what} should be a tuple of {len(expected)} values; got {got!r}",
                         hint)
        for i, (g, e) in enumerate(zip(got, expected)):
            v = compare_value(g, e, f"{what}[{i}]", hint=hint, rtol=rtol, exact=exact)
            if not v:
                return v
        return passed(f"{what} = {tuple(expected)} is right.")
    try:
        g = float(got)
    except (TypeError, ValueError):
        return wrong(f"{what} should be a number; got {got!r}", hint)
    ok = g == expected if exact else np.isclose(g, expected, rtol=rtol, atol=0)
    if ok:
        return passed(f"{what} = {got!r} is right.")
    return wrong(f"{what} = {got!r} is not right.", hint)


def run_all(verdicts: list[Verdict], summary: str) -> Verdict:
    """Combine several verdicts: the first that did not pass, or one "passed" summary."""
    for v in verdicts:
        if not v:
            return v
    return passed(summary)
