"""The real install: a wheel, installed (not editable) into a fresh virtual environment,
runs every notebook from a folder outside the repository.

This is how JupyterHub, Colab and Binder-like images install the series: the repository is
not the working directory and the package lives in ``site-packages``. The test

1. copies what a build reads (``pyproject.toml``, ``README.md``, ``cnnedu/``) to a temp
   folder and builds a wheel there with ``pip wheel --no-build-isolation`` (no network;
   the checkout gets no ``build/`` folder), and checks that the wheel carries the data
   files, their provenance README and the project README;
2. creates a fresh venv that sees this environment's site-packages (numpy, matplotlib,
   ipykernel, nbclient come from here: no network) through a ``.pth`` file listing them:
   like ``--system-site-packages``, but it also works when this environment is itself a
   venv (as the README suggests), and their ``.pth`` files, among them the editable
   install's finder, are not run. The wheel is installed into it with ``--no-deps
   --ignore-installed`` (this environment's editable cnnedu is neither used nor touched),
   and a kernelspec starts that venv's interpreter;
3. copies ``notebooks/`` to a temp folder and executes every notebook there with nbclient,
   each in a fresh kernel of that venv (two at a time on two cores), from a working
   directory outside the repository; a cell appended to each copy prints
   ``cnnedu.__file__``, which must be inside the venv;
4. checks that nothing was written into the installed package (its files, sizes and
   modification times are the same before and after; Python's own ``__pycache__`` is
   off for the run, as on a read-only install) nor into the notebooks' folder.

Marked ``install``; the README's test command runs it (about a minute on 2 cores). Deselect
it with ``-m "not install"`` for a quick run.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ("astronaut.npz", "chelsea.npz", "camera.npz", "brick.npz", "digits.npz")
KERNEL = "cnnedu-wheel"

pytestmark = pytest.mark.install

# Run by the venv's interpreter, from a folder outside the repository.
RUNNER = r'''
import asyncio, json, os, re, sys, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import cnnedu
from cnnedu import data

WHERE = "import cnnedu as _c, sys as _s; print(_c.__file__); print(_s.executable)"


async def run(path, kernel):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WHERE))
    client = NotebookClient(nb, timeout=300, kernel_name=kernel,
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    try:
        await client.async_execute()
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        result = {"ok": True, "where": text.split()}
    except CellExecutionError as exc:  # the cell and its error, without the colours
        cell = next((c.source for c in nb.cells if c.cell_type == "code" and any(
            o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        result = {"ok": False, "error": f"{exc.ename}: {exc.evalue}\n  in the cell: "
                  + re.sub(r"\x1b\[[0-9;]*m", "", cell)[:300]}
    except Exception as exc:  # the kernel did not start, a timeout, ...
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[-2000:]}
    result["seconds"] = round(time.perf_counter() - t0, 1)  # reported, never asserted
    return path.name, result


async def main(folder, kernel, workers):
    # each notebook in its own fresh kernel; two at a time on two cores
    gate = asyncio.Semaphore(workers)

    async def gated(path):
        async with gate:
            return await run(path, kernel)

    paths = sorted(Path(folder).glob("*.ipynb"), key=lambda p: -p.stat().st_size)
    return dict(sorted(await asyncio.gather(*(gated(p) for p in paths))))


out = {"python": sys.executable, "cnnedu": cnnedu.__file__,
       "camera": list(data.load_grey_image("camera").shape)}
out["notebooks"] = asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
print(json.dumps(out))
'''


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` but bytecode caches: relative path -> (size, mtime_ns)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def build_wheel(src: Path, dist: Path) -> Path:
    """Copy what a build reads to ``src`` and build a wheel into ``dist`` (no network)."""
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "cnnedu", src / "cnnedu",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "--no-cache-dir", "--disable-pip-version-check", "-q",
          "-w", dist, src], cwd=src)
    wheels = sorted(dist.glob("cnnedu-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    return build_wheel(tmp / "src", tmp / "dist")


def test_wheel_carries_the_data_their_readme_and_the_project_readme(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(meta).decode()
    missing = [f for f in DATA_FILES if f"cnnedu/data/files/{f}" not in names]
    assert not missing, f"the wheel lacks the data files {missing}: check package-data"
    assert "cnnedu/data/files/README.md" in names, "the data's provenance README is missing"
    # the project README is the wheel's long description
    assert "Description-Content-Type: text/markdown" in metadata
    assert "# cnnedu: how convolutional layers really work" in metadata
    # only the package: no tests, notebooks or tools in site-packages
    assert {n.split("/")[0] for n in names} == {"cnnedu", meta.split("/")[0]}


def test_installed_wheel_runs_every_notebook_outside_the_repository(wheel, tmp_path):
    env_dir, work, home = tmp_path / "venv", tmp_path / "work", tmp_path / "home"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    py = env_dir / "bin" / "python"
    if not py.exists():  # Windows layout
        py = env_dir / "Scripts" / "python.exe"
    # this environment's site-packages, after the venv's own (which will hold cnnedu)
    outer = [p for p in [*site.getsitepackages(), site.getusersitepackages()]
             if Path(p).is_dir()]
    venv_site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          cwd=tmp_path).stdout.strip())
    (venv_site / "_outer_site_packages.pth").write_text("\n".join(outer) + "\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "PIP_", "JUPYTER", "VIRTUAL_ENV", "CNNEDU_DATA"))}
    env.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "JUPYTER_PATH": str(home / "jupyter"), "JUPYTER_DATA_DIR": str(home / "data"),
                "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                "IPYTHONDIR": str(home / "ipython"), "MPLCONFIGDIR": str(home / "mpl")})
    # pip runs from the system site-packages but installs into the venv (sys.prefix);
    # --ignore-installed: the editable cnnedu seen through system site-packages is left alone
    _run([py, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--no-index",
          "--no-cache-dir", "-q", wheel], env=env, cwd=tmp_path)
    pkg = Path(_run([py, "-c", "import cnnedu, os; print(os.path.dirname(cnnedu.__file__))"],
                    env=env, cwd=tmp_path).stdout.strip())
    assert env_dir.resolve() in pkg.resolve().parents, (
        f"the venv imports cnnedu from {pkg}, not from its own site-packages")
    spec = home / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(py), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cnnedu (installed wheel)", "language": "python"}))

    notebooks = work / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (work / "runner.py").write_text(RUNNER)
    before_pkg, before_nb = _tree(pkg), _tree(notebooks)
    workers = min(2, os.cpu_count() or 1)
    proc = _run([py, work / "runner.py", notebooks, KERNEL, workers], env=env, cwd=work,
                timeout=900)
    report = json.loads(proc.stdout.strip().splitlines()[-1])

    assert Path(report["cnnedu"]).resolve().parent == pkg.resolve()
    assert report["camera"] == [256, 256]
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(report["notebooks"]) == names and names
    print("seconds per notebook:", {n: r["seconds"] for n, r in report["notebooks"].items()})
    failed = {n: r["error"] for n, r in report["notebooks"].items() if not r["ok"]}
    assert not failed, (
        "notebooks failed with the installed wheel (if one fails with the editable install "
        "too, `python -m pytest notebooks/NN_*.ipynb`, the notebook is broken, not the "
        "install):\n" + "\n\n".join(f"{n}: {e}" for n, e in failed.items()))
    for name, r in report["notebooks"].items():
        where, exe = r["where"]
        assert Path(where).resolve().parent == pkg.resolve(), (name, where)
        assert Path(exe).parent.parent.resolve() == env_dir.resolve(), (name, exe)
    assert _tree(pkg) == before_pkg, "something wrote into the installed package"
    assert _tree(notebooks) == before_nb, "running the notebooks wrote into their folder"
