"""The outcome of a check, :class:`Verdict`, and its three constructors (part of
:mod:`cnnedu.exercises._core`, which re-exports every name: import from there)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

__all__ = ["Verdict", "passed", "wrong", "not_yet"]

_NOT_YET = "not yet"
_WRONG = "wrong"
_PASSED = "passed"


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
