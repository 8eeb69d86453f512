#!/usr/bin/env python3
"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

Usage:
    python tools/run_notebooks.py                      # every notebook in notebooks/
    python tools/run_notebooks.py notebooks/01_*.ipynb # some of them

This is how the saved notebooks (nbval's regression baseline) are produced. Each notebook
runs in its own fresh kernel with notebooks/ as the working directory; the generated cells
are refreshed first (tools/nbframe.py); timing metadata and widget state are not saved, so
the files carry no wall-clock text. Prints how long each notebook took.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import nbframe  # noqa: E402


def run(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    env_dir = tempfile.mkdtemp(prefix="cnnedu-mpl-")
    os.environ.setdefault("MPLCONFIGDIR", env_dir)
    # the kernel inherits this: single-threaded BLAS, as under pytest (see conftest.py)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            record_timing=False, store_widget_state=False)
    t0 = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - t0
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nbformat.write(nb, path)
    # nbformat.write ends without a newline; nbframe writes one: keep the two identical
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n", encoding="utf-8")
    return elapsed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    nbframe.main([str(p) for p in args.notebooks])
    for p in paths:
        elapsed = run(p.resolve(), args.timeout)
        print(f"{p.name}: executed in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
