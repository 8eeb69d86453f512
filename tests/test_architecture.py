"""The folder tree is the architecture: imports run one way, from the top layer down.

Layers, from the bottom up (a module may import its own layer and the ones below it):

0. ``cnnedu`` itself, ``cnnedu._validate`` (the shared input checks), ``cnnedu.series``
1. ``cnnedu.nn`` (the numerics the series teaches) and ``cnnedu.data`` (the shipped data)
2. ``cnnedu.topics`` (the studies the notebooks show)
3. ``cnnedu.viz`` (drawing only)
4. ``cnnedu.widgets`` (wiring) and ``cnnedu.exercises`` (checks and solutions)

and two rules inside a layer: ``nn`` and ``data`` never import each other, and
``widgets`` and ``exercises`` never import each other. Every import is read from the
source (function-level imports and docstring examples excluded, since they run only where
they are used), so the test needs nothing to be importable.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cnnedu"

#: layer of each top-level part of the package
LAYERS = {
    "": 0, "_validate": 0, "series": 0,
    "nn": 1, "data": 1,
    "topics": 2,
    "viz": 3,
    "widgets": 4, "exercises": 4,
}
#: pairs of parts on the same layer that must not import each other
APART = {frozenset({"nn", "data"}), frozenset({"widgets", "exercises"})}
MAX_TOP_LEVEL = 9
MAX_LINES = 400


def part_of(dotted: str) -> str:
    """The top-level part of a dotted module name: ``cnnedu.nn.conv.fast`` -> ``nn``."""
    parts = dotted.split(".")
    assert parts[0] == "cnnedu", dotted
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute cnnedu module) for every import at module level or in a class body."""
    found = []
    tree = ast.parse(source)
    nodes = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.ClassDef):
            nodes.extend(node.body)
        elif isinstance(node, (ast.If, ast.Try)):
            nodes.extend(node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", []))
            for h in getattr(node, "handlers", []):
                nodes.extend(h.body)
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "cnnedu"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "cnnedu":
                found.append((node.lineno, target))
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    """Every import that runs up the layers or between two parts kept apart."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        here = part_of(module)
        for line, target in imported_modules(path.read_text(), module, path.name == "__init__.py"):
            there = part_of(target)
            if there not in LAYERS or here not in LAYERS:
                bad.append(f"{path.relative_to(root.parent)}:{line}: imports {target}, "
                           f"which is in no layer")
            elif LAYERS[there] > LAYERS[here]:
                bad.append(f"{path.relative_to(root.parent)}:{line}: {here or 'cnnedu'} "
                           f"(layer {LAYERS[here]}) imports {target} (layer {LAYERS[there]})")
            elif frozenset({here, there}) in APART:
                bad.append(f"{path.relative_to(root.parent)}:{line}: {here} imports {target}; "
                           f"{here} and {there} are kept apart")
    return bad


def test_every_import_runs_down_the_layers():
    bad = violations()
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_every_part_of_the_package_has_a_layer():
    tops = {p.stem if p.suffix == ".py" else p.name for p in PACKAGE.iterdir()
            if p.name != "__pycache__" and (p.suffix == ".py" or p.is_dir())}
    assert tops - {"__init__"} <= set(LAYERS), tops - set(LAYERS)
    assert len(tops) <= MAX_TOP_LEVEL, sorted(tops)


@pytest.mark.parametrize("source, module, expected", [
    # a low layer importing a high one is caught, absolute or relative
    ("from cnnedu.viz.render import to_png\n", "cnnedu.nn.conv.fast", "imports cnnedu.viz.render"),
    ("from ...viz import render\n", "cnnedu.nn.conv.fast", "imports cnnedu.viz"),
    ("import cnnedu.widgets._base\n", "cnnedu.topics.shapes", "imports cnnedu.widgets._base"),
    ("from cnnedu.data import load_digits\n", "cnnedu.nn.training.loop", "kept apart"),
    ("from cnnedu.exercises import checks\n", "cnnedu.widgets.tool", "kept apart"),
    ("try:\n    from cnnedu.topics import depth\nexcept ImportError:\n    pass\n",
     "cnnedu.nn.init.stats", "imports cnnedu.topics"),
])
def test_the_checker_sees_an_import_that_runs_up(tmp_path, source, module, expected):
    root = tmp_path / "cnnedu"
    path = root.joinpath(*module.split(".")[1:]).with_suffix(".py")
    path.parent.mkdir(parents=True)
    path.write_text(source)
    bad = violations(root)
    assert len(bad) == 1 and expected in bad[0], bad


def test_the_checker_allows_imports_down_and_sideways(tmp_path):
    root = tmp_path / "cnnedu"
    path = root / "viz" / "figures" / "x.py"
    path.parent.mkdir(parents=True)
    path.write_text("from cnnedu.topics import depth\nfrom cnnedu.nn.conv import conv2d\n"
                    "from cnnedu.data import load_digits\nfrom . import y\nfrom .. import render\n"
                    "def f():\n    from cnnedu.widgets import _base\n")
    assert violations(root) == []


def test_no_module_is_long():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"
