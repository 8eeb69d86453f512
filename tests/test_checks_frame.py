"""The exercise frame, for every notebook's exercises (read from the notebooks): whatever the
learner's function does, its check ends in a verdict, never in an exception; a stub gives
NOT YET; the reference solution passes.

Each exercise is found as the notebooks have it: an exercise cell defining the learner's
function, the check cell ``check.<name>(my_function)`` and the solution cell naming
``nbNN.<solution>``.
"""
import ast
import importlib
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnnedu.exercises import _core
from cnnedu.exercises._core import Verdict
from cnnedu.series import NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent


def _exercises():
    found = []
    for entry in NOTEBOOKS:
        path = ROOT / "notebooks" / entry.file
        if not path.exists():
            continue
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells[:-2]):
            if cell.metadata.get("cnnedu") != "exercise":
                continue
            calls = [n for n in ast.walk(ast.parse(cells[i + 1].source))
                     if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                     and isinstance(n.func.value, ast.Name) and n.func.value.id == "check"
                     and len(n.args) == 1 and not n.keywords]
            tag = cells[i + 2].metadata.get("cnnedu")
            if calls and isinstance(tag, dict) and "solution" in tag:
                found.append(pytest.param(entry.number, calls[0].func.attr, tag["solution"],
                                          id=f"nb{entry.number}.{calls[0].func.attr}"))
    return found


EXERCISES = _exercises()


def _check(number, name):
    return getattr(importlib.import_module(f"cnnedu.exercises.checks.nb{number}"), name)


def _stub_none(*args, **kwargs):
    return None


def _stub_raises(*args, **kwargs):
    raise NotImplementedError


def _forever(*args, **kwargs):
    while True:
        pass


BAD = {
    "raises": lambda *a, **k: 1 / 0,
    "a string": lambda *a, **k: "done",
    "a boolean": lambda *a, **k: True,
    "a complex number": lambda *a, **k: 1 + 1j,
    "NaN": lambda *a, **k: float("nan"),
    "inf": lambda *a, **k: float("inf"),
    "a ragged list": lambda *a, **k: [[1, 2], [3]],
    "a NaN array": lambda *a, **k: np.full((3, 3), np.nan),
    "exit": lambda *a, **k: sys.exit(1),
}


def test_there_are_exercises():
    assert len(EXERCISES) >= 5


@pytest.mark.parametrize("number, name, solution", EXERCISES)
def test_a_stub_says_not_yet(number, name, solution):
    check = _check(number, name)
    for stub in (_stub_none, _stub_raises):
        v = check(stub)
        assert isinstance(v, Verdict) and v.status == "not yet", str(v)


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("number, name, solution", EXERCISES)
def test_a_bad_answer_is_a_verdict_not_an_exception(number, name, solution, kind, capsys):
    v = _check(number, name)(BAD[kind])
    assert isinstance(v, Verdict) and not v.passed, str(v)
    assert str(v).startswith(("WRONG", "NOT YET"))
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("number, name, solution", EXERCISES)
def test_an_endless_loop_is_stopped(number, name, solution):
    with _core.capped_time_limit(0.2):
        v = _check(number, name)(_forever)
    assert isinstance(v, Verdict) and v.status == "wrong", str(v)


@pytest.mark.parametrize("number, name, solution", EXERCISES)
def test_the_reference_solution_passes(number, name, solution):
    module, _, func = solution.partition(".")
    sol = getattr(importlib.import_module(f"cnnedu.exercises.solutions.{module}"), func)
    v = _check(number, name)(sol)
    assert v.passed, str(v)
