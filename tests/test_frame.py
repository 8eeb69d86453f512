"""Every notebook follows the series skeleton, and the generated cells are up to date."""
import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnedu.series import NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
PRESENT = [nb for nb in NOTEBOOKS if (ROOT / "notebooks" / nb.file).exists()]
ALLOWED_IMPORTS = {"numpy", "matplotlib", "matplotlib.pyplot", "cnnedu"}


def load(nb):
    return nbformat.read(ROOT / "notebooks" / nb.file, as_version=4)


def tag(cell):
    return cell.metadata.get("cnnedu")


def test_generated_cells_are_up_to_date():
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "nbframe.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_notebook_in_notebooks_is_registered():
    files = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert files == {nb.file for nb in PRESENT}, "add the notebook to cnnedu/series.py"


def test_at_least_the_introduction_exists():
    assert PRESENT and PRESENT[0].number == "00"


@pytest.mark.parametrize("entry", PRESENT, ids=lambda n: n.number)
def test_skeleton(entry):
    nb = load(entry)
    cells = nb.cells
    md = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert cells[0].cell_type == "markdown"
    assert cells[0].source.startswith(f"# {entry.number} · {entry.title}"), cells[0].source[:80]
    assert tag(cells[1]) == "nav-top" and tag(cells[-1]) == "nav-bottom"
    assert "## Learning objectives" in md
    assert f"**Estimated time:** {entry.minutes} minutes" in md
    assert "## Key takeaways" in md
    assert nb.metadata["kernelspec"]["name"] == "python3"
    if entry.number != "00":
        assert "## 1. " in md and "## Exercises" in md


@pytest.mark.parametrize("entry", PRESENT, ids=lambda n: n.number)
def test_setup_cell_imports_only_numpy_matplotlib_and_cnnedu(entry):
    cells = load(entry).cells
    idx = next(i for i, c in enumerate(cells) if c.cell_type == "markdown"
               and c.source.lstrip().startswith("## Setup"))
    setup = cells[idx + 1]
    assert setup.cell_type == "code"
    tree = ast.parse("\n".join(l for l in setup.source.splitlines()
                               if not l.lstrip().startswith("%")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module]
        else:
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef)), "setup defines code"
            continue
        for name in names:
            assert name in ALLOWED_IMPORTS or name.startswith("cnnedu."), name


@pytest.mark.parametrize("entry", PRESENT, ids=lambda n: n.number)
def test_functions_are_defined_only_in_exercise_cells(entry):
    """Notebooks call the package; only the learner's exercise stubs define functions."""
    for i, cell in enumerate(load(entry).cells):
        if cell.cell_type != "code" or tag(cell) == "exercise":
            continue
        src = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith("%"))
        defs = [n.name for n in ast.walk(ast.parse(src))
                if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not defs, f"cell {i} defines {defs}: move it into cnnedu (or tag the exercise)"


@pytest.mark.parametrize("entry", PRESENT, ids=lambda n: n.number)
def test_each_exercise_has_a_stub_a_check_and_a_hidden_solution(entry):
    cells = load(entry).cells
    ex = [i for i, c in enumerate(cells) if tag(c) == "exercise"]
    assert ex or entry.number == "00", "no exercise cells (metadata cnnedu: exercise)"
    for i in ex:
        stub, check, sol = cells[i], cells[i + 1], cells[i + 2]
        assert "NotImplementedError" in stub.source or "return None" in stub.source
        assert check.cell_type == "code" and "check" in check.source
        out = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                      for o in check.outputs)
        assert "NOT YET" in out, f"the saved check after cell {i} should say NOT YET: {out[:200]}"
        assert isinstance(tag(sol), dict) and "solution" in tag(sol)
        assert "<details>" in sol.source


@pytest.mark.parametrize("entry", PRESENT, ids=lambda n: n.number)
def test_each_check_cell_checks_the_function_its_exercise_cell_defines(entry):
    """The check cell passes the learner's function (by name) to a check of the notebook's
    own check module, and the solution cell names a function that exists."""
    import importlib

    cells = load(entry).cells
    for i, cell in enumerate(cells):
        if tag(cell) != "exercise":
            continue
        defined = [n.name for n in ast.parse(cell.source).body
                   if isinstance(n, ast.FunctionDef)]
        assert defined, f"exercise cell {i} defines no function"
        calls = [n for n in ast.walk(ast.parse(cells[i + 1].source))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and isinstance(n.func.value, ast.Name) and n.func.value.id == "check"]
        assert calls, f"cell {i + 1} should call check.<exercise>(...)"
        names = {a.id for c in calls for a in c.args if isinstance(a, ast.Name)}
        assert names & set(defined), f"cell {i + 1} does not check {defined}"
        module, _, func = tag(cells[i + 2])["solution"].partition(".")
        assert module == f"nb{entry.number}", tag(cells[i + 2])
        sol = importlib.import_module(f"cnnedu.exercises.solutions.{module}")
        chk = importlib.import_module(f"cnnedu.exercises.checks.{module}")
        assert callable(getattr(sol, func, None)), f"no solution {module}.{func}"
        for c in calls:
            assert callable(getattr(chk, c.func.attr, None)), f"no check {c.func.attr}"


def _anchors(nb) -> set[str]:
    """JupyterLab's heading anchors: the heading text with spaces replaced by '-'."""
    out = set()
    for c in nb.cells:
        if c.cell_type == "markdown":
            for line in c.source.splitlines():
                if line.startswith("#"):
                    out.add(line.lstrip("#").strip().replace(" ", "-"))
    return out


def test_links_between_notebooks_point_at_existing_headings():
    import re

    broken = []
    for entry in PRESENT:
        for c in load(entry).cells:
            if c.cell_type != "markdown":
                continue
            for target, anchor in re.findall(r"\]\((\d\d_[a-z_]+\.ipynb)(?:#([^)]+))?\)", c.source):
                path = ROOT / "notebooks" / target
                if not path.exists():
                    continue  # a notebook still to come: nbframe lists it as "coming"
                if anchor and anchor not in _anchors(nbformat.read(path, as_version=4)):
                    broken.append(f"{entry.file} -> {target}#{anchor}")
    assert not broken, broken
