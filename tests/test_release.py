"""tools/release.py: the student edition (graded with the real nbgrader) and the website.

The nbgrader round trip runs nbgrader's own ``generate_assignment`` and ``autograde`` on
the student edition of every notebook: the released copy (what students get) executes top
to bottom with every check saying "NOT YET"; a submission with the reference solutions
filled in gets full marks, one with the stubs gets zero.
"""
from __future__ import annotations

import ast
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import release  # noqa: E402

from cnnedu.series import NOTEBOOKS  # noqa: E402

PRESENT = [e for e in NOTEBOOKS if (ROOT / "notebooks" / e.file).exists()]
pytestmark = pytest.mark.classroom


def _exercise_count(entry) -> int:
    nb = nbformat.read(ROOT / "notebooks" / entry.file, as_version=4)
    return sum(1 for c in nb.cells if c.metadata.get("cnnedu") == "exercise")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    out = tmp_path_factory.mktemp("course")
    release.write_student(out)
    return out


@pytest.mark.parametrize("entry", PRESENT, ids=lambda e: e.number)
def test_student_edition_has_no_solutions_and_nbgrader_metadata(course, entry):
    name = Path(entry.file).stem
    nb = nbformat.read(course / "source" / name / entry.file, as_version=4)
    text = nbformat.writes(nb)
    assert "Show a solution" not in text and "cnnedu/exercises/solutions" not in text
    assert not any(isinstance(c.metadata.get("cnnedu"), dict) for c in nb.cells)
    checks = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == _exercise_count(entry)
    for c in checks:
        meta = c.metadata["nbgrader"]
        assert meta["locked"] and meta["points"] == 1 and not meta["solution"]
        assert "### BEGIN HIDDEN TESTS" in c.source and "assert _verdict.passed" in c.source
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids))
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_solution_regions_keep_the_def_line():
    src = "def my_f(x, k=1):\n    \"\"\"doc\"\"\"\n    # your code here\n    raise NotImplementedError\n"
    marked = release.mark_solution_regions(src)
    lines = marked.splitlines()
    assert lines[0] == "def my_f(x, k=1):" and lines[2] == "    ### BEGIN SOLUTION"
    assert lines[-1] == "    ### END SOLUTION"
    ast.parse(marked)
    assert release.mark_solution_regions("my_kernel = None\n") is None


ROUND_TRIP = r'''
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import nbformat
import release
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

course = Path(sys.argv[1])
cfg = Config()
cfg.CourseDirectory.root = str(course)
cfg.CourseDirectory.course_id = release.COURSE
cfg.ClearSolutions.code_stub = {"python": release.CODE_STUB}
cfg.ExecutePreprocessor.timeout = 300
api = NbGraderAPI(config=cfg)
out = {}
for name in sys.argv[3:]:
    r = api.generate_assignment(name, force=True)
    assert r["success"], r["log"] + str(r.get("error"))
    rel = course / "release" / name / f"{name}.ipynb"
    # what students get runs top to bottom; every check says NOT YET
    nb = nbformat.read(rel, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(rel.parent)}}).execute()
    verdicts = []
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade"):
            verdicts.append("".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                                    for o in c.outputs))
    for student, sub in (("stubs", nbformat.read(rel, as_version=4)),
                         ("solved", release.filled_in(nbformat.read(rel, as_version=4), name[:2]))):
        dest = course / "submitted" / student / name / f"{name}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(sub, dest)
        r = api.autograde(name, student, force=True, create=True)
        assert r["success"], r["log"] + str(r.get("error"))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: [gb.find_submission(name, s).score, gb.find_submission(name, s).max_score]
                  for s in ("stubs", "solved")}
    out[name] = {"scores": scores, "verdicts": verdicts}
print("RESULT " + json.dumps(out))
'''


def test_nbgrader_round_trip_full_marks_for_the_reference_zero_for_the_stubs(tmp_path):
    pytest.importorskip("nbgrader")
    release.write_student(tmp_path)
    script = tmp_path / "round_trip.py"
    script.write_text(ROUND_TRIP)
    names = [Path(e.file).stem for e in PRESENT]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    res = subprocess.run([sys.executable, str(script), str(tmp_path), str(ROOT / "tools"), *names],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900)
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert res.returncode == 0 and line, res.stdout[-3000:] + res.stderr[-3000:]
    out = json.loads(line[len("RESULT "):])
    for entry in PRESENT:
        got = out[Path(entry.file).stem]
        n = _exercise_count(entry)
        assert got["scores"]["solved"] == [n, n], (entry.number, got)
        assert got["scores"]["stubs"] == [0, n], (entry.number, got)
        assert len(got["verdicts"]) == n
        for v in got["verdicts"]:
            assert v.startswith("NOT YET"), (entry.number, v)


def test_site_builds_with_every_page_and_no_broken_links(tmp_path):
    pytest.importorskip("myst_nb")
    pytest.importorskip("sphinx_book_theme")
    mathjax = os.environ.get("CNNEDU_MATHJAX")
    html = release.write_site(tmp_path, Path(mathjax) if mathjax else None)
    for entry in PRESENT:
        page = html / (Path(entry.file).stem + ".html")
        assert page.exists(), page
    home = (html / "index.html").read_text()
    assert PRESENT[0].file.replace(".ipynb", ".html") in home
    intro = (html / PRESENT[0].file.replace(".ipynb", ".html")).read_text()
    for entry in PRESENT[1:]:   # navigation in series order
        assert entry.file.replace(".ipynb", ".html") in intro
    order = [intro.index(e.file.replace(".ipynb", ".html")) for e in PRESENT[1:]]
    assert order == sorted(order)
    assert any((html / "_images").glob("*.png"))


def test_site_pages_show_images_and_math_in_a_browser(tmp_path):
    """Open a few pages in headless Chromium: every image loads, and math is typeset
    (with a local MathJax from CNNEDU_MATHJAX, as .ci/run provides; skipped without)."""
    pytest.importorskip("myst_nb")
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    mathjax = os.environ.get("CNNEDU_MATHJAX")
    if not chromium.exists() or not mathjax:
        if os.environ.get("CNNEDU_REQUIRE_BROWSER"):
            pytest.fail("CI must run this: Chromium or CNNEDU_MATHJAX is missing")
        pytest.skip("needs /usr/bin/chromium and CNNEDU_MATHJAX (a local MathJax 3 tex-chtml.js)")
    html = release.write_site(tmp_path, Path(mathjax))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            for entry in (PRESENT[1], PRESENT[-2]):
                page.goto(f"http://127.0.0.1:{server.server_port}/"
                          f"{entry.file.replace('.ipynb', '.html')}")
                page.wait_for_selector("mjx-container", timeout=30_000)
                page.wait_for_load_state("load")
                broken = page.evaluate("Array.from(document.images).filter("
                                       "i => !i.complete || i.naturalWidth === 0).length")
                images = page.evaluate("document.images.length")
                assert images >= 3 and broken == 0, (entry.number, images, broken)
                page.screenshot(path=str(tmp_path / f"site_{entry.number}.png"))
            browser.close()
    finally:
        server.shutdown()
