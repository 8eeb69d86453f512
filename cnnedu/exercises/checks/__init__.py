"""Exercise checks, one module per notebook (``cnnedu.exercises.checks.nb01``, ...).

Each check takes the learner's function (or answer), runs it on fixed inputs, and returns
a :class:`~cnnedu.exercises._core.Verdict` that says "PASSED", "NOT YET" or "WRONG" with the
first difference and a hint. Checks never raise.
"""
from cnnedu.exercises._core import Verdict

__all__ = ["Verdict"]
