#!/usr/bin/env python3
"""Write the cells and lines that repeat across the series, from one registry.

Usage:
    python tools/nbframe.py          # update notebooks/ and README.md in place
    python tools/nbframe.py --check  # exit 1 and list what is out of date; change nothing

What it generates (never edit these by hand):

- every notebook's navigation cells: ``nav-top`` right after the title cell and
  ``nav-bottom`` as the last cell (cell metadata ``"cnnedu": "nav-top"`` / ``"nav-bottom"``);
- every solution cell (metadata ``"cnnedu": {"solution": "nbNN.name"}``): a collapsed
  ``<details>`` block holding the source of ``cnnedu.exercises.solutions.nbNN.name``;
- the series map in the introduction (metadata ``"cnnedu": "series-map"``);
- the notebook list in README.md, between ``<!-- notebooks:start -->`` and
  ``<!-- notebooks:end -->``.

The registry is ``cnnedu/series.py``. Only notebooks that exist are linked; the others are
listed as "coming". Running it twice changes nothing the second time (a test checks).
Markdown cells only: outputs are untouched, so notebooks need no re-execution.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnedu.series import NOTEBOOKS  # noqa: E402

NB_DIR = ROOT / "notebooks"
README = ROOT / "README.md"
START, END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"


def _exists(nb) -> bool:
    return (NB_DIR / nb.file).exists()


def _label(nb) -> str:
    return f"{nb.number} · {nb.title}"


def nav_top(i: int) -> str:
    nb = NOTEBOOKS[i]
    parts = []
    if i > 0:
        prev = NOTEBOOKS[i - 1]
        parts.append(f"[← {_label(prev)}]({prev.file})")
    if i != 0:
        parts.append(f"[Introduction and series map]({NOTEBOOKS[0].file}#Series-map)")
    if i + 1 < len(NOTEBOOKS):
        nxt = NOTEBOOKS[i + 1]
        parts.append(f"[{_label(nxt)} →]({nxt.file})" if _exists(nxt)
                     else f"next: {_label(nxt)} (coming)")
    where = f"Notebook {int(nb.number)} of {len(NOTEBOOKS) - 1}" if i else "Start here"
    return (f"*cnnedu · {where} · about {nb.minutes} minutes*  \n" + " | ".join(parts))


def nav_bottom(i: int) -> str:
    lines = ["---", ""]
    if i > 0:
        prev = NOTEBOOKS[i - 1]
        lines.append(f"**Previous:** [{_label(prev)}]({prev.file})  ")
    if i + 1 < len(NOTEBOOKS):
        nxt = NOTEBOOKS[i + 1]
        lines.append(f"**Next:** [{_label(nxt)}]({nxt.file})  " if _exists(nxt)
                     else f"**Next:** {_label(nxt)} (coming)  ")
    if i != 0:
        lines.append(f"**Series map:** [{_label(NOTEBOOKS[0])}]({NOTEBOOKS[0].file}#Series-map)")
    return "\n".join(lines).rstrip()


def series_map() -> str:
    rows = ["## Series map", "",
            "| # | Notebook | What it covers | Time |", "| --- | --- | --- | --- |"]
    for nb in NOTEBOOKS:
        name = f"[{nb.title}]({nb.file})" if _exists(nb) else f"{nb.title} (coming)"
        rows.append(f"| {nb.number} | {name} | {nb.summary} | {nb.minutes} min |")
    return "\n".join(rows)


def solution(ref: str) -> str:
    module, _, name = ref.partition(".")
    mod = importlib.import_module(f"cnnedu.exercises.solutions.{module}")
    src = inspect.getsource(getattr(mod, name)).rstrip()
    return ("<details>\n<summary><b>Show a solution</b> (try the exercise first)</summary>\n\n"
            f"From `cnnedu/exercises/solutions/{module}.py`:\n\n```python\n{src}\n```\n\n</details>")


def _md(source: str, tag, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["cnnedu"] = tag
    cell.id = cell_id
    return cell


def frame_notebook(i: int, nb) -> nbformat.NotebookNode:
    """Return the notebook with its generated cells written (a new object)."""
    cells = [c for c in nb.cells if c.metadata.get("cnnedu") not in ("nav-top", "nav-bottom")]
    for c in cells:
        tag = c.metadata.get("cnnedu")
        if isinstance(tag, dict) and "solution" in tag:
            c.source = solution(tag["solution"])
        elif tag == "series-map":
            c.source = series_map()
    top = _md(nav_top(i), "nav-top", "nav-top")
    bottom = _md(nav_bottom(i), "nav-bottom", "nav-bottom")
    nb = nbformat.from_dict(nb)
    nb.cells = cells[:1] + [top] + cells[1:] + [bottom]
    return nb


def readme_list(text: str) -> str:
    lines = [START]
    for nb in NOTEBOOKS:
        if _exists(nb):
            lines.append(f"- [`{nb.file}`](notebooks/{nb.file}): **{nb.title}**: {nb.summary}.")
    lines.append(END)
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    if not rest:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    return head + "\n".join(lines) + tail


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report out-of-date files; change nothing")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="only these notebooks (default: every registered one)")
    args = ap.parse_args(argv)
    only = {p.resolve().name for p in args.notebooks}
    stale = []
    for i, entry in enumerate(NOTEBOOKS):
        path = NB_DIR / entry.file
        if not path.exists() or (only and entry.file not in only):
            continue
        old = path.read_text(encoding="utf-8")
        nb = frame_notebook(i, nbformat.reads(old, as_version=4))
        new = nbformat.writes(nb) + "\n"
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if README.exists():
        old = README.read_text(encoding="utf-8")
        new = readme_list(old)
        if new != old:
            stale.append(README)
            if not args.check:
                README.write_text(new, encoding="utf-8")
    for p in stale:
        print(f"{'out of date' if args.check else 'updated'}: {p.relative_to(ROOT)}")
    if args.check and stale:
        print("run: python tools/nbframe.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
