#!/usr/bin/env python3
"""Editions of the series for a classroom: a student edition for nbgrader, and a website.

Usage::

    python tools/release.py student DIR   # nbgrader course folder: DIR/source/NN_title/NN_title.ipynb
    python tools/release.py site DIR      # static website of the saved notebooks in DIR/html
    python tools/release.py site DIR --mathjax PATH/tex-chtml.js   # math rendered offline

**student**: every notebook of ``cnnedu.series`` with each solution cell removed (not
collapsed), the learner's stub cells and the check cells in place, and nbgrader metadata:
each exercise cell is an "autograded answer" (``solution: true``), each check cell an
"autograder tests" cell worth one point, whose hidden part (between ``### BEGIN HIDDEN
TESTS`` and ``### END HIDDEN TESTS``) asserts the verdict passed. nbgrader's
``generate_assignment`` removes the hidden part from what students get, so their copy runs
top to bottom and every check just says "NOT YET"; ``autograde`` puts it back, so a check
that does not pass scores 0. One assignment per notebook (``DIR/source/NN_title/``), and an
``nbgrader_config.py`` for the course. Outputs are cleared (students run the notebooks).

**site**: a Sphinx site with MyST-NB and the Sphinx Book Theme, built from the saved,
executed notebooks (nothing is re-executed, so the site shows exactly what was reviewed):
series order in the navigation, the introduction as the home page, figures and the widgets'
still pictures, math, solutions collapsed. Sphinx + MyST-NB rather than Jupyter Book 2:
everything installs from PyPI (no Node.js toolchain), and ``-W`` turns missing files and
broken cross-references into build failures. MathJax comes from its CDN unless
``--mathjax`` names a local ``tex-chtml.js`` (for example from ``npm install mathjax@3``),
which is copied into the site so pages render math offline.
"""
from __future__ import annotations

import argparse
import ast
import copy
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))

from cnnedu.series import NOTEBOOKS  # noqa: E402

COURSE = "cnnedu"
#: what nbgrader puts where a solution region was (``ClearSolutions.code_stub``)
CODE_STUB = "raise NotImplementedError  # your code here"
HIDDEN = "### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS"


def _tag(cell):
    return cell.metadata.get("cnnedu")


def _is_solution(cell) -> bool:
    tag = _tag(cell)
    return isinstance(tag, dict) and "solution" in tag


def exercise_groups(nb):
    """(exercise cell index, check cell index, solution ref) for every exercise."""
    out = []
    for i, cell in enumerate(nb.cells):
        if _tag(cell) != "exercise":
            continue
        j = i + 1
        while j < len(nb.cells) and nb.cells[j].cell_type != "code":
            j += 1
        if j == len(nb.cells) or "check." not in nb.cells[j].source:
            raise SystemExit(f"exercise cell {i} is not followed by a check cell")
        k = j + 1
        while k < len(nb.cells) and not _is_solution(nb.cells[k]) and _tag(nb.cells[k]) != "exercise":
            k += 1
        ref = _tag(nb.cells[k])["solution"] if k < len(nb.cells) and _is_solution(nb.cells[k]) else None
        out.append((i, j, ref))
    return out


def _check_expression(source: str) -> str:
    """The check call of a check cell (its last expression)."""
    tree = ast.parse(source)
    last = tree.body[-1]
    if not isinstance(last, ast.Expr):
        raise SystemExit(f"a check cell must end with the check call; got:\n{source}")
    return ast.get_source_segment(source, last)


def student_notebook(nb, number: str):
    """A copy of ``nb`` as an nbgrader source notebook (see the module docstring)."""
    nb = copy.deepcopy(nb)
    groups = exercise_groups(nb)
    for n, (i, j, _ref) in enumerate(groups, start=1):
        ex, chk = nb.cells[i], nb.cells[j]
        marked = mark_solution_regions(ex.source)
        if marked is not None:  # a cell that defines functions: an autograded answer
            ex.source = marked
            ex.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                       "task": False, "schema_version": 3,
                                       "grade_id": f"nb{number}_exercise_{n}"}
        expr = _check_expression(chk.source)
        body = (f"_verdict = {expr}\n"
                f"assert _verdict.passed, 'the check did not pass:\\n' + str(_verdict)")
        chk.source = chk.source.rstrip() + "\n" + HIDDEN.format(body=body)
        chk.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                    "task": False, "points": 1, "schema_version": 3,
                                    "grade_id": f"nb{number}_check_{n}"}
    nb.cells = [c for c in nb.cells if not _is_solution(c)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def mark_solution_regions(source: str) -> str | None:
    """The exercise cell with each top-level function's body (after its docstring) between
    nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``, or None if it defines none.

    ``generate_assignment`` replaces each region with :data:`CODE_STUB`, so the learner
    keeps the ``def`` line (the check cell below still finds the name) and the function
    raises NotImplementedError until they write it: the check says "NOT YET".
    """
    tree = ast.parse(source)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not funcs:
        return None
    lines = source.split("\n")
    for fn in reversed(funcs):
        body = fn.body
        if (isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                          ast.Constant)
                and isinstance(body[0].value.value, str) and len(body) > 1):
            body = body[1:]
        first = body[0].lineno - 1
        # comments just above the first statement belong to the stub too
        while first - 1 > fn.lineno - 1 and lines[first - 1].strip().startswith("#"):
            first -= 1
        indent = " " * body[0].col_offset
        end = fn.end_lineno
        lines[end:end] = [f"{indent}### END SOLUTION"]
        lines[first:first] = [f"{indent}### BEGIN SOLUTION"]
    return "\n".join(lines)


def filled_in(nb, number: str):
    """``nb`` (a student notebook) with every exercise cell replaced by the reference
    solution under the learner's names: what a student who solved everything submits."""
    nb = copy.deepcopy(nb)
    source = nbformat.read(NB_DIR / next(e.file for e in NOTEBOOKS if e.number == number),
                           as_version=4)
    refs = [ref for _i, _j, ref in exercise_groups(source)]
    k = 0
    for cell in nb.cells:
        if _tag(cell) != "exercise":
            continue
        ref = refs[k]
        k += 1
        module, _, func = ref.partition(".")
        mod = __import__(f"cnnedu.exercises.solutions.{module}", fromlist=[func])
        lines = []
        for name in _defined_names(cell.source):
            bare = name[3:] if name.startswith("my_") else name
            target = next((c for c in (func if len(_defined_names(cell.source)) == 1 else None,
                                       bare, name) if c and hasattr(mod, c)), None)
            if target is None:
                raise SystemExit(f"no solution for {name} in cnnedu.exercises.solutions.{module}")
            lines.append(f"from cnnedu.exercises.solutions.{module} import {target} as {name}")
        cell.source = "\n".join(lines)
    return nb


def _defined_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def write_student(out: Path) -> list[Path]:
    """Write the nbgrader course folder; return the source notebooks written."""
    written = []
    for entry in NOTEBOOKS:
        path = NB_DIR / entry.file
        if not path.exists():
            continue
        nb = student_notebook(nbformat.read(path, as_version=4), entry.number)
        name = Path(entry.file).stem
        dest = out / "source" / name / entry.file
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
        written.append(dest)
    (out / "nbgrader_config.py").write_text(
        "# nbgrader configuration of the cnnedu course (written by tools/release.py student)\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE!r}\n"
        "c.CourseDirectory.root = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'\n"
        f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n"
        "# each check cell runs the learner's code under the check's own time limit\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    (out / "README.md").write_text(
        "# cnnedu: student edition (nbgrader course folder)\n\n"
        "One assignment per notebook in `source/`. Solutions are removed; each check cell is\n"
        "an autograder test worth one point. From this folder:\n\n"
        "```bash\nnbgrader generate_assignment 01_filters_as_templates   # -> release/\n"
        "nbgrader autograde 01_filters_as_templates            # grades submitted/*/\n```\n")
    return written


# ------------------------------------------------------------------------------ site

CONF = '''\
# Sphinx configuration of the cnnedu site (written by tools/release.py site)
import os
import sys

project = "cnnedu: how convolutional layers really work"
author = "the cnnedu authors"
extensions = ["myst_nb"]
root_doc = "00_introduction"
nb_execution_mode = "off"          # the saved, executed notebooks, as reviewed
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath", "amsmath"]
# headings get JupyterLab's anchors ("## 1. Title words" -> "#1.-Title-words"), so the
# notebooks' own links work on the site too
myst_heading_anchors = 3
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
myst_heading_slug_func = "site_slug.jupyter_slug"
html_theme = "sphinx_book_theme"
html_title = "cnnedu"
html_theme_options = {{"show_toc_level": 2, "use_download_button": True}}
exclude_patterns = ["_build", "html", "doctrees", "site_slug.py"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
{mathjax}
'''


def write_site(out: Path, mathjax: Path | None = None, build: bool = True) -> Path:
    """Copy the saved notebooks into ``out/src`` with a Sphinx configuration, and build the
    HTML into ``out/html`` (warnings are errors). Returns the HTML folder."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    present = [e for e in NOTEBOOKS if (NB_DIR / e.file).exists()]
    for k, entry in enumerate(present):
        nb = nbformat.read(NB_DIR / entry.file, as_version=4)
        if k == 0:  # the home page carries the series' table of contents
            toc = "\n".join(Path(e.file).stem for e in present[1:])
            nb.cells.append(nbformat.v4.new_markdown_cell(
                f"```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toc}\n```"))
        nbformat.write(nb, src / entry.file)
    mj = ""
    if mathjax is not None:
        static = src / "_static"
        static.mkdir()
        shutil.copy(mathjax, static / "tex-chtml.js")
        # MathJax loads its fonts relative to itself: copy the output folder too when present
        fonts = Path(mathjax).parent / "output"
        if fonts.is_dir():
            shutil.copytree(fonts, static / "output")
        mj = 'html_static_path = ["_static"]\nmathjax_path = "tex-chtml.js"'
    (src / "conf.py").write_text(CONF.format(mathjax=mj))
    (src / "site_slug.py").write_text(
        '"""Heading anchors as JupyterLab makes them: spaces become dashes."""\n\n\n'
        "def jupyter_slug(text):\n    return text.strip().replace(' ', '-')\n")
    html = out / "html"
    if build:
        cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-d", str(out / "doctrees"), str(src), str(html)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"the site did not build:\n{res.stdout}\n{res.stderr}")
        home = Path(present[0].file).stem + ".html"
        (html / "index.html").write_text(
            f'<!DOCTYPE html><meta charset="utf-8"><title>cnnedu</title>'
            f'<meta http-equiv="refresh" content="0; url={home}">'
            f'<p><a href="{home}">cnnedu: the series starts here</a></p>\n')
    return html


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="edition", required=True)
    s = sub.add_parser("student", help="an nbgrader course folder with the solutions removed")
    s.add_argument("dir", type=Path)
    w = sub.add_parser("site", help="a static website of the saved notebooks")
    w.add_argument("dir", type=Path)
    w.add_argument("--mathjax", type=Path, default=None,
                   help="a local MathJax 3 tex-chtml.js to ship with the site (offline math)")
    args = ap.parse_args(argv)
    if args.edition == "student":
        for p in write_student(args.dir):
            print(f"wrote {p}")
    else:
        html = write_site(args.dir, args.mathjax)
        print(f"site: {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
